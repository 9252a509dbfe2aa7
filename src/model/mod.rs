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
pub mod user_regex;

pub use channel::Channel;
pub use condition::Condition;
pub use flow::{Flow, VarDomain};
pub use handler::Handler;
pub use intent::Intent;
pub use menu_option::{option_identity, DtmfKey, MenuOption, SpeechPhrase};
pub use menu_set::MenuSet;
pub use node::{Branch, Node, NodeKind, SwitchEntry};
pub use persona::{Expectation, Outcome, Persona, PersonaRunConfig, ScriptStep, Trait, Variant};
pub use settings::{Level, Limits, Settings};
pub use source::{Located, SourceFile, SourceId, Span};
pub use user_regex::UserRegex;
