//! The analyses of `lint`: the exhaustive walk and the rules it runs at
//! every menu a customer can reach, turned into report findings.

pub mod announcements;
mod crossed;
mod demand;
mod explorer;
pub(crate) mod goal_loop;
mod intents;
mod journeys;
mod menu_rules;
pub(crate) mod raw;
mod stale;
#[cfg(test)]
mod thread_count_tests;
pub(crate) mod to_agent;
mod unset;

pub use explorer::worlds;
pub(crate) use explorer::WalkSummary;
pub(crate) use menu_rules::misleading_message;

use crate::finding::{Code, Finding, FindingSource};
use crate::graph::{CompileError, Graph, Graphs, NodeIx, NONE};
use crate::input::{render, resolve};
use crate::machine::{Choice, InputKind, Machine, Observer, Quiet, Rules, Settled, State, Step};
use crate::model::{Channel, Level, MenuSet, Span};
use raw::{RawFinding, Recorder};
use rayon::prelude::*;

use crate::coverage::{flow_reaches, FlowReach};

/// Everything `lint` learnt about a set.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    /// Plain statements about the walk itself (a budget that was hit).
    pub notes: Vec<String>,
    pub states: usize,
    pub coverage: Vec<FlowReach>,
    pub intents: Vec<crate::results::IntentAvailability>,
    pub journeys: Vec<crate::results::Journey>,
    pub demand: Vec<crate::results::Demand>,
    pub demand_intents: Vec<crate::results::DemandIntent>,
}

/// What [`lint_with`] computes besides the walk and its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintOptions {
    /// The caller-time figures: the way to a person from each flow's start
    /// (and `slow-to-agent`, which is read from it), the journeys and the
    /// demand. Every command computes them; leaving them out exists so
    /// that the benchmark can measure what they add to `lint` and `check`
    /// against the same walk without them.
    pub caller_figures: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            caller_figures: true,
        }
    }
}

/// Runs every deterministic analysis on every channel of the set.
pub fn lint(set: &MenuSet) -> Result<Analysis, CompileError> {
    lint_with(set, &LintOptions::default())
}

/// [`lint`], with or without the caller-time figures.
///
/// The channels are linted in parallel, each on as many threads as its
/// walk can use, and taken in channel by channel in order: the analysis is
/// the same whatever the number of threads.
pub fn lint_with(set: &MenuSet, options: &LintOptions) -> Result<Analysis, CompileError> {
    lint_graphs(&Graphs::new(set), options)
}

/// [`lint_with`] on graphs other engines may share (see [`Graphs`]).
pub fn lint_graphs(graphs: &Graphs, options: &LintOptions) -> Result<Analysis, CompileError> {
    let set = graphs.set();
    let channels: Vec<Result<ChannelLint, CompileError>> = set
        .channels()
        .into_par_iter()
        .map(|channel| lint_channel(graphs, channel, options))
        .collect();
    let mut analysis = Analysis::default();
    let mut walks = Vec::new();
    let mut demands = Vec::new();
    for channel in channels {
        let channel = channel?;
        analysis.findings.extend(channel.findings);
        analysis.notes.extend(channel.notes);
        analysis.states += channel.summary.states;
        analysis.coverage.extend(channel.coverage);
        analysis.intents.extend(channel.intents);
        analysis.journeys.extend(channel.journeys);
        demands.extend(channel.demand);
        walks.push((channel.channel, channel.graph, channel.summary));
    }
    analysis.notes.extend(demand::notes(&demands));
    for channel in demands {
        analysis.demand.extend(channel.demand);
        analysis.demand_intents.extend(channel.intents);
    }
    let complete: Vec<_> = walks
        .iter()
        .filter(|(_, _, s)| !s.budget_hit)
        .map(|(c, g, s)| (*c, *g, s))
        .collect();
    if complete.len() == walks.len() {
        analysis
            .findings
            .extend(intents::channel_findings(set, &complete));
    }
    analysis.findings.retain_mut(|f| {
        // A level the settings give wins; otherwise the finding keeps the
        // level its analysis gave it.
        f.level = set.settings.level_or(f.code, f.level);
        f.level != Level::Off
    });
    analysis
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(analysis)
}

