//! Compiling one channel's flows into the indexed `Graph` every engine walks:
//! flat vectors of nodes, options and conditions, variables packed into bits.

// FxHash rather than the standard hasher: these maps are keyed by ids and
// only looked up, never iterated, so the faster hasher changes no output,
// and `fuzz`, `lint` and `mutate` compile every time they run.
use rustc_hash::FxHashMap;

use super::intents::{words, BitTable};
use super::*;
use crate::model::{Condition, Flow, NodeKind};

/// Why a valid model still cannot be compiled.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CompileError {
    #[error("the {channel} flows declare variables needing {bits} bits of state; at most 64 fit (fewer variables, or fewer values)")]
    TooManyVariables { channel: Channel, bits: u32 },
    #[error("the {channel} flows' variables combine into {worlds} worlds; the walk tries every one and allows at most {MAX_WORLDS} (fewer variables, or fewer values)")]
    TooManyWorlds { channel: Channel, worlds: u128 },
}

/// Most value combinations a channel may have: each is walked in full.
pub(crate) const MAX_WORLDS: u128 = 65_536;

/// Every combination of the variables' values, world 0 first.
fn all_worlds(vars: &[Var]) -> Vec<u64> {
    let mut out = vec![0u64];
    for var in vars {
        let mut next = Vec::with_capacity(out.len() * var.values.len());
        for value in 0..var.values.len() as u16 {
            for &w in &out {
                next.push(var.set(w, value));
            }
        }
        out = next;
    }
    out.sort_by_key(|w| (*w != 0, *w));
    out
}

fn bits_for(values: usize) -> u8 {
    (usize::BITS - (values.max(2) - 1).leading_zeros()) as u8
}

