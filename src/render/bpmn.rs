//! BPMN 2.0 XML for service designers: one flow, or one customer's journey
//! through the flows, as a collaboration with one pool and three lanes (the
//! customer, the automated channel, the staff that transfers reach), the
//! findings of `lint` as text annotations, and diagram interchange (BPMNDI)
//! laid out left to right, so that bpmn.io or Camunda Modeler opens the
//! file drawn.
//!
//! Both drawings are first built as a [`Diagram`] of elements, sequence
//! flows and notes; one writer lays that out and writes the XML, so the
//! flow and the journey cannot disagree on ids, lanes or layout.

use std::collections::BTreeMap;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::finding::Finding;
use crate::model::{Channel, Level};
use crate::replay::{Ending, Event as Heard, Transcript};
use crate::structure::FlowShape;

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const BPMNDI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
const DC: &str = "http://www.omg.org/spec/DD/20100524/DC";
const DI: &str = "http://www.omg.org/spec/DD/20100524/DI";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The swimlanes, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Lane {
    Customer,
    Channel,
    Staff,
}

const LANES: [Lane; 3] = [Lane::Customer, Lane::Channel, Lane::Staff];

impl Lane {
    fn id(self) -> &'static str {
        match self {
            Lane::Customer => "Lane_customer",
            Lane::Channel => "Lane_channel",
            Lane::Staff => "Lane_staff",
        }
    }

    fn name(self, channel: Channel) -> String {
        match self {
            Lane::Customer => "Customer".to_string(),
            Lane::Channel => format!("Automated channel ({})", channel.name()),
            Lane::Staff => "Staff".to_string(),
        }
    }
}

/// The BPMN element a step becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    End,
    /// An end event that stops the whole process: the call is hung up.
    Terminate,
    /// A step that passes on without stopping: a called flow returning.
    Throw,
    Task,
    UserTask,
    ServiceTask,
    ScriptTask,
    CallActivity,
    Gateway,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Start => "bpmn:startEvent",
            Kind::End | Kind::Terminate => "bpmn:endEvent",
            Kind::Throw => "bpmn:intermediateThrowEvent",
            Kind::Task => "bpmn:task",
            Kind::UserTask => "bpmn:userTask",
            Kind::ServiceTask => "bpmn:serviceTask",
            Kind::ScriptTask => "bpmn:scriptTask",
            Kind::CallActivity => "bpmn:callActivity",
            Kind::Gateway => "bpmn:exclusiveGateway",
        }
    }

    /// Width and height of its shape, the sizes bpmn-js draws by default.
    fn size(self) -> (i64, i64) {
        match self {
            Kind::Start | Kind::End | Kind::Terminate | Kind::Throw => (36, 36),
            Kind::Gateway => (50, 50),
            _ => (100, 80),
        }
    }
}

struct Element {
    id: String,
    kind: Kind,
    name: String,
    lane: Lane,
    /// For a gateway: the sequence flow taken when no condition holds.
    default: Option<usize>,
    /// The whole text the customer hears or reads there, which the name
    /// may shorten: BPMN tools show it beside the element.
    documentation: Option<String>,
}

struct Sequence {
    source: usize,
    target: usize,
    name: Option<String>,
    condition: Option<String>,
}

/// A finding, written on the element it is about.
struct Note {
    text: String,
    element: usize,
}

/// What is drawn, before layout.
struct Diagram {
    participant: String,
    channel: Channel,
    elements: Vec<Element>,
    sequences: Vec<Sequence>,
    notes: Vec<Note>,
}

