//! How a customer who knows what they want chooses: shared by the
//! goal-directed walk, the fuzzer and personas so that "what fits" means the
//! same thing everywhere.

use super::{Machine, State};
use crate::graph::OptionIx;

/// What a customer is after when they choose at a menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// An intent of the catalogue: what fits it, else a fallback.
    Intent(usize),
    /// Something nobody planned for: only a fallback fits.
    Unplanned,
    /// Anything at all: the first announced option.
    Anything,
}

impl Machine<'_, '_> {
    /// The option a customer who wants `intent` picks at a menu: the first
    /// announced option that fits it by tag, label or speech, else the first
    /// announced fallback. A customer with no intent takes the first
    /// announced option. Hidden options are never picked this way.
    pub(crate) fn fitting_option(&self, state: &State, intent: Option<usize>) -> Option<OptionIx> {
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
        let need = intent.map_or(Need::Anything, Need::Intent);
        self.choose_among(offered, need, false)
    }

    /// The option a customer with `need` picks among `offered`: the first
    /// announced option that fits, else the first announced fallback, and
    /// with `zero_out` (on the phone) else the option [`zero_out_among`]
    /// gives. One pass over the options, since the fuzzer asks this at
    /// nearly every step of every customer.
    ///
    /// [`zero_out_among`]: Machine::zero_out_among
    pub(crate) fn choose_among(
        &self,
        offered: &[OptionIx],
        need: Need,
        zero_out: bool,
    ) -> Option<OptionIx> {
        let graph = self.graph;
        let mut fallback = None;
        let mut person = None;
        for &i in offered {
            let option = &graph.options[i as usize];
            if !option.hidden {
                let fits = match need {
                    Need::Intent(x) => graph.fits.get(i as usize, x),
                    Need::Unplanned => false,
                    Need::Anything => true,
                };
                if fits {
                    return Some(i);
                }
                if option.fallback && fallback.is_none() {
                    fallback = Some(i);
                }
            }
            if option.zero_out && person.is_none() {
                person = Some(i);
            }
        }
        if zero_out && !graph.is_visual() {
            fallback.or(person)
        } else {
            fallback
        }
    }

    /// What a caller tries when nothing fits: key 0 or asking for a person,
    /// announced or not. Phone only.
    pub(crate) fn zero_out_option(&self, state: &State) -> Option<OptionIx> {
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
