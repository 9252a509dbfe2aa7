//! SARIF 2.1.0, so that code scanning annotates the YAML in a pull request
//! at the line and column of each finding.

use serde_json::{json, Value};

use crate::finding::Code;
use crate::model::Level;
use crate::report::{ErrorReport, Report};

/// Turns a file name relative to the set (as findings and load errors
/// give it) into a path relative to where touchpoint ran, which is what
/// code scanning matches against the repository.
fn artifact_uri(set: &str) -> impl Fn(&str) -> String {
    // Trailing slashes are not part of the folder's name, but `/` itself is
    // the root and stays.
    let trimmed = set.trim_end_matches('/');
    let base = if trimmed.is_empty() && set.starts_with('/') {
        "/"
    } else {
        trimmed
    };
    // A set given as a single file: its findings are relative to its folder.
    let root = if base.ends_with(".yaml") || base.ends_with(".yml") || base.ends_with(".json") {
        std::path::Path::new(base)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        base.to_string()
    };
    move |file: &str| {
        if root.is_empty() || root == "." {
            uri_of_path(file)
        } else if root.ends_with('/') {
            uri_of_path(&format!("{root}{file}"))
        } else {
            uri_of_path(&format!("{root}/{file}"))
        }
    }
}

/// A path as a SARIF `uri`: an absolute path is a `file://` URI and a
/// relative path a relative reference, each with every byte that may not
/// appear in a URI path percent-encoded (a space, `#` or `%` in a folder's
/// name would otherwise end the path or start an escape).
fn uri_of_path(path: &str) -> String {
    let mut uri = String::from(if path.starts_with('/') { "file://" } else { "" });
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The rule every load error is reported under: the set did not load, so
/// no finding code applies.
const LOAD_ERROR_RULE: &str = "load-error";

/// A set that could not be loaded: one error result per problem, at its
/// file, line and column (a problem about the whole set, such as a missing
/// path, points at the set), so code scanning annotates the typo that
/// stopped the run.
pub fn load_errors(report: &ErrorReport) -> String {
    let uri = artifact_uri(&report.set);
    let results: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut message = e.message.clone();
            if let Some(help) = &e.help {
                message.push_str(&format!(" ({help})"));
            }
            let location = match (&e.file, e.line, e.column) {
                (Some(file), Some(line), Some(column)) => json!({
                    "artifactLocation": {"uri": uri(file)},
                    "region": {"startLine": line.max(1), "startColumn": column.max(1)}
                }),
                (Some(file), ..) => json!({"artifactLocation": {"uri": uri(file)}}),
                (None, ..) => json!({"artifactLocation": {"uri": uri_of_path(&report.set)}}),
            };
            json!({
                "ruleId": LOAD_ERROR_RULE,
                "level": "error",
                "message": {"text": message},
                "locations": [{"physicalLocation": location}]
            })
        })
        .collect();
    let rules = [json!({
        "id": LOAD_ERROR_RULE,
        "shortDescription": {"text": "The menu set cannot be loaded, so nothing was checked."},
        "defaultConfiguration": {"level": "error"}
    })];
    document(&report.version, &rules, &results)
}

/// The rule a mutant nothing caught is reported under (`check --mutate`):
/// not a finding code, since the menu is not wrong; a mistake at that line
/// would go unnoticed by the personas.
const MUTANT_SURVIVED_RULE: &str = "mutant-survived";

pub fn render(report: &Report) -> String {
    let uri = artifact_uri(&report.set);
    let mut rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| json!({"id": c.name(), "shortDescription": {"text": c.summary()}, "defaultConfiguration": {"level": c.default_level().name()}}))
        .collect();
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if !f.vars.is_empty() {
                message.push_str(&format!(" (when {})", super::vars_text(f)));
            }
            if !f.inputs.is_empty() {
                message.push_str(&format!(" (inputs: {})", f.inputs.join(", ")));
            }
            json!({
                "ruleId": f.code.name(),
                "level": if f.level == Level::Error { "error" } else { "warning" },
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.file)},
                        "region": {"startLine": f.line, "startColumn": f.column}
                    },
                    "logicalLocations": [{"name": f.node, "fullyQualifiedName": format!("{}/{}/{}", f.channel.name(), f.flow, f.node), "kind": "member"}]
                }],
                "properties": {"channel": f.channel.name(), "flow": f.flow, "inputs": f.inputs, "vars": f.vars}
            })
        })
        .collect();
    if let Some(mutation) = &report.mutation {
        rules.push(json!({
            "id": MUTANT_SURVIVED_RULE,
            "shortDescription": {"text": "An editing mistake here changes what callers meet, and no persona notices it."},
            "defaultConfiguration": {"level": "warning"}
        }));
        // A survivor is an error only when the score fails the run, as a
        // finding is only when its level does.
        let level = if mutation.below_min_score() {
            "error"
        } else {
            "warning"
        };
        results.extend(mutation.survivors.iter().map(|s| {
            json!({
                "ruleId": MUTANT_SURVIVED_RULE,
                "level": level,
                "message": {"text": format!("{} survived: {} ({})", s.place.id, s.place.description, s.difference)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&s.place.file)},
                        "region": {"startLine": s.place.line.max(1)}
                    },
                    "logicalLocations": [{"name": s.place.node, "fullyQualifiedName": format!("{}/{}/{}", s.place.channel.name(), s.place.flow, s.place.node), "kind": "member"}]
                }],
                "properties": {"mutant": s.place.id, "operator": s.place.operator, "channel": s.place.channel.name(), "flow": s.place.flow, "suggestion": s.suggestion}
            })
        }));
    }
    document(&report.version, &rules, &results)
}

/// One SARIF log with touchpoint as its tool, as code scanning reads it:
/// findings and load errors differ only in their rules and results.
fn document(version: &str, rules: &[Value], results: &[Value]) -> String {
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "touchpoint", "version": version, "rules": rules}},
            "results": results
        }]
    });
    super::json::render_value(&sarif)
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    /// The rule list is the finding-code table: every code, in its order,
    /// described by its summary at its default level.
    #[test]
    fn rules_are_the_finding_code_table() {
        let report = crate::report::Report::new("lint", "menus".to_string(), 42);
        let sarif: serde_json::Value = serde_json::from_str(&super::render(&report)).unwrap();
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let expected: Vec<serde_json::Value> = crate::finding::CODES
            .iter()
            .map(|code| {
                serde_json::json!({
                    "id": code.name,
                    "shortDescription": {"text": code.summary},
                    "defaultConfiguration": {"level": code.default_level.name()}
                })
            })
            .collect();
        assert_eq!(rules, &expected);
    }

    /// A set at the root of the filesystem, or a file there, has one slash
    /// after the scheme's two, not two.
    #[test]
    fn files_at_the_filesystem_root_have_one_root_slash() {
        assert_eq!(artifact_uri("/x.yaml")("x.yaml"), "file:///x.yaml");
        assert_eq!(
            artifact_uri("/")("phone/main.yaml"),
            "file:///phone/main.yaml"
        );
        assert_eq!(
            artifact_uri("/srv/set/")("main.yaml"),
            "file:///srv/set/main.yaml"
        );
        assert_eq!(
            artifact_uri("menus")("phone/main.yaml"),
            "menus/phone/main.yaml"
        );
        assert_eq!(artifact_uri(".")("main.yaml"), "main.yaml");
    }
}
