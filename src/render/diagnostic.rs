//! Findings and load errors drawn the miette way, with excerpts read from a
//! per-file line index so that each costs time in its own lines.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::loader::LoadError;
use crate::model::SourceFile;

/// A file's text, with where each of its lines starts, indexed once per
/// file and shared by every diagnostic in it. miette reads an excerpt from
/// plain text by scanning from the start of the file, so each excerpt cost
/// time in proportion to the file, and a report with a finding on every
/// line of a large file took time in the square of its size. Here miette
/// reads only the lines of the excerpt, found by binary search, and the
/// result is moved back to where those lines are in the file: the output
/// is the same, byte for byte.
#[derive(Debug, Clone)]
pub(crate) struct ExcerptSource {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl ExcerptSource {
    pub(crate) fn new(name: String, text: Arc<str>) -> ExcerptSource {
        let line_starts = line_starts(text.as_bytes()).into();
        ExcerptSource {
            name,
            text,
            line_starts,
        }
    }

    /// The lines miette reads for `span` with its context: the first
    /// line's number, and the bytes from its start to the end of the last.
    fn excerpt_lines(
        &self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> (usize, usize, usize) {
        let text_len = self.text.len();
        let span_end = span.offset() + span.len();
        let (first, last) = if span_end <= text_len {
            // miette looks at the byte before an empty span, so the lines
            // run from the earlier of the two.
            let first_byte = span.offset().min(span_end.saturating_sub(1));
            let last_byte = span.offset().max(span_end.saturating_sub(1));
            (
                self.line_of(first_byte)
                    .saturating_sub(context_lines_before),
                // miette reads on to the line break that ends the last
                // line of context after the span: one line beyond that is
                // always enough.
                self.line_of(last_byte) + context_lines_after + 2,
            )
        } else {
            // Out of bounds: the whole text, for miette's own error.
            (0, usize::MAX)
        };
        let start = self.line_starts[first];
        let end = self.line_starts.get(last).copied().unwrap_or(text_len);
        (first, start, end)
    }

    /// For a span on a line too long to show whole (a flow written on one
    /// line, a value padded with thousands of spaces), the part of that
    /// line shown around it: the line's index, where it starts, and the
    /// window's start and end. miette draws the whole line and pads the
    /// label out to its column, and padding past 65,535 columns panics in
    /// `std::fmt`; a window of the line keeps both the output and the
    /// padding short.
    fn long_line_window(&self, span: &SourceSpan) -> Option<(usize, usize, usize, usize)> {
        let text = self.text.as_bytes();
        let offset = span.offset();
        if offset >= text.len() {
            return None;
        }
        let line = self.line_of(offset);
        let line_start = self.line_starts[line];
        let mut line_end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len());
        while line_end > line_start && matches!(text[line_end - 1], b'\n' | b'\r') {
            line_end -= 1;
        }
        if line_end - line_start <= LONG_LINE_BYTES {
            return None;
        }
        let mut start = offset.saturating_sub(WINDOW_BYTES).max(line_start);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let shown_len = span.len().min(WINDOW_BYTES);
        let mut end = (offset + shown_len + WINDOW_BYTES).min(line_end);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        Some((line, line_start, start, end))
    }

    /// `span` as it is drawn: cut at the end of the window when its line is
    /// too long to show whole, unchanged otherwise.
    fn shown_span(&self, span: SourceSpan) -> SourceSpan {
        match self.long_line_window(&span) {
            Some((_, _, _, end)) => {
                SourceSpan::new(span.offset().into(), span.len().min(end - span.offset()))
            }
            None => span,
        }
    }

    /// The (0-based) line holding byte `offset`, counted as miette counts
    /// lines.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }
}

/// Lines longer than this are shown only around the span, in a window of
/// `WINDOW_BYTES` on each side; shorter ones are shown whole, as miette
/// shows them.
const LONG_LINE_BYTES: usize = 1024;
const WINDOW_BYTES: usize = 120;

/// Where each line starts, with miette's idea of a line break: `\n`, `\r\n`
/// or a lone `\r`.
fn line_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\r' if text.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
            }
            b'\r' | b'\n' => {
                starts.push(i + 1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    starts
}

/// The excerpt sources of a set's files, each file's lines indexed the
/// first time a diagnostic points into it.
pub(crate) struct Excerpts<'a> {
    files: &'a [SourceFile],
    sources: Vec<Option<ExcerptSource>>,
}

impl<'a> Excerpts<'a> {
    pub(crate) fn new(files: &'a [SourceFile]) -> Excerpts<'a> {
        Excerpts {
            files,
            sources: vec![None; files.len()],
        }
    }

    /// The source of file `index`; none for an empty file (nothing to
    /// show) or an index out of range.
    pub(crate) fn source(&mut self, index: usize) -> Option<ExcerptSource> {
        let file = self.files.get(index).filter(|f| !f.text.is_empty())?;
        let source = self.sources[index]
            .get_or_insert_with(|| ExcerptSource::new(file.name.clone(), Arc::clone(&file.text)));
        Some(source.clone())
    }
}

impl SourceCode for ExcerptSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text.as_bytes();
        if let Some((line, line_start, start, end)) = self.long_line_window(span) {
            // The window alone, without context lines: the lines around a
            // line this long say little, and may be as long themselves.
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &text[start..end],
                SourceSpan::new(start.into(), end - start),
                line,
                if context_lines_before == 0 {
                    span.offset() - line_start
                } else {
                    start - line_start
                },
                line + 1,
            )));
        }
        let (first, start, end) =
            self.excerpt_lines(span, context_lines_before, context_lines_after);
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner =
            text[start..end].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// A message that points into a source file, rendered the miette way: the
