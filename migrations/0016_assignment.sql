-- Who works a request (issue 18): its owner, and per checklist line the colleague asked to do it, each named by
-- their login. On a desk both stay empty unless set; on a team register they are the accounts below. The columns
-- are the same on both engines so that a register copied between them keeps every value.
ALTER TABLE requests ADD COLUMN owner TEXT;
ALTER TABLE checklist_items ADD COLUMN assignee TEXT;
CREATE INDEX requests_owner ON requests (owner, is_open) WHERE owner IS NOT NULL;
CREATE INDEX checklist_items_assignee ON checklist_items (assignee) WHERE assignee IS NOT NULL;

-- The team's accounts: a login of the server mapped to a person and a role (admin, officer, contributor,
-- auditor). The server enforces the role; this table names the people. A desk keeps none.
CREATE TABLE accounts (
    login      TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'contributor', 'auditor')),
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
