//! What the report commands (`check`, `lint`, `fuzz`, `personas`) share:
//! load the set, run the analyses each asks for, and write the report.

use std::io::IsTerminal;
use std::path::Path;

use super::args::{self, Common, Format};
use super::live::live_driver;
use super::load::load_with_import;
use super::output::Output;
use super::{CliError, Verdict};
use crate::model::MenuSet;
use crate::render;

/// Random customers `check` tries by default: enough to confirm the walk's
/// findings from another angle in well under a second on a large set.
pub(crate) const CHECK_RUNS: usize = 500;
/// Random customers `fuzz` tries by default.
pub(crate) const FUZZ_RUNS: usize = 2000;

pub(crate) enum Job {
    Lint,
    Fuzz(crate::fuzz::FuzzOptions),
    Personas(args::PersonaArgs),
    /// Every check, under the command's name: `check`, or `report`, which
    /// runs the same job and may write it as an HTML page; with
    /// `--mutate`, mutation testing after it.
    Check(
        crate::fuzz::FuzzOptions,
        args::PersonaArgs,
        &'static str,
        args::CheckMutationArgs,
    ),
}

pub(crate) fn fuzz_options(
    budget: &args::FuzzBudget,
    common: &Common,
    default_runs: usize,
) -> crate::fuzz::FuzzOptions {
    crate::fuzz::FuzzOptions {
        seed: common.seed,
        runs: budget.runs_or(default_runs),
        time: budget.time.map(|total| {
            crate::clock::TimeBudget::new(
                total,
                std::sync::Arc::new(crate::cli::clock::SystemClock::start()),
            )
        }),
        deadline: None,
        max_steps: budget.max_steps_or(crate::fuzz::FuzzOptions::default().max_steps),
        shard: common.shard,
    }
}

