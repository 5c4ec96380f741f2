#!/usr/bin/env bash
# Install what Rightsdesk needs to build, run and test, skipping whatever is already there.
# Debian/Ubuntu, as root (or with sudo). Safe to run again. Used by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. Debian packages: the WebKitGTK the window runs in, its WebDriver, Xvfb for headless runs, a C toolchain, and
#    for the mail tests a real SMTP server (aiosmtpd, for /usr/bin/python3), openssl to make a test CA, and
#    poppler-utils to read PDF letters as a person would (text, and pages as images); zip/unzip and 7-Zip (which
#    opens AES-encrypted archives, unlike unzip) to check the exports; libssl-dev for the SQLCipher the register is
#    encrypted with (rusqlite's bundled-sqlcipher links the system's libcrypto); xdotool to answer the OS's file
#    dialogs in the window's end-to-end tests as a person would (typing a path into GTK's dialog) and to drag files
#    onto it from a real X11 drag source (python3-gi with GTK 3's introspection data: tests/fixtures/drag_source.py);
#    dovecot-imapd, a real IMAP server the mailbox tests start as a throwaway instance (its system service is not
#    used); libglib2.0-bin for `gio open`, how an attachment opens in its application where xdg-open is missing;
#    dbus for a throwaway session bus (dbus-daemon), on which the window's e2e finds the running app from a second
#    launch; postgresql, a real PostgreSQL server the team edition's tests start as a throwaway cluster (initdb in a
#    temporary folder; the system's own cluster is not used).
APT_PACKAGES=(build-essential pkg-config curl ca-certificates libssl-dev libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver
  python3 python3-venv python3-aiosmtpd openssl poppler-utils sqlite3 imagemagick zip unzip p7zip-full xdotool
  python3-gi gir1.2-gtk-3.0 libglib2.0-bin dovecot-imapd dbus postgresql)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. Rust (stable, 1.90 or newer).
if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
rust_ok() { command -v cargo >/dev/null && [ "$(rustc --version | awk '{split($2,v,"."); print (v[1]>1 || v[2]>=90)}')" = 1 ]; }
if ! rust_ok; then
  say "Installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
  export PATH="$HOME/.cargo/bin:$PATH"
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1 && command -v rustup >/dev/null; then rustup component add "$c"; fi
done

# 3. Node.js 20.19+ (Vite 8). Debian's own is used when new enough, else NodeSource's.
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit((a===20&&b>=19)||(a===22&&b>=12)||a>22?0:1)'; }
if ! node_ok; then
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm >/dev/null 2>&1 || true
  if ! node_ok; then
    say "Installing Node.js 22 from NodeSource"
    curl -fsSL https://deb.nodesource.com/setup_22.x | $SUDO bash -
    $SUDO apt-get install -y -q nodejs
  fi
fi

# 4. The UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "Installing the UI's npm packages"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi

# 5. tauri-driver, for the end-to-end tests.
if ! command -v tauri-driver >/dev/null; then
  say "Installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0
fi

# 6. Pinned Python libraries for two test checks: `holidays` (the shipped holiday tables against their generator)
#    and `jsonschema` (the subject export's data.json against its documented schema).
if [ ! -x target/tools-venv/bin/python ] || ! target/tools-venv/bin/python -c 'import holidays, jsonschema; assert holidays.__version__ == "0.109"' 2>/dev/null; then
  say "Installing holidays 0.109 and jsonschema 4.26.0 (test data checks)"
  mkdir -p target
  python3 -m venv target/tools-venv
  target/tools-venv/bin/pip install -q --disable-pip-version-check holidays==0.109 jsonschema==4.26.0
fi
