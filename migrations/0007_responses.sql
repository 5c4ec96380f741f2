-- Responses: the templates (seeded from the shipped defaults, then the officer's), and the outbox that delivers
-- email through the officer's SMTP server. A message is fully built — Message-ID included — and stored before the
-- first attempt, so a crash at any point ends in it delivered, never lost.

CREATE TABLE templates (
    stage      TEXT NOT NULL,
    kind       TEXT NOT NULL,                         -- a request kind, or '*' for any
    lang       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    is_default INTEGER NOT NULL,                      -- 0 once the officer edits it (shipped updates leave it alone)
    updated_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    PRIMARY KEY (stage, kind, lang)
);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES requests (id),
    message_id      TEXT NOT NULL UNIQUE,
    stage           TEXT NOT NULL,
    lang            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    eml             BLOB NOT NULL,                    -- the exact message, as sent
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id, created_at);
