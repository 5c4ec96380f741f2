//! The data map (systems) and each request's checklist over it.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct System {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub holds: String,
    pub is_backup: bool,
    pub retired_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChecklistItem {
    pub id: String,
    pub system_id: String,
    pub system_name: String,
    pub is_backup: bool,
    pub action: String,
    /// `open`, `done`, `not-applicable` or `beyond-use`.
    pub state: String,
    pub note: Option<String>,
    /// The attachment kept as proof, if any.
    pub proof_id: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<String>,
}

const SYSTEM_COLUMNS: &str = "id, name, owner, holds, is_backup, retired_at";
const ITEM_COLUMNS: &str = "id, system_id, system_name, is_backup, action, state, note, proof_id, done_by, done_at";

fn to_system(r: &rusqlite::Row) -> rusqlite::Result<System> {
    Ok(System {
        id: r.get(0)?,
        name: r.get(1)?,
        owner: r.get(2)?,
        holds: r.get(3)?,
        is_backup: r.get(4)?,
        retired_at: r.get(5)?,
    })
}

fn to_item(r: &rusqlite::Row) -> rusqlite::Result<ChecklistItem> {
    Ok(ChecklistItem {
        id: r.get(0)?,
        system_id: r.get(1)?,
        system_name: r.get(2)?,
        is_backup: r.get(3)?,
        action: r.get(4)?,
        state: r.get(5)?,
        note: r.get(6)?,
        proof_id: r.get(7)?,
        done_by: r.get(8)?,
        done_at: r.get(9)?,
    })
}

impl Tx<'_> {
    pub fn insert_system(&self, s: &System, at: &str) -> Result<()> {
        let done = self
            .tx
            .prepare_cached(&format!(
                "INSERT INTO systems ({SYSTEM_COLUMNS}, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?6)"
            ))?
            .execute(params![s.id, s.name, s.owner, s.holds, s.is_backup, at]);
        match done {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(Error::invalid("name", format!("a system named '{}' is already on the data map", s.name)))
            }
            other => {
                other?;
                Ok(())
            }
        }
    }

    pub fn update_system(&self, s: &System, at: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE systems SET owner = ?2, holds = ?3, is_backup = ?4, retired_at = ?5, updated_at = ?6 WHERE id = ?1",
            )?
            .execute(params![s.id, s.owner, s.holds, s.is_backup, s.retired_at, at])?;
        Ok(())
    }

    /// Add an item per system not yet on the request's checklist; returns the names added.
    pub fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "INSERT INTO checklist_items (request_id, {ITEM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', NULL, NULL, NULL, NULL)
                 ON CONFLICT (request_id, system_id) DO NOTHING"
            )
        });
        let mut stmt = self.tx.prepare_cached(&SQL)?;
        for i in items {
            stmt.execute(params![request_id, i.id, i.system_id, i.system_name, i.is_backup, i.action])?;
        }
        Ok(())
    }

    pub fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE checklist_items SET state = ?2, note = ?3, proof_id = ?4, done_by = ?5, done_at = ?6 WHERE id = ?1",
            )?
            .execute(params![i.id, i.state, i.note, i.proof_id, i.done_by, i.done_at])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The data map: systems in use first, then retired ones, each by name.
    pub fn systems(&self) -> Result<Vec<System>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SYSTEM_COLUMNS} FROM systems ORDER BY retired_at IS NOT NULL, lower(name)"
        ))?;
        Ok(stmt.query_map([], to_system)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn system(&self, id_or_name: &str) -> Result<Option<System>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SYSTEM_COLUMNS} FROM systems WHERE id = ?1 OR lower(name) = lower(?1)
                 ORDER BY retired_at IS NOT NULL LIMIT 1"
            ))?
            .query_row([id_or_name.trim()], to_system)
            .optional()?)
    }

    pub fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE request_id = ?1 ORDER BY is_backup, lower(system_name)"
        ))?;
        Ok(stmt.query_map([request_id], to_item)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
