//! Checks that span documents: node and flow references, variables and their
//! values, intents, call structure and personas.
//!
//! Every check that finds something absent first asks `Undecoded` whether it
//! is declared but broken: then the problem is where it is broken, reported
//! there once, and not here.

use std::collections::{BTreeMap, BTreeSet};

use crate::loader::problem::did_you_mean;
use crate::loader::undecoded::Undecoded;
use crate::loader::Problem;
use crate::model::*;

/// What validation checks against: the set as decoded, and what it declares
/// that could not be decoded.
struct Known<'a> {
    set: &'a MenuSet,
    undecoded: &'a Undecoded,
    /// The first flow of each channel and id, found without a scan of every
    /// flow for every call.
    flows: BTreeMap<(Channel, &'a str), &'a Flow>,
}

impl<'a> Known<'a> {
    fn flow(&self, channel: Channel, id: &str) -> Option<&'a Flow> {
        self.flows.get(&(channel, id)).copied()
    }
}

pub(crate) fn validate(set: &MenuSet, undecoded: &Undecoded, problems: &mut Vec<Problem>) {
    let mut seen_flows: BTreeMap<(Channel, &str), &Flow> = BTreeMap::new();
    for flow in &set.flows {
        if let Some(first) = seen_flows.get(&(flow.channel, flow.id.as_str())) {
            let name = &set.files[first.file as usize].name;
            problems.push(at(
                &flow.id,
                format!(
                    "flow `{}` is defined twice on {} (first in {name})",
                    flow.id.value, flow.channel
                ),
            ));
            continue;
        }
        seen_flows.insert((flow.channel, flow.id.as_str()), flow);
    }
    let known = Known {
        set,
        undecoded,
        flows: seen_flows,
    };
    let domains = channel_domains(set, problems);
    let mut channel_files: BTreeMap<Channel, Vec<SourceId>> = BTreeMap::new();
    for flow in &set.flows {
        channel_files
            .entry(flow.channel)
            .or_default()
            .push(flow.file);
    }
    for flow in &set.flows {
        let vars = Vars {
            domains: &domains[&flow.channel],
            complete: !undecoded.may_have_channel(flow.channel),
            undecoded,
            files: &channel_files[&flow.channel],
        };
        check_flow(&known, flow, &vars, problems);
    }
    check_call_cycles(set, problems);
    check_intents(&known, problems);
    check_volumes(&known, problems);
    // The first persona of each id, looked up rather than searched for: a
    // suite can hold thousands of personas.
    let mut first_of: BTreeMap<&str, &Persona> = BTreeMap::new();
    for persona in &set.personas {
        // Reports, transcripts and diffs tell personas apart by id.
        if let Some(first) = first_of.get(persona.id.as_str()).copied() {
            let name = &set.files[first.span.file as usize].name;
            problems.push(at(
                &persona.id,
                format!(
                    "persona `{}` is defined twice (first in {name})",
                    persona.id.value
                ),
            ));
        }
        for (j, variant) in persona.matrix.iter().enumerate() {
            if persona.matrix[..j].iter().any(|v| v.name == variant.name) {
                problems.push(Problem::at(
                    variant.span.file,
                    variant.span.pos,
                    format!(
                        "persona `{}` has two matrix entries named `{}`",
                        persona.id.value, variant.name
                    ),
                ));
            }
        }
        first_of.entry(persona.id.as_str()).or_insert(persona);
        check_persona(&known, persona, &domains, &channel_files, problems);
    }
}

fn at<T>(located: &Located<T>, message: impl Into<String>) -> Problem {
    Problem::at(located.span.file, located.span.pos, message)
}

/// Variables are shared by name across the flows of a channel, so a
/// sub-flow can read what its caller set. Two flows that declare the same
/// name with different values are a problem: the walk could not tell which
/// domain to try.
fn channel_domains<'a>(
    set: &'a MenuSet,
    problems: &mut Vec<Problem>,
) -> BTreeMap<Channel, BTreeMap<&'a str, &'a VarDomain>> {
    let mut out: BTreeMap<Channel, BTreeMap<&str, &VarDomain>> = Channel::ALL
        .into_iter()
        .map(|c| (c, BTreeMap::new()))
        .collect();
    for flow in &set.flows {
        let domains = out.entry(flow.channel).or_default();
        for var in &flow.vars {
            match domains.get(var.name.as_str()) {
                Some(existing) if existing.values != var.values => problems.push(
                    at(
                        &var.name,
                        format!(
                            "variable `{}` has values [{}] here but [{}] in another {} flow",
                            var.name.value,
                            var.values.join(", "),
                            existing.values.join(", "),
                            flow.channel
                        ),
                    )
                    .with_help(
                        "flows of one channel share variables by name; give them the same values",
                    ),
                ),
                Some(_) => {}
                None => {
                    domains.insert(var.name.as_str(), var);
                }
            }
        }
    }
    out
}

