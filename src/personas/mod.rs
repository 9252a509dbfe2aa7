//! Personas: scripted and goal-directed customers played against their
//! flows, with the journey measured the way a service designer would (steps,
//! menus heard, retries, estimated seconds, outcome) and checked against the
//! persona's `expect`.

mod journey;
pub mod record;
mod run_list;
pub mod transcripts;

use std::collections::BTreeMap;

use crate::coverage::CoverageMap;
use crate::graph::{CompileError, Graph, Graphs};
use crate::model::{Channel, MenuSet, Persona, PersonaRunConfig};
use run_list::{runs_asked_for, PersonaBatch};

/// A persona run's results are report types, declared below both.
pub(crate) use crate::results::{PersonaResult, PersonaRuns};
pub(crate) use journey::{run_journey, Journey};

/// Runs every persona (or those named `only`) in every configuration.
/// With `shard = Some((k, n))`, only every n-th run, starting at the k-th.
///
/// Runs are independent of each other (each follows from the set, its
/// persona, its configuration and the seed; what one reaches is only
/// recorded, never read by another), so they are spread over rayon's pool.
/// Results come back in the order of the set's personas and their
/// configurations, and what they reached is the union of every run's, so
/// nothing depends on the number of threads or on which run ends first.
pub fn run_personas(
    set: &MenuSet,
    seed: u64,
    only: Option<&str>,
    shard: Option<(usize, usize)>,
) -> Result<PersonaRuns, CompileError> {
    run_personas_on(&Graphs::new(set), seed, only, shard)
}

/// [`run_personas`] on graphs other engines may share (see [`Graphs`]).
pub fn run_personas_on(
    compiled: &Graphs,
    seed: u64,
    only: Option<&str>,
    shard: Option<(usize, usize)>,
) -> Result<PersonaRuns, CompileError> {
    use rayon::prelude::*;
    let set = compiled.set();
    let runs = runs_asked_for(set, only, shard);
    // Each channel's graph is asked for before the runs share it, in the
    // order the runs first need it: a channel that does not compile fails
    // the call as it did when runs went one by one.
    let mut graphs: BTreeMap<Channel, &Graph> = BTreeMap::new();
    for run in &runs {
        let channel = run.config.channel.value;
        if let std::collections::btree_map::Entry::Vacant(slot) = graphs.entry(channel) {
            slot.insert(compiled.get(channel)?);
        }
    }
    // Each of rayon's pieces of work gathers its runs' results in order and
    // its own coverage per channel; pieces are joined left to right, so the
    // results keep the order of `runs`, and coverage maps are merged as a
    // union, whose answer does not depend on how the runs were split.
    let (results, reached) = runs
        .par_iter()
        .fold(PersonaBatch::default, |mut batch, run| {
            let channel = run.config.channel.value;
            let graph = &graphs[&channel];
            let coverage = batch
                .reached
                .entry(channel)
                .or_insert_with(|| CoverageMap::new(graph));
            let mut result = run_one(set, graph, run.persona, &run.config, seed, coverage);
            result.order = run.order;
            batch.results.push(result);
            batch
        })
        .reduce(PersonaBatch::default, |mut left, right| {
            left.results.extend(right.results);
            for (channel, mut map) in right.reached {
                match left.reached.entry(channel) {
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(map);
                    }
                    std::collections::btree_map::Entry::Occupied(mut into) => {
                        into.get_mut()
                            .add_reached(&map.take_reached(), graphs[&channel]);
                    }
                }
            }
            left
        })
        .into_parts();
    let coverage = graphs
        .iter()
        .flat_map(|(channel, graph)| match reached.get(channel) {
            Some(map) => crate::coverage::flow_reaches(graph, map),
            None => crate::coverage::flow_reaches(graph, &CoverageMap::new(graph)),
        })
        .collect();
    Ok(PersonaRuns { results, coverage })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs every persona of the bundled set in a pool of `threads`.
    fn runs_on(threads: usize, set: &MenuSet) -> PersonaRuns {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| run_personas(set, 42, None, None))
            .expect("the bundled set compiles")
    }

    #[test]
    fn one_thread_and_several_give_the_same_runs_in_the_same_order() {
        let menus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let set = crate::loader::load_set(&menus).expect("the bundled set loads");
        let one = runs_on(1, &set);
        assert!(one.results.len() > 10, "the bundled set has many personas");
        let orders: Vec<usize> = one.results.iter().map(|r| r.order).collect();
        assert!(
            orders.windows(2).all(|w| w[0] < w[1]),
            "results keep the order of the set's runs: {orders:?}"
        );
        for threads in [2, 5] {
            let several = runs_on(threads, &set);
            assert_eq!(one.results, several.results, "{threads} threads");
            // What the runs reached is the union of every run's, however
            // the runs were split between threads.
            assert_eq!(
                format!("{:?}", one.coverage),
                format!("{:?}", several.coverage),
                "{threads} threads"
            );
        }
    }
}
