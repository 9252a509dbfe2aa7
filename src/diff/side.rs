//! One side of a diff: a set directory, a file, `git:REV` (the same path at
//! a git revision, read through the `Revisions` the caller gives), or a
//! saved JSON report.

use std::path::{Path, PathBuf};

use crate::report::Report;

#[derive(Debug, thiserror::Error)]
pub(crate) enum SideError {
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
    pub(crate) fn error_report(&self, side: &str) -> crate::report::ErrorReport {
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

/// Reads a path as it was at a revision of the repository that holds it.
/// The core runs no processes (ARCHITECTURE.md), so the reader is given by
/// the edge that runs the diff: the command line's runs git (`cli::git`).
pub(crate) trait Revisions {
    /// Writes `path` as it was at `rev` into a temporary directory; returns
    /// the directory (removed when dropped) and where `path` now is inside
    /// it, or `None` when `path` did not exist at `rev`.
    fn checkout(
        &self,
        rev: &str,
        path: &Path,
    ) -> Result<Option<(tempfile::TempDir, PathBuf)>, SideError>;
}

/// How to build a report for a side that is not a saved report.
#[derive(Debug, Clone)]
pub(crate) struct SideOptions {
    pub seed: u64,
    pub fuzz_runs: usize,
    /// The path a `git:REV` side reads at that revision.
    pub path: PathBuf,
    /// Read sides as exports of this platform instead of touchpoint YAML.
    pub from: Option<crate::import::Platform>,
    /// Score a set side by mutation testing too (`Report::mutation`).
    pub mutate: bool,
}

/// Whether a side is a saved JSON report rather than a set: with
/// `--from`, a JSON file is an export (Connect and Studio are JSON).
pub(crate) fn is_saved_report(spec: &str, options: &SideOptions) -> bool {
    let path = Path::new(spec);
    !spec.starts_with("git:")
        && options.from.is_none()
        && path.is_file()
        && path.extension().is_some_and(|e| e == "json")
}

/// Produces the report of one side. `describe` names the side in messages.
///
/// A flow file inside a set is read as part of its set
/// ([`crate::loader::locate_set`]), as `lint` and `check` read it, and the
/// side is about that file ([`Report::focus_on_file`]). A `git:REV` side
/// with a file PATH reads, at the revision, the set the file belongs to in
/// the working tree, through `revisions`.
pub(crate) fn load_side(
    spec: &str,
    options: &SideOptions,
    revisions: &dyn Revisions,
) -> Result<Report, SideError> {
    if let Some(rev) = spec.strip_prefix("git:") {
        let located = locate(&options.path, options);
        // A set that does not exist at the revision (a pull request that
        // adds it) is an empty side: everything on the other side is new.
        let Some((dir, target)) = revisions.checkout(rev, &located.root)? else {
            let mut empty = Report::new("check", spec.to_string(), options.seed);
            empty.file = located.file;
            return Ok(empty);
        };
        let result = report_for(&target, spec, located.file.as_deref(), options);
        drop(dir);
        return result;
    }
    let path = Path::new(spec);
    if is_saved_report(spec, options) {
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
    if options.mutate {
        let mutate = crate::mutate::MutateOptions {
            seed: options.seed,
            ..Default::default()
        };
        report.mutation = Some(crate::mutate::mutate(&set, &mutate).map_err(|e| unchecked(&e))?);
    }
    report.structure = crate::structure::describe(&set);
    report.set = name.to_string();
    if let Some(info) = &imported {
        info.locate_all(&mut report.findings, &set);
        if let Some(mutation) = &mut report.mutation {
            info.locate_mutants(mutation);
        }
        report.summarize();
    }
    if let Some(file) = file {
        report.focus_on_file(&set, file);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Revisions that hold one folder, or nothing, whatever is asked: a
    /// `git:` side with no git.
    struct Holding(Option<PathBuf>);

    impl Revisions for Holding {
        fn checkout(
            &self,
            _rev: &str,
            _path: &Path,
        ) -> Result<Option<(tempfile::TempDir, PathBuf)>, SideError> {
            let dir = tempfile::tempdir().map_err(|e| SideError::Git(e.to_string()))?;
            Ok(self.0.clone().map(|folder| (dir, folder)))
        }
    }

    fn options(path: &Path) -> SideOptions {
        SideOptions {
            seed: 1,
            fuzz_runs: 50,
            path: path.to_path_buf(),
            from: None,
            mutate: false,
        }
    }

    /// The diff runs no process: a revision side is whatever the given
    /// `Revisions` checks out, measured as the same folder is measured.
    #[test]
    fn a_revision_side_is_the_set_its_revisions_check_out() {
        let v2 = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff/v2");
        let options = options(&v2);
        let at_revision = load_side("git:old", &options, &Holding(Some(v2.clone()))).unwrap();
        let folder = load_side(v2.to_str().unwrap(), &options, &Holding(None)).unwrap();
        assert!(!folder.findings.is_empty());
        assert_eq!(at_revision.findings, folder.findings);
        assert_eq!(at_revision.set, "git:old");
    }

    /// A set that did not exist at the revision is an empty side.
    #[test]
    fn a_set_missing_at_the_revision_is_an_empty_side() {
        let v1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff/v1");
        let side = load_side("git:old", &options(&v1), &Holding(None)).unwrap();
        assert!(side.findings.is_empty());
        assert_eq!(side.set, "git:old");
    }
}
