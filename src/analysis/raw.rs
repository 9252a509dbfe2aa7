//! Findings as the walk records them, before they are turned into report
//! findings: keyed by (code, node, detail), with the worlds they occur in
//! and the shortest occurrence.

use rustc_hash::{FxHashMap, FxHashSet};

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

#[derive(Debug)]
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

/// Where the walk's rules put what they find: the [`Recorder`] itself, or
/// one walk's [`WalkFindings`], which the recorder takes in later.
pub(crate) trait Findings {
    /// Whether the finding is new for this world (see [`Recorder::wants`]).
    fn wants(&self, code: Code, node: NodeIx, detail: u32, world: u32) -> bool;

    /// Records a finding that [`Findings::wants`] was asked about first.
    fn record(&mut self, raw: RawFinding);

    /// Records a finding nobody asked [`Findings::wants`] about: the
    /// recorder takes it in even for a world that already has it, and the
    /// worlds its walk looked in count for it all the same.
    fn record_unasked(&mut self, raw: RawFinding);
}

impl Findings for Recorder {
    fn wants(&self, code: Code, node: NodeIx, detail: u32, world: u32) -> bool {
        Recorder::wants(self, code, node, detail, world)
    }

    fn record(&mut self, raw: RawFinding) {
        Recorder::record(self, raw);
    }

    fn record_unasked(&mut self, raw: RawFinding) {
        Recorder::record(self, raw);
    }
}

/// What one walk (one flow in one world) recorded, in the order it
/// recorded it, for walks that run in parallel: each walk records into its
/// own, and [`WalkFindings::replay_into`] hands them to the one recorder in
/// the order the walks would have run one after another, so that the
/// recorder ends exactly as if they had.
#[derive(Default)]
pub(crate) struct WalkFindings {
    /// The findings this walk recorded, with the world each was in.
    recorded: FxHashSet<(Code, NodeIx, u32, u32)>,
    /// Every finding recorded, and whether its recording asked first.
    events: Vec<(RawFinding, bool)>,
}

impl WalkFindings {
    /// Records into `recorder` what this walk recorded, as the walk would
    /// have had it recorded there directly. A finding the walk asked about
    /// is taken in only if the recorder still wants it: this walk alone
    /// wanted it, but an earlier walk may have recorded it for this world,
    /// and then the walk, run after it, would not have recorded it at all.
    /// A finding recorded without asking is taken in as it was.
    pub(crate) fn replay_into(self, recorder: &mut Recorder) {
        for (raw, asked) in self.events {
            if !asked || recorder.wants(raw.code, raw.node, raw.detail, raw.world) {
                recorder.record(raw);
            }
        }
    }

    fn push(&mut self, raw: RawFinding, asked: bool) {
        self.recorded
            .insert((raw.code, raw.node, raw.detail, raw.world));
        self.events.push((raw, asked));
    }
}

impl Findings for WalkFindings {
    /// Whether this walk has not recorded the finding for this world yet:
    /// wanted whenever the recorder would want it, and more often (a
    /// finding an earlier walk recorded), which the replay sorts out.
    fn wants(&self, code: Code, node: NodeIx, detail: u32, world: u32) -> bool {
        !self.recorded.contains(&(code, node, detail, world))
    }

    fn record(&mut self, raw: RawFinding) {
        self.push(raw, true);
    }

    fn record_unasked(&mut self, raw: RawFinding) {
        self.push(raw, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One recording a walk makes: the finding's key and world, how long
    /// its way is, and whether the walk asks the recorder first.
    #[derive(Clone, Copy)]
    struct Recording {
        key: (Code, NodeIx, u32),
        world: u32,
        length: usize,
        asked: bool,
    }

    impl Recording {
        fn raw(self) -> RawFinding {
            let (code, node, detail) = self.key;
            RawFinding::new(
                code,
                node,
                detail,
                self.world,
                vec![Choice::NoInput; self.length],
            )
        }

        fn into(self, findings: &mut impl Findings) {
            let (code, node, detail) = self.key;
            if !self.asked {
                findings.record_unasked(self.raw());
            } else if findings.wants(code, node, detail, self.world) {
                findings.record(self.raw());
            }
        }
    }

    /// Walks of flows, each flow with the worlds it looks in and its walks'
    /// recordings, from a seeded generator: few keys and worlds, so that
    /// walks keep meeting what earlier walks recorded, asked and not.
    fn flows(seed: u64) -> Vec<(Vec<bool>, Vec<Vec<Recording>>)> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut below = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let codes = [Code::Trap, Code::DeadEnd, Code::TooDeep];
        (0..1 + below(4))
            .map(|_| {
                let walked: Vec<bool> = (0..4).map(|_| below(3) != 0).collect();
                let walks = (0..below(4))
                    .map(|_| {
                        let world = below(4) as u32;
                        (0..below(6))
                            .map(|_| Recording {
                                key: (codes[below(3) as usize], below(3) as NodeIx, 0),
                                // Mostly the walk's own world, now and then
                                // another (an analysis of every world).
                                world: if below(5) == 0 {
                                    below(4) as u32
                                } else {
                                    world
                                },
                                length: below(5) as usize,
                                asked: below(2) == 0,
                            })
                            .collect()
                    })
                    .collect();
                (walked, walks)
            })
            .collect()
    }

    /// A walk's findings replayed into the recorder leave it exactly as the
    /// walk recording into it directly does, walk after walk: the same
    /// entries, worlds, worlds looked in, counts, shortest ways and
    /// world-0 occurrences.
    #[test]
    fn replayed_walks_record_what_walks_recording_directly_record() {
        for seed in 0..500 {
            let flows = flows(seed);
            let mut direct = Recorder::default();
            let mut replayed = Recorder::default();
            for (walked, walks) in &flows {
                direct.begin_flow(walked);
                replayed.begin_flow(walked);
                for walk in walks {
                    let mut findings = WalkFindings::default();
                    for &recording in walk {
                        recording.into(&mut direct);
                        recording.into(&mut findings);
                    }
                    findings.replay_into(&mut replayed);
                }
            }
            assert_eq!(
                format!("{:?}", direct.entries),
                format!("{:?}", replayed.entries),
                "seed {seed}"
            );
        }
    }
}
