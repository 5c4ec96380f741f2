//! Requests on PostgreSQL: rows in and out with the mappings the SQLite store uses (`store::requests`: the same
//! columns, the same values), references, the requester's other requests, import keys and the retention purge's
//! selection.

use std::sync::OnceLock;

use postgres::types::ToSql;
use time::Date;

use super::{Pg, count};
use crate::dates;
use crate::domain::{Request, RequestKind};
use crate::error::{Error, Result};
use crate::store::RequestRow;
use crate::store::requests::{
    At, COLUMNS, Cell, Cells, Columns, ROW_COLUMNS, date_cells, insert_cells, request_from, request_row_from,
    update_cells,
};

impl Columns for postgres::Row {
    type Error = Error;

    fn text(&self, at: At) -> Result<Option<String>> {
        Ok(match at {
            At::Name(name) => self.try_get(name)?,
            At::Index(i) => self.try_get(i)?,
        })
    }

    fn integer(&self, at: At) -> Result<Option<i64>> {
        Ok(match at {
            At::Name(name) => self.try_get(name)?,
            At::Index(i) => self.try_get(i)?,
        })
    }

    fn corrupt(&self, at: At, value: &str) -> Error {
        let column = match at {
            At::Name(name) => name.to_string(),
            At::Index(i) => self.columns().get(i).map_or_else(|| format!("column {i}"), |c| c.name().to_string()),
        };
        Error::Corrupt(format!("bad {column} '{value}'"))
    }
}

/// The cells' values as statement parameters, in order.
fn params<'a>(cells: &'a Cells<'_>) -> Vec<&'a (dyn ToSql + Sync)> {
    cells
        .iter()
        .map(|(_, cell)| match cell {
            Cell::Text(text) => text as &(dyn ToSql + Sync),
            Cell::Integer(n) => n as &(dyn ToSql + Sync),
        })
        .collect()
}

/// `UPDATE requests SET a = $1, b = $2 … WHERE id = $n` for the cells' columns (the id the last parameter).
fn update_sql(cells: &Cells<'_>) -> String {
    let set: Vec<String> = cells.iter().enumerate().map(|(i, (name, _))| format!("{name} = ${}", i + 1)).collect();
    format!("UPDATE requests SET {} WHERE id = ${}", set.join(", "), cells.len() + 1)
}

fn rows_of(rows: Vec<postgres::Row>) -> Result<Vec<RequestRow>> {
    rows.iter().map(request_row_from).collect()
}

/// A limit as the server takes it.
fn limit(n: u32) -> i64 {
    i64::from(n)
}

