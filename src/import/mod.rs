//! Importers of platform exports (Amazon Connect, Twilio Studio, Genesys
//! Architect) into touchpoint flows. Each importer reads the platform's
//! format into [`ir`] with the shared [`kit`] (unique ids, JSON with
//! positions, loop unrolling); [`emit`] writes touchpoint YAML; the source
//! map points findings back at the export.

pub mod archy;
pub mod connect;
mod emit;
pub mod ir;
pub(crate) mod kit;
pub mod studio;

use std::path::{Path, PathBuf};

pub use emit::emit;
use ir::IrKind;
pub use ir::{Imported, IrFlow};

use crate::finding::Finding;
use crate::loader::LoadError;
use crate::model::MenuSet;
use crate::report::{ErrorEntry, ErrorReport};

/// The platforms touchpoint imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Amazon Connect contact flows (flow language 2019-10-30), JSON.
    Connect,
    /// Twilio Studio flow definitions, JSON.
    Studio,
    /// Genesys Cloud Architect (Archy) YAML, placeholders allowed.
    Archy,
}

impl Platform {
    /// Every platform there is an importer for, as `--from` lists them.
    pub const ALL: [Platform; 3] = [Platform::Connect, Platform::Studio, Platform::Archy];

    /// What the platform's exports are, for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            Platform::Connect => "Amazon Connect contact flows (JSON)",
            Platform::Studio => "Twilio Studio flow definitions (JSON)",
            Platform::Archy => "Genesys Cloud Architect flows (Archy YAML)",
        }
    }

    /// The name `--from` takes.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Connect => "connect",
            Platform::Studio => "studio",
            Platform::Archy => "archy",
        }
    }
}

/// Why an export could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Lints flows in the import form as `lint` would once they are written:
/// each is emitted as YAML and the documents are loaded as one set. Errs
/// with the loader's messages when what would be written does not load,
/// which is a touchpoint bug, since importers and the crawler build only
/// flows that should.
pub fn lint_flows(flows: &[IrFlow]) -> Result<Vec<Finding>, LintFlowsError> {
    let documents: Vec<(String, String)> = flows
        .iter()
        .map(|f| (format!("{}.yaml", f.id), emit(f)))
        .collect();
    let set = crate::loader::load_texts(PathBuf::from("imported"), &documents)
        .map_err(LintFlowsError::NotLoaded)?;
    Ok(crate::analysis::lint(&set)?.findings)
}

/// Why flows in the import form could not be linted.
#[derive(Debug, thiserror::Error)]
pub enum LintFlowsError {
    /// What would be written does not load: the loader's problems, one
    /// after another.
    #[error("{}", .0.plain_lines().join("; "))]
    NotLoaded(LoadError),
    #[error(transparent)]
    NotCompiled(#[from] crate::graph::CompileError),
}

/// Reads exports of one platform (several files of one contact centre
/// import as one set, with links between them).
pub(crate) fn import_files(
    platform: Platform,
    files: &[(String, String)],
) -> Result<Imported, ImportError> {
    match platform {
        Platform::Connect => connect::import(files),
        Platform::Studio => studio::import(files),
        Platform::Archy => archy::import(files),
    }
}

/// What an import produced besides the set: where each node came from, and
/// notes about what was not modelled.
pub(crate) struct ImportInfo {
    pub flows: Vec<IrFlow>,
    pub notes: Vec<String>,
}

/// Why `--from` could not produce a set.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FromError {
    #[error("cannot read `{0}`: {1}")]
    Io(PathBuf, String),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("the imported flows do not load (a touchpoint bug worth reporting): {}", .0.plain_lines().join("; "))]
    Load(LoadError),
}

