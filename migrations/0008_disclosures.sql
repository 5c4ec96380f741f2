-- What the officer gathers for an access or portability answer, per system of the data map: fields typed in the
-- window (a label and its value) and files (kept as attachments), each under a category. `provided` marks data the
-- person provided (a portability export holds only those). `rightsdesk export subject` packages them into one ZIP.
CREATE TABLE disclosures (
    id            TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES requests (id),
    system_id     TEXT NOT NULL REFERENCES systems (id),
    system_name   TEXT NOT NULL,                      -- as named when gathered
    category      TEXT NOT NULL,
    label         TEXT,
    value         TEXT,
    attachment_id TEXT REFERENCES attachments (id),
    provided      INTEGER NOT NULL DEFAULT 0,
    added_at      TEXT NOT NULL,
    CHECK ((attachment_id IS NULL) = (label IS NOT NULL AND value IS NOT NULL))
);
CREATE INDEX disclosures_request ON disclosures (request_id, added_at);
