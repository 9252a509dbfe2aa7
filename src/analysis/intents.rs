//! What customers came for: `no-fit` and goal-directed loops (the `trap`
//! of `analysis::goal_loop`) from a goal-directed walk, and
//! `intent-unreachable` / `channel-gap` from what the exhaustive walk
//! reached on each channel.
//!
//! The goal-directed customer knows what they want and nothing else: at a
//! menu they pick an offered option that fits their intent (docs/format.md: by
//! tag, by label, by speech, or a fallback), at an `ask` they answer
//! correctly, and they never press a wrong key. Where such a customer meets
//! a menu with nothing that fits, the menu has failed them.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::FxHashMap;

use crate::analysis::explorer::WalkSummary;
use crate::analysis::goal_loop;
use crate::analysis::raw::{Findings, RawFinding, Recorder, WalkFindings};
use crate::finding::{Code, Finding, FindingSource};
use crate::graph::{Graph, Kind, NONE};
use crate::machine::{Choice, Machine, Quiet, Settled, State, Step};
use crate::model::{Channel, MenuSet};

/// Walks every top-level flow once per intent that the channel serves
/// somewhere and per world in which it is served, recording `no-fit`.
pub(crate) fn walk_goals(
    graph: &Graph,
    set: &MenuSet,
    summary: &WalkSummary,
    recorder: &mut Recorder,
) {
    let worlds = super::worlds(graph);
    let every_world = vec![true; worlds.len()];
    // Each flow's goal walks record into their own findings; the recorder
    // takes them in flow order, ending as if the flows had been walked one
    // after another (see `raw::WalkFindings`).
    let per_flow = super::per_entry_flow(graph, set, |machine, flow| {
        let mut findings = WalkFindings::default();
        walk_flow_goals(machine, summary, &worlds, flow, &mut findings);
        findings
    });
    for findings in per_flow {
        recorder.begin_flow(&every_world);
        findings.replay_into(recorder);
    }
}

/// The goal walks of the customers who begin at `flow`, in every world.
fn walk_flow_goals(
    machine: &mut Machine,
    summary: &WalkSummary,
    worlds: &[u64],
    flow: usize,
    findings: &mut impl Findings,
) {
    let graph = machine.graph;
    // Goal-directed loops, for every intent the catalogue sends to this
    // channel, in every world: the fuzzer's goal-directed customers ask
    // the same question, so whether a loop is reported never depends
    // on the seed. Unlike `no-fit` below, this does not wait for the
    // intent to be served somewhere, since a customer of an intent
    // served nowhere goes round all the same.
    for intent in (0..graph.intents.len()).filter(|&x| graph.expects(x)) {
        for (w, &world) in worlds.iter().enumerate() {
            record_goal_loop(machine, flow, intent, w as u32, world, findings);
        }
    }
    for intent in 0..graph.intents.len() {
        // A need the catalogue does not send to this channel is no
        // customer of it: no menu here fails them.
        if !graph.expects(intent) {
            continue;
        }
        // Where nothing on the channel ever serves the intent, the
        // intent finding says so once; every menu would fail it otherwise.
        if !summary.served[intent].iter().any(|&s| s) {
            continue;
        }
        for (w, &world) in worlds.iter().enumerate() {
            walk_goal(machine, flow, intent, w as u32, world, findings);
        }
    }
}

fn record_goal_loop(
    machine: &mut Machine,
    flow: usize,
    intent: usize,
    world_index: u32,
    world: u64,
    recorder: &mut impl Findings,
) {
    let graph = machine.graph;
    let Some(found) = goal_loop::goal_loop(machine, flow, intent, world) else {
        return;
    };
    let detail = goal_loop::detail(intent);
    if !recorder.wants(Code::Trap, found.node, detail, world_index) {
        return;
    }
    let mut raw = RawFinding::new(Code::Trap, found.node, detail, world_index, found.choices)
        .message(goal_loop::message(graph, intent, found.node))
        .intent(intent);
    // A loop in a called flow is met through its caller, as `no-fit` is.
    if graph.nodes[found.node as usize].flow as usize != flow {
        raw.entry_flow = Some(flow as u32);
    }
    recorder.record(raw);
}

