//! The store: the boundary between the core and its database engine. The rest of the core sees only
//! [`Store`] (`read(|r| …)`, `write(|tx| …)`) and the traits [`Read`] and [`Write`], whose signatures name core
//! types alone: no SQL, no connection, no engine error (those are mapped to the core's kinds in `engine_error`).
//!
//! [`Backend`] is what an engine implements: the SQLite one is [`sqlite::Sqlite`] (the queries are in the files of
//! this folder, one per concern, beside the row types they return); a PostgreSQL edition implements the same three
//! traits in a folder of its own and runs the contract tests (`contract.rs`, written once) against itself.

mod accounts;
mod attachments;
mod audit;
mod bulk;
mod calendar_days;
mod checklist;
#[cfg(test)]
pub(crate) mod contract;
pub mod copy;
mod disclosures;
mod engine_error;
mod export;
mod identity;
mod imports;
mod last_states;
mod load;
mod mailbox;
pub mod migrate;
mod pipeline;
pub mod postgres;
mod queue;
mod register;
mod requesters;
mod requests;
mod responses;
mod retention;
pub mod sqlite;
pub mod value;

pub use requests::timestamp;

use std::collections::HashMap;
use std::path::Path;

use time::Date;
use uuid::Uuid;

use crate::domain::{Evidence, IdentityCheck, Request, RequestKind};
use crate::error::{Error, Result};

pub use accounts::{Account, NewLogin, OwnerCount, Role};
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
pub use mailbox::MailMessage;
pub use queue::{COUNT_CAP, OwnerFilter, Page, Query, QueueView, SEARCH_CAP, Sort, Total};
pub use requesters::{BlockedSender, RequestLink, RequesterRecord, normalise_phone};
pub use requests::{Dashboard, RequestRow};
pub use responses::{DefaultTemplate, OutboxItem, TemplateRow};
pub use retention::Purged;

