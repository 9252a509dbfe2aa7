//! Drawings of a flow (Graphviz dot and Mermaid), findings marked on their
//! nodes, for `touchpoint graph` and the diff's pull-request comment.

use crate::finding::{Code, Finding};
use crate::model::Level;
use crate::structure::{FlowShape, Lead};

/// Mermaid needs plain ids and chokes on keywords such as `end`, so nodes
/// get generated ids (`n0`, `n1`, ...) and keep their own in the label.
fn mermaid_ids(flow: &FlowShape) -> impl Fn(&str) -> String + '_ {
    move |id: &str| match flow.nodes.iter().position(|n| n.id == id) {
        Some(i) => format!("n{i}"),
        // A target outside the flow (a dangling one cannot load, but be safe).
        None => format!(
            "x_{}",
            id.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        ),
    }
}

/// The findings that mark a node: those about the node itself. A
/// `persona-failed` finding is about a persona's expectations and points
/// into the persona's file; the node it names is only where that journey
/// ended, which may be the terminal that served the customer (a persona
/// that took more steps than it allowed), so it marks no node. Where
/// customers really are stuck, the walk's own findings mark the node.
pub(crate) fn marks<'f>(
    findings: &'f [&Finding],
    node: &'f str,
) -> impl Iterator<Item = &'f Finding> + 'f {
    findings
        .iter()
        .copied()
        .filter(move |f| f.node == node && f.code != Code::PersonaFailed)
}

/// What takes a lead, with a handler's retries: `no_input after 2 retries`.
/// The count goes on the edge; the edge itself ends at the real node.
pub(crate) fn lead_label(lead: &Lead) -> String {
    match lead.retries {
        0 => lead.by.clone(),
        1 => format!("{} after 1 retry", lead.by),
        n => format!("{} after {n} retries", lead.by),
    }
}

/// Text inside a quoted Mermaid label, with the characters that would end
/// it written as entities.
fn escape(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('|', "#124;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace(['\n', '\r'], " ")
}

/// Mermaid `flowchart`: nodes with errors are red, with warnings amber,
/// `highlight`ed nodes (changed in a diff) blue.
pub fn mermaid(flow: &FlowShape, findings: &[&Finding], highlight: &[String]) -> String {
    let id = mermaid_ids(flow);
    let mut out = String::from("flowchart TD\n");
    for node in &flow.nodes {
        out.push_str(&format!(
            "  {}[\"{}<br/><small>{}</small>\"]\n",
            id(&node.id),
            escape(&node.id),
            node.kind
        ));
    }
    for node in &flow.nodes {
        for option in &node.options {
            out.push_str(&format!(
                "  {} -->|\"{}\"| {}\n",
                id(&node.id),
                escape(&option.name),
                id(&option.goto)
            ));
        }
        for lead in &node.leads {
            if lead.by == "call" {
                continue;
            }
            out.push_str(&format!(
                "  {} -.->|\"{}\"| {}\n",
                id(&node.id),
                escape(&lead_label(lead)),
                id(&lead.to)
            ));
        }
    }
    out.push_str("  classDef stuck fill:#fdd,stroke:#c00,stroke-width:2px\n");
    out.push_str("  classDef warn fill:#ffe8b0,stroke:#c80\n");
    out.push_str("  classDef changed stroke:#06c,stroke-width:3px\n");
    for node in &flow.nodes {
        let worst = marks(findings, &node.id).map(|f| f.level).max();
        match worst {
            Some(Level::Error) => out.push_str(&format!("  class {} stuck\n", id(&node.id))),
            Some(Level::Warning) => out.push_str(&format!("  class {} warn\n", id(&node.id))),
            _ => {}
        }
        if highlight.contains(&node.id) {
            out.push_str(&format!("  class {} changed\n", id(&node.id)));
        }
    }
    out
}

/// Graphviz dot, with the same marks.
pub fn dot(flow: &FlowShape, findings: &[&Finding]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = format!(
        "digraph {} {{\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        quote(&flow.flow)
    );
    for node in &flow.nodes {
        let worst = marks(findings, &node.id).map(|f| f.level).max();
        let style = match worst {
            Some(Level::Error) => ", style=filled, fillcolor=\"#ffdddd\", color=\"#cc0000\"",
            Some(Level::Warning) => ", style=filled, fillcolor=\"#ffe8b0\"",
            _ => "",
        };
        let codes: Vec<&str> = marks(findings, &node.id).map(|f| f.code.name()).collect();
        let label = if codes.is_empty() {
            format!("{}\\n{}", node.id, node.kind)
        } else {
            format!("{}\\n{}\\n[{}]", node.id, node.kind, codes.join(", "))
        };
        out.push_str(&format!(
            "  {} [label=\"{}\"{style}];\n",
            quote(&node.id),
            label.replace('"', "\\\"")
        ));
    }
    for node in &flow.nodes {
        for option in &node.options {
            out.push_str(&format!(
                "  {} -> {} [label={}];\n",
                quote(&node.id),
                quote(&option.goto),
                quote(&option.name)
            ));
        }
        for lead in node.leads.iter().filter(|l| l.by != "call") {
            out.push_str(&format!(
                "  {} -> {} [label={}, style=dashed];\n",
                quote(&node.id),
                quote(&lead.to),
                quote(&lead_label(lead))
            ));
        }
    }
    out.push_str("}\n");
    out
}
