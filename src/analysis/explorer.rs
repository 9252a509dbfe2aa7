//! The exhaustive walk: breadth-first over every reachable state of every
//! flow (node, variable values, retry counters, call stack, back target),
//! recording what goes wrong with the shortest input sequence that shows
//! it. A flow nobody calls is walked from every starting world; a called
//! flow only from the worlds its callers' walks enter it in. The walks of
//! one flow in one world are independent, and run on every core; what
//! they find is taken in in the order of flows and worlds (`walk_phase`),
//! so the result does not depend on the number of threads.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use hashbrown::hash_table::{self, HashTable};
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use crate::analysis::menu_rules::{MenuRules, MenuVerdicts};
use crate::analysis::raw::{Findings, RawFinding, Recorder, WalkFindings};
use crate::analysis::stale::{StaleRead, StaleReads};
use crate::analysis::unset::UnsetReads;
use crate::coverage::Reached;
use crate::finding::Code;
use crate::graph::{Graph, Kind, NodeIx, NONE};
use crate::machine::{
    Choice, DeadEndReason, InputKind, Machine, Observer, Rules, Settled, State, Step,
};
use crate::model::{NodeKind, Settings};

/// What the walk learnt besides findings.
#[derive(Debug, Default)]
pub(crate) struct WalkSummary {
    /// Per graph node: entered in some state of some world.
    /// What the walk reached: nodes, options and handlers.
    pub coverage: crate::coverage::CoverageMap,
    pub states: usize,
    /// The choices tried at the states visited, a state's retry-blind
    /// choices taken over from its twin included: the walk's work in the
    /// unit of a step, which `benches/explorer.rs` prints as context.
    pub choices: usize,
    /// Set when the state budget stopped the walk early.
    pub budget_hit: bool,
    pub call_depth_hit: bool,
    /// Per intent, per world: some terminal serving it is reached from the
    /// start of a flow nobody calls (where customers begin).
    pub served: Vec<Vec<bool>>,
    /// The number of worlds walked (every combination of variable values).
    pub worlds: usize,
    /// Per flow, per world: the flow was walked from its start in that
    /// world. Every world for a flow nobody calls; for a called flow, the
    /// worlds its callers enter it in.
    pub walked: Vec<Vec<bool>>,
}

/// One world's state graph in compressed form.
#[derive(Default)]
struct StateGraph {
    states: Vec<State>,
    /// Per node, the first state found there in this world (when its
    /// `epoch` is this world's) and its id. A customer mostly waits at a
    /// node in one state per world, and an array as long as the graph has
    /// nodes is looked up in far fewer cache misses than a table of every
    /// state: only the other states at a node go to `index`.
    first_at: Vec<FirstAt>,
    /// Which world's walk `first_at` entries belong to: clearing the graph
    /// for the next world moves it on instead of wiping the array.
    epoch: u32,
    /// The ids of every state that is not the first found at its node,
    /// hashed by the state they stand for in `states`. A table of the
    /// states themselves would hold each state twice, and at 24 bytes and
    /// an id a slot it was the largest of a walker's tables: two walkers
    /// alive at once put lint's peak memory over its aim.
    index: HashTable<u32>,
    /// The outcomes of the retry-blind choices of the first state at each
    /// node, see [`FirstAt::outcomes_start`].
    outcomes: Vec<Outcome>,
    /// Per node, the `epoch` in which a step last ended at it as a
    /// terminal, and those terminals in this world: a terminal is met on
    /// many steps, and what it serves is looked up once.
    terminal_epoch: Vec<u32>,
    terminals: Vec<NodeIx>,
    /// Per menu without guards, the `epoch` in which it was last checked
    /// by the menu rules.
    checked_epoch: Vec<u32>,
    parent: Vec<(u32, Choice)>,
    menus: Vec<u16>,
    edge_start: Vec<u32>,
    edges: Vec<u32>,
    /// A terminal, a return to a caller, a dropped call, or the unknown
    /// beyond the budget is reachable in one step.
    exits: Vec<bool>,
    /// The state waits at a menu none of whose options is enabled: a dead
    /// end of its own, whatever "back" still allows.
    stranded: Vec<bool>,
}

/// The first state found at one node, see [`StateGraph::first_at`]. The
/// state itself is read from [`StateGraph::states`] by its id: a copy here
/// would make the array, one entry per node of the graph in every walker,
/// two and a half times as large.
#[derive(Clone, Copy)]
struct FirstAt {
    id: u32,
    epoch: u32,
    /// Once the state is expanded, where the outcomes of its choices that
    /// do not depend on the retry counters start and end in
    /// [`StateGraph::outcomes`]; `NONE` before.
    outcomes_start: u32,
    outcomes_end: u32,
}

/// What a choice that does not read the retry counters (an option, back,
/// a valid answer, a branch) did at a state, so that the same choice at a
/// state that differs from it only in its counters adds the same edges
/// without stepping again: those states are most of a phone walk's, one
/// for each count of silences and wrong keys at each menu.
#[derive(Clone, Copy)]
enum Outcome {
    /// The step went nowhere the state graph notes (not available, or a
    /// dead end whose finding the first state's step recorded).
    Nothing,
    /// The step ended the session or left the flow: the state can exit.
    Exit,
    /// The step reached a waiting state; `busy` when it went from one
    /// back-end step to another with nothing heard.
    Edge { target: u32, busy: bool },
}

/// Whether a choice's step is the same at every count of retries: only
/// the handlers of silence and of a wrong or invalid answer count them.
fn ignores_retries(choice: Choice) -> bool {
    !matches!(choice, Choice::NoInput | Choice::NoMatch | Choice::Invalid)
}

