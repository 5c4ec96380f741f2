//! The retention purge's SQL (see migrations/0009_retention.sql): which requests are due, and the purge of one
//! request in the caller's transaction.

use rusqlite::{OptionalExtension, params};

use super::sqlite::{Reader, Tx};
use crate::error::Result;

/// What a purge removed from one request, for its `purged` event.
#[derive(Debug, Clone, Default)]
pub struct Purged {
    pub events: u64,
    /// Files to delete once the transaction has committed (relative to the attachments / evidence folders).
    pub attachment_files: Vec<String>,
    pub evidence_files: Vec<String>,
    /// `[[seq, hash], …]` of every event removed: the `purged` event names them, so a gap without one is found.
    pub removed: serde_json::Value,
}

impl Reader<'_> {
    /// Up to `limit` closed requests closed before `cutoff` (an RFC 3339 timestamp) and not yet purged, oldest first.
    pub fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at < ?1
             ORDER BY closed_at LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![cutoff, limit], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at < ?1",
            [cutoff],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    pub fn count_purged(&self) -> Result<u64> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM requests WHERE purged_at IS NOT NULL", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

impl Tx<'_> {
    /// Remove a request's personal data and events (keeping each event's place and hash), keep its anonymous
    /// facts. The caller appends the `purged` event afterwards.
    pub fn purge_request(&self, id: &str, at: &str) -> Result<Purged> {
        self.catch_up_search()?;
        self.forget_bulk_lookups();
        let tx = &self.tx;
        // What the log and metrics read, as the row keeps it (store/audit.rs, `keep_log_facts`): the columns stay,
        // this copy is what registers before schema 11 read.
        let facts: Option<String> = tx
            .query_row(
                "SELECT json_object('acknowledged', acknowledged_on, 'closed_from', closed_from)
                   FROM requests WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let mut purged = Purged {
            attachment_files: strings(tx, "SELECT stored_name FROM attachments WHERE request_id = ?1", id)?,
            evidence_files: strings(
                tx,
                "SELECT stored_name FROM evidence WHERE request_id = ?1 AND purged_on IS NULL",
                id,
            )?,
            ..Purged::default()
        };
        (purged.events, purged.removed) = super::audit::purge_events(tx, id, at)?;
        for sql in [
            "DELETE FROM disclosures WHERE request_id = ?1",
            "DELETE FROM checklist_items WHERE request_id = ?1",
            "DELETE FROM outbox WHERE request_id = ?1",
            "DELETE FROM evidence WHERE request_id = ?1",
            "DELETE FROM identity_checks WHERE request_id = ?1",
            "DELETE FROM attachments WHERE request_id = ?1",
            "DELETE FROM request_links WHERE request_id = ?1 OR other_id = ?1",
        ] {
            tx.execute(sql, [id])?;
        }
        tx.execute(&format!("UPDATE mail_messages SET {FORGET_MAIL} WHERE request_id = ?1"), [id])?;
        let requester: Option<String> =
            tx.query_row("SELECT requester_id FROM requests WHERE id = ?1", [id], |r| r.get(0)).optional()?.flatten();
        tx.execute(
            "UPDATE requests SET requester_name = '', requester_email = NULL, requester_phone = NULL,
                    requester_address = NULL, requester_account = NULL, description = '', notes = '',
                    outcome_reason = NULL, refusal_basis = NULL, agent = NULL, external_id = NULL,
                    requester_id = NULL, purged_at = ?2, purged_facts = ?3, updated_at = ?2
              WHERE id = ?1",
            params![id, at, facts],
        )?;
        if let Some(requester) = requester {
            self.forget_requester_if_unused(&requester)?;
        }
        Ok(purged)
    }
}

/// What a message from the mailbox said about a person goes; its folder, UIDVALIDITY and UID stay, so that it is
/// never taken again, with its date.
pub(super) const FORGET_MAIL: &str = "message_id = NULL, in_reply_to = NULL, refs = '', sender = '', sender_name = '', \
    subject = '', sha256 = '', attachments = '[]', reason = NULL, problem = NULL, stored_name = ''";

impl Tx<'_> {
    /// Messages of the mailbox set aside (not a request, spam) before `cutoff`: what they said about a person goes.
    pub fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64> {
        let sql = format!(
            "UPDATE mail_messages SET {FORGET_MAIL} WHERE state IN ('dismissed', 'spam') AND decided_at < ?1 AND sender != ''"
        );
        Ok(self.tx.execute(&sql, [cutoff])? as u64)
    }
}

fn strings(tx: &rusqlite::Transaction, sql: &str, id: &str) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
