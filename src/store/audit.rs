//! The audit trail: append-only events in one SHA-256 hash chain. Each event's hash covers the previous hash, the
//! event's stored text and the state of its request's row right after it, so editing, deleting or reordering any
//! event breaks the chain at that point, and a row changed without an event no longer matches its last event.
//! A retention purge removes events only with a chained record naming each one (`removed`), which `verify_chain`
//! requires for every gap. What this does and does not detect: docs/security.md.

use std::collections::{HashMap, HashSet};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

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
    let id = Uuid::now_v7().to_string();
    let data_text = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
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
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {STATE_V1_COLUMNS} FROM requests WHERE id = ?1"));
    let mut stmt = conn.prepare_cached(&SQL)?;
    let mut rows = stmt.query([request_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(digest_row(row, row.as_ref().column_count())?)),
        None => Ok(None),
    }
}

/// The v1 digest of the first `columns` columns of `row` (the state columns, in order).
fn digest_row(row: &rusqlite::Row, columns: usize) -> Result<String> {
    let mut h = Sha256::new();
    let part = |h: &mut Sha256, tag: u8, bytes: &[u8]| {
        h.update([tag]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    let names = row.as_ref().column_names();
    for (i, name) in names.take(columns).enumerate() {
        part(&mut h, b'c', name.as_bytes());
        match row.get_ref(i)? {
            ValueRef::Null => part(&mut h, b'n', &[]),
            ValueRef::Integer(v) => part(&mut h, b'i', &v.to_le_bytes()),
            ValueRef::Real(v) => part(&mut h, b'r', &v.to_bits().to_le_bytes()),
            ValueRef::Text(v) => part(&mut h, b't', v),
            ValueRef::Blob(v) => part(&mut h, b'b', v),
        }
    }
    Ok(format!("{STATE_V1}{}", hex(&h.finalize())))
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

/// A purged event kept with its fields (schema 10 on) must still hash to its place and link to the one before.
fn check_gap(row: &rusqlite::Row, head: &str, hash: &str, state: Option<&str>) -> Result<Option<String>> {
    let Some(state) = state else { return Ok(None) };
    let text = |i: usize| -> Result<String> { Ok(row.get::<_, Option<String>>(i)?.unwrap_or_default()) };
    if text(7)? != head {
        return Ok(Some(
            "a purged event's link to the one before does not match: an event was changed, removed or \
                        inserted"
                .into(),
        ));
    }
    let recomputed = link_hash_of_digest(head, &text(1)?, &text(2)?, &text(3)?, &text(4)?, &text(5)?, &text(6)?, state);
    Ok((recomputed != hash)
        .then(|| "the record kept of a purged event does not match its hash: it was altered".to_string()))
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
    pub fn verify_chain(&self) -> Result<ChainWalk> {
        let mut stmt = self.conn.prepare(
            "SELECT e.seq, e.id, coalesce(e.request_id, ''), e.at, e.actor, e.kind, e.data, e.prev_hash, e.hash,
                    r.reference, 0, e.state, r.purged_at IS NOT NULL
             FROM events e LEFT JOIN requests r ON r.id = e.request_id
             UNION ALL
             SELECT seq, id, request_id, at, actor, kind, data_sha256, prev_hash, hash, NULL, 1, state, 0
             FROM purged_events
             ORDER BY 1",
        )?;
        let mut rows = stmt.query([])?;
        let mut walk = ChainWalk {
            events_checked: 0,
            events_purged: 0,
            head_seq: 0,
            head_hash: GENESIS.into(),
            first_break: None,
        };
        let mut pending = Pending::new();
        let mut records = Records::default();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let hash: String = row.get(8)?;
            let state: Option<String> = row.get(11)?;
            records.stated |= state.is_some();
            if row.get::<_, bool>(10)? {
                walk.events_purged += 1;
                let owner: Option<String> = row.get(2)?;
                if let Some(problem) = check_gap(row, &walk.head_hash, &hash, state.as_deref())? {
                    walk.first_break = Some(ChainBreak { seq, event_id: String::new(), reference: None, problem });
                    return Ok(walk);
                }
                pending.insert(seq, Gap { hash: hash.clone(), request: owner });
                (walk.head_seq, walk.head_hash) = (seq, hash);
                continue;
            }
            walk.events_checked += 1;
            let id: String = row.get(1)?;
            let request_id: String = row.get(2)?;
            let kind: String = row.get(5)?;
            let data: String = row.get(6)?;
            let prev_hash: String = row.get(7)?;
            let reference: Option<String> = row.get(9)?;
            let broken =
                |problem: String| ChainBreak { seq, event_id: id.clone(), reference: reference.clone(), problem };
            let problem = if prev_hash != walk.head_hash {
                Some("its link to the previous event does not match: an event before it was changed, removed or inserted".to_string())
            } else if link_hash(
                &prev_hash,
                &id,
                &request_id,
                &row.get::<_, String>(3)?,
                &row.get::<_, String>(4)?,
                &kind,
                &data,
                state.as_deref(),
            ) != hash
            {
                Some("its content does not match its hash: the event was edited".to_string())
            } else {
                let purge = match kind.as_str() {
                    "purged" if !request_id.is_empty() => {
                        Some(Purge::Request { request_id: &request_id, really_purged: row.get::<_, bool>(12)? })
                    }
                    UPGRADE_PURGES | UPGRADE_ROWS if request_id.is_empty() => records.upgrade(&kind),
                    _ => None,
                };
                match purge {
                    Some(Purge::Refused(problem)) => Some(problem),
                    Some(purge) if kind != UPGRADE_ROWS => claim(&data, purge, &mut pending, &mut records),
                    _ => None,
                }
            };
            if let Some(problem) = problem {
                walk.first_break = Some(broken(problem));
                return Ok(walk);
            }
            (walk.head_seq, walk.head_hash) = (seq, hash);
        }
        if let Some(seq) = pending.keys().min() {
            walk.first_break = Some(ChainBreak {
                seq: *seq,
                event_id: String::new(),
                reference: None,
                problem: "this event was deleted without a purge record naming it: it was removed outside a \
                          retention purge"
                    .into(),
            });
            return Ok(walk);
        }
        walk.first_break = self.purge_left_events()?;
        Ok(walk)
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
    /// recorded states, by the upgrade's record of row states, itself checked against its chained digest).
    pub fn verify_rows(&self) -> Result<RowsCheck> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {STATE_V1_COLUMNS},
                    coalesce(
                        (SELECT e.state FROM events e WHERE e.request_id = requests.id ORDER BY e.seq DESC LIMIT 1),
                        (SELECT s.state FROM row_states s WHERE s.request_id = requests.id))
             FROM requests"
        ))?;
        let columns = stmt.column_count() - 1;
        let mut rows = stmt.query([])?;
        let mut check = RowsCheck::default();
        while let Some(row) = rows.next()? {
            let recorded: Option<String> = row.get(columns)?;
            let Some(recorded) = recorded else {
                check.unchecked += 1;
                continue;
            };
            check.checked += 1;
            let now = digest_row(row, columns)?;
            if !recorded.starts_with(STATE_V1) || now != recorded {
                check.differing += 1;
                if check.rows.len() < 100 {
                    check.rows.push(RowMismatch {
                        reference: row.get(1)?,
                        problem: "the request's row differs from what its last audit event recorded: it was changed \
                                  without an event"
                            .into(),
                    });
                }
            }
        }
        if let Some(problem) = self.row_states_problem()? {
            check.differing += 1;
            check.rows.insert(0, RowMismatch { reference: "(the upgrade's record of rows)".into(), problem });
        }
        Ok(check)
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
