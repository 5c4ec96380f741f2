//! Requester records, the decisions between requests that look alike, and blocked senders (SQLite:
//! `store/requesters.rs`, whose row constructors these share).

use super::Pg;
use crate::domain::Request;
use crate::error::{Error, Result};
use crate::store::requesters::{REQUESTER_COLUMNS, normalise_phone, to_blocked, to_link, to_requester};
use crate::store::{BlockedSender, RequestLink, RequesterRecord};

impl Pg<'_> {
    pub(super) fn requester(&self, id: &str) -> Result<Option<RequesterRecord>> {
        self.requester_by("id", id)
    }

    /// The oldest record holding `value` in `column` (one of the keys a person is matched by).
    fn requester_by(&self, column: &str, value: &str) -> Result<Option<RequesterRecord>> {
        if !matches!(column, "id" | "email" | "phone" | "account") {
            return Err(Error::Database(format!("requesters have no key '{column}'")));
        }
        let sql = format!("SELECT {REQUESTER_COLUMNS} FROM requesters WHERE {column} = $1 ORDER BY created_at LIMIT 1");
        self.optional(&sql, &[&value])?.map(|r| to_requester(&r)).transpose()
    }

    pub(super) fn resolve_requester(&self, r: &Request, now: &str) -> Result<String> {
        let who = &r.requester;
        let phone = who.phone.as_deref().and_then(normalise_phone);
        let keys = [("email", who.email.clone()), ("phone", phone.clone()), ("account", who.account.clone())];
        for (column, value) in &keys {
            let Some(value) = value else { continue };
            if let Some(found) = self.requester_by(column, value)? {
                self.execute(
                    "UPDATE requesters SET email = coalesce(email, $2), phone = coalesce(phone, $3),
                        address = coalesce($4, address), account = coalesce(account, $5), updated_at = $6
                     WHERE id = $1",
                    &[&found.id, &who.email, &phone, &who.address, &who.account, &now],
                )?;
                return Ok(found.id);
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        self.execute(
            "INSERT INTO requesters (id, name, email, phone, address, account, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            &[&id, &who.name, &who.email, &phone, &who.address, &who.account, &now],
        )?;
        Ok(id)
    }

    pub(super) fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()> {
        self.execute(
            "DELETE FROM requesters WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM requests WHERE requester_id = $1)",
            &[&requester_id],
        )?;
        Ok(())
    }

    pub(super) fn links(&self, request_id: &str) -> Result<Vec<RequestLink>> {
        self.rows(
            "SELECT r.reference, l.relation, l.request_id = $1, l.note, l.at, l.actor
             FROM request_links l
             JOIN requests r ON r.id = CASE WHEN l.request_id = $1 THEN l.other_id ELSE l.request_id END
             WHERE l.request_id = $1 OR l.other_id = $1 ORDER BY l.at",
            &[&request_id],
        )?
        .iter()
        .map(to_link)
        .collect()
    }

    pub(super) fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO request_links (request_id, other_id, relation, note, at, actor) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (request_id, other_id) DO UPDATE SET relation = $3, note = $4, at = $5, actor = $6",
            &[&request_id, &other_id, &relation, &note, &at, &actor],
        )?;
        Ok(())
    }

    pub(super) fn remove_link(&self, a: &str, b: &str) -> Result<()> {
        self.execute(
            "DELETE FROM request_links WHERE (request_id = $1 AND other_id = $2) OR (request_id = $2 AND other_id = $1)",
            &[&a, &b],
        )?;
        Ok(())
    }

    pub(super) fn remove_duplicate_links(&self, request_id: &str) -> Result<()> {
        self.execute("DELETE FROM request_links WHERE request_id = $1 AND relation = 'duplicate'", &[&request_id])?;
        Ok(())
    }

    pub(super) fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>> {
        self.optional("SELECT email, reason, blocked_at, actor FROM blocked_senders WHERE email = $1", &[&email])?
            .map(|r| to_blocked(&r))
            .transpose()
    }

    pub(super) fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
        self.rows("SELECT email, reason, blocked_at, actor FROM blocked_senders ORDER BY email", &[])?
            .iter()
            .map(to_blocked)
            .collect()
    }

    pub(super) fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()> {
        self.execute(
            "INSERT INTO blocked_senders (email, reason, blocked_at, actor) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO UPDATE SET reason = $2, blocked_at = $3, actor = $4",
            &[&email, &reason, &at, &actor],
        )?;
        Ok(())
    }

    pub(super) fn unblock_sender(&self, email: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM blocked_senders WHERE email = $1", &[&email])? > 0)
    }
}
