//! Amazon Connect contact flows (flow language 2019-10-30) into [`super::ir`].
//!
//! An export is `{Version, StartAction, Metadata, Actions[]}`; each action
//! has `Identifier`, `Type`, `Parameters` and `Transitions {NextAction,
//! Conditions[], Errors[]}`. Exports made with `describe-contact-flow` wrap
//! the flow as a JSON string in a `Content` field (at the top level or under
//! `ContactFlow`): it is decoded twice.
//!
//! One flow per file. Its id is `Metadata.name`, else the wrapper's `Name`,
//! else the file stem, made safe with [`node_id`]. Node ids are the
//! actions' `Identifier`s, made safe the same way; nodes the importer adds
//! are named after their action (`<id>__queue`, `<id>__flow`, `<id>__2`).
//! Every node points at the line and column of its action's `"Identifier"`
//! key (at the `"Content"` key for a wrapped export).
//!
//! How actions map:
//!
//! | action | node |
//! |---|---|
//! | `MessageParticipant` | `say` (Text, SSML without tags, or a recorded prompt) |
//! | `MessageParticipantIteratively` | `say`; without `NextAction` an `end` (it repeats until an agent or the queue takes the contact) |
//! | `GetParticipantInput` with key conditions | `menu`: one option per condition; `InputTimeLimitExceeded` (else `NoMatchingError`) is `no_input`, `NoMatchingCondition` (else `NoMatchingError`) is `no_match` |
//! | `GetParticipantInput` storing input | `ask`: `pattern` from `MaxDigits`/`MaximumLength` or phone-number validation; `InvalidPhoneNumber`, `NoMatchingCondition` or else `NoMatchingError` is `invalid`; `InputTimeLimitExceeded` is `no_input`, else the `NextAction` (on timeout Connect stores `Timeout` and goes on) |
//! | `GetParticipantInput` with neither | `menu` with no option: `NoMatchingCondition` (else `NoMatchingError`) is `no_match`, every key; `InputTimeLimitExceeded` (else `NoMatchingError`) is `no_input` |
//! | `CheckHoursOfOperation` | `switch` on the variable `hours: [open, closed]` |
//! | `Loop` | unrolled (see [`unroll`]) |
//! | `TransferContactToQueue`, `TransferContactToAgent`, third-party transfers | `transfer`, behind an `opaque` step when it has error branches |
//! | `TransferToFlow` | `call` of the flow when it is among the imported files, else `transfer: flow X`; behind an `opaque` step when it has error branches |
//! | `DisconnectParticipant` | `hangup: ""` (the caller hears nothing) |
//! | `EndFlowExecution` | `end: flow ends` |
//! | `InvokeFlowModule` | `call` of the module when it is among the imported files (by its id, ARN or name), going on at `NextAction` when it returns; else an `opaque` step with a note naming the module; behind an `opaque` step when it has error branches elsewhere |
//! | `EndFlowModuleExecution` | `return` (the Return block: back to the flow that invoked the module); a flow with one, or with a module's `Settings`, is written `module: true`, so its `return` is a way out even when no imported flow invokes it |
//! | `Compare`, Lambda, Lex and every other action of the flow language | `opaque`: each condition, `NextAction` and error is a branch |
//! | a type not of the flow language | `opaque` (or `end` with no transitions), with a note at its position |
//!
//! An error with no branch of its own goes down `NoMatchingError`, the
//! flow language's catch-all ("if no other Error matches").
//!
//! No edge is dropped: a branch that a menu, an ask or a switch cannot
//! carry (a platform error, a `NextAction` beside the conditions) and that
//! leads somewhere the node does not already lead becomes a branch of an
//! `opaque` step at the action's id, in front of the node (`<id>__menu`,
//! `<id>__input`, `<id>__hours`).
//!
//! Nothing is dropped silently: whatever the mapping cannot carry exactly is
//! a line of [`Imported::notes`] naming the file, the `Identifier` and the
//! `Type`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::analysis::announcements::parse_announcements;

use super::ir::{
    node_id, strip_ssml, Imported, IrFlow, IrHandler, IrKind, IrNode, IrOption, NameUse, Origin,
};
use super::kit::json::{entry, key_position, JsonExport};
use super::kit::{unroll, BoundedLoop, LoopNames, UniqueIds};
use super::ImportError;

/// The flow language this importer reads.
const FLOW_LANGUAGE: &str = "2019-10-30";

/// The action types of the flow language that the importer knows, whether
/// it models them or maps them to an `opaque` step. Any other type (one of
/// another tool's format, or a typo) is still imported as an `opaque` step,
/// but with a note that points at it, since what it does is a guess.
const KNOWN_ACTION_TYPES: &[&str] = &[
    "AssociateContactToCustomerProfile",
    "CheckHoursOfOperation",
    "CheckMetricData",
    "CheckOutboundCallStatus",
    "CheckVoiceId",
    "Compare",
    "CompleteOutboundCall",
    "ConnectParticipantWithLexBot",
    "CreateCallbackContact",
    "CreateCase",
    "CreateCustomerProfile",
    "CreateTask",
    "CreateWisdomSession",
    "DequeueContactAndTransferToQueue",
    "DisconnectParticipant",
    "DistributeByPercentage",
    "EndFlowExecution",
    "EndFlowModuleExecution",
    "GetCase",
    "GetCustomerProfile",
    "GetMetricData",
    "GetParticipantInput",
    "InvokeExternalResource",
    "InvokeFlowModule",
    "InvokeLambdaFunction",
    "Loop",
    "MessageParticipant",
    "MessageParticipantIteratively",
    "ResumeContact",
    "SetVoiceId",
    "ShowView",
    "StartOutboundChatContact",
    "TagContact",
    "TransferContactToAgent",
    "TransferContactToQueue",
    "TransferParticipantToThirdParty",
    "TransferToFlow",
    "TransferToThirdParty",
    "UnTagContact",
    "UpdateCase",
    "UpdateContactAttributes",
    "UpdateContactCallbackNumber",
    "UpdateContactData",
    "UpdateContactEventHooks",
    "UpdateContactMediaProcessing",
    "UpdateContactMediaStreamingBehavior",
    "UpdateContactRecordingAndAnalyticsBehavior",
    "UpdateContactRecordingBehavior",
    "UpdateContactRoutingBehavior",
    "UpdateContactTargetQueue",
    "UpdateContactTextToSpeechVoice",
    "UpdateFlowAttributes",
    "UpdateFlowLoggingBehavior",
    "UpdatePreviousContactParticipantState",
    "UpdateRoutingCriteria",
    "Wait",
];

/// How Connect names a `Loop`'s parts.
const LOOP_NAMES: LoopNames<'static> = LoopNames {
    again: "ContinueLooping",
    done: "DoneLooping",
    count: "LoopCount",
};

/// Reads Amazon Connect exports, one flow per file. `TransferToFlow`
/// between the files becomes a `call`.
pub fn import(files: &[(String, String)]) -> Result<Imported, ImportError> {
    let mut exports = Vec::with_capacity(files.len());
    for (path, text) in files {
        exports.push(Export::parse(path, text)?);
    }
    let mut notes = Vec::new();

    // Flow ids, unique in the set.
    let mut taken = UniqueIds::new();
    let mut ids = Vec::with_capacity(exports.len());
    for export in &exports {
        let base = node_id(export.name.as_deref().unwrap_or(&export.stem));
        let id = taken.claim(&base);
        if id != base {
            notes.push(format!(
                "{}: another imported flow is also called `{base}`: this one is `{id}`",
                export.path
            ));
        }
        ids.push(id);
    }

    let calls = plan_calls(&exports, &ids, &mut notes);

    let mut flows = Vec::with_capacity(exports.len());
    for (index, export) in exports.iter().enumerate() {
        let mut builder = Builder::new(export, index, &ids, &calls, &mut notes)?;
        builder.build();
        flows.push(builder.finish());
    }
    Ok(Imported { flows, notes })
}

/// One parsed export file.
struct Export<'a> {
    path: &'a str,
    /// The flow object (`{Version, StartAction, Metadata, Actions}`).
    flow: Value,
    /// The position of each action's `"Identifier"` key, by the action's
    /// place in `Actions` (empty for a wrapped export).
    identifier_at: Vec<Option<(u32, u32)>>,
    /// For a `Content`-wrapped export: the position of the `"Content"` key,
    /// where every node of it points.
    content_at: Option<(u32, u32)>,
    /// `Metadata.name`, else the wrapper's `Name`.
    name: Option<String>,
    stem: String,
    /// Lower-cased names, ARNs and ids a `TransferToFlow` may use for it.
    aliases: Vec<String>,
    /// A flow module: its export carries a module's `Settings` or it has an
    /// `EndFlowModuleExecution` (an action "available only in flow
    /// modules"), so flows invoke it and it returns to them.
    module: bool,
}

impl<'a> Export<'a> {
    fn parse(path: &'a str, text: &'a str) -> Result<Export<'a>, ImportError> {
        let JsonExport { value, tree } = JsonExport::parse(path, text, "not valid JSON")?;
        let (wrapper, wrapper_tree) = if value.get("Content").is_some() {
            (Some(&value), Some(&tree))
        } else {
            (
                value
                    .get("ContactFlow")
                    .filter(|c| c.get("Content").is_some()),
                entry(&tree, "ContactFlow").map(|(_, v)| v),
            )
        };
        // Every node of a wrapped export points at its `"Content"` key.
        let content_key = wrapper_tree
            .and_then(|w| key_position(w, "Content"))
            .unwrap_or((1, 1));
        let mut content_at = None;
        let flow = match wrapper.and_then(|w| w.get("Content")) {
            Some(Value::String(inner)) => {
                let at = content_key;
                content_at = Some(at);
                serde_json::from_str(inner).map_err(|e| ImportError {
                    file: path.to_string(),
                    line: at.0,
                    column: at.1,
                    message: format!(
                        "the `Content` string is not a valid contact flow: {e} (inside the string)"
                    ),
                })?
            }
            Some(other) => {
                content_at = Some(content_key);
                other.clone()
            }
            None => value.clone(),
        };
        if !flow.get("Actions").is_some_and(Value::is_array) {
            let (line, column) = content_at.unwrap_or((1, 1));
            return Err(ImportError {
                file: path.to_string(),
                line,
                column,
                message: format!(
                    "no `Actions` list: not an Amazon Connect contact flow (flow language {FLOW_LANGUAGE})"
                ),
            });
        }
        let name = flow
            .pointer("/Metadata/name")
            .and_then(Value::as_str)
            .or_else(|| wrapper.and_then(|w| w.get("Name")).and_then(Value::as_str))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let stem = Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("flow")
            .to_string();
        let mut aliases = vec![stem.to_lowercase()];
        aliases.extend(name.iter().map(|n| n.to_lowercase()));
        for key in ["Arn", "Id"] {
            if let Some(v) = wrapper.and_then(|w| w.get(key)).and_then(Value::as_str) {
                aliases.push(v.to_lowercase());
            }
        }
        let identifier_at = match content_at {
            Some(_) => Vec::new(),
            None => entry(&tree, "Actions")
                .and_then(|(_, actions)| actions.as_seq())
                .unwrap_or_default()
                .iter()
                .map(|action| key_position(action, "Identifier"))
                .collect(),
        };
        let module = flow.get("Settings").is_some_and(Value::is_object)
            || flow.pointer("/Metadata/type").and_then(Value::as_str) == Some("contactFlowModule")
            || flow
                .get("Actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|a| str_of(a, "Type") == Some("EndFlowModuleExecution"));
        Ok(Export {
            path,
            flow,
            identifier_at,
            content_at,
            name,
            stem,
            aliases,
            module,
        })
    }

