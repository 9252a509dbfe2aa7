//! The moves open to a customer at one state, in a fixed order, and
//! whether any of them still leads out. The fuzzer draws its customers'
//! moves from here, and the goal-directed loop analysis asks whether a
//! loop has a way out, so both see the same moves.

use crate::graph::{Graph, Kind, OptionIx, NONE};

use super::{Choice, Machine, Need, Quiet, Settled, State, Step};

/// The moves open to a customer at one state, worked out once per step
/// into buffers that are reused from step to step. Nothing is copied that
/// the graph already holds: at a menu without guards the options are a
/// range of [`Graph::always_offered`], and the goal-directed move is only
/// worked out when a customer takes it.
///
/// [`Graph::always_offered`]: crate::graph::Graph::always_offered
#[derive(Debug)]
pub(crate) struct Moves {
    /// The options offered at a menu with guards, for this state's values.
    guarded: Vec<OptionIx>,
    /// At a menu without guards, where its options sit in
    /// `Graph::always_offered`; otherwise the options are `guarded`.
    unguarded: Option<std::ops::Range<u32>>,
    /// How many options are offered (0 away from a menu).
    option_count: usize,
    /// The moves other than options and branches, which follow the options
    /// in a fixed order: at most three (a wrong key or an invalid answer,
    /// silence, back), kept inline so that working them out at every step
    /// of every customer writes no vector.
    tail: [Choice; 3],
    tail_len: u8,
    /// At an opaque step, how many branches follow (as `Choice::Branch(0)`
    /// onwards); kept as a count, since a step may have many.
    branch_count: u32,
    /// Away from a menu, the goal-directed move (menus work it out on
    /// demand in [`Moves::goal`]).
    fixed_goal: Option<Choice>,
    at_menu: bool,
}

impl Default for Moves {
    fn default() -> Self {
        Moves {
            guarded: Vec::new(),
            unguarded: None,
            option_count: 0,
            tail: [Choice::NoInput; 3],
            tail_len: 0,
            branch_count: 0,
            fixed_goal: None,
            at_menu: false,
        }
    }
}

impl Moves {
    pub(crate) fn compute(&mut self, machine: &Machine, state: &State) {
        let graph = machine.graph;
        self.tail_len = 0;
        self.branch_count = 0;
        self.unguarded = None;
        self.option_count = 0;
        self.fixed_goal = None;
        self.at_menu = false;
        match &graph.nodes[state.node as usize].kind {
            Kind::Menu {
                back,
                guard_mask,
                always_offered,
                ..
            } => {
                self.at_menu = true;
                if *guard_mask == 0 {
                    self.unguarded = Some(always_offered.clone());
                    self.option_count = always_offered.len();
                } else {
                    machine.offered(state, &mut self.guarded);
                    self.option_count = self.guarded.len();
                }
                if !graph.is_visual() {
                    self.push_tail(Choice::NoMatch);
                }
                self.push_tail(Choice::NoInput);
                if graph.is_visual() && (*back != NONE || state.prev != NONE) {
                    self.push_tail(Choice::Back);
                }
            }
            // The platform decides an opaque step: the first branch is the
            // usual outcome, the others are what else may happen.
            Kind::Opaque { branches } => {
                self.branch_count = branches.end - branches.start;
                self.fixed_goal = (!branches.is_empty()).then_some(Choice::Branch(0));
            }
            Kind::Ask {
                has_invalid_answer,
                has_valid_answer,
                ..
            } => {
                if *has_invalid_answer {
                    self.push_tail(Choice::Invalid);
                }
                self.push_tail(Choice::NoInput);
                if graph.is_visual() && state.prev != NONE {
                    self.push_tail(Choice::Back);
                }
                self.fixed_goal = has_valid_answer.then_some(Choice::Valid);
            }
            _ => {}
        }
    }

    fn push_tail(&mut self, choice: Choice) {
        self.tail[self.tail_len as usize] = choice;
        self.tail_len += 1;
    }

    /// The moves after the options, in order: the inline ones, then the
    /// branches of an opaque step.
    #[inline]
    pub(crate) fn tail_count(&self) -> usize {
        self.tail_len as usize + self.branch_count as usize
    }

    /// Move `k` of those after the options.
    #[inline]
    pub(crate) fn tail_move(&self, k: usize) -> Choice {
        match self.tail[..self.tail_len as usize].get(k) {
            Some(&choice) => choice,
            None => Choice::Branch((k - self.tail_len as usize) as u32),
        }
    }

    /// The options a customer can pick here, in menu order.
    #[inline]
    pub(crate) fn options<'s>(&'s self, graph: &'s Graph) -> &'s [OptionIx] {
        match &self.unguarded {
            Some(range) => &graph.always_offered[range.start as usize..range.end as usize],
            None => &self.guarded[..self.option_count],
        }
    }

    /// How many moves there are other than the goal-directed one.
    #[inline]
    pub(crate) fn other_count(&self) -> usize {
        self.option_count + self.tail_count()
    }

    /// Move `k` of the others: the options in menu order, then the rest.
    #[inline]
    pub(crate) fn other(&self, graph: &Graph, k: usize) -> Choice {
        match self.options(graph).get(k) {
            Some(&option) => Choice::Option(option),
            None => self.tail_move(k - self.option_count),
        }
    }

    /// Every move other than the goal-directed one, in order.
    pub(crate) fn others<'s>(&'s self, graph: &'s Graph) -> impl Iterator<Item = Choice> + 's {
        let options = self.options(graph).iter().map(|&i| Choice::Option(i));
        options.chain((0..self.tail_count()).map(|k| self.tail_move(k)))
    }

    /// The goal-directed move: what fits `need`, else a fallback, else
    /// zero-out to a person; the right answer at an `ask`. With no need (a
    /// customer of a set with no catalogue), the first announced option.
    pub(crate) fn goal(&self, machine: &Machine, need: Option<Need>) -> Option<Choice> {
        if !self.at_menu {
            return self.fixed_goal;
        }
        let options = self.options(machine.graph);
        let chosen = match need {
            None => machine.choose_among(options, Need::Anything, false),
            Some(need) => machine.choose_among(options, need, true),
        };
        chosen.map(Choice::Option)
    }
}

/// Whether any end, transfer, dropped call or return can still be reached
/// from `state` by any inputs: a run that stopped going anywhere is only a
/// trap when this is false. Bounded, and "yes" when the bound is hit, so
/// that a large graph never yields a false trap.
pub(crate) fn can_exit(machine: &mut Machine, state: State) -> bool {
    let mut seen: rustc_hash::FxHashSet<State> = rustc_hash::FxHashSet::default();
    let mut pending = vec![state];
    seen.insert(state);
    while let Some(s) = pending.pop() {
        if seen.len() > 20_000 {
            return true;
        }
        let mut moves = Moves::default();
        moves.compute(machine, &s);
        let mut choices: Vec<Choice> = moves.others(machine.graph).collect();
        if matches!(machine.graph.nodes[s.node as usize].kind, Kind::Ask { .. }) {
            choices.push(Choice::Valid);
        }
        for choice in choices {
            match machine.step(&s, choice, &mut Quiet) {
                Step::Moved(Settled::Waiting(next)) | Step::Reprompt(next) => {
                    if seen.insert(next) {
                        pending.push(next);
                    }
                }
                Step::Moved(Settled::DeadEnd(..) | Settled::SilentLoop(_))
                | Step::Ignored
                | Step::Unavailable => {}
                Step::Moved(_) | Step::Dropped(_) => return true,
            }
        }
    }
    false
}
