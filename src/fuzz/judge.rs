//! The oracle: plays one customer's actions through the machine and says
//! whether the run failed, and how.
//!
//! An action is a number. 0 is the goal-directed move (the option that fits
//! the customer's need, else a fallback, else zero-out to a person; the right
//! answer at an `ask`). Any other number `a` picks entry `(a - 1) % n` of the
//! other moves available there (every option, a wrong key, silence, back,
//! an invalid answer). Missing actions are 0. So a run shrinks towards the
//! plain goal-directed customer, and a failure that needs a wrong key keeps
//! exactly the wrong keys it needs.

use crate::analysis::goal_loop::{self, GoalLoop};
use crate::coverage::CoverageMap;
use crate::finding::Code;
use crate::graph::{Kind, NodeIx, NONE};
use crate::machine::{
    can_exit, Choice, DeadEndReason, Machine, Moves, Observer, Quiet, Settled, State, Step,
};
use crate::model::Span;

use super::actions::Actions;
use super::customer::Customer;

/// What went wrong, keyed like the explorer's findings so that the same
/// problem found both ways is reported once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Failure {
    pub code: Code,
    pub node: NodeIx,
    pub detail: u32,
    pub message: String,
    /// The choices from the start up to and including the failing one.
    pub choices: Vec<Choice>,
    pub intent: Option<usize>,
    /// Where the finding points when not at its node: a misleading option
    /// is shown at the option, as lint shows it.
    pub span: Option<Span>,
}

pub struct Limits {
    /// Steps after which a goal-directed customer who is still going round
    /// counts as lost.
    pub max_steps: usize,
}

/// Plays a run; `Ok(())` when the customer was served, transferred, gave
/// up after wandering, or ended somewhere the oracle accepts.
pub fn judge(
    machine: &mut Machine,
    customer: &Customer,
    world: u64,
    actions: &[u16],
    limits: &Limits,
) -> Result<(), Failure> {
    let mut replay = |step: usize, _: &Moves, _: &State, _: Option<&CoverageMap>| {
        actions.get(step).copied().unwrap_or(0)
    };
    judge_with(
        machine,
        customer,
        world,
        limits,
        &mut replay,
        None,
        &mut Scratch::default(),
    )
    .0
}

/// Buffers a run needs, kept from run to run so that judging a run of a
/// few steps does not allocate.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    choices: Vec<Choice>,
    first_seen: FirstSeen,
    recent: Vec<Place>,
    seen_goal_states: Vec<State>,
    moves: Moves,
    /// The actions taken, handed back to the caller.
    taken: Vec<u16>,
    /// Per (flow, intent, world), the goal-directed loop lint's rule finds,
    /// worked out the first time a customer comes back where they were.
    goal_loops: rustc_hash::FxHashMap<(u32, usize, u64), Option<GoalLoop>>,
    /// Where each (flow, world) settles first, and the nodes entered on the
    /// way. Settling is deterministic, so every customer after the first of
    /// a flow and world starts from here. Each one still marks those nodes
    /// as covered: the coverage map is a batch's, and a batch must reach
    /// the same nodes whether or not an earlier batch ran on this scratch
    /// (a shard runs only some batches), since what it has reached guides
    /// what it does next.
    starts: rustc_hash::FxHashMap<(u32, u64), (Settled, Vec<NodeIx>)>,
}

/// The nodes a settle enters, in order.
#[derive(Default)]
struct Entered(Vec<NodeIx>);

impl Observer for Entered {
    fn enter(&mut self, node: NodeIx) {
        self.0.push(node);
    }
}

/// Chooses a run's next action from the step number, the moves open, the
/// state and what runs have covered so far. Generic rather than a trait
/// object, so that the fuzzer's choice is inlined into the step loop.
pub(crate) trait Picker: FnMut(usize, &Moves, &State, Option<&CoverageMap>) -> u16 {}
impl<F: FnMut(usize, &Moves, &State, Option<&CoverageMap>) -> u16> Picker for F {}

/// An observer that marks coverage when there is a map to mark.
struct MaybeCoverage<'c>(Option<&'c mut CoverageMap>);

impl Observer for MaybeCoverage<'_> {
    fn enter(&mut self, node: NodeIx) {
        if let Some(map) = &mut self.0 {
            map.enter(node);
        }
    }
}

