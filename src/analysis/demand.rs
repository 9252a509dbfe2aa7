//! Demand: what share of a channel's customers is served by self-service,
//! by a person or not at all, how long they wait for it, and which needs
//! cost callers the most minutes (docs/report.md, "Demand").
//!
//! The figures come from the journeys the walk already produced, so they
//! cost no walk of their own. Each journey is weighted three ways:
//! - by the share of the channel's worlds (combinations of variable
//!   values) it holds for, every world counting equally, since a set says
//!   nothing about how often each value occurs;
//! - by the flow where customers begin, each such flow of the channel
//!   counting equally, since a set does not say how customers divide
//!   between its entry numbers or pages;
//! - by its intent's `volume:` (or, when no intent of the channel has one,
//!   by 1 for every intent).

use crate::model::{Channel, MenuSet};
use crate::results::{Demand, DemandFigures, DemandIntent, Journey};

/// One intent's figures on one channel, each a fraction of its customers
/// (the weights of its journeys sum to 1).
#[derive(Debug, Default, Clone)]
struct IntentFigures {
    intent: String,
    self_served: f64,
    transferred: f64,
    not_served: f64,
    /// The weight of the journeys that serve, and their seconds times it.
    served_weight: f64,
    served_seconds: f64,
    /// The weight of the journeys where a caller who asks for a person
    /// reaches one, and their seconds to a person times it.
    agent_weight: f64,
    agent_seconds: f64,
    /// Seconds to a person times the weight, over the journeys that do not
    /// serve: what those callers spend before they reach someone.
    unserved_agent_seconds: f64,
}

/// The demand figures of one channel.
#[derive(Debug, Default)]
pub(crate) struct ChannelDemand {
    pub channel: Option<Channel>,
    pub demand: Vec<Demand>,
    pub intents: Vec<DemandIntent>,
    pub weighted: bool,
    /// Intents of a weighted channel that have no `volume:` and so count
    /// for nothing.
    pub without_volume: Vec<String>,
}

