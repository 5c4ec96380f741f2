//! A register copied in from another engine (`store::copy`): every row in one transaction into an empty register.

use std::collections::HashMap;

use postgres::Statement;
use postgres::types::{ToSql, Type};

use super::Pg;
use crate::error::{Error, Result};
use crate::store::copy::{RowSink, engine_columns};
use crate::store::value::Cell;

/// The identity columns whose sequences must continue after the copied rows.
const SEQUENCES: &[(&str, &str)] =
    &[("requests", "row_no"), ("events", "seq"), ("calendar_days", "id"), ("checkpoints", "id")];

pub(super) struct Loader<'p, 'a> {
    pg: &'p Pg<'a>,
    statements: HashMap<String, Statement>,
}

impl<'p, 'a> Loader<'p, 'a> {
    /// Check that the register is empty and clear what it was made with (settings, shipped templates).
    pub(super) fn begin(pg: &'p Pg<'a>) -> Result<Loader<'p, 'a>> {
        let row = pg.one("SELECT (SELECT count(*) FROM requests) + (SELECT count(*) FROM events)", &[])?;
        if row.try_get::<_, i64>(0)? > 0 {
            return Err(Error::refused(
                "the team register already holds requests or events: a register is copied into an empty database only",
            ));
        }
        pg.execute("DELETE FROM templates", &[])?;
        pg.execute("DELETE FROM settings", &[])?;
        Ok(Loader { pg, statements: HashMap::new() })
    }

    /// Continue each identity sequence after the highest value copied.
    pub(super) fn finish(self) -> Result<()> {
        for (table, column) in SEQUENCES {
            self.pg.one(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false)
                     FROM {table}"
                ),
                &[],
            )?;
        }
        Ok(())
    }
}

impl RowSink for Loader<'_, '_> {
    fn row(&mut self, table: &str, columns: &[&str], row: &[Cell<'_>]) -> Result<()> {
        if !self.statements.contains_key(table) {
            let names = engine_columns(columns, "row_no");
            let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
            let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", "));
            let statement = self.pg.tx.borrow_mut().prepare(&sql)?;
            self.statements.insert(table.to_string(), statement);
        }
        let statement = &self.statements[table];
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(row.len());
        for (i, (cell, ty)) in row.iter().zip(statement.params()).enumerate() {
            values.push(match (*cell, ty) {
                (Cell::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
                (Cell::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
                (Cell::Null, _) => Box::new(None::<String>),
                (Cell::Integer(n), _) => Box::new(n),
                (Cell::Text(_), _) => Box::new(cell.text_or_null(i)?.map(str::to_string)),
                (Cell::Blob(b), _) => Box::new(b.to_vec()),
                (Cell::Real(x), _) => {
                    return Err(Error::Corrupt(format!("a number {x} in {table}.{}, where none belongs", columns[i])));
                }
            });
        }
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        self.pg.tx.borrow_mut().execute(statement, &params).map_err(|e| {
            let e = Error::from(e);
            Error::Corrupt(format!("a row of {table} could not be copied: {e}"))
        })?;
        Ok(())
    }
}
