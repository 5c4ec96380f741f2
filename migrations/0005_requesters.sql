-- Requesters: one record per person (matched on intake by normalised email, else phone, else account reference)
-- with the history of their requests; decisions about likely duplicates; blocked sender addresses.

CREATE TABLE requesters (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,                                  -- lower case
    phone      TEXT,                                  -- digits, with a leading + when given
    address    TEXT,
    account    TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX requesters_email ON requesters (email) WHERE email IS NOT NULL;
CREATE INDEX requesters_phone ON requesters (phone) WHERE phone IS NOT NULL;
CREATE INDEX requesters_account ON requesters (account) WHERE account IS NOT NULL;

ALTER TABLE requests ADD COLUMN requester_id TEXT REFERENCES requesters (id);

-- Existing requests: one requester per email address; one each for requests without one.
INSERT INTO requesters (id, name, email, phone, address, account, created_at, updated_at)
SELECT lower(hex(randomblob(16))), r.requester_name, r.requester_email, NULL, r.requester_address,
       r.requester_account, r.created_at, r.created_at
FROM requests r
WHERE r.rowid IN (SELECT min(rowid) FROM requests WHERE requester_email IS NOT NULL GROUP BY requester_email);
UPDATE requests SET requester_id = (SELECT id FROM requesters WHERE requesters.email = requests.requester_email)
WHERE requester_email IS NOT NULL;
INSERT INTO requesters (id, name, email, phone, address, account, created_at, updated_at)
SELECT 'p-' || id, requester_name, NULL, NULL, requester_address, requester_account, created_at, created_at
FROM requests WHERE requester_email IS NULL;
UPDATE requests SET requester_id = 'p-' || id WHERE requester_email IS NULL;

CREATE INDEX requests_requester_id ON requests (requester_id, received);

-- The officer's decision about two requests that look alike: 'duplicate' (request_id was merged into other_id),
-- 'linked' (related, both stay) or 'separate' (not the same: the flag goes away).
CREATE TABLE request_links (
    request_id TEXT NOT NULL REFERENCES requests (id),
    other_id   TEXT NOT NULL REFERENCES requests (id),
    relation   TEXT NOT NULL CHECK (relation IN ('duplicate', 'linked', 'separate')),
    note       TEXT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    PRIMARY KEY (request_id, other_id)
);
CREATE INDEX request_links_other ON request_links (other_id);

-- Sender addresses blocked as spam: later requests from them are still logged, and flagged.
CREATE TABLE blocked_senders (
    email      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    blocked_at TEXT NOT NULL,
    actor      TEXT NOT NULL
);
