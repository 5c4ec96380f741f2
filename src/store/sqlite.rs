//! The SQLite implementation of the store's traits: a small pool of connections to one database file.
//!
//! Concurrency: each connection is used by one thread at a time inside a closure (never across an `.await`); WAL
//! lets readers run beside the single writer; `busy_timeout` queues writers instead of failing. Every write is one
//! `BEGIN IMMEDIATE` transaction: it commits whole or not at all.
//!
//! The queries themselves are in the files beside this one (`requests.rs`, `audit.rs`, …) as inherent methods of
//! [`Reader`] and [`Tx`]; this file only maps the traits onto them, one line a method.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use time::Date;
use uuid::Uuid;

use super::{
    Account, Attachment, BlockedSender, CalendarDay, ChainWalk, ChainedEvent, ChecklistItem, DefaultTemplate,
    Disclosure, Event, HeadAt, ImportRecord, LogRecord, MailMessage, MetricRecord, NewLogin, OutboxItem, OwnerCount,
    Page, Purged, Query, RequestLink, RequestRow, RequesterRecord, RowsCheck, StoredCheckpoint, System, TemplateRow,
    TriggerProblem, migrate,
};
use super::{Backend, Read, Write};
use crate::domain::{Evidence, IdentityCheck, Request, RequestKind};
use crate::error::{Error, Result};

const POOL_IDLE: usize = 4;
/// The page cache of each connection, in KiB (negative: SQLite's unit for sizes).
pub(super) const CACHE_SIZE: i32 = -65536;
/// How long a backup's snapshot (`Sqlite::snapshot`) waits for readers on an older state to finish: a log or
/// subject export in another connection can read for tens of seconds, and failing a backup for it would leave the
/// officer to retry by hand what waiting does.
const SNAPSHOT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);
/// The longest pause between a snapshot's attempts: a reader that finishes is noticed within about a second.
const SNAPSHOT_PAUSE_MAX: std::time::Duration = std::time::Duration::from_secs(1);

/// The SQLite register: one database file and a small pool of connections to it.
pub struct Sqlite {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    read_only: bool,
    /// The SQLCipher key each connection is given first (an encrypted register), or none (a plain one).
    key: Option<crate::vault::DatabaseKey>,
}

/// Read access: queries only.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub(super) conn: &'a Connection,
}

/// A write transaction: everything done through it commits together.
pub struct Tx<'a> {
    pub(super) tx: rusqlite::Transaction<'a>,
    /// Set while many new requests are written at once (`begin_bulk`).
    pub(super) bulk: std::cell::RefCell<Option<super::bulk::Bulk>>,
}

impl Tx<'_> {
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.tx }
    }
}

impl Sqlite {
    /// Open (creating if needed) the database at `path` and bring its schema up to date. A database written by a
    /// newer Rightsdesk is refused before anything is written to it; a file this user cannot write is opened
    /// read-only (lists, details, verification, exports work; changes are refused with a clear error).
    pub fn open(path: &Path, now: &str, key: Option<crate::vault::DatabaseKey>) -> Result<Sqlite> {
        let read_only = match std::fs::OpenOptions::new().read(true).write(true).open(path) {
            Ok(_) => false,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                create_database_file(path)?;
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => true,
            Err(e) => return Err(Error::io(format!("cannot open the register {}", path.display()), e)),
        };
        Sqlite::open_as(path, now, read_only, key)
    }

    /// A register as a user who cannot write its file opens it (the contract tests run as anyone, root included).
    #[cfg(test)]
    pub(crate) fn open_read_only(path: &Path) -> Result<Sqlite> {
        Sqlite::open_as(path, "", true, None)
    }

