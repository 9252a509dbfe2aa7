//! Writes an imported flow as touchpoint YAML. Every scalar is written
//! double-quoted, so no platform text can be read back as another type or
//! break the document.

use std::fmt::Write;

use super::ir::{IrFlow, IrHandler, IrKind};

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn handler(out: &mut String, name: &str, h: &Option<IrHandler>) {
    if let Some(h) = h {
        let _ = writeln!(
            out,
            "    {name}: {{ retries: {}, then: {} }}",
            h.retries,
            quote(&h.then)
        );
    }
}

/// The flow as a touchpoint YAML document.
pub fn emit(flow: &IrFlow) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported from {} by touchpoint import.",
        flow.source.replace('\n', " ")
    );
    let _ = writeln!(out, "flow: {}", quote(&flow.id));
    out.push_str("channel: phone\n");
    let _ = writeln!(out, "title: {}", quote(&flow.title));
    let _ = writeln!(out, "start: {}", quote(&flow.start));
    if !flow.vars.is_empty() {
        out.push_str("vars:\n");
        for (name, values) in &flow.vars {
            let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
            let _ = writeln!(out, "  {}: [{}]", quote(name), values.join(", "));
        }
    }
    out.push_str("nodes:\n");
    for node in &flow.nodes {
        let _ = writeln!(out, "  {}:", quote(&node.id));
        let next = |out: &mut String, key: &str, to: &Option<String>| {
            if let Some(to) = to {
                let _ = writeln!(out, "    {key}: {}", quote(to));
            }
        };
        match &node.kind {
            IrKind::Say { text, next: n } => {
                let _ = writeln!(out, "    say: {}", quote(text));
                next(&mut out, "next", n);
            }
            IrKind::Menu {
                prompt,
                options,
                no_input,
                no_match,
            } => {
                let _ = writeln!(out, "    menu: {}", quote(prompt));
                handler(&mut out, "no_input", no_input);
                handler(&mut out, "no_match", no_match);
                out.push_str("    options:\n");
                if options.is_empty() {
                    out.truncate(out.len() - 1);
                    out.push_str(" []\n");
                }
                for option in options {
                    let mut first = true;
                    let mut field = |out: &mut String, key: &str, value: String| {
                        let lead = if first { "      - " } else { "        " };
                        first = false;
                        let _ = writeln!(out, "{lead}{key}: {value}");
                    };
                    if let Some(key) = &option.key {
                        field(&mut out, "key", quote(key));
                    }
                    if let Some(label) = &option.label {
                        field(&mut out, "label", quote(label));
                    }
                    if !option.speech.is_empty() {
                        let phrases: Vec<String> = option.speech.iter().map(|p| quote(p)).collect();
                        field(&mut out, "speech", format!("[{}]", phrases.join(", ")));
                    }
                    field(&mut out, "goto", quote(&option.goto));
                }
            }
            IrKind::Ask {
                prompt,
                pattern,
                save,
                goto,
                invalid,
                no_input,
            } => {
                let _ = writeln!(out, "    ask: {}", quote(prompt));
                if let Some(p) = pattern {
                    let _ = writeln!(out, "    pattern: {}", quote(p));
                }
                if let Some(s) = save {
                    let _ = writeln!(out, "    save: {}", quote(s));
                }
                next(&mut out, "goto", goto);
                handler(&mut out, "invalid", invalid);
                handler(&mut out, "no_input", no_input);
            }
            IrKind::Switch { entries } => {
                out.push_str("    switch:\n");
                for (when, goto) in entries {
                    match when {
                        Some(w) => {
                            let _ = writeln!(
                                out,
                                "      - when: {}\n        goto: {}",
                                quote(w),
                                quote(goto)
                            );
                        }
                        None => {
                            let _ = writeln!(out, "      - goto: {}", quote(goto));
                        }
                    }
                }
            }
            IrKind::Call {
                flow: callee,
                next: n,
            } => {
                let _ = writeln!(out, "    call: {}", quote(callee));
                next(&mut out, "next", n);
            }
            IrKind::Return => out.push_str("    return: true\n"),
            IrKind::Transfer { queue } => {
                let _ = writeln!(out, "    transfer: {}", quote(queue));
            }
            IrKind::End { text } => {
                let _ = writeln!(out, "    end: {}", quote(text));
            }
            IrKind::Hangup { text } => {
                let _ = writeln!(out, "    hangup: {}", quote(text));
            }
            IrKind::Opaque { text, branches } => {
                let _ = writeln!(out, "    opaque: {}", quote(text));
                out.push_str("    branches:\n");
                if branches.is_empty() {
                    out.truncate(out.len() - 1);
                    out.push_str(" []\n");
                }
                for (on, goto) in branches {
                    let _ = writeln!(
                        out,
                        "      - on: {}\n        goto: {}",
                        quote(on),
                        quote(goto)
                    );
                }
            }
        }
    }
    out
}
