//! One file of a set, read, parsed and decoded on its own, as the loader
//! does for every file at once on the threads it has.

use std::sync::Arc;

use crate::loader::decode::{Decoder, Document};
use crate::loader::shared_regexes::SharedRegexes;
use crate::loader::undecoded::Undecoded;
use crate::loader::yaml::{self, Pos};
use crate::loader::{decode_file, Problem, Source};
use crate::model::{SourceFile, SourceId};

/// What one file yields before anything is compared across files: its
/// text, its documents, its problems and what it declares but could not
/// decode. Nothing in it depends on another file, so files can be decoded
/// in any order and on any thread; the loader joins them in file order, so
/// that the set, its problems and everything after are those of reading
/// them one by one.
pub(crate) struct DecodedFile {
    pub source: SourceFile,
    pub documents: Vec<(SourceId, Pos, Document)>,
    pub problems: Vec<Problem>,
    pub undecoded: Undecoded,
}

impl DecodedFile {
    /// Parses and decodes the file numbered `id`. Its tree is dropped
    /// before this returns: a tree takes several times its file's size, so
    /// only the files being decoded at a moment (one per thread) have one.
    pub(crate) fn decode(id: SourceId, source: Source, regexes: &SharedRegexes) -> DecodedFile {
        let (name, path, text) = source;
        let mut decoded = DecodedFile {
            source: SourceFile {
                name,
                path,
                text: Arc::from(""),
            },
            documents: Vec::new(),
            problems: Vec::new(),
            undecoded: Undecoded::default(),
        };
        match text {
            Ok(text) => {
                let text: Arc<str> = Arc::from(text);
                match yaml::parse(&text) {
                    Ok(roots) => {
                        let mut decoder = Decoder {
                            file: id,
                            problems: &mut decoded.problems,
                            regexes,
                            undecoded: &mut decoded.undecoded,
                        };
                        decode_file(&mut decoder, roots, &mut decoded.documents);
                    }
                    Err(e) => {
                        decoded.undecoded.unparsed_file(id, &e.read_before);
                        decoded.problems.push(Problem::at(id, e.pos, e.message));
                    }
                }
                decoded.source.text = text;
            }
            Err(unreadable) => {
                // Nothing of an unreadable file is known.
                decoded.undecoded.unparsed_file(id, &[]);
                decoded
                    .problems
                    .push(Problem::at(id, unreadable.at, unreadable.to_string()));
            }
        }
        decoded
    }
}
