//! Persona documents: who the customer is, the worlds of its matrix, its
//! script of steps, its patience and traits, and what it expects.

use crate::loader::decode::{misspelt, Decoder};
use crate::loader::yaml::Yaml;
use crate::model::*;

pub const PERSONA_KEYS: [&str; 13] = [
    "persona",
    "matrix",
    "description",
    "channel",
    "flow",
    "vars",
    "intent",
    "patience",
    "traits",
    "script",
    "expect",
    "seed",
    "customer_type",
];
pub const PATIENCE_KEYS: [&str; 2] = ["steps", "retries"];
pub const MATRIX_KEYS: [&str; 4] = ["name", "channel", "flow", "vars"];
pub const EXPECT_KEYS: [&str; 5] = ["outcome", "node", "queue", "max_steps", "max_seconds"];
pub const STEP_KEYS: [&str; 8] = [
    "hear", "press", "say", "enter", "wait", "click", "back", "branch",
];

impl Decoder<'_> {
    pub(super) fn persona(&mut self, root: &Yaml) -> Option<Persona> {
        let entries = self.entries(root, &PERSONA_KEYS, "a persona")?;
        // A blank persona at the document's place, filled in below.
        let span = self.span(root);
        let mut persona = Persona {
            id: Located::new(String::new(), span),
            channel: Located::new(Channel::Phone, span),
            span,
            ..Persona::unwritten("", Channel::Phone, None, None)
        };
        let mut has_channel = false;
        for (name, _, value) in entries {
            match name {
                "persona" => persona.id = self.text(value, "the persona id")?,
                "description" => {
                    persona.description = self.text(value, "description").map(|t| t.value)
                }
                "channel" => {
                    if let Some(c) = self.channel(value) {
                        persona.channel = c;
                        has_channel = true;
                    }
                }
                "flow" => persona.flow = self.text(value, "flow"),
                "vars" => persona.vars = self.assignments(value),
                "intent" => persona.intent = self.text(value, "intent"),
                "patience" => {
                    let Some(entries) = self.entries(value, &PATIENCE_KEYS, "`patience`") else {
                        continue;
                    };
                    for (name, _, value) in entries {
                        let n = self.count(value, name);
                        if name == "steps" {
                            persona.patience_steps = n;
                        } else {
                            persona.patience_retries = n;
                        }
                    }
                }
                "traits" => {
                    for t in self.texts(value, "a trait") {
                        match Trait::parse(&t.value) {
                            Some(tr) => persona.traits.push(Located::new(tr, t.span)),
                            None => self.problem_with_help(
                                t.span.pos,
                                format!("unknown trait `{}`", t.value),
                                "expected zero-out, silent, fumbles or impatient",
                            ),
                        }
                    }
                }
                "script" => persona.script = self.script(value),
                "expect" => persona.expect = self.expect(value),
                "matrix" => persona.matrix = self.matrix(value),
                "customer_type" => persona.customer_type = self.text(value, "customer_type"),
                _ => persona.seed = self.count(value, "seed").map(u64::from),
            }
        }
        if !has_channel {
            // A channel written wrong, or under a misspelt key, has been
            // reported already.
            if root.get("channel").is_none() && !misspelt(root, "channel", &PERSONA_KEYS) {
                self.problem(root.pos, "the persona has no `channel:`");
            }
            return None;
        }
        Some(persona)
    }

    /// `vars` as a mapping of variable to value, each with its position.
    fn assignments(&mut self, value: &Yaml) -> Vec<(Located<String>, Located<String>)> {
        let Some(map) = value.as_map() else {
            self.problem(value.pos, "`vars` should map variables to values");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in map {
            if let (Some(var), Some(val)) = (self.text(k, "a variable"), self.text(v, "a value")) {
                out.push((var, val));
            }
        }
        out
    }

    /// `matrix:`: the same customer in several worlds or on several channels.
    fn matrix(&mut self, node: &Yaml) -> Vec<Variant> {
        let Some(items) = node.as_seq() else {
            self.wrong_kind(node, "`matrix` should be a list of variants");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(entries) = self.entries(item, &MATRIX_KEYS, "a matrix variant") else {
                continue;
            };
            let mut variant = Variant {
                name: format!("{}", i + 1),
                channel: None,
                flow: None,
                vars: Vec::new(),
                span: self.span(item),
            };
            for (name, _, value) in entries {
                match name {
                    "name" => {
                        if let Some(t) = self.text(value, "name") {
                            variant.name = t.value;
                        }
                    }
                    "channel" => variant.channel = self.channel(value),
                    "flow" => variant.flow = self.text(value, "flow"),
                    _ => variant.vars = self.assignments(value),
                }
            }
            out.push(variant);
        }
        out
    }

    fn script(&mut self, node: &Yaml) -> Vec<Located<ScriptStep>> {
        let Some(items) = node.as_seq() else {
            self.wrong_kind(node, "`script` should be a list of steps");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entries) = self.entries(item, &STEP_KEYS, "a script step") else {
                continue;
            };
            let [(name, _, value)] = entries.as_slice() else {
                if !entries.is_empty() {
                    self.problem(
                        item.pos,
                        "a script step does one thing: write each on its own `- ` line",
                    );
                }
                continue;
            };
            let text = |d: &mut Self| d.text(value, name).map(|t| t.value);
            let step = match *name {
                "hear" => text(self).and_then(|t| match self.regexes.get(&t, true) {
                    Ok(_) => Some(ScriptStep::Hear(t)),
                    Err(message) => {
                        self.problem(value.pos, format!("`hear`: {message}"));
                        None
                    }
                }),
                "press" => text(self).and_then(|t| {
                    if t.chars().all(|c| DtmfKey::parse(&c.to_string()).is_some()) && !t.is_empty()
                    {
                        Some(ScriptStep::Press(t))
                    } else {
                        self.problem_with_help(
                            value.pos,
                            format!("`{t}` is not a DTMF key"),
                            "press takes keys 0-9, * and #",
                        );
                        None
                    }
                }),
                "say" => text(self).map(ScriptStep::Say),
                "enter" => text(self).map(ScriptStep::Enter),
                "click" => text(self).map(ScriptStep::Click),
                "branch" => text(self).map(ScriptStep::Branch),
                "wait" => self.bool(value, "wait").map(|_| ScriptStep::Wait),
                _ => self.bool(value, "back").map(|_| ScriptStep::Back),
            };
            if let Some(step) = step {
                out.push(Located::new(step, self.span(item)));
            }
        }
        out
    }

    fn expect(&mut self, node: &Yaml) -> Option<Expectation> {
        let entries = self.entries(node, &EXPECT_KEYS, "`expect`")?;
        let mut out = Expectation::default();
        for (name, _, value) in entries {
            match name {
                "outcome" => {
                    let Some(text) = self.text(value, "outcome") else {
                        continue;
                    };
                    match Outcome::parse(&text.value) {
                        Some(o) => out.outcome = Some(Located::new(o, text.span)),
                        None => self.problem_with_help(
                            value.pos,
                            format!("unknown outcome `{}`", text.value),
                            "expected served, transferred, misrouted, hung-up, abandoned or stuck",
                        ),
                    }
                }
                "node" => out.node = self.text(value, "node"),
                "queue" => out.queue = self.text(value, "queue"),
                "max_steps" => out.max_steps = self.count(value, "max_steps"),
                _ => out.max_seconds = self.seconds(value, "max_seconds"),
            }
        }
        Some(out)
    }
}
