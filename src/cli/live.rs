//! What the commands that call a running app share: the driver `--live`
//! asks for, and how to say that the app stopped answering.

use super::args;
use super::fail;

/// The driver for `--live URL` with its options, or the exit code after
/// saying why there is none.
pub(crate) fn live_driver(live: &args::LiveArgs) -> Result<crate::live::driver::Driver, u8> {
    live_driver_with(live, crate::live::driver::DriverOptions::default())
}

/// The same, with the options `--live` does not set taken from `base`.
pub(crate) fn live_driver_with(
    live: &args::LiveArgs,
    base: crate::live::driver::DriverOptions,
) -> Result<crate::live::driver::Driver, u8> {
    let url = live.live.as_deref().unwrap_or_default();
    let start =
        url::Url::parse(url).map_err(|e| fail(format!("--live `{url}` is not a URL: {e}")))?;
    let options = crate::live::driver::DriverOptions {
        concurrency: usize::from(live.concurrency),
        request_timeout: live.timeout,
        allowed_origins: live.allow_hosts.clone(),
        ..base
    };
    crate::live::driver::Driver::new(start, options).map_err(fail)
}

/// Why a live app gave nothing to report: it never answered at all (a
/// closed port, a wrong address, a hung server), or it answered some calls
/// and then stopped.
pub(crate) fn not_answering(url: &str, driver: &crate::live::driver::Driver, why: &str) -> String {
    match driver.answered_calls() {
        0 => format!("nothing answered at {url}: {why}"),
        answered => format!("{url} answered {answered} calls, then stopped answering: {why}"),
    }
}
