//! The report every output format renders: docs/report.md's JSON shape.

use serde::{Deserialize, Serialize};

use crate::coverage::Reach;
use crate::finding::{Finding, FindingSource};
use crate::model::{Channel, Level, MenuSet};
use crate::results::IntentAvailability;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub tool: String,
    pub version: String,
    /// The command that produced it (`lint`, `check`).
    pub command: String,
    pub set: String,
    /// The one file of the set the report is about, when a file rather
    /// than the set was named (its name in the set, as findings name
    /// files): the findings are that file's. Absent for a whole set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub seed: u64,
    pub findings: Vec<Finding>,
    /// Persona runs, in the order the set lists personas.
    pub personas: Vec<crate::results::PersonaResult>,
    /// Persona runs grouped per persona and channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persona_suites: Vec<crate::results::PersonaSuite>,
    /// Journeys whose transcript differs from the saved one (`--transcripts`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts_changed: Vec<crate::results::TranscriptChange>,
    pub coverage: Coverage,
    pub summary: Summary,
    /// What the fuzzer did, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<crate::results::FuzzSummary>,
    /// Per channel and intent: served always, sometimes (and when), or never.
    pub intents: Vec<IntentAvailability>,
    /// Per channel, flow where customers begin and intent: what the
    /// customer lives through (docs/report.md, "Journeys").
    #[serde(default, serialize_with = "crate::pretty_json::parallel_list")]
    pub journeys: Vec<crate::results::Journey>,
    /// Per channel, for all customers and per customer type: the shares of
    /// demand self-served, transferred and not served, and the weighted
    /// mean times (docs/report.md, "Demand").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand: Vec<crate::results::Demand>,
    /// Per channel and intent: its demand and the caller-minutes it costs,
    /// costliest first within each channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand_intents: Vec<crate::results::DemandIntent>,
    /// Statements about the run itself, such as a walk budget that was hit.
    pub notes: Vec<String>,
    pub stats: Stats,
    /// The set's flows, nodes and options, for `diff` against a saved report.
    #[serde(default)]
    pub structure: crate::structure::Structure,
    /// Which shard of a run this is (`--shard K/N`); absent for a whole run
    /// and for shards merged back together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The platform the set was imported from (`connect`, `studio`,
    /// `archy`), absent for a set of YAML files: replaying a finding reads
    /// the export the same way (`--from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `check --mutate`: the mutation score of the set's personas and the
    /// mutants they miss (docs/report.md, "Mutation testing").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation: Option<crate::results::mutation::MutationReport>,
}

/// Shard `index` of `count` (1-based), as `--shard K/N` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// A report without a shard is a whole run: the one shard of one.
    const WHOLE: Shard = Shard { index: 1, count: 1 };
    /// The most shards a run may be split into. A CI matrix has tens of
    /// jobs at most, and `merge` names the shards it misses, so a bound
    /// keeps a typo such as `1/100000000` from costing minutes and memory.
    pub(crate) const MAX_COUNT: usize = 10_000;

    /// Whether this is a shard of a split `--shard` could have made.
    fn is_valid(self) -> bool {
        (1..=self.count).contains(&self.index) && self.count <= Shard::MAX_COUNT
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Coverage {
    #[serde(serialize_with = "crate::pretty_json::parallel_list")]
    pub flows: Vec<FlowCoverage>,
}

/// Coverage of one flow. The top-level counts are what customers reached:
/// the fuzzer and personas together when either ran, else the exhaustive
/// walk (which reaches everything reachable). Each source is also given on
/// its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowCoverage {
    pub channel: Channel,
    pub flow: String,
    pub nodes: usize,
    pub nodes_covered: usize,
    pub options: usize,
    pub options_covered: usize,
    pub handlers: usize,
    pub handlers_covered: usize,
    pub uncovered: Vec<String>,
    pub uncovered_options: Vec<String>,
    pub uncovered_handlers: Vec<String>,
    /// Which sources the counts above come from: `walk`, `fuzzer`,
    /// `personas` or `fuzzer+personas`.
    pub covered_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk: Option<Reach>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuzzer: Option<Reach>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personas: Option<Reach>,
}

/// Where coverage came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoverageSource {
    Walk,
    Fuzzer,
    Personas,
}