/// A database engine holding one register. Object-safe: [`Store`] holds it as `Box<dyn Backend>` and carries a
/// closure's value out of [`Backend::read`]/[`Backend::write`], so the core is written once for every engine.
///
/// Opening is each engine's own (a file path for SQLite, a connection string for a server): it brings the schema up
/// to date and refuses a newer one untouched (`Error::NewerDatabase`) before anything else.
pub trait Backend: Send + Sync {
    /// Where the register is: its database file (the register's folder of files is found beside it).
    fn path(&self) -> &Path;
    /// The register can be read but not changed by this user; `write` refuses with `Error::ReadOnly`.
    fn is_read_only(&self) -> bool;
    /// The login the engine connected as, which every change is recorded under (a server's; `None`: a file,
    /// written by whoever runs the app).
    fn login(&self) -> Option<&str> {
        None
    }
    /// Run `f` on a consistent view of the register.
    fn read(&self, f: &mut dyn FnMut(&dyn Read) -> Result<()>) -> Result<()>;
    /// Run `f` in one transaction that commits if it returns `Ok` and leaves nothing behind otherwise. Writers are
    /// serialised (the audit chain's append needs one head at a time): `f` runs once, never retried.
    fn write(&self, f: &mut dyn FnMut(&dyn Write) -> Result<()>) -> Result<()>;
    /// Make what a purge overwrote leave the engine's logs too (SQLite: empty the write-ahead log).
    fn checkpoint(&self) -> Result<()>;
    /// Whether `other`, a place of this engine's kind (another database file), holds the register `id`: how a
    /// byte copy of a register is told from a move. Read-only; anything unreadable answers `false`.
    fn holds_register(&self, other: &Path, id: &str) -> bool;
    /// Copy the whole register, as one consistent snapshot, into a new file at `target` encrypted under `key`
    /// (encrypting a plain register, rotating an encrypted one's key); the copy passes the engine's integrity check.
    /// Engines that encrypt at rest by other means refuse.
    fn export_encrypted(&self, target: &Path, key: &crate::vault::DatabaseKey) -> Result<()> {
        let _ = (target, key);
        Err(Error::refused("this register's engine is not encrypted by Rightsdesk"))
    }
    /// Hand `copy` a consistent copy of the database as it stands (a backup): its bytes as stored, as encrypted
    /// as the register is, and their length; and say what the copy holds. Writers carry on meanwhile.
    fn snapshot(&self, copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>) -> Result<DatabaseFacts>;
    /// What the database holds and whether the engine's own integrity check passes (a backup being verified).
    fn facts(&self) -> Result<DatabaseFacts>;
    /// Where the engine keeps the register's files itself (a server every officer's app reaches), if it does;
    /// `None`: they are in the register's folder beside the database file.
    fn server_files(&self) -> Option<std::sync::Arc<dyn ServerFiles>> {
        None
    }
    /// Word of every change committed to the register by any app, for an engine several apps share (a server);
    /// `None` where one app alone writes (a file).
    fn changes(&self) -> Result<Option<Box<dyn ChangeFeed>>> {
        Ok(None)
    }
    /// Hand every row of `table` to `each` (the named columns, in insertion order), for a copy of the register
    /// to another engine (`store::copy`; `copy::ROW_ORDER` names a request's insertion order).
    fn rows_out(
        &self,
        table: &str,
        columns: &[&str],
        each: &mut dyn FnMut(&[value::Cell<'_>]) -> Result<()>,
    ) -> Result<()> {
        let _ = (table, columns, each);
        Err(Error::refused("this register's engine cannot be copied from"))
    }
    /// Fill this register, which must hold no request and no event, with the rows `fill` hands the sink, in one
    /// transaction (the shipped defaults it was made with are replaced by the copied ones).
    fn rows_in(&self, fill: &mut dyn FnMut(&mut dyn copy::RowSink) -> Result<()>) -> Result<()> {
        let _ = fill;
        Err(Error::refused("this register's engine cannot be copied into"))
    }
}

/// Word of the changes other apps commit to a shared register (the team edition), so open windows show them.
pub trait ChangeFeed: Send {
    /// Wait up to `timeout` for changes committed since the last call; whether there were any.
    fn wait(&mut self, timeout: std::time::Duration) -> Result<bool>;
}

/// The register's files kept by its database server (the team edition), each named by its path inside the
/// register's folder (`attachments/<request>/<file>`), so that every officer's app reads the same files. Each write
/// is one transaction: a file is there whole or not at all, as a rename into place gives on disk.
pub trait ServerFiles: Send + Sync {
    /// Store `content` under `name`, whole; an existing file is replaced only with `replace`, else refused
    /// (`Error::Refused`). The number of bytes stored.
    fn put(&self, name: &str, content: &mut dyn std::io::Read, replace: bool) -> Result<u64>;
    /// The file's content, streamed (`Error::NotFound` if there is none).
    fn get(&self, name: &str) -> Result<Box<dyn std::io::Read + Send>>;
    /// Whether there is a file of that name.
    fn exists(&self, name: &str) -> Result<bool>;
    /// A second name for the same content (identity evidence taken from an attachment).
    fn copy(&self, from: &str, to: &str) -> Result<()>;
    /// Remove one file; false if there was none.
    fn remove(&self, name: &str) -> Result<bool>;
    /// Remove every file under the folder `prefix` (a request's files after a purge); how many.
    fn remove_under(&self, prefix: &str) -> Result<u64>;
    /// Every file's name, in order (a register copied back to a file).
    fn names(&self) -> Result<Vec<String>>;
}

/// What a database holds, as a backup's manifest records it and its verification checks it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatabaseFacts {
    /// The newest migration applied.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub schema_version: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events: u64,
}

/// The register as the core uses it: a [`Backend`] behind generic `read`/`write` that hand back the closure's
/// value (`desk.store().read(|r| r.request(id))`).
pub struct Store {
    backend: Box<dyn Backend>,
}

impl Store {
    /// Open (creating if needed) the SQLite database at `path` and bring its schema up to date. A database written
    /// by a newer Rightsdesk is refused before anything is written to it; a file this user cannot write is opened
    /// read-only.
    pub fn open(path: &Path, now: &str, key: Option<crate::vault::DatabaseKey>) -> Result<Store> {
        Ok(Store::new(Box::new(sqlite::Sqlite::open(path, now, key)?)))
    }

