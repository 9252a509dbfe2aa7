//! The CI formats: JUnit XML that parses with a test case per persona and
//! per finding class, SARIF 2.1.0 with regions, Markdown, and graphs.

use serde_json::Value;

use crate::common;

/// The binary's exit code and standard output.
fn touchpoint(args: &[&str]) -> (i32, String) {
    let (code, stdout, _) = common::touchpoint(args);
    (code, stdout)
}

#[test]
fn junit_is_xml_with_a_case_per_persona_and_finding_class() {
    let (code, xml) = touchpoint(&[
        "check",
        "fixtures/personas-failing",
        "--format",
        "junit",
        "--runs",
        "100",
    ]);
    assert_eq!(code, 1);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = Vec::new();
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                if e.name().as_ref() == b"testcase" {
                    let name = e
                        .attributes()
                        .filter_map(Result::ok)
                        .find(|a| a.key.as_ref() == b"name")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default();
                    cases.push(name);
                }
                if e.name().as_ref() == b"failure" {
                    failures += 1;
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("invalid XML: {e}\n{xml}"),
        }
    }
    assert!(cases.contains(&"night-nurse".to_string()), "{cases:?}");
    assert!(cases.contains(&"day-caller".to_string()), "{cases:?}");
    assert!(
        cases.contains(&"no-fit".to_string()) && cases.contains(&"dead-end".to_string()),
        "{cases:?}"
    );
    // The failing persona, its persona-failed class and the no-fit class.
    assert!(failures >= 3, "{failures}\n{xml}");
}

