//! Live channels: driving a running phone tree the way the platform does.
//! `twiml` reads replies, `call` holds the platform's rules for one call,
//! `crawl` discovers a tree from outcomes of calls, `personas` checks
//! model journeys against the app, and `driver` is the only part that
//! touches the network. Still to come (issue 7): live fuzzing.

pub mod call;
pub mod crawl;
pub mod driver;
pub mod personas;
pub mod twiml;
