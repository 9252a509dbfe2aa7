//! The command line: clap's commands and their small shared option groups,
//! and the parsing of durations.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::Channel;

/// Walks every path through IVR, web and app menus and finds where customers get stuck.
#[derive(Debug, Parser)]
#[command(name = "touchpoint", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Threads to run on (default: every core). The report is the same
    /// whatever the number: only the time changes.
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: every check on a menu set (default: menus/).
    Check(CheckArgs),
    /// Load, static rules and the exhaustive walk of every reachable state; no randomness.
    Lint {
        #[arg(default_value = "menus")]
        path: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        from: FromArg,
    },
    /// Random customers from a seed; failures shrunk to the shortest input sequence.
    Fuzz {
        /// The set, or a file of it. With --live the app is fuzzed
        /// instead, so a set named as well is refused, not ignored.
        #[arg(default_value = "menus", conflicts_with = "live")]
        path: PathBuf,
        #[command(flatten)]
        budget: FuzzBudget,
        #[command(flatten)]
        live: LiveArgs,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        seed: SeedArg,
        #[command(flatten)]
        from: FromArg,
        #[command(flatten)]
        shard: ShardArg,
    },
    /// Run the persona scripts and measure each journey.
    Personas {
        #[arg(default_value = "menus")]
        path: PathBuf,
        #[command(flatten)]
        personas: PersonaArgs,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        seed: SeedArg,
        #[command(flatten)]
        from: FromArg,
        #[command(flatten)]
        shard: ShardArg,
    },
    /// Compare two versions: set directories, git:REV, or saved JSON reports.
    Diff {
        /// The old side: a directory, a flow file, git:REV or a saved report.
        old: String,
        /// The new side.
        new: String,
        /// What fails the diff (exit 1): errors, warnings, personas, coverage,
        /// time, unserved, mutation (a fall of the mutation score; not by
        /// default).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "errors,personas,coverage,time,unserved"
        )]
        fail_on: Vec<String>,
        /// Largest allowed drop of a flow's coverage, in percentage points.
        #[arg(long, default_value_t = 5.0)]
        max_coverage_drop: f64,
        /// Largest allowed rise of a channel's mean time to be served, in
        /// percent of the old mean (`10` and `10%` are the same).
        #[arg(long, default_value = "10", value_parser = parse_percent, value_name = "PERCENT")]
        max_time_increase: f64,
        /// The path a git:REV side reads at that revision (default: the
        /// other side's path, else menus).
        #[arg(long)]
        path: Option<PathBuf>,
        /// Random customers per side.
        #[arg(long, default_value_t = 500)]
        runs: usize,
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<DiffFormat>,
        #[command(flatten)]
        output: OutputArg,
        #[command(flatten)]
        seed: SeedArg,
        #[command(flatten)]
        from: FromArg,
    },
    /// Play one input sequence through a flow and print the transcript.
    Replay {
        /// The set, or a file of it. With --live the app is called
        /// instead, so a set named as well is refused, not ignored.
        #[arg(default_value = "menus", conflicts_with = "live")]
        path: PathBuf,
        /// The flow to start in.
        #[arg(long, required_unless_present = "live", conflicts_with = "live")]
        flow: Option<String>,
        /// Play the inputs as one call to the running TwiML app at --live
        /// URL instead (what `fuzz --live` findings print).
        #[command(flatten)]
        live: LiveArgs,
        /// Comma-separated inputs: 1, wait, say:agent, enter:12345678, click:Billing, back.
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        inputs: String,
        /// A variable's value, NAME=VALUE; repeat for several. Others take their first value.
        #[arg(long = "var", value_name = "NAME=VALUE", conflicts_with = "live")]
        vars: Vec<String>,
        /// The channel, when flows of several channels share the id.
        #[arg(long, value_parser = parse_channel, conflicts_with = "live")]
        channel: Option<Channel>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<ReplayFormat>,
        #[command(flatten)]
        output: OutputArg,
        #[command(flatten)]
        from: FromArg,
        /// Write the replayed journey as a persona script named NAME (to -o
        /// FILE, which must not exist yet, or to standard output); with
        /// --live, the call, for `personas --live`.
        #[arg(long, value_name = "NAME")]
        save_persona: Option<String>,
    },
    /// Combine the JSON reports of shards (check --shard K/N) into one.
    Merge {
        /// The shards' reports, written with --format json.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Turn platform exports into touchpoint flows.
    Import {
        /// Export files, or folders of them. Several files of one contact
        /// centre import together, with the links between them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The platform the files come from.
        #[arg(long, value_enum, value_name = "PLATFORM")]
        from: crate::import::Platform,
        /// Write the flow to FILE (one flow), or each flow into the folder
        /// DIR (several); without it, print the documents separated by `---`.
        #[arg(short, long, value_name = "FILE|DIR")]
        output: Option<PathBuf>,
    },
    /// Discover a live phone tree by calling it as the platform would, and
    /// write it as a flow that lint and personas run on.
    Crawl {
        /// The URL the platform requests when a call comes in.
        url: String,
        /// How the app talks to the platform.
        #[arg(long, value_enum, default_value = "twiml")]
        protocol: &'static dyn crate::live::protocol::Protocol,
        /// Write the flow to FILE (atomically, and only when the crawl
        /// completes); without it, print it.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Calls in flight at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Time allowed for one request (1s to 10m; a plain number is seconds).
        #[arg(long, default_value = "10s", value_parser = parse_timeout, value_name = "DURATION")]
        timeout: Duration,
        /// Another origin the app may send calls to (repeatable): HOST,
        /// HOST:PORT or SCHEME://HOST:PORT, taking the starting URL's scheme
        /// and the scheme's default port when left out; the starting URL's
        /// origin (scheme, host and port) is always allowed.
        #[arg(long = "allow-host", value_name = "HOST")]
        allow_hosts: Vec<String>,
        /// Find at most this many menus (asks included); menus reached
        /// beyond it are left out.
        #[arg(long, default_value_t = 500)]
        max_menus: usize,
        /// Make at most this many calls; menus whose probes do not fit are
        /// not probed.
        #[arg(long, default_value_t = 20_000)]
        max_calls: usize,
    },
    /// Every check on a set, as `check` runs them, written as a report:
    /// with `--format html`, one self-contained page to open in a browser.
    Report(CheckArgs),
    /// Draw a flow as Graphviz dot, Mermaid or BPMN, with lint findings
    /// marked, or one persona's or intent's journey as BPMN.
    Graph {
        #[arg(default_value = "menus")]
        path: PathBuf,
        /// The flow to draw; with --intent, the flow the journey starts in.
        #[arg(long)]
        flow: Option<String>,
        /// Draw this persona's journey (NAME, or NAME@VARIANT for one entry
        /// of its matrix) instead of a flow; --format bpmn only.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["flow", "channel", "intent"])]
        persona: Option<String>,
        /// Draw the journey of a goal-directed customer with this intent
        /// instead of a flow; --format bpmn only.
        #[arg(long, value_name = "NAME")]
        intent: Option<String>,
        /// The channel, when flows of several channels share the id.
        #[arg(long, value_parser = parse_channel)]
        channel: Option<Channel>,
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
        /// Read PATH as a platform export.
        #[arg(long, value_enum, value_name = "PLATFORM")]
        from: Option<crate::import::Platform>,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the menu format, for editor completion.
    Schema {
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Seed realistic editing mistakes one at a time and score how many
    /// the personas catch; suggest a persona for each one they miss.
    Mutate(MutateArgs),
    /// Write a small, commented starter set (menus/) and a GitHub Actions workflow under DIR.
    Init {
        /// The folder to write in (created if needed): the set goes in
        /// DIR/menus, the workflow in DIR/.github/workflows.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// What `mutate` takes.
#[derive(Debug, Args)]
pub struct MutateArgs {
    #[arg(default_value = "menus")]
    pub path: PathBuf,
    #[command(flatten)]
    pub mutation: MutationArgs,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<MutateFormat>,
    #[command(flatten)]
    pub output: OutputArg,
    #[command(flatten)]
    pub seed: SeedArg,
    #[command(flatten)]
    pub from: FromArg,
    /// Run only shard K of N (1-based) of the mutants, for a CI matrix.
    #[arg(long, value_parser = parse_shard, value_name = "K/N")]
    pub shard: Option<(usize, usize)>,
}

/// How mutants are killed and what fails the run.
#[derive(Debug, Args)]
pub struct MutationArgs {
    /// A mutant that adds a lint finding is killed too, not only one that
    /// fails a persona.
    #[arg(long)]
    pub with_lint: bool,
    /// Fail (exit 1) when the mutation score is below this, a fraction
    /// (`0.9`) or a percentage (`90%`).
    #[arg(long, value_parser = parse_score, value_name = "SCORE")]
    pub min_score: Option<f64>,
    /// Write each suggested persona into DIR (one file per persona, named
    /// after it; an existing file is never replaced).
    #[arg(long, value_name = "DIR")]
    pub write_suggestions: Option<PathBuf>,
    /// Only mutants of this operator (repeatable or comma-separated).
    #[arg(long = "operator", value_delimiter = ',', value_parser = parse_operator, value_name = "NAME")]
    pub operators: Vec<crate::mutate::Operator>,
    /// Golden transcripts saved in DIR (as `personas --save-transcripts`
    /// writes them): a persona whose transcript changes kills the mutant.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
}

/// What `mutate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MutateFormat {
    Human,
    Json,
    /// A pull-request comment: the score, per operator and flow, and the
    /// survivors with their suggested personas.
    Markdown,
    /// JUnit XML: a test case per mutant (a survivor fails).
    Junit,
}

/// `--min-score`: a fraction between 0 and 1, or a percentage.
fn parse_score(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(n) => (n.trim_end(), 100.0),
        None => (trimmed, 1.0),
    };
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && (0.0..=scale).contains(&value) => Ok(value / scale),
        _ => Err(format!(
            "`{text}` is not a score: write a fraction from 0 to 1 (0.9) or a percentage (90%)"
        )),
    }
}

fn parse_operator(text: &str) -> Result<crate::mutate::Operator, String> {
    crate::mutate::Operator::parse(text.trim()).ok_or_else(|| {
        let names: Vec<&str> = crate::mutate::Operator::ALL
            .iter()
            .map(|o| o.name())
            .collect();
        format!("unknown operator `{text}` (one of {})", names.join(", "))
    })
}

/// Which personas to run, and golden transcripts.
#[derive(Debug, Args)]
pub struct PersonaArgs {
    /// Run only the persona with this id.
    #[arg(long, value_name = "NAME")]
    pub persona: Option<String>,
    /// Write each journey's transcript into DIR (one text file per run).
    #[arg(long, value_name = "DIR")]
    pub save_transcripts: Option<PathBuf>,
    /// Compare each journey's transcript with the one saved in DIR and
    /// report the journeys whose transcript changed, with a word diff.
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,
    /// With --transcripts DIR: after the report shows each changed
    /// transcript's word diff, rewrite it in DIR (new ones too) and say
    /// which files were written. The exit code is what it is without
    /// --accept: failed personas still fail the run.
    #[arg(long, requires = "transcripts")]
    pub accept: bool,
    /// Also replay each phone journey on the running TwiML app at
    /// --live URL: a persona fails when the live call ends differently from
    /// the model.
    #[command(flatten)]
    pub live: LiveArgs,
}

/// Calling a running app: `fuzz --live` calls it instead of walking the
/// model, `personas --live` replays journeys on it too.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// A running TwiML app to call: `fuzz` calls it with random callers
    /// instead of walking PATH, `personas` and `check` also replay each
    /// phone journey on it, `replay` plays the inputs as one call.
    #[arg(long, value_name = "URL")]
    pub live: Option<String>,
    /// With --live: how the app talks to the platform, as for `crawl`.
    #[arg(long, value_enum, default_value = "twiml", requires = "live")]
    pub protocol: &'static dyn crate::live::protocol::Protocol,
    /// With --live: calls in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256), requires = "live")]
    pub concurrency: u16,
    /// With --live: time allowed for one request (1s to 10m; a plain
    /// number is seconds).
    #[arg(long, default_value = "10s", value_parser = parse_timeout, value_name = "DURATION", requires = "live")]
    pub timeout: Duration,
    /// With --live: also send calls to this origin (repeatable): HOST,
    /// HOST:PORT or SCHEME://HOST:PORT, as for `crawl`.
    #[arg(long = "allow-host", value_name = "HOST", requires = "live")]
    pub allow_hosts: Vec<String>,
}

