//! Recording a persona from a live call (`replay --live URL --inputs LIST
//! --save-persona NAME`): the call's inputs as script steps, a `hear` for
//! each thing the caller heard before each input, and the ending the call
//! came to as `expect`, judged as `personas --live` judges a call, so that
//! the persona passes at once on the app and on a model of it (a crawled
//! flow).

use crate::input::Input;
use crate::model::{Channel, Outcome as JourneyOutcome};
use crate::personas::record::{check_name, hear_step, input_step, RecordError, Recording};

use super::call::{Ending, Heard, Outcome};
use super::personas::{End, Unjudged};

/// Why a live call cannot be recorded as a persona.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LiveRecordError {
    #[error(transparent)]
    Persona(#[from] RecordError),
    #[error("the inputs end while the app still listens at {document}: past its script a persona goes on by itself, so record inputs that end the call")]
    StillListening { document: String },
    #[error("the call ended after {used} of the {given} inputs, at {document}: record only the inputs the call took")]
    EndedEarly {
        used: usize,
        given: usize,
        document: String,
    },
    #[error("the call failed (a live-error, to fix rather than record): {0}")]
    CallFailed(String),
    #[error("the call was cut off before it ended")]
    CutOff,
}

/// The persona document, as YAML, for the call to `url` given `inputs`.
/// `outcomes[i]` is how the same call went with only the first `i` inputs
/// (a call reports what was heard since the caller's last input, so what
/// was heard before each input comes from the call that stops there); the
/// last is the call with every input.
pub(crate) fn persona_yaml(
    name: &str,
    url: &str,
    inputs: &[Input],
    outcomes: &[Outcome],
) -> Result<String, LiveRecordError> {
    check_name(name)?;
    let given = inputs.len();
    let Some(last) = outcomes.get(given) else {
        return Err(LiveRecordError::CutOff);
    };
    let (ending, closing) = match (End::of_call(last, given), last) {
        (Ok(End::Waiting), Outcome::Listening { document, .. }) => {
            return Err(LiveRecordError::StillListening {
                document: document.clone(),
            })
        }
        (Ok(_), Outcome::Ended { ending, heard, .. }) => (ending, heard),
        (Err(Unjudged::EndedEarly { used }), Outcome::Ended { document, .. }) => {
            return Err(LiveRecordError::EndedEarly {
                used,
                given,
                document: document.clone(),
            })
        }
        (Err(Unjudged::Failed(message)), _) => return Err(LiveRecordError::CallFailed(message)),
        _ => return Err(LiveRecordError::CutOff),
    };
    // What a model of the app calls this ending: a crawl writes a transfer
    // or a queue as a `transfer`, a hang-up as a `hangup` and a reply that
    // runs out as an `end`, which a persona without an intent reaches as
    // transferred, hung up and served; but a reply to silence that runs out
    // without a word is no handler at all, so the platform drops the
    // caller: hung up. Each is the `End` the call had.
    let dropped = matches!(inputs.last(), Some(Input::Wait)) && closing.is_empty();
    let outcome = match ending {
        Ending::Transferred(_) | Ending::Queued(_) => JourneyOutcome::Transferred,
        Ending::HungUp => JourneyOutcome::HungUp,
        Ending::FellOff if dropped => JourneyOutcome::HungUp,
        Ending::FellOff => JourneyOutcome::Served,
    };

    let mut script = Vec::new();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        if let Outcome::Listening { heard, .. } = outcome {
            script.extend(hear_steps(heard));
        }
        script.extend(input_step(input));
    }
    // A `transfer` of the format says nothing (a crawl keeps no words of
    // the reply that transfers), so only the words of a call that ends
    // without a person are expected after the last input.
    if outcome != JourneyOutcome::Transferred {
        script.extend(hear_steps(closing));
    }
    let typed: Vec<String> = inputs.iter().map(Input::to_string).collect();
    let origin = format!(
        "Recorded by `touchpoint replay --live {url} --save-persona` with --inputs {}",
        Input::join_list(&typed)
    );
    Ok(Recording {
        name,
        origin: &origin,
        channel: Channel::Phone,
        flow: None,
        vars: &[],
        script,
        outcome,
        node: None,
        steps: given,
        intent: None,
        queue: None,
    }
    .yaml())
}

