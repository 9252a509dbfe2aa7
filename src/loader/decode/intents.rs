//! The intents catalogue: what each intent's customers say and on which
//! channels it is expected.

use crate::loader::decode::Decoder;
use crate::loader::yaml::{Yaml, YamlValue};
use crate::model::*;

pub const INTENT_KEYS: [&str; 3] = ["says", "channels", "description"];

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
                span: self.span(key),
            };
            if matches!(body.value, YamlValue::Null) {
                out.push(intent);
                continue;
            }
            let Some(entries) =
                self.entries(body, &INTENT_KEYS, &format!("intent `{}`", intent.id.value))
            else {
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
                    _ => {}
                }
            }
            out.push(intent);
        }
        out
    }
}
