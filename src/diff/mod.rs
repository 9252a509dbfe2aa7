//! `touchpoint diff OLD NEW`: what changed for customers between two
//! versions of a set: structure, prompts, findings, coverage and personas,
//! and whether any of it is a regression that should fail a pull request.

mod side;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::model::{Channel, Level};
use crate::report::Report;
use crate::structure::{FlowShape, NodeShape};

pub use side::{load_side, SideError, SideOptions};

/// A flow, node or option that exists on one side only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub channel: Channel,
    pub flow: String,
    /// `flow`, `node` or `option`.
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// For an option or a lead: where it goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A node whose prompt text changed, with a word-level diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptChange {
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    pub old: String,
    pub new: String,
    /// `[-removed-]` and `{+added+}` words.
    pub diff: String,
}

/// An option or a handler that now leads somewhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retarget {
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    /// The option's name, or what leads (`no_input`, `next`, ...).
    pub by: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageDelta {
    pub channel: Channel,
    pub flow: String,
    /// Share of nodes, options and handlers reached, in percent.
    pub old: f64,
    pub new: f64,
    pub newly_uncovered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaDelta {
    pub persona: String,
    pub old_outcome: String,
    pub new_outcome: String,
    pub old_steps: u32,
    pub new_steps: u32,
    pub old_seconds: f64,
    pub new_seconds: f64,
    pub old_passed: bool,
    pub new_passed: bool,
}

/// What counts as a regression, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// A new finding at error level.
    Errors,
    /// A new finding at warning level.
    Warnings,
    /// A persona that passed and now fails.
    Personas,
    /// Coverage of a flow down by more than the allowed drop.
    Coverage,
}

impl FailOn {
    pub const DEFAULT: [FailOn; 3] = [FailOn::Errors, FailOn::Personas, FailOn::Coverage];