impl StateGraph {
    /// Empties the graph for the walk of a world of `graph`.
    fn clear(&mut self, graph: &Graph) {
        if self.first_at.len() != graph.nodes.len() || self.epoch == u32::MAX {
            let empty = FirstAt {
                id: NONE,
                epoch: 0,
                outcomes_start: NONE,
                outcomes_end: NONE,
            };
            self.first_at.clear();
            self.first_at.resize(graph.nodes.len(), empty);
            self.terminal_epoch.clear();
            self.terminal_epoch.resize(graph.nodes.len(), 0);
            self.checked_epoch.clear();
            self.checked_epoch.resize(graph.nodes.len(), 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.terminals.clear();
        self.states.clear();
        self.index.clear();
        self.outcomes.clear();
        self.parent.clear();
        self.menus.clear();
        self.edge_start.clear();
        self.edges.clear();
        self.exits.clear();
        self.stranded.clear();
    }

    fn add(&mut self, state: State, parent: u32, choice: Choice, menus: u16) -> (u32, bool) {
        let id = self.states.len() as u32;
        let first = &mut self.first_at[state.node as usize];
        if first.epoch != self.epoch {
            *first = FirstAt {
                id,
                epoch: self.epoch,
                outcomes_start: NONE,
                outcomes_end: NONE,
            };
        } else if self.states[first.id as usize] == state {
            return (first.id, false);
        } else {
            // One hash and one probe for a state met before and for a new
            // one; a slot's tag rules out most other states before their
            // entry in `states` is read.
            let states = &self.states;
            match self.index.entry(
                FxBuildHasher.hash_one(state),
                |&known| states[known as usize] == state,
                |&known| FxBuildHasher.hash_one(states[known as usize]),
            ) {
                hash_table::Entry::Occupied(known) => return (*known.get(), false),
                hash_table::Entry::Vacant(slot) => {
                    slot.insert(id);
                }
            }
        }
        self.states.push(state);
        self.parent.push((parent, choice));
        self.menus.push(menus);
        self.exits.push(false);
        self.stranded.push(false);
        (id, true)
    }

    /// Where the outcomes of the retry-blind choices of an expanded state
    /// that differs from state `id` only in its retry counters lie in
    /// [`StateGraph::outcomes`], if there is one: the first state found at
    /// the node, which has the lowest id there and so was expanded first.
    fn expanded_twin(&self, id: u32, state: &State) -> Option<std::ops::Range<usize>> {
        let first = &self.first_at[state.node as usize];
        let twin = first.epoch == self.epoch && first.id != id && first.outcomes_start != NONE && {
            let first = &self.states[first.id as usize];
            first.stack == state.stack && first.prev == state.prev && first.vars == state.vars
        };
        twin.then_some(first.outcomes_start as usize..first.outcomes_end as usize)
    }

    /// Whether state `id` is the first found at `node` in this world.
    fn is_first_at(&self, id: u32, node: NodeIx) -> bool {
        let first = &self.first_at[node as usize];
        first.epoch == self.epoch && first.id == id
    }

    /// Notes that state `id`, when it is the first found at its node, has
    /// been expanded, its retry-blind choices' outcomes stored from `start`.
    fn expanded(&mut self, id: u32, node: NodeIx, start: usize) {
        if self.is_first_at(id, node) {
            let end = self.outcomes.len() as u32;
            let first = &mut self.first_at[node as usize];
            first.outcomes_start = start as u32;
            first.outcomes_end = end;
        }
    }

    /// Whether this is the first time in this world that the menu `node`,
    /// which has no guards, is checked.
    fn first_unguarded_check(&mut self, node: NodeIx) -> bool {
        let epoch = &mut self.checked_epoch[node as usize];
        let first = *epoch != self.epoch;
        *epoch = self.epoch;
        first
    }

    /// Notes that a step ended at the terminal `node`.
    fn reach_terminal(&mut self, node: NodeIx) {
        let epoch = &mut self.terminal_epoch[node as usize];
        if *epoch != self.epoch {
            *epoch = self.epoch;
            self.terminals.push(node);
        }
    }

    /// The choices from the world's start to state `id`.
    fn choices(&self, mut id: u32) -> Vec<Choice> {
        let mut out = Vec::new();
        while self.parent[id as usize].0 != NONE {
            let (parent, choice) = self.parent[id as usize];
            out.push(choice);
            id = parent;
        }
        out.reverse();
        out
    }

    fn successors(&self, id: usize) -> &[u32] {
        let start = self.edge_start[id] as usize;
        let end = self
            .edge_start
            .get(id + 1)
            .map_or(self.edges.len(), |&e| e as usize);
        &self.edges[start..end]
    }
}

/// Every value combination of the graph's variables, world 0 being every
/// variable at its first value.
pub fn worlds(graph: &Graph) -> Vec<u64> {
    graph.worlds.clone()
}

pub(crate) fn explore(graph: &Graph, settings: &Settings, recorder: &mut Recorder) -> WalkSummary {
    let mut summary = WalkSummary {
        coverage: crate::coverage::CoverageMap::new(graph),
        ..WalkSummary::default()
    };
    let worlds = worlds(graph);
    summary.worlds = worlds.len();
    summary.served = vec![vec![false; worlds.len()]; graph.intents.len()];
    let every_world = vec![true; worlds.len()];
    let context = WalkContext {
        graph,
        settings,
        unset: UnsetReads::new(graph),
        stale: StaleReads::new(graph),
        verdicts: MenuVerdicts::judge(graph, settings, &worlds),
    };
    let mut entries = CallEntries::new(graph);
    let walkers = Walkers::default();
    // Customers begin at the flows nobody calls, in any world: those are
    // walked first, and their walks, which follow every call (nested ones
    // too), note the worlds each called flow is entered in.
    let (called, starts): (Vec<usize>, Vec<usize>) =
        (0..graph.flows.len()).partition(|&flow| graph.flows[flow].called);
    let starts: Vec<(usize, Vec<bool>)> = starts
        .into_iter()
        .map(|flow| (flow, every_world.clone()))
        .collect();
    walk_phase(
        &context,
        &walkers,
        &starts,
        recorder,
        &mut entries,
        &mut summary,
    );
    // A called flow is then walked from its own start only in the worlds
    // its callers enter it in: the values at the call, after whatever the
    // caller set. Another world would invent customers no caller brings,
    // and report what only they could meet. A called flow that no walk
    // from a customer's start enters (its callers cannot be reached) is
    // walked in every world, so that its own mistakes are still reported.
    let called: Vec<(usize, Vec<bool>)> = called
        .into_iter()
        .map(|flow| {
            let entered = &entries.entered[flow];
            let walked = if entered.contains(&true) {
                entered.clone()
            } else {
                every_world.clone()
            };
            (flow, walked)
        })
        .collect();
    summary.walked = vec![every_world.clone(); graph.flows.len()];
    walk_phase(
        &context,
        &walkers,
        &called,
        recorder,
        &mut entries,
        &mut summary,
    );
    for (flow, walked) in called {
        summary.walked[flow] = walked;
    }
    // The rules about a menu as written need no walk: they judge every menu
    // the walk did not reach too, under every world's values. (Where the
    // budget stopped the walk, a menu it did not reach may be reachable;
    // what is wrong with it as written is wrong all the same.)
    let mut lent = walkers.lend(&context);
    let rules = &mut lent.walker().rules;
    for node in 0..graph.nodes.len() as NodeIx {
        let is_menu = matches!(graph.nodes[node as usize].kind, Kind::Menu { .. });
        if !is_menu || summary.coverage.nodes[node as usize] {
            continue;
        }
        recorder.begin_flow(&every_world);
        for (w, &world) in worlds.iter().enumerate() {
            rules.check_unreached(&context.verdicts, node, world, w as u32, recorder);
        }
    }
    summary
}

/// What every walk reads and none changes.
struct WalkContext<'g, 'a> {
    graph: &'g Graph<'a>,
    settings: &'g Settings,
    /// The reads of free names, for `unset-variable`.
    unset: UnsetReads,
    /// The switches that may decide on an earlier answer, for
    /// `stale-input`.
    stale: StaleReads,
    /// The menu rules' verdicts on every menu with every set of options
    /// some world enables, worked out once before any walk.
    verdicts: MenuVerdicts,
}

/// Walks each flow of one phase (the flows where customers begin, then the
/// called flows) in each world marked for it, the (flow, world) walks in
/// parallel, and takes in their results in the order one walk after
/// another would give them: flow by flow, world by world. The results are
/// then exactly those of that order, whatever the number of threads.
///
/// The state budget is counted over every walk in that order, so a walk's
/// share depends on the walks before it. Each walk runs with what was left
/// when the phase began; taking walks in, a walk that was cut short, or
/// that went past what is left by the time its turn comes, is walked again
/// with exactly what is left (and is the last: the budget is spent). So
/// that a phase far over the budget does not walk every flow to the
/// budget, the walks of a phase stop together once they have visited more
/// states between them than it had left: the budget is spent within the
/// phase then, and the walks that are still needed are walked again.
fn walk_phase<'g, 'a>(
    context: &WalkContext<'g, 'a>,
    walkers: &Walkers<'g, 'a>,
    flows: &[(usize, Vec<bool>)],
    recorder: &mut Recorder,
    entries: &mut CallEntries,
    summary: &mut WalkSummary,
) {
    let limit = context.settings.limits.states;
    let left = limit.saturating_sub(summary.states);
    let walks: Vec<(usize, u32)> = if left == 0 {
        Vec::new()
    } else {
        flows
            .iter()
            .flat_map(|(flow, walked)| {
                (0..walked.len() as u32)
                    .filter(|&w| walked[w as usize])
                    .map(|w| (*flow, w))
            })
            .collect()
    };
    let spent = AtomicUsize::new(0);
    let shared = StateBudget {
        limit: left,
        phase: Some((&spent, left)),
    };
    // Each thread takes runs of walks that follow each other, so that the
    // worlds of one flow mostly fall to one walker, which then has the
    // flow's states and tables in its buffers already; a few runs per
    // thread even out walks of different sizes.
    let run = walks
        .len()
        .div_ceil(rayon::current_num_threads() * RUNS_PER_THREAD)
        .max(1);
    let outcomes: Vec<Vec<WalkOutcome>> = walks
        .par_chunks(run)
        .map(|run| {
            let mut lent = walkers.lend(context);
            run.iter()
                .map(|&(flow, world)| lent.walker().walk(context, flow, world, &shared))
                .collect()
        })
        .collect();
    let mut outcomes = outcomes.into_iter().flatten();
    let mut again = walkers.lend(context);
    for (flow, walked) in flows {
        recorder.begin_flow(walked);
        for world in (0..walked.len() as u32).filter(|&w| walked[w as usize]) {
            if summary.states >= limit {
                summary.budget_hit = true;
                break;
            }
            let exact = limit - summary.states;
            let outcome = match outcomes.next() {
                Some(outcome) if outcome.holds_with(exact) => outcome,
                _ => again.walker().walk(
                    context,
                    *flow,
                    world,
                    &StateBudget {
                        limit: exact,
                        phase: None,
                    },
                ),
            };
            outcome.take_into(context.graph, recorder, entries, summary);
        }
    }
}

/// How many states a walk may visit: its own limit, and, for a walk run
/// beside the others of its phase, the states they may all visit together
/// and a count of those they have, past which every walk of the phase
/// stops (see [`walk_phase`]).
struct StateBudget<'p> {
    limit: usize,
    phase: Option<(&'p AtomicUsize, usize)>,
}

/// How many runs of walks each thread of a phase is given (see
/// [`walk_phase`]).
const RUNS_PER_THREAD: usize = 4;

/// How many states a walk visits between telling the phase's count: a
/// shared counter touched at every state would cost more than the state.
const STATES_PER_TALLY: usize = 1024;

/// What one walk found and reached, to be taken into the channel's walk in
/// order.
struct WalkOutcome {
    world: u32,
    findings: WalkFindings,
    coverage: Reached,
    /// The (flow, world) pairs this walk entered a flow with a call in.
    entered: Vec<(u32, u32)>,
    tally: WalkTally,
}

impl WalkOutcome {
    /// Whether this walk is the one the walks in order would have walked
    /// with `exact` states left: it visited all its states within that, or
    /// it was stopped by its own limit and that limit was `exact`.
    fn holds_with(&self, exact: usize) -> bool {
        if self.tally.stopped_with_phase {
            return false;
        }
        if self.tally.budget_hit {
            self.tally.limit == exact
        } else {
            self.tally.states <= exact
        }
    }

    /// Adds this walk's findings, reach and figures to the channel's walk.
    fn take_into(
        self,
        graph: &Graph,
        recorder: &mut Recorder,
        entries: &mut CallEntries,
        summary: &mut WalkSummary,
    ) {
        self.findings.replay_into(recorder);
        summary.coverage.add_reached(&self.coverage, graph);
        for (flow, world) in self.entered {
            entries.entered[flow as usize][world as usize] = true;
        }
        summary.states += self.tally.states;
        summary.choices += self.tally.choices;
        summary.budget_hit |= self.tally.budget_hit;
        summary.call_depth_hit |= self.tally.call_depth_hit;
        for (intent, &served) in self.tally.served.iter().enumerate() {
            if served {
                summary.served[intent][self.world as usize] = true;
            }
        }
    }
}

/// The figures of one walk.
#[derive(Default)]
struct WalkTally {
    /// States visited.
    states: usize,
    /// Choices tried at them (see [`WalkSummary::choices`]).
    choices: usize,
    /// The walk's own limit on them.
    limit: usize,
    /// Some state was left unvisited for the budget.
    budget_hit: bool,
    /// The walk stopped because its phase's walks together went past what
    /// the phase had left: it is not the walk the walks in order give.
    stopped_with_phase: bool,
    call_depth_hit: bool,
    /// Per intent: some terminal serving it was reached (from the start of
    /// a flow nobody calls).
    served: Vec<bool>,
}

impl WalkTally {
    /// Whether the budget leaves no room for another state; notes that a
    /// state went unvisited if so.
    fn spent(&mut self) -> bool {
        let spent = self.states >= self.limit || self.stopped_with_phase;
        self.budget_hit |= spent;
        spent
    }

    /// Counts a state visited, and every so many the phase's count.
    fn visit(&mut self, budget: &StateBudget) {
        self.states += 1;
        if self.states.is_multiple_of(STATES_PER_TALLY) {
            if let Some((spent, left)) = budget.phase {
                let before = spent.fetch_add(STATES_PER_TALLY, Ordering::Relaxed);
                self.stopped_with_phase |= before + STATES_PER_TALLY > left;
            }
        }
    }
}

/// What one thread's walks reuse from walk to walk: the state graph's
/// buffers, the menu rules for menus no walk reached (built on first
/// use), and the maps of what a walk reached, emptied after each walk.
struct Walker<'g, 'a> {
    sg: StateGraph,
    rules: MenuRules<'g, 'a>,
    coverage: crate::coverage::CoverageMap,
    entries: CallEntries,
}

impl<'g, 'a> Walker<'g, 'a> {
    fn new(context: &WalkContext<'g, 'a>) -> Self {
        Walker {
            sg: StateGraph::default(),
            rules: MenuRules::new(context.graph, context.settings),
            coverage: crate::coverage::CoverageMap::new(context.graph),
            entries: CallEntries::new(context.graph),
        }
    }

    /// Walks `flow` from its start in world `world`.
    fn walk(
        &mut self,
        context: &WalkContext<'g, 'a>,
        flow: usize,
        world: u32,
        budget: &StateBudget,
    ) -> WalkOutcome {
        let graph = context.graph;
        let mut machine = Machine::new(
            graph,
            Rules {
                call_depth: context.settings.limits.call_depth,
                standalone: graph.flows[flow].called,
            },
        );
        let mut findings = WalkFindings::default();
        let mut tally = WalkTally {
            limit: budget.limit,
            served: vec![false; graph.intents.len()],
            ..WalkTally::default()
        };
        self.sg.clear(graph);
        walk_world(
            &mut machine,
            &mut self.sg,
            flow,
            world,
            graph.worlds[world as usize],
            context,
            budget,
            &mut findings,
            &mut self.rules,
            &mut Reach {
                coverage: &mut self.coverage,
                entries: &mut self.entries,
            },
            &mut tally,
        );
        find_traps(graph, &self.sg, flow, world, &mut findings);
        WalkOutcome {
            world,
            findings,
            coverage: self.coverage.take_reached(),
            entered: self.entries.take_changes(),
            tally,
        }
    }
}

/// The walkers of one channel's walk not in use, so that the walks of
/// both phases on any thread reuse a few walkers, one per thread at most
/// at a time, instead of building one (its state graph sized for the
/// whole graph) for each share of the walks a thread takes.
#[derive(Default)]
struct Walkers<'g, 'a> {
    idle: Mutex<Vec<Walker<'g, 'a>>>,
}

impl<'g, 'a> Walkers<'g, 'a> {
    /// A walker not in use, or a new one: it comes back when the loan
    /// ends.
    fn lend<'p>(&'p self, context: &'p WalkContext<'g, 'a>) -> Lent<'p, 'g, 'a> {
        Lent {
            walker: self.idle.lock().ok().and_then(|mut idle| idle.pop()),
            walkers: self,
            context,
        }
    }
}

/// A walker on loan from [`Walkers`].
struct Lent<'p, 'g, 'a> {
    /// `None` until the walker is first needed (and no idle one was
    /// found), and once the loan has ended.
    walker: Option<Walker<'g, 'a>>,
    walkers: &'p Walkers<'g, 'a>,
    context: &'p WalkContext<'g, 'a>,
}

impl<'g, 'a> Lent<'_, 'g, 'a> {
    fn walker(&mut self) -> &mut Walker<'g, 'a> {
        let context = self.context;
        self.walker.get_or_insert_with(|| Walker::new(context))
    }
}

