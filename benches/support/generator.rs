//! The generator of large, realistic, lint-clean menu sets that the
//! benches measure: a phone flow of a given number of nodes (menus of
//! topics, announcements, asks, hours switches, transfers and ends), an
//! intents catalogue matching the option labels, settings, and personas.
//! Deterministic: the same size gives the same set on every machine.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

use touchpoint::analysis::lint;
use touchpoint::model::MenuSet;

// ---------------------------------------------------------------------------
// Deterministic generator
// ---------------------------------------------------------------------------

/// A xorshift64 generator with a fixed seed: the flow must be the same on
/// every run and every machine so that figures can be compared over time, and
/// the bench should not pull in the `rand` crate for this.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`. The modulo bias is irrelevant for a benchmark.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

/// What a menu option is about: the words its prompt uses ("For billing and
/// payments, press 1."), which are also the label a caller could click on
/// other channels; the speech phrase it understands; and what a customer
/// with that need says (the `says` of the topic's intent in the catalogue).
///
/// None of these words is a number word or a press-verb, so the prompt
/// announces exactly the keys the menu takes. Each topic's `says` phrases
/// appear as whole words in its own label and in no other, and no other
/// topic's speech regex matches them (so "Paperless billing" says
/// `paperless`, not `billing`, which the speech of "Billing and payments"
/// would catch; "Planned maintenance" says `maintenance`, since the speech
/// `plan` matches "planned"): every option fits exactly its own topic's
/// intent, which `check_fits` asserts.
pub const TOPICS: &[(&str, &str, &[&str])] = &[
    ("Billing and payments", "billing", &["billing and payments"]),
    ("Power outages", "outage", &["power outages", "outages"]),
    ("Water emergencies", "emergency", &["water emergencies"]),
    ("Starting service", "start", &["starting service"]),
    ("Stopping service", "stop", &["stopping service"]),
    ("Moving house", "moving", &["moving house"]),
    ("Meter readings", "meter", &["meter readings"]),
    ("Payment plans", "plan", &["payment plans"]),
    ("Paperless billing", "paperless", &["paperless"]),
    ("Autopay", "autopay", &["autopay"]),
    ("Water quality", "quality", &["water quality"]),
    ("Street lights", "street lights", &["street lights"]),
    (
        "Trees near power lines",
        "trees",
        &["trees near power lines"],
    ),
    (
        "Rebates and incentives",
        "rebates?",
        &["rebates", "incentives"],
    ),
    ("Solar panels", "solar", &["solar panels"]),
    (
        "Electric vehicle charging",
        "charging",
        &["electric vehicle charging"],
    ),
    ("High bills", "high bill", &["high bills"]),
    ("Refunds", "refunds?", &["refunds"]),
    ("Account changes", "account", &["account changes"]),
    ("Business accounts", "business", &["business"]),
    (
        "Landlords and property managers",
        "landlord",
        &["landlords", "property managers"],
    ),
    (
        "Construction and new connections",
        "construction",
        &["construction", "new connections"],
    ),
    ("Leaks", "leaks?", &["leaks"]),
    ("Sewer backups", "sewer", &["sewer backups"]),
    ("Storm damage", "storm", &["storm damage"]),
    ("Planned maintenance", "maintenance", &["maintenance"]),
    ("Energy savings tips", "savings", &["energy savings"]),
    (
        "Medical equipment registration",
        "medical",
        &["medical equipment"],
    ),
    (
        "Collections and shut off notices",
        "notices?",
        &["shut off notices", "collections"],
    ),
    ("Deposits", "deposits?", &["deposits"]),
    ("Tax questions", "tax", &["tax questions"]),
    ("Careers", "careers?", &["careers"]),
];

/// The key of every menu's announced "anything else" option, after the
/// topic keys 1 to 5.
pub const FALLBACK_KEY: char = '9';

/// The kinds of subtree a menu option can lead to, with how often each one
/// is picked. Menus are common enough that the tree keeps growing until the
/// node budget is spent.
#[derive(Clone, Copy, PartialEq)]
pub enum Child {
    /// Another menu (1 node, later at least 3 children).
    Menu,
    /// An announcement, then another menu (2 nodes, later at least 3 more).
    SayThenMenu,
    /// An announcement, then a leaf (2 nodes).
    SayThenLeaf,
    /// An account-number question, then a leaf (2 nodes).
    Ask,
    /// A switch on opening hours: a person when open, a message when closed
    /// (3 nodes).
    Switch,
    /// Self-service done (1 node).
    End,
    /// Hand-over to a person (1 node).
    Transfer,
}

