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

/// What found a finding. The variants are in the order of their names, so
/// that findings sorted by source sort as their JSON does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSource {
    /// The fuzzer, on a set.
    Fuzz,
    /// The fuzzer, calling a live app.
    FuzzLive,
    /// The exhaustive walk and the menu rules.
    Lint,
    /// A persona's journey.
    Personas,
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
    /// What found it.
    pub source: FindingSource,
    /// For the fuzzer: the batch of customers that found it, so that merged
    /// shards keep the same repro as an unsharded run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz_batch: Option<u32>,
    /// Tells apart findings of one code at one node (which input, which
    /// intent); with code, channel and node it identifies a finding within
    /// one version of a set (merging shards relies on it).
    #[serde(default)]
    pub detail: u32,
    /// What the finding is about at its node, named so that the name stays
    /// the same from one version of the set to the next (`detail` does not:
    /// it counts options and intents). See [`Finding::defect_key`] for what
    /// it holds per code. Empty when the node (and intent) say it all.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// Byte range of the node in its file, for diagnostics that underline it.
    #[serde(skip)]
    pub offset: u32,
    #[serde(skip)]
    pub len: u32,
}

/// `about` of a `trap` a goal-directed customer falls into: they keep
/// choosing what fits their intent and come back where they were, and only
/// something that does not fit leads out (`analysis::goal_loop`).
pub const ABOUT_GOAL_LOOP: &str = "goal-directed loop";
/// `about` of a `trap` through nodes that never wait for the customer.
pub const ABOUT_SILENT_LOOP: &str = "silent loop";

/// The same defect in two versions of a set: what `diff` matches findings
/// on. Built from [`Finding::defect_key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefectKey {
    pub code: Code,
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    pub intent: Option<String>,
    pub about: String,
}

impl Finding {
    /// What identifies a finding whichever analysis found it.
    pub fn identity(&self) -> (Code, crate::model::Channel, &str, &str, u32) {
        (self.code, self.channel, &self.flow, &self.node, self.detail)
    }

    /// What makes a finding the same defect in another version of the set.
    /// Never the message, the position, the inputs or the path: they change
    /// with edits that leave the defect as it was (a menu whose options are
    /// listed in a `no-fit` message gets another label; a node above it is
    /// removed, and it moves up). The key is the code, channel, flow and
    /// node, the intent where the finding is about one, and `about`:
    ///
    /// | code | `about` | intent |
    /// |---|---|---|
    /// | `unhandled-input`, `endless-retry` | the handler: `no_input`, `no_match`, `invalid` | no |
    /// | `duplicate-key` | the later option: `key 1` on the phone, the label (`"Pay"`) on the web and in apps, with its `when` | no |
    /// | `misleading-option` | the option, as for `duplicate-key` | yes |
    /// | `prompt-mismatch` | the option never announced (`key 3`), `announced key 3` for a key announced with no option, or `say <phrase>` | no |
    /// | `trap` | empty for a loop of menus, `silent loop`, or `goal-directed loop` (a customer who keeps choosing what fits comes back where they were; found by lint's goal walk, and the fuzzer's copy is the same finding) | for the goal-directed loop |
    /// | `no-fit`, `intent-unreachable`, `channel-gap` | empty | yes |
    /// | `persona-failed` | the persona's name (with its variant); the node is left out, since where the persona ends is its outcome, not its identity | no |
    /// | the others (`dead-end`, `unreachable`, `too-deep`, `menu-too-wide`, `live-error`) | empty: the node says it | no |
    ///
    /// The intent is left out where the finding is not about it: a fuzzed
    /// customer who finds a dead end has an intent, but another customer
    /// may find the same dead end in the next version.
    pub fn defect_key(&self) -> DefectKey {
        let about_intent = match self.code {
            Code::NoFit | Code::MisleadingOption | Code::IntentUnreachable | Code::ChannelGap => {
                true
            }
            Code::Trap => self.about == ABOUT_GOAL_LOOP,
            _ => false,
        };
        DefectKey {
            code: self.code,
            channel: self.channel,
            flow: self.flow.clone(),
            node: if self.code == Code::PersonaFailed {
                String::new()
            } else {
                self.node.clone()
            },
            intent: self.intent.clone().filter(|_| about_intent),
            about: self.about.clone(),
        }
    }

    /// The order reports list findings in: by file position, then code, so
    /// output is stable whatever order the analyses ran in. Findings that
    /// tie on all that are ordered by what tells them apart (node, detail,
    /// source), so that their order never depends on which was found first
    /// (which shard, when merging).
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            (
                self.channel,
                &self.flow,
                &self.file,
                self.line,
                self.column,
                self.code,
                &self.message,
            ),
            (&self.node, self.detail, &self.source),
        )
    }
}
