//! `replay --save-persona`: a recorded persona plays the replayed journey
//! again, passes at once with the outcome the replay ended in, and fails
//! when a prompt it heard changes.

use std::path::Path;

use crate::common::{copy_dir, project, touchpoint};

/// Records the replay of `inputs` (with `vars`) from `flow` of the set in
/// `set` as persona `name` into the set, and returns the persona file.
fn record(set: &Path, name: &str, flow: &str, vars: &[&str], inputs: &str) -> String {
    let file = set.join(format!("{name}.yaml"));
    let set_arg = set.to_str().unwrap();
    let file_arg = file.to_str().unwrap();
    let mut args = vec!["replay", set_arg, "--flow", flow, "--inputs", inputs];
    for var in vars {
        args.extend(["--var", var]);
    }
    args.extend(["--save-persona", name, "-o", file_arg]);
    let (code, stdout, stderr) = touchpoint(&args);
    assert_eq!(code, 0, "recording failed: {stdout}{stderr}");
    std::fs::read_to_string(&file).unwrap()
}

/// Runs persona `name` of `set`: (exit code, its JSON result).
fn play(set: &Path, name: &str) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = touchpoint(&[
        "personas",
        set.to_str().unwrap(),
        "--persona",
        name,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not a report ({e}): {stdout}{stderr}"));
    (code, report["personas"][0].clone())
}

/// A copy of the bundled set to record into.
fn menus_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&project().join("menus"), &dir.path().join("set"));
    dir
}

/// Writes `text` as the one flow, `main.yaml`, of a set in `dir`.
fn write_flow(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.yaml"), text).unwrap();
}

/// A small phone flow whose menu drops an unknown key and leads to a dead
/// end: journeys the bundled set (rightly) does not have.
const BROKEN_FLOW: &str = r#"flow: main
channel: phone
start: menu
nodes:
  menu:
    menu: "Welcome to Acme. For sales, press 1. For support, press 2."
    options:
      - key: "1"
        goto: sales
      - key: "2"
        goto: support
  sales:
    transfer: sales_queue
  support:
    say: "Support is moving to a new system."
"#;

/// A journey to record, and what its persona must report.
struct Recording {
    name: &'static str,
    flow: &'static str,
    vars: &'static [&'static str],
    inputs: &'static str,
    outcome: &'static str,
    node: &'static str,
    steps: u64,
}

#[test]
fn recorded_journeys_pass_at_once_with_their_outcome() {
    let dir = menus_copy();
    let set = dir.path().join("set");
    let journeys = [
        // An ask, a call into the verify flow and back, then a menu.
        Recording {
            name: "pays-by-phone",
            flow: "main",
            vars: &["hours=open"],
            inputs: "2,1,enter:12345678,enter:1234,1",
            outcome: "served",
            node: "payment_done",
            steps: 5,
        },
        // Silence until the flow gives up on the caller.
        Recording {
            name: "says-nothing",
            flow: "main",
            vars: &[],
            inputs: "wait,wait,wait",
            outcome: "hung-up",
            node: "no_input_goodbye",
            steps: 3,
        },
        // Speech with a line break in it: the header comment must not
        // break the YAML, and the step must keep the text exactly.
        Recording {
            name: "mumbles",
            flow: "main",
            vars: &[],
            inputs: "say:hello\nworld,wait,wait,wait",
            outcome: "hung-up",
            node: "no_input_goodbye",
            steps: 4,
        },
        // Web clicks and the back button.
        Recording {
            name: "reads-the-bill",
            flow: "selfservice",
            vars: &[],
            inputs: "click:Billing and payments,back,click:Billing and payments,click:Understand my bill",
            outcome: "served",
            node: "bill_explainer",
            steps: 4,
        },
        // A transfer.
        Recording {
            name: "asks-about-a-charge",
            flow: "main",
            vars: &["hours=open"],
            inputs: "2,2",
            outcome: "transferred",
            node: "billing_line",
            steps: 2,
        },
    ];
    for Recording {
        name,
        flow,
        vars,
        inputs,
        outcome,
        node,
        steps,
    } in journeys
    {
        let yaml = record(&set, name, flow, vars, inputs);
        assert!(yaml.contains("hear: '"), "{name}: no hear step in\n{yaml}");
        let (code, result) = play(&set, name);
        assert_eq!(code, 0, "{name} did not pass:\n{yaml}\n{result:#}");
        assert_eq!(result["passed"], true, "{name}: {result:#}");
        assert_eq!(result["outcome"], outcome, "{name}: {result:#}");
        assert_eq!(result["node"], node, "{name}: {result:#}");
        assert_eq!(result["steps"], steps, "{name}: {result:#}");
    }
}

/// A flow whose sales queue is reachable when nobody staffs it.
const CLOSED_DESK_FLOW: &str = r#"flow: main
channel: phone
start: menu
vars:
  hours: [open, closed]
