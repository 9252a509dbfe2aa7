//! A generator of whole, realistic menu sets for properties and campaigns:
//! phone, web and app flows with menus, asks with patterns, switches and
//! `set`s over variables, opaque steps, a called sub-flow, retries,
//! timeouts, defaults,
//! options that share a display label or a key, an intents catalogue,
//! settings and personas.
//!
//! The sets are random but always load: every reference points at a node
//! that exists, every condition names declared variables and values. They
//! are built to be wrong in the ways real sets are (dead ends, traps,
//! unhandled input, options nothing announces, two options with one label),
//! so that the walk, the fuzzer and personas all have something to find.
//!
//! The whole set follows from one `u64` (`generate`), so a campaign can
//! name a failing set by its number; `set_strategy` draws that number for
//! proptest. It uses nothing but std and proptest, so that an example can
//! include it with `#[path]` as well.

use std::fmt::Write as _;

use proptest::strategy::Strategy;

/// A generated set: its documents, each with its name in the set, and the
/// number it was generated from.
#[derive(Debug, Clone)]
pub struct GeneratedSet {
    pub seed: u64,
    pub files: Vec<(String, String)>,
}

impl GeneratedSet {
    /// Writes the documents into `dir` (which must exist), as a set on disk
    /// for the binary.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (name, text) in &self.files {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }
}

/// Sets drawn by proptest. Shrinking a number shrinks nothing meaningful,
/// but the failing number is printed, and `generate` rebuilds its set.
pub fn set_strategy() -> impl Strategy<Value = GeneratedSet> {
    proptest::num::u64::ANY.prop_map(generate)
}

/// A xorshift64* generator: the set must follow from its number alone.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Zero is xorshift's fixed point; mix the seed so that nearby
        // numbers give unrelated sets.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The intents of the catalogue and what customers with them say.
const INTENTS: &[(&str, &[&str])] = &[
    ("water", &["water", "water 0"]),
    ("bill", &["bills", "pay my bill"]),
    ("agent", &["agent", "a person"]),
    ("outage", &["outage", "no power"]),
];

/// Labels are drawn from a short list, with case and spacing variants, so
/// that two options of one menu often share a display label.
const LABELS: &[&str] = &[
    "water 0", "Water 0", "water 1", "bills", "agent", "outage", "more", " bills",
];

const SPEECH: &[&str] = &["water", "bills?", "agent", "out(age)?", "pay", "more|else"];

/// Keys are drawn from a few, so that two options often share one.
const KEYS: &[&str] = &["1", "2", "3", "0", "#"];

const PATTERNS: &[&str] = &["[0-9]{2}", "(yes|no)", "a+b?", "[0-9]{4}|x"];

const CONDITIONS: &[&str] = &[
    "mode == day",
    "mode != night",
    "known",
    "not known",
    "mode in [day, night] and known",
    "(known or mode == day)",
    "mode == night and not known",
];

#[derive(Clone, Copy, PartialEq)]
enum Channel {
    Phone,
    Web,
    App,
}

impl Channel {
    fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::App => "app",
        }
    }

    fn visual(self) -> bool {
        self != Channel::Phone
    }
}

/// The set numbered `seed`.
pub fn generate(seed: u64) -> GeneratedSet {
    let mut rng = Rng::new(seed);
    let all = [Channel::Phone, Channel::Web, Channel::App];
    let mut channels: Vec<Channel> = all.into_iter().filter(|_| rng.percent(55)).collect();
    if channels.is_empty() {
        channels.push(*rng.pick(&all));
    }
    let mut files = Vec::new();
    files.push(("touchpoint.yaml".to_string(), settings(&mut rng)));
    let catalogue = rng.percent(85);
    // Which intents each channel expects, as the catalogue's `channels:`
    // says; personas only take an intent their channel expects.
    let mut expected: Vec<(String, Vec<Channel>)> = Vec::new();
    if catalogue {
        let mut text = String::from("intents:\n");
        for &(name, says) in INTENTS {
            let _ = writeln!(text, "  {name}:");
            let _ = writeln!(text, "    says: [{}]", quoted_list(says));
            let listed: Vec<Channel> = if rng.percent(40) {
                let some: Vec<Channel> = channels
                    .iter()
                    .copied()
                    .filter(|_| rng.percent(60))
                    .collect();
                if some.is_empty() {
                    channels.clone()
                } else {
                    let names: Vec<&str> = some.iter().map(|c| c.name()).collect();
                    let _ = writeln!(text, "    channels: [{}]", names.join(", "));
                    some
                }
            } else {
                channels.clone()
            };
            expected.push((name.to_string(), listed));
        }
        files.push(("intents.yaml".to_string(), text));
    }
    for &channel in &channels {
        let main = main_flow_name(channel);
        let helper = rng.percent(45).then(|| format!("{main}_help"));
        files.push((
            format!("{main}.yaml"),
            flow(
                &mut rng,
                channel,
                &main,
                helper.as_deref(),
                false,
                catalogue,
            ),
        ));
        if let Some(helper) = &helper {
            files.push((
                format!("{helper}.yaml"),
                flow(&mut rng, channel, helper, None, true, catalogue),
            ));
        }
    }
    for p in 0..rng.below(3) {
        let channel = *rng.pick(&channels);
        let intents: Vec<&str> = expected
            .iter()
            .filter(|(_, on)| on.contains(&channel))
            .map(|(name, _)| name.as_str())
            .collect();
        files.push((
            format!("persona{p}.yaml"),
            persona(&mut rng, p, channel, &intents),
        ));
    }
    GeneratedSet { seed, files }
}

