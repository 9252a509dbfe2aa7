//! The core of the adversarial campaigns, shared by `examples/campaign.rs`
//! (long runs in release) and a test in `tests/it/cli.rs` (a few dozen cases
//! through the debug binary).
//!
//! Both campaigns drive the real `touchpoint` binary as a user would, so
//! that a panic, an abort, a signal or a hang is seen exactly as a CI job
//! would see it. Every case is derived from the seed and its own number
//! only, so a failing case can be run again alone with `--case`.

#![allow(dead_code)]

pub mod generate;
pub mod mutate;
pub mod run;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a campaign needs to know, whichever campaign it is.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `touchpoint` binary under test.
    pub binary: PathBuf,
    /// The repository: the bundled `menus/` and the `fixtures/` sets are
    /// read from here.
    pub project: PathBuf,
    pub seed: u64,
    /// The first case number; cases are `first..first + count`.
    pub first: u64,
    pub count: u64,
    /// A run that takes longer than this is killed and counted as a hang.
    pub timeout: Duration,
    /// The address-space limit of every run, so that a run that reads
    /// without bound fails on its own instead of taking the machine down.
    pub memory_mib: u64,
    /// Scratch space for the cases, and `failures/` with one folder per
    /// failing case, kept for reproduction.
    pub out: PathBuf,
    /// Cases run at once.
    pub jobs: usize,
    /// Random customers per fuzz or check run.
    pub runs: u32,
    /// Keep the big mutations (repeats, nesting, long lines, deep
    /// conditions) to their two smallest sizes, for a quick campaign
    /// through the debug binary.
    pub small: bool,
}

/// One thing that went wrong in a case.
#[derive(Debug, Clone)]
pub struct Failure {
    pub case: u64,
    /// What kind of failure it is, stable across cases, so that a summary
    /// can group a thousand cases of one defect into one line: the panic
    /// location, the signal, or the check that did not hold.
    pub class: String,
    /// What was done: the set, the mutations or the generator's seed, and
    /// the command.
    pub what: String,
    /// What happened: the exit status and the start of the output.
    pub detail: String,
    /// Where the case's files were kept for reproduction.
    pub kept: Option<PathBuf>,
}

/// What a campaign did.
#[derive(Debug, Default)]
pub struct Summary {
    pub cases: u64,
    pub runs: u64,
    /// How many runs ended with each exit code 0, 1 and 2.
    pub exits: [u64; 3],
    pub failures: Vec<Failure>,
}

impl Summary {
    pub fn absorb(&mut self, other: Summary) {
        self.cases += other.cases;
        self.runs += other.runs;
        for (mine, theirs) in self.exits.iter_mut().zip(other.exits) {
            *mine += theirs;
        }
        self.failures.extend(other.failures);
    }

    /// The summary as printed: counts, then each class of failure with how
    /// many cases showed it and the first of them in full.
    pub fn describe(&self, campaign: &str, seed: u64) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{campaign} campaign, seed {seed}: {} cases, {} runs (exit 0: {}, exit 1: {}, exit 2: {}), {} failures",
            self.cases, self.runs, self.exits[0], self.exits[1], self.exits[2], self.failures.len()
        );
        let mut classes: Vec<(&str, Vec<&Failure>)> = Vec::new();
        for failure in &self.failures {
            match classes.iter_mut().find(|(c, _)| *c == failure.class) {
                Some((_, list)) => list.push(failure),
                None => classes.push((&failure.class, vec![failure])),
            }
        }
        for (class, list) in &classes {
            let mut numbers: Vec<u64> = list.iter().map(|f| f.case).collect();
            numbers.dedup();
            let cases: Vec<String> = numbers.iter().take(12).map(u64::to_string).collect();
            let more = if numbers.len() > 12 { ", ..." } else { "" };
            let _ = writeln!(
                text,
                "\nFAILURE CLASS {class}: {} failures in {} cases ({}{more})",
                list.len(),
                numbers.len(),
                cases.join(", ")
            );
            let first = list[0];
            let _ = writeln!(text, "  first: case {} (seed {seed})", first.case);
            for line in first.what.lines() {
                let _ = writeln!(text, "    {line}");
            }
            for line in first.detail.lines().take(12) {
                let _ = writeln!(text, "    | {line}");
            }
            if let Some(kept) = &first.kept {
                let _ = writeln!(text, "  kept in {}", kept.display());
            }
        }
        text
    }
}

/// splitmix64: small, fast, and the same on every machine, so that a seed
/// names one campaign everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of one case: mixing the case number in, rather than
    /// drawing cases from one stream, lets any case be run again alone.
    pub fn for_case(seed: u64, case: u64) -> Self {
        let mut rng = Rng(seed ^ 0x5851_f42d_4c95_7f2d);
        let mixed = rng.next() ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        Rng(mixed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Runs `case` for every case number of the config, `jobs` at a time, and
/// adds up their summaries in case order, so the summary of a seed does not
/// depend on the number of jobs.
pub fn run_cases(
    config: &Config,
    case: &(dyn Fn(&Config, u64) -> Summary + Sync),
    progress: &(dyn Fn(u64, &Summary) + Sync),
) -> Summary {
    let jobs = config.jobs.max(1) as u64;
    let mut per_job: Vec<Vec<(u64, Summary)>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let mut number = config.first + job;
                    while number < config.first + config.count {
                        let summary = case(config, number);
                        progress(number, &summary);
                        done.push((number, summary));
                        number += jobs;
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            per_job.push(handle.join().expect("a campaign job panicked"));
        }
    });
    let mut all: Vec<(u64, Summary)> = per_job.into_iter().flatten().collect();
    all.sort_by_key(|(number, _)| *number);
    let mut total = Summary::default();
    for (_, summary) in all {
        total.absorb(summary);
    }
    total
}

/// Moves a failing case's folder to `out/failures/`, where it stays for
/// reproduction (renaming keeps FIFOs and symlinks as they were).
pub fn keep_case(config: &Config, campaign: &str, case: u64, dir: &Path) -> Option<PathBuf> {
    let kept = config
        .out
        .join("failures")
        .join(format!("{campaign}-seed{}-case{case}", config.seed));
    let _ = std::fs::remove_dir_all(&kept);
    std::fs::create_dir_all(kept.parent()?).ok()?;
    std::fs::rename(dir, &kept).ok()?;
    Some(kept)
}

/// The text of a run's output for a failure report: lossy UTF-8, at most
/// `limit` bytes, since hostile input can make outputs huge.
pub fn excerpt(bytes: &[u8], limit: usize) -> String {
    let cut = bytes.len().min(limit);
    let mut text = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if cut < bytes.len() {
        let _ = write!(text, "... ({} bytes in all)", bytes.len());
    }
    text
}
