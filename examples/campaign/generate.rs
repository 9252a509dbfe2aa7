//! The generated-set campaign: whole, realistic sets (phone, web and app
//! flows; intents; personas; asks, guards, called flows, shared labels, and
//! now and then a deliberate defect), each checked for what must hold on
//! any set that loads:
//!
//! - the same command and seed give byte-identical reports (`lint` and
//!   `check`, run twice);
//! - `check --shard 1/2` and `--shard 2/2`, merged, give the unsharded
//!   report byte for byte;
//! - no fuzz failure is noted as not reproducing, and every replay command
//!   the human reports of `fuzz` and `check` print runs as printed and ends
//!   where its finding says;
//! - a generated set loads (exit 0 or 1), and nothing panics, dies of a
//!   signal or hangs.
//!
//! The generator is behind `generate_set` alone, so another generator of
//! sets can take its place.

use std::fmt::Write as _;
use std::path::Path;

use super::run::{command_line, run, Outcome};
use super::{keep_case, Config, Failure, Rng, Summary};

#[path = "../../tests/it/common/shell_words.rs"]
mod shell_words;
use shell_words::shell_words;
#[path = "../../tests/it/common/printed_replays.rs"]
mod printed_replays;
use printed_replays::{
    findings_in_print_order, printed_replay_commands, replay_ends_where_finding_says,
};

/// A topic customers come for: the intent's id, the option's label (the
/// same on every channel, as real sets share them), its speech regex, and
/// what a customer with the intent says.
const TOPICS: &[(&str, &str, &str, &[&str])] = &[
    (
        "pay_bill",
        "Billing and payments",
        "bill(ing)?",
        &["billing and payments", "pay my bill"],
    ),
    (
        "report_outage",
        "Power outages",
        "outages?",
        &["power outages", "no power"],
    ),
    (
        "start_service",
        "Starting service",
        "start",
        &["starting service"],
    ),
    (
        "stop_service",
        "Stopping service",
        "stop",
        &["stopping service"],
    ),
    ("moving", "Moving house", "mov(e|ing)", &["moving house"]),
    (
        "meter_reading",
        "Meter readings",
        "meter",
        &["meter readings"],
    ),
    (
        "payment_plan",
        "Payment plans",
        "plans?",
        &["payment plans"],
    ),
    (
        "water_quality",
        "Water quality",
        "quality|taste",
        &["water quality"],
    ),
    (
        "trees",
        "Trees near power lines",
        "trees?",
        &["trees near power lines"],
    ),
    (
        "speak_to_agent",
        "Speak to someone",
        "agent|someone|person",
        &["speak to someone", "agent"],
    ),
];

const CONDITIONS: &[&str] = &[
    "hours == open",
    "hours != open",
    "caller == business",
    "caller in [resident]",
    "hours == open and caller == resident",
    "not (hours == closed or caller == business)",
];

const PATTERNS: &[&str] = &[
    "[0-9]{8}",
    "[0-9]{4}",
    "(0[1-9]|1[0-2])[0-9]{2}",
    "[A-Z]{2}[0-9]{3}",
    "yes|no",
];

/// The flows of one channel being written.
struct FlowWriter {
    channel: &'static str,
    nodes: String,
    next_id: usize,
    /// Topics (indices into TOPICS) of the set's intents.
    topics: Vec<usize>,
    max_depth: usize,
    /// Percent chance of a deliberate defect where a node is made.
    defects: usize,
    uses_verify: bool,
}

