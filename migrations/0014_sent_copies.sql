-- The Sent folder (issue 20): a message the SMTP server accepted is also appended to the privacy mailbox's Sent
-- folder over IMAP when a mailbox is set, so every answer is findable there later. The copy is made after the
-- delivery and apart from it: `sent_copy` is NULL when no copy is wanted (no mailbox when it was sent, or sent
-- before this version), `pending` until the server took the copy, then `done`; `sent_copy_error` says why the last
-- attempt failed (tried again on the next flush; the message is never sent again by SMTP for it).
ALTER TABLE outbox ADD COLUMN sent_copy TEXT CHECK (sent_copy IN ('pending', 'done'));
ALTER TABLE outbox ADD COLUMN sent_copy_error TEXT;
CREATE INDEX outbox_sent_copy ON outbox (created_at) WHERE sent_copy = 'pending';
