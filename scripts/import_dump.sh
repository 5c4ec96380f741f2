#!/bin/sh
# Usage: sh scripts/import_dump.sh DB | md5sum   (docs/performance.md, Import and seed)
# Normalised dump of an imported register: what must not depend on the write path (ids, hashes, states left out;
# requesters named by their first request).
db=$1
sqlite3 "$db" <<'SQL'
.mode list
SELECT 'R', reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status, requester_name, requester_email,
  requester_phone, requester_address, requester_account, language, description, notes, rule_kind, clock_start,
  acknowledge_by, due, extended_due, effective_due, internal_target, is_open, created_at, updated_at, external_id, import_key,
  (SELECT min(x.rowid) FROM requests x WHERE x.requester_id = requests.requester_id)
  FROM requests ORDER BY rowid;
SELECT 'E', r.reference, e.at, e.actor, e.kind, e.data FROM events e LEFT JOIN requests r ON r.id = e.request_id ORDER BY e.seq;
SELECT 'P', (SELECT min(r.rowid) FROM requests r WHERE r.requester_id = p.id) AS first, name, email, phone, address, account,
  created_at, updated_at FROM requesters p ORDER BY first;
SELECT 'C', year, last FROM reference_counters ORDER BY year;
SELECT 'S', count(*) FROM requests_search WHERE requests_search MATCH '"owalsk"';
SELECT 'S', count(*) FROM requests_search WHERE requests_search MATCH '"person12"';
SELECT 'S', count(*) FROM requests_search WHERE requests_search MATCH '"CUST-12"';
SELECT 'T', name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name;
SQL
