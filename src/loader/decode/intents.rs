//! The intents catalogue: what each intent's customers say and on which
//! channels it is expected.

use crate::loader::decode::scalars::describe_value;
use crate::loader::decode::Decoder;
use crate::loader::yaml::{Yaml, YamlValue};
use crate::model::*;

pub const INTENT_KEYS: [&str; 4] = ["says", "channels", "description", "volume"];

impl Decoder<'_> {
    pub(super) fn intents(&mut self, root: &Yaml) -> Vec<Intent> {
        let Some(value) = root.get("intents") else {
            return Vec::new();
        };
        if let Some(map) = root.as_map() {
            for (k, _) in map {
                if k.as_str() != Some("intents") {
                    let name = k.as_str().unwrap_or("?");
                    self.unknown_key(k, name, &["intents"], "the intents document");
                }
            }
        }
        let Some(map) = value.as_map() else {
            self.wrong_kind(
                value,
                "`intents` should map intent ids to their definitions",
            );
            return Vec::new();
        };
        let mut out: Vec<Intent> = Vec::new();
        for (key, body) in map {
            let Some(id) = self.text(key, "an intent id") else {
                continue;
            };
            if out.iter().any(|i| i.id.value == id.value) {
                self.problem(key.pos, format!("intent `{}` is defined twice", id.value));
                continue;
            }
            let mut intent = Intent {
                id,
                says: Vec::new(),
                channels: None,
                volume: None,
                span: self.span(key),
            };
            if matches!(body.value, YamlValue::Null) {
                out.push(intent);
                continue;
            }
            let Some(entries) = self.entries(
                body,
                &INTENT_KEYS,
                format_args!("intent `{}`", intent.id.value),
            ) else {
                // The intent exists even though its body has a problem:
                // the options and personas that name it are not wrong.
                out.push(intent);
                continue;
            };
            for (name, _, value) in entries {
                match name {
                    "says" => {
                        intent.says = self
                            .texts(value, "a phrase")
                            .into_iter()
                            .map(|mut p| {
                                p.value = p.value.to_lowercase();
                                p
                            })
                            .collect()
                    }
                    "channels" => {
                        let items: Vec<&Yaml> = match &value.value {
                            YamlValue::Seq(items) => items.iter().collect(),
                            _ => vec![value],
                        };
                        intent.channels =
                            Some(items.into_iter().filter_map(|i| self.channel(i)).collect());
                    }
                    "volume" => intent.volume = self.volume(value),
                    _ => {}
                }
            }
            out.push(intent);
        }
        out
    }

    /// `volume:`: one number of contacts per period, or a mapping of
    /// customer type to such a number. Whether the types are named in the
    /// settings is checked once every document is read (`validate`).
    fn volume(&mut self, node: &Yaml) -> Option<Located<Volume>> {
        let volume = match &node.value {
            YamlValue::Map(entries) => {
                let mut types: Vec<(Located<String>, f64)> = Vec::new();
                let mut complete = true;
                for (key, value) in entries {
                    let Some(name) = self.text(key, "a customer type") else {
                        complete = false;
                        continue;
                    };
                    if let Some((first, _)) = types.iter().find(|(t, _)| t.value == name.value) {
                        let line = first.span.pos.line;
                        self.problem(
                            key.pos,
                            format!(
                                "customer type `{}` is written twice in `volume` (first on line {line})",
                                name.value
                            ),
                        );
                        complete = false;
                        continue;
                    }
                    match self.contacts(value) {
                        Some(n) => types.push((name, n)),
                        None => complete = false,
                    }
                }
                // A volume with a mistake in it is left out rather than
                // counted in part: figures from part of it would mislead.
                if !complete {
                    return None;
                }
                Volume::ByType(types)
            }
            _ => Volume::All(self.contacts(node)?),
        };
        Some(Located::new(volume, self.span(node)))
    }

    /// A number of contacts per period: 0 or more, fractions allowed (an
    /// average per day may be 12.5).
    fn contacts(&mut self, node: &Yaml) -> Option<f64> {
        match node.as_str().and_then(|t| t.parse::<f64>().ok()) {
            Some(n) if n.is_finite() && n >= 0.0 => Some(n),
            _ => {
                self.problem_with_help(
                    node.pos,
                    format!(
                        "volume should be a number of contacts, 0 or more, found {}",
                        describe_value(node)
                    ),
                    "one number for all customers (`volume: 1500`) or one per customer type (`volume: {member: 1200, doctor: 300}`)",
                );
                None
            }
        }
    }
}
