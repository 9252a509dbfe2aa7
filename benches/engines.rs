//! Benchmark of the fuzzer and the exhaustive walk against the cheapest
//! possible walks over the same compiled arrays.
//!
//! Run it with `cargo bench --bench engines`. Set `TOUCHPOINT_BENCH_NODES`
//! to change the size of the generated phone flow (default 20,000 nodes).
//!
//! Both engines go through `Machine::settle`/`Machine::step` and do real
//! work on top (an oracle, coverage, proptest's runner; a state table,
//! findings, traps). The question this bench answers is how much that
//! costs compared with walking the compiled `Graph` arrays directly, so
//! every figure is a rate over the same `Graph` and is printed next to a
//! plain baseline:
//!
//! * fuzzer: steps per second of `touchpoint::fuzz::fuzz`, of a loop that
//!   calls `touchpoint::fuzz::judge` alone, and of a bare random walk that
//!   picks random enabled options with no oracle and no shrinking;
//! * exhaustive walk: states per second of `touchpoint::analysis::lint`
//!   versus a bare breadth-first search over `(node, world)` with a
//!   `Vec<bool>` of visited nodes and no findings.
//!
//! The generator of the flow is copied from `benches/lint.rs`, because a
//! bench with its own `main` cannot be included as a module.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use touchpoint::analysis::{lint, worlds};
use touchpoint::fuzz::{fuzz, judge, Customer, FuzzOptions, Limits};
use touchpoint::graph::{compile, Graph, Kind, NodeIx, NONE};
use touchpoint::loader::load_set;
use touchpoint::machine::{Choice, Machine, Quiet, Rules, Settled, State, Step};
use touchpoint::model::{Channel, MenuSet};

// ---------------------------------------------------------------------------
// Deterministic generator
// ---------------------------------------------------------------------------

/// A xorshift64 generator with a fixed seed: the flow must be the same on
/// every run and every machine so that figures can be compared over time, and
/// the bench should not pull in the `rand` crate for this.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`. The modulo bias is irrelevant for a benchmark.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

/// What a menu option is about: the words its prompt uses ("For billing and
/// payments, press 1."), the label a caller could click on other channels, and
/// the speech phrase it understands. None of these words is a number word or
/// a press-verb, so the prompt announces exactly the keys the menu takes.
const TOPICS: &[(&str, &str)] = &[
    ("Billing and payments", "billing"),
    ("Power outages", "outage"),
    ("Water emergencies", "emergency"),
    ("Starting service", "start"),
    ("Stopping service", "stop"),
    ("Moving house", "moving"),
    ("Meter readings", "meter"),
    ("Payment plans", "plan"),
    ("Paperless billing", "paperless"),
    ("Autopay", "autopay"),
    ("Water quality", "quality"),
    ("Street lights", "street lights"),
    ("Trees near power lines", "trees"),
    ("Rebates and incentives", "rebates?"),
    ("Solar panels", "solar"),
    ("Electric vehicle charging", "charging"),
    ("High bills", "high bill"),
    ("Refunds", "refunds?"),
    ("Account changes", "account"),
    ("Business accounts", "business"),
    ("Landlords and property managers", "landlord"),
    ("Construction and new connections", "construction"),
    ("Leaks", "leaks?"),
    ("Sewer backups", "sewer"),
    ("Storm damage", "storm"),
    ("Planned maintenance", "maintenance"),
    ("Energy savings tips", "savings"),
    ("Medical equipment registration", "medical"),
    ("Collections and shut off notices", "notices?"),
    ("Deposits", "deposits?"),
    ("Tax questions", "tax"),
    ("Careers", "careers?"),
];

/// The kinds of subtree a menu option can lead to, with how often each one
/// is picked. Menus are common enough that the tree keeps growing until the
/// node budget is spent.
#[derive(Clone, Copy, PartialEq)]
enum Child {
    /// Another menu (1 node, later at least 3 children).
    Menu,
    /// An announcement, then another menu (2 nodes, later at least 3 more).
    SayThenMenu,
    /// An announcement, then a leaf (2 nodes).
    SayThenLeaf,
    /// An account-number question, then a leaf (2 nodes).
    Ask,
    /// A switch on opening hours: a person when open, a message when closed
    /// (3 nodes).
    Switch,
    /// Self-service done (1 node).
    End,
    /// Hand-over to a person (1 node).
    Transfer,
}

const CHILD_WEIGHTS: &[(Child, usize)] = &[
    (Child::Menu, 30),
    (Child::SayThenMenu, 8),
    (Child::SayThenLeaf, 10),
    (Child::Ask, 12),
    (Child::Switch, 5),
    (Child::End, 20),
    (Child::Transfer, 15),
];

