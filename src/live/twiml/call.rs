//! One phone call played against a TwiML app, as Twilio plays it, without
//! doing any I/O (TwiML's [`Session`]): the call says which request to make next, the
//! caller (an HTTP driver, or a test) makes it and hands back the body. That
//! keeps the platform's rules (form fields, defaults, what a gather does on
//! silence, where relative URLs point) in one place that the async driver,
//! the crawler and the tests share, and testable without a network.

use url::Url;

use super::reply::{Gather, Response, Verb};
use crate::live::call::{CallError, Caller, Ending, Heard, Input, Method, Next, Question, Request};
use crate::live::protocol::Session;

/// The state of one call.
#[derive(Debug)]
pub struct Call {
    caller: Caller,
    /// The document being played and the verbs of it still to play.
    document: Url,
    pending: std::vec::IntoIter<Verb>,
    /// The gather listening now, if any.
    listening: Option<Gather>,
    /// Requests since the caller last gave an input: a bound on redirect
    /// chains, so a looping app ends as a finding, never a hung run.
    requests_since_input: usize,
    max_requests_between_inputs: usize,
    /// The platform says `ringing` on the first request only.
    answered: bool,
    ended: bool,
}

impl Call {
    /// A call to `start`; returns the first request to make.
    pub(crate) fn dial(
        start: Url,
        caller: Caller,
        max_requests_between_inputs: usize,
    ) -> (Call, Request) {
        let mut call = Call {
            caller,
            document: start.clone(),
            pending: Vec::new().into_iter(),
            listening: None,
            requests_since_input: 0,
            max_requests_between_inputs: max_requests_between_inputs.max(1),
            answered: false,
            ended: false,
        };
        let request = call.request(start, Method::Post, Vec::new());
        (call, request)
    }

    fn request(&mut self, url: Url, method: Method, extra: Vec<(&'static str, String)>) -> Request {
        let status = if self.answered {
            "in-progress"
        } else {
            "ringing"
        };
        self.answered = true;
        self.requests_since_input += 1;
        let mut form = vec![
            ("CallSid", self.caller.call_sid.clone()),
            ("From", self.caller.from.clone()),
            ("To", self.caller.to.clone()),
            ("CallStatus", status.to_string()),
            ("Direction", "inbound".to_string()),
        ];
        form.extend(extra);
        Request { url, method, form }
    }

    fn resolve(&self, target: &str) -> Result<Url, CallError> {
        self.document
            .join(target.trim())
            .map_err(|e| CallError::BadUrl {
                url: self.document.to_string(),
                target: target.to_string(),
                reason: e.to_string(),
            })
    }

    /// Plays pending verbs until one needs the caller, a request or ends
    /// the call.
    fn play(&mut self, heard: &mut Vec<Heard>) -> Result<Next, CallError> {
        for verb in self.pending.by_ref() {
            match verb {
                Verb::Say { text } => heard.push(Heard::Said(text)),
                Verb::Play { url } => heard.push(Heard::Played(url)),
                Verb::Pause { .. } => {}
                Verb::Gather(gather) => {
                    let question = question(&gather);
                    heard.extend(question.prompt.iter().cloned());
                    self.listening = Some(gather);
                    return Ok(Next::Listen(question));
                }
                Verb::Redirect { url, method } => {
                    if self.requests_since_input >= self.max_requests_between_inputs {
                        return Err(CallError::RedirectLoop {
                            url: self.document.to_string(),
                            requests: self.requests_since_input,
                        });
                    }
                    let target = self.resolve(&url)?;
                    let request = self.request(target, method, Vec::new());
                    return Ok(Next::Fetch(request));
                }
                Verb::Dial { target } => return Ok(self.end(Ending::Transferred(target))),
                Verb::Enqueue { queue } => return Ok(self.end(Ending::Queued(queue))),
                Verb::Hangup | Verb::Reject => return Ok(self.end(Ending::HungUp)),
            }
        }
        Ok(self.end(Ending::FellOff))
    }

    fn end(&mut self, ending: Ending) -> Next {
        self.ended = true;
        Next::Ended(ending)
    }
}

impl Session for Call {
    /// Hands over the body of the reply to the last request, with the URL
    /// it finally came from (after HTTP redirects), and plays it until the
    /// call needs the caller, another request, or ends.
    fn receive(
        &mut self,
        from: Url,
        body: &str,
        heard: &mut Vec<Heard>,
    ) -> Result<Next, CallError> {
        if self.ended || self.listening.is_some() {
            return Err(CallError::OutOfTurn {
                what: "take a reply",
                state: if self.ended {
                    "it has ended"
                } else {
                    "it is waiting for the caller"
                },
            });
        }
        let response = Response::parse(body).map_err(|source| CallError::Reply {
            url: from.to_string(),
            language: "TwiML",
            source: std::sync::Arc::new(source),
        })?;
        self.document = from;
        self.pending = response.verbs.into_iter();
        self.play(heard)
    }

