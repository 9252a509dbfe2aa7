//! Live channels: driving a running phone tree the way the platform does.
//! `call` says what a call is and plays one through a `protocol` (the
//! trait every language an app speaks implements; `twiml` is one),
//! `crawl` discovers a tree from outcomes of calls, `personas` checks
//! model journeys against the app, `record` writes a call as a persona,
//! `fuzz` sends seeded random callers, `origin` decides where a call may
//! go, and `driver` is the only part that touches the network.

pub mod call;
pub mod crawl;
pub mod driver;
pub mod fuzz;
pub mod origin;
pub mod personas;
pub mod protocol;
pub mod record;
pub mod twiml;
