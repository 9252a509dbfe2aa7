//! Rules about one menu under given variable values: `duplicate-key`,
//! `menu-too-wide` and `prompt-mismatch`, which judge the menu as written,
//! `crossed-option`, which judges where its options lead, and
//! `misleading-option`, which judges it for the customers who meet it.

use rustc_hash::FxHashMap;

use crate::analysis::announcements::{mentions_key, parse_announcements, Announcements};
use crate::analysis::crossed::CrossedWords;
use crate::analysis::raw::{Findings, RawFinding};
use crate::finding::Code;
use crate::graph::{Graph, Kind, NodeIx};
use crate::machine::Choice;
use crate::model::{DtmfKey, NodeKind, Settings};

pub(crate) struct MenuRules<'g, 'a> {
    graph: &'g Graph<'a>,
    width: usize,
    /// Parsed prompts, filled the first time a menu is checked.
    announcements: Vec<Option<Announcements>>,
    /// The words `crossed-option` compares, read the first time it needs
    /// them.
    crossed_words: CrossedWords,
    /// The options enabled at the menu being checked: one buffer for every
    /// check, which the walk makes at every menu it reaches.
    enabled: Vec<u32>,
    /// Per menu, the sets of enabled options with which the walk reached it
    /// and every rule passed.
    passed: FxHashMap<NodeIx, Vec<Vec<u32>>>,
}

/// Whether a menu is checked where the walk reached it or as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Reached,
    Unreached,
}

/// Detail numbers: which key or option a finding is about, so that two
/// problems at one menu stay two findings.
const DETAIL_OPTION: u32 = 1 << 16;
const DETAIL_PHRASE: u32 = 1 << 17;

/// What a finding of these rules is about, named so that the name survives
/// a new version of the set (the detail numbers above hold option indices,
/// which do not): see [`crate::finding::Finding::defect_key`].
pub(crate) fn about(graph: &Graph, code: Code, node: NodeIx, detail: u32) -> String {
    let option = |i: u32| {
        graph
            .options
            .get(i as usize)
            .map_or_else(String::new, |_| graph.model_option(i).identity())
    };
    match code {
        Code::DuplicateKey | Code::CrossedOption => option(detail),
        // The fuzzer's misled customer is keyed like the rule's finding.
        Code::MisleadingOption => option(detail / (graph.intents.len().max(1) as u32)),
        Code::PromptMismatch if detail & DETAIL_PHRASE != 0 => {
            let NodeKind::Menu { prompt, .. } = &graph.model_node(node).kind else {
                return String::new();
            };
            parse_announcements(&prompt.value)
                .phrases
                .get((detail & !DETAIL_PHRASE) as usize)
                .map_or_else(String::new, |phrase| format!("say {phrase}"))
        }
        Code::PromptMismatch if detail & DETAIL_OPTION != 0 => option(detail & !DETAIL_OPTION),
        Code::PromptMismatch => {
            char::from_u32(detail).map_or_else(String::new, |key| format!("announced key {key}"))
        }
        _ => String::new(),
    }
}

/// What a `misleading-option` finding says, whichever analysis found it,
/// so that lint's and the fuzzer's copies are one finding, message and all.
pub(crate) fn misleading_message(graph: &Graph, option: u32, intent: usize) -> String {
    let menu = graph.options[option as usize].menu;
    format!(
        "{} of `{}` fits {}, but nothing after it serves {}",
        graph.model_option(option).describe(),
        graph.node_id(menu),
        graph.intents[intent],
        graph.intents[intent]
    )
}

impl<'g, 'a> MenuRules<'g, 'a> {
    pub(super) fn new(graph: &'g Graph<'a>, settings: &Settings) -> Self {
        MenuRules {
            graph,
            width: settings
                .limits
                .menu_width
                .get(&graph.channel)
                .copied()
                .unwrap_or(5),
            announcements: vec![None; graph.nodes.len()],
            crossed_words: CrossedWords::new(graph),
            enabled: Vec::new(),
            passed: FxHashMap::default(),
        }
    }

    /// Every rule, at a menu the walk reached with `vars`; `choices` are
    /// the inputs that lead there, built only when a finding needs them.
    pub(super) fn check(
        &mut self,
        node: NodeIx,
        vars: u64,
        world: u32,
        choices: impl Fn() -> Vec<Choice>,
        recorder: &mut impl Findings,
    ) {
        self.check_rules(node, vars, world, choices, recorder, Scope::Reached);
    }