fn main_flow_name(channel: Channel) -> String {
    match channel {
        Channel::Phone => "line",
        Channel::Web => "site",
        Channel::App => "screens",
    }
    .to_string()
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn settings(rng: &mut Rng) -> String {
    let mut text = String::from("touchpoint:\n  limits:\n");
    let _ = writeln!(text, "    menu_width: {}", rng.between(2, 5));
    let _ = writeln!(text, "    depth: {}", rng.between(2, 6));
    if rng.percent(20) {
        let _ = writeln!(text, "    call_depth: {}", rng.between(1, 3));
    }
    if rng.percent(25) {
        text.push_str("  levels:\n    prompt-mismatch: off\n");
    }
    text
}

/// A flow of a few nodes `n0` (the start) to `nK`, and three terminals.
/// Every `goto` is drawn from all of them, so loops, dead ends and nodes
/// nobody reaches come about as in sets written by hand.
fn flow(
    rng: &mut Rng,
    channel: Channel,
    name: &str,
    helper: Option<&str>,
    called: bool,
    catalogue: bool,
) -> String {
    let count = rng.between(2, 7);
    let mut targets: Vec<String> = (0..count).map(|i| format!("n{i}")).collect();
    targets.extend(["done", "person", "bye"].map(String::from));
    if called {
        targets.push("back_out".to_string());
    }
    let mut text = String::new();
    let _ = writeln!(text, "flow: {name}");
    let _ = writeln!(text, "channel: {}", channel.name());
    let _ = writeln!(text, "start: n0");
    text.push_str("vars:\n  mode: [day, night]\n  known: bool\n");
    if rng.percent(30) {
        let _ = writeln!(
            text,
            "defaults:\n  no_input: {{ retries: {}, then: {} }}",
            rng.below(3),
            rng.pick(&targets)
        );
        if !channel.visual() && rng.percent(50) {
            let _ = writeln!(text, "  no_match: {}", rng.pick(&targets));
        }
        if rng.percent(40) {
            let _ = writeln!(text, "  timeout: {}", rng.between(2, 9));
        }
    }
    text.push_str("nodes:\n");
    for i in 0..count {
        let _ = writeln!(text, "  n{i}:");
        let roll = rng.below(100);
        match roll {
            0..=57 => menu(rng, &mut text, channel, &targets, catalogue),
            58..=67 => ask(rng, &mut text, &targets),
            68..=75 => {
                text.push_str("    switch:\n");
                for _ in 0..rng.between(1, 2) {
                    let _ = writeln!(
                        text,
                        "      - when: {:?}\n        goto: {}",
                        rng.pick(CONDITIONS),
                        rng.pick(&targets)
                    );
                }
                if rng.percent(60) {
                    let _ = writeln!(text, "      - goto: {}", rng.pick(&targets));
                }
            }
            76..=83 => {
                let assignment = match rng.below(4) {
                    0 => "mode: night",
                    1 => "mode: day",
                    2 => "known: true",
                    _ => "known: false",
                };
                let _ = writeln!(text, "    set: {{ {assignment} }}");
                let _ = writeln!(text, "    next: {}", rng.pick(&targets));
            }
            84..=86 => {
                text.push_str("    opaque: Account lookup (not modelled)\n");
                // Now and then no branches at all: a dead end.
                if rng.percent(85) {
                    text.push_str("    branches:\n");
                    for outcome in ["success", "error"].iter().take(rng.between(1, 2)) {
                        let _ = writeln!(
                            text,
                            "      - {{ on: {outcome}, goto: {} }}",
                            rng.pick(&targets)
                        );
                    }
                }
            }
            87..=91 if helper.is_some() => {
                let _ = writeln!(text, "    call: {}", helper.unwrap_or_default());
                let _ = writeln!(text, "    next: {}", rng.pick(&targets));
            }
            _ => {
                let _ = writeln!(text, "    say: Welcome to node {i}.");
                let _ = writeln!(text, "    next: {}", rng.pick(&targets));
            }
        }
    }
    text.push_str("  done:\n    end: All done.\n");
    if catalogue && rng.percent(60) {
        let _ = writeln!(text, "    serves: [{}]", rng.pick(INTENTS).0);
    }
    text.push_str("  person:\n    transfer: queue\n");
    if catalogue && rng.percent(30) {
        let _ = writeln!(text, "    serves: [{}]", rng.pick(INTENTS).0);
    }
    text.push_str("  bye:\n    hangup: Goodbye.\n");
    if called {
        text.push_str("  back_out:\n    return: true\n");
    }
    text
}

fn menu(rng: &mut Rng, text: &mut String, channel: Channel, targets: &[String], catalogue: bool) {
    let count = rng.between(1, 4);
    let mut prompt = String::from("Choose.");
    let mut options = String::new();
    // One label per menu is often used twice, so that two options share a
    // display name (and, on web and app, a click).
    let shared = *rng.pick(LABELS);
    for _ in 0..count {
        let label = if rng.percent(35) {
            shared
        } else {
            *rng.pick(LABELS)
        };
        let mut fields = Vec::new();
        if channel.visual() {
            fields.push(format!("label: {label:?}"));
        } else {
            let key = rng.percent(80).then(|| *rng.pick(KEYS));
            let speech = (key.is_none() || rng.percent(40)).then(|| *rng.pick(SPEECH));
            if let Some(key) = key {
                fields.push(format!("key: {key:?}"));
                if rng.percent(80) {
                    let _ = write!(prompt, " For {}, press {key}.", label.trim());
                }
            }
            if let Some(speech) = speech {
                fields.push(format!("speech: [{speech:?}]"));
            }
            if rng.percent(50) {
                fields.push(format!("label: {label:?}"));
            }
            if rng.percent(5) {
                fields.push("hidden: true".to_string());
            }
        }
        if catalogue && rng.percent(55) {
            fields.push(format!("intents: [{}]", rng.pick(INTENTS).0));
        }
        if rng.percent(15) {
            fields.push("fallback: true".to_string());
        }
        if rng.percent(25) {
            fields.push(format!("when: {:?}", rng.pick(CONDITIONS)));
        }
        fields.push(format!("goto: {}", rng.pick(targets)));
        let _ = writeln!(options, "      - {{ {} }}", fields.join(", "));
    }
    let _ = writeln!(text, "    menu: {prompt:?}");
    if rng.percent(50) {
        let _ = writeln!(
            text,
            "    no_input: {{ retries: {}, then: {} }}",
            rng.below(3),
            rng.pick(targets)
        );
    }
    if !channel.visual() && rng.percent(45) {
        let _ = writeln!(
            text,
            "    no_match: {{ retries: {}, then: {} }}",
            rng.below(3),
            rng.pick(targets)
        );
    }
    if channel.visual() && rng.percent(25) {
        let _ = writeln!(
            text,
            "    back: {}",
            rng.pick(&targets[..targets.len() - 3])
        );
    }
    if rng.percent(20) {
        let _ = writeln!(text, "    timeout: \"{}s\"", rng.between(2, 9));
    }
    text.push_str("    options:\n");
    text.push_str(&options);
}

fn ask(rng: &mut Rng, text: &mut String, targets: &[String]) {
    text.push_str("    ask: Please enter your code.\n");
    if rng.percent(75) {
        let _ = writeln!(text, "    pattern: {:?}", rng.pick(PATTERNS));
    }
    if rng.percent(30) {
        text.push_str("    save: code\n");
    }
    let _ = writeln!(text, "    goto: {}", rng.pick(targets));
    if rng.percent(55) {
        let _ = writeln!(
            text,
            "    invalid: {{ retries: {}, then: {} }}",
            rng.below(3),
            rng.pick(targets)
        );
    }
    if rng.percent(45) {
        let _ = writeln!(text, "    no_input: {}", rng.pick(targets));
    }
}

fn persona(rng: &mut Rng, index: usize, channel: Channel, intents: &[&str]) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "persona: p{index}");
    let _ = writeln!(text, "channel: {}", channel.name());
    let _ = writeln!(text, "flow: {}", main_flow_name(channel));
    let _ = writeln!(
        text,
        "vars: {{ mode: {}, known: {} }}",
        rng.pick(&["day", "night"]),
        rng.pick(&["true", "false"])
    );
    if !intents.is_empty() && rng.percent(80) {
        let _ = writeln!(text, "intent: {}", rng.pick(intents));
    }
    if rng.percent(30) {
        text.push_str("traits: [zero-out]\n");
    }
    // A short script, which may not fit the flow (the persona then fails).
    if rng.percent(35) {
        text.push_str("script:\n");
        for _ in 0..rng.between(1, 3) {
            let step = match (channel.visual(), rng.below(3)) {
                (true, 0) => format!("click: {:?}", rng.pick(LABELS).trim()),
                (false, 0) => format!("press: {:?}", rng.pick(KEYS)),
                (_, 1) => "wait: true".to_string(),
                _ => "enter: \"12\"".to_string(),
            };
            let _ = writeln!(text, "  - {step}");
        }
    }
    if rng.percent(40) {
        let _ = writeln!(
            text,
            "patience: {{ steps: {}, retries: 2 }}",
            rng.between(4, 20)
        );
    }
    if rng.percent(40) {
        let outcome = rng.pick(&["served", "transferred", "hung-up"]);
        let _ = writeln!(text, "expect:\n  outcome: {outcome}");
    }
    text
}
