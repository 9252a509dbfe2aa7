//! The diff command's `git:REV` sides: a path as it was at a revision,
//! read by running git. Running a process is an edge's business, so this
//! lives with the command line and the diff is given it as its
//! `Revisions`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diff::{Revisions, SideError};

/// Reads revisions with the `git` found on the `PATH`, run with `-C` in the
/// repository of the path.
pub(crate) struct Git;

impl Revisions for Git {
    fn checkout(
        &self,
        rev: &str,
        path: &Path,
    ) -> Result<Option<(tempfile::TempDir, PathBuf)>, SideError> {
        checkout(rev, path)
    }
}

// Running git is what this edge is for.
#[allow(clippy::disallowed_methods)]
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
