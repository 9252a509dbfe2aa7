//! Reads a menu set from disk into the model.
//!
//! This is the only module that knows YAML exists: every YAML crate stays
//! behind it. It reads files with limits (size, UTF-8), parses each into a
//! position-carrying tree, decodes the documents, and validates references
//! across them. All problems of all files are collected; loading fails with
//! every one of them, each with file, line and column.

mod condition_parser;
mod decode;
mod decoded_file;
mod glob;
mod load_error;
mod problem;
mod progress;
mod shared_regexes;
pub mod tree;
mod undecoded;
mod validate;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use decode::{
    node_extra_keys, DEFAULTS_KEYS, DOCUMENT_KEYS, EXPECT_KEYS, FLOW_KEYS, HANDLER_KEYS,
    INTENT_KEYS, LIMITS_KEYS, MATRIX_KEYS, NODE_KIND_KEYS, OPTION_KEYS, PATIENCE_KEYS,
    PERSONA_KEYS, SETTINGS_KEYS, STEP_KEYS, TIMING_KEYS,
};
pub(crate) use load_error::LoadError;
pub(crate) use problem::Problem;
pub use progress::{no_progress, LoadProgress};

use crate::model::{MenuSet, SourceId};
use decode::{Decoder, Document};
use decoded_file::DecodedFile;
use shared_regexes::SharedRegexes;
use undecoded::Undecoded;
use yaml::Pos;

/// Files larger than this are refused before they are read: no menu set
/// needs one, and parsing a huge file would take the time and memory the
/// "bad input fails fast" promise rules out.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Where a path given to a command is read from: the set's root, and for a
/// file inside a set, the file's name in that set (as reports name files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetPath {
    pub root: PathBuf,
    pub file: Option<String>,
}

/// Finds the set a path belongs to, as cargo finds `Cargo.toml`. A directory
/// is a set. A file belongs to the set whose root is the nearest folder,
/// from the file's own upwards, that directly holds a settings document
/// (`touchpoint:`) or an intents catalogue (`intents:`): the two documents
/// that speak for a whole set. The search stops at the root of a repository
/// (a folder holding `.git`) and at the filesystem root; a file with no
/// such folder above it is a set of its own. The root keeps the form the
/// path was given in (relative stays relative), so reports show no
/// absolute path the user did not write.
pub(crate) fn locate_set(path: &Path) -> SetPath {
    let alone = SetPath {
        root: path.to_path_buf(),
        file: None,
    };
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if !path.is_file() || !is_yaml {
        return alone;
    }
    let Some(file_name) = path.file_name() else {
        return alone;
    };
    // The folders passed on the way up, nearest first: the file's name in
    // the set is the path down from the root through them.
    let mut below = vec![file_name.to_string_lossy().into_owned()];
    let mut dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    loop {
        if holds_set_document(&dir) {
            // A folder the set's walk skips (hidden) does not hold the file
            // as far as the set is concerned.
            if below.iter().any(|name| name.starts_with('.')) {
                return alone;
            }
            below.reverse();
            return SetPath {
                root: dir,
                file: Some(below.join("/")),
            };
        }
        if dir.join(".git").exists() {
            return alone;
        }
        let Ok(real) = std::fs::canonicalize(&dir) else {
            return alone;
        };
        if real.parent().is_none() {
            return alone;
        }
        // The set names files by the path under its root as written (a
        // linked folder by its link's name); only going up through `..`
        // needs the real name of the folder left.
        let Some(name) = dir.file_name().or(real.file_name()) else {
            return alone;
        };
        below.push(name.to_string_lossy().into_owned());
        dir = match dir.file_name() {
            Some(_) => match dir.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            },
            None if dir == Path::new(".") => PathBuf::from(".."),
            None => dir.join(".."),
        };
    }
}

/// Whether a folder directly holds a YAML file whose top-level key says it
/// is a settings document or an intents catalogue. Each file is read only up
/// to its first line that starts a top-level key, so a large flow costs a
/// line, and a file that is not valid YAML (the usual reason to lint one
/// file) still marks its set.
fn holds_set_document(dir: &Path) -> bool {
    use std::io::BufRead;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !yaml || name.starts_with('.') || !path.is_file() {
            return false;
        }
        // Opened without waiting (the path may have become a FIFO since it
        // was checked) and read no further than a menu file may be long.
        let Ok(file) = open_without_blocking(&path) else {
            return false;
        };
        std::io::BufReader::new(std::io::Read::take(file, MAX_FILE_BYTES))
            .lines()
            .map_while(Result::ok)
            .find(|line| !line.is_empty() && !line.starts_with([' ', '\t', '#', '-', '%', '.']))
            .is_some_and(|line| line.starts_with("touchpoint:") || line.starts_with("intents:"))
    })
}

