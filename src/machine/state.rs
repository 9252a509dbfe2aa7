//! Where a customer is: the node they wait at, the variables' values, the
//! call stack and where back leads.

use crate::graph::NodeIx;

/// Where a customer is and what the world looks like: 24 bytes, hashed and
/// compared in the explorer's inner loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct State {
    pub node: NodeIx,
    /// Interned call stack, see [`super::Stacks`].
    pub stack: u32,
    /// The page "back" returns to (web and app only; `NONE` on the phone).
    pub prev: NodeIx,
    /// Packed variable values.
    pub vars: u64,
    /// Retries used at this node.
    pub no_input: u8,
    pub no_match: u8,
}
