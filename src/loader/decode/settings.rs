//! The settings document (`touchpoint:`): levels, limits and the `ignore:`
//! patterns.

use crate::finding::Code;
use crate::loader::decode::scalars::describe_value;
use crate::loader::decode::Decoder;
use crate::loader::glob;
use crate::loader::yaml::{Yaml, YamlValue};
use crate::model::*;

pub const SETTINGS_KEYS: [&str; 3] = ["levels", "limits", "ignore"];
pub const LIMITS_KEYS: [&str; 4] = ["menu_width", "depth", "states", "call_depth"];

impl Decoder<'_> {
    pub(super) fn settings(&mut self, root: &Yaml) -> Settings {
        let Some(entries) = self.entries(root, &["touchpoint"], "the settings document") else {
            return Settings::default();
        };
        match entries.first() {
            Some((_, _, value)) if !matches!(value.value, YamlValue::Null) => {
                self.settings_body(value)
            }
            _ => Settings::default(),
        }
    }

    fn settings_body(&mut self, node: &Yaml) -> Settings {
        let mut settings = Settings::default();
        let Some(entries) = self.entries(node, &SETTINGS_KEYS, "the settings") else {
            return settings;
        };
        for (name, _, value) in entries {
            match name {
                "levels" => {
                    let Some(map) = value.as_map() else {
                        self.problem(
                            value.pos,
                            "`levels` should map finding codes to error, warning or off",
                        );
                        continue;
                    };
                    for (k, v) in map {
                        let Some(code_name) = k.as_str() else {
                            continue;
                        };
                        let Some(code) = Code::parse(code_name) else {
                            let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
                            self.unknown_key(k, code_name, &names, "`levels`");
                            continue;
                        };
                        match v.as_str().and_then(Level::parse) {
                            Some(level) => {
                                settings.levels.insert(code, level);
                            }
                            None => self.problem_with_help(
                                v.pos,
                                format!("unknown level {}", describe_value(v)),
                                "expected error, warning or off",
                            ),
                        }
                    }
                }
                "limits" => {
                    let Some(entries) = self.entries(value, &LIMITS_KEYS, "`limits`") else {
                        continue;
                    };
                    for (name, _, value) in entries {
                        match name {
                            "menu_width" => self.menu_width(value, &mut settings.limits),
                            "depth" => {
                                if let Some(n) = self.count(value, "depth") {
                                    settings.limits.depth = n as usize;
                                }
                            }
                            "states" => {
                                if let Some(n) = self.count(value, "states") {
                                    settings.limits.states = n as usize;
                                }
                            }
                            _ => {
                                if let Some(n) = self.count(value, "call_depth") {
                                    settings.limits.call_depth = n as usize;
                                }
                            }
                        }
                    }
                }
                _ => {
                    for pattern in self.texts(value, "a file pattern") {
                        match glob::compile(&pattern.value) {
                            Ok(_) => settings.ignore.push(pattern.value),
                            Err(why) => self.problem_with_help(
                                pattern.span.pos,
                                format!("`{}` is not a file pattern: {why}", pattern.value),
                                "`*` and `?` match within a folder, `**` any folders, `[abc]` one of the characters",
                            ),
                        }
                    }
                }
            }
        }
        settings
    }

    fn menu_width(&mut self, node: &Yaml, limits: &mut Limits) {
        if let Some(map) = node.as_map() {
            for (k, v) in map {
                let (Some(channel), Some(n)) = (self.channel(k), self.count(v, "menu_width"))
                else {
                    continue;
                };
                limits.menu_width.insert(channel.value, n as usize);
            }
        } else if let Some(n) = self.count(node, "menu_width") {
            for width in limits.menu_width.values_mut() {
                *width = n as usize;
            }
        }
    }
}
