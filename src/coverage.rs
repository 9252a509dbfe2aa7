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
}

impl CoverageMap {
    pub fn new(graph: &Graph) -> Self {
        CoverageMap {
            nodes: vec![false; graph.nodes.len()],
            options: vec![false; graph.options.len()],
            handlers: vec![0; graph.nodes.len()],
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
            Choice::Option(i) => self.options[i as usize] = true,
            other => self.handlers[state.node as usize] |= CoverageMap::handler_bit(other),
        }
    }

    /// Option and handler edges of the whole graph, and how many were
    /// taken: cheap enough to ask after every batch of customers.
    pub fn edge_counts(&self, graph: &Graph) -> (usize, usize) {
        let mut edges = graph.options.len();
        let mut taken = self.options.iter().filter(|&&t| t).count();
        for (node, n) in graph.nodes.iter().enumerate() {
            let present: u8 = match &n.kind {
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
            };
            edges += present.count_ones() as usize;
            taken += (present & self.handlers[node]).count_ones() as usize;
        }
        (edges, taken)
    }

    /// Adds what another map reached.
    pub fn merge(&mut self, other: &CoverageMap) {
        for (a, b) in self.nodes.iter_mut().zip(&other.nodes) {
            *a |= *b;
        }
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            *a |= *b;
        }
        for (a, b) in self.handlers.iter_mut().zip(&other.handlers) {
            *a |= *b;
        }
    }
}

impl Observer for CoverageMap {
    fn enter(&mut self, node: NodeIx) {
        self.nodes[node as usize] = true;
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

/// Every coverable item of a flow, by name: nodes by id, options as
/// `menu/key 1` or `menu/"Label"`, handlers as `menu/no_input`.
pub struct FlowItems {
    pub nodes: Vec<(String, NodeIx)>,
    pub options: Vec<(String, OptionIx)>,
    pub handlers: Vec<(String, NodeIx, u8)>,
}

pub fn flow_items(graph: &Graph, flow: usize) -> FlowItems {
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
                for o in options.clone() {
                    items
                        .options
                        .push((format!("{id}/{}", graph.model_option(o).name()), o));
                }
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
pub fn union(a: &Reach, b: &Reach, totals: (usize, usize, usize)) -> Reach {
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
