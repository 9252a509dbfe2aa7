//! Chromium through chromedriver's WebDriver HTTP protocol, with the
//! project's own HTTP client: start chromedriver on a free port, open one
//! headless session with a fresh profile and the performance log on, and
//! navigate, run script, click and read what the browser fetched.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Debian's Chromium and its chromedriver, where `chromium` and
/// `chromium-driver` install them.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The flags of a headless Chromium that calls nobody on its own: no
/// sandbox (CI containers run as root), no GPU, and none of the
/// background traffic (updates, sync, QUIC probes) a profile starts.
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The W3C name of an element reference in WebDriver replies.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long chromedriver may take to answer at all, and one command to
/// take: generous bounds on a hang, never a measure of speed.
const STARTUP: Duration = Duration::from_secs(60);
const COMMAND: Duration = Duration::from_secs(120);

pub struct Browser {
    driver: Child,
    client: reqwest::Client,
    base: String,
    session: String,
    /// The fresh profile Chromium starts with, removed when done.
    profile: tempfile::TempDir,
}

/// A port nothing listens on now: the OS picks it, and it is released for
/// chromedriver to take.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    listener.local_addr().expect("its address").port()
}

impl Browser {
    /// Starts chromedriver and one headless Chromium session.
    pub async fn start() -> Browser {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: apt-get install -y chromium chromium-driver"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let client = reqwest::Client::builder()
            .timeout(COMMAND)
            .no_proxy()
            .build()
            .expect("an HTTP client");
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut browser = Browser {
            driver,
            client,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            profile,
        };
        let waited = Instant::now();
        loop {
            let ready = browser
                .request(reqwest::Method::GET, "/status", None)
                .await
                .ok()
                .is_some_and(|status| status["ready"] == true);
            if ready {
                break;
            }
            assert!(
                waited.elapsed() < STARTUP,
                "chromedriver did not answer on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.path().display()
        ));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"}
        }}});
        let session = browser
            .request(reqwest::Method::POST, "/session", Some(capabilities))
            .await
            .expect("a session");
        browser.session = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {session}"))
            .to_string();
        browser
    }

    /// One WebDriver command: its `value`, or the error it answered.
    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        let reply: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        if status.is_success() {
            Ok(reply["value"].clone())
        } else {
            Err(format!("{path}: {status} {}", reply["value"]))
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.request(method, &path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens a file as a `file://` URL.
    pub async fn open(&self, file: &Path) {
        let url = url::Url::from_file_path(file).expect("an absolute path");
        self.command(
            reqwest::Method::POST,
            "/url",
            Some(json!({"url": url.as_str()})),
        )
        .await;
    }

    /// Runs `script` (a function body; `return` gives its value) in the page.
    pub async fn script(&self, script: &str) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Clicks the first element `css` selects, as a user would.
    pub async fn click(&self, css: &str) {
        let element = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        let id = element[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {element}"))
            .to_string();
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Every request the browser made since the last call, as (URL, URL of
    /// the document that made it), from chromedriver's performance log
    /// (DevTools `Network.requestWillBeSent`).
    pub async fn requests(&self) -> Vec<(String, String)> {
        let entries = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "performance"})),
            )
            .await;
        entries
            .as_array()
            .expect("log entries")
            .iter()
            .filter_map(|entry| {
                let message: Value = serde_json::from_str(entry["message"].as_str()?).ok()?;
                let message = &message["message"];
                if message["method"] != "Network.requestWillBeSent" {
                    return None;
                }
                let params = &message["params"];
                Some((
                    params["request"]["url"].as_str()?.to_string(),
                    params["documentURL"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ))
            })
            .collect()
    }

    /// The browser's console messages (a script error among them).
    pub async fn console(&self) -> Vec<String> {
        let entries = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await;
        entries
            .as_array()
            .expect("log entries")
            .iter()
            .filter_map(|e| e["message"].as_str().map(String::from))
            .collect()
    }

    /// Ends the session (and Chromium with it).
    pub async fn quit(mut self) {
        let path = format!("/session/{}", self.session);
        let _ = self.request(reqwest::Method::DELETE, &path, None).await;
        self.session.clear();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only the chromedriver this browser started, by its handle.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
