//! What a set declares that the loader could not read in full.
//!
//! A node whose body has a problem, a flow missing its `start:`, a file that
//! is not valid YAML: each is reported where it is. Its id still exists as
//! far as the rest of the set is concerned, so validation asks this record
//! before it blames anything for the absence of what it would have declared.
//! Without it, one tab in `app.yaml` also reported "the set has no app flow"
//! for every intent and persona, and one misspelt key in a menu reported
//! every `goto` that leads to the menu.

use std::collections::BTreeSet;

use crate::loader::yaml::{Yaml, YamlValue};
use crate::loader::{Problem, DOCUMENT_KEYS};
use crate::model::{Channel, SourceId};

/// A flow that is declared but not in the model: its channel and id where
/// they were read, `None` where they were not (it could be any).
#[derive(Debug, Clone)]
pub(crate) struct UndecodedFlow {
    pub file: SourceId,
    pub channel: Option<Channel>,
    pub id: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Undecoded {
    /// Nodes that failed to decode, by the file of their flow (a file holds
    /// one flow) and id.
    nodes: BTreeSet<(SourceId, String)>,
    /// Variables whose values could not be decoded, by file and name; a
    /// name of `None` when the file's whole `vars:` could not.
    vars: BTreeSet<(SourceId, Option<String>)>,
    flows: Vec<UndecodedFlow>,
    /// Files that did not parse and held, or could have held, an intents
    /// catalogue: while there is one, the set's intents are not all known.
    unparsed_catalogues: Vec<SourceId>,
    /// Files that did not parse and held, or could have held, the settings.
    unparsed_settings: Vec<SourceId>,
    /// "Not a touchpoint document" problems, which depend on what the
    /// settings ignore.
    unrecognised: Vec<Problem>,
    /// Whether the settings' `customer_types` (or the settings around
    /// them) had a problem, so that the names they give may be incomplete.
    broken_customer_types: bool,
}

impl Undecoded {
    pub(super) fn node(&mut self, file: SourceId, id: &str) {
        self.nodes.insert((file, id.to_string()));
    }

    pub(super) fn var(&mut self, file: SourceId, name: &str) {
        self.vars.insert((file, Some(name.to_string())));
    }

    pub(crate) fn all_vars(&mut self, file: SourceId) {
        self.vars.insert((file, None));
    }

    /// Whether a variable may be declared, in a flow of one of `files`, by
    /// a declaration that could not be decoded.
    pub(crate) fn may_have_var(&self, files: &[SourceId], name: &str) -> bool {
        self.vars
            .iter()
            .any(|(file, var)| files.contains(file) && var.as_deref().is_none_or(|v| v == name))
    }

    pub(super) fn flow(&mut self, flow: UndecodedFlow) {
        self.flows.push(flow);
    }

    /// Records what a file that did not parse declares, from the top-level
    /// entries read before the problem. Its first document key says what
    /// kind of document it is; a flow says its id and channel early. When
    /// even the kind is unknown, the file could have declared anything.
    pub(crate) fn unparsed_file(&mut self, file: SourceId, read_before: &[(Yaml, Yaml)]) {
        let text_of = |key: &str| {
            read_before
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .and_then(|(_, v)| match &v.value {
                    YamlValue::Scalar { text, .. } => Some(text.to_string()),
                    _ => None,
                })
        };
        let kind = read_before
            .iter()
            .find_map(|(k, _)| k.as_str().filter(|t| DOCUMENT_KEYS.contains(t)));
        match kind {
            Some("flow") => self.flow(UndecodedFlow {
                file,
                channel: text_of("channel").and_then(|c| Channel::parse(&c)),
                id: text_of("flow"),
            }),
            Some("intents") => self.unparsed_catalogues.push(file),
            Some("touchpoint") => self.unparsed_settings.push(file),
            // Nothing else refers to a persona.
            Some(_) => {}
            None => {
                self.unparsed_settings.push(file);
                self.flow(UndecodedFlow {
                    file,
                    channel: None,
                    id: None,
                });
                self.unparsed_catalogues.push(file);
            }
        }
    }

