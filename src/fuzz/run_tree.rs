//! Runs as a proptest strategy: generation is coverage-guided (it simulates
//! the customer and prefers edges no run has taken yet), and shrinking is
//! proptest's usual dance of `simplify` and `complicate` over the actions.

use std::cell::RefCell;

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use rand::Rng;

use super::actions::Actions;
use super::customer::{Customer, UNPLANNED};
use super::judge::{judge_with, Failure, Limits};
use crate::coverage::CoverageMap;
use crate::graph::{Graph, Kind, NodeIx};
use crate::machine::{Choice, Machine, Moves, State};

/// One fuzzed customer and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub customer: Customer,
    pub actions: Actions,
    /// As generated, not yet shrunk: its verdict is known already.
    pub fresh: bool,
}

/// Shared between the strategy and the runner's test: the machine (its
/// call-stack table grows), what runs have covered, and how many were made.
/// Each thread fuzzing a channel has its own, reused from batch to batch.
pub(crate) struct Shared<'g, 'a> {
    pub machine: Machine<'g, 'a>,
    pub coverage: CoverageMap,
    pub generated: usize,
    /// Steps the generated customers took, for throughput figures.
    pub steps: usize,
    pub worlds: Vec<u64>,
    /// Stop generating after this many runs, or at this instant.
    pub budget: usize,
    pub limits: Limits,
    /// Buffers reused from run to run.
    pub scratch: super::judge::Scratch,
    /// The verdict of the run generated last, which the runner tests first.
    pub verdict: Option<Result<(), Failure>>,
    pub deadline: Option<crate::clock::Deadline>,
}

pub(crate) struct RunStrategy<'s, 'g, 'a> {
    pub shared: &'s RefCell<Shared<'g, 'a>>,
    pub entry_flows: &'s [u32],
    /// The intents customers of this channel come with: those the
    /// catalogue expects on it (`channels:`), in catalogue order.
    pub intents: &'s [usize],
}

impl std::fmt::Debug for RunStrategy<'_, '_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunStrategy")
    }
}

impl Strategy for RunStrategy<'_, '_, '_> {
    type Tree = RunTree;
    type Value = Run;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut shared = self.shared.borrow_mut();
        // The first customer of a batch always runs, so that a batch that
        // started is never empty.
        let late = shared.generated > 0
            && shared
                .deadline
                .as_ref()
                .is_some_and(crate::clock::Deadline::passed);
        if shared.generated >= shared.budget || late {
            return Err("budget spent".into());
        }
        shared.generated += 1;
        let rng = runner.rng();
        let graph = shared.machine.graph;
        let intents = self.intents;
        // Two draws make the whole customer, cut into fields: drawing each
        // field on its own was a measurable share of a five-step run.
        let (first, second) = (rng.next_u64(), rng.next_u64());
        // One customer in eight has a need nobody planned for.
        let intent = if intents.is_empty() || first & 7 == 0 {
            None
        } else {
            Some(intents[below(first >> 32, 32, intents.len())])
        };
        let customer = Customer {
            intent,
            aimless: graph.intents.is_empty(),
            words: UNPLANNED[below(second, 21, UNPLANNED.len())],
            world: below(second >> 21, 21, shared.worlds.len()) as u32,
            flow: self.entry_flows[below(second >> 42, 21, self.entry_flows.len())],
        };
        let world = shared.worlds[customer.world as usize];
        // Generating the run and judging it is one pass: the verdict is kept
        // for the runner's first test of exactly this run.
        let shared = &mut *shared;
        let (verdict, actions) = judge_with(
            &mut shared.machine,
            &customer,
            world,
            &shared.limits,
            &mut |_, moves, state, coverage| pick_action(moves, graph, state, coverage, rng),
            Some(&mut shared.coverage),
            &mut shared.scratch,
        );
        shared.steps += actions.len();
        shared.verdict = Some(verdict);
        Ok(RunTree::new(Run {
            customer,
            actions,
            fresh: true,
        }))
    }
}

/// Maps the low `width` random bits of `bits` onto `0..n` by multiplying
/// and keeping the high part, which is as even as makes no difference for
/// `n` far below `2^width` (catalogues, worlds and flows are).
fn below(bits: u64, width: u32, n: usize) -> usize {
    let field = bits & ((1 << width) - 1);
    ((field * n as u64) >> width) as usize
}

