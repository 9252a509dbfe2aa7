//! Platform exports from the corpus, through the binary: `import` writes
//! flows that load, and `lint --from` reports what the corpus README lists,
//! pointing at the export's own file and line.

mod common;

use common::touchpoint;
use std::collections::BTreeSet;

use serde_json::Value;

fn corpus(path: &str) -> String {
    format!("{}/../shared/corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn lint_from(platform: &str, path: &str) -> Value {
    let (_, stdout, stderr) = touchpoint(&["lint", path, "--from", platform, "--format", "json"]);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"))
}

fn codes(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn connect_rules_engine_flows_import_as_one_set() {
    let report = lint_from("connect", &corpus("amazon-connect"));
    let findings = report["findings"].as_array().unwrap();
    // No dangling action, no unreachable one, the hold flow is no dead end,
    // the bounded Loop is no trap: only the unhandled silences remain.
    assert_eq!(
        codes(&report),
        BTreeSet::from(["unhandled-input".to_string()]),
        "{report:#}"
    );
    let flows: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["flow"].as_str().unwrap())
        .collect();
    assert!(
        flows
            .iter()
            .all(|f| f.contains("DTMF") || f.contains("Queue")),
        "{flows:?}"
    );
    for f in findings {
        assert!(
            f["file"].as_str().unwrap().ends_with(".json"),
            "points at the export: {f}"
        );
        // The node is the action's Identifier, which the message names.
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(f["node"].as_str().unwrap()),
            "names the action: {f}"
        );
    }
}

#[test]
fn studio_visual_ivr_shows_what_a_careful_reader_finds() {
    let report = lint_from("studio", &corpus("twilio-studio/visual-ivr-studio.json"));
    let found = codes(&report);
    for code in ["endless-retry", "prompt-mismatch", "unhandled-input"] {
        assert!(found.contains(code), "{code} missing: {report:#}");
    }
    for code in ["unreachable", "dead-end"] {
        assert!(!found.contains(code), "false {code}: {report:#}");
    }
    let f = &report["findings"][0];
    assert_eq!(f["file"], "visual-ivr-studio.json");
}

#[test]
fn archy_emergency_ivr_takes_an_unannounced_seven() {
    let report = lint_from("archy", &corpus("genesys-archy/DR-Emergency-IVR.yaml"));
    let mismatch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["code"] == "prompt-mismatch" && f["message"].as_str().unwrap().contains("key 7")
        })
        .unwrap_or_else(|| panic!("no prompt-mismatch for key 7: {report:#}"));
    assert!(mismatch["file"]
        .as_str()
        .unwrap()
        .ends_with("DR-Emergency-IVR.yaml"));
    // It points at the choice that takes key 7, not at its menu.
    let text = std::fs::read_to_string(corpus("genesys-archy/DR-Emergency-IVR.yaml")).unwrap();
    let line = mismatch["line"].as_u64().unwrap() as usize;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[line - 1].contains("menuDisconnect"), "{mismatch}");
    assert!(
        lines[line..line + 3].iter().any(|l| l.contains("digit_7")),
        "{mismatch}"
    );
    assert!(
        report["notes"].to_string().contains("NOT_SET"),
        "the unfilled placeholder is noted: {}",
        report["notes"]
    );
}

#[test]
fn import_writes_flows_that_lint() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("studio.yaml");
    let (code, _, stderr) = touchpoint(&[
        "import",
        &corpus("twilio-studio/visual-ivr-studio.json"),
        "--from",
        "studio",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note:"),
        "what was not modelled is said: {stderr}"
    );
    let (code, stdout, _) = touchpoint(&["lint", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    // Several flows go into a folder, one file each.
    let folder = dir.path().join("connect");
    let (code, _, stderr) = touchpoint(&[
        "import",
        &corpus("amazon-connect"),
        "--from",
        "connect",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 6);
    let (code, _, stderr) = touchpoint(&["lint", folder.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn bad_exports_exit_two_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"states\": [\n").unwrap();
    let (code, _, stderr) = touchpoint(&["lint", bad.to_str().unwrap(), "--from", "studio"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.json:"), "{stderr}");
    let (code, _, _) = touchpoint(&["import", bad.to_str().unwrap(), "--from", "nowhere"]);
    assert_eq!(code, 2);
}

#[test]
fn exports_diff_against_each_other() {
    // An export against itself: both sides import the same way, so
    // nothing is new.
    let original = std::fs::read_to_string(corpus("twilio-studio/visual-ivr-studio.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(&old, &original).unwrap();
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--from",
        "studio",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report["findings_new"].as_array().unwrap().is_empty());
}

/// An empty or blank export is refused with a 1-based position, whichever
/// platform it claims to come from.
#[test]
fn empty_exports_are_refused_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("empty.json", ""), ("blank.json", "  \n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        for platform in ["connect", "studio"] {
            let (code, _, stderr) =
                touchpoint(&["import", path.to_str().unwrap(), "--from", platform]);
            assert_eq!(code, 2, "{platform} {name}: {stderr}");
            assert!(
                !stderr.contains(":0:") && stderr.contains(&format!("{name}:")),
                "{platform} {name}: {stderr}"
            );
        }
    }
}
