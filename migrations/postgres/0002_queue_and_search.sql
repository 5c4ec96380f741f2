-- The queue's indexes and the search index (issue 18: written with the PostgreSQL queries of store/postgres/queue.rs,
-- each index on exactly the expressions the queries order and compare by).
--
-- A page seeks on its sort's keys and the row number: `(keys…, row_no) > (cursor…)`, a range on an index in that
-- order. The due date is keyed as coalesce(effective_due, '') (no NULL in a row comparison; '' sorts first), and text
-- keys compare byte by byte (COLLATE "C": SQLite's order, whatever the server's collation). As on SQLite (its
-- migration 0012), every sort has an index over all requests, over the open ones (the window's default; partial: as
-- small as the work in hand, so a page never walks past the closed requests of earlier years), and after one status
-- where the sort's index does not start with it. A reference is unique: its UNIQUE (ref_year, ref_seq) is its order.

CREATE INDEX requests_queue_due ON requests ((coalesce(effective_due, '') COLLATE "C"), row_no);
CREATE INDEX requests_queue_received ON requests (received COLLATE "C", row_no);
CREATE INDEX requests_queue_requester ON requests (requester_name COLLATE "C", row_no);
-- Also a status, kind or regime with the due date after it (the Due sort under that filter).
CREATE INDEX requests_queue_status ON requests (status COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no);
CREATE INDEX requests_queue_kind ON requests (kind COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no);
CREATE INDEX requests_queue_regime ON requests (regime COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no);

CREATE INDEX requests_open_due ON requests ((coalesce(effective_due, '') COLLATE "C"), row_no) WHERE is_open = 1;
CREATE INDEX requests_open_received ON requests (received COLLATE "C", row_no) WHERE is_open = 1;
CREATE INDEX requests_open_reference ON requests (ref_year, ref_seq) WHERE is_open = 1;
CREATE INDEX requests_open_requester ON requests (requester_name COLLATE "C", row_no) WHERE is_open = 1;
CREATE INDEX requests_open_status
    ON requests (status COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no) WHERE is_open = 1;
CREATE INDEX requests_open_kind
    ON requests (kind COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no) WHERE is_open = 1;
CREATE INDEX requests_open_regime
    ON requests (regime COLLATE "C", (coalesce(effective_due, '') COLLATE "C"), row_no) WHERE is_open = 1;

CREATE INDEX requests_status_received ON requests (status COLLATE "C", received COLLATE "C", row_no);
CREATE INDEX requests_status_reference ON requests (status COLLATE "C", ref_year, ref_seq);
CREATE INDEX requests_status_requester ON requests (status COLLATE "C", requester_name COLLATE "C", row_no);

-- The retention purge reads the closed requests oldest first by their closing time, compared byte by byte like every
-- timestamp (store/postgres/requests.rs): its index is in that order.
DROP INDEX IF EXISTS requests_purge;
CREATE INDEX requests_purge ON requests ((closed_at COLLATE "C")) WHERE is_open = 0 AND purged_at IS NULL;

-- Search: a substring of three characters or more, case aside, in reference, requester name, email, account
-- reference, description or notes (SQLite: an FTS5 trigram index). One trigram index over the columns together
-- finds the candidate rows for ILIKE '%text%'; the query then checks each column on its own.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX requests_search ON requests USING gin (
    (reference || ' ' || requester_name || ' ' || coalesce(requester_email, '') || ' ' ||
     coalesce(requester_account, '') || ' ' || description || ' ' || notes) gin_trgm_ops
);
