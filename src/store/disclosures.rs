//! What is gathered for an access or portability answer (see migrations/0008_disclosures.sql).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
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
        let rows = stmt.query_map([request_id], |r| {
            Ok(Disclosure {
                id: r.get(0)?,
                system_id: r.get(1)?,
                system_name: r.get(2)?,
                category: r.get(3)?,
                label: r.get(4)?,
                value: r.get(5)?,
                attachment_id: r.get(6)?,
                file_name: r.get(7)?,
                size: r.get(8)?,
                stored_name: r.get(9)?,
                sha256: r.get(10)?,
                provided: r.get(11)?,
                added_at: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
