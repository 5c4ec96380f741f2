//! Attachment records (the files themselves live in the managed folder; see `desk::attachments`).

use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    /// Path relative to the managed attachments folder.
    pub stored_name: String,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: i64,
    pub added_at: String,
}

/// Columns: id, file_name, stored_name, sha256, size, added_at.
pub(super) fn to_attachment(r: &impl Cells) -> Result<Attachment> {
    Ok(Attachment {
        id: r.col(0)?,
        file_name: r.col(1)?,
        stored_name: r.col(2)?,
        sha256: r.col(3)?,
        size: r.col(4)?,
        added_at: r.col(5)?,
    })
}

/// Why a file cannot be taken off its request: what holds it (`used`, from the query).
pub(super) fn attachment_in_use(used: &str) -> Error {
    Error::refused(format!("the file is {used}: take it off there first"))
}

impl Tx<'_> {
    pub fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO attachments (id, request_id, file_name, stored_name, sha256, size, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![a.id, request_id.to_string(), a.file_name, a.stored_name, a.sha256, a.size, a.added_at])?;
        Ok(())
    }
}

impl Tx<'_> {
    /// Take a file off the request's attachments (its record only: the caller moves or deletes the file). Refused
    /// while the answer or the checklist names it, since they would lose what they point to.
    pub fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()> {
        let used: Option<String> = self
            .tx
            .prepare_cached(
                "SELECT 'an item of the answer to the requester (' || category || ')' FROM disclosures
                 WHERE attachment_id = ?1
                 UNION ALL SELECT 'the proof of the checklist''s step for ' || system_name FROM checklist_items
                 WHERE proof_id = ?1
                 LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        if let Some(used) = used {
            return Err(attachment_in_use(&used));
        }
        let removed = self
            .tx
            .prepare_cached("DELETE FROM attachments WHERE id = ?1 AND request_id = ?2")?
            .execute(params![id, request_id.to_string()])?;
        if removed == 0 {
            return Err(Error::not_found("attachment", id));
        }
        Ok(())
    }
}

/// `<request id>/<file id>`: two UUIDs and the slash.
pub(super) const BARE_PATH: i64 = 36 + 1 + 36;

impl Tx<'_> {
    pub fn strip_stored_names(&self) -> Result<u64> {
        let mut changed = 0;
        for table in ["attachments", "evidence"] {
            changed += self.tx.execute(
                &format!("UPDATE {table} SET stored_name = substr(stored_name, 1, ?1) WHERE length(stored_name) > ?1"),
                [BARE_PATH],
            )? as u64;
        }
        Ok(changed)
    }
}

impl Reader<'_> {
    pub fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, file_name, stored_name, sha256, size, added_at FROM attachments WHERE request_id = ?1 ORDER BY added_at, id",
        )?;
        stmt.query_and_then([request_id.to_string()], |r| to_attachment(r))?.collect()
    }
}
