//! Output formats. Each renders the same [`crate::report::Report`]; none of
//! them computes anything.

pub mod bpmn;
mod demand;
mod diagnostic;
pub mod graph;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
mod layers;
pub mod markdown;
pub mod mutation;
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

/// A journey's outcome as people say it.
pub(crate) fn journey_outcome(journey: &crate::results::Journey) -> &'static str {
    match journey.outcome.as_str() {
        "self_served" => "self-served",
        "transferred" => "transferred",
        _ => "not served",
    }
}

/// How a caller who asks for a person reaches one: "person 38.9 s, 1 menu",
/// then, where the deepest menu on the way to being served is another
/// menu, "; from `billing` 61.2 s, 2 menus" or "; from `billing` no way to
/// a person"; nothing where they cannot ask (and on web and app).
pub(crate) fn journey_to_agent(journey: &crate::results::Journey) -> String {
    let menus_word = |menus: u32| if menus == 1 { "menu" } else { "menus" };
    let first = journey.seconds_to_agent.zip(journey.menus_to_agent);
    let mut said = match first {
        Some((seconds, menus)) => format!("person {seconds:.1} s, {menus} {}", menus_word(menus)),
        None => String::new(),
    };
    let Some(menu) = &journey.deepest_menu else {
        return said;
    };
    let deepest = journey
        .seconds_to_agent_from_deepest
        .zip(journey.menus_to_agent_from_deepest);
    // Where the deepest menu is the first, the figures are the ones
    // already said.
    let from_deepest = match deepest {
        Some(figures) if Some(figures) == first => return said,
        Some((seconds, menus)) => format!("{seconds:.1} s, {menus} {}", menus_word(menus)),
        None if first.is_none() => return said,
        None => "no way to a person".to_string(),
    };
    if !said.is_empty() {
        said.push_str("; ");
    }
    said.push_str(&format!("from `{menu}` {from_deepest}"));
    said
}
