//! Fuzzing a running app: seeded random callers press keys, enter numbers,
//! say things and stay silent, and each call is judged by what the app did
//! with it. proptest generates the input sequences (so a failing one
//! shrinks for free), the calls of a batch go out concurrently through
//! whatever plays them, and every failure is shrunk by replaying shorter
//! sequences on the app until none still fails the same way.
//!
//! The oracle only trusts what a caller would notice:
//!
//! - `live-error`: the call failed (an HTTP error, a timeout, a reply that
//!   the protocol cannot follow, a redirect loop, an enormous reply);
//! - `unhandled-input`: after the caller's input the app ended the call
//!   without a word (the document ran out right after a gather, which is
//!   what a gather with no fallback does);
//! - `endless-retry`: a caller who stays silent is still being asked after
//!   [`SILENT_TURNS`] silences in a row, never transferred or let go.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};

use super::call::{Ending, Input, Outcome, PlayCalls, KEYS};
use crate::finding::{Code, Finding, FindingSource};
use crate::fuzz::FuzzSummary;
use crate::model::Channel;
use crate::report::Report;

/// Silences in a row after which a caller still at a menu counts as stuck.
pub(crate) const SILENT_TURNS: usize = 5;

/// Calls sent out together; the driver bounds how many are in flight.
const BATCH: usize = 64;

/// How much to fuzz.
#[derive(Debug, Clone)]
pub(crate) struct LiveFuzzOptions {
    pub seed: u64,
    pub runs: usize,
    /// Inputs at most in one call.
    pub max_steps: usize,
    /// Calls at most spent shrinking one failure.
    pub max_shrink_calls: u32,
    /// No new batch of callers starts after this instant (`--time`), and
    /// the driver cuts off the calls still going then; the report then
    /// depends on how fast the app answers.
    pub deadline: Option<crate::clock::Deadline>,
}

/// One thing a live call showed, with the shortest inputs found to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFailure {
    pub code: Code,
    pub message: String,
    /// Where it happened: the address of the reply played last, when known.
    pub document: String,
    pub inputs: Vec<Input>,
}

/// What a live fuzzing session did.
#[derive(Debug, Default)]
pub struct LiveFuzzOutcome {
    pub failures: Vec<LiveFailure>,
    /// Callers whose calls ended and were judged; callers cut off at the
    /// deadline are not counted.
    pub runs: usize,
    /// Inputs the judged callers were given, in all.
    pub steps: usize,
    /// Calls played to their end, shrinking included.
    pub calls: usize,
    /// Calls cut off unfinished at the deadline.
    pub abandoned: usize,
    /// Set when the app stopped answering: the session stopped there.
    pub unreachable: Option<String>,
}

/// A verdict on one call: what failed, and what makes it the same defect
/// when many callers run into it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    code: Code,
    /// Two calls with the same code and key show the same defect: the reply
    /// where a call was dropped or kept waiting, or the reason a call failed
    /// (which names the address). Query strings are left out: an app that
    /// counts attempts or signs each request in the URL still has one
    /// defect, not one per attempt.
    key: String,
    message: String,
    document: String,
}

fn judge(inputs: &[Input], outcome: &Outcome) -> Option<Verdict> {
    match outcome {
        Outcome::Failed { message, at, .. } => Some(Verdict {
            code: Code::LiveError,
            key: without_queries(message),
            message: message.clone(),
            document: at.clone(),
        }),
        Outcome::Ended {
            ending: Ending::FellOff,
            heard,
            unused,
            document,
        } if heard.is_empty() => {
            let given = inputs.len() - unused;
            let last = given.checked_sub(1).map(|i| &inputs[i])?;
            Some(Verdict {
                code: Code::UnhandledInput,
                key: without_queries(document),
                message: format!(
                    "after {} the app ended the call without a word: the reply at {document} runs out with no fallback",
                    describe(last)
                ),
                document: document.clone(),
            })
        }
        Outcome::Listening { document, .. } => {
            let silent_tail = inputs
                .iter()
                .rev()
                .take_while(|i| **i == Input::Silence)
                .count();
            (silent_tail >= SILENT_TURNS).then(|| Verdict {
                code: Code::EndlessRetry,
                key: without_queries(document),
                message: format!(
                    "a caller who stays silent is still being asked after {SILENT_TURNS} silences in a row at {document}: never transferred, never let go"
                ),
                document: document.clone(),
            })
        }
        Outcome::Ended { .. } | Outcome::Abandoned => None,
    }
}

