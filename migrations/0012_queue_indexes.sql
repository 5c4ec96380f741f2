-- The queue never scans: every sort the window offers has an index in its order (store/queue.rs seeks on it).
-- The others existed already: received, (ref_year, ref_seq), (status|kind|regime, effective_due), requester_name,
-- and (is_open, effective_due) for the default view. Only the due date over all requests had none.
CREATE INDEX requests_due ON requests (effective_due);

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
