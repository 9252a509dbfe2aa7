//! Inputs as reports print them and `replay --inputs` reads them:
//! `3`, `wait`, `say:agent`, `enter:12345678`, `click:Pay a bill`, `back`.

use std::fmt;

use crate::graph::{Graph, Kind, OptionIx};
use crate::machine::{Choice, Machine, Observer, State};
use crate::model::{DtmfKey, NodeKind};

/// Why a text is not an input ([`Input::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("unknown input kind `{0}:` (expected say:, enter:, click:)")]
    UnknownKind(String),
    #[error("`{0}` is not an input: use a key (`3`), `wait`, `back`, `say:TEXT`, `enter:TEXT` or `click:LABEL`")]
    NotAnInput(String),
}

/// Why an input cannot be given where the customer is ([`resolve`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("`{node}` has no branch `{name}` (branches: {})", branches.join(", "))]
    NoBranch {
        node: String,
        name: String,
        branches: Vec<String>,
    },
    #[error("`{0}` is an opaque step: give its outcome as `branch:NAME`")]
    OpaqueStep(String),
    #[error("`{input}` is a phone input; on the {channel} use click:LABEL, back or wait")]
    PhoneInputOnScreen {
        input: Input,
        channel: crate::model::Channel,
    },
    #[error("there is no option labelled \"{label}\" on `{node}`")]
    NoSuchLabel { label: String, node: String },
    #[error("`click:` is for web and app pages; on the phone press a key or say:TEXT")]
    ClickOnPhone,
    #[error("`{input}` cannot be given at `{node}`")]
    CannotBeGiven { input: Input, node: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One or more DTMF keys; at a menu only the first counts.
    Keys(String),
    Say(String),
    Enter(String),
    Click(String),
    Wait,
    Back,
    /// The outcome of an opaque step (`branch:error`), which the platform
    /// decides rather than the customer.
    Branch(String),
}

impl Input {
    pub fn parse(text: &str) -> Result<Input, InputError> {
        // Spaces before the kind are layout (`1, wait`); the text after
        // `say:`, `enter:` or `click:` is kept exactly, trailing spaces and
        // all, because an answer is matched as given.
        let mut text = text.trim_start();
        // `press:` only says that keys follow, and may be repeated; it is
        // peeled off in a loop, as recursing once per `press:` would let a
        // long enough input overflow the stack.
        while let Some((kind, rest)) = text.split_once(':') {
            if kind.trim() == "press" {
                text = rest.trim_start();
                continue;
            }
            let rest = rest.to_string();
            return match kind.trim() {
                "say" => Ok(Input::Say(rest)),
                "enter" => Ok(Input::Enter(rest)),
                "click" => Ok(Input::Click(rest)),
                "branch" => Ok(Input::Branch(rest)),
                other => Err(InputError::UnknownKind(other.to_string())),
            };
        }
        match text.trim_end() {
            "wait" | "silence" | "idle" => Ok(Input::Wait),
            "back" => Ok(Input::Back),
            keys if !keys.is_empty()
                && keys
                    .chars()
                    .all(|c| DtmfKey::parse(&c.to_string()).is_some()) =>
            {
                Ok(Input::Keys(keys.to_string()))
            }
            other => Err(InputError::NotAnInput(other.to_string())),
        }
    }

    /// Splits a comma-separated list as `--inputs` takes it. A label with a
    /// comma in it writes it as `\,` (`click:Start\, stop or move`).
    pub fn parse_list(text: &str) -> Result<Vec<Input>, InputError> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(next) => current.push(next),
                    None => current.push('\\'),
                },
                ',' => items.push(std::mem::take(&mut current)),
                other => current.push(other),
            }
        }
        items.push(current);
        items.iter().map(|i| Input::parse(i)).collect()
    }

    /// Joins inputs the way [`Input::parse_list`] reads them back.
    pub(crate) fn join_list<S: AsRef<str>>(inputs: &[S]) -> String {
        inputs
            .iter()
            .map(|i| i.as_ref().replace('\\', "\\\\").replace(',', "\\,"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Keys(k) => f.write_str(k),
            Input::Say(t) => write!(f, "say:{t}"),
            Input::Enter(t) => write!(f, "enter:{t}"),
            Input::Click(t) => write!(f, "click:{t}"),
            Input::Wait => f.write_str("wait"),
            Input::Back => f.write_str("back"),
            Input::Branch(name) => write!(f, "branch:{name}"),
        }
    }
}

