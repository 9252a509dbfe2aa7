//! The goal-directed loop: a customer who at every step chooses what fits
//! their need and comes back to a state they were in, with nothing that
//! fits leading anywhere else.
//!
//! Whether a set has such a loop is a property of the set, not of a seed:
//! the customer's moves are fixed by their need and the variables' values.
//! Lint finds every one with [`goal_loop`], once per top-level flow,
//! intent and world, and the fuzzer asks the same function when one of its
//! goal-directed customers comes back where they were, so the two report
//! one finding, at the same node with the same inputs, and the fuzzer
//! never reports a loop that lint calls fine.
//!
//! Only a loop with a way out is reported this way. Where no input at all
//! leads out, the walk reports the states as a plain `trap`, and the goal
//! loop would only say the same thing again.

use rustc_hash::FxHashMap;

use crate::graph::{Graph, Kind, NodeIx, OptionIx, NONE};
use crate::machine::{Choice, Machine, Quiet, Settled, State, Step};

/// A goal-directed loop as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoalLoop {
    /// Where the customer comes back to.
    pub node: NodeIx,
    /// From the flow's start, into the loop and once round it, ending back
    /// at `node`.
    pub choices: Vec<Choice>,
}

/// The detail number of a goal-directed loop: the top bit marks it, the
/// intent sits below it. `analysis::about` decodes the top bit.
pub(crate) fn detail(intent: usize) -> u32 {
    intent as u32 | 1 << 31
}

/// What the finding says. The customer can get out, but only by doing
/// something that does not fit their need (another option, a wrong key,
/// silence), which is why it says "round and round" and not "never".
pub(crate) fn message(graph: &Graph, intent: usize, node: NodeIx) -> String {
    format!(
        "a customer who wants {} keeps choosing what fits and comes back to `{}` without being served: \
         whatever fits leads round and round, and only something that does not fit leads out",
        graph.intents[intent],
        graph.node_id(node)
    )
}

/// The moves a goal-directed customer who wants `intent` may make at
/// `state`: at a menu every offered, announced option that fits it (by
/// tag, label or speech), else every announced fallback; the right answer
/// at an `ask`; every outcome of an opaque step, since the platform decides
/// those. This is the choice of [`Machine::choose_among`] with every
/// equally good option kept, so that a loop is reported only when no
/// option that fits gets the customer out. Where nothing fits and there is
/// no fallback the customer has no move: that menu is a `no-fit`, and
/// whatever a caller then tries (asking for a person) is not choosing
/// what fits.
pub(crate) fn goal_moves(machine: &Machine, intent: usize, state: &State, out: &mut Vec<Choice>) {
    let graph = machine.graph;
    out.clear();
    match &graph.nodes[state.node as usize].kind {
        Kind::Menu { .. } => {
            let mut offered: Vec<OptionIx> = Vec::new();
            machine.offered(state, &mut offered);
            offered.retain(|&i| !graph.options[i as usize].hidden);
            out.extend(
                offered
                    .iter()
                    .copied()
                    .filter(|&i| graph.fits.get(i as usize, intent))
                    .map(Choice::Option),
            );
            if out.is_empty() {
                out.extend(
                    offered
                        .iter()
                        .copied()
                        .filter(|&i| graph.options[i as usize].fallback)
                        .map(Choice::Option),
                );
            }
        }
        Kind::Ask {
            has_valid_answer: true,
            ..
        } => out.push(Choice::Valid),
        Kind::Opaque { branches } => {
            out.extend((0..branches.end - branches.start).map(Choice::Branch))
        }
        _ => {}
    }
}

/// The goal-directed loop of a customer who wants `intent` and starts at
/// `flow`
/// in `world`, if there is one: from the first state, in breadth-first order,
/// from which no sequence of moves that fit reaches an end, a transfer, a
/// dropped call or a return, although some input does. From there the
/// customer's first fitting move is followed until they come back to a
/// state they were in.
///
/// A state where nothing fits at all is not part of a loop: the customer
/// stops there, and `no-fit` is the finding about it.
pub(crate) fn goal_loop(
    machine: &mut Machine,
    flow: usize,
    intent: usize,
    world: u64,
) -> Option<GoalLoop> {
    let graph = machine.graph;
    let Settled::Waiting(initial) =
        machine.settle(graph.flows[flow].start, world, 0, NONE, &mut Quiet)
    else {
        return None;
    };
    // Breadth-first over the states the customer can reach by moves that
    // fit, with each state's parent and the choice that reached it, its
    // successors, and whether some move from it leaves the waiting states.
    let mut index: FxHashMap<State, u32> = FxHashMap::default();
    let mut states: Vec<State> = vec![initial];
    let mut parent: Vec<(u32, Choice)> = vec![(NONE, Choice::NoInput)];
    let mut successors: Vec<Vec<(Choice, u32)>> = Vec::new();
    let mut escapes: Vec<bool> = Vec::new();
    index.insert(initial, 0);
    let mut moves = Vec::new();
    let mut next_id = 0;
    while next_id < states.len() {
        let state = states[next_id];
        goal_moves(machine, intent, &state, &mut moves);
        let mut out = Vec::new();
        // A customer with nothing to choose stops here: that is not a loop.
        let mut escape = moves.is_empty();
        for &choice in &moves {
            let next = match machine.step(&state, choice, &mut Quiet) {
                Step::Moved(Settled::Waiting(next)) | Step::Reprompt(next) => next,
                Step::Ignored | Step::Unavailable => continue,
                Step::Moved(_) | Step::Dropped(_) => {
                    escape = true;
                    continue;
                }
            };
            let id = *index.entry(next).or_insert_with(|| {
                states.push(next);
                parent.push((next_id as u32, choice));
                states.len() as u32 - 1
            });
            out.push((choice, id));
        }
        // Moves that lead nowhere (all ignored) are not a loop either.
        escape |= out.is_empty();
        successors.push(out);
        escapes.push(escape);
        next_id += 1;
    }
    // Whatever can reach an escaping state escapes too.
    let mut predecessors: Vec<Vec<u32>> = vec![Vec::new(); states.len()];
    for (from, out) in successors.iter().enumerate() {
        for &(_, to) in out {
            predecessors[to as usize].push(from as u32);
        }
    }
    let mut pending: Vec<u32> = (0..states.len() as u32)
        .filter(|&s| escapes[s as usize])
        .collect();
    while let Some(s) = pending.pop() {
        for &p in &predecessors[s as usize] {
            if !escapes[p as usize] {
                escapes[p as usize] = true;
                pending.push(p);
            }
        }
    }
    let entry = escapes.iter().position(|&e| !e)? as u32;
    // Every successor of a state that cannot escape cannot escape either,
    // and each such state has one, so following the first comes round.
    let mut choices = Vec::new();
    let mut at = entry;
    while parent[at as usize].0 != NONE {
        choices.push(parent[at as usize].1);
        at = parent[at as usize].0;
    }
    choices.reverse();
    let mut visited: Vec<u32> = Vec::new();
    let mut at = entry;
    while !visited.contains(&at) {
        visited.push(at);
        let (choice, next) = successors[at as usize][0];
        choices.push(choice);
        at = next;
    }
    let back_at = states[at as usize];
    // No input at all leads out: that is the walk's plain `trap`.
    if !crate::machine::can_exit(machine, back_at) {
        return None;
    }
    Some(GoalLoop {
        node: back_at.node,
        choices,
    })
}
