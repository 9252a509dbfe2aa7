//! Platform exports through the binary. Every case under
//! `fixtures/import/<platform>/<case>/` holds an export in `export/` (one
//! or more files in the platform's own format) and an `expected.json` in
//! the form of `fixtures/*/expected.json`: `lint --from <platform>` must
//! report exactly those findings, pointing into the export, and each
//! finding's inputs, replayed on the flows `import` writes, must end where
//! the finding says. The checks against real published exports are in
//! `tests/corpus.rs`.

use crate::common;

use std::path::{Path, PathBuf};

use common::{project, touchpoint};
use serde_json::Value;

/// The platforms with importer fixtures, as `--from` names them.
const PLATFORMS: [&str; 3] = ["connect", "studio", "archy"];

/// Every case of every platform: (platform, case directory), sorted.
fn import_cases() -> Vec<(&'static str, PathBuf)> {
    let mut cases = Vec::new();
    for platform in PLATFORMS {
        let root = project().join("fixtures/import").join(platform);
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("{} should be readable: {e}", root.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        assert!(!dirs.is_empty(), "no cases under {}", root.display());
        cases.extend(dirs.into_iter().map(|d| (platform, d)));
    }
    cases
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("fixture paths are UTF-8")
}

/// The fields an expected finding pins down, in a form that compares and
/// prints well. Every field is compared, the position included: the
/// importers know where each action is in the export.
fn summary(finding: &Value) -> String {
    let field = |name: &str| {
        finding
            .get(name)
            .map_or_else(|| "?".to_string(), Value::to_string)
    };
    format!(
        "{} {} {} {} inputs={} vars={} at {}:{}:{}",
        field("code"),
        field("level"),
        field("flow"),
        field("node"),
        field("inputs"),
        field("vars"),
        field("file"),
        field("line"),
        field("column"),
    )
}

/// `touchpoint lint --from PLATFORM export/ --format json` on one case.
fn lint_case(platform: &str, dir: &Path) -> (i32, String, String) {
    touchpoint(&[
        "lint",
        path_text(&dir.join("export")),
        "--from",
        platform,
        "--format",
        "json",
    ])
}

#[test]
fn every_import_case_reports_exactly_its_findings() {
    let cases = import_cases();
    let mut failures = Vec::new();
    for (platform, dir) in &cases {
        let name = format!("{platform}/{}", dir.file_name().unwrap().to_string_lossy());
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json"))
                .unwrap_or_else(|e| panic!("{name}: expected.json: {e}")),
        )
        .unwrap_or_else(|e| panic!("{name}: expected.json: {e}"));
        let (code, stdout, stderr) = lint_case(platform, dir);
        let want_exit = expected["exit"].as_i64().unwrap() as i32;
        if code != want_exit {
            failures.push(format!(
                "{name}: exit {code}, expected {want_exit}\n{stderr}"
            ));
            continue;
        }
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{stdout}\n{stderr}"));
        let want = expected["findings"].as_array().unwrap();
        if let Some(diff) = common::findings_differ(&report, want, summary) {
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The inputs printed with a finding about an export, replayed on the flows
/// that `import` writes for it, end where the finding says.
#[test]
fn every_import_finding_replays() {
    for (platform, dir) in import_cases() {
        let export = dir.join("export");
        let (_, stdout, stderr) = lint_case(platform, &dir);
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"));
        let written = tempfile::tempdir().unwrap();
        let (code, _, stderr) = touchpoint(&[
            "import",
            path_text(&export),
            "--from",
            platform,
            "-o",
            path_text(written.path()),
        ]);
        assert_eq!(code, 0, "{}: {stderr}", dir.display());
        let set = touchpoint::loader::load_set(written.path())
            .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e.plain_lines().join("\n")));
        common::assert_every_finding_replays(&set, &report, &dir);
    }
}

/// `import` says what it did not model, and what it writes lints as
/// `lint --from` does: one file for one flow, a folder for several.
#[test]
fn import_writes_flows_that_lint() {
    let dir = tempfile::tempdir().unwrap();
    let cases = project().join("fixtures/import");
    let out = dir.path().join("support-line.yaml");
    let (code, _, stderr) = touchpoint(&[
        "import",
        path_text(&cases.join("studio/support-line-problems/export/support-line.json")),
        "--from",
        "studio",
        "-o",
        path_text(&out),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note:"),
        "what was not modelled is said: {stderr}"
    );
    let (code, stdout, _) = touchpoint(&["lint", path_text(&out)]);
    assert_eq!(code, 1, "{stdout}");
    // Several flows go into a folder, one file each.
    let folder = dir.path().join("connect");
    let (code, _, stderr) = touchpoint(&[
        "import",
        path_text(&cases.join("connect/clean-main-and-sub-flow/export")),
        "--from",
        "connect",
        "-o",
        path_text(&folder),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 2);
    let (code, stdout, stderr) = touchpoint(&["lint", path_text(&folder)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}

#[test]
fn exports_diff_against_each_other() {
    // An export against itself: both sides import the same way, so
    // nothing is new.
    let export =
        project().join("fixtures/import/studio/support-line-problems/export/support-line.json");
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        path_text(&export),
        path_text(&export),
        "--from",
        "studio",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report["findings_new"].as_array().unwrap().is_empty());
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

/// The replay command printed with a finding about an export runs as
/// printed (it reads the export with `--from`), ends where the finding
/// says, and its transcript names the export's file and the line of the
/// finding's node in it, not the YAML generated in memory. Each finding
/// names its place in the export, with no excerpt to show it.
#[test]
fn printed_replays_of_an_import_run_and_name_the_export() {
    let mut replayed = 0;
    for (platform, dir) in import_cases() {
        let export = dir.join("export");
        let args = ["lint", path_text(&export), "--from", platform];
        let (_, human, stderr) = touchpoint(&args);
        let (_, json, _) = touchpoint(&[&args[..], &["--format", "json"]].concat());
        let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{stderr}"));
        let findings = report["findings"].as_array().unwrap();
        for f in findings {
            let place = format!(
                "  at: {}:{}:{}\n",
                f["file"].as_str().unwrap(),
                f["line"],
                f["column"]
            );
            assert!(
                human.contains(&place),
                "{}: no `{place}` in {human}",
                dir.display()
            );
        }
        if !human.contains("replay: ") {
            continue;
        }
        for (finding, transcript) in
            common::run_printed_replays(&common::project(), &human, &report)
        {
            let file = finding["file"].as_str().unwrap();
            let header = transcript.lines().next().unwrap_or_default();
            assert!(
                header.ends_with(&format!("({file})"))
                    || header.contains(&format!("({file}) with")),
                "{header}"
            );
            // Findings about a node (not one of its options) are at its line.
            if ["dead-end", "unhandled-input"].contains(&finding["code"].as_str().unwrap()) {
                let node = finding["node"].as_str().unwrap();
                let line = format!("(line {})", finding["line"]);
                assert!(
                    transcript
                        .lines()
                        .any(|l| l.trim_start().starts_with(&format!("[{node}]"))
                            && l.ends_with(&line)),
                    "{}: `{node}` is not at {line} in\n{transcript}",
                    dir.display()
                );
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0);
}

/// The importer's notes are said once: a report carries them (human output
/// prints them as `note: import: ...`), so they are not printed to standard
/// error as well; a replay, which writes no report, prints them there.
#[test]
fn import_notes_are_said_once() {
    let export = "fixtures/import/connect/hours-error-branch/export";
    let (_, stdout, stderr) = touchpoint(&["lint", export, "--from", "connect"]);
    let note = "hours (CheckHoursOfOperation): the NoMatchingError branch";
    assert_eq!(
        stdout.matches(note).count() + stderr.matches(note).count(),
        1,
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("note: import: "), "{stdout}");
    let (code, _, stderr) =
        touchpoint(&["replay", export, "--from", "connect", "--flow", "Clinic"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.matches(note).count(), 1, "{stderr}");
}

/// An action type that is not of the flow language is not accepted
/// silently: each gets a note that points at it.
#[test]
fn unknown_connect_action_types_are_noted_with_their_position() {
    let export = "fixtures/import/connect/unknown-action-types/export";
    let (code, stdout, stderr) = touchpoint(&["lint", export, "--from", "connect"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    for (at, action) in [
        ("Census.json:10:7", "begin (Start)"),
        ("Census.json:16:7", "voice (SetVoice)"),
        ("Census.json:34:7", "queue (TransferToQueue)"),
    ] {
        let note = format!("note: import: {at}: {action}: not an action type of flow language");
        assert_eq!(stdout.matches(&note).count(), 1, "{note}\n{stdout}");
    }
    // An action the flow language documents (here "Hold customer or
    // agent") is known, whether or not touchpoint models it.
    assert!(
        !stdout.contains("hold-agent (UpdatePreviousContactParticipantState): not an action type"),
        "{stdout}"
    );
}

/// An `InvokeFlowModule` whose module is not among the imported files
/// stays a step that goes on, and a note names the module as the designer
/// shows it, once.
#[test]
fn a_connect_module_not_among_the_files_is_noted_by_name() {
    let export = "fixtures/import/connect/module-not-among-the-files/export";
    let (code, stdout, stderr) = touchpoint(&["lint", export, "--from", "connect"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let note = "survey (InvokeFlowModule): the flow module `Satisfaction survey` is not among the imported files";
    assert_eq!(stdout.matches(note).count(), 1, "{stdout}");
    assert_eq!(
        stdout.matches("survey (InvokeFlowModule)").count(),
        1,
        "{stdout}"
    );
}
