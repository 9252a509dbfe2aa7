//! The one findings model every output format renders.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Channel, Level};

/// A finding code from docs/report.md. The names are a contract: users'
/// scripts and CI match on them, so a name is never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    UnknownTarget,
    Unreachable,
    DeadEnd,
    Trap,
    UnhandledInput,
    EndlessRetry,
    NoFit,
    MisleadingOption,
    IntentUnreachable,
    ChannelGap,
    PromptMismatch,
    DuplicateKey,
    MenuTooWide,
    TooDeep,
    PersonaFailed,
    /// A live call failed: HTTP error, timeout, bad TwiML, redirect loop.
    LiveError,
}

impl Code {
    pub const ALL: [Code; 16] = [
        Code::UnknownTarget,
        Code::Unreachable,
        Code::DeadEnd,
        Code::Trap,
        Code::UnhandledInput,
        Code::EndlessRetry,
        Code::NoFit,
        Code::MisleadingOption,
        Code::IntentUnreachable,
        Code::ChannelGap,
        Code::PromptMismatch,
        Code::DuplicateKey,
        Code::MenuTooWide,
        Code::TooDeep,
        Code::PersonaFailed,
        Code::LiveError,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Code::UnknownTarget => "unknown-target",
            Code::Unreachable => "unreachable",
            Code::DeadEnd => "dead-end",
            Code::Trap => "trap",
            Code::UnhandledInput => "unhandled-input",
            Code::EndlessRetry => "endless-retry",
            Code::NoFit => "no-fit",
            Code::MisleadingOption => "misleading-option",
            Code::IntentUnreachable => "intent-unreachable",
            Code::ChannelGap => "channel-gap",
            Code::PromptMismatch => "prompt-mismatch",
            Code::DuplicateKey => "duplicate-key",
            Code::MenuTooWide => "menu-too-wide",
            Code::TooDeep => "too-deep",
            Code::PersonaFailed => "persona-failed",
            Code::LiveError => "live-error",
        }
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.name() == text)
    }

    pub fn default_level(self) -> Level {
        match self {
            Code::Unreachable
            | Code::EndlessRetry
            | Code::MisleadingOption
            | Code::ChannelGap
            | Code::PromptMismatch
            | Code::MenuTooWide
            | Code::TooDeep => Level::Warning,
            _ => Level::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let name = String::deserialize(d)?;
        Code::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code `{name}`")))
    }
}

/// One problem a customer can run into, with everything needed to find it in
/// the YAML and to replay it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    pub message: String,
    /// Relative to the set root, `/`-separated.
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The variable values under which it happens, where it depends on them.
    pub vars: BTreeMap<String, String>,
    /// The shortest input sequence from the flow's start that shows it.
    pub inputs: Vec<String>,
    /// Nodes passed on the way, start first.
    pub path: Vec<String>,
    /// What found it: `lint` (the exhaustive walk and rules), `fuzz` or `personas`.
    pub source: String,
    /// For the fuzzer: the batch of customers that found it, so that merged
    /// shards keep the same repro as an unsharded run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz_batch: Option<u32>,
    /// Tells apart findings of one code at one node (which input, which
    /// intent); with code, channel and node it identifies a finding within
    /// one version of a set (merging shards relies on it).
    #[serde(default)]
    pub detail: u32,
    /// Byte range of the node in its file, for diagnostics that underline it.
    #[serde(skip)]
    pub offset: u32,
    #[serde(skip)]
    pub len: u32,
}

impl Finding {
    /// The order reports list findings in: by file position, then code, so
    /// output is stable whatever order the analyses ran in.
    /// What identifies a finding whichever analysis found it.
    pub fn identity(&self) -> (Code, crate::model::Channel, &str, &str, u32) {
        (self.code, self.channel, &self.flow, &self.node, self.detail)
    }

    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.channel,
            &self.flow,
            &self.file,
            self.line,
            self.column,
            self.code,
            &self.message,
        )
    }
}
