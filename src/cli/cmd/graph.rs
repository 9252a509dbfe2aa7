//! `touchpoint graph`: draws one flow as Graphviz dot or Mermaid, with its
//! lint findings marked.

use std::path::Path;

use crate::cli::args::{self, Common, GraphFormat};
use crate::cli::fail;
use crate::cli::load::load;
use crate::cli::output::Output;
use crate::render;

pub(crate) fn run(
    path: &Path,
    flow: &str,
    channel: Option<crate::model::Channel>,
    format: GraphFormat,
    from: Option<crate::import::Platform>,
    output: Option<&Path>,
) -> u8 {
    let common = Common {
        from,
        format: None,
        output: None,
        seed: args::DEFAULT_SEED,
        deny: None,
        shard: None,
    };
    let set = match load("graph", path, &common) {
        Ok(set) => set,
        Err(code) => return code,
    };
    let structure = crate::structure::describe(&set);
    let shapes: Vec<_> = structure
        .flows
        .iter()
        .filter(|f| f.flow == flow && channel.is_none_or(|c| f.channel == c))
        .collect();
    let shape = match shapes.as_slice() {
        [one] => *one,
        [] => {
            let known: Vec<&str> = structure.flows.iter().map(|f| f.flow.as_str()).collect();
            return fail(format!(
                "no flow `{flow}` in the set (flows: {})",
                known.join(", ")
            ));
        }
        _ => {
            return fail(format!(
                "flow `{flow}` exists on several channels; say which with --channel"
            ))
        }
    };
    let analysis = match crate::analysis::lint(&set) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let findings: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.channel == shape.channel && f.flow == shape.flow)
        .collect();
    let text = match format {
        GraphFormat::Dot => render::graph::dot(shape, &findings),
        GraphFormat::Mermaid => render::graph::mermaid(shape, &findings, &[]),
    };
    Output::new(output).write(&text)
}