    /// The rules about a menu as written, at a menu no path reaches, under
    /// the variable values of one world (the walk's worlds are every
    /// combination, so checking each judges the menu under every value its
    /// guards can see). A menu unreachable today is linked tomorrow, and its
    /// faults come with it. Its findings have no inputs: there is no way
    /// there to replay. `misleading-option` is about the customers who meet
    /// a menu, and none do.
    pub(crate) fn check_unreached(
        &mut self,
        node: NodeIx,
        world_vars: u64,
        world: u32,
        recorder: &mut impl Findings,
    ) {
        self.check_rules(
            node,
            world_vars,
            world,
            Vec::new,
            recorder,
            Scope::Unreached,
        );
    }

    fn check_rules(
        &mut self,
        node: NodeIx,
        vars: u64,
        world: u32,
        choices: impl Fn() -> Vec<Choice>,
        recorder: &mut impl Findings,
        scope: Scope,
    ) {
        let graph = self.graph;
        let Kind::Menu { options, .. } = &graph.nodes[node as usize].kind else {
            return;
        };
        // The buffer is the rules' own, reused from menu to menu.
        let mut enabled = std::mem::take(&mut self.enabled);
        enabled.clear();
        enabled.extend(
            options
                .clone()
                .filter(|&i| graph.eval(graph.options[i as usize].guard, vars, &mut |_| {})),
        );
        // Every rule depends on the menu and its enabled options alone
        // (the values only go into a finding's `vars`), so a menu the walk
        // reaches again with options it passed with before passes again:
        // in another world, or under values its guards do not read.
        let reached = scope == Scope::Reached;
        let passed_before = reached
            && self
                .passed
                .get(&node)
                .is_some_and(|sets| sets.contains(&enabled));
        if !passed_before {
            let spoke = self.check_enabled(node, &enabled, vars, world, choices, recorder, scope);
            if reached && !spoke {
                self.passed.entry(node).or_default().push(enabled.clone());
            }
        }
        self.enabled = enabled;
    }

