//! Who a fuzzed customer is: what they came for (an intent or an unplanned
//! need), their world and the flow they start in.

use crate::machine::Need;

/// Who a fuzzed customer is: what they want, the world they live in, and
/// where they start. Fixed for a run; only the run's actions shrink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Index into the catalogue, or `None` for a need nobody planned for.
    pub intent: Option<usize>,
    /// A set without an intents catalogue has no needs to judge: its
    /// customers just pick the first option they are offered.
    pub aimless: bool,
    /// For an unplanned need: what the customer would say, from the seed.
    pub words: &'static str,
    /// Index into the channel's worlds.
    pub world: u32,
    /// The top-level flow the customer starts in.
    pub flow: u32,
}

impl Customer {
    /// What the customer's goal-directed move looks for: nothing in a set
    /// with no catalogue (they take the first announced option), else their
    /// intent, or for a need nobody planned for one that only a fallback
    /// fits.
    pub fn need(&self) -> Option<Need> {
        (!self.aimless).then(|| self.intent.map_or(Need::Unplanned, Need::Intent))
    }
}

/// Words for needs nobody planned: plausible requests that no catalogue of
/// a utility is likely to name.
pub(super) const UNPLANNED: [&str; 12] = [
    "lost my dog",
    "solar panel rebate",
    "noise complaint",
    "tree on the fence",
    "donate to charity",
    "job application",
    "parking permit",
    "recycle old meter",
    "school tour",
    "film crew permit",
    "pest in the basement",
    "landlord dispute",
];