/// A word no speech phrase is likely to match, for "the customer says
/// something nobody planned for" when every key is taken.
const NONSENSE: &str = "xyzzy";

/// The concrete input that makes `choice` happen at `state`.
pub fn render(machine: &Machine, state: &State, choice: Choice) -> Input {
    let graph = machine.graph;
    match choice {
        Choice::Option(i) => {
            let option = &graph.options[i as usize];
            if graph.is_visual() {
                let label = graph
                    .model_option(i)
                    .label
                    .as_ref()
                    .map_or("", |l| l.as_str());
                Input::Click(label.to_string())
            } else if option.key != 0 {
                Input::Keys((option.key as char).to_string())
            } else {
                Input::Say(graph.utterances[i as usize].clone().unwrap_or_default())
            }
        }
        Choice::NoInput => Input::Wait,
        Choice::Back => Input::Back,
        Choice::Branch(b) => match &graph.nodes[state.node as usize].kind {
            Kind::Opaque { branches } => {
                Input::Branch(graph.branches[(branches.start + b) as usize].0.clone())
            }
            _ => Input::Wait,
        },
        Choice::NoMatch => match unoffered_key(machine, state) {
            Some(key) => Input::Keys(key.as_char().to_string()),
            None => Input::Say(NONSENSE.to_string()),
        },
        Choice::Valid | Choice::Invalid => {
            let Some(samples) = graph.sample_answers.get(&state.node) else {
                return Input::Wait;
            };
            let answer = if choice == Choice::Valid {
                &samples.valid
            } else {
                &samples.invalid
            };
            Input::Enter(answer.clone().unwrap_or_default())
        }
    }
}

/// The first key, in the order 1-9, 0, *, #, that no enabled option takes.
pub(crate) fn unoffered_key(machine: &Machine, state: &State) -> Option<DtmfKey> {
    let Kind::Menu { options, .. } = &machine.graph.nodes[state.node as usize].kind else {
        return None;
    };
    let mut taken = 0u16;
    for i in options.clone() {
        let option = &machine.graph.options[i as usize];
        if option.key != 0 && machine.enabled(i, state.vars, &mut crate::machine::Quiet) {
            taken |= 1 << DtmfKey(option.key).index();
        }
    }
    DtmfKey::ALL
        .into_iter()
        .find(|k| taken & (1 << k.index()) == 0)
}

