//! `touchpoint report --format html`: one self-contained page (inline CSS,
//! script and SVG, and a Content-Security-Policy that forbids every fetch)
//! with the report's summary, each flow drawn with its findings marked,
//! the intent × channel table of journeys (a journey's way highlighted on
//! its flow), demand, coverage, and the findings, each of which can be
//! stepped through on the drawing. Everything shown comes from the
//! [`Report`]; the set is read only to draw what the report's structure
//! describes and to replay findings (see [`steps`]).

mod diagram;
mod layout;
mod mutation;
mod steps;

use std::fmt::Write;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::{Channel, MenuSet};
use crate::report::Report;
use crate::results::Journey;
use diagram::Diagram;
use steps::{finding_steps, Graphs, Step, MAX_STEPS_IN_PAGE};

const STYLE: &str = include_str!("page.css");
/// Names of uncovered nodes, options or handlers a flow's coverage lists:
/// enough to act on, without a large flow's thousands swelling the page.
const MAX_UNCOVERED_LISTED: usize = 500;
const SCRIPT: &str = include_str!("page.js");

/// What the page's script reads: each finding's replay and each journey's
/// way, as element ids of the drawings. Findings and journeys are indexed
/// as in the report.
#[derive(Serialize)]
struct PageData {
    findings: Vec<FindingData>,
    journeys: Vec<JourneyData>,
}

#[derive(Serialize)]
struct FindingData {
    steps: Vec<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
struct JourneyData {
    label: String,
    at: Vec<String>,
}

/// Text for HTML content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The head of every page: the policy that forbids fetching anything.
fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    )
}

/// The page written when the set did not load: its problems as the human
/// report says them, so that a page asked for in CI shows why it is empty.
pub fn load_errors(human: &str) -> String {
    let mut page = head("touchpoint report: the set did not load");
    let _ = write!(
        page,
        "<header><h1>touchpoint report</h1><p class=\"count lvl-error\">The set did not load: nothing was checked.</p></header>\n<pre class=\"load-errors\">{}</pre>\n</body>\n</html>\n",
        escape(human)
    );
    page
}

/// The page for `report` on `set`.
pub fn render(report: &Report, set: &MenuSet) -> String {
    let flows = &report.structure.flows;
    let diagrams: Vec<Diagram> = flows
        .iter()
        .enumerate()
        .map(|(index, flow)| {
            let findings: Vec<&crate::finding::Finding> = report
                .findings
                .iter()
                .filter(|f| f.channel == flow.channel && f.flow == flow.flow)
                .collect();
            diagram::draw(index, flow, &findings)
        })
        .collect();
    let flow_index: FxHashMap<(Channel, &str), usize> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.channel, f.flow.as_str()), i))
        .collect();
    let locate = |channel: Channel, flow: &str, node: &str| -> Option<String> {
        let index = *flow_index.get(&(channel, flow))?;
        diagrams[index].element.get(node).cloned()
    };
    let data = PageData {
        findings: finding_data(report, set, &locate),
        journeys: report
            .journeys
            .iter()
            .map(|j| journey_data(j, flows, &diagrams, &locate))
            .collect(),
    };
    let mut page = head(&format!("touchpoint report: {}", report.set));
    // The arrowhead every drawing's edges share.
    page.push_str("<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\"/></marker></defs></svg>\n");
    header(&mut page, report);
    journeys(&mut page, report);
    demand(&mut page, report);
    flow_section(&mut page, report, &diagrams);
    coverage(&mut page, report);
    if let Some(scored) = &report.mutation {
        mutation::section(&mut page, scored);
    }
    findings(&mut page, report, &data);
    if !report.notes.is_empty() {
        page.push_str("<section id=\"notes\"><h2>Notes</h2><ul>");
        for note in &report.notes {
            let _ = write!(page, "<li>{}</li>", escape(note));
        }
        page.push_str("</ul></section>\n");
    }
    // JSON inside a script element: `<` is written as an escape so that no
    // text in the report can close the element.
    let json = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c");
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"touchpoint-data\">{json}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    );
    page
}