/// Loads a set directory, or a single flow file as a set of one.
pub fn load_set(path: &Path) -> Result<MenuSet, LoadError> {
    load_set_with_progress(path, &mut no_progress)
}

/// [`load_set`], saying to `progress` how many files are done after each
/// one: a set of a thousand flows takes seconds to load.
///
/// Files are read, parsed and decoded on every thread of rayon's pool, so
/// `progress` may be called from any of them, one call at a time.
pub fn load_set_with_progress(
    path: &Path,
    progress: &mut (dyn FnMut(LoadProgress) + Send),
) -> Result<MenuSet, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        LoadError::single(Problem::whole_set(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        )))
    })?;
    let (root, files) = if metadata.is_dir() {
        let mut files = Vec::new();
        let mut visited = std::collections::HashSet::new();
        collect_yaml_files(path, &mut files, &mut visited).map_err(LoadError::single)?;
        (path.to_path_buf(), files)
    } else {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        (root, vec![path.to_path_buf()])
    };

    // Read on every thread too, in file order: reading is a fair part of
    // loading a set of many small files.
    let sources = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|file| (relative_name(&root, file), file.clone(), read_text(file)))
            .collect()
    };
    assemble(path.to_path_buf(), sources, progress)
}

/// Loads a set of one file from text, as if read from `name`: for tests,
/// tools that hold YAML in memory, and importers.
pub fn load_text(name: &str, text: &str) -> Result<MenuSet, LoadError> {
    let source = (name.to_string(), PathBuf::from(name), Ok(text.to_string()));
    assemble(PathBuf::from(name), vec![source], &mut no_progress)
}

/// Loads a set from documents held in memory, each with the name it is
/// reported under: what importers produce.
pub fn load_texts(root: PathBuf, documents: &[(String, String)]) -> Result<MenuSet, LoadError> {
    let sources = documents
        .iter()
        .map(|(name, text)| (name.clone(), PathBuf::from(name), Ok(text.clone())))
        .collect();
    assemble(root, sources, &mut no_progress)
}

/// A file's set-relative name, its path, and its text or why it has none.
type Source = (String, PathBuf, Result<String, Unreadable>);

fn assemble(
    root: PathBuf,
    sources: Vec<Source>,
    progress: &mut (dyn FnMut(LoadProgress) + Send),
) -> Result<MenuSet, LoadError> {
    use rayon::prelude::*;
    let path = root.as_path();
    let mut set = MenuSet {
        root: root.clone(),
        ..MenuSet::default()
    };
    let regexes = SharedRegexes::default();
    let files = sources.len();
    // Files are decoded on every thread, each on its own, and counted as
    // they finish: the count and the call to `progress` share one lock, so
    // the caller is told 1, 2, 3... in order and from one thread at a time,
    // whichever thread finished.
    let done = std::sync::Mutex::new((0usize, progress));
    let decoded: Vec<DecodedFile> = sources
        .into_par_iter()
        .enumerate()
        .map(|(index, source)| {
            let decoded = DecodedFile::decode(index as SourceId, source, &regexes);
            let mut done = done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            done.0 += 1;
            let files_done = done.0;
            (done.1)(LoadProgress { files_done, files });
            decoded
        })
        .collect();
    // Joined in file order, as if each file had been decoded after the one
    // before it: file ids, problems and documents come out the same on any
    // number of threads.
    let mut problems = Vec::new();
    let mut undecoded = Undecoded::default();
    let mut documents = Vec::new();
    for file in decoded {
        set.files.push(file.source);
        problems.extend(file.problems);
        documents.extend(file.documents);
        undecoded.absorb(file.undecoded);
    }

    // Settings come first: they say which files are not ours to read.
    let mut settings_seen: Option<(SourceId, Pos)> = None;
    for (file, pos, document) in &documents {
        if let Document::Settings(settings) = document {
            if let Some((first, _)) = settings_seen {
                let name = &set.files[first as usize].name;
                problems.push(Problem::at(
                    *file,
                    *pos,
                    format!("a second settings document (the first is in {name})"),
                ));
            } else {
                settings_seen = Some((*file, *pos));
                set.settings = settings.clone();
            }
        }
    }
    if !set.settings.ignore.is_empty() {
        let ignore = glob::Ignore::new(&set.settings.ignore);
        let ignored: Vec<bool> = set.files.iter().map(|f| ignore.matches(&f.name)).collect();
        problems.retain(|p| !p.file.is_some_and(|f| ignored[f as usize]));
        documents.retain(|(file, _, _)| !ignored[*file as usize]);
        undecoded.retain_files(|file| !ignored[file as usize]);
    }
    problems.extend(undecoded.take_unrecognised(settings_seen.is_some()));

    for (_, _, document) in documents {
        match document {
            Document::Flow(flow) => set.flows.push(flow),
            Document::Intents(intents) => set.intents.extend(intents),
            Document::Persona(persona) => set.personas.push(persona),
            Document::Settings(_) => {}
        }
    }
    if set.flows.is_empty() && problems.is_empty() {
        problems.push(Problem::whole_set(format!(
            "no flows in `{}`: a menu set needs at least one YAML file starting with `flow:`",
            path.display()
        )));
    }
    validate::validate(&set, &undecoded, &mut problems);
    if problems.is_empty() {
        Ok(set)
    } else {
        problems.sort();
        problems.dedup();
        Err(LoadError {
            problems,
            files: set.files,
        })
    }
}