impl FlowCoverage {
    /// Recomputes the top-level counts from the sources.
    fn settle(&mut self) {
        let totals = (self.nodes, self.options, self.handlers);
        let (together, by) = match (&self.fuzzer, &self.personas, &self.walk) {
            (Some(f), Some(p), _) => (crate::coverage::union(f, p, totals), "fuzzer+personas"),
            (Some(f), None, _) => (f.clone(), "fuzzer"),
            (None, Some(p), _) => (p.clone(), "personas"),
            (None, None, Some(w)) => (w.clone(), "walk"),
            (None, None, None) => (Reach::default(), "nothing"),
        };
        self.nodes_covered = together.nodes_covered;
        self.options_covered = together.options_covered;
        self.handlers_covered = together.handlers_covered;
        self.uncovered = together.uncovered;
        self.uncovered_options = together.uncovered_options;
        self.uncovered_handlers = together.uncovered_handlers;
        self.covered_by = by.to_string();
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub personas_passed: usize,
    pub personas_failed: usize,
}

/// Sizes, for the human summary line. No timings: reports are byte-for-byte
/// reproducible.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    pub flows: usize,
    pub nodes: usize,
    pub states: usize,
}

impl Report {
    pub fn new(command: &str, set: String, seed: u64) -> Report {
        Report {
            tool: "touchpoint".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            set,
            file: None,
            seed,
            findings: Vec::new(),
            personas: Vec::new(),
            persona_suites: Vec::new(),
            transcripts_changed: Vec::new(),
            coverage: Coverage::default(),
            summary: Summary::default(),
            fuzz: None,
            intents: Vec::new(),
            journeys: Vec::new(),
            demand: Vec::new(),
            demand_intents: Vec::new(),
            notes: Vec::new(),
            stats: Stats::default(),
            structure: Default::default(),
            shard: None,
            from: None,
            mutation: None,
        }
    }

    /// What the report is about, as people read it: the set, or the file
    /// that was named and the set it belongs to (`menus/phone/main.yaml
    /// (in set menus)`). Paths keep the form they were given in.
    pub(crate) fn subject(&self) -> String {
        match &self.file {
            None => self.set.clone(),
            Some(file) => {
                let path = if self.set == "." {
                    file.clone()
                } else {
                    format!("{}/{file}", self.set.trim_end_matches(['/', '\\']))
                };
                format!("{path} (in set {})", self.set)
            }
        }
    }

    /// Narrows a report on the whole of `set` to one of its files (its name
    /// in the set): the findings in that file, the flows it defines (their
    /// structure and coverage) and the personas it writes. This is what a
    /// diff of one file compares, so a change elsewhere in the set does not
    /// show up as a change of the file.
    /// The mutation score of one file of the set. Mutants are made in
    /// flows: a file of flows is scored on its own mutants, while a file
    /// without flows (personas, the catalogue) keeps the set's score,
    /// which is what its personas are judged by.
    pub(crate) fn narrow_mutation_to_file(&mut self, set: &crate::model::MenuSet, file: &str) {
        let holds_flows = set.flows.iter().any(|flow| {
            set.files
                .get(flow.file as usize)
                .is_some_and(|f| f.name == file)
        });
        if let (true, Some(mutation)) = (holds_flows, &mut self.mutation) {
            mutation.keep_file(file);
        }
    }

    pub(crate) fn focus_on_file(&mut self, set: &crate::model::MenuSet, file: &str) {
        let in_file = |source: crate::model::SourceId| {
            set.files
                .get(source as usize)
                .is_some_and(|f| f.name == file)
        };
        let flows: Vec<(crate::model::Channel, &str)> = set
            .flows
            .iter()
            .filter(|flow| in_file(flow.file))
            .map(|flow| (flow.channel, flow.id.as_str()))
            .collect();
        let persona_in_file = |name: &str| {
            set.personas
                .iter()
                .any(|p| p.id.value == name && in_file(p.span.file))
        };
        self.findings.retain(|finding| finding.file == file);
        self.structure
            .flows
            .retain(|f| flows.contains(&(f.channel, f.flow.as_str())));
        self.coverage
            .flows
            .retain(|f| flows.contains(&(f.channel, f.flow.as_str())));
        self.personas.retain(|run| persona_in_file(&run.persona));
        self.persona_suites
            .retain(|suite| persona_in_file(&suite.persona));
        self.narrow_mutation_to_file(set, file);
        self.file = Some(file.to_string());
        self.summarize();
    }

