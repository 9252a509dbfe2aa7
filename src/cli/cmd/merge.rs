//! `touchpoint merge`: adds the JSON reports of shards up into one report.

use crate::cli::args::Common;
use crate::cli::fail;
use crate::cli::load::write_load_errors;
use crate::cli::report::write_report;

pub(crate) fn run(paths: &[std::path::PathBuf], common: &Common) -> u8 {
    let mut reports = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(format!("cannot read `{}`: {e}", path.display())),
        };
        match serde_json::from_str::<crate::report::Report>(&text) {
            Ok(r) => reports.push(r),
            Err(e) => {
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
                    eprint!("{human}");
                    return write_load_errors(&errors, &human, common);
                }
                return fail(format!(
                    "`{}` is not a touchpoint JSON report: {e}",
                    path.display()
                ));
            }
        }
    }
    let report = match crate::report::merge(reports) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    write_report(&report, None, common)
}
