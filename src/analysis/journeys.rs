//! Journeys: per channel, flow where customers begin and intent, what the
//! goal-directed customer lives through (served by self-service, by a
//! person, or not at all; the fewest steps and seconds to it) and how long
//! a caller who asks for a person needs to reach one. Figures that differ
//! between variable values are given once per group of values.

use rustc_hash::FxHashSet;

use crate::analysis::goal_loop::goal_moves;
use crate::analysis::to_agent::{Clock, WayToAgent};
use crate::graph::{Graph, Kind, NONE};
use crate::machine::{Choice, Machine, Rules, Settled, State, Step};
use crate::model::MenuSet;
use crate::results::Journey;
use crate::timing::Timing;

/// The inputs and seconds of the best way found to an outcome.
type Way = (u32, f64);

/// One world's figures, before worlds with equal figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    outcome: &'static str,
    served: Option<(u32, f64)>,
    agent: Option<(f64, u32)>,
}

/// The fewest (steps, seconds) to an `end` and to a `transfer` that serve
/// `intent`, for a customer who makes only moves that fit it.
fn served(
    machine: &mut Machine,
    timing: Timing,
    flow: usize,
    intent: usize,
    world: u64,
) -> (Option<Way>, Option<Way>) {
    let graph = machine.graph;
    let mut clock = Clock::new(graph, timing);
    let settled = machine.settle(graph.flows[flow].start, world, 0, NONE, &mut clock);
    let mut best_end: Option<(u32, f64)> = None;
    let mut best_transfer: Option<(u32, f64)> = None;
    let better = |best: &mut Option<(u32, f64)>, found: (u32, f64)| {
        if best.is_none_or(|b| (found.0, found.1) < (b.0, b.1)) {
            *best = Some(found);
        }
    };
    // A transfer that is closed when the customer gets there serves
    // nobody: the customer is not served that way (`closed-transfer`).
    let mut arrive = |settled: Settled,
                      closed: bool,
                      steps: u32,
                      seconds: f64,
                      queue: &mut Vec<(State, u32, f64)>| {
        match settled {
            Settled::Waiting(state) => queue.push((state, steps, seconds)),
            Settled::Terminal(node) if graph.node_serves(node, intent) && !closed => {
                match graph.nodes[node as usize].kind {
                    Kind::End => better(&mut best_end, (steps, seconds)),
                    Kind::Transfer => better(&mut best_transfer, (steps, seconds)),
                    _ => {}
                }
            }
            _ => {}
        }
    };
    let mut queue = Vec::new();
    arrive(settled, clock.arrived_closed, 0, clock.seconds, &mut queue);
    // Breadth-first: each state is expanded once, at the fewest moves that
    // reach it.
    let mut seen: FxHashSet<State> = FxHashSet::default();
    let mut moves = Vec::new();
    let mut next = 0;
    while next < queue.len() {
        let (state, steps, seconds) = queue[next];
        next += 1;
        if !seen.insert(state) {
            continue;
        }
        goal_moves(machine, intent, &state, &mut moves);
        for &choice in &moves {
            clock.seconds = seconds + timing.answering(graph, state.node, choice);
            // The platform decides an opaque step: it is no step of the
            // customer's.
            let steps = steps + u32::from(!matches!(choice, Choice::Branch(_)));
            match machine.step(&state, choice, &mut clock) {
                Step::Moved(settled) => arrive(
                    settled,
                    clock.arrived_closed,
                    steps,
                    clock.seconds,
                    &mut queue,
                ),
                Step::Reprompt(again) => queue.push((again, steps, clock.seconds)),
                _ => {}
            }
        }
    }
    (best_end, best_transfer)
}

/// Every journey of one channel, each with the share of the channel's
/// worlds it holds for (every combination of variable values counts
/// equally), which the demand figures weight it by.
pub(crate) fn journeys(
    graph: &Graph,
    set: &MenuSet,
    ways: &[Vec<Option<WayToAgent>>],
) -> Vec<(Journey, f64)> {
    let worlds = super::worlds(graph);
    let timing = set.settings.timing;
    let mut machine = Machine::new(
        graph,
        Rules {
            call_depth: set.settings.limits.call_depth,
            standalone: false,
        },
    );
    let round = |s: f64| (s * 10.0).round() / 10.0;
    let mut out = Vec::new();
    for flow in (0..graph.flows.len()).filter(|&f| !graph.flows[f].called) {
        let agent: Vec<Option<(f64, u32)>> = (0..worlds.len())
            .map(|w| {
                ways[flow]
                    .get(w)
                    .and_then(Option::as_ref)
                    .map(|way| (round(way.seconds), way.menus as u32))
            })
            .collect();
        for intent in (0..graph.intents.len()).filter(|&x| graph.expects(x)) {
            let figures: Vec<Figures> = worlds
                .iter()
                .enumerate()
                .map(|(w, &world)| {
                    let (end, transfer) = served(&mut machine, timing, flow, intent, world);
                    let (outcome, served) = match (end, transfer) {
                        (Some(end), _) => ("self_served", Some(end)),
                        (None, Some(transfer)) => ("transferred", Some(transfer)),
                        (None, None) => ("not_served", None),
                    };
                    Figures {
                        outcome,
                        served: served.map(|(steps, seconds)| (steps, round(seconds))),
                        agent: agent[w],
                    }
                })
                .collect();
            // Worlds with the same figures are one journey, in the order
            // of their first world.
            let mut groups: Vec<(Figures, Vec<bool>)> = Vec::new();
            for (w, f) in figures.iter().enumerate() {
                match groups.iter_mut().find(|(g, _)| g == f) {
                    Some((_, members)) => members[w] = true,
                    None => {
                        let mut members = vec![false; worlds.len()];
                        members[w] = true;
                        groups.push((*f, members));
                    }
                }
            }
            let one = groups.len() == 1;
            for (f, members) in groups {
                let share = members.iter().filter(|&&m| m).count() as f64 / worlds.len() as f64;
                let journey = Journey {
                    channel: graph.channel,
                    flow: graph.flows[flow].id.clone(),
                    intent: graph.intents[intent].clone(),
                    when: (!one).then(|| super::intents::describe_worlds(graph, &worlds, &members)),
                    outcome: f.outcome.to_string(),
                    steps: f.served.map(|s| s.0),
                    seconds: f.served.map(|s| s.1),
                    seconds_to_agent: f.agent.map(|a| a.0),
                    menus_to_agent: f.agent.map(|a| a.1),
                };
                out.push((journey, share));
            }
        }
    }
    out
}