/// `text` with the query strings of the addresses in it removed.
fn without_queries(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_query = false;
    for c in text.chars() {
        match c {
            '?' => in_query = true,
            c if in_query && (c.is_whitespace() || c == ')' || c == ',') => {
                in_query = false;
                out.push(c);
            }
            _ if in_query => {}
            c => out.push(c),
        }
    }
    out
}

fn describe(input: &Input) -> String {
    match input {
        Input::Silence => "silence".to_string(),
        Input::Keys(keys) => format!("the keys `{keys}`"),
        Input::Speech(words) => format!("saying “{words}”"),
    }
}

/// One caller input: mostly single keys, then silence, numbers entered
/// with or without a finish key, and speech that may match nothing.
fn input_strategy() -> impl Strategy<Value = Input> {
    let keys = prop::sample::select(&KEYS[..]).prop_map(|k| Input::Keys(k.to_string()));
    let number = proptest::string::string_regex("[0-9]{1,10}#?")
        .expect("a valid pattern")
        .prop_map(Input::Keys);
    let speech = prop::sample::select(
        &[
            "agent",
            "representative",
            "billing",
            "yes",
            "no",
            "help",
            "cancel",
            "purple elephant",
        ][..],
    )
    .prop_map(|w| Input::Speech(w.to_string()));
    // Silence first: proptest shrinks a choice towards the first
    // alternative, and "the caller said nothing" is the plainest repro.
    prop_oneof![
        3 => Just(Input::Silence),
        6 => keys,
        1 => number,
        1 => speech,
    ]
}

/// A caller's inputs: a random sequence, or some random inputs and then
/// silence until they are let go (the caller who never answers).
fn run_strategy(max_steps: usize) -> BoxedStrategy<Vec<Input>> {
    let max_steps = max_steps.max(1);
    let random = prop::collection::vec(input_strategy(), 1..=max_steps);
    if max_steps < SILENT_TURNS {
        return random.boxed();
    }
    // Never more inputs in all than `max_steps`.
    let most_silences = (SILENT_TURNS + 2).min(max_steps);
    let silent = (
        prop::collection::vec(input_strategy(), 0..=max_steps - most_silences),
        SILENT_TURNS..=most_silences,
    )
        .prop_map(|(mut inputs, silences)| {
            inputs.extend(std::iter::repeat_n(Input::Silence, silences));
            inputs
        });
    prop_oneof![4 => random, 1 => silent].boxed()
}

/// Fuzzes the app that `play_calls` calls. Runs are generated from the
/// seed, played in concurrent batches, and each new kind of failure is
/// shrunk by replaying candidates one call at a time.
pub(crate) fn fuzz_live(options: &LiveFuzzOptions, play_calls: &mut PlayCalls) -> LiveFuzzOutcome {
    let strategy = run_strategy(options.max_steps);
    let mut runner =
        crate::fuzz::seeded_runner(options.seed, *b"livefuzz", options.max_shrink_calls);
    let mut outcome = LiveFuzzOutcome::default();
    // Failures by what they are: the first caller to show one is shrunk,
    // later ones are the same defect.
    let mut found: BTreeMap<(Code, String), LiveFailure> = BTreeMap::new();
    let mut generated = 0;
    while generated < options.runs && outcome.unreachable.is_none() {
        if generated > 0
            && options
                .deadline
                .as_ref()
                .is_some_and(crate::clock::Deadline::passed)
        {
            break;
        }
        let size = BATCH.min(options.runs - generated);
        let mut trees = Vec::with_capacity(size);
        for _ in 0..size {
            match strategy.new_tree(&mut runner) {
                Ok(tree) => trees.push(tree),
                Err(why) => {
                    outcome.unreachable = Some(format!("cannot generate callers: {why}"));
                    return outcome;
                }
            }
        }
        generated += size;
        let batch: Vec<Vec<Input>> = trees.iter().map(ValueTree::current).collect();
        let results = play_calls(&batch);
        // An app that is not answering makes every verdict of the batch
        // meaningless, and nothing is reported then: no call is spent
        // shrinking against it.
        if let Some(gone) = results.iter().find_map(|result| match result {
            Outcome::Failed {
                message,
                unreachable: true,
                ..
            } => Some(message.clone()),
            _ => None,
        }) {
            outcome.unreachable = Some(gone);
            break;
        }
        for (inputs, result) in batch.iter().zip(&results) {
            if *result == Outcome::Abandoned {
                outcome.abandoned += 1;
            } else {
                outcome.runs += 1;
                outcome.calls += 1;
                outcome.steps += inputs.len();
            }
        }
        for (tree, (inputs, result)) in trees.into_iter().zip(batch.iter().zip(&results)) {
            let Some(verdict) = judge(inputs, result) else {
                continue;
            };
            let key = (verdict.code, verdict.key.clone());
            if found.contains_key(&key) {
                continue;
            }
            let shrunk = shrink(
                &mut runner,
                tree,
                &key,
                options.deadline.as_ref(),
                play_calls,
                &mut outcome.calls,
            );
            if let Err(AppGone(why)) = &shrunk {
                outcome.unreachable = Some(why.clone());
                break;
            }
            let failure = shrunk.ok().flatten().unwrap_or(LiveFailure {
                code: verdict.code,
                message: verdict.message,
                document: verdict.document,
                inputs: inputs.clone(),
            });
            found.insert(key, failure);
        }
        if outcome.abandoned > 0 {
            break;
        }
    }
    outcome.failures = found.into_values().collect();
    outcome
}

