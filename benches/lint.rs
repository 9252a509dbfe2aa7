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
//!   in flow style, which must cost about what (b) costs.
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
//! `TOUCHPOINT_BENCH_PART=load` runs only (a) to (d), `=formats` only (e)
//! and (f).

// A benchmark measures wall time and runs the binary and other programs.
#![allow(clippy::disallowed_methods)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
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
    if part != "formats" {
        load_and_lint(nodes);
    }
    if part != "load" {
        formats(nodes, measure::env_count("TOUCHPOINT_BENCH_MENUS", 6_000));
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
    let mut lint_phase: Vec<Duration> = Vec::new();
    let full = measure(|| {
        let set = load_set(dir.path()).expect("loads");
        let start = Instant::now();
        let analysis = lint(&set).expect("lints");
        lint_phase.push(start.elapsed());
        (set, analysis)
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
    row("    of which lint", lint_best, lint_median, None);
    row(
        "(d) load_set, flow on one line",
        one_line.best_time(),
        one_line.median_time(),
        Some(one_line.max_peak()),
    );

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
