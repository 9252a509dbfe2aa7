//! `graph --format bpmn` read by independent readers: bpmn-moddle (the
//! BPMN 2.0 model of bpmn.io, from the npm registry) parses every file
//! without a warning and finds every element, and bpmn-js draws every shape
//! and edge in headless Chromium.
//!
//! The npm packages come from the folder `TOUCHPOINT_BPMN_TOOLS` names
//! (default: `target/browser-tools` of the package), where `.ci/run`
//! installs them with `npm install --prefix`; Chromium is `chromium` on the
//! PATH, or the program `TOUCHPOINT_CHROMIUM` names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use quick_xml::Reader;

const NEEDS: &str = "needs Node.js with bpmn-moddle and bpmn-js (in TOUCHPOINT_BPMN_TOOLS, default target/browser-tools), and Chromium; .ci/run installs them and runs: cargo test --test browser -- --ignored";

/// A hung reader fails the test instead of hanging it; no test asserts how
/// long anything takes.
const DEADLINE: Duration = Duration::from_secs(180);

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder holding `node_modules/bpmn-moddle` and `node_modules/bpmn-js`.
fn tools() -> PathBuf {
    let folder = std::env::var_os("TOUCHPOINT_BPMN_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("target/browser-tools"));
    for package in ["bpmn-moddle", "bpmn-js"] {
        assert!(
            folder.join("node_modules").join(package).is_dir(),
            "no {package} in {}: {NEEDS}",
            folder.display()
        );
    }
    folder
}

/// Runs `command` to its end or the deadline, its output in files of `dir`
/// (a pipe that nobody reads could fill and stall it): (exit code, stdout,
/// stderr).
fn bounded(mut command: Command, dir: &Path, name: &str) -> (Option<i32>, String, String) {
    let out = dir.join(format!("{name}.out"));
    let err = dir.join(format!("{name}.err"));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}; {NEEDS}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().ok();
            child.wait().ok();
            panic!("{command:?} did not finish before the deadline");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.code(),
        std::fs::read_to_string(out).unwrap(),
        std::fs::read_to_string(err).unwrap(),
    )
}

