//! Identity verification on a request: the policy that applies, the checks made (of the data subject and of an
//! authorised agent's authority) with the evidence seen, asking for identity, the unverified flag, and the purge of
//! evidence once it is no longer needed. The identity fact the clock uses (`verified_on`) is derived from the checks.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::{Desk, RequestDetail, StatusChange, StoredFile};
use crate::dates;
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{
    CheckOutcome, IdentityCheck, Party, RefusalCategory, Request, Status, VerificationMethod, VerificationPolicy,
};
use crate::error::{Error, Result};
use crate::store::{self, Attachment};

/// Days after the identity request before an unverified request is flagged, unless configured per regime.
pub const DEFAULT_UNVERIFIED_DAYS: u32 = 30;
/// Days after a request stops being open before its identity evidence is deleted, unless configured.
pub const DEFAULT_EVIDENCE_RETENTION_DAYS: u32 = 30;

/// An identity check as entered in the window or on the command line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[derive(clap::Args)]
pub struct CheckInput {
    /// `requester` (default) or `agent`.
    // display_order: after --on, where `request verify --help` has always listed it.
    #[arg(
        long,
        display_order = 3,
        help = "requester (the data subject, default) or agent (the authority of the person acting for them)"
    )]
    pub party: Option<String>,
    #[arg(
        long,
        help = "email-code, account-match, id-document, signed-letter, in-person, authorised-agent, parental-authority"
    )]
    pub method: String,
    #[arg(long, help = "verified, failed, not-required")]
    pub outcome: String,
    /// The day of the check (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: String,
    /// What was seen or done (e.g. "passport checked on a video call").
    #[arg(long)]
    pub note: Option<String>,
}

/// A file seen during a check, on its way into the managed evidence folder.
pub struct EvidenceFile<'a> {
    pub name: String,
    pub content: Box<dyn Read + 'a>,
}

/// The identity part of the request page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IdentityView {
    pub policy: VerificationPolicy,
    pub checks: Vec<IdentityCheck>,
    /// Established: the data subject verified and, with an agent, the agent's authority too.
    pub verified: bool,
    /// Days after the identity request before the request is flagged as unverified.
    pub unverified_after_days: u32,
    /// Set when that period has passed without verification: the day it passed.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "dates::iso::option")]
    pub unverified_since: Option<Date>,
    pub evidence_retention_days: u32,
}

/// The identity settings as the Settings page shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IdentitySettings {
    pub evidence_retention_days: u32,
    /// Per regime: days after the identity request before an unverified request is flagged.
    pub unverified_days: Vec<RegimeDays>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegimeDays {
    pub regime: String,
    pub name: String,
    pub days: u32,
}

/// What a purge of evidence did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PurgeReport {
    pub requests: u32,
    pub files: u32,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: i64,
}

fn parse<T>(field: &str, text: &str, parse: fn(&str) -> Option<T>, ids: String) -> Result<T> {
    let text = text.trim();
    parse(text).ok_or_else(|| Error::invalid(field, format!("unknown {field} '{text}' (one of: {ids})")))
}

impl Desk {
    pub fn unverified_days(&self, regime: &str) -> u32 {
        self.setting_u32(&format!("identity.unverified_days.{regime}"), DEFAULT_UNVERIFIED_DAYS)
    }

    pub fn evidence_retention_days(&self) -> u32 {
        self.setting_u32("evidence.retention_days", DEFAULT_EVIDENCE_RETENTION_DAYS)
    }

    pub fn identity_settings(&self) -> IdentitySettings {
        IdentitySettings {
            evidence_retention_days: self.evidence_retention_days(),
            unverified_days: self
                .engine()
                .regimes()
                .all()
                .iter()
                .map(|r| RegimeDays { regime: r.id.clone(), name: r.name.clone(), days: self.unverified_days(&r.id) })
                .collect(),
        }
    }

