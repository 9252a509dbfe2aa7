//! The form every importer produces: flows in touchpoint's terms, with
//! where each node came from in the platform's export. `emit` writes them
//! as touchpoint YAML; the source map lets findings point back at the
//! export's file, line and action.

/// A flow read from a platform export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IrFlow {
    /// Flow id (unique in the set).
    pub id: String,
    pub title: String,
    /// Id of the first node.
    pub start: String,
    /// Finite variables the flow's switches read (for example `hours`:
    /// `[open, closed]` for an hours-of-operation check).
    pub vars: Vec<(String, Vec<String>)>,
    pub nodes: Vec<IrNode>,
    /// The export file the flow came from, as given.
    pub source: String,
    /// The free names (variables, contact attributes) opaque steps read and
    /// set, by the platform's id for the step (`Origin::action`): the
    /// copies that unrolling a loop makes share it. A platform whose step
    /// names need not be unique (Architect) gives the node id instead; a
    /// node id is looked up first.
    pub name_uses: std::collections::BTreeMap<String, NameUse>,
    /// A module of the platform (a Connect flow module): flows outside the
    /// imported set may call it, so its `return` is a way out (`module: true`).
    pub module: bool,
    /// Opaque steps in front of an input of the same platform block (the
    /// outcomes the menu or ask cannot carry), by the step's node id: the
    /// input's node id. `emit` writes it as the step's `before:`.
    pub fronts: std::collections::BTreeMap<String, String>,
}

/// What one platform step reads and sets, for `unset-variable`. A name the
/// platform provides, or one that may be set outside the flow, is left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameUse {
    pub reads: Vec<String>,
    pub sets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IrNode {
    /// Node id: the platform's action or state id, made safe as a YAML key.
    pub id: String,
    pub kind: IrKind,
    pub origin: Origin,
}

/// Where a node came from in the export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// 1-based line and column of the action or state in the export file.
    pub line: u32,
    pub column: u32,
    /// The platform's own id or name for it (`Identifier`, state `name`,
    /// `refId`).
    pub action: String,
    /// The platform's type for it (`GetParticipantInput`, `gather-input-on-call`).
    pub platform_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IrKind {
    Say {
        text: String,
        next: Option<String>,
    },
    Menu {
        prompt: String,
        options: Vec<IrOption>,
        no_input: Option<IrHandler>,
        no_match: Option<IrHandler>,
        /// The variable that keeps the chosen option's answer (`save`).
        save: Option<String>,
    },
    Ask {
        prompt: String,
        pattern: Option<String>,
        save: Option<String>,
        goto: Option<String>,
        invalid: Option<IrHandler>,
        no_input: Option<IrHandler>,
    },
    /// Route on a variable: entries are (condition text or `None` for the default, target).
    Switch {
        entries: Vec<(Option<String>, String)>,
    },
    Call {
        flow: String,
        next: Option<String>,
    },
    Return,
    Transfer {
        queue: String,
    },
    End {
        text: String,
    },
    Hangup {
        text: String,
    },
    /// A step touchpoint cannot model (a Lambda, a Lex bot, an unknown
    /// action): every branch is a possible outcome the walk explores.
    Opaque {
        text: String,
        branches: Vec<(String, String)>,
    },
}

impl IrKind {
    /// Every place in a node that names another node of its flow (not the
    /// flow of a `call`), in a fixed order: `next`; a menu's options, then
    /// `no_input`, then `no_match`; an ask's `goto`, `invalid`, `no_input`;
    /// a switch's entries; an opaque step's branches.
    pub(crate) fn targets_mut(&mut self) -> Vec<&mut String> {
        let mut out = Vec::new();
        match self {
            IrKind::Say { next, .. } | IrKind::Call { next, .. } => out.extend(next.as_mut()),
            IrKind::Menu {
                options,
                no_input,
                no_match,
                ..
            } => {
                out.extend(options.iter_mut().map(|o| &mut o.goto));
                out.extend(no_input.as_mut().map(|h| &mut h.then));
                out.extend(no_match.as_mut().map(|h| &mut h.then));
            }
            IrKind::Ask {
                goto,
                invalid,
                no_input,
                ..
            } => {
                out.extend(goto.as_mut());
                out.extend(invalid.as_mut().map(|h| &mut h.then));
                out.extend(no_input.as_mut().map(|h| &mut h.then));
            }
            IrKind::Switch { entries } => out.extend(entries.iter_mut().map(|(_, to)| to)),
            IrKind::Opaque { branches, .. } => out.extend(branches.iter_mut().map(|(_, to)| to)),
            IrKind::Return
            | IrKind::Transfer { .. }
            | IrKind::End { .. }
            | IrKind::Hangup { .. } => {}
        }
        out
    }

