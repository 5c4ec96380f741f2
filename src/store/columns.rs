//! A row's columns read the same way from either engine, so that each row type is built from a row by one function
//! (`fn to_x(r: &impl Columns) -> Result<X>`) for SQLite and PostgreSQL alike. Values keep the SQLite register's
//! forms on both (see `migrations/postgres/0001`): integers are 64-bit, booleans 0/1, text and bytes as stored.

use crate::error::{Error, Result};

/// A value one column holds.
pub(crate) trait Value: Sized {
    fn sqlite(row: &rusqlite::Row, i: usize) -> Result<Self>;
    fn pg(row: &postgres::Row, i: usize) -> Result<Self>;
}

/// A row of either engine.
pub(crate) trait Columns {
    /// Column `i` as `T`; a value of another type is damaged data (`Error::Corrupt`).
    fn col<T: Value>(&self, i: usize) -> Result<T>;
}

impl Columns for rusqlite::Row<'_> {
    fn col<T: Value>(&self, i: usize) -> Result<T> {
        T::sqlite(self, i)
    }
}

impl Columns for postgres::Row {
    fn col<T: Value>(&self, i: usize) -> Result<T> {
        T::pg(self, i)
    }
}

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::Corrupt(e.to_string())
}

/// Types both drivers read natively with the same meaning.
macro_rules! native {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn sqlite(row: &rusqlite::Row, i: usize) -> Result<Self> {
                Ok(row.get(i)?)
            }
            fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
                row.try_get(i).map_err(corrupt)
            }
        }
    )*};
}

native!(String, Option<String>, i64, Option<i64>, Vec<u8>, Option<Vec<u8>>);

impl Value for u32 {
    fn sqlite(row: &rusqlite::Row, i: usize) -> Result<Self> {
        Ok(row.get(i)?)
    }
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        let n: i64 = row.try_get(i).map_err(corrupt)?;
        u32::try_from(n).map_err(|_| Error::Corrupt(format!("{n} where a small count belongs")))
    }
}

impl Value for bool {
    fn sqlite(row: &rusqlite::Row, i: usize) -> Result<Self> {
        Ok(row.get(i)?)
    }
    /// A stored flag is 0/1 (bigint); a comparison in the query is PostgreSQL's own boolean.
    fn pg(row: &postgres::Row, i: usize) -> Result<Self> {
        match row.try_get::<_, i64>(i) {
            Ok(n) => Ok(n != 0),
            Err(_) => row.try_get(i).map_err(corrupt),
        }
    }
}
