//! A register copied into a new register file from another engine (`store::copy`, a team register copied back):
//! every row in one transaction, the values as they were stored there (SQLite's own forms on both engines).

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::copy::{RowSink, engine_columns};
use super::sqlite::Tx;
use super::value::Cell;
use crate::error::{Error, Result};

pub(super) struct Loader<'t, 'a> {
    tx: &'t Tx<'a>,
}

impl<'t, 'a> Loader<'t, 'a> {
    /// Check that the register is empty and clear what it was made with (settings, shipped templates): the copied
    /// ones take their place.
    pub(super) fn begin(tx: &'t Tx<'a>) -> Result<Loader<'t, 'a>> {
        let held: i64 =
            tx.tx.query_row("SELECT (SELECT count(*) FROM requests) + (SELECT count(*) FROM events)", [], |r| {
                r.get(0)
            })?;
        if held > 0 {
            return Err(Error::refused(
                "the register file already holds requests or events: a register is copied into a new file only",
            ));
        }
        tx.tx.execute_batch("DELETE FROM templates; DELETE FROM settings;")?;
        Ok(Loader { tx })
    }
}

impl RowSink for Loader<'_, '_> {
    fn row(&mut self, table: &str, columns: &[&str], row: &[Cell<'_>]) -> Result<()> {
        let names = engine_columns(columns, "rowid");
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), vec!["?"; names.len()].join(", "));
        let values = row.iter().map(|cell| {
            ToSqlOutput::Borrowed(match *cell {
                Cell::Null => ValueRef::Null,
                Cell::Integer(n) => ValueRef::Integer(n),
                Cell::Real(x) => ValueRef::Real(x),
                Cell::Text(t) => ValueRef::Text(t),
                Cell::Blob(b) => ValueRef::Blob(b),
            })
        });
        self.tx.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values)).map_err(|e| {
            let e = Error::from(e);
            Error::Corrupt(format!("a row of {table} could not be copied: {e}"))
        })?;
        Ok(())
    }
}
