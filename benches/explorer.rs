//! Benchmark of the exhaustive walk (`touchpoint lint`) against the
//! cheapest breadth-first search over the same compiled arrays.
//!
//! Run it with `cargo bench --bench explorer`. Environment overrides:
//!
//! * `TOUCHPOINT_BENCH_NODES`: size of the generated phone flow (default
//!   20,000 nodes);
//! * `TOUCHPOINT_BENCH_KEEP=DIR`: also write the generated set under
//!   `DIR/engines` for a closer look;
//! * `TOUCHPOINT_BENCH_PART=walk`: only the walk, over and over for about
//!   ten seconds, with nothing else in the process worth a sample: what to
//!   run under a profiler (`perf record`).
//!
//! The walk goes through `Machine::settle`/`Machine::step` and does real
//! work on top (a state table, findings, traps). The question this bench
//! answers is how much that costs compared with walking the compiled
//! `Graph` arrays directly: states per second of the exhaustive walk
//! itself (`touchpoint::analysis::walk_states`, the walk `lint` runs, on a
//! graph compiled outside the clock) and of `touchpoint::analysis::lint`
//! as a whole (compiling, the walk, and every analysis after it: goal
//! walks, the way to a person, journeys, replays of findings) versus a bare
//! breadth-first search over `(node, world)` with a `Vec<bool>` of visited
//! nodes and no findings (`support/baselines.rs`), all measured in the
//! same run. The aim (issue 17) is the walk's: at least a tenth of the
//! bare search's states per second. The whole-lint ratio is printed beside
//! it against the same figure, to show what the analyses after the walk
//! cost.

// A benchmark measures wall time.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;

use touchpoint::analysis::{judge_menus, lint, walk_counts, walk_states};

#[path = "support/baselines.rs"]
mod baselines;
#[path = "support/generator.rs"]
mod generator;
#[path = "support/measure.rs"]
mod measure;