/// Compiles the flows of `channel`. The model must have passed validation:
/// every name resolves.
pub fn compile(set: &MenuSet, channel: Channel) -> Result<Graph<'_>, CompileError> {
    let model_flows: Vec<(usize, &Flow)> = set
        .flows
        .iter()
        .enumerate()
        .filter(|(_, f)| f.channel == channel)
        .collect();

    let mut vars: Vec<Var> = Vec::new();
    let mut shift = 0u32;
    for (_, flow) in &model_flows {
        for domain in &flow.vars {
            if vars.iter().any(|v| v.name == domain.name.value) {
                continue;
            }
            let bits = bits_for(domain.values.len());
            vars.push(Var {
                name: domain.name.value.clone(),
                values: domain.values.clone(),
                shift: shift as u8,
                bits,
            });
            shift += bits as u32;
        }
    }
    if shift > 64 {
        return Err(CompileError::TooManyVariables {
            channel,
            bits: shift,
        });
    }

    let combinations: u128 = vars.iter().map(|v| v.values.len() as u128).product();
    if combinations > MAX_WORLDS {
        return Err(CompileError::TooManyWorlds {
            channel,
            worlds: combinations,
        });
    }
    let worlds = all_worlds(&vars);
    let mut graph = Graph {
        set,
        channel,
        flows: Vec::new(),
        nodes: Vec::new(),
        options: Vec::new(),
        switch_entries: Vec::new(),
        assignments: Vec::new(),
        conds: Vec::new(),
        vars,
        intents: set.intents.iter().map(|i| i.id.value.clone()).collect(),
        expected: set
            .intents
            .iter()
            .map(|i| {
                i.channels
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|c| c.value == channel))
            })
            .collect(),
        fits: BitTable::default(),
        serves: BitTable::default(),
        served_after: BitTable::default(),
        shadowers: Vec::new(),
        utterances: Vec::new(),
        sample_answers: FxHashMap::default(),
        always_offered: Vec::new(),
        branches: Vec::new(),
        worlds,
        open_when: Default::default(),
        queue_of: Default::default(),
        queues: Vec::new(),
        opaque_steps: 0,
    };

    // Node indices first, so that targets can be resolved in one pass.
    let mut node_index: Vec<FxHashMap<&str, NodeIx>> = Vec::new();
    for (model, flow) in &model_flows {
        let first = graph.nodes.len() as NodeIx;
        let mut ids = FxHashMap::with_capacity_and_hasher(flow.nodes.len(), Default::default());
        for (i, node) in flow.nodes.iter().enumerate() {
            ids.insert(node.id.as_str(), first + i as NodeIx);
            graph.nodes.push(GraphNode {
                kind: Kind::Return,
                flow: graph.flows.len() as u32,
                model: i as u32,
            });
        }
        graph.flows.push(GraphFlow {
            id: flow.id.value.clone(),
            start: ids.get(flow.start.as_str()).copied().unwrap_or(NONE),
            nodes: first..graph.nodes.len() as NodeIx,
            model: *model as u32,
            // A module is called from outside the set as well: it is walked
            // as a called flow, whose `return` is its exit.
            called: flow.module,
        });
        node_index.push(ids);
    }

    // Samples are generated once per distinct pattern: large sets repeat
    // the same few patterns on thousands of nodes.
    let mut answers: FxHashMap<&str, SampleAnswers> = FxHashMap::default();
    let mut utterances: FxHashMap<&str, Option<String>> = FxHashMap::default();
    // Whether a speech pattern catches a request for a person, per pattern.
    let mut asks_for_person: FxHashMap<&str, bool> = FxHashMap::default();
    for (f, (_, flow)) in model_flows.iter().enumerate() {
        let ids = &node_index[f];
        let resolve = |name: &Option<crate::model::Located<String>>| {
            name.as_ref()
                .and_then(|n| ids.get(n.as_str()).copied())
                .unwrap_or(NONE)
        };
        let handler = |h: Option<&crate::model::Handler>| match h {
            Some(h) => Handler {
                retries: h.retries.min(255) as u8,
                then: ids.get(h.then.as_str()).copied().unwrap_or(NONE),
            },
            None => Handler::ABSENT,
        };
        for (i, node) in flow.nodes.iter().enumerate() {
            let index = graph.flows[f].nodes.start + i as NodeIx;
            let kind = match &node.kind {
                NodeKind::Say { next, .. } => Kind::Say {
                    next: resolve(next),
                },
                NodeKind::Menu {
                    options,
                    no_input,
                    no_match,
                    back,
                    save,
                    ..
                } => {
                    let start = graph.options.len() as OptionIx;
                    let mut guard_mask = 0;
                    for option in options {
                        let guard = match &option.when {
                            Some(when) => {
                                guard_mask |= condition_mask(&graph, &when.value);
                                compile_condition(&mut graph, &when.value)
                            }
                            None => ALWAYS,
                        };
                        let utterance = if option.key.is_none() {
                            option.speech.iter().find_map(|p| {
                                utterances
                                    .entry(p.source.value.as_str())
                                    .or_insert_with(|| simplest_match(&p.regex))
                                    .clone()
                            })
                        } else {
                            None
                        };
                        graph.utterances.push(utterance);
                        graph.options.push(GraphOption {
                            menu: index,
                            key: option.key.as_ref().map_or(0, |k| k.value.0),
                            guard,
                            goto: ids.get(option.goto.as_str()).copied().unwrap_or(NONE),
                            hidden: option.hidden,
                            fallback: option.fallback,
                            zero_out: option.key.as_ref().is_some_and(|k| k.value.0 == b'0')
                                || option.speech.iter().any(|s| {
                                    *asks_for_person
                                        .entry(s.source.value.as_str())
                                        .or_insert_with(|| {
                                            ["agent", "operator", "representative"]
                                                .iter()
                                                .any(|w| s.regex.is_match(w))
                                        })
                                }),
                            pickable: true,
                            shadowed_by: 0..0,
                            saves: save.as_ref().and_then(|var| {
                                option
                                    .answer()
                                    .map(|answer| var_value(&graph, var.as_str(), &answer))
                            }),
                        });
                    }
                    Kind::Menu {
                        options: start..graph.options.len() as OptionIx,
                        no_input: handler(no_input.as_ref().or(flow.default_no_input.as_ref())),
                        no_match: handler(no_match.as_ref().or(flow.default_no_match.as_ref())),
                        back: resolve(back),
                        guard_mask,
                        always_offered: 0..0,
                    }
                }
                NodeKind::Ask {
                    pattern,
                    matcher,
                    goto,
                    invalid,
                    no_input,
                    ..
                } => {
                    let samples = match (pattern, matcher) {
                        (Some(p), Some(matcher)) => answers
                            .entry(p.value.as_str())
                            .or_insert_with(|| SampleAnswers {
                                valid: simplest_match(matcher),
                                invalid: simplest_mismatch(matcher),
                            })
                            .clone(),
                        (Some(_), None) => SampleAnswers::default(),
                        // Without a pattern every answer is valid.
                        (None, _) => SampleAnswers {
                            valid: Some("yes".to_string()),
                            invalid: None,
                        },
                    };
                    let (has_valid_answer, has_invalid_answer) =
                        (samples.valid.is_some(), samples.invalid.is_some());
                    graph.sample_answers.insert(index, samples);
                    Kind::Ask {
                        goto: resolve(goto),
                        invalid: handler(
                            invalid
                                .as_ref()
                                .or(flow.default_invalid.as_ref())
                                .or(flow.default_no_match.as_ref()),
                        ),
                        no_input: handler(no_input.as_ref().or(flow.default_no_input.as_ref())),
                        has_valid_answer,
                        has_invalid_answer,
                    }
                }
                NodeKind::Switch { entries } => {
                    let start = graph.switch_entries.len() as u32;
                    for entry in entries {
                        let cond = match &entry.when {
                            Some(when) => compile_condition(&mut graph, &when.value),
                            None => ALWAYS,
                        };
                        let goto = ids.get(entry.goto.as_str()).copied().unwrap_or(NONE);
                        graph.switch_entries.push((cond, goto));
                    }
                    Kind::Switch {
                        entries: start..graph.switch_entries.len() as u32,
                    }
                }
                NodeKind::Set { assignments, next } => {
                    let start = graph.assignments.len() as u32;
                    for (var, value) in assignments {
                        let (v, x) = var_value(&graph, var.as_str(), value.as_str());
                        graph.assignments.push((v, x));
                    }
                    Kind::Set {
                        assignments: start..graph.assignments.len() as u32,
                        next: resolve(next),
                    }
                }
                NodeKind::Call { flow: callee, next } => {
                    let callee_index = model_flows
                        .iter()
                        .position(|(_, f)| f.id.value == callee.value)
                        .unwrap_or(0);
                    Kind::Call {
                        flow: callee_index as u32,
                        next: resolve(next),
                    }
                }
                NodeKind::Return => Kind::Return,
                NodeKind::Transfer {
                    open_when, queue, ..
                } => {
                    if let Some(when) = open_when {
                        let cond = compile_condition(&mut graph, &when.value);
                        graph.open_when.insert(index, cond);
                    }
                    let q = match graph.queues.iter().position(|q| *q == queue.value) {
                        Some(q) => q,
                        None => {
                            graph.queues.push(queue.value.clone());
                            graph.queues.len() - 1
                        }
                    };
                    graph.queue_of.insert(index, q as u32);
                    Kind::Transfer
                }
                NodeKind::End { .. } => Kind::End,
                NodeKind::Hangup { .. } => Kind::Hangup,
                NodeKind::Opaque { branches, .. } => {
                    let start = graph.branches.len() as u32;
                    for branch in branches {
                        let goto = ids.get(branch.goto.as_str()).copied().unwrap_or(NONE);
                        graph.branches.push((branch.on.value.clone(), goto));
                    }
                    Kind::Opaque {
                        branches: start..graph.branches.len() as u32,
                    }
                }
            };
            graph.nodes[index as usize].kind = kind;
        }
    }
    for node in 0..graph.nodes.len() {
        if let Kind::Call { flow, .. } = graph.nodes[node].kind {
            graph.flows[flow as usize].called = true;
        }
    }
    graph.opaque_steps = graph
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, Kind::Opaque { .. }))
        .count() as u32;
    compute_shadowing(&mut graph);
    let fits = fit_table(&graph, set);
    let mut serves_table = BitTable::new(graph.nodes.len(), set.intents.len());
    // Each terminal's own list is looked up by name, rather than every
    // intent of the catalogue asked of every node with `intents::serves`
    // (a test holds the two to agreeing).
    let mut intents_named: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, intent) in set.intents.iter().enumerate() {
        intents_named.entry(intent.id.as_str()).or_default().push(i);
    }
    for node in 0..graph.nodes.len() {
        let served = match &graph.model_node(node as NodeIx).kind {
            NodeKind::Transfer { serves: None, .. } => {
                for i in 0..set.intents.len() {
                    serves_table.set(node, i);
                }
                continue;
            }
            NodeKind::End { serves, .. }
            | NodeKind::Transfer {
                serves: Some(serves),
                ..
            } => serves,
            _ => continue,
        };
        for name in served {
            for &i in intents_named.get(name.as_str()).into_iter().flatten() {
                serves_table.set(node, i);
            }
        }
    }
    graph.fits = fits;
    graph.serves = serves_table;
    graph.served_after = super::intents::served_by_choosing(&graph);
    Ok(graph)
}

