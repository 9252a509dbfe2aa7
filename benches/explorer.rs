//! Benchmark of the exhaustive walk (`touchpoint lint`) against the
//! cheapest breadth-first search over the same compiled arrays.
//!
//! Run it with `cargo bench --bench explorer`. Environment overrides:
//!
//! * `TOUCHPOINT_BENCH_NODES`: size of the generated phone flow (default
//!   20,000 nodes);
//! * `TOUCHPOINT_BENCH_KEEP=DIR`: also write the generated set under
//!   `DIR/engines` for a closer look.
//!
//! The walk goes through `Machine::settle`/`Machine::step` and does real
//! work on top (a state table, findings, traps). The question this bench
//! answers is how much that costs compared with walking the compiled
//! `Graph` arrays directly: states per second of
//! `touchpoint::analysis::lint` versus a bare breadth-first search over
//! `(node, world)` with a `Vec<bool>` of visited nodes and no findings
//! (`support/baselines.rs`), both measured in the same run.

// A benchmark measures wall time.
#![allow(clippy::disallowed_methods)]

use touchpoint::analysis::lint;

#[path = "support/baselines.rs"]
mod baselines;
#[path = "support/generator.rs"]
mod generator;
#[path = "support/measure.rs"]
mod measure;

use baselines::{bare_bfs, PhoneSet};
use measure::{
    calibrate, measure, rates_heading, ratio_row, ratios_heading, row, target_row, targets_heading,
    times_text,
};

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since this harness runs everything in one go.
    let phone = PhoneSet::generate("lint");
    let compiled = phone.compile();
    let (set, graph, worlds) = (&phone.set, &compiled.graph, compiled.worlds.as_slice());

    let mut lint_states = 0u64;
    let lint_rates = measure(|| {
        let analysis = lint(set).expect("lints");
        lint_states = analysis.states as u64;
        lint_states
    });
    let mut visited = vec![false; graph.nodes.len()];
    let mut queue = Vec::with_capacity(graph.nodes.len());
    let bfs_states = bare_bfs(graph, worlds, &mut visited, &mut queue);
    let mut run_bfs = |repeats: usize| -> u64 {
        (0..repeats)
            .map(|_| bare_bfs(graph, worlds, &mut visited, &mut queue))
            .sum()
    };
    let bfs_repeats = calibrate(1, &mut run_bfs);
    let bfs_rates = measure(|| run_bfs(bfs_repeats));
    let lint_rates_net = lint_rates.without(compiled.compile_best);

    // --- Report -----------------------------------------------------------

    compiled.print_heading("exhaustive walk", "lint");
    println!("bare BFS: {bfs_repeats} searches per run, {bfs_states} states each");
    println!("lint: {lint_states} states");
    println!();
    rates_heading();
    row("lint(): states", &lint_rates);
    row("lint(): states, compile subtracted", &lint_rates_net);
    row("bare BFS (node, world): states", &bfs_rates);
    println!();
    ratios_heading();
    ratio_row("lint() states / bare BFS states", &lint_rates, &bfs_rates);
    ratio_row(
        "  the same, compile subtracted",
        &lint_rates_net,
        &bfs_rates,
    );

    // --- Targets ----------------------------------------------------------

    targets_heading();
    target_row(
        "lint() states/s vs bare BFS states/s",
        "-",
        &times_text(lint_rates.best() / bfs_rates.best()),
        "(no target)",
    );
}
