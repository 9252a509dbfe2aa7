//! `touchpoint report`: `check`'s job under its own name, and the one
//! command that writes the HTML page; the others refuse `--format html`.

use serde_json::Value;

use crate::common::touchpoint;

#[test]
fn report_writes_the_page_atomically_to_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let page_arg = page.to_str().unwrap();
    let (code, stdout, stderr) = touchpoint(&[
        "report",
        "fixtures/dead-end",
        "--format",
        "html",
        "-o",
        page_arg,
    ]);
    // The fixture's dead end is an error: the page is written and the
    // exit code says there are findings, as `check` would.
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(stdout, "", "the page goes to the file only");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.trim_end().ends_with("</html>"));
    assert!(html.contains("<code>dead-end</code>"));
    assert!(html.contains("<svg class=\"flow\" id=\"flow-0\""));
    // Only the page is left behind: no temporary file beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.html"]);
}

#[test]
fn report_without_an_output_file_prints_the_page() {
    let (code, stdout, stderr) = touchpoint(&["report", "menus", "--format", "html"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("<!DOCTYPE html>"));
    assert!(stdout.contains("id=\"journeys\""));
}

#[test]
fn report_runs_what_check_runs() {
    let (_, check, _) = touchpoint(&["check", "fixtures/dead-end", "--format", "json"]);
    let (_, report, _) = touchpoint(&["report", "fixtures/dead-end", "--format", "json"]);
    let mut check: Value = serde_json::from_str(&check).unwrap();
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["command"], "report");
    check["command"] = "report".into();
    assert_eq!(report, check);
}

#[test]
fn other_report_commands_refuse_html_and_name_the_one_that_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shard.json");
    let (code, _, stderr) = touchpoint(&[
        "lint",
        "fixtures/dead-end",
        "--format",
        "json",
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let commands: [&[&str]; 5] = [
        &["check", "menus"],
        &["lint", "menus"],
        &["fuzz", "menus"],
        &["personas", "menus"],
        &["merge", saved.to_str().unwrap()],
    ];
    for args in commands {
        let mut args = args.to_vec();
        args.extend(["--format", "html"]);
        let (code, stdout, stderr) = touchpoint(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{args:?} wrote {stdout}");
        assert!(
            stderr.contains("--format html is written by `touchpoint report`"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_set_that_does_not_load_gives_a_page_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let (code, _, stderr) = touchpoint(&[
        "report",
        "fixtures/load-unknown-target",
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("The set did not load"));
    assert!(html.contains("main.yaml"), "{html}");
}

/// Each served journey's `inputs`, replayed from its flow's start with the
/// values its `when` names, ends where its `path` does.
#[test]
fn journeys_replay_along_their_path() {
    for set in ["fixtures/journeys-hours", "menus"] {
        let (_, stdout, stderr) = touchpoint(&["lint", set, "--format", "json"]);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
        let journeys = report["journeys"].as_array().unwrap();
        assert!(journeys.iter().any(|j| j["path"].is_array()), "{set}");
        for journey in journeys.iter().filter(|j| j["path"].is_array()) {
            let inputs: Vec<&str> = journey["inputs"]
                .as_array()
                .map(|a| a.iter().map(|i| i.as_str().unwrap()).collect())
                .unwrap_or_default();
            let mut args = vec![
                "replay".to_string(),
                set.to_string(),
                "--flow".to_string(),
                journey["flow"].as_str().unwrap().to_string(),
                "--channel".to_string(),
                journey["channel"].as_str().unwrap().to_string(),
                "--inputs".to_string(),
                // As `--inputs` takes a label with a comma in it.
                inputs
                    .iter()
                    .map(|i| i.replace('\\', "\\\\").replace(',', "\\,"))
                    .collect::<Vec<_>>()
                    .join(","),
                "--format".to_string(),
                "json".to_string(),
            ];
            if let Some(when) = journey["when"].as_str() {
                for pair in when.split(", ") {
                    args.extend(["--var".to_string(), pair.to_string()]);
                }
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = touchpoint(&args);
            assert_eq!(code, 0, "{args:?}: {stderr}");
            let transcript: Value = serde_json::from_str(&stdout).unwrap();
            let path = journey["path"].as_array().unwrap();
            assert_eq!(
                transcript["ending"]["node"],
                path[path.len() - 1],
                "{journey} {transcript}"
            );
            let entered: Vec<&Value> = transcript["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["event"] == "node")
                .map(|e| &e["node"])
                .collect();
            assert_eq!(entered.first().copied(), path.first(), "{journey}");
        }
    }
}

/// Two runs with the same seed write the same page, byte for byte.
#[test]
fn the_page_is_the_same_on_every_run() {
    let first = touchpoint(&["report", "menus", "--format", "html"]);
    let second = touchpoint(&["report", "menus", "--format", "html"]);
    assert_eq!(first.0, 0, "{}", first.2);
    assert!(first.1 == second.1, "the two pages differ");
}
