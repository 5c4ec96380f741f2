//! Argument parsing and output for the `rightsdesk` binary. Every command prints either its result (JSON with
//! `--json`) on stdout, or exactly one `error: …` line on stderr with a non-zero exit code and nothing on stdout.
//! All of it goes through `out`, which keeps requester data from driving the terminal.

// Printing anywhere but `out` would bypass its sanitising.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod account;
mod audit;
mod backup;
mod calendar;
mod datamap;
mod deadline;
mod demo;
mod evidence;
mod export;
mod import;
mod intake;
mod mail;
mod manual;
mod out;
mod register;
mod request;
mod requester;
mod retention;
mod settings;
mod vault;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "rightsdesk", version, about = "Data-subject rights requests, from intake to closure")]
struct Cli {
    /// The database file (default: RIGHTSDESK_DB, else the OS data folder), or a team register on a PostgreSQL
    /// server: postgres://USER@HOST[:PORT]/DATABASE (TLS required unless ?sslmode=disable; the server's CA with
    /// ?sslrootcert=FILE; the password from PGPASSWORD).
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<std::path::PathBuf>,
    /// Print the result as one JSON value instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Read the register's passphrase from the first line of standard input (else RIGHTSDESK_PASSPHRASE, else the
    /// OS keyring). A new register is encrypted under it.
    #[arg(long, global = true)]
    passphrase_stdin: bool,
    /// Make a new register without encryption when no passphrase is given (for tests and demos; also
    /// RIGHTSDESK_UNENCRYPTED=1).
    #[arg(long, global = true)]
    unencrypted: bool,
    /// Change the request only if it is still at this version (`version` in `request show --json`): a change
    /// another officer made since is not overwritten (exit 1, "was changed by … since you opened it").
    #[arg(long = "if-version", global = true, value_name = "VERSION")]
    if_version: Option<i64>,
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
    /// The register's encryption at rest: status and the ways it unlocks.
    #[command(subcommand)]
    Vault(vault::Command),
    /// One-file encrypted backups of the register: create, verify, restore.
    #[command(subcommand)]
    Backup(backup::Command),
    /// The register as a whole: copy a desk's register to a team server, keep a team register's password.
    #[command(subcommand)]
    Register(register::Command),
    /// The people of a team register: accounts, roles, who is using it.
    #[command(subcommand)]
    Account(account::Command),
    /// Print a shell completion script for rightsdesk (docs/cli.md says where each shell loads it from).
    Completions(manual::Completions),
    /// Print the man page of rightsdesk, or write one page per command into a folder (--out).
    Man(manual::Man),
}

/// Help texts several commands share, worded once (as in docs/cli.md).
pub const REFERENCE: &str = "The request's reference (RD-2026-0042) or id";
pub const REGIME: &str = "The law it falls under: eu-gdpr, uk-gdpr, us-ca-ccpa, us-va-vcdpa, us-co-cpa, us-ct-ctdpa, \
                          br-lgpd, ca-pipeda, ca-qc-law25, ch-fadp, za-popia, sg-pdpa, au-privacy";
pub const KIND: &str = "What is asked for: access, rectification, erasure, portability, restriction, objection, \
                        opt-out-sale-sharing, opt-out-marketing, opt-out-profiling, limit-sensitive, appeal";
pub const CALENDAR: &str = "The holiday calendar that decides working days: a country or region code (FR, DE-BY, \
                            GB-SCT, US-CA; default: the law's own)";
pub const RECEIVED: &str = "The day the request was received (YYYY-MM-DD; not in the future)";

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

/// The core's error decides the exit code (docs/cli.md): 2 for bad input, 1 for a refusal or any other failure.
impl From<rightsdesk::Error> for Failure {
    fn from(e: rightsdesk::Error) -> Failure {
        // A deadline the engine cannot compute from the values given is bad input too; damaged built-in data is not.
        let bad_input = e.kind().is_bad_input()
            || matches!(&e, rightsdesk::Error::Deadline(d) if !matches!(d, rightsdesk::deadline::DeadlineError::Data(_)));
        let code = if bad_input { 2 } else { 1 };
        Failure { message: e.to_string(), code, stdout: false }
    }
}

