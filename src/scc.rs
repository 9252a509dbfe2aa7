//! Strongly connected components (Tarjan, iterative so that a state graph of
//! millions of states, or a deep call graph from the user's files, cannot
//! overflow the stack). The walk's doomed states and the loader's call
//! cycles both use it, so it sits below both.

/// Components of the subgraph induced by `included`, each a list of states.
/// `successors(s)` lists the edges of state `s`.
pub(crate) fn components<'a>(
    count: usize,
    included: &dyn Fn(usize) -> bool,
    successors: &dyn Fn(usize) -> &'a [u32],
) -> Vec<Vec<u32>> {
    const UNVISITED: u32 = u32::MAX;
    let mut index = vec![UNVISITED; count];
    let mut low = vec![0u32; count];
    let mut on_stack = vec![false; count];
    let mut stack: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    let mut next_index = 0u32;
    // Each call frame: the state and how many of its edges were looked at.
    let mut frames: Vec<(u32, usize)> = Vec::new();
    for root in 0..count {
        if !included(root) || index[root] != UNVISITED {
            continue;
        }
        frames.push((root as u32, 0));
        while let Some(&mut (v, ref mut edge)) = frames.last_mut() {
            let vu = v as usize;
            if *edge == 0 && index[vu] == UNVISITED {
                index[vu] = next_index;
                low[vu] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            let succ = successors(vu);
            if let Some(&w) = succ.get(*edge) {
                *edge += 1;
                let wu = w as usize;
                if !included(wu) {
                    continue;
                }
                if index[wu] == UNVISITED {
                    frames.push((w, 0));
                } else if on_stack[wu] {
                    low[vu] = low[vu].min(index[wu]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                let pu = parent as usize;
                low[pu] = low[pu].min(low[vu]);
            }
            if low[vu] == index[vu] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn finds_cycles_and_singletons() {
        // 0 -> 1 -> 2 -> 1, 3 alone.
        let edges: Vec<Vec<u32>> = vec![vec![1], vec![2], vec![1], vec![]];
        let mut comps = components(4, &|_| true, &|s| &edges[s]);
        for c in &mut comps {
            c.sort();
        }
        comps.sort();
        assert_eq!(comps, vec![vec![0], vec![1, 2], vec![3]]);
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        let n = 200_000;
        let edges: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                if i + 1 < n {
                    vec![i as u32 + 1]
                } else {
                    vec![0]
                }
            })
            .collect();
        let comps = components(n, &|_| true, &|s| &edges[s]);
        assert_eq!(comps.len(), 1);
    }
}
