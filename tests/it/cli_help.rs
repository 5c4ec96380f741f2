//! What a new officer meets first (issue 19): a bare `rightsdesk` shows the commands, and the shell completions and
//! man pages come from the binary itself — none of which opens or makes a register.

use std::path::Path;
use std::process::Command;

use crate::support::{Register, run_db};

/// Whether `program` can be run here (the syntax checks use the shells and `man` that are installed).
fn installed(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn a_bare_command_prints_its_help_and_succeeds() {
    let reg = Register::new("2026-11-22");
    let bare = run_db(&reg.db, &[]);
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    assert!(bare.stderr.is_empty(), "{}", bare.stderr);
    assert!(bare.stdout.starts_with("Data-subject rights requests"), "{}", bare.stdout);
    for needle in
        ["Usage: rightsdesk [OPTIONS] <COMMAND>", "Commands:", "request", "completions", "man", "--db <PATH|URL>"]
    {
        assert!(bare.stdout.contains(needle), "{needle:?} not in {}", bare.stdout);
    }

    let group = run_db(&reg.db, &["request"]);
    assert_eq!(group.code, 0, "{}", group.stderr);
    assert!(group.stdout.contains("Usage: rightsdesk request [OPTIONS] <COMMAND>"), "{}", group.stdout);
    assert!(group.stdout.contains("add") && group.stdout.contains("list"), "{}", group.stdout);
    let nested = run_db(&reg.db, &["audit", "key"]);
    assert_eq!(nested.code, 0, "{}", nested.stderr);
    assert!(nested.stdout.contains("Usage: rightsdesk audit key"), "{}", nested.stdout);

    // Asking what there is is not a use of the register.
    assert!(!reg.db.exists(), "a bare command made the register");
    // A wrong command is still an error, on one line.
    run_db(&reg.db, &["requets"]).assert_error("unrecognized subcommand 'requets'");
}

#[test]
fn completions_for_each_shell_are_scripts_that_parse() {
    let reg = Register::new("2026-11-22");
    let script = |shell: &str| {
        let run = run_db(&reg.db, &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("request") && run.stdout.contains("regime"), "{shell}: no commands in it");
        let path = reg.path(format!("rightsdesk.{shell}"));
        std::fs::write(&path, &run.stdout).unwrap();
        path
    };
    let bash = script("bash");
    let check = Command::new("bash").arg("-n").arg(&bash).output().unwrap();
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
    let zsh = script("zsh");
    assert!(std::fs::read_to_string(&zsh).unwrap().starts_with("#compdef rightsdesk"));
    if installed("zsh") {
        let check = Command::new("zsh").arg("-n").arg(&zsh).output().unwrap();
        assert!(check.status.success(), "zsh -n: {}", String::from_utf8_lossy(&check.stderr));
    }
    let fish = script("fish");
    assert!(std::fs::read_to_string(&fish).unwrap().contains("complete -c rightsdesk"));
    if installed("fish") {
        let check = Command::new("fish").arg("--no-execute").arg(&fish).output().unwrap();
        assert!(check.status.success(), "fish --no-execute: {}", String::from_utf8_lossy(&check.stderr));
    }
    script("elvish");
    script("powershell");

    run_db(&reg.db, &["completions", "tcsh"]).assert_error("invalid value 'tcsh'");
    assert!(!reg.db.exists(), "completions made the register");
}

/// Each file in `dir` with its content, sorted by name.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn man_pages_are_written_once_per_command_and_never_over_a_page_without_force() {
    let reg = Register::new("2026-11-22");
    let top = run_db(&reg.db, &["man"]);
    assert_eq!(top.code, 0, "{}", top.stderr);
    assert!(top.stdout.contains(".TH rightsdesk 1"), "{}", top.stdout);
    run_db(&reg.db, &["man", "--force"]).assert_error("--out <DIR>");

    // The folder is made if missing.
    let dir = reg.path("share/man/man1");
    let out = dir.to_str().unwrap();
    let written = run_db(&reg.db, &["man", "--out", out, "--json"]).json();
    let pages = written["pages"].as_array().unwrap();
    let names: Vec<String> = listing(&dir).into_iter().map(|(name, _)| name).collect();
    assert_eq!(pages.len(), names.len());
    for page in ["rightsdesk.1", "rightsdesk-request.1", "rightsdesk-request-add.1", "rightsdesk-audit-key-setup.1"] {
        assert!(names.iter().any(|n| n == page), "{page} not in {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("rightsdesk-help")), "clap's help command has no page: {names:?}");
    let man = installed("man");
    for name in &names {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let title = name.trim_end_matches(".1");
        assert!(text.contains(&format!(".TH {title} 1")), "{name}: {text}");
        if man {
            // man-db's own reader, with groff's warnings on: the page must render cleanly.
            let shown =
                Command::new("man").args(["--warnings", "-l"]).arg(&path).env("MANWIDTH", "80").output().unwrap();
            assert!(shown.status.success(), "man -l {name}: {}", String::from_utf8_lossy(&shown.stderr));
            assert!(shown.stderr.is_empty(), "man -l {name}: {}", String::from_utf8_lossy(&shown.stderr));
            assert!(String::from_utf8_lossy(&shown.stdout).contains("NAME"), "man -l {name}");
        }
    }

    // A second run without --force is refused before any page is written: an officer's edited page stays, a page
    // removed since is not put back.
    std::fs::write(dir.join("rightsdesk-request.1"), "mine").unwrap();
    std::fs::remove_file(dir.join("rightsdesk-man.1")).unwrap();
    let before = listing(&dir);
    run_db(&reg.db, &["man", "--out", out]).assert_error("rightsdesk.1 already exists");
    assert_eq!(listing(&dir), before, "a refused run changed the folder");

    let forced = run_db(&reg.db, &["man", "--out", out, "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(forced.stdout.starts_with(&format!("wrote {} man pages in ", names.len())), "{}", forced.stdout);
    let after = listing(&dir);
    assert_eq!(after.len(), names.len());
    let request = after.iter().find(|(n, _)| n == "rightsdesk-request.1").unwrap();
    assert!(String::from_utf8_lossy(&request.1).contains(".TH rightsdesk-request 1"));

    assert!(!reg.db.exists(), "man made the register");
}