impl Drop for Lent<'_, '_, '_> {
    fn drop(&mut self) {
        if let (Some(walker), Ok(mut idle)) = (self.walker.take(), self.walkers.idle.lock()) {
            idle.push(walker);
        }
    }
}

/// The maps a walk marks what it reaches in.
struct Reach<'w> {
    coverage: &'w mut crate::coverage::CoverageMap,
    entries: &'w mut CallEntries,
}

/// Per flow, per world: some walk entered the flow through a `call` with
/// that world's variable values.
struct CallEntries {
    world_of: FxHashMap<u64, u32>,
    entered: Vec<Vec<bool>>,
    /// The (flow, world) pairs entered since the last walk took them, so
    /// that a thread's map is emptied in time proportional to them.
    changed: Vec<(u32, u32)>,
}

impl CallEntries {
    fn new(graph: &Graph) -> Self {
        CallEntries {
            world_of: (0..)
                .zip(&graph.worlds)
                .map(|(index, &vars)| (vars, index))
                .collect(),
            entered: vec![vec![false; graph.worlds.len()]; graph.flows.len()],
            changed: Vec::new(),
        }
    }

    /// Takes the (flow, world) pairs entered since the last time, and
    /// leaves the map empty for the next walk.
    fn take_changes(&mut self) -> Vec<(u32, u32)> {
        for &(flow, world) in &self.changed {
            self.entered[flow as usize][world as usize] = false;
        }
        std::mem::take(&mut self.changed)
    }
}

