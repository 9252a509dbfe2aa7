//! Benchmark of the persona runner against the cheapest goal-directed
//! journeys over the same compiled arrays.
//!
//! Run it with `cargo bench --bench personas`. Environment overrides:
//!
//! * `TOUCHPOINT_BENCH_PERSONAS`: how many personas the run plays (default
//!   1,000);
//! * `TOUCHPOINT_BENCH_PERSONA_NODES`: size of the flow they call (default
//!   2,000 nodes);
//! * `TOUCHPOINT_BENCH_KEEP=DIR`: also write the generated set under
//!   `DIR/personas` for a closer look.
//!
//! The runner goes through `Machine::settle`/`Machine::step` and does real
//! work on top (scripts, traits, transcripts). The question this bench
//! answers is how much that costs compared with walking the compiled
//! `Graph` arrays directly: `touchpoint::personas::run_personas` over
//! generated persona documents, versus a bare goal-directed walk making the
//! same journeys (same intents, same worlds) over the arrays with no
//! script, no traits and no transcript (`support/baselines.rs`), both
//! measured in the same run.

// A benchmark measures wall time.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::path::Path;

use touchpoint::graph::compile;
use touchpoint::loader::load_set;
use touchpoint::model::Channel;
use touchpoint::personas::run_personas;

#[path = "support/baselines.rs"]
mod baselines;
#[path = "support/generator.rs"]
mod generator;
#[path = "support/measure.rs"]
mod measure;

