//! A layered layout of a directed graph, as a reader scans a flow: from the
//! start down. Layers are the breadth-first depth from the start
//! (`render::layers`, which the BPMN's columns use too); within a layer, nodes are ordered by the mean position of their neighbours in the
//! layer above, then below, over a few sweeps (the barycentre heuristic of
//! Sugiyama's method, without its dummy nodes: long edges are drawn
//! straight). Everything is decided by node and edge order, so the same
//! graph always gets the same layout.

/// Down-and-up sweeps of the barycentre ordering: a handful settles most
/// crossings; more cost time on large flows for little gain.
const SWEEPS: usize = 4;

/// Where each node goes: its layer (from the top) and its position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    pub layer: Vec<usize>,
    pub position: Vec<usize>,
    /// The nodes of each layer, in order.
    pub layers: Vec<Vec<usize>>,
}

/// Lays out `count` nodes joined by `edges` (from, to), `start` on top.
/// Nodes the start does not reach are placed below everything it does,
/// layered from the first of them in index order.
pub(super) fn layout(count: usize, edges: &[(usize, usize)], start: usize) -> Layout {
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(from, to) in edges {
        if from < count && to < count && from != to {
            neighbours[from].push(to);
            neighbours[to].push(from);
        }
    }
    let layer = crate::render::layers::depths(count, edges, start);
    let base = layer.iter().max().map_or(0, |&deepest| deepest + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); base];
    for node in 0..count {
        layers[layer[node]].push(node);
    }
    let mut position = vec![0; count];
    let place = |layers: &[Vec<usize>], position: &mut Vec<usize>| {
        for nodes in layers {
            for (i, &node) in nodes.iter().enumerate() {
                position[node] = i;
            }
        }
    };
    place(&layers, &mut position);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in order {
            let beside = if downward { l - 1 } else { l + 1 };
            let key = |node: usize| {
                let (sum, n) = neighbours[node]
                    .iter()
                    .filter(|&&other| layer[other] == beside)
                    .fold((0.0, 0usize), |(sum, n), &other| {
                        (sum + position[other] as f64, n + 1)
                    });
                // A node with no neighbour there keeps its place.
                if n == 0 {
                    position[node] as f64
                } else {
                    sum / n as f64
                }
            };
            let mut keyed: Vec<(f64, usize, usize)> = layers[l]
                .iter()
                .map(|&node| (key(node), position[node], node))
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, _, node)| node).collect();
            for (i, &node) in layers[l].iter().enumerate() {
                position[node] = i;
            }
        }
    }
    Layout {
        layer,
        position,
        layers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_breadth_first_depth_and_unreached_nodes_go_below() {
        // 0 -> 1 -> 2, 0 -> 2; 3 is unreached and leads to 1.
        let layout = layout(4, &[(0, 1), (1, 2), (0, 2), (3, 1)], 0);
        assert_eq!(layout.layer, vec![0, 1, 1, 2]);
        assert_eq!(layout.layers, vec![vec![0], vec![1, 2], vec![3]]);
    }

    #[test]
    fn barycentres_uncross_two_crossed_pairs() {
        // 0 -> {1, 2}; 1 -> 4, 2 -> 3: in index order the edges to the
        // third layer cross; ordered by barycentre they do not.
        let layout = layout(5, &[(0, 1), (0, 2), (1, 4), (2, 3)], 0);
        assert_eq!(layout.layers[2], vec![4, 3]);
    }

    #[test]
    fn self_loops_and_edges_out_of_range_are_ignored() {
        let layout = layout(2, &[(0, 0), (0, 7), (0, 1)], 0);
        assert_eq!(layout.layers, vec![vec![0], vec![1]]);
    }
}
