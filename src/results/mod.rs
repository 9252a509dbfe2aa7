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