/// A `hear` step for each thing said; audio played has no words to hear.
fn hear_steps(heard: &[Heard]) -> impl Iterator<Item = String> + '_ {
    heard.iter().filter_map(|heard| match heard {
        Heard::Said(text) => hear_step(text),
        Heard::Played(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::call::Question;

    fn listening(said: &str) -> Outcome {
        Outcome::Listening {
            identity: "menu".to_string(),
            question: Question {
                prompt: Vec::new(),
                keys: true,
                speech: false,
                finish_keys: "#".to_string(),
                digits: Some(1),
            },
            heard: vec![Heard::Said(said.to_string())],
            document: "http://app/voice".to_string(),
        }
    }

    fn ended(ending: Ending, said: &str, unused: usize) -> Outcome {
        Outcome::Ended {
            ending,
            heard: vec![Heard::Said(said.to_string())],
            unused,
            document: "http://app/end".to_string(),
        }
    }

    #[test]
    fn a_call_that_hangs_up_is_recorded_with_what_was_heard_before_each_input() {
        let yaml = persona_yaml(
            "hears-goodbye",
            "http://app/voice",
            &[Input::Keys("7".to_string())],
            &[
                listening("For billing, press 1."),
                ended(Ending::HungUp, "Goodbye.", 0),
            ],
        )
        .unwrap();
        assert!(
            yaml.contains(
                "script:\n  - hear: 'For\\s+billing,\\s+press\\s+1\\.'\n  - press: \"7\"\n  - hear: 'Goodbye\\.'\n"
            ),
            "{yaml}"
        );
        assert!(yaml.contains("  outcome: hung-up\n"), "{yaml}");
        assert!(!yaml.contains("flow:"), "{yaml}");
        assert!(!yaml.contains("node:"), "{yaml}");
    }

    #[test]
    fn a_transfer_expects_no_words_after_the_last_input() {
        let yaml = persona_yaml(
            "wants-a-person",
            "http://app/voice",
            &[Input::Keys("0".to_string())],
            &[
                listening("For an agent, press 0."),
                ended(Ending::Queued("agents".to_string()), "Connecting you.", 0),
            ],
        )
        .unwrap();
        assert!(!yaml.contains("Connecting"), "{yaml}");
        assert!(yaml.contains("  outcome: transferred\n"), "{yaml}");
    }

    #[test]
    fn calls_that_did_not_end_with_their_inputs_are_refused() {
        let keys = [Input::Keys("1".to_string()), Input::Keys("2".to_string())];
        let early = persona_yaml(
            "early",
            "http://app/voice",
            &keys,
            &[
                listening("Hello."),
                ended(Ending::HungUp, "Bye.", 1),
                ended(Ending::HungUp, "Bye.", 1),
            ],
        );
        assert!(
            matches!(
                early,
                Err(LiveRecordError::EndedEarly {
                    used: 1,
                    given: 2,
                    ..
                })
            ),
            "{early:?}"
        );
        let waiting = persona_yaml(
            "waiting",
            "http://app/voice",
            &keys[..1],
            &[listening("Hello."), listening("Billing.")],
        );
        assert!(
            matches!(waiting, Err(LiveRecordError::StillListening { .. })),
            "{waiting:?}"
        );
        let blank = persona_yaml(" ", "http://app/voice", &[], &[listening("Hello.")]);
        assert!(
            matches!(blank, Err(LiveRecordError::Persona(RecordError::BlankName))),
            "{blank:?}"
        );
    }
}
