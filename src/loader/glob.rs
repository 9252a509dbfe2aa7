//! Minimal glob matching for `ignore:` patterns: `*` within a path segment,
//! `**` across segments, `?` for one character.

pub fn matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let path: Vec<char> = path.chars().collect();
    matches_from(&pattern, &path)
}

fn matches_from(pattern: &[char], path: &[char]) -> bool {
    match pattern {
        [] => path.is_empty(),
        ['*', '*', '/', rest @ ..] => (0..=path.len())
            .any(|i| (i == 0 || path[i - 1] == '/') && matches_from(rest, &path[i..])),
        ['*', '*', rest @ ..] => (0..=path.len()).any(|i| matches_from(rest, &path[i..])),
        ['*', rest @ ..] => (0..=path.len())
            .take_while(|&i| i == 0 || path[i - 1] != '/')
            .any(|i| matches_from(rest, &path[i..])),
        ['?', rest @ ..] => !path.is_empty() && path[0] != '/' && matches_from(rest, &path[1..]),
        [c, rest @ ..] => path.first() == Some(c) && matches_from(rest, &path[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("drafts/**", "drafts/a/b.yaml"));
        assert!(matches("*.yaml", "ci.yaml"));
        assert!(!matches("*.yaml", "phone/ci.yaml"));
        assert!(matches("**/ci.yaml", "phone/ci.yaml"));
        assert!(matches("**/ci.yaml", "ci.yaml"));
        assert!(matches("ci.y?ml", "ci.yaml"));
    }
}
