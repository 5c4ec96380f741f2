//! The audit trail: append-only events in one SHA-256 hash chain. Each event's hash covers the previous hash and
//! the event's stored text, so editing, deleting or reordering any event breaks the chain at that point.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::migrate::hex;
use super::{Reader, Tx};
use crate::error::{Error, Result};

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

pub(crate) fn link_hash(
    prev: &str,
    id: &str,
    request_id: &str,
    at: &str,
    actor: &str,
    kind: &str,
    data: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, id, request_id, at, actor, kind, data] {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_checked: u64,
    pub ok: bool,
    pub first_break: Option<ChainBreak>,
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
        let prev: String = self
            .tx
            .prepare_cached("SELECT hash FROM events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| GENESIS.to_string());
        let id = Uuid::now_v7().to_string();
        let request_id = request_id.to_string();
        let data_text = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
        let hash = link_hash(&prev, &id, &request_id, at, actor, kind, &data_text);
        self.tx
            .prepare_cached(
                "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![id, request_id, at, actor, kind, data_text, prev, hash])?;
        Ok(Event {
            seq: self.tx.last_insert_rowid(),
            id,
            request_id,
            at: at.to_string(),
            actor: actor.to_string(),
            kind: kind.to_string(),
            data: data.clone(),
            hash,
        })
    }
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
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedEvent {
    /// Its stored hash is the hash of its own content and link (what `verify_chain.py` in an evidence pack checks).
    pub fn recomputes(&self) -> bool {
        link_hash(&self.prev_hash, &self.id, &self.request_id, &self.at, &self.actor, &self.kind, &self.data)
            == self.hash
    }
}

impl Reader<'_> {
    /// A request's events with their links, in chain order.
    pub fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, request_id, at, actor, kind, data, prev_hash, hash FROM events WHERE request_id = ?1
             ORDER BY seq",
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
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
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

    /// Walk the whole chain in order and report the first broken link.
    pub fn verify_chain(&self) -> Result<ChainReport> {
        // Purged events keep their place and hash (retention): the chain links across them, unchecked inside.
        let mut stmt = self.conn.prepare(
            "SELECT e.seq, e.id, e.request_id, e.at, e.actor, e.kind, e.data, e.prev_hash, e.hash, r.reference, 0
             FROM events e LEFT JOIN requests r ON r.id = e.request_id
             UNION ALL
             SELECT seq, '', '', '', '', '', '', '', hash, NULL, 1 FROM purged_events
             ORDER BY 1",
        )?;
        let mut rows = stmt.query([])?;
        let mut prev = GENESIS.to_string();
        let mut checked = 0u64;
        while let Some(row) = rows.next()? {
            if row.get::<_, bool>(10)? {
                prev = row.get(8)?;
                continue;
            }
            checked += 1;
            let seq: i64 = row.get(0)?;
            let id: String = row.get(1)?;
            let request_id: String = row.get(2)?;
            let prev_hash: String = row.get(7)?;
            let hash: String = row.get(8)?;
            let reference: Option<String> = row.get(9)?;
            let problem = if prev_hash != prev {
                Some("its link to the previous event does not match: an event before it was changed, removed or inserted".to_string())
            } else {
                let expected = link_hash(
                    &prev_hash,
                    &id,
                    &request_id,
                    &row.get::<_, String>(3)?,
                    &row.get::<_, String>(4)?,
                    &row.get::<_, String>(5)?,
                    &row.get::<_, String>(6)?,
                );
                (expected != hash).then(|| "its content does not match its hash: the event was edited".to_string())
            };
            if let Some(problem) = problem {
                return Ok(ChainReport {
                    events_checked: checked,
                    ok: false,
                    first_break: Some(ChainBreak { seq, event_id: id, reference, problem }),
                });
            }
            prev = hash;
        }
        Ok(ChainReport { events_checked: checked, ok: true, first_break: None })
    }
}
