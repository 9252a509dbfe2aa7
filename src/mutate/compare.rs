//! Whether a caller can tell a mutant apart from the set, and how: first
//! the goal-directed journeys per intent (what a customer who knows what
//! they want meets), then every input sequence at once, walking the set and
//! the mutant side by side.

use rustc_hash::FxHashMap;

use crate::graph::{Graph, Kind, NodeIx};
use crate::input::{render, resolve, Input};
use crate::machine::{
    Choice, InputKind, Machine, Moves, Observer, Quiet, Rules, Settled, State, Step,
};
use crate::model::MenuSet;

/// A place where the set and the mutant part: the start, the world and
/// the inputs after which a caller hears or meets something else.
#[derive(Debug, Clone)]
pub(crate) struct Parting {
    pub flow: u32,
    pub world: u64,
    pub inputs: Vec<Input>,
    /// The last input is one the set does not take there (an option the
    /// set guards off, a key it does not have) and the mutant does: a
    /// persona, which can only give what the set offers, cannot script it.
    pub only_on_mutant: bool,
}

/// How the walk of the two side by side ended.
pub(crate) enum SideBySide {
    /// No input sequence tells them apart.
    Same,
    Parts(Parting),
    /// The state budget ran out first.
    Undecided,
}

/// What one step (or the settling at a start) shows a caller: the nodes
/// passed through and where it stopped. Node numbers are the same in the
/// set and the mutant, since patches never renumber.
#[derive(Debug, PartialEq)]
struct Seen {
    entered: Vec<NodeIx>,
    end: End,
}

#[derive(Debug, PartialEq)]
enum End {
    Waiting(NodeIx),
    /// A terminal, with its queue, what its people serve and whether it
    /// is closed.
    Terminal(NodeIx, Option<u32>, Vec<bool>, bool),
    Stuck(NodeIx),
    Dropped(InputKind),
    Nothing,
    NotThere,
}

/// Records the nodes a step passes through and whether the terminal it
/// arrives at is closed.
struct Witness<'g, 'a> {
    graph: &'g Graph<'a>,
    entered: Vec<NodeIx>,
    closed: bool,
}

impl Observer for Witness<'_, '_> {
    fn enter(&mut self, node: NodeIx) {
        self.entered.push(node);
    }
    fn arrive(&mut self, node: NodeIx, vars: u64) {
        self.closed = self.graph.closed_when(node, vars, &mut |_| {}).is_some();
    }
}

fn terminal(graph: &Graph, node: NodeIx, closed: bool) -> End {
    let served = (0..graph.intents.len())
        .map(|i| graph.serves.get(node as usize, i))
        .collect();
    End::Terminal(node, graph.queue_of.get(&node).copied(), served, closed)
}

fn settled_end(graph: &Graph, settled: &Settled, closed: bool) -> End {
    match *settled {
        Settled::Waiting(state) => End::Waiting(state.node),
        Settled::Terminal(node) => terminal(graph, node, closed),
        Settled::Returned(node)
        | Settled::DeadEnd(node, _)
        | Settled::SilentLoop(node)
        | Settled::CallTooDeep(node) => End::Stuck(node),
    }
}

fn step_end(graph: &Graph, step: &Step, closed: bool) -> End {
    match step {
        Step::Moved(settled) => settled_end(graph, settled, closed),
        // A re-prompt plays the node again, as a move back to it does: the
        // caller hears the same thing, and only the retries used differ,
        // which later steps show if they matter.
        Step::Reprompt(state) => End::Waiting(state.node),
        Step::Dropped(kind) => End::Dropped(*kind),
        Step::Ignored => End::Nothing,
        Step::Unavailable => End::NotThere,
    }
}

/// Where a step leaves the customer waiting, if it does.
fn waiting_after(step: &Step) -> Option<State> {
    match step {
        Step::Moved(Settled::Waiting(state)) | Step::Reprompt(state) => Some(*state),
        _ => None,
    }
}

/// The flows customers begin in: those no flow calls, and modules.
pub(crate) fn entry_flows(set: &MenuSet, graph: &Graph) -> Vec<u32> {
    (0..graph.flows.len() as u32)
        .filter(|&f| {
            let flow = &graph.flows[f as usize];
            !flow.called || set.flows[flow.model as usize].module
        })
        .collect()
}

