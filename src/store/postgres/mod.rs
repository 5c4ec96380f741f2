//! The PostgreSQL implementation of the store's traits (the team edition, issue 18): a register held by a
//! PostgreSQL 15+ server that several officers' apps use at once.
//!
//! One [`Postgres`] is a small pool of connections (the blocking `postgres` client: each runs tokio-postgres on a
//! runtime of its own, so the core stays synchronous). A read is one `REPEATABLE READ, READ ONLY` transaction (one
//! snapshot, like SQLite's read transaction); a write is one `READ COMMITTED` transaction that first takes the
//! register's write lock (`pg_advisory_xact_lock`), so writers are serialised as the store's contract says (the
//! audit chain has one head) whichever app or process they run in, and the lock goes with the transaction: a client
//! killed mid-write holds nothing. Values keep the SQLite register's forms (see `migrations/postgres/0001`).
//!
//! The queries are inherent methods of [`Pg`] in the files beside this one, one per concern; `traits.rs` maps the
//! store's traits onto them, one line a method.

mod accounts;
mod audit;
mod connect;
mod export;
mod files;
mod load;
mod migrate;
mod parts;
mod queue;
mod requesters;
mod requests;
mod responses;
#[cfg(test)]
pub(crate) mod testing;
mod traits;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Row};

pub use connect::Target;
pub use migrate::{MIGRATIONS, latest_version};

use super::DatabaseFacts;
use crate::error::{Error, Result};

const POOL_IDLE: usize = 4;
/// The key of the register's write lock (`pg_advisory_xact_lock`): one writer at a time, in every app.
const WRITE_LOCK: i64 = 0x5244_5752; // "RDWR"
/// How long after one announcement the next still counts as the same burst of changes.
const BURST: std::time::Duration = std::time::Duration::from_millis(100);
/// The channel every write announces itself on (`LISTEN rightsdesk_changes`).
const CHANGES: &str = "rightsdesk_changes";

/// A register on a PostgreSQL server: where it is and a small pool of connections to it.
pub struct Postgres {
    pool: Arc<Pool>,
    /// The register named as a person reads it (the connection string without its password): what
    /// `Backend::path` gives, and every message says.
    shown: PathBuf,
    /// This login may read the register but not change it (an auditor's): writes are refused.
    read_only: bool,
    /// The login connected (`session_user`): the account every event is written by.
    login: String,
}

/// Where the server is and the connections kept open to it, shared with the register's files (`files.rs`).
pub(crate) struct Pool {
    target: Target,
    idle: Mutex<Vec<Client>>,
}

impl Pool {
    fn take(&self) -> Result<Client> {
        let idle = self.idle.lock().map_err(|_| Error::Database("the connection pool is poisoned".into()))?.pop();
        match idle {
            Some(client) if !client.is_closed() => Ok(client),
            _ => self.target.connect(),
        }
    }

    fn put_back(&self, client: Client) {
        if client.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < POOL_IDLE
        {
            idle.push(client);
        }
    }
}

/// A transaction on the register: a read (a snapshot) or a write (the register's write lock held). The queries of
/// every concern are inherent methods of this type.
pub struct Pg<'a> {
    tx: RefCell<postgres::Transaction<'a>>,
    writable: bool,
}

impl Postgres {
    /// Connect to the register named by `target`, create its schema on an empty database or bring it up to date,
    /// and refuse one written by a newer Rightsdesk before anything is written.
    pub fn open(target: Target, now: &str) -> Result<Postgres> {
        let shown = PathBuf::from(target.shown());
        let mut client = target.connect()?;
        let read_only = !migrate::may_write(&mut client)?;
        let upgrading = !migrate::is_current(&mut client)?;
        if read_only {
            migrate::require_current(&mut client, &shown)?;
        } else {
            migrate::migrate(&mut client, now)?;
        }
        let login: String = client.query_one("SELECT session_user::text", &[])?.try_get(0)?;
        let pool = Arc::new(Pool { target, idle: Mutex::new(Vec::new()) });
        pool.put_back(client);
        let postgres = Postgres { pool, shown, read_only, login };
        if upgrading && !read_only {
            // After a migration the owner's app brings the team's roles in step with the schema (a table it added
            // gets its grants and policies); nothing to do before the first account made them.
            let mut owner = false;
            postgres.read_with(&mut |pg| {
                owner = pg.owns_register()? && pg.roles_made()?;
                Ok(())
            })?;
            if owner {
                postgres.write_with(&mut |pg| pg.apply_roles(false))?;
            }
        }
        Ok(postgres)
    }

    fn take(&self) -> Result<Client> {
        self.pool.take()
    }

    fn put_back(&self, client: Client) {
        self.pool.put_back(client)
    }

