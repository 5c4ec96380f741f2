#!/usr/bin/env bash
# Issue 16's benchmark suite in release mode: every operation at a million requests beside raw SQLite
# (benches/million.rs says what each entry measures and which environment variables it reads).
#   scripts/bench.sh                                 full size (the first run seeds and caches the register)
#   RIGHTSDESK_BENCH_COUNT=100000 scripts/bench.sh   smaller, while developing
#   RIGHTSDESK_BENCH_ONLY=verify,size scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is needed (apt-get install sqlite3)" >&2; exit 1; }
# `cargo bench` builds the release CLI itself (the bench finds it as CARGO_BIN_EXE_rightsdesk), with the same
# features: a separate `cargo build --release --bin rightsdesk` resolves them without the dev-dependencies and
# rebuilds much of the tree (12 minutes here) for a binary no faster.
exec cargo bench --bench million "$@"