impl Diagram {
    fn new(participant: String, channel: Channel) -> Diagram {
        Diagram {
            participant,
            channel,
            elements: Vec::new(),
            sequences: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn add(&mut self, id: String, kind: Kind, name: String, lane: Lane) -> usize {
        self.elements.push(Element {
            id,
            kind,
            name,
            lane,
            default: None,
            documentation: None,
        });
        self.elements.len() - 1
    }

    fn connect(&mut self, source: usize, target: usize, name: Option<String>) -> usize {
        self.sequences.push(Sequence {
            source,
            target,
            name,
            condition: None,
        });
        self.sequences.len() - 1
    }

    fn annotate(&mut self, element: usize, findings: &[&Finding]) {
        for finding in findings {
            self.notes.push(Note {
                text: note_text(finding),
                element,
            });
        }
    }
}

/// A finding as its annotation says it: `error dead-end: message
/// (hours=closed)`.
fn note_text(finding: &Finding) -> String {
    let level = match finding.level {
        Level::Error => "error",
        Level::Warning => "warning",
        _ => "note",
    };
    let vars = super::vars_text(finding);
    let mut text = format!("{level} {}: {}", finding.code.name(), finding.message);
    if !vars.is_empty() {
        text.push_str(&format!(" ({vars})"));
    }
    text
}

/// A name short enough to read in a shape: long prompts are cut at a word
/// with an ellipsis; the whole text is in the YAML.
fn short(text: &str) -> String {
    // About what a task's box shows in bpmn.io.
    const MAX: usize = 70;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// `main_menu: To pay, press 1…`, or the id alone when there is no text.
fn step_name(id: &str, text: Option<&str>) -> String {
    match text {
        Some(text) if !text.trim().is_empty() => short(&format!("{id}: {text}")),
        _ => id.to_string(),
    }
}

fn start_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => "customer calls",
        Channel::Web => "customer opens the site",
        Channel::App => "customer opens the app",
    }
}

/// The BPMN element of one node of a flow, by its kind: where it stands,
/// and whether it is an end.
fn node_kind(kind: &str, backend: bool) -> (Kind, Lane) {
    match kind {
        "transfer" => (Kind::UserTask, Lane::Staff),
        "end" => (Kind::End, Lane::Channel),
        "hangup" => (Kind::Terminate, Lane::Channel),
        "return" => (Kind::End, Lane::Channel),
        "switch" => (Kind::Gateway, Lane::Channel),
        "set" => (Kind::ScriptTask, Lane::Channel),
        "call" => (Kind::CallActivity, Lane::Channel),
        "opaque" if backend => (Kind::ServiceTask, Lane::Channel),
        _ => (Kind::Task, Lane::Channel),
    }
}

/// What the automated channel shows at a node, as its element's name.
fn node_name(kind: &str, id: &str, text: Option<&str>, detail: Option<&str>) -> String {
    match (kind, detail) {
        ("transfer", Some(queue)) => format!("agent at {queue}"),
        ("call", Some(flow)) => format!("{id}: call {flow}"),
        ("return", _) => format!("{id}: back to the calling flow"),
        _ => step_name(id, text),
    }
}

/// Facts about a node that its shape does not hold: a transfer's queue, a
/// called flow, whether an opaque step is a back-end call.
#[derive(Debug, Clone, Default)]
pub struct NodeFacts {
    pub detail: Option<String>,
    pub backend: bool,
}

/// A name for each node id that an XML id can end with, unique among
/// them, in the nodes' order: the id itself where it is one (`main_menu`),
/// other characters as `_`, and `-2`, `-3`, ... after a name taken
/// already. Ids built on the node's own id stay the same when nodes are
/// added or moved, so that two versions of a flow compare element by
/// element in a BPMN tool. No element id is a prefix plus another's
/// (`DI_` and `Terminate_` prefixes are the only ones added to ids), so
/// every id stays unique whatever the nodes are called.
fn xml_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    ids.map(|id| {
        let base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    })
    .collect()
}

