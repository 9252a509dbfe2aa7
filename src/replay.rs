//! Plays one input sequence through a flow and records what the customer
//! hears: the transcript `touchpoint replay` prints, and the proof that a
//! finding's `inputs` really show it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::{compile, Graph, NodeIx, NONE};
use crate::input::{resolve, Input};
use crate::machine::{DeadEndReason, Machine, Observer, Rules, Settled, State, Step};
use crate::model::{Channel, MenuSet};

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("no flow `{0}` in the set{1}")]
    UnknownFlow(String, String),
    #[error("flow `{0}` exists on several channels ({1}); say which with --channel")]
    AmbiguousFlow(String, String),
    #[error("unknown variable `{0}`{1}")]
    UnknownVar(String, String),
    #[error("`{value}` is not a value of `{var}` (one of: {values})")]
    BadValue {
        var: String,
        value: String,
        values: String,
    },
    #[error("input {index} (`{input}`): {reason}")]
    BadInput {
        index: usize,
        input: String,
        reason: String,
    },
    #[error(transparent)]
    Compile(#[from] crate::graph::CompileError),
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The customer reaches a node and hears or sees its text.
    Node {
        node: String,
        flow: String,
        kind: &'static str,
        text: Option<String>,
        line: u32,
    },
    /// The customer does something.
    Input { input: String, meaning: String },
}

/// How the replay ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "ending", rename_all = "kebab-case")]
pub enum Ending {
    /// A transfer, end or hangup node.
    Terminal {
        node: String,
        kind: &'static str,
        /// At a transfer whose `open_when` is false with the values the
        /// caller has there: the condition, as written. Nobody staffs the
        /// queue then (`closed-transfer`).
        #[serde(skip_serializing_if = "Option::is_none")]
        closed: Option<String>,
    },
    DeadEnd {
        node: String,
        reason: String,
    },
    /// An input no handler takes: the platform drops the call.
    Dropped {
        node: String,
        input: String,
    },
    /// The inputs ran out while the customer waits at a menu or ask.
    Waiting {
        node: String,
    },
    Loop {
        node: String,
    },
    Returned {
        node: String,
    },
    CallTooDeep {
        node: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    pub channel: Channel,
    pub flow: String,
    pub file: String,
    pub vars: BTreeMap<String, String>,
    pub events: Vec<Event>,
    pub ending: Ending,
}

struct Recorder<'g, 'a> {
    graph: &'g Graph<'a>,
    events: Vec<Event>,
    /// The terminal the session ended at, with the values there.
    arrived: Option<(NodeIx, u64)>,
}

impl Observer for Recorder<'_, '_> {
    fn enter(&mut self, node: NodeIx) {
        let model = self.graph.model_node(node);
        self.events.push(Event::Node {
            node: model.id.value.clone(),
            flow: self.graph.flow_of(node).id.clone(),
            kind: model.kind.key(),
            text: model.kind.text().map(str::to_string),
            line: model.span.line(),
        });
    }

