//! The audit trail: append-only events in one SHA-256 hash chain. Each event's hash covers the previous hash, the
//! event's stored text and the state of its request's row right after it, so editing, deleting or reordering any
//! event breaks the chain at that point, and a row changed without an event no longer matches its last event.
//! A retention purge removes events only with a chained record naming each one (`removed`), which `verify_chain`
//! requires for every gap. What this does and does not detect: docs/security.md.

use std::collections::{HashMap, HashSet};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::last_states::{Kept, LastStates, Recorded, RequestIds, Slot};
use super::pipeline;
use super::sqlite::{Reader, Tx};
use super::value::{Cell, Cells};
use crate::error::{Error, Result};
use crate::hash::hex;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Event {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub kind: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Unknown))]
    pub data: serde_json::Value,
    pub hash: String,
}

/// The versions of the row digest in events' `state`; `row_state` writes the newest, `verify_rows` reads both.
const STATE_V1: &str = "v1:";
pub(crate) const STATE_V2: &str = "v2:";
/// Every column of a request row up to schema 10, in the order the v1 digest reads them.
macro_rules! state_v1_columns {
    () => {
        "id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
    requester_name, requester_email, requester_phone, requester_address, requester_account, language, description,
    notes, outcome_reason, verified_on, fee_paid_on, pauses, extended_on, due_override, rule_kind, clock_start,
    acknowledge_by, due, extended_due, effective_due, internal_target, paused_days, is_open, created_at, updated_at,
    closed_at, agent, identity_requested_on, refusal_category, refusal_basis, external_id, import_key, requester_id,
    purged_at, purged_facts"
    };
}
const STATE_V1_COLUMNS: &str = state_v1_columns!();
/// The v2 digest: the v1 columns, then the log's facts (migration 0011). They come last, so the first
/// `v1_column_count()` columns of a v2 select are exactly the v1 state and one query serves both versions.
pub(crate) const STATE_V2_COLUMNS: &str = concat!(state_v1_columns!(), ", acknowledged_on, closed_from");

fn v1_column_count() -> usize {
    STATE_V1_COLUMNS.split(',').count()
}

/// The triggers that make the audit tables append-only, exactly as the migrations create them: checked by
/// `audit verify` and put back on open if missing or altered (`restore_triggers`).
pub const APPEND_ONLY_TRIGGERS: &[(&str, &str)] = &[
    (
        "events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only');
END",
    ),
    (
        "events_no_delete",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM purged_events p WHERE p.seq = old.seq AND p.hash = old.hash)
BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only (a retention purge keeps their place and hash)');
END",
    ),
    (
        "purged_events_no_update",
        "CREATE TRIGGER purged_events_no_update BEFORE UPDATE ON purged_events BEGIN
    SELECT RAISE (ABORT, 'the record of purged events is append-only');
END",
    ),
    (
        "purged_events_no_delete",
        "CREATE TRIGGER purged_events_no_delete BEFORE DELETE ON purged_events BEGIN
    SELECT RAISE (ABORT, 'the record of purged events is append-only');
END",
    ),
    (
        "checkpoints_no_update",
        "CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN
    SELECT RAISE (ABORT, 'checkpoints are append-only');
END",
    ),
    (
        "checkpoints_no_delete",
        "CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN
    SELECT RAISE (ABORT, 'checkpoints are append-only');
END",
    ),
    (
        "row_states_no_update",
        "CREATE TRIGGER row_states_no_update BEFORE UPDATE ON row_states BEGIN
    SELECT RAISE (ABORT, 'the record of row states is append-only');
END",
    ),
    (
        "row_states_no_delete",
        "CREATE TRIGGER row_states_no_delete BEFORE DELETE ON row_states BEGIN
    SELECT RAISE (ABORT, 'the record of row states is append-only');
END",
    ),
    (
        "calendar_days_no_update",
        "CREATE TRIGGER calendar_days_no_update BEFORE UPDATE ON calendar_days BEGIN
    SELECT RAISE (ABORT, 'the calendar log is append-only');
END",
    ),
    (
        "calendar_days_no_delete",
        "CREATE TRIGGER calendar_days_no_delete BEFORE DELETE ON calendar_days BEGIN
    SELECT RAISE (ABORT, 'the calendar log is append-only');
END",
    ),
];

// The arguments are the hashed fields themselves, in hash order: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn link_hash(
    prev: &str,
    id: &str,
    request_id: &str,
    at: &str,
    actor: &str,
    kind: &str,
    data: &str,
    state: Option<&str>,
) -> String {
    match state {
        // From schema 10 an event hashes its data's SHA-256 and its row's state: a purge keeps all but the data, so
        // the removed event's hash can still be recomputed and its request checked.
        Some(state) => {
            link_hash_of_digest(prev, id, request_id, at, actor, kind, &hex(&Sha256::digest(data.as_bytes())), state)
        }
        // Events written before schema 10 hash their data itself, as they always did.
        None => parts_hash(&[prev, id, request_id, at, actor, kind, data]),
    }
}

/// The hash of a schema-10 event from the SHA-256 of its data (what a purge keeps).
#[allow(clippy::too_many_arguments)]
pub(crate) fn link_hash_of_digest(
    prev: &str,
    id: &str,
    request_id: &str,
    at: &str,
    actor: &str,
    kind: &str,
    data_sha256: &str,
    state: &str,
) -> String {
    parts_hash(&[prev, id, request_id, at, actor, kind, data_sha256, state])
}

fn parts_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        // Length-prefixed, so no two different events hash the same text.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// The first place the chain does not hold, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainBreak {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    pub event_id: String,
    pub reference: Option<String>,
    pub problem: String,
}

/// The chain walked from the first event to the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainWalk {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_checked: u64,
    /// Events removed by a retention purge (or before schema 10, by an earlier purge), each named by a chained record.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_purged: u64,
    /// The newest link: the sequence number and hash the next event will chain to.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub head_seq: i64,
    pub head_hash: String,
    pub first_break: Option<ChainBreak>,
}

/// A request row that is not what its audit trail last recorded: changed without an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowMismatch {
    pub reference: String,
    pub problem: String,
}

/// Every request row against the state its last event recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowsCheck {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub checked: u64,
    /// Rows with no recorded state (neither in their last event nor in the upgrade's record): checked from their next
    /// change.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub unchecked: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub differing: u64,
    /// The first 100 that differ.
    pub rows: Vec<RowMismatch>,
}

/// Where a checkpoint's head is in the chain now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadAt {
    /// A live event or a purged one with this hash.
    Hash(String),
    /// No event ever had this sequence number (the chain was cut back).
    Missing,
}

/// A stored checkpoint: the exact signed text and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub id: i64,
    pub at: String,
    pub reason: String,
    pub body: String,
    pub signature: String,
}

/// An append-only trigger that is missing or not as shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TriggerProblem {
    pub name: String,
    /// `missing` or `altered`.
    pub problem: String,
}

/// Append one event in `tx`: chained to the newest event (live or purged), with its request row's state.
pub(crate) fn append(
    tx: &Connection,
    request_id: Option<&str>,
    at: &str,
    actor: &str,
    kind: &str,
    data: &serde_json::Value,
) -> Result<Event> {
    if let Some(request_id) = request_id {
        keep_log_facts(tx, request_id, at, kind, data)?;
    }
    let state = request_state(tx, request_id)?;
    append_after(tx, head(tx)?.1, request_id, state, at, actor, kind, data)
}

/// The state an event of `request_id` records (none for the register's own events).
fn request_state(tx: &Connection, request_id: Option<&str>) -> Result<Option<String>> {
    match request_id {
        Some(request_id) => {
            Ok(Some(row_state(tx, request_id)?.ok_or_else(|| Error::not_found("request", request_id.to_string()))?))
        }
        None => Ok(None),
    }
}

/// As `append`, chained to `prev`, the head as the caller knows it, with the request row's `state`.
#[allow(clippy::too_many_arguments)]
fn append_after(
    tx: &Connection,
    prev: String,
    request_id: Option<&str>,
    state: Option<String>,
    at: &str,
    actor: &str,
    kind: &str,
    data: &serde_json::Value,
) -> Result<Event> {
    let new = NewEvent::chained(prev, request_id, state, at, actor, kind, data)?;
    tx.prepare_cached(
        "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![new.id, request_id, at, actor, kind, new.data_text, new.prev, new.hash, new.state])?;
    Ok(new.stored(tx.last_insert_rowid()))
}

/// An event about to be stored: a new id, its data as the text that is hashed, and its hash chained to `prev` with
/// its request row's `state` — what every engine inserts.
pub(crate) struct NewEvent<'a> {
    pub(crate) id: String,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) at: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) kind: &'a str,
    data: &'a serde_json::Value,
    pub(crate) data_text: String,
    pub(crate) prev: String,
    pub(crate) hash: String,
    pub(crate) state: Option<String>,
}

impl<'a> NewEvent<'a> {
    pub(crate) fn chained(
        prev: String,
        request_id: Option<&'a str>,
        state: Option<String>,
        at: &'a str,
        actor: &'a str,
        kind: &'a str,
        data: &'a serde_json::Value,
    ) -> Result<NewEvent<'a>> {
        let id = new_event_id();
        let data_text = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
        let hash = link_hash(&prev, &id, request_id.unwrap_or(""), at, actor, kind, &data_text, state.as_deref());
        Ok(NewEvent { id, request_id, at, actor, kind, data, data_text, prev, hash, state })
    }

    /// The event as stored at `seq`.
    pub(crate) fn stored(self, seq: i64) -> Event {
        Event {
            seq,
            id: self.id,
            request_id: self.request_id.unwrap_or("").to_string(),
            at: self.at.to_string(),
            actor: self.actor.to_string(),
            kind: self.kind.to_string(),
            data: self.data.clone(),
            hash: self.hash,
        }
    }
}

