//! The compiled form of one channel's flows: flat arrays indexed by `u32`,
//! with interned variables and pre-evaluated samples, so that the explorer,
//! the replayer and later the fuzzer never look up a string in a hot loop.
//!
//! All flows of a channel share one graph because `call` crosses flows.

mod compile;
mod compiled;
pub mod intents;
mod sample;

use std::ops::Range;

use rustc_hash::FxHashMap;

pub use compile::compile;
pub(crate) use compile::CompileError;
pub use compiled::Graphs;
pub use sample::simplest_match;
pub(crate) use sample::simplest_mismatch;
pub use sample::SampleAnswers;

use crate::model::{Channel, MenuOption, MenuSet, Node, Span};

pub type NodeIx = u32;
pub type OptionIx = u32;
pub(crate) type CondIx = u32;

/// "No node": a missing `next`, `goto`, `back` or handler.
pub const NONE: u32 = u32::MAX;

/// A compiled guard. Variables are indices into [`Graph::vars`], values
/// indices into the variable's domain.
#[derive(Debug, Clone, Copy)]
pub enum Cond {
    Equals {
        var: u16,
        value: u16,
    },
    /// Bit `i` set: value `i` of the variable passes.
    In {
        var: u16,
        mask: u64,
    },
    Not(CondIx),
    And(CondIx, CondIx),
    Or(CondIx, CondIx),
}

/// A variable packed into bits `shift..shift+bits` of a state's `u64`.
#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub values: Vec<String>,
    pub shift: u8,
    pub bits: u8,
}

impl Var {
    pub fn get(&self, packed: u64) -> u16 {
        ((packed >> self.shift) & ((1u64 << self.bits) - 1)) as u16
    }

    pub fn set(&self, packed: u64, value: u16) -> u64 {
        let mask = ((1u64 << self.bits) - 1) << self.shift;
        (packed & !mask) | ((value as u64) << self.shift)
    }

    /// The bits of the packed word this variable occupies.
    pub(crate) fn mask(&self) -> u64 {
        ((1u64 << self.bits) - 1) << self.shift
    }
}

/// Re-prompt `retries` times, then go to `then` (`NONE`: no handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    pub retries: u8,
    pub then: NodeIx,
}

impl Handler {
    pub(crate) const ABSENT: Handler = Handler {
        retries: 0,
        then: NONE,
    };

