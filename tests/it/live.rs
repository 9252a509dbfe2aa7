//! The live channel against a real HTTP server: a small TwiML phone tree of
//! our own (axum, on 127.0.0.1, a port the system picks), started by the
//! test itself, crawled through the HTTP driver.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::Router;
use touchpoint::import::emit;

use crate::common;
use common::touchpoint;
use touchpoint::live::call::{Input, Outcome};
use touchpoint::live::crawl::{crawl, CrawlLimits};
use touchpoint::live::driver::{Driver, DriverOptions};
use url::Url;

const MAIN: &str = r#"<Gather numDigits="1" action="/main">
    <Say>For billing, press 1. For outages, press 2. For an agent, press 0.</Say></Gather>
    <Redirect>/voice</Redirect>"#;

/// A water utility's phone tree with three planted defects: key 7 works but
/// is never announced, the outages menu hangs up on silence (a gather with
/// no fallback), and silence at billing redirects round without asking
/// again. Plus a few paths that misbehave at the HTTP level.
async fn tree(uri: Uri, body: String) -> impl IntoResponse {
    let form = if body.is_empty() {
        uri.query().unwrap_or("").to_string()
    } else {
        body
    };
    let digits: Option<String> = url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == "Digits")
        .map(|(_, v)| v.into_owned());
    let twiml = |inner: &str| (StatusCode::OK, format!("<Response>{inner}</Response>"));
    match (uri.path(), digits.as_deref()) {
        ("/voice", _) => twiml(MAIN),
        // A later version of the app, where 0 no longer reaches an agent.
        ("/voice-v2", _) => twiml(&MAIN.replace("/main", "/main-v2")),
        ("/main-v2", Some(_)) => twiml("<Say>Goodbye.</Say><Hangup/>"),
        ("/billing-loop", _) => twiml("<Redirect>/billing-loop</Redirect>"),
        ("/broken", _) => (StatusCode::INTERNAL_SERVER_ERROR, "oops".to_string()),
        ("/huge", _) => twiml(&format!("<Say>{}</Say>", "la ".repeat(200_000))),
        ("/slow", _) => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            twiml("<Hangup/>")
        }
        ("/elsewhere", _) => twiml("<Redirect>http://example.invalid/voice</Redirect>"),
        ("/main", Some("1")) => twiml(
            r#"<Say>Billing.</Say><Gather numDigits="1" action="/billing">
            <Say>To pay your bill, press 1. To go back, press 9.</Say></Gather>
            <Redirect>/billing-loop</Redirect>"#,
        ),
        ("/main", Some("2")) => twiml(
            r#"<Gather numDigits="1" action="/outages"><Say>To report an outage, press 1.</Say></Gather>"#,
        ),
        ("/main", Some("0")) | ("/billing", Some("1")) => {
            twiml("<Say>Connecting you.</Say><Enqueue>agents</Enqueue>")
        }
        ("/main", Some("7")) => twiml("<Say>Secret menu. Goodbye.</Say><Hangup/>"),
        ("/billing", Some("9")) | (_, None) | (_, Some("")) => twiml(MAIN),
        ("/outages", Some("1")) => twiml("<Dial>+15550199</Dial>"),
        (_, Some(_)) => twiml(&format!("<Say>Sorry, that is not an option.</Say>{MAIN}")),
    }
}

/// Starts the tree on its own thread and runtime (the driver has its own),
/// and returns its address.
fn serve() -> SocketAddr {
    serve_until(usize::MAX)
}

/// The same, but the server shuts down after `requests` requests, as if
/// someone stopped the app in the middle of a crawl.
fn serve_until(requests: usize) -> SocketAddr {
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = std::sync::Arc::new(tokio::sync::Notify::new());
    let stopper = std::sync::Arc::clone(&stop);
    let app = Router::new().fallback(any(move |uri: Uri, body: String| {
        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n >= requests {
            stopper.notify_one();
        }
        tree(uri, body)
    }));
    serve_router(app, stop)
}

/// Serves `app` on its own thread and runtime until `stop` is notified,
/// and returns its address.
fn serve_router(app: Router, stop: std::sync::Arc<tokio::sync::Notify>) -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the test server");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a local port");
            sender
                .send(listener.local_addr().expect("its address"))
                .expect("the test is waiting");
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.notified().await })
                .await
                .expect("the server runs");
        });
    });
    receiver.recv().expect("the server started")
}

