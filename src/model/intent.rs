//! An intent of the catalogue: what a customer may come for, the words they
//! use, the channels that must serve it, and how many customers come for it.

use super::{Channel, Located, Span};

/// A customer need from the catalogue.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: Located<String>,
    /// What customers say or look for, lower-cased.
    pub says: Vec<Located<String>>,
    /// Where the intent must be served; `None` means every channel in the set.
    pub channels: Option<Vec<Located<Channel>>>,
    /// Contacts per period with this need (`volume:`), when the set says.
    pub volume: Option<Located<Volume>>,
    pub span: Span,
}

/// An intent's `volume:`: one number for all customers, or a number per
/// customer type the settings name.
#[derive(Debug, Clone, PartialEq)]
pub enum Volume {
    All(f64),
    ByType(Vec<(Located<String>, f64)>),
}

impl Volume {
    /// Contacts per period, all customer types together.
    pub fn total(&self) -> f64 {
        match self {
            Volume::All(n) => *n,
            Volume::ByType(types) => types.iter().map(|(_, n)| n).sum(),
        }
    }

    /// Contacts per period of one customer type; a single number belongs
    /// to no type in particular.
    pub fn of_type(&self, customer_type: &str) -> f64 {
        match self {
            Volume::All(_) => 0.0,
            Volume::ByType(types) => types
                .iter()
                .filter(|(name, _)| name.value == customer_type)
                .map(|(_, n)| n)
                .sum(),
        }
    }
}