    /// [`IrKind::targets_mut`] to read.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            IrKind::Say { next, .. } | IrKind::Call { next, .. } => out.extend(next.as_deref()),
            IrKind::Menu {
                options,
                no_input,
                no_match,
                ..
            } => {
                out.extend(options.iter().map(|o| o.goto.as_str()));
                out.extend(no_input.as_ref().map(|h| h.then.as_str()));
                out.extend(no_match.as_ref().map(|h| h.then.as_str()));
            }
            IrKind::Ask {
                goto,
                invalid,
                no_input,
                ..
            } => {
                out.extend(goto.as_deref());
                out.extend(invalid.as_ref().map(|h| h.then.as_str()));
                out.extend(no_input.as_ref().map(|h| h.then.as_str()));
            }
            IrKind::Switch { entries } => out.extend(entries.iter().map(|(_, to)| to.as_str())),
            IrKind::Opaque { branches, .. } => {
                out.extend(branches.iter().map(|(_, to)| to.as_str()))
            }
            IrKind::Return
            | IrKind::Transfer { .. }
            | IrKind::End { .. }
            | IrKind::Hangup { .. } => {}
        }
        out.into_iter()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IrOption {
    pub key: Option<String>,
    pub label: Option<String>,
    pub speech: Vec<String>,
    pub goto: String,
    /// Where the option came from in the export, when the importer knows
    /// (findings about the option then point there rather than at its menu).
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IrHandler {
    pub retries: u32,
    pub then: String,
}

/// Whether a platform's step type is a call to a back-end system (a Lambda,
/// a function, an HTTP request, a data action, an attribute check): it says
/// nothing to the caller and takes no input. `emit` marks such opaque steps
/// `backend: true`, which is what a `busy-loop` is made of. Steps that may
/// speak or listen (a bot, a wait, an unknown action) are not back ends.
pub fn is_backend_type(platform_type: &str) -> bool {
    matches!(
        platform_type,
        // Amazon Connect.
        "InvokeLambdaFunction" | "InvokeExternalResource" | "Compare"
            // Twilio Studio.
            | "run-function" | "make-http-request"
            // Genesys Architect.
            | "callData" | "callLambda" | "dataTableLookup"
    )
}

/// What an importer returns: flows, and plain notes about what it could not
/// model exactly (never a silent drop).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub flows: Vec<IrFlow>,
    pub notes: Vec<String>,
}

/// Makes a platform id safe as a node id: letters, digits, `_` and `-`.
pub fn node_id(raw: &str) -> String {
    let id: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() {
        "node".to_string()
    } else {
        id
    }
}

/// The SSML elements a platform's text-to-speech reads as markup (W3C SSML
/// 1.1, which Twilio `<Say>`, Amazon Polly and Genesys take), besides any
/// `amazon:` element. Anything else in angle brackets is text the caller
/// hears: a template placeholder such as `<Your Company Name>`.
const SSML_ELEMENTS: &[&str] = &[
    "audio", "break", "desc", "emphasis", "lang", "lexicon", "lookup", "mark", "meta", "metadata",
    "p", "phoneme", "prosody", "s", "say-as", "speak", "sub", "token", "voice", "w",
];

/// The length of the SSML tag `text` starts with (`<speak>`, `</s>`,
/// `<break time="1s"/>`), or `None` when it does not start with one.
fn ssml_tag_len(text: &str) -> Option<usize> {
    let end = text.find('>')?;
    let inner = text[1..end].strip_prefix('/').unwrap_or(&text[1..end]);
    let name_len = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    let known = SSML_ELEMENTS.contains(&name.as_str())
        || name
            .strip_prefix("amazon:")
            .is_some_and(|rest| !rest.is_empty());
    known.then_some(end + 1)
}

/// Strips SSML tags (`<speak>`, `<break/>`) from prompt text and folds
/// whitespace, so prompts read as a caller hears them. Only the elements
/// text-to-speech reads as markup are tags; other text in angle brackets
/// (a placeholder a template left for the author to fill in) is kept.
pub(crate) fn strip_ssml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        match ssml_tag_len(rest) {
            Some(len) => {
                out.push(' ');
                rest = &rest[len..];
            }
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::strip_ssml;

    #[test]
    fn ssml_tags_are_stripped_and_their_words_kept() {
        assert_eq!(
            strip_ssml(
                r#"<speak>Press 1<break time="1s"/> for <emphasis level="strong">sales</emphasis>.</speak>"#
            ),
            "Press 1 for sales ."
        );
        assert_eq!(
            strip_ssml("<amazon:effect name=\"whispered\">hi</amazon:effect>"),
            "hi"
        );
    }

    #[test]
    fn a_placeholder_in_angle_brackets_is_text() {
        assert_eq!(
            strip_ssml("Thank you for calling <Your Company Name>. Please hold."),
            "Thank you for calling <Your Company Name>. Please hold."
        );
        assert_eq!(strip_ssml("Press < 3 or > 5"), "Press < 3 or > 5");
        assert_eq!(strip_ssml("<s>Open <until> six</s>"), "Open <until> six");
    }
}
