//! The fuzzer: seeded random customers walking the compiled graph, judged
//! by an oracle, each failure shrunk by proptest to the shortest run that
//! still fails and replayed to prove it.
//!
//! Every random choice comes from the seed, so the same set, seed and run
//! count give the same report. A time budget (`--time`) trades that for a
//! bound on wall time: how many runs fit depends on the machine.

mod actions;
mod customer;
mod judge;
mod run_tree;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use rustc_hash::FxHashSet;

use crate::analysis::raw::RawFinding;
use crate::clock::{Deadline, TimeBudget};
use crate::coverage::CoverageMap;
use crate::finding::{Code, Finding, FindingSource};
use crate::graph::{compile, CompileError, Graph, NodeIx};
use crate::input::Input;
use crate::machine::{Machine, Rules};
use crate::model::{Level, MenuSet};
use crate::replay::{replay_compiled, Ending};

pub(crate) use crate::results::FuzzOutcome;
/// The fuzzer's results are report types, declared below both.
pub use crate::results::FuzzSummary;
pub use actions::Actions;
pub use customer::Customer;
pub use judge::{judge, Failure, Limits};
pub use run_tree::Run;

/// How much fuzzing to do.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    pub seed: u64,
    /// Customers in all, shared out over the channels.
    pub runs: usize,
    /// How long to fuzz, counted from when fuzzing starts (after loading
    /// and the walk), shared out over the channels, on the clock the caller
    /// gives: the fuzzer never reads the time itself.
    pub time: Option<TimeBudget>,
    /// Set per channel from `time`; not for callers.
    #[doc(hidden)]
    pub deadline: Option<Deadline>,
    /// Steps after which a run ends.
    pub max_steps: usize,
    /// `Some((k, n))`: run only shard k of n (1-based), for CI matrices.
    pub shard: Option<(usize, usize)>,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions {
            seed: 42,
            runs: 1000,
            time: None,
            deadline: None,
            max_steps: 64,
            shard: None,
        }
    }
}

/// Progress as the fuzzer goes, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub runs: usize,
    pub total: usize,
    pub edges_covered: usize,
    pub edges: usize,
    pub failures: usize,
}

