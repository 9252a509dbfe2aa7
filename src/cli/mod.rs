//! The command line: parses arguments, calls the core, renders, and maps the
//! result to docs/report.md's exit codes (0 clean, 1 findings, 2 could not run).

mod args;
mod clock;
mod cmd;
mod error;
mod git;
mod live;
mod load;
mod output;
mod report;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::render;
pub use args::{Cli, Command};
pub(crate) use args::{Common, Format};
pub(crate) use error::{CliError, Verdict};

/// Exit codes, a contract with CI scripts.
pub(crate) const EXIT_CLEAN: u8 = 0;
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(jobs) = cli.jobs {
        // The pool is built once per process, before any work is spread on
        // it; rayon's default (every core, or RAYON_NUM_THREADS) stands
        // when no number is given.
        if let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.get())
            .build_global()
        {
            eprintln!("touchpoint: could not start {jobs} threads: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    match execute(cli) {
        Ok(verdict) => ExitCode::from(verdict.exit_code()),
        Err(error) => {
            error.print();
            ExitCode::from(error.exit_code())
        }
    }
}

fn stderr_colour() -> bool {
    render::use_colour(std::io::stderr().is_terminal())
}

/// Runs the command clap parsed. An error comes back unsaid: the caller
/// prints it, once.
pub(crate) fn execute(cli: Cli) -> Result<Verdict, CliError> {
    match cli.command {
        Command::Lint { path, report, from } => {
            let common = Common::of_report(report, None, Some(from), None);
            refuse_html(&common)?;
            cmd::lint::run(&path, &common)
        }
        Command::Check(args) => {
            let (path, budget, personas, mutation, common) = args.into_parts();
            refuse_html(&common)?;
            cmd::check::run("check", &path, &budget, personas, mutation, &common)
        }
        Command::Report(args) => {
            let (path, budget, personas, mutation, common) = args.into_parts();
            cmd::check::run("report", &path, &budget, personas, mutation, &common)
        }
        Command::Personas {
            path,
            personas,
            report,
            seed,
            from,
            shard,
        } => {
            let common = Common::of_report(report, Some(seed), Some(from), Some(shard));
            refuse_html(&common)?;
            cmd::personas::run(&path, personas, &common)
        }
        Command::Fuzz {
            live: live @ args::LiveArgs { live: Some(_), .. },
            budget,
            report,
            seed,
            from,
            shard,
            ..
        } => {
            if from.from.is_some() {
                return Err(CliError::Usage(FROM_WITH_LIVE));
            }
            let common = Common::of_report(report, Some(seed), None, Some(shard));
            refuse_html(&common)?;
            cmd::fuzz::run_live(&live, &budget, &common)
        }
        Command::Fuzz {
            path,
            budget,
            report,
            seed,
            from,
            shard,
            ..
        } => {
            let common = Common::of_report(report, Some(seed), Some(from), Some(shard));
            refuse_html(&common)?;
            cmd::fuzz::run(&path, &budget, &common)
        }
        Command::Replay {
            live: live @ args::LiveArgs { live: Some(_), .. },
            inputs,
            format,
            output,
            from,
            save_persona,
            ..
        } => {
            if from.from.is_some() {
                return Err(CliError::Usage(FROM_WITH_LIVE));
            }
            if format == Some(args::ReplayFormat::Json) {
                return Err(CliError::Usage(
                    "replay --live prints the call as text; --format json is for a model's transcript",
                ));
            }
            let common = Common::of_output(None, output, None, from);
            cmd::replay::run_live(&live, &inputs, save_persona.as_deref(), &common)
        }
        Command::Replay {
            path,
            flow,
            inputs,
            vars,
            channel,
            format,
            output,
            from,
            save_persona,
            ..
        } => {
            if save_persona.is_some() && format == Some(args::ReplayFormat::Json) {
                return Err(CliError::Usage(
                    "replay --save-persona writes a persona as YAML; --format json is for the transcript",
                ));
            }
            let common = Common::of_output(format.map(Format::from), output, None, from);
            let flow = flow.unwrap_or_default();
            let replay = cmd::replay::Replay {
                path: &path,
                flow: &flow,
                inputs: &inputs,
                vars: &vars,
                channel,
            };
            cmd::replay::run(&replay, save_persona.as_deref(), &common)
        }
        Command::Diff {
            old,
            new,
            fail_on,
            max_coverage_drop,
            max_time_increase,
            path,
            runs,
            format,
            output,
            seed,
            from,
        } => {
            let common = Common::of_output(format.map(Format::from), output, Some(seed), from);
            let limits = crate::diff::Limits {
                max_coverage_drop,
                max_time_increase,
            };
            cmd::diff::run(&old, &new, &fail_on, limits, path, runs, &common)
        }
        Command::Merge { reports, report } => {
            let common = Common::of_report(report, None, None, None);
            refuse_html(&common)?;
            cmd::merge::run(&reports, &common)
        }
        Command::Import {
            files,
            from,
            output,
        } => cmd::import::run(&files, from, output.as_deref()),
        Command::Crawl {
            url,
            protocol,
            output,
            concurrency,
            timeout,
            allow_hosts,
            max_menus,
            max_calls,
        } => cmd::crawl::run(
            &url,
            output.as_deref(),
            crate::live::driver::DriverOptions {
                protocol,
                concurrency: usize::from(concurrency),
                request_timeout: timeout,
                allowed_origins: allow_hosts,
                ..Default::default()
            },
            crate::live::crawl::CrawlLimits {
                max_menus,
                max_calls,
            },
        ),
        Command::Graph {
            path,
            flow,
            persona,
            intent,
            channel,
            format,
            from,
            output,
        } => cmd::graph::run(
            &path,
            cmd::graph::What {
                flow,
                persona,
                intent,
                channel,
            },
            format,
            from,
            output.as_deref(),
        ),
        Command::Schema { output } => cmd::schema::run(output.as_deref()),
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Mutate(args) => cmd::mutate::run(args),
    }
}

/// Why `--from` is refused with `--live`.
const FROM_WITH_LIVE: &str = "--from reads a set from an export; it does not apply to --live";

/// The page is drawn from the set itself (its flows, and each finding
/// replayed step by step), which only `report` has in hand with every
/// check run; the other report commands refuse it rather than write a
/// page with parts missing.
fn refuse_html(common: &Common) -> Result<(), CliError> {
    if common.format == Some(Format::Html) {
        return Err(CliError::Usage(
            "--format html is written by `touchpoint report` (it runs every check, as `check` does)",
        ));
    }
    Ok(())
}
