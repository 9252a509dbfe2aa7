//! The binary as users and CI scripts run it: exit codes, formats, output
//! files, and bad input that must fail cleanly with a position.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{self, command as touchpoint, copy_dir};

fn fixture(name: &str) -> String {
    format!("fixtures/{name}")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A set in a temporary directory, from (relative path, contents) pairs.
fn temp_set(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const GOOD_FLOW: &str = "flow: main\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Press 1 for billing.\n    no_input: { retries: 1, then: agent }\n    no_match: agent\n    options:\n      - key: 1\n        goto: agent\n  agent:\n    transfer: queue\n";

#[test]
fn check_runs_on_the_bundled_set_by_default() {
    let r = run(touchpoint().arg("check"));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("clean: 0 errors, 0 warnings"),
        "{}",
        r.stdout
    );
}

#[test]
fn findings_exit_one_and_show_source_inputs_and_replay() {
    let r = run(touchpoint().args(["lint", &fixture("unhandled-input")]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("main.yaml:19:3"), "{}", r.stdout);
    assert!(
        r.stdout.contains("billing_menu:"),
        "the source line is shown: {}",
        r.stdout
    );
    assert!(r.stdout.contains("inputs: [1, wait]"), "{}", r.stdout);
    assert!(r.stdout.contains(
        "replay: touchpoint replay fixtures/unhandled-input --flow main --inputs 1,wait"
    ));
    assert!(
        !r.stdout.contains('\u{1b}'),
        "NO_COLOR means no escape codes"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let r = run(touchpoint().args(["lint", &fixture("unreachable")]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(touchpoint().args(["lint", &fixture("unreachable"), "--deny", "warnings"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn json_report_has_the_contract_fields() {
    let r = run(touchpoint().args(["lint", &fixture("dead-end"), "--format", "json"]));
    assert_eq!(r.code, 1);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    for field in [
        "tool", "version", "set", "seed", "findings", "personas", "coverage", "summary",
    ] {
        assert!(report.get(field).is_some(), "missing {field}");
    }
    let finding = &report["findings"][0];
    for field in [
        "code", "level", "channel", "flow", "node", "message", "file", "line", "column", "vars",
        "inputs", "path",
    ] {
        assert!(
            finding.get(field).is_some(),
            "finding misses {field}: {finding}"
        );
    }
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(finding["vars"]["hours"], "closed");
}

#[test]
fn reports_are_byte_identical_between_runs() {
    let a = run(touchpoint().args(["lint", "menus", "--format", "json"]));
    let b = run(touchpoint().args(["lint", "menus", "--format", "json"]));
    assert_eq!(a.stdout, b.stdout);
    let args = [
        "check", "menus", "--format", "json", "--runs", "50", "--seed", "7",
    ];
    let a = run(touchpoint().args(args));
    let b = run(touchpoint().args(args));
    assert_eq!(a.stdout, b.stdout);
    let value: Value = serde_json::from_str(&a.stdout).unwrap();
    assert_eq!(value["seed"], 7);
}

/// Each command takes only the options it uses: one it would ignore is
/// refused (exit 2) and its help does not offer it.
#[test]
fn commands_refuse_options_they_do_not_use() {
    let refused: &[&[&str]] = &[
        &["replay", "--flow", "main", "--format", "sarif"],
        &["replay", "--flow", "main", "--format", "junit"],
        &["replay", "--flow", "main", "--deny", "warnings"],
        &["replay", "--flow", "main", "--seed", "3"],
        &["replay", "--flow", "main", "--shard", "1/2"],
        &[
            "replay",
            "--live",
            "http://127.0.0.1:9/",
            "--var",
            "hours=open",
        ],
        &[
            "replay",
            "--live",
            "http://127.0.0.1:9/",
            "--channel",
            "phone",
        ],
        // A running app is called instead of reading a set: a set named
        // as well would be ignored.
        &["fuzz", "menus", "--live", "http://127.0.0.1:9/"],
        &[
            "fuzz",
            "--live",
            "http://127.0.0.1:9/",
            "menus/phone/main.yaml",
        ],
        &["replay", "menus", "--live", "http://127.0.0.1:9/"],
        &["lint", "--shard", "1/2"],
        &["lint", "--seed", "3"],
        &["diff", "menus", "menus", "--format", "junit"],
        &["diff", "menus", "menus", "--format", "sarif"],
        &["diff", "menus", "menus", "--deny", "warnings"],
        &["diff", "menus", "menus", "--shard", "1/2"],
        &["merge", "report.json", "--seed", "3"],
        &["merge", "report.json", "--from", "connect"],
        &["merge", "report.json", "--shard", "1/2"],
    ];
    for args in refused {
        let r = run(touchpoint().args(*args));
        assert_eq!(
            r.code, 2,
            "{args:?} must be refused: {}{}",
            r.stdout, r.stderr
        );
        assert!(
            r.stderr.contains("unexpected argument")
                || r.stderr.contains("invalid value")
                || r.stderr.contains("cannot be used with"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let help = |command: &str| run(touchpoint().args([command, "--help"])).stdout;
    let replay = help("replay");
    for absent in ["--deny <", "--seed <", "--shard <", "sarif", "junit"] {
        assert!(!replay.contains(absent), "replay offers {absent}: {replay}");
    }
    let lint = help("lint");
    for absent in ["--seed <", "--shard <"] {
        assert!(!lint.contains(absent), "lint offers {absent}: {lint}");
    }
    let diff = help("diff");
    for absent in ["--deny <", "--shard <", "sarif", "junit"] {
        assert!(!diff.contains(absent), "diff offers {absent}: {diff}");
    }
    let merge = help("merge");
    for absent in ["--seed <", "--shard <", "--from <"] {
        assert!(!merge.contains(absent), "merge offers {absent}: {merge}");
    }
    for command in ["check", "fuzz", "personas"] {
        let text = help(command);
        for present in [
            "--seed <",
            "--shard <",
            "--deny <",
            "--from <",
            "sarif",
            "junit",
        ] {
            assert!(text.contains(present), "{command} lacks {present}: {text}");
        }
    }
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let r = run(touchpoint()
        .args(["lint", &fixture("dead-end"), "--format", "json", "-o"])
        .arg(&out));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["code"], "dead-end");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(leftovers, vec![out], "no temporary file is left behind");
}

/// The id of a process that has ended.
#[cfg(target_os = "linux")]
fn ended_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A temporary file that a run killed mid-write left beside its report is
/// removed by the next run writing into that folder; nothing else there is
/// touched, not even a file named like ours whose writer still runs.
#[cfg(target_os = "linux")]
#[test]
fn output_leftovers_of_killed_runs_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let orphan = format!(".touchpoint-{}-report.json.a1B2c3.tmp", ended_pid());
    std::fs::write(dir.path().join(&orphan), "{\"half\": ").unwrap();
    let kept = [
        ".report.json.123.tmp",
        ".touchpoint-notes.txt",
        ".touchpoint-1-report.json.a1B2c3.tmp",
        "notes.txt",
    ];
    for name in kept {
        std::fs::write(dir.path().join(name), "keep").unwrap();
    }
    let out = dir.path().join("report.json");
    let r = run(touchpoint()
        .args(["lint", &fixture("dead-end"), "--format", "json", "-o"])
        .arg(&out));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let mut expected: Vec<String> = kept.iter().map(|n| n.to_string()).collect();
    expected.push("report.json".to_string());
    expected.sort();
    assert_eq!(names_in(dir.path()), expected);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["code"], "dead-end");
}

/// `kill -9` while a large report is being written: the report is there
/// whole or not at all, and the next run leaves nothing but the report.
/// Each run is killed as soon as its temporary file appears (a run that
/// finishes first is fine too: the checks hold either way).
#[cfg(target_os = "linux")]
#[test]
fn a_run_killed_while_writing_leaves_no_partial_report() {
    // Thousands of unreachable nodes: a report of a few megabytes.
    let mut flow = String::from(GOOD_FLOW);
    for i in 0..3000 {
        flow.push_str(&format!("  unused_{i}:\n    hangup: Goodbye number {i}.\n"));
    }
    let set = temp_set(&[("main.yaml", flow.as_bytes())]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let lint = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"));
        cmd.args(["lint", "--format", "json", "-o"])
            .arg(&out)
            .arg(set.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    for _ in 0..3 {
        let mut child = lint().spawn().unwrap();
        loop {
            let writing = names_in(dir.path()).iter().any(|n| n != "report.json");
            if writing || child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        if out.exists() {
            let text = std::fs::read_to_string(&out).unwrap();
            serde_json::from_str::<Value>(&text).expect("a whole report or none");
        }
    }
    let status = lint().status().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(names_in(dir.path()), vec!["report.json"]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 3000);
}

#[test]
fn replay_prints_the_transcript_and_where_it_ended() {
    let r = run(touchpoint().args([
        "replay",
        &fixture("unhandled-input"),
        "--flow",
        "main",
        "--inputs",
        "1,wait",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("[main_menu] menu"), "{}", r.stdout);
    assert!(r.stdout.contains("> 1"), "{}", r.stdout);
    assert!(
        r.stdout.contains("DROPPED at `billing_menu`"),
        "{}",
        r.stdout
    );
}

#[test]
fn replay_takes_vars_and_rejects_bad_ones() {
    let r = run(touchpoint().args([
        "replay",
        &fixture("dead-end"),
        "--flow",
        "main",
        "--inputs",
        "1",
        "--var",
        "hours=closed",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("DEAD END at `pay_menu`"), "{}", r.stdout);
    let r = run(touchpoint().args([
        "replay",
        &fixture("dead-end"),
        "--flow",
        "main",
        "--var",
        "hours=lunch",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`lunch` is not a value of `hours`"),
        "{}",
        r.stderr
    );
    let r = run(touchpoint().args(["replay", &fixture("dead-end"), "--flow", "nope"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no flow `nope`"), "{}", r.stderr);
}

#[test]
fn schema_is_json() {
    let r = run(touchpoint().arg("schema"));
    assert_eq!(r.code, 0);
    let schema: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(schema.is_object());
}

#[test]
fn bad_arguments_exit_two() {
    assert_eq!(run(touchpoint().args(["lint", "--format", "yaml"])).code, 2);
    assert_eq!(run(touchpoint().arg("frobnicate")).code, 2);
    assert_eq!(
        run(touchpoint().args(["replay", "menus", "--flow", "main", "--inputs", "dance"])).code,
        2
    );
}

/// Every duration option refuses a value too large for the clock with exit
/// 2 and a message, where it used to panic (exit 101), and takes the
/// documented forms.
/// `crawl --protocol` takes only a protocol the live layer speaks: any
/// other name is a usage error (exit 2) that lists the protocols there
/// are, before any call is made. Naming the default changes nothing.
/// `--from` offers every platform there is an importer for, on every
/// command that takes it, and refuses any other name with that list.
#[test]
fn from_refuses_a_platform_without_an_importer_and_lists_those_with_one() {
    let platforms: Vec<&str> = touchpoint::import::Platform::ALL
        .iter()
        .map(|platform| platform.name())
        .collect();
    for command in [
        vec!["lint", "menus"],
        vec!["check", "menus"],
        vec!["graph", "menus", "--flow", "main"],
        vec!["import", "menus/phone/main.yaml"],
    ] {
        let mut args = command.clone();
        args.extend(["--from", "sap"]);
        let r = run(touchpoint().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains("invalid value 'sap' for '--from <PLATFORM>'"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(&format!("[possible values: {}]", platforms.join(", "))),
            "{args:?}: {}",
            r.stderr
        );
    }
    let help = run(touchpoint().args(["import", "--help"]));
    for platform in touchpoint::import::Platform::ALL {
        let listed = help.stdout.lines().any(|line| {
            line.trim_start()
                .strip_prefix(&format!("- {}:", platform.name()))
                .is_some_and(|rest| rest.trim() == platform.about())
        });
        assert!(listed, "{}", help.stdout);
    }
}

#[test]
fn live_commands_refuse_a_protocol_they_do_not_speak_and_list_those_they_do() {
    let spoken: Vec<&str> = touchpoint::live::protocol::PROTOCOLS
        .iter()
        .map(|protocol| protocol.name())
        .collect();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/voice", closed.local_addr().unwrap());
    drop(closed);

    let commands: [Vec<&str>; 4] = [
        vec!["crawl", &url],
        vec!["fuzz", "--live", &url],
        vec!["replay", "--live", &url, "1"],
        vec!["personas", "menus", "--live", &url],
    ];
    for command in &commands {
        let mut args = command.clone();
        args.extend(["--protocol", "voicexml"]);
        let r = run(touchpoint().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains("invalid value 'voicexml' for '--protocol <PROTOCOL>'"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(&format!("[possible values: {}]", spoken.join(", "))),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }

    // The default, named or not, is the same run: here one that finds
    // nothing answering at a closed port.
    let default = touchpoint::live::protocol::DEFAULT.name();
    for command in &commands[..2] {
        let mut args = command.clone();
        args.extend(["--protocol", default]);
        let named = run(touchpoint().args(&args));
        let unnamed = run(touchpoint().args(command));
        assert_eq!(named.code, 2, "{args:?}: {}", named.stderr);
        assert!(
            named.stderr.contains("nothing answered"),
            "{args:?}: {}",
            named.stderr
        );
        assert_eq!(
            (named.code, named.stdout, named.stderr),
            (unnamed.code, unnamed.stdout, unnamed.stderr)
        );
    }
}

#[test]
fn durations_out_of_range_exit_two_with_a_message() {
    let refused: &[(&[&str], &str)] = &[
        (
            &["fuzz", "menus", "--time", "99999999999999999999h"],
            "out of range",
        ),
        (
            &["fuzz", "menus", "--time", "99999999999999999999"],
            "out of range",
        ),
        (&["fuzz", "menus", "--time", "2years"], "out of range"),
        (&["fuzz", "menus", "--time", "soon"], "is not a duration"),
        (
            &[
                "crawl",
                "http://127.0.0.1:9/",
                "--timeout",
                "99999999999999999999h",
            ],
            "out of range",
        ),
        (
            &["crawl", "http://127.0.0.1:9/", "--timeout", "0"],
            "out of range",
        ),
        (
            &["fuzz", "--live", "http://127.0.0.1:9/", "--timeout", "11m"],
            "out of range",
        ),
    ];
    for (args, needle) in refused {
        let r = run(touchpoint().args(*args));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
    for time in ["10", "2.5", "10s", "2m", "1h 30m"] {
        let r = run(touchpoint().args(["fuzz", "menus", "--runs", "20", "--time", time]));
        assert_eq!(r.code, 0, "--time {time}: {}{}", r.stdout, r.stderr);
    }
}

/// An `ignore:` pattern with many stars, against a long file name that it
/// does not match: a backtracking matcher took exponential time (22 s for
/// this two-file set); globset's automaton takes time in the name's length.
/// The timeout only bounds a hang, generously.
#[test]
fn ignore_patterns_with_many_stars_do_not_backtrack() {
    let long_name = format!("{}.yaml", "a".repeat(60));
    let dir = temp_set(&[
        (
            "touchpoint.yaml",
            b"touchpoint:\n  ignore: ['*a*a*a*a*a*a*a*a*a*ab']\n",
        ),
        (&long_name, GOOD_FLOW.as_bytes()),
    ]);
    let r = run(touchpoint()
        .arg("lint")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60)));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 errors, 0 warnings"), "{}", r.stdout);
}

/// Each kind of bad input: exit 2, a message naming the file with line and
/// column where there is one, and no panic.
fn assert_load_error(dir: &Path, needle: &str, position: Option<&str>) {
    let r = run(touchpoint().arg("lint").arg(dir));
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(needle),
        "expected `{needle}` in:\n{}",
        r.stderr
    );
    if let Some(position) = position {
        assert!(
            r.stderr.contains(position),
            "expected `{position}` in:\n{}",
            r.stderr
        );
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn malformed_yaml_points_at_the_line() {
    let dir = temp_set(&[("main.yaml", b"flow: main\nchannel: phone\nnodes: [a, b\n")]);
    assert_load_error(dir.path(), "invalid YAML", Some("main.yaml:"));
}

#[test]
fn alias_bombs_fail_fast() {
    let mut text =
        String::from("flow: main\nchannel: phone\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let dir = temp_set(&[("bomb.yaml", text.as_bytes())]);
    assert_load_error(dir.path(), "expands to more than", Some("bomb.yaml:"));
}

#[test]
fn deep_nesting_fails_fast() {
    let text = format!("flow: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let dir = temp_set(&[("deep.yaml", text.as_bytes())]);
    assert_load_error(dir.path(), "deep.yaml:", None);
}

#[test]
fn non_utf8_names_the_line() {
    let dir = temp_set(&[("main.yaml", b"flow: main\nchannel: phone\ntitle: caf\xe9\n")]);
    assert_load_error(dir.path(), "not UTF-8", Some("main.yaml:3:"));
}

#[test]
fn huge_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    // Sparse: 100 MB on paper, nothing on disk.
    file.set_len(100 * 1024 * 1024).unwrap();
    assert_load_error(dir.path(), "limited to", Some("huge.yaml:1:1"));
}

#[test]
fn a_file_just_over_the_limit_is_given_its_exact_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    assert_load_error(
        dir.path(),
        "the file is 67108865 bytes; menu files are limited to 64 MiB (67108864 bytes)",
        Some("huge.yaml:1:1"),
    );
}

/// Runs `touchpoint lint PATH` so that a regression cannot hang the test
/// run or take the machine's memory: the child is killed after a generous
/// minute (and then fails the test, having no exit code), and it runs under
/// a 2 GiB address-space limit, so reading an endless device fails instead
/// of growing without bound.
fn lint_bounded(path: &Path) -> Run {
    let binary = assert_cmd::cargo::cargo_bin("touchpoint");
    run(Command::new("sh")
        .args(["-c", "ulimit -v 2097152 && exec \"$0\" lint \"$1\""])
        .arg(binary)
        .arg(path)
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60)))
}

#[test]
fn fifos_and_devices_are_refused_without_being_opened_or_read() {
    let dir = temp_set(&[("main.yaml", GOOD_FLOW.as_bytes())]);
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zeros.yaml")).unwrap();

    let r = lint_bounded(dir.path());
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    for expected in [
        "pipe.yaml:1:1: the file is a FIFO (named pipe), not a regular file",
        "zeros.yaml:1:1: the file is a character device, not a regular file",
    ] {
        assert!(
            r.stderr.contains(expected),
            "expected `{expected}` in:\n{}",
            r.stderr
        );
    }

    // Named on its own, each is refused the same way.
    for (name, kind) in [
        ("pipe.yaml", "a FIFO"),
        ("zeros.yaml", "a character device"),
    ] {
        let r = lint_bounded(&dir.path().join(name));
        assert_eq!(
            r.code, 2,
            "{name}: stdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        assert!(r.stderr.contains(kind), "{name}: {}", r.stderr);
    }
}

#[test]
fn empty_sets_and_missing_paths_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_load_error(dir.path(), "no flows", None);
    assert_load_error(Path::new("no/such/dir"), "no such file", None);
}

#[test]
fn wrong_types_and_unknown_keys_are_all_reported() {
    let text = "flow: main\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Hi\n    optoins: []\n  n:\n    say: [1, 2]\n    next: m\n";
    let dir = temp_set(&[("main.yaml", text.as_bytes())]);
    let r = run(touchpoint().arg("lint").arg(dir.path()));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("main.yaml:7:5: unknown key `optoins`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `options`?"), "{}", r.stderr);
    assert!(
        r.stderr.contains("main.yaml:9:10: say should be text"),
        "{}",
        r.stderr
    );
}

#[test]
fn regexes_that_are_too_big_are_load_errors() {
    let text = GOOD_FLOW.replace(
        "- key: 1",
        "- key: 1\n        speech: [\"(a{100}){100}{100}\"]",
    );
    let dir = temp_set(&[("main.yaml", text.as_bytes())]);
    assert_load_error(dir.path(), "too big", Some("main.yaml:11:"));
}

/// A regex that can never match is a load error at the regex wherever users
/// write one (speech, ask pattern, a persona's `hear`), whatever makes it
/// impossible: an empty class, disjoint classes, anchors or word boundaries
/// that cannot hold (Unicode digits are word characters too).
#[test]
fn regexes_that_can_never_match_are_load_errors_everywhere() {
    for impossible in [r"[^\s\S]", "[a&&b]", "a^b", r"a\bb", r"x\b\d"] {
        let speech = GOOD_FLOW.replace(
            "- key: 1",
            &format!("- key: 1\n        speech: ['{impossible}']"),
        );
        let dir = temp_set(&[("main.yaml", speech.as_bytes())]);
        assert_load_error(
            dir.path(),
            "can never match anything",
            Some("main.yaml:11:18"),
        );

        let pattern = format!(
            "flow: main\nchannel: phone\nstart: a\nnodes:\n  a:\n    ask: Your number?\n    pattern: '{impossible}'\n    goto: agent\n    invalid: agent\n    no_input: agent\n  agent:\n    transfer: queue\n"
        );
        let dir = temp_set(&[("main.yaml", pattern.as_bytes())]);
        assert_load_error(
            dir.path(),
            "can never match anything",
            Some("main.yaml:7:14"),
        );

        let persona = format!(
            "persona: listener\nchannel: phone\nscript:\n  - hear: '{impossible}'\nexpect: {{ outcome: transferred }}\n"
        );
        let dir = temp_set(&[
            ("main.yaml", GOOD_FLOW.as_bytes()),
            ("personas/listener.yaml", persona.as_bytes()),
        ]);
        assert_load_error(
            dir.path(),
            "can never match anything",
            Some("listener.yaml:4:"),
        );
    }
}

/// The other shapes a sampler chokes on are either clear load errors at the
/// regex (look-around, repetitions past the size limit) or load and get a
/// sample that the walk uses to reach the speech-only option.
#[test]
fn hostile_regex_shapes_are_load_errors_or_sampled() {
    let flow = |pattern: &str| {
        format!(
            "flow: main\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Say it.\n    no_input: agent\n    no_match: agent\n    options:\n      - speech: ['{pattern}']\n        goto: agent\n  agent:\n    transfer: queue\n"
        )
    };
    for (pattern, needle) in [
        ("a{1000}{1000}", "too big"),
        ("x{4294967295}", "too big"),
        (r"\p{L}{2000}", "too big"),
        ("(?=a)b", "look-around"),
    ] {
        let dir = temp_set(&[("main.yaml", flow(pattern).as_bytes())]);
        assert_load_error(dir.path(), needle, Some("main.yaml:10:18"));
    }
    for pattern in [".{40}", "(?:a*)*b", r"\bbill\b", r"\Bment", r"(?m)^x$"] {
        let dir = temp_set(&[("main.yaml", flow(pattern).as_bytes())]);
        let r = run(touchpoint()
            .args(["lint", "--format", "json"])
            .arg(dir.path()));
        assert_eq!(
            r.code, 0,
            "{pattern}\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        let walk = &report["coverage"]["flows"][0];
        assert_eq!(walk["options_covered"], 1, "{pattern}: {report:#}");
    }
}

/// A regex with a branch that can never match loads, and every engine
/// answers it from its live branches: the walk (the fixture's expectations),
/// the fuzzer and the personas.
#[test]
fn regexes_with_dead_branches_are_answered_from_their_live_branches() {
    for command in ["fuzz", "personas"] {
        let r =
            run(touchpoint().args([command, &fixture("regex-dead-branch"), "--format", "json"]));
        assert_eq!(
            r.code, 0,
            "{command}\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(report["summary"]["errors"], 0, "{command}: {report:#}");
        assert_eq!(report["summary"]["warnings"], 0, "{command}: {report:#}");
        if command == "personas" {
            assert_eq!(report["summary"]["personas_passed"], 2, "{report:#}");
        }
    }
}

#[test]
fn other_yaml_files_are_errors_unless_ignored() {
    let dir = temp_set(&[
        ("main.yaml", GOOD_FLOW.as_bytes()),
        ("ci/pipeline.yml", b"steps: [build]\n"),
    ]);
    assert_load_error(
        dir.path(),
        "not a touchpoint document",
        Some("ci/pipeline.yml:1:1"),
    );
    let settings = b"touchpoint:\n  ignore: [\"ci/**\"]\n";
    let dir = temp_set(&[
        ("main.yaml", GOOD_FLOW.as_bytes()),
        ("ci/pipeline.yml", b"steps: [build\n"),
        ("touchpoint.yaml", settings),
    ]);
    let r = run(touchpoint().arg("lint").arg(dir.path()));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_single_flow_file_is_a_set_of_one() {
    // The repository's root bounds the search for the set the file is in.
    let dir = temp_set(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        ("main.yaml", GOOD_FLOW.as_bytes()),
    ]);
    let r = run(touchpoint().arg("lint").arg(dir.path().join("main.yaml")));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn levels_from_settings_change_the_verdict() {
    let settings = b"touchpoint:\n  levels: { unreachable: error }\n";
    let flow = format!("{GOOD_FLOW}  orphan:\n    hangup: Bye\n");
    let dir = temp_set(&[
        ("main.yaml", flow.as_bytes()),
        ("touchpoint.yaml", settings),
    ]);
    let r = run(touchpoint().arg("lint").arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let settings = b"touchpoint:\n  levels: { unreachable: off }\n";
    let dir = temp_set(&[
        ("main.yaml", flow.as_bytes()),
        ("touchpoint.yaml", settings),
    ]);
    let r = run(touchpoint()
        .args(["lint", "--deny", "warnings"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// The failing-persona fixture with `levels` settings added.
fn failing_personas_with_levels(levels: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = common::project().join(fixture("personas-failing"));
    copy_dir(&from, dir.path());
    std::fs::write(
        dir.path().join("touchpoint.yaml"),
        format!("touchpoint:\n  levels: {{ {levels} }}\n"),
    )
    .unwrap();
    dir
}

/// A failed persona fails the run through its `persona-failed` finding, so
/// the code's level decides: `off` and `warning` pass (warnings fail only
/// with `--deny warnings`), in every format.
#[test]
fn a_failed_persona_follows_the_level_of_persona_failed() {
    let dir = failing_personas_with_levels("persona-failed: off");
    let r = run(touchpoint().arg("personas").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("clean: 0 errors, 0 warnings"),
        "{}",
        r.stdout
    );
    let r = run(touchpoint()
        .args(["personas", "--format", "junit"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains("<failure"), "{}", r.stdout);
    let r = run(touchpoint()
        .args(["personas", "--format", "markdown"])
        .arg(dir.path()));
    assert!(r.stdout.contains("passed"), "{}", r.stdout);

    let dir = failing_personas_with_levels("persona-failed: warning");
    let r = run(touchpoint().arg("personas").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("0 errors, 1 warning,"), "{}", r.stdout);
    let r = run(touchpoint()
        .args(["personas", "--deny", "warnings", "--format", "junit"])
        .arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("<failure"), "{}", r.stdout);
    let r = run(touchpoint()
        .args(["personas", "--deny", "warnings", "--format", "markdown"])
        .arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("failed"), "{}", r.stdout);

    let r = run(touchpoint()
        .arg("personas")
        .arg(fixture("personas-failing")));
    assert_eq!(
        r.code, 1,
        "by default a failed persona is an error: {}",
        r.stdout
    );
}

#[test]
fn a_walk_stopped_by_its_budget_says_so_and_invents_no_trap() {
    let settings = b"touchpoint:\n  limits: { states: 2 }\n";
    let flow = "flow: main\nchannel: phone\nstart: a\ndefaults:\n  no_input: { retries: 2, then: agent }\n  no_match: { retries: 2, then: agent }\nnodes:\n  a:\n    menu: Press 1 to continue.\n    options:\n      - key: 1\n        goto: b\n  b:\n    menu: Press 1 to continue.\n    options:\n      - key: 1\n        goto: c\n  c:\n    menu: Press 1 for an advisor.\n    options:\n      - key: 1\n        goto: agent\n  agent:\n    transfer: queue\n";
    let dir = temp_set(&[
        ("main.yaml", flow.as_bytes()),
        ("touchpoint.yaml", settings),
    ]);
    let r = run(touchpoint()
        .args(["lint", "--format", "json"])
        .arg(dir.path()));
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("state budget of 2")),
        "{notes:?}"
    );
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.is_empty(),
        "a truncated walk reports nothing it cannot prove: {codes:?}"
    );
}

#[test]
fn load_errors_in_json_mode_are_json_on_stdout() {
    let r = run(touchpoint().args(["lint", &fixture("load-unknown-key"), "--format", "json"]));
    assert_eq!(r.code, 2);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let error = &report["errors"][0];
    assert_eq!(
        (
            error["file"].as_str(),
            error["line"].as_u64(),
            error["column"].as_u64()
        ),
        (Some("main.yaml"), Some(8), Some(5))
    );
    assert!(
        r.stderr.contains("main.yaml:8:5"),
        "people still see the text: {}",
        r.stderr
    );
}

/// A set that does not load still gives CI its annotations: with `-o FILE`
/// every format writes every problem (human text without colour), people
/// still read them on standard error, and the exit code is 2.
#[test]
fn load_errors_are_written_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["sarif", "junit", "markdown", "json", "human"] {
        let out = dir.path().join(format!("out.{format}"));
        let r = run(touchpoint()
            .args([
                "check",
                &fixture("load-multiple-errors"),
                "--format",
                format,
                "-o",
            ])
            .arg(&out));
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{format}: {}", r.stdout);
        assert!(
            r.stderr.contains("main.yaml:24:14"),
            "{format}: {}",
            r.stderr
        );
        let written = std::fs::read_to_string(&out)
            .unwrap_or_else(|e| panic!("{format}: nothing written: {e}"));
        assert!(!written.contains('\u{1b}'), "{format}: colour in a file");
        for (place, word) in [("3:1", "titel"), ("15:15", "billing_lnie"), ("24:14", "10")] {
            assert!(written.contains(word), "{format}: {written}");
            if ["markdown", "junit", "human"].contains(&format) {
                assert!(
                    written.contains(&format!("main.yaml:{place}")),
                    "{format}: {written}"
                );
            }
        }
    }
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let location = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(results[1]["ruleId"], "load-error");
    assert_eq!(results[1]["level"], "error");
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/load-multiple-errors/main.yaml"
    );
    assert_eq!(
        (
            location["region"]["startLine"].as_u64(),
            location["region"]["startColumn"].as_u64()
        ),
        (Some(15), Some(15))
    );
    let junit = std::fs::read_to_string(dir.path().join("out.junit")).unwrap();
    assert_eq!(junit.matches("<failure").count(), 3, "{junit}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(json["command"], "check");
    assert_eq!(json["errors"].as_array().unwrap().len(), 3);

    // A shard that could not load hands its errors on through `merge`.
    let merged = dir.path().join("merged.sarif");
    let r = run(touchpoint()
        .arg("merge")
        .arg(dir.path().join("out.json"))
        .args(["--format", "sarif", "-o"])
        .arg(&merged));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("main.yaml:3:1"), "{}", r.stderr);
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(merged["runs"][0]["results"].as_array().unwrap().len(), 3);
    let merged = dir.path().join("merged.txt");
    let r = run(touchpoint()
        .arg("merge")
        .arg(dir.path().join("out.json"))
        .args(["--format", "human", "-o"])
        .arg(&merged));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let merged = std::fs::read_to_string(&merged).unwrap_or_default();
    assert!(
        merged.contains("main.yaml:3:1") && merged.contains("could not be loaded"),
        "{merged}"
    );

    // A problem with no file points at the set.
    let missing = dir.path().join("no-such-set");
    let r = run(touchpoint()
        .args(["lint", "--format", "sarif"])
        .arg(&missing));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"];
    // An absolute path is a file:// URI in SARIF.
    let expected = format!("file://{}", missing.display());
    assert_eq!(uri.as_str(), Some(expected.as_str()));
}

/// A replay command is printed whole on one line, however long the set's
/// path and the inputs, so that it can be pasted.
#[test]
fn replay_commands_are_never_wrapped() {
    let mut flow = String::from(
        "flow: main\nchannel: phone\nstart: step_0\ndefaults:\n  no_match: agent\nnodes:\n",
    );
    for i in 0..12 {
        flow.push_str(&format!(
            "  step_{i}:\n    menu: To go on to the next question about your account, press 1.\n    no_input: agent\n    options:\n      - key: 1\n        goto: step_{}\n",
            i + 1
        ));
    }
    flow.push_str("  step_12:\n    menu: For an advisor, press 1.\n    options:\n      - key: 1\n        goto: agent\n  agent:\n    transfer: queue\n");
    let dir = tempfile::tempdir().unwrap();
    let set = dir
        .path()
        .join("a-menu-set-kept-in-a-folder-with-a-rather-long-name-as-monorepos-have");
    std::fs::create_dir_all(&set).unwrap();
    std::fs::write(set.join("main.yaml"), flow).unwrap();
    let r = run(touchpoint().arg("lint").arg(&set));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let inputs = format!("{}wait", "1,".repeat(12));
    let expected = format!(
        "touchpoint replay {} --flow main --inputs {inputs}",
        set.display()
    );
    assert!(expected.len() > 100, "the command is longer than a line");
    assert!(
        r.stdout
            .lines()
            .any(|line| line.trim_start() == format!("replay: {expected}")),
        "{}",
        r.stdout
    );
}

/// An export that cannot be imported stops the run like a YAML typo, and
/// reaches CI the same way: in the format asked for, at its line and column.
#[test]
fn import_errors_are_written_in_the_format_asked_for() {
    let dir = temp_set(&[("flow.json", b"{\"Version\": ")]);
    let r = run(touchpoint()
        .args(["lint", "--from", "connect", "--format", "sarif"])
        .arg(dir.path()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("flow.json:1:12"), "{}", r.stderr);
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "load-error");
    let location = &result["locations"][0]["physicalLocation"];
    let expected = format!("file://{}", dir.path().join("flow.json").display());
    assert_eq!(
        location["artifactLocation"]["uri"].as_str(),
        Some(expected.as_str())
    );
    assert_eq!(location["region"]["startColumn"].as_u64(), Some(12));
}

#[test]
fn labels_with_commas_replay_escaped() {
    let flow = "flow: site\nchannel: web\nstart: home\nnodes:\n  home:\n    menu: Home\n    options:\n      - label: Start, stop or move\n        goto: moving\n  moving:\n    end: Done\n";
    let dir = temp_set(&[("site.yaml", flow.as_bytes())]);
    let r = run(touchpoint()
        .args([
            "replay",
            "--flow",
            "site",
            "--inputs",
            "click:Start\\, stop or move",
        ])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ended at end `moving`"), "{}", r.stdout);
}

/// A linked folder is read (teams share common flows that way); a link
/// back up to the set, or to a folder already read, is not read again, so
/// loading ends and no flow is loaded twice.
#[cfg(unix)]
#[test]
fn linked_folders_are_read_once() {
    let shared = temp_set(&[("common/main.yaml", GOOD_FLOW.as_bytes())]);
    let set = temp_set(&[]);
    std::os::unix::fs::symlink(shared.path().join("common"), set.path().join("common")).unwrap();
    // A loop: a link inside the set to the set itself.
    std::os::unix::fs::symlink(set.path(), set.path().join("again")).unwrap();
    let out = run(touchpoint()
        .args(["lint", set.path().to_str().unwrap(), "--format", "json"])
        .timeout(std::time::Duration::from_secs(10)));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["stats"]["flows"], 1, "{}", out.stdout);
}

/// What an editor or a pre-commit hook runs: one file of a set. The file is
/// read as part of its set (the nearest folder above it holding the
/// settings or the intents catalogue), so the intents it names resolve.
#[test]
fn lint_of_one_file_reads_the_set_it_belongs_to() {
    let r = run(touchpoint().args(["lint", "menus/phone/main.yaml"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 errors, 0 warnings"), "{}", r.stdout);
    assert!(
        r.stdout
            .starts_with("touchpoint lint menus/phone/main.yaml (in set menus):"),
        "the header names the file, and its set: {}",
        r.stdout
    );

    // The same file named from inside its folder, and by an absolute path.
    let phone = common::project().join("menus/phone");
    let r = run(touchpoint()
        .current_dir(&phone)
        .args(["lint", "main.yaml", "--format", "json"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        report["set"], "..",
        "the root keeps the form it was given in"
    );
    assert_eq!(report["file"], "phone/main.yaml");
    let r = run(touchpoint().arg("lint").arg(phone.join("main.yaml")));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn lint_of_one_file_reports_only_that_files_findings() {
    let set = fixture("findings-in-two-files");
    for (file, node) in [
        ("phone/main.yaml", "storm_line"),
        ("web/site.yaml", "outage_map"),
    ] {
        let path = format!("{set}/{file}");
        let r = run(touchpoint().args(["lint", &path, "--format", "json"]));
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        let found: Vec<(&str, &str)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["file"].as_str().unwrap(), f["node"].as_str().unwrap()))
            .collect();
        assert_eq!(found, [(file, node)], "linting {path}");
        assert_eq!(report["set"], set.as_str());
        assert_eq!(report["summary"]["warnings"], 1);
    }
}

#[test]
fn lint_of_one_file_reports_load_errors_anywhere_in_its_set() {
    let dir = temp_set(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        ("touchpoint.yaml", b"touchpoint:\n"),
        ("phone/main.yaml", GOOD_FLOW.as_bytes()),
        ("web/site.yaml", b"flow: site\nchannel: web\nstart: home\nnodes:\n  home:\n    end: Bye\n    nxet: home\n"),
    ]);
    let r = run(touchpoint()
        .current_dir(dir.path())
        .args(["lint", "phone/main.yaml"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("web/site.yaml:7:5: unknown key `nxet`"),
        "the set cannot be checked, so neither can the file: {}",
        r.stderr
    );
}

#[test]
fn a_file_with_no_set_above_it_up_to_the_repository_root_is_a_set_of_one() {
    // The intents catalogue above the repository's root is not this set's.
    let dir = temp_set(&[
        ("intents.yaml", b"intents:\n  billing:\n"),
        ("repo/.git/HEAD", b"ref: refs/heads/main\n"),
        ("repo/flows/main.yaml", GOOD_FLOW.as_bytes()),
    ]);
    let r = run(touchpoint().current_dir(dir.path()).args([
        "lint",
        "repo/flows/main.yaml",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["set"], "repo/flows/main.yaml");
    assert!(report.get("file").is_none(), "a set of one is a whole set");
}

/// `personas`, `check`, `replay` and `graph` read a file PATH the same way.
#[test]
fn every_command_reads_one_file_as_part_of_its_set() {
    let persona = "menus/personas/resident-wants-a-person.yaml";
    let r = run(touchpoint().args(["personas", persona, "--format", "json"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let ran: Vec<&str> = report["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["persona"].as_str().unwrap())
        .collect();
    assert_eq!(ran, ["resident-wants-a-person"], "only the file's persona");

    let r = run(touchpoint().args([
        "check",
        "menus/web/selfservice.yaml",
        "--runs",
        "50",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(report["personas"].as_array().unwrap().is_empty());

    let r = run(touchpoint().args([
        "replay",
        "menus/phone/main.yaml",
        "--flow",
        "main",
        "--inputs",
        "0",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let r = run(touchpoint().args(["graph", "menus/app/app.yaml", "--flow", "app"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// When the values under which an intent is served are not a product of
/// values (open for doctors, closed for residents), the report names the
/// combinations, with only the variables that decide, instead of saying
/// that "some combinations" hold.
#[test]
fn intents_served_under_some_combinations_name_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.yaml"),
        "flow: main\nchannel: phone\nstart: route\nvars:\n  hours: [open, closed]\n  caller: [doctor, resident]\n  line: [one, two]\nnodes:\n  route:\n    switch:\n      - { when: hours == open and caller == doctor, goto: menu }\n      - { when: hours == closed and caller == resident, goto: menu }\n      - { goto: bye }\n  menu:\n    menu: To book a visit, press 1.\n    no_input: bye\n    no_match: bye\n    options:\n      - { key: \"1\", intents: [book_visit], goto: booked }\n  booked:\n    end: Your visit is booked.\n    serves: [book_visit]\n  bye:\n    hangup: Goodbye.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("intents.yaml"),
        "intents:\n  book_visit:\n    says: [visit, book]\n",
    )
    .unwrap();
    let Run { stdout, stderr, .. } =
        run(touchpoint().args(["lint", dir.path().to_str().unwrap(), "--format", "json"]));
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let entry = report["intents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["intent"] == "book_visit")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(entry["served"], "sometimes", "{entry}");
    assert_eq!(
        entry["when"], "hours=open and caller=doctor or hours=closed and caller=resident",
        "{entry}"
    );
}

/// A node of a called flow that only values no caller brings would reach
/// is one no customer reaches: the warning says so, and names the values
/// the callers do enter the flow with.
#[test]
fn unreachable_in_a_called_flow_names_the_values_its_callers_bring() {
    let r = run(touchpoint().args([
        "lint",
        &fixture("unreachable-in-called-flow-when-closed"),
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0]["message"],
        "no path from the start of the flow reaches `closed_message` with the values its callers enter it with (hours=open)"
    );
}

/// A replay that goes into a called flow names that flow beside the line
/// it quotes: the line is in the called flow's file, not in the file the
/// transcript's header names.
#[test]
fn a_replay_into_a_called_flow_names_the_flow_of_each_line() {
    let r = run(touchpoint().args([
        "replay",
        &fixture("unhandled-input-in-called-flow"),
        "--flow",
        "main",
        "--inputs",
        "1,wait",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Please enter your eight-digit account number.\"  (flow `verify`, line 7)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("press 2.\"  (line 11)"), "{}", r.stdout);
}

/// The adversarial campaigns of `examples/campaign.rs`, shared with the
/// example so that the test runs the very cases a long campaign runs.
// The campaign includes `common/shell_words.rs` by path, as the example
// has no `common`; in this binary `common` holds it too, and the two copies
// are the same file, so they cannot drift apart.
#[allow(clippy::duplicate_mod)]
#[path = "../../examples/campaign/mod.rs"]
mod campaign;

/// The two campaigns over a small fixed seed, through the debug binary:
/// hostile copies of `menus/` and the fixture sets never make the binary
/// panic, die of a signal or hang, and generated sets give the same report
/// twice, merged shards equal to the unsharded report, and replay commands
/// that end where their findings are. The long runs are in
/// docs/development.md.
#[test]
fn the_campaigns_run_clean_over_a_fixed_seed() {
    let out = tempfile::tempdir().unwrap();
    let config = |count: u64| campaign::Config {
        binary: PathBuf::from(env!("CARGO_BIN_EXE_touchpoint")),
        project: common::project(),
        // Seed 12's cases include a FIFO and a link to a device among the
        // set's files, which hung the loader before it read only regular
        // files.
        seed: 12,
        first: 0,
        count,
        // Generous: a kill bound for a hang on a slow shared machine, not a
        // claim about speed.
        timeout: std::time::Duration::from_secs(120),
        memory_mib: 4096,
        out: out.path().to_path_buf(),
        jobs: 2,
        // Runs are shared over the channels and the fuzzer runs them in
        // batches of 128: enough for two batches on each of three
        // channels, so that both shards run some.
        runs: 600,
        small: true,
    };
    let mutate = config(16);
    let summary = campaign::run_cases(&mutate, &campaign::mutate::case, &|_, _| {});
    assert_eq!(summary.cases, 16);
    assert!(summary.runs >= 4 * 16);
    assert!(
        summary.failures.is_empty(),
        "{}",
        summary.describe("mutate", mutate.seed)
    );
    let generate = config(1);
    let summary = campaign::run_cases(&generate, &campaign::generate::case, &|_, _| {});
    assert!(
        summary.failures.is_empty(),
        "{}",
        summary.describe("generate", generate.seed)
    );
    // Every generated set loads, so each of its runs exits 0 or 1.
    assert_eq!(summary.exits[2], 0);
    assert!(summary.exits[0] + summary.exits[1] >= 20);
}

/// miette pads a label out to its column, and `std::fmt` refuses padding
/// past 65,535: a load error or a finding far along one line (a flow
/// written on one line, a value after thousands of spaces) crashed the
/// human report (exit 101). Such a line is shown only around the point.
#[test]
fn problems_far_along_a_line_are_shown_around_their_column() {
    let pad = " ".repeat(70_000);
    let load_error =
        format!("flow: main\nchannel:{pad}phonex\nstart: m\nnodes:\n  m:\n    hangup: bye\n");
    let dir = temp_set(&[("main.yaml", load_error.as_bytes())]);
    let lint = |args: &[&str]| run(touchpoint().current_dir(dir.path()).args(args));
    let Run {
        code, stderr: err, ..
    } = lint(&["lint", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("main.yaml:2:70009: unknown channel `phonex`"),
        "{err}"
    );
    assert!(err.contains("[main.yaml:2:70009]"), "{err}");
    assert!(
        err.len() < 2_000,
        "the long line is shown whole: {} bytes",
        err.len()
    );

    let finding = format!(
        "flow: main\nchannel: phone\nstart: m\nvars:\n  hours: [open, closed]\nnodes: {{{pad}m: {{menu: Press 1, no_input: e, no_match: e, options: [{{key: 1, when: hours == open, goto: e}}]}}, e: {{end: bye}}}}\n"
    );
    let dir = temp_set(&[("main.yaml", finding.as_bytes())]);
    let lint = |args: &[&str]| run(touchpoint().current_dir(dir.path()).args(args));
    for format in ["human", "json"] {
        let Run {
            code,
            stdout: out,
            stderr: err,
        } = lint(&["lint", ".", "--format", format]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains("dead-end"), "{out}");
    }
    let out = lint(&["lint", "."]).stdout;
    assert!(out.contains("[main.yaml:6:70009]"), "{out}");
}

/// The human report pads names into columns, and `std::fmt` refuses
/// padding past 65,535: a flow or persona named with 70,000 characters
/// crashed it (exit 101). Long names overflow their column instead.
#[test]
fn names_longer_than_any_column_are_reported_not_crashed_on() {
    let name = "x".repeat(70_000);
    let flow =
        format!("flow: {name}\nchannel: phone\nstart: m\nnodes:\n  m:\n    hangup: Goodbye.\n");
    let dir = temp_set(&[("main.yaml", flow.as_bytes())]);
    let Run {
        code,
        stdout,
        stderr,
    } = run(touchpoint().current_dir(dir.path()).args(["check", "."]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("phone {name}  nodes 1/1")),
        "{stderr}"
    );
}

/// An output that cannot be written is said once, as one `error:` line
/// naming the file, and exits 2 even when the report itself is clean.
#[test]
fn an_unwritable_output_is_said_once_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("report.txt");
    let r = run(touchpoint()
        .args(["lint", &fixture("dead-end"), "-o"])
        .arg(&target));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let expected = format!("error: cannot write `{}`: ", target.display());
    assert!(r.stderr.starts_with(&expected), "{}", r.stderr);
    assert_eq!(r.stderr.matches("error:").count(), 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

/// A set that does not load, with an output that cannot be written, says
/// both: first the set's problems at their place, then the failed write,
/// each once; exit 2.
#[test]
fn load_errors_then_an_unwritable_output_are_both_said_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("report.json");
    let r = run(touchpoint()
        .args(["lint", &fixture("load-bad-dtmf"), "--format", "json", "-o"])
        .arg(&target));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let problem = r
        .stderr
        .find("main.yaml:16:14: `12` is not a DTMF key")
        .unwrap_or_else(|| panic!("{}", r.stderr));
    let unwritten = format!("error: cannot write `{}`: ", target.display());
    let write = r
        .stderr
        .find(&unwritten)
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(problem < write, "{}", r.stderr);
    assert_eq!(r.stderr.matches(&unwritten).count(), 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("is not a DTMF key").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with('\n'), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

/// Each `closed-transfer` prints a replay that, run as printed, puts the
/// caller through to the transfer while its `open_when` is false; the same
/// inputs with the desk's hours open end there normally, so the variables
/// the finding names are what make it closed.
#[test]
fn closed_transfer_replays_end_at_the_closed_desk() {
    let set = fixture("closed-transfer");
    let human = run(touchpoint().args(["lint", &set]));
    let json = run(touchpoint().args(["lint", &set, "--format", "json"]));
    assert_eq!(human.code, 1, "{}", human.stderr);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let replays = common::run_printed_replays(&common::project(), &human.stdout, &report);
    assert_eq!(replays.len(), 2, "{}", human.stdout);

    let closed = run(touchpoint().args([
        "replay",
        &set,
        "--flow",
        "main",
        "--var",
        "hours=closed",
        "--inputs",
        "1",
        "--format",
        "json",
    ]));
    let transcript: Value = serde_json::from_str(&closed.stdout).unwrap();
    assert_eq!(transcript["ending"]["node"], "claims_desk");
    assert_eq!(transcript["ending"]["closed"], "hours == open");

    let open = run(touchpoint().args([
        "replay",
        &set,
        "--flow",
        "main",
        "--var",
        "hours=open",
        "--inputs",
        "1",
        "--format",
        "json",
    ]));
    let transcript: Value = serde_json::from_str(&open.stdout).unwrap();
    assert_eq!(transcript["ending"]["node"], "claims_desk");
    assert!(transcript["ending"].get("closed").is_none(), "{transcript}");
}

/// The report's journeys, per intent and per group of values where the
/// figures differ, match the arithmetic in
/// fixtures/journeys-hours/main.yaml.
#[test]
fn journeys_give_outcome_steps_seconds_and_the_way_to_a_person_per_world() {
    let (code, stdout, stderr) =
        common::touchpoint(&["lint", "fixtures/journeys-hours", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let open = |intent: &str, outcome: &str, seconds: f64, inputs: &[&str], path: &[&str]| {
        serde_json::json!({
            "channel": "phone", "flow": "main", "intent": intent, "when": "hours=open",
            "outcome": outcome, "steps": 1, "seconds": seconds,
            "seconds_to_agent": 7.0, "menus_to_agent": 1,
            // The one menu is the deepest too.
            "deepest_menu": "menu", "seconds_to_agent_from_deepest": 7.0,
            "menus_to_agent_from_deepest": 1,
            "inputs": inputs, "path": path
        })
    };
    let expected = serde_json::json!([
        open("balance", "self_served", 9.0, &["1"], &["menu", "balance_said"]),
        {"channel": "phone", "flow": "main", "intent": "balance", "when": "hours=closed",
         "outcome": "self_served", "steps": 1, "seconds": 9.0,
         "deepest_menu": "menu",
         "inputs": ["1"], "path": ["menu", "balance_said"]},
        open("person", "transferred", 7.0, &["0"], &["menu", "staffed", "desk"]),
        {"channel": "phone", "flow": "main", "intent": "person", "when": "hours=closed",
         "outcome": "not_served"},
    ]);
    assert_eq!(report["journeys"], expected, "{:#}", report["journeys"]);
}

/// A caller who gives up on self-service at the deepest menu of their way
/// and asks for a person there: where no option asks for one, the menu's
/// no-match handler decides, and the figures match the arithmetic in
/// fixtures/journeys-deepest-menu/main.yaml.
#[test]
fn journeys_give_the_way_to_a_person_from_the_deepest_menu() {
    let (code, stdout, stderr) =
        common::touchpoint(&["lint", "fixtures/journeys-deepest-menu", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let pay = &report["journeys"][0];
    assert_eq!(pay["intent"], "pay", "{pay:#}");
    assert_eq!(pay["seconds"], 14.0, "{pay:#}");
    assert_eq!(pay["seconds_to_agent"], 6.6, "{pay:#}");
    assert_eq!(pay["menus_to_agent"], 1, "{pay:#}");
    assert_eq!(pay["deepest_menu"], "bills", "{pay:#}");
    assert_eq!(pay["seconds_to_agent_from_deepest"], 19.8, "{pay:#}");
    assert_eq!(pay["menus_to_agent_from_deepest"], 3, "{pay:#}");
    let (_, human, _) = common::touchpoint(&["lint", "fixtures/journeys-deepest-menu"]);
    assert!(
        human.contains("person 6.6 s, 1 menu; from `bills` 19.8 s, 3 menus"),
        "{human}"
    );
}

/// Where no option asks for a person, a caller who asks anyway is put
/// through only when the no-match handler gives up: the way counts every
/// answer, and the finding says how (fixtures/slow-to-agent-by-no-match).
#[test]
fn slow_to_agent_through_a_no_match_handler_says_so() {
    let (_, stdout, stderr) = common::touchpoint(&[
        "lint",
        "fixtures/slow-to-agent-by-no-match",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect(&stderr);
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("about 29.6 s and 4 menus")
            && message.contains("only a no-match handler that gives up puts them through"),
        "{message}"
    );
}

/// A desk that is closed when the caller gets there serves nobody: the
/// night journey of fixtures/journeys-closed-desk is not served and has no
/// way to a person, and the persona who goes there is not transferred.
#[test]
fn a_closed_desk_serves_nobody_in_journeys_and_personas() {
    let (code, stdout, stderr) =
        common::touchpoint(&["check", "fixtures/journeys-closed-desk", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let person: Vec<&serde_json::Value> = report["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["intent"] == "person")
        .collect();
    let expected = serde_json::json!([
        {"channel": "phone", "flow": "main", "intent": "person", "when": "hours=open",
         "outcome": "transferred", "steps": 1, "seconds": 7.0,
         "seconds_to_agent": 7.0, "menus_to_agent": 1,
         "deepest_menu": "menu", "seconds_to_agent_from_deepest": 7.0,
         "menus_to_agent_from_deepest": 1,
         "inputs": ["0"], "path": ["menu", "desk"]},
        {"channel": "phone", "flow": "main", "intent": "person", "when": "hours=closed",
         "outcome": "not_served"},
    ]);
    assert_eq!(
        serde_json::json!(person),
        expected,
        "{:#}",
        report["journeys"]
    );
    let persona = &report["personas"][0];
    assert_eq!(persona["outcome"], "misrouted", "{persona:#}");
    assert_eq!(persona["passed"], true, "{persona:#}");
    let transcript = persona["transcript"].to_string();
    assert!(transcript.contains("CLOSED at `desk`"), "{transcript}");
}

/// The demand figures, per customer type and for all customers, and the
/// costliest intents match the arithmetic in
/// fixtures/demand-weighted/main.yaml.
#[test]
fn demand_is_weighted_by_volume_per_customer_type_as_computed_by_hand() {
    let (code, stdout, stderr) =
        common::touchpoint(&["lint", "fixtures/demand-weighted", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let entry = |customer_type: Option<&str>, shares: [f64; 3], served: f64| {
        let mut entry = serde_json::json!({
            "channel": "phone", "weighted": true, "volume": 400.0,
            "self_served": shares[0], "transferred": shares[1], "not_served": shares[2],
            "mean_seconds_to_served": served, "mean_seconds_to_agent": 7.0
        });
        match customer_type {
            Some(t) => entry["customer_type"] = t.into(),
            None => entry["volume"] = 800.0.into(),
        }
        entry
    };
    // `employer` has no volume, so it has no entry.
    let expected = serde_json::json!([
        entry(None, [0.5, 0.25, 0.25], 8.3),
        entry(Some("member"), [0.75, 0.125, 0.125], 8.7),
        entry(Some("doctor"), [0.25, 0.375, 0.375], 7.8),
    ]);
    assert_eq!(report["demand"], expected, "{:#}", report["demand"]);
    let expected = serde_json::json!([
        {"channel": "phone", "intent": "balance", "volume": 400.0, "share": 0.5,
         "outcome": "self_served", "seconds": 9.0, "caller_minutes": 60.0},
        {"channel": "phone", "intent": "claim", "volume": 400.0, "share": 0.5,
         "outcome": "transferred", "seconds": 7.0, "caller_minutes": 23.3},
    ]);
    assert_eq!(
        report["demand_intents"], expected,
        "{:#}",
        report["demand_intents"]
    );
    assert_eq!(report["notes"], serde_json::json!([]));
}

/// Without volumes every intent counts once, `weighted` is false, and the
/// report says so in a note and in the human and markdown headings. The
/// figures of fixtures/journeys-hours (main.yaml) by hand: balance is
/// self-served in 9.0 s; person is transferred in 7.0 s in half the worlds
/// and not served in the other half; a person is 7.0 s away when open.
#[test]
fn demand_without_volumes_counts_every_intent_once_and_says_so() {
    let (code, stdout, stderr) =
        common::touchpoint(&["lint", "fixtures/journeys-hours", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // To served: (9.0 + 0.5 * 7.0) / (1 + 0.5) = 8.33 s.
    let expected = serde_json::json!([{
        "channel": "phone", "weighted": false, "volume": 2.0,
        "self_served": 0.5, "transferred": 0.25, "not_served": 0.25,
        "mean_seconds_to_served": 8.3, "mean_seconds_to_agent": 7.0
    }]);
    assert_eq!(report["demand"], expected, "{:#}", report["demand"]);
    // Minutes per caller: 9.0 / 60 = 0.15, which rounds up to 0.2; 0.5 *
    // 7.0 / 60 = 0.06, to 0.1.
    let expected = serde_json::json!([
        {"channel": "phone", "intent": "balance", "volume": 1.0, "share": 0.5,
         "outcome": "self_served", "seconds": 9.0, "caller_minutes": 0.2},
        {"channel": "phone", "intent": "person", "volume": 1.0, "share": 0.5,
         "outcome": "transferred", "seconds": 7.0, "caller_minutes": 0.1},
    ]);
    assert_eq!(
        report["demand_intents"], expected,
        "{:#}",
        report["demand_intents"]
    );
    let notes = report["notes"].to_string();
    assert!(notes.contains("count every intent once"), "{notes}");
    for format in ["human", "markdown"] {
        let (_, stdout, _) =
            common::touchpoint(&["lint", "fixtures/journeys-hours", "--format", format]);
        assert!(
            stdout.contains("not weighted: no intent has a `volume:`, so every intent counts once"),
            "{format}:\n{stdout}"
        );
    }
}

/// A persona's `customer_type` is carried into its result, so persona
/// figures can be read per customer type.
#[test]
fn a_personas_customer_type_is_in_its_result() {
    let (code, stdout, stderr) = common::touchpoint(&["personas", "menus", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let type_of = |name: &str| {
        report["personas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["persona"] == name)
            .map(|p| p.get("customer_type").cloned())
    };
    assert_eq!(
        type_of("bakery-owner-pays-bill"),
        Some(Some("business".into()))
    );
    assert_eq!(
        type_of("resident-outage-at-night"),
        Some(Some("resident".into()))
    );
    // One persona run as a resident and as a business names no type.
    assert_eq!(type_of("pays-bill-on-every-channel"), Some(None));
}
