//! Markdown for pull-request comments: a summary table first, details in
//! collapsible sections, and for a diff a Mermaid diagram of each changed
//! flow with stuck nodes marked (GitHub renders it).

use crate::diff::DiffReport;
use crate::report::{ErrorReport, Report};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The diff's caller time, open rather than folded away, since it is what
/// callers live through: the channels whose figures moved, a sentence per
/// intent that changed, and a table of those intents (old, new, change),
/// largest effect first; a line saying nothing changed when the figures
/// were compared and nothing did.
fn caller_time(out: &mut String, diff: &DiffReport) {
    use crate::diff::{seconds_text, share_text, IntentFigures};
    if diff.demand.is_empty() && diff.intents.is_empty() {
        return;
    }
    out.push_str("\n**Caller time**\n\n");
    let moved: Vec<_> = diff.demand.iter().filter(|d| d.moved()).collect();
    if moved.is_empty() && diff.intents.is_empty() {
        out.push_str("No change: every intent has the outcome and the time to be served it had.\n");
        return;
    }
    for d in moved {
        out.push_str(&format!("- {}\n", cell(&super::human::demand_line(d))));
    }
    for i in &diff.intents {
        out.push_str(&format!("- {}\n", cell(&i.sentence)));
    }
    if diff.intents.is_empty() {
        return;
    }
    let side = |f: &Option<IntentFigures>| match f {
        None => "—".to_string(),
        Some(f) => {
            let outcome = outcome_text(&f.outcome);
            match f.seconds {
                Some(s) => format!("{outcome}, {}", seconds_text(s)),
                None => outcome,
            }
        }
    };
    out.push_str(
        "\n| channel | intent | share | old | new | change |\n|---|---|---|---|---|---|\n",
    );
    for i in &diff.intents {
        let share = i
            .new
            .as_ref()
            .or(i.old.as_ref())
            .and_then(|f| f.share)
            .map_or_else(|| "—".to_string(), share_text);
        let change = match (&i.old, &i.new, i.seconds) {
            (None, _, _) => "new".to_string(),
            (_, None, _) => "gone".to_string(),
            (Some(a), Some(b), _) if a.outcome != b.outcome => {
                format!("now {}", outcome_text(&b.outcome))
            }
            (_, _, Some(s)) => {
                let sign = if s < 0.0 { "-" } else { "+" };
                let percent = i
                    .percent
                    .map(|p| format!(" ({p:+.1}%)"))
                    .unwrap_or_default();
                format!("{sign}{}{percent}", seconds_text(s))
            }
            _ => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} | {share} | {} | {} | {change} |\n",
            i.channel,
            code_span(&i.intent),
            side(&i.old),
            side(&i.new)
        ));
    }
}

/// An outcome as a reader writes it: `self_served` is "self-served".
fn outcome_text(outcome: &str) -> String {
    match outcome {
        "self_served" => "self-served".to_string(),
        other => other.replace('_', " "),
    }
}

