#!/usr/bin/env bash
# Build the installable Linux packages from a release build: a .deb and an .rpm (Tauri's bundler, from
# @tauri-apps/cli in ui/node_modules), each holding the desktop app and the `rightsdesk` command.
#   bash scripts/package.sh              # .deb and .rpm into target/release/bundle/{deb,rpm}/
#   bash scripts/package.sh --appimage   # also an AppImage: Tauri downloads linuxdeploy and its plugins from
#                                        # GitHub for it, so only where GitHub is reachable (docs/packaging.md)
# Then `sudo bash scripts/package-test.sh` installs the .deb on a clean Debian and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

bundles="deb,rpm"
if [ "${1:-}" = "--appimage" ]; then bundles="deb,rpm,appimage"; fi
started=$(date +%s)

echo "==> The window's pages"
npm run --prefix ui build --silent

# One release build of the workspace's binaries, so the app and the command it ships resolve features once (a
# `-p` build of each would compile the core twice). `custom-protocol` is what `tauri build` adds: the pages are
# served from the binary, never from a development server.
echo "==> Release build of the app and the command line"
cargo build --release --workspace --bins --features rightsdesk-app/custom-protocol

# `tauri bundle` packs what was just built (it does not compile); run from the root it finds src-tauri/.
echo "==> Packages: $bundles"
ui/node_modules/.bin/tauri bundle --bundles "$bundles" --features custom-protocol

echo "==> Built in $(( $(date +%s) - started )) s:"
ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm 2>/dev/null
if [ "$bundles" != "${bundles%appimage}" ]; then ls -l target/release/bundle/appimage/*.AppImage; fi
