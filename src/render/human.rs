//! What a person reads in a terminal: findings grouped by flow, each with
//! its source line underlined, the inputs that show it and the command that
//! replays it.

use std::collections::BTreeMap;

use miette::Severity;
use rustc_hash::FxHashMap;

use crate::finding::{Finding, FindingSource};
use crate::model::{Level, MenuSet};
use crate::render::{ExcerptSource, Excerpts, SourceDiagnostic};
use crate::report::Report;

pub fn render(report: &Report, set: Option<&MenuSet>, colour: bool) -> String {
    let mut out = String::new();
    let stats = &report.stats;
    // States are only walked by lint and check; fuzz and personas say so
    // by leaving the count out.
    let walked = if stats.states > 0 {
        format!(", {} states walked", stats.states)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "touchpoint {} {}: {} flow{}, {} nodes{walked} (seed {})\n",
        report.command,
        report.subject(),
        stats.flows,
        plural(stats.flows),
        stats.nodes,
        report.seed
    ));
    let mut groups: BTreeMap<(String, String, String), Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        groups
            .entry((
                finding.channel.name().to_string(),
                finding.flow.clone(),
                finding.file.clone(),
            ))
            .or_default()
            .push(finding);
    }
    // Each file's lines are indexed once, however many findings it holds.
    let files = set.map_or(&[][..], |s| &s.files[..]);
    let file_index: FxHashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), i))
        .collect();
    let mut excerpts = Excerpts::new(files);
    for ((channel, flow, file), findings) in &groups {
        out.push_str(&format!("\n── {channel} / {flow} ({file}) ──\n\n"));
        for (i, finding) in findings.iter().enumerate() {
            // A blank line between findings: each is a block of its own.
            if i > 0 {
                out.push('\n');
            }
            let file = file_index.get(finding.file.as_str()).copied();
            let source = file.and_then(|i| excerpts.source(i));
            let text = file.map_or("", |i| &files[i].text);
            let (diagnostic, replay) = diagnostic(finding, report, set, source, text);
            out.push_str(&diagnostic.render(colour));
            if !out.ends_with('\n') {
                out.push('\n');
            }
            // Without the source (an imported set, a merged report) there
            // is no excerpt to show where the finding is: say it in words.
            if diagnostic.source.is_none() {
                out.push_str(&format!(
                    "  at: {}:{}:{}\n",
                    finding.file, finding.line, finding.column
                ));
            }
            // miette wraps help text at its width, which would break the
            // command in the middle; on its own line it pastes whole.
            if let Some(command) = replay {
                out.push_str(&format!("  replay: {command}\n"));
            }
        }
    }
    for note in &report.notes {
        out.push_str(&format!("\nnote: {note}\n"));
    }
    if !report.personas.is_empty() {
        out.push_str("\npersonas:\n");
        let width = column_width(report.personas.iter().map(|p| p.name().len()));
        let node_width = column_width(report.personas.iter().map(|p| p.node.len()));
        for p in &report.personas {
            let mark = if p.passed { "pass" } else { "FAIL" };
            out.push_str(&format!(
                "  {mark}  {:<width$} {:<5} {:<11} at {:<node_width$} {:>2} steps, {:>2} menus, {:>2} retries, about {:.0} s\n",
                p.name(),
                p.channel.name(),
                p.outcome,
                p.node,
                p.steps,
                p.menus,
                p.retries,
                p.seconds
            ));
            if !p.passed {
                for failure in &p.failures {
                    out.push_str(&format!("        {failure}\n"));
                }
                out.push_str("        transcript:\n");
                for line in &p.transcript {
                    out.push_str(&format!("          {line}\n"));
                }
            }
        }
        if report.persona_suites.iter().any(|s| s.runs > 1) {
            out.push_str("\npersona suites (runs, passed, served by self-service, average steps and seconds):\n");
            for suite in report.persona_suites.iter().filter(|s| s.runs > 1) {
                out.push_str(&format!(
                    "  {:<width$} {:<5} {} runs, {} passed, containment {:.0}%, {:.1} steps, {:.0} s\n",
                    suite.persona,
                    suite.channel.name(),
                    suite.runs,
                    suite.passed,
                    suite.containment * 100.0,
                    suite.avg_steps,
                    suite.avg_seconds
                ));
            }
        }
    }
    for change in &report.transcripts_changed {
        out.push_str(&format!(
            "\ntranscript changed: {} ({})\n",
            change.persona, change.file
        ));
        for line in change.diff.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(fuzz) = report.fuzz.as_ref().filter(|f| f.edges == 0) {
        // A live app has no model to count edges in.
        out.push_str(&format!(
            "\nfuzzed {} callers with seed {}: {} failure{}\n",
            fuzz.runs,
            fuzz.seed,
            fuzz.failures,
            plural(fuzz.failures)
        ));
    } else if let Some(fuzz) = &report.fuzz {
        out.push_str(&format!(
            "\nfuzzed {} customers with seed {}: {}/{} option and handler edges taken, {} failure{}\n",
            fuzz.runs,
            fuzz.seed,
            fuzz.edges_covered,
            fuzz.edges,
            fuzz.failures,
            plural(fuzz.failures)
        ));
    }
    let limited: Vec<_> = report
        .intents
        .iter()
        .filter(|i| i.served != "always")
        .collect();
    if !limited.is_empty() {
        out.push_str("\nintents not always served:\n");
        for intent in limited {
            let when = intent
                .when
                .as_deref()
                .map(|w| format!(" (only when {w})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<5} {:<24} {}{when}\n",
                intent.channel.name(),
                intent.intent,
                intent.served
            ));
        }
    }
    if !report.journeys.is_empty() {
        out.push_str("\njourneys (fewest steps and seconds to being served; a caller who asks for a person):\n");
        let label = |j: &crate::results::Journey| match &j.when {
            Some(when) => format!("{} {} ({when})", j.flow, j.intent),
            None => format!("{} {}", j.flow, j.intent),
        };
        let width = column_width(report.journeys.iter().map(|j| label(j).len()));
        for j in &report.journeys {
            let served = match (j.steps, j.seconds) {
                (Some(steps), Some(seconds)) => {
                    format!("{steps} step{}, {seconds:.1} s", plural(steps as usize))
                }
                _ => String::new(),
            };
            let line = format!(
                "  {:<5} {:<width$}  {:<11} {:<18} {}",
                j.channel.name(),
                label(j),
                super::journey_outcome(j),
                served,
                super::journey_to_agent(j),
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    if !report.demand.is_empty() {
        out.push_str(&format!("\n{}:\n", super::demand::heading(report)));
        let rows: Vec<[String; 8]> = report.demand.iter().map(super::demand::row).collect();
        let widths: Vec<usize> = (0..8)
            .map(|c| {
                column_width(
                    std::iter::once(super::demand::COLUMNS[c].len())
                        .chain(rows.iter().map(|r| r[c].len())),
                )
            })
            .collect();
        let header = super::demand::COLUMNS.map(String::from);
        for cells in std::iter::once(&header).chain(&rows) {
            // Names to the left, figures to the right.
            let mut line = format!(
                "  {:<w0$}  {:<w1$}",
                cells[0],
                cells[1],
                w0 = widths[0],
                w1 = widths[1]
            );
            for c in 2..8 {
                line.push_str(&format!("  {:>w$}", cells[c], w = widths[c]));
            }
            out.push_str(&line);
            out.push('\n');
        }
        let costliest = super::demand::costliest(report);
        if !costliest.is_empty() {
            out.push_str("\ncostliest intents (minutes callers spend before they are served or reach a person):\n");
            let width = column_width(costliest.iter().map(|i| i.intent.len()));
            for intent in costliest {
                out.push_str(&format!(
                    "  {:<5} {:<width$}  {}\n",
                    intent.channel.name(),
                    intent.intent,
                    super::demand::cost(report, intent)
                ));
            }
        }
    }
    if let Some(first) = report.coverage.flows.first() {
        let by = match first.covered_by.as_str() {
            "walk" => "the exhaustive walk",
            "fuzzer" => "the fuzzer",
            "personas" => "personas",
            _ => "the fuzzer and personas together",
        };
        out.push_str(&format!("\ncoverage by {by}:\n"));
        let width = column_width(report.coverage.flows.iter().map(|f| f.flow.len()));
        for flow in &report.coverage.flows {
            let mut line = format!(
                "  {:<5} {:<width$}  nodes {}/{}  options {}/{}  handlers {}/{}",
                flow.channel.name(),
                flow.flow,
                flow.nodes_covered,
                flow.nodes,
                flow.options_covered,
                flow.options,
                flow.handlers_covered,
                flow.handlers
            );
            for (name, reach) in [("fuzzer", &flow.fuzzer), ("personas", &flow.personas)] {
                if let (Some(reach), true) = (reach, flow.covered_by.contains('+')) {
                    line.push_str(&format!(
                        "  ({name} {}/{} nodes)",
                        reach.nodes_covered, flow.nodes
                    ));
                }
            }
            out.push_str(&line);
            out.push('\n');
            if !flow.uncovered.is_empty() {
                let shown: Vec<&str> = flow.uncovered.iter().take(8).map(String::as_str).collect();
                let more = flow.uncovered.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "        not reached: {}{more}\n",
                    shown.join(", ")
                ));
            }
        }
    }
    if let Some(mutation) = &report.mutation {
        out.push_str(&super::mutation::check_human(mutation));
    }
    let s = &report.summary;
    let below_min_score = report.mutation.as_ref().filter(|m| m.below_min_score());
    let verdict = if s.errors > 0 || below_min_score.is_some() {
        "failed"
    } else if s.warnings > 0 {
        "passed with warnings"
    } else {
        "clean"
    };
    let personas = if report.personas.is_empty() {
        String::new()
    } else {
        format!(
            ", {} of {} personas passed",
            s.personas_passed,
            s.personas_passed + s.personas_failed
        )
    };
    let mutation = below_min_score.map_or(String::new(), |m| {
        format!(
            ", mutation score {} below --min-score {}",
            super::mutation::percent(m.score),
            super::mutation::percent(m.min_score.unwrap_or_default())
        )
    });
    out.push_str(&format!(
        "\n{verdict}: {} error{}, {} warning{}{personas}{mutation}\n",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings)
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The replay command for a finding, quoted for a POSIX shell. `from` is
/// the platform of an imported set (`--from`).
pub(crate) fn replay_command(
    finding: &Finding,
    set_path: &str,
    from: Option<&str>,
    ambiguous: bool,
) -> String {
    if finding.source == FindingSource::FuzzLive {
        return format!(
            "touchpoint replay --live {} --inputs {}",
            shell_quote(&finding.flow),
            shell_quote(&crate::input::Input::join_list(&finding.inputs))
        );
    }
    let mut command = format!(
        "touchpoint replay {} --flow {}",
        shell_quote(set_path),
        shell_quote(&finding.flow)
    );
    if let Some(platform) = from {
        command.push_str(&format!(" --from {}", shell_quote(platform)));
    }
    // Flow ids are unique per channel only.
    if ambiguous {
        command.push_str(&format!(" --channel {}", finding.channel.name()));
    }
    for (var, value) in &finding.vars {
        command.push_str(&format!(
            " --var {}",
            shell_quote(&format!("{var}={value}"))
        ));
    }
    if !finding.inputs.is_empty() {
        command.push_str(&format!(
            " --inputs {}",
            shell_quote(&crate::input::Input::join_list(&finding.inputs))
        ));
    }
    command
}

fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A finding as a miette diagnostic, and the command that replays it,
/// which is printed apart from the diagnostic so that it is never wrapped.
/// `source` and `text` are the finding's file, when the set is at hand.
fn diagnostic(
    finding: &Finding,
    report: &Report,
    set: Option<&MenuSet>,
    source: Option<ExcerptSource>,
    text: &str,
) -> (SourceDiagnostic, Option<String>) {
    let mut help = Vec::new();
    let mut replay = None;
    if !finding.vars.is_empty() {
        help.push(format!("when {}", crate::render::vars_text(finding)));
    }
    if !finding.inputs.is_empty()
        || !finding.path.is_empty()
        || finding.source == FindingSource::Personas
    {
        help.push(format!("inputs: [{}]", finding.inputs.join(", ")));
        if !finding.path.is_empty() {
            help.push(format!("path:   {}", finding.path.join(" → ")));
        }
        // A merged report comes without its set; the report names it, and
        // its structure knows which flow ids two channels share.
        let set_path = set.map_or_else(|| report.set.clone(), |s| s.root.display().to_string());
        let ambiguous = match set {
            Some(set) => set.flows_named(&finding.flow).count() > 1,
            None => {
                report
                    .structure
                    .flows
                    .iter()
                    .filter(|f| f.flow == finding.flow)
                    .count()
                    > 1
            }
        };
        replay = Some(replay_command(
            finding,
            &set_path,
            report.from.as_deref(),
            ambiguous,
        ));
    }
    let diagnostic = SourceDiagnostic {
        message: finding.message.clone(),
        code: Some(finding.code.name().to_string()),
        severity: if finding.level == Level::Error {
            Severity::Error
        } else {
            Severity::Warning
        },
        help: (!help.is_empty()).then(|| help.join("\n")),
        source,
        span: crate::render::first_line_span(text, finding.offset as usize, finding.len as usize),
        label: Some(format!("`{}`", finding.node)),
    };
    (diagnostic, replay)
}

/// A diff as a person reads it in a terminal.
pub fn diff(diff: &crate::diff::DiffReport) -> String {
    let mut out = format!("touchpoint diff {} → {}", diff.old, diff.new);
    if let Some(file) = &diff.file {
        out.push_str(&format!(" (file {file} of the set)"));
    }
    out.push('\n');
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for line in lines {
                out.push_str(&format!("  {line}\n"));
            }
        }
    };
    let change = |verb: &str, c: &crate::diff::Change| {
        let mut text = format!("{verb} {} ", c.what);
        if let Some(option) = &c.option {
            text.push_str(&format!("{option} of "));
        }
        if let Some(node) = &c.node {
            text.push_str(&format!("`{node}` in "));
        }
        text.push_str(&format!("{} `{}`", c.channel, c.flow));
        if let Some(to) = &c.to {
            text.push_str(&format!(" (to `{to}`)"));
        }
        text
    };
    let mut structure: Vec<String> = diff.added.iter().map(|c| change("added", c)).collect();
    structure.extend(diff.removed.iter().map(|c| change("removed", c)));
    structure.extend(diff.renamed.iter().map(|r| {
        format!(
            "renamed node `{}` to `{}` in {} `{}`",
            r.old, r.new, r.channel, r.flow
        )
    }));
    structure.extend(diff.retargeted.iter().map(|r| {
        format!(
            "`{}`: {} now goes to `{}` (was `{}`)",
            r.node, r.by, r.new, r.old
        )
    }));
    structure.extend(diff.relabelled.iter().map(|r| {
        format!(
            "`{}`: {} relabelled \"{}\" → \"{}\" (to `{}`)",
            r.node,
            r.option(),
            r.old,
            r.new,
            r.to
        )
    }));
    section("structure", structure);
    section(
        "prompts changed",
        diff.changed
            .iter()
            .map(|c| format!("`{}`: {}", c.node, c.diff.replace('\n', " ")))
            .collect(),
    );
    section(
        "new findings",
        diff.findings_new
            .iter()
            .map(|f| {
                let when = crate::render::vars_text(f);
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" (when {when})")
                };
                format!(
                    "{} {} at {}:{}:{}: {}{when}",
                    f.level.name(),
                    f.code,
                    f.file,
                    f.line,
                    f.column,
                    f.message
                )
            })
            .collect(),
    );
    section(
        "fixed findings",
        diff.findings_fixed
            .iter()
            .map(|f| format!("{} at `{}`: {}", f.code, f.node, f.message))
            .collect(),
    );
    section(
        "coverage",
        diff.coverage
            .iter()
            .map(|c| {
                let lost = if c.newly_uncovered.is_empty() {
                    String::new()
                } else {
                    format!("; newly uncovered: {}", c.newly_uncovered.join(", "))
                };
                format!(
                    "{} {}: {:.1}% → {:.1}%{lost}",
                    c.channel, c.flow, c.old, c.new
                )
            })
            .collect(),
    );
    section(
        "personas",
        diff.personas
            .iter()
            .map(|p| {
                format!(
                    "{}: {} → {}, {} → {} steps, {:.0} → {:.0} s{}",
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
            .collect(),
    );
    section("caller time", caller_time_lines(diff));
    section("mutation score", mutation_lines(diff));
    section("notes", diff.notes.clone());
    section("regressions", diff.regressions.clone());
    out.push_str(if diff.fails() {
        "\nregressions found\n"
    } else {
        "\nno regressions\n"
    });
    out
}

/// The diff's mutation score: old → new, then the mutants that newly
/// survive and those that no longer do, each on its own side's numbering.
fn mutation_lines(diff: &crate::diff::DiffReport) -> Vec<String> {
    let Some(m) = &diff.mutation else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "{} → {} ({})",
        super::mutation::percent(m.old.score),
        super::mutation::percent(m.new.score),
        super::mutation::change_counts(m)
    )];

    for (what, list) in [
        ("newly surviving", &m.newly_surviving),
        ("no longer surviving", &m.no_longer_surviving),
    ] {
        for mutant in list {
            lines.push(format!(
                "{what}: {} {}:{} [{}] {}",
                mutant.id, mutant.file, mutant.line, mutant.operator, mutant.description
            ));
        }
    }
    lines
}

