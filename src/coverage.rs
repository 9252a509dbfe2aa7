//! Coverage: which nodes, options and handlers customers reached, tracked
//! the same way for the exhaustive walk, the fuzzer and personas, and
//! reported per flow with the names of what nobody reached.

use serde::{Deserialize, Serialize};

use crate::graph::{Graph, Kind, NodeIx, OptionIx};
use crate::machine::{Choice, Observer, State, Step};

/// Handler bits per node.
const NO_INPUT: u8 = 1;
const NO_MATCH: u8 = 2;

/// What some customers reached in one channel's graph.
#[derive(Debug, Clone, Default)]
pub struct CoverageMap {
    pub nodes: Vec<bool>,
    pub options: Vec<bool>,
    /// Per node: which handlers ran (silence; wrong key or invalid answer).
    pub handlers: Vec<u8>,
    /// Every entry set since the map was made or last taken from, so that the
    /// fuzzer can fold a batch's map into the channel's and clear it in time
    /// proportional to what the batch reached, not to the size of the graph.
    changed: Vec<Changed>,
}

/// One entry of a map that went from unreached to reached.
#[derive(Debug, Clone, Copy)]
enum Changed {
    Node(NodeIx),
    Option(OptionIx),
    Handler(NodeIx, u8),
}

impl CoverageMap {
    pub fn new(graph: &Graph) -> Self {
        CoverageMap {
            nodes: vec![false; graph.nodes.len()],
            options: vec![false; graph.options.len()],
            handlers: vec![0; graph.nodes.len()],
            changed: Vec::new(),
        }
    }

    fn handler_bit(choice: Choice) -> u8 {
        match choice {
            Choice::NoInput => NO_INPUT,
            Choice::NoMatch | Choice::Invalid => NO_MATCH,
            _ => 0,
        }
    }

    /// Whether `choice` at `state` would take an edge already taken.
    pub fn taken(&self, state: &State, choice: Choice) -> bool {
        match choice {
            Choice::Option(i) => self.options[i as usize],
            other => {
                let bit = CoverageMap::handler_bit(other);
                bit == 0 || self.handlers[state.node as usize] & bit != 0
            }
        }
    }

    /// Notes the edge a step took, if it went anywhere.
    pub fn record(&mut self, state: &State, choice: Choice, step: &Step) {
        if matches!(step, Step::Unavailable | Step::Ignored | Step::Dropped(_)) {
            return;
        }
        match choice {
            Choice::Option(i) => {
                if !self.options[i as usize] {
                    self.options[i as usize] = true;
                    self.changed.push(Changed::Option(i));
                }
            }
            other => {
                let bit = CoverageMap::handler_bit(other);
                let handlers = &mut self.handlers[state.node as usize];
                if *handlers & bit != bit {
                    *handlers |= bit;
                    self.changed.push(Changed::Handler(state.node, bit));
                }
            }
        }
    }

    /// Option and handler edges of the whole graph, and how many were
    /// taken: cheap enough to ask after every batch of customers.
    pub(crate) fn edge_counts(&self, graph: &Graph) -> (usize, usize) {
        let mut edges = graph.options.len();
        let mut taken = self.options.iter().filter(|&&t| t).count();
        for node in 0..graph.nodes.len() {
            let present = CoverageMap::present_handlers(graph, node as NodeIx);
            edges += present.count_ones() as usize;
            taken += (present & self.handlers[node]).count_ones() as usize;
        }
        (edges, taken)
    }

    /// The handler bits that are edges of `node`: handlers it declares.
    fn present_handlers(graph: &Graph, node: NodeIx) -> u8 {
        match &graph.nodes[node as usize].kind {
            Kind::Menu {
                no_input, no_match, ..
            } => {
                (u8::from(no_input.is_present()) * NO_INPUT)
                    | (u8::from(no_match.is_present() && !graph.is_visual()) * NO_MATCH)
            }
            Kind::Ask {
                no_input, invalid, ..
            } => {
                (u8::from(no_input.is_present()) * NO_INPUT)
                    | (u8::from(invalid.is_present()) * NO_MATCH)
            }
            _ => 0,
        }
    }