/// What `check` and `report` take: the same job, written as a report.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(default_value = "menus")]
    pub path: PathBuf,
    #[command(flatten)]
    pub budget: FuzzBudget,
    #[command(flatten)]
    pub personas: PersonaArgs,
    #[command(flatten)]
    pub mutation: CheckMutationArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub seed: SeedArg,
    #[command(flatten)]
    pub from: FromArg,
    #[command(flatten)]
    pub shard: ShardArg,
}

/// `check --mutate`: the mutation score in the report, with the options of
/// `mutate` that decide what kills a mutant and what fails the run.
#[derive(Debug, Clone, Copy, Args)]
pub struct CheckMutationArgs {
    /// After the check, seed editing mistakes one at a time, as `mutate`
    /// does, and put the mutation score and the survivors into the report.
    #[arg(long)]
    pub mutate: bool,
    /// With --mutate: a mutant that adds a lint finding is killed too.
    #[arg(long, requires = "mutate")]
    pub with_lint: bool,
    /// With --mutate: fail (exit 1) when the mutation score is below this,
    /// a fraction (`0.9`) or a percentage (`90%`).
    #[arg(long, value_parser = parse_score, value_name = "SCORE", requires = "mutate")]
    pub min_score: Option<f64>,
}

/// How many random customers to try.
#[derive(Debug, Args)]
pub struct FuzzBudget {
    /// Random customers in all (shared over the channels).
    #[arg(long)]
    pub runs: Option<usize>,
    /// Stop starting new customers after this long (e.g. 10s, 2m, 500ms).
    /// The report then depends on the machine's speed; use --runs to reproduce it.
    #[arg(long, value_parser = parse_time, value_name = "DURATION")]
    pub time: Option<Duration>,
    /// Steps after which one customer's run ends (default 64; with --live,
    /// 16, since every input of a live caller is a request to the app).
    #[arg(long)]
    pub max_steps: Option<usize>,
}

