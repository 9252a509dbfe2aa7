//! `touchpoint diff` on a fixture pair, on saved reports, and on git
//! revisions of a repository the test creates.

use crate::common;

use common::{copy_dir, project, touchpoint, touchpoint_in};
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

/// v2 drops the fallback option, rewords the main prompt and adds a node.
fn assert_names_every_change(report: &Value) {
    let has = |list: &str, pred: &dyn Fn(&Value) -> bool| {
        report[list].as_array().unwrap().iter().any(pred)
    };
    assert!(
        has("removed", &|c| c["what"] == "option"
            && c["option"].as_str().unwrap().contains("Anything else")),
        "{report:#}"
    );
    assert!(
        has("added", &|c| c["what"] == "node"
            && c["node"] == "outage_message"),
        "{report:#}"
    );
    assert!(
        has("changed", &|c| c["node"] == "main_menu"
            && c["diff"].as_str().unwrap().contains("{+a power+}")),
        "{report:#}"
    );
    assert!(
        has("retargeted", &|c| c["node"] == "main_menu"
            && c["new"] == "outage_message"),
        "{report:#}"
    );
    assert!(
        has("findings_new", &|f| f["code"] == "no-fit"
            && f["intent"] == "water_pressure"),
        "{report:#}"
    );
    assert!(
        has("coverage", &|c| c["flow"] == "main"
            && c["new"].as_f64() < c["old"].as_f64()
            && c["newly_uncovered"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == "advisors")),
        "{report:#}"
    );
    assert!(
        has("personas", &|p| p["persona"] == "low-pressure-caller"
            && p["old_passed"] == true
            && p["new_passed"] == false),
        "{report:#}"
    );
    assert!(!report["regressions"].as_array().unwrap().is_empty());
}

#[test]
fn a_changed_version_is_a_regression_with_every_change_named() {
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_names_every_change(&report);
    // Both sides fuzzed alike: nothing to warn about.
    assert!(report.get("notes").is_none(), "{stdout}");
}

