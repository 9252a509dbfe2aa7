//! Loading the set a command reads: touchpoint YAML, or a platform export
//! with `--from`; when it does not load, its problems go to standard error
//! and, in the format asked for, to the output.

use std::path::Path;

use super::args::{Common, Format};
use super::output::Output;
use super::{stderr_colour, CliError};
use crate::loader::{load_set_with_progress, LoadProgress};
use crate::model::MenuSet;
use crate::render;

/// Loads a set for a command that writes no report: the notes of an
/// import go to standard error. (A report carries them instead, so that
/// they are said once.)
pub(crate) fn load(command: &str, path: &Path, common: &Common) -> Result<MenuSet, CliError> {
    load_noting_import(command, path, common).map(|(set, _)| set)
}

pub(crate) fn load_noting_import(
    command: &str,
    path: &Path,
    common: &Common,
) -> Result<(MenuSet, Option<crate::import::ImportInfo>), CliError> {
    let (set, info, _) = load_with_import(command, path, common)?;
    for note in info.iter().flat_map(|i| &i.notes) {
        eprintln!("note: {note}");
    }
    Ok((set, info))
}

/// Loads a set, or with `--from` imports it, returning what the import
/// knows about where nodes came from. A file inside a set loads its whole
/// set (`locate_set`), and the file's name in the set comes back too: the
/// report is about that file. When the set does not load, every problem
/// goes in the format asked for to the output, so that CI gets its
/// annotations, and comes back as the error people read (exit 2).
pub(crate) fn load_with_import(
    command: &str,
    path: &Path,
    common: &Common,
) -> Result<(MenuSet, Option<crate::import::ImportInfo>, Option<String>), CliError> {
    if let Some(platform) = common.from {
        return match crate::import::load_from(platform, path) {
            Ok((set, info)) => Ok((set, Some(info), None)),
            Err(e) => {
                // An export that cannot be imported is a set that cannot be
                // loaded: CI gets it in its format too.
                let human = format!("error: {e}\n");
                let report =
                    crate::report::ErrorReport::of_import(command, path.display().to_string(), &e);
                Err(write_load_errors(&report, human.clone(), &human, common))
            }
        };
    }
    let located = crate::loader::locate_set(path);
    let root = &located.root;
    let bar = loading_bar();
    let mut on_progress = |p: LoadProgress| {
        if let Some(bar) = &bar {
            if p.files >= FILES_WORTH_A_BAR && bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_length(p.files as u64);
            bar.set_position(p.files_done as u64);
        }
    };
    let loaded = load_set_with_progress(root, &mut on_progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let set = loaded.map_err(|e| {
        // Problems in other files of the set are reported too: the set
        // cannot be checked, so neither can the file.
        let report = crate::report::ErrorReport::new(command, root.display().to_string(), &e);
        write_load_errors(
            &report,
            render::load_error_text(&e, stderr_colour()),
            &render::load_error_text(&e, false),
            common,
        )
    })?;
    Ok((set, None, located.file))
}

/// Sets of fewer files than this load in well under a second: a bar would
/// only flicker.
const FILES_WORTH_A_BAR: usize = 100;

/// A bar of the files loaded, on standard error when it is a terminal
/// outside CI, and never in a report. It stays hidden until the set turns
/// out to have [`FILES_WORTH_A_BAR`] files.
fn loading_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let bar = indicatif::ProgressBar::hidden();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} loading [{bar:30}] {pos}/{len} files")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// Writes the problems of an input that did not load in the format asked
/// for, and returns the error that says them to people: `shown`, in the
/// colours of standard error. `human` is the same text without colour: with
/// `--format human -o FILE` it goes to the file as well, as every other
/// format does; without `-o` it is not printed twice.
pub(crate) fn write_load_errors(
    report: &crate::report::ErrorReport,
    shown: String,
    human: &str,
    common: &Common,
) -> CliError {
    let text = match common.format() {
        Format::Human if common.output.is_none() => None,
        Format::Human => Some(human.to_string()),
        Format::Json => Some(render::json::render_value(report)),
        Format::Sarif => Some(render::sarif::load_errors(report)),
        Format::Junit => Some(render::junit::load_errors(report)),
        Format::Markdown => Some(render::markdown::load_errors(report)),
        Format::Html => Some(render::html::load_errors(human)),
    };
    // Exit 2 whether or not the file could be written; a failed write is
    // said after the problems.
    let unwritten = text
        .and_then(|text| Output::new(common.output.as_deref()).write(&text).err())
        .map(Box::new);
    CliError::NotLoaded { shown, unwritten }
}
