//! The operations a privacy officer performs, one function each, shared by the CLI and the desktop shell.
//! Input arrives as text from a form or a command line and is validated here, field by field; every change to a
//! request is written together with its audit event in one transaction.

mod audit;
mod authorities;
mod calendar;
mod checklist;
mod clock;
mod disclosures;
mod edit;
mod evidence_pack;
mod exports;
mod ics;
mod identity;
mod import;
mod mail;
mod register_files;
mod reminders;
mod requesters;
mod responses;
mod retention;
mod subject_export;

pub use audit::{AnchorCheck, AuditKeyStatus, ChainReport, CheckpointInfo, CheckpointsCheck, PASSPHRASE_ENV};
pub use authorities::{OwnAuthority, RegimeAuthorities};
pub use disclosures::DisclosureInput;
pub use edit::RequestEdit;
pub use evidence_pack::{EvidencePack, PackSelection};
pub use exports::LogExport;
pub use mail::{FlushReport, MAX_ATTEMPTS, SmtpSettings};
pub use responses::{LetterCopy, LetterWritten, StageOption, TemplateCatalogue};
pub use retention::{DEFAULT_RETENTION_MONTHS, RetentionReport};
pub use subject_export::SubjectExport;

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

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::dates::{self, iso};
use crate::deadline::{self, Engine, Facts, Field, Pause, Regime};
use crate::domain::{
    Agent, Channel, CheckOutcome, ClockFacts, Dates, RefusalCategory, Request, RequestKind, Requester, Status,
    Transition, VerificationMethod,
};
use crate::error::{Error, Result};
use crate::store::{self, Attachment, Event, Page, Query, RequestRow, Store};

/// Days ahead that count as "due soon" in the queue and the dashboard.
pub const DUE_SOON_DAYS: i64 = 7;
/// Working days before the statutory date that the internal target sits, unless configured per regime.
pub const DEFAULT_TARGET_WORKING_DAYS: u32 = 5;
/// Calendar days after receipt for the internal target of a request with no statutory deadline.
pub const NO_DEADLINE_TARGET_DAYS: i64 = 30;

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

/// The database a command or the app uses: `--db`, else `RIGHTSDESK_DB`, else the OS data folder.
pub fn resolve_db_path(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("RIGHTSDESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("org", "Rightsdesk", "Rightsdesk")
        .ok_or_else(|| Error::invalid("database", "no home folder: give --db PATH or set RIGHTSDESK_DB"))?;
    Ok(dirs.data_dir().join("rightsdesk.sqlite3"))
}

/// A new request as typed into the form or given on the command line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewRequest {
    pub kind: String,
    pub regime: String,
    pub calendar: Option<String>,
    pub received: String,
    pub channel: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub account: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub notes: Option<String>,
    /// Someone acting for the data subject: their name, email and the written authority they showed.
    pub agent_name: Option<String>,
    pub agent_email: Option<String>,
    pub agent_authority: Option<String>,
}

/// A move along the lifecycle as asked for in the window or on the command line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[derive(clap::Args)]
pub struct StatusChange {
    pub status: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// Refusals: a `RefusalCategory` id.
    #[arg(
        long,
        help = "manifestly-unfounded, excessive, identity-not-verified, exemption, third-party-rights, no-data-held, \
                not-covered, other"
    )]
    pub category: Option<String>,
    /// Exemptions: the legal basis relied on.
    #[arg(long, help = "The legal basis of an exemption")]
    pub basis: Option<String>,
    /// Spam: also block the sender's address (later requests from it are flagged, never dropped).
    #[arg(long, help = "With `spam`: block the sender's address (later requests from it are flagged, never dropped)")]
    pub block_sender: bool,
}

impl StatusChange {
    pub fn to(status: &str) -> StatusChange {
        StatusChange { status: status.into(), ..StatusChange::default() }
    }
}

/// Everything the request page shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: Request,
    pub due_state: DueState,
    /// Still being worked on (its clock can change).
    pub is_open: bool,
    pub allowed: Vec<Transition>,
    pub explanation: Explanation,
    pub identity: IdentityView,
    /// The requester's other requests: likely duplicates, repeats, decisions taken, a blocked sender.
    pub related: Related,
    /// The work per system of the data map.
    pub checklist: Vec<store::ChecklistItem>,
    /// What is gathered for an access or portability answer.
    pub disclosures: Vec<store::Disclosure>,
    /// Things the officer should look at (e.g. a clock stopped for more than 90 days).
    pub flags: Vec<String>,
    pub attachments: Vec<Attachment>,
    pub events: Vec<Event>,
}

