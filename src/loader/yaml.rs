//! A YAML tree that remembers where every node came from.
//!
//! `saphyr-parser` gives a stream of events, each with a span. We build our own
//! small tree from that stream instead of deserialising straight into the model,
//! for three reasons: every node keeps its line and column so that any problem
//! can point into the file; the decoder can report every problem in a file,
//! not just the first one serde would stop at; and we control the two ways a
//! small file can become a huge tree (aliases that expand exponentially and
//! nesting thousands of levels deep), so hostile input fails fast with a
//! message instead of exhausting memory or the stack.

use std::borrow::Cow;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

/// How many nodes one document may expand to, aliases included. An honest
/// 20,000-node flow expands to roughly ten nodes per menu node, so this leaves
/// ample room while stopping "billion laughs" alias bombs early.
pub(crate) const MAX_EXPANDED_NODES: usize = 5_000_000;

/// How many nodes aliases may copy in one document, in all. Each alias is a
/// full copy, so an alias bomb is refused only after it has built this many
/// nodes: a lower bound than the document's keeps that cheap (a 700-byte
/// bomb took 450 MB and a second to refuse under the document's bound
/// alone), and honest sets, which alias a shared handler or option a few
/// thousand times, stay far below it.
pub(crate) const MAX_ALIASED_NODES: usize = 1_000_000;

/// How deep collections may nest. Real menu files nest about eight levels.
pub(crate) const MAX_DEPTH: usize = 64;

/// A position in a source file, 1-based line and column plus a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
    pub len: u32,
}

/// One YAML node with its position. `'a` is the source text's lifetime:
/// a scalar whose value is written as it reads borrows it from there.
#[derive(Debug, Clone)]
pub struct Yaml<'a> {
    pub pos: Pos,
    pub value: YamlValue<'a>,
}

#[derive(Debug, Clone)]
pub enum YamlValue<'a> {
    /// A scalar with its value and whether it was quoted, so that `"1"` and
    /// `1` both read as the key 1 but `"true"` stays a string. The value is
    /// a slice of the source where the source spells it out (a plain
    /// scalar on one line, a quoted one without escapes): most of a file's
    /// scalars are, and a tree of copies was the largest part of loading's
    /// peak heap.
    Scalar {
        text: Cow<'a, str>,
        quoted: bool,
    },
    Seq(Vec<Yaml<'a>>),
    /// Entries in file order. Keys are kept as nodes for their positions.
    Map(Vec<(Yaml<'a>, Yaml<'a>)>),
    /// An explicit or implicit null (`~`, `null`, or nothing after the colon).
    Null,
}

