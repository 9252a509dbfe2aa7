//! `touchpoint import`: turns platform exports into touchpoint flows.

use std::path::Path;

use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};

pub(crate) fn run(
    files: &[std::path::PathBuf],
    platform: crate::import::Platform,
    output: Option<&Path>,
) -> Result<Verdict, CliError> {
    let exports = crate::import::read_exports(platform, files)?;
    let imported = crate::import::import_files(platform, &exports)?;
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let documents: Vec<(String, String)> = imported
        .flows
        .iter()
        .map(|f| (format!("{}.yaml", f.id), crate::import::emit(f)))
        .collect();
    // What is written must load: check before writing anything.
    if let Err(e) = crate::loader::load_texts(std::path::PathBuf::from("imported"), &documents) {
        return Err(CliError::WrittenFlowsDoNotLoad {
            failure: "the imported flows do not load",
            problems: e.plain_lines().join("; "),
        });
    }
    match output {
        Some(dir) if documents.len() > 1 || dir.is_dir() => {
            std::fs::create_dir_all(dir).map_err(|source| CliError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
            for (name, text) in &documents {
                Output::new(Some(&dir.join(name))).write(text)?;
            }
        }
        Some(file) => Output::new(Some(file)).write(&documents[0].1)?,
        None => {
            let text: Vec<&str> = documents.iter().map(|(_, t)| t.as_str()).collect();
            Output::new(None).write(&text.join("---\n"))?;
        }
    }
    Ok(Verdict::Clean)
}