    /// Run `f` in a transaction of the given kind; commit when it returns `Ok` (a read commits nothing).
    fn run(&self, writable: bool, f: &mut dyn FnMut(&Pg) -> Result<()>) -> Result<()> {
        let mut client = self.take()?;
        let result = (|| {
            let mut builder = client.build_transaction();
            builder = if writable {
                builder.isolation_level(IsolationLevel::ReadCommitted)
            } else {
                builder.isolation_level(IsolationLevel::RepeatableRead).read_only(true)
            };
            let mut tx = builder.start()?;
            if writable {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
            }
            let pg = Pg { tx: RefCell::new(tx), writable };
            f(&pg)?;
            if writable {
                // Delivered to every listening app when (and only if) this transaction commits.
                pg.one("SELECT pg_notify($1, '')", &[&CHANGES])?;
            }
            pg.tx.into_inner().commit()?;
            Ok(())
        })();
        // A transaction that failed was rolled back when dropped; the connection stays usable unless it broke.
        self.put_back(client);
        result
    }

    pub(crate) fn read_with(&self, f: &mut dyn FnMut(&Pg) -> Result<()>) -> Result<()> {
        self.run(false, f)
    }

    pub(crate) fn write_with(&self, f: &mut dyn FnMut(&Pg) -> Result<()>) -> Result<()> {
        self.run(true, f)
    }

    fn facts(&self) -> Result<DatabaseFacts> {
        let mut facts = None;
        self.read_with(&mut |pg| {
            let row = pg.one(
                "SELECT (SELECT max(version) FROM rightsdesk_migrations), (SELECT count(*) FROM requests),
                        (SELECT count(*) FROM events)",
                &[],
            )?;
            facts = Some(DatabaseFacts {
                schema_version: row.try_get::<_, Option<i64>>(0)?.unwrap_or(0),
                requests: count(&row, 1)?,
                events: count(&row, 2)?,
            });
            Ok(())
        })?;
        facts.ok_or_else(|| Error::Database("the facts were not read".into()))
    }

    /// After a purge: the server keeps overwritten row versions until VACUUM reclaims them; run it on the tables a
    /// purge changes (outside a transaction, as PostgreSQL requires).
    fn vacuum_purged(&self) -> Result<()> {
        let mut client = self.take()?;
        let result = client
            .batch_execute("VACUUM requests, events, attachments, evidence, identity_checks, disclosures, outbox")
            .map_err(Error::from);
        self.put_back(client);
        result
    }
}

impl Pg<'_> {
    /// Every row of a query (small results only: lists with a limit, a request's parts).
    pub(crate) fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        Ok(self.tx.borrow_mut().query(sql, params)?)
    }

    /// The one row a query gives (`Error::Database` if it gives none).
    pub(crate) fn one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        Ok(self.tx.borrow_mut().query_one(sql, params)?)
    }

    pub(crate) fn optional(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        Ok(self.tx.borrow_mut().query_opt(sql, params)?)
    }

    /// Run a statement; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.refuse_unless_writable()?;
        Ok(self.tx.borrow_mut().execute(sql, params)?)
    }

    /// Run one statement for each set of parameters, prepared once (a round trip per row, not two); the rows
    /// changed.
    pub(crate) fn execute_each(&self, sql: &str, each: &[Vec<&(dyn ToSql + Sync)>]) -> Result<u64> {
        self.refuse_unless_writable()?;
        if each.is_empty() {
            return Ok(0);
        }
        let mut tx = self.tx.borrow_mut();
        let statement = tx.prepare(sql)?;
        let mut changed = 0;
        for params in each {
            changed += tx.execute(&statement, params)?;
        }
        Ok(changed)
    }

    /// Hand every row of a query to `each` as the server sends them, never holding the whole result.
    pub(crate) fn each_row(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        each: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Result<u64> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut tx = self.tx.borrow_mut();
        let mut rows = tx.query_raw(sql, params.iter().copied())?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(&row)?;
            n += 1;
        }
        Ok(n)
    }

    fn refuse_unless_writable(&self) -> Result<()> {
        if self.writable { Ok(()) } else { Err(Error::Database("a change was attempted inside a read".into())) }
    }
}

/// A `count(*)` or other non-negative bigint column as the store's `u64`.
pub(crate) fn count(row: &Row, i: usize) -> Result<u64> {
    let n: i64 = row.try_get(i)?;
    u64::try_from(n).map_err(|_| Error::Corrupt(format!("a count of {n}")))
}