    pub(super) fn setting_u32(&self, key: &str, default: u32) -> u32 {
        self.store.setting(key).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// Days after the identity request before an unverified request is flagged (per regime, 1–365).
    pub fn set_unverified_days(&self, regime: &str, days: u32) -> Result<()> {
        let regime = self.regime_id(regime)?;
        if !(1..=365).contains(&days) {
            return Err(Error::invalid("days", format!("{days} is not between 1 and 365")));
        }
        let default = self.unverified_days(&regime);
        self.store.write(|tx| {
            let key = format!("identity.unverified_days.{regime}");
            let before = super::write::setting_u32(tx, &key, default)?;
            tx.set_setting(&key, &days.to_string())?;
            let set = ev::UnverifiedDaysSet { regime: regime.clone(), before, after: days };
            self.append_setting_event(tx, &AuditEvent::UnverifiedDaysSet(set))
        })
    }

    /// Days after a request stops being open before its identity evidence is deleted (0–3650; 0 = at once).
    pub fn set_evidence_retention_days(&self, days: u32) -> Result<()> {
        if days > 3650 {
            return Err(Error::invalid("days", format!("{days} is more than ten years")));
        }
        let default = self.evidence_retention_days();
        self.store.write(|tx| {
            let before = super::write::setting_u32(tx, "evidence.retention_days", default)?;
            tx.set_setting("evidence.retention_days", &days.to_string())?;
            let set = ev::EvidenceRetentionDaysSet { before, after: days };
            self.append_setting_event(tx, &AuditEvent::EvidenceRetentionDaysSet(set))
        })
    }

    pub(super) fn identity_view(&self, r: &Request, checks: Vec<IdentityCheck>) -> IdentityView {
        let unverified_after_days = self.unverified_days(&r.regime);
        IdentityView {
            policy: crate::domain::verification_policy(&r.regime, r.kind),
            verified: crate::domain::verified_on(&checks, r.agent.is_some()).is_some(),
            unverified_since: unverified_since(r, unverified_after_days, self.today()),
            unverified_after_days,
            evidence_retention_days: self.evidence_retention_days(),
            checks,
        }
    }

    /// Record an identity check with the evidence seen. The identity counts as established (and starts the UK
    /// clock) once the data subject is verified and, where an agent acts, the agent's authority too; a request
    /// waiting for identity then moves on to "in progress". Evidence files are copied first and removed again if
    /// the record cannot be written.
    ///
    /// `from_attachments` names files already among the request's attachments (an ID document that came with the
    /// requester's reply) to be the check's evidence too: they are moved, not copied, so the evidence purge deletes
    /// them on schedule and no copy stays behind as an attachment.
    pub fn record_identity_check(
        &self,
        id_or_reference: &str,
        input: CheckInput,
        evidence: Vec<EvidenceFile>,
        from_attachments: &[String],
    ) -> Result<RequestDetail> {
        let party = match input.party.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => Party::Requester,
            Some(p) => parse("party", p, Party::parse, Party::ids())?,
        };
        let method = parse("method", &input.method, VerificationMethod::parse, VerificationMethod::ids())?;
        let outcome = parse("outcome", &input.outcome, CheckOutcome::parse, CheckOutcome::ids())?;
        let note = super::clean(input.note);
        if let Some(n) = &note {
            super::check_len("note", n, 5_000)?;
        }
        if evidence.len() + from_attachments.len() > 20 {
            return Err(Error::invalid("evidence", "at most 20 files per check"));
        }
        let request = self.store.read(|r| r.request(id_or_reference))?;
        if party == Party::Agent && request.agent.is_none() {
            return Err(Error::refused(format!("{} has no authorised agent on record", request.reference)));
        }
        let on = self.event_date(&request, "on", &input.on)?;
        let moved = self.attachments_as_evidence(&request, from_attachments)?;
        let root = self.evidence_dir();
        let mut stored: Vec<StoredFile> = moved.iter().map(|(_, f)| f.clone()).collect();
        for mut file in evidence {
            match self.store_file(&root, &request.id, &file.name, &mut file.content) {
                Ok(f) => stored.push(f),
                Err(e) => {
                    stored.iter().for_each(StoredFile::remove);
                    return Err(e);
                }
            }
        }
        let now = store::timestamp(self.now());
        let check = IdentityCheck {
            id: uuid::Uuid::now_v7().to_string(),
            party,
            method,
            outcome,
            checked_on: on,
            note,
            recorded_at: now.clone(),
            actor: self.actor.clone(),
            evidence: stored
                .iter()
                .map(|f| crate::domain::Evidence {
                    id: f.id.clone(),
                    check_id: String::new(),
                    file_name: f.file_name.clone(),
                    stored_name: f.stored_name.clone(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                    added_at: now.clone(),
                    purged_on: None,
                })
                .collect(),
        };
        let recorded = self.update(id_or_reference, |r, tx| {
            for (a, _) in &moved {
                tx.remove_attachment(&r.id, &a.id)?;
            }
            tx.insert_identity_check(&r.id, &check)?;
            let mut checks = tx.identity_checks(&r.id)?;
            checks.retain(|c| c.id != check.id);
            checks.push(check.clone());
            let before = r.facts.verified_on;
            r.facts.verified_on = crate::domain::verified_on(&checks, r.agent.is_some());
            let mut data = ev::IdentityChecked {
                party,
                method,
                outcome,
                on: dates::fmt(on),
                note: check.note.clone(),
                evidence: check
                    .evidence
                    .iter()
                    .map(|e| ev::FileRef { file_name: e.file_name.clone(), sha256: e.sha256.clone(), size: e.size })
                    .collect(),
                from_attachments: moved
                    .iter()
                    .map(|(a, _)| ev::FileRef {
                        file_name: a.file_name.clone(),
                        sha256: a.sha256.clone(),
                        size: a.size,
                    })
                    .collect(),
                identity_established_on: None,
                status: None,
                dates: None,
            };
            if r.facts.verified_on != before {
                data.identity_established_on = Some(r.facts.verified_on.map(dates::fmt));
            }
            if r.facts.verified_on.is_some() && r.status == Status::AwaitingIdentity {
                r.status = Status::InProgress;
                data.status = Some(ev::StatusMove { from: Status::AwaitingIdentity, to: Status::InProgress });
            }
            Ok(AuditEvent::IdentityChecked(data))
        });
        match &recorded {
            Err(_) => stored.iter().for_each(StoredFile::remove),
            // The evidence folder holds the file now; the attachment's name for it goes (a crash before this line
            // leaves a second name of the same file without a record, never a record without its file).
            Ok(_) => {
                for (a, _) in &moved {
                    let _ = self.remove_stored(&self.attachments_dir().join(&a.stored_name));
                }
            }
        }
        recorded
    }

    /// A second name for the attachment `a` under the evidence folder `root`, at the same relative path: its
    /// content (sealed or not) is unchanged, so its SHA-256 and size are the attachment's.
    fn link_into(&self, root: &Path, request_id: &uuid::Uuid, a: &Attachment) -> Result<StoredFile> {
        let from = self.attachments_dir().join(&a.stored_name);
        let to = root.join(&a.stored_name);
        if !self.files_on_server() {
            crate::safe_file::private_dir(root)?;
            crate::safe_file::private_dir(&root.join(request_id.to_string()))?;
        }
        self.link_stored(&from, &to).map_err(|e| match e {
            Error::NotFound { .. } => {
                Error::refused(format!("the file of attachment {} is missing from the register's folder", a.file_name))
            }
            other => other,
        })?;
        let server = self.server_files.clone();
        let name = match &server {
            Some(_) => super::files::server_name(self.files_dir(), &to)?,
            None => String::new(),
        };
        Ok(StoredFile {
            id: uuid::Uuid::now_v7().to_string(),
            file_name: a.file_name.clone(),
            stored_name: a.stored_name.clone(),
            sha256: a.sha256.clone(),
            size: a.size,
            path: to,
            server,
            name,
        })
    }

    /// The named attachments of `request`, each given a second name in the evidence folder (a hard link, or a copy
    /// where the file system has none): on their way to becoming evidence, not yet recorded as such.
    fn attachments_as_evidence(&self, request: &Request, ids: &[String]) -> Result<Vec<(Attachment, StoredFile)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let attachments = self.store.read(|r| r.attachments(&request.id))?;
        let root = self.evidence_dir();
        let mut moved: Vec<(Attachment, StoredFile)> = Vec::new();
        let undo = |moved: &[(Attachment, StoredFile)]| moved.iter().for_each(|(_, f)| f.remove());
        for (i, id) in ids.iter().enumerate() {
            let id = id.trim();
            if ids[..i].iter().any(|other| other.trim() == id) {
                undo(&moved);
                return Err(Error::invalid("from_attachment", format!("attachment {id} is named twice")));
            }
            let Some(a) = attachments.iter().find(|a| a.id == id) else {
                undo(&moved);
                return Err(Error::not_found("attachment", format!("{id} of {}", request.reference)));
            };
            match self.link_into(&root, &request.id, a) {
                Ok(f) => moved.push((a.clone(), f)),
                Err(e) => {
                    undo(&moved);
                    return Err(e);
                }
            }
        }
        Ok(moved)
    }

