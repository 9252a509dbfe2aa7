//! A finding's replay as the page steps through it: each line what the
//! customer hears at a node or does there, with the drawing's element to
//! highlight. The replay is `touchpoint replay`'s, played here from the
//! finding's inputs and variables; the page's script only shows it line by
//! line.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::Finding;
use crate::graph::Graph;
use crate::input::Input;
use crate::model::{Channel, MenuSet};
use crate::replay::{replay_compiled, Ending, Event};

/// Lines of one finding's replay that the page holds: a replay longer than
/// this is cut, with a line saying how much is left out.
pub(super) const MAX_STEPS_PER_FINDING: usize = 200;
/// Lines of all findings' replays together; findings beyond it get none,
/// so that a report with many thousands of findings stays a page a
/// browser opens.
pub(super) const MAX_STEPS_IN_PAGE: usize = 20_000;

/// One line of a replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Step {
    pub line: String,
    /// The element id of the node the customer is at, where it is drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The compiled graph of each channel, compiled when a finding first needs
/// it.
pub(super) struct Graphs<'s> {
    set: &'s MenuSet,
    compiled: Vec<(Channel, Option<Graph<'s>>)>,
}

impl<'s> Graphs<'s> {
    pub(super) fn new(set: &'s MenuSet) -> Self {
        Graphs {
            set,
            compiled: Vec::new(),
        }
    }

    fn of(&mut self, channel: Channel) -> Option<&Graph<'s>> {
        let at = match self.compiled.iter().position(|(c, _)| *c == channel) {
            Some(at) => at,
            None => {
                let graph = crate::graph::compile(self.set, channel).ok();
                self.compiled.push((channel, graph));
                self.compiled.len() - 1
            }
        };
        self.compiled[at].1.as_ref()
    }
}

/// The lines of `finding`'s replay, `locate` giving the element that shows
/// a node of a flow; or why it cannot be replayed.
pub(super) fn finding_steps(
    graphs: &mut Graphs,
    finding: &Finding,
    locate: &dyn Fn(Channel, &str, &str) -> Option<String>,
) -> Result<Vec<Step>, String> {
    let inputs = finding
        .inputs
        .iter()
        .map(|text| Input::parse(text).map_err(|e| format!("input `{text}`: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let set = graphs.set;
    let graph = graphs
        .of(finding.channel)
        .ok_or_else(|| format!("no {} flows to replay it on", finding.channel.name()))?;
    let vars: BTreeMap<String, String> = finding.vars.clone();
    let transcript =
        replay_compiled(set, graph, &finding.flow, &inputs, &vars).map_err(|e| e.to_string())?;
    let channel = finding.channel;
    let mut steps = Vec::new();
    let mut here: Option<String> = None;
    for event in &transcript.events {
        match event {
            Event::Node {
                node,
                flow,
                kind,
                text,
                ..
            } => {
                here = locate(channel, flow, node);
                let line = match text {
                    Some(text) => format!("at {node} ({kind}): {text}"),
                    None => format!("at {node} ({kind})"),
                };
                steps.push(Step {
                    line,
                    at: here.clone(),
                });
            }
            Event::Input { input, meaning } => steps.push(Step {
                line: format!("gives {input}: {meaning}"),
                at: here.clone(),
            }),
        }
    }
    let at_end = |node: &str| locate(channel, &finding.flow, node).or_else(|| here.clone());
    let (line, node) = match &transcript.ending {
        Ending::Terminal { node, kind, closed } => (
            match closed {
                Some(when) => format!("ends at {node} ({kind}), closed: open only when {when}"),
                None => format!("ends at {node} ({kind})"),
            },
            node,
        ),
        Ending::DeadEnd { node, reason } => (format!("dead end at {node}: {reason}"), node),
        Ending::Dropped { node, input } => (
            format!("the platform drops the call at {node} ({input})"),
            node,
        ),
        Ending::Waiting { node } => (format!("waits at {node}"), node),
        Ending::Loop { node } => (format!("loops at {node} without waiting"), node),
        Ending::Returned { node } => (format!("returns from {node}"), node),
        Ending::CallTooDeep { node } => (format!("calls too deep at {node}"), node),
    };
    steps.push(Step {
        line,
        at: at_end(node),
    });
    if steps.len() > MAX_STEPS_PER_FINDING {
        let left_out = steps.len() - (MAX_STEPS_PER_FINDING - 1);
        steps.truncate(MAX_STEPS_PER_FINDING - 1);
        steps.push(Step {
            line: format!("… {left_out} more lines: replay the inputs with `touchpoint replay`"),
            at: None,
        });
    }
    Ok(steps)
}