/// Every menu needs at least this many options, so each queued menu holds
/// this many nodes of the budget in reserve.
const MIN_OPTIONS: usize = 3;

impl Child {
    /// Nodes this subtree takes from the budget, counting the reserve of a
    /// new menu's future children, so the flow never runs over its size.
    fn cost(self) -> usize {
        match self {
            Child::Menu => 1 + MIN_OPTIONS,
            Child::SayThenMenu => 2 + MIN_OPTIONS,
            Child::SayThenLeaf | Child::Ask => 2,
            Child::Switch => 3,
            Child::End | Child::Transfer => 1,
        }
    }
}

/// How many nodes of each kind the generator wrote, for the report.
#[derive(Default, Debug)]
struct Counts {
    menu: usize,
    say: usize,
    ask: usize,
    switch: usize,
    end: usize,
    transfer: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.menu + self.say + self.ask + self.switch + self.end + self.transfer
    }
}

/// The topic's speech phrase as an identifier: `street lights` becomes
/// `street_lights`, `rebates?` becomes `rebates`.
fn slug(topic: usize) -> String {
    TOPICS[topic]
        .1
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .map(|c| if c == ' ' { '_' } else { c })
        .collect()
}

/// Writes the flow as YAML text, node by node, in breadth-first order.
struct Generator {
    rng: XorShift,
    out: String,
    counts: Counts,
    next_id: usize,
}

impl Generator {
    /// A fresh node id that says what the node is about, as real flows do
    /// (`billing_menu_12`), so the file has realistic key lengths.
    fn id(&mut self, topic: usize, kind: &str) -> String {
        self.next_id += 1;
        format!("{}_{kind}_{}", slug(topic), self.next_id)
    }

    /// Appends `text` as a folded block scalar (`>-`) wrapped near 78
    /// columns, the way people write long prompts.
    fn folded(&mut self, key: &str, text: &str) {
        let indent = "      ";
        let _ = write!(self.out, "    {key}: >-\n{indent}");
        let mut column = indent.len();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                if column + 1 + word.len() > 78 {
                    let _ = write!(self.out, "\n{indent}");
                    column = indent.len();
                } else {
                    self.out.push(' ');
                    column += 1;
                }
            }
            self.out.push_str(word);
            column += word.len();
        }
        self.out.push('\n');
    }

    fn pick_child(&mut self, avail: usize) -> Child {
        let fitting: Vec<(Child, usize)> = CHILD_WEIGHTS
            .iter()
            .copied()
            .filter(|(c, _)| c.cost() <= avail)
            .collect();
        let total: usize = fitting.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.below(total);
        for (child, weight) in fitting {
            if roll < weight {
                return child;
            }
            roll -= weight;
        }
        unreachable!("the weights cover the roll")
    }

    /// Self-service done. `closed` ends tell callers when to call back
    /// instead, as the closed branch of an opening-hours switch does.
    fn end(&mut self, id: &str, topic: usize, closed: bool) {
        self.counts.end += 1;
        let what = TOPICS[topic].0.to_lowercase();
        let text = if closed {
            format!(
                "Our {what} team is available Monday to Friday, from eight in the morning \
                 until six in the evening. Please call back then. Goodbye."
            )
        } else {
            format!(
                "We have sent you a text message with a secure link about {what}. \
                 You can also find this at our website at any time. Goodbye."
            )
        };
        let _ = writeln!(self.out, "  {id}:");
        self.folded("end", &text);
        self.out.push_str("    serves: []\n");
    }

    fn transfer(&mut self, id: &str, topic: usize) {
        self.counts.transfer += 1;
        let _ = writeln!(self.out, "  {id}:\n    transfer: {}_queue", slug(topic));
    }

    /// A leaf: self-service done or a person, at random.
    fn leaf(&mut self, topic: usize) -> String {
        if self.rng.percent(55) {
            let id = self.id(topic, "done");
            self.end(&id, topic, false);
            id
        } else {
            let id = self.id(topic, "line");
            self.transfer(&id, topic);
            id
        }
    }

    fn say(&mut self, id: &str, topic: usize, next: &str) {
        self.counts.say += 1;
        let what = TOPICS[topic].0.to_lowercase();
        let _ = writeln!(self.out, "  {id}:");
        self.folded(
            "say",
            &format!("Please listen carefully, as our options about {what} have recently changed."),
        );
        let _ = writeln!(self.out, "    next: {next}");
    }

    /// Writes one menu: its prompt announces exactly the keys of its visible
    /// options; the optional hidden `0` is guarded by opening hours, which
    /// is why it must not be announced (callers out of hours would press a
    /// key that does nothing). `forgiving` menus allow one more silence.
    fn menu(&mut self, id: &str, options: &[(usize, String)], forgiving: bool) {
        self.counts.menu += 1;
        let mut prompt = String::new();
        for (n, (topic, _)) in options.iter().enumerate() {
            let what = TOPICS[*topic].0.to_lowercase();
            if n > 0 {
                prompt.push(' ');
            }
            let _ = write!(prompt, "For {what}, press {}.", n + 1);
        }
        let _ = writeln!(self.out, "  {id}:");
        self.folded("menu", &prompt);
        self.out.push_str("    options:\n");
        for (n, (topic, goto)) in options.iter().enumerate() {
            let (label, speech) = TOPICS[*topic];
            let _ = write!(
                self.out,
                "      - key: \"{}\"\n        label: {label}\n        speech: [\"{speech}\"]\n        goto: {goto}\n",
                n + 1
            );
        }
        // About a third of the menus let callers reach a person with 0 while
        // the offices are open, without announcing it.
        if self.rng.percent(35) {
            self.out.push_str(
                "      - key: \"0\"\n        label: Speak to an advisor\n        hidden: true\n        \
                 fallback: true\n        when: hours == open\n        goto: agent\n",
            );
        }
        // A few menus are more forgiving of silence than the defaults, as
        // real flows are where callers need to look something up.
        if forgiving {
            self.out
                .push_str("    no_input: { retries: 3, then: agent }\n");
        }
    }
}

