//! The page of `touchpoint report --format html` in Chromium: it renders
//! its drawing and its table, a finding's replay steps through on the
//! drawing, and nothing is fetched from the network.

use std::path::PathBuf;

use serde_json::Value;

use crate::chromium::Browser;

/// The benchmarks' generator of a large phone line (it allows its own
/// unused parts).
#[path = "../../benches/support/generator.rs"]
mod generator;

/// Writes the page of `set` (relative to the repository, or absolute) with
/// the real binary, into a temporary directory.
fn write_page(set: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = dir.path().join("report.html");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", set, "--format", "html", "-o"])
        .arg(&page)
        .output()
        .expect("touchpoint runs");
    // 1: the set has findings, which is what the page is for.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (dir, page)
}

/// Where fixtures/report-page's node `id` is drawn.
async fn element_of(browser: &Browser, id: &str) -> String {
    let script = format!("return document.querySelector('#flow-0 g.node[data-node=\"{id}\"]').id;");
    browser.script(&script).await.as_str().unwrap().to_string()
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver from Debian's packages; .ci/run installs them and runs: cargo test --test browser -- --ignored"]
async fn the_page_renders_steps_through_a_replay_and_fetches_nothing() {
    let (_dir, page) = write_page("fixtures/report-page");
    let browser = Browser::start().await;
    browser.open(&page).await;

    // The drawing has every node of the flow, the table a row per intent.
    let nodes = browser
        .script("return [...document.querySelectorAll('#flow-0 g.node')].map(g => g.dataset.node).sort();")
        .await;
    assert_eq!(
        nodes,
        serde_json::json!([
            "balance_said",
            "closed",
            "desk",
            "goodbye",
            "menu",
            "payments",
            "staffed"
        ])
    );
    let rows = browser
        .script("return [...document.querySelectorAll('table.intents tbody tr')].map(r => r.dataset.intent);")
        .await;
    assert_eq!(rows, serde_json::json!(["balance", "person"]));
    // The script ran: every stepper shows its count.
    let counts = browser
        .script("return [...document.querySelectorAll('.step-count')].map(c => c.textContent);")
        .await;
    assert_eq!(counts, serde_json::json!(["0/4", "0/4"]));

    // The dead end's replay, one step at a time: hear the menu, press 2,
    // hear the payments menu, which has nothing to offer after hours.
    let menu = element_of(&browser, "menu").await;
    let payments = element_of(&browser, "payments").await;
    // The dead end's menu is drawn in the error colour, over the colour
    // of menus.
    let fill = browser
        .script(&format!(
            "return getComputedStyle(document.querySelector('#{payments} rect')).fill;"
        ))
        .await;
    assert_eq!(fill, "rgb(255, 221, 221)");
    let stepper = ".stepper[data-finding=\"0\"]";
    let state = || async {
        browser
            .script(&format!(
                "const s = document.querySelector('{}');
                 const lines = [...s.querySelectorAll('ol.transcript li')].map(l => l.textContent);
                 const here = [...document.querySelectorAll('.here')].map(e => e.id);
                 return {{lines, here, count: s.querySelector('.step-count').textContent}};",
                stepper.replace('\'', "\\'")
            ))
            .await
    };
    browser.click(&format!("{stepper} button.step")).await;
    let first: Value = state().await;
    assert_eq!(first["here"], serde_json::json!([menu]), "{first}");
    assert_eq!(first["count"], "1/4");
    assert!(
        first["lines"][0]
            .as_str()
            .unwrap()
            .starts_with("at menu (menu): For your balance"),
        "{first}"
    );
    browser.click(&format!("{stepper} button.step")).await;
    let second = state().await;
    assert_eq!(second["here"], serde_json::json!([menu]), "{second}");
    assert!(
        second["lines"][1]
            .as_str()
            .unwrap()
            .starts_with("gives 2: picks key 2"),
        "{second}"
    );
    browser.click(&format!("{stepper} button.step")).await;
    let third = state().await;
    assert_eq!(third["here"], serde_json::json!([payments]), "{third}");
    assert_eq!(third["lines"].as_array().unwrap().len(), 3);
    browser.click(&format!("{stepper} button.step")).await;
    let last = state().await;
    assert_eq!(last["count"], "4/4");
    assert!(
        last["lines"][3]
            .as_str()
            .unwrap()
            .starts_with("dead end at payments"),
        "{last}"
    );
    assert_eq!(last["here"], serde_json::json!([payments]));
    // And back.
    browser.click(&format!("{stepper} button.step-back")).await;
    assert_eq!(state().await["count"], "3/4");

    // Selecting a journey highlights its way.
    browser
        .click("tr[data-intent=\"balance\"] button.journey")
        .await;
    let on_path = browser
        .script(
            "return [...document.querySelectorAll('.on-path')].map(e => e.dataset.node).sort();",
        )
        .await;
    assert_eq!(on_path, serde_json::json!(["balance_said", "menu"]));

    fetched_nothing(&browser, &page).await;
    browser.quit().await;
}

/// The 20,000-node flow of the benchmarks opens, drawn collapsed.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver from Debian's packages; .ci/run installs them and runs: cargo test --test browser -- --ignored"]
async fn the_benchmark_flow_opens_collapsed() {
    let set = tempfile::tempdir().expect("a temporary directory");
    generator::generate(20_000).write(set.path());
    let (_dir, page) = write_page(set.path().to_str().unwrap());
    let browser = Browser::start().await;
    browser.open(&page).await;
    let drawn = browser
        .script(
            "return {
                said: document.querySelector('#flows p.collapsed').textContent,
                nodes: document.querySelectorAll('#flow-0 g.node').length,
                folds: document.querySelectorAll('#flow-0 g.fold').length,
                listed: document.querySelectorAll('details.fold-list').length,
                steppers: [...document.querySelectorAll('.step-count')].every(c => c.textContent.startsWith('0/')),
            };",
        )
        .await;
    assert!(
        drawn["said"]
            .as_str()
            .unwrap()
            .starts_with("This flow has 20000 nodes: it is drawn collapsed"),
        "{drawn}"
    );
    assert_eq!(drawn["nodes"], 300, "{drawn}");
    assert!(drawn["folds"].as_u64().unwrap() > 0, "{drawn}");
    assert_eq!(drawn["folds"], drawn["listed"], "{drawn}");
    assert_eq!(drawn["steppers"], true, "the script ran: {drawn}");
    fetched_nothing(&browser, &page).await;
    browser.quit().await;
}