/// How each date was computed, per date, in words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Explanation {
    /// Set where the regime has no statutory deadline for this kind of request.
    pub no_deadline: Option<String>,
    pub regime_name: String,
    pub citation: Option<String>,
    pub received: Vec<String>,
    pub clock_start: Vec<String>,
    pub acknowledge_by: Vec<String>,
    pub due: Vec<String>,
    pub extended_due: Vec<String>,
    pub effective_due: Vec<String>,
    pub internal_target: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum DueState {
    Overdue,
    DueSoon,
    OnTrack,
    Closed,
}

/// One row of the queue with its due state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueRow {
    #[serde(flatten)]
    pub row: RequestRow,
    pub due_state: DueState,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What the new-request form offers: kinds, channels, regimes with their calendars.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormOptions {
    pub kinds: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub regimes: Vec<RegimeOption>,
    pub verification_methods: Vec<Choice>,
    pub check_outcomes: Vec<Choice>,
    pub refusal_categories: Vec<Choice>,
    /// The answers a response can be written for, and the languages templates exist in.
    pub response_stages: Vec<Choice>,
    pub response_languages: Vec<String>,
    /// The languages the subject export's pages can be written in (id and name).
    pub export_languages: Vec<Choice>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub today: Date,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegimeOption {
    pub id: String,
    pub name: String,
    pub default_calendar: Option<String>,
    pub calendars: Vec<String>,
    /// Request kinds with a statutory deadline under this regime.
    pub kinds_with_deadline: Vec<String>,
    /// `fixed` (the law sets the extended date), `open-ended` (the organisation names it) or `none`.
    pub extension: String,
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
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

pub(crate) fn check_len(field: &str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::invalid(field, format!("too long ({} characters; at most {max})", text.chars().count())));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// An agent is optional, but once named needs their written authority.
pub(crate) fn validate_agent(
    name: Option<String>,
    email: Option<String>,
    authority: Option<String>,
) -> Result<Option<Agent>> {
    let (name, email, authority) = (clean(name), clean(email).map(|e| e.to_lowercase()), clean(authority));
    let Some(name) = name else {
        if email.is_some() || authority.is_some() {
            return Err(Error::invalid("agent_name", "give the name of the person acting for the requester"));
        }
        return Ok(None);
    };
    check_len("agent_name", &name, 200)?;
    if let Some(e) = &email {
        check_email(e).map_err(|_| Error::invalid("agent_email", format!("'{e}' is not an email address")))?;
    }
    let authority = authority.ok_or_else(|| {
        Error::invalid("agent_authority", "say what written authority the agent showed (e.g. signed power of attorney)")
    })?;
    check_len("agent_authority", &authority, 2_000)?;
    Ok(Some(Agent { name, email, authority }))
}

fn check_email(email: &str) -> Result<()> {
    let ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
            && email.matches('@').count() == 1
    });
    if ok { Ok(()) } else { Err(Error::invalid("email", format!("'{email}' is not an email address"))) }
}