    /// Adds what one source of customers reached, flow by flow.
    pub(crate) fn add_coverage(
        &mut self,
        source: CoverageSource,
        reaches: Vec<crate::coverage::FlowReach>,
    ) {
        // Flows are found by key through a map: searching the list for each
        // reach made a set of many flows quadratic.
        let mut index_of: rustc_hash::FxHashMap<(Channel, String), usize> = self
            .coverage
            .flows
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.channel, f.flow.clone()), i))
            .collect();
        for r in reaches {
            let index = *index_of
                .entry((r.channel, r.flow.clone()))
                .or_insert_with(|| {
                    self.coverage.flows.push(FlowCoverage {
                        channel: r.channel,
                        flow: r.flow.clone(),
                        nodes: r.totals.0,
                        nodes_covered: 0,
                        options: r.totals.1,
                        options_covered: 0,
                        handlers: r.totals.2,
                        handlers_covered: 0,
                        uncovered: Vec::new(),
                        uncovered_options: Vec::new(),
                        uncovered_handlers: Vec::new(),
                        covered_by: String::new(),
                        walk: None,
                        fuzzer: None,
                        personas: None,
                    });
                    self.coverage.flows.len() - 1
                });
            let flow = &mut self.coverage.flows[index];
            let slot = match source {
                CoverageSource::Walk => &mut flow.walk,
                CoverageSource::Fuzzer => &mut flow.fuzzer,
                CoverageSource::Personas => &mut flow.personas,
            };
            *slot = Some(r.reach);
        }
        // A flow's totals follow from its sources alone, so every flow is
        // settled on its own, on every core; a flow settled again with the
        // sources it had gives what it had.
        {
            use rayon::prelude::*;
            self.coverage
                .flows
                .par_iter_mut()
                .for_each(FlowCoverage::settle);
        }
        self.coverage
            .flows
            .sort_by(|a, b| (a.channel, &a.flow).cmp(&(b.channel, &b.flow)));
    }

    /// Adds what the fuzzer found that the walk did not already report.
    pub fn add_fuzz(&mut self, outcome: crate::results::FuzzOutcome) {
        for finding in outcome.findings {
            if !self
                .findings
                .iter()
                .any(|f| f.identity() == finding.identity())
            {
                self.findings.push(finding);
            }
        }
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.notes.extend(outcome.notes);
        if outcome.summary.runs > 0 {
            self.add_coverage(CoverageSource::Fuzzer, outcome.coverage);
        }
        let mut summary = outcome.summary;
        // Failures the report shows: those the walk had not already found.
        summary.failures = self
            .findings
            .iter()
            .filter(|f| f.source == FindingSource::Fuzz)
            .count();
        self.fuzz = Some(summary);
        self.summarize();
    }

    /// Adds persona results and a `persona-failed` finding for each failure.
    pub fn add_personas(&mut self, set: &MenuSet, runs: crate::results::PersonaRuns) {
        let results = runs.results;
        if !results.is_empty() {
            self.add_coverage(CoverageSource::Personas, runs.coverage);
        }
        self.findings
            .extend(crate::results::personas::findings(set, &results));
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.persona_suites = crate::results::personas::suites(&results);
        self.personas = results;
        self.summarize();
    }

    /// Recounts the summary from the findings.
    pub(crate) fn summarize(&mut self) {
        self.summary.personas_passed = self.personas.iter().filter(|p| p.passed).count();
        self.summary.personas_failed = self.personas.len() - self.summary.personas_passed;
        self.summary.errors = self
            .findings
            .iter()
            .filter(|f| f.level == Level::Error)
            .count();
        self.summary.warnings = self
            .findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count();
    }

    /// Whether the run fails: errors, or warnings too when they are denied.
    /// A failed persona counts through its `persona-failed` finding, at the
    /// level the settings give that code, so `persona-failed: off` or
    /// `warning` decides the exit code as it does for every other code.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.summary.errors > 0
            || (deny_warnings && self.summary.warnings > 0)
            || self.mutation.as_ref().is_some_and(|m| m.below_min_score())
    }
}

/// What `--format json` prints when the set cannot be loaded (exit 2), so a
/// CI step that parses standard output still gets JSON with the positions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorReport {
    pub tool: String,
    pub version: String,
    /// The command that could not run (`lint`, `check`, ...).
    #[serde(default)]
    pub command: String,
    pub set: String,
    pub errors: Vec<ErrorEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorEntry {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
    pub help: Option<String>,
}