/// The figures of one channel from its journeys, each given with the share
/// of the channel's worlds it holds for.
pub(crate) fn channel_demand(
    set: &MenuSet,
    channel: Channel,
    journeys: &[(Journey, f64)],
) -> ChannelDemand {
    let mut flows: Vec<&str> = journeys.iter().map(|(j, _)| j.flow.as_str()).collect();
    flows.sort_unstable();
    flows.dedup();
    let mut figures: Vec<IntentFigures> = Vec::new();
    for (journey, world_share) in journeys {
        let index = match figures.iter().position(|f| f.intent == journey.intent) {
            Some(i) => i,
            None => {
                figures.push(IntentFigures {
                    intent: journey.intent.clone(),
                    ..IntentFigures::default()
                });
                figures.len() - 1
            }
        };
        let f = &mut figures[index];
        let weight = world_share / flows.len() as f64;
        match journey.outcome.as_str() {
            "self_served" => f.self_served += weight,
            "transferred" => f.transferred += weight,
            _ => f.not_served += weight,
        }
        if let Some(seconds) = journey.seconds {
            f.served_weight += weight;
            f.served_seconds += weight * seconds;
        }
        if let Some(seconds) = journey.seconds_to_agent {
            f.agent_weight += weight;
            f.agent_seconds += weight * seconds;
            if journey.seconds.is_none() {
                f.unserved_agent_seconds += weight * seconds;
            }
        }
    }
    let volume_of = |intent: &str| set.intent(intent).and_then(|i| i.volume.as_ref());
    let weighted = figures.iter().any(|f| volume_of(&f.intent).is_some());
    let mut out = ChannelDemand {
        channel: Some(channel),
        weighted,
        ..ChannelDemand::default()
    };
    if figures.is_empty() {
        return out;
    }
    let totals: Vec<f64> = figures
        .iter()
        .map(|f| match volume_of(&f.intent) {
            Some(volume) => volume.value.total(),
            None if weighted => 0.0,
            None => 1.0,
        })
        .collect();
    out.without_volume = figures
        .iter()
        .filter(|f| weighted && volume_of(&f.intent).is_none())
        .map(|f| f.intent.clone())
        .collect();
    out.demand
        .extend(entry(channel, None, weighted, &figures, &totals));
    if weighted {
        for customer_type in &set.settings.customer_types {
            let volumes: Vec<f64> = figures
                .iter()
                .map(|f| {
                    volume_of(&f.intent).map_or(0.0, |v| v.value.of_type(&customer_type.value))
                })
                .collect();
            out.demand.extend(entry(
                channel,
                Some(&customer_type.value),
                weighted,
                &figures,
                &volumes,
            ));
        }
    }
    let channel_volume: f64 = totals.iter().sum();
    let shares = if channel_volume > 0.0 {
        honest_shares(
            &totals
                .iter()
                .map(|v| v / channel_volume)
                .collect::<Vec<_>>(),
        )
    } else {
        vec![0.0; totals.len()]
    };
    for ((f, &volume), share) in figures.iter().zip(&totals).zip(shares) {
        // Ties go to the better outcome: the order callers would rank them.
        let outcomes = [
            ("self_served", f.self_served),
            ("transferred", f.transferred),
            ("not_served", f.not_served),
        ];
        let outcome = outcomes
            .iter()
            .fold(outcomes[0], |best, &o| if o.1 > best.1 { o } else { best })
            .0;
        out.intents.push(DemandIntent {
            channel,
            intent: f.intent.clone(),
            volume,
            share,
            outcome: outcome.to_string(),
            seconds: (f.served_weight > 0.0).then(|| tenth(f.served_seconds / f.served_weight)),
            caller_minutes: tenth(volume * (f.served_seconds + f.unserved_agent_seconds) / 60.0),
        });
    }
    out.intents.sort_by(|a, b| {
        b.caller_minutes
            .total_cmp(&a.caller_minutes)
            .then_with(|| a.intent.cmp(&b.intent))
    });
    out
}

/// One entry of `demand`: the figures of the intents weighted by
/// `volumes`; none when those volumes add up to nothing.
fn entry(
    channel: Channel,
    customer_type: Option<&str>,
    weighted: bool,
    figures: &[IntentFigures],
    volumes: &[f64],
) -> Option<Demand> {
    let volume: f64 = volumes.iter().sum();
    if volume <= 0.0 {
        return None;
    }
    let sum = |part: fn(&IntentFigures) -> f64| -> f64 {
        figures.iter().zip(volumes).map(|(f, v)| v * part(f)).sum()
    };
    let shares = honest_shares(&[
        sum(|f| f.self_served) / volume,
        sum(|f| f.transferred) / volume,
        sum(|f| f.not_served) / volume,
    ]);
    let mean = |weight: f64, seconds: f64| (weight > 0.0).then(|| tenth(seconds / weight));
    Some(Demand {
        channel,
        customer_type: customer_type.map(str::to_string),
        figures: DemandFigures {
            weighted,
            volume,
            self_served: shares[0],
            transferred: shares[1],
            not_served: shares[2],
            mean_seconds_to_served: mean(sum(|f| f.served_weight), sum(|f| f.served_seconds)),
            mean_seconds_to_agent: mean(sum(|f| f.agent_weight), sum(|f| f.agent_seconds)),
        },
    })
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Shares that add up to 1, rounded to thousandths so that they still add
/// up to exactly 1: each is rounded down, and the thousandths left over go
/// to the largest remainders (the first on a tie). A share that is not 0
/// then shows at least 0.001, taken from the largest, so that no outcome
/// some callers get reads as none.
fn honest_shares(shares: &[f64]) -> Vec<f64> {
    let scaled: Vec<f64> = shares.iter().map(|s| s.max(0.0) * 1000.0).collect();
    let mut units: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let left = (1000 - units.iter().sum::<i64>()).clamp(0, units.len() as i64);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        let remainder = |i: usize| scaled[i] - units[i] as f64;
        remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b))
    });
    for &i in order.iter().take(left as usize) {
        units[i] += 1;
    }
    for i in 0..units.len() {
        if units[i] == 0 && shares[i] > 0.0 {
            let largest = (0..units.len())
                .max_by(|&a, &b| units[a].cmp(&units[b]).then(b.cmp(&a)))
                .unwrap_or(i);
            if units[largest] > 1 {
                units[largest] -= 1;
                units[i] = 1;
            }
        }
    }
    units.iter().map(|&u| u as f64 / 1000.0).collect()
}