/// Plays a run whose actions come from `pick` (given the step, the moves
/// open there, the state and what runs have covered so far), recording
/// coverage in `coverage` if given. Returns the verdict and the actions
/// taken, which `judge` replays to the same verdict: generating a run and
/// judging it is one pass.
pub(crate) fn judge_with(
    machine: &mut Machine,
    customer: &Customer,
    world: u64,
    limits: &Limits,
    pick: &mut impl Picker,
    coverage: Option<&mut CoverageMap>,
    scratch: &mut Scratch,
) -> (Result<(), Failure>, Actions) {
    let mut coverage = MaybeCoverage(coverage);
    let verdict = judge_inner(
        machine,
        customer,
        world,
        limits,
        pick,
        &mut coverage,
        scratch,
    );
    (verdict, Actions::new(&scratch.taken))
}

fn judge_inner(
    machine: &mut Machine,
    customer: &Customer,
    world: u64,
    limits: &Limits,
    pick: &mut impl Picker,
    coverage: &mut MaybeCoverage,
    scratch: &mut Scratch,
) -> Result<(), Failure> {
    let Scratch {
        choices,
        first_seen,
        recent,
        seen_goal_states,
        moves,
        taken,
        starts,
        goal_loops,
    } = scratch;
    taken.clear();
    choices.clear();
    first_seen.0.clear();
    recent.clear();
    seen_goal_states.clear();
    let graph = machine.graph;
    let flow = &graph.flows[customer.flow as usize];
    let fail =
        |code: Code, node: NodeIx, detail: u32, message: String, choices: &[Choice]| Failure {
            code,
            node,
            detail,
            message,
            choices: choices.to_vec(),
            intent: customer.intent,
            span: None,
        };
    let (start, entered) = starts.entry((customer.flow, world)).or_insert_with(|| {
        let mut entered = Entered::default();
        let settled = machine.settle(flow.start, world, 0, NONE, &mut entered);
        // A silent loop enters its nodes many times; once is enough here.
        entered.0.sort_unstable();
        entered.0.dedup();
        (settled, entered.0)
    });
    for &node in entered.iter() {
        coverage.enter(node);
    }
    let mut settled = *start;
    // Whether every move so far was the goal-directed one: only such a
    // customer can be said to be stuck, misrouted or going round in circles
    // by the menus' fault rather than their own.
    let mut pure_goal = true;
    // Set once lint's rule says this customer's coming back is no loop.
    let mut goal_loop_ruled_out = false;

    for step in 0..limits.max_steps {
        let state = match settled {
            Settled::Waiting(state) => state,
            Settled::Terminal(node) => {
                // Misrouted: the customer chose what fits all the way and
                // still ended where nobody serves their need.
                let misrouted =
                    pure_goal && customer.intent.is_some_and(|x| !graph.node_serves(node, x));
                // The option to blame is the last one they picked, and only
                // when it misleads by the rule lint applies
                // (`Graph::option_misleads`): it claims their intent and
                // nothing reached after it by choosing serves it, under any
                // values. A run that ends unserved after an option whose way
                // on serves the intent under other values (a lookup that
                // failed, after hours) shows an intent served only
                // sometimes, which the report's intent table says, not a
                // misleading option. A customer whose last option was a
                // fallback or a way to a person took something that claims
                // nothing, and an option picked before it is not to blame
                // either: the run shows only that the menu after it had
                // nothing fitting under these values, which the walk's
                // rules judge.
                let last_option = choices.iter().rev().find_map(|choice| match *choice {
                    Choice::Option(i) => Some(i),
                    _ => None,
                });
                let misled = customer
                    .intent
                    .filter(|_| misrouted)
                    .zip(last_option)
                    .filter(|&(x, option)| graph.option_misleads(option, x));
                if let Some((x, option)) = misled {
                    let menu = graph.options[option as usize].menu;
                    let mut failure = fail(
                        Code::MisleadingOption,
                        menu,
                        option * graph.intents.len() as u32 + x as u32,
                        crate::analysis::misleading_message(graph, option, x),
                        choices,
                    );
                    failure.span = Some(graph.model_option(option).span);
                    return Err(failure);
                }
                return Ok(());
            }
            Settled::DeadEnd(node, reason) => {
                return Err(fail(
                    Code::DeadEnd,
                    node,
                    reason as u32,
                    format!(
                        "`{}` is a dead end: {}",
                        graph.node_id(node),
                        reason.explain()
                    ),
                    choices,
                ))
            }
            Settled::SilentLoop(node) => {
                return Err(fail(
                    Code::Trap,
                    node,
                    u32::MAX,
                    format!(
                        "the nodes after `{}` lead round to it with no menu in between",
                        graph.node_id(node)
                    ),
                    choices,
                ))
            }
            Settled::Returned(_) | Settled::CallTooDeep(_) => return Ok(()),
        };
        moves.compute(machine, &state);
        let action = pick(step, moves, &state, coverage.0.as_deref());
        taken.push(action);
        let other_count = moves.other_count();
        let choice = if action == 0 || other_count == 0 {
            match moves.goal(machine, customer.need()) {
                Some(choice) => choice,
                None if pure_goal
                    && !customer.aimless
                    && matches!(graph.nodes[state.node as usize].kind, Kind::Menu { .. }) =>
                {
                    if machine.guarded_off(&state) {
                        return Err(fail(
                            Code::DeadEnd,
                            state.node,
                            DeadEndReason::NoOptions as u32,
                            format!(
                                "`{}` is a dead end: {}",
                                graph.node_id(state.node),
                                DeadEndReason::NoOptions.explain()
                            ),
                            choices,
                        ));
                    }
                    let who = match customer.intent {
                        Some(x) => format!("a customer who wants {}", graph.intents[x]),
                        // The customer's words are random; leaving them out keeps the
                        // finding the same whichever customer found it.
                        None => "a customer whose need is not in the catalogue".to_string(),
                    };
                    return Err(fail(
                        Code::NoFit,
                        state.node,
                        customer.intent.map_or(graph.intents.len() as u32, |x| x as u32),
                        format!(
                            "{who} finds nothing that fits at `{}`: no fallback and no way to a person",
                            graph.node_id(state.node)
                        ),
                        choices,
                    ));
                }
                // A customer who wandered off and finds nothing for them
                // gives up; that is their doing, not the menu's.
                None => return Ok(()),
            }
        } else {
            pure_goal = false;
            moves.other(graph, (action as usize - 1) % other_count)
        };
        if pure_goal && !customer.aimless && !goal_loop_ruled_out {
            if seen_goal_states.contains(&state) {
                // The customer came back where they were. Whether that is
                // a goal-directed loop is the set's property, which lint
                // decides the same way for every seed: report its loop (at
                // its node, with its inputs, so the two are one finding),
                // or nothing when another option that fits gets them out.
                // A need the catalogue does not know has nothing that fits,
                // only fallbacks, and lint judges no loop for it.
                let found = customer.intent.and_then(|x| {
                    goal_loops
                        .entry((customer.flow, x, world))
                        .or_insert_with(|| {
                            goal_loop::goal_loop(machine, customer.flow as usize, x, world)
                        })
                        .clone()
                        .map(|found| (x, found))
                });
                match found {
                    Some((x, found)) => {
                        return Err(fail(
                            Code::Trap,
                            found.node,
                            goal_loop::detail(x),
                            goal_loop::message(graph, x, found.node),
                            &found.choices,
                        ));
                    }
                    None => goal_loop_ruled_out = true,
                }
            }
            seen_goal_states.push(state);
        }
        choices.push(choice);
        let step_result = machine.step(&state, choice, coverage);
        if let Some(map) = &mut coverage.0 {
            map.record(&state, choice, &step_result);
        }
        match step_result {
            Step::Moved(next) => settled = next,
            Step::Reprompt(next) => settled = Settled::Waiting(next),
            Step::Dropped(kind) => {
                let node_id = graph.node_id(state.node);
                return Err(fail(
                    Code::UnhandledInput,
                    state.node,
                    kind as u32,
                    format!(
                        "{} at `{node_id}` has no `{}` handler: the platform drops the call",
                        capitalize(kind.describe()),
                        kind.handler_name()
                    ),
                    choices,
                ));
            }
            Step::Ignored | Step::Unavailable => {}
        }
    }
    // Out of steps. Going round is only the menus' fault when no input at
    // all leads anywhere from here.
    if let Settled::Waiting(state) = settled {
        mark_progress(machine, flow.start, world, choices, first_seen, recent);
        let tail = &recent[recent.len().saturating_sub(16)..];
        let no_progress = tail
            .iter()
            .all(|&place| first_seen.get(place) + 16 <= choices.len());
        if no_progress && !can_exit(machine, state) {
            // A menu whose every option is guarded off is a dead end, a
            // finding of its own: inputs that end there replay as that dead
            // end, not as the loop. The loop is shown from the first place
            // in it where the customer can choose (back, a handler), or,
            // when it has none, from its first place as before.
            let place = tail
                .iter()
                .copied()
                .filter(|place| !place.stranded(machine))
                .min_by_key(|&place| first_seen.get(place))
                .or_else(|| {
                    tail.iter()
                        .copied()
                        .min_by_key(|&place| first_seen.get(place))
                })
                .unwrap_or_else(|| Place::of(&state));
            let node = place.node;
            // The inputs that lead into the loop are enough to show it:
            // those up to where the customer first stood at its node with
            // the values they go round with. The first visit to the node
            // may have been under other values (before a `set`), from
            // which the loop is not where the inputs lead.
            choices.truncate(first_seen.get(place));
            return Err(fail(
                Code::Trap,
                node,
                0,
                format!(
                    "a customer who reaches `{}` can never reach an end: after {} steps they are still going round",
                    graph.node_id(node),
                    limits.max_steps
                ),
                choices,
            ));
        }
    }
    Ok(())
}

