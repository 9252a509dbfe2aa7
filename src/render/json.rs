//! The JSON report: the `Report` as serialised, stable in key order and
//! formatting.

use std::io;

use crate::report::Report;

/// The report as pretty JSON with a trailing newline. Field order is fixed
/// by the structs, so equal reports are equal bytes.
pub fn render(report: &Report) -> String {
    render_value(report)
}

/// [`render`], written to `out` as it is made. The report's long lists
/// (flows' structure and coverage, journeys) are rendered on every core
/// while the rest is written in order (`pretty_json`); the bytes are the
/// same as [`render`]'s.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    crate::pretty_json::write(report, &mut *out)?;
    out.write_all(b"\n")
}

/// Any serialisable value as pretty JSON with a trailing newline.
pub fn render_value<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
