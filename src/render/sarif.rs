//! SARIF 2.1.0, so that code scanning annotates the YAML in a pull request
//! at the line and column of each finding.

use serde_json::{json, Value};

use crate::finding::Code;
use crate::model::Level;
use crate::report::Report;

/// What each code means, for the rule list.
fn describe(code: Code) -> &'static str {
    match code {
        Code::UnknownTarget => "A goto, next, then or call names no node or flow.",
        Code::Unreachable => "No path from start reaches the node, under any variables.",
        Code::DeadEnd => "A reachable state with no way on.",
        Code::Trap => "A reachable state from which no end can be reached.",
        Code::UnhandledInput => "An input with no handler: the platform drops the call.",
        Code::EndlessRetry => "A handler that re-prompts with no retry limit.",
        Code::NoFit => {
            "A customer with an intent meets a menu where nothing fits and there is no fallback."
        }
        Code::MisleadingOption => {
            "An option fits an intent, but nothing behind it serves the intent."
        }
        Code::IntentUnreachable => {
            "An intent that must be served on a channel is served nowhere reachable there."
        }
        Code::ChannelGap => "An intent served on one channel and not on another.",
        Code::PromptMismatch => {
            "The prompt announces a key no option takes, or an option's key is never announced."
        }
        Code::DuplicateKey => "Two options of one menu take the same key or label.",
        Code::MenuTooWide => "More options than the set allows.",
        Code::TooDeep => "More menus than the set allows before the customer is served.",
        Code::PersonaFailed => "A persona's expectations did not hold.",
        Code::LiveError => "A call to the live app failed: an HTTP error, a timeout, a reply that is not TwiML, or a redirect loop.",
    }
}

pub fn render(report: &Report) -> String {
    let base = report.set.trim_end_matches('/');
    // A set given as a single file: its findings are relative to its folder.
    let root = if base.ends_with(".yaml") || base.ends_with(".yml") || base.ends_with(".json") {
        std::path::Path::new(base)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        base.to_string()
    };
    let uri = |file: &str| {
        if root.is_empty() || root == "." {
            file.to_string()
        } else {
            format!("{root}/{file}")
        }
    };
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| json!({"id": c.name(), "shortDescription": {"text": describe(*c)}, "defaultConfiguration": {"level": c.default_level().name()}}))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
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
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "touchpoint", "version": report.version, "rules": rules}},
            "results": results
        }]
    });
    super::json::render_value(&sarif)
}