    fn open_as(path: &Path, now: &str, read_only: bool, key: Option<crate::vault::DatabaseKey>) -> Result<Sqlite> {
        let store = Sqlite { path: path.to_path_buf(), idle: Mutex::new(Vec::new()), read_only, key };
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
        self.unlock(&conn)?;
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
        self.unlock(&conn)?;
        // A WAL database needs its shared-memory file; where this user can create none (a folder they cannot
        // write) and no writer has one open, the file is read as it stands, unchanging.
        if conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).is_err() {
            conn = open(&immutable_uri(&self.path), flags | OpenFlags::SQLITE_OPEN_URI)?;
            self.unlock(&conn)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Key a new connection (SQLCipher: the first statement on it) and check that the key opens the file.
    fn unlock(&self, conn: &Connection) -> Result<()> {
        // SQLCipher would print "hmac check failed" on stderr; the command line prints one error line only.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        let Some(key) = &self.key else { return Ok(()) };
        conn.execute_batch(&key.pragma())?;
        // A read-only connection to a file whose WAL cannot be mapped fails here too: left to the caller's retry.
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                Err(Error::Corrupt(format!(
                    "the database {} does not open with its key: the key file beside it belongs to another \
                     register, or the database is damaged",
                    self.path.display()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The database file as stored is the snapshot. A read transaction that needs no frame of the write-ahead log
    /// reads the main file only, and SQLite keeps that file as the read saw it until the read ends (a checkpoint
    /// waits for it; writers carry on in the log). So: empty the log (a TRUNCATE checkpoint), begin a read, then
    /// check that the log is still empty — had a writer committed in between, the read would use its frames, and
    /// a log in use by a read is never emptied before the read ends — and copy the file while the read is open.
    /// As stored: SQLCipher pages under the register's key, none decrypted or rewritten, no temporary copy; what
    /// `VACUUM INTO` (every table and index rebuilt into a temporary file) cost twice the rest of the backup. A
    /// reader on an older state keeps the log from being emptied: tried again, pauses growing to a second, until
    /// `SNAPSHOT_DEADLINE`, then `Busy`.
    fn snapshot(
        &self,
        copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>,
    ) -> Result<super::DatabaseFacts> {
        self.snapshot_within(SNAPSHOT_DEADLINE, copy)
    }

    fn snapshot_within(
        &self,
        deadline: std::time::Duration,
        copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>,
    ) -> Result<super::DatabaseFacts> {
        let started = std::time::Instant::now();
        let conn = self.take()?;
        let result = (|| {
            for attempt in 1u32.. {
                if !self.read_only {
                    // Briefly: TRUNCATE holds writers back while it waits for readers.
                    conn.busy_timeout(std::time::Duration::from_millis(200))?;
                    // Whether it emptied the log is read below, from the log's size.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                    conn.busy_timeout(std::time::Duration::from_secs(10))?;
                }
                conn.execute_batch("BEGIN")?;
                let facts = database_facts(&conn)?;
                if wal_is_empty(&self.path)? {
                    let mut file = StoredFile::of(&conn)?;
                    let len = file.len;
                    copy(&mut file, len)?;
                    conn.execute_batch("COMMIT")?;
                    return Ok(facts);
                }
                conn.execute_batch("COMMIT")?;
                let pause = (std::time::Duration::from_millis(50) * attempt).min(SNAPSHOT_PAUSE_MAX);
                if started.elapsed() + pause > deadline {
                    break;
                }
                std::thread::sleep(pause);
            }
            Err(Error::Busy(format!(
                "another task is reading the register {} (an export of the log or of a subject's data, perhaps) and \
                 the backup cannot take its snapshot while it does: try again when it has finished",
                self.path.display()
            )))
        })();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        self.put_back(conn);
        result
    }

    /// The schema version and counts, after SQLite's full `integrity_check` (anything but `ok` is `Corrupt`).
    fn facts(&self) -> Result<super::DatabaseFacts> {
        self.read(|r| {
            let problems: Vec<String> = r
                .conn
                .prepare("PRAGMA integrity_check(20)")?
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()?;
            if problems != ["ok"] {
                return Err(Error::Corrupt(format!(
                    "{} fails SQLite's integrity check: {}",
                    self.path.display(),
                    problems.join("; ")
                )));
            }
            database_facts(r.conn)
        })
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

    fn read<T>(&self, f: impl FnOnce(&Reader) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        let result = f(&Reader { conn: &conn });
        self.put_back(conn);
        result
    }

    /// Run `f` in one immediate transaction; commit if it returns `Ok`, roll back otherwise.
    fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(Error::ReadOnly(self.path.display().to_string()));
        }
        let mut conn = self.take()?;
        let result = (|| {
            let tx =
                Tx { tx: conn.transaction_with_behavior(TransactionBehavior::Immediate)?, bulk: Default::default() };
            let value = f(&tx)?;
            // A bulk left open would commit without its search entries and triggers.
            tx.end_bulk()?;
            tx.tx.commit()?;
            Ok(value)
        })();
        self.put_back(conn);
        result
    }

    /// See [`Backend::export_encrypted`]: SQLCipher's `sqlcipher_export` into the attached new file, in a write
    /// transaction (writers wait: nothing committed meanwhile is missing from the copy).
    pub fn export_encrypted(&self, target: &Path, key: &crate::vault::DatabaseKey) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly(self.path.display().to_string()));
        }
        // Connections open without SQLITE_OPEN_CREATE, and an attached file inherits that: made here, 0600.
        create_database_file(target)?;
        let conn = self.take()?;
        let result = (|| -> Result<()> {
            conn.execute(
                "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
                rusqlite::params![target.to_string_lossy(), key.literal().as_str()],
            )?;
            // The copy is in the format every connection to it will be given (see `vault::CIPHER_FORMAT`).
            conn.execute_batch(&crate::vault::DatabaseKey::format_pragmas("rekeyed"))?;
            let copied = (|| -> Result<String> {
                conn.execute_batch("BEGIN IMMEDIATE")?;
                conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
                let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
                conn.execute_batch(&format!("PRAGMA rekeyed.user_version = {version}"))?;
                conn.execute_batch("COMMIT")?;
                Ok(conn.query_row("PRAGMA rekeyed.integrity_check", [], |r| r.get(0))?)
            })();
            if copied.is_err() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            let _ = conn.execute_batch("DETACH DATABASE rekeyed");
            match copied? {
                ok if ok == "ok" => Ok(()),
                problem => {
                    Err(Error::Corrupt(format!("the encrypted copy does not pass its integrity check: {problem}")))
                }
            }
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
}

/// The write-ahead log holds no frame (absent, or emptied by a TRUNCATE checkpoint).
fn wal_is_empty(db: &Path) -> Result<bool> {
    let mut wal = db.as_os_str().to_os_string();
    wal.push("-wal");
    match std::fs::metadata(&wal) {
        Ok(meta) => Ok(meta.len() == 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Error::io(format!("cannot read {}", Path::new(&wal).display()), e)),
    }
}

/// The main database file read through the connection's own handle: the VFS's `xRead`, below SQLCipher's codec,
/// so the bytes as stored. Not through a descriptor of this program's own: closing it would drop every POSIX lock
/// this process holds on the file (SQLite's among them), and another process could then take itself for the last
/// one open and checkpoint into the file while it is being copied.
struct StoredFile<'c> {
    file: *mut rusqlite::ffi::sqlite3_file,
    read: unsafe extern "C" fn(*mut rusqlite::ffi::sqlite3_file, *mut std::ffi::c_void, i32, i64) -> i32,
    at: u64,
    len: u64,
    _conn: std::marker::PhantomData<&'c Connection>,
}

impl StoredFile<'_> {
    fn of(conn: &Connection) -> Result<StoredFile<'_>> {
        use rusqlite::ffi;
        let unavailable = || Error::Database("SQLite does not hand out the database file to copy".into());
        let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
        // SAFETY: a live connection; FILE_POINTER only writes the main database's open file into `file`, which
        // stays valid while the connection is open (borrowed for as long as the reader lives).
        let rc = unsafe {
            ffi::sqlite3_file_control(
                conn.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&raw mut file).cast(),
            )
        };
        // SAFETY: checked non-null; an open file's methods live as long as it.
        let methods = match rc {
            ffi::SQLITE_OK if !file.is_null() => unsafe { (*file).pMethods },
            _ => return Err(unavailable()),
        };
        // SAFETY: checked non-null; the VFS's table of methods of an open file.
        let (read, size) = match unsafe { methods.as_ref() } {
            Some(m) => (m.xRead.ok_or_else(unavailable)?, m.xFileSize.ok_or_else(unavailable)?),
            None => return Err(unavailable()),
        };
        let mut len = 0i64;
        // SAFETY: the open file and a valid place for its size.
        if unsafe { size(file, &mut len) } != ffi::SQLITE_OK {
            return Err(unavailable());
        }
        let len = u64::try_from(len).map_err(|_| unavailable())?;
        Ok(StoredFile { file, read, at: 0, len, _conn: std::marker::PhantomData })
    }
}