/// Decodes the documents of one parsed file into `documents`, with the
/// file and position of each, and says when a file holds more than one.
/// Each document's tree is given up to the decoder, which drops the parts
/// it has decoded (see `Decoder::document`).
fn decode_file(
    decoder: &mut Decoder,
    roots: Vec<yaml::Yaml<'_>>,
    documents: &mut Vec<(SourceId, Pos, Document)>,
) {
    let second = roots.get(1).map(|root| root.pos);
    for mut root in roots {
        let pos = root.pos;
        if let Some(document) = decoder.document(&mut root) {
            documents.push((decoder.file, pos, document));
        }
    }
    if let Some(second) = second {
        decoder.problems.push(
            Problem::at(
                decoder.file,
                second,
                "a file holds one document; this one has several (`---`)",
            )
            .with_help("split them into files of their own"),
        );
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Reads a file as UTF-8 text. Only a regular file is read: a FIFO would
/// block the loader until some writer appears, and a device such as
/// `/dev/zero` never ends. The size the file system reports is checked
/// first, and the read itself stops one byte past the limit, so a file that
/// grows while it is read (or reports a wrong size) cannot exhaust memory.
fn read_text(path: &Path) -> Result<String, Unreadable> {
    use std::io::Read;
    let at_start = |reason: WhyUnreadable| Unreadable {
        at: Pos {
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        },
        reason,
    };
    let cannot_read = |e: std::io::Error| at_start(WhyUnreadable::Io(e));
    let refused = |refused: Refused| at_start(WhyUnreadable::Refused(refused));
    // The type is checked before opening, as opening a FIFO for reading
    // waits for a writer; the open below cannot block either, and the
    // handle is checked again in case the path changed in between.
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    refuse_irregular(&metadata).map_err(refused)?;
    refuse_oversized(metadata.len()).map_err(refused)?;
    let file = open_without_blocking(path).map_err(cannot_read)?;
    let metadata = file.metadata().map_err(cannot_read)?;
    refuse_irregular(&metadata).map_err(refused)?;
    let mut bytes = Vec::with_capacity(metadata.len().min(MAX_FILE_BYTES) as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(at_start(WhyUnreadable::Grew));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count() as u32
            + 1;
        Unreadable {
            at: Pos {
                line,
                column,
                offset: 0,
                len: 0,
            },
            reason: WhyUnreadable::NotUtf8,
        }
    })
}

/// Why a file of the set has no text, and where in it that was found.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
struct Unreadable {
    at: Pos,
    reason: WhyUnreadable,
}

/// What kept a file's text from the loader.
#[derive(Debug, thiserror::Error)]
enum WhyUnreadable {
    #[error("cannot read: {}", io_reason(.0))]
    Io(std::io::Error),
    #[error(transparent)]
    Refused(Refused),
    #[error("the file grew past the limit of {} while it was read", limit_text())]
    Grew,
    #[error("the file is not UTF-8 text (save it as UTF-8)")]
    NotUtf8,
}

/// Why a file of the set is refused before it is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Refused {
    /// A FIFO, a device, a directory...: `kind` says which, in words.
    #[error(
        "the file is {kind}, not a regular file: touchpoint reads menus from regular files only"
    )]
    Irregular { kind: &'static str },
    #[error("the file is {}; menu files are limited to {}", size_text(*.size), limit_text())]
    Oversized { size: u64 },
}

/// Refuses anything but a regular file (after links are followed), naming
/// what it is.
fn refuse_irregular(metadata: &std::fs::Metadata) -> Result<(), Refused> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(Refused::Irregular {
        kind: file_kind(&metadata.file_type()),
    })
}

