//! What happens to a customer: the transition function over the compiled
//! graph. The explorer, `replay`, and later the fuzzer and personas all step
//! through this one function, so that inputs a report prints replay exactly.

mod choice;
mod goal;
mod moves;
mod stacks;
mod state;

pub use choice::Choice;
pub(crate) use choice::InputKind;
pub(crate) use goal::Need;
pub(crate) use moves::{can_exit, Moves};
pub(crate) use stacks::Stacks;
pub use state::State;

use crate::graph::{Graph, Handler, Kind, NodeIx, OptionIx, NONE};

/// Why a customer can go no further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadEndReason {
    SayWithoutNext,
    SetWithoutNext,
    NoSwitchEntry,
    ReturnWithoutCaller,
    CallWithoutNext,
    AskWithoutGoto,
    /// A menu whose options are all guarded off.
    NoOptions,
    /// An opaque step with no outcome to go on to.
    NoBranches,
}

impl DeadEndReason {
    pub(crate) fn explain(self) -> &'static str {
        match self {
            DeadEndReason::SayWithoutNext => {
                "this `say` has no `next`: the customer hears it and then nothing"
            }
            DeadEndReason::SetWithoutNext => "this `set` has no `next`: nothing follows it",
            DeadEndReason::NoSwitchEntry => {
                "no entry of this switch matches and it has no default entry"
            }
            DeadEndReason::ReturnWithoutCaller => {
                "this `return` has no caller to return to: nobody calls this flow"
            }
            DeadEndReason::CallWithoutNext => {
                "the called flow returns here, but this `call` has no `next`"
            }
            DeadEndReason::AskWithoutGoto => {
                "a valid answer here has nowhere to go: the `ask` has no `goto`"
            }
            DeadEndReason::NoOptions => "every option of this menu is guarded off",
            DeadEndReason::NoBranches => "this opaque step has no branch to go on to",
        }
    }
}

/// Where following the graph without input stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// At a menu or ask, waiting for the customer.
    Waiting(State),
    /// A transfer, end or hangup.
    Terminal(NodeIx),
    /// The flow was called and returned with nothing above it: only possible
    /// when exploring a called flow on its own, where the return is its exit.
    Returned(NodeIx),
    DeadEnd(NodeIx, DeadEndReason),
    /// Say/set/switch/call nodes that lead round to themselves: the customer
    /// hears the same thing forever and can do nothing about it.
    SilentLoop(NodeIx),
    /// Calls nested past the configured depth (recursive flows).
    CallTooDeep(NodeIx),
}

/// Why following nodes without input stops at a node.
enum Halt {
    /// The node waits for the customer.
    Waiting,
    Settled(Settled),
}

/// The result of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Moved(Settled),
    /// A handler re-prompted the same node.
    Reprompt(State),
    /// No handler: on the phone the platform drops the call.
    Dropped(InputKind),
    /// Web or app: nothing happens (idle with no timeout handler, an invalid
    /// form value with no handler): the customer stays on the page.
    Ignored,
    /// The input does not exist here (back on the phone, an option guarded off).
    Unavailable,
}

impl Step {
    /// Where the customer is after this step taken at `from`: an input that
    /// changed nothing (ignored, or not available) leaves them waiting
    /// where they were, and the session goes on; `None` when the platform
    /// dropped the call. Every player of a list of choices (the fuzzer's
    /// judge, the conversion of a finding into printed inputs, replay) goes
    /// on from here in the same way, so that a run that failed fails again
    /// the same way when its inputs are replayed.
    pub(crate) fn settled_after(self, from: &State) -> Option<Settled> {
        match self {
            Step::Moved(next) => Some(next),
            Step::Reprompt(next) => Some(Settled::Waiting(next)),
            Step::Ignored | Step::Unavailable => Some(Settled::Waiting(*from)),
            Step::Dropped(_) => None,
        }
    }
}

/// Told about every node entered and every variable read or written, for
/// transcripts, reachability and "which variables mattered".
pub trait Observer {
    fn enter(&mut self, _node: NodeIx) {}
    fn read(&mut self, _var: u16, _vars: u64) {}
    fn write(&mut self, _var: u16) {}
    /// A `call` enters `flow` with the variables `vars`: the values the
    /// called flow starts with (the explorer judges a called flow only in
    /// the values its callers really bring).
    fn call(&mut self, _flow: u32, _vars: u64) {}
    /// The session ends at the terminal `node` (a transfer, end or hangup)
    /// with the variables `vars`, after every `set` on the way: what a
    /// transfer's opening hours are judged by (`closed-transfer`).
    fn arrive(&mut self, _node: NodeIx, _vars: u64) {}
}

