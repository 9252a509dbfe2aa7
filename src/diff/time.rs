//! Caller time and demand in a diff: per channel (and customer type) the
//! shares of demand self-served, transferred and not served and the mean
//! seconds to be served and to reach a person on both sides; per intent
//! the outcome and the seconds to be served; the sentences that say what a
//! change does to callers; and the two gates, `--max-time-increase`
//! (`--fail-on time`) and `--fail-on unserved`.
//!
//! Both sides are always compared on the same basis. When both reports
//! carry `demand`, its figures are compared (per channel weighted alike on
//! both sides, else every intent counting once on both). When either lacks
//! it (a set compared by an older touchpoint, or a report saved before
//! demand was measured), both sides are compared on their `journeys`, every
//! intent counting once. When a side has neither, caller time is not
//! compared and a note says so: a gate never passes or fails on figures
//! that were not there.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{DiffReport, FailOn};
use crate::model::Channel;
use crate::report::Report;
pub use crate::results::DemandFigures;

/// Seconds are given to 0.1 s (journeys round to it), so a smaller change
/// is rounding, not a change: it is never listed and never fails.
const SECONDS_NOISE: f64 = 0.1;

/// Shares are computed in floating point; a difference this small is the
/// arithmetic, not demand that moved.
const SHARE_NOISE: f64 = 1e-9;

/// New minus old, for the figures present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandShift {
    /// Changes of the shares (between -1 and 1).
    pub self_served: f64,
    pub transferred: f64,
    pub not_served: f64,
    /// Change of the mean seconds to be served, to 0.1 s, and in percent of
    /// the old mean (absent when the old mean is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_served: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_to_served: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_agent: Option<f64>,
}

/// One channel's demand (all customers, or one customer type) on both
/// sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandChange {
    pub channel: Channel,
    /// Absent for all customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    /// Absent on the side that does not have this channel or customer type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<DemandFigures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<DemandFigures>,
    /// Present when both sides are, weighted alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<DemandShift>,
    /// For all customers: the mean seconds to be served over the intents
    /// served on both sides, weighted alike, which `--max-time-increase`
    /// judges. Absent when no intent is served on both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_on_both: Option<ServedOnBoth>,
}

/// A channel's mean seconds to be served, like for like: over the intents
/// served on both sides, each side's seconds weighted by the new side's
/// shares of demand (every intent once when the new side has no volumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServedOnBoth {
    /// How many intents are served on both sides.
    pub intents: usize,
    pub weighted: bool,
    pub old_mean_seconds: f64,
    pub new_mean_seconds: f64,
    /// The change in percent of the old mean; absent when that is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The two means before rounding, which the gate judges: a rise under
    /// 0.1 s must not become 0.1 s by rounding each mean.
    #[serde(skip)]
    exact: (f64, f64),
}

impl DemandChange {
    /// Whether anything a caller lives through moved beyond rounding.
    pub fn moved(&self) -> bool {
        let Some(shift) = &self.change else {
            return self.old.is_some() != self.new.is_some();
        };
        let seconds = |s: Option<f64>| s.is_some_and(|s| s.abs() >= SECONDS_NOISE - 1e-9);
        let means = |f: &Option<DemandFigures>| {
            f.as_ref().map(|f| {
                (
                    f.mean_seconds_to_served.is_some(),
                    f.mean_seconds_to_agent.is_some(),
                )
            })
        };
        [shift.self_served, shift.transferred, shift.not_served]
            .iter()
            .any(|d| d.abs() > SHARE_NOISE)
            || seconds(shift.seconds_to_served)
            || seconds(shift.seconds_to_agent)
            || means(&self.old) != means(&self.new)
    }
}

/// One intent on one channel, on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentFigures {
    /// `self_served`, `transferred` or `not_served`: what most of its
    /// callers get.
    pub outcome: String,
    /// Seconds to being served; absent when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Its share of the channel's demand; absent when not weighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Whether some or all of its callers are not served: under some
    /// variable values or from some flow where customers begin (from
    /// journeys), or as its outcome (from demand). Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_all_served: bool,
}

/// An intent whose outcome or time to be served changed, or that is on one
/// side only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentChange {
    pub channel: Channel,
    pub intent: String,
    /// Absent on the side that does not have the intent on this channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<IntentFigures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<IntentFigures>,
    /// Change of the seconds to be served, to 0.1 s, and in percent of the
    /// old; present when both sides serve it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// What the change does to these callers, in one sentence.
    pub sentence: String,
}

/// Where each side's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    /// `Report.demand` and `Report.demand_intents`.
    Demand,
    /// `Report.journeys`, every intent counting once.
    Journeys,
}