impl FuzzBudget {
    /// How many customers to try: `--runs`, else as many as fit in `--time`
    /// when only that is given, else `default`.
    pub(crate) fn runs_or(&self, default: usize) -> usize {
        self.runs.unwrap_or(if self.time.is_some() {
            usize::MAX / 2
        } else {
            default
        })
    }

    /// `--max-steps`, else `default`; at least one.
    pub(crate) fn max_steps_or(&self, default: usize) -> usize {
        self.max_steps.unwrap_or(default).max(1)
    }
}

/// The longest `--time` accepted. A budget must fit the clock: a deadline
/// is the start plus the budget, and a year (365.25 days, as humantime
/// counts it) is far beyond any real run.
pub(crate) const MAX_TIME: Duration = Duration::from_secs(31_557_600);

/// The shortest and longest time one live request may take (`--timeout`).
pub(crate) const TIMEOUT_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(600);

/// Why a text is not a DURATION an option accepts. Clap shows it after
/// naming the option and the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum DurationError {
    #[error("`{text}` is not a duration (try 10s, 2m, 500ms){}", why.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    NotADuration {
        text: String,
        why: Option<humantime::DurationError>,
    },
    #[error("`{text}` is out of range: {}", range_text(range))]
    OutOfRange {
        text: String,
        range: std::ops::RangeInclusive<Duration>,
    },
}

