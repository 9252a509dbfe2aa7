//! `touchpoint schema`: prints the JSON Schema of the menu format.

use std::path::Path;

use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};

/// Writes the schema to `output`, or to standard output.
pub(crate) fn run(output: Option<&Path>) -> Result<Verdict, CliError> {
    Output::new(output).write(crate::schema::schema())?;
    Ok(Verdict::Clean)
}