impl<'a> Yaml<'a> {
    /// The same tree owning every scalar, for a tree that outlives its
    /// source text (an importer's, or what an error keeps).
    pub(crate) fn into_owned(self) -> Yaml<'static> {
        let value = match self.value {
            YamlValue::Scalar { text, quoted } => YamlValue::Scalar {
                text: Cow::Owned(text.into_owned()),
                quoted,
            },
            YamlValue::Seq(items) => {
                YamlValue::Seq(items.into_iter().map(Yaml::into_owned).collect())
            }
            YamlValue::Map(entries) => YamlValue::Map(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.into_owned(), value.into_owned()))
                    .collect(),
            ),
            YamlValue::Null => YamlValue::Null,
        };
        Yaml {
            pos: self.pos,
            value,
        }
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        match &self.value {
            YamlValue::Scalar { .. } => "a scalar",
            YamlValue::Seq(_) => "a list",
            YamlValue::Map(_) => "a mapping",
            YamlValue::Null => "nothing (null)",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Scalar { text, .. } => Some(text.as_ref()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Yaml<'a>, Yaml<'a>)]> {
        match &self.value {
            YamlValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Yaml<'a>]> {
        match &self.value {
            YamlValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Looks up a key in a mapping; `None` for other kinds.
    pub fn get(&self, key: &str) -> Option<&Yaml<'a>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// A YAML syntax or limit problem, with where it happened.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
    /// The top-level entries of the file's first document that were read in
    /// full before the problem: usually enough to tell what the document
    /// declares (`flow: app`, `channel: app`), so that the loader blames
    /// nothing else for its absence.
    pub read_before: Vec<(Yaml<'static>, Yaml<'static>)>,
}

/// Maps saphyr's line and character-column markers to byte offsets in
/// constant time, however long a line is: a long flow-style line holds
/// hundreds of thousands of nodes, and rescanning the line for each of them
/// made loading quadratic.
struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset where each line starts. The first line starts after
    /// a byte order mark, which the parser never sees.
    line_starts: Vec<usize>,
    /// The character index where each line starts, counted like
    /// `line_starts` from the start of the text; empty for ASCII text,
    /// where it would be `line_starts` again.
    line_start_chars: Vec<usize>,
    /// The byte offset of every `CHECKPOINT_EVERY`-th character, for text
    /// that is not all ASCII (where a character index is a byte offset).
    checkpoints: Option<Vec<usize>>,
}

/// How many characters lie between two checkpoints: a lookup walks at most
/// this many characters.
const CHECKPOINT_EVERY: usize = 64;

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let bom = if text.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let ascii = text.is_ascii();
        let mut line_starts = vec![bom];
        let mut line_start_chars = Vec::new();
        let checkpoints = if ascii {
            // Found with `memchr`'s vector search: searching for each line
            // break in turn cost more per line than the line's bytes.
            line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
            None
        } else {
            line_start_chars.push(usize::from(bom > 0));
            let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT_EVERY + 1);
            for (char_index, (byte, c)) in text.char_indices().enumerate() {
                if char_index % CHECKPOINT_EVERY == 0 {
                    checkpoints.push(byte);
                }
                if c == '\n' {
                    line_starts.push(byte + 1);
                    line_start_chars.push(char_index + 1);
                }
            }
            Some(checkpoints)
        };
        LineIndex {
            text,
            line_starts,
            line_start_chars,
            checkpoints,
        }
    }

    /// Byte offset of a 1-based line and a 1-based character column; a
    /// column past the end of its line is the line's end.
    fn offset(&self, line: usize, column: usize) -> usize {
        let line = line.saturating_sub(1);
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let wanted = column.saturating_sub(1);
        let byte = match &self.checkpoints {
            None => start.saturating_add(wanted),
            Some(checkpoints) => {
                let char_index = self.line_start_chars[line].saturating_add(wanted);
                match checkpoints.get(char_index / CHECKPOINT_EVERY) {
                    Some(&from) => self.text[from..]
                        .char_indices()
                        .nth(char_index % CHECKPOINT_EVERY)
                        .map_or(self.text.len(), |(i, _)| from + i),
                    None => self.text.len(),
                }
            }
        };
        byte.min(end)
    }

    /// The 1-based line and column of a byte offset (which must fall on a
    /// character boundary).
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self.line_starts[line - 1].min(offset);
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The position from a parser span's start and end, each a 1-based
    /// line and a 0-based character column.
    fn pos(&self, (line, column): (usize, usize), end: (usize, usize)) -> Pos {
        let start = self.offset(line, column + 1);
        let end = self.offset(end.0, end.1 + 1).max(start);
        Pos {
            line: line as u32,
            column: column as u32 + 1,
            offset: start as u32,
            len: (end - start) as u32,
        }
    }
}

/// A collection being read: where it starts, where its children start in
/// [`Open`]'s shared lists, its pending key (a mapping's), and its anchor.
enum Frame<'a> {
    Seq(Pos, usize, usize),
    Map(Pos, usize, Option<Yaml<'a>>, usize),
}

/// The collections being read, innermost last, with the children each has
/// so far. Children wait in two lists shared by every open collection (a
/// collection's children follow those of the collections around it) and
/// move into a vector of exactly their number when it closes: growing a
/// vector per collection by pushing, then trimming it, cost a reallocation
/// or two per collection and a sixth of the time of building the tree.
#[derive(Default)]
struct Open<'a> {
    frames: Vec<Frame<'a>>,
    items: Vec<Yaml<'a>>,
    entries: Vec<(Yaml<'a>, Yaml<'a>)>,
}

impl<'a> Open<'a> {
    fn len(&self) -> usize {
        self.frames.len()
    }

    /// Closes the innermost collection: its node and its anchor.
    fn close(&mut self, end: Pos) -> Option<(Yaml<'a>, usize)> {
        let (start, value, anchor) = match self.frames.pop()? {
            Frame::Seq(start, from, anchor) => (
                start,
                YamlValue::Seq(self.items.drain(from..).collect()),
                anchor,
            ),
            Frame::Map(start, from, _, anchor) => (
                start,
                YamlValue::Map(self.entries.drain(from..).collect()),
                anchor,
            ),
        };
        let pos = Pos {
            len: end.offset.saturating_sub(start.offset).max(1),
            ..start
        };
        Some((Yaml { pos, value }, anchor))
    }