/// What the walk tells the machine to watch: the nodes it reaches, for
/// coverage, and the values each call enters a flow with.
struct Watch<'w> {
    coverage: &'w mut crate::coverage::CoverageMap,
    entries: &'w mut CallEntries,
    /// The nodes one step passes through, in order: whether the caller
    /// heard anything on the way (`silent-failure`, `busy-loop`).
    trail: &'w mut Vec<NodeIx>,
    /// The terminal the step ended at and the values the caller had
    /// there, for a transfer's opening hours (`closed-transfer`).
    arrived: &'w mut Option<(NodeIx, u64)>,
}

impl Observer for Watch<'_> {
    fn enter(&mut self, node: NodeIx) {
        self.coverage.enter(node);
        self.trail.push(node);
    }

    fn arrive(&mut self, node: NodeIx, vars: u64) {
        *self.arrived = Some((node, vars));
    }

    fn call(&mut self, flow: u32, vars: u64) {
        // Every packed value a walk can hold is one of the worlds: the
        // worlds are every combination of every variable's values.
        if let Some(&world) = self.entries.world_of.get(&vars) {
            let entered = &mut self.entries.entered[flow as usize][world as usize];
            if !*entered {
                *entered = true;
                self.entries.changed.push((flow, world));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_world(
    machine: &mut Machine,
    sg: &mut StateGraph,
    flow: usize,
    world_index: u32,
    world: u64,
    context: &WalkContext,
    budget: &StateBudget,
    recorder: &mut WalkFindings,
    rules: &mut MenuRules,
    reach: &mut Reach,
    tally: &mut WalkTally,
) {
    let WalkContext {
        settings,
        unset,
        stale,
        ..
    } = context;
    let graph = machine.graph;
    let own = |node: NodeIx| graph.nodes[node as usize].flow as usize == flow;
    let top_level = !graph.flows[flow].called;
    let start = graph.flows[flow].start;
    let mut trail: Vec<NodeIx> = Vec::with_capacity(16);
    let mut arrived = None;
    let first = machine.settle(
        start,
        world,
        0,
        NONE,
        &mut Watch {
            coverage: reach.coverage,
            entries: reach.entries,
            trail: &mut trail,
            arrived: &mut arrived,
        },
    );
    let initial = match first {
        Settled::Waiting(state) => state,
        Settled::Terminal(node) => {
            if let Some((at, vars)) = arrived.filter(|_| own(node)) {
                check_open_hours(graph, at, vars, world_index, Vec::new, recorder);
            }
            for intent in 0..graph.intents.len() {
                if top_level && graph.node_serves(node, intent) {
                    tally.served[intent] = true;
                }
            }
            return;
        }
        other => {
            // Nothing asked the recorder first: a walk that ends before its
            // first wait meets this once.
            if let Some(raw) =
                settled_finding(graph, &own, flow as u32, other, world_index, Vec::new())
            {
                recorder.record_unasked(raw);
            }
            return;
        }
    };
    let is_menu = |node: NodeIx| matches!(graph.nodes[node as usize].kind, Kind::Menu { .. });
    sg.add(
        initial,
        NONE,
        Choice::NoInput,
        u16::from(is_menu(initial.node)),
    );
    // Per menu of this flow: fewest menus heard up to and including it, and
    // the state that shows it.
    let mut depth_at_menu: FxHashMap<NodeIx, (u16, u32)> = FxHashMap::default();
    let mut menus_checked: FxHashSet<(NodeIx, u64)> = FxHashSet::default();
    let mut choices: Vec<Choice> = Vec::with_capacity(16);
    let mut offered: Vec<u32> = Vec::with_capacity(16);
    // Steps from one back-end step to another with nothing heard between:
    // a cycle of them is a `busy-loop`.
    let mut busy_edges: Vec<(u32, u32)> = Vec::new();

    let mut next = 0usize;
    while next < sg.states.len() {
        let id = next as u32;
        next += 1;
        sg.edge_start.push(sg.edges.len() as u32);
        if tally.spent() {
            // Unexpanded states may well reach an end: never call them trapped.
            sg.exits[id as usize] = true;
            continue;
        }
        tally.visit(budget);
        let state = sg.states[id as usize];
        let kind = &graph.nodes[state.node as usize].kind;

        // A state that differs from one already expanded only in its retry
        // counters takes the same edges for every choice that does not
        // count retries: stepping it again would reach the same states and
        // could record nothing new (each finding such a step can show was
        // recorded for this world by the first one).
        let mut twin = sg.expanded_twin(id, &state);
        choices.clear();
        match kind {
            // At a twin, the menu offers what it offered the first state,
            // whose outcomes hold one entry per option and one for back:
            // the options need not be worked out again, only counted, as
            // their steps are taken over, never taken. The first state was
            // checked by the rules, and is stranded exactly when this one is.
            Kind::Menu { .. } if twin.is_some() => {
                let first = sg.first_at[state.node as usize].id;
                sg.stranded[id as usize] = sg.stranded[first as usize];
                let options = twin.as_ref().map_or(0, |outcomes| outcomes.len() - 1);
                choices.extend((0..options).map(|_| Choice::Option(NONE)));
                if !graph.is_visual() {
                    choices.push(Choice::NoMatch);
                }
                choices.push(Choice::NoInput);
                choices.push(Choice::Back);
            }
            Kind::Menu { guard_mask, .. } => {
                let any_enabled = machine.offered(&state, &mut offered);
                let guarded_off = machine.guarded_off_given(&state, any_enabled);
                sg.stranded[id as usize] = guarded_off;
                choices.extend(offered.iter().map(|&i| Choice::Option(i)));
                // A menu without guards is the same menu under every
                // value: it is checked once per world, which an array
                // says without hashing.
                let first_check = if *guard_mask == 0 {
                    sg.first_unguarded_check(state.node)
                } else {
                    menus_checked.insert((state.node, state.vars & guard_mask))
                };
                if own(state.node) && first_check {
                    if guarded_off
                        && recorder.wants(
                            Code::DeadEnd,
                            state.node,
                            DeadEndReason::NoOptions as u32,
                            world_index,
                        )
                    {
                        recorder.record(
                            RawFinding::new(
                                Code::DeadEnd,
                                state.node,
                                DeadEndReason::NoOptions as u32,
                                world_index,
                                sg.choices(id),
                            )
                            .message(format!(
                                "`{}` is a dead end: {}",
                                graph.node_id(state.node),
                                DeadEndReason::NoOptions.explain()
                            ))
                            .guards(*guard_mask, state.vars),
                        );
                    }
                    rules.check(
                        &context.verdicts,
                        state.node,
                        state.vars,
                        world_index,
                        || sg.choices(id),
                        recorder,
                    );
                }
                if !graph.is_visual() {
                    choices.push(Choice::NoMatch);
                }
                choices.push(Choice::NoInput);
                choices.push(Choice::Back);
            }
            Kind::Ask {
                has_valid_answer,
                has_invalid_answer,
                ..
            } => {
                if *has_valid_answer {
                    choices.push(Choice::Valid);
                }
                if *has_invalid_answer {
                    choices.push(Choice::Invalid);
                }
                choices.push(Choice::NoInput);
                choices.push(Choice::Back);
            }
            // Every outcome of an opaque step may happen.
            Kind::Opaque { branches } => {
                if own(state.node) {
                    check_unset_reads(graph, sg, unset, id, top_level, world_index, recorder);
                }
                choices.extend((0..branches.end - branches.start).map(Choice::Branch))
            }
            _ => {}
        }

        // The stale switches an answer here may lead to: looked up once per
        // state, not per choice.
        let stale_reads = stale.from.get(&state.node);
        tally.choices += choices.len();
        let keeps_outcomes = twin.is_none() && sg.is_first_at(id, state.node);
        let outcomes_start = sg.outcomes.len();
        for &choice in &choices {
            let blind = ignores_retries(choice);
            if let (true, Some(outcomes)) = (blind, twin.as_mut()) {
                match outcomes.next().map(|at| sg.outcomes[at]) {
                    Some(Outcome::Edge { target, busy }) => {
                        sg.edges.push(target);
                        if busy {
                            busy_edges.push((id, target));
                        }
                    }
                    Some(Outcome::Exit) => sg.exits[id as usize] = true,
                    Some(Outcome::Nothing) | None => {}
                }
                continue;
            }
            let mut outcome = Outcome::Nothing;
            trail.clear();
            arrived = None;
            let step = machine.step(
                &state,
                choice,
                &mut Watch {
                    coverage: reach.coverage,
                    entries: reach.entries,
                    trail: &mut trail,
                    arrived: &mut arrived,
                },
            );
            reach.coverage.record(&state, choice, &step);
            if let (Some(reads), Choice::Option(_) | Choice::Valid) = (stale_reads, choice) {
                check_stale_reads(
                    graph,
                    reads,
                    state.node,
                    &trail,
                    &own,
                    world_index,
                    recorder,
                    || {
                        let mut path = sg.choices(id);
                        path.push(choice);
                        path
                    },
                );
            }
            match step {
                Step::Unavailable | Step::Ignored => {}
                Step::Reprompt(next_state) => {
                    let menus = sg.menus[id as usize];
                    let (target, _) = sg.add(next_state, id, choice, menus);
                    sg.edges.push(target);
                    outcome = Outcome::Edge {
                        target,
                        busy: false,
                    };
                }
                Step::Dropped(input) => {
                    sg.exits[id as usize] = true;
                    outcome = Outcome::Exit;
                    if own(state.node)
                        && recorder.wants(
                            Code::UnhandledInput,
                            state.node,
                            input as u32,
                            world_index,
                        )
                    {
                        let mut path = sg.choices(id);
                        path.push(choice);
                        let node_id = graph.node_id(state.node);
                        recorder.record(
                            RawFinding::new(Code::UnhandledInput, state.node, input as u32, world_index, path)
                                .message(format!(
                                    "{} at `{node_id}` has no `{}` handler: the platform drops the call",
                                    capitalize(input.describe()),
                                    input.handler_name()
                                ))
                                .guards(guard_mask_of(kind), state.vars),
                        );
                    }
                }
                Step::Moved(Settled::Waiting(next_state)) => {
                    let is_handler =
                        matches!(choice, Choice::NoInput | Choice::NoMatch | Choice::Invalid);
                    let input = match choice {
                        Choice::NoInput => InputKind::Silence,
                        Choice::NoMatch => InputKind::NoMatch,
                        _ => InputKind::Invalid,
                    };
                    // Back at the input itself, or at the step in front of
                    // it that is part of the same block (`before:`), whose
                    // branch into the input is then taken.
                    let back = if next_state.node == state.node {
                        Some(None)
                    } else {
                        branch_into(graph, next_state.node, state.node).map(Some)
                    };
                    if is_handler
                        && next_state.stack == state.stack
                        && own(state.node)
                        && back.is_some()
                        && recorder.wants(Code::EndlessRetry, state.node, input as u32, world_index)
                    {
                        let mut path = sg.choices(id);
                        path.push(choice);
                        let through = match back.flatten() {
                            Some(branch) => {
                                path.push(Choice::Branch(branch));
                                format!(
                                    " (through `{}`, the step in front of it)",
                                    graph.node_id(next_state.node)
                                )
                            }
                            None => String::new(),
                        };
                        recorder.record(
                            RawFinding::new(Code::EndlessRetry, state.node, input as u32, world_index, path).message(format!(
                                "the `{}` handler of `{}` leads back to `{}` itself{through}, so {} is re-prompted with no limit",
                                input.handler_name(),
                                graph.node_id(state.node),
                                graph.node_id(state.node),
                                input.describe()
                            )),
                        );
                    }
                    let entered_menu = is_menu(next_state.node) && next_state.node != state.node;
                    let menus = sg.menus[id as usize].saturating_add(u16::from(entered_menu));
                    let (target, new) = sg.add(next_state, id, choice, menus);
                    sg.edges.push(target);
                    let busy = is_backend(graph, state.node)
                        && is_backend(graph, next_state.node)
                        && says_nothing(graph, &trail, next_state.node);
                    if busy {
                        busy_edges.push((id, target));
                    }
                    outcome = Outcome::Edge { target, busy };
                    if new && entered_menu && top_level {
                        let entry = depth_at_menu
                            .entry(next_state.node)
                            .or_insert((menus, target));
                        if menus < entry.0 {
                            *entry = (menus, target);
                        }
                    }
                }
                Step::Moved(Settled::Terminal(node)) => {
                    sg.exits[id as usize] = true;
                    outcome = Outcome::Exit;
                    if top_level {
                        sg.reach_terminal(node);
                    }
                    if let Some((at, vars)) = arrived.filter(|_| own(node)) {
                        let path = || {
                            let mut path = sg.choices(id);
                            path.push(choice);
                            path
                        };
                        check_open_hours(graph, at, vars, world_index, path, recorder);
                    }
                    // The cheap tests first: most steps end at no silent
                    // hang-up, and then what failed need not be put in words.
                    let silent = own(state.node)
                        && hangs_up_silently(graph, node)
                        && says_nothing(graph, &trail, node);
                    if let Some(failure) = silent
                        .then(|| failure_of(graph, state.node, choice))
                        .flatten()
                    {
                        let detail = failure_detail(choice);
                        if !ends_as_silently_otherwise(graph, state.node)
                            && recorder.wants(Code::SilentFailure, state.node, detail, world_index)
                        {
                            let mut path = sg.choices(id);
                            path.push(choice);
                            recorder.record(
                                RawFinding::new(Code::SilentFailure, state.node, detail, world_index, path)
                                    .message(format!(
                                        "when {failure} at `{}`, the call ends at `{}` without a word to the caller",
                                        graph.node_id(state.node),
                                        graph.node_id(node)
                                    ))
                                    .guards(guard_mask_of(kind), state.vars),
                            );
                        }
                    }
                }
                Step::Moved(Settled::Returned(_)) => {
                    sg.exits[id as usize] = true;
                    outcome = Outcome::Exit;
                }
                Step::Moved(Settled::CallTooDeep(_)) => {
                    sg.exits[id as usize] = true;
                    outcome = Outcome::Exit;
                    tally.call_depth_hit = true;
                }
                Step::Moved(other) => {
                    let found = match other {
                        Settled::DeadEnd(node, reason) => {
                            Some((Code::DeadEnd, node, reason as u32))
                        }
                        Settled::SilentLoop(node) => Some((Code::Trap, node, u32::MAX)),
                        _ => None,
                    };
                    if found.is_some_and(|(code, node, detail)| {
                        recorder.wants(code, node, detail, world_index)
                    }) {
                        let mut path = sg.choices(id);
                        path.push(choice);
                        if let Some(raw) =
                            settled_finding(graph, &own, flow as u32, other, world_index, path)
                        {
                            recorder.record(raw);
                        }
                    }
                }
            }
            if blind && keeps_outcomes {
                sg.outcomes.push(outcome);
            }
        }
        if keeps_outcomes {
            sg.expanded(id, state.node, outcomes_start);
        }
    }

    find_busy_loops(graph, sg, &busy_edges, &own, world_index, recorder);

    for &node in &sg.terminals {
        for intent in 0..graph.intents.len() {
            if graph.node_serves(node, intent) {
                tally.served[intent] = true;
            }
        }
    }

    // Only the menus that cross the limit are reported, not every menu
    // below them: one finding per branch that is too deep.
    let limit = settings.limits.depth;
    let mut menus: Vec<_> = depth_at_menu
        .into_iter()
        .filter(|(_, (depth, _))| *depth as usize == limit + 1)
        .collect();
    menus.sort_by_key(|(node, _)| *node);
    for (node, (depth, id)) in menus {
        let mut raw = RawFinding::new(Code::TooDeep, node, 0, world_index, sg.choices(id)).message(format!(
            "`{}` is menu number {depth} on the way: customers hear more than the {limit} menus the set allows before they are served",
            graph.node_id(node)
        ));
        // Menus of called flows count for the flow that called them.
        if !own(node) {
            raw.entry_flow = Some(flow as u32);
        }
        recorder.record_unasked(raw);
    }
}

/// Whether `node` is an opaque step marked `backend`: a call to a system
/// that says nothing to the caller and takes no input.
fn is_backend(graph: &Graph, node: NodeIx) -> bool {
    // The compiled kind is at hand; the step as written is looked up only
    // for an opaque step.
    matches!(graph.nodes[node as usize].kind, Kind::Opaque { .. })
        && matches!(
            graph.model_node(node).kind,
            NodeKind::Opaque { backend: true, .. }
        )
}

/// The branch of `step` that goes into `input` when `step` is the part in
/// front of that input of one platform block (`before:`), else `None`.
fn branch_into(graph: &Graph, step: NodeIx, input: NodeIx) -> Option<u32> {
    front_of(graph, step)
        .filter(|&(_, node)| node == input)
        .map(|(b, _)| b)
}

/// For an opaque step that is the front part of one platform block
/// (`before: ID`), its branch into the block's own node and that node.
fn front_of(graph: &Graph, step: NodeIx) -> Option<(u32, NodeIx)> {
    // Only an opaque step has a front part; the compiled kind says so
    // without looking up the step as written.
    if !matches!(graph.nodes[step as usize].kind, Kind::Opaque { .. }) {
        return None;
    }
    let NodeKind::Opaque {
        before: Some(before),
        ..
    } = &graph.model_node(step).kind
    else {
        return None;
    };
    let Kind::Opaque { branches } = &graph.nodes[step as usize].kind else {
        return None;
    };
    (branches.start..branches.end)
        .map(|b| graph.branches[b as usize].1)
        .enumerate()
        .find(|&(_, to)| to != NONE && graph.node_id(to) == before.value)
        .map(|(b, to)| (b as u32, to))
}

/// Whether `step` is the front part of a block that hands the caller to a
/// person (`before:` a `transfer`): an error of it is the transfer failing.
fn attempts_transfer(graph: &Graph, step: NodeIx) -> bool {
    front_of(graph, step)
        .is_some_and(|(_, node)| matches!(graph.nodes[node as usize].kind, Kind::Transfer))
}

/// Whether a step that passed through `trail` said nothing to the caller
/// before it came to `last`: every node on the way only sets or tests
/// variables. A `say`, a prompt, a call into another flow or any other
/// step may speak, so it makes the step not silent.
fn says_nothing(graph: &Graph, trail: &[NodeIx], last: NodeIx) -> bool {
    trail.iter().all(|&node| {
        node == last
            || matches!(
                graph.nodes[node as usize].kind,
                Kind::Set { .. } | Kind::Switch { .. }
            )
    })
}

/// Whether every outcome of the opaque step `node` that is not a failure
/// ends the call without a word too: a tracking request after the
/// conversation, a text message sent after the answer was read out, whose
/// success also hangs up in silence. Then the failure changes nothing the
/// caller hears, so its silent end is how the step always ends, not a
/// failure left unspoken. A step with no other outcome is not such a step.
fn ends_as_silently_otherwise(graph: &Graph, node: NodeIx) -> bool {
    ends_as_silently_from(graph, node, &mut vec![node])
}

fn ends_as_silently_from(graph: &Graph, node: NodeIx, seen: &mut Vec<NodeIx>) -> bool {
    let (NodeKind::Opaque { branches, .. }, Kind::Opaque { branches: range }) = (
        &graph.model_node(node).kind,
        &graph.nodes[node as usize].kind,
    ) else {
        return false;
    };
    let mut others = branches
        .iter()
        .zip(range.clone())
        .filter(|(branch, _)| !branch.is_failure())
        .map(|(_, b)| graph.branches[b as usize].1)
        .peekable();
    others.peek().is_some() && others.all(|to| ends_silently(graph, to, seen))
}

/// Whether every way on from `node` ends the call without a word: it
/// hangs up in silence, or only sets or tests variables, or is a back-end
/// step whose every outcome but a failure does, before such a hang-up. A
/// step met twice on the way (a cycle) is not an end.
fn ends_silently(graph: &Graph, node: NodeIx, seen: &mut Vec<NodeIx>) -> bool {
    if node == NONE || seen.contains(&node) {
        return false;
    }
    seen.push(node);
    let ends = match &graph.nodes[node as usize].kind {
        Kind::Hangup => hangs_up_silently(graph, node),
        Kind::Set { next, .. } => ends_silently(graph, *next, seen),
        Kind::Switch { entries } => entries
            .clone()
            .all(|e| ends_silently(graph, graph.switch_entries[e as usize].1, seen)),
        Kind::Opaque { .. } if is_backend(graph, node) => ends_as_silently_from(graph, node, seen),
        _ => false,
    };
    seen.pop();
    ends
}

/// Whether `node` ends the call without a word: a `hangup` with no text.
fn hangs_up_silently(graph: &Graph, node: NodeIx) -> bool {
    matches!(graph.nodes[node as usize].kind, Kind::Hangup)
        && matches!(&graph.model_node(node).kind, NodeKind::Hangup { text } if text.as_str().trim().is_empty())
}

/// What went wrong, in words, when `choice` at `node` is a failure: a
/// back-end step's failure branch, the error of a transfer to a person (a
/// step `before:` a `transfer`: the caller asked for someone and is
/// dropped), any step's refusal (a queue at capacity, a call that failed;
/// see [`crate::model::Branch::is_failure`]), or an input handler that has
/// given up after its retries. A bare platform error of another step (a
/// message, a transfer to another flow) is not judged: it happens when the
/// flow is deployed wrong, not on a caller's call, and real flows wire it
/// to a disconnect as a matter of course.
fn failure_of(graph: &Graph, node: NodeIx, choice: Choice) -> Option<String> {
    match (&graph.model_node(node).kind, choice) {
        (
            NodeKind::Opaque {
                branches, backend, ..
            },
            Choice::Branch(b),
        ) => branches
            .get(b as usize)
            .filter(|branch| {
                branch.is_refusal()
                    || ((*backend || attempts_transfer(graph, node)) && branch.is_failure())
            })
            .map(|branch| format!("the outcome is `{}`", branch.on.as_str())),
        (NodeKind::Menu { .. }, Choice::NoInput) | (NodeKind::Ask { .. }, Choice::NoInput) => {
            Some("the caller says nothing".to_string())
        }
        (NodeKind::Menu { .. }, Choice::NoMatch) => {
            Some("the caller's answer matches no option".to_string())
        }
        (NodeKind::Ask { .. }, Choice::Invalid) => {
            Some("the caller's answer is not valid".to_string())
        }
        _ => None,
    }
}

/// Tells apart the failures of one node: each branch of an opaque step, or
/// each handler of a menu or ask (a node is never both).
fn failure_detail(choice: Choice) -> u32 {
    match choice {
        Choice::Branch(b) => b,
        Choice::NoInput => 0,
        Choice::NoMatch => 1,
        _ => 2,
    }
}

/// Reports every cycle of back-end steps the walk can go round with nothing
/// heard and no caller input: the caller waits in silence while it spins.
/// A cycle with no way out at all is already a `trap`, and is not told twice.
fn find_busy_loops(
    graph: &Graph,
    sg: &StateGraph,
    busy_edges: &[(u32, u32)],
    own: &dyn Fn(NodeIx) -> bool,
    world: u32,
    recorder: &mut WalkFindings,
) {
    if busy_edges.is_empty() {
        return;
    }
    let n = sg.states.len();
    let mut sorted = busy_edges.to_vec();
    sorted.sort_unstable();
    let mut start = vec![0usize; n + 1];
    for &(from, _) in &sorted {
        start[from as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let targets: Vec<u32> = sorted.iter().map(|&(_, to)| to).collect();
    let in_loop = |s: usize| start[s] < start[s + 1];
    let successors = |s: usize| &targets[start[s]..start[s + 1]];
    for component in crate::scc::components(n, &in_loop, &successors) {
        let cyclic =
            component.len() > 1 || successors(component[0] as usize).contains(&component[0]);
        if !cyclic {
            continue;
        }
        let members: FxHashSet<u32> = component.iter().copied().collect();
        let leaves = component.iter().any(|&s| {
            sg.exits[s as usize]
                || sg
                    .successors(s as usize)
                    .iter()
                    .any(|t| !members.contains(t))
        });
        if !leaves {
            continue;
        }
        let Some(&representative) = component
            .iter()
            .filter(|&&s| own(sg.states[s as usize].node))
            .min()
        else {
            continue;
        };
        let node = sg.states[representative as usize].node;
        if !recorder.wants(Code::BusyLoop, node, 0, world) {
            continue;
        }
        let mut names: Vec<&str> = component
            .iter()
            .map(|&s| graph.node_id(sg.states[s as usize].node))
            .collect();
        names.sort_unstable();
        names.dedup();
        let cycle = match names.as_slice() {
            [one] => format!("the back-end step `{one}` can lead back to itself"),
            many => format!(
                "the back-end steps {} can lead round to each other",
                many.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        recorder.record(
            RawFinding::new(Code::BusyLoop, node, 0, world, sg.choices(representative)).message(
                format!(
                    "{cycle} with no wait, no caller input and no limit: the caller hears nothing while it spins"
                ),
            ),
        );
    }
}

/// `closed-transfer`: the caller arrives at `node` with the values `vars`;
/// when it is a transfer whose `open_when` is false under them, the queue
/// is closed to this caller. One finding per transfer: the recorder keeps
/// the shortest path, and the worlds that show it decide its `vars`.
fn check_open_hours(
    graph: &Graph,
    node: NodeIx,
    vars: u64,
    world_index: u32,
    path: impl FnOnce() -> Vec<Choice>,
    recorder: &mut WalkFindings,
) {
    let mut read = 0u64;
    let Some(when) = graph.closed_when(node, vars, &mut |v| {
        read |= graph.vars[v as usize].mask();
    }) else {
        return;
    };
    if !recorder.wants(Code::ClosedTransfer, node, 0, world_index) {
        return;
    }
    let NodeKind::Transfer { queue, .. } = &graph.model_node(node).kind else {
        return;
    };
    recorder.record(
        RawFinding::new(Code::ClosedTransfer, node, 0, world_index, path())
            .message(format!(
                "`{}` transfers the caller to `{}` while its `open_when: {}` is false: nobody is there to answer",
                graph.node_id(node),
                queue.as_str(),
                crate::structure::condition_text(&when.value)
            ))
            // The values the condition read at the transfer, after any
            // `set` on the way, show why it is closed.
            .guards(read, vars),
    );
}

fn guard_mask_of(kind: &Kind) -> u64 {
    match kind {
        Kind::Menu { guard_mask, .. } => *guard_mask,
        _ => 0,
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The finding of a step that settled at a dead end of the walked flow or
/// in a silent loop, if it is one.
fn settled_finding(
    graph: &Graph,
    own: &dyn Fn(NodeIx) -> bool,
    walked_flow: u32,
    settled: Settled,
    world: u32,
    path: Vec<Choice>,
) -> Option<RawFinding> {
    match settled {
        Settled::DeadEnd(node, reason) if own(node) => Some(
            RawFinding::new(Code::DeadEnd, node, reason as u32, world, path).message(format!(
                "`{}` is a dead end: {}",
                graph.node_id(node),
                reason.explain()
            )),
        ),
        // A loop may run through a called flow, whose own walk cannot see
        // it (there its `return` is an exit): it is reported by the walk
        // that found it, with inputs from that walk's start.
        Settled::SilentLoop(node) => {
            let mut raw = RawFinding::new(Code::Trap, node, u32::MAX, world, path).message(format!(
                "the nodes after `{}` lead round to it with no menu in between: the customer hears them forever",
                graph.node_id(node)
            ));
            if !own(node) {
                raw.entry_flow = Some(walked_flow);
            }
            Some(raw)
        }
        _ => None,
    }
}

/// States from which no exit can be reached are doomed. Those that sit in a
/// loop with no way out (a bottom strongly connected component with a cycle)
/// are traps; doomed states that merely lead into a dead end are covered by
/// the dead-end finding.
fn find_traps(
    graph: &Graph,
    sg: &StateGraph,
    flow: usize,
    world: u32,
    recorder: &mut WalkFindings,
) {
    let n = sg.states.len();
    if n == 0 {
        return;
    }
    // Reverse reachability from the exits.
    let mut reverse_start = vec![0u32; n + 1];
    for s in 0..n {
        for &t in sg.successors(s) {
            reverse_start[t as usize + 1] += 1;
        }
    }
    for i in 0..n {
        reverse_start[i + 1] += reverse_start[i];
    }
    let mut fill = reverse_start.clone();
    let mut reverse = vec![0u32; sg.edges.len()];
    for s in 0..n {
        for &t in sg.successors(s) {
            reverse[fill[t as usize] as usize] = s as u32;
            fill[t as usize] += 1;
        }
    }
    let mut live = sg.exits.clone();
    let mut queue: Vec<u32> = (0..n as u32).filter(|&s| live[s as usize]).collect();
    while let Some(s) = queue.pop() {
        for &p in
            &reverse[reverse_start[s as usize] as usize..reverse_start[s as usize + 1] as usize]
        {
            if !live[p as usize] {
                live[p as usize] = true;
                queue.push(p);
            }
        }
    }
    if live.iter().all(|&l| l) {
        return;
    }
    let doomed = |s: usize| !live[s];
    let successors = |s: usize| sg.successors(s);
    for component in crate::scc::components(n, &doomed, &successors) {
        let members: FxHashSet<u32> = component.iter().copied().collect();
        let leaves = component.iter().any(|&s| {
            sg.successors(s as usize)
                .iter()
                .any(|t| !members.contains(t))
        });
        let cyclic =
            component.len() > 1 || sg.successors(component[0] as usize).contains(&component[0]);
        if leaves || !cyclic {
            continue;
        }
        // A loop closed only by "back" from a page that offers nothing is
        // the dead end's doing: that page is reported as a dead end, and
        // giving it a way on is the fix. One defect, one finding.
        if component.iter().any(|&s| sg.stranded[s as usize]) {
            continue;
        }
        // Report at the first state the walk found in this flow; a loop
        // wholly inside a called flow, entered from here, is reported with
        // inputs from this flow's start (the called flow's own walk sees
        // its `return` as an exit and cannot find it).
        let in_flow =
            |s: &&u32| graph.nodes[sg.states[**s as usize].node as usize].flow as usize == flow;
        let representative = component
            .iter()
            .filter(in_flow)
            .min()
            .or_else(|| component.iter().min())
            .copied()
            .unwrap_or(component[0]);
        let state = sg.states[representative as usize];
        let foreign = graph.nodes[state.node as usize].flow as usize != flow;
        // The guards of every menu in the loop decide whether it has a way
        // out, so their variables belong to the finding.
        let guard_mask = component.iter().fold(0u64, |mask, &s| {
            match &graph.nodes[sg.states[s as usize].node as usize].kind {
                Kind::Menu { guard_mask, .. } => mask | guard_mask,
                _ => mask,
            }
        });
        let mut nodes: Vec<NodeIx> = component
            .iter()
            .map(|&s| sg.states[s as usize].node)
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        let names: Vec<String> = nodes
            .iter()
            .take(6)
            .map(|&n| format!("`{}`", graph.node_id(n)))
            .collect();
        let more = if nodes.len() > 6 {
            format!(" and {} more", nodes.len() - 6)
        } else {
            String::new()
        };
        let mut raw = RawFinding::new(Code::Trap, state.node, 0, world, sg.choices(representative))
            .message(format!(
                "a customer who reaches `{}` can never reach an end: {}{more} lead only to each other",
                graph.node_id(state.node),
                names.join(", ")
            ))
            .guards(guard_mask, state.vars);
        if foreign {
            raw.entry_flow = Some(flow as u32);
        }
        recorder.record_unasked(raw);
    }
}

/// `stale-input`: an answer at `later` went on, with no other input, into
/// a switch that decides on an earlier menu's kept answer while nothing
/// keeps this one (see `stale`). Reported at the switch, once per
/// earlier and later step, with the inputs that answer both.
#[allow(clippy::too_many_arguments)]
fn check_stale_reads(
    graph: &Graph,
    reads: &[StaleRead],
    later: NodeIx,
    trail: &[NodeIx],
    own: &impl Fn(NodeIx) -> bool,
    world_index: u32,
    recorder: &mut WalkFindings,
    path: impl Fn() -> Vec<Choice>,
) {
    for read in reads {
        if !own(read.switch)
            || !trail.contains(&read.switch)
            || !recorder.wants(Code::StaleInput, read.switch, later, world_index)
        {
            continue;
        }
        let var = &graph.vars[read.var as usize].name;
        recorder.record(
            RawFinding::new(Code::StaleInput, read.switch, later, world_index, path()).message(
                format!(
                    "`{}` decides on `{var}`, the answer kept at `{}`, right after the caller answered `{}`: from there it always goes to `{}`, and nothing keeps the answer given at `{}`, so the caller's choice there is ignored",
                    graph.node_id(read.switch),
                    graph.node_id(read.earlier),
                    graph.node_id(later),
                    graph.node_id(read.always),
                    graph.node_id(later),
                ),
            ),
        );
    }
}

/// Records `unset-variable` for the reads at state `id`'s opaque step. A
/// name no path may have set is unset on every path, so any path shows it.
/// A name some path may have set is reported only where the path the walk
/// took here set it nowhere, and only in a flow where customers begin: a
/// called flow's callers may set it before the call.
fn check_unset_reads(
    graph: &Graph,
    sg: &StateGraph,
    unset: &UnsetReads,
    id: u32,
    top_level: bool,
    world: u32,
    recorder: &mut WalkFindings,
) {
    let node = sg.states[id as usize].node;
    for read in &unset.at[node as usize] {
        if !recorder.wants(Code::UnsetVariable, node, read.index, world) {
            continue;
        }
        let shown = read.never_set || (top_level && leaves_unset(graph, sg, unset, id, read.name));
        if !shown {
            continue;
        }
        let name = &unset.names[read.name as usize];
        let id_text = graph.node_id(node);
        let (message, level) = if read.never_set {
            (
                format!("`{id_text}` reads `{name}`, which no path from the start sets before it"),
                crate::model::Level::Error,
            )
        } else {
            (
                format!("`{id_text}` reads `{name}`, which is unset on this path (other paths set it first)"),
                crate::model::Level::Warning,
            )
        };
        let mut raw = RawFinding::new(Code::UnsetVariable, node, read.index, world, sg.choices(id))
            .message(message);
        raw.level = Some(level);
        recorder.record(raw);
    }
}

/// Whether the path the walk took to state `id` sets `name` nowhere: no
/// step on it sets the name (an ask only on a valid answer), and it never
/// went into another flow, which may have set it.
fn leaves_unset(graph: &Graph, sg: &StateGraph, unset: &UnsetReads, id: u32, name: u32) -> bool {
    let flow = graph.nodes[sg.states[id as usize].node as usize].flow;
    let mut at = id;
    while sg.parent[at as usize].0 != NONE {
        let (parent, choice) = sg.parent[at as usize];
        let node = sg.states[parent as usize].node as usize;
        if graph.nodes[node].flow != flow {
            return false;
        }
        if unset.sets[node].contains(&name) {
            let answered = choice == Choice::Valid;
            if answered || !matches!(graph.nodes[node].kind, Kind::Ask { .. }) {
                return false;
            }
        }
        at = parent;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    /// A phone menu with retries is met once per count of silences and
    /// wrong keys. Each of those states takes over the option edges of the
    /// first one (which it would reach by stepping), and steps only the
    /// handlers, whose outcome depends on the counts.
    #[test]
    fn a_state_that_differs_only_in_retry_counters_takes_the_option_edges_of_the_first() {
        let text = "flow: main\nchannel: phone\nstart: menu\nnodes:\n  menu:\n    menu: For billing, press 1. For help, press 2.\n    options:\n      - { key: \"1\", goto: billing }\n      - { key: \"2\", goto: help }\n    no_input: { retries: 2, then: bye }\n    no_match: { retries: 1, then: bye }\n  billing:\n    menu: Billing. For payments, press 1.\n    options:\n      - { key: \"1\", goto: bye }\n  help:\n    say: Goodbye.\n    next: bye\n  bye:\n    hangup: Goodbye.\n";
        let set = crate::loader::load_text("main.yaml", text).unwrap();
        let graph = crate::graph::compile(&set, Channel::Phone).unwrap();
        let context = WalkContext {
            graph: &graph,
            settings: &set.settings,
            unset: UnsetReads::new(&graph),
            stale: StaleReads::new(&graph),
            verdicts: MenuVerdicts::judge(&graph, &set.settings, &graph.worlds),
        };
        let mut walker = Walker::new(&context);
        let budget = StateBudget {
            limit: usize::MAX,
            phase: None,
        };
        walker.walk(&context, 0, 0, &budget);
        let sg = &walker.sg;
        let menu = (0..graph.nodes.len() as NodeIx)
            .find(|&n| graph.node_id(n) == "menu")
            .unwrap();
        let at_menu: Vec<usize> = (0..sg.states.len())
            .filter(|&s| sg.states[s].node == menu)
            .collect();
        // Every count of silences (0 to 2) with every count of wrong keys
        // (0 to 1).
        assert_eq!(at_menu.len(), 6);
        let first = sg.successors(at_menu[0]);
        // Option 1 leads to the billing menu; option 2 hangs up (an exit);
        // then come the two handlers' edges.
        let billing = first[0];
        assert_eq!(graph.node_id(sg.states[billing as usize].node), "billing");
        for &s in &at_menu {
            assert_eq!(sg.successors(s)[0], billing, "state {s}");
            assert!(sg.exits[s], "state {s} hangs up by option 2");
        }
        // The handlers still count: the state with every retry used has
        // no re-prompt left, and its handlers go to the hang-up (exits).
        let spent = at_menu
            .iter()
            .find(|&&s| sg.states[s].no_input == 2 && sg.states[s].no_match == 1)
            .copied()
            .unwrap();
        assert_eq!(sg.successors(spent), [billing]);
    }
}
