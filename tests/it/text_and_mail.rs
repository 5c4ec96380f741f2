//! Text that comes from outside, on its way out: requester data printed by the CLI cannot drive the terminal
//! (escape sequences, C1 controls, bidi overrides are shown neutralised; `--json` stays exact); an SMTP password
//! is never sent in clear unless the officer allowed it (checked in the core, against a real aiosmtpd server that
//! offers AUTH on a plain connection); every value that ends up in a mail header is one line, and a bad one
//! stored earlier cannot make sending panic. Needs Debian's python3-aiosmtpd and the sqlite3 shell.

use crate::support::{self, Register};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-03-20";

/// Characters that must never reach the terminal raw (out.rs's list).
fn drives_terminal(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_terminal_safe(what: &str, text: &str) {
    assert!(!text.chars().any(drives_terminal), "{what} carries raw control characters: {text:?}");
}

fn register() -> Register {
    let reg = Register::new(TODAY);
    reg.organisation(&[("--name", "Acme Ltd"), ("--email", "privacy@acme.test")]);
    reg
}

fn add(reg: &Register, name: &str, email: &str, extra: &[&str]) -> String {
    reg.request().kind("access").gdpr("DE-BE").received("2026-03-02").who(name, email).args(extra).add()
}

/// Change a stored setting behind the app's back, as a register written by an older version could hold it.
fn sql(reg: &Register, statement: &str) {
    let out = Command::new("sqlite3").arg(&reg.db).arg(statement).output().expect("the sqlite3 shell");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn smtp(reg: &Register, port: u16, extra: &[&str]) -> support::Run {
    let port = port.to_string();
    let mut args = vec!["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--json"];
    args.extend_from_slice(extra);
    reg.run(&args)
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
    let json = support::run(&["intake", "email", file, "--json"]);
    assert_eq!(json.json()["name"].as_str(), Some(HOSTILE_NAME), "JSON is the exact value");
    let text = support::run(&["intake", "email", file]);
    text.ok();
    assert_terminal_safe("intake email", &text.stdout);
    assert!(text.stdout.contains("Eve\u{fffd}]0;owned\u{fffd}\u{fffd}[2J"), "shown, neutralised: {}", text.stdout);
    assert!(text.stdout.contains("Access \u{fffd}[8mhidden"), "{}", text.stdout);
}

#[test]
fn a_requesters_bidi_override_is_shown_neutralised() {
    let reg = register();
    // Intake refuses control characters in a name, but not the bidi formatting characters Arabic or Hebrew use.
    let name = "Eve \u{202e}fdp.exe\u{202c} Doe";
    let reference = add(&reg, name, "eve@example.org", &[]);
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
    let reg = register();
    let csv = reg.path("in.csv");
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

// --- 10. Plaintext passwords -----------------------------------------------------------------------------------

/// aiosmtpd offering AUTH on a plain connection (tests/fixtures/smtp_auth_sink.py): what a careless relay does.
struct AuthServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl AuthServer {
    fn start(dir: &Path) -> AuthServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let sink = dir.join("auth-sink");
        std::fs::create_dir_all(&sink).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_auth_sink.py");
        let child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(port.to_string())
            .env("SINK_DIR", &sink)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd (apt install python3-aiosmtpd)");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        AuthServer { child, port, dir: sink }
    }

    fn logins(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("auth.log")).unwrap_or_default().lines().map(String::from).collect()
    }

    fn messages(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("eml".as_ref()))
            .count()
    }
}

