//! `--jobs N`: the threads the engines run on change the time a command
//! takes and nothing it says. Every report command is run with one thread
//! and with three (more than the cores of a small machine, so threads are
//! also switched mid-work), and the two runs must agree byte for byte on
//! the exit code, standard output and standard error. The reports carry no
//! wall-clock time (only the modelled caller seconds, which follow from the
//! set), so nothing needs redacting.

use std::path::Path;

use crate::common::{generated_set, many_flows, touchpoint_in};

/// The commands compared, each with the options that make its output a
/// full report.
const COMMANDS: [&[&str]; 5] = [
    &["check", "--format", "json"],
    &["lint", "--format", "json"],
    &["fuzz", "--runs", "300", "--format", "json"],
    &["personas", "--format", "json"],
    &["mutate", "--format", "json"],
];

/// Runs each of `commands` on the set at `set` (relative to `dir`) with
/// `--jobs 1` and `--jobs 3`, and says every difference.
fn differences_between_thread_counts(dir: &Path, set: &str, commands: &[&[&str]]) -> Vec<String> {
    let mut differences = Vec::new();
    for &command in commands {
        let run = |jobs: &str| {
            let mut args = command.to_vec();
            args.insert(1, set);
            args.extend(["--jobs", jobs]);
            touchpoint_in(dir, &args)
        };
        let (one_code, one_out, one_err) = run("1");
        let (three_code, three_out, three_err) = run("3");
        // A command that could not run compares nothing: 0 and 1 are a
        // report (clean or with findings), 2 an error.
        if !matches!(one_code, 0 | 1) {
            differences.push(format!(
                "{command:?} on {set} with --jobs 1 exited {one_code}: {one_err}"
            ));
        }
        if one_code != three_code {
            differences.push(format!(
                "{command:?} on {set}: exit {one_code} with --jobs 1, {three_code} with --jobs 3"
            ));
        }
        if one_out != three_out {
            let line = one_out
                .lines()
                .zip(three_out.lines())
                .position(|(a, b)| a != b)
                .map_or(
                    one_out.lines().count().min(three_out.lines().count()),
                    |l| l,
                );
            differences.push(format!(
                "{command:?} on {set}: standard output differs from line {}",
                line + 1
            ));
        }
        if one_err != three_err {
            differences.push(format!(
                "{command:?} on {set}: standard error differs:\n{one_err}\n---\n{three_err}"
            ));
        }
    }
    differences
}

#[test]
fn the_bundled_set_reports_the_same_on_one_thread_and_on_three() {
    let project = crate::common::project();
    let differences = differences_between_thread_counts(&project, "menus", &COMMANDS);
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn many_flows_that_call_each_other_report_the_same_on_one_thread_and_on_three() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let written = many_flows::write_many_flows(dir.path(), 12, 40);
    assert!(
        written.calling > 0 && written.personas > 0,
        "{}",
        written.describe()
    );
    // Mutation testing plays every persona against every mutant, which
    // takes minutes on a set this size in a debug build; the other sets
    // compare it.
    let differences =
        differences_between_thread_counts(dir.path(), ".", &COMMANDS[..COMMANDS.len() - 1]);
    assert!(differences.is_empty(), "{differences:#?}");
}

/// Generated sets are written to be wrong in the ways real sets are, so
/// these runs have findings to replay, fuzzer failures to shrink and
/// personas that fail: the results merged from several threads that are
/// most likely to come out in another order.
#[test]
fn generated_sets_with_findings_report_the_same_on_one_thread_and_on_three() {
    let mut differences = Vec::new();
    let mut findings = 0;
    for seed in [3, 17, 2024] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        generated_set::generate(seed)
            .write_to(dir.path())
            .expect("write the generated set");
        let (_, report, _) = touchpoint_in(dir.path(), &["lint", ".", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
        findings += report["findings"].as_array().map_or(0, Vec::len);
        differences.extend(differences_between_thread_counts(
            dir.path(),
            ".",
            &COMMANDS,
        ));
    }
    assert!(findings > 0, "the generated sets have findings to compare");
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn no_threads_at_all_is_refused() {
    let project = crate::common::project();
    let (code, out, err) = touchpoint_in(&project, &["check", "menus", "--jobs", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("--jobs"), "{err}");
}