use baselines::{bare_bfs, PhoneSet};
use measure::{
    calibrate, measure, millis, rates_heading, ratio_row, ratios_heading, row, target_row,
    targets_heading, times_text, verdict,
};

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since this harness runs everything in one go.
    let phone = PhoneSet::generate("lint");
    let compiled = phone.compile();
    let (set, graph, worlds) = (&phone.set, &compiled.graph, compiled.worlds.as_slice());

    if std::env::var("TOUCHPOINT_BENCH_PART").is_ok_and(|part| part == "walk") {
        let begun = std::time::Instant::now();
        let mut walks = 0u64;
        while begun.elapsed() < std::time::Duration::from_secs(10) {
            black_box(walk_states(graph, set));
            walks += 1;
        }
        println!("walk alone: {walks} walks in {:.1?}", begun.elapsed());
        return;
    }
    let mut lint_states = 0u64;
    let lint_rates = measure(|| {
        let analysis = lint(set).expect("lints");
        lint_states = analysis.states as u64;
        lint_states
    });
    // The walk alone, on the graph compiled outside the clock: what the
    // aim is about.
    let mut walk_count = 0u64;
    let mut run_walk = |repeats: usize| -> u64 {
        (0..repeats)
            .map(|_| {
                walk_count = walk_states(graph, set) as u64;
                walk_count
            })
            .sum()
    };
    let walk_repeats = calibrate(1, &mut run_walk);
    let walk_rates = measure(|| run_walk(walk_repeats));
    assert_eq!(
        walk_count, lint_states,
        "the walk alone visits the states lint's walk visits"
    );
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
    // Context, not the aim: the menu rules' pass that each walk begins
    // with (once per menu, whatever the number of states), timed alone,
    // and the choices the walk tries per state.
    let mut verdict_sets = 0u64;
    let mut run_rules = |repeats: usize| -> u64 {
        (0..repeats)
            .map(|_| {
                verdict_sets = judge_menus(graph, set) as u64;
                1
            })
            .sum()
    };
    let rules_repeats = calibrate(1, &mut run_rules);
    let rules_rates = measure(|| run_rules(rules_repeats));
    let (counted_states, walk_choices) = walk_counts(graph, set);
    assert_eq!(
        counted_states as u64, walk_count,
        "the walk counted visits the states the walk alone visits"
    );

    // --- Report -----------------------------------------------------------

    compiled.print_heading("exhaustive walk", "lint");
    println!("bare BFS: {bfs_repeats} searches per run, {bfs_states} states each");
    println!("lint: {lint_states} states");
    println!("walk alone: {walk_repeats} walks per run, {walk_count} states each");
    println!();
    rates_heading();
    row("walk alone (explore): states", &walk_rates);
    row("lint(): states", &lint_rates);
    row("lint(): states, compile subtracted", &lint_rates_net);
    row("bare BFS (node, world): states", &bfs_rates);
    println!();
    ratios_heading();
    ratio_row("walk states / bare BFS states", &walk_rates, &bfs_rates);
    ratio_row("lint() states / bare BFS states", &lint_rates, &bfs_rates);
    ratio_row(
        "  the same, compile subtracted",
        &lint_rates_net,
        &bfs_rates,
    );

    // --- Context -------------------------------------------------------------

    // What a walk "state" and a bare-search "state" are differ: a walk
    // state is a waiting state (a menu, an ask, an opaque step) whose
    // expansion tries every choice there, each settling through several
    // nodes, and the walk begins with the menu rules' pass, whose cost
    // goes with the menus, not the states. These lines show both, in the
    // same run; the aim's row above is unchanged by them.
    let walk_ns = 1e9 / walk_rates.median();
    let rules_seconds = 1.0 / rules_rates.median();
    let walk_seconds = walk_count as f64 / walk_rates.median();
    let choices_per_state = walk_choices as f64 / walk_count as f64;
    let without_rules_ns = (walk_seconds - rules_seconds).max(0.0) * 1e9 / walk_count as f64;
    println!();
    println!("== context (not the aim) ==");
    println!(
        "menu-rule pass alone: {verdict_sets} sets of options judged, {} of a {} walk (medians)",
        millis(rules_seconds),
        millis(walk_seconds)
    );
    println!(
        "walk: {choices_per_state:.1} choices tried per state; {walk_ns:.0} ns a state, {without_rules_ns:.0} ns without the rule pass, {:.0} ns a choice",
        without_rules_ns / choices_per_state
    );
    println!(
        "bare BFS: {:.1} ns a (node, world) state; walk choices/s without the rule pass vs bare BFS states/s: {}",
        1e9 / bfs_rates.median(),
        times_text((1e9 / (without_rules_ns / choices_per_state)) / bfs_rates.median())
    );

    // --- Targets ----------------------------------------------------------

    // The aim of issue 17 is the walk's; whole `lint` is judged against
    // the same figure beside it, so that what the analyses after the walk
    // cost stays in view.
    const AIM: f64 = 0.1;
    targets_heading();
    let walk_ratio = walk_rates.best() / bfs_rates.best();
    target_row(
        "walk states/s vs bare BFS states/s",
        ">= 0.100x",
        &times_text(walk_ratio),
        verdict(walk_ratio >= AIM),
    );
    let lint_ratio = lint_rates.best() / bfs_rates.best();
    target_row(
        "  lint() as a whole (not the aim's subject)",
        ">= 0.100x",
        &times_text(lint_ratio),
        verdict(lint_ratio >= AIM),
    );
    let lint_ratio_net = lint_rates_net.best() / bfs_rates.best();
    target_row(
        "  lint(), compile subtracted",
        ">= 0.100x",
        &times_text(lint_ratio_net),
        verdict(lint_ratio_net >= AIM),
    );
    println!("the aim applies to the walk (`explore`, as `walk_states` runs it); lint() adds compiling and every analysis after the walk");
    if walk_ratio < AIM {
        println!(
            "walk: needs {:.1}x faster states to meet its aim",
            AIM / walk_ratio
        );
    }
}
