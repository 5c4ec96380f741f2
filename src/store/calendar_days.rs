//! The organisation's own non-working days (append-only log) and the walk over open requests to recompute.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use time::Date;

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::dates;
use crate::domain::Request;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CalendarDay {
    pub calendar: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub day: Date,
    pub label: String,
    /// When and by whom it was added.
    pub at: String,
    pub actor: String,
}

/// Columns: calendar, day, label, at, actor.
pub(super) fn to_calendar_day(r: &impl Cells) -> Result<CalendarDay> {
    let day: String = r.col(1)?;
    let day = dates::parse(&day).map_err(|e| Error::Corrupt(format!("calendar day {e}")))?;
    Ok(CalendarDay { calendar: r.col(0)?, day, label: r.col(2)?, at: r.col(3)?, actor: r.col(4)? })
}

/// The days in force grouped by calendar code.
pub(super) fn by_code(days: Vec<CalendarDay>) -> HashMap<String, Vec<(Date, String)>> {
    let mut map: HashMap<String, Vec<(Date, String)>> = HashMap::new();
    for d in days {
        map.entry(d.calendar).or_default().push((d.day, d.label));
    }
    map
}

impl Reader<'_> {
    /// The days in force: for each (calendar, day), the latest log row, if it added the day.
    pub fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.calendar, c.day, c.label, c.at, c.actor FROM calendar_days c
             WHERE c.action = 'added'
               AND c.id = (SELECT max(id) FROM calendar_days l WHERE l.calendar = c.calendar AND l.day = c.day)
             ORDER BY c.calendar, c.day",
        )?;
        stmt.query_and_then([], |r| to_calendar_day(r))?.collect()
    }

    pub fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>> {
        Ok(by_code(self.calendar_days()?))
    }

    /// Open requests (on `calendar`, or all) after `after_rowid`, `limit` at a time: for work over every open
    /// request without loading them all.
    pub fn open_requests(&self, calendar: Option<&str>, after_rowid: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
        // Two exact statements, so each walks an index in rowid order: (calendar, is_open, rowid) for one
        // calendar; the table itself for all (`+is_open` keeps the planner off the due-date index).
        let filter = if calendar.is_some() { "calendar = ?1 AND is_open = 1" } else { "?1 IS NULL AND +is_open = 1" };
        let sql = format!(
            "SELECT rowid AS row_id, {} FROM requests WHERE {filter} AND rowid > ?2 ORDER BY rowid LIMIT ?3",
            super::requests::COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![calendar, after_rowid, limit], |r| {
            Ok((r.get("row_id")?, super::requests::to_request(r)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Tx<'_> {
    #[allow(clippy::too_many_arguments)]
    pub fn log_calendar_day(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO calendar_days (calendar, day, label, action, reason, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![calendar, dates::fmt(day), label, if added { "added" } else { "removed" }, reason, at, actor])?;
        Ok(())
    }
}