pub const CHILD_WEIGHTS: &[(Child, usize)] = &[
    (Child::Menu, 30),
    (Child::SayThenMenu, 8),
    (Child::SayThenLeaf, 10),
    (Child::Ask, 12),
    (Child::Switch, 5),
    (Child::End, 20),
    (Child::Transfer, 15),
];

/// Every menu needs at least this many topic options, so each queued menu
/// holds this many nodes of the budget in reserve.
pub const MIN_OPTIONS: usize = 3;

impl Child {
    /// Nodes this subtree takes from the budget, counting the reserve of a
    /// new menu's future children, so the flow never runs over its size.
    pub fn cost(self) -> usize {
        match self {
            Child::Menu => 1 + MIN_OPTIONS,
            Child::SayThenMenu => 2 + MIN_OPTIONS,
            Child::SayThenLeaf | Child::Ask => 2,
            Child::Switch => 3,
            Child::End | Child::Transfer => 1,
        }
    }
}

/// How many nodes of each kind the generator wrote, for the report.
#[derive(Default, Debug)]
pub struct Counts {
    pub menu: usize,
    pub say: usize,
    pub ask: usize,
    pub switch: usize,
    pub end: usize,
    pub transfer: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.menu + self.say + self.ask + self.switch + self.end + self.transfer
    }
}

/// The topic's speech phrase as an identifier: `street lights` becomes
/// `street_lights`, `rebates?` becomes `rebates`. It is also the id of the
/// topic's intent.
pub fn slug(topic: usize) -> String {
    TOPICS[topic]
        .1
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .map(|c| if c == ' ' { '_' } else { c })
        .collect()
}

/// What the generator wrote at one menu, so that personas can be given the
/// keys that lead to their need.
pub struct MenuRecord {
    /// Topic and target of the options with keys 1, 2, ...
    options: Vec<(usize, String)>,
    /// Target of the "anything else" option.
    fallback: String,
}

/// Writes the flow as YAML text, node by node, in breadth-first order.
pub struct Generator {
    rng: XorShift,
    out: String,
    pub counts: Counts,
    next_id: usize,
    pub menus: HashMap<String, MenuRecord>,
    /// Announcements in front of menus: announcement id to menu id.
    pub says: HashMap<String, String>,
}

impl Generator {
    /// A fresh node id that says what the node is about, as real flows do
    /// (`billing_menu_12`), so the file has realistic key lengths.
    pub fn id(&mut self, topic: usize, kind: &str) -> String {
        self.named(&slug(topic), kind)
    }

    pub fn named(&mut self, prefix: &str, kind: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{kind}_{}", self.next_id)
    }