/// One flow: every node, every option and handler, from the start.
/// `facts` is keyed by node id; `findings` are the flow's.
pub fn flow(
    shape: &FlowShape,
    facts: &BTreeMap<String, NodeFacts>,
    findings: &[&Finding],
) -> String {
    let mut diagram = Diagram::new(
        format!("{} ({})", shape.flow, shape.channel.name()),
        shape.channel,
    );
    let start = diagram.add(
        "Start".to_string(),
        Kind::Start,
        start_name(shape.channel).to_string(),
        Lane::Customer,
    );
    let ids = xml_names(shape.nodes.iter().map(|n| n.id.as_str()));
    // Each node's first element (where it is entered) and last (where it
    // is left), in the flow's order.
    let mut entries = BTreeMap::new();
    let mut exits = Vec::new();
    let none = NodeFacts::default();
    for (i, node) in shape.nodes.iter().enumerate() {
        let fact = facts.get(&node.id).unwrap_or(&none);
        let (kind, lane) = node_kind(&node.kind, fact.backend);
        let name = node_name(
            &node.kind,
            &node.id,
            node.text.as_deref(),
            fact.detail.as_deref(),
        );
        let entry = diagram.add(format!("Node_{}", ids[i]), kind, name, lane);
        diagram.elements[entry].documentation = node.text.clone();
        entries.insert(node.id.as_str(), entry);
        let mut exit = entry;
        // At a menu or an ask the customer hears the prompt and answers.
        let answer = match node.kind.as_str() {
            "menu" => Some(format!("chooses at {}", node.id)),
            "ask" => Some(format!("answers {}", node.id)),
            _ => None,
        };
        if let Some(answer) = answer {
            let choice = diagram.add(
                format!("Choice_{}", ids[i]),
                Kind::UserTask,
                answer,
                Lane::Customer,
            );
            diagram.connect(exit, choice, None);
            exit = choice;
        }
        if node.kind == "transfer" {
            let end = diagram.add(
                format!("Transferred_{}", ids[i]),
                Kind::End,
                "transferred".to_string(),
                Lane::Staff,
            );
            diagram.connect(entry, end, None);
        }
        exits.push(exit);
    }
    diagram.connect(
        start,
        entries.get(shape.start.as_str()).copied().unwrap_or(start),
        None,
    );
    for (i, node) in shape.nodes.iter().enumerate() {
        // Every way on: the options, then `next`, `goto`, handlers, `back`,
        // switch entries and branches (a `call` lead names a flow, not a node).
        let mut ways: Vec<(String, Option<String>, &str, bool)> = Vec::new();
        for option in &node.options {
            // The option's name says its condition too (`key 1 when hours == open`).
            ways.push((
                option.name.clone(),
                Some(option.name.clone()),
                &option.goto,
                false,
            ));
        }
        for lead in node.leads.iter().filter(|l| l.by != "call") {
            let label = super::graph::lead_label(lead);
            match lead.by.as_str() {
                "next" => ways.push((String::new(), None, &lead.to, false)),
                // An ask's `goto` is taken on a valid answer; its handlers
                // take the rest, so at its gateway it needs its condition.
                "goto" => ways.push((
                    "valid answer".to_string(),
                    Some("valid answer".to_string()),
                    &lead.to,
                    false,
                )),
                "default" => ways.push(("default".to_string(), None, &lead.to, true)),
                by => {
                    let condition = by.strip_prefix("when ").unwrap_or(&label).to_string();
                    ways.push((label, Some(condition), &lead.to, false));
                }
            }
        }
        let ways: Vec<_> = ways
            .into_iter()
            .filter_map(|(label, condition, to, default)| {
                entries
                    .get(to)
                    .map(|&target| (label, condition, target, default))
            })
            .collect();
        let mut from = exits[i];
        let decides = diagram.elements[from].kind == Kind::Gateway;
        if ways.len() > 1 && !decides {
            // Named as a question, as BPMN gateways are.
            let question = match node.kind.as_str() {
                "menu" => "which option?",
                "ask" => "which answer?",
                "opaque" => "which outcome?",
                _ => "which way?",
            };
            let gateway = diagram.add(
                format!("Decision_{}", ids[i]),
                Kind::Gateway,
                question.to_string(),
                Lane::Channel,
            );
            diagram.connect(from, gateway, None);
            from = gateway;
        }
        let conditioned = ways.len() > 1 || decides;
        for (label, condition, target, default) in ways {
            let name = (!label.is_empty()).then_some(label);
            let flow = diagram.connect(from, target, name);
            if default && conditioned {
                diagram.elements[from].default = Some(flow);
            } else if conditioned {
                diagram.sequences[flow].condition = condition;
            }
        }
        let marks: Vec<&Finding> = super::graph::marks(findings, &node.id).collect();
        diagram.annotate(entries[node.id.as_str()], &marks);
    }
    // Findings about no node of this flow are the flow's: they go on its start.
    let elsewhere: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.code != crate::finding::Code::PersonaFailed)
        .filter(|f| !entries.contains_key(f.node.as_str()))
        .collect();
    diagram.annotate(start, &elsewhere);
    write(&diagram)
}

