//! The fuzzer as a user meets it: what it finds on fixtures, how short its
//! repros are, that they replay, and that a seed fixes the report.

use serde_json::Value;
use touchpoint::fuzz::{fuzz, reproduces, FuzzOptions};
use touchpoint::loader::load_set;

use crate::common;

fn set(name: &str) -> touchpoint::model::MenuSet {
    load_set(&common::project().join("fixtures").join(name)).unwrap()
}

fn fuzz_findings(name: &str, seed: u64) -> Vec<touchpoint::finding::Finding> {
    let options = FuzzOptions {
        seed,
        runs: 1000,
        ..FuzzOptions::default()
    };
    fuzz(&set(name), &options, &mut |_| {}).unwrap().findings
}

#[test]
fn finds_an_unhandled_silence_two_menus_deep_with_the_shortest_inputs() {
    let findings = fuzz_findings("unhandled-input", 42);
    let silence = findings
        .iter()
        .find(|f| f.code.name() == "unhandled-input")
        .expect("found");
    assert_eq!(silence.node, "billing_menu");
    // One key to reach the menu, then the silence: nothing shorter shows it.
    assert_eq!(silence.inputs, ["1", "wait"]);
    assert!(reproduces(&set("unhandled-input"), silence));
    let transcript = touchpoint::replay::replay(
        &set("unhandled-input"),
        None,
        &silence.flow,
        &touchpoint::input::Input::parse_list(&silence.inputs.join(",")).unwrap(),
        &silence.vars,
    )
    .unwrap();
    assert!(
        matches!(
            transcript.ending,
            touchpoint::replay::Ending::Dropped { .. }
        ),
        "{:?}",
        transcript.ending
    );
}

#[test]
fn finds_the_no_fit_after_hours_with_its_variables() {
    let findings = fuzz_findings("no-fit-after-hours", 42);
    let no_fit = findings
        .iter()
        .find(|f| f.code.name() == "no-fit" && f.intent.as_deref() == Some("billing_question"))
        .expect("found");
    assert_eq!(no_fit.node, "main_closed");
    assert_eq!(no_fit.vars.get("hours").map(String::as_str), Some("closed"));
    assert!(no_fit.inputs.is_empty());
}

#[test]
fn finds_a_loop_with_no_exit_and_a_misleading_option() {
    let traps = fuzz_findings("trap-menu-loop", 42);
    assert!(
        traps
            .iter()
            .any(|f| f.code.name() == "trap" && f.node == "billing_menu"),
        "{traps:?}"
    );
    let misleading = fuzz_findings("misleading-option", 42);
    let m = misleading
        .iter()
        .find(|f| f.code.name() == "misleading-option")
        .expect("found");
    assert_eq!(
        (m.node.as_str(), m.inputs.as_slice()),
        ("main_menu", ["1".to_string()].as_slice())
    );
}

