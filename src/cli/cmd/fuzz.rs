//! `touchpoint fuzz`: random customers on a set from a seed, or with
//! `--live` random callers on a running app.

use crate::cli::args::{self, Common};
use crate::cli::live::live_driver_with;
use crate::cli::report::{fuzz_options, run_report, write_report, Job, FUZZ_RUNS};
use crate::cli::{CliError, Verdict};

/// Fuzzes the set at `path`.
pub(crate) fn run(
    path: &std::path::Path,
    budget: &args::FuzzBudget,
    common: &Common,
) -> Result<Verdict, CliError> {
    run_report(
        Job::Fuzz(fuzz_options(budget, common, FUZZ_RUNS)),
        path,
        common,
    )
}

/// Random callers `fuzz --live` makes by default: each is a real call, so
/// fewer than on a model.
const LIVE_FUZZ_RUNS: usize = 200;

/// Inputs at most in one live caller's call by default: each is a request
/// to the app, and a short call shows most of what a long one would.
const LIVE_MAX_STEPS: usize = 16;

/// Fuzzes a running app with seeded random callers and reports what went
/// wrong, each failure with the shortest inputs that still show it. Exit 0
/// when nothing failed, 1 with findings, 2 when the app cannot be called or
/// stops answering (nothing is reported then).
pub(crate) fn run_live(
    live: &args::LiveArgs,
    budget: &args::FuzzBudget,
    common: &Common,
) -> Result<Verdict, CliError> {
    let url = live.live.as_deref().unwrap_or_default();
    if common.shard.is_some() {
        return Err(CliError::Usage(
            "--shard splits fuzzing of a model; it does not apply to --live",
        ));
    }
    let clock = std::sync::Arc::new(crate::cli::clock::SystemClock::start());
    let deadline = budget.time.map(|t| clock.instant(t));
    // A hung app would make every call, and every replay while shrinking,
    // wait out the whole timeout: the first timeout means it is not
    // answering. At the deadline the calls still going are cut off.
    let driver = live_driver_with(
        live,
        crate::live::driver::DriverOptions {
            deadline,
            timeout_means_not_answering: true,
            ..Default::default()
        },
    )?;
    let options = crate::live::fuzz::LiveFuzzOptions {
        seed: common.seed,
        runs: budget.runs_or(LIVE_FUZZ_RUNS),
        max_steps: budget.max_steps_or(LIVE_MAX_STEPS),
        max_shrink_calls: 256,
        deadline: budget.time.map(|t| crate::clock::Deadline::at(clock, t)),
    };
    let outcome = crate::live::fuzz::fuzz_live(&options, &mut |batch| driver.play_batch(batch));
    if let Some(why) = &outcome.unreachable {
        return Err(CliError::NotAnswering {
            url: url.to_string(),
            answered: driver.answered_calls(),
            why: why.clone(),
            left_out: "reported",
        });
    }
    if outcome.runs == 0 && outcome.abandoned > 0 {
        return Err(CliError::NoCallEnded {
            url: url.to_string(),
            abandoned: outcome.abandoned,
        });
    }
    let report = crate::live::fuzz::report(url, common.seed, outcome);
    write_report(&report, None, common)
}