impl super::Backend for Postgres {
    fn path(&self) -> &Path {
        &self.shown
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn login(&self) -> Option<&str> {
        Some(&self.login)
    }

    fn read(&self, f: &mut dyn FnMut(&dyn super::Read) -> Result<()>) -> Result<()> {
        self.read_with(&mut |pg| f(pg))
    }

    fn write(&self, f: &mut dyn FnMut(&dyn super::Write) -> Result<()>) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly(format!(
                "{} (this login may read the register, not change it)",
                self.shown.display()
            )));
        }
        self.write_with(&mut |pg| f(pg))
    }

    fn checkpoint(&self) -> Result<()> {
        self.vacuum_purged()
    }

    fn holds_register(&self, _other: &Path, _id: &str) -> bool {
        // A server's database is not copied byte for byte beside another: no copy to tell from a move.
        false
    }

    fn snapshot(&self, _copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>) -> Result<DatabaseFacts> {
        Err(Error::refused(
            "a team register on a PostgreSQL server is backed up by the server (pg_dump or the server's own backups), \
             not by Rightsdesk",
        ))
    }

    fn facts(&self) -> Result<DatabaseFacts> {
        Postgres::facts(self)
    }

    fn rows_in(&self, fill: &mut dyn FnMut(&mut dyn super::copy::RowSink) -> Result<()>) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly(format!("{} (this login may not fill a register)", self.shown.display())));
        }
        self.write_with(&mut |pg| {
            let mut loader = load::Loader::begin(pg)?;
            fill(&mut loader)?;
            loader.finish()
        })
    }

    fn rows_out(
        &self,
        table: &str,
        columns: &[&str],
        each: &mut dyn FnMut(&[super::value::Cell<'_>]) -> Result<()>,
    ) -> Result<()> {
        use super::value::Cells;
        let names = super::copy::engine_columns(columns, "row_no");
        // The first column orders every table as SQLite's rowid does: insertion order (`row_no`, `seq`, `id`) or key.
        let sql = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
        self.read_with(&mut |pg| {
            pg.each_row(&sql, &[], &mut |row| {
                let cells = (0..names.len()).map(|i| row.cell(i)).collect::<Result<Vec<_>>>()?;
                each(&cells)
            })?;
            Ok(())
        })
    }

    fn changes(&self) -> Result<Option<Box<dyn super::ChangeFeed>>> {
        let mut client = self.pool.target.connect()?;
        client.batch_execute(&format!("LISTEN {CHANGES}"))?;
        Ok(Some(Box::new(Listener { client })))
    }

    fn server_files(&self) -> Option<Arc<dyn super::ServerFiles>> {
        Some(Arc::new(files::PgFiles { pool: self.pool.clone(), read_only: self.read_only }))
    }
}

/// A connection of its own that listens for the register's writes.
struct Listener {
    client: Client,
}

impl super::ChangeFeed for Listener {
    fn wait(&mut self, timeout: std::time::Duration) -> Result<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut notifications = self.client.notifications();
        let first = notifications.timeout_iter(timeout).next()?;
        if first.is_none() {
            return Ok(false);
        }
        // A burst of writes is one change to show: take what else arrives close behind it.
        while notifications.timeout_iter(BURST).next()?.is_some() {}
        Ok(true)
    }
}

/// PostgreSQL's errors mapped to the core's own kinds (`store::engine_error` does the same for SQLite).
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        use postgres::error::SqlState;
        let text = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.severity(), db.message()),
            None => e.to_string(),
        };
        match e.code() {
            Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
                Error::Busy(text)
            }
            Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE || *c == SqlState::QUERY_CANCELED => Error::Busy(text),
            Some(c) if c.code().starts_with("23") => Error::Constraint(text),
            // The server's grants, policies and triggers (the account's role) refused it.
            Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => Error::refused(format!(
                "your account's role does not allow this ({}); an admin of the team register can change it",
                e.as_db_error().map_or_else(|| e.to_string(), |db| db.message().to_string())
            )),
            Some(c) if *c == SqlState::DATA_CORRUPTED || *c == SqlState::INDEX_CORRUPTED => Error::Corrupt(text),
            _ => Error::Database(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::store::contract::Engine;

    /// Every committed write is announced to every listener; a write rolled back is not, and a quiet register
    /// announces nothing.
    #[test]
    fn listeners_hear_of_committed_writes_only() {
        let store = super::testing::PostgresEngine.fresh();
        let mut feed = store.backend().changes().unwrap().expect("a server announces changes");
        assert!(!feed.wait(Duration::from_millis(200)).unwrap(), "nothing yet");
        let _: crate::error::Result<()> = store.write(|tx| {
            tx.set_setting("contract.key", "x")?;
            Err(crate::error::Error::invalid("test", "undone"))
        });
        assert!(!feed.wait(Duration::from_millis(200)).unwrap(), "a rolled-back write says nothing");
        store.write(|tx| tx.set_setting("contract.key", "one")).unwrap();
        store.write(|tx| tx.set_setting("contract.key", "two")).unwrap();
        assert!(feed.wait(Duration::from_secs(5)).unwrap(), "a committed write is heard");
        // Two writes in a row are one burst, or at most two announcements on a slow machine; then quiet.
        let mut more = 0;
        while feed.wait(Duration::from_millis(300)).unwrap() {
            more += 1;
            assert!(more <= 1, "each write is announced once");
        }
    }
}
