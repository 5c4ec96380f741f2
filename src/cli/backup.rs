//! `rightsdesk backup create|verify|restore`: one encrypted file holding the whole register. Secrets come from
//! standard input or the environment, never from the command line. `--passphrase-stdin` (global) stays the
//! register's passphrase; a plain register's backup passphrase has its own flag and variable.

use std::path::PathBuf;

use clap::Subcommand;
use zeroize::Zeroizing;

use super::{Ctx, Failure, secret_from_stdin};
use rightsdesk::desk::{BACKUP_PASSPHRASE_ENV, BackupKeys, BackupReport, RestoreReport};
use rightsdesk::ops::{self, Operation};

/// The recovery key that opens a backup locked with the register key, when the passphrase is lost.
const RECOVERY_KEY_ENV: &str = "RIGHTSDESK_RECOVERY_KEY";

#[derive(Subcommand)]
pub enum Command {
    /// Back the register up into one encrypted file (--out FILE.rdbackup; default: a new name in Downloads), while
    /// it stays in use. A plain register's backup is locked with a backup passphrase (--backup-passphrase-stdin or
    /// RIGHTSDESK_BACKUP_PASSPHRASE); an encrypted register's with the register's own key.
    Create {
        #[command(flatten)]
        save: ops::SaveTo,
        /// Read the backup passphrase from the first line of standard input.
        #[arg(long)]
        backup_passphrase_stdin: bool,
    },
    /// Back up daily or weekly into a folder, keeping the newest N (`--every off` stops it); without options, the
    /// schedule and its last result. The window's housekeeping makes them; `backup due` does it for a system
    /// scheduler.
    Schedule {
        /// off, daily or weekly.
        #[arg(long)]
        every: Option<String>,
        /// How many scheduled backups to keep (1–365; default: as set, else 7).
        #[arg(long)]
        keep: Option<u32>,
        /// The folder they go to (default: rightsdesk-backups beside the database).
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
    },
    /// Make the scheduled backup if one is due (nothing otherwise).
    Due,
    /// Check a backup whole without restoring it: every entry's SHA-256, SQLite's integrity check, the schema
    /// version and the audit trail.
    Verify {
        /// The backup file (.rdbackup).
        file: PathBuf,
        /// Read the backup passphrase from the first line of standard input.
        #[arg(long)]
        backup_passphrase_stdin: bool,
    },
    /// Restore a backup as the register at --to (a new database path; its key file and folder go beside it),
    /// after checking it whole.
    Restore {
        /// The backup file (.rdbackup).
        file: PathBuf,
        /// The restored register's database file.
        #[arg(long, value_name = "PATH")]
        to: PathBuf,
        /// Put the backup in place of the register at --to, which is kept aside (renamed with a timestamp).
        #[arg(long)]
        replace: bool,
        /// Read the backup passphrase from the first line of standard input.
        #[arg(long)]
        backup_passphrase_stdin: bool,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    match command {
        Command::Schedule { every, keep, folder } => {
            let desk = ctx.desk()?;
            let now = ops::backup::GetBackupSchedule.run(&desk)?;
            let schedule = if every.is_none() && keep.is_none() && folder.is_none() {
                now
            } else {
                let every = every.unwrap_or(now.every);
                ops::backup::SetBackupSchedule { every, keep: keep.unwrap_or(now.keep), folder }.run(&desk)?
            };
            ctx.show(&schedule, |s| {
                let last = match (&s.last_ok, &s.last_error) {
                    (_, Some(e)) => format!("last attempt failed: {e}"),
                    (Some(at), None) => format!("last made {at}: {}", s.last_file.as_deref().unwrap_or("")),
                    (None, None) => "none made yet".into(),
                };
                let overdue = if s.overdue { " — OVERDUE" } else { "" };
                format!("backups: {} into {}, newest {} kept; {last}{overdue}", s.every, s.folder, s.keep)
            })
        }
        Command::Due => {
            let desk = ctx.desk()?;
            match desk.run_due_backup()? {
                Some(report) => ctx.show(&Some(&report), |_| format!("backed up to {}", report.file)),
                None => ctx.show(&None::<BackupReport>, |_| "no backup due".into()),
            }
        }
        Command::Create { save, backup_passphrase_stdin } => {
            let desk = ctx.desk()?;
            let backup_passphrase =
                if desk.is_encrypted() { None } else { backup_passphrase(ctx, backup_passphrase_stdin)? };
            let input = ops::backup::CreateBackup { save, backup_passphrase: backup_passphrase.map(|p| p.to_string()) };
            let report = ops::Reporting::run(input, &desk, &mut |_| {})?;
            ctx.show(&report, |r| format!("backed up to {}\n{}", r.file, describe(r)))
        }
        Command::Verify { file, backup_passphrase_stdin } => {
            let keys = keys(ctx, backup_passphrase_stdin)?;
            let report = rightsdesk::desk::verify_backup(&file, &keys, rightsdesk::desk::Clock::from_env()?)?;
            ctx.show(&report, |r| format!("{}: the backup checks\n{}\n{}", r.file, describe(r), r.checked.join("\n")))
        }
        Command::Restore { file, to, replace, backup_passphrase_stdin } => {
            let keys = keys(ctx, backup_passphrase_stdin)?;
            let clock = rightsdesk::desk::Clock::from_env()?;
            let report = rightsdesk::desk::restore_backup(&file, &to, replace, &keys, clock)?;
            ctx.show(&report, restored)
        }
    }
}

/// What opens a backup: the register's passphrase (as for `--db`), its recovery key, or the backup passphrase.
fn keys(ctx: &Ctx, backup_passphrase_stdin: bool) -> Result<BackupKeys, Failure> {
    let mut access = ctx.access()?;
    if let Ok(recovery) = std::env::var(RECOVERY_KEY_ENV).map(Zeroizing::new) {
        access.recovery = Some(recovery).filter(|r| !r.is_empty());
    }
    Ok(BackupKeys { access, backup_passphrase: backup_passphrase(ctx, backup_passphrase_stdin)? })
}

fn backup_passphrase(ctx: &Ctx, stdin: bool) -> Result<Option<Zeroizing<String>>, Failure> {
    if stdin {
        if ctx.passphrase_from_stdin() {
            return Err(Failure::usage(format!(
                "only one secret can come from standard input: give the register's passphrase in \
                 RIGHTSDESK_PASSPHRASE, or the backup passphrase in {BACKUP_PASSPHRASE_ENV}"
            )));
        }
        return secret_from_stdin("backup passphrase").map(Some);
    }
    Ok(std::env::var(BACKUP_PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()).map(Zeroizing::new))
}

fn describe(r: &BackupReport) -> String {
    format!(
        "register {} ({}), taken {}: {} requests, {} events, {} files, schema version {}; locked with the {}; {} bytes",
        r.register_id,
        if r.encrypted { "encrypted" } else { "NOT encrypted" },
        r.created,
        r.requests,
        r.events,
        r.files,
        r.schema_version,
        r.locked_with,
        r.bytes
    )
}

fn restored(r: &RestoreReport) -> String {
    let mut text = format!(
        "restored {} as {} (files in {})\n{}\n{}",
        r.backup.file,
        r.database,
        r.files_folder,
        describe(&r.backup),
        r.backup.checked.join("\n")
    );
    for aside in &r.kept_aside {
        text.push_str(&format!("\nkept aside: {aside}"));
    }
    text
}