    /// The entries the outermost collection, when it is a mapping, has so far.
    fn outermost_entries(mut self) -> Vec<(Yaml<'a>, Yaml<'a>)> {
        let Some(Frame::Map(_, from, _, _)) = self.frames.first() else {
            return Vec::new();
        };
        let from = *from;
        // The entries of mappings inside it come after its own.
        let to = self.frames[1..]
            .iter()
            .find_map(|frame| match frame {
                Frame::Map(_, nested_from, _, _) => Some(*nested_from),
                Frame::Seq(..) => None,
            })
            .unwrap_or(self.entries.len());
        self.entries.truncate(to);
        self.entries.split_off(from)
    }
}

/// Parses every document of a file. A file normally holds one document; the
/// loader decides what to do with more.
pub fn parse(text: &str) -> Result<Vec<Yaml<'_>>, YamlError> {
    let index = LineIndex::new(text);
    // The parser takes a NUL for the end of its input and would silently
    // drop the rest of the file, so characters YAML forbids are refused
    // before it sees them.
    if let Some((offset, c)) = first_forbidden(text) {
        let (line, column) = index.line_column(offset);
        let pos = Pos {
            line: line as u32,
            column: column as u32,
            offset: offset as u32,
            len: c.len_utf8() as u32,
        };
        let message = format!(
            "the file holds the control character {}, which YAML does not allow",
            character_name(c)
        );
        return Err(failure(pos, message, Vec::new(), Open::default()));
    }
    // A byte order mark may open a YAML stream; the parser does not know
    // it, so it reads the text after it (the index counts positions past it).
    let body = text.strip_prefix(BOM).unwrap_or(text);
    // A document that is one flow collection (a flow written on one line,
    // JSON) may be the key of a mapping until the parser has read its
    // closing bracket, so the parser holds back every token of it before
    // giving the first event: 24 times the file in tokens. After an explicit
    // `--- ` on its line a collection cannot be a key, so the parser
    // gives events as it reads. That reading is kept only when it succeeds:
    // a file whose top-level collection is a key, or that has any problem,
    // is read as written, so trees and messages are the same either way.
    if let Some(start) = top_level_collection(body) {
        let started = [&body[..start.offset], DOCUMENT_START, &body[start.offset..]].concat();
        if let Ok(documents) = build(text, &index, &started, Some(start)) {
            return Ok(documents);
        }
    }
    build(text, &index, body, None)
}

/// Where the line starts on which the first document of a stream opens
/// with a flow collection (after blank lines and comments only): its byte
/// offset in the parser's input and its 1-based line. `None` when anything
/// else comes first, or a lone carriage return (a line break to YAML)
/// would make the line count differ from the parser's.
#[derive(Clone, Copy)]
struct CollectionStart {
    offset: usize,
    line: usize,
}

/// The explicit document start put at the start of that line: only there
/// is `---` one.
const DOCUMENT_START: &str = "--- ";

fn top_level_collection(body: &str) -> Option<CollectionStart> {
    let bytes = body.as_bytes();
    let (mut offset, mut line, mut line_start) = (0, 1, 0);
    loop {
        match *bytes.get(offset)? {
            b' ' | b'\t' => offset += 1,
            b'\n' => {
                offset += 1;
                line += 1;
                line_start = offset;
            }
            b'\r' if bytes.get(offset + 1) == Some(&b'\n') => offset += 1,
            b'#' => {
                let end = body[offset..].find('\n')?;
                if body[offset..offset + end].contains('\r') {
                    return None;
                }
                offset += end;
            }
            b'{' | b'[' => {
                return Some(CollectionStart {
                    offset: line_start,
                    line,
                })
            }
            _ => return None,
        }
    }
}

impl CollectionStart {
    /// A parser marker's 0-based column in the text as written: on the
    /// collection's line, what follows the inserted `--- ` moves back by
    /// its length (and the `--- ` itself is placed at the line's start).
    fn original(&self, line: usize, column: usize) -> usize {
        if line == self.line {
            column.saturating_sub(DOCUMENT_START.len())
        } else {
            column
        }
    }
}