/// An observer that ignores everything; the explorer's hot path uses it.
pub struct Quiet;
impl Observer for Quiet {}

/// Options for a walk through the machine.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub call_depth: usize,
    /// When exploring a called flow on its own, a `return` with nothing on
    /// the stack is its exit, not a dead end.
    pub standalone: bool,
}

pub struct Machine<'g, 'a> {
    pub graph: &'g Graph<'a>,
    pub stacks: Stacks,
    pub rules: Rules,
}

impl<'g, 'a> Machine<'g, 'a> {
    pub fn new(graph: &'g Graph<'a>, rules: Rules) -> Self {
        Machine {
            graph,
            stacks: Stacks::default(),
            rules,
        }
    }

    /// Whether option `i` exists under `vars`.
    pub fn enabled(&self, option: OptionIx, vars: u64, obs: &mut impl Observer) -> bool {
        self.graph
            .eval(self.graph.options[option as usize].guard, vars, &mut |v| {
                obs.read(v, vars)
            })
    }

    /// Whether the customer is at a menu whose every option is guarded off
    /// under the state's values: a dead end. A menu written with no option
    /// at all is not one: it is a prompt that no answer gets past (as a
    /// platform's input block with no conditions is), whose `no_input` and
    /// `no_match` handlers are its ways on, judged as such.
    pub fn guarded_off(&self, state: &State) -> bool {
        let any_enabled = match &self.graph.nodes[state.node as usize].kind {
            // Without guards every option is enabled.
            Kind::Menu {
                options,
                guard_mask,
                ..
            } => {
                *guard_mask == 0
                    || options
                        .clone()
                        .any(|i| self.enabled(i, state.vars, &mut Quiet))
            }
            _ => return false,
        };
        self.guarded_off_given(state, any_enabled)
    }

    /// [`Machine::guarded_off`] for a state whose answer to "is any option
    /// enabled" is already known (as [`Machine::offered`] returns it), so
    /// the walk does not test the guards twice.
    pub fn guarded_off_given(&self, state: &State, any_enabled: bool) -> bool {
        !any_enabled
            && matches!(
                &self.graph.nodes[state.node as usize].kind,
                Kind::Menu { options, .. } if !options.is_empty()
            )
    }

    /// The options a customer can really pick at a menu, in order: enabled,
    /// and not shadowed by an earlier enabled option that `replay` would
    /// choose for the same input (the same key, the same label, or speech
    /// that catches a speech-only option's sample utterance first). Returns
    /// whether any option is enabled at all.
    pub fn offered(&self, state: &State, out: &mut Vec<OptionIx>) -> bool {
        out.clear();
        let graph = self.graph;
        let Kind::Menu {
            options,
            guard_mask,
            always_offered,
            ..
        } = &graph.nodes[state.node as usize].kind
        else {
            return false;
        };
        // Without guards the answer never changes and was worked out when
        // the graph was compiled.
        if *guard_mask == 0 {
            out.extend_from_slice(
                &graph.always_offered[always_offered.start as usize..always_offered.end as usize],
            );
            return !options.is_empty();
        }
        let mut any_enabled = false;
        for i in options.clone() {
            if !self.enabled(i, state.vars, &mut Quiet) {
                continue;
            }
            any_enabled = true;
            let option = &graph.options[i as usize];
            let shadowers = &graph.shadowers
                [option.shadowed_by.start as usize..option.shadowed_by.end as usize];
            if option.pickable
                && !shadowers
                    .iter()
                    .any(|&j| self.enabled(j, state.vars, &mut Quiet))
            {
                out.push(i);
            }
        }
        any_enabled
    }

