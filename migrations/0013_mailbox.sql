-- The privacy mailbox (issue 20): every message taken from the organisation's IMAP folder, once. A message is
-- known by its folder, the folder's UIDVALIDITY and its UID (unique: a fetch that crashed and runs again takes
-- nothing twice), and is moved or flagged on the server only after its row is committed (`done_on_server`).
-- A reply to a known request goes to that request at once; anything else waits in the intake tray until the
-- officer makes it a request, links it to one, or sets it aside (not a request, spam). The message itself is a file
-- of the register's folder (sealed in an encrypted register): `mailbox/<id>` while in the tray, an attachment of
-- its request once it has one; a message set aside keeps no copy (the server still has it).
CREATE TABLE mail_messages (
    id             TEXT PRIMARY KEY,
    folder         TEXT NOT NULL,
    uidvalidity    INTEGER NOT NULL,
    uid            INTEGER NOT NULL,
    message_id     TEXT,                               -- without angle brackets
    in_reply_to    TEXT,
    refs           TEXT NOT NULL DEFAULT '',          -- the References header's ids, space-separated
    sender         TEXT NOT NULL,                     -- the From address, lower case
    sender_name    TEXT NOT NULL,
    subject        TEXT NOT NULL,
    received_at    TEXT NOT NULL,                     -- the server's INTERNALDATE: the date of receipt
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,                     -- of the message as fetched
    stored_name    TEXT NOT NULL DEFAULT '',          -- `mailbox/<id>` in the register's folder while in the tray
    kind_guess     TEXT,
    lang_guess     TEXT,
    attachments    TEXT NOT NULL DEFAULT '[]',        -- JSON: the names of the files the message carries
    problem        TEXT,                              -- why it could not be taken whole (too large): left on the server
    state          TEXT NOT NULL CHECK (state IN ('tray', 'reply', 'accepted', 'linked', 'dismissed', 'spam')),
    request_id     TEXT REFERENCES requests (id),
    reason         TEXT,                              -- why it was set aside
    taken_at       TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     TEXT,
    done_on_server INTEGER NOT NULL DEFAULT 0,
    UNIQUE (folder, uidvalidity, uid)
);
CREATE INDEX mail_messages_state ON mail_messages (state, received_at);
CREATE INDEX mail_messages_request ON mail_messages (request_id, received_at) WHERE request_id IS NOT NULL;
CREATE INDEX mail_messages_message_id ON mail_messages (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX mail_messages_pending ON mail_messages (folder, uidvalidity) WHERE done_on_server = 0;
