//! `touchpoint check`: every check on a set: lint, fuzzing and personas.
//! `touchpoint report` runs the same job under its own name, the one that
//! may be written as the self-contained HTML page. With `--mutate`, either
//! also scores the personas by mutation testing.

use std::path::Path;

use crate::cli::args::{self, Common};
use crate::cli::report::{fuzz_options, run_report, Job, CHECK_RUNS};
use crate::cli::{CliError, Verdict};

/// Checks the set at `path` and writes the report of `command` (`check`
/// or `report`).
pub(crate) fn run(
    command: &'static str,
    path: &Path,
    budget: &args::FuzzBudget,
    personas: args::PersonaArgs,
    mutation: args::CheckMutationArgs,
    common: &Common,
) -> Result<Verdict, CliError> {
    run_report(
        Job::Check(
            fuzz_options(budget, common, CHECK_RUNS),
            personas,
            command,
            mutation,
        ),
        path,
        common,
    )
}
