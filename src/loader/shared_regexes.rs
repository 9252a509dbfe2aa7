//! The regex cache as the files of a set share it while they are decoded
//! on several threads.

use std::sync::{Mutex, PoisonError};

use crate::model::user_regex::{RegexCache, RegexError, UserRegex};

/// One [`RegexCache`] for every file of a set, whichever thread decodes
/// it: sets repeat the same few patterns in every flow, and a cache per
/// file would check each of them again and file it into a batch of its
/// own, so that the walk would compile one automaton per file instead of
/// one per 64 patterns. Which batch a pattern lands in then depends on the
/// order threads get here, but nothing a report says does: a handle
/// matches its own pattern in any batch.
#[derive(Default)]
pub(crate) struct SharedRegexes {
    cache: Mutex<RegexCache>,
}

impl SharedRegexes {
    pub(crate) fn get(
        &self,
        pattern: &str,
        case_insensitive: bool,
    ) -> Result<UserRegex, RegexError> {
        // A thread that panicked while holding the lock left the cache as
        // it was between two patterns (each is inserted whole), so what it
        // holds is still right.
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(pattern, case_insensitive)
    }
}