impl std::io::Read for StoredFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.len - self.at).min(buf.len() as u64).min(i32::MAX as u64);
        if n == 0 {
            return Ok(0);
        }
        let (n_int, at) = (n as i32, self.at as i64);
        // SAFETY: the open file (its connection outlives `self`), `n` writable bytes of `buf`, an offset in the
        // file as sized when the copy began.
        let rc = unsafe { (self.read)(self.file, buf.as_mut_ptr().cast(), n_int, at) };
        if rc != rusqlite::ffi::SQLITE_OK {
            return Err(std::io::Error::other(format!("SQLite could not read the database (code {rc})")));
        }
        self.at += n;
        Ok(n as usize)
    }
}

/// `file:` URI of `path`, read-only and immutable (SQLite URIs escape `%`, `?` and `#` in the path).
fn database_facts(conn: &Connection) -> Result<super::DatabaseFacts> {
    let count = |table: &str| -> Result<u64> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(super::DatabaseFacts {
        schema_version: migrate::newest_applied(conn)?.unwrap_or(0),
        requests: count("requests")?,
        events: count("events")?,
    })
}

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

impl Backend for Sqlite {
    fn path(&self) -> &Path {
        &self.path
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn read(&self, f: &mut dyn FnMut(&dyn Read) -> Result<()>) -> Result<()> {
        Sqlite::read(self, |r| f(r))
    }

    fn write(&self, f: &mut dyn FnMut(&dyn Write) -> Result<()>) -> Result<()> {
        Sqlite::write(self, |tx| f(tx))
    }

    fn checkpoint(&self) -> Result<()> {
        self.checkpoint_wal()
    }

    fn holds_register(&self, other: &Path, id: &str) -> bool {
        super::register::holds_register(other, id, self.key.as_ref())
    }

    fn rows_out(
        &self,
        table: &str,
        columns: &[&str],
        each: &mut dyn FnMut(&[super::value::Cell<'_>]) -> Result<()>,
    ) -> Result<()> {
        use super::value::Cells;
        let names = super::copy::engine_columns(columns, "rowid");
        // Tables without a rowid are few and small (`row_facts`): their key orders them.
        let order = if table == "row_facts" { "request_id" } else { "rowid" };
        let sql = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
        Sqlite::read(self, |r| {
            let mut stmt = r.conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let cells = (0..names.len()).map(|i| row.cell(i)).collect::<Result<Vec<_>>>()?;
                each(&cells)?;
            }
            Ok(())
        })
    }

    fn rows_in(&self, fill: &mut dyn FnMut(&mut dyn super::copy::RowSink) -> Result<()>) -> Result<()> {
        Sqlite::write(self, |tx| {
            let mut loader = super::load::Loader::begin(tx)?;
            fill(&mut loader)
        })
    }

    fn export_encrypted(&self, target: &Path, key: &crate::vault::DatabaseKey) -> Result<()> {
        Sqlite::export_encrypted(self, target, key)
    }

    fn snapshot(
        &self,
        copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>,
    ) -> Result<super::DatabaseFacts> {
        Sqlite::snapshot(self, copy)
    }

    fn facts(&self) -> Result<super::DatabaseFacts> {
        Sqlite::facts(self)
    }
}

/// [`Read`] for a reader and for a transaction (through its reader): one line a method, onto the inherent query of
/// the same name and arguments in this folder's files.
macro_rules! impl_read {
    ($t:ty) => {
        impl Read for $t {
            fn request(&self, id_or_reference: &str) -> Result<Request> {
                self.as_reader().request(id_or_reference)
            }

            fn list(&self, q: &Query) -> Result<Page<RequestRow>> {
                self.as_reader().list(q)
            }

            fn count(&self, q: &Query) -> Result<u64> {
                self.as_reader().count(q)
            }

            fn request_ids(&self) -> Result<Vec<String>> {
                self.as_reader().request_ids()
            }

            fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
                self.as_reader().open_requests(calendar, after, limit)
            }

            fn setting(&self, key: &str) -> Result<Option<String>> {
                self.as_reader().setting(key)
            }

            fn events(&self, request_id: &Uuid) -> Result<Vec<Event>> {
                self.as_reader().events(request_id)
            }

            fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
                self.as_reader().chained_events(request_id)
            }

            fn verify_chain(&self) -> Result<ChainWalk> {
                self.as_reader().verify_chain()
            }

            fn verify_rows(&self) -> Result<RowsCheck> {
                self.as_reader().verify_rows()
            }

            fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)> {
                self.as_reader().verify_chain_and_rows()
            }

            fn trigger_problems(&self) -> Result<Vec<TriggerProblem>> {
                self.as_reader().trigger_problems()
            }

            fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
                self.as_reader().checkpoints()
            }

