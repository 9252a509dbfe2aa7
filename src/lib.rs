//! touchpoint: walks every path through IVR, web and app menus and finds the
//! places where customers get stuck.
//!
//! The crate is a pure core (model, loader, compiled graph, analyses) with
//! thin edges (command line, renderers). See ARCHITECTURE.md.

#![forbid(unsafe_code)]
// The public surface is what the binary, the tests and the benches use;
// everything else is `pub(crate)`, and this lint keeps a stray `pub` from
// claiming otherwise (CI denies warnings).
#![warn(unreachable_pub)]

pub mod analysis;
pub(crate) mod atomic_write;
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
pub mod mutate;
pub mod personas;
pub(crate) mod pretty_json;
pub mod render;
pub mod replay;
pub mod report;
pub mod results;
pub mod run;
pub(crate) mod scc;
pub mod schema;
pub(crate) mod streamed;
pub mod structure;
pub mod timing;