/// Text as an inline code span inside a table cell: a fence longer than any
/// run of backticks in it, and `|` escaped so the table keeps its columns.
fn code_span(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space inside each end of a code span; the
    // spaces are only written where they are needed: to keep a backtick at
    // either end apart from the fence, or to keep spaces at both ends.
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// `[-old-]{+new+}` word diffs as ~~old~~ **new**. Markdown ignores
/// emphasis that starts or ends with a space, so spaces move outside.
fn styled_diff(diff: &str) -> String {
    let markers =
        regex::Regex::new(r"\[-(\s*)(.*?)(\s*)-\]|\{\+(\s*)(.*?)(\s*)\+\}").expect("a valid regex");
    markers
        .replace_all(diff, |c: &regex::Captures| {
            let part = |i: usize| c.get(i).map_or("", |m| m.as_str());
            if c.get(2).is_some() {
                format!("{}~~{}~~{}", part(1), part(2), part(3))
            } else {
                format!("{}**{}**{}", part(4), part(5), part(6))
            }
        })
        .into_owned()
}

/// A set that could not be loaded, as a pull-request comment: every
/// problem with its file, line and column.
pub fn load_errors(report: &ErrorReport) -> String {
    let n = report.errors.len();
    let mut out = format!(
        "## touchpoint {}: ❌ could not load the set\n\n`{}`: {n} problem{}; nothing was checked.\n\n",
        report.command,
        report.set,
        if n == 1 { "" } else { "s" }
    );
    for error in &report.errors {
        let place = match (&error.file, error.line, error.column) {
            (Some(file), Some(line), Some(column)) => format!("`{file}:{line}:{column}` "),
            (Some(file), ..) => format!("`{file}` "),
            (None, ..) => String::new(),
        };
        out.push_str(&format!("- {place}{}", cell(&error.message)));
        if let Some(help) = &error.help {
            out.push_str(&format!(" (help: {})", cell(help)));
        }
        out.push('\n');
    }
    out
}

/// The report as a pull-request comment; its verdict is the exit code's,
/// so `deny_warnings` is `--deny warnings`.
pub fn report(report: &Report, deny_warnings: bool) -> String {
    let s = &report.summary;
    let verdict = if report.fails(deny_warnings) {
        "❌ failed"
    } else {
        "✅ passed"
    };
    let mut out = format!("## touchpoint {}: {verdict}\n\n", report.command);
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!(
        "| set | `{}` (seed {}) |\n",
        report.set, report.seed
    ));
    out.push_str(&format!(
        "| errors | {} |\n| warnings | {} |\n",
        s.errors, s.warnings
    ));
    if !report.personas.is_empty() {
        out.push_str(&format!(
            "| personas | {} passed, {} failed |\n",
            s.personas_passed, s.personas_failed
        ));
    }
    if let Some(f) = &report.fuzz {
        out.push_str(&format!(
            "| fuzzer | {} customers, {}/{} edges |\n",
            f.runs, f.edges_covered, f.edges
        ));
    }
    if let Some(m) = &report.mutation {
        out.push_str(&format!(
            "| mutation score | {} |\n",
            cell(&super::mutation::score_text(m))
        ));
    }
    for flow in &report.coverage.flows {
        out.push_str(&format!(
            "| coverage {} `{}` | nodes {}/{}, options {}/{}, handlers {}/{} |\n",
            flow.channel,
            flow.flow,
            flow.nodes_covered,
            flow.nodes,
            flow.options_covered,
            flow.options,
            flow.handlers_covered,
            flow.handlers
        ));
    }
    if !report.findings.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} finding(s)</summary>\n\n",
            report.findings.len()
        ));
        out.push_str(
            "| level | code | where | message | when | inputs |\n|---|---|---|---|---|---|\n",
        );
        for f in &report.findings {
            out.push_str(&format!(
                "| {} | `{}` | `{}:{}:{}` | {} | {} | {} |\n",
                f.level.name(),
                f.code,
                f.file,
                f.line,
                f.column,
                cell(&f.message),
                code_span(&super::vars_text(f)),
                code_span(&crate::input::Input::join_list(&f.inputs))
            ));
        }
        out.push_str("\n</details>\n");
    }
    if !report.journeys.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} journey(s)</summary>\n\n",
            report.journeys.len()
        ));
        out.push_str("| channel | flow | intent | when | outcome | steps | seconds | to a person |\n|---|---|---|---|---|---|---|---|\n");
        for j in &report.journeys {
            out.push_str(&format!(
                "| {} | `{}` | `{}` | {} | {} | {} | {} | {} |\n",
                j.channel,
                j.flow,
                j.intent,
                j.when.as_deref().map(code_span).unwrap_or_default(),
                super::journey_outcome(j),
                j.steps.map(|n| n.to_string()).unwrap_or_default(),
                j.seconds.map(|n| format!("{n:.1}")).unwrap_or_default(),
                super::journey_to_agent(j),
            ));
        }
        out.push_str("\n</details>\n");
    }
    if !report.demand.is_empty() {
        out.push_str(&format!("\n**{}**\n\n", super::demand::heading(report)));
        out.push_str(&format!(
            "| {} |\n|---|---|--:|--:|--:|--:|--:|--:|\n",
            super::demand::COLUMNS.join(" | ")
        ));
        for d in &report.demand {
            let cells = super::demand::row(d).map(|c| cell(&c));
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        let costliest = super::demand::costliest(report);
        if !costliest.is_empty() {
            out.push_str("\nCostliest intents (minutes callers spend before they are served or reach a person):\n\n");
            for intent in costliest {
                out.push_str(&format!(
                    "- {} {}: {}\n",
                    intent.channel,
                    code_span(&intent.intent),
                    super::demand::cost(report, intent)
                ));
            }
        }
    }
    if let Some(m) = &report.mutation {
        mutation_section(&mut out, m);
    }
    let failed: Vec<_> = report.personas.iter().filter(|p| !p.passed).collect();
    if !failed.is_empty() {
        out.push_str("\n<details><summary>failed personas</summary>\n\n");
        for p in failed {
            out.push_str(&format!(
                "**{}** ({}): {}\n\n```text\n{}\n```\n\n",
                p.name(),
                p.channel,
                cell(&p.failures.join("; ")),
                p.transcript.join("\n")
            ));
        }
        out.push_str("</details>\n");
    }
    out
}