/// The variables of one channel, and whether that is all of them: a flow of
/// the channel that could not be decoded may declare more.
struct Vars<'a, 'd> {
    domains: &'d BTreeMap<&'a str, &'a VarDomain>,
    complete: bool,
    /// The variables that the channel's flows (in `files`) declare but
    /// that could not be decoded are declared all the same.
    undecoded: &'d Undecoded,
    files: &'d [SourceId],
}

fn check_flow(known: &Known, flow: &Flow, vars: &Vars, problems: &mut Vec<Problem>) {
    let set = known.set;
    // Looked up once for every target of every node: hashing beats the
    // string comparisons of a tree, and the suggestion below, rarely
    // needed, sorts the names itself so that it stays the same everywhere.
    let node_ids: rustc_hash::FxHashSet<&str> = flow.nodes.iter().map(|n| n.id.as_str()).collect();
    let target = |problems: &mut Vec<Problem>, name: &Located<String>, what: &str| {
        let exists =
            node_ids.contains(name.as_str()) || known.undecoded.has_node(flow.file, name.as_str());
        if !exists {
            let mut problem = at(
                name,
                format!(
                    "{what} `{}` names no node of flow `{}`",
                    name.value, flow.id.value
                ),
            );
            // A node with a broken body is still a node the user may mean.
            let mut sorted_ids: Vec<&str> = node_ids.iter().copied().collect();
            sorted_ids.sort_unstable();
            let candidates = sorted_ids
                .into_iter()
                .chain(known.undecoded.nodes_of(flow.file));
            if let Some(s) = did_you_mean(name.as_str(), candidates) {
                problem = problem.with_help(format!("did you mean `{s}`?"));
            }
            problems.push(problem.with_code_unknown_target());
        }
    };
    target(problems, &flow.start, "start");
    for handler in [
        &flow.default_no_input,
        &flow.default_no_match,
        &flow.default_invalid,
    ]
    .into_iter()
    .flatten()
    {
        target(problems, &handler.then, "the default handler's target");
    }
    for node in &flow.nodes {
        for name in node.kind.targets() {
            target(problems, name, "the target");
        }
        for condition in node.kind.conditions() {
            check_condition(&condition.value, vars, problems);
        }
        match &node.kind {
            NodeKind::Set { assignments, .. } => {
                for (var, value) in assignments {
                    check_value(var, value, vars, problems);
                }
            }
            NodeKind::Call { flow: callee, .. } => {
                match known.flow(flow.channel, callee.as_str()) {
                    Some(_) => {}
                    None if known.undecoded.may_have_flow(flow.channel, callee.as_str()) => {}
                    None => {
                        let elsewhere = set.flows.iter().find(|f| f.id.value == callee.value);
                        let problem = match elsewhere {
                        Some(other) => at(
                            callee,
                            format!(
                                "`call: {}` from a {} flow: that flow is on {}, and a call stays on one channel",
                                callee.value, flow.channel, other.channel
                            ),
                        ),
                        None => at(callee, format!("`call: {}` names no flow", callee.value)).with_code_unknown_target(),
                    };
                        problems.push(problem);
                    }
                }
            }
            NodeKind::Menu { options, save, .. } => {
                check_options(known, flow, node, options, problems);
                if let Some(var) = save {
                    check_saved_answers(var, options, vars, problems);
                }
            }
            NodeKind::Transfer {
                serves: Some(intents),
                ..
            }
            | NodeKind::End {
                serves: intents, ..
            } => {
                for intent in intents {
                    check_intent_name(known, intent, problems);
                }
            }
            _ => {}
        }
    }
}

