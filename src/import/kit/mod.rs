//! What every importer shares, so that a new platform is one file that
//! reads its format and builds [`super::ir`] with these: unique ids
//! ([`ids`]), a JSON export read with the position of every key
//! ([`json`]), and bounded loops spelt out in the graph ([`unroll`]). The
//! targets of a node are [`super::ir::IrKind::targets`].

pub(crate) mod ids;
pub(crate) mod json;
pub(crate) mod unroll;

pub(crate) use ids::UniqueIds;
pub(crate) use unroll::{unroll, BoundedLoop, LoopNames};
