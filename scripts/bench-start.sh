#!/usr/bin/env bash
# Start-up time of the window against a bare Tauri window built the same way (issue 19, goal ≤ 1.3×): from launch
# to the page loaded (Tauri's page-load "finished", printed by `RIGHTSDESK_EXIT_AFTER_LOAD=1`), N launches of each
# under Xvfb, alternating, medians and their ratio. Rightsdesk opens a plain demo register of 1,000 requests.
#   bash scripts/bench-start.sh [N]        (default 15; needs the release build of scripts/package.sh)
# The bare app is made under target/bench-start/bare/ (outside the workspace, never built by CI): tauri with the same
# version, features, profile and window size, and a one-line page. Both are warm starts (the files in the page
# cache): dropping the machine's caches is not ours to do on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs="${1:-15}"
here="$PWD"
bench="$here/target/bench-start"
app="$here/target/release/rightsdesk-app"
cli="$here/target/release/rightsdesk"
[ -x "$app" ] && [ -x "$cli" ] || { echo "build the release first: bash scripts/package.sh" >&2; exit 1; }

tauri_version="$(cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "tauri"))')"
bare="$bench/bare"
mkdir -p "$bare/src" "$bare/dist" "$bare/icons"
cp src-tauri/icons/32x32.png src-tauri/icons/128x128.png src-tauri/icons/icon.png "$bare/icons/"
cat > "$bare/Cargo.toml" <<TOML
[package]
name = "bare-tauri"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[build-dependencies]
tauri-build = "2"

[dependencies]
tauri = { version = "=$tauri_version", features = ["custom-protocol"] }
TOML
cat > "$bare/build.rs" <<'RS'
fn main() {
    tauri_build::build()
}
RS
cat > "$bare/src/main.rs" <<'RS'
use tauri::Manager;

fn main() {
    tauri::Builder::default()
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished
                && std::env::var_os("RIGHTSDESK_EXIT_AFTER_LOAD").is_some_and(|v| v == "1")
            {
                println!("loaded: bare");
                webview.app_handle().exit(0);
            }
        })
        .run(tauri::generate_context!())
        .expect("the bare window");
}
RS
cat > "$bare/dist/index.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>Bare</title></head><body><p>A bare Tauri window.</p></body></html>
HTML
cat > "$bare/tauri.conf.json" <<'JSON'
{
  "productName": "Bare",
  "version": "0.1.0",
  "identifier": "org.rightsdesk.bench.bare",
  "build": { "frontendDist": "./dist" },
  "app": { "windows": [{ "label": "main", "title": "Bare", "width": 1280, "height": 800 }] },
  "bundle": { "active": false, "icon": ["icons/32x32.png", "icons/128x128.png", "icons/icon.png"] }
}
JSON
# The workspace's lock file, so the bare app gets the very versions the app links.
[ -f "$bare/Cargo.lock" ] || cp Cargo.lock "$bare/Cargo.lock"
echo "==> Building the bare Tauri app (release, tauri $tauri_version)"
# The workspace's target folder: the dependencies built with the same features are reused.
(cd "$bare" && CARGO_TARGET_DIR="$here/target" cargo build --release --quiet)
bare_bin="$here/target/release/bare-tauri"

work="$(mktemp -d)"
display=$(( 200 + RANDOM % 50 ))
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
export DISPLAY=":$display" HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
  XDG_CACHE_HOME="$work/cache" RIGHTSDESK_EXIT_AFTER_LOAD=1
mkdir -p "$HOME"
db="$work/demo.sqlite3"
"$cli" --db "$db" --unencrypted demo seed --count 1000 >/dev/null

# Milliseconds from launch to the "loaded" line; the process is then waited for (it quits by itself).
time_one() {
  local t0 t1 line pid
  t0=$(date +%s%N)
  exec 3< <("$@" 2>/dev/null)
  pid=$!
  IFS= read -r line <&3 || true
  t1=$(date +%s%N)
  exec 3<&-
  wait "$pid" 2>/dev/null || true
  case "$line" in loaded*) ;; *) echo "no page load from $1: '$line'" >&2; exit 1 ;; esac
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One launch of each first (the files into the page cache), not counted.
time_one "$bare_bin" >/dev/null
time_one "$app" --db "$db" >/dev/null
: > "$work/bare.ms"; : > "$work/app.ms"
for _ in $(seq "$runs"); do
  time_one "$bare_bin" >> "$work/bare.ms"
  time_one "$app" --db "$db" >> "$work/app.ms"
done
bare_ms="$(median < "$work/bare.ms")"
app_ms="$(median < "$work/app.ms")"
echo "bare Tauri window: median ${bare_ms} ms  ($(tr '\n' ' ' < "$work/bare.ms"))"
echo "Rightsdesk:        median ${app_ms} ms  ($(tr '\n' ' ' < "$work/app.ms"))"
python3 -c "r = $app_ms / $bare_ms; print(f'ratio {r:.2f}x (goal <= 1.3x): ' + ('met' if r <= 1.3 else 'NOT met'))"