impl ErrorReport {
    /// One error about the whole set, with no place in a file.
    pub(crate) fn of_message(
        command: &str,
        set: String,
        message: &dyn std::fmt::Display,
    ) -> ErrorReport {
        let entry = ErrorEntry {
            file: None,
            line: None,
            column: None,
            message: message.to_string(),
            help: None,
        };
        ErrorReport::of_entries(command, set, vec![entry])
    }

    /// A report of the given errors. The importers build theirs with it
    /// (`ErrorReport::of_import`, declared with the importers, which know
    /// its errors), so that the report depends on no importer.
    pub(crate) fn of_entries(command: &str, set: String, errors: Vec<ErrorEntry>) -> ErrorReport {
        ErrorReport {
            tool: "touchpoint".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            set,
            errors,
        }
    }

    pub fn new(command: &str, set: String, error: &crate::loader::LoadError) -> ErrorReport {
        let errors = error
            .problems
            .iter()
            .map(|p| {
                let file = p.file.and_then(|f| error.files.get(f as usize));
                ErrorEntry {
                    file: file.map(|f| f.name.clone()),
                    line: file.map(|_| p.pos.line),
                    column: file.map(|_| p.pos.column),
                    message: p.message.clone(),
                    help: p.help.clone(),
                }
            })
            .collect();
        ErrorReport::of_entries(command, set, errors)
    }
}

/// Why the reports given to `merge` cannot be added up into the report of
/// one run. Each shard is named as the messages name it: `shard K/N`, or
/// `the whole run`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    Nothing,
    #[error("a report says it is shard {0}, which no `--shard K/N` makes (1 <= K <= N <= {max})", max = Shard::MAX_COUNT)]
    InvalidShard(Shard),
    #[error("{earlier} and {later} split the run differently: merge the shards of one `--shard K/N` split")]
    SplitDifferently { earlier: String, later: String },
    #[error("{0} is given twice: merging it twice would count its fuzz runs and personas twice")]
    GivenTwice(String),
    #[error("these are not shards of one run: `{first}` with seed {first_seed} and `{other}` with seed {other_seed}")]
    NotShardsOfOneRun {
        first: String,
        first_seed: u64,
        other: String,
        other_seed: u64,
    },
    #[error("{first} and {other} are of different contents of `{set}` (its flows, nodes, prompts or options differ): merge the shards of one run of one version of the set")]
    DifferentContents {
        first: String,
        other: String,
        set: String,
    },
}

/// Which shards of a run a merge was given, and which are missing (with
/// them the merged report is not the whole run's, and says so). A shard
/// given twice, or shards of runs split into different numbers, would add
/// up to a report no run wrote: refused.
fn check_shards(reports: &[Report]) -> Result<Vec<Shard>, MergeError> {
    let shards: Vec<Shard> = reports
        .iter()
        .map(|r| r.shard.unwrap_or(Shard::WHOLE))
        .collect();
    let describe = |s: Shard| {
        if s == Shard::WHOLE {
            "the whole run".to_string()
        } else {
            format!("shard {s}")
        }
    };
    if let Some(bad) = shards.iter().find(|s| !s.is_valid()) {
        return Err(MergeError::InvalidShard(*bad));
    }
    for (i, a) in shards.iter().enumerate() {
        for b in &shards[..i] {
            if a.count != b.count {
                return Err(MergeError::SplitDifferently {
                    earlier: describe(*b),
                    later: describe(*a),
                });
            }
            if a == b {
                return Err(MergeError::GivenTwice(describe(*a)));
            }
        }
    }
    let count = shards.first().map_or(1, |s| s.count);
    Ok((1..=count)
        .map(|index| Shard { index, count })
        .filter(|s| !shards.contains(s))
        .collect())
}

/// The note a merged report carries when shards are missing.
fn missing_shards_note(missing: &[Shard], given: usize) -> Option<String> {
    let count = missing.first()?.count;
    // Name a few; a long list of shard numbers helps nobody read the note.
    const NAMED: usize = 8;
    let mut names: Vec<String> = missing.iter().take(NAMED).map(Shard::to_string).collect();
    if missing.len() > NAMED {
        names.push(format!("{} more", missing.len() - NAMED));
    }
    let (list, verb) = match names.as_slice() {
        [one] => (format!("shard {one}"), "is"),
        [rest @ .., last] => (format!("shards {} and {last}", rest.join(", ")), "are"),
        [] => return None,
    };
    Some(format!(
        "{list} {verb} missing: this report has the fuzz runs and personas of {given} of the {count} shards"
    ))
}

