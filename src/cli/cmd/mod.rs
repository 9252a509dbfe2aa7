//! One file per command: each takes what clap parsed and returns the exit
//! code. What several commands share lives beside this folder, in
//! `cli/load.rs`, `cli/report.rs`, `cli/live.rs` and `cli/output.rs`.

pub(crate) mod check;
pub(crate) mod crawl;
pub(crate) mod diff;
pub(crate) mod fuzz;
pub(crate) mod graph;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod lint;
pub(crate) mod merge;
pub(crate) mod mutate;
pub(crate) mod personas;
pub(crate) mod replay;
pub(crate) mod schema;