    /// [`MenuRules::check_rules`] once the options enabled under `vars`
    /// are known. Returns whether any rule found something (whether or not
    /// the recorder still wanted it).
    #[allow(clippy::too_many_arguments)]
    fn check_enabled(
        &mut self,
        node: NodeIx,
        enabled: &[u32],
        vars: u64,
        world: u32,
        choices: impl Fn() -> Vec<Choice>,
        recorder: &mut impl Findings,
        scope: Scope,
    ) -> bool {
        let graph = self.graph;
        let Kind::Menu { guard_mask, .. } = &graph.nodes[node as usize].kind else {
            return false;
        };
        let node_id = graph.node_id(node);
        let mut spoke = false;
        let mut emit = |code: Code,
                        detail: u32,
                        message: String,
                        span: Option<crate::model::Span>,
                        intent: Option<usize>| {
            spoke = true;
            if recorder.wants(code, node, detail, world) {
                let mut raw = RawFinding::new(code, node, detail, world, choices())
                    .message(message)
                    .guards(*guard_mask, vars);
                if let Some(span) = span {
                    raw = raw.at(span);
                }
                if let Some(intent) = intent {
                    raw = raw.intent(intent);
                }
                recorder.record(raw);
            }
        };

        // duplicate-key: a later option with a key or label an earlier one has.
        for (n, &i) in enabled.iter().enumerate() {
            let option = graph.model_option(i);
            for &j in &enabled[..n] {
                let earlier = graph.model_option(j);
                let same = if graph.is_visual() {
                    match (&option.label, &earlier.label) {
                        (Some(a), Some(b)) => {
                            a.value.trim().to_lowercase() == b.value.trim().to_lowercase()
                        }
                        _ => false,
                    }
                } else {
                    matches!((&option.key, &earlier.key), (Some(a), Some(b)) if a.value == b.value)
                };
                if same {
                    let what = if graph.is_visual() { "label" } else { "key" };
                    emit(
                        Code::DuplicateKey,
                        i,
                        format!(
                            "two options of `{node_id}` take the same {what} ({}): the one to `{}` can never be chosen",
                            option.describe(),
                            option.goto.value
                        ),
                        Some(option.span), None);
                    break;
                }
            }
        }

        // misleading-option: an option that claims an intent (by tag, label
        // or speech; a fallback claims nothing) with nothing after it that
        // serves that intent.
        let claimed = if scope == Scope::Reached {
            enabled
        } else {
            &[]
        };
        for &i in claimed {
            for intent in 0..graph.intents.len() {
                if graph.option_misleads(i, intent) {
                    emit(
                        Code::MisleadingOption,
                        i * graph.intents.len() as u32 + intent as u32,
                        misleading_message(graph, i, intent),
                        Some(graph.model_option(i).span),
                        Some(intent),
                    );
                }
            }
        }

        // crossed-option: an option whose step speaks of another option of
        // this menu and not of its own.
        let crossed = self.crossed_words.at_menu(graph, node, enabled);
        for (&i, &crossed) in enabled.iter().zip(crossed) {
            if let Some(other) = crossed {
                let option = graph.model_option(i);
                let theirs = graph.model_option(other);
                emit(
                    Code::CrossedOption,
                    i,
                    format!(
                        "{} of `{node_id}` leads to `{}`, which speaks of {} and not of its own label",
                        option.describe(),
                        option.goto.value,
                        theirs.describe(),
                    ),
                    Some(option.span),
                    None,
                );
            }
        }

        // A hidden option is never announced, so it asks nothing of the
        // caller's memory; a fallback the prompt offers does.
        let hidden = enabled
            .iter()
            .filter(|&&i| graph.model_option(i).hidden)
            .count();
        let offered = enabled.len() - hidden;
        if offered > self.width {
            let not_counted = match hidden {
                0 => String::new(),
                1 => " (not counting 1 hidden option)".to_string(),
                n => format!(" (not counting {n} hidden options)"),
            };
            emit(
                Code::MenuTooWide,
                0,
                format!(
                    "`{node_id}` offers {} options{not_counted}; the set allows {}",
                    offered, self.width
                ),
                None,
                None,
            );
        }

        if graph.is_visual() {
            return spoke;
        }
        let NodeKind::Menu { prompt, .. } = &graph.model_node(node).kind else {
            return spoke;
        };
        let announced = &*self.announcements[node as usize]
            .get_or_insert_with(|| parse_announcements(&prompt.value));
        let offered: Vec<(u32, DtmfKey)> = enabled
            .iter()
            .filter_map(|&i| graph.model_option(i).key.as_ref().map(|k| (i, k.value)))
            .collect();
        for key in announced.keys.iter().map(|announced| announced.key) {
            if !offered.iter().any(|(_, k)| k.as_char() == key) {
                emit(
                    Code::PromptMismatch,
                    key as u32,
                    format!(
                        "the prompt of `{node_id}` announces key {key}, but no option takes it"
                    ),
                    Some(prompt.span),
                    None,
                );
            }
        }
        // A prompt in which the reader finds no key at all, but which names
        // the key by itself, announces it in words the reader does not know
        // ("Para Consultas, digite 1"): it is not judged for that key, since
        // a warning there would be a guess.
        let unread = |key: char| announced.keys.is_empty() && mentions_key(&prompt.value, key);
        for &(i, key) in &offered {
            let option = graph.model_option(i);
            if !option.hidden && !announced.announces(key.as_char()) && !unread(key.as_char()) {
                emit(
                    Code::PromptMismatch,
                    DETAIL_OPTION | i,
                    format!(
                        "key {} of `{node_id}` (to `{}`) is never announced in its prompt",
                        key.as_char(),
                        option.goto.value
                    ),
                    Some(option.span),
                    None,
                );
            }
        }
        for (p, phrase) in announced.phrases.iter().enumerate() {
            let understood = enabled.iter().any(|&i| {
                let option = graph.model_option(i);
                option.speech.iter().any(|s| s.regex.is_match(phrase))
            });
            if !understood {
                emit(
                    Code::PromptMismatch,
                    DETAIL_PHRASE | p as u32,
                    format!("the prompt of `{node_id}` says \"say {phrase}\", but no option's speech matches it"),
                    Some(prompt.span), None);
            }
        }
        spoke
    }
}
