//! What the integration tests share: running the binary and copying sets.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod generated_set;
/// The benches' generator of large phone flows, shared by path, for
/// `many_flows`.
#[path = "../../../benches/support/generator.rs"]
pub mod generator;
/// Sets of many generated flows that call each other a little, as the
/// benches measure `--jobs` on, shared by path.
#[path = "../../../benches/support/many_flows.rs"]
pub mod many_flows;
mod printed_replays;
mod shell_words;
use printed_replays::{
    findings_in_print_order, printed_replay_commands, replay_ends_where_finding_says,
};
pub use shell_words::shell_words;

pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary as every test starts it: in the project directory, without
/// colour, so that output compares the same on every terminal.
pub fn command() -> Command {
    let mut command = Command::cargo_bin("touchpoint").unwrap();
    command.current_dir(project()).env("NO_COLOR", "1");
    command
}

/// Runs `touchpoint` in `dir` without colour: (exit code, stdout, stderr).
pub fn touchpoint_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = command().current_dir(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `touchpoint` in the project directory.
pub fn touchpoint(args: &[&str]) -> (i32, String, String) {
    touchpoint_in(&project(), args)
}

/// Copies a set (a directory tree) so that a test can change it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Replays a finding of a JSON report (its inputs and variables, in its
/// channel and flow) on `set`, and says whether the call ends where the
/// finding says: dropped at the node of an `unhandled-input`, stuck at the
/// node of a `dead-end`, in a loop for a `trap`, past the depth limit at the
/// node of a `too-deep`, and waiting at the node of a rule about a menu as
/// heard. A finding about a whole node or channel has nothing to replay.
pub fn replay_finding(
    set: &touchpoint::model::MenuSet,
    finding: &serde_json::Value,
    report_findings: &[serde_json::Value],
) -> Result<(), String> {
    use std::collections::BTreeMap;
    use touchpoint::input::Input;
    use touchpoint::replay::{replay, Ending, Event};

    // Findings about a whole channel, and findings at a node no path reaches
    // (`unreachable` itself, and the rules about a menu as written there),
    // have nothing to replay; the latter must come with the node's
    // `unreachable` warning, or a reachable node would hide behind them.
    let nothing_to_replay = finding["inputs"].as_array().is_none_or(Vec::is_empty)
        && finding["path"].as_array().is_none_or(Vec::is_empty);
    if nothing_to_replay {
        let code = finding["code"].as_str().unwrap_or_default();
        let about_channel = ["intent-unreachable", "channel-gap"].contains(&code);
        let node_unreachable = report_findings.iter().any(|f| {
            f["code"] == "unreachable"
                && f["channel"] == finding["channel"]
                && f["flow"] == finding["flow"]
                && f["node"] == finding["node"]
        });
        return if about_channel || node_unreachable {
            Ok(())
        } else {
            Err(format!(
                "{finding} has no inputs, yet its node is reachable"
            ))
        };
    }
    let inputs = finding["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| Input::parse(i.as_str().unwrap_or_default()).map_err(|e| e.to_string()))
        .collect::<Result<Vec<Input>, String>>()?;
    let vars: BTreeMap<String, String> = finding["vars"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let channel =
        touchpoint::model::Channel::parse(finding["channel"].as_str().unwrap_or_default());
    let flow = finding["flow"].as_str().unwrap_or_default();
    let transcript = replay(set, channel, flow, &inputs, &vars)
        .map_err(|e| format!("replay of {finding} failed: {e}"))?;
    let node = finding["node"].as_str().unwrap_or_default();
    let ok = match (
        &transcript.ending,
        finding["code"].as_str().unwrap_or_default(),
    ) {
        (Ending::Dropped { node: n, .. }, "unhandled-input") => n == node,
        (Ending::DeadEnd { node: n, .. }, "dead-end") => n == node,
        (Ending::Loop { .. }, "trap") => true,
        (Ending::Terminal { node: n, .. }, "too-deep") => n == node,
        // The way to a person ends at the transfer it reaches.
        (Ending::Terminal { node: n, kind, .. }, "slow-to-agent") => {
            *kind == "transfer" && n == node
        }
        // The caller ends at the transfer with its `open_when` false.
        (
            Ending::Terminal {
                node: n, closed, ..
            },
            "closed-transfer",
        ) => n == node && closed.is_some(),
        // The failure is at `node`; its inputs end with the failing choice,
        // and the call ends at the silent hangup the path names last.
        (Ending::Terminal { node: n, kind, .. }, "silent-failure") => {
            *kind == "hangup"
                && finding["path"].as_array().and_then(|p| p.last()) == Some(&serde_json::json!(n))
        }
        // The stale switch is passed right after the last input, the
        // answer its decision ignores.
        (_, "stale-input") => {
            let last_input = transcript
                .events
                .iter()
                .rposition(|e| matches!(e, Event::Input { .. }));
            last_input.is_some_and(|i| {
                transcript.events[i..]
                    .iter()
                    .any(|e| matches!(e, Event::Node { node: n, .. } if n == node))
            })
        }
        // Rules about a menu as heard: the replay ends waiting there.
        (Ending::Waiting { node: n }, _) => n == node,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "replaying {finding}\nended {:?}",
            transcript.ending
        ))
    }
}

/// Replays every finding of a JSON report on `set` (see [`replay_finding`])
/// and fails the test, naming `what`, at the first that ends elsewhere.
pub fn assert_every_finding_replays(
    set: &touchpoint::model::MenuSet,
    report: &serde_json::Value,
    what: &Path,
) {
    let findings = report["findings"].as_array().unwrap();
    for finding in findings {
        if let Err(e) = replay_finding(set, finding, findings) {
            panic!("{}: {e}", what.display());
        }
    }
}

/// Compares the findings of a JSON report with those an `expected.json`
/// lists, in any order, each reduced by `summary` to the fields it pins
/// down. Returns what differs, or `None` when they agree.
pub fn findings_differ(
    report: &serde_json::Value,
    expected: &[serde_json::Value],
    summary: impl Fn(&serde_json::Value) -> String,
) -> Option<String> {
    let mut got: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(&summary)
        .collect();
    let mut want: Vec<String> = expected.iter().map(&summary).collect();
    got.sort();
    want.sort();
    (got != want).then(|| {
        format!(
            "  got  {got:#?}
  want {want:#?}"
        )
    })
}

/// Runs every `replay:` command of a human report in `dir` exactly as
/// printed, and checks that it exits 0 and ends where its finding says.
/// `report` is the same report as JSON: human output groups findings by
/// channel, flow and file, in report order within a group, and prints a
/// command for each finding with inputs, a path, or a persona behind it.
/// Returns the replays' outputs, with their findings.
pub fn run_printed_replays(
    dir: &Path,
    human: &str,
    report: &serde_json::Value,
) -> Vec<(serde_json::Value, String)> {
    let commands = printed_replay_commands(human);
    let findings = findings_in_print_order(report);
    assert_eq!(commands.len(), findings.len(), "{human}");
    assert!(!commands.is_empty(), "no replay commands in {human}");
    let mut replays = Vec::new();
    for (command, finding) in commands.iter().zip(findings) {
        let words = shell_words(command);
        assert_eq!(words[0], "touchpoint", "{command}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let (code, stdout, stderr) = touchpoint_in(dir, &args);
        assert_eq!(code, 0, "`{command}` as printed fails: {stderr}");
        assert!(
            replay_ends_where_finding_says(finding, &stdout),
            "`{command}` ends elsewhere than {finding}:\n{stdout}"
        );
        replays.push((finding.clone(), stdout));
    }
    replays
}
