//! Backups on a schedule: daily or weekly into a folder (default `rightsdesk-backups/` beside the database), the
//! newest N kept, run by the window's housekeeping (and `rightsdesk backup due` for a scheduler of the system's), the
//! last result kept, a missed one shown on the dashboard. Only an encrypted register can be backed up unattended: a
//! plain register's backup needs a passphrase that is asked each time and never kept.

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::Desk;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::safe_file::Existing;
use crate::store;

const KEEP: std::ops::RangeInclusive<u32> = 1..=365;
const DEFAULT_KEEP: u32 = 7;
/// Backups this scheduler made are named so: only those are ever removed when pruning.
const PREFIX: &str = "rightsdesk-scheduled-";
const SUFFIX: &str = ".rdbackup";

/// The schedule, and how the last run went.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupSchedule {
    /// `off`, `daily` or `weekly`.
    pub every: String,
    /// How many scheduled backups are kept (the oldest go).
    pub keep: u32,
    pub folder: String,
    /// When the last scheduled backup was made (RFC 3339), and the file.
    pub last_ok: Option<String>,
    pub last_file: Option<String>,
    /// Why the last attempt failed, if it did (cleared by the next success).
    pub last_error: Option<String>,
    /// A backup is due and has not been made for a day past its time.
    pub overdue: bool,
    /// Scheduled backups need an encrypted register.
    pub available: bool,
}

impl Desk {
    pub fn backup_schedule(&self) -> Result<BackupSchedule> {
        let get = |key: &str| self.store.setting(key).ok().flatten().filter(|v| !v.is_empty());
        let every = get("backup.every").unwrap_or_else(|| "off".into());
        let last_ok = get("backup.last_ok");
        // Counted from the last backup, or from when the schedule was set if none was made since.
        let since = last_ok.clone().or_else(|| get("backup.since"));
        let overdue = match period(&every) {
            Some(p) => since.as_deref().and_then(parse_time).is_none_or(|at| self.now() - at > p + Duration::days(1)),
            None => false,
        };
        Ok(BackupSchedule {
            keep: get("backup.keep").and_then(|k| k.parse().ok()).unwrap_or(DEFAULT_KEEP),
            folder: self.backup_folder().display().to_string(),
            last_file: get("backup.last_file"),
            last_error: get("backup.last_error"),
            overdue: overdue && self.is_encrypted(),
            available: self.is_encrypted(),
            every,
            last_ok,
        })
    }

    /// Set the schedule; `folder` only from the command line (the window cannot name a path).
    pub fn set_backup_schedule(&self, every: &str, keep: u32, folder: Option<&Path>) -> Result<BackupSchedule> {
        let every = every.trim().to_ascii_lowercase();
        if every != "off" && period(&every).is_none() {
            return Err(Error::invalid("every", format!("'{every}': off, daily or weekly")));
        }
        if every != "off" && !self.is_encrypted() {
            return Err(Error::refused(
                "only an encrypted register is backed up on a schedule (a plain register's backup needs a passphrase \
                 each time): encrypt it first (`rightsdesk vault encrypt`)",
            ));
        }
        if !KEEP.contains(&keep) {
            return Err(Error::invalid("keep", format!("keep {} to {} backups", KEEP.start(), KEEP.end())));
        }
        let folder = match folder {
            Some(f) => Some(std::path::absolute(f).map_err(|e| Error::io("cannot resolve the backup folder", e))?),
            None => None,
        };
        self.store.write(|tx| {
            let before = tx.setting("backup.every")?.unwrap_or_else(|| "off".into());
            tx.set_setting("backup.every", &every)?;
            if before != every {
                tx.set_setting("backup.since", &store::timestamp(self.now()))?;
            }
            tx.set_setting("backup.keep", &keep.to_string())?;
            if let Some(f) = &folder {
                tx.set_setting("backup.folder", &f.to_string_lossy())?;
            }
            let folder = folder.clone().unwrap_or_else(|| self.backup_folder());
            let set =
                ev::BackupScheduleSet { before, every: every.clone(), keep, folder: folder.display().to_string() };
            self.append_setting_event(tx, &AuditEvent::BackupScheduleSet(set))
        })?;
        self.backup_schedule()
    }

    /// Make the scheduled backup if one is due (`None` otherwise), keep the newest, record how it went.
    pub fn run_due_backup(&self) -> Result<Option<super::BackupReport>> {
        let schedule = self.backup_schedule()?;
        let Some(p) = period(&schedule.every).filter(|_| schedule.available) else { return Ok(None) };
        let last = schedule.last_ok.as_deref().and_then(parse_time);
        if last.is_some_and(|at| self.now() - at < p - Duration::minutes(30)) {
            return Ok(None);
        }
        let folder = self.backup_folder();
        let made = crate::safe_file::private_dir(&folder).and_then(|()| {
            let name = format!("{PREFIX}{}{SUFFIX}", self.now().unix_timestamp());
            self.create_backup(&folder.join(name), Existing::Refuse, None)
        });
        let at = store::timestamp(self.now());
        match made {
            Ok(report) => {
                prune(&folder, schedule.keep);
                Ok(Some(report))
            }
            Err(e) => {
                self.store.write(|tx| tx.set_setting("backup.last_error", &format!("{at}: {e}")))?;
                Err(e)
            }
        }
    }

    /// A backup was made (scheduled, or asked for): the schedule counts from it.
    pub(crate) fn record_backup(&self, report: &super::BackupReport) -> Result<()> {
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            tx.set_setting("backup.last_ok", &at)?;
            tx.set_setting("backup.last_file", &report.file)?;
            tx.set_setting("backup.last_error", "")
        })
    }

    fn backup_folder(&self) -> PathBuf {
        match self.store.setting("backup.folder").ok().flatten().filter(|f| !f.is_empty()) {
            Some(f) => PathBuf::from(f),
            None => {
                let db = std::path::absolute(self.store.backend().path()).unwrap_or_default();
                db.parent().unwrap_or(Path::new(".")).join("rightsdesk-backups")
            }
        }
    }
}

fn period(every: &str) -> Option<Duration> {
    match every {
        "daily" => Some(Duration::days(1)),
        "weekly" => Some(Duration::weeks(1)),
        _ => None,
    }
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// Remove the oldest scheduled backups beyond `keep` (names carry the time, so they sort by age).
fn prune(folder: &Path, keep: u32) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let mut ours: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    ours.sort();
    let excess = ours.len().saturating_sub(keep as usize);
    for old in &ours[..excess] {
        let _ = std::fs::remove_file(old);
    }
}
