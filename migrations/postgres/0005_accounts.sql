-- People and permissions (issue 18). The columns of SQLite's migration 0016 (a request's owner, a checklist line's
-- assignee, the accounts), and what the server enforces whatever client connects, psql included:
--   * every event names the login that wrote it (a login with an account cannot write another name);
--   * a contributor changes nothing of a request but the checklist lines assigned to them;
--   * the chain's head is found by everyone, also by a login that may read only some events.
-- The roles themselves (a group role per role, their grants, and the row-level security policies that keep a
-- contributor to their requests) are made when the first account is added (`store/postgres/roles.rs`): making
-- roles needs a right (CREATEROLE) that the login creating the schema need not have.

ALTER TABLE requests ADD COLUMN owner text COLLATE "C";
ALTER TABLE checklist_items ADD COLUMN assignee text COLLATE "C";
CREATE INDEX requests_owner ON requests (owner, is_open) WHERE owner IS NOT NULL;
CREATE INDEX checklist_items_assignee ON checklist_items (assignee) WHERE assignee IS NOT NULL;

CREATE TABLE accounts (
    login      text COLLATE "C" PRIMARY KEY,
    name       text COLLATE "C" NOT NULL,
    email      text COLLATE "C",
    role       text COLLATE "C" NOT NULL CHECK (role IN ('admin', 'officer', 'contributor', 'auditor')),
    disabled   bigint NOT NULL DEFAULT 0,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL
);

-- The connected login's role, or NULL for a login without an account (the register's owner, or a login the IT
-- department granted rights by hand). Run with the owner's rights so that it reads `accounts` whatever the policies.
CREATE FUNCTION rightsdesk_role() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT role FROM accounts WHERE login = session_user
$$;

-- Whether a contributor may see the request: they own it, or a line of its checklist is theirs. Run with the
-- owner's rights: it reads the rows whatever the policies, so a policy may call it without recursion.
CREATE FUNCTION rightsdesk_assigned(request text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM requests WHERE id = request AND owner = session_user)
        OR EXISTS (SELECT 1 FROM checklist_items WHERE request_id = request AND assignee = session_user)
$$;

-- The chain's newest link, live or purged (as `HEAD_SQL` reads it), for a login that may not read every event.
CREATE FUNCTION rightsdesk_chain_head(OUT seq bigint, OUT hash text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT seq, hash FROM (
        (SELECT seq, hash, 1 AS live FROM events ORDER BY seq DESC LIMIT 1)
        UNION ALL
        (SELECT seq, hash, 0 AS live FROM purged_events ORDER BY seq DESC LIMIT 1)) newest
    ORDER BY seq DESC, live LIMIT 1
$$;

CREATE FUNCTION events_actor_is_login() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.actor IS DISTINCT FROM session_user::text AND rightsdesk_role() IS NOT NULL THEN
        RAISE EXCEPTION 'an event names the login that writes it: % may not write one as %', session_user, NEW.actor
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER events_actor_is_login BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_actor_is_login();

-- A contributor's change to a request row is the bookkeeping of ticking their line (the time of the change, and
-- the dates derived again, which ticking does not move): any other column changed is refused. The triggers that
-- call these two are made with the contributors' group (`store/postgres/accounts.rs`), and fire for its members
-- only: an officer's writes pay nothing for them.
CREATE FUNCTION requests_contributor_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'updated_at') THEN
        RAISE EXCEPTION 'a contributor ticks the checklist lines assigned to them and changes nothing else of a request'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION checklist_contributor_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ((to_jsonb(NEW) - ARRAY['state', 'note', 'proof_id', 'done_by', 'done_at'])
            IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['state', 'note', 'proof_id', 'done_by', 'done_at'])
            OR OLD.assignee IS DISTINCT FROM session_user::text) THEN
        RAISE EXCEPTION 'a contributor ticks only the checklist lines assigned to them'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
