//! `touchpoint check`: every check on a set: lint, fuzzing and personas.

use std::path::Path;

use crate::cli::args::{self, Common};
use crate::cli::report::{fuzz_options, run_report, Job, CHECK_RUNS};

/// Checks the set at `path`.
pub(crate) fn run(
    path: &Path,
    budget: &args::FuzzBudget,
    personas: args::PersonaArgs,
    common: &Common,
) -> u8 {
    run_report(
        Job::Check(fuzz_options(budget, common, CHECK_RUNS), personas),
        path,
        common,
    )
}