    pub fn new(backend: Box<dyn Backend>) -> Store {
        Store { backend }
    }

    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    pub fn path(&self) -> &Path {
        self.backend.path()
    }

    /// The register could not be written by this user: opened for reading only.
    pub fn is_read_only(&self) -> bool {
        self.backend.is_read_only()
    }

    pub fn read<T>(&self, f: impl FnOnce(&dyn Read) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut value = None;
        self.backend.read(&mut |r| {
            let f = f.take().ok_or_else(ran_twice)?;
            value = Some(f(r)?);
            Ok(())
        })?;
        value.ok_or_else(never_ran)
    }

    /// Run `f` in one transaction; commit if it returns `Ok`, roll back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&dyn Write) -> Result<T>) -> Result<T> {
        let mut f = Some(f);
        let mut value = None;
        self.backend.write(&mut |tx| {
            let f = f.take().ok_or_else(ran_twice)?;
            value = Some(f(tx)?);
            Ok(())
        })?;
        value.ok_or_else(never_ran)
    }

    /// Copy the write-ahead log into the database and empty it, so that pages a purge overwrote are not left in
    /// the log file.
    pub fn checkpoint_wal(&self) -> Result<()> {
        self.backend.checkpoint()
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|r| r.setting(key))
    }

    /// See [`Backend::snapshot`].
    pub fn snapshot(&self, copy: &mut dyn FnMut(&mut dyn std::io::Read, u64) -> Result<()>) -> Result<DatabaseFacts> {
        self.backend.snapshot(copy)
    }

    /// See [`Backend::facts`].
    pub fn facts(&self) -> Result<DatabaseFacts> {
        self.backend.facts()
    }

    /// See [`Backend::holds_register`].
    pub fn holds_register(&self, other: &Path, id: &str) -> bool {
        self.backend.holds_register(other, id)
    }
}

// A backend that ran a body twice or not at all broke the trait's contract: said as an engine failure, not a panic.
fn ran_twice() -> Error {
    Error::Database("the store ran a transaction's body twice".into())
}

fn never_ran() -> Error {
    Error::Database("the store returned without running the transaction's body".into())
}

/// Every read the core does, inside [`Store::read`] or a write transaction (which sees what it wrote).
///
/// Requests are named by id or reference where the argument says `id_or_reference`, else by id (a UUID's text).
/// Timestamps are RFC 3339 UTC text as [`timestamp`] writes them; days are [`Date`]s.
pub trait Read {
    // --- requests, the queue and the dashboard
    /// One request by id or reference; `Error::NotFound` if there is none.
    fn request(&self, id_or_reference: &str) -> Result<Request>;
    /// A page of the queue: filters, search (substring of reference, names, emails, account, description, notes),
    /// sort either way, applied by the engine. Pages follow each other by cursor (`Page::next`/`prev` given back as
    /// `after`/`before`, seeking on the sort key: the same cost at any depth; NULL due dates sort first ascending,
    /// last descending); `offset` still skips rows on a page without a cursor. A page without a cursor counts its
    /// matches up to [`COUNT_CAP`].
    fn list(&self, q: &Query) -> Result<Page<RequestRow>>;
    /// How many requests match `q`'s filters, exactly (its search, sort and page aside): the dashboard counts its
    /// views (`QueueView::narrow`) with it, so each number is the length of the list it opens.
    fn count(&self, q: &Query) -> Result<u64>;
    /// Every request's id, purged ones included, in insertion order.
    fn request_ids(&self) -> Result<Vec<String>>;
    /// Open requests (on `calendar`, or all) after the cursor `after` (0 to start), `limit` at a time, each with
    /// its cursor: for work over every open request without loading them all.
    fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>>;