impl FlowWriter {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{}", self.next_id)
    }

    fn phone(&self) -> bool {
        self.channel == "phone"
    }

    /// A node customers reach after choosing `topic`: a deeper menu, an
    /// end, a transfer, an ask, a call, an opaque step, a hang-up, or a
    /// defect. Returns its id.
    fn destination(&mut self, rng: &mut Rng, topic: usize, depth: usize, parent: &str) -> String {
        if depth < self.max_depth && rng.chance(35) {
            return self.menu(rng, depth + 1, Some(parent));
        }
        let intent = TOPICS[topic].0;
        let roll = rng.below(100);
        if rng.chance(self.defects) {
            return self.defect(rng, parent);
        }
        match roll {
            0..=44 => {
                let id = self.fresh("done");
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    end: \"Your request about {} is done. Goodbye.\"\n    serves: [{intent}]",
                    TOPICS[topic].1.to_lowercase()
                );
                id
            }
            45..=59 => {
                let id = self.fresh("queue");
                let serves = if rng.chance(50) {
                    format!("\n    serves: [{intent}]")
                } else {
                    String::new()
                };
                let _ = writeln!(self.nodes, "  {id}:\n    transfer: {id}_team{serves}");
                id
            }
            60..=74 => {
                let id = self.fresh("ask");
                let end = self.fresh("answered");
                let pattern = if rng.chance(80) {
                    format!("\n    pattern: \"{}\"", rng.pick(PATTERNS))
                } else {
                    String::new()
                };
                let handler = if rng.chance(60) {
                    format!(
                        "\n    invalid: {{ retries: {}, then: {end} }}",
                        rng.below(3)
                    )
                } else {
                    String::new()
                };
                let no_input = if rng.chance(50) {
                    format!(
                        "\n    no_input: {{ retries: {}, then: {end} }}",
                        rng.below(3)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    ask: \"Please enter your account number.\"{pattern}\n    save: account\n    goto: {end}{handler}{no_input}"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {end}:\n    end: \"Thank you. Goodbye.\"\n    serves: [{intent}]"
                );
                id
            }
            75..=84 if self.phone() => {
                self.uses_verify = true;
                let id = self.fresh("verify_call");
                let check = self.fresh("verified_check");
                let yes = self.fresh("verified_done");
                let no = self.fresh("not_verified");
                let _ = writeln!(self.nodes, "  {id}:\n    call: verify\n    next: {check}");
                let _ = writeln!(
                    self.nodes,
                    "  {check}:\n    switch:\n      - when: verified\n        goto: {yes}\n      - goto: {no}"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {yes}:\n    end: \"You are verified and your request is done.\"\n    serves: [{intent}]"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {no}:\n    hangup: \"We could not verify you. Goodbye.\""
                );
                id
            }
            75..=89 => {
                let id = self.fresh("lookup");
                let ok = self.fresh("looked_up");
                let sorry = self.fresh("sorry");
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    opaque: \"Lambda account-lookup\"\n    branches:\n      - {{ on: success, goto: {ok} }}\n      - {{ on: error, goto: {sorry} }}"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {ok}:\n    end: \"All done.\"\n    serves: [{intent}]"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {sorry}:\n    hangup: \"Sorry, something went wrong.\""
                );
                id
            }
            _ => {
                let id = self.fresh("bye");
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    hangup: \"Please call back later. Goodbye.\""
                );
                id
            }
        }
    }

    /// A deliberate defect, so that there are failures to find and replay:
    /// an announcement leading nowhere, a silent loop, a switch with no
    /// default, a menu with every option guarded, or a way back round.
    fn defect(&mut self, rng: &mut Rng, parent: &str) -> String {
        let id = self.fresh("defect");
        match rng.below(5) {
            0 => {
                let _ = writeln!(self.nodes, "  {id}:\n    say: \"Please hold.\"");
            }
            1 => {
                let other = self.fresh("hold_again");
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    say: \"Still holding.\"\n    next: {other}"
                );
                let _ = writeln!(
                    self.nodes,
                    "  {other}:\n    say: \"Thank you for holding.\"\n    next: {id}"
                );
            }
            2 => {
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    switch:\n      - when: {}\n        goto: {parent}",
                    rng.pick(CONDITIONS)
                );
            }
            3 => {
                let label = if self.phone() {
                    "      - key: \"1\"\n"
                } else {
                    "      - label: \"Continue\"\n"
                };
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    menu: \"Press 1 to continue.\"\n    options:\n{label}        when: {}\n        goto: {parent}",
                    rng.pick(CONDITIONS)
                );
            }
            _ => {
                let label = if self.phone() {
                    "      - key: \"1\"\n"
                } else {
                    "      - label: \"Start over\"\n"
                };
                let _ = writeln!(
                    self.nodes,
                    "  {id}:\n    menu: \"Press 1 to start over.\"\n    options:\n{label}        goto: {parent}"
                );
            }
        }
        id
    }

    /// A menu of 2 to 5 of the set's topics, with guards, hidden and
    /// fallback options, handlers and a back target now and then.
    fn menu(&mut self, rng: &mut Rng, depth: usize, parent: Option<&str>) -> String {
        let id = self.fresh("menu");
        let mut topics = self.topics.clone();
        let count = rng.between(2, 5).min(topics.len());
        let mut chosen = Vec::new();
        for _ in 0..count {
            chosen.push(topics.remove(rng.below(topics.len())));
        }
        let mut options = String::new();
        let mut announced = Vec::new();
        for (n, topic) in chosen.iter().enumerate() {
            let (intent, label, speech, _) = TOPICS[*topic];
            let target = self.destination(rng, *topic, depth, &id);
            let key = n + 1;
            if self.phone() {
                let _ = writeln!(
                    options,
                    "      - key: \"{key}\"\n        label: \"{label}\""
                );
                if rng.chance(60) {
                    let _ = writeln!(options, "        speech: [\"{speech}\"]");
                }
                // A missed announcement now and then: prompt-mismatch.
                if !rng.chance(self.defects) {
                    announced.push(format!("For {}, press {key}.", label.to_lowercase()));
                }
            } else {
                let _ = writeln!(options, "      - label: \"{label}\"");
            }
            if rng.chance(60) {
                let _ = writeln!(options, "        intents: [{intent}]");
            }
            if rng.chance(20) {
                let _ = writeln!(options, "        when: {}", rng.pick(CONDITIONS));
            }
            let _ = writeln!(options, "        goto: {target}");
        }
        if rng.chance(40) {
            let advisor = self.fresh("advisor");
            let _ = writeln!(self.nodes, "  {advisor}:\n    transfer: advisors");
            if self.phone() {
                let _ = writeln!(
                    options,
                    "      - key: \"0\"\n        fallback: true\n        goto: {advisor}"
                );
                announced.push("For anything else, press 0.".to_string());
            } else {
                let _ = writeln!(options, "      - label: \"Contact us\"\n        fallback: true\n        goto: {advisor}");
            }
        }
        if self.phone() && rng.chance(15) {
            let operator = self.fresh("operator");
            let _ = writeln!(self.nodes, "  {operator}:\n    transfer: operators");
            let _ = writeln!(
                options,
                "      - key: \"9\"\n        hidden: true\n        when: hours == open\n        goto: {operator}"
            );
        }
        let mut extra = String::new();
        if self.phone() {
            for handler in ["no_input", "no_match"] {
                if rng.chance(65) {
                    let then = if rng.chance(50) {
                        parent.unwrap_or(&id).to_string()
                    } else {
                        self.fallback_end()
                    };
                    let _ = writeln!(
                        extra,
                        "    {handler}: {{ retries: {}, then: {then} }}",
                        rng.below(3)
                    );
                }
            }
        } else if let Some(parent) = parent {
            if rng.chance(50) {
                let _ = writeln!(extra, "    back: {parent}");
            }
        }
        let prompt = if self.phone() {
            announced.join(" ")
        } else {
            "How can we help?".to_string()
        };
        let _ = write!(
            self.nodes,
            "  {id}:\n    menu: \"{prompt}\"\n{extra}    options:\n{options}"
        );
        id
    }

    fn fallback_end(&mut self) -> String {
        let id = self.fresh("goodbye");
        let _ = writeln!(
            self.nodes,
            "  {id}:\n    hangup: \"Sorry we could not help. Goodbye.\""
        );
        id
    }
}