    fn arrive(&mut self, node: NodeIx, vars: u64) {
        self.arrived = Some((node, vars));
    }
}

/// Plays `inputs` from the start of `flow`, with `vars` set and every other
/// variable at its first value.
pub fn replay(
    set: &MenuSet,
    channel: Option<Channel>,
    flow: &str,
    inputs: &[Input],
    vars: &BTreeMap<String, String>,
) -> Result<Transcript, ReplayError> {
    let candidates: Vec<_> = set
        .flows_named(flow)
        .filter(|f| channel.is_none_or(|c| f.channel == c))
        .collect();
    let model_flow = match candidates.as_slice() {
        [one] => *one,
        [] => {
            let known: Vec<&str> = set.flows.iter().map(|f| f.id.as_str()).collect();
            return Err(ReplayError::UnknownFlow(
                flow.to_string(),
                format!(" (flows: {})", known.join(", ")),
            ));
        }
        many => {
            let channels: Vec<&str> = many.iter().map(|f| f.channel.name()).collect();
            return Err(ReplayError::AmbiguousFlow(
                flow.to_string(),
                channels.join(", "),
            ));
        }
    };
    let graph = compile(set, model_flow.channel)?;
    replay_compiled(set, &graph, flow, inputs, vars)
}

/// [`replay`] on the graph of the flow's channel, compiled already: the
/// fuzzer checks every failure it found this way without compiling the
/// channel again for each.
pub(crate) fn replay_compiled(
    set: &MenuSet,
    graph: &Graph,
    flow: &str,
    inputs: &[Input],
    vars: &BTreeMap<String, String>,
) -> Result<Transcript, ReplayError> {
    let Some(flow_index) = graph.flow_index(flow) else {
        let known: Vec<&str> = graph.flows.iter().map(|f| f.id.as_str()).collect();
        return Err(ReplayError::UnknownFlow(
            flow.to_string(),
            format!(" (flows: {})", known.join(", ")),
        ));
    };
    let model_file = set.flows[graph.flows[flow_index].model as usize].file;
    let mut packed = graph.default_vars();
    for (name, value) in vars {
        let Some(v) = graph.var_index(name) else {
            let known: Vec<&str> = graph.vars.iter().map(|v| v.name.as_str()).collect();
            let hint = if known.is_empty() {
                String::new()
            } else {
                format!(" (variables: {})", known.join(", "))
            };
            return Err(ReplayError::UnknownVar(name.clone(), hint));
        };
        let var = &graph.vars[v];
        let Some(x) = var.values.iter().position(|x| x == value) else {
            return Err(ReplayError::BadValue {
                var: name.clone(),
                value: value.clone(),
                values: var.values.join(", "),
            });
        };
        packed = var.set(packed, x as u16);
    }
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: graph.flows[flow_index].called,
    };
    let mut machine = Machine::new(graph, rules);
    let mut recorder = Recorder {
        graph,
        events: Vec::new(),
        arrived: None,
    };
    let mut settled = machine.settle(
        graph.flows[flow_index].start,
        packed,
        0,
        NONE,
        &mut recorder,
    );
    let mut ending = None;
    for (index, input) in inputs.iter().enumerate() {
        let Settled::Waiting(state) = settled else {
            return Err(ReplayError::BadInput {
                index: index + 1,
                input: input.to_string(),
                reason: "the session has already ended".to_string(),
            });
        };
        let choice =
            resolve(&machine, &state, input, &mut crate::machine::Quiet).map_err(|reason| {
                ReplayError::BadInput {
                    index: index + 1,
                    input: input.to_string(),
                    reason: reason.to_string(),
                }
            })?;
        recorder.events.push(Event::Input {
            input: input.to_string(),
            meaning: meaning(&machine, &state, choice),
        });
        match machine.step(&state, choice, &mut recorder) {
            Step::Moved(next) => settled = next,
            Step::Reprompt(next) => settled = Settled::Waiting(next),
            Step::Ignored => {}
            Step::Unavailable => {
                return Err(ReplayError::BadInput {
                    index: index + 1,
                    input: input.to_string(),
                    reason: format!("not available at `{}`", graph.node_id(state.node)),
                })
            }
            Step::Dropped(kind) => {
                ending = Some(Ending::Dropped {
                    node: graph.node_id(state.node).to_string(),
                    input: kind.describe().to_string(),
                });
                if index + 1 < inputs.len() {
                    return Err(ReplayError::BadInput {
                        index: index + 2,
                        input: inputs[index + 1].to_string(),
                        reason: "the call was already dropped".to_string(),
                    });
                }
                break;
            }
        }
    }
    let id = |n: NodeIx| graph.node_id(n).to_string();
    let ending = ending.unwrap_or(match settled {
        Settled::Waiting(state) if machine.guarded_off(&state) => Ending::DeadEnd {
            node: id(state.node),
            reason: explain(DeadEndReason::NoOptions),
        },
        Settled::Waiting(State { node, .. }) => Ending::Waiting { node: id(node) },
        Settled::Terminal(node) => Ending::Terminal {
            node: id(node),
            kind: graph.model_node(node).kind.key(),
            closed: recorder
                .arrived
                .filter(|&(at, _)| at == node)
                .and_then(|(_, vars)| closed_condition(graph, node, vars)),
        },
        Settled::DeadEnd(node, reason) => Ending::DeadEnd {
            node: id(node),
            reason: explain(reason),
        },
        Settled::SilentLoop(node) => Ending::Loop { node: id(node) },
        Settled::Returned(node) => Ending::Returned { node: id(node) },
        Settled::CallTooDeep(node) => Ending::CallTooDeep { node: id(node) },
    });
    Ok(Transcript {
        channel: graph.channel,
        flow: flow.to_string(),
        file: set.files[model_file as usize].name.clone(),
        vars: graph.describe_vars(packed, u64::MAX),
        events: recorder.events,
        ending,
    })
}

/// The `open_when` of the transfer `node`, as written, when it is false
/// under `vars`: the caller has reached a queue nobody staffs then.
pub(crate) fn closed_condition(graph: &Graph, node: NodeIx, vars: u64) -> Option<String> {
    graph
        .closed_when(node, vars, &mut |_| {})
        .map(|when| crate::structure::condition_text(&when.value))
}

/// Why the customer is at a dead end, in words, for the transcript.
fn explain(reason: DeadEndReason) -> String {
    reason.explain().to_string()
}

/// What an input did, in words, for the transcript.
fn meaning(machine: &Machine, state: &State, choice: crate::machine::Choice) -> String {
    use crate::machine::Choice;
    let graph = machine.graph;
    match choice {
        Choice::Option(i) => {
            let option = graph.model_option(i);
            format!("picks {} → {}", option.describe(), option.goto.value)
        }
        Choice::NoInput => "stays silent".to_string(),
        Choice::NoMatch => "gives an input no option takes".to_string(),
        Choice::Valid => "gives a valid answer".to_string(),
        Choice::Invalid => "gives an invalid answer".to_string(),
        Choice::Back => format!("goes back from {}", graph.node_id(state.node)),
        Choice::Branch(b) => match &graph.nodes[state.node as usize].kind {
            crate::graph::Kind::Opaque { branches } => {
                let (name, goto) = &graph.branches[(branches.start + b) as usize];
                format!("the step's outcome is {name} → {}", graph.node_id(*goto))
            }
            _ => "an outcome".to_string(),
        },
    }
}
