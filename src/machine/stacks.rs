//! The call stacks of called flows, interned so that a state carries one
//! number instead of a vector.

use rustc_hash::FxHashMap;

use crate::graph::NodeIx;

/// Interned call stacks: each stack is an index, a frame points at its
/// parent, so states stay small and equal stacks compare as equal numbers.
#[derive(Debug)]
pub struct Stacks {
    frames: Vec<(u32, NodeIx, u32)>,
    index: FxHashMap<(u32, NodeIx), u32>,
}

impl Default for Stacks {
    fn default() -> Self {
        Stacks {
            frames: vec![(0, 0, 0)],
            index: FxHashMap::default(),
        }
    }
}

impl Stacks {
    pub(crate) const EMPTY: u32 = 0;

    /// The stack with `call` pushed on top of `stack`.
    pub fn push(&mut self, stack: u32, call: NodeIx) -> u32 {
        if let Some(&id) = self.index.get(&(stack, call)) {
            return id;
        }
        let depth = self.frames[stack as usize].2 + 1;
        let id = self.frames.len() as u32;
        self.frames.push((stack, call, depth));
        self.index.insert((stack, call), id);
        id
    }

    pub fn top(&self, stack: u32) -> NodeIx {
        self.frames[stack as usize].1
    }

    pub(crate) fn pop(&self, stack: u32) -> u32 {
        self.frames[stack as usize].0
    }

    pub fn depth(&self, stack: u32) -> usize {
        self.frames[stack as usize].2 as usize
    }
}
