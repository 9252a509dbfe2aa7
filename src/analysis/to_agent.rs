//! The way to a person: a caller who asks for one at every menu, from the
//! first, and how long and how many menus it takes them (`slow-to-agent`).
//!
//! At a menu the caller takes the option that asks for a person (key 0, or
//! a phrase that matches "agent", "operator" or "representative"), else the
//! menu's `fallback` option, else they ask anyway and it matches nothing,
//! so that the menu's no-match handler takes them where it ends after its
//! retries; at an `ask` they answer correctly; an opaque step takes its
//! usual outcome, its first branch. A transfer that is closed when the
//! caller gets there is no person. Pages and screens have no "press 0", so
//! only the phone is measured.
//!
//! Time is the one model of `crate::timing`, counted from the flow's start
//! until the transfer.

use rustc_hash::FxHashSet;

use crate::analysis::raw::{RawFinding, Recorder};
use crate::finding::Code;
use crate::graph::{Graph, Kind, NodeIx, NONE};
use crate::machine::{Choice, Machine, Observer, Rules, Settled, State, Step};
use crate::model::MenuSet;
use crate::timing::Timing;

/// How a caller who asks for a person reaches one from a flow's start in
/// one world.
#[derive(Debug, Clone)]
pub(crate) struct WayToAgent {
    pub world: u32,
    /// The transfer the caller reaches.
    pub transfer: NodeIx,
    pub seconds: f64,
    pub menus: usize,
    pub choices: Vec<Choice>,
}

/// Adds up the caller's time as nodes are entered, and notes whether the
/// transfer the caller last arrived at was closed then (`open_when:`).
pub(crate) struct Clock<'g, 'a> {
    pub graph: &'g Graph<'a>,
    pub timing: Timing,
    pub seconds: f64,
    /// Whether the last transfer arrived at was closed when the caller got
    /// there: nobody answers, so the caller reaches no person.
    pub arrived_closed: bool,
}

impl<'g, 'a> Clock<'g, 'a> {
    pub(crate) fn new(graph: &'g Graph<'a>, timing: Timing) -> Self {
        Clock {
            graph,
            timing,
            seconds: 0.0,
            arrived_closed: false,
        }
    }
}

impl Observer for Clock<'_, '_> {
    fn enter(&mut self, node: NodeIx) {
        self.seconds += self.timing.entering(self.graph, node);
    }

    fn arrive(&mut self, node: NodeIx, vars: u64) {
        self.arrived_closed = self.graph.closed_when(node, vars, &mut |_| {}).is_some();
    }
}

/// The way to a person from `flow`'s start in `world`, if the caller has
/// one.
pub(crate) fn way_to_agent(
    machine: &mut Machine,
    timing: Timing,
    flow: usize,
    world_index: u32,
    world: u64,
) -> Option<WayToAgent> {
    let graph = machine.graph;
    if graph.is_visual() {
        return None;
    }
    let mut clock = Clock::new(graph, timing);
    let settled = machine.settle(graph.flows[flow].start, world, 0, NONE, &mut clock);
    way_to_agent_from(machine, &mut clock, settled, world_index)
}

