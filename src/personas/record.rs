//! Recording a persona from a replay (`replay --save-persona NAME`): the
//! replayed journey written as a persona script that plays the same inputs,
//! checks what the customer heard before each and expects the same ending.
//! The document itself (`Recording`, `hear_step`, `input_step`) is shared
//! with the recording of a live call (`live::record`), so that both write
//! the same persona from the same words.

use crate::input::Input;
use crate::model::{Channel, MenuSet, Outcome, ScriptStep};
use crate::replay::{Ending, Event, Transcript};

/// How many words of a prompt a recorded `hear` asks for: enough to tell
/// prompts apart, few enough that rewording the end of a prompt does not
/// break the persona.
const HEARD_WORDS: usize = 6;

/// Why a replay cannot be recorded as a persona.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the inputs end while the customer still waits at `{0}`: past its script a persona goes on by itself, so record inputs that end the journey")]
    StillWaiting(String),
    #[error("--save-persona needs a name: a persona is run and reported by it")]
    BlankName,
    #[error("the inputs end at the opaque step `{0}`: give its outcome (`branch:NAME`) and the inputs that end the journey")]
    AtOpaqueStep(String),
    #[error("the set already has a persona `{0}`; two personas of one set cannot share a name, so choose another")]
    NameTaken(String),
}

/// The persona document, as YAML, for the replay of `inputs` that gave
/// `transcript`; `vars` are the values the replay was given.
pub fn persona_yaml(
    set: &MenuSet,
    name: &str,
    inputs: &[Input],
    vars: &[(String, String)],
    transcript: &Transcript,
) -> Result<String, RecordError> {
    check_name(name)?;
    if set.personas.iter().any(|p| p.id.value == name) {
        return Err(RecordError::NameTaken(name.to_string()));
    }
    let outcome = match &transcript.ending {
        Ending::Terminal {
            closed: Some(_), ..
        } => Outcome::Misrouted,
        Ending::Terminal { kind, .. } => match *kind {
            "end" => Outcome::Served,
            "transfer" => Outcome::Transferred,
            _ => Outcome::HungUp,
        },
        Ending::Dropped { .. } => Outcome::HungUp,
        Ending::DeadEnd { .. }
        | Ending::Loop { .. }
        | Ending::Returned { .. }
        | Ending::CallTooDeep { .. } => Outcome::Stuck,
        // The platform, not the customer, decides an opaque step.
        Ending::Waiting { node } if last_kind(transcript, node) == Some("opaque") => {
            return Err(RecordError::AtOpaqueStep(node.clone()))
        }
        Ending::Waiting { node } => return Err(RecordError::StillWaiting(node.clone())),
    };
    let node = match &transcript.ending {
        Ending::Terminal { node, .. }
        | Ending::Dropped { node, .. }
        | Ending::DeadEnd { node, .. }
        | Ending::Loop { node }
        | Ending::Returned { node }
        | Ending::CallTooDeep { node }
        | Ending::Waiting { node } => node,
    };

    let mut script = Vec::new();
    let mut given = inputs.iter();
    // The node the customer stands at, for the branch an input takes.
    let mut at: Option<(&str, &str)> = None;
    for event in &transcript.events {
        match event {
            Event::Node {
                node,
                flow,
                kind,
                text,
                ..
            } => {
                at = Some((flow, node));
                // An opaque step's description is for engineers: a persona
                // hears nothing of it.
                if *kind == "opaque" {
                    continue;
                }
                if let Some(step) = text.as_deref().and_then(hear_step) {
                    script.push(step);
                }
            }
            Event::Input { .. } => {
                let Some(input) = given.next() else {
                    continue;
                };
                // A persona takes an opaque step's first branch by itself,
                // without a script step; any other it is told with a
                // `branch:` step, as a test names what a back end returns.
                if let Input::Branch(name) = input {
                    let first = at
                        .and_then(|(flow, node)| first_branch(set, transcript.channel, flow, node));
                    if first.as_deref() != Some(name.as_str()) {
                        script.push(script_line(&ScriptStep::Branch(name.clone())));
                    }
                    continue;
                }
                if let Some(step) = input_step(input) {
                    script.push(step);
                }
            }
        }
    }
    let steps = inputs
        .iter()
        .filter(|i| !matches!(i, Input::Branch(_)))
        .count();

    let origin = format!(
        "Recorded by `touchpoint replay --save-persona` from --flow {} --inputs {}",
        transcript.flow,
        Input::join_list(&inputs.iter().map(Input::to_string).collect::<Vec<_>>())
    );
    Ok(Recording {
        name,
        origin: &origin,
        channel: transcript.channel,
        flow: Some(&transcript.flow),
        vars,
        script,
        outcome,
        node: Some(node),
        steps,
        intent: None,
        queue: None,
    }
    .yaml())
}

