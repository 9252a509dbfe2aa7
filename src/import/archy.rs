//! Genesys Cloud Architect inbound call flows, written as Archy YAML, read
//! into [`ir`].
//!
//! An export is `inboundCall {name, startUpRef, initialGreeting,
//! settingsMenu, settingsErrorHandling, menus[{menu}], tasks[{task}],
//! states[{state}]}`.
//! Exports kept in Terraform templates hold `{{...}}` placeholders that make
//! the raw file invalid YAML until they are filled; each is replaced, before
//! parsing, by a plain token of the same length (so every line and column
//! stays where it was) and put back wherever its text is used.
//!
//! The mapping (one flow per file):
//!
//! - the flow id is the `name`; `initialGreeting` becomes a `say` that
//!   starts the flow and goes on to the `startUpRef` target (the start
//!   itself when there is no greeting);
//! - a menu becomes a `menu` node (id from its `refId`): the prompt is the
//!   TTS text of `audio` (`tts:`, or the string literals of `ToAudioTTS(...)`
//!   in an `exp:`), SSML stripped; each choice an option with the key of
//!   `dtmf: digit_N`, the choice's `name` as label and its `speechRecTerms`
//!   as (escaped) speech phrases. Choice targets: `menuTransferToAcd` and the
//!   other transfer choices a generated `transfer` (a `say` first when
//!   there is `preTransferAudio`), `menuDisconnect` a generated `hangup`,
//!   `menuTask`/`menuJumpToTask` the task's first step, `menuJumpToMenu` and
//!   `menuSubMenu` that menu, `menuRepeat(Menu)` the same menu,
//!   `menuPreviousMenu` an opaque step with a branch back to each menu that
//!   leads to this one;
//! - `settingsMenu.repeatCount` N (flow-wide, or the menu's own) is how
//!   many times the prompt plays, so both `no_input` and `no_match` are
//!   `{retries: N - 1, then: ...}`, where the target is the menu's default
//!   choice (`defaultChildMenuRef`) when it has one, and otherwise comes
//!   from `settingsErrorHandling` (`disconnect`: a `hangup` that says the
//!   `preHandlingAudio`, or nothing when there is none; a transfer: a
//!   `transfer`);
//! - a task becomes the chain of its actions: `playAudio` a `say`,
//!   `disconnect` (and a `menuDisconnect` choice) a `hangup: ""` (a
//!   disconnect says nothing of its own), `jumpToMenu`/`jumpToTask` a link to the target
//!   (no node of its own), a transfer a `transfer` (or, when the flow goes on
//!   after a failed transfer, an opaque step with the branches `transferred`
//!   and `failure`), and every other action (`decision`, `switch`,
//!   `evaluateScheduleGroup`, `callData`, `setParticipantData`, ...) an
//!   opaque step with one branch per outcome, each leading through that
//!   outcome's actions and then on to the next action. A task that runs out
//!   of actions ends in a generated `hangup`. A state is read as a task
//!   (its actions in order), and an action's `targetStateRef` is a jump to
//!   that state. An opaque step reads the
//!   `Flow.`/`Task.` variables its expressions mention and sets those it
//!   stores results in, for `unset-variable` (see `name_use`).
//!
//! Everything that is not modelled exactly is said in a note.

use std::collections::{HashMap, HashSet};

use super::ir::{self, Imported, IrFlow, IrHandler, IrKind, IrNode, IrOption, NameUse, Origin};
use super::kit::UniqueIds;
use super::ImportError;
use crate::loader::tree::{self, Yaml, YamlValue};

/// Targets that name a task are written as this prefix and the task's index
/// until every task is built, then replaced by the task's first node.
const TASK_LINK: &str = "\u{0}task:";

/// The flow id that `call`s of the flow-wide error handler name until the
/// import knows the id the handler's own flow gets in the set.
const ERROR_FLOW: &str = "\u{0}error handling";

/// The repeat count Architect uses when an export gives none.
const DEFAULT_REPEAT_COUNT: u32 = 3;

/// Reads Archy YAML exports, one inbound call flow per file.
pub fn import(files: &[(String, String)]) -> Result<Imported, ImportError> {
    let mut out = Imported::default();
    let mut flow_ids = UniqueIds::new();
    let mut skipped = Vec::new();
    for (file, text) in files {
        let template = Template::neutralize(text);
        let documents = tree::parse_yaml(&template.text).map_err(|e| ImportError {
            file: file.clone(),
            line: e.line,
            column: e.column,
            message: format!("not readable as Archy YAML: {}", e.message),
        })?;
        if !template.seen.is_empty() {
            out.notes.push(format!(
                "{file}: Terraform template placeholders, read as opaque text: {}",
                template.seen.join(", ")
            ));
        }
        let Some(document) = documents.first() else {
            skipped.push(format!("{file} (empty)"));
            continue;
        };
        if documents.len() > 1 {
            out.notes.push(format!(
                "{file}: holds {} YAML documents; only the first was read",
                documents.len()
            ));
        }
        let Some((call_key, call)) = entry(document, "inboundCall") else {
            let top = document
                .as_map()
                .and_then(|m| m.first())
                .and_then(|(k, _)| k.as_str())
                .unwrap_or("no mapping");
            skipped.push(format!("{file} (`{top}`)"));
            continue;
        };
        let mut flow = Builder::new(file, &template, call, call_key).build()?;
        let base = flow.flow.id.clone();
        flow.flow.id = flow_ids.claim(&base);
        if flow.flow.id != base {
            flow.notes.push(format!(
                "{file}: another file already holds a flow named `{base}`; this one is `{}`",
                flow.flow.id
            ));
        }
        out.notes.extend(flow.notes);
        if let Some(mut error_flow) = flow.error_flow {
            error_flow.id = flow_ids.claim(&format!("{}__error_handling", flow.flow.id));
            for node in &mut flow.flow.nodes {
                if let IrKind::Call { flow: callee, .. } = &mut node.kind {
                    if callee == ERROR_FLOW {
                        *callee = error_flow.id.clone();
                    }
                }
            }
            out.flows.push(flow.flow);
            out.flows.push(error_flow);
        } else {
            out.flows.push(flow.flow);
        }
    }
    if out.flows.is_empty() {
        return Err(ImportError {
            file: files.first().map(|(f, _)| f.clone()).unwrap_or_default(),
            line: 1,
            column: 1,
            message: if files.is_empty() {
                "no Archy files to import".to_string()
            } else {
                format!(
                    "no Architect inbound call flow (a document starting `inboundCall:`) in {}",
                    skipped.join(", ")
                )
            },
        });
    }
    if !skipped.is_empty() {
        out.notes.push(format!(
            "not inbound call flows, so not imported: {}",
            skipped.join(", ")
        ));
    }
    Ok(out)
}

/// A Terraform template made parseable: every `{{...}}` replaced by a plain
/// token of the same length, and the way back.
struct Template {
    text: String,
    /// (token, placeholder), longest token first.
    tokens: Vec<(String, String)>,
    /// Placeholders in the order first seen.
    seen: Vec<String>,
}

impl Template {
    fn neutralize(raw: &str) -> Template {
        let mut text = String::with_capacity(raw.len());
        let mut tokens: Vec<(String, String)> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find("{{") {
            text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let line_end = after.find('\n').unwrap_or(after.len());
            match after[..line_end].find("}}") {
                Some(end) => {
                    let inner = &after[..end];
                    let original = format!("{{{{{inner}}}}}");
                    // Same number of characters as the placeholder, so that
                    // columns (counted in characters) do not move.
                    let token: String = std::iter::once("__".to_string())
                        .chain(inner.chars().map(|c| {
                            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                                c.to_string()
                            } else {
                                "_".to_string()
                            }
                        }))
                        .chain(std::iter::once("__".to_string()))
                        .collect();
                    text.push_str(&token);
                    if !seen.contains(&original) {
                        seen.push(original.clone());
                    }
                    if !tokens.iter().any(|(t, _)| *t == token) {
                        tokens.push((token, original));
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    text.push_str("__");
                    let unclosed = "`{{` without `}}` on its line".to_string();
                    if !seen.contains(&unclosed) {
                        seen.push(unclosed);
                    }
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        tokens.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
        Template { text, tokens, seen }
    }

    /// Puts the placeholders back into text read from the parsed tree.
    fn restore(&self, text: &str) -> String {
        let mut out = text.to_string();
        if !out.contains("__") {
            return out;
        }
        for (token, original) in &self.tokens {
            if out.contains(token.as_str()) {
                out = out.replace(token.as_str(), original);
            }
        }
        out
    }
}

/// The value of `key` in a mapping, with the key node (for its position).
fn entry<'y>(map: &'y Yaml, key: &str) -> Option<(&'y Yaml, &'y Yaml)> {
    map.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, v)| (k, v))
}

