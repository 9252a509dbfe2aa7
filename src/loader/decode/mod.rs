//! Turns the position-carrying YAML tree of one document into model types,
//! recording every problem instead of stopping at the first.
//!
//! Each kind of document has its own module (`flow`, `intents`, `persona`,
//! `settings`). What they all decode with is in one place so that no kind
//! keeps its own copy: the `Decoder`, its problems and a mapping's checked
//! entries here, texts, numbers, switches, channels and conditions in
//! `scalars`. Cross-document checks (targets, variables, intents) happen
//! later, in `validate`, once every file has been decoded.

mod flow;
mod intents;
mod persona;
mod scalars;
mod settings;

pub use flow::{
    node_extra_keys, DEFAULTS_KEYS, FLOW_KEYS, HANDLER_KEYS, NODE_KIND_KEYS, OPTION_KEYS,
};
pub use intents::INTENT_KEYS;
pub use persona::{EXPECT_KEYS, MATRIX_KEYS, PATIENCE_KEYS, PERSONA_KEYS, STEP_KEYS};
pub use settings::{LIMITS_KEYS, SETTINGS_KEYS, TIMING_KEYS};

use crate::loader::problem::did_you_mean;
use crate::loader::undecoded::Undecoded;
use crate::loader::yaml::{Pos, Yaml};
use crate::loader::Problem;
use crate::model::{Flow, Intent, Persona, Settings, SourceId, Span};

/// The four kinds of document a set holds, recognised by the top-level key.
pub(crate) enum Document {
    Flow(Flow),
    Intents(Vec<Intent>),
    Persona(Persona),
    Settings(Settings),
}

pub const DOCUMENT_KEYS: [&str; 4] = ["flow", "intents", "persona", "touchpoint"];

pub(crate) struct Decoder<'a> {
    pub file: SourceId,
    pub problems: &'a mut Vec<Problem>,
    pub regexes: &'a crate::loader::shared_regexes::SharedRegexes,
    /// Where nodes and flows that fail to decode are still registered.
    pub undecoded: &'a mut Undecoded,
}

/// Whether a mapping has a key, outside `allowed`, that is a plausible
/// misspelling of `key`. That key is reported as unknown with `key` as the
/// suggestion; reporting `key` as missing too would blame one typo twice.
fn misspelt(node: &Yaml, key: &str, allowed: &[&str]) -> bool {
    node.as_map().is_some_and(|map| {
        map.iter().any(|(k, _)| {
            k.as_str().is_some_and(|name| {
                !allowed.contains(&name) && did_you_mean(name, allowed.iter().copied()) == Some(key)
            })
        })
    })
}

impl Decoder<'_> {
    fn span(&self, node: &Yaml) -> Span {
        Span {
            file: self.file,
            pos: node.pos,
        }
    }

    fn problem(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Problem::at(self.file, pos, message));
    }

    /// Says that `node` is not what it should be (`should_be`: "`script`
    /// should be a list of steps"), naming what was found instead, so that
    /// every such message ends the same way.
    fn wrong_kind(&mut self, node: &Yaml, should_be: &str) {
        self.problem(node.pos, format!("{should_be}, found {}", node.kind_name()));
    }

    fn problem_with_help(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.problems
            .push(Problem::at(self.file, pos, message).with_help(help));
    }

    /// A mapping's entries, after reporting keys it may not have and keys
    /// written twice. `what` names the thing for messages ("option", "node
    /// `x`"); it is written out only when there is a message, since a
    /// large set has a mapping per node and per option and most have none.
    fn entries<'y>(
        &mut self,
        node: &'y Yaml<'y>,
        allowed: &[&str],
        what: impl std::fmt::Display + Copy,
    ) -> Option<Vec<(&'y str, &'y Yaml<'y>, &'y Yaml<'y>)>> {
        let Some(map) = node.as_map() else {
            self.wrong_kind(node, &format!("{what} should be a mapping"));
            return None;
        };
        let mut out: Vec<(&str, &Yaml, &Yaml)> = Vec::with_capacity(map.len());
        for (key, value) in map {
            let Some(name) = key.as_str() else {
                self.problem(key.pos, format!("{what} has a key that is not text"));
                continue;
            };
            if let Some((_, first, _)) = out.iter().find(|(n, _, _)| *n == name) {
                let line = first.pos.line;
                self.problem(
                    key.pos,
                    format!("`{name}` is written twice in {what} (first on line {line})"),
                );
                continue;
            }
            if !allowed.contains(&name) {
                self.unknown_key(key, name, allowed, what);
                continue;
            }
            out.push((name, key, value));
        }
        Some(out)
    }

    fn unknown_key(
        &mut self,
        key: &Yaml,
        name: &str,
        allowed: &[&str],
        what: impl std::fmt::Display,
    ) {
        let message = format!("unknown key `{name}` in {what}");
        match did_you_mean(name, allowed.iter().copied()) {
            Some(suggestion) => {
                self.problem_with_help(key.pos, message, format!("did you mean `{suggestion}`?"))
            }
            None => self.problem_with_help(
                key.pos,
                message,
                format!("expected one of: {}", allowed.join(", ")),
            ),
        }
    }

    /// Decodes one document. A flow's nodes are taken out of `root` and
    /// dropped one by one as they are decoded (`root` is left with a null
    /// in their place): the nodes are nearly all of a large flow's tree,
    /// and holding the whole tree beside the whole model made loading
    /// peak at both.
    pub(super) fn document(&mut self, root: &mut Yaml) -> Option<Document> {
        let Some(map) = root.as_map() else {
            self.wrong_kind(root, "a touchpoint document should be a mapping");
            return None;
        };
        // The first document key decides: a persona names its `flow:` too.
        let kind = map
            .iter()
            .find_map(|(k, _)| k.as_str().filter(|t| DOCUMENT_KEYS.contains(t)));
        match kind {
            None => {
                // Held back until the settings are known: they may ignore it.
                self.undecoded.unrecognised(
                    Problem::at(self.file, root.pos, "not a touchpoint document").with_help(
                        "a document starts with one of `flow:`, `intents:`, `persona:` or `touchpoint:`; list other YAML files under `ignore:` in the settings",
                    ),
                );
                None
            }
            Some("flow") => self.flow(root).map(Document::Flow),
            Some("intents") => Some(Document::Intents(self.intents(root))),
            Some("persona") => self.persona(root).map(Document::Persona),
            Some(_) => Some(Document::Settings(self.settings(root))),
        }
    }
}
