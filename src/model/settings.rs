//! The set's settings: finding levels, walk limits and the files to ignore.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Channel;
use crate::finding::Code;

/// How seriously a finding code is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Warning,
    Error,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "off" | "allow" => Some(Level::Off),
            "warning" | "warn" => Some(Level::Warning),
            "error" | "deny" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// Numeric limits of the rules and the walk.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Most options a menu may offer, per channel (`menu-too-wide`); hidden
    /// options are never announced, so they do not count.
    pub menu_width: BTreeMap<Channel, usize>,
    /// Most menus a customer may hear before being served (`too-deep`).
    pub depth: usize,
    /// Most states the exhaustive walk may visit, over all flows.
    pub states: usize,
    /// Deepest `call` nesting the walk follows.
    pub call_depth: usize,
    /// Most seconds a caller who asks for a person may need to reach one
    /// (`slow-to-agent`).
    pub time_to_agent: f64,
    /// Most menus a caller who asks for a person may pass on the way
    /// (`slow-to-agent`).
    pub menus_to_agent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            menu_width: Channel::ALL.into_iter().map(|c| (c, 5)).collect(),
            depth: 4,
            states: 2_000_000,
            call_depth: 8,
            time_to_agent: 60.0,
            menus_to_agent: 3,
        }
    }
}

/// The `touchpoint:` document of a set.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub levels: BTreeMap<Code, Level>,
    pub limits: Limits,
    /// The model of caller time (`timing:`).
    pub timing: crate::timing::Timing,
    /// Glob patterns (relative to the set root) of YAML files that are not ours.
    pub ignore: Vec<String>,
    /// The kinds of customer the set's volumes and personas may name
    /// (`customer_types:`), in the order written.
    pub customer_types: Vec<super::Located<String>>,
}

impl Settings {
    pub fn level(&self, code: Code) -> Level {
        self.level_or(code, code.default_level())
    }

    /// The level the settings give `code`, else `found`: the level the
    /// analysis gave a finding (a warning where an `unset-variable` is
    /// unset on only some paths).
    pub fn level_or(&self, code: Code, found: Level) -> Level {
        self.levels.get(&code).copied().unwrap_or(found)
    }
}
