//! How far loading a set has got, for a caller that shows it.
//!
//! The loader prints nothing and reads no clock, so it says how far it has
//! got to a function its caller gives it; the CLI turns that into a
//! progress bar on a terminal, and everything else passes [`no_progress`].

/// How many of a set's files have been read, parsed and decoded, out of
/// how many there are. Validation across files comes after the last one.
/// Files are decoded on several threads, but they are reported one call at
/// a time with `files_done` counting up by one, from whichever thread
/// finished a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    pub files_done: usize,
    pub files: usize,
}

/// The progress function of a caller that shows none.
pub fn no_progress(_: LoadProgress) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_set_is_counted_once_in_order() {
        let menus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let mut seen = Vec::new();
        let set = crate::loader::load_set_with_progress(&menus, &mut |p| seen.push(p))
            .expect("the bundled set loads");
        let files = set.files.len();
        assert!(files > 1, "the bundled set has several files");
        let expected: Vec<LoadProgress> = (1..=files)
            .map(|files_done| LoadProgress { files_done, files })
            .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_set_that_does_not_load_still_counts_its_files() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("a.yaml"), "flow: [unclosed\n").expect("write a.yaml");
        std::fs::write(dir.path().join("b.yaml"), "flow: b\n").expect("write b.yaml");
        let mut seen = Vec::new();
        let loaded = crate::loader::load_set_with_progress(dir.path(), &mut |p| seen.push(p));
        assert!(loaded.is_err());
        assert_eq!(
            seen,
            [
                LoadProgress {
                    files_done: 1,
                    files: 2
                },
                LoadProgress {
                    files_done: 2,
                    files: 2
                }
            ]
        );
    }
}
