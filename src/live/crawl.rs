//! Discovering a live phone tree: every menu is probed with silence, every
//! key but its finish key, and (when it listens for speech) the phrases
//! its prompt announces, each probe a fresh call from the start replaying
//! the path to the menu; what happens becomes a flow in touchpoint's terms
//! (the import form, so `emit` writes it and `lint` and personas run on it
//! as on any flow).
//!
//! The crawl does no I/O: it is given a function that plays a batch of
//! calls and reports their outcomes, so the HTTP driver can play a whole
//! level's probes concurrently and tests can play an app held in memory.
//!
//! Two decisions an IVR engineer would make by ear are made by comparison:
//! a menu is recognised by its gather (what it says, where it sends the
//! answer), so a loop back to the main menu is a link and not a new menu;
//! and the reply most keys share is the wrong-key path, since an app offers
//! a few keys and handles the rest one way.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::call::{Ending, Heard, Input, Outcome, PlayCalls, KEYS};
use super::protocol::Protocol;
use crate::analysis::announcements::{parse_announcements, Announcements};
use crate::import::ir::{IrFlow, IrHandler, IrKind, IrNode, IrOption, Origin};
use crate::import::kit::UniqueIds;

/// A gather for more digits than this is not read as asking for a number
/// (no real number is that long), so a crawl never builds a huge answer.
const MAX_ANSWER_DIGITS: u32 = 32;

/// At most this many announced phrases are tried at one menu.
const MAX_PHRASES: usize = 12;

/// Bounds on a crawl, so that an app that makes up new menus forever still
/// ends.
#[derive(Debug, Clone, Copy)]
pub struct CrawlLimits {
    pub max_menus: usize,
    pub max_calls: usize,
}

/// A crawled tree: the flow, and what could not be crawled.
#[derive(Debug, Clone)]
pub struct Crawled {
    pub flow: IrFlow,
    /// Calls that failed: `live-error`s, or the app going away.
    pub failures: Vec<Failure>,
    /// Limits hit, said plainly.
    pub notes: Vec<String>,
    /// Calls made.
    pub calls: usize,
    /// Menus found (asks included): never more than the budget.
    pub menus: usize,
}

/// A call of the crawl that failed, with the inputs from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub inputs: Vec<Input>,
    pub message: String,
    pub unreachable: bool,
}

struct Menu {
    path: Vec<Input>,
    node: String,
    prompt: String,
    /// Keys that end the gather with nothing entered: the same as silence,
    /// so they are not probed as options.
    finish_keys: String,
    /// Whether the gather listens for speech: then the phrases its prompt
    /// announces ("say billing") are probed too.
    speech: bool,
    /// `Some(n)` when the gather takes `n` digits (an account number, a
    /// date): it is an `ask`, probed with a whole answer, a short one and
    /// silence rather than key by key.
    answer_digits: Option<u32>,
}

/// Crawls the tree breadth-first from the start: one batch of probes per
/// menu, played with `play_calls` under `protocol`.
pub fn crawl(
    protocol: &dyn Protocol,
    flow_id: &str,
    source: &str,
    limits: CrawlLimits,
    play_calls: &mut PlayCalls,
) -> Crawled {
    let mut builder = Builder {
        max_menus: limits.max_menus,
        application_error: protocol.application_error(),
        ..Builder::default()
    };
    let mut notes = Vec::new();
    let mut calls = 1;
    let mut probed = 0;

    let first = play_calls(&[Vec::new()]).pop().unwrap_or(Outcome::Failed {
        message: "the driver played no call".to_string(),
        unreachable: false,
        at: String::new(),
    });
    let start = match &first {
        Outcome::Failed { .. } => {
            builder.record_failure(&first, &[]);
            None
        }
        _ => builder.target(&first, &[]),
    };
    let start = start.unwrap_or_else(|| {
        builder.node(
            "call_failed",
            IrKind::Hangup {
                text: String::new(),
            },
        )
    });

    // A level of the breadth-first crawl is every menu found and not yet
    // probed; its probes go out as one batch, so a driver keeps as many
    // calls in flight as it is allowed, and are taken in the order the
    // menus were found, so the flow comes out the same on every run.
    while !builder.pending.is_empty() {
        let level: Vec<usize> = builder.pending.drain(..).collect();
        // Menus are probed in order while all of a menu's probes fit in
        // the calls left, so a crawl never makes more calls than its
        // budget and a menu is probed whole or not at all.
        let mut plans: Vec<(usize, Plan)> = Vec::new();
        let mut planned = 0;
        for &index in &level {
            let plan = plan(&builder.menus[index]);
            if calls + planned + plan.paths.len() > limits.max_calls {
                break;
            }
            planned += plan.paths.len();
            plans.push((index, plan));
        }
        let out_of_calls = plans.len() < level.len();
        probed += plans.len();
        let paths: Vec<Vec<Input>> = plans
            .iter()
            .flat_map(|(_, plan)| plan.paths.iter().cloned())
            .collect();
        calls += paths.len();
        let mut outcomes = play_calls(&paths).into_iter();
        for (index, plan) in plans {
            let taken: Vec<Outcome> = outcomes.by_ref().take(plan.paths.len()).collect();
            absorb(&mut builder, index, plan, taken);
        }
        if out_of_calls {
            notes.push(format!(
                "the crawl stopped at its budget of {} calls, after {calls} calls: {} of the {} menus found were not probed",
                limits.max_calls,
                builder.menus.len() - probed,
                builder.menus.len()
            ));
            break;
        }
    }
    if !builder.left_out.is_empty() {
        notes.push(format!(
            "the crawl stopped at its budget of {} menus: {} more menus were reached and left out, with the options and handlers that lead to them",
            limits.max_menus,
            builder.left_out.len()
        ));
    }
    Crawled {
        flow: IrFlow {
            id: flow_id.to_string(),
            title: format!("Crawled from {source}"),
            start,
            vars: Vec::new(),
            nodes: builder.nodes,
            source: source.to_string(),
            name_uses: Default::default(),
            module: false,
            fronts: Default::default(),
        },
        failures: builder.failures,
        notes: notes.into_iter().chain(builder.notes).collect(),
        calls,
        menus: builder.menus.len(),
    }
}

