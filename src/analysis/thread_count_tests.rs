//! `lint` gives the same analysis on any number of threads: its walks,
//! channels and replays run in parallel and are taken in in a fixed order
//! (see `explorer::walk_phase`), so one thread and many must agree to the
//! byte, findings, notes, states, coverage, intents, journeys and demand
//! alike, on every kind of set and where the state budget cuts a walk short.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::model::MenuSet;

// The integration tests' generator, shared by path: these tests use only
// its `generate`, not the rest it offers proptest and the campaigns.
#[allow(dead_code, unreachable_pub)]
#[path = "../../tests/it/common/generated_set.rs"]
mod generated_set;

/// The thread counts compared with one thread.
const THREADS: [usize; 2] = [2, 4];

/// The whole analysis of `set` on `threads` threads, as text, or `None`
/// when the set does not lint (a graph that does not compile).
fn analysis_on(set: &MenuSet, threads: usize) -> Option<String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| super::lint(set))
        .ok()
        .map(|analysis| format!("{analysis:#?}"))
}

/// Lints `set` on one thread and on each of [`THREADS`] and fails, naming
/// `what`, where they differ. Returns the one-thread analysis.
fn assert_same_on_every_thread_count(what: &str, set: &MenuSet) -> Option<String> {
    let one = analysis_on(set, 1);
    for threads in THREADS {
        let many = analysis_on(set, threads);
        assert!(
            one == many,
            "{what}: lint on {threads} threads differs from lint on one\n{}",
            first_difference(one.as_deref(), many.as_deref())
        );
    }
    one
}

/// The first line where two analyses differ, with its neighbours.
fn first_difference(one: Option<&str>, many: Option<&str>) -> String {
    let (Some(one), Some(many)) = (one, many) else {
        return format!(
            "one lints: {}, many lint: {}",
            one.is_some(),
            many.is_some()
        );
    };
    let one: Vec<&str> = one.lines().collect();
    let many: Vec<&str> = many.lines().collect();
    let at = one
        .iter()
        .zip(&many)
        .position(|(a, b)| a != b)
        .unwrap_or(one.len().min(many.len()));
    let from = at.saturating_sub(8);
    format!(
        "one thread:\n{}\nmany threads:\n{}",
        one[from..(at + 4).min(one.len())].join("\n"),
        many[from..(at + 4).min(many.len())].join("\n")
    )
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_bundled_set_lints_the_same_on_any_number_of_threads() {
    let set = crate::loader::load_set(&repository().join("menus")).expect("menus/ loads");
    assert!(assert_same_on_every_thread_count("menus/", &set).is_some());
}

/// Every fixture set (a folder with an `expected.json`) that loads and
/// lints; the load-error fixtures are skipped.
#[test]
fn every_fixture_lints_the_same_on_any_number_of_threads() {
    let mut folders = Vec::new();
    fixture_folders(&repository().join("fixtures"), &mut folders);
    folders.sort();
    let mut linted = 0;
    for folder in &folders {
        let Ok(set) = crate::loader::load_set(folder) else {
            continue;
        };
        if assert_same_on_every_thread_count(&folder.display().to_string(), &set).is_some() {
            linted += 1;
        }
    }
    // Most fixtures are sets that lint: a loop that compared none of them
    // would prove nothing.
    assert!(linted >= 60, "only {linted} fixture sets linted");
}

fn fixture_folders(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.join("expected.json").is_file() {
                found.push(path.clone());
            }
            fixture_folders(&path, found);
        }
    }
}

/// The integration tests' generator of whole sets, wrong in the ways real
/// sets are: every channel, called sub-flows, variables, dead ends, traps.
#[test]
fn generated_sets_lint_the_same_on_any_number_of_threads() {
    for seed in 0..40 {
        let generated = generated_set::generate(seed);
        let Ok(set) = crate::loader::load_texts(PathBuf::from("generated"), &generated.files)
        else {
            continue;
        };
        assert_same_on_every_thread_count(&format!("generated set {seed}"), &set);
    }
}