/// Builds the tree of every document from the parser's events on `input`:
/// the text after its byte order mark, or that with `--- ` inserted at the
/// start of `inserted`'s line (see `parse`). Positions are always the text's.
fn build<'a>(
    text: &'a str,
    index: &LineIndex,
    input: &str,
    inserted: Option<CollectionStart>,
) -> Result<Vec<Yaml<'a>>, YamlError> {
    let original_column = |line: usize, column: usize| match inserted {
        Some(start) => start.original(line, column),
        None => column,
    };
    let mut documents = Vec::new();
    let mut stack = Open::default();
    let mut anchors: Vec<Option<Arc<Yaml<'_>>>> = Vec::new();
    let mut expanded: usize = 0;
    let mut aliased: usize = 0;

    let parser = Parser::new_from_str(input);
    for event in parser {
        let (event, span) = match event {
            Ok(event) => event,
            Err(e) => {
                let m = e.marker();
                let col = original_column(m.line(), m.col());
                let offset = index.offset(m.line(), col + 1);
                let pos = Pos {
                    line: m.line() as u32,
                    column: col as u32 + 1,
                    offset: offset as u32,
                    len: 1,
                };
                let message = format!("invalid YAML: {}", e.info());
                let (pos, message) = match indenting_tab(text, index, pos, e.info()) {
                    Some(tab) => (
                        tab,
                        "invalid YAML: a tab in the indentation (YAML indents with spaces)"
                            .to_string(),
                    ),
                    None => (pos, message),
                };
                return Err(failure(pos, message, documents, stack));
            }
        };
        let pos = index.pos(
            (
                span.start.line(),
                original_column(span.start.line(), span.start.col()),
            ),
            (
                span.end.line(),
                original_column(span.end.line(), span.end.col()),
            ),
        );
        if let Some(tag) = event_tag(&event) {
            let written = tag_text(tag);
            let message = format!(
                "the tag `{written}` is not supported: touchpoint reads plain YAML values (remove the tag)"
            );
            let pos = tag_pos(text, index, pos, &written);
            return Err(failure(pos, message, documents, stack));
        }
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {
                continue
            }
            Event::DocumentEnd => {
                anchors.clear();
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    let message = format!("nesting deeper than {MAX_DEPTH} levels");
                    return Err(failure(pos, message, documents, stack));
                }
                stack
                    .frames
                    .push(Frame::Seq(pos, stack.items.len(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    let message = format!("nesting deeper than {MAX_DEPTH} levels");
                    return Err(failure(pos, message, documents, stack));
                }
                stack
                    .frames
                    .push(Frame::Map(pos, stack.entries.len(), None, anchor));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((node, anchor)) = stack.close(pos) else {
                    continue;
                };
                remember_anchor(&mut anchors, anchor, &node);
                node
            }
            Event::Scalar(value, style, anchor, _) => {
                expanded += 1;
                let quoted = !matches!(style, ScalarStyle::Plain);
                let value =
                    if !quoted && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                        YamlValue::Null
                    } else {
                        YamlValue::Scalar {
                            text: scalar_text(text, pos, value),
                            quoted,
                        }
                    };
                let node = Yaml { pos, value };
                remember_anchor(&mut anchors, anchor, &node);
                node
            }
            Event::Alias(id) => {
                let Some(Some(target)) = anchors.get(id) else {
                    let message = "alias to an unknown anchor".to_string();
                    return Err(failure(pos, message, documents, stack));
                };
                // An alias copies a subtree that may itself be deep: the copy
                // must fit under the nesting limit where it lands.
                if stack.len() + depth_of(target) > MAX_DEPTH {
                    let message =
                        format!("nesting deeper than {MAX_DEPTH} levels (through an alias)");
                    return Err(failure(pos, message, documents, stack));
                }
                // Every alias copies its target, so count the copy's size
                // before making it: this is what stops alias bombs.
                let copied = count_nodes(target, MAX_ALIASED_NODES);
                aliased += copied;
                expanded += copied;
                if aliased > MAX_ALIASED_NODES || expanded > MAX_EXPANDED_NODES {
                    return Err(failure(pos, alias_bomb(), documents, stack));
                }
                Yaml {
                    pos,
                    value: target.value.clone(),
                }
            }
        };
        expanded += 1;
        if expanded > MAX_EXPANDED_NODES {
            return Err(failure(pos, alias_bomb(), documents, stack));
        }
        match stack.frames.last_mut() {
            None => documents.push(node),
            Some(Frame::Seq(..)) => stack.items.push(node),
            Some(Frame::Map(_, _, pending_key, _)) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => stack.entries.push((key, node)),
            },
        }
    }
    Ok(documents)
}

