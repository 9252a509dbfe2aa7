//! Journeys: per channel, flow where customers begin and intent, what the
//! goal-directed customer lives through (served by self-service, by a
//! person, or not at all; the fewest steps and seconds to it) and how long
//! a caller who asks for a person needs to reach one. Figures that differ
//! between variable values are given once per group of values.

use rustc_hash::FxHashSet;

use crate::analysis::goal_loop::goal_moves;
use crate::analysis::to_agent::{way_to_agent_from, Clock, WayToAgent};
use crate::graph::{Graph, Kind, NodeIx, NONE};
use crate::input::render;
use crate::machine::{Choice, Machine, Observer, Settled, State, Step};
use crate::model::MenuSet;
use crate::results::Journey;
use crate::timing::Timing;

/// The best way found to an outcome: its inputs and seconds, and the last
/// choice that made it with the queue entry it was made at (none when the
/// outcome is reached with no input at all), from which the whole way is
/// read back.
#[derive(Debug, Clone, Copy)]
struct Way {
    steps: u32,
    seconds: f64,
    last: Option<(usize, Choice)>,
}

/// The best way to an outcome, read back from the search: its choices
/// from the flow's start, and the deepest menu it waits at.
struct Best {
    way: Way,
    choices: Vec<Choice>,
    deepest: Option<Deepest>,
}

/// The last menu a way waits at, with the seconds spent when the caller is
/// there (its prompt heard) and the menus answered before it.
#[derive(Debug, Clone, Copy)]
struct Deepest {
    state: State,
    seconds: f64,
    menus_before: u32,
}

type Found = Option<Best>;

/// A state the breadth-first search waits at, with what it cost to get
/// there and the choice that brought it (from the queue entry it was made
/// at), so that the best way can be read back choice by choice.
#[derive(Debug, Clone, Copy)]
struct Queued {
    state: State,
    steps: u32,
    seconds: f64,
    came_by: Option<(usize, Choice)>,
}

/// One world's figures, before worlds with equal figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    outcome: &'static str,
    served: Option<(u32, f64)>,
    agent: Option<(f64, u32)>,
    /// The deepest menu on the way to being served, and the seconds and
    /// menus from the start for a caller who asks for a person there, if
    /// they can.
    deepest: Option<(NodeIx, Option<(f64, u32)>)>,
}

/// The fewest (steps, seconds) to an `end` and to a `transfer` that serve
/// `intent`, for a customer who makes only moves that fit it, each with
/// the choices of that way from the flow's start.
fn served(
    machine: &mut Machine,
    timing: Timing,
    flow: usize,
    intent: usize,
    world: u64,
) -> (Found, Found) {
    let graph = machine.graph;
    let mut clock = Clock::new(graph, timing);
    let settled = machine.settle(graph.flows[flow].start, world, 0, NONE, &mut clock);
    let mut best_end: Option<Way> = None;
    let mut best_transfer: Option<Way> = None;
    let better = |best: &mut Option<Way>, found: Way| {
        if best.is_none_or(|b| (found.steps, found.seconds) < (b.steps, b.seconds)) {
            *best = Some(found);
        }
    };
    // A transfer that is closed when the customer gets there serves
    // nobody: the customer is not served that way (`closed-transfer`).
    let mut arrive =
        |settled: Settled, closed: bool, way: Way, queue: &mut Vec<Queued>| match settled {
            Settled::Waiting(state) => queue.push(Queued {
                state,
                steps: way.steps,
                seconds: way.seconds,
                came_by: way.last,
            }),
            Settled::Terminal(node) if graph.node_serves(node, intent) && !closed => {
                match graph.nodes[node as usize].kind {
                    Kind::End => better(&mut best_end, way),
                    Kind::Transfer => better(&mut best_transfer, way),
                    _ => {}
                }
            }
            _ => {}
        };
    let mut queue: Vec<Queued> = Vec::new();
    arrive(
        settled,
        clock.arrived_closed,
        Way {
            steps: 0,
            seconds: clock.seconds,
            last: None,
        },
        &mut queue,
    );
    // Breadth-first: each state is expanded once, at the fewest moves that
    // reach it.
    let mut seen: FxHashSet<State> = FxHashSet::default();
    let mut moves = Vec::new();
    let mut next = 0;
    while next < queue.len() {
        let Queued {
            state,
            steps,
            seconds,
            ..
        } = queue[next];
        let at = next;
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
            let step = machine.step(&state, choice, &mut clock);
            let way = Way {
                steps,
                seconds: clock.seconds,
                last: Some((at, choice)),
            };
            match step {
                Step::Moved(settled) => arrive(settled, clock.arrived_closed, way, &mut queue),
                Step::Reprompt(again) => arrive(Settled::Waiting(again), false, way, &mut queue),
                _ => {}
            }
        }
    }
    let read_back = |way: Way| {
        // The queue entries the way's choices are made at, last first.
        let mut choices = Vec::new();
        let mut made_at = Vec::new();
        let mut link = way.last;
        while let Some((at, choice)) = link {
            choices.push(choice);
            made_at.push(at);
            link = queue[at].came_by;
        }
        choices.reverse();
        // The last menu the way waits at is the deepest: every menu
        // answered before it is one more the caller went through.
        let is_menu = |at: &usize| {
            matches!(
                graph.nodes[queue[*at].state.node as usize].kind,
                Kind::Menu { .. }
            )
        };
        let menus = made_at.iter().filter(|at| is_menu(at)).count() as u32;
        let deepest = made_at.iter().find(|at| is_menu(at)).map(|&at| Deepest {
            state: queue[at].state,
            seconds: queue[at].seconds,
            menus_before: menus - 1,
        });
        Best {
            way,
            choices,
            deepest,
        }
    };
    (best_end.map(read_back), best_transfer.map(read_back))
}

