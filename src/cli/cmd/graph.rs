//! `touchpoint graph`: draws one flow as Graphviz dot, Mermaid or BPMN, with
//! its lint findings marked, or one persona's or intent's journey as BPMN.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::args::{self, Common, GraphFormat};
use crate::cli::load::load;
use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};
use crate::finding::Finding;
use crate::model::{Channel, MenuSet, NodeKind, Persona};
use crate::render;
use crate::render::bpmn::NodeFacts;

/// What to draw: a flow (`--flow`), a persona's journey (`--persona`) or a
/// goal-directed customer's (`--intent`, from `--flow` if given).
pub(crate) struct What {
    pub flow: Option<String>,
    pub persona: Option<String>,
    pub intent: Option<String>,
    pub channel: Option<Channel>,
}

const NOTHING_TO_DRAW: &str =
    "say what to draw: a flow with --flow ID, or a journey with --persona NAME or --intent NAME";

pub(crate) fn run(
    path: &Path,
    what: What,
    format: GraphFormat,
    from: Option<crate::import::Platform>,
    output: Option<&Path>,
) -> Result<Verdict, CliError> {
    // Options that cannot go together are refused before the set is read.
    let journey = what.persona.is_some() || what.intent.is_some();
    if journey && format != GraphFormat::Bpmn {
        return Err(CliError::Usage(
            "--persona and --intent draw a journey, which only --format bpmn writes",
        ));
    }
    if !journey && what.flow.is_none() {
        return Err(CliError::Usage(NOTHING_TO_DRAW));
    }
    let common = Common {
        from,
        format: None,
        output: None,
        seed: args::DEFAULT_SEED,
        deny: None,
        shard: None,
    };
    let set = load("graph", path, &common)?;
    let analysis = crate::analysis::lint(&set)?;
    let text = if let Some(name) = &what.persona {
        persona_journey(&set, name, &analysis.findings)?
    } else if let Some(intent) = &what.intent {
        intent_journey(
            &set,
            intent,
            what.flow.as_deref(),
            what.channel,
            &analysis.findings,
        )?
    } else if let Some(flow) = &what.flow {
        draw_flow(&set, flow, what.channel, format, &analysis.findings)?
    } else {
        return Err(CliError::Usage(NOTHING_TO_DRAW));
    };
    Output::new(output).write(&text)?;
    Ok(Verdict::Clean)
}

fn draw_flow(
    set: &MenuSet,
    flow: &str,
    channel: Option<Channel>,
    format: GraphFormat,
    all: &[Finding],
) -> Result<String, CliError> {
    let structure = crate::structure::describe(set);
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
    let findings: Vec<_> = all
        .iter()
        .filter(|f| f.channel == shape.channel && f.flow == shape.flow)
        .collect();
    Ok(match format {
        GraphFormat::Dot => render::graph::dot(shape, &findings),
        GraphFormat::Mermaid => render::graph::mermaid(shape, &findings, &[]),
        GraphFormat::Bpmn => {
            let facts = node_facts(set, shape.channel)
                .into_iter()
                .filter(|((f, _), _)| *f == shape.flow)
                .map(|((_, node), fact)| (node, fact))
                .collect();
            render::bpmn::flow(shape, &facts, &findings)
        }
    })
}

/// What BPMN names that the flow's shape does not hold, per (flow, node)
/// of one channel: a transfer's queue, a called flow, a back-end step.
fn node_facts(set: &MenuSet, channel: Channel) -> BTreeMap<(String, String), NodeFacts> {
    let mut facts = BTreeMap::new();
    for flow in set.flows.iter().filter(|f| f.channel == channel) {
        for node in &flow.nodes {
            let fact = match &node.kind {
                // A desk staffed only at times says when, so that a
                // designer sees why a night-time path there is a finding.
                NodeKind::Transfer {
                    queue, open_when, ..
                } => NodeFacts {
                    detail: Some(match open_when {
                        Some(open) => format!(
                            "{} (staffed when {})",
                            queue.value,
                            crate::structure::condition_text(&open.value)
                        ),
                        None => queue.value.clone(),
                    }),
                    backend: false,
                },
                NodeKind::Call { flow, .. } => NodeFacts {
                    detail: Some(flow.value.clone()),
                    backend: false,
                },
                NodeKind::Opaque { backend, .. } => NodeFacts {
                    detail: None,
                    backend: *backend,
                },
                _ => continue,
            };
            facts.insert((flow.id.value.clone(), node.id.value.clone()), fact);
        }
    }
    facts
}

