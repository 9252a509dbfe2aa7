//! `touchpoint merge`: adds the JSON reports of shards up into one report.

use crate::cli::args::Common;
use crate::cli::load::write_load_errors;
use crate::cli::report::write_report;
use crate::cli::{CliError, Verdict};

pub(crate) fn run(paths: &[std::path::PathBuf], common: &Common) -> Result<Verdict, CliError> {
    let mut reports = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        match serde_json::from_str::<crate::report::Report>(&text) {
            Ok(r) => reports.push(r),
            Err(source) => {
                // A shard whose set did not load wrote its load errors
                // instead: pass them on in the format asked for, so the
                // merged SARIF or JUnit still annotates the problem.
                if let Ok(errors) = serde_json::from_str::<crate::report::ErrorReport>(&text) {
                    let mut human = String::new();
                    for error in &errors.errors {
                        let place = match (&error.file, error.line, error.column) {
                            (Some(file), Some(line), Some(column)) => {
                                format!("{file}:{line}:{column}: ")
                            }
                            (Some(file), ..) => format!("{file}: "),
                            (None, ..) => String::new(),
                        };
                        human.push_str(&format!("error: {place}{}\n", error.message));
                    }
                    human.push_str(&format!(
                        "`{}`: the set `{}` could not be loaded; nothing was checked\n",
                        path.display(),
                        errors.set
                    ));
                    return Err(write_load_errors(&errors, human.clone(), &human, common));
                }
                return Err(CliError::NotAReport {
                    path: path.clone(),
                    source,
                });
            }
        }
    }
    let report = crate::report::merge(reports)?;
    write_report(&report, None, common)
}
