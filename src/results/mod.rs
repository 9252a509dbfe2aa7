//! What the engines (the walk, the fuzzer, personas) hand to the report:
//! the result types both sides share. They sit below the engines and the
//! report alike, so that the report, its renderers, `diff` and `merge` read
//! results without depending on the code that produces them.

mod fuzz;
pub mod personas;

use serde::{Deserialize, Serialize};

use crate::model::Channel;

pub(crate) use fuzz::FuzzOutcome;
pub use fuzz::FuzzSummary;
pub(crate) use personas::{PersonaResult, PersonaRuns, PersonaSuite, TranscriptChange};

/// Whether customers with an intent can be served on a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentAvailability {
    pub intent: String,
    pub channel: Channel,
    /// `always`, `sometimes` or `never`.
    pub served: String,
    /// For `sometimes`: the variable values under which it is served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// What a customer with one intent lives through on one channel, from the
/// start of one flow where customers begin, in the worlds `when` names
/// (docs/report.md, "Journeys"). Times follow `crate::timing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journey {
    pub channel: Channel,
    pub flow: String,
    pub intent: String,
    /// The variable values these figures hold for, when they differ
    /// between values ("hours=open"); absent when they hold for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// `self_served`, `transferred` or `not_served`.
    pub outcome: String,
    /// Fewest inputs the goal-directed customer gives before being served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// Seconds of that way, to 0.1 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Seconds for a caller who asks for a person at every menu, from the
    /// first, to reach one; absent where they cannot (and off the phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_agent: Option<f64>,
    /// The menus that caller answers on the way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menus_to_agent: Option<u32>,
}
