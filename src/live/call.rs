//! What a live call is, whatever protocol the app speaks: the requests the
//! platform makes, what the caller hears and does, how a call ends or
//! fails, and [`play`], which plays one call from the start through a
//! [`Protocol`] without doing any I/O itself (it is handed a function that
//! makes a request). The crawler, the live fuzzer, live personas and the
//! HTTP driver all speak this vocabulary, so none of them knows which
//! protocol is behind it.

use url::Url;

use super::protocol::Protocol;

/// The keys a caller can press, in the order a crawl lists options and the
/// fuzzer draws them.
pub const KEYS: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];

/// The HTTP method of a request the platform makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request the platform would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub url: Url,
    pub method: Method,
    /// Form fields: sent as the body of a POST, in the query of a GET.
    pub form: Vec<(&'static str, String)>,
}

/// Identity of the call, sent with every request as the platform does.
#[derive(Debug, Clone)]
pub struct Caller {
    pub call_sid: String,
    pub from: String,
    pub to: String,
}

/// What the caller hears or sees between requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Said(String),
    Played(String),
}

/// What the caller does when the app waits for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Keys pressed, finish key included if the caller pressed one.
    Keys(String),
    Speech(String),
    Silence,
}

impl Input {
    /// What a caller does for one of `replay`'s inputs: keys (pressed or
    /// entered), words, silence. `None` for inputs a caller cannot give (a
    /// click, back).
    pub(crate) fn from_replay(input: crate::input::Input) -> Option<Input> {
        match input {
            crate::input::Input::Keys(keys) | crate::input::Input::Enter(keys) => {
                Some(Input::Keys(keys))
            }
            crate::input::Input::Say(words) => Some(Input::Speech(words)),
            crate::input::Input::Wait => Some(Input::Silence),
            _ => None,
        }
    }

    /// The input as `replay` and reports write it: `"1"`, `"say:agent"`,
    /// `"wait"`.
    pub fn text(&self) -> String {
        match self {
            Input::Keys(keys) => keys.clone(),
            Input::Speech(words) => format!("say:{words}"),
            Input::Silence => "wait".to_string(),
        }
    }
}

/// What the app waits for when it waits for the caller: what it asks and
/// which answers it takes. This is all a crawl needs to know of a menu, so
/// a protocol describes its own way of listening in these terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// What is played while the app listens (its own prompt, not what
    /// played before it).
    pub prompt: Vec<Heard>,
    /// Whether keys pressed are heard.
    pub keys: bool,
    /// Whether words said are heard.
    pub speech: bool,
    /// Keys that end the input; pressed first, they end it with nothing
    /// entered.
    pub finish_keys: String,
    /// The app stops listening after this many digits; `None` waits for a
    /// finish key or the timeout.
    pub digits: Option<u32>,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The app hung up or rejected the call.
    HungUp,
    /// The reply ran out of instructions: the platform ends the call.
    FellOff,
    /// Handed to a number, client or SIP address.
    Transferred(String),
    /// Put in a queue for an agent.
    Queued(String),
}

/// What a call needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A request to make; hand its reply to [`Session::receive`].
    ///
    /// [`Session::receive`]: super::protocol::Session::receive
    Fetch(Request),
    /// The app waits for the caller; answer with [`Session::answer`].
    ///
    /// [`Session::answer`]: super::protocol::Session::answer
    Listen(Question),
    Ended(Ending),
}

/// Why a call could not go on: each becomes a `live-error` finding with the
/// inputs given so far.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("the reply from {url} is not {language} touchpoint can follow: {source}")]
    Reply {
        url: String,
        /// The protocol's language as people write it (`TwiML`).
        language: &'static str,
        // Shared: a reply error is rare and carries much, every step of a
        // call returns this type, and each protocol has its own error.
        #[source]
        source: std::sync::Arc<dyn std::error::Error + Send + Sync>,
    },
    #[error("`{target}` in the reply from {url} is not a URL: {reason}")]
    BadUrl {
        url: String,
        target: String,
        reason: String,
    },
    #[error("{requests} requests without waiting for the caller: a redirect loop (last {url})")]
    RedirectLoop { url: String, requests: usize },
    #[error("the call was asked to {what}, but {state}")]
    OutOfTurn {
        what: &'static str,
        state: &'static str,
    },
}