use baselines::{bare_goal_walk, check_fits, SEED};
use generator::{assert_lints_clean, generate, generate_personas};
use measure::{
    calibrate, env_count, measure, millis, rates_heading, ratio_row, ratios_heading, row,
    target_row, targets_heading, times, verdict,
};

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since this harness runs everything in one go.
    let persona_count = env_count("TOUCHPOINT_BENCH_PERSONAS", 1_000).max(1);
    let persona_nodes = env_count("TOUCHPOINT_BENCH_PERSONA_NODES", 2_000);
    let keep = std::env::var_os("TOUCHPOINT_BENCH_KEEP").map(std::path::PathBuf::from);

    let persona_gen = generate(persona_nodes);
    let persona_texts = generate_personas(&persona_gen, persona_count);
    let persona_dir = tempfile::tempdir().expect("a temporary directory");
    let write_personas = |to: &Path| {
        persona_gen.write(to);
        let sub = to.join("personas");
        std::fs::create_dir_all(&sub).expect("create personas/");
        for (n, text) in persona_texts.iter().enumerate() {
            std::fs::write(sub.join(format!("caller-{n:05}.yaml")), text).expect("write a persona");
        }
    };
    write_personas(persona_dir.path());
    if let Some(keep) = &keep {
        let to = keep.join("personas");
        std::fs::create_dir_all(&to).expect("create the keep directory");
        write_personas(&to);
    }
    println!(
        "persona set: {}, {} personas",
        persona_gen.describe(),
        persona_texts.len()
    );
    let persona_set = load_set(persona_dir.path()).expect("the persona set loads");
    assert_eq!(persona_set.personas.len(), persona_count);
    assert_lints_clean(&persona_set);
    let persona_graph = compile(&persona_set, Channel::Phone).expect("compiles");
    check_fits(&persona_graph);
    let (persona_compile_best, _) = times(|| {
        black_box(compile(&persona_set, Channel::Phone).expect("compiles"));
    });

    // One run outside the clock, to check that every script could be
    // followed and to describe what the personas did.
    let results = run_personas(&persona_set, SEED, None, None)
        .expect("personas run")
        .results;
    assert_eq!(results.len(), persona_count);
    let failed: Vec<_> = results.iter().filter(|r| !r.failures.is_empty()).collect();
    for r in failed.iter().take(5) {
        println!("  persona {}: {}", r.name(), r.failures.join("; "));
    }
    assert!(
        failed.is_empty(),
        "fix the persona generator: every script must be playable"
    );
    let mut outcomes: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &results {
        *outcomes.entry(r.outcome.clone()).or_default() += 1;
    }
    let persona_steps: u64 = results.iter().map(|r| r.steps as u64).sum();
    let scripted = persona_set
        .personas
        .iter()
        .filter(|p| !p.script.is_empty())
        .count();
    let with_traits = persona_set
        .personas
        .iter()
        .filter(|p| !p.traits.is_empty())
        .count();
    drop(results);

    let persona_rates = measure(|| {
        run_personas(&persona_set, SEED, None, None)
            .expect("personas run")
            .results
            .len() as u64
    });
    let persona_step_rates = persona_rates.scaled(persona_steps as f64 / persona_count as f64);
    let persona_rates_net = persona_rates.without(persona_compile_best);

    // The baseline: the same journeys (intent and world of each persona),
    // goal-directed over the arrays from the start of the flow.
    let journeys: Vec<(Option<usize>, u64)> = persona_set
        .personas
        .iter()
        .map(|p| {
            let intent = p
                .intent
                .as_ref()
                .and_then(|i| persona_graph.intent_index(&i.value));
            let mut world = persona_graph.default_vars();
            for (var, value) in &p.vars {
                let v = persona_graph
                    .var_index(&var.value)
                    .expect("a known variable");
                let x = persona_graph.vars[v]
                    .values
                    .iter()
                    .position(|x| *x == value.value)
                    .expect("a known value");
                world = persona_graph.vars[v].set(world, x as u16);
            }
            (intent, world)
        })
        .collect();
    let persona_start = persona_graph
        .flows
        .iter()
        .find(|f| !f.called)
        .expect("an entry flow")
        .start;
    let goal_pass = || -> u64 {
        journeys
            .iter()
            .map(|&(intent, world)| bare_goal_walk(&persona_graph, persona_start, intent, world))
            .sum()
    };
    let goal_steps = goal_pass();
    let goal_repeats = calibrate(1, |repeats| {
        (0..repeats).map(|_| black_box(goal_pass())).sum()
    });
    let goal_rates = measure(|| {
        (0..goal_repeats)
            .map(|_| black_box(goal_pass()))
            .sum::<u64>()
    });
    let goal_journeys = goal_rates.scaled(1.0 / (goal_steps as f64 / persona_count as f64));

    // --- Report -----------------------------------------------------------

    println!();
    println!("== personas ==");
    println!(
        "nodes {}, options {}, personas {persona_count} ({scripted} with a script, {with_traits} with traits)",
        persona_graph.nodes.len(),
        persona_graph.options.len()
    );
    println!(
        "compile (inside run_personas) {}",
        millis(persona_compile_best.as_secs_f64())
    );
    let outcome_list: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
    println!("outcomes: {}", outcome_list.join(", "));
    println!(
        "run_personas(): {:.2} steps per persona; bare goal walk: {:.2} steps per journey, {goal_repeats} passes of {persona_count} per run",
        persona_steps as f64 / persona_count as f64,
        goal_steps as f64 / persona_count as f64
    );
    println!();
    rates_heading();
    row("run_personas(): personas", &persona_rates);
    row(
        "run_personas(): personas, compile subtr.",
        &persona_rates_net,
    );
    row("run_personas(): steps", &persona_step_rates);
    row("bare goal walk: journeys", &goal_journeys);
    row("bare goal walk: steps", &goal_rates);
    println!();
    ratios_heading();
    ratio_row(
        "personas / bare goal journeys",
        &persona_rates,
        &goal_journeys,
    );
    ratio_row(
        "  the same, compile subtracted",
        &persona_rates_net,
        &goal_journeys,
    );
    let persona_time = |r: f64| persona_count as f64 / r;
    let goal_time = |r: f64| persona_count as f64 / r;
    println!();
    println!(
        "{persona_count} personas: run_personas() {} best, {} median ({} best without compile); bare goal walk {} best, {} median",
        millis(persona_time(persona_rates.best())),
        millis(persona_time(persona_rates.median())),
        millis(persona_time(persona_rates_net.best())),
        millis(goal_time(goal_journeys.best())),
        millis(goal_time(goal_journeys.median())),
    );

    // --- Targets ----------------------------------------------------------

    targets_heading();
    let persona_seconds = persona_time(persona_rates.best());
    // The target is for 1,000 personas; other counts are scaled to it.
    let per_thousand = persona_seconds * 1_000.0 / persona_count as f64;
    target_row(
        "run_personas(): 1,000 personas",
        "< 1000 ms",
        &millis(per_thousand),
        verdict(per_thousand < 1.0),
    );
}
