//! The analyses of `lint`: the exhaustive walk and the rules it runs at
//! every menu a customer can reach, turned into report findings.

pub mod announcements;
mod explorer;
mod intents;
mod menu_rules;
pub(crate) mod raw;
mod scc;

pub use explorer::{worlds, WalkSummary};

use crate::finding::{Code, Finding};
use crate::graph::{compile, CompileError, Graph, NodeIx, NONE};
use crate::input::{render, resolve};
use crate::machine::{InputKind, Machine, Observer, Rules, Settled, Step};
use crate::model::{Level, MenuSet, Span};
use raw::{RawFinding, Recorder};

/// Everything `lint` learnt about a set.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    /// Plain statements about the walk itself (a budget that was hit).
    pub notes: Vec<String>,
    pub states: usize,
    pub coverage: Vec<FlowReach>,
    pub intents: Vec<crate::report::IntentAvailability>,
}

/// Runs every deterministic analysis on every channel of the set.
pub fn lint(set: &MenuSet) -> Result<Analysis, CompileError> {
    let mut analysis = Analysis::default();
    let mut walks = Vec::new();
    for channel in set.channels() {
        let graph = compile(set, channel)?;
        let mut recorder = Recorder::default();
        let summary = explorer::explore(&graph, &set.settings, &mut recorder);
        if !summary.budget_hit {
            intents::walk_goals(&graph, set, &summary, &mut recorder);
        }
        analysis.states += summary.states;
        // Where no sample input could be made, the walk cannot go on: say so
        // rather than let what lies behind look unreachable.
        for (node, n) in graph.nodes.iter().enumerate() {
            let missing = match &n.kind {
                crate::graph::Kind::Ask {
                    valid_answer: None, ..
                } => Some("an answer its `pattern` accepts"),
                crate::graph::Kind::Menu { options, .. } => options
                    .clone()
                    .any(|o| !graph.options[o as usize].pickable && !graph.is_visual())
                    .then_some("a phrase for a speech-only option"),
                _ => None,
            };
            if let Some(what) = missing {
                analysis.notes.push(format!(
                    "no sample of {what} could be generated at {channel} `{}`; the walk does not go past it (simplify the regex)",
                    graph.node_id(node as NodeIx)
                ));
            }
        }
        if summary.budget_hit {
            analysis.notes.push(format!(
                "the {channel} walk stopped at the state budget of {} states: findings may be missing; raise `limits: {{states: N}}` in the settings",
                set.settings.limits.states
            ));
        }
        if summary.call_depth_hit {
            analysis.notes.push(format!(
                "some {channel} calls nest deeper than {} levels and were not followed; raise `limits: {{call_depth: N}}` if that is intended",
                set.settings.limits.call_depth
            ));
        }
        analysis.coverage.extend(coverage(&graph, &summary));
        for entry in &recorder.entries {
            let all_worlds = entry.count == entry.worlds.len();
            let raw = match (&entry.first_world, all_worlds) {
                (Some(first), true) => first,
                _ => &entry.best,
            };
            let finding = if summary.coverage.nodes[raw.node as usize] {
                to_finding(&graph, set, raw, !all_worlds)
            } else {
                unreached_finding(&graph, set, raw, !all_worlds)
            };
            analysis.findings.push(finding);
        }
        // A walk cut short by its budget has not seen everything: calling
        // what it missed unreachable would be a guess.
        for node in 0..graph.nodes.len() as NodeIx {
            if !summary.budget_hit && !summary.coverage.nodes[node as usize] {
                let id = graph.node_id(node);
                let raw =
                    RawFinding::new(Code::Unreachable, node, 0, 0, Vec::new()).message(format!(
                        "no path from the start of the flow reaches `{id}`, under any variables"
                    ));
                let mut finding = to_finding(&graph, set, &raw, false);
                finding.inputs.clear();
                finding.path.clear();
                analysis.findings.push(finding);
            }
        }
        if !summary.budget_hit {
            analysis
                .intents
                .extend(intents::availability(set, channel, &graph, &summary));
        }
        walks.push((channel, graph, summary));
    }
    let complete: Vec<_> = walks
        .iter()
        .filter(|(_, _, s)| !s.budget_hit)
        .map(|(c, g, s)| (*c, g, s))
        .collect();
    if complete.len() == walks.len() {
        analysis
            .findings
            .extend(intents::channel_findings(set, &complete));
    }
    analysis.findings.retain_mut(|f| {
        f.level = set.settings.level(f.code);
        f.level != Level::Off
    });
    analysis
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(analysis)
}

/// Records the path a replay takes and which variables it read before any
/// `set` wrote them: those are the ones a finding depends on.
#[derive(Default)]
struct Trace {
    path: Vec<NodeIx>,
    read: u64,
    written: u64,
    masks: Vec<u64>,
}

impl Observer for Trace {
    fn enter(&mut self, node: NodeIx) {
        if self.path.last() != Some(&node) {
            self.path.push(node);
        }
    }
    fn read(&mut self, var: u16, _vars: u64) {
        let mask = self.masks[var as usize];
        if self.written & mask == 0 {
            self.read |= mask;
        }
    }
    fn write(&mut self, var: u16) {
        self.written |= self.masks[var as usize];
    }
}

/// The world a raw finding was seen in, as packed variables.
fn world_vars(graph: &Graph, world: u32) -> u64 {
    worlds(graph).get(world as usize).copied().unwrap_or(0)
}

