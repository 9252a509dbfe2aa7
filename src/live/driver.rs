//! The HTTP edge of the live channel: requests made as the phone platform
//! makes them (form fields in a POST body, or in the query of a GET),
//! bounded in time, size and hosts, with many calls in flight at once.
//! Everything the platform decides lives in `call` and `crawl`; this file
//! only moves bytes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use url::Url;

use super::call::{Caller, Input, Request};
use super::crawl::{play, FetchFailure, Outcome};
use super::twiml::Method;

/// Bounds on a live run.
#[derive(Debug, Clone)]
pub struct DriverOptions {
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Time allowed for one request, connection to last byte.
    pub request_timeout: Duration,
    /// Replies larger than this fail the call: no IVR menu is that big,
    /// and reading it whole would let a broken app exhaust memory.
    pub max_body: usize,
    /// Hosts the driver may request besides the starting URL's own.
    pub allowed_hosts: Vec<String>,
    /// Requests in a row without a caller input before the call counts as
    /// a redirect loop.
    pub max_requests_between_inputs: usize,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            concurrency: 8,
            request_timeout: Duration::from_secs(10),
            max_body: 1 << 20,
            allowed_hosts: Vec::new(),
            max_requests_between_inputs: 20,
        }
    }
}

/// Why the driver could not start.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("`{0}` is not an http or https URL")]
    NotHttp(String),
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    #[error("could not start the async runtime: {0}")]
    Runtime(String),
}

/// Plays calls against one TwiML app.
pub struct Driver {
    start: Url,
    options: DriverOptions,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    /// Numbers calls so that every call has its own `CallSid`, as the
    /// platform gives, and the app cannot mix up concurrent calls.
    calls: std::sync::atomic::AtomicU64,
}

impl Driver {
    pub fn new(start: Url, options: DriverOptions) -> Result<Driver, DriverError> {
        if !matches!(start.scheme(), "http" | "https") {
            return Err(DriverError::NotHttp(start.to_string()));
        }
        // Redirects are followed by hand, so that each hop is checked
        // against the allowed hosts.
        let client = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("touchpoint/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DriverError::Client(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| DriverError::Runtime(e.to_string()))?;
        Ok(Driver {
            start,
            options,
            client,
            runtime,
            calls: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Plays a batch of calls, at most `concurrency` at once, and returns
    /// their outcomes in the order given.
    pub fn play_batch(&self, batch: &[Vec<Input>]) -> Vec<Outcome> {
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        self.runtime.block_on(async {
            let mut tasks = Vec::with_capacity(batch.len());
            for inputs in batch {
                let number = self
                    .calls
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let caller = Caller {
                    call_sid: format!("CAtouchpoint{number:020}"),
                    from: "+15005550006".to_string(),
                    to: "+15005550001".to_string(),
                };
                let permit = Arc::clone(&semaphore);
                let client = self.client.clone();
                let start = self.start.clone();
                let options = self.options.clone();
                let inputs = inputs.clone();
                tasks.push(tokio::spawn(async move {
                    let _permit = permit.acquire_owned().await;
                    play(
                        &start,
                        &caller,
                        &inputs,
                        options.max_requests_between_inputs,
                        |request| fetch(&client, &start, &options, request),
                    )
                    .await
                }));
            }
            let mut outcomes = Vec::with_capacity(tasks.len());
            for task in tasks {
                // A task only fails by panicking; that call failed, the
                // others stand.
                outcomes.push(task.await.unwrap_or_else(|error| Outcome::Failed {
                    message: format!("the call stopped unexpectedly: {error}"),
                    unreachable: false,
                    at: String::new(),
                }));
            }
            outcomes
        })
    }
}

/// Makes one request as the platform would, following HTTP redirects by
/// hand (each hop must stay on an allowed host), and reads at most
/// `max_body` bytes of the reply.
async fn fetch(
    client: &reqwest::Client,
    start: &Url,
    options: &DriverOptions,
    request: Request,
) -> Result<(Url, String), FetchFailure> {
    let mut url = request.url.clone();
    let mut method = request.method;
    for _hop in 0..5 {
        let host_allowed = url.host_str() == start.host_str()
            || url
                .host_str()
                .is_some_and(|h| options.allowed_hosts.iter().any(|a| a == h));
        if !host_allowed {
            return Err(FetchFailure::app(format!(
                "the app sends the call to {url}, off the starting host (allow it with --allow-host)"
            )));
        }
        let builder = match method {
            Method::Post => client.post(url.clone()).form(&request.form),
            Method::Get => client.get(url.clone()).query(&request.form),
        };
        let mut response = builder.send().await.map_err(|e| FetchFailure {
            message: format!("{} {url}: {}", method_name(method), describe(&e)),
            unreachable: e.is_connect(),
        })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| {
                    FetchFailure::app(format!("HTTP {status} from {url} without a Location"))
                })?;
            url = url.join(location).map_err(|e| {
                FetchFailure::app(format!("HTTP {status} from {url} to `{location}`: {e}"))
            })?;
            // Like a browser, the platform follows 301-303 with a GET.
            if matches!(status.as_u16(), 301..=303) {
                method = Method::Get;
            }
            continue;
        }
        if !status.is_success() {
            return Err(FetchFailure::app(format!(
                "HTTP {status} from {} {url}",
                method_name(method)
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            FetchFailure::app(format!("reading the reply from {url}: {}", describe(&e)))
        })? {
            if body.len() + chunk.len() > options.max_body {
                return Err(FetchFailure::app(format!(
                    "the reply from {url} is larger than {} bytes",
                    options.max_body
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body)
            .map_err(|_| FetchFailure::app(format!("the reply from {url} is not UTF-8 text")))?;
        return Ok((url, body));
    }
    Err(FetchFailure::app(format!(
        "more than 5 HTTP redirects from {}",
        request.url
    )))
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
    }
}

/// The cause of a transport error in words a person can act on.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no reply in time".to_string()
    } else if error.is_connect() {
        "could not connect (is the app running?)".to_string()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}
