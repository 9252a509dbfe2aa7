//! Golden transcripts: what each persona heard, saved as text, and on a
//! later run a word-level diff (with `similar`) of what changed for the
//! customer.

use std::path::{Path, PathBuf};

use similar::{ChangeTag, TextDiff};

use super::PersonaResult;
pub(crate) use crate::results::TranscriptChange;

/// The file a result's transcript is saved in: its name, made safe for
/// every file system.
pub fn file_name(result: &PersonaResult) -> String {
    file_name_of(&result.name())
}

/// The file the transcript of the run called `name` (`persona` or
/// `persona@variant`) is saved in.
pub(crate) fn file_name_of(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '@' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.txt")
}

pub fn text(result: &PersonaResult) -> String {
    let mut out = result.transcript.join("\n");
    out.push('\n');
    out
}

/// Writes every transcript into `dir`, creating it if needed, each one
/// atomically (see [`crate::atomic_write`]).
pub fn save(dir: &Path, results: &[PersonaResult]) -> std::io::Result<()> {
    let files: Vec<(String, String)> = results
        .iter()
        .map(|result| (file_name(result), text(result)))
        .collect();
    write_files(dir, &files)
}

/// The transcripts `changes` found changed, as (file, text) to write: what
/// `personas --accept` rewrites, taken from `results` before they go into
/// the report, so that they can be written once the report is out.
pub(crate) fn changed_files(
    results: &[PersonaResult],
    changes: &[TranscriptChange],
) -> Vec<(String, String)> {
    changes
        .iter()
        .filter_map(|change| {
            results
                .iter()
                .find(|result| file_name(result) == change.file)
                .map(|result| (change.file.clone(), text(result)))
        })
        .collect()
}

/// Writes each (file, text) into `dir`, creating it if needed, each file
/// atomically, so that an interrupted run leaves every transcript whole,
/// old or new.
pub(crate) fn write_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::atomic_write::remove_orphans(dir);
    for (file, text) in files {
        let path: PathBuf = dir.join(file);
        crate::atomic_write::write_file(&path, text.as_bytes())?;
    }
    Ok(())
}

/// The transcripts saved in `dir` that no run in `runs` (names as
/// `persona` or `persona@variant`) writes: those of personas no longer in
/// the set, sorted. `--accept` leaves them alone, since a persona run on
/// its own or in another shard is no reason to delete them, and lists
/// them so that people can.
pub(crate) fn unclaimed(dir: &Path, runs: &[String]) -> Vec<String> {
    let claimed: std::collections::BTreeSet<String> =
        runs.iter().map(|name| file_name_of(name)).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut left: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".txt") && !claimed.contains(name))
        .collect();
    left.sort();
    left
}

/// Compares every transcript with the one saved in `dir`. A journey with no
/// saved transcript is reported as changed from nothing.
pub fn compare(dir: &Path, results: &[PersonaResult]) -> Vec<TranscriptChange> {
    results
        .iter()
        .filter_map(|result| {
            let file = file_name(result);
            let old = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            let new = text(result);
            (old != new).then(|| TranscriptChange {
                persona: result.name(),
                file,
                diff: word_diff(&old, &new),
            })
        })
        .collect()
}

/// The changed lines of two transcripts, each with a word-level diff.
pub(crate) fn word_diff(old: &str, new: &str) -> String {
    let lines = TextDiff::from_lines(old, new);
    let mut out = String::new();
    for group in lines.grouped_ops(0) {
        for op in group {
            let old_part: String = lines.old_slices()[op.old_range()].concat();
            let new_part: String = lines.new_slices()[op.new_range()].concat();
            if old_part == new_part {
                continue;
            }
            let words = TextDiff::from_words(old_part.as_str(), new_part.as_str());
            // Runs of removed or added words read better as one bracket
            // each: `[-For anything else-]` rather than word by word.
            let mut runs: Vec<(ChangeTag, String)> = Vec::new();
            for change in words.iter_all_changes() {
                match runs.last_mut() {
                    Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
                    _ => runs.push((change.tag(), change.value().to_string())),
                }
            }
            for (tag, text) in runs {
                match tag {
                    ChangeTag::Equal => out.push_str(&text),
                    ChangeTag::Delete => out.push_str(&format!("[-{text}-]")),
                    ChangeTag::Insert => out.push_str(&format!("{{+{text}+}}")),
                }
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::word_diff;

    #[test]
    fn shows_changed_words_only_on_changed_lines() {
        let old = "[menu] hears: Press 1 for billing.\n> 1\n";
        let new = "[menu] hears: Press 2 for billing.\n> 1\n";
        assert_eq!(
            word_diff(old, new),
            "[menu] hears: Press [-1-]{+2+} for billing.\n"
        );
    }
}
