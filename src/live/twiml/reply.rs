//! TwiML replies, read the way the phone platform reads them: the verbs of a
//! `<Response>` in order, with the platform's defaults filled in where an
//! attribute is absent, so that the driver never has to know which
//! attributes were written and which were implied.
//!
//! Reading is strict where the platform is strict (a reply that is not XML,
//! or whose root is not `<Response>`, fails the call) and says where: every
//! error carries the line and column in the reply. Verbs touchpoint does not
//! model are errors too, since guessing what they do would make the crawl
//! and the live checks report a tree that is not there.

use std::borrow::Cow;

use quick_xml::escape::unescape;
use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::live::call::Method;

/// Which inputs a `<Gather>` listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputModes {
    pub dtmf: bool,
    pub speech: bool,
}

/// A `<Gather>`: what it says while it listens, and where the answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gather {
    /// Where the digits or speech are sent; `None` means the URL of the
    /// document itself, the platform's default.
    pub action: Option<String>,
    pub method: Method,
    pub input: InputModes,
    /// Seconds of silence after which the gather ends; the platform's
    /// default is 5.
    pub timeout: u32,
    /// Stop after this many digits; `None` waits for the finish key or the
    /// timeout.
    pub num_digits: Option<u32>,
    /// The key that ends the input; the platform's default is `#`, and an
    /// empty value means none.
    pub finish_on_key: String,
    /// When false (the default), a gather that hears nothing does not
    /// request its action: the call goes on with the verb after it.
    pub action_on_empty_result: bool,
    /// What is played while the gather listens: `Say`, `Play` and `Pause`.
    pub prompts: Vec<Verb>,
}

/// One verb of a reply, in the order the platform performs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Text spoken to the caller, with SSML markup reduced to its words.
    Say {
        text: String,
    },
    /// An audio file played to the caller; only its address is known.
    Play {
        url: String,
    },
    Pause {
        seconds: u32,
    },
    Gather(Gather),
    /// Continue with the TwiML at another URL.
    Redirect {
        url: String,
        method: Method,
    },
    /// Connect the caller to a number, client or SIP address: a transfer.
    Dial {
        target: String,
    },
    /// Put the caller in a queue for an agent: a transfer too.
    Enqueue {
        queue: String,
    },
    Hangup,
    Reject,
}

/// A parsed reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub verbs: Vec<Verb>,
}

/// Why a reply could not be read, with where in the reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    #[error("line {line}, column {column}: the reply is not well-formed XML: {message}")]
    InvalidXml {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the reply's root element is `<{found}>`, not `<Response>`")]
    NotResponse { found: String },
    #[error("the reply is empty: no `<Response>` element")]
    Empty,
    #[error("line {line}, column {column}: `<{verb}>` is not a TwiML verb touchpoint can follow")]
    UnknownVerb {
        verb: String,
        line: usize,
        column: usize,
    },
    #[error("line {line}, column {column}: `{attribute}=\"{value}\"` on `<{verb}>`: {reason}")]
    BadAttribute {
        verb: String,
        attribute: String,
        value: String,
        reason: &'static str,
        line: usize,
        column: usize,
    },
    #[error("line {line}, column {column}: `<{verb}>` needs {what}")]
    Missing {
        verb: String,
        what: &'static str,
        line: usize,
        column: usize,
    },
}

impl Response {
    /// Reads a TwiML reply.
    pub fn parse(text: &str) -> Result<Response, TwimlError> {
        let mut parser = Parser::new(text);
        parser.document()
    }

    /// The reply with its wording normalised (case, spacing, punctuation)
    /// and everything else kept: two replies with one fingerprint are the
    /// same menu, so a crawl recognises a menu it has seen through another
    /// path and does not walk it again.
    pub(crate) fn fingerprint(&self) -> String {
        let mut out = String::new();
        for verb in &self.verbs {
            fingerprint_verb(verb, &mut out);
        }
        out
    }
}

