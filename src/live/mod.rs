//! Live channels: driving a running phone tree the way the platform does.
//! `twiml` reads replies, `call` holds the platform's rules for one call,
//! `crawl` discovers a tree from outcomes of calls, and `driver` is the
//! only part that touches the network. Still to come (issue 7): the
//! `crawl` command, live personas and fuzzing, and the crawl benchmark.

pub mod call;
pub mod crawl;
pub mod driver;
pub mod twiml;
