//! The request operations: log a request (with or without its document), read one, list the queue, move it
//! along its lifecycle, attach files.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::dates;
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{CheckOutcome, RefusalCategory, Request, Status, Transition};
use crate::error::{Error, Result};
use crate::store::{self, Attachment, Event, Page, Query, QueueView, RequestRow};

use super::{Desk, Explanation, IdentityView, Related, check_len, checklist, clean};

/// Days ahead that count as "due soon" in the queue and the dashboard.
pub const DUE_SOON_DAYS: i64 = 7;

/// Days a stopped clock may stand before the request is flagged for review.
pub const LONG_PAUSE_DAYS: i64 = 90;

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
    #[arg(
        help = "The new status: received, awaiting-identity, in-progress, on-hold, fulfilled, partially-fulfilled, \
                  refused, withdrawn, spam, closed (an illegal move is refused with the allowed ones)"
    )]
    pub status: String,
    /// Why (needed for on-hold, refused, partially-fulfilled and spam, and to take a request set aside back).
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
    /// What to do next, which the page leads with.
    pub next_step: super::next_step::NextStep,
    pub attachments: Vec<Attachment>,
    /// The audit trail, as stored (for TypeScript, each event's kind and data are the typed union).
    #[cfg_attr(feature = "specta", specta(type = Vec<TimelineEvent>))]
    pub events: Vec<Event>,
    /// The request's version: the sequence number of its newest event. A change asked on this version
    /// (`Seen`, `--if-version`) is refused once another change came first.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
}

/// A request's event as the window reads it: `store::Event` with its `kind` and `data` typed as
/// [`AuditEvent`] (serialised the same: the JSON of `request show` is unchanged). An event of a kind the
/// window does not know has `kind: string` and `data: unknown`.
#[cfg(feature = "specta")]
#[derive(Serialize, specta::Type)]
pub struct TimelineEvent {
    #[specta(type = specta_typescript::Number)]
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub hash: String,
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

/// Where an open request stands with the acknowledgement its regime requires (CCPA: 10 business days), the
/// queue's second clock beside the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum AckState {
    /// None required, already sent, or the request is closed.
    None,
    /// Owed, not due within the week.
    Owed,
    /// Owed within the week (today included).
    DueSoon,
    /// Owed and past its day.
    Late,
}

/// One row of the queue with its due state and acknowledgement clock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueRow {
    #[serde(flatten)]
    pub row: RequestRow,
    pub due_state: DueState,
    pub acknowledgement: AckState,
}

impl QueueRow {
    pub fn new(row: RequestRow, today: Date) -> QueueRow {
        let acknowledgement = ack_state(row.is_open, row.acknowledge_by, row.acknowledged_on, today);
        QueueRow { due_state: due_state(row.is_open, row.effective_due, today), acknowledgement, row }
    }
}