    /// Ask the requester to confirm their identity: the request waits for it from `on`, and the unverified flag
    /// counts from that day. With `send`, the identity-request email (saying what is asked: `note`) is queued too —
    /// checked before anything is written, so either both happen or neither.
    pub fn ask_identity(
        &self,
        id_or_reference: &str,
        on: &str,
        note: Option<&str>,
        send: bool,
    ) -> Result<RequestDetail> {
        let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        if send {
            self.check_sendable(id_or_reference, "identity-request", note.as_deref())?;
        }
        let detail = self.ask_identity_record(id_or_reference, on, note.clone())?;
        if send {
            self.queue_response(id_or_reference, "identity-request", None, note.as_deref())?;
            return self.request(id_or_reference);
        }
        Ok(detail)
    }

    fn ask_identity_record(&self, id_or_reference: &str, on: &str, note: Option<String>) -> Result<RequestDetail> {
        self.update(id_or_reference, |r, _| {
            Self::ensure_open(r)?;
            let on = self.event_date(r, "on", on)?;
            if r.facts.verified_on.is_some() {
                return Err(Error::refused(format!("{}'s identity is already established", r.reference)));
            }
            let from = r.status;
            if from != Status::AwaitingIdentity {
                if r.status.transition(Status::AwaitingIdentity).is_none() {
                    return Err(Error::refused(format!(
                        "a request that is {} cannot wait for identity",
                        from.label().to_lowercase()
                    )));
                }
                r.status = Status::AwaitingIdentity;
            }
            r.identity_requested_on = Some(on);
            Ok(AuditEvent::IdentityRequested(ev::IdentityRequested {
                on: dates::fmt(on),
                note: note.clone(),
                from,
                to: r.status,
                dates: None,
            }))
        })
    }