impl Problem {
    /// Unknown targets keep their docs/report.md code in the message so that a
    /// user searching for `unknown-target` finds them.
    fn with_code_unknown_target(mut self) -> Problem {
        self.message = format!("unknown-target: {}", self.message);
        self
    }
}

fn check_options(
    known: &Known,
    flow: &Flow,
    node: &Node,
    options: &[MenuOption],
    problems: &mut Vec<Problem>,
) {
    for option in options {
        if flow.channel == Channel::Phone {
            if option.key.is_none() && option.speech.is_empty() {
                problems.push(
                    Problem::at(
                        option.span.file,
                        option.span.pos,
                        format!(
                            "an option of phone menu `{}` has neither `key` nor `speech`",
                            node.id.value
                        ),
                    )
                    .with_help("give it a DTMF key (`key: \"1\"`) or speech phrases"),
                );
            }
        } else {
            if option.label.is_none() {
                problems.push(
                    Problem::at(
                        option.span.file,
                        option.span.pos,
                        format!(
                            "an option of {} menu `{}` has no `label`",
                            flow.channel, node.id.value
                        ),
                    )
                    .with_help("web and app options are clicked by their label"),
                );
            }
            if let Some(key) = &option.key {
                problems.push(at(
                    key,
                    format!(
                        "`key` on a {} option: keys are for phone menus",
                        flow.channel
                    ),
                ));
            }
        }
        for intent in &option.intents {
            check_intent_name(known, intent, problems);
        }
    }
}

fn check_intent_name(known: &Known, intent: &Located<String>, problems: &mut Vec<Problem>) {
    let set = known.set;
    if set.intent(intent.as_str()).is_none() && !known.undecoded.intents_unknown() {
        let mut problem = at(intent, format!("unknown intent `{}`", intent.value));
        let names = set.intents.iter().map(|i| i.id.as_str());
        if let Some(s) = did_you_mean(intent.as_str(), names) {
            problem = problem.with_help(format!("did you mean `{s}`?"));
        } else if set.intents.is_empty() {
            problem = problem.with_help("the set has no `intents:` catalogue");
        }
        problems.push(problem);
    }
}

fn check_var<'a>(
    var: &Located<String>,
    vars: &Vars<'a, '_>,
    problems: &mut Vec<Problem>,
) -> Option<&'a VarDomain> {
    let domains = vars.domains;
    let found = domains.get(var.as_str()).copied();
    let declared = !vars.complete || vars.undecoded.may_have_var(vars.files, var.as_str());
    if found.is_none() && !declared {
        let mut problem = at(var, format!("unknown variable `{}`", var.value));
        if let Some(s) = did_you_mean(var.as_str(), domains.keys().copied()) {
            problem = problem.with_help(format!("did you mean `{s}`?"));
        } else {
            problem = problem.with_help("declare it under `vars:` with its values");
        }
        problems.push(problem);
    }
    found
}

fn check_value(
    var: &Located<String>,
    value: &Located<String>,
    vars: &Vars,
    problems: &mut Vec<Problem>,
) {
    if let Some(domain) = check_var(var, vars, problems) {
        if !domain.values.contains(&value.value) {
            problems.push(
                at(
                    value,
                    format!("`{}` is not a value of `{}`", value.value, var.value),
                )
                .with_help(format!(
                    "`{}` is one of: {}",
                    var.value,
                    domain.values.join(", ")
                )),
            );
        }
    }
}

/// A menu's `save: VAR` keeps the chosen option's answer in a declared
/// variable, so every option must have an answer, and every answer must be
/// one of the variable's values: otherwise a `switch` could not decide on it.
fn check_saved_answers(
    var: &Located<String>,
    options: &[crate::model::MenuOption],
    vars: &Vars,
    problems: &mut Vec<Problem>,
) {
    let Some(domain) = check_var(var, vars, problems) else {
        return;
    };
    for option in options {
        // The answer is the key, or the label when there is no key: point
        // at what the menu keeps.
        let answer_span = match (&option.key, &option.label) {
            (Some(key), _) => key.span,
            (None, Some(label)) => label.span,
            (None, None) => option.span,
        };
        match option.answer() {
            None => problems.push(Problem::at(
                option.span.file,
                option.span.pos,
                format!(
                    "an option of a menu that saves its answer in `{}` has neither `key` nor `label`: there is no answer to keep",
                    var.value
                ),
            )),
            Some(answer) if !domain.values.contains(&answer) => problems.push(
                Problem::at(
                    answer_span.file,
                    answer_span.pos,
                    format!(
                        "the answer `{answer}` of this option is not a value of `{}`, where the menu saves it",
                        var.value
                    ),
                )
                .with_help(format!(
                    "`{}` is one of: {}",
                    var.value,
                    domain.values.join(", ")
                )),
            ),
            Some(_) => {}
        }
    }
}