    /// Follows non-interactive nodes from `node` until the customer has to
    /// act or the session ends.
    pub fn settle(
        &mut self,
        mut node: NodeIx,
        mut vars: u64,
        mut stack: u32,
        prev: NodeIx,
        obs: &mut impl Observer,
    ) -> Settled {
        let start_stack = stack;
        // Brent's cycle detection: say/set/switch/call/return are
        // deterministic, so a repeated (node, vars, stack) means a loop
        // no input can break, found without remembering every step.
        let mut saved = (node, vars, stack);
        let mut power = 1u32;
        let mut lambda = 0u32;
        loop {
            obs.enter(node);
            node = match self.advance(node, &mut vars, &mut stack, obs) {
                Ok(next) => next,
                Err(Halt::Waiting) => {
                    // Back navigation does not cross a call boundary.
                    let prev = if stack == start_stack { prev } else { NONE };
                    return Settled::Waiting(State {
                        node,
                        stack,
                        prev,
                        vars,
                        no_input: 0,
                        no_match: 0,
                    });
                }
                Err(Halt::Settled(settled)) => return settled,
            };
            if saved == (node, vars, stack) {
                return Settled::SilentLoop(self.loop_representative(node, vars, stack));
            }
            lambda += 1;
            if lambda == power {
                saved = (node, vars, stack);
                power *= 2;
                lambda = 0;
            }
        }
    }

    /// The node a silent loop through `node` is reported at: the lowest
    /// node of the loop, so that a loop entered from several places is one
    /// finding, not one per place where Brent's check happened to see it
    /// come round.
    fn loop_representative(&mut self, start: NodeIx, mut vars: u64, mut stack: u32) -> NodeIx {
        let mut lowest = start;
        let mut node = start;
        let first = (start, vars, stack);
        // The loop is at most as long as the states Brent's check could
        // have passed; bound the walk all the same.
        for _ in 0..self.graph.nodes.len().max(1) * 4 {
            match self.advance(node, &mut vars, &mut stack, &mut Quiet) {
                Ok(next) => node = next,
                Err(_) => break,
            }
            if (node, vars, stack) == first {
                break;
            }
            lowest = lowest.min(node);
        }
        lowest
    }

    /// One deterministic step from a node that does not wait for the
    /// customer: the next node, or why following stops here.
    fn advance(
        &mut self,
        node: NodeIx,
        vars: &mut u64,
        stack: &mut u32,
        obs: &mut impl Observer,
    ) -> Result<NodeIx, Halt> {
        let kind = &self.graph.nodes[node as usize].kind;
        let settled = |s| Err(Halt::Settled(s));
        match kind {
            Kind::Opaque { branches } if branches.is_empty() => {
                settled(Settled::DeadEnd(node, DeadEndReason::NoBranches))
            }
            // An opaque step waits like a menu, but the "input" is the
            // outcome of whatever the platform did there.
            Kind::Menu { .. } | Kind::Ask { .. } | Kind::Opaque { .. } => Err(Halt::Waiting),
            Kind::Transfer | Kind::End | Kind::Hangup => {
                obs.arrive(node, *vars);
                settled(Settled::Terminal(node))
            }
            Kind::Say { next } => {
                if *next == NONE {
                    return settled(Settled::DeadEnd(node, DeadEndReason::SayWithoutNext));
                }
                Ok(*next)
            }
            Kind::Set { assignments, next } => {
                for &(var, value) in
                    &self.graph.assignments[assignments.start as usize..assignments.end as usize]
                {
                    obs.write(var);
                    *vars = self.graph.vars[var as usize].set(*vars, value);
                }
                if *next == NONE {
                    return settled(Settled::DeadEnd(node, DeadEndReason::SetWithoutNext));
                }
                Ok(*next)
            }
            Kind::Switch { entries } => {
                let graph = self.graph;
                let vars = *vars;
                let found = graph.switch_entries[entries.start as usize..entries.end as usize]
                    .iter()
                    .find(|(cond, _)| graph.eval(*cond, vars, &mut |v| obs.read(v, vars)));
                match found {
                    Some(&(_, goto)) => Ok(goto),
                    None => settled(Settled::DeadEnd(node, DeadEndReason::NoSwitchEntry)),
                }
            }
            Kind::Call { flow, .. } => {
                if self.stacks.depth(*stack) >= self.rules.call_depth {
                    return settled(Settled::CallTooDeep(node));
                }
                *stack = self.stacks.push(*stack, node);
                obs.call(*flow, *vars);
                Ok(self.graph.flows[*flow as usize].start)
            }
            Kind::Return => {
                if *stack == Stacks::EMPTY {
                    let called = self.graph.flow_of(node).called;
                    return settled(if self.rules.standalone && called {
                        Settled::Returned(node)
                    } else {
                        Settled::DeadEnd(node, DeadEndReason::ReturnWithoutCaller)
                    });
                }
                let call = self.stacks.top(*stack);
                *stack = self.stacks.pop(*stack);
                let Kind::Call { next, .. } = self.graph.nodes[call as usize].kind else {
                    unreachable!("stack frames are call nodes")
                };
                if next == NONE {
                    return settled(Settled::DeadEnd(call, DeadEndReason::CallWithoutNext));
                }
                Ok(next)
            }
        }
    }