/// A whole set from the generator: `(file, text)` pairs, relative to the
/// set's root.
pub fn generate_set(rng: &mut Rng) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut channels = vec!["phone"];
    if rng.chance(70) {
        channels.push("web");
    }
    if rng.chance(50) {
        channels.push("app");
    }
    let mut pool: Vec<usize> = (0..TOPICS.len()).collect();
    let mut topics = Vec::new();
    for _ in 0..rng.between(3, 7) {
        topics.push(pool.remove(rng.below(pool.len())));
    }
    topics.sort_unstable();
    let defects = *rng.pick(&[0, 3, 8, 15]);

    // The catalogue: each intent on every channel, or on some.
    let mut intent_channels: Vec<Vec<&str>> = Vec::new();
    let mut intents = String::from("intents:\n");
    for topic in &topics {
        let (id, _, _, says) = TOPICS[*topic];
        let quoted: Vec<String> = says.iter().map(|s| format!("\"{s}\"")).collect();
        let _ = writeln!(intents, "  {id}:\n    says: [{}]", quoted.join(", "));
        let listed: Vec<&str> = if rng.chance(40) {
            let some: Vec<&str> = channels
                .iter()
                .copied()
                .filter(|_| rng.chance(70))
                .collect();
            if some.is_empty() {
                vec!["phone"]
            } else {
                some
            }
        } else {
            channels.clone()
        };
        if listed.len() < channels.len() || rng.chance(30) {
            let _ = writeln!(intents, "    channels: [{}]", listed.join(", "));
        }
        intent_channels.push(listed);
    }
    files.push(("intents.yaml".to_string(), intents));

    for channel in &channels {
        let mut writer = FlowWriter {
            channel,
            nodes: String::new(),
            next_id: 0,
            topics: topics.clone(),
            max_depth: rng.between(1, 4),
            defects,
            uses_verify: false,
        };
        let open = writer.menu(rng, 1, None);
        let closed = writer.menu(rng, 1, None);
        let mut text = format!(
            "flow: main\nchannel: {channel}\ntitle: \"Generated {channel} flow\"\nstart: welcome\nvars:\n  hours: [open, closed]\n  caller: [resident, business]\n"
        );
        if writer.phone() {
            text.push_str("  verified: bool\n");
            if rng.chance(50) {
                text.push_str("defaults:\n  no_input: { retries: 2, then: defaults_goodbye }\n  no_match: { retries: 1, then: defaults_goodbye }\n");
            }
        }
        let _ = write!(
            text,
            "nodes:\n  welcome:\n    say: \"Welcome to Generated Utilities.\"\n    next: hours_check\n  hours_check:\n    switch:\n      - when: hours == open\n        goto: {open}\n      - goto: {closed}\n  defaults_goodbye:\n    hangup: \"Goodbye.\"\n"
        );
        text.push_str(&writer.nodes);
        files.push((format!("{channel}/main.yaml"), text));
        if writer.phone() {
            let verify = "flow: verify\nchannel: phone\nstart: pin_ask\nvars:\n  verified: bool\nnodes:\n  pin_ask:\n    ask: \"Please enter your four-digit PIN.\"\n    pattern: \"[0-9]{4}\"\n    save: pin\n    goto: pin_ok\n    invalid: { retries: 1, then: pin_bad }\n    no_input: { retries: 1, then: pin_bad }\n  pin_ok:\n    set: { verified: true }\n    next: back_to_caller\n  pin_bad:\n    set: { verified: false }\n    next: back_to_caller\n  back_to_caller:\n    return: true\n";
            if writer.uses_verify || rng.chance(50) {
                files.push(("phone/verify.yaml".to_string(), verify.to_string()));
            }
        }
    }

    for p in 0..rng.between(0, 4) {
        let (topic_index, topic) = {
            let i = rng.below(topics.len());
            (i, topics[i])
        };
        let listed = &intent_channels[topic_index];
        let channel = *rng.pick(listed);
        let mut text = format!("persona: p{p}\nchannel: {channel}\n");
        if rng.chance(85) {
            let _ = writeln!(text, "intent: {}", TOPICS[topic].0);
        }
        let _ = writeln!(
            text,
            "vars: {{ hours: {}, caller: {} }}\npatience: {{ steps: {}, retries: {} }}",
            rng.pick(&["open", "closed"]),
            rng.pick(&["resident", "business"]),
            rng.between(3, 30),
            rng.between(0, 3)
        );
        if rng.chance(25) {
            let _ = writeln!(
                text,
                "traits: [{}]",
                rng.pick(&[
                    "zero-out",
                    "silent",
                    "fumbles",
                    "impatient",
                    "fumbles, zero-out"
                ])
            );
        }
        let scripted = rng.chance(30);
        if scripted {
            let step = match channel {
                "phone" => format!("  - press: \"{}\"", rng.between(1, 3)),
                _ => format!("  - click: \"{}\"", TOPICS[*rng.pick(&topics)].1),
            };
            let _ = writeln!(text, "script:\n  - hear: \".\"\n{step}");
        }
        if rng.chance(60) {
            let _ = writeln!(
                text,
                "expect:\n  outcome: {}\n  max_steps: {}",
                rng.pick(&["served", "transferred", "served"]),
                rng.between(2, 15)
            );
        }
        if rng.chance(25) {
            // A script's steps belong to its channel, so a scripted
            // persona's variants change only the variables.
            text.push_str("matrix:\n");
            for (n, other) in listed.iter().enumerate() {
                let other = if scripted { channel } else { other };
                let _ = writeln!(
                    text,
                    "  - {{ name: v{n}, channel: {other}, vars: {{ hours: {} }} }}",
                    rng.pick(&["open", "closed"])
                );
            }
        }
        files.push((format!("personas/p{p}.yaml"), text));
    }

    let mut settings = String::from("touchpoint:\n");
    if rng.chance(50) {
        let _ = writeln!(
            settings,
            "  limits:\n    menu_width: {}\n    depth: {}",
            rng.between(3, 6),
            rng.between(2, 5)
        );
    }
    if rng.chance(40) {
        let _ = writeln!(
            settings,
            "  levels: {{ {}: {} }}",
            rng.pick(&[
                "prompt-mismatch",
                "too-deep",
                "unreachable",
                "menu-too-wide",
                "no-fit"
            ]),
            rng.pick(&["error", "warning", "off"])
        );
    }
    if rng.chance(30) {
        settings.push_str("  ignore: [\"drafts/**\"]\n");
        files.push((
            "drafts/unfinished.yaml".to_string(),
            "flow: [unfinished\n".to_string(),
        ));
    }
    files.push(("touchpoint.yaml".to_string(), settings));
    files
}

