//! One model of caller time, used by everything that shows a time: a
//! persona's "about 79 s", the time to reach a person (`slow-to-agent`) and
//! the journeys of the report. docs/format.md ("How caller time is
//! estimated") states the same rules, so that every figure can be checked by
//! hand.
//!
//! A caller's time is the sum of:
//! - every text they hear or see (a prompt, a message, an ending), at
//!   `words_per_minute`; an opaque step's description is for engineers and
//!   costs nothing;
//! - a pause of [`PAUSE_PER_OPTION`] seconds for each option a phone menu
//!   reads out (every option that is not `hidden`); a page or screen shows
//!   its options at once, so there is no pause there;
//! - `seconds_per_answer` for every key, phrase, click or answer they give;
//! - the menu's or ask's `timeout` (else the flow's `defaults.timeout`, else
//!   `no_input_seconds`) for every time they stay silent.

use crate::graph::{Graph, Kind, NodeIx};
use crate::machine::Choice;
use crate::model::NodeKind;

/// Seconds of pause after each option a phone menu reads out: the breath
/// between "for billing, press 1" and "for sales, press 2".
pub const PAUSE_PER_OPTION: f64 = 0.5;

/// The settings of the time model (`touchpoint: timing:`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Speaking (or reading) rate of every text, in words per minute.
    pub words_per_minute: f64,
    /// Seconds a customer takes to give one answer.
    pub seconds_per_answer: f64,
    /// Seconds of silence before a platform counts no input, where neither
    /// the step nor its flow says.
    pub no_input_seconds: f64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            words_per_minute: 150.0,
            seconds_per_answer: 2.0,
            no_input_seconds: 5.0,
        }
    }
}

impl Timing {
    /// Seconds to speak (or read) `text`.
    pub fn speaking(&self, text: &str) -> f64 {
        text.split_whitespace().count() as f64 * 60.0 / self.words_per_minute
    }

    /// Seconds a customer spends on entering `node`: its text, and on a
    /// phone menu the pause after each option read out.
    pub fn entering(&self, graph: &Graph, node: NodeIx) -> f64 {
        let model = graph.model_node(node);
        let text = match &model.kind {
            NodeKind::Opaque { .. } => 0.0,
            kind => kind.text().map_or(0.0, |t| self.speaking(t)),
        };
        let pauses = match &graph.nodes[node as usize].kind {
            Kind::Menu { options, .. } if !graph.is_visual() => {
                options
                    .clone()
                    .filter(|&o| !graph.options[o as usize].hidden)
                    .count() as f64
                    * PAUSE_PER_OPTION
            }
            _ => 0.0,
        };
        text + pauses
    }

    /// Seconds a customer spends on giving `choice` at `node`: the
    /// timeout when they stay silent, an answer's time otherwise.
    pub fn answering(&self, graph: &Graph, node: NodeIx, choice: Choice) -> f64 {
        match choice {
            Choice::NoInput => self.timeout(graph, node),
            // The platform decides an opaque step; the caller does nothing.
            Choice::Branch(_) => 0.0,
            _ => self.seconds_per_answer,
        }
    }

    /// The seconds of silence after which `node` counts no input.
    pub fn timeout(&self, graph: &Graph, node: NodeIx) -> f64 {
        let model = graph.model_node(node);
        let own = match &model.kind {
            NodeKind::Menu { timeout, .. } | NodeKind::Ask { timeout, .. } => *timeout,
            _ => None,
        };
        let flow = &graph.set.flows[graph.flow_of(node).model as usize];
        own.or(flow.default_timeout)
            .unwrap_or(self.no_input_seconds)
    }
}