/// Declared here rather than in `crate::report`, so that the report, which
/// every renderer reads, does not depend on the importers.
impl ErrorReport {
    /// An export that could not be imported, at the export's line and
    /// column where the importer knows them.
    pub(crate) fn of_import(command: &str, set: String, error: &FromError) -> ErrorReport {
        let entry = match error {
            FromError::Import(problem) => ErrorEntry {
                file: Some(problem.file.clone()),
                line: Some(problem.line),
                column: Some(problem.column),
                message: problem.message.clone(),
                help: None,
            },
            other => ErrorEntry {
                file: None,
                line: None,
                column: None,
                message: other.to_string(),
                help: None,
            },
        };
        ErrorReport::of_entries(command, set, vec![entry])
    }
}

/// Reads export files (or every file of a directory) and loads what they
/// import to, for `lint`, `check`, `graph` and `diff` with `--from`.
pub(crate) fn load_from(
    platform: Platform,
    path: &Path,
) -> Result<(MenuSet, ImportInfo), FromError> {
    let files = read_exports(platform, &[path.to_path_buf()])?;
    let imported = import_files(platform, &files)?;
    let documents: Vec<(String, String)> = imported
        .flows
        .iter()
        .map(|f| (format!("{}.yaml", f.id), emit(f)))
        .collect();
    let set = crate::loader::load_texts(path.to_path_buf(), &documents).map_err(FromError::Load)?;
    Ok((
        set,
        ImportInfo {
            flows: imported.flows,
            notes: imported.notes,
        },
    ))
}

/// The export files of one platform that `paths` name (a directory stands
/// for its files of the platform's kind), read as text.
pub(crate) fn read_exports(
    platform: Platform,
    paths: &[PathBuf],
) -> Result<Vec<(String, String)>, FromError> {
    let mut files = Vec::new();
    for path in paths {
        let mut found = Vec::new();
        if path.is_dir() {
            let entries =
                std::fs::read_dir(path).map_err(|e| FromError::Io(path.clone(), e.to_string()))?;
            let wanted = match platform {
                Platform::Archy => ["yaml", "yml"].as_slice(),
                _ => ["json"].as_slice(),
            };
            found.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file()
                            && p.extension()
                                .and_then(|e| e.to_str())
                                .is_some_and(|e| wanted.contains(&e))
                    }),
            );
            found.sort();
        } else {
            found.push(path.clone());
        }
        for p in found {
            let text =
                std::fs::read_to_string(&p).map_err(|e| FromError::Io(p.clone(), e.to_string()))?;
            // Named as a set names its files: relative to the folder given,
            // or by file name, so findings do not carry a temporary path.
            let name = if path.is_dir() {
                p.strip_prefix(path).unwrap_or(&p).to_path_buf()
            } else {
                PathBuf::from(p.file_name().unwrap_or_default())
            };
            files.push((name.display().to_string(), text));
        }
    }
    Ok(files)
}

impl ImportInfo {
    /// [`ImportInfo::locate`] for every finding, then one finding per code
    /// and export position: an importer may expand one action into several
    /// nodes (an unrolled loop), which would otherwise repeat its finding.
    pub(crate) fn locate_all(&self, findings: &mut Vec<Finding>, set: &MenuSet) {
        // The action each finding is about, taken before its node id is
        // replaced: copies of one action (an unrolled loop) share it, while
        // distinct actions of a wrapped export may share a position.
        let actions: Vec<String> = findings.iter().map(|f| self.action_of(f)).collect();
        for finding in findings.iter_mut() {
            self.locate(finding, set);
        }
        let mut seen = std::collections::HashSet::new();
        let keep: Vec<bool> = actions
            .iter()
            .zip(findings.iter())
            .map(|(action, f)| {
                seen.insert((
                    f.code,
                    f.channel,
                    f.flow.clone(),
                    action.clone(),
                    f.intent.clone(),
                    f.detail,
                ))
            })
            .collect();
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
    }

    /// The export action a finding's node came from (the node id itself
    /// when the node is not from the export).
    fn action_of(&self, finding: &Finding) -> String {
        self.flows
            .iter()
            .find(|f| f.id == finding.flow)
            .and_then(|f| f.nodes.iter().find(|n| n.id == finding.node))
            .map_or_else(
                || finding.node.clone(),
                |n| format!("{}#{}", n.origin.action, n.origin.platform_type),
            )
    }