    /// What this map reached since it was made or last taken, leaving this
    /// map empty, in time proportional to what it reached rather than to
    /// the size of the graph: a fuzz batch, run on any thread, hands its
    /// coverage back this way, to be folded into the channel's map in batch
    /// order with [`CoverageMap::add_reached`].
    pub(crate) fn take_reached(&mut self) -> Reached {
        for &changed in &self.changed {
            match changed {
                Changed::Node(node) => self.nodes[node as usize] = false,
                Changed::Option(option) => self.options[option as usize] = false,
                Changed::Handler(node, bit) => self.handlers[node as usize] &= !bit,
            }
        }
        // Copied out rather than taken, so that this map keeps its buffer
        // for the next batch and the copy is allocated once at its size.
        Reached(self.changed.drain(..).collect())
    }

    /// Marks what `reached` holds and returns how many option and handler
    /// edges this map had not reached before: the same count
    /// [`CoverageMap::edge_counts`] would add up, without a pass over the
    /// graph.
    pub(crate) fn add_reached(&mut self, reached: &Reached, graph: &Graph) -> usize {
        let mut newly_taken = 0;
        for &changed in &reached.0 {
            match changed {
                Changed::Node(node) => self.enter(node),
                Changed::Option(option) => {
                    if !self.options[option as usize] {
                        self.options[option as usize] = true;
                        self.changed.push(Changed::Option(option));
                        newly_taken += 1;
                    }
                }
                Changed::Handler(node, bit) => {
                    let handlers = &mut self.handlers[node as usize];
                    if *handlers & bit != bit {
                        *handlers |= bit;
                        self.changed.push(Changed::Handler(node, bit));
                        newly_taken +=
                            usize::from(CoverageMap::present_handlers(graph, node) & bit != 0);
                    }
                }
            }
        }
        newly_taken
    }
}

/// The entries a map reached, in the order it reached them, taken out of
/// it by [`CoverageMap::take_reached`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Reached(Vec<Changed>);

impl Observer for CoverageMap {
    fn enter(&mut self, node: NodeIx) {
        if !self.nodes[node as usize] {
            self.nodes[node as usize] = true;
            self.changed.push(Changed::Node(node));
        }
    }
}

/// What one source of customers reached in one flow, with the names of
/// what it missed, so that reports of shards can be merged exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub nodes_covered: usize,
    pub options_covered: usize,
    pub handlers_covered: usize,
    pub uncovered: Vec<String>,
    pub uncovered_options: Vec<String>,
    pub uncovered_handlers: Vec<String>,
}

/// Every coverable item of a flow, by a name unique in the flow: nodes by
/// id, options as `menu/key 1` or `menu/"Label"` (with `(option N)`, its
/// place in the menu, after a name an earlier option of the menu has),
/// handlers as `menu/no_input`.
pub struct FlowItems {
    pub nodes: Vec<(String, NodeIx)>,
    pub options: Vec<(String, OptionIx)>,
    pub handlers: Vec<(String, NodeIx, u8)>,
}