/// proptest's runner for one batch of a channel: the user's seed, and the
/// channel and batch mixed into the other eight bytes XorShift takes.
fn runner(seed: u64, channel: usize, batch: usize) -> TestRunner {
    let mut mix = (channel as u64) << 48 ^ (batch as u64) << 16;
    mix = (mix ^ (mix >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    mix = (mix ^ (mix >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    mix ^= mix >> 31;
    seeded_runner(seed, mix.to_le_bytes(), 20_000)
}

/// proptest's runner, configured so that nothing but our seed decides what
/// it does: no failure files, no environment overrides that matter. The
/// generator is seeded with `seed` and `stream`, which tells apart the
/// runners of one session.
pub(crate) fn seeded_runner(seed: u64, stream: [u8; 8], max_shrink_iters: u32) -> TestRunner {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..].copy_from_slice(&stream);
    let config = Config {
        failure_persistence: None,
        max_shrink_iters,
        max_shrink_time: 0,
        verbose: 0,
        source_file: None,
        test_name: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    };
    // XorShift, not ChaCha: it is the cheaper generator, and proptest derives
    // a fresh one for every case it tests while shrinking.
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::XorShift, &bytes))
}

/// Customers per batch; see `fuzz_channel`.
const BATCH: usize = 128;

/// Fuzzes every channel of the set.
pub fn fuzz(
    set: &MenuSet,
    options: &FuzzOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<FuzzOutcome, CompileError> {
    let channels = set.channels();
    let mut outcome = FuzzOutcome {
        summary: FuzzSummary {
            seed: options.seed,
            ..FuzzSummary::default()
        },
        ..FuzzOutcome::default()
    };
    let mut totals = (0usize, 0usize);
    // A time budget is shared out like the runs: each channel gets its
    // slice, so the first one cannot spend it all.
    let started = options
        .time
        .as_ref()
        .map(|budget| (budget.clock.elapsed(), budget));
    for (c, &channel) in channels.iter().enumerate() {
        let graph = compile(set, channel)?;
        let mut options = options.clone();
        if let Some((started, budget)) = started {
            let share = budget.total.mul_f64((c + 1) as f64 / channels.len() as f64);
            options.deadline = Some(Deadline::at(Arc::clone(&budget.clock), started + share));
        }
        let options = &options;
        // Share the runs out evenly, the first channels taking the remainder.
        let share = options.runs / channels.len() + usize::from(c < options.runs % channels.len());
        let (findings, runs, reaches, failures_unreplayed) =
            fuzz_channel(&graph, set, options, c, share, &mut |p| {
                progress(Progress {
                    runs: outcome.summary.runs + p.runs,
                    total: options.runs,
                    edges_covered: totals.1 + p.edges_covered,
                    edges: totals.0 + p.edges,
                    failures: outcome.findings.len() + p.failures,
                })
            });
        outcome.summary.runs += runs.0;
        outcome.summary.steps += runs.1;
        let edges = edge_counts(&reaches);
        totals.0 += edges.0;
        totals.1 += edges.1;
        outcome.coverage.extend(reaches);
        outcome.findings.extend(findings);
        for (batch, failure) in failures_unreplayed {
            outcome.notes.push(format!(
                "a {channel} fuzz failure of batch {batch} did not reproduce when replayed and was left out ({failure}); please report this as a touchpoint bug"
            ));
        }
    }
    outcome.summary.edges = totals.0;
    outcome.summary.edges_covered = totals.1;
    outcome.summary.failures = outcome.findings.len();
    for finding in &mut outcome.findings {
        finding.level = set.settings.level(finding.code);
    }
    outcome.findings.retain(|f| f.level != Level::Off);
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // Notes in one order whatever the split, so that the notes of shards
    // merged (`report::merge`) are the notes of the unsharded run.
    outcome.notes.sort();
    outcome.notes.dedup();
    Ok(outcome)
}

type ChannelOutcome = (
    Vec<Finding>,
    (usize, usize),
    Vec<crate::coverage::FlowReach>,
    Vec<(usize, String)>,
);

fn fuzz_channel(
    graph: &Graph,
    set: &MenuSet,
    options: &FuzzOptions,
    channel_index: usize,
    runs: usize,
    progress: &mut dyn FnMut(Progress),
) -> ChannelOutcome {
    let entry_flows: Vec<u32> = (0..graph.flows.len() as u32)
        .filter(|&f| !graph.flows[f as usize].called)
        .collect();
    if entry_flows.is_empty() || runs == 0 {
        return (
            Vec::new(),
            (0, 0),
            crate::coverage::flow_reaches(graph, &CoverageMap::new(graph)),
            Vec::new(),
        );
    }
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let limits = Limits {
        max_steps: options.max_steps,
    };
    let mut coverage = CoverageMap::new(graph);
    let (edge_total, mut covered) = coverage.edge_counts(graph);
    let mut generated = (0usize, 0usize);
    // Every batch's new failures, each batch on its own: a failure another
    // batch found too is still this batch's, so that a shard holding only
    // this batch finds exactly what the unsharded run found in it.
    let mut failures: Vec<(u32, Run, Failure)> = Vec::new();
    // One set of machine, buffers and batch coverage serves every batch:
    // setting them up costs time in proportion to the graph, and a batch of
    // a big graph reaches only a sliver of it. Each batch starts from an
    // empty map all the same, so batches stay independent of each other.
    let shared = Rc::new(RefCell::new(run_tree::Shared {
        machine: Machine::new(graph, rules),
        coverage: CoverageMap::new(graph),
        generated: 0,
        steps: 0,
        worlds: crate::analysis::worlds(graph),
        budget: 0,
        limits: Limits {
            max_steps: options.max_steps,
        },
        verdict: None,
        scratch: Default::default(),
        deadline: options.deadline.clone(),
    }));
    let strategy = run_tree::RunStrategy {
        shared: Rc::clone(&shared),
        entry_flows,
        intents: (0..graph.intents.len())
            .filter(|&x| graph.expects(x))
            .collect(),
        _marker: std::marker::PhantomData,
    };
    // Runs come in batches that depend on nothing outside themselves (their
    // own seed, their own coverage guidance), so that shards of a run, each
    // taking every N-th batch, add up to exactly the unsharded run.
    for batch in 0..runs.div_ceil(BATCH) {
        if options.shard.is_some_and(|(k, n)| batch % n != k - 1) {
            continue;
        }
        // Past the deadline no new batch starts, but every channel gets at
        // least one, however slow the machine.
        if generated.0 > 0 && options.deadline.as_ref().is_some_and(Deadline::passed) {
            break;
        }
        let size = BATCH.min(runs - batch * BATCH);
        {
            let mut shared = shared.borrow_mut();
            shared.generated = 0;
            shared.steps = 0;
            shared.budget = size;
            shared.verdict = None;
        }
        // Customers are drawn from the strategy one by one with the batch's
        // runner, and each was judged as it was made: only a failure not
        // seen in this batch yet goes to proptest, which replays it and
        // shrinks it. Passing customers (nearly all) skip proptest's
        // per-case bookkeeping.
        let mut runner = runner(options.seed, channel_index, batch);
        let mut known: FxHashSet<(Code, NodeIx, u32)> = FxHashSet::default();
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
                    failures.push((batch as u32, run, failure));
                }
            }
        }
        let mut batch_state = shared.borrow_mut();
        covered += batch_state.coverage.drain_into(&mut coverage, graph);
        generated.0 += batch_state.generated;
        generated.1 += batch_state.steps;
        drop(batch_state);
        let edges = edge_total;
        progress(Progress {
            runs: generated.0,
            total: runs,
            edges_covered: covered,
            edges,
            failures: failures.len(),
        });
    }
    let counts = crate::coverage::flow_reaches(graph, &coverage);
    // A finding several batches found is reported with the repro of the
    // earliest batch whose repro replays, as `report::merge` keeps the
    // earliest batch's across shards. Findings are told apart as the report
    // tells them apart (`Finding::identity`), not by the fuzzer's key: two
    // failures can be one finding once re-expressed (a dead end in a
    // called flow, met through two callers), and one failure two findings
    // (re-expressed in the called flow from one batch's repro, left with
    // the caller from another's). Every batch's repro is checked, not only
    // until one replays, so that whether a batch's repro replays is said
    // (as a note) whichever shard runs the batch.
    let mut findings: Vec<Finding> = Vec::new();
    let mut reported: FxHashSet<(Code, String, String, u32)> = FxHashSet::default();
    let mut unreplayed = Vec::new();
    for (batch, run, failure) in failures {
        let mut finding = to_finding(graph, set, &run, &failure);
        finding.fuzz_batch = Some(batch);
        if reproduces_in(graph, set, &finding) {
            let identity = finding.identity();
            let identity = (
                identity.0,
                identity.2.to_string(),
                identity.3.to_string(),
                identity.4,
            );
            if reported.insert(identity) {
                findings.push(finding);
            }
        } else {
            unreplayed.push((
                batch as usize,
                format!(
                    "{} at `{}` with inputs [{}]",
                    finding.code,
                    finding.node,
                    finding.inputs.join(", ")
                ),
            ));
        }
    }
    (findings, generated, counts, unreplayed)
}

