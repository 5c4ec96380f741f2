//! The audit trail on PostgreSQL: the same hash chain as SQLite's (`store/audit.rs`), byte for byte. Every hash,
//! row digest and check is the SQLite store's own code (the link hash, `Cell`-tagged row digests, the chain walk and
//! rows check in order, the log facts) fed with this engine's values; only the SQL is written here. The append-only
//! guards are PL/pgSQL triggers (`migrations/postgres/0003_audit_guards.sql`), checked against that file.

use postgres::Row;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Pg, count};
use crate::error::{Error, Result};
use crate::hash::hex;
use crate::store::audit::ChainBreak;
use crate::store::audit::{
    AuditReads, CHAIN_CHUNK, ChainWalker, GENESIS, Links, NewEvent, PURGE_LEFT_EVENTS, ROWS_CHUNK, RowsTally, STATE_V2,
    STATE_V2_COLUMNS, STATE_V2_NAMES, StatesChunk, digest_cells, event_data, log_facts, rows_check_select, text_at,
    text_or_null_at,
};
use crate::store::last_states::{Kept, LastStates, RequestIds};
use crate::store::value::Cells;
use crate::store::{ChainWalk, ChainedEvent, Event, HeadAt, Purged, RowsCheck, StoredCheckpoint};
use crate::store::{TriggerProblem, pipeline};

/// The guards as shipped: the migration that creates them is also what they are checked against and restored from.
const GUARDS_SQL: &str = include_str!("../../../migrations/postgres/0003_audit_guards.sql");

/// One append-only guard of `GUARDS_SQL`: its trigger's name and table, the function's body, and the two
/// statements that create them.
struct Guard<'a> {
    name: &'a str,
    table: &'a str,
    function: &'a str,
    trigger: &'a str,
    body: &'a str,
}

/// The guards `GUARDS_SQL` ships, in its order (each block: `-- guard: name`, the function ending `$$;`, the
/// trigger ending `;`).
fn guards() -> Result<Vec<Guard<'static>>> {
    let shape =
        |what: &str| Error::Corrupt(format!("migrations/postgres/0003 is not in the shape it ships in: {what}"));
    let mut out = vec![];
    for block in GUARDS_SQL.split("\n-- guard: ").skip(1) {
        let (name, rest) = block.split_once('\n').ok_or_else(|| shape("a guard without statements"))?;
        let (function, trigger) = rest.split_once("$$;\n").ok_or_else(|| shape(name))?;
        let body = function.split("$$").nth(1).ok_or_else(|| shape(name))?;
        let trigger = trigger.trim().trim_end_matches(';');
        let table = trigger.split_once(" ON ").and_then(|(_, t)| t.split(' ').next()).ok_or_else(|| shape(name))?;
        out.push(Guard { name: name.trim(), table, function: &rest[..function.len() + 2], trigger, body });
    }
    Ok(out)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// PostgreSQL's values as the digests tag them (SQLite's storage classes): bigint (and the smaller integers, and a
/// boolean as SQLite keeps one) as an integer, text as text, bytea as a blob, a double as a real, NULL as null.
/// A query read a chunk at a time through a cursor of the transaction: memory stays bounded, and other queries
/// may run between chunks (the chain walk looks up purge marks and references as it goes), which one result
/// streamed off the connection would not allow. Closed when dropped.
struct Cursor<'p, 'a> {
    pg: &'p Pg<'a>,
    name: &'static str,
}

impl<'p, 'a> Cursor<'p, 'a> {
    fn open(pg: &'p Pg<'a>, name: &'static str, sql: &str) -> Result<Cursor<'p, 'a>> {
        pg.tx.borrow_mut().batch_execute(&format!("DECLARE {name} NO SCROLL CURSOR FOR {sql}"))?;
        Ok(Cursor { pg, name })
    }

    fn fetch(&self, n: usize) -> Result<Vec<Row>> {
        Ok(self.pg.tx.borrow_mut().query(&format!("FETCH FORWARD {n} FROM {}", self.name), &[])?)
    }
}

impl Drop for Cursor<'_, '_> {
    fn drop(&mut self) {
        // A failed transaction has closed it already; nothing else can fail here that matters.
        if let Ok(mut tx) = self.pg.tx.try_borrow_mut() {
            let _ = tx.batch_execute(&format!("CLOSE {}", self.name));
        }
    }
}

/// The newest link, live or purged (a purged event keeps its place: the next event chains to it); on a tie, which
/// no register has, the purged one, as on SQLite. Read through a function with the owner's rights
/// (`migrations/postgres/0005`): a contributor, who may read only some events, appends after the true head.
const HEAD_SQL: &str = "SELECT seq, hash FROM rightsdesk_chain_head() WHERE seq IS NOT NULL";

/// The whole chain in order, live and purged places (a purged event's data as its SHA-256), as the walk reads it.
const CHAIN_SQL: &str =
    "SELECT seq, id, coalesce(request_id, ''), at, actor, kind, data, prev_hash, hash, 0::bigint, state
       FROM events
     UNION ALL
     SELECT seq, id, request_id, at, actor, kind, data_sha256, prev_hash, hash, 1::bigint, state FROM purged_events
     ORDER BY 1";

fn event_of(row: &Row, request_id: String) -> Result<Event> {
    Ok(Event {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        request_id,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        kind: row.try_get("kind")?,
        data: event_data(row.try_get("data")?),
        hash: row.try_get("hash")?,
    })
}