/// One journey: what one customer hears and does, in order, from the
/// first node to where it ended. `facts` is keyed by (flow, node id);
/// `findings` are those of every flow of the channel, and each node the
/// journey passes carries its own the first time it is passed; `verdict`
/// (a failed persona's finding) goes on the end.
pub fn journey(
    who: &str,
    transcript: &Transcript,
    facts: &BTreeMap<(String, String), NodeFacts>,
    findings: &[&Finding],
    verdict: &[&Finding],
) -> String {
    let channel = transcript.channel;
    let mut diagram = Diagram::new(
        format!("{who} on {} ({})", transcript.flow, channel.name()),
        channel,
    );
    let mut last = diagram.add(
        "Start".to_string(),
        Kind::Start,
        start_name(channel).to_string(),
        Lane::Customer,
    );
    let none = NodeFacts::default();
    let mut annotated: Vec<(&str, &str)> = Vec::new();
    // The kind of the node the customer is at, and the label an opaque
    // step's outcome puts on the flow that leaves it.
    let mut at_kind = "";
    let mut outcome: Option<String> = None;
    let mut ended = false;
    for (k, event) in transcript.events.iter().enumerate() {
        match event {
            Heard::Node {
                node,
                flow,
                kind,
                text,
                ..
            } => {
                let fact = facts.get(&(flow.clone(), node.clone())).unwrap_or(&none);
                let (mut element_kind, lane) = node_kind(kind, fact.backend);
                // A called flow's `return` goes on in the caller.
                if *kind == "return" {
                    element_kind = Kind::Throw;
                }
                let name = node_name(kind, node, text.as_deref(), fact.detail.as_deref());
                let step = diagram.add(format!("Step_{k}"), element_kind, name, lane);
                diagram.elements[step].documentation = text.clone();
                diagram.connect(last, step, outcome.take());
                last = step;
                at_kind = *kind;
                ended = matches!(element_kind, Kind::End | Kind::Terminate);
                if !annotated.contains(&(flow.as_str(), node.as_str())) {
                    annotated.push((flow, node));
                    let marks: Vec<&Finding> = super::graph::marks(findings, node)
                        .filter(|f| f.flow == *flow)
                        .collect();
                    diagram.annotate(step, &marks);
                }
            }
            Heard::Input { input, meaning } => {
                if at_kind == "opaque" {
                    // The platform decides an opaque step, not the customer.
                    outcome = Some(short(meaning));
                    continue;
                }
                let step = diagram.add(
                    format!("Step_{k}"),
                    Kind::UserTask,
                    short(&format!("{input}: {meaning}")),
                    Lane::Customer,
                );
                diagram.connect(last, step, None);
                last = step;
                ended = false;
            }
        }
    }
    if !ended {
        let (name, lane) = match &transcript.ending {
            Ending::Terminal {
                kind: "transfer",
                closed: Some(closed),
                ..
            } => (
                format!("nobody staffs the queue ({closed} is false)"),
                Lane::Staff,
            ),
            Ending::Terminal {
                kind: "transfer", ..
            } => ("transferred".to_string(), Lane::Staff),
            Ending::Terminal { .. } => ("ended".to_string(), Lane::Channel),
            Ending::DeadEnd { node, reason } => {
                (format!("stuck at {node}: {reason}"), Lane::Channel)
            }
            Ending::Dropped { node, input } => (
                format!("the call drops at {node} after {input}"),
                Lane::Channel,
            ),
            Ending::Waiting { node } => (format!("the customer leaves at {node}"), Lane::Customer),
            Ending::Loop { node } => (format!("goes round at {node} forever"), Lane::Channel),
            Ending::Returned { node } => {
                (format!("returns at {node} with no caller"), Lane::Channel)
            }
            Ending::CallTooDeep { node } => (format!("calls too deep at {node}"), Lane::Channel),
        };
        let end = diagram.add("End".to_string(), Kind::End, name, lane);
        diagram.connect(last, end, outcome.take());
        last = end;
    }
    diagram.annotate(last, verdict);
    write(&diagram)
}

