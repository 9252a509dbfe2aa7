//! `stale-input`: a decision reads the answer to an earlier menu instead of
//! the one the caller has just been asked, so the new answer is ignored.
//!
//! A menu keeps its caller's choice with `save: VAR`, and a `switch` may
//! decide on it. The defect is a switch that a later input step leads to
//! straight (through nothing but announcements) and that decides on the
//! earlier menu's answer, while the later step's own answer is kept by
//! nothing and picks nothing: whatever the caller answers there, the call
//! goes on as the earlier answer says.
//!
//! Which switches can be stale is decided here, once, over the flows'
//! edges, and kept conservative, because a wrong error costs more than a
//! missed one:
//! - the variable is kept by exactly one menu (the earlier one) and no
//!   `set` assigns it, so its value at the switch is that menu's answer;
//! - every path from the flow's start to the later step passes through an
//!   answer to the earlier menu (its handlers and `back` do not count), so
//!   the earlier answer has really been given;
//! - the later step keeps nothing (a menu without `save`, an `ask` without
//!   `save`) and, for a menu, every option leads to the same switch;
//! - the switch decides on that variable alone, and every earlier answer
//!   from which the later step can be reached makes it take the same
//!   entry: from the later step it can only go one way, so the ways it
//!   offers for other answers are there for the new answer, which it never
//!   reads;
//! - the switch compares the variable with a key the later step's prompt
//!   announces ("press 2", "press the pound key"): it was written for the
//!   answer to that question.
//!
//! Reading an earlier answer on purpose is not reported: a language chosen
//! first and read after a menu whose own answer decides something, or an
//! account chosen before a PIN and read after it, where the earlier answers
//! that reach the PIN take the switch different ways. The walk reports a candidate where a customer
//! really answers the later step and reaches the switch (`explorer`), which
//! gives the finding its replayable inputs.

use rustc_hash::FxHashMap;

use crate::analysis::announcements::parse_announcements;
use crate::graph::{Graph, Kind, NodeIx, NONE};
use crate::model::NodeKind;

/// A switch that decides on an earlier menu's answer right after `later`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StaleRead {
    pub switch: NodeIx,
    /// The menu whose kept answer the switch decides on.
    pub earlier: NodeIx,
    /// The variable that keeps it.
    pub var: u16,
    /// Where the switch goes from `later`, whatever the caller answered
    /// there: the earlier answers that lead to `later` all pick it.
    pub always: NodeIx,
}

#[derive(Debug, Default)]
pub(crate) struct StaleReads {
    /// Per later input step: the stale switches its answer leads to.
    pub from: FxHashMap<NodeIx, Vec<StaleRead>>,
}

/// Where a node leads in the compiled graph, on any input, handler,
/// branch or guard (flow defaults included, as compiled).
fn successors(graph: &Graph, node: NodeIx, out: &mut Vec<NodeIx>) {
    match &graph.nodes[node as usize].kind {
        Kind::Say { next } | Kind::Set { next, .. } | Kind::Call { next, .. } => out.push(*next),
        Kind::Menu {
            options,
            no_input,
            no_match,
            back,
            ..
        } => {
            out.extend(options.clone().map(|o| graph.options[o as usize].goto));
            out.extend([no_input.then, no_match.then, *back]);
        }
        Kind::Ask {
            goto,
            invalid,
            no_input,
            ..
        } => out.extend([*goto, invalid.then, no_input.then]),
        Kind::Switch { entries } => out.extend(
            graph.switch_entries[entries.start as usize..entries.end as usize]
                .iter()
                .map(|&(_, to)| to),
        ),
        Kind::Opaque { branches } => out.extend(
            graph.branches[branches.start as usize..branches.end as usize]
                .iter()
                .map(|&(_, to)| to),
        ),
        Kind::Return | Kind::Transfer | Kind::End | Kind::Hangup => {}
    }
    out.retain(|&n| n != NONE);
}

/// The switch a target reaches through announcements only, if any.
fn straight_to_switch(graph: &Graph, mut node: NodeIx) -> Option<NodeIx> {
    // A chain of `say` steps longer than the graph is a loop.
    for _ in 0..=graph.nodes.len() {
        if node == NONE {
            return None;
        }
        match &graph.nodes[node as usize].kind {
            Kind::Say { next } => node = *next,
            Kind::Switch { .. } => return Some(node),
            _ => return None,
        }
    }
    None
}

