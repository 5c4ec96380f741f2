-- The audit tables' append-only guards: SQLite's triggers (store/audit.rs, APPEND_ONLY_TRIGGERS) with the same
-- refusals, as PL/pgSQL functions raising an integrity error, and a guard against TRUNCATE as well (which skips
-- row triggers; SQLite has no such statement). Events may be deleted only once a retention purge has kept each
-- one's place and hash in purged_events.
--
-- store/postgres/audit.rs reads this file: each "-- guard:" block (a function, then its trigger, written as
-- pg_get_triggerdef gives it back) is what `trigger_problems` holds the server's guard to, and what
-- `restore_triggers` puts back. Keep that shape.

-- guard: events_no_update
CREATE FUNCTION events_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_no_update();

-- guard: events_no_delete
CREATE FUNCTION events_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM purged_events p WHERE p.seq = old.seq AND p.hash = old.hash) THEN
        RAISE EXCEPTION 'audit events are append-only (a retention purge keeps their place and hash)' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN old;
END
$$;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_no_delete();

-- guard: events_no_truncate
CREATE FUNCTION events_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_no_truncate();

-- guard: purged_events_no_update
CREATE FUNCTION purged_events_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of purged events is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER purged_events_no_update BEFORE UPDATE ON purged_events FOR EACH ROW EXECUTE FUNCTION purged_events_no_update();

-- guard: purged_events_no_delete
CREATE FUNCTION purged_events_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of purged events is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER purged_events_no_delete BEFORE DELETE ON purged_events FOR EACH ROW EXECUTE FUNCTION purged_events_no_delete();

-- guard: purged_events_no_truncate
CREATE FUNCTION purged_events_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of purged events is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER purged_events_no_truncate BEFORE TRUNCATE ON purged_events FOR EACH STATEMENT EXECUTE FUNCTION purged_events_no_truncate();

-- guard: checkpoints_no_update
CREATE FUNCTION checkpoints_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints FOR EACH ROW EXECUTE FUNCTION checkpoints_no_update();

-- guard: checkpoints_no_delete
CREATE FUNCTION checkpoints_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION checkpoints_no_delete();

-- guard: checkpoints_no_truncate
CREATE FUNCTION checkpoints_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_no_truncate();

-- guard: row_states_no_update
CREATE FUNCTION row_states_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of row states is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_states_no_update BEFORE UPDATE ON row_states FOR EACH ROW EXECUTE FUNCTION row_states_no_update();

-- guard: row_states_no_delete
CREATE FUNCTION row_states_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of row states is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_states_no_delete BEFORE DELETE ON row_states FOR EACH ROW EXECUTE FUNCTION row_states_no_delete();

-- guard: row_states_no_truncate
CREATE FUNCTION row_states_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of row states is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_states_no_truncate BEFORE TRUNCATE ON row_states FOR EACH STATEMENT EXECUTE FUNCTION row_states_no_truncate();

-- guard: row_facts_no_update
CREATE FUNCTION row_facts_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of log facts is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_facts_no_update BEFORE UPDATE ON row_facts FOR EACH ROW EXECUTE FUNCTION row_facts_no_update();

-- guard: row_facts_no_delete
CREATE FUNCTION row_facts_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of log facts is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_facts_no_delete BEFORE DELETE ON row_facts FOR EACH ROW EXECUTE FUNCTION row_facts_no_delete();

-- guard: row_facts_no_truncate
CREATE FUNCTION row_facts_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of log facts is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER row_facts_no_truncate BEFORE TRUNCATE ON row_facts FOR EACH STATEMENT EXECUTE FUNCTION row_facts_no_truncate();

-- guard: calendar_days_no_update
CREATE FUNCTION calendar_days_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the calendar log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER calendar_days_no_update BEFORE UPDATE ON calendar_days FOR EACH ROW EXECUTE FUNCTION calendar_days_no_update();

-- guard: calendar_days_no_delete
CREATE FUNCTION calendar_days_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the calendar log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER calendar_days_no_delete BEFORE DELETE ON calendar_days FOR EACH ROW EXECUTE FUNCTION calendar_days_no_delete();

-- guard: calendar_days_no_truncate
CREATE FUNCTION calendar_days_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the calendar log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER calendar_days_no_truncate BEFORE TRUNCATE ON calendar_days FOR EACH STATEMENT EXECUTE FUNCTION calendar_days_no_truncate();
