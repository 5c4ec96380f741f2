#!/usr/bin/env bash
# The queue from the command line on a big register, beside the sqlite3 shell on the same file: median wall time of
# RUNS runs (process start included on both sides) and the peak RSS of the last run.
#   RIGHTSDESK_NOW=2026-11-22 target/release/rightsdesk --db DB demo seed --count 1000000
#   scripts/bench-queue.sh DB [path/to/rightsdesk]
# The first open of a register made by an older Rightsdesk applies migration 0012 (the search index rebuilt).
set -euo pipefail
DB=$1
RD=${2:-target/release/rightsdesk}
RUNS=${RUNS:-7}
DEEP=${DEEP:-250000} # the depth of the deep page (half the register is a fair choice)
export RIGHTSDESK_NOW=${RIGHTSDESK_NOW:-2026-11-22}

# median wall ms and peak RSS (MB) of a command
measure() {
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    local t0=$EPOCHREALTIME
    rss=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -1)
    local t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) * 1000}')")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%8.1f ms %5.0f MB' "$median" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
}

row() { # label, then the command
  local label=$1
  shift
  printf '%-58s %s\n' "$label" "$(measure "$@")"
}

"$RD" --db "$DB" request list --limit 1 >/dev/null # migrate once, warm the cache
cols="id, reference, kind, regime, status, requester_name, requester_email, received, effective_due, acknowledge_by, rule_kind, is_open"
deep=$("$RD" --db "$DB" --json request list --limit 1 --offset "$DEEP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
deep_due=$("$RD" --db "$DB" --json request list --limit 1 --offset "$DEEP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["effective_due"])')

row "sqlite3 'select 1' (bare start)" sqlite3 "$DB" 'select 1'
row "request list --limit 1 (all, by due)" "$RD" --db "$DB" request list --limit 1
row "  sqlite3: same first page" sqlite3 "$DB" "SELECT $cols FROM requests WHERE status <> 'spam' ORDER BY effective_due, rowid LIMIT 2"
row "request list --open (window's default, 50)" "$RD" --db "$DB" request list --open
row "request list --offset $DEEP (slow path)" "$RD" --db "$DB" request list --offset "$DEEP"
row "request list --after CURSOR at $DEEP" "$RD" --db "$DB" request list --after "$deep"
row "  sqlite3: seek at the same place" sqlite3 "$DB" "SELECT $cols FROM requests WHERE status <> 'spam' AND effective_due >= '$deep_due' ORDER BY effective_due, rowid LIMIT 51"
row "request list --sort requester --desc --kind erasure" "$RD" --db "$DB" request list --sort requester --desc --kind erasure
row "request list --status on-hold --sort received" "$RD" --db "$DB" request list --status on-hold --sort received
row "request list --search owalsk" "$RD" --db "$DB" request list --search owalsk
row "  sqlite3: FTS match count" sqlite3 "$DB" "SELECT count(*) FROM requests_search WHERE requests_search MATCH '\"owalsk\"'"
row "request list --search example (matches all)" "$RD" --db "$DB" request list --search example
row "request list --search 'hold about' (description)" "$RD" --db "$DB" request list --search "about"
