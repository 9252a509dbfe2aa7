//! The demand figures as the human and markdown reports write them: the
//! same cells and the same words in both, so the two never disagree.

use crate::report::Report;
use crate::results::{Demand, DemandIntent};

/// How many of a channel's costliest intents the reports list.
const COSTLIEST_PER_CHANNEL: usize = 3;

/// The heading of the demand table, saying how demand was counted.
pub(crate) fn heading(report: &Report) -> &'static str {
    if report.demand.iter().all(|d| !d.figures.weighted) {
        "demand (not weighted: no intent has a `volume:`, so every intent counts once)"
    } else if report.demand.iter().all(|d| d.figures.weighted) {
        "demand (weighted by the intents' `volume:`)"
    } else {
        "demand (weighted by the intents' `volume:` where a channel's intents have one; elsewhere every intent counts once)"
    }
}

pub(crate) const COLUMNS: [&str; 8] = [
    "channel",
    "customers",
    "volume",
    "self-served",
    "transferred",
    "not served",
    "mean s to served",
    "mean s to a person",
];

/// One row of the demand table, cell by cell in the order of `COLUMNS`.
pub(crate) fn row(d: &Demand) -> [String; 8] {
    let seconds = |s: Option<f64>| s.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into());
    [
        d.channel.name().to_string(),
        d.customer_type.clone().unwrap_or_else(|| "all".into()),
        volume(d.figures.volume),
        percent(d.figures.self_served),
        percent(d.figures.transferred),
        percent(d.figures.not_served),
        seconds(d.figures.mean_seconds_to_served),
        seconds(d.figures.mean_seconds_to_agent),
    ]
}

/// The costliest intents of each channel, in the report's order (costliest
/// first within a channel).
pub(crate) fn costliest(report: &Report) -> Vec<&DemandIntent> {
    let mut out: Vec<&DemandIntent> = Vec::new();
    for intent in &report.demand_intents {
        let listed = out.iter().filter(|i| i.channel == intent.channel).count();
        if listed < COSTLIEST_PER_CHANNEL && intent.caller_minutes > 0.0 {
            out.push(intent);
        }
    }
    out
}

/// What one costly intent costs, in words: "1234.5 caller-minutes, mostly
/// transferred, 32.0% of demand"; without volumes, minutes per caller.
pub(crate) fn cost(report: &Report, intent: &DemandIntent) -> String {
    let weighted = report
        .demand
        .iter()
        .any(|d| d.channel == intent.channel && d.figures.weighted);
    let outcome = match intent.outcome.as_str() {
        "self_served" => "self-served",
        "transferred" => "transferred",
        _ => "not served",
    };
    if weighted {
        format!(
            "{:.1} caller-minutes, mostly {outcome}, {} of demand",
            intent.caller_minutes,
            percent(intent.share)
        )
    } else {
        format!(
            "{:.1} minutes per caller, mostly {outcome}",
            intent.caller_minutes
        )
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A volume as written: whole numbers without a fraction.
fn volume(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
