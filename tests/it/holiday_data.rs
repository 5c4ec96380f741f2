//! The shipped holiday tables are exactly what scripts/gen_holidays.py produces from the pinned `holidays` 0.109.
//! CI installs that library, so there the check always runs; elsewhere it says why it could not.

use std::path::Path;
use std::process::Command;

#[test]
fn shipped_tables_match_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("RIGHTSDESK_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import holidays; assert holidays.__version__ == '0.109'"]).status();
    if !matches!(probe, Ok(s) if s.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have `holidays` 0.109 for {python}: the data check cannot be skipped"
        );
        eprintln!("skipped: {python} has no holidays 0.109 (pip install holidays==0.109)");
        return;
    }
    let out = Command::new(&python).arg(root.join("scripts/gen_holidays.py")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shipped = std::fs::read_to_string(root.join("data/holidays.txt")).unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == shipped,
        "data/holidays.txt differs from the generator's output: regenerate it"
    );
}
