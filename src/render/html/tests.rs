//! The page written for small sets: self-contained, deterministic, every
//! finding's replay and every journey's way embedded.

use super::*;
use crate::results::Demand;

/// fixtures/journeys-hours, with a second menu that offers nothing after
/// hours: a dead end to step through.
const SET: &str = r#"flow: main
channel: phone
start: menu
vars:
  hours: [open, closed]
defaults:
  no_input: { retries: 1, then: goodbye }
  no_match: { retries: 1, then: goodbye }
nodes:
  menu:
    menu: For your balance press 1. For a person press 0. For payments press 2.
    options:
      - key: "1"
        intents: [balance]
        goto: balance_said
      - key: "0"
        intents: [person]
        goto: staffed
      - key: "2"
        goto: payments
  payments:
    menu: To pay by card press 1.
    options:
      - key: "1"
        when: hours == open
        goto: desk
  balance_said:
    end: Your balance is ten dollars.
    serves: [balance]
  staffed:
    switch:
      - when: hours == open
        goto: desk
      - goto: closed
  desk:
    transfer: front_desk
    serves: [person]
  closed:
    hangup: We are closed. Goodbye.
  goodbye:
    hangup: Goodbye.
"#;

/// The intents of fixtures/journeys-hours.
const INTENTS: &str =
    "intents:\n  balance:\n    says: [balance]\n  person:\n    says: [agent, person]\n";

fn report_of(yaml: &str) -> (Report, MenuSet) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("main.yaml"), yaml).expect("write the flow");
    if yaml.contains("intents:") {
        std::fs::write(dir.path().join("intents.yaml"), INTENTS).expect("write the intents");
    }
    let set = crate::loader::load_set(dir.path()).expect("the set loads");
    let mut report = crate::run::lint_report(&set, "report", 42).expect("lint runs");
    report.structure = crate::structure::describe(&set);
    // The set's root is a temporary directory: name it as a user would.
    report.set = "menus".to_string();
    (report, set)
}

/// The JSON the page's script reads.
fn page_data(page: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"touchpoint-data\">";
    let start = page.find(open).expect("the data element") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("the data is JSON")
}

#[test]
fn the_page_fetches_nothing_and_links_only_within_itself() {
    let (report, set) = report_of(SET);
    let page = render(&report, &set);
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for forbidden in [
        "http://", "https://", "src=", "url(http", "@import", "//cdn",
    ] {
        assert!(!page.contains(forbidden), "the page holds `{forbidden}`");
    }
    for (at, _) in page.match_indices("href=") {
        assert!(
            page[at..].starts_with("href=\"#"),
            "a link out of the page: {}",
            &page[at..at + 40]
        );
    }
    // Every link goes to a section the page has.
    for (at, _) in page.match_indices("href=\"#") {
        let target = &page[at + 7..];
        let target = &target[..target.find('"').unwrap()];
        assert!(
            page.contains(&format!("id=\"{target}\"")),
            "a link to #{target}"
        );
    }
    // Edges point at the one arrowhead defined in the page itself.
    for (at, _) in page.match_indices("url(") {
        assert!(
            page[at..].starts_with("url(#arrow)"),
            "{}",
            &page[at..at + 30]
        );
    }
}

