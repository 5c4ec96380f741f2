//! The SQLite store: the only place with SQL. The rest of the core sees [`Store::read`] and [`Store::write`] and
//! the typed operations on [`Reader`] and [`Tx`], so a PostgreSQL edition can replace this module alone.
//!
//! Concurrency: a small pool of connections, each used by one thread at a time inside a closure (never across
//! an `.await`); WAL lets readers run beside the single writer; `busy_timeout` queues writers instead of failing.
//! Every write is one `BEGIN IMMEDIATE` transaction: it commits whole or not at all.

mod attachments;
mod audit;
mod calendar_days;
mod checklist;
mod disclosures;
mod export;
mod identity;
mod imports;
pub mod migrate;
mod requesters;
mod requests;
mod responses;
mod retention;

pub use requests::timestamp;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

pub use attachments::Attachment;
pub use audit::{ChainBreak, ChainReport, ChainedEvent, Event};
pub use calendar_days::CalendarDay;
pub use checklist::{ChecklistItem, System};
pub use disclosures::Disclosure;
pub use export::{LogRecord, MetricRecord};
pub use imports::ImportRecord;
pub use requesters::{BlockedSender, RequestLink, RequesterRecord, normalise_phone};
pub use requests::{Dashboard, Page, Query, RequestRow, Sort};
pub use responses::{OutboxItem, TemplateRow};
pub use retention::Purged;

const POOL_IDLE: usize = 4;
/// The page cache of each connection, in KiB (negative: SQLite's unit for sizes).
const CACHE_SIZE: i32 = -65536;

pub struct Store {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Read access: queries only.
pub struct Reader<'a> {
    conn: &'a Connection,
}

/// A write transaction: everything done through it commits together.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Tx<'_> {
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.tx }
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub fn open(path: &Path, now: &str) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create folder {}", dir.display()), e))?;
        }
        let store = Store { path: path.to_path_buf(), idle: Mutex::new(Vec::new()) };
        let mut conn = store.connect()?;
        crate::safe_file::make_database_private(path)?;
        migrate::migrate(&mut conn, now)?;
        store.put_back(conn);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connect(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| Error::Corrupt(format!("cannot open database {}: {e}", self.path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // FULL: a committed request survives a crash or power cut, not only a killed process.
        // A 64 MiB page cache: index and full-text inserts at a million rows are random writes.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = {CACHE_SIZE};"
        ))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    fn take(&self) -> Result<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn put_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < POOL_IDLE {
            idle.push(conn);
        }
    }

    pub fn read<T>(&self, f: impl FnOnce(&Reader) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        let result = f(&Reader { conn: &conn });
        self.put_back(conn);
        result
    }

    /// Run `f` in one immediate transaction; commit if it returns `Ok`, roll back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let result = (|| {
            let tx = Tx { tx: conn.transaction_with_behavior(TransactionBehavior::Immediate)? };
            let value = f(&tx)?;
            tx.tx.commit()?;
            Ok(value)
        })();
        self.put_back(conn);
        result
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.read(|r| {
            Ok(r.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?)
        })
    }
}

impl Tx<'_> {
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.tx.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}