fn walk_goal(
    machine: &mut Machine,
    flow: usize,
    intent: usize,
    world_index: u32,
    world: u64,
    recorder: &mut impl Findings,
) {
    let graph = machine.graph;
    let Settled::Waiting(initial) =
        machine.settle(graph.flows[flow].start, world, 0, NONE, &mut Quiet)
    else {
        return;
    };
    let mut seen: FxHashMap<State, (u32, Choice)> = FxHashMap::default();
    let mut order: Vec<State> = vec![initial];
    seen.insert(initial, (NONE, Choice::NoInput));
    let mut queue: VecDeque<u32> = VecDeque::from([0]);
    let choices_to = |order: &Vec<State>, seen: &FxHashMap<State, (u32, Choice)>, mut id: u32| {
        let mut out = Vec::new();
        loop {
            let (parent, choice) = seen[&order[id as usize]];
            if parent == NONE {
                break;
            }
            out.push(choice);
            id = parent;
        }
        out.reverse();
        out
    };
    while let Some(id) = queue.pop_front() {
        let state = order[id as usize];
        let mut moves: Vec<Choice> = Vec::new();
        match &graph.nodes[state.node as usize].kind {
            Kind::Menu { guard_mask, .. } => {
                let mut offered = Vec::new();
                machine.offered(&state, &mut offered);
                // The goal-directed customer does not know hidden options.
                offered.retain(|&i| !graph.options[i as usize].hidden);
                moves.extend(
                    offered
                        .iter()
                        .copied()
                        .filter(|&i| graph.option_fits(i, intent))
                        .map(Choice::Option),
                );
                if moves.is_empty()
                    && !offered.is_empty()
                    && recorder.wants(Code::NoFit, state.node, intent as u32, world_index)
                {
                    let heard: Vec<String> = offered.iter().map(|&i| describe(graph, i)).collect();
                    let n = heard.len();
                    // Menus of called flows are met through their callers:
                    // the walk records the caller's start, and the report
                    // re-expresses the finding from the called flow's own
                    // start (`analysis::to_finding`).
                    let mut raw = RawFinding::new(
                        Code::NoFit,
                        state.node,
                        intent as u32,
                        world_index,
                        choices_to(&order, &seen, id),
                    );
                    if graph.nodes[state.node as usize].flow as usize != flow {
                        raw.entry_flow = Some(flow as u32);
                    }
                    recorder.record(
                        raw
                            .message(format!(
                                "a customer who wants {} {} {n} option{} at `{}` and none fits, nor is there a fallback: {}",
                                graph.intents[intent],
                                if graph.is_visual() { "sees" } else { "hears" },
                                if n == 1 { "" } else { "s" },
                                graph.node_id(state.node),
                                heard.join(", ")
                            ))
                            .guards(*guard_mask, state.vars)
                            .intent(intent),
                    );
                }
            }
            Kind::Ask {
                has_valid_answer: true,
                ..
            } => moves.push(Choice::Valid),
            Kind::Opaque { branches } => {
                moves.extend((0..branches.end - branches.start).map(Choice::Branch))
            }
            _ => {}
        }
        for choice in moves {
            if let Step::Moved(Settled::Waiting(next)) = machine.step(&state, choice, &mut Quiet) {
                if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(next) {
                    slot.insert((id, choice));
                    order.push(next);
                    queue.push_back(order.len() as u32 - 1);
                }
            }
        }
    }
}

/// How an option is named to a customer: its label, else its key or phrase.
fn describe(graph: &Graph, option: u32) -> String {
    let model = graph.model_option(option);
    match (&model.label, &model.key) {
        (Some(label), Some(key)) => format!("{} ({})", label.value, key.value.as_char()),
        (Some(label), None) => label.value.clone(),
        _ => model.describe(),
    }
}

/// `intent-unreachable` and `channel-gap`, from which intents the walk of
/// each channel served in which worlds.
///
/// An intent that lists its channels must be served on each of them: where
/// it is not, that is `intent-unreachable` (an error). An intent without a
/// list is expected on every channel of the set: served on one and missing
/// on another is a `channel-gap` (a warning); served on none is
/// `intent-unreachable`. Served only under some variable values is reported
/// the same way, with the values under which it is missing.
pub(crate) fn channel_findings(
    set: &MenuSet,
    walks: &[(Channel, &Graph, &WalkSummary)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, intent) in set.intents.iter().enumerate() {
        let served_on = |channel: Channel| {
            walks
                .iter()
                .any(|(c, _, summary)| *c == channel && summary.served[i].iter().any(|&s| s))
        };
        let explicit = intent.channels.is_some();
        let required: Vec<Channel> = match &intent.channels {
            Some(list) => list.iter().map(|c| c.value).collect(),
            None => set.channels(),
        };
        let served_anywhere = set.channels().into_iter().any(served_on);
        for channel in required {
            let Some((_, graph, summary)) = walks.iter().find(|(c, _, _)| *c == channel) else {
                continue;
            };
            // Served under some values only is not missing: the report's
            // intent table says when (see `availability`).
            if summary.served[i].iter().any(|&s| s) {
                continue;
            }
            let code = if explicit || !served_anywhere {
                Code::IntentUnreachable
            } else {
                Code::ChannelGap
            };
            let message = if code == Code::ChannelGap {
                let elsewhere: Vec<&str> = set
                    .channels()
                    .into_iter()
                    .filter(|c| served_on(*c))
                    .map(|c| c.name())
                    .collect();
                format!(
                    "{} is served on {} but nothing a customer can reach on {channel} serves it",
                    intent.id.value,
                    elsewhere.join(" and ")
                )
            } else {
                let why = if explicit {
                    " (the catalogue lists it there)"
                } else {
                    ""
                };
                format!("{} must be served on {channel}{why}, but nothing a customer can reach there serves it", intent.id.value)
            };
            let vars = BTreeMap::new();
            let flow = graph
                .flows
                .iter()
                .find(|f| !f.called)
                .unwrap_or(&graph.flows[0]);
            let file = &set.files[intent.span.file as usize];
            out.push(Finding {
                code,
                level: code.default_level(),
                channel,
                flow: flow.id.clone(),
                node: if flow.start == NONE {
                    String::new()
                } else {
                    graph.node_id(flow.start).to_string()
                },
                message,
                file: file.name.clone(),
                line: intent.span.line(),
                column: intent.span.column(),
                intent: Some(intent.id.value.clone()),
                vars,
                inputs: Vec::new(),
                path: Vec::new(),
                source: FindingSource::Lint,
                fuzz_batch: None,
                detail: i as u32,
                about: String::new(),
                offset: intent.span.pos.offset,
                len: intent.span.pos.len,
            });
        }
    }
    out
}

