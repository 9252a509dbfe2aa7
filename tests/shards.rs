//! Sharding: four shards of a run, merged, are byte for byte the report of
//! the unsharded run.

mod common;

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
}