    /// Name (or replace, or with `None` remove) the person acting for the data subject. The identity is
    /// re-assessed: with an agent, their authority must be verified too.
    pub fn set_agent(
        &self,
        id_or_reference: &str,
        name: Option<String>,
        email: Option<String>,
        authority: Option<String>,
    ) -> Result<RequestDetail> {
        let agent = super::validate_agent(name, email, authority)?;
        self.update(id_or_reference, |r, tx| {
            Self::ensure_open(r)?;
            let before = std::mem::replace(&mut r.agent, agent.clone());
            if before == r.agent {
                return Err(Error::invalid("agent_name", "nothing to change"));
            }
            let checks = tx.identity_checks(&r.id)?;
            r.facts.verified_on = crate::domain::verified_on(&checks, r.agent.is_some());
            Ok(AuditEvent::AgentSet(ev::AgentSet { before, after: r.agent.clone(), dates: None }))
        })
    }

    /// Refuse a request whose identity was asked for and never established within the configured period; with
    /// `send`, the matching notice is queued to the requester.
    pub fn close_unverified(&self, id_or_reference: &str, send: bool) -> Result<RequestDetail> {
        if send {
            // The reasons are written by the closing itself; what else the notice needs is checked first.
            let r = self.store.read(|rd| rd.request(id_or_reference))?;
            if r.requester.email.is_none() {
                return Err(Error::refused(format!(
                    "{} has no email address: write to the requester by post",
                    r.reference
                )));
            }
            self.sender()?;
            if self.organisation()?.name.trim().is_empty() {
                return Err(Error::invalid("name", "the organisation's name is not set (Letters… → Organisation)"));
            }
        }
        let detail = self.close_unverified_record(id_or_reference)?;
        if send {
            self.queue_response(id_or_reference, "unverified", None, None)?;
            return self.request(id_or_reference);
        }
        Ok(detail)
    }