impl Desk {
    pub fn open(path: &Path, clock: Clock) -> Result<Desk> {
        let store = Store::open(path, &store::timestamp(clock.now()))?;
        let actor = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "officer".into());
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
                    tx.append_register_event(
                        &at,
                        &actor,
                        "trigger_restored",
                        &json!({"trigger": t.name, "was": t.problem}),
                    )?;
                }
                Ok(restored)
            })?
        };
        let files = if store.is_read_only() {
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

    pub fn form_options(&self) -> FormOptions {
        let tables = self.engine().tables();
        let regimes = self
            .engine()
            .regimes()
            .all()
            .iter()
            .map(|r| {
                let mut calendars: Vec<String> =
                    tables.codes().filter(|c| r.allows_calendar(c, tables)).map(str::to_string).collect();
                calendars.sort();
                RegimeOption {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    default_calendar: r.default_calendar.clone(),
                    calendars,
                    kinds_with_deadline: r.request_kinds.keys().cloned().collect(),
                    extension: match r.extension {
                        deadline::Extension::Fixed => "fixed",
                        deadline::Extension::OpenEnded => "open-ended",
                        deadline::Extension::None => "none",
                    }
                    .into(),
                }
            })
            .collect();
        let choices = |all: Vec<(&str, &str)>| {
            all.into_iter().map(|(id, label)| Choice { id: id.into(), label: label.into() }).collect()
        };
        FormOptions {
            kinds: choices(RequestKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            channels: choices(Channel::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            statuses: choices(Status::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            verification_methods: choices(VerificationMethod::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            check_outcomes: choices(CheckOutcome::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            refusal_categories: choices(RefusalCategory::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            response_stages: choices(crate::respond::STAGES.to_vec()),
            response_languages: {
                let mut langs: Vec<String> =
                    self.store.read(|r| r.templates()).unwrap_or_default().into_iter().map(|t| t.lang).collect();
                langs.dedup();
                langs
            },
            export_languages: crate::export::subject::languages()
                .unwrap_or_default()
                .into_iter()
                .map(|id| {
                    let label = crate::respond::data::data()
                        .ok()
                        .and_then(|d| d.words.get(&id).map(|w| w.name.clone()))
                        .unwrap_or_else(|| id.clone());
                    Choice { id, label }
                })
                .collect(),
            regimes,
            today: self.today(),
        }
    }

    /// Validate a new request field by field; the first problem is reported with its field.
    fn validate(&self, input: NewRequest) -> Result<Request> {
        let kind = RequestKind::parse(input.kind.trim()).ok_or_else(|| {
            Error::invalid("kind", format!("unknown request kind '{}' (one of: {})", input.kind, RequestKind::ids()))
        })?;
        let regime = self.engine().regime(input.regime.trim()).map_err(|e| Error::invalid("regime", e.to_string()))?;
        let calendar = self
            .engine()
            .resolve_calendar(regime, clean(input.calendar).as_deref())
            .map_err(|e| Error::invalid("calendar", e.to_string()))?;
        let received = dates::parse_in_range(input.received.trim())
            .map_err(|e| Error::invalid("received", format!("invalid date {e}")))?;
        if received > self.today() {
            return Err(Error::invalid("received", format!("{} is in the future", dates::fmt(received))));
        }
        let channel = match clean(input.channel) {
            None => Channel::Email,
            Some(c) => Channel::parse(&c).ok_or_else(|| {
                Error::invalid("channel", format!("unknown channel '{c}' (one of: {})", Channel::ids()))
            })?,
        };
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid("name", "the requester's name is required"));
        }
        check_len("name", &name, 200)?;
        crate::respond::check_one_line("name", &name)?;
        let email = clean(input.email).map(|e| e.to_lowercase());
        if let Some(e) = &email {
            check_email(e)?;
        }
        let phone = clean(input.phone);
        if let Some(p) = &phone {
            check_len("phone", p, 40)?;
            if !p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
                return Err(Error::invalid("phone", format!("'{p}' is not a phone number")));
            }
        }
        let language = clean(input.language).unwrap_or_else(|| "en".into()).to_lowercase();
        if !(language.len() == 2 && language.chars().all(|c| c.is_ascii_lowercase())) {
            return Err(Error::invalid(
                "language",
                format!("'{language}' is not a two-letter language code (en, fr, nl, de, …)"),
            ));
        }
        let (address, account) = (clean(input.address), clean(input.account));
        let description = clean(input.description).unwrap_or_default();
        let notes = clean(input.notes).unwrap_or_default();
        for (field, text, max) in [
            ("address", address.as_deref().unwrap_or(""), 500),
            ("account", account.as_deref().unwrap_or(""), 200),
            ("description", description.as_str(), 20_000),
            ("notes", notes.as_str(), 20_000),
        ] {
            check_len(field, text, max)?;
        }
        let agent = validate_agent(input.agent_name, input.agent_email, input.agent_authority)?;
        let now = self.now();
        Ok(Request {
            id: Uuid::now_v7(),
            reference: String::new(),
            kind,
            regime: regime.id.clone(),
            calendar,
            channel,
            received,
            status: Status::Received,
            requester: Requester { name, email, phone, address, account },
            language,
            description,
            notes,
            outcome_reason: None,
            external_id: None,
            requester_id: None,
            refusal_category: None,
            refusal_basis: None,
            agent,
            identity_requested_on: None,
            facts: ClockFacts::default(),
            dates: Dates::default(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            purged_at: None,
        })
    }

    pub(crate) fn target_working_days(&self, regime: &str) -> u32 {
        self.store
            .setting(&format!("internal_target_working_days.{regime}"))
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_TARGET_WORKING_DAYS)
    }

    /// Derive the request's dates from its facts, with the explanation of each.
    pub fn derive(&self, r: &Request) -> Result<(Dates, Explanation)> {
        derive(&self.engine(), r, self.today(), self.target_working_days(&r.regime))
    }

    pub fn add_request(&self, input: NewRequest) -> Result<RequestDetail> {
        let mut r = self.validate(input)?;
        (r.dates, _) = self.derive(&r)?;
        let at = store::timestamp(r.created_at);
        self.store.write(|tx| self.insert_new(tx, &mut r, &at))?;
        self.request(&r.reference)
    }

    /// Log a request together with the document it came in (the original email, the scanned letter): the file is
    /// stored first, then the request, the attachment and both events are written in one transaction. If that
    /// fails, the stored file is removed again: either both exist or neither.
    pub fn add_request_with_file(
        &self,
        input: NewRequest,
        file_name: &str,
        content: &mut dyn std::io::Read,
    ) -> Result<RequestDetail> {
        let mut r = self.validate(input)?;
        (r.dates, _) = self.derive(&r)?;
        let file = store_file(&self.attachments_dir(), &r.id, file_name, content)?;
        let at = store::timestamp(r.created_at);
        let attachment = Attachment {
            id: file.id.clone(),
            file_name: file.file_name.clone(),
            stored_name: file.stored_name.clone(),
            sha256: file.sha256.clone(),
            size: file.size,
            added_at: at.clone(),
        };
        let written = self.store.write(|tx| {
            self.insert_new(tx, &mut r, &at)?;
            tx.insert_attachment(&r.id, &attachment)?;
            let data = json!({"file_name": attachment.file_name, "sha256": attachment.sha256, "size": attachment.size});
            tx.append_event(&r.id, &at, &self.actor, "attachment_added", &data)?;
            Ok(())
        });
        if let Err(e) = written {
            file.remove();
            return Err(e);
        }
        self.request(&r.reference)
    }

    pub fn request(&self, id_or_reference: &str) -> Result<RequestDetail> {
        let (request, events, attachments, checks, checklist, disclosures) = self.store.read(|rd| {
            let request = rd.request(id_or_reference)?;
            let events = rd.events(&request.id)?;
            let attachments = rd.attachments(&request.id)?;
            let checks = rd.identity_checks(&request.id)?;
            let checklist = rd.checklist(&request.id.to_string())?;
            let disclosures = rd.disclosures(&request.id.to_string())?;
            Ok((request, events, attachments, checks, checklist, disclosures))
        })?;
        let (_, explanation) = self.derive(&request)?;
        let identity = self.identity_view(&request, checks);
        let related = self.related(&request)?;
        let mut flags = flags(&request, &identity, self.today());
        flags.extend(self.related_flags(&request, &related)?);
        Ok(RequestDetail {
            due_state: due_state(request.status.is_open(), request.dates.effective_due, self.today()),
            is_open: request.status.is_open(),
            allowed: request.status.next().to_vec(),
            flags,
            explanation,
            identity,
            related,
            checklist,
            disclosures,
            attachments,
            events,
            request,
        })
    }

    pub fn list(&self, query: &Query) -> Result<Page<QueueRow>> {
        let page = self.store.read(|r| r.list(query))?;
        let today = self.today();
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|row| QueueRow { due_state: due_state(row.is_open, row.effective_due, today), row })
                .collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    pub fn dashboard(&self) -> Result<store::Dashboard> {
        let today = self.today();
        self.store.read(|r| r.dashboard(today, today + Duration::days(DUE_SOON_DAYS)))
    }

    /// Move a request along its lifecycle; refused with the allowed moves when illegal. A refusal or partial
    /// refusal needs its category and a written reason (an exemption also its legal basis).
    pub fn change_status(&self, id_or_reference: &str, change: StatusChange) -> Result<RequestDetail> {
        let to = Status::parse(change.status.trim()).ok_or_else(|| {
            Error::invalid("status", format!("unknown status '{}' (one of: {})", change.status, Status::ids()))
        })?;
        let reason = clean(change.reason);
        if let Some(r) = &reason {
            check_len("reason", r, 5_000)?;
        }
        let refusal = matches!(to, Status::Refused | Status::PartiallyFulfilled);
        let category = match clean(change.category) {
            Some(c) if refusal => Some(RefusalCategory::parse(&c).ok_or_else(|| {
                Error::invalid("category", format!("unknown category '{c}' (one of: {})", RefusalCategory::ids()))
            })?),
            Some(_) => {
                return Err(Error::invalid("category", "only a refusal or partial refusal takes a reason category"));
            }
            None if refusal => {
                return Err(Error::invalid(
                    "category",
                    format!("say why: a {} needs a reason category", to.label().to_lowercase()),
                ));
            }
            None => None,
        };
        let basis = clean(change.basis);
        if let Some(b) = &basis {
            check_len("basis", b, 1_000)?;
        }
        if category == Some(RefusalCategory::Exemption) && basis.is_none() {
            return Err(Error::invalid(
                "basis",
                "an exemption needs its legal basis (the article or section relied on)",
            ));
        }
        let now = self.now();
        let today = self.today();
        let block = change.block_sender && to == Status::Spam;
        let actor = self.actor.clone();
        self.update(id_or_reference, |r, tx| {
            let transition = r.status.transition(to).ok_or_else(|| Error::IllegalTransition {
                reference: r.reference.clone(),
                from: r.status.id().into(),
                to: to.id().into(),
                allowed: allowed_text(r.status),
            })?;
            if transition.reason_required && reason.is_none() {
                return Err(Error::invalid("reason", format!("moving to {} needs a reason", to.label())));
            }
            if matches!(to, Status::Fulfilled | Status::PartiallyFulfilled)
                && let Some(why) = checklist::unfinished(&tx.reader().checklist(&r.id.to_string())?)
            {
                return Err(Error::invalid("status", format!("{} cannot be answered yet: {why}", r.reference)));
            }
            let from = r.status;
            r.status = to;
            let mut blocked = None;
            if block {
                let email = r
                    .requester
                    .email
                    .clone()
                    .ok_or_else(|| Error::invalid("block_sender", "the request has no email address to block"))?;
                tx.block_sender(&email, reason.as_deref().unwrap_or("spam"), &store::timestamp(now), &actor)?;
                blocked = Some(email);
            }
            if from == Status::Duplicate {
                tx.remove_duplicate_links(&r.id.to_string())?;
                r.closed_at = None;
            }
            if from == Status::Spam {
                r.closed_at = None;
            }
            if refusal {
                r.outcome_reason = reason.clone();
                r.refusal_category = category;
                r.refusal_basis = basis.clone();
            }
            if to == Status::AwaitingIdentity {
                r.identity_requested_on = Some(today);
            }
            // The day the request stopped being open: the answer's date, from which evidence retention counts.
            if !to.is_open() && r.closed_at.is_none() {
                r.closed_at = Some(now);
            }
            Ok((
                "status_changed",
                json!({"from": from.id(), "to": to.id(), "reason": reason, "category": category, "basis": basis,
                       "blocked_sender": blocked}),
            ))
        })
    }

    /// Load a request, let `change` modify it (returning the event to record), re-derive its dates, and write the
    /// request and the event in one transaction.
    fn update(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &store::Tx) -> Result<(&'static str, serde_json::Value)>,
    ) -> Result<RequestDetail> {
        self.update_then(id_or_reference, change, |_, _| Ok(()))
    }

    /// As `update`, with `after` run in the same transaction once the request row is written.
    fn update_then(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &store::Tx) -> Result<(&'static str, serde_json::Value)>,
        after: impl FnOnce(&Request, &store::Tx) -> Result<()>,
    ) -> Result<RequestDetail> {
        let now = self.now();
        let reference = self.store.write(|tx| {
            let mut r = tx.reader().request(id_or_reference)?;
            if r.purged_at.is_some() {
                // Its personal data is gone for good: a new file or fact would outlive the retention period.
                return Err(Error::invalid(
                    "request",
                    format!(
                        "{}'s personal data was purged at the end of its retention period: it takes no new files, \
                         facts or changes",
                        r.reference
                    ),
                ));
            }
            let before = r.dates.clone();
            let (kind, mut data) = change(&mut r, tx)?;
            (r.dates, _) = self.derive(&r)?;
            r.updated_at = now;
            if r.dates != before {
                data["dates"] = json!({"before": before, "after": r.dates});
            }
            tx.update_request(&r)?;
            after(&r, tx)?;
            tx.append_event(&r.id, &store::timestamp(now), &self.actor, kind, &data)?;
            Ok(r.reference)
        })?;
        self.request(&reference)
    }

    /// The register's own folder for files: `rightsdesk-files-<register id>/` beside the database (see
    /// docs/security-folders.md); its files belong to this register alone.
    pub fn files_dir(&self) -> &Path {
        &self.files
    }

    /// Where attached files are kept, in the register's folder.
    pub fn attachments_dir(&self) -> PathBuf {
        self.files.join("attachments")
    }

    /// Copy a file into the managed folder (atomically: temporary file, then rename) and record it with its
    /// SHA-256. If the record cannot be written, the copy is removed again.
    pub fn attach(
        &self,
        id_or_reference: &str,
        file_name: &str,
        content: &mut dyn std::io::Read,
    ) -> Result<RequestDetail> {
        let request = self.store.read(|r| r.request(id_or_reference))?;
        let file = store_file(&self.attachments_dir(), &request.id, file_name, content)?;
        let attachment = Attachment {
            id: file.id.clone(),
            file_name: file.file_name.clone(),
            stored_name: file.stored_name.clone(),
            sha256: file.sha256.clone(),
            size: file.size,
            added_at: store::timestamp(self.now()),
        };
        let recorded = self.update(id_or_reference, |r, tx| {
            tx.insert_attachment(&r.id, &attachment)?;
            Ok((
                "attachment_added",
                json!({"file_name": attachment.file_name, "sha256": attachment.sha256, "size": attachment.size}),
            ))
        });
        if recorded.is_err() {
            file.remove();
        }
        recorded
    }

    pub fn verify_audit(&self) -> Result<ChainReport> {
        self.verify_audit_with(None)
    }

    /// Reserve the next reference of the request's year, store it, and open its audit trail.
    fn insert_new(&self, tx: &store::Tx, r: &mut Request, at: &str) -> Result<()> {
        self.insert_imported(tx, r, at, None)
    }

    /// As `insert_new`, for a row of an import: `source` (file, row, key) goes into the `created` event.
    pub(crate) fn insert_imported(
        &self,
        tx: &store::Tx,
        r: &mut Request,
        at: &str,
        source: Option<(&str, serde_json::Value)>,
    ) -> Result<()> {
        let (seq, reference) = tx.next_reference(r.received.year())?;
        r.reference = reference;
        r.requester_id = Some(tx.resolve_requester(r, at)?);
        tx.insert_request(r, seq, source.as_ref().map(|(key, _)| *key))?;
        let mut data = snapshot(r);
        if let Some((_, from)) = source {
            data["imported_from"] = from;
        }
        tx.append_event(&r.id, at, &self.actor, "created", &data)?;
        self.create_checklist(tx, r, at)
    }

    /// Insert many requests in batches, one transaction each (used by `demo seed` and benchmarks).
    pub fn insert_batch(&self, requests: Vec<(Request, Vec<(&'static str, serde_json::Value)>)>) -> Result<()> {
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            for (mut r, events) in requests {
                self.insert_new(tx, &mut r, &at)?;
                for (kind, data) in &events {
                    tx.append_event(&r.id, &at, &self.actor, kind, data)?;
                }
            }
            Ok(())
        })
    }
}

/// The name as shown to people, made safe as a file name: no folders, no control characters, not empty.
fn safe_file_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')).collect();
    let cleaned = cleaned.trim_start_matches('.').chars().take(150).collect::<String>();
    if cleaned.is_empty() {
        return Err(Error::invalid("file", format!("'{name}' is not a usable file name")));
    }
    Ok(cleaned)
}

/// A file copied into a managed folder, not yet recorded in the database.
pub(crate) struct StoredFile {
    pub id: String,
    pub file_name: String,
    /// Relative to the managed folder.
    pub stored_name: String,
    pub sha256: String,
    pub size: i64,
    pub path: PathBuf,
}

impl StoredFile {
    /// Undo the copy when its record could not be written (best effort: an orphan file holds no record).
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copy `content` into `root/<request id>/<file id>-<name>` through [`crate::safe_file`]: written under a
/// temporary name, synced, then renamed, so a crash never leaves a half file under its final name; folders 0700 and
/// the file 0600 on Unix.
pub(crate) fn store_file(
    root: &Path,
    request_id: &Uuid,
    file_name: &str,
    content: &mut dyn std::io::Read,
) -> Result<StoredFile> {
    let file_name = safe_file_name(file_name)?;
    let dir = root.join(request_id.to_string());
    crate::safe_file::private_dir(root)?;
    crate::safe_file::private_dir(&dir)?;
    let id = Uuid::now_v7().to_string();
    let stored_name = format!("{request_id}/{id}-{file_name}");
    let path = root.join(&stored_name);
    let mut output = crate::safe_file::Output::create(&path, crate::safe_file::Existing::Refuse)?;
    let (sha256, size) = copy_hashed(content, output.file(), &path)?;
    output.commit()?;
    Ok(StoredFile { id, file_name, stored_name, sha256, size, path })
}

fn copy_hashed(content: &mut dyn std::io::Read, file: &mut std::fs::File, to: &Path) -> Result<(String, i64)> {
    use sha2::Digest;
    use std::io::Write;
    let io = |e| Error::io(format!("cannot write {}", to.display()), e);
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = content.read(&mut buf).map_err(|e| crate::files::read_error(Path::new("the file to attach"), e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        // Checked while streaming: a device or a growing file never ends, and its first size says nothing.
        crate::files::check_len("the file to attach", size, crate::files::MAX_ATTACHMENT_BYTES)?;
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(io)?;
    }
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    Ok((store::migrate::hex(&hasher.finalize()), size))
}

fn allowed_text(status: Status) -> String {
    let next: Vec<&str> = status.next().iter().map(|t| t.to.id()).collect();
    if next.is_empty() { "nothing (it is final)".into() } else { next.join(", ") }
}

fn snapshot(r: &Request) -> serde_json::Value {
    json!({
        "reference": r.reference, "kind": r.kind, "regime": r.regime, "calendar": r.calendar, "channel": r.channel,
        "received": dates::fmt(r.received), "status": r.status, "requester": r.requester, "language": r.language,
        "description": r.description, "notes": r.notes, "dates": r.dates,
    })
}

/// Days a stopped clock may stand before the request is flagged for review.
pub const LONG_PAUSE_DAYS: i64 = 90;

fn flags(r: &Request, identity: &IdentityView, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(since), Some(asked)) = (identity.unverified_since, r.identity_requested_on) {
        out.push(format!(
            "Identity not confirmed {} days after it was asked for ({}; period ended {}): close it as unverified, or \
             record the check if the answer came",
            (today - asked).whole_days(),
            dates::fmt(asked),
            dates::fmt(since)
        ));
    }
    if r.status.is_open()
        && r.facts.verified_on.is_none()
        && let Some(c) = identity.checks.iter().rev().find(|c| c.outcome == CheckOutcome::Failed)
    {
        {
            out.push(format!(
                "The identity check of {} failed ({}): ask again, or refuse as identity not verified",
                dates::fmt(c.checked_on),
                c.method.label().to_lowercase()
            ));
        }
    }
    for p in &r.facts.pauses {
        let end = p.end.unwrap_or(today);
        let days = (end - p.start).whole_days() + 1;
        if days > LONG_PAUSE_DAYS {
            let state = if p.end.is_some() { "was" } else { "has been" };
            out.push(format!(
                "The clock {state} stopped for {days} days (since {}): review whether waiting is still justified",
                dates::fmt(p.start)
            ));
        }
    }
    out
}

pub fn due_state(open: bool, due: Option<Date>, today: Date) -> DueState {
    match (open, due) {
        (false, _) => DueState::Closed,
        (true, Some(d)) if d < today => DueState::Overdue,
        (true, Some(d)) if d <= today + Duration::days(DUE_SOON_DAYS) => DueState::DueSoon,
        _ => DueState::OnTrack,
    }
}

/// The dates of a request from its facts. Pure: the same facts always give the same dates.
pub fn derive(engine: &Engine, r: &Request, today: Date, target_days: u32) -> Result<(Dates, Explanation)> {
    let regime: &Regime = engine.regime(&r.regime)?;
    let cal = engine.calendar(&r.calendar)?;
    let mut ex = Explanation { regime_name: regime.name.clone(), ..Explanation::default() };
    let Some(rule_kind) = regime.request_kinds.get(r.kind.id()) else {
        ex.no_deadline = Some(format!(
            "No statutory deadline under {} for this kind of request ({}): it runs on its internal target date only",
            regime.name,
            r.kind.label().to_lowercase()
        ));
        let raw = r.received + Duration::days(NO_DEADLINE_TARGET_DAYS);
        let (target, why) = deadline::count::roll(&cal, raw, deadline::Roll::Working)?;
        ex.internal_target
            .push(format!("Internal target: {NO_DEADLINE_TARGET_DAYS} days after receipt → {}", dates::fmt(raw)));
        ex.internal_target.extend(why);
        let effective = r.facts.due_override.unwrap_or(target);
        if r.facts.due_override.is_some() {
            ex.effective_due.push(format!("Date set by the officer: {}", dates::fmt(effective)));
        }
        return Ok((Dates { internal_target: Some(target), effective_due: Some(effective), ..Dates::default() }, ex));
    };
    // Only regimes with a stop-the-clock rule let a pause move the date; an open pause runs to today for now.
    let pauses: Vec<Pause> = if regime.allows_pause(rule_kind) {
        r.facts.pauses.iter().map(|p| Pause { start: p.start, end: p.end.unwrap_or(today).max(p.start) }).collect()
    } else {
        for p in &r.facts.pauses {
            ex.due.push(format!(
                "Clock stop from {} recorded, but {} has no stop-the-clock rule for this request: the due date does not move",
                dates::fmt(p.start),
                regime.name
            ));
        }
        Vec::new()
    };
    if let Some(open) = r.facts.pauses.iter().find(|p| p.end.is_none()).filter(|_| regime.allows_pause(rule_kind)) {
        ex.due.push(format!(
            "The clock is stopped since {}: the dates below assume it restarts today and move one day for each further day",
            dates::fmt(open.start)
        ));
    }
    let d = engine.compute(&Facts {
        regime: &r.regime,
        kind: rule_kind,
        calendar: Some(&r.calendar),
        received: Some(r.received),
        verified: r.facts.verified_on,
        fee_paid: r.facts.fee_paid_on,
        pauses: &pauses,
    })?;
    for step in &d.steps {
        let list = match step.field {
            Field::Received => &mut ex.received,
            Field::ClockStart => &mut ex.clock_start,
            Field::AcknowledgeBy => &mut ex.acknowledge_by,
            Field::Due => &mut ex.due,
            Field::ExtendedDue => &mut ex.extended_due,
        };
        list.push(step.text.clone());
    }
    ex.citation = Some(d.citation.clone());
    let effective = if let Some(o) = r.facts.due_override {
        match r.facts.extended_on {
            Some(told) if regime.extension == deadline::Extension::OpenEnded => ex.effective_due.push(format!(
                "Extended to {} by the organisation (requester told {}), as {} allows",
                dates::fmt(o),
                dates::fmt(told),
                regime.name
            )),
            _ => ex.effective_due.push(format!("Date set by hand (the reason is on the timeline): {}", dates::fmt(o))),
        }
        o
    } else if let (Some(told), Some(ext)) = (r.facts.extended_on, d.extended_due) {
        ex.effective_due.push(format!(
            "Extension taken (requester told {}): the extended due date {} applies",
            dates::fmt(told),
            dates::fmt(ext)
        ));
        ext
    } else {
        ex.effective_due.push(format!("The due date {} applies (no extension taken)", dates::fmt(d.due)));
        d.due
    };
    let target = deadline::count::minus_working_days(&cal, effective, target_days)?.max(d.clock_start);
    ex.internal_target.push(format!(
        "Internal target: {target_days} working days before {} → {}",
        dates::fmt(effective),
        dates::fmt(target)
    ));
    Ok((
        Dates {
            rule_kind: Some(rule_kind.clone()),
            clock_start: Some(d.clock_start),
            acknowledge_by: d.acknowledge_by,
            due: Some(d.due),
            extended_due: d.extended_due,
            effective_due: Some(effective),
            internal_target: Some(target),
            paused_days: d.paused_days,
        },
        ex,
    ))
}
