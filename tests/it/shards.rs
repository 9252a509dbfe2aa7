//! Sharding: four shards of a run, merged, are byte for byte the report of
//! the unsharded run.

use crate::common;

use common::touchpoint;

fn merged_equals_unsharded(set: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (full_code, full, _) = touchpoint(&["check", set, "--runs", "700", "--format", "json"]);
    let mut shards = Vec::new();
    for k in 1..=4 {
        let path = dir.path().join(format!("shard{k}.json"));
        let shard = format!("{k}/4");
        let (_, _, stderr) = touchpoint(&[
            "check",
            set,
            "--runs",
            "700",
            "--shard",
            &shard,
            "--format",
            "json",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(path.is_file(), "{stderr}");
        shards.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge", "--format", "json"];
    args.extend(shards.iter().map(String::as_str));
    let (merged_code, merged, stderr) = touchpoint(&args);
    assert_eq!(merged_code, full_code, "{stderr}");
    assert_eq!(
        merged, full,
        "merged shards differ from the unsharded report for {set}"
    );
}

#[test]
fn four_shards_merge_into_the_unsharded_report() {
    merged_equals_unsharded("menus");
    merged_equals_unsharded("fixtures/personas-outcomes");
    merged_equals_unsharded("fixtures/unhandled-input");
    // A run on one file of a set: the shards name the file, as the run does.
    merged_equals_unsharded("menus/phone/main.yaml");
    // Findings lint and the fuzzer both make (a goal-directed loop, a
    // misleading option) are one finding in every shard and when merged.
    merged_equals_unsharded("fixtures/trap-goal-loop");
    merged_equals_unsharded("fixtures/misleading-option");
    // One closed-transfer per transfer, whichever shard walks its worlds.
    merged_equals_unsharded("fixtures/closed-transfer");
    // The demand figures, weighted by customer type, come out of every
    // shard's walk and merge into the unsharded figures.
    merged_equals_unsharded("fixtures/demand-weighted");
}

use crate::common::generated_set;

/// Generated sets (options sharing a label or a key, sub-flows, variables,
/// personas) through the binary: the shards written to files and merged are
/// the unsharded report. tests/it/properties.rs checks many more through the
/// library.
#[test]
fn four_shards_of_generated_sets_merge_into_the_unsharded_report() {
    for seed in [1, 2, 3, 4] {
        let generated = generated_set::generate(seed);
        let dir = tempfile::tempdir().unwrap();
        generated.write_to(dir.path()).unwrap();
        // A set that did not load would merge equal too, vacuously.
        touchpoint::loader::load_set(dir.path()).expect("the generated set loads");
        merged_equals_unsharded(dir.path().to_str().unwrap());
    }
}

#[test]
fn bad_shards_and_mismatched_reports_are_refused() {
    for bad in ["0/4", "5/4", "x", "2/0"] {
        let (code, _, stderr) = touchpoint(&["check", "--shard", bad]);
        assert_eq!(code, 2, "{bad}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    touchpoint(&[
        "check",
        "fixtures/dead-end",
        "--format",
        "json",
        "-o",
        a.to_str().unwrap(),
    ]);
    touchpoint(&[
        "check",
        "fixtures/trap",
        "--format",
        "json",
        "-o",
        b.to_str().unwrap(),
    ]);
    let (code, _, stderr) = touchpoint(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not shards of one run"), "{stderr}");

    // Shards of runs on two files of one set are two runs.
    for (file, shard, out) in [
        ("menus/phone/main.yaml", "1/2", &a),
        ("menus/web/selfservice.yaml", "2/2", &b),
    ] {
        let (code, _, stderr) = touchpoint(&[
            "check",
            file,
            "--runs",
            "50",
            "--shard",
            shard,
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(code < 2, "{stderr}");
    }
    let (code, _, stderr) = touchpoint(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not shards of one run")
            && stderr.contains("menus/phone/main.yaml (in set menus)"),
        "{stderr}"
    );
}

/// Writes shard `k` of 4 of `check fixtures/unhandled-input` into `dir`.
fn shard_report(dir: &std::path::Path, shard: &str) -> String {
    let path = dir.join(format!("shard{}.json", shard.replace('/', "of")));
    let (_, _, stderr) = touchpoint(&[
        "check",
        "fixtures/unhandled-input",
        "--runs",
        "700",
        "--shard",
        shard,
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(path.is_file(), "{stderr}");
    path.to_str().unwrap().to_string()
}

/// Merging one shard twice would count its fuzz runs and personas twice:
/// refused, as are shards of runs split differently and a whole run merged
/// with itself.
#[test]
fn a_shard_given_twice_or_splits_that_differ_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one = shard_report(dir.path(), "1/4");
    let two = shard_report(dir.path(), "2/4");
    let (code, stdout, stderr) = touchpoint(&["merge", &one, &two, &one]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("shard 1/4 is given twice"), "{stderr}");
    let half = shard_report(dir.path(), "1/2");
    let (code, _, stderr) = touchpoint(&["merge", &two, &half]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("shard 2/4 and shard 1/2 split the run differently"),
        "{stderr}"
    );
    let whole = dir.path().join("whole.json");
    touchpoint(&[
        "check",
        "fixtures/unhandled-input",
        "--format",
        "json",
        "-o",
        whole.to_str().unwrap(),
    ]);
    let whole = whole.to_str().unwrap();
    let (code, _, stderr) = touchpoint(&["merge", whole, whole]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the whole run is given twice"), "{stderr}");
}

/// Shards that are missing are not an error (a CI job may have failed), but
/// the merged report says which, in JSON and in human output.
#[test]
fn missing_shards_are_noted() {
    let dir = tempfile::tempdir().unwrap();
    let one = shard_report(dir.path(), "1/4");
    let three = shard_report(dir.path(), "3/4");
    let expected = "shards 2/4 and 4/4 are missing: this report has the fuzz runs and personas of 2 of the 4 shards";
    assert_merged_notes_include(&[&one, &three], expected);
    let (_, human, _) = touchpoint(&["merge", &one, &three]);
    assert!(human.contains(expected), "{human}");
}

/// Shards of one set written at two moments, the set edited between them:
/// their findings belong to two versions, so merging them is refused.
#[test]
fn shards_of_different_contents_of_one_set_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    let shard = |version: &str, shard: &str, out: &str| {
        if set.exists() {
            std::fs::remove_dir_all(&set).unwrap();
        }
        common::copy_dir(&common::project().join(version), &set);
        let (_, _, stderr) = common::touchpoint_in(
            dir.path(),
            &[
                "check", "set", "--shard", shard, "--format", "json", "-o", out,
            ],
        );
        assert!(dir.path().join(out).is_file(), "{stderr}");
    };
    shard("fixtures/diff-rename/v1", "1/2", "one.json");
    shard("fixtures/diff-rename/v3", "2/2", "two.json");
    let (code, stdout, stderr) =
        common::touchpoint_in(dir.path(), &["merge", "one.json", "two.json"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("shard 1/2 and shard 2/2 are of different contents of `set`"),
        "{stderr}"
    );
    // The same version on both sides merges.
    shard("fixtures/diff-rename/v1", "2/2", "two.json");
    let (code, _, stderr) = common::touchpoint_in(dir.path(), &["merge", "one.json", "two.json"]);
    assert_eq!(code, 1, "{stderr}");
}

/// A merged report has no set loaded, yet every replay command it prints
/// names the set and runs as printed, ending where its finding says; every
/// finding names its file, line and column, with no excerpt to show them.
#[test]
fn replay_commands_of_a_merged_report_run_as_printed() {
    for set in [
        "fixtures/unhandled-input",
        "fixtures/trap",
        "fixtures/personas-failing",
    ] {
        replays_of_merged_shards_run(set);
    }
}

fn replays_of_merged_shards_run(set: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut shards = Vec::new();
    for k in 1..=2 {
        let path = dir.path().join(format!("shard{k}.json"));
        let (_, _, stderr) = touchpoint(&[
            "check",
            set,
            "--runs",
            "300",
            "--shard",
            &format!("{k}/2"),
            "--format",
            "json",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(path.is_file(), "{stderr}");
        shards.push(path.to_str().unwrap().to_string());
    }
    let (_, human, stderr) = touchpoint(&["merge", &shards[0], &shards[1]]);
    let (_, json, _) = touchpoint(&["merge", &shards[0], &shards[1], "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert!(!human.contains("replay ''"), "{human}");
    common::run_printed_replays(&common::project(), &human, &report);
    for f in report["findings"].as_array().unwrap() {
        let place = format!(
            "  at: {}:{}:{}\n",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        assert!(human.contains(&place), "no `{place}` in {human}");
    }
}

/// A split no CI matrix makes is refused where it is typed, and a report
/// that claims a shard no split has is refused by merge; many missing
/// shards are named a few at a time, so merging one shard of twenty takes
/// no time and says what is missing in one readable line.
#[test]
fn shard_counts_are_bounded_and_many_missing_shards_are_summed_up() {
    let (code, _, stderr) = touchpoint(&["check", "menus", "--shard", "1/100000000"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("at most 10000 shards"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let one = shard_report(dir.path(), "1/20");
    assert_merged_notes_include(
        &[&one],
        "shards 2/20, 3/20, 4/20, 5/20, 6/20, 7/20, 8/20, 9/20 and 11 more are missing: this report has the fuzz runs and personas of 1 of the 20 shards",
    );

    let text = std::fs::read_to_string(&one).unwrap();
    let forged = text.replace("\"index\": 1,", "\"index\": 25,");
    assert_ne!(forged, text, "the report records its shard as index/count");
    let bad = dir.path().join("forged.json");
    std::fs::write(&bad, forged).unwrap();
    let (code, _, stderr) = touchpoint(&["merge", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shard 25/20"), "{stderr}");
}

/// Merges `shards` as JSON and checks that the report's notes include
/// `expected`, word for word.
fn assert_merged_notes_include(shards: &[&str], expected: &str) {
    let mut args = vec!["merge"];
    args.extend_from_slice(shards);
    args.extend(["--format", "json"]);
    let (_, stdout, stderr) = touchpoint(&args);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == expected),
        "{stdout}"
    );
}
