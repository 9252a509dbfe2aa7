//! The mutants of one channel's graph, in a fixed order: node by node as
//! the files are read, operator by operator within a node.

use crate::graph::{Graph, Kind, NodeIx, OptionIx, ALWAYS, NONE};
use crate::machine::InputKind;
use crate::model::{DtmfKey, MenuSet, NodeKind, Span};

use super::mutant::{GuardChange, HandlerChange, Mutant, Patch};
use super::Operator;

/// Every mutant of `graph`, not yet numbered.
pub(crate) fn mutants(set: &MenuSet, graph: &Graph) -> Vec<Mutant> {
    let mut out = Vec::new();
    let mut add = |operator, node: NodeIx, span: Span, description: String, patch: Patch| {
        let places = match &patch {
            Patch::Handlers { nodes, .. } => nodes.clone(),
            _ => vec![node],
        };
        out.push(Mutant {
            number: 0,
            operator,
            channel: graph.channel,
            flow: graph.flow_of(node).id.clone(),
            node: graph.node_id(node).to_string(),
            span,
            places,
            description,
            patch,
        });
    };
    let handlers = handler_sources(set, graph);
    let mut handler_at = 0;
    for node in 0..graph.nodes.len() as NodeIx {
        let id = graph.node_id(node);
        match &graph.nodes[node as usize].kind {
            Kind::Menu { options, .. } => {
                let options: Vec<OptionIx> = options.clone().collect();
                option_mutants(set, graph, node, &options, &mut add);
            }
            Kind::Switch { entries } => {
                let NodeKind::Switch {
                    entries: written, ..
                } = &graph.model_node(node).kind
                else {
                    continue;
                };
                let entries: Vec<u32> = entries.clone().collect();
                for (k, &entry) in entries.iter().enumerate() {
                    let (guard, goto) = graph.switch_entries[entry as usize];
                    let span = written[k].span;
                    let what = format!("entry {} of switch `{id}`", k + 1);
                    // The next entry, round the list, that goes elsewhere.
                    let other = (1..entries.len())
                        .map(|d| graph.switch_entries[entries[(k + d) % entries.len()] as usize].1)
                        .find(|&to| to != goto && to != NONE);
                    if let (Some(to), true) = (other, goto != NONE) {
                        add(
                            Operator::SwitchBranch,
                            node,
                            span,
                            format!(
                                "{what} now goes to `{}` instead of `{}`",
                                graph.node_id(to),
                                graph.node_id(goto)
                            ),
                            Patch::EntryTarget { entry, to },
                        );
                    }
                    if guard != ALWAYS {
                        let when = written[k].when.as_ref().map_or(span, |w| w.span);
                        let text = excerpt(set, when);
                        for (operator, change, verb, after) in guard_changes() {
                            add(
                                operator,
                                node,
                                when,
                                format!("{what} {verb} `{text}`{after}"),
                                Patch::EntryGuard { entry, change },
                            );
                        }
                    }
                }
            }
            Kind::Transfer => {
                let NodeKind::Transfer { queue, .. } = &graph.model_node(node).kind else {
                    continue;
                };
                // The next transfer of the channel, round the graph, that
                // goes to another queue.
                let n = graph.nodes.len() as NodeIx;
                let like = (1..n).map(|d| (node + d) % n).find(|&other| {
                    matches!(&graph.model_node(other).kind,
                        NodeKind::Transfer { queue: q, .. } if q.value != queue.value)
                });
                if let Some(like) = like {
                    let NodeKind::Transfer { queue: other, .. } = &graph.model_node(like).kind
                    else {
                        continue;
                    };
                    add(
                        Operator::ChangeQueue,
                        node,
                        queue.span,
                        format!(
                            "transfer `{id}` now goes to queue `{}` (as `{}` does) instead of `{}`",
                            other.value,
                            graph.node_id(like),
                            queue.value
                        ),
                        Patch::Queue { node, like },
                    );
                }
            }
            _ => {}
        }
        // A handler is mutated where it is written: on the node, or once
        // for a flow's default, at the first node that inherits it.
        while handler_at < handlers.len() && handlers[handler_at].first == node {
            let source = &handlers[handler_at];
            handler_at += 1;
            let name = source.which.handler_name();
            let owner = if source.default {
                format!(
                    "the default {name} handler of flow `{}`",
                    graph.flow_of(node).id
                )
            } else {
                format!("the {name} handler of `{id}`")
            };
            let then = graph.node_id(source.then);
            add(
                Operator::DropHandler,
                node,
                source.span,
                format!("{owner} (to `{then}`) is removed"),
                Patch::Handlers {
                    which: source.which,
                    nodes: source.nodes.clone(),
                    to: HandlerChange::Drop,
                },
            );
            if source.retries > 0 {
                add(
                    Operator::ZeroRetries,
                    node,
                    source.span,
                    format!(
                        "{owner} retries 0 times instead of {} before `{then}`",
                        source.retries
                    ),
                    Patch::Handlers {
                        which: source.which,
                        nodes: source.nodes.clone(),
                        to: HandlerChange::ZeroRetries,
                    },
                );
            }
        }
    }
    out
}

