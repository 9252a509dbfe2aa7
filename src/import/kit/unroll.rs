//! Bounded loops spelt out in the graph. A platform loop block that
//! counts its passes (Connect's `Loop` with a `LoopCount`) cannot be an
//! `opaque` step with both branches, which would let a walk go round for
//! ever; the import form has no counters, so the count becomes a finite
//! chain of copies of the loop's body.

use std::collections::{HashMap, HashSet, VecDeque};

use super::UniqueIds;
use crate::import::ir::{IrKind, IrNode};

/// More nodes than this in one flow and loops are no longer unrolled.
pub(crate) const UNROLL_LIMIT: usize = 50_000;

/// A loop waiting to be unrolled: its node (an `opaque` with a branch that
/// goes round and one that is done) and its count.
#[derive(Debug, Clone)]
pub(crate) struct BoundedLoop {
    pub id: String,
    pub count: u32,
}

/// How the platform names a loop's parts, for the nodes' text and the
/// notes: the branch that goes round, the branch that is done, and the
/// count (Connect: `ContinueLooping`, `DoneLooping`, `LoopCount`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoopNames<'a> {
    pub again: &'a str,
    pub done: &'a str,
    pub count: &'a str,
}

/// Unrolls each bounded loop.
///
/// A loop with count N (Connect's `Loop` with `LoopCount` N) takes its
/// `again` branch (`ContinueLooping`) on its first N visits and its `done`
/// branch (`DoneLooping`) on the next, then starts counting again.
/// touchpoint has no counters here (the import form has no `set`), and an
/// `opaque` with both branches would let a walk go round for ever, so the
/// count is spelt out in the graph instead.
///
/// The loop's body is every node that `again` reaches without
/// passing the loop and that leads back to the loop. The body is laid out
/// once per value of the counter: layer 0 is the way into the body from
/// elsewhere, before the loop has counted anything (the nodes the flow's
/// start or a node outside the body leads to, and what they lead to inside
/// the body); layers 1 to N are the passes after each `again`.
/// The loop node itself becomes N + 1 passthrough steps, one per visit:
///
/// ```text
/// layer 0 (the originals) --> L      --again--> layer 1 --> L__1
/// L__1   --again--> layer 2 --> ... --> L__2
/// ...
/// L__N   --done---> the done target (the count starts again)
/// ```
///
/// Layer k's copy of node `X` is `X__k`, except that a node not in layer 0
/// keeps its own id in layer 1 (so no original is left unreachable). Edges
/// that leave the body go to the original nodes. Every copy points at its
/// action in the export. The result is a finite chain, so a bounded loop is
/// not a `trap`. A loop inside a body is copied with it and unrolled in
/// turn. When the copies would make the flow too large, or the count is not
/// a number, the loop keeps both branches as possible outcomes, with a note.
pub(crate) fn unroll(
    nodes: &mut Vec<IrNode>,
    pending: Vec<BoundedLoop>,
    names: LoopNames,
    ids: &mut UniqueIds,
    notes: &mut Vec<String>,
    file: &str,
    start: &str,
) {
    let mut work: VecDeque<BoundedLoop> = pending.into();
    while let Some(lp) = work.pop_front() {
        let index: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        let Some(&at) = index.get(&lp.id) else {
            continue;
        };
        let origin = nodes[at].origin.clone();
        let action = origin.action.clone();
        let cont = branch_of(&nodes[at].kind, names.again);
        let done = branch_of(&nodes[at].kind, names.done);
        let (body, layer0) = match &cont {
            Some(cont) if lp.count > 0 => loop_body(nodes, &index, &lp.id, cont, start),
            _ => (Vec::new(), HashSet::new()),
        };
        let pass = |v: u32| {
            format!(
                "{} (visit {} of {}, {} {})",
                origin.platform_type,
                v + 1,
                lp.count + 1,
                names.count,
                lp.count
            )
        };
        if body.is_empty() {
            // Nothing leads back: the loop is passed once.
            let branch = if lp.count == 0 {
                done.map(|to| (names.done.to_string(), to))
            } else {
                cont.map(|to| (names.again.to_string(), to))
            };
            nodes[at].kind = IrKind::Opaque {
                text: pass(0),
                branches: branch.into_iter().collect(),
            };
            continue;
        }
        let cont = cont.expect("a loop with a body continues");
        if nodes.len() + body.len() * lp.count as usize > UNROLL_LIMIT {
            notes.push(format!(
                "{file}: {action} ({}): unrolling {} passes of a {}-node body would pass {UNROLL_LIMIT} nodes: either branch may happen at every pass",
                origin.platform_type,
                lp.count,
                body.len()
            ));
            continue;
        }
        notes.push(format!(
            "{file}: {action} ({}): {} {} unrolled: its body of {} nodes is laid out once per pass (`<id>__1` .. `<id>__{}`)",
            origin.platform_type,
            names.count,
            lp.count,
            body.len(),
            lp.count
        ));
        let loop_ids: Vec<String> = (0..=lp.count)
            .map(|v| {
                if v == 0 {
                    lp.id.clone()
                } else {
                    ids.claim(&format!("{}__{v}", lp.id))
                }
            })
            .collect();
        let inner: HashMap<String, u32> = work
            .iter()
            .filter(|p| body.contains(&p.id))
            .map(|p| (p.id.clone(), p.count))
            .collect();
        let originals: Vec<IrNode> = body.iter().map(|b| nodes[index[b]].clone()).collect();
        let mut copies = Vec::new();
        let mut entries = Vec::new();
        for k in 1..=lp.count {
            let mut rename: HashMap<String, String> = HashMap::new();
            for b in &body {
                let id = if k == 1 && !layer0.contains(b) {
                    b.clone()
                } else {
                    ids.claim(&format!("{b}__{k}"))
                };
                rename.insert(b.clone(), id);
            }
            rename.insert(lp.id.clone(), loop_ids[k as usize].clone());
            for (b, original) in body.iter().zip(&originals) {
                let mut node = original.clone();
                node.id = rename[b].clone();
                for t in node.kind.targets_mut() {
                    if let Some(to) = rename.get(t.as_str()) {
                        *t = to.clone();
                    }
                }
                if node.id == *b {
                    nodes[index[b]] = node;
                } else {
                    if let Some(&count) = inner.get(b) {
                        work.push_back(BoundedLoop {
                            id: node.id.clone(),
                            count,
                        });
                    }
                    copies.push(node);
                }
            }
            entries.push(rename[&cont].clone());
        }
        for v in 0..=lp.count {
            let branches = if v < lp.count {
                vec![(names.again.to_string(), entries[v as usize].clone())]
            } else {
                done.clone()
                    .map(|to| (names.done.to_string(), to))
                    .into_iter()
                    .collect()
            };
            let kind = IrKind::Opaque {
                text: pass(v),
                branches,
            };
            if v == 0 {
                nodes[at].kind = kind;
            } else {
                copies.push(IrNode {
                    id: loop_ids[v as usize].clone(),
                    kind,
                    origin: origin.clone(),
                });
            }
        }
        nodes.extend(copies);
    }
}