/// Two saved reports fuzzed with different seeds or budgets can differ in
/// what only the fuzzer found; the diff says so.
#[test]
fn reports_fuzzed_differently_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, seed: &str| {
        let path = dir.path().join(name);
        let (code, _, stderr) = touchpoint(&[
            "check",
            "fixtures/diff/v1",
            "--seed",
            seed,
            "--format",
            "json",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        path.to_str().unwrap().to_string()
    };
    let (one, two) = (save("a.json", "1"), save("b.json", "2"));
    let (_, human, _) = touchpoint(&["diff", &one, &two]);
    assert!(
        human.contains(
            "the old side fuzzed 500 customers with seed 1, the new side 500 with seed 2"
        ),
        "{human}"
    );
    let (_, same, _) = touchpoint(&["diff", &one, &one]);
    assert!(!same.contains("fuzzed"), "{same}");
}

#[test]
fn the_same_version_is_no_regression() {
    let (code, stdout, _) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    for list in [
        "added",
        "removed",
        "changed",
        "findings_new",
        "findings_fixed",
        "coverage",
        "personas",
        "regressions",
    ] {
        assert!(
            report[list].as_array().unwrap().is_empty(),
            "{list}: {report:#}"
        );
    }
}

#[test]
fn fail_on_picks_what_counts() {
    // Only warnings count: v2's new warning (the unreachable advisors) fails it.
    let (code, _, _) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v2",
        "--fail-on",
        "warnings",
    ]);
    assert_eq!(code, 1);
    // Nothing of that kind changed the other way round.
    let (code, stdout, _) = touchpoint(&[
        "diff",
        "fixtures/diff/v2",
        "fixtures/diff/v1",
        "--fail-on",
        "personas",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let (code, _, stderr) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v2",
        "--fail-on",
        "vibes",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown `vibes`"), "{stderr}");
}

#[test]
fn saved_reports_are_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("v1.json");
    let (code, _, stderr) = touchpoint(&[
        "check",
        "fixtures/diff/v1",
        "--format",
        "json",
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        saved.to_str().unwrap(),
        "fixtures/diff/v2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_names_every_change(&serde_json::from_str(&stdout).unwrap());
}

#[test]
fn markdown_and_human_renderings() {
    let (_, markdown, _) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v2",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("diff_markdown", markdown);
    let (_, human, _) = touchpoint(&["diff", "fixtures/diff/v1", "fixtures/diff/v2"]);
    insta::assert_snapshot!("diff_human", human);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn git_revisions_of_the_same_path() {
    let repo = two_version_repo();
    let (code, stdout, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD~1", "menus", "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_names_every_change(&report);
    assert_eq!(report["old"], "git:HEAD~1");
    // Both sides from git.
    let (code, _, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD~1", "git:HEAD", "--path", "menus"],
    );
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = touchpoint_in(repo.path(), &["diff", "git:nope", "menus"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("git:"), "{stderr}");
}

#[test]
fn git_head_against_the_working_tree_at_the_root() {
    // The set is the repository itself: `diff git:HEAD~1 .`.
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    copy_dir(&project().join("fixtures/diff/v1"), repo.path());
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "v1"]);
    std::fs::remove_dir_all(repo.path().join("personas")).unwrap();
    for file in ["main.yaml", "intents.yaml"] {
        std::fs::remove_file(repo.path().join(file)).unwrap();
    }
    copy_dir(&project().join("fixtures/diff/v2"), repo.path());
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "v2"]);
    let (code, stdout, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD~1", ".", "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_names_every_change(&serde_json::from_str(&stdout).unwrap());
}

/// A finding that was a warning and is now an error (its level raised in
/// the set's settings) fails the diff like a new error.
#[test]
fn a_warning_raised_to_an_error_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    common::copy_dir(Path::new("fixtures/diff/v2"), &old);
    common::copy_dir(Path::new("fixtures/diff/v2"), &new);
    std::fs::write(
        new.join("touchpoint.yaml"),
        "touchpoint:\n  levels: { unreachable: error }\n",
    )
    .unwrap();
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["findings_raised"][0]["code"], "unreachable",
        "{stdout}"
    );
    assert_eq!(report["findings_new"], serde_json::json!([]), "{stdout}");
    let regressions = report["regressions"].as_array().unwrap();
    assert!(
        regressions
            .iter()
            .any(|r| r.as_str().unwrap().contains(
                "unreachable at `advisors` (phone main) was a warning and is now an error"
            )),
        "{stdout}"
    );
    // The other way round is not a regression.
    let (code, _, stderr) = touchpoint(&["diff", new.to_str().unwrap(), old.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
}

fn diff_json(old: &str, new: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["diff", old, new, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = touchpoint(&args);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, report, stderr)
}

fn list<'a>(report: &'a Value, name: &str) -> &'a Vec<Value> {
    report[name]
        .as_array()
        .unwrap_or_else(|| panic!("no `{name}` list: {report:#}"))
}