/// Runs touchpoint in the package folder and returns its standard output.
fn touchpoint(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .current_dir(project())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every BPMN file worth reading: each flow of the bundled set, each
/// persona's journey (each matrix entry), each intent's, and flows of
/// fixtures whose findings become annotations. (name, XML).
fn files() -> Vec<(String, String)> {
    let report: serde_json::Value =
        serde_json::from_str(&touchpoint(&["lint", "menus", "--format", "json"])).unwrap();
    let runs: serde_json::Value =
        serde_json::from_str(&touchpoint(&["personas", "menus", "--format", "json"])).unwrap();
    let mut out = Vec::new();
    for flow in report["structure"]["flows"].as_array().unwrap() {
        let (name, channel) = (
            flow["flow"].as_str().unwrap(),
            flow["channel"].as_str().unwrap(),
        );
        let xml = touchpoint(&[
            "graph",
            "menus",
            "--flow",
            name,
            "--channel",
            channel,
            "--format",
            "bpmn",
        ]);
        out.push((format!("flow-{channel}-{name}"), xml));
    }
    for run in runs["personas"].as_array().unwrap() {
        let persona = match run["variant"].as_str() {
            Some(variant) => format!("{}@{variant}", run["persona"].as_str().unwrap()),
            None => run["persona"].as_str().unwrap().to_string(),
        };
        let xml = touchpoint(&["graph", "menus", "--persona", &persona, "--format", "bpmn"]);
        out.push((format!("persona-{}", persona.replace('@', "-")), xml));
    }
    let mut intents: Vec<&str> = report["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["intent"].as_str().unwrap())
        .collect();
    intents.sort();
    intents.dedup();
    assert!(!intents.is_empty(), "the bundled set has journeys");
    for intent in intents {
        let xml = touchpoint(&["graph", "menus", "--intent", intent, "--format", "bpmn"]);
        out.push((format!("intent-{intent}"), xml));
    }
    for fixture in ["dead-end", "closed-transfer", "dead-end-call", "trap"] {
        let set = format!("fixtures/{fixture}");
        let xml = touchpoint(&["graph", &set, "--flow", "main", "--format", "bpmn"]);
        assert!(
            xml.contains("<bpmn:textAnnotation"),
            "{fixture} has findings"
        );
        out.push((format!("fixture-{fixture}"), xml));
    }
    out
}

/// Per element type as bpmn-moddle names it (`bpmn:SequenceFlow`), how
/// many elements with an id the file holds: what the reader must find.
fn expected_counts(xml: &str) -> BTreeMap<String, u64> {
    let mut reader = Reader::from_str(xml);
    let mut counts = BTreeMap::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let has_id = e
                    .attributes()
                    .any(|a| a.is_ok_and(|a| a.key.as_ref() == b"id"));
                if has_id {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let (prefix, local) = name.split_once(':').unwrap();
                    let mut chars = local.chars();
                    let first = chars.next().unwrap().to_ascii_uppercase();
                    *counts
                        .entry(format!("{prefix}:{first}{}", chars.as_str()))
                        .or_default() += 1;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    counts
}

const MODDLE_SCRIPT: &str = r#"
// Reads each BPMN file with bpmn-moddle and prints, per file, how many
// elements of each type it holds; a warning or an error fails the run.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const tools = process.env.TOUCHPOINT_BPMN_TOOLS;
const entry = join(tools, 'node_modules/bpmn-moddle/dist/index.js');
const { BpmnModdle } = await import(pathToFileURL(entry).href);
const counts = {};
let failed = false;
for (const file of process.argv.slice(2)) {
  const moddle = new BpmnModdle();
  try {
    const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'), 'bpmn:Definitions');
    if (warnings.length > 0) {
      failed = true;
      console.error(file + ': ' + warnings.map((w) => w.message).join('; '));
    }
    const seen = new Set();
    const found = {};
    const visit = (element) => {
      if (!element || typeof element !== 'object' || seen.has(element)) return;
      seen.add(element);
      if (element.$type && element.id !== undefined) {
        found[element.$type] = (found[element.$type] || 0) + 1;
      }
      for (const key of Object.keys(element)) {
        if (key.startsWith('$')) continue;
        const value = element[key];
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === 'object') visit(value);
      }
    };
    visit(rootElement);
    counts[file] = found;
  } catch (error) {
    failed = true;
    console.error(file + ': ' + error.message);
  }
}
console.log(JSON.stringify(counts));
process.exit(failed ? 1 : 0);
"#;

#[test]
#[ignore = "needs Node.js with bpmn-moddle and bpmn-js (in TOUCHPOINT_BPMN_TOOLS, default target/browser-tools), and Chromium; .ci/run installs them and runs: cargo test --test browser -- --ignored"]
fn bpmn_moddle_reads_every_file_without_a_warning_and_finds_every_element() {
    let tools = tools();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("read.mjs");
    std::fs::write(&script, MODDLE_SCRIPT).unwrap();
    let files = files();
    let mut paths = Vec::new();
    for (name, xml) in &files {
        let path = dir.path().join(format!("{name}.bpmn"));
        std::fs::write(&path, xml).unwrap();
        paths.push(path);
    }
    let mut node = Command::new("node");
    node.arg(&script)
        .args(&paths)
        .env("TOUCHPOINT_BPMN_TOOLS", &tools);
    let (code, stdout, stderr) = bounded(node, dir.path(), "node");
    assert_eq!(code, Some(0), "bpmn-moddle: {stderr}{stdout}");
    let counts: BTreeMap<String, BTreeMap<String, u64>> = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("bpmn-moddle printed no counts ({e}): {stdout}{stderr}"));
    for ((name, xml), path) in files.iter().zip(&paths) {
        let found = &counts[path.to_str().unwrap()];
        let expected = expected_counts(xml);
        assert_eq!(found, &expected, "{name}: what bpmn-moddle read");
        assert_eq!(found["bpmn:Participant"], 1, "{name}");
        assert_eq!(found["bpmn:Lane"], 3, "{name}");
        assert_eq!(found["bpmn:StartEvent"], 1, "{name}");
    }
}

/// The page that draws one file with bpmn-js and says what it drew in
/// `#result`: `ok shapes=N connections=M`, `warnings ...` or `failed ...`.
fn page(viewer: &Path, xml: &str) -> String {
    // The XML goes in as a JSON string; `</` is written `<\/` so that no
    // text in it can close the script element.
    let literal = serde_json::to_string(xml).unwrap().replace("</", "<\\/");
    let viewer = url_of(viewer);
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><script src="{viewer}"></script></head>
<body><div id="canvas" style="width: 1600px; height: 900px"></div>
<pre id="result">pending</pre>
<script>
const xml = {literal};
const say = (text) => {{ document.getElementById('result').textContent = text; }};
try {{
  const viewer = new BpmnJS({{ container: '#canvas' }});
  viewer.importXML(xml).then(({{ warnings }}) => {{
    const drawn = viewer.get('elementRegistry').filter((e) => e.type !== 'label' && e.parent);
    const shapes = drawn.filter((e) => !e.waypoints).length;
    const connections = drawn.filter((e) => e.waypoints).length;
    const problems = warnings.map((w) => w.message).join(' | ');
    say((warnings.length ? 'warnings ' + problems : 'ok') + ' shapes=' + shapes + ' connections=' + connections);
  }}).catch((error) => say('failed ' + error.message));
}} catch (error) {{ say('failed ' + error.message); }}
</script></body></html>
"#
    )
}

