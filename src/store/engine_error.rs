//! SQLite's errors mapped to the core's own kinds, so nothing above the store sees the engine: a second engine maps
//! its own errors to the same kinds.

use rusqlite::ErrorCode as Code;

use crate::error::Error;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        let text = e.to_string();
        match &e {
            rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
                Code::DatabaseBusy | Code::DatabaseLocked => Error::Busy(text),
                Code::ConstraintViolation => Error::Constraint(text),
                Code::DatabaseCorrupt | Code::NotADatabase => Error::Corrupt(text),
                _ => Error::Database(text),
            },
            // A stored value that cannot be read back as what it should be is damaged data, not a failing engine.
            rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
                Error::Corrupt(text)
            }
            _ => Error::Database(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_become_the_core_kinds() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a');").unwrap();
        let dup = Error::from(conn.execute("INSERT INTO t VALUES ('a')", []).unwrap_err());
        assert_eq!(dup.code(), "constraint", "{dup}");
        let bad = Error::from(conn.execute("SELEC 1", []).unwrap_err());
        assert_eq!(bad.code(), "database");
        assert!(bad.to_string().starts_with("database error: "), "{bad}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-db");
        std::fs::write(&path, vec![7u8; 4096]).unwrap();
        let junk = rusqlite::Connection::open(&path).unwrap();
        let e =
            Error::from(junk.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).unwrap_err());
        assert_eq!(e.code(), "corrupt", "{e}");
        let busy = Error::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        ));
        assert_eq!(busy.code(), "busy");
    }
}