/// The generated set: flow text, settings text and what it holds.
struct Generated {
    flow: String,
    settings: String,
    counts: Counts,
}

/// Generates a phone flow of about `nodes` nodes (exactly `nodes` unless the
/// last menus cannot use up the budget, which leaves it a few short).
fn generate(nodes: usize) -> Generated {
    // Fixed nodes: `welcome`, `agent`, the first menu and its reserve.
    let nodes = nodes.max(2 + 1 + MIN_OPTIONS);
    let mut g = Generator {
        rng: XorShift(0x9E37_79B9_7F4A_7C15),
        out: String::with_capacity(nodes * 200),
        counts: Counts::default(),
        next_id: 0,
    };
    g.out.push_str(
        "flow: main\nchannel: phone\ntitle: Acme Power and Water customer line (generated)\nstart: welcome\n\n\
         vars:\n  hours: [open, closed]\n\n\
         defaults:\n  no_input: { retries: 2, then: agent }\n  no_match: { retries: 2, then: agent }\n\n\
         nodes:\n",
    );
    g.say_welcome();
    g.counts.transfer += 1;
    g.out.push_str("  agent:\n    transfer: advisor_queue\n");

    // `created` counts nodes written or named; `reserved` is the budget held
    // back for the minimum options of menus still in the queue.
    let first = g.id(0, "menu");
    let mut queue = std::collections::VecDeque::from([(first, 0usize)]);
    let mut created = 3;
    let mut reserved = MIN_OPTIONS;

    while let Some((menu_id, _topic)) = queue.pop_front() {
        reserved -= MIN_OPTIONS;
        let mut budget = nodes - created - reserved;
        let width = g.rng.between(MIN_OPTIONS, 5).min(budget);
        // Distinct topics per menu, so no two options say the same thing.
        let mut topics: Vec<usize> = Vec::with_capacity(width);
        while topics.len() < width {
            let t = g.rng.below(TOPICS.len());
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        let mut options = Vec::with_capacity(width);
        let mut grew = false;
        for (n, &topic) in topics.iter().enumerate() {
            // Leave at least one node for each option still to come.
            let avail = budget - (width - n - 1);
            let mut child = g.pick_child(avail);
            // Never let the tree die out while budget remains: the last
            // option of the last queued menu becomes a menu if it can.
            if n + 1 == width && queue.is_empty() && !grew && avail >= Child::Menu.cost() {
                child = Child::Menu;
            }
            budget -= child.cost();
            let goto = match child {
                Child::Menu | Child::SayThenMenu => {
                    grew = true;
                    let sub = g.id(topic, "menu");
                    created += 1;
                    reserved += MIN_OPTIONS;
                    queue.push_back((sub.clone(), topic));
                    if child == Child::SayThenMenu {
                        let say = g.id(topic, "info");
                        created += 1;
                        g.say(&say, topic, &sub);
                        say
                    } else {
                        sub
                    }
                }
                Child::SayThenLeaf => {
                    let say = g.id(topic, "info");
                    let leaf = g.leaf(topic);
                    created += 2;
                    g.say(&say, topic, &leaf);
                    say
                }
                Child::Ask => {
                    let ask = g.id(topic, "account");
                    let leaf = g.leaf(topic);
                    created += 2;
                    g.counts.ask += 1;
                    let _ = write!(
                        g.out,
                        "  {ask}:\n    ask: Please enter your eight-digit account number.\n    \
                         pattern: \"[0-9]{{8}}\"\n    save: account\n    goto: {leaf}\n    \
                         invalid: {{ retries: 2, then: agent }}\n    no_input: {{ retries: 2, then: agent }}\n"
                    );
                    ask
                }
                Child::Switch => {
                    let switch = g.id(topic, "hours");
                    let open = g.id(topic, "line");
                    let closed = g.id(topic, "closed");
                    created += 3;
                    g.counts.switch += 1;
                    let _ = write!(
                        g.out,
                        "  {switch}:\n    switch:\n      - when: hours == open\n        goto: {open}\n      \
                         - goto: {closed}\n"
                    );
                    g.transfer(&open, topic);
                    g.end(&closed, topic, true);
                    switch
                }
                Child::End => {
                    let id = g.id(topic, "done");
                    created += 1;
                    g.end(&id, topic, false);
                    id
                }
                Child::Transfer => {
                    let id = g.id(topic, "line");
                    created += 1;
                    g.transfer(&id, topic);
                    id
                }
            };
            options.push((topic, goto));
        }
        let forgiving = g.rng.percent(10);
        g.menu(&menu_id, &options, forgiving);
    }

    let settings = "# Raised so that the generated flow, deep and wide by design, is clean.\n\
                    touchpoint:\n  limits: { depth: 1000, menu_width: 10, states: 10000000 }\n"
        .to_string();
    Generated {
        flow: g.out,
        settings,
        counts: g.counts,
    }
}

impl Generator {
    fn say_welcome(&mut self) {
        self.counts.say += 1;
        // The first menu gets the first id the generator hands out.
        let first = format!("{}_menu_{}", TOPICS[0].1, self.next_id + 1);
        let _ = writeln!(self.out, "  welcome:");
        self.folded(
            "say",
            "Thank you for calling Acme Power and Water. If you see a downed power line, \
             hang up and call emergency services right away.",
        );
        let _ = writeln!(self.out, "    next: {first}");
    }
}

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

const RUNS: usize = 5;

/// The fuzzer's default seed and step limit, so that the bench measures the
/// fuzzer as `touchpoint fuzz` runs it.
const SEED: u64 = 42;
const MAX_STEPS: usize = 64;

/// Each timed run lasts at least this long, so that the clock's resolution
/// and one-off costs (such as compiling the graph inside `fuzz`) stay small
/// against the work measured.
const MIN_RUN: Duration = Duration::from_millis(250);

/// The rates of the runs of one measurement, in units per second.
struct Rates {
    per_second: Vec<f64>,
    /// Units done in one run, the same for every run.
    units: u64,
}

impl Rates {
    /// The fastest run, which is the one least disturbed by the machine.
    fn best(&self) -> f64 {
        self.per_second.iter().copied().fold(f64::MIN, f64::max)
    }

    fn median(&self) -> f64 {
        let mut sorted = self.per_second.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    }

    /// The same runs counted in another unit: `factor` units of the new kind
    /// for each unit of this one.
    fn scaled(&self, factor: f64) -> Rates {
        Rates {
            per_second: self.per_second.iter().map(|r| r * factor).collect(),
            units: (self.units as f64 * factor).round() as u64,
        }
    }
}

/// Finds how much work (`size`) makes one call of `f` last at least
/// `MIN_RUN`, doubling from `size`, so that fast and slow measurements are
/// all timed over comparable stretches.
fn calibrate(mut size: usize, mut f: impl FnMut(usize) -> u64) -> usize {
    loop {
        let start = Instant::now();
        black_box(f(size));
        if start.elapsed() >= MIN_RUN {
            return size;
        }
        size *= 2;
    }
}

/// Runs `f` `RUNS` times. `f` returns the units of work it did, which must
/// be the same every run, since every run is meant to do the same work.
fn measure(mut f: impl FnMut() -> u64) -> Rates {
    let mut per_second = Vec::with_capacity(RUNS);
    let mut units = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let done = black_box(f());
        let elapsed = start.elapsed();
        assert!(
            units.is_none_or(|u| u == done),
            "every run of a measurement must do the same work"
        );
        units = Some(done);
        per_second.push(done as f64 / elapsed.as_secs_f64());
    }
    Rates {
        per_second,
        units: units.expect("at least one run"),
    }
}

