//! The privacy mailbox against a real IMAP server (Debian's dovecot-imapd, a throwaway instance on 127.0.0.1 with
//! TLS from a test CA): the client connects over TLS and STARTTLS, trusts only what it should, finds new messages,
//! fetches them whole with the server's date of receipt, marks them handled, and wakes on IDLE.

use std::time::Duration;

use rightsdesk::mailbox::imap::{Imap, ImapConfig};
use zeroize::Zeroizing;

use crate::support::dovecot::{self, Dovecot};
use crate::support::make_ca;

fn config(server: &Dovecot, ca: Option<&std::path::Path>, starttls: bool) -> ImapConfig {
    ImapConfig {
        host: "localhost".into(),
        port: if starttls { server.starttls_port } else { server.tls_port },
        starttls,
        username: dovecot::USER.into(),
        password: Zeroizing::new(dovecot::PASSWORD.into()),
        ca_pem: ca.map(|p| std::fs::read(p).unwrap()),
    }
}

pub fn message(from: &str, subject: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: privacy@acme.test\r\nSubject: {subject}\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\
         Message-ID: <{}@example.org>\r\n{extra_headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        uuid::Uuid::new_v4().simple()
    )
    .into_bytes()
}

#[test]
fn the_client_takes_new_messages_over_tls_and_starttls_and_marks_them_handled() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_ca(dir.path());
    let server = dovecot::start(dir.path(), &cert, &key);

    // The test CA is not the system's: refused with what to do.
    let refused = Imap::connect(&config(&server, None, false)).err().expect("an untrusted certificate is refused");
    assert!(refused.to_string().contains("CA file"), "{refused}");
    let mut wrong = config(&server, Some(&ca), false);
    wrong.password = Zeroizing::new("not it".into());
    let refused = Imap::connect(&wrong).err().expect("a wrong password is refused");
    assert!(refused.to_string().contains("refused the login"), "{refused}");

    let mut imap = Imap::connect(&config(&server, Some(&ca), false)).unwrap();
    imap.append("INBOX", &message("Ada <ada@example.org>", "Access request", "", "Please send my data."), None, None)
        .unwrap();
    imap.append("INBOX", &message("Bo <bo@example.org>", "Delete me", "", "Erase my account."), None, None).unwrap();
    let validity = imap.select("INBOX").unwrap();
    assert!(validity > 0);
    let uids = imap.uids_after(0, true).unwrap();
    assert_eq!(uids.len(), 2);
    assert_eq!(imap.uids_after(uids[1], false).unwrap(), Vec::<u32>::new(), "nothing above the newest");
    let first = imap.fetch(uids[0], 1 << 20).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first.bytes).contains("Please send my data."));
    assert!(first.received.year() >= 2026, "the server's date of receipt");
    let too_big = imap.fetch(uids[0], 10).err().unwrap();
    assert!(too_big.to_string().contains("over the limit"), "{too_big}");

    // Flagged when there is no folder to move to; moved when there is.
    imap.mark_done(uids[0], None).unwrap();
    assert_eq!(imap.uids_after(0, true).unwrap(), vec![uids[1]]);
    assert_eq!(imap.taken_uids().unwrap(), vec![uids[0]]);
    imap.mark_done(uids[1], Some("Handled")).unwrap();
    assert_eq!(imap.uids_after(0, false).unwrap(), vec![uids[0]]);
    imap.logout();

    // STARTTLS: the same, upgraded before the login; IDLE wakes on a new message.
    let mut imap = Imap::connect(&config(&server, Some(&ca), true)).unwrap();
    assert!(imap.has_idle().unwrap());
    imap.select("INBOX").unwrap();
    assert!(!imap.idle(Duration::from_millis(500)).unwrap(), "nothing new: the wait runs out");
    let deliver = std::thread::spawn({
        let cfg = config(&server, Some(&ca), false);
        move || {
            std::thread::sleep(Duration::from_millis(700));
            let mut other = Imap::connect(&cfg).unwrap();
            other.append("INBOX", &message("Cy <cy@example.org>", "Object", "", "Stop it."), None, None).unwrap();
            other.logout();
        }
    });
    let started = std::time::Instant::now();
    assert!(imap.idle(Duration::from_secs(20)).unwrap(), "IDLE woke on the new message");
    assert!(started.elapsed() < Duration::from_secs(10));
    deliver.join().unwrap();
    assert_eq!(imap.uids_after(uids[1], true).unwrap().len(), 1);
    imap.logout();
}

const TODAY: &str = "2026-03-20";
/// When the test's messages reached the mailbox (IMAP's date format), and that day.
const RECEIVED: &str = "19-Mar-2026 09:30:00 +0000";
const RECEIVED_DAY: &str = "2026-03-19";

/// A register with an organisation, an SMTP server to answer through and the mailbox set up (password from the
/// environment: no keyring here).
struct Desk {
    // Dropped in this order: the servers stop before the register's folder (which holds their state) goes.
    server: Dovecot,
    _smtp: crate::support::smtp::Server,
    reg: crate::support::Register,
    ca: std::path::PathBuf,
}

