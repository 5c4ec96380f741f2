//! The register's own identity as the files folder needs it: its settings read inside a transaction, the ids of
//! its requests, and whether another database file is a register with a given id (a copy's original).

use std::path::Path;

use rusqlite::{OpenFlags, OptionalExtension};

use super::sqlite::Reader;
use crate::error::Result;

impl Reader<'_> {
    /// One setting, read where the caller is (inside a write transaction, it sees what the transaction wrote).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?)
    }

    /// The data of the register's own events of one kind, oldest first.
    pub fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT data FROM events WHERE request_id IS NULL AND kind = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([kind], |r| r.get::<_, String>(0))?;
        let mut found = vec![];
        for text in rows {
            found.push(serde_json::from_str(&text?).unwrap_or(serde_json::Value::Null));
        }
        Ok(found)
    }

    /// Every request's id, purged ones included.
    pub fn request_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM requests ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// Whether the file at `path` is a Rightsdesk database whose register id is `id`, read with `key` (a byte copy of
/// an encrypted register has its original's key). Read-only and without creating anything; a file that is missing,
/// not a database, unreadable or of another register answers `false`.
pub fn holds_register(path: &Path, id: &str, key: Option<&crate::vault::DatabaseKey>) -> bool {
    if !path.is_file() {
        return false;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = rusqlite::Connection::open_with_flags(path, flags) else { return false };
    if conn.execute_batch("PRAGMA cipher_log_level = NONE;").is_err() {
        return false;
    }
    if let Some(key) = key
        && conn.execute_batch(&key.pragma()).is_err()
    {
        return false;
    }
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    conn.query_row("SELECT value FROM settings WHERE key = 'register.id'", [], |r| r.get::<_, String>(0))
        .is_ok_and(|found| found == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_register_is_known_by_its_id_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.sqlite3");
        let store = crate::store::Store::open(&db, "2026-01-01T00:00:00Z", None).unwrap();
        let id = store.setting("register.id").unwrap().unwrap();
        assert!(holds_register(&db, &id, None));
        assert!(!holds_register(&db, "0123456789abcdef0123456789abcdef", None));
        assert!(!holds_register(&dir.path().join("missing.sqlite3"), &id, None));
        assert!(!dir.path().join("missing.sqlite3").exists(), "nothing is created");
        let junk = dir.path().join("junk.sqlite3");
        std::fs::write(&junk, b"not a database").unwrap();
        assert!(!holds_register(&junk, &id, None));
    }

    /// The cipher format (`vault::CIPHER_FORMAT`) is applied to every file the register makes encrypted: the one
    /// opened with a key and the copy `export_encrypted` writes. SQLCipher's defaults alone do not open either.
    #[test]
    fn encrypted_files_are_in_the_register_format() {
        let dir = tempfile::tempdir().unwrap();
        let (db, copy) = (dir.path().join("r.sqlite3"), dir.path().join("copy.sqlite3"));
        let key = crate::vault::RegisterKey::generate().unwrap();
        let store = crate::store::Store::open(&db, "2026-01-01T00:00:00Z", Some(key.database_key())).unwrap();
        let id = store.setting("register.id").unwrap().unwrap();
        let other = crate::vault::RegisterKey::generate().unwrap();
        store.backend().export_encrypted(&copy, &other.database_key()).unwrap();
        drop(store);
        for (file, key) in [(&db, &key), (&copy, &other)] {
            assert!(holds_register(file, &id, Some(&key.database_key())));
            let conn = rusqlite::Connection::open(file).unwrap();
            let defaults =
                format!("PRAGMA cipher_log_level = NONE; PRAGMA key = \"{}\";", &*key.database_key().literal());
            conn.execute_batch(&defaults).unwrap();
            assert!(conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).is_err(), "{file:?}");
        }
    }
}
