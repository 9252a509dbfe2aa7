//! A scripted customer as written: who they are, what they came for, their
//! script, traits, patience, matrix variants and what they expect.

use super::{Channel, Located, Span};

/// One scripted or goal-directed customer.
#[derive(Debug, Clone)]
pub struct Persona {
    pub id: Located<String>,
    pub description: Option<String>,
    pub channel: Located<Channel>,
    /// `None`: the channel's first flow, by file name, that no flow calls.
    pub flow: Option<Located<String>>,
    pub vars: Vec<(Located<String>, Located<String>)>,
    pub intent: Option<Located<String>>,
    pub patience_steps: Option<u32>,
    pub patience_retries: Option<u32>,
    pub traits: Vec<Located<Trait>>,
    pub script: Vec<Located<ScriptStep>>,
    pub expect: Option<Expectation>,
    /// The same customer run in several worlds or on several channels.
    pub matrix: Vec<Variant>,
    /// Seeds the persona's own randomness (`fumbles`); default: the run's seed.
    pub seed: Option<u64>,
    /// The kind of customer this is (`customer_type:`), one the settings
    /// name, so that persona results can be read per customer type.
    pub customer_type: Option<Located<String>>,
    pub span: Span,
}

/// One entry of `matrix:`: what differs from the persona itself.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub channel: Option<Located<Channel>>,
    pub flow: Option<Located<String>>,
    pub vars: Vec<(Located<String>, Located<String>)>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trait {
    ZeroOut,
    Silent,
    Fumbles,
    Impatient,
}

impl Trait {
    pub fn parse(text: &str) -> Option<Trait> {
        match text {
            "zero-out" => Some(Trait::ZeroOut),
            "silent" => Some(Trait::Silent),
            "fumbles" => Some(Trait::Fumbles),
            "impatient" => Some(Trait::Impatient),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScriptStep {
    /// A regex the next prompt must match.
    Hear(String),
    Press(String),
    Say(String),
    Enter(String),
    Wait,
    Click(String),
    Back,
    /// The outcome an opaque step takes (a back end's answer), by its
    /// branch name; without one a persona takes the first.
    Branch(String),
}

impl ScriptStep {
    /// Steps that make sense on a phone call, and those that need a screen.
    pub fn fits(&self, channel: Channel) -> bool {
        match self {
            ScriptStep::Press(_) | ScriptStep::Say(_) => channel == Channel::Phone,
            ScriptStep::Click(_) | ScriptStep::Back => channel.is_visual(),
            ScriptStep::Hear(_)
            | ScriptStep::Enter(_)
            | ScriptStep::Wait
            | ScriptStep::Branch(_) => true,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            ScriptStep::Hear(_) => "hear",
            ScriptStep::Press(_) => "press",
            ScriptStep::Say(_) => "say",
            ScriptStep::Enter(_) => "enter",
            ScriptStep::Wait => "wait",
            ScriptStep::Click(_) => "click",
            ScriptStep::Back => "back",
            ScriptStep::Branch(_) => "branch",
        }
    }
}

/// How a journey ended, as docs/format.md defines the outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Served,
    Transferred,
    Misrouted,
    HungUp,
    Abandoned,
    Stuck,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Served,
        Outcome::Transferred,
        Outcome::Misrouted,
        Outcome::HungUp,
        Outcome::Abandoned,
        Outcome::Stuck,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Served => "served",
            Outcome::Transferred => "transferred",
            Outcome::Misrouted => "misrouted",
            Outcome::HungUp => "hung-up",
            Outcome::Abandoned => "abandoned",
            Outcome::Stuck => "stuck",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == text)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Expectation {
    pub outcome: Option<Located<Outcome>>,
    pub node: Option<Located<String>>,
    /// The queue of the transfer the journey must end at: who answers,
    /// which the node alone does not say when a transfer's queue is edited.
    pub queue: Option<Located<String>>,
    pub max_steps: Option<u32>,
    pub max_seconds: Option<f64>,
}

/// One way a persona is run: the persona itself, or one `matrix` entry
/// merged over it.
#[derive(Debug, Clone)]
pub(crate) struct PersonaRunConfig {
    /// The matrix entry's name; `None` for a persona without a matrix.
    pub variant: Option<String>,
    pub channel: Located<Channel>,
    pub flow: Option<Located<String>>,
    pub vars: Vec<(Located<String>, Located<String>)>,
}

impl Persona {
    /// A persona no file holds (one `graph --intent` draws, one `mutate`
    /// suggests): a customer on `channel` starting in `flow`, who wants
    /// `intent`, with nothing else said. Its positions point nowhere. The
    /// loader starts each persona document from one too.
    pub(crate) fn unwritten(
        id: &str,
        channel: Channel,
        flow: Option<&str>,
        intent: Option<&str>,
    ) -> Persona {
        let nowhere = Span::default();
        Persona {
            id: Located::new(id.to_string(), nowhere),
            description: None,
            channel: Located::new(channel, nowhere),
            flow: flow.map(|f| Located::new(f.to_string(), nowhere)),
            vars: Vec::new(),
            intent: intent.map(|i| Located::new(i.to_string(), nowhere)),
            patience_steps: None,
            patience_retries: None,
            traits: Vec::new(),
            script: Vec::new(),
            expect: None,
            matrix: Vec::new(),
            seed: None,
            customer_type: None,
            span: nowhere,
        }
    }

    /// Every configuration the persona runs in: once, or once per matrix
    /// entry, where an entry's channel, flow and variables replace the
    /// persona's (variables one by one).
    pub(crate) fn configurations(&self) -> Vec<PersonaRunConfig> {
        if self.matrix.is_empty() {
            return vec![PersonaRunConfig {
                variant: None,
                channel: self.channel.clone(),
                flow: self.flow.clone(),
                vars: self.vars.clone(),
            }];
        }
        self.matrix
            .iter()
            .map(|v| {
                let mut vars = self.vars.clone();
                for (var, value) in &v.vars {
                    vars.retain(|(k, _)| k.value != var.value);
                    vars.push((var.clone(), value.clone()));
                }
                // A variant on another channel cannot use the persona's flow.
                let flow = match (&v.flow, &v.channel) {
                    (Some(flow), _) => Some(flow.clone()),
                    (None, Some(c)) if c.value != self.channel.value => None,
                    (None, _) => self.flow.clone(),
                };
                PersonaRunConfig {
                    variant: Some(v.name.clone()),
                    channel: v.channel.clone().unwrap_or_else(|| self.channel.clone()),
                    flow,
                    vars,
                }
            })
            .collect()
    }
}
