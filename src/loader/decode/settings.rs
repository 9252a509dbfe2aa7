//! The settings document (`touchpoint:`): levels, limits and the `ignore:`
//! patterns.

use crate::finding::Code;
use crate::loader::decode::scalars::describe_value;
use crate::loader::decode::Decoder;
use crate::loader::glob;
use crate::loader::yaml::{Yaml, YamlValue};
use crate::model::*;

pub const SETTINGS_KEYS: [&str; 5] = ["levels", "limits", "timing", "ignore", "customer_types"];
pub const LIMITS_KEYS: [&str; 6] = [
    "menu_width",
    "depth",
    "states",
    "call_depth",
    "time_to_agent",
    "menus_to_agent",
];
pub const TIMING_KEYS: [&str; 3] = ["words_per_minute", "seconds_per_answer", "no_input_seconds"];

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
            self.undecoded.customer_types();
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
                            "call_depth" => {
                                if let Some(n) = self.count(value, "call_depth") {
                                    settings.limits.call_depth = n as usize;
                                }
                            }
                            "time_to_agent" => {
                                if let Some(n) = self.seconds(value, "time_to_agent") {
                                    settings.limits.time_to_agent = n;
                                }
                            }
                            _ => {
                                if let Some(n) = self.count(value, "menus_to_agent") {
                                    settings.limits.menus_to_agent = n as usize;
                                }
                            }
                        }
                    }
                }
                "timing" => self.timing(value, &mut settings.timing),
                "customer_types" => settings.customer_types = self.customer_types(value),
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

    /// `customer_types:`: the kinds of customer the organisation serves,
    /// each named once.
    fn customer_types(&mut self, node: &Yaml) -> Vec<Located<String>> {
        let problems = self.problems.len();
        let mut out: Vec<Located<String>> = Vec::new();
        for name in self.texts(node, "a customer type") {
            match out.iter().find(|t| t.value == name.value) {
                Some(first) => {
                    let line = first.span.pos.line;
                    self.problem(
                        name.span.pos,
                        format!(
                            "customer type `{}` is named twice in `customer_types` (first on line {line})",
                            name.value
                        ),
                    );
                }
                None => out.push(name),
            }
        }
        if self.problems.len() > problems {
            self.undecoded.customer_types();
        }
        out
    }

    fn timing(&mut self, node: &Yaml, timing: &mut crate::timing::Timing) {
        let Some(entries) = self.entries(node, &TIMING_KEYS, "`timing`") else {
            return;
        };
        for (name, _, value) in entries {
            match name {
                "words_per_minute" => {
                    // A rate of 0 would make every text take forever, and
                    // nobody follows a prompt read at more than 1000 words
                    // a minute: both are typing mistakes.
                    match value.as_str().and_then(|t| t.parse::<f64>().ok()) {
                        Some(n) if (1.0..=1000.0).contains(&n) => timing.words_per_minute = n,
                        _ => self.problem_with_help(
                            value.pos,
                            format!(
                                "words_per_minute should be a number from 1 to 1000, found {}",
                                describe_value(value)
                            ),
                            "people speak about 150 words a minute",
                        ),
                    }
                }
                "seconds_per_answer" => {
                    if let Some(n) = self.seconds(value, "seconds_per_answer") {
                        timing.seconds_per_answer = n;
                    }
                }
                _ => {
                    if let Some(n) = self.seconds(value, "no_input_seconds") {
                        timing.no_input_seconds = n;
                    }
                }
            }
        }
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