impl From<rightsdesk::deadline::DeadlineError> for Failure {
    fn from(e: rightsdesk::deadline::DeadlineError) -> Failure {
        Failure::from(rightsdesk::Error::from(e))
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Failure {
        Failure { message: e.to_string(), code: 1, stdout: false }
    }
}

/// A refusal worded by the command itself (exit 1).
impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure { message: message.to_string(), code: 1, stdout: false }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { message, code: 1, stdout: false }
    }
}

/// What every command shares: the global options.
pub struct Ctx {
    db: Option<std::path::PathBuf>,
    /// `--json`: print the result as JSON.
    pub json: bool,
    passphrase_stdin: bool,
    unencrypted: bool,
}

impl Ctx {
    /// The register named by `--db` (or its default), opened.
    pub fn desk(&self) -> Result<rightsdesk::Desk, Failure> {
        self.desk_with(self.access()?)
    }

    /// The database path as given (`--db`), if any.
    pub fn db(&self) -> Option<&std::path::Path> {
        self.db.as_deref()
    }

    /// How the register is unlocked: `--passphrase-stdin`, `RIGHTSDESK_PASSPHRASE`, the keyring; `--unencrypted`.
    pub fn access(&self) -> Result<rightsdesk::vault::Access, Failure> {
        let mut access = rightsdesk::vault::Access::from_env();
        if self.passphrase_stdin {
            access.passphrase = Some(secret_from_stdin("passphrase")?);
        }
        access.unencrypted |= self.unencrypted;
        Ok(access)
    }

    /// The register opened with `access` (the vault commands unlock in their own ways).
    /// The register's passphrase is read from standard input (which then holds no other secret).
    pub fn passphrase_from_stdin(&self) -> bool {
        self.passphrase_stdin
    }

    pub fn desk_with(&self, access: rightsdesk::vault::Access) -> Result<rightsdesk::Desk, Failure> {
        open_desk(self.db.as_deref(), &access)
    }

    /// `--db` as given (a team register's connection string included), before any default applies.
    pub fn db_arg(&self) -> Option<&std::path::Path> {
        self.db.as_deref()
    }

    /// The command's result: JSON with `--json`, else the text `human` makes of it.
    pub fn show<T: serde::Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) -> Result<String, Failure> {
        if self.json { json(value) } else { Ok(human(value)) }
    }
}

