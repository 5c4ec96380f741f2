//! Email through a real SMTP server on 127.0.0.1 (aiosmtpd, plain and STARTTLS with a test CA): the received
//! message is parsed and checked (recipients, subject, body, Message-ID); faults (a dropped connection, a
//! temporary and a permanent rejection) lose nothing and duplicate nothing. Needs Debian's python3-aiosmtpd.

use crate::support::{self, Register, make_ca};

use std::path::Path;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-03-20";

use crate::support::smtp::{received, start};

fn register() -> Register {
    let reg = Register::new(TODAY);
    reg.organisation(&[("--name", "Acme Ltd"), ("--email", "privacy@acme.test"), ("--signature", "Dana Scully, DPO")]);
    reg
}

/// Log a request (`who` = name, email; `extra` = more `request add` options); its reference.
fn add(
    reg: &Register,
    kind: &str,
    regime: &str,
    calendar: &str,
    received: &str,
    who: (&str, &str),
    extra: &[&str],
) -> String {
    let request = reg.request().kind(kind).regime(regime).calendar(calendar).received(received);
    request.who(who.0, who.1).args(extra).add()
}

fn refused_request(reg: &Register, name: &str, email: &str) -> String {
    let reference = add(reg, "erasure", "uk-gdpr", "GB-ENG", "2026-03-02", (name, email), &[]);
    reg.run(&[
        "request",
        "status",
        &reference,
        "refused",
        "--category",
        "manifestly-unfounded",
        "--reason",
        "The request states it is meant to disrupt our service.",
    ])
    .ok();
    reference
}