/// The report of a live session: one finding per failure, located at the
/// reply where it happened (the app has no YAML to point into, so the
/// "file" is the reply's address, line 1), with the inputs that replay it.
pub fn report(url: &str, seed: u64, outcome: LiveFuzzOutcome) -> Report {
    let mut report = Report::new("fuzz", url.to_string(), seed);
    for (index, failure) in outcome.failures.iter().enumerate() {
        let file = if failure.document.is_empty() {
            url.to_string()
        } else {
            failure.document.clone()
        };
        let node = url::Url::parse(&file).map_or_else(|_| file.clone(), |u| u.path().to_string());
        report.findings.push(Finding {
            code: failure.code,
            level: failure.code.default_level(),
            channel: Channel::Phone,
            // The app a live finding is in is the one at the start URL,
            // which is where `replay --live` plays its inputs from.
            flow: url.to_string(),
            node,
            message: failure.message.clone(),
            file,
            line: 1,
            column: 1,
            intent: None,
            vars: BTreeMap::new(),
            inputs: failure.inputs.iter().map(Input::text).collect(),
            path: Vec::new(),
            source: FindingSource::FuzzLive,
            fuzz_batch: None,
            // Failures come sorted by code and grouping key, so their place
            // in the list tells apart two of one code at one reply.
            detail: index as u32,
            about: String::new(),
            offset: 0,
            len: 0,
        });
    }
    report
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report.fuzz = Some(FuzzSummary {
        seed,
        runs: outcome.runs,
        steps: outcome.steps,
        edges: 0,
        edges_covered: 0,
        failures: outcome.failures.len(),
    });
    report.notes.push(format!(
        "{} random callers made {} calls to {url}, shrinking included",
        outcome.runs, outcome.calls
    ));
    if outcome.abandoned > 0 {
        report.notes.push(format!(
            "{} calls still going at the --time deadline were cut off and not judged",
            outcome.abandoned
        ));
    }
    report.summarize();
    report
}

/// Why shrinking stopped: the app stopped answering, as the driver said.
struct AppGone(String);

