//! One flow drawn as inline SVG: boxes in the layered layout of
//! [`super::layout`], findings marked on their nodes (the marks of
//! `touchpoint graph`), every edge an option or a lead of the flow's
//! [`FlowShape`]. A flow larger than [`COLLAPSE_ABOVE`] nodes is drawn
//! collapsed: the start, nodes with findings and menus stay (as many as
//! fit), and the nodes each of them leads to on to the next kept one are
//! folded into one box with a count, listed under the drawing.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write;

use rustc_hash::FxHashMap;

use super::escape;
use super::layout::layout;
use crate::finding::Finding;
use crate::model::Level;
use crate::render::graph::{lead_label, marks};
use crate::structure::FlowShape;

/// Flows with more nodes than this are drawn collapsed, and a collapsed
/// drawing keeps at most this many of their nodes: a browser draws a few
/// hundred boxes at once without strain, and a reader can follow them.
pub(super) const COLLAPSE_ABOVE: usize = 300;

/// Below this many boxes, edges carry their labels in the drawing as well
/// as in their tooltips; above it the labels would only hide each other.
const LABELS_UP_TO: usize = 30;

const WIDTH: usize = 168;
const HEIGHT: usize = 48;
const GAP_ACROSS: usize = 24;
const GAP_DOWN: usize = 56;
const MARGIN: usize = 16;
/// Characters of an id or text a box shows; the tooltip has them whole.
const BOX_CHARS: usize = 22;
const LABEL_CHARS: usize = 18;

/// A drawn flow and where each of its nodes is in the drawing.
pub(super) struct Diagram {
    pub svg: String,
    /// The element id that shows each node: its own box, or the fold that
    /// holds it.
    pub element: FxHashMap<String, String>,
    /// The folds of a collapsed drawing; empty when every node is drawn.
    pub folds: Vec<Fold>,
    pub collapsed: bool,
}

/// Nodes folded into one box.
pub(super) struct Fold {
    pub element: String,
    /// The kept node they are reached from, or none for nodes the start
    /// does not reach.
    pub under: Option<String>,
    pub nodes: Vec<String>,
}

/// What a box in the drawing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Node(usize),
    Fold(usize),
}

/// The worst level among `findings` that mark a node, for its colour.
fn worst<'f>(findings: impl Iterator<Item = &'f Finding>) -> Option<Level> {
    findings.map(|f| f.level).max()
}

fn level_class(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Error) => " lvl-error",
        Some(Level::Warning) => " lvl-warning",
        _ => "",
    }
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(chars - 1).collect();
        short.push('…');
        short
    }
}