    /// The caller's input to the gather that is listening.
    fn answer(&mut self, input: Input, heard: &mut Vec<Heard>) -> Result<Next, CallError> {
        let Some(gather) = self.listening.take() else {
            return Err(CallError::OutOfTurn {
                what: "take an input",
                state: "no gather is listening",
            });
        };
        self.requests_since_input = 0;
        let field = match input {
            Input::Keys(keys) if gather.input.dtmf => {
                Some(("Digits", gathered_digits(&keys, &gather)))
            }
            Input::Speech(words) if gather.input.speech => Some(("SpeechResult", words)),
            // Keys to a speech-only gather, words to a keys-only one, and
            // silence all end the gather on its timeout with nothing heard.
            _ => None,
        };
        let heard_nothing = field.as_ref().is_none_or(|(_, value)| value.is_empty());
        if heard_nothing && !gather.action_on_empty_result {
            // The platform goes on with the verb after the gather.
            return self.play(heard);
        }
        let target = match &gather.action {
            Some(action) => self.resolve(action)?,
            None => self.document.clone(),
        };
        let mut extra = Vec::new();
        match field {
            Some(("SpeechResult", words)) => {
                extra.push(("SpeechResult", words));
                extra.push(("Confidence", "0.9".to_string()));
            }
            Some((name, value)) => extra.push((name, value)),
            None => extra.push(("Digits", String::new())),
        }
        let request = self.request(target, gather.method, extra);
        Ok(Next::Fetch(request))
    }

    fn document(&self) -> &Url {
        &self.document
    }

