//! What the integration tests share: running the binary and copying sets.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `touchpoint` in `dir` without colour: (exit code, stdout, stderr).
pub fn touchpoint_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("touchpoint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `touchpoint` in the project directory.
pub fn touchpoint(args: &[&str]) -> (i32, String, String) {
    touchpoint_in(&project(), args)
}

/// Copies a set (a directory tree) so that a test can change it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
