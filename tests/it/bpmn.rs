//! `graph --format bpmn`: the XML is well-formed, every reference points at
//! an element that exists, every flow node and sequence flow is drawn, the
//! lanes hold every node once, the output is the same on every run, and
//! options that do not go together are refused. bpmn-moddle and bpmn-js
//! read the same files in the browser target (`tests/browser/bpmn.rs`).

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::common::touchpoint;

/// The BPMN elements that are flow nodes: what lanes must hold and what
/// sequence flows may join.
const FLOW_NODES: &[&str] = &[
    "startEvent",
    "endEvent",
    "intermediateThrowEvent",
    "intermediateCatchEvent",
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "exclusiveGateway",
];

/// The attributes that name another element by its id.
const REFERENCES: &[&str] = &[
    "bpmnElement",
    "sourceRef",
    "targetRef",
    "attachedToRef",
    "processRef",
    "default",
];

/// What one BPMN file holds, as the checks below need it.
#[derive(Debug, Default)]
struct Read {
    /// Every id, with the local name of the element that carries it.
    ids: BTreeMap<String, String>,
    /// (attribute or element, id it names).
    references: Vec<(String, String)>,
    /// Per lane: the flow nodes it lists.
    lanes: BTreeMap<String, Vec<String>>,
    /// The `bpmnElement` of every BPMNShape and BPMNEdge.
    shapes: Vec<String>,
    edges: Vec<String>,
    /// Sequence flows: (id, sourceRef, targetRef).
    sequences: Vec<(String, String, String)>,
    /// Per text annotation: its text.
    notes: BTreeMap<String, String>,
    /// The text of every `documentation` element.
    documentation: Vec<String>,
    /// Sequence flows with a condition, and the gateways' default flows.
    conditioned: BTreeSet<String>,
    defaults: BTreeSet<String>,
}

fn attributes(element: &BytesStart) -> BTreeMap<String, String> {
    element
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().expect("escaped attribute").into_owned(),
            )
        })
        .collect()
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8(name.to_vec()).unwrap();
    name.rsplit(':').next().unwrap().to_string()
}

/// Whether `id` is an XML NCName (as BPMN ids must be), for the ASCII
/// names touchpoint generates and for any other: a letter or `_`, then
/// letters, digits, `.`, `-` and `_`.
fn is_ncname(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Reads the file, failing on XML that is not well-formed.
fn read(xml: &str) -> Read {
    let mut reader = Reader::from_str(xml);
    let mut read = Read::default();
    let mut stack: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let mut depth_zero_elements = 0;
    // The text of the element being read, entities resolved.
    let mut buffer = String::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()));
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Text(text) => {
                buffer.push_str(&text.decode().unwrap());
                continue;
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().unwrap().into_owned();
                let character = match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => reference
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| panic!("unknown entity &{other};")),
                };
                buffer.push(character);
                continue;
            }
            Event::End(_) => {
                let text = std::mem::take(&mut buffer);
                match stack.last().map(|(name, _)| name.as_str()) {
                    Some("flowNodeRef") => {
                        let lane = stack[stack.len() - 2].1["id"].clone();
                        read.lanes.entry(lane).or_default().push(text.clone());
                        read.references.push(("flowNodeRef".into(), text));
                    }
                    Some("documentation") => read.documentation.push(text),
                    Some("text") => {
                        let note = stack[stack.len() - 2].1["id"].clone();
                        read.notes.insert(note, text);
                    }
                    _ => {}
                }
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if stack.is_empty() {
            depth_zero_elements += 1;
        }
        let name = local(element.name().as_ref());
        let attributes = attributes(element);
        if let Some(id) = attributes.get("id") {
            assert!(is_ncname(id), "`{id}` is not an NCName");
            let earlier = read.ids.insert(id.clone(), name.clone());
            assert!(earlier.is_none(), "id `{id}` is used twice");
        }
        for reference in REFERENCES {
            if let Some(target) = attributes.get(*reference) {
                read.references
                    .push((reference.to_string(), target.clone()));
            }
        }
        if let Some(default) = attributes.get("default") {
            read.defaults.insert(default.clone());
        }
        match name.as_str() {
            "conditionExpression" => {
                let flow = stack.last().expect("inside a sequence flow");
                assert_eq!(flow.0, "sequenceFlow");
                read.conditioned.insert(flow.1["id"].clone());
            }
            "lane" => {
                read.lanes.entry(attributes["id"].clone()).or_default();
            }
            "BPMNShape" => read.shapes.push(attributes["bpmnElement"].clone()),
            "BPMNEdge" => read.edges.push(attributes["bpmnElement"].clone()),
            "sequenceFlow" => read.sequences.push((
                attributes["id"].clone(),
                attributes["sourceRef"].clone(),
                attributes["targetRef"].clone(),
            )),
            _ => {}
        }
        if !empty {
            buffer.clear();
            stack.push((name, attributes));
        }
    }
    assert_eq!(depth_zero_elements, 1, "one root element");
    assert!(stack.is_empty(), "every element is closed");
    read
}

