//! Mutation testing of a persona suite: seed one realistic editing mistake
//! at a time into the compiled graphs, run the set's personas against each
//! mutant, and report how many mistakes they catch, which they miss, and a
//! persona that would catch each one missed.
//!
//! A mutant is a patch to a copy of the compiled arrays ([`Patch`]), never
//! a reload of the YAML, and mutants are independent, so they run on every
//! core. Whether a mutant that nothing caught is *equivalent* (no caller
//! can notice it) is decided by walking the set and the mutant side by
//! side: first the goal-directed journey of every intent from every entry
//! flow in every world, then every input sequence at once.

mod compare;
mod generate;
mod mutant;
mod operator;
mod suggest;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::graph::{compile, CompileError, Graph, NodeIx};
use crate::model::{Channel, MenuSet, Outcome, Persona, PersonaRunConfig};
use crate::results::mutation::{
    score, FlowTally, MutantPlace, MutantResult, MutantStatus, MutationReport, Survivor, Tally,
};
use crate::results::PersonaResult;

pub(crate) use mutant::Mutant;
pub use operator::Operator;

/// How `mutate` runs.
#[derive(Debug, Clone, Default)]
pub struct MutateOptions {
    /// The seed personas' own randomness (`fumbles`) takes, as in `personas`.
    pub seed: u64,
    /// A mutant that adds a lint finding is killed too.
    pub with_lint: bool,
    /// `Some((k, n))`: only every n-th mutant, from the k-th (1-based).
    pub shard: Option<(usize, usize)>,
    /// Only these operators; empty for all.
    pub operators: Vec<Operator>,
    /// The folder of golden transcripts (`personas --transcripts DIR`): a
    /// persona whose transcript is saved there fails when it changes, so a
    /// change to it kills a mutant.
    pub transcripts: Option<std::path::PathBuf>,
}

/// What one channel's mutants are judged against.
struct Channel_<'s> {
    graph: Graph<'s>,
    /// The personas that run on this channel, with their result on the set.
    runs: Vec<PersonaRun<'s>>,
    /// With `--with-lint`: the findings of the set, by (code, node, detail).
    findings: BTreeSet<(crate::finding::Code, NodeIx, u32)>,
    /// The nodes some customer reaches, when the walk could tell; not
    /// worked out with `--with-lint`.
    reached: Option<Vec<bool>>,
}

/// Runs every mutant of the set (or of the shard) and scores the personas.
pub fn mutate(set: &MenuSet, options: &MutateOptions) -> Result<MutationReport, CompileError> {
    let mut channels = Vec::new();
    let mut mutants = Vec::new();
    let mut notes = Vec::new();
    for channel in set.channels() {
        let graph = compile(set, channel)?;
        let runs = persona_runs(set, &graph, channel, options);
        for run in runs.iter().filter(|run| !run.result.passed) {
            notes.push(format!(
                "persona `{}` fails on the set itself, so it catches no mutant: {}",
                run.result.name(),
                run.result.failures.first().map_or("", String::as_str)
            ));
        }
        // With lint every mutant is judged by its findings too, so the
        // nodes customers reach (which spare a mutant that walk) are not
        // needed: one walk of the set is enough either way.
        let (findings, reached) = if options.with_lint {
            (crate::analysis::finding_keys(set, &graph), None)
        } else {
            (BTreeSet::new(), crate::analysis::reached_nodes(set, &graph))
        };
        let index = channels.len();
        mutants.extend(
            generate::mutants(set, &graph)
                .into_iter()
                .map(|m| (index, m)),
        );
        channels.push(Channel_ {
            graph,
            runs,
            findings,
            reached,
        });
    }
    // Every mutant is numbered before any is left out, so that `M12` names
    // the same mistake whether or not `--operator` or `--shard` narrow the
    // run.
    for (number, (_, mutant)) in mutants.iter_mut().enumerate() {
        mutant.number = number + 1;
    }
    let selected: Vec<&(usize, Mutant)> = mutants
        .iter()
        .filter(|(_, m)| options.operators.is_empty() || options.operators.contains(&m.operator))
        .filter(|(_, m)| {
            options
                .shard
                .is_none_or(|(k, n)| (m.number - 1) % n == k - 1)
        })
        .collect();
    let judged: Vec<Judged> = selected
        .par_iter()
        .map(|(channel, mutant)| judge(set, &channels[*channel], mutant, options))
        .collect();
    if channels.iter().all(|c| c.runs.is_empty()) && !set.personas.is_empty() {
        notes.push("no persona runs on a channel of the set's flows".to_string());
    }
    if set.personas.is_empty() {
        notes.push("the set has no personas, so nothing can catch a mutant: add personas (or run with --with-lint)".to_string());
    }
    Ok(report(set, &selected, judged, options, notes))
}

