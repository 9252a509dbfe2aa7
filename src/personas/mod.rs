//! Personas: scripted and goal-directed customers played against their
//! flows, with the journey measured the way a service designer would (steps,
//! menus heard, retries, estimated seconds, outcome) and checked against the
//! persona's `expect`.

mod journey;
pub mod record;
pub mod transcripts;

use std::collections::BTreeMap;

use crate::graph::{compile, CompileError, Graph};
use crate::model::{Channel, MenuSet, Persona, PersonaRunConfig};

/// A persona run's results are report types, declared below both.
pub(crate) use crate::results::{PersonaResult, PersonaRuns};
pub(crate) use journey::{run_journey, Journey};

/// Runs every persona (or those named `only`) in every configuration.
/// With `shard = Some((k, n))`, only every n-th run, starting at the k-th.
pub fn run_personas(
    set: &MenuSet,
    seed: u64,
    only: Option<&str>,
    shard: Option<(usize, usize)>,
) -> Result<PersonaRuns, CompileError> {
    let mut graphs: BTreeMap<Channel, (Graph, crate::coverage::CoverageMap)> = BTreeMap::new();
    let mut out = Vec::new();
    let mut order = 0usize;
    for persona in &set.personas {
        if only.is_some_and(|name| name != persona.id.value) {
            continue;
        }
        for config in persona.configurations() {
            let index = order;
            order += 1;
            if shard.is_some_and(|(k, n)| index % n != k - 1) {
                continue;
            }
            let channel = config.channel.value;
            if let std::collections::btree_map::Entry::Vacant(slot) = graphs.entry(channel) {
                let graph = compile(set, channel)?;
                let coverage = crate::coverage::CoverageMap::new(&graph);
                slot.insert((graph, coverage));
            }
            let (graph, coverage) = graphs.get_mut(&channel).expect("inserted above");
            let mut result = run_one(set, graph, persona, &config, seed, coverage);
            result.order = index;
            out.push(result);
        }
    }
    let coverage = graphs
        .values()
        .flat_map(|(graph, map)| crate::coverage::flow_reaches(graph, map))
        .collect();
    Ok(PersonaRuns {
        results: out,
        coverage,
    })
}

pub(crate) fn run_one(
    set: &MenuSet,
    graph: &Graph,
    persona: &Persona,
    config: &PersonaRunConfig,
    seed: u64,
    coverage: &mut crate::coverage::CoverageMap,
) -> PersonaResult {
    let journey = run_journey(set, graph, persona, config, seed, coverage);
    let mut failures = journey.problems.clone();
    if let Some(expect) = &persona.expect {
        if let Some(outcome) = &expect.outcome {
            if outcome.value != journey.outcome {
                failures.push(format!(
                    "expected outcome {}, got {} at `{}`",
                    outcome.value.name(),
                    journey.outcome.name(),
                    journey.node
                ));
            }
        }
        if let Some(node) = &expect.node {
            if node.value != journey.node {
                failures.push(format!(
                    "expected to end at `{}`, ended at `{}`",
                    node.value, journey.node
                ));
            }
        }
        if let Some(queue) = &expect.queue {
            if journey.queue.as_deref() != Some(queue.value.as_str()) {
                failures.push(match &journey.queue {
                    Some(got) => format!(
                        "expected queue `{}`, got `{got}` at `{}`",
                        queue.value, journey.node
                    ),
                    None => format!(
                        "expected queue `{}`, ended at `{}`, which is not a transfer",
                        queue.value, journey.node
                    ),
                });
            }
        }
        if let Some(max) = expect.max_steps {
            if journey.steps > max {
                failures.push(format!(
                    "took {} steps, more than max_steps {max}",
                    journey.steps
                ));
            }
        }
        if let Some(max) = expect.max_seconds {
            if journey.seconds > max {
                failures.push(format!(
                    "took about {:.1} s, more than max_seconds {max}",
                    journey.seconds
                ));
            }
        }
    }
    PersonaResult {
        persona: persona.id.value.clone(),
        variant: config.variant.clone(),
        channel: config.channel.value,
        flow: journey.flow.clone(),
        vars: journey.vars.clone(),
        intent: persona.intent.as_ref().map(|i| i.value.clone()),
        customer_type: persona.customer_type.as_ref().map(|t| t.value.clone()),
        passed: failures.is_empty(),
        outcome: journey.outcome.name().to_string(),
        node: journey.node.clone(),
        queue: journey.queue.clone(),
        steps: journey.steps,
        menus: journey.menus,
        retries: journey.retries,
        seconds: (journey.seconds * 10.0).round() / 10.0,
        inputs: journey.inputs.clone(),
        transcript: journey.transcript.clone(),
        failures,
        order: 0,
    }
}
