//! The HTTP edge of the live channel: requests made as the phone platform
//! makes them (form fields in a POST body, or in the query of a GET),
//! bounded in time, size and hosts, with many calls in flight at once.
//! Everything the platform decides lives behind the protocol (`protocol`,
//! `twiml`), and how a call plays in `call`; this file only moves bytes.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};
use url::Url;

use super::call::{play, Caller, FetchFailure, Input, Method, Outcome, Request};
use super::origin::{allow_host_value, BadAllowedOrigin, Origins};
use super::protocol::{self, Protocol};

/// The protocol and bounds of a live run.
#[derive(Debug, Clone)]
pub struct DriverOptions {
    /// How the app talks to the platform (`--protocol`).
    pub protocol: &'static dyn Protocol,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Time allowed for one request, connection to last byte.
    pub request_timeout: Duration,
    /// Replies larger than this fail the call: no IVR menu is that big,
    /// and reading it whole would let a broken app exhaust memory.
    pub max_body: usize,
    /// Origins the driver may request besides the starting URL's own, as
    /// `--allow-host` takes them (`HOST`, `HOST:PORT` or `SCHEME://HOST:PORT`).
    pub allowed_origins: Vec<String>,
    /// Requests in a row without a caller input before the call counts as
    /// a redirect loop.
    pub max_requests_between_inputs: usize,
    /// No call goes on past this instant (`--time`): calls in flight are
    /// cut off, their requests cancelled, and they end as
    /// [`Outcome::Abandoned`].
    pub deadline: Option<Instant>,
    /// A request with no reply in time means the app is not answering, as a
    /// refused connection does, rather than a failed call. `fuzz --live`
    /// asks for this: it replays a failure many times to shrink it, and
    /// against a hung app every replay would wait out the whole timeout.
    pub timeout_means_not_answering: bool,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            protocol: protocol::DEFAULT,
            concurrency: 8,
            request_timeout: Duration::from_secs(10),
            max_body: 1 << 20,
            allowed_origins: Vec::new(),
            max_requests_between_inputs: 20,
            deadline: None,
            timeout_means_not_answering: false,
        }
    }
}

/// Why the driver could not start.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("`{0}` is not an http or https URL")]
    NotHttp(String),
    #[error(transparent)]
    AllowedOrigin(#[from] BadAllowedOrigin),
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    #[error("could not start the async runtime: {0}")]
    Runtime(String),
}

/// What the app has done so far, shared by every call of a driver: whether
/// it ever answered decides whether a silent app "stopped answering" or
/// never answered at all.
#[derive(Debug, Default)]
struct Answers {
    /// Calls that got at least one HTTP reply (any status).
    calls: AtomicUsize,
}

/// Plays calls against one app.
pub struct Driver {
    start: Url,
    origins: Origins,
    options: DriverOptions,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    /// Numbers calls so that every call has its own `CallSid`, as the
    /// platform gives, and the app cannot mix up concurrent calls.
    calls: AtomicU64,
    answers: Arc<Answers>,
}

