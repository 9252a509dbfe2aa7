//! Benchmark of `touchpoint lint` on a large, realistic, generated phone flow.
//!
//! Run it with `cargo bench --bench lint`. Set `TOUCHPOINT_BENCH_NODES` to
//! change the size of the flow (default 20,000 nodes), and
//! `TOUCHPOINT_BENCH_KEEP=1` to keep the generated set for a closer look.
//!
//! The bench has its own harness because it measures peak heap memory as well
//! as time, which needs a counting global allocator that a generic harness
//! would disturb. Every measurement runs on the same generated file, so the
//! numbers can be compared with each other:
//!
//! * (a) parsing the file text into a `serde_yaml::Value`, a baseline for what
//!   reading YAML of this size costs at all;
//! * (b) `touchpoint::loader::load_set`, which reads, parses, decodes and
//!   validates the set;
//! * (c) `load_set` followed by `touchpoint::analysis::lint`, which is what
//!   `touchpoint lint PATH` does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use touchpoint::analysis::lint;
use touchpoint::loader::load_set;

// ---------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------

/// Wraps the system allocator and keeps the bytes currently allocated and the
/// highest value that count reached. Peak heap is what decides whether a large
/// menu set fits on a CI runner, so it is measured directly rather than
/// estimated from the resident set size, which also counts code and freed
/// pages the allocator keeps.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(by: usize) {
        let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(by: usize) {
        CURRENT.fetch_sub(by, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the wrapper only
// updates two counters and never touches the memory itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        Counting::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        // A failed realloc leaves the old block in place, so nothing changed.
        if !new.is_null() {
            if new_size >= layout.size() {
                Counting::grew(new_size - layout.size());
            } else {
                Counting::shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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

/// Times and peak heap of the runs of one measurement.
struct Measured {
    times: Vec<Duration>,
    peaks: Vec<usize>,
}

impl Measured {
    fn best_time(&self) -> Duration {
        *self.times.iter().min().expect("at least one run")
    }

    fn median_time(&self) -> Duration {
        let mut sorted = self.times.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    }

    /// Peak heap is nearly the same every run; the largest is reported so
    /// the memory target is judged on the worst case.
    fn max_peak(&self) -> usize {
        *self.peaks.iter().max().expect("at least one run")
    }
}

/// Runs `f` `RUNS` times. Before each run the peak is reset to the current
/// level, and the peak is read relative to that level, so each figure is the
/// extra heap the measured work needed at its highest point, including what
/// it returns. The result is dropped after the clock stops, because freeing
/// is not part of what a user waits for before seeing the report.
fn measure<T>(mut f: impl FnMut() -> T) -> Measured {
    let mut measured = Measured {
        times: Vec::new(),
        peaks: Vec::new(),
    };
    for _ in 0..RUNS {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let out = black_box(f());
        measured.times.push(start.elapsed());
        measured.peaks.push(PEAK.load(Ordering::Relaxed) - base);
        drop(out);
    }
    measured
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "NOT MET"
    }
}

/// Loads and lints the set once and insists that it is clean: a benchmark
/// on a flow with findings would measure the recording of findings rather
/// than the walk, and would mean the generator is not producing what it
/// claims to. Returns the number of states walked.
fn check_clean(dir: &Path) -> usize {
    let set = match load_set(dir) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("the generated set does not load: {e}");
            for line in e.plain_lines().iter().take(10) {
                eprintln!("  {line}");
            }
            panic!("fix the generator: the generated set must load");
        }
    };
    let analysis = lint(&set).expect("the generated flow compiles");
    println!(
        "findings on the generated flow: {}",
        analysis.findings.len()
    );
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
    analysis.states
}

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored,
    // since there is only one benchmark.
    let nodes: usize = match std::env::var("TOUCHPOINT_BENCH_NODES") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("TOUCHPOINT_BENCH_NODES must be a whole number"),
        Err(_) => 20_000,
    };

    let generated = generate(nodes);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let flow_path = dir.path().join("main.yaml");
    std::fs::write(&flow_path, &generated.flow).expect("write main.yaml");
    std::fs::write(dir.path().join("touchpoint.yaml"), &generated.settings)
        .expect("write touchpoint.yaml");
    let file_size = generated.flow.len();
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
        file_size
    );

    let states = check_clean(dir.path());

    // The file is read once, outside the clock: the baseline measures YAML
    // parsing only, while `load_set` reads the file itself, as the CLI does.
    let text = std::fs::read_to_string(&flow_path).expect("read main.yaml");
    let parse = measure(|| serde_yaml::from_str::<serde_yaml::Value>(&text).expect("valid YAML"));
    let load = measure(|| load_set(dir.path()).expect("loads"));
    // The lint phase alone is timed inside (c) as well, so that states per
    // second describe the walk and not the loading.
    let mut lint_phase: Vec<Duration> = Vec::new();
    let full = measure(|| {
        let set = load_set(dir.path()).expect("loads");
        let start = Instant::now();
        let analysis = lint(&set).expect("lints");
        lint_phase.push(start.elapsed());
        (set, analysis)
    });
    let lint_best = *lint_phase.iter().min().expect("at least one run");
    let mut lint_sorted = lint_phase.clone();
    lint_sorted.sort();
    let lint_median = lint_sorted[lint_sorted.len() / 2];

    println!();
    println!(
        "file size             {} bytes ({})",
        file_size,
        mib(file_size)
    );
    println!("nodes                 {}", c.total());
    println!("states walked         {states}");
    println!("runs per measurement  {RUNS}");
    println!();
    println!(
        "{:<30} {:>10} {:>10} {:>12} {:>11}",
        "measurement", "best", "median", "peak heap", "peak/file"
    );
    let row = |name: &str, best: Duration, median: Duration, peak: Option<usize>| {
        let (heap, ratio) = match peak {
            Some(p) => (mib(p), format!("{:.1}x", p as f64 / file_size as f64)),
            None => ("-".to_string(), "-".to_string()),
        };
        println!(
            "{name:<30} {:>10} {:>10} {heap:>12} {ratio:>11}",
            seconds(best),
            seconds(median)
        );
    };
    row(
        "(a) serde_yaml Value parse",
        parse.best_time(),
        parse.median_time(),
        Some(parse.max_peak()),
    );
    row(
        "(b) load_set",
        load.best_time(),
        load.median_time(),
        Some(load.max_peak()),
    );
    row(
        "(c) load_set + lint",
        full.best_time(),
        full.median_time(),
        Some(full.max_peak()),
    );
    row("    of which lint", lint_best, lint_median, None);

    let time_ratio = full.best_time().as_secs_f64() / parse.best_time().as_secs_f64();
    let memory_ratio = full.max_peak() as f64 / file_size as f64;
    let time_met = full.best_time() < Duration::from_secs(2);
    let memory_met = memory_ratio < 30.0;
    println!();
    println!("lint time / baseline parse time     {time_ratio:.1}x (best (c) / best (a))");
    println!("peak memory / file size             {memory_ratio:.1}x (peak of (c))");
    println!(
        "states per second                   {:.0} (lint phase), {:.0} (load + lint)",
        states as f64 / lint_best.as_secs_f64(),
        states as f64 / full.best_time().as_secs_f64()
    );
    println!(
        "target: load + lint < 2 s           {} ({})",
        verdict(time_met),
        seconds(full.best_time())
    );
    println!(
        "target: peak memory < 30x file size {} ({memory_ratio:.1}x)",
        verdict(memory_met)
    );

    // Keeping the set lets one run `touchpoint lint` or a profiler on exactly
    // the file that was measured.
    if std::env::var_os("TOUCHPOINT_BENCH_KEEP").is_some() {
        println!("kept the generated set in {}", dir.keep().display());
    }
}
