//! `touchpoint graph`: draws one flow as Graphviz dot or Mermaid, with its
//! lint findings marked.

use std::path::Path;

use crate::cli::args::{self, Common, GraphFormat};
use crate::cli::load::load;
use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};
use crate::render;

pub(crate) fn run(
    path: &Path,
    flow: &str,
    channel: Option<crate::model::Channel>,
    format: GraphFormat,
    from: Option<crate::import::Platform>,
    output: Option<&Path>,
) -> Result<Verdict, CliError> {
    let common = Common {
        from,
        format: None,
        output: None,
        seed: args::DEFAULT_SEED,
        deny: None,
        shard: None,
    };
    let set = load("graph", path, &common)?;
    let structure = crate::structure::describe(&set);
    let shapes: Vec<_> = structure
        .flows
        .iter()
        .filter(|f| f.flow == flow && channel.is_none_or(|c| f.channel == c))
        .collect();
    let shape = match shapes.as_slice() {
        [one] => *one,
        [] => {
            return Err(CliError::NoFlow {
                flow: flow.to_string(),
                known: structure.flows.iter().map(|f| f.flow.clone()).collect(),
            });
        }
        _ => return Err(CliError::FlowOnSeveralChannels(flow.to_string())),
    };
    let analysis = crate::analysis::lint(&set)?;
    let findings: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.channel == shape.channel && f.flow == shape.flow)
        .collect();
    let text = match format {
        GraphFormat::Dot => render::graph::dot(shape, &findings),
        GraphFormat::Mermaid => render::graph::mermaid(shape, &findings, &[]),
    };
    Output::new(output).write(&text)?;
    Ok(Verdict::Clean)
}
