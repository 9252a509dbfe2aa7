//! One persona's journey through a flow: the script first, goal-directed
//! behaviour where the script has nothing to say, traits and patience on
//! top, and the measures a service designer asks for.

use std::collections::BTreeMap;

use crate::graph::{Graph, Kind, NodeIx, OptionIx, NONE};
use crate::input::{render, resolve, Input};
use crate::machine::{Choice, Machine, Observer, Quiet, Rules, Settled, State, Step};
use crate::model::{MenuSet, NodeKind, Outcome, Persona, PersonaRunConfig, ScriptStep, Trait};

const DEFAULT_PATIENCE_STEPS: u32 = 30;
const DEFAULT_PATIENCE_RETRIES: u32 = 3;

/// What happened on one journey.
#[derive(Debug, Clone)]
pub(crate) struct Journey {
    pub flow: String,
    pub vars: BTreeMap<String, String>,
    pub outcome: Outcome,
    pub node: String,
    /// The queue of the transfer the journey ended at.
    pub queue: Option<String>,
    pub steps: u32,
    pub menus: u32,
    pub retries: u32,
    pub seconds: f64,
    pub inputs: Vec<String>,
    pub transcript: Vec<String>,
    /// Script steps that could not be followed, `hear`s that did not match.
    pub problems: Vec<String>,
}

/// Collects what the customer hears and how long it takes.
struct Ears<'g, 'a, 'c> {
    graph: &'g Graph<'a>,
    coverage: &'c mut crate::coverage::CoverageMap,
    /// Text heard since the last input, for `hear` steps.
    heard: Vec<String>,
    transcript: Vec<String>,
    menus: u32,
    seconds: f64,
    /// The set's one model of caller time.
    timing: crate::timing::Timing,
    /// The condition under which the transfer last arrived at is staffed,
    /// when it was not met on arrival: nobody answers there.
    arrived_closed: Option<String>,
}

impl Observer for Ears<'_, '_, '_> {
    fn arrive(&mut self, node: NodeIx, vars: u64) {
        self.arrived_closed = crate::replay::closed_condition(self.graph, node, vars);
    }

    fn enter(&mut self, node: NodeIx) {
        self.coverage.enter(node);
        let model = self.graph.model_node(node);
        if matches!(model.kind, NodeKind::Menu { .. }) {
            self.menus += 1;
        }
        // An opaque step's description is for engineers; callers hear
        // nothing of it.
        let heard = if matches!(model.kind, NodeKind::Opaque { .. }) {
            None
        } else {
            model.kind.text()
        };
        self.seconds += self.timing.entering(self.graph, node);
        if let Some(text) = heard {
            self.heard.push(text.to_string());
            let verb = if self.graph.is_visual() {
                "sees"
            } else {
                "hears"
            };
            self.transcript
                .push(format!("[{}] {verb}: {text}", model.id.value));
        }
    }
}

/// The persona's script as a journey plays it: in order, except that a
/// `branch:` step is taken by the opaque step whose outcome it names, ahead
/// of the `hear` steps written before it, which are checked as usual at the
/// next input against everything heard since the last one.
struct Script<'p> {
    steps: Vec<&'p ScriptStep>,
    taken: Vec<bool>,
    /// The first step not yet given.
    cursor: usize,
}

impl<'p> Script<'p> {
    fn new(persona: &'p Persona) -> Self {
        let steps: Vec<&ScriptStep> = persona.script.iter().map(|s| &s.value).collect();
        Script {
            taken: vec![false; steps.len()],
            steps,
            cursor: 0,
        }
    }

    /// The next step not yet given, with its 1-based number.
    fn peek(&mut self) -> Option<(usize, &'p ScriptStep)> {
        while self.taken.get(self.cursor) == Some(&true) {
            self.cursor += 1;
        }
        self.steps
            .get(self.cursor)
            .map(|&step| (self.cursor + 1, step))
    }

    fn next(&mut self) -> Option<(usize, &'p ScriptStep)> {
        let next = self.peek()?;
        self.taken[self.cursor] = true;
        Some(next)
    }

    /// At an opaque step: the outcome the script names for it, when the
    /// first step not yet given that is not a `hear` is a `branch:`.
    fn branch(&mut self) -> Option<(usize, &'p str)> {
        self.peek()?;
        let at = (self.cursor..self.steps.len())
            .find(|&k| !self.taken[k] && !matches!(self.steps[k], ScriptStep::Hear(_)))?;
        let ScriptStep::Branch(name) = self.steps[at] else {
            return None;
        };
        self.taken[at] = true;
        Some((at + 1, name.as_str()))
    }
}

