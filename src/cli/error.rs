//! Why a command could not run: the one error every command returns. `run`
//! prints it once and maps it to exit 2 of docs/report.md's contract, as
//! ripgrep's `main` does; each variant's text is what the user reads after
//! `error: `.

use std::path::PathBuf;

use super::EXIT_ERROR;

/// A command that could not do its job. Commands return it instead of
/// printing it, so that it is said exactly once, at the top.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Options that make sense alone but not together, or not for this
    /// command.
    #[error("{0}")]
    Usage(&'static str),
    /// The set, the export or a side of a diff did not load. `shown` is
    /// what people read about it on standard error, already in their
    /// terminal's colours and with its own `error:` lines; the problems have
    /// been written to the output in the format asked for too, unless that
    /// failed (`unwritten`), which is said after them.
    #[error("{shown}")]
    NotLoaded {
        shown: String,
        unwritten: Option<Box<CliError>>,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create `{}`: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write transcripts to `{}`: {source}", dir.display())]
    SaveTranscripts {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not a touchpoint JSON report: {source}", path.display())]
    NotAReport {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("--inputs: {0}")]
    Inputs(crate::input::InputError),
    #[error("`{0}` is not something a caller can do")]
    NotACallerInput(String),
    #[error("--var `{0}`: write it as NAME=VALUE")]
    Var(String),
    #[error("--fail-on: unknown `{0}` (errors, warnings, personas, coverage)")]
    FailOn(String),
    #[error("no persona `{name}` in the set (personas: {})", known.join(", "))]
    NoPersona { name: String, known: Vec<String> },
    #[error("no flow `{flow}` in the set (flows: {})", known.join(", "))]
    NoFlow { flow: String, known: Vec<String> },
    #[error("flow `{0}` exists on several channels; say which with --channel")]
    FlowOnSeveralChannels(String),
    /// `--live URL`, or crawl's URL, that does not parse.
    #[error("{option}`{url}` is not a URL: {source}")]
    NotAUrl {
        /// The option the URL came in, with a space (`--live `), or
        /// nothing for crawl's argument.
        option: &'static str,
        url: String,
        source: url::ParseError,
    },
    /// A running app that could not be called, crawled or fuzzed: the text
    /// says what it did and what was not written.
    #[error("{0}")]
    Live(String),
    /// Flows touchpoint wrote itself (imported or crawled) that do not
    /// load: `failure` says which did not.
    #[error("{failure} (a touchpoint bug worth reporting): {problems}")]
    WrittenFlowsDoNotLoad {
        failure: &'static str,
        problems: String,
    },
    #[error(transparent)]
    Compile(#[from] crate::graph::CompileError),
    #[error(transparent)]
    Replay(#[from] crate::replay::ReplayError),
    #[error(transparent)]
    From(#[from] crate::import::FromError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Driver(#[from] crate::live::driver::DriverError),
    #[error(transparent)]
    Merge(#[from] crate::report::MergeError),
}

impl CliError {
    /// Says the error on standard error, the one place it is said.
    pub fn print(&self) {
        match self {
            CliError::NotLoaded { shown, unwritten } => {
                eprint!("{shown}");
                if let Some(unwritten) = unwritten {
                    unwritten.print();
                }
            }
            other => eprintln!("error: {other}"),
        }
    }

    /// The exit code of docs/report.md: every error is "could not run".
    pub fn exit_code(&self) -> u8 {
        EXIT_ERROR
    }
}

/// How a command that ran ended: its verdict on what it checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at or above the fail level: exit 0.
    Clean,
    /// Findings at or above the fail level, failed personas, failed calls,
    /// or a diff that got worse: exit 1.
    Findings,
}

impl Verdict {
    /// `Findings` when `failed`, else `Clean`.
    pub fn failed_if(failed: bool) -> Verdict {
        if failed {
            Verdict::Findings
        } else {
            Verdict::Clean
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => super::EXIT_CLEAN,
            Verdict::Findings => super::EXIT_FINDINGS,
        }
    }
}
