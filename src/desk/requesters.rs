//! The person behind a request: their record and history, requests that look like duplicates or repeats, the
//! officer's decision about them (merge, link, keep separate), and spam senders. Detection only ever flags: it is
//! the officer who decides, and a request merged as a duplicate can still be verified and taken back, so a
//! look-alike can never stop a genuine requester (the flaw once found in a well-known tool).

use serde::{Deserialize, Serialize};
use time::Duration;

use super::{Desk, QueueRow, RequestDetail};
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{Request, Status};
use crate::error::{Error, Result};
use crate::store::{self, BlockedSender, RequestLink, RequestRow, RequesterRecord};

/// Other requests from the same person within a year that raise the "manifestly unfounded or excessive" question.
pub const REPEAT_THRESHOLD: usize = 3;

/// What the request page shows about the requester's other requests.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Related {
    /// Open requests of the same person and kind, not yet decided about: likely duplicates.
    pub similar: Vec<RequestRow>,
    /// The person's other requests of the twelve months up to this one.
    pub recent: Vec<RequestRow>,
    pub links: Vec<RequestLink>,
    pub blocked: Option<BlockedSender>,
}

/// A requester with the history of their requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequesterView {
    #[serde(flatten)]
    pub record: RequesterRecord,
    pub requests: Vec<QueueRow>,
    pub blocked: Option<BlockedSender>,
}

fn note_text(note: Option<&str>) -> Result<Option<String>> {
    let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if let Some(n) = &note {
        super::check_len("note", n, 2_000)?;
    }
    Ok(note)
}

impl Desk {
    pub(super) fn related(&self, r: &Request) -> Result<Related> {
        let Some(person) = r.requester_id.as_deref() else { return Ok(Related::default()) };
        let id = r.id.to_string();
        self.store.read(|rd| {
            let links = rd.links(&id)?;
            let decided = |row: &RequestRow| links.iter().any(|l| l.reference == row.reference);
            let similar = if r.status.is_open() {
                rd.open_of_kind(person, r.kind, &id)?.into_iter().filter(|row| !decided(row)).collect()
            } else {
                Vec::new()
            };
            let recent = rd.requests_of_between(person, r.received - Duration::days(365), r.received, &id)?;
            let blocked = r.requester.email.as_deref().map(|e| rd.blocked_sender(e)).transpose()?.flatten();
            Ok(Related { similar, recent, links, blocked })
        })
    }

