//! `mutate`'s report in every format it is offered in: plain text, JSON,
//! markdown for a pull request and JUnit for a CI test tab. They format a
//! [`MutationReport`]; nothing here decides anything.

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use crate::results::mutation::{MutantStatus, MutationReport, Survivor, Tally};

fn percent(score: f64) -> String {
    format!("{:.1}%", score * 100.0)
}

fn tally_text(tally: &Tally) -> String {
    format!(
        "{} of {} killed, {} equivalent: {}",
        tally.killed,
        tally.mutants,
        tally.equivalent,
        percent(tally.score)
    )
}

/// The survivors, grouped by the node they are at (consecutive survivors
/// share a node, since mutants are listed node by node).
fn by_node(report: &MutationReport) -> Vec<(&Survivor, Vec<&Survivor>)> {
    let mut groups: Vec<(&Survivor, Vec<&Survivor>)> = Vec::new();
    for survivor in &report.survivors {
        match groups.last_mut() {
            Some((first, list))
                if first.channel == survivor.channel
                    && first.flow == survivor.flow
                    && first.node == survivor.node =>
            {
                list.push(survivor)
            }
            _ => groups.push((survivor, vec![survivor])),
        }
    }
    groups
}

pub fn human(report: &MutationReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "mutation score: {} ({} of {} mutants killed, {} equivalent{}{})\n",
        percent(report.score),
        report.killed,
        report.mutants,
        report.equivalent,
        if report.with_lint {
            ", by personas and lint"
        } else {
            ", by personas"
        },
        report
            .shard
            .as_ref()
            .map(|s| format!(", shard {s}"))
            .unwrap_or_default()
    ));
    if !report.by_operator.is_empty() {
        out.push_str("\nby operator:\n");
        for (operator, tally) in &report.by_operator {
            out.push_str(&format!("  {operator:<18} {}\n", tally_text(tally)));
        }
    }
    if !report.by_flow.is_empty() {
        out.push_str("\nby flow:\n");
        for flow in &report.by_flow {
            out.push_str(&format!(
                "  {:<18} {}\n",
                format!("{} {}", flow.channel.name(), flow.flow),
                tally_text(&flow.tally)
            ));
        }
    }
    if !report.survivors.is_empty() {
        out.push_str(&format!("\nsurvivors ({}):\n", report.survivors.len()));
        for (first, list) in by_node(report) {
            out.push_str(&format!(
                "\n{} `{}` ({}):\n",
                first.flow, first.node, first.file
            ));
            for survivor in list {
                out.push_str(&format!(
                    "  {} {}:{} [{}] {}\n    {}\n",
                    survivor.id,
                    survivor.file,
                    survivor.line,
                    survivor.operator,
                    survivor.description,
                    survivor.difference
                ));
                match (&survivor.suggestion_name, &survivor.suggestion) {
                    (Some(name), Some(yaml)) => {
                        out.push_str(&format!("    suggested persona `{name}`:\n"));
                        for line in yaml.lines() {
                            out.push_str(&format!("      {line}\n"));
                        }
                    }
                    _ => out.push_str("    no persona can be suggested\n"),
                }
            }
        }
    }
    for note in &report.notes {
        out.push_str(&format!("\nnote: {note}\n"));
    }
    out
}

pub fn json(report: &MutationReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

pub fn markdown(report: &MutationReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "## touchpoint mutation score: {}\n\n{} of {} mutants killed{}, {} equivalent (left out of the score){}.\n\n",
        percent(report.score),
        report.killed,
        report.mutants,
        if report.with_lint { " by personas and lint" } else { " by personas" },
        report.equivalent,
        report.shard.as_ref().map(|s| format!("; shard {s}")).unwrap_or_default()
    ));
    out.push_str(
        "| operator | mutants | killed | equivalent | score |\n|---|---:|---:|---:|---:|\n",
    );
    for (operator, t) in &report.by_operator {
        out.push_str(&format!(
            "| `{operator}` | {} | {} | {} | {} |\n",
            t.mutants,
            t.killed,
            t.equivalent,
            percent(t.score)
        ));
    }
    out.push_str("\n| flow | mutants | killed | equivalent | score |\n|---|---:|---:|---:|---:|\n");
    for flow in &report.by_flow {
        let t = &flow.tally;
        out.push_str(&format!(
            "| {} `{}` | {} | {} | {} | {} |\n",
            flow.channel.name(),
            flow.flow,
            t.mutants,
            t.killed,
            t.equivalent,
            percent(t.score)
        ));
    }
    if !report.survivors.is_empty() {
        out.push_str(&format!("\n### Survivors ({})\n", report.survivors.len()));
        for (first, list) in by_node(report) {
            out.push_str(&format!(
                "\n#### `{}` in `{}` ({})\n\n",
                first.node, first.flow, first.file
            ));
            for survivor in list {
                out.push_str(&format!(
                    "- **{}** `{}:{}` `{}`: {}  \n  {}\n",
                    survivor.id,
                    survivor.file,
                    survivor.line,
                    survivor.operator,
                    survivor.description,
                    survivor.difference
                ));
                if let (Some(name), Some(yaml)) = (&survivor.suggestion_name, &survivor.suggestion)
                {
                    out.push_str(&format!(
                        "\n  <details><summary>suggested persona <code>{name}</code></summary>\n\n  ```yaml\n"
                    ));
                    for line in yaml.lines() {
                        out.push_str(&format!("  {line}\n"));
                    }
                    out.push_str("  ```\n\n  </details>\n");
                }
            }
        }
    }
    for note in &report.notes {
        out.push_str(&format!("\n> note: {note}\n"));
    }
    out
}

pub fn junit(report: &MutationReport) -> String {
    let mut junit = Junit::new("touchpoint");
    let mut suite = TestSuite::new(format!("touchpoint mutate: {}", percent(report.score)));
    for result in &report.results {
        let status = match result.status {
            MutantStatus::Killed => TestCaseStatus::success(),
            MutantStatus::Equivalent => {
                let mut status = TestCaseStatus::skipped();
                status.set_message("equivalent: no caller can tell it apart");
                status
            }
            MutantStatus::Survived | MutantStatus::Undecided => {
                let survivor = report.survivors.iter().find(|s| s.id == result.id);
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(format!("{} survived: {}", result.id, result.description))
                    .set_type(result.status.name());
                if let Some(survivor) = survivor {
                    let mut text = format!("{}\n", survivor.difference);
                    if let Some(yaml) = &survivor.suggestion {
                        text.push_str("\nsuggested persona:\n");
                        text.push_str(yaml);
                    }
                    status.set_description(text);
                }
                status
            }
        };
        let mut case = TestCase::new(
            format!(
                "{} {}:{}:{} {}",
                result.id, result.file, result.line, result.column, result.description
            ),
            status,
        );
        case.set_classname(format!("touchpoint.mutate.{}", result.operator));
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    super::junit::finish(&junit)
}
