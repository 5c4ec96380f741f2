//! Correcting what was logged about a request: the requester's details, the language, the channel, the date of
//! receipt, the description and the notes. The values go through the same checks as a new request; one
//! `details_corrected` event names every changed field with its value before and after (the `created` event holds
//! the same details, and the retention purge removes both); a changed email, phone or account reference links the
//! request to the right requester record.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Desk, NewRequest, RequestDetail};
use crate::dates;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};

/// A correction. Each field left out stays as it is; an empty text clears an optional field (not the name or the
/// date of receipt, which every request has).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[derive(clap::Args)]
pub struct RequestEdit {
    /// The data subject's name.
    #[arg(long)]
    pub name: Option<String>,
    /// The requester's email address.
    #[arg(long)]
    pub email: Option<String>,
    /// The requester's phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// The requester's postal address.
    #[arg(long)]
    pub address: Option<String>,
    /// Customer or account reference.
    #[arg(long)]
    pub account: Option<String>,
    /// Two-letter language of the requester.
    #[arg(long)]
    pub language: Option<String>,
    /// How the request came: email, web-form, letter, phone, in-person.
    #[arg(long)]
    pub channel: Option<String>,
    /// YYYY-MM-DD. The dates are derived again (the change shows in the event).
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        help = "The day the request was received (YYYY-MM-DD); the deadlines are derived again"
    )]
    pub received: Option<String>,
    /// What the requester asks, in their words or in short.
    #[arg(long)]
    pub description: Option<String>,
    /// Internal notes about the request.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Desk {
    pub fn edit_request(&self, id_or_reference: &str, edit: RequestEdit) -> Result<RequestDetail> {
        let current = self.store.read(|rd| rd.request(id_or_reference))?;
        if current.requester.name.is_empty() {
            return Err(Error::refused(format!(
                "{}'s personal data was purged at the end of its retention period",
                current.reference
            )));
        }
        if edit.received.as_deref().is_some_and(|d| d.trim().is_empty()) {
            return Err(Error::invalid("received", "every request has a date of receipt"));
        }
        let pick = |new: Option<String>, old: Option<&str>| new.or_else(|| old.map(str::to_string));
        let r = &current;
        // The corrected request is checked as a new one would be; only the fields a correction may change are
        // taken from it.
        let checked = self.validate(NewRequest {
            kind: r.kind.id().into(),
            regime: r.regime.clone(),
            calendar: Some(r.calendar.clone()),
            received: edit.received.unwrap_or_else(|| dates::fmt(r.received)),
            channel: pick(edit.channel, Some(r.channel.id())),
            name: edit.name.unwrap_or_else(|| r.requester.name.clone()),
            email: pick(edit.email, r.requester.email.as_deref()),
            phone: pick(edit.phone, r.requester.phone.as_deref()),
            address: pick(edit.address, r.requester.address.as_deref()),
            account: pick(edit.account, r.requester.account.as_deref()),
            language: pick(edit.language, Some(&r.language)),
            description: pick(edit.description, Some(&r.description)),
            notes: pick(edit.notes, Some(&r.notes)),
            agent_name: None,
            agent_email: None,
            agent_authority: None,
        })?;

        let mut changed = std::collections::BTreeMap::new();
        let mut note = |field: &str, before: Value, after: Value| {
            if before != after {
                changed.insert(field.to_string(), ev::Change { before, after });
            }
        };
        let (old, new) = (&r.requester, &checked.requester);
        note("name", json!(old.name), json!(new.name));
        note("email", json!(old.email), json!(new.email));
        note("phone", json!(old.phone), json!(new.phone));
        note("address", json!(old.address), json!(new.address));
        note("account", json!(old.account), json!(new.account));
        note("language", json!(r.language), json!(checked.language));
        note("channel", json!(r.channel), json!(checked.channel));
        note("received", json!(dates::fmt(r.received)), json!(dates::fmt(checked.received)));
        note("description", json!(r.description), json!(checked.description));
        note("notes", json!(r.notes), json!(checked.notes));
        if changed.is_empty() {
            return Err(Error::refused(format!("nothing to correct: {} already says that", r.reference)));
        }
        let relink = ["email", "phone", "account"].iter().any(|f| changed.contains_key(*f));
        let at = crate::store::timestamp(self.now());
        // Deleting a record is safe whatever happened meanwhile: only one no request points to goes.
        let previous = if relink { r.requester_id.clone() } else { None };
        self.update_then(
            &r.reference,
            |req, tx| {
                req.requester = checked.requester.clone();
                req.language = checked.language.clone();
                req.channel = checked.channel;
                req.received = checked.received;
                req.description = checked.description.clone();
                req.notes = checked.notes.clone();
                if relink {
                    req.requester_id = Some(tx.resolve_requester(req, &at)?);
                }
                Ok(AuditEvent::DetailsCorrected(ev::DetailsCorrected { changed: changed.clone(), dates: None }))
            },
            // Once the row points at the right person, a record left with no request (the mistyped address) goes.
            |req, tx| match previous.as_deref() {
                Some(old) if req.requester_id.as_deref() != Some(old) => tx.forget_requester_if_unused(old),
                _ => Ok(()),
            },
        )
    }
}
