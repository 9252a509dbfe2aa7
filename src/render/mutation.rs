//! `mutate`'s report in every format it is offered in: plain text, JSON,
//! markdown for a pull request and JUnit for a CI test tab. They format a
//! [`MutationReport`]; nothing here decides anything.

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use crate::results::mutation::{MutantStatus, MutationReport, Survivor, Tally};

pub(crate) fn percent(score: f64) -> String {
    format!("{:.1}%", score * 100.0)
}

/// The score and what it counts, as one sentence's worth of text:
/// `24.2% (73 of 327 mutants killed, 26 equivalent, by personas)`, and
/// `, below --min-score 50.0%` when that fails the run.
/// What a diff's two scores count, "8 of 18 mutants killed, 0 equivalent
/// → 3 of 13, 1 equivalent", which the human and markdown diffs both print
/// after the scores.
pub(crate) fn change_counts(m: &crate::diff::MutationChange) -> String {
    format!(
        "{} of {} mutants killed, {} equivalent → {} of {}, {} equivalent",
        m.old.killed,
        m.old.mutants,
        m.old.equivalent,
        m.new.killed,
        m.new.mutants,
        m.new.equivalent
    )
}

/// The per-operator table of a markdown report, `mutate`'s and `check
/// --mutate`'s alike.
pub(crate) fn operator_table(report: &MutationReport) -> String {
    let mut out =
        "| operator | mutants | killed | equivalent | score |\n|---|---:|---:|---:|---:|\n"
            .to_string();
    for (operator, t) in &report.by_operator {
        out.push_str(&format!(
            "| `{operator}` | {} | {} | {} | {} |\n",
            t.mutants,
            t.killed,
            t.equivalent,
            percent(t.score)
        ));
    }
    out
}

pub(crate) fn score_text(report: &MutationReport) -> String {
    let mut text = format!(
        "{} ({} of {} mutants killed, {} equivalent{}{})",
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
    );
    if let (true, Some(min)) = (report.below_min_score(), report.min_score) {
        text.push_str(&format!(", below --min-score {}", percent(min)));
    }
    text
}

/// How many survivors a report of another command lists before it sends
/// the reader to `touchpoint mutate` for the rest.
pub(crate) const SURVIVORS_LISTED: usize = 10;

/// One survivor on one line: `M12 phone/main.yaml:14 [operator] what changed`.
pub(crate) fn survivor_line(survivor: &Survivor) -> String {
    format!(
        "{} {}:{} [{}] {}",
        survivor.place.id,
        survivor.place.file,
        survivor.place.line,
        survivor.place.operator,
        survivor.place.description
    )
}

/// The part of `check --mutate`'s human report about mutation: the score
/// and the first survivors.
pub(crate) fn check_human(report: &MutationReport) -> String {
    let mut out = format!("\nmutation score: {}\n", score_text(report));
    if !report.survivors.is_empty() {
        let shown = report.survivors.len().min(SURVIVORS_LISTED);
        let which = if shown < report.survivors.len() {
            format!(", the first {shown}")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  survivors ({}{which}):\n",
            report.survivors.len()
        ));
        for survivor in report.survivors.iter().take(shown) {
            out.push_str(&format!("    {}\n", survivor_line(survivor)));
        }
        out.push_str(
            "  `touchpoint mutate` shows how a caller tells each apart and a persona that catches it\n",
        );
    }
    for note in &report.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
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
                if first.place.channel == survivor.place.channel
                    && first.place.flow == survivor.place.flow
                    && first.place.node == survivor.place.node =>
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
    out.push_str(&format!("mutation score: {}\n", score_text(report)));
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
                first.place.flow, first.place.node, first.place.file
            ));
            for survivor in list {
                out.push_str(&format!(
                    "  {} {}:{} [{}] {}\n    {}\n",
                    survivor.place.id,
                    survivor.place.file,
                    survivor.place.line,
                    survivor.place.operator,
                    survivor.place.description,
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
    out.push_str(&operator_table(report));
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
                first.place.node, first.place.flow, first.place.file
            ));
            for survivor in list {
                out.push_str(&format!(
                    "- **{}** `{}:{}` `{}`: {}  \n  {}\n",
                    survivor.place.id,
                    survivor.place.file,
                    survivor.place.line,
                    survivor.place.operator,
                    survivor.place.description,
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
    junit.add_test_suite(junit_suite(
        report,
        format!("touchpoint mutate: {}", percent(report.score)),
        true,
    ));
    super::junit::finish(&junit)
}

/// A test case per mutant: a killed one passes, an equivalent one is
/// skipped, and a survivor fails when `survivors_fail` says so (always for
/// `mutate`; for `check --mutate`, when the score is below `--min-score`),
/// else passes with how a caller tells it apart in its output, as a
/// persona whose failure does not fail the run does.
pub(crate) fn junit_suite(
    report: &MutationReport,
    name: String,
    survivors_fail: bool,
) -> TestSuite {
    let mut suite = TestSuite::new(name);
    for result in &report.results {
        let survivor = report
            .survivors
            .iter()
            .find(|s| s.place.id == result.place.id);
        let survivor_text = survivor.map(|survivor| {
            let mut text = format!("{}\n", survivor.difference);
            if let Some(yaml) = &survivor.suggestion {
                text.push_str("\nsuggested persona:\n");
                text.push_str(yaml);
            }
            text
        });
        let status = match result.status {
            MutantStatus::Killed => TestCaseStatus::success(),
            MutantStatus::Equivalent => {
                let mut status = TestCaseStatus::skipped();
                status.set_message("equivalent: no caller can tell it apart");
                status
            }
            MutantStatus::Survived | MutantStatus::Undecided if survivors_fail => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(format!(
                        "{} survived: {}",
                        result.place.id, result.place.description
                    ))
                    .set_type(result.status.name());
                if let Some(text) = &survivor_text {
                    status.set_description(text.clone());
                }
                status
            }
            MutantStatus::Survived | MutantStatus::Undecided => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(
            format!(
                "{} {}:{}:{} {}",
                result.place.id,
                result.place.file,
                result.place.line,
                result.place.column,
                result.place.description
            ),
            status,
        );
        case.set_classname(format!("touchpoint.mutate.{}", result.place.operator));
        if let (false, Some(text)) = (survivors_fail, survivor_text) {
            case.set_system_out(format!("{} survived: {text}", result.place.id));
        }
        suite.add_test_case(case);
    }
    suite
}