/// `check --mutate`: the score per operator, and the mutants the personas
/// miss with how a caller tells each apart (`touchpoint mutate --format
/// markdown` adds the suggested personas).
fn mutation_section(out: &mut String, m: &crate::results::mutation::MutationReport) {
    use super::mutation::percent;
    out.push_str(&format!(
        "\n### Mutation score: {}\n\n{}\n\n",
        percent(m.score),
        cell(&super::mutation::score_text(m))
    ));
    out.push_str(&super::mutation::operator_table(m));
    if !m.survivors.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} survivor(s)</summary>\n\n| mutant | where | operator | mistake | how a caller tells |\n|---|---|---|---|---|\n",
            m.survivors.len()
        ));
        for survivor in &m.survivors {
            out.push_str(&format!(
                "| {} | `{}:{}` | `{}` | {} | {} |\n",
                survivor.place.id,
                survivor.place.file,
                survivor.place.line,
                survivor.place.operator,
                cell(&survivor.place.description),
                cell(&survivor.difference)
            ));
        }
        out.push_str("\n</details>\n");
    }
    for note in &m.notes {
        out.push_str(&format!("\n> note: {}\n", cell(note)));
    }
}

/// The diff's mutation score, open like caller time: old → new, and the
/// mutants that newly survive (and those that no longer do) in tables.
fn mutation_change(out: &mut String, diff: &DiffReport) {
    let Some(m) = &diff.mutation else {
        return;
    };
    out.push_str(&format!(
        "\n**Mutation score: {} → {}** ({})\n",
        super::mutation::percent(m.old.score),
        super::mutation::percent(m.new.score),
        super::mutation::change_counts(m)
    ));
    for (what, list) in [
        ("newly surviving", &m.newly_surviving),
        ("no longer surviving", &m.no_longer_surviving),
    ] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n<details><summary>{} mutant(s) {what}</summary>\n\n| mutant | where | operator | mistake |\n|---|---|---|---|\n",
            list.len()
        ));
        for mutant in list {
            out.push_str(&format!(
                "| {} | `{}:{}` | `{}` | {} |\n",
                mutant.id,
                mutant.file,
                mutant.line,
                mutant.operator,
                cell(&mutant.description)
            ));
        }
        out.push_str("\n</details>\n");
    }
}