            fn hash_at(&self, seq: i64) -> Result<HeadAt> {
                self.as_reader().hash_at(seq)
            }

            fn events_after(&self, seq: i64) -> Result<u64> {
                self.as_reader().events_after(seq)
            }

            fn register_events(&self, kind: &str) -> Result<Vec<String>> {
                self.as_reader().register_events(kind)
            }

            fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>> {
                self.as_reader().recent_register_events(limit)
            }

            fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
                self.as_reader().register_event_data(kind)
            }

            fn chain_head(&self) -> Result<(i64, String, u64)> {
                self.as_reader().chain_head()
            }

            fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>> {
                self.as_reader().attachments(request_id)
            }

            fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
                self.as_reader().checklist(request_id)
            }

            fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>> {
                self.as_reader().disclosures(request_id)
            }

            fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>> {
                self.as_reader().identity_checks(request_id)
            }

            fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>> {
                self.as_reader().evidence_to_purge(closed_by, request)
            }

            fn requester(&self, id: &str) -> Result<Option<RequesterRecord>> {
                self.as_reader().requester(id)
            }

            fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
                self.as_reader().requester_history(requester_id, limit)
            }

            fn requests_of_between(
                &self,
                requester_id: &str,
                since: Date,
                until: Date,
                except: &str,
            ) -> Result<Vec<RequestRow>> {
                self.as_reader().requests_of_between(requester_id, since, until, except)
            }

            fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
                self.as_reader().open_of_kind(requester_id, kind, except)
            }

            fn links(&self, request_id: &str) -> Result<Vec<RequestLink>> {
                self.as_reader().links(request_id)
            }

            fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>> {
                self.as_reader().blocked_sender(email)
            }

            fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
                self.as_reader().blocked_senders()
            }

            fn systems(&self) -> Result<Vec<System>> {
                self.as_reader().systems()
            }

            fn system(&self, id_or_name: &str) -> Result<Option<System>> {
                self.as_reader().system(id_or_name)
            }

            fn templates(&self) -> Result<Vec<TemplateRow>> {
                self.as_reader().templates()
            }

            fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>> {
                self.as_reader().template(stage, kind, lang)
            }

            fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>> {
                self.as_reader().due_messages(now, every_queued, limit)
            }
            fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>> {
                self.as_reader().pending_sent_copies(limit)
            }

            fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
                self.as_reader().outbox(request_id, limit)
            }

            fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
                self.as_reader().outbox_item(id)
            }

            fn message_eml(&self, id: &str) -> Result<Vec<u8>> {
                self.as_reader().message_eml(id)
            }

            fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>> {
                self.as_reader().message_kept(id)
            }

            fn undelivered(&self) -> Result<u64> {
                self.as_reader().undelivered()
            }

            fn mail_message(&self, id: &str) -> Result<Option<MailMessage>> {
                self.as_reader().mail_message(id)
            }

            fn mail_messages(
                &self,
                state: Option<&str>,
                request_id: Option<&str>,
                limit: u32,
            ) -> Result<Vec<MailMessage>> {
                self.as_reader().mail_messages(state, request_id, limit)
            }

            fn mail_count(&self, state: &str) -> Result<u64> {
                self.as_reader().mail_count(state)
            }

            fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32> {
                self.as_reader().mail_last_uid(folder, uidvalidity)
            }

            fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool> {
                self.as_reader().mail_taken(folder, uidvalidity, uid)
            }

            fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>> {
                self.as_reader().mail_not_done(folder, uidvalidity)
            }

            fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>> {
                self.as_reader().request_of_message_ids(ids)
            }

            fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
                self.as_reader().imported_as(import_key)
            }

            fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>> {
                self.as_reader().imports(limit)
            }

            fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
                self.as_reader().calendar_days()
            }

            fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>> {
                self.as_reader().calendar_days_by_code()
            }

            fn each_log_record(
                &self,
                from: Date,
                to: Date,
                each: &mut dyn FnMut(LogRecord) -> Result<()>,
            ) -> Result<u64> {
                self.as_reader().each_log_record(from, to, each)
            }

            fn each_metric_record(
                &self,
                from: Date,
                to: Date,
                regime: Option<&str>,
                each: &mut dyn FnMut(MetricRecord),
            ) -> Result<()> {
                self.as_reader().each_metric_record(from, to, regime, each)
            }

            fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
                self.as_reader().requests_to_purge(cutoff, limit)
            }

            fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
                self.as_reader().count_to_purge(cutoff)
            }

            fn count_purged(&self) -> Result<u64> {
                self.as_reader().count_purged()
            }

            fn accounts(&self) -> Result<Vec<Account>> {
                self.as_reader().accounts()
            }

            fn owner_counts(&self, today: &str) -> Result<Vec<OwnerCount>> {
                self.as_reader().owner_counts(today)
            }
        }
    };
}

