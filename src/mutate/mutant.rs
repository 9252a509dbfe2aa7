//! One seeded mistake: what it is, where it is written, and the patch that
//! makes it in a compiled graph.

use crate::graph::{Cond, CondIx, Graph, Handler, Kind, NodeIx, OptionIx, ALWAYS};
use crate::machine::InputKind;
use crate::model::{Channel, Span};

use super::Operator;

/// One mutant of a set: one operator applied at one place of one channel.
#[derive(Debug, Clone)]
pub(crate) struct Mutant {
    /// 1-based and stable for a set, whatever `--shard` runs: `M12`.
    pub number: usize,
    pub operator: Operator,
    pub channel: Channel,
    /// The flow holding the place, by id.
    pub flow: String,
    /// The node holding the place, by id; for a flow's default handler,
    /// the flow's first node it applies to.
    pub node: String,
    pub span: Span,
    /// The nodes where the change is: the menu of an option, the switch of
    /// an entry, the transfer, every node that uses a handler. A customer
    /// who reaches none of them cannot meet the mistake.
    pub places: Vec<NodeIx>,
    /// One line a person reads: "key 2 of `billing_menu` now goes to
    /// `outage_info` instead of `pay_bill`".
    pub description: String,
    pub patch: Patch,
}

/// How a guard is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuardChange {
    Drop,
    Negate,
}

/// A change to a compiled graph's arrays. Patches keep node and option
/// indices as they are, so a state of the original means the same place
/// in the mutant, which is what comparing the two walks relies on.
#[derive(Debug, Clone)]
pub(crate) enum Patch {
    OptionTarget {
        option: OptionIx,
        to: NodeIx,
    },
    SwapTargets {
        a: OptionIx,
        b: OptionIx,
    },
    DeleteOption {
        option: OptionIx,
    },
    /// Handlers of one or more nodes (a flow's default is every node that
    /// inherits it) replaced.
    Handlers {
        which: InputKind,
        nodes: Vec<NodeIx>,
        to: HandlerChange,
    },
    RemoveFallback {
        option: OptionIx,
    },
    Key {
        option: OptionIx,
        key: u8,
    },
    OptionGuard {
        option: OptionIx,
        change: GuardChange,
    },
    EntryGuard {
        entry: u32,
        change: GuardChange,
    },
    EntryTarget {
        entry: u32,
        to: NodeIx,
    },
    /// The transfer `node` goes to the queue of the transfer `like`: the
    /// people there serve what `like` serves, in its opening hours.
    Queue {
        node: NodeIx,
        like: NodeIx,
    },
    /// The option stops fitting `intent` (its tag was the only reason it
    /// fitted).
    IntentTag {
        option: OptionIx,
        intent: usize,
    },
}

/// What happens to a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandlerChange {
    Drop,
    ZeroRetries,
}

impl Patch {
    /// Makes the change in `graph`, a copy of the original, and brings the
    /// tables derived from what changed up to date.
    pub(crate) fn apply(&self, graph: &mut Graph) {
        let mut targets_changed = true;
        match *self {
            Patch::OptionTarget { option, to } => graph.options[option as usize].goto = to,
            Patch::SwapTargets { a, b } => {
                let (ta, tb) = (
                    graph.options[a as usize].goto,
                    graph.options[b as usize].goto,
                );
                graph.options[a as usize].goto = tb;
                graph.options[b as usize].goto = ta;
            }
            Patch::DeleteOption { option } => {
                let never = push_cond(graph, Cond::Not(ALWAYS));
                graph.options[option as usize].guard = never;
                forget_offered(graph, option);
            }
            Patch::Handlers {
                which,
                ref nodes,
                to,
            } => {
                targets_changed = false;
                for &node in nodes {
                    if let Some(handler) = handler_mut(graph, node, which) {
                        *handler = match to {
                            HandlerChange::Drop => Handler::ABSENT,
                            HandlerChange::ZeroRetries => Handler {
                                retries: 0,
                                then: handler.then,
                            },
                        };
                    }
                }
            }
            Patch::RemoveFallback { option } => graph.options[option as usize].fallback = false,
            Patch::Key { option, key } => {
                targets_changed = false;
                let o = &mut graph.options[option as usize];
                let was_zero = o.key == b'0';
                o.key = key;
                // Key 0 is what a caller presses for a person; an option
                // moved off it stays a way to a person only by its speech.
                if was_zero {
                    let speech_asks_for_person =
                        graph.model_option(option).speech.iter().any(|s| {
                            ["agent", "operator", "representative"]
                                .iter()
                                .any(|w| s.regex.is_match(w))
                        });
                    graph.options[option as usize].zero_out = speech_asks_for_person;
                }
            }
            Patch::OptionGuard { option, change } => {
                let guard = graph.options[option as usize].guard;
                graph.options[option as usize].guard = changed_guard(graph, guard, change);
            }
            Patch::EntryGuard { entry, change } => {
                let guard = graph.switch_entries[entry as usize].0;
                graph.switch_entries[entry as usize].0 = changed_guard(graph, guard, change);
            }
            Patch::EntryTarget { entry, to } => graph.switch_entries[entry as usize].1 = to,
            Patch::Queue { node, like } => {
                if let Some(&queue) = graph.queue_of.get(&like) {
                    graph.queue_of.insert(node, queue);
                }
                graph.serves.copy_row(node as usize, like as usize);
                match graph.open_when.get(&like).copied() {
                    Some(cond) => graph.open_when.insert(node, cond),
                    None => graph.open_when.remove(&node),
                };
            }
            Patch::IntentTag { option, intent } => graph.fits.clear(option as usize, intent),
        }
        if targets_changed {
            graph.served_after = crate::graph::intents::served_by_choosing(graph);
        }
    }
}

