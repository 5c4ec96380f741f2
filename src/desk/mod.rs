//! The operations a privacy officer performs, one function each, shared by the CLI and the desktop shell.
//! Input arrives as text from a form or a command line and is validated here, field by field; every change to a
//! request is written together with its audit event in one transaction.
//!
//! The core of a request lives in `requests` (the operations), `validate` (fields), `derive` (facts → dates),
//! `write` (the one write path), `files` (managed files), `options` (what the forms offer) and `settings`; each
//! feature has its own module beside them.

mod derive;
mod files;
pub mod location;
mod options;
mod requests;
mod server_password;
mod settings;
mod validate;
mod write;

mod audit;
mod authorities;
mod backup;
mod backup_schedule;
mod calendar;
mod checklist;
mod clock;
mod conversation;
mod data_copy;
mod disclosures;
mod edit;
mod evidence_pack;
mod exports;
mod ics;
mod identity;
mod import;
mod mail;
mod mailbox;
mod next_step;
mod register_copy;
pub(crate) mod register_files;
mod reminders;
mod requesters;
mod responses;
mod retention;
mod setup;
mod subject_export;
mod team;
mod vault;

pub use audit::{AnchorCheck, AuditKeyStatus, ChainReport, CheckpointInfo, CheckpointsCheck, PASSPHRASE_ENV};
pub use authorities::{OwnAuthority, RegimeAuthorities};
pub use backup::{
    BACKUP_PASSPHRASE_ENV, BackupKeys, BackupLock, BackupReport, RestoreReport, backup_lock, restore_and_open,
    restore_backup, verify_backup,
};
pub use backup_schedule::BackupSchedule;
pub use conversation::{ConversationText, FREE_TEXT_STAGE, MAX_ANSWER_CHARS, MessageFile};
pub use data_copy::{COPY_HOWS, DataCopyQueued};
pub use disclosures::DisclosureInput;
pub use edit::RequestEdit;
pub use evidence_pack::{EvidencePack, PackSelection};
pub use exports::LogExport;
pub use mail::{FlushReport, MAX_ATTEMPTS, SmtpSettings};
pub use mailbox::{DEFAULT_POLL_MINUTES, FetchReport, IMAP_PASSWORD_ENV, ImapSettings, MailView, MailWatch};
pub use register_copy::{CopyReport, copy_register};
pub use responses::{LetterCopy, LetterWritten, StageOption, TemplateCatalogue};
pub use retention::{DEFAULT_RETENTION_MONTHS, RetentionReport};
pub use subject_export::SubjectExport;
pub use team::{Me, NewAccount, Team};
pub use vault::{Rekeyed, VaultStatus};
pub use write::{Seen, as_seen};

pub use checklist::{SystemInput, action_for};
pub use requesters::{REPEAT_THRESHOLD, Related, RequesterView};

pub use import::{ImportField, ImportPreview, ImportProgress, ImportReport, RowError};

pub use identity::{
    CheckInput, DEFAULT_EVIDENCE_RETENTION_DAYS, DEFAULT_UNVERIFIED_DAYS, EvidenceFile, IdentitySettings, IdentityView,
    PurgeReport, RegimeDays,
};

pub use reminders::Reminder;

pub use ics::{default_export_dir, export_path};

pub use calendar::{RecomputeCount, RecomputeReport, TargetSetting};

pub use derive::{DEFAULT_TARGET_WORKING_DAYS, DatesMemo, Explanation, NO_DEADLINE_TARGET_DAYS, derive};
pub(crate) use files::StoredFile;
pub use options::{Choice, FormOptions, RegimeOption};
#[cfg(feature = "specta")]
pub use requests::TimelineEvent;
pub use requests::{
    AckState, DUE_SOON_DAYS, DueState, LONG_PAUSE_DAYS, NewRequest, QueueRow, RequestDetail, StatusChange, due_state,
};
pub use settings::{keep_team_password, register_name, resolve_db_path};
pub use setup::{SetupStatus, SetupStep};
pub(crate) use validate::{check_email, check_len, clean, validate_agent};

use std::path::{Path, PathBuf};

use time::{Date, Duration, OffsetDateTime};

use crate::dates;
use crate::deadline::Engine;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::store::{self, Store};

/// Where "now" comes from: the system clock, or a fixed instant (tests, demos) from `RIGHTSDESK_NOW`.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(OffsetDateTime),
}

