//! A replay transcript as a person reads it: what the customer heard and
//! did, step by step, and how the call or visit ended.

use crate::replay::{Ending, Event, Transcript};

/// A transcript as a person reads it.
pub fn render(t: &Transcript) -> String {
    let mut out = format!("replay {} flow `{}` ({})", t.channel, t.flow, t.file);
    if !t.vars.is_empty() {
        let vars: Vec<String> = t.vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!(" with {}", vars.join(", ")));
    }
    out.push('\n');
    for event in &t.events {
        match event {
            Event::Node {
                node,
                flow,
                kind,
                text,
                line,
            } => {
                let text = text
                    .as_deref()
                    .map(|t| format!(" \"{t}\""))
                    .unwrap_or_default();
                // Inside a called flow the line is in that flow's file, not
                // the one the header names, so the flow is named with it.
                let place = if *flow == t.flow {
                    format!("line {line}")
                } else {
                    format!("flow `{flow}`, line {line}")
                };
                out.push_str(&format!("  [{node}] {kind}{text}  ({place})\n"));
            }
            Event::Input { input, meaning } => {
                out.push_str(&format!("    > {input}   ({meaning})\n"))
            }
        }
    }
    let ending = match &t.ending {
        Ending::Terminal {
            node,
            kind,
            closed: None,
        } => format!("ended at {kind} `{node}`"),
        Ending::Terminal {
            node,
            kind,
            closed: Some(when),
        } => format!("CLOSED at {kind} `{node}`: its `open_when: {when}` is false, nobody is there to answer"),
        Ending::DeadEnd { node, reason } => format!("DEAD END at `{node}`: {reason}"),
        Ending::Dropped { node, input } => {
            format!("DROPPED at `{node}`: {input} has no handler; the platform hangs up")
        }
        Ending::Waiting { node } => format!("waiting at `{node}` (no more inputs)"),
        Ending::Loop { node } => {
            format!("LOOP at `{node}`: the customer goes round with no menu to answer")
        }
        Ending::Returned { node } => format!("returned to the caller from `{node}`"),
        Ending::CallTooDeep { node } => format!("calls nested too deep at `{node}`"),
    };
    out.push_str(&format!("{ending}\n"));
    out
}