/// One persona configuration and how it went on the set.
struct PersonaRun<'s> {
    persona: &'s Persona,
    config: PersonaRunConfig,
    result: PersonaResult,
    /// Its transcript is saved as a golden file.
    golden: bool,
}

/// Every persona configuration on `channel`, with its result on the set.
fn persona_runs<'s>(
    set: &'s MenuSet,
    graph: &Graph,
    channel: Channel,
    options: &MutateOptions,
) -> Vec<PersonaRun<'s>> {
    let mut coverage = crate::coverage::CoverageMap::new(graph);
    let mut out = Vec::new();
    for persona in &set.personas {
        for config in persona.configurations() {
            if config.channel.value != channel {
                continue;
            }
            let result =
                crate::personas::run_one(set, graph, persona, &config, options.seed, &mut coverage);
            let golden = options.transcripts.as_ref().is_some_and(|dir| {
                dir.join(crate::personas::transcripts::file_name(&result))
                    .is_file()
            });
            out.push(PersonaRun {
                persona,
                config,
                result,
                golden,
            });
        }
    }
    out
}

/// What became of one mutant.
struct Judged {
    status: MutantStatus,
    killed_by: Option<String>,
    reason: Option<String>,
    /// For a survivor: how a caller tells it apart, and the persona that
    /// catches it.
    difference: Option<String>,
    suggestion: Option<suggest::Suggestion>,
}

fn judge(set: &MenuSet, channel: &Channel_, mutant: &Mutant, options: &MutateOptions) -> Judged {
    // A mistake where no customer ever is changes nothing anyone meets
    // (`reached` is known only without --with-lint: lint judges unreached
    // nodes too).
    if let Some(reached) = &channel.reached {
        if !mutant.places.iter().any(|&node| reached[node as usize]) {
            return Judged {
                status: MutantStatus::Equivalent,
                killed_by: None,
                reason: None,
                difference: None,
                suggestion: None,
            };
        }
    }
    let mut graph = channel.graph.clone();
    mutant.patch.apply(&mut graph);
    let killed = |by: String, reason: String| Judged {
        status: MutantStatus::Killed,
        killed_by: Some(by),
        reason: Some(reason),
        difference: None,
        suggestion: None,
    };
    let mut coverage = crate::coverage::CoverageMap::new(&graph);
    for run in &channel.runs {
        let before = &run.result;
        if !before.passed {
            continue;
        }
        let after = crate::personas::run_one(
            set,
            &graph,
            run.persona,
            &run.config,
            options.seed,
            &mut coverage,
        );
        if !after.passed {
            let reason = after.failures.first().cloned().unwrap_or_default();
            return killed(before.name(), reason);
        }
        if run.golden && after.transcript != before.transcript {
            return killed(
                before.name(),
                "its transcript differs from the saved one".to_string(),
            );
        }
    }
    if options.with_lint {
        let after = crate::analysis::finding_keys(set, &graph);
        if let Some((code, node, _)) = after.difference(&channel.findings).next() {
            return killed(
                "lint".to_string(),
                format!("adds `{}` at `{}`", code.name(), graph.node_id(*node)),
            );
        }
    }
    tell_apart(set, &channel.graph, &graph, options.seed)
}

