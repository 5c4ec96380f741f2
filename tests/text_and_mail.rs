//! Text that comes from outside, on its way out: requester data printed by the CLI cannot drive the terminal
//! (escape sequences, C1 controls, bidi overrides are shown neutralised; `--json` stays exact).

mod common;

use std::path::PathBuf;
use std::process::Command;

const TODAY: &str = "2026-03-20";

/// Characters that must never reach the terminal raw (out.rs's list).
fn drives_terminal(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_terminal_safe(what: &str, text: &str) {
    assert!(!text.chars().any(drives_terminal), "{what} carries raw control characters: {text:?}");
}

struct Reg {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Reg {
    fn new() -> Reg {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.sqlite3");
        let reg = Reg { dir, db };
        reg.run(&["settings", "organisation", "--name", "Acme Ltd", "--email", "privacy@acme.test"]).ok();
        reg
    }

    fn run(&self, args: &[&str]) -> common::Run {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> common::Run {
        let mut cmd = Command::new(common::bin());
        cmd.arg("--db").arg(&self.db).args(args).env("RIGHTSDESK_NOW", TODAY).env_remove("RIGHTSDESK_SMTP_PASSWORD");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        common::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn add(&self, name: &str, email: &str, extra: &[&str]) -> String {
        common::Gdpr { kind: "access", calendar: "DE-BE", received: "2026-03-02", name, email }
            .add(&self.db, TODAY, extra)
    }
}

// --- 7. Terminal escapes ---------------------------------------------------------------------------------------

const HOSTILE_NAME: &str = "Eve\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mRed\u{9b}1m \u{202e}fdp.exe\u{2066}";

#[test]
fn an_email_senders_name_cannot_drive_the_terminal_and_json_keeps_it_exact() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("in.eml");
    // RFC 2047 lets a From name carry any byte; mail-parser decodes it as sent.
    let encoded = format!("=?utf-8?B?{}?=", base64(HOSTILE_NAME.as_bytes()));
    std::fs::write(
        &eml,
        format!(
            "From: {encoded} <eve@example.org>\r\nTo: privacy@acme.test\r\nSubject: =?utf-8?B?{}?=\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMessage-ID: <a@b>\r\n\r\nPlease send me my data.\r\n",
            base64("Access \u{1b}[8mhidden".as_bytes())
        ),
    )
    .unwrap();
    let file = eml.to_str().unwrap();
    let json = common::run(&["intake", "email", file, "--json"]);
    assert_eq!(json.json()["name"].as_str(), Some(HOSTILE_NAME), "JSON is the exact value");
    let text = common::run(&["intake", "email", file]);
    text.ok();
    assert_terminal_safe("intake email", &text.stdout);
    assert!(text.stdout.contains("Eve\u{fffd}]0;owned\u{fffd}\u{fffd}[2J"), "shown, neutralised: {}", text.stdout);
    assert!(text.stdout.contains("Access \u{fffd}[8mhidden"), "{}", text.stdout);
}

#[test]
fn a_requesters_bidi_override_is_shown_neutralised() {
    let reg = Reg::new();
    // Intake refuses control characters in a name, but not the bidi formatting characters Arabic or Hebrew use.
    let name = "Eve \u{202e}fdp.exe\u{202c} Doe";
    let reference = reg.add(name, "eve@example.org", &[]);
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    assert_eq!(shown["requester"]["name"].as_str(), Some(name), "JSON is exact");
    for args in [vec!["request", "show", reference.as_str()], vec!["request", "list"]] {
        let run = reg.run(&args);
        run.ok();
        assert_terminal_safe(&args.join(" "), &run.stdout);
        assert!(run.stdout.contains("Eve \u{fffd}fdp.exe\u{fffd} Doe"), "{}", run.stdout);
    }
    // An error line names what was typed: neutralised too.
    let missing = reg.run(&["request", "show", "RD-\u{1b}[2J\u{202e}"]);
    missing.assert_error("RD-\u{fffd}[2J\u{fffd}");
    assert_terminal_safe("the error line", &missing.stderr);
}

#[test]
fn import_errors_show_hostile_cells_neutralised() {
    let reg = Reg::new();
    let csv = reg.dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "kind,regime,calendar,received,name,email\n\
         access,eu-gdpr,DE-BE,2026-03-02,Eve,\"\u{1b}]52;c;cm0gLXJmIH4=\u{7}@x.test\"\n",
    )
    .unwrap();
    let run = reg.run(&["import", csv.to_str().unwrap(), "--check"]);
    run.ok();
    assert!(run.stdout.contains("1 with errors"), "{}", run.stdout);
    assert_terminal_safe("import report", &run.stdout);
    assert!(run.stdout.contains("\u{fffd}]52;c;"), "{}", run.stdout);
    let json = reg.run(&["import", csv.to_str().unwrap(), "--check", "--json"]).json();
    assert_eq!(json["first_errors"][0]["value"].as_str(), Some("\u{1b}]52;c;cm0gLXJmIH4=\u{7}@x.test"));
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

