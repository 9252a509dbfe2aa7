//! An intent of the catalogue: what a customer may come for, the words they
//! use, and the channels that must serve it.

use super::{Channel, Located, Span};

/// A customer need from the catalogue.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: Located<String>,
    /// What customers say or look for, lower-cased.
    pub says: Vec<Located<String>>,
    /// Where the intent must be served; `None` means every channel in the set.
    pub channels: Option<Vec<Located<Channel>>>,
    pub span: Span,
}
