//! Findings as the walk records them, before they are turned into report
//! findings: keyed by (code, node, detail), with the worlds they occur in
//! and the shortest occurrence.

use rustc_hash::FxHashMap;

use crate::finding::Code;
use crate::graph::NodeIx;
use crate::machine::Choice;
use crate::model::Span;

#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub code: Code,
    pub node: NodeIx,
    /// Tells apart findings of one code at one node (which input, which key).
    pub detail: u32,
    pub world: u32,
    /// From the flow's start; the last choice may be the one that fails.
    pub choices: Vec<Choice>,
    pub message: String,
    /// Variables (packed bits) the finding reads at its node, and their values.
    pub guard_mask: u64,
    pub guard_vars: u64,
    /// Where to point instead of the node (an option, say).
    pub span: Option<Span>,
    /// The intent the finding is about, as an index into the catalogue.
    pub intent: Option<u32>,
    /// The flow whose start `choices` begin at, when it is not the flow
    /// that holds the node (a customer who went into a sub-flow). The
    /// report moves such a finding to the node's own flow where the
    /// finding does not need the caller (see `analysis::to_finding`).
    pub entry_flow: Option<u32>,
    /// The finding's level where it is not the code's default (an
    /// `unset-variable` that only some paths leave unset is a warning).
    pub level: Option<crate::model::Level>,
}

impl RawFinding {
    pub(crate) fn new(
        code: Code,
        node: NodeIx,
        detail: u32,
        world: u32,
        choices: Vec<Choice>,
    ) -> Self {
        RawFinding {
            code,
            node,
            detail,
            world,
            choices,
            message: String::new(),
            guard_mask: 0,
            guard_vars: 0,
            span: None,
            intent: None,
            entry_flow: None,
            level: None,
        }
    }

    pub(crate) fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub(crate) fn guards(mut self, mask: u64, vars: u64) -> Self {
        self.guard_mask = mask;
        self.guard_vars = vars;
        self
    }

    pub(crate) fn intent(mut self, intent: usize) -> Self {
        self.intent = Some(intent as u32);
        self
    }

    pub(crate) fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
}

pub(crate) struct Entry {
    /// Which worlds of its flow's walk the finding occurs in.
    pub worlds: Vec<bool>,
    /// Which worlds the walks that met the finding looked in: every world
    /// for a flow where customers begin, only the worlds its callers enter
    /// it in for a called flow.
    pub looked: Vec<bool>,
    pub count: usize,
    pub best: RawFinding,
    /// The occurrence in world 0, every variable at its first value, which
    /// `replay` reproduces without being told any variables.
    pub first_world: Option<RawFinding>,
    /// The walk whose worlds `looked` last took in: a finding met many times
    /// in one walk takes them in once, not at every world it occurs in.
    looked_in_walk: u32,
}

impl Entry {
    /// Whether the finding occurs in every world it was looked for in, so
    /// that no variable value decides it.
    pub(crate) fn in_every_world(&self) -> bool {
        self.count == self.looked.iter().filter(|&&looked| looked).count()
    }
}

#[derive(Default)]
pub(crate) struct Recorder {
    /// The worlds the current walk looks in, indexed like the graph's.
    walked: Vec<bool>,
    /// Counts the walks begun, so an entry knows whether it has taken in
    /// the current walk's worlds yet.
    walk: u32,
    pub entries: Vec<Entry>,
    index: FxHashMap<(Code, NodeIx, u32), usize>,
}

impl Recorder {
    /// Starts recording a walk that looks in the worlds marked in `walked`
    /// (one entry per world of the graph).
    pub(crate) fn begin_flow(&mut self, walked: &[bool]) {
        self.walked.clear();
        self.walked.extend_from_slice(walked);
        self.walk += 1;
    }

    /// Whether this finding is new for this world. Within one world the walk
    /// is breadth-first, so the first occurrence is the shortest one and
    /// later ones need not even build their input path.
    pub(crate) fn wants(&self, code: Code, node: NodeIx, detail: u32, world: u32) -> bool {
        match self.index.get(&(code, node, detail)) {
            Some(&i) => !self.entries[i].worlds[world as usize],
            None => true,
        }
    }

    pub(crate) fn record(&mut self, raw: RawFinding) {
        let key = (raw.code, raw.node, raw.detail);
        let world = raw.world as usize;
        match self.index.get(&key) {
            Some(&i) => {
                let entry = &mut self.entries[i];
                if entry.looked_in_walk != self.walk {
                    for (looked, &walked) in entry.looked.iter_mut().zip(&self.walked) {
                        *looked |= walked;
                    }
                    entry.looked_in_walk = self.walk;
                }
                entry.looked[world] = true;
                if entry.worlds[world] {
                    return;
                }
                entry.worlds[world] = true;
                entry.count += 1;
                if world == 0 {
                    entry.first_world = Some(raw.clone());
                }
                if raw.choices.len() < entry.best.choices.len() {
                    entry.best = raw;
                }
            }
            None => {
                let mut worlds = vec![false; self.walked.len().max(world + 1)];
                worlds[world] = true;
                let mut looked = self.walked.clone();
                looked.resize(worlds.len(), false);
                looked[world] = true;
                self.index.insert(key, self.entries.len());
                self.entries.push(Entry {
                    worlds,
                    looked,
                    count: 1,
                    first_world: (world == 0).then(|| raw.clone()),
                    best: raw,
                    looked_in_walk: self.walk,
                });
            }
        }
    }
}
