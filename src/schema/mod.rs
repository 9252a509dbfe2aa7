//! The JSON Schema (draft 2020-12) of the menu format: every document kind a
//! menu set holds (flow, intents catalogue, persona, `touchpoint:` settings).
//!
//! Editors use it for completion and inline checks, e.g. with the VS Code YAML
//! extension: `# yaml-language-server: $schema=touchpoint.schema.json` at the
//! top of a file. `touchpoint schema` prints it.
//!
//! The schema is a hand-written file, so that its descriptions read well; the
//! tests below tie its keys to the loader's key lists, so the two cannot
//! drift apart: every key the loader accepts is in the schema, and the schema
//! offers no key the loader would reject. The one part that is not written
//! by hand is the list of finding codes under `levels`: it comes from the
//! finding-code table, so that a new code is declared in one place.

use std::sync::OnceLock;

/// The hand-written schema, whose `levels` has empty `properties`.
const TEMPLATE: &str = include_str!("touchpoint.schema.json");

/// Where in [`TEMPLATE`] the finding codes go: the empty `properties` right
/// after this comment of the `levels` definition.
const CODES_GO_AFTER: &str = "One property per finding code, written from";

/// The schema, as JSON text.
pub fn schema() -> &'static str {
    static SCHEMA: OnceLock<String> = OnceLock::new();
    SCHEMA.get_or_init(|| with_codes(TEMPLATE))
}

