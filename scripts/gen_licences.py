#!/usr/bin/env python3
"""The third-party licence list shown in the About box (data/licences.json, embedded by src/desktop.rs).

Rust: every crate the shipped binaries (the desktop app and the `rightsdesk` command) link, from `cargo metadata`:
the normal (not dev, not build) dependencies reachable from the workspace's members, for every target platform
(the Windows and macOS builds ship crates Linux does not). npm: the window's runtime packages, from
ui/package-lock.json: package.json's `dependencies` and Svelte (a dev dependency whose runtime is compiled into the
bundle), with everything they depend on.

    python3 scripts/gen_licences.py          # rewrite data/licences.json
    python3 scripts/gen_licences.py --check  # exit 1 when it is stale (tests/it/licences.rs)
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "licences.json"
# devDependencies whose code ends up in ui/dist (the rest are build tools).
BUNDLED_DEV = ["svelte"]


def crates():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    members = set(meta["workspace_members"])
    seen, todo = set(), list(members)
    while todo:
        node = nodes[todo.pop()]
        for dep in node["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    out = []
    for pid in seen - members:
        p = packages[pid]
        licence = p.get("license") or ("see " + p["license_file"] if p.get("license_file") else "unknown")
        out.append(("crate", p["name"], p["version"], licence, p.get("repository")))
    return out


def npm():
    ui = ROOT / "ui"
    lock = json.loads((ui / "package-lock.json").read_text())["packages"]
    manifest = json.loads((ui / "package.json").read_text())
    roots = list(manifest.get("dependencies", {})) + BUNDLED_DEV
    seen, out = set(), []

    def resolve(name, under):
        # Node's lookup: the nearest node_modules up from the requiring package.
        base = under
        while True:
            key = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
            if key in lock:
                return key
            if not base:
                return None
            base = base.rsplit("/node_modules/", 1)[0] if "/node_modules/" in base else ""

    todo = [resolve(n, "") for n in roots]
    while todo:
        key = todo.pop()
        if key is None or key in seen:
            continue
        seen.add(key)
        entry = lock[key]
        if entry.get("link"):
            # A local stand-in (ui/vendor): the project's own code, not a third party's.
            continue
        name = key.rsplit("node_modules/", 1)[1]
        repo = entry.get("repository")
        out.append(("npm", name, entry.get("version", ""), entry.get("license") or "unknown", repo))
        for dep in list(entry.get("dependencies", {})) + list(entry.get("peerDependencies", {})):
            if dep in entry.get("peerDependenciesMeta", {}) and entry["peerDependenciesMeta"][dep].get("optional"):
                continue
            todo.append(resolve(dep, key))
    return out


def render():
    rows = sorted(set(crates())) + sorted(set(npm()))
    items = [
        json.dumps(
            {"source": s, "name": n, "version": v, "licence": lic, "repository": r},
            ensure_ascii=False,
            separators=(", ", ": "),
        )
        for s, n, v, lic, r in rows
    ]
    return "[\n" + ",\n".join(items) + "\n]\n"


def main():
    text = render()
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            print("data/licences.json is stale: run python3 scripts/gen_licences.py and commit it", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text)


if __name__ == "__main__":
    main()
