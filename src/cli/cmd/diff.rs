//! `touchpoint diff`: compares two versions of a set (directories, git
//! revisions or saved reports) and fails on what got worse.

use crate::cli::args::{Common, Format};
use crate::cli::load::write_load_errors;
use crate::cli::output::Output;
use crate::cli::{stderr_colour, CliError, Verdict};
use crate::render;

pub(crate) fn run(
    old: &str,
    new: &str,
    fail_on: &[String],
    limits: crate::diff::Limits,
    path: Option<std::path::PathBuf>,
    runs: usize,
    common: &Common,
) -> Result<Verdict, CliError> {
    let mut kinds = Vec::new();
    for item in fail_on {
        match crate::diff::FailOn::parse(item) {
            Some(kind) => kinds.push(kind),
            None => return Err(CliError::FailOn(item.clone())),
        }
    }
    // A git:REV side reads the other side's path at that revision.
    let path = path.unwrap_or_else(|| {
        [old, new]
            .iter()
            .find(|s| !s.starts_with("git:") && (common.from.is_some() || !s.ends_with(".json")))
            .map_or_else(
                || std::path::PathBuf::from("menus"),
                std::path::PathBuf::from,
            )
    });
    let options = crate::diff::SideOptions {
        seed: common.seed,
        fuzz_runs: runs,
        path,
        from: common.from,
        mutate: false,
    };
    let [old_report, new_report] = load_sides([old, new], &options);
    let (old_report, new_report) = match (old_report, new_report) {
        (Ok(a), Ok(b)) => (a, b),
        (old_side, new_side) => {
            // Both sides are told on standard error; the output, one
            // document in the format asked for, says why the first side
            // that failed could not be compared.
            let failed: Vec<(&str, &str, crate::diff::SideError)> =
                [("old", old, old_side), ("new", new, new_side)]
                    .into_iter()
                    .filter_map(|(which, spec, side)| side.err().map(|e| (which, spec, e)))
                    .collect();
            let mut shown = String::new();
            let mut first = None;
            for (which, spec, error) in failed {
                let human = side_error_text(which, spec, &error, false);
                shown.push_str(&side_error_text(which, spec, &error, stderr_colour()));
                first.get_or_insert((error.error_report(spec), human));
            }
            return Err(match first {
                Some((report, human)) => write_load_errors(&report, shown, &human, common),
                None => CliError::NotLoaded {
                    shown,
                    unwritten: None,
                },
            });
        }
    };
    let report = crate::diff::diff(&old_report, &new_report, &kinds, limits);
    let text = match common.format() {
        Format::Json => render::json::render_value(&report),
        Format::Markdown => render::markdown::diff(&report, &new_report),
        Format::Human => render::human::diff(&report),
        // Clap refuses these for diff; a Common built by hand could still
        // carry one.
        Format::Junit | Format::Sarif | Format::Html => {
            return Err(CliError::Usage("diff prints human, json or markdown; junit and sarif are for check, lint, fuzz, personas and merge"))
        }
    };
    Output::new(common.output.as_deref()).write(&text)?;
    Ok(Verdict::failed_if(report.fails()))
}

/// Both sides' reports. A set side is scored by mutation testing when the
/// score can be compared: the other side is a set too, or a saved report
/// that has a score. Saved reports are read first to know that.
fn load_sides(
    [old, new]: [&str; 2],
    options: &crate::diff::SideOptions,
) -> [Result<crate::report::Report, crate::diff::SideError>; 2] {
    let load = |spec: &str, mutate: bool| {
        let options = crate::diff::SideOptions {
            mutate,
            ..options.clone()
        };
        crate::diff::load_side(spec, &options, &crate::cli::git::Git)
    };
    let scored = |side: &Result<crate::report::Report, _>| {
        side.as_ref().is_ok_and(|report| report.mutation.is_some())
    };
    let saved = [old, new].map(|spec| crate::diff::is_saved_report(spec, options));
    match saved {
        [false, false] => [load(old, true), load(new, true)],
        [true, false] => {
            let old_side = load(old, false);
            let new_side = load(new, scored(&old_side));
            [old_side, new_side]
        }
        [false, true] => {
            let new_side = load(new, false);
            [load(old, scored(&new_side)), new_side]
        }
        [true, true] => [load(old, false), load(new, false)],
    }
}

/// What people read when a side of a diff (`which`, old or new) cannot be
/// compared: a set with mistakes shows each at its line, as `lint` does.
fn side_error_text(
    which: &str,
    spec: &str,
    error: &crate::diff::SideError,
    colour: bool,
) -> String {
    match error {
        crate::diff::SideError::Load { error, .. } => format!(
            "error: the {which} side `{spec}` did not load\n{}",
            render::load_error_text(error, colour)
        ),
        other => format!("error: {other}\n"),
    }
}
