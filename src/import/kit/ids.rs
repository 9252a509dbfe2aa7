//! Ids handed out once each: node ids in a flow, flow ids in a set.

use std::collections::{HashMap, HashSet};

/// The ids given out so far. A wanted id is given as it is when it is
/// free, else as the first free of `<id>_2`, `<id>_3`, ... Every importer
/// and the crawler name what they build this way, so the same export
/// always gives the same ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct UniqueIds {
    taken: HashSet<String>,
    /// Per wanted id that was taken, the suffix to try next. Ids are never
    /// given back, so every smaller suffix is taken already: a claim does
    /// not try them again, and costs constant time amortised however often
    /// the same id is wanted.
    next_suffix: HashMap<String, u32>,
}

impl UniqueIds {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `wanted` itself, or the first of `wanted_2`, `wanted_3`, ... that
    /// is free; from now on taken.
    pub(crate) fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let suffix = self.next_suffix.entry(wanted.to_string()).or_insert(2);
        loop {
            let candidate = format!("{wanted}_{suffix}");
            *suffix += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Whether `id` has been given out.
    #[cfg(test)]
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_id_gets_the_first_free_suffix() {
        let mut ids = UniqueIds::new();
        assert_eq!(ids.claim("a"), "a");
        assert_eq!(ids.claim("a_3"), "a_3");
        assert_eq!(ids.claim("a"), "a_2");
        assert_eq!(ids.claim("a"), "a_4");
        assert_eq!(ids.claim("a_2"), "a_2_2");
        assert_eq!(ids.claim("b"), "b");
        assert!(ids.contains("a_4") && !ids.contains("a_5"));
    }

    /// The suffix a claim gives is the one the first-free rule gives, for
    /// any order of claims: the counter per id only skips suffixes that
    /// are taken.
    #[test]
    fn claims_match_the_first_free_rule() {
        let wanted = [
            "x", "x_2", "x", "y", "x", "x_4", "x", "x_2", "x_2", "y", "x",
        ];
        let mut ids = UniqueIds::new();
        let mut plain: HashSet<String> = HashSet::new();
        for w in wanted {
            let mut expected = w.to_string();
            let mut n = 2;
            while plain.contains(&expected) {
                expected = format!("{w}_{n}");
                n += 1;
            }
            plain.insert(expected.clone());
            assert_eq!(ids.claim(w), expected);
        }
    }
}