/// What one action reads and sets, from its own body (not the actions of
/// its outcomes): `var:` and `variable:` name where a result is stored (a
/// data action's outputs, the digits of a `collectInput`, an `updateData`
/// statement), and the `Flow.` and `Task.` variables an `exp:` mentions are
/// read. An expression that asks whether a value is set (`IsSet`,
/// `IsNotSetOrEmpty`, `NOT_SET`) copes with an unset one, so it is not a
/// read.
fn name_use(body: &Yaml) -> NameUse {
    fn walk(value: &Yaml, key: Option<&str>, used: &mut NameUse) {
        match &value.value {
            YamlValue::Map(entries) => {
                for (k, v) in entries {
                    let k = k.as_str();
                    // Nested actions are steps of their own.
                    if matches!(k, Some("outputs" | "actions")) {
                        continue;
                    }
                    walk(v, k, used);
                }
            }
            YamlValue::Seq(items) => items.iter().for_each(|v| walk(v, key, used)),
            _ => {
                let Some(text) = value.as_str() else { return };
                match key {
                    Some("var" | "variable") => {
                        used.sets.extend(variables_in(text));
                    }
                    Some("exp") => {
                        let lower = text.to_ascii_lowercase();
                        if !(lower.contains("isset")
                            || lower.contains("isnotset")
                            || lower.contains("not_set"))
                        {
                            used.reads.extend(variables_in(text));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut used = NameUse::default();
    walk(body, None, &mut used);
    for names in [&mut used.reads, &mut used.sets] {
        names.sort();
        names.dedup();
    }
    used
}

/// The `Flow.NAME` and `Task.NAME` variables a text mentions.
fn variables_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["Flow.", "Task."] {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix) {
            let start = from + at;
            from = start + prefix.len();
            let joined = text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            let tail = &text[from..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            if !joined && len > 0 {
                out.push(format!("{prefix}{}", &tail[..len]));
            }
        }
    }
    out
}

/// Every variable declared (in the flow's or a task's `variables`) with an
/// initial value: it always holds one.
fn initialised_variables(value: &Yaml, out: &mut HashSet<String>) {
    match &value.value {
        YamlValue::Map(entries) => {
            for (k, v) in entries {
                if k.as_str() == Some("variables") {
                    for declared in seq(Some(v)) {
                        let Some((_, body, _)) = single(declared) else {
                            continue;
                        };
                        let unset = body
                            .get("initialValue")
                            .is_none_or(|i| i.get("noValue").is_some());
                        if let (false, Some(name)) =
                            (unset, body.get("name").and_then(Yaml::as_str))
                        {
                            out.insert(name.trim().to_string());
                        }
                    }
                } else {
                    initialised_variables(v, out);
                }
            }
        }
        YamlValue::Seq(items) => items.iter().for_each(|v| initialised_variables(v, out)),
        _ => {}
    }
}

/// A list item of the form `- type: {body}`: its type, body and key node.
fn single(item: &Yaml) -> Option<(&str, &Yaml, &Yaml)> {
    let (key, body) = item.as_map()?.first()?;
    Some((key.as_str()?, body, key))
}

fn seq(v: Option<&Yaml>) -> &[Yaml] {
    v.and_then(Yaml::as_seq).unwrap_or(&[])
}

/// A count that is not a number: what the export wrote instead, a literal
/// or an expression, for the note that says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{written}` is not a number")]
struct NotACount {
    written: String,
}

/// A `{lit: N}` count.
fn lit_count(v: Option<&Yaml>) -> Option<Result<u32, NotACount>> {
    let v = v?;
    let not_a_count = |written: &str| NotACount {
        written: written.to_string(),
    };
    if let Some(lit) = v.get("lit") {
        let text = lit.as_str().unwrap_or("");
        return Some(text.trim().parse().map_err(|_| not_a_count(text)));
    }
    if v.get("noValue").is_some() || matches!(v.value, YamlValue::Null) {
        return None;
    }
    if let Some(text) = v.as_str() {
        return Some(text.trim().parse().map_err(|_| not_a_count(text)));
    }
    Some(Err(not_a_count(
        v.get("exp")
            .and_then(Yaml::as_str)
            .unwrap_or("an expression"),
    )))
}

/// A `dtmf:` value that names no key, as written.
struct NotAKey(String);

/// The DTMF key of `dtmf: digit_N`.
fn dtmf(v: Option<&Yaml>) -> Result<Option<String>, NotAKey> {
    let Some(text) = v.and_then(Yaml::as_str) else {
        return Ok(None);
    };
    let t = text.trim();
    let k = t.strip_prefix("digit_").unwrap_or(t).to_ascii_lowercase();
    match k.as_str() {
        "" | "none" => Ok(None),
        "star" | "asterisk" | "*" => Ok(Some("*".to_string())),
        "pound" | "hash" | "#" => Ok(Some("#".to_string())),
        d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => Ok(Some(d.to_string())),
        _ => Err(NotAKey(t.to_string())),
    }
}

/// The string literals of an Archy expression that are spoken:
/// the arguments of `ToAudioTTS(...)`, or every literal when there is none.
fn tts_literals(exp: &str) -> Vec<String> {
    fn literal(text: &str) -> Option<(String, usize)> {
        let mut chars = text.char_indices();
        let (_, '"') = chars.next()? else { return None };
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        out.push(e);
                    }
                }
                '"' => return Some((out, i + 1)),
                c => out.push(c),
            }
        }
        None
    }
    let mut spoken = Vec::new();
    let lower = exp.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("toaudiotts(") {
        let start = from + at + "toaudiotts(".len();
        let rest = exp[start..].trim_start();
        if let Some((text, _)) = literal(rest) {
            spoken.push(text);
        }
        from = start;
    }
    if spoken.is_empty() && !lower.contains("toaudiotts(") {
        let mut i = 0;
        while let Some(at) = exp[i..].find('"') {
            match literal(&exp[i + at..]) {
                Some((text, len)) => {
                    spoken.push(text);
                    i += at + len;
                }
                None => break,
            }
        }
    }
    spoken
}

fn is_transfer(ty: &str) -> bool {
    ty.starts_with("transferTo") || ty.starts_with("menuTransfer")
}

/// What a transfer hands the caller to, as touchpoint's `transfer:` text.
fn transfer_target(ty: &str, body: &Yaml, fallback: &str, template: &Template) -> String {
    fn value_text(v: &Yaml) -> Option<String> {
        match &v.value {
            YamlValue::Scalar { text, .. } => Some(text.to_string()),
            YamlValue::Map(_) => {
                if let Some(lit) = v.get("lit") {
                    return lit
                        .get("name")
                        .and_then(Yaml::as_str)
                        .or(lit.as_str())
                        .map(str::to_string);
                }
                if let Some(exp) = v.get("exp").and_then(Yaml::as_str) {
                    return Some(exp.to_string());
                }
                if let Some(name) = v.get("name").and_then(Yaml::as_str) {
                    return Some(name.to_string());
                }
                // `{{key}}: {name: X}`: a placeholder where `lit` would be.
                v.as_map()?.iter().find_map(|(_, inner)| value_text(inner))
            }
            _ => None,
        }
    }
    fn find<'y>(v: &'y Yaml, keys: &[&str], depth: usize) -> Option<&'y Yaml> {
        let map = v.as_map()?;
        for (k, val) in map {
            if k.as_str().is_some_and(|k| keys.contains(&k)) {
                return Some(val);
            }
        }
        if depth == 0 {
            return None;
        }
        map.iter().find_map(|(_, val)| find(val, keys, depth - 1))
    }
    let kind = match ty
        .trim_start_matches("menu")
        .trim_start_matches("Transfer")
        .trim_start_matches("transferTo")
    {
        "ToAcd" | "Acd" => "",
        "Voicemail" | "ToVoicemail" => "voicemail",
        "User" | "ToUser" => "user",
        "Group" | "ToGroup" => "group",
        "Number" | "ToNumber" | "External" | "ToExternal" => "number",
        "Flow" | "ToFlow" | "FlowSecure" | "ToFlowSecure" => "flow",
        _ => "",
    };
    let keys = [
        "targetQueue",
        "targetUser",
        "targetGroup",
        "targetNumber",
        "targetFlow",
        "targetAddress",
        "targetFlowSecure",
    ];
    let target = find(body, &keys, 4)
        .and_then(value_text)
        .map(|t| template.restore(t.trim()));
    let target = target.filter(|t| !t.is_empty());
    match (kind, target) {
        ("", Some(t)) => t,
        ("", None) => fallback.to_string(),
        (k, Some(t)) => format!("{k}: {t}"),
        (k, None) => format!("{k}: {fallback}"),
    }
}

/// Which reference kind a `/inboundCall/menus/menu[X]` path names, and X.
fn parse_ref(raw: &str) -> (Option<RefKind>, String) {
    let raw = raw.trim();
    let kind = if raw.contains("/menus/") || raw.contains("menu[") {
        Some(RefKind::Menu)
    } else if raw.contains("/tasks/") || raw.contains("task[") {
        Some(RefKind::Task)
    } else if raw.contains("/states/") || raw.contains("state[") {
        Some(RefKind::State)
    } else {
        None
    };
    let id = match (raw.find('['), raw.rfind(']')) {
        (Some(open), Some(close)) if close > open => raw[open + 1..close].to_string(),
        _ => raw.to_string(),
    };
    (kind, id)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Menu,
    Task,
    State,
}

/// The outcomes an action has even when the export lists none of them
/// (an outcome without actions goes on to the next action).
fn known_outputs(ty: &str) -> &'static [&'static str] {
    match ty {
        "decision" => &["yes", "no"],
        "evaluateScheduleGroup" => &["open", "closed", "holiday", "emergency"],
        "callData" | "callLambda" => &["success", "failure", "timeout"],
        "callBridge" => &["success", "failure"],
        // A collect-input action takes `failure` when the caller enters
        // nothing, or nothing its digit rules accept, even when the export
        // lists only `success`: the caller can always get there.
        "collectInput" => &["success", "failure"],
        "dataTableLookup" => &["found", "notFound", "failure"],
        _ => &[],
    }
}

struct MenuDef<'a> {
    id: String,
    body: &'a Yaml,
    key: &'a Yaml,
}

/// A task or a state: both are a list of actions that runs from its top
/// (a state is the form Architect gives the start of some flows), so both
/// are built the same way; `kind` says which, for notes and positions.
struct TaskDef<'a> {
    kind: &'static str,
    name: String,
    body: &'a Yaml,
    key: &'a Yaml,
}

/// The task a chain of actions belongs to: for generated ids and for the
/// hang-up at its end.
struct Ctx {
    prefix: String,
    label: String,
    origin: Origin,
}

struct Built {
    flow: IrFlow,
    /// The flow-wide error handler as a flow of its own (see
    /// [`Builder::error_flow`]), with calls to it named [`ERROR_FLOW`].
    error_flow: Option<IrFlow>,
    notes: Vec<String>,
}

struct Builder<'a> {
    file: &'a str,
    template: &'a Template,
    call: &'a Yaml,
    call_key: &'a Yaml,
    nodes: Vec<IrNode>,
    used: UniqueIds,
    menus: Vec<MenuDef<'a>>,
    menu_ids: HashMap<String, String>,
    tasks: Vec<TaskDef<'a>>,
    task_ids: HashMap<String, usize>,
    /// States by `refId` and name, as indices into `tasks`.
    state_ids: HashMap<String, usize>,
    task_entries: HashMap<usize, String>,
    /// Notes with the line they are about, sorted by it at the end.
    line_notes: Vec<(u32, String)>,
    error_target: Option<String>,
    /// The error handler's own flow, once built: its start and its nodes.
    error_flow: Option<Option<(String, Vec<IrNode>)>>,
    repeat_count: Option<u32>,
    ends: HashMap<String, String>,
    previous: Vec<(usize, String)>,
    transfer_failures: Vec<(u32, String)>,
    /// What each action reads and sets, by the id of its node.
    name_uses: Vec<(String, NameUse)>,
}

impl<'a> Builder<'a> {
    fn new(file: &'a str, template: &'a Template, call: &'a Yaml, call_key: &'a Yaml) -> Self {
        Builder {
            file,
            template,
            call,
            call_key,
            nodes: Vec::new(),
            used: UniqueIds::new(),
            menus: Vec::new(),
            menu_ids: HashMap::new(),
            tasks: Vec::new(),
            task_ids: HashMap::new(),
            state_ids: HashMap::new(),
            task_entries: HashMap::new(),
            line_notes: Vec::new(),
            error_target: None,
            error_flow: None,
            repeat_count: None,
            ends: HashMap::new(),
            previous: Vec::new(),
            transfer_failures: Vec::new(),
            name_uses: Vec::new(),
        }
    }

    fn text(&self, v: Option<&Yaml>) -> Option<String> {
        v.and_then(Yaml::as_str).map(|t| self.template.restore(t))
    }

    fn note(&mut self, line: u32, message: String) {
        let note = format!("{}:{line}: {message}", self.file);
        self.line_notes.push((line, note));
    }

    /// A fresh node id from a platform name.
    fn alloc(&mut self, base: &str) -> String {
        self.used.claim(&ir::node_id(base))
    }

    fn origin(&self, key: &Yaml, action: &str, platform_type: &str) -> Origin {
        Origin {
            line: key.pos.line,
            column: key.pos.column,
            action: action.to_string(),
            platform_type: platform_type.to_string(),
        }
    }

    fn push(&mut self, id: String, kind: IrKind, origin: Origin) -> usize {
        self.nodes.push(IrNode { id, kind, origin });
        self.nodes.len() - 1
    }