nodes:
  menu:
    menu: "For sales, press 1."
    options:
      - key: "1"
        goto: sales
  sales:
    transfer: sales_queue
    open_when: hours == open
"#;

#[test]
fn a_recorded_closed_transfer_is_misrouted_in_the_world_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), CLOSED_DESK_FLOW);
    let yaml = record(dir.path(), "calls-at-night", "main", &["hours=closed"], "1");
    assert!(yaml.contains("vars:\n  \"hours\": \"closed\"\n"), "{yaml}");
    assert!(yaml.contains("  outcome: misrouted\n"), "{yaml}");
    let (code, result) = play(dir.path(), "calls-at-night");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["outcome"], "misrouted");
    assert_eq!(result["node"], "sales");

    // In the daytime the same journey reaches a person.
    let yaml = record(dir.path(), "calls-by-day", "main", &["hours=open"], "1");
    let (code, result) = play(dir.path(), "calls-by-day");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["outcome"], "transferred");
}

#[test]
fn recorded_dead_ends_and_dropped_calls_pass_at_once() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), BROKEN_FLOW);
    for (name, inputs, outcome, node) in [
        ("hits-the-dead-end", "2", "stuck", "support"),
        ("presses-a-wrong-key", "9", "hung-up", "menu"),
    ] {
        let yaml = record(dir.path(), name, "main", &[], inputs);
        let (code, result) = play(dir.path(), name);
        assert_eq!(code, 0, "{name} did not pass:\n{yaml}\n{result:#}");
        assert_eq!(result["outcome"], outcome, "{name}: {result:#}");
        assert_eq!(result["node"], node, "{name}: {result:#}");
    }
}

#[test]
fn a_changed_prompt_fails_the_recorded_hear() {
    let dir = menus_copy();
    let set = dir.path().join("set");
    record(
        &set,
        "pays-by-phone",
        "main",
        &["hours=open"],
        "2,1,enter:12345678,enter:1234,1",
    );
    let flow = set.join("phone/main.yaml");
    let text = std::fs::read_to_string(&flow).unwrap();
    let changed = text.replacen(
        "To pay your bill, press 1.",
        "To settle your account, press 1.",
        1,
    );
    assert_ne!(
        text, changed,
        "the prompt to change is gone from menus/phone/main.yaml"
    );
    std::fs::write(&flow, changed).unwrap();
    let (code, result) = play(&set, "pays-by-phone");
    assert_eq!(code, 1, "{result:#}");
    assert_eq!(result["passed"], false);
    let failures = result["failures"].to_string();
    assert!(
        failures.contains("expected to hear /To\\\\s+pay\\\\s+your"),
        "{failures}"
    );
}

#[test]
fn a_recorded_hear_allows_prompts_rewrapped_and_regex_characters() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), BROKEN_FLOW);
    let yaml = record(dir.path(), "buys", "main", &[], "1");
    assert!(
        yaml.contains(r"- hear: 'Welcome\s+to\s+Acme\.\s+For\s+sales,\s+press'"),
        "{yaml}"
    );
    // The same words, wrapped differently, still pass.
    let flow = dir.path().join("main.yaml");
    let text = std::fs::read_to_string(&flow).unwrap();
    let wrapped = text.replace(
        r#"menu: "Welcome to Acme. For sales, press 1. For support, press 2.""#,
        "menu: >-\n      Welcome to Acme.   For\n      sales, press 1. For support, press 2.",
    );
    assert_ne!(text, wrapped);
    std::fs::write(&flow, wrapped).unwrap();
    let (code, result) = play(dir.path(), "buys");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["outcome"], "transferred");
}

#[test]
fn without_o_the_persona_goes_to_standard_output() {
    let (code, stdout, stderr) = touchpoint(&[
        "replay",
        "menus",
        "--flow",
        "main",
        "--inputs",
        "wait,wait,wait",
        "--save-persona",
        "quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("persona: \"quiet\"\n"), "{stdout}");
    assert!(stdout.contains("  - wait: true\n"), "{stdout}");
    assert!(stdout.contains("  outcome: hung-up\n"), "{stdout}");
}