/// The way to a person for a caller who is at `settled`, with the seconds
/// spent so far on `clock`, and asks for one from there on: the caller's
/// choices, menus and seconds count from `settled`, the seconds from the
/// clock's.
pub(crate) fn way_to_agent_from(
    machine: &mut Machine,
    clock: &mut Clock,
    mut settled: Settled,
    world_index: u32,
) -> Option<WayToAgent> {
    let graph = machine.graph;
    let timing = clock.timing;
    let mut choices = Vec::new();
    let mut menus = 0usize;
    // A caller who comes back to a state they were in goes round for ever:
    // that way never reaches a person.
    let mut seen: FxHashSet<State> = FxHashSet::default();
    loop {
        let state = match settled {
            Settled::Waiting(state) => state,
            // A desk that is closed when the caller gets there is no
            // person: that way ends there, unserved (`closed-transfer`).
            Settled::Terminal(node)
                if matches!(graph.nodes[node as usize].kind, Kind::Transfer)
                    && !clock.arrived_closed =>
            {
                return Some(WayToAgent {
                    world: world_index,
                    transfer: node,
                    seconds: clock.seconds,
                    menus,
                    choices,
                });
            }
            _ => return None,
        };
        if !seen.insert(state) {
            return None;
        }
        let choice = match &graph.nodes[state.node as usize].kind {
            Kind::Menu { .. } => {
                let mut offered = Vec::new();
                machine.offered(&state, &mut offered);
                let option = machine.zero_out_among(&offered).or_else(|| {
                    offered
                        .iter()
                        .copied()
                        .find(|&o| graph.options[o as usize].fallback)
                });
                menus += 1;
                // Where no option asks for a person, "agent" or 0 matches
                // nothing: the menu's no-match handler decides, and a
                // caller who keeps asking goes where it ends (often a
                // person, after the retries). A menu without one drops the
                // call, and that way ends there.
                option.map_or(Choice::NoMatch, Choice::Option)
            }
            Kind::Ask {
                has_valid_answer: true,
                ..
            } => Choice::Valid,
            Kind::Opaque { branches } if !branches.is_empty() => Choice::Branch(0),
            _ => return None,
        };
        clock.seconds += timing.answering(graph, state.node, choice);
        choices.push(choice);
        settled = match machine.step(&state, choice, clock) {
            Step::Moved(next) => next,
            Step::Reprompt(next) => Settled::Waiting(next),
            _ => return None,
        };
    }
}

/// The way to a person from the start of every flow where customers begin
/// (indexed by flow; empty for a called flow), in every world: walked once
/// for `slow-to-agent` and the journeys' figures alike. None at all on a
/// visual channel, where nobody asks for a person by key or word.
pub(crate) fn ways_to_agent(graph: &Graph, set: &MenuSet) -> Vec<Vec<Option<WayToAgent>>> {
    if graph.is_visual() {
        return vec![Vec::new(); graph.flows.len()];
    }
    use rayon::prelude::*;
    let worlds = super::worlds(graph);
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    // Flows on every core, a machine per piece of work, collected in flow
    // order: each way is found from its flow's start alone.
    (0..graph.flows.len())
        .into_par_iter()
        .map_init(
            || Machine::new(graph, rules),
            |machine, flow| {
                if graph.flows[flow].called {
                    return Vec::new();
                }
                worlds
                    .iter()
                    .enumerate()
                    .map(|(w, &world)| {
                        way_to_agent(machine, set.settings.timing, flow, w as u32, world)
                    })
                    .collect()
            },
        )
        .collect()
}

/// Records `slow-to-agent` for every flow where customers begin and every
/// world in which the way to a person (from [`ways_to_agent`]) is longer
/// than the limits allow.
pub(crate) fn record_slow_to_agent(
    graph: &Graph,
    set: &MenuSet,
    ways: &[Vec<Option<WayToAgent>>],
    recorder: &mut Recorder,
) {
    let limits = &set.settings.limits;
    for (flow, ways) in ways.iter().enumerate() {
        if ways.is_empty() {
            continue;
        }
        recorder.begin_flow(&vec![true; ways.len()]);
        for way in ways.iter().flatten().cloned() {
            let too_long = way.seconds > limits.time_to_agent;
            let too_many = way.menus > limits.menus_to_agent;
            if !(too_long || too_many) {
                continue;
            }
            let detail = flow as u32;
            if !recorder.wants(Code::SlowToAgent, way.transfer, detail, way.world) {
                continue;
            }
            // Where no option asks for a person, say how the caller gets
            // one after all: by failing until a no-match handler gives up.
            let by_failing = if way.choices.contains(&Choice::NoMatch) {
                "; where no option asks for a person, only a no-match handler that gives up puts them through"
            } else {
                ""
            };
            let message = format!(
                "a caller who asks for a person from the start of `{}` needs about {:.1} s and {} menu{} to reach `{}` (limits: {} s, {} menus){by_failing}",
                graph.flows[flow].id,
                way.seconds,
                way.menus,
                if way.menus == 1 { "" } else { "s" },
                graph.node_id(way.transfer),
                limits.time_to_agent,
                limits.menus_to_agent,
            );
            let mut raw = RawFinding::new(
                Code::SlowToAgent,
                way.transfer,
                detail,
                way.world,
                way.choices,
            )
            .message(message);
            if graph.nodes[way.transfer as usize].flow as usize != flow {
                raw.entry_flow = Some(flow as u32);
            }
            recorder.record(raw);
        }
    }
}