/// `each` for every flow nobody calls (where customers begin), in flow
/// order: the flows are spread over rayon's pool, with one machine of the
/// set's rules per piece of work, and their results put back in order.
pub(crate) fn per_entry_flow<T: Send>(
    graph: &Graph,
    set: &MenuSet,
    each: impl Fn(&mut Machine, usize) -> T + Sync + Send,
) -> Vec<T> {
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let entry_flows: Vec<usize> = (0..graph.flows.len())
        .filter(|&f| !graph.flows[f].called)
        .collect();
    entry_flows
        .par_iter()
        .map_init(
            || Machine::new(graph, rules),
            |machine, &flow| each(machine, flow),
        )
        .collect()
}

/// What [`lint_channel`] learnt about one channel, to be taken into the
/// set's [`Analysis`] in channel order.
struct ChannelLint<'g, 's> {
    channel: Channel,
    graph: &'g Graph<'s>,
    summary: WalkSummary,
    findings: Vec<Finding>,
    notes: Vec<String>,
    coverage: Vec<FlowReach>,
    intents: Vec<crate::results::IntentAvailability>,
    journeys: Vec<crate::results::Journey>,
    demand: Option<demand::ChannelDemand>,
}

/// Every analysis of one channel, but those across channels.
fn lint_channel<'g, 's>(
    graphs: &'g Graphs<'s>,
    channel: Channel,
    options: &LintOptions,
) -> Result<ChannelLint<'g, 's>, CompileError> {
    let set = graphs.set();
    let graph = graphs.get(channel)?;
    let mut recorder = Recorder::default();
    let summary = explorer::explore(graph, &set.settings, &mut recorder);
    // The way to a person is walked once, for `slow-to-agent` and the
    // journeys alike; it reads nothing the goal walks record, so the two
    // run side by side.
    let ways_to_agent = if summary.budget_hit {
        Vec::new()
    } else {
        let ((), ways) = rayon::join(
            || intents::walk_goals(graph, set, &summary, &mut recorder),
            || {
                if options.caller_figures {
                    to_agent::ways_to_agent(graph, set)
                } else {
                    Vec::new()
                }
            },
        );
        if options.caller_figures {
            to_agent::record_slow_to_agent(graph, set, &ways, &mut recorder);
        }
        ways
    };
    let mut notes = Vec::new();
    // Where no sample input could be made, the walk cannot go on: say so
    // rather than let what lies behind look unreachable.
    for (node, n) in graph.nodes.iter().enumerate() {
        let missing = match &n.kind {
            crate::graph::Kind::Ask {
                has_valid_answer: false,
                ..
            } => Some("an answer its `pattern` accepts"),
            crate::graph::Kind::Menu { options, .. } => options
                .clone()
                .any(|o| !graph.options[o as usize].pickable && !graph.is_visual())
                .then_some("a phrase for a speech-only option"),
            _ => None,
        };
        if let Some(what) = missing {
            notes.push(format!(
                "no sample of {what} could be generated at {channel} `{}`; the walk does not go past it (simplify the regex)",
                graph.node_id(node as NodeIx)
            ));
        }
    }
    if summary.budget_hit {
        notes.push(format!(
            "the {channel} walk stopped at the state budget of {} states: findings may be missing; raise `limits: {{states: N}}` in the settings",
            set.settings.limits.states
        ));
    }
    if summary.call_depth_hit {
        notes.push(format!(
            "some {channel} calls nest deeper than {} levels and were not followed; raise `limits: {{call_depth: N}}` if that is intended",
            set.settings.limits.call_depth
        ));
    }
    let coverage = coverage(graph, &summary);
    // Each finding is replayed from its flow's start, on its own: the
    // replays run in parallel, and collect in the recorder's order.
    let mut findings: Vec<Finding> = recorder
        .entries
        .par_iter()
        .map(|entry| {
            // A finding met in every world it was looked for in is told
            // with every variable at its first value where that world is
            // one of them. Otherwise the variables it read are what show
            // it, and a replay must be told them: a called flow is walked
            // only in the worlds its callers enter it in, which need not
            // include world 0.
            let (raw, depends_on_vars) = match (&entry.first_world, entry.in_every_world()) {
                (Some(first), true) => (first, false),
                _ => (&entry.best, true),
            };
            if summary.coverage.nodes[raw.node as usize] {
                to_finding(graph, set, raw, depends_on_vars)
            } else {
                unreached_finding(graph, set, raw, depends_on_vars)
            }
        })
        .collect();
    // A walk cut short by its budget has not seen everything: calling
    // what it missed unreachable would be a guess.
    if !summary.budget_hit {
        let unreached: Vec<NodeIx> = (0..graph.nodes.len() as NodeIx)
            .filter(|&node| !summary.coverage.nodes[node as usize])
            .collect();
        findings.par_extend(
            unreached
                .par_iter()
                .map(|&node| unreachable_finding(graph, set, &summary, node)),
        );
    }
    let mut intents = Vec::new();
    let mut journeys = Vec::new();
    let mut demand = None;
    if !summary.budget_hit {
        intents = intents::availability(set, channel, graph, &summary);
        if options.caller_figures {
            let found = journeys::journeys(graph, set, &ways_to_agent);
            demand = Some(demand::channel_demand(set, channel, &found));
            journeys = found.into_iter().map(|(journey, _)| journey).collect();
        }
    }
    Ok(ChannelLint {
        channel,
        graph,
        summary,
        findings,
        notes,
        coverage,
        intents,
        journeys,
        demand,
    })
}