/// `NAME` or `NAME@VARIANT`: one run of one persona, as `personas` runs it
/// with the default seed, drawn from the inputs it gave.
fn persona_journey(set: &MenuSet, name: &str, findings: &[Finding]) -> Result<String, CliError> {
    let (id, variant) = match name.split_once('@') {
        Some((id, variant)) => (id, Some(variant)),
        None => (name, None),
    };
    let persona = set
        .personas
        .iter()
        .find(|p| p.id.value == id)
        .ok_or_else(|| CliError::NoPersona {
            name: name.to_string(),
            known: set.personas.iter().map(|p| p.id.value.clone()).collect(),
        })?;
    let configurations = persona.configurations();
    let names = || {
        configurations
            .iter()
            .filter_map(|c| c.variant.as_ref().map(|v| format!("{id}@{v}")))
            .collect::<Vec<_>>()
    };
    let config = match variant {
        Some(variant) => configurations
            .iter()
            .find(|c| c.variant.as_deref() == Some(variant))
            .ok_or_else(|| CliError::NoPersona {
                name: name.to_string(),
                known: names(),
            })?,
        None if configurations.len() > 1 => {
            return Err(CliError::PersonaVariants {
                name: name.to_string(),
                variants: names(),
            })
        }
        None => &configurations[0],
    };
    // The run exactly as `personas` makes it, with its own verdict.
    let runs = crate::personas::run_personas(set, args::DEFAULT_SEED, Some(id), None)?;
    let run = runs
        .results
        .iter()
        .find(|r| r.variant == config.variant)
        .ok_or_else(|| CliError::NoPersona {
            name: name.to_string(),
            known: names(),
        })?;
    let failed = crate::results::personas::findings(set, std::slice::from_ref(run));
    journey(
        set,
        Played {
            channel: run.channel,
            flow: &run.flow,
            inputs: &run.inputs,
            vars: &run.vars,
        },
        name,
        findings,
        &failed,
    )
}

/// Where a journey began and what the customer did, to be replayed.
struct Played<'a> {
    channel: Channel,
    flow: &'a str,
    inputs: &'a [String],
    vars: &'a BTreeMap<String, String>,
}

/// The journey of a customer who knows only what they want: a persona with
/// the intent and nothing else, which makes the goal-directed choice at
/// every step (docs/format.md, "How a persona plays").
fn intent_journey(
    set: &MenuSet,
    intent: &str,
    flow: Option<&str>,
    channel: Option<Channel>,
    findings: &[Finding],
) -> Result<String, CliError> {
    if !set.intents.iter().any(|i| i.id.value == intent) {
        return Err(CliError::NoIntent {
            name: intent.to_string(),
            known: set.intents.iter().map(|i| i.id.value.clone()).collect(),
        });
    }
    let flow = match flow {
        Some(flow) => {
            let candidates: Vec<_> = set
                .flows_named(flow)
                .filter(|f| channel.is_none_or(|c| f.channel == c))
                .collect();
            match candidates.as_slice() {
                [one] => Some(*one),
                [] => {
                    return Err(CliError::NoFlow {
                        flow: flow.to_string(),
                        known: set.flows.iter().map(|f| f.id.value.clone()).collect(),
                    })
                }
                _ => return Err(CliError::FlowOnSeveralChannels(flow.to_string())),
            }
        }
        None => None,
    };
    let channel = flow.map_or(channel.unwrap_or(Channel::Phone), |f| f.channel);
    if !set.flows.iter().any(|f| f.channel == channel) {
        return Err(CliError::NoFlowOnChannel(channel.name()));
    }
    let customer = Persona::unwritten(
        intent,
        channel,
        flow.map(|f| f.id.value.as_str()),
        Some(intent),
    );
    let config = customer.configurations().remove(0);
    let graph = crate::graph::compile(set, channel)?;
    let mut coverage = crate::coverage::CoverageMap::new(&graph);
    let played = crate::personas::run_journey(
        set,
        &graph,
        &customer,
        &config,
        args::DEFAULT_SEED,
        &mut coverage,
    );
    journey(
        set,
        Played {
            channel,
            flow: &played.flow,
            inputs: &played.inputs,
            vars: &played.vars,
        },
        &format!("a customer who wants {intent}"),
        findings,
        &[],
    )
}

/// Replays what the customer did to learn every node they passed, in
/// order, and draws that; `verdict` (a failed persona's finding) goes on
/// where the journey ended.
fn journey(
    set: &MenuSet,
    played: Played,
    who: &str,
    findings: &[Finding],
    verdict: &[Finding],
) -> Result<String, CliError> {
    let graph = crate::graph::compile(set, played.channel)?;
    let inputs = played
        .inputs
        .iter()
        .map(|input| crate::input::Input::parse(input))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Inputs)?;
    let transcript =
        crate::replay::replay_compiled(set, &graph, played.flow, &inputs, played.vars)?;
    let findings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.channel == played.channel)
        .collect();
    let verdict: Vec<&Finding> = verdict.iter().collect();
    Ok(render::bpmn::journey(
        who,
        &transcript,
        &node_facts(set, played.channel),
        &findings,
        &verdict,
    ))
}
