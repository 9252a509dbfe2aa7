//! Which options fit which intents and which terminals serve them, as
//! docs/format.md defines it, computed once into bit tables so that the walks
//! answer "does this option fit?" with a shift and a mask.

use super::{Graph, Kind, NodeIx, NONE};
use crate::model::NodeKind;
use crate::model::{Intent, MenuOption};

/// A table of bits, one row per option or node, one column per intent.
#[derive(Debug, Clone, Default)]
pub struct BitTable {
    words: usize,
    bits: Vec<u64>,
}

impl BitTable {
    pub fn new(rows: usize, columns: usize) -> Self {
        let words = columns.div_ceil(64).max(1);
        BitTable {
            words,
            bits: vec![0; rows * words],
        }
    }

    pub fn set(&mut self, row: usize, column: usize) {
        self.bits[row * self.words + column / 64] |= 1 << (column % 64);
    }

    pub fn get(&self, row: usize, column: usize) -> bool {
        self.bits[row * self.words + column / 64] & (1 << (column % 64)) != 0
    }

    /// Clears one bit.
    pub(crate) fn clear(&mut self, row: usize, column: usize) {
        self.bits[row * self.words + column / 64] &= !(1 << (column % 64));
    }

    /// Makes row `into` a copy of row `from`.
    pub(crate) fn copy_row(&mut self, into: usize, from: usize) {
        let words = self.words;
        self.bits
            .copy_within(from * words..(from + 1) * words, into * words);
    }

    /// Sets every column of a row.
    pub fn fill(&mut self, row: usize) {
        for w in &mut self.bits[row * self.words..(row + 1) * self.words] {
            *w = u64::MAX;
        }
    }

    /// ORs row `from` into row `into`; true if `into` changed.
    pub(crate) fn union_rows(&mut self, into: usize, from: usize) -> bool {
        let mut changed = false;
        for w in 0..self.words {
            let merged = self.bits[into * self.words + w] | self.bits[from * self.words + w];
            changed |= merged != self.bits[into * self.words + w];
            self.bits[into * self.words + w] = merged;
        }
        changed
    }
}

/// Lower-case words of a text, for whole-word matching.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `phrase` appears in `text` as whole words, ignoring case.
pub(crate) fn contains_phrase(text: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase)
}

/// Whether an option fits an intent on its own merits: tagged with it, its
/// label says one of the intent's phrases, or one of its speech regexes
/// matches one. A `fallback` fits every intent too, but that is kept apart:
/// a fallback does not claim to be about anything.
///
/// The compiled fit table (`graph::compile`) is built without it, in one
/// pass over the words; this plain reading is what that table is tested
/// against, and `mutate` asks it whether an option still fits an intent
/// once a tag is removed.
pub(crate) fn fits_explicitly(option: &MenuOption, intent: &Intent) -> bool {
    if option.intents.iter().any(|i| i.value == intent.id.value) {
        return true;
    }
    if let Some(label) = &option.label {
        let label = words(&label.value);
        if intent
            .says
            .iter()
            .any(|p| contains_phrase(&label, &words(&p.value)))
        {
            return true;
        }
    }
    option
        .speech
        .iter()
        .any(|s| intent.says.iter().any(|p| s.regex.is_match(&p.value)))
}

/// Whether a terminal node serves an intent.
pub fn serves(kind: &NodeKind, intent: &str) -> bool {
    match kind {
        NodeKind::End { serves, .. } => serves.iter().any(|s| s.value == intent),
        NodeKind::Transfer { serves: None, .. } => true,
        NodeKind::Transfer {
            serves: Some(list), ..
        } => list.iter().any(|s| s.value == intent),
        _ => false,
    }
}

/// Per node: the intents served by some terminal a customer reaches from it
/// by choosing: options, valid answers, and whatever the flow does on its
/// own (switches, calls and returns, the outcomes of opaque steps). Guards
/// are ignored, so this errs towards "served". [`Graph::option_misleads`] asks it
/// of an option's target, for lint and the fuzzer alike.
///
/// Handlers are not followed: silence, a wrong key or an invalid answer
/// (and the retries running out) is the customer failing, and an IVR that
/// transfers such callers ("let me put you through") has not served the
/// intent an option promised. Nor is `back`, which leaves what is behind
/// the option rather than going further into it.
pub(crate) fn served_by_choosing(graph: &Graph) -> BitTable {
    let n = graph.nodes.len();
    let mut table = graph.serves.clone();
    let mut successors: Vec<Vec<NodeIx>> = vec![Vec::new(); n];
    // Per flow: where its calls go on after it returns.
    let mut returns_to: Vec<Vec<NodeIx>> = vec![Vec::new(); graph.flows.len()];
    for node in &graph.nodes {
        if let Kind::Call { flow, next } = node.kind {
            returns_to[flow as usize].push(next);
        }
    }
    for (node, succ) in successors.iter_mut().enumerate() {
        match &graph.nodes[node].kind {
            Kind::Say { next } | Kind::Set { next, .. } => succ.push(*next),
            Kind::Menu { options, .. } => {
                succ.extend(options.clone().map(|o| graph.options[o as usize].goto))
            }
            Kind::Ask { goto, .. } => succ.push(*goto),
            Kind::Switch { entries } => succ.extend(
                graph.switch_entries[entries.start as usize..entries.end as usize]
                    .iter()
                    .map(|e| e.1),
            ),
            Kind::Call { flow, next } => succ.extend([graph.flows[*flow as usize].start, *next]),
            // A return goes on at the `next` of every call of its flow.
            Kind::Return => succ.extend(&returns_to[graph.nodes[node].flow as usize]),
            Kind::Opaque { branches } => succ.extend(
                graph.branches[branches.start as usize..branches.end as usize]
                    .iter()
                    .map(|b| b.1),
            ),
            Kind::Transfer | Kind::End | Kind::Hangup => {}
        }
        succ.retain(|&s| s != NONE);
    }
    // Propagate backwards until nothing changes; each pass is linear and
    // the number of passes is bounded by the longest acyclic path.
    let mut changed = true;
    while changed {
        changed = false;
        for node in (0..n).rev() {
            for &s in &successors[node] {
                changed |= table.union_rows(node, s as usize);
            }
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_only() {
        let label = words("Pay a bill online");
        assert!(contains_phrase(&label, &words("pay")));
        assert!(contains_phrase(&label, &words("a bill")));
        assert!(!contains_phrase(&words("Repay plans"), &words("pay")));
    }

    #[test]
    fn tables_grow_past_one_word() {
        let mut t = BitTable::new(2, 130);
        t.set(1, 129);
        assert!(t.get(1, 129) && !t.get(0, 129));
        assert!(t.union_rows(0, 1));
        assert!(t.get(0, 129));
        assert!(!t.union_rows(0, 1));
    }
}