    /// What an `audio` value says: TTS text, SSML stripped. Recorded prompts
    /// and expressions without text literals are noted.
    fn audio(&mut self, v: Option<&Yaml>, owner: &str, line: u32) -> String {
        let mut spoken = Vec::new();
        let mut unknown = Vec::new();
        if let Some(v) = v {
            self.audio_parts(v, &mut spoken, &mut unknown);
        }
        for u in &unknown {
            self.note(
                line,
                format!("{owner}: audio `{u}` is not text the importer can read; the prompt leaves it out"),
            );
        }
        ir::strip_ssml(&self.template.restore(&spoken.join(" ")))
    }

    fn audio_parts(&self, v: &Yaml, spoken: &mut Vec<String>, unknown: &mut Vec<String>) {
        match &v.value {
            YamlValue::Scalar { text, .. } => spoken.push(text.to_string()),
            YamlValue::Seq(items) => {
                for item in items {
                    self.audio_parts(item, spoken, unknown);
                }
            }
            YamlValue::Map(entries) => {
                for (k, val) in entries {
                    match k.as_str() {
                        Some("noValue") => {}
                        Some("exp") => {
                            let exp = val.as_str().unwrap_or("");
                            let found = tts_literals(exp);
                            if found.is_empty() && !exp.trim().is_empty() {
                                unknown.push(self.template.restore(exp));
                            }
                            spoken.extend(found);
                        }
                        Some("prompt") | Some("lit") if val.as_str().is_some() => {
                            unknown.push(self.template.restore(val.as_str().unwrap_or("")));
                        }
                        _ => self.audio_parts(val, spoken, unknown),
                    }
                }
            }
            YamlValue::Null => {}
        }
    }

    fn build(mut self) -> Result<Built, ImportError> {
        let call = self.call;
        let name = self
            .text(call.get("name"))
            .unwrap_or_else(|| "archy".to_string());
        let flow_id = ir::node_id(&name);

        // Pass 1: every menu (nested sub-menus too) gets its id, every task
        // its index, so that references resolve whatever their order.
        for item in seq(call.get("menus")) {
            if let Some(("menu", body, key)) = single(item) {
                self.collect_menu(body, key);
            } else {
                self.note(
                    item.pos.line,
                    "an entry of `menus` that is not a `menu:` was skipped".to_string(),
                );
            }
        }
        for kind in ["task", "state"] {
            let list = format!("{kind}s");
            for item in seq(call.get(&list)) {
                match single(item) {
                    Some((k, body, key)) if k == kind => self.collect_task(kind, body, key),
                    _ => self.note(
                        item.pos.line,
                        format!("an entry of `{list}` that is not a `{kind}:` was skipped"),
                    ),
                }
            }
        }
        let flow_repeat = call.get("settingsMenu").and_then(|s| s.get("repeatCount"));
        self.repeat_count = match lit_count(flow_repeat) {
            Some(Ok(n)) => Some(n),
            Some(Err(NotACount { written })) => {
                let line = flow_repeat.map_or(self.call_key.pos.line, |r| r.pos.line);
                let raw = self.template.restore(&written);
                self.note(line, format!("`settingsMenu.repeatCount` is `{raw}`, not a number: {DEFAULT_REPEAT_COUNT} assumed"));
                Some(DEFAULT_REPEAT_COUNT)
            }
            None => None,
        };

        // Pass 2: tasks and states, then menus.
        for index in 0..self.tasks.len() {
            let (kind, name, body, key) = (
                self.tasks[index].kind,
                self.tasks[index].name.clone(),
                self.tasks[index].body,
                self.tasks[index].key,
            );
            let ctx = Ctx {
                prefix: ir::node_id(&name),
                label: format!("{kind} `{name}`"),
                origin: self.origin(key, &name, kind),
            };
            let entry = self.chain(body.get("actions"), None, &ctx);
            self.task_entries.insert(index, entry);
        }
        for index in 0..self.menus.len() {
            self.build_menu(index);
        }
        self.fill_previous_menus();

        // The start: the greeting, then `startUpRef`.
        let start_target = match entry(call, "startUpRef") {
            Some((_, v)) => {
                let raw = self.text(Some(v)).unwrap_or_default();
                // A flow whose start names nothing cannot run (Architect
                // does not publish it): what a caller would meet is
                // unknown, so the import stops here rather than report
                // a guess about the caller.
                let Some(start) = self.resolve(&raw, None) else {
                    return Err(ImportError {
                            file: self.file.to_string(),
                            line: v.pos.line,
                            column: v.pos.column,
                            message: format!("`startUpRef` is `{raw}`, which names no menu, task or state of this export"),
                        });
                };
                start
            }
            None => {
                let first = self
                    .menus
                    .first()
                    .map(|m| m.id.clone())
                    .or_else(|| self.task_entries.get(&0).cloned());
                let line = self.call_key.pos.line;
                match first {
                    Some(first) => {
                        self.note(
                            line,
                            format!("no `startUpRef`: the flow is taken to start at `{first}`"),
                        );
                        first
                    }
                    None => {
                        return Err(ImportError {
                            file: self.file.to_string(),
                            line,
                            column: self.call_key.pos.column,
                            message:
                                "the inbound call flow has no `startUpRef`, no menus and no tasks"
                                    .to_string(),
                        })
                    }
                }
            }
        };
        let mut start = start_target.clone();
        if let Some((key, greeting)) = entry(call, "initialGreeting") {
            let text = self.audio(Some(greeting), "the initial greeting", key.pos.line);
            if !text.is_empty() {
                let id = self.alloc("initial_greeting");
                let origin = self.origin(key, "initialGreeting", "initialGreeting");
                self.push(
                    id.clone(),
                    IrKind::Say {
                        text,
                        next: Some(start_target),
                    },
                    origin,
                );
                start = id;
            }
        }

        // Task links become the tasks' first nodes.
        let mut links: Vec<String> = Vec::new();
        if start.starts_with(TASK_LINK) {
            links.push(start.clone());
        }
        for node in &mut self.nodes {
            for t in node.kind.targets_mut() {
                if t.starts_with(TASK_LINK) && !links.contains(t) {
                    links.push(t.clone());
                }
            }
        }
        let mut resolved = HashMap::new();
        for link in links {
            let to = self.resolve_task_link(&link);
            resolved.insert(link, to);
        }
        for node in &mut self.nodes {
            for t in node.kind.targets_mut() {
                if let Some(to) = resolved.get(t.as_str()) {
                    *t = to.clone();
                }
            }
        }
        if let Some(to) = resolved.get(&start) {
            start = to.clone();
        }

        if !self.transfer_failures.is_empty() {
            let line = self.call_key.pos.line;
            let n = self.transfer_failures.len();
            self.transfer_failures.sort();
            let which: Vec<&str> = self
                .transfer_failures
                .iter()
                .map(|(_, w)| w.as_str())
                .collect();
            let which = which.join(", ");
            self.note(
                line,
                format!(
                    "{n} transfer action(s) go on when the transfer fails ({which}): each is an opaque step with the branches `transferred` (a transfer node) and `failure`"
                ),
            );
        }
        // The platform enters the error handler whenever an action fails
        // in a way the flow does not handle, wherever that is: it is an
        // entry point of its own, whether or not a menu leads to it.
        let error_flow = self.error_flow().map(|_| {
            let (start, mut nodes) = self
                .error_flow
                .take()
                .flatten()
                .expect("error_flow() built it");
            nodes.sort_by_key(|n| (n.origin.line, n.origin.column));
            IrFlow {
                id: ERROR_FLOW.to_string(),
                title: format!("{name}: flow error handling"),
                start,
                vars: Vec::new(),
                nodes,
                source: self.file.to_string(),
                name_uses: Default::default(),
                module: false,
                fronts: Default::default(),
            }
        });
        self.note_unfilled(self.call, "", None);

        let name_uses = self.flow_name_uses();
        let mut nodes = std::mem::take(&mut self.nodes);
        nodes.sort_by_key(|n| (n.origin.line, n.origin.column));
        Ok(Built {
            flow: IrFlow {
                name_uses,
                module: false,
                fronts: Default::default(),
                id: flow_id,
                title: name,
                start,
                vars: Vec::new(),
                nodes,
                source: self.file.to_string(),
            },
            error_flow,
            notes: {
                self.line_notes.sort_by_key(|(line, _)| *line);
                self.line_notes.into_iter().map(|(_, n)| n).collect()
            },
        })
    }