/// When each intent is served on a channel: always, never, or only under
/// some variable values (said in words, e.g. "hours=open"). An intent whose
/// `channels:` leaves the channel out has no entry: "never" would call a
/// deliberate choice a failure.
pub(crate) fn availability(
    set: &MenuSet,
    channel: Channel,
    graph: &Graph,
    summary: &WalkSummary,
) -> Vec<crate::results::IntentAvailability> {
    let worlds = super::worlds(graph);
    set.intents
        .iter()
        .enumerate()
        .filter(|&(i, _)| graph.expects(i))
        .map(|(i, intent)| {
            let served = &summary.served[i];
            let (status, when) = if served.iter().all(|&s| s) {
                ("always", None)
            } else if served.iter().any(|&s| s) {
                ("sometimes", Some(describe_worlds(graph, &worlds, served)))
            } else {
                ("never", None)
            };
            crate::results::IntentAvailability {
                intent: intent.id.value.clone(),
                channel,
                served: status.to_string(),
                when,
            }
        })
        .collect()
}

/// "hours=open", "hours=open and caller in [resident, business]".
pub(crate) fn describe_worlds(graph: &Graph, worlds: &[u64], served: &[bool]) -> String {
    let mut parts = Vec::new();
    for var in &graph.vars {
        let values: Vec<&str> = (0..var.values.len() as u16)
            .filter(|&v| {
                worlds
                    .iter()
                    .enumerate()
                    .any(|(w, &world)| served[w] && var.get(world) == v)
            })
            .map(|v| var.values[v as usize].as_str())
            .collect();
        match values.as_slice() {
            [one] if var.values.len() > 1 => parts.push(format!("{}={one}", var.name)),
            many if many.len() < var.values.len() => {
                parts.push(format!("{} in [{}]", var.name, many.join(", ")))
            }
            _ => {}
        }
    }
    // The parts describe a product of values; when the served worlds are
    // not such a product, saying so is the honest summary.
    let product: usize = graph
        .vars
        .iter()
        .map(|var| {
            (0..var.values.len() as u16)
                .filter(|&v| {
                    worlds
                        .iter()
                        .enumerate()
                        .any(|(w, &world)| served[w] && var.get(world) == v)
                })
                .count()
        })
        .product();
    let served_count = served.iter().filter(|&&s| s).count();
    if parts.is_empty() || product != served_count {
        describe_combinations(graph, worlds, served)
    } else {
        parts.join(" and ")
    }
}

/// The served worlds one by one, when they are not a product of values
/// ("hours=open and caller=doctor or hours=closed and caller=resident"),
/// naming only the variables that decide: one whose value, changed alone,
/// never changes whether the intent is served says nothing about when.
fn describe_combinations(graph: &Graph, worlds: &[u64], served: &[bool]) -> String {
    const SHOWN: usize = 4;
    let index: rustc_hash::FxHashMap<u64, usize> = worlds
        .iter()
        .enumerate()
        .map(|(w, &world)| (world, w))
        .collect();
    let deciding: Vec<_> = graph
        .vars
        .iter()
        .filter(|var| {
            worlds.iter().enumerate().any(|(w, &world)| {
                (0..var.values.len() as u16).any(|v| {
                    index
                        .get(&var.set(world, v))
                        .is_some_and(|&other| served[other] != served[w])
                })
            })
        })
        .collect();
    let mut combinations: Vec<String> = Vec::new();
    for (w, &world) in worlds.iter().enumerate() {
        if !served[w] {
            continue;
        }
        let text = deciding
            .iter()
            .map(|var| format!("{}={}", var.name, var.values[var.get(world) as usize]))
            .collect::<Vec<_>>()
            .join(" and ");
        if !combinations.contains(&text) {
            combinations.push(text);
        }
    }
    let more = combinations.len().saturating_sub(SHOWN);
    combinations.truncate(SHOWN);
    let mut text = combinations.join(" or ");
    if more > 0 {
        text.push_str(&format!(" or {more} more combinations"));
    }
    text
}