/// An event's data as stored, read back (text that is not JSON, as a string).
pub(crate) fn event_data(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

#[cfg(test)]
thread_local! {
    /// Tests that compare chains across engines name their events in turn (`fixed_event_ids`).
    static FIXED_IDS: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// A new event's id: a UUID v7 (time-ordered).
pub(crate) fn new_event_id() -> String {
    #[cfg(test)]
    if let Some(n) = FIXED_IDS.get() {
        FIXED_IDS.set(Some(n + 1));
        return format!("00000000-0000-7000-8000-{n:012x}");
    }
    Uuid::now_v7().to_string()
}

/// From now on this thread's new events are named `…-000000000000`, `…-000000000001`, … (tests only): the same
/// appends then give the same chain on every engine.
#[cfg(test)]
pub(crate) fn fixed_event_ids() {
    FIXED_IDS.set(Some(0));
}

/// The newest link of the chain: a purged event keeps its place, so the next event chains to it even when the
/// whole end of the chain was purged.
fn head(conn: &Connection) -> Result<(i64, String)> {
    let newest = |sql: &str| -> Result<Option<(i64, String)>> {
        Ok(conn.prepare_cached(sql)?.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    };
    let live = newest("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")?;
    let purged = newest("SELECT seq, hash FROM purged_events ORDER BY seq DESC LIMIT 1")?;
    Ok(match (live, purged) {
        (Some(l), Some(p)) => {
            if l.0 > p.0 {
                l
            } else {
                p
            }
        }
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => (0, GENESIS.to_string()),
    })
}

/// The kinds of event that can establish a fact of the regulator's log.
const LOG_FACT_KINDS: [&str; 3] = ["response_sent", "attachment_added", "status_changed"];

/// Keep on the request's row the log's facts this event establishes, before its state is taken (so the event's
/// state covers them): the day of the first acknowledgement (emailed, or written as a letter) and the status of the
/// last move to `closed`. The tests are the very SQL the log export used to run over every event of a request
/// (migration 0011 back-fills with it), so the row holds what that query would read. Here, in the one function
/// every event goes through, no writer can forget them.
fn keep_log_facts(conn: &Connection, request_id: &str, at: &str, kind: &str, data: &serde_json::Value) -> Result<()> {
    if !LOG_FACT_KINDS.contains(&kind) || !may_set_log_fact(kind, data) {
        return Ok(());
    }
    let data = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
    conn.prepare_cached(LOG_FACTS_SQL)?.execute(params![request_id, kind, data, at])?;
    Ok(())
}

/// The update that keeps the log's facts on the row: ?1 request id, ?2 event kind, ?3 event data, ?4 its time.
const LOG_FACTS_SQL: &str = "UPDATE requests SET
            acknowledged_on = CASE
                WHEN (?2 = 'response_sent' AND json_extract(?3, '$.stage') = 'acknowledgement')
                  OR (?2 = 'attachment_added' AND json_extract(?3, '$.file_name') LIKE '%-acknowledgement-%.pdf')
                THEN min(coalesce(acknowledged_on, substr(?4, 1, 10)), substr(?4, 1, 10))
                ELSE acknowledged_on END,
            closed_from = CASE
                WHEN ?2 = 'status_changed' AND json_extract(?3, '$.to') = 'closed' THEN json_extract(?3, '$.from')
                ELSE closed_from END
          WHERE id = ?1";

/// What the update of `keep_log_facts` sets for an event, decided without SQL's JSON functions (for an engine
/// without SQLite's): the day it acknowledges (kept on the row if earlier than the row's), and whether it is a move
/// to `closed` with the status it came from. Each test is the one `LOG_FACTS_SQL` makes, with SQLite's meaning:
/// `json_extract` of a string is its text and of null nothing; `LIKE` folds ASCII letters only; `substr` counts
/// characters. A test checks the two agree on events of every shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LogFacts {
    pub(crate) acknowledged_on: Option<String>,
    pub(crate) closed_from: Option<Option<String>>,
}

pub(crate) fn log_facts(kind: &str, data: &serde_json::Value, at: &str) -> LogFacts {
    let text = |key: &str| data.get(key).and_then(serde_json::Value::as_str);
    let acknowledges = match kind {
        "response_sent" => text("stage") == Some("acknowledgement"),
        "attachment_added" => text("file_name").is_some_and(is_acknowledgement_file),
        _ => false,
    };
    let closes = kind == "status_changed" && text("to") == Some("closed");
    LogFacts {
        acknowledged_on: acknowledges.then(|| at.chars().take(10).collect()),
        closed_from: closes.then(|| data.get("from").and_then(json_extract_text)),
    }
}

/// `name LIKE '%-acknowledgement-%.pdf'` as SQLite tests it (ASCII letters in any case).
fn is_acknowledgement_file(name: &str) -> bool {
    const MARK: &[u8] = b"-acknowledgement-";
    let lower = name.as_bytes().to_ascii_lowercase();
    let Some(at) = lower.windows(MARK.len()).position(|w| w == MARK) else { return false };
    lower.ends_with(b".pdf") && lower.len() - 4 >= at + MARK.len()
}

/// What `json_extract` gives of a JSON value, as a TEXT column stores it: a string's text, a boolean or integer as
/// its digits, another number or a container as its JSON; null as nothing. (A fraction's text may differ from
/// SQLite's in form; no status is one.)
fn json_extract_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(u8::from(*b).to_string()),
        other => Some(other.to_string()),
    }
}

/// Whether the update of `keep_log_facts` can change the row for this event. A status change sets a fact only when
/// its `to` is the JSON string "closed" (what `json_extract(data, '$.to') = 'closed'` tests; for a status change
/// the acknowledgement's tests are false): skipping the others leaves the row as the update would, and writes
/// nothing, so a state known before the event still holds (a seeded request's status changes reuse it).
fn may_set_log_fact(kind: &str, data: &serde_json::Value) -> bool {
    kind != "status_changed" || data.get("to").and_then(serde_json::Value::as_str) == Some("closed")
}

/// The digest of a request row as it stands (None: no such row): each column's name, type and value,
/// length-prefixed, under the newest version tag.
fn row_state(conn: &Connection, request_id: &str) -> Result<Option<String>> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {STATE_V2_COLUMNS} FROM requests WHERE id = ?1"));
    let mut stmt = conn.prepare_cached(&SQL)?;
    let mut rows = stmt.query([request_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(digest_row(row, row.as_ref().column_count(), STATE_V2)?)),
        None => Ok(None),
    }
}

/// The v2 state digest of a row just inserted with `values` (column name, value), computed without reading it
/// back: every state column the insert does not name holds NULL (they have no default), and a TEXT or INTEGER
/// column keeps the text or integer bound to it, so this is `row_state` of the stored row byte for byte (a test
/// checks it over many random requests). `None` for a value this cannot tell the stored form of.
pub(super) fn inserted_state(values: &[(&'static str, rusqlite::types::ToSqlOutput<'_>)]) -> Option<String> {
    use rusqlite::types::ToSqlOutput;
    let mut input = Vec::with_capacity(2048);
    for name in STATE_V2_NAMES.iter() {
        let value = match values.iter().find(|(n, _)| n == name).map(|(_, v)| v) {
            None => ValueRef::Null,
            Some(ToSqlOutput::Borrowed(v)) => *v,
            Some(ToSqlOutput::Owned(v)) => ValueRef::from(v),
            Some(_) => return None,
        };
        // A real or a blob in a TEXT column may be stored otherwise than bound: read the row instead.
        if matches!(value, ValueRef::Real(_) | ValueRef::Blob(_)) {
            return None;
        }
        push_column(&mut input, name, value.into());
    }
    Some(state_digest(STATE_V2, &input))
}

/// The v2 state's column names, in order, as a select of `STATE_V2_COLUMNS` names them.
pub(crate) static STATE_V2_NAMES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| STATE_V2_COLUMNS.split(',').map(str::trim).collect());

/// The digest of the first `columns` columns of `row` (the state columns of `version`, in order), tagged
/// `version`.
fn digest_row(row: &rusqlite::Row, columns: usize, version: &str) -> Result<String> {
    let names: Vec<&str> = row.as_ref().column_names().take(columns).collect();
    digest_cells(row, &names, version)
}

/// The digest of the first columns of `row`, named `names`, tagged `version`: what every engine records.
pub(crate) fn digest_cells(row: &dyn Cells, names: &[&str], version: &str) -> Result<String> {
    let mut input = Vec::new();
    state_input(row, names, &mut input)?;
    Ok(state_digest(version, &input))
}

/// Append to `input` what a state digest hashes of the first columns of `row`, named `names`: each column's name,
/// type and value (so no two different values hash the same), tagged and length-prefixed. Kept apart from the
/// hashing so a worker thread can hash it; the names are the statement's, taken once by a caller that digests
/// many rows.
fn state_input(row: &dyn Cells, names: &[&str], input: &mut Vec<u8>) -> Result<()> {
    append_state_input(row, names, 0, input)
}

/// `state_input` of the columns `from` on (the first `from` already appended).
fn append_state_input(row: &dyn Cells, names: &[&str], from: usize, input: &mut Vec<u8>) -> Result<()> {
    for (i, name) in names.iter().enumerate().skip(from) {
        push_column(input, name, row.cell(i)?);
    }
    Ok(())
}

/// One column of a state digest's input: its name, then its value, each tagged and length-prefixed.
fn push_column(input: &mut Vec<u8>, name: &str, value: Cell) {
    let mut part = |tag: u8, bytes: &[u8]| {
        input.push(tag);
        input.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        input.extend_from_slice(bytes);
    };
    part(b'c', name.as_bytes());
    value.tagged(part);
}

fn state_digest(version: &str, input: &[u8]) -> String {
    format!("{version}{}", hex(&Sha256::digest(input)))
}

/// A value with its type, so no two different values hash the same.
fn hash_value(h: &mut Sha256, value: Cell) {
    value.tagged(|tag, bytes| {
        h.update([tag]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    });
}

/// `state_digest` as bytes, without its tag.
fn state_digest_bytes(input: &[u8]) -> [u8; 32] {
    Sha256::digest(input).into()
}

impl Tx<'_> {
    pub fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        self.append_in(Some(&request_id.to_string()), at, actor, kind, data)
    }

    /// An event of the register itself (no request): a restored trigger, an upgrade's record.
    pub fn append_register_event(&self, at: &str, actor: &str, kind: &str, data: &serde_json::Value) -> Result<Event> {
        self.append_in(None, at, actor, kind, data)
    }

    /// `append`, with the head the bulk knows (looked up once per bulk rather than per event).
    fn append_in(
        &self,
        request_id: Option<&str>,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        // Before the state is looked up or reused: a fact kept on the row is a write, so a known state no longer
        // holds after it.
        if let Some(request_id) = request_id {
            keep_log_facts(&self.tx, request_id, at, kind, data)?;
        }
        let (known_head, known_state) = match self.bulk.borrow().as_ref() {
            None => (None, None),
            Some(b) => {
                (b.head.clone(), b.state.as_ref().filter(|s| s.holds(request_id, &self.tx)).map(|s| s.state.clone()))
            }
        };
        let prev = match known_head {
            Some(hash) => hash,
            None => head(&self.tx)?.1,
        };
        let state = match known_state {
            Some(state) => Some(state),
            None => request_state(&self.tx, request_id)?,
        };
        let event = append_after(&self.tx, prev, request_id, state.clone(), at, actor, kind, data)?;
        // During a bulk only appends extend the chain (a purge forgets this): the new event is the head. And the
        // row's state stands until the next write of any kind.
        if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
            bulk.head = Some(event.hash.clone());
            bulk.state = match (request_id, state) {
                (Some(id), Some(state)) => Some(super::bulk::KnownState::after(id, state, &self.tx)),
                _ => None,
            };
        }
        Ok(event)
    }

    pub fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO checkpoints (at, reason, body, signature) VALUES (?1, ?2, ?3, ?4)",
            params![at, reason, body, signature],
        )?;
        Ok(())
    }

    /// Put back every append-only trigger that is missing or altered; what was restored.
    pub fn restore_triggers(&self) -> Result<Vec<TriggerProblem>> {
        let problems = trigger_problems(&self.tx)?;
        for p in &problems {
            let Some((_, sql)) = APPEND_ONLY_TRIGGERS.iter().find(|(name, _)| *name == p.name) else { continue };
            self.tx.execute_batch(&format!("DROP TRIGGER IF EXISTS {}; {sql};", p.name))?;
        }
        Ok(problems)
    }
}

fn trigger_problems(conn: &Connection) -> Result<Vec<TriggerProblem>> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut problems = vec![];
    for (name, sql) in APPEND_ONLY_TRIGGERS {
        let found: Option<String> = conn
            .prepare_cached("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?;
        let problem = match found {
            None => "missing",
            Some(found) if squash(&found) != squash(sql) => "altered",
            Some(_) => continue,
        };
        problems.push(TriggerProblem { name: name.to_string(), problem: problem.into() });
    }
    Ok(problems)
}

/// The record of purges made before purge events named what they removed (schema 10): one event of the
/// register that names every purged event there was, written by the migration that introduced the rule.
pub(crate) fn attest_earlier_purges(tx: &rusqlite::Transaction, at: &str) -> Result<()> {
    let removed = removed_list(tx, "SELECT seq, hash FROM purged_events ORDER BY seq", [])?;
    if removed.as_array().is_some_and(|a| !a.is_empty()) {
        let data = serde_json::json!({
            "reason": "purges made before each purge named the events it removed (upgrade to schema 10)",
            "removed": removed,
        });
        append(tx, None, at, "rightsdesk", UPGRADE_PURGES, &data)?;
    }
    Ok(())
}

