//! A set of many generated phone flows that call each other a little, as a
//! large contact centre's line is: one flow per department or brand, each
//! from `generator.rs` with a seed of its own (so no two are the same), a
//! few small shared flows that the main flows call to check the caller's
//! account before handing them to a person, the intents catalogue and the
//! settings of the generator, and personas for every main flow.
//!
//! `--jobs` is measured on it: flows, worlds and personas are what the
//! engines spread over cores, so the set has many of each.

use std::fmt::Write as _;
use std::path::Path;

use super::generator::{generate_personas, generate_seeded, DEFAULT_SEED};

/// Main flows per shared called flow.
const FLOWS_PER_SHARED: usize = 10;
/// Every how many main flows one calls a shared flow on the way to a person.
const CALLING_EVERY: usize = 3;
/// Personas written per main flow.
const PERSONAS_PER_FLOW: usize = 2;

/// What was written, to say beside the figures.
pub struct ManyFlows {
    pub flows: usize,
    pub shared: usize,
    pub calling: usize,
    pub nodes: usize,
    pub personas: usize,
    pub bytes: usize,
}

impl ManyFlows {
    pub fn describe(&self) -> String {
        format!(
            "{} flows of about {} nodes ({} nodes in all), {} of them calling one of {} shared \
             flows, {} personas, {} bytes",
            self.flows,
            self.nodes / self.flows.max(1),
            self.nodes,
            self.calling,
            self.shared,
            self.personas,
            self.bytes
        )
    }
}

/// Writes `flows` generated flows of `nodes` nodes each into `dir` (which
/// must exist), with the shared flows they call, the catalogue, the
/// settings and the personas.
pub fn write_many_flows(dir: &Path, flows: usize, nodes: usize) -> ManyFlows {
    let shared = flows.div_ceil(FLOWS_PER_SHARED).max(1);
    let mut written = ManyFlows {
        flows,
        shared,
        calling: 0,
        nodes: 0,
        personas: 0,
        bytes: 0,
    };
    for sub in ["flows", "shared", "personas"] {
        std::fs::create_dir_all(dir.join(sub)).expect("create a folder of the set");
    }
    let write = |path: String, text: &str, written: &mut ManyFlows| {
        written.bytes += text.len();
        std::fs::write(dir.join(path), text).expect("write a file of the set");
    };
    let mut catalogue = None;
    for n in 0..flows {
        let generated = generate_seeded(nodes, DEFAULT_SEED ^ (n as u64 + 1));
        let id = format!("flow_{n:04}");
        let body = generated
            .flow
            .strip_prefix("flow: main\n")
            .expect("the generated flow opens with its id");
        let mut text = format!("flow: {id}\n{body}");
        if n % CALLING_EVERY == 0 {
            // A person is reached after the shared account check: the flow
            // calls it, and its `return` continues at the queue. Callers
            // take the shared flows in turn, so that every one has callers
            // (a flow nobody calls would end at a `return` with nowhere to
            // go back to).
            let verify = format!("verify_{:02}", (n / CALLING_EVERY) % shared);
            text = text.replace(
                "  agent:\n    transfer: advisor_queue\n",
                &format!(
                    "  agent:\n    call: {verify}\n    next: agent_queue\n  \
                     agent_queue:\n    transfer: advisor_queue\n"
                ),
            );
            written.calling += 1;
            written.nodes += 1;
        }
        written.nodes += generated.counts.total();
        write(format!("flows/{id}.yaml"), &text, &mut written);
        for (p, persona) in generate_personas(&generated, PERSONAS_PER_FLOW)
            .iter()
            .enumerate()
        {
            let persona = persona
                .replacen("flow: main\n", &format!("flow: {id}\n"), 1)
                .replacen("persona: caller-", &format!("persona: {id}-caller-"), 1);
            write(format!("personas/{id}_{p}.yaml"), &persona, &mut written);
            written.personas += 1;
        }
        catalogue.get_or_insert(generated);
    }
    for s in 0..shared {
        let text = shared_flow(s);
        written.nodes += 3;
        write(format!("shared/verify_{s:02}.yaml"), &text, &mut written);
    }
    let catalogue = catalogue.expect("at least one flow");
    write("intents.yaml".to_string(), &catalogue.intents, &mut written);
    write(
        "touchpoint.yaml".to_string(),
        &catalogue.settings,
        &mut written,
    );
    written
}

/// The shared account check numbered `s`: the caller keys in an account
/// number or lets it go, and goes back to the flow that called.
fn shared_flow(s: usize) -> String {
    let mut text = String::new();
    let _ = write!(
        text,
        "flow: verify_{s:02}\nchannel: phone\ntitle: Account check before an advisor ({s})\n\
         start: ask_account\n\nnodes:\n  \
         ask_account:\n    ask: To help our advisor, enter your eight-digit account number.\n    \
         pattern: \"[0-9]{{8}}\"\n    save: account\n    goto: thanks\n    \
         invalid: {{ retries: 1, then: back }}\n    no_input: {{ retries: 1, then: back }}\n  \
         thanks:\n    say: Thank you. An advisor will have your account in front of them.\n    \
         next: back\n  \
         back:\n    return: true\n"
    );
    text
}