#[test]
fn every_fuzz_finding_on_every_fixture_replays() {
    let root = common::project().join("fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // Sets that load: a fixture with an expected.json that is not a load error.
        .filter(|n| !n.starts_with("load-") && root.join(n).join("expected.json").is_file())
        .collect();
    names.sort();
    for name in names {
        let set = set(&name);
        for finding in fuzz_findings(&name, 7) {
            assert!(reproduces(&set, &finding), "{name}: {finding:?}");
        }
    }
}

#[test]
fn the_bundled_set_survives_many_seeds() {
    let menus = load_set(&common::project().join("menus")).unwrap();
    for seed in 0..8 {
        let options = FuzzOptions {
            seed,
            runs: 1500,
            ..FuzzOptions::default()
        };
        let outcome = fuzz(&menus, &options, &mut |_| {}).unwrap();
        assert!(
            outcome.findings.is_empty(),
            "seed {seed}: {:?}",
            outcome.findings
        );
        assert!(
            outcome.summary.edges_covered * 10 >= outcome.summary.edges * 9,
            "{:?}",
            outcome.summary
        );
    }
}

fn fuzz_json(args: &[&str]) -> (i32, String) {
    let mut all = vec!["fuzz", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, _) = common::touchpoint(&all);
    (code, stdout)
}

#[test]
fn one_seed_gives_one_report() {
    let (code, a) = fuzz_json(&["fixtures/unhandled-input", "--seed", "9", "--runs", "400"]);
    let (_, b) = fuzz_json(&["fixtures/unhandled-input", "--seed", "9", "--runs", "400"]);
    assert_eq!(code, 1);
    assert_eq!(a, b);
    let report: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(report["seed"], 9);
    assert_eq!(report["fuzz"]["runs"], 400);
    assert_eq!(report["findings"][0]["source"], "fuzz");
}

#[test]
fn a_time_budget_ends_the_run() {
    let (code, text) = fuzz_json(&["menus", "--time", "200ms"]);
    assert_eq!(code, 0, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert!(report["fuzz"]["runs"].as_u64().unwrap() > 0);
    let (code, _) = fuzz_json(&["menus", "--time", "soon"]);
    assert_eq!(code, 2);
}

/// The node after a handler's last retry ("Goodbye" after three silences)
/// is reached only by the same input several times running; customers
/// part-way through retries keep at it, so the fuzzer reaches it whatever
/// the seed.
#[test]
fn the_fuzzer_reaches_what_follows_the_last_retry() {
    for seed in ["1", "2", "3", "4", "5"] {
        let (_, stdout, stderr) = common::touchpoint(&[
            "fuzz",
            "fixtures/diff/v2",
            "--seed",
            seed,
            "--runs",
            "300",
            "--format",
            "json",
        ]);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
        let uncovered = &report["coverage"]["flows"][0]["uncovered"];
        assert_eq!(uncovered, &serde_json::json!(["advisors"]), "seed {seed}");
    }
}

/// After hours the billing menu offers only its fallback, which ends with
/// "call back during opening hours". A customer who wants to pay picks
/// "Billing" (which fits) and then the fallback (nothing else is there):
/// that fallback claims nothing, so it misleads nobody, and "Billing",
/// which leads to the payment line in opening hours, is not to blame.
#[test]
fn a_fallback_to_a_deliberate_end_is_not_a_misleading_option() {
    for seed in [7, 42] {
        let findings = fuzz_findings("fallback-after-hours", seed);
        assert!(
            findings
                .iter()
                .all(|f| f.code.name() != "misleading-option"),
            "seed {seed}: {findings:?}"
        );
    }
}

/// Silence at an `ask` of a called flow is one defect: `check` reports it
/// once, in the called flow with inputs from its start (and the values the
/// caller set, where they matter), although the walk meets it in `verify`
/// and the fuzzer's customers through `main`. The summary, SARIF and the
/// fuzz summary count it once.
#[test]
fn check_reports_a_defect_in_a_called_flow_once() {
    for (name, node, vars) in [
        (
            "unhandled-input-in-called-flow",
            "account_number",
            serde_json::json!({}),
        ),
        (
            "unhandled-input-in-called-flow-after-set",
            "business_number",
            serde_json::json!({"account": "business"}),
        ),
    ] {
        let set = format!("fixtures/{name}");
        let (code, stdout, stderr) = common::touchpoint(&["check", &set, "--format", "json"]);
        assert_eq!(code, 1, "{stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{name}: {findings:#?}");
        assert_eq!(findings[0]["code"], "unhandled-input");
        assert_eq!(findings[0]["flow"], "verify");
        assert_eq!(findings[0]["node"], node);
        assert_eq!(findings[0]["inputs"], serde_json::json!(["wait"]));
        assert_eq!(findings[0]["vars"], vars);
        assert_eq!(report["summary"]["errors"], 1);
        assert_eq!(report["fuzz"]["failures"], 0);
        let (_, sarif, _) = common::touchpoint(&["check", &set, "--format", "sarif"]);
        let sarif: Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    }
}

/// The fuzzer on its own reports a defect of a called flow the way the
/// walk does: in that flow, from its start, replayable there, and once
/// whichever caller's customers met it.
#[test]
fn the_fuzzer_reports_a_called_flows_defect_in_that_flow() {
    for (name, node, vars) in [
        ("unhandled-input-in-called-flow", "account_number", vec![]),
        (
            "unhandled-input-in-called-flow-after-set",
            "business_number",
            vec![("account", "business")],
        ),
    ] {
        let loaded = set(name);
        for seed in [42, 7, 1] {
            let findings = fuzz_findings(name, seed);
            let silences: Vec<_> = findings
                .iter()
                .filter(|f| f.code.name() == "unhandled-input")
                .collect();
            assert_eq!(silences.len(), 1, "{name}, seed {seed}: {findings:#?}");
            let silence = silences[0];
            assert_eq!(
                (silence.flow.as_str(), silence.node.as_str()),
                ("verify", node)
            );
            assert_eq!(silence.inputs, ["wait"]);
            let want: std::collections::BTreeMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(silence.vars, want);
            assert!(reproduces(&loaded, silence));
        }
    }
}

/// `check` judges a called flow only in the values its callers enter it
/// with, and the fuzzer's customers, who meet its defects through those
/// callers, add nothing the walk did not report: no dead end for a value no
/// caller brings, the one a caller does bring once (in the called flow,
/// with that value), and a defect every caller meets with no variables.
#[test]
fn check_judges_a_called_flow_in_the_values_its_callers_bring() {
    for (name, expected) in [
        ("no-dead-end-in-called-flow-when-closed", None),
        ("no-dead-end-in-called-flow-after-set", None),
        (
            "dead-end-in-called-flow-entry-values",
            Some((
                "dead-end",
                "upgrade_offer",
                "choose_offer",
                serde_json::json!([]),
                serde_json::json!({"plan": "premium"}),
            )),
        ),
        (
            "unhandled-input-in-called-flow-when-open",
            Some((
                "unhandled-input",
                "callback_offer",
                "phone_number",
                serde_json::json!(["wait"]),
                serde_json::json!({}),
            )),
        ),
    ] {
        let set = format!("fixtures/{name}");
        let (code, stdout, stderr) = common::touchpoint(&["check", &set, "--format", "json"]);
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(report["fuzz"]["failures"], 0, "{name}: {findings:#?}");
        match expected {
            None => {
                assert_eq!(code, 0, "{name}: {stderr}");
                assert!(findings.is_empty(), "{name}: {findings:#?}");
            }
            Some((finding_code, flow, node, inputs, vars)) => {
                assert_eq!(code, 1, "{name}: {stderr}");
                assert_eq!(findings.len(), 1, "{name}: {findings:#?}");
                assert_eq!(findings[0]["code"], finding_code);
                assert_eq!(findings[0]["flow"], flow);
                assert_eq!(findings[0]["node"], node);
                assert_eq!(findings[0]["inputs"], inputs);
                assert_eq!(findings[0]["vars"], vars);
            }
        }
    }
}

/// A dead end that a called flow's switch meets straight after the call,
/// before anything waits in the flow, is the called flow's own: the fuzzer
/// reports it there, from its start with no input and the value the caller
/// entered it with, as the walk does (and `check` counts it once).
#[test]
fn the_fuzzer_reports_a_dead_end_met_straight_after_a_call_in_the_called_flow() {
    let name = "dead-end-in-called-flow-entry-values";
    let loaded = set(name);
    for seed in [42, 7, 1] {
        let findings = fuzz_findings(name, seed);
        assert_eq!(findings.len(), 1, "seed {seed}: {findings:#?}");
        let dead_end = &findings[0];
        assert_eq!(
            (
                dead_end.code.name(),
                dead_end.flow.as_str(),
                dead_end.node.as_str()
            ),
            ("dead-end", "upgrade_offer", "choose_offer")
        );
        assert!(dead_end.inputs.is_empty(), "{dead_end:#?}");
        let want: std::collections::BTreeMap<String, String> =
            [("plan".to_string(), "premium".to_string())].into();
        assert_eq!(dead_end.vars, want);
        assert!(reproduces(&loaded, dead_end));
    }
}

/// `move_house` lists phone and web. In the app nothing is judged against
/// it: its "Moving house" button that sends customers to the website is no
/// misleading option, the fuzzer never draws an app customer who wants it,
/// and the intents list has no app entry for it rather than `never`.
#[test]
fn an_intent_is_judged_only_on_the_channels_it_lists() {
    let name = "intent-not-listed-for-app";
    let about_moving_in_the_app = |f: &touchpoint::finding::Finding| {
        f.channel == touchpoint::model::Channel::App && f.intent.as_deref() == Some("move_house")
    };
    for seed in 0..10 {
        let findings = fuzz_findings(name, seed);
        assert!(
            !findings.iter().any(about_moving_in_the_app),
            "seed {seed}: {findings:#?}"
        );
    }
    let (_, stdout, stderr) =
        common::touchpoint(&["check", &format!("fixtures/{name}"), "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let findings: Vec<touchpoint::finding::Finding> =
        serde_json::from_value(report["findings"].clone()).unwrap();
    assert!(
        !findings.iter().any(about_moving_in_the_app),
        "{findings:#?}"
    );
    let entries: Vec<(String, String, String)> = report["intents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["channel"].as_str().unwrap().to_string(),
                i["intent"].as_str().unwrap().to_string(),
                i["served"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let entry = |channel: &str, intent: &str| {
        entries
            .iter()
            .find(|(c, i, _)| c == channel && i == intent)
            .map(|(_, _, served)| served.as_str())
    };
    assert_eq!(entry("phone", "move_house"), Some("always"));
    assert_eq!(entry("web", "move_house"), Some("always"));
    assert_eq!(entry("app", "pay_bill"), Some("always"));
    assert_eq!(entry("app", "move_house"), None, "{entries:?}");
    let (_, human, _) = common::touchpoint(&["check", &format!("fixtures/{name}")]);
    assert!(!human.contains("never"), "{human}");
}

/// Key 1 ("new ID card") leads to a card in the mail when the ID lookup
/// finds the member; a failed lookup after hours ends at the closing
/// message. The fuzzer meets that ending, but key 1 is not misleading by
/// the rule lint applies (what follows it serves id_card under some
/// values), so no seed reports it, and `check --deny warnings` passes on a
/// set lint calls clean.
#[test]
fn an_intent_served_only_under_some_values_is_no_misleading_option() {
    for seed in 0..8 {
        let findings = fuzz_findings("misleading-option-served-sometimes", seed);
        assert!(findings.is_empty(), "seed {seed}: {findings:?}");
    }
    for seed in ["1", "2", "3", "42"] {
        let (code, _, stderr) = common::touchpoint(&[
            "check",
            "fixtures/misleading-option-served-sometimes",
            "--seed",
            seed,
            "--deny",
            "warnings",
        ]);
        assert_eq!(code, 0, "seed {seed}: {stderr}");
    }
}

/// The fuzzer's misleading option is lint's: the same option, position and
/// message, so `check` reports it once.
#[test]
fn the_fuzzers_misleading_option_points_at_the_option_as_lint_does() {
    let (_, lint, _) =
        common::touchpoint(&["lint", "fixtures/misleading-option", "--format", "json"]);
    let lint: Value = serde_json::from_str(&lint).unwrap();
    let lint = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "misleading-option")
        .expect("lint finds it")
        .clone();
    let fuzzed = fuzz_findings("misleading-option", 42);
    let fuzzed = fuzzed
        .iter()
        .find(|f| f.code.name() == "misleading-option")
        .expect("the fuzzer finds it");
    assert_eq!(
        (
            fuzzed.file.as_str(),
            fuzzed.line as u64,
            fuzzed.column as u64,
            fuzzed.message.as_str()
        ),
        (
            lint["file"].as_str().unwrap(),
            lint["line"].as_u64().unwrap(),
            lint["column"].as_u64().unwrap(),
            lint["message"].as_str().unwrap()
        )
    );
    let (_, check, _) =
        common::touchpoint(&["check", "fixtures/misleading-option", "--format", "json"]);
    let check: Value = serde_json::from_str(&check).unwrap();
    let misleading = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "misleading-option")
        .count();
    assert_eq!(misleading, 1, "{check:#}");
}

/// The login page leads back home without logging in: a member who keeps
/// choosing what fits goes round and round. Lint finds it for each intent
/// that meets it, so `check` reports the same findings with every seed,
/// and the fuzzer on its own reports nothing lint does not.
#[test]
fn a_goal_directed_loop_is_reported_whatever_the_seed() {
    let set = "fixtures/trap-goal-loop";
    let (code, lint, stderr) = common::touchpoint(&["lint", set, "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let lint: Value = serde_json::from_str(&lint).unwrap();
    let loops = |report: &Value| -> Vec<(String, String, String, Value)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["node"].as_str().unwrap().to_string(),
                    f["intent"].as_str().unwrap_or("").to_string(),
                    f["inputs"].clone(),
                )
            })
            .collect()
    };
    let expected = loops(&lint);
    assert_eq!(
        expected
            .iter()
            .map(|(code, node, intent, _)| format!("{code} {node} {intent}"))
            .collect::<Vec<_>>(),
        ["trap login claim_status", "trap login id_card"]
    );
    for seed in ["0", "1", "2", "3", "4", "5", "42"] {
        let (code, check, stderr) =
            common::touchpoint(&["check", set, "--seed", seed, "--format", "json"]);
        assert_eq!(code, 1, "seed {seed}: {stderr}");
        let check: Value = serde_json::from_str(&check).unwrap();
        assert_eq!(loops(&check), expected, "seed {seed}");
    }
    for seed in 0..8 {
        for finding in fuzz_findings("trap-goal-loop", seed) {
            let found = (
                finding.code.name().to_string(),
                finding.node.clone(),
                finding.intent.clone().unwrap_or_default(),
                serde_json::json!(finding.inputs),
            );
            assert!(expected.contains(&found), "seed {seed}: {finding:?}");
        }
    }
}

/// A customer who takes the first option that fits comes back to the
/// menu, but the second option that fits serves them: no seed reports a
/// loop, as lint reports none.
#[test]
fn coming_back_is_no_loop_when_another_option_that_fits_leads_out() {
    for seed in 0..8 {
        let findings = fuzz_findings("no-trap-goal-loop-other-fit", seed);
        assert!(findings.is_empty(), "seed {seed}: {findings:?}");
    }
}

/// A defect that was there before is no regression: adding an intent that
/// has nothing to do with the loop leaves `diff` with nothing new, whatever
/// the seed.
#[test]
fn diff_does_not_blame_a_new_intent_for_an_old_goal_directed_loop() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new");
    common::copy_dir(&common::project().join("fixtures/trap-goal-loop"), &new);
    let intents = new.join("intents.yaml");
    let mut text = std::fs::read_to_string(&intents).unwrap();
    text.push_str("  dental:\n    says: [\"dental\"]\n    channels: [web]\n");
    std::fs::write(&intents, text).unwrap();
    for seed in ["1", "2", "3", "4", "42"] {
        let (code, stdout, stderr) = common::touchpoint(&[
            "diff",
            "fixtures/trap-goal-loop",
            new.to_str().unwrap(),
            "--seed",
            seed,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "seed {seed}: {stdout}\n{stderr}");
    }
}

/// An app whose loop is only closed once a `set` on the way has changed a
/// value: the first visit to `round_screen` (with `known` still true) is a
/// dead end, the later ones go round forever.
const TRAP_AFTER_A_SET: &str = "flow: screens\nchannel: app\nstart: home\nvars:\n  known: bool\nnodes:\n  home:\n    menu: Home\n    options:\n      - { label: Go, goto: round_screen }\n  round_screen:\n    menu: Round\n    no_input: { retries: 0, then: forget }\n    options:\n      - { label: Again, when: not known, goto: round_screen }\n  forget:\n    set: { known: false }\n    next: home\n";

/// A trap's inputs lead to where the customer went round with the values
/// they went round with, not to the first visit of its node under other
/// values: cut at the first visit, the inputs replayed to a dead end, and
/// the failure was left out as "did not reproduce".
#[test]
fn a_trap_found_after_a_set_replays_to_the_loop() {
    use touchpoint::fuzz::{judge, Customer, Limits};
    use touchpoint::machine::{Machine, Rules};
    let set = touchpoint::loader::load_text("screens.yaml", TRAP_AFTER_A_SET).unwrap();
    let graph = touchpoint::graph::compile(&set, touchpoint::model::Channel::App).unwrap();
    let mut machine = Machine::new(
        &graph,
        Rules {
            call_depth: 8,
            standalone: false,
        },
    );
    let customer = Customer {
        intent: None,
        aimless: true,
        words: "",
        world: 0,
        flow: 0,
    };
    // Go, then idle on the dead-end screen (which forgets), then the
    // goal-directed move ever after: Go, Again, Again, ...
    let failure = judge(
        &mut machine,
        &customer,
        graph.worlds[0],
        &[0, 1],
        &Limits { max_steps: 64 },
    )
    .expect_err("the customer goes round");
    assert_eq!(failure.code.name(), "trap");
    assert_eq!(graph.node_id(failure.node), "round_screen");
    // Go, idle, Go: the second arrival, with `known` false.
    assert_eq!(failure.choices.len(), 3, "{failure:?}");

    let options = FuzzOptions {
        seed: 7,
        runs: 400,
        ..FuzzOptions::default()
    };
    let outcome = fuzz(&set, &options, &mut |_| {}).unwrap();
    assert!(outcome.notes.is_empty(), "{:?}", outcome.notes);
    let trap = outcome
        .findings
        .iter()
        .find(|f| f.code.name() == "trap" && f.node == "round_screen")
        .expect("the fuzzer finds the loop");
    assert!(reproduces(&set, trap), "{trap:?}");
}

/// Fuzz batches depend on nothing but the seed and their number: the steps
/// the customers of two shards take add up to those of the unsharded run.
/// The start of a flow is settled once per session and reused; the nodes on
/// the way there must count as reached in every batch all the same, or a
/// batch run after another (unsharded) is guided differently from the same
/// batch run first (in a shard): here the silence handler's way on is the
/// welcome on the way to the start menu.
#[test]
fn the_steps_of_shards_add_up_to_the_unsharded_run() {
    let text = "flow: main\nchannel: phone\nstart: welcome\nnodes:\n  welcome:\n    say: Welcome.\n    next: menu\n  menu:\n    menu: For billing press 1.\n    no_input: { retries: 2, then: welcome }\n    no_match: { retries: 1, then: welcome }\n    options:\n      - { key: 1, goto: billing }\n  billing:\n    menu: To pay press 1.\n    no_input: { retries: 1, then: menu }\n    options:\n      - { key: 1, goto: paid }\n  paid:\n    end: Paid.\n";
    let set = touchpoint::loader::load_text("main.yaml", text).unwrap();
    for seed in 0..8 {
        let run = |shard| {
            let options = FuzzOptions {
                seed,
                runs: 128 * 4,
                shard,
                ..FuzzOptions::default()
            };
            fuzz(&set, &options, &mut |_| {}).unwrap().summary
        };
        let whole = run(None);
        let shards: Vec<_> = (1..=4).map(|k| run(Some((k, 4)))).collect();
        assert_eq!(
            shards.iter().map(|s| s.steps).sum::<usize>(),
            whole.steps,
            "seed {seed}"
        );
        assert_eq!(shards.iter().map(|s| s.runs).sum::<usize>(), whole.runs);
    }
}

/// A customer who goes round through a page that is a dead end under their
/// values (`fixtures/trap-behind-dead-end-page`: `n0` offers nothing when
/// `known`, and its `back` leads into pages that only lead round to it) is
/// shown the loop from the first page in it where they can choose: inputs
/// that end on the dead-end page replay as that dead end, so the failure
/// was left out with a "did not reproduce" note.
#[test]
fn a_loop_through_a_dead_end_page_replays_to_the_loop() {
    let set = set("trap-behind-dead-end-page");
    let mut traps = 0;
    for seed in 1..=5 {
        let options = FuzzOptions {
            seed,
            runs: 1000,
            ..FuzzOptions::default()
        };
        let outcome = fuzz(&set, &options, &mut |_| {}).unwrap();
        assert!(outcome.notes.is_empty(), "seed {seed}: {:?}", outcome.notes);
        for finding in &outcome.findings {
            assert!(reproduces(&set, finding), "seed {seed}: {finding:?}");
            if finding.code.name() == "trap" {
                assert_ne!(finding.node, "n0", "seed {seed}: {finding:?}");
                traps += 1;
            }
        }
    }
    assert!(traps > 0, "the fuzzer finds the loop");
}
