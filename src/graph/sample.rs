//! Example answers for `ask` patterns and speech phrases, generated from the
//! regex with proptest and shrunk to the simplest string that still matches,
//! so reports show `enter:00000000` rather than random noise.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The simplest string the whole of `pattern` matches, or `None` when the
/// pattern cannot be generated from (look-around, anchors in odd places).
pub fn simplest_match(pattern: &str, matcher: &regex::Regex) -> Option<String> {
    // proptest cannot generate from anchors and word boundaries; they only
    // restrict where a match may sit, so the pattern without them generates
    // candidates that the real matcher then checks.
    let generable = without_assertions(pattern);
    let strategy = proptest::string::string_regex(&generable).ok()?;
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

/// The pattern with `^`, `$`, `\A`, `\z`, `\b` and `\B` taken out (outside
/// character classes), which is what proptest can generate from.
fn without_assertions(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('A' | 'z' | 'b' | 'B') if !in_class => {}
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            '^' | '$' if !in_class => {}
            _ => out.push(c),
        }
    }
    out
}

/// An answer that `matcher` rejects, or `None` when it accepts everything we
/// can think of (a pattern like `.*` has no invalid answer).
pub fn simplest_mismatch(matcher: &regex::Regex) -> Option<String> {
    ["x", "0", "#", "abc", "12", "0000000000000000", "?", " "]
        .into_iter()
        .find(|c| !matcher.is_match(c))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_shrink_to_zeros() {
        let re = regex::Regex::new("^(?:[0-9]{8})$").unwrap();
        assert_eq!(simplest_match("[0-9]{8}", &re).as_deref(), Some("00000000"));
        assert_eq!(simplest_mismatch(&re).as_deref(), Some("x"));
    }

    #[test]
    fn anchors_and_word_boundaries_still_give_samples() {
        for pattern in ["^[0-9]{4}$", r"^\d{8}$", r"\b\d{5}\b", r"\A\d{3}\z"] {
            let re = regex::Regex::new(&format!("^(?:{pattern})$")).unwrap();
            let sample =
                simplest_match(pattern, &re).unwrap_or_else(|| panic!("no sample for {pattern}"));
            assert!(re.is_match(&sample), "{pattern}: {sample}");
        }
        // A caret inside a class is a literal, not an anchor.
        assert_eq!(without_assertions("[^a]x$"), "[^a]x");
    }

    #[test]
    fn speech_phrases_shrink_to_the_shortest_word() {
        let re = regex::RegexBuilder::new("pay(ment)?")
            .case_insensitive(true)
            .build()
            .unwrap();
        let sample = simplest_match("pay(ment)?", &re).unwrap();
        assert!(re.is_match(&sample));
        assert_eq!(sample.to_lowercase(), "pay");
    }
}
