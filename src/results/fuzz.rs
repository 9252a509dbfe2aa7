//! What the fuzzer hands to the report.

use serde::{Deserialize, Serialize};

use crate::coverage::FlowReach;
use crate::finding::Finding;

/// What a fuzzing session did, for the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FuzzSummary {
    pub seed: u64,
    pub runs: usize,
    /// Inputs the generated customers gave, in all.
    pub steps: usize,
    /// Option and handler edges in the set, and how many runs took.
    pub edges: usize,
    pub edges_covered: usize,
    pub failures: usize,
}

/// The fuzzer's findings and what it did.
#[derive(Debug, Default)]
pub struct FuzzOutcome {
    pub findings: Vec<Finding>,
    /// What the generated customers reached, flow by flow.
    pub coverage: Vec<FlowReach>,
    pub summary: FuzzSummary,
    pub notes: Vec<String>,
}
