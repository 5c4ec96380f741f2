//! What is gathered for an access or portability answer (see migrations/0008_disclosures.sql).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::error::Result;

/// One item gathered for the requester: a field (label and value) or a file (an attachment of the request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Disclosure {
    pub id: String,
    pub system_id: String,
    pub system_name: String,
    pub category: String,
    pub label: Option<String>,
    pub value: Option<String>,
    pub attachment_id: Option<String>,
    /// The attachment's name, size and managed path, for a file.
    pub file_name: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub size: Option<i64>,
    #[serde(skip)]
    pub stored_name: Option<String>,
    #[serde(skip)]
    pub sha256: Option<String>,
    /// Provided by the person (what a portability export holds).
    pub provided: bool,
    pub added_at: String,
}

/// Columns: as `Reader::disclosures` selects them (the item, then its file's name, size, stored name and hash).
pub(super) fn to_disclosure(r: &impl Cells) -> Result<Disclosure> {
    Ok(Disclosure {
        id: r.col(0)?,
        system_id: r.col(1)?,
        system_name: r.col(2)?,
        category: r.col(3)?,
        label: r.col(4)?,
        value: r.col(5)?,
        attachment_id: r.col(6)?,
        file_name: r.col(7)?,
        size: r.col(8)?,
        stored_name: r.col(9)?,
        sha256: r.col(10)?,
        provided: r.col(11)?,
        added_at: r.col(12)?,
    })
}

impl Tx<'_> {
    pub fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO disclosures (id, request_id, system_id, system_name, category, label, value, attachment_id,
                                          provided, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                d.id,
                request_id,
                d.system_id,
                d.system_name,
                d.category,
                d.label,
                d.value,
                d.attachment_id,
                d.provided,
                d.added_at
            ])?;
        Ok(())
    }

    /// Remove one item; false if the request has no such item.
    pub fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool> {
        let n = self
            .tx
            .prepare_cached("DELETE FROM disclosures WHERE request_id = ?1 AND id = ?2")?
            .execute(params![request_id, id])?;
        Ok(n == 1)
    }
}

impl Reader<'_> {
    /// A request's items, by system, category and the order they were gathered in.
    pub fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.system_id, d.system_name, d.category, d.label, d.value, d.attachment_id, a.file_name,
                    a.size, a.stored_name, a.sha256, d.provided, d.added_at
             FROM disclosures d LEFT JOIN attachments a ON a.id = d.attachment_id
             WHERE d.request_id = ?1
             ORDER BY lower(d.system_name), lower(d.category), d.added_at, d.id",
        )?;
        stmt.query_and_then([request_id], |r| to_disclosure(r))?.collect()
    }
}