    pub(crate) fn is_present(self) -> bool {
        self.then != NONE
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Say {
        next: NodeIx,
    },
    Menu {
        options: Range<OptionIx>,
        no_input: Handler,
        no_match: Handler,
        back: NodeIx,
        /// The packed-variable bits the options' guards read; 0 when no
        /// option is guarded.
        guard_mask: u64,
        /// With no guards, the options a customer can pick, as a range of
        /// [`Graph::always_offered`].
        always_offered: Range<u32>,
    },
    Ask {
        goto: NodeIx,
        invalid: Handler,
        no_input: Handler,
        /// Whether some answer passes the pattern, and whether some fails
        /// it: the choices `Valid` and `Invalid` exist only then. The
        /// answers themselves are in [`Graph::sample_answers`], at the
        /// same index as this node's, so that a node stays small: the walk
        /// and the fuzzer read a node's kind at every step.
        has_valid_answer: bool,
        has_invalid_answer: bool,
    },
    Switch {
        entries: Range<u32>,
    },
    Set {
        assignments: Range<u32>,
        next: NodeIx,
    },
    Call {
        flow: u32,
        next: NodeIx,
    },
    Return,
    Transfer,
    End,
    Hangup,
    /// Outcomes of a step touchpoint cannot model: a range of
    /// [`Graph::branches`].
    Opaque {
        branches: Range<u32>,
    },
}

#[derive(Debug, Clone)]
pub struct GraphNode {
    pub kind: Kind,
    pub flow: u32,
    /// Index of the node within its model flow.
    pub model: u32,
}

#[derive(Debug, Clone)]
pub struct GraphOption {
    pub menu: NodeIx,
    /// The DTMF key as an ASCII byte, or 0 for none.
    pub key: u8,
    pub guard: CondIx,
    pub goto: NodeIx,
    pub hidden: bool,
    /// "Anything else": fits every intent.
    pub fallback: bool,
    /// Key 0, or speech that catches "agent", "operator" or
    /// "representative": where a caller goes when nothing fits.
    pub zero_out: bool,
    /// Whether any input picks this option when it is enabled: false for a
    /// phone option with speech but no key whose phrases yield no sample.
    pub pickable: bool,
    /// Earlier options of the menu that take this one's input first when
    /// they are enabled (the same key, the same label, or speech that
    /// catches this option's sample utterance): a range of `shadowers`.
    pub shadowed_by: Range<u32>,
    /// For an option of a menu with `save: VAR`: the variable and the
    /// index of this option's answer in its domain, assigned when the
    /// caller picks it.
    pub saves: Option<(u16, u16)>,
}

#[derive(Debug, Clone)]
pub struct GraphFlow {
    pub id: String,
    pub start: NodeIx,
    pub nodes: Range<NodeIx>,
    /// Index in [`MenuSet::flows`].
    pub model: u32,
    /// Whether another flow calls this one, or it is a `module: true` that
    /// flows outside the set call: its `return` then hands back to the
    /// caller rather than leaving the customer nowhere.
    pub called: bool,
}

/// One channel's flows, compiled. `Clone` so that `mutate` can patch a
/// copy of the arrays for each mutant instead of compiling it again.
#[derive(Debug, Clone)]
pub struct Graph<'a> {
    pub set: &'a MenuSet,
    pub channel: Channel,
    pub flows: Vec<GraphFlow>,
    pub nodes: Vec<GraphNode>,
    pub options: Vec<GraphOption>,
    pub switch_entries: Vec<(CondIx, NodeIx)>,
    pub assignments: Vec<(u16, u16)>,
    pub conds: Vec<Cond>,
    pub vars: Vec<Var>,
    /// Intent ids, in catalogue order: the columns of the tables below.
    pub intents: Vec<String>,
    /// Per intent: whether the catalogue expects it on this channel (its
    /// `channels:` lists the channel, or it has no list). A customer with
    /// an intent not expected here is not a customer of this channel.
    pub expected: Vec<bool>,
    /// Option × intent: the option fits the intent by tag, label or speech.
    /// Only intents expected on the channel are fitted: nothing on a
    /// channel is judged against a need the catalogue does not send there.
    pub fits: intents::BitTable,
    /// Node × intent: the node is a terminal that serves the intent.
    pub serves: intents::BitTable,
    /// Node × intent: some terminal a customer reaches from the node by
    /// choosing serves the intent (see [`Graph::option_misleads`]).
    pub served_after: intents::BitTable,
    /// See [`GraphOption::shadowed_by`].
    pub shadowers: Vec<OptionIx>,
    /// Per option, what a customer says to pick it when it is a speech-only
    /// phone option. Kept apart from [`GraphOption`] so that the options
    /// the engines scan at every step stay small.
    pub utterances: Vec<Option<String>>,
    /// Per `ask` node, the simplest answer its pattern takes and the
    /// simplest it refuses (see [`Kind::Ask`]), kept beside the nodes.
    pub sample_answers: FxHashMap<NodeIx, SampleAnswers>,
    /// For menus without guards, the options a customer can pick, which
    /// then never change: ranges of this list (see [`Kind::Menu`]).
    pub always_offered: Vec<OptionIx>,
    /// Outcomes of opaque steps: (name, target).
    pub branches: Vec<(String, NodeIx)>,
    /// Every combination of the variables' values ("worlds"), world 0 being
    /// every variable at its first value.
    pub worlds: Vec<u64>,
    /// Per transfer with `open_when:`, the compiled condition under which
    /// its queue is staffed. Kept apart from [`Kind::Transfer`] so that the
    /// many places that match on a transfer stay as they are; most graphs
    /// have none.
    pub open_when: rustc_hash::FxHashMap<NodeIx, CondIx>,
    /// Per transfer, its queue: an index into [`Graph::queues`]. Who
    /// answers is part of how a journey ends (a persona's `expect.queue`).
    pub queue_of: rustc_hash::FxHashMap<NodeIx, u32>,
    /// The queues the channel's transfers name, each once.
    pub queues: Vec<String>,
    /// How many opaque steps the channel has: a chain of them longer than
    /// this (per level of calls) goes round without the customer.
    pub opaque_steps: u32,
}

/// The condition that always holds, for unguarded options.
pub(crate) const ALWAYS: CondIx = NONE;

impl<'a> Graph<'a> {
    pub fn is_visual(&self) -> bool {
        self.channel.is_visual()
    }