fn open_desk(db: Option<&std::path::Path>, access: &rightsdesk::vault::Access) -> Result<rightsdesk::Desk, Failure> {
    let clock = rightsdesk::desk::Clock::from_env()?;
    let path = rightsdesk::desk::resolve_db_path(db)?;
    let desk = rightsdesk::Desk::open(&path, clock, access)?;
    if let Some(recovery) = desk.new_recovery_key() {
        out::stderr(&format!(
            "note: {} was made encrypted. Its recovery key opens it if the passphrase is lost; write it down and keep \
             it apart from this computer, it is shown only now: {}",
            path.display(),
            recovery.as_str()
        ));
    }
    if desk.store().is_read_only() {
        // The register as the store names it: a team register's connection string without its password.
        out::stderr(&format!(
            "note: {} is not writable by this user: opened read-only (changes will be refused)",
            desk.store().path().display()
        ));
    }
    Ok(desk)
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(help) = help_of_bare_group(&e) {
                // A bare `rightsdesk` (or `rightsdesk request`) asks what there is: its help, on stdout and exit 0
                // as `cargo` does — not an `error:` line. Plain text: this path does not know whether stdout is a
                // terminal, so it gives clap no chance to colour it.
                out::stdout(help.trim_end());
                return ExitCode::SUCCESS;
            }
            if !e.use_stderr() {
                // --help and --version: not errors.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            out::stderr(&one_line_usage_error(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let ctx = Ctx { db: cli.db, json: cli.json, passphrase_stdin: cli.passphrase_stdin, unencrypted: cli.unencrypted };
    let seen = cli.if_version.map(|version| rightsdesk::desk::Seen { reference: None, version });
    let result = rightsdesk::desk::as_seen(seen, || match cli.command {
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
        Command::Vault(c) => vault::run(&ctx, c),
        Command::Backup(c) => backup::run(&ctx, c),
        Command::Register(c) => register::run(&ctx, c),
        Command::Account(c) => account::run(&ctx, c),
        Command::Completions(args) => manual::completions(args),
        Command::Man(args) => manual::man(&ctx, args),
    });
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

/// The help of a command given without its subcommand, when that is what `e` is: clap shows it itself when nothing
/// at all follows (`rightsdesk`, `rightsdesk request`), but calls it a missing subcommand when an option does
/// (`rightsdesk --db r.sqlite3`, `rightsdesk request --json`), naming the command it was missing from.
fn help_of_bare_group(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Some(e.render().to_string()),
        ErrorKind::MissingSubcommand => {
            let Some(ContextValue::String(bin_name)) = e.get(ContextKind::InvalidSubcommand) else { return None };
            // `rightsdesk audit key`: the words after the program's name (which could itself hold a space) are
            // the path down the tree.
            let mut root = <Cli as clap::CommandFactory>::command();
            root.build();
            let mut cmd = &mut root;
            for word in bin_name.split(' ') {
                if cmd.find_subcommand(word).is_some() {
                    cmd = cmd.find_subcommand_mut(word)?;
                }
            }
            Some(cmd.render_help().to_string())
        }
        _ => None,
    }
}

/// clap's message spans several lines (the error, the options it names, usage, hints); the contract wants one line
/// that still names what was wrong: the error with the lines that follow it, up to the usage.
fn one_line_usage_error(text: &str) -> String {
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let line = if parts.is_empty() { "invalid arguments".to_string() } else { parts.join(" ") };
    if line.starts_with("error:") { line } else { format!("error: {line}") }
}

/// Render a value as the one JSON object a `--json` command prints.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    Ok(out::json_text(serde_json::to_string_pretty(value)?))
}

/// A secret (`--password-stdin`, `--passphrase-stdin`): the first line of standard input, at most 4 KiB, held in
/// memory that is wiped when dropped.
pub fn secret_from_stdin(what: &str) -> Result<zeroize::Zeroizing<String>, Failure> {
    use std::io::Read;
    const LIMIT: u64 = 4096;
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .take(LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read the {what} from standard input: {e}")))?;
    let line = text.split(['\r', '\n']).next().unwrap_or_default();
    if line.len() as u64 > LIMIT {
        return Err(Failure::usage(format!("the {what} on standard input is longer than 4 KiB")));
    }
    Ok(zeroize::Zeroizing::new(line.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_option_is_named_on_the_one_line() {
        let e = Cli::try_parse_from(["rightsdesk", "request", "add"]).err().unwrap();
        let line = one_line_usage_error(&e.render().to_string());
        assert!(line.starts_with("error: the following required arguments were not provided: --"), "{line}");
        assert!(line.contains("--kind <KIND>"), "{line}");
        assert!(!line.contains('\n') && !line.contains("Usage"), "{line}");
    }

    /// Every subcommand, option and argument an officer can see says what it is: `--help`, the completions and the
    /// man pages all show it, and an empty line there is what issue 19 tripped over.
    #[test]
    fn every_command_option_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                // clap's own --help and --version say what they are.
                if arg.is_hide_set() || matches!(arg.get_id().as_str(), "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    let name = arg.get_long().map_or_else(|| format!("<{}>", arg.get_id()), |l| format!("--{l}"));
                    missing.push(format!("{path} {name}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(format!("{sub_path} (the command)"));
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&<Cli as clap::CommandFactory>::command(), "rightsdesk", &mut missing);
        assert!(missing.is_empty(), "{} without help text:\n{}", missing.len(), missing.join("\n"));
    }

    #[test]
    fn bad_input_exits_2_and_a_refusal_1() {
        assert_eq!(Failure::from(rightsdesk::Error::invalid("kind", "unknown")).code, 2);
        assert_eq!(Failure::from(rightsdesk::Error::refused("not now")).code, 1);
        assert_eq!(Failure::from(rightsdesk::Error::not_found("system", "Nope")).code, 1);
        assert_eq!(Failure::from("no key").code, 1);
    }
}
