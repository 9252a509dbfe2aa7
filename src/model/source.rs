//! Where things were written: a set's source files, byte spans into them, and
//! values carrying their span.

use std::path::PathBuf;
use std::sync::Arc;

use crate::loader::yaml::Pos;

/// Index of a file in [`crate::model::MenuSet::files`].
pub(crate) type SourceId = u32;

/// One file of the set, kept whole so diagnostics can show its lines.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path relative to the set root, with `/` separators, as reports print it.
    pub name: String,
    /// The path as given on the command line, for reading it again.
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Where something is written: a file and a position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: SourceId,
    pub pos: Pos,
}

impl Span {
    pub fn line(&self) -> u32 {
        self.pos.line
    }
    pub fn column(&self) -> u32 {
        self.pos.column
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}

impl Located<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}
