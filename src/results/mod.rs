//! What the engines (the walk, the fuzzer, personas) hand to the report:
//! the result types both sides share. They sit below the engines and the
//! report alike, so that the report, its renderers, `diff` and `merge` read
//! results without depending on the code that produces them.

mod fuzz;
pub mod mutation;
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

/// The share of one channel's demand that each outcome gets, for one
/// customer type or for all customers (docs/report.md, "Demand"). Demand is
/// the intents' `volume:`; without volumes every intent counts once
/// (`weighted` is false).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    pub channel: Channel,
    /// The customer type these figures are for; absent for all customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    /// The figures, written beside `channel` and `customer_type`.
    #[serde(flatten)]
    pub figures: DemandFigures,
}

/// What one channel's demand (all customers or one customer type) lives
/// through: the report's `demand` entries, and each side of a `diff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandFigures {
    /// Whether the figures are weighted by the intents' `volume:`; false
    /// when no intent on the channel has one, and every intent counts once.
    pub weighted: bool,
    /// Contacts per period with an intent the channel lists (the number of
    /// intents when not weighted).
    pub volume: f64,
    /// Shares of `volume`, between 0 and 1, summing to 1.
    pub self_served: f64,
    pub transferred: f64,
    pub not_served: f64,
    /// Demand-weighted mean seconds to being served, over the served
    /// demand; absent when none is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_seconds_to_served: Option<f64>,
    /// Demand-weighted mean seconds for a caller who asks for a person to
    /// reach one, over the demand that can; absent when none can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_seconds_to_agent: Option<f64>,
}

/// One intent's demand on one channel and what it costs callers, for the
/// costliest-intents table and for `diff` (docs/report.md, "Demand").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandIntent {
    pub channel: Channel,
    pub intent: String,
    /// Contacts per period with this intent on this channel, all customer
    /// types together (1 when the channel has no volumes).
    pub volume: f64,
    /// `volume` as a share of the channel's, between 0 and 1.
    pub share: f64,
    /// The outcome most of this intent's callers get: `self_served`,
    /// `transferred` or `not_served`.
    pub outcome: String,
    /// Mean seconds to being served over the worlds where it is served;
    /// absent when it never is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Caller-minutes per period spent by this intent's callers before they
    /// are served (or, when not served, before they reach a person).
    pub caller_minutes: f64,
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
    /// The deepest menu on the way to being served: where a caller who
    /// gives up on self-service late asks for a person instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deepest_menu: Option<String>,
    /// Seconds from the flow's start for that caller to reach a person;
    /// absent, with `deepest_menu` given, where they cannot ask there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_agent_from_deepest: Option<f64>,
    /// The menus that caller answers in all, those on the way included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menus_to_agent_from_deepest: Option<u32>,
    /// The inputs of the way `steps` and `seconds` measure, from the flow's
    /// start, as `touchpoint replay --inputs` takes them (with the values
    /// of `when`'s first group); empty when not served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// The nodes that way passes, start first; empty when not served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
}