/// A scalar's value as a slice of the source when the source spells it
/// out at the scalar's position (plain, or between its quotes), else the
/// parser's copy. The copy is trimmed to its length: the scanner builds a
/// scalar in a buffer with room to spare (a hundred bytes or more for a
/// node id), and a tree holds hundreds of thousands of scalars until it is
/// decoded.
fn scalar_text<'a>(source: &'a str, pos: Pos, value: Cow<'_, str>) -> Cow<'a, str> {
    let start = pos.offset as usize;
    let end = start.saturating_add(pos.len as usize);
    let as_written = source.get(start..end);
    let between_quotes = source.get(start.saturating_add(1)..end.saturating_sub(1));
    for written in [as_written, between_quotes].into_iter().flatten() {
        if written == value.as_ref() {
            return Cow::Borrowed(written);
        }
    }
    let mut owned = value.into_owned();
    owned.shrink_to_fit();
    Cow::Owned(owned)
}

/// The byte order mark, which may open a YAML stream.
const BOM: char = '\u{FEFF}';

/// Whether YAML forbids a character anywhere in a stream: it allows tab,
/// line feed, carriage return, printable ASCII, NEL and the printable
/// Unicode ranges (YAML 1.2, production `c-printable`).
pub(super) fn forbidden_in_yaml(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{B}'
            | '\u{C}'
            | '\u{E}'..='\u{1F}'
            | '\u{7F}'..='\u{84}'
            | '\u{86}'..='\u{9F}'
            | '\u{FFFE}'
            | '\u{FFFF}'
    )
}

/// Whether a byte may begin a character YAML forbids: a control byte other
/// than tab and line breaks, DEL, or 0xC2 (C1 controls) or 0xEF (U+FFFE
/// and U+FFFF), which begin other characters too. Written without
/// branches, so that a chunk's bytes are tested in vector code.
fn may_begin_forbidden(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
        | (b == 0x7F)
        | (b == 0xC2)
        | (b == 0xEF)
}

/// The first character YAML forbids in `text`, with its byte offset. Each
/// chunk of 64 bytes is tested whole, and only characters of a chunk that
/// may hold one, that begin with a byte a forbidden one begins with, are
/// decoded: decoding every character of a large file cost a thirtieth of
/// loading it, and stopping at the first candidate byte ten times what
/// testing whole chunks costs.
fn first_forbidden(text: &str) -> Option<(usize, char)> {
    const CHUNK: usize = 64;
    for (n, chunk) in text.as_bytes().chunks(CHUNK).enumerate() {
        if !chunk
            .iter()
            .fold(false, |any, &b| any | may_begin_forbidden(b))
        {
            continue;
        }
        for (i, _) in chunk
            .iter()
            .enumerate()
            .filter(|(_, &b)| may_begin_forbidden(b))
        {
            let offset = n * CHUNK + i;
            // A byte below 0x80 is a character, and 0xC2 and 0xEF only
            // begin one, so `offset` is on a character boundary.
            let c = text[offset..].chars().next()?;
            if forbidden_in_yaml(c) {
                return Some((offset, c));
            }
        }
    }
    None
}

/// A forbidden character as a person can find it: its code point, and its
/// name for the few that have a well-known one.
fn character_name(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    let name = match c {
        '\u{0}' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "backspace",
        '\u{B}' => "vertical tab",
        '\u{C}' => "form feed",
        '\u{1B}' => "escape",
        '\u{7F}' => "DEL",
        _ => return code,
    };
    format!("{code} ({name})")
}

/// The tag an event carries, if any.
fn event_tag<'e>(event: &'e Event) -> Option<&'e Tag> {
    match event {
        Event::Scalar(_, _, _, tag)
        | Event::SequenceStart(_, tag)
        | Event::MappingStart(_, tag) => tag.as_deref(),
        _ => None,
    }
}

/// Where a tag is written: the parser places a tagged node at its value,
/// and the tag comes before it (with an anchor and line breaks possibly
/// between them). A tag spelt another way (through `%TAG`) is pointed at
/// through its value.
fn tag_pos(text: &str, index: &LineIndex, value: Pos, written: &str) -> Pos {
    let before = &text[..(value.offset as usize).min(text.len())];
    match before.rfind(written) {
        Some(offset) => {
            let (line, column) = index.line_column(offset);
            Pos {
                line: line as u32,
                column: column as u32,
                offset: offset as u32,
                len: written.len() as u32,
            }
        }
        None => value,
    }
}

