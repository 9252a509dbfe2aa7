//! Where a customer is: the node they wait at, the variables' values, the
//! call stack and where back leads.

use std::hash::{Hash, Hasher};

use crate::graph::NodeIx;

/// Where a customer is and what the world looks like: 24 bytes, hashed and
/// compared in the explorer's inner loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// Hashes the state as three words rather than field by field: the
/// explorer hashes every state it meets, and a word-at-a-time hasher such
/// as FxHash then does three rounds instead of six. Every field goes in, so
/// equal states hash equally.
impl Hash for State {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(u64::from(self.node) << 32 | u64::from(self.stack));
        hasher.write_u64(
            u64::from(self.prev) << 16 | u64::from(self.no_input) << 8 | u64::from(self.no_match),
        );
        hasher.write_u64(self.vars);
    }
}