/// What a generated customer does next: mostly the goal-directed move, with
/// wrong keys, silence, random options and retries mixed in, and edges no
/// run has taken yet first when there are any. A goal-directed step is
/// taken even when nothing fits: that is how a stuck customer is found.
fn pick_action(
    moves: &Moves,
    graph: &Graph,
    state: &State,
    coverage: Option<&CoverageMap>,
    rng: &mut impl Rng,
) -> u16 {
    let count = moves.other_count();
    // One draw per step: the low part picks the behaviour, the high part
    // which move; the generator is a measurable share of a short run.
    let draw = rng.next_u64();
    let roll = (draw % 100) as u32;
    let spread = (draw >> 32) as usize;
    // A customer part-way through a handler's retries (silent once, or a
    // wrong key once) mostly keeps at it while the handler's way on has
    // not been reached: the node after the last retry ("Sorry, goodbye")
    // is only reached by a run of the same input, which random choices
    // alone rarely make.
    if roll < 80 && (state.no_input > 0 || state.no_match > 0) {
        if let Some(k) = coverage.and_then(|c| persisting_move(moves, graph, state, c)) {
            return 1 + k as u16;
        }
    }
    if roll < 35 {
        if let Some(coverage) = coverage {
            if let Some(k) = untaken_move(moves, graph, state, coverage, spread) {
                return 1 + k as u16;
            }
        }
    }
    if roll < 75 || count == 0 {
        0
    } else {
        1 + (spread % count) as u16
    }
}

/// The move that repeats the input a handler is re-prompting for, when
/// that handler's way on has not been reached yet.
fn persisting_move(
    moves: &Moves,
    graph: &Graph,
    state: &State,
    coverage: &CoverageMap,
) -> Option<usize> {
    let (silence, wrong) = match &graph.nodes[state.node as usize].kind {
        Kind::Menu {
            no_input, no_match, ..
        } => (no_input, (no_match, Choice::NoMatch)),
        Kind::Ask {
            no_input, invalid, ..
        } => (no_input, (invalid, Choice::Invalid)),
        _ => return None,
    };
    let unreached = |then: NodeIx| coverage.nodes.get(then as usize) == Some(&false);
    let wanted = if state.no_input > 0 && silence.is_present() && unreached(silence.then) {
        Choice::NoInput
    } else if state.no_match > 0 && wrong.0.is_present() && unreached(wrong.0.then) {
        wrong.1
    } else {
        return None;
    };
    moves.others(graph).position(|choice| choice == wanted)
}

/// Which of the moves not taken by any run yet to make, the `spread`-th
/// of them (wrapping round), or `None` when every move has been taken.
/// This runs at a third of all steps, so the untaken moves of a state with
/// up to 64 moves (nearly all) are gathered as the bits of one word in a
/// single pass, and the one wanted is that word's `spread`-th set bit.
fn untaken_move(
    moves: &Moves,
    graph: &Graph,
    state: &State,
    coverage: &CoverageMap,
    spread: usize,
) -> Option<usize> {
    if moves.other_count() > 64 {
        return untaken_move_among_many(moves, graph, state, coverage, spread);
    }
    // The options, then the moves after them: an option is taken when its
    // own entry says so, and only the moves after them need
    // `CoverageMap::taken`'s look at what kind of move they are.
    let options = moves.options(graph);
    let mut untaken = 0u64;
    for (k, &option) in options.iter().enumerate() {
        untaken |= u64::from(!coverage.options[option as usize]) << k;
    }
    for t in 0..moves.tail_count() {
        let taken = coverage.taken(state, moves.tail_move(t));
        untaken |= u64::from(!taken) << (options.len() + t);
    }
    if untaken == 0 {
        return None;
    }
    for _ in 0..spread % untaken.count_ones() as usize {
        untaken &= untaken - 1;
    }
    Some(untaken.trailing_zeros() as usize)
}

/// [`untaken_move`] at a state with more moves than a word has bits (an
/// opaque step with many outcomes, a very wide menu): two passes, one to
/// count the untaken moves and one to find the one wanted.
fn untaken_move_among_many(
    moves: &Moves,
    graph: &Graph,
    state: &State,
    coverage: &CoverageMap,
    spread: usize,
) -> Option<usize> {
    let untaken = moves
        .others(graph)
        .filter(|&choice| !coverage.taken(state, choice))
        .count();
    if untaken == 0 {
        return None;
    }
    moves
        .others(graph)
        .enumerate()
        .filter(|(_, choice)| !coverage.taken(state, *choice))
        .nth(spread % untaken)
        .map(|(k, _)| k)
}

/// Shrinks a run's actions: first by removing chunks (halves, quarters,
/// ... single actions), then by turning each remaining action into the
/// goal-directed one.
#[derive(Debug, Clone)]
pub(crate) struct RunTree {
    customer: Customer,
    /// The last run known to fail, once shrinking has begun: copying it
    /// only then spares every passing run (nearly all of them) a copy.
    accepted: Vec<u16>,
    current: Actions,
    stage: Stage,
    /// Neither simplified nor complicated yet: `current` is the run as
    /// generated.
    untouched: bool,
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    Remove { size: usize, start: usize },
    Zero { index: usize },
    Done,
}

