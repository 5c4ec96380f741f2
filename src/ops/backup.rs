//! Backups of the register. Only making one is an operation of the window's (saved in Downloads); verifying and
//! restoring name files, so they are the command line's (`cli/backup.rs`).

use serde::Deserialize;

use super::{Reporting, SaveTo, op};
use crate::desk::{BackupReport, BackupSchedule};

/// Back the whole register up into one encrypted file (default: a new name in Downloads). A plain register's
/// backup needs a backup passphrase (at least 10 characters); an encrypted one's is locked with the register key.
/// Progress: percent of the bytes copied.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CreateBackup {
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
    /// A plain register's backup passphrase (the command line reads it from standard input or
    /// RIGHTSDESK_BACKUP_PASSPHRASE).
    #[serde(default)]
    pub backup_passphrase: Option<String>,
}
impl Reporting for CreateBackup {
    type Output = BackupReport;
    /// Percent of the bytes copied.
    type Progress = u32;

    fn run(self, d: &crate::Desk, progress: &mut dyn FnMut(u32)) -> crate::Result<BackupReport> {
        let name = format!("rightsdesk-backup-{}.rdbackup", crate::dates::fmt(d.today()));
        let (path, existing) = self.save.resolve(&name)?;
        d.create_backup_reporting(&path, existing, self.backup_passphrase.as_deref(), progress)
    }
}

/// The backup schedule and how its last run went.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetBackupSchedule;
op!(GetBackupSchedule => BackupSchedule, |_, d| d.backup_schedule());

/// Back up daily or weekly (`off` stops it), keeping the newest `keep`; an encrypted register only.
/// (The command line's `backup schedule` shows or changes it, each option optional: `cli/backup.rs`.)
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetBackupSchedule {
    /// off, daily or weekly.
    pub every: String,
    /// How many scheduled backups to keep (1–365; the oldest go).
    pub keep: u32,
    /// The folder they go to (default: rightsdesk-backups beside the database). The command line's only.
    #[serde(skip)]
    pub folder: Option<std::path::PathBuf>,
}
op!(SetBackupSchedule => BackupSchedule, |i, d| d.set_backup_schedule(&i.every, i.keep, i.folder.as_deref()));