/// v2 relabels key 2 of the main menu and removes a notice before billing.
/// The caller who is moving house meets the same no-fit at the main menu in
/// both versions, though its message lists the new label and it moved two
/// lines up: that is no new and no fixed finding, and no regression.
#[test]
fn a_relabel_and_an_unrelated_removal_are_no_regression() {
    let (code, report, stderr) = diff_json(
        "fixtures/diff-relabel/v1",
        "fixtures/diff-relabel/v2",
        &["--fail-on", "errors,warnings,personas,coverage"],
    );
    assert_eq!(code, 0, "{stderr}{report:#}");
    for name in ["findings_new", "findings_fixed", "regressions"] {
        assert!(list(&report, name).is_empty(), "{name}: {report:#}");
    }
    assert_eq!(
        list(&report, "relabelled"),
        &vec![serde_json::json!({
            "channel": "phone",
            "flow": "main",
            "node": "main_menu",
            "key": "2",
            "old": "Report an outage",
            "new": "Report a power cut",
            "to": "outage_line",
        })],
        "{report:#}"
    );
    // The relabelled option is neither removed nor added.
    for name in ["added", "removed"] {
        assert!(
            !list(&report, name).iter().any(|c| c["what"] == "option"),
            "{name}: {report:#}"
        );
    }
    assert!(
        list(&report, "removed")
            .iter()
            .any(|c| c["what"] == "node" && c["node"] == "billing_notice"),
        "{report:#}"
    );
    // A saved report is the same baseline: the identity survives JSON.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("v1.json");
    let (code, _, stderr) = touchpoint(&[
        "check",
        "fixtures/diff-relabel/v1",
        "--format",
        "json",
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let (code, report, stderr) =
        diff_json(saved.to_str().unwrap(), "fixtures/diff-relabel/v2", &[]);
    assert_eq!(code, 0, "{stderr}{report:#}");
    assert!(list(&report, "findings_new").is_empty(), "{report:#}");
    assert_eq!(list(&report, "relabelled").len(), 1, "{report:#}");
}

#[test]
fn a_relabel_is_shown_in_human_and_markdown() {
    let (code, human, stderr) = touchpoint(&[
        "diff",
        "fixtures/diff-relabel/v1",
        "fixtures/diff-relabel/v2",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        human.contains(
            "`main_menu`: key 2 relabelled \"Report an outage\" → \"Report a power cut\" (to `outage_line`)"
        ),
        "{human}"
    );
    assert!(!human.contains("new findings"), "{human}");
    let (_, markdown, _) = touchpoint(&[
        "diff",
        "fixtures/diff-relabel/v1",
        "fixtures/diff-relabel/v2",
        "--format",
        "markdown",
    ]);
    assert!(
        markdown.contains("key 2 relabelled \"Report an outage\" → \"Report a power cut\""),
        "{markdown}"
    );
}

/// v3 adds a key whose message leads nowhere: that dead end is the one new
/// finding, and the no-fit both versions share (whose message now lists
/// four options) is neither new nor fixed.
#[test]
fn a_real_new_finding_is_still_a_regression() {
    let (code, report, stderr) =
        diff_json("fixtures/diff-relabel/v2", "fixtures/diff-relabel/v3", &[]);
    assert_eq!(code, 1, "{stderr}{report:#}");
    let new: Vec<(&str, &str)> = list(&report, "findings_new")
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["node"].as_str().unwrap()))
        .collect();
    assert_eq!(new, vec![("dead-end", "meter_message")], "{report:#}");
    assert!(list(&report, "findings_fixed").is_empty(), "{report:#}");
    // The new key is also read out to every caller before their own:
    // 2.5 s more on a 9.9 s way to be served, a rise the time gate fails.
    let regressions: Vec<&str> = list(&report, "regressions")
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(regressions.len(), 2, "{report:#}");
    assert!(regressions[0].starts_with("new error dead-end at `meter_message`"));
    assert!(
        regressions[1].starts_with("the mean (every intent counting once) time to be served on phone rose from 9.9 s to 12.4 s (+25.3%"),
        "{report:#}"
    );
}

/// On the web a link is known by its label. A link renamed in place (the
/// same place in its menu, the same target) is relabelled, and a finding
/// about it is the same finding under its new name.
#[test]
fn a_web_link_renamed_in_place_is_relabelled() {
    let (code, report, stderr) = diff_json(
        "fixtures/diff-relabel-web/v1",
        "fixtures/diff-relabel-web/v2",
        &["--fail-on", "errors,warnings"],
    );
    assert_eq!(code, 0, "{stderr}{report:#}");
    assert_eq!(
        list(&report, "relabelled"),
        &vec![serde_json::json!({
            "channel": "web",
            "flow": "selfservice",
            "node": "home",
            "old": "Report an outage",
            "new": "Report a power cut",
            "to": "outage_map",
        })],
        "{report:#}"
    );
    for name in ["findings_new", "findings_fixed", "added", "removed"] {
        assert!(list(&report, name).is_empty(), "{name}: {report:#}");
    }
}

/// A repository whose first commit has v1 of `fixtures/diff` as `menus` and
/// whose second has v2.
fn two_version_repo() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    copy_dir(
        &project().join("fixtures/diff/v1"),
        &repo.path().join("menus"),
    );
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "v1"]);
    std::fs::remove_dir_all(repo.path().join("menus")).unwrap();
    copy_dir(
        &project().join("fixtures/diff/v2"),
        &repo.path().join("menus"),
    );
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "v2"]);
    repo
}