    fn close_unverified_record(&self, id_or_reference: &str) -> Result<RequestDetail> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let days = self.unverified_days(&r.regime);
        let asked = r.identity_requested_on.filter(|_| r.facts.verified_on.is_none());
        let Some(since) = unverified_since(&r, days, self.today()) else {
            let why = match asked {
                None => "its identity was not asked for, or is established".to_string(),
                Some(on) => format!("the {days} days after the identity request of {} have not passed", dates::fmt(on)),
            };
            return Err(Error::refused(format!("{} cannot be closed as unverified: {why}", r.reference)));
        };
        let asked = asked.map(dates::fmt).unwrap_or_default();
        self.change_status(
            id_or_reference,
            StatusChange {
                status: Status::Refused.id().into(),
                reason: Some(format!(
                    "Identity not confirmed: asked on {asked}, no sufficient answer within {days} days (by {})",
                    dates::fmt(since)
                )),
                category: Some(RefusalCategory::IdentityNotVerified.id().into()),
                ..StatusChange::default()
            },
        )
    }

    /// Where identity evidence is kept, in the register's folder (apart from attachments: it is purged).
    pub fn evidence_dir(&self) -> std::path::PathBuf {
        self.files_dir().join("evidence")
    }

    /// Delete the evidence of requests that stopped being open more than the retention period ago (or, with
    /// `request`, of that one closed request now). Each file's record keeps its name, size, SHA-256 and the purge
    /// date; each request gets an `evidence_purged` event. A file already missing is recorded as purged too.
    pub fn purge_evidence(&self, request: Option<&str>) -> Result<PurgeReport> {
        let today = self.today();
        let cutoff = today - Duration::days(i64::from(self.evidence_retention_days()));
        let only = request.map(|r| self.store.read(|rd| rd.request(r))).transpose()?;
        if let Some(r) = only.as_ref().filter(|r| r.status.is_open()) {
            return Err(Error::refused(format!("{} is still open: its evidence may be needed", r.reference)));
        }
        let due = self.store.read(|rd| rd.evidence_to_purge(cutoff, only.as_ref().map(|r| &r.id)))?;
        let mut report = PurgeReport::default();
        let root = self.evidence_dir();
        let mut i = 0;
        while i < due.len() {
            let request_id = due[i].0.clone();
            let files: Vec<&crate::domain::Evidence> =
                due[i..].iter().take_while(|(id, _)| *id == request_id).map(|(_, e)| e).collect();
            i += files.len();
            for e in &files {
                self.remove_stored(&root.join(&e.stored_name))?;
            }
            let listed: Vec<ev::FileRef> = files
                .iter()
                .map(|e| ev::FileRef { file_name: e.file_name.clone(), sha256: e.sha256.clone(), size: e.size })
                .collect();
            self.update(&request_id, |_, tx| {
                for e in &files {
                    tx.mark_evidence_purged(&e.id, today)?;
                }
                Ok(AuditEvent::EvidencePurged(ev::EvidencePurged { on: dates::fmt(today), files: listed, dates: None }))
            })?;
            report.requests += 1;
            report.files += u32::try_from(files.len()).unwrap_or(u32::MAX);
            report.bytes += files.iter().map(|e| e.size).sum::<i64>();
        }
        Ok(report)
    }
}

/// The day the unverified period passed, if it has and the identity is still not established on an open request.
pub fn unverified_since(r: &Request, days: u32, today: Date) -> Option<Date> {
    let asked = r.identity_requested_on.filter(|_| r.facts.verified_on.is_none() && r.status.is_open())?;
    let since = asked + Duration::days(i64::from(days));
    (since <= today).then_some(since)
}
