//! Rules about one menu under given variable values: `duplicate-key`,
//! `menu-too-wide` and `prompt-mismatch`, which judge the menu as written,
//! `crossed-option`, which judges where its options lead, and
//! `misleading-option`, which judges it for the customers who meet it.

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
    /// Parsed prompts, filled the first time a menu is judged (and made
    /// as long as the graph then: rules that only look verdicts up never
    /// need it).
    announcements: Vec<Option<Announcements>>,
    /// The words `crossed-option` compares, read the first time a menu is
    /// judged.
    crossed_words: Option<CrossedWords>,
    /// The options enabled at the menu being checked: one buffer for every
    /// check.
    enabled: Vec<u32>,
}

/// What one rule found at a menu with a given set of enabled options, in
/// words: everything its finding needs but the world, the values and the
/// way there, none of which the rules read.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    code: Code,
    detail: u32,
    message: String,
    span: Option<crate::model::Span>,
    intent: Option<usize>,
}

/// Every rule's verdicts on every menu, worked out once per graph before
/// the walks, one menu after another on every core, for each set of
/// options the menu's guards enable in some world: the walks then only
/// look them up. Each walker judging the menus it met, as the walks did,
/// did the same work on every thread, inside the walk's loop.
#[derive(Default)]
pub(crate) struct MenuVerdicts {
    /// Per node: for a menu, each set of enabled options and the verdicts
    /// on it (none when every rule passed); empty for any other node.
    by_node: Vec<Vec<JudgedSet>>,
}

/// A set of enabled options of one menu and the verdicts on it.
type JudgedSet = (Vec<u32>, Vec<Verdict>);

impl MenuVerdicts {
    /// Judges every menu of `graph` under every set of enabled options
    /// the values of `worlds` give.
    pub(crate) fn judge(graph: &Graph, settings: &Settings, worlds: &[u64]) -> Self {
        use rayon::prelude::*;
        let menus: Vec<NodeIx> = (0..graph.nodes.len() as NodeIx)
            .filter(|&node| matches!(graph.nodes[node as usize].kind, Kind::Menu { .. }))
            .collect();
        // One run of menus per thread: the rules read every label when
        // they are made, which should happen once per thread, not once per
        // menu.
        let run = menus.len().div_ceil(rayon::current_num_threads()).max(1);
        let judged: Vec<Vec<(NodeIx, Vec<JudgedSet>)>> = menus
            .par_chunks(run)
            .map(|run| {
                let mut rules = MenuRules::new(graph, settings);
                run.iter()
                    .map(|&node| (node, rules.judge_every_world(node, worlds)))
                    .collect()
            })
            .collect();
        let mut by_node = vec![Vec::new(); graph.nodes.len()];
        for (node, verdicts) in judged.into_iter().flatten() {
            by_node[node as usize] = verdicts;
        }
        MenuVerdicts { by_node }
    }

    /// How many sets of enabled options were judged, over every menu.
    pub(crate) fn sets_judged(&self) -> usize {
        self.by_node.iter().map(Vec::len).sum()
    }