    /// Lines for the request's flags.
    pub(super) fn related_flags(&self, r: &Request, related: &Related) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if let Some(b) = &related.blocked {
            out.push(format!(
                "Sent from {}, blocked as spam on {} ({}): it is logged all the same — decide before setting it aside",
                b.email,
                day_of(&b.blocked_at),
                b.reason
            ));
        }
        if !related.similar.is_empty() {
            let refs: Vec<&str> = related.similar.iter().map(|s| s.reference.as_str()).collect();
            out.push(format!(
                "Possibly a duplicate: the same person has an open {} request ({}). Merge, link or keep separate",
                r.kind.label().to_lowercase(),
                refs.join(", ")
            ));
        }
        let in_year = related.recent.iter().filter(|row| !row.status.is_set_aside()).count();
        if in_year >= REPEAT_THRESHOLD {
            out.push(format!(
                "{in_year} other requests from this person in the twelve months before this one: consider whether it \
                 is manifestly unfounded or excessive (GDPR Art 12(5)) — the burden of showing it is yours"
            ));
        }
        if r.status == Status::Duplicate && r.facts.verified_on.is_some() {
            for l in related.links.iter().filter(|l| l.relation == "duplicate" && l.from_here) {
                let original = self.store.read(|rd| rd.request(&l.reference))?;
                if original.facts.verified_on.is_none() && original.status.is_open() {
                    out.push(format!(
                        "This request's identity is verified but {} (which it was merged into) is not: if that one \
                         did not come from the same person, take this one back (move it to Received)",
                        original.reference
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Set a request aside as a duplicate of another: it leaves the queue and the metrics, the other carries the
    /// work. Both timelines record it. It can still be verified, and taken back by moving it to Received.
    pub fn merge_duplicate(&self, id_or_reference: &str, into: &str, note: Option<&str>) -> Result<RequestDetail> {
        let note = note_text(note)?;
        let now = self.now();
        let at = store::timestamp(now);
        let reference = self.store.write(|tx| {
            let mut r = tx.request(id_or_reference)?;
            let other = tx.request(into).map_err(|_| Error::invalid("into", format!("no request {into}")))?;
            if other.id == r.id {
                return Err(Error::invalid("into", "a request cannot be a duplicate of itself"));
            }
            if !r.status.is_open() {
                return Err(Error::invalid(
                    "status",
                    format!(
                        "{} is {}: only an open request can be merged",
                        r.reference,
                        r.status.label().to_lowercase()
                    ),
                ));
            }
            if other.status == Status::Duplicate {
                return Err(Error::invalid(
                    "into",
                    format!("{} is itself a duplicate: merge into the request it was merged into", other.reference),
                ));
            }
            let from = r.status;
            r.status = Status::Duplicate;
            r.outcome_reason = Some(format!("Duplicate of {}", other.reference));
            r.closed_at.get_or_insert(now);
            r.updated_at = now;
            tx.update_request(&r)?;
            tx.set_link(&r.id.to_string(), &other.id.to_string(), "duplicate", note.as_deref(), &at, &self.actor)?;
            let merged = ev::MergedAsDuplicate { into: other.reference.clone(), from, note: note.clone() };
            self.append(tx, &r.id, &at, &AuditEvent::MergedAsDuplicate(merged))?;
            let duplicate = ev::DuplicateMerged { duplicate: r.reference.clone(), note: note.clone() };
            self.append(tx, &other.id, &at, &AuditEvent::DuplicateMerged(duplicate))?;
            Ok(r.reference)
        })?;
        self.request(&reference)
    }

    /// Record that two requests belong together (a repeat, a follow-up) or that they are not the same after all.
    pub fn relate(
        &self,
        id_or_reference: &str,
        other: &str,
        relation: &str,
        note: Option<&str>,
    ) -> Result<RequestDetail> {
        if !["linked", "separate"].contains(&relation) {
            return Err(Error::invalid("relation", format!("unknown relation '{relation}' (linked, separate)")));
        }
        let note = note_text(note)?;
        let at = store::timestamp(self.now());
        let reference = self.store.write(|tx| {
            let r = tx.request(id_or_reference)?;
            let o = tx.request(other).map_err(|_| Error::invalid("other", format!("no request {other}")))?;
            if o.id == r.id {
                return Err(Error::invalid("other", "choose another request"));
            }
            tx.set_link(&r.id.to_string(), &o.id.to_string(), relation, note.as_deref(), &at, &self.actor)?;
            let event = |other: &str| {
                let related = ev::RequestRelation { other: other.to_string(), note: note.clone() };
                if relation == "linked" {
                    AuditEvent::RequestLinked(related)
                } else {
                    AuditEvent::KeptSeparate(related)
                }
            };
            self.append(tx, &r.id, &at, &event(&o.reference))?;
            self.append(tx, &o.id, &at, &event(&r.reference))?;
            Ok(r.reference)
        })?;
        self.request(&reference)
    }

    pub fn requester(&self, id: &str) -> Result<RequesterView> {
        let today = self.today();
        self.store.read(|rd| {
            let record = rd.requester(id)?.ok_or_else(|| Error::not_found("requester", id))?;
            let requests = rd.requester_history(id, 500)?.into_iter().map(|row| QueueRow::new(row, today)).collect();
            let blocked = record.email.as_deref().map(|e| rd.blocked_sender(e)).transpose()?.flatten();
            Ok(RequesterView { record, requests, blocked })
        })
    }

    pub fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
        self.store.read(|r| r.blocked_senders())
    }

    /// Take an address off the spam list (its past requests keep their status).
    pub fn unblock_sender(&self, email: &str) -> Result<()> {
        let email = email.trim().to_lowercase();
        let unblocked = self.store.write(|tx| {
            if !tx.unblock_sender(&email)? {
                return Ok(false);
            }
            let event = AuditEvent::SenderUnblocked(ev::SenderUnblocked { email: email.clone() });
            self.append_setting_event(tx, &event)?;
            Ok(true)
        })?;
        if !unblocked {
            return Err(Error::refused(format!("{email} is not blocked")));
        }
        Ok(())
    }
}

/// The day part of an RFC 3339 timestamp, for messages.
fn day_of(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}
