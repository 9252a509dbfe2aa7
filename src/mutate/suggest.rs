//! A persona for a surviving mutant: one that passes on the set and fails
//! on the mutant, checked by running it on both before it is offered, and
//! written as a persona document a QA person can add as it is.

use crate::graph::Graph;
use crate::input::Input;
use crate::model::{Expectation, Located, MenuSet, Persona, PersonaRunConfig, ScriptStep, Span};
use crate::personas::{record, run_one};

/// A persona that catches a mutant, and what the mutant does to it.
#[derive(Debug, Clone)]
pub(crate) struct Suggestion {
    pub persona: Persona,
    /// The persona's first failure on the mutant.
    pub failure: String,
}

/// Who a suggested persona is: where it starts, in which world, after
/// what.
pub(crate) struct Customer<'s> {
    pub flow: &'s str,
    /// The variables not at their first value: what the persona says.
    pub vars: Vec<(String, String)>,
    pub intent: Option<&'s str>,
    /// Every variable's value, for the messages: a reader should not have
    /// to know which value is the first.
    pub world: String,
}

fn located<T>(value: T) -> Located<T> {
    Located::new(value, Span::default())
}

/// A persona as a suggestion starts out: who it is, with a script and an
/// expectation added later.
pub(crate) fn bare_for(graph: &Graph, name: &str, customer: &Customer) -> Persona {
    let mut persona = Persona::unwritten(name, graph.channel, Some(customer.flow), customer.intent);
    persona.vars = customer
        .vars
        .iter()
        .map(|(k, v)| (located(k.clone()), located(v.clone())))
        .collect();
    persona
}

fn config(persona: &Persona) -> PersonaRunConfig {
    persona
        .configurations()
        .into_iter()
        .next()
        .expect("a persona without a matrix runs once")
}

/// Runs `persona` on `graph`: its first failure, or `None` when it passes.
pub(crate) fn first_failure(
    set: &MenuSet,
    graph: &Graph,
    persona: &Persona,
    seed: u64,
) -> Option<String> {
    let mut coverage = crate::coverage::CoverageMap::new(graph);
    let result = run_one(set, graph, persona, &config(persona), seed, &mut coverage);
    result.failures.into_iter().next()
}

/// The goal-directed customer with `customer.intent`, expecting what it
/// meets on the set, if that fails on the mutant.
pub(crate) fn goal_directed(
    set: &MenuSet,
    original: &Graph,
    mutant: &Graph,
    name: &str,
    customer: &Customer,
    seed: u64,
) -> Option<Suggestion> {
    let mut persona = bare_for(original, name, customer);
    let journey = journey(set, original, &persona, seed);
    expect_journey(&mut persona, &journey);
    checked(set, original, mutant, persona, seed)
}

/// The journey of `persona` on `graph`.
pub(crate) fn journey(
    set: &MenuSet,
    graph: &Graph,
    persona: &Persona,
    seed: u64,
) -> crate::personas::Journey {
    let mut coverage = crate::coverage::CoverageMap::new(graph);
    crate::personas::run_journey(set, graph, persona, &config(persona), seed, &mut coverage)
}

/// What a journey met, as a persona's `expect`, and the patience the
/// document gives with it (as every recorded persona has: wide enough for
/// the journey, so that a longer one on a mutant is given up on).
fn expect_journey(persona: &mut Persona, journey: &crate::personas::Journey) {
    let patience = journey.steps.max(1);
    persona.patience_steps = Some(patience);
    persona.patience_retries = Some(patience);
    persona.expect = Some(expectation(journey));
}

fn expectation(journey: &crate::personas::Journey) -> Expectation {
    Expectation {
        outcome: Some(located(journey.outcome)),
        node: Some(located(journey.node.clone())),
        queue: journey.queue.clone().map(located),
        max_steps: Some(journey.steps),
        max_seconds: None,
    }
}

/// A scripted customer who gives `inputs`, checking what they hear before
/// each and after the last, then goes on as a customer with no particular
/// need, expecting what that meets on the set, if that fails on the
/// mutant.
pub(crate) fn scripted(
    set: &MenuSet,
    original: &Graph,
    mutant: &Graph,
    name: &str,
    customer: &Customer,
    inputs: &[Input],
    seed: u64,
) -> Option<Suggestion> {
    // A prompt's first few words read best in a `hear`, but two prompts
    // that begin alike (a menu and the menu it leads to, both "To pay your
    // bill, press 1. ...") cannot be told apart by them; the whole prompt
    // can, so it is tried when the short one catches nothing.
    let patterns: [fn(&str) -> Option<String>; 2] = [record::heard_pattern, whole_prompt_pattern];
    patterns.into_iter().find_map(|pattern| {
        let persona = scripted_persona(set, original, name, customer, inputs, seed, pattern);
        checked(set, original, mutant, persona, seed)
    })
}