    pub fn parse(text: &str) -> Option<FailOn> {
        match text.trim() {
            "errors" | "error" => Some(FailOn::Errors),
            "warnings" | "warning" => Some(FailOn::Warnings),
            "personas" | "persona" => Some(FailOn::Personas),
            "coverage" => Some(FailOn::Coverage),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffReport {
    pub tool: String,
    pub version: String,
    pub old: String,
    pub new: String,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub changed: Vec<PromptChange>,
    pub retargeted: Vec<Retarget>,
    pub findings_new: Vec<Finding>,
    pub findings_fixed: Vec<Finding>,
    /// Findings on both sides whose level went from warning to error (as the
    /// new side has them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings_raised: Vec<Finding>,
    pub coverage: Vec<CoverageDelta>,
    pub personas: Vec<PersonaDelta>,
    /// Why the diff fails, one sentence each; empty when it passes.
    pub regressions: Vec<String>,
    /// What to bear in mind reading it, such as two sides fuzzed
    /// differently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl DiffReport {
    pub fn fails(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// How a finding is recognised on both sides: not by position, which moves
/// with every edit, but by what it says about which node.
fn finding_key(f: &Finding) -> (String, Channel, &str, &str, Option<&str>, &str) {
    (
        f.code.name().to_string(),
        f.channel,
        &f.flow,
        &f.node,
        f.intent.as_deref(),
        &f.message,
    )
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

/// Compares two reports. `max_coverage_drop` is in percentage points.
pub fn diff(old: &Report, new: &Report, fail_on: &[FailOn], max_coverage_drop: f64) -> DiffReport {
    let mut out = DiffReport {
        tool: "touchpoint".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        old: old.set.clone(),
        new: new.set.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        retargeted: Vec::new(),
        findings_new: Vec::new(),
        findings_fixed: Vec::new(),
        findings_raised: Vec::new(),
        coverage: Vec::new(),
        personas: Vec::new(),
        regressions: Vec::new(),
        notes: Vec::new(),
    };
    if let (Some(a), Some(b)) = (&old.fuzz, &new.fuzz) {
        if (a.seed, a.runs) != (b.seed, b.runs) {
            out.notes.push(format!(
                "the old side fuzzed {} customers with seed {}, the new side {} with seed {}: findings and coverage that only the fuzzer found may differ by chance",
                a.runs, a.seed, b.runs, b.seed
            ));
        }
    }
    compare_structure(&old.structure.flows, &new.structure.flows, &mut out);

    let old_keys: Vec<_> = old.findings.iter().map(finding_key).collect();
    let new_keys: Vec<_> = new.findings.iter().map(finding_key).collect();
    out.findings_new = new
        .findings
        .iter()
        .filter(|f| !old_keys.contains(&finding_key(f)))
        .cloned()
        .collect();
    out.findings_fixed = old
        .findings
        .iter()
        .filter(|f| !new_keys.contains(&finding_key(f)))
        .cloned()
        .collect();

    out.findings_raised = new
        .findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .filter(|f| {
            let key = finding_key(f);
            old.findings
                .iter()
                .zip(&old_keys)
                .any(|(o, k)| *k == key && o.level == Level::Warning)
        })
        .cloned()
        .collect();

    for flow in &new.coverage.flows {
        let Some(before) = old
            .coverage
            .flows
            .iter()
            .find(|f| f.channel == flow.channel && f.flow == flow.flow)
        else {
            continue;
        };
        let total = |f: &crate::report::FlowCoverage| {
            (
                f.nodes_covered + f.options_covered + f.handlers_covered,
                f.nodes + f.options + f.handlers,
            )
        };
        let (old_covered, old_total) = total(before);
        let (new_covered, new_total) = total(flow);
        let newly_uncovered: Vec<String> = flow
            .uncovered
            .iter()
            .filter(|n| !before.uncovered.contains(n))
            .cloned()
            .collect();
        let delta = CoverageDelta {
            channel: flow.channel,
            flow: flow.flow.clone(),
            old: percent(old_covered, old_total),
            new: percent(new_covered, new_total),
            newly_uncovered,
        };
        if delta.old != delta.new || !delta.newly_uncovered.is_empty() {
            out.coverage.push(delta);
        }
    }

    for p in &new.personas {
        let Some(before) = old.personas.iter().find(|o| o.name() == p.name()) else {
            continue;
        };
        if before.outcome != p.outcome
            || before.steps != p.steps
            || before.seconds != p.seconds
            || before.passed != p.passed
        {
            out.personas.push(PersonaDelta {
                persona: p.name(),
                old_outcome: before.outcome.clone(),
                new_outcome: p.outcome.clone(),
                old_steps: before.steps,
                new_steps: p.steps,
                old_seconds: before.seconds,
                new_seconds: p.seconds,
                old_passed: before.passed,
                new_passed: p.passed,
            });
        }
    }

    // Regressions, as `--fail-on` selects them.
    if fail_on.contains(&FailOn::Errors) {
        for f in out.findings_new.iter().filter(|f| f.level == Level::Error) {
            out.regressions.push(format!(
                "new error {} at `{}` ({} {}): {}",
                f.code, f.node, f.channel, f.flow, f.message
            ));
        }
    }
    if fail_on.contains(&FailOn::Errors) {
        for f in &out.findings_raised {
            out.regressions.push(format!(
                "{} at `{}` ({} {}) was a warning and is now an error: {}",
                f.code, f.node, f.channel, f.flow, f.message
            ));
        }
    }
    if fail_on.contains(&FailOn::Warnings) {
        for f in out
            .findings_new
            .iter()
            .filter(|f| f.level == Level::Warning)
        {
            out.regressions.push(format!(
                "new warning {} at `{}` ({} {}): {}",
                f.code, f.node, f.channel, f.flow, f.message
            ));
        }
    }
    if fail_on.contains(&FailOn::Personas) {
        for p in out
            .personas
            .iter()
            .filter(|p| p.old_passed && !p.new_passed)
        {
            out.regressions.push(format!(
                "persona `{}` passed and now fails: {} → {}",
                p.persona, p.old_outcome, p.new_outcome
            ));
        }
    }
    if fail_on.contains(&FailOn::Coverage) {
        for c in out
            .coverage
            .iter()
            .filter(|c| c.old - c.new > max_coverage_drop)
        {
            out.regressions.push(format!(
                "coverage of {} flow `{}` fell from {:.1}% to {:.1}% (more than {max_coverage_drop} points)",
                c.channel, c.flow, c.old, c.new
            ));
        }
    }
    out
}

fn compare_structure(old: &[FlowShape], new: &[FlowShape], out: &mut DiffReport) {
    let find = |flows: &[FlowShape], f: &FlowShape| {
        flows
            .iter()
            .position(|g| g.channel == f.channel && g.flow == f.flow)
    };
    for flow in new {
        if find(old, flow).is_none() {
            out.added.push(Change {
                channel: flow.channel,
                flow: flow.flow.clone(),
                what: "flow".into(),
                node: None,
                option: None,
                to: None,
            });
        }
    }
    for flow in old {
        let Some(i) = find(new, flow) else {
            out.removed.push(Change {
                channel: flow.channel,
                flow: flow.flow.clone(),
                what: "flow".into(),
                node: None,
                option: None,
                to: None,
            });
            continue;
        };
        compare_nodes(flow, &new[i], out);
    }
}

fn compare_nodes(old: &FlowShape, new: &FlowShape, out: &mut DiffReport) {
    let change = |what: &str, node: &str, option: Option<String>, to: Option<String>| Change {
        channel: new.channel,
        flow: new.flow.clone(),
        what: what.to_string(),
        node: Some(node.to_string()),
        option,
        to,
    };
    let find = |nodes: &[NodeShape], id: &str| nodes.iter().position(|n| n.id == id);
    for node in &new.nodes {
        if find(&old.nodes, &node.id).is_none() {
            out.added.push(change("node", &node.id, None, None));
        }
    }
    for before in &old.nodes {
        let Some(i) = find(&new.nodes, &before.id) else {
            out.removed.push(change("node", &before.id, None, None));
            continue;
        };
        let after = &new.nodes[i];
        if before.text != after.text {
            let old_text = before.text.clone().unwrap_or_default();
            let new_text = after.text.clone().unwrap_or_default();
            out.changed.push(PromptChange {
                channel: new.channel,
                flow: new.flow.clone(),
                node: after.id.clone(),
                diff: crate::personas::transcripts::word_diff(
                    &format!("{old_text}\n"),
                    &format!("{new_text}\n"),
                )
                .trim_end()
                .to_string(),
                old: old_text,
                new: new_text,
            });
        }
        for option in &after.options {
            match before.options.iter().find(|o| o.name == option.name) {
                None => out.added.push(change(
                    "option",
                    &after.id,
                    Some(option.name.clone()),
                    Some(option.goto.clone()),
                )),
                Some(o) if o.goto != option.goto => out.retargeted.push(Retarget {
                    channel: new.channel,
                    flow: new.flow.clone(),
                    node: after.id.clone(),
                    by: option.name.clone(),
                    old: o.goto.clone(),
                    new: option.goto.clone(),
                }),
                Some(_) => {}
            }
        }
        for option in &before.options {
            if !after.options.iter().any(|o| o.name == option.name) {
                out.removed.push(change(
                    "option",
                    &after.id,
                    Some(option.name.clone()),
                    Some(option.goto.clone()),
                ));
            }
        }
        for lead in &after.leads {
            if !before.leads.iter().any(|l| l.by == lead.by) {
                out.added.push(change(
                    "lead",
                    &after.id,
                    Some(lead.by.clone()),
                    Some(lead.destination()),
                ));
            }
        }
        for lead in &before.leads {
            if !after.leads.iter().any(|l| l.by == lead.by) {
                out.removed.push(change(
                    "lead",
                    &after.id,
                    Some(lead.by.clone()),
                    Some(lead.destination()),
                ));
            }
        }
        for lead in &after.leads {
            if let Some(old_lead) = before.leads.iter().find(|l| l.by == lead.by) {
                if (&old_lead.to, old_lead.retries) != (&lead.to, lead.retries) {
                    out.retargeted.push(Retarget {
                        channel: new.channel,
                        flow: new.flow.clone(),
                        node: after.id.clone(),
                        by: lead.by.clone(),
                        old: old_lead.destination(),
                        new: lead.destination(),
                    });
                }
            }
        }
    }
}