/// Refuses a blank persona name: a persona is run and reported by it.
/// Checked before any work, so that a live recording makes no call for a
/// persona it could not write.
pub(crate) fn check_name(name: &str) -> Result<(), RecordError> {
    if name.trim().is_empty() {
        return Err(RecordError::BlankName);
    }
    Ok(())
}

/// A recorded journey as the recorders know it (a replay of the set, a
/// call to a live app) and as `mutate` suggests one, so that all write the
/// same persona document.
pub(crate) struct Recording<'a> {
    pub name: &'a str,
    /// How it was recorded, for the comment that opens the document.
    pub origin: &'a str,
    pub channel: Channel,
    /// The flow to start in; `None` leaves the persona to start where the
    /// channel's calls start (its first flow that no flow calls).
    pub flow: Option<&'a str>,
    pub vars: &'a [(String, String)],
    /// The script, one YAML line per step (`hear_step`, `input_step`).
    pub script: Vec<String>,
    pub outcome: Outcome,
    /// The terminal node to expect, when the recorder knows the model's.
    pub node: Option<&'a str>,
    /// The inputs the customer gave: `max_steps` and the patience.
    pub steps: usize,
    /// What the customer wants, for a goal-directed persona.
    pub intent: Option<&'a str>,
    /// The queue of the transfer to expect, when it ends at one.
    pub queue: Option<&'a str>,
}

impl Recording<'_> {
    /// The persona document, as YAML.
    pub(crate) fn yaml(&self) -> String {
        let mut yaml = String::new();
        // A line break in an input would end the comment and turn the rest
        // of the line into YAML; the steps keep the input exactly.
        let origin: String = self
            .origin
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        yaml.push_str(&format!("# {origin}\n"));
        yaml.push_str(&format!("persona: {}\n", quoted(self.name)));
        yaml.push_str(&format!("channel: {}\n", self.channel.name()));
        if let Some(flow) = self.flow {
            yaml.push_str(&format!("flow: {}\n", quoted(flow)));
        }
        if !self.vars.is_empty() {
            yaml.push_str("vars:\n");
            for (var, value) in self.vars {
                yaml.push_str(&format!("  {}: {}\n", quoted(var), quoted(value)));
            }
        }
        if let Some(intent) = self.intent {
            yaml.push_str(&format!("intent: {}\n", quoted(intent)));
        }
        // Patience wide enough for the recorded journey: every input may be
        // a retry, and the defaults would cut a long recording short.
        let patience = self.steps.max(1);
        yaml.push_str(&format!(
            "patience: {{ steps: {patience}, retries: {patience} }}\n"
        ));
        if !self.script.is_empty() {
            yaml.push_str("script:\n");
            for step in &self.script {
                yaml.push_str(step);
            }
        }
        yaml.push_str("expect:\n");
        yaml.push_str(&format!("  outcome: {}\n", self.outcome.name()));
        if let Some(node) = self.node {
            yaml.push_str(&format!("  node: {}\n", quoted(node)));
        }
        if let Some(queue) = self.queue {
            yaml.push_str(&format!("  queue: {}\n", quoted(queue)));
        }
        yaml.push_str(&format!("  max_steps: {}\n", self.steps));
        yaml
    }
}