/// What a file that is not a regular file is, in words.
fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Refuses a file larger than the limit, giving both sizes exactly.
fn refuse_oversized(size: u64) -> Result<(), Refused> {
    if size <= MAX_FILE_BYTES {
        return Ok(());
    }
    Err(Refused::Oversized { size })
}

/// A size in whole MiB when it is one, and in bytes otherwise, so that a
/// size just over a limit never reads as equal to it.
fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn limit_text() -> String {
    format!("{} ({MAX_FILE_BYTES} bytes)", size_text(MAX_FILE_BYTES))
}

/// Opens a file for reading without waiting: should the path have become a
/// FIFO since it was checked, the open returns at once instead of waiting
/// for a writer.
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Every `*.yaml`/`*.yml` below `dir`, sorted by path so that loading and
/// every report built on it are the same on every machine. Hidden entries
/// (`.git`) are skipped. Linked folders are followed (teams share common
/// flows that way), but a folder already read, by its real path, is not
/// read again: a link back up would otherwise read the set forever.
fn collect_yaml_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    visited: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), Problem> {
    if let Ok(real) = std::fs::canonicalize(dir) {
        if !visited.insert(real) {
            return Ok(());
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Problem::whole_set(format!(
            "cannot read directory `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_yaml_files(&path, out, visited)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn relative_name(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    /// Loads `path` in a pool of `threads`, as `--jobs` sets it.
    fn load_on(threads: usize, path: &std::path::Path) -> String {
        let loaded = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| super::load_set(path));
        format!("{loaded:?}")
    }

    /// A flow's nodes are decoded out of its tree (`Decoder::flow` takes
    /// them away): a node written twice, a second `nodes:` and a misspelt
    /// key beside them are still found, each where it is written.
    #[test]
    fn nodes_taken_out_of_the_tree_are_checked_as_written() {
        let text = concat!(
            "flow: main\n",
            "channel: phone\n",
            "start: hello\n",
            "nodes:\n",
            "  hello:\n",
            "    say: Hello.\n",
            "    next: bye\n",
            "  bye:\n",
            "    hangup: Goodbye.\n",
            "  hello:\n",
            "    hangup: Again.\n",
            "nodes:\n",
            "  other:\n",
            "    hangup: Other.\n",
            "tilte: Main\n",
        );
        let problems = match super::load_text("main.yaml", text) {
            Ok(set) => panic!("the flow has problems, yet it loaded: {set:?}"),
            Err(e) => e.problems,
        };
        let said: Vec<(u32, &str)> = problems
            .iter()
            .map(|p| (p.pos.line, p.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                (10, "node `hello` is defined twice (first on line 5)"),
                (12, "`nodes` is written twice in a flow (first on line 4)"),
                (15, "unknown key `tilte` in a flow"),
            ]
        );
    }

    #[test]
    fn a_set_loads_the_same_on_one_thread_and_on_several() {
        let menus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let one = load_on(1, &menus);
        assert!(one.starts_with("Ok("), "the bundled set loads");
        for threads in [2, 7] {
            assert_eq!(one, load_on(threads, &menus), "{threads} threads");
        }
    }

    /// Problems come from many files at once; file ids, positions and the
    /// order of problems must still be those of reading files one by one,
    /// and so must what one file's problem keeps from being blamed on
    /// another (a flow that did not parse is not an unknown call target).
    #[test]
    fn problems_of_many_files_are_the_same_on_one_thread_and_on_several() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write a file of the set")
        };
        for n in 0..12 {
            write(
                &format!("flow_{n:02}.yaml"),
                &format!(
                    "flow: flow_{n:02}\nchannel: phone\nstart: m\nnodes:\n  m:\n    menu: Press 1.\n    \
                     options:\n      - key: 1\n        goto: helper_{n:02}\n  helper_{n:02}:\n    \
                     call: broken_{}\n    next: bye\n  bye:\n    hangup: Bye.\n    optoins: []\n",
                    n % 3
                ),
            );
        }
        for n in 0..3 {
            write(
                &format!("broken_{n}.yaml"),
                &format!("flow: broken_{n}\nchannel: phone\nstart: [unclosed\n"),
            );
        }
        write("notes.yaml", "shopping: [milk]\n");
        let one = load_on(1, dir.path());
        assert!(one.starts_with("Err("), "the set has problems: {one}");
        assert!(one.contains("optoins") && one.contains("unclosed"), "{one}");
        for threads in [2, 7] {
            assert_eq!(one, load_on(threads, dir.path()), "{threads} threads");
        }
    }
}
