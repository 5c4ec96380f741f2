//! Argument parsing and output for the `rightsdesk` binary. Every command prints either its result (JSON with
//! `--json`) on stdout, or exactly one `error: …` line on stderr with a non-zero exit code and nothing on stdout.

mod deadline;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rightsdesk",
    version,
    about = "Data-subject rights requests, from intake to closure"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute the statutory dates of a request (deadline-contract.md).
    Deadline(deadline::Args),
}

/// A failure the user can act on: printed as one line.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure {
            message: e.to_string(),
            code: 1,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: not errors.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's message spans several lines (usage, hints); the contract wants one.
            let text = e.render().to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("error: invalid arguments")
                .trim_end();
            let first = if first.starts_with("error:") {
                first.to_string()
            } else {
                format!("error: {first}")
            };
            eprintln!("{first}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Deadline(args) => deadline::run(args),
    };
    match result {
        Ok(output) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not a failure of ours.
            let _ = writeln!(out, "{output}");
            ExitCode::SUCCESS
        }
        Err(f) => {
            eprintln!("error: {}", f.message.replace('\n', " "));
            ExitCode::from(f.code)
        }
    }
}

/// Render a value as the one JSON object a `--json` command prints.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string_pretty(value)?)
}
