//! Waiting states of the bundled set, for the tests that hold the
//! fuzzer's shortcuts to the plain way of working out the same thing.

use crate::graph::{compile, Graph, NONE};
use crate::machine::{Choice, Machine, Moves, Quiet, Rules, Settled, State, Step};

/// Every state a customer of the bundled set can wait at (up to a
/// bound per channel), reached by every move from every start in every
/// world, with the compiled graph of each channel: menus with guards
/// and without, asks, on the phone and on the web.
pub(super) fn waiting_states_of_the_bundled_set(mut each: impl FnMut(&mut Machine, &[State])) {
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