/// A `hear` regex for the whole of a prompt, with any run of whitespace
/// between its words, as `record::heard_pattern` writes its first words.
fn whole_prompt_pattern(text: &str) -> Option<String> {
    let words: Vec<String> = text.split_whitespace().map(regex::escape).collect();
    (!words.is_empty()).then(|| words.join(r"\s+"))
}

/// The scripted persona of `scripted`, with `hear` steps written by
/// `pattern` and the expectation of what it meets on the set.
fn scripted_persona(
    set: &MenuSet,
    original: &Graph,
    name: &str,
    customer: &Customer,
    inputs: &[Input],
    seed: u64,
    pattern: fn(&str) -> Option<String>,
) -> Persona {
    let mut persona = bare_for(original, name, customer);
    // Every outcome of an opaque step is named, the first too: the persona
    // then says what the back end answered on its way.
    let steps: Vec<ScriptStep> = inputs.iter().filter_map(record::script_step).collect();
    let patience = steps.len() as u32 + 30;
    persona.patience_steps = Some(patience);
    persona.patience_retries = Some(patience);
    persona.script = steps.iter().cloned().map(located).collect();
    let journey = journey(set, original, &persona, seed);
    // What the caller heard before each scripted input, and after the
    // last, read from the transcript on the set.
    let mut segments: Vec<Vec<&str>> = vec![Vec::new()];
    for line in &journey.transcript {
        if line.starts_with("> ") {
            segments.push(Vec::new());
        } else if let Some((_, text)) = line.split_once("] hears: ").or(line.split_once("] sees: "))
        {
            segments.last_mut().expect("never empty").push(text);
        }
    }
    // A `branch:` step is no input of the customer's: the transcript has
    // no `> ` line for it, so only the customer's steps count segments.
    let mut script = Vec::new();
    let mut given = 0;
    for step in steps {
        if matches!(step, ScriptStep::Branch(_)) {
            script.push(step);
            continue;
        }
        if let Some(pattern) = segments
            .get(given)
            .and_then(|s| s.last())
            .and_then(|t| pattern(t))
        {
            script.push(ScriptStep::Hear(pattern));
        }
        script.push(step);
        given += 1;
    }
    // After the last input, what comes first is what the input did: the
    // `hear` is anchored to it, so that the same words heard later (a loop
    // playing the same messages in another order) do not pass it.
    if let Some(pattern) = segments
        .get(given)
        .and_then(|s| s.first())
        .and_then(|t| pattern(t))
    {
        script.push(ScriptStep::Hear(format!("^{pattern}")));
    }
    persona.script = script.into_iter().map(located).collect();
    let journey = self::journey(set, original, &persona, seed);
    expect_journey(&mut persona, &journey);
    persona
}

/// `persona` as a suggestion when it passes on the set and fails on the
/// mutant.
fn checked(
    set: &MenuSet,
    original: &Graph,
    mutant: &Graph,
    persona: Persona,
    seed: u64,
) -> Option<Suggestion> {
    if first_failure(set, original, &persona, seed).is_some() {
        return None;
    }
    let failure = first_failure(set, mutant, &persona, seed)?;
    Some(Suggestion { persona, failure })
}

/// The persona as a document, written as the recorders write theirs.
pub(crate) fn persona_yaml(persona: &Persona, comment: &str) -> String {
    let vars: Vec<(String, String)> = persona
        .vars
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    let expect = persona.expect.as_ref();
    record::Recording {
        name: &persona.id.value,
        origin: comment,
        channel: persona.channel.value,
        flow: persona.flow.as_ref().map(|f| f.value.as_str()),
        vars: &vars,
        script: persona
            .script
            .iter()
            .map(|step| record::script_line(&step.value))
            .collect(),
        outcome: expect
            .and_then(|e| e.outcome.as_ref())
            .map_or(crate::model::Outcome::Stuck, |o| o.value),
        node: expect
            .and_then(|e| e.node.as_ref())
            .map(|n| n.value.as_str()),
        steps: expect.and_then(|e| e.max_steps).unwrap_or_default() as usize,
        intent: persona.intent.as_ref().map(|i| i.value.as_str()),
        queue: expect
            .and_then(|e| e.queue.as_ref())
            .map(|q| q.value.as_str()),
    }
    .yaml()
}