/// `template` with every finding code, its summary and its default level
/// written into the empty `properties` of `levels`, indented as the file is.
fn with_codes(template: &str) -> String {
    const EMPTY: &str = "\"properties\": {}";
    let comment = template
        .find(CODES_GO_AFTER)
        .expect("the schema marks where the finding codes go");
    let at = comment
        + template[comment..]
            .find(EMPTY)
            .expect("the marked `properties` is empty");
    let entries: Vec<String> = crate::finding::CODES
        .iter()
        .map(|info| {
            let description = format!(
                "{} Default: {}.",
                info.summary,
                info.default_level.name()
            );
            format!(
                "        {}: {{\n          \"$ref\": \"#/$defs/level\",\n          \"description\": {}\n        }}",
                serde_json::Value::from(info.name),
                serde_json::Value::from(description)
            )
        })
        .collect();
    format!(
        "{}\"properties\": {{\n{}\n      }}{}",
        &template[..at],
        entries.join(",\n"),
        &template[at + EMPTY.len()..]
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use crate::finding::Code;
    use crate::loader::{
        node_extra_keys, DEFAULTS_KEYS, DOCUMENT_KEYS, EXPECT_KEYS, FLOW_KEYS, HANDLER_KEYS,
        INTENT_KEYS, LIMITS_KEYS, MATRIX_KEYS, NODE_KIND_KEYS, OPTION_KEYS, PATIENCE_KEYS,
        PERSONA_KEYS, SETTINGS_KEYS, STEP_KEYS, TIMING_KEYS,
    };
    use crate::model::{Channel, Outcome};

    fn parsed() -> Value {
        serde_json::from_str(super::schema()).expect("the schema is valid JSON")
    }

    fn def<'a>(schema: &'a Value, name: &str) -> &'a Value {
        schema["$defs"]
            .get(name)
            .unwrap_or_else(|| panic!("the schema has no `$defs/{name}`"))
    }

    fn properties(definition: &Value, name: &str) -> BTreeSet<String> {
        definition["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("`$defs/{name}` has no `properties`"))
            .keys()
            .cloned()
            .collect()
    }

    fn set_of(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    /// The schema definition `name` is a closed object whose properties are
    /// exactly `loader_keys`.
    fn assert_matches_loader(schema: &Value, name: &str, loader_keys: &[&str]) {
        let definition = def(schema, name);
        let in_schema = properties(definition, name);
        let in_loader = set_of(loader_keys);
        let missing: Vec<_> = in_loader.difference(&in_schema).collect();
        let extra: Vec<_> = in_schema.difference(&in_loader).collect();
        assert!(
            missing.is_empty(),
            "`$defs/{name}` lacks keys the loader accepts: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "`$defs/{name}` offers keys the loader rejects: {extra:?}"
        );
        assert_eq!(
            definition["additionalProperties"],
            Value::Bool(false),
            "`$defs/{name}` must reject unknown keys, as the loader does"
        );
    }

    /// The `$defs` names a `oneOf` list refers to.
    fn one_of_refs(value: &Value) -> BTreeSet<String> {
        value["oneOf"]
            .as_array()
            .expect("a `oneOf` list")
            .iter()
            .map(|branch| {
                let target = branch["$ref"]
                    .as_str()
                    .expect("each `oneOf` branch is a `$ref`");
                target
                    .strip_prefix("#/$defs/")
                    .expect("a local `$defs` reference")
                    .to_string()
            })
            .collect()
    }

    fn enum_values(definition: &Value) -> BTreeSet<String> {
        definition["enum"]
            .as_array()
            .expect("an `enum` list")
            .iter()
            .map(|v| v.as_str().expect("enum values are text").to_string())
            .collect()
    }

    #[test]
    fn schema_is_draft_2020_12_json() {
        let schema = parsed();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(schema["$defs"].is_object());
    }

    /// The template is the schema but for the finding codes, which the
    /// table fills in: nothing else of the hand-written file is changed.
    #[test]
    fn only_the_finding_codes_are_filled_in() {
        let template: Value =
            serde_json::from_str(super::TEMPLATE).expect("the template is valid JSON");
        let mut schema = parsed();
        assert_eq!(
            def(&template, "levels")["properties"],
            serde_json::json!({}),
            "the template lists no codes of its own"
        );
        let codes = std::mem::replace(
            &mut schema["$defs"]["levels"]["properties"],
            serde_json::json!({}),
        );
        assert_eq!(schema, template);
        let names: Vec<&str> = codes
            .as_object()
            .expect("the codes are an object")
            .keys()
            .map(String::as_str)
            .collect();
        let table: Vec<&str> = crate::finding::CODES.iter().map(|c| c.name).collect();
        assert_eq!(names, table);
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(value: &Value, schema: &Value, refs: &mut usize) {
            match value {
                Value::Object(map) => {
                    if let Some(target) = map.get("$ref") {
                        let name = target
                            .as_str()
                            .and_then(|t| t.strip_prefix("#/$defs/"))
                            .unwrap_or_else(|| panic!("unexpected `$ref` {target}"));
                        def(schema, name);
                        *refs += 1;
                    }
                    map.values().for_each(|v| walk(v, schema, refs));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, schema, refs)),
                _ => {}
            }
        }
        let schema = parsed();
        let mut refs = 0;
        walk(&schema, &schema, &mut refs);
        assert!(refs > 0);
    }

    #[test]
    fn every_property_has_a_description() {
        fn walk(value: &Value, path: &str) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        for (name, prop) in props {
                            let text = prop["description"].as_str().unwrap_or_default();
                            assert!(
                                !text.trim().is_empty(),
                                "property `{name}` under {path} has no description"
                            );
                        }
                    }
                    for (key, v) in map {
                        walk(v, &format!("{path}/{key}"));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, &format!("{path}/{i}"));
                    }
                }
                _ => {}
            }
        }
        walk(&parsed(), "#");
    }

    #[test]
    fn documents_match_the_loader() {
        let schema = parsed();
        let documents = one_of_refs(&schema);
        let mut keys = BTreeSet::new();
        for name in &documents {
            let required = def(&schema, name)["required"]
                .as_array()
                .expect("documents list `required` keys");
            let own: Vec<&str> = required
                .iter()
                .filter_map(Value::as_str)
                .filter(|k| DOCUMENT_KEYS.contains(k))
                .collect();
            assert_eq!(
                own.len(),
                1,
                "`$defs/{name}` must require exactly one document key, found {own:?}"
            );
            keys.insert(own[0].to_string());
        }
        assert_eq!(
            keys,
            set_of(&DOCUMENT_KEYS),
            "the schema's document kinds differ from the loader's"
        );

        assert_matches_loader(&schema, "flowDocument", &FLOW_KEYS);
        assert_matches_loader(&schema, "intentsDocument", &["intents"]);
        assert_matches_loader(&schema, "personaDocument", &PERSONA_KEYS);
        assert_matches_loader(&schema, "settingsDocument", &["touchpoint"]);
    }

    #[test]
    fn nodes_match_the_loader() {
        let schema = parsed();
        let kinds = one_of_refs(def(&schema, "node"));
        let expected: BTreeSet<String> =
            NODE_KIND_KEYS.iter().map(|k| format!("{k}Node")).collect();
        assert_eq!(
            kinds, expected,
            "the schema's node kinds differ from the loader's"
        );
        for kind in NODE_KIND_KEYS {
            let name = format!("{kind}Node");
            let mut keys = vec![kind];
            keys.extend_from_slice(node_extra_keys(kind));
            assert_matches_loader(&schema, &name, &keys);
            let required = def(&schema, &name)["required"]
                .as_array()
                .expect("nodes list `required` keys");
            assert!(
                required.iter().any(|k| k == kind),
                "`$defs/{name}` must require its kind key `{kind}`"
            );
        }
    }

    #[test]
    fn parts_match_the_loader() {
        let schema = parsed();
        assert_matches_loader(&schema, "option", &OPTION_KEYS);
        assert_matches_loader(&schema, "retryHandler", &HANDLER_KEYS);
        assert_matches_loader(&schema, "defaults", &DEFAULTS_KEYS);
        assert_matches_loader(&schema, "switchEntry", &["when", "goto"]);
        assert_matches_loader(&schema, "intent", &INTENT_KEYS);
        assert_matches_loader(&schema, "patience", &PATIENCE_KEYS);
        assert_matches_loader(&schema, "matrixVariant", &MATRIX_KEYS);
        assert_matches_loader(&schema, "expect", &EXPECT_KEYS);
        assert_matches_loader(&schema, "step", &STEP_KEYS);
        assert_matches_loader(&schema, "settings", &SETTINGS_KEYS);
        assert_matches_loader(&schema, "limits", &LIMITS_KEYS);
        assert_matches_loader(&schema, "timing", &TIMING_KEYS);
    }

    #[test]
    fn handler_is_a_node_id_or_retries_then() {
        let schema = parsed();
        let branches = one_of_refs(def(&schema, "handler"));
        assert_eq!(branches, set_of(&["nodeId", "retryHandler"]));
        assert_eq!(
            def(&schema, "retryHandler")["required"],
            serde_json::json!(["then"])
        );
    }

    #[test]
    fn levels_list_every_finding_code() {
        let schema = parsed();
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_matches_loader(&schema, "levels", &names);
        for level in ["error", "warning", "off"] {
            assert!(
                enum_values(def(&schema, "level")).contains(level),
                "level `{level}` is missing"
            );
        }
        for value in enum_values(def(&schema, "level")) {
            assert!(
                crate::model::Level::parse(&value).is_some(),
                "the loader rejects level `{value}`"
            );
        }
    }

    /// The schema's description of each code's level says the default
    /// level the finding-code table gives it.
    #[test]
    fn level_descriptions_give_each_codes_default_level() {
        let schema = parsed();
        let levels = &def(&schema, "levels")["properties"];
        for code in crate::finding::CODES {
            let description = levels[code.name]["description"]
                .as_str()
                .unwrap_or_default();
            let default = format!("Default: {}", code.default_level.name());
            let states_it = description
                .match_indices(&default)
                .any(|(at, _)| matches!(&description[at + default.len()..], "." | " (load)."));
            assert!(
                states_it,
                "`levels.{}` should end with `{default}.`: {description:?}",
                code.name
            );
        }
    }

    #[test]
    fn enums_match_the_model() {
        let schema = parsed();
        let outcomes: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
        assert_eq!(enum_values(def(&schema, "outcome")), set_of(&outcomes));
        let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(enum_values(def(&schema, "channel")), set_of(&channels));
        let limits = &def(&schema, "limits")["properties"]["menu_width"]["anyOf"][1];
        assert_eq!(properties(limits, "limits/menu_width"), set_of(&channels));
        for value in enum_values(def(&schema, "trait")) {
            assert!(
                crate::model::Trait::parse(&value).is_some(),
                "the loader rejects trait `{value}`"
            );
        }
        assert_eq!(enum_values(def(&schema, "trait")).len(), 4);
    }
}
