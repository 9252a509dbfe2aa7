//! `ignore:` patterns, matched with globset against file names relative to
//! the set root (`/` separators): `*` and `?` within a path segment, `**`
//! as a whole segment across any number of segments, `[abc]`, `[!abc]` and
//! `[a-z]` classes, `{a,b}` alternatives, and `\` escaping a special
//! character.
//!
//! globset compiles a pattern to a finite automaton, so matching takes time
//! in proportion to the name whatever the pattern: a backtracking matcher
//! took exponential time on patterns such as `*a*a*a*a*a*a*a*a*a*ab`.

use globset::{Glob, GlobBuilder, GlobMatcher};

/// Why an `ignore:` pattern is not a pattern (an unclosed class, an invalid
/// range, ...), in globset's words without the pattern, which the loader
/// names itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.kind())]
pub(crate) struct GlobError(globset::Error);

/// One pattern compiled the way every `ignore:` pattern is, or why it is
/// not a pattern.
pub(super) fn compile(pattern: &str) -> Result<Glob, GlobError> {
    GlobBuilder::new(pattern)
        // File names are relative paths: a wildcard stays within its
        // segment, and only `**` crosses a `/`.
        .literal_separator(true)
        // The same meaning of `\` on every platform.
        .backslash_escape(true)
        .build()
        .map_err(GlobError)
}

/// The set's `ignore:` patterns, compiled once.
pub(crate) struct Ignore {
    matchers: Vec<GlobMatcher>,
}

impl Ignore {
    /// The patterns that compile; the decoder has already reported, with
    /// their position, those that do not.
    pub(super) fn new(patterns: &[String]) -> Ignore {
        Ignore {
            matchers: patterns
                .iter()
                .filter_map(|p| compile(p).ok())
                .map(|g| g.compile_matcher())
                .collect(),
        }
    }

    /// Whether the file at `name` (relative to the set root) is ignored.
    pub(super) fn matches(&self, name: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(name))
    }
}

#[cfg(test)]
mod tests {
    use super::Ignore;

    fn matches(pattern: &str, name: &str) -> bool {
        Ignore::new(&[pattern.to_string()]).matches(name)
    }

    /// The meaning docs/format.md gives `ignore:` patterns.
    #[test]
    fn globs() {
        assert!(matches("drafts/**", "drafts/a/b.yaml"));
        assert!(matches("drafts/**", "drafts/b.yaml"));
        assert!(!matches("drafts/**", "other/drafts/b.yaml"));
        assert!(matches("*.yaml", "ci.yaml"));
        assert!(!matches("*.yaml", "phone/ci.yaml"));
        assert!(matches("**/ci.yaml", "phone/ci.yaml"));
        assert!(matches("**/ci.yaml", "a/b/ci.yaml"));
        assert!(matches("**/ci.yaml", "ci.yaml"));
        assert!(matches("phone/**/x.yaml", "phone/x.yaml"));
        assert!(matches("phone/**/x.yaml", "phone/a/b/x.yaml"));
        assert!(matches("ci.y?ml", "ci.yaml"));
        assert!(!matches("ci?yaml", "ci/yaml"));
        assert!(matches("ci.[xy]aml", "ci.yaml"));
        assert!(!matches("ci.[!xy]aml", "ci.yaml"));
        assert!(matches("v[0-9].yaml", "v7.yaml"));
        assert!(matches("{ci,build}.yaml", "build.yaml"));
        assert!(matches("a\\*.yaml", "a*.yaml"));
        assert!(!matches("a\\*.yaml", "ab.yaml"));
    }

    /// A pattern with many stars is matched in time proportional to the
    /// name (a backtracking matcher took 22 s on two files with this one).
    #[test]
    fn many_stars_match_without_backtracking() {
        let name = "a".repeat(200);
        assert!(!matches("*a*a*a*a*a*a*a*a*a*ab", &name));
        assert!(matches("*a*a*a*a*a*a*a*a*a*ab", &format!("{name}b")));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(super::compile("[abc").is_err());
        assert!(super::compile("[z-a]").is_err());
        assert!(super::compile("{a,b").is_err());
    }
}
