//! `touchpoint import`: turns platform exports into touchpoint flows.

use std::path::Path;

use crate::cli::output::Output;
use crate::cli::{fail, EXIT_CLEAN};

pub(crate) fn run(
    files: &[std::path::PathBuf],
    platform: crate::import::Platform,
    output: Option<&Path>,
) -> u8 {
    let exports = match crate::import::read_exports(platform, files) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let imported = match crate::import::import_files(platform, &exports) {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
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
        return fail(format!(
            "the imported flows do not load (a touchpoint bug worth reporting): {}",
            e.plain_lines().join("; ")
        ));
    }
    match output {
        Some(dir) if documents.len() > 1 || dir.is_dir() => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!("cannot create `{}`: {e}", dir.display()));
            }
            for (name, text) in &documents {
                let written = Output::new(Some(&dir.join(name))).write(text);
                if written != EXIT_CLEAN {
                    return written;
                }
            }
            EXIT_CLEAN
        }
        Some(file) => Output::new(Some(file)).write(&documents[0].1),
        None => {
            let text: Vec<&str> = documents.iter().map(|(_, t)| t.as_str()).collect();
            Output::new(None).write(&text.join("---\n"))
        }
    }
}
