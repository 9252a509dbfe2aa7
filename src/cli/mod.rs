//! The command line: parses arguments, calls the core, renders, and maps the
//! result to docs/report.md's exit codes (0 clean, 1 findings, 2 could not run).

mod args;
mod clock;
mod git;
mod output;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use crate::input::Input;
use crate::loader::load_set;
use crate::model::MenuSet;
use crate::render;
pub use args::{Cli, Command, Common, Format, GraphFormat};
use output::Output;

/// Exit codes, a contract with CI scripts.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

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
    ExitCode::from(execute(cli))
}

fn stderr_colour() -> bool {
    render::use_colour(std::io::stderr().is_terminal())
}

fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

/// Loads a set for a command that writes no report: the notes of an
/// import go to standard error. (A report carries them instead, so that
/// they are said once.)
fn load(command: &str, path: &Path, common: &Common) -> Result<MenuSet, u8> {
    load_noting_import(command, path, common).map(|(set, _)| set)
}

fn load_noting_import(
    command: &str,
    path: &Path,
    common: &Common,
) -> Result<(MenuSet, Option<crate::import::ImportInfo>), u8> {
    let (set, info, _) = load_with_import(command, path, common)?;
    for note in info.iter().flat_map(|i| &i.notes) {
        eprintln!("note: {note}");
    }
    Ok((set, info))
}

/// Loads a set, or with `--from` imports it, returning what the import
/// knows about where nodes came from. A file inside a set loads its whole
/// set (`locate_set`), and the file's name in the set comes back too: the
/// report is about that file. When the set does not load, every problem
/// goes to standard error as people read it, and in the format asked for
/// to the output, so that CI gets its annotations; exit 2.
fn load_with_import(
    command: &str,
    path: &Path,
    common: &Common,
) -> Result<(MenuSet, Option<crate::import::ImportInfo>, Option<String>), u8> {
    if let Some(platform) = common.from {
        return match crate::import::load_from(platform, path) {
            Ok((set, info)) => Ok((set, Some(info), None)),
            Err(e) => {
                // An export that cannot be imported is a set that cannot be
                // loaded: CI gets it in its format too.
                fail(&e);
                let report =
                    crate::report::ErrorReport::of_import(command, path.display().to_string(), &e);
                Err(write_load_errors(&report, &format!("error: {e}\n"), common))
            }
        };
    }
    let located = crate::loader::locate_set(path);
    let root = &located.root;
    let set = load_set(root).map_err(|e| {
        // Problems in other files of the set are reported too: the set
        // cannot be checked, so neither can the file.
        eprint!("{}", render::load_error_text(&e, stderr_colour()));
        let report = crate::report::ErrorReport::new(command, root.display().to_string(), &e);
        write_load_errors(&report, &render::load_error_text(&e, false), common)
    })?;
    Ok((set, None, located.file))
}

/// Writes the problems of a set that did not load in the format asked for
/// and returns exit 2. `human` is the text people have already read on
/// standard error, without colour: with `--format human -o FILE` it goes
/// to the file as well, as every other format does; without `-o` it is not
/// printed twice.
fn write_load_errors(report: &crate::report::ErrorReport, human: &str, common: &Common) -> u8 {
    let text = match common.format() {
        Format::Human if common.output.is_none() => return EXIT_ERROR,
        Format::Human => human.to_string(),
        Format::Json => render::json::render_value(report),
        Format::Sarif => render::sarif::load_errors(report),
        Format::Junit => render::junit::load_errors(report),
        Format::Markdown => render::markdown::load_errors(report),
    };
    // Exit 2 whether or not the file could be written; a failed write has
    // said why on standard error.
    Output::new(common.output.as_deref()).write(&text);
    EXIT_ERROR
}