/// Serves a router until the test process ends.
fn serve_forever(app: Router) -> SocketAddr {
    serve_router(app, std::sync::Arc::new(tokio::sync::Notify::new()))
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> SocketAddr {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    addr
}

/// Runs the binary like `touchpoint`, but kills it and fails the test if it
/// has not ended after a minute, so that a hang is a failure and not a
/// stuck test run. The minute is only a guard, not a claim about speed.
fn touchpoint_or_kill(args: &[&str]) -> (i32, String, String) {
    let output = common::command()
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let code = output.status.code().unwrap_or_else(|| {
        panic!(
            "touchpoint {args:?} did not end and was killed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        code,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn driver(addr: SocketAddr, path: &str) -> Driver {
    let start = Url::parse(&format!("http://{addr}{path}")).unwrap();
    Driver::new(
        start,
        DriverOptions {
            concurrency: 4,
            request_timeout: Duration::from_secs(1),
            max_body: 64 * 1024,
            allowed_origins: Vec::new(),
            max_requests_between_inputs: 6,
            ..DriverOptions::default()
        },
    )
    .expect("a driver")
}

#[test]
fn a_crawl_over_http_rebuilds_the_tree_and_lint_finds_the_planted_defects() {
    let addr = serve();
    let driver = driver(addr, "/voice");
    let crawled = crawl(
        driver.protocol(),
        "crawled",
        &format!("http://{addr}/voice"),
        CrawlLimits {
            max_menus: 50,
            max_calls: 1_000,
        },
        &mut |batch| driver.play_batch(batch),
    );
    let failed: Vec<&Vec<Input>> = crawled.failures.iter().map(|f| &f.inputs).collect();
    assert_eq!(
        failed,
        [&vec![Input::Keys("1".into()), Input::Silence]],
        "{:?}",
        crawled.failures
    );
    let yaml = emit(&crawled.flow);
    let findings = touchpoint::import::lint_flows(std::slice::from_ref(&crawled.flow))
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

#[test]
fn misbehaving_apps_fail_the_call_with_a_reason() {
    let addr = serve();
    let cases = [
        ("/broken", "HTTP 500"),
        ("/huge", "larger than 65536 bytes"),
        ("/slow", "no reply in time"),
        ("/elsewhere", "off the starting origin"),
    ];
    for (path, expected) in cases {
        let outcomes = driver(addr, path).play_batch(&[Vec::new()]);
        match &outcomes[..] {
            [Outcome::Failed {
                message,
                unreachable: false,
                ..
            }] => {
                assert!(message.contains(expected), "{path}: {message}")
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    // Nobody listening: the connection is refused, said as such.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let outcomes =
        driver(SocketAddr::from(([127, 0, 0, 1], port)), "/voice").play_batch(&[Vec::new()]);
    assert!(
        matches!(&outcomes[..], [Outcome::Failed { message, unreachable: true, .. }] if message.contains("could not connect")),
        "{outcomes:?}"
    );
}

#[test]
fn the_crawl_command_writes_a_flow_that_lint_checks() {
    let addr = serve();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crawled.yaml");
    let url = format!("http://{addr}/voice");
    let (code, _, stderr) =
        touchpoint(&["crawl", &url, "-o", out.to_str().unwrap(), "--timeout", "2"]);
    // The redirect loop on silence at billing is a live error: exit 1, and
    // the flow is still written.
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("live-error: inputs [1, wait]"), "{stderr}");
    assert!(stderr.contains("crawled 3 menus"), "{stderr}");
    let (code, stdout, stderr) =
        touchpoint(&["lint", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    for expected in ["endless-retry", "prompt-mismatch", "unhandled-input"] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from {stdout}"
        );
    }
}

#[test]
fn an_app_that_stops_answering_mid_crawl_exits_2_and_writes_nothing() {
    let addr = serve_until(10);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crawled.yaml");
    let url = format!("http://{addr}/voice");
    let (code, _, stderr) = touchpoint(&[
        "crawl",
        &url,
        "-o",
        out.to_str().unwrap(),
        "--concurrency",
        "1",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("stopped answering"), "{stderr}");
    assert!(!out.exists(), "no partial output");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no stray files"
    );
}

/// Calls run concurrently, yet the flow comes out byte for byte the same:
/// outcomes are taken in the order the probes were made.
#[test]
fn two_crawls_of_one_app_write_the_same_flow() {
    let addr = serve();
    let url = format!("http://{addr}/voice");
    let (_, first, _) = touchpoint(&["crawl", &url, "--concurrency", "16"]);
    let (_, second, _) = touchpoint(&["crawl", &url, "--concurrency", "3"]);
    assert!(first.contains("menu_3"), "{first}");
    assert_eq!(first, second);
}

/// Personas written against the crawled model pass live while the app
/// behaves as crawled, and fail when the app has changed underneath.
#[test]
fn personas_pass_and_fail_live_as_on_the_crawled_model() {
    let addr = serve();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/voice");
    let (code, _, stderr) = touchpoint(&[
        "crawl",
        &url,
        "-o",
        dir.path().join("crawled.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "the crawl finds the live error: {stderr}");
    let persona = |name: &str, key: &str, outcome: &str| {
        format!(
            "persona: {name}\nchannel: phone\nflow: crawled\nscript:\n  - press: \"{key}\"\nexpect:\n  outcome: {outcome}\n"
        )
    };
    std::fs::write(
        dir.path().join("agent.yaml"),
        persona("wants-agent", "0", "transferred"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("secret.yaml"),
        persona("finds-secret", "7", "hung-up"),
    )
    .unwrap();
    let set = dir.path().to_str().unwrap();

    let (code, stdout, stderr) = touchpoint(&[
        "personas",
        set,
        "--live",
        &url,
        "--concurrency",
        "2",
        "--timeout",
        "5",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let changed = format!("http://{addr}/voice-v2");
    let (code, stdout, stderr) =
        touchpoint(&["personas", set, "--live", &changed, "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let personas = report["personas"].as_array().expect("personas");
    let verdict = |name: &str| {
        personas
            .iter()
            .find(|p| p["persona"] == name)
            .unwrap_or_else(|| panic!("{name} in {stdout}"))
            .clone()
    };
    assert_eq!(verdict("finds-secret")["passed"], true, "{stdout}");
    let agent = verdict("wants-agent");
    assert_eq!(agent["passed"], false, "{stdout}");
    assert!(
        agent["failures"][0]
            .as_str()
            .unwrap()
            .contains("live call with inputs [0] in the call ending"),
        "{agent}"
    );
}

/// Personas recorded from calls to the live app pass at once on the app,
/// with the crawled model of it as their set: a transfer, a hang-up, a
/// wrong key, a way back, and the silence the platform drops. When the app
/// changes underneath, the recording that reached a person fails.
#[test]
fn personas_recorded_from_live_calls_pass_at_once_on_the_app() {
    let addr = serve();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/voice");
    let (code, _, stderr) = touchpoint(&[
        "crawl",
        &url,
        "-o",
        dir.path().join("crawled.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "the crawl finds the live error: {stderr}");
    let set = dir.path().to_str().unwrap();
    // The name, the inputs, the outcome the recording expects.
    let calls = [
        ("pays-the-bill", "1,1", "transferred"),
        ("finds-the-secret", "7", "hung-up"),
        ("presses-a-wrong-key", "5,0", "transferred"),
        ("goes-back", "1,9,0", "transferred"),
        ("silent-at-outages", "2,wait", "hung-up"),
    ];
    for (name, inputs, outcome) in calls {
        let file = dir.path().join(format!("{name}.yaml"));
        let (code, stdout, stderr) = touchpoint(&[
            "replay",
            "--live",
            &url,
            "--inputs",
            inputs,
            "--save-persona",
            name,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{name}: {stdout}{stderr}");
        let yaml = std::fs::read_to_string(&file).unwrap();
        assert!(
            yaml.contains(r"  - hear: 'For\s+billing,\s+press\s+1\.\s+For\s+outages,'"),
            "{name}:\n{yaml}"
        );
        assert!(
            yaml.contains(&format!("  outcome: {outcome}\n")),
            "{name}:\n{yaml}"
        );
    }
    let wrong_key = std::fs::read_to_string(dir.path().join("presses-a-wrong-key.yaml")).unwrap();
    assert!(
        wrong_key.contains(
            "  - press: \"5\"\n  - hear: 'Sorry,\\s+that\\s+is\\s+not\\s+an\\s+option\\.'\n"
        ),
        "{wrong_key}"
    );

    let (code, stdout, stderr) = touchpoint(&["personas", set, "--live", &url, "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    let personas = report["personas"].as_array().expect("personas");
    assert_eq!(personas.len(), calls.len(), "{stdout}");
    for (name, inputs, outcome) in calls {
        let result = personas
            .iter()
            .find(|p| p["persona"] == name)
            .unwrap_or_else(|| panic!("{name} in {stdout}"));
        assert_eq!(result["passed"], true, "{result:#}");
        assert_eq!(result["outcome"], outcome, "{result:#}");
        assert_eq!(
            result["inputs"].as_array().unwrap().len(),
            inputs.split(',').count()
        );
    }

    let changed = format!("http://{addr}/voice-v2");
    let (code, stdout, stderr) = touchpoint(&[
        "personas",
        set,
        "--live",
        &changed,
        "--persona",
        "pays-the-bill",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("the call ended after 1 of the journey's 2 inputs [1, 1]"),
        "{stdout}"
    );
}

/// Calls that a persona could not repeat are not recorded: one that ends
/// before its inputs do, one still at a menu when they run out, one that
/// fails, and one to an app that is not there. Nothing is written.
#[test]
fn live_calls_that_cannot_be_personas_are_refused() {
    let addr = serve();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recorded.yaml");
    let refusals = [
        (
            format!("http://{addr}/voice"),
            "7,1",
            "the call ended after 1 of the 2 inputs",
        ),
        (
            format!("http://{addr}/voice"),
            "1",
            "the inputs end while the app still listens at",
        ),
        (format!("http://{addr}/broken"), "", "the call failed"),
        (
            format!("http://{}/voice", closed_port()),
            "1",
            "does not answer",
        ),
    ];
    for (url, inputs, says) in refusals {
        let (code, stdout, stderr) = touchpoint(&[
            "replay",
            "--live",
            &url,
            "--inputs",
            inputs,
            "--save-persona",
            "caller",
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{inputs}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{inputs}: {stderr}");
        assert!(stdout.is_empty(), "{inputs}: {stdout}");
        assert!(!file.exists(), "{inputs}: a file was written");
    }
}

#[test]
fn live_options_need_live() {
    let (code, _, stderr) = touchpoint(&["personas", "menus", "--concurrency", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--live"), "{stderr}");
}

/// An `--allow-host` value that is not an origin (a path would suggest
/// only part of a host is allowed) is refused before any call.
#[test]
fn an_allowed_origin_with_a_path_is_refused() {
    let url = format!("http://{}/voice", closed_port());
    let (code, _, stderr) = touchpoint(&["crawl", &url, "--allow-host", "pay.example/x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--allow-host `pay.example/x` is not HOST, HOST:PORT"),
        "{stderr}"
    );
    assert!(!stderr.contains("nothing answered"), "{stderr}");
}

/// `fuzz --live` calls the tree with seeded random callers and reports the
/// defects a caller runs into, each with the shortest inputs that show it:
/// silence at the main menu re-prompts forever, silence at the outages menu
/// drops the call without a word (its gather has no fallback), and silence
/// at billing redirects in a loop until the platform gives up.
#[test]
fn live_fuzzing_finds_what_callers_run_into_with_the_shortest_inputs() {
    let addr = serve();
    let url = format!("http://{addr}/voice");
    let run = |concurrency: &str| {
        let (code, stdout, stderr) = touchpoint(&[
            "fuzz",
            "--live",
            &url,
            "--runs",
            "300",
            "--max-steps",
            "12",
            "--seed",
            "7",
            "--concurrency",
            concurrency,
            "--format",
            "json",
        ]);
        assert_eq!(code, 1, "{stderr}");
        stdout
    };
    let first = run("8");
    let report: serde_json::Value = serde_json::from_str(&first).unwrap();
    let findings: Vec<(String, String, Vec<String>)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["node"].as_str().unwrap().to_string(),
                f["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    let wait = |n: usize| vec!["wait".to_string(); n];
    let keys = |first: &str| vec![first.to_string(), "wait".to_string()];
    assert_eq!(
        findings,
        vec![
            (
                "live-error".to_string(),
                "/billing-loop".to_string(),
                keys("1")
            ),
            (
                "unhandled-input".to_string(),
                "/main".to_string(),
                keys("2")
            ),
            ("endless-retry".to_string(), "/voice".to_string(), wait(5)),
        ],
        "{first}"
    );
    assert_eq!(report["fuzz"]["runs"], 300);
    // The same seed calls the same way whatever the concurrency.
    assert_eq!(run("1"), first);
    // On a terminal's format each finding says where and how to get there.
    let (code, human, stderr) = touchpoint(&["fuzz", "--live", &url, "--runs", "100"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(human.contains("unhandled-input"), "{human}");
    assert!(human.contains("/main"), "{human}");
    assert!(human.contains("touchpoint replay --live"), "{human}");
    // Every output format carries live findings.
    for (format, needle) in [
        ("junit", "live-error"),
        ("sarif", "\"ruleId\": \"live-error\""),
        ("markdown", "live-error"),
    ] {
        let (code, out, stderr) =
            touchpoint(&["fuzz", "--live", &url, "--runs", "60", "--format", format]);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(out.contains(needle), "{format}: {out}");
    }
    // Every finding replays: the dropped call and the redirect loop.
    let (code, replayed, stderr) = touchpoint(&["replay", "--live", &url, "--inputs", "2,wait"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        replayed.contains("To report an outage, press 1."),
        "{replayed}"
    );
    assert!(replayed.contains("the reply ran out"), "{replayed}");
    let (code, replayed, _) = touchpoint(&["replay", "--live", &url, "--inputs", "1,wait"]);
    assert_eq!(code, 1, "{replayed}");
    assert!(replayed.contains("live-error"), "{replayed}");
}

/// A server that is gone before the session starts: nothing answers at
/// the address, and the session says so rather than that the app "stopped"
/// answering. Exit 2 and no report.
#[test]
fn live_fuzzing_an_app_that_is_gone_exits_2() {
    let addr = serve_until(1);
    let url = format!("http://{addr}/voice");
    // The one request the server answers is used up by a first call.
    let _ = touchpoint(&["crawl", &url, "--max-calls", "1"]);
    std::thread::sleep(Duration::from_millis(100));
    let (code, stdout, stderr) = touchpoint(&["fuzz", "--live", &url, "--runs", "20"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("nothing answered at {url}")),
        "{stderr}"
    );
    let (code, _, stderr) = touchpoint(&["replay", "--live", &url, "--inputs", "1"]);
    assert_eq!(code, 2, "{stderr}");
}

/// A closed port: every live command says that nothing answered there and
/// that the connection was refused, never that the app stopped answering
/// after some number of calls.
#[test]
fn a_closed_port_is_said_to_answer_nothing() {
    let url = format!("http://{}/voice", closed_port());
    for args in [
        vec!["fuzz", "--live", &url, "--runs", "20"],
        vec!["crawl", &url],
    ] {
        let (code, stdout, stderr) = touchpoint_or_kill(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("nothing answered at {url}"))
                && stderr.contains("connection refused")
                && !stderr.contains("stopped answering"),
            "{args:?}: {stderr}"
        );
    }
}

/// An app that answers and then goes away mid-session has stopped
/// answering; the calls it answered are counted.
#[test]
fn live_fuzzing_an_app_that_goes_away_says_how_many_calls_it_answered() {
    let addr = serve_until(30);
    let url = format!("http://{addr}/voice");
    let (code, stdout, stderr) = touchpoint_or_kill(&[
        "fuzz",
        "--live",
        &url,
        "--runs",
        "200",
        "--concurrency",
        "1",
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("{url} answered ")) && stderr.contains("then stopped answering"),
        "{stderr}"
    );
}

/// An app whose start answers and whose every other address never does:
/// the first reply asks for a key, and the call hangs on whatever comes
/// next (key, silence, or the redirect after it).
fn hanging_app(start_hangs: bool) -> SocketAddr {
    serve_forever(Router::new().fallback(any(move |uri: Uri| async move {
        if start_hangs || uri.path() != "/voice" {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        (
            StatusCode::OK,
            r#"<Response><Gather numDigits="1" action="/hang"><Say>Press a key.</Say></Gather><Redirect>/hang</Redirect></Response>"#,
        )
    })))
}

/// `fuzz --live` against a hung app treats the first timeouts as the app
/// not answering: exit 2 and a message naming the timeout, nothing
/// reported, rather than a timed-out finding shrunk call by call.
#[test]
fn live_fuzzing_a_hung_app_ends_as_not_answering() {
    for (start_hangs, expected) in [
        (true, "nothing answered at"),
        (false, "then stopped answering"),
    ] {
        let url = format!("http://{}/voice", hanging_app(start_hangs));
        let (code, stdout, stderr) =
            touchpoint_or_kill(&["fuzz", "--live", &url, "--runs", "20", "--timeout", "1"]);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains(expected) && stderr.contains("no reply in time (1 s)"),
            "{stderr}"
        );
    }
}

/// `--time` bounds the whole session: calls still waiting on a hung app at
/// the deadline are cut off, whatever `--timeout` allows one request.
/// None ended, so there is nothing to report: exit 2, saying so.
#[test]
fn live_fuzzing_stops_at_its_time_even_with_calls_in_flight() {
    let url = format!("http://{}/voice", hanging_app(false));
    let (code, stdout, stderr) =
        touchpoint_or_kill(&["fuzz", "--live", &url, "--time", "2s", "--timeout", "600"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("ended before the --time deadline"),
        "{stderr}"
    );
}

/// A listener that counts the requests it gets and answers each with a
/// goodbye: where an app sends calls that must not go.
fn counting_listener() -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&count);
    let addr = serve_forever(Router::new().fallback(any(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { "<Response><Say>Elsewhere.</Say><Hangup/></Response>" }
    })));
    (addr, count)
}

/// An app on one port whose menu sends calls to the same host on `other`
/// port: key 1 by `<Redirect>`, key 2 by a gather whose action is there
/// (the next key posts the caller's digits to it), key 3 by an HTTP 307,
/// which keeps the POST and its form fields.
fn port_hopping_app(other: SocketAddr) -> SocketAddr {
    serve_forever(Router::new().fallback(any(move |uri: Uri, body: String| async move {
        let digits: Option<String> = url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "Digits")
            .map(|(_, v)| v.into_owned());
        let twiml = |inner: String| {
            (
                StatusCode::OK,
                [(axum::http::header::LOCATION, "/voice".to_string())],
                format!("<Response>{inner}</Response>"),
            )
        };
        match (uri.path(), digits.as_deref()) {
            ("/menu", Some("1")) => twiml(format!("<Redirect>http://{other}/voice</Redirect>")),
            ("/menu", Some("2")) => twiml(format!(
                r#"<Gather numDigits="1" action="http://{other}/collect"><Say>Enter a digit.</Say></Gather><Hangup/>"#
            )),
            ("/menu", Some("3")) => (
                StatusCode::TEMPORARY_REDIRECT,
                [(axum::http::header::LOCATION, format!("http://{other}/voice"))],
                String::new(),
            ),
            ("/menu", Some(_)) => twiml("<Say>Goodbye.</Say><Hangup/>".to_string()),
            _ => twiml(
                r#"<Gather numDigits="1" action="/menu"><Say>Press 1, 2 or 3.</Say></Gather><Hangup/>"#
                    .to_string(),
            ),
        }
    })))
}

/// The allowed origin is scheme, host and port: a `<Redirect>`, a gather's
/// action and an HTTP redirect to the same host on another port each fail
/// the call with a reason, and the other port gets no request at all.
/// Allowing that port with `--allow-host HOST:PORT` lets them through.
#[test]
fn calls_never_leave_their_origin_for_another_port() {
    let (other, count) = counting_listener();
    let addr = port_hopping_app(other);
    let driver = |allowed: Vec<String>| {
        Driver::new(
            Url::parse(&format!("http://{addr}/voice")).unwrap(),
            DriverOptions {
                request_timeout: Duration::from_secs(5),
                allowed_origins: allowed,
                ..DriverOptions::default()
            },
        )
        .expect("a driver")
    };
    let key = |k: &str| Input::Keys(k.to_string());
    let calls = [vec![key("1")], vec![key("2"), key("5")], vec![key("3")]];
    let outcomes = driver(Vec::new()).play_batch(&calls);
    for (inputs, outcome) in calls.iter().zip(&outcomes) {
        match outcome {
            Outcome::Failed {
                message,
                unreachable: false,
                ..
            } => assert!(
                message.contains(&format!(
                    "off the starting origin http://{addr} (scheme, host and port; allow it with --allow-host {other})"
                )),
                "{inputs:?}: {message}"
            ),
            other => panic!("{inputs:?}: {other:?}"),
        }
    }
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Every command that calls the app goes through the same check.
    let url = format!("http://{addr}/voice");
    let dir = tempfile::tempdir().unwrap();
    let crawled = dir.path().join("crawled.yaml");
    let (code, _, stderr) = touchpoint_or_kill(&["crawl", &url, "-o", crawled.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("live-error: inputs [1]: the app sends the call to"),
        "{stderr}"
    );
    let (code, stdout, stderr) =
        touchpoint_or_kill(&["fuzz", "--live", &url, "--runs", "60", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("off the starting origin"), "{stdout}");
    let (code, stdout, stderr) = touchpoint_or_kill(&["replay", "--live", &url, "--inputs", "3"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("off the starting origin"), "{stdout}");
    std::fs::write(
        dir.path().join("hops.yaml"),
        "persona: presses-two\nchannel: phone\nflow: crawled\nscript:\n  - press: \"2\"\n  - press: \"5\"\nexpect:\n  outcome: hung-up\n",
    )
    .unwrap();
    let (code, stdout, stderr) = touchpoint_or_kill(&[
        "personas",
        dir.path().to_str().unwrap(),
        "--live",
        &url,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("off the starting origin"), "{stdout}");
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a request reached the other port"
    );

    // Allowed by host and port, the same calls reach it.
    let outcomes = driver(vec![other.to_string()]).play_batch(&calls);
    assert!(
        outcomes.iter().all(|o| matches!(o, Outcome::Ended { .. })),
        "{outcomes:?}"
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
}

/// An app that makes up a new menu for every path: it never runs out.
fn endless_app() -> SocketAddr {
    serve_forever(Router::new().fallback(any(|uri: Uri, body: String| async move {
        let digits: String = url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "Digits")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let path = format!("{}{digits}", uri.path());
        format!(
            r#"<Response><Gather numDigits="1" action="{path}"><Say>Menu {path}.</Say></Gather></Response>"#
        )
    })))
}

/// Both budgets of a crawl are exact, and what it prints adds up: the note
/// and the closing line count the same menus and the same calls.
#[test]
fn crawl_budgets_are_exact_and_the_counts_printed_agree() {
    let url = format!("http://{}/voice", endless_app());
    // Each menu takes 12 probes (silence and the keys but `#`), after one
    // call to find the first: five menus fit in 61 calls.
    let (code, yaml, stderr) = touchpoint_or_kill(&["crawl", &url, "--max-menus", "5"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(yaml.matches("\n    menu: ").count(), 5, "{yaml}");
    assert!(
        stderr.contains("note: the crawl stopped at its budget of 5 menus: "),
        "{stderr}"
    );
    assert!(stderr.contains("crawled 5 menus with 61 calls"), "{stderr}");

    let (code, yaml, stderr) = touchpoint_or_kill(&["crawl", &url, "--max-calls", "100"]);
    assert_eq!(code, 0, "{stderr}");
    // 1 + 12 for the first menu, then 7 of its 11 menus fit whole.
    let menus = yaml.matches("\n    menu: ").count();
    assert_eq!(menus, 1 + 11 + 7 * 11, "{yaml}");
    assert!(
        stderr.contains(&format!(
            "note: the crawl stopped at its budget of 100 calls, after 97 calls: {} of the {menus} menus found were not probed",
            menus - 8
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("crawled {menus} menus with 97 calls")),
        "{stderr}"
    );
}