/// Every item named, the plain statement of what [`flow_reach`] names only
/// where it must; the tests hold the two to the same answer.
#[cfg(test)]
pub(crate) fn flow_items(graph: &Graph, flow: usize) -> FlowItems {
    let mut items = FlowItems {
        nodes: Vec::new(),
        options: Vec::new(),
        handlers: Vec::new(),
    };
    for node in graph.flows[flow].nodes.clone() {
        let id = graph.node_id(node);
        items.nodes.push((id.to_string(), node));
        match &graph.nodes[node as usize].kind {
            Kind::Menu {
                options,
                no_input,
                no_match,
                ..
            } => {
                // Names are what reports of shards are merged by
                // (`union`), so two options of a menu never share one: an
                // option named like an earlier one of its menu (a
                // duplicate key, a label used twice) is told by its place.
                items
                    .options
                    .extend(option_names(graph, id, options.clone()));
                if no_input.is_present() {
                    items
                        .handlers
                        .push((format!("{id}/no_input"), node, NO_INPUT));
                }
                if no_match.is_present() && !graph.is_visual() {
                    items
                        .handlers
                        .push((format!("{id}/no_match"), node, NO_MATCH));
                }
            }
            Kind::Ask {
                no_input, invalid, ..
            } => {
                if no_input.is_present() {
                    items
                        .handlers
                        .push((format!("{id}/no_input"), node, NO_INPUT));
                }
                if invalid.is_present() {
                    items
                        .handlers
                        .push((format!("{id}/invalid"), node, NO_MATCH));
                }
            }
            _ => {}
        }
    }
    items
}

/// The names of a menu's options, `menu/key 1` or `menu/"Label"`, each
/// unique in the menu: an option named like an earlier one of its menu (a
/// duplicate key, a label used twice) is told by its place.
fn option_names(
    graph: &Graph,
    id: &str,
    options: std::ops::Range<OptionIx>,
) -> Vec<(String, OptionIx)> {
    let mut names: Vec<(String, OptionIx)> = Vec::with_capacity(options.len());
    for (place, o) in options.enumerate() {
        let mut name = format!("{id}/{}", graph.model_option(o).name());
        if names.iter().any(|(earlier, _)| *earlier == name) {
            name = format!("{name} (option {})", place + 1);
        }
        names.push((name, o));
    }
    names
}

/// What `map` reached of flow `flow` and the flow's totals: the same as
/// [`reach`] of [`flow_items`], but naming only what was missed. Every
/// engine reports its reach after every run, and a name is a string to
/// build, while a report needs the names of the missed items only.
fn flow_reach(graph: &Graph, flow: usize, map: &CoverageMap) -> ((usize, usize, usize), Reach) {
    let mut reach = Reach::default();
    let mut totals = (0, 0, 0);
    let mut handlers = 0;
    let mut handler = |reach: &mut Reach, node: NodeIx, bit: u8, name: &str| {
        handlers += 1;
        if map.handlers[node as usize] & bit != 0 {
            reach.handlers_covered += 1;
        } else {
            let id = graph.node_id(node);
            reach.uncovered_handlers.push(format!("{id}/{name}"));
        }
    };
    for node in graph.flows[flow].nodes.clone() {
        totals.0 += 1;
        if map.nodes[node as usize] {
            reach.nodes_covered += 1;
        } else {
            reach.uncovered.push(graph.node_id(node).to_string());
        }
        match &graph.nodes[node as usize].kind {
            Kind::Menu {
                options,
                no_input,
                no_match,
                ..
            } => {
                totals.1 += options.len();
                if options.clone().all(|o| map.options[o as usize]) {
                    reach.options_covered += options.len();
                } else {
                    for (name, o) in option_names(graph, graph.node_id(node), options.clone()) {
                        if map.options[o as usize] {
                            reach.options_covered += 1;
                        } else {
                            reach.uncovered_options.push(name);
                        }
                    }
                }
                if no_input.is_present() {
                    handler(&mut reach, node, NO_INPUT, "no_input");
                }
                if no_match.is_present() && !graph.is_visual() {
                    handler(&mut reach, node, NO_MATCH, "no_match");
                }
            }
            Kind::Ask {
                no_input, invalid, ..
            } => {
                if no_input.is_present() {
                    handler(&mut reach, node, NO_INPUT, "no_input");
                }
                if invalid.is_present() {
                    handler(&mut reach, node, NO_MATCH, "invalid");
                }
            }
            _ => {}
        }
    }
    totals.2 = handlers;
    (totals, reach)
}

