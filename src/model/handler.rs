//! What a menu or ask does on silence, a wrong key or an invalid answer:
//! retries, then where to go.

use super::Located;

/// What happens on silence, on an input no option takes, or on an invalid
/// answer: re-prompt `retries` times, then go to `then`.
/// A bare node id in YAML is a handler with no retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub retries: u32,
    pub then: Located<String>,
    pub span: super::Span,
}