fn finding_data(
    report: &Report,
    set: &MenuSet,
    locate: &dyn Fn(Channel, &str, &str) -> Option<String>,
) -> Vec<FindingData> {
    let mut graphs = Graphs::new(set);
    let mut room = MAX_STEPS_IN_PAGE;
    report
        .findings
        .iter()
        .map(|finding| {
            if room == 0 {
                return FindingData {
                    steps: Vec::new(),
                    note: Some(
                        "this page holds no more replays: replay the inputs with `touchpoint replay`"
                            .to_string(),
                    ),
                };
            }
            match finding_steps(&mut graphs, finding, locate) {
                Ok(mut steps) => {
                    steps.truncate(room);
                    room -= steps.len();
                    FindingData { steps, note: None }
                }
                // What the finding says still holds; only its replay is
                // not in the page (a finding of a live app, say).
                Err(why) => FindingData {
                    steps: Vec::new(),
                    note: Some(format!("no replay: {why}")),
                },
            }
        })
        .collect()
}

/// A journey's way as element ids: each node looked up in the flow where
/// the journey begins, else in another flow of its channel (a called one).
fn journey_data(
    journey: &Journey,
    flows: &[crate::structure::FlowShape],
    diagrams: &[Diagram],
    locate: &dyn Fn(Channel, &str, &str) -> Option<String>,
) -> JourneyData {
    let at = journey
        .path
        .iter()
        .filter_map(|node| {
            locate(journey.channel, &journey.flow, node).or_else(|| {
                flows
                    .iter()
                    .zip(diagrams)
                    .filter(|(f, _)| f.channel == journey.channel)
                    .find_map(|(_, d)| d.element.get(node).cloned())
            })
        })
        .collect();
    JourneyData {
        label: journey_label(journey),
        at,
    }
}

fn journey_label(journey: &Journey) -> String {
    let mut label = format!(
        "{} on {} from {}: {}",
        journey.intent,
        journey.channel.name(),
        journey.flow,
        crate::render::journey_outcome(journey)
    );
    if let Some(seconds) = journey.seconds {
        let _ = write!(label, " in {seconds:.1} s");
    }
    if let Some(when) = &journey.when {
        let _ = write!(label, " when {when}");
    }
    if !journey.inputs.is_empty() {
        let _ = write!(label, " (inputs {})", journey.inputs.join(", "));
    }
    label
}