/// For a mutant nothing caught: whether a caller can tell it apart, and
/// if so a persona that does.
fn tell_apart(set: &MenuSet, original: &Graph, mutant: &Graph, seed: u64) -> Judged {
    let survived = |difference: String, suggestion: Option<suggest::Suggestion>| Judged {
        status: MutantStatus::Survived,
        killed_by: None,
        reason: None,
        difference: Some(difference),
        suggestion,
    };
    // The goal-directed customers first: what the issue of a real customer
    // looks like, and the persona a QA person would write.
    let mut parted_goal: Option<(String, Vec<crate::input::Input>, suggest::Customer)> = None;
    let mut unserved_goal: Option<(String, suggest::Suggestion)> = None;
    for flow in compare::entry_flows(set, original) {
        let flow_id = original.flows[flow as usize].id.as_str();
        for &world in &original.worlds {
            let vars = world_vars(original, world);
            for intent in 0..original.intents.len() {
                if !original.expects(intent) {
                    continue;
                }
                let customer = suggest::Customer {
                    flow: flow_id,
                    vars: vars.clone(),
                    intent: Some(original.intents[intent].as_str()),
                    world: world_text(original, world),
                };
                // The probe needs no name of its own: a customer without
                // traits meets the same whatever it is called, so the
                // suggestion's name is made only for a journey that differs.
                let probe = suggest::bare_for(original, flow_id, &customer);
                let before = suggest::journey(set, original, &probe, seed);
                let after = suggest::journey(set, mutant, &probe, seed);
                if before.transcript == after.transcript && before.queue == after.queue {
                    continue;
                }
                let name = suggestion_name(set, &customer, None);
                if let Some(found) =
                    suggest::goal_directed(set, original, mutant, &name, &customer, seed)
                {
                    // A customer the set serves reads as the journey to
                    // protect; one it fails anyway is kept only in case no
                    // served customer notices the mistake.
                    let served = found.persona.expect.as_ref().is_some_and(|e| {
                        e.outcome.as_ref().is_some_and(|o| {
                            matches!(o.value, Outcome::Served | Outcome::Transferred)
                        })
                    });
                    let difference = format!("{}: {}", who(&customer), found.failure);
                    if served {
                        return survived(difference, Some(found));
                    }
                    if unserved_goal.is_none() {
                        unserved_goal = Some((difference, found));
                    }
                    continue;
                }
                if parted_goal.is_none() {
                    let inputs = before
                        .inputs
                        .iter()
                        .filter_map(|i| crate::input::Input::parse(i).ok())
                        .collect();
                    parted_goal = Some((who(&customer), inputs, customer));
                }
            }
        }
    }
    if let Some((difference, found)) = unserved_goal {
        return survived(difference, Some(found));
    }
    if let Some((who, inputs, customer)) = parted_goal {
        let customer = suggest::Customer {
            intent: None,
            ..customer
        };
        let name = suggestion_name(set, &customer, Some(&inputs));
        let found = suggest::scripted(set, original, mutant, &name, &customer, &inputs, seed);
        let difference = match &found {
            Some(s) => format!("{who} meets something else: {}", s.failure),
            None => format!("{who} meets something else, but no persona's expectations can tell"),
        };
        return survived(difference, found);
    }
    match compare::side_by_side(set, original, mutant) {
        compare::SideBySide::Same => Judged {
            status: MutantStatus::Equivalent,
            killed_by: None,
            reason: None,
            difference: None,
            suggestion: None,
        },
        compare::SideBySide::Undecided => Judged {
            status: MutantStatus::Undecided,
            killed_by: None,
            reason: None,
            difference: Some(format!(
                "walking the set and the mutant side by side stopped at the state budget ({} states) before a difference was found",
                set.settings.limits.states
            )),
            suggestion: None,
        },
        compare::SideBySide::Parts(parting) => {
            let flow_id = original.flows[parting.flow as usize].id.as_str();
            let customer = suggest::Customer {
                flow: flow_id,
                vars: world_vars(original, parting.world),
                intent: None,
                world: world_text(original, parting.world),
            };
            let shown = crate::input::Input::join_list(
                &parting.inputs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            );
            let who = format!(
                "a caller who gives {} from the start of `{flow_id}`{}",
                if shown.is_empty() { "nothing".to_string() } else { format!("`{shown}`") },
                customer.world
            );
            if parting.only_on_mutant {
                let last = parting
                    .inputs
                    .last()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return survived(
                    format!(
                        "on the mutant a caller can give `{shown}` from the start of `{flow_id}`{}, but the set does not take `{last}` there; a persona gives only what the set takes, so none can be suggested",
                        customer.world
                    ),
                    None,
                );
            }
            let name = suggestion_name(set, &customer, Some(&parting.inputs));
            let found =
                suggest::scripted(set, original, mutant, &name, &customer, &parting.inputs, seed);
            let difference = match &found {
                Some(s) => format!("{who}: {}", s.failure),
                None => format!("{who} meets something else, but no persona's expectations can tell"),
            };
            survived(difference, found)
        }
    }
}

/// The variables of a world that are not at their first value, which is
/// what a persona must say to be in that world.
fn world_vars(graph: &Graph, world: u64) -> Vec<(String, String)> {
    graph
        .vars
        .iter()
        .filter(|v| v.get(world) != 0)
        .map(|v| (v.name.clone(), v.values[v.get(world) as usize].clone()))
        .collect()
}

/// Every variable of a world, as messages name it: " with hours=closed,
/// caller=resident", or nothing for a flow without variables.
fn world_text(graph: &Graph, world: u64) -> String {
    if graph.vars.is_empty() {
        return String::new();
    }
    let list: Vec<String> = graph
        .vars
        .iter()
        .map(|v| format!("{}={}", v.name, v.values[v.get(world) as usize]))
        .collect();
    format!(" with {}", list.join(", "))
}

fn who(customer: &suggest::Customer) -> String {
    format!(
        "a customer who wants `{}` from the start of `{}`{}",
        customer.intent.unwrap_or("anything"),
        customer.flow,
        customer.world
    )
}

