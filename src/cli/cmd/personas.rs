//! `touchpoint personas`: runs the persona scripts and measures each journey.

use std::path::Path;

use crate::cli::args::{self, Common};
use crate::cli::report::{run_report, Job};
use crate::cli::{CliError, Verdict};

/// Runs the personas of the set at `path`.
pub(crate) fn run(
    path: &Path,
    personas: args::PersonaArgs,
    common: &Common,
) -> Result<Verdict, CliError> {
    run_report(Job::Personas(personas), path, common)
}