fn header(page: &mut String, report: &Report) {
    let s = &report.summary;
    let _ = write!(
        page,
        "<header><h1>touchpoint report</h1><dl class=\"facts\"><dt>set</dt><dd>{}</dd><dt>command</dt><dd>{}</dd><dt>seed</dt><dd>{}</dd><dt>version</dt><dd>{} {}</dd>",
        escape(&report.set),
        escape(&report.command),
        report.seed,
        escape(&report.tool),
        escape(&report.version)
    );
    if let Some(from) = &report.from {
        let _ = write!(page, "<dt>imported from</dt><dd>{}</dd>", escape(from));
    }
    if let Some(shard) = &report.shard {
        let _ = write!(
            page,
            "<dt>shard</dt><dd>{}/{}</dd>",
            shard.index, shard.count
        );
    }
    let _ = write!(
        page,
        "<dt>flows</dt><dd>{}</dd><dt>nodes</dt><dd>{}</dd><dt>states walked</dt><dd>{}</dd></dl>",
        report.stats.flows, report.stats.nodes, report.stats.states
    );
    let _ = write!(
        page,
        "<p class=\"counts\"><span class=\"count lvl-error\" id=\"count-errors\">{} error{}</span> <span class=\"count lvl-warning\" id=\"count-warnings\">{} warning{}</span> <span class=\"count\">{} persona{} passed</span> <span class=\"count\">{} failed</span></p>",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.personas_passed,
        plural(s.personas_passed),
        s.personas_failed
    );
    // Every link is to a section of this page, and only to one it has.
    let demand = if report.demand.is_empty() {
        ""
    } else {
        " <a href=\"#demand\">demand</a>"
    };
    let mutation = if report.mutation.is_none() {
        ""
    } else {
        " <a href=\"#mutation\">mutation</a>"
    };
    let _ = writeln!(
        page,
        "<nav><a href=\"#journeys\">journeys</a>{demand} <a href=\"#flows\">flows</a> <a href=\"#coverage\">coverage</a>{mutation} <a href=\"#findings\">findings</a></nav></header>"
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The intent × channel table: per cell, every journey of that intent on
/// that channel, coloured by outcome (mixed outcomes are "sometimes").
fn journeys(page: &mut String, report: &Report) {
    page.push_str("<section id=\"journeys\"><h2>Journeys: intent × channel</h2>");
    if report.journeys.is_empty() && report.intents.is_empty() {
        page.push_str("<p>No intents: the set's catalogue lists none a channel is expected to serve.</p></section>\n");
        return;
    }
    let mut intents: Vec<&str> = Vec::new();
    let mut channels: Vec<Channel> = Vec::new();
    let names = report
        .journeys
        .iter()
        .map(|j| (j.intent.as_str(), j.channel))
        .chain(
            report
                .intents
                .iter()
                .map(|i| (i.intent.as_str(), i.channel)),
        );
    for (intent, channel) in names {
        if !intents.contains(&intent) {
            intents.push(intent);
        }
        if !channels.contains(&channel) {
            channels.push(channel);
        }
    }
    channels.sort();
    page.push_str("<p>Select a journey to highlight its way on its flow: <span id=\"journey-shown\">none selected</span></p><table class=\"intents\"><thead><tr><th>intent</th>");
    for channel in &channels {
        let _ = write!(page, "<th>{}</th>", channel.name());
    }
    page.push_str("</tr></thead><tbody>");
    for intent in &intents {
        let _ = write!(
            page,
            "<tr data-intent=\"{}\"><th>{}</th>",
            escape(intent),
            escape(intent)
        );
        for &channel in &channels {
            let cell: Vec<(usize, &Journey)> = report
                .journeys
                .iter()
                .enumerate()
                .filter(|(_, j)| j.intent == *intent && j.channel == channel)
                .collect();
            if cell.is_empty() {
                let never = report
                    .intents
                    .iter()
                    .any(|i| i.intent == *intent && i.channel == channel && i.served == "never");
                if never {
                    page.push_str("<td class=\"outcome-not_served\">not served</td>");
                } else {
                    page.push_str("<td class=\"outcome-none\">—</td>");
                }
                continue;
            }
            let outcome = if cell.iter().all(|(_, j)| j.outcome == cell[0].1.outcome) {
                cell[0].1.outcome.as_str()
            } else {
                "sometimes"
            };
            let _ = write!(page, "<td class=\"outcome-{outcome}\">");
            if outcome == "sometimes" {
                page.push_str("<div class=\"sometimes\">sometimes</div>");
            }
            for (k, journey) in cell {
                let mut text = format!(
                    "{}: {}",
                    journey.flow,
                    crate::render::journey_outcome(journey)
                );
                if let Some(seconds) = journey.seconds {
                    let _ = write!(text, " {seconds:.1} s");
                }
                if let Some(when) = &journey.when {
                    let _ = write!(text, " ({when})");
                }
                let to_agent = crate::render::journey_to_agent(journey);
                if !to_agent.is_empty() {
                    let _ = write!(text, "; {to_agent}");
                }
                if journey.path.is_empty() {
                    let _ = write!(page, "<div>{}</div>", escape(&text));
                } else {
                    let _ = write!(
                        page,
                        "<button type=\"button\" class=\"journey\" data-journey=\"{k}\">{}</button>",
                        escape(&text)
                    );
                }
            }
            page.push_str("</td>");
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></section>\n");
}

/// One horizontal bar of shares (each between 0 and 1), as SVG.
fn share_bar(parts: &[(&str, f64)]) -> String {
    const BAR: f64 = 320.0;
    let mut svg = format!("<svg class=\"bar\" width=\"{BAR}\" height=\"14\" role=\"img\">");
    let mut x = 0.0;
    for (class, share) in parts {
        let width = (share.clamp(0.0, 1.0) * BAR * 10.0).round() / 10.0;
        if width > 0.0 {
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{x:.1}\" y=\"0\" width=\"{width:.1}\" height=\"14\"><title>{class}: {:.0}%</title></rect>",
                share * 100.0
            );
        }
        x += width;
    }
    svg.push_str("</svg>");
    svg
}

fn demand(page: &mut String, report: &Report) {
    if report.demand.is_empty() {
        return;
    }
    page.push_str("<section id=\"demand\"><h2>Demand</h2><table class=\"demand\"><thead><tr><th>channel</th><th>customers</th><th>volume</th><th>self-served / transferred / not served</th><th>mean s to served</th><th>mean s to a person</th></tr></thead><tbody>");
    for d in &report.demand {
        let seconds = |s: Option<f64>| s.map_or("—".to_string(), |s| format!("{s:.1}"));
        let _ = write!(
            page,
            "<tr class=\"demand-row\"><td>{}</td><td>{}</td><td>{}{}</td><td>{} {:.0}% / {:.0}% / {:.0}%</td><td>{}</td><td>{}</td></tr>",
            d.channel.name(),
            escape(d.customer_type.as_deref().unwrap_or("all")),
            d.figures.volume,
            if d.figures.weighted { "" } else { " intents (no volumes)" },
            share_bar(&[
                ("outcome-self_served", d.figures.self_served),
                ("outcome-transferred", d.figures.transferred),
                ("outcome-not_served", d.figures.not_served),
            ]),
            d.figures.self_served * 100.0,
            d.figures.transferred * 100.0,
            d.figures.not_served * 100.0,
            seconds(d.figures.mean_seconds_to_served),
            seconds(d.figures.mean_seconds_to_agent),
        );
    }
    page.push_str("</tbody></table>");
    if !report.demand_intents.is_empty() {
        page.push_str("<h3>Intents by demand</h3><table class=\"demand-intents\"><thead><tr><th>channel</th><th>intent</th><th>volume</th><th>share</th><th>outcome</th><th>seconds</th><th>caller-minutes</th></tr></thead><tbody>");
        for d in &report.demand_intents {
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {:.0}%</td><td class=\"outcome-{}\">{}</td><td>{}</td><td>{:.1}</td></tr>",
                d.channel.name(),
                escape(&d.intent),
                d.volume,
                share_bar(&[("share", d.share)]),
                d.share * 100.0,
                escape(&d.outcome),
                escape(&d.outcome.replace('_', " ")),
                d.seconds.map_or("—".to_string(), |s| format!("{s:.1}")),
                d.caller_minutes,
            );
        }
        page.push_str("</tbody></table>");
    }
    page.push_str("</section>\n");
}

fn flow_section(page: &mut String, report: &Report, diagrams: &[Diagram]) {
    page.push_str("<section id=\"flows\"><h2>Flows</h2>");
    for (flow, diagram) in report.structure.flows.iter().zip(diagrams) {
        let _ = write!(
            page,
            "<article class=\"flow-card\"><h3>{} flow {} <small>{}</small></h3>",
            flow.channel.name(),
            escape(&flow.flow),
            escape(&flow.file)
        );
        if diagram.collapsed {
            let folded: usize = diagram.folds.iter().map(|f| f.nodes.len()).sum();
            let _ = write!(
                page,
                "<p class=\"collapsed\">This flow has {} nodes: it is drawn collapsed, with the start, nodes with findings and menus (at most {}), and {folded} nodes folded into the boxes marked +N, listed below.</p>",
                flow.nodes.len(),
                diagram::COLLAPSE_ABOVE
            );
        }
        let _ = write!(page, "<div class=\"drawing\">{}</div>", diagram.svg);
        for fold in &diagram.folds {
            let under = match &fold.under {
                Some(node) => format!("after {node}"),
                None => "not reached from the start".to_string(),
            };
            let _ = write!(
                page,
                "<details class=\"fold-list\" data-fold=\"{}\"><summary>{} nodes folded {}</summary><p>",
                fold.element,
                fold.nodes.len(),
                escape(&under)
            );
            let names: Vec<String> = fold.nodes.iter().map(|n| escape(n)).collect();
            page.push_str(&names.join(", "));
            page.push_str("</p></details>");
        }
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

fn coverage(page: &mut String, report: &Report) {
    page.push_str("<section id=\"coverage\"><h2>Coverage</h2><table class=\"coverage\"><thead><tr><th>flow</th><th>nodes</th><th>options</th><th>handlers</th><th>covered by</th></tr></thead><tbody>");
    for flow in &report.coverage.flows {
        let cell = |covered: usize, all: usize| {
            let share = if all == 0 {
                1.0
            } else {
                covered as f64 / all as f64
            };
            format!(
                "{} {covered}/{all}",
                share_bar(&[("covered", share), ("uncovered", 1.0 - share)])
            )
        };
        let _ = write!(
            page,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            flow.channel.name(),
            escape(&flow.flow),
            cell(flow.nodes_covered, flow.nodes),
            cell(flow.options_covered, flow.options),
            cell(flow.handlers_covered, flow.handlers),
            escape(&flow.covered_by)
        );
        let uncovered = [
            ("nodes", &flow.uncovered),
            ("options", &flow.uncovered_options),
            ("handlers", &flow.uncovered_handlers),
        ];
        for (what, names) in uncovered {
            if !names.is_empty() {
                let mut listed: Vec<String> = names
                    .iter()
                    .take(MAX_UNCOVERED_LISTED)
                    .map(|n| escape(n))
                    .collect();
                if names.len() > MAX_UNCOVERED_LISTED {
                    listed.push(format!(
                        "and {} more (the JSON report lists them all)",
                        names.len() - MAX_UNCOVERED_LISTED
                    ));
                }
                let _ = write!(
                    page,
                    "<tr class=\"uncovered\"><td></td><td colspan=\"4\"><details><summary>{} {what} nobody reached</summary>{}</details></td></tr>",
                    names.len(),
                    listed.join(", ")
                );
            }
        }
    }
    page.push_str("</tbody></table></section>\n");
}

fn findings(page: &mut String, report: &Report, data: &PageData) {
    let _ = write!(
        page,
        "<section id=\"findings\"><h2>Findings ({})</h2>",
        report.findings.len()
    );
    if report.findings.is_empty() {
        page.push_str("<p>No findings.</p>");
    }
    page.push_str("<ol class=\"findings\">");
    for (i, (finding, finding_data)) in report.findings.iter().zip(&data.findings).enumerate() {
        let _ = write!(
            page,
            "<li class=\"finding lvl-{}\" id=\"finding-{i}\"><span class=\"level\">{}</span> <code>{}</code> {} {} › {}: {} <small>{}:{}:{}</small>",
            finding.level.name(),
            finding.level.name(),
            finding.code.name(),
            finding.channel.name(),
            escape(&finding.flow),
            escape(&finding.node),
            escape(&finding.message),
            escape(&finding.file),
            finding.line,
            finding.column
        );
        let vars = crate::render::vars_text(finding);
        if !vars.is_empty() {
            let _ = write!(page, " <small>when {}</small>", escape(&vars));
        }
        if !finding.inputs.is_empty() {
            let _ = write!(
                page,
                "<div class=\"inputs\">inputs: <code>{}</code></div>",
                escape(&finding.inputs.join(","))
            );
        }
        if !finding_data.steps.is_empty() {
            let _ = write!(
                page,
                "<div class=\"stepper\" data-finding=\"{i}\"><button type=\"button\" class=\"step-back\">◀ back</button> <button type=\"button\" class=\"step\">step ▶</button> <span class=\"step-count\">0/{}</span><ol class=\"transcript\"></ol></div>",
                finding_data.steps.len()
            );
        }
        if let Some(note) = &finding_data.note {
            let _ = write!(page, "<div class=\"note\">{}</div>", escape(note));
        }
        page.push_str("</li>");
    }
    page.push_str("</ol></section>\n");
}

#[cfg(test)]
mod tests;
