//! A JSON export read twice from one text: its values by `serde_json`,
//! exactly as JSON means them, and its shape by the loader's
//! position-carrying tree, so that every action points at its own key in
//! the file (not at the first place its text happens to appear).

use serde_json::Value;

use crate::import::ImportError;
use crate::loader::tree::{self, Yaml};

/// One JSON export file.
#[derive(Debug, Clone)]
pub(crate) struct JsonExport {
    /// The document's values.
    pub value: Value,
    /// The same document as a tree of positions: read keys and their
    /// places from it, values from [`JsonExport::value`].
    pub tree: Yaml,
}

impl JsonExport {
    /// Reads `text` (the file `path`). Text that is not JSON is refused
    /// with the JSON parser's line and column, its message after `not_json`
    /// (how the platform's importer names what it expected).
    pub(crate) fn parse(path: &str, text: &str, not_json: &str) -> Result<JsonExport, ImportError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError {
            file: path.to_string(),
            // serde_json counts a column of 0 at the start of a line (an
            // empty file); positions we print are 1-based.
            line: e.line().max(1) as u32,
            column: e.column().max(1) as u32,
            message: format!("{not_json}: {e}"),
        })?;
        // Valid JSON the tree still refuses is past the loader's limits
        // (nesting, size), which bound what any export may cost.
        let tree = tree::parse_json(text).map_err(|e| ImportError {
            file: path.to_string(),
            line: e.line.max(1),
            column: e.column.max(1),
            message: format!("valid JSON, but not read: {}", e.message),
        })?;
        Ok(JsonExport { value, tree })
    }
}

/// The value node of `key` in a mapping of the tree, with its key node.
/// The last entry wins when a key repeats, as in `serde_json`'s values.
pub(crate) fn entry<'y>(map: &'y Yaml, key: &str) -> Option<(&'y Yaml, &'y Yaml)> {
    map.as_map()?
        .iter()
        .rev()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, v)| (k, v))
}

/// 1-based line and column of `key`'s own place in a mapping of the tree.
pub(crate) fn key_position(map: &Yaml, key: &str) -> Option<(u32, u32)> {
    entry(map, key).map(|(k, _)| (k.pos.line, k.pos.column))
}

/// 1-based line and column of a node of the tree.
pub(crate) fn position(node: &Yaml) -> (u32, u32) {
    (node.pos.line, node.pos.column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_json_is_refused_at_the_parsers_position() {
        let e = JsonExport::parse("bad.json", "{\n  \"a\": [\n", "not valid JSON").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("bad.json", 3), "{e}");
        assert!(e.message.starts_with("not valid JSON: "), "{e}");
        let e = JsonExport::parse("empty.json", "", "not valid JSON").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1), "{e}");
    }

    #[test]
    fn keys_are_found_at_their_own_place() {
        let text = "{\"a\": {\"id\": \"x\"},\n \"list\": [{\"id\": \"x\"}, {\"id\": \"x\", \"id\": \"y\"}]}";
        let export = JsonExport::parse("f.json", text, "not valid JSON").unwrap();
        let (_, list) = entry(&export.tree, "list").unwrap();
        let items = list.as_seq().unwrap();
        assert_eq!(key_position(&items[0], "id"), Some((2, 12)));
        // A repeated key is where its last entry is, as its value is.
        assert_eq!(key_position(&items[1], "id"), Some((2, 36)));
        assert_eq!(export.value["list"][1]["id"], "y");
    }
}