#[test]
fn a_refusal_reaches_the_requester_through_a_plain_smtp_server() {
    let reg = register();
    let server = start(reg.dir(), "", None);
    // A line break in a name is refused at intake; quotes, commas and brackets are encoded, never a header.
    reg.run(&[
        "request",
        "add",
        "--kind",
        "access",
        "--regime",
        "uk-gdpr",
        "--calendar",
        "GB-ENG",
        "--received",
        "2026-03-02",
        "--name",
        "Eve\r\nBcc: attacker@evil.test",
    ])
    .assert_error("one line");
    let reference = refused_request(&reg, "Eve \"Boss\" <x@y>, Bcc: attacker@evil.test", "eve@example.org");
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let queued = reg.run(&["mail", "send", &reference, "--template", "refusal", "--json"]).json();
    let message_id = queued["message_id"].as_str().unwrap().to_string();
    assert!(message_id.ends_with("@acme.test>"));
    let flushed = reg.run(&["mail", "flush", "--json"]).json();
    assert_eq!((flushed["sent"].as_u64(), flushed["undelivered"].as_u64()), (Some(1), Some(0)));

    let got = received(&server);
    assert_eq!(got.len(), 1);
    let (eml, rcpt) = &got[0];
    assert_eq!(rcpt.lines().collect::<Vec<_>>(), ["eve@example.org", "privacy@acme.test"], "envelope: to, then from");
    let parsed = mail_parser::MessageParser::default().parse(eml.as_bytes()).unwrap();
    assert_eq!(parsed.message_id(), Some(message_id.trim_matches(|c| c == '<' || c == '>')));
    assert_eq!(parsed.subject(), Some(format!("Your request — our answer ({reference})").as_str()));
    assert_eq!(parsed.to().unwrap().first().unwrap().address(), Some("eve@example.org"));
    assert!(parsed.bcc().is_none(), "no header injected from the requester's name");
    let body = parsed.body_text(0).unwrap();
    assert!(body.contains("meant to disrupt"), "{body}");
    assert!(body.contains("Information Commissioner's Office") && body.contains("Wilmslow"), "{body}");
    assert!(body.contains("judicial remedy"), "{body}");

    // The timeline has the exact message, attached.
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    let last = shown["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["data"]["message_id"].as_str()),
        (Some("response_sent"), Some(message_id.as_str()))
    );
    let eml_attachment = shown["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["file_name"].as_str().unwrap().ends_with(".eml"))
        .unwrap();
    let stored = std::fs::read_to_string(
        reg.files_dir().join("attachments").join(eml_attachment["stored_name"].as_str().unwrap()),
    )
    .unwrap();
    assert_eq!(
        stored.replace("\r\n", "\n").trim(),
        eml.replace("\r\n", "\n").trim(),
        "the stored .eml is what was sent"
    );

    // Nothing is sent twice.
    let again = reg.run(&["mail", "flush", "--json"]).json();
    assert_eq!(again["sent"], 0);
    assert_eq!(received(&server).len(), 1);
}

#[test]
fn a_response_lacking_what_the_law_requires_is_refused() {
    let reg = register();
    let reference = &add(&reg, "access", "eu-gdpr", "FR", "2026-03-02", ("Pat", "pat@example.org"), &[]);
    // No refusal recorded: no reasons to give.
    reg.run(&["mail", "send", reference, "--template", "refusal"]).assert_error("The reasons for the refusal: not set");
    // The access answer needs the Art 15(1) information.
    reg.run(&["mail", "send", reference, "--template", "fulfilment"]).assert_error("The purposes");
    reg.run(&["mail", "send", reference, "--template", "identity-request"])
        .assert_error("What is asked of the requester");
    // A template edited to drop the authority is caught when sending.
    let body = reg.path("body.txt");
    std::fs::write(&body, "Dear {{ requester.name }},\n\nNo.\n\n{{ refusal.reasons }}\n{{ remedy }}\n{{ org.name }}\n")
        .unwrap();
    reg.run(&[
        "template",
        "save",
        "--template",
        "refusal",
        "--lang",
        "en",
        "--subject",
        "No",
        "--body-file",
        body.to_str().unwrap(),
    ])
    .ok();
    reg.run(&[
        "request",
        "status",
        reference,
        "refused",
        "--category",
        "excessive",
        "--reason",
        "Fifth identical request this month.",
    ])
    .ok();
    reg.run(&["mail", "send", reference, "--template", "refusal"])
        .assert_error("supervisory authority's name: the template does not include it");
    // Unknown variables and broken syntax are refused on save.
    std::fs::write(&body, "Dear {{ requester.nmae }}").unwrap();
    reg.run(&[
        "template",
        "save",
        "--template",
        "refusal",
        "--lang",
        "en",
        "--subject",
        "x",
        "--body-file",
        body.to_str().unwrap(),
    ])
    .assert_error("unknown variable(s): requester.nmae");
    std::fs::write(&body, "Dear {% if %}").unwrap();
    reg.run(&[
        "template",
        "save",
        "--template",
        "refusal",
        "--lang",
        "en",
        "--subject",
        "x",
        "--body-file",
        body.to_str().unwrap(),
    ])
    .assert_error("does not parse");
    assert_eq!(reg.run(&["mail", "outbox", "--json"]).json().as_array().unwrap().len(), 0, "nothing was queued");
}

#[test]
fn faults_lose_nothing_and_duplicate_nothing() {
    let reg = register();
    // First DATA: connection dropped; second: try later; third: accepted; fourth (another message): rejected.
    let server = start(reg.dir(), "drop,451,ok,550", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let a = refused_request(&reg, "Ann", "ann@example.org");
    reg.run(&["mail", "send", &a, "--template", "refusal"]).ok();
    let later = |minutes: i64| {
        let t = time::macros::datetime!(2026-03-20 12:00 UTC) + time::Duration::minutes(minutes);
        t.format(&time::format_description::well_known::Rfc3339).unwrap()
    };
    // The background delivery (`--due-only`) keeps the back-off; the officer's flush tries now.
    let flush = |at: &str| support::run_now(&reg.db, at, &["mail", "flush", "--due-only", "--json"]);
    let first = flush(&later(0));
    assert_eq!(first.code, 3, "undelivered: non-zero exit");
    let v: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!((v["retrying"].as_u64(), v["undelivered"].as_u64()), (Some(1), Some(1)));
    // Not due again before the backoff.
    let v: serde_json::Value = serde_json::from_str(&flush(&later(1)).stdout).unwrap();
    assert_eq!((v["sent"].as_u64(), v["retrying"].as_u64()), (Some(0), Some(0)));
    let now = |at: &str| support::run_now(&reg.db, at, &["mail", "flush", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&now(&later(1)).stdout).unwrap();
    assert_eq!(v["retrying"], 1, "the officer's flush tries at once: 451, tried again later");
    assert!(v["errors"][0].as_str().unwrap().contains("451"), "{v}");
    let v = now(&later(1)).json();
    assert_eq!((v["sent"].as_u64(), v["undelivered"].as_u64()), (Some(1), Some(0)), "and again at once: accepted");
    assert_eq!(received(&server).len(), 1, "delivered once");

    let b = refused_request(&reg, "Bo", "bo@example.org");
    reg.run(&["mail", "send", &b, "--template", "refusal"]).ok();
    let rejected = support::run_now(&reg.db, &later(20), &["mail", "flush", "--json"]);
    assert_eq!(rejected.code, 3);
    let v: serde_json::Value = serde_json::from_str(&rejected.stdout).unwrap();
    assert_eq!(v["failed"], 1, "550: given up at once");
    let outbox = reg.run(&["mail", "outbox", "--json"]).json();
    let states: Vec<(&str, u64)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["state"].as_str().unwrap(), i["attempts"].as_u64().unwrap()))
        .collect();
    assert_eq!(states, [("failed", 1), ("sent", 3)]);
    assert_eq!(received(&server).len(), 1);
    // A message given up on is not sent again by a flush: that takes the officer's retry.
    let v: serde_json::Value =
        serde_json::from_str(&support::run_now(&reg.db, &later(21), &["mail", "flush", "--json"]).stdout).unwrap();
    assert_eq!((v["sent"].as_u64(), v["failed"].as_u64(), v["undelivered"].as_u64()), (Some(0), Some(0), Some(1)));

    // The officer fixes the address problem and sends the failed message again, as the window's "Retry" does.
    let failed_id = outbox[0]["id"].as_str().unwrap();
    let sent_id = outbox[1]["id"].as_str().unwrap();
    let again = reg.run(&["mail", "retry", sent_id]);
    again.assert_error("not failed");
    assert_eq!(again.code, 1, "a refusal, not bad input");
    reg.run(&["mail", "retry", "no-such-message"]).assert_error("no message 'no-such-message'");
    let retried = reg.run(&["mail", "retry", failed_id, "--json"]).json();
    assert_eq!(retried["state"], "queued");
    let v = support::run_now(&reg.db, &later(30), &["mail", "flush", "--json"]).json();
    assert_eq!(v["sent"], 1);
    assert_eq!(received(&server).len(), 2, "the retried message delivered once");
}

#[test]
fn starttls_with_the_organisations_own_ca() {
    let reg = register();
    let (ca, cert, key) = make_ca(reg.dir());
    let server = start(reg.dir(), "", Some((&cert, &key)));
    let port = server.port.to_string();
    // Without the CA the certificate is not trusted: said so, nothing lost.
    reg.run(&["settings", "smtp", "--host", "localhost", "--port", &port, "--security", "starttls"]).ok();
    reg.run(&["mail", "test"]).assert_error("TLS");
    let r = refused_request(&reg, "Cy", "cy@example.org");
    reg.run(&["mail", "send", &r, "--template", "refusal"]).ok();
    let failed = reg.run(&["mail", "flush", "--json"]);
    assert_eq!(failed.code, 3);
    reg.run(&[
        "settings",
        "smtp",
        "--host",
        "localhost",
        "--port",
        &port,
        "--security",
        "starttls",
        "--ca-file",
        ca.to_str().unwrap(),
    ])
    .ok();
    assert!(reg.run(&["mail", "test"]).stdout.contains("connected to localhost"));
    let later = "2026-03-20T13:00:00Z";
    let v = support::run_now(&reg.db, later, &["mail", "flush", "--json"]).json();
    assert_eq!((v["sent"].as_u64(), v["undelivered"].as_u64()), (Some(1), Some(0)));
    let got = received(&server);
    assert_eq!(got.len(), 1);
    assert!(got[0].0.contains(&r));
    reg.run(&["settings", "smtp", "--host", "localhost", "--port", "0", "--security", "starttls"]).assert_error("port");
    reg.run(&["settings", "smtp", "--host", "localhost", "--port", &port, "--security", "ssl3"])
        .assert_error("unknown security");
}

#[test]
fn asking_for_identity_and_closing_unverified_send_their_emails() {
    let reg = register();
    let server = start(reg.dir(), "", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let reference = add(&reg, "access", "uk-gdpr", "GB-ENG", "2026-02-02", ("Ivy", "ivy@example.org"), &[]);
    // Without saying what is asked for, nothing is written.
    reg.run(&["request", "ask-identity", &reference, "--on", "2026-02-03", "--send"])
        .assert_error("What is asked of the requester");
    assert_eq!(reg.run(&["request", "show", &reference, "--json"]).json()["status"], "received");
    let v = reg
        .run(&[
            "request",
            "ask-identity",
            &reference,
            "--on",
            "2026-02-03",
            "--note",
            "The postcode on your account",
            "--send",
            "--json",
        ])
        .json();
    assert_eq!(v["status"], "awaiting-identity");
    let v = reg.run(&["request", "close-unverified", &reference, "--send", "--json"]).json();
    assert_eq!(v["refusal_category"], "identity-not-verified");
    reg.run(&["mail", "flush"]).ok();
    let got = received(&server);
    assert_eq!(got.len(), 2);
    let asking = mail_parser::MessageParser::default().parse(got[0].0.as_bytes()).unwrap();
    let text = asking.body_text(0).unwrap();
    assert!(text.contains("The postcode on your account"), "{text}");
    assert!(text.contains("The period for our answer starts when we receive it"), "UK: the clock waits: {text}");
    let closing = mail_parser::MessageParser::default().parse(got[1].0.as_bytes()).unwrap();
    assert!(closing.subject().unwrap().starts_with("We could not confirm your identity"));
    assert!(closing.body_text(0).unwrap().contains("Information Commissioner's Office"));
}

#[test]
fn the_smtp_password_goes_to_the_os_keyring_or_is_refused_never_to_the_database() {
    use std::io::Write;
    let reg = register();
    let mut child = support::command()
        .args(["--db", reg.db.to_str().unwrap(), "settings", "smtp", "--host", "127.0.0.1", "--port", "2525"])
        .args(["--security", "starttls", "--username", "dpo", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s3cret-pass\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        eprintln!("this machine has an OS keyring: the password was stored there");
    } else {
        assert!(stderr.contains("no OS keyring"), "a clear message: {stderr}");
        // Nothing half-done: the server settings were not saved either.
        let settings = reg.run(&["mail", "test"]);
        settings.assert_error("no SMTP server set");
    }
    for entry in std::fs::read_dir(reg.dir()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(11).any(|w| w == b"s3cret-pass"), "the password is in no file of the register");
    }
}

#[test]
fn a_letter_is_a_pdf_kept_with_the_request_and_can_go_with_the_email() {
    let reg = register();
    let server = start(reg.dir(), "", None);
    let logo = reg.path("logo.png");
    let made = Command::new("convert").args(["-size", "240x90", "xc:#0f4c5c", logo.to_str().unwrap()]).status();
    assert!(made.expect("imagemagick's convert").success());
    reg.run(&["settings", "organisation", "--logo", reg.path("letter.pdf").to_str().unwrap()]).assert_error("logo");
    reg.run(&[
        "settings",
        "organisation",
        "--address",
        "1 Long Lane\nLondon EC1A 1AA",
        "--logo",
        logo.to_str().unwrap(),
    ])
    .ok();
    // The logo is kept beside the database: letters keep it after the original file is gone.
    std::fs::remove_file(&logo).unwrap();
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let reference = add(
        &reg,
        "erasure",
        "uk-gdpr",
        "GB-ENG",
        "2026-03-02",
        ("Zoë Löwe", "zoe@example.org"),
        &["--address", "2 Short Street\nLeeds LS1 1AA"],
    );
    reg.run(&[
        "request",
        "status",
        &reference,
        "refused",
        "--category",
        "excessive",
        "--reason",
        "Fourth identical request this month.",
    ])
    .ok();
    let pdf = reg.path("letter.pdf");
    reg.run(&["template", "letter", &reference, "--template", "refusal", "--out", pdf.to_str().unwrap()]).ok();
    // Read it as a person would: its text, and its first page as an image (kept in e2e-artifacts/ to look at).
    let text =
        Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in
        ["Acme Ltd", "Zoë Löwe", "2 Short Street", "Fourth identical request", "Wycliffe House", "judicial remedy"]
    {
        assert!(text.contains(needle), "{needle} missing from the letter: {text}");
    }
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e-artifacts");
    std::fs::create_dir_all(&shots).unwrap();
    let png = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", pdf.to_str().unwrap(), shots.join("letter").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(png.success());
    let images = Command::new("pdfimages").args(["-list", pdf.to_str().unwrap()]).output().unwrap();
    let listed = String::from_utf8_lossy(&images.stdout);
    assert_eq!(listed.lines().count(), 3, "one image, the logo: {listed}");
    assert!(listed.contains("240    90"), "{listed}");
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    assert!(shown["attachments"][0]["file_name"].as_str().unwrap().ends_with("-refusal-en.pdf"));

    reg.run(&["mail", "send", &reference, "--template", "refusal", "--letter"]).ok();
    reg.run(&["mail", "flush"]).ok();
    let got = received(&server);
    let parsed = mail_parser::MessageParser::default().parse(got[0].0.as_bytes()).unwrap();
    let attachment = parsed.attachments().next().expect("the letter is attached");
    assert!(attachment.contents().starts_with(b"%PDF"));
    assert!(parsed.body_text(0).unwrap().contains("Fourth identical request"));
}

#[test]
fn a_message_left_sending_by_a_crash_is_delivered_once_on_the_next_run() {
    let reg = register();
    let server = start(reg.dir(), "", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let r = refused_request(&reg, "Kai", "kai@example.org");
    let queued = reg.run(&["mail", "send", &r, "--template", "refusal", "--json"]).json();
    // The state a `kill -9` between claiming the message and the server's answer leaves behind.
    let conn = rusqlite::Connection::open(&reg.db).unwrap();
    conn.execute("UPDATE outbox SET state = 'sending', attempts = 1", []).unwrap();
    drop(conn);
    let v = reg.run(&["mail", "flush", "--json"]).json();
    assert_eq!((v["sent"].as_u64(), v["undelivered"].as_u64()), (Some(1), Some(0)));
    let got = received(&server);
    assert_eq!(got.len(), 1);
    assert!(got[0].0.contains(queued["message_id"].as_str().unwrap()), "the Message-ID fixed before the first attempt");
    reg.run(&["mail", "flush"]).ok();
    assert_eq!(received(&server).len(), 1, "never twice once accepted");
}

#[test]
fn the_organisations_own_authority_wins_and_unchecked_addresses_are_flagged() {
    let reg = register();
    let add = |calendar: &str| {
        let reference = add(&reg, "erasure", "eu-gdpr", calendar, "2026-03-02", ("Pat", "pat@example.org"), &[]);
        reg.run(&["request", "status", &reference, "refused", "--category", "excessive", "--reason", "Fifth."]).ok();
        reference
    };
    let preview = |reference: &str| reg.run(&["template", "preview", reference, "--template", "refusal", "--json"]);

    // A Land the directory covers, checked against a maintained list: named, nothing to check.
    let lower_saxony = add("DE-NI");
    let shown = preview(&lower_saxony).json();
    assert!(shown["body"].as_str().unwrap().contains("Postfach 221, 30002 Hannover"), "{shown}");
    assert_eq!(shown["warnings"].as_array().unwrap().len(), 0, "{shown}");

    // An address known only from memory is named but flagged for checking.
    let croatia = add("HR");
    let shown = preview(&croatia).json();
    let warning = shown["warnings"][0].as_str().unwrap();
    assert!(warning.contains("Selska cesta 136") && warning.contains("https://azop.hr"), "{warning}");
    let text = reg.run(&["template", "preview", &croatia, "--template", "refusal"]).stdout;
    assert!(text.contains("! check — The address of"), "{text}");

    // The organisation's own authority (its lead authority) wins for every request of the regime.
    reg.run(&["settings", "authority", "--regime", "eu-gdpr", "--name", "Datatilsynet"]).assert_error("address");
    reg.run(&[
        "settings",
        "authority",
        "--regime",
        "eu-gdpr",
        "--name",
        "Data Protection Commission",
        "--address",
        "6 Pembroke Row, Dublin 2, D02 X963, Ireland",
        "--website",
        "https://www.dataprotection.ie",
    ])
    .ok();
    for reference in [&lower_saxony, &croatia] {
        let shown = preview(reference).json();
        assert!(shown["body"].as_str().unwrap().contains("6 Pembroke Row"), "{shown}");
        assert_eq!(shown["warnings"].as_array().unwrap().len(), 0);
    }
    let listed = reg.run(&["settings", "authority", "--regime", "eu-gdpr", "--json"]).json();
    assert_eq!(listed["own"]["name"], "Data Protection Commission");
    assert!(listed["directory"].as_array().unwrap().len() > 40);

    // Cleared: back to the directory.
    reg.run(&["settings", "authority", "--regime", "eu-gdpr", "--clear"]).ok();
    assert!(preview(&croatia).json()["body"].as_str().unwrap().contains("Selska cesta 136"));
    reg.run(&["settings", "authority", "--regime", "xx-nowhere", "--clear"]).assert_error("regime");
}

#[test]
fn an_evidence_pack_holds_what_was_sent_and_an_audit_trail_anyone_can_recompute() {
    let reg = register();
    let server = start(reg.dir(), "", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let refused = refused_request(&reg, "Eve Example", "eve@example.org");
    reg.run(&["mail", "send", &refused, "--template", "refusal"]).ok();
    reg.run(&["mail", "flush"]).ok();
    reg.run(&["template", "letter", &refused, "--template", "refusal"]).ok();
    let scan = reg.path("scan.pdf");
    std::fs::write(&scan, b"%PDF-1.4 a scanned letter").unwrap();
    reg.run(&["request", "attach", &refused, scan.to_str().unwrap(), "--name", "scan-of-id.pdf"]).ok(); // not correspondence
    let other = add(&reg, "access", "uk-gdpr", "GB-ENG", "2026-03-03", ("Sam", "sam@example.org"), &[]);
    let unrelated = add(&reg, "access", "uk-gdpr", "GB-ENG", "2026-03-04", ("Kim", "kim@example.org"), &[]);

    let out = reg.path("pack.zip");
    let pack = reg
        .run(&[
            "export",
            "evidence",
            "--request",
            &refused,
            "--request",
            &other,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!((pack["requests"].as_u64(), pack["correspondence"].as_u64()), (Some(2), Some(2)));
    assert_eq!(pack["chain_ok"], true);

    let into = reg.path("pack");
    std::fs::create_dir_all(&into).unwrap();
    let unzip = Command::new("unzip").arg("-q").arg(&out).current_dir(&into).output().unwrap();
    assert!(unzip.status.success(), "{}", String::from_utf8_lossy(&unzip.stderr));
    // Every file is in the manifest with the right checksum (sha256sum, as a person would check).
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(into.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let mut sums = String::new();
    for f in files {
        sums.push_str(&format!("{}  {}\n", f["sha256"].as_str().unwrap(), f["path"].as_str().unwrap()));
    }
    std::fs::write(reg.path("sums"), sums).unwrap();
    let check = Command::new("sha256sum").arg("-c").arg(reg.path("sums")).current_dir(&into).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for p in ["README.txt", "request-log.csv", "chain-check.json", "verify_chain.py"] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    let correspondence: Vec<&&str> = paths.iter().filter(|p| p.contains("/correspondence/")).collect();
    assert_eq!(correspondence.len(), 2, "{correspondence:?}");
    assert!(correspondence.iter().any(|p| p.ends_with(&format!("{refused}-refusal-en.pdf"))), "{correspondence:?}");
    let eml_path = correspondence.iter().find(|p| p.ends_with(".eml")).unwrap();
    let got = received(&server);
    let eml = std::fs::read_to_string(into.join(eml_path)).unwrap();
    assert_eq!(eml.replace("\r\n", "\n").trim(), got[0].0.replace("\r\n", "\n").trim(), "the .eml is what was sent");
    assert!(!paths.iter().any(|p| p.contains("scan-of-id")), "other attachments are listed, not included");
    assert!(!paths.iter().any(|p| p.contains(&unrelated)), "only the chosen requests");

    let log = std::fs::read_to_string(into.join("request-log.csv")).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(log.contains(&refused) && log.contains(&other) && !log.contains(&unrelated));
    assert!(!log.contains("Eve Example"), "no personal data in the log");

    // The pack's own script recomputes every hash; a changed event is caught.
    let verify = Command::new("python3").arg("verify_chain.py").current_dir(&into).output().unwrap();
    let said = String::from_utf8_lossy(&verify.stdout).into_owned();
    assert!(verify.status.success() && said.contains("all hashes recompute"), "{said}");
    let trail_path = into.join("requests").join(&refused).join("audit-trail.json");
    let trail = std::fs::read_to_string(&trail_path).unwrap();
    std::fs::write(&trail_path, trail.replacen("manifestly-unfounded", "excessive", 1)).unwrap();
    let verify = Command::new("python3").arg("verify_chain.py").current_dir(&into).output().unwrap();
    assert!(!verify.status.success(), "an edited event must fail: {}", String::from_utf8_lossy(&verify.stdout));
    let chain: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(into.join("chain-check.json")).unwrap()).unwrap();
    assert_eq!(chain["whole_chain"]["ok"], true);
    assert_eq!(chain["requests"][0]["ok"], true);

    // The requests' trails record the pack; by period works too, and bad choices are refused.
    let shown = reg.run(&["request", "show", &refused, "--json"]).json();
    assert!(
        shown["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "evidence_pack_made" && e["data"]["sha256"] == pack["sha256"])
    );
    let by_period = reg.path("period.zip");
    let p = reg
        .run(&[
            "export",
            "evidence",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--out",
            by_period.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(p["requests"], 3);
    reg.run(&[
        "export",
        "evidence",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--out",
        by_period.to_str().unwrap(),
    ])
    .assert_error("no request chosen");
    reg.run(&["export", "evidence", "--request", "RD-1999-0001", "--out", by_period.to_str().unwrap()])
        .assert_error("RD-1999-0001");
}

/// `7z x` of a ZIP into `into` (with its password, if any); whether it opened, and data.json's text.
fn open_zip(zip: &Path, into: &Path, password: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new("7z");
    cmd.args(["x", "-y", &format!("-o{}", into.display())]);
    // Without a password 7z must not wait for one on the terminal: an empty one fails an encrypted archive.
    cmd.arg(format!("-p{}", password.unwrap_or("")));
    let ok = cmd.arg(zip).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success();
    (ok, std::fs::read_to_string(into.join("data.json")).unwrap_or_default())
}

/// Every folder under `dir`, itself included.
fn folders(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(folders(&path));
        }
    }
    out
}

/// The names created in (or moved into) `dirs` while `during` ran, seen by Linux's inotify: a file that existed
/// for a moment only is caught too, which a listing before and after would miss.
fn created_during(dirs: &[std::path::PathBuf], during: impl FnOnce()) -> Vec<String> {
    use std::os::unix::ffi::OsStrExt;
    let header = std::mem::size_of::<libc::inotify_event>();
    // SAFETY: system calls on a descriptor made and closed here; events are read unaligned from a buffer that
    // outlives them, each within the length the kernel returned.
    unsafe {
        let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
        assert!(fd >= 0, "inotify");
        for dir in dirs {
            let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
            assert!(libc::inotify_add_watch(fd, c.as_ptr(), libc::IN_CREATE | libc::IN_MOVED_TO) >= 0);
        }
        during();
        let mut names = vec![];
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            if n <= 0 {
                break;
            }
            let mut at = 0;
            while at + header <= n as usize {
                let event: libc::inotify_event = std::ptr::read_unaligned(buf.as_ptr().add(at).cast());
                let name = &buf[at + header..at + header + event.len as usize];
                names.push(String::from_utf8_lossy(name).trim_end_matches('\0').to_string());
                at += header + event.len as usize;
            }
        }
        libc::close(fd);
        names
    }
}

#[test]
fn the_copy_of_the_data_goes_attached_or_encrypted_with_its_password_apart_and_the_email_says_which() {
    let reg = Register::new(TODAY);
    reg.organisation(&[
        ("--name", "Acme Ltd"),
        ("--address", "1 Main Street, Dublin"),
        ("--email", "privacy@acme.test"),
        ("--signature", "Dana Scully, DPO"),
        ("--purposes", "Running your account and orders"),
        ("--categories", "Identity, contact details, orders"),
        ("--recipients", "Our parcel carrier"),
        ("--retention", "Six years after the last order"),
        ("--source", "You, when you signed up"),
        ("--automated", "None"),
    ]);
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "Contact details"]).ok();
    let server = start(reg.dir(), "", None);
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &server.port.to_string(), "--security", "none"])
        .ok();
    let reference = add(&reg, "access", "eu-gdpr", "IE", "2026-03-02", ("Pat Example", "pat@example.org"), &[]);
    let disclose = ["request", "disclose", &reference, "--system", "CRM", "--category", "Contact details"];
    reg.run(&[&disclose[..], &["--label", "Phone", "--value", "+353 1 555 0199"]].concat()).ok();

    // Sent without its copy, the fulfilment would claim an attachment that is not there.
    reg.run(&["mail", "send", &reference, "--template", "fulfilment"]).assert_error("send-copy");
    reg.run(&["mail", "send-copy", &reference, "--copy", "by-pigeon"]).assert_error("one of");

    // The preview words the fulfilment as the chosen way will send it.
    let preview = |how: &str| reg.run(&["template", "preview", &reference, "--template", "fulfilment", "--copy", how]);
    assert!(preview("attached").stdout.contains(&format!("is attached ({reference}-personal-data.zip)")));
    assert!(preview("outside").stdout.contains("reaches you separately"));
    preview("by-pigeon").assert_error("one of");

    // Encrypted, the password in a second message that answers the first. The ZIP is built in memory: nothing is
    // written in the register's folders for it, not even for a moment.
    let files = reg.files_dir();
    let listing = || {
        let mut all = support::files_under(reg.dir());
        all.sort();
        all
    };
    let before = listing();
    let mut sent = serde_json::Value::Null;
    let created = created_during(&[folders(&files), vec![reg.dir().to_path_buf()]].concat(), || {
        sent = reg.run(&["mail", "send-copy", &reference, "--copy", "password-separately", "--json"]).json();
    });
    let db_files = |n: &String| n.starts_with("r.sqlite3");
    assert!(created.iter().all(db_files), "only the database's own files: {created:?}");
    assert_eq!(listing(), before, "no file left");
    assert!(sent["password"].is_null(), "emailed, not shown: {sent}");
    let zip_name = format!("{reference}-personal-data.zip");
    assert_eq!(sent["file_name"], zip_name.as_str());
    assert_eq!(reg.run(&["mail", "flush", "--json"]).json()["sent"], 2);
    let got = received(&server);
    assert_eq!(got.len(), 2);
    let parser = mail_parser::MessageParser::default();
    let first = parser.parse(got[0].0.as_bytes()).unwrap();
    let second = parser.parse(got[1].0.as_bytes()).unwrap();
    assert_eq!(second.in_reply_to().as_text(), first.message_id(), "the password answers the copy");
    let text = first.body_text(0).unwrap();
    assert!(text.contains("encrypted ZIP file") && text.contains(&zip_name), "{text}");
    assert!(first.subject().unwrap().contains(&reference));
    use mail_parser::MimeHeaders;
    let attachment = first.attachments().next().expect("the ZIP is attached");
    assert_eq!(attachment.attachment_name(), Some(zip_name.as_str()));
    let zip = reg.path("copy.zip");
    std::fs::write(&zip, attachment.contents()).unwrap();
    assert_eq!(
        rightsdesk::hash::sha256_hex(attachment.contents()),
        sent["sha256"].as_str().unwrap(),
        "the SHA-256 recorded is the file received"
    );
    let password_text = second.body_text(0).unwrap().to_string();
    assert!(second.attachments().next().is_none() && !text.contains("Its password:"));
    let password = password_text.lines().map(str::trim).find(|l| l.len() == 23 && l.matches('-').count() == 3);
    let password = password.unwrap_or_else(|| panic!("no password in {password_text}"));
    assert!(!open_zip(&zip, &reg.path("locked"), None).0, "encrypted: no password, no data");
    let (opened, data) = open_zip(&zip, &reg.path("opened"), Some(password));
    assert!(opened && data.contains("+353 1 555 0199"), "{data}");
    // Delivered, the password stays nowhere in the register: not in the database (its outbox message is the copy
    // kept without it, the old bytes zeroed) nor its log, not in any file (the .eml attached to the request is that
    // copy), not in the outbox's listing or the audit trail.
    assert!(got[1].0.contains(password), "sent as it reads, so a search for its bytes means something");
    let holds = |bytes: &[u8]| bytes.windows(password.len()).any(|w| w == password.as_bytes());
    let mut wal = reg.db.clone().into_os_string();
    wal.push("-wal");
    for file in [reg.db.clone(), wal.into()] {
        assert!(!std::fs::read(&file).is_ok_and(|b| holds(&b)), "the password is in {}", file.display());
    }
    let files_now = support::files_under(&files);
    for file in &files_now {
        assert!(!holds(&std::fs::read(file).unwrap()), "the password is in {}", file.display());
    }
    let kept = files_now.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default());
    let kept: Vec<String> = kept.filter(|t| t.contains("removed from Rightsdesk's copy")).collect();
    assert_eq!(kept.len(), 1, "the password message is kept, without its password");
    assert!(kept[0].contains(second.message_id().unwrap()) && kept[0].contains("Password for your copy"));
    for listing in [&["mail", "outbox", "--json"][..], &["request", "show", &reference, "--json"], &["audit", "verify"]]
    {
        let out = reg.run(listing);
        assert!(!out.stdout.contains(password) && !out.stderr.contains(password), "{listing:?}: {}", out.stdout);
    }
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    let event = shown["events"].as_array().unwrap().iter().find(|e| e["kind"] == "data_copy_sent").unwrap().clone();
    assert_eq!(
        (event["data"]["how"].as_str(), event["data"]["sha256"].as_str(), event["data"]["password_by"].as_str()),
        (Some("password-separately"), sent["sha256"].as_str(), Some("email"))
    );

    // Attached as it is: one message, the ZIP opens without a password.
    reg.run(&["mail", "send-copy", &reference, "--copy", "attached"]).ok();
    reg.run(&["mail", "flush"]).ok();
    let got = received(&server);
    let plain = parser.parse(got[2].0.as_bytes()).unwrap();
    let text = plain.body_text(0).unwrap();
    assert!(text.contains(&format!("is attached ({zip_name})")), "{text}");
    std::fs::write(reg.path("plain.zip"), plain.attachments().next().unwrap().contents()).unwrap();
    assert!(open_zip(&reg.path("plain.zip"), &reg.path("plain"), None).1.contains("+353 1 555 0199"));

    // By phone: the password is shown once, and no second message goes.
    let phoned = reg
        .run(&["mail", "send-copy", &reference, "--copy", "password-separately", "--password-by-phone", "--json"])
        .json();
    assert!(phoned["password"].as_str().is_some_and(|p| p.len() == 23) && phoned["password_message"].is_null());
    // Outside the app: nothing attached, and the email says the copy comes another way.
    reg.run(&["mail", "send-copy", &reference, "--copy", "outside"]).ok();
    reg.run(&["mail", "flush"]).ok();
    let got = received(&server);
    assert_eq!(got.len(), 5);
    let outside = parser.parse(got[4].0.as_bytes()).unwrap();
    assert!(outside.attachments().next().is_none());
    assert!(outside.body_text(0).unwrap().contains("reaches you separately, not with this message"));
    // An officer's template that says "attached" whatever the choice is refused, and nothing is exported for it.
    let moved = add(&reg, "portability", "eu-gdpr", "IE", "2026-03-02", ("Pat Example", "pat@example.org"), &[]);
    let fixed = "Dear {{ requester.name }},\nA copy of your data is attached.\n{{ art15.purposes }} {{ art15.categories }} \
        {{ art15.recipients }} {{ art15.retention }} {{ art15.source }} {{ art15.automated }} {{ art15.transfers }}\n\
        {{ complaint }}\n{{ org.name }}";
    std::fs::write(reg.path("fixed.txt"), fixed).unwrap();
    let save =
        ["template", "save", "--template", "fulfilment", "--kind", "portability", "--lang", "en", "--subject", "Done"];
    reg.run(&[&save[..], &["--body-file", reg.path("fixed.txt").to_str().unwrap()]].concat()).ok();
    reg.run(&["mail", "send-copy", &moved, "--copy", "outside"]).assert_error("says the same");
    let shown = reg.run(&["request", "show", &moved, "--json"]).json();
    assert!(!shown["events"].as_array().unwrap().iter().any(|e| e["kind"] == "subject_export_made"));
    let follows = fixed.replace(
        "A copy of your data is attached.",
        "{% if copy.how == \"outside\" %}Your copy comes by post.{% else %}Your copy is attached: {{ copy.file }}.{% endif %}",
    );
    std::fs::write(reg.path("follows.txt"), follows).unwrap();
    reg.run(&[&save[..], &["--body-file", reg.path("follows.txt").to_str().unwrap()]].concat()).ok();
    reg.run(&["mail", "send-copy", &moved, "--copy", "outside"]).ok();
    reg.run(&["mail", "flush"]).ok();
    let by_post = received(&server).pop().unwrap().0;
    assert!(by_post.contains("comes by post") && by_post.contains(&moved), "{by_post}");
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
}
