//! `check --mutate` through the binary: the mutation score in every report
//! format, `--min-score` as a gate, shards merged back into the unsharded
//! score, and `diff` comparing two versions' scores.

use crate::common;

use common::{copy_dir, project, touchpoint};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The `mutation` object of `check --mutate` on `set`, with `extra`
/// options.
fn check_mutation(set: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", set, "--mutate", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = touchpoint(&args);
    assert!(code == 0 || code == 1, "{err}");
    (code, json(&out)["mutation"].clone())
}

/// The report holds what `mutate` reports on the same set and seed, and no
/// `mutation` field without `--mutate`.
#[test]
fn check_mutate_reports_what_mutate_reports() {
    let (code, mutation) = check_mutation("fixtures/diff/v1", &[]);
    assert_eq!(code, 0);
    let (_, out, err) = touchpoint(&["mutate", "fixtures/diff/v1", "--format", "json"]);
    let alone = json(&out);
    assert!(err.is_empty(), "{err}");
    assert_eq!(mutation, alone);
    assert!(mutation["mutants"].as_u64().unwrap() > 0);
    assert!(!mutation["survivors"].as_array().unwrap().is_empty());

    let (_, out, _) = touchpoint(&["check", "fixtures/diff/v1", "--format", "json"]);
    assert!(json(&out).get("mutation").is_none());
}

