//! One value and one row of either engine: what the stores read and copy. A [`Cell`] is a column's value tagged by
//! SQLite's storage classes, which every engine's types map onto (PostgreSQL: bigint, int and boolean → `Integer`,
//! text → `Text`, bytea → `Blob`, NULL → `Null`; the register keeps SQLite's value forms there, see
//! `migrations/postgres/0001`). The audit chain digests cells (so a register digests the same on both engines), a
//! copy between engines moves them (`store::copy`), and each row type is built from a row of either engine by one
//! function over [`Cells::col`].

use postgres::types::Type;
use rusqlite::types::ValueRef;

use crate::error::{Error, Result};

/// A column's value as the digests read it, tagged by SQLite's storage classes. Every engine maps its column
/// types onto these (PostgreSQL: bigint → `Integer`, text → `Text`, bytea → `Blob`, NULL → `Null`), so the same
/// register digests the same on each, and a chain copied between them still verifies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl<'a> From<ValueRef<'a>> for Cell<'a> {
    fn from(v: ValueRef<'a>) -> Cell<'a> {
        match v {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Integer(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(v) => Cell::Text(v),
            ValueRef::Blob(v) => Cell::Blob(v),
        }
    }
}

impl<'a> Cell<'a> {
    /// The text it holds (None: NULL); anything else is not what the column should hold.
    pub(crate) fn text_or_null(self, column: usize) -> Result<Option<&'a str>> {
        match self {
            Cell::Null => Ok(None),
            Cell::Text(v) => std::str::from_utf8(v)
                .map(Some)
                .map_err(|_| Error::Corrupt(format!("column {column} of an audit read holds text that is not UTF-8"))),
            other => {
                Err(Error::Corrupt(format!("column {column} of an audit read holds {other:?} where text belongs")))
            }
        }
    }

    pub(crate) fn integer(self, column: usize) -> Result<i64> {
        match self {
            Cell::Integer(v) => Ok(v),
            other => Err(Error::Corrupt(format!(
                "column {column} of an audit read holds {other:?} where an integer belongs"
            ))),
        }
    }

    /// The tag and bytes a digest hashes for it (so no two different values hash the same).
    pub(super) fn tagged(self, mut part: impl FnMut(u8, &[u8])) {
        match self {
            Cell::Null => part(b'n', &[]),
            Cell::Integer(v) => part(b'i', &v.to_le_bytes()),
            Cell::Real(v) => part(b'r', &v.to_bits().to_le_bytes()),
            Cell::Text(v) => part(b't', v),
            Cell::Blob(v) => part(b'b', v),
        }
    }
}

/// A result row of either engine, its columns read by place.
pub trait Cells {
    fn cell(&self, i: usize) -> Result<Cell<'_>>;

    /// Column `i` as `T`; a value of another kind is damaged data (`Error::Corrupt`).
    fn col<T: Value>(&self, i: usize) -> Result<T>
    where
        Self: Sized,
    {
        T::from_cell(self.cell(i)?, i)
    }
}

impl Cells for rusqlite::Row<'_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>> {
        Ok(self.get_ref(i)?.into())
    }
}

impl Cells for postgres::Row {
    fn cell(&self, i: usize) -> Result<Cell<'_>> {
        let column = self.columns().get(i).ok_or_else(|| Error::Database(format!("no column {i} in an audit read")))?;
        let ty = column.type_().clone();
        Ok(if ty == Type::INT8 {
            self.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Integer)
        } else if ty == Type::INT4 {
            self.try_get::<_, Option<i32>>(i)?.map_or(Cell::Null, |v| Cell::Integer(v.into()))
        } else if ty == Type::INT2 {
            self.try_get::<_, Option<i16>>(i)?.map_or(Cell::Null, |v| Cell::Integer(v.into()))
        } else if ty == Type::BOOL {
            self.try_get::<_, Option<bool>>(i)?.map_or(Cell::Null, |v| Cell::Integer(v.into()))
        } else if ty == Type::TEXT || ty == Type::VARCHAR || ty == Type::BPCHAR || ty == Type::NAME {
            self.try_get::<_, Option<&str>>(i)?.map_or(Cell::Null, |v| Cell::Text(v.as_bytes()))
        } else if ty == Type::BYTEA {
            self.try_get::<_, Option<&[u8]>>(i)?.map_or(Cell::Null, Cell::Blob)
        } else if ty == Type::FLOAT8 {
            self.try_get::<_, Option<f64>>(i)?.map_or(Cell::Null, Cell::Real)
        } else {
            return Err(Error::Corrupt(format!("column {} of an audit read is of type {ty}", column.name())));
        })
    }
}

/// A Rust value a column holds, read from its cell.
pub trait Value: Sized {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self>;
}

impl Value for Option<String> {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        Ok(cell.text_or_null(column)?.map(str::to_string))
    }
}

impl Value for String {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        Option::<String>::from_cell(cell, column)?
            .ok_or_else(|| Error::Corrupt(format!("column {column} holds NULL where text belongs")))
    }
}

impl Value for i64 {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        cell.integer(column)
    }
}

impl Value for Option<i64> {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        match cell {
            Cell::Null => Ok(None),
            other => other.integer(column).map(Some),
        }
    }
}

impl Value for u32 {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        let n = cell.integer(column)?;
        u32::try_from(n).map_err(|_| Error::Corrupt(format!("{n} in column {column}, where a small count belongs")))
    }
}

/// A flag: 0/1 as stored, or a comparison's boolean.
impl Value for bool {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        Ok(cell.integer(column)? != 0)
    }
}

impl Value for Option<Vec<u8>> {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        match cell {
            Cell::Null => Ok(None),
            Cell::Blob(v) => Ok(Some(v.to_vec())),
            other => Err(Error::Corrupt(format!("column {column} holds {other:?} where bytes belong"))),
        }
    }
}

impl Value for Vec<u8> {
    fn from_cell(cell: Cell<'_>, column: usize) -> Result<Self> {
        Option::<Vec<u8>>::from_cell(cell, column)?
            .ok_or_else(|| Error::Corrupt(format!("column {column} holds NULL where bytes belong")))
    }
}
