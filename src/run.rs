//! Runs the engines on a set and assembles what they found into a
//! [`Report`]: the one layer above the walk, the fuzzer and personas, which
//! only hand it their results (`crate::results`).

use crate::analysis::LintOptions;
use crate::graph::{CompileError, Graphs};
use crate::model::MenuSet;
use crate::report::{CoverageSource, Report, Stats};

/// Runs `lint` on a loaded set and builds its report.
pub fn lint_report(set: &MenuSet, command: &str, seed: u64) -> Result<Report, CompileError> {
    lint_report_with(set, command, seed, &LintOptions::default())
}

/// [`lint_report`], with or without the caller-time figures (see
/// [`LintOptions`]).
pub fn lint_report_with(
    set: &MenuSet,
    command: &str,
    seed: u64,
    options: &LintOptions,
) -> Result<Report, CompileError> {
    lint_report_on_with(&Graphs::new(set), command, seed, options)
}

/// [`lint_report`] on graphs other engines may share (see [`Graphs`]).
pub fn lint_report_on(graphs: &Graphs, command: &str, seed: u64) -> Result<Report, CompileError> {
    lint_report_on_with(graphs, command, seed, &LintOptions::default())
}

fn lint_report_on_with(
    graphs: &Graphs,
    command: &str,
    seed: u64,
    options: &LintOptions,
) -> Result<Report, CompileError> {
    let set = graphs.set();
    let analysis = crate::analysis::lint_graphs(graphs, options)?;
    let mut report = Report::new(command, set.root.display().to_string(), seed);
    report.findings = analysis.findings;
    report.notes = analysis.notes;
    report.add_coverage(CoverageSource::Walk, analysis.coverage);
    report.intents = analysis.intents;
    report.journeys = analysis.journeys;
    report.demand = analysis.demand;
    report.demand_intents = analysis.demand_intents;
    report.stats = Stats {
        flows: set.flows.len(),
        nodes: set.flows.iter().map(|f| f.nodes.len()).sum(),
        states: analysis.states,
    };
    report.summarize();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The layers of ARCHITECTURE.md, as the modules each layer may not
    /// name: results and the report sit below the engines, the engines
    /// below this module, and no engine runs another's code but the
    /// fuzzer's use of the walk's analyses and mutation testing's use of
    /// personas and the walk's findings.
    const FORBIDDEN: [(&str, &[&str]); 6] = [
        (
            "results",
            &[
                "analysis", "fuzz", "personas", "mutate", "report", "run", "import", "live",
                "diff", "render", "cli",
            ],
        ),
        (
            "report.rs",
            &[
                "analysis", "fuzz", "personas", "mutate", "run", "import", "live", "diff",
                "render", "cli",
            ],
        ),
        (
            "analysis",
            &[
                "fuzz", "personas", "mutate", "report", "run", "import", "live", "diff", "render",
                "cli",
            ],
        ),
        (
            "fuzz",
            &[
                "personas", "mutate", "report", "run", "import", "live", "diff", "render", "cli",
            ],
        ),
        (
            "personas",
            &[
                "analysis", "fuzz", "mutate", "report", "run", "import", "live", "diff", "render",
                "cli",
            ],
        ),
        (
            "mutate",
            &[
                "fuzz", "report", "run", "import", "live", "diff", "render", "cli",
            ],
        ),
    ];

    fn sources(path: &Path) -> Vec<(String, String)> {
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect();
            entries.sort();
            entries.iter().flat_map(|p| sources(p)).collect()
        } else {
            let text = std::fs::read_to_string(path).unwrap();
            // Tests may build what they check with any layer.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            vec![(path.display().to_string(), code.to_string())]
        }
    }

    #[test]
    fn no_module_names_a_module_above_it() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut problems = Vec::new();
        for (module, above) in FORBIDDEN {
            for (file, text) in sources(&src.join(module)) {
                for name in above {
                    let path = format!("crate::{name}");
                    let names_it = text.match_indices(&path).any(|(at, _)| {
                        let after = text[at + path.len()..].chars().next();
                        !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    });
                    if names_it {
                        problems.push(format!("{file} names `{path}`"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