impl Desk {
    fn new(done_folder: Option<&str>) -> Desk {
        let reg = crate::support::Register::new(TODAY);
        reg.organisation(&[("--name", "Acme Ltd"), ("--email", "privacy@acme.test"), ("--signature", "Dana, DPO")]);
        let (ca, cert, key) = make_ca(reg.dir());
        let server = dovecot::start(reg.dir(), &cert, &key);
        let smtp = crate::support::smtp::start(reg.dir(), "", None);
        let port = smtp.port.to_string();
        reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--security", "none"]).ok();
        let imap_port = server.tls_port.to_string();
        let mut args = vec!["settings", "imap", "--host", "localhost", "--port", &imap_port, "--security", "tls"];
        args.extend(["--username", dovecot::USER, "--ca-file", ca.to_str().unwrap()]);
        if let Some(f) = done_folder {
            args.extend(["--done-folder", f]);
        }
        reg.run(&args).ok();
        Desk { server, _smtp: smtp, reg, ca }
    }

    fn env(&self) -> [(&'static str, &'static str); 1] {
        [("RIGHTSDESK_IMAP_PASSWORD", dovecot::PASSWORD)]
    }

    fn run(&self, args: &[&str]) -> crate::support::Run {
        self.reg.run_env(args, &self.env())
    }

    /// Deliver a message into the mailbox's INBOX (as the organisation's mail server would).
    fn deliver(&self, bytes: &[u8]) {
        let mut imap = Imap::connect(&config(&self.server, Some(&self.ca), false)).unwrap();
        imap.append("INBOX", bytes, None, Some(RECEIVED)).unwrap();
        imap.logout();
    }

    fn inbox_uids(&self) -> Vec<u32> {
        let mut imap = Imap::connect(&config(&self.server, Some(&self.ca), false)).unwrap();
        imap.select("INBOX").unwrap();
        let uids = imap.uids_after(0, false).unwrap();
        imap.logout();
        uids
    }
}

fn with_pdf(from: &str, subject: &str, headers: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: privacy@acme.test\r\nSubject: {subject}\r\nDate: Thu, 19 Mar 2026 09:29:00 +0000\r\n\
         Message-ID: <{}@example.org>\r\n{headers}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b\r\nContent-Type: application/pdf; name=passport.pdf\r\n\
         Content-Disposition: attachment; filename=passport.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
        uuid::Uuid::new_v4().simple()
    )
    .into_bytes()
}

