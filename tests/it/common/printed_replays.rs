//! What a printed `replay:` command must do, shared by the integration tests
//! and the campaign example (which includes this file by path): pair each
//! command of a human report with its finding in the JSON report of the same
//! run, and judge whether the replay ends where that finding says.

/// The `replay:` commands of a human report, in the order printed.
pub fn printed_replay_commands(human: &str) -> Vec<&str> {
    human
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("replay: "))
        .collect()
}

/// The findings of a JSON report that print a replay command, in the order
/// the human report prints them: it groups findings by channel, flow and
/// file, in report order within a group, and prints a command for each
/// finding with inputs, a path or a persona behind it.
pub fn findings_in_print_order(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .map(|f| f.iter().collect())
        .unwrap_or_default();
    findings.retain(|f| {
        f["inputs"].as_array().is_some_and(|i| !i.is_empty())
            || f["path"].as_array().is_some_and(|p| !p.is_empty())
            || f["source"] == "personas"
    });
    // A stable sort keeps report order within a group.
    findings.sort_by_key(|f| {
        (
            f["channel"].as_str().unwrap_or_default().to_string(),
            f["flow"].as_str().unwrap_or_default().to_string(),
            f["file"].as_str().unwrap_or_default().to_string(),
        )
    });
    findings
}

/// Whether a replay's output (`stdout` of `touchpoint replay ...`) ends where
/// `finding` says the customer gets stuck.
pub fn replay_ends_where_finding_says(finding: &serde_json::Value, stdout: &str) -> bool {
    let last = stdout.lines().last().unwrap_or_default();
    let node = format!("`{}`", finding["node"].as_str().unwrap_or_default());
    let path_end = finding["path"]
        .as_array()
        .and_then(|p| p.last())
        .and_then(|n| n.as_str())
        .map(|n| format!("`{n}`"));
    match finding["code"].as_str().unwrap_or_default() {
        "dead-end" => last.starts_with("DEAD END at ") && last.contains(&node),
        "unhandled-input" => last.starts_with("DROPPED at ") && last.contains(&node),
        "trap" => last.starts_with("LOOP at ") || last.starts_with("waiting at "),
        // Where a persona ends is its outcome, whichever node it is.
        "persona-failed" => true,
        // The failure is at `node`; the call then ends, in silence, at the
        // hangup the path names last.
        "silent-failure" => path_end.is_some_and(|hangup| last.contains(&hangup)),
        // The stale switch is passed after the last input, and the call
        // ends where the path says.
        "stale-input" => {
            let after_last_input = stdout.rsplit("    > ").next().unwrap_or_default();
            after_last_input.contains(&format!(
                "[{}]",
                finding["node"].as_str().unwrap_or_default()
            )) && path_end.is_some_and(|end| last.contains(&end))
        }
        // The fuzzer's copy of a misleading option ends where its path says
        // the customer was taken after choosing it, past the option's menu.
        "misleading-option" => {
            last.contains(&node) || path_end.is_some_and(|end| last.contains(&end))
        }
        // The caller is put through to the transfer while it is closed.
        "closed-transfer" => last.starts_with("CLOSED at transfer ") && last.contains(&node),
        _ => last.contains(&node),
    }
}
