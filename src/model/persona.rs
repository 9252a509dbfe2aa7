use super::{Channel, Located, Span};

/// One scripted or goal-directed customer.
#[derive(Debug, Clone)]
pub struct Persona {
    pub id: Located<String>,
    pub description: Option<String>,
    pub channel: Located<Channel>,
    /// `None`: the channel's flow whose file comes first by name.
    pub flow: Option<Located<String>>,
    pub vars: Vec<(Located<String>, Located<String>)>,
    pub intent: Option<Located<String>>,
    pub patience_steps: Option<u32>,
    pub patience_retries: Option<u32>,
    pub traits: Vec<Located<Trait>>,
    pub script: Vec<Located<ScriptStep>>,
    pub expect: Option<Expectation>,
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
}

impl ScriptStep {
    /// Steps that make sense on a phone call, and those that need a screen.
    pub fn fits(&self, channel: Channel) -> bool {
        match self {
            ScriptStep::Press(_) | ScriptStep::Say(_) => channel == Channel::Phone,
            ScriptStep::Click(_) | ScriptStep::Back => channel.is_visual(),
            ScriptStep::Hear(_) | ScriptStep::Enter(_) | ScriptStep::Wait => true,
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
        }
    }
}

/// How a journey ended, as FORMAT.md defines the outcomes.
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
    pub max_steps: Option<u32>,
    pub max_seconds: Option<f64>,
}
