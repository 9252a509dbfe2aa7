//! The layers of a drawing: how far each node is from the start, so that
//! a flow reads from its start on, down the HTML page and across a BPMN
//! diagram alike.

use std::collections::VecDeque;

/// The breadth-first depth of each of `count` nodes joined by `edges`
/// (from, to) from `start`. Nodes the start does not reach go in layers
/// after everything it does, layered from the first of them in index
/// order; self-loops and edges out of range are ignored.
pub(crate) fn depths(count: usize, edges: &[(usize, usize)], start: usize) -> Vec<usize> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(from, to) in edges {
        if from < count && to < count && from != to {
            next[from].push(to);
        }
    }
    let mut layer = vec![usize::MAX; count];
    let mut base = 0;
    for root in std::iter::once(start).chain(0..count) {
        if root >= count || layer[root] != usize::MAX {
            continue;
        }
        let mut deepest = base;
        let mut queue = VecDeque::from([root]);
        layer[root] = base;
        while let Some(node) = queue.pop_front() {
            deepest = deepest.max(layer[node]);
            for &to in &next[node] {
                if layer[to] == usize::MAX {
                    layer[to] = layer[node] + 1;
                    queue.push_back(to);
                }
            }
        }
        base = deepest + 1;
    }
    layer
}
