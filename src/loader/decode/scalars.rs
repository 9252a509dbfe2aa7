//! The values every kind of document is made of: texts and lists of texts,
//! switches, whole numbers, seconds, channels and conditions, each checked
//! and reported with the same words wherever it appears.

use crate::loader::condition_parser::parse_condition;
use crate::loader::decode::Decoder;
use crate::loader::yaml::{Pos, Yaml, YamlValue};
use crate::model::{Channel, Condition, Located};

impl Decoder<'_> {
    pub(super) fn text(&mut self, node: &Yaml, what: &str) -> Option<Located<String>> {
        match &node.value {
            YamlValue::Scalar { text, .. } => Some(Located::new(text.to_string(), self.span(node))),
            _ => {
                self.wrong_kind(node, &format!("{what} should be text"));
                None
            }
        }
    }

    pub(super) fn bool(&mut self, node: &Yaml, what: &str) -> Option<bool> {
        match node.as_str() {
            Some("true" | "yes" | "on") => Some(true),
            Some("false" | "no" | "off") => Some(false),
            _ => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be true or false, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn count(&mut self, node: &Yaml, what: &str) -> Option<u32> {
        match node.as_str().and_then(|t| t.parse::<u32>().ok()) {
            Some(n) => Some(n),
            None => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be a whole number, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn seconds(&mut self, node: &Yaml, what: &str) -> Option<f64> {
        match node
            .as_str()
            .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        {
            Some(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                self.problem(
                    node.pos,
                    format!(
                        "{what} should be a number of seconds, found {}",
                        describe_value(node)
                    ),
                );
                None
            }
        }
    }

    /// A list of texts; a single text is accepted as a one-item list.
    pub(super) fn texts(&mut self, node: &Yaml, what: &str) -> Vec<Located<String>> {
        match &node.value {
            YamlValue::Seq(items) => {
                // Room for every item, reserved up front: collecting what a
                // filter keeps starts at room for four, and most lists (an
                // end's `serves`, an option's `intents`) hold one.
                let mut texts = Vec::with_capacity(items.len());
                texts.extend(items.iter().filter_map(|i| self.text(i, what)));
                texts
            }
            YamlValue::Scalar { .. } => self.text(node, what).into_iter().collect(),
            _ => {
                self.wrong_kind(node, &format!("{what} should be a list"));
                Vec::new()
            }
        }
    }

    pub(super) fn channel(&mut self, node: &Yaml) -> Option<Located<Channel>> {
        let text = self.text(node, "channel")?;
        match Channel::parse(&text.value) {
            Some(c) => Some(Located::new(c, text.span)),
            None => {
                self.problem_with_help(
                    node.pos,
                    format!("unknown channel `{}`", text.value),
                    "expected phone, web or app",
                );
                None
            }
        }
    }

    pub(super) fn condition(&mut self, node: &Yaml) -> Option<Located<Condition>> {
        let YamlValue::Scalar { text, quoted } = &node.value else {
            self.wrong_kind(node, "a condition should be text");
            return None;
        };
        match parse_condition(text, self.file, node.pos, *quoted) {
            Ok(c) => Some(Located::new(c, self.span(node))),
            Err(e) => {
                let quote = u32::from(*quoted);
                let pos = Pos {
                    column: node.pos.column + quote + e.at.column as u32,
                    offset: node.pos.offset + quote + e.at.offset as u32,
                    len: 1,
                    ..node.pos
                };
                let message = format!("invalid condition `{}`: {}", abridged(text), e.message);
                self.problem(pos, message);
                None
            }
        }
    }
}

pub(super) fn describe_value(node: &Yaml) -> String {
    match node.as_str() {
        Some(t) => format!("`{t}`"),
        None => node.kind_name().to_string(),
    }
}

/// A condition short enough to quote in a message: a hostile one may be
/// megabytes long, and the excerpt under the message shows where it is.
fn abridged(text: &str) -> std::borrow::Cow<'_, str> {
    const QUOTED_CHARS: usize = 40;
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}