#[test]
fn recording_refuses_an_existing_file_an_unended_journey_and_bad_names_live_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("mine.yaml");
    std::fs::write(&existing, "persona: written-by-hand\n").unwrap();
    let (code, _, stderr) = touchpoint(&[
        "replay",
        "menus",
        "--flow",
        "main",
        "--inputs",
        "wait,wait,wait",
        "--save-persona",
        "quiet",
        "-o",
        existing.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "persona: written-by-hand\n"
    );

    // Each refusal: the arguments after `replay`, and what the error says.
    // Nothing is printed on standard output for any of them. The live ones
    // are refused before any call: nothing listens at their address, and
    // the refusal is not that it does not answer.
    let existing_arg = existing.to_str().unwrap();
    let refusals: [(&[&str], &str); 7] = [
        (
            &[
                "--live",
                "http://127.0.0.1:9/voice",
                "--inputs",
                "1",
                "--save-persona",
                "caller",
                "-o",
                existing_arg,
            ],
            "already exists",
        ),
        (
            &[
                "--live",
                "http://127.0.0.1:9/voice",
                "--inputs",
                "1",
                "--save-persona",
                " ",
            ],
            "--save-persona needs a name",
        ),
        (
            &[
                "--live",
                "http://127.0.0.1:9/voice",
                "--inputs",
                "click:Billing",
                "--save-persona",
                "clicker",
            ],
            "`click:Billing` is not something a caller can do",
        ),
        (
            &[
                "--live",
                "http://127.0.0.1:9/voice",
                "--inputs",
                "1",
                "--save-persona",
                "caller",
                "--format",
                "json",
            ],
            "replay --live prints the call as text",
        ),
        (
            &[
                "menus",
                "--flow",
                "main",
                "--inputs",
                "3",
                "--save-persona",
                "mover",
            ],
            "still waits at `service_menu`",
        ),
        // A name the set's personas already use would not load beside them.
        (
            &[
                "menus",
                "--flow",
                "main",
                "--inputs",
                "wait,wait,wait",
                "--save-persona",
                "resident-wants-a-person",
            ],
            "already has a persona `resident-wants-a-person`",
        ),
        (
            &[
                "menus",
                "--flow",
                "main",
                "--inputs",
                "wait,wait,wait",
                "--save-persona",
                " ",
            ],
            "--save-persona needs a name",
        ),
    ];
    for (args, says) in refusals {
        let (code, stdout, stderr) = touchpoint(&[&["replay"], args].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// A flow whose menu leads through an opaque step, decided by the platform.
const OPAQUE_FLOW: &str = r#"flow: main
channel: phone
start: menu
nodes:
  menu:
    menu: "For your balance, press 1."
    options:
      - key: "1"
        goto: lookup
  lookup:
    opaque: "run-function `lookup`: reads the balance"
    branches:
      - on: success
        goto: balance
      - on: fail
        goto: sorry
  balance:
    end: "Your balance is ten dollars."
  sorry:
    hangup: "Sorry, we cannot find your balance."
"#;

#[test]
fn an_opaque_steps_first_branch_is_taken_as_a_persona_takes_it_and_others_are_branch_steps() {
    let dir = tempfile::tempdir().unwrap();
    write_flow(dir.path(), OPAQUE_FLOW);
    let yaml = record(
        dir.path(),
        "hears-the-balance",
        "main",
        &[],
        "1,branch:success",
    );
    // The header comment names the inputs; no step gives the branch.
    assert!(!yaml.contains("- branch"), "{yaml}");
    assert!(
        yaml.contains("  - press: \"1\"\n  - hear: 'Your\\s+balance"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("run-function"),
        "an opaque step is not heard:\n{yaml}"
    );
    let (code, result) = play(dir.path(), "hears-the-balance");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["outcome"], "served");
    assert_eq!(result["node"], "balance");
    assert_eq!(result["steps"], 1);

    // Another outcome is what the back end answered: the persona says so
    // with a `branch:` step, and plays it back.
    let yaml = record(
        dir.path(),
        "cannot-find-the-balance",
        "main",
        &[],
        "1,branch:fail",
    );
    assert!(
        yaml.contains("  - press: \"1\"\n  - branch: \"fail\"\n  - hear: 'Sorry,"),
        "{yaml}"
    );
    let (code, result) = play(dir.path(), "cannot-find-the-balance");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["outcome"], "hung-up");
    assert_eq!(result["node"], "sorry");
    assert_eq!(result["inputs"], serde_json::json!(["1", "branch:fail"]));

    // A `hear` written before a `branch:` step does not hold the branch
    // back: the opaque step takes it, and the `hear` is checked later.
    let before = tempfile::tempdir().unwrap();
    write_flow(
        before.path(),
        &OPAQUE_FLOW.replace("start: menu", "start: hello").replace(
            "nodes:\n",
            "nodes:\n  hello:\n    say: \"Checking your account.\"\n    next: lookup\n",
        ),
    );
    let yaml = record(
        before.path(),
        "told-the-lookup-failed",
        "main",
        &[],
        "branch:fail",
    );
    assert!(
        yaml.contains("  - hear: 'Checking\\s+your\\s+account\\.'\n  - branch: \"fail\"\n"),
        "{yaml}"
    );
    let (code, result) = play(before.path(), "told-the-lookup-failed");
    assert_eq!(code, 0, "{yaml}\n{result:#}");
    assert_eq!(result["node"], "sorry");

    // Inputs that end at the opaque step leave its outcome unsaid.
    let set = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = touchpoint(&[
        "replay",
        set,
        "--flow",
        "main",
        "--inputs",
        "1",
        "--save-persona",
        "other",
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("the inputs end at the opaque step `lookup`"),
        "{stderr}"
    );
}
