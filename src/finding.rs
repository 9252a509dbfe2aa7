//! The one findings model every output format renders.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Channel, Level};

/// Declares every finding code once, with all that is said about it, and
/// derives from that one list the `Code` enum, [`Code::ALL`] and the
/// [`CODES`] table that names, default levels, SARIF rules, `--help`, the
/// JSON Schema's `levels` and the documentation checks read. Adding a code
/// is one line here (plus its row in docs/report.md and a fixture).
macro_rules! finding_codes {
    ($(
        $(#[$meta:meta])*
        $variant:ident = $name:literal, $level:ident, $anchor:literal,
            $summary:literal;
    )*) => {
        /// A finding code from docs/report.md. The names are a contract:
        /// users' scripts and CI match on them, so a name is never changed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$meta])* $variant,)*
        }

        /// Every code's metadata, in the order of [`Code::ALL`]: entry `i`
        /// describes the code whose discriminant is `i`.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo {
                code: Code::$variant,
                name: $name,
                default_level: Level::$level,
                anchor: $anchor,
                summary: $summary,
            },)*
        ];

        impl Code {
            /// Every code, in the order reports and rule lists give them.
            pub const ALL: [Code; CODES.len()] = [$(Code::$variant,)*];
        }
    };
}

/// What is known about one finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: Code,
    /// The name reports, settings and CI use (`dead-end`).
    pub name: &'static str,
    /// The level it has unless the set's `levels` says otherwise.
    pub default_level: Level,
    /// The heading of docs/report.md that explains how it is decided.
    pub anchor: &'static str,
    /// One sentence saying what it is: SARIF's rule description, the list
    /// under `--help`, and the list in docs/report.md.
    pub summary: &'static str,
}

finding_codes! {
    UnknownTarget = "unknown-target", Error, "load-errors",
        "A goto, next, then or call names no node or flow.";
    Unreachable = "unreachable", Warning, "finding-codes",
        "No path from start reaches the node, under any variables.";
    DeadEnd = "dead-end", Error, "finding-codes",
        "A reachable state with no way on.";
    Trap = "trap", Error, "finding-codes",
        "A reachable state from which no end can be reached.";
    UnhandledInput = "unhandled-input", Error, "finding-codes",
        "An input with no handler: the platform drops the call.";
    EndlessRetry = "endless-retry", Warning, "finding-codes",
        "A handler that re-prompts with no retry limit.";
    NoFit = "no-fit", Error, "finding-codes",
        "A customer with an intent meets a menu where nothing fits and there is no fallback.";
    MisleadingOption = "misleading-option", Warning, "finding-codes",
        "An option fits an intent, but nothing behind it serves the intent.";
    IntentUnreachable = "intent-unreachable", Error, "finding-codes",
        "An intent that must be served on a channel is served nowhere reachable there.";
    ChannelGap = "channel-gap", Warning, "finding-codes",
        "An intent served on one channel and not on another.";
    PromptMismatch = "prompt-mismatch", Warning, "finding-codes",
        "The prompt announces a key no option takes, or an option's key is never announced.";
    DuplicateKey = "duplicate-key", Error, "finding-codes",
        "Two options of one menu take the same key or label.";
    MenuTooWide = "menu-too-wide", Warning, "finding-codes",
        "More options offered to the caller than the set allows (hidden options not counted).";
    TooDeep = "too-deep", Warning, "finding-codes",
        "More menus than the set allows before the customer is served.";
    PersonaFailed = "persona-failed", Error, "finding-codes",
        "A persona's expectations did not hold.";
    /// A live call failed: HTTP error, timeout, bad TwiML, redirect loop.
    LiveError = "live-error", Error, "finding-codes",
        "A call to the live app failed: an HTTP error, a timeout, a reply that is not TwiML, or a redirect loop.";
    CrossedOption = "crossed-option", Warning, "finding-codes",
        "An option announced as one thing leads to a step that speaks of another option of the same menu and not of its own.";
    UnsetVariable = "unset-variable", Error, "finding-codes",
        "A step reads a variable or contact attribute that no path from the start sets before it (a warning where only some paths leave it unset).";
    SilentFailure = "silent-failure", Error, "silent-failure",
        "A failure branch (a back-end step that fails, a queue at capacity, input collection that gives up) ends the call without a word to the caller.";
    BusyLoop = "busy-loop", Error, "busy-loop",
        "A cycle of back-end steps with no wait, no caller input and no limit: the caller hears nothing while it spins.";
    StaleInput = "stale-input", Error, "stale-input",
        "A decision reads the answer to an earlier menu instead of the one the caller has just been asked, so the new answer is ignored.";
    ClosedTransfer = "closed-transfer", Error, "closed-transfer",
        "A transfer to a queue with opening hours (`open_when:`) is reachable while those hours say closed.";
    SlowToAgent = "slow-to-agent", Warning, "slow-to-agent",
        "A caller who asks for a person (key 0, \"agent\") at every menu needs more than `limits.time_to_agent` seconds, or more menus than `limits.menus_to_agent`, to reach one.";
}

impl Code {
    /// Everything the table says about this code.
    pub fn info(self) -> &'static CodeInfo {
        // The table is declared in the enum's order, so a discriminant is
        // its row.
        &CODES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn parse(text: &str) -> Option<Code> {
        CODES.iter().find(|c| c.name == text).map(|c| c.code)
    }

    pub fn default_level(self) -> Level {
        self.info().default_level
    }

    /// One sentence saying what the code means.
    pub fn summary(self) -> &'static str {
        self.info().summary
    }
}

/// Every code with its default level and summary, one a line, names and
/// levels in aligned columns: what `--help` lists and docs/report.md shows.
pub fn code_list() -> String {
    let width = CODES.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for info in CODES {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            info.name,
            info.default_level.name(),
            info.summary
        ));
    }
    out
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
pub(crate) const ABOUT_GOAL_LOOP: &str = "goal-directed loop";
/// `about` of a `trap` through nodes that never wait for the customer.
pub(crate) const ABOUT_SILENT_LOOP: &str = "silent loop";

/// The same defect in two versions of a set: what `diff` matches findings
/// on. Built from [`Finding::defect_key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DefectKey {
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
    /// | `unset-variable` | the name read | no |
    /// | the others (`dead-end`, `unreachable`, `too-deep`, `menu-too-wide`, `live-error`) | empty: the node says it | no |
    ///
    /// The intent is left out where the finding is not about it: a fuzzed
    /// customer who finds a dead end has an intent, but another customer
    /// may find the same dead end in the next version.
    pub(crate) fn defect_key(&self) -> DefectKey {
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
    pub(crate) fn sort_key(&self) -> impl Ord + '_ {
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

#[cfg(test)]
mod tests {
    use super::{Code, CODES};

    /// `Code::info` reads the row at the code's discriminant, so the table
    /// must list the codes in the enum's order, each once.
    #[test]
    fn each_code_is_described_by_its_own_row() {
        assert_eq!(CODES.len(), Code::ALL.len());
        for (row, code) in CODES.iter().zip(Code::ALL) {
            assert_eq!(row.code, code);
            assert_eq!(code.info().code, code);
            assert_eq!(Code::parse(row.name), Some(code));
        }
    }

    /// A summary is one sentence on one line, as SARIF viewers and the
    /// aligned `--help` list show it.
    #[test]
    fn every_summary_is_one_line_ending_in_a_full_stop() {
        for row in CODES {
            assert!(
                !row.summary.contains('\n') && row.summary.ends_with('.'),
                "`{}`: {:?}",
                row.name,
                row.summary
            );
        }
    }
}
