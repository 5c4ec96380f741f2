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
mod engine_error;
mod export;
mod identity;
mod imports;
pub mod migrate;
mod register;
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
pub use audit::{
    APPEND_ONLY_TRIGGERS, ChainBreak, ChainWalk, ChainedEvent, Event, HeadAt, RowMismatch, RowsCheck, StoredCheckpoint,
    TriggerProblem,
};
pub use calendar_days::CalendarDay;
pub use checklist::{ChecklistItem, System};
pub use disclosures::Disclosure;
pub use export::{LogRecord, MetricRecord};
pub use imports::ImportRecord;
pub use register::holds_register;
pub use requesters::{BlockedSender, RequestLink, RequesterRecord, normalise_phone};
pub use requests::{Dashboard, Page, Query, RequestRow, Sort};
pub use responses::{DefaultTemplate, OutboxItem, TemplateRow};
pub use retention::Purged;

const POOL_IDLE: usize = 4;
/// The page cache of each connection, in KiB (negative: SQLite's unit for sizes).
const CACHE_SIZE: i32 = -65536;

pub struct Store {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    read_only: bool,
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
    /// Open (creating if needed) the database at `path` and bring its schema up to date. A database written by a
    /// newer Rightsdesk is refused before anything is written to it; a file this user cannot write is opened
    /// read-only (lists, details, verification, exports work; changes are refused with a clear error).
    pub fn open(path: &Path, now: &str) -> Result<Store> {
        let read_only = match std::fs::OpenOptions::new().read(true).write(true).open(path) {
            Ok(_) => false,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                create_database_file(path)?;
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => true,
            Err(e) => return Err(Error::io(format!("cannot open the register {}", path.display()), e)),
        };
        let store = Store { path: path.to_path_buf(), idle: Mutex::new(Vec::new()), read_only };
        // The version is read on a read-only connection: a newer database stays byte for byte as it was (its
        // journal mode included).
        let probe = store.connect_read_only()?;
        migrate::refuse_newer(&probe)?;
        if read_only {
            migrate::require_current(&probe, path)?;
            store.put_back(probe);
            return Ok(store);
        }
        drop(probe);
        let mut conn = store.connect()?;
        crate::safe_file::make_database_private(path)?;
        migrate::migrate(&mut conn, now)?;
        store.put_back(conn);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file could not be written by this user: opened for reading only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn connect(&self) -> Result<Connection> {
        if self.read_only {
            return self.connect_read_only();
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| Error::Corrupt(format!("cannot open database {}: {e}", self.path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // FULL: a committed request survives a crash or power cut, not only a killed process.
        // secure_delete: deleted rows (a retention purge) are overwritten with zeros, not left in free pages.
        // A 64 MiB page cache: index and full-text inserts at a million rows are random writes.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; \
             PRAGMA cache_size = {CACHE_SIZE};"
        ))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    fn connect_read_only(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |path: &str, flags| {
            Connection::open_with_flags(path, flags)
                .map_err(|e| Error::Corrupt(format!("cannot open database {}: {e}", self.path.display())))
        };
        let mut conn = open(&self.path.to_string_lossy(), flags)?;
        // A WAL database needs its shared-memory file; where this user can create none (a folder they cannot
        // write) and no writer has one open, the file is read as it stands, unchanging.
        if conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).is_err() {
            conn = open(&immutable_uri(&self.path), flags | OpenFlags::SQLITE_OPEN_URI)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
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
        if self.read_only {
            return Err(Error::ReadOnly(self.path.display().to_string()));
        }
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

    /// Copy the write-ahead log into the database and empty it, so that pages a purge overwrote are not left in
    /// the log file.
    pub fn checkpoint_wal(&self) -> Result<()> {
        // A reader in the middle of a transaction makes SQLite answer "busy" and leave the log as it is: try again
        // a few times, then say so rather than let a purge believe the log was emptied.
        for attempt in 0..20 {
            let busy: i64 =
                self.read(|r| Ok(r.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?))?;
            if busy == 0 {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(50 * (attempt + 1)));
        }
        Err(Error::io(
            format!("cannot empty the write-ahead log of {}", self.path.display()),
            std::io::Error::new(std::io::ErrorKind::WouldBlock, "another connection keeps reading it; try again"),
        ))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.read(|r| {
            Ok(r.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?)
        })
    }
}

/// `file:` URI of `path`, read-only and immutable (SQLite URIs escape `%`, `?` and `#` in the path).
fn immutable_uri(path: &Path) -> String {
    let escaped: String = path
        .to_string_lossy()
        .chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            '?' => "%3f".to_string(),
            '#' => "%23".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("file:{escaped}?mode=ro&immutable=1")
}

/// A new, empty database file: made by us rather than SQLite so that a folder that cannot be written says so, and so
/// that the file is the user's alone from the first byte.
fn create_database_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create the folder {}", dir.display()), e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process made it between our look and now: open it as it is.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(format!("cannot create the register {}", path.display()), e)),
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