/// Where one thing is drawn.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x: i64,
    y: i64,
    width: i64,
    height: i64,
}

impl Bounds {
    fn center_x(self) -> i64 {
        self.x + self.width / 2
    }
    fn center_y(self) -> i64 {
        self.y + self.height / 2
    }
    fn right(self) -> i64 {
        self.x + self.width
    }
    fn bottom(self) -> i64 {
        self.y + self.height
    }
}

/// The pool's title band, then each lane's.
const POOL_LABEL: i64 = 30;
const LANE_LABEL: i64 = 30;
const COLUMN: i64 = 200;
/// Every element sits centred in a slot of this height, so that elements
/// side by side in one row of a lane line up and their flows run straight.
const SLOT: i64 = 110;
const NOTE_WIDTH: i64 = 190;
/// About how many characters of a note's text fit on one of its lines, and
/// how high a line is, as bpmn-js writes annotations (12 px Arial).
const NOTE_LINE_CHARS: usize = 30;
const NOTE_LINE: i64 = 15;
const NOTE_GAP: i64 = 16;
const LANE_PADDING: i64 = 20;
const MIN_LANE: i64 = 130;

struct Layout {
    elements: Vec<Bounds>,
    notes: Vec<Bounds>,
    lanes: Vec<(Lane, Bounds)>,
    pool: Bounds,
}

/// Layers left to right by the fewest sequence flows from the start;
/// elements no flow from the start reaches are laid out from their own
/// first element, in order. Within a lane and a layer, elements stack
/// by where their flows come from, their notes below them.
fn layout(diagram: &Diagram) -> Layout {
    let count = diagram.elements.len();
    // Columns are the distance from the start event, the first element,
    // as the HTML page's layers are.
    let edges: Vec<(usize, usize)> = diagram
        .sequences
        .iter()
        .map(|s| (s.source, s.target))
        .collect();
    let layer = super::layers::depths(count, &edges, 0);
    let columns = layer.iter().max().map_or(1, |m| m + 1);
    // Slots of each (lane, layer) cell: elements first, then notes. Layer
    // by layer, elements stack in the order of where their flows come from
    // (the mean position of the elements already placed that lead to
    // them, lanes above first), so that flows cross less; elements nothing
    // placed leads to come last, in the order they were added.
    let mut incoming = vec![Vec::new(); count];
    for s in &diagram.sequences {
        incoming[s.target].push(s.source);
    }
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (e, &l) in layer.iter().enumerate() {
        by_layer[l].push(e);
    }
    let lane_rank = |lane: Lane| LANES.iter().position(|&l| l == lane).unwrap_or(0) as i64;
    let mut cells: BTreeMap<(Lane, usize), i64> = BTreeMap::new();
    let mut element_slot = vec![0i64; count];
    let mut placed = vec![false; count];
    for members in &by_layer {
        let mut order: Vec<(i64, usize)> = members
            .iter()
            .map(|&e| {
                let from: Vec<i64> = incoming[e]
                    .iter()
                    .filter(|&&p| placed[p])
                    .map(|&p| lane_rank(diagram.elements[p].lane) * 1_000_000 + element_slot[p])
                    .collect();
                let key = match from.len() {
                    0 => i64::MAX,
                    n => from.iter().sum::<i64>() / n as i64,
                };
                (key, e)
            })
            .collect();
        order.sort_unstable();
        for (_, e) in order {
            let used = cells
                .entry((diagram.elements[e].lane, layer[e]))
                .or_default();
            element_slot[e] = *used;
            *used += SLOT;
            placed[e] = true;
        }
    }
    // A note is as high as its text needs, so that the text stays inside it.
    let mut note_slot = Vec::new();
    for note in &diagram.notes {
        let element = &diagram.elements[note.element];
        let used = cells
            .entry((element.lane, layer[note.element]))
            .or_default();
        let lines = note.text.chars().count().div_ceil(NOTE_LINE_CHARS) as i64;
        let height = 10 + NOTE_LINE * lines.max(1);
        note_slot.push((*used, height));
        *used += height + NOTE_GAP;
    }
    let width = POOL_LABEL + LANE_LABEL + columns as i64 * COLUMN + 20;
    let x0 = POOL_LABEL + LANE_LABEL + 20;
    let mut lanes = Vec::new();
    let mut lane_top = BTreeMap::new();
    let mut y = 0;
    for lane in LANES {
        let tallest = cells
            .iter()
            .filter(|((l, _), _)| *l == lane)
            .map(|(_, used)| *used)
            .max()
            .unwrap_or(0);
        let height = (tallest + 2 * LANE_PADDING).max(MIN_LANE);
        lanes.push((
            lane,
            Bounds {
                x: POOL_LABEL,
                y,
                width: width - POOL_LABEL,
                height,
            },
        ));
        lane_top.insert(lane, y + LANE_PADDING);
        y += height;
    }
    let elements = diagram
        .elements
        .iter()
        .enumerate()
        .map(|(e, element)| {
            let (w, h) = element.kind.size();
            let column_x = x0 + layer[e] as i64 * COLUMN;
            Bounds {
                x: column_x + (100 - w) / 2,
                y: lane_top[&element.lane] + element_slot[e] + (SLOT - h) / 2,
                width: w,
                height: h,
            }
        })
        .collect();
    let notes = diagram
        .notes
        .iter()
        .zip(note_slot)
        .map(|(note, (slot, height))| {
            let element = &diagram.elements[note.element];
            Bounds {
                x: x0 + layer[note.element] as i64 * COLUMN,
                y: lane_top[&element.lane] + slot + NOTE_GAP / 2,
                width: NOTE_WIDTH,
                height,
            }
        })
        .collect();
    Layout {
        elements,
        notes,
        lanes,
        pool: Bounds {
            x: 0,
            y: 0,
            width,
            height: y,
        },
    }
}

