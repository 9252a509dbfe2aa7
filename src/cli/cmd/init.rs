//! `touchpoint init [DIR]`: writes a small, commented starter set, and a
//! GitHub Actions workflow that checks it, for a team's first steps.
//!
//! The files are real files under `templates/init/`, so that they are read,
//! reviewed and tested as they are written out; the tests check that the
//! written set passes `check` clean.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CliError, Verdict};

/// The folder of the set, relative to DIR: `check` reads `menus` when it is
/// given no path, so `touchpoint init` then `touchpoint check` just works.
const SET_FOLDER: &str = "menus";

/// Every file `init` writes, by its path relative to DIR, in the order it is
/// written and listed.
const STARTER_FILES: &[(&str, &str)] = &[
    (
        "menus/touchpoint.yaml",
        include_str!("../../../templates/init/menus/touchpoint.yaml"),
    ),
    (
        "menus/intents.yaml",
        include_str!("../../../templates/init/menus/intents.yaml"),
    ),
    (
        "menus/phone/main.yaml",
        include_str!("../../../templates/init/menus/phone/main.yaml"),
    ),
    (
        "menus/phone/verify.yaml",
        include_str!("../../../templates/init/menus/phone/verify.yaml"),
    ),
    (
        "menus/web/selfservice.yaml",
        include_str!("../../../templates/init/menus/web/selfservice.yaml"),
    ),
    (
        "menus/personas/pays-bill-by-phone.yaml",
        include_str!("../../../templates/init/menus/personas/pays-bill-by-phone.yaml"),
    ),
    (
        "menus/personas/wants-a-person-at-night.yaml",
        include_str!("../../../templates/init/menus/personas/wants-a-person-at-night.yaml"),
    ),
    (
        ".github/workflows/touchpoint.yml",
        include_str!("../../../templates/init/.github/workflows/touchpoint.yml"),
    ),
];

/// Writes the starter files under `dir`, or nothing at all when any of them
/// would replace something: every target is checked before the first file is
/// written.
pub(crate) fn run(dir: &Path) -> Result<Verdict, CliError> {
    // In the current folder the files are named as `menus/intents.yaml`,
    // not `./menus/intents.yaml`, as the user would type them.
    let dir = if dir == Path::new(".") {
        Path::new("")
    } else {
        dir
    };
    let targets: Vec<(PathBuf, &str)> = STARTER_FILES
        .iter()
        .map(|(relative, text)| (dir.join(relative), *text))
        .collect();
    refuse_to_replace(dir, &targets)?;

    let mut written: Vec<&Path> = Vec::with_capacity(targets.len());
    for (path, text) in &targets {
        if let Err(error) = write_new(path, text) {
            // A file that cannot be written (a full disk, a folder without
            // write permission) leaves no half-made set behind: the files
            // written so far are ours, made by this run, so they go too.
            for done in &written {
                let _ = std::fs::remove_file(done);
            }
            return Err(error);
        }
        written.push(path);
    }

    let mut report = format!("wrote a starter set of {} files:\n", targets.len());
    for (path, _) in &targets {
        report.push_str(&format!("  {}\n", path.display()));
    }
    report.push_str(&format!(
        "\nnext, check it (it passes clean), then make it yours:\n  {}\n",
        next_command(dir)
    ));
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(Verdict::Clean)
}

/// The command that checks the new set: `touchpoint check` alone when DIR is
/// the current folder, since `check` reads `menus` by default.
fn next_command(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        "touchpoint check".to_string()
    } else {
        format!("touchpoint check {}", dir.join(SET_FOLDER).display())
    }
}

/// Fails, naming them, when a target already exists (a file, a folder, or a
/// link, even one that points nowhere) or when a folder it would go in is
/// something other than a folder.
fn refuse_to_replace(dir: &Path, targets: &[(PathBuf, &str)]) -> Result<(), CliError> {
    let mut existing: Vec<PathBuf> = Vec::new();
    let mut not_folders: Vec<PathBuf> = Vec::new();
    for (path, _) in targets {
        if std::fs::symlink_metadata(path).is_ok() {
            existing.push(path.clone());
        }
        let folders = path
            .ancestors()
            .skip(1)
            .take_while(|folder| folder.starts_with(dir) && !folder.as_os_str().is_empty());
        for folder in folders {
            // `metadata` follows links: a linked folder is a folder to write in.
            if let Ok(metadata) = std::fs::metadata(folder) {
                if !metadata.is_dir() && !not_folders.iter().any(|seen| seen == folder) {
                    not_folders.push(folder.to_path_buf());
                }
            } else if std::fs::symlink_metadata(folder).is_ok()
                && !not_folders.iter().any(|seen| seen == folder)
            {
                // A link that points nowhere cannot hold the files either.
                not_folders.push(folder.to_path_buf());
            }
        }
    }
    if !not_folders.is_empty() {
        return Err(CliError::InitNotAFolder(not_folders));
    }
    if !existing.is_empty() {
        return Err(CliError::InitWouldReplace(existing));
    }
    Ok(())
}

/// Writes a file that must not exist yet: `create_new` refuses, rather than
/// replaces, a file made between the check and the write.
fn write_new(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|source| CliError::CreateDir {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|source| CliError::Write {
            path: path.to_path_buf(),
            source,
        })
}
