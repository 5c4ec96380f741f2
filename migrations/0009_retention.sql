-- Retention: a closed request older than the organisation's period is purged of personal data. Its row stays,
-- anonymised (kind, law, dates and outcome are what the metrics and the regulator's log count); everything else
-- about it is deleted. Its audit events go too, each leaving its sequence number and hash in `purged_events`, so
-- the hash chain still verifies across the gap; one `purged` event is then recorded on the request.
ALTER TABLE requests ADD COLUMN purged_at TEXT;
-- JSON {acknowledged, closed_from}: what the log and metrics read from the events, kept before they go.
ALTER TABLE requests ADD COLUMN purged_facts TEXT;

CREATE TABLE purged_events (
    seq       INTEGER PRIMARY KEY,                    -- the event's place in the chain
    hash      TEXT NOT NULL,                          -- its hash: the next event's link
    purged_at TEXT NOT NULL
);
CREATE TRIGGER purged_events_no_update BEFORE UPDATE ON purged_events BEGIN
    SELECT RAISE (ABORT, 'the record of purged events is append-only');
END;
CREATE TRIGGER purged_events_no_delete BEFORE DELETE ON purged_events BEGIN
    SELECT RAISE (ABORT, 'the record of purged events is append-only');
END;

-- An event may now be deleted only once its place and hash are kept.
DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM purged_events p WHERE p.seq = old.seq AND p.hash = old.hash)
BEGIN
    SELECT RAISE (ABORT, 'audit events are append-only (a retention purge keeps their place and hash)');
END;

CREATE INDEX requests_purge ON requests (closed_at) WHERE is_open = 0 AND purged_at IS NULL;