fn var_value(graph: &Graph, var: &str, value: &str) -> (u16, u16) {
    let v = graph.var_index(var).unwrap_or(0);
    let x = graph.vars[v]
        .values
        .iter()
        .position(|x| x == value)
        .unwrap_or(0);
    (v as u16, x as u16)
}

/// The packed bits every variable of a condition occupies.
fn condition_mask(graph: &Graph, condition: &Condition) -> u64 {
    condition
        .variables()
        .iter()
        .filter_map(|v| graph.var_index(v.as_str()))
        .fold(0, |mask, v| mask | graph.vars[v].mask())
}

fn compile_condition(graph: &mut Graph, condition: &Condition) -> CondIx {
    let cond = match condition {
        Condition::Equals(var, value) => {
            let (var, value) = var_value(graph, var.as_str(), value.as_str());
            Cond::Equals { var, value }
        }
        Condition::NotEquals(var, value) => {
            let (var, value) = var_value(graph, var.as_str(), value.as_str());
            graph.conds.push(Cond::Equals { var, value });
            Cond::Not(graph.conds.len() as CondIx - 1)
        }
        Condition::In(var, values) => {
            let mut mask = 0u64;
            let mut index = 0;
            for value in values {
                let (v, x) = var_value(graph, var.as_str(), value.as_str());
                index = v;
                mask |= 1 << x;
            }
            Cond::In { var: index, mask }
        }
        Condition::Truthy(var) => {
            let (var, value) = var_value(graph, var.as_str(), "true");
            Cond::Equals { var, value }
        }
        Condition::Not(inner) => Cond::Not(compile_condition(graph, inner)),
        Condition::And(a, b) => {
            let a = compile_condition(graph, a);
            let b = compile_condition(graph, b);
            Cond::And(a, b)
        }
        Condition::Or(a, b) => {
            let a = compile_condition(graph, a);
            let b = compile_condition(graph, b);
            Cond::Or(a, b)
        }
    };
    graph.conds.push(cond);
    graph.conds.len() as CondIx - 1
}