    /// The reads and sets of the flow's opaque steps, for `unset-variable`,
    /// by node id (action names need not be unique). Only names some action
    /// of the flow assigns are tracked: a built-in (`Call.Ani`,
    /// `Flow.StartDateTimeUtc`) or a variable given an initial value is
    /// never unset. Where an action that assigns a name was imported as
    /// something other than an opaque step (a transfer that stores its error
    /// type), what it sets would be lost, so no read is kept.
    fn flow_name_uses(&mut self) -> std::collections::BTreeMap<String, NameUse> {
        let opaque: HashSet<&str> = self
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, IrKind::Opaque { .. }))
            .map(|n| n.id.as_str())
            .collect();
        let mut initialised = HashSet::new();
        initialised_variables(self.call, &mut initialised);
        let assigned: HashSet<String> = self
            .name_uses
            .iter()
            .flat_map(|(_, used)| used.sets.iter().cloned())
            .filter(|name| !initialised.contains(name))
            .collect();
        let setter_lost = self
            .name_uses
            .iter()
            .any(|(id, used)| !used.sets.is_empty() && !opaque.contains(id.as_str()));
        let mut uses = std::collections::BTreeMap::new();
        for (id, used) in std::mem::take(&mut self.name_uses) {
            if !opaque.contains(id.as_str()) {
                continue;
            }
            let mut used = used;
            used.sets.retain(|name| assigned.contains(name));
            used.reads
                .retain(|name| !setter_lost && assigned.contains(name));
            if !used.reads.is_empty() || !used.sets.is_empty() {
                uses.insert(id, used);
            }
        }
        uses
    }

    /// Gives a task or a state its index, found by `refId` or name.
    fn collect_task(&mut self, kind: &'static str, body: &'a Yaml, key: &'a Yaml) {
        let name = self
            .text(body.get("name"))
            .or_else(|| self.text(body.get("refId")))
            .unwrap_or_else(|| format!("{kind} {}", self.tasks.len() + 1));
        let index = self.tasks.len();
        let refid = self.text(body.get("refId"));
        let ids = if kind == "state" {
            &mut self.state_ids
        } else {
            &mut self.task_ids
        };
        if let Some(r) = refid {
            ids.insert(r, index);
        }
        ids.entry(name.clone()).or_insert(index);
        self.tasks.push(TaskDef {
            kind,
            name,
            body,
            key,
        });
    }

    fn collect_menu(&mut self, body: &'a Yaml, key: &'a Yaml) {
        let refid = self.text(body.get("refId"));
        let name = self.text(body.get("name"));
        let base = refid
            .clone()
            .or_else(|| name.clone())
            .unwrap_or_else(|| "menu".to_string());
        let id = self.alloc(&base);
        if let Some(r) = refid {
            self.menu_ids.insert(r, id.clone());
        }
        if let Some(n) = name {
            self.menu_ids.entry(n).or_insert_with(|| id.clone());
        }
        self.menus.push(MenuDef { id, body, key });
        for choice in seq(body.get("choices")) {
            if let Some(("menuSubMenu", cbody, _)) = single(choice) {
                if let Some((skey, sub)) = entry(cbody, "menu") {
                    self.collect_menu(sub, skey);
                }
            }
        }
    }

    /// Where a menu's default choice (`defaultChildMenuRef:
    /// ./choices/<type>[<refId>]`) leads, when it names one of its choices.
    fn default_choice(
        &mut self,
        body: &Yaml,
        label: &str,
        choices: &[(Option<String>, String, String)],
    ) -> Option<String> {
        let (key, v) = entry(body, "defaultChildMenuRef")?;
        let raw = self.text(Some(v))?;
        let (_, id) = parse_ref(&raw);
        let found = choices
            .iter()
            .find(|(refid, _, _)| refid.as_deref() == Some(id.as_str()))
            .or_else(|| choices.iter().find(|(_, name, _)| *name == id));
        match found {
            Some((_, name, goto)) => {
                let goto = goto.clone();
                self.note(
                    key.pos.line,
                    format!("{label}: when its repeats run out, the call takes the default choice `{name}`, not the flow's error handling"),
                );
                Some(goto)
            }
            None => {
                self.note(
                    key.pos.line,
                    format!("{label}: `defaultChildMenuRef` is `{raw}`, which names none of its choices: when its repeats run out the flow's error handling is taken instead"),
                );
                None
            }
        }
    }

    /// The retry handlers of a menu: its own repeat count or the flow's,
    /// then its default choice or, without one, the flow's error handling.
    /// Architect's repeat count is how many times the prompt plays in all
    /// ("the number of times Architect plays the menu prompt before passing
    /// control to the current menu's default menu choice"), while a
    /// handler's `retries` counts the plays after the first: one less.
    fn handlers(
        &mut self,
        body: &Yaml,
        label: &str,
        menu_id: &str,
        default_choice: Option<String>,
        origin: Origin,
    ) -> IrHandler {
        let line = origin.line;
        let own = body
            .get("settingsMenu")
            .and_then(|s| lit_count(s.get("repeatCount")));
        let retries = match own {
            Some(Ok(n)) => n,
            Some(Err(NotACount { written })) => {
                let raw = self.template.restore(&written);
                self.note(
                    line,
                    format!(
                        "{label}: `repeatCount` is `{raw}`, not a number: the flow's count is used"
                    ),
                );
                self.flow_repeat_count()
            }
            None => self.flow_repeat_count(),
        };
        let then = match default_choice {
            Some(goto) => goto,
            None => self.error_target(menu_id, origin),
        };
        IrHandler {
            retries: retries.saturating_sub(1),
            then,
        }
    }

    fn flow_repeat_count(&mut self) -> u32 {
        match self.repeat_count {
            Some(n) => n,
            None => {
                let line = self.call_key.pos.line;
                self.note(
                    line,
                    format!("no flow-wide `settingsMenu.repeatCount`: menus play their prompt {DEFAULT_REPEAT_COUNT} times, Architect's default"),
                );
                self.repeat_count = Some(DEFAULT_REPEAT_COUNT);
                DEFAULT_REPEAT_COUNT
            }
        }
    }

    /// Where a menu goes when its repeats run out: `settingsErrorHandling`.
    /// Where that is a flow of its own, each menu gets its own step that
    /// calls it, placed at the menu, so that a finding about that step
    /// (such as `unreachable` when the menu is) points at the menu and not
    /// at the handler, which the platform can always enter.
    fn error_target(&mut self, menu_id: &str, menu_origin: Origin) -> String {
        if self.error_flow().is_some() {
            let id = self.alloc(&format!("{menu_id}__repeats_run_out"));
            self.push(
                id.clone(),
                IrKind::Call {
                    flow: ERROR_FLOW.to_string(),
                    next: None,
                },
                menu_origin,
            );
            return id;
        }
        if let Some(t) = &self.error_target {
            return t.clone();
        }
        let target = self.build_error_target();
        self.error_target = Some(target.clone());
        target
    }

    /// Builds, once, the flow-wide error handler as a flow of its own when
    /// the export has one that ends the call (a disconnect or a transfer):
    /// Architect runs it when any action fails unhandled, so it is an
    /// entry point, not a step that only menus lead to. A handler that
    /// jumps to a menu or task stays a step of the flow, since the flow it
    /// jumps into is this one. `Some` when there is such a flow.
    fn error_flow(&mut self) -> Option<()> {
        if self.error_flow.is_none() {
            let settings = entry(self.call, "settingsErrorHandling").map(|(_, s)| s);
            let jumps = settings
                .and_then(|s| s.get("errorHandling"))
                .and_then(single)
                .is_some_and(|(_, body, _)| {
                    body.get("targetMenuRef").is_some() || body.get("targetTaskRef").is_some()
                });
            self.error_flow = Some(if settings.is_some() && !jumps {
                let flow_nodes = std::mem::take(&mut self.nodes);
                let start = self.build_error_target();
                let handler_nodes = std::mem::replace(&mut self.nodes, flow_nodes);
                Some((start, handler_nodes))
            } else {
                None
            });
        }
        self.error_flow
            .as_ref()
            .and_then(|f| f.as_ref())
            .map(|_| ())
    }

    fn build_error_target(&mut self) -> String {
        let call = self.call;
        let Some((key, settings)) = entry(call, "settingsErrorHandling") else {
            let id = self.alloc("error_handling");
            let origin = self.origin(
                self.call_key,
                "settingsErrorHandling",
                "settingsErrorHandling",
            );
            self.note(
                origin.line,
                "no `settingsErrorHandling`: when a menu's repeats run out the call is taken to be disconnected".to_string(),
            );
            self.push(
                id.clone(),
                IrKind::Hangup {
                    text: "The call is disconnected.".to_string(),
                },
                origin,
            );
            return id;
        };
        let pre = self.audio(
            settings.get("preHandlingAudio"),
            "error handling",
            key.pos.line,
        );
        let pre = Some(pre).filter(|t| !t.is_empty());
        let handling = settings.get("errorHandling").and_then(single);
        let ty = handling.map(|(t, _, _)| t).unwrap_or("none");
        let origin = self.origin(key, "errorHandling", &format!("settingsErrorHandling.{ty}"));
        let id = self.alloc("error_handling");
        match handling {
            Some(("disconnect", _, _)) => {
                // The pre-handling audio is all the caller hears; without it
                // the call ends in silence.
                let text = pre.unwrap_or_default();
                self.push(id.clone(), IrKind::Hangup { text }, origin);
            }
            Some((ty, body, _)) if is_transfer(ty) => {
                let queue = transfer_target(ty, body, "error handling", self.template);
                self.transfer_nodes(id.clone(), queue, pre, origin);
            }
            Some((ty, body, _))
                if body.get("targetMenuRef").is_some() || body.get("targetTaskRef").is_some() =>
            {
                let raw = self
                    .text(body.get("targetMenuRef").or(body.get("targetTaskRef")))
                    .unwrap_or_default();
                let target = self.link(&raw, None, origin.clone());
                let text = pre.unwrap_or_else(|| format!("error handling: {ty}"));
                self.push(
                    id.clone(),
                    IrKind::Say {
                        text,
                        next: Some(target),
                    },
                    origin,
                );
            }
            other => {
                let what = other.map(|(t, _, _)| t).unwrap_or("nothing readable");
                self.note(
                    origin.line,
                    format!("error handling `{what}` is not modelled: when a menu's repeats run out the call is taken to be disconnected"),
                );
                let text = pre.unwrap_or_else(|| "The call is disconnected.".to_string());
                self.push(id.clone(), IrKind::Hangup { text }, origin);
            }
        }
        id
    }

    /// A transfer under a known id, with a `say` first for pre-transfer
    /// audio. Returns the id.
    fn transfer_nodes(
        &mut self,
        id: String,
        queue: String,
        pre: Option<String>,
        origin: Origin,
    ) -> String {
        match pre {
            Some(text) => {
                let transfer = self.alloc(&format!("{id}__transfer"));
                self.push(
                    id.clone(),
                    IrKind::Say {
                        text,
                        next: Some(transfer.clone()),
                    },
                    origin.clone(),
                );
                self.push(transfer, IrKind::Transfer { queue }, origin);
            }
            None => {
                self.push(id.clone(), IrKind::Transfer { queue }, origin);
            }
        }
        id
    }

    /// The menu id or task link a reference names, if it names one.
    fn resolve(&self, raw: &str, prefer: Option<RefKind>) -> Option<String> {
        let (kind, id) = parse_ref(raw);
        let menu = self.menu_ids.get(&id).cloned();
        let task = self.task_ids.get(&id).map(|t| format!("{TASK_LINK}{t}"));
        let state = self.state_ids.get(&id).map(|t| format!("{TASK_LINK}{t}"));
        match kind.or(prefer) {
            Some(RefKind::Task) => task.or(state).or(menu),
            Some(RefKind::State) => state.or(task).or(menu),
            _ => menu.or(task).or(state),
        }
    }

    /// A reference to a menu or task (`/inboundCall/menus/menu[X]`), as a
    /// target: a menu's id, a task link, or a generated step saying the
    /// target is missing.
    fn link(&mut self, raw: &str, prefer: Option<RefKind>, origin: Origin) -> String {
        match self.resolve(raw, prefer) {
            Some(f) => f,
            None => {
                let id = self.alloc("unresolved");
                self.note(
                    origin.line,
                    format!("`{}` ({}) refers to `{raw}`, which names no menu, task or state of this export: an opaque step with no outcome", origin.action, origin.platform_type),
                );
                self.push(
                    id.clone(),
                    IrKind::Opaque {
                        text: format!("jump to `{raw}`, which the export does not define"),
                        branches: Vec::new(),
                    },
                    origin,
                );
                id
            }
        }
    }

    fn resolve_task_link(&mut self, link: &str) -> String {
        let mut seen: Vec<usize> = Vec::new();
        let mut current = link.to_string();
        while let Some(rest) = current.strip_prefix(TASK_LINK) {
            let index = match rest.parse::<usize>() {
                Ok(i) if i < self.tasks.len() => i,
                _ => break,
            };
            if seen.contains(&index) {
                // Tasks that do nothing but jump to each other.
                let task = &self.tasks[seen[0]];
                let (name, key) = (task.name.clone(), task.key);
                let id = self.alloc(&format!("{name}__jump_loop"));
                let origin = self.origin(key, &name, "task");
                self.note(origin.line, format!("task `{name}` only jumps between tasks that jump back: a step that repeats forever"));
                self.push(
                    id.clone(),
                    IrKind::Say {
                        text: format!("task `{name}` jumps to itself"),
                        next: Some(id.clone()),
                    },
                    origin,
                );
                return id;
            }
            seen.push(index);
            current = self.task_entries.get(&index).cloned().unwrap_or_default();
        }
        current
    }

    /// The hang-up at the end of a task that runs out of actions.
    fn end_of_task(&mut self, ctx: &Ctx) -> String {
        if let Some(id) = self.ends.get(&ctx.prefix) {
            return id.clone();
        }
        let id = self.alloc(&format!("{}__end", ctx.prefix));
        self.ends.insert(ctx.prefix.clone(), id.clone());
        self.note(
            ctx.origin.line,
            format!("{} can run out of actions without a disconnect, transfer or jump: it ends in a generated hang-up", ctx.label),
        );
        self.push(
            id.clone(),
            IrKind::Hangup {
                text: "The task ends.".to_string(),
            },
            ctx.origin.clone(),
        );
        id
    }

    fn or_end(&mut self, next: Option<String>, ctx: &Ctx) -> String {
        match next {
            Some(n) => n,
            None => self.end_of_task(ctx),
        }
    }

    /// A list of actions as a chain; returns the first node (or what the
    /// chain links to), `next` after the last action.
    fn chain(&mut self, actions: Option<&'a Yaml>, next: Option<String>, ctx: &Ctx) -> String {
        let mut items = Vec::new();
        for item in seq(actions) {
            match single(item) {
                Some(a) => items.push(a),
                None => self.note(
                    item.pos.line,
                    format!(
                        "an action of {} is not `- type: {{...}}` and was skipped",
                        ctx.label
                    ),
                ),
            }
        }
        // Ids in file order, before the chain is built from its end.
        let ids: Vec<Option<String>> = items
            .iter()
            .map(|(ty, body, _)| {
                // A state moves on to another state by naming it in
                // `targetStateRef` (Architect's change-state action): a
                // jump, as `jumpToTask` is for tasks.
                let jump = (ty.starts_with("jumpTo")
                    && (body.get("targetMenuRef").is_some()
                        || body.get("targetTaskRef").is_some()))
                    || body.get("targetStateRef").is_some();
                if jump {
                    None
                } else {
                    let name = body
                        .get("name")
                        .and_then(Yaml::as_str)
                        .map(|n| self.template.restore(n));
                    let name = name.unwrap_or_else(|| ty.to_string());
                    Some(self.alloc(&format!("{}__{}", ctx.prefix, ir::node_id(&name))))
                }
            })
            .collect();
        let mut next = next;
        for ((ty, body, key), id) in items.into_iter().zip(ids).rev() {
            next = Some(self.action(ty, body, key, id, next, ctx));
        }
        self.or_end(next, ctx)
    }

    fn action(
        &mut self,
        ty: &str,
        body: &'a Yaml,
        key: &'a Yaml,
        id: Option<String>,
        next: Option<String>,
        ctx: &Ctx,
    ) -> String {
        let name = self
            .text(body.get("name"))
            .unwrap_or_else(|| ty.to_string());
        let origin = self.origin(key, &name, ty);
        let Some(id) = id else {
            let (field, prefer) = if body.get("targetStateRef").is_some() {
                ("targetStateRef", RefKind::State)
            } else if body.get("targetMenuRef").is_some() {
                ("targetMenuRef", RefKind::Menu)
            } else {
                ("targetTaskRef", RefKind::Task)
            };
            let raw = self.text(body.get(field)).unwrap_or_default();
            return self.link(&raw, Some(prefer), origin);
        };
        self.name_uses.push((id.clone(), name_use(body)));
        match ty {
            "playAudio" => {
                let text = self.audio(body.get("audio"), &format!("`{name}`"), key.pos.line);
                let next = self.or_end(next, ctx);
                self.push(
                    id.clone(),
                    IrKind::Say {
                        text,
                        next: Some(next),
                    },
                    origin,
                );
                id
            }
            "disconnect" => {
                // A disconnect says nothing of its own (its name is only a
                // label in the designer): whatever the caller hears before
                // it is a `say` on the way.
                self.push(
                    id.clone(),
                    IrKind::Hangup {
                        text: String::new(),
                    },
                    origin,
                );
                id
            }
            t if is_transfer(t) => self.task_transfer(ty, body, id, &name, next, ctx, origin),
            _ => self.opaque_action(ty, body, id, &name, next, ctx, origin),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn task_transfer(
        &mut self,
        ty: &str,
        body: &'a Yaml,
        id: String,
        name: &str,
        next: Option<String>,
        ctx: &Ctx,
        origin: Origin,
    ) -> String {
        let queue = transfer_target(ty, body, name, self.template);
        let pre = self.audio(
            body.get("preTransferAudio"),
            &format!("`{name}`"),
            origin.line,
        );
        let pre = Some(pre).filter(|t| !t.is_empty());
        let failure = body
            .get("outputs")
            .and_then(|o| o.get("failure"))
            .and_then(|f| f.get("actions"))
            .filter(|a| a.as_seq().is_some_and(|s| !s.is_empty()));
        if failure.is_none() && next.is_none() {
            return self.transfer_nodes(id, queue, pre, origin);
        }
        let on_failure = self.chain(failure, next, ctx);
        let attempt = if pre.is_some() {
            self.alloc(&format!("{id}__attempt"))
        } else {
            id.clone()
        };
        let transferred = self.alloc(&format!("{id}__transferred"));
        if let Some(text) = pre {
            self.push(
                id.clone(),
                IrKind::Say {
                    text,
                    next: Some(attempt.clone()),
                },
                origin.clone(),
            );
        }
        self.push(
            attempt,
            IrKind::Opaque {
                text: format!("{ty} `{name}` to {queue}; the transfer can fail"),
                branches: vec![
                    ("transferred".to_string(), transferred.clone()),
                    ("failure".to_string(), on_failure),
                ],
            },
            origin.clone(),
        );
        self.push(transferred, IrKind::Transfer { queue }, origin.clone());
        self.transfer_failures
            .push((origin.line, format!("`{name}` line {}", origin.line)));
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn opaque_action(
        &mut self,
        ty: &str,
        body: &'a Yaml,
        id: String,
        name: &str,
        next: Option<String>,
        ctx: &Ctx,
        origin: Origin,
    ) -> String {
        let mut branches: Vec<(String, String)> = Vec::new();
        if let Some(evaluate) = body.get("evaluate").and_then(Yaml::as_map) {
            // `switch`: evaluate.firstTrue.{cases[{case{value, actions}}], default{actions}}
            for (_, mode) in evaluate {
                let cases = seq(mode.get("cases"));
                for (i, case) in cases.iter().enumerate() {
                    let case = case.get("case").unwrap_or(case);
                    let value = case
                        .get("value")
                        .and_then(|v| v.get("exp").or(v.get("lit")))
                        .and_then(Yaml::as_str);
                    let label = match value {
                        Some(v) => format!("case {}: {}", i + 1, self.template.restore(v)),
                        None => format!("case {}", i + 1),
                    };
                    let target = self.chain(case.get("actions"), next.clone(), ctx);
                    branches.push((label, target));
                }
                if !cases.is_empty() || mode.get("default").is_some() {
                    let target = self.chain(
                        mode.get("default").and_then(|d| d.get("actions")),
                        next.clone(),
                        ctx,
                    );
                    branches.push(("default".to_string(), target));
                }
            }
        }
        let outputs = body.get("outputs");
        let mut names: Vec<String> = known_outputs(ty).iter().map(|s| s.to_string()).collect();
        for (k, _) in outputs.and_then(Yaml::as_map).unwrap_or(&[]) {
            if let Some(k) = k.as_str() {
                if !names.iter().any(|n| n == k) {
                    names.push(k.to_string());
                }
            }
        }
        for out in names {
            let actions = outputs
                .and_then(|o| o.get(&out))
                .and_then(|o| o.get("actions"));
            let target = self.chain(actions, next.clone(), ctx);
            branches.push((out, target));
        }
        if branches.is_empty() {
            let target = self.or_end(next, ctx);
            branches.push(("next".to_string(), target));
        }
        let detail = body
            .get("condition")
            .and_then(|c| c.get("exp").or(c.get("lit")))
            .and_then(Yaml::as_str)
            .map(|c| format!(": {}", self.template.restore(c)))
            .unwrap_or_default();
        let outcomes: Vec<&str> = branches.iter().map(|(b, _)| b.as_str()).collect();
        self.note(
            origin.line,
            format!(
                "`{name}` ({ty}) is an opaque step; the walk tries every outcome: {}",
                outcomes.join(", ")
            ),
        );
        self.push(
            id.clone(),
            IrKind::Opaque {
                text: format!("{ty} `{name}`{detail}"),
                branches,
            },
            origin,
        );
        id
    }

    fn speech(&self, v: Option<&Yaml>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let add = |terms: &[Yaml], out: &mut Vec<String>| {
            for t in terms {
                if let Some(t) = t.as_str() {
                    let phrase = regex::escape(self.template.restore(t).trim());
                    if !phrase.is_empty() && !out.contains(&phrase) {
                        out.push(phrase);
                    }
                }
            }
        };
        let Some(v) = v else { return out };
        if let Some(items) = v.as_seq() {
            add(items, &mut out);
        }
        for (_, language) in v.as_map().unwrap_or(&[]) {
            if let Some(items) = language.as_seq() {
                add(items, &mut out);
            } else {
                add(seq(language.get("terms")), &mut out);
            }
        }
        out
    }

    fn build_menu(&mut self, index: usize) {
        let (menu_id, body, key) = (
            self.menus[index].id.clone(),
            self.menus[index].body,
            self.menus[index].key,
        );
        let refid = self.text(body.get("refId"));
        let name = self
            .text(body.get("name"))
            .unwrap_or_else(|| menu_id.clone());
        let label = format!("menu `{name}`");
        let prompt = self.audio(body.get("audio"), &label, key.pos.line);
        let menu_origin = self.origin(key, refid.as_deref().unwrap_or(&name), "menu");
        // The menu goes in before the steps its choices and handlers lead
        // to: where one export position yields several findings of a code,
        // the first node's is kept, and that should be the menu's.
        let menu_at = self.push(
            menu_id.clone(),
            IrKind::Menu {
                prompt,
                options: Vec::new(),
                no_input: None,
                no_match: None,
                save: None,
            },
            menu_origin.clone(),
        );
        let mut options = Vec::new();
        // Every choice's `refId` and name with where it leads, for the
        // menu's default choice (`defaultChildMenuRef`), which may name a
        // choice no caller can pick by key.
        let mut choice_targets: Vec<(Option<String>, String, String)> = Vec::new();
        let several_menus = self.menus.len() > 1;
        for item in seq(body.get("choices")) {
            let Some((ty, cbody, ckey)) = single(item) else {
                self.note(
                    item.pos.line,
                    format!("{label}: a choice that is not `- type: {{...}}` was skipped"),
                );
                continue;
            };
            let cname = self
                .text(cbody.get("name"))
                .unwrap_or_else(|| ty.to_string());
            let line = ckey.pos.line;
            let key = match dtmf(cbody.get("dtmf")) {
                Ok(k) => k,
                Err(NotAKey(raw)) => {
                    self.note(line, format!("{label}: choice `{cname}` has `dtmf: {raw}`, not a key: it is offered by speech only"));
                    None
                }
            };
            let speech = self.speech(cbody.get("speechRecTerms"));
            if several_menus && cbody.get("globalDtmf").and_then(Yaml::as_str) == Some("true") {
                self.note(line, format!("{label}: choice `{cname}` is global (`globalDtmf: true`) but is modelled in its own menu only"));
            }
            let origin = self.origin(ckey, &cname, ty);
            let option_origin = origin.clone();
            let base = format!("{menu_id}__{}", ir::node_id(&cname));
            let goto = match ty {
                "menuDisconnect" => {
                    let id = self.alloc(&base);
                    // The choice's name labels the option; the disconnect
                    // itself says nothing. The hang-up is no step of the
                    // export but the end this choice of the menu makes, so
                    // it is the menu's (at the choice's position): what is
                    // said of it, such as that no path reaches it, is said
                    // once, of the menu.
                    let ending = Origin {
                        action: menu_origin.action.clone(),
                        platform_type: menu_origin.platform_type.clone(),
                        ..origin
                    };
                    self.push(
                        id.clone(),
                        IrKind::Hangup {
                            text: String::new(),
                        },
                        ending,
                    );
                    id
                }
                t if is_transfer(t) => {
                    let queue = transfer_target(ty, cbody, &cname, self.template);
                    let pre = self.audio(
                        cbody.get("preTransferAudio"),
                        &format!("choice `{cname}`"),
                        line,
                    );
                    let pre = Some(pre).filter(|t| !t.is_empty());
                    let id = self.alloc(&base);
                    self.transfer_nodes(id, queue, pre, origin)
                }
                "menuTask" | "menuJumpToTask" if entry(cbody, "task").is_some() => {
                    let (tkey, task) = entry(cbody, "task").expect("checked");
                    let ctx = Ctx {
                        prefix: ir::node_id(&cname),
                        label: format!("the task of choice `{cname}` in {label}"),
                        origin: self.origin(tkey, &cname, "task"),
                    };
                    self.chain(task.get("actions"), None, &ctx)
                }
                "menuTask" | "menuJumpToTask" => {
                    let raw = self.text(cbody.get("targetTaskRef")).unwrap_or_default();
                    self.link(&raw, Some(RefKind::Task), origin)
                }
                "menuJumpToMenu" => {
                    let raw = self.text(cbody.get("targetMenuRef")).unwrap_or_default();
                    self.link(&raw, Some(RefKind::Menu), origin)
                }
                "menuSubMenu" => match entry(cbody, "menu") {
                    Some((_, sub)) => {
                        let found = self
                            .menus
                            .iter()
                            .find(|m| std::ptr::eq(m.body, sub))
                            .map(|m| m.id.clone());
                        found.unwrap_or_else(|| menu_id.clone())
                    }
                    None => {
                        let raw = self.text(cbody.get("targetMenuRef")).unwrap_or_default();
                        self.link(&raw, Some(RefKind::Menu), origin)
                    }
                },
                "menuRepeat" | "menuRepeatMenu" => menu_id.clone(),
                "menuPreviousMenu" => {
                    let id = self.alloc(&base);
                    let at = self.push(
                        id.clone(),
                        IrKind::Opaque {
                            text: "previous menu".to_string(),
                            branches: Vec::new(),
                        },
                        origin,
                    );
                    self.previous.push((at, menu_id.clone()));
                    id
                }
                _ => {
                    let id = self.alloc(&base);
                    self.note(
                        line,
                        format!("{label}: choice `{cname}` ({ty}) is not modelled: an opaque step with no outcome"),
                    );
                    self.push(
                        id.clone(),
                        IrKind::Opaque {
                            text: format!("{ty} `{cname}`"),
                            branches: Vec::new(),
                        },
                        origin,
                    );
                    id
                }
            };
            choice_targets.push((self.text(cbody.get("refId")), cname.clone(), goto.clone()));
            if key.is_none() && speech.is_empty() {
                self.note(
                    line,
                    format!("{label}: choice `{cname}` has neither a DTMF key nor speech terms, so no caller can choose it; it is left out"),
                );
                continue;
            }
            options.push(IrOption {
                key,
                label: Some(cname),
                speech,
                goto,
                origin: Some(option_origin),
            });
        }
        let default_choice = self.default_choice(body, &label, &choice_targets);
        let handler = self.handlers(body, &label, &menu_id, default_choice, menu_origin);
        if let IrKind::Menu {
            options: menu_options,
            no_input,
            no_match,
            ..
        } = &mut self.nodes[menu_at].kind
        {
            *menu_options = options;
            *no_input = Some(handler.clone());
            *no_match = Some(handler);
        }
    }

    /// `menuPreviousMenu` goes back to whichever menu led here: one branch
    /// per menu that has a choice leading to this one.
    fn fill_previous_menus(&mut self) {
        let menu_ids: HashSet<&str> = self.menus.iter().map(|m| m.id.as_str()).collect();
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for node in &self.nodes {
            if let IrKind::Menu { options, .. } = &node.kind {
                for o in options {
                    if o.goto != node.id && menu_ids.contains(o.goto.as_str()) {
                        let list = parents.entry(o.goto.clone()).or_default();
                        if !list.contains(&node.id) {
                            list.push(node.id.clone());
                        }
                    }
                }
            }
        }
        for (at, menu) in std::mem::take(&mut self.previous) {
            let callers = parents.get(&menu).cloned().unwrap_or_default();
            let line = self.nodes[at].origin.line;
            if callers.is_empty() {
                self.note(line, format!("`previous menu` in menu `{menu}`: no menu leads to it, so where it goes is unknown (an opaque step with no outcome)"));
            } else if callers.len() > 1 {
                self.note(line, format!("`previous menu` in menu `{menu}`: several menus lead to it ({}); each is a branch", callers.join(", ")));
            }
            if let IrKind::Opaque { branches, .. } = &mut self.nodes[at].kind {
                branches.extend(callers.into_iter().map(|c| (format!("back to {c}"), c)));
            }
        }
    }

    /// Notes every value left `NOT_SET` (an Architect reference nobody
    /// filled in, such as `ToScheduleGroup(NOT_SET)`).
    fn note_unfilled(&mut self, v: &Yaml, field: &str, owner: Option<String>) {
        match &v.value {
            YamlValue::Scalar { text, .. } if text.contains("NOT_SET") => {
                let owner = owner.map(|o| format!(" of `{o}`")).unwrap_or_default();
                let text = self.template.restore(text);
                self.note(
                    v.pos.line,
                    format!("`{field}`{owner} is `{text}`: an unfilled placeholder (nothing was chosen in Architect)"),
                );
            }
            YamlValue::Seq(items) => {
                for item in items {
                    self.note_unfilled(item, field, owner.clone());
                }
            }
            YamlValue::Map(entries) => {
                let owner = self.text(v.get("name")).or(owner);
                for (k, val) in entries {
                    let key = k.as_str().unwrap_or("");
                    let field =
                        if matches!(key, "exp" | "lit" | "name" | "value") && !field.is_empty() {
                            field
                        } else {
                            key
                        };
                    self.note_unfilled(val, field, owner.clone());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_in_expressions() {
        assert_eq!(
            variables_in("Flow.ConversationId[0] + ToString(Task.count) + MyFlow.x + Call.Ani"),
            ["Flow.ConversationId", "Task.count"]
        );
        assert!(variables_in("Flow.").is_empty());
    }
    use std::path::PathBuf;

    fn one(text: &str) -> Imported {
        import(&[("flow.yaml".to_string(), text.to_string())]).expect("imports")
    }

    fn node<'f>(flow: &'f IrFlow, id: &str) -> &'f IrNode {
        flow.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| {
            panic!(
                "no node `{id}` in {:?}",
                flow.nodes.iter().map(|n| &n.id).collect::<Vec<_>>()
            )
        })
    }

    fn options(flow: &IrFlow, id: &str) -> Vec<IrOption> {
        match &node(flow, id).kind {
            IrKind::Menu { options, .. } => options.clone(),
            other => panic!("`{id}` is not a menu: {other:?}"),
        }
    }

    /// Where each outcome of an opaque step leads, by the outcome's name.
    fn outcomes<'f>(flow: &'f IrFlow, id: &str) -> HashMap<&'f str, &'f str> {
        match &node(flow, id).kind {
            IrKind::Opaque { branches, .. } => branches
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect(),
            other => panic!("`{id}` is not opaque: {other:?}"),
        }
    }

    fn goto(flow: &IrFlow, menu: &str, key: &str) -> String {
        options(flow, menu)
            .into_iter()
            .find(|o| o.key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no key {key} in {menu}"))
            .goto
    }

    /// Where a menu whose repeats ran out ends up: its handler's step calls
    /// the flow-wide error handler, a flow of its own; this is that flow's
    /// first step.
    fn error_handler<'f>(imported: &'f Imported, flow: &IrFlow, then: &str) -> &'f IrKind {
        let IrKind::Call { flow: callee, next } = &node(flow, then).kind else {
            panic!("`{then}` should call the error handler")
        };
        assert_eq!(*next, None, "nothing follows the error handler");
        let handler = imported
            .flows
            .iter()
            .find(|f| &f.id == callee)
            .unwrap_or_else(|| panic!("no flow `{callee}`"));
        &node(handler, &handler.start).kind
    }

    /// Every node each flow names exists, and emitting the flows gives
    /// YAML that the loader reads as one set.
    fn well_formed(imported: &Imported) {
        for flow in &imported.flows {
            well_formed_flow(flow);
        }
        let documents: Vec<(String, String)> = imported
            .flows
            .iter()
            .map(|flow| (format!("{}.yaml", flow.id), super::super::emit(flow)))
            .collect();
        let source = PathBuf::from(&imported.flows[0].source);
        if let Err(e) = crate::loader::load_texts(source, &documents) {
            panic!("{}\n{:?}", e.plain_lines().join("\n"), documents);
        }
    }

    fn well_formed_flow(flow: &IrFlow) {
        let ids: HashSet<&str> = flow.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids.len(), flow.nodes.len(), "duplicate node ids");
        assert!(
            ids.contains(flow.start.as_str()),
            "start `{}` missing",
            flow.start
        );
        for n in &flow.nodes {
            let mut kind = n.kind.clone();
            for t in kind.targets_mut() {
                assert!(
                    ids.contains(t.as_str()),
                    "`{}` points at missing `{t}`",
                    n.id
                );
            }
            assert!(n.origin.line > 0 && n.origin.column > 0);
        }
    }

    const MENUS: &str = r#"inboundCall:
  name: Acme Main
  startUpRef: "/inboundCall/menus/menu[Main_1]"
  defaultLanguage: en-us
  settingsErrorHandling:
    errorHandling:
      disconnect:
        none: true
    preHandlingAudio:
      tts: Sorry, something went wrong. Goodbye.
  settingsMenu:
    repeatCount:
      lit: 2
  menus:
    - menu:
        name: Main Menu
        refId: Main_1
        audio:
          tts: <speak>For billing press 1. <break time="1s"/>For support press 2.</speak> To hear this again press star. For the operator press pound. Say agent.
        settingsMenu:
          repeatCount:
            noValue: true
        choices:
          - menuTransferToAcd:
              name: Billing
              dtmf: digit_1
              targetQueue:
                lit:
                  name: Billing Queue
              preTransferAudio:
                tts: Transferring you to billing.
          - menuSubMenu:
              name: Support
              dtmf: digit_2
              menu:
                name: Support Menu
                refId: Support_2
                audio:
                  exp: Append(ToAudioTTS("Press 1 for internet."), ToAudioBlank(500), ToAudioTTS("Press 9 to go back. Press 0 to hear this again."))
                settingsMenu:
                  repeatCount:
                    lit: 1
                choices:
                  - menuTask:
                      name: Internet
                      dtmf: digit_1
                      targetTaskRef: "/inboundCall/tasks/task[Internet_5]"
                  - menuPreviousMenu:
                      name: Back
                      dtmf: digit_9
                  - menuRepeat:
                      name: Again
                      dtmf: digit_0
          - menuRepeatMenu:
              name: Repeat
              dtmf: digit_star
          - menuJumpToMenu:
              name: Operator
              dtmf: digit_pound
              targetMenuRef: "/inboundCall/menus/menu[Support_2]"
          - menuDisconnect:
              name: Agent (please)
              speechRecTerms:
                en-us:
                  terms:
                    - agent
                    - operator?
  tasks:
    - task:
        name: Internet Task
        refId: Internet_5
        actions:
          - playAudio:
              name: Say outage
              audio:
                tts: There is an outage in your area.
          - disconnect:
              name: Bye
"#;

    #[test]
    fn menus_and_choice_kinds() {
        let imported = one(MENUS);
        let flow = &imported.flows[0];
        well_formed(&imported);
        assert_eq!(flow.id, "Acme_Main");
        assert_eq!(flow.title, "Acme Main");
        assert_eq!(flow.start, "Main_1");
        let main = node(flow, "Main_1");
        assert_eq!(main.origin.platform_type, "menu");
        assert_eq!(main.origin.action, "Main_1");
        assert_eq!((main.origin.line, main.origin.column), (15, 7));
        let IrKind::Menu {
            prompt,
            no_input,
            no_match,
            ..
        } = &main.kind
        else {
            panic!()
        };
        assert_eq!(
            prompt,
            "For billing press 1. For support press 2. To hear this again press star. For the operator press pound. Say agent."
        );
        // A repeat count of 2 is two plays of the prompt: one retry.
        let handler = IrHandler {
            retries: 1,
            then: "Main_1__repeats_run_out".to_string(),
        };
        assert_eq!(no_input.as_ref(), Some(&handler));
        assert_eq!(no_match.as_ref(), Some(&handler));
        match error_handler(&imported, flow, &handler.then) {
            IrKind::Hangup { text } => assert_eq!(text, "Sorry, something went wrong. Goodbye."),
            other => panic!("{other:?}"),
        }

        let opts = options(flow, "Main_1");
        let keys: Vec<Option<&str>> = opts.iter().map(|o| o.key.as_deref()).collect();
        assert_eq!(keys, [Some("1"), Some("2"), Some("*"), Some("#"), None]);
        assert_eq!(opts[0].label.as_deref(), Some("Billing"));
        // menuTransferToAcd: pre-transfer audio, then the queue.
        let billing = node(flow, &opts[0].goto);
        assert_eq!(billing.origin.platform_type, "menuTransferToAcd");
        let IrKind::Say {
            text,
            next: Some(next),
        } = &billing.kind
        else {
            panic!("{billing:?}")
        };
        assert_eq!(text, "Transferring you to billing.");
        assert_eq!(
            node(flow, next).kind,
            IrKind::Transfer {
                queue: "Billing Queue".to_string()
            }
        );
        // menuSubMenu with the sub-menu inline; menuRepeatMenu; menuJumpToMenu.
        assert_eq!(opts[1].goto, "Support_2");
        assert_eq!(opts[2].goto, "Main_1");
        assert_eq!(opts[3].goto, "Support_2");
        // Speech-only disconnect, terms escaped as regexes; the choice's
        // name labels the option and the disconnect says nothing.
        assert_eq!(opts[4].speech, ["agent", "operator\\?"]);
        assert_eq!(opts[4].label.as_deref(), Some("Agent (please)"));
        assert_eq!(
            node(flow, &opts[4].goto).kind,
            IrKind::Hangup {
                text: String::new()
            }
        );

        // The sub-menu: its own repeat count, TTS from an expression.
        let IrKind::Menu {
            prompt, no_input, ..
        } = &node(flow, "Support_2").kind
        else {
            panic!()
        };
        assert_eq!(
            prompt,
            "Press 1 for internet. Press 9 to go back. Press 0 to hear this again."
        );
        // Its own repeat count, 1: the prompt plays once, no retry.
        assert_eq!(no_input.as_ref().map(|h| h.retries), Some(0));
        // menuTask with targetTaskRef: the task's first action.
        let internet = goto(flow, "Support_2", "1");
        assert_eq!(internet, "Internet_Task__Say_outage");
        let IrKind::Say {
            next: Some(bye), ..
        } = &node(flow, &internet).kind
        else {
            panic!()
        };
        assert_eq!(
            node(flow, bye).kind,
            IrKind::Hangup {
                text: String::new()
            }
        );
        assert_eq!(node(flow, bye).origin.platform_type, "disconnect");
        // menuPreviousMenu: back to the menu that leads here.
        match &node(flow, &goto(flow, "Support_2", "9")).kind {
            IrKind::Opaque { branches, .. } => assert_eq!(
                branches,
                &[("back to Main_1".to_string(), "Main_1".to_string())]
            ),
            other => panic!("{other:?}"),
        }
        // menuRepeat
        assert_eq!(goto(flow, "Support_2", "0"), "Support_2");
        assert!(
            imported.notes.iter().all(|n| !n.contains("placeholder")),
            "{:?}",
            imported.notes
        );
    }

    const TASKS: &str = r#"inboundCall:
  name: Tasks
  startUpRef: /inboundCall/tasks/task[Start_1]
  initialGreeting:
    tts: Welcome to Acme.
  settingsErrorHandling:
    errorHandling:
      transferToAcd:
        targetQueue:
          lit:
            name: Fallback
  settingsMenu:
    repeatCount:
      lit: 3
  menus:
    - menu:
        name: Main
        refId: Main_2
        audio:
          tts: Press 1 for hours.
        choices:
          - menuJumpToTask:
              name: Hours
              dtmf: digit_1
              targetTaskRef: /inboundCall/tasks/task[Hours_3]
  tasks:
    - task:
        name: Start
        refId: Start_1
        actions:
          - setParticipantData:
              name: Remember
          - evaluateScheduleGroup:
              name: Open?
              scheduleGroup:
                exp: ToScheduleGroup(NOT_SET)
              outputs:
                closed:
                  actions:
                    - playAudio:
                        name: Closed
                        audio:
                          tts: We are closed.
                    - disconnect:
                        name: Closed bye
          - decision:
              name: VIP?
              condition:
                exp: Call.Ani == "+15551234"
              outputs:
                "yes":
                  actions:
                    - transferToAcd:
                        name: VIP line
                        targetQueue:
                          lit:
                            name: VIP
                "no":
                  actions:
                    - jumpToTask:
                        name: To hours
                        targetTaskRef: /inboundCall/tasks/task[Hours_3]
          - jumpToMenu:
              name: To main
              targetMenuRef: /inboundCall/menus/menu[Main_2]
    - task:
        name: Hours
        refId: Hours_3
        actions:
          - callData:
              name: Lookup
              outputs:
                failure:
                  actions:
                    - disconnect:
                        name: Lookup failed
          - switch:
              name: Route
              evaluate:
                firstTrue:
                  cases:
                    - case:
                        value:
                          exp: Task.x == 1
                        actions:
                          - transferToAcd:
                              name: Sales
                              targetQueue:
                                lit:
                                  name: Sales
                              outputs:
                                failure:
                                  actions:
                                    - playAudio:
                                        name: Sales busy
                                        audio:
                                          tts: Sales is busy.
                  default:
                    actions:
                      - playAudio:
                          name: Hours info
                          audio:
                            tts: We open at nine.
"#;

    #[test]
    fn tasks_jumps_transfers_and_opaque_steps() {
        let imported = one(TASKS);
        let flow = &imported.flows[0];
        well_formed(&imported);
        // The greeting comes first, then startUpRef.
        assert_eq!(flow.start, "initial_greeting");
        let IrKind::Say {
            text,
            next: Some(first),
        } = &node(flow, "initial_greeting").kind
        else {
            panic!()
        };
        assert_eq!(text, "Welcome to Acme.");
        assert_eq!(first, "Start__Remember");
        // setParticipantData: opaque with the single outcome `next`.
        let remember = node(flow, "Start__Remember");
        assert_eq!(remember.origin.platform_type, "setParticipantData");
        let IrKind::Opaque { branches, .. } = &remember.kind else {
            panic!()
        };
        assert_eq!(
            branches,
            &[("next".to_string(), "Start__Open_".to_string())]
        );
        // evaluateScheduleGroup: every outcome, the listed one through its actions.
        let outcome = outcomes(flow, "Start__Open_");
        assert_eq!(outcome["open"], "Start__VIP_");
        assert_eq!(outcome["holiday"], "Start__VIP_");
        assert_eq!(outcome["emergency"], "Start__VIP_");
        assert_eq!(outcome["closed"], "Start__Closed");
        // decision: yes → transfer (last in its branch, but the task goes on: opaque transferred/failure).
        let IrKind::Opaque { text, .. } = &node(flow, "Start__VIP_").kind else {
            panic!()
        };
        assert!(text.contains("Call.Ani == \"+15551234\""), "{text}");
        let outcome = outcomes(flow, "Start__VIP_");
        assert_eq!(
            outcome["no"], "Hours__Lookup",
            "jumpToTask links to the task's first step"
        );
        let IrKind::Opaque { branches: vip, .. } = &node(flow, outcome["yes"]).kind else {
            panic!()
        };
        assert_eq!(vip[0].0, "transferred");
        assert_eq!(
            node(flow, &vip[0].1).kind,
            IrKind::Transfer {
                queue: "VIP".to_string()
            }
        );
        assert_eq!(
            vip[1],
            ("failure".to_string(), "Main_2".to_string()),
            "a failed transfer goes on to the jump"
        );
        // The menu's task choice.
        assert_eq!(goto(flow, "Main_2", "1"), "Hours__Lookup");
        // errorHandling transferToAcd.
        let IrKind::Menu {
            no_match: Some(h), ..
        } = &node(flow, "Main_2").kind
        else {
            panic!()
        };
        assert_eq!(h.retries, 2, "three plays of the prompt: two retries");
        assert_eq!(
            *error_handler(&imported, flow, &h.then),
            IrKind::Transfer {
                queue: "Fallback".to_string()
            }
        );
        // callData: success and timeout go on, failure disconnects.
        let outcome = outcomes(flow, "Hours__Lookup");
        assert_eq!(outcome["success"], "Hours__Route");
        assert_eq!(outcome["timeout"], "Hours__Route");
        assert_eq!(outcome["failure"], "Hours__Lookup_failed");
        // switch: cases and default; the task's end is a generated hang-up.
        let IrKind::Opaque { branches, .. } = &node(flow, "Hours__Route").kind else {
            panic!()
        };
        assert_eq!(branches[0].0, "case 1: Task.x == 1");
        assert_eq!(
            branches[1],
            ("default".to_string(), "Hours__Hours_info".to_string())
        );
        let IrKind::Say {
            next: Some(end), ..
        } = &node(flow, "Hours__Hours_info").kind
        else {
            panic!()
        };
        assert_eq!(end, "Hours__end");
        assert!(matches!(node(flow, end).kind, IrKind::Hangup { .. }));
        assert_eq!(node(flow, end).origin.platform_type, "task");
        let IrKind::Opaque {
            branches: sales, ..
        } = &node(flow, &branches[0].1).kind
        else {
            panic!()
        };
        assert_eq!(
            sales[1],
            ("failure".to_string(), "Hours__Sales_busy".to_string())
        );

        let notes = imported.notes.join("\n");
        for expected in [
            "`Remember` (setParticipantData) is an opaque step",
            "`Open?` (evaluateScheduleGroup) is an opaque step; the walk tries every outcome: open, closed, holiday, emergency",
            "`VIP?` (decision)",
            "`Lookup` (callData)",
            "`Route` (switch)",
            "`scheduleGroup` of `Open?` is `ToScheduleGroup(NOT_SET)`: an unfilled placeholder",
            "task `Hours` can run out of actions",
            "transfer action(s) go on when the transfer fails",
        ] {
            assert!(notes.contains(expected), "missing note `{expected}` in:\n{notes}");
        }
    }

    #[test]
    fn placeholders_keep_lines_and_come_back() {
        let text = r#"inboundCall:
  name: "{{flow_name}}"
  startUpRef: "/inboundCall/menus/menu[M_1]"
  initialGreeting:
    tts: {{greeting}}
  settingsErrorHandling:
    errorHandling:
      disconnect:
        none: true
    preHandlingAudio:
      tts: {{ivr failure}} and {{ivr failure}}
  settingsMenu:
    repeatCount:
      lit: {{repeat}}
  menus:
    - menu:
        name: M
        refId: M_1
        audio:
          exp: AudioPlaybackOptions(ToAudioTTS("Press 1 for {{dept}}."), false)
        choices:
          - menuTransferToAcd:
              name: Dept
              dtmf: digit_1
              targetQueue:
                {{queue_key}}:
                  name: {{queue}}
"#;
        let neutral = Template::neutralize(text);
        assert_eq!(neutral.text.lines().count(), text.lines().count());
        for (a, b) in neutral.text.lines().zip(text.lines()) {
            assert_eq!(a.chars().count(), b.chars().count());
        }
        let imported = one(text);
        let flow = &imported.flows[0];
        well_formed(&imported);
        assert_eq!(flow.title, "{{flow_name}}");
        assert_eq!(flow.id, "__flow_name__");
        let IrKind::Say { text: greeting, .. } = &node(flow, "initial_greeting").kind else {
            panic!()
        };
        assert_eq!(greeting, "{{greeting}}");
        let IrKind::Menu {
            prompt,
            no_input: Some(h),
            ..
        } = &node(flow, "M_1").kind
        else {
            panic!()
        };
        assert_eq!(prompt, "Press 1 for {{dept}}.");
        assert_eq!(
            h.retries,
            DEFAULT_REPEAT_COUNT - 1,
            "a placeholder count falls back to the default"
        );
        assert_eq!(node(flow, "M_1").origin.line, 16);
        assert_eq!(
            *error_handler(&imported, flow, &h.then),
            IrKind::Hangup {
                text: "{{ivr failure}} and {{ivr failure}}".to_string()
            }
        );
        assert_eq!(
            node(flow, &goto(flow, "M_1", "1")).kind,
            IrKind::Transfer {
                queue: "{{queue}}".to_string()
            }
        );
        let notes = imported.notes.join("\n");
        assert!(
            notes.contains(
                "flow.yaml: Terraform template placeholders, read as opaque text: {{flow_name}}, {{greeting}}, {{ivr failure}}, {{repeat}}, {{dept}}, {{queue_key}}, {{queue}}"
            ),
            "{notes}"
        );
        assert!(
            notes.contains("`settingsMenu.repeatCount` is `{{repeat}}`, not a number"),
            "{notes}"
        );
    }

    #[test]
    fn defaults_missing_refs_loops_and_errors() {
        let text = r#"inboundCall:
  name: Bare
  menus:
    - menu:
        name: Only
        refId: Only_1
        audio:
          prompt: Prompt.Welcome
        choices:
          - menuJumpToMenu:
              name: Nowhere
              dtmf: digit_1
              targetMenuRef: /inboundCall/menus/menu[Gone_9]
          - menuTask:
              name: Loop
              dtmf: digit_2
              targetTaskRef: /inboundCall/tasks/task[A_1]
          - menuDialByExtension:
              name: Extension
              dtmf: digit_3
          - menuDisconnect:
              name: Unreachable
          - menuPreviousMenu:
              name: Back
              dtmf: digit_4
  tasks:
    - task:
        name: A
        refId: A_1
        actions:
          - jumpToTask:
              targetTaskRef: /inboundCall/tasks/task[B_2]
    - task:
        name: B
        refId: B_2
        actions:
          - jumpToTask:
              targetTaskRef: /inboundCall/tasks/task[A_1]
"#;
        let imported = one(text);
        let flow = &imported.flows[0];
        well_formed(&imported);
        assert_eq!(flow.start, "Only_1");
        let IrKind::Menu {
            no_input: Some(h),
            options,
            ..
        } = &node(flow, "Only_1").kind
        else {
            panic!()
        };
        assert_eq!(h.retries, DEFAULT_REPEAT_COUNT - 1);
        assert!(matches!(node(flow, &h.then).kind, IrKind::Hangup { .. }));
        assert_eq!(
            options.len(),
            4,
            "the choice without key or speech is left out"
        );
        assert!(
            matches!(&node(flow, &options[0].goto).kind, IrKind::Opaque { branches, .. } if branches.is_empty())
        );
        let looped = node(flow, &options[1].goto);
        assert_eq!(
            looped.kind,
            IrKind::Say {
                text: "task `A` jumps to itself".to_string(),
                next: Some(looped.id.clone())
            }
        );
        assert!(
            matches!(&node(flow, &options[2].goto).kind, IrKind::Opaque { branches, .. } if branches.is_empty())
        );
        let notes = imported.notes.join("\n");
        for expected in [
            "no `startUpRef`: the flow is taken to start at `Only_1`",
            "no flow-wide `settingsMenu.repeatCount`",
            "no `settingsErrorHandling`",
            "audio `Prompt.Welcome` is not text",
            "refers to `/inboundCall/menus/menu[Gone_9]`, which names no menu, task or state of this export",
            "only jumps between tasks",
            "choice `Extension` (menuDialByExtension) is not modelled",
            "choice `Unreachable` has neither a DTMF key nor speech terms",
            "`previous menu` in menu `Only_1`: no menu leads to it",
        ] {
            assert!(
                notes.contains(expected),
                "missing note `{expected}` in:\n{notes}"
            );
        }

        let err = import(&[(
            "bad.yaml".to_string(),
            "inboundCall:\n  name: [unclosed\n".to_string(),
        )])
        .unwrap_err();
        assert_eq!(err.file, "bad.yaml");
        assert!(err.line >= 2, "{err}");
        let err =
            import(&[("wf.yaml".to_string(), "workflow:\n  name: x\n".to_string())]).unwrap_err();
        assert!(err.message.contains("wf.yaml (`workflow`)"), "{err}");
        assert!(import(&[]).is_err());
    }

    #[test]
    fn several_files_get_distinct_ids() {
        let text = "inboundCall:\n  name: Same\n  menus:\n    - menu:\n        refId: M\n        audio:\n          tts: Press 1.\n        choices:\n          - menuDisconnect:\n              dtmf: digit_1\n";
        let imported = import(&[
            ("a.yaml".to_string(), text.to_string()),
            ("b.yaml".to_string(), text.to_string()),
        ])
        .unwrap();
        let ids: Vec<&str> = imported.flows.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["Same", "Same_2"]);
        assert_eq!(imported.flows[1].source, "b.yaml");
    }
}

