//! The JSON report: the `Report` as serialised, stable in key order and
//! formatting.

use crate::report::Report;

/// The report as pretty JSON with a trailing newline. Field order is fixed
/// by the structs, so equal reports are equal bytes.
pub fn render(report: &Report) -> String {
    render_value(report)
}

/// [`render`], written to `out` as it is made.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

/// Any serialisable value as pretty JSON with a trailing newline.
pub fn render_value<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