/// The state of every request row as the upgrade to schema 10 finds it, kept in `row_states` with one event of the
/// register carrying the table's digest: rows whose events predate recorded states are checked from the upgrade
/// on, not only from their next change.
pub(crate) fn record_row_states(tx: &rusqlite::Transaction, at: &str) -> Result<()> {
    let mut select = tx.prepare(&format!("SELECT {STATE_V1_COLUMNS} FROM requests ORDER BY id"))?;
    let columns = select.column_count();
    let mut insert = tx.prepare("INSERT INTO row_states (request_id, state) VALUES (?1, ?2)")?;
    let mut table = Sha256::new();
    let mut count = 0u64;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let state = digest_row(row, columns, STATE_V1)?;
        fold_row_state(&mut table, &id, &state);
        insert.execute(params![id, state])?;
        count += 1;
    }
    if count > 0 {
        let data = serde_json::json!({"rows": count, "digest": hex(&table.finalize())});
        append(tx, None, at, "rightsdesk", UPGRADE_ROWS, &data)?;
    }
    Ok(())
}

/// The log's facts as migration 0011 back-filled them (`row_facts`), carried by one event of the register with the
/// table's digest: a row whose last event recorded a v1 state (which does not cover them) is held to this record.
pub(crate) fn record_row_facts(tx: &rusqlite::Transaction, at: &str) -> Result<()> {
    let (count, digest) = row_facts_digest(&Reader { conn: tx })?;
    if count > 0 {
        let data = serde_json::json!({"rows": count, "digest": digest});
        append(tx, None, at, "rightsdesk", UPGRADE_FACTS, &data)?;
    }
    Ok(())
}

/// How many rows `row_facts` holds and the digest of them all, in request id order.
fn row_facts_digest(rd: &dyn AuditReads) -> Result<(u64, String)> {
    let mut table = Sha256::new();
    let mut count = 0u64;
    rd.each_row_fact(&mut |row| {
        for i in 0..3 {
            hash_value(&mut table, row.cell(i)?);
        }
        count += 1;
        Ok(())
    })?;
    Ok((count, hex(&table.finalize())))
}

const ROW_CHANGED: &str =
    "the request's row differs from what its last audit event recorded: it was changed without an event";
const FACTS_CHANGED: &str = "the request's log facts (acknowledged, closed from) differ from what the upgrade to \
                             schema 11 recorded: they were changed without an event";

pub(crate) fn fold_row_state(table: &mut Sha256, id: &str, state: &str) {
    for part in [id, state] {
        table.update((part.len() as u64).to_le_bytes());
        table.update(part.as_bytes());
    }
}

/// Move a request's events to `purged_events`, keeping everything but their data (its SHA-256 instead), so that
/// verify can still recompute each one's hash and tell whose it was; `[[seq, hash], …]` of what was removed, for
/// the `purged` event.
pub(crate) fn purge_events(tx: &rusqlite::Transaction, request_id: &str, at: &str) -> Result<(u64, serde_json::Value)> {
    let mut select = tx.prepare_cached(
        "SELECT seq, hash, id, request_id, at, actor, kind, data, prev_hash, state FROM events
         WHERE request_id = ?1 ORDER BY seq",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO purged_events (seq, hash, purged_at, id, request_id, at, actor, kind, data_sha256, prev_hash, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut removed = vec![];
    let mut rows = select.query([request_id])?;
    while let Some(r) = rows.next()? {
        let (seq, hash): (i64, String) = (r.get(0)?, r.get(1)?);
        let data: String = r.get(7)?;
        let digest = hex(&Sha256::digest(data.as_bytes()));
        insert.execute(params![
            seq,
            hash,
            at,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            digest,
            r.get::<_, String>(8)?,
            r.get::<_, Option<String>>(9)?
        ])?;
        removed.push(serde_json::json!([seq, hash]));
    }
    let deleted = tx.execute("DELETE FROM events WHERE request_id = ?1", [request_id])? as u64;
    Ok((deleted, serde_json::Value::Array(removed)))
}

/// `[[seq, hash], …]` from a query of seq and hash: what a purge record names.
pub(crate) fn removed_list<P: rusqlite::Params>(conn: &Connection, sql: &str, p: P) -> Result<serde_json::Value> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| Ok(serde_json::json!([r.get::<_, i64>(0)?, r.get::<_, String>(1)?])))?;
    Ok(serde_json::Value::Array(rows.collect::<rusqlite::Result<Vec<_>>>()?))
}

/// An event exactly as stored and chained: what an outside check needs to recompute its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainedEvent {
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    pub at: String,
    pub actor: String,
    pub kind: String,
    /// The event's data as the exact text that was hashed.
    pub data: String,
    /// The digest of the request row after the event (absent on events recorded before schema 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedEvent {
    /// Its stored hash is the hash of its own content and link (what `verify_chain.py` in an evidence pack checks).
    pub fn recomputes(&self) -> bool {
        link_hash(
            &self.prev_hash,
            &self.id,
            &self.request_id,
            &self.at,
            &self.actor,
            &self.kind,
            &self.data,
            self.state.as_deref(),
        ) == self.hash
    }
}

/// A gap in the chain waiting for the purge record that names it.
type Pending = HashMap<i64, Gap>;

/// A purged event's place: its hash, and the request it belonged to where the purge kept it (not for purges made
/// before schema 10).
struct Gap {
    hash: String,
    request: Option<String>,
}

/// The upgrade's own records, which only the migration to schema 10 writes: before any event of schema 10, once.
const UPGRADE_PURGES: &str = "purges_recorded";
const UPGRADE_ROWS: &str = "row_states_recorded";
/// Migration 0011's record of the log facts it back-filled: an ordinary event of the register (it comes after
/// events of schema 10); `verify_rows` reads the first one only.
const UPGRADE_FACTS: &str = "row_facts_recorded";

/// What the walk has seen of purge records so far.
#[derive(Default)]
struct Records {
    /// An event of schema 10 (with a row state) was seen: the upgrade's records can no longer come.
    stated: bool,
    upgrade: HashSet<String>,
    purged_requests: HashSet<String>,
}

impl Records {
    fn upgrade(&mut self, kind: &str) -> Option<Purge<'static>> {
        if self.stated {
            return Some(Purge::Refused(format!(
                "a {kind} record, which only the upgrade to schema 10 writes, after it"
            )));
        }
        if !self.upgrade.insert(kind.to_string()) {
            return Some(Purge::Refused(format!("a second {kind} record")));
        }
        Some(Purge::Upgrade)
    }
}

/// Events per chunk of the chain walk, and request rows per chunk of the rows check: enough to keep a worker busy
/// while this thread reads the next, few enough that the chunks in flight stay within a few megabytes.
pub(crate) const CHAIN_CHUNK: usize = 2048;
/// The page cache while the audit scans the register, in KiB (SQLite's unit when negative).
const SCAN_CACHE: i64 = -4096;
pub(crate) const ROWS_CHUNK: usize = 1024;

/// One place in the chain as read: a live event, or a purged one (its data's SHA-256 in `data`; its fields empty
/// where a purge before schema 10 kept only its hash). Borrowed from the chunk it was read into.
#[derive(Clone, Copy)]
struct Link<'a> {
    seq: i64,
    id: &'a str,
    /// The request's id (empty for a register event); for a purged event, its owner where the purge kept it.
    request_id: Option<&'a str>,
    at: &'a str,
    actor: &'a str,
    kind: &'a str,
    data: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
    purged: bool,
    state: Option<&'a str>,
}

/// Places of the chain read as one chunk: every text field back to back in one buffer, so reading a million
/// events does not allocate a string per field.
#[derive(Default)]
pub(crate) struct Links {
    text: String,
    places: Vec<Place>,
}

/// A place's fields as ranges of `Links::text`, in `Link`'s order (id, request id, at, actor, kind, data,
/// prev hash, hash, state).
struct Place {
    seq: i64,
    purged: bool,
    fields: [(u32, u32); 9],
    request_id: bool,
    state: bool,
}

impl Links {
    /// The columns: seq, id, request id, at, actor, kind, data, prev hash, hash, purged, state.
    pub(crate) fn push(&mut self, row: &dyn Cells) -> Result<()> {
        let purged = row.cell(9)?.integer(9)? != 0;
        let mut fields = [(0u32, 0u32); 9];
        let mut present = [true; 9];
        for (field, column) in [1, 2, 3, 4, 5, 6, 7, 8, 10].into_iter().enumerate() {
            // A live event's fields are all there (NOT NULL); a purged event's may not be, nor any state.
            let value = match column {
                2 | 10 => text_or_null_at(row, column)?,
                8 => Some(text_at(row, column)?),
                _ if purged => text_or_null_at(row, column)?,
                _ => Some(text_at(row, column)?),
            };
            present[field] = value.is_some();
            let start = self.text.len();
            self.text.push_str(value.unwrap_or_default());
            fields[field] = (start as u32, self.text.len() as u32);
        }
        let seq = row.cell(0)?.integer(0)?;
        self.places.push(Place { seq, purged, fields, request_id: present[1], state: present[8] });
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.places.len()
    }

    fn iter(&self) -> impl Iterator<Item = Link<'_>> {
        self.places.iter().map(|place| {
            let field = |i: usize| &self.text[place.fields[i].0 as usize..place.fields[i].1 as usize];
            Link {
                seq: place.seq,
                id: field(0),
                request_id: place.request_id.then(|| field(1)),
                at: field(2),
                actor: field(3),
                kind: field(4),
                data: field(5),
                prev_hash: field(6),
                hash: field(7),
                purged: place.purged,
                state: place.state.then(|| field(8)),
            }
        })
    }
}

impl Link<'_> {
    /// Where its state goes among the requests' last states (a purged event is no request's last).
    fn slot(&self, ids: &RequestIds) -> Slot {
        if self.purged {
            return Slot::Skip;
        }
        ids.slot(self.request_id.unwrap_or(""), self.state)
    }

    /// Whether its stored hash is the hash of its stored content and link (a purged event kept without its
    /// fields has nothing to recompute). Pure: this is the part the workers do.
    fn recomputes(&self) -> bool {
        let request_id = self.request_id.unwrap_or("");
        let (id, at, actor, kind) = (self.id, self.at, self.actor, self.kind);
        match (self.purged, self.state) {
            (true, None) => true,
            (true, Some(state)) => {
                link_hash_of_digest(self.prev_hash, id, request_id, at, actor, kind, self.data, state) == self.hash
            }
            (false, state) => link_hash(self.prev_hash, id, request_id, at, actor, kind, self.data, state) == self.hash,
        }
    }
}

/// The next `chunk` places of the chain (None at its end).
fn read_links(rows: &mut rusqlite::Rows, chunk: usize) -> Result<Option<Links>> {
    let mut links = Links::default();
    while links.len() < chunk {
        match rows.next()? {
            Some(row) => links.push(row)?,
            None => break,
        }
    }
    Ok((links.len() > 0).then_some(links))
}

/// The chain walked so far: its head, the gaps waiting for their purge record, the records seen.
struct Walk {
    walk: ChainWalk,
    pending: Pending,
    records: Records,
}

impl Default for Walk {
    fn default() -> Walk {
        Walk {
            walk: ChainWalk {
                events_checked: 0,
                events_purged: 0,
                head_seq: 0,
                head_hash: GENESIS.into(),
                first_break: None,
            },
            pending: Pending::new(),
            records: Records::default(),
        }
    }
}