/// The two changes to a guard, each with how its description reads
/// around the guard's text.
fn guard_changes() -> [(Operator, GuardChange, &'static str, &'static str); 2] {
    [
        (
            Operator::DropGuard,
            GuardChange::Drop,
            "loses its guard",
            "",
        ),
        (
            Operator::NegateGuard,
            GuardChange::Negate,
            "has its guard",
            " negated",
        ),
    ]
}

/// The mutants of one menu's options.
fn option_mutants(
    set: &MenuSet,
    graph: &Graph,
    menu: NodeIx,
    options: &[OptionIx],
    add: &mut impl FnMut(Operator, NodeIx, Span, String, Patch),
) {
    let id = graph.node_id(menu);
    let taken: Vec<u8> = options
        .iter()
        .map(|&o| graph.options[o as usize].key)
        .collect();
    for (k, &option) in options.iter().enumerate() {
        let compiled = &graph.options[option as usize];
        let written = graph.model_option(option);
        let what = format!("{} of `{id}`", option_name(graph, option));
        let goto = compiled.goto;
        if goto != NONE {
            // The next sibling, round the menu, that goes elsewhere.
            let sibling = (1..options.len())
                .map(|d| graph.options[options[(k + d) % options.len()] as usize].goto)
                .find(|&to| to != goto && to != NONE);
            if let Some(to) = sibling {
                add(
                    Operator::RetargetOption,
                    menu,
                    written.goto.span,
                    format!(
                        "{what} now goes to `{}` instead of `{}`",
                        graph.node_id(to),
                        graph.node_id(goto)
                    ),
                    Patch::OptionTarget { option, to },
                );
            }
        }
        if let Some(&next) = options.get(k + 1) {
            let other = graph.options[next as usize].goto;
            if goto != other && goto != NONE && other != NONE {
                add(
                    Operator::SwapTargets,
                    menu,
                    written.span,
                    format!(
                        "{} and {} of `{id}` swap targets (`{}` and `{}`)",
                        option_name(graph, option),
                        option_name(graph, next),
                        graph.node_id(goto),
                        graph.node_id(other)
                    ),
                    Patch::SwapTargets { a: option, b: next },
                );
            }
        }
        add(
            Operator::DeleteOption,
            menu,
            written.span,
            format!("{what} is deleted"),
            Patch::DeleteOption { option },
        );
        if compiled.fallback {
            add(
                Operator::RemoveFallback,
                menu,
                written.span,
                format!("{what} is no longer a fallback"),
                Patch::RemoveFallback { option },
            );
        }
        if let Some(key) = &written.key {
            // The first key the menu does not use: a mistyped key that
            // collides with another option is a duplicate-key finding
            // already, and lint reports it without any persona.
            let free = DtmfKey::ALL
                .iter()
                .find(|k| !taken.contains(&k.0) && k.0 != b'0');
            if let Some(free) = free {
                add(
                    Operator::ChangeKey,
                    menu,
                    key.span,
                    format!("{what} is now key {}", free.as_char()),
                    Patch::Key {
                        option,
                        key: free.0,
                    },
                );
            }
        }
        if let Some(when) = &written.when {
            let text = excerpt(set, when.span);
            for (operator, change, verb, after) in guard_changes() {
                add(
                    operator,
                    menu,
                    when.span,
                    format!("{what} {verb} `{text}`{after}"),
                    Patch::OptionGuard { option, change },
                );
            }
        }
        // A fallback fits every intent whatever its tags say, so removing
        // one changes nothing: no mutant.
        for tag in written.intents.iter().filter(|_| !compiled.fallback) {
            let Some(intent) = graph.intent_index(&tag.value) else {
                continue;
            };
            // A tag for an intent the channel does not serve fits nothing
            // here, so removing it changes nothing anyone could notice.
            if !graph.expects(intent) {
                continue;
            }
            let mut untagged = written.clone();
            untagged.intents.retain(|t| t.value != tag.value);
            // A tag the option's label or speech says anyway is redundant:
            // removing it changes nothing, so it is no mutant.
            if crate::graph::intents::fits_explicitly(&untagged, &set.intents[intent]) {
                continue;
            }
            add(
                Operator::RemoveIntentTag,
                menu,
                tag.span,
                format!("{what} loses its intent tag `{}`", tag.value),
                Patch::IntentTag { option, intent },
            );
        }
    }
}

