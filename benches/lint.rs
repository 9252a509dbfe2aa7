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
//!   `touchpoint lint PATH` does;
//! * (d) `load_set` of the same set with the flow written on a single line
//!   in flow style, which must cost about what (b) costs;
//! * (a3) the flow's events from `saphyr-parser`, the YAML parser
//!   `load_set` uses, building nothing: the parser's own limit;
//! * (a1) the same set converted to JSON once and parsed into
//!   `serde_json::Value`s, the real limit for reading the data: (c) aims
//!   at no more than 3x this;
//! * (a2) `support/baseline_lint.py`, PyYAML (its libyaml loader when
//!   present) and networkx finding unreachable nodes and dead ends, run
//!   when python3 has both modules: (c) aims at 20x faster than this.
//!
//! (c)'s peak heap aims at no more than 8x the flow file's size. Each ratio
//! is printed with its aim beside it, from medians and from best runs.
//!
//! Then the report formats, through the built binary: `touchpoint lint` in
//! the default human format against `--format json`, on two sets with many
//! findings, reported as a ratio (human output was once quadratic in the
//! file's size, as each finding's excerpt scanned the file from its start):
//!
//! * (e) the same generated flow under limits that nearly every menu
//!   breaks (depth 1, width 1), which gives thousands of warnings;
//! * (f) a flow crawled in process from a generated TwiML tree of 6,000
//!   menus (`TOUCHPOINT_BENCH_MENUS`), as `touchpoint crawl` writes it.
//!
//! Then the caller-time figures (the way to a person, the journeys and the
//! demand), each measured against the same analyses without them, in the
//! library, with the runs of the two interleaved:
//!
//! * (g) `lint` of the generated flow;
//! * (h) `check` of the generated flow: `lint`, 500 fuzzed customers and
//!   the personas, as `touchpoint check` runs them, without the rendering;
//! * (i) `check` of the bundled `menus/`, repeated within each run until a
//!   run lasts long enough for the clock.
//!
//! Then the HTML page of the generated flow: `check`'s phases in the
//! library, the JSON report and the page rendered from the same report,
//! and then `touchpoint report --format json` against `--format html`
//! through the built binary, as a user runs them:
//!
//! * (j) the phases, and the page against the JSON report;
//! * (k) `touchpoint report` writing the page, against writing JSON.
//!
//! Last, scale: (l) a set of 1,000 generated flows of 200,000 nodes in all
//! (`TOUCHPOINT_BENCH_FLOWS`, `TOUCHPOINT_BENCH_SCALE_NODES`) loaded, and
//! loaded and linted, once each, with time and peak heap against the aim
//! of 8 GiB. It is left out of a run of every part, being long; ask for
//! it with `TOUCHPOINT_BENCH_PART=scale`.
//!
//! Then cores: (m) a set of 300 generated flows of 200 nodes that call
//! each other a little (`support/many_flows.rs`; `TOUCHPOINT_BENCH_JOBS_FLOWS`,
//! `TOUCHPOINT_BENCH_JOBS_NODES`), checked through the built binary with
//! `--jobs 1`, `--jobs 2` and, on a machine of more cores, `--jobs N` for
//! every core: issue 17 aims at `--jobs 2` taking at most 0.6x the time of
//! `--jobs 1`. Each phase (load, lint, fuzz, personas) is timed in the
//! library too, in pools of the same sizes, to show which phases use the
//! cores; and the JSON reports of every `--jobs` are compared byte for
//! byte, since the report must not depend on it.
//!
//! `TOUCHPOINT_BENCH_PART=load` runs only (a) to (d) with their baselines,
//! `=formats` only (e) and (f), `=figures` only (g) to (i), `=html` only
//! (j) and (k), `=scale` only (l), `=jobs` only (m).

// A benchmark measures wall time and runs the binary and other programs.
#![allow(clippy::disallowed_methods)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use touchpoint::analysis::{lint, lint_with, LintOptions};
use touchpoint::loader::load_set;
use touchpoint::model::MenuSet;
use touchpoint::report::Report;

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
/// Whether allocations are counted. The part on cores turns counting off
/// for good: every thread updating the same two counters on every
/// allocation would make threads wait on each other, and the part measures
/// what threads gain. It is the last part of a run, since counts are not
/// right again once allocations went uncounted.
static COUNTING: AtomicBool = AtomicBool::new(true);

