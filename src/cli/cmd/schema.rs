//! `touchpoint schema`: prints the JSON Schema of the menu format.

use std::path::Path;

use crate::cli::output::Output;

/// Writes the schema to `output`, or to standard output.
pub(crate) fn run(output: Option<&Path>) -> u8 {
    Output::new(output).write(crate::schema::schema())
}
