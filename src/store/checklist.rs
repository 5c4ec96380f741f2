//! The data map (systems) and each request's checklist over it.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
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
    /// The colleague asked to do this line (a login of the team register), if any.
    pub assignee: Option<String>,
}

pub(super) const SYSTEM_COLUMNS: &str = "id, name, owner, holds, is_backup, retired_at";
pub(super) const ITEM_COLUMNS: &str =
    "id, system_id, system_name, is_backup, action, state, note, proof_id, done_by, done_at, assignee";

pub(super) fn to_system(r: &impl Cells) -> Result<System> {
    Ok(System {
        id: r.col(0)?,
        name: r.col(1)?,
        owner: r.col(2)?,
        holds: r.col(3)?,
        is_backup: r.col(4)?,
        retired_at: r.col(5)?,
    })
}

pub(super) fn to_item(r: &impl Cells) -> Result<ChecklistItem> {
    Ok(ChecklistItem {
        id: r.col(0)?,
        system_id: r.col(1)?,
        system_name: r.col(2)?,
        is_backup: r.col(3)?,
        action: r.col(4)?,
        state: r.col(5)?,
        note: r.col(6)?,
        proof_id: r.col(7)?,
        done_by: r.col(8)?,
        done_at: r.col(9)?,
        assignee: r.col(10)?,
    })
}

/// The message for a second system of the same name on the data map.
pub(super) fn name_taken(name: &str) -> Error {
    Error::invalid("name", format!("a system named '{name}' is already on the data map"))
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
                Err(name_taken(&s.name))
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
                "INSERT INTO checklist_items (request_id, {ITEM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', NULL, NULL, NULL, NULL, NULL)
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
                "UPDATE checklist_items SET state = ?2, note = ?3, proof_id = ?4, done_by = ?5, done_at = ?6, assignee = ?7
                 WHERE id = ?1",
            )?
            .execute(params![i.id, i.state, i.note, i.proof_id, i.done_by, i.done_at, i.assignee])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The data map: systems in use first, then retired ones, each by name.
    pub fn systems(&self) -> Result<Vec<System>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SYSTEM_COLUMNS} FROM systems ORDER BY retired_at IS NOT NULL, lower(name)"
        ))?;
        stmt.query_and_then([], |r| to_system(r))?.collect()
    }

    pub fn system(&self, id_or_name: &str) -> Result<Option<System>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SYSTEM_COLUMNS} FROM systems WHERE id = ?1 OR lower(name) = lower(?1)
                 ORDER BY retired_at IS NOT NULL LIMIT 1"
            ))?
            .query_and_then([id_or_name.trim()], |r| to_system(r))?
            .next()
            .transpose()
    }

    pub fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE request_id = ?1 ORDER BY is_backup, lower(system_name)"
        ))?;
        stmt.query_and_then([request_id], |r| to_item(r))?.collect()
    }
}