/// Times of `f` over `RUNS` runs, best and median, for the costs that are
/// reported as times rather than rates.
fn times(mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[times.len() / 2])
}

// ---------------------------------------------------------------------------
// Baselines: the cheapest walks over the compiled arrays
// ---------------------------------------------------------------------------

/// Which switch entry a customer takes in the world `vars`.
fn switch_target(graph: &Graph, entries: &std::ops::Range<u32>, vars: u64) -> NodeIx {
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
fn bare_walk(
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
                Kind::Set { .. } | Kind::Call { .. } | Kind::Return => {
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
fn bare_bfs(graph: &Graph, worlds: &[u64], visited: &mut [bool], queue: &mut Vec<NodeIx>) -> u64 {
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
                    Kind::Return | Kind::Transfer | Kind::End | Kind::Hangup => {}
                }
            }
        }
    }
    states
}

// ---------------------------------------------------------------------------
// The fuzzer's choices, replayed to count steps
// ---------------------------------------------------------------------------

// `touchpoint::fuzz` reports customers, not steps, and its helpers
// `other_moves`, `goal_move` and the run generator are private. The
// functions below restate them for the aimless customers of a set without an
// intents catalogue (which the generated set is), so that steps can be
// counted outside the clock. They are kept to the same order and rules as
// `src/fuzz/judge.rs` and `src/fuzz/run_tree.rs`.