/// The probes of one menu: silence, every key but the finish keys, and
/// the phrases its prompt announces if it listens for speech.
struct Plan {
    keys: Vec<&'static str>,
    /// What the prompt announces: its keys tell options from the
    /// wrong-key path, and their labels name the options.
    announced: Announcements,
    phrases: Vec<String>,
    /// Silence first, then the keys, then the phrases; at an `ask`,
    /// silence, a whole answer and a short one.
    paths: Vec<Vec<Input>>,
    answer_digits: Option<u32>,
}

/// An answer of `n` digits for an `ask`'s probe: the digits in order, so
/// that an app checking for "all the same digit" does not reject it.
fn whole_answer(n: u32) -> String {
    "1234567890".chars().cycle().take(n as usize).collect()
}

fn plan(menu: &Menu) -> Plan {
    let path = menu.path.clone();
    let probe = |input: Input| {
        let mut inputs = path.clone();
        inputs.push(input);
        inputs
    };
    if let Some(n) = menu.answer_digits {
        return Plan {
            keys: Vec::new(),
            announced: Announcements::default(),
            phrases: Vec::new(),
            paths: vec![
                probe(Input::Silence),
                probe(Input::Keys(whole_answer(n))),
                // One digit, then the gather's timeout: the platform sends
                // what it has.
                probe(Input::Keys("1".to_string())),
            ],
            answer_digits: Some(n),
        };
    }
    let keys: Vec<&'static str> = KEYS
        .iter()
        .copied()
        .filter(|key| !menu.finish_keys.contains(*key))
        .collect();
    let announced = parse_announcements(&menu.prompt);
    let phrases: Vec<String> = if menu.speech {
        announced
            .phrases
            .iter()
            .take(MAX_PHRASES)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut paths = vec![probe(Input::Silence)];
    paths.extend(keys.iter().map(|key| probe(Input::Keys(key.to_string()))));
    paths.extend(
        phrases
            .iter()
            .map(|phrase| probe(Input::Speech(phrase.clone()))),
    );
    Plan {
        keys,
        announced,
        phrases,
        paths,
        answer_digits: None,
    }
}

/// Turns the outcomes of a menu's probes into its options and handlers.
fn absorb(builder: &mut Builder, index: usize, plan: Plan, outcomes: Vec<Outcome>) {
    if let Some(n) = plan.answer_digits {
        absorb_ask(builder, index, n, plan.paths, outcomes);
        return;
    }
    let Plan {
        keys,
        announced,
        phrases,
        paths,
        ..
    } = plan;
    let mut outcomes = outcomes.into_iter();
    let mut paths = paths.into_iter();
    let silence_path = paths.next().unwrap_or_default();
    let silence = outcomes.next().unwrap_or_else(missing_outcome);
    let keyed: Vec<(&str, Vec<Input>, Outcome)> = keys
        .into_iter()
        .zip(paths.by_ref())
        .map(|(key, inputs)| (key, inputs, outcomes.next().unwrap_or_else(missing_outcome)))
        .collect();
    let spoken: Vec<(String, Vec<Input>, Outcome)> = phrases
        .into_iter()
        .zip(paths)
        .map(|(phrase, inputs)| {
            (
                phrase,
                inputs,
                outcomes.next().unwrap_or_else(missing_outcome),
            )
        })
        .collect();

    // The wrong-key path: the outcome most keys share, when at least
    // two share it; among equals, the one the prompt announces least.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, _, outcome)) in keyed.iter().enumerate() {
        groups.entry(signature(outcome)).or_default().push(i);
    }
    let no_match_group = groups
        .values()
        .filter(|members| members.len() >= 2)
        .max_by_key(|members| {
            let unannounced = members
                .iter()
                .filter(|&&i| {
                    !keyed[i]
                        .0
                        .chars()
                        .next()
                        .is_some_and(|key| announced.announces(key))
                })
                .count();
            (members.len(), unannounced)
        })
        .cloned()
        .unwrap_or_default();

    let mut options = Vec::new();
    // Each option with the signature of what it does, so that a phrase
    // doing the same joins the key's option.
    let mut signatures = Vec::new();
    for (i, (key, inputs, outcome)) in keyed.iter().enumerate() {
        if no_match_group.contains(&i) {
            continue;
        }
        if let Some(goto) = builder.target(outcome, inputs) {
            options.push(IrOption {
                key: Some(key.to_string()),
                label: announced.label(key).map(str::to_string),
                speech: Vec::new(),
                goto,
                origin: None,
            });
            signatures.push(signature(outcome));
        }
    }
    let wrong_key = no_match_group.first().map(|&i| signature(&keyed[i].2));
    let heard_nothing = signature(&silence);
    for (phrase, inputs, outcome) in &spoken {
        let what = signature(outcome);
        // A phrase the app treats like a wrong key or like silence is
        // not an option, whatever the prompt says: that is for lint.
        if Some(&what) == wrong_key.as_ref() || what == heard_nothing {
            continue;
        }
        if let Some(same) = signatures.iter().position(|s| *s == what) {
            options[same].speech.push(phrase.clone());
        } else if let Some(goto) = builder.target(outcome, inputs) {
            options.push(IrOption {
                key: None,
                label: Some(phrase.clone()),
                speech: vec![phrase.clone()],
                goto,
                origin: None,
            });
            signatures.push(what);
        }
    }
    let no_match = match no_match_group.first() {
        Some(&i) => builder.handler(&keyed[i].2, &keyed[i].1),
        None => None,
    };
    let no_input = builder.handler(&silence, &silence_path);
    let node = builder.menus[index].node.clone();
    builder.set_menu(&node, options, no_input, no_match);
}

