//! Import runs and the keys that make a re-import create nothing twice.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
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

pub(super) const IMPORT_COLUMNS: &str = "id, file_name, sha256, at, actor, rows, imported, duplicates, errors";

pub(super) fn to_import(r: &impl Cells) -> Result<ImportRecord> {
    Ok(ImportRecord {
        id: r.col(0)?,
        file_name: r.col(1)?,
        sha256: r.col(2)?,
        at: r.col(3)?,
        actor: r.col(4)?,
        rows: r.col(5)?,
        imported: r.col(6)?,
        duplicates: r.col(7)?,
        errors: r.col(8)?,
    })
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
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY at DESC, id DESC LIMIT ?1"))?;
        stmt.query_and_then([limit], |r| to_import(r))?.collect()
    }
}