    /// Appends `text` as a folded block scalar (`>-`) wrapped near 78
    /// columns, the way people write long prompts.
    pub fn folded(&mut self, key: &str, text: &str) {
        let indent = "      ";
        let _ = write!(self.out, "    {key}: >-\n{indent}");
        let mut column = indent.len();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                if column + 1 + word.len() > 78 {
                    let _ = write!(self.out, "\n{indent}");
                    column = indent.len();
                } else {
                    self.out.push(' ');
                    column += 1;
                }
            }
            self.out.push_str(word);
            column += word.len();
        }
        self.out.push('\n');
    }

    pub fn pick_child(&mut self, avail: usize) -> Child {
        let fitting: Vec<(Child, usize)> = CHILD_WEIGHTS
            .iter()
            .copied()
            .filter(|(c, _)| c.cost() <= avail)
            .collect();
        let total: usize = fitting.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.below(total);
        for (child, weight) in fitting {
            if roll < weight {
                return child;
            }
            roll -= weight;
        }
        unreachable!("the weights cover the roll")
    }

    /// Self-service done, for the topic of the option it is under. `closed`
    /// ends tell callers when to call back instead, as the closed branch of
    /// an opening-hours switch does; that is still the answer to their need
    /// on this line, so it serves the topic too.
    pub fn end(&mut self, id: &str, topic: usize, closed: bool) {
        self.counts.end += 1;
        let what = TOPICS[topic].0.to_lowercase();
        let text = if closed {
            format!(
                "Our {what} team is available Monday to Friday, from eight in the morning \
                 until six in the evening. Please call back then. Goodbye."
            )
        } else {
            format!(
                "We have sent you a text message with a secure link about {what}. \
                 You can also find this at our website at any time. Goodbye."
            )
        };
        let _ = writeln!(self.out, "  {id}:");
        self.folded("end", &text);
        let _ = writeln!(self.out, "    serves: [{}]", slug(topic));
    }

    /// A person; transfers serve every intent by default.
    pub fn transfer(&mut self, id: &str, topic: usize) {
        self.counts.transfer += 1;
        let _ = writeln!(self.out, "  {id}:\n    transfer: {}_queue", slug(topic));
    }

    /// A leaf: self-service done or a person, at random.
    pub fn leaf(&mut self, topic: usize) -> String {
        if self.rng.percent(55) {
            let id = self.id(topic, "done");
            self.end(&id, topic, false);
            id
        } else {
            let id = self.id(topic, "line");
            self.transfer(&id, topic);
            id
        }
    }

    pub fn say(&mut self, id: &str, topic: usize, next: &str) {
        self.counts.say += 1;
        let what = TOPICS[topic].0.to_lowercase();
        let _ = writeln!(self.out, "  {id}:");
        self.folded(
            "say",
            &format!("Please listen carefully, as our options about {what} have recently changed."),
        );
        let _ = writeln!(self.out, "    next: {next}");
    }

    pub fn say_welcome(&mut self, first: &str) {
        self.counts.say += 1;
        let _ = writeln!(self.out, "  welcome:");
        self.folded(
            "say",
            "Thank you for calling Acme Power and Water. If you see a downed power line, \
             hang up and call emergency services right away.",
        );
        let _ = writeln!(self.out, "    next: {first}");
    }

    /// Writes one menu: its prompt announces exactly the keys of its visible
    /// options, the topics on 1 to 5 and "anything else" on 9, a fallback
    /// that fits every need (docs/format.md), so that a customer whose topic is
    /// not on offer goes on to further options or to a person rather than
    /// being stuck. The optional hidden `0` is guarded by opening hours,
    /// which is why it must not be announced (callers out of hours would
    /// press a key that does nothing). `forgiving` menus allow one more
    /// silence.
    pub fn menu(
        &mut self,
        id: &str,
        about: Option<usize>,
        options: Vec<(usize, String)>,
        fallback: String,
        forgiving: bool,
    ) {
        self.counts.menu += 1;
        // A topic's menu first says what it is about, as real lines do
        // ("Careers. For ..."): a caller who pressed for careers hears that
        // they are where they asked to be, not only the menu's own
        // "anything else".
        let mut prompt = about.map_or_else(String::new, |topic| format!("{}. ", TOPICS[topic].0));
        for (n, (topic, _)) in options.iter().enumerate() {
            let what = TOPICS[*topic].0.to_lowercase();
            let _ = write!(prompt, "For {what}, press {}. ", n + 1);
        }
        let _ = write!(prompt, "For anything else, press {FALLBACK_KEY}.");
        let _ = writeln!(self.out, "  {id}:");
        self.folded("menu", &prompt);
        self.out.push_str("    options:\n");
        for (n, (topic, goto)) in options.iter().enumerate() {
            let (label, speech, _) = TOPICS[*topic];
            let _ = write!(
                self.out,
                "      - key: \"{}\"\n        label: {label}\n        speech: [\"{speech}\"]\n        goto: {goto}\n",
                n + 1
            );
        }
        let _ = write!(
            self.out,
            "      - key: \"{FALLBACK_KEY}\"\n        label: Anything else\n        \
             speech: [\"anything else\"]\n        fallback: true\n        goto: {fallback}\n"
        );
        // About a third of the menus let callers reach a person with 0 while
        // the offices are open, without announcing it.
        if self.rng.percent(35) {
            self.out.push_str(
                "      - key: \"0\"\n        label: Speak to an advisor\n        hidden: true\n        \
                 fallback: true\n        when: hours == open\n        goto: agent\n",
            );
        }
        // A few menus are more forgiving of silence than the defaults, as
        // real flows are where callers need to look something up.
        if forgiving {
            self.out
                .push_str("    no_input: { retries: 3, then: agent }\n");
        }
        self.menus
            .insert(id.to_string(), MenuRecord { options, fallback });
    }
}

/// The generated set: flow, catalogue and settings text, what they hold,
/// and the menus as written.
pub struct Generated {
    pub flow: String,
    pub intents: String,
    pub settings: String,
    pub counts: Counts,
    pub first_menu: String,
    pub menus: HashMap<String, MenuRecord>,
    pub says: HashMap<String, String>,
}

