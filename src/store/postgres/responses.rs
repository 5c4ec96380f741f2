//! Response templates, the outbox and the messages taken from the mailbox (SQLite: `store/responses.rs`,
//! `store/mailbox.rs`, whose row constructors these share).

use super::{Pg, count};
use crate::error::Result;
use crate::store::mailbox::{COLUMNS as MAIL_COLUMNS, bare, to_message};
use crate::store::responses::{OUTBOX_COLUMNS, TEMPLATE_COLUMNS, to_item, to_template};
use crate::store::retention::FORGET_MAIL;
use crate::store::{DefaultTemplate, MailMessage, OutboxItem, TemplateRow};

/// A `u32` (UIDs, limits) as the bigint columns hold it.
fn big(n: u32) -> i64 {
    i64::from(n)
}

impl Pg<'_> {
    pub(super) fn templates(&self) -> Result<Vec<TemplateRow>> {
        let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM templates ORDER BY lang, stage, kind");
        self.rows(&sql, &[])?.iter().map(to_template).collect()
    }

    pub(super) fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>> {
        let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM templates WHERE stage = $1 AND kind = $2 AND lang = $3");
        self.optional(&sql, &[&stage, &kind, &lang])?.map(|r| to_template(&r)).transpose()
    }

    pub(super) fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()> {
        let sql = format!(
            "INSERT INTO templates ({TEMPLATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 1, $6, 'rightsdesk')
             ON CONFLICT (stage, kind, lang) DO UPDATE SET subject = $4, body = $5, updated_at = $6
             WHERE templates.is_default = 1 AND (templates.subject <> $4 OR templates.body <> $5)"
        );
        let rows: Vec<Vec<&(dyn postgres::types::ToSql + Sync)>> = defaults
            .iter()
            .map(|t| vec![&t.stage as _, &t.kind as _, &t.lang as _, &t.subject as _, &t.body as _, &at as _])
            .collect();
        self.execute_each(&sql, &rows)?;
        Ok(())
    }

    pub(super) fn save_template(&self, t: &TemplateRow) -> Result<()> {
        let sql = format!(
            "INSERT INTO templates ({TEMPLATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)
             ON CONFLICT (stage, kind, lang) DO UPDATE SET subject = $4, body = $5, is_default = 0, updated_at = $6,
                 actor = $7"
        );
        self.execute(&sql, &[&t.stage, &t.kind, &t.lang, &t.subject, &t.body, &t.updated_at, &t.actor])?;
        Ok(())
    }

    fn outbox_items(
        &self,
        filter_and_order: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<OutboxItem>> {
        let sql =
            format!("SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN requests r ON r.id = o.request_id {filter_and_order}");
        self.rows(&sql, params)?.iter().map(to_item).collect()
    }

    pub(super) fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>> {
        self.outbox_items(
            "WHERE (o.state IN ('queued', 'sending') AND o.next_attempt_at <= $1) OR ($3 AND o.state = 'queued')
             ORDER BY o.created_at, o.id LIMIT $2",
            &[&now, &big(limit), &every_queued],
        )
    }

    pub(super) fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        self.outbox_items("WHERE o.sent_copy = 'pending' ORDER BY o.created_at, o.id LIMIT $1", &[&big(limit)])
    }

    pub(super) fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        self.outbox_items(
            "WHERE $1::text IS NULL OR o.request_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT $2",
            &[&request_id, &big(limit)],
        )
    }

    pub(super) fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        Ok(self.outbox_items("WHERE o.id = $1", &[&id])?.into_iter().next())
    }

    pub(super) fn message_eml(&self, id: &str) -> Result<Vec<u8>> {
        Ok(self.one("SELECT eml FROM outbox WHERE id = $1", &[&id])?.try_get(0)?)
    }

    pub(super) fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.one("SELECT eml_kept FROM outbox WHERE id = $1", &[&id])?.try_get(0)?)
    }

    pub(super) fn undelivered(&self) -> Result<u64> {
        count(&self.one("SELECT count(*) FROM outbox WHERE state <> 'sent'", &[])?, 0)
    }

    pub(super) fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()> {
        self.execute(
            "INSERT INTO outbox (id, request_id, message_id, stage, lang, recipient, subject, eml, state, attempts,
                next_attempt_at, last_error, created_at, sent_at, eml_kept)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, NULL, $10, NULL, $11)",
            &[
                &item.id,
                &item.request_id,
                &item.message_id,
                &item.stage,
                &item.lang,
                &item.recipient,
                &item.subject,
                &eml,
                &item.next_attempt_at,
                &item.created_at,
                &kept,
            ],
        )?;
        Ok(())
    }

    pub(super) fn keep_delivered_copy(&self, id: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET eml = eml_kept, eml_kept = NULL WHERE id = $1 AND eml_kept IS NOT NULL",
            &[&id],
        )? == 1)
    }

    /// Claim a message for an attempt until `until` (see `store::Write::claim_message`). Writers hold the register's
    /// write lock, so of two apps flushing at once the second finds the claim made.
    pub(super) fn claim_message(&self, id: &str, now: &str, until: &str) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = $3
             WHERE id = $1 AND (state = 'queued' OR (state = 'sending' AND next_attempt_at <= $2))",
            &[&id, &now, &until],
        )? == 1)
    }

    pub(super) fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()> {
        self.execute("UPDATE outbox SET sent_copy = $2, sent_copy_error = $3 WHERE id = $1", &[&id, &state, &error])?;
        Ok(())
    }

    pub(super) fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "UPDATE outbox SET state = $2, next_attempt_at = $3, last_error = $4, sent_at = coalesce($5, sent_at)
             WHERE id = $1",
            &[&id, &state, &next_attempt_at, &last_error, &sent_at],
        )?;
        Ok(())
    }

    // --- the mailbox

    pub(super) fn mail_message(&self, id: &str) -> Result<Option<MailMessage>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_messages m LEFT JOIN requests r ON r.id = m.request_id WHERE m.id = $1"
        );
        self.optional(&sql, &[&id])?.map(|r| to_message(&r)).transpose()
    }

    pub(super) fn mail_messages(
        &self,
        state: Option<&str>,
        request_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<MailMessage>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_messages m LEFT JOIN requests r ON r.id = m.request_id
             WHERE ($1::text IS NULL OR m.state = $1) AND ($2::text IS NULL OR m.request_id = $2)
             ORDER BY m.received_at DESC, m.id LIMIT $3"
        );
        self.rows(&sql, &[&state, &request_id, &big(limit)])?.iter().map(to_message).collect()
    }

    pub(super) fn mail_count(&self, state: &str) -> Result<u64> {
        count(&self.one("SELECT count(*) FROM mail_messages WHERE state = $1", &[&state])?, 0)
    }

    pub(super) fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32> {
        let row = self.one(
            "SELECT coalesce(max(uid), 0) FROM mail_messages WHERE folder = $1 AND uidvalidity = $2",
            &[&folder, &big(uidvalidity)],
        )?;
        crate::store::value::Cells::col(&row, 0)
    }

    pub(super) fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool> {
        Ok(self
            .optional(
                "SELECT 1 FROM mail_messages WHERE folder = $1 AND uidvalidity = $2 AND uid = $3",
                &[&folder, &big(uidvalidity), &big(uid)],
            )?
            .is_some())
    }

    pub(super) fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>> {
        use crate::store::value::Cells;
        self.rows(
            "SELECT id, uid FROM mail_messages WHERE folder = $1 AND uidvalidity = $2 AND done_on_server = 0 ORDER BY uid",
            &[&folder, &big(uidvalidity)],
        )?
        .iter()
        .map(|r| Ok((r.col(0)?, r.col(1)?)))
        .collect()
    }

    pub(super) fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>> {
        // The nearest first: In-Reply-To, then References from the newest back.
        for id in ids {
            let id = bare(id);
            if id.is_empty() {
                continue;
            }
            let found = self.optional(
                "SELECT request_id FROM outbox WHERE message_id = $1 OR message_id = '<' || $1 || '>' LIMIT 1",
                &[&id],
            )?;
            let found = match found {
                Some(row) => Some(row),
                None => self.optional(
                    "SELECT request_id FROM mail_messages WHERE message_id = $1 AND request_id IS NOT NULL LIMIT 1",
                    &[&id],
                )?,
            };
            if let Some(row) = found {
                return Ok(Some(row.try_get(0)?));
            }
        }
        Ok(None)
    }

    pub(super) fn insert_mail_message(&self, m: &MailMessage) -> Result<()> {
        let attachments = serde_json::to_string(&m.attachments).unwrap_or_else(|_| "[]".into());
        self.execute(
            "INSERT INTO mail_messages (id, folder, uidvalidity, uid, message_id, in_reply_to, refs, sender,
                 sender_name, subject, received_at, size, sha256, stored_name, kind_guess, lang_guess, attachments,
                 problem, state, request_id, reason, taken_at, decided_at, decided_by, done_on_server)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                 $22, $23, $24, $25)",
            &[
                &m.id,
                &m.folder,
                &big(m.uidvalidity),
                &big(m.uid),
                &m.message_id,
                &m.in_reply_to,
                &m.references.join(" "),
                &m.sender,
                &m.sender_name,
                &m.subject,
                &m.received_at,
                &i64::try_from(m.size).unwrap_or(i64::MAX),
                &m.sha256,
                &m.stored_name,
                &m.kind_guess,
                &m.lang_guess,
                &attachments,
                &m.problem,
                &m.state,
                &m.request_id,
                &m.reason,
                &m.taken_at,
                &m.decided_at,
                &m.decided_by,
                &i64::from(m.done_on_server),
            ],
        )?;
        Ok(())
    }

    pub(super) fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.execute(
            "UPDATE mail_messages SET state = $2, request_id = $3, reason = $4, decided_at = $5, decided_by = $6,
                 stored_name = '' WHERE id = $1",
            &[&id, &state, &request_id, &reason, &at, &actor],
        )?;
        Ok(())
    }

    pub(super) fn mark_mail_done(&self, id: &str) -> Result<()> {
        self.execute("UPDATE mail_messages SET done_on_server = 1 WHERE id = $1", &[&id])?;
        Ok(())
    }

    pub(super) fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64> {
        let sql = format!(
            "UPDATE mail_messages SET {FORGET_MAIL} WHERE state IN ('dismissed', 'spam') AND decided_at < $1 AND sender != ''"
        );
        self.execute(&sql, &[&cutoff])
    }
}
