-- The regulator's log reads two facts that only the events held: the day of the first acknowledgement (emailed, or
-- written as a letter) and, for a closed request, the status it was closed from. Reading them per row from the
-- events made the export a subquery pair per request; they are now kept on the row, set by the store in the same
-- transaction as the event that establishes them (store/audit.rs, `keep_log_facts`), and covered by the row's
-- state digest from "v2:" on.
ALTER TABLE requests ADD COLUMN acknowledged_on TEXT;
-- The `from` of the request's last status change to `closed`, whatever its status now (the log reads it only for a
-- closed request).
ALTER TABLE requests ADD COLUMN closed_from TEXT;

-- Back-filled exactly as the export computed them: from the events, else from what a purge kept (`purged_facts`).
-- One pass over the events per fact, not a subquery per request.
UPDATE requests
   SET acknowledged_on = json_extract(purged_facts, '$.acknowledged'),
       closed_from = json_extract(purged_facts, '$.closed_from')
 WHERE purged_facts IS NOT NULL;

UPDATE requests SET acknowledged_on = a.day
  FROM (SELECT request_id, substr(min(at), 1, 10) AS day FROM events
         WHERE (kind = 'response_sent' AND json_extract(data, '$.stage') = 'acknowledgement')
            OR (kind = 'attachment_added' AND json_extract(data, '$.file_name') LIKE '%-acknowledgement-%.pdf')
         GROUP BY request_id) AS a
 WHERE a.request_id = requests.id AND a.day IS NOT NULL;

-- The bare column beside max(seq) is taken from the row holding the maximum (SQLite's documented rule).
UPDATE requests SET closed_from = c.closed_from
  FROM (SELECT request_id, max(seq), json_extract(data, '$.from') AS closed_from FROM events
         WHERE kind = 'status_changed' AND json_extract(data, '$.to') = 'closed'
         GROUP BY request_id) AS c
 WHERE c.request_id = requests.id AND c.closed_from IS NOT NULL;

-- The facts as back-filled, for the rows that have any: until a row's next event (whose "v2:" state covers them),
-- `audit verify` holds its facts to this record, whose digest one chained event of the register carries
-- (store/audit.rs, `record_row_facts`). Append-only like `row_states`.
CREATE TABLE row_facts (
    request_id      TEXT PRIMARY KEY REFERENCES requests (id),
    acknowledged_on TEXT,
    closed_from     TEXT
) WITHOUT ROWID;
INSERT INTO row_facts (request_id, acknowledged_on, closed_from)
SELECT id, acknowledged_on, closed_from FROM requests WHERE acknowledged_on IS NOT NULL OR closed_from IS NOT NULL;
CREATE TRIGGER row_facts_no_update BEFORE UPDATE ON row_facts BEGIN
    SELECT RAISE (ABORT, 'the record of log facts is append-only');
END;
CREATE TRIGGER row_facts_no_delete BEFORE DELETE ON row_facts BEGIN
    SELECT RAISE (ABORT, 'the record of log facts is append-only');
END;