    /// Applies one choice to a waiting state.
    pub fn step(&mut self, state: &State, choice: Choice, obs: &mut impl Observer) -> Step {
        let graph = self.graph;
        let visual = graph.is_visual();
        // Where "back" will lead from the next node: only web and app keep it.
        let prev = if visual { state.node } else { NONE };
        match &graph.nodes[state.node as usize].kind {
            Kind::Menu {
                no_input,
                no_match,
                back,
                ..
            } => match choice {
                Choice::Option(i) => {
                    if graph.options[i as usize].menu != state.node
                        || !self.enabled(i, state.vars, obs)
                    {
                        return Step::Unavailable;
                    }
                    let option = &graph.options[i as usize];
                    let mut after = *state;
                    if let Some((var, value)) = option.saves {
                        obs.write(var);
                        after.vars = graph.vars[var as usize].set(after.vars, value);
                    }
                    Step::Moved(self.move_to(&after, option.goto, prev, obs))
                }
                Choice::NoInput => self.handle(state, *no_input, InputKind::Silence, obs),
                Choice::NoMatch if !visual => {
                    self.handle(state, *no_match, InputKind::NoMatch, obs)
                }
                Choice::Back if visual => self.back(state, *back, obs),
                _ => Step::Unavailable,
            },
            Kind::Ask {
                goto,
                invalid,
                no_input,
                ..
            } => match choice {
                Choice::Valid => {
                    if *goto == NONE {
                        return Step::Moved(Settled::DeadEnd(
                            state.node,
                            DeadEndReason::AskWithoutGoto,
                        ));
                    }
                    Step::Moved(self.move_to(state, *goto, prev, obs))
                }
                Choice::Invalid => self.handle(state, *invalid, InputKind::Invalid, obs),
                Choice::NoInput => self.handle(state, *no_input, InputKind::Silence, obs),
                Choice::Back if visual => self.back(state, NONE, obs),
                _ => Step::Unavailable,
            },
            Kind::Opaque { branches } => match choice {
                Choice::Branch(b) if b < branches.end - branches.start => {
                    let (_, goto) = graph.branches[(branches.start + b) as usize];
                    Step::Moved(self.settle(goto, state.vars, state.stack, NONE, obs))
                }
                _ => Step::Unavailable,
            },
            _ => Step::Unavailable,
        }
    }

    fn move_to(
        &mut self,
        state: &State,
        goto: NodeIx,
        prev: NodeIx,
        obs: &mut impl Observer,
    ) -> Settled {
        match self.settle(goto, state.vars, state.stack, prev, obs) {
            // Coming back to the same page keeps its own "back".
            Settled::Waiting(mut next) if next.node == state.node && next.stack == state.stack => {
                next.prev = state.prev;
                Settled::Waiting(next)
            }
            other => other,
        }
    }

    fn back(&mut self, state: &State, back: NodeIx, obs: &mut impl Observer) -> Step {
        if back != NONE {
            return Step::Moved(self.settle(back, state.vars, state.stack, NONE, obs));
        }
        if state.prev == NONE {
            return Step::Unavailable;
        }
        obs.enter(state.prev);
        Step::Moved(Settled::Waiting(State {
            node: state.prev,
            stack: state.stack,
            prev: NONE,
            vars: state.vars,
            no_input: 0,
            no_match: 0,
        }))
    }

    fn handle(
        &mut self,
        state: &State,
        handler: Handler,
        kind: InputKind,
        obs: &mut impl Observer,
    ) -> Step {
        let visual = self.graph.is_visual();
        if !handler.is_present() {
            return if visual {
                Step::Ignored
            } else {
                Step::Dropped(kind)
            };
        }
        let count = match kind {
            InputKind::Silence => state.no_input,
            _ => state.no_match,
        };
        if count < handler.retries {
            let mut next = *state;
            match kind {
                InputKind::Silence => next.no_input += 1,
                _ => next.no_match += 1,
            }
            obs.enter(state.node);
            return Step::Reprompt(next);
        }
        let prev = if visual { state.node } else { NONE };
        let settled = self.settle(handler.then, state.vars, state.stack, prev, obs);
        // Landing on the same node again after the retries restarts its
        // counters: that is the endless re-prompt the explorer reports.
        Step::Moved(settled)
    }
}
