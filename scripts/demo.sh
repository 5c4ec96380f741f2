#!/usr/bin/env bash
# Quick start 1: set up, build, and launch Rightsdesk on a demo register (created on first run).
# The demo lives in ~/.local/share/rightsdesk-demo/, apart from your real register.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "==> Building the window and the command-line tool"
npm run --prefix ui build --silent
# Exactly scripts/test.sh's build: the same packages, targets and so features, so after a test run nothing is
# compiled again (`-p rightsdesk-app -p rightsdesk` resolves another feature set and rebuilt for 20 minutes).
cargo build --workspace --all-targets

DEMO_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/rightsdesk-demo"
DEMO_DB="$DEMO_DIR/demo.sqlite3"
if [ ! -f "$DEMO_DB" ]; then
  echo "==> Creating the demo register in $DEMO_DB"
  mkdir -p "$DEMO_DIR"
  # A plain register, said so in the window: the demo shares a known data set, not a secret. Furnished first (the
  # organisation, its Art 15(1) information, a data map, the mail server below) so every feature works at once.
  target/debug/rightsdesk --db "$DEMO_DB" --unencrypted demo furnish
  target/debug/rightsdesk --db "$DEMO_DB" demo seed --count 2500
fi

# The demo organisation's mail server, on this computer: a sink that keeps every message it is sent, so answers
# really go out from the demo (read them in $DEMO_DIR/sent-mail/). Not started when something already listens there.
SINK=""
if ! (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null; then
  SINK_DIR="$DEMO_DIR/sent-mail/$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$SINK_DIR"
  SINK_DIR="$SINK_DIR" PYTHONPATH="$PWD/tests/fixtures" /usr/bin/python3 -m aiosmtpd -n -c smtp_sink.Sink \
    -l 127.0.0.1:2525 >/dev/null 2>&1 &
  SINK=$!
  echo "==> Mail the demo sends is kept in $SINK_DIR"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # A server without a screen: run the window on a virtual display and show what it looks like.
  echo "==> No display found: starting the window on a virtual screen (Xvfb :77)"
  Xvfb :77 -screen 0 1280x800x24 >/dev/null 2>&1 &
  XVFB=$!
  export DISPLAY=:77
  target/debug/rightsdesk-app --db "$DEMO_DB" &
  APP=$!
  trap 'kill $APP $XVFB $SINK 2>/dev/null || true' EXIT
  sleep 8
  import -window root "$DEMO_DIR/screenshot.png" && echo "Screenshot of the running window: $DEMO_DIR/screenshot.png"
  echo "Rightsdesk is running on the virtual display (pid $APP). Press Ctrl+C to stop."
  wait "$APP"
else
  echo "==> Launching Rightsdesk"
  trap 'kill $SINK 2>/dev/null || true' EXIT
  target/debug/rightsdesk-app --db "$DEMO_DB"
fi
