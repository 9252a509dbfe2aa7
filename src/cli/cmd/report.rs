//! `touchpoint report`: every check on a set, as `check` runs them, written
//! in any report format, the self-contained HTML page included.

use std::path::Path;

use crate::cli::args::{self, Common};
use crate::cli::report::{fuzz_options, run_report, Job, CHECK_RUNS};
use crate::cli::{CliError, Verdict};

/// Checks the set at `path` and writes the report.
pub(crate) fn run(
    path: &Path,
    budget: &args::FuzzBudget,
    personas: args::PersonaArgs,
    common: &Common,
) -> Result<Verdict, CliError> {
    run_report(
        Job::Report(fuzz_options(budget, common, CHECK_RUNS), personas),
        path,
        common,
    )
}
