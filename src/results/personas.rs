//! What persona runs hand to the report: each run as measured, the runs
//! grouped per persona, the `persona-failed` finding of a failed run, and
//! a transcript that changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::coverage::FlowReach;
use crate::finding::{Code, Finding, FindingSource};
use crate::model::{Channel, MenuSet};

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
    /// The persona's `customer_type:`, so that results can be read per
    /// customer type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    pub passed: bool,
    pub outcome: String,
    /// Where the journey ended.
    pub node: String,
    /// The queue of the transfer it ended at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
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
    pub coverage: Vec<FlowReach>,
}

/// A journey whose transcript differs from the saved one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptChange {
    pub persona: String,
    /// The saved file, relative to the transcripts directory.
    pub file: String,
    /// Word-level: `[-removed-]` and `{+added+}` inside the changed lines.
    pub diff: String,
}

/// Per persona and channel: how many runs, how many passed, containment
/// and averages.
pub(crate) fn suites(results: &[PersonaResult]) -> Vec<PersonaSuite> {
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