/// The `unreachable` finding of a node the walk did not reach.
fn unreachable_finding(
    graph: &Graph,
    set: &MenuSet,
    summary: &WalkSummary,
    node: NodeIx,
) -> Finding {
    let id = graph.node_id(node);
    // A called flow is walked only in the values its callers enter it
    // in: a node that other values would reach is still one no customer
    // reaches, and the message says why.
    let walked = &summary.walked[graph.nodes[node as usize].flow as usize];
    let message = if walked.contains(&false) {
        format!(
            "no path from the start of the flow reaches `{id}` with the values its callers enter it with ({})",
            intents::describe_worlds(graph, &graph.worlds, walked)
        )
    } else {
        format!("no path from the start of the flow reaches `{id}`, under any variables")
    };
    let raw = RawFinding::new(Code::Unreachable, node, 0, 0, Vec::new()).message(message);
    let mut finding = to_finding(graph, set, &raw, false);
    finding.inputs.clear();
    finding.path.clear();
    finding
}

/// Which nodes of the graph some customer reaches, by the exhaustive walk;
/// `None` when the walk stopped at the state budget and cannot say.
/// `mutate` needs walk no further for a mistake no customer meets.
pub(crate) fn reached_nodes(set: &MenuSet, graph: &Graph) -> Option<Vec<bool>> {
    let summary = explorer::explore(graph, &set.settings, &mut Recorder::default());
    (!summary.budget_hit).then_some(summary.coverage.nodes)
}

/// The exhaustive walk alone, on a graph already compiled from `set`: the
/// states it visits, with nothing after it (no goal walks, no journeys, no
/// replays of findings), on one thread. It exists for the explorer
/// benchmark, which measures the walk itself against a bare breadth-first
/// search (one thread too) as well as `lint` as a whole; the walk is the
/// one `lint` runs, findings and all, its (flow, world) walks taken one
/// after another on the one thread, and taken in as `lint` takes them in.
#[doc(hidden)]
pub fn walk_states(graph: &Graph, set: &MenuSet) -> usize {
    walk_counts(graph, set).0
}

/// Runs `work` on a pool of one thread, as the bench's bare search runs:
/// the speed per state is what the explorer bench compares, not the
/// machine's cores.
fn on_one_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// The states the exhaustive walk visits and the choices it tries at them,
/// as [`walk_states`] walks: what `benches/explorer.rs` prints beside the
/// aim, to show what one state costs.
#[doc(hidden)]
pub fn walk_counts(graph: &Graph, set: &MenuSet) -> (usize, usize) {
    on_one_thread(|| {
        let summary = explorer::explore(graph, &set.settings, &mut Recorder::default());
        (summary.states, summary.choices)
    })
}

/// The menu rules' pass alone, on one thread, as [`walk_states`] runs it
/// before its walks: every menu judged under every set of options some
/// world enables. Returns the number of verdicts, for a bench to keep.
#[doc(hidden)]
pub fn judge_menus(graph: &Graph, set: &MenuSet) -> usize {
    on_one_thread(|| {
        menu_rules::MenuVerdicts::judge(graph, &set.settings, &graph.worlds).sets_judged()
    })
}