/// Which options an earlier option takes the input of, and, for menus with
/// no guards, which options a customer can pick at all: the walk, the
/// fuzzer and personas ask this at every step, so it is worked out once.
fn compute_shadowing(graph: &mut Graph) {
    for node in 0..graph.nodes.len() {
        let Kind::Menu {
            options,
            guard_mask,
            ..
        } = graph.nodes[node].kind.clone()
        else {
            continue;
        };
        let visual = graph.is_visual();
        for i in options.clone() {
            let start = graph.shadowers.len() as u32;
            let (pickable, shadowers) = {
                let option = &graph.options[i as usize];
                let label = |o: OptionIx| {
                    graph
                        .model_option(o)
                        .label
                        .as_ref()
                        .map(|l| l.value.trim().to_lowercase())
                };
                let earlier = options.start..i;
                if visual {
                    let mine = label(i);
                    (
                        mine.is_some(),
                        earlier.filter(|&j| label(j) == mine).collect::<Vec<_>>(),
                    )
                } else if option.key != 0 {
                    (
                        true,
                        earlier
                            .filter(|&j| graph.options[j as usize].key == option.key)
                            .collect(),
                    )
                } else {
                    match &graph.utterances[i as usize] {
                        // `replay` picks the first enabled option whose
                        // speech matches what the customer says.
                        Some(utterance) => (
                            true,
                            earlier
                                .filter(|&j| {
                                    graph
                                        .model_option(j)
                                        .speech
                                        .iter()
                                        .any(|p| p.regex.is_match(utterance))
                                })
                                .collect(),
                        ),
                        None => (false, Vec::new()),
                    }
                }
            };
            graph.shadowers.extend(shadowers);
            let end = graph.shadowers.len() as u32;
            let option = &mut graph.options[i as usize];
            option.pickable = pickable;
            option.shadowed_by = start..end;
        }
        if guard_mask == 0 {
            let start = graph.always_offered.len() as u32;
            let offered: Vec<OptionIx> = options
                .clone()
                .filter(|&i| {
                    let o = &graph.options[i as usize];
                    o.pickable && o.shadowed_by.is_empty()
                })
                .collect();
            graph.always_offered.extend(offered);
            let end = graph.always_offered.len() as u32;
            if let Kind::Menu { always_offered, .. } = &mut graph.nodes[node].kind {
                *always_offered = start..end;
            }
        }
    }
}

