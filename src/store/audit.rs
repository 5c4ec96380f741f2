//! The audit trail: append-only events in one SHA-256 hash chain. Each event's hash covers the previous hash, the
//! event's stored text and the state of its request's row right after it, so editing, deleting or reordering any
//! event breaks the chain at that point, and a row changed without an event no longer matches its last event.
//! A retention purge removes events only with a chained record naming each one (`removed`), which `verify_chain`
//! requires for every gap. What this does and does not detect: docs/security.md.

use std::collections::{HashMap, HashSet};

use rusqlite::types::{Type, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::last_states::{Kept, LastStates, Recorded, RequestIds, Slot};
use super::pipeline;
use super::sqlite::{Reader, Tx};
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

/// The version of the row digest written into new events' `state`; `row_state` says what each version covers.
const STATE_V1: &str = "v1:";
/// Every column of a request row, in the order the v1 digest reads them. A later migration that adds a column
/// adds a v2 list, so events recorded under v1 still verify.
const STATE_V1_COLUMNS: &str = "id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
    requester_name, requester_email, requester_phone, requester_address, requester_account, language, description,
    notes, outcome_reason, verified_on, fee_paid_on, pauses, extended_on, due_override, rule_kind, clock_start,
    acknowledge_by, due, extended_due, effective_due, internal_target, paused_days, is_open, created_at, updated_at,
    closed_at, agent, identity_requested_on, refusal_category, refusal_basis, external_id, import_key, requester_id,
    purged_at, purged_facts";

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
    let (_, prev) = head(tx)?;
    let id = Uuid::now_v7().to_string();
    let data_text = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
    let state = match request_id {
        Some(request_id) => {
            Some(row_state(tx, request_id)?.ok_or_else(|| Error::not_found("request", request_id.to_string()))?)
        }
        None => None,
    };
    let hash = link_hash(&prev, &id, request_id.unwrap_or(""), at, actor, kind, &data_text, state.as_deref());
    tx.prepare_cached(
        "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id, request_id, at, actor, kind, data_text, prev, hash, state])?;
    Ok(Event {
        seq: tx.last_insert_rowid(),
        id,
        request_id: request_id.unwrap_or("").to_string(),
        at: at.to_string(),
        actor: actor.to_string(),
        kind: kind.to_string(),
        data: data.clone(),
        hash,
    })
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

/// The digest of a request row as it stands (None: no such row): each column's name, type and value,
/// length-prefixed, under the version tag.
fn row_state(conn: &Connection, request_id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {STATE_V1_COLUMNS} FROM requests WHERE id = ?1"))?;
    let mut rows = stmt.query([request_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(digest_row(row, row.as_ref().column_count())?)),
        None => Ok(None),
    }
}

/// The v1 digest of the first `columns` columns of `row` (the state columns, in order).
fn digest_row(row: &rusqlite::Row, columns: usize) -> Result<String> {
    let mut input = Vec::new();
    let names: Vec<&str> = row.as_ref().column_names().take(columns).collect();
    state_input(row, &names, &mut input)?;
    Ok(state_digest(&input))
}

/// Append to `input` what the v1 digest hashes of the first columns of `row`, named `names`: each column's name,
/// type and value, tagged and length-prefixed. Kept apart from the hashing so a worker thread can hash it; the
/// names are the statement's, taken once by a caller that digests many rows.
fn state_input(row: &rusqlite::Row, names: &[&str], input: &mut Vec<u8>) -> Result<()> {
    let mut part = |tag: u8, bytes: &[u8]| {
        input.push(tag);
        input.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        input.extend_from_slice(bytes);
    };
    for (i, name) in names.iter().enumerate() {
        part(b'c', name.as_bytes());
        match row.get_ref(i)? {
            ValueRef::Null => part(b'n', &[]),
            ValueRef::Integer(v) => part(b'i', &v.to_le_bytes()),
            ValueRef::Real(v) => part(b'r', &v.to_bits().to_le_bytes()),
            ValueRef::Text(v) => part(b't', v),
            ValueRef::Blob(v) => part(b'b', v),
        }
    }
    Ok(())
}

fn state_digest(input: &[u8]) -> String {
    format!("{STATE_V1}{}", hex(&Sha256::digest(input)))
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
        append(&self.tx, Some(&request_id.to_string()), at, actor, kind, data)
    }

    /// An event of the register itself (no request): a restored trigger, an upgrade's record.
    pub fn append_register_event(&self, at: &str, actor: &str, kind: &str, data: &serde_json::Value) -> Result<Event> {
        append(&self.tx, None, at, actor, kind, data)
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
        let state = digest_row(row, columns)?;
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

fn fold_row_state(table: &mut Sha256, id: &str, state: &str) {
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
const CHAIN_CHUNK: usize = 2048;
/// The page cache while the audit scans the register, in KiB (SQLite's unit when negative).
const SCAN_CACHE: i64 = -4096;
const ROWS_CHUNK: usize = 1024;

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
struct Links {
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
    fn push(&mut self, row: &rusqlite::Row) -> Result<()> {
        let purged: bool = row.get(9)?;
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
        self.places.push(Place { seq: row.get(0)?, purged, fields, request_id: present[1], state: present[8] });
        Ok(())
    }

    fn len(&self) -> usize {
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
    fn step(&mut self, rd: &Reader, link: Link, recomputes: bool) -> Result<Option<ChainBreak>> {
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
    fn finish(mut self, rd: &Reader, broken: Option<ChainBreak>) -> Result<ChainWalk> {
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
/// the state its events recorded, and its rowid to name it by if it differs.
#[derive(Default)]
struct StatesChunk {
    input: Vec<u8>,
    ends: Vec<usize>,
    recorded: Vec<Recorded>,
    rowids: Vec<i64>,
}

impl StatesChunk {
    /// Whether each row is what was recorded. Pure: this is the part the workers do.
    fn holds(&self) -> Vec<bool> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(&self.recorded)
            .map(|((start, &end), recorded)| {
                let recorded = recorded.text().unwrap_or_default();
                recorded.starts_with(STATE_V1) && state_digest(&self.input[start..end]) == recorded
            })
            .collect()
    }
}

/// A text column borrowed from the row (no copy).
fn text_at<'a>(row: &'a rusqlite::Row, i: usize) -> Result<&'a str> {
    Ok(text_or_null_at(row, i)?.ok_or_else(|| rusqlite::Error::InvalidColumnType(i, "text".into(), Type::Null))?)
}

fn text_or_null_at<'a>(row: &'a rusqlite::Row, i: usize) -> Result<Option<&'a str>> {
    let value = row.get_ref(i)?;
    Ok(value.as_str_or_null().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), e.into()))?)
}