/// How a report names an option: its key, else its label, else its speech.
pub(crate) fn option_name(graph: &Graph, option: OptionIx) -> String {
    let written = graph.model_option(option);
    if let Some(key) = &written.key {
        format!("key {}", key.value.as_char())
    } else if let Some(label) = &written.label {
        format!("option \"{}\"", label.value)
    } else if let Some(phrase) = written.speech.first() {
        format!("option \"{}\"", phrase.source.value)
    } else {
        "an option".to_string()
    }
}

/// The text written at `span`, to the end of its line, for a description.
fn excerpt(set: &MenuSet, span: Span) -> String {
    let Some(file) = set.files.get(span.file as usize) else {
        return String::new();
    };
    let line = file
        .text
        .lines()
        .nth(span.line().saturating_sub(1) as usize)
        .unwrap_or_default();
    let rest: String = line
        .chars()
        .skip(span.column().saturating_sub(1) as usize)
        .collect();
    // In a flow mapping (`{ key: "0", when: not known, goto: bye }`) the
    // value ends at the first comma or brace outside brackets and quotes.
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '(') => depth += 1,
                (None, ']' | ')') => depth -= 1,
                (None, ',' | '}') if depth <= 0 => return true,
                _ => {}
            }
            false
        })
        .map_or(rest.len(), |(at, _)| at);
    let rest = rest[..end].trim();
    if rest.chars().count() > 60 {
        format!("{}…", rest.chars().take(59).collect::<String>())
    } else {
        rest.to_string()
    }
}

/// A handler as written, with the nodes whose compiled handler it is.
struct HandlerSource {
    which: InputKind,
    span: Span,
    retries: u32,
    then: NodeIx,
    /// The first node it applies to, where its mutants are listed.
    first: NodeIx,
    nodes: Vec<NodeIx>,
    /// Written in the flow's `defaults`, not on the node.
    default: bool,
}

/// Every handler written in the channel's flows that some node uses, in
/// the order of the first node that uses it.
fn handler_sources(set: &MenuSet, graph: &Graph) -> Vec<HandlerSource> {
    let mut out: Vec<HandlerSource> = Vec::new();
    let mut index: std::collections::HashMap<(Span, InputKind), usize> = Default::default();
    for flow in &graph.flows {
        let written = &set.flows[flow.model as usize];
        for node in flow.nodes.clone() {
            let model = graph.model_node(node);
            let own: [(
                InputKind,
                Option<&crate::model::Handler>,
                Option<&crate::model::Handler>,
            ); 3] = match &model.kind {
                NodeKind::Menu {
                    no_input, no_match, ..
                } => [
                    (
                        InputKind::Silence,
                        no_input.as_ref(),
                        written.default_no_input.as_ref(),
                    ),
                    (
                        InputKind::NoMatch,
                        no_match.as_ref(),
                        written.default_no_match.as_ref(),
                    ),
                    (InputKind::Invalid, None, None),
                ],
                NodeKind::Ask {
                    no_input, invalid, ..
                } => [
                    (
                        InputKind::Silence,
                        no_input.as_ref(),
                        written.default_no_input.as_ref(),
                    ),
                    (InputKind::NoMatch, None, None),
                    (
                        InputKind::Invalid,
                        invalid.as_ref(),
                        written
                            .default_invalid
                            .as_ref()
                            .or(written.default_no_match.as_ref()),
                    ),
                ],
                _ => continue,
            };
            for (which, mine, default) in own {
                let (handler, is_default) = match (mine, default) {
                    (Some(h), _) => (h, false),
                    (None, Some(h)) => (h, true),
                    (None, None) => continue,
                };
                let Some(compiled) = super::mutant::handler_of(graph, node, which) else {
                    continue;
                };
                if !compiled.is_present() {
                    continue;
                }
                let key = (handler.span, which);
                match index.get(&key) {
                    Some(&at) => out[at].nodes.push(node),
                    None => {
                        index.insert(key, out.len());
                        out.push(HandlerSource {
                            which,
                            span: handler.span,
                            retries: handler.retries,
                            then: compiled.then,
                            first: node,
                            nodes: vec![node],
                            default: is_default,
                        });
                    }
                }
            }
        }
    }
    out.sort_by_key(|h| h.first);
    out
}