    /// The verdicts on `node` with the options `enabled`, if it was judged
    /// with them.
    fn get(&self, node: NodeIx, enabled: &[u32]) -> Option<&[Verdict]> {
        self.by_node
            .get(node as usize)?
            .iter()
            .find(|(options, _)| options.as_slice() == enabled)
            .map(|(_, verdicts)| verdicts.as_slice())
    }
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
            announcements: Vec::new(),
            crossed_words: None,
            enabled: Vec::new(),
        }
    }

    /// The verdicts on the menu `node` with each set of options its guards
    /// enable under the values of some world, each set once.
    fn judge_every_world(&mut self, node: NodeIx, worlds: &[u64]) -> Vec<JudgedSet> {
        let mut judged: Vec<JudgedSet> = Vec::new();
        for &vars in worlds {
            let mut enabled = Vec::new();
            self.fill_enabled(node, vars, &mut enabled);
            if judged.iter().all(|(options, _)| *options != enabled) {
                let verdicts = self.judge(node, &enabled, Scope::Reached);
                judged.push((enabled, verdicts));
            }
            // Without guards every world enables the same options.
            if matches!(
                &self.graph.nodes[node as usize].kind,
                Kind::Menu { guard_mask: 0, .. }
            ) {
                break;
            }
        }
        judged
    }

    /// Every rule, at a menu the walk reached with `vars`; `choices` are
    /// the inputs that lead there, built only when a finding needs them.
    /// The verdicts come from `judged` when the menu was judged with the
    /// options `vars` enable, as it is in every world.
    pub(super) fn check(
        &mut self,
        judged: &MenuVerdicts,
        node: NodeIx,
        vars: u64,
        world: u32,
        choices: impl Fn() -> Vec<Choice>,
        recorder: &mut impl Findings,
    ) {
        let mut enabled = std::mem::take(&mut self.enabled);
        self.fill_enabled(node, vars, &mut enabled);
        match judged.get(node, &enabled) {
            Some(verdicts) => self.report(node, vars, world, verdicts, choices, recorder),
            None => {
                let verdicts = self.judge(node, &enabled, Scope::Reached);
                self.report(node, vars, world, &verdicts, choices, recorder);
            }
        }
        self.enabled = enabled;
    }

    /// The options of the menu `node` enabled under `vars`, into `enabled`.
    fn fill_enabled(&self, node: NodeIx, vars: u64, enabled: &mut Vec<u32>) {
        let graph = self.graph;
        enabled.clear();
        if let Kind::Menu { options, .. } = &graph.nodes[node as usize].kind {
            enabled.extend(
                options
                    .clone()
                    .filter(|&i| graph.eval(graph.options[i as usize].guard, vars, &mut |_| {})),
            );
        }
    }

    /// Records the `verdicts` on the menu `node`, reached with `vars` in
    /// `world` by the inputs `choices`, that the recorder still wants.
    fn report(
        &self,
        node: NodeIx,
        vars: u64,
        world: u32,
        verdicts: &[Verdict],
        choices: impl Fn() -> Vec<Choice>,
        recorder: &mut impl Findings,
    ) {
        let Kind::Menu { guard_mask, .. } = &self.graph.nodes[node as usize].kind else {
            return;
        };
        for verdict in verdicts {
            if !recorder.wants(verdict.code, node, verdict.detail, world) {
                continue;
            }
            let mut raw = RawFinding::new(verdict.code, node, verdict.detail, world, choices())
                .message(verdict.message.clone())
                .guards(*guard_mask, vars);
            if let Some(span) = verdict.span {
                raw = raw.at(span);
            }
            if let Some(intent) = verdict.intent {
                raw = raw.intent(intent);
            }
            recorder.record(raw);
        }
    }

    /// The rules about a menu as written, at a menu no path reaches, under
    /// the variable values of one world (the walk's worlds are every
    /// combination, so checking each judges the menu under every value its
    /// guards can see). A menu unreachable today is linked tomorrow, and its
    /// faults come with it. Its findings have no inputs: there is no way
    /// there to replay. `misleading-option` is about the customers who meet
    /// a menu, and none do. The pass before the walks judged every menu
    /// already: its verdicts, but for `misleading-option`, are these.
    pub(crate) fn check_unreached(
        &mut self,
        judged: &MenuVerdicts,
        node: NodeIx,
        world_vars: u64,
        world: u32,
        recorder: &mut impl Findings,
    ) {
        let mut enabled = std::mem::take(&mut self.enabled);
        self.fill_enabled(node, world_vars, &mut enabled);
        let verdicts = match judged.get(node, &enabled) {
            Some(verdicts) => verdicts
                .iter()
                .filter(|verdict| verdict.code != Code::MisleadingOption)
                .cloned()
                .collect(),
            None => self.judge(node, &enabled, Scope::Unreached),
        };
        self.report(node, world_vars, world, &verdicts, Vec::new, recorder);
        self.enabled = enabled;
    }

    /// What every rule finds at the menu `node` with the options `enabled`,
    /// in the order the rules find it: the rules read the menu and those
    /// options alone, never the values that enabled them.
    fn judge(&mut self, node: NodeIx, enabled: &[u32], scope: Scope) -> Vec<Verdict> {
        let graph = self.graph;
        let node_id = graph.node_id(node);
        let mut verdicts = Vec::new();
        let mut emit = |code: Code,
                        detail: u32,
                        message: String,
                        span: Option<crate::model::Span>,
                        intent: Option<usize>| {
            verdicts.push(Verdict {
                code,
                detail,
                message,
                span,
                intent,
            });
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
        let crossed = self
            .crossed_words
            .get_or_insert_with(|| CrossedWords::new(graph))
            .at_menu(graph, enabled);
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
            return verdicts;
        }
        let NodeKind::Menu { prompt, .. } = &graph.model_node(node).kind else {
            return verdicts;
        };
        if self.announcements.is_empty() {
            self.announcements.resize(graph.nodes.len(), None);
        }
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
        verdicts
    }
}