pub fn execute(cli: Cli) -> u8 {
    match cli.command {
        Command::Lint { path, report, from } => {
            let common = Common::of_report(report, None, Some(from), None);
            run_report(Job::Lint, &path, &common)
        }
        Command::Check {
            path,
            budget,
            personas,
            report,
            seed,
            from,
            shard,
        } => {
            let common = Common::of_report(report, Some(seed), Some(from), Some(shard));
            run_report(
                Job::Check(fuzz_options(&budget, &common, CHECK_RUNS), personas),
                &path,
                &common,
            )
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
            run_report(Job::Personas(personas), &path, &common)
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
                return fail("--from reads a set from an export; it does not apply to --live");
            }
            let common = Common::of_report(report, Some(seed), None, Some(shard));
            run_live_fuzz(&live, &budget, &common)
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
            run_report(
                Job::Fuzz(fuzz_options(&budget, &common, FUZZ_RUNS)),
                &path,
                &common,
            )
        }
        Command::Replay {
            live: live @ args::LiveArgs { live: Some(_), .. },
            inputs,
            format,
            output,
            from,
            ..
        } => {
            if from.from.is_some() {
                return fail("--from reads a set from an export; it does not apply to --live");
            }
            if format == Some(args::ReplayFormat::Json) {
                return fail("replay --live prints the call as text; --format json is for a model's transcript");
            }
            let common = Common::of_output(None, output, None, from);
            run_live_replay(&live, &inputs, &common)
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
            ..
        } => {
            let common = Common::of_output(format.map(Format::from), output, None, from);
            let flow = flow.unwrap_or_default();
            let (set, imported) = match load_noting_import("replay", &path, &common) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            let inputs = match Input::parse_list(&inputs) {
                Ok(i) => i,
                Err(e) => return fail(format!("--inputs: {e}")),
            };
            let mut var_map = BTreeMap::new();
            for pair in &vars {
                let Some((k, v)) = pair.split_once('=') else {
                    return fail(format!("--var `{pair}`: write it as NAME=VALUE"));
                };
                var_map.insert(k.trim().to_string(), v.trim().to_string());
            }
            let mut transcript =
                match crate::replay::replay(&set, channel, &flow, &inputs, &var_map) {
                    Ok(t) => t,
                    Err(e) => return fail(e),
                };
            if let Some(info) = &imported {
                info.locate_transcript(&mut transcript);
            }
            let text = match common.format() {
                Format::Json => {
                    let mut t = serde_json::to_string_pretty(&transcript).unwrap_or_default();
                    t.push('\n');
                    t
                }
                _ => crate::render::transcript::render(&transcript),
            };
            Output::new(common.output.as_deref()).write(&text)
        }
        Command::Diff {
            old,
            new,
            fail_on,
            max_coverage_drop,
            path,
            runs,
            format,
            output,
            seed,
            from,
        } => {
            let common = Common::of_output(format.map(Format::from), output, Some(seed), from);
            run_diff(&old, &new, &fail_on, max_coverage_drop, path, runs, &common)
        }
        Command::Merge { reports, report } => {
            let common = Common::of_report(report, None, None, None);
            run_merge(&reports, &common)
        }
        Command::Import {
            files,
            from,
            output,
        } => run_import(&files, from, output.as_deref()),
        Command::Crawl {
            url,
            protocol: _,
            output,
            concurrency,
            timeout,
            allow_hosts,
            max_menus,
            max_calls,
        } => run_crawl(
            &url,
            output.as_deref(),
            crate::live::driver::DriverOptions {
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
            channel,
            format,
            from,
            output,
        } => run_graph(&path, &flow, channel, format, from, output.as_deref()),
        Command::Schema { output } => Output::new(output.as_deref()).write(crate::schema::schema()),
    }
}

/// Random customers `check` tries by default: enough to confirm the walk's
/// findings from another angle in well under a second on a large set.
const CHECK_RUNS: usize = 500;
/// Random customers `fuzz` tries by default.
const FUZZ_RUNS: usize = 2000;

enum Job {
    Lint,
    Fuzz(crate::fuzz::FuzzOptions),
    Personas(args::PersonaArgs),
    Check(crate::fuzz::FuzzOptions, args::PersonaArgs),
}