#[test]
fn replies_go_to_their_requests_the_rest_waits_in_the_tray_and_nothing_is_taken_twice() {
    let desk = Desk::new(None);
    let reg = &desk.reg;
    // A request we answered by email: the requester's reply names our message.
    let reference = reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let reference = reference.who("Zoe Martin", "zoe@example.fr").add();
    let sent = reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--json"]).json();
    let our_id = sent["message_id"].as_str().unwrap().to_string();
    reg.run(&["mail", "flush"]).ok();
    let other = reg.request().kind("erasure").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-05");
    let other = other.who("Bo Berg", "bo@example.org").add();

    let reply = format!("In-Reply-To: {our_id}\r\nReferences: {our_id}\r\n");
    desk.deliver(&with_pdf("Zoe Martin <zoe@example.fr>", "Re: your request", &reply, "Here is my passport."));
    desk.deliver(&message("Bo Berg <bo@example.org>", &format!("About {other}"), "", "Any news?"));
    desk.deliver(&message("Mallory <mallory@evil.test>", &format!("Re: {other}"), "", "Send me Bo's data."));
    desk.deliver(&message(
        "Ann Example <ann@example.org>",
        "Subject access request",
        "",
        "Please send me all my personal data.",
    ));
    desk.deliver(&message("Spam King <king@spam.test>", "WIN NOW", "", "Click here."));

    let pass = desk.run(&["mail", "fetch", "--json"]).json();
    assert_eq!(
        (pass["taken"].as_u64(), pass["replies"].as_u64(), pass["tray"].as_u64()),
        (Some(5), Some(2), Some(3)),
        "{pass}"
    );
    assert_eq!(pass["errors"], serde_json::json!([]));
    // Taken once: a second pass finds nothing new, and every message is flagged as handled on the server.
    let again = desk.run(&["mail", "fetch", "--json"]).json();
    assert_eq!((again["taken"].as_u64(), again["waiting"].as_u64()), (Some(0), Some(3)), "{again}");

    // The reply is on its request: the message and the passport as files, one event.
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    let files: Vec<&str> =
        shown["attachments"].as_array().unwrap().iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    assert!(files.contains(&"passport.pdf") && files.iter().any(|f| f.ends_with(".eml")), "{files:?}");
    let event = shown["events"].as_array().unwrap().iter().find(|e| e["kind"] == "mail_received").unwrap().clone();
    assert_eq!(event["data"]["how"], "reply");
    assert_eq!(event["data"]["received_at"], "2026-03-19T09:30:00Z");
    // The reference in the subject counts only from the requester's own address.
    let bo = reg.run(&["request", "mail", &other, "--json"]).json();
    assert_eq!(bo.as_array().unwrap().len(), 1, "{bo}");
    assert_eq!(bo[0]["sender"], "bo@example.org");

    let tray = desk.run(&["intake", "list", "--json"]).json();
    let senders: Vec<&str> = tray.as_array().unwrap().iter().map(|m| m["sender"].as_str().unwrap()).collect();
    assert_eq!(senders.len(), 3, "{senders:?}");
    let id_of = |who: &str| {
        tray.as_array().unwrap().iter().find(|m| m["sender"] == who).unwrap()["id"].as_str().unwrap().to_string()
    };

    // A new request from the tray: prefilled from the message, received on the server's date.
    let ann = id_of("ann@example.org");
    let shown = desk.run(&["intake", "show", &ann, "--json"]).json();
    assert_eq!(shown["draft"]["received"], RECEIVED_DAY);
    assert_eq!(shown["draft"]["kind_guess"]["kind"], "access");
    let made = desk.run(&["intake", "accept", &ann, "--regime", "uk-gdpr", "--calendar", "GB-ENG", "--json"]).json();
    assert_eq!(made["received"], RECEIVED_DAY);
    assert_eq!(made["requester"]["email"], "ann@example.org");
    assert_eq!(made["kind"], "access");
    assert_eq!(made["channel"], "email");
    desk.run(&["intake", "accept", &ann, "--regime", "uk-gdpr"]).assert_error("handled already");

    // Set aside: a reason is required; spam blocks the sender, whose next message goes straight to spam.
    let mallory = id_of("mallory@evil.test");
    desk.run(&["intake", "dismiss", &mallory, "--reason", ""]).assert_error("why");
    desk.run(&["intake", "dismiss", &mallory, "--reason", "Someone asking for another person's data"]).ok();
    desk.run(&["intake", "spam", &id_of("king@spam.test"), "--block-sender"]).ok();
    desk.deliver(&message("Spam King <king@spam.test>", "WIN AGAIN", "", "Click."));
    let pass = desk.run(&["mail", "fetch", "--json"]).json();
    assert_eq!((pass["spam"].as_u64(), pass["waiting"].as_u64()), (Some(1), Some(0)), "{pass}");
    let history = reg.run(&["audit", "history", "--json"]).stdout;
    assert!(history.contains("mail_set_aside") && history.contains("imap_settings_changed"), "{history}");
    // Nothing of the tray is kept once decided; the audit trail verifies.
    let folder = crate::support::files_dir(&reg.db).join("mailbox");
    assert!(crate::support::files_under(&folder).is_empty(), "{:?}", crate::support::files_under(&folder));
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
    // Flagged, not moved: still in INBOX.
    assert_eq!(desk.inbox_uids().len(), 6);

    // Past the retention period, what a message set aside said about a person goes; it is still never retaken.
    crate::support::run_now(&reg.db, "2028-06-01", &["retention", "purge"]).ok();
    let forgotten = desk.run(&["intake", "show", &mallory, "--json"]).json();
    assert_eq!(
        (forgotten["message"]["sender"].as_str(), forgotten["message"]["subject"].as_str()),
        (Some(""), Some(""))
    );
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["taken"], 0);
}

#[test]
fn handled_mail_is_moved_and_a_fetch_killed_at_any_moment_takes_each_message_exactly_once() {
    let desk = Desk::new(Some("Handled"));
    for i in 0..24 {
        desk.deliver(&message(
            &format!("P{i} <p{i}@example.org>"),
            &format!("Request {i}"),
            "",
            "Please delete my data.",
        ));
    }
    let mut killed = 0;
    for delay in [150u64, 300, 450, 600, 900] {
        let mut child = desk.reg.command_env(&["mail", "fetch"], &desk.env()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
    }
    let last = desk.run(&["mail", "fetch", "--json"]).json();
    assert_eq!(last["errors"], serde_json::json!([]), "{last}");
    let tray = desk.run(&["intake", "list", "--json"]).json();
    let mut subjects: Vec<String> =
        tray.as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap().to_string()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 24, "each message once ({killed} fetches killed)");
    assert_eq!(tray.as_array().unwrap().len(), 24);
    assert!(desk.inbox_uids().is_empty(), "every message moved out of INBOX once stored");
}

#[test]
fn a_message_that_cannot_be_read_waits_in_the_tray_with_why_and_is_taken_once() {
    let desk = Desk::new(None);
    desk.deliver(b"just some text without any header at all\r\n");
    let pass = desk.run(&["mail", "fetch", "--json"]).json();
    assert_eq!((pass["taken"].as_u64(), pass["tray"].as_u64()), (Some(1), Some(1)), "{pass}");
    let tray = desk.run(&["intake", "list", "--json"]).json();
    let problem = tray[0]["problem"].as_str().unwrap_or_default().to_string();
    assert!(problem.contains("not an email"), "{tray}");
    let id = tray[0]["id"].as_str().unwrap().to_string();
    desk.run(&["intake", "accept", &id, "--regime", "uk-gdpr"]).assert_error("not taken");
    desk.run(&["intake", "dismiss", &id, "--reason", "Unreadable; read it in the mail program"]).ok();
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["taken"], 0);
}