/// Generates a phone flow of about `nodes` nodes (exactly `nodes` unless the
/// last menus cannot use up the budget, which leaves it a few short).
///
/// Every menu's "anything else" leads to a further menu of other topics
/// while the budget allows it, and to a person once it does not, as large
/// real lines do ("for all other enquiries, press 9"). So a customer whose
/// topic is not on the first menu looks for it deeper down, the way a
/// goal-directed caller does.
pub fn generate(nodes: usize) -> Generated {
    generate_seeded(nodes, DEFAULT_SEED)
}

/// The seed of [`generate`], which every figure over time is taken on.
pub const DEFAULT_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`generate`] with another seed, for sets of many flows that should not
/// all be the same flow (a set of identical flows would flatter any cache
/// of names or texts). The seed must not be 0, which xorshift never leaves.
pub fn generate_seeded(nodes: usize, seed: u64) -> Generated {
    assert_ne!(seed, 0, "xorshift needs a seed other than 0");
    // Fixed nodes: `welcome`, `agent`, the first menu and its reserve.
    let nodes = nodes.max(2 + 1 + MIN_OPTIONS);
    let mut g = Generator {
        rng: XorShift(seed),
        out: String::with_capacity(nodes * 220),
        counts: Counts::default(),
        next_id: 0,
        menus: HashMap::new(),
        says: HashMap::new(),
    };
    g.out.push_str(
        "flow: main\nchannel: phone\ntitle: Acme Power and Water customer line (generated)\nstart: welcome\n\n\
         vars:\n  hours: [open, closed]\n\n\
         defaults:\n  no_input: { retries: 2, then: agent }\n  no_match: { retries: 2, then: agent }\n\n\
         nodes:\n",
    );
    let first = g.id(0, "menu");
    g.say_welcome(&first);
    g.counts.transfer += 1;
    g.out.push_str("  agent:\n    transfer: advisor_queue\n");

    // `created` counts nodes written or named; `reserved` is the budget held
    // back for the minimum options of menus still in the queue.
    // Each menu still to write, with the topic it is about (none for the
    // first menu and the "anything else" menus).
    let mut queue: VecDeque<(String, Option<usize>)> = VecDeque::from([(first.clone(), None)]);
    let mut created = 3;
    let mut reserved = MIN_OPTIONS;

    while let Some((menu_id, about)) = queue.pop_front() {
        reserved -= MIN_OPTIONS;
        let mut budget = nodes - created - reserved;
        let width = g.rng.between(MIN_OPTIONS, 5).min(budget);
        // "Anything else" opens a further menu while the budget allows it,
        // leaving at least one node for each topic option.
        let fallback = if budget >= Child::Menu.cost() + width {
            budget -= Child::Menu.cost();
            created += 1;
            reserved += MIN_OPTIONS;
            let more = g.named("other", "menu");
            queue.push_back((more.clone(), None));
            more
        } else {
            "agent".to_string()
        };
        // Distinct topics per menu, so no two options say the same thing.
        let mut topics: Vec<usize> = Vec::with_capacity(width);
        while topics.len() < width {
            let t = g.rng.below(TOPICS.len());
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        let mut options = Vec::with_capacity(width);
        for (n, &topic) in topics.iter().enumerate() {
            // Leave at least one node for each option still to come.
            let avail = budget - (width - n - 1);
            let child = g.pick_child(avail);
            budget -= child.cost();
            let goto = match child {
                Child::Menu | Child::SayThenMenu => {
                    let sub = g.id(topic, "menu");
                    created += 1;
                    reserved += MIN_OPTIONS;
                    queue.push_back((sub.clone(), Some(topic)));
                    if child == Child::SayThenMenu {
                        let say = g.id(topic, "info");
                        created += 1;
                        g.say(&say, topic, &sub);
                        g.says.insert(say.clone(), sub);
                        say
                    } else {
                        sub
                    }
                }
                Child::SayThenLeaf => {
                    let say = g.id(topic, "info");
                    let leaf = g.leaf(topic);
                    created += 2;
                    g.say(&say, topic, &leaf);
                    say
                }
                Child::Ask => {
                    let ask = g.id(topic, "account");
                    let leaf = g.leaf(topic);
                    created += 2;
                    g.counts.ask += 1;
                    let _ = write!(
                        g.out,
                        "  {ask}:\n    ask: Please enter your eight-digit account number.\n    \
                         pattern: \"[0-9]{{8}}\"\n    save: account\n    goto: {leaf}\n    \
                         invalid: {{ retries: 2, then: agent }}\n    no_input: {{ retries: 2, then: agent }}\n"
                    );
                    ask
                }
                Child::Switch => {
                    let switch = g.id(topic, "hours");
                    let open = g.id(topic, "line");
                    let closed = g.id(topic, "closed");
                    created += 3;
                    g.counts.switch += 1;
                    let _ = write!(
                        g.out,
                        "  {switch}:\n    switch:\n      - when: hours == open\n        goto: {open}\n      \
                         - goto: {closed}\n"
                    );
                    g.transfer(&open, topic);
                    g.end(&closed, topic, true);
                    switch
                }
                Child::End => {
                    let id = g.id(topic, "done");
                    created += 1;
                    g.end(&id, topic, false);
                    id
                }
                Child::Transfer => {
                    let id = g.id(topic, "line");
                    created += 1;
                    g.transfer(&id, topic);
                    id
                }
            };
            options.push((topic, goto));
        }
        let forgiving = g.rng.percent(10);
        g.menu(&menu_id, about, options, fallback, forgiving);
    }

    let mut intents = String::from(
        "# One intent per topic of the generated line; each one's phrases are\n\
         # the words of that topic's option label, and its volume a made-up\n\
         # number of calls a month, so that the demand figures are weighted.\nintents:\n",
    );
    for (topic, (_, _, says)) in TOPICS.iter().enumerate() {
        let phrases: Vec<String> = says.iter().map(|s| format!("\"{s}\"")).collect();
        let _ = writeln!(
            intents,
            "  {}:\n    says: [{}]\n    volume: {}",
            slug(topic),
            phrases.join(", "),
            (topic * 37 % 20 + 1) * 50
        );
    }
    // A caller who asks for a person is led through every "anything else"
    // menu where no 0 is open, which takes minutes on a line this deep.
    let settings = "# Raised so that the generated flow, deep and wide by design, is clean.\n\
                    touchpoint:\n  limits: { depth: 1000, menu_width: 10, states: 10000000,\n    \
                    time_to_agent: 100000, menus_to_agent: 10000 }\n"
        .to_string();
    Generated {
        flow: g.out,
        intents,
        settings,
        counts: g.counts,
        first_menu: first,
        menus: g.menus,
        says: g.says,
    }
}

impl Generated {
    /// The menu a customer is at after choosing an option to `goto`, if it
    /// leads to one (directly or after an announcement).
    pub fn menu_at<'s>(&'s self, goto: &'s str) -> Option<&'s str> {
        if self.menus.contains_key(goto) {
            return Some(goto);
        }
        self.says
            .get(goto)
            .map(String::as_str)
            .filter(|m| self.menus.contains_key(*m))
    }

    /// The keys a goal-directed caller presses from the first menu on: the
    /// option of their topic where there is one, else "anything else"; the
    /// first option for a caller with no particular need.
    pub fn goal_keys(&self, topic: Option<usize>) -> Vec<String> {
        let mut keys = Vec::new();
        let mut at = Some(self.first_menu.as_str());
        while let Some(menu) = at {
            let record = &self.menus[menu];
            let (key, goto) = match topic {
                None => ("1".to_string(), &record.options[0].1),
                Some(t) => match record.options.iter().position(|(x, _)| *x == t) {
                    Some(n) => ((n + 1).to_string(), &record.options[n].1),
                    None => (FALLBACK_KEY.to_string(), &record.fallback),
                },
            };
            keys.push(key);
            at = self.menu_at(goto);
        }
        keys
    }

    /// Writes the set (flow, catalogue, settings) into `dir`.
    pub fn write(&self, dir: &Path) {
        std::fs::write(dir.join("main.yaml"), &self.flow).expect("write main.yaml");
        std::fs::write(dir.join("intents.yaml"), &self.intents).expect("write intents.yaml");
        std::fs::write(dir.join("touchpoint.yaml"), &self.settings).expect("write touchpoint.yaml");
    }

    /// The same set with the flow written on a single line in flow style
    /// (JSON is YAML's flow style): every node of the flow on one line, the
    /// case that made position lookup quadratic in the line's length.
    pub fn write_on_one_line(&self, dir: &Path) {
        self.write(dir);
        let value: serde_yaml::Value = serde_yaml::from_str(&self.flow).expect("valid YAML");
        let line = serde_json::to_string(&value).expect("the flow as JSON");
        std::fs::write(dir.join("main.yaml"), line + "\n").expect("write main.yaml");
    }

    pub fn describe(&self) -> String {
        let c = &self.counts;
        format!(
            "{} nodes ({} menus, {} say, {} ask, {} switch, {} end, {} transfer), {} bytes, {} intents",
            c.total(),
            c.menu,
            c.say,
            c.ask,
            c.switch,
            c.end,
            c.transfer,
            self.flow.len(),
            TOPICS.len()
        )
    }
}

/// Persona documents for the generated flow, one per file: mostly
/// goal-directed callers with a need from the catalogue, some with a
/// script of the first few keys (the right ones, as a caller who knows the
/// line presses them ahead of the prompt), a `hear` check, a spoken choice,
/// a silence, or a wrong turn, and some with traits and short patience.
pub fn generate_personas(g: &Generated, count: usize) -> Vec<String> {
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let topic = if rng.percent(5) {
            None
        } else {
            Some(rng.below(TOPICS.len()))
        };
        let keys = g.goal_keys(topic);
        let mut text = String::with_capacity(256);
        let _ = writeln!(text, "persona: caller-{n:05}");
        let need = topic.map_or("anything".to_string(), |t| TOPICS[t].0.to_lowercase());
        let _ = writeln!(text, "description: Calls about {need}.");
        text.push_str("channel: phone\nflow: main\n");
        let hours = if rng.percent(50) { "open" } else { "closed" };
        let _ = writeln!(text, "vars: {{ hours: {hours} }}");
        if let Some(t) = topic {
            let _ = writeln!(text, "intent: {}", slug(t));
        }
        let roll = rng.below(100);
        if roll < 8 {
            text.push_str("traits: [zero-out]\n");
        } else if roll < 16 {
            let _ = writeln!(text, "traits: [fumbles]\nseed: {}", rng.below(1000));
        } else if roll < 20 {
            text.push_str("traits: [impatient]\n");
        } else if roll < 22 {
            text.push_str("traits: [silent]\npatience: { retries: 5 }\n");
        } else if roll < 32 {
            text.push_str("patience: { steps: 12, retries: 2 }\n");
        }
        // A silent caller never answers, so a script would go unplayed.
        let silent = (20..22).contains(&roll);
        let mut script: Vec<String> = Vec::new();
        let roll = rng.below(100);
        if silent {
            // No script.
        } else if roll < 35 {
            // Presses the first one to three keys ahead of the prompts.
            let k = rng.between(1, 3).min(keys.len());
            script.extend(keys[..k].iter().map(|k| format!("press: \"{k}\"")));
        } else if roll < 45 {
            script.push("hear: \"Thank you for calling\"".to_string());
            script.push(format!("press: \"{}\"", keys[0]));
        } else if roll < 52 {
            // Says the topic at the first menu when it is offered there.
            match topic {
                Some(t) if keys[0] != FALLBACK_KEY.to_string() => {
                    script.push(format!("say: \"{}\"", TOPICS[t].1.trim_end_matches('?')));
                }
                _ => script.push(format!("press: \"{}\"", keys[0])),
            }
        } else if roll < 57 {
            script.push("wait: true".to_string());
        } else if roll < 62 {
            // A wrong turn: the first topic key that is not the right one.
            let right = &keys[0];
            let wrong = (1..=3)
                .map(|k| k.to_string())
                .find(|k| k != right)
                .expect("three keys, one of them wrong");
            script.push(format!("press: \"{wrong}\""));
        }
        if !script.is_empty() {
            text.push_str("script:\n");
            for step in &script {
                let _ = writeln!(text, "  - {step}");
            }
        }
        out.push(text);
    }
    out
}

/// Lints the set once and insists that it is clean: a benchmark on a flow
/// with findings would measure the recording and shrinking of findings
/// rather than the walk, and would mean the generator is not producing
/// what it claims to. Returns the number of states walked.
pub fn assert_lints_clean(set: &MenuSet) -> usize {
    let analysis = lint(set).expect("the generated flow compiles");
    println!(
        "findings on the generated flow: {}",
        analysis.findings.len()
    );
    for f in analysis.findings.iter().take(10) {
        println!(
            "  {} at `{}` (line {}): {}",
            f.code, f.node, f.line, f.message
        );
    }
    for note in &analysis.notes {
        println!("  note: {note}");
    }
    assert!(
        analysis.findings.is_empty() && analysis.notes.is_empty(),
        "fix the generator: the generated flow must lint clean"
    );
    analysis.states
}
