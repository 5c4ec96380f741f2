-- Bulk import: each imported request remembers the key that makes a re-import of the same file a no-op (the
-- source's own id when it has one, else a hash of the row's content), and each import run is logged.

ALTER TABLE requests ADD COLUMN external_id TEXT;  -- the id the request had in the system it came from
ALTER TABLE requests ADD COLUMN import_key TEXT;   -- 'ext:<external id>' or 'sha256:<hash of the row>'
CREATE UNIQUE INDEX requests_import_key ON requests (import_key) WHERE import_key IS NOT NULL;

CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    file_name  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    rows       INTEGER NOT NULL,
    imported   INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    errors     INTEGER NOT NULL
);