impl Clock {
    /// `RIGHTSDESK_NOW` (RFC 3339 or YYYY-MM-DD) if set, else the system clock.
    pub fn from_env() -> Result<Clock> {
        match std::env::var("RIGHTSDESK_NOW") {
            Ok(text) if !text.trim().is_empty() => {
                let text = text.trim();
                let at = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .ok()
                    .or_else(|| dates::parse(text).ok().map(|d| d.midnight().assume_utc() + Duration::hours(12)))
                    .ok_or_else(|| {
                        Error::invalid("RIGHTSDESK_NOW", format!("'{text}' is neither RFC 3339 nor YYYY-MM-DD"))
                    })?;
                Ok(Clock::Fixed(at))
            }
            _ => Ok(Clock::System),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match self {
            Clock::System => OffsetDateTime::now_utc(),
            Clock::Fixed(at) => *at,
        }
    }
}

pub struct Desk {
    store: Store,
    /// Swapped whole when the organisation's non-working days change.
    engine: std::sync::RwLock<std::sync::Arc<Engine>>,
    clock: Clock,
    actor: String,
    /// The checkpoint signing key, once opened this session.
    signing: std::sync::Mutex<Option<std::sync::Arc<crate::signing::SigningKey>>>,
    /// Append-only triggers found missing or altered when the register was opened (and put back).
    triggers_restored: Vec<store::TriggerProblem>,
    /// The register's own folder for files (`register_files`).
    files: PathBuf,
    /// The unlocked vault of an encrypted register (`None`: a plain one); its file key seals the register's files.
    vault: Option<crate::vault::Vault>,
    file_key: Option<crate::vault::FileKey>,
    /// The team edition's server, which keeps the register's files itself (`desk/files.rs`).
    server_files: Option<std::sync::Arc<dyn store::ServerFiles>>,
}

/// Where a team register's files are said to be: never a folder on this computer (its files are on the server,
/// named by their paths under it), and a place no file can be made, should anything try (`/proc` refuses).
const SERVER_FILES_ROOT: &str = "/proc/rightsdesk-team-register";

impl Desk {
    /// Open the register at `path` (making it if there is none), unlocked as `access` allows: an encrypted register
    /// needs one of its unlock methods; a new one is encrypted unless `access` asks for a plain one.
    ///
    /// A PostgreSQL connection string (`postgres://user@host/db`) opens a team register on that server instead:
    /// the server's own access control and encryption apply, not the vault's; the password comes from the string
    /// or `PGPASSWORD`.
    pub fn open(path: &Path, clock: Clock, access: &crate::vault::Access) -> Result<Desk> {
        if let Some(url) = path.to_str().filter(|p| store::postgres::Target::is_connection_string(p)) {
            let target = store::postgres::Target::parse(url)?
                .with_password(|account| server_password::POSTGRES.kept_for(account));
            let store = Store::new(Box::new(store::postgres::Postgres::open(target, &store::timestamp(clock.now()))?));
            return Desk::around(store, clock, None);
        }
        let vault = crate::vault::unlock(path, access, &store::timestamp(clock.now()))?;
        let store = Store::open(path, &store::timestamp(clock.now()), vault.as_ref().map(|v| v.key.database_key()))?;
        Desk::around(store, clock, vault)
    }

    /// The desk over an opened store: guards checked, the files' place settled, templates seeded.
    fn around(store: Store, clock: Clock, vault: Option<crate::vault::Vault>) -> Result<Desk> {
        // On a server every change is recorded under the login that made it (the server checks it); on a desk,
        // under this computer's user.
        let actor = match store.backend().login() {
            Some(login) => login.to_string(),
            None => std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "officer".into()),
        };
        let extra = store.read(|r| r.calendar_days_by_code())?;
        let engine = std::sync::Arc::new(Engine::shipped()?.with_extra_days(extra));
        let at = store::timestamp(clock.now());
        // A missing or altered append-only trigger is put back before anything else is written, and recorded.
        // Looked at first with a read: opening a register takes no write lock unless something must be put back.
        let triggers_restored = if store.is_read_only() || store.read(|r| r.trigger_problems())?.is_empty() {
            vec![]
        } else {
            store.write(|tx| {
                let restored = tx.restore_triggers()?;
                for t in &restored {
                    let restored = ev::TriggerRestored { trigger: t.name.clone(), was: t.problem.clone() };
                    write::append_register(tx, &at, &actor, &AuditEvent::TriggerRestored(restored))?;
                }
                Ok(restored)
            })?
        };
        let server_files = store.backend().server_files();
        let files = if server_files.is_some() {
            let id = store.setting("register.id")?.unwrap_or_default();
            PathBuf::from(SERVER_FILES_ROOT).join(id)
        } else if store.is_read_only() {
            register_files::locate(&store)?
        } else {
            register_files::settle(&store, &at, &actor)?
        };
        let desk = Desk {
            store,
            engine: std::sync::RwLock::new(engine),
            clock,
            actor,
            signing: std::sync::Mutex::new(None),
            triggers_restored,
            files,
            file_key: vault.as_ref().map(|v| v.file_key()),
            vault,
            server_files,
        };
        if !desk.store.is_read_only() {
            desk.seed_templates()?;
        }
        Ok(desk)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A regime named by the officer, as its id (a clear error for an unknown one).
    pub fn regime_id(&self, regime: &str) -> Result<String> {
        Ok(self.engine().regime(regime.trim()).map_err(|e| Error::invalid("regime", e.to_string()))?.id.clone())
    }

    /// The engine as it stands now (shipped holidays plus the organisation's days).
    pub fn engine(&self) -> std::sync::Arc<Engine> {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn today(&self) -> Date {
        self.clock.now().date()
    }
}

/// A register in a temporary folder for the unit tests beside the operations.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{Clock, Desk, NewRequest};

    /// A new register whose clock stands at noon UTC on `today` (YYYY-MM-DD); the folder lives as long as the guard.
    pub fn desk_on(today: &str) -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().unwrap();
        let at = crate::dates::parse(today).unwrap().midnight().assume_utc() + time::Duration::hours(12);
        let desk =
            Desk::open(&dir.path().join("register.sqlite3"), Clock::Fixed(at), &crate::vault::Access::unencrypted())
                .unwrap();
        (dir, desk)
    }

    /// The smallest valid form: kind, regime, the day received and a name (and for the EU GDPR, which has no
    /// default calendar, France's).
    pub fn form(kind: &str, regime: &str, received: &str) -> NewRequest {
        NewRequest {
            kind: kind.into(),
            regime: regime.into(),
            calendar: (regime == "eu-gdpr").then(|| "FR".into()),
            received: received.into(),
            name: "Ada Lovelace".into(),
            ..NewRequest::default()
        }
    }
}