/// The bends of a sequence flow: forward flows leave on the right and bend
/// in the gap after the source's column; flows back (or within a column)
/// leave below and come in from below.
fn waypoints(from: Bounds, to: Bounds) -> Vec<(i64, i64)> {
    if to.x > from.right() {
        if from.center_y() == to.center_y() {
            return vec![(from.right(), from.center_y()), (to.x, to.center_y())];
        }
        // The middle of the gap after the source's column, which no shape
        // stands in.
        let bend = from.center_x() + COLUMN / 2;
        return vec![
            (from.right(), from.center_y()),
            (bend, from.center_y()),
            (bend, to.center_y()),
            (to.x, to.center_y()),
        ];
    }
    if from.center_x() == to.center_x() {
        return if to.y > from.y {
            vec![(from.center_x(), from.bottom()), (to.center_x(), to.y)]
        } else {
            vec![(from.center_x(), from.y), (to.center_x(), to.bottom())]
        };
    }
    let below = from.bottom().max(to.bottom()) + 12;
    vec![
        (from.center_x(), from.bottom()),
        (from.center_x(), below),
        (to.center_x(), below),
        (to.center_x(), to.bottom()),
    ]
}

/// Characters XML 1.0 cannot hold, even escaped, become spaces.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => ' ',
            c => c,
        })
        .collect()
}

type Xml = Writer<Vec<u8>>;

fn bounds_element(w: &mut Xml, b: Bounds) -> std::io::Result<()> {
    w.create_element("dc:Bounds")
        .with_attribute(("x", b.x.to_string().as_str()))
        .with_attribute(("y", b.y.to_string().as_str()))
        .with_attribute(("width", b.width.to_string().as_str()))
        .with_attribute(("height", b.height.to_string().as_str()))
        .write_empty()?;
    Ok(())
}

