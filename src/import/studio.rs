//! Twilio Studio flow definitions (`{description, states[], initial_state,
//! flags}`) into touchpoint flows, one flow per file.
//!
//! The mapping:
//!
//! - The `trigger` state is not a node: its `incomingCall` transition is the
//!   flow's start. Its other events (messages, REST requests) serve other
//!   channels; they are ignored with a note, and states only they reach are
//!   left out (with a note), so they are not `unreachable`. A flow whose
//!   only way in is `incomingParent` is a Subflow, run by a parent's
//!   `run-subflow` in the same call: it starts there, and its ends are
//!   `end`s (back to the parent), not hang-ups.
//! - `say-play` is a `say`; `gather-input-on-call` together with the
//!   `split-based-on` that reads its `{{widgets.<gather>.Digits}}` or
//!   `SpeechResult` (the gather's `keypress` / `speech` transition leads to
//!   it) is one `menu`: the split's `match` values are the keys or phrases
//!   (phrases without the transcription's closing stop, and on the option of
//!   the key that leads to the same place, if there is one),
//!   its `noMatch` the `no_match` handler, the gather's `timeout` the
//!   `no_input` handler (no retries: Studio re-prompts only by a loop the
//!   author draws). A gather with no split of its own is an `ask` for
//!   digits, unless its key and its spoken answer lead to different places:
//!   then it is a `menu` with one catch-all speech option, and any key is
//!   its `no_match` handler.
//! - `connect-call-to`, `send-to-flex` and `enqueue-call` transfer the call,
//!   and Studio goes on after them: each is an `opaque` step whose first
//!   outcome (`answered`, `enqueued`) leads to the `transfer` and whose
//!   other outcomes are its transitions under their own names
//!   (`callCompleted`, `hangup`, `failedToEnqueue`, `callFailure`), so no
//!   edge is dropped and a failure that ends the call in silence is seen.
//! - Everything touchpoint cannot follow (other splits, `set-variables`,
//!   `run-function`, `make-http-request`, `send-message`, unknown types) is
//!   `opaque`, with one branch per transition, all explored; for
//!   `unset-variable` it reads the flow variables and widget results its
//!   templates name and sets its own results (see `name_uses`).
//! - A transition without `next` ends the call: after an action it leads to
//!   a generated `hangup` node with no text (Studio hangs up without a
//!   word); on a gather's `keypress`/`speech` (or a
//!   split's `noMatch`) the input is unhandled, as on the platform. (A
//!   touchpoint menu has one `no_match` for keys and phrases alike: where a
//!   gather's unmatched keys go somewhere and its speech has no next, the
//!   phrases are modelled as going there too, with a note.)
//! - A split that reads another gather's input (a retry gather that leads
//!   back to the first gather's split) is decided by what the caller pressed
//!   at that other gather. Which of its branches can be taken from each state
//!   is worked out over the flow; where only one can, the edge goes straight
//!   there (with a note), otherwise the split is an `opaque` node.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::analysis::announcements::parse_announcements;

use super::ir::{self, Imported, IrFlow, IrHandler, IrKind, IrNode, IrOption, NameUse, Origin};
use super::kit::json::{entry, key_position, position, JsonExport};
use super::kit::UniqueIds;
use super::ImportError;

/// Reads Studio flow definitions, one flow per file.
pub fn import(files: &[(String, String)]) -> Result<Imported, ImportError> {
    let mut imported = Imported::default();
    let mut ids = UniqueIds::new();
    for (path, text) in files {
        let mut flow = import_file(path, text, &mut imported.notes)?;
        let base = flow.id.clone();
        flow.id = ids.claim(&base);
        if flow.id != base {
            imported.notes.push(format!(
                "{path}: another file already gives the flow id `{base}`; this flow is `{}`",
                flow.id
            ));
        }
        imported.flows.push(flow);
    }
    Ok(imported)
}

const GATHER: &str = "gather-input-on-call";
const SPLIT: &str = "split-based-on";
const DIGITS_PATTERN: &str = "[0-9#*]+";

struct Transition {
    event: String,
    next: Option<usize>,
    conditions: Vec<Value>,
}

struct State {
    name: String,
    kind: String,
    id: String,
    transitions: Vec<Transition>,
    props: Value,
    origin: Origin,
}

impl State {
    fn prop(&self, key: &str) -> Option<&str> {
        self.props
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn event(&self, event: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.event == event)
    }

    fn next_of(&self, event: &str) -> Option<usize> {
        self.event(event).and_then(|t| t.next)
    }
}

/// Which gather input a split reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Digits,
    Speech,
}

impl Input {
    /// The gather event that gives this input a fresh value.
    fn event(self) -> &'static str {
        match self {
            Input::Digits => "keypress",
            Input::Speech => "speech",
        }
    }
}

/// A split on a gather's input: its branches in order (`match` transitions,
/// then `noMatch`), each with its target (`None`: the call ends).
struct Tracked {
    gather: usize,
    input: Input,
    targets: Vec<Option<usize>>,
    /// The branches an empty input takes (after the gather's timeout, or
    /// its other kind of input).
    empty: u64,
    /// Per state, the branches the split can take when entered from there
    /// (bit per branch), from which gather answers can still be live.
    live: Vec<u64>,
}

impl Tracked {
    fn all(&self) -> u64 {
        if self.targets.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.targets.len()) - 1
        }
    }
}

fn err(path: &str, (line, column): (u32, u32), message: impl Into<String>) -> ImportError {
    ImportError {
        file: path.to_string(),
        line,
        column,
        message: message.into(),
    }
}

fn parse_states(path: &str, text: &str) -> Result<(Value, Vec<State>), ImportError> {
    let JsonExport { value: root, tree } =
        JsonExport::parse(path, text, "not a Studio flow definition")?;
    let Some(raw_states) = root.get("states").and_then(Value::as_array) else {
        return Err(err(
            path,
            (1, 1),
            "not a Studio flow definition: no `states` array",
        ));
    };
    // The tree's `states`, item for item: each state points at its
    // `"name"` key.
    let tree_states = entry(&tree, "states")
        .and_then(|(_, states)| states.as_seq())
        .unwrap_or_default();
    let mut states = Vec::new();
    let mut raw_nexts = Vec::new();
    for (i, raw) in raw_states.iter().enumerate() {
        let at = tree_states.get(i).map_or((1, 1), position);
        let Some(name) = raw.get("name").and_then(Value::as_str) else {
            return Err(err(path, at, format!("state {} has no `name`", i + 1)));
        };
        let (line, column) = tree_states
            .get(i)
            .and_then(|state| key_position(state, "name"))
            .unwrap_or(at);
        let Some(kind) = raw.get("type").and_then(Value::as_str) else {
            return Err(err(
                path,
                (line, column),
                format!("state `{name}` has no `type`"),
            ));
        };
        let mut transitions = Vec::new();
        let mut nexts = Vec::new();
        for t in raw
            .get("transitions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let event = t
                .get("event")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let next = t
                .get("next")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty());
            nexts.push(next.map(str::to_string));
            let conditions = t
                .get("conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            transitions.push(Transition {
                event,
                next: None,
                conditions,
            });
        }
        raw_nexts.push(nexts);
        states.push(State {
            name: name.to_string(),
            kind: kind.to_string(),
            id: String::new(),
            transitions,
            props: raw.get("properties").cloned().unwrap_or(Value::Null),
            origin: Origin {
                line,
                column,
                action: name.to_string(),
                platform_type: kind.to_string(),
            },
        });
    }
    let by_name: HashMap<&str, usize> = states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut resolved = Vec::new();
    for (i, nexts) in raw_nexts.iter().enumerate() {
        let mut row = Vec::new();
        for (t, next) in nexts.iter().enumerate() {
            let target = match next {
                None => None,
                Some(n) => match by_name.get(n.as_str()) {
                    Some(&j) => Some(j),
                    None => {
                        let s = &states[i];
                        return Err(err(
                            path,
                            (s.origin.line, s.origin.column),
                            format!(
                                "unknown-target: the `{}` transition of state `{}` leads to `{n}`, which is not a state of the flow",
                                s.transitions[t].event, s.name
                            ),
                        ));
                    }
                },
            };
            row.push(target);
        }
        resolved.push(row);
    }
    for (state, row) in states.iter_mut().zip(resolved) {
        for (t, next) in state.transitions.iter_mut().zip(row) {
            t.next = next;
        }
    }
    Ok((root, states))
}

/// `{{widgets.<gather>.Digits}}` or `.SpeechResult`: the gather's name and
/// which input.
fn split_input(input: &str) -> Option<(&str, Input)> {
    let inner = input.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let rest = inner.strip_prefix("widgets.")?;
    let (gather, field) = rest.rsplit_once('.')?;
    let input = match field {
        "Digits" => Input::Digits,
        "SpeechResult" => Input::Speech,
        _ => return None,
    };
    Some((gather, input))
}

/// The most combinations of kept Digits values an import makes: each is a
/// world the walk starts the flow in.
const MAX_KEPT_WORLDS: usize = 256;