pub(crate) fn to_finding(
    graph: &Graph,
    set: &MenuSet,
    raw: &RawFinding,
    depends_on_vars: bool,
) -> Finding {
    let node_flow = raw
        .entry_flow
        .map_or(graph.nodes[raw.node as usize].flow as usize, |f| f as usize);
    let world = world_vars(graph, raw.world);
    let mut machine = Machine::new(
        graph,
        Rules {
            call_depth: set.settings.limits.call_depth,
            standalone: graph.flows[node_flow].called,
        },
    );
    let mut trace = Trace {
        masks: graph.vars.iter().map(|v| v.mask()).collect(),
        ..Trace::default()
    };
    let mut inputs = Vec::new();
    let mut settled = machine.settle(graph.flows[node_flow].start, world, 0, NONE, &mut trace);
    for &choice in &raw.choices {
        let Settled::Waiting(state) = settled else {
            break;
        };
        // Read the input back the way `replay` will, so that the variables
        // a replay's option lookup reads (earlier options' guards) count too.
        let input = render(&machine, &state, choice);
        let choice = resolve(&machine, &state, &input, &mut trace).unwrap_or(choice);
        inputs.push(input.to_string());
        match machine.step(&state, choice, &mut trace) {
            Step::Moved(next) => settled = next,
            Step::Reprompt(next) => settled = Settled::Waiting(next),
            _ => break,
        }
    }
    let vars = if depends_on_vars {
        let mut described = graph.describe_vars(world, trace.read);
        described.extend(graph.describe_vars(raw.guard_vars, raw.guard_mask & !trace.read));
        described
    } else {
        Default::default()
    };
    let span: Span = raw.span.unwrap_or_else(|| graph.node_span(raw.node));
    let file = &set.files[span.file as usize];
    Finding {
        code: raw.code,
        level: raw.code.default_level(),
        channel: graph.channel,
        flow: graph.flows[node_flow].id.clone(),
        node: graph.node_id(raw.node).to_string(),
        message: raw.message.clone(),
        file: file.name.clone(),
        line: span.pos.line,
        column: span.pos.column,
        intent: raw
            .intent
            .and_then(|i| graph.intents.get(i as usize).cloned()),
        vars,
        inputs,
        path: trace
            .path
            .iter()
            .map(|&n| graph.node_id(n).to_string())
            .collect(),
        source: "lint".to_string(),
        fuzz_batch: None,
        detail: raw.detail,
        about: about(graph, raw),
        offset: span.pos.offset,
        len: span.pos.len,
    }
}

/// What a finding is about, named the same way in every version of the set
/// (see [`Finding::defect_key`]); decoded from its detail number, which
/// tells findings apart only within one version.
fn about(graph: &Graph, raw: &RawFinding) -> String {
    match raw.code {
        Code::UnhandledInput | Code::EndlessRetry => {
            [InputKind::Silence, InputKind::NoMatch, InputKind::Invalid]
                .into_iter()
                .find(|kind| *kind as u32 == raw.detail)
                .map_or_else(String::new, |kind| kind.handler_name().to_string())
        }
        // The walk's loop of menus has detail 0; the fuzzer marks the loop
        // of its goal-directed customer with the top bit (and the intent
        // below it), and both mark a silent loop with every bit.
        Code::Trap if raw.detail == u32::MAX => crate::finding::ABOUT_SILENT_LOOP.to_string(),
        Code::Trap if raw.detail & 1 << 31 != 0 => crate::finding::ABOUT_GOAL_LOOP.to_string(),
        Code::DuplicateKey | Code::MisleadingOption | Code::PromptMismatch => {
            menu_rules::about(graph, raw.code, raw.node, raw.detail)
        }
        _ => String::new(),
    }
}

/// A finding about a menu as written at a menu the walk did not reach:
/// there are no inputs and no path to show, and the variables it depends on
/// are the ones its menu's guards read, not any read on the way from the
/// start. Its message is the one the menu gets when it is reached, so that
/// `diff` knows it for the same finding once the menu is linked; the
/// `unreachable` warning beside it (or, where the walk's state budget ran
/// out, the report's note saying so) tells why there is nothing to replay.
fn unreached_finding(
    graph: &Graph,
    set: &MenuSet,
    raw: &RawFinding,
    depends_on_vars: bool,
) -> Finding {
    let mut finding = to_finding(graph, set, raw, false);
    finding.inputs.clear();
    finding.path.clear();
    if depends_on_vars {
        finding.vars = graph.describe_vars(raw.guard_vars, raw.guard_mask);
    }
    finding
}

/// What the walk reached, flow by flow.
fn coverage(graph: &Graph, summary: &WalkSummary) -> Vec<FlowReach> {
    flow_reaches(graph, &summary.coverage)
}

/// What a coverage map reached, flow by flow, with each flow's totals.
pub fn flow_reaches(graph: &Graph, map: &crate::coverage::CoverageMap) -> Vec<FlowReach> {
    (0..graph.flows.len())
        .map(|f| {
            let items = crate::coverage::flow_items(graph, f);
            FlowReach {
                channel: graph.channel,
                flow: graph.flows[f].id.clone(),
                totals: (items.nodes.len(), items.options.len(), items.handlers.len()),
                reach: crate::coverage::reach(&items, map),
            }
        })
        .collect()
}

/// What one source of customers reached in one flow.
#[derive(Debug, Clone)]
pub struct FlowReach {
    pub channel: crate::model::Channel,
    pub flow: String,
    /// Nodes, options and handlers in the flow.
    pub totals: (usize, usize, usize),
    pub reach: crate::coverage::Reach,
}
