//! Why a set did not load: every problem found, with the files they point
//! into.

use std::fmt;

use crate::loader::Problem;
use crate::model::SourceFile;

/// Why a menu set could not be loaded: every problem found, with the files
/// they point into so the binary can show the lines.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    pub problems: Vec<Problem>,
    pub files: Vec<SourceFile>,
}

impl LoadError {
    pub fn single(problem: Problem) -> LoadError {
        LoadError {
            problems: vec![problem],
            files: Vec::new(),
        }
    }

    /// `file:line:column: message` lines, the plain form for logs and tests.
    pub fn plain_lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| match p.file.and_then(|f| self.files.get(f as usize)) {
                Some(file) => format!(
                    "{}:{}:{}: {}",
                    file.name, p.pos.line, p.pos.column, p.message
                ),
                None => p.message.clone(),
            })
            .collect()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "the menu set has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )
    }
}