/// One intent on one channel as the comparison reads it.
#[derive(Debug, Clone)]
struct IntentView {
    channel: Channel,
    intent: String,
    outcome: String,
    seconds: Option<f64>,
    /// Share of the channel's demand when the side is weighted.
    share: Option<f64>,
    /// Shares of this intent's callers self-served, transferred and not
    /// served (one of them 1 when a report gives only the main outcome).
    outcomes: [f64; 3],
    seconds_to_agent: Option<f64>,
    /// Whether some or all of its callers are not served.
    not_all_served: bool,
}

const OUTCOMES: [&str; 3] = ["self_served", "transferred", "not_served"];

fn outcome_index(outcome: &str) -> Option<usize> {
    OUTCOMES.iter().position(|o| *o == outcome)
}

/// `y` as a change from `x`, in percent to 0.1; none from 0.
fn percent_of(x: f64, y: f64) -> Option<f64> {
    (x > 0.0).then(|| round1((y - x) / x * 100.0))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The intents of a report, from `demand_intents`, with their share of
/// demand where the channel's demand is weighted by volume.
fn intents_from_demand(report: &Report) -> Vec<IntentView> {
    let weighted = |channel: Channel| {
        report
            .demand
            .iter()
            .any(|d| d.channel == channel && d.customer_type.is_none() && d.figures.weighted)
    };
    report
        .demand_intents
        .iter()
        .map(|d| {
            let mut outcomes = [0.0; 3];
            if let Some(i) = outcome_index(&d.outcome) {
                outcomes[i] = 1.0;
            }
            IntentView {
                channel: d.channel,
                intent: d.intent.clone(),
                outcome: d.outcome.clone(),
                seconds: d.seconds,
                share: weighted(d.channel).then_some(d.share),
                outcomes,
                seconds_to_agent: None,
                not_all_served: d.outcome == "not_served",
            }
        })
        .collect()
}

/// The intents of a report, from `journeys`: an intent's entries (one per
/// flow where customers begin and group of variable values) count alike.
/// Its outcome is the most frequent among them, the worse on a tie, and
/// its seconds the mean over the entries that serve it.
fn intents_from_journeys(report: &Report) -> Vec<IntentView> {
    let mut groups: Vec<((Channel, &str), Vec<&crate::results::Journey>)> = Vec::new();
    let mut index: FxHashMap<(Channel, &str), usize> = FxHashMap::default();
    for j in &report.journeys {
        let key = (j.channel, j.intent.as_str());
        let i = *index.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(j);
    }
    groups
        .into_iter()
        .map(|((channel, intent), entries)| {
            let mut counts = [0usize; 3];
            for j in &entries {
                if let Some(i) = outcome_index(&j.outcome) {
                    counts[i] += 1;
                }
            }
            let n = entries.len() as f64;
            // The last index with the most entries: the worse outcome wins
            // a tie, so that a tie never hides callers left unserved.
            let main = (0..3).max_by_key(|&i| (counts[i], i)).unwrap_or(2);
            IntentView {
                channel,
                intent: intent.to_string(),
                outcome: OUTCOMES[main].to_string(),
                seconds: mean(entries.iter().filter_map(|j| j.seconds)).map(round1),
                share: None,
                outcomes: counts.map(|c| c as f64 / n),
                seconds_to_agent: mean(entries.iter().filter_map(|j| j.seconds_to_agent))
                    .map(round1),
                not_all_served: counts[2] > 0,
            }
        })
        .collect()
}

/// A channel's figures with every intent counting once.
fn unweighted(intents: &[IntentView], channel: Channel) -> Option<DemandFigures> {
    let on: Vec<&IntentView> = intents.iter().filter(|i| i.channel == channel).collect();
    if on.is_empty() {
        return None;
    }
    let n = on.len() as f64;
    let share = |k: usize| on.iter().map(|i| i.outcomes[k]).sum::<f64>() / n;
    Some(DemandFigures {
        weighted: false,
        volume: n,
        self_served: share(0),
        transferred: share(1),
        not_served: share(2),
        mean_seconds_to_served: mean(on.iter().filter_map(|i| i.seconds)).map(round1),
        mean_seconds_to_agent: mean(on.iter().filter_map(|i| i.seconds_to_agent)).map(round1),
    })
}

/// A side's intents by channel and name, so that pairing the two sides'
/// intents stays linear in their number.
type Index<'a> = FxHashMap<(Channel, &'a str), &'a IntentView>;

fn index(views: &[IntentView]) -> Index<'_> {
    views
        .iter()
        .map(|v| ((v.channel, v.intent.as_str()), v))
        .collect()
}

/// A side's figures per (channel, customer type).
type Figures = Vec<((Channel, Option<String>), DemandFigures)>;