fn fingerprint_verb(verb: &Verb, out: &mut String) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = match verb {
        Verb::Say { text } => write!(out, "say({});", normalise_words(text)),
        Verb::Play { url } => write!(out, "play({url});"),
        Verb::Pause { seconds } => write!(out, "pause({seconds});"),
        Verb::Gather(gather) => {
            let _ = write!(
                out,
                "gather({:?},{:?},{},{},{:?},{:?},{}",
                gather.action,
                gather.method,
                u8::from(gather.input.dtmf) + 2 * u8::from(gather.input.speech),
                gather.timeout,
                gather.num_digits,
                gather.finish_on_key,
                gather.action_on_empty_result
            );
            out.push('[');
            for prompt in &gather.prompts {
                fingerprint_verb(prompt, out);
            }
            out.push_str("]);");
            Ok(())
        }
        Verb::Redirect { url, method } => write!(out, "redirect({method:?},{url});"),
        Verb::Dial { target } => write!(out, "dial({target});"),
        Verb::Enqueue { queue } => write!(out, "enqueue({queue});"),
        Verb::Hangup => write!(out, "hangup;"),
        Verb::Reject => write!(out, "reject;"),
    };
}

/// Lower case, letters and digits only, single spaces: how a prompt is
/// compared, since a reworded pause or a capital letter is the same menu.
pub(crate) fn normalise_words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

struct Parser<'t> {
    text: &'t str,
    reader: Reader<&'t [u8]>,
}

