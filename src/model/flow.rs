//! A flow as written: its channel, start, variables with their values, and
//! nodes.

use super::{Channel, Handler, Located, Node, SourceId, Span};

/// A variable's finite domain, in the order written. `bool` is `[true, false]`.
#[derive(Debug, Clone)]
pub struct VarDomain {
    pub name: Located<String>,
    pub values: Vec<String>,
}

impl VarDomain {
    pub(crate) fn is_bool(&self) -> bool {
        self.values == ["true", "false"]
    }
}

/// One menu tree for one channel.
#[derive(Debug, Clone)]
pub struct Flow {
    pub id: Located<String>,
    pub channel: Channel,
    pub title: Option<String>,
    pub start: Located<String>,
    pub vars: Vec<VarDomain>,
    pub default_no_input: Option<Handler>,
    pub default_no_match: Option<Handler>,
    /// `defaults.invalid` for `ask` nodes; falls back to `default_no_match`.
    pub default_invalid: Option<Handler>,
    pub default_timeout: Option<f64>,
    /// `module: true`: flows outside the set may call this one (a
    /// platform's flow module), so its `return` is a way out even when no
    /// flow of the set calls it.
    pub module: bool,
    pub nodes: Vec<Node>,
    pub file: SourceId,
    pub span: Span,
}

impl Flow {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id.value == id)
    }

    pub fn var(&self, name: &str) -> Option<&VarDomain> {
        self.vars.iter().find(|v| v.name.value == name)
    }
}