/// Turns the outcomes of an `ask`'s probes (silence, a whole answer, a
/// short one) into where an answer goes and its handlers. A short answer
/// that goes where a whole one does means the app takes any answer.
fn absorb_ask(
    builder: &mut Builder,
    index: usize,
    digits: u32,
    paths: Vec<Vec<Input>>,
    outcomes: Vec<Outcome>,
) {
    let mut probes = paths.into_iter().zip(
        outcomes
            .into_iter()
            .chain(std::iter::repeat_with(missing_outcome)),
    );
    let mut next = || {
        probes
            .next()
            .unwrap_or_else(|| (Vec::new(), missing_outcome()))
    };
    let (silence_path, silence) = next();
    let (whole_path, whole) = next();
    let (short_path, short) = next();
    let goto = builder.target(&whole, &whole_path);
    let checked = signature(&short) != signature(&whole);
    let asked_again = matches!(
        &whole,
        Outcome::Listening { identity, .. } if builder.by_identity.get(identity) == Some(&index)
    );
    if !checked && asked_again {
        builder.notes.push(format!(
            "`{}` refused both an answer of {digits} digits and a short one and asked again: it may check answers against real data, so where a valid answer leads was not found",
            builder.menus[index].node
        ));
    }
    let invalid = if checked {
        builder.handler(&short, &short_path)
    } else {
        None
    };
    let no_input = builder.handler(&silence, &silence_path);
    let node = builder.menus[index].node.clone();
    if let Some(IrNode {
        kind:
            IrKind::Ask {
                pattern,
                goto: ask_goto,
                invalid: ask_invalid,
                no_input: ask_no_input,
                ..
            },
        ..
    }) = builder.nodes.iter_mut().find(|n| n.id == node)
    {
        *pattern = checked.then(|| format!("[0-9]{{{digits}}}"));
        *ask_goto = goto;
        *ask_invalid = invalid;
        *ask_no_input = no_input;
    }
}

/// The outcome a probe gets when the driver answered fewer calls than it
/// was given, so that a short batch is a failed call, not a panic.
fn missing_outcome() -> Outcome {
    Outcome::Failed {
        message: "the driver returned fewer outcomes than calls".to_string(),
        unreachable: false,
        at: String::new(),
    }
}

