//! Turns the position-carrying YAML tree of one document into model types,
//! recording every problem instead of stopping at the first.
//!
//! Cross-document checks (targets, variables, intents) happen later, in
//! `validate`, once every file has been decoded.

use std::collections::BTreeMap;

use crate::finding::Code;
use crate::loader::condition_parser::parse_condition;
use crate::loader::problem::did_you_mean;
use crate::loader::undecoded::{Undecoded, UndecodedFlow};
use crate::loader::yaml::{Pos, Yaml, YamlValue};
use crate::loader::Problem;
use crate::model::*;

/// The four kinds of document a set holds, recognised by the top-level key.
pub enum Document {
    Flow(Flow),
    Intents(Vec<Intent>),
    Persona(Persona),
    Settings(Settings),
}

pub const DOCUMENT_KEYS: [&str; 4] = ["flow", "intents", "persona", "touchpoint"];

pub const FLOW_KEYS: [&str; 8] = [
    "flow",
    "channel",
    "title",
    "description",
    "start",
    "vars",
    "defaults",
    "nodes",
];
pub const NODE_KIND_KEYS: [&str; 11] = [
    "say", "menu", "ask", "switch", "set", "call", "return", "transfer", "end", "hangup", "opaque",
];
pub const OPTION_KEYS: [&str; 8] = [
    "key", "label", "speech", "intents", "fallback", "hidden", "when", "goto",
];
pub const HANDLER_KEYS: [&str; 2] = ["retries", "then"];
pub const DEFAULTS_KEYS: [&str; 4] = ["no_input", "no_match", "invalid", "timeout"];
pub const INTENT_KEYS: [&str; 3] = ["says", "channels", "description"];
pub const PERSONA_KEYS: [&str; 12] = [
    "persona",
    "matrix",
    "description",
    "channel",
    "flow",
    "vars",
    "intent",
    "patience",
    "traits",
    "script",
    "expect",
    "seed",
];
pub const PATIENCE_KEYS: [&str; 2] = ["steps", "retries"];
pub const MATRIX_KEYS: [&str; 4] = ["name", "channel", "flow", "vars"];
pub const EXPECT_KEYS: [&str; 4] = ["outcome", "node", "max_steps", "max_seconds"];
pub const STEP_KEYS: [&str; 7] = ["hear", "press", "say", "enter", "wait", "click", "back"];
pub const SETTINGS_KEYS: [&str; 3] = ["levels", "limits", "ignore"];
pub const LIMITS_KEYS: [&str; 4] = ["menu_width", "depth", "states", "call_depth"];

/// The keys a node of each kind may have besides its kind key.
pub fn node_extra_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "say" => &["next"],
        "menu" => &["options", "no_input", "no_match", "back", "timeout"],
        "ask" => &["pattern", "save", "goto", "invalid", "no_input", "timeout"],
        "set" | "call" => &["next"],
        "transfer" | "end" => &["serves"],
        "opaque" => &["branches"],
        _ => &[],
    }
}

pub struct Decoder<'a> {
    pub file: SourceId,
    pub problems: &'a mut Vec<Problem>,
    pub regexes: &'a mut crate::model::user_regex::RegexCache,
    /// Where nodes and flows that fail to decode are still registered.
    pub undecoded: &'a mut Undecoded,
}

/// Whether a mapping has a key, outside `allowed`, that is a plausible
/// misspelling of `key`. That key is reported as unknown with `key` as the
/// suggestion; reporting `key` as missing too would blame one typo twice.
fn misspelt(node: &Yaml, key: &str, allowed: &[&str]) -> bool {
    node.as_map().is_some_and(|map| {
        map.iter().any(|(k, _)| {
            k.as_str().is_some_and(|name| {
                !allowed.contains(&name) && did_you_mean(name, allowed.iter().copied()) == Some(key)
            })
        })
    })
}

