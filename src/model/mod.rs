//! The menu set as written: flows, nodes, options, intents, personas and
//! settings, each element carrying the file and position it came from.
//!
//! The model is what the loader produces after every reference has been
//! checked. It still uses names (strings); `graph` turns it into indices.

mod channel;
mod condition;
mod flow;
mod handler;
mod intent;
mod menu_option;
mod menu_set;
mod node;
mod persona;
mod settings;
mod source;
pub(crate) mod user_regex;

pub use channel::Channel;
pub(crate) use condition::Condition;
pub(crate) use flow::{Flow, VarDomain};
pub(crate) use handler::Handler;
pub(crate) use intent::{Intent, Volume};
pub(crate) use menu_option::{option_identity, DtmfKey, MenuOption, SpeechPhrase};
pub use menu_set::MenuSet;
pub use node::Node;
pub(crate) use node::{Branch, NodeKind, SwitchEntry};
pub(crate) use persona::{Expectation, PersonaRunConfig, ScriptStep, Trait, Variant};
pub use persona::{Outcome, Persona};
pub use settings::Limits;
pub(crate) use settings::{Level, Settings};
pub(crate) use source::{Located, SourceFile, SourceId, Span};
pub use user_regex::UserRegex;