    pub(crate) fn model_node(&self, node: NodeIx) -> &'a Node {
        let n = &self.nodes[node as usize];
        let flow = &self.set.flows[self.flows[n.flow as usize].model as usize];
        &flow.nodes[n.model as usize]
    }

    /// The `open_when` of a transfer that is closed under `vars`: the one
    /// rule the walk (`closed-transfer`) and `replay` (a call that ends
    /// `CLOSED`) judge opening hours by. `reads` is told each variable the
    /// condition reads. `None` for an open transfer, and for any node with
    /// no `open_when`.
    pub(crate) fn closed_when(
        &self,
        node: NodeIx,
        vars: u64,
        reads: &mut impl FnMut(u16),
    ) -> Option<&'a crate::model::Located<crate::model::Condition>> {
        let &cond = self.open_when.get(&node)?;
        if self.eval(cond, vars, reads) {
            return None;
        }
        match &self.model_node(node).kind {
            crate::model::NodeKind::Transfer {
                open_when: Some(when),
                ..
            } => Some(when),
            _ => None,
        }
    }

    /// The queue of a transfer; `None` for any other node.
    pub(crate) fn queue(&self, node: NodeIx) -> Option<&str> {
        self.queue_of
            .get(&node)
            .map(|&q| self.queues[q as usize].as_str())
    }

    pub fn node_id(&self, node: NodeIx) -> &'a str {
        self.model_node(node).id.as_str()
    }

    pub(crate) fn flow_of(&self, node: NodeIx) -> &GraphFlow {
        &self.flows[self.nodes[node as usize].flow as usize]
    }

    pub fn model_option(&self, option: OptionIx) -> &'a MenuOption {
        let node = self.option_menu(option);
        let crate::model::NodeKind::Menu { options, .. } = &self.model_node(node).kind else {
            unreachable!("options belong to menus")
        };
        let Kind::Menu { options: range, .. } = &self.nodes[node as usize].kind else {
            unreachable!()
        };
        &options[(option - range.start) as usize]
    }

    /// The menu an option belongs to.
    pub(crate) fn option_menu(&self, option: OptionIx) -> NodeIx {
        self.options[option as usize].menu
    }

    pub(crate) fn node_span(&self, node: NodeIx) -> Span {
        self.model_node(node).span
    }

    /// Whether a guard holds for the packed variable values.
    pub fn eval(&self, cond: CondIx, vars: u64, reads: &mut impl FnMut(u16)) -> bool {
        if cond == ALWAYS {
            return true;
        }
        match self.conds[cond as usize] {
            Cond::Equals { var, value } => {
                reads(var);
                self.vars[var as usize].get(vars) == value
            }
            Cond::In { var, mask } => {
                reads(var);
                mask & (1u64 << self.vars[var as usize].get(vars)) != 0
            }
            Cond::Not(inner) => !self.eval(inner, vars, reads),
            Cond::And(a, b) => self.eval(a, vars, reads) && self.eval(b, vars, reads),
            Cond::Or(a, b) => self.eval(a, vars, reads) || self.eval(b, vars, reads),
        }
    }

    /// The packed word for "every variable at its first value": the world
    /// `replay` assumes for variables it is not given.
    pub fn default_vars(&self) -> u64 {
        0
    }

    /// Variable values by name, for reports.
    pub(crate) fn describe_vars(
        &self,
        vars: u64,
        which: u64,
    ) -> std::collections::BTreeMap<String, String> {
        self.vars
            .iter()
            .filter(|v| v.mask() & which != 0)
            .map(|v| (v.name.clone(), v.values[v.get(vars) as usize].clone()))
            .collect()
    }

    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }

    /// Whether a customer who wants `intent` would pick `option`: it fits
    /// explicitly, or it is a fallback. Hidden options are not offered.
    pub(crate) fn option_fits(&self, option: OptionIx, intent: usize) -> bool {
        let o = &self.options[option as usize];
        !o.hidden && (o.fallback || self.fits.get(option as usize, intent))
    }

    /// Whether an option tells a customer it is about `intent`: it fits
    /// by tag, label or speech, is announced, and is not a fallback. A
    /// fallback ("anything else") claims nothing, even when its label
    /// happens to say one of the intent's phrases, so it can never be a
    /// misleading option.
    pub(crate) fn option_claims(&self, option: OptionIx, intent: usize) -> bool {
        let o = &self.options[option as usize];
        !o.hidden && !o.fallback && self.fits.get(option as usize, intent)
    }

    /// Whether an option misleads a customer who wants `intent`: it claims
    /// the intent ([`Graph::option_claims`]) and no terminal reached after
    /// it by choosing (options, valid answers and what the flow does on its
    /// own, under any values) serves it. An option whose way on serves the
    /// intent only under some values does not mislead: the report's intent
    /// table says when the intent is served. This is the one definition of
    /// `misleading-option` that lint and the fuzzer share.
    pub(crate) fn option_misleads(&self, option: OptionIx, intent: usize) -> bool {
        let goto = self.options[option as usize].goto;
        self.option_claims(option, intent)
            && (goto == NONE || !self.served_after.get(goto as usize, intent))
    }

    /// Whether the catalogue expects `intent` on this channel.
    pub fn expects(&self, intent: usize) -> bool {
        self.expected.get(intent).copied().unwrap_or(false)
    }

    pub fn intent_index(&self, id: &str) -> Option<usize> {
        self.intents.iter().position(|i| i == id)
    }

    /// Whether the node is a terminal from which a person or self-service
    /// helps with `intent`.
    pub(crate) fn node_serves(&self, node: NodeIx, intent: usize) -> bool {
        self.serves.get(node as usize, intent)
    }

    pub(crate) fn flow_index(&self, id: &str) -> Option<usize> {
        self.flows.iter().position(|f| f.id == id)
    }
}