/// Option and handler edges of some flows, and how many were taken.
fn edge_counts(reaches: &[crate::coverage::FlowReach]) -> (usize, usize) {
    reaches.iter().fold((0, 0), |(edges, covered), r| {
        (
            edges + r.totals.1 + r.totals.2,
            covered + r.reach.options_covered + r.reach.handlers_covered,
        )
    })
}

fn to_finding(graph: &Graph, set: &MenuSet, run: &Run, failure: &Failure) -> Finding {
    let mut raw = RawFinding::new(
        failure.code,
        failure.node,
        failure.detail,
        run.customer.world,
        failure.choices.clone(),
    )
    .message(failure.message.clone());
    raw.entry_flow = Some(run.customer.flow);
    if let Some(intent) = failure.intent {
        raw = raw.intent(intent);
    }
    if let Some(span) = failure.span {
        raw = raw.at(span);
    }
    // The guards of the menu where the run failed decide it as much as the
    // path there (an option guarded off is why nothing fits), so their
    // variables belong to the finding.
    if let Some(state) = last_waiting_state(graph, set, run, &failure.choices) {
        if let crate::graph::Kind::Menu { guard_mask, .. } = &graph.nodes[state.node as usize].kind
        {
            raw = raw.guards(*guard_mask, state.vars);
        }
    }
    let mut finding = crate::analysis::to_finding(graph, set, &raw, true);
    finding.source = FindingSource::Fuzz;
    finding
}