#[test]
fn every_finding_is_listed_with_its_replay_ending_where_it_happens() {
    let (report, set) = report_of(SET);
    assert!(
        report.findings.iter().any(|f| f.code.name() == "dead-end"),
        "{:#?}",
        report.findings
    );
    let page = render(&report, &set);
    let data = page_data(&page);
    let findings = data["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), report.findings.len());
    for (i, (finding, embedded)) in report.findings.iter().zip(findings).enumerate() {
        assert!(page.contains(&format!("id=\"finding-{i}\"")));
        let steps = embedded["steps"].as_array().expect("steps");
        assert!(!steps.is_empty(), "{finding:?} has no steps: {embedded}");
        // Each input of the finding is given in its replay, in order.
        let given: Vec<&str> = steps
            .iter()
            .filter_map(|s| s["line"].as_str()?.strip_prefix("gives "))
            .collect();
        assert_eq!(given.len(), finding.inputs.len(), "{given:?}");
        for (line, input) in given.iter().zip(&finding.inputs) {
            assert!(line.starts_with(&format!("{input}:")), "{line} for {input}");
        }
        // The last line highlights the finding's node on its flow.
        let node = report.structure.flows[0]
            .nodes
            .iter()
            .position(|n| n.id == finding.node)
            .expect("the finding's node is drawn");
        assert_eq!(
            steps.last().unwrap()["at"],
            format!("n0-{node}"),
            "{embedded}"
        );
        assert!(page.contains(&format!("<div class=\"stepper\" data-finding=\"{i}\">")));
    }
}

#[test]
fn journeys_fill_the_intent_table_and_carry_their_way_as_drawn_nodes() {
    let (report, set) = report_of(SET);
    let page = render(&report, &set);
    assert!(page.contains("<tr data-intent=\"balance\">"));
    assert!(page.contains("<tr data-intent=\"person\">"));
    // The person journey is transferred when open, not served when closed.
    assert!(page.contains("class=\"outcome-sometimes\""));
    let data = page_data(&page);
    let balance = report
        .journeys
        .iter()
        .position(|j| j.intent == "balance")
        .expect("a balance journey");
    assert_eq!(report.journeys[balance].path, ["menu", "balance_said"]);
    let ids: Vec<String> = ["menu", "balance_said"]
        .iter()
        .map(|id| {
            let n = report.structure.flows[0]
                .nodes
                .iter()
                .position(|n| n.id == *id)
                .unwrap();
            format!("n0-{n}")
        })
        .collect();
    assert_eq!(data["journeys"][balance]["at"], serde_json::json!(ids));
    assert!(page.contains(&format!("data-journey=\"{balance}\"")));
}

#[test]
fn the_same_report_gives_the_same_page() {
    let (report, set) = report_of(SET);
    assert_eq!(render(&report, &set), render(&report, &set));
}

#[test]
fn demand_is_drawn_as_bars_when_the_report_has_it() {
    let (mut report, set) = report_of(SET);
    // Every report with journeys now has demand figures; without them the
    // section is left out.
    report.demand.clear();
    assert!(!render(&report, &set).contains("id=\"demand\""));
    report.demand.push(Demand {
        channel: Channel::Phone,
        customer_type: None,
        figures: crate::results::DemandFigures {
            weighted: true,
            volume: 1200.0,
            self_served: 0.5,
            transferred: 0.25,
            not_served: 0.25,
            mean_seconds_to_served: Some(31.5),
            mean_seconds_to_agent: None,
        },
    });
    let page = render(&report, &set);
    assert!(page.contains("<section id=\"demand\">"));
    assert!(page.contains("<rect class=\"outcome-self_served\" x=\"0.0\" y=\"0\" width=\"160.0\""));
    assert!(page.contains("<rect class=\"outcome-not_served\" x=\"240.0\" y=\"0\" width=\"80.0\""));
    assert!(page.contains("50% / 25% / 25%"));
    assert!(page.contains("<td>31.5</td><td>—</td>"));
}

#[test]
fn text_from_the_set_cannot_close_an_element() {
    let yaml = SET.replace(
        "Your balance is ten dollars.",
        "\"</script><script>alert(1)</script> & <b>\"",
    );
    let (report, set) = report_of(&yaml);
    let page = render(&report, &set);
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the page's own scripts"
    );
    assert!(page.contains("&lt;/script&gt;"));
}

/// A chain of `count` menus, each with a key on to the next and a key to
/// an end: a flow far larger than a drawing shows whole.
fn long_flow(count: usize) -> String {
    let mut yaml = String::from("flow: main\nchannel: phone\nstart: m0\nnodes:\n");
    for i in 0..count {
        let next = if i + 1 < count {
            format!("m{}", i + 1)
        } else {
            "bye".to_string()
        };
        yaml.push_str(&format!(
            "  m{i}:\n    menu: Press 1 to go on, 2 to stop.\n    options:\n      - key: \"1\"\n        goto: {next}\n      - key: \"2\"\n        goto: s{i}\n  s{i}:\n    say: Stopping.\n    next: bye\n"
        ));
    }
    yaml.push_str("  bye:\n    end: Goodbye.\n");
    yaml
}

#[test]
fn a_large_flow_is_drawn_collapsed_and_says_so() {
    let (report, set) = report_of(&long_flow(400));
    let page = render(&report, &set);
    assert!(page.contains("it is drawn collapsed"));
    let boxes = page.matches("<g class=\"node").count();
    assert_eq!(boxes, diagram::COLLAPSE_ABOVE, "kept nodes");
    assert!(page.contains("<g class=\"fold"));
    // Every node is either drawn or listed in a fold.
    let folded: usize = page
        .match_indices("<details class=\"fold-list\"")
        .map(|(at, _)| {
            let summary = &page[at..];
            let count = summary
                .split("<summary>")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .expect("a count");
            count
        })
        .sum();
    assert_eq!(boxes + folded, 801);
}

#[test]
fn a_small_flow_is_drawn_whole() {
    let (report, set) = report_of(&long_flow(20));
    let page = render(&report, &set);
    assert!(!page.contains("drawn collapsed"));
    assert_eq!(page.matches("<g class=\"node").count(), 41);
}
