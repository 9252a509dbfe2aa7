//! Live channels: driving a running phone tree the way the platform does.
//! So far this holds the reader of TwiML replies; the HTTP driver, the
//! crawler and live personas and fuzzing build on it (issue 7).

pub mod call;
pub mod crawl;
pub mod twiml;