impl Desk {
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
        let mut files = vec![self.store_file(&self.attachments_dir(), &r.id, file_name, content)?];
        // An email's own attachments (the ID document, the signed form) become files of the request too.
        if let Err(e) = self.extract_email_files(&r.id, &mut files) {
            files.iter().for_each(super::files::StoredFile::remove);
            return Err(e);
        }
        let at = store::timestamp(r.created_at);
        let written = self.store.write(|tx| {
            self.insert_new(tx, &mut r, &at)?;
            for file in &files {
                let attachment = file.attachment(&at);
                tx.insert_attachment(&r.id, &attachment)?;
                self.append(tx, &r.id, &at, &attachment_added(&attachment))?;
            }
            Ok(())
        });
        if let Err(e) = written {
            files.iter().for_each(super::files::StoredFile::remove);
            return Err(e);
        }
        self.request(&r.reference)
    }

    /// When the first of `files` is an email (.eml), store each file it carries beside it; a message that cannot
    /// be read is kept whole only.
    fn extract_email_files(&self, request_id: &uuid::Uuid, files: &mut Vec<super::files::StoredFile>) -> Result<()> {
        let Some(first) = files.first() else { return Ok(()) };
        if !first.file_name.to_ascii_lowercase().ends_with(".eml") {
            return Ok(());
        }
        let bytes = self.read_stored(&first.path, crate::intake::eml::MAX_EML_BYTES)?;
        let Ok(parts) = crate::intake::eml::read_parts(&bytes) else { return Ok(()) };
        for (name, content) in parts.attachments {
            files.push(self.store_file(&self.attachments_dir(), request_id, &name, &mut &content[..])?);
        }
        Ok(())
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
        let next_step =
            super::next_step::next_step(&request, &events, &checklist, identity.unverified_since, self.today());
        Ok(RequestDetail {
            next_step,
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
            version: events.last().map_or(0, |e| e.seq),
            events,
            request,
        })
    }

    /// A page of the queue; a dashboard view (`query.view`) sets its own filters for today.
    pub fn list(&self, query: &Query) -> Result<Page<QueueRow>> {
        let today = self.today();
        let mut query = match query.view {
            Some(view) => view.narrow(query, today, today + Duration::days(DUE_SOON_DAYS)),
            None => query.clone(),
        };
        if query.owner == Some(store::OwnerFilter::Mine) {
            query.owner = Some(store::OwnerFilter::Login(self.actor.clone()));
        }
        let page = self.store.read(|r| r.list(&query))?;
        Ok(page.map(|row| QueueRow::new(row, today)))
    }

    /// The dashboard: how many requests each view lists today.
    pub fn dashboard(&self) -> Result<store::Dashboard> {
        self.dashboard_within(DUE_SOON_DAYS)
    }

    /// The dashboard with "soon" meaning within `days` (the reminder's: today or tomorrow).
    pub(super) fn dashboard_within(&self, days: i64) -> Result<store::Dashboard> {
        let today = self.today();
        let soon = today + Duration::days(days);
        self.store.read(|r| {
            let count = |view: QueueView| r.count(&view.narrow(&Query::default(), today, soon));
            Ok(store::Dashboard {
                open: count(QueueView::Open)?,
                overdue: count(QueueView::Overdue)?,
                due_soon: count(QueueView::DueSoon)?,
                acknowledgement_due: count(QueueView::ToAcknowledge)?,
                on_hold: count(QueueView::OnHold)?,
            })
        })
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
                && let Some(why) = checklist::unfinished(&tx.checklist(&r.id.to_string())?)
            {
                return Err(Error::refused(format!("{} cannot be answered yet: {why}", r.reference)));
            }
            let from = r.status;
            r.status = to;
            let mut blocked = None;
            if block {
                let email = r
                    .requester
                    .email
                    .clone()
                    .ok_or_else(|| Error::refused("the request has no email address to block"))?;
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
            Ok(AuditEvent::StatusChanged(ev::StatusChanged {
                from,
                to,
                reason: reason.clone(),
                category: Some(category),
                basis: Some(basis.clone()),
                blocked_sender: Some(blocked),
                dates: None,
            }))
        })
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
        let file = self.store_file(&self.attachments_dir(), &request.id, file_name, content)?;
        let attachment = file.attachment(&store::timestamp(self.now()));
        let recorded = self.update(id_or_reference, |r, tx| {
            tx.insert_attachment(&r.id, &attachment)?;
            Ok(attachment_added(&attachment))
        });
        if recorded.is_err() {
            file.remove();
        }
        recorded
    }

    /// Reserve the next reference of the request's year, store it, and open its audit trail.
    pub(super) fn insert_new(&self, tx: &dyn store::Write, r: &mut Request, at: &str) -> Result<()> {
        self.insert_imported(tx, &checklist::systems_in_use(tx)?, r, at, None)
    }

    /// Start writing many new requests in `tx` (an import, a seed): the store defers its per-row upkeep to the end
    /// of the transaction, and the data map is read once. Rows then go through `insert_imported`.
    pub(crate) fn begin_batch(&self, tx: &dyn store::Write) -> Result<Batch> {
        tx.begin_bulk()?;
        Ok(Batch { systems: checklist::systems_in_use(tx)? })
    }

    /// As `insert_new`, with the systems in use (read once for a batch), for a row of an import: `source` (file,
    /// row, key) goes into the `created` event.
    pub(crate) fn insert_imported(
        &self,
        tx: &dyn store::Write,
        systems: &[store::System],
        r: &mut Request,
        at: &str,
        source: Option<(&str, serde_json::Value)>,
    ) -> Result<()> {
        let (seq, reference) = tx.next_reference(r.received.year())?;
        r.reference = reference;
        r.requester_id = Some(tx.resolve_requester(r, at)?);
        tx.insert_request(r, seq, source.as_ref().map(|(key, _)| *key))?;
        let mut created = snapshot(r);
        created.imported_from = source.map(|(_, from)| from);
        self.append(tx, &r.id, at, &AuditEvent::Created(created))?;
        self.create_checklist(tx, r, at, systems)
    }

    /// Insert many requests in one transaction, each with its later events (used by `demo seed` and benchmarks).
    pub fn insert_batch(&self, requests: Vec<(Request, Vec<AuditEvent>)>) -> Result<()> {
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            let batch = self.begin_batch(tx)?;
            for (mut r, events) in requests {
                self.insert_imported(tx, &batch.systems, &mut r, &at, None)?;
                for event in &events {
                    self.append(tx, &r.id, &at, event)?;
                }
            }
            tx.end_bulk()
        })
    }
}