/// Which options fit which intents (see `intents::fits_explicitly`), with
/// the intents' phrases split into words once and each distinct speech
/// pattern tried against them once: a large set repeats the same labels'
/// words and the same few patterns thousands of times.
fn fit_table(graph: &Graph, set: &MenuSet) -> BitTable {
    let mut table = BitTable::new(graph.options.len(), set.intents.len());
    let mut fits = |option: usize, intent: usize| {
        if graph.expects(intent) {
            table.set(option, intent);
        }
    };
    let phrases: Vec<Vec<Vec<String>>> = set
        .intents
        .iter()
        .map(|i| i.says.iter().map(|p| words(&p.value)).collect())
        .collect();
    let intent_index: FxHashMap<&str, usize> = set
        .intents
        .iter()
        .enumerate()
        .map(|(i, intent)| (intent.id.value.as_str(), i))
        .collect();
    // Every intent phrase under its first word, so that a label is compared
    // only with the phrases that can start at one of its words rather than
    // with every phrase of the catalogue: large sets have tens of thousands
    // of options and dozens of intents.
    let mut by_first_word: FxHashMap<&str, Vec<(usize, &[String])>> = FxHashMap::default();
    for (i, intent_phrases) in phrases.iter().enumerate() {
        for phrase in intent_phrases {
            if let Some(first) = phrase.first() {
                by_first_word
                    .entry(first.as_str())
                    .or_default()
                    .push((i, phrase.as_slice()));
            }
        }
    }
    // Options are matched in runs on every core, each run with its own
    // cache of speech patterns, and the fits are set in option order.
    use rayon::prelude::*;
    const RUN: usize = 1024;
    let fitting: Vec<Vec<(usize, usize)>> = (0..graph.options.len())
        .into_par_iter()
        .step_by(RUN)
        .map(|first| {
            let mut by_pattern: FxHashMap<&str, Vec<bool>> = FxHashMap::default();
            let mut found = Vec::new();
            for option in first..(first + RUN).min(graph.options.len()) {
                option_fits(
                    graph.model_option(option as OptionIx),
                    set,
                    &intent_index,
                    &by_first_word,
                    &mut by_pattern,
                    &mut |intent| found.push((option, intent)),
                );
            }
            found
        })
        .collect();
    for (option, intent) in fitting.into_iter().flatten() {
        fits(option, intent);
    }
    table
}

