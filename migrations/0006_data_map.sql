-- The data map: the organisation's systems that hold personal data, with their owner and what they hold; and per
-- request a checklist generated from it: each system searched, exported, rectified, erased (or put beyond use, for
-- backups) or not applicable, by whom, when, with a note and an optional proof file (an attachment).

CREATE TABLE systems (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    owner      TEXT NOT NULL,
    holds      TEXT NOT NULL,                         -- what personal data it holds
    is_backup  INTEGER NOT NULL DEFAULT 0,            -- erasure there may be "put beyond use" until it expires
    retired_at TEXT,                                  -- no longer on new checklists
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX systems_name ON systems (lower(name)) WHERE retired_at IS NULL;

CREATE TABLE checklist_items (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    system_id   TEXT NOT NULL REFERENCES systems (id),
    system_name TEXT NOT NULL,                        -- as named when the checklist was made
    is_backup   INTEGER NOT NULL,
    action      TEXT NOT NULL,                        -- what the request needs done there, in words
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'not-applicable', 'beyond-use')),
    note        TEXT,
    proof_id    TEXT REFERENCES attachments (id),
    done_by     TEXT,
    done_at     TEXT,
    UNIQUE (request_id, system_id)
);
CREATE INDEX checklist_items_request ON checklist_items (request_id);
