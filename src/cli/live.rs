//! What the commands that call a running app share: the driver `--live`
//! asks for.

use super::args;
use super::CliError;

/// The driver for `--live URL` with its options, or why there is none.
pub(crate) fn live_driver(live: &args::LiveArgs) -> Result<crate::live::driver::Driver, CliError> {
    live_driver_with(live, crate::live::driver::DriverOptions::default())
}

/// The same, with the options `--live` does not set taken from `base`.
pub(crate) fn live_driver_with(
    live: &args::LiveArgs,
    base: crate::live::driver::DriverOptions,
) -> Result<crate::live::driver::Driver, CliError> {
    let url = live.live.as_deref().unwrap_or_default();
    let start = url::Url::parse(url).map_err(|source| CliError::NotAUrl {
        option: "--live ",
        url: url.to_string(),
        source,
    })?;
    let options = crate::live::driver::DriverOptions {
        protocol: live.protocol,
        concurrency: usize::from(live.concurrency),
        request_timeout: live.timeout,
        allowed_origins: live.allow_hosts.clone(),
        ..base
    };
    Ok(crate::live::driver::Driver::new(start, options)?)
}