/// One generated set, checked as the module says.
pub fn case(config: &Config, number: u64) -> Summary {
    let mut rng = Rng::for_case(config.seed, number);
    let dir = config
        .out
        .join("work")
        .join(format!("generate-case{number}"));
    let _ = std::fs::remove_dir_all(&dir);
    let set = dir.join("set");
    for (file, text) in generate_set(&mut rng) {
        let path = set.join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).expect("a folder of the set");
        std::fs::write(path, text).expect("a file of the set");
    }
    let mut checker = Checker {
        config,
        dir: &dir,
        number,
        summary: Summary {
            cases: 1,
            ..Summary::default()
        },
    };
    checker.check_all(&number.to_string());
    let mut summary = checker.summary;
    if summary.failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        let kept = keep_case(config, "generate", number, &dir);
        if let Some(kept) = &kept {
            let mut readme = String::new();
            for failure in &summary.failures {
                let _ = writeln!(
                    readme,
                    "{}\n{}\n{}\n",
                    failure.class, failure.what, failure.detail
                );
            }
            let _ = std::fs::write(kept.join("FAILURES.txt"), readme);
        }
        for failure in &mut summary.failures {
            failure.kept.clone_from(&kept);
        }
    }
    summary
}

struct Checker<'a> {
    config: &'a Config,
    dir: &'a Path,
    number: u64,
    summary: Summary,
}

