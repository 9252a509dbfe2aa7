//! A node of a flow as written: its kind (say, menu, ask, switch, set, call,
//! return, transfer, end, hangup, or an opaque step), its handlers and its
//! targets.

use super::{Condition, Handler, Located, MenuOption, Span};

/// One node of a flow.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: Located<String>,
    pub kind: NodeKind,
    /// The whole node, from its id to its last key.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Say {
        text: Located<String>,
        next: Option<Located<String>>,
    },
    Menu {
        prompt: Located<String>,
        options: Vec<MenuOption>,
        no_input: Option<Handler>,
        no_match: Option<Handler>,
        back: Option<Located<String>>,
        timeout: Option<f64>,
        /// `save: VAR`: the variable that keeps the caller's choice (the
        /// chosen option's [`MenuOption::answer`]), so that a `switch` can
        /// decide on it later.
        save: Option<Located<String>>,
    },
    /// The pattern and its matcher are boxed: few asks have one, and in
    /// place they made `Ask` the largest kind, the size of every node.
    Ask {
        prompt: Located<String>,
        pattern: Option<Box<Located<String>>>,
        /// `pattern` compiled and anchored at both ends: the whole answer must match.
        matcher: Option<Box<crate::model::UserRegex>>,
        save: Option<Located<String>>,
        goto: Option<Located<String>>,
        invalid: Option<Handler>,
        no_input: Option<Handler>,
        timeout: Option<f64>,
    },
    Switch {
        entries: Vec<SwitchEntry>,
    },
    Set {
        assignments: Vec<(Located<String>, Located<String>)>,
        next: Option<Located<String>>,
    },
    Call {
        flow: Located<String>,
        next: Option<Located<String>>,
    },
    Return,
    Transfer {
        queue: Located<String>,
        /// `None`: a person can help with every intent.
        serves: Option<Vec<Located<String>>>,
        /// `open_when: COND`: the queue is staffed only while the condition
        /// holds (opening hours). `None`: it is always staffed, and the
        /// transfer is never judged closed.
        open_when: Option<Located<Condition>>,
    },
    End {
        text: Located<String>,
        serves: Vec<Located<String>>,
    },
    Hangup {
        text: Located<String>,
    },
    /// A step touchpoint cannot model (a platform's Lambda call, a bot):
    /// any of its branches may happen, and the walk explores each.
    Opaque {
        text: Located<String>,
        branches: Vec<Branch>,
        /// Variables or contact attributes the step reads (a bot named by
        /// an attribute, a comparison): free names, not `vars` entries.
        reads: Vec<Located<String>>,
        /// Variables or contact attributes the step sets, on every branch.
        sets: Vec<Located<String>>,
        /// A call to a back-end system (a Lambda, a function, an HTTP
        /// request, an attribute check) that says nothing to the caller and
        /// takes no input: a cycle of such steps is a `busy-loop`.
        backend: bool,
        /// `before: ID`: the step is the part in front of the node `ID` (a
        /// menu, an ask or a transfer, one of its branches) of one platform
        /// block, holding the outcomes that node cannot carry. Coming back
        /// here is coming back to that input, so a handler of it that leads
        /// here is a retry of it; an error outcome in front of a transfer
        /// is the transfer failing.
        before: Option<Located<String>>,
    },
}

/// One possible outcome of an opaque step.
#[derive(Debug, Clone)]
pub struct Branch {
    pub on: Located<String>,
    pub goto: Located<String>,
}

impl Branch {
    /// Whether the outcome is the step failing: its name says error,
    /// failure or capacity (`error`, `NoMatchingError`, `failed`,
    /// `QueueAtCapacity`), as platforms name those outcomes. A
    /// `silent-failure` is judged on these branches only.
    pub fn is_failure(&self) -> bool {
        self.is_refusal() || self.on.as_str().to_ascii_lowercase().contains("error")
    }

    /// Whether the outcome names what refused (`failed`, `failure`,
    /// `QueueAtCapacity`, `CallFailed`), rather than only that the
    /// platform had an error (`NoMatchingError`).
    pub fn is_refusal(&self) -> bool {
        let name = self.on.as_str().to_ascii_lowercase();
        ["fail", "capacity"].iter().any(|word| name.contains(word))
    }
}

fn then_of(handler: &Option<Handler>) -> Option<&Located<String>> {
    handler.as_ref().map(|h| &h.then)
}

#[derive(Debug, Clone)]
pub struct SwitchEntry {
    /// Boxed, as [`MenuOption::when`] is: a guard in place was three fifths
    /// of an entry's size.
    pub when: Option<Box<Located<Condition>>>,
    pub goto: Located<String>,
    pub span: Span,
}

impl NodeKind {
    /// The kind key as written in YAML.
    pub fn key(&self) -> &'static str {
        match self {
            NodeKind::Say { .. } => "say",
            NodeKind::Menu { .. } => "menu",
            NodeKind::Ask { .. } => "ask",
            NodeKind::Switch { .. } => "switch",
            NodeKind::Set { .. } => "set",
            NodeKind::Call { .. } => "call",
            NodeKind::Return => "return",
            NodeKind::Transfer { .. } => "transfer",
            NodeKind::End { .. } => "end",
            NodeKind::Hangup { .. } => "hangup",
            NodeKind::Opaque { .. } => "opaque",
        }
    }

    /// The text the customer hears or reads at this node, if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            NodeKind::Say { text, .. } | NodeKind::End { text, .. } | NodeKind::Hangup { text } => {
                Some(text.as_str())
            }
            NodeKind::Menu { prompt, .. } | NodeKind::Ask { prompt, .. } => Some(prompt.as_str()),
            NodeKind::Opaque { text, .. } => Some(text.as_str()),
            _ => None,
        }
    }

    /// Every node id this node names, with where, for reference checks.
    pub fn targets(&self) -> Vec<&Located<String>> {
        let mut out = Vec::new();
        match self {
            NodeKind::Say { next, .. }
            | NodeKind::Set { next, .. }
            | NodeKind::Call { next, .. } => out.extend(next.iter()),
            NodeKind::Menu {
                options,
                no_input,
                no_match,
                back,
                ..
            } => {
                out.extend(options.iter().map(|o| &o.goto));
                out.extend(then_of(no_input));
                out.extend(then_of(no_match));
                out.extend(back.iter());
            }
            NodeKind::Ask {
                goto,
                invalid,
                no_input,
                ..
            } => {
                out.extend(goto.iter());
                out.extend(then_of(invalid));
                out.extend(then_of(no_input));
            }
            NodeKind::Switch { entries } => out.extend(entries.iter().map(|e| &e.goto)),
            NodeKind::Opaque { branches, .. } => out.extend(branches.iter().map(|b| &b.goto)),
            NodeKind::Return
            | NodeKind::Transfer { .. }
            | NodeKind::End { .. }
            | NodeKind::Hangup { .. } => {}
        }
        out
    }

    /// Every condition of the node.
    pub fn conditions(&self) -> Vec<&Located<Condition>> {
        match self {
            NodeKind::Menu { options, .. } => {
                options.iter().filter_map(|o| o.when.as_deref()).collect()
            }
            NodeKind::Switch { entries } => {
                entries.iter().filter_map(|e| e.when.as_deref()).collect()
            }
            NodeKind::Transfer { open_when, .. } => open_when.iter().collect(),
            _ => Vec::new(),
        }
    }
}