/// Draws flow number `index` of the report's structure.
pub(super) fn draw(index: usize, flow: &FlowShape, findings: &[&Finding]) -> Diagram {
    let count = flow.nodes.len();
    let position: FxHashMap<&str, usize> = flow
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let start = position.get(flow.start.as_str()).copied().unwrap_or(0);
    // Every edge of the flow, with what takes it and whether it is an
    // option (solid) or a lead (dashed).
    let mut edges: Vec<(usize, usize, String, bool)> = Vec::new();
    for (from, node) in flow.nodes.iter().enumerate() {
        for option in &node.options {
            if let Some(&to) = position.get(option.goto.as_str()) {
                edges.push((from, to, option.name.clone(), true));
            }
        }
        // A `call` leads into another flow, which has its own drawing.
        for lead in node.leads.iter().filter(|l| l.by != "call") {
            if let Some(&to) = position.get(lead.to.as_str()) {
                edges.push((from, to, lead_label(lead), false));
            }
        }
    }
    let marked: Vec<Option<Level>> = flow
        .nodes
        .iter()
        .map(|n| worst(marks(findings, &n.id)))
        .collect();
    let collapsed = count > COLLAPSE_ABOVE;
    let (items, item_of, folds) = if collapsed {
        fold(flow, start, &edges, &marked)
    } else {
        (
            (0..count).map(Item::Node).collect(),
            (0..count).collect(),
            Vec::new(),
        )
    };
    // Edges between boxes: once each, and none within a fold.
    let mut drawn: Vec<(usize, usize, String, bool)> = Vec::new();
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (from, to, label, option) in &edges {
        let (a, b) = (item_of[*from], item_of[*to]);
        if a == b && matches!(items[a], Item::Fold(_)) {
            continue;
        }
        if collapsed {
            if seen.insert((a, b)) {
                drawn.push((a, b, label.clone(), *option));
            }
        } else {
            drawn.push((a, b, label.clone(), *option));
        }
    }
    let placed = layout(
        items.len(),
        &drawn.iter().map(|&(a, b, ..)| (a, b)).collect::<Vec<_>>(),
        item_of.get(start).copied().unwrap_or(0),
    );
    let widest = placed.layers.iter().map(Vec::len).max().unwrap_or(0);
    let width = (widest * (WIDTH + GAP_ACROSS)).saturating_sub(GAP_ACROSS) + 2 * MARGIN;
    let height = (placed.layers.len() * (HEIGHT + GAP_DOWN)).saturating_sub(GAP_DOWN) + 2 * MARGIN;
    let corner = |item: usize| {
        let layer = placed.layer[item];
        let shift = (widest - placed.layers[layer].len()) * (WIDTH + GAP_ACROSS) / 2;
        (
            MARGIN + shift + placed.position[item] * (WIDTH + GAP_ACROSS),
            MARGIN + layer * (HEIGHT + GAP_DOWN),
        )
    };
    let element_id = |item: Item| match item {
        Item::Node(n) => format!("n{index}-{n}"),
        Item::Fold(k) => format!("f{index}-{k}"),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"flow\" id=\"flow-{index}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"flow {}\">",
        escape(&flow.flow)
    );
    let labels = items.len() <= LABELS_UP_TO;
    for (a, b, label, option) in &drawn {
        let ((ax, ay), (bx, by)) = (corner(*a), corner(*b));
        let class = if *option { "edge" } else { "edge lead" };
        let path = if placed.layer[*b] > placed.layer[*a] {
            format!(
                "M{} {} L{} {}",
                ax + WIDTH / 2,
                ay + HEIGHT,
                bx + WIDTH / 2,
                by
            )
        } else {
            // Back to an earlier layer, or across one: around the right.
            let bulge = 36 + 8 * placed.layer[*a].abs_diff(placed.layer[*b]);
            format!(
                "M{} {} C{} {} {} {} {} {}",
                ax + WIDTH,
                ay + HEIGHT / 2,
                ax + WIDTH + bulge,
                ay + HEIGHT / 2,
                bx + WIDTH + bulge,
                by + HEIGHT / 2,
                bx + WIDTH,
                by + HEIGHT / 2
            )
        };
        let _ = write!(
            svg,
            "<path class=\"{class}\" d=\"{path}\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
            escape(label)
        );
        if labels {
            let (mx, my) = if placed.layer[*b] > placed.layer[*a] {
                ((ax + bx + WIDTH) / 2, (ay + HEIGHT + by) / 2)
            } else {
                (ax.max(bx) + WIDTH + 8, (ay + by + HEIGHT) / 2)
            };
            let _ = write!(
                svg,
                "<text class=\"edge-label\" x=\"{mx}\" y=\"{my}\">{}</text>",
                escape(&shorten(label, LABEL_CHARS))
            );
        }
    }
    for (item_index, &item) in items.iter().enumerate() {
        let (x, y) = corner(item_index);
        let id = element_id(item);
        match item {
            Item::Node(n) => {
                let node = &flow.nodes[n];
                let mut title = format!("{} ({})", node.id, node.kind);
                if let Some(text) = &node.text {
                    let _ = write!(title, "\n{text}");
                }
                for finding in marks(findings, &node.id) {
                    let _ = write!(
                        title,
                        "\n{} {}: {}",
                        finding.level.name(),
                        finding.code.name(),
                        finding.message
                    );
                }
                let start_class = if n == start { " start" } else { "" };
                let _ = write!(
                    svg,
                    "<g class=\"node kind-{}{}{start_class}\" id=\"{id}\" data-node=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">{}</text><text class=\"kind\" x=\"{}\" y=\"{}\">{}</text></g>",
                    escape(&node.kind),
                    level_class(marked[n]),
                    escape(&node.id),
                    escape(&title),
                    x + 8,
                    y + 20,
                    escape(&shorten(&node.id, BOX_CHARS)),
                    x + 8,
                    y + 38,
                    escape(&node.kind),
                );
            }
            Item::Fold(k) => {
                let fold = &folds[k];
                let level = fold
                    .nodes
                    .iter()
                    .filter_map(|id| position.get(id.as_str()).and_then(|&n| marked[n]))
                    .max();
                let under = match &fold.under {
                    Some(node) => format!("after {node}"),
                    None => "not reached from the start".to_string(),
                };
                let _ = write!(
                    svg,
                    "<g class=\"fold{}\" id=\"{id}\"><title>{} nodes folded, {}</title><rect x=\"{x}\" y=\"{y}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">+{} nodes</text><text class=\"kind\" x=\"{}\" y=\"{}\">{}</text></g>",
                    level_class(level),
                    fold.nodes.len(),
                    escape(&under),
                    x + 8,
                    y + 20,
                    fold.nodes.len(),
                    x + 8,
                    y + 38,
                    escape(&shorten(&under, BOX_CHARS)),
                );
            }
        }
    }
    svg.push_str("</svg>");
    let mut element = FxHashMap::default();
    for (n, node) in flow.nodes.iter().enumerate() {
        element.insert(node.id.clone(), element_id(items[item_of[n]]));
    }
    let folds = folds
        .into_iter()
        .enumerate()
        .map(|(k, fold)| Fold {
            element: element_id(Item::Fold(k)),
            ..fold
        })
        .collect();
    Diagram {
        svg,
        element,
        folds,
        collapsed,
    }
}

