//! touchpoint: walks every path through IVR, web and app menus and finds the
//! places where customers get stuck.
//!
//! The crate is a pure core (model, loader, compiled graph, analyses) with
//! thin edges (command line, renderers). See ARCHITECTURE.md.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod atomic_write;
pub mod cli;
pub mod clock;
pub mod coverage;
pub mod diff;
pub mod finding;
pub mod fuzz;
pub mod graph;
pub mod import;
pub mod input;
pub mod live;
pub mod loader;
pub mod machine;
pub mod model;
pub mod personas;
pub mod render;
pub mod replay;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod structure;