impl Decoder<'_> {
    fn span(&self, node: &Yaml) -> Span {
        Span {
            file: self.file,
            pos: node.pos,
        }
    }

    fn problem(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Problem::at(self.file, pos, message));
    }

    fn problem_with_help(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.problems
            .push(Problem::at(self.file, pos, message).with_help(help));
    }

    /// A mapping's entries, after reporting keys it may not have and keys
    /// written twice. `what` names the thing for messages ("option", "node `x`").
    fn entries<'y>(
        &mut self,
        node: &'y Yaml,
        allowed: &[&str],
        what: &str,
    ) -> Option<Vec<(&'y str, &'y Yaml, &'y Yaml)>> {
        let Some(map) = node.as_map() else {
            self.problem(
                node.pos,
                format!("{what} should be a mapping, found {}", node.kind_name()),
            );
            return None;
        };
        let mut out: Vec<(&str, &Yaml, &Yaml)> = Vec::with_capacity(map.len());
        for (key, value) in map {
            let Some(name) = key.as_str() else {
                self.problem(key.pos, format!("{what} has a key that is not text"));
                continue;
            };
            if let Some((_, first, _)) = out.iter().find(|(n, _, _)| *n == name) {
                let line = first.pos.line;
                self.problem(
                    key.pos,
                    format!("`{name}` is written twice in {what} (first on line {line})"),
                );
                continue;
            }
            if !allowed.contains(&name) {
                self.unknown_key(key, name, allowed, what);
                continue;
            }
            out.push((name, key, value));
        }
        Some(out)
    }

    fn unknown_key(&mut self, key: &Yaml, name: &str, allowed: &[&str], what: &str) {
        let message = format!("unknown key `{name}` in {what}");
        match did_you_mean(name, allowed.iter().copied()) {
            Some(suggestion) => {
                self.problem_with_help(key.pos, message, format!("did you mean `{suggestion}`?"))
            }
            None => self.problem_with_help(
                key.pos,
                message,
                format!("expected one of: {}", allowed.join(", ")),
            ),
        }
    }

    fn text(&mut self, node: &Yaml, what: &str) -> Option<Located<String>> {
        match &node.value {
            YamlValue::Scalar { text, .. } => Some(Located::new(text.clone(), self.span(node))),
            _ => {
                self.problem(
                    node.pos,
                    format!("{what} should be text, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    fn bool(&mut self, node: &Yaml, what: &str) -> Option<bool> {
        match node.as_str() {
            Some("true" | "yes" | "on") => Some(true),
            Some("false" | "no" | "off") => Some(false),
            _ => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be true or false, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    fn count(&mut self, node: &Yaml, what: &str) -> Option<u32> {
        match node.as_str().and_then(|t| t.parse::<u32>().ok()) {
            Some(n) => Some(n),
            None => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be a whole number, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    fn seconds(&mut self, node: &Yaml, what: &str) -> Option<f64> {
        match node
            .as_str()
            .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        {
            Some(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be a number of seconds, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    /// A list of texts; a single text is accepted as a one-item list.
    fn texts(&mut self, node: &Yaml, what: &str) -> Vec<Located<String>> {
        match &node.value {
            YamlValue::Seq(items) => items.iter().filter_map(|i| self.text(i, what)).collect(),
            YamlValue::Scalar { .. } => self.text(node, what).into_iter().collect(),
            _ => {
                self.problem(
                    node.pos,
                    format!("{what} should be a list, found {}", node.kind_name()),
                );
                Vec::new()
            }
        }
    }

    fn channel(&mut self, node: &Yaml) -> Option<Located<Channel>> {
        let text = self.text(node, "channel")?;
        match Channel::parse(&text.value) {
            Some(c) => Some(Located::new(c, text.span)),
            None => {
                self.problem_with_help(
                    node.pos,
                    format!("unknown channel `{}`", text.value),
                    "expected phone, web or app",
                );
                None
            }
        }
    }

    fn condition(&mut self, node: &Yaml) -> Option<Located<Condition>> {
        let YamlValue::Scalar { text, quoted } = &node.value else {
            self.problem(
                node.pos,
                format!("a condition should be text, found {}", node.kind_name()),
            );
            return None;
        };
        match parse_condition(text, self.file, node.pos, *quoted) {
            Ok(c) => Some(Located::new(c, self.span(node))),
            Err(e) => {
                let quote = u32::from(*quoted);
                let pos = Pos {
                    column: node.pos.column + quote + e.at.column as u32,
                    offset: node.pos.offset + quote + e.at.offset as u32,
                    len: 1,
                    ..node.pos
                };
                let message = format!("invalid condition `{}`: {}", abridged(text), e.message);
                self.problem(pos, message);
                None
            }
        }
    }

    pub fn document(&mut self, root: &Yaml) -> Option<Document> {
        let Some(map) = root.as_map() else {
            self.problem(
                root.pos,
                format!(
                    "a touchpoint document should be a mapping, found {}",
                    root.kind_name()
                ),
            );
            return None;
        };
        // The first document key decides: a persona names its `flow:` too.
        let kind = map
            .iter()
            .find_map(|(k, _)| k.as_str().filter(|t| DOCUMENT_KEYS.contains(t)));
        match kind {
            None => {
                // Held back until the settings are known: they may ignore it.
                self.undecoded.unrecognised(
                    Problem::at(self.file, root.pos, "not a touchpoint document").with_help(
                        "a document starts with one of `flow:`, `intents:`, `persona:` or `touchpoint:`; list other YAML files under `ignore:` in the settings",
                    ),
                );
                None
            }
            Some("flow") => self.flow(root).map(Document::Flow),
            Some("intents") => Some(Document::Intents(self.intents(root))),
            Some("persona") => self.persona(root).map(Document::Persona),
            Some(_) => Some(Document::Settings(self.settings(root))),
        }
    }

    fn flow(&mut self, root: &Yaml) -> Option<Flow> {
        let entries = self.entries(root, &FLOW_KEYS, "a flow")?;
        let mut id = None;
        let mut channel = None;
        let mut title = None;
        let mut start = None;
        let mut vars = Vec::new();
        let mut defaults = (None, None, None, None);
        let mut nodes = None;
        let mut nodes_key_pos = None;
        for (name, key, value) in entries {
            match name {
                "flow" => id = self.text(value, "the flow id"),
                "channel" => channel = self.channel(value),
                "title" | "description" => title = self.text(value, name).map(|t| t.value),
                "start" => start = self.text(value, "start"),
                "vars" => vars = self.vars(value),
                "defaults" => defaults = self.defaults(value),
                "nodes" => {
                    nodes_key_pos = Some(key.pos);
                    nodes = self.nodes(value);
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
            nodes,
            file: self.file,
            span: self.span(root),
        })
    }

    fn vars(&mut self, node: &Yaml) -> Vec<VarDomain> {
        let Some(map) = node.as_map() else {
            self.problem(
                node.pos,
                format!(
                    "`vars` should be a mapping of variable to values, found {}",
                    node.kind_name()
                ),
            );
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
                    self.entries(node, &HANDLER_KEYS, &format!("the `{what}` handler"))?;
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
                self.problem(
                    node.pos,
                    format!(
                        "`{what}` should be a node id or `{{retries: N, then: ID}}`, found {}",
                        node.kind_name()
                    ),
                );
                None
            }
        }
    }

    fn nodes(&mut self, node: &Yaml) -> Option<Vec<Node>> {
        let Some(map) = node.as_map() else {
            self.problem(
                node.pos,
                format!(
                    "`nodes` should be a mapping of node id to node, found {}",
                    node.kind_name()
                ),
            );
            return None;
        };
        let mut out: Vec<Node> = Vec::with_capacity(map.len());
        let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
        for (key, value) in map {
            let Some(id) = self.text(key, "a node id") else {
                continue;
            };
            if let Some(first) = seen.get(key.as_str().unwrap_or_default()) {
                self.problem(
                    key.pos,
                    format!(
                        "node `{}` is defined twice (first on line {first})",
                        id.value
                    ),
                );
                continue;
            }
            seen.insert(key.as_str().unwrap_or_default(), key.pos.line);
            // A node is pointed at by its id: underlining the whole body
            // would bury the message in a screenful of YAML.
            let span = self.span(key);
            match self.node_kind(&id.value, value) {
                Some(kind) => out.push(Node { id, kind, span }),
                // The node exists even though its body has a problem: the
                // options and handlers that lead to it are not wrong.
                None => self.undecoded.node(self.file, &id.value),
            }
        }
        Some(out)
    }

    fn node_kind(&mut self, id: &str, node: &Yaml) -> Option<NodeKind> {
        let what = format!("node `{id}`");
        let Some(map) = node.as_map() else {
            self.problem(
                node.pos,
                format!(
                    "{what} should be a mapping with a kind such as `say:` or `menu:`, found {}",
                    node.kind_name()
                ),
            );
            return None;
        };
        let kinds: Vec<&(Yaml, Yaml)> = map
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|t| NODE_KIND_KEYS.contains(&t)))
            .collect();
        let kind_key = match kinds.as_slice() {
            [] => {
                // Report unknown keys first: a misspelt kind (`mneu:`) is the usual cause.
                let all: Vec<&str> = NODE_KIND_KEYS.to_vec();
                for (k, _) in map {
                    if let Some(name) = k.as_str() {
                        if did_you_mean(name, all.iter().copied()).is_some() {
                            self.unknown_key(k, name, &all, &what);
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
            [(k, _)] => k.as_str().unwrap_or_default(),
            [(first, _), (second, _), ..] => {
                self.problem_with_help(
                    second.pos,
                    format!("{what} has two kinds: `{}` and `{}`", first.as_str().unwrap_or_default(), second.as_str().unwrap_or_default()),
                    "a node is exactly one of say, menu, ask, switch, set, call, return, transfer, end, hangup; split it into two nodes",
                );
                return None;
            }
        };
        let mut allowed: Vec<&str> = vec![kind_key];
        allowed.extend_from_slice(node_extra_keys(kind_key));
        let entries = self.entries(node, &allowed, &format!("{what} ({kind_key})"))?;
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
                        if !misspelt(node, "options", &allowed) {
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
                }
            }
            "ask" => {
                let pattern = get("pattern").and_then(|v| self.text(v, "pattern"));
                let mut matcher = None;
                if let Some(p) = &pattern {
                    match self.regexes.get(&format!("^(?:{})$", p.value), false) {
                        Ok(regex) => matcher = Some(regex),
                        Err(message) => {
                            self.problem(p.span.pos, format!("pattern of {what}: {message}"))
                        }
                    }
                }
                NodeKind::Ask {
                    prompt: self.text(kind_value, "ask")?,
                    pattern,
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
                    self.problem(
                        kind_value.pos,
                        format!(
                            "`set` should map variables to values, found {}",
                            kind_value.kind_name()
                        ),
                    );
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
            },
            "end" => NodeKind::End {
                text: self.text(kind_value, "end")?,
                serves: get("serves")
                    .map(|v| self.texts(v, "an intent"))
                    .unwrap_or_default(),
            },
            "opaque" => NodeKind::Opaque {
                text: self.text(kind_value, "opaque")?,
                branches: match get("branches") {
                    Some(v) => self.branches(v, id),
                    None => Vec::new(),
                },
            },
            _ => NodeKind::Hangup {
                text: self.text(kind_value, "hangup")?,
            },
        })
    }

    fn branches(&mut self, node: &Yaml, id: &str) -> Vec<Branch> {
        let Some(items) = node.as_seq() else {
            self.problem(node.pos, format!("`branches` of node `{id}` should be a list of `{{on: NAME, goto: ID}}`, found {}", node.kind_name()));
            return Vec::new();
        };
        let mut out = Vec::new();
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
            self.problem(node.pos, format!("`switch` of node `{id}` should be a list of `{{when: COND, goto: ID}}`, found {}", node.kind_name()));
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entries) = self.entries(item, &["when", "goto"], "a switch entry") else {
                continue;
            };
            let mut when = None;
            let mut goto = None;
            for (name, _, value) in entries {
                if name == "when" {
                    when = self.condition(value);
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
            self.problem(
                node.pos,
                format!(
                    "`options` of menu `{id}` should be a list, found {}",
                    node.kind_name()
                ),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(entries) =
                self.entries(item, &OPTION_KEYS, &format!("an option of menu `{id}`"))
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
                        for phrase in self.texts(value, "a speech phrase") {
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
                    "when" => option.when = self.condition(value),
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

    fn intents(&mut self, root: &Yaml) -> Vec<Intent> {
        let Some(value) = root.get("intents") else {
            return Vec::new();
        };
        if let Some(map) = root.as_map() {
            for (k, _) in map {
                if k.as_str() != Some("intents") {
                    let name = k.as_str().unwrap_or("?");
                    self.unknown_key(k, name, &["intents"], "the intents document");
                }
            }
        }
        let Some(map) = value.as_map() else {
            self.problem(
                value.pos,
                format!(
                    "`intents` should map intent ids to their definitions, found {}",
                    value.kind_name()
                ),
            );
            return Vec::new();
        };
        let mut out: Vec<Intent> = Vec::new();
        for (key, body) in map {
            let Some(id) = self.text(key, "an intent id") else {
                continue;
            };
            if out.iter().any(|i| i.id.value == id.value) {
                self.problem(key.pos, format!("intent `{}` is defined twice", id.value));
                continue;
            }
            let mut intent = Intent {
                id,
                says: Vec::new(),
                channels: None,
                span: self.span(key),
            };
            if matches!(body.value, YamlValue::Null) {
                out.push(intent);
                continue;
            }
            let Some(entries) =
                self.entries(body, &INTENT_KEYS, &format!("intent `{}`", intent.id.value))
            else {
                // The intent exists even though its body has a problem:
                // the options and personas that name it are not wrong.
                out.push(intent);
                continue;
            };
            for (name, _, value) in entries {
                match name {
                    "says" => {
                        intent.says = self
                            .texts(value, "a phrase")
                            .into_iter()
                            .map(|mut p| {
                                p.value = p.value.to_lowercase();
                                p
                            })
                            .collect()
                    }
                    "channels" => {
                        let items: Vec<&Yaml> = match &value.value {
                            YamlValue::Seq(items) => items.iter().collect(),
                            _ => vec![value],
                        };
                        intent.channels =
                            Some(items.into_iter().filter_map(|i| self.channel(i)).collect());
                    }
                    _ => {}
                }
            }
            out.push(intent);
        }
        out
    }

    fn persona(&mut self, root: &Yaml) -> Option<Persona> {
        let entries = self.entries(root, &PERSONA_KEYS, "a persona")?;
        let mut persona = Persona {
            id: Located::new(String::new(), self.span(root)),
            description: None,
            channel: Located::new(Channel::Phone, self.span(root)),
            flow: None,
            vars: Vec::new(),
            intent: None,
            patience_steps: None,
            patience_retries: None,
            traits: Vec::new(),
            script: Vec::new(),
            expect: None,
            matrix: Vec::new(),
            seed: None,
            span: self.span(root),
        };
        let mut has_channel = false;
        for (name, _, value) in entries {
            match name {
                "persona" => persona.id = self.text(value, "the persona id")?,
                "description" => {
                    persona.description = self.text(value, "description").map(|t| t.value)
                }
                "channel" => {
                    if let Some(c) = self.channel(value) {
                        persona.channel = c;
                        has_channel = true;
                    }
                }
                "flow" => persona.flow = self.text(value, "flow"),
                "vars" => persona.vars = self.assignments(value),
                "intent" => persona.intent = self.text(value, "intent"),
                "patience" => {
                    let Some(entries) = self.entries(value, &PATIENCE_KEYS, "`patience`") else {
                        continue;
                    };
                    for (name, _, value) in entries {
                        let n = self.count(value, name);
                        if name == "steps" {
                            persona.patience_steps = n;
                        } else {
                            persona.patience_retries = n;
                        }
                    }
                }
                "traits" => {
                    for t in self.texts(value, "a trait") {
                        match Trait::parse(&t.value) {
                            Some(tr) => persona.traits.push(Located::new(tr, t.span)),
                            None => self.problem_with_help(
                                t.span.pos,
                                format!("unknown trait `{}`", t.value),
                                "expected zero-out, silent, fumbles or impatient",
                            ),
                        }
                    }
                }
                "script" => persona.script = self.script(value),
                "expect" => persona.expect = self.expect(value),
                "matrix" => persona.matrix = self.matrix(value),
                _ => persona.seed = self.count(value, "seed").map(u64::from),
            }
        }
        if !has_channel {
            // A channel written wrong, or under a misspelt key, has been
            // reported already.
            if root.get("channel").is_none() && !misspelt(root, "channel", &PERSONA_KEYS) {
                self.problem(root.pos, "the persona has no `channel:`");
            }
            return None;
        }
        Some(persona)
    }

    /// `vars` as a mapping of variable to value, each with its position.
    fn assignments(&mut self, value: &Yaml) -> Vec<(Located<String>, Located<String>)> {
        let Some(map) = value.as_map() else {
            self.problem(value.pos, "`vars` should map variables to values");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in map {
            if let (Some(var), Some(val)) = (self.text(k, "a variable"), self.text(v, "a value")) {
                out.push((var, val));
            }
        }
        out
    }

    /// `matrix:`: the same customer in several worlds or on several channels.
    fn matrix(&mut self, node: &Yaml) -> Vec<Variant> {
        let Some(items) = node.as_seq() else {
            self.problem(
                node.pos,
                format!(
                    "`matrix` should be a list of variants, found {}",
                    node.kind_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(entries) = self.entries(item, &MATRIX_KEYS, "a matrix variant") else {
                continue;
            };
            let mut variant = Variant {
                name: format!("{}", i + 1),
                channel: None,
                flow: None,
                vars: Vec::new(),
                span: self.span(item),
            };
            for (name, _, value) in entries {
                match name {
                    "name" => {
                        if let Some(t) = self.text(value, "name") {
                            variant.name = t.value;
                        }
                    }
                    "channel" => variant.channel = self.channel(value),
                    "flow" => variant.flow = self.text(value, "flow"),
                    _ => variant.vars = self.assignments(value),
                }
            }
            out.push(variant);
        }
        out
    }

    fn script(&mut self, node: &Yaml) -> Vec<Located<ScriptStep>> {
        let Some(items) = node.as_seq() else {
            self.problem(
                node.pos,
                format!(
                    "`script` should be a list of steps, found {}",
                    node.kind_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entries) = self.entries(item, &STEP_KEYS, "a script step") else {
                continue;
            };
            let [(name, _, value)] = entries.as_slice() else {
                if !entries.is_empty() {
                    self.problem(
                        item.pos,
                        "a script step does one thing: write each on its own `- ` line",
                    );
                }
                continue;
            };
            let text = |d: &mut Self| d.text(value, name).map(|t| t.value);
            let step = match *name {
                "hear" => text(self).and_then(|t| match self.regexes.get(&t, true) {
                    Ok(_) => Some(ScriptStep::Hear(t)),
                    Err(message) => {
                        self.problem(value.pos, format!("`hear`: {message}"));
                        None
                    }
                }),
                "press" => text(self).and_then(|t| {
                    if t.chars().all(|c| DtmfKey::parse(&c.to_string()).is_some()) && !t.is_empty()
                    {
                        Some(ScriptStep::Press(t))
                    } else {
                        self.problem_with_help(
                            value.pos,
                            format!("`{t}` is not a DTMF key"),
                            "press takes keys 0-9, * and #",
                        );
                        None
                    }
                }),
                "say" => text(self).map(ScriptStep::Say),
                "enter" => text(self).map(ScriptStep::Enter),
                "click" => text(self).map(ScriptStep::Click),
                "wait" => self.bool(value, "wait").map(|_| ScriptStep::Wait),
                _ => self.bool(value, "back").map(|_| ScriptStep::Back),
            };
            if let Some(step) = step {
                out.push(Located::new(step, self.span(item)));
            }
        }
        out
    }

    fn expect(&mut self, node: &Yaml) -> Option<Expectation> {
        let entries = self.entries(node, &EXPECT_KEYS, "`expect`")?;
        let mut out = Expectation::default();
        for (name, _, value) in entries {
            match name {
                "outcome" => {
                    let Some(text) = self.text(value, "outcome") else {
                        continue;
                    };
                    match Outcome::parse(&text.value) {
                        Some(o) => out.outcome = Some(Located::new(o, text.span)),
                        None => self.problem_with_help(
                            value.pos,
                            format!("unknown outcome `{}`", text.value),
                            "expected served, transferred, misrouted, hung-up, abandoned or stuck",
                        ),
                    }
                }
                "node" => out.node = self.text(value, "node"),
                "max_steps" => out.max_steps = self.count(value, "max_steps"),
                _ => out.max_seconds = self.seconds(value, "max_seconds"),
            }
        }
        Some(out)
    }

    fn settings(&mut self, root: &Yaml) -> Settings {
        let Some(entries) = self.entries(root, &["touchpoint"], "the settings document") else {
            return Settings::default();
        };
        match entries.first() {
            Some((_, _, value)) if !matches!(value.value, YamlValue::Null) => {
                self.settings_body(value)
            }
            _ => Settings::default(),
        }
    }

    fn settings_body(&mut self, node: &Yaml) -> Settings {
        let mut settings = Settings::default();
        let Some(entries) = self.entries(node, &SETTINGS_KEYS, "the settings") else {
            return settings;
        };
        for (name, _, value) in entries {
            match name {
                "levels" => {
                    let Some(map) = value.as_map() else {
                        self.problem(
                            value.pos,
                            "`levels` should map finding codes to error, warning or off",
                        );
                        continue;
                    };
                    for (k, v) in map {
                        let Some(code_name) = k.as_str() else {
                            continue;
                        };
                        let Some(code) = Code::parse(code_name) else {
                            let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
                            self.unknown_key(k, code_name, &names, "`levels`");
                            continue;
                        };
                        match v.as_str().and_then(Level::parse) {
                            Some(level) => {
                                settings.levels.insert(code, level);
                            }
                            None => self.problem_with_help(
                                v.pos,
                                format!("unknown level {}", describe_value(v)),
                                "expected error, warning or off",
                            ),
                        }
                    }
                }
                "limits" => {
                    let Some(entries) = self.entries(value, &LIMITS_KEYS, "`limits`") else {
                        continue;
                    };
                    for (name, _, value) in entries {
                        match name {
                            "menu_width" => self.menu_width(value, &mut settings.limits),
                            "depth" => {
                                if let Some(n) = self.count(value, "depth") {
                                    settings.limits.depth = n as usize;
                                }
                            }
                            "states" => {
                                if let Some(n) = self.count(value, "states") {
                                    settings.limits.states = n as usize;
                                }
                            }
                            _ => {
                                if let Some(n) = self.count(value, "call_depth") {
                                    settings.limits.call_depth = n as usize;
                                }
                            }
                        }
                    }
                }
                _ => {
                    for pattern in self.texts(value, "a file pattern") {
                        match super::glob::compile(&pattern.value) {
                            Ok(_) => settings.ignore.push(pattern.value),
                            Err(why) => self.problem_with_help(
                                pattern.span.pos,
                                format!("`{}` is not a file pattern: {why}", pattern.value),
                                "`*` and `?` match within a folder, `**` any folders, `[abc]` one of the characters",
                            ),
                        }
                    }
                }
            }
        }
        settings
    }

    fn menu_width(&mut self, node: &Yaml, limits: &mut Limits) {
        if let Some(map) = node.as_map() {
            for (k, v) in map {
                let (Some(channel), Some(n)) = (self.channel(k), self.count(v, "menu_width"))
                else {
                    continue;
                };
                limits.menu_width.insert(channel.value, n as usize);
            }
        } else if let Some(n) = self.count(node, "menu_width") {
            for width in limits.menu_width.values_mut() {
                *width = n as usize;
            }
        }
    }
}

fn describe_value(node: &Yaml) -> String {
    match node.as_str() {
        Some(t) => format!("`{t}`"),
        None => node.kind_name().to_string(),
    }
}

/// A condition short enough to quote in a message: a hostile one may be
/// megabytes long, and the excerpt under the message shows where it is.
fn abridged(text: &str) -> std::borrow::Cow<'_, str> {
    const QUOTED_CHARS: usize = 40;
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}