/// A transaction writing many new requests (`Desk::begin_batch`): what it read once.
pub(crate) struct Batch {
    /// The data map's systems in use, for each new request's checklist.
    pub systems: Vec<store::System>,
}

pub(super) fn allowed_text(status: Status) -> String {
    let next: Vec<&str> = status.next().iter().map(|t| t.to.id()).collect();
    if next.is_empty() { "nothing (it is final)".into() } else { next.join(", ") }
}

pub(super) fn snapshot(r: &Request) -> ev::Created {
    ev::Created {
        reference: r.reference.clone(),
        kind: r.kind,
        regime: r.regime.clone(),
        calendar: r.calendar.clone(),
        channel: r.channel,
        received: dates::fmt(r.received),
        status: r.status,
        requester: r.requester.clone(),
        language: r.language.clone(),
        description: r.description.clone(),
        notes: r.notes.clone(),
        dates: r.dates.clone(),
        imported_from: None,
    }
}

fn attachment_added(a: &Attachment) -> AuditEvent {
    AuditEvent::AttachmentAdded(ev::AttachmentAdded {
        file_name: a.file_name.clone(),
        sha256: a.sha256.clone(),
        size: a.size,
        dates: None,
    })
}

pub(super) fn flags(r: &Request, identity: &IdentityView, today: Date) -> Vec<String> {
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

/// The same "within the week" as the due date's and the dashboard's "to acknowledge" (`QueueView::ToAcknowledge`).
pub fn ack_state(open: bool, by: Option<Date>, sent: Option<Date>, today: Date) -> AckState {
    match (open, by, sent) {
        (true, Some(by), None) if by < today => AckState::Late,
        (true, Some(by), None) if by <= today + Duration::days(DUE_SOON_DAYS) => AckState::DueSoon,
        (true, Some(_), None) => AckState::Owed,
        _ => AckState::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::test_support::{desk_on, form};

    #[test]
    fn the_acknowledgement_clock_runs_while_one_is_owed() {
        let today = dates::parse("2026-11-20").unwrap();
        let d = |s: &str| Some(dates::parse(s).unwrap());
        assert_eq!(ack_state(true, d("2026-11-19"), None, today), AckState::Late);
        assert_eq!(ack_state(true, d("2026-11-20"), None, today), AckState::DueSoon);
        assert_eq!(ack_state(true, d("2026-11-27"), None, today), AckState::DueSoon);
        assert_eq!(ack_state(true, d("2026-11-28"), None, today), AckState::Owed);
        assert_eq!(ack_state(true, d("2026-11-19"), d("2026-11-18"), today), AckState::None, "sent");
        assert_eq!(ack_state(false, d("2026-11-19"), None, today), AckState::None, "closed");
        assert_eq!(ack_state(true, None, None, today), AckState::None, "none required");
    }

    fn change(status: &str, reason: Option<&str>, category: Option<&str>, basis: Option<&str>) -> StatusChange {
        StatusChange {
            status: status.into(),
            reason: reason.map(str::to_string),
            category: category.map(str::to_string),
            basis: basis.map(str::to_string),
            block_sender: false,
        }
    }

    #[test]
    fn a_legal_move_is_written_with_its_event_and_an_illegal_one_lists_the_allowed() {
        let (_dir, desk) = desk_on("2026-03-10");
        let r = desk.add_request(form("access", "eu-gdpr", "2026-03-02")).unwrap();
        let reference = r.request.reference.clone();
        let e = desk.change_status(&reference, StatusChange::to("fulfilled")).unwrap_err();
        assert_eq!(e.code(), "illegal_transition");
        assert!(e.to_string().contains("allowed from received: awaiting-identity, in-progress"), "{e}");
        let e = desk.change_status(&reference, StatusChange::to("lost")).unwrap_err();
        assert_eq!(e.field(), Some("status"));
        let e = desk.change_status(&reference, StatusChange::to("on-hold")).unwrap_err();
        assert_eq!(e.field(), Some("reason"), "on hold needs a reason");

        let done = desk.change_status(&reference, StatusChange::to("in-progress")).unwrap();
        assert_eq!(done.request.status, Status::InProgress);
        assert!(done.is_open && done.request.closed_at.is_none());
        let last = done.events.last().unwrap();
        assert_eq!(last.kind, "status_changed");
        assert_eq!(last.data["from"], "received");
        assert_eq!(last.data["to"], "in-progress");

        let answered = desk.change_status(&reference, StatusChange::to("fulfilled")).unwrap();
        assert!(!answered.is_open);
        assert!(answered.request.closed_at.is_some(), "the answer's day is recorded");
        assert_eq!(answered.due_state, DueState::Closed);
        assert_eq!(answered.allowed.iter().map(|t| t.to).collect::<Vec<_>>(), vec![Status::Closed]);
    }

    #[test]
    fn a_refusal_needs_its_category_reason_and_for_an_exemption_its_basis() {
        let (_dir, desk) = desk_on("2026-03-10");
        let reference = desk.add_request(form("access", "eu-gdpr", "2026-03-02")).unwrap().request.reference;
        let e = desk.change_status(&reference, change("refused", Some("too many"), None, None)).unwrap_err();
        assert_eq!(e.field(), Some("category"));
        let e = desk.change_status(&reference, change("refused", Some("x"), Some("nonsense"), None)).unwrap_err();
        assert_eq!(e.field(), Some("category"));
        let e = desk.change_status(&reference, change("in-progress", None, Some("excessive"), None)).unwrap_err();
        assert_eq!(e.field(), Some("category"), "only a refusal takes a category");
        let e = desk.change_status(&reference, change("refused", Some("x"), Some("exemption"), None)).unwrap_err();
        assert_eq!(e.field(), Some("basis"));
        let e = desk.change_status(&reference, change("refused", None, Some("excessive"), None)).unwrap_err();
        assert_eq!(e.field(), Some("reason"));
        let refused = desk
            .change_status(&reference, change("refused", Some("legal privilege"), Some("exemption"), Some("Art 23")))
            .unwrap();
        assert_eq!(refused.request.refusal_category, Some(RefusalCategory::Exemption));
        assert_eq!(refused.request.refusal_basis.as_deref(), Some("Art 23"));
        assert_eq!(refused.request.outcome_reason.as_deref(), Some("legal privilege"));
    }

    #[test]
    fn spam_taken_back_reopens_the_request() {
        let (_dir, desk) = desk_on("2026-03-10");
        let reference = desk.add_request(form("access", "eu-gdpr", "2026-03-02")).unwrap().request.reference;
        let spam = desk.change_status(&reference, change("spam", Some("advert"), None, None)).unwrap();
        assert!(!spam.is_open && spam.request.closed_at.is_some());
        let back = desk.change_status(&reference, change("received", Some("it was real"), None, None)).unwrap();
        assert!(back.is_open && back.request.closed_at.is_none());
        let e = desk.change_status("RD-2026-9999", StatusChange::to("in-progress")).unwrap_err();
        assert_eq!(e.code(), "not_found");
    }
}
