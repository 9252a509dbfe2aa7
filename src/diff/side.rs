//! One side of a diff: a set directory, a file, `git:REV` (the same path at
//! a git revision, read through git), or a saved JSON report.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report::Report;

#[derive(Debug, thiserror::Error)]
pub enum SideError {
    /// The side's set has mistakes; every one is kept, with its file, so
    /// that they can be shown and written in any format.
    #[error("{side}: {error}")]
    Load {
        side: String,
        error: crate::loader::LoadError,
    },
    /// With `--from`, the side's export could not be imported.
    #[error("{side}: {error}")]
    Import {
        side: String,
        error: crate::import::FromError,
    },
    /// The set loaded but could not be checked.
    #[error("{side}: {message}")]
    Check { side: String, message: String },
    #[error("cannot read the saved report `{path}`: {reason}")]
    Report { path: String, reason: String },
    #[error("git: {0}")]
    Git(String),
}

impl SideError {
    /// The side's problems as the load errors of other commands are
    /// written (`--format json|markdown`): each mistake in the set at its
    /// file, line and column, anything else as one error about the side.
    /// `side` is the side as it was given (`git:main`, a path).
    pub fn error_report(&self, side: &str) -> crate::report::ErrorReport {
        match self {
            SideError::Load { error, .. } => {
                crate::report::ErrorReport::new("diff", side.to_string(), error)
            }
            SideError::Import { error, .. } => {
                crate::report::ErrorReport::of_import("diff", side.to_string(), error)
            }
            other => crate::report::ErrorReport::of_message("diff", side.to_string(), other),
        }
    }
}

/// How to build a report for a side that is not a saved report.
#[derive(Debug, Clone)]
pub struct SideOptions {
    pub seed: u64,
    pub fuzz_runs: usize,
    /// The path a `git:REV` side reads at that revision.
    pub path: PathBuf,
    /// Read sides as exports of this platform instead of touchpoint YAML.
    pub from: Option<crate::import::Platform>,
}

/// Produces the report of one side. `describe` names the side in messages.
///
/// A flow file inside a set is read as part of its set
/// ([`crate::loader::locate_set`]), as `lint` and `check` read it, and the
/// side is about that file ([`Report::focus_on_file`]). A `git:REV` side
/// with a file PATH reads, at the revision, the set the file belongs to in
/// the working tree.
pub fn load_side(spec: &str, options: &SideOptions) -> Result<Report, SideError> {
    if let Some(rev) = spec.strip_prefix("git:") {
        let located = locate(&options.path, options);
        // A set that does not exist at the revision (a pull request that
        // adds it) is an empty side: everything on the other side is new.
        let Some((dir, target)) = checkout(rev, &located.root)? else {
            let mut empty = Report::new("check", spec.to_string(), options.seed);
            empty.file = located.file;
            return Ok(empty);
        };
        let result = report_for(&target, spec, located.file.as_deref(), options);
        drop(dir);
        return result;
    }
    let path = Path::new(spec);
    // With `--from`, a JSON file is an export (Connect and Studio are
    // JSON), not a saved report.
    if options.from.is_none() && path.is_file() && path.extension().is_some_and(|e| e == "json") {
        let text = std::fs::read_to_string(path).map_err(|e| SideError::Report {
            path: spec.to_string(),
            reason: e.to_string(),
        })?;
        return serde_json::from_str(&text).map_err(|e| SideError::Report {
            path: spec.to_string(),
            reason: format!("{e} (is it the JSON of `touchpoint check -o FILE --format json`?)"),
        });
    }
    let located = locate(path, options);
    report_for(&located.root, spec, located.file.as_deref(), options)
}

/// The set a side's path belongs to. An export read with `--from` is
/// whatever path was given.
fn locate(path: &Path, options: &SideOptions) -> crate::loader::SetPath {
    match options.from {
        Some(_) => crate::loader::SetPath {
            root: path.to_path_buf(),
            file: None,
        },
        None => crate::loader::locate_set(path),
    }
}