/// The answers of `earlier` after which `later` can be reached before
/// `earlier` is asked again.
fn answers_reaching(graph: &Graph, earlier: NodeIx, later: NodeIx) -> Vec<u16> {
    let Kind::Menu { options, .. } = &graph.nodes[earlier as usize].kind else {
        return Vec::new();
    };
    let mut values = Vec::new();
    let mut next = Vec::new();
    for option in options.clone() {
        let option = &graph.options[option as usize];
        let Some((_, value)) = option.saves else {
            continue;
        };
        if values.contains(&value) || option.goto == NONE {
            continue;
        }
        let mut seen = vec![false; graph.nodes.len()];
        let mut stack = vec![option.goto];
        while let Some(node) = stack.pop() {
            if node == earlier || std::mem::replace(&mut seen[node as usize], true) {
                continue;
            }
            if node == later {
                values.push(value);
                break;
            }
            next.clear();
            successors(graph, node, &mut next);
            stack.extend(next.iter().copied().filter(|&n| !seen[n as usize]));
        }
    }
    values
}

/// Where the switch goes for each of `values` of `var`, when it reads
/// nothing else and they all pick the same entry.
fn one_way(graph: &Graph, switch: NodeIx, var: u16, values: &[u16]) -> Option<NodeIx> {
    let Kind::Switch { entries } = &graph.nodes[switch as usize].kind else {
        return None;
    };
    if switch_reads(graph, switch) != [var] {
        return None;
    }
    let entries = &graph.switch_entries[entries.start as usize..entries.end as usize];
    let mut way = None;
    for &value in values {
        let packed = graph.vars[var as usize].set(0, value);
        // No entry holding is a dead end, reported as such: no one way.
        let taken = entries
            .iter()
            .position(|&(cond, _)| graph.eval(cond, packed, &mut |_| {}))?;
        if way.is_some_and(|w| w != taken) {
            return None;
        }
        way = Some(taken);
    }
    way.map(|w| entries[w].1)
}

/// Calls `visit` with every comparison (`Equals`, `In`) in the conditions
/// of a switch's entries.
fn for_each_comparison(graph: &Graph, switch: NodeIx, mut visit: impl FnMut(&crate::graph::Cond)) {
    let Kind::Switch { entries } = &graph.nodes[switch as usize].kind else {
        return;
    };
    for &(cond, _) in &graph.switch_entries[entries.start as usize..entries.end as usize] {
        let mut stack = vec![cond];
        while let Some(c) = stack.pop() {
            if c == crate::graph::ALWAYS {
                continue;
            }
            match &graph.conds[c as usize] {
                crate::graph::Cond::Not(a) => stack.push(*a),
                crate::graph::Cond::And(a, b) | crate::graph::Cond::Or(a, b) => {
                    stack.extend([*a, *b]);
                }
                comparison => visit(comparison),
            }
        }
    }
}

/// The values a switch's entries compare `var` with.
fn compared_values(graph: &Graph, switch: NodeIx, var: u16) -> Vec<u16> {
    let mut values = Vec::new();
    for_each_comparison(graph, switch, |cond| match *cond {
        crate::graph::Cond::Equals { var: v, value } if v == var => values.push(value),
        crate::graph::Cond::In { var: v, mask } if v == var => {
            values.extend((0..64u16).filter(|b| mask & (1u64 << b) != 0));
        }
        _ => {}
    });
    values
}

/// Whether the switch compares `var` with a key that `later`'s prompt
/// announces: a decision written for the answer to `later`'s question.
fn compares_announced_key(graph: &Graph, switch: NodeIx, var: u16, later: NodeIx) -> bool {
    let Some(prompt) = graph.model_node(later).kind.text() else {
        return false;
    };
    let announced = parse_announcements(prompt);
    compared_values(graph, switch, var)
        .into_iter()
        .any(|value| {
            let mut chars = graph.vars[var as usize].values[value as usize].chars();
            matches!((chars.next(), chars.next()), (Some(key), None) if announced.announces(key))
        })
}

/// The variables a switch's entries read.
fn switch_reads(graph: &Graph, switch: NodeIx) -> Vec<u16> {
    let mut vars = Vec::new();
    for_each_comparison(graph, switch, |cond| {
        if let crate::graph::Cond::Equals { var, .. } | crate::graph::Cond::In { var, .. } = *cond {
            if !vars.contains(&var) {
                vars.push(var);
            }
        }
    });
    vars
}

