//! Files written whole or not at all: reports (`-o`), crawled and imported
//! flows, golden transcripts.
//!
//! A file is written to a temporary file in the target's folder, then
//! renamed over the target, so a reader never sees half a file, even when
//! touchpoint is killed mid-write. A kill between the two leaves the
//! temporary file behind; its name says it is ours and which process wrote
//! it (`.touchpoint-<pid>-<target name>.<random>.tmp`), so a later write in
//! the same folder removes it once that process is gone.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The start of the name of every temporary file touchpoint writes.
pub(crate) const TEMP_PREFIX: &str = ".touchpoint-";
const TEMP_SUFFIX: &str = ".tmp";

/// An orphan whose writer cannot be checked (no `/proc`) is removed only
/// after this long: no write of a report takes a day.
pub(crate) const ORPHAN_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Writes `bytes` to `path` atomically, first removing the orphans that
/// earlier, killed runs left in its folder.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    remove_orphans(folder_of(path));
    write_file(path, bytes)
}

/// Writes `bytes` to `path` atomically, without looking for orphans: for
/// many files in one folder, after one [`remove_orphans`].
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = temp_file_for(path)?;
    temp.write_all(bytes)?;
    finish(temp, path)
}

/// Writes to `path` atomically what `fill` writes, rendering and writing at
/// once (see [`crate::streamed`]): a report of tens of megabytes is never
/// held whole in memory, and takes the longer of the two times rather than
/// their sum.
pub(crate) fn write_streamed(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    remove_orphans(folder_of(path));
    let mut temp = temp_file_for(path)?;
    crate::streamed::stream(temp.as_file_mut(), fill)?;
    finish(temp, path)
}

/// A temporary file beside `path`, named as [`remove_orphans`] knows.
fn temp_file_for(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let target_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!("{TEMP_PREFIX}{}-{target_name}.", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // tempfile makes files only their owner can read; a report is made as
    // any other file is, with the permissions the umask leaves.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(folder_of(path))
}

/// Renames the written temporary file over `path`.
fn finish(mut temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    temp.flush()?;
    // On failure the temporary file is deleted when `PersistError` drops.
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The folder a file at `path` is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes the temporary files that runs killed mid-write left in
/// `folder`. Only regular files named as [`write_file`] names them are
/// candidates, and of those only the ones whose writer is no longer
/// running (on Linux, where `/proc` tells) or that are older than
/// [`ORPHAN_AGE`]. Nothing else is touched, and a file that cannot be read
/// or removed is left: cleaning up is a courtesy, never a reason to fail.
// A leftover's age is measured against the time of day: files are stamped
// with it, and this edge writes files.
#[allow(clippy::disallowed_methods)]
pub(crate) fn remove_orphans(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(writer_pid) else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        // `DirEntry::metadata` does not follow links: a link is not ours.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let old = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= ORPHAN_AGE);
        if old || process_is_gone(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name, if the name is one that
/// [`write_file`] gives: the prefix, a pid, a dash, the target's name, a
/// dot, tempfile's random part, the suffix.
fn writer_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, rest) = rest.split_once('-')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || !rest.contains('.') {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process `pid` has certainly ended: only where `/proc` lists
/// the running processes (Linux) can that be told.
fn process_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
// The tests make a process that has ended and stamp files with old times.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    /// The id of a process that has ended.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn names_are_recognised_only_when_ours() {
        assert_eq!(
            writer_pid(".touchpoint-123-report.json.AbC12.tmp"),
            Some(123)
        );
        assert_eq!(writer_pid(".touchpoint-123-.x1.tmp"), Some(123));
        assert_eq!(writer_pid(".touchpoint-notes.txt"), None);
        assert_eq!(writer_pid(".touchpoint-abc-report.json.x.tmp"), None);
        assert_eq!(writer_pid(".touchpoint--report.json.x.tmp"), None);
        assert_eq!(writer_pid(".report.json.123.tmp"), None);
        assert_eq!(writer_pid("touchpoint-123-report.json.x.tmp"), None);
    }

    #[test]
    fn a_write_leaves_only_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        write(&target, b"{}\n").unwrap();
        write(&target, b"[]\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"[]\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["report.json"]);
    }

    /// A report gets the permissions any new file gets, not tempfile's
    /// owner-only ones.
    #[cfg(unix)]
    #[test]
    fn a_written_file_has_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.json");
        std::fs::write(&plain, b"{}\n").unwrap();
        let target = dir.path().join("report.json");
        write(&target, b"{}\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&target), mode(&plain));
    }

    /// What a run killed mid-write leaves is removed by the next write in
    /// the folder; what another running process is writing, what is not
    /// ours and what is not a file are left alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn orphans_of_ended_runs_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let orphan = format!(".touchpoint-{}-report.json.Xy12z.tmp", dead_pid());
        // Process 1 runs as long as the system does.
        let running = ".touchpoint-1-report.json.Xy12z.tmp";
        let kept = [
            running,
            ".touchpoint-notes.txt",
            ".report.json.77.tmp",
            "report.json.tmp",
        ];
        std::fs::write(dir.path().join(&orphan), b"{\"half\": ").unwrap();
        for name in kept {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let folder = format!(".touchpoint-{}-dir.Xy12z.tmp", dead_pid());
        std::fs::create_dir(dir.path().join(&folder)).unwrap();

        write(&dir.path().join("report.json"), b"{}\n").unwrap();

        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected: Vec<String> = kept.iter().map(|n| n.to_string()).collect();
        expected.push(folder);
        expected.push("report.json".into());
        expected.sort();
        assert_eq!(names, expected);
    }

    /// Where the writer cannot be checked, age alone tells an orphan.
    #[test]
    fn orphans_older_than_a_day_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".touchpoint-1-report.json.Ab1.tmp");
        std::fs::write(&old, b"x").unwrap();
        let file = std::fs::File::options().write(true).open(&old).unwrap();
        file.set_modified(SystemTime::now() - ORPHAN_AGE - Duration::from_secs(60))
            .unwrap();
        drop(file);
        remove_orphans(dir.path());
        assert!(!old.exists());
    }
}