impl Walk {
    /// Take the next place in order, its hash already recomputed (`recomputes`); the break, if the chain does not
    /// hold there.
    fn step(&mut self, rd: &dyn AuditReads, link: Link, recomputes: bool) -> Result<Option<ChainBreak>> {
        let head = |walk: &mut ChainWalk| {
            walk.head_seq = link.seq;
            // Reused, not reallocated for each event.
            walk.head_hash.clear();
            walk.head_hash.push_str(link.hash);
        };
        let walk = &mut self.walk;
        self.records.stated |= link.state.is_some();
        if link.purged {
            walk.events_purged += 1;
            // A purged event kept with its fields (schema 10 on) must still link to the one before and hash to its
            // place.
            let problem = match link.state {
                None => None,
                Some(_) if link.prev_hash != walk.head_hash => Some(
                    "a purged event's link to the one before does not match: an event was changed, removed or \
                     inserted",
                ),
                Some(_) if !recomputes => {
                    Some("the record kept of a purged event does not match its hash: it was altered")
                }
                Some(_) => None,
            };
            if let Some(problem) = problem {
                return Ok(Some(ChainBreak {
                    seq: link.seq,
                    event_id: String::new(),
                    reference: None,
                    problem: problem.into(),
                }));
            }
            self.pending.insert(link.seq, Gap { hash: link.hash.into(), request: link.request_id.map(str::to_string) });
            head(walk);
            return Ok(None);
        }
        walk.events_checked += 1;
        let request_id = link.request_id.unwrap_or("");
        let problem = if link.prev_hash != walk.head_hash {
            Some(
                "its link to the previous event does not match: an event before it was changed, removed or inserted"
                    .to_string(),
            )
        } else if !recomputes {
            Some("its content does not match its hash: the event was edited".to_string())
        } else {
            let purge = match link.kind {
                "purged" if !request_id.is_empty() => Some(Purge::Request {
                    request_id,
                    really_purged: rd.request_mark(request_id)?.is_some_and(|(_, purged)| purged),
                }),
                UPGRADE_PURGES | UPGRADE_ROWS if request_id.is_empty() => self.records.upgrade(link.kind),
                _ => None,
            };
            match purge {
                Some(Purge::Refused(problem)) => Some(problem),
                Some(purge) if link.kind != UPGRADE_ROWS => {
                    claim(link.data, purge, &mut self.pending, &mut self.records)
                }
                _ => None,
            }
        };
        if let Some(problem) = problem {
            let reference = rd.request_mark(request_id)?.map(|(reference, _)| reference);
            return Ok(Some(ChainBreak { seq: link.seq, event_id: link.id.into(), reference, problem }));
        }
        head(walk);
        Ok(None)
    }

    /// The walk's result: the break found on the way, else a gap no record named, else a forged purge record.
    fn finish(mut self, rd: &dyn AuditReads, broken: Option<ChainBreak>) -> Result<ChainWalk> {
        if broken.is_some() {
            self.walk.first_break = broken;
            return Ok(self.walk);
        }
        if let Some(seq) = self.pending.keys().min() {
            self.walk.first_break = Some(ChainBreak {
                seq: *seq,
                event_id: String::new(),
                reference: None,
                problem: "this event was deleted without a purge record naming it: it was removed outside a \
                          retention purge"
                    .into(),
            });
            return Ok(self.walk);
        }
        self.walk.first_break = rd.purge_left_events()?;
        Ok(self.walk)
    }
}

/// Request rows read for the rows check: each row's digest input (back to back, `ends` marking each row's end),
/// the version to digest it under, the state its events recorded, whether its log facts hold, and its rowid to
/// name it by if it differs.
#[derive(Default)]
pub(crate) struct StatesChunk {
    input: Vec<u8>,
    ends: Vec<usize>,
    versions: Vec<&'static str>,
    recorded: Vec<Recorded>,
    facts_hold: Vec<bool>,
    rowids: Vec<i64>,
}

impl StatesChunk {
    /// What is wrong with each row, if anything. Pure: this is the part the workers do.
    pub(crate) fn problems(&self) -> Vec<Option<&'static str>> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .enumerate()
            .map(|(i, (start, &end))| {
                let digest = state_digest_bytes(&self.input[start..end]);
                row_problem(&self.recorded[i], self.versions[i], &digest, self.facts_hold[i])
            })
            .collect()
    }
}

/// What is wrong with a row whose state, digested under `version`, is `digest`, against its `recorded` state (a
/// changed row first, then changed log facts, as `verify_rows` has always told them).
fn row_problem(recorded: &Recorded, version: &str, digest: &[u8; 32], facts_hold: bool) -> Option<&'static str> {
    if !recorded.is(version, digest) {
        Some(ROW_CHANGED)
    } else if !facts_hold {
        Some(FACTS_CHANGED)
    } else {
        None
    }
}

/// The version a row's recorded state is to be checked under: v2 where it says so, else v1 (an unknown tag or a
/// state that is no digest then differs from the row's v1 digest, as it always did).
fn version_of(recorded: &Recorded) -> &'static str {
    if recorded.has_tag(STATE_V2) { STATE_V2 } else { STATE_V1 }
}

/// A text column borrowed from the row (no copy).
pub(crate) fn text_at(row: &dyn Cells, i: usize) -> Result<&str> {
    text_or_null_at(row, i)?.ok_or_else(|| Error::Corrupt(format!("column {i} of an audit read is NULL")))
}

pub(crate) fn text_or_null_at(row: &dyn Cells, i: usize) -> Result<Option<&str>> {
    row.cell(i)?.text_or_null(i)
}

/// A request row's digests, read beside the chain walk: of its v1 state and of its v2 state (both untagged), and
/// whether its log facts are what the upgrade to schema 11 recorded (what a v1 state is also held to).
#[derive(Clone, Copy, Default)]
struct RowDigest {
    v1: [u8; 32],
    v2: [u8; 32],
    facts_hold: bool,
}

impl RowDigest {
    /// The digest a state of `version` is compared with.
    fn of(&self, version: &str) -> &[u8; 32] {
        if version == STATE_V2 { &self.v2 } else { &self.v1 }
    }
}

/// Every request row's digests, read beside the chain walk.
struct RowDigests {
    /// The rows in the order read: each one's place among the sorted ids, or `OTHER_ROW` and its index in `others`.
    order: Vec<u32>,
    /// By place among the sorted ids.
    digests: Vec<RowDigest>,
    /// Rows whose id is not a canonical UUID (or not among the ids read before), with their id.
    others: Vec<(String, RowDigest)>,
}

const OTHER_ROW: u32 = 1 << 31;

enum RowAt {
    Place(u32),
    Other(String),
}

/// Request rows read for their digests: each row's v2 digest input back to back (`v1_ends` marking where its v1
/// input ends, `ends` where its v2 input does), whether its log facts hold, and where each row goes.
#[derive(Default)]
struct InputsChunk {
    input: Vec<u8>,
    v1_ends: Vec<usize>,
    ends: Vec<usize>,
    facts_hold: Vec<bool>,
    rows: Vec<RowAt>,
}

impl InputsChunk {
    /// Both digests of each row in one pass: the v2 columns are the v1 columns and two more, so the hasher is
    /// cloned where the v1 input ends.
    fn digests(&self) -> Vec<RowDigest> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.v1_ends)
            .zip(&self.ends)
            .zip(&self.facts_hold)
            .map(|(((start, &v1_end), &end), &facts_hold)| {
                let mut hasher = Sha256::new();
                hasher.update(&self.input[start..v1_end]);
                let v1 = hasher.clone().finalize().into();
                hasher.update(&self.input[v1_end..end]);
                RowDigest { v1, v2: hasher.finalize().into(), facts_hold }
            })
            .collect()
    }
}

/// The number of log-fact columns: the v2 state's columns after the v1 ones.
fn fact_columns() -> usize {
    STATE_V2_NAMES.len() - v1_column_count()
}

/// Whether a row's log facts (its state columns after the first `v1`) equal the upgrade's record of them, read
/// from the row's columns at `record` on (no record: NULLs, so the facts must be none).
fn facts_hold(row: &dyn Cells, v1: usize, record: usize) -> Result<bool> {
    for i in 0..fact_columns() {
        if row.cell(v1 + i)? != row.cell(record + i)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The scalar subqueries of the upgrade's record of a request row's log facts, in the state's order.
const FACTS_RECORD_SQL: &str = "(SELECT f.acknowledged_on FROM row_facts f WHERE f.request_id = requests.id),
                    (SELECT f.closed_from FROM row_facts f WHERE f.request_id = requests.id)";

fn read_inputs(
    rows: &mut rusqlite::Rows,
    names: &[&str],
    ids: &RequestIds,
    chunk_rows: usize,
) -> Result<Option<InputsChunk>> {
    let v1 = v1_column_count();
    let mut chunk = InputsChunk::default();
    while chunk.ends.len() < chunk_rows {
        let Some(row) = rows.next()? else { break };
        let id = text_at(row, 0)?;
        chunk.rows.push(ids.place_of(id).map_or_else(|| RowAt::Other(id.to_string()), RowAt::Place));
        state_input(row, &names[..v1], &mut chunk.input)?;
        chunk.v1_ends.push(chunk.input.len());
        // Appending the rest of the v2 columns: the input so far is the v2 digest's first part, byte for byte.
        append_state_input(row, names, v1, &mut chunk.input)?;
        chunk.ends.push(chunk.input.len());
        chunk.facts_hold.push(facts_hold(row, v1, names.len())?);
    }
    Ok((!chunk.ends.is_empty()).then_some(chunk))
}

/// The digests of every request row, read on a connection of its own beside the chain walk; `None` where that
/// connection cannot be had or does not see the register the walk sees (`snapshot`, the chain head: every change
/// to a row comes with an event), so that the rows are then read after the walk on its connection.
fn row_digests_beside(path: Option<&str>, ids: &RequestIds, snapshot: &(i64, String)) -> Option<RowDigests> {
    let path = path.filter(|p| !p.is_empty())?;
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).ok()?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).ok()?;
    let rd = Reader { conn: &conn };
    let digests = rd.in_one_snapshot(|| {
        if head(&conn)? != *snapshot {
            return Ok(None);
        }
        rd.row_digests(ids, ROWS_CHUNK).map(Some)
    });
    digests.ok().flatten()
}

/// What the rows check counts as it reads.
#[derive(Default)]
pub(crate) struct RowCounts {
    checked: u64,
    unchecked: u64,
}

/// The next `chunk` rows with a recorded state (see `StatesChunk::take_row`).
fn read_states(
    rd: &Reader,
    rows: &mut rusqlite::Rows,
    names: &[&str],
    last: &LastStates,
    chunk_rows: usize,
    counts: &mut RowCounts,
) -> Result<Option<StatesChunk>> {
    let mut chunk = StatesChunk::default();
    while chunk.ends.len() < chunk_rows {
        let Some(row) = rows.next()? else { break };
        chunk.take_row(rd, row, names, last, counts)?;
    }
    Ok((!chunk.ends.is_empty()).then_some(chunk))
}

