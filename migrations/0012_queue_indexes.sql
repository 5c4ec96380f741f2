-- The queue never scans: every sort the window offers has an index in its order, for all requests, for the open
-- ones (the window's default) and for one status, so a page seeks (store/queue.rs) instead of reading past rows that
-- do not match. Open and closed requests are not spread evenly (the open ones are the recent ones), so walking an
-- index of all requests and skipping the closed ones can read most of the register before the first open one.
-- Existing already: received, (ref_year, ref_seq), requester_name, (status|kind|regime, effective_due) and
-- (is_open, effective_due).
CREATE INDEX requests_due ON requests (effective_due);
-- Open requests only (partial: as small as the work in hand, whatever the register's age).
CREATE INDEX requests_open_received ON requests (received) WHERE is_open = 1;
CREATE INDEX requests_open_reference ON requests (ref_year, ref_seq) WHERE is_open = 1;
CREATE INDEX requests_open_requester ON requests (requester_name) WHERE is_open = 1;
CREATE INDEX requests_open_status ON requests (status, effective_due) WHERE is_open = 1;
CREATE INDEX requests_open_kind ON requests (kind, effective_due) WHERE is_open = 1;
CREATE INDEX requests_open_regime ON requests (regime, effective_due) WHERE is_open = 1;
-- One status, in the sorts whose index does not start with it.
CREATE INDEX requests_status_received ON requests (status, received);
CREATE INDEX requests_status_reference ON requests (status, ref_year, ref_seq);
CREATE INDEX requests_status_requester ON requests (status, requester_name);

-- Search covers the description and the notes too: the trigram index is made again with them, from the rows.
DROP TRIGGER requests_search_insert;
DROP TRIGGER requests_search_delete;
DROP TRIGGER requests_search_update;
DROP TABLE requests_search;
CREATE VIRTUAL TABLE requests_search USING fts5 (
    reference, requester_name, requester_email, requester_account, description, notes,
    content = 'requests', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, reference, requester_name, requester_email, requester_account, description, notes)
    VALUES (new.rowid, new.reference, new.requester_name, new.requester_email, new.requester_account, new.description,
            new.notes);
END;
CREATE TRIGGER requests_search_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, requester_name, requester_email, requester_account,
                                 description, notes)
    VALUES ('delete', old.rowid, old.reference, old.requester_name, old.requester_email, old.requester_account,
            old.description, old.notes);
END;
CREATE TRIGGER requests_search_update
AFTER UPDATE OF reference, requester_name, requester_email, requester_account, description, notes ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, reference, requester_name, requester_email, requester_account,
                                 description, notes)
    VALUES ('delete', old.rowid, old.reference, old.requester_name, old.requester_email, old.requester_account,
            old.description, old.notes);
    INSERT INTO requests_search (rowid, reference, requester_name, requester_email, requester_account, description, notes)
    VALUES (new.rowid, new.reference, new.requester_name, new.requester_email, new.requester_account, new.description,
            new.notes);
END;
INSERT INTO requests_search (requests_search) VALUES ('rebuild');
-- As in 0010: a purge removes the trigrams at once (the new table starts without the setting).
INSERT INTO requests_search (requests_search, rank) VALUES ('secure-delete', 1);