    /// The gather listening, with the address its answer goes to: what it
    /// says and how it listens, so the same menu served at two addresses
    /// is one menu, and a menu whose answer goes elsewhere is another.
    fn identity(&self) -> String {
        match &self.listening {
            Some(gather) => identity(&self.document, gather),
            None => self.document.to_string(),
        }
    }
}

/// What a gather asks and which answers it takes, in the terms every
/// protocol shares.
fn question(gather: &Gather) -> Question {
    Question {
        prompt: gather.prompts.iter().filter_map(heard).collect(),
        keys: gather.input.dtmf,
        speech: gather.input.speech,
        finish_keys: gather.finish_on_key.clone(),
        digits: gather.num_digits,
    }
}

/// What the caller hears of a verb played inside a gather; a pause is
/// heard as nothing.
fn heard(verb: &Verb) -> Option<Heard> {
    match verb {
        Verb::Say { text } => Some(Heard::Said(text.clone())),
        Verb::Play { url } => Some(Heard::Played(url.clone())),
        _ => None,
    }
}

/// A menu's identity: its gather, with the address its answer goes to.
fn identity(document: &Url, gather: &Gather) -> String {
    let action = match &gather.action {
        Some(action) => document
            .join(action)
            .map_or_else(|_| action.clone(), |u| u.to_string()),
        None => document.to_string(),
    };
    let fingerprint = Response {
        verbs: vec![Verb::Gather(Gather {
            action: None,
            ..gather.clone()
        })],
    }
    .fingerprint();
    format!("{action} {fingerprint}")
}

/// The digits a gather sends for the keys pressed: up to the finish key,
/// and no more than `numDigits`.
fn gathered_digits(keys: &str, gather: &Gather) -> String {
    let mut digits = String::new();
    for key in keys.chars() {
        if gather.finish_on_key.contains(key) {
            break;
        }
        digits.push(key);
        if gather
            .num_digits
            .is_some_and(|n| digits.len() >= n as usize)
        {
            break;
        }
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A TwiML app as a table from path to reply, and a loop that plays a
    /// call through it with the given inputs, as the HTTP driver will.
    struct App(HashMap<&'static str, &'static str>);

    impl App {
        fn call(&self, inputs: &[Input]) -> (Vec<Heard>, Vec<Request>, Result<Ending, CallError>) {
            let start = Url::parse("http://ivr.test/voice").unwrap();
            let caller = Caller {
                call_sid: "CA0001".into(),
                from: "+15550001".into(),
                to: "+15550100".into(),
            };
            let (mut call, first) = Call::dial(start, caller, 8);
            let mut heard = Vec::new();
            let mut requests = vec![first.clone()];
            let mut next = Next::Fetch(first);
            let mut inputs = inputs.iter().cloned();
            loop {
                let step = match next {
                    Next::Fetch(request) => {
                        let body = self
                            .0
                            .get(request.url.path())
                            .copied()
                            .unwrap_or("<Response><Say>not found</Say></Response>");
                        call.receive(request.url.clone(), body, &mut heard)
                    }
                    Next::Listen(_) => {
                        call.answer(inputs.next().unwrap_or(Input::Silence), &mut heard)
                    }
                    Next::Ended(ending) => return (heard, requests, Ok(ending)),
                };
                next = match step {
                    Ok(next) => next,
                    Err(e) => return (heard, requests, Err(e)),
                };
                if let Next::Fetch(request) = &next {
                    requests.push(request.clone());
                }
            }
        }
    }

    fn field<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
        request
            .form
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    fn app() -> App {
        App(HashMap::from([
            (
                "/voice",
                r#"<Response><Gather numDigits="1" action="menu/main"><Say>For billing press 1. For an agent press 0.</Say></Gather>
                   <Say>We did not hear you.</Say><Redirect>/voice</Redirect></Response>"#,
            ),
            (
                "/menu/main",
                r##"<Response><Say>Billing.</Say><Gather finishOnKey="#" action="/account"><Say>Enter your account number then hash.</Say></Gather></Response>"##,
            ),
            (
                "/account",
                r#"<Response><Say>Thank you.</Say><Enqueue>billing</Enqueue></Response>"#,
            ),
        ]))
    }

    #[test]
    fn a_call_follows_keys_relative_actions_and_defaults() {
        let (heard, requests, ending) =
            app().call(&[Input::Keys("1".into()), Input::Keys("12345#9".into())]);
        assert_eq!(
            ending.map_err(|e| e.to_string()),
            Ok(Ending::Queued("billing".into()))
        );
        let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
        assert_eq!(paths, ["/voice", "/menu/main", "/account"]);
        assert_eq!(field(&requests[0], "CallStatus"), Some("ringing"));
        assert_eq!(field(&requests[1], "CallStatus"), Some("in-progress"));
        assert_eq!(field(&requests[1], "Digits"), Some("1"));
        assert_eq!(
            field(&requests[2], "Digits"),
            Some("12345"),
            "up to the finish key"
        );
        assert_eq!(
            heard,
            [
                "For billing press 1. For an agent press 0.",
                "Billing.",
                "Enter your account number then hash.",
                "Thank you."
            ]
            .map(|s| Heard::Said(s.into()))
        );
    }

    #[test]
    fn silence_goes_on_after_the_gather_and_a_silent_loop_is_bounded() {
        // Silence at the first menu replays it through the redirect: the
        // caller is asked again every time, so this is not a redirect loop.
        let (heard, _, ending) =
            app().call(&[Input::Silence, Input::Keys("1".into()), Input::Silence]);
        assert!(heard.contains(&Heard::Said("We did not hear you.".into())));
        // At the account gather silence falls off the end of the document.
        assert_eq!(ending.map_err(|e| e.to_string()), Ok(Ending::FellOff));

        let looping = App(HashMap::from([
            ("/voice", "<Response><Redirect>/a</Redirect></Response>"),
            (
                "/a",
                "<Response><Pause/><Redirect method=\"GET\">/voice</Redirect></Response>",
            ),
        ]));
        let (_, requests, ending) = looping.call(&[]);
        assert!(
            matches!(ending, Err(CallError::RedirectLoop { requests: 8, .. })),
            "{ending:?}"
        );
        assert_eq!(requests[2].method, Method::Get);
    }

    #[test]
    fn a_gather_without_action_posts_to_its_own_document_when_asked_to() {
        let app = App(HashMap::from([(
            "/voice",
            r#"<Response><Gather input="speech" actionOnEmptyResult="true"><Say>How can we help?</Say></Gather></Response>"#,
        )]));
        let start = Url::parse("http://ivr.test/voice").unwrap();
        let caller = Caller {
            call_sid: "CA1".into(),
            from: "a".into(),
            to: "b".into(),
        };
        let (mut call, first) = Call::dial(start, caller, 4);
        let mut heard = Vec::new();
        let body = app.0["/voice"];
        assert!(matches!(
            call.receive(first.url, body, &mut heard),
            Ok(Next::Listen(_))
        ));
        let Ok(Next::Fetch(request)) = call.answer(Input::Speech("billing".into()), &mut heard)
        else {
            panic!("speech should be posted");
        };
        assert_eq!(request.url.path(), "/voice");
        assert_eq!(field(&request, "SpeechResult"), Some("billing"));
        assert!(matches!(
            call.answer(Input::Silence, &mut heard),
            Err(CallError::OutOfTurn { .. })
        ));
        // Keys at a speech-only gather are not heard; with
        // actionOnEmptyResult the platform still posts, with no digits.
        let body = app.0["/voice"];
        call.receive(request.url, body, &mut heard).unwrap();
        let Ok(Next::Fetch(empty)) = call.answer(Input::Keys("1".into()), &mut heard) else {
            panic!("an empty result should be posted");
        };
        assert_eq!(field(&empty, "Digits"), Some(""));
    }

    #[test]
    fn a_reply_that_is_not_twiml_is_an_error_naming_the_url() {
        let app = App(HashMap::from([(
            "/voice",
            "<html><body>502 Bad Gateway</body></html>",
        )]));
        let (_, _, ending) = app.call(&[]);
        let message = ending.unwrap_err().to_string();
        assert!(
            message.contains("http://ivr.test/voice") && message.contains("<html>"),
            "{message}"
        );
    }
}