/// The nodes a replay enters, each once where it stays at one.
#[derive(Default)]
struct NodesEntered(Vec<NodeIx>);

impl Observer for NodesEntered {
    fn enter(&mut self, node: NodeIx) {
        if self.0.last() != Some(&node) {
            self.0.push(node);
        }
    }
}

/// The inputs that make `choices` from `flow`'s start in `world`, as
/// `touchpoint replay --inputs` takes them, and the nodes passed on the way,
/// start first: a journey's way, replayable and drawable.
fn inputs_and_path(
    machine: &mut Machine,
    flow: usize,
    world: u64,
    choices: &[Choice],
) -> (Vec<String>, Vec<String>) {
    let graph = machine.graph;
    let mut entered = NodesEntered::default();
    let mut inputs = Vec::new();
    let mut settled = machine.settle(graph.flows[flow].start, world, 0, NONE, &mut entered);
    for &choice in choices {
        let Settled::Waiting(state) = settled else {
            break;
        };
        inputs.push(render(machine, &state, choice).to_string());
        match machine
            .step(&state, choice, &mut entered)
            .settled_after(&state)
        {
            Some(next) => settled = next,
            None => break,
        }
    }
    let path = entered
        .0
        .iter()
        .map(|&n| graph.node_id(n).to_string())
        .collect();
    (inputs, path)
}

/// For a customer on the way to being served who asks for a person at the
/// deepest menu of that way instead of going on: that menu, and, where
/// they can reach one, the seconds from the flow's start and the menus
/// answered in all until a person answers. None off the phone and for a
/// way with no menu.
fn agent_from_deepest(
    machine: &mut Machine,
    timing: Timing,
    deepest: Option<Deepest>,
) -> Option<(NodeIx, Option<(f64, u32)>)> {
    let graph = machine.graph;
    if graph.is_visual() {
        return None;
    }
    let deepest = deepest?;
    let mut clock = Clock::new(graph, timing);
    clock.seconds = deepest.seconds;
    let way = way_to_agent_from(machine, &mut clock, Settled::Waiting(deepest.state), 0);
    Some((
        deepest.state.node,
        way.map(|way| (way.seconds, deepest.menus_before + way.menus as u32)),
    ))
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
    let per_flow = super::per_entry_flow(graph, set, |machine, flow| {
        flow_journeys(graph, set, ways, &worlds, machine, flow)
    });
    per_flow.into_iter().flatten().collect()
}

/// The journeys of the customers who begin at `flow`: per intent, one per
/// group of worlds with equal figures.
fn flow_journeys(
    graph: &Graph,
    set: &MenuSet,
    ways: &[Vec<Option<WayToAgent>>],
    worlds: &[u64],
    machine: &mut Machine,
    flow: usize,
) -> Vec<(Journey, f64)> {
    let timing = set.settings.timing;
    let round = |s: f64| (s * 10.0).round() / 10.0;
    let mut out = Vec::new();
    {
        let agent: Vec<Option<(f64, u32)>> = (0..worlds.len())
            .map(|w| {
                ways[flow]
                    .get(w)
                    .and_then(Option::as_ref)
                    .map(|way| (round(way.seconds), way.menus as u32))
            })
            .collect();
        for intent in (0..graph.intents.len()).filter(|&x| graph.expects(x)) {
            // Each world's figures, with the choices of its best way: the
            // way is not part of the figures (worlds whose figures are
            // equal are one journey), but each group keeps its first
            // world's.
            let (figures, ways): (Vec<Figures>, Vec<Vec<Choice>>) = worlds
                .iter()
                .enumerate()
                .map(|(w, &world)| {
                    let (end, transfer) = served(machine, timing, flow, intent, world);
                    let (outcome, served) = match (end, transfer) {
                        (Some(end), _) => ("self_served", Some(end)),
                        (None, Some(transfer)) => ("transferred", Some(transfer)),
                        (None, None) => ("not_served", None),
                    };
                    let deepest = served.as_ref().and_then(|best| {
                        agent_from_deepest(machine, timing, best.deepest)
                            .map(|(menu, way)| (menu, way.map(|(s, menus)| (round(s), menus))))
                    });
                    let figures = Figures {
                        outcome,
                        served: served
                            .as_ref()
                            .map(|best| (best.way.steps, round(best.way.seconds))),
                        agent: agent[w],
                        deepest,
                    };
                    (figures, served.map(|best| best.choices).unwrap_or_default())
                })
                .unzip();
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
                let first = members.iter().position(|&m| m).unwrap_or(0);
                let (inputs, path) = if f.served.is_some() {
                    inputs_and_path(machine, flow, worlds[first], &ways[first])
                } else {
                    Default::default()
                };
                let journey = Journey {
                    channel: graph.channel,
                    flow: graph.flows[flow].id.clone(),
                    intent: graph.intents[intent].clone(),
                    when: (!one).then(|| super::intents::describe_worlds(graph, worlds, &members)),
                    outcome: f.outcome.to_string(),
                    steps: f.served.map(|s| s.0),
                    seconds: f.served.map(|s| s.1),
                    seconds_to_agent: f.agent.map(|a| a.0),
                    menus_to_agent: f.agent.map(|a| a.1),
                    deepest_menu: f.deepest.map(|d| graph.node_id(d.0).to_string()),
                    seconds_to_agent_from_deepest: f.deepest.and_then(|d| d.1).map(|w| w.0),
                    menus_to_agent_from_deepest: f.deepest.and_then(|d| d.1).map(|w| w.1),
                    inputs,
                    path,
                };
                out.push((journey, share));
            }
        }
    }
    out
}
