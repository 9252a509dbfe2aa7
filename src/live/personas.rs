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
pub(crate) enum End {
    /// Handed to a person: a transfer, a dial or a queue.
    Transferred,
    /// The call ended without a person: an end, a hang-up, falling off.
    Ended,
    /// The caller is still at a menu: gave up, or stuck.
    Waiting,
}

impl End {
    /// How a live call that was given `given` inputs ended, in the terms a
    /// journey shares; or why the call tells nothing of how the journey
    /// would end. `personas --live` judges every call with this, and a
    /// recording from a live call expects what it says.
    pub(crate) fn of_call(outcome: &Outcome, given: usize) -> Result<End, Unjudged> {
        match outcome {
            Outcome::Failed { message, .. } => Err(Unjudged::Failed(message.clone())),
            // A call that ended before its inputs did is not the journey
            // that gave them all.
            Outcome::Ended { unused, .. } if *unused > 0 => Err(Unjudged::EndedEarly {
                used: given.saturating_sub(*unused),
            }),
            Outcome::Ended {
                ending: Ending::Transferred(_) | Ending::Queued(_),
                ..
            } => Ok(End::Transferred),
            Outcome::Ended { .. } => Ok(End::Ended),
            Outcome::Listening { .. } => Ok(End::Waiting),
            Outcome::Abandoned => Err(Unjudged::CutOff),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            End::Transferred => "a transfer",
            End::Ended => "the call ending",
            End::Waiting => "the caller still at a menu",
        }
    }
}

/// Why a live call says nothing of how a journey ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unjudged {
    /// The call failed: a `live-error`, with the app's or the transport's
    /// message.
    Failed(String),
    /// The call ended after only `used` of its inputs.
    EndedEarly { used: usize },
    /// The call was cut off at the run's deadline before it ended.
    CutOff,
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
        // A journey dropped at a menu (an input with no handler) ends the
        // call there: the platform hangs up, the caller waits for nothing.
        if result.outcome == crate::model::Outcome::HungUp.name() {
            return Some(End::Ended);
        }
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
        let live = match End::of_call(&outcome, result.inputs.len()) {
            Ok(end) => end,
            Err(Unjudged::Failed(message)) => {
                fail(
                    result,
                    format!("live-error with inputs {inputs}: {message}"),
                );
                continue;
            }
            Err(Unjudged::EndedEarly { used }) => {
                fail(
                    result,
                    format!(
                        "live: the call ended after {used} of the journey's {} inputs {inputs}",
                        result.inputs.len()
                    ),
                );
                continue;
            }
            Err(Unjudged::CutOff) => {
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
