//! The generated phone set the engines are measured on, and the baselines
//! they are measured against: the cheapest walks a customer, the
//! exhaustive walk and a persona could make over the same compiled `Graph`
//! arrays, with no `Machine`, no oracle and no findings.

// Each bench includes this file by path and uses only part of it.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::Duration;

use touchpoint::analysis::worlds;
use touchpoint::graph::{compile, Graph, Kind, NodeIx, OptionIx, NONE};
use touchpoint::loader::load_set;
use touchpoint::machine::Rules;
use touchpoint::model::{Channel, MenuSet};

use crate::generator::{assert_lints_clean, generate, slug, XorShift, TOPICS};
use crate::measure::{env_count, millis, times, RUNS};

/// The fuzzer's default seed and step limit, so that the bench measures the
/// fuzzer as `touchpoint fuzz` runs it.
pub const SEED: u64 = 42;
pub const MAX_STEPS: usize = 64;

/// The generated phone set that the fuzzer and the exhaustive walk run on,
/// loaded outside every clock.
pub struct PhoneSet {
    pub set: MenuSet,
    // The set's files stay on disk while it is measured.
    _dir: tempfile::TempDir,
}

/// The phone set's compiled graph, with what the baselines need.
pub struct Compiled<'a> {
    pub graph: Graph<'a>,
    pub worlds: Vec<u64>,
    /// The flows no other flow calls, where customers begin.
    pub entry_flows: Vec<u32>,
    /// The start of the first entry flow.
    pub start: NodeIx,
    pub rules: Rules,
    /// Compiling the graph, best and median: `fuzz` and `lint` compile it
    /// inside the clock, the baselines reuse this one, so its cost is
    /// printed for the difference to be judged.
    pub compile_best: Duration,
    pub compile_median: Duration,
}

impl PhoneSet {
    /// Generates the set (`TOUCHPOINT_BENCH_NODES` nodes, 20,000 by
    /// default), writes it, also under `$TOUCHPOINT_BENCH_KEEP/engines` when
    /// that is set, and loads it. `who` says in the first line printed
    /// which engine the set is for.
    pub fn generate(who: &str) -> PhoneSet {
        let nodes = env_count("TOUCHPOINT_BENCH_NODES", 20_000);
        let generated = generate(nodes);
        let dir = tempfile::tempdir().expect("a temporary directory");
        generated.write(dir.path());
        if let Some(keep) = std::env::var_os("TOUCHPOINT_BENCH_KEEP") {
            let to = std::path::PathBuf::from(keep).join("engines");
            std::fs::create_dir_all(&to).expect("create the keep directory");
            generated.write(&to);
        }
        println!("{who} set: {}", generated.describe());

        // Loading is outside every clock: the engines and the baselines
        // start from the loaded set.
        let set = load_set(dir.path()).expect("the generated set loads");
        assert_lints_clean(&set);
        PhoneSet { set, _dir: dir }
    }

    /// Compiles the set for the baselines, and times compiling it.
    pub fn compile(&self) -> Compiled<'_> {
        let set = &self.set;
        let graph = compile(set, Channel::Phone).expect("the generated flow compiles");
        check_fits(&graph);
        let worlds = worlds(&graph);
        let entry_flows: Vec<u32> = (0..graph.flows.len() as u32)
            .filter(|&f| !graph.flows[f as usize].called)
            .collect();
        let start = graph.flows[entry_flows[0] as usize].start;
        let rules = Rules {
            call_depth: set.settings.limits.call_depth,
            standalone: false,
        };
        let (compile_best, compile_median) = times(|| {
            black_box(compile(set, Channel::Phone).expect("compiles"));
        });
        Compiled {
            graph,
            worlds,
            entry_flows,
            start,
            rules,
            compile_best,
            compile_median,
        }
    }
}

