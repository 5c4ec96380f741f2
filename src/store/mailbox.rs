//! The messages taken from the privacy mailbox (migration 0013): the record that makes each one taken once, the
//! intake tray, and what threads a reply to its request.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::error::Result;

/// A message taken from the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailMessage {
    pub id: String,
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub sender: String,
    pub sender_name: String,
    pub subject: String,
    /// When the server received it (RFC 3339): the date of receipt.
    pub received_at: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: u64,
    pub sha256: String,
    /// The message's file in the register's folder while it waits in the tray (empty once it has a request).
    pub stored_name: String,
    pub kind_guess: Option<String>,
    pub lang_guess: Option<String>,
    /// The names of the files it carries.
    pub attachments: Vec<String>,
    /// Why it could not be taken whole (left on the server).
    pub problem: Option<String>,
    /// `tray`, `reply` (threaded to its request on arrival), `accepted` (made a request), `linked` (to a request by
    /// the officer), `dismissed` (not a request) or `spam`.
    pub state: String,
    pub request_id: Option<String>,
    /// The request's reference, when it has one.
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub taken_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub done_on_server: bool,
}

pub(super) const COLUMNS: &str = "m.id, m.folder, m.uidvalidity, m.uid, m.message_id, m.in_reply_to, m.refs, m.sender, \
    m.sender_name, m.subject, m.received_at, m.size, m.sha256, m.stored_name, m.kind_guess, m.lang_guess, \
    m.attachments, m.problem, m.state, m.request_id, r.reference, m.reason, m.taken_at, m.decided_at, m.decided_by, \
    m.done_on_server";

pub(super) fn to_message(r: &impl Cells) -> Result<MailMessage> {
    let refs: String = r.col(6)?;
    let attachments: String = r.col(16)?;
    Ok(MailMessage {
        id: r.col(0)?,
        folder: r.col(1)?,
        uidvalidity: r.col(2)?,
        uid: r.col(3)?,
        message_id: r.col(4)?,
        in_reply_to: r.col(5)?,
        references: refs.split_whitespace().map(str::to_string).collect(),
        sender: r.col(7)?,
        sender_name: r.col(8)?,
        subject: r.col(9)?,
        received_at: r.col(10)?,
        size: r.col::<i64>(11)?.max(0) as u64,
        sha256: r.col(12)?,
        stored_name: r.col(13)?,
        kind_guess: r.col(14)?,
        lang_guess: r.col(15)?,
        attachments: serde_json::from_str(&attachments).unwrap_or_default(),
        problem: r.col(17)?,
        state: r.col(18)?,
        request_id: r.col(19)?,
        reference: r.col(20)?,
        reason: r.col(21)?,
        taken_at: r.col(22)?,
        decided_at: r.col(23)?,
        decided_by: r.col(24)?,
        done_on_server: r.col(25)?,
    })
}

pub(super) fn bare(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

impl Reader<'_> {
    pub fn mail_message(&self, id: &str) -> Result<Option<MailMessage>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_messages m LEFT JOIN requests r ON r.id = m.request_id WHERE m.id = ?1"
        );
        self.conn.prepare_cached(&sql)?.query_and_then([id], |r| to_message(r))?.next().transpose()
    }

    pub fn mail_messages(&self, state: Option<&str>, request_id: Option<&str>, limit: u32) -> Result<Vec<MailMessage>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_messages m LEFT JOIN requests r ON r.id = m.request_id
             WHERE (?1 IS NULL OR m.state = ?1) AND (?2 IS NULL OR m.request_id = ?2)
             ORDER BY m.received_at DESC, m.id LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        stmt.query_and_then(params![state, request_id, limit], |r| to_message(r))?.collect()
    }

    pub fn mail_count(&self, state: &str) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM mail_messages WHERE state = ?1")?
            .query_row([state], |r| r.get::<_, i64>(0))?
            .max(0) as u64)
    }

    pub fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT coalesce(max(uid), 0) FROM mail_messages WHERE folder = ?1 AND uidvalidity = ?2")?
            .query_row(params![folder, uidvalidity], |r| r.get(0))?)
    }

    pub fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM mail_messages WHERE folder = ?1 AND uidvalidity = ?2 AND uid = ?3")?
            .query_row(params![folder, uidvalidity, uid], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, uid FROM mail_messages WHERE folder = ?1 AND uidvalidity = ?2 AND done_on_server = 0 ORDER BY uid",
        )?;
        let rows = stmt.query_map(params![folder, uidvalidity], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>> {
        let mut outbox = self.conn.prepare_cached(
            "SELECT request_id FROM outbox WHERE message_id = ?1 OR message_id = '<' || ?1 || '>' LIMIT 1",
        )?;
        let mut taken = self.conn.prepare_cached(
            "SELECT request_id FROM mail_messages WHERE message_id = ?1 AND request_id IS NOT NULL LIMIT 1",
        )?;
        // The nearest first: In-Reply-To, then References from the newest back.
        for id in ids {
            let id = bare(id);
            if id.is_empty() {
                continue;
            }
            if let Some(found) = outbox.query_row([id], |r| r.get(0)).optional()? {
                return Ok(Some(found));
            }
            if let Some(found) = taken.query_row([id], |r| r.get(0)).optional()? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

impl Tx<'_> {
    pub fn insert_mail_message(&self, m: &MailMessage) -> Result<()> {
        let attachments = serde_json::to_string(&m.attachments).unwrap_or_else(|_| "[]".into());
        self.tx
            .prepare_cached(
                "INSERT INTO mail_messages (id, folder, uidvalidity, uid, message_id, in_reply_to, refs, sender,
                     sender_name, subject, received_at, size, sha256, stored_name, kind_guess, lang_guess, attachments,
                     problem, state, request_id, reason, taken_at, decided_at, decided_by, done_on_server)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                     ?22, ?23, ?24, ?25)",
            )?
            .execute(params![
                m.id,
                m.folder,
                m.uidvalidity,
                m.uid,
                m.message_id,
                m.in_reply_to,
                m.references.join(" "),
                m.sender,
                m.sender_name,
                m.subject,
                m.received_at,
                i64::try_from(m.size).unwrap_or(i64::MAX),
                m.sha256,
                m.stored_name,
                m.kind_guess,
                m.lang_guess,
                attachments,
                m.problem,
                m.state,
                m.request_id,
                m.reason,
                m.taken_at,
                m.decided_at,
                m.decided_by,
                m.done_on_server,
            ])?;
        Ok(())
    }

    /// The officer's decision about a message of the tray (its file goes with it: `stored_name` emptied).
    pub fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE mail_messages SET state = ?2, request_id = ?3, reason = ?4, decided_at = ?5, decided_by = ?6,
                     stored_name = '' WHERE id = ?1",
            )?
            .execute(params![id, state, request_id, reason, at, actor])?;
        Ok(())
    }

    pub fn mark_mail_done(&self, id: &str) -> Result<()> {
        self.tx.prepare_cached("UPDATE mail_messages SET done_on_server = 1 WHERE id = ?1")?.execute([id])?;
        Ok(())
    }
}