/// The moves other than the goal-directed one, as `judge::other_moves`.
fn other_moves(machine: &Machine, state: &State, out: &mut Vec<Choice>) {
    let graph = machine.graph;
    out.clear();
    match &graph.nodes[state.node as usize].kind {
        Kind::Menu { back, .. } => {
            let mut offered = Vec::new();
            machine.offered(state, &mut offered);
            out.extend(offered.into_iter().map(Choice::Option));
            if !graph.is_visual() {
                out.push(Choice::NoMatch);
            }
            out.push(Choice::NoInput);
            if graph.is_visual() && (*back != NONE || state.prev != NONE) {
                out.push(Choice::Back);
            }
        }
        Kind::Ask { invalid_answer, .. } => {
            if invalid_answer.is_some() {
                out.push(Choice::Invalid);
            }
            out.push(Choice::NoInput);
            if graph.is_visual() && state.prev != NONE {
                out.push(Choice::Back);
            }
        }
        _ => {}
    }
}

/// The goal-directed move of an aimless customer, as `judge::goal_move`:
/// the first offered visible option, or the valid answer.
fn goal_move(machine: &Machine, state: &State) -> Option<Choice> {
    match &machine.graph.nodes[state.node as usize].kind {
        Kind::Menu { .. } => machine.fitting_option(state, None).map(Choice::Option),
        Kind::Ask {
            valid_answer: Some(_),
            ..
        } => Some(Choice::Valid),
        _ => None,
    }
}

/// The steps `judge` takes on `actions`: one per choice it applies with
/// `Machine::step`, until the run ends or `MAX_STEPS` is reached (missing
/// actions are the goal-directed move, as in `judge`).
fn judged_steps(machine: &mut Machine, start: NodeIx, world: u64, actions: &[u16]) -> u64 {
    let mut others = Vec::new();
    let mut settled = machine.settle(start, world, 0, NONE, &mut Quiet);
    let mut steps = 0;
    for step in 0..MAX_STEPS {
        let Settled::Waiting(state) = settled else {
            break;
        };
        let action = actions.get(step).copied().unwrap_or(0);
        other_moves(machine, &state, &mut others);
        let choice = if action == 0 || others.is_empty() {
            match goal_move(machine, &state) {
                Some(choice) => choice,
                None => break,
            }
        } else {
            others[(action as usize - 1) % others.len()]
        };
        steps += 1;
        match machine.step(&state, choice, &mut Quiet) {
            Step::Moved(next) => settled = next,
            Step::Reprompt(next) => settled = Settled::Waiting(next),
            Step::Dropped(_) => break,
            Step::Ignored | Step::Unavailable => {}
        }
    }
    steps
}

/// The fuzzer's coverage of option and handler edges, as `fuzz::Coverage`.
struct Coverage {
    options: Vec<bool>,
    handlers: HashSet<(NodeIx, u8)>,
}

impl Coverage {
    fn handler_key(choice: Choice) -> Option<u8> {
        match choice {
            Choice::NoInput => Some(0),
            Choice::NoMatch | Choice::Invalid => Some(1),
            _ => None,
        }
    }

    fn taken(&self, state: &State, choice: Choice) -> bool {
        match choice {
            Choice::Option(i) => self.options[i as usize],
            other => Coverage::handler_key(other)
                .is_none_or(|k| self.handlers.contains(&(state.node, k))),
        }
    }