/// An element just opened: its name, attributes and where it starts.
struct Opened<'t> {
    start: BytesStart<'t>,
    /// `<Verb/>`: no content and no end tag to read.
    empty: bool,
    offset: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        // Text is kept as written: trimming would eat the spaces around an
        // entity (`Billing &amp; payments`), which arrives as its own event.
        let reader = Reader::from_str(text);
        Parser { text, reader }
    }

    /// Line and column (both from 1, the column in characters) of a byte
    /// offset in the reply.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, column)
    }

    fn xml_error(&self, error: impl std::fmt::Display) -> TwimlError {
        let (line, column) = self.position(self.reader.error_position() as usize);
        TwimlError::InvalidXml {
            line,
            column,
            message: error.to_string(),
        }
    }

    fn next(&mut self) -> Result<Event<'t>, TwimlError> {
        self.reader.read_event().map_err(|e| self.xml_error(e))
    }

    /// The next element opened, if the next event opens one, with the
    /// offset of its `<`: the reader stands just past the tag, which is
    /// its content plus `<`, `>` and, for `<Verb/>`, the `/`.
    fn opened(&self, event: Event<'t>) -> Result<Opened<'t>, Event<'t>> {
        let end = self.reader.buffer_position() as usize;
        match event {
            Event::Start(start) => Ok(Opened {
                offset: end.saturating_sub(start.len() + 2),
                start,
                empty: false,
            }),
            Event::Empty(start) => Ok(Opened {
                offset: end.saturating_sub(start.len() + 3),
                start,
                empty: true,
            }),
            other => Err(other),
        }
    }

    fn document(&mut self) -> Result<Response, TwimlError> {
        loop {
            let event = self.next()?;
            match self.opened(event) {
                Ok(root) => return self.response(root),
                Err(Event::Eof) => return Err(TwimlError::Empty),
                Err(Event::Text(text)) if !text.iter().all(u8::is_ascii_whitespace) => {
                    return Err(self.xml_error("text outside any element"));
                }
                // The declaration, comments, processing instructions and a
                // doctype carry nothing the platform acts on.
                _ => {}
            }
        }
    }

    fn response(&mut self, root: Opened<'t>) -> Result<Response, TwimlError> {
        let name = element_name(&root.start);
        if name != "Response" {
            return Err(TwimlError::NotResponse { found: name });
        }
        let mut response = Response::default();
        if !root.empty {
            response.verbs = self.verbs("Response", false)?;
        }
        // What follows the root must be nothing but comments and space.
        loop {
            match self.next()? {
                Event::Eof => return Ok(response),
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.xml_error("a second root element after `</Response>`"))
                }
                _ => {}
            }
        }
    }

    /// The verbs inside an element, up to its end tag. Inside a `<Gather>`
    /// only the verbs it may nest are allowed.
    fn verbs(&mut self, parent: &str, nested: bool) -> Result<Vec<Verb>, TwimlError> {
        let mut verbs = Vec::new();
        loop {
            let event = self.next()?;
            let opened = match self.opened(event) {
                Ok(opened) => opened,
                Err(Event::End(_)) => return Ok(verbs),
                Err(Event::Eof) => {
                    return Err(self.xml_error(format!("`<{parent}>` is never closed")));
                }
                // Stray text between verbs is ignored by the platform.
                Err(_) => continue,
            };
            let verb = self.verb(opened, nested)?;
            verbs.push(verb);
        }
    }

    fn verb(&mut self, opened: Opened<'t>, nested: bool) -> Result<Verb, TwimlError> {
        let name = element_name(&opened.start);
        let (line, column) = self.position(opened.offset);
        let allowed_in_gather = matches!(name.as_str(), "Say" | "Play" | "Pause");
        if nested && !allowed_in_gather {
            return Err(TwimlError::UnknownVerb {
                verb: format!("{name}> inside <Gather"),
                line,
                column,
            });
        }
        let attributes = self.attributes(&opened, &name)?;
        let attribute = |key: &str| {
            attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let bad = |attribute: &str, value: &str, reason: &'static str| TwimlError::BadAttribute {
            verb: name.clone(),
            attribute: attribute.to_string(),
            value: value.to_string(),
            reason,
            line,
            column,
        };
        let method = |key: &str| match attribute(key) {
            None => Ok(Method::Post),
            Some(v) if v.eq_ignore_ascii_case("POST") => Ok(Method::Post),
            Some(v) if v.eq_ignore_ascii_case("GET") => Ok(Method::Get),
            Some(v) => Err(bad(key, v, "the method must be GET or POST")),
        };
        let number = |key: &str| -> Result<Option<u32>, TwimlError> {
            attribute(key)
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| bad(key, v, "expected a whole number"))
                })
                .transpose()
        };
        let verb = match name.as_str() {
            "Say" => Verb::Say {
                text: self.text_of(&opened)?,
            },
            "Play" => Verb::Play {
                url: self.text_of(&opened)?,
            },
            "Pause" => {
                let seconds = number("length")?.unwrap_or(1);
                self.skip(&opened)?;
                Verb::Pause { seconds }
            }
            "Redirect" => {
                let method = method("method")?;
                let url = self.text_of(&opened)?;
                if url.is_empty() {
                    return Err(TwimlError::Missing {
                        verb: name,
                        what: "a URL as its text",
                        line,
                        column,
                    });
                }
                Verb::Redirect { url, method }
            }
            "Dial" => Verb::Dial {
                target: self.text_of(&opened)?,
            },
            "Enqueue" => Verb::Enqueue {
                queue: self.text_of(&opened)?,
            },
            "Hangup" => {
                self.skip(&opened)?;
                Verb::Hangup
            }
            "Reject" => {
                self.skip(&opened)?;
                Verb::Reject
            }
            "Gather" => {
                let input = match attribute("input") {
                    None => InputModes {
                        dtmf: true,
                        speech: false,
                    },
                    Some(v) => {
                        let modes: Vec<&str> = v.split_whitespace().collect();
                        let input = InputModes {
                            dtmf: modes.contains(&"dtmf"),
                            speech: modes.contains(&"speech"),
                        };
                        if modes.iter().any(|m| *m != "dtmf" && *m != "speech")
                            || !(input.dtmf || input.speech)
                        {
                            return Err(bad("input", v, "expected `dtmf`, `speech` or both"));
                        }
                        input
                    }
                };
                let action_on_empty_result = match attribute("actionOnEmptyResult") {
                    None => false,
                    Some(v) if v.eq_ignore_ascii_case("true") => true,
                    Some(v) if v.eq_ignore_ascii_case("false") => false,
                    Some(v) => return Err(bad("actionOnEmptyResult", v, "expected true or false")),
                };
                let gather = Gather {
                    action: attribute("action")
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(str::to_string),
                    method: method("method")?,
                    input,
                    timeout: number("timeout")?.unwrap_or(5),
                    num_digits: number("numDigits")?,
                    finish_on_key: attribute("finishOnKey").unwrap_or("#").to_string(),
                    action_on_empty_result,
                    prompts: Vec::new(),
                };
                if gather
                    .finish_on_key
                    .chars()
                    .any(|c| !(c.is_ascii_digit() || c == '*' || c == '#'))
                {
                    return Err(bad(
                        "finishOnKey",
                        &gather.finish_on_key,
                        "expected one of 0-9, * and #, or nothing",
                    ));
                }
                let prompts = if opened.empty {
                    Vec::new()
                } else {
                    self.verbs("Gather", true)?
                };
                Verb::Gather(Gather { prompts, ..gather })
            }
            _ => {
                return Err(TwimlError::UnknownVerb {
                    verb: name,
                    line,
                    column,
                })
            }
        };
        Ok(verb)
    }

    fn attributes(
        &self,
        opened: &Opened<'t>,
        verb: &str,
    ) -> Result<Vec<(String, String)>, TwimlError> {
        let read = |attributes: Attributes| -> Result<Vec<(String, String)>, String> {
            let mut out = Vec::new();
            for attribute in attributes {
                let attribute = attribute.map_err(|e| e.to_string())?;
                let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
                let value = attribute.unescape_value().map_err(|e| e.to_string())?;
                out.push((key, value.into_owned()));
            }
            Ok(out)
        };
        read(opened.start.attributes()).map_err(|message| {
            let (line, column) = self.position(opened.offset);
            TwimlError::InvalidXml {
                line,
                column,
                message: format!("in the attributes of `<{verb}>`: {message}"),
            }
        })
    }

    /// The words inside an element, through any markup (SSML inside
    /// `<Say>`, `<Number>` inside `<Dial>`), with spacing collapsed.
    fn text_of(&mut self, opened: &Opened<'t>) -> Result<String, TwimlError> {
        if opened.empty {
            return Ok(String::new());
        }
        let mut text = String::new();
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => break,
                Event::End(_) => depth -= 1,
                // An SSML `<break/>` parts the words on either side.
                Event::Empty(_) => text.push(' '),
                Event::Text(t) => {
                    let decoded = t.decode().map_err(|e| self.xml_error(e))?;
                    text.push_str(&decoded);
                }
                Event::CData(t) => {
                    let decoded = t.decode().map_err(|e| self.xml_error(e))?;
                    text.push_str(&decoded);
                }
                Event::GeneralRef(r) => {
                    let resolved: Cow<str> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        Ok(None) => {
                            let name = r.decode().map_err(|e| self.xml_error(e))?;
                            let entity = format!("&{name};");
                            Cow::Owned(
                                unescape(&entity)
                                    .map_err(|e| self.xml_error(e))?
                                    .into_owned(),
                            )
                        }
                        Err(e) => return Err(self.xml_error(e)),
                    };
                    text.push_str(&resolved);
                }
                Event::Eof => {
                    let name = element_name(&opened.start);
                    return Err(self.xml_error(format!("`<{name}>` is never closed")));
                }
                _ => {}
            }
        }
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Reads past an element whose content means nothing to the platform.
    fn skip(&mut self, opened: &Opened<'t>) -> Result<(), TwimlError> {
        self.text_of(opened).map(|_| ())
    }
}

