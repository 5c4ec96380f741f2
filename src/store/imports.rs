//! Import runs and the keys that make a re-import create nothing twice.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use crate::error::Result;

/// One import run, as the history in settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportRecord {
    pub id: String,
    pub file_name: String,
    pub sha256: String,
    pub at: String,
    pub actor: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub rows: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub imported: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub duplicates: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub errors: i64,
}

impl Tx<'_> {
    pub fn record_import(&self, r: &ImportRecord) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO imports (id, file_name, sha256, at, actor, rows, imported, duplicates, errors)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![r.id, r.file_name, r.sha256, r.at, r.actor, r.rows, r.imported, r.duplicates, r.errors])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The reference of the request imported with this key, if any.
    pub fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference FROM requests WHERE import_key = ?1")?
            .query_row([import_key], |r| r.get(0))
            .optional()?)
    }

    /// The latest import runs, newest first.
    pub fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, file_name, sha256, at, actor, rows, imported, duplicates, errors
             FROM imports ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                file_name: r.get(1)?,
                sha256: r.get(2)?,
                at: r.get(3)?,
                actor: r.get(4)?,
                rows: r.get(5)?,
                imported: r.get(6)?,
                duplicates: r.get(7)?,
                errors: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
