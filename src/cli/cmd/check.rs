//! `touchpoint check`: every check on a set: lint, fuzzing and personas.

use std::path::Path;

use crate::cli::args::{self, Common};
use crate::cli::report::{fuzz_options, run_report, Job, CHECK_RUNS};
use crate::cli::{CliError, Verdict};

/// Checks the set at `path`.
pub(crate) fn run(
    path: &Path,
    budget: &args::FuzzBudget,
    personas: args::PersonaArgs,
    common: &Common,
) -> Result<Verdict, CliError> {
    run_report(
        Job::Check(fuzz_options(budget, common, CHECK_RUNS), personas),
        path,
        common,
    )
}
