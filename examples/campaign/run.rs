//! Running the binary under test with a kill timeout and a memory limit,
//! and telling the outcomes the campaigns accept from those they do not.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{excerpt, Config};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Exit(i32),
    Signal(i32),
    /// Still running at the timeout; it was killed.
    Timeout,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        match self.status {
            Status::Exit(code) => Some(code),
            _ => None,
        }
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The class of an outcome that is a failure whatever the input: a
    /// panic (exit 101, named by where it panicked), any other exit code
    /// than 0, 1 and 2, a signal (named by the first line of what the run
    /// said, such as a stack overflow or a failed allocation), or a hang.
    /// `None` for the accepted exits.
    pub fn failure_class(&self, command: &str) -> Option<String> {
        match self.status {
            Status::Exit(0..=2) => None,
            Status::Exit(101) => Some(format!("panic {}", panic_location(&self.stderr))),
            Status::Exit(code) => Some(format!("exit {code} in {command}")),
            Status::Signal(signal) => {
                let said = String::from_utf8_lossy(&self.stderr);
                let first = said
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("(nothing on stderr)");
                // Numbers differ from case to case (sizes, addresses); the
                // class is the message without them.
                let first: String = first
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect();
                Some(format!("signal {signal} ({first})"))
            }
            Status::Timeout => Some(format!("timeout in {command}")),
        }
    }

    /// The outcome for a failure report.
    pub fn describe(&self) -> String {
        format!(
            "status: {:?}\nstderr: {}\nstdout: {}",
            self.status,
            excerpt(&self.stderr, 1500),
            excerpt(&self.stdout, 600)
        )
    }
}

/// Where a panic happened, from Rust's panic message: `src/x.rs:12:5`.
fn panic_location(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    for line in text.lines() {
        if let Some(rest) = line.split("panicked at ").nth(1) {
            return rest.trim_end_matches(':').to_string();
        }
    }
    "(no panic message)".to_string()
}

/// Runs the binary with `args` in `dir`, without colour and with stdin
/// from /dev/null, and kills it at the config's timeout. Outputs go to
/// files beside the case rather than pipes, so a run that writes a lot
/// never blocks on a full pipe and looks like a hang.
pub fn run(config: &Config, dir: &Path, args: &[String]) -> Outcome {
    let stdout_path = dir.join(".campaign-stdout");
    let stderr_path = dir.join(".campaign-stderr");
    let stdout = std::fs::File::create(&stdout_path).expect("a file for stdout");
    let stderr = std::fs::File::create(&stderr_path).expect("a file for stderr");
    // The memory limit is set by the shell that then becomes the binary, so
    // the campaign needs no libc; `ulimit -v` takes KiB.
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg("ulimit -v \"$1\" || exit 125; shift; exec \"$@\"")
        .arg("campaign")
        .arg((config.memory_mib * 1024).to_string())
        .arg(&config.binary)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the shell starts");
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("waiting for the run") {
            Some(status) => {
                break match (status.code(), status.signal()) {
                    (Some(code), _) => Status::Exit(code),
                    (None, Some(signal)) => Status::Signal(signal),
                    (None, None) => Status::Exit(-1),
                };
            }
            None if started.elapsed() > config.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Status::Timeout;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let outcome = Outcome {
        status,
        stdout: std::fs::read(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read(&stderr_path).unwrap_or_default(),
    };
    let _ = std::fs::remove_file(stdout_path);
    let _ = std::fs::remove_file(stderr_path);
    outcome
}

/// A command line as a user would type it, for failure reports.
pub fn command_line(args: &[String]) -> String {
    let mut line = String::from("touchpoint");
    for arg in args {
        line.push(' ');
        if arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
            && !arg.is_empty()
        {
            line.push_str(arg);
        } else {
            line.push('\'');
            line.push_str(&arg.replace('\'', "'\\''"));
            line.push('\'');
        }
    }
    line
}