/// The notes of shards together, as the unsharded run lists them. Notes
/// every shard has (the walk's, an importer's) keep their order; the
/// others (the fuzzer's, about batches of one shard) sit in each shard
/// between the same two of those, and are listed there from every shard,
/// sorted, as the fuzzer sorts its own notes.
fn merge_notes(shards: &[Vec<String>]) -> Vec<String> {
    let Some(first) = shards.first() else {
        return Vec::new();
    };
    let common: Vec<&String> = first
        .iter()
        .filter(|note| shards.iter().all(|notes| notes.contains(note)))
        .collect();
    // Per gap between common notes (before the first, ..., after the
    // last), the other notes of every shard found there.
    let mut gaps: Vec<Vec<&String>> = vec![Vec::new(); common.len() + 1];
    for notes in shards {
        let mut gap = 0;
        for note in notes {
            if common.get(gap) == Some(&note) {
                gap += 1;
            } else if !common.contains(&note) {
                gaps[gap].push(note);
            }
        }
    }
    let mut merged = Vec::new();
    for (gap, mut others) in gaps.into_iter().enumerate() {
        others.sort();
        others.dedup();
        merged.extend(others.into_iter().cloned());
        merged.extend(common.get(gap).map(|note| (*note).clone()));
    }
    merged
}

