//! Why a command could not run: the one error every command returns. `run`
//! prints it once and maps it to exit 2 of docs/report.md's contract, as
//! ripgrep's `main` does; each variant's text is what the user reads after
//! `error: `.

use std::path::PathBuf;

use super::EXIT_ERROR;

/// A command that could not do its job. Commands return it instead of
/// printing it, so that it is said exactly once, at the top.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
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
    /// A running app that never answered (`answered` is 0: a closed port,
    /// a wrong address, a hung server) or stopped answering, so that
    /// nothing was `left_out` ("written", "reported").
    #[error("{}; nothing was {left_out}", not_answering(url, *answered, why))]
    NotAnswering {
        url: String,
        answered: usize,
        why: String,
        left_out: &'static str,
    },
    #[error("{url} could not be crawled: {why}")]
    NotCrawled { url: String, why: String },
    /// The one call of `replay --live` found no app.
    #[error("{url} does not answer: {why}")]
    CallNotAnswered { url: String, why: String },
    /// The one call of `replay --live` was abandoned before it ended.
    #[error("the call was cut off before it ended")]
    CallCutOff,
    /// `fuzz --live --time` ran out before any call ended.
    #[error("no call to {url} ended before the --time deadline ({abandoned} cut off): the app did not answer in time; nothing was reported")]
    NoCallEnded { url: String, abandoned: usize },
    /// Flows touchpoint wrote itself (imported or crawled) that do not
    /// load: `failure` says which did not.
    #[error("{failure} (a touchpoint bug worth reporting): {problems}")]
    WrittenFlowsDoNotLoad {
        failure: &'static str,
        problems: String,
    },
    #[error("no intent `{name}` in the set (intents: {})", known.join(", "))]
    NoIntent { name: String, known: Vec<String> },
    #[error("persona `{name}` runs in several configurations; name one with --persona: {}", variants.join(", "))]
    PersonaVariants { name: String, variants: Vec<String> },
    #[error("no {0} flow in the set; say which flow with --flow or which channel with --channel")]
    NoFlowOnChannel(&'static str),
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
    /// `init` found files where its starter files go; it wrote none.
    #[error("{} already {}; init replaces nothing, so it wrote nothing", paths_list(.0), if .0.len() == 1 { "exists" } else { "exist" })]
    InitWouldReplace(Vec<PathBuf>),
    /// `init` found something other than a folder where its folders go.
    #[error("{} {} not a folder; init wrote nothing", paths_list(.0), if .0.len() == 1 { "is" } else { "are" })]
    InitNotAFolder(Vec<PathBuf>),
    /// `replay --save-persona -o FILE` where FILE exists: a recording
    /// never replaces a persona file.
    #[error("`{}` already exists; a recorded persona never replaces a file: remove it or choose another -o FILE", .0.display())]
    PersonaFileExists(PathBuf),
    #[error(transparent)]
    Record(#[from] crate::personas::record::RecordError),
    /// `mutate --write-suggestions DIR` where a suggested persona's file
    /// exists: it may be one someone adopted and edited.
    #[error("`{}` already exists; a suggested persona never replaces a file: remove it, or write the suggestions into another folder", .0.display())]
    SuggestionExists(PathBuf),
    #[error(transparent)]
    LiveRecord(#[from] crate::live::record::LiveRecordError),
}

/// Paths as `a`, `b`, for a message that names each one.
fn paths_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| format!("`{}`", path.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a live app gave nothing: it never answered at all, or it answered
/// some calls and then stopped.
fn not_answering(url: &str, answered: usize, why: &str) -> String {
    match answered {
        0 => format!("nothing answered at {url}: {why}"),
        answered => format!("{url} answered {answered} calls, then stopped answering: {why}"),
    }
}

impl CliError {
    /// Says the error on standard error, the one place it is said.
    pub(crate) fn print(&self) {
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
    pub(crate) fn exit_code(&self) -> u8 {
        EXIT_ERROR
    }
}

/// How a command that ran ended: its verdict on what it checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Nothing at or above the fail level: exit 0.
    Clean,
    /// Findings at or above the fail level, failed personas, failed calls,
    /// or a diff that got worse: exit 1.
    Findings,
}

impl Verdict {
    /// `Findings` when `failed`, else `Clean`.
    pub(crate) fn failed_if(failed: bool) -> Verdict {
        if failed {
            Verdict::Findings
        } else {
            Verdict::Clean
        }
    }

    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => super::EXIT_CLEAN,
            Verdict::Findings => super::EXIT_FINDINGS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A live app that never answered and one that stopped are told apart,
    /// with what was left unwritten.
    #[test]
    fn an_app_that_stops_answering_says_how_far_it_got() {
        let error = |answered| CliError::NotAnswering {
            url: "http://127.0.0.1:9/voice".to_string(),
            answered,
            why: "connection refused".to_string(),
            left_out: "written",
        };
        assert_eq!(
            error(0).to_string(),
            "nothing answered at http://127.0.0.1:9/voice: connection refused; nothing was written"
        );
        assert_eq!(
            error(3).to_string(),
            "http://127.0.0.1:9/voice answered 3 calls, then stopped answering: connection refused; nothing was written"
        );
    }

    /// Every error is exit 2, and a verdict is 0 or 1: the contract of
    /// docs/report.md.
    #[test]
    fn errors_and_verdicts_keep_the_exit_code_contract() {
        assert_eq!(CliError::CallCutOff.exit_code(), 2);
        assert_eq!(Verdict::Clean.exit_code(), 0);
        assert_eq!(Verdict::Findings.exit_code(), 1);
        assert_eq!(Verdict::failed_if(true), Verdict::Findings);
        assert_eq!(Verdict::failed_if(false), Verdict::Clean);
    }
}
