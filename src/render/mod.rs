//! Output formats. Each renders the same [`crate::report::Report`]; none of
//! them computes anything.

mod diagnostic;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod transcript;

pub use diagnostic::load_error_text;
pub(crate) use diagnostic::{first_line_span, ExcerptSource, Excerpts, SourceDiagnostic};

/// The variable values a finding happens under, as every format writes
/// them (`hours=closed, region=north`); empty when it happens whatever
/// they are.
pub(crate) fn vars_text(finding: &crate::finding::Finding) -> String {
    finding
        .vars
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether to colour output: only on a terminal, never with `NO_COLOR` set.
pub(crate) fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
