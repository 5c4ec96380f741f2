-- Non-working days the organisation declares on top of the shipped public holidays (a newly announced holiday,
-- an office closure the law recognises). Append-only: removing a day is a new row; the latest row for a
-- (calendar, day) decides. Every request whose dates move because of it gets its own audit event.
CREATE TABLE calendar_days (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar TEXT NOT NULL,
    day      TEXT NOT NULL,                           -- YYYY-MM-DD
    label    TEXT NOT NULL,
    action   TEXT NOT NULL CHECK (action IN ('added', 'removed')),
    reason   TEXT,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL
);
CREATE INDEX calendar_days_key ON calendar_days (calendar, day, id);
CREATE TRIGGER calendar_days_no_update BEFORE UPDATE ON calendar_days BEGIN
    SELECT RAISE (ABORT, 'the calendar log is append-only');
END;
CREATE TRIGGER calendar_days_no_delete BEFORE DELETE ON calendar_days BEGIN
    SELECT RAISE (ABORT, 'the calendar log is append-only');
END;

-- Recomputing dates walks the open requests of one calendar.
CREATE INDEX requests_open_calendar ON requests (calendar, is_open);
