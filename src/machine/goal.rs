//! How a customer who knows what they want chooses: shared by the
//! goal-directed walk, the fuzzer and personas so that "what fits" means the
//! same thing everywhere.

use super::{Machine, State};
use crate::graph::OptionIx;

impl Machine<'_, '_> {
    /// The option a customer who wants `intent` picks at a menu: the first
    /// announced option that fits it by tag, label or speech, else the first
    /// announced fallback. A customer with no intent takes the first
    /// announced option. Hidden options are never picked this way.
    pub fn fitting_option(&self, state: &State, intent: Option<usize>) -> Option<OptionIx> {
        let mut offered = Vec::new();
        self.offered(state, &mut offered);
        self.fitting_option_among(&offered, intent)
    }

    /// [`Machine::fitting_option`] for options already known to be offered.
    pub fn fitting_option_among(
        &self,
        offered: &[OptionIx],
        intent: Option<usize>,
    ) -> Option<OptionIx> {
        let graph = self.graph;
        let announced = || {
            offered
                .iter()
                .copied()
                .filter(|&i| !graph.options[i as usize].hidden)
        };
        let Some(intent) = intent else {
            return announced().next();
        };
        announced()
            .find(|&i| graph.fits.get(i as usize, intent))
            .or_else(|| announced().find(|&i| graph.options[i as usize].fallback))
    }

    /// What a caller tries when nothing fits: key 0 or asking for a person,
    /// announced or not. Phone only.
    pub fn zero_out_option(&self, state: &State) -> Option<OptionIx> {
        let mut offered = Vec::new();
        self.offered(state, &mut offered);
        self.zero_out_among(&offered)
    }

    /// [`Machine::zero_out_option`] for options already known to be offered.
    pub fn zero_out_among(&self, offered: &[OptionIx]) -> Option<OptionIx> {
        let graph = self.graph;
        if graph.is_visual() {
            return None;
        }
        offered
            .iter()
            .copied()
            .find(|&i| graph.options[i as usize].zero_out)
    }
}