    fn record(&mut self, state: &State, choice: Choice, step: &Step) {
        if matches!(step, Step::Unavailable | Step::Ignored | Step::Dropped(_)) {
            return;
        }
        match choice {
            Choice::Option(i) => self.options[i as usize] = true,
            other => {
                if let Some(k) = Coverage::handler_key(other) {
                    self.handlers.insert((state.node, k));
                }
            }
        }
    }
}

/// The steps `customers` fuzzed customers take, generated the way
/// `run_tree::generate_actions` does (coverage-guided: 35% an untaken edge
/// when there is one, 40% the goal-directed move, the rest a random other
/// move). The fuzzer draws from proptest's ChaCha generator and this from
/// xorshift, so the count is an estimate of the same distribution, not the
/// fuzzer's exact count. When no run fails, `judge` replays exactly the
/// generated steps, so these are also the steps judged. Also returns the
/// option and handler edges covered, to compare with the fuzzer's summary as
/// a check that the restatement behaves like the original.
fn fuzz_steps_estimate(
    machine: &mut Machine,
    worlds: &[u64],
    entry_flows: &[u32],
    customers: usize,
    rng: &mut XorShift,
) -> (u64, usize) {
    let graph = machine.graph;
    let mut coverage = Coverage {
        options: vec![false; graph.options.len()],
        handlers: HashSet::new(),
    };
    let mut others = Vec::new();
    let mut steps = 0u64;
    for _ in 0..customers {
        let world = worlds[rng.below(worlds.len())];
        let start = graph.flows[entry_flows[rng.below(entry_flows.len())] as usize].start;
        let mut settled = machine.settle(start, world, 0, NONE, &mut Quiet);
        for _ in 0..MAX_STEPS {
            let Settled::Waiting(state) = settled else {
                break;
            };
            other_moves(machine, &state, &mut others);
            let untaken: Vec<usize> = (0..others.len())
                .filter(|&i| !coverage.taken(&state, others[i]))
                .collect();
            let roll = rng.below(100);
            let choice = if !untaken.is_empty() && roll < 35 {
                others[untaken[rng.below(untaken.len())]]
            } else if roll < 75 || others.is_empty() {
                match goal_move(machine, &state) {
                    Some(choice) => choice,
                    None => break,
                }
            } else {
                others[rng.below(others.len())]
            };
            steps += 1;
            let step = machine.step(&state, choice, &mut Quiet);
            coverage.record(&state, choice, &step);
            settled = match step {
                Step::Moved(next) => next,
                Step::Reprompt(next) => Settled::Waiting(next),
                Step::Ignored | Step::Unavailable => Settled::Waiting(state),
                Step::Dropped(_) => break,
            };
        }
    }
    let covered = coverage.options.iter().filter(|&&t| t).count() + coverage.handlers.len();
    (steps, covered)
}

// ---------------------------------------------------------------------------
// Setup and report
// ---------------------------------------------------------------------------

/// Lints the set once and insists that it is clean: a flow with findings
/// would make both engines record and shrink findings instead of walking,
/// and would mean the generator is not producing what it claims to.
fn check_clean(set: &MenuSet) {
    let analysis = lint(set).expect("the generated flow compiles");
    for f in analysis.findings.iter().take(10) {
        println!(
            "  {} at `{}` (line {}): {}",
            f.code, f.node, f.line, f.message
        );
    }
    for note in &analysis.notes {
        println!("  note: {note}");
    }
    assert!(
        analysis.findings.is_empty() && analysis.notes.is_empty(),
        "fix the generator: the generated flow must lint clean"
    );
}

fn rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.1} k/s", r / 1e3)
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "NOT MET"
    }
}

fn row(name: &str, units: String, r: &Rates) {
    println!(
        "{name:<40} {units:>14} {:>12} {:>12}",
        rate(r.best()),
        rate(r.median())
    );
}

