//! The importers against real platform exports that real teams published:
//! each test checks what a careful reader of those exports finds (see the
//! corpus's own README), through the library's public API or the binary.
//!
//! The exports are not part of this repository, so these tests are ignored
//! by default. Run them with the folder that holds `amazon-connect/`,
//! `twilio-studio/` and `genesys-archy/`:
//!
//! ```text
//! TOUCHPOINT_CORPUS=/path/to/corpus cargo test --test corpus -- --ignored
//! ```
//!
//! `.ci/run` does so when the folder is beside the clone. The importers'
//! default tests run on the exports under `fixtures/import/`.

// The helpers of the integration tests (`tests/it/`), shared by path: this
// target is separate from theirs so that it stays ignored by default.
#[path = "it/common/mod.rs"]
mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use common::touchpoint;
use serde_json::Value;
use touchpoint::finding::{Code, Finding};
use touchpoint::import::ir::{node_id, Imported, IrFlow, IrKind, IrNode, IrOption};
use touchpoint::import::{archy, connect, emit, lint_flows, studio};
use touchpoint::loader::yaml::{self, Yaml};

/// The corpus folder, from `TOUCHPOINT_CORPUS`.
fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("TOUCHPOINT_CORPUS").unwrap_or_else(|| {
        panic!(
            "TOUCHPOINT_CORPUS is not set: these tests read real platform exports; \
             run them as TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"
        )
    });
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "TOUCHPOINT_CORPUS={} is not a folder",
        dir.display()
    );
    dir
}

/// The path of one file or folder of the corpus, as text for the binary.
fn corpus(path: &str) -> String {
    corpus_dir().join(path).display().to_string()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(corpus(path))
        .unwrap_or_else(|e| panic!("the corpus export {path} should be readable: {e}"))
}

fn node<'f>(flow: &'f IrFlow, id: &str) -> &'f IrNode {
    flow.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node `{id}` in {:#?}", flow.nodes))
}

/// Every node id a node leads to (not the flow of a `call`).
fn targets(kind: &IrKind) -> Vec<&str> {
    match kind {
        IrKind::Say { next, .. } | IrKind::Call { next, .. } => {
            next.iter().map(String::as_str).collect()
        }
        IrKind::Menu {
            options,
            no_input,
            no_match,
            ..
        } => options
            .iter()
            .map(|o| o.goto.as_str())
            .chain(no_input.iter().map(|h| h.then.as_str()))
            .chain(no_match.iter().map(|h| h.then.as_str()))
            .collect(),
        IrKind::Ask {
            goto,
            invalid,
            no_input,
            ..
        } => goto
            .iter()
            .map(String::as_str)
            .chain(invalid.iter().map(|h| h.then.as_str()))
            .chain(no_input.iter().map(|h| h.then.as_str()))
            .collect(),
        IrKind::Switch { entries } => entries.iter().map(|(_, to)| to.as_str()).collect(),
        IrKind::Opaque { branches, .. } => branches.iter().map(|(_, to)| to.as_str()).collect(),
        IrKind::Return | IrKind::Transfer { .. } | IrKind::End { .. } | IrKind::Hangup { .. } => {
            Vec::new()
        }
    }
}

/// Lints imported flows as `lint --from` would before it points findings
/// back at the export.
fn lint(flows: &[IrFlow]) -> Vec<Finding> {
    lint_flows(flows).unwrap_or_else(|e| panic!("the import does not load: {e}"))
}

fn lint_from(platform: &str, path: &str) -> Value {
    let (_, stdout, stderr) = touchpoint(&["lint", path, "--from", platform, "--format", "json"]);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stderr}"))
}

fn report_codes(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

// Amazon Connect: the rules engine's six flows.

fn connect_files() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join("amazon-connect"))
        .expect("the corpus has amazon-connect/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 6);
    paths
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn flow_codes(findings: &[Finding], flow: &str) -> BTreeSet<&'static str> {
    findings
        .iter()
        .filter(|f| f.flow == flow)
        .map(|f| f.code.name())
        .collect()
}