impl Driver {
    pub fn new(start: Url, options: DriverOptions) -> Result<Driver, DriverError> {
        if !matches!(start.scheme(), "http" | "https") {
            return Err(DriverError::NotHttp(start.to_string()));
        }
        let origins = Origins::new(&start, &options.allowed_origins)?;
        // No redirect is followed by the client: `fetch` follows them by
        // hand, so that every hop passes the same origin check as the
        // start, a `<Redirect>` and a gather's action.
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
            origins,
            options,
            client,
            runtime,
            calls: AtomicU64::new(0),
            answers: Arc::new(Answers::default()),
        })
    }

    /// The protocol the calls speak.
    pub fn protocol(&self) -> &'static dyn Protocol {
        self.options.protocol
    }

    /// Calls that got at least one HTTP reply from the app so far: zero
    /// means nothing ever answered at the address.
    pub(crate) fn answered_calls(&self) -> usize {
        self.answers.calls.load(Ordering::SeqCst)
    }

    /// Plays a batch of calls, at most `concurrency` at once, and returns
    /// their outcomes in the order given. Once one call finds the app not
    /// answering, the calls still waiting or in flight end with the same
    /// reason instead of each waiting for it; at the deadline every call
    /// not yet ended is cut off.
    pub fn play_batch(&self, batch: &[Vec<Input>]) -> Vec<Outcome> {
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let (gone_sender, gone) = watch::channel(None::<String>);
        let gone_sender = Arc::new(gone_sender);
        let deadline = self.options.deadline.map(tokio::time::Instant::from_std);
        self.runtime.block_on(async {
            let mut tasks = Vec::with_capacity(batch.len());
            for inputs in batch {
                let number = self.calls.fetch_add(1, Ordering::Relaxed);
                let caller = Caller {
                    call_sid: format!("CAtouchpoint{number:020}"),
                    from: "+15005550006".to_string(),
                    to: "+15005550001".to_string(),
                };
                let permit = Arc::clone(&semaphore);
                let client = self.client.clone();
                let start = self.start.clone();
                let origins = self.origins.clone();
                let options = self.options.clone();
                let answers = Arc::clone(&self.answers);
                let inputs = inputs.clone();
                let mut gone = gone.clone();
                let gone_sender = Arc::clone(&gone_sender);
                tasks.push(tokio::spawn(async move {
                    let answered = AtomicBool::new(false);
                    let call = async {
                        let _permit = permit.acquire_owned().await;
                        let site = Site {
                            client: &client,
                            start: &start,
                            origins: &origins,
                            options: &options,
                            answers: &answers,
                            answered: &answered,
                        };
                        play(
                            options.protocol,
                            &start,
                            &caller,
                            &inputs,
                            options.max_requests_between_inputs,
                            |request| fetch(site, request),
                        )
                        .await
                    };
                    let cut_off = async {
                        match deadline {
                            Some(deadline) => tokio::time::sleep_until(deadline).await,
                            None => std::future::pending().await,
                        }
                    };
                    // Dropping the losing branch cancels its request.
                    let outcome = tokio::select! {
                        // A call that has ended keeps its own outcome.
                        biased;
                        outcome = call => outcome,
                        Ok(why) = gone.wait_for(Option::is_some) => Outcome::Failed {
                            message: (*why).clone().unwrap_or_default(),
                            unreachable: true,
                            at: String::new(),
                        },
                        () = cut_off => Outcome::Abandoned,
                    };
                    if let Outcome::Failed {
                        message,
                        unreachable: true,
                        ..
                    } = &outcome
                    {
                        gone_sender.send_if_modified(|gone| {
                            let first = gone.is_none();
                            if first {
                                *gone = Some(message.clone());
                            }
                            first
                        });
                    }
                    outcome
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

/// What one call's requests need: the client, where the call may go, and
/// where to note that the app answered.
#[derive(Clone, Copy)]
struct Site<'a> {
    client: &'a reqwest::Client,
    start: &'a Url,
    origins: &'a Origins,
    options: &'a DriverOptions,
    answers: &'a Answers,
    /// Whether this call has had a reply yet, so it is counted once.
    answered: &'a AtomicBool,
}

impl Site<'_> {
    fn note_reply(&self) {
        if !self.answered.swap(true, Ordering::SeqCst) {
            self.answers.calls.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Makes one request as the platform would, following HTTP redirects by
/// hand (each hop must stay on an allowed origin), and reads at most
/// `max_body` bytes of the reply.
async fn fetch(site: Site<'_>, request: Request) -> Result<(Url, String), FetchFailure> {
    let Site {
        client,
        start,
        origins,
        options,
        ..
    } = site;
    let mut url = request.url.clone();
    let mut method = request.method;
    for _hop in 0..5 {
        if !origins.permits(&url) {
            return Err(FetchFailure::app(format!(
                "the app sends the call to {url}, off the starting origin {} (scheme, host and port; allow it with --allow-host {})",
                origins.start(),
                allow_host_value(start, &url)
            )));
        }
        let builder = match method {
            Method::Post => client.post(url.clone()).form(&request.form),
            Method::Get => client.get(url.clone()).query(&request.form),
        };
        let mut response = builder.send().await.map_err(|e| FetchFailure {
            message: format!(
                "{} {url}: {}",
                method_name(method),
                describe(&e, options.request_timeout)
            ),
            unreachable: e.is_connect() || (e.is_timeout() && options.timeout_means_not_answering),
        })?;
        site.note_reply();
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
        while let Some(chunk) = response.chunk().await.map_err(|e| FetchFailure {
            message: format!(
                "reading the reply from {url}: {}",
                describe(&e, options.request_timeout)
            ),
            unreachable: e.is_timeout() && options.timeout_means_not_answering,
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
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!("no reply in time ({} s)", timeout.as_secs())
    } else if error.is_connect() {
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return "could not connect: connection refused (is the app running?)"
                        .to_string();
                }
            }
            source = cause.source();
        }
        format!("could not connect: {} (is the app running?)", chain(error))
    } else {
        chain(error)
    }
}

/// An error with its causes, each after a colon.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
