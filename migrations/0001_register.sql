-- The request register: requests, their append-only hash-chained audit events, attachments, settings.
-- Shipped migrations are never edited: changes are new numbered files.

CREATE TABLE requests (
    id                TEXT PRIMARY KEY,               -- UUID v7
    reference         TEXT NOT NULL UNIQUE,           -- RD-2026-0001
    ref_year          INTEGER NOT NULL,
    ref_seq           INTEGER NOT NULL,
    kind              TEXT NOT NULL,                  -- request kind id (domain::RequestKind)
    regime            TEXT NOT NULL,
    calendar          TEXT NOT NULL,
    channel           TEXT NOT NULL,
    received          TEXT NOT NULL,                  -- YYYY-MM-DD
    status            TEXT NOT NULL,
    requester_name    TEXT NOT NULL,
    requester_email   TEXT,
    requester_phone   TEXT,
    requester_address TEXT,
    requester_account TEXT,
    language          TEXT NOT NULL DEFAULT 'en',
    description       TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    outcome_reason    TEXT,
    -- Facts the clock depends on, kept in step with the events that record them (same transaction).
    verified_on       TEXT,
    fee_paid_on       TEXT,
    pauses            TEXT NOT NULL DEFAULT '[]',     -- JSON [{start, end|null, reason}]
    extended_on       TEXT,                           -- the day the requester was told of the extension
    due_override      TEXT,                           -- manual override date (reason in its event)
    -- What the deadline engine derived from those facts.
    rule_kind         TEXT,                           -- null: no statutory deadline under the regime
    clock_start       TEXT,
    acknowledge_by    TEXT,
    due               TEXT,
    extended_due      TEXT,
    effective_due     TEXT,                           -- the date that counts now (override, extension or due)
    internal_target   TEXT,
    paused_days       INTEGER NOT NULL DEFAULT 0,
    is_open           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    closed_at         TEXT,
    UNIQUE (ref_year, ref_seq)
);

-- The queue: open requests by effective due date, and filtered variants.
CREATE INDEX requests_open_due ON requests (is_open, effective_due);
CREATE INDEX requests_status_due ON requests (status, effective_due);
CREATE INDEX requests_kind_due ON requests (kind, effective_due);
CREATE INDEX requests_regime_due ON requests (regime, effective_due);
CREATE INDEX requests_received ON requests (received);
CREATE INDEX requests_email ON requests (requester_email);
CREATE INDEX requests_requester ON requests (requester_name);

-- Requester and reference search: trigram full-text index, kept in step by triggers.
CREATE VIRTUAL TABLE requests_search USING fts5 (
    reference, requester_name, requester_email, requester_account,
    content = 'requests', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, reference, requester_name, requester_email, requester_account)
    VALUES (new.rowid, new.reference, new.requester_name, new.requester_email, new.requester_account);
END;
CREATE TRIGGER requests_search_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, requester_name, requester_email, requester_account)
    VALUES ('delete', old.rowid, old.reference, old.requester_name, old.requester_email, old.requester_account);
END;
CREATE TRIGGER requests_search_update AFTER UPDATE OF reference, requester_name, requester_email, requester_account ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, requester_name, requester_email, requester_account)
    VALUES ('delete', old.rowid, old.reference, old.requester_name, old.requester_email, old.requester_account);
    INSERT INTO requests_search (rowid, reference, requester_name, requester_email, requester_account)
    VALUES (new.rowid, new.reference, new.requester_name, new.requester_email, new.requester_account);
END;

-- Every change to a request, append-only. `seq` orders the single hash chain over all events:
-- hash = SHA-256(prev_hash || canonical JSON of the event), so an edit or deletion breaks the next link.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    request_id TEXT NOT NULL REFERENCES requests (id),
    at         TEXT NOT NULL,                         -- RFC 3339 UTC
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,                         -- JSON
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX events_request ON events (request_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only');
END;

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    file_name   TEXT NOT NULL,                        -- the name the officer gave the file
    stored_name TEXT NOT NULL,                        -- relative to the managed attachments folder
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE INDEX attachments_request ON attachments (request_id);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