/// The script line of a `hear` step for a prompt (see `heard_pattern`),
/// `None` for a prompt with no words.
pub(crate) fn hear_step(prompt: &str) -> Option<String> {
    heard_pattern(prompt).map(|pattern| script_line(&ScriptStep::Hear(pattern)))
}

/// The script line that gives `input`; `None` for a `branch:`, which the
/// platform takes, not the customer.
pub(crate) fn input_step(input: &Input) -> Option<String> {
    script_step(input).map(|step| script_line(&step))
}

/// The script step that gives `input`; `None` for an opaque step's
/// outcome, which a persona does not give but takes.
pub(crate) fn script_step(input: &Input) -> Option<ScriptStep> {
    Some(match input {
        Input::Keys(keys) => ScriptStep::Press(keys.clone()),
        Input::Say(text) => ScriptStep::Say(text.clone()),
        Input::Enter(text) => ScriptStep::Enter(text.clone()),
        Input::Click(label) => ScriptStep::Click(label.clone()),
        Input::Wait => ScriptStep::Wait,
        Input::Back => ScriptStep::Back,
        Input::Branch(name) => ScriptStep::Branch(name.clone()),
    })
}

/// One step of a persona's `script:` as a line of YAML.
pub(crate) fn script_line(step: &ScriptStep) -> String {
    match step {
        ScriptStep::Hear(pattern) => format!("  - hear: {}\n", regex_scalar(pattern)),
        ScriptStep::Press(keys) => format!("  - press: {}\n", quoted(keys)),
        ScriptStep::Say(text) => format!("  - say: {}\n", quoted(text)),
        ScriptStep::Enter(text) => format!("  - enter: {}\n", quoted(text)),
        ScriptStep::Click(label) => format!("  - click: {}\n", quoted(label)),
        ScriptStep::Wait => "  - wait: true\n".to_string(),
        ScriptStep::Back => "  - back: true\n".to_string(),
        ScriptStep::Branch(name) => format!("  - branch: {}\n", quoted(name)),
    }
}

/// A `hear` regex for a prompt: its first few words, each regex-escaped,
/// with any run of whitespace between them, so that re-wrapping a prompt
/// does not fail the persona. `None` for a prompt with no words.
pub(crate) fn heard_pattern(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .take(HEARD_WORDS)
        .map(regex::escape)
        .collect();
    (!words.is_empty()).then(|| words.join(r"\s+"))
}

/// The kind of `node` where the transcript last entered it.
fn last_kind<'t>(transcript: &'t Transcript, node: &str) -> Option<&'t str> {
    transcript
        .events
        .iter()
        .rev()
        .find_map(|event| match event {
            Event::Node { node: id, kind, .. } if id == node => Some(*kind),
            _ => None,
        })
}

/// The first branch of the opaque step `node` of `flow`.
fn first_branch(set: &MenuSet, channel: Channel, flow: &str, node: &str) -> Option<String> {
    set.flows_named(flow)
        .filter(|f| f.channel == channel)
        .flat_map(|f| f.nodes.iter())
        .find(|n| n.id.value == node)
        .and_then(|n| match &n.kind {
            crate::model::NodeKind::Opaque { branches, .. } => {
                branches.first().map(|b| b.on.value.clone())
            }
            _ => None,
        })
}

/// A regex as a YAML scalar people can read: single-quoted, where a
/// backslash is itself (`'Thank\s+you'`), unless it holds a control
/// character, which only a double-quoted scalar keeps.
fn regex_scalar(pattern: &str) -> String {
    if pattern.chars().any(char::is_control) {
        quoted(pattern)
    } else {
        format!("'{}'", pattern.replace('\'', "''"))
    }
}

/// A YAML scalar that reads back as exactly `text`: a JSON string is a
/// YAML double-quoted scalar, so quotes, backslashes, colons, `#` and
/// leading spaces all survive.
pub(crate) fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