/// Every check that holds for any BPMN file touchpoint writes; returns
/// what was read for more checks.
fn check(xml: &str, what: &str) -> Read {
    assert!(
        xml.contains(r#"xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL""#),
        "{what}: the BPMN namespace"
    );
    let read = read(xml);
    for (by, target) in &read.references {
        assert!(
            read.ids.contains_key(target),
            "{what}: {by} names `{target}`, which no element has"
        );
    }
    let nodes: BTreeSet<&String> = read
        .ids
        .iter()
        .filter(|(_, name)| FLOW_NODES.contains(&name.as_str()))
        .map(|(id, _)| id)
        .collect();
    assert!(!nodes.is_empty(), "{what}: no flow node");
    let drawn: BTreeSet<&String> = read.shapes.iter().collect();
    for node in &nodes {
        assert!(
            drawn.contains(node),
            "{what}: flow node `{node}` has no shape"
        );
    }
    for (id, source, target) in &read.sequences {
        assert!(
            read.edges.contains(id),
            "{what}: sequence flow `{id}` has no edge"
        );
        assert!(
            nodes.contains(source) && nodes.contains(target),
            "{what}: sequence flow `{id}` joins `{source}` and `{target}`, which are not both flow nodes"
        );
    }
    for (id, name) in &read.ids {
        if name == "association" {
            assert!(
                read.edges.contains(id),
                "{what}: association `{id}` has no edge"
            );
        }
        if matches!(name.as_str(), "textAnnotation" | "lane" | "participant") {
            assert!(
                read.shapes.contains(id),
                "{what}: {name} `{id}` has no shape"
            );
        }
    }
    // A gateway that decides between flows says on each what takes it,
    // or makes it the default.
    for (gateway, name) in &read.ids {
        if name != "exclusiveGateway" {
            continue;
        }
        let out: Vec<&String> = read
            .sequences
            .iter()
            .filter(|(_, source, _)| source == gateway)
            .map(|(id, _, _)| id)
            .collect();
        if out.len() > 1 {
            for flow in out {
                assert!(
                    read.conditioned.contains(flow) || read.defaults.contains(flow),
                    "{what}: `{flow}` leaves the gateway `{gateway}` with no condition"
                );
            }
        }
    }
    let mut laned: Vec<&String> = read.lanes.values().flatten().collect();
    laned.sort();
    let nodes_sorted: Vec<&String> = nodes.iter().copied().collect();
    assert_eq!(
        laned, nodes_sorted,
        "{what}: the lanes hold every flow node once"
    );
    assert_eq!(
        read.lanes.len(),
        3,
        "{what}: customer, channel and staff lanes"
    );
    read
}

fn bpmn(args: &[&str]) -> String {
    let (code, stdout, stderr) = touchpoint(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

/// The flows of a set, as `graph` names them: (flow, channel).
fn flows(set: &str) -> Vec<(String, String)> {
    let (_, stdout, _) = touchpoint(&["lint", set, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    report["structure"]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["flow"].as_str().unwrap().to_string(),
                f["channel"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_bundled_flow_is_valid_bpmn_with_every_node_drawn() {
    let flows = flows("menus");
    assert!(flows.len() >= 3, "{flows:?}");
    for (flow, channel) in &flows {
        let xml = bpmn(&[
            "graph",
            "menus",
            "--flow",
            flow,
            "--channel",
            channel,
            "--format",
            "bpmn",
        ]);
        let read = check(&xml, flow);
        assert!(read.ids.contains_key("Lane_staff"));
    }
}

#[test]
fn findings_become_annotations_on_their_node() {
    for (set, flow, code, node_kind) in [
        ("fixtures/dead-end", "main", "dead-end", "task"),
        (
            "fixtures/closed-transfer",
            "main",
            "closed-transfer",
            "userTask",
        ),
        ("fixtures/dead-end-call", "main", "dead-end", "callActivity"),
    ] {
        let xml = bpmn(&["graph", set, "--flow", flow, "--format", "bpmn"]);
        let read = check(&xml, set);
        let with_code: Vec<&String> = read
            .notes
            .iter()
            .filter(|(_, text)| text.contains(&format!(" {code}: ")))
            .map(|(id, _)| id)
            .collect();
        assert!(
            !with_code.is_empty(),
            "{set}: no `{code}` annotation in {:?}",
            read.notes
        );
        // The annotation is associated with the node the finding is about.
        let associated: Vec<String> = read
            .ids
            .iter()
            .filter(|(_, name)| *name == "association")
            .map(|(id, _)| id.clone())
            .collect();
        assert!(!associated.is_empty(), "{set}: no association");
        assert!(
            xml.lines().any(|line| line.contains("<bpmn:association")
                && with_code
                    .iter()
                    .any(|note| line.contains(&format!(r#"targetRef="{note}""#)))
                && read.ids.iter().any(|(id, name)| name == node_kind
                    && line.contains(&format!(r#"sourceRef="{id}""#)))),
            "{set}: the `{code}` annotation is not on a {node_kind}:\n{xml}"
        );
    }
}

#[test]
fn every_bundled_persona_and_intent_journey_is_valid_bpmn() {
    let (_, stdout, _) = touchpoint(&["personas", "menus", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let runs: Vec<(String, String)> = report["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| {
            let name = match run["variant"].as_str() {
                Some(variant) => format!("{}@{variant}", run["persona"].as_str().unwrap()),
                None => run["persona"].as_str().unwrap().to_string(),
            };
            (name, run["outcome"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(runs.len() >= 5, "{runs:?}");
    for (name, outcome) in &runs {
        let xml = bpmn(&["graph", "menus", "--persona", name, "--format", "bpmn"]);
        let read = check(&xml, name);
        let ends = read.ids.values().filter(|n| *n == "endEvent").count();
        assert_eq!(ends, 1, "{name}: a journey ends once");
        // A journey that a person serves ends in the staff lane.
        let staffed = read.lanes["Lane_staff"].len();
        assert_eq!(
            staffed > 0,
            outcome == "transferred",
            "{name} ({outcome}): staff lane {:?}",
            read.lanes["Lane_staff"]
        );
    }
    // Off the phone, from the channel's first flow or the flow named.
    for args in [&["--channel", "web"][..], &["--flow", "selfservice"][..]] {
        let mut all = vec!["graph", "menus", "--intent", "pay_bill", "--format", "bpmn"];
        all.extend(args);
        let xml = bpmn(&all);
        check(&xml, "pay_bill on the web");
        assert!(xml.contains(r#"name="customer opens the site""#), "{xml}");
        assert!(xml.contains(r#"name="Automated channel (web)""#), "{xml}");
    }
    for intent in ["pay_bill", "report_outage", "speak_to_agent"] {
        let xml = bpmn(&["graph", "menus", "--intent", intent, "--format", "bpmn"]);
        check(&xml, intent);
        assert!(
            xml.contains(&format!("a customer who wants {intent}")),
            "{xml}"
        );
    }
}

#[test]
fn the_same_set_gives_the_same_bytes() {
    for args in [
        &["graph", "menus", "--flow", "main", "--format", "bpmn"][..],
        &["graph", "menus", "--intent", "pay_bill", "--format", "bpmn"][..],
    ] {
        assert_eq!(bpmn(args), bpmn(args), "{args:?}");
    }
}

#[test]
fn a_small_flow_with_a_finding() {
    insta::assert_snapshot!(bpmn(&[
        "graph",
        "fixtures/dead-end",
        "--flow",
        "main",
        "--format",
        "bpmn"
    ]));
}

#[test]
fn text_with_markup_characters_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.yaml"),
        r#"flow: main
channel: phone
start: menu
nodes:
  menu:
    menu: "Press 1 for <billing> & \"payments\"; ]]> is not the end"
    options:
      - { key: "1", label: "A & B <c>", goto: bye }
  bye:
    end: "Bye & thanks"
"#,
    )
    .unwrap();
    let set = dir.path().to_str().unwrap();
    let xml = bpmn(&["graph", set, "--flow", "main", "--format", "bpmn"]);
    let read = check(&xml, "markup");
    assert!(
        read.documentation
            .contains(&r#"Press 1 for <billing> & "payments"; ]]> is not the end"#.to_string()),
        "{:?}",
        read.documentation
    );
    let mut reader = Reader::from_str(&xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                if let Some(name) = attributes(&e).get("name") {
                    names.push(name.clone());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(
        names
            .iter()
            .any(|n| n.contains(r#"<billing> & "payments"; ]]> is not the end"#)),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.contains("A & B <c>")), "{names:?}");
}

#[test]
fn what_cannot_be_drawn_is_refused() {
    for (args, says) in [
        (
            &["graph", "menus", "--format", "bpmn"][..],
            "say what to draw",
        ),
        (
            &["graph", "menus", "--persona", "resident-wants-a-person"][..],
            "only --format bpmn",
        ),
        (
            &[
                "graph", "menus", "--intent", "pay_bill", "--format", "mermaid",
            ][..],
            "only --format bpmn",
        ),
        (
            &["graph", "menus", "--persona", "nobody", "--format", "bpmn"][..],
            "no persona `nobody` in the set (personas: ",
        ),
        (
            &["graph", "menus", "--intent", "nothing", "--format", "bpmn"][..],
            "no intent `nothing` in the set (intents: ",
        ),
        (
            &[
                "graph",
                "menus",
                "--persona",
                "pays-bill-on-every-channel",
                "--format",
                "bpmn",
            ][..],
            "pays-bill-on-every-channel@resident-phone",
        ),
        (
            &[
                "graph",
                "menus",
                "--persona",
                "pays-bill-on-every-channel@nowhere",
                "--format",
                "bpmn",
            ][..],
            "no persona `pays-bill-on-every-channel@nowhere`",
        ),
        (
            &[
                "graph",
                "menus",
                "--persona",
                "a",
                "--intent",
                "b",
                "--format",
                "bpmn",
            ][..],
            "cannot be used with",
        ),
        (
            &[
                "graph",
                "menus",
                "--persona",
                "a",
                "--flow",
                "main",
                "--format",
                "bpmn",
            ][..],
            "cannot be used with",
        ),
        (
            &[
                "graph", "menus", "--intent", "pay_bill", "--flow", "nowhere", "--format", "bpmn",
            ][..],
            "no flow `nowhere`",
        ),
        (
            &[
                "graph",
                "fixtures/personas-failing",
                "--intent",
                "report_outage",
                "--channel",
                "web",
                "--format",
                "bpmn",
            ][..],
            "no web flow in the set",
        ),
        (
            &[
                "graph",
                "menus",
                "--persona",
                "a",
                "--channel",
                "web",
                "--format",
                "bpmn",
            ][..],
            "cannot be used with",
        ),
    ] {
        let (code, stdout, stderr) = touchpoint(args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// The checks above can fail: a reference to no element, a node no lane
/// holds and a flow with no edge are each caught.
#[test]
fn the_checks_catch_a_broken_file() {
    let xml = bpmn(&[
        "graph",
        "fixtures/dead-end",
        "--flow",
        "main",
        "--format",
        "bpmn",
    ]);
    check(&xml, "unchanged");
    let broken = [
        xml.replacen(r#"targetRef="Node_pay_menu""#, r#"targetRef="Node_99""#, 1),
        xml.replacen(
            "<bpmn:flowNodeRef>Choice_main_menu</bpmn:flowNodeRef>",
            "",
            1,
        ),
        xml.replacen(r#"bpmnElement="Flow_7""#, r#"bpmnElement="Start""#, 1),
        xml.replacen(r#"id="Choice_pay_menu""#, r#"id="1Choice""#, 1),
    ];
    for (k, xml) in broken.iter().enumerate() {
        let caught = std::panic::catch_unwind(|| check(xml, "broken"));
        assert!(caught.is_err(), "breakage {k} went unnoticed");
    }
}

/// A persona that fails says why on the end of its journey; the nodes it
/// passes carry their own findings.
#[test]
fn a_failed_persona_says_so_where_its_journey_ends() {
    let xml = bpmn(&[
        "graph",
        "fixtures/personas-failing",
        "--persona",
        "night-nurse",
        "--format",
        "bpmn",
    ]);
    let read = check(&xml, "night-nurse");
    let failed: Vec<&String> = read
        .notes
        .iter()
        .filter(|(_, text)| text.starts_with("error persona-failed: persona `night-nurse`"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", read.notes);
    assert!(
        xml.contains(&format!(
            r#"<bpmn:association id="Association_1" sourceRef="End" targetRef="{}"/>"#,
            failed[0]
        )),
        "{xml}"
    );
    assert!(
        read.notes.values().any(|t| t.starts_with("error no-fit: ")),
        "{:?}",
        read.notes
    );
    // The persona that passes has no verdict to show.
    let xml = bpmn(&[
        "graph",
        "fixtures/personas-failing",
        "--persona",
        "day-caller",
        "--format",
        "bpmn",
    ]);
    assert!(!check(&xml, "day-caller")
        .notes
        .values()
        .any(|t| t.contains("persona-failed")));
}

/// A desk staffed only at times says when, where the transfer lands.
#[test]
fn a_transfer_says_when_its_desk_is_staffed() {
    let xml = bpmn(&[
        "graph",
        "fixtures/closed-transfer",
        "--flow",
        "main",
        "--format",
        "bpmn",
    ]);
    assert!(
        xml.contains(r#"name="agent at claims_team (staffed when hours == open)""#),
        "{xml}"
    );
    assert!(xml.contains(r#"name="agent at billing_team""#), "{xml}");
}

/// Node ids become element ids where they can, and ids that are not XML
/// names, or that become the same name, still give valid, unique ids.
#[test]
fn node_ids_that_are_not_xml_names_give_unique_element_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.yaml"),
        r#"flow: main
channel: phone
start: "pay bill"
nodes:
  "pay bill":
    menu: "Press 1 to pay, 2 for help."
    options:
      - { key: "1", goto: pay_bill }
      - { key: "2", goto: "pay bill!" }
  pay_bill:
    say: "Paying."
    next: "1 évier"
  "pay bill!":
    transfer: help desk
  "1 évier":
    end: "Done."
"#,
    )
    .unwrap();
    let set = dir.path().to_str().unwrap();
    let xml = bpmn(&["graph", set, "--flow", "main", "--format", "bpmn"]);
    let read = check(&xml, "odd ids");
    for id in [
        "Node_pay_bill",
        "Node_pay_bill-2",
        "Node_pay_bill_",
        "Node_1__vier",
        "Choice_pay_bill",
    ] {
        assert!(read.ids.contains_key(id), "{id} in {:?}", read.ids.keys());
    }
}
