//! Benchmark of mutation testing (`touchpoint mutate`) against what a tool
//! without graph patching would do for every mutant.
//!
//! Run it with `cargo bench --bench mutate`. Environment overrides:
//!
//! * `TOUCHPOINT_BENCH_MUTATE_NODES`: size of the generated flow (default
//!   2,000 nodes, the persona benchmark's flow);
//! * `TOUCHPOINT_BENCH_MUTATE_PERSONAS`: how many personas judge each
//!   mutant (default 100);
//! * `TOUCHPOINT_BENCH_KEEP=DIR`: also write the generated set under
//!   `DIR/mutate` for a closer look.
//!
//! `touchpoint::mutate::mutate` patches a copy of the compiled arrays for
//! each mutant and runs the personas on it, stopping at the first persona
//! that fails, and for a mutant nothing caught it walks the set and the
//! mutant side by side and looks for a persona that would catch it. The
//! baseline is what a tool that edits the YAML instead would pay for each
//! mutant: `load_set` on the set's folder (reading and decoding every
//! file, the flow and every persona) and `run_personas` on it (which
//! compiles the graph and runs every persona), once per mutant. It loads
//! the unmutated set, whose cost is that of a mutated one (a mutant
//! changes one line), and it runs every persona where `mutate` may stop
//! at the first that fails, and judges nothing: it is the least such a
//! tool does. Both spread their mutants over every core with rayon, so
//! the ratio is that of patching against reloading, not of threads. Both
//! are measured in the same run.
//!
//! The generated personas are the persona bench's: goal-directed callers
//! and short scripts, without `expect`, so few mutants fail one and most
//! go on to the survivor's side-by-side walk and suggestion search, the
//! dearest part of `mutate`. The rate is therefore near its slowest; a
//! suite that kills more mutants is judged faster.
//!
//! Then the time `mutate` takes for every mutant of the bundled `menus/`
//! (loading included, as the command does it), against the aim of
//! under 2 s.

// A benchmark measures wall time.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::path::Path;

use rayon::prelude::*;
use touchpoint::loader::load_set;
use touchpoint::mutate::{mutate, MutateOptions};
use touchpoint::personas::run_personas;

#[path = "support/generator.rs"]
mod generator;
#[path = "support/measure.rs"]
mod measure;

use generator::{assert_lints_clean, generate, generate_personas};
use measure::{
    calibrate, env_count, measure, millis, rates_heading, ratio_row, ratios_heading, row,
    target_row, targets_heading, times, times_text, verdict,
};

/// The seed of the personas' own randomness, as in the persona bench.
const SEED: u64 = 42;

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since this harness runs everything in one go.
    let nodes = env_count("TOUCHPOINT_BENCH_MUTATE_NODES", 2_000);
    let persona_count = env_count("TOUCHPOINT_BENCH_MUTATE_PERSONAS", 100).max(1);
    let keep = std::env::var_os("TOUCHPOINT_BENCH_KEEP").map(std::path::PathBuf::from);

    let generated = generate(nodes);
    let persona_texts = generate_personas(&generated, persona_count);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write_set = |to: &Path| {
        generated.write(to);
        let sub = to.join("personas");
        std::fs::create_dir_all(&sub).expect("create personas/");
        for (n, text) in persona_texts.iter().enumerate() {
            std::fs::write(sub.join(format!("caller-{n:05}.yaml")), text).expect("write a persona");
        }
    };
    write_set(dir.path());
    if let Some(keep) = &keep {
        let to = keep.join("mutate");
        std::fs::create_dir_all(&to).expect("create the keep directory");
        write_set(&to);
    }
    println!(
        "mutate set: {}, {} personas",
        generated.describe(),
        persona_texts.len()
    );
    let set = load_set(dir.path()).expect("the generated set loads");
    assert_eq!(set.personas.len(), persona_count);
    assert_lints_clean(&set);

    // One run outside the clock, to describe the mutants and to check that
    // every persona passes on the set, without which none can kill.
    let options = MutateOptions {
        seed: SEED,
        ..Default::default()
    };
    let report = mutate(&set, &options).expect("the generated set compiles");
    assert!(
        report
            .notes
            .iter()
            .all(|note| !note.contains("fails on the set itself")),
        "fix the persona generator: every persona must pass on the set: {:?}",
        report.notes
    );
    let mutant_count = report.mutants;
    assert!(mutant_count > 0, "the generated set has mutants");
    let survived = report.survivors.len();
    let (killed, equivalent) = (report.killed, report.equivalent);
    drop(report);

    let mutate_rates = measure(|| {
        mutate(&set, &options)
            .expect("the generated set compiles")
            .mutants as u64
    });

    // The baseline: per mutant, the set read from its folder again and
    // every persona run on it, which compiles the graph again.
    let reload_and_run = |mutants: usize| -> u64 {
        (0..mutants)
            .into_par_iter()
            .map(|_| {
                let reloaded = load_set(dir.path()).expect("the generated set loads");
                let runs = run_personas(&reloaded, SEED, None, None).expect("personas run");
                black_box(runs.results.len());
                1u64
            })
            .sum()
    };
    let baseline_mutants = calibrate(rayon::current_num_threads().max(1), reload_and_run);
    let baseline_rates = measure(|| reload_and_run(baseline_mutants));

    // The bundled set, as `touchpoint mutate` runs it.
    let menus = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
    let menus_mutants = mutate(&load_set(&menus).expect("menus/ loads"), &options)
        .expect("menus/ compiles")
        .mutants;
    let (menus_best, menus_median) = times(|| {
        let bundled = load_set(&menus).expect("menus/ loads");
        black_box(mutate(&bundled, &options).expect("menus/ compiles"));
    });

    // --- Report -----------------------------------------------------------

    println!();
    println!("== mutate ==");
    println!(
        "{mutant_count} mutants: {killed} killed, {survived} survived or undecided, {equivalent} equivalent; {} threads",
        rayon::current_num_threads()
    );
    println!(
        "baseline: {baseline_mutants} mutants per run, each load_set + run_personas of {persona_count} personas"
    );
    println!();
    rates_heading();
    row("mutate(): mutants", &mutate_rates);
    row("baseline reload + run_personas: mutants", &baseline_rates);
    println!();
    ratios_heading();
    ratio_row(
        "mutate() / baseline mutants",
        &mutate_rates,
        &baseline_rates,
    );
    println!();
    println!(
        "{mutant_count} mutants: mutate() {} best, {} median; the baseline would take {} best",
        millis(mutant_count as f64 / mutate_rates.best()),
        millis(mutant_count as f64 / mutate_rates.median()),
        millis(mutant_count as f64 / baseline_rates.best()),
    );
    println!(
        "menus/: {menus_mutants} mutants, load + mutate() {} best, {} median",
        millis(menus_best.as_secs_f64()),
        millis(menus_median.as_secs_f64())
    );

    // --- Targets ----------------------------------------------------------

    targets_heading();
    let ratio = mutate_rates.best() / baseline_rates.best();
    target_row(
        "mutate() mutants/s vs reload + run_personas",
        "> 1x",
        &times_text(ratio),
        &format!("aim: faster than the baseline ({})", verdict(ratio > 1.0)),
    );
    target_row(
        "menus/: every mutant, load included",
        "< 2000 ms",
        &millis(menus_best.as_secs_f64()),
        verdict(menus_best.as_secs_f64() < 2.0),
    );
}