fn channels_of(intents: &[IntentView]) -> Vec<Channel> {
    let mut channels: Vec<Channel> = intents.iter().map(|i| i.channel).collect();
    channels.sort();
    channels.dedup();
    channels
}

/// Compares caller time and demand, filling `out.demand`, `out.intents`,
/// notes and regressions.
pub(super) fn compare(
    old: &Report,
    new: &Report,
    fail_on: &[FailOn],
    max_time_increase: f64,
    out: &mut DiffReport,
) {
    let Some(basis) = basis(old, new, out) else {
        return;
    };
    let (old_intents, new_intents) = match basis {
        Basis::Demand => (intents_from_demand(old), intents_from_demand(new)),
        Basis::Journeys => (intents_from_journeys(old), intents_from_journeys(new)),
    };
    let (old_figures, new_figures) = match basis {
        Basis::Demand => {
            let of = |r: &Report| -> Figures {
                r.demand
                    .iter()
                    .map(|d| ((d.channel, d.customer_type.clone()), d.figures.clone()))
                    .collect()
            };
            (of(old), of(new))
        }
        Basis::Journeys => {
            let of = |intents: &[IntentView]| -> Figures {
                channels_of(intents)
                    .into_iter()
                    .filter_map(|c| unweighted(intents, c).map(|f| ((c, None), f)))
                    .collect()
            };
            (of(&old_intents), of(&new_intents))
        }
    };
    out.demand = demand_changes(old_figures, new_figures);
    let mut notes = Vec::new();
    let old_index = index(&old_intents);
    for change in out.demand.iter_mut().filter(|c| c.customer_type.is_none()) {
        change.served_on_both = served_on_both(change.channel, &old_index, &new_intents);
        // Volumes added or removed: the two sides' means measure different
        // things, so only the like-for-like mean is compared.
        if let (Some(a), Some(b)) = (&change.old, &change.new) {
            if a.weighted != b.weighted {
                let (weighted, plain, by) = if b.weighted {
                    ("new", "old", "the new side's shares of demand")
                } else {
                    ("old", "new", "every intent counting once")
                };
                notes.push(format!(
                    "{channel}: the {weighted} side weights intents by volume and the {plain} side does not, so the channel's figures are not compared; the time gate weighs both sides by {by}",
                    channel = change.channel
                ));
            }
        }
    }
    out.notes.extend(notes);
    out.intents = intent_changes(&old_intents, &new_intents);
    gate(fail_on, max_time_increase, out);
}

/// Which figures both sides can be compared on, with a note when it is not
/// the demand or when there is none.
fn basis(old: &Report, new: &Report, out: &mut DiffReport) -> Option<Basis> {
    let sides = [("old", old), ("new", new)];
    // The gate reads the intents; channel figures without them are not
    // enough to compare on.
    let has_demand = |r: &Report| !r.demand.is_empty() && !r.demand_intents.is_empty();
    if sides.iter().all(|(_, r)| has_demand(r)) {
        return Some(Basis::Demand);
    }
    // A side with no flows and no intents is a set that did not exist
    // there; the notes already say everything on the other side is new or
    // gone.
    let empty =
        |r: &Report| r.structure.flows.is_empty() && r.intents.is_empty() && r.journeys.is_empty();
    if sides.iter().any(|(_, r)| empty(r)) {
        return None;
    }
    if sides.iter().all(|(_, r)| !r.journeys.is_empty()) {
        if let Some((side, _)) = sides
            .iter()
            .find(|(_, r)| !has_demand(r) && sides.iter().any(|(_, o)| has_demand(o)))
        {
            out.notes.push(format!(
                "the {side} side has no demand figures (a report saved by an older touchpoint): caller time is compared on the journeys, every intent counting once"
            ));
        }
        return Some(Basis::Journeys);
    }
    // Journeys are missing on a side that has intents (a report saved
    // before journeys were measured), or one side has none to compare.
    let lacking: Vec<&str> = sides
        .iter()
        .filter(|(_, r)| r.journeys.is_empty())
        .map(|(side, _)| *side)
        .collect();
    if sides
        .iter()
        .any(|(_, r)| !r.journeys.is_empty() || !r.intents.is_empty())
    {
        out.notes.push(format!(
            "caller time is not compared: the {} side has no journeys (a report saved by an older touchpoint, or a set whose channels expect no intents)",
            lacking.join(" and the ")
        ));
    }
    None
}