/// Whether the step keeps its caller's answer (`save`).
fn keeps_answer(graph: &Graph, node: NodeIx) -> bool {
    match &graph.model_node(node).kind {
        NodeKind::Menu { save, .. } => save.is_some(),
        NodeKind::Ask { save, .. } => save.is_some(),
        _ => true,
    }
}

/// The switch every answer of an input step leads straight to, when the
/// answer picks nothing else: an `ask`'s one way on, or the one switch
/// every option of a menu leads to. A menu of one option ("press 1 to go
/// on") asks for no choice, so nothing the caller chose is ignored there.
fn answer_switch(graph: &Graph, node: NodeIx) -> Option<NodeIx> {
    match &graph.nodes[node as usize].kind {
        Kind::Ask { goto, .. } => straight_to_switch(graph, *goto),
        Kind::Menu { options, .. } if options.len() >= 2 => {
            let mut switch = None;
            for option in options.clone() {
                let to = straight_to_switch(graph, graph.options[option as usize].goto)?;
                if switch.is_some_and(|s| s != to) {
                    return None;
                }
                switch = Some(to);
            }
            switch
        }
        _ => None,
    }
}

/// Whether every path from the start of `later`'s flow to `later` passes
/// through an answer to `earlier`: `later` cannot be reached when
/// `earlier`'s options are taken away (its handlers and `back` stay).
fn answered_before(graph: &Graph, earlier: NodeIx, later: NodeIx) -> bool {
    let flow = graph.flow_of(later);
    let mut seen = vec![false; graph.nodes.len()];
    let mut stack = vec![flow.start];
    let mut next = Vec::new();
    while let Some(node) = stack.pop() {
        if std::mem::replace(&mut seen[node as usize], true) {
            continue;
        }
        if node == later {
            return false;
        }
        next.clear();
        if node == earlier {
            if let Kind::Menu {
                no_input,
                no_match,
                back,
                ..
            } = &graph.nodes[node as usize].kind
            {
                next.extend([no_input.then, no_match.then, *back]);
                next.retain(|&n| n != NONE);
            }
        } else {
            successors(graph, node, &mut next);
        }
        stack.extend(next.iter().copied().filter(|&n| !seen[n as usize]));
    }
    true
}

impl StaleReads {
    pub(crate) fn new(graph: &Graph) -> Self {
        // The menu that keeps each variable, when exactly one does and no
        // `set` assigns it: then its value is that menu's answer.
        let mut keeper: FxHashMap<u16, Option<NodeIx>> = FxHashMap::default();
        for option in &graph.options {
            if let Some((var, _)) = option.saves {
                let entry = keeper.entry(var).or_insert(Some(option.menu));
                if *entry != Some(option.menu) {
                    *entry = None;
                }
            }
        }
        for &(var, _) in &graph.assignments {
            keeper.insert(var, None);
        }
        if keeper.values().all(Option::is_none) {
            return StaleReads::default();
        }
        let mut from: FxHashMap<NodeIx, Vec<StaleRead>> = FxHashMap::default();
        for later in 0..graph.nodes.len() as NodeIx {
            if !matches!(
                graph.nodes[later as usize].kind,
                Kind::Menu { .. } | Kind::Ask { .. }
            ) || keeps_answer(graph, later)
            {
                continue;
            }
            let Some(switch) = answer_switch(graph, later) else {
                continue;
            };
            let flow = graph.nodes[later as usize].flow;
            for var in switch_reads(graph, switch) {
                let Some(&Some(earlier)) = keeper.get(&var) else {
                    continue;
                };
                if earlier == later
                    || graph.nodes[earlier as usize].flow != flow
                    || graph.nodes[switch as usize].flow != flow
                    || !answered_before(graph, earlier, later)
                {
                    continue;
                }
                let values = answers_reaching(graph, earlier, later);
                let Some(always) = one_way(graph, switch, var, &values) else {
                    continue;
                };
                if !compares_announced_key(graph, switch, var, later) {
                    continue;
                }
                from.entry(later).or_default().push(StaleRead {
                    switch,
                    earlier,
                    var,
                    always,
                });
            }
        }
        StaleReads { from }
    }
}