/// Combines the reports of the shards of one run (`--shard K/N`) into the
/// report one unsharded run would have written.
pub fn merge(reports: Vec<Report>) -> Result<Report, MergeError> {
    let first = reports.first().ok_or(MergeError::Nothing)?;
    for report in &reports[1..] {
        if report.set != first.set
            || report.file != first.file
            || report.seed != first.seed
            || report.command != first.command
        {
            return Err(MergeError::NotShardsOfOneRun {
                first: format!("{} {}", first.command, first.subject()),
                first_seed: first.seed,
                other: format!("{} {}", report.command, report.subject()),
                other_seed: report.seed,
            });
        }
    }
    // Shards of one set written at two moments (the set edited between
    // them) would mix findings of two versions into one report.
    if let Some(other) = reports[1..].iter().find(|r| r.structure != first.structure) {
        let describe = |r: &Report| match r.shard {
            Some(shard) => format!("shard {shard}"),
            None => "the whole run".to_string(),
        };
        return Err(MergeError::DifferentContents {
            first: describe(first),
            other: describe(other),
            set: first.set.clone(),
        });
    }
    let missing = check_shards(&reports)?;
    let given = reports.len();
    let mut reports = reports.into_iter();
    let mut out = reports.next().ok_or(MergeError::Nothing)?;
    out.shard = None;
    let mut shard_notes = vec![std::mem::take(&mut out.notes)];
    // Each shard scored its share of the mutants: merged, they are every
    // mutant once, and the score is counted again from them.
    let mut mutation: Vec<_> = out.mutation.take().into_iter().collect();
    for report in reports {
        mutation.extend(report.mutation);
        for finding in report.findings {
            // The fuzzer's repro differs from batch to batch; anything else
            // found twice is the same finding, message and all.
            let same = out.findings.iter().position(|f| {
                f.identity() == finding.identity()
                    && f.source == finding.source
                    && (f.source == FindingSource::Fuzz || f.message == finding.message)
            });
            match same {
                // Two shards found the same failure: keep the repro of the
                // earlier batch, as an unsharded run does.
                Some(i) if finding.fuzz_batch < out.findings[i].fuzz_batch => {
                    out.findings[i] = finding
                }
                Some(_) => {}
                None => out.findings.push(finding),
            }
        }
        out.personas.extend(report.personas);
        out.transcripts_changed.extend(report.transcripts_changed);
        for flow in report.coverage.flows {
            match out
                .coverage
                .flows
                .iter_mut()
                .find(|f| f.channel == flow.channel && f.flow == flow.flow)
            {
                Some(mine) => {
                    let totals = (mine.nodes, mine.options, mine.handlers);
                    for (slot, theirs) in [
                        (&mut mine.fuzzer, flow.fuzzer),
                        (&mut mine.personas, flow.personas),
                    ] {
                        *slot = match (slot.take(), theirs) {
                            (Some(a), Some(b)) => Some(crate::coverage::union(&a, &b, totals)),
                            (a, b) => a.or(b),
                        };
                    }
                    mine.settle();
                }
                None => out.coverage.flows.push(flow),
            }
        }
        match (&mut out.fuzz, report.fuzz) {
            (Some(mine), Some(theirs)) => {
                mine.runs += theirs.runs;
                mine.steps += theirs.steps;
            }
            (mine @ None, theirs) => *mine = theirs,
            _ => {}
        }
        shard_notes.push(report.notes);
    }
    out.notes = merge_notes(&shard_notes);
    out.mutation = crate::results::mutation::MutationReport::merge(mutation);
    out.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.personas.sort_by_key(|p| p.order);
    // Transcript changes in the order of the runs they belong to, as one
    // unsharded run lists them.
    let position = |name: &str| {
        out.personas
            .iter()
            .position(|p| p.name() == name)
            .unwrap_or(usize::MAX)
    };
    let mut changes = std::mem::take(&mut out.transcripts_changed);
    changes.sort_by_key(|c| position(&c.persona));
    out.transcripts_changed = changes;
    out.coverage
        .flows
        .sort_by(|a, b| (a.channel, &a.flow).cmp(&(b.channel, &b.flow)));
    out.persona_suites = crate::results::personas::suites(&out.personas);
    let fuzz_failures = out
        .findings
        .iter()
        .filter(|f| f.source == FindingSource::Fuzz)
        .count();
    let fuzz_edges: usize = out
        .coverage
        .flows
        .iter()
        .filter_map(|f| f.fuzzer.as_ref())
        .map(|r| r.options_covered + r.handlers_covered)
        .sum();
    if let Some(fuzz) = &mut out.fuzz {
        fuzz.failures = fuzz_failures;
        fuzz.edges_covered = fuzz_edges;
    }
    out.notes.extend(missing_shards_note(&missing, given));
    out.summarize();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(index: usize, count: usize, notes: &[&str]) -> Report {
        let mut report = Report::new("check", "menus".to_string(), 42);
        report.shard = Some(Shard { index, count });
        report.notes = notes.iter().map(|n| n.to_string()).collect();
        report
    }

    /// Two findings that tie on position, code and message (one node, two
    /// details) are listed in one order whichever shard found which.
    #[test]
    fn findings_that_tie_are_merged_in_one_order() {
        let text = "flow: main\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Press 1.\n    options:\n      - { key: 1, goto: x }\n  x:\n    opaque: Lookup\n";
        let set = crate::loader::load_text("main.yaml", text).unwrap();
        let finding = crate::run::lint_report(&set, "check", 42).unwrap().findings[0].clone();
        let mut first = finding.clone();
        first.source = FindingSource::Fuzz;
        first.detail = 7;
        first.fuzz_batch = Some(0);
        let mut second = first.clone();
        second.detail = 3;
        second.fuzz_batch = Some(1);
        let with = |index: usize, finding: &Finding| {
            let mut report = shard(index, 2, &[]);
            report.findings = vec![finding.clone()];
            report
        };
        let one_way = merge(vec![with(1, &first), with(2, &second)]).unwrap();
        let other_way = merge(vec![with(2, &second), with(1, &first)]).unwrap();
        assert_eq!(one_way.findings, other_way.findings);
        assert_eq!(one_way.findings.len(), 2);
    }

    /// Notes every shard has keep their order and place; the fuzzer's,
    /// each in one shard, come where they stand in their shard, sorted as
    /// the unsharded run sorts them, whichever shard is given first.
    #[test]
    fn merged_notes_are_the_unsharded_runs_in_its_order() {
        let walk = "the phone walk stopped at the state budget";
        let import = "import: a block was not modelled";
        let fuzz_a = "a phone fuzz failure of batch 0 did not reproduce";
        let fuzz_b = "a phone fuzz failure of batch 1 did not reproduce";
        let fuzz_c = "a phone fuzz failure of batch 2 did not reproduce";
        let unsharded = [walk, fuzz_a, fuzz_b, fuzz_c, import];
        let shards = || {
            vec![
                shard(2, 3, &[walk, fuzz_b, import]),
                shard(1, 3, &[walk, fuzz_a, import]),
                shard(3, 3, &[walk, fuzz_c, import]),
            ]
        };
        assert_eq!(merge(shards()).unwrap().notes, unsharded);
        let mut reversed = shards();
        reversed.reverse();
        assert_eq!(merge(reversed).unwrap().notes, unsharded);
        // A shard with no notes of its own adds nothing.
        let quiet = vec![
            shard(1, 2, &[walk, import]),
            shard(2, 2, &[walk, fuzz_b, import]),
        ];
        assert_eq!(merge(quiet).unwrap().notes, [walk, fuzz_b, import]);
    }
}