/// A score below `--min-score` fails the run and every format says so; a
/// score at or above it does not; `--min-score` needs `--mutate`.
#[test]
fn min_score_fails_the_run_below_it() {
    let (_, mutation) = check_mutation("fixtures/diff/v1", &[]);
    let score = mutation["score"].as_f64().unwrap();
    assert!(score > 0.0 && score < 1.0, "{mutation:#}");
    let at = format!("{score}");
    let (code, mutation) = check_mutation("fixtures/diff/v1", &["--min-score", &at]);
    assert_eq!(code, 0, "a score equal to --min-score passes");
    assert_eq!(mutation["min_score"].as_f64(), Some(score));

    let (code, out, _) = touchpoint(&[
        "check",
        "fixtures/diff/v1",
        "--mutate",
        "--min-score",
        "100%",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("below --min-score 100.0%"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("failed:")), "{out}");

    let (code, _, err) = touchpoint(&["check", "fixtures/diff/v1", "--min-score", "0.5"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--mutate"), "{err}");
    let (code, _, err) = touchpoint(&["check", "fixtures/diff/v1", "--with-lint"]);
    assert_eq!(code, 2, "{err}");
}

/// Every report format shows the score and the survivors.
#[test]
fn every_format_shows_the_score_and_the_survivors() {
    let (_, mutation) = check_mutation("fixtures/diff/v1", &[]);
    let survivors = mutation["survivors"].as_array().unwrap();
    let first = survivors[0]["id"].as_str().unwrap();
    let percent = format!("{:.1}%", mutation["score"].as_f64().unwrap() * 100.0);
    let run = |format: &str| {
        let (code, out, err) =
            touchpoint(&["report", "fixtures/diff/v1", "--mutate", "--format", format]);
        assert_eq!(code, 0, "{err}");
        out
    };

    let human = run("human");
    assert!(
        human.contains(&format!("mutation score: {percent}")),
        "{human}"
    );
    assert!(human.contains(&format!("    {first} ")), "{human}");

    let markdown = run("markdown");
    assert!(
        markdown.contains(&format!("### Mutation score: {percent}")),
        "{markdown}"
    );
    assert!(markdown.contains(&format!("| {first} |")), "{markdown}");

    let junit = run("junit");
    assert!(
        junit.contains(&format!("mutation score {percent}")),
        "{junit}"
    );
    assert_eq!(
        junit.matches("classname=\"touchpoint.mutate.").count(),
        mutation["mutants"].as_u64().unwrap() as usize,
        "{junit}"
    );
    // Without --min-score the score fails nothing, so no survivor fails:
    // each passes with how a caller tells it apart as its output.
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(junit.contains(&format!("{first} survived: ")), "{junit}");

    let sarif = json(&run("sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let survived: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "mutant-survived")
        .collect();
    assert_eq!(survived.len(), survivors.len());
    assert!(survived.iter().all(|r| r["level"] == "warning"));
    assert_eq!(survived[0]["properties"]["mutant"], survivors[0]["id"]);
    assert!(sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "mutant-survived"));

    let html = run("html");
    assert!(html.contains("<section id=\"mutation\">"), "{html}");
    assert!(html.contains("href=\"#mutation\""));
    assert!(html.contains(&format!("<b>{first}</b>")));

    // Below --min-score, a survivor fails its JUnit case and is a SARIF
    // error.
    let below_min_score = |format: &str| {
        touchpoint(&[
            "check",
            "fixtures/diff/v1",
            "--mutate",
            "--min-score",
            "1",
            "--format",
            format,
        ])
        .1
    };
    let out = below_min_score("junit");
    assert!(out.contains("<failure"), "{out}");
    assert!(out.contains(&format!("{first} survived: ")), "{out}");
    let sarif = json(&below_min_score("sarif"));
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "mutant-survived")
        .all(|r| r["level"] == "error"));
}

/// The shards of `check --mutate --shard K/N` merge into the unsharded
/// run's score, and the merged report fails on the first shard's
/// `--min-score`.
#[test]
fn merged_shards_have_the_unsharded_score() {
    let dir = tempfile::tempdir().unwrap();
    let (_, whole) = check_mutation("menus", &["--runs", "20"]);
    let mut paths = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let path = dir.path().join(format!("shard-{}.json", &shard[..1]));
        let path_text = path.to_str().unwrap().to_string();
        let (code, _, err) = touchpoint(&[
            "check",
            "menus",
            "--runs",
            "20",
            "--mutate",
            "--min-score",
            "100%",
            "--shard",
            shard,
            "--format",
            "json",
            "-o",
            &path_text,
        ]);
        assert!(code == 0 || code == 1, "{err}");
        let part = json(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(part["mutation"]["shard"], shard);
        assert!(part["mutation"]["mutants"].as_u64() < whole["mutants"].as_u64());
        paths.push(path_text);
    }
    // Given in another order: the merge orders the mutants.
    paths.reverse();
    let mut args = vec!["merge"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let (code, out, err) = touchpoint(&args);
    let below = whole["score"].as_f64().unwrap() < 1.0;
    assert_eq!(
        code,
        i32::from(below),
        "the merged score against 100%: {err}"
    );
    let mut merged = json(&out)["mutation"].clone();
    assert_eq!(merged["min_score"].as_f64(), Some(1.0));
    merged.as_object_mut().unwrap().remove("min_score");
    assert_eq!(merged, whole);
}

/// Two sets: each side's score, and the mutants that newly survive, paired
/// by what they are. A persona removed lets the mutants it caught survive;
/// only `--fail-on mutation` fails on that.
#[test]
fn diff_reports_the_score_change_and_the_new_survivors() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    let new = dir.path().join("new");
    copy_dir(&project().join("fixtures/diff/v1"), &old);
    copy_dir(&project().join("fixtures/diff/v1"), &new);
    std::fs::remove_file(new.join("personas/payer.yaml")).unwrap();
    let (old_text, new_text) = (old.to_str().unwrap(), new.to_str().unwrap());

    let (code, out, err) = touchpoint(&["diff", old_text, new_text, "--format", "json"]);
    assert_eq!(code, 0, "a fall of the score fails only when asked: {err}");
    let diff = json(&out);
    let change = &diff["mutation"];
    let (_, old_score) = check_mutation(old_text, &[]);
    let (_, new_score) = check_mutation(new_text, &[]);
    for (side, score) in [("old", &old_score), ("new", &new_score)] {
        assert_eq!(change[side]["score"], score["score"], "{change:#}");
        assert_eq!(change[side]["mutants"], score["mutants"], "{change:#}");
        assert_eq!(change[side]["killed"], score["killed"], "{change:#}");
    }
    assert!(change["new"]["score"].as_f64() < change["old"]["score"].as_f64());
    // The newly surviving are exactly the new side's survivors the old side
    // killed.
    let killed_before: Vec<(&Value, &Value)> = old_score["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "killed")
        .map(|r| (&r["operator"], &r["description"]))
        .collect();
    let newly: Vec<&Value> = change["newly_surviving"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(!newly.is_empty(), "{change:#}");
    for mutant in &newly {
        assert!(killed_before.contains(&(&mutant["operator"], &mutant["description"])));
    }
    assert!(change["no_longer_surviving"].as_array().unwrap().is_empty());

    let (code, out, _) = touchpoint(&["diff", old_text, new_text, "--fail-on", "mutation"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the mutation score fell from"), "{out}");
    assert!(out.contains("mutation score:\n"), "{out}");
    let (_, markdown, _) = touchpoint(&["diff", old_text, new_text, "--format", "markdown"]);
    assert!(markdown.contains("**Mutation score: "), "{markdown}");
    assert!(markdown.contains("mutant(s) newly surviving"), "{markdown}");

    // The same set on both sides: the same score, nothing to fail.
    let (code, out, _) = touchpoint(&["diff", old_text, old_text, "--fail-on", "mutation"]);
    assert_eq!(code, 0, "{out}");
}

/// Saved reports compare by their `mutation` field; a report written
/// without `--mutate` has none, and the diff says so.
#[test]
fn diff_of_saved_reports_uses_their_mutation_field() {
    let dir = tempfile::tempdir().unwrap();
    let save = |set: &str, name: &str, mutate: bool| {
        let path = dir.path().join(name);
        let path_text = path.to_str().unwrap().to_string();
        let mut args = vec!["check", set, "--format", "json", "-o", &path_text];
        if mutate {
            args.push("--mutate");
        }
        let (_, _, err) = touchpoint(&args);
        assert!(path.is_file(), "{err}");
        path_text
    };
    let old = save("fixtures/diff/v1", "old.json", true);
    let new = save("fixtures/diff/v2", "new.json", true);
    let plain = save("fixtures/diff/v2", "plain.json", false);

    let diff_of = |a: &str, b: &str| {
        let (_, out, err) = touchpoint(&["diff", a, b, "--format", "json"]);
        let diff = json(&out);
        assert!(diff.get("regressions").is_some(), "{err}");
        diff
    };
    let saved = diff_of(&old, &new);
    let sets = diff_of("fixtures/diff/v1", "fixtures/diff/v2");
    assert!(saved["mutation"].is_object(), "{saved:#}");
    assert_eq!(saved["mutation"], sets["mutation"]);
    // A saved report against a set: the set is scored to match.
    assert_eq!(
        diff_of(&old, "fixtures/diff/v2")["mutation"],
        sets["mutation"]
    );

    let unscored = diff_of(&old, &plain);
    assert!(unscored.get("mutation").is_none(), "{unscored:#}");
    assert!(unscored["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .contains("only the old side has a mutation score")));
    // A set facing a report without a score is not scored at all.
    let unscored = diff_of("fixtures/diff/v1", &plain);
    assert!(unscored.get("mutation").is_none(), "{unscored:#}");
    assert!(unscored["notes"].as_array().is_none_or(|notes| notes
        .iter()
        .all(|n| !n.as_str().unwrap().contains("mutation"))));
}

/// A flow file named as PATH is scored on the mutants made in it; a file
/// without flows keeps the set's score.
#[test]
fn a_flow_file_is_scored_on_its_own_mutants() {
    let (_, whole) = check_mutation("menus", &["--runs", "20"]);
    let (_, file) = check_mutation("menus/phone/main.yaml", &["--runs", "20"]);
    let in_file: Vec<&Value> = whole["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["file"] == "phone/main.yaml")
        .collect();
    assert!(!in_file.is_empty());
    let results: Vec<&Value> = file["results"].as_array().unwrap().iter().collect();
    assert_eq!(results, in_file);
    let killed = in_file.iter().filter(|r| r["status"] == "killed").count();
    assert_eq!(file["killed"].as_u64(), Some(killed as u64));
    assert!(file["survivors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["file"] == "phone/main.yaml"));

    let persona_file = std::fs::read_dir(project().join("menus/personas"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let (_, personas) = check_mutation(persona_file.to_str().unwrap(), &["--runs", "20"]);
    assert_eq!(personas, whole);
}
