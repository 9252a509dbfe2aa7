//! One problem found while loading, with its file, position and help, and the
//! did-you-mean suggestion for misspelt names.

use crate::loader::yaml::Pos;
use crate::model::SourceId;

/// One thing wrong with the input. The loader collects all of them before
/// giving up, so a user fixes a file in one pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// `None` for problems about the set as a whole (no flows, a missing path).
    pub file: Option<SourceId>,
    pub pos: Pos,
    pub message: String,
    /// A hint on how to fix it, shown under the source excerpt.
    pub help: Option<String>,
}

impl Problem {
    pub fn at(file: SourceId, pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            file: Some(file),
            pos,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn whole_set(message: impl Into<String>) -> Problem {
        Problem {
            file: None,
            pos: Pos::default(),
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// The closest candidate to a misspelt name, if one is close enough to be a
/// plausible typo (`nxet` for `next`).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        // Optimal string alignment distance: Levenshtein plus adjacent swaps,
        // which is the commonest typo in keys.
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_swapped_letters() {
        assert_eq!(did_you_mean("nxet", ["next", "say"]), Some("next"));
        assert_eq!(
            did_you_mean("optoins", ["options", "no_input"]),
            Some("options")
        );
        assert_eq!(did_you_mean("zzz", ["next", "say"]), None);
    }
}
