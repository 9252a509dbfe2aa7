//! A guard (`when:`) as parsed: comparisons of variables joined with `and`,
//! `or` and `not`.

use super::Located;

/// A guard on an option or switch entry, as parsed from its text.
/// Variables and values are checked against the flow's domains by the loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `VAR == VALUE`
    Equals(Located<String>, Located<String>),
    /// `VAR != VALUE`
    NotEquals(Located<String>, Located<String>),
    /// `VAR in [A, B]`
    In(Located<String>, Vec<Located<String>>),
    /// `VAR` alone: true for a bool variable that is true.
    Truthy(Located<String>),
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

impl Condition {
    /// Every variable the condition reads, with where it is named.
    pub fn variables(&self) -> Vec<&Located<String>> {
        let mut out = Vec::new();
        let mut pending = vec![self];
        while let Some(c) = pending.pop() {
            match c {
                Condition::Equals(v, _)
                | Condition::NotEquals(v, _)
                | Condition::In(v, _)
                | Condition::Truthy(v) => out.push(v),
                Condition::Not(inner) => pending.push(inner),
                Condition::And(a, b) | Condition::Or(a, b) => {
                    pending.push(b);
                    pending.push(a);
                }
            }
        }
        out
    }
}