/// What both a reader and a transaction can query through.
trait AsReader {
    fn as_reader(&self) -> Reader<'_>;
}

impl AsReader for Reader<'_> {
    fn as_reader(&self) -> Reader<'_> {
        *self
    }
}

impl AsReader for Tx<'_> {
    fn as_reader(&self) -> Reader<'_> {
        self.reader()
    }
}

impl_read!(Reader<'_>);
impl_read!(Tx<'_>);

impl Write for Tx<'_> {
    fn begin_bulk(&self) -> Result<()> {
        Tx::begin_bulk(self)
    }

    fn end_bulk(&self) -> Result<()> {
        Tx::end_bulk(self)
    }

    fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        Tx::next_reference(self, year)
    }

    fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        Tx::insert_request(self, r, ref_seq, import_key)
    }

    fn update_request(&self, r: &Request) -> Result<()> {
        Tx::update_request(self, r)
    }

    fn update_dates(&self, r: &Request) -> Result<()> {
        Tx::update_dates(self, r)
    }

    fn add_account(&self, account: &Account, login: NewLogin<'_>) -> Result<()> {
        Tx::add_account(self, account, login)
    }

    fn change_account(&self, before: &Account, after: &Account) -> Result<()> {
        Tx::change_account(self, before, after)
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        Tx::set_setting(self, key, value)
    }

    fn delete_setting(&self, key: &str) -> Result<()> {
        Tx::delete_setting(self, key)
    }

    fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        Tx::append_event(self, request_id, at, actor, kind, data)
    }

    fn append_register_event(&self, at: &str, actor: &str, kind: &str, data: &serde_json::Value) -> Result<Event> {
        Tx::append_register_event(self, at, actor, kind, data)
    }

    fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()> {
        Tx::insert_checkpoint(self, at, reason, body, signature)
    }

    fn restore_triggers(&self) -> Result<Vec<TriggerProblem>> {
        Tx::restore_triggers(self)
    }

    fn purge_request(&self, id: &str, at: &str) -> Result<Purged> {
        Tx::purge_request(self, id, at)
    }

    fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()> {
        Tx::insert_attachment(self, request_id, a)
    }

    fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()> {
        Tx::remove_attachment(self, request_id, id)
    }

    fn strip_stored_names(&self) -> Result<u64> {
        Tx::strip_stored_names(self)
    }

    fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()> {
        Tx::add_checklist_items(self, request_id, items)
    }

    fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()> {
        Tx::update_checklist_item(self, i)
    }

    fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()> {
        Tx::insert_disclosure(self, request_id, d)
    }

    fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool> {
        Tx::delete_disclosure(self, request_id, id)
    }

    fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()> {
        Tx::insert_identity_check(self, request_id, c)
    }

    fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()> {
        Tx::mark_evidence_purged(self, evidence_id, on)
    }

    fn resolve_requester(&self, r: &Request, now: &str) -> Result<String> {
        Tx::resolve_requester(self, r, now)
    }

    fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()> {
        Tx::forget_requester_if_unused(self, requester_id)
    }

    fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Tx::set_link(self, request_id, other_id, relation, note, at, actor)
    }

    fn remove_link(&self, a: &str, b: &str) -> Result<()> {
        Tx::remove_link(self, a, b)
    }

    fn remove_duplicate_links(&self, request_id: &str) -> Result<()> {
        Tx::remove_duplicate_links(self, request_id)
    }

    fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()> {
        Tx::block_sender(self, email, reason, at, actor)
    }

    fn unblock_sender(&self, email: &str) -> Result<bool> {
        Tx::unblock_sender(self, email)
    }

    fn insert_system(&self, s: &System, at: &str) -> Result<()> {
        Tx::insert_system(self, s, at)
    }

    fn update_system(&self, s: &System, at: &str) -> Result<()> {
        Tx::update_system(self, s, at)
    }

    fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()> {
        Tx::seed_templates(self, defaults, at)
    }

    fn save_template(&self, t: &TemplateRow) -> Result<()> {
        Tx::save_template(self, t)
    }

    fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()> {
        Tx::queue_message(self, item, eml, kept)
    }

    fn keep_delivered_copy(&self, id: &str) -> Result<bool> {
        Tx::keep_delivered_copy(self, id)
    }

    fn claim_message(&self, id: &str, now: &str, until: &str) -> Result<bool> {
        Tx::claim_message(self, id, now, until)
    }

    fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()> {
        Tx::set_sent_copy(self, id, state, error)
    }
    fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()> {
        Tx::finish_message(self, id, state, next_attempt_at, last_error, sent_at)
    }

    fn record_import(&self, r: &ImportRecord) -> Result<()> {
        Tx::record_import(self, r)
    }

    fn insert_mail_message(&self, m: &MailMessage) -> Result<()> {
        Tx::insert_mail_message(self, m)
    }

    fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Tx::decide_mail(self, id, state, request_id, reason, at, actor)
    }

    fn mark_mail_done(&self, id: &str) -> Result<()> {
        Tx::mark_mail_done(self, id)
    }

    fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64> {
        Tx::forget_set_aside_mail(self, cutoff)
    }

    fn log_calendar_day(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Tx::log_calendar_day(self, calendar, day, label, added, reason, at, actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader on an older state (an export in another connection) holds the snapshot back only while it reads.
    #[test]
    fn a_snapshot_waits_for_a_long_reader_then_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.sqlite3");
        let store = Sqlite::open(&db, "2026-01-01T00:00:00Z", None).unwrap();
        let other = Connection::open(&db).unwrap();
        other.execute_batch("INSERT OR REPLACE INTO settings(key, value) VALUES ('test.note', 'one')").unwrap();
        other.execute_batch("BEGIN; SELECT count(*) FROM settings;").unwrap();
        // A commit after the read began: the reader is now on an older state, and the log cannot be emptied.
        let writer = Connection::open(&db).unwrap();
        writer.execute_batch("INSERT OR REPLACE INTO settings(key, value) VALUES ('test.note', 'two')").unwrap();
        let started = std::time::Instant::now();
        let reader = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(2));
            other.execute_batch("COMMIT").unwrap();
        });
        let mut bytes = Vec::new();
        let copy = &mut |r: &mut dyn std::io::Read, _len: u64| {
            r.read_to_end(&mut bytes).unwrap();
            Ok(())
        };
        store.snapshot_within(std::time::Duration::from_millis(300), copy).unwrap_err();
        store.snapshot(copy).unwrap();
        reader.join().unwrap();
        assert!(started.elapsed() >= std::time::Duration::from_secs(2));
        assert!(bytes.starts_with(b"SQLite format 3\0"));
    }
}