    /// The ids of the nodes of a file that could not be decoded.
    pub(crate) fn nodes_of(&self, file: SourceId) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .filter(move |(f, _)| *f == file)
            .map(|(_, id)| id.as_str())
    }

    pub(crate) fn has_node(&self, file: SourceId, id: &str) -> bool {
        // Few nodes fail in one load, so a scan beats allocating a key.
        self.nodes.iter().any(|(f, n)| *f == file && n == id)
    }

    /// Whether a flow with this id may exist on this channel.
    pub(crate) fn may_have_flow(&self, channel: Channel, id: &str) -> bool {
        self.flows.iter().any(|f| {
            f.channel.is_none_or(|c| c == channel) && f.id.as_deref().is_none_or(|i| i == id)
        })
    }

    /// Whether the channel may have a flow that is not in the model (and so
    /// variables and nodes that are not in the model either).
    pub(crate) fn may_have_channel(&self, channel: Channel) -> bool {
        self.flows
            .iter()
            .any(|f| f.channel.is_none_or(|c| c == channel))
    }

    pub(crate) fn intents_unknown(&self) -> bool {
        !self.unparsed_catalogues.is_empty()
    }

    pub(crate) fn customer_types(&mut self) {
        self.broken_customer_types = true;
    }

    /// Whether the settings may name customer types that are not in the
    /// model: then a volume or persona naming one is not to blame.
    pub(crate) fn customer_types_unknown(&self) -> bool {
        self.broken_customer_types || !self.unparsed_settings.is_empty()
    }

    pub(crate) fn unrecognised(&mut self, problem: Problem) {
        self.unrecognised.push(problem);
    }

    /// Adds what another file declared but could not decode. Files are
    /// decoded apart, each into a record of its own, and absorbed in file
    /// order, so the lists below keep the order of reading files one by one.
    pub(crate) fn absorb(&mut self, other: Undecoded) {
        self.nodes.extend(other.nodes);
        self.vars.extend(other.vars);
        self.flows.extend(other.flows);
        self.unparsed_catalogues.extend(other.unparsed_catalogues);
        self.unparsed_settings.extend(other.unparsed_settings);
        self.unrecognised.extend(other.unrecognised);
        self.broken_customer_types |= other.broken_customer_types;
    }

    /// Forgets what files the settings ignore declared: they are not part
    /// of the set.
    pub(crate) fn retain_files(&mut self, keep: impl Fn(SourceId) -> bool) {
        self.nodes.retain(|(file, _)| keep(*file));
        self.vars.retain(|(file, _)| keep(*file));
        self.flows.retain(|flow| keep(flow.file));
        self.unparsed_catalogues.retain(|file| keep(*file));
        self.unparsed_settings.retain(|file| keep(*file));
        self.unrecognised
            .retain(|problem| problem.file.is_none_or(&keep));
    }

    /// The files that are not touchpoint documents, once the settings are
    /// known. When the settings did not parse, their `ignore:` list is
    /// unknown, so none is reported: the settings' own problem is the one
    /// to fix, and may be the reason.
    pub(crate) fn take_unrecognised(&mut self, settings_decoded: bool) -> Vec<Problem> {
        let problems = std::mem::take(&mut self.unrecognised);
        if settings_decoded || self.unparsed_settings.is_empty() {
            problems
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::loader::load_text;

    #[test]
    fn a_broken_node_is_still_suggested_for_a_misspelt_target() {
        let text = "flow: main\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Press 1.\n    options:\n      - key: 1\n        goto: outage_mneu\n  outage_menu:\n    menu: Press 1.\n    optoins: []\n";
        let error = load_text("main.yaml", text).unwrap_err();
        let lines: Vec<(String, Option<String>)> = error
            .problems
            .iter()
            .map(|p| (p.message.clone(), p.help.clone()))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "unknown-target: the target `outage_mneu` names no node of flow `main`"
                        .to_string(),
                    Some("did you mean `outage_menu`?".to_string())
                ),
                (
                    "unknown key `optoins` in node `outage_menu` (menu)".to_string(),
                    Some("did you mean `options`?".to_string())
                ),
            ]
        );
    }
}