/// The gathers whose Digits any state's properties name, as
/// `widgets.<gather>.Digits` inside a `{{...}}` template.
fn digits_mentioned(states: &[State]) -> HashSet<String> {
    fn walk(value: &Value, out: &mut HashSet<String>) {
        match value {
            Value::String(text) => {
                for (at, _) in text.match_indices("widgets.") {
                    let rest = &text[at + "widgets.".len()..];
                    let end = rest.find(['}', ' ', '|']).unwrap_or(rest.len());
                    if let Some(gather) = rest[..end].strip_suffix(".Digits") {
                        out.insert(gather.to_string());
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    for state in states {
        walk(&state.props, &mut out);
    }
    out
}

/// The value of `<gather>.Digits` that stands for an answer no option of
/// the gather's menu takes (silence, another key). No condition compares
/// it: a split's key conditions are single keys.
const NO_KEY: &str = "other";

/// The variable in which a gather's Digits are kept: `<gather>.Digits`,
/// with any character a condition cannot name replaced by `_`.
fn digits_var(gather: &str) -> String {
    let name: String = gather
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}.Digits")
}

fn condition_values(condition: &Value) -> Vec<String> {
    let value = match condition.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Vec::new(),
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words a caller says for each value a split compares `SpeechResult`
/// with. The transcription ends a sentence with a full stop (a caller who
/// says "sales" gives `Sales.`), so flows write the values that way; the
/// stop is not something the caller says. Studio compares without case and
/// trims spaces, and touchpoint's phrases ignore case too. A value that is
/// nothing but punctuation is kept as it is.
fn spoken_words(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|value| {
        let words = value
            .trim()
            .trim_end_matches(['.', '?', '!', ','])
            .trim_end();
        if words.is_empty() {
            value.as_str()
        } else {
            words
        }
    })
}

/// The keys (Digits) or speech phrases (SpeechResult) of each `match`
/// transition of a split, or `None` when a condition is not one a menu can
/// express (a negation, a comparison, several conditions at once, a
/// multi-digit value).
fn menu_choices(split: &State, input: Input) -> Option<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for t in split.transitions.iter().filter(|t| t.event == "match") {
        let [condition] = t.conditions.as_slice() else {
            return None;
        };
        let kind = condition
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let values = condition_values(condition);
        if values.is_empty() {
            return None;
        }
        let choices: Vec<String> = match (input, kind) {
            (Input::Digits, "equal_to") if values.len() == 1 => values,
            (Input::Digits, "matches_any_of") => values,
            (Input::Digits, _) => return None,
            (Input::Speech, "equal_to" | "matches_any_of" | "contains") => {
                spoken_words(&values).map(regex::escape).collect()
            }
            (Input::Speech, "starts_with") => spoken_words(&values)
                .map(|v| format!("^{}", regex::escape(v)))
                .collect(),
            (Input::Speech, "regex") => {
                let pattern = condition
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                Regex::new(&pattern).ok()?;
                vec![pattern]
            }
            (Input::Speech, _) => return None,
        };
        if input == Input::Digits
            && !choices
                .iter()
                .all(|k| k.len() == 1 && "0123456789*#".contains(k.as_str()))
        {
            return None;
        }
        out.push(choices);
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// What the caller hears at a say-play or gather.
fn spoken(state: &State) -> String {
    let mut parts = Vec::new();
    if let Some(say) = state.prop("say") {
        let text = ir::strip_ssml(say);
        if !text.is_empty() {
            parts.push(text);
        }
    }
    if let Some(play) = state.prop("play") {
        parts.push(format!("(audio {play})"));
    }
    if let Some(digits) = state.prop("digits") {
        parts.push(format!("(plays digits {digits})"));
    }
    if parts.is_empty() {
        format!("({} `{}` says nothing)", state.kind, state.name)
    } else {
        parts.join(" ")
    }
}

fn bits(mask: u64) -> impl Iterator<Item = usize> {
    (0..64).filter(move |b| mask & (1u64 << b) != 0)
}

struct Builder<'a> {
    path: &'a str,
    states: &'a [State],
    tracked: HashMap<usize, Tracked>,
    /// Generated nodes where the call ends, by the state they follow.
    hangups: BTreeMap<usize, String>,
    /// Other generated nodes (the transfer behind a transfer widget's
    /// outcomes), placed after the state they belong to.
    extra: BTreeMap<usize, Vec<(String, IrKind)>>,
    /// Tracked splits something leads to without a single known branch:
    /// they need a node of their own.
    needed: BTreeSet<usize>,
    /// Every node id given so far: the states', then generated nodes'.
    ids: UniqueIds,
    /// The flow is a Subflow: where it ends, control goes back to the
    /// parent flow.
    subflow: bool,
    notes: Vec<String>,
    /// The gathers whose Digits some state's properties name
    /// (`{{widgets.<gather>.Digits}}` in a prompt, a request, a split).
    digits_mentioned: HashSet<String>,
}

impl Builder<'_> {
    fn note(&mut self, text: String) {
        let text = format!("{}: {text}", self.path);
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    /// The node a call goes to when `from` ends it (in a Subflow, the end
    /// that goes back to the parent flow).
    fn hangup(&mut self, from: usize) -> String {
        if let Some(id) = self.hangups.get(&from) {
            return id.clone();
        }
        let suffix = if self.subflow { "returns" } else { "call_ends" };
        let id = self
            .ids
            .claim(&format!("{}_{suffix}", self.states[from].id));
        self.hangups.insert(from, id.clone());
        id
    }

    /// Where a transition of `from` to state `to` leads in touchpoint:
    /// `to`'s node, or for a split on a gather's input that only one
    /// branch can leave from here, that branch's target.
    fn target(&mut self, from: Option<usize>, event: &str, to: usize, depth: usize) -> String {
        let Some(split) = self.tracked.get(&to) else {
            return self.states[to].id.clone();
        };
        let allowed = match from {
            Some(f) if f == split.gather && event == split.input.event() => split.all(),
            Some(f) if f == split.gather => split.empty,
            Some(f) => split.live[f] & split.all(),
            None => split.all(),
        };
        if allowed.count_ones() != 1 || depth > 8 {
            self.needed.insert(to);
            return self.states[to].id.clone();
        }
        let branch = allowed.trailing_zeros() as usize;
        let next = split.targets[branch];
        let gather = split.gather;
        let field = if split.input == Input::Digits {
            "Digits"
        } else {
            "SpeechResult"
        };
        let (s, g) = (&self.states[to], &self.states[gather]);
        let (split_name, gather_name) = (s.name.clone(), g.name.clone());
        let branch_name = branch_label(s, branch);
        let from_name = from.map_or_else(
            || "the trigger".to_string(),
            |f| format!("`{}`", self.states[f].name),
        );
        let leads = next.map_or_else(
            || "the call ends".to_string(),
            |n| format!("it leads to `{}`", self.states[n].name),
        );
        if from == Some(gather) {
            // Another kind of answer than the split reads: a spoken answer
            // leaves the Digits empty (a key the SpeechResult, silence
            // both), so the split sees no match, not a wrong key.
            let answer = match event {
                "speech" => "a spoken answer",
                "keypress" => "a key",
                _ => "silence",
            };
            self.note(format!(
                "`{gather_name}`'s `{event}` event leads to split `{split_name}`, which reads its {field}: {answer} leaves that empty, \
                 so the split can only take its `{branch_name}` branch, and {leads} (modelled that way)"
            ));
        } else {
            self.note(format!(
                "{from_name} leads to split `{split_name}`, which reads `{gather_name}`'s {field}, not an answer given at {from_name}: \
                 from there it can only take its `{branch_name}` branch, so {leads} (modelled that way)"
            ));
        }
        match next {
            Some(n) => self.target(Some(to), &branch_name, n, depth + 1),
            None => self.hangup(from.unwrap_or(to)),
        }
    }

    /// Target of a transition, or the generated hangup when it has no
    /// `next`.
    fn follow(&mut self, from: usize, event: &str, next: Option<usize>) -> String {
        match next {
            Some(n) => self.target(Some(from), event, n, 0),
            None => self.hangup(from),
        }
    }

    fn handler(&mut self, from: usize, event: &str, next: Option<usize>) -> Option<IrHandler> {
        match next {
            Some(n) => Some(IrHandler {
                retries: 0,
                then: self.target(Some(from), event, n, 0),
            }),
            // In a Subflow an event with no next ends the Subflow, and the
            // parent flow goes on in the same call: the input is handled
            // by going back, not dropped.
            None if self.subflow => Some(IrHandler {
                retries: 0,
                then: self.hangup(from),
            }),
            None => None,
        }
    }

    /// The split `gather`'s `event` leads to when it reads that gather's
    /// input and its conditions can be menu choices.
    fn own_split(&self, gather: usize, event: &str) -> Option<(usize, Vec<Vec<String>>)> {
        let to = self.states[gather].next_of(event)?;
        let split = self.tracked.get(&to)?;
        let want = if event == "keypress" {
            Input::Digits
        } else {
            Input::Speech
        };
        if split.gather != gather || split.input != want {
            return None;
        }
        Some((to, menu_choices(&self.states[to], want)?))
    }

    fn gather(&mut self, g: usize) -> IrKind {
        // In a Subflow an event with no next goes back to the parent flow
        // (see `handler`); elsewhere it ends the call.
        let (ends, unhandled) = if self.subflow {
            ("ends the Subflow (the parent flow goes on)", "")
        } else {
            ("ends the call", " (unhandled)")
        };
        let state = &self.states[g];
        let name = state.name.clone();
        let prompt = spoken(state);
        let keypress = state.next_of("keypress");
        let speech = state.next_of("speech");
        let timeout = state.next_of("timeout");
        let own_keys = self.own_split(g, "keypress");
        let own_speech = self.own_split(g, "speech");
        let no_input = self.handler(g, "timeout", timeout);
        if timeout.is_none() {
            self.note(format!(
                "`{name}`'s timeout has no next: silence {ends}{unhandled}"
            ));
        }
        if own_keys.is_none() && own_speech.is_none() {
            // Keys and speech that lead to different places are two ways on,
            // neither of them an error: any spoken answer is one catch-all
            // option and any key the `no_match` handler (a digits `ask`
            // would make the speech path the handler of a rejected answer).
            // Only where the prompt asks for speech and announces no key: a
            // key it announces is an answer, and its path (often a split on
            // an earlier gather's Digits) is not a wrong key.
            let announces_keys = !parse_announcements(&prompt).keys.is_empty();
            if let (Some(k), Some(p), false) = (keypress, speech, announces_keys) {
                if k != p {
                    let spoken_to = self.target(Some(g), "speech", p, 0);
                    let keyed_to = self.target(Some(g), "keypress", k, 0);
                    self.note(format!(
                        "`{name}` has no split on its own input, and a spoken answer and a key lead to different places: modelled as a `menu` whose one option is any spoken answer (to `{}`) and whose `no_match` handler takes any key (to `{}`)",
                        self.states[p].name, self.states[k].name
                    ));
                    return IrKind::Menu {
                        prompt,
                        options: vec![IrOption {
                            key: None,
                            label: None,
                            speech: vec![".+".to_string()],
                            goto: spoken_to,
                            origin: None,
                        }],
                        no_input,
                        no_match: Some(IrHandler {
                            retries: 0,
                            then: keyed_to,
                        }),
                        save: None,
                    };
                }
            }
            if let Some(k) = keypress {
                let goto = self.target(Some(g), "keypress", k, 0);
                let invalid = self.handler(g, "speech", speech);
                match speech {
                    Some(_) => self.note(format!(
                        "`{name}` has no split on its own input: modelled as an `ask` for digits; a spoken answer (its `speech` transition, to the same place) is an answer the pattern rejects, handled by `invalid`"
                    )),
                    None => self.note(format!(
                        "`{name}` has no split on its own input: modelled as an `ask` for digits; its `speech` event has no next, so a spoken answer {ends}{unhandled}"
                    )),
                }
                // A split that reads these digits later, or a step that
                // speaks or sends them, reads this answer: it is kept, not
                // thrown away.
                let read_later = self
                    .tracked
                    .values()
                    .any(|t| t.gather == g && t.input == Input::Digits)
                    || self.digits_mentioned.contains(&name);
                return IrKind::Ask {
                    prompt,
                    pattern: Some(DIGITS_PATTERN.to_string()),
                    save: read_later.then(|| digits_var(&name)),
                    goto: Some(goto),
                    invalid,
                    no_input,
                };
            }
            if let Some(p) = speech {
                let goto = self.target(Some(g), "speech", p, 0);
                self.note(format!(
                    "`{name}`'s keypress has no next (a key {ends}) and its speech has no split: any spoken answer is modelled as one catch-all speech option"
                ));
                let option = IrOption {
                    key: None,
                    label: None,
                    speech: vec![".+".to_string()],
                    goto,
                    origin: None,
                };
                return IrKind::Menu {
                    prompt,
                    options: vec![option],
                    no_input,
                    no_match: None,
                    save: None,
                };
            }
            let goto = self.hangup(g);
            self.note(format!(
                "`{name}`'s keypress and speech both have no next: every answer {ends} (modelled as an `ask` that leads to `{goto}`)"
            ));
            return IrKind::Ask {
                prompt,
                pattern: Some(DIGITS_PATTERN.to_string()),
                save: None,
                goto: Some(goto),
                invalid: None,
                no_input,
            };
        }
        let mut options = Vec::new();
        let mut no_match = None;
        if let Some((s, choices)) = &own_keys {
            let announced = parse_announcements(&prompt);
            let matches: Vec<Option<usize>> = self.states[*s]
                .transitions
                .iter()
                .filter(|t| t.event == "match")
                .map(|t| t.next)
                .collect();
            // An option is taken by its split's condition, so findings
            // about it point at the split.
            let split_origin = self.states[*s].origin.clone();
            for (keys, next) in choices.iter().zip(matches) {
                let goto = self.follow(g, "keypress", next);
                for key in keys {
                    options.push(IrOption {
                        key: Some(key.clone()),
                        label: announced.label(key).map(str::to_string),
                        speech: Vec::new(),
                        goto: goto.clone(),
                        origin: Some(split_origin.clone()),
                    });
                }
            }
            let otherwise = self.states[*s].next_of("noMatch");
            no_match = self.handler(g, "keypress", otherwise);
            if otherwise.is_none() {
                let split = self.states[*s].name.clone();
                self.note(format!(
                    "split `{split}`'s noMatch has no next: a key `{name}` does not offer {ends}{unhandled}"
                ));
            }
        } else if let Some(k) = keypress {
            let to = self.target(Some(g), "keypress", k, 0);
            self.note(format!(
                "any key at `{name}` leads to `{}`: modelled as its `no_match` handler, which also takes spoken answers its speech split does not match",
                self.states[k].name
            ));
            no_match = Some(IrHandler {
                retries: 0,
                then: to,
            });
        }
        if let Some((s, choices)) = &own_speech {
            let matches: Vec<Option<usize>> = self.states[*s]
                .transitions
                .iter()
                .filter(|t| t.event == "match")
                .map(|t| t.next)
                .collect();
            let split_origin = self.states[*s].origin.clone();
            let keyed = options.len();
            for (phrases, next) in choices.iter().zip(matches) {
                let goto = self.follow(g, "speech", next);
                // Phrases that lead where a key does are that option's
                // speech, as a native menu writes it: one choice the caller
                // can press or say, not a second option the menu offers.
                if let Some(option) = options[..keyed].iter_mut().find(|o| o.goto == goto) {
                    option.speech.extend(phrases.iter().cloned());
                    continue;
                }
                options.push(IrOption {
                    key: None,
                    label: None,
                    speech: phrases.clone(),
                    goto,
                    origin: Some(split_origin.clone()),
                });
            }
            let otherwise = self.states[*s].next_of("noMatch");
            let split = self.states[*s].name.clone();
            let handler = self.handler(g, "speech", otherwise);
            match (&no_match, handler) {
                (None, Some(h)) => {
                    if keypress.is_none() {
                        self.note(format!(
                            "`{name}`'s keypress has no next (a key {ends}), but touchpoint's `no_match` (from split `{split}`'s noMatch) takes unmatched keys as well as phrases"
                        ));
                    }
                    no_match = Some(h);
                }
                (Some(h), Some(other)) if h.then != other.then => self.note(format!(
                    "split `{split}`'s noMatch leads to `{}`, but unmatched keys at `{name}` lead to `{}`: touchpoint has one `no_match` per menu, so unmatched phrases are modelled as going there too",
                    other.then, h.then
                )),
                _ => {}
            }
        } else if let Some(p) = speech {
            // Any spoken answer goes there: a catch-all phrase, unless
            // unmatched phrases already do.
            let goto = self.target(Some(g), "speech", p, 0);
            if no_match.as_ref().is_none_or(|h| h.then != goto) {
                options.push(IrOption {
                    key: None,
                    label: None,
                    speech: vec![".+".to_string()],
                    goto,
                    origin: None,
                });
            }
        } else if let Some(h) = &no_match {
            self.note(format!(
                "`{name}`'s speech event has no next, so in Studio a spoken answer {ends}; touchpoint's menu treats an unmatched phrase like an unmatched key, so here it goes to `{}`",
                h.then
            ));
        } else {
            self.note(format!(
                "`{name}`'s speech event has no next: a spoken answer {ends}{unhandled}"
            ));
        }
        IrKind::Menu {
            prompt,
            options,
            no_input,
            no_match,
            // Set when a later split reads this gather's Digits (see
            // `digits_switch`).
            save: None,
        }
    }

    /// A split that reads an earlier gather's Digits, when that gather is
    /// a menu of keys and the split's conditions are keys: a `switch` on
    /// the variable in which the menu keeps its answer, so the walk knows
    /// which branch the caller's earlier answer takes (and the analysis
    /// can tell when that answer is stale). Returns the gather, the
    /// variable, its values and the switch; `None` leaves the split opaque.
    fn digits_switch(
        &mut self,
        s: usize,
        kinds: &BTreeMap<usize, IrKind>,
    ) -> Option<(usize, String, Vec<String>, IrKind)> {
        let split = self.tracked.get(&s)?;
        if split.input != Input::Digits {
            return None;
        }
        let g = split.gather;
        let Some(IrKind::Menu { options, .. }) = kinds.get(&g) else {
            return None;
        };
        let mut values: Vec<String> = Vec::new();
        for option in options {
            let key = option.key.clone()?;
            if !values.contains(&key) {
                values.push(key);
            }
        }
        if values.is_empty() {
            return None;
        }
        // Silence, or a key no option takes, leaves Digits holding none of
        // the menu's keys; the menu's handlers keep nothing, so the walk
        // tries this value with the others, and a split's noMatch stays
        // reachable through them.
        values.push(NO_KEY.to_string());
        let state = &self.states[s];
        let choices = menu_choices(state, Input::Digits)?;
        let var = digits_var(&self.states[g].name);
        let matches: Vec<(String, Option<usize>)> = state
            .transitions
            .iter()
            .filter(|t| t.event == "match")
            .map(|t| (condition_label(t), t.next))
            .collect();
        let no_match = state.next_of("noMatch");
        let mut entries = Vec::new();
        for (keys, (label, next)) in choices.iter().zip(matches) {
            for key in keys {
                if !values.contains(key) {
                    values.push(key.clone());
                }
            }
            let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
            let when = match quoted.as_slice() {
                [one] => format!("{var} == {one}"),
                many => format!("{var} in [{}]", many.join(", ")),
            };
            entries.push((Some(when), self.follow(s, &label, next)));
        }
        entries.push((None, self.follow(s, "noMatch", no_match)));
        Some((g, var, values, IrKind::Switch { entries }))
    }

    fn opaque(&mut self, i: usize, text: String) -> IrKind {
        let state = &self.states[i];
        let name = state.name.clone();
        let edges: Vec<(String, Option<usize>)> = if state.kind == SPLIT {
            state
                .transitions
                .iter()
                .enumerate()
                .map(|(b, t)| {
                    let label = if t.event == "match" {
                        condition_label(t)
                    } else {
                        t.event.clone()
                    };
                    (
                        if label.is_empty() {
                            format!("branch {}", b + 1)
                        } else {
                            label
                        },
                        t.next,
                    )
                })
                .collect()
        } else {
            state
                .transitions
                .iter()
                .map(|t| (t.event.clone(), t.next))
                .collect()
        };
        let mut branches: Vec<(String, String)> = Vec::new();
        let mut ending = Vec::new();
        for (label, next) in edges {
            if next.is_none() {
                ending.push(label.clone());
            }
            let goto = self.follow(i, &label, next);
            branches.push((unique_label(&branches, &label), goto));
        }
        if branches.is_empty() {
            let goto = self.hangup(i);
            branches.push(("(no transitions)".to_string(), goto));
            ending.push("(no transitions)".to_string());
        }
        let outcomes: Vec<&str> = branches.iter().map(|(b, _)| b.as_str()).collect();
        let ends = if self.subflow {
            "the subflow ends (back to the parent flow)"
        } else {
            "the call ends"
        };
        let mut note = format!(
            "`{name}` ({}) is opaque to touchpoint: each outcome ({}) is explored as possible",
            self.states[i].kind,
            outcomes.join(", ")
        );
        match ending.as_slice() {
            [] => {}
            [one] => note.push_str(&format!("; `{one}` has no next, so {ends} there")),
            many => note.push_str(&format!(
                "; {} have no next, so {ends} there",
                many.iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        }
        self.note(note);
        IrKind::Opaque { text, branches }
    }

    /// A widget that hands the caller to a person or a queue. Studio goes
    /// on after it: `connect-call-to` fires `callCompleted` when the bridged
    /// call ends or was never answered (busy, no answer, failed: the flow
    /// reads `DialCallStatus` to tell them apart) and `hangup` when the
    /// caller hangs up; `send-to-flex` and `enqueue-call` fire
    /// `callComplete`, `failedToEnqueue` or `callFailure`. So the widget is
    /// an opaque step whose first outcome is the transfer itself (the caller
    /// reaches a person, or waits in the queue for one) and whose other
    /// outcomes are its transitions, each an edge, under the platform's
    /// names. A widget with no transitions is a plain transfer.
    fn transfer(&mut self, i: usize) -> IrKind {
        let state = &self.states[i];
        let (keys, reached): (&[&str], &str) = match state.kind.as_str() {
            "connect-call-to" => (&["to", "conference", "noun"], "answered"),
            "send-to-flex" => (&["workflow", "channel"], "enqueued"),
            _ => (&["queue_name", "workflow_sid", "workflow"], "enqueued"),
        };
        let queue = keys
            .iter()
            .find_map(|k| state.prop(k))
            .unwrap_or(&state.name)
            .to_string();
        if state.transitions.is_empty() {
            return IrKind::Transfer { queue };
        }
        let (name, kind, id) = (state.name.clone(), state.kind.clone(), state.id.clone());
        let edges: Vec<(String, Option<usize>)> = state
            .transitions
            .iter()
            .map(|t| (t.event.clone(), t.next))
            .collect();
        let transferred = self.ids.claim(&format!("{id}_{reached}"));
        self.extra.entry(i).or_default().push((
            transferred.clone(),
            IrKind::Transfer {
                queue: queue.clone(),
            },
        ));
        let mut branches = vec![(reached.to_string(), transferred)];
        let mut ending = Vec::new();
        for (event, next) in edges {
            if next.is_none() {
                ending.push(format!("`{event}`"));
            }
            let goto = self.follow(i, &event, next);
            branches.push((unique_label(&branches, &event), goto));
        }
        let outcomes: Vec<String> = branches[1..]
            .iter()
            .map(|(on, _)| format!("`{on}`"))
            .collect();
        let mut note = format!(
            "`{name}` ({kind}) transfers the call to {queue}: modelled as a step whose outcomes are `{reached}` (the transfer) and its transitions {}",
            outcomes.join(", ")
        );
        if !ending.is_empty() {
            note.push_str(&format!(
                "; {} {} no next, so the flow ends there",
                ending.join(" and "),
                if ending.len() == 1 { "has" } else { "have" }
            ));
        }
        self.note(note);
        IrKind::Opaque {
            text: format!("{kind} `{name}` to {queue}"),
            branches,
        }
    }
}

/// `label`, or `label (2)`, `label (3)`... when a branch already has it:
/// a step's outcomes are told apart by name.
fn unique_label(branches: &[(String, String)], label: &str) -> String {
    let mut on = label.to_string();
    let mut n = 2;
    while branches.iter().any(|(b, _)| *b == on) {
        on = format!("{label} ({n})");
        n += 1;
    }
    on
}

fn condition_label(t: &Transition) -> String {
    let parts: Vec<String> = t
        .conditions
        .iter()
        .map(|c| match c.get("friendly_name").and_then(Value::as_str) {
            Some(f) if !f.trim().is_empty() => f.trim().to_string(),
            _ => {
                let kind = c.get("type").and_then(Value::as_str).unwrap_or("match");
                format!("{kind} {}", condition_values(c).join(", "))
                    .trim()
                    .to_string()
            }
        })
        .collect();
    parts.join(" and ")
}

/// The name of a split's branch `b` (its `match` transitions in order, then
/// `noMatch`).
fn branch_label(split: &State, b: usize) -> String {
    let matches: Vec<&Transition> = split
        .transitions
        .iter()
        .filter(|t| t.event == "match")
        .collect();
    match matches.get(b) {
        Some(t) => condition_label(t),
        None => "noMatch".to_string(),
    }
}

fn opaque_text(state: &State) -> String {
    let detail = match state.kind.as_str() {
        SPLIT => state.prop("input").map(|i| format!("on {i}")),
        "run-function" => state
            .prop("url")
            .or(state.prop("function_sid"))
            .map(str::to_string),
        "make-http-request" => state
            .prop("url")
            .map(|u| format!("{} {u}", state.prop("method").unwrap_or("GET"))),
        "set-variables" => {
            let names: Vec<&str> = state
                .props
                .get("variables")
                .and_then(Value::as_array)
                .map(|vars| {
                    vars.iter()
                        .filter_map(|v| v.get("key").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            (!names.is_empty()).then(|| format!("sets {}", names.join(", ")))
        }
        "send-message" => state.prop("body").map(|b| format!("sends \"{b}\"")),
        _ => None,
    };
    match detail {
        Some(d) => format!("{} `{}`: {d}", state.kind, state.name),
        None => format!("{} `{}`", state.kind, state.name),
    }
}

/// Whether a condition holds for an empty input (`None`: cannot tell).
fn matches_empty(condition: &Value) -> Option<bool> {
    let kind = condition.get("type").and_then(Value::as_str)?;
    let values = condition_values(condition);
    match kind {
        "is_blank" | "is_null" => Some(true),
        "is_not_blank" | "is_not_null" => Some(false),
        "not_equal_to" | "does_not_match_any_of" | "does_not_contain" | "does_not_start_with" => {
            Some(!values.is_empty())
        }
        "equal_to" | "matches_any_of" | "contains" | "starts_with" => Some(values.is_empty()),
        "regex" => {
            let pattern = condition.get("value").and_then(Value::as_str)?;
            Regex::new(pattern).ok().map(|r| r.is_match(""))
        }
        _ => None,
    }
}

/// The branches of a split an empty input can take: the first `match`
/// whose conditions all hold for it, else `noMatch`; from the first one
/// that cannot be told on, any.
fn empty_branches(split: &State) -> u64 {
    let matches: Vec<&Transition> = split
        .transitions
        .iter()
        .filter(|t| t.event == "match")
        .collect();
    for (i, t) in matches.iter().enumerate() {
        let each: Vec<Option<bool>> = t.conditions.iter().map(matches_empty).collect();
        if each.contains(&Some(false)) {
            continue;
        }
        if !each.is_empty() && each.iter().all(|m| *m == Some(true)) {
            return 1u64 << i.min(63);
        }
        return !((1u64 << i.min(63)) - 1);
    }
    1u64 << matches.len().min(63)
}

/// States reachable from `from` by any transition.
fn reach(states: &[State], from: impl IntoIterator<Item = usize>, skip: usize) -> Vec<bool> {
    let mut seen = vec![false; states.len()];
    let mut stack: Vec<usize> = from.into_iter().collect();
    while let Some(i) = stack.pop() {
        if i == skip || std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(states[i].transitions.iter().filter_map(|t| t.next));
    }
    seen
}

/// For a split on `gather`'s input, which of its branches can be taken
/// when it is entered from each state: the gather's answer decides, and it
/// stays as it was until the caller is at the gather again.
fn live_branches(
    states: &[State],
    start: Option<usize>,
    split: usize,
    tracked: &Tracked,
) -> Vec<u64> {
    let all = tracked.all();
    let (gather, targets) = (tracked.gather, &tracked.targets);
    let mut live = vec![0u64; states.len()];
    let mut work = Vec::new();
    // Edges into the split go on to the branches `value` allows, each
    // carrying only itself.
    let arrive = |live: &mut Vec<u64>, work: &mut Vec<usize>, at: usize, value: u64| {
        let edges: Vec<(usize, u64)> = if at == split {
            bits(value)
                .filter_map(|b| targets.get(b).copied().flatten().map(|t| (t, 1u64 << b)))
                .collect()
        } else {
            vec![(at, value)]
        };
        for (to, value) in edges {
            if live[to] | value != live[to] {
                live[to] |= value;
                work.push(to);
            }
        }
    };
    if let Some(s) = start {
        arrive(&mut live, &mut work, s, all);
    }
    while let Some(x) = work.pop() {
        for t in &states[x].transitions {
            let value = match x == gather {
                true if t.event == tracked.input.event() => all,
                true => tracked.empty,
                false => live[x],
            };
            if let Some(y) = t.next {
                arrive(&mut live, &mut work, y, value);
            }
        }
    }
    live[split] = 0;
    live
}

fn import_file(path: &str, text: &str, notes: &mut Vec<String>) -> Result<IrFlow, ImportError> {
    let (root, mut states) = parse_states(path, text)?;
    let stem = Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(path);
    let flow_id = ir::node_id(stem);

    // Node ids, unique in the flow.
    let mut ids = UniqueIds::new();
    for state in states.iter_mut() {
        let base = ir::node_id(&state.name);
        let id = ids.claim(&base);
        if id != base {
            notes.push(format!(
                "{path}: state `{}` is node `{id}` (`{base}` is taken)",
                state.name
            ));
        }
        state.id = id;
    }

    // The trigger: the one `initial_state` names, else the first.
    let initial = root.get("initial_state").and_then(Value::as_str);
    let trigger = states
        .iter()
        .position(|s| s.kind == "trigger" && Some(s.name.as_str()) == initial)
        .or_else(|| states.iter().position(|s| s.kind == "trigger"))
        .ok_or_else(|| {
            err(
                path,
                (1, 1),
                "no `trigger` state: a Studio flow starts at its trigger",
            )
        })?;
    let mut start = states[trigger]
        .transitions
        .iter()
        .filter(|t| t.event == "incomingCall")
        .find_map(|t| t.next);
    // A flow whose only way in is `incomingParent` is a Subflow: a parent
    // flow's `run-subflow` widget runs it inside the same call, and when it
    // ends, control goes back to the parent. So it is imported from there,
    // and its ends are the end of the subflow, not hang-ups.
    let subflow_start = states[trigger]
        .transitions
        .iter()
        .filter(|t| t.event == "incomingParent")
        .find_map(|t| t.next);
    let subflow = start.is_none() && subflow_start.is_some();
    if subflow {
        start = subflow_start;
    }
    let mut others = Vec::new();
    for t in &states[trigger].transitions {
        if t.event == "incomingCall" || (subflow && t.event == "incomingParent") {
            continue;
        }
        let leads = t.next.map_or_else(
            || "leads nowhere".to_string(),
            |n| format!("leads to `{}`", states[n].name),
        );
        let why = if t.next.is_none() {
            "nothing is wired to it"
        } else if t.event == "incomingParent" {
            "the flow can also run as a Subflow of another flow (in that flow's call); only what an incoming call does is imported"
        } else {
            "it serves another channel than voice calls"
        };
        notes.push(format!(
            "{path}: trigger event `{}` {leads}: ignored, {why}",
            t.event
        ));
        others.extend(t.next);
    }
    if let Some(s) = subflow_start.filter(|_| subflow) {
        notes.push(format!(
            "{path}: the trigger's only way in is `incomingParent` (to `{}`): the flow is a Subflow, which a parent flow's `run-subflow` widget runs in the same call. \
             It is imported as a flow of its own from there, and a transition without next goes back to the parent flow (an `end`), not a hang-up. \
             A `run-subflow` widget stays an opaque step: an export does not say which flow it runs",
            states[s].name
        ));
    }

    // States only other channels' triggers reach are not part of the call.
    let by_call = reach(&states, start, trigger);
    let by_others = reach(&states, others, trigger);
    let mut left_out: Vec<bool> = (0..states.len())
        .map(|i| by_others[i] && !by_call[i])
        .collect();
    let kept: Vec<usize> = (0..states.len())
        .filter(|&i| i != trigger && !left_out[i])
        .collect();
    for i in reach(&states, kept, trigger)
        .iter()
        .enumerate()
        .filter(|(_, r)| **r)
        .map(|(i, _)| i)
    {
        left_out[i] = false;
    }
    let left: Vec<&str> = (0..states.len())
        .filter(|&i| left_out[i])
        .map(|i| states[i].name.as_str())
        .collect();
    if !left.is_empty() {
        notes.push(format!(
            "{path}: states reached only from other channels' triggers are not imported: {}",
            left.join(", ")
        ));
    }

    // Splits on a gather's input.
    let gathers: HashMap<&str, usize> = states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == GATHER)
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut tracked = HashMap::new();
    for (i, s) in states.iter().enumerate() {
        if s.kind != SPLIT || left_out[i] {
            continue;
        }
        let Some((gather, input)) = s.prop("input").and_then(split_input) else {
            continue;
        };
        let Some(&g) = gathers.get(gather) else {
            continue;
        };
        let mut targets: Vec<Option<usize>> = s
            .transitions
            .iter()
            .filter(|t| t.event == "match")
            .map(|t| t.next)
            .collect();
        targets.push(s.next_of("noMatch"));
        let mut split = Tracked {
            gather: g,
            input,
            empty: 0,
            targets,
            live: Vec::new(),
        };
        split.empty = empty_branches(s) & split.all();
        split.live = live_branches(&states, start, i, &split);
        tracked.insert(i, split);
    }

    let mut b = Builder {
        path,
        states: &states,
        tracked,
        hangups: BTreeMap::new(),
        extra: BTreeMap::new(),
        needed: BTreeSet::new(),
        ids,
        subflow,
        notes: Vec::new(),
        digits_mentioned: digits_mentioned(&states),
    };

    let start_id = match start {
        Some(s) => b.target(
            None,
            if subflow {
                "incomingParent"
            } else {
                "incomingCall"
            },
            s,
            0,
        ),
        None => {
            b.note(
                "the trigger has no `incomingCall` transition with a next: the flow takes no calls"
                    .to_string(),
            );
            b.hangup(trigger)
        }
    };

    // Which tracked splits are merged into their gather's menu.
    let mut merged: HashSet<usize> = HashSet::new();
    for &g in gathers.values() {
        for event in ["keypress", "speech"] {
            if let Some((s, _)) = b.own_split(g, event) {
                merged.insert(s);
            }
        }
    }

    let mut kinds: BTreeMap<usize, IrKind> = BTreeMap::new();
    for i in 0..states.len() {
        if i == trigger || left_out[i] || b.tracked.contains_key(&i) {
            continue;
        }
        let state = &states[i];
        let kind = match state.kind.as_str() {
            "say-play" => {
                let next = state.next_of("audioComplete");
                IrKind::Say {
                    text: spoken(state),
                    next: Some(b.follow(i, "audioComplete", next)),
                }
            }
            GATHER => b.gather(i),
            "connect-call-to" | "send-to-flex" | "enqueue-call" => b.transfer(i),
            _ => b.opaque(i, opaque_text(state)),
        };
        kinds.insert(i, kind);
    }
    // Tracked splits get a node when something leads to them without a
    // known branch, or when nothing leads to them at all.
    let referenced: HashSet<usize> = states
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != trigger && !left_out[*i])
        .flat_map(|(_, s)| s.transitions.iter().filter_map(|t| t.next))
        .chain(start)
        .collect();
    let mut pending: Vec<usize> = b
        .tracked
        .keys()
        .copied()
        .filter(|s| !referenced.contains(s) && !merged.contains(s))
        .collect();
    let mut vars: Vec<(String, Vec<String>)> = Vec::new();
    loop {
        pending.extend(b.needed.iter().copied().filter(|s| !kinds.contains_key(s)));
        pending.sort_unstable();
        pending.dedup();
        let Some(s) = pending.pop() else { break };
        if kinds.contains_key(&s) {
            continue;
        }
        let mut kept = b.digits_switch(s, &kinds);
        if let Some((_, var, values, _)) = &kept {
            // Each kept Digits is a variable, and the walk starts in every
            // combination of values: past a bound the flow would be walked
            // too many times over, so further splits stay opaque.
            let merged = match vars.iter().find(|(name, _)| name == var) {
                Some((_, known)) => {
                    known.len() + values.iter().filter(|v| !known.contains(v)).count()
                }
                None => values.len(),
            };
            let worlds = vars
                .iter()
                .filter(|(name, _)| name != var)
                .fold(merged, |product, (_, known)| {
                    product.saturating_mul(known.len())
                });
            if worlds > MAX_KEPT_WORLDS {
                b.note(format!(
                    "split `{}` reads an earlier gather's Digits, but keeping them would make more than {MAX_KEPT_WORLDS} combinations of kept answers: it stays opaque",
                    states[s].name
                ));
                kept = None;
            }
        }
        let kind = match kept {
            Some((g, var, values, switch)) => {
                if let Some(IrKind::Menu { save, .. }) = kinds.get_mut(&g) {
                    *save = Some(var.clone());
                }
                match vars.iter_mut().find(|(name, _)| *name == var) {
                    Some((_, known)) => {
                        for value in values {
                            if !known.contains(&value) {
                                known.push(value);
                            }
                        }
                    }
                    None => vars.push((var, values)),
                }
                switch
            }
            // A split on an earlier answer touchpoint cannot keep (speech,
            // an ask's free digits, conditions no key list expresses) stays
            // an opaque step whose every branch is possible.
            None => {
                let text = format!("{} (decided by an earlier answer)", opaque_text(&states[s]));
                b.opaque(s, text)
            }
        };
        kinds.insert(s, kind);
    }

    let mut nodes = Vec::new();
    let hangup_node = |from: usize, id: &str| IrNode {
        id: id.to_string(),
        kind: if subflow {
            // The Subflow's end goes back to the parent flow, which runs
            // on in the same call: a `return`. The flow is written
            // `module: true` (as a Connect flow module is), so the return
            // is a way out even though no imported flow calls it, and the
            // end serves no one by itself.
            IrKind::Return
        } else {
            IrKind::Hangup {
                // Studio ends the Execution and hangs up without a word:
                // the silent end that `silent-failure` looks for
                // (docs/report.md).
                text: String::new(),
            }
        },
        origin: states[from].origin.clone(),
    };
    if let Some(id) = b.hangups.get(&trigger) {
        nodes.push(hangup_node(trigger, id));
    }
    for (i, kind) in kinds {
        nodes.push(IrNode {
            id: states[i].id.clone(),
            kind,
            origin: states[i].origin.clone(),
        });
        for (id, kind) in b.extra.remove(&i).unwrap_or_default() {
            nodes.push(IrNode {
                id,
                kind,
                origin: states[i].origin.clone(),
            });
        }
        if let Some(id) = b.hangups.get(&i) {
            nodes.push(hangup_node(i, id));
        }
    }
    // Hangups that follow a state with no node of its own (a merged split
    // resolved from elsewhere).
    let placed: HashSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
    for (&from, id) in &b.hangups {
        if !placed.contains(id) {
            nodes.push(hangup_node(from, id));
        }
    }
    notes.append(&mut b.notes);

    let title = root
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(stem)
        .to_string();
    Ok(IrFlow {
        name_uses: name_uses(&states, &nodes),
        module: subflow,
        fronts: Default::default(),
        id: flow_id,
        title,
        start: start_id,
        vars,
        nodes,
        source: path.to_string(),
    })
}

/// The flow variables and widget results each opaque step reads and sets,
/// for `unset-variable`. A `set-variables` step sets `flow.variables.KEY`
/// for each of its variables; any opaque step (a function, an HTTP request,
/// another split) sets `widgets.NAME`, its own results, when it runs. A
/// step reads what its properties name in a `{{...}}` template.
///
/// Only names the flow itself is meant to set are kept: `flow.variables`,
/// which nothing but `set-variables` writes, and the results of a widget
/// that is an opaque step here (a gather's or a say's results are not
/// tracked, since their nodes cannot say what they set). What the platform
/// or the caller provides (`trigger.*`, `flow.data`, `flow.channel`) is not
/// tracked. A template that copes with a missing value is not a read: one
/// with a filter (`| default: 0`, `| plus: 1`, both of which give a value
/// when the name is unset), anything in a text with Liquid tags (`{% if %}`
/// guards what it wraps), and a split that tests for blank.
fn name_uses(states: &[State], nodes: &[IrNode]) -> BTreeMap<String, NameUse> {
    let opaque: HashSet<&str> = nodes
        .iter()
        .filter(|n| matches!(n.kind, IrKind::Opaque { .. }))
        .map(|n| n.origin.action.as_str())
        .collect();
    let mut uses = BTreeMap::new();
    let mut setter_lost = false;
    for state in states {
        let mut used = NameUse::default();
        if state.kind == "set-variables" {
            if let Some(variables) = state.props.get("variables").and_then(Value::as_array) {
                used.sets.extend(
                    variables
                        .iter()
                        .filter_map(|v| v.get("key").and_then(Value::as_str))
                        .map(|key| format!("flow.variables.{}", key.trim())),
                );
            }
        }
        let tests_for_blank = state.transitions.iter().any(|t| {
            t.conditions.iter().any(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|ty| ty.contains("blank"))
            })
        });
        if !tests_for_blank {
            template_reads(&state.props, &mut used.reads);
        }
        used.reads
            .retain(|name| match name.strip_prefix("widgets.") {
                Some(widget) => widget != state.name && opaque.contains(widget),
                None => true,
            });
        used.reads.sort();
        used.reads.dedup();
        if !opaque.contains(state.name.as_str()) {
            setter_lost |= !used.sets.is_empty();
            continue;
        }
        // `set-variables` has no results of its own to read.
        if state.kind != "set-variables" {
            used.sets.push(format!("widgets.{}", state.name));
        }
        uses.insert(state.name.clone(), used);
    }
    // A `set-variables` step that is not an opaque node here would set
    // names nobody sees: its reads would look unset, so none are kept.
    if setter_lost {
        for used in uses.values_mut() {
            used.reads
                .retain(|name| !name.starts_with("flow.variables."));
        }
    }
    uses
}

/// The `flow.variables.NAME` and `widgets.NAME` (as the widget's name) that
/// plain `{{...}}` templates in a property value read.
fn template_reads(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) if !text.contains("{%") => {
            let mut rest = text.as_str();
            while let Some(open) = rest.find("{{") {
                rest = &rest[open + 2..];
                let Some(close) = rest.find("}}") else { break };
                let expression = rest[..close].trim();
                rest = &rest[close + 2..];
                if expression.contains('|') {
                    continue;
                }
                let name = |prefix: &str| {
                    let tail = expression.strip_prefix(prefix)?;
                    let len = tail
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                        .unwrap_or(tail.len());
                    (len > 0).then(|| format!("{prefix}{}", &tail[..len]))
                };
                out.extend(name("flow.variables.").or_else(|| name("widgets.")));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| template_reads(v, out)),
        Value::Object(map) => map.values().for_each(|v| template_reads(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flow definition with a call trigger leading to `start` and the
    /// given states (JSON objects without the surrounding brackets).
    fn flow(start: &str, states: &[String]) -> String {
        let mut all = vec![format!(
            r#"{{"name": "Trigger", "type": "trigger", "transitions": [{{"event": "incomingMessage"}}, {{"event": "incomingCall", "next": "{start}"}}], "properties": {{}}}}"#
        )];
        all.extend(states.iter().cloned());
        format!(
            "{{\n\"description\": \"Test\",\n\"states\": [\n{}\n],\n\"initial_state\": \"Trigger\",\n\"flags\": {{}}\n}}\n",
            all.join(",\n")
        )
    }

    fn state(name: &str, kind: &str, transitions: &str, properties: &str) -> String {
        format!(
            r#"{{"name": "{name}", "type": "{kind}", "transitions": [{transitions}], "properties": {properties}}}"#
        )
    }

    fn one(text: &str) -> (IrFlow, Vec<String>) {
        let imported =
            import(&[("flows/test.json".to_string(), text.to_string())]).expect("imports");
        assert_eq!(imported.flows.len(), 1);
        let flow = imported.flows.into_iter().next().unwrap();
        (flow, imported.notes)
    }

    fn node<'f>(flow: &'f IrFlow, id: &str) -> &'f IrNode {
        flow.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node `{id}` in {:#?}", flow.nodes))
    }

    fn gather(name: &str, keypress: &str, speech: &str, timeout: &str, say: &str) -> String {
        let t = |event: &str, next: &str| {
            if next.is_empty() {
                format!(r#"{{"event": "{event}"}}"#)
            } else {
                format!(r#"{{"event": "{event}", "next": "{next}"}}"#)
            }
        };
        state(
            name,
            "gather-input-on-call",
            &[
                t("keypress", keypress),
                t("speech", speech),
                t("timeout", timeout),
            ]
            .join(", "),
            &format!(r#"{{"say": "{say}", "number_of_digits": 1, "timeout": 5}}"#),
        )
    }

    fn split(name: &str, input: &str, no_match: &str, matches: &[(&str, &str, &str)]) -> String {
        let mut t = vec![if no_match.is_empty() {
            r#"{"event": "noMatch"}"#.to_string()
        } else {
            format!(r#"{{"event": "noMatch", "next": "{no_match}"}}"#)
        }];
        for (kind, value, next) in matches {
            let next = if next.is_empty() {
                String::new()
            } else {
                format!(r#""next": "{next}", "#)
            };
            t.push(format!(
                r#"{{{next}"event": "match", "conditions": [{{"friendly_name": "If value {kind} {value}", "arguments": ["{input}"], "type": "{kind}", "value": "{value}"}}]}}"#
            ));
        }
        state(
            name,
            "split-based-on",
            &t.join(", "),
            &format!(r#"{{"input": "{input}"}}"#),
        )
    }

    fn say(name: &str, text: &str, next: &str) -> String {
        let t = if next.is_empty() {
            r#"{"event": "audioComplete"}"#.to_string()
        } else {
            format!(r#"{{"event": "audioComplete", "next": "{next}"}}"#)
        };
        state(name, "say-play", &t, &format!(r#"{{"say": "{text}"}}"#))
    }

    fn transfer(name: &str, kind: &str, properties: &str) -> String {
        state(
            name,
            kind,
            r#"{"event": "callCompleted"}, {"event": "hangup"}"#,
            properties,
        )
    }

    /// A finding about one option (key 3, never announced) points at the
    /// split whose condition takes the key, not at the gather.
    #[test]
    fn say_play_strips_ssml_and_a_missing_next_ends_the_call() {
        let text = flow(
            "hello",
            &[
                say(
                    "hello",
                    "<speak>Welcome<break time='1s'/> to Acme.</speak>",
                    "bye",
                ),
                state(
                    "bye",
                    "say-play",
                    r#"{"event": "audioComplete"}"#,
                    r#"{"play": "https://x/bye.mp3"}"#,
                ),
            ],
        );
        let (flow, _) = one(&text);
        assert_eq!(flow.id, "test");
        assert_eq!(flow.title, "Test");
        assert_eq!(flow.start, "hello");
        assert_eq!(
            node(&flow, "hello").kind,
            IrKind::Say {
                text: "Welcome to Acme.".into(),
                next: Some("bye".into())
            }
        );
        assert_eq!(
            node(&flow, "bye").kind,
            IrKind::Say {
                text: "(audio https://x/bye.mp3)".into(),
                next: Some("bye_call_ends".into())
            }
        );
        let end = node(&flow, "bye_call_ends");
        assert_eq!(
            end.kind,
            IrKind::Hangup {
                text: String::new()
            }
        );
        assert_eq!(end.origin.action, "bye");
        let origin = &node(&flow, "hello").origin;
        let line = text.lines().nth(origin.line as usize - 1).unwrap();
        assert!(
            line[origin.column as usize - 1..].starts_with(r#""name": "hello""#),
            "{line}"
        );
        assert_eq!(
            (origin.action.as_str(), origin.platform_type.as_str()),
            ("hello", "say-play")
        );
        // Lint finds nothing: `fixtures/import/studio/say-play-and-missing-next`.
    }

    #[test]
    fn gather_and_its_digits_split_are_one_menu() {
        let text = flow(
            "main",
            &[
                gather(
                    "main",
                    "route",
                    "",
                    "main",
                    "For billing, press 1. Press 2 for outages. Press 3 to hear this again.",
                ),
                split(
                    "route",
                    "{{widgets.main.Digits}}",
                    "sorry",
                    &[
                        ("equal_to", "1", "billing"),
                        ("matches_any_of", "2, 9", "outages"),
                        ("equal_to", "3", "main"),
                    ],
                ),
                transfer("billing", "enqueue-call", r#"{"queue_name": "Billing"}"#),
                transfer(
                    "outages",
                    "send-to-flex",
                    r#"{"workflow": "WW123", "channel": "TC1"}"#,
                ),
                say("sorry", "Sorry.", "main"),
            ],
        );
        let (flow, notes) = one(&text);
        assert!(
            flow.nodes.iter().all(|n| n.id != "route"),
            "the split is part of the menu"
        );
        let IrKind::Menu {
            prompt,
            options,
            no_input,
            no_match,
            ..
        } = &node(&flow, "main").kind
        else {
            panic!("not a menu: {:?}", node(&flow, "main"))
        };
        assert!(prompt.starts_with("For billing, press 1."));
        let keys: Vec<(&str, Option<&str>, &str)> = options
            .iter()
            .map(|o| {
                (
                    o.key.as_deref().unwrap(),
                    o.label.as_deref(),
                    o.goto.as_str(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("1", Some("billing"), "billing"),
                ("2", Some("outages"), "outages"),
                ("9", None, "outages"),
                ("3", Some("hear this again"), "main"),
            ]
        );
        assert_eq!(
            no_input,
            &Some(IrHandler {
                retries: 0,
                then: "main".into()
            })
        );
        assert_eq!(
            no_match,
            &Some(IrHandler {
                retries: 0,
                then: "sorry".into()
            })
        );
        // A transfer widget goes on after the transfer: its first outcome
        // is the transfer, its transitions are the others.
        let IrKind::Opaque { branches, .. } = &node(&flow, "billing").kind else {
            panic!("{:?}", node(&flow, "billing").kind)
        };
        let outcomes: Vec<&str> = branches.iter().map(|(on, _)| on.as_str()).collect();
        assert_eq!(outcomes, ["enqueued", "callCompleted", "hangup"]);
        assert_eq!(branches[0].1, "billing_enqueued");
        assert_eq!(
            node(&flow, "billing_enqueued").kind,
            IrKind::Transfer {
                queue: "Billing".into()
            }
        );
        assert_eq!(
            node(&flow, "outages_enqueued").kind,
            IrKind::Transfer {
                queue: "WW123".into()
            }
        );
        assert!(notes.iter().any(
            |n| n.contains("`billing` (enqueue-call) transfers the call")
                && n.contains("`callCompleted`, `hangup`")
        ));
        assert!(notes
            .iter()
            .any(|n| n.contains("trigger event `incomingMessage` leads nowhere")));
        // Lint finds the endless retries and the unannounced 9 at `main`,
        // nothing unreachable and no dead end:
        // `fixtures/import/studio/gather-and-its-digits-split`.
    }

    #[test]
    fn speech_split_gives_phrases_and_a_missing_next_leaves_input_unhandled() {
        let text = flow(
            "ask",
            &[
                gather("ask", "", "heard", "", "Say sales or support."),
                split(
                    "heard",
                    "{{widgets.ask.SpeechResult}}",
                    "",
                    &[
                        ("contains", "sales", "sales"),
                        ("matches_any_of", "support, help", "support"),
                    ],
                ),
                transfer(
                    "sales",
                    "connect-call-to",
                    r#"{"to": "+15550100", "noun": "number"}"#,
                ),
                transfer("support", "connect-call-to", r#"{"to": "+15550101"}"#),
            ],
        );
        let (flow, notes) = one(&text);
        let IrKind::Menu {
            options,
            no_input,
            no_match,
            ..
        } = &node(&flow, "ask").kind
        else {
            panic!()
        };
        let speech: Vec<&[String]> = options.iter().map(|o| o.speech.as_slice()).collect();
        assert_eq!(
            speech,
            [
                &["sales".to_string()][..],
                &["support".to_string(), "help".to_string()][..]
            ]
        );
        assert!(options.iter().all(|o| o.key.is_none()));
        assert_eq!((no_input, no_match), (&None, &None));
        assert_eq!(
            node(&flow, "sales_answered").kind,
            IrKind::Transfer {
                queue: "+15550100".into()
            }
        );
        assert!(notes.iter().any(|n| n.contains("timeout has no next")));
        // Lint finds the unhandled input at `ask`:
        // `fixtures/import/studio/speech-without-timeout`.
    }

    #[test]
    fn phrases_that_lead_where_a_key_does_are_that_options_speech() {
        let text = flow(
            "menu",
            &[
                gather("menu", "keys", "heard", "", "Press 1 or say sales."),
                split(
                    "keys",
                    "{{widgets.menu.Digits}}",
                    "",
                    &[("equal_to", "1", "sales")],
                ),
                split(
                    "heard",
                    "{{widgets.menu.SpeechResult}}",
                    "",
                    &[
                        ("matches_any_of", "Sales., Buy something?", "sales"),
                        ("equal_to", " Help! ", "help"),
                    ],
                ),
                transfer("sales", "connect-call-to", r#"{"to": "+15550100"}"#),
                transfer("help", "connect-call-to", r#"{"to": "+15550101"}"#),
            ],
        );
        let (flow, _) = one(&text);
        let IrKind::Menu { options, .. } = &node(&flow, "menu").kind else {
            panic!()
        };
        // Key 1 and the phrases for sales are one option; the transcription's
        // stops are not words the caller says. A phrase no key shares is an
        // option of its own.
        let shape: Vec<(Option<&str>, &[String], &str)> = options
            .iter()
            .map(|o| (o.key.as_deref(), o.speech.as_slice(), o.goto.as_str()))
            .collect();
        assert_eq!(
            shape,
            [
                (
                    Some("1"),
                    &["Sales".to_string(), "Buy something".to_string()][..],
                    "sales"
                ),
                (None, &["Help".to_string()][..], "help"),
            ]
        );
    }

    #[test]
    fn gather_without_split_is_an_ask_for_digits() {
        let text = flow(
            "account",
            &[
                gather(
                    "account",
                    "lookup",
                    "",
                    "account",
                    "Enter your account number.",
                ),
                state(
                    "lookup",
                    "make-http-request",
                    r#"{"event": "success", "next": "done"}, {"event": "failed"}"#,
                    r#"{"method": "POST", "url": "https://api.example.com/lookup"}"#,
                ),
                say("done", "Thanks.", ""),
            ],
        );
        let (flow, notes) = one(&text);
        assert_eq!(
            node(&flow, "account").kind,
            IrKind::Ask {
                prompt: "Enter your account number.".into(),
                pattern: Some("[0-9#*]+".into()),
                save: None,
                goto: Some("lookup".into()),
                invalid: None,
                no_input: Some(IrHandler {
                    retries: 0,
                    then: "account".into()
                }),
            }
        );
        assert_eq!(
            node(&flow, "lookup").kind,
            IrKind::Opaque {
                text: "make-http-request `lookup`: POST https://api.example.com/lookup".into(),
                branches: vec![
                    ("success".into(), "done".into()),
                    ("failed".into(), "lookup_call_ends".into())
                ],
            }
        );
        assert!(notes
            .iter()
            .any(|n| n.contains("`lookup` (make-http-request) is opaque")
                && n.contains("`failed` has no next")));
        // Lint finds speech unhandled and an endless retry at `account`:
        // `fixtures/import/studio/gather-without-split`.
    }

    #[test]
    fn only_plain_templates_of_names_the_flow_sets_are_reads() {
        let text = flow(
            "greet",
            &[
                gather("greet", "", "", "", "Hello."),
                state(
                    "fn",
                    "run-function",
                    r#"{"event": "success", "next": "blank"}, {"event": "fail"}"#,
                    r#"{"parameters": [
                        {"key": "a", "value": "{{flow.variables.account}}"},
                        {"key": "b", "value": "{{flow.variables.tries | default: 0}}"},
                        {"key": "c", "value": "{% if flow.variables.x %}{{flow.variables.x}}{% endif %}"},
                        {"key": "d", "value": "{{trigger.call.From}} {{flow.data.id}} {{widgets.greet.Digits}}"},
                        {"key": "e", "value": "{{ widgets.http.parsed.id }} {{widgets.fn.body}}"}
                    ]}"#,
                ),
                state(
                    "http",
                    "make-http-request",
                    r#"{"event": "success"}, {"event": "failed"}"#,
                    r#"{"url": "https://example.com"}"#,
                ),
                split(
                    "blank",
                    "{{flow.variables.account}}",
                    "",
                    &[("is_blank", "", "http")],
                ),
            ],
        );
        // `greet` is a gather with no split: an ask whose answer leads to
        // `fn`.
        let text = text.replace(
            r#""event": "keypress"}"#,
            r#""event": "keypress", "next": "fn"}"#,
        );
        let (flow, _) = one(&text);
        let uses = &flow.name_uses;
        // A plain read of a flow variable and of an opaque widget's results
        // (not its own, not a gather's, nothing the platform provides); no
        // filtered or guarded template.
        assert_eq!(uses["fn"].reads, ["flow.variables.account", "widgets.http"]);
        assert_eq!(uses["fn"].sets, ["widgets.fn"]);
        // A split that tests for blank copes with an unset value.
        assert!(uses["blank"].reads.is_empty());
    }

    #[test]
    fn speech_into_the_digits_split_is_no_match_not_a_wrong_key() {
        let text = flow(
            "menu",
            &[
                gather("menu", "keys", "keys", "", "Press 1 or say sales."),
                split(
                    "keys",
                    "{{widgets.menu.Digits}}",
                    "sorry",
                    &[("equal_to", "1", "sales")],
                ),
                say("sorry", "Sorry, I did not get that.", ""),
                transfer("sales", "connect-call-to", r#"{"to": "+15550100"}"#),
            ],
        );
        let (flow, notes) = one(&text);
        let IrKind::Menu {
            options, no_match, ..
        } = &node(&flow, "menu").kind
        else {
            panic!()
        };
        // The spoken answer takes the split's noMatch, which is the menu's
        // `no_match`: no phrase of its own, no option for it.
        assert_eq!(options.len(), 1);
        assert!(options[0].speech.is_empty());
        assert_eq!(no_match.as_ref().map(|h| h.then.as_str()), Some("sorry"));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("a spoken answer leaves that empty")),
            "{notes:?}"
        );
    }

    #[test]
    fn other_splits_and_steps_are_opaque_with_every_branch() {
        let text = flow(
            "vars",
            &[
                state(
                    "vars",
                    "set-variables",
                    r#"{"event": "next", "next": "hours"}"#,
                    r#"{"variables": [{"key": "tier", "value": "gold"}]}"#,
                ),
                split(
                    "hours",
                    "{{flow.variables.tier}}",
                    "",
                    &[("equal_to", "gold", "fn")],
                ),
                state(
                    "fn",
                    "run-function",
                    r#"{"event": "success", "next": "text"}, {"event": "fail", "next": "text"}"#,
                    r#"{"url": "https://f.twil.io/x"}"#,
                ),
                state(
                    "text",
                    "send-message",
                    r#"{"event": "sent", "next": "bye"}, {"event": "failed"}"#,
                    r#"{"body": "hi"}"#,
                ),
                state("bye", "some-new-widget", "", "{}"),
            ],
        );
        let (flow, notes) = one(&text);
        assert_eq!(
            node(&flow, "vars").kind,
            IrKind::Opaque {
                text: "set-variables `vars`: sets tier".into(),
                branches: vec![("next".into(), "hours".into())]
            }
        );
        assert_eq!(
            node(&flow, "hours").kind,
            IrKind::Opaque {
                text: "split-based-on `hours`: on {{flow.variables.tier}}".into(),
                branches: vec![
                    ("noMatch".into(), "hours_call_ends".into()),
                    ("If value equal_to gold".into(), "fn".into()),
                ],
            }
        );
        let IrKind::Opaque { branches, .. } = &node(&flow, "fn").kind else {
            panic!()
        };
        assert_eq!(branches.len(), 2);
        let IrKind::Opaque { branches, .. } = &node(&flow, "text").kind else {
            panic!()
        };
        assert_eq!(branches[1], ("failed".into(), "text_call_ends".into()));
        let IrKind::Opaque { branches, .. } = &node(&flow, "bye").kind else {
            panic!()
        };
        assert_eq!(
            branches,
            &[("(no transitions)".to_string(), "bye_call_ends".to_string())]
        );
        for name in ["vars", "hours", "fn", "text", "bye"] {
            assert!(
                notes
                    .iter()
                    .any(|n| n.contains(&format!("`{name}` (")) && n.contains("opaque")),
                "{name}: {notes:?}"
            );
        }
        // Lint finds nothing: `fixtures/import/studio/opaque-steps`.
    }

    #[test]
    fn a_retry_gather_that_reuses_the_first_gathers_split_loops() {
        // The retry gather leads to the split on the first gather's Digits:
        // what it is pressed there is never read.
        let text = flow(
            "first",
            &[
                gather("first", "pick", "", "first", "Press 1 for yes."),
                split(
                    "pick",
                    "{{widgets.first.Digits}}",
                    "retry",
                    &[("equal_to", "1", "yes")],
                ),
                gather("retry", "pick", "", "retry", "Sorry. Press 1 for yes."),
                say("yes", "Good.", ""),
            ],
        );
        let (flow, notes) = one(&text);
        let IrKind::Ask { goto, .. } = &node(&flow, "retry").kind else {
            panic!("{:?}", node(&flow, "retry"))
        };
        assert_eq!(goto.as_deref(), Some("retry"));
        assert!(flow.nodes.iter().all(|n| n.id != "pick"));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("reads `first`'s Digits") && n.contains("`noMatch`")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_timeout_into_the_gathers_own_split_takes_its_empty_branch() {
        let text = flow(
            "main",
            &[
                gather("main", "route", "route", "route", "Press 1 for sales."),
                split(
                    "route",
                    "{{widgets.main.Digits}}",
                    "sorry",
                    &[("equal_to", "1", "sales")],
                ),
                transfer("sales", "enqueue-call", r#"{"queue_name": "Sales"}"#),
                say("sorry", "Sorry.", "main"),
            ],
        );
        let (imported, _) = one(&text);
        let IrKind::Menu {
            options,
            no_input,
            no_match,
            ..
        } = &node(&imported, "main").kind
        else {
            panic!()
        };
        assert_eq!(options.len(), 1);
        assert_eq!(no_input.as_ref().map(|h| h.then.as_str()), Some("sorry"));
        assert_eq!(no_match.as_ref().map(|h| h.then.as_str()), Some("sorry"));
        assert!(imported.nodes.iter().all(|n| n.id != "route"));
        // Checked for blankness, the empty answer takes that branch.
        let text = flow(
            "main",
            &[
                gather("main", "route", "", "route", "Press 1 for sales."),
                split(
                    "route",
                    "{{widgets.main.Digits}}",
                    "sorry",
                    &[("equal_to", "1", "sales"), ("is_blank", "", "main")],
                ),
                transfer("sales", "enqueue-call", r#"{"queue_name": "Sales"}"#),
                say("sorry", "Sorry.", "main"),
            ],
        );
        let (imported, _) = one(&text);
        let IrKind::Ask { goto, no_input, .. } = &node(&imported, "main").kind else {
            panic!("is_blank is no key: {:?}", node(&imported, "main"))
        };
        assert_eq!(goto.as_deref(), Some("route"));
        assert_eq!(no_input.as_ref().map(|h| h.then.as_str()), Some("main"));
        assert!(matches!(
            node(&imported, "route").kind,
            IrKind::Opaque { .. }
        ));
    }

    #[test]
    fn speech_that_leads_elsewhere_is_a_catch_all() {
        // A menu: keys from the split, any phrase to the agent.
        let text = flow(
            "main",
            &[
                gather(
                    "main",
                    "route",
                    "agent",
                    "main",
                    "Press 1 for sales, or tell us what you need.",
                ),
                split(
                    "route",
                    "{{widgets.main.Digits}}",
                    "main",
                    &[("equal_to", "1", "agent")],
                ),
                transfer("agent", "enqueue-call", r#"{"queue_name": "Front desk"}"#),
            ],
        );
        let (imported, _) = one(&text);
        let IrKind::Menu { options, .. } = &node(&imported, "main").kind else {
            panic!()
        };
        assert_eq!(options[1].speech, [".+"]);
        assert_eq!(options[1].goto, "agent");
        // An ask: a spoken answer is one the digits pattern rejects.
        let text = flow(
            "pin",
            &[
                gather("pin", "agent", "agent", "", "Enter your PIN."),
                transfer("agent", "enqueue-call", r#"{"queue_name": "Front desk"}"#),
            ],
        );
        let (imported, _) = one(&text);
        let IrKind::Ask {
            invalid, no_input, ..
        } = &node(&imported, "pin").kind
        else {
            panic!()
        };
        assert_eq!(invalid.as_ref().map(|h| h.then.as_str()), Some("agent"));
        assert_eq!(no_input, &None);
        // Lint finds only silence unhandled at `pin`:
        // `fixtures/import/studio/ask-with-speech-elsewhere`.
    }

    #[test]
    fn kept_digits_stop_at_a_bound_on_combinations() {
        // Five menus of three keys, each read again after a last gather:
        // each kept Digits has four values (three keys and `other`), and
        // five of them would make 1,024 combinations, more than the walk
        // is given, so one split stays opaque and a note says why.
        let mut states = Vec::new();
        for i in 1..=5 {
            let next = if i == 5 {
                "last".to_string()
            } else {
                format!("g{}", i + 1)
            };
            states.push(gather(
                &format!("g{i}"),
                &format!("own{i}"),
                "",
                "",
                "Press 1, 2 or 3.",
            ));
            states.push(split(
                &format!("own{i}"),
                &format!("{{{{widgets.g{i}.Digits}}}}"),
                &next,
                &[
                    ("equal_to", "1", &next),
                    ("equal_to", "2", &next),
                    ("equal_to", "3", &next),
                ],
            ));
        }
        states.push(gather("last", "r1", "", "", "Press 1 to hear it again."));
        for i in 1..=5 {
            let next = if i == 5 {
                "done".to_string()
            } else {
                format!("r{}", i + 1)
            };
            states.push(split(
                &format!("r{i}"),
                &format!("{{{{widgets.g{i}.Digits}}}}"),
                &next,
                &[("equal_to", "1", &next)],
            ));
        }
        states.push(say("done", "Goodbye.", ""));
        let (flow, notes) = one(&flow("g1", &states));
        let switches = (1..=5)
            .filter(|i| matches!(node(&flow, &format!("r{i}")).kind, IrKind::Switch { .. }))
            .count();
        assert_eq!(switches, 4, "{:#?}", flow.nodes);
        assert_eq!(flow.vars.len(), 4);
        let worlds: usize = flow.vars.iter().map(|(_, values)| values.len()).product();
        assert!(worlds <= MAX_KEPT_WORLDS, "{worlds}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("combinations of kept answers: it stays opaque")),
            "{notes:#?}"
        );
    }

    #[test]
    fn a_split_reached_with_several_live_answers_is_a_switch_on_the_kept_digits() {
        // `again` follows both outcomes of the first gather, so the split it
        // leads back to can still take either branch: it decides on the
        // Digits the gather's menu keeps (a key, or none it takes).
        let text = flow(
            "first",
            &[
                gather("first", "pick", "", "", "Press 1 for yes."),
                split(
                    "pick",
                    "{{widgets.first.Digits}}",
                    "again",
                    &[("equal_to", "1", "again")],
                ),
                say("again", "Once more.", "pick"),
            ],
        );
        let (flow, _) = one(&text);
        let IrKind::Switch { entries } = &node(&flow, "pick").kind else {
            panic!("{:?}", flow.nodes)
        };
        assert_eq!(
            entries,
            &vec![
                (
                    Some("first.Digits == \"1\"".to_string()),
                    "again".to_string()
                ),
                (None, "again".to_string()),
            ]
        );
        assert_eq!(
            flow.vars,
            vec![(
                "first.Digits".to_string(),
                vec!["1".to_string(), "other".to_string()]
            )]
        );
        let IrKind::Menu { save, .. } = &node(&flow, "first").kind else {
            panic!("{:?}", flow.nodes)
        };
        assert_eq!(save.as_deref(), Some("first.Digits"));
        assert_eq!(
            node(&flow, "again").kind,
            IrKind::Say {
                text: "Once more.".into(),
                next: Some("pick".into())
            }
        );
    }

    #[test]
    fn other_triggers_are_ignored_and_what_only_they_reach_is_left_out() {
        let text = r#"{"description": "", "states": [
            {"name": "Trigger", "type": "trigger", "transitions": [
                {"event": "incomingMessage", "next": "reply"},
                {"event": "incomingCall", "next": "hello"}], "properties": {}},
            {"name": "reply", "type": "send-message", "transitions": [{"event": "sent"}], "properties": {}},
            {"name": "hello", "type": "say-play", "transitions": [{"event": "audioComplete", "next": "agent"}], "properties": {"say": "Hi"}},
            {"name": "agent", "type": "connect-call-to", "transitions": [], "properties": {"to": "+1555"}}
        ], "initial_state": "Trigger", "flags": {}}"#;
        let (flow, notes) = one(text);
        assert_eq!(flow.title, "test");
        assert!(flow.nodes.iter().all(|n| n.id != "reply"));
        assert!(notes
            .iter()
            .any(|n| n.contains("`incomingMessage` leads to `reply`: ignored")));
        assert!(notes.iter().any(|n| n.contains("not imported: reply")));
        // Lint finds nothing: `fixtures/import/studio/other-triggers`.
    }

    #[test]
    fn errors_name_file_and_position() {
        let e = import(&[("a.json".into(), "{\n  \"states\": [,]\n}".into())]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("a.json", 2));
        let e = import(&[("b.json".into(), flow("nowhere", &[]))]).unwrap_err();
        assert!(e.message.starts_with("unknown-target"), "{e}");
        assert_eq!(e.line, 4);
        let e = import(&[("c.json".into(), r#"{"states": []}"#.into())]).unwrap_err();
        assert!(e.message.contains("trigger"));
        // A state without a name is refused where the state begins.
        let text = "{\n  \"states\": [\n    {\"name\": \"a\", \"type\": \"say-play\"},\n    {\"type\": \"say-play\"}\n  ]\n}";
        let e = import(&[("d.json".into(), text.into())]).unwrap_err();
        assert!(e.message.contains("state 2 has no `name`"), "{e}");
        assert_eq!((e.line, e.column), (4, 5), "{e}");
    }

    #[test]
    fn flow_ids_are_unique_across_files() {
        let text = flow("hello", &[say("hello", "Hi", "")]);
        let imported = import(&[
            ("a/main.json".into(), text.clone()),
            ("b/main.json".into(), text),
        ])
        .unwrap();
        let ids: Vec<&str> = imported.flows.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["main", "main_2"]);
    }
}