impl StatesChunk {
    /// Take a request row into the chunk if it has a recorded state: its last event's (`last`), else the
    /// upgrade's record of row states (rows without either are counted `unchecked` and not kept). The row's
    /// columns: the v2 state's (`names`), its rowid, then the upgrade's record of its log facts.
    pub(crate) fn take_row(
        &mut self,
        rd: &dyn AuditReads,
        row: &dyn Cells,
        names: &[&str],
        last: &LastStates,
        counts: &mut RowCounts,
    ) -> Result<()> {
        let v1 = v1_column_count();
        let id = text_at(row, 0)?;
        let Some(recorded) = recorded_or_upgrade(rd, last.get(id), || id.to_string())? else {
            counts.unchecked += 1;
            return Ok(());
        };
        counts.checked += 1;
        let version = version_of(&recorded);
        // A v1 state predates the log facts on the row: they must be as the upgrade found them.
        let facts = if version == STATE_V2 {
            state_input(row, names, &mut self.input)?;
            true
        } else {
            state_input(row, &names[..v1], &mut self.input)?;
            facts_hold(row, v1, names.len() + 1)?
        };
        self.ends.push(self.input.len());
        self.versions.push(version);
        self.recorded.push(recorded);
        self.facts_hold.push(facts);
        self.rowids.push(row.cell(names.len())?.integer(names.len())?);
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// The rows check as its chunks come back in order: what differs, named by reference (the first 100).
#[derive(Default)]
pub(crate) struct RowsTally {
    check: RowsCheck,
    pub(crate) counts: RowCounts,
}

impl RowsTally {
    pub(crate) fn take(
        &mut self,
        rd: &dyn AuditReads,
        chunk: StatesChunk,
        problems: Vec<Option<&'static str>>,
    ) -> Result<bool> {
        for (rowid, problem) in chunk.rowids.into_iter().zip(problems) {
            let Some(problem) = problem else { continue };
            self.check.differing += 1;
            if self.check.rows.len() < 100 {
                self.check.rows.push(RowMismatch { reference: rd.reference_at(rowid)?, problem: problem.into() });
            }
        }
        Ok(true)
    }

    pub(crate) fn finish(self, rd: &dyn AuditReads) -> Result<RowsCheck> {
        let mut check = self.check;
        (check.checked, check.unchecked) = (self.counts.checked, self.counts.unchecked);
        upgrade_records_problems(rd, &mut check)?;
        Ok(check)
    }
}

/// The chain walk as its chunks come back in order (hashes recomputed and slots found by the workers): the links
/// checked in order and, with `kept`, each request's last state kept to the end of the chain even past a break
/// (the rows check does not stop at the chain's first break).
pub(crate) struct ChainWalker<'k> {
    walk: Walk,
    broken: Option<ChainBreak>,
    kept: Option<&'k mut Kept>,
}

impl<'k> ChainWalker<'k> {
    pub(crate) fn new(kept: Option<&'k mut Kept>) -> ChainWalker<'k> {
        ChainWalker { walk: Walk::default(), broken: None, kept }
    }

    /// The workers' part of a chunk: each link's hash recomputed, and where its state goes.
    pub(crate) fn work(links: &Links, ids: Option<&RequestIds>) -> Vec<(bool, Slot)> {
        let slot = |link: &Link| ids.map_or(Slot::Skip, |ids| link.slot(ids));
        links.iter().map(|link| (link.recomputes(), slot(&link))).collect()
    }

    /// Take a chunk back, in order; whether to read on.
    pub(crate) fn take(&mut self, rd: &dyn AuditReads, links: Links, worked: Vec<(bool, Slot)>) -> Result<bool> {
        for (link, (recomputes, slot)) in links.iter().zip(worked) {
            if let Some(kept) = self.kept.as_deref_mut() {
                kept.record(slot, link.request_id.unwrap_or(""), link.state);
            }
            if self.broken.is_some() {
                continue;
            }
            if let Some(found) = self.walk.step(rd, link, recomputes)? {
                self.broken = Some(found);
                if self.kept.is_none() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    pub(crate) fn finish(self, rd: &dyn AuditReads) -> Result<ChainWalk> {
        self.walk.finish(rd, self.broken)
    }
}

/// What the chain walk and the rows check look up beside their scans: the same questions, asked of each engine.
pub(crate) trait AuditReads {
    /// The reference of a request and whether it was purged (None: no such row).
    fn request_mark(&self, request_id: &str) -> Result<Option<(String, bool)>>;
    /// A purge removes every event its request had before it: a `purged` event with live events of its request
    /// before it is a forged record (the first such, as a break).
    fn purge_left_events(&self) -> Result<Option<ChainBreak>>;
    fn reference_of(&self, request_id: &str) -> Result<String>;
    /// The reference of the request row `rowid` (SQLite's rowid, PostgreSQL's `row_no`), in the check's snapshot.
    fn reference_at(&self, rowid: i64) -> Result<String>;
    /// The state the upgrade to schema 10 recorded for a request's row, if it did.
    fn upgrade_row_state(&self, request_id: &str) -> Result<Option<String>>;
    /// Every row of `row_states` (request id, state), in request id order (by bytes).
    fn each_row_state(&self, each: &mut dyn FnMut(&str, &str)) -> Result<()>;
    /// Every row of `row_facts` (request id, acknowledged on, closed from), in request id order (by bytes).
    fn each_row_fact(&self, each: &mut dyn FnMut(&dyn Cells) -> Result<()>) -> Result<()>;
    /// The data of the register's first event of `kind`, as stored.
    fn first_register_event_data(&self, kind: &str) -> Result<Option<String>>;
}

/// The text of the break `purge_left_events` reports.
pub(crate) const PURGE_LEFT_EVENTS: &str =
    "a purge record on a request whose earlier events are still there: the record is forged";

/// The state a row is held to: its last event's, else the upgrade's record of it (None: unchecked). `id` is
/// only named for a row whose events recorded none.
fn recorded_or_upgrade(
    rd: &dyn AuditReads,
    recorded: Recorded,
    id: impl FnOnce() -> String,
) -> Result<Option<Recorded>> {
    Ok(match recorded {
        Recorded::None => rd.upgrade_row_state(&id())?.map(Recorded::Text),
        recorded => Some(recorded),
    })
}

/// The upgrades' records (of row states, of log facts) each rows check also holds to, put first.
fn upgrade_records_problems(rd: &dyn AuditReads, check: &mut RowsCheck) -> Result<()> {
    if let Some(problem) = row_states_problem(rd)? {
        check.differing += 1;
        check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of rows)".into(), problem });
    }
    if let Some(problem) = row_facts_problem(rd)? {
        check.differing += 1;
        check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of log facts)".into(), problem });
    }
    Ok(())
}

/// Whether `row_states` is still what the upgrade recorded (the digest in its chained event).
fn row_states_problem(rd: &dyn AuditReads) -> Result<Option<String>> {
    let mut table = Sha256::new();
    let mut count = 0u64;
    rd.each_row_state(&mut |id, state| {
        fold_row_state(&mut table, id, state);
        count += 1;
    })?;
    Ok((!upgrade_record_holds(rd, UPGRADE_ROWS, count, &hex(&table.finalize()))?).then(|| {
        "the states of request rows recorded at the upgrade to schema 10 were altered after the upgrade".into()
    }))
}

/// Whether `row_facts` is still what the upgrade to schema 11 recorded.
fn row_facts_problem(rd: &dyn AuditReads) -> Result<Option<String>> {
    let (count, digest) = row_facts_digest(rd)?;
    Ok((!upgrade_record_holds(rd, UPGRADE_FACTS, count, &digest)?).then(|| {
        "the log facts of request rows recorded at the upgrade to schema 11 were altered after the upgrade".into()
    }))
}

/// Whether a table of `count` rows with `digest` is what the first `kind` event of the register recorded (no
/// such event: the table must be empty).
fn upgrade_record_holds(rd: &dyn AuditReads, kind: &str, count: u64, digest: &str) -> Result<bool> {
    let expected = rd
        .first_register_event_data(kind)?
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
        .map(|d| (d["rows"].as_u64().unwrap_or(0), d["digest"].as_str().unwrap_or("").to_string()));
    Ok(match expected {
        Some((rows, recorded)) => rows == count && recorded == digest,
        None => count == 0,
    })
}

/// The query the rows check reads request rows with — the v2 state's columns, the row's own number (`rowid`:
/// SQLite's, PostgreSQL's `row_no`), the upgrade's record of its log facts — and the state columns' names.
pub(crate) fn rows_check_select(rowid: &str) -> (String, &'static [&'static str]) {
    (format!("SELECT {STATE_V2_COLUMNS}, {rowid}, {FACTS_RECORD_SQL} FROM requests"), STATE_V2_NAMES.as_slice())
}

impl AuditReads for Reader<'_> {
    fn request_mark(&self, request_id: &str) -> Result<Option<(String, bool)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference, purged_at IS NOT NULL FROM requests WHERE id = ?1")?
            .query_row([request_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn purge_left_events(&self) -> Result<Option<ChainBreak>> {
        Ok(self
            .conn
            .query_row(
                "SELECT p.seq, p.id, r.reference FROM events p
                   JOIN requests r ON r.id = p.request_id
                  WHERE p.kind = 'purged'
                    AND EXISTS (SELECT 1 FROM events e WHERE e.request_id = p.request_id AND e.seq < p.seq)
                  LIMIT 1",
                [],
                |r| {
                    Ok(ChainBreak {
                        seq: r.get(0)?,
                        event_id: r.get(1)?,
                        reference: r.get(2)?,
                        problem: PURGE_LEFT_EVENTS.into(),
                    })
                },
            )
            .optional()?)
    }

    fn reference_of(&self, request_id: &str) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference FROM requests WHERE id = ?1")?
            .query_row([request_id], |r| r.get(0))?)
    }

    fn reference_at(&self, rowid: i64) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference FROM requests WHERE rowid = ?1")?
            .query_row([rowid], |r| r.get(0))?)
    }

    fn upgrade_row_state(&self, request_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state FROM row_states WHERE request_id = ?1")?
            .query_row([request_id], |r| r.get(0))
            .optional()?)
    }

    fn each_row_state(&self, each: &mut dyn FnMut(&str, &str)) -> Result<()> {
        let mut stmt = self.conn.prepare("SELECT request_id, state FROM row_states ORDER BY request_id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(text_at(row, 0)?, text_at(row, 1)?);
        }
        Ok(())
    }

    fn each_row_fact(&self, each: &mut dyn FnMut(&dyn Cells) -> Result<()>) -> Result<()> {
        let mut stmt =
            self.conn.prepare("SELECT request_id, acknowledged_on, closed_from FROM row_facts ORDER BY request_id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }

    fn first_register_event_data(&self, kind: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT data FROM events WHERE request_id IS NULL AND kind = ?1 ORDER BY seq LIMIT 1",
                [kind],
                |r| r.get(0),
            )
            .optional()?)
    }
}

