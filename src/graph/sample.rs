//! Example answers for `ask` patterns and speech phrases, generated from the
//! regex with proptest and shrunk to the simplest string that still matches,
//! so reports show `enter:00000000` rather than random noise.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use regex_syntax::hir::Hir;

use crate::model::user_regex::{live_part, parse, shortest_text};
use crate::model::UserRegex;

/// The answers touchpoint types at an `ask` node: the simplest its pattern
/// takes and the simplest it refuses, each `None` when there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleAnswers {
    pub valid: Option<String>,
    pub invalid: Option<String>,
}

/// The simplest string that `matcher` accepts, or `None` when none can be
/// found (the loader has already refused patterns that match nothing).
pub fn simplest_match(matcher: &UserRegex) -> Option<String> {
    if let Some(sample) = generable(matcher).and_then(|hir| shrunk_sample(&hir, matcher)) {
        return Some(sample);
    }
    // Generation ignores anchors and word boundaries, so a pattern whose
    // assertions rule out the plain reading (`\Bment` needs a letter before
    // it) gets its shortest match from its automaton instead.
    shortest_text(matcher.as_str(), matcher.case_insensitive()).filter(|t| matcher.is_match(t))
}

/// What proptest can generate from: the pattern's live part (see
/// [`live_part`]), parsed case-sensitively when that leaves anything to
/// match, so samples keep the case the author wrote.
fn generable(matcher: &UserRegex) -> Option<Hir> {
    let parsed = |case_insensitive| {
        parse(matcher.as_str(), case_insensitive)
            .ok()
            .map(|hir| live_part(&hir))
            .filter(|hir| hir.properties().minimum_len().is_some())
    };
    parsed(false).or_else(|| matcher.case_insensitive().then(|| parsed(true)).flatten())
}

/// A value proptest generates from `hir`, shrunk towards the simplest one the
/// real matcher still accepts, so reports show `enter:00000000` rather than
/// random noise.
fn shrunk_sample(hir: &Hir, matcher: &UserRegex) -> Option<String> {
    let strategy = proptest::string::string_regex_parsed(hir).ok()?;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    // A few tries: a generated value may fail the real matcher when the
    // generator reads a construct differently (word boundaries, anchors).
    for _ in 0..8 {
        let mut tree = strategy.new_tree(&mut runner).ok()?;
        let mut best = tree.current();
        // Shrinking walks towards simpler strings; keep the last one that the
        // real regex still accepts.
        for _ in 0..256 {
            if !tree.simplify() {
                break;
            }
            let candidate = tree.current();
            if matcher.is_match(&candidate) {
                best = candidate;
            }
        }
        if matcher.is_match(&best) {
            return Some(best);
        }
    }
    None
}

/// An answer that `matcher` rejects, or `None` when it accepts everything we
/// can think of (a pattern like `.*` has no invalid answer).
pub(crate) fn simplest_mismatch(matcher: &UserRegex) -> Option<String> {
    ["x", "0", "#", "abc", "12", "0000000000000000", "?", " "]
        .into_iter()
        .find(|c| !matcher.is_match(c))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchored(pattern: &str) -> UserRegex {
        UserRegex::new(&format!("^(?:{pattern})$"), false).unwrap()
    }

    #[test]
    fn account_numbers_shrink_to_zeros() {
        let re = anchored("[0-9]{8}");
        assert_eq!(simplest_match(&re).as_deref(), Some("00000000"));
        assert_eq!(simplest_mismatch(&re).as_deref(), Some("x"));
    }

    #[test]
    fn anchors_and_word_boundaries_still_give_samples() {
        for pattern in ["^[0-9]{4}$", r"^\d{8}$", r"\b\d{5}\b", r"\A\d{3}\z"] {
            let re = anchored(pattern);
            let sample = simplest_match(&re).unwrap_or_else(|| panic!("no sample for {pattern}"));
            assert!(re.is_match(&sample), "{pattern}: {sample}");
        }
    }

    #[test]
    fn speech_phrases_shrink_to_the_shortest_word() {
        let re = UserRegex::new("pay(ment)?", true).unwrap();
        let sample = simplest_match(&re).unwrap();
        assert!(re.is_match(&sample));
        assert_eq!(sample.to_lowercase(), "pay");
    }

    #[test]
    fn dead_branches_and_classes_are_left_out_of_generation() {
        for (pattern, expected) in [
            (r"a|[^\s\S]", "a"),
            (r"[a&&b]|yes", "yes"),
            (r"no(?:[^\s\S])*", "no"),
            (r"(?:x[a&&b]|ok)+", "ok"),
        ] {
            let re = UserRegex::new(pattern, true).unwrap();
            assert_eq!(simplest_match(&re).as_deref(), Some(expected), "{pattern}");
        }
    }

    #[test]
    fn assertions_that_rule_out_the_plain_reading_get_a_sample_from_the_automaton() {
        // Generation without the assertion gives `ment`, which `\B` refuses
        // at the start of the text; the automaton finds a letter to put first.
        for pattern in [r"\Bment", r"a\b \bb", r"(?m)x$\n^y"] {
            let re = UserRegex::new(pattern, true).unwrap();
            let sample = simplest_match(&re).unwrap_or_else(|| panic!("no sample for {pattern}"));
            assert!(re.is_match(&sample), "{pattern}: {sample:?}");
        }
    }
}
