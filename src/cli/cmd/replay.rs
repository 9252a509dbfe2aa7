//! `touchpoint replay`: plays one input sequence through a flow and prints
//! the transcript, or with `--live` plays it as one call to a running app.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::args::{self, Common, Format};
use crate::cli::live::live_driver;
use crate::cli::load::load_noting_import;
use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};
use crate::input::Input;
use crate::model::Channel;

/// What to replay: the set at `path`, from the start of `flow`, with
/// `inputs` and the `vars` given as NAME=VALUE.
pub(crate) struct Replay<'a> {
    pub path: &'a Path,
    pub flow: &'a str,
    pub inputs: &'a str,
    pub vars: &'a [String],
    pub channel: Option<Channel>,
}

/// Plays the replay's inputs through its flow and writes the transcript,
/// or with `save_persona` the journey as a persona of that name.
pub(crate) fn run(
    replay: &Replay,
    save_persona: Option<&str>,
    common: &Common,
) -> Result<Verdict, CliError> {
    if save_persona.is_some() {
        refuse_existing_file(common)?;
    }
    let (set, imported) = load_noting_import("replay", replay.path, common)?;
    let inputs = Input::parse_list(replay.inputs).map_err(CliError::Inputs)?;
    let mut var_map = BTreeMap::new();
    for pair in replay.vars {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(CliError::Var(pair.clone()));
        };
        var_map.insert(k.trim().to_string(), v.trim().to_string());
    }
    let mut transcript =
        crate::replay::replay(&set, replay.channel, replay.flow, &inputs, &var_map)?;
    if let Some(name) = save_persona {
        // A later --var for the same variable wins, as in the replay.
        let vars: Vec<(String, String)> = var_map.into_iter().collect();
        let yaml = crate::personas::record::persona_yaml(&set, name, &inputs, &vars, &transcript)?;
        Output::new(common.output.as_deref()).write(&yaml)?;
        return Ok(Verdict::Clean);
    }
    if let Some(info) = &imported {
        info.locate_transcript(&mut transcript);
    }
    let text = match common.format() {
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&transcript).unwrap_or_default();
            t.push('\n');
            t
        }
        _ => crate::render::transcript::render(&transcript),
    };
    Output::new(common.output.as_deref()).write(&text)?;
    Ok(Verdict::Clean)
}

/// Plays one call to a running app with `inputs` and prints what the
/// caller heard and how the call ended: the replay of a `fuzz --live`
/// finding. Exit 0 when the call ran, 1 when it failed (a `live-error`),
/// 2 when the app does not answer. With `save_persona`, the call is
/// written as a persona of that name instead (exit 0), or refused (exit 2)
/// when it cannot be.
pub(crate) fn run_live(
    live: &args::LiveArgs,
    inputs: &str,
    save_persona: Option<&str>,
    common: &Common,
) -> Result<Verdict, CliError> {
    use crate::live::call::{Ending, Heard, Input as LiveInput, Outcome};
    // Refused before any call is made, as for a recording of the set.
    if let Some(name) = save_persona {
        refuse_existing_file(common)?;
        crate::personas::record::check_name(name)?;
    }
    let url = live.live.as_deref().unwrap_or_default();
    let parsed = Input::parse_list(inputs).map_err(CliError::Inputs)?;
    let mut call_inputs = Vec::new();
    for input in &parsed {
        match LiveInput::from_replay(input.clone()) {
            Some(input) => call_inputs.push(input),
            None => return Err(CliError::NotACallerInput(input.to_string())),
        }
    }
    let driver = live_driver(live)?;
    // A call reports what was heard since the caller's last input, so the
    // whole transcript comes from playing every prefix of the inputs (one
    // batch, concurrently): each says what the caller heard before their
    // next input.
    let prefixes: Vec<Vec<LiveInput>> = (0..=call_inputs.len())
        .map(|len| call_inputs[..len].to_vec())
        .collect();
    let outcomes = driver.play_batch(&prefixes);
    if let Some(name) = save_persona {
        return record_live(name, url, &parsed, &outcomes, common);
    }
    let heard_lines = |heard: &[Heard]| -> String {
        heard
            .iter()
            .map(|h| match h {
                Heard::Said(text) => format!("  app: {text}\n"),
                Heard::Played(audio) => format!("  app plays {audio}\n"),
            })
            .collect()
    };
    let typed: Vec<String> = call_inputs.iter().map(LiveInput::text).collect();
    let mut text = format!("call to {url} with inputs [{}]\n", typed.join(", "));
    let mut failed = false;
    for (given, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Outcome::Listening {
                heard, document, ..
            } => {
                text.push_str(&heard_lines(heard));
                match call_inputs.get(given) {
                    Some(input) => text.push_str(&format!("  caller: {}\n", input.text())),
                    None => text.push_str(&format!("still listening at {document}\n")),
                }
            }
            Outcome::Ended {
                ending,
                heard,
                unused,
                document,
            } => {
                text.push_str(&heard_lines(heard));
                let how = match ending {
                    Ending::HungUp => "the app hung up".to_string(),
                    Ending::FellOff => "the reply ran out and the call ended".to_string(),
                    Ending::Transferred(to) => format!("transferred to {to}"),
                    Ending::Queued(queue) => format!("queued for {queue}"),
                };
                text.push_str(&format!("{how} at {document}"));
                if *unused > 0 {
                    text.push_str(&format!(", {unused} inputs unused"));
                }
                text.push('\n');
                break;
            }
            Outcome::Failed {
                message,
                unreachable,
                ..
            } => {
                if *unreachable {
                    return Err(CliError::CallNotAnswered {
                        url: url.to_string(),
                        why: message.clone(),
                    });
                }
                text.push_str(&format!("live-error: {message}\n"));
                failed = true;
                break;
            }
            // No deadline is set for a replay, so no call is cut off.
            Outcome::Abandoned => return Err(CliError::CallCutOff),
        }
    }
    Output::new(common.output.as_deref()).write(&text)?;
    Ok(Verdict::failed_if(failed))
}

/// Writes the call with `inputs`, whose every prefix gave `outcomes`, as
/// the persona `name`; an app that does not answer is exit 2 whatever the
/// command does.
fn record_live(
    name: &str,
    url: &str,
    inputs: &[Input],
    outcomes: &[crate::live::call::Outcome],
    common: &Common,
) -> Result<Verdict, CliError> {
    use crate::live::call::Outcome;
    for outcome in outcomes {
        match outcome {
            Outcome::Failed {
                message,
                unreachable: true,
                ..
            } => {
                return Err(CliError::CallNotAnswered {
                    url: url.to_string(),
                    why: message.clone(),
                })
            }
            // No deadline is set for a replay, so no call is cut off.
            Outcome::Abandoned => return Err(CliError::CallCutOff),
            _ => {}
        }
    }
    let yaml = crate::live::record::persona_yaml(name, url, inputs, outcomes)?;
    Output::new(common.output.as_deref()).write(&yaml)?;
    Ok(Verdict::Clean)
}

/// A recording must not replace a persona someone wrote: refuse an
/// existing `-o FILE` before the work, and say so, rather than overwrite it.
fn refuse_existing_file(common: &Common) -> Result<(), CliError> {
    match common.output.as_deref() {
        Some(path) if path.exists() => Err(CliError::PersonaFileExists(path.to_path_buf())),
        _ => Ok(()),
    }
}