impl Pg<'_> {
    pub(super) fn request(&self, id_or_reference: &str) -> Result<Request> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| format!("SELECT {COLUMNS} FROM requests WHERE id = $1 OR reference = $1"));
        self.optional(sql, &[&id_or_reference.trim()])?
            .map(|row| request_from(&row))
            .transpose()?
            .ok_or_else(|| Error::not_found("request", id_or_reference))
    }

    pub(super) fn request_ids(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        self.each_row("SELECT id FROM requests ORDER BY row_no", &[], &mut |row| {
            ids.push(row.try_get(0)?);
            Ok(())
        })?;
        Ok(ids)
    }

    pub(super) fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
        // Two exact statements, each served by its own index: (calendar, is_open) for one calendar, the open
        // requests' partial index in insertion order for all.
        static ONE: OnceLock<String> = OnceLock::new();
        static ALL: OnceLock<String> = OnceLock::new();
        let select = |filter: &str| {
            format!(
                "SELECT row_no, {COLUMNS} FROM requests WHERE {filter} AND is_open = 1 AND row_no > $1
                 ORDER BY row_no LIMIT $2"
            )
        };
        let n = self::limit(limit);
        let rows = match calendar {
            Some(calendar) => {
                let sql = ONE.get_or_init(|| select("calendar = $3"));
                self.rows(sql, &[&after, &n, &calendar])?
            }
            None => self.rows(ALL.get_or_init(|| select("TRUE")), &[&after, &n])?,
        };
        rows.iter().map(|row| Ok((row.try_get::<_, i64>("row_no")?, request_from(row)?))).collect()
    }

    pub(super) fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        let row = self.one(
            "INSERT INTO reference_counters (year, last) VALUES ($1, 1)
             ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
            &[&i64::from(year)],
        )?;
        let seq: i64 = row.try_get(0)?;
        Ok((seq, format!("RD-{year}-{seq:04}")))
    }

    pub(super) fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        let cells = insert_cells(r, ref_seq, import_key)?;
        // The column list is the same for every row: the statement's text is made once.
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let names: Vec<&str> = cells.iter().map(|(name, _)| *name).collect();
            let places: Vec<String> = (1..=cells.len()).map(|i| format!("${i}")).collect();
            format!("INSERT INTO requests ({}) VALUES ({})", names.join(", "), places.join(", "))
        });
        self.execute(sql, &params(&cells))?;
        Ok(())
    }

    pub(super) fn update_request(&self, r: &Request) -> Result<()> {
        let cells = update_cells(r)?;
        static SQL: OnceLock<String> = OnceLock::new();
        self.update_row(SQL.get_or_init(|| update_sql(&cells)), &cells, r)
    }

    pub(super) fn update_dates(&self, r: &Request) -> Result<()> {
        let cells = date_cells(r);
        static SQL: OnceLock<String> = OnceLock::new();
        self.update_row(SQL.get_or_init(|| update_sql(&cells)), &cells, r)
    }

    fn update_row(&self, sql: &str, cells: &Cells<'_>, r: &Request) -> Result<()> {
        let id = r.id.to_string();
        let mut values = params(cells);
        values.push(&id);
        if self.execute(sql, &values)? != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }

    /// Nothing to defer on this engine: the indexes (the search's trigram index included) are kept by the server
    /// as each row is written, and every lookup is a query, so a bulk is the same transaction row by row.
    pub(super) fn begin_bulk(&self) -> Result<()> {
        Ok(())
    }

    /// See `begin_bulk`: nothing was deferred.
    pub(super) fn end_bulk(&self) -> Result<()> {
        Ok(())
    }

    pub(super) fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests WHERE requester_id = $1
                 ORDER BY received DESC, row_no DESC LIMIT $2"
            )
        });
        rows_of(self.rows(sql, &[&requester_id, &self::limit(limit)])?)
    }

    pub(super) fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests
                  WHERE requester_id = $1 AND received >= $2 AND received <= $3 AND id <> $4
                  ORDER BY received, row_no LIMIT 200"
            )
        });
        let (since, until) = (dates::fmt(since), dates::fmt(until));
        rows_of(self.rows(sql, &[&requester_id, &since, &until, &except])?)
    }

    pub(super) fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests
                  WHERE requester_id = $1 AND kind = $2 AND is_open = 1 AND id <> $3
                  ORDER BY received, row_no LIMIT 50"
            )
        });
        rows_of(self.rows(sql, &[&requester_id, &kind.id(), &except])?)
    }

    pub(super) fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
        let row = self.optional("SELECT reference FROM requests WHERE import_key = $1", &[&import_key])?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    // Timestamps compare as text byte by byte (`COLLATE "C"`, as SQLite compares them): a server's own collation
    // may order "…:00.5Z" and "…:00Z" otherwise. Migration 0002's `requests_purge` index is in that order.

    pub(super) fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
        let rows = self.rows(
            "SELECT id FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at COLLATE \"C\" < $1
             ORDER BY closed_at COLLATE \"C\" LIMIT $2",
            &[&cutoff, &self::limit(limit)],
        )?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<std::result::Result<_, _>>()?)
    }

    pub(super) fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
        let row = self.one(
            "SELECT count(*) FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at COLLATE \"C\" < $1",
            &[&cutoff],
        )?;
        count(&row, 0)
    }

    pub(super) fn count_purged(&self) -> Result<u64> {
        count(&self.one("SELECT count(*) FROM requests WHERE purged_at IS NOT NULL", &[])?, 0)
    }
}