/// A set of `entries` flows where customers begin, each calling some of
/// `called` sub-flows, the calls after a `set` on some branches so that a
/// sub-flow is entered in some worlds only; each flow a tree of `menus`
/// menus with retries, which gives each (flow, world) walk thousands of
/// states. `states` is the state budget, if any.
fn many_flows(entries: usize, called: usize, menus: usize, states: Option<usize>) -> MenuSet {
    let mut files = Vec::new();
    let mut settings = String::from("touchpoint:\n  limits:\n    depth: 20\n    menu_width: 5\n");
    if let Some(states) = states {
        let _ = writeln!(settings, "    states: {states}");
    }
    files.push(("touchpoint.yaml".to_string(), settings));
    for flow in 0..entries + called {
        let is_called = flow >= entries;
        let name = if is_called {
            format!("sub_{}", flow - entries)
        } else {
            format!("line_{flow}")
        };
        let mut text = format!(
            "flow: {name}\nchannel: phone\nstart: m0\nvars:\n  hours: [open, closed]\n  tier: [basic, gold]\n\
             defaults:\n  no_input: {{ retries: 2, then: agent }}\n  no_match: {{ retries: 2, then: agent }}\n\
             nodes:\n  agent:\n    transfer: advisors\n    open_when: hours == open\n  bye:\n    hangup: Goodbye.\n"
        );
        for menu in 0..menus {
            let child = |k: usize| {
                let next = 2 * menu + k;
                if next < menus {
                    format!("m{next}")
                } else if is_called {
                    "back_out".to_string()
                } else {
                    "bye".to_string()
                }
            };
            let _ = write!(
                text,
                "  m{menu}:\n    menu: For one, press 1. For two, press 2. For three, press 3.\n    options:\n\
                 \x20     - {{ key: \"1\", label: One, goto: {} }}\n\
                 \x20     - {{ key: \"2\", label: Two, goto: {} }}\n\
                 \x20     - {{ key: \"3\", label: Three, goto: leaf{menu} }}\n",
                child(1),
                child(2)
            );
            // Some leaves set a variable and call a sub-flow, so that the
            // sub-flow is entered in the worlds after the `set` only.
            let leaf = if !is_called && called > 0 && menu % 3 == 0 {
                format!(
                    "  leaf{menu}:\n    set: {{ tier: gold }}\n    next: call{menu}\n  call{menu}:\n    call: sub_{}\n    next: bye\n",
                    (flow + menu) % called
                )
            } else if !is_called && called > 0 && menu % 3 == 1 {
                format!(
                    "  leaf{menu}:\n    call: sub_{}\n    next: agent\n",
                    (flow * 7 + menu) % called
                )
            } else if menu % 5 == 4 {
                // A dead end: a message that leads nowhere.
                format!("  leaf{menu}:\n    say: Nothing more here.\n    next: stuck{menu}\n  stuck{menu}:\n    switch:\n      - when: hours == open\n        goto: agent\n")
            } else {
                format!("  leaf{menu}:\n    switch:\n      - when: hours == open\n        goto: agent\n      - goto: bye\n")
            };
            text.push_str(&leaf);
        }
        if is_called {
            text.push_str("  back_out:\n    return: true\n");
        }
        files.push((format!("{name}.yaml"), text));
    }
    crate::loader::load_texts(PathBuf::from("many"), &files).expect("the generated set loads")
}

#[test]
fn many_flows_with_calls_and_variables_lint_the_same_on_any_number_of_threads() {
    let set = many_flows(6, 3, 40, None);
    let analysis = assert_same_on_every_thread_count("many flows", &set).expect("lints");
    assert!(
        analysis.contains("DeadEnd"),
        "the set has dead ends to find"
    );
}

/// The budget is counted over the walks in order, so where it runs out
/// depends on every walk before: budgets spread over the whole walk cut it
/// short in the first flows, in later ones and in the called flows, most
/// of them in the middle of a walk. The smallest run out within the first
/// walks, while the walks beside them on other threads have used up what
/// the phase had left: those stop early, and the first walk is walked
/// again with what was left for it.
#[test]
fn a_walk_cut_short_by_the_state_budget_is_the_same_on_any_number_of_threads() {
    let unbounded = crate::analysis::lint(&many_flows(6, 3, 40, None)).expect("lints");
    let total = unbounded.states;
    // Each walk has to visit more states than a walk counts at a time
    // towards its phase's total, or no walk would stop for the others.
    assert!(
        total > 40 * 1024,
        "{total} states is too few to cut in many places"
    );
    let early = [total / 60, total / 40, total / 25, total / 15];
    let spread = (1..8).map(|eighths| total * eighths / 8 + 7);
    for budget in early.into_iter().chain(spread) {
        let set = many_flows(6, 3, 40, Some(budget));
        let analysis =
            assert_same_on_every_thread_count(&format!("budget {budget}"), &set).expect("lints");
        assert!(
            analysis.contains("stopped at the state budget"),
            "a budget of {budget} of {total} states is hit"
        );
        assert!(analysis.contains(&format!("states: {budget},")));
    }
}