/// What `map` reached of one flow.
pub fn reach(items: &FlowItems, map: &CoverageMap) -> Reach {
    let mut reach = Reach::default();
    for (name, node) in &items.nodes {
        if map.nodes[*node as usize] {
            reach.nodes_covered += 1;
        } else {
            reach.uncovered.push(name.clone());
        }
    }
    for (name, option) in &items.options {
        if map.options[*option as usize] {
            reach.options_covered += 1;
        } else {
            reach.uncovered_options.push(name.clone());
        }
    }
    for (name, node, bit) in &items.handlers {
        if map.handlers[*node as usize] & bit != 0 {
            reach.handlers_covered += 1;
        } else {
            reach.uncovered_handlers.push(name.clone());
        }
    }
    reach
}

/// Two reaches of one flow together: covered by either, uncovered by both.
pub(crate) fn union(a: &Reach, b: &Reach, totals: (usize, usize, usize)) -> Reach {
    let both = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|n| y.contains(n)).cloned().collect()
    };
    let uncovered = both(&a.uncovered, &b.uncovered);
    let uncovered_options = both(&a.uncovered_options, &b.uncovered_options);
    let uncovered_handlers = both(&a.uncovered_handlers, &b.uncovered_handlers);
    Reach {
        nodes_covered: totals.0 - uncovered.len(),
        options_covered: totals.1 - uncovered_options.len(),
        handlers_covered: totals.2 - uncovered_handlers.len(),
        uncovered,
        uncovered_options,
        uncovered_handlers,
    }
}

/// What a coverage map reached, flow by flow, with each flow's totals.
/// Each flow is counted on its own, on every core: naming what a source
/// left uncovered is a fair part of a `check` on a set of many flows, and it
/// came after that source's engine had finished. Collecting keeps the flows
/// in the graph's order.
pub(crate) fn flow_reaches(graph: &Graph, map: &CoverageMap) -> Vec<FlowReach> {
    use rayon::prelude::*;
    (0..graph.flows.len())
        .into_par_iter()
        .map(|f| {
            let (totals, reach) = flow_reach(graph, f, map);
            FlowReach {
                channel: graph.channel,
                flow: graph.flows[f].id.clone(),
                totals,
                reach,
            }
        })
        .collect()
}