/// A range of durations as the out-of-range message gives it.
fn range_text(range: &std::ops::RangeInclusive<Duration>) -> String {
    let end = humantime::format_duration(*range.end());
    if range.start().is_zero() {
        format!("at most {end}")
    } else {
        let start = humantime::format_duration(*range.start());
        format!("from {start} to {end}")
    }
}

/// `--time`: a duration up to [`MAX_TIME`].
pub(crate) fn parse_time(text: &str) -> Result<Duration, DurationError> {
    parse_duration_in(text, Duration::ZERO..=MAX_TIME)
}

/// `--timeout`: a duration in [`TIMEOUT_RANGE`].
pub(crate) fn parse_timeout(text: &str) -> Result<Duration, DurationError> {
    parse_duration_in(text, TIMEOUT_RANGE)
}

/// A duration as a person writes it: a plain number of seconds (`10`,
/// `2.5`), or a number with a unit, as humantime reads it (`500ms`, `10s`,
/// `2m`, `1h`, `1h 30m`), within `range`. Every way a text can fail is an
/// error naming the text, never a panic: out-of-range values included.
pub(crate) fn parse_duration_in(
    text: &str,
    range: std::ops::RangeInclusive<Duration>,
) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    let is_plain_number = !trimmed.is_empty()
        && trimmed.chars().all(|c| c.is_ascii_digit() || c == '.')
        && trimmed.chars().any(|c| c.is_ascii_digit());
    let duration = if is_plain_number {
        let seconds: f64 = trimmed.parse().map_err(|_| not_a_duration(text, None))?;
        Duration::try_from_secs_f64(seconds).map_err(|_| out_of_range(text, &range))?
    } else {
        humantime::parse_duration(trimmed).map_err(|e| match e {
            humantime::DurationError::NumberOverflow => out_of_range(text, &range),
            other => not_a_duration(text, Some(other)),
        })?
    };
    if range.contains(&duration) {
        Ok(duration)
    } else {
        Err(out_of_range(text, &range))
    }
}