impl Counting {
    fn grew(by: usize) {
        if !COUNTING.load(Ordering::Relaxed) {
            return;
        }
        let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(by: usize) {
        if !COUNTING.load(Ordering::Relaxed) {
            return;
        }
        CURRENT.fetch_sub(by, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the wrapper only
// updates two counters and never touches the memory itself.
#[allow(unsafe_code)]
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

#[path = "support/generator.rs"]
mod generator;
#[path = "support/many_flows.rs"]
mod many_flows;
#[path = "support/measure.rs"]
mod measure;
use generator::{assert_lints_clean, generate};
#[path = "support/twiml_tree.rs"]
mod twiml_tree;

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

/// The generated flow of `nodes` nodes, written to a temporary directory
/// and said, after checking that it lints clean.
fn clean_generated_set(nodes: usize) -> tempfile::TempDir {
    let generated = generate(nodes);
    let dir = tempfile::tempdir().expect("a temporary directory");
    generated.write(dir.path());
    println!();
    println!("generated {}", generated.describe());
    check_clean(dir.path());
    dir
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
    assert_lints_clean(&set)
}

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; both are ignored:
    // `TOUCHPOINT_BENCH_PART` chooses the part.
    let nodes = measure::env_count("TOUCHPOINT_BENCH_NODES", 20_000);
    let part = std::env::var("TOUCHPOINT_BENCH_PART").unwrap_or_default();
    let parts = ["load", "formats", "figures", "html", "scale", "jobs"];
    assert!(
        part.is_empty() || parts.contains(&part.as_str()),
        "TOUCHPOINT_BENCH_PART is one of {parts:?}, or unset for all"
    );
    let runs = |name: &str| part.is_empty() || part == name;
    if runs("load") {
        load_and_lint(nodes);
    }
    if runs("formats") {
        formats(nodes, measure::env_count("TOUCHPOINT_BENCH_MENUS", 6_000));
    }
    if runs("figures") {
        figures(nodes);
    }
    if runs("html") {
        html_page(nodes);
    }
    // Cores come last: they stop the counting of allocations for good.
    if runs("jobs") {
        jobs(
            measure::env_count("TOUCHPOINT_BENCH_JOBS_FLOWS", 300),
            measure::env_count("TOUCHPOINT_BENCH_JOBS_NODES", 200),
        );
    }
    // Scale takes minutes, so only asking for it runs it.
    if part == "scale" {
        scale(
            measure::env_count("TOUCHPOINT_BENCH_FLOWS", 1_000),
            measure::env_count("TOUCHPOINT_BENCH_SCALE_NODES", 200_000),
        );
    }
}

/// (a) to (d): loading and linting against parsing the YAML.
fn load_and_lint(nodes: usize) {
    let generated = generate(nodes);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let flow_path = dir.path().join("main.yaml");
    generated.write(dir.path());
    let file_size = generated.flow.len();
    println!("generated {}", generated.describe());

    let states = check_clean(dir.path());

    // The file is read once, outside the clock: the baseline measures YAML
    // parsing only, while `load_set` reads the file itself, as the CLI does.
    let text = std::fs::read_to_string(&flow_path).expect("read main.yaml");
    let parse = measure(|| serde_yaml::from_str::<serde_yaml::Value>(&text).expect("valid YAML"));
    let load = measure(|| load_set(dir.path()).expect("loads"));
    // The lint phase alone is timed inside (c) as well, so that states per
    // second describe the walk and not the loading.
    // Its peak heap too, above the loaded set, which tells whether the
    // peak of (c) is loading's or the walk's.
    // And the heap the loaded set itself holds, which the lint's working
    // memory comes on top of.
    let mut lint_phase: Vec<Duration> = Vec::new();
    let mut lint_peak = 0;
    let mut set_held = 0;
    let full =
        measure(|| load_and_lint_once(dir.path(), &mut lint_phase, &mut lint_peak, &mut set_held));
    // The same on one thread: with more, each walks a world of the flow at
    // once, and each walk's tables are alive together.
    let one_thread_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread");
    let full_one_thread = one_thread_pool.install(|| {
        let (mut phases, mut peak, mut held) = (Vec::new(), 0, 0);
        measure(|| load_and_lint_once(dir.path(), &mut phases, &mut peak, &mut held))
    });
    // The same flow on a single line: loading it must cost about what the
    // flow written over many lines costs.
    let one_line_dir = tempfile::tempdir().expect("a temporary directory");
    generated.write_on_one_line(one_line_dir.path());
    let one_line = measure(|| load_set(one_line_dir.path()).expect("the one-line flow loads"));
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
    println!("nodes                 {}", generated.counts.total());
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
    row("    of which lint", lint_best, lint_median, Some(lint_peak));
    println!(
        "{:<30} {:>10} {:>10} {:>12} {:>11}",
        "    the set as loaded",
        "-",
        "-",
        mib(set_held),
        format!("{:.1}x", set_held as f64 / file_size as f64)
    );
    row(
        "(c1) load_set + lint, 1 thread",
        full_one_thread.best_time(),
        full_one_thread.median_time(),
        Some(full_one_thread.max_peak()),
    );
    row(
        "(d) load_set, flow on one line",
        one_line.best_time(),
        one_line.median_time(),
        Some(one_line.max_peak()),
    );

    let events = measure(|| saphyr_events(&text));
    row(
        "(a3) saphyr-parser events",
        events.best_time(),
        events.median_time(),
        Some(events.max_peak()),
    );
    let json = json_parse(&generated);
    row(
        "(a1) serde_json Value parse",
        json.best_time(),
        json.median_time(),
        Some(json.max_peak()),
    );
    let python = python_baseline(&flow_path);
    if let Some(python) = &python {
        println!(
            "{:<30} {:>10} {:>10}",
            "(a2) PyYAML + networkx",
            seconds(python.best),
            seconds(python.median)
        );
        println!("    {}", python.said);
    }

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let memory_ratio = full.max_peak() as f64 / file_size as f64;
    println!();
    println!("{:<44} {:>8} {:>8}  aim", "ratio", "best", "median");
    let ratio_row = |name: &str, best: f64, median: f64, aim: &str| {
        println!("{name:<44} {best:>7.2}x {median:>7.2}x  {aim}");
    };
    ratio_row(
        "(c) lint / (a) serde_yaml parse",
        ratio(full.best_time(), parse.best_time()),
        ratio(full.median_time(), parse.median_time()),
        "(for the record)",
    );
    ratio_row(
        "(b) load_set / (a3) saphyr-parser events",
        ratio(load.best_time(), events.best_time()),
        ratio(load.median_time(), events.median_time()),
        "(for the record: the parser's own limit)",
    );
    ratio_row(
        "(b) load_set / (a1) serde_json parse",
        ratio(load.best_time(), json.best_time()),
        ratio(load.median_time(), json.median_time()),
        "(for the record)",
    );
    let json_median = ratio(full.median_time(), json.median_time());
    ratio_row(
        "(c) lint / (a1) serde_json parse",
        ratio(full.best_time(), json.best_time()),
        json_median,
        &format!("<= {JSON_AIM:.0}x: {}", verdict(json_median <= JSON_AIM)),
    );
    match &python {
        Some(python) => {
            let faster = ratio(python.median, full.median_time());
            ratio_row(
                "(a2) PyYAML + networkx / (c) lint",
                ratio(python.best, full.best_time()),
                faster,
                &format!("faster >= {PYTHON_AIM:.0}x: {}", verdict(faster >= PYTHON_AIM)),
            );
        }
        None => println!(
            "(a2) PyYAML + networkx / (c) lint            not measured: python3 with PyYAML and networkx is not installed"
        ),
    }
    println!(
        "{:<44} {:>17.1}x  <= {MEMORY_AIM:.0}x: {}",
        "(c) peak heap / file size",
        memory_ratio,
        verdict(memory_ratio <= MEMORY_AIM)
    );
    let one_thread_ratio = full_one_thread.max_peak() as f64 / file_size as f64;
    println!(
        "{:<44} {:>17.1}x  <= {MEMORY_AIM:.0}x: {}",
        "(c1) peak heap on one thread / file size",
        one_thread_ratio,
        verdict(one_thread_ratio <= MEMORY_AIM)
    );
    println!(
        "states per second                   {:.0} (lint phase), {:.0} (load + lint)",
        states as f64 / lint_best.as_secs_f64(),
        states as f64 / full.best_time().as_secs_f64()
    );

    // Keeping the set lets one run `touchpoint lint` or a profiler on exactly
    // the file that was measured.
    if std::env::var_os("TOUCHPOINT_BENCH_KEEP").is_some() {
        println!("kept the generated set in {}", dir.keep().display());
    }
}

/// `load_set` and `lint` of the set in `dir`, as (c) measures them: the
/// lint phase's time is added to `lint_phase`, and `lint_peak` and
/// `set_held` rise to the lint's peak heap above the loaded set and to the
/// heap the loaded set holds.
fn load_and_lint_once(
    dir: &Path,
    lint_phase: &mut Vec<Duration>,
    lint_peak: &mut usize,
    set_held: &mut usize,
) -> (MenuSet, impl Sized) {
    let before = CURRENT.load(Ordering::Relaxed);
    let set = load_set(dir).expect("loads");
    let loading_peak = PEAK.load(Ordering::Relaxed);
    let loaded = CURRENT.load(Ordering::Relaxed);
    *set_held = (*set_held).max(loaded.saturating_sub(before));
    PEAK.store(loaded, Ordering::Relaxed);
    let start = Instant::now();
    let analysis = lint(&set).expect("lints");
    lint_phase.push(start.elapsed());
    *lint_peak = (*lint_peak).max(PEAK.load(Ordering::Relaxed) - loaded);
    PEAK.fetch_max(loading_peak, Ordering::Relaxed);
    (set, analysis)
}

/// The aims of issue 17 for `lint` of the generated flow: at most this many
/// times a bare `serde_json` parse of the same set written as JSON (the
/// real limit for reading the data), at least this many times faster than
/// the PyYAML and networkx script, and a peak heap of at most this many
/// times the file's size.
const JSON_AIM: f64 = 3.0;
const PYTHON_AIM: f64 = 20.0;
const MEMORY_AIM: f64 = 8.0;

/// (a1): every file of the set converted to JSON once, outside the clock,
/// and parsed into `serde_json::Value`s: what merely reading the data
/// costs, with the fastest parser at hand.
fn json_parse(generated: &generator::Generated) -> Measured {
    let texts: Vec<String> = [&generated.flow, &generated.intents, &generated.settings]
        .into_iter()
        .map(|yaml| {
            let value: serde_yaml::Value = serde_yaml::from_str(yaml).expect("valid YAML");
            serde_json::to_string(&value).expect("the document as JSON")
        })
        .collect();
    measure(|| {
        texts
            .iter()
            .map(|text| serde_json::from_str::<serde_json::Value>(text).expect("valid JSON"))
            .collect::<Vec<_>>()
    })
}

/// (a3): the events of the YAML parser touchpoint reads with, each
/// looked at and dropped, building nothing: the least that reading the
/// flow with this parser can cost, against which the tree, decoding and
/// validation are what `load_set` adds. Returns how many events there
/// were, so that the work cannot be optimised away.
fn saphyr_events(text: &str) -> usize {
    let mut events = 0;
    for event in saphyr_parser::Parser::new_from_str(text) {
        black_box(event.expect("valid YAML"));
        events += 1;
    }
    events
}

/// The times of the Python baseline, and what it said it found.
struct PythonTimes {
    best: Duration,
    median: Duration,
    said: String,
}

/// (a2): `support/baseline_lint.py` on the flow, `RUNS` times in one
/// interpreter, when python3 with PyYAML and networkx is installed; `None`
/// otherwise, which the bench says rather than failing, since the baseline
/// is someone else's software.
fn python_baseline(flow: &Path) -> Option<PythonTimes> {
    let has_modules = Command::new("python3")
        .args(["-c", "import yaml, networkx"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_modules {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/support/baseline_lint.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(flow)
        .arg(RUNS.to_string())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "baseline_lint.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the script prints UTF-8");
    let mut times: Vec<Duration> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("seconds "))
        .map(|s| Duration::from_secs_f64(s.parse().expect("a number of seconds")))
        .collect();
    assert_eq!(times.len(), RUNS, "one time per run: {stdout}");
    times.sort();
    Some(PythonTimes {
        best: times[0],
        median: times[times.len() / 2],
        said: stdout.lines().next().unwrap_or_default().to_string(),
    })
}

// ---------------------------------------------------------------------------
// Scale
// ---------------------------------------------------------------------------

/// The most heap loading and linting the large set may take.
const SCALE_MEMORY_AIM: usize = 8 << 30;

/// (l): a set of `flows` generated phone flows of `nodes` nodes in all,
/// each generated from its own seed so that no two are the same, loaded
/// and then loaded and linted, once each: the runs are long enough for the
/// clock, and the figure that matters is the peak heap against the aim.
fn scale(flows: usize, nodes: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let per_flow = nodes.div_ceil(flows.max(1));
    let mut bytes = 0;
    let mut total_nodes = 0;
    std::fs::create_dir(dir.path().join("flows")).expect("create flows/");
    let mut catalogue = None;
    for n in 0..flows {
        let generated =
            generator::generate_seeded(per_flow, generator::DEFAULT_SEED ^ (n as u64 + 1));
        let flow = generated
            .flow
            .strip_prefix("flow: main\n")
            .expect("the generated flow opens with its id");
        let text = format!("flow: flow_{n:04}\n{flow}");
        bytes += text.len();
        total_nodes += generated.counts.total();
        std::fs::write(dir.path().join(format!("flows/flow_{n:04}.yaml")), text)
            .expect("write a flow");
        catalogue.get_or_insert(generated);
    }
    let catalogue = catalogue.expect("at least one flow");
    std::fs::write(dir.path().join("intents.yaml"), &catalogue.intents).expect("write intents");
    std::fs::write(dir.path().join("touchpoint.yaml"), &catalogue.settings)
        .expect("write settings");

    let measure_once = |f: &mut dyn FnMut() -> usize| {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let out = f();
        (start.elapsed(), PEAK.load(Ordering::Relaxed) - base, out)
    };
    let (load_time, load_peak, _) = measure_once(&mut || {
        black_box(load_set(dir.path()).expect("the large set loads"))
            .flows
            .len()
    });
    let (full_time, full_peak, findings) = measure_once(&mut || {
        let set = load_set(dir.path()).expect("the large set loads");
        black_box(lint(&set).expect("lints")).findings.len()
    });

    println!();
    println!(
        "scale: {flows} flows, {total_nodes} nodes, {bytes} bytes ({}), {findings} findings",
        mib(bytes)
    );
    println!(
        "{:<30} {:>10} {:>12} {:>11}",
        "measurement, one run", "time", "peak heap", "peak/file"
    );
    for (name, time, peak) in [
        ("(l) load_set", load_time, load_peak),
        ("(l) load_set + lint", full_time, full_peak),
    ] {
        println!(
            "{name:<30} {:>10} {:>12} {:>10.1}x",
            seconds(time),
            mib(peak),
            peak as f64 / bytes as f64
        );
    }
    println!(
        "aim: load + lint within {} GiB         {}",
        SCALE_MEMORY_AIM >> 30,
        verdict(full_peak <= SCALE_MEMORY_AIM)
    );
}

// ---------------------------------------------------------------------------
// Report formats
// ---------------------------------------------------------------------------

/// Runs of each format; the best is reported.
const FORMAT_RUNS: usize = 3;

/// The best time of `touchpoint lint DIR --format FORMAT`, output thrown
/// away, over [`FORMAT_RUNS`] runs.
fn time_lint(dir: &Path, format: &str) -> Duration {
    (0..FORMAT_RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
                .arg("lint")
                .arg(dir)
                .args(["--format", format])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("touchpoint runs");
            let elapsed = start.elapsed();
            // Warnings pass (0), errors fail (1); 2 would be a set that
            // does not load, which measures nothing.
            assert!(
                matches!(status.code(), Some(0 | 1)),
                "touchpoint lint {} --format {format}: {status}",
                dir.display()
            );
            elapsed
        })
        .min()
        .expect("at least one run")
}

/// The number of findings `touchpoint lint DIR` reports, and the size of
/// the human report.
fn findings_and_human_size(dir: &Path) -> (usize, usize) {
    let lint = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .arg("lint")
            .arg(dir)
            .args(["--format", format])
            .output()
            .expect("touchpoint runs")
            .stdout
    };
    let report: serde_json::Value = serde_json::from_slice(&lint("json")).expect("a JSON report");
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    (findings, lint("human").len())
}

fn format_row(name: &str, dir: &Path, file: &Path) {
    let (findings, human_size) = findings_and_human_size(dir);
    let size = std::fs::metadata(file).expect("the flow").len() as usize;
    let human = time_lint(dir, "human");
    let json = time_lint(dir, "json");
    println!(
        "{name:<30} {:>10} {:>9} {:>10} {:>10} {:>7.1}x",
        mib(size),
        findings,
        seconds(human),
        seconds(json),
        human.as_secs_f64() / json.as_secs_f64()
    );
    println!("{:<30} human report {}", "", mib(human_size));
}

/// (e) and (f): the human report against the JSON one, on sets with many
/// findings.
fn formats(nodes: usize, menus: usize) {
    let generated = generate(nodes);
    let warned = tempfile::tempdir().expect("a temporary directory");
    generated.write(warned.path());
    // Limits every menu breaks, so that nearly every menu is warned about
    // twice (too deep, too wide); only the walk's budget stays raised.
    std::fs::write(
        warned.path().join("touchpoint.yaml"),
        "touchpoint:\n  limits: { depth: 1, menu_width: 1, states: 10000000 }\n",
    )
    .expect("write touchpoint.yaml");

    let crawled = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(crawled.path().join("crawled.yaml"), crawled_tree(menus))
        .expect("write crawled.yaml");

    println!();
    println!(
        "{:<30} {:>10} {:>9} {:>10} {:>10} {:>8}",
        "lint, human against json", "file", "findings", "human", "json", "ratio"
    );
    format_row(
        &format!("(e) generated, {nodes} nodes"),
        warned.path(),
        &warned.path().join("main.yaml"),
    );
    format_row(
        &format!("(f) crawled, {menus} menus"),
        crawled.path(),
        &crawled.path().join("crawled.yaml"),
    );
}

/// The flow `touchpoint crawl` writes for the generated TwiML tree of
/// `menus` menus, crawled in process: the crawler plays each call against
/// the tree's replies directly, without a server.
fn crawled_tree(menus: usize) -> String {
    use touchpoint::live::call::{play, Caller, FetchFailure};
    use touchpoint::live::crawl::{crawl, CrawlLimits};
    use touchpoint::live::twiml::Twiml;

    let start = url::Url::parse("http://tree.test/voice").expect("a URL");
    let caller = Caller {
        call_sid: "CAbench".to_string(),
        from: "+15005550006".to_string(),
        to: "+15005550001".to_string(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let crawled = crawl(
        &Twiml,
        "crawled",
        start.as_str(),
        CrawlLimits {
            max_menus: menus * 2,
            max_calls: 10_000_000,
        },
        &mut |batch| {
            batch
                .iter()
                .map(|inputs| {
                    runtime.block_on(play(&Twiml, &start, &caller, inputs, 8, |request| {
                        let digits = request
                            .form
                            .iter()
                            .find(|(name, _)| *name == "Digits")
                            .map(|(_, value)| value.as_str());
                        let body = twiml_tree::reply(request.url.path(), digits, menus);
                        std::future::ready(Ok::<_, FetchFailure>((request.url.clone(), body)))
                    }))
                })
                .collect()
        },
    );
    assert!(
        crawled.failures.is_empty(),
        "{:?}",
        crawled.failures.first()
    );
    touchpoint::import::emit(&crawled.flow)
}

// ---------------------------------------------------------------------------
// The caller-time figures
// ---------------------------------------------------------------------------

/// Random customers `touchpoint check` tries by default (`CHECK_RUNS` in
/// `src/cli/report.rs`), and its default seed.
const CHECK_RUNS: usize = 500;
const CHECK_SEED: u64 = 42;

/// The most the caller-time figures may add to `lint` and `check`.
const FIGURES_AIM: f64 = 1.20;

const WITHOUT_FIGURES: LintOptions = LintOptions {
    caller_figures: false,
};

/// What `touchpoint check` computes for its report, in the library: the
/// walk's report (with or without the figures), the fuzzer's customers,
/// the personas and the structure the page draws. Only the rendering and
/// the writing are left out.
fn check_report(set: &MenuSet, options: &LintOptions) -> Report {
    let mut report =
        touchpoint::run::lint_report_with(set, "check", CHECK_SEED, options).expect("lints");
    let fuzz_options = touchpoint::fuzz::FuzzOptions {
        seed: CHECK_SEED,
        runs: CHECK_RUNS,
        ..touchpoint::fuzz::FuzzOptions::default()
    };
    report.add_fuzz(touchpoint::fuzz::fuzz(set, &fuzz_options, &mut |_| {}).expect("fuzzes"));
    report.structure = touchpoint::structure::describe(set);
    let personas =
        touchpoint::personas::run_personas(set, CHECK_SEED, None, None).expect("personas run");
    report.add_personas(set, personas);
    report
}

/// The times of `without` and `with` over `RUNS` runs each, the two
/// interleaved so that a machine that slows down or speeds up during the
/// measurement weighs on both alike.
fn paired<A, B>(
    mut without: impl FnMut() -> A,
    mut with: impl FnMut() -> B,
) -> (Vec<Duration>, Vec<Duration>) {
    let mut times = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = black_box(without());
        times.0.push(start.elapsed());
        drop(out);
        let start = Instant::now();
        let out = black_box(with());
        times.1.push(start.elapsed());
        drop(out);
    }
    times
}

fn best(times: &[Duration]) -> Duration {
    *times.iter().min().expect("at least one run")
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// How many times `f` must run in a row for the row to last at least
/// `measure::MIN_RUN`, so that a set that is checked in milliseconds is
/// timed over a stretch the clock measures well.
fn repeats(mut f: impl FnMut()) -> usize {
    measure::calibrate(1, |n| {
        for _ in 0..n {
            f();
        }
        n as u64
    })
}

/// One comparison of the figures' cost: without them, with them, and the
/// ratio with the aim beside it. `per` divides the times, for a row that
/// repeats its work.
fn figures_row(name: &str, (without, with): &(Vec<Duration>, Vec<Duration>), per: usize) {
    // Milliseconds, since the bundled set is checked in a few.
    let per_run = |d: Duration| measure::millis(d.as_secs_f64() / per as f64);
    let ratio_best = with_ratio(best(with), best(without));
    let ratio_median = with_ratio(median(with), median(without));
    println!(
        "{name:<34} {:>10} {:>10} {:>10} {:>10} {:>8.3}x {:>8.3}x  {}",
        per_run(best(without)),
        per_run(median(without)),
        per_run(best(with)),
        per_run(median(with)),
        ratio_best,
        ratio_median,
        verdict(ratio_best <= FIGURES_AIM),
    );
}

fn with_ratio(with: Duration, without: Duration) -> f64 {
    with.as_secs_f64() / without.as_secs_f64()
}

/// (g) to (i): what the caller-time figures add to `lint` and `check`.
fn figures(nodes: usize) {
    let dir = clean_generated_set(nodes);
    // Loading is outside every clock: the figures are computed on a loaded
    // set, and loading costs the same with or without them.
    let set = load_set(dir.path()).expect("the generated set loads");
    let bundled_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
    let bundled = load_set(&bundled_dir).expect("the bundled menus load");

    let journeys = lint(&set).expect("lints").journeys.len();
    let lint_times = paired(
        || lint_with(&set, &WITHOUT_FIGURES).expect("lints"),
        || lint(&set).expect("lints"),
    );
    let check_times = paired(
        || check_report(&set, &WITHOUT_FIGURES),
        || check_report(&set, &LintOptions::default()),
    );
    let bundled_repeats = repeats(|| {
        black_box(check_report(&bundled, &LintOptions::default()));
    });
    let bundled_times = paired(
        || {
            for _ in 0..bundled_repeats {
                black_box(check_report(&bundled, &WITHOUT_FIGURES));
            }
        },
        || {
            for _ in 0..bundled_repeats {
                black_box(check_report(&bundled, &LintOptions::default()));
            }
        },
    );

    println!();
    println!("journeys of the generated flow  {journeys}");
    println!(
        "runs per measurement            {RUNS}, interleaved; the bundled set {bundled_repeats} times a run"
    );
    println!();
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9}  aim <= {FIGURES_AIM:.2}x",
        "caller-time figures", "without", "median", "with", "median", "ratio", "median"
    );
    figures_row(&format!("(g) lint, {nodes} nodes"), &lint_times, 1);
    figures_row(&format!("(h) check, {nodes} nodes"), &check_times, 1);
    figures_row("(i) check, bundled menus/", &bundled_times, bundled_repeats);
}

// ---------------------------------------------------------------------------
// The HTML page
// ---------------------------------------------------------------------------

/// What the page of the generated flow may take to write, end to end.
const PAGE_AIM: Duration = Duration::from_secs(2);

/// The best time of `touchpoint ARGS` over [`FORMAT_RUNS`] runs, its
/// output thrown away or written where `ARGS` says.
fn time_command(args: &[&std::ffi::OsStr]) -> Duration {
    (0..FORMAT_RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("touchpoint runs");
            let elapsed = start.elapsed();
            // The generated set is clean: anything but 0 means the command
            // did not do what is measured.
            assert!(status.success(), "touchpoint {args:?}: {status}");
            elapsed
        })
        .min()
        .expect("at least one run")
}

/// (j) and (k): the page of the generated flow, phase by phase in the
/// library and end to end through the binary.
fn html_page(nodes: usize) {
    let dir = clean_generated_set(nodes);

    // (j) The phases of `touchpoint report --format html`, each timed on
    // its own, and the two renderings from the same report.
    let (load_best, load_median) = measure::times(|| {
        black_box(load_set(dir.path()).expect("loads"));
    });
    let set = load_set(dir.path()).expect("loads");
    let options = LintOptions::default();
    let (lint_best, lint_median) = measure::times(|| {
        black_box(
            touchpoint::run::lint_report_with(&set, "report", CHECK_SEED, &options).expect("lints"),
        );
    });
    let fuzz_options = touchpoint::fuzz::FuzzOptions {
        seed: CHECK_SEED,
        runs: CHECK_RUNS,
        ..touchpoint::fuzz::FuzzOptions::default()
    };
    let (fuzz_best, fuzz_median) = measure::times(|| {
        black_box(touchpoint::fuzz::fuzz(&set, &fuzz_options, &mut |_| {}).expect("fuzzes"));
    });
    let (personas_best, personas_median) = measure::times(|| {
        black_box(touchpoint::personas::run_personas(&set, CHECK_SEED, None, None).expect("run"));
    });
    let report = check_report(&set, &options);
    let (json_best, json_median) = measure::times(|| {
        black_box(touchpoint::render::json::render(&report));
    });
    let (html_best, html_median) = measure::times(|| {
        black_box(touchpoint::render::html::render(&report, &set));
    });
    let page = touchpoint::render::html::render(&report, &set);
    let json = touchpoint::render::json::render(&report);

    println!();
    println!("page {}, JSON report {}", mib(page.len()), mib(json.len()));
    println!();
    println!(
        "{:<34} {:>10} {:>10}",
        "phases of report, in the library", "best", "median"
    );
    for (name, best, median) in [
        ("load_set", load_best, load_median),
        ("lint, with the figures", lint_best, lint_median),
        ("fuzz, 500 customers", fuzz_best, fuzz_median),
        ("personas", personas_best, personas_median),
        ("render JSON", json_best, json_median),
        ("render the page", html_best, html_median),
    ] {
        println!(
            "{name:<34} {:>10} {:>10}",
            measure::millis(best.as_secs_f64()),
            measure::millis(median.as_secs_f64())
        );
    }
    println!(
        "{:<34} {:>10} {:>10}",
        "page / JSON rendering",
        format!("{:.2}x", with_ratio(html_best, json_best)),
        format!("{:.2}x", with_ratio(html_median, json_median)),
    );

    // (k) The command a user runs, writing each report to a file.
    let out = tempfile::tempdir().expect("a temporary directory");
    let set_arg = dir.path().as_os_str();
    let json_file = out.path().join("report.json");
    let page_file = out.path().join("page.html");
    let os = std::ffi::OsStr::new;
    let lint_json = time_command(&[os("lint"), set_arg, os("--format"), os("json")]);
    let report_json = time_command(&[
        os("report"),
        set_arg,
        os("--format"),
        os("json"),
        os("-o"),
        json_file.as_os_str(),
    ]);
    let report_html = time_command(&[
        os("report"),
        set_arg,
        os("--format"),
        os("html"),
        os("-o"),
        page_file.as_os_str(),
    ]);
    println!();
    println!(
        "{:<34} {:>10} {:>10}  aim",
        "touchpoint, best of 3", "time", "/ json"
    );
    println!(
        "{:<34} {:>10} {:>10}",
        "lint --format json",
        seconds(lint_json),
        format!("{:.2}x", with_ratio(lint_json, report_json))
    );
    println!(
        "{:<34} {:>10} {:>10}",
        "report --format json -o",
        seconds(report_json),
        "1.00x"
    );
    println!(
        "{:<34} {:>10} {:>10}  under {} s: {}",
        "(k) report --format html -o",
        seconds(report_html),
        format!("{:.2}x", with_ratio(report_html, report_json)),
        PAGE_AIM.as_secs(),
        verdict(report_html < PAGE_AIM)
    );
    if std::env::var_os("TOUCHPOINT_BENCH_KEEP").is_some() {
        std::fs::copy(&page_file, dir.path().join("page.html")).expect("keep the page");
        println!(
            "kept the generated set and its page in {}",
            dir.keep().display()
        );
    }
}

// ---------------------------------------------------------------------------
// Cores
// ---------------------------------------------------------------------------

/// Issue 17: `check` on 2 cores takes at most this share of its time on 1.
const TWO_CORES_AIM: f64 = 0.6;

/// Runs of each `--jobs`, each phase and each pool size; the best counts.
const JOBS_RUNS: usize = 5;

/// The thread counts measured: 1, 2 and every core when there are more.
fn thread_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, 2];
    if cores > 2 {
        counts.push(cores);
    }
    counts
}

