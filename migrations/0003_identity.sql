-- Identity verification: who was checked (the data subject, or the authorised agent acting for them), how, with
-- what outcome, and the evidence seen. Evidence files live in the managed `evidence/` folder beside the database and
-- are purged a configurable number of days after the request closes; the row keeps the SHA-256 and the purge date
-- so the audit trail stays complete. Refusals and partial refusals carry a reason category.

ALTER TABLE requests ADD COLUMN agent TEXT;                  -- JSON {name, email, authority} or NULL
ALTER TABLE requests ADD COLUMN identity_requested_on TEXT;  -- YYYY-MM-DD: the day identity was asked for
ALTER TABLE requests ADD COLUMN refusal_category TEXT;       -- domain::RefusalCategory id
ALTER TABLE requests ADD COLUMN refusal_basis TEXT;          -- the legal basis of an exemption

CREATE TABLE identity_checks (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    party       TEXT NOT NULL CHECK (party IN ('requester', 'agent')),
    method      TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('verified', 'failed', 'not-required')),
    checked_on  TEXT NOT NULL,                            -- YYYY-MM-DD
    note        TEXT,
    recorded_at TEXT NOT NULL,
    actor       TEXT NOT NULL
);
CREATE INDEX identity_checks_request ON identity_checks (request_id, recorded_at);

CREATE TABLE evidence (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    check_id    TEXT NOT NULL REFERENCES identity_checks (id),
    file_name   TEXT NOT NULL,
    stored_name TEXT NOT NULL,                            -- relative to the managed evidence folder
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    purged_on   TEXT                                      -- set when the file was deleted; the hash stays
);
CREATE INDEX evidence_request ON evidence (request_id);
CREATE INDEX evidence_unpurged ON evidence (request_id) WHERE purged_on IS NULL;

-- Requests waiting for identity (the unverified flag) and closed requests (the evidence purge).
CREATE INDEX requests_identity_requested ON requests (identity_requested_on) WHERE identity_requested_on IS NOT NULL;
CREATE INDEX requests_closed_at ON requests (closed_at) WHERE closed_at IS NOT NULL;