/// git runs in the repository that holds the path, so `diff git:REV PATH`
/// works from any directory: here from the project (another repository, or
/// none) with an absolute path, and from the repository's parent with a
/// relative one.
#[test]
fn git_sides_work_from_outside_the_repository() {
    let repo = two_version_repo();
    let menus = repo.path().join("menus");
    let (code, stdout, stderr) = touchpoint(&[
        "diff",
        "git:HEAD~1",
        menus.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_names_every_change(&serde_json::from_str(&stdout).unwrap());
    let parent = repo.path().parent().unwrap();
    let name = repo.path().file_name().unwrap().to_str().unwrap();
    let relative = format!("{name}/menus");
    let (code, stdout, stderr) = touchpoint_in(
        parent,
        &["diff", "git:HEAD~1", &relative, "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_names_every_change(&serde_json::from_str(&stdout).unwrap());
    // Both sides from git, the path given from outside.
    let (code, stdout, stderr) = touchpoint_in(
        parent,
        &[
            "diff",
            "git:HEAD~1",
            "git:HEAD",
            "--path",
            &relative,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_names_every_change(&serde_json::from_str(&stdout).unwrap());
}

/// A pull request that adds the set: at the base revision it does not exist,
/// so everything is new (its errors fail the diff as new errors do), not a
/// failure to run.
#[test]
fn a_set_missing_at_the_base_revision_is_all_new() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    std::fs::write(repo.path().join("README"), "a repository\n").unwrap();
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "start"]);
    copy_dir(
        &project().join("fixtures/diff-relabel/v2"),
        &repo.path().join("menus"),
    );
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "add the set"]);
    let (code, stdout, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD~1", "menus", "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        list(&report, "added")
            .iter()
            .any(|c| c["what"] == "flow" && c["flow"] == "main"),
        "{report:#}"
    );
    assert!(
        list(&report, "findings_new")
            .iter()
            .any(|f| f["code"] == "no-fit" && f["node"] == "main_menu"),
        "{report:#}"
    );
    assert!(list(&report, "findings_fixed").is_empty(), "{report:#}");
    assert!(
        list(&report, "notes")
            .iter()
            .any(|n| n
                == "the old side (`git:HEAD~1`) has no flows: everything on the new side is new"),
        "{report:#}"
    );
    // Both sides from git: the same.
    let (code, _, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD~1", "git:HEAD", "--path", "menus"],
    );
    assert_eq!(code, 1, "{stderr}");
    // A revision that does not exist is still an error.
    let (code, _, stderr) = touchpoint_in(repo.path(), &["diff", "git:nope", "menus"]);
    assert_eq!(code, 2, "{stderr}");
}

/// A menu nobody reaches is judged as written, and its faults are the same
/// findings once it is linked: linking it makes its `unreachable` warning
/// fixed, not its duplicate key new.
#[test]
fn linking_a_menu_does_not_make_its_known_faults_new() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    common::copy_dir(Path::new("fixtures/static-rules-unreachable"), &old);
    common::copy_dir(Path::new("fixtures/static-rules-unreachable"), &new);
    let text = std::fs::read_to_string(new.join("main.yaml")).unwrap();
    let linked = text
        .replace(
            "To report a power outage, press 2.\n",
            "To report a power outage, press 2. For storm damage, press 3.\n",
        )
        .replace(
            "        goto: outage_line\n\n  storm_menu:",
            "        goto: outage_line\n      - key: \"3\"\n        goto: storm_menu\n\n  storm_menu:",
        );
    assert_ne!(
        linked.matches("storm_menu").count(),
        text.matches("storm_menu").count()
    );
    std::fs::write(new.join("main.yaml"), linked).unwrap();
    let (_, stdout, stderr) = touchpoint(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let about_storm_menu = |list: &str, code: &str| {
        report[list]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == code && f["node"] == "storm_menu")
    };
    assert!(
        about_storm_menu("findings_fixed", "unreachable"),
        "{stdout}"
    );
    assert!(
        !about_storm_menu("findings_new", "duplicate-key"),
        "{stdout}"
    );
    assert!(
        !about_storm_menu("findings_fixed", "duplicate-key"),
        "{stdout}"
    );
}