impl Pg<'_> {
    pub(super) fn events(&self, request_id: &Uuid) -> Result<Vec<Event>> {
        let id = request_id.to_string();
        let rows = self.rows(
            "SELECT seq, id, at, actor, kind, data, hash FROM events WHERE request_id = $1 ORDER BY seq",
            &[&id],
        )?;
        rows.iter().map(|r| event_of(r, id.clone())).collect()
    }

    pub(super) fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
        let rows = self.rows(
            "SELECT seq, id, request_id, at, actor, kind, data, state, prev_hash, hash FROM events
             WHERE request_id = $1 ORDER BY seq",
            &[&request_id.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ChainedEvent {
                    seq: r.try_get(0)?,
                    id: r.try_get(1)?,
                    request_id: r.try_get(2)?,
                    at: r.try_get(3)?,
                    actor: r.try_get(4)?,
                    kind: r.try_get(5)?,
                    data: r.try_get(6)?,
                    state: r.try_get(7)?,
                    prev_hash: r.try_get(8)?,
                    hash: r.try_get(9)?,
                })
            })
            .collect()
    }

    /// The chain walked in order, its hashes recomputed on worker threads a chunk at a time (the SQLite store's
    /// pipeline: this thread fetches the chunks and checks the links in order).
    pub(super) fn verify_chain(&self) -> Result<ChainWalk> {
        self.walk_chain(CHAIN_CHUNK, None)
    }

    /// Every request row against the state its last event recorded (the SQLite store's check). A read is one
    /// snapshot (REPEATABLE READ); inside a write, the register's write lock keeps every other writer out.
    pub(super) fn verify_rows(&self) -> Result<RowsCheck> {
        let mut last = LastStates::new(self.request_ids_sorted()?);
        self.each_row("SELECT coalesce(request_id, ''), state FROM events ORDER BY seq", &[], &mut |row| {
            last.keep(text_at(row, 0)?, text_or_null_at(row, 1)?);
            Ok(())
        })?;
        self.rows_against(&last, ROWS_CHUNK)
    }

    /// Both checks in one read: the walk keeps each request's last state, then the rows are read against them —
    /// all in the read's one snapshot. (SQLite digests the rows meanwhile on a second connection; here they are
    /// read after the walk, in the same transaction.)
    pub(super) fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)> {
        let mut last = LastStates::new(self.request_ids_sorted()?);
        let walk = self.walk_chain(CHAIN_CHUNK, Some(last.split()))?;
        let rows = self.rows_against(&last, ROWS_CHUNK)?;
        Ok((walk, rows))
    }

    fn request_ids_sorted(&self) -> Result<RequestIds> {
        let n = count(&self.one("SELECT count(*) FROM requests", &[])?, 0)?;
        let mut ids = RequestIds::with_capacity(usize::try_from(n).unwrap_or(0));
        self.each_row("SELECT id FROM requests", &[], &mut |row| {
            ids.push(text_at(row, 0)?);
            Ok(())
        })?;
        Ok(ids)
    }

    /// The walk, `chunk` places at a time; with `last`, keeping each request's last state.
    fn walk_chain(&self, chunk: usize, last: Option<(&RequestIds, &mut Kept)>) -> Result<ChainWalk> {
        let (ids, kept) = match last {
            Some((ids, kept)) => (Some(ids), Some(kept)),
            None => (None, None),
        };
        let cursor = Cursor::open(self, "audit_chain", CHAIN_SQL)?;
        let mut walker = ChainWalker::new(kept);
        pipeline::ordered(
            || {
                let mut links = Links::default();
                for row in cursor.fetch(chunk)? {
                    links.push(&row)?;
                }
                Ok((links.len() > 0).then_some(links))
            },
            |links: &Links| ChainWalker::work(links, ids),
            |links, worked| walker.take(self, links, worked),
        )?;
        drop(cursor);
        walker.finish(self)
    }

    /// The rows check: a scan of `requests` in chunks, digested on worker threads.
    fn rows_against(&self, last: &LastStates, chunk: usize) -> Result<RowsCheck> {
        let (sql, names) = rows_check_select("row_no");
        let cursor = Cursor::open(self, "audit_rows", &sql)?;
        let mut tally = RowsTally::default();
        let mut counts = Default::default();
        pipeline::ordered(
            || loop {
                let rows = cursor.fetch(chunk)?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let mut chunk = StatesChunk::default();
                for row in &rows {
                    chunk.take_row(self, row, names, last, &mut counts)?;
                }
                // Rows none of which has a recorded state make no chunk, and are not the end.
                if !chunk.is_empty() {
                    return Ok(Some(chunk));
                }
            },
            |chunk: &StatesChunk| chunk.problems(),
            |chunk, problems| tally.take(self, chunk, problems),
        )?;
        drop(cursor);
        tally.counts = counts;
        tally.finish(self)
    }

    pub(super) fn trigger_problems(&self) -> Result<Vec<TriggerProblem>> {
        let mut problems = vec![];
        for guard in guards()? {
            let found = self.optional(
                "SELECT pg_get_triggerdef(t.oid), t.tgenabled IN ('O', 'A'), p.prosrc, l.lanname,
                        quote_ident(n.nspname), p.pronamespace = c.relnamespace
                   FROM pg_trigger t
                   JOIN pg_class c ON c.oid = t.tgrelid
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_proc p ON p.oid = t.tgfoid
                   JOIN pg_language l ON l.oid = p.prolang
                  WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2 AND NOT t.tgisinternal",
                &[&guard.table, &guard.name],
            )?;
            let problem = match found {
                None => "missing",
                Some(row) => {
                    let (definition, enabled, body, language): (String, bool, String, String) =
                        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
                    let (schema, same_schema): (String, bool) = (row.try_get(4)?, row.try_get(5)?);
                    // The server names the table (and a function outside the search path) with its schema; the
                    // function must be the register's own, beside its table.
                    let definition = squash(&definition)
                        .replacen(&format!(" ON {schema}.{} ", guard.table), &format!(" ON {} ", guard.table), 1)
                        .replacen(
                            &format!(" FUNCTION {schema}.{}(", guard.name),
                            &format!(" FUNCTION {}(", guard.name),
                            1,
                        );
                    let as_shipped = same_schema
                        && definition == squash(guard.trigger)
                        && enabled
                        && squash(&body) == squash(guard.body)
                        && language == "plpgsql";
                    if as_shipped {
                        continue;
                    }
                    "altered"
                }
            };
            problems.push(TriggerProblem { name: guard.name.to_string(), problem: problem.into() });
        }
        Ok(problems)
    }

    pub(super) fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let rows = self.rows("SELECT id, at, reason, body, signature FROM checkpoints ORDER BY id", &[])?;
        rows.iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    reason: r.try_get(2)?,
                    body: r.try_get(3)?,
                    signature: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub(super) fn hash_at(&self, seq: i64) -> Result<HeadAt> {
        let found = self.optional(
            "SELECT hash FROM events WHERE seq = $1 UNION ALL SELECT hash FROM purged_events WHERE seq = $1 LIMIT 1",
            &[&seq],
        )?;
        Ok(match found {
            Some(row) => HeadAt::Hash(row.try_get(0)?),
            None => HeadAt::Missing,
        })
    }

    pub(super) fn events_after(&self, seq: i64) -> Result<u64> {
        count(&self.one("SELECT count(*) FROM events WHERE seq > $1", &[&seq])?, 0)
    }

    pub(super) fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>> {
        let rows = self.rows(
            "SELECT seq, id, at, actor, kind, data, hash FROM events WHERE request_id IS NULL ORDER BY seq DESC LIMIT $1",
            &[&i64::from(limit)],
        )?;
        rows.iter().map(|r| event_of(r, String::new())).collect()
    }

    pub(super) fn register_events(&self, kind: &str) -> Result<Vec<String>> {
        let rows =
            self.rows("SELECT at, data FROM events WHERE request_id IS NULL AND kind = $1 ORDER BY seq", &[&kind])?;
        rows.iter().map(|r| Ok(format!("{}: {}", r.try_get::<_, &str>(0)?, r.try_get::<_, &str>(1)?))).collect()
    }

    pub(super) fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        let rows =
            self.rows("SELECT data FROM events WHERE request_id IS NULL AND kind = $1 ORDER BY seq", &[&kind])?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(r.try_get::<_, &str>(0)?).unwrap_or(serde_json::Value::Null)))
            .collect()
    }

    pub(super) fn chain_head(&self) -> Result<(i64, String, u64)> {
        let (seq, hash) = self.head()?;
        let events = count(&self.one("SELECT count(*) FROM events", &[])?, 0)?;
        Ok((seq, hash, events))
    }

    fn head(&self) -> Result<(i64, String)> {
        Ok(match self.optional(HEAD_SQL, &[])? {
            Some(row) => (row.try_get(0)?, row.try_get(1)?),
            None => (0, GENESIS.to_string()),
        })
    }

    pub(super) fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        self.append(Some(&request_id.to_string()), at, actor, kind, data)
    }

    pub(super) fn append_register_event(
        &self,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        self.append(None, at, actor, kind, data)
    }

    /// Append one event, chained to the newest link, with its request row's state (taken after the log facts this
    /// event sets are kept on the row, so the state covers them).
    fn append(
        &self,
        request_id: Option<&str>,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        let state = match request_id {
            Some(id) => {
                self.keep_log_facts(id, at, kind, data)?;
                Some(self.row_state(id)?.ok_or_else(|| Error::not_found("request", id.to_string()))?)
            }
            None => None,
        };
        // Every write holds the register's write lock (`pg_advisory_xact_lock`, taken as its transaction begins:
        // postgres/mod.rs) until it commits, so no other writer, in this app or another, can append between this
        // read of the head and the insert after it: the chain keeps one head with no further locking.
        let (_, prev) = self.head()?;
        let new = NewEvent::chained(prev, request_id, state, at, actor, kind, data)?;
        let row = self.one(
            "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            &[
                &new.id,
                &new.request_id,
                &new.at,
                &new.actor,
                &new.kind,
                &new.data_text,
                &new.prev,
                &new.hash,
                &new.state,
            ],
        )?;
        Ok(new.stored(row.try_get(0)?))
    }

    /// The log's facts this event establishes, kept on the request's row (what SQLite's `keep_log_facts` sets):
    /// the earliest acknowledgement day, the status of the last move to `closed`. Days compare as bytes, as
    /// SQLite's `min` does, whatever the database's collation.
    fn keep_log_facts(&self, request_id: &str, at: &str, kind: &str, data: &serde_json::Value) -> Result<()> {
        let facts = log_facts(kind, data, at);
        if facts.acknowledged_on.is_none() && facts.closed_from.is_none() {
            return Ok(());
        }
        let (closes, closed_from) = match facts.closed_from {
            Some(from) => (true, from),
            None => (false, None),
        };
        self.execute(
            "UPDATE requests SET
                acknowledged_on = CASE
                    WHEN $2::text IS NOT NULL AND (acknowledged_on IS NULL OR acknowledged_on > $2::text COLLATE \"C\")
                    THEN $2::text ELSE acknowledged_on END,
                closed_from = CASE WHEN $3 THEN $4::text ELSE closed_from END
              WHERE id = $1",
            &[&request_id, &facts.acknowledged_on, &closes, &closed_from],
        )?;
        Ok(())
    }

    /// The v2 digest of a request row as it stands (None: no such row).
    fn row_state(&self, request_id: &str) -> Result<Option<String>> {
        let row = self.optional(&format!("SELECT {STATE_V2_COLUMNS} FROM requests WHERE id = $1"), &[&request_id])?;
        row.map(|row| digest_cells(&row, &STATE_V2_NAMES, STATE_V2)).transpose()
    }

    pub(super) fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()> {
        self.execute(
            "INSERT INTO checkpoints (at, reason, body, signature) VALUES ($1, $2, $3, $4)",
            &[&at, &reason, &body, &signature],
        )?;
        Ok(())
    }

    /// Put back every guard that is missing or altered, as 0003 ships it; what was restored.
    pub(super) fn restore_triggers(&self) -> Result<Vec<TriggerProblem>> {
        let problems = self.trigger_problems()?;
        let guards = guards()?;
        for p in &problems {
            let Some(guard) = guards.iter().find(|g| g.name == p.name) else { continue };
            self.refuse_unless_writable()?;
            let function = guard.function.replacen("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1);
            self.tx.borrow_mut().batch_execute(&format!(
                "DROP TRIGGER IF EXISTS {name} ON {table}; {function}; {trigger};",
                name = guard.name,
                table = guard.table,
                trigger = guard.trigger,
            ))?;
        }
        Ok(problems)
    }

    /// Remove a request's personal data and events (each event's place and hash kept in `purged_events`, its data
    /// as a SHA-256), keep its anonymous facts: what the SQLite store's retention purge does. The caller appends
    /// the `purged` event afterwards.
    pub(super) fn purge_request(&self, id: &str, at: &str) -> Result<Purged> {
        // What the log and metrics read, as the row keeps it: the columns stay, this copy is what registers before
        // schema 11 read (built as SQLite's json_object builds it).
        let facts: Option<String> = self
            .optional("SELECT acknowledged_on, closed_from FROM requests WHERE id = $1", &[&id])?
            .map(|r| -> Result<String> {
                let (acknowledged, closed_from): (Option<String>, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
                Ok(serde_json::json!({ "acknowledged": acknowledged, "closed_from": closed_from }).to_string())
            })
            .transpose()?;
        let strings =
            |sql: &str| -> Result<Vec<String>> { self.rows(sql, &[&id])?.iter().map(|r| Ok(r.try_get(0)?)).collect() };
        let mut purged = Purged {
            attachment_files: strings("SELECT stored_name FROM attachments WHERE request_id = $1")?,
            evidence_files: strings("SELECT stored_name FROM evidence WHERE request_id = $1 AND purged_on IS NULL")?,
            ..Purged::default()
        };
        (purged.events, purged.removed) = self.purge_events(id, at)?;
        for sql in [
            "DELETE FROM disclosures WHERE request_id = $1",
            "DELETE FROM checklist_items WHERE request_id = $1",
            "DELETE FROM outbox WHERE request_id = $1",
            "DELETE FROM evidence WHERE request_id = $1",
            "DELETE FROM identity_checks WHERE request_id = $1",
            "DELETE FROM attachments WHERE request_id = $1",
            "DELETE FROM request_links WHERE request_id = $1 OR other_id = $1",
        ] {
            self.execute(sql, &[&id])?;
        }
        self.execute(
            "UPDATE mail_messages SET message_id = NULL, in_reply_to = NULL, refs = '', sender = '', sender_name = '',
                    subject = '', sha256 = '', attachments = '[]', reason = NULL, problem = NULL, stored_name = ''
              WHERE request_id = $1",
            &[&id],
        )?;
        let requester: Option<String> = self
            .optional("SELECT requester_id FROM requests WHERE id = $1", &[&id])?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        self.execute(
            "UPDATE requests SET requester_name = '', requester_email = NULL, requester_phone = NULL,
                    requester_address = NULL, requester_account = NULL, description = '', notes = '',
                    outcome_reason = NULL, refusal_basis = NULL, agent = NULL, external_id = NULL,
                    requester_id = NULL, purged_at = $2, purged_facts = $3, updated_at = $2
              WHERE id = $1",
            &[&id, &at, &facts],
        )?;
        if let Some(requester) = requester {
            self.forget_requester_if_unused(&requester)?;
        }
        Ok(purged)
    }

    /// Move a request's events to `purged_events` (all but their data, kept as its SHA-256, so verify can still
    /// recompute each hash and tell whose it was), then delete them, which the guard allows once each one's place
    /// and hash are kept; `[[seq, hash], …]` of what was removed.
    fn purge_events(&self, request_id: &str, at: &str) -> Result<(u64, serde_json::Value)> {
        let rows =
            self.rows("SELECT seq, hash, data FROM events WHERE request_id = $1 ORDER BY seq", &[&request_id])?;
        let mut removed = Vec::with_capacity(rows.len());
        for row in &rows {
            let (seq, hash, data): (i64, &str, &str) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            self.execute(
                "INSERT INTO purged_events (seq, hash, purged_at, id, request_id, at, actor, kind, data_sha256,
                                            prev_hash, state)
                 SELECT seq, hash, $2, id, request_id, at, actor, kind, $3, prev_hash, state FROM events WHERE seq = $1",
                &[&seq, &at, &hex(&Sha256::digest(data.as_bytes()))],
            )?;
            removed.push(serde_json::json!([seq, hash]));
        }
        let deleted = self.execute("DELETE FROM events WHERE request_id = $1", &[&request_id])?;
        Ok((deleted, serde_json::Value::Array(removed)))
    }
}

impl AuditReads for Pg<'_> {
    fn request_mark(&self, request_id: &str) -> Result<Option<(String, bool)>> {
        self.optional("SELECT reference, purged_at IS NOT NULL FROM requests WHERE id = $1", &[&request_id])?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
    }

    fn purge_left_events(&self) -> Result<Option<ChainBreak>> {
        self.optional(
            "SELECT p.seq, p.id, r.reference FROM events p
               JOIN requests r ON r.id = p.request_id
              WHERE p.kind = 'purged'
                AND EXISTS (SELECT 1 FROM events e WHERE e.request_id = p.request_id AND e.seq < p.seq)
              LIMIT 1",
            &[],
        )?
        .map(|r| {
            Ok(ChainBreak {
                seq: r.try_get(0)?,
                event_id: r.try_get(1)?,
                reference: r.try_get(2)?,
                problem: PURGE_LEFT_EVENTS.into(),
            })
        })
        .transpose()
    }

    fn reference_of(&self, request_id: &str) -> Result<String> {
        Ok(self.one("SELECT reference FROM requests WHERE id = $1", &[&request_id])?.try_get(0)?)
    }

    fn reference_at(&self, rowid: i64) -> Result<String> {
        Ok(self.one("SELECT reference FROM requests WHERE row_no = $1", &[&rowid])?.try_get(0)?)
    }

    fn upgrade_row_state(&self, request_id: &str) -> Result<Option<String>> {
        self.optional("SELECT state FROM row_states WHERE request_id = $1", &[&request_id])?
            .map(|r| Ok(r.try_get(0)?))
            .transpose()
    }

    fn each_row_state(&self, each: &mut dyn FnMut(&str, &str)) -> Result<()> {
        // In byte order, as SQLite sorts: the digest is of the rows in that order, whatever the collation.
        self.each_row("SELECT request_id, state FROM row_states ORDER BY request_id COLLATE \"C\"", &[], &mut |row| {
            each(text_at(row, 0)?, text_at(row, 1)?);
            Ok(())
        })?;
        Ok(())
    }

    fn each_row_fact(&self, each: &mut dyn FnMut(&dyn Cells) -> Result<()>) -> Result<()> {
        self.each_row(
            "SELECT request_id, acknowledged_on, closed_from FROM row_facts ORDER BY request_id COLLATE \"C\"",
            &[],
            &mut |row| each(row),
        )?;
        Ok(())
    }

    fn first_register_event_data(&self, kind: &str) -> Result<Option<String>> {
        self.optional("SELECT data FROM events WHERE request_id IS NULL AND kind = $1 ORDER BY seq LIMIT 1", &[&kind])?
            .map(|r| Ok(r.try_get(0)?))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::server;
    use super::super::{Postgres, Target};
    use crate::error::{Error, ErrorCode};
    use crate::store::Store;

    const AT: &str = "2026-03-02T10:00:00Z";

    /// A fresh register on the test server, and a plain connection to it (the server's superuser) for the SQL a
    /// test runs beside the store.
    fn fresh() -> (Store, postgres::Client) {
        let s = server();
        let name = s.fresh_database_name();
        let store = Store::new(Box::new(Postgres::open(Target::parse(&s.url(&name)).unwrap(), AT).unwrap()));
        (store, s.client(&name))
    }

    fn request_id(n: u32) -> uuid::Uuid {
        uuid::Uuid::parse_str(&format!("0192f1a2-3b4c-7d5e-8f60-0000000000{n:02x}")).unwrap()
    }

    /// The same request row in either engine's SQL (no parameters: the one text runs on both): values of every
    /// kind the digest tags — text with quotes and non-ASCII, empty text, NULLs, integers.
    fn insert_request_sql(n: u32) -> String {
        format!(
            "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
                                   requester_name, requester_email, requester_phone, description, notes, pauses,
                                   paused_days, is_open, created_at, updated_at, due, agent, closed_at)
             VALUES ('{id}', 'RD-2026-{n:04}', 2026, {n}, 'access', 'eu-gdpr', 'FR', 'email', '2026-01-05',
                     'in-progress', 'Zoë Ångström {n}', 'zoe{n}@example.org', NULL, 'it''s all — about me', '',
                     '[]', {n}, 1, '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z', '2026-02-05', NULL, NULL)",
            id = request_id(n)
        )
    }

    /// What each engine is given: the same requests, events and purge, in the same order, with the same event ids.
    fn history(store: &Store) {
        crate::store::audit::fixed_event_ids();
        let (a, b, c) = (request_id(1), request_id(2), request_id(3));
        store
            .write(|tx| {
                tx.append_event(&a, AT, "officer", "created", &json!({"reference": "RD-2026-0001"}))?;
                tx.append_event(&b, AT, "officer", "created", &json!({"reference": "RD-2026-0002"}))?;
                tx.append_register_event(AT, "officer", "settings_changed", &json!({"key": "x", "ünï": [1, 2.5]}))?;
                tx.append_event(
                    &a,
                    "2026-03-05T23:59:59Z",
                    "officer",
                    "response_sent",
                    &json!({"stage": "acknowledgement"}),
                )?;
                tx.append_event(
                    &b,
                    AT,
                    "clerk",
                    "attachment_added",
                    &json!({"file_name": "RD-Acknowledgement-en.PDF"}),
                )?;
                tx.append_event(&b, AT, "clerk", "status_changed", &json!({"from": "refused", "to": "closed"}))?;
                tx.append_event(&c, AT, "officer", "note_added", &json!({"text": "a'b\"c\u{0}"}))?;
                Ok(())
            })
            .unwrap();
        store
            .write(|tx| {
                let purged = tx.purge_request(&b.to_string(), "2026-03-03T10:00:00Z")?;
                assert_eq!(purged.events, 3);
                tx.append_event(
                    &b,
                    "2026-03-03T10:00:00Z",
                    "rightsdesk",
                    "purged",
                    &json!({"removed": purged.removed}),
                )?;
                tx.append_event(&a, AT, "officer", "status_changed", &json!({"from": "in-progress", "to": "closed"}))?;
                Ok(())
            })
            .unwrap();
    }

    /// The same register history gives the same chain on SQLite and on PostgreSQL: every event's hash, link and row
    /// state, the head, and what verification finds — so a register copied between them keeps its chain.
    #[test]
    fn the_same_history_makes_the_same_chain_on_both_engines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.sqlite3");
        let sqlite = Store::open(&path, AT, None).unwrap();
        let (pg, mut client) = fresh();
        assert_eq!(sqlite.read(|r| r.chain_head()).unwrap(), pg.read(|r| r.chain_head()).unwrap(), "both start empty");
        let beside = rusqlite::Connection::open(&path).unwrap();
        for n in 1..=3 {
            beside.execute_batch(&insert_request_sql(n)).unwrap();
            client.batch_execute(&insert_request_sql(n)).unwrap();
        }
        history(&sqlite);
        history(&pg);

        let head = sqlite.read(|r| r.chain_head()).unwrap();
        assert_eq!(pg.read(|r| r.chain_head()).unwrap(), head);
        assert_eq!(head.2, 6, "{head:?}");
        for n in 1..=3 {
            let on_sqlite = sqlite.read(|r| r.chained_events(&request_id(n))).unwrap();
            assert_eq!(pg.read(|r| r.chained_events(&request_id(n))).unwrap(), on_sqlite, "request {n}");
            assert!(
                on_sqlite.iter().all(|e| e.recomputes() && e.state.as_deref().is_some_and(|s| s.starts_with("v2:")))
            );
            let sql =
                format!("SELECT acknowledged_on, closed_from, purged_at FROM requests WHERE id = '{}'", request_id(n));
            let facts: (Option<String>, Option<String>, Option<String>) =
                beside.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
            let row = client.query_one(&sql, &[]).unwrap();
            assert_eq!((row.get(0), row.get(1), row.get(2)), facts, "request {n}'s log facts");
        }
        let walk = pg.read(|r| r.verify_chain()).unwrap();
        assert_eq!((walk.first_break.clone(), walk.events_checked, walk.events_purged), (None, 6, 3));
        assert_eq!(walk, sqlite.read(|r| r.verify_chain()).unwrap());
        let rows = pg.read(|r| r.verify_rows()).unwrap();
        assert_eq!((rows.checked, rows.unchecked, rows.differing), (3, 0, 0), "{rows:?}");
        assert_eq!(rows, sqlite.read(|r| r.verify_rows()).unwrap());
        assert_eq!(pg.read(|r| r.verify_chain_and_rows()).unwrap(), (walk, rows));
    }

    /// Tampering with SQL is found as on SQLite: an event edited (its guards dropped first), a row changed without
    /// an event, a purge record forged.
    #[test]
    fn verification_finds_what_was_changed_behind_the_store() {
        let (store, mut client) = fresh();
        for n in 1..=4 {
            client.batch_execute(&insert_request_sql(n)).unwrap();
        }
        crate::store::audit::fixed_event_ids();
        let events = store
            .write(|tx| {
                let mut out = vec![];
                for round in 0..3 {
                    for n in 1..=4 {
                        out.push(tx.append_event(
                            &request_id(n),
                            AT,
                            "officer",
                            "note_added",
                            &json!({ "round": round }),
                        )?);
                    }
                    out.push(tx.append_register_event(
                        AT,
                        "officer",
                        "settings_changed",
                        &json!({ "round": round }),
                    )?);
                }
                Ok(out)
            })
            .unwrap();
        let clean = store.read(|r| r.verify_chain_and_rows()).unwrap();
        assert_eq!((clean.0.first_break.clone(), clean.1.differing, clean.1.checked), (None, 0, 4));
        assert_eq!(
            store.read(|r| r.hash_at(events[3].seq)).unwrap(),
            crate::store::HeadAt::Hash(events[3].hash.clone())
        );
        assert_eq!(store.read(|r| r.hash_at(10_000)).unwrap(), crate::store::HeadAt::Missing);
        assert_eq!(store.read(|r| r.events_after(events[10].seq)).unwrap(), 4);

        // A row changed without an event: named by its reference.
        client.batch_execute(&format!("UPDATE requests SET notes = 'quietly' WHERE id = '{}'", request_id(3))).unwrap();
        let rows = store.read(|r| r.verify_rows()).unwrap();
        assert_eq!((rows.differing, rows.rows[0].reference.as_str()), (1, "RD-2026-0003"), "{rows:?}");
        assert_eq!(store.read(|r| r.verify_chain_and_rows()).unwrap().1, rows);

        // An event edited: the guard refuses; with it dropped, the walk breaks at that event.
        let edit = format!("UPDATE events SET data = '{{\"round\":9}}' WHERE seq = {}", events[6].seq);
        let refused = client.batch_execute(&edit).map_err(Error::from).unwrap_err();
        assert!(refused.to_string().contains("audit events are append-only"), "{refused}");
        client.batch_execute(&format!("DROP TRIGGER events_no_update ON events; {edit}")).unwrap();
        let walk = store.read(|r| r.verify_chain()).unwrap();
        let broken = walk.first_break.unwrap();
        assert_eq!((broken.seq, broken.reference.as_deref()), (events[6].seq, Some("RD-2026-0002")));
        assert!(broken.problem.contains("content does not match"), "{}", broken.problem);
        assert_eq!(store.read(|r| r.trigger_problems()).unwrap().len(), 1);

        // An event deleted without a purge record (the delete guard dropped too): a gap no record names.
        let (store, mut client) = fresh();
        client.batch_execute(&insert_request_sql(1)).unwrap();
        let seqs: Vec<i64> = store
            .write(|tx| {
                (0..3)
                    .map(|n| Ok(tx.append_event(&request_id(1), AT, "officer", "note_added", &json!({ "n": n }))?.seq))
                    .collect()
            })
            .unwrap();
        client
            .batch_execute(&format!(
                "DROP TRIGGER events_no_delete ON events; DELETE FROM events WHERE seq = {}",
                seqs[1]
            ))
            .unwrap();
        let broken = store.read(|r| r.verify_chain()).unwrap().first_break.unwrap();
        assert_eq!(broken.seq, seqs[2], "the next event's link no longer holds: {broken:?}");
    }

    /// Every audit table refuses a change and a removal (and TRUNCATE); a guard dropped, disabled or rewritten is
    /// reported and put back as shipped.
    #[test]
    fn the_guards_refuse_and_are_reported_and_restored() {
        let (store, mut client) = fresh();
        client.batch_execute(&insert_request_sql(1)).unwrap();
        let event = store
            .write(|tx| {
                tx.insert_checkpoint(AT, "test", "body", "signature")?;
                tx.append_event(&request_id(1), AT, "officer", "note_added", &json!({}))
            })
            .unwrap();
        let id = request_id(1);
        client
            .batch_execute(&format!(
                "INSERT INTO row_states VALUES ('{id}', 'v1:x'); INSERT INTO row_facts VALUES ('{id}', NULL, NULL);
                 INSERT INTO purged_events (seq, hash, purged_at) VALUES (999, 'h', 't');
                 INSERT INTO calendar_days (calendar, day, label, action, at, actor)
                 VALUES ('FR', '2026-05-01', 'x', 'added', 't', 'a');"
            ))
            .unwrap();
        let tables = [
            ("events", "audit events are append-only", "kind = kind"),
            ("purged_events", "the record of purged events is append-only", "hash = hash"),
            ("checkpoints", "checkpoints are append-only", "reason = reason"),
            ("row_states", "the record of row states is append-only", "state = state"),
            ("row_facts", "the record of log facts is append-only", "closed_from = closed_from"),
            ("calendar_days", "the calendar log is append-only", "label = label"),
        ];
        for (table, message, set) in tables {
            for sql in [
                format!("UPDATE {table} SET {set}"),
                format!("DELETE FROM {table}"),
                format!("TRUNCATE {table} CASCADE"),
            ] {
                let err = Error::from(client.batch_execute(&sql).unwrap_err());
                assert_eq!(err.kind(), ErrorCode::Constraint, "{sql}: {err}");
                assert!(err.to_string().contains(message), "{sql}: {err}");
            }
        }
        // Through the store too: a delete of a live event names the purge rule.
        let err = client
            .batch_execute(&format!("DELETE FROM events WHERE seq = {}", event.seq))
            .map_err(Error::from)
            .unwrap_err();
        assert!(err.to_string().contains("a retention purge keeps their place and hash"), "{err}");

        assert!(store.read(|r| r.trigger_problems()).unwrap().is_empty());
        client
            .batch_execute(
                "DROP TRIGGER checkpoints_no_delete ON checkpoints;
                 DROP FUNCTION row_facts_no_update CASCADE;
                 ALTER TABLE events DISABLE TRIGGER events_no_update;
                 CREATE OR REPLACE FUNCTION calendar_days_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RETURN old; END $$;
                 DROP TRIGGER events_no_truncate ON events;
                 CREATE TRIGGER events_no_truncate AFTER TRUNCATE ON events FOR EACH STATEMENT
                     EXECUTE FUNCTION events_no_truncate();",
            )
            .unwrap();
        let found = store.read(|r| r.trigger_problems()).unwrap();
        let found: Vec<(&str, &str)> = found.iter().map(|p| (p.name.as_str(), p.problem.as_str())).collect();
        assert_eq!(
            found,
            [
                ("events_no_update", "altered"),
                ("events_no_truncate", "altered"),
                ("checkpoints_no_delete", "missing"),
                ("row_facts_no_update", "missing"),
                ("calendar_days_no_delete", "altered"),
            ]
        );
        let restored = store.write(|tx| tx.restore_triggers()).unwrap();
        assert_eq!(restored.len(), 5);
        assert!(store.read(|r| r.trigger_problems()).unwrap().is_empty());
        for sql in [
            "UPDATE events SET kind = kind",
            "DELETE FROM checkpoints",
            "UPDATE row_facts SET closed_from = 'x'",
            "DELETE FROM calendar_days",
        ] {
            let err = client.batch_execute(sql).map_err(Error::from).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
    }

    /// A purge takes the request's personal data, parts and events (each event's place and hash kept), frees its
    /// mail of what it said, and leaves other requests alone; the chain verifies after it.
    #[test]
    fn a_purge_removes_the_parts_and_keeps_the_chain() {
        let (store, mut client) = fresh();
        for n in 1..=2 {
            client.batch_execute(&insert_request_sql(n)).unwrap();
        }
        let (a, b) = (request_id(1), request_id(2));
        client
            .batch_execute(&format!(
                "INSERT INTO attachments VALUES ('att1', '{a}', 'letter.pdf', '{a}/letter.pdf', 'ab', 3, 't'),
                                               ('att2', '{b}', 'other.pdf', '{b}/other.pdf', 'ab', 3, 't');
                 INSERT INTO identity_checks VALUES ('chk1', '{a}', 'requester', 'passport', 'verified', '2026-01-06', NULL, 't', 'o');
                 INSERT INTO evidence VALUES ('ev1', '{a}', 'chk1', 'id.png', '{a}/id.png', 'cd', 4, 't', NULL),
                                             ('ev2', '{a}', 'chk1', 'old.png', '{a}/old.png', 'cd', 4, 't', '2026-01-07');
                 INSERT INTO request_links VALUES ('{b}', '{a}', 'linked', NULL, 't', 'o');
                 INSERT INTO mail_messages (id, folder, uidvalidity, uid, message_id, sender, sender_name, subject,
                                            received_at, size, sha256, state, request_id, taken_at)
                 VALUES ('m1', 'INBOX', 1, 7, '<x@y>', 'zoe@example.org', 'Zoë', 'my data', 't', 10, 'ef', 'accepted', '{a}', 't');"
            ))
            .unwrap();
        store
            .write(|tx| {
                tx.append_event(&a, AT, "officer", "created", &json!({}))?;
                tx.append_event(&b, AT, "officer", "created", &json!({}))?;
                tx.append_event(
                    &a,
                    "2026-03-04T08:00:00Z",
                    "officer",
                    "response_sent",
                    &json!({"stage": "acknowledgement"}),
                )?;
                Ok(())
            })
            .unwrap();
        let purged = store
            .write(|tx| {
                let purged = tx.purge_request(&a.to_string(), "2026-04-01T00:00:00Z")?;
                tx.append_event(
                    &a,
                    "2026-04-01T00:00:00Z",
                    "rightsdesk",
                    "purged",
                    &json!({"removed": purged.removed}),
                )?;
                Ok(purged)
            })
            .unwrap();
        assert_eq!(purged.events, 2);
        assert_eq!(purged.attachment_files, [format!("{a}/letter.pdf")]);
        assert_eq!(purged.evidence_files, [format!("{a}/id.png")], "evidence purged before is not listed again");
        assert_eq!(purged.removed.as_array().unwrap().len(), 2);
        let mut left = |sql: &str| -> i64 { client.query_one(sql, &[]).unwrap().get(0) };
        for table in ["attachments", "identity_checks", "evidence"] {
            assert_eq!(left(&format!("SELECT count(*) FROM {table} WHERE request_id = '{a}'")), 0, "{table}");
        }
        assert_eq!(left(&format!("SELECT count(*) FROM attachments WHERE request_id = '{b}'")), 1);
        assert_eq!(left("SELECT count(*) FROM request_links"), 0);
        assert_eq!(left(&format!("SELECT count(*) FROM purged_events WHERE request_id = '{a}'")), 2);
        let mail = client.query_one("SELECT sender, subject, message_id, uid FROM mail_messages", &[]).unwrap();
        assert_eq!(
            (mail.get::<_, &str>(0), mail.get::<_, &str>(1), mail.get::<_, Option<&str>>(2), mail.get::<_, i64>(3)),
            ("", "", None, 7)
        );
        let row = client
            .query_one(&format!("SELECT requester_name, requester_email, description, purged_at, purged_facts, acknowledged_on FROM requests WHERE id = '{a}'"), &[])
            .unwrap();
        assert_eq!(row.get::<_, &str>(0), "");
        assert_eq!(row.get::<_, Option<&str>>(1), None);
        assert_eq!(row.get::<_, &str>(2), "");
        assert_eq!(row.get::<_, Option<&str>>(3), Some("2026-04-01T00:00:00Z"));
        let facts: serde_json::Value = serde_json::from_str(row.get::<_, &str>(4)).unwrap();
        assert_eq!(facts, json!({"acknowledged": "2026-03-04", "closed_from": null}));
        assert_eq!(row.get::<_, Option<&str>>(5), Some("2026-03-04"));
        let (walk, rows) = store.read(|r| r.verify_chain_and_rows()).unwrap();
        assert_eq!((walk.first_break, walk.events_purged, walk.events_checked), (None, 2, 2));
        assert_eq!((rows.checked, rows.differing), (2, 0), "{rows:?}");
        let events = store.read(|r| r.events(&a)).unwrap();
        assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["purged"]);
    }

    /// The walk and the rows check read in chunks of any size find what one pass finds, on a chain with a purge in
    /// the middle and after any one event is edited.
    #[test]
    fn chunks_of_any_size_find_what_one_pass_finds() {
        use crate::store::last_states::LastStates;
        let s = server();
        let name = s.fresh_database_name();
        let register = Postgres::open(Target::parse(&s.url(&name)).unwrap(), AT).unwrap();
        let mut client = s.client(&name);
        for n in 1..=5 {
            client.batch_execute(&insert_request_sql(n)).unwrap();
        }
        register
            .write_with(&mut |pg| {
                for round in 0..3 {
                    for n in 1..=5 {
                        pg.append_event(&request_id(n), AT, "officer", "note_added", &json!({ "round": round }))?;
                    }
                }
                let purged = pg.purge_request(&request_id(2).to_string(), AT)?;
                pg.append_event(&request_id(2), AT, "rightsdesk", "purged", &json!({"removed": purged.removed}))?;
                pg.append_register_event(AT, "officer", "settings_changed", &json!({}))?;
                Ok(())
            })
            .unwrap();
        client.batch_execute(&format!("UPDATE requests SET notes = 'x' WHERE id = '{}'", request_id(4))).unwrap();
        let events: Vec<(i64, String)> = client
            .query("SELECT seq, data FROM events ORDER BY seq", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let check = |chunk: usize| {
            let mut found = None;
            register
                .read_with(&mut |pg| {
                    let mut last = LastStates::new(pg.request_ids_sorted()?);
                    let walk = pg.walk_chain(chunk, Some(last.split()))?;
                    found = Some((walk, pg.rows_against(&last, chunk)?));
                    Ok(())
                })
                .unwrap();
            found.unwrap()
        };
        let whole = check(1 << 20);
        assert_eq!((whole.0.first_break.as_ref(), whole.0.events_purged, whole.1.differing), (None, 3, 1), "{whole:?}");
        for chunk in [1, 2, 3, 5, 64] {
            assert_eq!(check(chunk), whole, "chunk {chunk}");
        }
        client.batch_execute("DROP TRIGGER events_no_update ON events").unwrap();
        for (seq, data) in events {
            client.execute("UPDATE events SET data = '{\"n\":-1}' WHERE seq = $1", &[&seq]).unwrap();
            let expected = check(1 << 20);
            assert!(expected.0.first_break.is_some(), "an edit at {seq}");
            for chunk in [1, 2, 5] {
                assert_eq!(check(chunk), expected, "an edit at {seq}, chunk {chunk}");
            }
            client.execute("UPDATE events SET data = $2 WHERE seq = $1", &[&seq, &data]).unwrap();
        }
        assert_eq!(check(3), whole);
    }

    /// Every guard 0003 ships is read from it whole: SQLite's triggers, and the ones PostgreSQL adds.
    #[test]
    fn every_guard_of_the_migration_is_read_whole() {
        let guards = super::guards().unwrap();
        assert_eq!(guards.len(), 18);
        for (name, _) in crate::store::APPEND_ONLY_TRIGGERS {
            assert!(guards.iter().any(|g| g.name == *name), "{name}");
        }
        for g in &guards {
            assert!(g.function.starts_with(&format!("CREATE FUNCTION {}() RETURNS trigger", g.name)), "{}", g.function);
            assert!(g.function.ends_with("$$") && g.body.contains("RAISE EXCEPTION"), "{}", g.function);
            assert!(g.trigger.starts_with(&format!("CREATE TRIGGER {} BEFORE ", g.name)), "{}", g.trigger);
            let level = if g.name.ends_with("_truncate") { "STATEMENT" } else { "ROW" };
            let end = format!(" ON {} FOR EACH {level} EXECUTE FUNCTION {}()", g.table, g.name);
            assert!(g.trigger.ends_with(&end), "{}", g.trigger);
        }
    }

    /// The register's own events, checkpoints and the look-ups around them.
    #[test]
    fn register_events_and_checkpoints_read_back() {
        let (store, _client) = fresh();
        let appended = store
            .write(|tx| {
                tx.insert_checkpoint(AT, "daily", "{\"head\":1}", "sig1")?;
                tx.insert_checkpoint("2026-03-03T10:00:00Z", "manual", "{\"head\":2}", "sig2")?;
                (0..3)
                    .map(|n| tx.append_register_event(AT, "officer", "key_rotated", &json!({ "n": n })))
                    .collect::<crate::error::Result<Vec<_>>>()
            })
            .unwrap();
        let checkpoints = store.read(|r| r.checkpoints()).unwrap();
        assert_eq!(
            checkpoints.iter().map(|c| (c.reason.as_str(), c.signature.as_str())).collect::<Vec<_>>(),
            [("daily", "sig1"), ("manual", "sig2")]
        );
        assert_eq!(checkpoints[0].body, "{\"head\":1}");
        assert_eq!(store.read(|r| r.register_events("key_rotated")).unwrap()[0], format!("{AT}: {{\"n\":0}}"));
        assert_eq!(
            store.read(|r| r.register_event_data("key_rotated")).unwrap(),
            [json!({"n": 0}), json!({"n": 1}), json!({"n": 2})]
        );
        let recent = store.read(|r| r.recent_register_events(2)).unwrap();
        assert_eq!(recent, [appended[2].clone(), appended[1].clone()]);
        let err =
            store.write(|tx| tx.append_event(&request_id(9), AT, "officer", "note_added", &json!({}))).unwrap_err();
        assert_eq!(err.kind(), ErrorCode::NotFound, "{err}");
        assert_eq!(store.read(|r| r.chain_head()).unwrap(), (appended[2].seq, appended[2].hash.clone(), 3));
    }
}