/// Replays `choices` to find when each place was first reached (as the
/// number of choices made by then) and which places the customer waited at
/// after each step: "no progress" is a run of steps that reach nothing new.
/// Only a run that used up its steps needs this, so the step loop does not
/// keep it.
fn mark_progress(
    machine: &mut Machine,
    start: NodeIx,
    world: u64,
    choices: &[Choice],
    first_seen: &mut FirstSeen,
    recent: &mut Vec<Place>,
) {
    let mut settled = machine.settle(start, world, 0, NONE, &mut Quiet);
    if let Settled::Waiting(first) = settled {
        first_seen.note(Place::of(&first), 0);
        recent.push(Place::of(&first));
    }
    for (made, &choice) in choices.iter().enumerate() {
        let Settled::Waiting(state) = settled else {
            break;
        };
        match machine
            .step(&state, choice, &mut Quiet)
            .settled_after(&state)
        {
            Some(next) => settled = next,
            None => break,
        }
        if let Settled::Waiting(next) = settled {
            first_seen.note(Place::of(&next), made + 1);
            recent.push(Place::of(&next));
        }
    }
}

/// Where a customer waits, as far as going round is concerned: the node,
/// the values of the variables and the calls beneath. Coming back to a node
/// with other values is progress (a `set` on the way may open a way out),
/// and a trap's inputs must lead to the node with the values of the loop.
/// Retry counters and the page came from are left out: they change within
/// a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    node: NodeIx,
    vars: u64,
    stack: u32,
}

impl Place {
    fn of(state: &State) -> Place {
        Place {
            node: state.node,
            vars: state.vars,
            stack: state.stack,
        }
    }

    /// Whether the place is a menu with options, every one guarded off
    /// under its values (`Machine::guarded_off`, which reads only the node
    /// and the values).
    fn stranded(self, machine: &Machine) -> bool {
        machine.guarded_off(&State {
            node: self.node,
            stack: self.stack,
            prev: NONE,
            vars: self.vars,
            no_input: 0,
            no_match: 0,
        })
    }
}

/// When each place was first reached in a run. Runs are short, so a list
/// searched from the front is cheaper than a hash map.
#[derive(Debug, Default)]
struct FirstSeen(Vec<(Place, usize)>);

impl FirstSeen {
    fn note(&mut self, place: Place, at: usize) {
        if !self.0.iter().any(|(p, _)| *p == place) {
            self.0.push((place, at));
        }
    }

    fn get(&self, place: Place) -> usize {
        self.0
            .iter()
            .find(|(p, _)| *p == place)
            .map_or(0, |(_, at)| *at)
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