impl Reader<'_> {
    /// A request's events with their links, in chain order.
    pub fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, request_id, at, actor, kind, data, state, prev_hash, hash FROM events
             WHERE request_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([request_id.to_string()], |r| {
            Ok(ChainedEvent {
                seq: r.get(0)?,
                id: r.get(1)?,
                request_id: r.get(2)?,
                at: r.get(3)?,
                actor: r.get(4)?,
                kind: r.get(5)?,
                data: r.get(6)?,
                state: r.get(7)?,
                prev_hash: r.get(8)?,
                hash: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn events(&self, request_id: &Uuid) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, request_id, at, actor, kind, data, hash FROM events WHERE request_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([request_id.to_string()], |r| {
            let data: String = r.get(6)?;
            Ok(Event {
                seq: r.get(0)?,
                id: r.get(1)?,
                request_id: r.get(2)?,
                at: r.get(3)?,
                actor: r.get(4)?,
                kind: r.get(5)?,
                data: event_data(data),
                hash: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Walk the whole chain in order and report the first broken link. A purged event keeps its place and hash;
    /// each gap must be named, with that hash, by a later purge record (a `purged` event of a request that really
    /// was purged, or the upgrade's `purges_recorded`), and nothing may be named twice or name a live event.
    /// The hashes are recomputed in parallel, a chunk of events at a time; the links and purge records are
    /// checked in order on this thread, so the first break is the one a sequential walk finds.
    pub fn verify_chain(&self) -> Result<ChainWalk> {
        self.walk_chain(CHAIN_CHUNK, None)
    }

    /// `verify_chain` and `verify_rows` in one read of the register (one snapshot): the walk, which reads every
    /// event in order anyway, keeps each request's last recorded state, and the rows check is then a plain scan of
    /// `requests` against them — no lookup of each request's last event. Memory: ~53 bytes per request.
    ///
    /// The rows are digested meanwhile on a second connection (their reading is the other half of the work), when
    /// it sees the same register (the same chain head at the start of its read); else after the walk, on this one.
    pub fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)> {
        // Inside a transaction of the caller's, another connection would not see what it has not committed.
        let path = self.conn.is_autocommit().then(|| self.conn.path().map(str::to_string)).flatten();
        self.in_one_snapshot(|| {
            let snapshot = head(self.conn)?;
            let mut last = LastStates::new(self.request_ids_sorted()?);
            let (ids, kept) = last.split();
            let (walk, beside) = std::thread::scope(|scope| {
                let beside = scope.spawn(|| row_digests_beside(path.as_deref(), ids, &snapshot));
                let walk = self.walk_chain(CHAIN_CHUNK, Some((ids, kept)));
                (walk, beside.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            });
            let walk = walk?;
            let rows = match beside {
                Some(digests) => self.rows_from_digests(&last, &digests)?,
                None => self.rows_against(&last, ROWS_CHUNK)?,
            };
            Ok((walk, rows))
        })
    }

    /// Run `f` in one read transaction (a savepoint, so also inside a write transaction): everything it reads is
    /// one snapshot of the register, and a write in between cannot make a row look changed without its event. The
    /// page cache is small meanwhile: the scans read each page once, and the connection's usual cache (sized for
    /// random writes) would only add its size to the memory the check needs.
    fn in_one_snapshot<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.execute_batch(&format!("PRAGMA cache_size = {SCAN_CACHE}; SAVEPOINT audit_snapshot"))?;
        let result = f();
        // Nothing was written: this only ends the read.
        let ended = self.conn.execute_batch(&format!(
            "{} PRAGMA cache_size = {cache};",
            if result.is_ok() {
                "RELEASE audit_snapshot;"
            } else {
                "ROLLBACK TO audit_snapshot; RELEASE audit_snapshot;"
            }
        ));
        let value = result?;
        ended?;
        Ok(value)
    }

    /// Every request row's id, for `LastStates`.
    fn request_ids_sorted(&self) -> Result<RequestIds> {
        let count: i64 = self.conn.query_row("SELECT count(*) FROM requests", [], |r| r.get(0))?;
        let mut ids = RequestIds::with_capacity(count.max(0) as usize);
        let mut stmt = self.conn.prepare("SELECT id FROM requests")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            ids.push(text_at(row, 0)?);
        }
        Ok(ids)
    }

    /// The chain walk; with `last`, also keeping each request's last recorded state, to the end of the chain even
    /// past a break (the rows check does not stop at the chain's first break).
    fn walk_chain(&self, chunk: usize, last: Option<(&RequestIds, &mut Kept)>) -> Result<ChainWalk> {
        // No join to `requests`: the reference and the purge mark are looked up only where they are needed (a
        // break, a purge record), not for each of a million events.
        let mut stmt = self.conn.prepare(
            "SELECT seq, id, coalesce(request_id, ''), at, actor, kind, data, prev_hash, hash, 0, state FROM events
             UNION ALL
             SELECT seq, id, request_id, at, actor, kind, data_sha256, prev_hash, hash, 1, state FROM purged_events
             ORDER BY 1",
        )?;
        let mut rows = stmt.query([])?;
        let (ids, kept) = match last {
            Some((ids, kept)) => (Some(ids), Some(kept)),
            None => (None, None),
        };
        let mut walker = ChainWalker::new(kept);
        pipeline::ordered(
            || read_links(&mut rows, chunk),
            |links: &Links| ChainWalker::work(links, ids),
            |links, worked| walker.take(self, links, worked),
        )?;
        walker.finish(self)
    }

    /// Every request row against the state recorded by its last event (or, for a row whose events all predate
    /// recorded states, by the upgrade's record of row states, itself checked against its chained digest). A v1
    /// state does not cover the log's facts (schema 11): those are held to the upgrade's record of them. The
    /// events' states are read in order (the last kept per request), then the rows are read here and digested in
    /// parallel, a chunk at a time. `verify_chain_and_rows` does the same with the chain walk's read.
    pub fn verify_rows(&self) -> Result<RowsCheck> {
        self.in_one_snapshot(|| {
            let mut last = LastStates::new(self.request_ids_sorted()?);
            let mut stmt = self.conn.prepare("SELECT coalesce(request_id, ''), state FROM events ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                last.keep(text_at(row, 0)?, text_or_null_at(row, 1)?);
            }
            self.rows_against(&last, ROWS_CHUNK)
        })
    }

    /// The rows check against each request's last recorded state: a plain scan of `requests`, in its own order.
    fn rows_against(&self, last: &LastStates, chunk: usize) -> Result<RowsCheck> {
        let (sql, names) = rows_check_select("rowid");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut tally = RowsTally::default();
        let mut counts = RowCounts::default();
        pipeline::ordered(
            || read_states(self, &mut rows, names, last, chunk, &mut counts),
            |chunk: &StatesChunk| chunk.problems(),
            |chunk, problems| tally.take(self, chunk, problems),
        )?;
        tally.counts = counts;
        tally.finish(self)
    }

    /// The digests of every request row (its v1 and v2 states', untagged) and whether its log facts are the
    /// upgrade's record of them, read and hashed in chunks.
    fn row_digests(&self, ids: &RequestIds, chunk: usize) -> Result<RowDigests> {
        let mut stmt = self.conn.prepare(&format!("SELECT {STATE_V2_COLUMNS}, {FACTS_RECORD_SQL} FROM requests"))?;
        let columns = stmt.column_count() - fact_columns();
        let names: Vec<String> = stmt.column_names().take(columns).map(str::to_string).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut rows = stmt.query([])?;
        let mut out = RowDigests {
            order: Vec::with_capacity(ids.len()),
            digests: vec![RowDigest::default(); ids.len()],
            others: vec![],
        };
        pipeline::ordered(
            || read_inputs(&mut rows, &names, ids, chunk),
            |chunk: &InputsChunk| chunk.digests(),
            |chunk, digests| {
                for (row, digest) in chunk.rows.into_iter().zip(digests) {
                    match row {
                        RowAt::Place(place) => {
                            out.digests[place as usize] = digest;
                            out.order.push(place);
                        }
                        RowAt::Other(id) => {
                            out.order.push(OTHER_ROW | out.others.len() as u32);
                            out.others.push((id, digest));
                        }
                    }
                }
                Ok(true)
            },
        )?;
        Ok(out)
    }

    /// The rows check from digests read beside the walk: each row, in the order they were read, against its last
    /// recorded state — what `rows_against` finds, from the same snapshot.
    fn rows_from_digests(&self, last: &LastStates, rows: &RowDigests) -> Result<RowsCheck> {
        let mut check = RowsCheck::default();
        for &at in &rows.order {
            let (recorded, digest, id) = if at & OTHER_ROW != 0 {
                let (id, digest) = &rows.others[(at & !OTHER_ROW) as usize];
                (last.get(id), digest, None)
            } else {
                (last.at(at), &rows.digests[at as usize], Some(at))
            };
            let id = || id.map_or_else(|| rows.others[(at & !OTHER_ROW) as usize].0.clone(), |p| last.ids().id_at(p));
            let Some(recorded) = recorded_or_upgrade(self, recorded, id)? else {
                check.unchecked += 1;
                continue;
            };
            check.checked += 1;
            let version = version_of(&recorded);
            // Only a v1 state is held to the upgrade's record of the log facts; a v2 state covers them.
            let facts = version == STATE_V2 || digest.facts_hold;
            if let Some(problem) = row_problem(&recorded, version, digest.of(version), facts) {
                check.differing += 1;
                if check.rows.len() < 100 {
                    let reference = self.reference_of(&id())?;
                    check.rows.push(RowMismatch { reference, problem: problem.into() });
                }
            }
        }
        upgrade_records_problems(self, &mut check)?;
        Ok(check)
    }

    /// Append-only triggers missing or not as shipped.
    pub fn trigger_problems(&self) -> Result<Vec<TriggerProblem>> {
        trigger_problems(self.conn)
    }

    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, at, reason, body, signature FROM checkpoints ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredCheckpoint {
                id: r.get(0)?,
                at: r.get(1)?,
                reason: r.get(2)?,
                body: r.get(3)?,
                signature: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The hash the chain holds at `seq` (a live or purged event).
    pub fn hash_at(&self, seq: i64) -> Result<HeadAt> {
        let found: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT hash FROM events WHERE seq = ?1 UNION ALL SELECT hash FROM purged_events WHERE seq = ?1",
            )?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        Ok(found.map_or(HeadAt::Missing, HeadAt::Hash))
    }

    /// Events recorded after `seq`.
    pub fn events_after(&self, seq: i64) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM events WHERE seq > ?1", [seq], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// The register's own events (settings changes, keys, copies, repairs), newest first, at most `limit`.
    pub fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>> {
        // events_request (request_id, seq) serves this: no scan of the requests' events.
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, at, actor, kind, data, hash FROM events WHERE request_id IS NULL ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            let data: String = r.get(5)?;
            Ok(Event {
                seq: r.get(0)?,
                id: r.get(1)?,
                request_id: String::new(),
                at: r.get(2)?,
                actor: r.get(3)?,
                kind: r.get(4)?,
                data: event_data(data),
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The register's own events of one kind, as "at: data", oldest first.
    pub fn register_events(&self, kind: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at, data FROM events WHERE request_id IS NULL AND kind = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([kind], |r| Ok(format!("{}: {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The newest link (sequence number and hash) and the number of live events.
    pub fn chain_head(&self) -> Result<(i64, String, u64)> {
        let (seq, hash) = head(self.conn)?;
        let events: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        Ok((seq, hash, events.max(0) as u64))
    }
}

enum Purge<'a> {
    Request { request_id: &'a str, really_purged: bool },
    Upgrade,
    Refused(String),
}

/// Check a purge record against the gaps seen so far; the problem, if any. A request's record may name only
/// events the purge kept as that request's; the upgrade's record only events purged before schema 10.
fn claim(data: &str, purge: Purge, pending: &mut Pending, records: &mut Records) -> Option<String> {
    let owner = match purge {
        Purge::Request { request_id, really_purged } => {
            if !really_purged {
                return Some("a purge record on a request that was not purged".into());
            }
            if !records.purged_requests.insert(request_id.to_string()) {
                return Some("a second purge record on the same request".into());
            }
            Some(request_id)
        }
        Purge::Upgrade => None,
        Purge::Refused(problem) => return Some(problem),
    };
    let data: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    // A purge before schema 10 did not name its events: the upgrade's record covers them.
    let removed = data.get("removed").and_then(|r| r.as_array())?;
    for item in removed {
        let (Some(seq), Some(hash)) = (item.get(0).and_then(|v| v.as_i64()), item.get(1).and_then(|v| v.as_str()))
        else {
            return Some("a purge record that does not say which events it removed".into());
        };
        match pending.remove(&seq) {
            Some(gap) if gap.hash != hash => {
                return Some(format!("a purge record names event #{seq} with another hash than the one kept"));
            }
            Some(gap) if gap.request.as_deref() != owner => {
                return Some(format!("a purge record names event #{seq}, which belonged to another request"));
            }
            Some(_) => {}
            None => return Some(format!("a purge record names event #{seq}, which was not purged before it")),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `log_facts` (for engines without SQLite's JSON functions) sets what `LOG_FACTS_SQL` sets, for events of
    /// every shape.
    #[test]
    fn the_log_facts_decided_in_rust_are_what_the_sql_sets() {
        use serde_json::json;
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE requests (id TEXT PRIMARY KEY, acknowledged_on TEXT, closed_from TEXT)")
            .unwrap();
        let names = [
            json!("RD-1-Acknowledgement-en.PDF"),
            json!("x-acknowledgement-.pdf"),
            json!("-acknowledgement.pdf"),
            json!("a-ACKNOWLEDGEMENT-b.pdfx"),
            json!("é-acknowledgement-ü.pdf"),
            json!("acknowledgement-x.pdf"),
            json!("x-acknowledgement-y.PdF"),
            json!(12),
            json!(["a-acknowledgement-b.pdf"]),
            json!(null),
        ];
        let froms =
            [json!("refused"), json!(null), json!(7), json!(true), json!(false), json!({"a": [1, "b"]}), json!("")];
        let mut events = vec![];
        for name in &names {
            events.push(("attachment_added", json!({ "file_name": name })));
        }
        for stage in [json!("acknowledgement"), json!("Acknowledgement"), json!("final"), json!(1)] {
            events.push(("response_sent", json!({ "stage": stage })));
        }
        for from in &froms {
            events.push(("status_changed", json!({ "from": from, "to": "closed" })));
        }
        events.push(("status_changed", json!({ "to": "closed" })));
        events.push(("status_changed", json!({ "from": "received", "to": "refused" })));
        events.push(("status_changed", json!({ "from": "received", "to": ["closed"] })));
        events.push(("response_sent", json!(["acknowledgement"])));
        events.push(("note_added", json!({ "stage": "acknowledgement", "to": "closed" })));
        let ats = ["2026-03-05T23:59:59Z", "2026-03-01T00:00:00Z", "2026-04-01T10:00:00Z", "é"];
        for (n, (kind, data)) in events.iter().enumerate() {
            for (start, at) in
                [(None, ats[0]), (Some("2026-03-02"), ats[1]), (Some("2026-03-02"), ats[2]), (None, ats[3])]
            {
                let id = format!("r{n}-{at}");
                conn.execute("INSERT INTO requests VALUES (?1, ?2, 'before')", params![id, start]).unwrap();
                let text = serde_json::to_string(data).unwrap();
                if LOG_FACT_KINDS.contains(kind) {
                    conn.execute(LOG_FACTS_SQL, params![id, kind, text, at]).unwrap();
                }
                let by_sql: (Option<String>, Option<String>) = conn
                    .query_row("SELECT acknowledged_on, closed_from FROM requests WHERE id = ?1", [&id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                let facts = log_facts(kind, data, at);
                let acknowledged = match (start, facts.acknowledged_on) {
                    (Some(s), Some(day)) => Some(if s.as_bytes() < day.as_bytes() { s.to_string() } else { day }),
                    (s, day) => day.or(s.map(str::to_string)),
                };
                let closed_from = facts.closed_from.unwrap_or(Some("before".into()));
                assert_eq!(by_sql, (acknowledged, closed_from), "{kind} {data} at {at}");
            }
        }
    }

    /// A request with each optional field set or not, texts of every kind (empty, long, non-ASCII, digits).
    fn random_request(rng: &mut impl rand::Rng) -> crate::domain::Request {
        use crate::domain::{RefusalCategory, RequestKind, Status};
        let texts = ["", "0", "12", "1.5", "Zoë Ångström", "x\u{0}y", "a'b\"c", "—", "NULL", "   "];
        let pick = |rng: &mut dyn rand::RngCore| texts[rand::Rng::random_range(rng, 0..texts.len())].to_string();
        let day = time::macros::date!(2026 - 03 - 01) - time::Duration::days(rng.random_range(0..900));
        let maybe = |rng: &mut dyn rand::RngCore| rand::Rng::random_bool(rng, 0.5).then(|| pick(rng));
        let kinds = RequestKind::ALL;
        let statuses = [Status::Received, Status::AwaitingIdentity, Status::Refused, Status::Closed, Status::Fulfilled];
        let mut r = crate::store::contract::sample(
            &pick(rng),
            "a@example.org",
            kinds[rng.random_range(0..kinds.len())],
            statuses[rng.random_range(0..statuses.len())],
            day,
        );
        r.requester.email = maybe(rng);
        r.requester.phone = maybe(rng);
        r.requester.address = maybe(rng);
        r.requester.account = maybe(rng);
        r.language = pick(rng);
        r.description = pick(rng).repeat(rng.random_range(0..200));
        r.notes = pick(rng);
        r.outcome_reason = maybe(rng);
        r.external_id = maybe(rng).map(|id| format!("{id}{}", rng.random_range(0..1_000_000)));
        r.refusal_category = rng.random_bool(0.5).then_some(RefusalCategory::Other);
        r.refusal_basis = maybe(rng);
        if rng.random_bool(0.5) {
            r.agent = None;
        }
        r.identity_requested_on = rng.random_bool(0.5).then_some(day);
        r.facts.fee_paid_on = rng.random_bool(0.5).then_some(day);
        r.facts.extended_on = rng.random_bool(0.5).then_some(day);
        if rng.random_bool(0.5) {
            r.facts.pauses.clear();
        }
        r.dates.rule_kind = maybe(rng);
        r.dates.due = rng.random_bool(0.5).then_some(day);
        r.dates.paused_days = rng.random_range(0..400);
        r.closed_at = rng.random_bool(0.5).then(|| day.midnight().assume_utc());
        r
    }

    #[test]
    fn the_state_of_an_inserted_row_is_the_state_read_back() {
        use rand::{Rng, SeedableRng};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite3");
        drop(crate::store::sqlite::Sqlite::open(&path, "2026-03-02T10:00:00Z", None).unwrap());
        let mut conn = Connection::open(&path).unwrap();
        let tx = Tx { tx: conn.transaction().unwrap(), bulk: Default::default() };
        tx.begin_bulk().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        for i in 0..500 {
            let mut r = random_request(&mut rng);
            r.reference = format!("RD-{i}");
            let key = rng.random_bool(0.5).then(|| format!("sha256:{i}"));
            tx.insert_request(&r, i, key.as_deref()).unwrap();
            let id = r.id.to_string();
            let known = tx.bulk.borrow().as_ref().and_then(|b| b.state.as_ref().map(|s| s.state.clone()));
            assert_eq!(known, row_state(&tx.tx, &id).unwrap(), "request {i}: {r:?}");
        }
    }

    #[test]
    fn a_status_change_skipped_by_the_log_facts_would_have_changed_nothing() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE requests (id TEXT, acknowledged_on TEXT, closed_from TEXT)").unwrap();
        let tos = [
            serde_json::json!("closed"),
            serde_json::json!("Closed"),
            serde_json::json!("closed "),
            serde_json::json!("refused"),
            serde_json::json!("fulfilled"),
            serde_json::json!(null),
            serde_json::json!(1),
            serde_json::json!(["closed"]),
            serde_json::json!({"to": "closed"}),
        ];
        let mut datas: Vec<serde_json::Value> = tos
            .iter()
            .flat_map(|to| {
                [
                    serde_json::json!({"from": "received", "to": to}),
                    serde_json::json!({"to": to, "stage": "acknowledgement", "reason": null}),
                    serde_json::json!({"from": null, "to": to, "file_name": "x-acknowledgement-1.pdf"}),
                ]
            })
            .collect();
        datas.extend([serde_json::json!(null), serde_json::json!("closed"), serde_json::json!({"from": "open"})]);
        for (ack, closed) in [(None, None), (Some("2026-01-02"), Some("refused"))] {
            for data in &datas {
                db.execute("DELETE FROM requests", []).unwrap();
                db.execute("INSERT INTO requests VALUES ('r', ?1, ?2)", params![ack, closed]).unwrap();
                let text = serde_json::to_string(data).unwrap();
                db.execute(LOG_FACTS_SQL, params!["r", "status_changed", text, "2026-03-04T10:00:00Z"]).unwrap();
                let row: (Option<String>, Option<String>) = db
                    .query_row("SELECT acknowledged_on, closed_from FROM requests", [], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap();
                let unchanged = row == (ack.map(str::to_string), closed.map(str::to_string));
                if !may_set_log_fact("status_changed", data) {
                    assert!(unchanged, "{data} changed the row to {row:?}");
                }
            }
        }
        assert!(may_set_log_fact("status_changed", &serde_json::json!({"from": "refused", "to": "closed"})));
        assert!(may_set_log_fact("response_sent", &serde_json::json!({"to": "refused"})));
        assert!(may_set_log_fact("attachment_added", &serde_json::json!({})));
    }

    /// The walk before it was chunked: every place read, hashed and checked in turn on this thread.
    fn sequential(rd: &Reader) -> ChainWalk {
        let mut stmt = rd
            .conn
            .prepare(
                "SELECT seq, id, coalesce(request_id, ''), at, actor, kind, data, prev_hash, hash, 0, state FROM events
                 UNION ALL
                 SELECT seq, id, request_id, at, actor, kind, data_sha256, prev_hash, hash, 1, state
                 FROM purged_events ORDER BY 1",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut walk = Walk::default();
        let mut broken = None;
        for link in read_links(&mut rows, usize::MAX).unwrap().unwrap_or_default().iter() {
            let recomputes = link.recomputes();
            if let Some(found) = walk.step(rd, link, recomputes).unwrap() {
                broken = Some(found);
                break;
            }
        }
        walk.finish(rd, broken).unwrap()
    }

    /// A chain of `n` register events and of events on a request (with row states), on a fresh register.
    fn chain(dir: &std::path::Path, n: usize) -> Connection {
        let path = dir.join("register.sqlite3");
        drop(super::super::sqlite::Sqlite::open(&path, "2026-01-05T09:00:00Z", None).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
                                   requester_name, is_open, created_at, updated_at)
             VALUES ('r1', 'RD-2026-0001', 2026, 1, 'access', 'eu-gdpr', 'FR', 'email', '2026-01-05', 'received',
                     'A', 1, '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z')",
        )
        .unwrap();
        for i in 0..n {
            let request = (i % 3 == 0).then_some("r1");
            append(&conn, request, "2026-01-05T09:00:00Z", "test", "noted", &serde_json::json!({ "n": i })).unwrap();
        }
        conn
    }

    #[test]
    fn a_break_at_any_place_of_any_chunk_is_found_as_the_sequential_walk_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let conn = chain(dir.path(), 17);
        // A request purged by retention in the middle: its events' places interleave with the live ones.
        add_request(&conn, "p1", 2);
        for n in 0..3 {
            note(&conn, Some("p1"), n);
            note(&conn, Some("r1"), n);
        }
        purge(&conn, "p1");
        note(&conn, None, 9);
        let rd = Reader { conn: &conn };
        let whole = sequential(&rd);
        assert_eq!(whole.first_break, None);
        for chunk in [1, 2, 3, 4, 5, 8, 64] {
            assert_eq!(rd.walk_chain(chunk, None).unwrap(), whole, "chunk {chunk}");
            assert_eq!(walk_keeping_states(&rd, chunk), (whole.clone(), rows_by_lookup(&rd)), "chunk {chunk}");
        }
        let seqs: Vec<i64> = conn
            .prepare("SELECT seq FROM events ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let attacks = [
            "UPDATE events SET data = '{\"n\":-1}' WHERE seq = ?1",
            "UPDATE events SET prev_hash = hash WHERE seq = ?1",
            "DELETE FROM events WHERE seq = ?1",
            "UPDATE events SET hash = prev_hash WHERE seq = ?1",
        ];
        for attack in attacks {
            for &seq in &seqs {
                conn.execute_batch("BEGIN; DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;").unwrap();
                conn.execute(attack, [seq]).unwrap();
                let expected = sequential(&rd);
                assert!(expected.first_break.is_some() || seq == *seqs.last().unwrap(), "{attack} at {seq}");
                let rows = rows_by_lookup(&rd);
                for chunk in [1, 2, 3, 4, 5, 8, 64] {
                    assert_eq!(rd.walk_chain(chunk, None).unwrap(), expected, "{attack} at {seq}, chunk {chunk}");
                    let both = walk_keeping_states(&rd, chunk);
                    assert_eq!(both, (expected.clone(), rows.clone()), "{attack} at {seq}, chunk {chunk}");
                }
                conn.execute_batch("ROLLBACK").unwrap();
            }
        }
    }

    /// The walk keeping each request's last state, then the rows check against them, in chunks of `chunk`: read
    /// after the walk, and from digests read beside it on a second connection (which must see the same register).
    fn walk_keeping_states(rd: &Reader, chunk: usize) -> (ChainWalk, RowsCheck) {
        let mut last = LastStates::new(rd.request_ids_sorted().unwrap());
        let walk = rd.walk_chain(chunk, Some(last.split())).unwrap();
        let rows = rd.rows_against(&last, chunk).unwrap();
        if rd.conn.is_autocommit() {
            let beside = row_digests_beside(rd.conn.path(), last.ids(), &head(rd.conn).unwrap()).expect("same head");
            assert_eq!(rd.rows_from_digests(&last, &beside).unwrap(), rows, "beside the walk, chunk {chunk}");
        }
        let digests = rd.row_digests(last.ids(), chunk).unwrap();
        assert_eq!(rd.rows_from_digests(&last, &digests).unwrap(), rows, "digests in chunks of {chunk}");
        (walk, rows)
    }

    /// The rows check before it read the states from the walk (main's, with the log facts): each row with a lookup
    /// of its last event's state and of the upgrade's record of its log facts.
    fn rows_by_lookup(rd: &Reader) -> RowsCheck {
        let mut stmt = rd
            .conn
            .prepare(&format!(
                "SELECT {STATE_V2_COLUMNS},
                        coalesce(
                            (SELECT e.state FROM events e WHERE e.request_id = requests.id ORDER BY e.seq DESC LIMIT 1),
                            (SELECT s.state FROM row_states s WHERE s.request_id = requests.id)),
                        {FACTS_RECORD_SQL}
                 FROM requests"
            ))
            .unwrap();
        let columns = stmt.column_count() - 3;
        let v1 = v1_column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut check = RowsCheck::default();
        while let Some(row) = rows.next().unwrap() {
            let Some(recorded) = row.get::<_, Option<String>>(columns).unwrap() else {
                check.unchecked += 1;
                continue;
            };
            check.checked += 1;
            let (state, facts_hold) = if recorded.starts_with(STATE_V2) {
                (digest_row(row, columns, STATE_V2).unwrap(), true)
            } else {
                let facts_hold =
                    (0..columns - v1).all(|i| row.get_ref(v1 + i).unwrap() == row.get_ref(columns + 1 + i).unwrap());
                (digest_row(row, v1, STATE_V1).unwrap(), facts_hold)
            };
            let problem = if state != recorded {
                ROW_CHANGED
            } else if !facts_hold {
                FACTS_CHANGED
            } else {
                continue;
            };
            check.differing += 1;
            check.rows.push(RowMismatch { reference: row.get(1).unwrap(), problem: problem.into() });
        }
        upgrade_records_problems(rd, &mut check).unwrap();
        check
    }

    fn add_request(conn: &Connection, id: &str, n: u32) {
        conn.execute(
            "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
                                   requester_name, is_open, created_at, updated_at)
             VALUES (?1, 'RD-2026-' || ?2, 2026, ?2, 'access', 'eu-gdpr', 'FR', 'email', '2026-01-05', 'received',
                     'A', 1, '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z')",
            params![id, n],
        )
        .unwrap();
    }

    /// Purge a request as retention does: its events leave, a purge record names them, and its row keeps the purge
    /// mark (the record's state covers it).
    fn purge(conn: &Connection, id: &str) {
        let at = "2026-02-01T09:00:00Z";
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Deferred).unwrap();
        let (_, removed) = purge_events(&tx, id, at).unwrap();
        tx.execute("UPDATE requests SET purged_at = ?2 WHERE id = ?1", params![id, at]).unwrap();
        append(&tx, Some(id), at, "test", "purged", &serde_json::json!({ "removed": removed })).unwrap();
        tx.commit().unwrap();
    }

    fn note(conn: &Connection, request: Option<&str>, n: u32) {
        append(conn, request, "2026-01-05T09:00:00Z", "test", "noted", &serde_json::json!({ "n": n })).unwrap();
    }

    #[test]
    fn the_rows_check_from_the_walk_finds_what_the_lookup_of_each_last_event_finds() {
        let dir = tempfile::tempdir().unwrap();
        let conn = chain(dir.path(), 4);
        let ids: Vec<String> = (0..8).map(|i| format!("0192f1a2-3b4c-7d5e-8f60-0000000000{i:02x}")).collect();
        for (n, id) in ids.iter().enumerate() {
            add_request(&conn, id, n as u32 + 10);
        }
        add_request(&conn, "r2", 30);
        for round in 0..3 {
            for (n, id) in ids.iter().enumerate().skip(1) {
                note(&conn, Some(id), round * 10 + n as u32);
            }
            note(&conn, Some("r2"), round);
            note(&conn, None, round);
        }
        // ids[0] has no event at all; ids[1] is purged.
        purge(&conn, &ids[1]);
        let rd = Reader { conn: &conn };
        let whole = sequential(&rd);
        assert_eq!(whole.first_break, None, "{whole:?}");
        let clean = rows_by_lookup(&rd);
        assert_eq!((clean.checked, clean.unchecked, clean.differing), (9, 1, 0), "{clean:?}");

        // Rows changed without an event, an event of a later schema's state, a state that is not a digest, a last
        // event without a state (held to the upgrade's record), one with a record of row states.
        conn.execute("UPDATE requests SET notes = 'quietly' WHERE id IN (?1, ?2, 'r2')", params![ids[2], ids[1]])
            .unwrap();
        let insert = "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
                      VALUES (?1, ?2, 'now', 'x', 'noted', '{}', 'x', 'x', ?3)";
        let v9 = format!("v9:{}", "ab".repeat(32));
        for (n, (id, state)) in
            [(&ids[3], Some(v9.as_str())), (&ids[4], Some("not a digest")), (&ids[5], None), (&ids[6], None)]
                .into_iter()
                .enumerate()
        {
            conn.execute(insert, params![format!("forged-{n}"), id, state]).unwrap();
        }
        let row_state = |id: &str| super::row_state(&conn, id).unwrap().unwrap();
        conn.execute("INSERT INTO row_states (request_id, state) VALUES (?1, ?2)", params![ids[5], row_state(&ids[5])])
            .unwrap();
        conn.execute("INSERT INTO row_states (request_id, state) VALUES (?1, ?2)", params![ids[0], row_state(&ids[0])])
            .unwrap();
        let expected = rows_by_lookup(&rd);
        assert_eq!((expected.checked, expected.unchecked, expected.differing), (9, 1, 6), "{expected:?}");
        let references: Vec<&str> = expected.rows.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(
            references,
            ["(the upgrade's record of rows)", "RD-2026-11", "RD-2026-12", "RD-2026-13", "RD-2026-14", "RD-2026-30"]
        );
        assert_eq!(rd.verify_rows().unwrap(), expected);
        let (walk, rows) = rd.verify_chain_and_rows().unwrap();
        assert_eq!((walk, rows), (sequential(&rd), expected.clone()));
        for chunk in [1, 2, 3, 5, 64] {
            assert_eq!(walk_keeping_states(&rd, chunk), (sequential(&rd), expected.clone()), "chunk {chunk}");
        }
        // A write between the walk's start and the second connection's: its digests are not used.
        let before = head(&conn).unwrap();
        note(&conn, None, 99);
        let ids = rd.request_ids_sorted().unwrap().sorted();
        assert!(row_digests_beside(conn.path(), &ids, &before).is_none());
        assert!(row_digests_beside(conn.path(), &ids, &head(&conn).unwrap()).is_some());
    }

    /// Append an event of `request` recording the row's v1 state, as a register before schema 11 did (the chain
    /// stays whole).
    fn note_v1(conn: &Connection, request: &str) {
        let state = conn
            .query_row(&format!("SELECT {STATE_V1_COLUMNS} FROM requests WHERE id = ?1"), [request], |row| {
                Ok(digest_row(row, v1_column_count(), STATE_V1).unwrap())
            })
            .unwrap();
        let data = serde_json::json!({ "v1": true });
        append_after(
            conn,
            head(conn).unwrap().1,
            Some(request),
            Some(state),
            "2026-01-05T09:00:00Z",
            "test",
            "noted",
            &data,
        )
        .unwrap();
    }

    #[test]
    fn the_rows_check_beside_the_walk_and_after_it_holds_v1_rows_to_the_log_facts_and_v2_rows_to_their_state() {
        let dir = tempfile::tempdir().unwrap();
        let conn = chain(dir.path(), 3);
        let (v1_kept, v1_none, v2) = (
            "0192f1a2-3b4c-7d5e-8f60-0000000000a1",
            "0192f1a2-3b4c-7d5e-8f60-0000000000a2",
            "0192f1a2-3b4c-7d5e-8f60-0000000000a3",
        );
        for (n, id) in [v1_kept, v1_none, v2, "odd-v1"].into_iter().enumerate() {
            add_request(&conn, id, 40 + n as u32);
        }
        // As an upgrade to schema 11 leaves them: facts back-filled on a v1 row and recorded, with their digest.
        conn.execute(
            "UPDATE requests SET acknowledged_on = '2026-01-06', closed_from = 'received' WHERE id IN (?1, 'odd-v1')",
            [v1_kept],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO row_facts (request_id, acknowledged_on, closed_from)
             SELECT id, acknowledged_on, closed_from FROM requests WHERE acknowledged_on IS NOT NULL",
            [],
        )
        .unwrap();
        let tx = rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Deferred).unwrap();
        record_row_facts(&tx, "2026-01-05T09:00:00Z").unwrap();
        tx.commit().unwrap();
        for id in [v1_kept, v1_none, "odd-v1"] {
            note_v1(&conn, id);
        }
        note(&conn, Some(v2), 1);
        let rd = Reader { conn: &conn };
        let clean = rows_by_lookup(&rd);
        assert_eq!((clean.checked, clean.unchecked, clean.differing), (5, 0, 0), "{clean:?}");
        assert_eq!(walk_keeping_states(&rd, 64), (sequential(&rd), clean));

        // Changed with plain SQL: the log facts of v1 rows (covered by no state, held to the upgrade's record; a
        // row without a record must have none), a fact of a v2 row (its state covers it).
        conn.execute("UPDATE requests SET acknowledged_on = '2026-02-01' WHERE id = ?1", [v1_kept]).unwrap();
        conn.execute("UPDATE requests SET closed_from = 'refused' WHERE id IN (?1, 'odd-v1')", [v1_none]).unwrap();
        conn.execute("UPDATE requests SET acknowledged_on = '2026-02-02' WHERE id = ?1", [v2]).unwrap();
        let expected = rows_by_lookup(&rd);
        let found: Vec<(&str, &str)> =
            expected.rows.iter().map(|r| (r.reference.as_str(), r.problem.as_str())).collect();
        assert_eq!(
            found,
            [
                ("RD-2026-40", FACTS_CHANGED),
                ("RD-2026-41", FACTS_CHANGED),
                ("RD-2026-42", ROW_CHANGED),
                ("RD-2026-43", FACTS_CHANGED)
            ],
            "{expected:?}"
        );
        assert_eq!(rd.verify_rows().unwrap(), expected, "after the walk");
        assert_eq!(rd.verify_chain_and_rows().unwrap(), (sequential(&rd), expected.clone()), "beside the walk");
        let mut last = LastStates::new(rd.request_ids_sorted().unwrap());
        rd.walk_chain(CHAIN_CHUNK, Some(last.split())).unwrap();
        let beside = row_digests_beside(conn.path(), last.ids(), &head(&conn).unwrap()).expect("same head");
        assert_eq!(rd.rows_from_digests(&last, &beside).unwrap(), expected, "from the second connection's digests");
        assert_eq!(rd.rows_against(&last, ROWS_CHUNK).unwrap(), expected, "read after the walk");
        for chunk in [1, 2, 3, 64] {
            assert_eq!(walk_keeping_states(&rd, chunk), (sequential(&rd), expected.clone()), "chunk {chunk}");
        }
    }
}