/// Shrinks a failing caller with proptest: each candidate is one call on
/// the app, and it is kept when the call fails in the same way. Returns the
/// smallest failing sequence, replayed once more to be sure (`None` when
/// the failure did not come back), or `Err` with the reason when the app
/// stopped answering. Past the deadline no more calls are made and the
/// smallest sequence so far stands.
fn shrink(
    runner: &mut TestRunner,
    tree: impl ValueTree<Value = Vec<Input>>,
    wanted: &(Code, String),
    deadline: Option<&crate::clock::Deadline>,
    play_calls: &mut PlayCalls,
    calls: &mut usize,
) -> Result<Option<LiveFailure>, AppGone> {
    let play_calls = std::cell::RefCell::new(play_calls);
    let spent = std::cell::Cell::new(0usize);
    // Why shrinking stopped early: the app went away, or time ran out.
    let gone: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let late = std::cell::Cell::new(false);
    let play_one = |inputs: &[Input]| -> Option<Outcome> {
        if gone.borrow().is_some() || late.get() {
            return None;
        }
        if deadline.is_some_and(crate::clock::Deadline::passed) {
            late.set(true);
            return None;
        }
        let outcome = (play_calls.borrow_mut())(&[inputs.to_vec()]).pop()?;
        if outcome == Outcome::Abandoned {
            late.set(true);
            return None;
        }
        spent.set(spent.get() + 1);
        if let Outcome::Failed {
            message,
            unreachable: true,
            ..
        } = &outcome
        {
            *gone.borrow_mut() = Some(message.clone());
            return None;
        }
        Some(outcome)
    };
    let same = |inputs: &[Input], outcome: &Outcome| -> Option<Verdict> {
        judge(inputs, outcome).filter(|v| (v.code, &v.key) == (wanted.0, &wanted.1))
    };
    let result = runner.run_one(tree, |inputs| {
        match play_one(&inputs).and_then(|outcome| same(&inputs, &outcome)) {
            Some(_) => Err(TestCaseError::fail("the same failure")),
            None => Ok(()),
        }
    });
    let smallest = match result {
        Err(TestError::Fail(_, inputs)) => Some(inputs),
        _ => None,
    };
    let confirmed = smallest.and_then(|mut smallest| {
        // The shortest prefix that still fails the same way: a call that
        // failed or ended early shows the same without the inputs the app
        // never asked for, which proptest cannot always cut (a caller who
        // stays silent is generated with at least `SILENT_TURNS` silences).
        for len in 1..smallest.len() {
            let prefix = &smallest[..len];
            if play_one(prefix).is_some_and(|outcome| same(prefix, &outcome).is_some()) {
                smallest.truncate(len);
                break;
            }
        }
        // Replayed once more to be sure.
        let verdict = play_one(&smallest).and_then(|outcome| same(&smallest, &outcome));
        verdict.map(|verdict| LiveFailure {
            code: verdict.code,
            message: verdict.message,
            document: verdict.document,
            inputs: smallest,
        })
    });
    *calls += spent.get();
    if let Some(why) = gone.into_inner() {
        return Err(AppGone(why));
    }
    Ok(confirmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options for a session with no time limit.
    fn options(seed: u64, runs: usize, max_steps: usize, max_shrink_calls: u32) -> LiveFuzzOptions {
        LiveFuzzOptions {
            seed,
            runs,
            max_steps,
            max_shrink_calls,
            deadline: None,
        }
    }

    fn failed(message: &str) -> Outcome {
        Outcome::Failed {
            message: message.to_string(),
            unreachable: false,
            at: String::new(),
        }
    }

    /// An app held in memory: key 9 at the first menu breaks it, and
    /// silence ends the call without a word.
    fn app(inputs: &[Input]) -> Outcome {
        match inputs.first() {
            Some(Input::Keys(k)) if k == "9" => failed("HTTP 500 from /broken"),
            Some(Input::Silence) => Outcome::Ended {
                ending: Ending::FellOff,
                heard: Vec::new(),
                unused: inputs.len() - 1,
                document: "http://app/voice".to_string(),
            },
            _ => Outcome::Ended {
                ending: Ending::HungUp,
                heard: Vec::new(),
                unused: inputs.len().saturating_sub(1),
                document: "http://app/voice".to_string(),
            },
        }
    }

    #[test]
    fn failures_shrink_to_the_one_input_that_shows_them() {
        let options = options(3, 200, 8, 200);
        let mut play = |batch: &[Vec<Input>]| batch.iter().map(|i| app(i)).collect();
        let outcome = fuzz_live(&options, &mut play);
        let shown: Vec<(Code, Vec<Input>)> = outcome
            .failures
            .iter()
            .map(|f| (f.code, f.inputs.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Code::UnhandledInput, vec![Input::Silence]),
                (Code::LiveError, vec![Input::Keys("9".to_string())]),
            ]
        );
        assert_eq!(outcome.runs, 200);
        assert!(outcome.unreachable.is_none());
    }

    /// Past the deadline no new batch starts and no call is spent
    /// shrinking: the first batch's failures stand as they were found.
    #[test]
    fn past_the_deadline_only_the_first_batch_is_played() {
        let clock = std::sync::Arc::new(crate::clock::ManualClock::new());
        let options = LiveFuzzOptions {
            deadline: Some(crate::clock::Deadline::at(clock, std::time::Duration::ZERO)),
            ..options(3, 200, 8, 200)
        };
        let mut play = |batch: &[Vec<Input>]| batch.iter().map(|i| app(i)).collect();
        let outcome = fuzz_live(&options, &mut play);
        assert_eq!(outcome.runs, BATCH);
        assert_eq!(outcome.calls, BATCH);
        assert!(!outcome.failures.is_empty());
    }

    #[test]
    fn the_same_seed_gives_the_same_callers() {
        let options = options(11, 100, 6, 50);
        let record = || {
            let mut seen = Vec::new();
            let mut play = |batch: &[Vec<Input>]| {
                seen.extend(batch.iter().cloned());
                batch.iter().map(|i| app(i)).collect()
            };
            fuzz_live(&options, &mut play);
            seen
        };
        assert_eq!(record(), record());
    }

    /// What a menu that takes keys, with nothing said, waits for.
    fn keypad_question() -> crate::live::call::Question {
        crate::live::call::Question {
            prompt: Vec::new(),
            keys: true,
            speech: false,
            finish_keys: "#".to_string(),
            digits: None,
        }
    }

    #[test]
    fn a_caller_kept_waiting_in_silence_is_an_endless_retry() {
        let outcome = Outcome::Listening {
            identity: "http://app/menu fp".to_string(),
            question: keypad_question(),
            heard: Vec::new(),
            document: "http://app/menu".to_string(),
        };
        let silences = vec![Input::Silence; SILENT_TURNS];
        let verdict = judge(&silences, &outcome).expect("a finding");
        assert_eq!(verdict.code, Code::EndlessRetry);
        assert_eq!(verdict.document, "http://app/menu");
        let fewer = &silences[1..];
        assert!(judge(fewer, &outcome).is_none());
    }

    /// An app that counts attempts in its URLs has one defect, not one per
    /// attempt: failures are grouped by address without the query.
    #[test]
    fn addresses_are_compared_without_their_queries() {
        let app = |inputs: &[Input]| Outcome::Listening {
            identity: format!("http://app/menu?attempt={} fp", inputs.len()),
            question: keypad_question(),
            heard: Vec::new(),
            document: format!("http://app/menu?attempt={}", inputs.len()),
        };
        let options = options(5, 300, 9, 100);
        let mut play = |batch: &[Vec<Input>]| batch.iter().map(|i| app(i)).collect();
        let outcome = fuzz_live(&options, &mut play);
        let found: Vec<(Code, usize)> = outcome
            .failures
            .iter()
            .map(|f| (f.code, f.inputs.len()))
            .collect();
        assert_eq!(found, vec![(Code::EndlessRetry, SILENT_TURNS)]);
        assert_eq!(
            without_queries("HTTP 500 from http://app/x?sig=abc, again (http://app/y?n=2)"),
            "HTTP 500 from http://app/x, again (http://app/y)"
        );
    }

    /// An app that stops answering while a failure is being shrunk stops
    /// the session too, rather than shrinking against a dead app.
    #[test]
    fn an_app_gone_during_shrinking_stops_the_session() {
        let options = options(3, 200, 8, 200);
        let mut calls = 0;
        let mut play = |batch: &[Vec<Input>]| {
            calls += batch.len();
            batch
                .iter()
                .map(|inputs| {
                    if calls > BATCH {
                        Outcome::Failed {
                            message: "connection refused".to_string(),
                            unreachable: true,
                            at: String::new(),
                        }
                    } else {
                        app(inputs)
                    }
                })
                .collect()
        };
        let outcome = fuzz_live(&options, &mut play);
        assert_eq!(outcome.unreachable.as_deref(), Some("connection refused"));
        assert_eq!(outcome.runs, BATCH);
    }

    /// A stopped app stops the session at once.
    #[test]
    fn an_unreachable_app_stops_the_session() {
        let options = options(1, 500, 4, 10);
        let mut batches = 0;
        let mut play = |batch: &[Vec<Input>]| {
            batches += 1;
            batch
                .iter()
                .map(|_| Outcome::Failed {
                    message: "connection refused".to_string(),
                    unreachable: true,
                    at: String::new(),
                })
                .collect()
        };
        let outcome = fuzz_live(&options, &mut play);
        assert_eq!(outcome.unreachable.as_deref(), Some("connection refused"));
        assert_eq!(batches, 1);
        assert!(outcome.failures.is_empty());
    }
}
