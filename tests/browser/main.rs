//! Tests that need programs beyond Rust: pages opened in a real browser
//! (Debian's Chromium, headless, driven through chromedriver's WebDriver
//! protocol) and independent readers of what touchpoint writes, run in
//! Node.js and Chromium. Every test is ignored by default, so that
//! `cargo test` passes on a machine with only Rust; `.ci/run` installs the
//! programs and runs `cargo test --test browser -- --ignored`.

// The tests start the binary, chromedriver, Node.js and Chromium, and bound
// them with a deadline: processes and the clock are theirs to use.
#![allow(clippy::disallowed_methods)]

mod bpmn;
mod chromium;
mod html;