#[cfg(test)]
mod default_choice_tests {
    use super::*;

    fn menu_handlers(imported: &Imported, menu: &str) -> (IrHandler, IrHandler) {
        let node = imported.flows[0]
            .nodes
            .iter()
            .find(|n| n.id == menu)
            .expect("the menu is imported");
        match &node.kind {
            IrKind::Menu {
                no_input: Some(i),
                no_match: Some(m),
                ..
            } => (i.clone(), m.clone()),
            other => panic!("not a menu with handlers: {other:?}"),
        }
    }

    const FLOW: &str = r#"inboundCall:
  name: Admin Line
  startUpRef: "/inboundCall/menus/menu[Main_1]"
  settingsErrorHandling:
    errorHandling:
      disconnect:
        none: true
    preHandlingAudio:
      tts: Sorry, an error occurred.
  menus:
    - menu:
        name: Main
        refId: Main_1
        audio:
          tts: Press 1 to continue.
        choices:
          - menuJumpToTask:
              name: Continue
              refId: Continue_2
              dtmf: digit_1
              targetTaskRef: "/inboundCall/tasks/task[Work_3]"
        defaultChildMenuRef: "./choices/menuJumpToTask[DEFAULT]"
  tasks:
    - task:
        name: Work
        refId: Work_3
        actions:
          - playAudio:
              name: Done
              audio:
                tts: Done. Goodbye.
          - disconnect:
              name: Bye
"#;

