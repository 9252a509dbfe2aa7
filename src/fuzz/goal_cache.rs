//! The goal-directed move at a menu, remembered from customer to customer.
//!
//! Working the move out reads every offered option and its row of the fits
//! table, which on a large graph are mostly not in the cache: the fuzzer's
//! customers take the goal-directed move at over half their steps, and it
//! was about a tenth of a fuzzed step. What it picks depends only on the
//! menu, the customer's need and the values the menu's guards read, so the
//! answer is kept in a small table keyed by exactly those, and a customer
//! who comes where another with the same need was reads one entry instead.
//! An entry is only ever the answer [`Moves::goal`] gives for its key, so
//! whether a lookup hits changes nothing but the time it takes.

use crate::graph::{NodeIx, NONE};
use crate::machine::{Choice, Machine, Moves, Need};

/// Entries in a table: 8,192 of 24 bytes, small enough to stay in a core's
/// second-level cache beside the graph's hot parts.
const BITS: u32 = 13;

/// A direct-mapped table of goal-directed moves, one per fuzzing thread.
/// An empty table keeps nothing and asks [`Moves::goal`] every time: a
/// single `judge` of a run would fill only a handful of entries, not worth
/// setting up the table for.
#[derive(Debug, Default)]
pub(super) struct GoalCache {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The menu, or `NONE` for an entry never filled: no customer waits at
    /// `NONE`.
    node: NodeIx,
    need: u32,
    guard_bits: u64,
    chosen: Option<Choice>,
}

impl GoalCache {
    /// A table that remembers, for the fuzzer's generating threads.
    pub(super) fn remembering() -> Self {
        GoalCache {
            entries: vec![
                Entry {
                    node: NONE,
                    need: 0,
                    guard_bits: 0,
                    chosen: None,
                };
                1 << BITS
            ],
        }
    }

    /// The goal-directed move for `need` among `moves` (worked out at the
    /// customer's node): what [`Moves::goal`] says, read from the table
    /// when a customer with the same need stood at the same menu with the
    /// same values of its guards' variables.
    #[inline]
    pub(super) fn goal(
        &mut self,
        moves: &Moves,
        machine: &Machine,
        node: NodeIx,
        need: Option<Need>,
    ) -> Option<Choice> {
        // Away from a menu the move is fixed already and costs nothing.
        let (Some(guard_bits), false) = (moves.menu_guard_bits(), self.entries.is_empty()) else {
            return moves.goal(machine, need);
        };
        let need_key = match need {
            // Catalogues of billions of intents do not happen, but their
            // numbers must not meet the keys of the other needs.
            Some(Need::Intent(x)) if x >= (u32::MAX - 2) as usize => {
                return moves.goal(machine, need);
            }
            Some(Need::Intent(x)) => x as u32,
            Some(Need::Unplanned) => u32::MAX,
            Some(Need::Anything) => u32::MAX - 1,
            None => u32::MAX - 2,
        };
        let slot = slot(node, need_key, guard_bits);
        let entry = &mut self.entries[slot];
        if entry.node == node && entry.need == need_key && entry.guard_bits == guard_bits {
            return entry.chosen;
        }
        let chosen = moves.goal(machine, need);
        *entry = Entry {
            node,
            need: need_key,
            guard_bits,
            chosen,
        };
        chosen
    }
}

/// Where a key goes in the table: the key's words mixed by multiplication
/// (as FxHash does), the top bits kept.
fn slot(node: NodeIx, need: u32, guard_bits: u64) -> usize {
    const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
    let key = (u64::from(node) | u64::from(need) << 32).wrapping_mul(MIX);
    let mixed = (key ^ guard_bits).wrapping_mul(MIX);
    (mixed >> (64 - BITS)) as usize
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::graph::{compile, Graph};
    use crate::machine::{Quiet, Rules, Settled, State, Step};

    /// Every state a customer of the bundled set can wait at (up to a
    /// bound per channel), reached by every move from every start in every
    /// world, with the compiled graph of each channel: menus with guards
    /// and without, asks, on the phone and on the web.
    pub(in crate::fuzz) fn waiting_states_of_the_bundled_set(
        mut each: impl FnMut(&mut Machine, &[State]),
    ) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let set = crate::loader::load_set(&path).expect("the bundled set loads");
        for channel in set.channels() {
            let graph: Graph = compile(&set, channel).expect("the bundled set compiles");
            let rules = Rules {
                call_depth: set.settings.limits.call_depth,
                standalone: false,
            };
            let mut machine = Machine::new(&graph, rules);
            let mut seen = rustc_hash::FxHashSet::default();
            let mut pending = Vec::new();
            for world in crate::analysis::worlds(&graph) {
                for flow in &graph.flows {
                    if let Settled::Waiting(state) =
                        machine.settle(flow.start, world, 0, NONE, &mut Quiet)
                    {
                        if seen.insert(state) {
                            pending.push(state);
                        }
                    }
                }
            }
            let mut states = Vec::new();
            let mut moves = Moves::default();
            while let Some(state) = pending.pop() {
                states.push(state);
                if states.len() >= 3_000 {
                    break;
                }
                moves.compute(&machine, &state);
                let choices: Vec<Choice> = moves
                    .others(machine.graph)
                    .chain(moves.goal(&machine, None))
                    .collect();
                for choice in choices {
                    if let Step::Moved(Settled::Waiting(next)) | Step::Reprompt(next) =
                        machine.step(&state, choice, &mut Quiet)
                    {
                        if seen.insert(next) {
                            pending.push(next);
                        }
                    }
                }
            }
            assert!(states.len() > 20, "{channel}: {} states", states.len());
            each(&mut machine, &states);
        }
    }

    /// Moves that remember what menus offer, and a table that remembers
    /// goal-directed moves, give exactly what working them out afresh
    /// gives, for every need, whether the entry was there already or not.
    #[test]
    fn remembered_moves_and_goals_are_the_ones_worked_out_afresh() {
        let mut guarded_menus = 0;
        waiting_states_of_the_bundled_set(|machine, states| {
            let graph = machine.graph;
            let mut needs = vec![None, Some(Need::Unplanned), Some(Need::Anything)];
            needs.extend((0..graph.intents.len()).map(|x| Some(Need::Intent(x))));
            let mut afresh = Moves::default();
            let mut remembering = Moves::remembering();
            let mut goals = GoalCache::remembering();
            // Twice over: the second pass reads what the first one kept.
            for _ in 0..2 {
                for state in states {
                    afresh.compute(machine, state);
                    remembering.compute(machine, state);
                    let expected: Vec<Choice> = afresh.others(graph).collect();
                    let remembered: Vec<Choice> = remembering.others(graph).collect();
                    assert_eq!(remembered, expected, "{state:?}");
                    if remembering.menu_guard_bits().is_some_and(|bits| bits != 0) {
                        guarded_menus += 1;
                    }
                    for &need in &needs {
                        assert_eq!(
                            goals.goal(&remembering, machine, state.node, need),
                            afresh.goal(machine, need),
                            "{state:?} {need:?}"
                        );
                    }
                }
            }
        });
        assert!(guarded_menus > 0, "no menu with guards was met");
    }
}