/// The best time of `touchpoint check DIR --jobs JOBS --format json` over
/// [`JOBS_RUNS`] runs, with the report it wrote.
fn time_check(dir: &Path, jobs: usize) -> (Duration, Vec<u8>) {
    let mut best = Duration::MAX;
    let mut report = Vec::new();
    for _ in 0..JOBS_RUNS {
        let start = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .arg("check")
            .arg(dir)
            .args(["--format", "json", "--jobs", &jobs.to_string()])
            .stderr(Stdio::null())
            .output()
            .expect("touchpoint runs");
        let elapsed = start.elapsed();
        // Warnings pass (0), errors fail (1); 2 would be a set that does
        // not load, which measures nothing.
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "touchpoint check {} --jobs {jobs}: {}",
            dir.display(),
            output.status
        );
        best = best.min(elapsed);
        report = output.stdout;
    }
    (best, report)
}

/// What a phase gives back, freed outside the clock.
type PhaseOutput = Box<dyn std::any::Any + Send>;

/// The best time of `phase` over [`JOBS_RUNS`] runs in a pool of `threads`
/// threads, as `--jobs` makes the global one. What the phase gives back is
/// freed after the clock stops: `check` frees the set on a thread of its
/// own while it ends, so freeing is no part of any phase.
fn time_in_pool(threads: usize, phase: &(dyn Fn() -> PhaseOutput + Sync)) -> Duration {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    (0..JOBS_RUNS)
        .map(|_| {
            let start = Instant::now();
            let output = black_box(pool.install(phase));
            let elapsed = start.elapsed();
            drop(output);
            elapsed
        })
        .min()
        .expect("at least one run")
}

