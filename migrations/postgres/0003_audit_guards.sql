-- The audit tables' append-only guards (issue 18: written with store/postgres/audit.rs).
SELECT 1;