/// A small deterministic generator for `fumbles`: the same persona and seed
/// fumble in the same places on every run.
struct Fumbles(u64);

impl Fumbles {
    fn new(seed: u64, name: &str) -> Fumbles {
        // FNV-1a over the name, mixed with the seed.
        let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
        for byte in name.bytes() {
            hash = (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
        // splitmix64 spreads nearby seeds apart before xorshift takes over.
        let mut z = hash.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Fumbles((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True about one time in four.
    fn now(&mut self) -> bool {
        self.next().is_multiple_of(4)
    }

    /// One of `0..n` (`n` is small: the slips open at one page).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub(crate) fn run_journey(
    set: &MenuSet,
    graph: &Graph,
    persona: &Persona,
    config: &PersonaRunConfig,
    seed: u64,
    coverage: &mut crate::coverage::CoverageMap,
) -> Journey {
    let flow_index = match &config.flow {
        Some(flow) => graph.flow_index(&flow.value).unwrap_or(0),
        // The channel's first flow, by file name, that no flow calls; files are read in
        // that order, and the graph keeps it.
        None => (0..graph.flows.len())
            .find(|&f| !graph.flows[f].called)
            .unwrap_or(0),
    };
    let mut world = graph.default_vars();
    for (var, value) in &config.vars {
        if let Some(v) = graph.var_index(&var.value) {
            let x = graph.vars[v]
                .values
                .iter()
                .position(|x| *x == value.value)
                .unwrap_or(0);
            world = graph.vars[v].set(world, x as u16);
        }
    }
    let intent = persona
        .intent
        .as_ref()
        .and_then(|i| graph.intent_index(&i.value));
    let has = |t: Trait| persona.traits.iter().any(|x| x.value == t);
    let max_steps = persona.patience_steps.unwrap_or(DEFAULT_PATIENCE_STEPS);
    let max_retries = if has(Trait::Impatient) {
        0
    } else {
        persona.patience_retries.unwrap_or(DEFAULT_PATIENCE_RETRIES)
    };
    let name = match &config.variant {
        Some(v) => format!("{}@{v}", persona.id.value),
        None => persona.id.value.clone(),
    };
    let mut fumbles = Fumbles::new(persona.seed.unwrap_or(seed), &name);

    let rules = Rules {
        call_depth: set.settings.limits.call_depth,
        standalone: false,
    };
    let mut machine = Machine::new(graph, rules);
    let mut ears = Ears {
        graph,
        coverage,
        heard: Vec::new(),
        transcript: Vec::new(),
        menus: 0,
        seconds: 0.0,
        timing: set.settings.timing,
        arrived_closed: None,
    };
    let mut journey = Journey {
        flow: graph.flows[flow_index].id.clone(),
        vars: graph.describe_vars(world, u64::MAX),
        outcome: Outcome::Stuck,
        node: String::new(),
        queue: None,
        steps: 0,
        menus: 0,
        retries: 0,
        seconds: 0.0,
        inputs: Vec::new(),
        transcript: Vec::new(),
        problems: Vec::new(),
    };
    let mut settled = machine.settle(graph.flows[flow_index].start, world, 0, NONE, &mut ears);
    let mut script = Script::new(persona);
    // The number of the script step given last, for what went wrong with it.
    let mut script_index = 0usize;
    // Opaque steps passed since the customer's last input, and how many
    // are one too many: every opaque step of the channel once, for each
    // level of calls, plus the margin patience gives. Only steps that lead
    // round to each other without the customer get past that, however long
    // a back end's chain of checks is.
    let mut opaque_passes = 0u32;
    let opaque_bound = graph
        .opaque_steps
        .saturating_mul(set.settings.limits.call_depth as u32 + 1)
        .saturating_add(10 * max_steps.max(1));
    let (outcome, node) = loop {
        let state = match settled {
            Settled::Waiting(state) => state,
            // A desk that is closed when the customer gets there helps
            // nobody, whatever it would serve when open.
            Settled::Terminal(node) if ears.arrived_closed.is_some() => {
                let when = ears.arrived_closed.take().unwrap_or_default();
                ears.transcript.push(format!(
                    "CLOSED at `{}`: its `open_when: {when}` is false, nobody is there to answer",
                    graph.node_id(node)
                ));
                break (Outcome::Misrouted, node);
            }
            Settled::Terminal(node) => {
                break (
                    terminal_outcome(graph, node, intent, persona.intent.is_some()),
                    node,
                )
            }
            // Left in silence, the customer hangs up.
            Settled::DeadEnd(node, _)
            | Settled::SilentLoop(node)
            | Settled::CallTooDeep(node)
            | Settled::Returned(node) => break (Outcome::Stuck, node),
        };
        // The platform decides an opaque step, not the customer: take the
        // outcome the script names (`branch: NAME`, as a test names what a
        // back end returns), else the usual one, the first branch, without
        // spending a trait or the customer's patience on it. The input is
        // still recorded, so that `replay` follows the same path.
        if let Kind::Opaque { branches } = &graph.nodes[state.node as usize].kind {
            opaque_passes += 1;
            // Opaque steps that lead round to each other would never end.
            if branches.is_empty() || opaque_passes > opaque_bound {
                break (Outcome::Stuck, state.node);
            }
            let choice = match script.branch() {
                Some((index, name)) => {
                    match resolve(
                        &machine,
                        &state,
                        &Input::Branch(name.to_string()),
                        &mut Quiet,
                    ) {
                        Ok(choice) => choice,
                        Err(reason) => {
                            journey.problems.push(format!(
                                "script step {index} (`branch:{name}`) cannot be given: {reason}"
                            ));
                            break (Outcome::Stuck, state.node);
                        }
                    }
                }
                None => Choice::Branch(0),
            };
            journey
                .inputs
                .push(render(&machine, &state, choice).to_string());
            settled = match machine.step(&state, choice, &mut ears) {
                Step::Moved(next) => next,
                _ => break (Outcome::Stuck, state.node),
            };
            continue;
        }
        // `hear` steps check what was heard since the last input.
        while let Some((index, ScriptStep::Hear(pattern))) = script.peek() {
            let heard = ears.heard.join(" ");
            let matches = heard_matches(pattern, &heard);
            if !matches {
                journey.problems.push(format!(
                    "script step {index}: expected to hear /{pattern}/, heard \"{heard}\""
                ));
            }
            script.next();
        }
        if journey.steps >= max_steps {
            break (Outcome::Abandoned, state.node);
        }
        let input = if has(Trait::Silent) {
            Some(Input::Wait)
        } else if let Some((index, step)) = script.next() {
            script_index = index;
            Some(step_input(step))
        } else {
            let fumbling = has(Trait::Fumbles) && fumbles.now();
            goal_input(
                &machine,
                &state,
                intent,
                has(Trait::ZeroOut),
                fumbling.then_some(&mut fumbles),
            )
        };
        let Some(input) = input else {
            break (Outcome::Stuck, state.node);
        };
        let choice = match resolve(&machine, &state, &input, &mut Quiet) {
            Ok(choice) => choice,
            Err(reason) => {
                journey.problems.push(format!(
                    "script step {script_index} (`{input}`) cannot be given: {reason}"
                ));
                break (Outcome::Stuck, state.node);
            }
        };
        journey.steps += 1;
        opaque_passes = 0;
        journey.inputs.push(input.to_string());
        ears.transcript.push(format!("> {input}"));
        ears.heard.clear();
        ears.seconds += ears.timing.answering(graph, state.node, choice);
        let handler = matches!(choice, Choice::NoInput | Choice::NoMatch | Choice::Invalid);
        let step = machine.step(&state, choice, &mut ears);
        ears.coverage.record(&state, choice, &step);
        match step {
            Step::Moved(next) => {
                if handler {
                    journey.retries += 1;
                }
                settled = next;
            }
            Step::Reprompt(next) => {
                journey.retries += 1;
                settled = Settled::Waiting(next);
            }
            Step::Dropped(_) => break (Outcome::HungUp, state.node),
            Step::Ignored | Step::Unavailable => {}
        }
        // Patience only runs out while the customer still waits: a retry
        // that ended the session at a transfer was not a reason to give up.
        if journey.retries > max_retries && matches!(settled, Settled::Waiting(_)) {
            break (Outcome::Abandoned, current_node(&settled));
        }
    };
    // Script steps the journey never got to are part of the persona's
    // expectations too.
    while let Some((script_index, step)) = script.next() {
        match step {
            ScriptStep::Hear(pattern) => {
                let heard = ears.heard.join(" ");
                let matches = heard_matches(pattern, &heard);
                if !matches {
                    journey.problems.push(format!("script step {script_index}: expected to hear /{pattern}/, heard \"{heard}\""));
                }
            }
            other => journey.problems.push(format!(
                "script step {script_index} (`{}`) was never given: the journey had already ended",
                step_input(other)
            )),
        }
    }
    journey.outcome = outcome;
    journey.node = graph.node_id(node).to_string();
    journey.queue = graph.queue(node).map(str::to_string);
    journey.menus = ears.menus;
    journey.seconds = ears.seconds;
    ears.transcript.push(format!(
        "= {} at `{}` after {} step{}, about {:.0} s",
        outcome.name(),
        journey.node,
        journey.steps,
        if journey.steps == 1 { "" } else { "s" },
        journey.seconds
    ));
    journey.transcript = ears.transcript;
    journey
}

/// Whether a `hear` pattern matches what was heard. Patterns are compiled
/// once per thread: a suite of a thousand personas repeats the same few.
fn heard_matches(pattern: &str, heard: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<crate::model::UserRegex>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    COMPILED.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| crate::model::UserRegex::new(pattern, true).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(heard))
    })
}

/// The node a journey stands at.
fn current_node(settled: &Settled) -> NodeIx {
    match settled {
        Settled::Waiting(s) => s.node,
        Settled::Terminal(n)
        | Settled::DeadEnd(n, _)
        | Settled::SilentLoop(n)
        | Settled::CallTooDeep(n)
        | Settled::Returned(n) => *n,
    }
}

/// docs/format.md's outcomes at a terminal node.
fn terminal_outcome(
    graph: &Graph,
    node: NodeIx,
    intent: Option<usize>,
    has_intent: bool,
) -> Outcome {
    let serves = match intent {
        Some(x) => graph.node_serves(node, x),
        None => !has_intent,
    };
    match &graph.nodes[node as usize].kind {
        Kind::Hangup => Outcome::HungUp,
        Kind::End if serves => Outcome::Served,
        Kind::Transfer if serves => Outcome::Transferred,
        _ => Outcome::Misrouted,
    }
}

/// What a fumbling web or app customer clicks instead of the option they
/// meant: the label shown just before or just after it, or back, whichever
/// of these the page has, chosen by the persona's seed. A page with none of
/// them leaves nothing to slip on.
fn slip(machine: &Machine, state: &State, meant: OptionIx, fumbles: &mut Fumbles) -> Choice {
    let graph = machine.graph;
    let mut offered = Vec::new();
    machine.offered(state, &mut offered);
    offered.retain(|&o| !graph.options[o as usize].hidden);
    let mut slips = Vec::with_capacity(3);
    if let Some(at) = offered.iter().position(|&o| o == meant) {
        if at > 0 {
            slips.push(Choice::Option(offered[at - 1]));
        }
        if let Some(&next) = offered.get(at + 1) {
            slips.push(Choice::Option(next));
        }
    }
    let has_back = match &graph.nodes[state.node as usize].kind {
        Kind::Menu { back, .. } => *back != NONE || state.prev != NONE,
        _ => false,
    };
    if has_back {
        slips.push(Choice::Back);
    }
    if slips.is_empty() {
        return Choice::Option(meant);
    }
    slips[fumbles.below(slips.len())]
}

fn step_input(step: &ScriptStep) -> Input {
    match step {
        ScriptStep::Press(keys) => Input::Keys(keys.clone()),
        ScriptStep::Say(text) => Input::Say(text.clone()),
        ScriptStep::Enter(text) => Input::Enter(text.clone()),
        ScriptStep::Click(label) => Input::Click(label.clone()),
        ScriptStep::Back => Input::Back,
        ScriptStep::Branch(name) => Input::Branch(name.clone()),
        ScriptStep::Wait | ScriptStep::Hear(_) => Input::Wait,
    }
}

/// What a goal-directed persona does here, or `None` when it is stuck.
/// `fumble` is given when the persona fumbles at this step.
fn goal_input(
    machine: &Machine,
    state: &State,
    intent: Option<usize>,
    zero_out: bool,
    fumble: Option<&mut Fumbles>,
) -> Option<Input> {
    let graph = machine.graph;
    match &graph.nodes[state.node as usize].kind {
        Kind::Menu { .. } => {
            let option = machine.fitting_option(state, intent).or_else(|| {
                if zero_out {
                    machine.zero_out_option(state)
                } else {
                    None
                }
            });
            let choice = match (option, fumble) {
                // A fumbling caller presses a wrong key first, now and then.
                (Some(_), Some(_)) if !graph.is_visual() => Choice::NoMatch,
                // On a screen the slip is a click beside the mark.
                (Some(meant), Some(fumbles)) => slip(machine, state, meant, fumbles),
                (Some(meant), None) => Choice::Option(meant),
                (None, _) => return None,
            };
            Some(render(machine, state, choice))
        }
        Kind::Ask {
            has_valid_answer: true,
            ..
        } => Some(render(machine, state, Choice::Valid)),
        // Personas meet the usual outcome of an opaque step: its first branch.
        Kind::Opaque { branches } if !branches.is_empty() => {
            Some(render(machine, state, Choice::Branch(0)))
        }
        _ => None,
    }
}
