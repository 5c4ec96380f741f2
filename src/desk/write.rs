//! The one write path of a request: load, change, re-derive its dates, write the row and its audit event together.

use serde_json::json;

use crate::domain::Request;
use crate::domain::event::AuditEvent;
use crate::error::{Error, Result};
use crate::store;

use super::{Desk, RequestDetail};

/// The version of a request a change was asked on (the page the officer saw, or `--if-version`): a change to a
/// request that has moved on since is refused (`Error::Stale`) rather than made over what another officer did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Seen {
    /// The request seen (reference or id); None: the one the change is made to.
    #[serde(default)]
    pub reference: Option<String>,
    /// Its `version` as seen (`RequestDetail.version`: the sequence number of its newest event).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
}

thread_local! {
    /// What the operation running on this thread was asked on (`Desk::as_seen`).
    static SEEN: std::cell::RefCell<Option<Seen>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` (one operation) as asked on `seen`: every request it changes that `seen` names must still be at that
/// version. Operations are synchronous, one per thread at a time: the expectation lives on the thread for the call
/// and goes with it, so nothing else carries it.
pub fn as_seen<T>(seen: Option<Seen>, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<Seen>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            SEEN.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _reset = Reset(SEEN.with(|s| std::mem::replace(&mut *s.borrow_mut(), seen)));
    f()
}

impl Desk {
    /// Refuse the change to `r` if it was asked on an older version of it.
    fn check_seen(r: &Request, tx: &dyn store::Write) -> Result<()> {
        let Some(seen) = SEEN.with(|s| s.borrow().clone()) else {
            return Ok(());
        };
        let named = seen.reference.as_deref().map(str::trim);
        if named.is_some_and(|n| n != r.reference && n != r.id.to_string()) {
            return Ok(());
        }
        match tx.events(&r.id)?.into_iter().last() {
            Some(newest) if newest.seq != seen.version => Err(Error::Stale {
                reference: r.reference.clone(),
                by: newest.actor,
                at: newest.at,
                what: newest.kind.replace('_', " "),
            }),
            _ => Ok(()),
        }
    }

    /// Load a request, let `change` modify it (returning the event to record), re-derive its dates, and write the
    /// request and the event in one transaction.
    pub(super) fn update(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &dyn store::Write) -> Result<AuditEvent>,
    ) -> Result<RequestDetail> {
        self.update_then(id_or_reference, change, |_, _| Ok(()))
    }

    /// As `update`, with `after` run in the same transaction once the request row is written.
    pub(super) fn update_then(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &dyn store::Write) -> Result<AuditEvent>,
        after: impl FnOnce(&Request, &dyn store::Write) -> Result<()>,
    ) -> Result<RequestDetail> {
        let now = self.now();
        let reference = self.store.write(|tx| {
            let mut r = tx.request(id_or_reference)?;
            not_purged(&r)?;
            Self::check_seen(&r, tx)?;
            let before = r.dates.clone();
            let event = change(&mut r, tx)?;
            let (kind, mut data) = parts(&event)?;
            (r.dates, _) = self.derive(&r)?;
            r.updated_at = now;
            if r.dates != before {
                data["dates"] = json!({"before": before, "after": r.dates});
            }
            tx.update_request(&r)?;
            after(&r, tx)?;
            tx.append_event(&r.id, &store::timestamp(now), &self.actor, &kind, &data)?;
            Ok(r.reference)
        })?;
        self.request(&reference)
    }
}

/// An event as the store takes it: its kind and data.
pub(super) fn parts(event: &AuditEvent) -> Result<(String, serde_json::Value)> {
    event.to_parts().map_err(|e| Error::Corrupt(format!("the {} event cannot be written: {e}", event.kind())))
}

impl Desk {
    /// Append a request's event in `tx` (outside `update`: several requests at once, or a request just made).
    pub(super) fn append(
        &self,
        tx: &dyn store::Write,
        request_id: &uuid::Uuid,
        at: &str,
        event: &AuditEvent,
    ) -> Result<()> {
        let (kind, data) = parts(event)?;
        tx.append_event(request_id, at, &self.actor, &kind, &data)?;
        Ok(())
    }
}

/// Append an event of the register itself (no request) in `tx`.
pub(super) fn append_register(tx: &dyn store::Write, at: &str, actor: &str, event: &AuditEvent) -> Result<()> {
    let (kind, data) = parts(event)?;
    tx.append_register_event(at, actor, &kind, &data)?;
    Ok(())
}

impl Desk {
    /// Append an event of the register (a settings change) in `tx`, at now, by the desk's actor.
    pub(super) fn append_setting_event(&self, tx: &dyn store::Write, event: &AuditEvent) -> Result<()> {
        append_register(tx, &store::timestamp(self.now()), &self.actor, event)
    }
}

/// Write `values` (key, new text) as settings in `tx`; what changed, by the part of the key after `prefix`,
/// before (an unset setting reads as "") and after.
pub(super) fn set_settings(
    tx: &dyn store::Write,
    prefix: &str,
    values: &[(&str, &str)],
) -> Result<std::collections::BTreeMap<String, crate::domain::event::Change<String>>> {
    let mut changed = std::collections::BTreeMap::new();
    for (field, value) in values {
        let key = format!("{prefix}{field}");
        let before = tx.setting(&key)?.unwrap_or_default();
        tx.set_setting(&key, value)?;
        if before != *value {
            changed.insert(field.to_string(), crate::domain::event::Change { before, after: value.to_string() });
        }
    }
    Ok(changed)
}

/// A number setting as `tx` holds it, else `default`.
pub(super) fn setting_u32(tx: &dyn store::Write, key: &str, default: u32) -> Result<u32> {
    Ok(tx.setting(key)?.and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// A purged request refuses every change: its personal data is gone for good, and a new file or fact would outlive
/// the retention period. (Also checked before a change that prepares anything outside the transaction.)
pub(super) fn not_purged(r: &Request) -> Result<()> {
    if r.purged_at.is_some() {
        return Err(Error::refused(format!(
            "{}'s personal data was purged at the end of its retention period: it takes no new files, facts or \
             changes",
            r.reference
        )));
    }
    Ok(())
}