/// Nothing but the page itself was requested, the page's own resource
/// timing lists nothing fetched, and its script ran without an error.
async fn fetched_nothing(browser: &Browser, page: &std::path::Path) {
    // Nothing but the page itself was requested: the page made no request
    // but for itself (file:) or data: URLs, and no request of the browser
    // at all went to the network. (Chromium's own pages load chrome:
    // resources, which are inside the browser.)
    let page_url = url::Url::from_file_path(page).unwrap().to_string();
    let requests = browser.requests().await;
    assert!(
        requests.iter().any(|(url, _)| *url == page_url),
        "the performance log records the page itself: {requests:?}"
    );
    for (url, document) in &requests {
        if *document == page_url {
            assert!(
                url.starts_with("file://") || url.starts_with("data:"),
                "the page fetched {url}"
            );
        }
        let scheme = url.split(':').next().unwrap_or_default();
        assert!(
            !["http", "https", "ws", "wss", "ftp"].contains(&scheme),
            "the browser fetched {url} for {document}"
        );
    }
    let resources = browser
        .script("return performance.getEntriesByType('resource').map(r => r.name);")
        .await;
    assert_eq!(resources, serde_json::json!([]));
    let console = browser.console().await;
    assert!(
        console
            .iter()
            .all(|m| !m.contains("Uncaught") && !m.contains("Content Security Policy")),
        "{console:?}"
    );
}