/// A progress bar on a terminal, none in CI or when the output is JSON.
fn progress_bar(common: &Common) -> Option<indicatif::ProgressBar> {
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !interactive || common.format() == Format::Json {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} fuzzing [{bar:30}] {pos}/{len} runs  {per_sec}  {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// Sets of fewer nodes than this are walked in a few seconds at most.
const NODES_WORTH_A_SPINNER: usize = 50_000;

/// A spinner while a large set is walked, on a terminal only, like
/// [`progress_bar`]: the walk says nothing until it is done, and a set of
/// hundreds of thousands of nodes takes a while.
fn walking_spinner(set: &MenuSet, common: &Common) -> Option<indicatif::ProgressBar> {
    let nodes: usize = set.flows.iter().map(|f| f.nodes.len()).sum();
    if nodes < NODES_WORTH_A_SPINNER {
        return None;
    }
    let spinner = progress_bar(common)?;
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        spinner.set_style(style);
    }
    spinner.set_message(format!("walking {} flows, {nodes} nodes", set.flows.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(spinner)
}

/// Runs the fuzzer with a progress bar of its runs among `bars`, on a
/// terminal only.
fn fuzz_with_bar(
    graphs: &crate::graph::Graphs,
    options: &crate::fuzz::FuzzOptions,
    common: &Common,
    bars: &indicatif::MultiProgress,
) -> Result<crate::results::FuzzOutcome, crate::graph::CompileError> {
    let bar = progress_bar(common).map(|bar| bars.add(bar));
    let mut on_progress = |p: crate::fuzz::Progress| {
        if let Some(bar) = &bar {
            // With only a time budget there is no meaningful total.
            if p.total < 1 << 40 {
                bar.set_length(p.total as u64);
            }
            bar.set_position(p.runs as u64);
            bar.set_message(format!(
                "edges {}/{}  failures {}",
                p.edges_covered, p.edges, p.failures
            ));
        }
    };
    let outcome = crate::fuzz::fuzz_graphs(graphs, options, &mut on_progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    outcome
}

pub(crate) fn run_report(job: Job, path: &Path, common: &Common) -> Result<Verdict, CliError> {
    let command = match job {
        Job::Lint => "lint",
        Job::Fuzz(_) => "fuzz",
        Job::Personas(_) => "personas",
        Job::Check(_, _, command, _) => command,
    };
    let (set, imported, focus) = load_with_import(command, path, common)?;
    if let Job::Personas(args) | Job::Check(_, args, _, _) = &job {
        if let Some(name) = &args.persona {
            if !set.personas.iter().any(|p| &p.id.value == name) {
                return Err(CliError::NoPersona {
                    name: name.clone(),
                    known: set.personas.iter().map(|p| p.id.value.clone()).collect(),
                });
            }
        }
    }
    let lints = !matches!(job, Job::Fuzz(_) | Job::Personas(_));
    let fuzz_options = match &job {
        Job::Fuzz(options) | Job::Check(options, _, _, _) => Some(options),
        Job::Lint | Job::Personas(_) => None,
    };
    let persona_args = match &job {
        Job::Personas(args) | Job::Check(_, args, _, _) => Some(args),
        Job::Lint | Job::Fuzz(_) => None,
    };
    // The walk, the fuzzer and the personas read the loaded set and nothing
    // of each other, so they run at once on rayon's pool (each spreading
    // its own work over it too); on one thread they run one after the
    // other. Their results are joined below in one fixed order, so the
    // report does not depend on which ends first.
    // They share each channel's compiled graph: compiling a big set is a
    // good part of each engine's work.
    let graphs = crate::graph::Graphs::new(&set);
    let bars = indicatif::MultiProgress::new();
    let linting = || {
        lints.then(|| {
            let spinner = walking_spinner(&set, common).map(|s| bars.add(s));
            let report = crate::run::lint_report_on(&graphs, command, common.seed);
            if let Some(spinner) = spinner {
                spinner.finish_and_clear();
            }
            report
        })
    };
    let fuzzing = || fuzz_options.map(|options| fuzz_with_bar(&graphs, options, common, &bars));
    let persona_runs = || {
        persona_args.map(|args| {
            crate::personas::run_personas_on(
                &graphs,
                common.seed,
                args.persona.as_deref(),
                common.shard,
            )
        })
    };
    // The report's record of the set's shape reads the set alone: it is
    // worked out beside the engines, whose first step, compiling a channel,
    // keeps one thread busy while the others would wait.
    let (structure, (linted, (fuzzed, personas))) = rayon::join(
        || crate::structure::describe(&set),
        || rayon::join(linting, || rayon::join(fuzzing, persona_runs)),
    );
    // The compiled graphs are done with: their memory goes before the
    // report is put together and rendered.
    drop(graphs);
    // Errors in the order the engines ran in one by one: the walk's, then
    // the fuzzer's, then the personas'.
    let mut report = match linted {
        Some(report) => report?,
        None => crate::report::Report::new(command, set.root.display().to_string(), common.seed),
    };
    if let Some(fuzzed) = fuzzed {
        report.add_fuzz(fuzzed?);
    }
    let personas = personas.transpose()?;
    report.structure = structure;
    report.shard = common
        .shard
        .map(|(index, count)| crate::report::Shard { index, count });
    // Findings on an imported flow point at the export, not at YAML that
    // exists only in memory.
    if let Some(info) = &imported {
        info.locate_all(&mut report.findings, &set);
        report
            .notes
            .extend(info.notes.iter().map(|n| format!("import: {n}")));
        report.from = common.from.map(|platform| platform.name().to_string());
        report.summarize();
    }
    report.stats.flows = set.flows.len();
    report.stats.nodes = set.flows.iter().map(|f| f.nodes.len()).sum();
    // What `--accept` rewrites once the report, with its diffs, is out.
    let mut accepting = None;
    if let (Some(args), Some(mut results)) = (persona_args, personas) {
        if let Some(file) = &focus {
            // Only the personas written in the file the user named.
            results.results.retain(|run| {
                set.personas
                    .iter()
                    .find(|p| p.id.value == run.persona)
                    .is_some_and(|p| &set.files[p.span.file as usize].name == file)
            });
        }
        if args.live.live.is_some() {
            let driver = live_driver(&args.live)?;
            crate::live::personas::check_live(&set, &mut results.results, &mut |batch| {
                driver.play_batch(batch)
            })?;
        }
        if let Some(dir) = &args.transcripts {
            report.transcripts_changed =
                crate::personas::transcripts::compare(dir, &results.results);
            if args.accept {
                accepting = Some(Acceptance::new(dir, &set, &results.results, &report));
            }
        }
        if let Some(dir) = &args.save_transcripts {
            crate::personas::transcripts::save(dir, &results.results).map_err(|source| {
                CliError::SaveTranscripts {
                    dir: dir.clone(),
                    source,
                }
            })?;
        }
        report.add_personas(&set, results);
    }
    if let Job::Check(_, personas, _, mutation) = &job {
        if mutation.mutate {
            // Every persona of the set judges every mutant, whatever
            // `--persona` ran above: the score is the suite's. Golden
            // transcripts kill mutants as `mutate --transcripts` has them.
            let options = crate::mutate::MutateOptions {
                seed: common.seed,
                with_lint: mutation.with_lint,
                shard: common.shard,
                operators: Vec::new(),
                transcripts: personas.transcripts.clone(),
            };
            let mut scored = crate::mutate::mutate(&set, &options)?;
            scored.min_score = mutation.min_score;
            if let Some(info) = &imported {
                info.locate_mutants(&mut scored);
            }
            report.mutation = Some(scored);
        }
    }
    if let Some(file) = &focus {
        report.narrow_mutation_to_file(&set, file);
        report.findings.retain(|finding| &finding.file == file);
        report.summarize();
        report.file = Some(file.clone());
    }
    // The report first, so that the diffs are shown before the files they
    // describe are replaced; its verdict stands, since accepting new
    // transcripts says nothing of whether the personas passed.
    let verdict = write_report(&report, Some(&set), common)?;
    if let Some(acceptance) = accepting {
        acceptance.write()?;
    }
    // Freeing a large set and its report takes a tenth of a `check` that
    // is otherwise spread over every core; nothing waits for it, so a
    // thread of the pool does it while the command ends.
    rayon::spawn(move || drop((set, report)));
    Ok(verdict)
}

/// `personas --accept`: the changed transcripts to write into the
/// `--transcripts` folder, and the saved ones no persona of the set writes
/// any more, which are left alone but listed.
struct Acceptance {
    dir: std::path::PathBuf,
    files: Vec<(String, String)>,
    unclaimed: Vec<String>,
}

impl Acceptance {
    fn new(
        dir: &Path,
        set: &MenuSet,
        results: &[crate::personas::PersonaResult],
        report: &crate::report::Report,
    ) -> Acceptance {
        use crate::personas::transcripts;
        // Every run of the set, not only those run now (`--persona`,
        // `--shard`, a file PATH): a transcript of a persona run elsewhere
        // is not stale.
        let runs: Vec<String> = set
            .personas
            .iter()
            .flat_map(|persona| {
                persona
                    .configurations()
                    .into_iter()
                    .map(|config| match config.variant {
                        Some(variant) => format!("{}@{variant}", persona.id.value),
                        None => persona.id.value.clone(),
                    })
            })
            .collect();
        Acceptance {
            dir: dir.to_path_buf(),
            files: transcripts::changed_files(results, &report.transcripts_changed),
            unclaimed: transcripts::unclaimed(dir, &runs),
        }
    }

    /// Writes the changed transcripts and says on standard error which
    /// files were written and which were left alone, so that standard
    /// output stays the report.
    fn write(self) -> Result<(), CliError> {
        crate::personas::transcripts::write_files(&self.dir, &self.files).map_err(|source| {
            CliError::SaveTranscripts {
                dir: self.dir.clone(),
                source,
            }
        })?;
        if self.files.is_empty() {
            eprintln!(
                "accept: no transcript changed; nothing written in {}",
                self.dir.display()
            );
        }
        for (file, _) in &self.files {
            eprintln!("accept: wrote {}", self.dir.join(file).display());
        }
        for file in &self.unclaimed {
            eprintln!(
                "accept: left alone {}: no persona of the set has this transcript",
                self.dir.join(file).display()
            );
        }
        Ok(())
    }
}

/// Renders a report in the format asked for, writes it, and gives its
/// verdict: findings when it fails (errors, failed personas, or warnings
/// with `--deny warnings`), clean otherwise; an error when it cannot be
/// written.
pub(crate) fn write_report(
    report: &crate::report::Report,
    set: Option<&MenuSet>,
    common: &Common,
) -> Result<Verdict, CliError> {
    let text = match common.format() {
        Format::Json => {
            Output::new(common.output.as_deref())
                .write_with(|out| render::json::write(report, out))?;
            return Ok(Verdict::failed_if(report.fails(common.deny_warnings())));
        }
        Format::Markdown => render::markdown::report(report, common.deny_warnings()),
        Format::Junit => render::junit::render(report, common.deny_warnings()),
        Format::Sarif => render::sarif::render(report),
        Format::Html => match set {
            Some(set) => render::html::render(report, set),
            None => {
                return Err(CliError::Usage(
                    "--format html draws the set's flows: it needs the set, not only a report",
                ))
            }
        },
        Format::Human => {
            let colour = set.is_some()
                && common.output.is_none()
                && render::use_colour(std::io::stdout().is_terminal());
            render::human::render(report, set, colour)
        }
    };
    Output::new(common.output.as_deref()).write(&text)?;
    Ok(Verdict::failed_if(report.fails(common.deny_warnings())))
}
