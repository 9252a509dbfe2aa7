//! The seam between touchpoint's live commands and the language an app
//! speaks to the phone platform. A [`Protocol`] says how a call starts;
//! its [`Session`] takes each reply, says what the caller hears and what
//! the app waits for, and turns the caller's input into the next request.
//! Everything above it (crawl, fuzz, personas, the driver) speaks only the
//! vocabulary of [`super::call`], so a new protocol is a new
//! implementation listed in [`PROTOCOLS`] and nothing else.

use url::Url;

use super::call::{CallError, Caller, Heard, Input, Next, Request};

/// How an app and the phone platform talk.
pub trait Protocol: Send + Sync {
    /// The name `--protocol` takes.
    fn name(&self) -> &'static str;

    /// One line saying what it is, for `--help`.
    fn about(&self) -> &'static str;

    /// Starts a call to `start`: the call, and the first request to make.
    /// A call that makes more than `max_requests_between_inputs` requests
    /// without waiting for the caller fails as a redirect loop.
    fn dial(
        &self,
        start: Url,
        caller: Caller,
        max_requests_between_inputs: usize,
    ) -> (Box<dyn Session>, Request);

    /// What the platform says before it ends a call whose app failed.
    fn application_error(&self) -> &'static str;
}

/// One call under a protocol: the platform's rules for playing replies
/// and sending the caller's input, without any I/O. The caller of a
/// session makes each request it names and hands back the reply.
pub trait Session: Send {
    /// Hands over the body of the reply to the last request, with the URL
    /// it finally came from (after HTTP redirects), and plays it until the
    /// call needs the caller, another request, or ends. What the caller
    /// hears is appended to `heard`.
    fn receive(&mut self, from: Url, body: &str, heard: &mut Vec<Heard>)
        -> Result<Next, CallError>;

    /// The caller's input to the question the app is waiting at.
    fn answer(&mut self, input: Input, heard: &mut Vec<Heard>) -> Result<Next, CallError>;

    /// The URL of the reply being played.
    fn document(&self) -> &Url;

    /// What recognises the question the call waits at now, so that a crawl
    /// knows a menu it reached through another path.
    fn identity(&self) -> String;
}

/// Every protocol touchpoint speaks; `--protocol` offers exactly these.
pub static PROTOCOLS: &[&dyn Protocol] = &[&super::twiml::Twiml];

/// The protocol a live command speaks when none is named.
pub static DEFAULT: &dyn Protocol = &super::twiml::Twiml;