/// A side that does not load stops the diff (exit 2), and the output asked
/// for says so: the comment a CI bot posts names the side, and each mistake
/// at its file, line and column; JSON carries the same errors; human text
/// goes to `-o FILE` as well as to standard error.
#[test]
fn a_side_that_does_not_load_is_reported_in_the_format_asked_for() {
    let broken = "fixtures/load-multiple-errors";
    let dir = tempfile::tempdir().unwrap();
    for format in ["markdown", "json", "human"] {
        let out = dir.path().join(format!("diff.{format}"));
        let (code, stdout, stderr) = touchpoint(&[
            "diff",
            "menus",
            broken,
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert!(stdout.is_empty(), "{format}: {stdout}");
        assert!(
            stderr.contains("the new side `fixtures/load-multiple-errors` did not load")
                && stderr.contains("main.yaml:15:15"),
            "{format}: {stderr}"
        );
        let written = std::fs::read_to_string(&out)
            .unwrap_or_else(|e| panic!("{format}: nothing written: {e}"));
        assert!(!written.contains('\u{1b}'), "{format}: colour in a file");
        match format {
            "json" => {
                let report: Value = serde_json::from_str(&written).unwrap();
                assert_eq!(report["command"], "diff");
                assert_eq!(report["set"], broken);
                let places: Vec<(u64, u64)> = list(&report, "errors")
                    .iter()
                    .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_u64().unwrap()))
                    .collect();
                assert_eq!(places, [(3, 1), (15, 15), (24, 14)]);
            }
            _ => {
                for place in ["main.yaml:3:1", "main.yaml:15:15", "main.yaml:24:14"] {
                    assert!(written.contains(place), "{format}: {written}");
                }
                assert!(written.contains("billing_lnie"), "{format}: {written}");
            }
        }
        if format == "markdown" {
            assert!(
                written.starts_with("## touchpoint diff: ❌ could not load the set")
                    && written.contains(&format!("`{broken}`")),
                "{written}"
            );
        }
    }
    // A side that is no set at all is an error about that side.
    let (code, stdout, stderr) = touchpoint(&["diff", "no-such-set", "menus", "--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["set"], "no-such-set");
    assert!(!list(&report, "errors").is_empty(), "{report:#}");
}

/// The sample set in a repository, committed, then changed in its phone
/// flow (a reworded welcome) and in its web flow (a reworded home menu and
/// a page nothing leads to).
fn sample_set_changed_in_two_files() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    let menus = repo.path().join("menus");
    copy_dir(&project().join("menus"), &menus);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "sample"]);
    let edit = |file: &str, from: &str, to: &str| {
        let path = menus.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "phone/main.yaml",
        "Thank you for calling",
        "Thanks for calling",
    );
    edit(
        "web/selfservice.yaml",
        "How can we help you today?",
        "What can we do for you?",
    );
    let web = menus.join("web/selfservice.yaml");
    let mut text = std::fs::read_to_string(&web).unwrap();
    text.push_str("\n  orphan_page:\n    end: Nobody comes here.\n");
    std::fs::write(&web, text).unwrap();
    repo
}

