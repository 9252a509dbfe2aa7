//! `touchpoint mutate` through the real binary.
//!
//! Every directory under `fixtures/mutate/` is a small set built around one
//! operator, with a `mutants.json` giving the fate of each of that
//! operator's mutants: its id, where it is written, its description, its
//! status, the persona that kills it, and for a survivor the name of the
//! persona suggested to catch it. One test reads them all; another writes
//! the suggestions into a copy of each set and checks that they kill their
//! survivors. The rest pin the command's options down on one of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

/// The operator fixtures, relative to the project root so that every
/// printed path is the same on every machine.
fn operator_fixtures() -> Vec<PathBuf> {
    let root = common::project().join("fixtures/mutate");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/mutate/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("mutants.json").is_file())
        .map(|p| Path::new("fixtures/mutate").join(p.file_name().unwrap()))
        .collect();
    dirs.sort();
    dirs
}

fn fixture(name: &str) -> PathBuf {
    Path::new("fixtures/mutate").join(name)
}

fn expectations(dir: &Path) -> Value {
    let text = std::fs::read_to_string(common::project().join(dir).join("mutants.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs `touchpoint mutate DIR ARGS --format json` in the project root and
/// parses the report, failing on any exit but 0.
fn mutate_json(dir: &Path, args: &[&str]) -> Value {
    let (code, stdout, stderr) = mutate_raw(dir, args, &["--format", "json"]);
    assert_eq!(code, 0, "mutate {} {args:?}\n{stderr}", dir.display());
    serde_json::from_str(&stdout).unwrap()
}

fn mutate_raw(dir: &Path, args: &[&str], format: &[&str]) -> (i32, String, String) {
    let mut all = vec!["mutate", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(format);
    common::touchpoint(&all)
}

/// A mutant's result as `mutants.json` writes it: the fields a fixture
/// pins down, and the suggestion's name for a survivor.
fn summary(result: &Value, suggestions: &BTreeMap<String, String>) -> Value {
    let id = result["id"].as_str().unwrap().to_string();
    let mut out = serde_json::json!({
        "id": id,
        "operator": result["operator"],
        "file": result["file"],
        "line": result["line"],
        "description": result["description"],
        "status": result["status"],
    });
    if let Some(by) = result.get("killed_by") {
        out["killed_by"] = by.clone();
    }
    if let Some(name) = suggestions.get(&id) {
        out["suggestion"] = Value::String(name.clone());
    }
    out
}

/// Each survivor's id and the name of its suggested persona.
fn suggestion_names(report: &Value) -> BTreeMap<String, String> {
    report["survivors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            Some((
                s["id"].as_str()?.to_string(),
                s["suggestion_name"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn results_by_id(report: &Value) -> BTreeMap<String, Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[test]
fn every_operator_fixture_gives_its_mutants_their_fates() {
    let dirs = operator_fixtures();
    let mut failures = Vec::new();
    let mut operators = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for dir in &dirs {
        let expected = expectations(dir);
        let operator = expected["operator"].as_str().unwrap();
        operators.insert(operator.to_string());
        let report = mutate_json(dir, &["--operator", operator]);
        let suggestions = suggestion_names(&report);
        let got: Vec<Value> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| summary(r, &suggestions))
            .collect();
        let want = expected["mutants"].as_array().unwrap();
        for mutant in want {
            statuses.insert(mutant["status"].as_str().unwrap().to_string());
        }
        if &got != want {
            failures.push(format!(
                "{}: got\n{}\nexpected\n{}",
                dir.display(),
                serde_json::to_string_pretty(&got).unwrap(),
                serde_json::to_string_pretty(want).unwrap()
            ));
        }
        // Every survivor a fixture lists comes with a persona: a fixture
        // shows what `mutate` offers, and an offer of nothing shows nothing.
        for mutant in want.iter().filter(|m| m["status"] == "survived") {
            if mutant.get("suggestion").is_none() {
                failures.push(format!(
                    "{}: {} has no suggestion",
                    dir.display(),
                    mutant["id"]
                ));
            }
        }
    }
    let all: BTreeSet<String> = touchpoint::mutate::Operator::ALL
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(operators, all, "one fixture per operator");
    for status in ["killed", "survived", "equivalent"] {
        assert!(
            statuses.contains(status),
            "no fixture has a {status} mutant"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The suggestions of every fixture, written into a copy of its set's
/// personas folder, kill the survivors they were suggested for, raise the
/// score, and pass on the set.
#[test]
fn written_suggestions_kill_their_survivors() {
    for dir in operator_fixtures() {
        let expected = expectations(&dir);
        let operator = expected["operator"].as_str().unwrap();
        let suggested: Vec<(&str, &str)> = expected["mutants"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| Some((m["id"].as_str()?, m.get("suggestion")?.as_str()?)))
            .collect();
        if suggested.is_empty() {
            continue;
        }
        let temp = tempfile::tempdir().unwrap();
        let set = temp.path().join("set");
        common::copy_dir(&common::project().join(&dir), &set);
        let personas = set.join("personas");
        let before = mutate_json(&set, &["--operator", operator]);
        let (code, _, stderr) = mutate_raw(
            &set,
            &[
                "--operator",
                operator,
                "--write-suggestions",
                personas.to_str().unwrap(),
            ],
            &["--format", "json"],
        );
        assert_eq!(code, 0, "{}: {stderr}", dir.display());
        for (_, name) in &suggested {
            let file = personas.join(format!("{name}.yaml"));
            assert!(
                file.is_file(),
                "{}: {} not written",
                dir.display(),
                file.display()
            );
        }
        let after = mutate_json(&set, &["--operator", operator]);
        let results = results_by_id(&after);
        let names: BTreeSet<&str> = suggested.iter().map(|(_, name)| *name).collect();
        for (id, _) in &suggested {
            // Another suggestion may catch it first: personas run in order.
            let result = &results[*id];
            assert!(
                result["status"] == "killed"
                    && names.contains(result["killed_by"].as_str().unwrap_or_default()),
                "{}: {id} after adding the suggestions: {result}",
                dir.display()
            );
        }
        // Each suggestion on its own kills the survivors it was offered for.
        for name in &names {
            let alone = temp.path().join(format!("alone-{name}"));
            common::copy_dir(&common::project().join(&dir), &alone);
            let file = format!("personas/{name}.yaml");
            std::fs::copy(set.join(&file), alone.join(&file)).unwrap();
            let results = results_by_id(&mutate_json(&alone, &["--operator", operator]));
            for (id, _) in suggested.iter().filter(|(_, n)| n == name) {
                let result = &results[*id];
                assert_eq!(
                    (result["status"].as_str(), result["killed_by"].as_str()),
                    (Some("killed"), Some(*name)),
                    "{}: {id} after adding only `{name}`: {result}",
                    dir.display()
                );
            }
        }
        assert!(
            after["score"].as_f64() > before["score"].as_f64(),
            "{}: score {} before, {} after",
            dir.display(),
            before["score"],
            after["score"]
        );
        let (code, stdout, stderr) = common::touchpoint(&["personas", set.to_str().unwrap()]);
        assert_eq!(
            code,
            0,
            "{}: personas fail\n{stdout}\n{stderr}",
            dir.display()
        );
    }
}

#[test]
fn write_suggestions_never_replaces_a_file() {
    // The whole run suggests five personas; the one taken comes second in
    // the report, after `catches-main-1`.
    let temp = tempfile::tempdir().unwrap();
    let set = temp.path().join("set");
    common::copy_dir(&common::project().join(fixture("retarget-option")), &set);
    let personas = set.join("personas");
    let taken = personas.join("catches-report-outage-from-main.yaml");
    let mine = "# Written by hand: mutate must leave it alone.\npersona: mine\nchannel: phone\n";
    std::fs::write(&taken, mine).unwrap();
    let (code, stdout, stderr) = mutate_raw(
        &set,
        &["--write-suggestions", personas.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("catches-report-outage-from-main.yaml"),
        "the message names the file: {stderr}"
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), mine);
    // The other suggestions are not written either: a rerun once the file
    // is moved away would otherwise stop at the first of them.
    let mut files: Vec<String> = std::fs::read_dir(&personas)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["catches-report-outage-from-main.yaml", "pays-bill.yaml"]
    );
}

/// The switch-branch set has a mutant of each fate: killed, survived with a
/// suggestion, and equivalent.
fn snapshot_of(format: &str) -> String {
    let (code, stdout, stderr) = mutate_raw(&fixture("switch-branch"), &[], &["--format", format]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn mutate_human() {
    insta::assert_snapshot!("mutate_human", snapshot_of("human"));
}

#[test]
fn mutate_json_report() {
    insta::assert_snapshot!("mutate_json", snapshot_of("json"));
}

#[test]
fn mutate_markdown() {
    insta::assert_snapshot!("mutate_markdown", snapshot_of("markdown"));
}

#[test]
fn mutate_junit() {
    insta::assert_snapshot!("mutate_junit", snapshot_of("junit"));
}

#[test]
fn min_score_fails_the_run_only_below_it() {
    // The retarget-option fixture scores 0.5 on its own operator.
    let dir = fixture("retarget-option");
    let exit = |score: &str| {
        mutate_raw(
            &dir,
            &["--operator", "retarget-option", "--min-score", score],
            &["--format", "json"],
        )
        .0
    };
    assert_eq!(exit("0.99"), 1);
    assert_eq!(exit("90%"), 1);
    assert_eq!(exit("0.5"), 0);
    assert_eq!(exit("50%"), 0);
    assert_eq!(exit("0"), 0);
    for bad in ["1.5", "abc", "150%"] {
        let (code, stdout, stderr) = mutate_raw(&dir, &["--min-score", bad], &[]);
        assert_eq!(code, 2, "--min-score {bad}: {stdout}");
        assert!(
            stderr.contains("--min-score") && stderr.contains(bad),
            "--min-score {bad}: {stderr}"
        );
    }
}

/// `--operator` keeps exactly the mutants of the operators named, with the
/// ids and fates they have in the whole run.
#[test]
fn operator_filter_keeps_ids_and_fates() {
    let dir = fixture("drop-guard");
    let whole = mutate_json(&dir, &[]);
    let wanted = ["drop-guard", "negate-guard"];
    let expected: Vec<Value> = whole["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| wanted.contains(&r["operator"].as_str().unwrap()))
        .cloned()
        .collect();
    assert!(expected.len() >= 3, "{expected:?}");
    let comma = mutate_json(&dir, &["--operator", "drop-guard,negate-guard"]);
    let repeated = mutate_json(
        &dir,
        &["--operator", "negate-guard", "--operator", "drop-guard"],
    );
    for report in [&comma, &repeated] {
        assert_eq!(report["results"].as_array().unwrap(), &expected);
        assert_eq!(report["mutants"].as_u64(), Some(expected.len() as u64));
    }
    let (code, _, stderr) = mutate_raw(&dir, &["--operator", "swap-target"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("swap-target"), "{stderr}");
}

/// The shards' results together are the unsharded run's: every mutant in
/// exactly one shard, with its id and fate.
#[test]
fn shards_together_are_the_whole_run() {
    let dir = fixture("negate-guard");
    let whole = mutate_json(&dir, &[]);
    let whole_results = results_by_id(&whole);
    let mut union = BTreeMap::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let report = mutate_json(&dir, &["--shard", &shard]);
        assert_eq!(report["shard"].as_str(), Some(shard.as_str()));
        for (id, result) in results_by_id(&report) {
            assert!(
                union.insert(id.clone(), result).is_none(),
                "{id} in two shards"
            );
        }
    }
    assert_eq!(union, whole_results);
    assert!(whole_results.len() >= 6, "{}", whole_results.len());
}

/// Deleting key 1 of the account menu leaves its prompt announcing the
/// key: no persona goes there, but the rules notice (`paid` stays
/// reachable by key 1 of the main menu, so the prompt is all that changes).
#[test]
fn with_lint_a_new_finding_kills_the_mutant() {
    let dir = fixture("delete-option");
    let without = results_by_id(&mutate_json(&dir, &["--operator", "delete-option"]));
    assert_eq!(without["M18"]["status"], "survived");
    let report = mutate_json(&dir, &["--operator", "delete-option", "--with-lint"]);
    assert_eq!(report["with_lint"], true);
    let with = results_by_id(&report);
    assert_eq!(
        (
            &with["M18"]["status"],
            &with["M18"]["killed_by"],
            &with["M18"]["reason"]
        ),
        (
            &Value::from("killed"),
            &Value::from("lint"),
            &Value::from("adds `prompt-mismatch` at `account_menu`")
        ),
        "{}",
        with["M18"]
    );
    // A persona kills first: the rules are asked only about what the
    // personas let through.
    assert_eq!(with["M7"]["killed_by"], "reports-outage");
    assert!(report["score"].as_f64() > Some(0.99), "{}", report["score"]);
}

#[test]
fn two_runs_write_the_same_bytes() {
    for dir in [Path::new("menus").to_path_buf(), fixture("negate-guard")] {
        let first = mutate_raw(&dir, &[], &["--format", "json"]);
        let second = mutate_raw(&dir, &[], &["--format", "json"]);
        assert_eq!(first.0, 0, "{}", first.2);
        assert!(first.1 == second.1, "{}: two runs differ", dir.display());
    }
}

/// A persona that presses 1 and is served passes even when key 1 has moved
/// (it is re-prompted and then finds the option), so it kills nothing; with
/// its transcript saved as a golden file, the changed transcript kills the
/// mutant.
#[test]
fn a_golden_transcript_kills_a_mutant_its_expect_misses() {
    let temp = tempfile::tempdir().unwrap();
    let set = temp.path().join("set");
    common::copy_dir(&common::project().join(fixture("change-key")), &set);
    let persona = set.join("personas/presses-1-to-pay.yaml");
    let text = std::fs::read_to_string(&persona).unwrap();
    assert!(text.contains("  max_steps: 1\n"));
    std::fs::write(&persona, text.replace("  max_steps: 1\n", "")).unwrap();
    let args = ["--operator", "change-key"];
    let without = results_by_id(&mutate_json(&set, &args));
    assert_eq!(without["M4"]["status"], "survived", "{}", without["M4"]);

    let golden = temp.path().join("golden");
    let (code, stdout, stderr) = common::touchpoint(&[
        "personas",
        set.to_str().unwrap(),
        "--save-transcripts",
        golden.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report = mutate_json(
        &set,
        &[
            "--operator",
            "change-key",
            "--transcripts",
            golden.to_str().unwrap(),
        ],
    );
    let with = results_by_id(&report);
    assert_eq!(with["M4"]["status"], "killed", "{}", with["M4"]);
    assert_eq!(with["M4"]["killed_by"], "presses-1-to-pay");
    assert!(
        with["M4"]["reason"]
            .as_str()
            .unwrap()
            .contains("transcript"),
        "{}",
        with["M4"]
    );
    // Key 2 is not on the persona's way: its transcript stays the same.
    assert_eq!(with["M7"]["status"], "survived", "{}", with["M7"]);
}