/// What a concrete input means at `state`, or why it cannot be given there.
pub fn resolve(
    machine: &Machine,
    state: &State,
    input: &Input,
    obs: &mut impl Observer,
) -> Result<Choice, ResolveError> {
    let graph = machine.graph;
    let node = graph.model_node(state.node);
    match (&node.kind, input) {
        (_, Input::Wait) => Ok(Choice::NoInput),
        (_, Input::Back) => Ok(Choice::Back),
        (NodeKind::Opaque { branches, .. }, Input::Branch(name)) => branches
            .iter()
            .position(|b| b.on.value == *name)
            .map(|i| Choice::Branch(i as u32))
            .ok_or_else(|| ResolveError::NoBranch {
                node: node.id.value.clone(),
                name: name.clone(),
                branches: branches.iter().map(|b| b.on.value.clone()).collect(),
            }),
        (NodeKind::Opaque { .. }, _) => Err(ResolveError::OpaqueStep(node.id.value.clone())),
        (
            NodeKind::Ask { matcher, .. },
            Input::Enter(text) | Input::Keys(text) | Input::Say(text),
        ) => {
            let valid = matcher.as_ref().is_none_or(|re| re.is_match(text));
            Ok(if valid {
                Choice::Valid
            } else {
                Choice::Invalid
            })
        }
        (NodeKind::Menu { .. }, Input::Keys(_) | Input::Say(_) | Input::Enter(_))
            if graph.is_visual() =>
        {
            Err(ResolveError::PhoneInputOnScreen {
                input: input.clone(),
                channel: graph.channel,
            })
        }
        (NodeKind::Menu { .. }, Input::Keys(keys)) => {
            let key = keys.as_bytes()[0];
            Ok(find_option(machine, state, obs, |i, _| {
                graph.options[i as usize].key == key
            })
            .unwrap_or(Choice::NoMatch))
        }
        (NodeKind::Menu { .. }, Input::Enter(text)) if DtmfKey::parse(text).is_some() => {
            resolve(machine, state, &Input::Keys(text.clone()), obs)
        }
        (NodeKind::Menu { .. }, Input::Say(text)) if !graph.is_visual() => {
            Ok(find_option(machine, state, obs, |i, g| {
                g.model_option(i)
                    .speech
                    .iter()
                    .any(|p| p.regex.is_match(text))
            })
            .unwrap_or(Choice::NoMatch))
        }
        (NodeKind::Menu { .. }, Input::Click(label)) if graph.is_visual() => {
            let wanted = label.trim().to_lowercase();
            find_option(machine, state, obs, |i, g| {
                g.model_option(i)
                    .label
                    .as_ref()
                    .is_some_and(|l| l.value.trim().to_lowercase() == wanted)
            })
            .ok_or_else(|| ResolveError::NoSuchLabel {
                label: label.clone(),
                node: node.id.value.clone(),
            })
        }
        (NodeKind::Menu { .. }, Input::Click(_)) => Err(ResolveError::ClickOnPhone),
        (NodeKind::Menu { .. }, Input::Enter(_)) => Ok(Choice::NoMatch),
        _ => Err(ResolveError::CannotBeGiven {
            input: input.clone(),
            node: node.id.value.clone(),
        }),
    }
}

fn find_option(
    machine: &Machine,
    state: &State,
    obs: &mut impl Observer,
    matches: impl Fn(OptionIx, &Graph) -> bool,
) -> Option<Choice> {
    let Kind::Menu { options, .. } = &machine.graph.nodes[state.node as usize].kind else {
        return None;
    };
    options
        .clone()
        .find(|&i| matches(i, machine.graph) && machine.enabled(i, state.vars, obs))
        .map(Choice::Option)
}

#[cfg(test)]
mod tests {
    use super::Input;

    #[test]
    fn every_printed_form_parses_back() {
        for text in [
            "3",
            "wait",
            "say:agent",
            "enter:12345678",
            "click:Pay a bill",
            "back",
            "#",
            "*",
        ] {
            let input = Input::parse(text).unwrap();
            assert_eq!(input.to_string(), text);
        }
        assert!(Input::parse("dance").is_err());
        assert_eq!(Input::parse_list("1, wait,say:agent").unwrap().len(), 3);
        let inputs = ["2", "click:Start, stop or move", "enter:a\\b"];
        let joined = Input::join_list(&inputs);
        let back: Vec<String> = Input::parse_list(&joined)
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(back, inputs);
    }

    #[test]
    fn any_number_of_press_prefixes_reads_without_recursing() {
        assert_eq!(Input::parse("press: 12").unwrap(), Input::Keys("12".into()));
        let text = format!("{}1", "press:".repeat(1_000_000));
        assert_eq!(Input::parse(&text).unwrap(), Input::Keys("1".into()));
        let text = format!("{}say:agent", "press:".repeat(1_000_000));
        assert_eq!(Input::parse(&text).unwrap(), Input::Say("agent".into()));
    }
}
