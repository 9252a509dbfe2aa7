//! What a customer can do at a waiting state (an option, silence, a wrong
//! key, back, an answer) and the kinds of input a handler takes.

use crate::graph::OptionIx;

/// An abstract input: what the customer does, independent of how it is
/// written (`3`, `say:billing`, `click:Billing` all pick an option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Choice {
    Option(OptionIx),
    /// Silence on the phone, idling on a page.
    NoInput,
    /// A key or phrase no option takes (phone only).
    NoMatch,
    /// An answer an `ask` accepts.
    Valid,
    /// An answer an `ask` rejects.
    Invalid,
    Back,
    /// An outcome of an opaque step: the index of the branch within it.
    Branch(u32),
}

/// The kind of input a handler deals with, for `unhandled-input` findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputKind {
    Silence,
    NoMatch,
    Invalid,
}

impl InputKind {
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Silence => "silence",
            InputKind::NoMatch => "a key no option takes",
            InputKind::Invalid => "an answer that does not match the pattern",
        }
    }

    pub(crate) fn handler_name(self) -> &'static str {
        match self {
            InputKind::Silence => "no_input",
            InputKind::NoMatch => "no_match",
            InputKind::Invalid => "invalid",
        }
    }
}