impl RunTree {
    fn new(run: Run) -> Self {
        let size = (run.actions.len() / 2).max(1);
        RunTree {
            customer: run.customer,
            accepted: Vec::new(),
            current: run.actions,
            stage: Stage::Remove { size, start: 0 },
            untouched: true,
        }
    }

    /// Makes `current` the next candidate from `accepted`, moving to the
    /// next stage when this one has nothing left to try.
    fn propose(&mut self) -> bool {
        loop {
            match self.stage {
                Stage::Remove { size, start } => {
                    if size == 0 || self.accepted.is_empty() {
                        self.stage = Stage::Zero { index: 0 };
                    } else if start + size > self.accepted.len() {
                        self.stage = Stage::Remove {
                            size: size / 2,
                            start: 0,
                        };
                    } else {
                        let mut candidate = self.accepted.clone();
                        candidate.drain(start..start + size);
                        self.current = candidate.into();
                        return true;
                    }
                }
                Stage::Zero { index } => {
                    if index >= self.accepted.len() {
                        self.stage = Stage::Done;
                    } else if self.accepted[index] == 0 {
                        self.stage = Stage::Zero { index: index + 1 };
                    } else {
                        let mut candidate = self.accepted.clone();
                        candidate[index] = 0;
                        self.current = candidate.into();
                        return true;
                    }
                }
                Stage::Done => {
                    self.current = Actions::new(&self.accepted);
                    return false;
                }
            }
        }
    }
}

impl ValueTree for RunTree {
    type Value = Run;

    fn current(&self) -> Run {
        Run {
            customer: self.customer.clone(),
            actions: self.current.clone(),
            fresh: self.untouched,
        }
    }

    /// Called when `current` still fails: keep it and try something simpler
    /// from the same place.
    fn simplify(&mut self) -> bool {
        self.untouched = false;
        self.accepted = self.current.to_vec();
        self.propose()
    }

    /// Called when `current` passed: go back to the last failing run and
    /// try the next candidate.
    fn complicate(&mut self) -> bool {
        if self.untouched {
            self.accepted = self.current.to_vec();
            self.untouched = false;
        }
        self.current = Actions::new(&self.accepted);
        self.stage = match self.stage {
            Stage::Remove { size, start } => Stage::Remove {
                size,
                start: start + 1,
            },
            Stage::Zero { index } => Stage::Zero { index: index + 1 },
            Stage::Done => Stage::Done,
        };
        self.propose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure that needs the actions 7 and 9 somewhere shrinks to exactly
    /// those two, with everything else removed.
    #[test]
    fn shrinks_to_the_actions_that_matter() {
        let customer = Customer {
            intent: None,
            aimless: true,
            words: "",
            world: 0,
            flow: 0,
        };
        let mut tree = RunTree::new(Run {
            customer,
            actions: Actions::new(&[3, 7, 0, 4, 9, 2, 5]),
            fresh: true,
        });
        let fails = |a: &[u16]| a.contains(&7) && a.contains(&9);
        assert!(fails(&tree.current().actions));
        let mut more = tree.simplify();
        while more {
            more = if fails(&tree.current().actions) {
                tree.simplify()
            } else {
                tree.complicate()
            };
        }
        assert_eq!(&*tree.current().actions, &[7, 9]);
    }
}

#[cfg(test)]
mod untaken_tests {
    use super::*;
    use crate::fuzz::waiting_states::waiting_states_of_the_bundled_set;

    /// The one-word way of finding the `spread`-th untaken move picks the
    /// move the plain two-pass way picks, under coverage maps with every
    /// mix of taken and untaken moves.
    #[test]
    fn the_untaken_move_is_the_one_counting_them_gives() {
        waiting_states_of_the_bundled_set(|machine, states| {
            let graph = machine.graph;
            let mut moves = Moves::default();
            let mut coverage = CoverageMap::new(graph);
            // Take a different mix of edges for each pass: none, then a
            // pseudo-random share of them, then nearly all.
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            for share in [0u64, 30, 70, 97] {
                for state in states {
                    moves.compute(machine, state);
                    for choice in moves.others(graph) {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        if seed % 100 < share {
                            // Any step that went somewhere marks the edge.
                            coverage.record(state, choice, &crate::machine::Step::Reprompt(*state));
                        }
                    }
                    for spread in [0usize, 1, 2, 5, 17, 1 << 31] {
                        assert_eq!(
                            untaken_move(&moves, graph, state, &coverage, spread),
                            untaken_move_among_many(&moves, graph, state, &coverage, spread),
                            "{state:?} {spread}"
                        );
                    }
                }
            }
        });
    }
}