fn demand_changes(old: Figures, new: Figures) -> Vec<DemandChange> {
    let mut keys: Vec<(Channel, Option<String>)> = old
        .iter()
        .chain(new.iter())
        .map(|(k, _)| k.clone())
        .collect();
    keys.sort();
    keys.dedup();
    let find = |figures: &Figures, key: &(Channel, Option<String>)| {
        figures
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
    };
    keys.into_iter()
        .map(|key| {
            let (a, b) = (find(&old, &key), find(&new, &key));
            let change = match (&a, &b) {
                (Some(a), Some(b)) if a.weighted == b.weighted => Some(shift(a, b)),
                _ => None,
            };
            DemandChange {
                channel: key.0,
                customer_type: key.1,
                old: a,
                new: b,
                change,
                served_on_both: None,
            }
        })
        .collect()
}

fn shift(a: &DemandFigures, b: &DemandFigures) -> DemandShift {
    let both = |x: Option<f64>, y: Option<f64>| x.zip(y);
    let served = both(a.mean_seconds_to_served, b.mean_seconds_to_served);
    DemandShift {
        self_served: b.self_served - a.self_served,
        transferred: b.transferred - a.transferred,
        not_served: b.not_served - a.not_served,
        seconds_to_served: served.map(|(x, y)| round1(y - x)),
        percent_to_served: served.and_then(|(x, y)| percent_of(x, y)),
        seconds_to_agent: both(a.mean_seconds_to_agent, b.mean_seconds_to_agent)
            .map(|(x, y)| round1(y - x)),
    }
}

fn figures(view: &IntentView) -> IntentFigures {
    IntentFigures {
        outcome: view.outcome.clone(),
        seconds: view.seconds,
        share: view.share,
        not_all_served: view.not_all_served,
    }
}