    // --- settings
    /// One setting (inside a write transaction, as that transaction left it).
    fn setting(&self, key: &str) -> Result<Option<String>>;

    // --- the audit chain
    /// A request's events, in chain order.
    fn events(&self, request_id: &Uuid) -> Result<Vec<Event>>;
    /// A request's events with their links, in chain order.
    fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>>;
    /// Walk the whole chain in order and report the first broken link (purged events' gaps must each be named by a
    /// later purge record).
    fn verify_chain(&self) -> Result<ChainWalk>;
    /// Every request row against the state recorded by its last event.
    fn verify_rows(&self) -> Result<RowsCheck>;
    /// Both of the above in one read of the register (one snapshot), each as it would report alone: the chain
    /// walk keeps each request's last recorded state for the rows check.
    fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)>;
    /// The engine's append-only guards of the audit tables that are missing or not as shipped.
    fn trigger_problems(&self) -> Result<Vec<TriggerProblem>>;
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;
    /// The hash the chain holds at `seq` (a live or purged event).
    fn hash_at(&self, seq: i64) -> Result<HeadAt>;
    /// Events recorded after `seq`.
    fn events_after(&self, seq: i64) -> Result<u64>;
    /// The register's own events (request id empty), newest first, at most `limit`.
    fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>>;
    /// The register's own events of one kind, as "at: data", oldest first.
    fn register_events(&self, kind: &str) -> Result<Vec<String>>;
    /// The data of the register's own events of one kind, oldest first.
    fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>>;
    /// The newest link (sequence number and hash) and the number of live events.
    fn chain_head(&self) -> Result<(i64, String, u64)>;

    // --- a request's parts
    fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>>;
    fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>>;
    /// A request's disclosed items, by system, category and the order they were gathered in.
    fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>>;
    /// The identity checks of a request, oldest first, each with its evidence.
    fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>>;
    /// Evidence still kept for requests closed on or before `closed_by`, or for one request whatever its date.
    fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>>;

    // --- requesters
    fn requester(&self, id: &str) -> Result<Option<RequesterRecord>>;
    /// The person's requests, newest first.
    fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>>;
    /// Other requests of the same person received from `since` to `until` (repeats), oldest first.
    fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>>;
    /// Open requests of the same person and kind (the likely duplicates), oldest first.
    fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>>;
    /// The decisions recorded about this request and others, either way round.
    fn links(&self, request_id: &str) -> Result<Vec<RequestLink>>;
    fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>>;
    fn blocked_senders(&self) -> Result<Vec<BlockedSender>>;

    // --- the data map
    /// Systems in use first, then retired ones, each by name.
    fn systems(&self) -> Result<Vec<System>>;
    fn system(&self, id_or_name: &str) -> Result<Option<System>>;

    // --- templates and the outbox
    fn templates(&self) -> Result<Vec<TemplateRow>>;
    fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>>;
    /// Messages whose next attempt is due by `now` (queued, or left `sending` by a run that stopped), oldest first;
    /// with `every_queued`, also every queued message still waiting out its back-off (the officer's flush).
    fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>>;
    /// Sent messages whose copy the mailbox's Sent folder has not taken yet, oldest first.
    fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>>;
    fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>>;
    fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>>;
    /// The stored message, byte for byte as it is sent.
    fn message_eml(&self, id: &str) -> Result<Vec<u8>>;
    /// What is kept of the message once delivered in its place (its secret removed), if not the message itself.
    fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>>;
    /// Messages not yet delivered (queued, sending or failed).
    fn undelivered(&self) -> Result<u64>;

    // --- the mailbox
    fn mail_message(&self, id: &str) -> Result<Option<MailMessage>>;
    /// Messages taken from the mailbox, newest first: in one state (the tray: `tray`), of one request, or all.
    fn mail_messages(&self, state: Option<&str>, request_id: Option<&str>, limit: u32) -> Result<Vec<MailMessage>>;
    fn mail_count(&self, state: &str) -> Result<u64>;
    /// The highest UID taken from `folder` under this UIDVALIDITY (0 for none).
    fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32>;
    fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool>;
    /// Messages stored but not yet moved or flagged on the server (a fetch stopped between the two): id and UID.
    fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>>;
    /// The request a message with one of these Message-IDs (nearest first) belongs to: one we sent, or one taken
    /// and given to a request.
    fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>>;

    // --- imports and the calendar
    /// The reference of the request imported with this key, if any.
    fn imported_as(&self, import_key: &str) -> Result<Option<String>>;
    /// The latest import runs, newest first.
    fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>>;
    /// The organisation's days in force: for each (calendar, day), the latest declaration, if it added the day.
    fn calendar_days(&self) -> Result<Vec<CalendarDay>>;
    /// The same, grouped by calendar code.
    fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>>;

    // --- exports, streamed: each row is handed to `each` and never collected
    /// Every request received between `from` and `to` (inclusive) but spam, oldest first; the number of rows.
    fn each_log_record(&self, from: Date, to: Date, each: &mut dyn FnMut(LogRecord) -> Result<()>) -> Result<u64>;
    /// The facts the metrics count, for requests received in `[from, to]` under `regime` (all if `None`), spam
    /// and merged duplicates left out.
    fn each_metric_record(
        &self,
        from: Date,
        to: Date,
        regime: Option<&str>,
        each: &mut dyn FnMut(MetricRecord),
    ) -> Result<()>;

    // --- retention
    /// Up to `limit` requests closed before `cutoff` (a timestamp) and not yet purged, oldest first.
    fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>>;
    fn count_to_purge(&self, cutoff: &str) -> Result<u64>;
    fn count_purged(&self) -> Result<u64>;

    // --- the team's accounts and who works what
    /// Every account of the team, by login (none on a desk).
    fn accounts(&self) -> Result<Vec<Account>>;
    /// Open requests per owner (the unassigned ones under `None`), and how many of them are overdue on `today`.
    fn owner_counts(&self, today: &str) -> Result<Vec<OwnerCount>>;
}

