use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceSpan,
};

use crate::loader::LoadError;

/// A message that points into a source file, rendered the miette way: the
/// line shown, the node underlined, the help below.
#[derive(Debug)]
pub struct SourceDiagnostic {
    pub message: String,
    pub code: Option<String>,
    pub severity: Severity,
    pub help: Option<String>,
    pub source: Option<NamedSource<Arc<str>>>,
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
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.label.clone(),
            self.span,
        ))))
    }
}

impl SourceDiagnostic {
    pub fn render(&self, colour: bool) -> String {
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
pub fn first_line_span(text: &str, offset: usize, len: usize) -> SourceSpan {
    let offset = offset.min(text.len());
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let len = len.min(line_end.max(1)).max(1);
    SourceSpan::new(offset.into(), len)
}

/// Renders every problem of a failed load, each pointing at its line.
pub fn load_error_text(error: &LoadError, colour: bool) -> String {
    let mut out = String::new();
    for problem in &error.problems {
        let file = problem.file.and_then(|f| error.files.get(f as usize));
        let (source, message) = match file {
            Some(file) if !file.text.is_empty() => (
                Some(NamedSource::new(file.name.clone(), file.text.clone())),
                format!(
                    "{}:{}:{}: {}",
                    file.name, problem.pos.line, problem.pos.column, problem.message
                ),
            ),
            Some(file) => (
                None,
                format!(
                    "{}:{}:{}: {}",
                    file.name, problem.pos.line, problem.pos.column, problem.message
                ),
            ),
            None => (None, problem.message.clone()),
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
