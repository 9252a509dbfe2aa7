//! The live crawl against a generated TwiML tree of 1,000 menus served on
//! 127.0.0.1, reported as requests per second next to a plain HTTP client
//! hitting the same server, with the same concurrency, in the same run.
//!
//! `TOUCHPOINT_BENCH_MENUS` changes the number of menus (default 1,000);
//! `TOUCHPOINT_BENCH_CONCURRENCY` the calls in flight (default 8).

// A benchmark measures wall time.
#![allow(clippy::disallowed_methods)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Uri;
use axum::routing::any;
use axum::Router;
use touchpoint::live::crawl::{crawl, CrawlLimits};
use touchpoint::live::driver::{Driver, DriverOptions};
use url::Url;

#[path = "support/twiml_tree.rs"]
mod twiml_tree;

fn reply(uri: &Uri, body: &str, menus: usize) -> String {
    let digits = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "Digits")
        .map(|(_, v)| v.into_owned());
    twiml_tree::reply(uri.path(), digits.as_deref(), menus)
}

fn serve(menus: usize, served: Arc<AtomicUsize>) -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the server");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a port");
            sender
                .send(listener.local_addr().expect("an address"))
                .expect("waiting");
            let app = Router::new().fallback(any(move |uri: Uri, body: String| {
                served.fetch_add(1, Ordering::Relaxed);
                std::future::ready(reply(&uri, &body, menus))
            }));
            axum::serve(listener, app).await.expect("the server runs");
        });
    });
    receiver.recv().expect("the server started")
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn main() {
    let menus = env_number("TOUCHPOINT_BENCH_MENUS", 1_000);
    let concurrency = env_number("TOUCHPOINT_BENCH_CONCURRENCY", 8);
    let served = Arc::new(AtomicUsize::new(0));
    let addr = serve(menus, Arc::clone(&served));
    let start = Url::parse(&format!("http://{addr}/voice")).expect("a URL");

    // The crawl, through the real driver.
    let driver = Driver::new(
        start.clone(),
        DriverOptions {
            concurrency,
            request_timeout: Duration::from_secs(10),
            ..Default::default()
        },
    )
    .expect("a driver");
    let clock = Instant::now();
    let crawled = crawl(
        driver.protocol(),
        "bench",
        start.as_str(),
        CrawlLimits {
            max_menus: menus * 2,
            max_calls: 10_000_000,
        },
        &mut |batch| driver.play_batch(batch),
    );
    let crawl_time = clock.elapsed();
    let crawl_requests = served.swap(0, Ordering::Relaxed);
    let found = crawled
        .flow
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, touchpoint::import::ir::IrKind::Menu { .. }))
        .count();
    assert_eq!(found, menus, "the crawl should find every menu");
    assert!(
        crawled.failures.is_empty(),
        "{:?}",
        crawled.failures.first()
    );

    // The baseline: a plain client posting to the start URL, as many
    // requests with the same concurrency, with no TwiML work at all.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let client = reqwest::Client::new();
    let per_worker = crawl_requests.div_ceil(concurrency);
    let clock = Instant::now();
    runtime.block_on(async {
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let client = client.clone();
            let url = start.clone();
            workers.push(tokio::spawn(async move {
                for _ in 0..per_worker {
                    let response = client
                        .post(url.clone())
                        .form(&[("CallSid", "CAbench"), ("CallStatus", "in-progress")])
                        .send()
                        .await
                        .expect("the server answers");
                    let body = response.text().await.expect("a body");
                    std::hint::black_box(body);
                }
            }));
        }
        for worker in workers {
            worker.await.expect("the worker ran");
        }
    });
    let plain_time = clock.elapsed();
    let plain_requests = served.swap(0, Ordering::Relaxed);

    let crawl_rate = crawl_requests as f64 / crawl_time.as_secs_f64();
    let plain_rate = plain_requests as f64 / plain_time.as_secs_f64();
    println!("menus                     {menus} (found {found})");
    println!("concurrency               {concurrency}");
    println!("crawl calls               {}", crawled.calls);
    println!(
        "crawl                     {crawl_requests} requests in {:.2} s: {crawl_rate:.0} requests/s",
        crawl_time.as_secs_f64()
    );
    println!(
        "plain HTTP client         {plain_requests} requests in {:.2} s: {plain_rate:.0} requests/s",
        plain_time.as_secs_f64()
    );
    println!(
        "crawl / plain client      {:.2}x requests per second",
        crawl_rate / plain_rate
    );
}
