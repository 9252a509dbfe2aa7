//! The fuzzer: seeded random customers walking the compiled graph, judged
//! by an oracle, each failure shrunk by proptest to the shortest run that
//! still fails and replayed to prove it.
//!
//! Every random choice comes from the seed, so the same set, seed and run
//! count give the same report. A time budget (`--time`) trades that for a
//! bound on wall time: how many runs fit depends on the machine.

mod actions;
mod batch;
mod customer;
mod judge;
mod run_tree;
#[cfg(test)]
mod waiting_states;

use std::sync::Arc;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::analysis::raw::RawFinding;
use crate::clock::{Deadline, TimeBudget};
use crate::coverage::CoverageMap;
use crate::finding::{Code, Finding, FindingSource};
use crate::graph::{compile, CompileError, Graph, Graphs};
use crate::input::Input;
use crate::machine::{Machine, Rules};
use crate::model::{Level, MenuSet};
use crate::replay::{replay_compiled, Ending};

pub(crate) use crate::results::FuzzOutcome;
/// The fuzzer's results are report types, declared below both.
pub use crate::results::FuzzSummary;
pub use actions::Actions;
use batch::{BatchOutcome, ChannelPlan};
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

/// Customers per batch; see `batch.rs`.
const BATCH: usize = 128;

