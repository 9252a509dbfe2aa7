//! Flow documents: the flow's header, its variables and defaults, and
//! every node with its menu options, handlers, switch entries and branches.

use crate::loader::decode::{misspelt, Decoder};
use crate::loader::problem::did_you_mean;
use crate::loader::undecoded::UndecodedFlow;
use crate::loader::yaml::{Yaml, YamlValue};
use crate::model::*;

pub const FLOW_KEYS: [&str; 9] = [
    "flow",
    "channel",
    "title",
    "description",
    "start",
    "vars",
    "defaults",
    "nodes",
    "module",
];
pub const NODE_KIND_KEYS: [&str; 11] = [
    "say", "menu", "ask", "switch", "set", "call", "return", "transfer", "end", "hangup", "opaque",
];
pub const OPTION_KEYS: [&str; 8] = [
    "key", "label", "speech", "intents", "fallback", "hidden", "when", "goto",
];
pub const HANDLER_KEYS: [&str; 2] = ["retries", "then"];
pub const DEFAULTS_KEYS: [&str; 4] = ["no_input", "no_match", "invalid", "timeout"];

/// The most keys a kind of node may have besides its kind key.
const MAX_EXTRA_KEYS: usize = 6;

/// The keys a node of each kind may have besides its kind key.
pub fn node_extra_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "say" => &["next"],
        "menu" => &["options", "no_input", "no_match", "back", "timeout", "save"],
        "ask" => &["pattern", "save", "goto", "invalid", "no_input", "timeout"],
        "set" | "call" => &["next"],
        "transfer" => &["serves", "open_when"],
        "end" => &["serves"],
        "opaque" => &["branches", "reads", "sets", "backend", "before"],
        _ => &[],
    }
}

