//! Adversarial campaigns against the `touchpoint` binary, bounded and
//! seeded (see docs/development.md):
//!
//! ```text
//! cargo build --release
//! cargo run --release --example campaign -- mutate --seed 1 --count 20000
//! cargo run --release --example campaign -- generate --seed 1 --count 1000
//! ```
//!
//! `mutate` runs hostile copies of `menus/` and the fixture sets; `generate`
//! runs whole generated sets and checks determinism, shards and replays.
//! The same seed gives the same campaign; `--case N` runs one case again.
//! Exits 1 when anything failed, after a summary grouping the failures by
//! class; each failing case's files are kept under `OUT/failures/`.

// A campaign runs the release binary under a memory cap and a kill timeout.
#![allow(clippy::disallowed_methods)]

#[path = "campaign/mod.rs"]
mod campaign;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Adversarial campaigns against the touchpoint binary")]
struct Cli {
    #[command(subcommand)]
    campaign: Which,
}

#[derive(Subcommand)]
enum Which {
    /// Mutated copies of menus/ and fixtures/, run through lint, check, fuzz and personas
    Mutate(Options),
    /// Generated sets: reports byte-identical, merged shards equal to the unsharded run, every replay ends where its finding is
    Generate(Options),
}

#[derive(clap::Args)]
struct Options {
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Cases to run
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Run only this case (the number a failure report gives)
    #[arg(long)]
    case: Option<u64>,
    /// A run still going after this many seconds is killed and is a failure
    #[arg(long, default_value_t = 20)]
    timeout_secs: u64,
    /// Address-space limit of each run, in MiB
    #[arg(long, default_value_t = 4096)]
    memory_mib: u64,
    /// Random customers per fuzz and check run; the fuzzer runs them in
    /// batches of 128, and shards take whole batches, so several batches
    /// are needed for shards to have something to split
    #[arg(long, default_value_t = 600)]
    runs: u32,
    /// Keep the big mutations (repeats, nesting, long lines) small
    #[arg(long)]
    small: bool,
    /// Cases run at once
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// The binary under test (default: target/<profile>/touchpoint beside this example)
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Where cases run and failing cases are kept
    #[arg(long, default_value = "target/campaign")]
    out: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (name, options): (&str, Options) = match cli.campaign {
        Which::Mutate(o) => ("mutate", o),
        Which::Generate(o) => ("generate", o),
    };
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The example lives in target/<profile>/examples/; the binary it tests
    // is the one cargo built beside it, with the same profile.
    let binary = options.binary.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("the example's own path");
        exe.parent()
            .and_then(|p| p.parent())
            .expect("target/<profile>")
            .join("touchpoint")
    });
    // Runs start in their case's folder, so a relative path would not
    // find the binary there.
    let binary = std::fs::canonicalize(&binary).unwrap_or(binary);
    if !binary.is_file() {
        eprintln!(
            "no touchpoint binary at {}: build it first (cargo build --release), or name it with --binary",
            binary.display()
        );
        return ExitCode::from(2);
    }
    let out = if options.out.is_absolute() {
        options.out.clone()
    } else {
        project.join(&options.out)
    };
    let (first, count) = match options.case {
        Some(case) => (case, 1),
        None => (0, options.count),
    };
    let config = campaign::Config {
        binary,
        project,
        seed: options.seed,
        first,
        count,
        timeout: Duration::from_secs(options.timeout_secs),
        memory_mib: options.memory_mib,
        out,
        jobs: options.jobs,
        runs: options.runs,
        small: options.small,
    };
    let done = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let progress = |case: u64, summary: &campaign::Summary| {
        let done = done.fetch_add(1, Ordering::Relaxed) + 1;
        for failure in &summary.failures {
            failed.fetch_add(1, Ordering::Relaxed);
            eprintln!("case {case}: FAILURE {}", failure.class);
        }
        if done.is_multiple_of(100) {
            eprintln!(
                "{done}/{count} cases, {} failures",
                failed.load(Ordering::Relaxed)
            );
        }
    };
    let summary = match name {
        "mutate" => campaign::run_cases(&config, &campaign::mutate::case, &progress),
        _ => campaign::run_cases(&config, &campaign::generate::case, &progress),
    };
    let _ = std::fs::remove_dir(config.out.join("work"));
    print!("{}", summary.describe(name, config.seed));
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