impl Compiled<'_> {
    /// The report's heading and the set's size, for the engine `engine`
    /// that compiles the graph inside the clock as `compiler`.
    pub fn print_heading(&self, engine: &str, compiler: &str) {
        println!();
        println!("== {engine} ==");
        println!("nodes                        {}", self.graph.nodes.len());
        println!("options                      {}", self.graph.options.len());
        println!("worlds                       {}", self.worlds.len());
        println!("intents                      {}", self.graph.intents.len());
        println!("runs per measurement         {RUNS} (best and median of the rates)");
        println!(
            "{:<28} {} best, {} median",
            format!("compile (inside {compiler})"),
            millis(self.compile_best.as_secs_f64()),
            millis(self.compile_median.as_secs_f64())
        );
    }
}

/// Which switch entry a customer takes in the world `vars`.
pub fn switch_target(graph: &Graph, entries: &std::ops::Range<u32>, vars: u64) -> NodeIx {
    graph.switch_entries[entries.start as usize..entries.end as usize]
        .iter()
        .find(|(cond, _)| graph.eval(*cond, vars, &mut |_| {}))
        .map_or(NONE, |&(_, goto)| goto)
}

/// A bare random walk: from the start, in a random world, pick a random
/// enabled option at each menu and the valid answer at each ask, follow
/// says and switches straight through the arrays, and begin again at a
/// terminal. No oracle, no coverage, no shrinking, no `Machine`: the least
/// a random customer can cost. Returns the steps taken (options picked and
/// answers given), which is at least `wanted`, and the walks begun.
pub fn bare_walk(
    graph: &Graph,
    worlds: &[u64],
    start: NodeIx,
    wanted: u64,
    rng: &mut XorShift,
    enabled: &mut Vec<u32>,
) -> (u64, u64) {
    let mut steps = 0u64;
    let mut walks = 0u64;
    let mut ends = 0u64;
    while steps < wanted {
        let vars = worlds[rng.below(worlds.len())];
        let mut node = start;
        // The same step limit as the fuzzer's, so that no walk runs longer
        // than a fuzzed customer could.
        let mut taken = 0;
        while taken < MAX_STEPS {
            node = match &graph.nodes[node as usize].kind {
                Kind::Say { next } => *next,
                Kind::Switch { entries } => switch_target(graph, entries, vars),
                Kind::Menu { options, .. } => {
                    enabled.clear();
                    enabled.extend(options.clone().filter(|&i| {
                        graph.eval(graph.options[i as usize].guard, vars, &mut |_| {})
                    }));
                    taken += 1;
                    graph.options[enabled[rng.below(enabled.len())] as usize].goto
                }
                Kind::Ask { goto, .. } => {
                    taken += 1;
                    *goto
                }
                Kind::Transfer | Kind::End | Kind::Hangup => break,
                // A lint-clean flow from this generator has none of these;
                // a walk that met one would not be measuring the same thing.
                Kind::Set { .. } | Kind::Call { .. } | Kind::Return | Kind::Opaque { .. } => {
                    unreachable!("the generated flow has no set, call or return")
                }
            };
        }
        steps += taken as u64;
        walks += 1;
        ends = ends.wrapping_add(node as u64);
    }
    black_box(ends);
    (steps, walks)
}