/// The body of the loop `loop_id`: the nodes `cont` reaches without passing
/// the loop that lead back to it, in node order; and the body's layer 0,
/// the part of it that the flow's start or a node outside the body leads
/// to, and what that reaches inside the body without passing the loop.
fn loop_body(
    nodes: &[IrNode],
    index: &HashMap<String, usize>,
    loop_id: &str,
    cont: &str,
    start: &str,
) -> (Vec<String>, HashSet<String>) {
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.kind
                .targets()
                .filter_map(|t| index.get(t).copied())
                .collect()
        })
        .collect();
    let Some(&l) = index.get(loop_id) else {
        return (Vec::new(), HashSet::new());
    };
    let reach = |from: Vec<usize>, next: &[Vec<usize>], within: Option<&[bool]>| {
        let mut seen = vec![false; nodes.len()];
        let mut stack = from;
        while let Some(at) = stack.pop() {
            if at == l || within.is_some_and(|w| !w[at]) || std::mem::replace(&mut seen[at], true) {
                continue;
            }
            stack.extend(next[at].iter().copied());
        }
        seen
    };
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (from, tos) in succ.iter().enumerate() {
        for &to in tos {
            pred[to].push(from);
        }
    }
    let forward = reach(index.get(cont).copied().into_iter().collect(), &succ, None);
    let back = reach(pred[l].clone(), &pred, None);
    let in_body: Vec<bool> = (0..nodes.len()).map(|i| forward[i] && back[i]).collect();
    let entries: Vec<usize> = (0..nodes.len())
        .filter(|&i| in_body[i])
        .filter(|&i| nodes[i].id == start || pred[i].iter().any(|&p| p != l && !in_body[p]))
        .collect();
    let layer0 = reach(entries, &succ, Some(&in_body));
    let body = (0..nodes.len())
        .filter(|&i| in_body[i])
        .map(|i| nodes[i].id.clone())
        .collect();
    let layer0 = (0..nodes.len())
        .filter(|&i| layer0[i])
        .map(|i| nodes[i].id.clone())
        .collect();
    (body, layer0)
}

/// The target of an `opaque` node's branch of that name.
fn branch_of(kind: &IrKind, name: &str) -> Option<String> {
    match kind {
        IrKind::Opaque { branches, .. } => branches
            .iter()
            .find(|(on, _)| on == name)
            .map(|(_, to)| to.clone()),
        _ => None,
    }
}