/// line shown, the node underlined, the help below.
#[derive(Debug)]
pub(crate) struct SourceDiagnostic {
    pub message: String,
    pub code: Option<String>,
    pub severity: Severity,
    pub help: Option<String>,
    pub source: Option<ExcerptSource>,
    pub span: SourceSpan,
    pub label: Option<String>,
}

impl fmt::Display for SourceDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceDiagnostic {}

impl Diagnostic for SourceDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let source = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.label.clone(),
            source.shown_span(self.span),
        ))))
    }
}

impl SourceDiagnostic {
    pub(crate) fn render(&self, colour: bool) -> String {
        let theme = if colour {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_context_lines(1);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() {
            out = format!("{}\n", self.message);
        }
        out
    }
}

/// A span cut at the end of its first line: a mapping's span runs to the
/// next key, and underlining a screenful of YAML would hide the point.
pub(crate) fn first_line_span(text: &str, offset: usize, len: usize) -> SourceSpan {
    let offset = offset.min(text.len());
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let len = len.min(line_end.max(1)).max(1);
    SourceSpan::new(offset.into(), len)
}

/// Renders every problem of a failed load, each pointing at its line.
pub fn load_error_text(error: &LoadError, colour: bool) -> String {
    let mut out = String::new();
    let mut excerpts = Excerpts::new(&error.files);
    for problem in &error.problems {
        let index = problem.file.map(|f| f as usize);
        let file = index.and_then(|i| error.files.get(i));
        let source = index.and_then(|i| excerpts.source(i));
        let message = match file {
            Some(file) => format!(
                "{}:{}:{}: {}",
                file.name, problem.pos.line, problem.pos.column, problem.message
            ),
            None => problem.message.clone(),
        };
        let diagnostic = SourceDiagnostic {
            message,
            code: None,
            severity: Severity::Error,
            help: problem.help.clone(),
            source,
            span: first_line_span(
                file.map_or("", |f| &f.text),
                problem.pos.offset as usize,
                problem.pos.len as usize,
            ),
            label: None,
        };
        out.push_str(&diagnostic.render(colour));
    }
    let n = error.problems.len();
    out.push_str(&format!(
        "\n{n} problem{} in the menu set; nothing was checked\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What miette reads for a span, in a form that compares.
    #[derive(Debug, PartialEq)]
    struct Read {
        data: Vec<u8>,
        span: SourceSpan,
        line: usize,
        column: usize,
        line_count: usize,
        name: Option<String>,
    }

    fn contents(
        source: &dyn SourceCode,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<Read> {
        let c = source.read_span(&span, before, after).ok()?;
        Some(Read {
            data: c.data().to_vec(),
            span: *c.span(),
            line: c.line(),
            column: c.column(),
            line_count: c.line_count(),
            name: c.name().map(str::to_string),
        })
    }

    fn same_as_miette(text: &str, offset: usize, len: usize, before: usize, after: usize) {
        let text: Arc<str> = Arc::from(text);
        let indexed = ExcerptSource::new("f.yaml".into(), Arc::clone(&text));
        let plain = miette::NamedSource::new("f.yaml", Arc::clone(&text));
        let span = SourceSpan::new(offset.into(), len);
        assert_eq!(
            contents(&indexed, span, before, after),
            contents(&plain, span, before, after),
            "{text:?} at {offset}+{len}, context {before}/{after}"
        );
    }

    /// Every span inside texts with each kind of line break, at each
    /// context. (Beyond the text both read the whole text, for miette.)
    #[test]
    fn excerpts_are_what_miette_reads_from_the_whole_text() {
        let texts = [
            "",
            "a",
            "\n",
            "one\ntwo\nthree\n",
            "one\ntwo\nthree",
            "one\r\ntwo\r\n\r\nthree\r\n",
            "a\rb\r\rc\n\r\nd",
            "\n\n\nx\n\n",
            "flow: main\n  nodes:\n    m:\n      menu: Press 1.\n",
        ];
        for text in texts {
            for offset in 0..=text.len() {
                for len in 0..=(text.len() - offset).min(3) {
                    for before in 0..3 {
                        for after in 0..3 {
                            same_as_miette(text, offset, len, before, after);
                        }
                    }
                }
            }
        }
    }

    /// The cost of an excerpt: however large the file, miette is given
    /// only the lines around the span (it was given the whole file, and
    /// scanned it up to the span, for every finding).
    #[test]
    fn an_excerpt_reads_only_its_lines() {
        let text: String = (0..100_000).map(|i| format!("  node_{i}: x\n")).collect();
        let source = ExcerptSource::new("f.yaml".into(), Arc::from(text.as_str()));
        let near_end = text.len() - 30;
        let (first, start, end) = source.excerpt_lines(&SourceSpan::new(near_end.into(), 4), 1, 1);
        assert_eq!(first, 99_997);
        assert!(end - start < 100, "{start}..{end}");
        same_as_miette(&text, near_end, 4, 1, 1);
    }

    proptest! {
        #[test]
        fn excerpts_match_miette_on_any_text(
            text in "[ab\r\n]{0,40}",
            offset in 0usize..45,
            len in 0usize..6,
            before in 0usize..3,
            after in 0usize..3,
        ) {
            // Spans inside the text: beyond it, both read the whole text.
            let offset = offset.min(text.len());
            let len = len.min(text.len() - offset);
            same_as_miette(&text, offset, len, before, after);
        }
    }
}