/// The findings lint reports on one compiled graph, as (code, node,
/// detail), without turning them into report findings: what `mutate
/// --with-lint` compares between the set and a mutant, whose node numbers
/// are the same. Findings the settings switch off are left out; so are
/// the caller-time figures and the findings across channels.
pub(crate) fn finding_keys(
    set: &MenuSet,
    graph: &Graph,
) -> std::collections::BTreeSet<(crate::finding::Code, NodeIx, u32)> {
    let mut recorder = Recorder::default();
    let summary = explorer::explore(graph, &set.settings, &mut recorder);
    if !summary.budget_hit {
        intents::walk_goals(graph, set, &summary, &mut recorder);
    }
    let mut keys: std::collections::BTreeSet<_> = recorder
        .entries
        .iter()
        .map(|e| &e.best)
        .filter(|raw| {
            let level = raw.level.unwrap_or(raw.code.default_level());
            set.settings.level_or(raw.code, level) != Level::Off
        })
        .map(|raw| (raw.code, raw.node, raw.detail))
        .collect();
    if !summary.budget_hit
        && set
            .settings
            .level_or(Code::Unreachable, Code::Unreachable.default_level())
            != Level::Off
    {
        for node in 0..graph.nodes.len() as NodeIx {
            if !summary.coverage.nodes[node as usize] {
                keys.insert((Code::Unreachable, node, 0));
            }
        }
    }
    keys
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
    // A finding met in a called flow through its caller is reported in the
    // called flow, from its start, as that flow's own walk reports it: one
    // defect is then one finding, whichever analysis met it and through
    // whichever caller. Only a finding that needs the caller (a loop that
    // runs through the return, an ending after it) stays with the caller.
    let rebased = rebase_into_own_flow(graph, set, raw);
    let (node_flow, world_index, choices, depends_on_vars) = match &rebased {
        Some(rebased) => (
            graph.nodes[raw.node as usize].flow as usize,
            rebased.world,
            rebased.choices.as_slice(),
            // Variables the caller set before the call are this start's
            // variables: a replay must be told them.
            depends_on_vars || rebased.world != 0,
        ),
        None => (
            raw.entry_flow
                .map_or(graph.nodes[raw.node as usize].flow as usize, |f| f as usize),
            raw.world,
            raw.choices.as_slice(),
            depends_on_vars,
        ),
    };
    let world = world_vars(graph, world_index);
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
    for &choice in choices {
        let Settled::Waiting(state) = settled else {
            break;
        };
        // Read the input back the way `replay` will, so that the variables
        // a replay's option lookup reads (earlier options' guards) count too.
        let input = render(&machine, &state, choice);
        let choice = resolve(&machine, &state, &input, &mut trace).unwrap_or(choice);
        inputs.push(input.to_string());
        // An input that changed nothing (idle on a page with no handler)
        // was still given: the choices after it are played from where the
        // customer stayed, as the fuzzer played them and `replay` will.
        match machine
            .step(&state, choice, &mut trace)
            .settled_after(&state)
        {
            Some(next) => settled = next,
            None => break,
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
        level: raw.level.unwrap_or_else(|| raw.code.default_level()),
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
        source: FindingSource::Lint,
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
        // The walk's loop of menus has detail 0; a goal-directed loop, from
        // the goal walk or the fuzzer, has the top bit (and the intent below
        // it, see `goal_loop::detail`), and both mark a silent loop with
        // every bit.
        Code::Trap if raw.detail == u32::MAX => crate::finding::ABOUT_SILENT_LOOP.to_string(),
        Code::Trap if raw.detail & 1 << 31 != 0 => crate::finding::ABOUT_GOAL_LOOP.to_string(),
        Code::DuplicateKey
        | Code::MisleadingOption
        | Code::PromptMismatch
        | Code::CrossedOption => menu_rules::about(graph, raw.code, raw.node, raw.detail),
        // The name read, so that two names read at one step are two defects.
        Code::UnsetVariable => match &graph.model_node(raw.node).kind {
            crate::model::NodeKind::Opaque { reads, .. } => reads
                .get(raw.detail as usize)
                .map_or_else(String::new, |name| name.value.clone()),
            _ => String::new(),
        },
        // The step whose answer is ignored: one switch can be stale after
        // two questions, and those are two defects.
        Code::StaleInput if (raw.detail as usize) < graph.nodes.len() => {
            graph.node_id(raw.detail).to_string()
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

/// A finding's choices re-expressed from the start of the flow that holds
/// its node: the world the customer was in when they last entered that flow
/// (as the flow's own walk would start in it) and the choices made since.
struct Rebased {
    world: u32,
    choices: Vec<Choice>,
}

/// How playing some choices ended, with the call stack left out: a called
/// flow played through its caller and on its own differ only in what lies
/// beneath the flow on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Settled(Settled),
    Dropped(NodeIx, InputKind),
}

/// The calls made while playing choices: the number of choices made
/// before each call, the flow it enters, and the variables at the call.
#[derive(Default)]
struct Calls {
    made: usize,
    entered: Vec<(usize, u32, u64)>,
}

impl Observer for Calls {
    fn call(&mut self, flow: u32, vars: u64) {
        self.entered.push((self.made, flow, vars));
    }
}

/// Plays `choices` from `settled`, telling `on_wait` of every state the
/// customer waited at, with the number of choices made before it, and
/// `calls` of every call the choices make.
fn play(
    machine: &mut Machine,
    mut settled: Settled,
    choices: &[Choice],
    on_wait: &mut impl FnMut(usize, State),
    calls: &mut Calls,
) -> Ending {
    for (made, &choice) in choices.iter().enumerate() {
        let Settled::Waiting(state) = settled else {
            break;
        };
        on_wait(made, state);
        calls.made = made + 1;
        match machine.step(&state, choice, calls) {
            Step::Moved(next) => settled = next,
            Step::Reprompt(next) => settled = Settled::Waiting(next),
            Step::Dropped(kind) => return Ending::Dropped(state.node, kind),
            Step::Ignored | Step::Unavailable => {}
        }
    }
    match settled {
        Settled::Waiting(state) => {
            // Still waiting after the last choice: a place to start from
            // too, with nothing left to choose.
            on_wait(choices.len(), state);
            Ending::Settled(Settled::Waiting(State {
                stack: crate::machine::Stacks::EMPTY,
                ..state
            }))
        }
        other => Ending::Settled(other),
    }
}

/// Re-expresses a finding recorded from a caller's start (`entry_flow`)
/// from the start of the called flow that holds its node. The customer's
/// state inside a call differs from the state of a walk of the called flow
/// alone only in the stack beneath it, so the choices made since the
/// customer last stood where that walk starts (a call into the flow, or
/// the flow's first wait) lead the same way, until the flow returns. The
/// latest such place is taken whose choices, played in the called flow
/// alone, end exactly as the finding did; `None` when there is none (the
/// finding needs what happens after the return). A call counts even when
/// no wait follows it in the flow: a dead end met straight after the call
/// is the flow's own, met from its start with no input.
fn rebase_into_own_flow(graph: &Graph, set: &MenuSet, raw: &RawFinding) -> Option<Rebased> {
    // `too-deep` counts the menus heard on the way, the caller's among
    // them: the way through the caller is the finding.
    if raw.code == Code::TooDeep {
        return None;
    }
    let entry = raw.entry_flow? as usize;
    let own = graph.nodes[raw.node as usize].flow as usize;
    if entry == own || !graph.flows[own].called || graph.flows[own].start == NONE {
        return None;
    }
    let call_depth = set.settings.limits.call_depth;
    let mut through_caller = Machine::new(
        graph,
        Rules {
            call_depth,
            standalone: graph.flows[entry].called,
        },
    );
    let mut calls = Calls::default();
    let start = through_caller.settle(
        graph.flows[entry].start,
        world_vars(graph, raw.world),
        0,
        NONE,
        &mut calls,
    );
    let mut waited = Vec::new();
    let ending = play(
        &mut through_caller,
        start,
        &raw.choices,
        &mut |made, state| waited.push((made, state)),
        &mut calls,
    );
    let mut alone = Machine::new(
        graph,
        Rules {
            call_depth,
            standalone: true,
        },
    );
    let own_start = graph.flows[own].start;
    // Where the customer stood as the flow's own walk starts: at a call
    // into the flow, with the values at the call, or waiting where the
    // flow's start leads with nothing used up yet. The latest place comes
    // first; a call before the wait it leads to, since its values are
    // the ones the caller brought (the worlds the flow's walk looks in).
    let mut places: Vec<(usize, Place)> = calls
        .entered
        .iter()
        .filter(|&&(_, flow, _)| flow as usize == own)
        .map(|&(made, _, vars)| (made, Place::Called(vars)))
        .chain(
            waited
                .iter()
                .map(|&(made, state)| (made, Place::Waited(state))),
        )
        .collect();
    places.reverse();
    places
        .sort_by_key(|&(made, place)| (std::cmp::Reverse(made), matches!(place, Place::Waited(_))));
    // Where the flow's own walk first waits in each world, worked out only
    // when a state's own values are not the world it started in.
    let mut starts: Option<rustc_hash::FxHashMap<State, usize>> = None;
    for (made, place) in places {
        let (world, settled) = match place {
            Place::Called(vars) => {
                let Some(world) = graph.worlds.iter().position(|&w| w == vars) else {
                    continue;
                };
                (world, alone.settle(own_start, vars, 0, NONE, &mut Quiet))
            }
            Place::Waited(state) => {
                let fresh = state.prev == NONE && state.no_input == 0 && state.no_match == 0;
                if graph.nodes[state.node as usize].flow as usize != own || !fresh {
                    continue;
                }
                let wanted = State {
                    stack: crate::machine::Stacks::EMPTY,
                    ..state
                };
                // Most often nothing between the call and the first wait
                // set a variable, so the state's own values are the world
                // to start in.
                let likely = graph
                    .worlds
                    .iter()
                    .position(|&w| w == state.vars)
                    .filter(|&w| {
                        alone.settle(own_start, graph.worlds[w], 0, NONE, &mut Quiet)
                            == Settled::Waiting(wanted)
                    });
                let world = likely.or_else(|| {
                    let starts = starts.get_or_insert_with(|| {
                        let mut starts = rustc_hash::FxHashMap::default();
                        for (w, &vars) in graph.worlds.iter().enumerate() {
                            if let Settled::Waiting(first) =
                                alone.settle(own_start, vars, 0, NONE, &mut Quiet)
                            {
                                starts.entry(first).or_insert(w);
                            }
                        }
                        starts
                    });
                    starts.get(&wanted).copied()
                });
                let Some(world) = world else {
                    continue;
                };
                (world, Settled::Waiting(wanted))
            }
        };
        let choices = &raw.choices[made..];
        if play(
            &mut alone,
            settled,
            choices,
            &mut |_, _| {},
            &mut Calls::default(),
        ) == ending
        {
            return Some(Rebased {
                world: world as u32,
                choices: choices.to_vec(),
            });
        }
    }
    None
}

/// A place in a customer's way where a walk of a called flow alone starts.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// A call into the flow, with the variables at the call.
    Called(u64),
    /// Waiting, with nothing used up, where the flow's start leads.
    Waited(State),
}

/// What the walk reached, flow by flow.
fn coverage(graph: &Graph, summary: &WalkSummary) -> Vec<FlowReach> {
    flow_reaches(graph, &summary.coverage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    /// An input that changes nothing (idle on a screen with no handler) is
    /// printed, and the choices after it are printed too, played from where
    /// the customer stayed: the fuzzer goes on after it, and so does
    /// `replay`. Stopping at it printed a repro that ended elsewhere.
    #[test]
    fn choices_after_an_ignored_input_are_printed_too() {
        let text = "flow: screens\nchannel: app\nstart: home\nnodes:\n  home:\n    menu: Home\n    options:\n      - { label: Water, goto: water }\n  water:\n    menu: Water\n    options:\n      - { label: Test, goto: lab }\n  lab:\n    opaque: Lab booking (not modelled)\n";
        let set = crate::loader::load_text("screens.yaml", text).unwrap();
        let graph = crate::graph::compile(&set, Channel::App).unwrap();
        let lab = (0..graph.nodes.len() as NodeIx)
            .find(|&n| graph.node_id(n) == "lab")
            .unwrap();
        let option = |label: &str| {
            (0..graph.options.len() as u32)
                .find(|&o| graph.model_option(o).label.as_ref().unwrap().value == label)
                .map(Choice::Option)
                .unwrap()
        };
        let choices = vec![option("Water"), Choice::NoInput, option("Test")];
        let raw = RawFinding::new(Code::DeadEnd, lab, 0, 0, choices);
        let finding = to_finding(&graph, &set, &raw, false);
        assert_eq!(finding.inputs, ["click:Water", "wait", "click:Test"]);
        assert_eq!(finding.path.last().map(String::as_str), Some("lab"));
    }
}
