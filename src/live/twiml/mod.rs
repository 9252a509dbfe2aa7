//! TwiML, Twilio's language for phone apps, as one [`Protocol`]: `reply`
//! reads a reply into verbs with the platform's defaults, and `call` plays
//! a call through them as the platform does.

pub mod call;
pub mod reply;

pub use reply::{Gather, Response};

use url::Url;

use super::call::{Caller, Request};
use super::protocol::{Protocol, Session};

/// Twilio's TwiML over HTTP webhooks.
#[derive(Debug, Clone, Copy)]
pub struct Twiml;

impl Protocol for Twiml {
    fn name(&self) -> &'static str {
        "twiml"
    }

    fn about(&self) -> &'static str {
        "Twilio's TwiML over HTTP webhooks"
    }

    fn dial(
        &self,
        start: Url,
        caller: Caller,
        max_requests_between_inputs: usize,
    ) -> (Box<dyn Session>, Request) {
        let (call, first) = call::Call::dial(start, caller, max_requests_between_inputs);
        (Box::new(call), first)
    }

    fn application_error(&self) -> &'static str {
        "We are sorry, an application error has occurred. Goodbye."
    }
}
