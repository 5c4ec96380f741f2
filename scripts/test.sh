#!/usr/bin/env bash
# Quick start 2 and CI: set up, then run every check and test. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never RIGHTSDESK_PYTHON="$PWD/target/tools-venv/bin/python"
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
step() { printf '\n==> %s\n' "$*"; }

# The UI first: the desktop shell embeds ui/dist when it compiles (clippy included).
step "UI format, lint, types and unit tests"
npm run --prefix ui lint --silent
npm run --prefix ui check --silent
npm run --prefix ui test --silent
npm run --prefix ui build --silent

step "Rust format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

# Every later cargo command selects the whole workspace with its tests, so features resolve the same way each
# time and each crate is compiled once (`-p` would resolve another feature set and rebuild half the tree).
step "Build the command line, the desktop shell and every test"
cargo build --workspace --all-targets

step "TypeScript bindings are generated from Rust, not edited"
target/debug/export-bindings
git diff --exit-code -- ui/src/lib/bindings.ts || { echo "ui/src/lib/bindings.ts is stale: commit the regenerated file"; exit 1; }

step "Core and command-line tests (unit, integration, deadline contract, crash consistency)"
cargo test --workspace

step "The command line on a team register: the suites that hold on both engines, again on a PostgreSQL server"
# Register::new makes each register a fresh database on the tests' throwaway server (tests/it/support.rs).
RIGHTSDESK_TEST_ENGINE=postgres cargo test --workspace --test it -- cli_requests:: cli_clock:: cli_checklist:: \
  cli_calendar:: cli_requesters:: cli_export:: cli_import:: cli_operations:: first_run:: pdf_scripts::

step "End to end: the real window under Xvfb, driven through tauri-driver"
DISPLAY_NUM=$((90 + RANDOM % 100))
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true' EXIT
export DISPLAY=":$DISPLAY_NUM"
sleep 1
# The window's run is the one ignored test of the integration binary (tests/it/e2e.rs): run only it.
cargo test --workspace --test it -- --ignored e2e::
echo "Screenshots: $PWD/e2e-artifacts/"
