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
    let safe: String = result
        .name()
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
    std::fs::create_dir_all(dir)?;
    crate::atomic_write::remove_orphans(dir);
    for result in results {
        let path: PathBuf = dir.join(file_name(result));
        crate::atomic_write::write_file(&path, text(result).as_bytes())?;
    }
    Ok(())
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
