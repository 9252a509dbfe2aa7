//! Data-driven tests: every directory under `fixtures/` is a menu set with an
//! `expected.json` saying what `touchpoint lint` must report. Findings are
//! compared exactly (code, node, shortest inputs, variables, and position
//! where given), and every finding's inputs are replayed to prove they show it.

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The fixture sets: directories right under `fixtures/` with an
/// `expected.json` (`fixtures/import/` holds platform exports, which
/// `tests/it/import.rs` runs).
fn fixture_dirs() -> Vec<PathBuf> {
    let root = common::project().join("fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn lint(dir: &Path) -> (i32, String, String) {
    common::touchpoint(&["lint", dir.to_str().unwrap(), "--format", "json"])
}

/// The fields a fixture pins down, in a form that compares and prints well.
fn summary(finding: &Value, with_position: bool) -> String {
    // The level is pinned too: one code can report at two levels
    // (`unset-variable` is a warning where only some paths leave the name
    // unset).
    let mut text = format!(
        "{} {} {} {} inputs={} vars={}",
        finding["code"].as_str().unwrap_or("?"),
        finding["level"].as_str().unwrap_or("?"),
        finding["flow"].as_str().unwrap_or("?"),
        finding["node"].as_str().unwrap_or("?"),
        finding["inputs"],
        finding
            .get("vars")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    );
    // Findings about an intent name it; the others have none to compare
    // (a `trap` is about one when it is a goal-directed loop).
    let about_intent = [
        "trap",
        "no-fit",
        "misleading-option",
        "intent-unreachable",
        "channel-gap",
    ];
    if about_intent.contains(&finding["code"].as_str().unwrap_or("")) {
        text.push_str(&format!(" intent={}", finding["intent"]));
    }
    if with_position {
        let file = finding.get("file").and_then(Value::as_str).unwrap_or("?");
        text.push_str(&format!(
            " at {file}:{}:{}",
            finding["line"], finding["column"]
        ));
    }
    text
}

#[test]
fn every_fixture_reports_exactly_its_findings() {
    let dirs = fixture_dirs();
    assert!(
        dirs.len() >= 10,
        "expected the fixture sets, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let (code, stdout, stderr) = lint(dir);
        let want_exit = expected["exit"].as_i64().unwrap() as i32;
        if code != want_exit {
            failures.push(format!(
                "{name}: exit {code}, expected {want_exit}\n{stderr}"
            ));
            continue;
        }
        if want_exit == 2 {
            // One mistake is one error: a fixture lists every error its set
            // has, so consequences of a mistake reported as errors of their
            // own fail here.
            let want_errors = expected["errors"].as_array().unwrap();
            let report: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
            let got_errors = report["errors"].as_array().map_or(0, Vec::len);
            if got_errors != want_errors.len() {
                failures.push(format!(
                    "{name}: {got_errors} errors, expected {}\n{stderr}",
                    want_errors.len()
                ));
            }
            for error in want_errors {
                let needle = error["message_contains"].as_str().unwrap();
                let position = format!(":{}:{}:", error["line"], error["column"]);
                let found = stderr
                    .lines()
                    .any(|l| l.contains(needle) && l.contains(&position));
                if !found {
                    failures.push(format!(
                        "{name}: no error containing `{needle}` at {position}\n{stderr}"
                    ));
                }
            }
            continue;
        }
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let want = expected["findings"].as_array().unwrap();
        let with_position = want.iter().all(|f| f.get("line").is_some());
        if let Some(diff) = common::findings_differ(&report, want, |f| summary(f, with_position)) {
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The inputs printed with a finding, replayed, end where the finding says.
#[test]
fn every_finding_replays() {
    for dir in fixture_dirs() {
        let (code, stdout, _) = lint(&dir);
        if code != 1 {
            continue;
        }
        let set = touchpoint::loader::load_set(&dir).unwrap();
        let report: Value = serde_json::from_str(&stdout).unwrap();
        common::assert_every_finding_replays(&set, &report, &dir);
    }
}

#[test]
fn the_bundled_set_is_clean() {
    let dir = common::project().join("menus");
    let (code, stdout, stderr) = lint(&dir);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