/// A bare breadth-first search over `(node, world)`: for each world and each
/// flow, a queue and a `Vec<bool>` of visited nodes, following every edge a
/// customer can take there (says, the switch entry that matches, enabled
/// options, handlers, answers) and recording nothing. Returns the states
/// visited. It ignores retry counters, call stacks and `set`, which is why
/// it visits fewer states than the explorer: the comparison is of the cost
/// per state.
pub fn bare_bfs(
    graph: &Graph,
    worlds: &[u64],
    visited: &mut [bool],
    queue: &mut Vec<NodeIx>,
) -> u64 {
    let mut states = 0u64;
    for &vars in worlds {
        for flow in &graph.flows {
            visited.fill(false);
            queue.clear();
            visited[flow.start as usize] = true;
            queue.push(flow.start);
            let mut head = 0;
            while head < queue.len() {
                let node = queue[head];
                head += 1;
                states += 1;
                let mut visit = |target: NodeIx| {
                    if target != NONE && !visited[target as usize] {
                        visited[target as usize] = true;
                        queue.push(target);
                    }
                };
                match &graph.nodes[node as usize].kind {
                    Kind::Say { next } | Kind::Set { next, .. } => visit(*next),
                    Kind::Switch { entries } => visit(switch_target(graph, entries, vars)),
                    Kind::Menu {
                        options,
                        no_input,
                        no_match,
                        ..
                    } => {
                        for i in options.clone() {
                            let option = &graph.options[i as usize];
                            if graph.eval(option.guard, vars, &mut |_| {}) {
                                visit(option.goto);
                            }
                        }
                        visit(no_input.then);
                        visit(no_match.then);
                    }
                    Kind::Ask {
                        goto,
                        invalid,
                        no_input,
                        ..
                    } => {
                        visit(*goto);
                        visit(invalid.then);
                        visit(no_input.then);
                    }
                    Kind::Call { flow, next } => {
                        visit(graph.flows[*flow as usize].start);
                        visit(*next);
                    }
                    Kind::Opaque { branches } => {
                        for b in branches.clone() {
                            visit(graph.branches[b as usize].1);
                        }
                    }
                    Kind::Return | Kind::Transfer | Kind::End | Kind::Hangup => {}
                }
            }
        }
    }
    states
}

/// A bare goal-directed walk, the cheapest journey a persona with `intent`
/// (or none) could make in the world `vars`: from the start, follow says
/// and switches through the arrays, and at each menu take the first
/// announced enabled option that fits the intent by the compiled `fits`
/// table, else the first announced fallback (the first announced option
/// with no intent); answer every ask. No script, no traits, no patience, no
/// transcript, no `Machine`. Returns the inputs given.
pub fn bare_goal_walk(graph: &Graph, start: NodeIx, intent: Option<usize>, vars: u64) -> u64 {
    let mut node = start;
    let mut taken = 0u64;
    while taken < MAX_STEPS as u64 {
        node = match &graph.nodes[node as usize].kind {
            Kind::Say { next } => *next,
            Kind::Switch { entries } => switch_target(graph, entries, vars),
            Kind::Menu { options, .. } => {
                let mut announced = options.clone().filter(|&i| {
                    let option = &graph.options[i as usize];
                    !option.hidden && graph.eval(option.guard, vars, &mut |_| {})
                });
                let pick = match intent {
                    None => announced.next(),
                    Some(x) => announced
                        .clone()
                        .find(|&i| graph.fits.get(i as usize, x))
                        .or_else(|| announced.find(|&i| graph.options[i as usize].fallback)),
                };
                let Some(option) = pick else { break };
                taken += 1;
                graph.options[option as usize].goto
            }
            Kind::Ask { goto, .. } => {
                taken += 1;
                *goto
            }
            Kind::Transfer | Kind::End | Kind::Hangup => break,
            Kind::Set { .. } | Kind::Call { .. } | Kind::Return | Kind::Opaque { .. } => {
                unreachable!("the generated flow has no set, call or return")
            }
        };
    }
    black_box(node);
    taken
}

/// Insists that every topic option fits exactly its own topic's intent and
/// that the "anything else" and advisor options fit none by their words:
/// otherwise goal-directed customers would take options about something
/// else, and the figures would measure another kind of customer.
pub fn check_fits(graph: &Graph) {
    assert_eq!(graph.intents.len(), TOPICS.len(), "one intent per topic");
    for option in 0..graph.options.len() as OptionIx {
        let label = graph
            .model_option(option)
            .label
            .as_ref()
            .map_or("", |l| l.value.as_str());
        let topic = TOPICS.iter().position(|t| t.0 == label);
        for intent in 0..graph.intents.len() {
            let own = topic.is_some_and(|t| graph.intent_index(&slug(t)) == Some(intent));
            assert_eq!(
                graph.fits.get(option as usize, intent),
                own,
                "option \"{label}\" and intent {}: fix the `says` phrases of TOPICS",
                graph.intents[intent]
            );
        }
    }
}