fn not_a_duration(text: &str, why: Option<humantime::DurationError>) -> DurationError {
    DurationError::NotADuration {
        text: text.to_string(),
        why,
    }
}

fn out_of_range(text: &str, range: &std::ops::RangeInclusive<Duration>) -> DurationError {
    DurationError::OutOfRange {
        text: text.to_string(),
        range: range.clone(),
    }
}

/// A `--channel` that names no channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel `{0}` (phone, web or app)")]
pub(crate) struct UnknownChannel(String);

/// `--max-time-increase`: a percentage, written `10` or `10%`, like the
/// points of `--max-coverage-drop` a plain number. Negative, infinite and
/// not-a-number values are refused: each would make the gate fail on every
/// diff or on none.
fn parse_percent(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let number = trimmed.strip_suffix('%').unwrap_or(trimmed).trim_end();
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!(
            "`{text}` is not a percentage: write a number of percent at least 0, such as 10 or 10%"
        )),
    }
}

fn parse_channel(text: &str) -> Result<Channel, UnknownChannel> {
    Channel::parse(text).ok_or_else(|| UnknownChannel(text.to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// A pull-request comment: summary table, details, Mermaid diagram.
    Markdown,
    /// JUnit XML: a test case per persona and per finding class.
    Junit,
    /// SARIF 2.1.0: results with file, line and column for code scanning.
    Sarif,
    /// One self-contained page (`touchpoint report` only): flow diagrams,
    /// journeys, demand, coverage and findings to step through.
    Html,
}

/// What `diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    /// A pull-request comment: summary table, details, Mermaid diagrams.
    Markdown,
}

impl From<DiffFormat> for Format {
    fn from(format: DiffFormat) -> Format {
        match format {
            DiffFormat::Human => Format::Human,
            DiffFormat::Json => Format::Json,
            DiffFormat::Markdown => Format::Markdown,
        }
    }
}

/// What `replay` writes: the transcript as text or as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    Human,
    Json,
}

