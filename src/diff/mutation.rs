//! The mutation score in a diff: each side's score, the mutants that newly
//! survive and those no longer surviving, and the `mutation` gate.
//!
//! Mutants are numbered in the order a set's nodes are read, so an edit
//! shifts the numbers of every mutant after it: the two sides' mutants are
//! paired by what they are (operator, channel, flow, node and the
//! description of the mistake), never by number.

use serde::{Deserialize, Serialize};

use super::{DiffReport, FailOn};
use crate::report::Report;
use crate::results::mutation::{MutantPlace, MutationReport, Survivor};

/// Both sides' mutation scores and the survivors that differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationChange {
    pub old: ScoreFigures,
    pub new: ScoreFigures,
    /// Survivors of the new side that no survivor of the old side matches:
    /// a mistake the personas caught before (or that did not exist) and
    /// now miss. Ids are the new side's.
    pub newly_surviving: Vec<MutantPlace>,
    /// Survivors of the old side that no survivor of the new side matches:
    /// caught now, or gone with what they mutated. Ids are the old side's.
    pub no_longer_surviving: Vec<MutantPlace>,
}

/// One side's score and what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreFigures {
    pub score: f64,
    pub mutants: usize,
    pub killed: usize,
    pub equivalent: usize,
}

/// What pairs a mutant of one side with the same mistake on the other.
fn same_mistake(a: &Survivor, b: &Survivor) -> bool {
    let (a, b) = (&a.place, &b.place);
    a.operator == b.operator
        && a.channel == b.channel
        && a.flow == b.flow
        && a.node == b.node
        && a.description == b.description
}

fn figures(report: &MutationReport) -> ScoreFigures {
    ScoreFigures {
        score: report.score,
        mutants: report.mutants,
        killed: report.killed,
        equivalent: report.equivalent,
    }
}

/// The smallest fall of the score that fails `--fail-on mutation`: a
/// tenth of a point, the precision every report prints the score at, so a
/// fall that no report shows never fails a diff.
const SMALLEST_FALL: f64 = 0.001;

/// Compares the sides' mutation scores when both have one; notes a side
/// without one when the other has it (a saved report written without
/// `--mutate`).
pub(super) fn compare(old: &Report, new: &Report, fail_on: &[FailOn], out: &mut DiffReport) {
    let (old_scored, new_scored) = match (&old.mutation, &new.mutation) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return,
        (a, _) => {
            let (with, without) = if a.is_some() {
                ("old", "new")
            } else {
                ("new", "old")
            };
            out.notes.push(format!(
                "only the {with} side has a mutation score (the {without} side is a report written without --mutate, or a set that does not exist there): the scores are not compared"
            ));
            return;
        }
    };
    if old_scored.with_lint != new_scored.with_lint {
        out.notes.push(
            "one side's mutation score counts mutants lint kills (--with-lint) and the other's does not: the scores are not alike".to_string(),
        );
    }
    let newly_surviving: Vec<MutantPlace> = new_scored
        .survivors
        .iter()
        .filter(|s| !old_scored.survivors.iter().any(|o| same_mistake(o, s)))
        .map(|s| s.place.clone())
        .collect();
    let no_longer_surviving: Vec<MutantPlace> = old_scored
        .survivors
        .iter()
        .filter(|o| !new_scored.survivors.iter().any(|s| same_mistake(o, s)))
        .map(|s| s.place.clone())
        .collect();
    let change = MutationChange {
        old: figures(old_scored),
        new: figures(new_scored),
        newly_surviving,
        no_longer_surviving,
    };
    if fail_on.contains(&FailOn::Mutation) && change.old.score - change.new.score >= SMALLEST_FALL {
        let listed: Vec<String> = change
            .newly_surviving
            .iter()
            .map(|m| format!("{} [{}] {}", m.id, m.operator, m.description))
            .collect();
        let survivors = if listed.is_empty() {
            String::new()
        } else {
            format!("; newly surviving: {}", listed.join("; "))
        };
        out.regressions.push(format!(
            "the mutation score fell from {:.1}% to {:.1}%{survivors}",
            change.old.score * 100.0,
            change.new.score * 100.0
        ));
    }
    out.mutation = Some(change);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;
    use crate::results::mutation::{MutantResult, MutantStatus};

    fn survivor(id: &str, node: &str, description: &str) -> Survivor {
        Survivor {
            place: MutantPlace {
                id: id.to_string(),
                operator: "delete-option".to_string(),
                channel: Channel::Phone,
                flow: "main".to_string(),
                node: node.to_string(),
                file: "main.yaml".to_string(),
                line: 3,
                column: 1,
                description: description.to_string(),
            },
            difference: String::new(),
            suggestion: None,
            suggestion_name: None,
        }
    }

    /// A report whose mutants are `killed` killed ones and `survivors`.
    fn scored(killed: usize, survivors: Vec<Survivor>) -> Report {
        let mutants = killed + survivors.len();
        let mut report = Report::new("check", "menus".to_string(), 42);
        report.mutation = Some(MutationReport {
            mutants,
            killed,
            equivalent: 0,
            score: crate::results::mutation::score(killed, mutants, 0),
            by_operator: Default::default(),
            by_flow: Vec::new(),
            results: survivors
                .iter()
                .map(|s| MutantResult {
                    place: s.place.clone(),
                    status: MutantStatus::Survived,
                    killed_by: None,
                    reason: None,
                })
                .collect(),
            survivors,
            with_lint: false,
            shard: None,
            notes: Vec::new(),
            min_score: None,
        });
        report
    }

    fn compared(old: &Report, new: &Report, fail_on: &[FailOn]) -> DiffReport {
        super::super::diff(
            old,
            new,
            fail_on,
            super::super::Limits {
                max_coverage_drop: 5.0,
                max_time_increase: 10.0,
            },
        )
    }

    /// An edit before a survivor renumbers it; it is the same survivor,
    /// and only the mistake no old survivor matches is newly surviving.
    #[test]
    fn survivors_pair_by_what_they_are_not_by_number() {
        let old = scored(
            3,
            vec![survivor("M2", "menu", "key 1 of `menu` is deleted")],
        );
        let new = scored(
            2,
            vec![
                survivor("M5", "menu", "key 1 of `menu` is deleted"),
                survivor("M6", "menu", "key 2 of `menu` is deleted"),
            ],
        );
        let diff = compared(&old, &new, &[FailOn::Mutation]);
        let change = diff.mutation.as_ref().unwrap();
        assert_eq!(change.old.score, 0.75);
        assert_eq!(change.new.score, 0.5);
        let newly: Vec<&str> = change
            .newly_surviving
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(newly, ["M6"]);
        assert!(change.no_longer_surviving.is_empty());
        assert_eq!(diff.regressions.len(), 1, "{:?}", diff.regressions);
        assert!(diff.regressions[0].contains("75.0% to 50.0%"));
        assert!(diff.regressions[0].contains("M6 [delete-option]"));
    }

    /// The gate is asked for, not given: without `mutation` in the list a
    /// fall is reported but fails nothing; a rise never fails.
    #[test]
    fn only_a_fall_asked_for_fails() {
        let better = scored(4, Vec::new());
        let worse = scored(
            3,
            vec![survivor("M4", "menu", "key 1 of `menu` is deleted")],
        );
        let diff = compared(&better, &worse, &FailOn::DEFAULT);
        assert!(diff.mutation.is_some());
        assert!(diff.regressions.is_empty());
        let diff = compared(&worse, &better, &[FailOn::Mutation]);
        assert!(diff.regressions.is_empty());
        assert_eq!(diff.mutation.unwrap().no_longer_surviving.len(), 1);
    }
}