impl Checker<'_> {
    fn fail(&mut self, class: &str, what: String, detail: String) {
        self.summary.failures.push(Failure {
            case: self.number,
            class: class.to_string(),
            what: format!(
                "generated set (generate --seed {} --case {})\n{what}",
                self.config.seed, self.number
            ),
            detail,
            kept: None,
        });
    }

    /// Runs a command; a crash, a hang or an exit other than 0 and 1 (a
    /// generated set always loads) is a failure. Returns the outcome when
    /// the run exited 0 or 1.
    fn run(&mut self, words: &[&str]) -> Option<Outcome> {
        let args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let outcome = run(self.config, self.dir, &args);
        self.summary.runs += 1;
        if let Some(code @ 0..=2) = outcome.code() {
            self.summary.exits[code as usize] += 1;
        }
        let class = outcome
            .failure_class(words[0])
            .or_else(|| match outcome.code() {
                Some(2) => Some(format!(
                    "{}: a generated set did not load (exit 2)",
                    words[0]
                )),
                _ => None,
            });
        match class {
            Some(class) => {
                self.fail(&class, command_line(&args), outcome.describe());
                None
            }
            None => Some(outcome),
        }
    }

    fn check_all(&mut self, seed: &str) {
        let runs = self.config.runs.to_string();
        // lint and check: the same report twice.
        for command in [
            vec!["lint", "set", "--format", "json"],
            vec![
                "check", "set", "--runs", &runs, "--seed", seed, "--format", "json",
            ],
        ] {
            let (Some(first), Some(again)) = (self.run(&command), self.run(&command)) else {
                continue;
            };
            if first.stdout != again.stdout {
                let args: Vec<String> = command.iter().map(|w| w.to_string()).collect();
                self.fail(
                    &format!("{}: two runs differ", command[0]),
                    command_line(&args),
                    first_difference(&first.stdout_text(), &again.stdout_text()),
                );
            }
        }
        let unsharded = self.run(&[
            "check", "set", "--runs", &runs, "--seed", seed, "--format", "json",
        ]);

        // Two shards, merged, are the unsharded report.
        let mut shards_written = true;
        for shard in ["1/2", "2/2"] {
            let file = format!("shard{}.json", &shard[..1]);
            let written = self.run(&[
                "check", "set", "--runs", &runs, "--seed", seed, "--shard", shard, "--format",
                "json", "-o", &file,
            ]);
            shards_written &= written.is_some() && self.dir.join(&file).is_file();
        }
        if let (Some(unsharded), true) = (&unsharded, shards_written) {
            if let Some(merged) =
                self.run(&["merge", "shard1.json", "shard2.json", "--format", "json"])
            {
                if merged.stdout != unsharded.stdout {
                    self.fail(
                        "merged shards differ from the unsharded report",
                        format!(
                            "touchpoint check set --runs {runs} --seed {seed} --shard K/2 --format json -o shardK.json (K = 1, 2)\ntouchpoint merge shard1.json shard2.json --format json\n(against the same check without --shard)"
                        ),
                        first_difference(&unsharded.stdout_text(), &merged.stdout_text()),
                    );
                }
            }
        }

        // Every failure replays: no note says otherwise, and every printed
        // replay command runs and ends where its finding is.
        let fuzz_json = self.run(&[
            "fuzz", "set", "--runs", &runs, "--seed", seed, "--format", "json",
        ]);
        let fuzz_human = self.run(&["fuzz", "set", "--runs", &runs, "--seed", seed]);
        let check_human = self.run(&["check", "set", "--runs", &runs, "--seed", seed]);
        for (name, json, human) in [
            ("fuzz", &fuzz_json, &fuzz_human),
            ("check", &unsharded, &check_human),
        ] {
            let (Some(json), Some(human)) = (json, human) else {
                continue;
            };
            let Ok(report) = serde_json::from_slice::<serde_json::Value>(&json.stdout) else {
                self.fail(
                    &format!("{name} --format json wrote no JSON"),
                    String::new(),
                    json.describe(),
                );
                continue;
            };
            for note in report["notes"].as_array().into_iter().flatten() {
                let note = note.as_str().unwrap_or_default();
                if note.contains("did not reproduce") {
                    self.fail(
                        &format!("{name}: a fuzz failure did not reproduce"),
                        format!("touchpoint {name} set --runs {runs} --seed {seed}"),
                        note.to_string(),
                    );
                }
            }
            self.check_printed_replays(name, &human.stdout_text(), &report);
        }
    }

    /// Runs every `replay:` command of a human report as printed, pairing
    /// each with its finding in the JSON report of the same run (the human
    /// report groups findings by channel, flow and file, in report order
    /// within a group, and prints a command for each finding with inputs, a
    /// path or a persona behind it).
    fn check_printed_replays(&mut self, name: &str, human: &str, report: &serde_json::Value) {
        let commands = printed_replay_commands(human);
        let findings = findings_in_print_order(report);
        if commands.len() != findings.len() {
            self.fail(
                &format!("{name}: printed replay commands do not match the findings"),
                format!("touchpoint {name} set (human and --format json)"),
                format!(
                    "{} commands for {} findings to replay",
                    commands.len(),
                    findings.len()
                ),
            );
            return;
        }
        for (command, finding) in commands.iter().zip(findings) {
            let words = shell_words(command);
            if words.first().map(String::as_str) != Some("touchpoint") {
                self.fail(
                    &format!("{name}: a printed replay command is not a touchpoint command"),
                    command.to_string(),
                    String::new(),
                );
                continue;
            }
            let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
            let Some(outcome) = self.run(&args) else {
                continue;
            };
            let stdout = outcome.stdout_text();
            if outcome.code() != Some(0) {
                self.fail(
                    &format!("{name}: a printed replay command fails"),
                    command.to_string(),
                    outcome.describe(),
                );
                continue;
            }
            if !replay_ends_where_finding_says(finding, &stdout) {
                self.fail(
                    &format!(
                        "{name}: a printed replay ends elsewhere than its finding ({})",
                        finding["code"].as_str().unwrap_or_default()
                    ),
                    format!("{command}\nfinding: {finding}"),
                    stdout,
                );
            }
        }
    }
}

/// Where two reports first differ, with a little context.
fn first_difference(a: &str, b: &str) -> String {
    let a_lines: Vec<&str> = a.lines().collect();
    let b_lines: Vec<&str> = b.lines().collect();
    let at = a_lines
        .iter()
        .zip(&b_lines)
        .position(|(x, y)| x != y)
        .unwrap_or(a_lines.len().min(b_lines.len()));
    let from = at.saturating_sub(3);
    let mut text = format!("first difference at line {}:\n", at + 1);
    for (side, lines) in [("-", &a_lines), ("+", &b_lines)] {
        for line in lines.iter().skip(from).take(at - from + 4) {
            let _ = writeln!(text, "{side} {line}");
        }
    }
    text
}