/// What the report says in words about how the demand was counted: that
/// intents count once where no volumes are given, and which intents count
/// for nothing on a weighted channel for want of a `volume:`.
pub(crate) fn notes(channels: &[ChannelDemand]) -> Vec<String> {
    let with_intents: Vec<&ChannelDemand> =
        channels.iter().filter(|c| !c.intents.is_empty()).collect();
    let mut notes = Vec::new();
    if !with_intents.is_empty() && with_intents.iter().all(|c| !c.weighted) {
        notes.push(
            "no intent has a `volume:`, so the demand figures count every intent once; give intents `volume:` to weigh them by how many customers have each need".to_string(),
        );
        return notes;
    }
    for c in with_intents {
        let Some(channel) = c.channel else { continue };
        if !c.weighted {
            notes.push(format!(
                "no intent on {channel} has a `volume:`, so its demand figures count every intent once"
            ));
        } else if !c.without_volume.is_empty() {
            notes.push(format!(
                "on {channel}, intents without a `volume:` count for nothing in the demand figures: {}",
                c.without_volume
                    .iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::honest_shares;

    #[test]
    fn shares_round_to_thousandths_that_add_up_to_one() {
        let third = 1.0 / 3.0;
        assert_eq!(honest_shares(&[third, third, third]), [0.334, 0.333, 0.333]);
        assert_eq!(honest_shares(&[0.6875, 0.3125, 0.0]), [0.688, 0.312, 0.0]);
        assert_eq!(honest_shares(&[1.0, 0.0, 0.0]), [1.0, 0.0, 0.0]);
    }

    #[test]
    fn a_share_that_is_not_zero_never_shows_as_zero() {
        assert_eq!(honest_shares(&[0.9999, 0.0001, 0.0]), [0.999, 0.001, 0.0]);
    }

    proptest::proptest! {
        /// Whatever the weights, the rounded shares are whole thousandths
        /// adding up to exactly 1, none is 0 unless its weight is, and each
        /// is within 0.001 per share of the exact one (a share raised to
        /// 0.001 takes its thousandth from the largest). Weights below 3
        /// are drawn often, so that tiny shares are.
        #[test]
        fn rounded_shares_add_up_to_one(weights in proptest::collection::vec(proptest::prop_oneof![0u32..3, 0u32..100_000], 1..6)) {
            let total: u32 = weights.iter().sum();
            proptest::prop_assume!(total > 0);
            let exact: Vec<f64> = weights.iter().map(|&w| f64::from(w) / f64::from(total)).collect();
            let rounded = honest_shares(&exact);
            let thousandths: Vec<i64> = rounded.iter().map(|s| (s * 1000.0).round() as i64).collect();
            proptest::prop_assert_eq!(thousandths.iter().sum::<i64>(), 1000);
            for ((r, e), w) in rounded.iter().zip(&exact).zip(&weights) {
                proptest::prop_assert_eq!(*r == 0.0, *w == 0, "{:?} from {:?}", rounded, weights);
                proptest::prop_assert!((r - e).abs() <= 0.001 * exact.len() as f64 + 1e-9, "{:?} from {:?}", rounded, exact);
            }
        }
    }
}