/// A name for a suggested persona that says who it is and that no persona
/// of the set has.
fn suggestion_name(
    set: &MenuSet,
    customer: &suggest::Customer,
    inputs: Option<&[crate::input::Input]>,
) -> String {
    let mut parts = vec!["catches".to_string()];
    parts.push(customer.intent.unwrap_or(customer.flow).to_string());
    if customer.intent.is_some() {
        parts.push(format!("from-{}", customer.flow));
    }
    for (k, v) in &customer.vars {
        parts.push(format!("{k}-{v}"));
    }
    if let Some(inputs) = inputs {
        let shown: Vec<String> = inputs.iter().map(ToString::to_string).collect();
        if !shown.is_empty() {
            parts.push(shown.join("-"));
        } else {
            parts.push("at-start".to_string());
        }
    }
    let raw = parts.join("-");
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-').chars().take(80).collect::<String>();
    let mut unique = name.clone();
    let mut n = 2;
    while set.personas.iter().any(|p| p.id.value == unique) {
        unique = format!("{name}-{n}");
        n += 1;
    }
    unique
}

fn report(
    set: &MenuSet,
    selected: &[&(usize, Mutant)],
    judged: Vec<Judged>,
    options: &MutateOptions,
    notes: Vec<String>,
) -> MutationReport {
    let mut by_operator: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_flow: Vec<FlowTally> = Vec::new();
    let mut results = Vec::new();
    let mut survivors = Vec::new();
    let (mut killed, mut equivalent) = (0, 0);
    // Each suggestion's name, with the persona it stands for.
    let mut suggested: BTreeMap<String, String> = BTreeMap::new();
    for (mutant, judged) in selected.iter().map(|x| &x.1).zip(judged) {
        by_operator
            .entry(mutant.operator.name().to_string())
            .or_default()
            .add(judged.status);
        match by_flow
            .iter_mut()
            .find(|f| f.channel == mutant.channel && f.flow == mutant.flow)
        {
            Some(flow) => flow.tally.add(judged.status),
            None => {
                let mut tally = Tally::default();
                tally.add(judged.status);
                by_flow.push(FlowTally {
                    channel: mutant.channel,
                    flow: mutant.flow.clone(),
                    tally,
                });
            }
        }
        match judged.status {
            MutantStatus::Killed => killed += 1,
            MutantStatus::Equivalent => equivalent += 1,
            _ => {}
        }
        let file = set
            .files
            .get(mutant.span.file as usize)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let place = MutantPlace {
            id: format!("M{}", mutant.number),
            operator: mutant.operator.name().to_string(),
            channel: mutant.channel,
            flow: mutant.flow.clone(),
            node: mutant.node.clone(),
            file,
            line: mutant.span.line(),
            column: mutant.span.column(),
            description: mutant.description.clone(),
        };
        if matches!(
            judged.status,
            MutantStatus::Survived | MutantStatus::Undecided
        ) {
            let (suggestion, suggestion_name) = match &judged.suggestion {
                Some(s) => {
                    let persona = distinctly_named(set, &s.persona, &mut suggested);
                    (
                        Some(suggest::persona_yaml(
                            &persona,
                            &format!(
                                "Suggested by `touchpoint mutate`: catches {} ({})",
                                place.id, place.description
                            ),
                        )),
                        Some(persona.id.value),
                    )
                }
                None => (None, None),
            };
            survivors.push(Survivor {
                place: place.clone(),
                difference: judged.difference.clone().unwrap_or_default(),
                suggestion,
                suggestion_name,
            });
        }
        results.push(MutantResult {
            place,
            status: judged.status,
            killed_by: judged.killed_by,
            reason: judged.reason,
        });
    }
    let mutants = results.len();
    MutationReport {
        mutants,
        killed,
        equivalent,
        score: score(killed, mutants, equivalent),
        by_operator,
        by_flow,
        survivors,
        results,
        with_lint: options.with_lint,
        shard: options.shard.map(|(k, n)| format!("{k}/{n}")),
        notes,
        min_score: None,
    }
}

/// `persona` with a name no other suggestion of the report has. Two
/// survivors share a name when one persona catches both; two different
/// personas can be given one name too, since a name keeps only letters and
/// digits of the inputs (`#,0` and `0` are both `catches-line-0`), and
/// `--write-suggestions` writes one file per name, so the later is renamed
/// `NAME-2` (or the first of `-3`, `-4`, ... that is free).
fn distinctly_named(
    set: &MenuSet,
    persona: &Persona,
    suggested: &mut BTreeMap<String, String>,
) -> Persona {
    let mut persona = persona.clone();
    let base = persona.id.value.clone();
    let mut n = 2;
    loop {
        let document = suggest::persona_yaml(&persona, "");
        let name = &persona.id.value;
        let taken_by_set = set.personas.iter().any(|p| &p.id.value == name);
        match suggested.get(name) {
            None if !taken_by_set => {
                suggested.insert(name.clone(), document);
                return persona;
            }
            Some(same) if *same == document => return persona,
            _ => {
                persona.id.value = format!("{base}-{n}");
                n += 1;
            }
        }
    }
}
