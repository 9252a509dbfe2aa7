//! `touchpoint diff OLD NEW`: what changed for customers between two
//! versions of a set: structure, prompts, findings, coverage and personas,
//! and whether any of it is a regression that should fail a pull request.

mod mutation;
mod side;
mod time;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::finding::{DefectKey, Finding};
use crate::model::{Channel, Level};
use crate::report::Report;
use crate::structure::{FlowShape, Lead, NodeShape, OptionShape};

pub use mutation::{MutationChange, ScoreFigures};
pub(crate) use side::{is_saved_report, load_side, Revisions, SideError, SideOptions};
pub use time::{
    seconds_text, share_text, DemandChange, DemandFigures, DemandShift, IntentChange, IntentFigures,
};

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

/// An option that is the same option under a new label: what the customer
/// does to choose it and where it leads are unchanged, only the words are
/// new.
///
/// On the phone an option is its key: the same key (and guard) leading to
/// the same node is relabelled. On the web and in apps the label is what
/// the customer clicks, so there is no key to go by: an option is
/// relabelled when it keeps its place in the menu (the n-th option of the
/// node, guard unchanged) and its target, and neither label is found on
/// the other side. Anything else is an option removed and another added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relabel {
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    /// The DTMF key, for phone options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The old label.
    pub old: String,
    /// The new label.
    pub new: String,
    /// Where the option leads, on both sides.
    pub to: String,
}

impl Relabel {
    /// How to name the option in a sentence: its key, or, without one,
    /// just "option" (its labels follow).
    pub fn option(&self) -> String {
        self.key
            .as_ref()
            .map_or_else(|| "option".to_string(), |key| format!("key {key}"))
    }
}

/// A node under a new id and nothing else changed: the same kind, the same
/// prompt, the same options and leads (with targets that were renamed too
/// read under their new ids). Only an exact match counts; a node renamed
/// and edited is a node removed and another added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRename {
    pub channel: Channel,
    pub flow: String,
    /// The id on the old side.
    pub old: String,
    /// The id on the new side.
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
    /// A channel's mean seconds to be served up by more than
    /// `--max-time-increase`.
    Time,
    /// A rise of the share of a channel's demand that is not served.
    Unserved,
    /// A fall of the mutation score (both sides scored): not in the
    /// default list, so that a diff fails on it only when asked.
    Mutation,
}

impl FailOn {
    pub const DEFAULT: [FailOn; 5] = [
        FailOn::Errors,
        FailOn::Personas,
        FailOn::Coverage,
        FailOn::Time,
        FailOn::Unserved,
    ];

