//! Response templates and the outbox.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::error::Result;

/// One shipped template (read from data/templates.toml by `respond`, seeded here): the stage, the request kind it is for (`*` = any), the language, subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultTemplate {
    pub stage: String,
    pub kind: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TemplateRow {
    pub stage: String,
    pub kind: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
    pub is_default: bool,
    pub updated_at: String,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutboxItem {
    pub id: String,
    pub request_id: String,
    pub reference: String,
    pub message_id: String,
    pub stage: String,
    pub lang: String,
    pub recipient: String,
    pub subject: String,
    /// `queued`, `sending`, `sent` or `failed` (given up: needs the officer).
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// The copy in the mailbox's Sent folder: none (no mailbox when it was sent), `pending` (tried again on the
    /// next flush) or `done`.
    pub sent_copy: Option<String>,
    /// Why the last attempt at the Sent copy failed.
    pub sent_copy_error: Option<String>,
}

pub(super) const TEMPLATE_COLUMNS: &str = "stage, kind, lang, subject, body, is_default, updated_at, actor";
pub(super) const OUTBOX_COLUMNS: &str = "o.id, o.request_id, r.reference, o.message_id, o.stage, o.lang, o.recipient, o.subject, \
    o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.sent_at, o.sent_copy, o.sent_copy_error";

pub(super) fn to_template(r: &impl Cells) -> Result<TemplateRow> {
    Ok(TemplateRow {
        stage: r.col(0)?,
        kind: r.col(1)?,
        lang: r.col(2)?,
        subject: r.col(3)?,
        body: r.col(4)?,
        is_default: r.col(5)?,
        updated_at: r.col(6)?,
        actor: r.col(7)?,
    })
}

pub(super) fn to_item(r: &impl Cells) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.col(0)?,
        request_id: r.col(1)?,
        reference: r.col(2)?,
        message_id: r.col(3)?,
        stage: r.col(4)?,
        lang: r.col(5)?,
        recipient: r.col(6)?,
        subject: r.col(7)?,
        state: r.col(8)?,
        attempts: r.col(9)?,
        next_attempt_at: r.col(10)?,
        last_error: r.col(11)?,
        created_at: r.col(12)?,
        sent_at: r.col(13)?,
        sent_copy: r.col(14)?,
        sent_copy_error: r.col(15)?,
    })
}

impl Tx<'_> {
    /// Add the shipped templates that are not in the database yet, and refresh defaults the officer never edited.
    pub fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "INSERT INTO templates ({TEMPLATE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, 'rightsdesk')
             ON CONFLICT (stage, kind, lang) DO UPDATE SET subject = ?4, body = ?5, updated_at = ?6
             WHERE is_default = 1 AND (subject <> ?4 OR body <> ?5)"
        ))?;
        for t in defaults {
            stmt.execute(params![t.stage, t.kind, t.lang, t.subject, t.body, at])?;
        }
        Ok(())
    }

    pub fn save_template(&self, t: &TemplateRow) -> Result<()> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO templates ({TEMPLATE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)
                 ON CONFLICT (stage, kind, lang) DO UPDATE SET subject = ?4, body = ?5, is_default = 0, updated_at = ?6, actor = ?7"
            ))?
            .execute(params![t.stage, t.kind, t.lang, t.subject, t.body, t.updated_at, t.actor])?;
        Ok(())
    }

    /// Store a message for delivery; `kept`: what to keep in its place once delivered (migration 0015), when the
    /// message carries what must not stay.
    pub fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (id, request_id, message_id, stage, lang, recipient, subject, eml, state, attempts,
                    next_attempt_at, last_error, created_at, sent_at, eml_kept)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', 0, ?9, NULL, ?10, NULL, ?11)",
            )?
            .execute(params![
                item.id,
                item.request_id,
                item.message_id,
                item.stage,
                item.lang,
                item.recipient,
                item.subject,
                eml,
                item.next_attempt_at,
                item.created_at,
                kept
            ])?;
        Ok(())
    }

    /// The message was delivered: put the copy to keep in its place, if it has one (true then). The old bytes
    /// are zeroed in the database file by `secure_delete`; the caller empties the write-ahead log.
    pub fn keep_delivered_copy(&self, id: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("UPDATE outbox SET eml = eml_kept, eml_kept = NULL WHERE id = ?1 AND eml_kept IS NOT NULL")?
            .execute([id])?
            == 1)
    }

    /// Claim a message for an attempt until `until` (see `store::Write::claim_message`); its next attempt is then
    /// due when the claim runs out, so a message whose sender stopped is tried again, and only then.
    pub fn claim_message(&self, id: &str, now: &str, until: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?3
                 WHERE id = ?1 AND (state = 'queued' OR (state = 'sending' AND next_attempt_at <= ?2))",
            )?
            .execute(params![id, now, until])?
            == 1)
    }

    /// Where the message's Sent copy stands: `pending` (with why the last try failed) or `done`.
    pub fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE outbox SET sent_copy = ?2, sent_copy_error = ?3 WHERE id = ?1")?
            .execute(params![id, state, error])?;
        Ok(())
    }

    pub fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, next_attempt_at = ?3, last_error = ?4, sent_at = coalesce(?5, sent_at) WHERE id = ?1",
            )?
            .execute(params![id, state, next_attempt_at, last_error, sent_at])?;
        Ok(())
    }
}