fn element_name(start: &BytesStart) -> String {
    String::from_utf8_lossy(start.name().as_ref()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Response {
        Response::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn a_menu_reads_with_the_platforms_defaults() {
        let reply = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather numDigits="1" action="/menu/main">
    <Say voice="alice">Welcome to Riverside Water. For billing, press 1.
      For a leak, press <emphasis>2</emphasis>.</Say>
    <Pause/>
  </Gather>
  <Say>Sorry, we did not hear you.</Say>
  <Redirect method="GET">/voice</Redirect>
</Response>"#,
        );
        assert_eq!(
            reply.verbs,
            vec![
                Verb::Gather(Gather {
                    action: Some("/menu/main".into()),
                    method: Method::Post,
                    input: InputModes {
                        dtmf: true,
                        speech: false
                    },
                    timeout: 5,
                    num_digits: Some(1),
                    finish_on_key: "#".into(),
                    action_on_empty_result: false,
                    prompts: vec![
                        Verb::Say {
                            text: "Welcome to Riverside Water. For billing, press 1. For a leak, press 2."
                                .into()
                        },
                        Verb::Pause { seconds: 1 },
                    ],
                }),
                Verb::Say {
                    text: "Sorry, we did not hear you.".into()
                },
                Verb::Redirect {
                    url: "/voice".into(),
                    method: Method::Get
                },
            ]
        );
    }

    #[test]
    fn every_modelled_verb_reads() {
        let reply = parse(
            r#"<Response><Play>https://x.test/a.mp3</Play><Pause length="3"/>
<Gather input="speech dtmf" timeout="3" finishOnKey="" actionOnEmptyResult="true"/>
<Dial><Number>+15550100</Number></Dial><Enqueue waitUrl="/hold">support</Enqueue>
<Hangup/><Reject/></Response>"#,
        );
        let kinds: Vec<&str> = reply
            .verbs
            .iter()
            .map(|v| match v {
                Verb::Say { .. } => "say",
                Verb::Play { .. } => "play",
                Verb::Pause { .. } => "pause",
                Verb::Gather(_) => "gather",
                Verb::Redirect { .. } => "redirect",
                Verb::Dial { .. } => "dial",
                Verb::Enqueue { .. } => "enqueue",
                Verb::Hangup => "hangup",
                Verb::Reject => "reject",
            })
            .collect();
        assert_eq!(
            kinds,
            ["play", "pause", "gather", "dial", "enqueue", "hangup", "reject"]
        );
        let Verb::Gather(gather) = &reply.verbs[2] else {
            unreachable!()
        };
        assert!(gather.input.dtmf && gather.input.speech);
        assert_eq!(gather.action, None, "no action: the document's own URL");
        assert_eq!((gather.timeout, gather.finish_on_key.as_str()), (3, ""));
        assert!(gather.action_on_empty_result);
        assert_eq!(
            reply.verbs[3],
            Verb::Dial {
                target: "+15550100".into()
            }
        );
        assert_eq!(reply.verbs[1], Verb::Pause { seconds: 3 });
    }

    #[test]
    fn entities_and_cdata_become_text() {
        let reply = parse("<Response><Say>Billing &amp; payments, press &#49;<![CDATA[ now]]><break/>please</Say></Response>");
        assert_eq!(
            reply.verbs,
            vec![Verb::Say {
                text: "Billing & payments, press 1 now please".into()
            }]
        );
    }

    #[test]
    fn an_empty_response_ends_the_call() {
        assert_eq!(parse("<Response/>").verbs, vec![]);
        assert_eq!(parse("<Response>\n</Response>").verbs, vec![]);
    }

    #[test]
    fn bad_replies_say_what_and_where() {
        let cases: [(&str, &str); 9] = [
            ("", "no `<Response>`"),
            ("<Html><Body/></Html>", "`<Html>`, not `<Response>`"),
            ("<Response><Say>hi</Response>", "not well-formed"),
            (
                "<Response>\n  <Sms>hi</Sms></Response>",
                "line 2, column 3: `<Sms>`",
            ),
            (
                "<Response><Gather><Dial>1</Dial></Gather></Response>",
                "inside <Gather",
            ),
            (
                "<Response><Gather timeout=\"soon\"/></Response>",
                "whole number",
            ),
            (
                "<Response><Gather input=\"keys\"/></Response>",
                "`dtmf`, `speech`",
            ),
            ("<Response><Redirect/></Response>", "needs a URL"),
            ("<Response/><Response/>", "second root"),
        ];
        for (text, expected) in cases {
            let error = Response::parse(text).expect_err(text).to_string();
            assert!(error.contains(expected), "{text:?} gave {error:?}");
        }
    }

    proptest::proptest! {
        /// Whatever a server sends, reading it ends in a reply or an error,
        /// never a panic: fragments of TwiML shuffled with stray markup.
        #[test]
        fn any_reply_reads_or_fails_cleanly(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<Response>", "</Response>", "<Gather numDigits=\"1\">", "</Gather>",
                "<Say>", "</Say>", "press 1", "&amp;", "&#x31;", "&bogus;", "<Pause/>",
                "<Redirect>", "/next", "</Redirect>", "<![CDATA[x]]>", "<!-- c -->",
                "<?xml version=\"1.0\"?>", "<", ">", "\"", "é", "\n",
                "<Gather timeout=\"x\"/>", "<Dial>", "</Dial>", "<Unknown/>",
            ]), 0..24)
        ) {
            let text: String = parts.concat();
            let _ = Response::parse(&text);
        }
    }

    #[test]
    fn fingerprints_ignore_wording_noise_but_not_structure() {
        let a = parse("<Response><Gather numDigits=\"1\"><Say>For billing, press 1.</Say></Gather></Response>");
        let b = parse("<Response>\n<Gather numDigits=\"1\">\n<Say>for  BILLING press 1</Say></Gather></Response>");
        let c = parse("<Response><Gather numDigits=\"2\"><Say>For billing, press 1.</Say></Gather></Response>");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}