/// A tag as it is written in the file: the core schema's handle is `!!`.
fn tag_text(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        "!" => format!("!{}", tag.suffix),
        // A handle declared with `%TAG` arrives resolved to its prefix.
        prefix => format!("!<{prefix}{}>", tag.suffix),
    }
}

fn alias_bomb() -> String {
    format!(
        "the document expands to more than {MAX_EXPANDED_NODES} nodes, or its aliases copy more than {MAX_ALIASED_NODES} (aliases that copy aliases?)"
    )
}

/// Where a tab indents a line, when the parser's complaint is about a tab.
/// The parser reports where the construct it was reading began (the scalar
/// on the line above, say); the mistake to fix is the tab itself, at the
/// start of a line at or after that point.
fn indenting_tab(text: &str, index: &LineIndex, at: Pos, info: &str) -> Option<Pos> {
    if !info.contains("tab") {
        return None;
    }
    let from = *index.line_starts.get(at.line.saturating_sub(1) as usize)?;
    let mut offset = from;
    for (i, line) in text[from..].split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(tab) = line[..indent].find('\t') {
            return Some(Pos {
                line: at.line + i as u32,
                column: tab as u32 + 1,
                offset: (offset + tab) as u32,
                len: 1,
            });
        }
        offset += line.len() + 1;
    }
    None
}

/// The error for a problem at `pos`, keeping what the file's first document
/// had said at its top level before it: a complete first document, or the
/// entries of the document's mapping that were read in full.
fn failure(pos: Pos, message: String, documents: Vec<Yaml<'_>>, stack: Open<'_>) -> YamlError {
    let read_before = match documents.into_iter().next() {
        Some(Yaml {
            value: YamlValue::Map(entries),
            ..
        }) => entries,
        Some(_) => Vec::new(),
        None => stack.outermost_entries(),
    };
    YamlError {
        pos,
        message,
        read_before: read_before
            .into_iter()
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect(),
    }
}

fn remember_anchor<'a>(anchors: &mut Vec<Option<Arc<Yaml<'a>>>>, anchor: usize, node: &Yaml<'a>) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, None);
    }
    anchors[anchor] = Some(Arc::new(node.clone()));
}

/// How many collections deep a node goes (a scalar is 0). Nodes are at most
/// `MAX_DEPTH` deep, so this stays cheap.
fn depth_of(node: &Yaml) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(node, 0usize)];
    while let Some((n, depth)) = pending.pop() {
        match &n.value {
            YamlValue::Seq(items) => pending.extend(items.iter().map(|i| (i, depth + 1))),
            YamlValue::Map(entries) => pending.extend(
                entries
                    .iter()
                    .flat_map(|(k, v)| [(k, depth + 1), (v, depth + 1)]),
            ),
            _ => {}
        }
        deepest = deepest
            .max(depth + usize::from(matches!(n.value, YamlValue::Seq(_) | YamlValue::Map(_))));
    }
    deepest
}

