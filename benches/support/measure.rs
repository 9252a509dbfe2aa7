//! How the engine benches measure and print: rates over several runs of
//! the same work, each run calibrated to last long enough for the clock,
//! and rows of best and median rates and of ratios against a baseline
//! measured in the same run. Nothing here knows about touchpoint, so that
//! every figure of every bench is taken and shown the same way.

// Each bench includes this file by path and uses only part of it.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

pub const RUNS: usize = 5;

/// Each timed run lasts at least this long, so that the clock's resolution
/// and one-off costs (such as compiling the graph inside `fuzz`) stay small
/// against the work measured.
pub const MIN_RUN: Duration = Duration::from_millis(250);

/// The rates of the runs of one measurement, in units per second.
pub struct Rates {
    pub per_second: Vec<f64>,
    /// Units done in one run, the same for every run.
    pub units: u64,
}

impl Rates {
    /// The fastest run, which is the one least disturbed by the machine.
    pub fn best(&self) -> f64 {
        self.per_second.iter().copied().fold(f64::MIN, f64::max)
    }

    pub fn median(&self) -> f64 {
        let mut sorted = self.per_second.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    }

    /// The same runs without a fixed cost paid once per run (compiling the
    /// graph inside `fuzz`, `lint` and `run_personas`): what the engine
    /// does once it has its graph.
    pub fn without(&self, overhead: Duration) -> Rates {
        let units = self.units as f64;
        Rates {
            per_second: self
                .per_second
                .iter()
                .map(|r| units / (units / r - overhead.as_secs_f64()))
                .collect(),
            units: self.units,
        }
    }

    /// The same runs counted in another unit: `factor` units of the new kind
    /// for each unit of this one.
    pub fn scaled(&self, factor: f64) -> Rates {
        Rates {
            per_second: self.per_second.iter().map(|r| r * factor).collect(),
            units: (self.units as f64 * factor).round() as u64,
        }
    }
}

/// Finds how much work (`size`) makes one call of `f` last at least
/// `MIN_RUN`, doubling from `size`, so that fast and slow measurements are
/// all timed over comparable stretches.
pub fn calibrate(size: usize, f: impl FnMut(usize) -> u64) -> usize {
    calibrate_for(MIN_RUN, size, f)
}

/// [`calibrate`] to at least `min` per call.
pub fn calibrate_for(min: Duration, mut size: usize, mut f: impl FnMut(usize) -> u64) -> usize {
    loop {
        let start = Instant::now();
        black_box(f(size));
        if start.elapsed() >= min {
            return size;
        }
        size *= 2;
    }
}

/// Runs `f` `RUNS` times. `f` returns the units of work it did, which must
/// be the same every run, since every run is meant to do the same work.
pub fn measure(mut f: impl FnMut() -> u64) -> Rates {
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
pub fn times(mut f: impl FnMut()) -> (Duration, Duration) {
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

pub fn rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.1} k/s", r / 1e3)
    } else {
        // Slow units (a mutant judged, a set reloaded) would all read
        // 0.0 k/s.
        format!("{r:.1} /s")
    }
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "NOT MET"
    }
}

/// One measurement: its units per run, and its best and median rates.
pub fn row(name: &str, r: &Rates) {
    println!(
        "{name:<40} {:>14} {:>12} {:>12}",
        r.units,
        rate(r.best()),
        rate(r.median())
    );
}

/// A ratio with three significant digits, however small.
pub fn times_text(r: f64) -> String {
    let decimals = if r > 0.0 && r < 0.1 {
        (2.0 - r.log10().floor()) as usize
    } else {
        3
    };
    format!("{r:.decimals$}x")
}

pub fn ratio_row(name: &str, engine: &Rates, baseline: &Rates) {
    println!(
        "{name:<40} {:>14} {:>12} {:>12}",
        "",
        times_text(engine.best() / baseline.best()),
        times_text(engine.median() / baseline.median())
    );
}

pub fn env_count(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number")),
        Err(_) => default,
    }
}

/// Seconds as milliseconds, or microseconds when under a millisecond.
pub fn millis(d: f64) -> String {
    if d < 1e-3 {
        format!("{:.1} µs", d * 1e6)
    } else {
        format!("{:.1} ms", d * 1e3)
    }
}

/// The heading of a table of rates.
pub fn rates_heading() {
    println!(
        "{:<40} {:>14} {:>12} {:>12}",
        "measurement", "units per run", "best", "median"
    );
}

/// The heading of a table of ratios.
pub fn ratios_heading() {
    println!("{:<40} {:>14} {:>12} {:>12}", "ratio", "", "best", "median");
}

/// The heading of the targets, which are judged best against best, the
/// comparison least affected by noise; the medians are in the tables above.
pub fn targets_heading() {
    println!();
    println!("== targets ==");
    println!(
        "{:<46} {:>12} {:>12}  verdict",
        "target", "needed", "measured"
    );
}

/// One target: what it is, what it needs, what was measured, and the
/// verdict (or a note where there is no target).
pub fn target_row(name: &str, needed: &str, measured: &str, verdict: &str) {
    println!("{name:<46} {needed:>12} {measured:>12}  {verdict}");
}