/// (m): `check` of many flows on one core and on more.
fn jobs(flows: usize, nodes: usize) {
    COUNTING.store(false, Ordering::Relaxed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let written = many_flows::write_many_flows(dir.path(), flows, nodes);
    let set = load_set(dir.path()).expect("the set of many flows loads");
    let linted = lint(&set).expect("lints");
    println!();
    println!("cores: {}", written.describe());
    println!(
        "findings {} and notes {} (aim: none, as a set that is worked on), {} states walked",
        linted.findings.len(),
        linted.notes.len(),
        linted.states
    );
    let counts = thread_counts();
    let seed = 42;

    // The phases in the library, each in pools of every size measured.
    let fuzz_options = touchpoint::fuzz::FuzzOptions {
        seed,
        runs: 500,
        ..touchpoint::fuzz::FuzzOptions::default()
    };
    let phases: [(&str, &(dyn Fn() -> PhaseOutput + Sync)); 4] = [
        ("(m) load", &|| {
            Box::new(load_set(dir.path()).expect("loads"))
        }),
        ("(m) lint", &|| {
            Box::new(touchpoint::run::lint_report(&set, "check", seed).expect("lints"))
        }),
        ("(m) fuzz, 500 runs", &|| {
            Box::new(touchpoint::fuzz::fuzz(&set, &fuzz_options, &mut |_| {}).expect("fuzzes"))
        }),
        ("(m) personas", &|| {
            Box::new(
                touchpoint::personas::run_personas(&set, seed, None, None)
                    .expect("personas run")
                    .results,
            )
        }),
    ];
    let header: Vec<String> = counts.iter().map(|n| format!("{n} thr")).collect();
    println!();
    println!(
        "{:<30} {:>10} {:>10} {:>10}  best of {JOBS_RUNS}; ratios to 1 thread",
        "phase, in the library",
        header.first().map_or("", String::as_str),
        header.get(1).map_or("", String::as_str),
        "2 thr/1"
    );
    for (name, phase) in phases {
        let times: Vec<Duration> = counts.iter().map(|&n| time_in_pool(n, phase)).collect();
        let mut row = format!(
            "{name:<30} {:>10} {:>10} {:>9.2}x",
            seconds(times[0]),
            seconds(times[1]),
            with_ratio(times[1], times[0])
        );
        if let (Some(&every), Some(&time)) = (counts.get(2), times.get(2)) {
            let _ = std::fmt::Write::write_fmt(
                &mut row,
                format_args!(
                    "   {every} thr {} ({:.2}x)",
                    seconds(time),
                    with_ratio(time, times[0])
                ),
            );
        }
        println!("{row}");
    }

    // The command as users run it.
    let checks: Vec<(usize, Duration, Vec<u8>)> = counts
        .iter()
        .map(|&jobs| {
            let (time, report) = time_check(dir.path(), jobs);
            (jobs, time, report)
        })
        .collect();
    let (_, one, one_report) = &checks[0];
    println!();
    println!(
        "{:<30} {:>10} {:>10} {:>10}",
        "touchpoint check --format json", "time", "to --jobs 1", "report"
    );
    for (jobs, time, report) in &checks {
        println!(
            "{:<30} {:>10} {:>9.2}x {:>10}",
            format!("(m) --jobs {jobs}"),
            seconds(*time),
            with_ratio(*time, *one),
            if report == one_report {
                "identical"
            } else {
                "DIFFERS"
            }
        );
    }
    let two = with_ratio(checks[1].1, *one);
    println!(
        "aim: --jobs 2 within {TWO_CORES_AIM:.2}x of --jobs 1: {two:.2}x   {}",
        verdict(two <= TWO_CORES_AIM)
    );
    println!(
        "aim: every report identical to --jobs 1's          {}",
        verdict(checks.iter().all(|(_, _, report)| report == one_report))
    );
    if std::env::var_os("TOUCHPOINT_BENCH_KEEP").is_some() {
        println!("kept the set of many flows in {}", dir.keep().display());
    }
}