    /// The default choice, named by its `refId`, is where silence and
    /// wrong keys go once the prompt has played its repeat count (3 by
    /// default: two retries); the flow's error handling is not used.
    #[test]
    fn a_default_choice_takes_over_when_the_repeats_run_out() {
        let imported = import(&[(
            "flow.yaml".to_string(),
            FLOW.replace("DEFAULT", "Continue_2"),
        )])
        .expect("imports");
        let (no_input, no_match) = menu_handlers(&imported, "Main_1");
        assert_eq!(no_input, no_match);
        assert_eq!(no_input.retries, 2);
        assert_eq!(no_input.then, "Work__Done");
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("takes the default choice `Continue`")));
    }

    /// A default choice that names none of the menu's choices is said in a
    /// note, and the flow's error handling stays the way out.
    #[test]
    fn an_unknown_default_choice_is_noted_and_error_handling_stays() {
        let imported = import(&[("flow.yaml".to_string(), FLOW.replace("DEFAULT", "Gone_9"))])
            .expect("imports");
        let (no_input, _) = menu_handlers(&imported, "Main_1");
        assert_eq!(no_input.then, "Main_1__repeats_run_out");
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("names none of its choices")));
    }

    /// A `startUpRef` that names no menu, task or state is refused where it
    /// is written, not imported as a start that goes nowhere.
    #[test]
    fn a_start_that_names_nothing_is_refused_at_its_line() {
        let text = FLOW.replace(
            "startUpRef: \"/inboundCall/menus/menu[Main_1]\"",
            "startUpRef: \"/inboundCall/states/state[Gone_7]\"",
        );
        let err = import(&[("flow.yaml".to_string(), text)]).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.line, err.column),
            ("flow.yaml", 3, 15)
        );
        assert!(
            err.message
                .contains("`startUpRef` is `/inboundCall/states/state[Gone_7]`, which names no menu, task or state"),
            "{}",
            err.message
        );
    }
}
