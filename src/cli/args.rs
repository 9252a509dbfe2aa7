use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::Channel;

/// Walks every path through IVR, web and app menus and finds where customers get stuck.
#[derive(Debug, Parser)]
#[command(name = "touchpoint", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: every check on a menu set (default: menus/).
    Check {
        #[arg(default_value = "menus")]
        path: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Load, static rules and the exhaustive walk of every reachable state; no randomness.
    Lint {
        #[arg(default_value = "menus")]
        path: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Play one input sequence through a flow and print the transcript.
    Replay {
        #[arg(default_value = "menus")]
        path: PathBuf,
        /// The flow to start in.
        #[arg(long)]
        flow: String,
        /// Comma-separated inputs: 1, wait, say:agent, enter:12345678, click:Billing, back.
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        inputs: String,
        /// A variable's value, NAME=VALUE; repeat for several. Others take their first value.
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// The channel, when flows of several channels share the id.
        #[arg(long, value_parser = parse_channel)]
        channel: Option<Channel>,
        #[command(flatten)]
        common: Common,
    },
    /// Print the JSON Schema of the menu format, for editor completion.
    Schema {
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn parse_channel(text: &str) -> Result<Channel, String> {
    Channel::parse(text).ok_or_else(|| format!("unknown channel `{text}` (phone, web or app)"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Seed for every random choice; the same seed gives the same report.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

impl Common {
    pub fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    pub fn deny_warnings(&self) -> bool {
        self.deny == Some(Deny::Warnings)
    }
}
