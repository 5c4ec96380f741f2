#!/usr/bin/env bash
# The install test: the .deb from scripts/package.sh installed with apt on a clean Debian (a debootstrap chroot of
# this machine's release, from the mirror its apt uses), then started there: the packaged `rightsdesk` makes a demo
# register, the app opens it on a virtual screen (Xvfb), is looked at (a screenshot), and quits cleanly on SIGTERM
# as a session's end sends it; the register is checked after. As root (debootstrap, chroot, mounts).
#   sudo bash scripts/package-test.sh [PACKAGE.deb]
# Prints the time each stage took. Not part of scripts/test.sh (docs/packaging.md says why).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "package-test.sh: run as root (debootstrap, chroot and mounts need it)" >&2; exit 1; }
deb="${1:-$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || { echo "package-test.sh: no .deb: build one with scripts/package.sh" >&2; exit 1; }
out="$PWD/target/package-test"
mkdir -p "$out"
export DEBIAN_FRONTEND=noninteractive
stage() { printf '\n==> %s (%d s so far)\n' "$*" "$(( $(date +%s) - started ))"; }
started=$(date +%s)

command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends debootstrap; }
command -v Xvfb >/dev/null || apt-get install -y -q --no-install-recommends xvfb
# This machine's Debian release and mirror: the package is built against its libraries.
suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"
mirror="$( (grep -shoE '^(URIs: *|deb +)https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
  /etc/apt/sources.list.d/*.list || true) | head -1 | sed -E 's/^(URIs: *|deb +)//')"
[ -n "$mirror" ] || { echo "package-test.sh: no Debian mirror in this machine's apt sources" >&2; exit 1; }

root="$(mktemp -d /var/tmp/rightsdesk-chroot.XXXXXX)"
display=$(( 150 + RANDOM % 50 ))
XVFB=""
cleanup() {
  [ -n "$XVFB" ] && kill "$XVFB" 2>/dev/null || true
  for m in tmp/.X11-unix dev/pts dev sys proc; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

stage "A clean Debian $suite (debootstrap, minimal) in $root"
debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$out/debootstrap.log" 2>&1 \
  || { tail -20 "$out/debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"
mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

stage "apt installs $(basename "$deb") and what it depends on"
cp "$deb" "$root/tmp/rightsdesk.deb"
in_root apt-get update -q > "$out/apt.log" 2>&1
# A font, as every desktop has one (minbase has none); the rest is the package's own Depends.
in_root apt-get install -y -q --no-install-recommends /tmp/rightsdesk.deb fonts-dejavu-core >> "$out/apt.log" 2>&1 \
  || { tail -30 "$out/apt.log"; exit 1; }
in_root dpkg -s rightsdesk | grep -E '^(Package|Version|Depends):'
test -x "$root/usr/bin/rightsdesk-app" && test -x "$root/usr/bin/rightsdesk"
test -f "$root/usr/share/applications/Rightsdesk.desktop" || ls "$root/usr/share/applications/"

stage "The packaged command makes a demo register"
in_root rightsdesk --db /root/demo/demo.sqlite3 --unencrypted demo seed --count 200

stage "The app starts on a virtual screen and opens it"
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
sleep 1
env_app=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DISPLAY=":$display" XDG_RUNTIME_DIR=/tmp)
# First a launch that says when its page has loaded and whether the register opened, then quits by itself.
loaded="$(timeout 120 chroot "$root" "${env_app[@]}" RIGHTSDESK_EXIT_AFTER_LOAD=1 \
  rightsdesk-app --db /root/demo/demo.sqlite3 2> "$out/app-first.log")" || { cat "$out/app-first.log"; exit 1; }
echo "$loaded"
[ "$loaded" = "loaded: register open" ] || { echo "the app did not open the register"; cat "$out/app-first.log"; exit 1; }

# Then as a person runs it: left running, looked at, and ended by SIGTERM (logging out), which must quit cleanly.
# chroot and env exec in turn: the job's pid is the app's own.
(exec chroot "$root" "${env_app[@]}" rightsdesk-app --db /root/demo/demo.sqlite3 > "$out/app.log" 2>&1) &
APP=$!
sleep 12
DISPLAY=":$display" import -window root "$out/installed-app.png"
kill -0 "$APP" 2>/dev/null || { echo "the app stopped by itself"; cat "$out/app.log"; exit 1; }
kill -TERM "$APP"
code=0; wait "$APP" || code=$?
[ "$code" -eq 0 ] || { echo "the app did not quit cleanly on SIGTERM (exit $code)"; cat "$out/app.log"; exit 1; }
echo "quit cleanly (exit 0); screenshot: $out/installed-app.png"

stage "The register is whole after the app"
in_root rightsdesk --db /root/demo/demo.sqlite3 audit verify

stage "Passed"
echo "install test passed in $(( $(date +%s) - started )) s"