pub fn diff(diff: &DiffReport, new: &Report) -> String {
    let verdict = if diff.fails() {
        "❌ regressions"
    } else {
        "✅ no regressions"
    };
    let mut out = format!(
        "## touchpoint diff: {verdict}\n\n`{}` → `{}`",
        diff.old, diff.new
    );
    if let Some(file) = &diff.file {
        out.push_str(&format!(" (file `{file}` of the set)"));
    }
    out.push_str("\n\n");
    out.push_str("| change | count |\n|---|---|\n");
    let rows = [
        ("added (flows, nodes, options, leads)", diff.added.len()),
        ("removed", diff.removed.len()),
        ("prompts changed", diff.changed.len()),
        ("retargeted", diff.retargeted.len()),
        ("relabelled", diff.relabelled.len()),
        ("renamed nodes", diff.renamed.len()),
        ("new findings", diff.findings_new.len()),
        ("fixed findings", diff.findings_fixed.len()),
        ("coverage changes", diff.coverage.len()),
        ("personas changed", diff.personas.len()),
        ("intents whose caller time changed", diff.intents.len()),
    ];
    for (what, n) in rows {
        out.push_str(&format!("| {what} | {n} |\n"));
    }
    for note in &diff.notes {
        out.push_str(&format!("\n> note: {note}\n"));
    }
    if !diff.regressions.is_empty() {
        out.push_str("\n**Regressions**\n\n");
        for r in &diff.regressions {
            out.push_str(&format!("- {}\n", cell(r)));
        }
    }
    caller_time(&mut out, diff);
    mutation_change(&mut out, diff);
    let section = |out: &mut String, title: &str, body: String| {
        if !body.is_empty() {
            out.push_str(&format!(
                "\n<details><summary>{title}</summary>\n\n{body}\n</details>\n"
            ));
        }
    };
    let mut structure = String::new();
    for c in &diff.added {
        structure.push_str(&format!("- added {} {}\n", c.what, describe_change(c)));
    }
    for c in &diff.removed {
        structure.push_str(&format!("- removed {} {}\n", c.what, describe_change(c)));
    }
    for r in &diff.renamed {
        structure.push_str(&format!(
            "- renamed node `{}` to `{}` in {} `{}`\n",
            r.old, r.new, r.channel, r.flow
        ));
    }
    for r in &diff.retargeted {
        structure.push_str(&format!(
            "- `{}` {} now goes to `{}` (was `{}`)\n",
            r.node,
            cell(&r.by),
            r.new,
            r.old
        ));
    }
    for r in &diff.relabelled {
        structure.push_str(&format!(
            "- `{}` {} relabelled \"{}\" → \"{}\" (to `{}`)\n",
            r.node,
            r.option(),
            cell(&r.old),
            cell(&r.new),
            r.to
        ));
    }
    section(&mut out, "structure", structure);
    let prompts: String = diff
        .changed
        .iter()
        .map(|c| {
            format!(
                "- `{}` ({} `{}`): {}\n",
                c.node,
                c.channel,
                c.flow,
                styled_diff(&cell(&c.diff))
            )
        })
        .collect();
    section(&mut out, "prompts", prompts);
    let mut findings = String::new();
    for f in &diff.findings_new {
        let when = super::vars_text(f);
        let when = if when.is_empty() {
            String::new()
        } else {
            format!(" (when {})", code_span(&when))
        };
        findings.push_str(&format!(
            "- new {} `{}` at `{}:{}`: {}{when}\n",
            f.level.name(),
            f.code,
            f.file,
            f.line,
            cell(&f.message)
        ));
    }
    for f in &diff.findings_fixed {
        findings.push_str(&format!(
            "- fixed `{}` at `{}`: {}\n",
            f.code,
            f.node,
            cell(&f.message)
        ));
    }
    section(&mut out, "findings", findings);
    let coverage: String = diff
        .coverage
        .iter()
        .map(|c| {
            let lost = if c.newly_uncovered.is_empty() {
                String::new()
            } else {
                format!(", newly uncovered: `{}`", c.newly_uncovered.join("`, `"))
            };
            format!(
                "- {} `{}`: {:.1}% → {:.1}%{lost}\n",
                c.channel, c.flow, c.old, c.new
            )
        })
        .collect();
    section(&mut out, "coverage", coverage);
    let personas: String = diff
        .personas
        .iter()
        .map(|p| {
            format!(
                "- `{}`: {} → {}, {} → {} steps, {:.0} → {:.0} s{}\n",
                p.persona,
                p.old_outcome,
                p.new_outcome,
                p.old_steps,
                p.new_steps,
                p.old_seconds,
                p.new_seconds,
                if p.old_passed && !p.new_passed {
                    " (now fails)"
                } else {
                    ""
                }
            )
        })
        .collect();
    section(&mut out, "personas", personas);
    // A diagram of every flow that changed, changed nodes outlined and nodes
    // with errors filled red.
    for flow in &new.structure.flows {
        let touched = |channel, name: &str| channel == flow.channel && name == flow.flow;
        let mut changed_nodes: Vec<String> = Vec::new();
        changed_nodes.extend(
            diff.added
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .filter_map(|c| c.node.clone()),
        );
        changed_nodes.extend(
            diff.removed
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .filter_map(|c| c.node.clone()),
        );
        changed_nodes.extend(
            diff.changed
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .map(|c| c.node.clone()),
        );
        changed_nodes.extend(
            diff.retargeted
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .map(|c| c.node.clone()),
        );
        changed_nodes.extend(
            diff.relabelled
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .map(|c| c.node.clone()),
        );
        changed_nodes.extend(
            diff.renamed
                .iter()
                .filter(|c| touched(c.channel, &c.flow))
                .map(|c| c.new.clone()),
        );
        if changed_nodes.is_empty() {
            continue;
        }
        let findings: Vec<_> = new
            .findings
            .iter()
            .filter(|f| f.channel == flow.channel && f.flow == flow.flow)
            .collect();
        out.push_str(&format!(
            "\n<details><summary>diagram of {} `{}` (changed nodes outlined, stuck nodes red)</summary>\n\n```mermaid\n{}```\n\n</details>\n",
            flow.channel,
            flow.flow,
            super::graph::mermaid(flow, &findings, &changed_nodes)
        ));
    }
    out
}

fn describe_change(c: &crate::diff::Change) -> String {
    let mut text = format!("in {} `{}`", c.channel, c.flow);
    if let Some(node) = &c.node {
        text = format!("`{node}` {text}");
    }
    if let Some(option) = &c.option {
        text = format!("{} of {text}", cell(option));
    }
    if let Some(to) = &c.to {
        text.push_str(&format!(" (to `{to}`)"));
    }
    text
}
