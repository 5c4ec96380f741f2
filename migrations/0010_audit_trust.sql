-- Trust at the edges (docs/security.md): events of the register itself, the state of the request row each event
-- left behind, signed checkpoints of the chain head, and the register's own id.

-- Events may belong to the register rather than to one request (request_id NULL: a restored trigger, an upgrade's
-- record of earlier purges). SQLite cannot drop a NOT NULL in place, so the table is rebuilt with every row, seq
-- and hash kept. `state` is the digest of the request row right after the event ("v1:<sha256>", see
-- store/audit.rs); it is part of the event's hash, so a row changed without an event no longer matches its trail.
CREATE TABLE events_rebuilt (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    request_id TEXT REFERENCES requests (id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    state      TEXT
);
INSERT INTO events_rebuilt (seq, id, request_id, at, actor, kind, data, prev_hash, hash)
SELECT seq, id, request_id, at, actor, kind, data, prev_hash, hash FROM events ORDER BY seq;
-- A sequence number is never given twice, not even one whose event was purged from the end of the chain.
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_rebuilt', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_rebuilt');
UPDATE sqlite_sequence SET seq = max(seq,
        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
        coalesce((SELECT max(seq) FROM purged_events), 0))
 WHERE name = 'events_rebuilt';
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE INDEX events_request ON events (request_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM purged_events p WHERE p.seq = old.seq AND p.hash = old.hash)
BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only (a retention purge keeps their place and hash)');
END;

-- A purge keeps, for each event it removes, everything but the data (from schema 10 an event's hash covers its
-- data's SHA-256, kept here): verify recomputes the removed event's hash and checks whose it was. Rows of earlier
-- purges have only seq and hash.
ALTER TABLE purged_events ADD COLUMN id TEXT;
ALTER TABLE purged_events ADD COLUMN request_id TEXT;
ALTER TABLE purged_events ADD COLUMN at TEXT;
ALTER TABLE purged_events ADD COLUMN actor TEXT;
ALTER TABLE purged_events ADD COLUMN kind TEXT;
ALTER TABLE purged_events ADD COLUMN data_sha256 TEXT;
ALTER TABLE purged_events ADD COLUMN prev_hash TEXT;
ALTER TABLE purged_events ADD COLUMN state TEXT;

-- Signed checkpoints of the chain head: `body` is the exact JSON that was signed (register, seq, hash, events,
-- at, key), `signature` its Ed25519 signature (hex). Append-only like the events.
CREATE TABLE checkpoints (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    reason    TEXT NOT NULL,
    body      TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN
    SELECT RAISE (ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN
    SELECT RAISE (ABORT, 'checkpoints are append-only');
END;

-- The state each request row had when this upgrade recorded it (their events predate recorded states): `audit
-- verify` holds a row to it until the request's next event. One chained event of the register carries the digest
-- of the whole table (store/audit.rs, `record_row_states`), so the record itself cannot be changed unnoticed.
CREATE TABLE row_states (
    request_id TEXT PRIMARY KEY REFERENCES requests (id),
    state      TEXT NOT NULL
);
CREATE TRIGGER row_states_no_update BEFORE UPDATE ON row_states BEGIN
    SELECT RAISE (ABORT, 'the record of row states is append-only');
END;
CREATE TRIGGER row_states_no_delete BEFORE DELETE ON row_states BEGIN
    SELECT RAISE (ABORT, 'the record of row states is append-only');
END;

-- The register's own id: its files live in a folder named by it, and checkpoints name it.
INSERT OR IGNORE INTO settings (key, value) VALUES ('register.id', lower(hex(randomblob(16))));

-- A purge deletes for real: the search index drops a purged request's trigrams at once instead of leaving them in
-- old segments until a merge (pages freed by deletes are zeroed too: `PRAGMA secure_delete` on every connection).
INSERT INTO requests_search (requests_search, rank) VALUES ('secure-delete', 1);