/// What one source of customers reached in one flow.
#[derive(Debug, Clone)]
pub struct FlowReach {
    pub channel: crate::model::Channel,
    pub flow: String,
    /// Nodes, options and handlers in the flow.
    pub totals: (usize, usize, usize),
    pub reach: Reach,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    /// Naming only what was missed reaches the same figures and names as
    /// naming every item, with nothing, everything or a mixture reached,
    /// on every channel of the bundled set and of a fixture with two
    /// options of one menu named alike.
    #[test]
    fn a_flow_reach_names_what_naming_every_item_names() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [root.join("menus"), root.join("fixtures/duplicate-key")] {
            let set = crate::loader::load_set(&dir).expect("the set loads");
            for channel in set.channels() {
                let graph = crate::graph::compile(&set, channel).expect("it compiles");
                for pattern in 0..3usize {
                    let mut map = CoverageMap::new(&graph);
                    let pick = |i: usize| match pattern {
                        0 => false,
                        1 => true,
                        _ => i % 3 != 1,
                    };
                    for (i, node) in map.nodes.iter_mut().enumerate() {
                        *node = pick(i);
                    }
                    for (i, option) in map.options.iter_mut().enumerate() {
                        *option = pick(i + 1);
                    }
                    for (i, handlers) in map.handlers.iter_mut().enumerate() {
                        *handlers = if pick(i + 2) {
                            NO_INPUT | NO_MATCH
                        } else {
                            NO_MATCH
                        };
                    }
                    for flow in 0..graph.flows.len() {
                        let items = flow_items(&graph, flow);
                        let totals = (items.nodes.len(), items.options.len(), items.handlers.len());
                        assert_eq!(
                            flow_reach(&graph, flow, &map),
                            (totals, reach(&items, &map))
                        );
                    }
                }
            }
        }
    }

    /// Adding what a map reached counts exactly the edges that `edge_counts`
    /// sees added (handlers a node does not declare are not edges), and
    /// taking it leaves the map as empty as a new one, ready for the next
    /// batch.
    #[test]
    fn reached_entries_agree_with_a_full_count_and_leave_the_source_empty() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let set = crate::loader::load_set(&dir).expect("the bundled set loads");
        let graph = crate::graph::compile(&set, Channel::Phone).expect("it compiles");
        let state_at = |node: NodeIx| State {
            node,
            stack: 0,
            prev: NodeIx::MAX,
            vars: 0,
            no_input: 0,
            no_match: 0,
        };
        // A step that went nowhere is not an edge taken.
        let stayed = Step::Ignored;
        let mut total = CoverageMap::new(&graph);
        let mut batch = CoverageMap::new(&graph);
        let mut counted = total.edge_counts(&graph).1;
        for round in 0..3u32 {
            // Every third option and every node's silence and wrong-key
            // handlers, shifted each round so that rounds overlap in part.
            for option in (round..graph.options.len() as u32).step_by(3) {
                batch.record(&state_at(0), Choice::Option(option), &Step::Unavailable);
                assert!(!batch.options[option as usize]);
                batch.enter(option % graph.nodes.len() as u32);
                batch.record(&state_at(0), Choice::Option(option), &went_somewhere());
            }
            for node in (round..graph.nodes.len() as u32).step_by(2) {
                batch.record(&state_at(node), Choice::NoInput, &went_somewhere());
                batch.record(&state_at(node), Choice::NoMatch, &went_somewhere());
                batch.record(&state_at(node), Choice::NoMatch, &stayed);
            }
            counted += total.add_reached(&batch.take_reached(), &graph);
            assert_eq!(counted, total.edge_counts(&graph).1, "round {round}");
            let fresh = CoverageMap::new(&graph);
            assert_eq!(batch.nodes, fresh.nodes);
            assert_eq!(batch.options, fresh.options);
            assert_eq!(batch.handlers, fresh.handlers);
            assert!(batch.changed.is_empty());
        }
        assert!(counted > 0);
    }

    /// Two options of a menu with one display name (a label used twice)
    /// get names of their own, so that a union of two reaches, each of
    /// which reached one of them, has reached both, as one run reaching
    /// both has.
    #[test]
    fn options_sharing_a_name_are_told_apart_and_merge_exactly() {
        let text = "flow: screens\nchannel: app\nstart: home\nnodes:\n  home:\n    menu: Home\n    options:\n      - { label: Water, goto: a }\n      - { label: water, goto: b }\n      - { label: Water, goto: b }\n  a:\n    end: A.\n  b:\n    end: B.\n";
        let set = crate::loader::load_text("screens.yaml", text).unwrap();
        let graph = crate::graph::compile(&set, Channel::App).unwrap();
        let items = flow_items(&graph, 0);
        let names: Vec<&str> = items.options.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "home/\"Water\"",
                "home/\"water\"",
                "home/\"Water\" (option 3)"
            ]
        );
        let mut first = CoverageMap::new(&graph);
        let mut second = CoverageMap::new(&graph);
        first.options[items.options[0].1 as usize] = true;
        second.options[items.options[2].1 as usize] = true;
        second.options[items.options[1].1 as usize] = true;
        let totals = (items.nodes.len(), items.options.len(), items.handlers.len());
        let merged = union(&reach(&items, &first), &reach(&items, &second), totals);
        assert!(merged.uncovered_options.is_empty(), "{merged:?}");
        assert_eq!(merged.options_covered, 3);
    }

    fn went_somewhere() -> Step {
        Step::Reprompt(State {
            node: 0,
            stack: 0,
            prev: NodeIx::MAX,
            vars: 0,
            no_input: 0,
            no_match: 0,
        })
    }
}
