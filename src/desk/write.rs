//! The one write path of a request: load, change, re-derive its dates, write the row and its audit event together.

use serde_json::json;

use crate::domain::Request;
use crate::error::{Error, Result};
use crate::store;

use super::{Desk, RequestDetail};

impl Desk {
    /// Load a request, let `change` modify it (returning the event to record), re-derive its dates, and write the
    /// request and the event in one transaction.
    pub(super) fn update(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &dyn store::Write) -> Result<(&'static str, serde_json::Value)>,
    ) -> Result<RequestDetail> {
        self.update_then(id_or_reference, change, |_, _| Ok(()))
    }

    /// As `update`, with `after` run in the same transaction once the request row is written.
    pub(super) fn update_then(
        &self,
        id_or_reference: &str,
        change: impl FnOnce(&mut Request, &dyn store::Write) -> Result<(&'static str, serde_json::Value)>,
        after: impl FnOnce(&Request, &dyn store::Write) -> Result<()>,
    ) -> Result<RequestDetail> {
        let now = self.now();
        let reference = self.store.write(|tx| {
            let mut r = tx.request(id_or_reference)?;
            if r.purged_at.is_some() {
                // Its personal data is gone for good: a new file or fact would outlive the retention period.
                return Err(Error::refused(format!(
                    "{}'s personal data was purged at the end of its retention period: it takes no new files, \
                         facts or changes",
                    r.reference
                )));
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
}