#[test]
fn sarif_has_version_rules_and_regions() {
    let (code, text) = touchpoint(&["lint", "fixtures/unhandled-input", "--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "touchpoint");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "unhandled-input");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/unhandled-input/main.yaml"
    );
    assert_eq!(
        (
            location["region"]["startLine"].as_u64(),
            location["region"]["startColumn"].as_u64()
        ),
        (Some(19), Some(3))
    );
}

#[test]
fn markdown_report_summarises_then_details() {
    let (_, text) = touchpoint(&["lint", "fixtures/dead-end", "--format", "markdown"]);
    assert!(text.starts_with("## touchpoint lint: ❌ failed"), "{text}");
    assert!(text.contains("| errors | 1 |"), "{text}");
    assert!(
        text.contains("<details><summary>1 finding(s)</summary>"),
        "{text}"
    );
    assert!(text.contains("`main.yaml:24:3`"), "{text}");
}

#[test]
fn graphs_mark_findings_on_nodes() {
    let (code, dot) = touchpoint(&["graph", "fixtures/dead-end", "--flow", "main"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph \"main\""), "{dot}");
    assert!(
        dot.contains("\"pay_menu\" [label=\"pay_menu\\nmenu\\n[dead-end]\", style=filled"),
        "{dot}"
    );
    let (_, mermaid) = touchpoint(&[
        "graph",
        "fixtures/dead-end",
        "--flow",
        "main",
        "--format",
        "mermaid",
    ]);
    assert!(mermaid.starts_with("flowchart TD"), "{mermaid}");
    // Nodes get plain generated ids (Mermaid rejects ids such as `end`)
    // and keep their own ids in the labels.
    assert!(mermaid.contains("n1[\"pay_menu<br/>"), "{mermaid}");
    assert!(mermaid.contains("class n1 stuck"), "{mermaid}");
    assert!(mermaid.contains("n0 -->|\"key 1\"| n1"), "{mermaid}");
    let (code, _) = touchpoint(&["graph", "fixtures/dead-end", "--flow", "nope"]);
    assert_eq!(code, 2);
}

/// Node ids declared in a dot graph, and the ends of its edges.
fn dot_nodes_and_edges(dot: &str) -> (Vec<String>, Vec<(String, String, String)>) {
    let edge = regex::Regex::new(
        r#"^  "((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[label="((?:[^"\\]|\\.)*)""#,
    )
    .unwrap();
    let node = regex::Regex::new(r#"^  "((?:[^"\\]|\\.)*)" \[label="#).unwrap();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in dot.lines() {
        if let Some(c) = edge.captures(line) {
            edges.push((c[1].to_string(), c[2].to_string(), c[3].to_string()));
        } else if let Some(c) = node.captures(line) {
            nodes.push(c[1].to_string());
        }
    }
    (nodes, edges)
}

/// Node ids declared in a Mermaid flowchart, and the ends of its edges.
fn mermaid_nodes_and_edges(mermaid: &str) -> (Vec<String>, Vec<(String, String, String)>) {
    let edge = regex::Regex::new(r#"^\s*(\S+) -\.?->\|"([^"]*)"\| (\S+)$"#).unwrap();
    let node = regex::Regex::new(r#"^\s*(\S+)\["#).unwrap();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in mermaid.lines() {
        if let Some(c) = edge.captures(line) {
            edges.push((c[1].to_string(), c[3].to_string(), c[2].to_string()));
        } else if let Some(c) = node.captures(line) {
            nodes.push(c[1].to_string());
        }
    }
    (nodes, edges)
}

fn assert_edges_end_at_nodes(
    what: &str,
    (nodes, edges): (Vec<String>, Vec<(String, String, String)>),
) {
    assert!(!edges.is_empty(), "{what}: no edges read");
    for (from, to, label) in &edges {
        assert!(
            nodes.contains(from) && nodes.contains(to),
            "{what}: edge {from} -> {to} ({label}) ends outside the declared nodes {nodes:?}"
        );
    }
}

/// A handler with retries is drawn to its real `then` node with the count
/// on the edge, in every flow of the bundled set, in dot and Mermaid.
#[test]
fn graph_edges_end_at_declared_nodes_with_retries_on_the_label() {
    let (_, json) = touchpoint(&["lint", "menus", "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let mut retry_edges = 0;
    for flow in report["structure"]["flows"].as_array().unwrap() {
        let (name, channel) = (
            flow["flow"].as_str().unwrap(),
            flow["channel"].as_str().unwrap(),
        );
        let what = format!("menus {channel} {name}");
        let (code, dot) = touchpoint(&["graph", "menus", "--flow", name, "--channel", channel]);
        assert_eq!(code, 0, "{dot}");
        let drawn = dot_nodes_and_edges(&dot);
        retry_edges += drawn.1.iter().filter(|e| e.2.contains(" after ")).count();
        assert_edges_end_at_nodes(&format!("{what} dot"), drawn);
        let (code, mermaid) = touchpoint(&[
            "graph",
            "menus",
            "--flow",
            name,
            "--channel",
            channel,
            "--format",
            "mermaid",
        ]);
        assert_eq!(code, 0, "{mermaid}");
        assert_edges_end_at_nodes(
            &format!("{what} mermaid"),
            mermaid_nodes_and_edges(&mermaid),
        );
    }
    assert!(retry_edges > 0, "the bundled set has handlers with retries");
    let (_, verify) = touchpoint(&["graph", "menus", "--flow", "verify"]);
    assert!(
        verify.contains("\"pin_ask\" -> \"birth_date_ask\" [label=\"no_input after 2 retries\""),
        "{verify}"
    );
    assert!(
        verify.contains("\"birth_date_ask\" -> \"not_verified\" [label=\"no_input after 1 retry\""),
        "{verify}"
    );
}

/// The diff's pull-request comment draws changed flows the same way.
#[test]
fn diff_diagrams_end_edges_at_declared_nodes() {
    let (_, markdown) = touchpoint(&[
        "diff",
        "fixtures/diff/v1",
        "fixtures/diff/v2",
        "--format",
        "markdown",
    ]);
    let diagrams: Vec<&str> = markdown
        .split("```mermaid\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(!diagrams.is_empty(), "{markdown}");
    for diagram in diagrams {
        assert_edges_end_at_nodes("diff diagram", mermaid_nodes_and_edges(diagram));
    }
}

/// A finding that happens only under some variable values says so in every
/// format, and its printed replay command sets them.
#[test]
fn every_format_carries_a_findings_vars() {
    let set = "fixtures/no-fit-after-hours";
    for format in ["human", "markdown", "junit", "sarif"] {
        let (code, text) = touchpoint(&["lint", set, "--format", format]);
        assert_eq!(code, 1, "{format}: {text}");
        assert!(text.contains("when"), "{format}: {text}");
        assert!(text.contains("hours=closed"), "{format}: {text}");
    }
    let (_, markdown) = touchpoint(&["lint", set, "--format", "markdown"]);
    assert!(
        markdown.contains("| when | inputs |") && markdown.contains("| `hours=closed` |"),
        "{markdown}"
    );
    let (_, human) = touchpoint(&["lint", set]);
    assert!(
        human.contains(
            "touchpoint replay fixtures/no-fit-after-hours --flow main --var hours=closed"
        ),
        "{human}"
    );
    let (_, json) = touchpoint(&["lint", set, "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["findings"][0]["vars"]["hours"], "closed");
}

/// A persona that reaches the terminal that serves it, but in more steps
/// than it allows, fails; the diff's diagram must not paint that terminal
/// as a node where customers are stuck.
#[test]
fn a_persona_over_its_steps_does_not_mark_its_terminal_stuck() {
    let flow = |welcome: &str| {
        format!(
            "flow: main\nchannel: phone\nstart: welcome\ndefaults:\n  no_input: {{ retries: 1, then: agent }}\n  no_match: {{ retries: 1, then: agent }}\nnodes:\n  welcome:\n    menu: {welcome}\n    options:\n      - key: \"1\"\n        goto: billing\n  billing:\n    menu: To pay your bill, press 1.\n    options:\n      - key: \"1\"\n        goto: paid\n  paid:\n    end: Thank you, your payment has been taken.\n  agent:\n    transfer: advisors\n"
        )
    };
    let persona = "persona: payer\nchannel: phone\nscript:\n  - press: \"1\"\n  - press: \"1\"\nexpect: { outcome: served, node: paid, max_steps: 1 }\n";
    let dir = tempfile::tempdir().unwrap();
    for (side, welcome) in [
        ("v1", "For billing, press 1."),
        ("v2", "For billing and payments, press 1."),
    ] {
        let set = dir.path().join(side);
        std::fs::create_dir_all(set.join("personas")).unwrap();
        std::fs::write(set.join("main.yaml"), flow(welcome)).unwrap();
        std::fs::write(set.join("personas/payer.yaml"), persona).unwrap();
    }
    let (v1, v2) = (dir.path().join("v1"), dir.path().join("v2"));
    let (_, markdown) = touchpoint(&[
        "diff",
        v1.to_str().unwrap(),
        v2.to_str().unwrap(),
        "--format",
        "markdown",
        "--runs",
        "10",
    ]);
    assert!(markdown.contains("n2[\"paid<br/>"), "{markdown}");
    assert!(markdown.contains("class n0 changed"), "{markdown}");
    assert!(!markdown.contains("class n2 stuck"), "{markdown}");
    let (code, report) = touchpoint(&["personas", v2.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "the persona does fail: {report}");
}

/// A diff's new finding says under which variable values it happens.
#[test]
fn diff_new_findings_carry_their_vars() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = common::project().join("fixtures/no-fit-after-hours");
    let v1 = dir.path().join("v1");
    common::copy_dir(&v2, &v1);
    // Before the regression the closed menu still had the advisor fallback.
    let text = std::fs::read_to_string(v1.join("main.yaml")).unwrap();
    let fixed = text.replace(
        "        label: Pay your bill\n        goto: payments_line\n\n  outage_line:",
        "        label: Pay your bill\n        goto: payments_line\n      - key: \"0\"\n        label: Speak with an advisor\n        fallback: true\n        goto: advisors\n\n  outage_line:",
    );
    assert_ne!(fixed, text);
    std::fs::write(v1.join("main.yaml"), fixed).unwrap();
    for format in ["human", "markdown"] {
        let (code, text) = touchpoint(&[
            "diff",
            v1.to_str().unwrap(),
            "fixtures/no-fit-after-hours",
            "--runs",
            "10",
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "{format}: {text}");
        let line = text
            .lines()
            // The listing of new findings, with file and line (the regressions
            // section names them without).
            .find(|l| l.contains("no-fit") && l.contains("main.yaml:"))
            .unwrap_or_else(|| panic!("{format}: no new no-fit: {text}"));
        assert!(line.contains("hours=closed"), "{format}: {line}");
    }
}

/// SARIF locations are URIs: a set given by an absolute path gives
/// `file://` URIs (with characters such as spaces percent-encoded), while a
/// relative path stays a relative reference, as the test above shows.
#[test]
fn sarif_uris_of_an_absolute_path_are_file_uris() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("my set");
    common::copy_dir(&common::project().join("fixtures/unhandled-input"), &set);
    let (code, text, stderr) =
        common::touchpoint(&["lint", set.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(code, 1, "{stderr}");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"];
    let expected = format!("file://{}/my%20set/main.yaml", dir.path().to_str().unwrap());
    assert_eq!(uri.as_str(), Some(expected.as_str()), "{text}");
}

/// A relative path is a relative reference, but still a URI: a space, `#`
/// or `%` in a folder's name is percent-encoded, or the `#` would start a
/// fragment and the path would end there.
#[test]
fn sarif_uris_of_a_relative_path_are_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::project().join("fixtures/unhandled-input"),
        &dir.path().join("sp ace#1%"),
    );
    let (code, text, stderr) =
        common::touchpoint_in(dir.path(), &["lint", "sp ace#1%", "--format", "sarif"]);
    assert_eq!(code, 1, "{stderr}");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"];
    assert_eq!(uri.as_str(), Some("sp%20ace%231%25/main.yaml"), "{text}");
}

/// A finding about a menu as written has no inputs: JUnit leaves the
/// inputs out rather than print "(inputs: )". The menu's hidden key is not
/// counted against the width the set allows, and the message says so.
#[test]
fn junit_lists_a_finding_without_inputs_without_an_empty_list() {
    let (code, xml) = touchpoint(&[
        "lint",
        "fixtures/menu-too-wide-hidden-six",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 0, "{xml}");
    assert!(
        xml.contains("main.yaml:13:3: [warning] `main_menu` offers 6 options (not counting 1 hidden option); the set allows 5\n"),
        "{xml}"
    );
    assert!(!xml.contains("(inputs: )"), "{xml}");
}

/// Code spans carry no stray spaces inside their backticks, in a report
/// and in a diff.
#[test]
fn markdown_code_spans_have_no_stray_spaces() {
    let (_, markdown) = touchpoint(&[
        "diff",
        "fixtures/diff-rename/v1",
        "fixtures/no-fit-after-hours",
        "--format",
        "markdown",
    ]);
    assert!(markdown.contains("(when `hours=closed`)"), "{markdown}");
    assert!(!markdown.contains("` hours=closed `"), "{markdown}");
}
