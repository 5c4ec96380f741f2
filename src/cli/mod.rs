//! Argument parsing and output for the `rightsdesk` binary. Every command prints either its result (JSON with
//! `--json`) on stdout, or exactly one `error: …` line on stderr with a non-zero exit code and nothing on stdout.
//! All of it goes through `out`, which keeps requester data from driving the terminal.

// Printing anywhere but `out` would bypass its sanitising.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod audit;
mod calendar;
mod datamap;
mod deadline;
mod demo;
mod evidence;
mod export;
mod import;
mod intake;
mod mail;
mod out;
mod request;
mod requester;
mod retention;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "rightsdesk", version, about = "Data-subject rights requests, from intake to closure")]
struct Cli {
    /// The database file (default: RIGHTSDESK_DB, else the OS data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
    /// Print the result as one JSON value instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute the statutory dates of a request (deadline-contract.md).
    Deadline(deadline::Args),
    /// Log, list, show and move requests.
    #[command(subcommand)]
    Request(request::Command),
    /// The data map: the systems that hold personal data (each request's checklist is made from it).
    #[command(subcommand)]
    Datamap(datamap::Command),
    /// Requesters and blocked senders.
    #[command(subcommand)]
    Requester(requester::Command),
    /// The audit trail.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Demo data.
    #[command(subcommand)]
    Demo(demo::Command),
    /// The organisation's non-working days and the deadline calendar export.
    #[command(subcommand)]
    Calendar(calendar::Command),
    /// Organisation settings.
    #[command(subcommand)]
    Settings(settings::Settings),
    /// Import requests from a CSV or spreadsheet file (good rows in one transaction; re-importing creates nothing twice).
    Import(import::Args),
    /// Read what arrived (an email) before logging it.
    #[command(subcommand)]
    Intake(intake::Command),
    /// Response templates: list, preview on a request, save, add a language.
    #[command(subcommand)]
    Template(mail::Template),
    /// Email to requesters: queue, deliver, outbox, test the server.
    #[command(subcommand)]
    Mail(mail::Mail),
    /// The retention purge of closed requests.
    #[command(subcommand)]
    Retention(retention::Command),
    /// Identity evidence housekeeping.
    #[command(subcommand)]
    Evidence(evidence::Command),
    /// Exports for a regulator: the request log.
    #[command(subcommand)]
    Export(export::Command),
    /// Yearly metrics in the shape of CCPA §7102 (received, complied with, denied, median and mean days).
    Metrics(rightsdesk::ops::exports::GetMetrics),
}

/// A failure the user can act on: printed as one line.
pub struct Failure {
    pub message: String,
    pub code: u8,
    /// A report that belongs on stdout even though the command failed (`audit verify --json`).
    pub stdout: bool,
}

impl Failure {
    pub fn usage(message: String) -> Failure {
        Failure { message, code: 2, stdout: false }
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure { message: e.to_string(), code: 1, stdout: false }
    }
}

/// What every command shares: the global options.
pub struct Ctx {
    db: Option<std::path::PathBuf>,
    /// `--json`: print the result as JSON.
    pub json: bool,
}

impl Ctx {
    /// The register named by `--db` (or its default), opened.
    pub fn desk(&self) -> Result<rightsdesk::Desk, Failure> {
        open_desk(self.db.as_deref())
    }

    /// The command's result: JSON with `--json`, else the text `human` makes of it.
    pub fn show<T: serde::Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) -> Result<String, Failure> {
        if self.json { json(value) } else { Ok(human(value)) }
    }
}

fn open_desk(db: Option<&std::path::Path>) -> Result<rightsdesk::Desk, Failure> {
    let clock = rightsdesk::desk::Clock::from_env()?;
    let path = rightsdesk::desk::resolve_db_path(db)?;
    let desk = rightsdesk::Desk::open(&path, clock)?;
    if desk.store().is_read_only() {
        out::stderr(&format!(
            "note: {} is not writable by this user: opened read-only (changes will be refused)",
            path.display()
        ));
    }
    Ok(desk)
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
            let first = text.lines().next().unwrap_or("error: invalid arguments").trim_end();
            let first = if first.starts_with("error:") { first.to_string() } else { format!("error: {first}") };
            out::stderr(&first);
            return ExitCode::from(2);
        }
    };
    let ctx = Ctx { db: cli.db, json: cli.json };
    let result = match cli.command {
        Command::Deadline(args) => deadline::run(&ctx, args),
        Command::Request(c) => request::run(&ctx, c),
        Command::Datamap(c) => datamap::run(&ctx, c),
        Command::Requester(c) => requester::run(&ctx, c),
        Command::Audit(c) => audit::run(&ctx, c),
        Command::Demo(c) => demo::run(&ctx, c),
        Command::Calendar(c) => calendar::run(&ctx, c),
        Command::Settings(c) => settings::run(&ctx, c),
        Command::Evidence(c) => evidence::run(&ctx, c),
        Command::Retention(c) => retention::run(&ctx, c),
        Command::Intake(c) => intake::run(&ctx, c),
        Command::Template(c) => mail::template(&ctx, c),
        Command::Mail(c) => mail::mail(&ctx, c),
        Command::Import(args) => import::run(&ctx, args),
        Command::Export(c) => export::run(&ctx, c),
        Command::Metrics(args) => export::metrics(&ctx, args),
    };
    match result {
        Ok(output) => {
            out::stdout(&output);
            ExitCode::SUCCESS
        }
        Err(f) if f.stdout => {
            out::stdout(&f.message);
            ExitCode::from(f.code)
        }
        Err(f) => {
            out::stderr(&format!("error: {}", f.message.replace('\n', " ")));
            ExitCode::from(f.code)
        }
    }
}

/// Render a value as the one JSON object a `--json` command prints.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    Ok(out::json_text(serde_json::to_string_pretty(value)?))
}