/// The boxes of a collapsed drawing, the box of each node, and the folds.
/// Kept, in this order until [`COLLAPSE_ABOVE`] are: the start, nodes with
/// findings, menus, each group in breadth-first order from the start. Every
/// other node is folded with the kept node the breadth-first search reached
/// it from (through nodes that are not kept); nodes the start does not
/// reach share one fold.
fn fold(
    flow: &FlowShape,
    start: usize,
    edges: &[(usize, usize, String, bool)],
    marked: &[Option<Level>],
) -> (Vec<Item>, Vec<usize>, Vec<Fold>) {
    let count = flow.nodes.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(from, to, ..) in edges {
        next[from].push(to);
    }
    let mut parent: Vec<Option<usize>> = vec![None; count];
    let mut reached = vec![false; count];
    let mut order = Vec::with_capacity(count);
    let mut queue = VecDeque::from([start]);
    reached[start] = true;
    while let Some(node) = queue.pop_front() {
        order.push(node);
        for &to in &next[node] {
            if !reached[to] {
                reached[to] = true;
                parent[to] = Some(node);
                queue.push_back(to);
            }
        }
    }
    let mut kept = vec![false; count];
    let mut room = COLLAPSE_ABOVE;
    let wanted: [&dyn Fn(usize) -> bool; 3] = [&|n| n == start, &|n| marked[n].is_some(), &|n| {
        flow.nodes[n].kind == "menu"
    }];
    for wants in wanted {
        for &n in &order {
            if room > 0 && !kept[n] && wants(n) {
                kept[n] = true;
                room -= 1;
            }
        }
    }
    // The kept node each node is folded under (itself when kept).
    let mut owner: Vec<Option<usize>> = vec![None; count];
    for &n in &order {
        owner[n] = if kept[n] {
            Some(n)
        } else {
            parent[n].and_then(|p| owner[p])
        };
    }
    let mut items: Vec<Item> = (0..count).filter(|&n| kept[n]).map(Item::Node).collect();
    let kept_count = items.len();
    let mut item_of = vec![0; count];
    for (i, item) in items.iter().enumerate() {
        if let Item::Node(n) = item {
            item_of[*n] = i;
        }
    }
    let mut folds: Vec<Fold> = Vec::new();
    let mut fold_of_owner: FxHashMap<Option<usize>, usize> = FxHashMap::default();
    let unreached = (0..count).filter(|&n| !reached[n]);
    for n in order.iter().copied().chain(unreached) {
        if kept[n] {
            continue;
        }
        let key = owner[n];
        let k = *fold_of_owner.entry(key).or_insert_with(|| {
            folds.push(Fold {
                element: String::new(),
                under: key.map(|o| flow.nodes[o].id.clone()),
                nodes: Vec::new(),
            });
            items.push(Item::Fold(folds.len() - 1));
            folds.len() - 1
        });
        folds[k].nodes.push(flow.nodes[n].id.clone());
        // Folds follow the kept nodes among the boxes, in their order.
        item_of[n] = kept_count + k;
    }
    (items, item_of, folds)
}