/// Loads and checks a set the way `check` does, so that both sides of a
/// diff are measured alike; with `file`, narrowed to that file of the set.
fn report_for(
    path: &Path,
    name: &str,
    file: Option<&str>,
    options: &SideOptions,
) -> Result<Report, SideError> {
    let (set, imported) = match options.from {
        Some(platform) => {
            let (set, info) =
                crate::import::load_from(platform, path).map_err(|error| SideError::Import {
                    side: name.to_string(),
                    error,
                })?;
            (set, Some(info))
        }
        None => {
            let set = crate::loader::load_set(path).map_err(|error| SideError::Load {
                side: name.to_string(),
                error,
            })?;
            (set, None)
        }
    };
    let unchecked = |e: &dyn std::fmt::Display| SideError::Check {
        side: name.to_string(),
        message: e.to_string(),
    };
    let mut report =
        crate::run::lint_report(&set, "check", options.seed).map_err(|e| unchecked(&e))?;
    let fuzz = crate::fuzz::FuzzOptions {
        seed: options.seed,
        runs: options.fuzz_runs,
        ..Default::default()
    };
    let outcome = crate::fuzz::fuzz(&set, &fuzz, &mut |_| {}).map_err(|e| unchecked(&e))?;
    report.add_fuzz(outcome);
    let personas =
        crate::personas::run_personas(&set, options.seed, None, None).map_err(|e| unchecked(&e))?;
    report.add_personas(&set, personas);
    report.structure = crate::structure::describe(&set);
    report.set = name.to_string();
    if let Some(info) = &imported {
        info.locate_all(&mut report.findings, &set);
        report.summarize();
    }
    if let Some(file) = file {
        report.focus_on_file(&set, file);
    }
    Ok(report)
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, SideError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| SideError::Git(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        return Err(SideError::Git(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    Ok(output.stdout)
}

/// The repository that holds `path`, and `path` relative to its top level
/// (`/`-separated, empty for the top itself). git runs in the nearest
/// directory of `path` that exists (the path itself may be gone from the
/// working tree when both sides are revisions), so it finds the right
/// repository whatever the working directory.
fn locate_in_repository(path: &Path) -> Result<(PathBuf, String), SideError> {
    let mut dir = path.to_path_buf();
    // The part of `path` below `dir`, innermost first.
    let mut below: Vec<String> = Vec::new();
    while !dir.as_os_str().is_empty() && !dir.is_dir() {
        if let Some(name) = dir.file_name() {
            below.push(name.to_string_lossy().to_string());
        }
        dir = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    // An empty path is the working directory.
    if dir.as_os_str().is_empty() {
        dir = PathBuf::from(".");
    }
    let not_in_repo = |e: SideError| {
        SideError::Git(format!(
            "`{}` is not in a git repository: {e}",
            path.display()
        ))
    };
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map_err(not_in_repo)?;
    let prefix = git(&dir, &["rev-parse", "--show-prefix"]).map_err(not_in_repo)?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let mut relative = String::from_utf8_lossy(&prefix)
        .trim_end_matches(['\n', '\r'])
        .trim_end_matches('/')
        .to_string();
    for name in below.iter().rev() {
        if !relative.is_empty() {
            relative.push('/');
        }
        relative.push_str(name);
    }
    Ok((top, relative))
}

/// Writes `path` as it was at `rev` into a temporary directory; returns the
/// directory (removed when dropped) and where `path` now is inside it, or
/// `None` when `path` did not exist at `rev`.
fn checkout(rev: &str, path: &Path) -> Result<Option<(tempfile::TempDir, PathBuf)>, SideError> {
    let (top, spec) = locate_in_repository(path)?;
    // Names come relative to the top level, and so does `spec`.
    let pathspec = if spec.is_empty() { "." } else { spec.as_str() };
    let listing = git(
        &top,
        &[
            "ls-tree",
            "-r",
            "--full-name",
            "--name-only",
            rev,
            "--",
            pathspec,
        ],
    )?;
    let names: Vec<String> = String::from_utf8_lossy(&listing)
        .lines()
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix("touchpoint-")
        .tempdir()
        .map_err(|e| SideError::Git(format!("cannot make a temporary directory: {e}")))?;
    let single_file = names.len() == 1 && names[0] == spec;
    for name in &names {
        let content = git(&top, &["show", &format!("{rev}:{name}")])?;
        let relative = if single_file {
            Path::new(name)
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_default()
        } else {
            Path::new(name)
                .strip_prefix(&spec)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| PathBuf::from(name))
        };
        let target = dir.path().join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| SideError::Git(e.to_string()))?;
        }
        std::fs::write(&target, content).map_err(|e| SideError::Git(e.to_string()))?;
    }
    let target = if single_file {
        dir.path()
            .join(Path::new(&names[0]).file_name().unwrap_or_default())
    } else {
        dir.path().to_path_buf()
    };
    Ok(Some((dir, target)))
}