fn ratio_row(name: &str, engine: &Rates, baseline: &Rates) {
    println!(
        "{name:<40} {:>14} {:>11.3}x {:>11.3}x",
        "",
        engine.best() / baseline.best(),
        engine.median() / baseline.median()
    );
}

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since this harness runs everything in one go.
    let nodes: usize = match std::env::var("TOUCHPOINT_BENCH_NODES") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("TOUCHPOINT_BENCH_NODES must be a whole number"),
        Err(_) => 20_000,
    };

    let generated = generate(nodes);
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("main.yaml"), &generated.flow).expect("write main.yaml");
    std::fs::write(dir.path().join("touchpoint.yaml"), &generated.settings)
        .expect("write touchpoint.yaml");
    let c = &generated.counts;
    println!(
        "generated {} nodes ({} menus, {} say, {} ask, {} switch, {} end, {} transfer), {} bytes",
        c.total(),
        c.menu,
        c.say,
        c.ask,
        c.switch,
        c.end,
        c.transfer,
        generated.flow.len()
    );

    // Loading is outside every clock: both engines and both baselines start
    // from the loaded set.
    let set = load_set(dir.path()).expect("the generated set loads");
    check_clean(&set);
    let graph = compile(&set, Channel::Phone).expect("the generated flow compiles");
    // Without a catalogue every fuzzed customer is aimless, which is what
    // the step counting below restates.
    assert!(
        graph.intents.is_empty(),
        "the step counting assumes a set without intents"
    );
    let worlds = worlds(&graph);
    let entry_flows: Vec<u32> = (0..graph.flows.len() as u32)
        .filter(|&f| !graph.flows[f as usize].called)
        .collect();
    let start = graph.flows[entry_flows[0] as usize].start;
    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    // `fuzz` and `lint` compile the graph inside the clock; the baselines
    // reuse this one. Its cost is printed so the difference can be judged.
    let (compile_best, compile_median) = times(|| {
        black_box(compile(&set, Channel::Phone).expect("compiles"));
    });

    // --- Fuzzer -----------------------------------------------------------

    let fuzz_options = |runs: usize| FuzzOptions {
        seed: SEED,
        runs,
        deadline: None,
        max_steps: MAX_STEPS,
    };
    let run_fuzz = |runs: usize| -> u64 {
        let outcome = fuzz(&set, &fuzz_options(runs), &mut |_| {}).expect("fuzzes");
        // A failure would add shrinking and replay to the time: on a clean
        // flow there must be none, or the figure means something else.
        assert!(
            outcome.findings.is_empty() && outcome.notes.is_empty(),
            "the fuzzer found something on a lint-clean flow"
        );
        outcome.summary.runs as u64
    };
    let fuzz_runs = calibrate(1_000, run_fuzz);
    let fuzz_customers = measure(|| run_fuzz(fuzz_runs));
    let summary = fuzz(&set, &fuzz_options(fuzz_runs), &mut |_| {})
        .expect("fuzzes")
        .summary;
    let mut machine = Machine::new(&graph, rules);
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let (fuzz_steps, replica_covered) =
        fuzz_steps_estimate(&mut machine, &worlds, &entry_flows, fuzz_runs, &mut rng);
    let steps_per_customer = fuzz_steps as f64 / fuzz_runs as f64;
    let fuzz_rates = fuzz_customers.scaled(steps_per_customer);

    // The oracle alone: random action vectors, with the fuzzer's share of
    // goal-directed moves (40%), judged one after another. The vectors and
    // their step counts are made outside the clock.
    const POOL: usize = 4_096;
    let pool: Vec<(Customer, u64, Vec<u16>, u64)> = (0..POOL)
        .map(|_| {
            let w = rng.below(worlds.len());
            let flow = entry_flows[rng.below(entry_flows.len())];
            let actions: Vec<u16> = (0..MAX_STEPS)
                .map(|_| {
                    if rng.percent(40) {
                        0
                    } else {
                        1 + rng.below(8) as u16
                    }
                })
                .collect();
            let steps = judged_steps(
                &mut machine,
                graph.flows[flow as usize].start,
                worlds[w],
                &actions,
            );
            let customer = Customer {
                intent: None,
                aimless: true,
                words: "",
                world: w as u32,
                flow,
            };
            (customer, worlds[w], actions, steps)
        })
        .collect();
    let limits = Limits {
        max_steps: MAX_STEPS,
    };
    let mut run_judge = |customers: usize| -> u64 {
        let mut steps = 0;
        for (customer, world, actions, counted) in pool.iter().cycle().take(customers) {
            let verdict = judge(&mut machine, customer, *world, actions, &limits);
            assert!(verdict.is_ok(), "judge failed a run on a lint-clean flow");
            steps += counted;
        }
        steps
    };
    let judge_customers = calibrate(POOL, &mut run_judge);
    let judge_rates = measure(|| run_judge(judge_customers));

    let mut enabled = Vec::new();
    let mut walk_rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut walks = 0;
    let mut run_walk = |steps: usize| -> u64 {
        // The same seed every run, so that every run walks the same paths.
        walk_rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let (taken, begun) = bare_walk(
            &graph,
            &worlds,
            start,
            steps as u64,
            &mut walk_rng,
            &mut enabled,
        );
        walks = begun;
        taken
    };
    let walk_steps = calibrate(1 << 16, &mut run_walk);
    let walk_rates = measure(|| run_walk(walk_steps));
    // Customers are compared as well as steps: when walks are short, what a
    // customer costs before its first step decides the step rate.
    let walk_customers = walk_rates.scaled(walks as f64 / walk_rates.units as f64);
    let judge_per_customer = judge_rates.units as f64 / judge_customers as f64;
    let judge_customer_rates = judge_rates.scaled(1.0 / judge_per_customer);

    // --- Exhaustive walk --------------------------------------------------

    let mut lint_states = 0u64;
    let lint_rates = measure(|| {
        let analysis = lint(&set).expect("lints");
        lint_states = analysis.states as u64;
        lint_states
    });
    let mut visited = vec![false; graph.nodes.len()];
    let mut queue = Vec::with_capacity(graph.nodes.len());
    let bfs_states = bare_bfs(&graph, &worlds, &mut visited, &mut queue);
    let mut run_bfs = |repeats: usize| -> u64 {
        (0..repeats)
            .map(|_| bare_bfs(&graph, &worlds, &mut visited, &mut queue))
            .sum()
    };
    let bfs_repeats = calibrate(1, &mut run_bfs);
    let bfs_rates = measure(|| run_bfs(bfs_repeats));

    // --- Report -----------------------------------------------------------

    println!();
    println!("nodes                        {}", graph.nodes.len());
    println!("options                      {}", graph.options.len());
    println!("worlds                       {}", worlds.len());
    println!("runs per measurement         {RUNS} (best and median of the rates)");
    println!(
        "compile (inside fuzz, lint)  {:.1} ms best, {:.1} ms median",
        compile_best.as_secs_f64() * 1e3,
        compile_median.as_secs_f64() * 1e3
    );
    println!(
        "fuzz: {} customers per run, {}/{} edges covered, {} failures",
        summary.runs, summary.edges_covered, summary.edges, summary.failures
    );
    println!(
        "fuzz: {steps_per_customer:.2} steps per customer (estimated by replaying the generator's rules; \
         the replay covered {replica_covered} edges)"
    );
    println!("judge loop: {judge_customers} customers per run, {judge_per_customer:.2} steps per customer");
    println!(
        "bare walk: {} steps per run, {:.2} steps per walk",
        walk_rates.units,
        walk_rates.units as f64 / walks as f64
    );
    println!("bare BFS: {bfs_repeats} searches per run, {bfs_states} states each");
    println!("lint: {lint_states} states");
    println!();
    println!(
        "{:<40} {:>14} {:>12} {:>12}",
        "measurement", "units per run", "best", "median"
    );
    row(
        "fuzz(): customers",
        format!("{}", fuzz_customers.units),
        &fuzz_customers,
    );
    row(
        "fuzz(): steps (estimated)",
        format!("{}", fuzz_rates.units),
        &fuzz_rates,
    );
    row(
        "judge() loop: customers",
        format!("{}", judge_customer_rates.units),
        &judge_customer_rates,
    );
    row(
        "judge() loop: steps",
        format!("{}", judge_rates.units),
        &judge_rates,
    );
    row(
        "bare random walk: walks",
        format!("{}", walk_customers.units),
        &walk_customers,
    );
    row(
        "bare random walk: steps",
        format!("{}", walk_rates.units),
        &walk_rates,
    );
    row(
        "lint(): states",
        format!("{}", lint_rates.units),
        &lint_rates,
    );
    row(
        "bare BFS (node, world): states",
        format!("{}", bfs_rates.units),
        &bfs_rates,
    );
    println!();
    println!("{:<40} {:>14} {:>12} {:>12}", "ratio", "", "best", "median");
    ratio_row("fuzz() steps / bare walk steps", &fuzz_rates, &walk_rates);
    ratio_row("judge() steps / bare walk steps", &judge_rates, &walk_rates);
    ratio_row(
        "fuzz() customers / bare walks",
        &fuzz_customers,
        &walk_customers,
    );
    ratio_row(
        "judge() customers / bare walks",
        &judge_customer_rates,
        &walk_customers,
    );
    ratio_row("lint() states / bare BFS states", &lint_rates, &bfs_rates);
    println!();
    // The target is judged on the fuzzer as users run it, best against
    // best, which is the comparison least affected by noise.
    let fuzz_ratio = fuzz_rates.best() / walk_rates.best();
    println!(
        "target: fuzzer >= 1/3 of bare walk   {} ({:.4}x, needs {:.1}x faster)",
        verdict(fuzz_ratio >= 1.0 / 3.0),
        fuzz_ratio,
        (1.0 / 3.0) / fuzz_ratio
    );
}
