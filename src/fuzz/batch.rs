//! One batch of fuzzed customers, which depends on nothing outside itself
//! (its own seed, its own coverage guidance), so that batches can run on
//! any thread in any order and still give what one thread gives.

use std::cell::RefCell;
use std::sync::{Mutex, PoisonError};

use proptest::strategy::Strategy;
use proptest::test_runner::{TestCaseError, TestError};
use rustc_hash::FxHashSet;

use super::judge::{judge, Failure, Limits};
use super::run_tree::{RunStrategy, Shared};
use super::{runner, Run, BATCH};
use crate::clock::Deadline;
use crate::coverage::{CoverageMap, Reached};
use crate::finding::Code;
use crate::graph::{Graph, NodeIx};
use crate::machine::{Machine, Rules};

/// What a channel's batches share: the graph, who its customers are, the
/// run count and the deadline, and the machines and buffers of batches
/// that have finished, for the next batch to reuse.
pub(super) struct ChannelPlan<'g, 'a> {
    pub(super) graph: &'g Graph<'a>,
    /// The channel's place in the set's channels, which seeds its batches.
    index: usize,
    seed: u64,
    /// Customers this channel plays, before sharding.
    runs: usize,
    rules: Rules,
    max_steps: usize,
    pub(super) deadline: Option<Deadline>,
    entry_flows: Vec<u32>,
    intents: Vec<usize>,
    /// Machines, coverage maps and buffers no batch is using. Setting one
    /// up costs time in proportion to the graph, and a batch of a big graph
    /// reaches only a sliver of it, so each is reused: there are never more
    /// than there are threads running this channel's batches at once.
    spare: Mutex<Vec<Shared<'g, 'a>>>,
}

/// What one batch found, handed back to be merged in batch order.
pub(super) struct BatchOutcome {
    pub(super) batch: u32,
    /// Customers generated and the steps they took.
    pub(super) generated: usize,
    pub(super) steps: usize,
    pub(super) reached: Reached,
    /// The batch's failures, each shrunk, in the order it found them.
    pub(super) failures: Vec<(Run, Failure)>,
}

impl<'g, 'a> ChannelPlan<'g, 'a> {
    pub(super) fn new(
        graph: &'g Graph<'a>,
        index: usize,
        seed: u64,
        runs: usize,
        rules: Rules,
        max_steps: usize,
        deadline: Option<Deadline>,
    ) -> Self {
        let entry_flows: Vec<u32> = (0..graph.flows.len() as u32)
            .filter(|&f| !graph.flows[f as usize].called)
            .collect();
        let intents = (0..graph.intents.len())
            .filter(|&x| graph.expects(x))
            .collect();
        ChannelPlan {
            graph,
            index,
            seed,
            runs,
            rules,
            max_steps,
            deadline,
            entry_flows,
            intents,
            spare: Mutex::new(Vec::new()),
        }
    }

    /// The channel's batches, in order, that `shard` (k of n) runs: every
    /// n-th, so that shards add up to exactly the unsharded run.
    pub(super) fn batches(&self, shard: Option<(usize, usize)>) -> impl Iterator<Item = usize> {
        let count = if self.entry_flows.is_empty() {
            0
        } else {
            self.runs.div_ceil(BATCH)
        };
        (0..count).filter(move |batch| shard.is_none_or(|(k, n)| batch % n == k - 1))
    }

    pub(super) fn deadline_passed(&self) -> bool {
        self.deadline.as_ref().is_some_and(Deadline::passed)
    }

    fn shared(&self) -> Shared<'g, 'a> {
        let spare = self
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        spare.unwrap_or_else(|| Shared {
            machine: Machine::new(self.graph, self.rules),
            coverage: CoverageMap::new(self.graph),
            generated: 0,
            steps: 0,
            worlds: crate::analysis::worlds(self.graph),
            budget: 0,
            limits: Limits {
                max_steps: self.max_steps,
            },
            verdict: None,
            scratch: Default::default(),
            deadline: self.deadline.clone(),
        })
    }

    /// Plays batch `batch`: its customers drawn from the strategy one by
    /// one with the batch's runner, each judged as it was made. Only a
    /// failure not seen in this batch yet goes to proptest, which replays
    /// it and shrinks it; passing customers (nearly all) skip proptest's
    /// per-case bookkeeping.
    pub(super) fn run_batch(&self, batch: usize) -> BatchOutcome {
        let mut shared = self.shared();
        shared.generated = 0;
        shared.steps = 0;
        shared.budget = BATCH.min(self.runs - batch * BATCH);
        shared.verdict = None;
        let shared = RefCell::new(shared);
        let strategy = RunStrategy {
            shared: &shared,
            entry_flows: &self.entry_flows,
            intents: &self.intents,
        };
        let limits = Limits {
            max_steps: self.max_steps,
        };
        let mut runner = runner(self.seed, self.index, batch);
        // A failure another batch found too is still this batch's, so that a
        // shard holding only this batch finds exactly what the unsharded run
        // found in it.
        let mut known: FxHashSet<(Code, NodeIx, u32)> = FxHashSet::default();
        let mut failures = Vec::new();
        while let Ok(tree) = strategy.new_tree(&mut runner) {
            let new_failure = match &shared.borrow().verdict {
                Some(Err(f)) => !known.contains(&(f.code, f.node, f.detail)),
                _ => false,
            };
            if !new_failure {
                continue;
            }
            let result = runner.run_one(tree, |run| {
                let mut shared = shared.borrow_mut();
                // The run just generated was judged while it was made.
                let cached = if run.fresh {
                    shared.verdict.take()
                } else {
                    None
                };
                let verdict = match cached {
                    Some(verdict) => verdict,
                    None => {
                        let world = shared.worlds[run.customer.world as usize];
                        judge(
                            &mut shared.machine,
                            &run.customer,
                            world,
                            &run.actions,
                            &limits,
                        )
                    }
                };
                match verdict {
                    Err(f) if !known.contains(&(f.code, f.node, f.detail)) => {
                        Err(TestCaseError::fail(f.message))
                    }
                    _ => Ok(()),
                }
            });
            if let Err(TestError::Fail(_, run)) = result {
                let mut shared = shared.borrow_mut();
                let world = shared.worlds[run.customer.world as usize];
                if let Err(failure) = judge(
                    &mut shared.machine,
                    &run.customer,
                    world,
                    &run.actions,
                    &limits,
                ) {
                    known.insert((failure.code, failure.node, failure.detail));
                    failures.push((run, failure));
                }
            }
        }
        let mut shared = shared.into_inner();
        let outcome = BatchOutcome {
            batch: batch as u32,
            generated: shared.generated,
            steps: shared.steps,
            reached: shared.coverage.take_reached(),
            failures,
        };
        self.spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(shared);
        outcome
    }
}