/// Where a call stood when the caller had to act again, or how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The app is waiting for the caller. `heard` is what played since the
    /// last input, the question's own prompt included.
    Listening {
        /// The same menu reached twice has the same identity
        /// ([`Session::identity`]).
        ///
        /// [`Session::identity`]: super::protocol::Session::identity
        identity: String,
        question: Question,
        heard: Vec<Heard>,
        /// The address of the reply that asks.
        document: String,
    },
    /// The call ended; `unused` inputs were left when it did. `document`
    /// is the address of the reply played last.
    Ended {
        ending: Ending,
        heard: Vec<Heard>,
        unused: usize,
        document: String,
    },
    /// The call failed: an HTTP error, a reply the protocol cannot follow,
    /// a redirect loop (a `live-error` with the inputs that lead to it), or
    /// no server at all (`unreachable`), which stops a crawl. `at` is the
    /// address being fetched or played when it failed, when known.
    Failed {
        message: String,
        unreachable: bool,
        at: String,
    },
    /// The call was cut off unfinished at the run's deadline (`--time`):
    /// nothing is known about how it would have gone.
    Abandoned,
}

/// Why a request got no reply to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchFailure {
    pub message: String,
    /// Nothing answers at the address (connection refused, no such host):
    /// the app is down, not misbehaving.
    pub unreachable: bool,
}

impl FetchFailure {
    /// A reply that came but cannot be played.
    pub fn app(message: impl Into<String>) -> Self {
        FetchFailure {
            message: message.into(),
            unreachable: false,
        }
    }
}

/// Plays a batch of calls, each with its inputs from the start, and
/// returns their outcomes in the same order. The calls of a batch are
/// independent, so a driver may play them at the same time.
pub(crate) type PlayCalls<'p> = dyn FnMut(&[Vec<Input>]) -> Vec<Outcome> + 'p;

/// Plays one call from `start` with `inputs` under `protocol`, fetching
/// replies through `fetch` (which resolves to the final URL, after HTTP
/// redirects, and the body, or to why there is none). Inputs beyond the
/// call's end are ignored; a question reached after the inputs run out is
/// where the outcome stands. Async so that a driver can play many calls at
/// once; a test passes a `fetch` whose futures are ready at once.
pub async fn play<F, Fut>(
    protocol: &dyn Protocol,
    start: &Url,
    caller: &Caller,
    inputs: &[Input],
    max_requests_between_inputs: usize,
    mut fetch: F,
) -> Outcome
where
    F: FnMut(Request) -> Fut,
    Fut: std::future::Future<Output = Result<(Url, String), FetchFailure>>,
{
    let (mut call, first) =
        protocol.dial(start.clone(), caller.clone(), max_requests_between_inputs);
    let mut heard = Vec::new();
    let mut next = Next::Fetch(first);
    let mut inputs = inputs.iter();
    loop {
        let step: Result<Next, CallError> = match next {
            Next::Fetch(request) => {
                let at = request.url.to_string();
                match fetch(request).await {
                    Ok((url, body)) => call.receive(url, &body, &mut heard),
                    Err(failure) => {
                        return Outcome::Failed {
                            message: failure.message,
                            unreachable: failure.unreachable,
                            at,
                        }
                    }
                }
            }
            Next::Listen(question) => match inputs.next() {
                Some(input) => {
                    heard.clear();
                    call.answer(input.clone(), &mut heard)
                }
                None => {
                    return Outcome::Listening {
                        identity: call.identity(),
                        question,
                        heard,
                        document: call.document().to_string(),
                    }
                }
            },
            Next::Ended(ending) => {
                return Outcome::Ended {
                    ending,
                    heard,
                    unused: inputs.len(),
                    document: call.document().to_string(),
                }
            }
        };
        next = match step {
            Ok(next) => next,
            Err(error) => {
                return Outcome::Failed {
                    message: error.to_string(),
                    unreachable: false,
                    at: call.document().to_string(),
                }
            }
        };
    }
}
