//! Personas end to end: every outcome and trait on a fixture, failures
//! with their transcripts, the JSON fields, matrices, golden transcripts and
//! persona mistakes as load errors.

use crate::common;

use common::{copy_dir, project, touchpoint};

use serde_json::Value;

#[test]
fn every_outcome_and_trait_ends_as_the_fixture_says() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(project().join("fixtures/personas-outcomes/personas.json"))
            .unwrap(),
    )
    .unwrap();
    let (code, stdout, stderr) =
        touchpoint(&["personas", "fixtures/personas-outcomes", "--format", "json"]);
    assert_eq!(code, expected["exit"].as_i64().unwrap() as i32, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let results = report["personas"].as_array().unwrap();
    let wanted = expected["personas"].as_object().unwrap();
    assert_eq!(results.len(), wanted.len());
    let outcomes: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    for outcome in [
        "served",
        "transferred",
        "misrouted",
        "hung-up",
        "abandoned",
        "stuck",
    ] {
        assert!(outcomes.contains(outcome), "no persona ends {outcome}");
    }
    for result in results {
        let name = result["persona"].as_str().unwrap();
        let want = &wanted[name];
        for field in ["outcome", "node", "passed", "inputs"] {
            if let Some(value) = want.get(field) {
                assert_eq!(&result[field], value, "{name}: {field}\n{result:#}");
            }
        }
    }
}

