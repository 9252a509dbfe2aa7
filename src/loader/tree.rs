//! The position-carrying tree for readers outside the loader: the
//! importers read platform exports (Architect YAML, Connect and Studio
//! JSON) with it, so every node they build points at its place in the
//! export while every YAML crate stays behind the loader.

use super::yaml;
/// The tree owns its scalars: an importer keeps it beside its own data,
/// after the text it was read from (a JSON reader reads a copy) is gone.
pub type Yaml = super::yaml::Yaml<'static>;
pub(crate) use super::yaml::YamlValue;

/// Why a text could not be read into a tree, with where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub(crate) struct TreeError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl From<yaml::YamlError> for TreeError {
    fn from(e: yaml::YamlError) -> Self {
        TreeError {
            line: e.pos.line,
            column: e.pos.column,
            message: e.message,
        }
    }
}

/// Every YAML document of a text, with the loader's limits on aliases,
/// nesting and size.
pub(crate) fn parse_yaml(text: &str) -> Result<Vec<Yaml>, TreeError> {
    Ok(yaml::parse(text)?
        .into_iter()
        .map(yaml::Yaml::into_owned)
        .collect())
}

/// The tree of a JSON text that a JSON parser has accepted: each node at
/// its line and column in `text`. Strings' values in the tree are not to be
/// read (take them from the JSON parser); keys written without escapes, and
/// every position, are exact.
///
/// JSON is YAML 1.2 but for three things YAML refuses: a tab as the space
/// after `:` or `,`, characters YAML forbids (DEL, C1 controls) written raw
/// inside strings, and `\uD83D\uDE00`-style surrogate escapes (how JSON
/// writes an emoji). The parser reads a copy in which each of them is
/// replaced by something YAML reads that has the same length in bytes and
/// in characters, so positions in the copy are positions in `text`.
pub(crate) fn parse_json(text: &str) -> Result<Yaml, TreeError> {
    let copy = yaml_safe_json(text);
    let documents = yaml::parse(&copy)?;
    documents
        .into_iter()
        .next()
        .map(yaml::Yaml::into_owned)
        .ok_or(TreeError {
            line: 1,
            column: 1,
            message: "no JSON value".to_string(),
        })
}

/// [`parse_json`]'s copy of a JSON text. Outside strings a tab becomes a
/// space; inside strings a surrogate escape becomes `\u0020` and a character
/// YAML forbids becomes one it allows of the same UTF-8 length.
fn yaml_safe_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !in_string {
            match c {
                '\t' => out.push(' '),
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                _ => out.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = false;
                out.push(c);
            }
            '\\' => {
                let escape = text.get(at..at + 6).filter(|e| e.starts_with("\\u"));
                let surrogate = escape
                    .and_then(|e| u16::from_str_radix(&e[2..], 16).ok())
                    .is_some_and(|code| (0xD800..=0xDFFF).contains(&code));
                if surrogate {
                    out.push_str("\\u0020");
                    for _ in 0..5 {
                        chars.next();
                    }
                } else {
                    // Any other escape is one YAML reads the same way; its
                    // second character is copied as it is, so an escaped
                    // quote does not end the string.
                    out.push(c);
                    if let Some((_, escaped)) = chars.next() {
                        out.push(escaped);
                    }
                }
            }
            c if yaml::forbidden_in_yaml(c) => out.push(match c.len_utf8() {
                1 => ' ',
                2 => '\u{E9}',
                3 => '\u{20AC}',
                _ => '\u{10000}',
            }),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_at(tree: &Yaml, key: &str) -> (u32, u32) {
        let (k, _) = tree
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .unwrap();
        (k.pos.line, k.pos.column)
    }

    #[test]
    fn json_that_yaml_refuses_reads_with_its_own_positions() {
        let text = "{\"a\":\t\"\\ud83d\\ude00 caf\u{e9}\u{7f}\u{86}\",\n\t\"b\": [1,\t{\"c\": \"\\\"\"}], \"d\": 2}";
        let tree = parse_json(text).unwrap();
        assert_eq!(key_at(&tree, "a"), (1, 2));
        assert_eq!(key_at(&tree, "b"), (2, 2));
        assert_eq!(key_at(&tree, "d"), (2, 25));
        assert_eq!(yaml_safe_json(text).len(), text.len());
        assert_eq!(yaml_safe_json(text).chars().count(), text.chars().count());
    }

    #[test]
    fn a_text_that_is_no_value_is_an_error_with_a_position() {
        let e = parse_json("{\n  \"states\": [\n").unwrap_err();
        assert!(e.line >= 1 && e.column >= 1, "{e}");
    }
}