/// Fuzzes every channel of the set.
///
/// Batches run on rayon's threads (`--jobs`), every channel's at once, and
/// are merged in the order one thread plays them (channel by channel, batch
/// by batch), so the outcome does not depend on how many threads there are.
/// The exception is a time budget: how many batches start before the
/// deadline depends on the machine's speed, and so on its threads too.
pub fn fuzz(
    set: &MenuSet,
    options: &FuzzOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<FuzzOutcome, CompileError> {
    fuzz_graphs(&Graphs::new(set), options, progress)
}

/// [`fuzz`] on graphs other engines may share (see [`Graphs`]).
pub fn fuzz_graphs(
    compiled: &Graphs,
    options: &FuzzOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<FuzzOutcome, CompileError> {
    let set = compiled.set();
    let channels = set.channels();
    // A time budget is shared out like the runs: each channel gets its
    // slice, so the first one cannot spend it all.
    let started = options
        .time
        .as_ref()
        .map(|budget| (budget.clock.elapsed(), budget));
    // Compiled in parallel, but the error reported is the first channel's,
    // as when they were compiled one after another.
    let graphs = channels
        .par_iter()
        .map(|&channel| compiled.get(channel))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let plans: Vec<ChannelPlan> = graphs
        .iter()
        .enumerate()
        .map(|(c, &graph)| {
            let deadline = match started {
                Some((started, budget)) => {
                    let share = budget.total.mul_f64((c + 1) as f64 / channels.len() as f64);
                    Some(Deadline::at(Arc::clone(&budget.clock), started + share))
                }
                None => options.deadline.clone(),
            };
            // Share the runs out evenly, the first channels taking the
            // remainder.
            let runs =
                options.runs / channels.len() + usize::from(c < options.runs % channels.len());
            ChannelPlan::new(
                graph,
                c,
                options.seed,
                runs,
                rules,
                options.max_steps,
                deadline,
            )
        })
        .collect();
    let mut tallies: Vec<ChannelTally> = plans.iter().map(ChannelTally::new).collect();
    play_batches(&plans, &mut tallies, options, progress);

    // Each channel's failures are turned into findings and replayed, the
    // channels in parallel, and put together in channel order.
    let finished: Vec<ChannelOutcome> = plans
        .par_iter()
        .zip(tallies)
        .map(|(plan, tally)| finish_channel(plan.graph, set, tally))
        .collect();
    let mut outcome = FuzzOutcome {
        summary: FuzzSummary {
            seed: options.seed,
            ..FuzzSummary::default()
        },
        ..FuzzOutcome::default()
    };
    let mut totals = (0usize, 0usize);
    for (&channel, (findings, runs, reaches, failures_unreplayed)) in channels.iter().zip(finished)
    {
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

/// What a channel's batches added up to so far, merged in batch order.
struct ChannelTally {
    coverage: CoverageMap,
    edges: usize,
    covered: usize,
    /// Customers generated and the steps they took.
    generated: (usize, usize),
    batches_started: usize,
    /// Every batch's new failures, each batch on its own: a failure another
    /// batch found too is still this batch's.
    failures: Vec<(u32, Run, Failure)>,
}

impl ChannelTally {
    fn new(plan: &ChannelPlan) -> Self {
        let coverage = CoverageMap::new(plan.graph);
        let (edges, covered) = coverage.edge_counts(plan.graph);
        ChannelTally {
            coverage,
            edges,
            covered,
            generated: (0, 0),
            batches_started: 0,
            failures: Vec::new(),
        }
    }

    fn absorb(&mut self, graph: &Graph, outcome: BatchOutcome) {
        self.covered += self.coverage.add_reached(&outcome.reached, graph);
        self.generated.0 += outcome.generated;
        self.generated.1 += outcome.steps;
        self.failures.extend(
            outcome
                .failures
                .into_iter()
                .map(|(run, failure)| (outcome.batch, run, failure)),
        );
    }
}

/// Plays every channel's batches on rayon's threads, a wave at a time, and
/// merges each wave's outcomes in batch order on the calling thread, which
/// reports progress after each one. A wave holds many batches per thread:
/// a batch of a small set takes tens of microseconds, about what handing
/// work to the threads and waiting for them costs, and uneven batches (a
/// channel's last is short) even out. With a deadline a wave holds one
/// batch per thread, so that no more batches start after it than one per
/// thread, at the price of that hand-over per batch.
fn play_batches(
    plans: &[ChannelPlan],
    tallies: &mut [ChannelTally],
    options: &FuzzOptions,
    progress: &mut dyn FnMut(Progress),
) {
    // Each channel's batches still to start, and the channel whose batches
    // are being handed out: the channels' batches follow one another as on
    // one thread, and a channel past its deadline is left at once (with a
    // time budget a channel has batches without end).
    let mut queues: Vec<_> = plans
        .iter()
        .map(|plan| plan.batches(options.shard))
        .collect();
    let mut channel = 0;
    let threads = rayon::current_num_threads();
    let timed = plans.iter().any(|plan| plan.deadline.is_some());
    let wave_size = if timed { threads } else { 64 * threads };
    let edges: usize = tallies.iter().map(|tally| tally.edges).sum();
    loop {
        let mut wave = Vec::with_capacity(wave_size);
        while wave.len() < wave_size && channel < plans.len() {
            // Past its deadline no new batch of a channel starts, but every
            // channel gets at least one, however slow the machine.
            let late = tallies[channel].batches_started > 0 && plans[channel].deadline_passed();
            match queues[channel].next().filter(|_| !late) {
                Some(batch) => {
                    tallies[channel].batches_started += 1;
                    wave.push((channel, batch));
                }
                None => channel += 1,
            }
        }
        if wave.is_empty() {
            break;
        }
        let outcomes: Vec<BatchOutcome> = wave
            .par_iter()
            .with_max_len(1)
            .map(|&(c, batch)| plans[c].run_batch(batch))
            .collect();
        for (&(c, _), outcome) in wave.iter().zip(outcomes) {
            tallies[c].absorb(plans[c].graph, outcome);
            progress(Progress {
                runs: tallies.iter().map(|tally| tally.generated.0).sum(),
                total: options.runs,
                edges_covered: tallies.iter().map(|tally| tally.covered).sum(),
                edges,
                failures: tallies.iter().map(|tally| tally.failures.len()).sum(),
            });
        }
    }
}

type ChannelOutcome = (
    Vec<Finding>,
    (usize, usize),
    Vec<crate::coverage::FlowReach>,
    Vec<(usize, String)>,
);

/// A channel's findings, counts, coverage and the failures that did not
/// replay, from its batches' tally.
fn finish_channel(graph: &Graph, set: &MenuSet, tally: ChannelTally) -> ChannelOutcome {
    let counts = crate::coverage::flow_reaches(graph, &tally.coverage);
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
    for (batch, run, failure) in tally.failures {
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
    (findings, tally.generated, counts, unreplayed)
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
    /// channel after the batches that had started by then, one per thread;
    /// every later channel still starts a batch, and its first customer
    /// runs, however late it is.
    #[test]
    fn a_spent_budget_ends_each_channel_after_its_first_customers() {
        let set = menus();
        let channels = set.channels().len();
        assert!(channels > 1, "the bundled set has several channels");
        for threads in [1, 2, 4] {
            let clock = Arc::new(ManualClock::new());
            let options = FuzzOptions {
                seed: 7,
                runs: 1000 * channels,
                time: budget(&clock, Duration::from_secs(10)),
                ..FuzzOptions::default()
            };
            let mut late = |_: Progress| clock.set(Duration::from_secs(60));
            let outcome = in_pool(threads, || fuzz(&set, &options, &mut late).unwrap());
            assert_eq!(
                outcome.summary.runs,
                threads * BATCH + (channels - 1),
                "on {threads} threads"
            );
        }
    }

    fn in_pool<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(work)
    }

    /// Everything the fuzzer hands back, findings with their inputs,
    /// coverage, notes and counts, on 1, 2 and 4 threads.
    fn on_threads(set: &MenuSet, options: &FuzzOptions) -> Vec<String> {
        [1, 2, 4]
            .into_iter()
            .map(|threads| {
                let outcome = in_pool(threads, || fuzz(set, options, &mut |_| {}).unwrap());
                format!("{outcome:#?}")
            })
            .collect()
    }

    /// The bundled set, whole and as a shard, fuzzes the same on any
    /// number of threads: batches are merged in the order one thread plays
    /// them.
    #[test]
    fn the_bundled_set_fuzzes_the_same_on_any_number_of_threads() {
        let set = menus();
        for shard in [None, Some((2, 3))] {
            let options = FuzzOptions {
                seed: 11,
                runs: 1500,
                shard,
                ..FuzzOptions::default()
            };
            let outcomes = on_threads(&set, &options);
            assert!(outcomes.iter().all(|o| *o == outcomes[0]), "{shard:?}");
        }
    }

    /// Every fixture set that loads fuzzes the same on any number of
    /// threads, whole and as a shard, with its findings' inputs; enough of
    /// them have fuzz findings for that to mean something.
    #[test]
    fn the_fixture_sets_fuzz_the_same_on_any_number_of_threads() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut dirs: Vec<_> = std::fs::read_dir(&root)
            .expect("fixtures/ exists")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|dir| dir.join("expected.json").is_file())
            .collect();
        dirs.sort();
        let mut with_findings = 0;
        for dir in dirs {
            let Ok(set) = crate::loader::load_set(&dir) else {
                continue;
            };
            for shard in [None, Some((1, 2))] {
                let options = FuzzOptions {
                    seed: 3,
                    runs: 4 * BATCH + 5,
                    shard,
                    ..FuzzOptions::default()
                };
                let outcomes = on_threads(&set, &options);
                assert!(
                    outcomes.iter().all(|o| *o == outcomes[0]),
                    "{} {shard:?}",
                    dir.display()
                );
                if shard.is_none() && !outcomes[0].contains("findings: []") {
                    with_findings += 1;
                }
            }
        }
        assert!(
            with_findings >= 20,
            "{with_findings} sets with fuzz findings"
        );
    }
}
