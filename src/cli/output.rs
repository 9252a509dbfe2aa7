//! Where a command's output goes (standard output or a file written whole),
//! and the text of a replay transcript.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::replay::{Ending, Event, Transcript};

/// Standard output, or a file written atomically (see
/// [`crate::atomic_write`]): a reader never sees half a report, and a run
/// killed mid-write leaves a temporary file that the next run removes.
pub struct Output {
    path: Option<PathBuf>,
}

impl Output {
    pub fn new(path: Option<&Path>) -> Output {
        Output {
            path: path.map(Path::to_path_buf),
        }
    }

    pub fn write(&self, text: &str) -> u8 {
        let Some(path) = &self.path else {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush());
            return super::EXIT_CLEAN;
        };
        match crate::atomic_write::write(path, text.as_bytes()) {
            Ok(()) => super::EXIT_CLEAN,
            Err(e) => super::fail(format!("cannot write `{}`: {e}", path.display())),
        }
    }
}

/// A transcript as a person reads it.
pub fn transcript_text(t: &Transcript) -> String {
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
        Ending::Terminal { node, kind } => format!("ended at {kind} `{node}`"),
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