/// Everything a diff report lists, as (what, channel, flow).
fn everything_listed(report: &Value) -> Vec<(String, String, String)> {
    let mut listed = Vec::new();
    for name in [
        "added",
        "removed",
        "changed",
        "retargeted",
        "relabelled",
        "findings_new",
        "findings_fixed",
        "coverage",
    ] {
        for item in list(report, name) {
            listed.push((
                name.to_string(),
                item["channel"].as_str().unwrap_or_default().to_string(),
                item["flow"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    listed
}

/// `diff` of one flow file reads each side as part of its set, as `lint`
/// does, and compares that file only: its flow's changes and findings, not
/// those of the set's other files. A `git:REV` side reads the set the file
/// belongs to at that revision.
#[test]
fn a_diff_of_one_file_is_about_that_file_within_its_set() {
    let repo = sample_set_changed_in_two_files();
    let old = tempfile::tempdir().unwrap();
    copy_dir(&project().join("menus"), &old.path().join("menus"));
    let old_file = old.path().join("menus/phone/main.yaml");
    let runs: &[&[&str]] = &[
        &["diff", "git:HEAD", "menus/phone/main.yaml"],
        &["diff", old_file.to_str().unwrap(), "menus/phone/main.yaml"],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let (code, stdout, stderr) = touchpoint_in(repo.path(), &args);
        assert_eq!(code, 0, "{args:?}: {stderr}{stdout}");
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(report["file"], "phone/main.yaml", "{args:?}");
        let listed = everything_listed(&report);
        assert_eq!(
            listed,
            [(
                "changed".to_string(),
                "phone".to_string(),
                "main".to_string()
            )],
            "{args:?}: only the reworded welcome of the file: {report:#}"
        );
        assert_eq!(list(&report, "changed")[0]["node"], "welcome");
    }
    // The whole set shows the web flow's changes too, and its new page.
    let (code, stdout, stderr) = touchpoint_in(
        repo.path(),
        &["diff", "git:HEAD", "menus", "--format", "json"],
    );
    assert!(code <= 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report.get("file").is_none());
    let listed = everything_listed(&report);
    for (what, channel) in [
        ("changed", "web"),
        ("added", "web"),
        ("findings_new", "web"),
    ] {
        assert!(
            listed.iter().any(|(w, c, _)| w == what && c == channel),
            "{what} in {channel}: {listed:?}"
        );
    }
    // People and the CI comment see which file was compared.
    let (_, human, _) = touchpoint_in(repo.path(), &["diff", "git:HEAD", "menus/phone/main.yaml"]);
    assert!(
        human.starts_with(
            "touchpoint diff git:HEAD → menus/phone/main.yaml (file phone/main.yaml of the set)"
        ),
        "{human}"
    );
}

/// v2 renames two nodes and changes nothing else, one of them a dead end:
/// the renames are listed as renames, not as nodes removed and added or
/// options retargeted, and the dead end is the same finding under its new
/// id, so nothing is new or fixed and nothing regresses.
#[test]
fn a_pure_node_rename_is_no_regression() {
    let (code, report, stderr) = diff_json(
        "fixtures/diff-rename/v1",
        "fixtures/diff-rename/v2",
        &["--fail-on", "errors,warnings,personas,coverage"],
    );
    assert_eq!(code, 0, "{stderr}{report:#}");
    assert_eq!(
        list(&report, "renamed"),
        &vec![
            serde_json::json!({"channel": "phone", "flow": "main", "old": "billing_notice", "new": "billing_news"}),
            serde_json::json!({"channel": "phone", "flow": "main", "old": "meter_message", "new": "meter_notice"}),
        ],
        "{report:#}"
    );
    for name in [
        "added",
        "removed",
        "retargeted",
        "findings_new",
        "findings_fixed",
        "regressions",
        "coverage",
    ] {
        assert!(list(&report, name).is_empty(), "{name}: {report:#}");
    }
    let (code, human, stderr) =
        touchpoint(&["diff", "fixtures/diff-rename/v1", "fixtures/diff-rename/v2"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        human.contains("renamed node `meter_message` to `meter_notice` in phone `main`"),
        "{human}"
    );
    let (_, markdown, _) = touchpoint(&[
        "diff",
        "fixtures/diff-rename/v1",
        "fixtures/diff-rename/v2",
        "--format",
        "markdown",
    ]);
    assert!(
        markdown.contains("| renamed nodes | 2 |")
            && markdown
                .contains("- renamed node `meter_message` to `meter_notice` in phone `main`"),
        "{markdown}"
    );
}

/// A node renamed and given new words is not a rename: it is removed and
/// another added, and its dead end under the new id is new.
#[test]
fn a_node_renamed_and_edited_is_removed_and_added() {
    let (code, report, stderr) =
        diff_json("fixtures/diff-rename/v1", "fixtures/diff-rename/v3", &[]);
    assert_eq!(code, 1, "{stderr}{report:#}");
    assert!(list(&report, "renamed").is_empty(), "{report:#}");
    let nodes = |name: &str| -> Vec<String> {
        list(&report, name)
            .iter()
            .filter(|c| c["what"] == "node")
            .map(|c| c["node"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(nodes("added"), vec!["meter_notice"], "{report:#}");
    assert_eq!(nodes("removed"), vec!["meter_message"], "{report:#}");
    assert_eq!(list(&report, "findings_new").len(), 1, "{report:#}");
}

/// The only change is a relabelled link: the pull-request comment draws its
/// flow with the node that holds the link outlined as changed.
#[test]
fn a_relabelled_option_outlines_its_node_in_the_diagram() {
    let (_, markdown, stderr) = touchpoint(&[
        "diff",
        "fixtures/diff-relabel-web/v1",
        "fixtures/diff-relabel-web/v2",
        "--format",
        "markdown",
    ]);
    assert!(
        markdown.contains("diagram of web `selfservice`")
            && markdown.contains("  n0[\"home<br/>")
            && markdown.contains("  class n0 changed\n"),
        "{stderr}{markdown}"
    );
}

/// Two crossed wires on one menu are two defects: the finding names its
/// option in `about`, so rewiring key 2 correctly while crossing key 1 is a
/// fixed finding and a new one, not the same finding unchanged.
#[test]
fn a_crossed_option_moving_to_another_key_is_one_fixed_and_one_new() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    common::copy_dir(Path::new("fixtures/crossed-option"), &old);
    common::copy_dir(Path::new("fixtures/crossed-option"), &new);
    let text = std::fs::read_to_string(new.join("main.yaml")).unwrap();
    // Key 2 (IRA) now hears of IRA; key 1 (401K) hears of IRA instead.
    let swapped = text
        .replace(
            "  rollover_intro:\n    say: Please hold while we connect you to a 401K specialist.",
            "  rollover_intro:\n    say: Please hold while we connect you to an IRA specialist.",
        )
        .replace(
            "  plan_transfer_intro:\n    say: Connecting you to a 401K specialist.",
            "  plan_transfer_intro:\n    say: Connecting you to an IRA specialist.",
        );
    assert_eq!(swapped.matches("an IRA specialist").count(), 2, "{swapped}");
    std::fs::write(new.join("main.yaml"), swapped).unwrap();
    let (_, stdout, stderr) = touchpoint(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let crossed = |list: &str| -> Vec<String> {
        report[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "crossed-option")
            .map(|f| f["about"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(crossed("findings_fixed"), ["key 2"], "{stdout}");
    assert_eq!(crossed("findings_new"), ["key 1"], "{stdout}");
}

/// Saved reports with caller time: `old.json` against versions where the
/// 18% of phone callers who want `claim_status` wait 41 s, 50 s or 63 s.
const TIME: &str = "fixtures/diff-time";

fn time_side(name: &str) -> String {
    format!("{TIME}/{name}.json")
}

/// 41 s → 63 s for 18% of the demand raises the phone's demand-weighted
/// mean by 14%, more than the default 10%: exit 1, with the sentence and
/// the numbers.
#[test]
fn caller_time_beyond_the_limit_is_a_regression() {
    let (code, human, stderr) = touchpoint(&["diff", &time_side("old"), &time_side("slower")]);
    assert_eq!(code, 1, "{human}{stderr}");
    assert!(
        human.contains("This change makes the 18% of phone callers who want `claim_status` wait 22 s longer before they are served (41 s → 63 s)."),
        "{human}"
    );
    assert!(
        human.contains("the demand-weighted mean time to be served on phone rose from 28.6 s to 32.6 s (+14.0%, more than 10%), over the 4 intents served on both sides; slower: `claim_status`"),
        "{human}"
    );
    let (code, report, _) = diff_json(&time_side("old"), &time_side("slower"), &[]);
    assert_eq!(code, 1);
    let phone = &list(&report, "demand")[0];
    assert_eq!(phone["channel"], "phone");
    assert!(phone.get("customer_type").is_none());
    assert_eq!(phone["served_on_both"]["old_mean_seconds"], 28.6);
    assert_eq!(phone["served_on_both"]["new_mean_seconds"], 32.6);
    assert_eq!(phone["served_on_both"]["percent"], 14.0);
    assert_eq!(phone["old"]["mean_seconds_to_served"], 28.6);
    // One entry per customer type besides all customers.
    assert_eq!(list(&report, "demand").len(), 3, "{report:#}");
    let intents = list(&report, "intents");
    assert_eq!(intents.len(), 1, "{report:#}");
    let claim = &intents[0];
    assert_eq!(
        (
            &claim["intent"],
            &claim["old"]["seconds"],
            &claim["new"]["seconds"],
            &claim["seconds"],
            &claim["percent"],
            &claim["new"]["share"]
        ),
        (
            &Value::from("claim_status"),
            &Value::from(41.0),
            &Value::from(63.0),
            &Value::from(22.0),
            &Value::from(53.7),
            &Value::from(0.18)
        )
    );
}

/// 41 s → 50 s raises the mean by 5.9%: within the default 10%, beyond 5%.
/// `10`, `10%` and the default are the same limit; `--fail-on` without
/// `time` does not gate on it.
#[test]
fn max_time_increase_decides() {
    let (old, within) = (time_side("old"), time_side("within"));
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", old.as_str(), within.as_str()];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = touchpoint(&args);
        (code, format!("{stdout}{stderr}"))
    };
    let (code, text) = run(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("wait 9 s longer"), "{text}");
    for limit in ["5", "5%", " 5 %"] {
        let (code, text) = run(&["--max-time-increase", limit]);
        assert_eq!(code, 1, "{limit}: {text}");
        assert!(text.contains("(+5.9%, more than 5%)"), "{text}");
    }
    assert_eq!(run(&["--max-time-increase", "10%"]).0, 0);
    assert_eq!(
        run(&["--max-time-increase", "5", "--fail-on", "errors"]).0,
        0
    );
    for bad in [
        "--max-time-increase=-5",
        "--max-time-increase=nan",
        "--max-time-increase=ten",
    ] {
        let (code, text) = run(&[bad]);
        assert_eq!(code, 2, "{bad}: {text}");
    }
}

/// Without demand on either side (no volumes measured), journeys are
/// compared with every intent counting once, and the sentences name the
/// callers without a share.
#[test]
fn journeys_alone_are_compared_unweighted() {
    let (code, human, stderr) = touchpoint(&[
        "diff",
        &time_side("old-journeys-only"),
        &time_side("slower-journeys-only"),
    ]);
    assert_eq!(code, 1, "{human}{stderr}");
    assert!(
        human.contains("This change makes phone callers who want `claim_status` wait 22 s longer before they are served (41 s → 63 s)."),
        "{human}"
    );
    assert!(
        human.contains("the mean (every intent counting once) time to be served on phone rose from 29.0 s to 34.5 s (+19.0%, more than 10%)"),
        "{human}"
    );
    assert!(!human.contains("no demand figures"), "{human}");
}

/// An old report saved before demand was measured is compared with the
/// new one on both sides' journeys, and says so; one saved before journeys
/// is not compared at all, and says so rather than passing in silence.
#[test]
fn an_old_report_without_demand_falls_back_or_says_it_cannot_compare() {
    let (code, report, _) = diff_json(&time_side("old-journeys-only"), &time_side("slower"), &[]);
    assert_eq!(code, 1, "{report:#}");
    let notes = list(&report, "notes");
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("the old side has no demand figures")),
        "{report:#}"
    );
    assert_eq!(list(&report, "demand")[0]["new"]["weighted"], false);
    let (code, report, _) = diff_json(&time_side("old-before-journeys"), &time_side("slower"), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(list(&report, "demand").is_empty() && list(&report, "intents").is_empty());
    assert!(
        list(&report, "notes").iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("caller time is not compared: the old side has no journeys")),
        "{report:#}"
    );
}

/// `find_doctor` newly not served fails as `unserved`; intents on one side
/// only are listed as new or gone, never as a change from zero.
#[test]
fn callers_newly_not_served_fail_and_one_sided_intents_are_listed_as_such() {
    let (old, mixed) = (time_side("old"), time_side("mixed"));
    let (code, report, _) = diff_json(&old, &mixed, &["--fail-on", "unserved"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        list(&report, "regressions"),
        &vec![Value::from(
            "phone callers who want `find_doctor` were all served and now some or all are not (30% of phone demand)"
        )]
    );
    let intents = list(&report, "intents");
    let order: Vec<&str> = intents
        .iter()
        .map(|i| i["intent"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "find_doctor",
            "renew_card",
            "old_letter",
            "claim_status",
            "pay_bill"
        ]
    );
    assert!(intents[1].get("old").is_none() && intents[1].get("seconds").is_none());
    assert!(intents[2].get("new").is_none() && intents[2].get("seconds").is_none());
    let (code, _, _) = diff_json(
        &old,
        &mixed,
        &["--fail-on", "time", "--max-time-increase", "20"],
    );
    assert_eq!(code, 0);
}

#[test]
fn caller_time_in_markdown_and_human() {
    let (old, mixed) = (time_side("old"), time_side("mixed"));
    let (_, markdown, _) = touchpoint(&["diff", &old, &mixed, "--format", "markdown"]);
    insta::assert_snapshot!("diff_time_markdown", markdown);
    let (_, human, _) = touchpoint(&["diff", &old, &mixed]);
    insta::assert_snapshot!("diff_time_human", human);
    // Nothing changed: one line says so.
    let (code, markdown, _) = touchpoint(&["diff", &old, &old, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        markdown
            .contains("No change: every intent has the outcome and the time to be served it had."),
        "{markdown}"
    );
}