fn shape(
    w: &mut Xml,
    element: &str,
    b: Bounds,
    extra: Option<(&str, &str)>,
) -> std::io::Result<()> {
    let id = format!("DI_{element}");
    let mut start = w
        .create_element("bpmndi:BPMNShape")
        .with_attribute(("id", id.as_str()))
        .with_attribute(("bpmnElement", element));
    if let Some(extra) = extra {
        start = start.with_attribute(extra);
    }
    start.write_inner_content(|w| bounds_element(w, b))?;
    Ok(())
}

fn edge(w: &mut Xml, element: &str, points: &[(i64, i64)]) -> std::io::Result<()> {
    let id = format!("DI_{element}");
    w.create_element("bpmndi:BPMNEdge")
        .with_attribute(("id", id.as_str()))
        .with_attribute(("bpmnElement", element))
        .write_inner_content(|w| {
            for (x, y) in points {
                w.create_element("di:waypoint")
                    .with_attribute(("x", x.to_string().as_str()))
                    .with_attribute(("y", y.to_string().as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn flow_id(index: usize) -> String {
    format!("Flow_{index}")
}

fn note_id(index: usize) -> String {
    format!("Note_{index}")
}

fn association_id(index: usize) -> String {
    format!("Association_{index}")
}

fn write_process(w: &mut Xml, diagram: &Diagram) -> std::io::Result<()> {
    w.create_element("bpmn:laneSet")
        .with_attribute(("id", "LaneSet_1"))
        .write_inner_content(|w| {
            for lane in LANES {
                let name = xml_text(&lane.name(diagram.channel));
                w.create_element("bpmn:lane")
                    .with_attribute(("id", lane.id()))
                    .with_attribute(("name", name.as_str()))
                    .write_inner_content(|w| {
                        for element in diagram.elements.iter().filter(|e| e.lane == lane) {
                            w.create_element("bpmn:flowNodeRef")
                                .write_text_content(BytesText::new(&element.id))?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    for element in &diagram.elements {
        let name = xml_text(&element.name);
        let default = element.default.map(flow_id);
        let mut start = w
            .create_element(element.kind.tag())
            .with_attribute(("id", element.id.as_str()));
        if !name.is_empty() {
            start = start.with_attribute(("name", name.as_str()));
        }
        if let Some(default) = &default {
            start = start.with_attribute(("default", default.as_str()));
        }
        let documentation = element.documentation.as_deref().map(xml_text);
        if element.kind == Kind::Terminate || documentation.is_some() {
            start.write_inner_content(|w| {
                if let Some(documentation) = &documentation {
                    w.create_element("bpmn:documentation")
                        .write_text_content(BytesText::new(documentation))?;
                }
                if element.kind == Kind::Terminate {
                    let definition = format!("Terminate_{}", element.id);
                    w.create_element("bpmn:terminateEventDefinition")
                        .with_attribute(("id", definition.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        } else {
            start.write_empty()?;
        }
    }
    for (index, sequence) in diagram.sequences.iter().enumerate() {
        let id = flow_id(index);
        let name = sequence.name.as_deref().map(xml_text);
        let mut start = w
            .create_element("bpmn:sequenceFlow")
            .with_attribute(("id", id.as_str()));
        if let Some(name) = &name {
            start = start.with_attribute(("name", name.as_str()));
        }
        let start = start
            .with_attribute(("sourceRef", diagram.elements[sequence.source].id.as_str()))
            .with_attribute(("targetRef", diagram.elements[sequence.target].id.as_str()));
        match &sequence.condition {
            Some(condition) => {
                let condition = xml_text(condition);
                start.write_inner_content(|w| {
                    w.create_element("bpmn:conditionExpression")
                        .with_attribute(("xsi:type", "bpmn:tFormalExpression"))
                        .write_text_content(BytesText::new(&condition))?;
                    Ok(())
                })?;
            }
            None => {
                start.write_empty()?;
            }
        }
    }
    for (index, note) in diagram.notes.iter().enumerate() {
        let text = xml_text(&note.text);
        w.create_element("bpmn:textAnnotation")
            .with_attribute(("id", note_id(index).as_str()))
            .write_inner_content(|w| {
                w.create_element("bpmn:text")
                    .write_text_content(BytesText::new(&text))?;
                Ok(())
            })?;
    }
    for (index, note) in diagram.notes.iter().enumerate() {
        w.create_element("bpmn:association")
            .with_attribute(("id", association_id(index).as_str()))
            .with_attribute(("sourceRef", diagram.elements[note.element].id.as_str()))
            .with_attribute(("targetRef", note_id(index).as_str()))
            .write_empty()?;
    }
    Ok(())
}

fn write_shapes(w: &mut Xml, diagram: &Diagram, layout: &Layout) -> std::io::Result<()> {
    shape(
        w,
        "Participant_1",
        layout.pool,
        Some(("isHorizontal", "true")),
    )?;
    for (lane, bounds) in &layout.lanes {
        shape(w, lane.id(), *bounds, Some(("isHorizontal", "true")))?;
    }
    for (element, bounds) in diagram.elements.iter().zip(&layout.elements) {
        let marker = (element.kind == Kind::Gateway).then_some(("isMarkerVisible", "true"));
        shape(w, &element.id, *bounds, marker)?;
    }
    for (index, bounds) in layout.notes.iter().enumerate() {
        shape(w, &note_id(index), *bounds, None)?;
    }
    for (index, sequence) in diagram.sequences.iter().enumerate() {
        let points = waypoints(
            layout.elements[sequence.source],
            layout.elements[sequence.target],
        );
        edge(w, &flow_id(index), &points)?;
    }
    for (index, note) in diagram.notes.iter().enumerate() {
        let from = layout.elements[note.element];
        let to = layout.notes[index];
        let points = if to.y >= from.bottom() {
            [(from.center_x(), from.bottom()), (from.center_x(), to.y)]
        } else {
            [(from.center_x(), from.y), (from.center_x(), to.bottom())]
        };
        edge(w, &association_id(index), &points)?;
    }
    Ok(())
}

fn write_document(diagram: &Diagram) -> std::io::Result<Vec<u8>> {
    let layout = layout(diagram);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let participant = xml_text(&diagram.participant);
    w.create_element("bpmn:definitions")
        .with_attribute(("xmlns:bpmn", BPMN))
        .with_attribute(("xmlns:bpmndi", BPMNDI))
        .with_attribute(("xmlns:dc", DC))
        .with_attribute(("xmlns:di", DI))
        .with_attribute(("xmlns:xsi", XSI))
        .with_attribute(("id", "Definitions_1"))
        .with_attribute(("targetNamespace", "urn:touchpoint:bpmn"))
        .with_attribute(("exporter", "touchpoint"))
        .write_inner_content(|w| {
            w.create_element("bpmn:collaboration")
                .with_attribute(("id", "Collaboration_1"))
                .write_inner_content(|w| {
                    w.create_element("bpmn:participant")
                        .with_attribute(("id", "Participant_1"))
                        .with_attribute(("name", participant.as_str()))
                        .with_attribute(("processRef", "Process_1"))
                        .write_empty()?;
                    Ok(())
                })?;
            w.create_element("bpmn:process")
                .with_attribute(("id", "Process_1"))
                .with_attribute(("isExecutable", "false"))
                .write_inner_content(|w| write_process(w, diagram))?;
            w.create_element("bpmndi:BPMNDiagram")
                .with_attribute(("id", "Diagram_1"))
                .write_inner_content(|w| {
                    w.create_element("bpmndi:BPMNPlane")
                        .with_attribute(("id", "Plane_1"))
                        .with_attribute(("bpmnElement", "Collaboration_1"))
                        .write_inner_content(|w| write_shapes(w, diagram, &layout))?;
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

fn write(diagram: &Diagram) -> String {
    // Writing into memory cannot fail, and every text written is a Rust
    // string, so the bytes are UTF-8.
    let bytes = write_document(diagram).expect("writing into memory cannot fail");
    String::from_utf8(bytes).expect("the writer was given UTF-8 only")
}