#[test]
fn a_password_goes_over_a_plain_connection_only_when_the_officer_allowed_it() {
    let reg = register();
    let server = AuthServer::start(reg.dir());
    let password = [("RIGHTSDESK_SMTP_PASSWORD", "s3cret-pw")];

    // Refused at save, and nothing is stored.
    smtp(&reg, server.port, &["--security", "none", "--username", "dpo"]).assert_error("--allow-plaintext-password");
    let stored = reg.run(&["mail", "test"]);
    stored.assert_error("no SMTP server set");
    // A local relay without a login needs no permission; a login over TLS neither.
    let relay = smtp(&reg, server.port, &["--security", "none"]).json();
    assert_eq!(relay["allow_plaintext_password"].as_bool(), Some(false));

    // Allowed explicitly: stored with the settings, and the server really sees the password.
    let allowed =
        smtp(&reg, server.port, &["--security", "none", "--username", "dpo", "--allow-plaintext-password"]).json();
    assert_eq!(allowed["allow_plaintext_password"].as_bool(), Some(true));
    let reference = add(&reg, "Eve Doe", "eve@example.org", &[]);
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement"]).ok();
    let flushed = reg.run_env(&["mail", "flush", "--json"], &password).json();
    assert_eq!(flushed["sent"].as_u64(), Some(1), "{flushed}");
    assert_eq!(server.logins(), ["PLAIN dpo s3cret-pw"], "what the permission allows: the password in clear");

    // The core checks it on every send, not only the CLI at save: a register whose permission is gone (set by an
    // older version, or edited) does not send the password, and says why.
    sql(&reg, "DELETE FROM settings WHERE key = 'smtp.allow_plaintext_password'");
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement"]).ok();
    let refused = reg.run_env(&["mail", "flush"], &password);
    refused.assert_error("--allow-plaintext-password");
    reg.run_env(&["mail", "test"], &password).assert_error("--allow-plaintext-password");
    assert_eq!(server.logins().len(), 1, "no second login in clear");
    assert_eq!(server.messages(), 1);
}

// --- 11. Header values -----------------------------------------------------------------------------------------

#[test]
fn every_value_bound_for_a_mail_header_is_one_line() {
    let reg = register();
    for name in ["Acme\nBcc: attacker@evil.test", "Acme\r\nLtd", "Acme\u{85}Ltd", "Acme\u{2028}Ltd"] {
        reg.run(&["settings", "organisation", "--name", name]).assert_error("name");
    }
    assert_eq!(reg.run(&["settings", "organisation", "--json"]).json()["name"].as_str(), Some("Acme Ltd"));
    let body = reg.path("body.txt");
    std::fs::write(&body, "Dear {{ requester.name }},\n\nWe received your request {{ request.reference }}.\n").unwrap();
    let save = |subject: &str| {
        reg.run(&[
            "template",
            "save",
            "--template",
            "acknowledgement",
            "--lang",
            "en",
            "--subject",
            subject,
            "--body-file",
            body.to_str().unwrap(),
        ])
    };
    save("Your request\r\nBcc: attacker@evil.test").assert_error("subject");
    save("Your request\u{b}{{ request.reference }}").assert_error("subject");
    let server = support::smtp::start(reg.dir(), "", None);
    smtp(&reg, server.port, &["--security", "none", "--from", "x@acme.test\r\nBcc: attacker@evil.test"])
        .assert_error("from");
}

#[test]
fn a_line_break_stored_in_the_organisation_name_cannot_make_sending_panic() {
    let reg = register();
    let server = support::smtp::start(reg.dir(), "", None);
    smtp(&reg, server.port, &["--security", "none"]).ok();
    let reference = add(&reg, "Eve Doe", "eve@example.org", &[]);
    // What an older version accepted: the name with a line break and a header after it.
    sql(&reg, "UPDATE settings SET value = 'Acme' || char(13, 10) || 'Bcc: attacker@evil.test' WHERE key = 'org.name'");
    let queued = reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--json"]);
    assert_ne!(queued.code, 101, "a panic: {}", queued.stderr);
    let queued = queued.json();
    assert!(queued["message_id"].as_str().is_some(), "{queued}");
    let flushed = reg.run(&["mail", "flush", "--json"]).json();
    assert_eq!(flushed["sent"].as_u64(), Some(1), "{flushed}");
    let got = support::smtp::received(&server);
    let parsed = mail_parser::MessageParser::default().parse(got[0].0.as_bytes()).unwrap();
    assert!(parsed.bcc().is_none(), "no header injected through the organisation's name");
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some("privacy@acme.test"));
    assert_eq!(from.name(), Some("Acme Bcc: attacker@evil.test"), "the name on one line");
    assert!(got[0].1.lines().all(|l| !l.contains("evil")), "envelope: {}", got[0].1);
}