impl std::fmt::Debug for dyn Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Arc;

    use super::*;
    use crate::import::ir::{IrKind, IrNode};
    use crate::live::call::{play, Ending, FetchFailure, Method, Outcome, Question};
    use crate::live::crawl::{crawl, CrawlLimits};

    #[test]
    fn protocol_names_are_unique_and_the_default_is_one_of_them() {
        let mut names: Vec<&str> = PROTOCOLS.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROTOCOLS.len(), "{names:?}");
        assert!(names.contains(&DEFAULT.name()), "{names:?}");
    }

    /// A protocol made up for this test, as unlike TwiML as a text format
    /// can be: each line of a reply is one instruction (`say TEXT`, `ask
    /// TEXT`, `queue NAME`, `hangup`), and the caller's key goes back to the
    /// asking reply's address as `?key=K`.
    struct Lines;

    struct LinesCall {
        document: Url,
        pending: VecDeque<String>,
        asking: Option<String>,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("line {line}: `{text}` is not an instruction")]
    struct NotAnInstruction {
        line: usize,
        text: String,
    }

    impl Protocol for Lines {
        fn name(&self) -> &'static str {
            "lines"
        }

        fn about(&self) -> &'static str {
            "one instruction a line"
        }

        fn dial(&self, start: Url, _: Caller, _: usize) -> (Box<dyn Session>, Request) {
            let call = LinesCall {
                document: start.clone(),
                pending: VecDeque::new(),
                asking: None,
            };
            let request = Request {
                url: start,
                method: Method::Get,
                form: Vec::new(),
            };
            (Box::new(call), request)
        }

        fn application_error(&self) -> &'static str {
            "The line is dead."
        }
    }

    impl Session for LinesCall {
        fn receive(
            &mut self,
            from: Url,
            body: &str,
            heard: &mut Vec<Heard>,
        ) -> Result<Next, CallError> {
            let known = ["say ", "ask ", "queue ", "hangup"];
            if let Some((line, text)) = body
                .lines()
                .enumerate()
                .find(|(_, text)| !known.iter().any(|k| text.starts_with(k)))
            {
                return Err(CallError::Reply {
                    url: from.to_string(),
                    language: "Lines",
                    source: Arc::new(NotAnInstruction {
                        line: line + 1,
                        text: text.to_string(),
                    }),
                });
            }
            self.document = from;
            self.pending = body.lines().map(str::to_string).collect();
            while let Some(line) = self.pending.pop_front() {
                let (verb, rest) = line.split_once(' ').unwrap_or((&line, ""));
                match verb {
                    "say" => heard.push(Heard::Said(rest.to_string())),
                    "ask" => {
                        heard.push(Heard::Said(rest.to_string()));
                        self.asking = Some(rest.to_string());
                        return Ok(Next::Listen(Question {
                            prompt: vec![Heard::Said(rest.to_string())],
                            keys: true,
                            speech: false,
                            finish_keys: String::new(),
                            digits: Some(1),
                        }));
                    }
                    "queue" => return Ok(Next::Ended(Ending::Queued(rest.to_string()))),
                    _ => return Ok(Next::Ended(Ending::HungUp)),
                }
            }
            Ok(Next::Ended(Ending::FellOff))
        }

        fn answer(&mut self, input: Input, _: &mut Vec<Heard>) -> Result<Next, CallError> {
            if self.asking.take().is_none() {
                return Err(CallError::OutOfTurn {
                    what: "take an input",
                    state: "nothing was asked",
                });
            }
            let key = match input {
                Input::Keys(keys) => keys,
                Input::Speech(_) | Input::Silence => String::new(),
            };
            let mut url = self.document.clone();
            url.set_query(Some(&format!("key={key}")));
            Ok(Next::Fetch(Request {
                url,
                method: Method::Get,
                form: Vec::new(),
            }))
        }

        fn document(&self) -> &Url {
            &self.document
        }

        fn identity(&self) -> String {
            format!(
                "{} {}",
                self.document.path(),
                self.asking.as_deref().unwrap_or_default()
            )
        }
    }

    /// A shop's app in the `Lines` protocol: 1 reaches sales, 2 hangs up,
    /// 3 answers with something that is not an instruction, and every other
    /// key is apologised for and asked again.
    fn shop(url: &Url) -> String {
        let menu = "ask For sales press 1. To leave press 2.";
        let key = url
            .query_pairs()
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned());
        match key.as_deref() {
            None | Some("") => menu.to_string(),
            Some("1") => "say Connecting.\nqueue sales".to_string(),
            Some("2") => "hangup".to_string(),
            Some("3") => "dance".to_string(),
            Some(_) => format!("say Sorry.\n{menu}"),
        }
    }

    /// Everything above the seam works unchanged for a protocol that is not
    /// TwiML: `play` drives its session, and the crawl rebuilds its menu,
    /// with the protocol's own apology where its replies cannot be followed.
    #[test]
    fn a_protocol_other_than_twiml_is_played_and_crawled_through_the_trait() {
        let start = Url::parse("http://shop.test/start").unwrap();
        let caller = Caller {
            call_sid: "CA-lines".into(),
            from: "+15550001".into(),
            to: "+15550100".into(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let fetch = |request: Request| {
            std::future::ready(Ok::<_, FetchFailure>((
                request.url.clone(),
                shop(&request.url),
            )))
        };
        let mut play_calls = |batch: &[Vec<Input>]| -> Vec<Outcome> {
            batch
                .iter()
                .map(|inputs| runtime.block_on(play(&Lines, &start, &caller, inputs, 4, fetch)))
                .collect()
        };
        let crawled = crawl(
            &Lines,
            "shop",
            start.as_str(),
            CrawlLimits {
                max_menus: 10,
                max_calls: 100,
            },
            &mut play_calls,
        );

        let failed: Vec<(&[Input], &str)> = crawled
            .failures
            .iter()
            .map(|f| (f.inputs.as_slice(), f.message.as_str()))
            .collect();
        assert_eq!(
            failed,
            [(
                &[Input::Keys("3".into())][..],
                "the reply from http://shop.test/start?key=3 is not Lines touchpoint can follow: line 1: `dance` is not an instruction"
            )]
        );
        let node = |id: &str| -> &IrNode {
            crawled
                .flow
                .nodes
                .iter()
                .find(|n| n.id == id)
                .unwrap_or_else(|| panic!("no node {id}: {:?}", crawled.flow.nodes))
        };
        let IrKind::Menu {
            prompt,
            options,
            no_input,
            no_match,
            ..
        } = &node(&crawled.flow.start).kind
        else {
            panic!("the start is a menu: {:?}", crawled.flow.nodes);
        };
        assert_eq!(prompt, "For sales press 1. To leave press 2.");
        let leads: Vec<(Option<&str>, &IrKind)> = options
            .iter()
            .map(|o| (o.key.as_deref(), &node(&o.goto).kind))
            .collect();
        assert_eq!(
            leads,
            [
                (
                    Some("1"),
                    &IrKind::Transfer {
                        queue: "sales".into()
                    }
                ),
                (
                    Some("2"),
                    &IrKind::Hangup {
                        text: String::new()
                    }
                ),
                (
                    Some("3"),
                    &IrKind::Hangup {
                        text: "The line is dead.".into()
                    }
                ),
            ]
        );
        // Silence asks again; a wrong key is apologised for first.
        assert_eq!(
            no_input.as_ref().map(|h| h.then.as_str()),
            Some(crawled.flow.start.as_str())
        );
        let apology = no_match.as_ref().map(|h| &node(&h.then).kind);
        assert_eq!(
            apology,
            Some(&IrKind::Say {
                text: "Sorry.".into(),
                next: Some(crawled.flow.start.clone())
            })
        );
    }
}