/// Walks the set and the mutant side by side from every entry flow in
/// every world, giving every input either side takes at every state both
/// reach, until a caller would notice a difference.
pub(crate) fn side_by_side(set: &MenuSet, original: &Graph, mutant: &Graph) -> SideBySide {
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let mut left = Machine::new(original, rules);
    let mut right = Machine::new(mutant, rules);
    let budget = set.settings.limits.states;
    // Every pair of states seen, with how it was reached: its parent's
    // index and the input, for the parting's inputs.
    let mut seen: FxHashMap<(State, State), usize> = FxHashMap::default();
    let mut trail: Vec<(usize, Input)> = Vec::new();
    let mut visited_pairs = 0usize;
    // A difference only the mutant's inputs show is kept while the walk
    // looks on for one a persona can script.
    let mut unscriptable: Option<Parting> = None;
    for flow in entry_flows(set, original) {
        let start = original.flows[flow as usize].start;
        for &world in &original.worlds {
            let (a, seen_a) = settle(&mut left, start, world);
            let (b, seen_b) = settle(&mut right, start, world);
            if seen_a != seen_b {
                return SideBySide::Parts(Parting {
                    flow,
                    world,
                    inputs: Vec::new(),
                    only_on_mutant: false,
                });
            }
            let (Settled::Waiting(a), Settled::Waiting(b)) = (a, b) else {
                continue;
            };
            let root = usize::MAX;
            let mut queue = std::collections::VecDeque::new();
            if seen.insert((a, b), trail.len()).is_none() {
                trail.push((root, Input::Wait));
                queue.push_back((a, b, trail.len() - 1));
            }
            let mut inputs = Vec::new();
            let mut moves = Moves::default();
            while let Some((a, b, at)) = queue.pop_front() {
                visited_pairs += 1;
                if visited_pairs > budget {
                    return SideBySide::Undecided;
                }
                inputs.clear();
                for (machine, state) in [(&left, &a), (&right, &b)] {
                    moves.compute(machine, state);
                    let mut choices: Vec<Choice> = moves.others(machine.graph).collect();
                    if matches!(
                        machine.graph.nodes[state.node as usize].kind,
                        Kind::Ask { .. }
                    ) {
                        choices.push(Choice::Valid);
                    }
                    for choice in choices {
                        let input = render(machine, state, choice);
                        if !inputs.contains(&input) {
                            inputs.push(input);
                        }
                    }
                }
                for input in &inputs {
                    let step_a = take(&mut left, &a, input);
                    let step_b = take(&mut right, &b, input);
                    let (next_a, seen_a) = match step_a {
                        Some(x) => x,
                        None => {
                            if step_b.is_some() && unscriptable.is_none() {
                                let mut parting = parting_at(&trail, at, flow, world);
                                parting.inputs.push(input.clone());
                                parting.only_on_mutant = true;
                                unscriptable = Some(parting);
                            }
                            continue;
                        }
                    };
                    let (next_b, seen_b) = step_b.unwrap_or((
                        None,
                        Seen {
                            entered: Vec::new(),
                            end: End::NotThere,
                        },
                    ));
                    if seen_a != seen_b {
                        let mut parting = parting_at(&trail, at, flow, world);
                        parting.inputs.push(input.clone());
                        return SideBySide::Parts(parting);
                    }
                    if let (Some(na), Some(nb)) = (next_a, next_b) {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            seen.entry((na, nb))
                        {
                            slot.insert(trail.len());
                            trail.push((at, input.clone()));
                            queue.push_back((na, nb, trail.len() - 1));
                        }
                    }
                }
            }
        }
    }
    match unscriptable {
        Some(parting) => SideBySide::Parts(parting),
        None => SideBySide::Same,
    }
}

/// The inputs that lead to the pair at `at`.
fn parting_at(trail: &[(usize, Input)], mut at: usize, flow: u32, world: u64) -> Parting {
    let mut inputs = Vec::new();
    while at != usize::MAX {
        let (parent, input) = &trail[at];
        if *parent != usize::MAX {
            inputs.push(input.clone());
        }
        at = *parent;
    }
    inputs.reverse();
    Parting {
        flow,
        world,
        inputs,
        only_on_mutant: false,
    }
}

fn settle(machine: &mut Machine, start: NodeIx, world: u64) -> (Settled, Seen) {
    let graph = machine.graph;
    let mut witness = Witness {
        graph,
        entered: Vec::new(),
        closed: false,
    };
    let settled = machine.settle(start, world, 0, crate::graph::NONE, &mut witness);
    let end = settled_end(graph, &settled, witness.closed);
    (
        settled,
        Seen {
            entered: witness.entered,
            end,
        },
    )
}

/// Gives `input` at `state`: where it leaves the customer waiting, if it
/// does, and what it shows; `None` when the input cannot be given there.
fn take(machine: &mut Machine, state: &State, input: &Input) -> Option<(Option<State>, Seen)> {
    let choice = resolve(machine, state, input, &mut Quiet).ok()?;
    let graph = machine.graph;
    let mut witness = Witness {
        graph,
        entered: Vec::new(),
        closed: false,
    };
    let step = machine.step(state, choice, &mut witness);
    let end = step_end(graph, &step, witness.closed);
    Some((
        waiting_after(&step),
        Seen {
            entered: witness.entered,
            end,
        },
    ))
}