/// Every write the core does, inside one transaction of [`Store::write`]; it reads too, seeing what it wrote.
pub trait Write: Read {
    // --- many new requests at once (an import, the demo seed)
    /// From here to `end_bulk` (at the latest, the commit) this transaction mostly inserts new requests: the engine
    /// may defer per-row upkeep (the search index) to `end_bulk` and remember lookups whose answer it knows. Every
    /// read and write gives the same results as without it.
    fn begin_bulk(&self) -> Result<()>;
    /// Finish what `begin_bulk` deferred (idempotent).
    fn end_bulk(&self) -> Result<()>;

    // --- requests
    /// The next reference number of `year` (RD-YEAR-NNNN), reserved inside this transaction.
    fn next_reference(&self, year: i32) -> Result<(i64, String)>;
    /// Insert a new request; `import_key` is set for imported rows (unique: a second import of the same row fails
    /// with `Error::Constraint`).
    fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()>;
    /// Write back everything that may change after creation (status, facts, derived dates, details).
    fn update_request(&self, r: &Request) -> Result<()>;
    /// Write back only the derived dates (a recomputation over many requests: kept cheap).
    fn update_dates(&self, r: &Request) -> Result<()>;

    // --- the team's accounts (a team register only: a desk refuses)
    /// Record `account` and give its login the role's rights on the server, making the login first if asked.
    fn add_account(&self, account: &Account, login: NewLogin<'_>) -> Result<()>;
    /// Change an account's name, email, role or disabled state, and its login's rights with it.
    fn change_account(&self, before: &Account, after: &Account) -> Result<()>;

    // --- settings
    fn set_setting(&self, key: &str, value: &str) -> Result<()>;
    fn delete_setting(&self, key: &str) -> Result<()>;

    // --- the audit chain: one head at a time, each event's hash covering the previous hash, the event and the
    // state of its request's row as this transaction left it (so the row is written before its event).
    fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event>;
    /// An event of the register itself (no request): a restored guard, an upgrade's record, a copied register.
    fn append_register_event(&self, at: &str, actor: &str, kind: &str, data: &serde_json::Value) -> Result<Event>;
    fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()>;
    /// Put back every append-only guard that is missing or altered; what was restored.
    fn restore_triggers(&self) -> Result<Vec<TriggerProblem>>;

    // --- retention
    /// Remove a request's personal data and events (keeping each event's place and hash), keep its anonymous
    /// facts. The caller appends the `purged` event afterwards.
    fn purge_request(&self, id: &str, at: &str) -> Result<Purged>;

    // --- a request's parts
    fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()>;
    /// Take a file off the request's attachments (the record; the caller moves the file). `Refused` while an item of
    /// the answer or a checklist proof names it, `NotFound` when the request has no such attachment.
    fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()>;
    /// Drop the person-given names from the stored paths of attachments and identity evidence
    /// (`<request>/<file id>-<name>` → `<request>/<file id>`): a register being encrypted keeps names in the database
    /// only. The number of paths changed.
    fn strip_stored_names(&self) -> Result<u64>;
    /// Add the given items to the request's checklist.
    fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()>;
    fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()>;
    fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()>;
    /// Remove one item; false if the request has no such item.
    fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool>;
    fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()>;
    fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()>;

    // --- requesters
    /// The record of the person who sent `r`: found by email, else phone, else account reference (filling in what
    /// it lacked), or created. Returns its id.
    fn resolve_requester(&self, r: &Request, now: &str) -> Result<String>;
    /// Delete a requester record no request points to any more.
    fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()>;
    fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()>;
    /// Remove the decision between two requests, either way round.
    fn remove_link(&self, a: &str, b: &str) -> Result<()>;
    /// A merged request taken back: it is no longer anyone's duplicate.
    fn remove_duplicate_links(&self, request_id: &str) -> Result<()>;
    fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()>;
    fn unblock_sender(&self, email: &str) -> Result<bool>;

    // --- the data map, templates, the outbox, imports, the calendar
    fn insert_system(&self, s: &System, at: &str) -> Result<()>;
    fn update_system(&self, s: &System, at: &str) -> Result<()>;
    /// Add the shipped templates that are not stored yet, and refresh defaults the officer never edited.
    fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()>;
    fn save_template(&self, t: &TemplateRow) -> Result<()>;
    /// Store a message for delivery; with `kept`, the copy that takes its place once it is delivered.
    fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()>;
    /// A delivered message is replaced by its kept copy, if it has one (true then).
    fn keep_delivered_copy(&self, id: &str) -> Result<bool>;
    /// Claim a message for an attempt until `until`: `sending`, one more attempt. A queued message is claimed; one
    /// left `sending` only once its last claim ran out by `now` (its sender stopped); false otherwise (someone else
    /// has it: two apps delivering one register never send a message twice).
    fn claim_message(&self, id: &str, now: &str, until: &str) -> Result<bool>;
    /// Where a sent message's copy in the Sent folder stands (`pending` with the last error, or `done`).
    fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()>;
    fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()>;
    fn record_import(&self, r: &ImportRecord) -> Result<()>;
    /// A message taken from the mailbox (its folder, UIDVALIDITY and UID unique: `Error::Constraint` if taken).
    fn insert_mail_message(&self, m: &MailMessage) -> Result<()>;
    /// The officer's decision about a message of the tray (`accepted`, `linked`, `dismissed`, `spam`).
    #[allow(clippy::too_many_arguments)]
    fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()>;
    /// The message was moved or flagged on the server.
    fn mark_mail_done(&self, id: &str) -> Result<()>;
    /// Messages set aside (not a request, spam) before `cutoff` lose what they said about a person (the retention
    /// purge); how many.
    fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64>;
    /// Declare a non-working day added (or removed, `added` false) on `calendar`: an append-only log.
    #[allow(clippy::too_many_arguments)]
    fn log_calendar_day(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()>;
}
