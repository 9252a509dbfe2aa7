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
    pub vars: Vec<(String, String)>,
    pub intent: Option<&'s str>,
}

fn located<T>(value: T) -> Located<T> {
    Located::new(value, Span::default())
}

/// A persona as a suggestion starts out: who it is, with a script and an
/// expectation added later.
pub(crate) fn bare_for(graph: &Graph, name: &str, customer: &Customer) -> Persona {
    Persona {
        id: located(name.to_string()),
        description: None,
        channel: located(graph.channel),
        flow: Some(located(customer.flow.to_string())),
        vars: customer
            .vars
            .iter()
            .map(|(k, v)| (located(k.clone()), located(v.clone())))
            .collect(),
        intent: customer.intent.map(|i| located(i.to_string())),
        patience_steps: None,
        patience_retries: None,
        traits: Vec::new(),
        script: Vec::new(),
        expect: None,
        matrix: Vec::new(),
        seed: None,
        customer_type: None,
        span: Span::default(),
    }
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
    persona.expect = Some(expectation(&journey));
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

/// What a journey met, as a persona's `expect`.
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
    // A persona takes an opaque step's first outcome by itself.
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
    let mut script = Vec::new();
    for (k, step) in steps.into_iter().enumerate() {
        if let Some(pattern) = segments
            .get(k)
            .and_then(|s| s.last())
            .and_then(|t| pattern(t))
        {
            script.push(ScriptStep::Hear(pattern));
        }
        script.push(step);
    }
    if let Some(pattern) = segments
        .get(
            script
                .iter()
                .filter(|s| !matches!(s, ScriptStep::Hear(_)))
                .count(),
        )
        .and_then(|s| s.last())
        .and_then(|t| pattern(t))
    {
        script.push(ScriptStep::Hear(pattern));
    }
    persona.script = script.into_iter().map(located).collect();
    let journey = self::journey(set, original, &persona, seed);
    persona.expect = Some(expectation(&journey));
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

/// The persona as a document, in the form docs/format.md gives.
pub(crate) fn persona_yaml(persona: &Persona, comment: &str) -> String {
    let quoted = record::quoted;
    let mut yaml = String::new();
    let comment: String = comment
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    yaml.push_str(&format!("# {comment}\n"));
    yaml.push_str(&format!("persona: {}\n", quoted(&persona.id.value)));
    yaml.push_str(&format!("channel: {}\n", persona.channel.value.name()));
    if let Some(flow) = &persona.flow {
        yaml.push_str(&format!("flow: {}\n", quoted(&flow.value)));
    }
    if !persona.vars.is_empty() {
        yaml.push_str("vars:\n");
        for (var, value) in &persona.vars {
            yaml.push_str(&format!(
                "  {}: {}\n",
                quoted(&var.value),
                quoted(&value.value)
            ));
        }
    }
    if let Some(intent) = &persona.intent {
        yaml.push_str(&format!("intent: {}\n", quoted(&intent.value)));
    }
    if let (Some(steps), Some(retries)) = (persona.patience_steps, persona.patience_retries) {
        yaml.push_str(&format!(
            "patience: {{ steps: {steps}, retries: {retries} }}\n"
        ));
    }
    if !persona.script.is_empty() {
        yaml.push_str("script:\n");
        for step in &persona.script {
            yaml.push_str(&record::script_line(&step.value));
        }
    }
    if let Some(expect) = &persona.expect {
        yaml.push_str("expect:\n");
        if let Some(outcome) = &expect.outcome {
            yaml.push_str(&format!("  outcome: {}\n", outcome.value.name()));
        }
        if let Some(node) = &expect.node {
            yaml.push_str(&format!("  node: {}\n", quoted(&node.value)));
        }
        if let Some(queue) = &expect.queue {
            yaml.push_str(&format!("  queue: {}\n", quoted(&queue.value)));
        }
        if let Some(steps) = expect.max_steps {
            yaml.push_str(&format!("  max_steps: {steps}\n"));
        }
    }
    yaml
}