impl From<ReplayFormat> for Format {
    fn from(format: ReplayFormat) -> Format {
        match format {
            ReplayFormat::Human => Format::Human,
            ReplayFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    /// BPMN 2.0 XML with diagram interchange, for bpmn.io or Camunda Modeler.
    Bpmn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

/// How a report is written and what fails it: `check`, `lint`, `fuzz`,
/// `personas` and `merge`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub output: OutputArg,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum, long_help = deny_long_help())]
    pub deny: Option<Deny>,
}

/// `--deny`'s long help lists every finding code with its default level, so
/// that which codes fail a run can be read without the documentation.
fn deny_long_help() -> String {
    format!(
        "Fail (exit 1) on warnings too.\n\nThe finding codes, at the level each has unless the set's `levels` says otherwise:\n\n{}",
        crate::finding::code_list().trim_end()
    )
}

#[derive(Debug, Args)]
pub struct OutputArg {
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// For the commands with random choices: `check`, `fuzz`, `personas`, `diff`.
#[derive(Debug, Args)]
pub struct SeedArg {
    /// Seed for every random choice; the same seed gives the same report.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct FromArg {
    /// Read PATH as a platform export (a file, or a folder of them) instead
    /// of touchpoint YAML. Findings point at the export's file, line and
    /// action.
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub from: Option<crate::import::Platform>,
}

/// For the commands that fuzz or run personas: `check`, `fuzz`, `personas`.
#[derive(Debug, Args)]
pub struct ShardArg {
    /// Run only shard K of N (1-based) of the fuzz runs and personas, for a
    /// CI matrix; `touchpoint merge` adds the shards' reports up again.
    #[arg(long, value_parser = parse_shard, value_name = "K/N")]
    pub shard: Option<(usize, usize)>,
}

/// What a command was given of the options that commands share, with the
/// defaults of those it does not take: each command's arguments accept only
/// the options it uses, and the code that runs them reads this one shape.
#[derive(Debug)]
pub(crate) struct Common {
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub seed: u64,
    pub deny: Option<Deny>,
    pub from: Option<crate::import::Platform>,
    pub shard: Option<(usize, usize)>,
}

/// The seed of a command that makes no random choice: reports still record
/// one, the default.
pub(crate) const DEFAULT_SEED: u64 = 42;

impl CheckArgs {
    /// The set, the fuzzing budget, the personas to run, the mutation
    /// testing asked for and the options every report command shares.
    pub(crate) fn into_parts(
        self,
    ) -> (PathBuf, FuzzBudget, PersonaArgs, CheckMutationArgs, Common) {
        let common = Common::of_report(
            self.report,
            Some(self.seed),
            Some(self.from),
            Some(self.shard),
        );
        (self.path, self.budget, self.personas, self.mutation, common)
    }
}

impl Common {
    /// A report command's options.
    pub(crate) fn of_report(
        report: ReportArgs,
        seed: Option<SeedArg>,
        from: Option<FromArg>,
        shard: Option<ShardArg>,
    ) -> Common {
        Common {
            format: report.format,
            output: report.output.output,
            seed: seed.map_or(DEFAULT_SEED, |s| s.seed),
            deny: report.deny,
            from: from.and_then(|f| f.from),
            shard: shard.and_then(|s| s.shard),
        }
    }

    /// The options of a command that writes one format and fails on
    /// nothing but its own terms (`diff`, `replay`).
    pub(crate) fn of_output(
        format: Option<Format>,
        output: OutputArg,
        seed: Option<SeedArg>,
        from: FromArg,
    ) -> Common {
        Common {
            format,
            output: output.output,
            seed: seed.map_or(DEFAULT_SEED, |s| s.seed),
            deny: None,
            from: from.from,
            shard: None,
        }
    }
}

/// `--from` offers the platforms there are importers for, and refuses any
/// other name with that list, so a new importer needs no change here.
impl ValueEnum for crate::import::Platform {
    fn value_variants<'a>() -> &'a [Self] {
        &crate::import::Platform::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

/// `--protocol` offers the protocols the live layer lists, and refuses
/// any other name with that list, so a new protocol needs no change here.
impl ValueEnum for &'static dyn crate::live::protocol::Protocol {
    fn value_variants<'a>() -> &'a [Self] {
        crate::live::protocol::PROTOCOLS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

/// A `--shard` that is not K/N, or splits a run too finely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ShardError {
    #[error("`{0}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/4")]
    NotAShard(String),
    #[error("`{0}`: a run is split into at most {max} shards", max = crate::report::Shard::MAX_COUNT)]
    TooMany(String),
}

fn parse_shard(text: &str) -> Result<(usize, usize), ShardError> {
    let bad = || ShardError::NotAShard(text.to_string());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    if n > crate::report::Shard::MAX_COUNT {
        return Err(ShardError::TooMany(text.to_string()));
    }
    Ok((k, n))
}

impl Common {
    pub(crate) fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    pub(crate) fn deny_warnings(&self) -> bool {
        self.deny == Some(Deny::Warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form docs/report.md documents for a DURATION is read as before.
    #[test]
    fn documented_duration_forms() {
        let secs = Duration::from_secs;
        assert_eq!(parse_time("10"), Ok(secs(10)));
        assert_eq!(parse_time("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_time("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_time("10s"), Ok(secs(10)));
        assert_eq!(parse_time("2m"), Ok(secs(120)));
        assert_eq!(parse_time("2min"), Ok(secs(120)));
        assert_eq!(parse_time("1h"), Ok(secs(3600)));
        assert_eq!(parse_time("1h 30m"), Ok(secs(5400)));
        assert_eq!(parse_time("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_timeout("2"), Ok(secs(2)));
        assert_eq!(parse_timeout("10m"), Ok(secs(600)));
    }

    /// Values too large for a `Duration`, or beyond the option's range,
    /// are errors that say so, never panics.
    #[test]
    fn durations_out_of_range_are_errors() {
        for text in [
            "99999999999999999999h",
            "99999999999999999999",
            "18446744073709551615h",
            "2years",
        ] {
            let error = parse_time(text).unwrap_err().to_string();
            assert!(error.contains("out of range: at most 1year"), "{error}");
        }
        for text in ["0", "500ms", "601", "11m"] {
            let error = parse_timeout(text).unwrap_err().to_string();
            assert!(error.contains("out of range: from 1s to 10m"), "{error}");
        }
        for text in ["soon", "", "10x", "1.2.3", "-5s"] {
            let error = parse_time(text).unwrap_err().to_string();
            assert!(error.contains("is not a duration"), "{error}");
        }
    }
}
