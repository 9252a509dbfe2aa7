//! Pages opened in a real browser: Debian's Chromium, headless, driven
//! through chromedriver's WebDriver protocol. Every test is ignored by
//! default (a plain `cargo test` needs no browser); `.ci/run` installs
//! `chromium` and `chromium-driver` and runs them with
//! `cargo test --test browser -- --ignored`.

// The tests start chromedriver and the binary, and wait for them: the
// clock and processes are theirs to use.
#![allow(clippy::disallowed_methods)]

mod chromium;
mod html;
