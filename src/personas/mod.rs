//! Personas: scripted and goal-directed customers played against their
//! flows, with the journey measured the way a service designer would (steps,
//! menus heard, retries, estimated seconds, outcome) and checked against the
//! persona's `expect`.

mod journey;
pub mod transcripts;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Code, Finding, FindingSource};
use crate::graph::{compile, CompileError, Graph};
use crate::model::{Channel, MenuSet, Persona, PersonaRunConfig};

pub use journey::{run_journey, Journey};

/// One persona run as the report shows it (docs/report.md's `personas` fields
/// and more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaResult {
    pub persona: String,
    /// The matrix entry, when the persona has a matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub channel: Channel,
    pub flow: String,
    pub vars: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    pub passed: bool,
    pub outcome: String,
    /// Where the journey ended.
    pub node: String,
    pub steps: u32,
    pub menus: u32,
    pub retries: u32,
    pub seconds: f64,
    /// What the customer did, in `replay --inputs` form.
    pub inputs: Vec<String>,
    pub transcript: Vec<String>,
    /// What differed from `expect` (empty when the persona passed).
    pub failures: Vec<String>,
    /// Position among all persona runs of the set, so that merged shards
    /// list runs in the same order as one unsharded run.
    pub order: usize,
}

impl PersonaResult {
    /// `night-nurse` or `night-nurse@doctor` for a matrix entry.
    pub fn name(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}@{v}", self.persona),
            None => self.persona.clone(),
        }
    }
}

/// Results grouped per persona and channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaSuite {
    pub persona: String,
    pub channel: Channel,
    pub runs: usize,
    pub passed: usize,
    /// Share of runs served by self-service (outcome `served`).
    pub containment: f64,
    pub avg_steps: f64,
    pub avg_seconds: f64,
}

/// Every persona run, and what the runs reached, flow by flow.
pub struct PersonaRuns {
    pub results: Vec<PersonaResult>,
    pub coverage: Vec<crate::analysis::FlowReach>,
}

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
        .flat_map(|(graph, map)| crate::analysis::flow_reaches(graph, map))
        .collect();
    Ok(PersonaRuns {
        results: out,
        coverage,
    })
}

fn run_one(
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
        passed: failures.is_empty(),
        outcome: journey.outcome.name().to_string(),
        node: journey.node.clone(),
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

/// Per persona and channel: how many runs, how many passed, containment
/// and averages.
pub fn suites(results: &[PersonaResult]) -> Vec<PersonaSuite> {
    let mut groups: BTreeMap<(String, Channel), Vec<&PersonaResult>> = BTreeMap::new();
    for r in results {
        groups
            .entry((r.persona.clone(), r.channel))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|((persona, channel), runs)| {
            let n = runs.len() as f64;
            let round = |x: f64| (x * 100.0).round() / 100.0;
            PersonaSuite {
                persona,
                channel,
                runs: runs.len(),
                passed: runs.iter().filter(|r| r.passed).count(),
                containment: round(
                    runs.iter().filter(|r| r.outcome == "served").count() as f64 / n,
                ),
                avg_steps: round(runs.iter().map(|r| r.steps as f64).sum::<f64>() / n),
                avg_seconds: round(runs.iter().map(|r| r.seconds).sum::<f64>() / n),
            }
        })
        .collect()
}

/// A `persona-failed` finding for each failed run, pointing at the
/// persona's `expect` (or the persona itself).
pub fn findings(set: &MenuSet, results: &[PersonaResult]) -> Vec<Finding> {
    results
        .iter()
        .filter(|r| !r.passed)
        .filter_map(|r| {
            let persona = set.personas.iter().find(|p| p.id.value == r.persona)?;
            let span = persona
                .expect
                .as_ref()
                .and_then(|e| {
                    e.outcome
                        .as_ref()
                        .map(|o| o.span)
                        .or(e.node.as_ref().map(|n| n.span))
                })
                .unwrap_or(persona.id.span);
            let file = &set.files[span.file as usize];
            Some(Finding {
                code: Code::PersonaFailed,
                level: set.settings.level(Code::PersonaFailed),
                channel: r.channel,
                flow: r.flow.clone(),
                node: r.node.clone(),
                message: format!("persona `{}`: {}", r.name(), r.failures.join("; ")),
                file: file.name.clone(),
                line: span.line(),
                column: span.column(),
                intent: r.intent.clone(),
                vars: r.vars.clone(),
                inputs: r.inputs.clone(),
                path: Vec::new(),
                source: FindingSource::Personas,
                fuzz_batch: None,
                detail: 0,
                about: r.name(),
                offset: span.pos.offset,
                len: span.pos.len,
            })
        })
        .filter(|f| f.level != crate::model::Level::Off)
        .collect()
}