/// What makes two outcomes the same reply: where the call stands and what
/// the caller heard on the way.
fn signature(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Listening {
            identity, heard, ..
        } => format!("menu {identity} {heard:?}"),
        Outcome::Ended { ending, heard, .. } => format!("end {ending:?} {heard:?}"),
        Outcome::Failed { message, .. } => format!("failed {message}"),
        Outcome::Abandoned => "abandoned".to_string(),
    }
}

fn said(heard: &[Heard]) -> String {
    heard
        .iter()
        .map(|h| match h {
            Heard::Said(text) => text.clone(),
            Heard::Played(url) => format!("(audio {url})"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Default)]
struct Builder {
    nodes: Vec<IrNode>,
    /// The ids of `nodes`.
    ids: UniqueIds,
    menus: Vec<Menu>,
    by_identity: HashMap<String, usize>,
    /// Menus found and not yet probed, in the order found.
    pending: VecDeque<usize>,
    failures: Vec<Failure>,
    /// Terminal and say nodes by what they are, so that every "press 0 for
    /// an agent" shares one transfer node and every wrong key one apology.
    ends: HashMap<String, String>,
    /// What the crawl could not tell, said plainly.
    notes: Vec<String>,
    /// Menus at most (`--max-menus`): a menu reached when there are that
    /// many already is left out, with what leads to it.
    max_menus: usize,
    /// The identities of the menus left out, so each counts once.
    left_out: std::collections::BTreeSet<String>,
    /// What the platform says before it ends a call whose app failed: the
    /// text of the one node every failed probe leads to.
    application_error: &'static str,
}

impl Builder {
    fn node(&mut self, base: &str, kind: IrKind) -> String {
        let id = self.ids.claim(base);
        self.nodes.push(IrNode {
            id: id.clone(),
            kind,
            origin: Origin::default(),
        });
        id
    }

    /// Records a failed call with the inputs that lead to it.
    fn record_failure(&mut self, outcome: &Outcome, inputs: &[Input]) {
        if let Outcome::Failed {
            message,
            unreachable,
            ..
        } = outcome
        {
            self.failures.push(Failure {
                inputs: inputs.to_vec(),
                message: message.clone(),
                unreachable: *unreachable,
            });
        }
    }

    /// The node an outcome leads to, new menus queued for probing. A failed
    /// call is recorded, and leads where the platform takes a caller when
    /// the app fails: an apology and the end of the call. So the app's
    /// handler is in the flow (lint does not call the input unhandled) and
    /// the failure is a `live-error` of the crawl. `None` when the app did
    /// not answer at all.
    fn target(&mut self, outcome: &Outcome, inputs: &[Input]) -> Option<String> {
        match outcome {
            // Cut off unfinished: nothing is known of where it leads.
            Outcome::Abandoned => None,
            Outcome::Failed { unreachable, .. } => {
                self.record_failure(outcome, inputs);
                if *unreachable {
                    return None;
                }
                let key = "application error".to_string();
                if let Some(id) = self.ends.get(&key) {
                    return Some(id.clone());
                }
                let id = self.node(
                    "app_error",
                    IrKind::Hangup {
                        text: self.application_error.to_string(),
                    },
                );
                self.ends.insert(key, id.clone());
                Some(id)
            }
            Outcome::Ended { ending, heard, .. } => {
                let text = said(heard);
                let key = format!("{ending:?} {text}");
                if let Some(id) = self.ends.get(&key) {
                    return Some(id.clone());
                }
                let (base, kind) = match ending {
                    Ending::Transferred(to) => ("transfer", IrKind::Transfer { queue: to.clone() }),
                    Ending::Queued(queue) => (
                        "queue",
                        IrKind::Transfer {
                            queue: queue.clone(),
                        },
                    ),
                    Ending::HungUp => ("hangup", IrKind::Hangup { text: text.clone() }),
                    Ending::FellOff => ("end", IrKind::End { text: text.clone() }),
                };
                let id = self.node(base, kind);
                self.ends.insert(key, id.clone());
                Some(id)
            }
            Outcome::Listening {
                identity,
                question,
                heard,
                ..
            } => {
                let prompt = said(&question.prompt);
                let menu = match self.by_identity.get(identity) {
                    Some(&menu) => menu,
                    None if self.menus.len() >= self.max_menus => {
                        self.left_out.insert(identity.clone());
                        return None;
                    }
                    None => {
                        // A gather for several digits asks for a number; one
                        // for a key (or listening for speech) is a menu.
                        let answer_digits = question.digits.filter(|&n| {
                            (2..=MAX_ANSWER_DIGITS).contains(&n)
                                && question.keys
                                && !question.speech
                        });
                        let (base, kind) = match answer_digits {
                            Some(_) => (
                                format!("ask_{}", self.menus.len() + 1),
                                IrKind::Ask {
                                    prompt: prompt.clone(),
                                    pattern: None,
                                    save: None,
                                    goto: None,
                                    invalid: None,
                                    no_input: None,
                                },
                            ),
                            None => (
                                format!("menu_{}", self.menus.len() + 1),
                                IrKind::Menu {
                                    prompt: prompt.clone(),
                                    options: Vec::new(),
                                    no_input: None,
                                    no_match: None,
                                    save: None,
                                },
                            ),
                        };
                        let node = self.node(&base, kind);
                        self.menus.push(Menu {
                            path: inputs.to_vec(),
                            node,
                            prompt: prompt.clone(),
                            finish_keys: question.finish_keys.clone(),
                            speech: question.speech,
                            answer_digits,
                        });
                        let menu = self.menus.len() - 1;
                        self.by_identity.insert(identity.clone(), menu);
                        self.pending.push_back(menu);
                        menu
                    }
                };
                let menu_node = self.menus[menu].node.clone();
                // What played before the gather's own prompt ("Billing.",
                // "Sorry, that is not an option.") is a say on the way in.
                let before = said(&heard[..heard.len().saturating_sub(question.prompt.len())]);
                if before.is_empty() {
                    return Some(menu_node);
                }
                let key = format!("say {before} {menu_node}");
                if let Some(id) = self.ends.get(&key) {
                    return Some(id.clone());
                }
                let id = self.node(
                    "say",
                    IrKind::Say {
                        text: before,
                        next: Some(menu_node),
                    },
                );
                self.ends.insert(key, id.clone());
                Some(id)
            }
        }
    }

    /// A silence or wrong-key handler. A call the platform ends there (the
    /// document ran out) is no handler at all, which is what lint reports
    /// as unhandled input.
    fn handler(&mut self, outcome: &Outcome, inputs: &[Input]) -> Option<IrHandler> {
        if let Outcome::Ended {
            ending: Ending::FellOff,
            heard,
            ..
        } = outcome
        {
            if heard.is_empty() {
                return None;
            }
        }
        self.target(outcome, inputs)
            .map(|then| IrHandler { retries: 0, then })
    }

    fn set_menu(
        &mut self,
        node: &str,
        new_options: Vec<IrOption>,
        new_no_input: Option<IrHandler>,
        new_no_match: Option<IrHandler>,
    ) {
        if let Some(IrNode {
            kind:
                IrKind::Menu {
                    options,
                    no_input,
                    no_match,
                    ..
                },
            ..
        }) = self.nodes.iter_mut().find(|n| n.id == node)
        {
            *options = new_options;
            *no_input = new_no_input;
            *no_match = new_no_match;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::emit;
    use crate::live::call::{play, Caller, FetchFailure, Request};
    use crate::live::twiml::Twiml;
    use url::Url;

    /// Runs a future whose fetches are all ready at once.
    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    /// A water utility's TwiML app held in memory, with three planted
    /// defects: key 7 at the main menu works but is never announced, the
    /// outages menu hangs up on silence (a gather with no fallback), and
    /// silence at the billing menu redirects round without asking again.
    fn app(path: &str, digits: Option<&str>) -> String {
        let main = r#"<Response><Gather numDigits="1" action="/main">
            <Say>For billing, press 1. For outages, press 2. For an agent, press 0.</Say></Gather>
            <Redirect>/voice</Redirect></Response>"#;
        let body = match (path, digits) {
            ("/voice", _) => main.to_string(),
            ("/billing-loop", _) => {
                "<Response><Redirect>/billing-loop</Redirect></Response>".to_string()
            }
            ("/main", Some("1")) => {
                r#"<Response><Say>Billing.</Say><Gather numDigits="1" action="/billing">
                <Say>To pay your bill, press 1. To go back, press 9.</Say></Gather>
                <Redirect>/billing-loop</Redirect></Response>"#
                    .to_string()
            }
            ("/main", Some("2")) => r#"<Response><Gather numDigits="1" action="/outages">
                <Say>To report an outage, press 1.</Say></Gather></Response>"#
                .to_string(),
            ("/main", Some("0")) | ("/billing", Some("1")) => {
                "<Response><Say>Connecting you.</Say><Enqueue>agents</Enqueue></Response>"
                    .to_string()
            }
            ("/main", Some("7")) => {
                "<Response><Say>Secret menu. Goodbye.</Say><Hangup/></Response>".to_string()
            }
            ("/main" | "/billing" | "/outages", Some("")) | (_, None) => main.to_string(),
            ("/billing", Some("9")) => main.to_string(),
            ("/outages", Some("1")) => "<Response><Dial>+15550199</Dial></Response>".to_string(),
            // Every other key: an apology and the menu again.
            (_, Some(_)) => format!(
                "<Response><Say>Sorry, that is not an option.</Say>{}</Response>",
                main.trim_start_matches("<Response>")
                    .trim_end_matches("</Response>")
            ),
        };
        body
    }

    /// Crawls the TwiML app at `http://ivr.test/voice` within `limits`,
    /// playing each call as `caller`, one after another, with `fetch` as
    /// the app's replies.
    fn crawl_twiml<Fut>(
        flow_id: &str,
        caller: &Caller,
        limits: CrawlLimits,
        fetch: impl Fn(Request) -> Fut + Copy,
    ) -> Crawled
    where
        Fut: std::future::Future<Output = Result<(Url, String), FetchFailure>>,
    {
        let source = "http://ivr.test/voice";
        let start = Url::parse(source).unwrap();
        crawl(&Twiml, flow_id, source, limits, &mut |batch| {
            batch
                .iter()
                .map(|inputs| block_on(play(&Twiml, &start, caller, inputs, 6, fetch)))
                .collect()
        })
    }

    fn crawl_app() -> Crawled {
        crawl_in_memory(app)
    }

    /// Crawls an app held in memory, given as its reply to a path and the
    /// digits posted there.
    fn crawl_in_memory(app: fn(&str, Option<&str>) -> String) -> Crawled {
        let caller = Caller {
            call_sid: "CA-crawl".into(),
            from: "+15550001".into(),
            to: "+15550100".into(),
        };
        let fetch = |request: Request| {
            let digits = request
                .form
                .iter()
                .find(|(k, _)| *k == "Digits")
                .map(|(_, v)| v.as_str());
            std::future::ready(Ok::<_, FetchFailure>((
                request.url.clone(),
                app(request.url.path(), digits),
            )))
        };
        crawl_twiml(
            "crawled",
            &caller,
            CrawlLimits {
                max_menus: 50,
                max_calls: 1_000,
            },
            fetch,
        )
    }

    /// A menu whose prompt taps and lists its keys: the crawl names each
    /// option with the label the one prompt reader gives its key, the same
    /// reading that counts the key as announced.
    fn tapped_app(path: &str, digits: Option<&str>) -> String {
        let main = r#"<Response><Gather numDigits="1" action="/main">
            <Say>Tap 1 for billing, or 2 for outages.</Say></Gather>
            <Redirect>/voice</Redirect></Response>"#;
        match (path, digits) {
            ("/main", Some("1")) => "<Response><Enqueue>billing</Enqueue></Response>".to_string(),
            ("/main", Some("2")) => "<Response><Dial>+15550199</Dial></Response>".to_string(),
            _ => main.to_string(),
        }
    }

    #[test]
    fn crawled_options_are_named_by_the_prompt_reader() {
        let crawled = crawl_in_memory(tapped_app);
        let labels: Vec<(Option<&str>, Option<&str>)> = crawled
            .flow
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                IrKind::Menu { options, .. } => Some(options),
                _ => None,
            })
            .flatten()
            .map(|o| (o.key.as_deref(), o.label.as_deref()))
            .collect();
        assert_eq!(
            labels,
            [(Some("1"), Some("billing")), (Some("2"), Some("outages"))],
            "{}",
            emit(&crawled.flow)
        );
    }

    #[test]
    fn a_crawl_rebuilds_the_tree_and_lint_finds_the_planted_defects() {
        let crawled = crawl_app();
        let yaml = emit(&crawled.flow);
        // The redirect loop on silence at billing is a live error with the
        // inputs that reach it. `#` is not probed: it is the gathers'
        // finish key, and ends them with nothing entered, like silence.
        let failed: Vec<&Vec<Input>> = crawled.failures.iter().map(|f| &f.inputs).collect();
        assert_eq!(
            failed,
            [&vec![Input::Keys("1".into()), Input::Silence]],
            "{:?}",
            crawled.failures
        );
        assert!(crawled
            .failures
            .iter()
            .all(|f| f.message.contains("redirect loop") && !f.unreachable));
        // Three menus, recognised when they come round again.
        let menus = crawled
            .flow
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, IrKind::Menu { .. }))
            .count();
        assert_eq!(menus, 3, "{yaml}");
        assert!(yaml.contains("an application error has occurred"), "{yaml}");
        assert!(
            yaml.contains("label: billing") || yaml.contains("label: \"billing\""),
            "{yaml}"
        );

        let findings = crate::import::lint_flows(std::slice::from_ref(&crawled.flow))
            .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let mut found: Vec<(String, String)> = findings
            .iter()
            .map(|f| (f.code.to_string(), f.node.clone()))
            .collect();
        found.sort();
        found.dedup();
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|(c, n)| (c.as_str(), n.as_str()))
            .collect();
        // Silence at the main menu asks again forever; key 7 works but the
        // prompt does not announce it; silence at the outages menu
        // (menu_3) drops the call. Silence at billing (menu_2) failed the
        // call: the live error above, and in the flow the platform's
        // apology and hang-up, so lint does not count it twice.
        assert_eq!(
            found,
            [
                ("endless-retry", "menu_1"),
                ("prompt-mismatch", "menu_1"),
                ("unhandled-input", "menu_3"),
            ],
            "{yaml}"
        );
    }

    /// A gather for six digits asks for an account number: the crawl makes
    /// it an `ask` whose whole answer goes on, whose short answer is the
    /// invalid path, and whose silence is its no-input handler, so that
    /// lint judges it as it would a written one.
    #[test]
    fn a_gather_for_several_digits_is_crawled_as_an_ask() {
        fn account_app(path: &str, digits: Option<&str>) -> String {
            let ask = r#"<Gather numDigits="6" action="/account">
                <Say>Please enter your six digit account number.</Say></Gather>
                <Say>We did not hear you. Goodbye.</Say><Hangup/>"#;
            match (path, digits) {
                ("/account", Some(d)) if d.len() == 6 => {
                    "<Response><Say>Thank you.</Say><Enqueue>billing</Enqueue></Response>"
                        .to_string()
                }
                ("/account", _) => {
                    format!("<Response><Say>That number is not valid.</Say>{ask}</Response>")
                }
                _ => format!("<Response>{ask}</Response>"),
            }
        }
        let crawled = crawl_in_memory(account_app);
        let yaml = emit(&crawled.flow);
        assert!(crawled.failures.is_empty(), "{:?}", crawled.failures);
        let ask = crawled
            .flow
            .nodes
            .iter()
            .find_map(|n| match &n.kind {
                IrKind::Ask {
                    pattern,
                    goto,
                    invalid,
                    no_input,
                    ..
                } => Some((
                    pattern.clone(),
                    goto.clone(),
                    invalid.clone(),
                    no_input.clone(),
                )),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no ask in\n{yaml}"));
        assert_eq!(ask.0.as_deref(), Some("[0-9]{6}"), "{yaml}");
        assert_eq!(ask.1.as_deref(), Some("queue"), "{yaml}");
        assert!(ask.2.is_some() && ask.3.is_some(), "{yaml}");
        assert!(
            !crawled
                .flow
                .nodes
                .iter()
                .any(|n| matches!(n.kind, IrKind::Menu { .. })),
            "{yaml}"
        );
        let findings = crate::import::lint_flows(std::slice::from_ref(&crawled.flow))
            .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let codes: Vec<String> = findings.iter().map(|f| f.code.to_string()).collect();
        // A wrong number asks again with no limit: the one thing to fix.
        assert_eq!(codes, ["endless-retry"], "{yaml}");
    }

    /// An app that checks account numbers against real data refuses the
    /// crawl's made-up one as it refuses a short one: the crawl says it
    /// could not find where a valid answer leads.
    #[test]
    fn an_ask_that_refuses_every_probe_is_noted() {
        fn strict_app(path: &str, _digits: Option<&str>) -> String {
            let ask = r#"<Gather numDigits="8" action="/account">
                <Say>Please enter your account number.</Say></Gather><Hangup/>"#;
            match path {
                "/account" => {
                    format!("<Response><Say>We cannot find that account.</Say>{ask}</Response>")
                }
                _ => format!("<Response>{ask}</Response>"),
            }
        }
        let crawled = crawl_in_memory(strict_app);
        assert!(
            crawled
                .notes
                .iter()
                .any(|n| n.contains("`ask_1` refused both an answer of 8 digits and a short one")),
            "{:?}",
            crawled.notes
        );
    }

    /// Crawls an app that makes up a new menu for every path, so that it
    /// never runs out of menus, within `limits`.
    fn crawl_endless(limits: CrawlLimits) -> Crawled {
        let caller = Caller {
            call_sid: "CA-endless".into(),
            from: "a".into(),
            to: "b".into(),
        };
        let fetch = |request: Request| {
            let path = format!(
                "{}{}",
                request.url.path(),
                request
                    .form
                    .iter()
                    .find(|(k, _)| *k == "Digits")
                    .map_or("", |(_, v)| v.as_str())
            );
            let body = format!(
                "<Response><Gather numDigits=\"1\" action=\"{path}\"><Say>Menu {path}.</Say></Gather></Response>"
            );
            std::future::ready(
                request
                    .url
                    .join(&path)
                    .map(|url| (url, body))
                    .map_err(|e| FetchFailure::app(e.to_string())),
            )
        };
        crawl_twiml("endless", &caller, limits, fetch)
    }

    /// The crawl ends at its budget of calls and says so with the calls it
    /// really made: every menu that fits whole is probed, and no more.
    #[test]
    fn an_endless_tree_ends_at_the_budget_of_calls_and_says_so() {
        let crawled = crawl_endless(CrawlLimits {
            max_menus: 1_000,
            max_calls: 100,
        });
        // Silence and eleven keys (`#` finishes the gather): 12 a menu.
        let per_menu = 12;
        assert!(crawled.calls <= 100, "{}", crawled.calls);
        assert!(
            crawled.calls + per_menu > 100,
            "room was left for another menu: {} calls",
            crawled.calls
        );
        assert_eq!(crawled.notes.len(), 1, "{:?}", crawled.notes);
        let menus = crawled
            .flow
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, IrKind::Menu { .. }))
            .count();
        assert_eq!(crawled.menus, menus);
        let probed = (crawled.calls - 1) / per_menu;
        assert_eq!(
            crawled.notes[0],
            format!(
                "the crawl stopped at its budget of 100 calls, after {} calls: {} of the {menus} menus found were not probed",
                crawled.calls,
                menus - probed
            )
        );
    }

    /// The budget of menus is exact: a menu reached when the budget is
    /// full is left out, and the crawl says how many were.
    #[test]
    fn an_endless_tree_never_has_more_menus_than_the_budget() {
        let crawled = crawl_endless(CrawlLimits {
            max_menus: 5,
            max_calls: 10_000,
        });
        let menus = crawled
            .flow
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, IrKind::Menu { .. }))
            .count();
        assert_eq!((menus, crawled.menus), (5, 5), "{}", emit(&crawled.flow));
        assert!(crawled.failures.is_empty(), "{:?}", crawled.failures);
        // Every one of the five menus is probed: one call to find the
        // first, then 12 probes each.
        assert_eq!(crawled.calls, 1 + 5 * 12);
        assert_eq!(crawled.notes.len(), 1, "{:?}", crawled.notes);
        assert!(
            crawled.notes[0].starts_with("the crawl stopped at its budget of 5 menus: "),
            "{:?}",
            crawled.notes
        );
        // What is written loads, menus left out and all.
        let documents = [("crawled.yaml".to_string(), emit(&crawled.flow))];
        crate::loader::load_texts(std::path::PathBuf::from("crawled"), &documents)
            .unwrap_or_else(|e| panic!("{}", e.plain_lines().join("; ")));
    }

    /// At a gather that listens for speech, the phrases the prompt
    /// announces are tried: one the app routes like a key joins that key's
    /// option, one it does not understand is left for lint to report.
    #[test]
    fn announced_phrases_are_probed_at_speech_menus() {
        let caller = Caller {
            call_sid: "CA-speech".into(),
            from: "a".into(),
            to: "b".into(),
        };
        let main = r#"<Response><Gather input="dtmf speech" numDigits="1" action="/main"><Say>For billing, press 1 or say billing. For outages, say outages.</Say></Gather><Redirect>/voice</Redirect></Response>"#;
        let fetch = |request: Request| {
            let field = |name: &str| {
                request
                    .form
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            };
            let body = match (field("Digits").as_deref(), field("SpeechResult").as_deref()) {
                (Some("1"), _) | (_, Some("billing")) => {
                    "<Response><Say>Billing.</Say><Enqueue>billing</Enqueue></Response>".to_string()
                }
                (Some(_), _) | (_, Some(_)) if request.url.path() == "/main" => format!(
                    "<Response><Say>Sorry.</Say>{}",
                    main.trim_start_matches("<Response>")
                ),
                _ => main.to_string(),
            };
            std::future::ready(Ok::<_, FetchFailure>((request.url.clone(), body)))
        };
        let crawled = crawl_twiml(
            "speech",
            &caller,
            CrawlLimits {
                max_menus: 10,
                max_calls: 500,
            },
            fetch,
        );
        let IrKind::Menu { options, .. } = &crawled.flow.nodes[0].kind else {
            panic!("the start is a menu: {:?}", crawled.flow.nodes[0]);
        };
        let offered: Vec<(Option<&str>, Vec<&str>)> = options
            .iter()
            .map(|o| {
                (
                    o.key.as_deref(),
                    o.speech.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            offered,
            [(Some("1"), vec!["billing"])],
            "{}",
            emit(&crawled.flow)
        );
    }
}
