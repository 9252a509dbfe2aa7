//! Properties of the loader and the walk over generated input.

use std::collections::BTreeMap;

use proptest::prelude::*;
use touchpoint::input::Input;
use touchpoint::loader::load_text;
use touchpoint::replay::{replay, Ending};

const GOOD_FLOW: &str = "flow: main\nchannel: phone\nstart: m\nvars:\n  hours: [open, closed]\nnodes:\n  m:\n    menu: Press 1 for billing.\n    no_input: { retries: 1, then: agent }\n    options:\n      - key: 1\n        when: hours == open\n        goto: agent\n  agent:\n    transfer: queue\n";

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the bytes, loading returns a set or problems; it never
    /// panics, and every problem with a file has a 1-based position.
    #[test]
    fn loader_never_panics_on_yamlish_text(text in "[a-z0-9:\\-\\[\\]{}&*!|>'\"#,. \n]{0,300}") {
        if let Err(e) = load_text("x.yaml", &text) {
            for p in &e.problems {
                if p.file.is_some() {
                    prop_assert!(p.pos.line >= 1 && p.pos.column >= 1, "{:?}", p);
                }
            }
        }
    }

    /// Deleting or inserting a character anywhere in a valid flow gives a
    /// valid flow or problems with positions, never a panic.
    #[test]
    fn loader_survives_edits_of_a_good_flow(at in 0usize..GOOD_FLOW.len(), insert in proptest::option::of("[ :\\-\\[{\"a1\n]")) {
        let mut text = GOOD_FLOW.to_string();
        let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        match insert {
            Some(s) => text.insert_str(at, &s),
            None => { text.remove(at); }
        }
        if let Ok(set) = load_text("main.yaml", &text) {
            let _ = touchpoint::analysis::lint(&set);
        }
    }

    /// Any character inserted anywhere in a valid flow, control characters
    /// and text beyond ASCII included: the set loads, or every problem points
    /// at a character of the file (so an excerpt can show it); and a
    /// character YAML forbids is never taken silently, as a NUL once ended
    /// the file wherever it stood.
    #[test]
    fn any_inserted_character_loads_or_is_pointed_at(at in 0usize..GOOD_FLOW.len(), c in any::<char>()) {
        let mut text = GOOD_FLOW.to_string();
        text.insert(at, c);
        let forbidden = matches!(
            c,
            '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}'
                | '\u{7F}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}'
        );
        match load_text("main.yaml", &text) {
            Ok(_) => prop_assert!(!forbidden, "{:?} at {} was taken silently", c, at),
            Err(e) => {
                for p in e.problems.iter().filter(|p| p.file.is_some()) {
                    let offset = p.pos.offset as usize;
                    prop_assert!(
                        offset <= text.len() && text.is_char_boundary(offset),
                        "{:?} at {}: {:?}", c, at, p
                    );
                }
            }
        }
    }
}

/// A random phone flow: menus whose options, handlers and guards point at
/// random menus and terminals.
#[derive(Debug, Clone)]
struct GenMenu {
    options: Vec<(u8, bool, usize)>, // key, guarded, target
    no_input: Option<(u8, usize)>,
    no_match: Option<(u8, usize)>,
}

fn flow_strategy() -> impl Strategy<Value = (Vec<GenMenu>, usize)> {
    (1usize..6, 1usize..4).prop_flat_map(|(menus, terminals)| {
        let targets = menus + terminals;
        let menu = (
            proptest::collection::vec((0u8..5, any::<bool>(), 0..targets), 0..4),
            proptest::option::of((0u8..3, 0..targets)),
            proptest::option::of((0u8..3, 0..targets)),
        )
            .prop_map(|(options, no_input, no_match)| GenMenu {
                options,
                no_input,
                no_match,
            });
        (proptest::collection::vec(menu, menus), Just(terminals))
    })
}