/// A file URL, with the characters a URL cannot hold escaped.
fn url_of(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url
}

fn chromium() -> String {
    std::env::var("TOUCHPOINT_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

/// The text of `#result` in the DOM Chromium dumped.
fn result_of(dom: &str) -> Option<String> {
    let start = dom.find(r#"<pre id="result">"#)? + r#"<pre id="result">"#.len();
    let end = start + dom[start..].find("</pre>")?;
    Some(dom[start..end].to_string())
}

#[test]
#[ignore = "needs Node.js with bpmn-moddle and bpmn-js (in TOUCHPOINT_BPMN_TOOLS, default target/browser-tools), and Chromium; .ci/run installs them and runs: cargo test --test browser -- --ignored"]
fn bpmn_js_draws_every_shape_and_edge() {
    let viewer = tools().join("node_modules/bpmn-js/dist/bpmn-viewer.production.min.js");
    assert!(viewer.is_file(), "no {}: {NEEDS}", viewer.display());
    let dir = tempfile::tempdir().unwrap();
    let files = files();
    // A flow with every kind of element the bundled set has, a journey
    // with a transfer, and a flow with findings.
    let chosen: Vec<&(String, String)> = files
        .iter()
        .filter(|(name, _)| {
            matches!(
                name.as_str(),
                "flow-phone-main"
                    | "flow-web-selfservice"
                    | "persona-resident-wants-a-person"
                    | "intent-pay_bill"
                    | "fixture-dead-end"
                    | "fixture-closed-transfer"
            )
        })
        .collect();
    assert_eq!(
        chosen.len(),
        6,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, xml) in chosen {
        let html = dir.path().join(format!("{name}.html"));
        std::fs::write(&html, page(&viewer, xml)).unwrap();
        let profile = dir.path().join(format!("{name}-profile"));
        let mut browser = Command::new(chromium());
        browser.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &url_of(&html),
        ]);
        let (code, dom, stderr) = bounded(browser, dir.path(), name);
        assert_eq!(code, Some(0), "{name}: chromium: {stderr}");
        let result = result_of(&dom).unwrap_or_else(|| panic!("{name}: no result in {dom}"));
        let shapes = xml.matches("<bpmndi:BPMNShape ").count();
        let edges = xml.matches("<bpmndi:BPMNEdge ").count();
        assert_eq!(
            result,
            format!("ok shapes={shapes} connections={edges}"),
            "{name}: what bpmn-js drew"
        );
    }
}