impl Reader<'_> {
    pub fn templates(&self) -> Result<Vec<TemplateRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {TEMPLATE_COLUMNS} FROM templates ORDER BY lang, stage, kind"))?;
        stmt.query_and_then([], |r| to_template(r))?.collect()
    }

    pub fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {TEMPLATE_COLUMNS} FROM templates WHERE stage = ?1 AND kind = ?2 AND lang = ?3"
            ))?
            .query_and_then(params![stage, kind, lang], |r| to_template(r))?
            .next()
            .transpose()
    }

    /// Messages whose next attempt is due (queued, or left `sending` by a run that stopped), oldest first.
    pub fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN requests r ON r.id = o.request_id
             WHERE (o.state IN ('queued', 'sending') AND o.next_attempt_at <= ?1) OR (?3 AND o.state = 'queued')
             ORDER BY o.created_at, o.id LIMIT ?2"
        ))?;
        stmt.query_and_then(params![now, limit, every_queued], |r| to_item(r))?.collect()
    }

    /// Sent messages whose copy the Sent folder has not taken yet, oldest first.
    pub fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN requests r ON r.id = o.request_id
             WHERE o.sent_copy = 'pending' ORDER BY o.created_at, o.id LIMIT ?1"
        ))?;
        stmt.query_and_then(params![limit], |r| to_item(r))?.collect()
    }

    pub fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN requests r ON r.id = o.request_id
             WHERE ?1 IS NULL OR o.request_id = ?1 ORDER BY o.created_at DESC, o.id DESC LIMIT ?2"
        ))?;
        stmt.query_and_then(params![request_id, limit], |r| to_item(r))?.collect()
    }

    pub fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN requests r ON r.id = o.request_id WHERE o.id = ?1"
            ))?
            .query_and_then([id], |r| to_item(r))?
            .next()
            .transpose()
    }

    pub fn message_eml(&self, id: &str) -> Result<Vec<u8>> {
        Ok(self.conn.prepare_cached("SELECT eml FROM outbox WHERE id = ?1")?.query_row([id], |r| r.get(0))?)
    }

    /// What is kept of the message once delivered, when that is not the message itself.
    pub fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.conn.prepare_cached("SELECT eml_kept FROM outbox WHERE id = ?1")?.query_row([id], |r| r.get(0))?)
    }

    /// Messages not yet delivered (queued, sending or failed).
    pub fn undelivered(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE state <> 'sent'")?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
