//! Personas against a running app: each phone persona's journey on the
//! model (usually a crawled one) is replayed on the live app, input for
//! input, and the live call must end the way the model's journey did. A
//! persona that passes on the model but not live means the model and the
//! app have drifted apart, which is exactly what a team wants to learn
//! before customers do.

use crate::graph::{compile, Kind};
use crate::model::{Channel, MenuSet};
use crate::personas::PersonaResult;

use super::call::{Ending, Input, Outcome, PlayCalls};

/// How a journey or a call ended, in the terms both share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Handed to a person: a transfer, a dial or a queue.
    Transferred,
    /// The call ended without a person: an end, a hang-up, falling off.
    Ended,
    /// The caller is still at a menu: gave up, or stuck.
    Waiting,
}

impl End {
    fn describe(self) -> &'static str {
        match self {
            End::Transferred => "a transfer",
            End::Ended => "the call ending",
            End::Waiting => "the caller still at a menu",
        }
    }
}

/// The live form of a journey's inputs, or why one has none (a web click
/// in a phone journey cannot happen, but is said rather than skipped).
fn live_inputs(inputs: &[String]) -> Result<Vec<Input>, NoLiveInput> {
    inputs
        .iter()
        .map(|text| {
            Input::from_replay(crate::input::Input::parse(text)?)
                .ok_or_else(|| NoLiveInput::NotForACaller(text.clone()))
        })
        .collect()
}

/// Why a journey's input has no live form.
#[derive(Debug, thiserror::Error)]
enum NoLiveInput {
    #[error(transparent)]
    Unreadable(#[from] crate::input::InputError),
    #[error("`{0}` is not something a caller can do")]
    NotForACaller(String),
}

/// Replays every phone persona's journey on the live app with
/// `play_calls` and marks as failed each whose live call ends differently,
/// saying how. Journeys of other channels are left as they are.
pub(crate) fn check_live(
    set: &MenuSet,
    results: &mut [PersonaResult],
    play_calls: &mut PlayCalls,
) -> Result<(), crate::graph::CompileError> {
    let graph = compile(set, Channel::Phone)?;
    let expected_end = |result: &PersonaResult| -> Option<End> {
        let node = (0..graph.nodes.len() as u32)
            .find(|&n| graph.node_id(n) == result.node && graph.flow_of(n).id == result.flow)?;
        Some(match graph.nodes[node as usize].kind {
            Kind::Transfer => End::Transferred,
            Kind::End | Kind::Hangup => End::Ended,
            _ => End::Waiting,
        })
    };
    let mut replayed = Vec::new();
    let mut batch = Vec::new();
    for (index, result) in results.iter_mut().enumerate() {
        if result.channel != Channel::Phone {
            continue;
        }
        match (live_inputs(&result.inputs), expected_end(result)) {
            (Ok(inputs), Some(end)) => {
                replayed.push((index, end));
                batch.push(inputs);
            }
            (Err(why), _) => fail(result, format!("live: {why}")),
            (_, None) => fail(
                result,
                format!(
                    "live: the journey's last node `{}` is not in the phone graph",
                    result.node
                ),
            ),
        }
    }
    let outcomes = play_calls(&batch);
    for ((index, expected), outcome) in replayed.into_iter().zip(outcomes) {
        let result = &mut results[index];
        let inputs = format!("[{}]", result.inputs.join(", "));
        let live = match &outcome {
            Outcome::Failed { message, .. } => {
                fail(
                    result,
                    format!("live-error with inputs {inputs}: {message}"),
                );
                continue;
            }
            Outcome::Ended { unused, .. } if *unused > 0 => {
                fail(
                    result,
                    format!(
                        "live: the call ended after {} of the journey's {} inputs {inputs}",
                        result.inputs.len() - unused,
                        result.inputs.len()
                    ),
                );
                continue;
            }
            Outcome::Ended {
                ending: Ending::Transferred(_) | Ending::Queued(_),
                ..
            } => End::Transferred,
            Outcome::Ended { .. } => End::Ended,
            Outcome::Listening { .. } => End::Waiting,
            Outcome::Abandoned => {
                fail(
                    result,
                    format!("live: the call with inputs {inputs} was cut off before it ended"),
                );
                continue;
            }
        };
        if live != expected {
            fail(
                result,
                format!(
                    "live: the model's journey ends at `{}` ({}), the live call with inputs {inputs} in {}",
                    result.node,
                    expected.describe(),
                    live.describe()
                ),
            );
        }
    }
    Ok(())
}

fn fail(result: &mut PersonaResult, why: String) {
    result.passed = false;
    result.failures.push(why);
}