/// The intents whose outcome or seconds to be served changed, and those on
/// one side only, ordered by the size of the effect: changes of outcome
/// (and intents on one side only) first, since a caller who is no longer
/// served loses more than time, then by share of demand × seconds.
fn intent_changes(old: &[IntentView], new: &[IntentView]) -> Vec<IntentChange> {
    let (old_index, new_index) = (index(old), index(new));
    let find =
        |index: &Index, c: Channel, intent: &str| index.get(&(c, intent)).map(|v| (*v).clone());
    let mut keys: Vec<(Channel, String)> = old
        .iter()
        .chain(new)
        .map(|v| (v.channel, v.intent.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut changes: Vec<(bool, f64, IntentChange)> = Vec::new();
    for (channel, intent) in keys {
        let (a, b) = (
            find(&old_index, channel, &intent),
            find(&new_index, channel, &intent),
        );
        let seconds = match (&a, &b) {
            (Some(a), Some(b)) => a.seconds.zip(b.seconds).map(|(x, y)| round1(y - x)),
            _ => None,
        };
        let outcome_changed = match (&a, &b) {
            (Some(a), Some(b)) => a.outcome != b.outcome || a.not_all_served != b.not_all_served,
            _ => true,
        };
        let time_changed = seconds.is_some_and(|d| d.abs() >= SECONDS_NOISE - 1e-9);
        if !outcome_changed && !time_changed {
            continue;
        }
        let share = b.as_ref().or(a.as_ref()).and_then(|v| v.share);
        let effect = share.unwrap_or(1.0) * seconds.map_or(0.0, f64::abs);
        let percent = match (&a, &b) {
            (Some(a), Some(b)) => a.seconds.zip(b.seconds).and_then(|(x, y)| percent_of(x, y)),
            _ => None,
        };
        let sentence = sentence(channel, &intent, a.as_ref(), b.as_ref(), share);
        // The effect decides the order among time changes; among changes
        // of outcome the share does, since their seconds are not
        // comparable (one side has none).
        let size = if outcome_changed {
            share.unwrap_or(1.0)
        } else {
            effect
        };
        changes.push((
            outcome_changed,
            size,
            IntentChange {
                channel,
                intent,
                old: a.as_ref().map(figures),
                new: b.as_ref().map(figures),
                seconds,
                percent,
                sentence,
            },
        ));
    }
    changes.sort_by(|(oa, ea, a), (ob, eb, b)| {
        ob.cmp(oa)
            .then(eb.total_cmp(ea))
            .then(a.channel.cmp(&b.channel))
            .then(a.intent.cmp(&b.intent))
    });
    changes.into_iter().map(|(_, _, c)| c).collect()
}

/// Seconds as people read them: whole seconds, with a tenth only where
/// there is one (figures are given to 0.1 s), so that a difference shown
/// beside two times is the difference of the times shown.
pub fn seconds_text(seconds: f64) -> String {
    let tenths = (seconds.abs() * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{:.0} s", tenths / 10.0)
    } else {
        format!("{:.1} s", tenths / 10.0)
    }
}

/// A share of demand in percent: whole percents, or tenths below one.
pub fn share_text(share: f64) -> String {
    let percent = share * 100.0;
    if percent >= 1.0 || percent == 0.0 {
        format!("{percent:.0}%")
    } else {
        format!("{percent:.1}%")
    }
}

fn people(channel: Channel) -> String {
    match channel {
        Channel::Phone => "phone callers".to_string(),
        other => format!("{other} customers"),
    }
}

/// How an outcome reads after "they were" / "now".
fn outcome_phrase(view: &IntentView) -> String {
    let time = view
        .seconds
        .map(|s| format!(" in {}", seconds_text(s)))
        .unwrap_or_default();
    match view.outcome.as_str() {
        "self_served" => format!("served by self-service{time}"),
        "transferred" => format!("transferred to a person{time}"),
        _ => "not served".to_string(),
    }
}

fn sentence(
    channel: Channel,
    intent: &str,
    old: Option<&IntentView>,
    new: Option<&IntentView>,
    share: Option<f64>,
) -> String {
    let who = match share {
        Some(share) => format!(
            "the {} of {} who want `{intent}`",
            share_text(share),
            people(channel)
        ),
        None => format!("{} who want `{intent}`", people(channel)),
    };
    let of_demand = share
        .map(|s| format!(" ({} of {})", share_text(s), people(channel)))
        .unwrap_or_default();
    let (a, b) = match (old, new) {
        (Some(a), Some(b)) => (a, b),
        (None, Some(b)) => {
            return format!(
                "`{intent}` is new on {channel}{of_demand}: {}.",
                outcome_phrase(b)
            )
        }
        (Some(a), _) => {
            return format!(
                "`{intent}` is no longer expected on {channel}{of_demand}; it was {}.",
                outcome_phrase(a)
            )
        }
        (None, None) => return String::new(),
    };
    let times = match (a.seconds, b.seconds) {
        (Some(x), Some(y)) => format!(" ({} → {})", seconds_text(x), seconds_text(y)),
        _ => String::new(),
    };
    match (a.outcome.as_str(), b.outcome.as_str()) {
        (x, y) if x == y && a.not_all_served != b.not_all_served => {
            let of = if share.is_some() { " of" } else { "" };
            if b.not_all_served {
                format!(
                    "This change leaves some{of} {who} unserved (under some variable values or from some start); before, all of them were {}.",
                    outcome_phrase(a)
                )
            } else {
                format!(
                    "This change serves all{of} {who}; before, some were left unserved. They are {}.",
                    outcome_phrase(b)
                )
            }
        }
        (x, y) if x == y => {
            let delta = b.seconds.zip(a.seconds).map_or(0.0, |(y, x)| y - x);
            if delta > 0.0 {
                format!(
                    "This change makes {who} wait {} longer before they are served{times}.",
                    seconds_text(delta)
                )
            } else {
                format!(
                    "This change serves {who} {} sooner{times}.",
                    seconds_text(delta)
                )
            }
        }
        (_, "not_served") => format!(
            "This change leaves {who} unserved; they were {}.",
            outcome_phrase(a)
        ),
        ("not_served", _) => format!(
            "This change serves {who}, who were not served before: {}.",
            outcome_phrase(b)
        ),
        ("self_served", _) => format!(
            "This change transfers {who} to a person instead of serving them by self-service{times}."
        ),
        _ => format!(
            "This change serves {who} by self-service instead of transferring them to a person{times}."
        ),
    }
}

/// The like-for-like mean seconds to be served on a channel: over the
/// intents served on both sides, each side's seconds weighted alike, by
/// the new side's shares when it is weighted, else every intent once.
/// Serving callers who were not served before (usually slowly), or volumes
/// estimated anew, then never reads as the same callers waiting longer.
fn served_on_both(channel: Channel, old: &Index, new: &[IntentView]) -> Option<ServedOnBoth> {
    let mut weight = 0.0;
    let (mut old_sum, mut new_sum) = (0.0, 0.0);
    let mut intents = 0;
    let weighted = new
        .iter()
        .any(|v| v.channel == channel && v.share.is_some());
    for b in new.iter().filter(|v| v.channel == channel) {
        let Some(a) = old.get(&(channel, b.intent.as_str())) else {
            continue;
        };
        let (Some(x), Some(y)) = (a.seconds, b.seconds) else {
            continue;
        };
        let w = if weighted {
            b.share.unwrap_or(0.0)
        } else {
            1.0
        };
        weight += w;
        old_sum += w * x;
        new_sum += w * y;
        intents += 1;
    }
    if intents == 0 || weight <= 0.0 {
        return None;
    }
    let (x, y) = (old_sum / weight, new_sum / weight);
    Some(ServedOnBoth {
        intents,
        weighted,
        old_mean_seconds: round1(x),
        new_mean_seconds: round1(y),
        percent: percent_of(round1(x), round1(y)),
        exact: (x, y),
    })
}

/// The gates, as `--fail-on` selects them: `time`, a channel's
/// like-for-like mean seconds to be served ([`served_on_both`]) up by more
/// than `max_time_increase` percent (and by 0.1 s at least: less is
/// rounding); `unserved`, intents on both sides whose callers were served
/// and now are not, or not all of them.
fn gate(fail_on: &[FailOn], max_time_increase: f64, out: &mut DiffReport) {
    let mut regressions = Vec::new();
    for change in out.demand.iter().filter(|c| c.customer_type.is_none()) {
        let channel = change.channel;
        let named = |pred: &dyn Fn(&IntentChange) -> bool| -> Vec<&IntentChange> {
            out.intents
                .iter()
                .filter(|i| i.channel == channel && pred(i))
                .collect()
        };
        // The intents with the largest effect, the rest counted: a set of
        // hundreds of intents still gives a sentence one can read.
        let names = |intents: &[&IntentChange]| {
            const SHOWN: usize = 5;
            let mut text = intents
                .iter()
                .take(SHOWN)
                .map(|i| format!("`{}`", i.intent))
                .collect::<Vec<_>>()
                .join(", ");
            if intents.len() > SHOWN {
                text.push_str(&format!(" and {} more", intents.len() - SHOWN));
            }
            text
        };
        if let (true, Some(both)) = (fail_on.contains(&FailOn::Time), &change.served_on_both) {
            // The rise is judged before rounding (rounding each mean can
            // make 0.05 s look like 0.1 s); the percent is the one of the
            // means shown, so that the message adds up.
            let rise = both.exact.1 - both.exact.0;
            let percent = both.percent.unwrap_or(f64::INFINITY);
            if rise >= SECONDS_NOISE - 1e-9 && percent > max_time_increase {
                let slower = named(&|i| i.seconds.is_some_and(|s| s > 0.0));
                let by = if percent.is_finite() {
                    format!("+{percent:.1}%")
                } else {
                    "up from 0 s".to_string()
                };
                let mean = if both.weighted {
                    "demand-weighted mean"
                } else {
                    "mean (every intent counting once)"
                };
                regressions.push(format!(
                    "the {mean} time to be served on {channel} rose from {:.1} s to {:.1} s ({by}, more than {max_time_increase}%), over the {} intents served on both sides{}",
                    both.old_mean_seconds,
                    both.new_mean_seconds,
                    both.intents,
                    if slower.is_empty() {
                        String::new()
                    } else {
                        format!("; slower: {}", names(&slower))
                    }
                ));
            }
        }
        if fail_on.contains(&FailOn::Unserved) {
            let lost = named(&|i| {
                matches!((&i.old, &i.new), (Some(a), Some(b))
                    if !a.not_all_served && b.not_all_served)
            });
            if !lost.is_empty() {
                let share: Option<f64> = lost
                    .iter()
                    .map(|i| i.new.as_ref().and_then(|n| n.share))
                    .sum();
                let of_demand = share
                    .map(|s| format!(" ({} of {channel} demand)", share_text(s)))
                    .unwrap_or_default();
                regressions.push(format!(
                    "{} who want {} were all served and now some or all are not{of_demand}",
                    people(channel),
                    names(&lost)
                ));
            }
        }
    }
    out.regressions.extend(regressions);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Demand, DemandIntent, Journey};

    fn journey(intent: &str, outcome: &str, seconds: Option<f64>) -> Journey {
        Journey {
            channel: Channel::Phone,
            flow: "main".to_string(),
            intent: intent.to_string(),
            when: None,
            outcome: outcome.to_string(),
            steps: seconds.map(|_| 2),
            seconds,
            seconds_to_agent: Some(20.0),
            menus_to_agent: Some(1),
            deepest_menu: None,
            seconds_to_agent_from_deepest: None,
            menus_to_agent_from_deepest: None,
            inputs: Vec::new(),
            path: Vec::new(),
        }
    }

    fn side(journeys: Vec<Journey>) -> Report {
        let mut report = Report::new("check", "set".to_string(), 42);
        report.journeys = journeys;
        report
    }

    /// Demand per intent: (intent, volume, outcome, seconds), and the
    /// channel's figures as a report would give them.
    fn weighted(intents: &[(&str, f64, &str, Option<f64>)]) -> Report {
        let mut report = side(
            intents
                .iter()
                .map(|(i, _, o, s)| journey(i, o, *s))
                .collect(),
        );
        let total: f64 = intents.iter().map(|i| i.1).sum();
        let share = |o: &str| {
            intents
                .iter()
                .filter(|i| i.2 == o)
                .map(|i| i.1)
                .sum::<f64>()
                / total
        };
        let served: Vec<(f64, f64)> = intents
            .iter()
            .filter_map(|i| i.3.map(|s| (i.1, s)))
            .collect();
        report.demand = vec![Demand {
            channel: Channel::Phone,
            customer_type: None,
            figures: crate::results::DemandFigures {
                weighted: true,
                volume: total,
                self_served: share("self_served"),
                transferred: share("transferred"),
                not_served: share("not_served"),
                mean_seconds_to_served: (!served.is_empty()).then(|| {
                    served.iter().map(|(v, s)| v * s).sum::<f64>()
                        / served.iter().map(|(v, _)| v).sum::<f64>()
                }),
                mean_seconds_to_agent: None,
            },
        }];
        report.demand_intents = intents
            .iter()
            .map(|(i, v, o, s)| DemandIntent {
                channel: Channel::Phone,
                intent: i.to_string(),
                volume: *v,
                share: v / total,
                outcome: o.to_string(),
                seconds: *s,
                caller_minutes: v * s.unwrap_or(0.0) / 60.0,
            })
            .collect();
        report
    }

    fn compared(old: &Report, new: &Report, limit: f64) -> DiffReport {
        super::super::diff(
            old,
            new,
            &FailOn::DEFAULT,
            super::super::Limits {
                max_coverage_drop: 5.0,
                max_time_increase: limit,
            },
        )
    }

    /// Serving callers who were not served before, slowly, raises the mean
    /// over the served demand; the callers served before wait no longer,
    /// so the time gate holds.
    #[test]
    fn serving_more_callers_slowly_is_no_slowdown() {
        let old = weighted(&[
            ("pay", 100.0, "self_served", Some(20.0)),
            ("claim", 100.0, "not_served", None),
        ]);
        let new = weighted(&[
            ("pay", 100.0, "self_served", Some(20.0)),
            ("claim", 100.0, "transferred", Some(90.0)),
        ]);
        let out = compared(&old, &new, 10.0);
        assert!(out.regressions.is_empty(), "{:#?}", out.regressions);
        let claim = &out.intents[0];
        assert_eq!(claim.intent, "claim");
        assert!(claim.sentence.contains("who were not served before"));
    }

    /// Volumes estimated anew move the weighted mean without any caller
    /// waiting longer: no regression, though the figures show the move.
    #[test]
    fn new_volumes_alone_are_no_slowdown() {
        let old = weighted(&[
            ("pay", 900.0, "self_served", Some(20.0)),
            ("claim", 100.0, "self_served", Some(60.0)),
        ]);
        let new = weighted(&[
            ("pay", 100.0, "self_served", Some(20.0)),
            ("claim", 900.0, "self_served", Some(60.0)),
        ]);
        let out = compared(&old, &new, 10.0);
        assert!(out.regressions.is_empty(), "{:#?}", out.regressions);
        assert!(out.intents.is_empty());
        let shift = out.demand[0].change.as_ref().unwrap();
        assert!(shift.seconds_to_served.unwrap() > 30.0);
    }

    /// A channel that serves nobody on the new side has no time to
    /// compare; losing its callers is the `unserved` regression.
    #[test]
    fn a_channel_that_serves_nobody_fails_as_unserved_not_as_slow() {
        let old = side(vec![journey("pay", "self_served", Some(20.0))]);
        let new = side(vec![journey("pay", "not_served", None)]);
        let out = compared(&old, &new, 10.0);
        assert_eq!(out.regressions.len(), 1, "{:#?}", out.regressions);
        assert!(out.regressions[0].contains("`pay` were all served and now some or all are not"));
        assert!(out.demand[0].served_on_both.is_none());
    }

    /// An intent served under some variable values only, where it was
    /// served under all, is callers newly left unserved, whichever outcome
    /// most of its journeys have.
    #[test]
    fn callers_left_unserved_under_some_values_are_a_regression() {
        let old = side(vec![journey("pay", "self_served", Some(20.0))]);
        let mut open = journey("pay", "self_served", Some(20.0));
        open.when = Some("hours=open".to_string());
        let mut second = open.clone();
        second.flow = "web_callback".to_string();
        let mut closed = journey("pay", "not_served", None);
        closed.when = Some("hours=closed".to_string());
        let new = side(vec![open, second, closed]);
        let out = compared(&old, &new, 10.0);
        assert_eq!(out.intents.len(), 1);
        assert!(out.intents[0]
            .sentence
            .contains("leaves some phone callers"));
        assert_eq!(out.regressions.len(), 1, "{:#?}", out.regressions);
    }

    /// A rise of the mean under 0.1 s is rounding, even with no increase
    /// allowed; 0.1 s is not.
    #[test]
    fn a_rise_under_a_tenth_of_a_second_never_fails() {
        let old = side(vec![
            journey("pay", "self_served", Some(20.0)),
            journey("claim", "self_served", Some(20.0)),
        ]);
        let nearly = side(vec![
            journey("pay", "self_served", Some(20.1)),
            journey("claim", "self_served", Some(20.0)),
        ]);
        assert!(compared(&old, &nearly, 0.0).regressions.is_empty());
        let slower = side(vec![
            journey("pay", "self_served", Some(20.1)),
            journey("claim", "self_served", Some(20.1)),
        ]);
        assert_eq!(compared(&old, &slower, 0.0).regressions.len(), 1);
    }

    /// A regression names the five intents with the largest effect and
    /// counts the rest.
    #[test]
    fn a_regression_names_five_intents_and_counts_the_rest() {
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let old = side(
            names
                .iter()
                .map(|n| journey(n, "self_served", Some(20.0)))
                .collect(),
        );
        let new = side(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| journey(n, "self_served", Some(30.0 + i as f64)))
                .collect(),
        );
        let out = compared(&old, &new, 10.0);
        assert_eq!(out.regressions.len(), 1, "{:#?}", out.regressions);
        assert!(
            out.regressions[0].ends_with("slower: `g`, `f`, `e`, `d`, `c` and 2 more"),
            "{}",
            out.regressions[0]
        );
    }

    /// A report from before journeys and structure were saved still has
    /// its intents: it is not taken for a set that did not exist, and the
    /// diff says caller time was not compared.
    #[test]
    fn a_report_without_journeys_or_structure_says_time_was_not_compared() {
        let mut old = Report::new("check", "old".to_string(), 42);
        old.intents = vec![crate::results::IntentAvailability {
            intent: "pay".to_string(),
            channel: Channel::Phone,
            served: "always".to_string(),
            when: None,
        }];
        let new = side(vec![journey("pay", "self_served", Some(90.0))]);
        let out = compared(&old, &new, 10.0);
        assert!(out.regressions.is_empty() && out.demand.is_empty());
        assert!(
            out.notes
                .iter()
                .any(|n| n.starts_with("caller time is not compared: the old side has no journeys")),
            "{:#?}",
            out.notes
        );
    }

    /// Each kind of change has its sentence, with the share of demand
    /// where there are volumes.
    #[test]
    fn sentences_say_what_changed_for_callers() {
        let old = weighted(&[
            ("pay", 600.0, "self_served", Some(30.0)),
            ("claim", 400.0, "transferred", Some(50.0)),
        ]);
        let new = weighted(&[
            ("pay", 600.0, "transferred", Some(35.0)),
            ("claim", 400.0, "self_served", Some(45.0)),
        ]);
        let out = compared(&old, &new, 100.0);
        let sentences: Vec<&str> = out.intents.iter().map(|i| i.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            [
                "This change transfers the 60% of phone callers who want `pay` to a person instead of serving them by self-service (30 s → 35 s).",
                "This change serves the 40% of phone callers who want `claim` by self-service instead of transferring them to a person (50 s → 45 s).",
            ]
        );
    }

    /// Volumes added to a set change what its mean measures: the note says
    /// so, and the gate weighs both sides by the new shares.
    #[test]
    fn volumes_added_are_noted_and_the_gate_uses_the_new_shares() {
        let mut old = weighted(&[
            ("pay", 1.0, "self_served", Some(20.0)),
            ("claim", 1.0, "self_served", Some(60.0)),
        ]);
        old.demand[0].figures.weighted = false;
        old.demand_intents.iter_mut().for_each(|d| d.share = 0.5);
        let new = weighted(&[
            ("pay", 100.0, "self_served", Some(20.0)),
            ("claim", 900.0, "self_served", Some(66.0)),
        ]);
        let out = compared(&old, &new, 5.0);
        assert!(out.demand[0].change.is_none());
        assert!(out.notes.iter().any(|n| n.starts_with(
            "phone: the new side weights intents by volume and the old side does not"
        )));
        // 0.1 × 20 + 0.9 × 60 = 56 against 0.1 × 20 + 0.9 × 66 = 61.4.
        let both = out.demand[0].served_on_both.as_ref().unwrap();
        assert_eq!((both.old_mean_seconds, both.new_mean_seconds), (56.0, 61.4));
        assert_eq!(out.regressions.len(), 1, "{:#?}", out.regressions);
    }

    #[test]
    fn seconds_read_as_given() {
        assert_eq!(seconds_text(22.0), "22 s");
        assert_eq!(seconds_text(34.5), "34.5 s");
        assert_eq!(seconds_text(-2.1), "2.1 s");
        assert_eq!(seconds_text(0.04), "0 s");
    }
}
