//! The runs `run_personas` makes, and what consecutive runs give back
//! before they are joined.

use std::collections::BTreeMap;

use crate::coverage::CoverageMap;
use crate::model::{Channel, MenuSet, Persona, PersonaRunConfig};
use crate::results::PersonaResult;

/// One run of a persona: which configuration, and its place among every
/// run of the set (which `--shard` counts and results are ordered by).
pub(super) struct PersonaRun<'s> {
    pub order: usize,
    pub persona: &'s Persona,
    pub config: PersonaRunConfig,
}

/// The runs `run_personas` makes, in the order of the set's personas and
/// their configurations: those of `only` when it is given, and of a shard
/// every n-th of all of them, counted as if every persona ran.
pub(super) fn runs_asked_for<'s>(
    set: &'s MenuSet,
    only: Option<&str>,
    shard: Option<(usize, usize)>,
) -> Vec<PersonaRun<'s>> {
    let mut runs = Vec::new();
    let mut order = 0usize;
    for persona in &set.personas {
        if only.is_some_and(|name| name != persona.id.value) {
            continue;
        }
        for config in persona.configurations() {
            let index = order;
            order += 1;
            if shard.is_some_and(|(k, n)| index % n != k - 1) {
                continue;
            }
            runs.push(PersonaRun {
                order: index,
                persona,
                config,
            });
        }
    }
    runs
}

/// What some consecutive runs gave: their results in order, and what they
/// reached per channel.
#[derive(Default)]
pub(super) struct PersonaBatch {
    pub results: Vec<PersonaResult>,
    pub reached: BTreeMap<Channel, CoverageMap>,
}

impl PersonaBatch {
    pub(super) fn into_parts(self) -> (Vec<PersonaResult>, BTreeMap<Channel, CoverageMap>) {
        (self.results, self.reached)
    }
}