/// Where the customer last waited when playing `choices`.
fn last_waiting_state(
    graph: &Graph,
    set: &MenuSet,
    run: &Run,
    choices: &[crate::machine::Choice],
) -> Option<crate::machine::State> {
    use crate::machine::{Quiet, Settled, Step};
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let mut machine = Machine::new(graph, rules);
    let world = graph.worlds[run.customer.world as usize];
    let start = graph.flows[run.customer.flow as usize].start;
    let Settled::Waiting(mut state) =
        machine.settle(start, world, 0, crate::graph::NONE, &mut Quiet)
    else {
        return None;
    };
    for &choice in choices {
        match machine.step(&state, choice, &mut Quiet) {
            Step::Moved(Settled::Waiting(next)) | Step::Reprompt(next) => state = next,
            Step::Ignored | Step::Unavailable => {}
            _ => break,
        }
    }
    Some(state)
}

/// Replays a finding's printed inputs and checks that they end the way the
/// finding says: the proof that shrinking kept the failure.
pub fn reproduces(set: &MenuSet, finding: &Finding) -> bool {
    compile(set, finding.channel).is_ok_and(|graph| reproduces_in(&graph, set, finding))
}

/// [`reproduces`] on the finding's channel's graph, compiled already.
fn reproduces_in(graph: &Graph, set: &MenuSet, finding: &Finding) -> bool {
    let Ok(inputs) = finding
        .inputs
        .iter()
        .map(|i| Input::parse(i))
        .collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let Ok(transcript) = replay_compiled(set, graph, &finding.flow, &inputs, &finding.vars) else {
        return false;
    };
    match (&transcript.ending, finding.code) {
        (Ending::Dropped { node, .. }, Code::UnhandledInput) => *node == finding.node,
        (Ending::DeadEnd { node, .. }, Code::DeadEnd) => *node == finding.node,
        (Ending::Loop { .. }, Code::Trap) => true,
        (Ending::Waiting { node }, Code::NoFit | Code::Trap) => *node == finding.node,
        (Ending::Terminal { .. }, Code::MisleadingOption) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;

    fn menus() -> MenuSet {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        crate::loader::load_set(&path).expect("the bundled set loads")
    }

    fn budget(clock: &Arc<ManualClock>, total: Duration) -> Option<TimeBudget> {
        let clock: Arc<dyn crate::clock::Clock> = clock.clone();
        Some(TimeBudget::new(total, clock))
    }

    /// The fuzzer reads the time only from the clock it is given: on one
    /// that does not move, a budget never runs out and the session is the
    /// one the run count alone makes.
    #[test]
    fn a_budget_on_a_clock_that_stands_still_changes_nothing() {
        let set = menus();
        let counted = FuzzOptions {
            seed: 7,
            runs: 400,
            ..FuzzOptions::default()
        };
        let timed = FuzzOptions {
            time: budget(&Arc::new(ManualClock::new()), Duration::from_secs(1)),
            ..counted.clone()
        };
        let by_count = fuzz(&set, &counted, &mut |_| {}).unwrap();
        let by_time = fuzz(&set, &timed, &mut |_| {}).unwrap();
        assert_eq!(by_time.summary, by_count.summary);
        assert_eq!(by_time.findings, by_count.findings);
        assert_eq!(by_time.notes, by_count.notes);
    }

    /// Time that runs out during the first channel's first batch ends that
    /// channel after the batch; every later channel still starts a batch,
    /// and its first customer runs, however late it is.
    #[test]
    fn a_spent_budget_ends_each_channel_after_its_first_customers() {
        let set = menus();
        let channels = set.channels().len();
        assert!(channels > 1, "the bundled set has several channels");
        let clock = Arc::new(ManualClock::new());
        let options = FuzzOptions {
            seed: 7,
            runs: 1000 * channels,
            time: budget(&clock, Duration::from_secs(10)),
            ..FuzzOptions::default()
        };
        let mut late = |_: Progress| clock.set(Duration::from_secs(60));
        let outcome = fuzz(&set, &options, &mut late).unwrap();
        assert_eq!(outcome.summary.runs, BATCH + (channels - 1));
    }
}