/// Counts nodes up to `limit`, so a huge aliased tree is not walked in full
/// just to learn that it is too big.
fn count_nodes(node: &Yaml, limit: usize) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        count += 1;
        if count > limit {
            break;
        }
        match &n.value {
            YamlValue::Seq(items) => pending.extend(items.iter()),
            YamlValue::Map(entries) => {
                for (k, v) in entries {
                    pending.push(k);
                    pending.push(v);
                }
            }
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_point_at_the_node() {
        let docs = parse("flow: main\nnodes:\n  welcome:\n    say: Hi\n").unwrap();
        let root = &docs[0];
        let nodes = root.get("nodes").unwrap();
        let (key, _) = &nodes.as_map().unwrap()[0];
        assert_eq!(key.as_str(), Some("welcome"));
        assert_eq!((key.pos.line, key.pos.column), (3, 3));
        assert_eq!(key.pos.offset as usize, "flow: main\nnodes:\n  ".len());
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("expands"), "{}", err.message);
    }

    #[test]
    fn aliases_cannot_nest_past_the_limit() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        let mut text = format!("a0: &a0 {}\n", deep(40));
        for i in 1..10 {
            text.push_str(&format!("a{i}: &a{i} [[[[[[[[[[*a{}]]]]]]]]]]\n", i - 1));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("through an alias"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_fails_fast() {
        // Flow style hits the parser's own recursion limit first.
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("recursion") || err.message.contains("nesting"),
            "{}",
            err.message
        );
        // Block style is bounded by ours.
        let block: String = (0..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let err = parse(&block).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
    }

    #[test]
    fn a_tab_in_the_indentation_is_pointed_at() {
        let text = "flow: app\nchannel: app\nnodes:\n  home:\n    menu: Home\n\toptions: []\n";
        let err = parse(text).unwrap_err();
        assert_eq!((err.pos.line, err.pos.column), (6, 1), "{}", err.message);
        assert!(err.message.contains("a tab in the indentation"));
        assert_eq!(&text[err.pos.offset as usize..][..1], "\t");
        // What the file declared before the tab is kept.
        let keys: Vec<_> = err.read_before.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [Some("flow"), Some("channel")]);
    }

    #[test]
    fn scalars_borrow_the_source_only_where_it_spells_them_out() {
        let text = concat!(
            "plain: a b\n",
            "double: \"as written\"\n",
            "escaped: \"tab\\there\"\n",
            "single: 'it''s'\n",
            "folded: >-\n  one\n  two\n",
            "non_ascii: \"caf\u{e9}\"\n",
        );
        let docs = parse(text).unwrap();
        let scalar = |key: &str| match &docs[0].get(key).unwrap().value {
            YamlValue::Scalar { text, .. } => text.clone(),
            other => panic!("{key} is not a scalar: {other:?}"),
        };
        let expected = [
            ("plain", "a b", true),
            ("double", "as written", true),
            ("escaped", "tab\there", false),
            ("single", "it's", false),
            ("folded", "one two", false),
            ("non_ascii", "caf\u{e9}", true),
        ];
        for (key, value, borrowed) in expected {
            let got = scalar(key);
            assert_eq!(got, value, "{key}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{key}");
        }
        // An owned tree reads the same.
        let owned = docs.into_iter().next().unwrap().into_owned();
        assert_eq!(
            owned.get("escaped").and_then(Yaml::as_str),
            Some("tab\there")
        );
        assert_eq!(owned.get("plain").and_then(Yaml::as_str), Some("a b"));
    }

    /// The byte offset of a line and character column found the slow way,
    /// by walking the text: what the index must agree with.
    fn walked_offset(text: &str, line: usize, column: usize) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let line_text = &text[start..][..text[start..].find('\n').unwrap_or(text.len() - start)];
        start
            + line_text
                .char_indices()
                .nth(column - 1)
                .map_or(line_text.len(), |(i, _)| i)
    }

    #[test]
    fn the_line_index_agrees_with_walking_the_text() {
        let long_line: String = (0..1_000).map(|i| format!("é{i}, ")).collect();
        let texts = [
            "flow: main\nnodes:\n  a: b\n".to_string(),
            "é: [a, ü]\r\nnext: 你好 x\n\nlast".to_string(),
            format!("items: [{long_line}]\nafter: ü\n"),
            "\u{FEFF}flow: é\nx: y".to_string(),
            // ASCII lines across many chunks of the scan for line breaks.
            (0..200).map(|i| "x".repeat(i % 70) + "\n").collect(),
        ];
        for text in &texts {
            let index = LineIndex::new(text);
            let bom = usize::from(text.starts_with(BOM));
            let lines = text.split('\n').count();
            for line in 1..=lines + 1 {
                for column in (1..3_000).step_by(7) {
                    // The first line's columns start after a byte order mark.
                    let walked_column = if line == 1 { column + bom } else { column };
                    assert_eq!(
                        index.offset(line, column),
                        walked_offset(text, line, walked_column),
                        "line {line}, column {column} of {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_positions_count_past_it() {
        let text = "\u{FEFF}flow: main\nnodes: é\n";
        let docs = parse(text).unwrap();
        let (key, _) = &docs[0].as_map().unwrap()[0];
        assert_eq!(key.as_str(), Some("flow"));
        assert_eq!((key.pos.line, key.pos.column), (1, 1));
        assert_eq!(&text[key.pos.offset as usize..][..4], "flow");
        let (_, value) = &docs[0].as_map().unwrap()[1];
        assert_eq!(&text[value.pos.offset as usize..][..2], "é");
    }

    #[test]
    fn characters_yaml_forbids_are_named_where_they_are() {
        for (c, name) in [
            ('\u{0}', "U+0000 (NUL)"),
            ('\u{1}', "U+0001"),
            ('\u{7F}', "U+007F (DEL)"),
            ('\u{9B}', "U+009B"),
            ('\u{FFFF}', "U+FFFF"),
        ] {
            let text = format!("flow: main\n# ü {c} comment\nnodes: {{}}\n");
            let err = parse(&text).unwrap_err();
            assert!(err.message.contains(name), "{c:?}: {}", err.message);
            assert_eq!((err.pos.line, err.pos.column), (2, 5), "{c:?}");
            assert!(text[err.pos.offset as usize..].starts_with(c));
        }
        // Tabs, line breaks, NEL and ordinary Unicode are text.
        assert!(parse("a: \"x\ty\u{85}z é \u{FEFF}\"\r\n").is_ok());
    }

    #[test]
    fn tags_are_refused_where_they_are_written() {
        for (text, tag, column) in [
            ("a: !foo x\n", "`!foo`", 4),
            ("a: !!str 1\n", "`!!str`", 4),
            ("a: &anchor !!map\n  b: c\n", "`!!map`", 12),
            (
                "- !<tag:example.com,2026:x> y\n",
                "`!<tag:example.com,2026:x>`",
                3,
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.message.contains(tag), "{text:?}: {}", err.message);
            assert_eq!((err.pos.line, err.pos.column), (1, column), "{text:?}");
        }
    }

    /// The trees or the error of `text` read as written, without the
    /// `--- ` that `parse` puts before a top-level collection.
    fn parsed_as_written(text: &str) -> String {
        let body = text.strip_prefix(BOM).unwrap_or(text);
        format!("{:?}", build(text, &LineIndex::new(text), body, None))
    }

    #[test]
    fn a_top_level_collection_reads_as_written() {
        // Each is read through the inserted `--- `, and must come out the
        // same as read without it, positions included.
        let read_started = [
            "{\"flow\": \"main\", \"nodes\": {\"a\": {\"say\": \"hi\"}}}\n",
            "# a comment\n\n  [a, {b: c}, \"d\"]\n",
            "\u{FEFF}{é: [1, ü], x: 'y'}",
            "{\n  \"a\": 1,\n  \"b\": [1,\n2]\n}\n",
            "{a: 1}\r\n",
            "[a, b]\n---\n{c: d}\n",
            "{a: &x [1], b: *x}",
        ];
        for text in read_started {
            let body = text.strip_prefix(BOM).unwrap_or(text);
            let start = top_level_collection(body).expect("a top-level collection");
            let started = [&body[..start.offset], DOCUMENT_START, &body[start.offset..]].concat();
            let index = LineIndex::new(text);
            assert!(
                build(text, &index, &started, Some(start)).is_ok(),
                "{text:?}"
            );
            assert_eq!(
                format!("{:?}", parse(text)),
                parsed_as_written(text),
                "{text:?}"
            );
        }
        // A collection that is a key, and files with problems, are read as
        // written: the same trees and the same messages at the same places.
        for text in [
            "{a: 1}: 2\n",
            "[a]: b\n",
            "{a: !tag 1}",
            "{a: [1, 2}",
            "{a: *unknown}",
            "{a: 1}\nb: 2\n",
            "[a\r# comment\n]",
        ] {
            assert_eq!(
                format!("{:?}", parse(text)),
                parsed_as_written(text),
                "{text:?}"
            );
        }
        // The collection is the document's, and the tree's first position
        // is the bracket's.
        let docs = parse("# c\n  {a: b}\n").unwrap();
        assert_eq!((docs[0].pos.line, docs[0].pos.column), (2, 3));
        assert!(top_level_collection("a: {b: c}").is_none());
    }

    #[test]
    fn forbidden_characters_are_found_by_their_bytes() {
        let text = "tab\t, é, \u{85}, \u{FEFF}, \u{F000} and then \u{9F}";
        assert_eq!(first_forbidden(text), Some((text.len() - 2, '\u{9F}')));
        assert_eq!(first_forbidden("line\r\nbreaks\n\u{FFFD}"), None);
        assert_eq!(first_forbidden("x\u{FFFE}"), Some((1, '\u{FFFE}')));
        assert_eq!(first_forbidden("\u{1B}"), Some((0, '\u{1B}')));
        let long = "\u{FEFF}\r\n".repeat(40) + "\u{7F}";
        assert_eq!(first_forbidden(&long), Some((long.len() - 1, '\u{7F}')));
    }

    #[test]
    fn non_ascii_columns_map_to_byte_offsets() {
        let text = "é: [a, b]\nnext: ü\n";
        let docs = parse(text).unwrap();
        let (_, v) = &docs[0].as_map().unwrap()[1];
        assert_eq!(&text[v.pos.offset as usize..][..2], "ü");
    }
}
