//! `unset-variable`: a step reads a variable or contact attribute that no
//! path from the start sets before it.
//!
//! Variables declared under `vars` always hold one of their values (the
//! walk tries each), so only free names count: what an `ask` saves and what
//! opaque steps list under `sets` and `reads`. Which reads can never have
//! been set is decided here, once, over the flows' edges: a forward union
//! of what any path may have set. Where some path may have set the name,
//! the walk looks for a path that did not (see `explorer`), and only such
//! a path makes a finding, a warning.

use rustc_hash::FxHashMap;

use crate::graph::{Graph, NodeIx};
use crate::model::NodeKind;

/// One read of a free name at a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Read {
    /// Index of the name in the node's `reads`: the finding's detail.
    pub index: u32,
    /// Index of the name in [`UnsetReads::names`].
    pub name: u32,
    /// No path from the start of the node's flow may have set the name.
    pub never_set: bool,
}

#[derive(Debug, Default)]
pub(crate) struct UnsetReads {
    pub names: Vec<String>,
    /// Per graph node: its reads of free names.
    pub at: Vec<Vec<Read>>,
    /// Per graph node: the free names it sets (an opaque step on every
    /// branch, an ask on a valid answer).
    pub sets: Vec<Vec<u32>>,
}

impl UnsetReads {
    pub(crate) fn new(graph: &Graph) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut intern = |name: &str| -> Option<u32> {
            // A declared variable always holds a value.
            if graph.var_index(name).is_some() {
                return None;
            }
            Some(*index.entry(name.to_string()).or_insert_with(|| {
                names.push(name.to_string());
                names.len() as u32 - 1
            }))
        };
        let count = graph.nodes.len();
        let mut reads: Vec<Vec<(u32, u32)>> = vec![Vec::new(); count];
        let mut sets: Vec<Vec<u32>> = vec![Vec::new(); count];
        for node in 0..count {
            match &graph.model_node(node as NodeIx).kind {
                NodeKind::Opaque {
                    reads: read,
                    sets: set,
                    ..
                } => {
                    for (i, name) in read.iter().enumerate() {
                        if let Some(n) = intern(name.as_str()) {
                            reads[node].push((i as u32, n));
                        }
                    }
                    sets[node].extend(set.iter().filter_map(|name| intern(name.as_str())));
                }
                NodeKind::Ask {
                    save: Some(name), ..
                } => sets[node].extend(intern(name.as_str())),
                _ => {}
            }
        }
        // Without a read of a free name there is nothing to judge: what may
        // be set where is worked out only for the reads.
        if reads.iter().all(Vec::is_empty) {
            return UnsetReads {
                names,
                at: vec![Vec::new(); count],
                sets,
            };
        }
        let words = names.len().div_ceil(64);
        // Everything set anywhere: what a called flow may start with (its
        // callers may have set it) and what a call may have set on return.
        let mut anywhere = vec![0u64; words];
        for set in &sets {
            for &n in set {
                anywhere[n as usize / 64] |= 1 << (n % 64);
            }
        }
        let ids: Vec<FxHashMap<&str, NodeIx>> = graph
            .flows
            .iter()
            .map(|flow| {
                flow.nodes
                    .clone()
                    .map(|node| (graph.node_id(node), node))
                    .collect()
            })
            .collect();
        let mut may_set = vec![vec![0u64; words]; count];
        let mut queued = vec![false; count];
        let mut visited = vec![false; count];
        let mut queue = Vec::new();
        for flow in &graph.flows {
            if flow.called {
                may_set[flow.start as usize].clone_from(&anywhere);
            }
            queue.push(flow.start);
            queued[flow.start as usize] = true;
            visited[flow.start as usize] = true;
        }
        while let Some(node) = queue.pop() {
            queued[node as usize] = false;
            let mut out = may_set[node as usize].clone();
            for &n in &sets[node as usize] {
                out[n as usize / 64] |= 1 << (n % 64);
            }
            let model = graph.model_node(node);
            if matches!(model.kind, NodeKind::Call { .. }) {
                for (o, a) in out.iter_mut().zip(&anywhere) {
                    *o |= a;
                }
            }
            let flow = graph.nodes[node as usize].flow as usize;
            for target in model.kind.targets() {
                let Some(&to) = ids[flow].get(target.as_str()) else {
                    continue;
                };
                let into = &mut may_set[to as usize];
                let mut changed = false;
                for (i, o) in into.iter_mut().zip(&out) {
                    changed |= *i | o != *i;
                    *i |= o;
                }
                // Every reachable node is looked at once, and again whenever
                // what may have been set on arrival grows.
                if (changed || !visited[to as usize]) && !queued[to as usize] {
                    visited[to as usize] = true;
                    queued[to as usize] = true;
                    queue.push(to);
                }
            }
        }
        let at = reads
            .iter()
            .enumerate()
            .map(|(node, reads)| {
                reads
                    .iter()
                    .map(|&(index, name)| Read {
                        index,
                        name,
                        never_set: may_set[node][name as usize / 64] & 1 << (name % 64) == 0,
                    })
                    .collect()
            })
            .collect();
        UnsetReads { names, at, sets }
    }
}