fn render_flow(menus: &[GenMenu], terminals: usize) -> String {
    let name = |i: usize| {
        if i < menus.len() {
            format!("m{i}")
        } else {
            format!("t{}", i - menus.len())
        }
    };
    let mut text = String::from(
        "flow: main\nchannel: phone\nstart: m0\nvars:\n  hours: [open, closed]\nnodes:\n",
    );
    for (i, menu) in menus.iter().enumerate() {
        let keys: Vec<String> = menu
            .options
            .iter()
            .filter(|o| o.0 != 0)
            .map(|o| format!("press {}", o.0))
            .collect();
        text.push_str(&format!(
            "  m{i}:\n    menu: \"{}.\"\n    options:\n",
            keys.join(", ")
        ));
        if menu.options.is_empty() {
            text.truncate(text.len() - "    options:\n".len());
            text.push_str("    options: []\n");
        }
        for (key, guarded, target) in &menu.options {
            // Key 0 stands for a speech-only option, so that phrases that
            // shadow each other are exercised too.
            if *key == 0 {
                let phrase = ["agent", "bill(ing)?", "billing", "pay"][target % 4];
                text.push_str(&format!(
                    "      - speech: [\"{phrase}\"]\n        goto: {}\n",
                    name(*target)
                ));
            } else {
                text.push_str(&format!(
                    "      - key: \"{key}\"\n        goto: {}\n",
                    name(*target)
                ));
            }
            if *guarded {
                text.push_str("        when: hours == open\n");
            }
        }
        for (handler, h) in [("no_input", menu.no_input), ("no_match", menu.no_match)] {
            if let Some((retries, target)) = h {
                text.push_str(&format!(
                    "    {handler}: {{ retries: {retries}, then: {} }}\n",
                    name(target)
                ));
            }
        }
    }
    for t in 0..terminals {
        text.push_str(&format!("  t{t}:\n    transfer: q{t}\n"));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// On random flows: every finding replays to where it says, no dead end
    /// is ever reported at a terminal, the walk is deterministic, and a flow
    /// in which every menu has an unguarded way to a terminal has no trap.
    #[test]
    fn walk_findings_replay_and_make_sense((menus, terminals) in flow_strategy()) {
        let text = render_flow(&menus, terminals);
        let set = load_text("main.yaml", &text).map_err(|e| TestCaseError::fail(format!("{:?}\n{text}", e.plain_lines())))?;
        let analysis = touchpoint::analysis::lint(&set).unwrap();
        let again = touchpoint::analysis::lint(&set).unwrap();
        prop_assert_eq!(&analysis.findings, &again.findings);
        for finding in &analysis.findings {
            prop_assert!(!(finding.code.name() == "dead-end" && finding.node.starts_with('t')), "{:?}", finding);
            // A finding with neither inputs nor path is at a node no path
            // reaches (`unreachable` itself, or a rule about a menu as
            // written there): nothing to replay, and the node is reported
            // unreachable.
            if finding.inputs.is_empty() && finding.path.is_empty() {
                prop_assert!(
                    analysis.findings.iter().any(|f| f.code.name() == "unreachable" && f.node == finding.node),
                    "{:?} has no inputs, yet its node is reachable\n{}", finding, text
                );
                continue;
            }
            let inputs: Vec<Input> = finding.inputs.iter().map(|i| Input::parse(i).unwrap()).collect();
            let vars: BTreeMap<String, String> = finding.vars.clone();
            let transcript = replay(&set, None, "main", &inputs, &vars).unwrap();
            let ok = match (&transcript.ending, finding.code.name()) {
                (Ending::Dropped { node, .. }, "unhandled-input") => *node == finding.node,
                (Ending::DeadEnd { node, .. }, "dead-end") => *node == finding.node,
                (Ending::Waiting { node }, _) => *node == finding.node,
                // The way to a person ends at the transfer it reaches.
                (Ending::Terminal { node, kind, .. }, "slow-to-agent") => {
                    *kind == "transfer" && *node == finding.node
                }
                // A menu with every option guarded off is a dead end whatever
                // else is wrong with it.
                (Ending::DeadEnd { node, .. }, _) => *node == finding.node,
                _ => false,
            };
            prop_assert!(ok, "{:?} replayed to {:?}\n{}", finding, transcript.ending, text);
        }
        // An unguarded option to a terminal whose key no earlier option takes
        // (a duplicate key would shadow it).
        let escapable = menus.iter().all(|m| {
            m.options.iter().enumerate().any(|(i, (key, guarded, target))| {
                !guarded && *target >= menus.len() && !m.options[..i].iter().any(|(k, _, _)| k == key)
            })
        });
        if escapable {
            prop_assert!(!analysis.findings.iter().any(|f| f.code.name() == "trap"), "{:?}\n{}", analysis.findings, text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// On random flows, whatever the fuzzer reports replays to where it
    /// says, and the same seed gives the same findings.
    #[test]
    fn fuzz_findings_replay((menus, terminals) in flow_strategy(), seed in 0u64..1000) {
        let text = render_flow(&menus, terminals);
        let set = load_text("main.yaml", &text).map_err(|e| TestCaseError::fail(format!("{:?}", e.plain_lines())))?;
        let options = touchpoint::fuzz::FuzzOptions { seed, runs: 60, ..Default::default() };
        let first = touchpoint::fuzz::fuzz(&set, &options, &mut |_| {}).unwrap();
        let again = touchpoint::fuzz::fuzz(&set, &options, &mut |_| {}).unwrap();
        prop_assert_eq!(&first.findings, &again.findings);
        prop_assert!(first.notes.is_empty(), "{:?}\n{}", first.notes, text);
        for finding in &first.findings {
            prop_assert!(touchpoint::fuzz::reproduces(&set, finding), "{:?}\n{}", finding, text);
        }
    }
}

use crate::common::generated_set;

/// Cases of the generated-set properties: a few dozen by default, so that
/// `cargo test` stays quick; `PROPTEST_CASES` runs a bigger campaign.
fn generated_set_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(32)
}

/// `check`'s report of a set as the binary builds it (lint, fuzzing,
/// personas, the structure, the shard), written as JSON.
fn check_report(
    set: &touchpoint::model::MenuSet,
    seed: u64,
    runs: usize,
    shard: Option<(usize, usize)>,
) -> String {
    let mut report = touchpoint::run::lint_report(set, "check", seed).unwrap();
    let options = touchpoint::fuzz::FuzzOptions {
        seed,
        runs,
        shard,
        ..Default::default()
    };
    report.add_fuzz(touchpoint::fuzz::fuzz(set, &options, &mut |_| {}).unwrap());
    report.structure = touchpoint::structure::describe(set);
    report.shard = shard.map(|(index, count)| touchpoint::report::Shard { index, count });
    let personas = touchpoint::personas::run_personas(set, seed, None, shard).unwrap();
    report.add_personas(set, personas);
    touchpoint::render::json::render(&report)
}

fn load_generated(generated: &generated_set::GeneratedSet) -> touchpoint::model::MenuSet {
    touchpoint::loader::load_texts("generated".into(), &generated.files).unwrap_or_else(|e| {
        panic!(
            "generated set {} does not load: {:?}\n{:#?}",
            generated.seed,
            e.plain_lines(),
            generated.files
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: generated_set_cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// For any generated set, seed and split, the shards' reports merged
    /// are byte for byte the unsharded report, and no fuzz failure of the
    /// unsharded run fails to replay.
    #[test]
    fn shards_merge_into_the_unsharded_report_and_every_failure_replays(
        generated in generated_set::set_strategy(),
        seed in 0u64..1000,
        count in 2usize..=4,
    ) {
        let set = load_generated(&generated);
        // Several batches per channel, so that shards split each channel.
        let runs = 128 * 3 * count;
        let whole = check_report(&set, seed, runs, None);
        let parsed: touchpoint::report::Report = serde_json::from_str(&whole).unwrap();
        let unreplayed: Vec<&String> = parsed.notes.iter().filter(|n| n.contains("did not reproduce")).collect();
        prop_assert!(unreplayed.is_empty(), "set {} seed {seed}: {:?}\n{:#?}", generated.seed, unreplayed, generated.files);
        let shards: Vec<touchpoint::report::Report> = (1..=count)
            .map(|k| serde_json::from_str(&check_report(&set, seed, runs, Some((k, count)))).unwrap())
            .collect();
        let merged = touchpoint::render::json::render(&touchpoint::report::merge(shards).unwrap());
        prop_assert!(
            merged == whole,
            "set {} seed {seed}, {count} shards: merged differs from unsharded\n{}\n{:#?}",
            generated.seed,
            first_difference(&whole, &merged),
            generated.files
        );
    }
}

/// Where two reports first differ, a few lines each side, for a failure
/// message that points at the difference rather than two whole reports.
fn first_difference(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(3);
    format!(
        "unsharded, from line {}:\n{}\nmerged:\n{}",
        from + 1,
        a[from..(at + 6).min(a.len())].join("\n"),
        b[from..(at + 6).min(b.len())].join("\n")
    )
}

/// Regexes built from the pieces that trouble a sampler: classes that match
/// nothing, anchors and word boundaries anywhere, nested repetition.
fn hostile_regex() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-c]{1,3}",
        Just("[0-9]".to_string()),
        Just(r"\d".to_string()),
        Just(".".to_string()),
        Just(" ".to_string()),
        Just(r"[^\s\S]".to_string()),
        Just("[a&&b]".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
        Just(r"\b".to_string()),
        Just(r"\B".to_string()),
        Just(r"\A".to_string()),
        Just(r"\z".to_string()),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(?:{a}|{b})")),
            (inner.clone(), 0u32..3, 0u32..3)
                .prop_map(|(a, min, extra)| format!("(?:{a}){{{min},{}}}", min + extra)),
            inner.prop_map(|a| format!("(?:{a})*")),
        ]
    })
}

/// Every text of up to three characters from the alphabet the generator
/// uses, for checking a refused regex by brute force.
fn short_texts() -> Vec<String> {
    let alphabet = ["", "a", "b", "c", "0", " ", "x"];
    let mut texts = Vec::new();
    for a in alphabet {
        for b in alphabet {
            for c in alphabet {
                texts.push(format!("{a}{b}{c}"));
            }
        }
    }
    texts
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, cases: 256, ..ProptestConfig::default() })]

    /// For any regex the loader accepts, the sampled answer matches it; a
    /// regex it refuses as never matching matches no short text; and a flow
    /// using it as speech or as an ask pattern loads and lints or is a load
    /// error, never a panic.
    #[test]
    fn accepted_regexes_sample_an_answer_they_match(pattern in hostile_regex(), case_insensitive in any::<bool>(), anchored in any::<bool>()) {
        let full = if anchored { format!("^(?:{pattern})$") } else { pattern.clone() };
        match touchpoint::model::UserRegex::new(&full, case_insensitive) {
            Ok(re) => {
                let sample = touchpoint::graph::simplest_match(&re);
                prop_assert!(sample.as_ref().is_some_and(|s| re.is_match(s)), "{full}: {sample:?}");
            }
            Err(message) => {
                prop_assert!(message.to_string().contains("can never match"), "{full}: {message}");
                let plain = regex::RegexBuilder::new(&full).case_insensitive(case_insensitive).build().unwrap();
                for text in short_texts() {
                    prop_assert!(!plain.is_match(&text), "{full} was refused but matches {text:?}");
                }
            }
        }
        let quoted = pattern.replace('\'', "''");
        let as_speech = GOOD_FLOW.replace("- key: 1", &format!("- key: 1\n        speech: ['{quoted}']"));
        let as_pattern = format!("flow: main\nchannel: phone\nstart: a\nnodes:\n  a:\n    ask: Your number?\n    pattern: '{quoted}'\n    goto: agent\n    invalid: agent\n    no_input: agent\n  agent:\n    transfer: queue\n");
        for text in [as_speech, as_pattern] {
            if let Ok(set) = load_text("main.yaml", &text) {
                let _ = touchpoint::analysis::lint(&set);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// On random flows whose options are guarded by the hours: giving the
    /// first transfer opening hours adds `closed-transfer` findings and
    /// nothing else (a slow way to a person may end there, closed, and go); each of them, replayed with its inputs and variables,
    /// ends at that transfer closed; and hours that are always open are
    /// never closed.
    #[test]
    fn opening_hours_only_add_closed_transfers_that_replay_closed((menus, terminals) in flow_strategy()) {
        let text = render_flow(&menus, terminals);
        let desk = "  t0:\n    transfer: q0\n";
        prop_assert!(text.contains(desk), "{}", text);
        let lint = |text: &str| {
            let set = load_text("main.yaml", text).map_err(|e| TestCaseError::fail(format!("{:?}\n{text}", e.plain_lines())))?;
            let analysis = touchpoint::analysis::lint(&set).unwrap();
            Ok::<_, TestCaseError>((set, analysis.findings))
        };
        let (_, plain) = lint(&text)?;
        let by_day = text.replace(desk, &format!("{desk}    open_when: hours == open\n"));
        let (set, findings) = lint(&by_day)?;
        let (closed, others): (Vec<_>, Vec<_>) =
            findings.iter().partition(|f| f.code.name() == "closed-transfer");
        // The added line moves the nodes after it: compare findings
        // without their place in the file.
        let unplaced = |f: &touchpoint::finding::Finding| {
            (f.code, f.level, f.node.clone(), f.message.clone(), f.vars.clone(), f.inputs.clone(), f.path.clone(), f.detail)
        };
        // A desk closed when the caller gets there is no person: the way
        // to one that ends there is no longer a way, so a `slow-to-agent`
        // at the desk may go (never come), and is compared apart.
        let slow_at_desk = |f: &&touchpoint::finding::Finding| f.code.name() == "slow-to-agent" && f.node == "t0";
        let (slow_by_day, others): (Vec<_>, Vec<_>) = others.into_iter().partition(slow_at_desk);
        let (slow_plain, plain): (Vec<_>, Vec<_>) = plain.iter().partition(slow_at_desk);
        prop_assert!(slow_by_day.len() <= slow_plain.len(), "{:?} {:?}", slow_by_day, slow_plain);
        let others: Vec<_> = others.into_iter().map(unplaced).collect();
        let plain: Vec<_> = plain.into_iter().map(unplaced).collect();
        prop_assert_eq!(&others, &plain, "{}", by_day);
        prop_assert!(closed.len() <= 1, "{:?}", closed);
        for finding in closed {
            prop_assert_eq!(finding.node.as_str(), "t0");
            let inputs: Vec<Input> = finding.inputs.iter().map(|i| Input::parse(i).unwrap()).collect();
            let transcript = replay(&set, None, "main", &inputs, &finding.vars).unwrap();
            let ends_closed = matches!(
                &transcript.ending,
                Ending::Terminal { node, closed: Some(_), .. } if node == "t0"
            );
            prop_assert!(ends_closed, "{:?} replayed to {:?}\n{}", finding, transcript.ending, by_day);
        }
        let always = text.replace(desk, &format!("{desk}    open_when: hours == open or hours == closed\n"));
        let (_, findings) = lint(&always)?;
        prop_assert!(!findings.iter().any(|f| f.code.name() == "closed-transfer"), "{:?}", findings);
    }
}

/// Cases of the mutation property: each case runs `mutate` twice over a
/// whole generated set, so fewer than the other generated-set properties;
/// `PROPTEST_CASES` runs a bigger campaign.
fn mutation_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(8)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: mutation_cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// On any generated set, `mutate` runs to the end, its counts and
    /// score add up, and every survivor's suggested persona, added to the
    /// set, passes on it and kills that survivor.
    #[test]
    fn mutate_scores_add_up_and_suggestions_kill_their_survivors(
        generated in generated_set::set_strategy(),
        seed in 0u64..1000,
        with_lint in proptest::bool::ANY,
    ) {
        mutation_adds_up(&generated, seed, with_lint)?;
    }
}

/// Set 6301753514592665148 with seed 674 has two different suggestions
/// that would make one name, `catches-line-0`: a goal-directed caller, and
/// a scripted one whose inputs `#,0` keep only their `0` in a name. The
/// second must be named apart, or `--write-suggestions` writes only the
/// first and the second's survivors stay alive.
#[test]
fn different_suggestions_never_share_a_name() {
    let generated = generated_set::generate(6301753514592665148);
    let set = load_generated(&generated);
    let options = touchpoint::mutate::MutateOptions {
        seed: 674,
        ..Default::default()
    };
    let report = touchpoint::mutate::mutate(&set, &options).unwrap();
    let names: std::collections::BTreeSet<&str> = report
        .survivors
        .iter()
        .filter_map(|s| s.suggestion_name.as_deref())
        .collect();
    assert!(
        names.contains("catches-line-0") && names.contains("catches-line-0-2"),
        "the generator no longer makes the set this test was written for \
         (suggestions {names:?}): give it the number of another set where \
         two different suggestions start out with one name"
    );
    mutation_adds_up(&generated, 674, false).unwrap();
}

/// The mutation property on one set and seed.
fn mutation_adds_up(
    generated: &generated_set::GeneratedSet,
    seed: u64,
    with_lint: bool,
) -> Result<(), proptest::test_runner::TestCaseError> {
    use touchpoint::mutate::{mutate, MutateOptions};
    use touchpoint::results::mutation::MutantStatus;

    let set = load_generated(generated);
    let options = MutateOptions {
        seed,
        with_lint,
        ..Default::default()
    };
    let report = mutate(&set, &options).unwrap();
    let context = format!(
        "set {} seed {seed}{}",
        generated.seed,
        if with_lint { " --with-lint" } else { "" }
    );
    prop_assert_eq!(report.with_lint, with_lint, "{}", context);
    let count = |status: MutantStatus| report.results.iter().filter(|r| r.status == status).count();
    prop_assert_eq!(report.mutants, report.results.len(), "{}", context);
    prop_assert_eq!(report.killed, count(MutantStatus::Killed), "{}", context);
    prop_assert_eq!(
        report.equivalent,
        count(MutantStatus::Equivalent),
        "{}",
        context
    );
    prop_assert_eq!(
        report.mutants,
        report.killed
            + report.equivalent
            + count(MutantStatus::Survived)
            + count(MutantStatus::Undecided),
        "{}",
        context
    );
    prop_assert!(
        (0.0..=1.0).contains(&report.score),
        "{}: score {}",
        context,
        report.score
    );
    let counted = report.mutants - report.equivalent;
    let expected = if counted == 0 {
        1.0
    } else {
        report.killed as f64 / counted as f64
    };
    prop_assert_eq!(report.score, expected, "{}", context);
    for result in &report.results {
        // A killed mutant names what killed it, and only a killed one.
        prop_assert_eq!(
            result.killed_by.is_some(),
            result.status == MutantStatus::Killed,
            "{}: {:?}",
            context,
            result
        );
        // The rules kill only when asked to.
        prop_assert!(
            with_lint || result.killed_by.as_deref() != Some("lint"),
            "{}: {:?}",
            context,
            result
        );
    }
    let survivors: Vec<&str> = report
        .survivors
        .iter()
        .map(|s| s.place.id.as_str())
        .collect();
    let mut expected_survivors: Vec<&str> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, MutantStatus::Survived | MutantStatus::Undecided))
        .map(|r| r.place.id.as_str())
        .collect();
    let mut listed = survivors.clone();
    listed.sort_unstable();
    expected_survivors.sort_unstable();
    prop_assert_eq!(listed, expected_survivors, "{}", context);

    // The suggestions, one file per name as `--write-suggestions`
    // writes them. Survivors that share a name share one persona.
    let mut suggestions: std::collections::BTreeMap<&str, &str> = Default::default();
    let mut caught: Vec<(&str, &str)> = Vec::new();
    for survivor in &report.survivors {
        let (Some(name), Some(yaml)) = (&survivor.suggestion_name, &survivor.suggestion) else {
            continue;
        };
        let body = |text: &'_ str| text.lines().skip(1).collect::<Vec<_>>().join("\n");
        if let Some(first) = suggestions.insert(name, yaml) {
            prop_assert_eq!(
                body(first),
                body(yaml),
                "{}: two suggestions named {}",
                context,
                name
            );
        }
        caught.push((survivor.place.id.as_str(), name.as_str()));
    }
    if suggestions.is_empty() {
        return Ok(());
    }
    let mut files = generated.files.clone();
    files.extend(
        suggestions
            .iter()
            .map(|(name, yaml)| (format!("suggested/{name}.yaml"), yaml.to_string())),
    );
    let with = touchpoint::loader::load_texts("generated".into(), &files).unwrap_or_else(|e| {
        panic!(
            "{context}: the set with its suggestions does not load: {:?}\n{files:#?}",
            e.plain_lines()
        )
    });
    let runs = touchpoint::personas::run_personas(&with, seed, None, None).unwrap();
    for run in runs
        .results
        .iter()
        .filter(|r| suggestions.contains_key(r.persona.as_str()))
    {
        prop_assert!(
            run.passed,
            "{}: suggested persona {} fails on the set: {:?}",
            context,
            run.persona,
            run.failures
        );
    }
    let after = mutate(&with, &options).unwrap();
    for (id, name) in caught {
        let result = after.results.iter().find(|r| r.place.id == id).unwrap();
        prop_assert!(
            result.status == MutantStatus::Killed
                && result
                    .killed_by
                    .as_deref()
                    .is_some_and(|by| suggestions.contains_key(by)),
            "{}: {} not killed once `{}` is added: {:?}\n{}",
            context,
            id,
            name,
            result,
            suggestions[name]
        );
    }
    prop_assert!(
        after.score >= report.score,
        "{}: score fell from {} to {}",
        context,
        report.score,
        after.score
    );
    Ok(())
}
