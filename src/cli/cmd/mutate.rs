//! `touchpoint mutate`: seeds one editing mistake at a time into the set,
//! runs the personas against each, and reports the mutation score with a
//! suggested persona for every mistake they miss.

use std::path::Path;

use crate::cli::args::{Common, Format, MutateArgs, MutateFormat};
use crate::cli::load::load_noting_import;
use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};
use crate::mutate::{mutate, MutateOptions};
use crate::results::mutation::MutationReport;

/// Runs `mutate` as clap parsed it.
pub(crate) fn run(args: MutateArgs) -> Result<Verdict, CliError> {
    let format = args.format.unwrap_or(MutateFormat::Human);
    let common = Common {
        format: Some(match format {
            MutateFormat::Human => Format::Human,
            MutateFormat::Json => Format::Json,
            MutateFormat::Markdown => Format::Markdown,
            MutateFormat::Junit => Format::Junit,
        }),
        output: args.output.output,
        seed: args.seed.seed,
        deny: None,
        from: args.from.from,
        shard: args.shard,
    };
    let (set, imported) = load_noting_import("mutate", &args.path, &common)?;
    let options = MutateOptions {
        seed: common.seed,
        with_lint: args.mutation.with_lint,
        shard: args.shard,
        operators: args.mutation.operators.clone(),
        transcripts: args.mutation.transcripts.clone(),
    };
    let mut report = mutate(&set, &options)?;
    report.min_score = args.mutation.min_score;
    if let Some(info) = &imported {
        info.locate_mutants(&mut report);
    }
    if let Some(dir) = &args.mutation.write_suggestions {
        write_suggestions(dir, &report)?;
    }
    let text = match format {
        MutateFormat::Human => crate::render::mutation::human(&report),
        MutateFormat::Json => crate::render::mutation::json(&report),
        MutateFormat::Markdown => crate::render::mutation::markdown(&report),
        MutateFormat::Junit => crate::render::mutation::junit(&report),
    };
    Output::new(common.output.as_deref()).write(&text)?;
    Ok(Verdict::failed_if(report.below_min_score()))
}

/// Writes each distinct suggested persona into `dir` as `NAME.yaml`. A file
/// that exists is never replaced: someone may have edited it. Then nothing
/// is written at all, so that a rerun after removing it does not meet the
/// suggestions this run wrote before it.
fn write_suggestions(dir: &Path, report: &MutationReport) -> Result<(), CliError> {
    let mut names = std::collections::BTreeSet::new();
    let mut files = Vec::new();
    for survivor in &report.survivors {
        let (Some(name), Some(yaml)) = (&survivor.suggestion_name, &survivor.suggestion) else {
            continue;
        };
        if names.insert(name.clone()) {
            files.push((dir.join(format!("{name}.yaml")), yaml));
        }
    }
    // A link of that name counts as a file, even one that leads nowhere.
    let taken = |path: &Path| std::fs::symlink_metadata(path).is_ok();
    if let Some((path, _)) = files.iter().find(|(path, _)| taken(path)) {
        return Err(CliError::SuggestionExists(path.clone()));
    }
    std::fs::create_dir_all(dir).map_err(|source| CliError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    for (path, yaml) in files {
        crate::atomic_write::write_file(&path, yaml.as_bytes()).map_err(|source| {
            CliError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    Ok(())
}