const ROW_CHANGED: &str =
    "the request's row differs from what its last audit event recorded: it was changed without an event";

/// Every request row's digest, read beside the chain walk.
struct RowDigests {
    /// The rows in the order read: each one's place among the sorted ids, or `OTHER_ROW` and its index in `others`.
    order: Vec<u32>,
    /// By place among the sorted ids.
    digests: Vec<[u8; 32]>,
    /// Rows whose id is not a canonical UUID (or not among the ids read before), with their id.
    others: Vec<(String, [u8; 32])>,
}

const OTHER_ROW: u32 = 1 << 31;

enum RowAt {
    Place(u32),
    Other(String),
}

/// Request rows read for their digests: each row's digest input back to back, and where each row goes.
#[derive(Default)]
struct InputsChunk {
    input: Vec<u8>,
    ends: Vec<usize>,
    rows: Vec<RowAt>,
}

impl InputsChunk {
    fn digests(&self) -> Vec<[u8; 32]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(start, &end)| state_digest_bytes(&self.input[start..end])).collect()
    }
}

fn read_inputs(
    rows: &mut rusqlite::Rows,
    names: &[&str],
    ids: &RequestIds,
    chunk_rows: usize,
) -> Result<Option<InputsChunk>> {
    let mut chunk = InputsChunk::default();
    while chunk.ends.len() < chunk_rows {
        let Some(row) = rows.next()? else { break };
        let id = text_at(row, 0)?;
        chunk.rows.push(ids.place_of(id).map_or_else(|| RowAt::Other(id.to_string()), RowAt::Place));
        state_input(row, names, &mut chunk.input)?;
        chunk.ends.push(chunk.input.len());
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
struct RowCounts {
    checked: u64,
    unchecked: u64,
}

/// The next `chunk` rows with a recorded state: their last event's (`last`), else the upgrade's record of row
/// states (rows without either are counted `unchecked` and not kept).
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
        let id = text_at(row, 0)?;
        let recorded = match last.get(id) {
            Recorded::None => match rd.upgrade_row_state(id)? {
                Some(state) => Recorded::Text(state),
                None => {
                    counts.unchecked += 1;
                    continue;
                }
            },
            recorded => recorded,
        };
        counts.checked += 1;
        state_input(row, names, &mut chunk.input)?;
        chunk.ends.push(chunk.input.len());
        chunk.recorded.push(recorded);
        chunk.rowids.push(row.get(names.len())?);
    }
    Ok((!chunk.ends.is_empty()).then_some(chunk))
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
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
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
        let mut walk = Walk::default();
        let mut broken = None;
        let (ids, mut kept) = match last {
            Some((ids, kept)) => (Some(ids), Some(kept)),
            None => (None, None),
        };
        pipeline::ordered(
            || read_links(&mut rows, chunk),
            |links: &Links| {
                let slot = |link: &Link| ids.map_or(Slot::Skip, |ids| link.slot(ids));
                links.iter().map(|link| (link.recomputes(), slot(&link))).collect::<Vec<_>>()
            },
            |links, worked| {
                for (link, (recomputes, slot)) in links.iter().zip(worked) {
                    if let Some(kept) = kept.as_deref_mut() {
                        kept.record(slot, link.request_id.unwrap_or(""), link.state);
                    }
                    if broken.is_some() {
                        continue;
                    }
                    if let Some(found) = walk.step(self, link, recomputes)? {
                        broken = Some(found);
                        if kept.is_none() {
                            return Ok(false);
                        }
                    }
                }
                Ok(true)
            },
        )?;
        walk.finish(self, broken)
    }

    /// The reference of a request and whether it was purged (None: no such row).
    fn request_mark(&self, request_id: &str) -> Result<Option<(String, bool)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference, purged_at IS NOT NULL FROM requests WHERE id = ?1")?
            .query_row([request_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// A purge removes every event its request had before it: a `purged` event with live events of its request
    /// before it is a forged record.
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
                        problem: "a purge record on a request whose earlier events are still there: the record is \
                                  forged"
                            .into(),
                    })
                },
            )
            .optional()?)
    }

    /// Every request row against the state recorded by its last event (or, for a row whose events all predate
    /// recorded states, by the upgrade's record of row states, itself checked against its chained digest). The
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
        let mut stmt = self.conn.prepare(&format!("SELECT {STATE_V1_COLUMNS}, rowid FROM requests"))?;
        let columns = stmt.column_count() - 1;
        let names: Vec<String> = stmt.column_names().take(columns).map(str::to_string).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut rows = stmt.query([])?;
        let mut check = RowsCheck::default();
        let mut counts = RowCounts::default();
        pipeline::ordered(
            || read_states(self, &mut rows, &names, last, chunk, &mut counts),
            |chunk: &StatesChunk| chunk.holds(),
            |chunk, holds| {
                for (rowid, holds) in chunk.rowids.into_iter().zip(holds) {
                    if holds {
                        continue;
                    }
                    check.differing += 1;
                    if check.rows.len() < 100 {
                        check
                            .rows
                            .push(RowMismatch { reference: self.reference_at(rowid)?, problem: ROW_CHANGED.into() });
                    }
                }
                Ok(true)
            },
        )?;
        (check.checked, check.unchecked) = (counts.checked, counts.unchecked);
        if let Some(problem) = self.row_states_problem()? {
            check.differing += 1;
            check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of rows)".into(), problem });
        }
        Ok(check)
    }

    /// The digest of every request row (the v1 state's, untagged), read and hashed in chunks.
    fn row_digests(&self, ids: &RequestIds, chunk: usize) -> Result<RowDigests> {
        let mut stmt = self.conn.prepare(&format!("SELECT {STATE_V1_COLUMNS} FROM requests"))?;
        let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut rows = stmt.query([])?;
        let mut out =
            RowDigests { order: Vec::with_capacity(ids.len()), digests: vec![[0; 32]; ids.len()], others: vec![] };
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
            let recorded = match recorded {
                Recorded::None => match self.upgrade_row_state(&id())? {
                    Some(state) => Recorded::Text(state),
                    None => {
                        check.unchecked += 1;
                        continue;
                    }
                },
                recorded => recorded,
            };
            check.checked += 1;
            if !recorded.is(STATE_V1, digest) {
                check.differing += 1;
                if check.rows.len() < 100 {
                    let reference = self.reference_of(&id())?;
                    check.rows.push(RowMismatch { reference, problem: ROW_CHANGED.into() });
                }
            }
        }
        if let Some(problem) = self.row_states_problem()? {
            check.differing += 1;
            check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of rows)".into(), problem });
        }
        Ok(check)
    }

    fn reference_of(&self, request_id: &str) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference FROM requests WHERE id = ?1")?
            .query_row([request_id], |r| r.get(0))?)
    }

    /// The reference of the request row `rowid` (in the rows check's snapshot).
    fn reference_at(&self, rowid: i64) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT reference FROM requests WHERE rowid = ?1")?
            .query_row([rowid], |r| r.get(0))?)
    }

    /// The state the upgrade to schema 10 recorded for a request's row, if it did.
    fn upgrade_row_state(&self, request_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state FROM row_states WHERE request_id = ?1")?
            .query_row([request_id], |r| r.get(0))
            .optional()?)
    }

    /// Whether `row_states` is still what the upgrade recorded (the digest in its chained event).
    fn row_states_problem(&self) -> Result<Option<String>> {
        let recorded: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM events WHERE request_id IS NULL AND kind = 'row_states_recorded'
                 ORDER BY seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let mut stmt = self.conn.prepare("SELECT request_id, state FROM row_states ORDER BY request_id")?;
        let mut rows = stmt.query([])?;
        let mut table = Sha256::new();
        let mut count = 0u64;
        while let Some(row) = rows.next()? {
            fold_row_state(&mut table, &row.get::<_, String>(0)?, &row.get::<_, String>(1)?);
            count += 1;
        }
        let expected = recorded
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .map(|d| (d["rows"].as_u64().unwrap_or(0), d["digest"].as_str().unwrap_or("").to_string()));
        let holds = match expected {
            Some((rows, digest)) => rows == count && digest == hex(&table.finalize()),
            None => count == 0,
        };
        Ok((!holds).then(|| {
            "the states of request rows recorded at the upgrade to schema 10 were altered after the upgrade".into()
        }))
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
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
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
        drop(super::super::sqlite::Sqlite::open(&path, "2026-01-05T09:00:00Z").unwrap());
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

    /// The rows check before it read the states from the walk: each row with a lookup of its last event's state.
    fn rows_by_lookup(rd: &Reader) -> RowsCheck {
        let mut stmt = rd
            .conn
            .prepare(&format!(
                "SELECT {STATE_V1_COLUMNS},
                        coalesce(
                            (SELECT e.state FROM events e WHERE e.request_id = requests.id ORDER BY e.seq DESC LIMIT 1),
                            (SELECT s.state FROM row_states s WHERE s.request_id = requests.id))
                 FROM requests"
            ))
            .unwrap();
        let columns = stmt.column_count() - 1;
        let mut rows = stmt.query([]).unwrap();
        let mut check = RowsCheck::default();
        while let Some(row) = rows.next().unwrap() {
            let Some(recorded) = row.get::<_, Option<String>>(columns).unwrap() else {
                check.unchecked += 1;
                continue;
            };
            check.checked += 1;
            if !recorded.starts_with(STATE_V1) || digest_row(row, columns).unwrap() != recorded {
                check.differing += 1;
                check.rows.push(RowMismatch {
                    reference: row.get(1).unwrap(),
                    problem: "the request's row differs from what its last audit event recorded: it was changed \
                              without an event"
                        .into(),
                });
            }
        }
        if let Some(problem) = rd.row_states_problem().unwrap() {
            check.differing += 1;
            check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of rows)".into(), problem });
        }
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
}
