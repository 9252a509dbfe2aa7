//! `touchpoint lint`: loads a set, applies the static rules and walks every
//! reachable state; no randomness.

use std::path::Path;

use crate::cli::args::Common;
use crate::cli::report::{run_report, Job};
use crate::cli::{CliError, Verdict};

/// Lints the set at `path`.
pub(crate) fn run(path: &Path, common: &Common) -> Result<Verdict, CliError> {
    run_report(Job::Lint, path, common)
}
