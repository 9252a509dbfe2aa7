//! `touchpoint crawl`: discovers a live phone tree by calling it, and
//! writes it as a flow.

use std::path::Path;

use crate::cli::output::Output;
use crate::cli::{CliError, Verdict};

/// Crawls a live app and writes the flow found. Exit 0 when the tree was
/// crawled cleanly, 1 when some calls failed (`live-error`, printed with the
/// inputs that reach them; the flow is still written), 2 when the app
/// cannot be crawled at all or stops answering, in which case nothing is
/// written.
pub(crate) fn run(
    url: &str,
    output: Option<&Path>,
    options: crate::live::driver::DriverOptions,
    limits: crate::live::crawl::CrawlLimits,
) -> Result<Verdict, CliError> {
    use crate::live::call::Input;
    let start = url::Url::parse(url).map_err(|source| CliError::NotAUrl {
        option: "",
        url: url.to_string(),
        source,
    })?;
    let driver = crate::live::driver::Driver::new(start, options)?;
    let crawled =
        crate::live::crawl::crawl(driver.protocol(), "crawled", url, limits, &mut |batch| {
            driver.play_batch(batch)
        });
    let inputs = |inputs: &[Input]| -> String {
        let words: Vec<String> = inputs.iter().map(Input::text).collect();
        format!("[{}]", words.join(", "))
    };
    if let Some(gone) = crawled.failures.iter().find(|f| f.unreachable) {
        let why = format!("{} (inputs {})", gone.message, inputs(&gone.inputs));
        return Err(CliError::NotAnswering {
            url: url.to_string(),
            answered: driver.answered_calls(),
            why,
            left_out: "written",
        });
    }
    if crawled.flow.nodes.is_empty() || crawled.flow.start == "call_failed" {
        let why = crawled
            .failures
            .first()
            .map(|f| f.message.clone())
            .or_else(|| crawled.notes.first().cloned())
            .unwrap_or_else(|| "the first call failed".to_string());
        return Err(CliError::NotCrawled {
            url: url.to_string(),
            why,
        });
    }
    for note in &crawled.notes {
        eprintln!("note: {note}");
    }
    for failure in &crawled.failures {
        eprintln!(
            "live-error: inputs {}: {}",
            inputs(&failure.inputs),
            failure.message
        );
    }
    let text = crate::import::emit(&crawled.flow);
    // What is written must load: check before writing anything. Loading
    // is enough; linting here would walk the flow only to drop the result.
    let documents = [("crawled.yaml".to_string(), text.clone())];
    if let Err(e) = crate::loader::load_texts(std::path::PathBuf::from("crawled"), &documents) {
        return Err(CliError::WrittenFlowsDoNotLoad {
            failure: "the crawled flow does not load",
            problems: e.plain_lines().join("; "),
        });
    }
    Output::new(output).write(&text)?;
    eprintln!(
        "crawled {} menus with {} calls{}",
        crawled.menus,
        crawled.calls,
        if crawled.failures.is_empty() {
            String::new()
        } else {
            format!("; {} calls failed", crawled.failures.len())
        }
    );
    Ok(Verdict::failed_if(!crawled.failures.is_empty()))
}