fn fuzz_options(
    budget: &args::FuzzBudget,
    common: &Common,
    default_runs: usize,
) -> crate::fuzz::FuzzOptions {
    crate::fuzz::FuzzOptions {
        seed: common.seed,
        runs: budget.runs_or(default_runs),
        time: budget.time.map(|total| {
            crate::clock::TimeBudget::new(total, std::sync::Arc::new(clock::SystemClock::start()))
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

fn run_report(job: Job, path: &Path, common: &Common) -> u8 {
    let command = match job {
        Job::Lint => "lint",
        Job::Fuzz(_) => "fuzz",
        Job::Personas(_) => "personas",
        Job::Check(..) => "check",
    };
    let (set, imported, focus) = match load_with_import(command, path, common) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if let Job::Personas(args) | Job::Check(_, args) = &job {
        if let Some(name) = &args.persona {
            if !set.personas.iter().any(|p| &p.id.value == name) {
                let known: Vec<&str> = set.personas.iter().map(|p| p.id.as_str()).collect();
                return fail(format!(
                    "no persona `{name}` in the set (personas: {})",
                    known.join(", ")
                ));
            }
        }
    }
    let mut report = match &job {
        Job::Fuzz(_) | Job::Personas(_) => Ok(crate::report::Report::new(
            command,
            set.root.display().to_string(),
            common.seed,
        )),
        _ => crate::report::lint_report(&set, command, common.seed),
    };
    let fuzz_options = match &job {
        Job::Fuzz(options) | Job::Check(options, _) => Some(options),
        Job::Lint | Job::Personas(_) => None,
    };
    if let (Ok(report), Some(options)) = (&mut report, fuzz_options) {
        let bar = progress_bar(common);
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
        match crate::fuzz::fuzz(&set, options, &mut on_progress) {
            Ok(outcome) => report.add_fuzz(outcome),
            Err(e) => return fail(e),
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    let mut report = match report {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    report.structure = crate::structure::describe(&set);
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
    if let Job::Personas(args) | Job::Check(_, args) = &job {
        let mut results = match crate::personas::run_personas(
            &set,
            common.seed,
            args.persona.as_deref(),
            common.shard,
        ) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
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
            let driver = match live_driver(&args.live) {
                Ok(driver) => driver,
                Err(code) => return code,
            };
            if let Err(e) =
                crate::live::personas::check_live(&set, &mut results.results, &mut |batch| {
                    driver.play_batch(batch)
                })
            {
                return fail(e);
            }
        }
        if let Some(dir) = &args.transcripts {
            report.transcripts_changed =
                crate::personas::transcripts::compare(dir, &results.results);
        }
        if let Some(dir) = &args.save_transcripts {
            if let Err(e) = crate::personas::transcripts::save(dir, &results.results) {
                return fail(format!(
                    "cannot write transcripts to `{}`: {e}",
                    dir.display()
                ));
            }
        }
        report.add_personas(&set, results);
    }
    if let Some(file) = &focus {
        report.findings.retain(|finding| &finding.file == file);
        report.summarize();
        report.file = Some(file.clone());
    }
    write_report(&report, Some(&set), common)
}

fn run_diff(
    old: &str,
    new: &str,
    fail_on: &[String],
    max_coverage_drop: f64,
    path: Option<std::path::PathBuf>,
    runs: usize,
    common: &Common,
) -> u8 {
    let mut kinds = Vec::new();
    for item in fail_on {
        match crate::diff::FailOn::parse(item) {
            Some(kind) => kinds.push(kind),
            None => {
                return fail(format!(
                    "--fail-on: unknown `{item}` (errors, warnings, personas, coverage)"
                ))
            }
        }
    }
    // A git:REV side reads the other side's path at that revision.
    let path = path.unwrap_or_else(|| {
        [old, new]
            .iter()
            .find(|s| !s.starts_with("git:") && (common.from.is_some() || !s.ends_with(".json")))
            .map_or_else(
                || std::path::PathBuf::from("menus"),
                std::path::PathBuf::from,
            )
    });
    let options = crate::diff::SideOptions {
        seed: common.seed,
        fuzz_runs: runs,
        path,
        from: common.from,
    };
    let sides = [old, new].map(|spec| crate::diff::load_side(spec, &options, &git::Git));
    let [old_report, new_report] = sides;
    let (old_report, new_report) = match (old_report, new_report) {
        (Ok(a), Ok(b)) => (a, b),
        (old_side, new_side) => {
            // Both sides are told on standard error; the output, one
            // document in the format asked for, says why the first side
            // that failed could not be compared.
            let failed: Vec<(&str, &str, crate::diff::SideError)> =
                [("old", old, old_side), ("new", new, new_side)]
                    .into_iter()
                    .filter_map(|(which, spec, side)| side.err().map(|e| (which, spec, e)))
                    .collect();
            let mut first = None;
            for (which, spec, error) in failed {
                let human = side_error_text(which, spec, &error, false);
                eprint!("{}", side_error_text(which, spec, &error, stderr_colour()));
                first.get_or_insert((error.error_report(spec), human));
            }
            return match first {
                Some((report, human)) => write_load_errors(&report, &human, common),
                None => EXIT_ERROR,
            };
        }
    };
    let report = crate::diff::diff(&old_report, &new_report, &kinds, max_coverage_drop);
    let text = match common.format() {
        Format::Json => render::json::render_value(&report),
        Format::Markdown => render::markdown::diff(&report, &new_report),
        Format::Human => render::human::diff(&report),
        // Clap refuses these for diff; a Common built by hand could still
        // carry one.
        Format::Junit | Format::Sarif => {
            return fail("diff prints human, json or markdown; junit and sarif are for check, lint, fuzz, personas and merge")
        }
    };
    let written = Output::new(common.output.as_deref()).write(&text);
    if written != EXIT_CLEAN {
        return written;
    }
    if report.fails() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// What people read when a side of a diff (`which`, old or new) cannot be
/// compared: a set with mistakes shows each at its line, as `lint` does.
fn side_error_text(
    which: &str,
    spec: &str,
    error: &crate::diff::SideError,
    colour: bool,
) -> String {
    match error {
        crate::diff::SideError::Load { error, .. } => format!(
            "error: the {which} side `{spec}` did not load\n{}",
            render::load_error_text(error, colour)
        ),
        other => format!("error: {other}\n"),
    }
}

fn run_graph(
    path: &Path,
    flow: &str,
    channel: Option<crate::model::Channel>,
    format: GraphFormat,
    from: Option<crate::import::Platform>,
    output: Option<&Path>,
) -> u8 {
    let common = Common {
        from,
        format: None,
        output: None,
        seed: args::DEFAULT_SEED,
        deny: None,
        shard: None,
    };
    let set = match load("graph", path, &common) {
        Ok(set) => set,
        Err(code) => return code,
    };
    let structure = crate::structure::describe(&set);
    let shapes: Vec<_> = structure
        .flows
        .iter()
        .filter(|f| f.flow == flow && channel.is_none_or(|c| f.channel == c))
        .collect();
    let shape = match shapes.as_slice() {
        [one] => *one,
        [] => {
            let known: Vec<&str> = structure.flows.iter().map(|f| f.flow.as_str()).collect();
            return fail(format!(
                "no flow `{flow}` in the set (flows: {})",
                known.join(", ")
            ));
        }
        _ => {
            return fail(format!(
                "flow `{flow}` exists on several channels; say which with --channel"
            ))
        }
    };
    let analysis = match crate::analysis::lint(&set) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let findings: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.channel == shape.channel && f.flow == shape.flow)
        .collect();
    let text = match format {
        GraphFormat::Dot => render::graph::dot(shape, &findings),
        GraphFormat::Mermaid => render::graph::mermaid(shape, &findings, &[]),
    };
    Output::new(output).write(&text)
}

fn run_merge(paths: &[std::path::PathBuf], common: &Common) -> u8 {
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

fn run_import(
    files: &[std::path::PathBuf],
    platform: crate::import::Platform,
    output: Option<&Path>,
) -> u8 {
    let exports = match crate::import::read_exports(platform, files) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let imported = match crate::import::import_files(platform, &exports) {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let documents: Vec<(String, String)> = imported
        .flows
        .iter()
        .map(|f| (format!("{}.yaml", f.id), crate::import::emit(f)))
        .collect();
    // What is written must load: check before writing anything.
    if let Err(e) = crate::loader::load_texts(std::path::PathBuf::from("imported"), &documents) {
        return fail(format!(
            "the imported flows do not load (a touchpoint bug worth reporting): {}",
            e.plain_lines().join("; ")
        ));
    }
    match output {
        Some(dir) if documents.len() > 1 || dir.is_dir() => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!("cannot create `{}`: {e}", dir.display()));
            }
            for (name, text) in &documents {
                let written = Output::new(Some(&dir.join(name))).write(text);
                if written != EXIT_CLEAN {
                    return written;
                }
            }
            EXIT_CLEAN
        }
        Some(file) => Output::new(Some(file)).write(&documents[0].1),
        None => {
            let text: Vec<&str> = documents.iter().map(|(_, t)| t.as_str()).collect();
            Output::new(None).write(&text.join("---\n"))
        }
    }
}

/// Plays one call to a running app with `inputs` and prints what the
/// caller heard and how the call ended: the replay of a `fuzz --live`
/// finding. Exit 0 when the call ran, 1 when it failed (a `live-error`),
/// 2 when the app does not answer.
fn run_live_replay(live: &args::LiveArgs, inputs: &str, common: &Common) -> u8 {
    use crate::live::call::{Ending, Heard, Input as LiveInput};
    use crate::live::crawl::Outcome;
    let url = live.live.as_deref().unwrap_or_default();
    let parsed = match Input::parse_list(inputs) {
        Ok(parsed) => parsed,
        Err(e) => return fail(format!("--inputs: {e}")),
    };
    let mut call_inputs = Vec::new();
    for input in parsed {
        let shown = input.to_string();
        match LiveInput::from_replay(input) {
            Some(input) => call_inputs.push(input),
            None => return fail(format!("`{shown}` is not something a caller can do")),
        }
    }
    let driver = match live_driver(live) {
        Ok(driver) => driver,
        Err(code) => return code,
    };
    // A call reports what was heard since the caller's last input, so the
    // whole transcript comes from playing every prefix of the inputs (one
    // batch, concurrently): each says what the caller heard before their
    // next input.
    let prefixes: Vec<Vec<LiveInput>> = (0..=call_inputs.len())
        .map(|len| call_inputs[..len].to_vec())
        .collect();
    let outcomes = driver.play_batch(&prefixes);
    let heard_lines = |heard: &[Heard]| -> String {
        heard
            .iter()
            .map(|h| match h {
                Heard::Said(text) => format!("  app: {text}\n"),
                Heard::Played(audio) => format!("  app plays {audio}\n"),
            })
            .collect()
    };
    let typed: Vec<String> = call_inputs.iter().map(LiveInput::text).collect();
    let mut text = format!("call to {url} with inputs [{}]\n", typed.join(", "));
    let mut failed = false;
    for (given, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Outcome::Listening {
                heard, document, ..
            } => {
                text.push_str(&heard_lines(heard));
                match call_inputs.get(given) {
                    Some(input) => text.push_str(&format!("  caller: {}\n", input.text())),
                    None => text.push_str(&format!("still listening at {document}\n")),
                }
            }
            Outcome::Ended {
                ending,
                heard,
                unused,
                document,
            } => {
                text.push_str(&heard_lines(heard));
                let how = match ending {
                    Ending::HungUp => "the app hung up".to_string(),
                    Ending::FellOff => "the reply ran out and the call ended".to_string(),
                    Ending::Transferred(to) => format!("transferred to {to}"),
                    Ending::Queued(queue) => format!("queued for {queue}"),
                };
                text.push_str(&format!("{how} at {document}"));
                if *unused > 0 {
                    text.push_str(&format!(", {unused} inputs unused"));
                }
                text.push('\n');
                break;
            }
            Outcome::Failed {
                message,
                unreachable,
                ..
            } => {
                if *unreachable {
                    return fail(format!("{url} does not answer: {message}"));
                }
                text.push_str(&format!("live-error: {message}\n"));
                failed = true;
                break;
            }
            // No deadline is set for a replay, so no call is cut off.
            Outcome::Abandoned => return fail("the call was cut off before it ended"),
        }
    }
    let written = Output::new(common.output.as_deref()).write(&text);
    if written == EXIT_CLEAN && failed {
        EXIT_FINDINGS
    } else {
        written
    }
}

/// The driver for `--live URL` with its options, or the exit code after
/// saying why there is none.
fn live_driver(live: &args::LiveArgs) -> Result<crate::live::driver::Driver, u8> {
    live_driver_with(live, crate::live::driver::DriverOptions::default())
}

/// The same, with the options `--live` does not set taken from `base`.
fn live_driver_with(
    live: &args::LiveArgs,
    base: crate::live::driver::DriverOptions,
) -> Result<crate::live::driver::Driver, u8> {
    let url = live.live.as_deref().unwrap_or_default();
    let start =
        url::Url::parse(url).map_err(|e| fail(format!("--live `{url}` is not a URL: {e}")))?;
    let options = crate::live::driver::DriverOptions {
        concurrency: usize::from(live.concurrency),
        request_timeout: live.timeout,
        allowed_origins: live.allow_hosts.clone(),
        ..base
    };
    crate::live::driver::Driver::new(start, options).map_err(fail)
}

/// Why a live app gave nothing to report: it never answered at all (a
/// closed port, a wrong address, a hung server), or it answered some calls
/// and then stopped.
fn not_answering(url: &str, driver: &crate::live::driver::Driver, why: &str) -> String {
    match driver.answered_calls() {
        0 => format!("nothing answered at {url}: {why}"),
        answered => format!("{url} answered {answered} calls, then stopped answering: {why}"),
    }
}

/// Random callers `fuzz --live` makes by default: each is a real call, so
/// fewer than on a model.
const LIVE_FUZZ_RUNS: usize = 200;

/// Inputs at most in one live caller's call by default: each is a request
/// to the app, and a short call shows most of what a long one would.
const LIVE_MAX_STEPS: usize = 16;

/// Fuzzes a running app with seeded random callers and reports what went
/// wrong, each failure with the shortest inputs that still show it. Exit 0
/// when nothing failed, 1 with findings, 2 when the app cannot be called or
/// stops answering (nothing is reported then).
fn run_live_fuzz(live: &args::LiveArgs, budget: &args::FuzzBudget, common: &Common) -> u8 {
    let url = live.live.as_deref().unwrap_or_default();
    if common.shard.is_some() {
        return fail("--shard splits fuzzing of a model; it does not apply to --live");
    }
    let clock = std::sync::Arc::new(clock::SystemClock::start());
    let deadline = budget.time.map(|t| clock.instant(t));
    // A hung app would make every call, and every replay while shrinking,
    // wait out the whole timeout: the first timeout means it is not
    // answering. At the deadline the calls still going are cut off.
    let driver = match live_driver_with(
        live,
        crate::live::driver::DriverOptions {
            deadline,
            timeout_means_not_answering: true,
            ..Default::default()
        },
    ) {
        Ok(driver) => driver,
        Err(code) => return code,
    };
    let options = crate::live::fuzz::LiveFuzzOptions {
        seed: common.seed,
        runs: budget.runs_or(LIVE_FUZZ_RUNS),
        max_steps: budget.max_steps_or(LIVE_MAX_STEPS),
        max_shrink_calls: 256,
        deadline: budget.time.map(|t| crate::clock::Deadline::at(clock, t)),
    };
    let outcome = crate::live::fuzz::fuzz_live(&options, &mut |batch| driver.play_batch(batch));
    if let Some(why) = &outcome.unreachable {
        return fail(format!(
            "{}; nothing was reported",
            not_answering(url, &driver, why)
        ));
    }
    if outcome.runs == 0 && outcome.abandoned > 0 {
        return fail(format!(
            "no call to {url} ended before the --time deadline ({} cut off): the app did not answer in time; nothing was reported",
            outcome.abandoned
        ));
    }
    let report = crate::live::fuzz::report(url, common.seed, outcome);
    write_report(&report, None, common)
}

/// Crawls a live app and writes the flow found. Exit 0 when the tree was
/// crawled cleanly, 1 when some calls failed (`live-error`, printed with the
/// inputs that reach them; the flow is still written), 2 when the app
/// cannot be crawled at all or stops answering, in which case nothing is
/// written.
fn run_crawl(
    url: &str,
    output: Option<&Path>,
    options: crate::live::driver::DriverOptions,
    limits: crate::live::crawl::CrawlLimits,
) -> u8 {
    use crate::live::call::Input;
    let start = match url::Url::parse(url) {
        Ok(start) => start,
        Err(e) => return fail(format!("`{url}` is not a URL: {e}")),
    };
    let driver = match crate::live::driver::Driver::new(start, options) {
        Ok(driver) => driver,
        Err(e) => return fail(e),
    };
    let crawled = crate::live::crawl::crawl("crawled", url, limits, &mut |batch| {
        driver.play_batch(batch)
    });
    let inputs = |inputs: &[Input]| -> String {
        let words: Vec<String> = inputs.iter().map(Input::text).collect();
        format!("[{}]", words.join(", "))
    };
    if let Some(gone) = crawled.failures.iter().find(|f| f.unreachable) {
        let why = format!("{} (inputs {})", gone.message, inputs(&gone.inputs));
        return fail(format!(
            "{}; nothing was written",
            not_answering(url, &driver, &why)
        ));
    }
    if crawled.flow.nodes.is_empty() || crawled.flow.start == "call_failed" {
        let why = crawled
            .failures
            .first()
            .map(|f| f.message.clone())
            .or_else(|| crawled.notes.first().cloned())
            .unwrap_or_else(|| "the first call failed".to_string());
        return fail(format!("{url} could not be crawled: {why}"));
    }
    for note in &crawled.notes {
        eprintln!("note: {note}");
    }
    for failure in &crawled.failures {
        eprintln!(
            "live-error: inputs {}: {}",
            inputs(&failure.inputs),
            failure.message
        );
    }
    let text = crate::import::emit(&crawled.flow);
    // What is written must load: check before writing anything. Loading
    // is enough; linting here would walk the flow only to drop the result.
    let documents = [("crawled.yaml".to_string(), text.clone())];
    if let Err(e) = crate::loader::load_texts(std::path::PathBuf::from("crawled"), &documents) {
        return fail(format!(
            "the crawled flow does not load (a touchpoint bug worth reporting): {}",
            e.plain_lines().join("; ")
        ));
    }
    let written = Output::new(output).write(&text);
    if written != EXIT_CLEAN {
        return written;
    }
    eprintln!(
        "crawled {} menus with {} calls{}",
        crawled.menus,
        crawled.calls,
        if crawled.failures.is_empty() {
            String::new()
        } else {
            format!("; {} calls failed", crawled.failures.len())
        }
    );
    if crawled.failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// Renders a report in the format asked for, writes it, and turns it into
/// the exit code: 1 when it fails (errors, failed personas, or warnings with
/// `--deny warnings`), 0 otherwise, 2 when it cannot be written.
fn write_report(report: &crate::report::Report, set: Option<&MenuSet>, common: &Common) -> u8 {
    let text = match common.format() {
        Format::Json => render::json::render(report),
        Format::Markdown => render::markdown::report(report, common.deny_warnings()),
        Format::Junit => render::junit::render(report, common.deny_warnings()),
        Format::Sarif => render::sarif::render(report),
        Format::Human => {
            let colour = set.is_some()
                && common.output.is_none()
                && render::use_colour(std::io::stdout().is_terminal());
            render::human::render(report, set, colour)
        }
    };
    let written = Output::new(common.output.as_deref()).write(&text);
    if written != EXIT_CLEAN {
        return written;
    }
    if report.fails(common.deny_warnings()) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