impl Decoder<'_> {
    pub(super) fn flow(&mut self, root: &mut Yaml) -> Option<Flow> {
        // The first `nodes:` is the one `entries` keeps; a second is
        // reported as written twice, as before.
        let mut nodes_tree = take_value(root, "nodes");
        let root = &*root;
        let entries = self.entries(root, &FLOW_KEYS, "a flow")?;
        let mut id = None;
        let mut channel = None;
        let mut title = None;
        let mut start = None;
        let mut vars = Vec::new();
        let mut defaults = (None, None, None, None);
        let mut nodes = None;
        let mut nodes_key_pos = None;
        let mut module = false;
        for (name, key, value) in entries {
            match name {
                "flow" => id = self.text(value, "the flow id"),
                "channel" => channel = self.channel(value),
                "title" | "description" => title = self.text(value, name).map(|t| t.value),
                "start" => start = self.text(value, "start"),
                "vars" => vars = self.vars(value),
                "defaults" => defaults = self.defaults(value),
                "module" => module = self.bool(value, "module").unwrap_or(false),
                "nodes" => {
                    nodes_key_pos = Some(key.pos);
                    nodes = match nodes_tree.take() {
                        Some(tree) => self.nodes(tree),
                        None => self.nodes(value.clone()),
                    };
                }
                _ => unreachable!("filtered by entries()"),
            }
        }
        let missing = |field: &str| format!("the flow has no `{field}:`");
        // A required key that is written but wrong, or misspelt, has been
        // reported already.
        let absent = |field: &str| root.get(field).is_none() && !misspelt(root, field, &FLOW_KEYS);
        if channel.is_none() && absent("channel") {
            self.problem_with_help(
                root.pos,
                missing("channel"),
                "add `channel: phone` (or web, app)",
            );
        }
        if start.is_none() && absent("start") {
            self.problem(root.pos, missing("start"));
        }
        if nodes_key_pos.is_none() && absent("nodes") {
            self.problem(root.pos, missing("nodes"));
        }
        // The flow is declared even if it cannot be decoded, so calls and
        // personas that name it, and intents and personas on its channel,
        // are not blamed for it.
        let declared = UndecodedFlow {
            file: self.file,
            channel: channel.as_ref().map(|c| c.value),
            id: id.as_ref().map(|i| i.value.clone()),
        };
        // Without its nodes, the flow's targets could not be checked: every
        // one would be blamed for the missing `nodes:`.
        let (Some(id), Some(channel), Some(start), Some(nodes)) = (id, channel, start, nodes)
        else {
            self.undecoded.flow(declared);
            return None;
        };
        let (default_no_input, default_no_match, default_invalid, default_timeout) = defaults;
        Some(Flow {
            id,
            channel: channel.value,
            title,
            start,
            vars,
            default_no_input,
            default_no_match,
            default_invalid,
            default_timeout,
            module,
            nodes,
            file: self.file,
            span: self.span(root),
        })
    }

    fn vars(&mut self, node: &Yaml) -> Vec<VarDomain> {
        let Some(map) = node.as_map() else {
            self.wrong_kind(node, "`vars` should be a mapping of variable to values");
            // Which variables the flow declares is unknown.
            self.undecoded.all_vars(self.file);
            return Vec::new();
        };
        let mut out: Vec<VarDomain> = Vec::new();
        for (key, value) in map {
            let Some(name) = self.text(key, "a variable name") else {
                continue;
            };
            let values: Vec<String> = match &value.value {
                YamlValue::Scalar { text, .. } if text == "bool" => {
                    vec!["true".into(), "false".into()]
                }
                YamlValue::Seq(items) => items
                    .iter()
                    .filter_map(|i| self.text(i, "a value"))
                    .map(|l| l.value)
                    .collect(),
                _ => {
                    self.problem_with_help(
                        value.pos,
                        format!("variable `{}` needs a finite list of values", name.value),
                        "write `[open, closed]`, or `bool`",
                    );
                    self.undecoded.var(self.file, &name.value);
                    continue;
                }
            };
            if values.is_empty() {
                self.problem(
                    value.pos,
                    format!("variable `{}` has no values", name.value),
                );
                self.undecoded.var(self.file, &name.value);
                continue;
            }
            if values.len() > 64 {
                self.problem(
                    value.pos,
                    format!(
                        "variable `{}` has {} values; at most 64 are allowed",
                        name.value,
                        values.len()
                    ),
                );
                self.undecoded.var(self.file, &name.value);
                continue;
            }
            if let Some(dup) = values
                .iter()
                .enumerate()
                .find(|(i, v)| values[..*i].contains(v))
            {
                self.problem(
                    value.pos,
                    format!("variable `{}` lists `{}` twice", name.value, dup.1),
                );
                self.undecoded.var(self.file, &name.value);
                continue;
            }
            if out.iter().any(|v| v.name.value == name.value) {
                self.problem(
                    key.pos,
                    format!("variable `{}` is declared twice", name.value),
                );
                continue;
            }
            out.push(VarDomain { name, values });
        }
        out
    }

    fn defaults(
        &mut self,
        node: &Yaml,
    ) -> (
        Option<Handler>,
        Option<Handler>,
        Option<Handler>,
        Option<f64>,
    ) {
        let mut out = (None, None, None, None);
        let Some(entries) = self.entries(node, &DEFAULTS_KEYS, "`defaults`") else {
            return out;
        };
        for (name, _, value) in entries {
            match name {
                "no_input" => out.0 = self.handler(value, "no_input"),
                "no_match" => out.1 = self.handler(value, "no_match"),
                "invalid" => out.2 = self.handler(value, "invalid"),
                _ => out.3 = self.seconds(value, "timeout"),
            }
        }
        out
    }

    fn handler(&mut self, node: &Yaml, what: &str) -> Option<Handler> {
        match &node.value {
            YamlValue::Scalar { .. } => {
                let then = self.text(node, what)?;
                Some(Handler {
                    retries: 0,
                    then,
                    span: self.span(node),
                })
            }
            YamlValue::Map(_) => {
                let entries =
                    self.entries(node, &HANDLER_KEYS, format_args!("the `{what}` handler"))?;
                let mut retries = Some(0);
                let mut then = None;
                for (name, _, value) in entries {
                    if name == "retries" {
                        retries = self.count(value, "retries");
                    } else {
                        then = self.text(value, "then");
                    }
                }
                if then.is_none() && !misspelt(node, "then", &HANDLER_KEYS) {
                    self.problem_with_help(
                        node.pos,
                        format!("the `{what}` handler has no `then:`"),
                        "say where the customer goes after the retries, e.g. `then: agent`",
                    );
                }
                Some(Handler {
                    retries: retries?,
                    then: then?,
                    span: self.span(node),
                })
            }
            _ => {
                self.wrong_kind(
                    node,
                    &format!("`{what}` should be a node id or `{{retries: N, then: ID}}`"),
                );
                None
            }
        }
    }

    /// The nodes of a flow, each node's part of the tree dropped once it is
    /// decoded.
    fn nodes<'t>(&mut self, node: Yaml<'t>) -> Option<Vec<Node>> {
        let YamlValue::Map(map) = node.value else {
            self.wrong_kind(&node, "`nodes` should be a mapping of node id to node");
            return None;
        };
        let mut out: Vec<Node> = Vec::with_capacity(map.len());
        // Only looked up, never listed, so hashed rather than sorted. The
        // ids are the tree's own (most borrow the source text), moved here
        // as their nodes are dropped.
        let mut seen: rustc_hash::FxHashMap<std::borrow::Cow<'t, str>, u32> = Default::default();
        seen.reserve(map.len());
        for (key, value) in map {
            let Some(id) = self.text(&key, "a node id") else {
                continue;
            };
            let line = key.pos.line;
            let YamlValue::Scalar { text: name, .. } = key.value else {
                continue;
            };
            if let Some(first) = seen.get(&name) {
                self.problem(
                    key.pos,
                    format!(
                        "node `{}` is defined twice (first on line {first})",
                        id.value
                    ),
                );
                continue;
            }
            // A node is pointed at by its id: underlining the whole body
            // would bury the message in a screenful of YAML.
            let span = id.span;
            seen.insert(name, line);
            match self.node_kind(&id.value, &value) {
                Some(kind) => out.push(Node { id, kind, span }),
                // The node exists even though its body has a problem: the
                // options and handlers that lead to it are not wrong.
                None => self.undecoded.node(self.file, &id.value),
            }
        }
        Some(out)
    }

    fn node_kind(&mut self, id: &str, node: &Yaml) -> Option<NodeKind> {
        let what = NodeName(id);
        let Some(map) = node.as_map() else {
            self.wrong_kind(
                node,
                &format!("{what} should be a mapping with a kind such as `say:` or `menu:`"),
            );
            return None;
        };
        // The first two kind keys are all that is looked at: found without
        // collecting them, since every node of a flow comes here.
        let mut kinds = map
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|t| NODE_KIND_KEYS.contains(&t)));
        let kind_key = match (kinds.next(), kinds.next()) {
            (None, _) => {
                // Report unknown keys first: a misspelt kind (`mneu:`) is the usual cause.
                let all: Vec<&str> = NODE_KIND_KEYS.to_vec();
                for (k, _) in map {
                    if let Some(name) = k.as_str() {
                        if did_you_mean(name, all.iter().copied()).is_some() {
                            self.unknown_key(k, name, &all, what);
                            return None;
                        }
                    }
                }
                self.problem_with_help(
                    node.pos,
                    format!("{what} has no kind"),
                    format!("give it one of: {}", NODE_KIND_KEYS.join(", ")),
                );
                return None;
            }
            (Some((k, _)), None) => k.as_str().unwrap_or_default(),
            (Some((first, _)), Some((second, _))) => {
                self.problem_with_help(
                    second.pos,
                    format!("{what} has two kinds: `{}` and `{}`", first.as_str().unwrap_or_default(), second.as_str().unwrap_or_default()),
                    "a node is exactly one of say, menu, ask, switch, set, call, return, transfer, end, hangup; split it into two nodes",
                );
                return None;
            }
        };
        // The kind key and the kind's other keys, on the stack: a vector
        // for them cost an allocation per node.
        let extra = node_extra_keys(kind_key);
        let mut keys = [""; 1 + MAX_EXTRA_KEYS];
        keys[0] = kind_key;
        keys[1..=extra.len()].copy_from_slice(extra);
        let allowed = &keys[..=extra.len()];
        let entries = self.entries(node, allowed, format_args!("{what} ({kind_key})"))?;
        let get = |k: &str| entries.iter().find(|(n, _, _)| *n == k).map(|(_, _, v)| *v);
        let kind_value = get(kind_key)?;
        let next = |d: &mut Self| get("next").and_then(|v| d.text(v, "next"));
        Some(match kind_key {
            "say" => NodeKind::Say {
                text: self.text(kind_value, "say")?,
                next: next(self),
            },
            "menu" => {
                let prompt = self.text(kind_value, "menu")?;
                let options = match get("options") {
                    Some(v) => self.options(v, id)?,
                    None => {
                        if !misspelt(node, "options", allowed) {
                            self.problem(node.pos, format!("{what} is a menu without `options:`"));
                        }
                        return None;
                    }
                };
                NodeKind::Menu {
                    prompt,
                    options,
                    no_input: get("no_input").and_then(|v| self.handler(v, "no_input")),
                    no_match: get("no_match").and_then(|v| self.handler(v, "no_match")),
                    back: get("back").and_then(|v| self.text(v, "back")),
                    timeout: get("timeout").and_then(|v| self.seconds(v, "timeout")),
                    save: get("save").and_then(|v| self.text(v, "save")),
                }
            }
            "ask" => {
                let pattern = get("pattern").and_then(|v| self.text(v, "pattern"));
                let mut matcher = None;
                if let Some(p) = &pattern {
                    match self.regexes.get(&format!("^(?:{})$", p.value), false) {
                        Ok(regex) => matcher = Some(Box::new(regex)),
                        Err(message) => {
                            self.problem(p.span.pos, format!("pattern of {what}: {message}"))
                        }
                    }
                }
                NodeKind::Ask {
                    prompt: self.text(kind_value, "ask")?,
                    pattern: pattern.map(Box::new),
                    matcher,
                    save: get("save").and_then(|v| self.text(v, "save")),
                    goto: get("goto").and_then(|v| self.text(v, "goto")),
                    invalid: get("invalid").and_then(|v| self.handler(v, "invalid")),
                    no_input: get("no_input").and_then(|v| self.handler(v, "no_input")),
                    timeout: get("timeout").and_then(|v| self.seconds(v, "timeout")),
                }
            }
            "switch" => NodeKind::Switch {
                entries: self.switch_entries(kind_value, id)?,
            },
            "set" => {
                let Some(map) = kind_value.as_map() else {
                    self.wrong_kind(kind_value, "`set` should map variables to values");
                    return None;
                };
                let mut assignments = Vec::new();
                for (k, v) in map {
                    if let (Some(var), Some(value)) =
                        (self.text(k, "a variable"), self.text(v, "a value"))
                    {
                        assignments.push((var, value));
                    }
                }
                NodeKind::Set {
                    assignments,
                    next: next(self),
                }
            }
            "call" => NodeKind::Call {
                flow: self.text(kind_value, "call")?,
                next: next(self),
            },
            "return" => NodeKind::Return,
            "transfer" => NodeKind::Transfer {
                queue: self.text(kind_value, "transfer")?,
                serves: get("serves").map(|v| self.texts(v, "an intent")),
                open_when: get("open_when").and_then(|v| self.condition(v)),
            },
            "end" => NodeKind::End {
                text: self.text(kind_value, "end")?,
                serves: get("serves")
                    .map(|v| self.texts(v, "an intent"))
                    .unwrap_or_default(),
            },
            "opaque" => {
                let branches = match get("branches") {
                    Some(v) => self.branches(v, id),
                    None => Vec::new(),
                };
                let before = get("before").and_then(|v| self.text(v, "before"));
                // The input a step stands before is one of its outcomes:
                // otherwise coming back here would not be coming back there.
                if let (Some(before), Some(v)) = (&before, get("before")) {
                    if !branches.iter().any(|b| b.goto.value == before.value) {
                        self.problem(
                            v.pos,
                            format!(
                                "`before` of node `{id}` names `{}`, which is not where one of its branches goes",
                                before.value
                            ),
                        );
                    }
                }
                NodeKind::Opaque {
                    text: self.text(kind_value, "opaque")?,
                    branches,
                    reads: get("reads")
                        .map(|v| self.texts(v, "a variable"))
                        .unwrap_or_default(),
                    sets: get("sets")
                        .map(|v| self.texts(v, "a variable"))
                        .unwrap_or_default(),
                    backend: get("backend")
                        .and_then(|v| self.bool(v, "backend"))
                        .unwrap_or(false),
                    before,
                }
            }
            _ => NodeKind::Hangup {
                text: self.text(kind_value, "hangup")?,
            },
        })
    }

    fn branches(&mut self, node: &Yaml, id: &str) -> Vec<Branch> {
        let Some(items) = node.as_seq() else {
            self.wrong_kind(
                node,
                &format!("`branches` of node `{id}` should be a list of `{{on: NAME, goto: ID}}`"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(entries) = self.entries(item, &["on", "goto"], "a branch") else {
                continue;
            };
            let mut on = None;
            let mut goto = None;
            for (name, _, value) in entries {
                if name == "on" {
                    on = self.text(value, "on");
                } else {
                    goto = self.text(value, "goto");
                }
            }
            match (on, goto) {
                (Some(on), Some(goto)) => out.push(Branch { on, goto }),
                _ if ["on", "goto"]
                    .iter()
                    .any(|key| misspelt(item, key, &["on", "goto"])) => {}
                _ => self.problem(
                    item.pos,
                    "a branch needs `on:` (the outcome's name) and `goto:`",
                ),
            }
        }
        out
    }

    fn switch_entries(&mut self, node: &Yaml, id: &str) -> Option<Vec<SwitchEntry>> {
        let Some(items) = node.as_seq() else {
            self.wrong_kind(
                node,
                &format!("`switch` of node `{id}` should be a list of `{{when: COND, goto: ID}}`"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(entries) = self.entries(item, &["when", "goto"], "a switch entry") else {
                continue;
            };
            let mut when = None;
            let mut goto = None;
            for (name, _, value) in entries {
                if name == "when" {
                    when = self.condition(value).map(Box::new);
                } else {
                    goto = self.text(value, "goto");
                }
            }
            match goto {
                Some(goto) => out.push(SwitchEntry {
                    when,
                    goto,
                    span: self.span(item),
                }),
                None if misspelt(item, "goto", &["when", "goto"]) => {}
                None => self.problem(item.pos, "a switch entry has no `goto:`"),
            }
        }
        Some(out)
    }

    fn options(&mut self, node: &Yaml, id: &str) -> Option<Vec<MenuOption>> {
        let Some(items) = node.as_seq() else {
            self.wrong_kind(node, &format!("`options` of menu `{id}` should be a list"));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(entries) =
                self.entries(item, &OPTION_KEYS, format_args!("an option of menu `{id}`"))
            else {
                continue;
            };
            let mut option = MenuOption {
                key: None,
                label: None,
                speech: Vec::new(),
                intents: Vec::new(),
                fallback: false,
                hidden: false,
                when: None,
                goto: Located::new(String::new(), self.span(item)),
                span: self.span(item),
            };
            // An option with a bad key or regex is reported once; checking it
            // further would only repeat the problem in other words.
            let mut broken = false;
            let mut has_goto = false;
            for (name, _, value) in entries {
                match name {
                    "key" => {
                        let Some(text) = self.text(value, "key") else {
                            continue;
                        };
                        match DtmfKey::parse(&text.value) {
                            Some(k) => option.key = Some(Located::new(k, text.span)),
                            None => {
                                broken = true;
                                self.problem_with_help(
                                    value.pos,
                                    format!("`{}` is not a DTMF key", text.value),
                                    "a key is one of 0-9, * or #",
                                )
                            }
                        }
                    }
                    "label" => option.label = self.text(value, "label"),
                    "speech" => {
                        let phrases = self.texts(value, "a speech phrase");
                        // Room for exactly the phrases written: an option
                        // usually has one, and a vector grown by pushing
                        // keeps room for four, which cost a fifth of a
                        // large flow's loaded size.
                        option.speech.reserve_exact(phrases.len());
                        for phrase in phrases {
                            match self.regexes.get(&phrase.value, true) {
                                Ok(regex) => option.speech.push(SpeechPhrase {
                                    source: phrase,
                                    regex,
                                }),
                                Err(message) => {
                                    broken = true;
                                    self.problem(
                                        phrase.span.pos,
                                        format!("speech phrase `{}`: {message}", phrase.value),
                                    )
                                }
                            }
                        }
                    }
                    "intents" => option.intents = self.texts(value, "an intent"),
                    "fallback" => option.fallback = self.bool(value, "fallback").unwrap_or(false),
                    "hidden" => option.hidden = self.bool(value, "hidden").unwrap_or(false),
                    "when" => option.when = self.condition(value).map(Box::new),
                    _ => {
                        if let Some(goto) = self.text(value, "goto") {
                            option.goto = goto;
                            has_goto = true;
                        }
                    }
                }
            }
            if has_goto && !broken {
                out.push(option);
            } else if item.get("goto").is_none() && !misspelt(item, "goto", &OPTION_KEYS) {
                self.problem_with_help(
                    item.pos,
                    format!("an option of menu `{id}` has no `goto:`"),
                    "say which node the option leads to",
                );
            }
        }
        Some(out)
    }
}

/// Moves the value of the first `key` of a mapping out of it, leaving a
/// null at the same position, so that it can be decoded and dropped in
/// parts while the mapping's other entries are still read.
fn take_value<'t>(map: &mut Yaml<'t>, key: &str) -> Option<Yaml<'t>> {
    let YamlValue::Map(entries) = &mut map.value else {
        return None;
    };
    let (_, value) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(key))?;
    let pos = value.pos;
    Some(std::mem::replace(
        value,
        Yaml {
            pos,
            value: YamlValue::Null,
        },
    ))
}

/// "node `ID`", as messages name a node: written out only when a message
/// about the node is.
#[derive(Clone, Copy)]
struct NodeName<'a>(&'a str);

impl std::fmt::Display for NodeName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "node `{}`", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_node_has_room_for_its_keys() {
        for kind in NODE_KIND_KEYS {
            assert!(node_extra_keys(kind).len() <= MAX_EXTRA_KEYS, "{kind}");
        }
    }
}