/// Calls `fit` with every intent `model` fits, by speech, tag or label
/// (see [`fit_table`]); `by_pattern` caches each speech pattern's verdicts.
fn option_fits<'s>(
    model: &'s crate::model::MenuOption,
    set: &MenuSet,
    intent_index: &FxHashMap<&str, usize>,
    by_first_word: &FxHashMap<&str, Vec<(usize, &[String])>>,
    by_pattern: &mut FxHashMap<&'s str, Vec<bool>>,
    fit: &mut impl FnMut(usize),
) {
    for phrase in &model.speech {
        let fitting = by_pattern
            .entry(phrase.source.value.as_str())
            .or_insert_with(|| {
                set.intents
                    .iter()
                    .map(|i| i.says.iter().any(|p| phrase.regex.is_match(&p.value)))
                    .collect()
            });
        for (i, fits) in fitting.iter().enumerate() {
            if *fits {
                fit(i);
            }
        }
    }
    for tag in &model.intents {
        if let Some(&i) = intent_index.get(tag.value.as_str()) {
            fit(i);
        }
    }
    // The label fits an intent when one of the intent's phrases appears
    // in it as whole words (`contains_phrase`).
    if let Some(label) = &model.label {
        let label = words(&label.value);
        for start in 0..label.len() {
            let Some(candidates) = by_first_word.get(label[start].as_str()) else {
                continue;
            };
            for &(i, phrase) in candidates {
                if label[start..].starts_with(phrase) {
                    fit(i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::intents::fits_explicitly;

    /// The walk and the fuzzer read a node at every step, from an array
    /// that for large flows is bigger than the cache: a node stays within
    /// 56 bytes, which is why an ask's sample answers live beside it.
    #[test]
    fn a_node_stays_small() {
        assert!(
            std::mem::size_of::<GraphNode>() <= 56,
            "{} bytes",
            std::mem::size_of::<GraphNode>()
        );
    }
    /// The compiled fit table says what `fits_explicitly` says (for the
    /// intents the channel expects), option by option and intent by intent, on
    /// every set in the repository that has
    /// a catalogue: the table is built by a faster route (phrases indexed by
    /// their first word, speech patterns tested once) and must not differ.
    #[test]
    fn fit_and_serves_tables_agree_with_their_definitions() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("menus")];
        for entry in std::fs::read_dir(root.join("fixtures")).unwrap() {
            dirs.push(entry.unwrap().path());
        }
        let mut compared = 0;
        for dir in dirs {
            let Ok(set) = crate::loader::load_set(&dir) else {
                continue;
            };
            for channel in set.channels() {
                let Ok(graph) = compile(&set, channel) else {
                    continue;
                };
                // The serves table, built from each terminal's own list,
                // says what `serves` says of every node and intent.
                for node in 0..graph.nodes.len() {
                    let kind = &graph.model_node(node as NodeIx).kind;
                    for (i, intent) in set.intents.iter().enumerate() {
                        assert_eq!(
                            graph.node_serves(node as NodeIx, i),
                            crate::graph::intents::serves(kind, &intent.id.value),
                            "{}: node {node} and intent {}",
                            dir.display(),
                            intent.id.value
                        );
                        compared += 1;
                    }
                }
                for option in 0..graph.options.len() {
                    let model = graph.model_option(option as OptionIx);
                    for (i, intent) in set.intents.iter().enumerate() {
                        assert_eq!(
                            graph.fits.get(option, i),
                            fits_explicitly(model, intent) && graph.expects(i),
                            "{}: option {option} and intent {}",
                            dir.display(),
                            intent.id.value
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 500, "only {compared} pairs compared");
    }
}
