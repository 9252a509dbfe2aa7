//! The kinds of editing mistake `mutate` seeds into a set.

use serde::{Deserialize, Serialize};

/// One kind of realistic editing mistake. Each mutant is one application
/// of one operator at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operator {
    /// An option goes where a sibling option goes.
    RetargetOption,
    /// Two neighbouring options swap their targets.
    SwapTargets,
    /// An option is deleted (its prompt still announces it).
    DeleteOption,
    /// A `no_input`, `no_match` or `invalid` handler is removed.
    DropHandler,
    /// A handler's `retries` is set to 0.
    ZeroRetries,
    /// An option's `fallback: true` is removed.
    RemoveFallback,
    /// An option answers to another key.
    ChangeKey,
    /// An option's or a switch entry's `when` guard is removed.
    DropGuard,
    /// An option's or a switch entry's `when` guard is negated.
    NegateGuard,
    /// A switch entry goes where another entry goes.
    SwitchBranch,
    /// A transfer goes to another transfer's queue.
    ChangeQueue,
    /// An option loses one of its `intents:` tags.
    RemoveIntentTag,
}

impl Operator {
    pub const ALL: [Operator; 12] = [
        Operator::RetargetOption,
        Operator::SwapTargets,
        Operator::DeleteOption,
        Operator::DropHandler,
        Operator::ZeroRetries,
        Operator::RemoveFallback,
        Operator::ChangeKey,
        Operator::DropGuard,
        Operator::NegateGuard,
        Operator::SwitchBranch,
        Operator::ChangeQueue,
        Operator::RemoveIntentTag,
    ];

    /// The name reports and `--operator` use.
    pub fn name(self) -> &'static str {
        match self {
            Operator::RetargetOption => "retarget-option",
            Operator::SwapTargets => "swap-targets",
            Operator::DeleteOption => "delete-option",
            Operator::DropHandler => "drop-handler",
            Operator::ZeroRetries => "zero-retries",
            Operator::RemoveFallback => "remove-fallback",
            Operator::ChangeKey => "change-key",
            Operator::DropGuard => "drop-guard",
            Operator::NegateGuard => "negate-guard",
            Operator::SwitchBranch => "switch-branch",
            Operator::ChangeQueue => "change-queue",
            Operator::RemoveIntentTag => "remove-intent-tag",
        }
    }

    pub fn parse(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.name() == name)
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