/// What a careful reader finds, as the codes each flow must show: nothing.
/// No dangling `NextAction`, no unreachable action, no trap in Queue's
/// bounded loop, no dead end in CustomerHold. The corpus README also
/// expects `unhandled-input` for silence at DTMFMenu's, DTMFInput's and
/// Queue's stored inputs (they have no `InputTimeLimitExceeded` branch),
/// but that is not what Connect does: the "Store customer input" block's
/// documentation says that "when a call includes no customer input, the
/// contact takes the Success branch" with the stored value `Timeout`. The
/// flows' own rules then decide what `Timeout` means.
fn connect_expected(_flow: &str) -> BTreeSet<&'static str> {
    BTreeSet::new()
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn connect_imports_and_lints_as_the_readme_says() {
    let files = connect_files();
    // As one set (transfers to Main become calls) and file by file.
    let mut runs = vec![files.clone()];
    runs.extend(files.iter().map(|f| vec![f.clone()]));
    for run in runs {
        let imported = connect::import(&run).expect("the corpus imports");
        assert!(
            imported
                .notes
                .iter()
                .all(|n| !n.contains("names no action")),
            "a dangling NextAction: {:#?}",
            imported.notes
        );
        let findings = lint(&imported.flows);
        for flow in &imported.flows {
            assert_eq!(
                flow_codes(&findings, &flow.id),
                connect_expected(&flow.id),
                "{}: {findings:#?}",
                flow.id
            );
        }
        for f in &findings {
            assert_ne!(f.code, Code::Unreachable);
            assert_ne!(f.code, Code::Trap);
            assert_ne!(f.code, Code::DeadEnd);
            assert_ne!(f.code, Code::UnhandledInput);
        }
        // Silence at a stored input goes on down its success branch, as
        // Connect documents: every stored input is an ask whose `no_input`
        // is its `goto` (none of them has an `InputTimeLimitExceeded`
        // branch).
        let mut stored = 0;
        for flow in &imported.flows {
            for n in &flow.nodes {
                if let IrKind::Ask {
                    save: Some(_),
                    goto,
                    no_input,
                    ..
                } = &n.kind
                {
                    stored += 1;
                    assert_eq!(
                        no_input.as_ref().map(|h| &h.then),
                        goto.as_ref(),
                        "{}: {}",
                        flow.id,
                        n.id
                    );
                }
            }
        }
        let stored_actions = run
            .iter()
            .map(|(_, text)| {
                let export: Value = serde_json::from_str(text).unwrap();
                export["Actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| a["Parameters"]["StoreInput"] == "True")
                    .count()
            })
            .sum::<usize>();
        // Queue's three callback-number inputs sit in a Loop (LoopCount 3)
        // and are copied for each pass.
        assert!(stored >= stored_actions, "{stored} < {stored_actions}");
    }
    let imported = connect::import(&files).unwrap();
    let hold = &imported
        .flows
        .iter()
        .find(|f| f.id == "RulesEngineCustomerHold")
        .unwrap()
        .nodes;
    assert_eq!(hold.len(), 1);
    assert!(
        matches!(&hold[0].kind, IrKind::End { text } if text == "Hi. We will be back with you shortly.")
    );
    let calls: BTreeSet<(&str, &str)> = imported
        .flows
        .iter()
        .flat_map(|f| f.nodes.iter().map(move |n| (f.id.as_str(), &n.kind)))
        .filter_map(|(from, k)| match k {
            IrKind::Call { flow, .. } => Some((from, flow.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        BTreeSet::from([
            ("RulesEngineDTMFInput", "RulesEngineMain"),
            ("RulesEngineDTMFMenu", "RulesEngineMain"),
            ("RulesEngineNLUMenu", "RulesEngineMain"),
            ("RulesEngineQueue", "RulesEngineMain"),
        ])
    );
}

/// Counts the nodes that stand behind an opaque step in front of an input
/// or hours check (see `connect_every_action_is_a_node`), checking that each
/// is what it should be: a menu, ask or switch, reached first from the step
/// in front, whose other branches go only where the action's export
/// transitions go.
fn front_steps(flow: &IrFlow, actions: &[Value], path: &str) -> usize {
    let mut count = 0;
    for n in &flow.nodes {
        let Some((front, suffix, copy)) = ["__menu", "__input", "__hours", "__message"]
            .iter()
            .find_map(|suffix| {
                let (front, rest) = n.id.split_once(suffix)?;
                (rest.is_empty() || rest.starts_with("__")).then_some((front, *suffix, rest))
            })
        else {
            continue;
        };
        count += 1;
        let action = actions
            .iter()
            .find(|a| node_id(a["Identifier"].as_str().unwrap()) == front)
            .unwrap_or_else(|| panic!("{path}: {} is in front of no action", n.id));
        let expected_kinds: &[&str] = match suffix {
            "__hours" => &["CheckHoursOfOperation"],
            "__message" => &["MessageParticipant", "MessageParticipantIteratively"],
            _ => &["GetParticipantInput"],
        };
        assert!(
            expected_kinds.iter().any(|kind| action["Type"] == *kind),
            "{path}: {} is in front of a {}",
            n.id,
            action["Type"]
        );
        assert!(
            matches!(
                (&n.kind, suffix),
                (IrKind::Menu { .. }, "__menu")
                    | (IrKind::Ask { .. }, "__input")
                    | (IrKind::Switch { .. }, "__hours")
                    | (IrKind::Say { .. }, "__message")
            ),
            "{path}: {}: {:?}",
            n.id,
            n.kind
        );
        let IrKind::Opaque { branches, .. } = &node(flow, &format!("{front}{copy}")).kind else {
            panic!("{path}: nothing opaque in front of {}", n.id)
        };
        assert_eq!(branches[0].1, n.id, "{path}: {branches:?}");
        let transitions = &action["Transitions"];
        let export_targets: Vec<String> = transitions["NextAction"]
            .as_str()
            .into_iter()
            .chain(
                ["Conditions", "Errors"]
                    .iter()
                    .flat_map(|k| transitions[*k].as_array().into_iter().flatten())
                    .filter_map(|t| t["NextAction"].as_str()),
            )
            .map(node_id)
            .collect();
        for (label, to) in &branches[1..] {
            assert!(
                export_targets
                    .iter()
                    .any(|t| to == t || to.starts_with(&format!("{t}__"))),
                "{path}: {front}'s {label} branch leads to {to}, not in the export"
            );
        }
    }
    count
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn connect_every_action_is_a_node() {
    let files = connect_files();
    let imported = connect::import(&files).unwrap();
    for ((path, text), flow) in files.iter().zip(&imported.flows) {
        let export: Value = serde_json::from_str(text).unwrap();
        let actions = export["Actions"].as_array().unwrap();
        let ids: BTreeSet<String> = actions
            .iter()
            .map(|a| node_id(a["Identifier"].as_str().unwrap()))
            .collect();
        assert_eq!(ids.len(), actions.len());
        let nodes: BTreeSet<&str> = flow.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(nodes.len(), flow.nodes.len(), "{path}: node ids repeat");
        for a in actions {
            let id = node_id(a["Identifier"].as_str().unwrap());
            let n = node(flow, &id);
            assert_eq!(n.origin.action, a["Identifier"].as_str().unwrap());
            assert_eq!(n.origin.platform_type, a["Type"].as_str().unwrap());
            let line = text.lines().nth(n.origin.line as usize - 1).unwrap();
            assert!(
                line[n.origin.column as usize - 1..].starts_with("\"Identifier\""),
                "{path}: {line}"
            );
        }
        // Every other node is made for an action: a transfer behind its
        // error branches, or a copy of an unrolled loop.
        let terminals = actions
            .iter()
            .filter(|a| {
                matches!(
                    a["Type"].as_str(),
                    Some("TransferToFlow" | "TransferContactToQueue")
                )
            })
            .filter(|a| {
                a["Transitions"].as_object().is_some_and(|t| {
                    t.get("NextAction").is_some()
                        || t.values()
                            .any(|v| v.as_array().is_some_and(|v| !v.is_empty()))
                })
            })
            .count();
        // Queue's Loop (LoopCount 3): its body is the compare choosing the
        // callback-number prompt and the three callback-number inputs,
        // copied 3 times, plus 3 more visits of the loop.
        let copies = if path == "RulesEngineQueue.json" {
            4 * 3 + 3
        } else {
            0
        };
        // An input, hours check or message whose export has a branch its
        // menu, ask, switch or say cannot carry (a platform error beside the
        // handled ones, a `NextAction` beside the conditions, a message's
        // error) keeps that branch as an edge of an opaque step at the
        // action's id, in front of the node (`<id>__menu`, `<id>__input`,
        // `<id>__hours`, `<id>__message`; a loop's copies of it too). Each such front step must lead to its node first, and
        // otherwise only where the export's own transitions lead.
        let fronts = front_steps(flow, actions, path);
        assert_eq!(
            flow.nodes.len(),
            actions.len() + terminals + copies + fronts,
            "{path}"
        );
        for n in &flow.nodes {
            assert!(ids.contains(&node_id(&n.origin.action)));
            if !ids.contains(&n.id) {
                assert!(
                    n.id.starts_with(&format!("{}__", node_id(&n.origin.action))),
                    "{}",
                    n.id
                );
            }
            for t in targets(&n.kind) {
                assert!(nodes.contains(t), "{path}: {} leads to unknown {t}", n.id);
            }
        }
    }
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn connect_rules_engine_flows_lint_as_one_set() {
    let report = lint_from("connect", &corpus("amazon-connect"));
    // No dangling action, no unreachable one, the hold flow is no dead end,
    // the bounded Loop is no trap, and silence at a stored input goes on
    // down its success branch with the value `Timeout` (Connect's
    // documented behaviour; the corpus README's `unhandled-input` there was
    // the importer's old misreading): the six flows are clean.
    assert_eq!(report_codes(&report), BTreeSet::new(), "{report:#}");
    // Clean because every flow was walked, not because nothing was: the
    // walk covers all six flows, every node of each.
    let coverage = report["coverage"]["flows"].as_array().unwrap();
    assert_eq!(coverage.len(), 6, "{coverage:#?}");
    for flow in coverage {
        assert_eq!(flow["nodes_covered"], flow["nodes"], "{flow:#}");
    }
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn connect_import_writes_one_file_per_flow_that_lints() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("connect");
    let (code, _, stderr) = touchpoint(&[
        "import",
        &corpus("amazon-connect"),
        "--from",
        "connect",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(files, 6);
    // The written flows lint as the export does: clean (see
    // `connect_rules_engine_flows_lint_as_one_set`).
    let (code, _, stderr) = touchpoint(&["lint", folder.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
}

// Twilio Studio: the visual IVR.

const STUDIO: &str = "twilio-studio/visual-ivr-studio.json";

fn studio_import() -> (String, Imported) {
    let text = read(STUDIO);
    let imported =
        studio::import(&[("visual-ivr-studio.json".to_string(), text.clone())]).expect("imports");
    (text, imported)
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn studio_round_trip_every_state_has_a_node() {
    let (text, imported) = studio_import();
    let flow = &imported.flows[0];
    let root: Value = serde_json::from_str(&text).unwrap();
    let states = root["states"].as_array().unwrap();
    for s in states {
        let name = s["name"].as_str().unwrap();
        let kind = s["type"].as_str().unwrap();
        match kind {
            // The trigger is the flow's start.
            "trigger" => assert_eq!(flow.start, "choice_visual_ivr"),
            // Merged into the gather whose Digits it reads.
            "split-based-on" => {
                assert_eq!(name, "choice_press");
                let IrKind::Menu {
                    options, no_match, ..
                } = &node(flow, "choice_visual_ivr").kind
                else {
                    panic!("choice_visual_ivr is not a menu")
                };
                assert_eq!(options.len(), 1);
                assert_eq!(no_match.as_ref().unwrap().then, "error_choice_visual_ivr");
            }
            _ => {
                let n = node(flow, &node_id(name));
                assert_eq!(
                    (n.origin.action.as_str(), n.origin.platform_type.as_str()),
                    (name, kind)
                );
                let line = text.lines().nth(n.origin.line as usize - 1).unwrap();
                assert!(line[n.origin.column as usize - 1..]
                    .starts_with(&format!("\"name\": \"{name}\"")));
            }
        }
    }
    // Every node is a state's, or a generated end after one.
    for n in &flow.nodes {
        let from = states
            .iter()
            .any(|s| s["name"].as_str() == Some(n.origin.action.as_str()));
        assert!(from, "{n:?}");
        if !states
            .iter()
            .any(|s| node_id(s["name"].as_str().unwrap()) == n.id)
        {
            assert_eq!(
                n.kind,
                IrKind::Hangup {
                    text: String::new()
                }
            );
        }
    }
    let emitted = emit(flow);
    assert!(emitted.contains("menu: \"Hey Krista, thanks for calling Test Buy."));
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn studio_findings_are_what_a_careful_reader_finds() {
    let (_, imported) = studio_import();
    let notes = &imported.notes;
    for event in [
        "incomingMessage",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("trigger event `{event}` leads nowhere"))),
            "{event}"
        );
    }
    assert!(notes
        .iter()
        .any(|n| n.contains("`connect-to-conference-` (run-function)")
            && n.contains("`success` and `fail` have no next")));
    assert!(notes
        .iter()
        .any(|n| n.contains("reads `choice_visual_ivr`'s Digits")));
    let flow = &imported.flows[0];
    let IrKind::Opaque { branches, .. } = &node(flow, "connect-to-conference-").kind else {
        panic!("connect-to-conference- is not opaque")
    };
    assert!(branches
        .iter()
        .all(|(_, to)| to == "connect-to-conference-_call_ends"));
    let IrKind::Menu { options, .. } = &node(flow, "choice_visual_ivr").kind else {
        panic!("choice_visual_ivr is not a menu")
    };
    assert_eq!(options[0].label.as_deref(), Some("yes"));

    let findings = lint(&imported.flows);
    let found: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f.code.name().to_string(), f.node.clone()))
        .collect();
    for expected in [
        ("endless-retry", "choice_visual_ivr"),
        ("endless-retry", "error_choice_visual_ivr"),
        ("unhandled-input", "error_choice_visual_ivr"),
        ("prompt-mismatch", "choice_visual_ivr"),
    ] {
        assert!(
            found.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {found:?}"
        );
    }
    assert!(
        !found
            .iter()
            .any(|(c, _)| c == "unreachable" || c == "dead-end" || c == "trap"),
        "{found:?}"
    );
    let mismatch = findings
        .iter()
        .find(|f| f.code.name() == "prompt-mismatch")
        .unwrap();
    assert!(mismatch.message.contains('2'), "{}", mismatch.message);
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn studio_visual_ivr_lints_as_a_careful_reader_finds() {
    let report = lint_from("studio", &corpus(STUDIO));
    let found = report_codes(&report);
    for code in ["endless-retry", "prompt-mismatch", "unhandled-input"] {
        assert!(found.contains(code), "{code} missing: {report:#}");
    }
    for code in ["unreachable", "dead-end"] {
        assert!(!found.contains(code), "false {code}: {report:#}");
    }
    let f = &report["findings"][0];
    assert_eq!(f["file"], "visual-ivr-studio.json");
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn studio_import_writes_a_flow_that_lints() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("studio.yaml");
    let (code, _, stderr) = touchpoint(&[
        "import",
        &corpus(STUDIO),
        "--from",
        "studio",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note:"),
        "what was not modelled is said: {stderr}"
    );
    let (code, stdout, _) = touchpoint(&["lint", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn studio_export_against_itself_has_nothing_new() {
    let path = corpus(STUDIO);
    let (code, stdout, stderr) =
        touchpoint(&["diff", &path, &path, "--from", "studio", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert!(report["findings_new"].as_array().unwrap().is_empty());
}

// Genesys Architect: the disaster-recovery IVR, a Terraform template.

const ARCHY: &str = "genesys-archy/DR-Emergency-IVR.yaml";

fn archy_import() -> Imported {
    archy::import(&[("DR-Emergency-IVR.yaml".to_string(), read(ARCHY))]).unwrap()
}

fn seq<'a>(v: Option<&'a Yaml<'a>>) -> &'a [Yaml<'a>] {
    v.and_then(Yaml::as_seq).unwrap_or(&[])
}

/// A list item of the form `- type: {body}`: its type, body and key node.
fn single<'a>(item: &'a Yaml<'a>) -> (&'a str, &'a Yaml<'a>, &'a Yaml<'a>) {
    let (key, body) = item
        .as_map()
        .and_then(|m| m.first())
        .expect("a one-key map");
    (key.as_str().expect("a text key"), body, key)
}

fn menu_options(flow: &IrFlow, id: &str) -> Vec<IrOption> {
    match &node(flow, id).kind {
        IrKind::Menu { options, .. } => options.clone(),
        other => panic!("`{id}` is not a menu: {other:?}"),
    }
}

/// Every node each flow names exists, and what `emit` writes for the
/// flows (which may call each other) loads as one set.
fn well_formed_set(flows: &[IrFlow]) {
    for flow in flows {
        well_formed_nodes(flow);
    }
    lint(flows);
}

fn well_formed_nodes(flow: &IrFlow) {
    let ids: HashSet<&str> = flow.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), flow.nodes.len(), "duplicate node ids");
    assert!(
        ids.contains(flow.start.as_str()),
        "start `{}` missing",
        flow.start
    );
    for n in &flow.nodes {
        for t in targets(&n.kind) {
            assert!(ids.contains(t), "`{}` points at missing `{t}`", n.id);
        }
        assert!(n.origin.line > 0 && n.origin.column > 0);
    }
}

/// Every choice and every action of the export is an option or a node (a
/// jump is the link to its target).
#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn archy_round_trip() {
    let imported = archy_import();
    let flow = &imported.flows[0];
    // The flow and its error handler, a flow of its own.
    well_formed_set(&imported.flows);
    assert_eq!(flow.id, "DR-Emergency-IVR");
    // The raw template is not YAML until its `{{...}}` placeholders are
    // filled; plain tokens of the same length keep every line in place.
    let text = read(ARCHY).replace("{{", "__").replace("}}", "__");
    let tree = yaml::parse(&text).unwrap();
    let call = tree[0].get("inboundCall").unwrap();
    let lines: HashSet<u32> = flow.nodes.iter().map(|n| n.origin.line).collect();
    let mut actions = 0;
    fn walk(v: &Yaml, lines: &HashSet<u32>, count: &mut usize) {
        for item in seq(v.get("actions")) {
            let (ty, body, key) = single(item);
            if !ty.starts_with("jumpTo") {
                assert!(
                    lines.contains(&key.pos.line),
                    "{ty} at line {} has no node",
                    key.pos.line
                );
            }
            *count += 1;
            for (_, out) in body.get("outputs").and_then(Yaml::as_map).unwrap_or(&[]) {
                walk(out, lines, count);
            }
        }
    }
    for task in seq(call.get("tasks")) {
        walk(single(task).1, &lines, &mut actions);
    }
    let menu = single(&seq(call.get("menus"))[0]).1;
    let choices = seq(menu.get("choices"));
    for choice in choices {
        let (_, body, key) = single(choice);
        assert!(lines.contains(&key.pos.line) || body.get("task").is_some());
        if let Some(task) = body.get("task") {
            walk(task, &lines, &mut actions);
        }
    }
    assert_eq!(
        actions,
        2 + 3 + 6 * 3,
        "evaluate, voicemail, play, disconnect, jump; 6 × transfer, play, disconnect"
    );
    let opts = menu_options(flow, "Main_Menu_10");
    assert_eq!(opts.len(), choices.len());
    let keys: Vec<&str> = opts.iter().filter_map(|o| o.key.as_deref()).collect();
    assert_eq!(keys, ["1", "2", "3", "4", "5", "7", "6"]);
    assert_eq!(opts[1].speech, ["Annuities", "Annuity"]);
    // Key 7 is a disconnect: the choice's name labels it, and the
    // disconnect itself says nothing.
    assert_eq!(opts[5].label.as_deref(), Some("Disconnect"));
    assert_eq!(
        node(flow, &opts[5].goto).kind,
        IrKind::Hangup {
            text: String::new()
        }
    );
    let IrKind::Opaque { branches, .. } = &node(flow, &opts[0].goto).kind else {
        panic!("key 1 does not lead to an opaque transfer")
    };
    assert_eq!(
        node(flow, &branches[0].1).kind,
        IrKind::Transfer {
            queue: "Life Insurance".to_string()
        }
    );
    let IrKind::Say {
        text,
        next: Some(next),
    } = &node(flow, &branches[1].1).kind
    else {
        panic!("the transfer's failure does not say something")
    };
    assert_eq!(text, "{{ivr_failure}}");
    // The message is what the caller hears; the disconnect says nothing.
    assert_eq!(
        node(flow, next).kind,
        IrKind::Hangup {
            text: String::new()
        }
    );
    // Startup: greeting, schedule group, then the menu.
    let IrKind::Say {
        next: Some(first), ..
    } = &node(flow, &flow.start).kind
    else {
        panic!("the flow does not start with a greeting")
    };
    let IrKind::Opaque { branches, .. } = &node(flow, first).kind else {
        panic!("the greeting is not followed by the schedule group")
    };
    assert!(branches
        .iter()
        .any(|(on, to)| on == "open" && to == "Main_Menu_10"));
    let IrKind::Opaque { branches, .. } = &node(
        flow,
        &branches.iter().find(|(on, _)| on == "emergency").unwrap().1,
    )
    .kind
    else {
        panic!("the emergency branch is not opaque")
    };
    assert_eq!(
        node(flow, &branches[0].1).kind,
        IrKind::Transfer {
            queue: "voicemail: General Help".to_string()
        }
    );
}

/// The export's known problems, through emit, the loader and the lint.
#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn archy_lint_findings() {
    let imported = archy_import();
    let notes = imported.notes.join("\n");
    assert!(
        notes.contains("Terraform template placeholders, read as opaque text: {{ivr_initial_greeting}}, {{ivr_failure}}, {{ivr_callback}}"),
        "{notes}"
    );
    assert!(
        notes.contains("`scheduleGroup` of `Evaluate Schedule Group` is `ToScheduleGroup(NOT_SET)`: an unfilled placeholder"),
        "{notes}"
    );
    let findings = lint(&imported.flows);
    let mismatch: Vec<_> = findings
        .iter()
        .filter(|f| f.code == Code::PromptMismatch)
        .collect();
    assert_eq!(mismatch.len(), 1, "{findings:#?}");
    assert_eq!(mismatch[0].node, "Main_Menu_10");
    assert!(mismatch[0].message.contains('7'), "{}", mismatch[0].message);
    let others: Vec<String> = findings
        .iter()
        .filter(|f| f.code != Code::PromptMismatch)
        .map(|f| format!("{} {} {}", f.code, f.node, f.message))
        .collect();
    // The menu offers 7 options (wider than the default limit of 5).
    assert!(
        others.iter().all(|f| f.starts_with("menu-too-wide")),
        "{others:#?}"
    );
}

#[test]
#[ignore = "reads real platform exports: TOUCHPOINT_CORPUS=DIR cargo test --test corpus -- --ignored"]
fn archy_emergency_ivr_takes_an_unannounced_seven() {
    let report = lint_from("archy", &corpus(ARCHY));
    let mismatch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["code"] == "prompt-mismatch" && f["message"].as_str().unwrap().contains("key 7")
        })
        .unwrap_or_else(|| panic!("no prompt-mismatch for key 7: {report:#}"));
    assert!(mismatch["file"]
        .as_str()
        .unwrap()
        .ends_with("DR-Emergency-IVR.yaml"));
    // It points at the choice that takes key 7, not at its menu.
    let text = read(ARCHY);
    let line = mismatch["line"].as_u64().unwrap() as usize;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[line - 1].contains("menuDisconnect"), "{mismatch}");
    assert!(
        lines[line..line + 3].iter().any(|l| l.contains("digit_7")),
        "{mismatch}"
    );
    assert!(
        report["notes"].to_string().contains("NOT_SET"),
        "the unfilled placeholder is noted: {}",
        report["notes"]
    );
}