    fn actions(&self) -> &[Value] {
        self.flow
            .get("Actions")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

fn str_of<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// A parameter as text: strings as they are, numbers and booleans written out.
fn param(action: &Value, key: &str) -> Option<String> {
    match action.get("Parameters")?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What a `TransferToFlow` action becomes.
#[derive(Debug, Clone)]
enum FlowTarget {
    /// `call` of the imported flow with this id.
    Call(String),
    /// A transfer to the flow's own start.
    Restart,
    /// `transfer: flow X` (not imported, dynamic, or a call would close a cycle).
    Transfer(String),
}

/// The flow a `TransferToFlow` names: the `{{contactFlows.X.arn}}` deploy
/// placeholder, the name the designer shows in `Metadata`, or an ARN or id.
fn flow_reference(export: &Export, action: &Value) -> (String, Vec<String>) {
    let raw = param(action, "ContactFlowId").unwrap_or_default();
    let shown = designer_metadata(export, action)
        .and_then(|m| m.pointer("/ContactFlow/text"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut candidates = Vec::new();
    let trimmed = raw.trim();
    if let Some(inner) = trimmed
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
    {
        let parts: Vec<&str> = inner.trim().split('.').collect();
        if parts.len() >= 2 && parts[0] == "contactFlows" {
            candidates.push(parts[1..parts.len() - usize::from(parts.len() > 2)].join("."));
        }
    }
    if !trimmed.starts_with("$.") && !trimmed.is_empty() {
        candidates.push(trimmed.to_string());
        if let Some(last) = trimmed.rsplit('/').next() {
            candidates.push(last.to_string());
        }
    }
    candidates.extend(shown.clone());
    let label = candidates.first().cloned().or(shown);
    reference(label, trimmed, "(no flow named)", candidates)
}

/// What the designer keeps about an action (`Metadata.ActionMetadata`,
/// keyed by the action's `Identifier`): the names it shows.
fn designer_metadata<'e>(export: &'e Export, action: &Value) -> Option<&'e Value> {
    let id = str_of(action, "Identifier").unwrap_or("");
    export
        .flow
        .pointer("/Metadata/ActionMetadata")
        .and_then(|m| m.get(id))
}

/// A reference as a note names it (`label`, else the raw text, else
/// `nothing_named`) and the lower-cased names it may match.
fn reference(
    label: Option<String>,
    raw: &str,
    nothing_named: &str,
    candidates: Vec<String>,
) -> (String, Vec<String>) {
    let label = label.unwrap_or_else(|| {
        if raw.is_empty() {
            nothing_named.to_string()
        } else {
            raw.to_string()
        }
    });
    (
        label,
        candidates.into_iter().map(|c| c.to_lowercase()).collect(),
    )
}

/// Decides, for every `TransferToFlow` of every file, whether it is a
/// `call`. Connect's transfer never returns, and touchpoint refuses call
/// cycles without a `return`, so a transfer that would close a cycle of
/// calls between the imported flows becomes a `transfer` (with a note).
fn plan_calls(
    exports: &[Export],
    ids: &[String],
    notes: &mut Vec<String>,
) -> HashMap<(usize, String), FlowTarget> {
    let mut plan = HashMap::new();
    let mut edges: Vec<HashSet<usize>> = vec![HashSet::new(); exports.len()];
    for (from, export) in exports.iter().enumerate() {
        for action in export.actions() {
            if str_of(action, "Type") == Some("InvokeFlowModule") {
                let identifier = str_of(action, "Identifier").unwrap_or("").to_string();
                if let Some(target) = plan_module(exports, ids, from, action, &mut edges, notes) {
                    plan.insert((from, identifier), target);
                }
                continue;
            }
            if str_of(action, "Type") != Some("TransferToFlow") {
                continue;
            }
            let identifier = str_of(action, "Identifier").unwrap_or("").to_string();
            let (label, candidates) = flow_reference(export, action);
            let found = exports
                .iter()
                .position(|e| candidates.iter().any(|c| e.aliases.contains(c)));
            let target = match found {
                Some(to) if to == from => FlowTarget::Restart,
                Some(to) if reaches(&edges, to, from) => {
                    notes.push(format!(
                        "{}: {identifier} (TransferToFlow): a call of `{}` would close a cycle of calls between the imported flows, which never return: mapped to `transfer: flow {label}`",
                        export.path, ids[to]
                    ));
                    FlowTarget::Transfer(format!("flow {label}"))
                }
                Some(to) => {
                    edges[from].insert(to);
                    FlowTarget::Call(ids[to].clone())
                }
                None => {
                    let why = if param(action, "ContactFlowId")
                        .is_some_and(|r| r.trim().starts_with("$."))
                    {
                        "the flow is chosen at run time"
                    } else {
                        "the flow is not among the imported files"
                    };
                    notes.push(format!(
                        "{}: {identifier} (TransferToFlow): {why}: mapped to `transfer: flow {label}`",
                        export.path
                    ));
                    FlowTarget::Transfer(format!("flow {label}"))
                }
            };
            plan.insert((from, identifier), target);
        }
    }
    plan
}

/// The module an `InvokeFlowModule` names: its `FlowModuleId` (an id, an
/// id with a `:$LATEST` alias, or an ARN), and the name the designer shows
/// (`contactFlowModuleName`, the parameter's `displayName`). A module id
/// read at run time (`$.FlowAttributes.X`) names none.
fn module_reference(export: &Export, action: &Value) -> (String, Vec<String>) {
    let raw = param(action, "FlowModuleId").unwrap_or_default();
    let trimmed = raw.trim();
    let shown = designer_metadata(export, action);
    let mut candidates = Vec::new();
    if !trimmed.starts_with("$.") && !trimmed.is_empty() {
        candidates.push(trimmed.to_string());
        // An ARN ends in `flow-module/<id>`; an id may carry a version alias.
        let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
        candidates.push(last.to_string());
        if let Some((bare, _alias)) = last.split_once(':') {
            candidates.push(bare.to_string());
        }
    }
    let names = [
        shown.and_then(|m| m.get("contactFlowModuleName")),
        shown.and_then(|m| m.pointer("/parameters/FlowModuleId/displayName")),
    ];
    candidates.extend(
        names
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string),
    );
    let label = candidates.iter().rev().find(|c| !c.is_empty()).cloned();
    reference(label, trimmed, "(no module named)", candidates)
}

/// Decides whether an `InvokeFlowModule` is a `call`: only of a module
/// among the imported files, and not one that would close a cycle of calls.
/// Otherwise the action stays an `opaque` step, and a note names the module.
fn plan_module(
    exports: &[Export],
    ids: &[String],
    from: usize,
    action: &Value,
    edges: &mut [HashSet<usize>],
    notes: &mut Vec<String>,
) -> Option<FlowTarget> {
    let export = &exports[from];
    let identifier = str_of(action, "Identifier").unwrap_or("");
    let (label, candidates) = module_reference(export, action);
    let found = exports
        .iter()
        .position(|e| e.module && candidates.iter().any(|c| e.aliases.contains(c)));
    let why = match found {
        Some(to) if to == from || reaches(edges, to, from) => format!(
            "a call of the module `{}` would close a cycle of calls",
            ids[to]
        ),
        Some(to) => {
            edges[from].insert(to);
            return Some(FlowTarget::Call(ids[to].clone()));
        }
        None if param(action, "FlowModuleId").is_some_and(|r| r.trim().starts_with("$.")) => {
            format!("the flow module `{label}` is chosen at run time")
        }
        None => format!("the flow module `{label}` is not among the imported files"),
    };
    notes.push(format!(
        "{}: {identifier} (InvokeFlowModule): {why}: an `opaque` step whose every branch is a possible outcome",
        export.path
    ));
    None
}

fn reaches(edges: &[HashSet<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![from];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if std::mem::replace(&mut seen[at], true) {
            continue;
        }
        stack.extend(edges[at].iter().copied());
    }
    false
}

/// An action's transitions, with targets turned into node ids.
#[derive(Debug, Default)]
struct Transitions {
    next: Option<String>,
    /// (operator, operands, target).
    conditions: Vec<(String, Vec<String>, String)>,
    /// (error type, target).
    errors: Vec<(String, String)>,
}

impl Transitions {
    fn error(&self, kind: &str) -> Option<&String> {
        self.errors.iter().find(|(k, _)| k == kind).map(|(_, t)| t)
    }

    /// Where the error `kind` leads when it happens: its own branch, else
    /// the catch-all. The flow language's reference lists, for every action,
    /// "NoMatchingError - if no other Error matches" (for example
    /// `TransferToFlow`), so an error the export gives no branch of its own
    /// goes down `NoMatchingError`. A `GetParticipantInput` waits "before
    /// proceeding with a timeout error" (`InputTimeLimitSeconds`), so
    /// silence without an `InputTimeLimitExceeded` branch takes
    /// `NoMatchingError` too.
    fn error_or_catch_all(&self, kind: &str) -> Option<&String> {
        self.error(kind).or_else(|| self.error("NoMatchingError"))
    }

    fn is_empty(&self) -> bool {
        self.next.is_none() && self.conditions.is_empty() && self.errors.is_empty()
    }
}

/// Outcomes of an action that its node cannot carry, for
/// [`Builder::guarded`]: (label, target) branches, and whether each gets a
/// note (the outcomes of a terminal that can fail are ordinary, and need
/// none).
struct Outside {
    branches: Vec<(String, String)>,
    say_why: bool,
}

/// What a prompt or message says, as the caller hears it.
struct Spoken {
    text: String,
    /// False when the words are not in the export (an attribute read at run
    /// time, a recorded prompt, an empty prompt): what it announces is
    /// unknown.
    known: bool,
}

struct Builder<'a, 'n> {
    export: &'a Export<'a>,
    index: usize,
    ids: &'a [String],
    calls: &'a HashMap<(usize, String), FlowTarget>,
    notes: &'n mut Vec<String>,
    /// Identifier → node id.
    node_ids: HashMap<String, String>,
    taken: UniqueIds,
    /// Identifier → the position of its `"Identifier"` key (the first
    /// action with it wins).
    positions: HashMap<String, (u32, u32)>,
    nodes: Vec<IrNode>,
    /// Nodes made for the action being built, written after it.
    children: Vec<IrNode>,
    loops: Vec<BoundedLoop>,
    hours: bool,
    start: String,
    /// Opaque steps in front of a menu or an ask: step id → input id.
    fronts: std::collections::BTreeMap<String, String>,
}

impl<'a, 'n> Builder<'a, 'n> {
    fn new(
        export: &'a Export<'a>,
        index: usize,
        ids: &'a [String],
        calls: &'a HashMap<(usize, String), FlowTarget>,
        notes: &'n mut Vec<String>,
    ) -> Result<Self, ImportError> {
        let mut positions = HashMap::new();
        for (action, at) in export.actions().iter().zip(&export.identifier_at) {
            if let (Some(raw), Some(at)) = (str_of(action, "Identifier"), at) {
                positions.entry(raw.to_string()).or_insert(*at);
            }
        }
        let mut builder = Builder {
            export,
            index,
            ids,
            calls,
            notes,
            node_ids: HashMap::new(),
            taken: UniqueIds::new(),
            positions,
            nodes: Vec::new(),
            children: Vec::new(),
            loops: Vec::new(),
            hours: false,
            start: String::new(),
            fronts: Default::default(),
        };
        if let Some(version) = str_of(&export.flow, "Version") {
            if version != FLOW_LANGUAGE {
                builder.notes.push(format!(
                    "{}: flow language `{version}`, read as {FLOW_LANGUAGE}",
                    export.path
                ));
            }
        }
        let actions = export.actions();
        if actions.is_empty() {
            return Err(builder.error("the flow has no actions"));
        }
        for action in actions {
            let Some(raw) = str_of(action, "Identifier") else {
                return Err(builder.error("an action has no `Identifier`"));
            };
            let base = node_id(raw);
            if builder.node_ids.contains_key(raw) {
                return Err(builder.error(&format!("two actions have the `Identifier` `{raw}`")));
            }
            let id = builder.taken.claim(&base);
            if id != base {
                builder.notes.push(format!(
                    "{}: {raw}: its safe id `{base}` is taken by another action: node `{id}`",
                    export.path
                ));
            }
            builder.node_ids.insert(raw.to_string(), id);
        }
        let start = match str_of(&export.flow, "StartAction") {
            Some(s) => s,
            None => return Err(builder.error("no `StartAction`")),
        };
        builder.start = match builder.node_ids.get(start) {
            Some(id) => id.clone(),
            None => return Err(builder.error(&format!("`StartAction` `{start}` names no action"))),
        };
        Ok(builder)
    }

    fn error(&self, message: &str) -> ImportError {
        let (line, column) = self.export.content_at.unwrap_or((1, 1));
        ImportError {
            file: self.export.path.to_string(),
            line,
            column,
            message: message.to_string(),
        }
    }

    fn note(&mut self, action: &Value, what: &str) {
        self.notes.push(format!(
            "{}: {} ({}): {what}",
            self.export.path,
            str_of(action, "Identifier").unwrap_or("?"),
            str_of(action, "Type").unwrap_or("?")
        ));
    }

    fn origin(&self, action: &Value) -> Origin {
        let raw = str_of(action, "Identifier").unwrap_or("");
        let (line, column) = self
            .export
            .content_at
            .or_else(|| self.positions.get(raw).copied())
            .unwrap_or((1, 1));
        Origin {
            line,
            column,
            action: raw.to_string(),
            platform_type: str_of(action, "Type").unwrap_or("").to_string(),
        }
    }

    /// A transition target as a node id; a target that names no action is
    /// dropped with a note (the node then has no way on there).
    fn target(&mut self, action: &Value, raw: Option<&Value>, what: &str) -> Option<String> {
        let raw = raw
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        match self.node_ids.get(raw) {
            Some(id) => Some(id.clone()),
            None => {
                self.note(
                    action,
                    &format!("{what} `{raw}` names no action of the flow: left out"),
                );
                None
            }
        }
    }

    fn transitions(&mut self, action: &Value) -> Transitions {
        let mut out = Transitions::default();
        let Some(t) = action.get("Transitions") else {
            return out;
        };
        out.next = self.target(action, t.get("NextAction"), "NextAction");
        for c in t
            .get("Conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(to) = self.target(action, c.get("NextAction"), "a condition's NextAction")
            else {
                continue;
            };
            let operator = c
                .pointer("/Condition/Operator")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let operands = c
                .pointer("/Condition/Operands")
                .and_then(Value::as_array)
                .map(|ops| {
                    ops.iter()
                        .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.conditions.push((operator, operands, to));
        }
        for e in t
            .get("Errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = str_of(e, "ErrorType").unwrap_or("Error").to_string();
            if let Some(to) = self.target(
                action,
                e.get("NextAction"),
                &format!("the {kind} error's NextAction"),
            ) {
                out.errors.push((kind, to));
            }
        }
        out
    }

    fn build(&mut self) {
        let actions = self.export.actions();
        let single = actions.len() == 1;
        for action in actions {
            let raw = str_of(action, "Identifier").unwrap_or("");
            let id = self.node_ids[raw].clone();
            let ty = str_of(action, "Type").unwrap_or("").to_string();
            let t = self.transitions(action);
            let origin = self.origin(action);
            let kind = match ty.as_str() {
                "MessageParticipant" | "MessageParticipantIteratively" => {
                    self.message(action, (&id, &origin), single, t)
                }
                "GetParticipantInput" => self.input(action, &id, &origin, t),
                "CheckHoursOfOperation" => self.hours(action, &id, &origin, t),
                "Loop" => self.pending_loop(action, &id, t),
                "TransferContactToQueue"
                | "TransferContactToAgent"
                | "TransferToThirdParty"
                | "TransferParticipantToThirdParty" => {
                    let target = match ty.as_str() {
                        "TransferContactToQueue" => queue_name(self.export, action),
                        // The agent was chosen before (`UpdateContactTargetQueue`
                        // with an agent, or the agent of a callback): the
                        // contact leaves the flow for that agent.
                        "TransferContactToAgent" => "agent".to_string(),
                        _ => format!(
                            "phone {}",
                            param(action, "ThirdPartyPhoneNumber")
                                .unwrap_or_else(|| "number".to_string())
                        ),
                    };
                    self.terminal(
                        action,
                        &id,
                        &origin,
                        IrKind::Transfer { queue: target },
                        ("queue", "transferred"),
                        t,
                    )
                }
                "TransferToFlow" => self.transfer_to_flow(action, &id, &origin, t),
                // A disconnect says nothing: the empty text lets a failure
                // branch that ends here be told as a `silent-failure`.
                "DisconnectParticipant" => {
                    self.unused(action, &t);
                    IrKind::Hangup {
                        text: String::new(),
                    }
                }
                "EndFlowExecution" => {
                    self.unused(action, &t);
                    IrKind::End {
                        text: "flow ends".to_string(),
                    }
                }
                // A flow module's end: the contact goes back to the flow
                // that invoked the module ("Return" in the designer) and
                // goes on there. The flow is written `module: true`, so
                // this `return` is a way out even when no imported flow
                // invokes the module; it serves no one by itself.
                "EndFlowModuleExecution" => {
                    self.unused(action, &t);
                    IrKind::Return
                }
                "InvokeFlowModule" => self.invoke_module(action, &id, &origin, t),
                _ => self.opaque(action, &ty, t),
            };
            self.nodes.push(IrNode { id, kind, origin });
            self.nodes.append(&mut self.children);
        }
    }

    /// Notes transitions of a terminal that lead nowhere in the model.
    fn unused(&mut self, action: &Value, t: &Transitions) {
        if !t.is_empty() {
            self.note(action, "a terminal: its transitions are left out");
        }
    }

    fn message(
        &mut self,
        action: &Value,
        place: (&str, &Origin),
        single: bool,
        t: Transitions,
    ) -> IrKind {
        let spoken = spoken(self.export, action);
        let ty = place.1.platform_type.as_str();
        // A message with no way on. `MessageParticipantIteratively` repeats
        // its messages until something outside the flow (an agent, the
        // queue) takes the contact: that is how hold and queue flows work,
        // so it is the end of the flow, not a dead end (its error branches,
        // if any, stay possible outcomes). The same holds for a flow that is
        // nothing but one message with no transitions: a hold or whisper
        // flow, which the platform plays and no flow calls, so it ends
        // rather than returns.
        if t.next.is_none() && (ty == "MessageParticipantIteratively" || (single && t.is_empty())) {
            self.note(
                action,
                "a message with no NextAction (a hold or queue message that plays until the platform moves the contact on): mapped to `end`",
            );
            let end = IrKind::End { text: spoken.text };
            return self.terminal(action, place.0, place.1, end, ("end", "played"), t);
        }
        // A message's errors (a prompt that cannot be played) and any
        // conditions are outcomes a `say` cannot carry: they are branches of
        // an `opaque` step in front of it, so no edge of the export is
        // dropped.
        let extras: Vec<(String, String)> =
            t.errors
                .iter()
                .map(|(kind, to)| (kind.clone(), to.clone()))
                .chain(t.conditions.iter().map(|(op, ops, to)| {
                    (format!("condition {op} {}", ops.join(", ")), to.clone())
                }))
                .collect();
        let say = IrKind::Say {
            text: spoken.text,
            next: t.next,
        };
        self.guarded(
            action,
            place.0,
            place.1,
            say,
            ("message", "played"),
            Outside {
                branches: extras,
                say_why: true,
            },
        )
    }

    fn input(&mut self, action: &Value, id: &str, origin: &Origin, t: Transitions) -> IrKind {
        let store = param(action, "StoreInput").is_some_and(|s| s.eq_ignore_ascii_case("true"));
        if store {
            return self.ask(action, id, origin, t);
        }
        if t.conditions.is_empty() {
            return self.unanswerable(action, id, origin, t);
        }
        let spoken = spoken(self.export, action);
        // Branches the menu's own fields cannot carry; they stay edges of an
        // `opaque` step (see below), so nothing the export says is lost.
        let mut extras: Vec<(String, String)> = Vec::new();
        let announced = parse_announcements(&spoken.text);
        let mut options = Vec::new();
        let mut keys = Vec::new();
        for (op, operands, to) in &t.conditions {
            let operand = operands.first().map(|o| o.trim()).unwrap_or("");
            let dtmf = operand.len() == 1
                && operand
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '*' || c == '#');
            if op != "Equals" || operands.len() != 1 || operand.is_empty() {
                // Not a key or a phrase: kept as an outcome of the step.
                extras.push((
                    format!("condition {op} {}", operands.join(", ")),
                    to.clone(),
                ));
                continue;
            }
            if dtmf {
                keys.push(operand.to_string());
                options.push(IrOption {
                    key: Some(operand.to_string()),
                    label: if spoken.known {
                        announced.label(operand).map(str::to_string)
                    } else {
                        None
                    },
                    speech: Vec::new(),
                    goto: to.clone(),
                    origin: None,
                });
            } else {
                options.push(IrOption {
                    key: None,
                    label: Some(operand.to_string()),
                    speech: vec![format!("^{}$", regex::escape(operand))],
                    goto: to.clone(),
                    origin: None,
                });
            }
        }
        let mut prompt = spoken.text;
        if !spoken.known && !keys.is_empty() {
            self.note(
                action,
                "the prompt's words are not in the export: the keys its conditions take are written into the prompt, so `prompt-mismatch` does not judge it",
            );
            let listed = match keys.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            prompt = format!("{prompt} [keys the flow takes: press {listed}.]")
                .trim()
                .to_string();
        }
        let no_input = t
            .error_or_catch_all("InputTimeLimitExceeded")
            .map(|to| IrHandler {
                retries: 0,
                then: to.clone(),
            });
        let no_match_condition = t.error("NoMatchingCondition").cloned();
        let no_match = no_match_condition
            .clone()
            .or_else(|| t.error("NoMatchingError").cloned())
            .map(|to| IrHandler {
                retries: 0,
                then: to,
            });
        if no_match_condition.is_some() {
            if let Some(to) = t.error("NoMatchingError").cloned() {
                // A platform error, not a wrong key.
                extras.push(("NoMatchingError".to_string(), to));
            }
        }
        // A `NextAction` the menu already leads to is dropped by `guarded`.
        if let Some(next) = &t.next {
            if !extras.iter().any(|(_, to)| to == next) {
                extras.push(("NextAction".to_string(), next.clone()));
            }
        }
        for (kind, to) in &t.errors {
            if ![
                "InputTimeLimitExceeded",
                "NoMatchingCondition",
                "NoMatchingError",
            ]
            .contains(&kind.as_str())
            {
                extras.push((kind.clone(), to.clone()));
            }
        }
        let menu = IrKind::Menu {
            prompt,
            options,
            no_input,
            no_match,
            save: None,
        };
        self.guarded_menu(action, id, origin, menu, extras)
    }

    /// A `GetParticipantInput` that stores what the caller types (the
    /// "Store customer input" block). Its documentation: "When a call
    /// includes no customer input, the contact takes the Success branch. The
    /// Stored customer input system attribute holds a value of `Timeout`."
    /// So silence does not drop the call: without an
    /// `InputTimeLimitExceeded` branch `no_input` is the `NextAction`, and a
    /// check for `Timeout` after the block is the flow's own business.
    ///
    /// The block's branches are Success, "Invalid number" (only with
    /// phone-number validation) and Error. The failure branch, if any, is
    /// `invalid` (`InvalidPhoneNumber`, else `NoMatchingCondition`, else the
    /// catch-all `NoMatchingError`): it is how the block gives up on a call
    /// (a number that is no phone number, an entry it cannot store or
    /// encrypt), so a retry through it that never stops is an
    /// `endless-retry`, and a silent hang-up on it a `silent-failure`.
    fn ask(&mut self, action: &Value, id: &str, origin: &Origin, t: Transitions) -> IrKind {
        let spoken = spoken(self.export, action);
        let params = action.get("Parameters");
        let max = param(action, "MaxDigits")
            .or_else(|| {
                params
                    .and_then(|p| p.pointer("/InputValidation/CustomValidation/MaximumLength"))
                    .and_then(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .or_else(|| v.as_u64().map(|n| n.to_string()))
                    })
            })
            .and_then(|m| m.trim().parse::<u32>().ok())
            .filter(|m| *m > 0);
        let phone = params
            .and_then(|p| p.pointer("/InputValidation/PhoneNumberValidation"))
            .is_some();
        let pattern = if phone {
            Some(r"\+?[0-9]{6,15}".to_string())
        } else {
            max.map(|m| format!("[0-9]{{1,{m}}}"))
        };
        let invalid_from = [
            "InvalidPhoneNumber",
            "NoMatchingCondition",
            "NoMatchingError",
        ]
        .into_iter()
        .find(|k| t.error(k).is_some());
        let invalid = invalid_from.and_then(|k| t.error(k)).map(|to| IrHandler {
            retries: 0,
            then: to.clone(),
        });
        let no_input = match t.error("InputTimeLimitExceeded") {
            Some(to) => Some(IrHandler {
                retries: 0,
                then: to.clone(),
            }),
            None => {
                if let Some(next) = &t.next {
                    self.note(
                        action,
                        &format!("stores input: on timeout the stored input is `Timeout` and the flow goes on to NextAction → {next} (modelled as `no_input`)"),
                    );
                }
                t.next.as_ref().map(|next| IrHandler {
                    retries: 0,
                    then: next.clone(),
                })
            }
        };
        let mut extras = Vec::new();
        for (kind, to) in &t.errors {
            if Some(kind.as_str()) != invalid_from && kind != "InputTimeLimitExceeded" {
                extras.push((kind.clone(), to.clone()));
            }
        }
        for (op, operands, to) in &t.conditions {
            extras.push((
                format!("condition {op} {}", operands.join(", ")),
                to.clone(),
            ));
        }
        let ask = IrKind::Ask {
            prompt: spoken.text,
            pattern,
            save: Some("StoredCustomerInput".to_string()),
            goto: t.next,
            invalid,
            no_input,
        };
        self.guarded(
            action,
            id,
            origin,
            ask,
            ("input", "prompted"),
            Outside {
                branches: extras,
                say_why: true,
            },
        )
    }

    /// A `GetParticipantInput` that neither stores input nor has
    /// conditions. The caller hears the prompt, and whatever key they press
    /// no condition takes it: the platform goes down `NoMatchingCondition`
    /// (else `NoMatchingError`), and on silence down
    /// `InputTimeLimitExceeded` (else `NoMatchingError`). So it is a `menu`
    /// with no option, whose `no_match` and `no_input` handlers are its only
    /// ways on: a re-prompt that comes back here is the retry it is, and
    /// nothing marks the no-input branch unreachable.
    fn unanswerable(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        t: Transitions,
    ) -> IrKind {
        let spoken = spoken(self.export, action);
        let answered_from = ["NoMatchingCondition", "NoMatchingError"]
            .into_iter()
            .find(|k| t.error(k).is_some());
        let no_match = answered_from.and_then(|k| t.error(k)).map(|to| IrHandler {
            retries: 0,
            then: to.clone(),
        });
        let no_input = t
            .error_or_catch_all("InputTimeLimitExceeded")
            .map(|to| IrHandler {
                retries: 0,
                then: to.clone(),
            });
        self.note(
            action,
            &format!(
                "neither stores input nor has conditions: no answer gets past it, so it is a `menu` with no option whose every key goes down {}",
                answered_from.unwrap_or("no branch (the export has none)")
            ),
        );
        let mut extras: Vec<(String, String)> = t
            .errors
            .iter()
            .filter(|(kind, _)| {
                Some(kind.as_str()) != answered_from && kind != "InputTimeLimitExceeded"
            })
            .cloned()
            .collect();
        if let Some(next) = &t.next {
            if !extras.iter().any(|(_, to)| to == next) {
                extras.push(("NextAction".to_string(), next.clone()));
            }
        }
        let menu = IrKind::Menu {
            prompt: spoken.text,
            options: Vec::new(),
            no_input,
            no_match,
            save: None,
        };
        self.guarded_menu(action, id, origin, menu, extras)
    }

    fn hours(&mut self, action: &Value, id: &str, origin: &Origin, t: Transitions) -> IrKind {
        self.hours = true;
        let on = |value: &str| {
            t.conditions
                .iter()
                .find(|(_, ops, _)| ops.iter().any(|o| o.eq_ignore_ascii_case(value)))
                .map(|(_, _, to)| to.clone())
        };
        let open = on("true");
        let closed = on("false").or_else(|| t.next.clone());
        let mut entries = Vec::new();
        if let Some(open) = &open {
            entries.push((Some("hours == open".to_string()), open.clone()));
        }
        if let Some(closed) = &closed {
            entries.push((None, closed.clone()));
        }
        // The check itself can fail (no hours set for the queue): its error
        // branches are outcomes of the step, so their targets stay reachable.
        // So is a `NextAction` beside both conditions.
        // A `NextAction` that an error branch also takes is that branch,
        // not an outcome of its own (and one the switch already leads to
        // is dropped by `guarded`).
        let mut errors = t.errors.clone();
        if let Some(next) = &t.next {
            if !errors.iter().any(|(_, to)| to == next) {
                errors.push(("NextAction".to_string(), next.clone()));
            }
        }
        self.guarded(
            action,
            id,
            origin,
            IrKind::Switch { entries },
            ("hours", "checked"),
            Outside {
                branches: errors,
                say_why: true,
            },
        )
    }

    /// A placeholder with both branches; [`unroll`] replaces it.
    fn pending_loop(&mut self, action: &Value, id: &str, t: Transitions) -> IrKind {
        let on = |value: &str| {
            t.conditions
                .iter()
                .find(|(_, ops, _)| ops.iter().any(|o| o == value))
                .map(|(_, _, to)| to.clone())
        };
        let cont = on("ContinueLooping");
        let done = on("DoneLooping").or_else(|| t.next.clone());
        let mut branches = Vec::new();
        branches.extend(cont.map(|to| ("ContinueLooping".to_string(), to)));
        branches.extend(done.map(|to| ("DoneLooping".to_string(), to)));
        match param(action, "LoopCount").and_then(|c| c.trim().parse::<u32>().ok()) {
            Some(count) => self.loops.push(BoundedLoop { id: id.to_string(), count }),
            None => self.note(
                action,
                "the loop count is not a number in the export: either branch may happen at every pass",
            ),
        }
        IrKind::Opaque {
            text: "Loop".to_string(),
            branches,
        }
    }

    /// Alternative outcomes of an action that is a terminal when it works:
    /// its `NextAction` (unless an error leads there too) and its errors.
    fn alternatives(t: &Transitions) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(next) = &t.next {
            if !t.errors.iter().any(|(_, to)| to == next) {
                out.push(("NextAction".to_string(), next.clone()));
            }
        }
        out.extend(t.errors.iter().cloned());
        for (op, ops, to) in &t.conditions {
            out.push((format!("{op} {}", ops.join(", ")), to.clone()));
        }
        out
    }

    /// A terminal that can also fail: without transitions the node itself,
    /// otherwise an `opaque` step whose `transferred` branch leads to the
    /// terminal as a node of its own (`<id>__<suffix>`) and whose other
    /// branches are the export's error paths.
    fn terminal(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        kind: IrKind,
        suffix_and_outcome: (&str, &str),
        t: Transitions,
    ) -> IrKind {
        let alternatives = Self::alternatives(&t);
        self.guarded(
            action,
            id,
            origin,
            kind,
            suffix_and_outcome,
            Outside {
                branches: alternatives,
                say_why: false,
            },
        )
    }

    /// A menu whose block has outcomes the menu cannot carry: those are
    /// branches of a step in front of it, each said in a note.
    fn guarded_menu(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        menu: IrKind,
        extras: Vec<(String, String)>,
    ) -> IrKind {
        self.guarded(
            action,
            id,
            origin,
            menu,
            ("menu", "prompted"),
            Outside {
                branches: extras,
                say_why: true,
            },
        )
    }

    /// A node whose action has outcomes the node cannot carry (a platform
    /// error, a branch of no meaning to a menu): without them the node
    /// itself; otherwise an `opaque` step, at the action's id, whose
    /// `outcome` branch leads to the node as a node of its own
    /// (`<id>__<suffix>`) and whose other branches are those outcomes. So
    /// every branch of the export stays an edge, and its target stays
    /// reachable.
    fn guarded(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        kind: IrKind,
        (suffix, outcome): (&str, &str),
        Outside {
            branches: alternatives,
            say_why,
        }: Outside,
    ) -> IrKind {
        // A branch to where the node already leads adds no way on: the
        // target is reachable through the node, and a step before it would
        // only hide the node's own loops (a re-prompt) behind a choice. Two
        // outcomes to the same other target are both kept: they are
        // different things happening (a queue at capacity is a refusal the
        // caller should hear about, a platform error is not), and the
        // analysis judges each by its name.
        let reached: Vec<String> = kind.targets().map(str::to_string).collect();
        let alternatives: Vec<(String, String)> = alternatives
            .into_iter()
            .filter(|(_, to)| !reached.contains(to))
            .collect();
        if alternatives.is_empty() {
            return kind;
        }
        let child = self.taken.claim(&format!("{id}__{suffix}"));
        if say_why {
            for (label, to) in &alternatives {
                self.note(
                    action,
                    &format!(
                        "the {label} branch → {to} is not an outcome the {suffix} node can carry: it is a branch of an `opaque` step at `{id}`, before the {suffix} (`{child}`)"
                    ),
                );
            }
        }
        let text = describe(action);
        // Coming back to a menu or an ask's block is coming back to the
        // input, whatever else the block may do, and an error of a block
        // that hands the caller to a person (a queue, an agent, a phone
        // number) is that transfer failing: the step says which node is the
        // block's own. A `TransferToFlow` is not a transfer to a person: its
        // errors come of a flow deployed wrong.
        let person =
            matches!(kind, IrKind::Transfer { .. }) && origin.platform_type != "TransferToFlow";
        if matches!(kind, IrKind::Menu { .. } | IrKind::Ask { .. }) || person {
            self.fronts.insert(id.to_string(), child.clone());
        }
        self.children.push(IrNode {
            id: child.clone(),
            kind,
            origin: origin.clone(),
        });
        let mut branches = vec![(outcome.to_string(), child)];
        branches.extend(alternatives);
        IrKind::Opaque {
            text,
            branches: dedup(branches),
        }
    }

    /// What the plan decided for this action of this file: a `call`, a
    /// transfer or a restart (`plan_calls`, `plan_module`).
    fn planned(&self, action: &Value) -> Option<FlowTarget> {
        let raw = str_of(action, "Identifier").unwrap_or("").to_string();
        self.calls.get(&(self.index, raw)).cloned()
    }

    fn transfer_to_flow(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        t: Transitions,
    ) -> IrKind {
        let target = self
            .planned(action)
            .unwrap_or(FlowTarget::Transfer("flow".to_string()));
        match target {
            FlowTarget::Call(flow) => {
                // Connect's transfer does not come back: the call has no
                // `next`, and the flows it calls have no `return`.
                debug_assert!(self.ids.contains(&flow));
                self.terminal(
                    action,
                    id,
                    origin,
                    IrKind::Call { flow, next: None },
                    ("flow", "transferred"),
                    t,
                )
            }
            FlowTarget::Transfer(queue) => self.terminal(
                action,
                id,
                origin,
                IrKind::Transfer { queue },
                ("flow", "transferred"),
                t,
            ),
            FlowTarget::Restart => {
                let mut branches = vec![("transferred".to_string(), self.start.clone())];
                branches.extend(Self::alternatives(&t));
                IrKind::Opaque {
                    text: format!("{} (this flow, from its start)", describe(action)),
                    branches: dedup(branches),
                }
            }
        }
    }

    /// An `InvokeFlowModule` of a module among the imported files is a
    /// `call` that goes on at `NextAction` when the module returns; its
    /// errors (`NoMatchingError`: the module could not be invoked) are
    /// branches of an `opaque` step in front, unless they lead where the
    /// call goes on anyway. Any other is an `opaque` step (the plan has
    /// noted which module is missing).
    fn invoke_module(
        &mut self,
        action: &Value,
        id: &str,
        origin: &Origin,
        t: Transitions,
    ) -> IrKind {
        let Some(FlowTarget::Call(flow)) = self.planned(action) else {
            return self.opaque(action, "InvokeFlowModule", t);
        };
        let mut outside: Vec<(String, String)> = t.errors.clone();
        for (op, ops, to) in &t.conditions {
            outside.push((format!("{op} {}", ops.join(", ")), to.clone()));
        }
        self.guarded(
            action,
            id,
            origin,
            IrKind::Call { flow, next: t.next },
            ("module", "invoked"),
            Outside {
                branches: outside,
                say_why: false,
            },
        )
    }

    fn opaque(&mut self, action: &Value, ty: &str, t: Transitions) -> IrKind {
        if !KNOWN_ACTION_TYPES.contains(&ty) {
            let origin = self.origin(action);
            let what = if t.is_empty() {
                "what it does is unknown and it has no transitions: mapped to `end`"
            } else {
                "what it does is unknown: an `opaque` step whose every branch is a possible outcome"
            };
            self.notes.push(format!(
                "{}:{}:{}: {} ({ty}): not an action type of flow language {FLOW_LANGUAGE}: {what}",
                self.export.path,
                origin.line,
                origin.column,
                str_of(action, "Identifier").unwrap_or("?"),
            ));
            // An unknown action with no way on may well be the transfer or
            // the end its name suggests: a `dead-end` error on a guess would
            // be a wrong finding, so the flow ends there.
            if t.is_empty() {
                return IrKind::End {
                    text: format!("{} (an unknown action)", describe(action)),
                };
            }
            let mut branches = Vec::new();
            for (op, ops, to) in &t.conditions {
                branches.push((format!("{op} {}", ops.join(", ")), to.clone()));
            }
            branches.extend(t.next.iter().map(|next| ("next".to_string(), next.clone())));
            branches.extend(t.errors.iter().cloned());
            return IrKind::Opaque {
                text: describe(action),
                branches: dedup(branches),
            };
        }
        let mut branches = Vec::new();
        for (op, ops, to) in &t.conditions {
            branches.push((format!("{op} {}", ops.join(", ")), to.clone()));
        }
        if let Some(next) = &t.next {
            let covered = ty == "Compare" && t.error("NoMatchingCondition") == Some(next);
            if !covered {
                branches.push(("next".to_string(), next.clone()));
            }
        }
        for (kind, to) in &t.errors {
            let label = if kind == "NoMatchingCondition" {
                "no match".to_string()
            } else {
                kind.clone()
            };
            branches.push((label, to.clone()));
        }
        let what = match ty {
            "Compare" => "compares a contact attribute touchpoint cannot know: every branch is a possible outcome",
            "InvokeLambdaFunction" | "InvokeExternalResource" => "a Lambda function: its result and its error are both possible outcomes",
            "ConnectParticipantWithLexBot" => "a Lex bot: every intent branch and error is a possible outcome (speech is not modelled)",
            _ if branches.len() <= 1 && t.conditions.is_empty() && t.errors.is_empty() => {
                "no effect touchpoint models: a step straight on"
            }
            _ => "an action touchpoint does not model: every branch is a possible outcome",
        };
        // An `InvokeFlowModule` that is no call has its note, naming the
        // module, from `plan_module`.
        if ty != "InvokeFlowModule" {
            self.note(action, what);
        }
        IrKind::Opaque {
            text: describe(action),
            branches: dedup(branches),
        }
    }

    fn finish(mut self) -> IrFlow {
        let loops = std::mem::take(&mut self.loops);
        unroll(
            &mut self.nodes,
            loops,
            LOOP_NAMES,
            &mut self.taken,
            &mut *self.notes,
            self.export.path,
            &self.start,
        );
        let mut vars = Vec::new();
        if self.hours {
            vars.push((
                "hours".to_string(),
                vec!["open".to_string(), "closed".to_string()],
            ));
        }
        IrFlow {
            id: self.ids[self.index].clone(),
            title: self
                .export
                .name
                .clone()
                .unwrap_or_else(|| self.export.stem.clone()),
            start: self.start,
            vars,
            name_uses: name_uses(self.export.actions(), &self.nodes),
            nodes: self.nodes,
            source: self.export.path.to_string(),
            module: self.export.module,
            fronts: self.fronts,
        }
    }
}

/// The flow attributes (`$.FlowAttributes.NAME`) each opaque step reads and
/// sets. Only flow attributes are tracked: they live and die with the flow,
/// while contact attributes may come from an earlier flow or the API that
/// started the contact, and `$.External` or `$.Lex` values belong to the
/// platform. Where a step that sets flow attributes was imported as
/// something other than an opaque step, what it sets would be lost, so the
/// flow's reads are left out rather than reported wrongly.
fn name_uses(actions: &[Value], nodes: &[IrNode]) -> std::collections::BTreeMap<String, NameUse> {
    let opaque: HashSet<&str> = nodes
        .iter()
        .filter(|n| matches!(n.kind, IrKind::Opaque { .. }))
        .map(|n| n.origin.action.as_str())
        .collect();
    let mut uses = std::collections::BTreeMap::new();
    let mut setter_lost = false;
    for action in actions {
        let id = str_of(action, "Identifier").unwrap_or("");
        let mut used = NameUse::default();
        if str_of(action, "Type") == Some("UpdateFlowAttributes") {
            if let Some(set) = action
                .pointer("/Parameters/FlowAttributes")
                .and_then(Value::as_object)
            {
                used.sets
                    .extend(set.keys().map(|k| format!("$.FlowAttributes.{k}")));
            }
        }
        if let Some(parameters) = action.get("Parameters") {
            flow_attributes_in(parameters, &mut used.reads);
        }
        used.reads.sort();
        used.reads.dedup();
        if used.reads.is_empty() && used.sets.is_empty() {
            continue;
        }
        if !opaque.contains(id) {
            setter_lost |= !used.sets.is_empty();
            continue;
        }
        uses.insert(id.to_string(), used);
    }
    if setter_lost {
        for used in uses.values_mut() {
            used.reads.clear();
        }
    }
    uses
}

/// Every `$.FlowAttributes.NAME` a parameter value mentions, in a text of
/// its own or inside a longer one.
fn flow_attributes_in(value: &Value, out: &mut Vec<String>) {
    const PREFIX: &str = "$.FlowAttributes.";
    match value {
        Value::String(text) => {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(PREFIX) {
                rest = &rest[at + PREFIX.len()..];
                let len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                if len > 0 {
                    out.push(format!("{PREFIX}{}", &rest[..len]));
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| flow_attributes_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| flow_attributes_in(v, out)),
        _ => {}
    }
}

/// Drops repeated branches (same outcome, same target) and numbers outcome
/// names that repeat with another target.
fn dedup(branches: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (on, to) in branches {
        if out.iter().any(|(o, t)| *o == on && *t == to) {
            continue;
        }
        let mut label = on.clone();
        let mut n = 2;
        while out.iter().any(|(o, _)| *o == label) {
            label = format!("{on} ({n})");
            n += 1;
        }
        out.push((label, to));
    }
    out
}

/// A one-line description of an action for an `opaque` node.
fn describe(action: &Value) -> String {
    let ty = str_of(action, "Type").unwrap_or("action");
    let detail = [
        "ComparisonValue",
        "LambdaFunctionARN",
        "ContactFlowId",
        "QueueId",
        "MetricType",
        "FlowLoggingBehavior",
        "LoopCount",
    ]
    .into_iter()
    .find_map(|k| param(action, k).map(|v| (k, v)));
    match detail {
        Some((k, v)) => format!("{ty} {k}={v}"),
        None => match action.get("Parameters").and_then(Value::as_object) {
            Some(p) if !p.is_empty() => {
                let keys: Vec<&str> = p.keys().map(String::as_str).collect();
                format!("{ty} ({})", keys.join(", "))
            }
            _ => ty.to_string(),
        },
    }
}

/// The queue of a `TransferContactToQueue`: its `QueueId`, the queue the
/// designer shows in `Metadata`, or just `queue` (the queue set earlier by
/// `UpdateContactTargetQueue`).
fn queue_name(export: &Export, action: &Value) -> String {
    let id = str_of(action, "Identifier").unwrap_or("");
    param(action, "QueueId")
        .or_else(|| {
            export
                .flow
                .pointer("/Metadata/ActionMetadata")
                .and_then(|m| m.get(id))
                .and_then(|m| m.pointer("/queue/text"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "queue".to_string())
}

/// What a message, prompt or input action says.
fn spoken(export: &Export, action: &Value) -> Spoken {
    let mut parts = Vec::new();
    let mut known = true;
    let mut one = |source: &Value| {
        if let Some(text) = str_of(source, "Text") {
            if text.trim().starts_with("$.") {
                known = false;
                parts.push(format!("(text read at run time from {})", text.trim()));
            } else if !text.trim().is_empty() {
                parts.push(text.trim().to_string());
            }
        }
        if let Some(ssml) = str_of(source, "SSML") {
            if ssml.trim().starts_with("$.") {
                known = false;
                parts.push(format!("(SSML read at run time from {})", ssml.trim()));
            } else {
                let plain = strip_ssml(ssml);
                if !plain.is_empty() {
                    parts.push(plain);
                }
            }
        }
        if let Some(prompt) = str_of(source, "PromptId") {
            known = false;
            let name = prompt.rsplit('/').next().unwrap_or(prompt);
            parts.push(format!("(recorded prompt {name})"));
        }
        if let Some(media) = source.get("Media") {
            known = false;
            let uri = str_of(media, "Uri").unwrap_or("audio");
            parts.push(format!("(audio {uri})"));
        }
    };
    if let Some(params) = action.get("Parameters") {
        one(params);
        for message in params
            .get("Messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            one(message);
        }
    }
    if parts.is_empty() {
        // The designer keeps the text of some blocks only in `Metadata`.
        let id = str_of(action, "Identifier").unwrap_or("");
        let meta = export
            .flow
            .pointer("/Metadata/ActionMetadata")
            .and_then(|m| m.get(id));
        for audio in meta
            .and_then(|m| m.get("audio"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(tts) = str_of(audio, "tts").filter(|t| !t.trim().is_empty()) {
                parts.push(strip_ssml(tts));
            }
        }
    }
    if parts.is_empty() {
        known = false;
    }
    Spoken {
        text: parts.join(" "),
        known,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use serde_json::json;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn action(id: &str, ty: &str, params: Value, transitions: Value) -> Value {
        json!({"Identifier": id, "Type": ty, "Parameters": params, "Transitions": transitions})
    }

    fn export(start: &str, actions: Vec<Value>) -> String {
        serde_json::to_string_pretty(&json!({
            "Version": "2019-10-30",
            "StartAction": start,
            "Metadata": {"entryPointPosition": {"x": 20, "y": 20}},
            "Actions": actions,
        }))
        .unwrap()
    }

    fn one(name: &str, text: &str) -> Imported {
        import(&[(name.to_string(), text.to_string())]).expect("imports")
    }

    fn node<'a>(flow: &'a IrFlow, id: &str) -> &'a IrNode {
        flow.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node `{id}` in {:#?}", flow.nodes))
    }

    fn hangup(id: &str) -> Value {
        action(id, "DisconnectParticipant", json!({}), json!({}))
    }

    fn documents(imported: &Imported) -> Vec<(String, String)> {
        imported
            .flows
            .iter()
            .map(|f| (format!("{}.yaml", f.id), crate::import::emit(f)))
            .collect()
    }

    fn lint(imported: &Imported) -> Vec<Finding> {
        let documents = documents(imported);
        let set = match crate::loader::load_texts(PathBuf::from("imported"), &documents) {
            Ok(set) => set,
            Err(e) => {
                for (name, text) in &documents {
                    eprintln!("--- {name}\n{text}");
                }
                panic!("the import does not load: {}", e.plain_lines().join("; "));
            }
        };
        crate::analysis::lint(&set).expect("compiles").findings
    }

    #[test]
    fn messages_say_their_text_ssml_or_prompt() {
        let text = export(
            "a",
            vec![
                action(
                    "a",
                    "MessageParticipant",
                    json!({"Text": "Welcome to Acme."}),
                    json!({"NextAction": "b"}),
                ),
                action(
                    "b",
                    "MessageParticipant",
                    json!({"SSML": "<speak>Calls are <emphasis>recorded</emphasis>.</speak>"}),
                    json!({"NextAction": "c"}),
                ),
                action(
                    "c",
                    "MessageParticipant",
                    json!({"PromptId": "arn:aws:connect:eu-west-2:1:instance/x/prompt/closed-message"}),
                    json!({"NextAction": "d"}),
                ),
                action(
                    "d",
                    "MessageParticipant",
                    json!({"Text": "$.External.greeting"}),
                    json!({"NextAction": "e"}),
                ),
                hangup("e"),
            ],
        );
        let imported = one("flows/Welcome.json", &text);
        let flow = &imported.flows[0];
        assert_eq!(flow.id, "Welcome");
        assert_eq!(flow.start, "a");
        assert_eq!(flow.source, "flows/Welcome.json");
        let say = |id: &str| match &node(flow, id).kind {
            IrKind::Say { text, next } => (text.clone(), next.clone()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            say("a"),
            ("Welcome to Acme.".to_string(), Some("b".to_string()))
        );
        assert_eq!(say("b").0, "Calls are recorded .");
        assert_eq!(say("c").0, "(recorded prompt closed-message)");
        assert_eq!(
            say("d").0,
            "(text read at run time from $.External.greeting)"
        );
        assert_eq!(
            node(flow, "e").kind,
            IrKind::Hangup {
                text: String::new()
            }
        );
        let origin = &node(flow, "b").origin;
        assert_eq!(
            (origin.action.as_str(), origin.platform_type.as_str()),
            ("b", "MessageParticipant")
        );
        // The line and column of the action's "Identifier" key.
        let line = text
            .lines()
            .position(|l| l.contains("\"Identifier\": \"b\""))
            .unwrap() as u32
            + 1;
        let column = text
            .lines()
            .nth(line as usize - 1)
            .unwrap()
            .find('"')
            .unwrap() as u32
            + 1;
        assert_eq!((origin.line, origin.column), (line, column));
        // Lint finds nothing:
        // `fixtures/import/connect/messages-text-ssml-and-prompts`.
    }

    fn menu_export(errors: Value) -> String {
        export(
            "menu",
            vec![
                action(
                    "menu",
                    "GetParticipantInput",
                    json!({"Text": "For billing, press 1. Press 2 to report an outage.", "StoreInput": "False", "InputTimeLimitSeconds": "5"}),
                    json!({
                        "NextAction": "sorry",
                        "Conditions": [
                            {"NextAction": "billing", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
                            {"NextAction": "outage", "Condition": {"Operator": "Equals", "Operands": ["2"]}},
                        ],
                        "Errors": errors,
                    }),
                ),
                action(
                    "billing",
                    "TransferContactToQueue",
                    json!({"QueueId": "billing-queue"}),
                    json!({}),
                ),
                action("outage", "EndFlowExecution", json!({}), json!({})),
                action(
                    "sorry",
                    "MessageParticipant",
                    json!({"Text": "Sorry."}),
                    json!({"NextAction": "bye"}),
                ),
                hangup("bye"),
            ],
        )
    }

    #[test]
    fn a_key_menu_has_options_and_handlers() {
        let imported = one(
            "menu.json",
            &menu_export(json!([
                {"NextAction": "sorry", "ErrorType": "InputTimeLimitExceeded"},
                {"NextAction": "sorry", "ErrorType": "NoMatchingCondition"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
            ])),
        );
        let flow = &imported.flows[0];
        // The NoMatchingError branch is a platform error, not a wrong key: a
        // step before the menu takes it, so its target stays reachable.
        assert_eq!(
            node(flow, "menu").kind,
            IrKind::Opaque {
                text: "GetParticipantInput (Text, StoreInput, InputTimeLimitSeconds)".to_string(),
                branches: vec![
                    ("prompted".to_string(), "menu__menu".to_string()),
                    ("NoMatchingError".to_string(), "bye".to_string()),
                ]
            }
        );
        let IrKind::Menu {
            prompt,
            options,
            no_input,
            no_match,
            ..
        } = &node(flow, "menu__menu").kind
        else {
            panic!("{:?}", node(flow, "menu__menu"))
        };
        assert_eq!(prompt, "For billing, press 1. Press 2 to report an outage.");
        let keys: Vec<(Option<&str>, Option<&str>, &str)> = options
            .iter()
            .map(|o| (o.key.as_deref(), o.label.as_deref(), o.goto.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (Some("1"), Some("billing"), "billing"),
                (Some("2"), Some("report an outage"), "outage")
            ]
        );
        assert_eq!(
            no_input,
            &Some(IrHandler {
                retries: 0,
                then: "sorry".to_string()
            })
        );
        assert_eq!(
            no_match,
            &Some(IrHandler {
                retries: 0,
                then: "sorry".to_string()
            })
        );
        // The platform-error branch has no place on a menu: noted.
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("menu (GetParticipantInput)") && n.contains("NoMatchingError")));
        assert_eq!(
            node(flow, "billing").kind,
            IrKind::Transfer {
                queue: "billing-queue".to_string()
            }
        );
        assert_eq!(
            node(flow, "outage").kind,
            IrKind::End {
                text: "flow ends".to_string()
            }
        );
        // Lint finds nothing: `fixtures/import/connect/key-menu-with-handlers`.
    }

    #[test]
    fn a_menu_without_any_error_branch_leaves_silence_unhandled() {
        // No branch for the timeout and no catch-all: the export says
        // nowhere to go, and lint reports it (`unhandled-input`).
        let imported = one("menu.json", &menu_export(json!([])));
        // Its NextAction, beside the conditions, is a step in front.
        let IrKind::Menu {
            no_input, no_match, ..
        } = &node(&imported.flows[0], "menu__menu").kind
        else {
            panic!()
        };
        assert_eq!(no_input, &None);
        assert_eq!(no_match, &None);
    }

    #[test]
    fn a_menu_without_a_timeout_branch_takes_the_catch_all_on_silence() {
        // "NoMatchingError - if no other Error matches": silence is a
        // timeout error, and without its own branch it takes the catch-all.
        let imported = one(
            "menu.json",
            &menu_export(json!([{"NextAction": "sorry", "ErrorType": "NoMatchingError"}])),
        );
        let flow = &imported.flows[0];
        let IrKind::Menu {
            no_input, no_match, ..
        } = &node(flow, "menu").kind
        else {
            panic!()
        };
        assert_eq!(
            no_input,
            &Some(IrHandler {
                retries: 0,
                then: "sorry".to_string()
            }),
            "silence goes down NoMatchingError"
        );
        assert_eq!(
            no_match,
            &Some(IrHandler {
                retries: 0,
                then: "sorry".to_string()
            })
        );
        // Lint finds silence unhandled at the menu, and nothing else:
        // `fixtures/import/connect/menu-without-timeout-branch`.
    }

    #[test]
    fn a_run_time_prompt_lists_the_keys_it_takes() {
        let text = export(
            "menu",
            vec![
                action(
                    "menu",
                    "GetParticipantInput",
                    json!({"Text": "$.External.offer", "StoreInput": "False"}),
                    json!({
                        "NextAction": "bye",
                        "Conditions": [
                            {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
                            {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["2"]}},
                            {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["3"]}},
                        ],
                        "Errors": [
                            {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
                            {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                        ],
                    }),
                ),
                hangup("bye"),
            ],
        );
        let imported = one("offer.json", &text);
        let IrKind::Menu { prompt, .. } = &node(&imported.flows[0], "menu").kind else {
            panic!()
        };
        assert_eq!(
            prompt,
            "(text read at run time from $.External.offer) [keys the flow takes: press 1, 2 or 3.]"
        );
        let announced = crate::analysis::announcements::parse_announcements(prompt);
        let keys: Vec<char> = announced.keys.iter().map(|k| k.key).collect();
        assert_eq!(keys, vec!['1', '2', '3']);
        assert!(imported
            .notes
            .iter()
            .any(|n| n
                .contains("menu (GetParticipantInput): the prompt's words are not in the export")));
        // Lint finds nothing: `fixtures/import/connect/prompt-read-at-run-time`.
    }

    #[test]
    fn stored_input_is_an_ask() {
        let text = export(
            "account",
            vec![
                action(
                    "account",
                    "GetParticipantInput",
                    json!({"Text": "Enter your account number.", "StoreInput": "True", "InputValidation": {"CustomValidation": {"MaximumLength": "8"}}}),
                    json!({"NextAction": "thanks", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}),
                ),
                action(
                    "pin",
                    "GetParticipantInput",
                    json!({"Text": "Enter your PIN.", "StoreInput": "True", "MaxDigits": 4}),
                    json!({"NextAction": "thanks", "Errors": [
                        {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                    ]}),
                ),
                action(
                    "phone",
                    "GetParticipantInput",
                    json!({"Text": "Your number?", "StoreInput": "True", "InputValidation": {"PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "AU"}}}),
                    json!({"NextAction": "thanks", "Errors": [
                        {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                        {"NextAction": "account", "ErrorType": "InvalidPhoneNumber"},
                    ]}),
                ),
                action(
                    "thanks",
                    "MessageParticipant",
                    json!({"Text": "Thank you."}),
                    json!({"NextAction": "bye"}),
                ),
                hangup("bye"),
            ],
        );
        let imported = one("ask.json", &text);
        let flow = &imported.flows[0];
        let ask = |id: &str| match &node(flow, id).kind {
            IrKind::Ask {
                pattern,
                goto,
                invalid,
                no_input,
                save,
                ..
            } => {
                assert_eq!(save.as_deref(), Some("StoredCustomerInput"));
                (
                    pattern.clone(),
                    goto.clone(),
                    invalid.clone().map(|h| h.then),
                    no_input.clone().map(|h| h.then),
                )
            }
            other => panic!("{other:?}"),
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            ask("account"),
            // On timeout Connect stores `Timeout` and goes on down NextAction.
            (
                some("[0-9]{1,8}"),
                some("thanks"),
                some("bye"),
                some("thanks")
            )
        );
        assert_eq!(
            ask("pin"),
            (some("[0-9]{1,4}"), some("thanks"), some("bye"), some("bye"))
        );
        // Its NoMatchingError (a platform error) is a step before the ask.
        assert_eq!(
            ask("phone__input"),
            (
                some(r"\+?[0-9]{6,15}"),
                some("thanks"),
                some("account"),
                some("thanks")
            )
        );
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("phone (GetParticipantInput): the NoMatchingError branch → bye")));
        // Silence at `account` goes on to `thanks` with the input `Timeout`:
        // lint finds no unhandled input: `fixtures/import/connect/stored-input`.
    }

    #[test]
    fn compare_and_lambda_are_opaque_with_every_branch() {
        let text = export(
            "lambda",
            vec![
                action(
                    "lambda",
                    "InvokeLambdaFunction",
                    json!({"LambdaFunctionARN": "{{lambdaFunctions.lookup.arn}}"}),
                    json!({"NextAction": "check", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}),
                ),
                action(
                    "check",
                    "Compare",
                    json!({"ComparisonValue": "$.External.tier"}),
                    json!({
                        "NextAction": "bye",
                        "Conditions": [
                            {"NextAction": "gold", "Condition": {"Operator": "Equals", "Operands": ["gold"]}},
                            {"NextAction": "attrs", "Condition": {"Operator": "NumberGreaterThan", "Operands": ["3"]}},
                        ],
                        "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingCondition"}],
                    }),
                ),
                action(
                    "attrs",
                    "UpdateContactAttributes",
                    json!({"Attributes": {"a": "b"}}),
                    json!({"NextAction": "bye"}),
                ),
                action("gold", "TransferContactToQueue", json!({}), json!({})),
                hangup("bye"),
            ],
        );
        let imported = one("opaque.json", &text);
        let flow = &imported.flows[0];
        let branches = |id: &str| match &node(flow, id).kind {
            IrKind::Opaque { branches, .. } => branches
                .iter()
                .map(|(on, to)| format!("{on}->{to}"))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            branches("lambda"),
            vec!["next->check", "NoMatchingError->bye"]
        );
        assert_eq!(
            branches("check"),
            vec![
                "Equals gold->gold",
                "NumberGreaterThan 3->attrs",
                "no match->bye"
            ]
        );
        assert_eq!(branches("attrs"), vec!["next->bye"]);
        assert_eq!(
            node(flow, "gold").kind,
            IrKind::Transfer {
                queue: "queue".to_string()
            }
        );
        for (id, ty) in [
            ("lambda", "InvokeLambdaFunction"),
            ("check", "Compare"),
            ("attrs", "UpdateContactAttributes"),
        ] {
            assert!(
                imported
                    .notes
                    .iter()
                    .any(|n| n.starts_with(&format!("opaque.json: {id} ({ty}): "))),
                "{id}: {:#?}",
                imported.notes
            );
        }
        // Lint finds nothing: `fixtures/import/connect/compare-and-lambda`.
    }

    #[test]
    fn hours_of_operation_is_a_switch_on_hours() {
        let text = export(
            "hours",
            vec![
                action(
                    "hours",
                    "CheckHoursOfOperation",
                    json!({}),
                    json!({
                        "NextAction": "bye",
                        "Conditions": [
                            {"NextAction": "queue", "Condition": {"Operator": "Equals", "Operands": ["True"]}},
                            {"NextAction": "closed", "Condition": {"Operator": "Equals", "Operands": ["False"]}},
                        ],
                        "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                    }),
                ),
                action("queue", "TransferContactToQueue", json!({}), json!({})),
                action(
                    "closed",
                    "MessageParticipant",
                    json!({"Text": "We are closed."}),
                    json!({"NextAction": "bye"}),
                ),
                hangup("bye"),
            ],
        );
        let imported = one("hours.json", &text);
        let flow = &imported.flows[0];
        assert_eq!(
            flow.vars,
            vec![(
                "hours".to_string(),
                vec!["open".to_string(), "closed".to_string()]
            )]
        );
        // The check's error branch is an outcome of a step before the switch.
        assert_eq!(
            node(flow, "hours").kind,
            IrKind::Opaque {
                text: "CheckHoursOfOperation".to_string(),
                branches: vec![
                    ("checked".to_string(), "hours__hours".to_string()),
                    ("NoMatchingError".to_string(), "bye".to_string()),
                ]
            }
        );
        assert_eq!(
            node(flow, "hours__hours").kind,
            IrKind::Switch {
                entries: vec![
                    (Some("hours == open".to_string()), "queue".to_string()),
                    (None, "closed".to_string())
                ]
            }
        );
        assert!(
            imported
                .notes
                .iter()
                .any(|n| n
                    .contains("hours (CheckHoursOfOperation): the NoMatchingError branch → bye"))
        );
        // `bye` is reached through `closed`.
        // Lint finds nothing: `fixtures/import/connect/hours-of-operation`.
    }

    /// Three tries at an answer, then goodbye: the Connect retry idiom.
    fn retry_loop(count: &str) -> String {
        export(
            "ask",
            vec![
                action(
                    "ask",
                    "GetParticipantInput",
                    json!({"Text": "Enter your account number.", "StoreInput": "True", "MaxDigits": "8"}),
                    json!({"NextAction": "done", "Errors": [
                        {"NextAction": "loop", "ErrorType": "NoMatchingError"},
                        {"NextAction": "loop", "ErrorType": "InputTimeLimitExceeded"},
                    ]}),
                ),
                action(
                    "loop",
                    "Loop",
                    json!({"LoopCount": count}),
                    json!({"NextAction": "bye", "Conditions": [
                        {"NextAction": "sorry", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                        {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
                    ]}),
                ),
                action(
                    "sorry",
                    "MessageParticipant",
                    json!({"Text": "Sorry, try again."}),
                    json!({"NextAction": "ask"}),
                ),
                action("done", "EndFlowExecution", json!({}), json!({})),
                hangup("bye"),
            ],
        )
    }

    #[test]
    fn a_bounded_loop_is_unrolled_and_is_no_trap() {
        let imported = one("retry.json", &retry_loop("3"));
        let flow = &imported.flows[0];
        // 5 actions; the body is `sorry` and `ask`. `ask` is the way in
        // (layer 0), so it has 3 copies; `sorry` is itself in layer 1 and
        // has 2; and the loop has 3 more visits.
        assert_eq!(flow.nodes.len(), 5 + 3 + 2 + 3);
        let only = |id: &str| match &node(flow, id).kind {
            IrKind::Opaque { branches, .. } => {
                assert_eq!(branches.len(), 1, "{id}: {branches:?}");
                branches[0].clone()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            only("loop"),
            ("ContinueLooping".to_string(), "sorry".to_string())
        );
        assert_eq!(
            only("loop__1"),
            ("ContinueLooping".to_string(), "sorry__2".to_string())
        );
        assert_eq!(
            only("loop__2"),
            ("ContinueLooping".to_string(), "sorry__3".to_string())
        );
        assert_eq!(
            only("loop__3"),
            ("DoneLooping".to_string(), "bye".to_string())
        );
        let IrKind::Ask { invalid, goto, .. } = &node(flow, "ask__2").kind else {
            panic!()
        };
        assert_eq!(invalid.as_ref().unwrap().then, "loop__2");
        assert_eq!(goto.as_deref(), Some("done"));
        assert_eq!(node(flow, "ask__2").origin, node(flow, "ask").origin);
        let IrKind::Say { next, .. } = &node(flow, "sorry").kind else {
            panic!()
        };
        assert_eq!(next.as_deref(), Some("ask__1"));
        let IrKind::Ask { invalid, .. } = &node(flow, "ask").kind else {
            panic!()
        };
        assert_eq!(invalid.as_ref().unwrap().then, "loop");
        // What lint finds on it (no trap, nothing unreachable, no endless
        // retry: four wrong answers in a row end the call) is
        // `fixtures/import/connect/bounded-retry-loop`.

        // A count read at run time keeps both branches, with a note.
        let imported = one("retry.json", &retry_loop("$.External.tries"));
        let IrKind::Opaque { branches, .. } = &node(&imported.flows[0], "loop").kind else {
            panic!()
        };
        assert_eq!(branches.len(), 2);
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("loop (Loop): the loop count is not a number")));
        // No trap: `fixtures/import/connect/retry-loop-counted-at-run-time`.

        // LoopCount 0: straight to DoneLooping.
        let imported = one("retry.json", &retry_loop("0"));
        assert_eq!(imported.flows[0].nodes.len(), 5);
        let IrKind::Opaque { branches, .. } = &node(&imported.flows[0], "loop").kind else {
            panic!()
        };
        assert_eq!(
            branches,
            &vec![("DoneLooping".to_string(), "bye".to_string())]
        );
    }

    fn nested_loops(outer_first: bool) -> String {
        let ask = action(
            "a",
            "GetParticipantInput",
            json!({"Text": "Enter your account number.", "StoreInput": "True", "MaxDigits": "8"}),
            json!({"NextAction": "ok", "Errors": [
                {"NextAction": "inner", "ErrorType": "NoMatchingError"},
                {"NextAction": "inner", "ErrorType": "InputTimeLimitExceeded"},
            ]}),
        );
        let lp = |id: &str, count: &str, cont: &str, done: &str| {
            action(
                id,
                "Loop",
                json!({"LoopCount": count}),
                json!({"NextAction": done, "Conditions": [
                    {"NextAction": cont, "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                    {"NextAction": done, "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}},
                ]}),
            )
        };
        let inner = lp("inner", "2", "a", "outer");
        let outer = lp("outer", "1", "msg", "bye");
        let loops = if outer_first {
            vec![outer, inner]
        } else {
            vec![inner, outer]
        };
        let mut actions = vec![ask];
        actions.extend(loops);
        actions.push(action(
            "msg",
            "MessageParticipant",
            json!({"Text": "Let's start again."}),
            json!({"NextAction": "a"}),
        ));
        actions.push(action("ok", "EndFlowExecution", json!({}), json!({})));
        actions.push(hangup("bye"));
        export("a", actions)
    }

    #[test]
    fn nested_loops_unroll_in_either_order() {
        for outer_first in [false, true] {
            let imported = one("nested.json", &nested_loops(outer_first));
            let flow = &imported.flows[0];
            let ids: BTreeSet<&str> = flow.nodes.iter().map(|n| n.id.as_str()).collect();
            assert_eq!(ids.len(), flow.nodes.len());
            // Every loop node left is a passthrough with one branch.
            for n in &flow.nodes {
                if n.origin.platform_type == "Loop" {
                    let IrKind::Opaque { branches, .. } = &n.kind else {
                        panic!()
                    };
                    assert_eq!(branches.len(), 1, "{}: {branches:?}", n.id);
                }
            }
            // Lint finds nothing: `fixtures/import/connect/nested-loops-*`.
            // Wrong answers: 3 at the inner loop, once round the outer
            // loop and 3 more, then goodbye.
            let mut at = "a".to_string();
            let mut answers = 0;
            let mut seen = Vec::new();
            loop {
                seen.push(at.clone());
                assert!(seen.len() < 100, "{seen:?}");
                at = match &node(flow, &at).kind {
                    IrKind::Ask { invalid, .. } => {
                        answers += 1;
                        invalid.as_ref().unwrap().then.clone()
                    }
                    IrKind::Opaque { branches, .. } => branches[0].1.clone(),
                    IrKind::Say { next, .. } => next.clone().unwrap(),
                    IrKind::Hangup { .. } => break,
                    other => panic!("{other:?}"),
                };
            }
            assert_eq!(answers, 6, "{seen:?}");
        }
    }

    #[test]
    fn a_transfer_to_its_own_flow_starts_it_again() {
        let text = export(
            "hello",
            vec![
                action(
                    "hello",
                    "GetParticipantInput",
                    json!({"Text": "Press 1 to hear this again.", "StoreInput": "False"}),
                    json!({"NextAction": "bye", "Conditions": [
                        {"NextAction": "again", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
                    ], "Errors": [
                        {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                    ]}),
                ),
                action(
                    "again",
                    "TransferToFlow",
                    json!({"ContactFlowId": "{{contactFlows.Self.arn}}"}),
                    json!({"NextAction": "bye"}),
                ),
                hangup("bye"),
            ],
        );
        let imported = one("Self.json", &text);
        let IrKind::Opaque { branches, .. } = &node(&imported.flows[0], "again").kind else {
            panic!()
        };
        assert_eq!(
            branches,
            &vec![
                ("transferred".to_string(), "hello".to_string()),
                ("NextAction".to_string(), "bye".to_string())
            ]
        );
        // Lint finds nothing: `fixtures/import/connect/transfer-to-own-flow`.
    }

    #[test]
    fn transfers_between_imported_flows_are_calls() {
        let main = export(
            "go",
            vec![
                action(
                    "go",
                    "TransferToFlow",
                    json!({"ContactFlowId": "{{contactFlows.Billing.arn}}"}),
                    json!({"NextAction": "elsewhere", "Errors": [{"NextAction": "elsewhere", "ErrorType": "NoMatchingError"}]}),
                ),
                action(
                    "elsewhere",
                    "TransferToFlow",
                    json!({"ContactFlowId": "{{contactFlows.Sales.arn}}"}),
                    json!({}),
                ),
            ],
        );
        let billing = export(
            "back",
            vec![action(
                "back",
                "TransferToFlow",
                json!({"ContactFlowId": "arn:aws:connect:eu-west-2:1:instance/i/contact-flow/main-id"}),
                json!({}),
            )],
        );
        let wrapped_main = serde_json::to_string_pretty(&json!({
            "Arn": "arn:aws:connect:eu-west-2:1:instance/i/contact-flow/main-id",
            "Id": "main-id",
            "Name": "Main line",
            "Type": "CONTACT_FLOW",
            "Content": main,
        }))
        .unwrap();
        let imported = import(&[
            ("Main.json".to_string(), wrapped_main.clone()),
            ("Billing.json".to_string(), billing),
        ])
        .unwrap();
        assert_eq!(
            imported
                .flows
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>(),
            vec!["Main_line", "Billing"]
        );
        let main_flow = &imported.flows[0];
        assert_eq!(main_flow.title, "Main line");
        assert_eq!(
            node(main_flow, "go").kind,
            IrKind::Opaque {
                text: "TransferToFlow ContactFlowId={{contactFlows.Billing.arn}}".to_string(),
                branches: vec![
                    ("transferred".to_string(), "go__flow".to_string()),
                    ("NoMatchingError".to_string(), "elsewhere".to_string())
                ],
            }
        );
        assert_eq!(
            node(main_flow, "go__flow").kind,
            IrKind::Call {
                flow: "Billing".to_string(),
                next: None
            }
        );
        assert_eq!(
            node(main_flow, "elsewhere").kind,
            IrKind::Transfer {
                queue: "flow Sales".to_string()
            }
        );
        assert!(imported
            .notes
            .iter()
            .any(|n| n
                .contains("elsewhere (TransferToFlow): the flow is not among the imported files")));
        // Billing's transfer back to Main (by ARN) would close a cycle of
        // calls that never return: a transfer, with a note.
        let back = &node(&imported.flows[1], "back").kind;
        assert!(
            matches!(back, IrKind::Transfer { queue } if queue.starts_with("flow ")),
            "{back:?}"
        );
        assert!(imported.notes.iter().any(
            |n| n.contains("back (TransferToFlow): a call of `Main_line` would close a cycle")
        ));
        // Wrapped: every node points at the `Content` key.
        let line = wrapped_main
            .lines()
            .position(|l| l.contains("\"Content\""))
            .unwrap() as u32
            + 1;
        assert!(main_flow
            .nodes
            .iter()
            .all(|n| n.origin.line == line && n.origin.column == 3));
        // Lint finds nothing: `fixtures/import/connect/calls-between-flows`.
    }

    #[test]
    fn a_content_wrapped_export_imports_like_the_plain_one() {
        let plain = retry_loop("2");
        let wrapped =
            serde_json::to_string(&json!({"ContactFlow": {"Name": "retry", "Content": plain}}))
                .unwrap();
        let a = one("retry.json", &plain);
        let b = one("retry.json", &wrapped);
        let strip = |imported: &Imported| -> Vec<(String, IrKind)> {
            imported.flows[0]
                .nodes
                .iter()
                .map(|n| (n.id.clone(), n.kind.clone()))
                .collect()
        };
        assert_eq!(strip(&a), strip(&b));
        // The wrapped export is written on one line.
        let content = wrapped.find("\"Content\"").unwrap();
        let at = (1, wrapped[..content].chars().count() as u32 + 1);
        assert!(b.flows[0]
            .nodes
            .iter()
            .all(|n| (n.origin.line, n.origin.column) == at));
        // A broken inner document points at `Content`.
        let broken = "{\n  \"Content\": \"{\\\"Actions\\\": [\"\n}";
        let e = import(&[("broken.json".to_string(), broken.to_string())]).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        let e = import(&[(
            "bad.json".to_string(),
            "{\n  \"Actions\": [,]\n}".to_string(),
        )])
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = import(&[("other.json".to_string(), "{\"states\": []}".to_string())]).unwrap_err();
        assert!(e.message.contains("no `Actions` list"), "{e}");
    }

    #[test]
    fn a_missing_transition_is_a_dead_end_but_a_hold_message_ends() {
        let text = export(
            "a",
            vec![
                action(
                    "a",
                    "MessageParticipant",
                    json!({"Text": "Hello."}),
                    json!({"NextAction": "nowhere"}),
                ),
                action(
                    "b",
                    "MessageParticipant",
                    json!({"Text": "Unused."}),
                    json!({}),
                ),
            ],
        );
        let imported = one("dead.json", &text);
        let flow = &imported.flows[0];
        assert_eq!(
            node(flow, "a").kind,
            IrKind::Say {
                text: "Hello.".to_string(),
                next: None
            }
        );
        assert!(imported
            .notes
            .iter()
            .any(|n| n.contains("a (MessageParticipant): NextAction `nowhere` names no action")));
        // Lint finds the dead end and the unreachable `b`:
        // `fixtures/import/connect/missing-transition`.

        let hold = export(
            "h",
            vec![action(
                "h",
                "MessageParticipantIteratively",
                json!({"Messages": [{"Text": "Please hold."}]}),
                json!({"Errors": [], "Conditions": []}),
            )],
        );
        let imported = one("Hold.json", &hold);
        assert_eq!(
            node(&imported.flows[0], "h").kind,
            IrKind::End {
                text: "Please hold.".to_string()
            }
        );
        // Lint finds nothing: `fixtures/import/connect/hold-message-ends`.
        let single = export(
            "m",
            vec![action(
                "m",
                "MessageParticipant",
                json!({"Text": "One moment."}),
                json!({}),
            )],
        );
        let imported = one("Whisper.json", &single);
        assert_eq!(
            node(&imported.flows[0], "m").kind,
            IrKind::End {
                text: "One moment.".to_string()
            }
        );

        // A queue flow's looping message with an error branch: it plays
        // until an agent takes the contact, or the error path runs.
        let queue = export(
            "loop",
            vec![
                action(
                    "loop",
                    "MessageParticipantIteratively",
                    json!({"Messages": [{"Text": "All agents are busy."}, {"PromptId": "arn:aws:connect:x:prompt/music"}]}),
                    json!({"Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}),
                ),
                hangup("bye"),
            ],
        );
        let imported = one("Queue.json", &queue);
        let flow = &imported.flows[0];
        let IrKind::Opaque { branches, .. } = &node(flow, "loop").kind else {
            panic!()
        };
        assert_eq!(
            branches,
            &vec![
                ("played".to_string(), "loop__end".to_string()),
                ("NoMatchingError".to_string(), "bye".to_string())
            ]
        );
        assert_eq!(
            node(flow, "loop__end").kind,
            IrKind::End {
                text: "All agents are busy. (recorded prompt music)".to_string()
            }
        );
        // Lint finds nothing:
        // `fixtures/import/connect/queue-message-with-error-branch`.
    }

    #[test]
    fn flow_names_come_from_metadata_and_stay_unique() {
        let mut named: Value = serde_json::from_str(&retry_loop("1")).unwrap();
        named["Metadata"]["name"] = json!("Account retry");
        let named = named.to_string();
        let imported = import(&[
            ("a/x.json".to_string(), named.clone()),
            ("b/x.json".to_string(), named),
            ("weird name!.json".to_string(), retry_loop("1")),
        ])
        .unwrap();
        let ids: Vec<&str> = imported.flows.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, vec!["Account_retry", "Account_retry_2", "weird_name_"]);
        assert!(imported
            .notes
            .iter()
            .any(|n| n.starts_with("b/x.json: another imported flow is also called")));
        lint(&imported);
    }
}
