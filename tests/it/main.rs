//! The integration tests, one binary with a module per area. One binary
//! links the library and the test dependencies (tokio, reqwest, axum,
//! insta, proptest) once instead of once per area, and its tests share one
//! process: none may change process-wide state (environment variables, the
//! current directory) to anything but what every other test expects.
//!
//! The checks against real platform exports are a target of their own,
//! `tests/corpus.rs`, because they are ignored by default and read a folder
//! outside the repository.

// The tests start the binary, make git repositories and time out hung
// children: the clock and processes are theirs to use.
#![allow(clippy::disallowed_methods)]

mod common;

mod bpmn;
mod cli;
mod diff;
mod docs;
mod fixtures;
mod formats;
mod fuzz;
mod import;
mod init;
mod jobs;
mod live;
mod mutate;
mod mutation;
mod personas;
mod properties;
mod record;
mod report_page;
mod shards;
mod snapshots;