fn check_condition(condition: &Condition, vars: &Vars, problems: &mut Vec<Problem>) {
    match condition {
        Condition::Equals(var, value) | Condition::NotEquals(var, value) => {
            check_value(var, value, vars, problems)
        }
        Condition::In(var, values) => {
            for value in values {
                check_value(var, value, vars, problems);
            }
        }
        Condition::Truthy(var) => {
            if let Some(domain) = check_var(var, vars, problems) {
                if !domain.is_bool() {
                    problems.push(
                        at(
                            var,
                            format!(
                                "`{}` is not a bool, so it cannot stand alone as a condition",
                                var.value
                            ),
                        )
                        .with_help(format!(
                            "compare it: `{} == {}`",
                            var.value, domain.values[0]
                        )),
                    );
                }
            }
        }
        Condition::Not(inner) => check_condition(inner, vars, problems),
        Condition::And(a, b) | Condition::Or(a, b) => {
            check_condition(a, vars, problems);
            check_condition(b, vars, problems);
        }
    }
}

/// A call cycle (a flow that, through calls, calls itself) in which some
/// flow has no `return` node grows the call stack on every round and never
/// unwinds it.
///
/// Each flow is searched depth first for paths of calls back to itself.
/// Only flows of its own strongly connected component can be on such a
/// path, so the search stays inside it, and a set of many flows that call
/// one another without cycles costs time in proportion to its calls.
fn check_call_cycles(set: &MenuSet, problems: &mut Vec<Problem>) {
    let mut index_of: rustc_hash::FxHashMap<(Channel, &str), usize> = Default::default();
    for (i, flow) in set.flows.iter().enumerate() {
        index_of
            .entry((flow.channel, flow.id.as_str()))
            .or_insert(i);
    }
    // The flows each flow calls, in the order of its nodes, and where.
    let callees: Vec<Vec<(&Located<String>, usize)>> = set
        .flows
        .iter()
        .map(|flow| {
            flow.nodes
                .iter()
                .filter_map(|n| match &n.kind {
                    NodeKind::Call { flow: callee, .. } => index_of
                        .get(&(flow.channel, callee.as_str()))
                        .map(|&c| (callee, c)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let returns: Vec<bool> = set
        .flows
        .iter()
        .map(|flow| {
            flow.nodes
                .iter()
                .any(|n| matches!(n.kind, NodeKind::Return))
        })
        .collect();
    let component = strongly_connected_components(&callees);

    let mut reported = BTreeSet::new();
    // Which flows one search has reached; cleared after each search through
    // its tree, so that many small cycles do not cost a pass over all flows.
    let mut visited = vec![false; set.flows.len()];
    for (start, flow) in set.flows.iter().enumerate() {
        // The search tree: each entry a flow and the entry it was reached
        // from, so a path is read back only when it closes a cycle.
        let mut tree: Vec<(usize, Option<usize>)> = vec![(start, None)];
        let mut stack = vec![0];
        while let Some(entry) = stack.pop() {
            let current = tree[entry].0;
            for &(site, callee) in &callees[current] {
                if component[callee] != component[start] {
                    continue;
                }
                if callee == start {
                    let mut path = Vec::new();
                    let mut at_entry = Some(entry);
                    while let Some(e) = at_entry {
                        path.push(tree[e].0);
                        at_entry = tree[e].1;
                    }
                    path.reverse();
                    let Some(&stuck) = path.iter().find(|&&f| !returns[f]) else {
                        continue;
                    };
                    // A cycle is reported once, whichever flow it is found
                    // from: it is known by its flows (an id names one flow
                    // of a channel, so their indices will do), and its
                    // message is written only the first time.
                    let mut key = path.clone();
                    key.sort_unstable();
                    if reported.insert(key) {
                        let cycle: Vec<&str> = path
                            .iter()
                            .map(|&f| set.flows[f].id.as_str())
                            .chain([flow.id.as_str()])
                            .collect();
                        problems.push(
                            at(site, format!(
                                "call cycle {} with no return: `{}` never returns, so every round grows the call stack",
                                cycle.join(" → "),
                                set.flows[stuck].id.value
                            ))
                            .with_help("end the called flow with a `return: true` node, or jump with `goto` instead of `call`"),
                        );
                    }
                } else if !visited[callee] {
                    visited[callee] = true;
                    tree.push((callee, Some(entry)));
                    stack.push(tree.len() - 1);
                }
            }
        }
        for &(reached, _) in &tree[1..] {
            visited[reached] = false;
        }
    }
}

/// The strongly connected component of each vertex of a graph given as
/// edge lists: two vertices share a component number exactly when each
/// reaches the other. Call graphs come from the user's files and may be
/// deep, which the iterative Tarjan in `scc` is written for.
fn strongly_connected_components<T>(edges: &[Vec<(T, usize)>]) -> Vec<usize> {
    let successors: Vec<Vec<u32>> = edges
        .iter()
        .map(|targets| targets.iter().map(|&(_, w)| w as u32).collect())
        .collect();
    let mut component = vec![0; edges.len()];
    let all = crate::scc::components(edges.len(), &|_| true, &|v| &successors[v]);
    for (number, members) in all.into_iter().enumerate() {
        for v in members {
            component[v as usize] = number;
        }
    }
    component
}

fn check_intents(known: &Known, problems: &mut Vec<Problem>) {
    let set = known.set;
    // Each intents document checks its own ids; across documents too.
    for (i, intent) in set.intents.iter().enumerate() {
        if let Some(first) = set.intents[..i]
            .iter()
            .find(|o| o.id.value == intent.id.value)
        {
            let name = &set.files[first.span.file as usize].name;
            problems.push(at(
                &intent.id,
                format!(
                    "intent `{}` is defined twice (first in {name}, line {})",
                    intent.id.value,
                    first.span.line()
                ),
            ));
        }
    }
    let present = set.channels();
    for intent in &set.intents {
        for channel in intent.channels.iter().flatten() {
            let absent = !present.contains(&channel.value)
                && !known.undecoded.may_have_channel(channel.value);
            if absent && !set.flows.is_empty() {
                problems.push(at(
                    channel,
                    format!(
                        "intent `{}` lists channel {}, but the set has no {} flow",
                        intent.id.value, channel.value, channel.value
                    ),
                ));
            }
        }
    }
}

/// The customer types of the intents' volumes must be ones the settings
/// name: a misspelt type would otherwise be demand of nobody's.
fn check_volumes(known: &Known, problems: &mut Vec<Problem>) {
    for intent in &known.set.intents {
        let Some(volume) = &intent.volume else {
            continue;
        };
        let Volume::ByType(types) = &volume.value else {
            continue;
        };
        if known.set.settings.customer_types.is_empty() {
            if !known.undecoded.customer_types_unknown() {
                problems.push(
                    at(
                        volume,
                        format!(
                            "intent `{}` splits its volume by customer type, but the settings name no `customer_types`",
                            intent.id.value
                        ),
                    )
                    .with_help(format!(
                        "name them in the settings (`touchpoint: {{customer_types: [{}]}}`), or give one number for all customers",
                        types
                            .iter()
                            .map(|(t, _)| t.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
            continue;
        }
        for (customer_type, _) in types {
            check_customer_type(known, customer_type, problems);
        }
    }
}

/// A customer type named in a volume or on a persona is one of the
/// settings' `customer_types`.
fn check_customer_type(known: &Known, name: &Located<String>, problems: &mut Vec<Problem>) {
    let named = &known.set.settings.customer_types;
    if named.iter().any(|t| t.value == name.value) || known.undecoded.customer_types_unknown() {
        return;
    }
    let mut problem = at(name, format!("unknown customer type `{}`", name.value));
    problem = match did_you_mean(name.as_str(), named.iter().map(|t| t.as_str())) {
        Some(s) => problem.with_help(format!("did you mean `{s}`?")),
        None if named.is_empty() => problem
            .with_help("the settings name no `customer_types`; add it there (`touchpoint: {customer_types: [...]}`)"),
        None => problem.with_help(format!(
            "the settings' `customer_types` are: {}",
            named.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
        )),
    };
    problems.push(problem);
}

fn check_persona(
    known: &Known,
    persona: &Persona,
    domains: &BTreeMap<Channel, BTreeMap<&str, &VarDomain>>,
    channel_files: &BTreeMap<Channel, Vec<SourceId>>,
    problems: &mut Vec<Problem>,
) {
    if let Some(intent) = &persona.intent {
        check_intent_name(known, intent, problems);
    }
    if let Some(customer_type) = &persona.customer_type {
        check_customer_type(known, customer_type, problems);
    }
    // The persona's own settings apply to every matrix entry, so one
    // mistake there (a phone variable at the persona's level, unknown to its
    // web entries) shows in several entries at the same place: it is one
    // problem, naming the entries it breaks, or it points at a line that
    // looks right without saying why.
    let mut found: Vec<(Problem, Vec<String>)> = Vec::new();
    for config in persona.configurations() {
        let mut local = Vec::new();
        check_persona_config(known, persona, &config, domains, channel_files, &mut local);
        for problem in local {
            let entry = config
                .variant
                .as_ref()
                .map(|name| format!("`{name}` ({})", config.channel.value));
            match found.iter_mut().find(|(known, _)| *known == problem) {
                Some((_, entries)) => entries.extend(entry),
                None => found.push((problem, entry.into_iter().collect())),
            }
        }
    }
    for (mut problem, entries) in found {
        if !entries.is_empty() {
            let noun = if entries.len() == 1 {
                "entry"
            } else {
                "entries"
            };
            problem.message = format!("{} (matrix {noun} {})", problem.message, entries.join(", "));
            if problem.message.starts_with("unknown variable") {
                problem.help = Some(
                    "the persona's own `vars` apply to every matrix entry; give a variable only in the entries whose channel declares it".to_string(),
                );
            }
        }
        problems.push(problem);
    }
}

fn check_persona_config(
    known: &Known,
    persona: &Persona,
    config: &PersonaRunConfig,
    domains: &BTreeMap<Channel, BTreeMap<&str, &VarDomain>>,
    channel_files: &BTreeMap<Channel, Vec<SourceId>>,
    problems: &mut Vec<Problem>,
) {
    let set = known.set;
    let channel = config.channel.value;
    // A flow of the channel that could not be decoded may hold the flow,
    // variables and nodes the persona names.
    let channel_complete = !known.undecoded.may_have_channel(channel);
    let flows: Vec<&Flow> = set.flows.iter().filter(|f| f.channel == channel).collect();
    if flows.is_empty() && !channel_complete {
        return;
    }
    if flows.is_empty() {
        problems.push(at(
            &config.channel,
            format!(
                "persona `{}` uses channel {channel}, but the set has no {channel} flow",
                persona.id.value
            ),
        ));
        return;
    }
    if let Some(flow) = &config.flow {
        let declared = known.undecoded.may_have_flow(channel, flow.as_str());
        if known.flow(channel, flow.as_str()).is_none() && !declared {
            let mut problem = at(
                flow,
                format!(
                    "persona `{}` names flow `{}`, which is not a {channel} flow",
                    persona.id.value, flow.value
                ),
            );
            if let Some(s) = did_you_mean(flow.as_str(), flows.iter().map(|f| f.id.as_str())) {
                problem = problem.with_help(format!("did you mean `{s}`?"));
            }
            problems.push(problem);
        }
    }
    // The catalogue's `channels:` says where customers with an intent are
    // served; a persona with that need on another channel tests a journey
    // the set says nobody makes, and would fail for the catalogue's sake.
    let intent = persona
        .intent
        .as_ref()
        .and_then(|name| set.intent(name.as_str()));
    if let Some(listed) = intent.and_then(|i| i.channels.as_ref()) {
        if !listed.iter().any(|c| c.value == channel) {
            let names: Vec<&str> = listed.iter().map(|c| c.value.name()).collect();
            problems.push(
                at(
                    &config.channel,
                    format!(
                        "persona `{}` runs on {channel}, but its intent `{}` lists only {} in `channels`",
                        persona.id.value,
                        intent.map_or("", |i| i.id.as_str()),
                        names.join(" and ")
                    ),
                )
                .with_help(format!(
                    "add {channel} to the intent's `channels`, or run the persona on {}",
                    names.join(" or ")
                )),
            );
        }
    }
    let vars = Vars {
        domains: &domains[&channel],
        complete: channel_complete,
        undecoded: known.undecoded,
        files: channel_files.get(&channel).map_or(&[], Vec::as_slice),
    };
    for (var, value) in &config.vars {
        check_value(var, value, &vars, problems);
    }
    for step in &persona.script {
        if !step.value.fits(channel) {
            problems.push(at(
                step,
                format!("`{}` does not apply on a {channel} flow", step.value.name()),
            ));
        }
    }
    if let Some(queue) = persona.expect.as_ref().and_then(|e| e.queue.as_ref()) {
        let found = flows.iter().any(|f| {
            f.nodes.iter().any(|n| {
                matches!(&n.kind, crate::model::NodeKind::Transfer { queue: q, .. } if q.value == queue.value)
            })
        });
        if !found && channel_complete {
            problems.push(at(
                queue,
                format!(
                    "expected queue `{}` is the queue of no {channel} transfer",
                    queue.value
                ),
            ));
        }
    }
    if let Some(node) = persona.expect.as_ref().and_then(|e| e.node.as_ref()) {
        let found = flows.iter().any(|f| {
            f.node(node.as_str()).is_some() || known.undecoded.has_node(f.file, node.as_str())
        });
        if !found && channel_complete {
            problems.push(at(
                node,
                format!("expected node `{}` is in no {channel} flow", node.value),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strongly_connected_components;

    fn graph(edges: &[&[usize]]) -> Vec<Vec<((), usize)>> {
        edges
            .iter()
            .map(|targets| targets.iter().map(|&t| ((), t)).collect())
            .collect()
    }

    #[test]
    fn components_join_exactly_the_vertices_that_reach_each_other() {
        // 0 → 1 → 2 → 0 is a cycle; 3 calls into it; 4 calls itself; 5 is alone.
        let component =
            strongly_connected_components(&graph(&[&[1], &[2], &[0, 3], &[], &[4], &[]]));
        assert_eq!(component[0], component[1]);
        assert_eq!(component[1], component[2]);
        for alone in [3, 4, 5] {
            assert!(
                (0..6).all(|v| v == alone || component[v] != component[alone]),
                "{component:?}"
            );
        }
    }

    #[test]
    fn a_long_chain_of_calls_needs_no_recursion() {
        let n = 200_000;
        let chain: Vec<Vec<((), usize)>> = (0..n)
            .map(|v| {
                if v + 1 < n {
                    vec![((), v + 1)]
                } else {
                    vec![((), 0)]
                }
            })
            .collect();
        let component = strongly_connected_components(&chain);
        assert!(component.iter().all(|&c| c == component[0]));
    }
}

#[cfg(test)]
mod duplicate_tests {
    /// A persona id used a third time is reported at each repeat, each
    /// pointing at the first.
    #[test]
    fn a_repeated_persona_id_points_at_the_first() {
        let flow = "flow: main\nchannel: phone\nstart: bye\nnodes:\n  bye: { end: \"Goodbye.\" }\n";
        let persona = |id: &str| {
            format!("persona: {id}\nchannel: phone\nflow: main\nscript:\n  - hear: \"Goodbye\"\n")
        };
        let documents: Vec<(String, String)> = vec![
            ("main.yaml".into(), flow.into()),
            ("a.yaml".into(), persona("caller")),
            ("b.yaml".into(), persona("other")),
            ("c.yaml".into(), persona("caller")),
            ("d.yaml".into(), persona("caller")),
        ];
        let error = crate::loader::load_texts("set".into(), &documents)
            .expect_err("repeated ids do not load");
        let repeats: Vec<String> = error
            .problems
            .iter()
            .filter(|p| p.message.contains("defined twice"))
            .map(|p| {
                format!(
                    "{}: {}",
                    error.files[p.file.unwrap() as usize].name,
                    p.message
                )
            })
            .collect();
        assert_eq!(
            repeats,
            [
                "c.yaml: persona `caller` is defined twice (first in a.yaml)",
                "d.yaml: persona `caller` is defined twice (first in a.yaml)",
            ]
        );
    }
}
