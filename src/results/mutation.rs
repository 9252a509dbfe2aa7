//! What `mutate` found: how many seeded mistakes the personas (and, when
//! asked, the rules) catch, and a persona for each one they miss.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Channel;

/// The mutation score of a set (docs/report.md, "Mutation testing").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationReport {
    pub mutants: usize,
    pub killed: usize,
    pub equivalent: usize,
    /// `killed / (mutants - equivalent)`, between 0 and 1; 1 when every
    /// mutant is equivalent (there was nothing to catch).
    pub score: f64,
    /// Per operator, by name.
    pub by_operator: BTreeMap<String, Tally>,
    /// Per flow, in the order the flows are read.
    pub by_flow: Vec<FlowTally>,
    /// The mutants nothing caught and that a caller can tell apart, grouped
    /// by node (in the order of the files).
    pub survivors: Vec<Survivor>,
    /// Every mutant and what became of it, in mutant order.
    pub results: Vec<MutantResult>,
    /// Whether a new lint finding kills a mutant too (`--with-lint`).
    pub with_lint: bool,
    /// `--shard K/N`: which share of the mutants this report holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `check --mutate --min-score`: the score below which the run fails.
    /// Kept in the report so that every format can say so and `merge`
    /// judges the merged score against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
}

impl MutationReport {
    /// Whether the score is below `--min-score` (never without one).
    pub fn below_min_score(&self) -> bool {
        self.min_score.is_some_and(|min| self.score < min)
    }

    /// The reports of the shards of one run (`--shard K/N`) as one: every
    /// mutant once, in mutant order, and every figure counted again from
    /// them, so the merged report is the one an unsharded run writes. The
    /// first shard's `--with-lint` and `--min-score` stand; notes are kept
    /// once each, in the order they were first written.
    pub(crate) fn merge(reports: Vec<MutationReport>) -> Option<MutationReport> {
        let mut reports = reports.into_iter();
        let mut out = reports.next()?;
        for report in reports {
            for result in report.results {
                if !out.results.iter().any(|r| r.place.id == result.place.id) {
                    out.results.push(result);
                }
            }
            for survivor in report.survivors {
                if !out
                    .survivors
                    .iter()
                    .any(|s| s.place.id == survivor.place.id)
                {
                    out.survivors.push(survivor);
                }
            }
            for note in report.notes {
                if !out.notes.contains(&note) {
                    out.notes.push(note);
                }
            }
        }
        out.results.sort_by_key(|r| mutant_number(&r.place.id));
        out.survivors.sort_by_key(|s| mutant_number(&s.place.id));
        out.shard = None;
        out.recount();
        Some(out)
    }

    /// Only the mutants of one file of the set, for a report about that
    /// file (a file PATH given to `check`, or to a side of `diff`).
    pub(crate) fn keep_file(&mut self, file: &str) {
        self.results.retain(|r| r.place.file == file);
        self.survivors.retain(|s| s.place.file == file);
        self.recount();
    }

    /// Counts, score and tallies again from `results`, as `mutate` counts
    /// them: operators by name, flows in the order their first mutant
    /// comes.
    fn recount(&mut self) {
        let mut by_operator: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_flow: Vec<FlowTally> = Vec::new();
        let (mut killed, mut equivalent) = (0, 0);
        for result in &self.results {
            by_operator
                .entry(result.place.operator.clone())
                .or_default()
                .add(result.status);
            match by_flow
                .iter_mut()
                .find(|f| f.channel == result.place.channel && f.flow == result.place.flow)
            {
                Some(flow) => flow.tally.add(result.status),
                None => {
                    let mut tally = Tally::default();
                    tally.add(result.status);
                    by_flow.push(FlowTally {
                        channel: result.place.channel,
                        flow: result.place.flow.clone(),
                        tally,
                    });
                }
            }
            match result.status {
                MutantStatus::Killed => killed += 1,
                MutantStatus::Equivalent => equivalent += 1,
                MutantStatus::Survived | MutantStatus::Undecided => {}
            }
        }
        self.mutants = self.results.len();
        self.killed = killed;
        self.equivalent = equivalent;
        self.score = score(killed, self.mutants, equivalent);
        self.by_operator = by_operator;
        self.by_flow = by_flow;
    }
}

/// The number of a mutant id (`M12` is 12), by which mutants are ordered;
/// an id of another form sorts last.
fn mutant_number(id: &str) -> usize {
    id.strip_prefix('M')
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Counts for one operator or flow.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub mutants: usize,
    pub killed: usize,
    pub equivalent: usize,
    pub score: f64,
}

impl Tally {
    pub(crate) fn add(&mut self, status: MutantStatus) {
        self.mutants += 1;
        match status {
            MutantStatus::Killed => self.killed += 1,
            MutantStatus::Equivalent => self.equivalent += 1,
            MutantStatus::Survived | MutantStatus::Undecided => {}
        }
        self.score = score(self.killed, self.mutants, self.equivalent);
    }
}

/// `killed / (mutants - equivalent)`, or 1 when nothing could be caught.
pub(crate) fn score(killed: usize, mutants: usize, equivalent: usize) -> f64 {
    let counted = mutants - equivalent;
    if counted == 0 {
        1.0
    } else {
        killed as f64 / counted as f64
    }
}

/// The tally of one flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowTally {
    pub channel: Channel,
    pub flow: String,
    #[serde(flatten)]
    pub tally: Tally,
}

/// What became of one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MutantStatus {
    /// A persona that passes on the set fails on the mutant (or, with
    /// `--with-lint`, the mutant adds a finding).
    Killed,
    /// Nothing caught it, and a caller can tell it apart.
    Survived,
    /// No caller can tell it apart from the set: left out of the score.
    Equivalent,
    /// Nothing caught it, and the comparison of the walks stopped at the
    /// state budget before it could tell: counted as a survivor.
    Undecided,
}

impl MutantStatus {
    pub fn name(self) -> &'static str {
        match self {
            MutantStatus::Killed => "killed",
            MutantStatus::Survived => "survived",
            MutantStatus::Equivalent => "equivalent",
            MutantStatus::Undecided => "undecided",
        }
    }
}

/// Which mutant, where it is and what it changed: how every listing of a
/// mutant begins (a result, a survivor, a survivor in a diff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantPlace {
    /// `M12`: stable for a set, whatever the shard.
    pub id: String,
    pub operator: String,
    pub channel: Channel,
    pub flow: String,
    pub node: String,
    pub file: String,
    pub line: u32,
    /// Absent from survivors in reports written before it was added.
    #[serde(default)]
    pub column: u32,
    pub description: String,
}

/// One mutant and its fate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantResult {
    #[serde(flatten)]
    pub place: MutantPlace,
    pub status: MutantStatus,
    /// What killed it: a persona's name (`persona@variant`), or `lint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub killed_by: Option<String>,
    /// Why: the persona's first failure, or the finding the mutant adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A mutant nothing caught, with the persona that would catch it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survivor {
    #[serde(flatten)]
    pub place: MutantPlace,
    /// How a caller tells the mutant apart, in a sentence.
    pub difference: String,
    /// A persona document (YAML) that passes on the set and fails on this
    /// mutant; absent when no persona can be written for it (the reason is
    /// in `difference`).
    pub suggestion: Option<String>,
    /// The suggested persona's name, which `--write-suggestions` uses as
    /// its file name; several survivors may share one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion_name: Option<String>,
}