#[test]
fn the_json_report_carries_every_persona_field() {
    let (_, stdout, _) =
        touchpoint(&["personas", "fixtures/personas-outcomes", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let first = &report["personas"][0];
    for field in [
        "persona",
        "passed",
        "outcome",
        "node",
        "steps",
        "seconds",
        "retries",
        "transcript",
        "channel",
        "flow",
        "vars",
        "menus",
        "inputs",
        "failures",
    ] {
        assert!(first.get(field).is_some(), "missing {field}: {first:#}");
    }
    assert_eq!(report["summary"]["personas_passed"], 10);
    assert_eq!(report["summary"]["personas_failed"], 0);
    // Seconds follow docs/format.md's time model: 150 words a minute, 0.5 s
    // per option read out, 2 s per answer, 5 s per silence. "never-answers"
    // hears the 20-word menu with its 4 announced options (the hidden 0 is
    // not read out) three times and waits three times, then the 8-word
    // goodbye.
    let silent = report["personas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["persona"] == "never-answers")
        .unwrap();
    let words = 20.0 * 3.0 + 8.0;
    assert_eq!(
        silent["seconds"].as_f64().unwrap(),
        ((words * 0.4 + 3.0 * 4.0 * 0.5 + 15.0) * 10.0_f64).round() / 10.0
    );
}

#[test]
fn a_failing_persona_exits_one_and_shows_its_transcript() {
    let (code, stdout, _) = touchpoint(&["personas", "fixtures/personas-failing"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("FAIL  night-nurse"), "{stdout}");
    assert!(
        stdout.contains("expected outcome served, got stuck at `main_closed`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[main_closed] hears: Our offices are closed."),
        "{stdout}"
    );
    assert!(stdout.contains("persona-failed"), "{stdout}");
    let (_, json, _) = touchpoint(&["personas", "fixtures/personas-failing", "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "persona-failed");
    assert_eq!(
        (finding["file"].as_str(), finding["line"].as_u64()),
        (Some("personas/night-nurse.yaml"), Some(7))
    );
}

#[test]
fn one_persona_can_be_picked_and_unknown_names_are_refused() {
    let (code, stdout, _) = touchpoint(&[
        "personas",
        "fixtures/personas-failing",
        "--persona",
        "day-caller",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("night-nurse"));
    let (code, _, stderr) = touchpoint(&[
        "personas",
        "fixtures/personas-failing",
        "--persona",
        "nobody",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no persona `nobody`"), "{stderr}");
}

#[test]
fn the_bundled_personas_pass_on_every_channel() {
    let (code, stdout, stderr) = touchpoint(&["personas", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let channels: std::collections::BTreeSet<&str> = report["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels.len(), 3, "{channels:?}");
    assert!(report["personas"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["passed"] == true));
}

/// The bundled personas are the example of a suite worth having: they must
/// keep catching at least nine in ten of the realistic mistakes `mutate`
/// seeds (issue 16), so a persona removed or loosened shows up here. No
/// mutant may be left undecided, which would hide a survivor in the count.
#[test]
fn the_bundled_personas_catch_nine_in_ten_mutants() {
    let (code, stdout, stderr) =
        touchpoint(&["mutate", "menus", "--min-score", "90%", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let score = report["score"].as_f64().unwrap();
    assert!(score >= 0.9, "score {score}");
    let undecided: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "undecided")
        .collect();
    assert!(undecided.is_empty(), "{undecided:?}");
    for flow in report["by_flow"].as_array().unwrap() {
        let flow_score = flow["score"].as_f64().unwrap();
        assert!(flow_score >= 0.9, "{flow}");
    }
}

#[test]
fn golden_transcripts_report_what_the_customer_now_hears() {
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set");
    copy_dir(&project().join("fixtures/personas-failing"), &set);
    let golden = work.path().join("golden");
    let set_arg = set.to_str().unwrap();
    let golden_arg = golden.to_str().unwrap();
    touchpoint(&["personas", set_arg, "--save-transcripts", golden_arg]);
    assert!(golden.join("day-caller.txt").is_file());
    let (_, stdout, _) = touchpoint(&[
        "personas",
        set_arg,
        "--transcripts",
        golden_arg,
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report.get("transcripts_changed").is_none(), "{report:#}");
    // Reword the daytime prompt: the day caller now hears something else.
    let flow = set.join("main.yaml");
    let text = std::fs::read_to_string(&flow).unwrap().replace(
        "To report an outage, press 1.",
        "To report a power outage, press 1.",
    );
    std::fs::write(&flow, text).unwrap();
    let (_, stdout, _) = touchpoint(&["personas", set_arg, "--transcripts", golden_arg]);
    assert!(
        stdout.contains("transcript changed: day-caller"),
        "{stdout}"
    );
    assert!(
        stdout.contains("To report [-an-]{+a power+} outage, press 1."),
        "{stdout}"
    );
}

/// `--accept` after a deliberate prompt change: the report shows the word
/// diff of each changed transcript, then the changed and new transcripts
/// are rewritten and named, one of a persona no longer in the set is left
/// alone but named, and the next comparison finds no change. Accepting
/// never hides a failed persona: the exit code is the run's.
#[test]
fn accept_rewrites_the_changed_transcripts_after_showing_their_diff() {
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set");
    copy_dir(&project().join("menus"), &set);
    let golden = work.path().join("golden");
    let set_arg = set.to_str().unwrap();
    let golden_arg = golden.to_str().unwrap();
    let (code, _, stderr) = touchpoint(&["personas", set_arg, "--save-transcripts", golden_arg]);
    assert_eq!(code, 0, "{stderr}");
    let changed = golden.join("bakery-owner-pays-bill.txt");
    let new = golden.join("resident-wants-a-person.txt");
    let retired = golden.join("retired-persona.txt");
    std::fs::remove_file(&new).unwrap();
    std::fs::write(&retired, "kept as it was\n").unwrap();
    let before = std::fs::read_to_string(&changed).unwrap();

    // A deliberate change that no persona's `hear` checks.
    let flow = set.join("phone/main.yaml");
    let text = std::fs::read_to_string(&flow).unwrap();
    let reworded = text.replacen(
        "or a recent\n      charge,",
        "or a recent\n      payment,",
        1,
    );
    assert_ne!(text, reworded, "the prompt to change is gone");
    std::fs::write(&flow, reworded).unwrap();
    let diff = "or a recent [-charge,-]{+payment,+} press 2.";

    let (code, stdout, stderr) = touchpoint(&["personas", set_arg, "--transcripts", golden_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("transcript changed: bakery-owner-pays-bill"),
        "{stdout}"
    );
    assert!(stdout.contains(diff), "{stdout}");
    assert!(
        stdout.contains("transcript changed: resident-wants-a-person"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&changed).unwrap(),
        before,
        "--transcripts alone wrote"
    );
    assert!(!new.exists(), "--transcripts alone wrote");

    let (code, stdout, stderr) =
        touchpoint(&["personas", set_arg, "--transcripts", golden_arg, "--accept"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(diff), "the diff is shown first: {stdout}");
    let after = std::fs::read_to_string(&changed).unwrap();
    assert_eq!(after, before.replace("recent charge,", "recent payment,"));
    assert!(new.is_file(), "a new transcript is written");
    assert_eq!(
        std::fs::read_to_string(&retired).unwrap(),
        "kept as it was\n"
    );
    let said = |file: &std::path::Path| file.display().to_string();
    assert!(
        stderr.contains(&format!("accept: wrote {}\n", said(&changed))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("accept: wrote {}\n", said(&new))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "accept: left alone {}: no persona of the set has this transcript",
            said(&retired)
        )),
        "{stderr}"
    );
    // Exactly the phone journeys through the billing menu are rewritten,
    // with the new one: naming them shows which persona an unexpected
    // rewrite came from.
    let mut written: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("accept: wrote "))
        .filter_map(|file| std::path::Path::new(file).file_stem()?.to_str())
        .collect();
    written.sort_unstable();
    assert_eq!(
        written,
        [
            "bakery-owner-pays-bill",
            "caller-looking-for-their-pin-letter",
            "night-caller-asks-for-more-time-to-pay",
            "night-owl-pays-bill-by-phone",
            "pays-bill-on-every-channel@business-phone-after-hours",
            "pays-bill-on-every-channel@resident-phone",
            "property-manager-disputes-a-charge-with-a-person",
            "resident-asks-about-balance-before-paying",
            "resident-hunts-for-account-number",
            "resident-pays-with-a-new-card",
            "resident-questions-a-high-bill",
            "resident-wants-a-person",
            "tenant-cannot-verify-the-account",
        ],
        "the new one, and the phone personas that hear the billing menu: {stderr}"
    );

    let (code, stdout, stderr) = touchpoint(&["personas", set_arg, "--transcripts", golden_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("transcript changed"), "{stdout}");

    // A change that fails a persona's `hear`: accepted, and still a failure.
    let text = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        text.replacen("To pay your bill, press 1.", "To pay, press 1.", 1),
    )
    .unwrap();
    let (code, stdout, stderr) =
        touchpoint(&["personas", set_arg, "--transcripts", golden_arg, "--accept"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("expected to hear /To pay your bill, press 1/"),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("accept: wrote {}\n", said(&changed))),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&changed)
        .unwrap()
        .contains("To pay, press 1."));

    // --accept has nothing to rewrite without the folder of saved ones.
    let (code, _, stderr) = touchpoint(&["personas", set_arg, "--accept"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--transcripts <DIR>"), "{stderr}");
}

#[test]
fn a_matrix_runs_one_customer_as_several() {
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set");
    copy_dir(&project().join("fixtures/personas-failing"), &set);
    std::fs::write(
        set.join("personas/outage-matrix.yaml"),
        "persona: outage-reporter\nchannel: phone\nintent: report_outage\nmatrix:\n  - { name: day, vars: { hours: open } }\n  - { name: night, vars: { hours: closed } }\nexpect: { outcome: served }\n",
    )
    .unwrap();
    let (code, stdout, _) = touchpoint(&[
        "personas",
        set.to_str().unwrap(),
        "--persona",
        "outage-reporter",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let runs = report["personas"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0]["variant"].as_str(), runs[0]["passed"].as_bool()),
        (Some("day"), Some(true))
    );
    assert_eq!(
        (runs[1]["variant"].as_str(), runs[1]["outcome"].as_str()),
        (Some("night"), Some("stuck"))
    );
    let suite = &report["persona_suites"][0];
    assert_eq!(
        (suite["runs"].as_u64(), suite["containment"].as_f64()),
        (Some(2), Some(0.5))
    );
}

#[test]
fn persona_mistakes_are_load_errors_with_positions() {
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set");
    copy_dir(&project().join("fixtures/personas-failing"), &set);
    std::fs::write(
        set.join("personas/broken.yaml"),
        "persona: broken\nchannel: phone\nflow: mian\nintent: report_outage\nmatrix:\n  - { vars: { hours: lunch } }\nscript:\n  - click: Pay\nexpect: { node: nowhere }\n",
    )
    .unwrap();
    let (code, _, stderr) = touchpoint(&["personas", set.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    for needle in [
        "personas/broken.yaml:3:7: persona `broken` names flow `mian`",
        "personas/broken.yaml:6:22: `lunch` is not a value of `hours`",
        "personas/broken.yaml:8:5: `click` does not apply on a phone flow",
        "personas/broken.yaml:9:17: expected node `nowhere` is in no phone flow",
    ] {
        assert!(stderr.contains(needle), "missing `{needle}` in\n{stderr}");
    }
}

#[test]
fn steps_after_the_end_fail_and_patience_ends_only_while_waiting() {
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set");
    copy_dir(&project().join("fixtures/personas-failing"), &set);
    // The journey ends at the first key press; the rest of the script is
    // never heard or given, which the persona must learn about.
    std::fs::write(
        set.join("personas/day-caller.yaml"),
        "persona: day-caller\nchannel: phone\nvars: { hours: open }\nintent: report_outage\nscript:\n  - press: \"1\"\n  - hear: \"never spoken\"\n  - press: \"5\"\nexpect: { outcome: served }\n",
    )
    .unwrap();
    // Silence at the closed menu goes to the goodbye hangup after retries;
    // an impatient caller gives up at the first retry while still waiting.
    std::fs::write(
        set.join("personas/night-caller.yaml"),
        "persona: night-caller\nchannel: phone\nvars: { hours: closed }\ntraits: [impatient]\nscript:\n  - wait: true\nexpect: { outcome: abandoned, node: main_closed }\n",
    )
    .unwrap();
    let (_, stdout, stderr) = touchpoint(&["personas", set.to_str().unwrap(), "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let run = |name: &str| {
        report["personas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["persona"] == name)
            .unwrap()
            .clone()
    };
    let day = run("day-caller");
    assert_eq!(day["passed"], false, "{day:#}");
    let failures = day["failures"].to_string();
    assert!(
        failures.contains("expected to hear /never spoken/"),
        "{failures}"
    );
    assert!(
        failures.contains("script step 3 (`5`) was never given"),
        "{failures}"
    );
    let night = run("night-caller");
    assert_eq!(
        (night["outcome"].as_str(), night["passed"].as_bool()),
        (Some("abandoned"), Some(true)),
        "{night:#}"
    );
}

/// A fumbling web customer now and then clicks the label beside the one
/// they meant, or back: over twenty seeds the journeys differ, each seed's
/// journey is the same on every run, its inputs replay to where it ended,
/// and no slip reaches further than a neighbour ("Contact us" is two places
/// from "Report an outage" and is never clicked).
#[test]
fn a_fumbling_web_customer_slips_beside_the_mark_as_the_seed_says() {
    use touchpoint::input::Input;
    use touchpoint::replay::{replay, Ending};
    let set =
        touchpoint::loader::load_set(&project().join("fixtures/personas-fumbling-web")).unwrap();
    let mut journeys = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let run = || {
            touchpoint::personas::run_personas(&set, seed, None, None)
                .unwrap()
                .results
        };
        let results = run();
        assert_eq!(results, run(), "seed {seed}");
        let journey = &results[0];
        assert!(
            !journey.inputs.iter().any(|i| i == "click:Contact us"),
            "seed {seed}: {:?}",
            journey.inputs
        );
        let inputs: Vec<Input> = journey
            .inputs
            .iter()
            .map(|i| Input::parse(i).unwrap())
            .collect();
        let transcript = replay(
            &set,
            Some(journey.channel),
            &journey.flow,
            &inputs,
            &journey.vars,
        )
        .unwrap();
        assert!(
            matches!(&transcript.ending, Ending::Terminal { node, .. } if *node == journey.node),
            "seed {seed}: {:?} ended {:?}",
            journey.inputs,
            transcript.ending
        );
        journeys.insert(journey.inputs.clone());
    }
    assert!(journeys.len() > 1, "every seed: {journeys:?}");
}

/// Silence costs the step's `timeout`, else `timing.no_input_seconds`:
/// fixtures/timing-no-input/main.yaml does the sum by hand.
#[test]
fn silence_costs_the_timeout_or_the_settings_no_input_seconds() {
    let (code, stdout, stderr) =
        touchpoint(&["personas", "fixtures/timing-no-input", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let run = &report["personas"][0];
    assert_eq!(run["outcome"], "hung-up", "{run:#}");
    // Twice the menu (5 words, 1 option) and 7 s of silence, then the last
    // chance (8 words, 1 option) and its own 3 s, then "Goodbye."
    let menu = 5.0 * 0.4 + 0.5;
    let last_chance = 8.0 * 0.4 + 0.5;
    let expected = 2.0 * (menu + 7.0) + last_chance + 3.0 + 0.4;
    assert_eq!(
        run["seconds"].as_f64().unwrap(),
        (expected * 10.0_f64).round() / 10.0
    );
}
