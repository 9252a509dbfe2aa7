//! A menu option as written: its key or label, speech phrases, guard and
//! target, and the identity by which reports name it.

use super::{Condition, Located, Span};

/// A DTMF key: one of `0`-`9`, `*`, `#`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DtmfKey(pub u8);

impl DtmfKey {
    /// Keys in the order an IVR engineer lists them; the explorer uses the
    /// first one a menu does not take as its "wrong key".
    pub const ALL: [DtmfKey; 12] = [
        DtmfKey(b'1'),
        DtmfKey(b'2'),
        DtmfKey(b'3'),
        DtmfKey(b'4'),
        DtmfKey(b'5'),
        DtmfKey(b'6'),
        DtmfKey(b'7'),
        DtmfKey(b'8'),
        DtmfKey(b'9'),
        DtmfKey(b'0'),
        DtmfKey(b'*'),
        DtmfKey(b'#'),
    ];

    pub fn parse(text: &str) -> Option<DtmfKey> {
        match text.as_bytes() {
            [b @ (b'0'..=b'9' | b'*' | b'#')] => Some(DtmfKey(*b)),
            _ => None,
        }
    }

    pub(crate) fn as_char(self) -> char {
        self.0 as char
    }

    /// Position in [`DtmfKey::ALL`], for bit sets of keys.
    pub fn index(self) -> usize {
        DtmfKey::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or_default()
    }
}

/// A speech phrase: a case-insensitive regular expression.
#[derive(Debug, Clone)]
pub struct SpeechPhrase {
    pub source: Located<String>,
    pub regex: crate::model::UserRegex,
}

/// One choice of a menu.
#[derive(Debug, Clone)]
pub struct MenuOption {
    pub key: Option<Located<DtmfKey>>,
    pub label: Option<Located<String>>,
    pub speech: Vec<SpeechPhrase>,
    pub intents: Vec<Located<String>>,
    pub fallback: bool,
    /// A key that works but is deliberately not announced (a hidden zero-out).
    pub hidden: bool,
    /// Boxed: most options have no guard, and a guard in place (128 bytes)
    /// was two fifths of every option's size.
    pub when: Option<Box<Located<Condition>>>,
    pub goto: Located<String>,
    pub span: Span,
}

impl MenuOption {
    /// What a menu's `save` keeps when the caller picks this option: its
    /// key, or its label when it has no key. `None` when it has neither.
    pub fn answer(&self) -> Option<String> {
        match (&self.key, &self.label) {
            (Some(key), _) => Some(char::from(key.value.0).to_string()),
            (None, Some(label)) => Some(label.value.clone()),
            (None, None) => None,
        }
    }

    /// A name for the option that tells it apart from the menu's other
    /// options: [`MenuOption::describe`] plus its guard, if it has one.
    pub fn name(&self) -> String {
        match &self.when {
            Some(when) => format!(
                "{} when {}",
                self.describe(),
                crate::structure::condition_text(&when.value)
            ),
            None => self.describe(),
        }
    }

    /// A name for the option that a new label leaves alone: its key where
    /// it has one (the phone, where the caller presses the key), else its
    /// label (the web and apps, where the label is what the customer
    /// clicks), else its first phrase; with its guard. Findings about an
    /// option carry it, so that `diff` knows them in the next version.
    pub fn identity(&self) -> String {
        let when = self
            .when
            .as_ref()
            .map(|w| crate::structure::condition_text(&w.value));
        let label = self.label.as_ref().map(|l| l.value.as_str());
        match &self.key {
            Some(key) => option_identity(Some(key.value.as_char()), label, when.as_deref())
                .unwrap_or_default(),
            None => option_identity(None, label, when.as_deref()).unwrap_or_else(|| {
                match (self.speech.first(), when) {
                    (Some(p), Some(w)) => format!("speech /{}/ when {w}", p.source.value),
                    (Some(p), None) => format!("speech /{}/", p.source.value),
                    (None, Some(w)) => format!("option when {w}"),
                    (None, None) => "option".to_string(),
                }
            }),
        }
    }

    /// How a report names the option: its key, else its label, else its first phrase.
    pub fn describe(&self) -> String {
        if let (Some(key), Some(label)) = (&self.key, &self.label) {
            format!("key {} (\"{}\")", key.value.as_char(), label.value)
        } else if let Some(key) = &self.key {
            format!("key {}", key.value.as_char())
        } else if let Some(label) = &self.label {
            format!("\"{}\"", label.value)
        } else if let Some(phrase) = self.speech.first() {
            format!("speech /{}/", phrase.source.value)
        } else {
            "option".to_string()
        }
    }
}

/// [`MenuOption::identity`] of an option with this key, label and guard, or
/// `None` when it has neither key nor label. `diff` names options of a saved
/// report's structure with it, so both sides name them alike.
pub(crate) fn option_identity(
    key: Option<char>,
    label: Option<&str>,
    when: Option<&str>,
) -> Option<String> {
    let name = match (key, label) {
        (Some(key), _) => format!("key {key}"),
        (None, Some(label)) => format!("\"{label}\""),
        (None, None) => return None,
    };
    Some(match when {
        Some(when) => format!("{name} when {when}"),
        None => name,
    })
}
