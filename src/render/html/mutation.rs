//! The page's mutation section (`report --mutate`): the score, a bar per
//! operator, and the mutants the personas miss with how a caller tells
//! each apart and the persona that would catch it. It shows the
//! [`MutationReport`] as it is; nothing here is decided.

use std::fmt::Write;

use super::{escape, share_bar};
use crate::render::mutation::{percent, score_text};
use crate::results::mutation::MutationReport;

pub(super) fn section(page: &mut String, mutation: &MutationReport) {
    let level = if mutation.below_min_score() {
        " lvl-error"
    } else {
        ""
    };
    let _ = write!(
        page,
        "<section id=\"mutation\"><h2>Mutation score: {}</h2><p class=\"count{level}\">{}</p>",
        percent(mutation.score),
        escape(&score_text(mutation))
    );
    page.push_str("<table class=\"coverage\"><thead><tr><th>operator</th><th>killed</th><th>equivalent</th><th>score</th></tr></thead><tbody>");
    for (operator, tally) in &mutation.by_operator {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{} {}/{}</td><td>{}</td><td>{}</td></tr>",
            escape(operator),
            share_bar(&[("killed", tally.score), ("missed", 1.0 - tally.score)]),
            tally.killed,
            tally.mutants,
            tally.equivalent,
            percent(tally.score)
        );
    }
    page.push_str("</tbody></table>");
    if !mutation.survivors.is_empty() {
        let _ =
            write!(
            page,
            "<details><summary>{} mutant{} no persona catches</summary><ul class=\"survivors\">",
            mutation.survivors.len(),
            if mutation.survivors.len() == 1 { "" } else { "s" }
        );
        for survivor in &mutation.survivors {
            let _ = write!(
                page,
                "<li><b>{}</b> <code>{}:{}</code> [{}] {}<br>{}",
                escape(&survivor.place.id),
                escape(&survivor.place.file),
                survivor.place.line,
                escape(&survivor.place.operator),
                escape(&survivor.place.description),
                escape(&survivor.difference)
            );
            if let (Some(name), Some(yaml)) = (&survivor.suggestion_name, &survivor.suggestion) {
                let _ = write!(
                    page,
                    "<details><summary>suggested persona <code>{}</code></summary><pre>{}</pre></details>",
                    escape(name),
                    escape(yaml)
                );
            }
            page.push_str("</li>");
        }
        page.push_str("</ul></details>");
    }
    for note in &mutation.notes {
        let _ = write!(page, "<p class=\"note\">note: {}</p>", escape(note));
    }
    page.push_str("</section>\n");
}