/// The diff's caller time: each channel (and customer type) whose figures
/// moved, then one sentence per intent, largest effect first; a line saying
/// nothing moved when the figures were compared and nothing did.
fn caller_time_lines(diff: &crate::diff::DiffReport) -> Vec<String> {
    if diff.demand.is_empty() && diff.intents.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = diff
        .demand
        .iter()
        .filter(|d| d.moved())
        .map(demand_line)
        .collect();
    lines.extend(diff.intents.iter().map(|i| i.sentence.clone()));
    if lines.is_empty() {
        lines.push(
            "no change: every intent has the outcome and the time to be served it had".to_string(),
        );
    }
    lines
}

/// One channel's (or customer type's) figures, old → new.
pub(crate) fn demand_line(d: &crate::diff::DemandChange) -> String {
    use crate::diff::{seconds_text, share_text};
    let who = match &d.customer_type {
        Some(t) => format!("{} `{t}`", d.channel),
        None => format!("{}, all customers", d.channel),
    };
    let (old, new) = match (&d.old, &d.new) {
        (Some(a), Some(b)) => (a, b),
        (None, Some(_)) => return format!("{who}: new"),
        _ => return format!("{who}: gone"),
    };
    let weighting = if new.weighted {
        "weighted by volume"
    } else {
        "every intent once"
    };
    let mean = |m: Option<f64>| m.map_or_else(|| "none".to_string(), seconds_text);
    let served_change = d
        .change
        .as_ref()
        .and_then(|c| c.seconds_to_served.map(|s| (s, c.percent_to_served)))
        .map(|(s, p)| {
            let sign = if s < 0.0 { "-" } else { "+" };
            let percent = p.map(|p| format!(", {p:+.1}%")).unwrap_or_default();
            format!(" ({sign}{}{percent})", seconds_text(s))
        })
        .unwrap_or_default();
    // The time to be served always; the time to a person and the shares
    // only where they moved, so that the line says what changed.
    let mut parts = vec![format!(
        "served in {} → {} on average{served_change}",
        mean(old.mean_seconds_to_served),
        mean(new.mean_seconds_to_served)
    )];
    let agent = (old.mean_seconds_to_agent, new.mean_seconds_to_agent);
    let agent_moved = match agent {
        (Some(x), Some(y)) => (y - x).abs() >= 0.1 - 1e-9,
        (x, y) => x.is_some() != y.is_some(),
    };
    if agent_moved {
        parts.push(format!("to a person {} → {}", mean(agent.0), mean(agent.1)));
    }
    for (name, x, y) in [
        ("self-served", old.self_served, new.self_served),
        ("transferred", old.transferred, new.transferred),
        ("not served", old.not_served, new.not_served),
    ] {
        if share_text(x) != share_text(y) {
            parts.push(format!("{name} {} → {}", share_text(x), share_text(y)));
        }
    }
    format!("{who} ({weighting}): {}", parts.join("; "))
}

/// The width of a column of names: the longest, but never more than
/// `MAX_COLUMN_WIDTH`. A longer name overflows its column instead of
/// widening every row, and `std::fmt` panics on padding past 65,535, which
/// a name from a hostile file can reach.
fn column_width(lengths: impl Iterator<Item = usize>) -> usize {
    lengths.max().unwrap_or(0).min(MAX_COLUMN_WIDTH)
}

const MAX_COLUMN_WIDTH: usize = 80;
