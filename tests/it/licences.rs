//! The About box's third-party licence list (data/licences.json) is generated, not edited: regenerated from
//! `cargo metadata` and ui/package-lock.json it must be the same, so a dependency added without it fails here.

use std::process::Command;

#[test]
fn the_shipped_licence_list_is_complete_and_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .args(["scripts/gen_licences.py", "--check"])
        .current_dir(root)
        .output()
        .expect("python3 on PATH");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