    /// Points a finding at the export instead of the generated YAML: the
    /// export's file, the action's line and column (the option's, when the
    /// finding is about an option whose place in the export the importer
    /// knows), and its id in the message. `set` is the set loaded from the
    /// generated YAML, where the finding's position says which option it
    /// is about.
    pub(crate) fn locate(&self, finding: &mut Finding, set: &MenuSet) {
        let Some(flow) = self.flows.iter().find(|f| f.id == finding.flow) else {
            return;
        };
        let Some(node) = flow.nodes.iter().find(|n| n.id == finding.node) else {
            return;
        };
        let option = option_index(set, finding).and_then(|k| match &node.kind {
            IrKind::Menu { options, .. } => options.get(k).and_then(|o| o.origin.as_ref()),
            _ => None,
        });
        let at = option.unwrap_or(&node.origin);
        finding.file = flow.source.clone();
        finding.line = at.line;
        finding.column = at.column;
        finding.offset = 0;
        finding.len = 0;
        if !node.origin.action.is_empty() && !finding.message.contains(&node.origin.action) {
            finding.message = format!(
                "{} [{} {}]",
                finding.message, node.origin.platform_type, node.origin.action
            );
        }
    }
}

impl ImportInfo {
    /// Points a mutation report's mutants at the export, as
    /// [`ImportInfo::locate_all`] points findings: the generated YAML
    /// exists only in memory.
    pub(crate) fn locate_mutants(&self, report: &mut crate::results::mutation::MutationReport) {
        let places = (report.results.iter_mut().map(|r| &mut r.place))
            .chain(report.survivors.iter_mut().map(|s| &mut s.place));
        for place in places {
            if let Some((file, line, column)) = self.origin_of(&place.flow, &place.node) {
                (place.file, place.line, place.column) = (file, line, column);
            }
        }
    }

    /// Where the node `node` of `flow` came from in the export: its file,
    /// and the action's line and column. `mutate` points its mutants there,
    /// as findings are.
    pub(crate) fn origin_of(&self, flow: &str, node: &str) -> Option<(String, u32, u32)> {
        let flow = self.flows.iter().find(|f| f.id == flow)?;
        let origin = &flow.nodes.iter().find(|n| n.id == node)?.origin;
        Some((flow.source.clone(), origin.line, origin.column))
    }

    /// A replay's transcript at the export's positions, as
    /// [`ImportInfo::locate`] does for findings: the export file the flow
    /// came from, and each node's line in it. The generated YAML exists
    /// only in memory, so its lines would point nowhere.
    pub(crate) fn locate_transcript(&self, transcript: &mut crate::replay::Transcript) {
        if let Some(flow) = self.flows.iter().find(|f| f.id == transcript.flow) {
            transcript.file = flow.source.clone();
        }
        for event in &mut transcript.events {
            if let crate::replay::Event::Node {
                node, flow, line, ..
            } = event
            {
                let origin = self
                    .flows
                    .iter()
                    .find(|f| &f.id == flow)
                    .and_then(|f| f.nodes.iter().find(|n| &n.id == node))
                    .map(|n| &n.origin);
                if let Some(origin) = origin {
                    *line = origin.line;
                }
            }
        }
    }
}

/// Which option of its menu a finding is about, by where it points in the
/// generated YAML: findings about an option carry the option's position.
fn option_index(set: &MenuSet, finding: &Finding) -> Option<usize> {
    let flow = set.flow(finding.channel, &finding.flow)?;
    let node = flow.nodes.iter().find(|n| n.id.value == finding.node)?;
    let crate::model::NodeKind::Menu { options, .. } = &node.kind else {
        return None;
    };
    options
        .iter()
        .position(|o| o.span.line() == finding.line && o.span.column() == finding.column)
}