fn push_cond(graph: &mut Graph, cond: Cond) -> CondIx {
    graph.conds.push(cond);
    graph.conds.len() as CondIx - 1
}

fn changed_guard(graph: &mut Graph, guard: CondIx, change: GuardChange) -> CondIx {
    match change {
        GuardChange::Drop => ALWAYS,
        GuardChange::Negate => push_cond(graph, Cond::Not(guard)),
    }
}

/// A menu without guards offers the options worked out when the graph was
/// compiled; a deleted option leaves that list, and the options it took
/// the input of first (the same key or label) are offered in its place.
fn forget_offered(graph: &mut Graph, deleted: OptionIx) {
    let menu = graph.options[deleted as usize].menu;
    let Kind::Menu {
        options,
        guard_mask,
        ..
    } = graph.nodes[menu as usize].kind.clone()
    else {
        return;
    };
    if guard_mask != 0 {
        // Guards are evaluated at every step, and the deleted option's
        // guard now never holds, so it neither is offered nor shadows.
        return;
    }
    let start = graph.always_offered.len() as u32;
    let offered: Vec<OptionIx> = options
        .filter(|&i| {
            let o = &graph.options[i as usize];
            i != deleted
                && o.pickable
                && graph.shadowers[o.shadowed_by.start as usize..o.shadowed_by.end as usize]
                    .iter()
                    .all(|&j| j == deleted)
        })
        .collect();
    graph.always_offered.extend(offered);
    let end = graph.always_offered.len() as u32;
    if let Kind::Menu { always_offered, .. } = &mut graph.nodes[menu as usize].kind {
        *always_offered = start..end;
    }
}

/// The compiled handler of `node` for `which` kind of input.
pub(crate) fn handler_mut<'g>(
    graph: &'g mut Graph,
    node: NodeIx,
    which: InputKind,
) -> Option<&'g mut Handler> {
    match (&mut graph.nodes[node as usize].kind, which) {
        (Kind::Menu { no_input, .. }, InputKind::Silence)
        | (Kind::Ask { no_input, .. }, InputKind::Silence) => Some(no_input),
        (Kind::Menu { no_match, .. }, InputKind::NoMatch) => Some(no_match),
        (Kind::Ask { invalid, .. }, InputKind::Invalid) => Some(invalid),
        _ => None,
    }
}

/// The compiled handler of `node` for `which` kind of input, if the node
/// takes that kind of input.
pub(crate) fn handler_of(graph: &Graph, node: NodeIx, which: InputKind) -> Option<Handler> {
    match (&graph.nodes[node as usize].kind, which) {
        (Kind::Menu { no_input, .. }, InputKind::Silence)
        | (Kind::Ask { no_input, .. }, InputKind::Silence) => Some(*no_input),
        (Kind::Menu { no_match, .. }, InputKind::NoMatch) => Some(*no_match),
        (Kind::Ask { invalid, .. }, InputKind::Invalid) => Some(*invalid),
        _ => None,
    }
}
