#!/usr/bin/env bash
# Encrypted vs plain (issue 17): benches/vault.rs in release mode. Environment: RIGHTSDESK_BENCH_COUNT (default
# 1,000,000), RIGHTSDESK_BENCH_SUBJECT_MB (default 1024). The first run seeds and encrypts a copy (cached under
# target/bench-data/vault-*); figures in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo bench --workspace --bench vault
