//! The shape of a set as a report records it: flows, nodes, prompts and
//! where each option and handler leads. A saved report carries it, so that
//! `touchpoint diff` can say what changed for customers without the old
//! YAML at hand.

use serde::{Deserialize, Serialize};

use crate::model::{Channel, Condition, Handler, MenuSet, NodeKind};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    #[serde(serialize_with = "crate::pretty_json::parallel_list")]
    pub flows: Vec<FlowShape>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowShape {
    pub channel: Channel,
    pub flow: String,
    pub file: String,
    pub start: String,
    pub nodes: Vec<NodeShape>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeShape {
    pub id: String,
    pub kind: String,
    /// What the customer hears or reads there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub line: u32,
    /// Where the node leads other than by its options: `next`, `goto`,
    /// handlers, `back`, switch entries, `call`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<Lead>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionShape>,
}

/// One way out of a node: what takes it there (`next`, `no_input`, ...) and
/// where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "LeadRecord")]
pub struct Lead {
    pub by: String,
    /// The node it goes to (for `call`, the flow called): always an id
    /// that exists, so drawings can point at it.
    pub to: String,
    /// For a handler: how many times the customer is asked again before it
    /// sends them on.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Lead {
    /// Where it goes as people read it: `agent`, or `agent after 2 retries`.
    pub fn destination(&self) -> String {
        if self.retries == 0 {
            self.to.clone()
        } else {
            format!("{} after {} retries", self.to, self.retries)
        }
    }
}

/// A lead as saved reports hold it. Reports written before leads had
/// `retries` wrote a handler's target as `agent after 2 retries`; reading
/// splits that back into the node and the count, so an old saved report
/// diffs against a new one without a false retarget.
#[derive(Deserialize)]
struct LeadRecord {
    by: String,
    to: String,
    #[serde(default)]
    retries: u32,
}

impl From<LeadRecord> for Lead {
    fn from(record: LeadRecord) -> Lead {
        let legacy = (record.retries == 0)
            .then(|| record.to.strip_suffix(" retries"))
            .flatten()
            .and_then(|rest| rest.rsplit_once(" after "))
            .and_then(|(to, count)| Some((to, count.parse::<u32>().ok()?)));
        match legacy {
            Some((to, retries)) => Lead {
                by: record.by,
                to: to.to_string(),
                retries,
            },
            None => Lead {
                by: record.by,
                to: record.to,
                retries: record.retries,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionShape {
    /// How the option is named: `key 1 ("Billing")`, `"Pay a bill"`.
    pub name: String,
    pub goto: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The DTMF key, for `diff` to know an option under a new label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl OptionShape {
    /// [`crate::model::MenuOption::identity`], as far as the shape records
    /// it: `None` for an option with neither key nor label.
    pub fn identity(&self) -> Option<String> {
        crate::model::option_identity(
            self.key.as_deref().and_then(|k| k.chars().next()),
            self.label.as_deref(),
            self.when.as_deref(),
        )
    }
}

pub fn describe(set: &MenuSet) -> Structure {
    use rayon::prelude::*;
    // Each flow is described on its own, on every core: on a set of many
    // flows this ran alone after the engines had finished, with every other
    // core idle. Collecting keeps the flows in the set's order.
    let flows = set
        .flows
        .par_iter()
        .map(|flow| FlowShape {
            channel: flow.channel,
            flow: flow.id.value.clone(),
            file: set.files[flow.file as usize].name.clone(),
            start: flow.start.value.clone(),
            nodes: flow
                .nodes
                .iter()
                .map(|node| {
                    let mut leads = Vec::new();
                    // Handlers as they apply, defaults included, with their
                    // retries: a change to either changes what callers meet.
                    let handler = |leads: &mut Vec<Lead>,
                                   by: &str,
                                   own: &Option<Handler>,
                                   default: &Option<Handler>| {
                        if let Some(h) = own.as_ref().or(default.as_ref()) {
                            leads.push(Lead {
                                by: by.to_string(),
                                to: h.then.value.clone(),
                                retries: h.retries,
                            });
                        }
                    };
                    let mut options = Vec::new();
                    match &node.kind {
                        NodeKind::Say { next, .. } | NodeKind::Set { next, .. } => {
                            if let Some(next) = next {
                                leads.push(Lead {
                                    by: "next".into(),
                                    to: next.value.clone(),
                                    retries: 0,
                                });
                            }
                        }
                        NodeKind::Call { flow, next } => {
                            leads.push(Lead {
                                by: "call".into(),
                                to: flow.value.clone(),
                                retries: 0,
                            });
                            if let Some(next) = next {
                                leads.push(Lead {
                                    by: "next".into(),
                                    to: next.value.clone(),
                                    retries: 0,
                                });
                            }
                        }
                        NodeKind::Menu {
                            options: opts,
                            no_input,
                            no_match,
                            back,
                            ..
                        } => {
                            handler(&mut leads, "no_input", no_input, &flow.default_no_input);
                            if flow.channel == Channel::Phone {
                                handler(&mut leads, "no_match", no_match, &flow.default_no_match);
                            }
                            if let Some(back) = back {
                                leads.push(Lead {
                                    by: "back".into(),
                                    to: back.value.clone(),
                                    retries: 0,
                                });
                            }
                            options = opts
                                .iter()
                                .map(|o| OptionShape {
                                    name: o.name(),
                                    goto: o.goto.value.clone(),
                                    when: o.when.as_ref().map(|w| condition_text(&w.value)),
                                    key: o.key.as_ref().map(|k| k.value.as_char().to_string()),
                                    label: o.label.as_ref().map(|l| l.value.clone()),
                                })
                                .collect();
                        }
                        NodeKind::Ask {
                            goto,
                            invalid,
                            no_input,
                            ..
                        } => {
                            if let Some(goto) = goto {
                                leads.push(Lead {
                                    by: "goto".into(),
                                    to: goto.value.clone(),
                                    retries: 0,
                                });
                            }
                            let invalid_default = flow
                                .default_invalid
                                .clone()
                                .or_else(|| flow.default_no_match.clone());
                            handler(&mut leads, "invalid", invalid, &invalid_default);
                            handler(&mut leads, "no_input", no_input, &flow.default_no_input);
                        }
                        NodeKind::Switch { entries } => {
                            for entry in entries {
                                let by = entry.when.as_ref().map_or("default".to_string(), |w| {
                                    format!("when {}", condition_text(&w.value))
                                });
                                leads.push(Lead {
                                    by,
                                    to: entry.goto.value.clone(),
                                    retries: 0,
                                });
                            }
                        }
                        NodeKind::Opaque { branches, .. } => {
                            for b in branches {
                                leads.push(Lead {
                                    by: format!("branch {}", b.on.value),
                                    to: b.goto.value.clone(),
                                    retries: 0,
                                });
                            }
                        }
                        NodeKind::Return
                        | NodeKind::Transfer { .. }
                        | NodeKind::End { .. }
                        | NodeKind::Hangup { .. } => {}
                    }
                    NodeShape {
                        id: node.id.value.clone(),
                        kind: node.kind.key().to_string(),
                        text: node.kind.text().map(str::to_string),
                        line: node.span.line(),
                        leads,
                        options,
                    }
                })
                .collect(),
        })
        .collect();
    Structure { flows }
}

/// A condition written back as text.
pub(crate) fn condition_text(condition: &Condition) -> String {
    match condition {
        Condition::Equals(v, x) => format!("{} == {}", v.value, x.value),
        Condition::NotEquals(v, x) => format!("{} != {}", v.value, x.value),
        Condition::In(v, xs) => {
            let values: Vec<&str> = xs.iter().map(|x| x.value.as_str()).collect();
            format!("{} in [{}]", v.value, values.join(", "))
        }
        Condition::Truthy(v) => v.value.clone(),
        Condition::Not(inner) => format!("not ({})", condition_text(inner)),
        Condition::And(a, b) => format!("({}) and ({})", condition_text(a), condition_text(b)),
        Condition::Or(a, b) => format!("({}) or ({})", condition_text(a), condition_text(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::Lead;

    #[test]
    fn leads_saved_with_retries_in_the_target_read_back_split() {
        let old: Lead =
            serde_json::from_str(r#"{"by": "no_input", "to": "agent after 2 retries"}"#).unwrap();
        let new: Lead =
            serde_json::from_str(r#"{"by": "no_input", "to": "agent", "retries": 2}"#).unwrap();
        assert_eq!(old, new);
        assert_eq!((new.to.as_str(), new.retries), ("agent", 2));
        assert_eq!(new.destination(), "agent after 2 retries");
        let plain: Lead = serde_json::from_str(r#"{"by": "next", "to": "after hours"}"#).unwrap();
        assert_eq!((plain.to.as_str(), plain.retries), ("after hours", 0));
    }
}
