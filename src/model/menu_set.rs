//! The whole menu set as loaded: flows, intents, personas, settings and the
//! files they came from.

use std::path::PathBuf;

use super::{Channel, Flow, Intent, Persona, Settings, SourceFile};

/// Everything loaded from one set directory (or one flow file).
#[derive(Debug, Clone, Default)]
pub struct MenuSet {
    /// The path as given, for reports.
    pub root: PathBuf,
    pub files: Vec<SourceFile>,
    pub flows: Vec<Flow>,
    pub intents: Vec<Intent>,
    pub personas: Vec<Persona>,
    pub settings: Settings,
}

impl MenuSet {
    pub fn flow(&self, channel: Channel, id: &str) -> Option<&Flow> {
        self.flows
            .iter()
            .find(|f| f.channel == channel && f.id.value == id)
    }

    /// Flows by id on any channel, for `--flow ID` where ids are unique.
    pub(crate) fn flows_named<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows.iter().filter(move |f| f.id.value == id)
    }

    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id.value == id)
    }

    /// The channels that have at least one flow, in a fixed order.
    pub fn channels(&self) -> Vec<Channel> {
        Channel::ALL
            .into_iter()
            .filter(|c| self.flows.iter().any(|f| f.channel == *c))
            .collect()
    }
}