    pub fn parse(text: &str) -> Option<FailOn> {
        match text.trim() {
            "errors" | "error" => Some(FailOn::Errors),
            "warnings" | "warning" => Some(FailOn::Warnings),
            "personas" | "persona" => Some(FailOn::Personas),
            "coverage" => Some(FailOn::Coverage),
            "time" => Some(FailOn::Time),
            "unserved" => Some(FailOn::Unserved),
            "mutation" => Some(FailOn::Mutation),
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
    /// The one file of the set compared, when a file rather than a set was
    /// given (its name in the set): everything below is about that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub changed: Vec<PromptChange>,
    pub retargeted: Vec<Retarget>,
    /// Options that only have a new label.
    #[serde(default)]
    pub relabelled: Vec<Relabel>,
    /// Nodes that only have a new id.
    #[serde(default)]
    pub renamed: Vec<NodeRename>,
    pub findings_new: Vec<Finding>,
    pub findings_fixed: Vec<Finding>,
    /// Findings on both sides whose level went from warning to error (as the
    /// new side has them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings_raised: Vec<Finding>,
    pub coverage: Vec<CoverageDelta>,
    pub personas: Vec<PersonaDelta>,
    /// Per channel, for all customers and per customer type: the demand
    /// figures on both sides and their change (docs/report.md, "The diff
    /// report"). Empty when caller time could not be compared.
    #[serde(default)]
    pub demand: Vec<DemandChange>,
    /// Per channel and intent: those whose outcome or seconds to be served
    /// changed, and those on one side only, largest effect first.
    #[serde(default)]
    pub intents: Vec<IntentChange>,
    /// Both sides' mutation scores, when both have one (docs/report.md,
    /// "The diff report").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<MutationChange>,
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

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

/// How far coverage and caller time may move before the diff fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest allowed drop of a flow's coverage, in percentage points.
    pub max_coverage_drop: f64,
    /// Largest allowed rise of a channel's mean seconds to be served, in
    /// percent of the old mean.
    pub max_time_increase: f64,
}

/// Compares two reports.
pub fn diff(old: &Report, new: &Report, fail_on: &[FailOn], limits: Limits) -> DiffReport {
    let max_coverage_drop = limits.max_coverage_drop;
    let mut out = DiffReport {
        tool: "touchpoint".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        old: old.set.clone(),
        new: new.set.clone(),
        file: new.file.clone().or_else(|| old.file.clone()),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        retargeted: Vec::new(),
        relabelled: Vec::new(),
        renamed: Vec::new(),
        findings_new: Vec::new(),
        findings_fixed: Vec::new(),
        findings_raised: Vec::new(),
        coverage: Vec::new(),
        personas: Vec::new(),
        demand: Vec::new(),
        intents: Vec::new(),
        mutation: None,
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
    // A side with no flows is a set that did not exist there (a pull
    // request that adds it, read at its base revision).
    for (side, report, other) in [("old", old, new), ("new", new, old)] {
        if report.structure.flows.is_empty() && !other.structure.flows.is_empty() {
            let everything = if side == "old" {
                "everything on the new side is new"
            } else {
                "everything on the old side is gone"
            };
            out.notes.push(format!(
                "the {side} side (`{}`) has no flows: {everything}",
                report.set
            ));
        }
    }
    let renamed = compare_structure(&old.structure.flows, &new.structure.flows, &mut out);
    let node_renames = out.renamed.clone();
    match_findings(old, new, &renamed, &node_renames, &mut out);

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
        // A node uncovered on both sides under two ids is not newly
        // uncovered.
        let old_id = |id: &str| {
            node_renames
                .iter()
                .find(|r| r.channel == flow.channel && r.flow == flow.flow && r.new == id)
                .map_or(id.to_string(), |r| r.old.clone())
        };
        let newly_uncovered: Vec<String> = flow
            .uncovered
            .iter()
            .filter(|n| !before.uncovered.contains(&old_id(n)))
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
    time::compare(old, new, fail_on, limits.max_time_increase, &mut out);
    mutation::compare(old, new, fail_on, &mut out);
    out
}

/// An option whose name ([`crate::model::MenuOption::identity`]) changed
/// with a relabel: on the web and in apps, where the label is the name.
struct RenamedOption {
    channel: Channel,
    flow: String,
    node: String,
    old: String,
    new: String,
}

/// Pairs each finding of the new side with the same defect on the old side
/// ([`Finding::defect_key`]), each old finding at most once; what is left
/// over is new or fixed. A finding about an option renamed in place is the
/// same finding under the new name, and so is a finding about a renamed
/// node.
fn match_findings(
    old: &Report,
    new: &Report,
    renamed: &[RenamedOption],
    node_renames: &[NodeRename],
    out: &mut DiffReport,
) {
    let renamed = |f: &Finding| -> DefectKey {
        let mut key = f.defect_key();
        if let Some(r) = node_renames
            .iter()
            .find(|r| r.channel == f.channel && r.flow == f.flow && r.old == f.node)
        {
            key.node = r.new.clone();
        }
        // Option renames are recorded under the node's new id.
        if let Some(r) = renamed.iter().find(|r| {
            r.channel == f.channel && r.flow == f.flow && r.node == key.node && r.old == key.about
        }) {
            key.about = r.new.clone();
        }
        key
    };
    let old_keys: Vec<DefectKey> = old.findings.iter().map(renamed).collect();
    let mut paired = vec![false; old.findings.len()];
    let mut new_findings = Vec::new();
    let mut raised = Vec::new();
    for f in &new.findings {
        let key = f.defect_key();
        let same = (0..old_keys.len()).find(|&i| !paired[i] && old_keys[i] == key);
        match same {
            Some(i) => {
                paired[i] = true;
                if old.findings[i].level == Level::Warning && f.level == Level::Error {
                    raised.push(f.clone());
                }
            }
            None => new_findings.push(f.clone()),
        }
    }
    out.findings_new = new_findings;
    out.findings_raised = raised;
    out.findings_fixed = old
        .findings
        .iter()
        .zip(&paired)
        .filter(|(_, paired)| !**paired)
        .map(|(f, _)| f.clone())
        .collect();
}

/// Flows, nodes, prompts and options on both sides; returns the options
/// whose name changed with a relabel.
fn compare_structure(
    old: &[FlowShape],
    new: &[FlowShape],
    out: &mut DiffReport,
) -> Vec<RenamedOption> {
    let mut renamed = Vec::new();
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
        compare_nodes(flow, &new[i], out, &mut renamed);
    }
    renamed
}

fn compare_nodes(
    old: &FlowShape,
    new: &FlowShape,
    out: &mut DiffReport,
    renamed: &mut Vec<RenamedOption>,
) {
    let node_renames = node_renames(old, new);
    // Where an old target is on the new side, and which new nodes are
    // renamed ones: looked up by id, since large flows have many nodes.
    let renames: FxHashMap<&str, &str> = node_renames
        .iter()
        .map(|(old_id, new_id)| (old_id.as_str(), new_id.as_str()))
        .collect();
    let renamed_to: FxHashSet<&str> = renames.values().copied().collect();
    let on_new_side = |id: &str| -> String { mapped(&renames, id) };
    for (old_id, new_id) in &node_renames {
        out.renamed.push(NodeRename {
            channel: new.channel,
            flow: new.flow.clone(),
            old: old_id.clone(),
            new: new_id.clone(),
        });
    }
    let change = |what: &str, node: &str, option: Option<String>, to: Option<String>| Change {
        channel: new.channel,
        flow: new.flow.clone(),
        what: what.to_string(),
        node: Some(node.to_string()),
        option,
        to,
    };
    let old_index = index_by_id(&old.nodes);
    let new_index = index_by_id(&new.nodes);
    for node in &new.nodes {
        let renamed_here = renamed_to.contains(node.id.as_str());
        if !old_index.contains_key(node.id.as_str()) && !renamed_here {
            out.added.push(change("node", &node.id, None, None));
        }
    }
    for before in &old.nodes {
        let Some(&i) = new_index.get(on_new_side(&before.id).as_str()) else {
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
        compare_options(new, before, after, &on_new_side, out, renamed);
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
                let old_to = lead_target(old_lead, &on_new_side);
                if (&old_to, old_lead.retries) != (&lead.to, lead.retries) {
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

/// Options of one node on both sides: the same name is the same option
/// (retargeted if it leads elsewhere); otherwise a relabel as [`Relabel`]
/// describes; otherwise added or removed.
fn compare_options(
    flow: &FlowShape,
    before: &NodeShape,
    after: &NodeShape,
    on_new_side: &dyn Fn(&str) -> String,
    out: &mut DiffReport,
    renamed: &mut Vec<RenamedOption>,
) {
    let change = |what: &str, option: &OptionShape| Change {
        channel: flow.channel,
        flow: flow.flow.clone(),
        what: what.to_string(),
        node: Some(after.id.clone()),
        option: Some(option.name.clone()),
        to: Some(option.goto.clone()),
    };
    let by_name = |options: &[OptionShape], name: &str| options.iter().position(|o| o.name == name);
    // Old options accounted for: the same name on the new side, or the
    // source of a relabel. An old option whose name the new side has is
    // never a relabel's source, so neither label of a relabel is found on
    // the other side.
    let mut matched: Vec<bool> = before
        .options
        .iter()
        .map(|o| by_name(&after.options, &o.name).is_some())
        .collect();
    for (place, option) in after.options.iter().enumerate() {
        if let Some(i) = by_name(&before.options, &option.name) {
            let o = &before.options[i];
            if on_new_side(&o.goto) != option.goto {
                out.retargeted.push(Retarget {
                    channel: flow.channel,
                    flow: flow.flow.clone(),
                    node: after.id.clone(),
                    by: option.name.clone(),
                    old: o.goto.clone(),
                    new: option.goto.clone(),
                });
            }
            continue;
        }
        let relabel_of = |i: usize| {
            let o = &before.options[i];
            let same_option = match &option.key {
                Some(_) => o.key == option.key,
                // Without a key the label is the name: the same place.
                None => {
                    i == place && o.key.is_none() && o.label.is_some() && option.label.is_some()
                }
            };
            !matched[i]
                && same_option
                && o.when == option.when
                && on_new_side(&o.goto) == option.goto
                && o.label != option.label
        };
        let source = match &option.key {
            Some(_) => (0..before.options.len()).find(|&i| relabel_of(i)),
            None => Some(place).filter(|&i| i < before.options.len() && relabel_of(i)),
        };
        let Some(i) = source else {
            out.added.push(change("option", option));
            continue;
        };
        matched[i] = true;
        let o = &before.options[i];
        out.relabelled.push(Relabel {
            channel: flow.channel,
            flow: flow.flow.clone(),
            node: after.id.clone(),
            key: option.key.clone(),
            old: o.label.clone().unwrap_or_default(),
            new: option.label.clone().unwrap_or_default(),
            to: option.goto.clone(),
        });
        if let (Some(old), Some(new)) = (o.identity(), option.identity()) {
            if old != new {
                renamed.push(RenamedOption {
                    channel: flow.channel,
                    flow: flow.flow.clone(),
                    node: after.id.clone(),
                    old,
                    new,
                });
            }
        }
    }
    for (option, matched) in before.options.iter().zip(matched) {
        if !matched {
            out.removed.push(change("option", option));
        }
    }
}

/// An old node id under its new name, or as it is.
fn mapped(node_renames: &FxHashMap<&str, &str>, id: &str) -> String {
    node_renames.get(id).map_or(id, |new| *new).to_string()
}

/// Where each node of a flow is, by id.
fn index_by_id(nodes: &[NodeShape]) -> FxHashMap<&str, usize> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect()
}

/// Where a lead goes, read on the new side: a `call` names a flow, which no
/// node rename touches.
fn lead_target(lead: &Lead, on_new_side: &dyn Fn(&str) -> String) -> String {
    if lead.by == "call" {
        lead.to.clone()
    } else {
        on_new_side(&lead.to)
    }
}

/// The nodes of one kind and prompt that a rename could pair: those only
/// on the old side, and those only on the new side.
type Candidates<'a> = (Vec<&'a NodeShape>, Vec<&'a NodeShape>);

/// Nodes of a flow renamed and nothing else, as [`NodeRename`] describes:
/// `(old id, new id)` pairs.
///
/// A node only on the old side and a node only on the new side pair up when
/// they have the same kind and prompt and neither has another such partner.
/// The pairs are then checked against each other: a pair stays when its
/// options and leads are the same once every pair's old ids are read as
/// new ids. Dropping a pair can break another that led to its node, so the
/// check repeats until no pair drops.
fn node_renames(old: &FlowShape, new: &FlowShape) -> Vec<(String, String)> {
    let old_ids: FxHashSet<&str> = old.nodes.iter().map(|n| n.id.as_str()).collect();
    let new_ids: FxHashSet<&str> = new.nodes.iter().map(|n| n.id.as_str()).collect();
    // Candidates grouped by kind and prompt: (nodes gone, nodes new). A
    // group with exactly one of each is a candidate pair; any other group
    // is ambiguous, and a rename is only claimed when it is certain.
    let mut groups: FxHashMap<(&str, Option<&str>), Candidates> = FxHashMap::default();
    for node in old
        .nodes
        .iter()
        .filter(|n| !new_ids.contains(n.id.as_str()))
    {
        let key = (node.kind.as_str(), node.text.as_deref());
        groups.entry(key).or_default().0.push(node);
    }
    for node in new
        .nodes
        .iter()
        .filter(|n| !old_ids.contains(n.id.as_str()))
    {
        let key = (node.kind.as_str(), node.text.as_deref());
        if let Some(group) = groups.get_mut(&key) {
            group.1.push(node);
        }
    }
    let mut pairs: Vec<(&NodeShape, &NodeShape)> = groups
        .into_values()
        .filter_map(|(gone, fresh)| match (gone.as_slice(), fresh.as_slice()) {
            ([a], [b]) => Some((*a, *b)),
            _ => None,
        })
        .collect();
    // In the old side's order, so that the list of renames reads as the
    // flow does and never depends on hashing.
    let order = index_by_id(&old.nodes);
    pairs.sort_by_key(|(a, _)| order[a.id.as_str()]);
    loop {
        let ids: FxHashMap<&str, &str> = pairs
            .iter()
            .map(|(a, b)| (a.id.as_str(), b.id.as_str()))
            .collect();
        let on_new_side = |id: &str| mapped(&ids, id);
        let same_but_id = |a: &NodeShape, b: &NodeShape| {
            a.options.len() == b.options.len()
                && a.options.iter().zip(&b.options).all(|(o, p)| {
                    (&o.name, &o.when, &o.key, &o.label) == (&p.name, &p.when, &p.key, &p.label)
                        && on_new_side(&o.goto) == p.goto
                })
                && a.leads.len() == b.leads.len()
                && a.leads.iter().zip(&b.leads).all(|(l, m)| {
                    (&l.by, l.retries) == (&m.by, m.retries) && lead_target(l, &on_new_side) == m.to
                })
        };
        let before = pairs.len();
        pairs.retain(|(a, b)| same_but_id(a, b));
        if pairs.len() == before {
            return pairs
                .iter()
                .map(|(a, b)| (a.id.clone(), b.id.clone()))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, FindingSource};

    fn finding(code: Code, node: &str, about: &str, intent: Option<&str>) -> Finding {
        Finding {
            code,
            level: code.default_level(),
            channel: Channel::Phone,
            flow: "main".to_string(),
            node: node.to_string(),
            message: format!("{code} at {node}"),
            file: "main.yaml".to_string(),
            line: 10,
            column: 3,
            intent: intent.map(str::to_string),
            vars: Default::default(),
            inputs: vec!["1".to_string()],
            path: vec!["main_menu".to_string(), node.to_string()],
            source: FindingSource::Lint,
            fuzz_batch: None,
            detail: 0,
            about: about.to_string(),
            offset: 0,
            len: 0,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let mut report = Report::new("check", "set".to_string(), 42);
        report.findings = findings;
        report
    }

    fn compared(old: Vec<Finding>, new: Vec<Finding>) -> DiffReport {
        diff(
            &report(old),
            &report(new),
            &FailOn::DEFAULT,
            Limits {
                max_coverage_drop: 5.0,
                max_time_increase: 10.0,
            },
        )
    }

    /// The same defect with another message, position, inputs, path and
    /// detail number (an index that moves when options are added) is the
    /// same finding.
    #[test]
    fn findings_match_on_what_they_are_about_not_on_their_words() {
        let before = finding(Code::UnhandledInput, "billing", "no_input", None);
        let mut after = before.clone();
        after.message = "Silence at `billing` is dropped, in other words".to_string();
        after.line = 40;
        after.column = 5;
        after.inputs = vec!["2".to_string(), "wait".to_string()];
        after.path = vec!["welcome".to_string(), "billing".to_string()];
        after.detail = 7;
        let out = compared(vec![before], vec![after]);
        assert!(out.findings_new.is_empty() && out.findings_fixed.is_empty());
        assert!(!out.fails());
    }

    /// Another handler, option or intent at the same node is another defect.
    #[test]
    fn what_a_finding_is_about_tells_it_apart() {
        for (old, new) in [
            (
                finding(Code::UnhandledInput, "billing", "no_input", None),
                finding(Code::UnhandledInput, "billing", "no_match", None),
            ),
            (
                finding(Code::DuplicateKey, "billing", "key 1", None),
                finding(Code::DuplicateKey, "billing", "key 2", None),
            ),
            (
                finding(Code::NoFit, "billing", "", Some("pay_bill")),
                finding(Code::NoFit, "billing", "", Some("move_house")),
            ),
        ] {
            let out = compared(vec![old], vec![new]);
            assert_eq!(
                (out.findings_new.len(), out.findings_fixed.len()),
                (1, 1),
                "{out:#?}"
            );
        }
    }

    /// A fuzzed customer who finds a dead end has an intent of their own;
    /// another customer may find it in the next version. A failing persona
    /// may end at another node and is still the same persona failing.
    #[test]
    fn incidental_intents_and_a_persona_s_last_node_do_not_count() {
        let mut dead_end = finding(Code::DeadEnd, "notice", "", Some("pay_bill"));
        dead_end.source = FindingSource::Fuzz;
        let mut other_customer = dead_end.clone();
        other_customer.intent = Some("report_outage".to_string());
        let persona = finding(Code::PersonaFailed, "billing", "night-nurse", None);
        let mut ends_elsewhere = persona.clone();
        ends_elsewhere.node = "goodbye".to_string();
        let out = compared(
            vec![dead_end, persona],
            vec![other_customer, ends_elsewhere],
        );
        assert!(
            out.findings_new.is_empty() && out.findings_fixed.is_empty(),
            "{out:#?}"
        );
    }

    /// Two findings with one identity on each side pair one to one: a third
    /// on the new side is new.
    #[test]
    fn findings_pair_one_to_one() {
        let one = finding(Code::LiveError, "/menu", "", None);
        let out = compared(vec![one.clone()], vec![one.clone(), one]);
        assert_eq!(out.findings_new.len(), 1, "{out:#?}");
        assert!(out.findings_fixed.is_empty());
    }

    fn node(id: &str, text: &str, to: &str) -> NodeShape {
        NodeShape {
            id: id.to_string(),
            kind: "say".to_string(),
            text: Some(text.to_string()),
            line: 1,
            leads: vec![Lead {
                by: "next".to_string(),
                to: to.to_string(),
                retries: 0,
            }],
            options: Vec::new(),
        }
    }

    fn flow(nodes: Vec<NodeShape>) -> FlowShape {
        FlowShape {
            channel: Channel::Phone,
            flow: "main".to_string(),
            file: "main.yaml".to_string(),
            start: nodes[0].id.clone(),
            nodes,
        }
    }

    /// Two renamed nodes that lead to each other are both renames: each
    /// one's lead is read through the other's rename.
    #[test]
    fn renames_that_lead_to_each_other_are_found_together() {
        let old = flow(vec![node("a", "One.", "b"), node("b", "Two.", "a")]);
        let new = flow(vec![node("x", "One.", "y"), node("y", "Two.", "x")]);
        assert_eq!(
            node_renames(&old, &new),
            vec![
                ("a".to_string(), "x".to_string()),
                ("b".to_string(), "y".to_string())
            ]
        );
    }

    /// Two removed nodes that would both match one added node make no
    /// rename: which one was renamed cannot be told.
    #[test]
    fn an_ambiguous_rename_is_no_rename() {
        let old = flow(vec![
            node("start", "Hi.", "a"),
            node("a", "Same.", "start"),
            node("b", "Same.", "start"),
        ]);
        let new = flow(vec![node("start", "Hi.", "x"), node("x", "Same.", "start")]);
        assert!(node_renames(&old, &new).is_empty());
    }

    /// A renamed node whose lead now goes elsewhere is no rename, and
    /// neither is one whose target was itself renamed and edited.
    #[test]
    fn a_rename_with_another_change_is_no_rename() {
        let old = flow(vec![node("a", "One.", "b"), node("b", "Two.", "a")]);
        let new = flow(vec![node("x", "One.", "y"), node("y", "Two, edited.", "x")]);
        assert!(node_renames(&old, &new).is_empty());
    }
}
