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
    smtp: crate::support::smtp::Server,
    reg: crate::support::Register,
    ca: std::path::PathBuf,
    /// The register's passphrase, for an encrypted one.
    passphrase: Option<&'static str>,
}

impl Desk {
    fn new(done_folder: Option<&str>) -> Desk {
        Desk::made(done_folder, None)
    }

    /// An encrypted register (its files sealed), opened with `passphrase` by every command.
    fn encrypted(passphrase: &'static str) -> Desk {
        Desk::made(None, Some(passphrase))
    }

    fn made(done_folder: Option<&str>, passphrase: Option<&'static str>) -> Desk {
        let reg = crate::support::Register::new(TODAY);
        let key: Vec<(&str, &str)> = passphrase.map(|p| ("RIGHTSDESK_PASSPHRASE", p)).into_iter().collect();
        let org = ["settings", "organisation", "--name", "Acme Ltd", "--email", "privacy@acme.test", "--signature"];
        reg.run_env(&[&org[..], &["Dana, DPO"]].concat(), &key).ok();
        let (ca, cert, key_pem) = make_ca(reg.dir());
        let server = dovecot::start(reg.dir(), &cert, &key_pem);
        let smtp = crate::support::smtp::start(reg.dir(), "", None);
        let port = smtp.port.to_string();
        reg.run_env(&["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--security", "none"], &key).ok();
        let imap_port = server.tls_port.to_string();
        let mut args = vec!["settings", "imap", "--host", "localhost", "--port", &imap_port, "--security", "tls"];
        args.extend(["--username", dovecot::USER, "--ca-file", ca.to_str().unwrap()]);
        if let Some(f) = done_folder {
            args.extend(["--done-folder", f]);
        }
        reg.run_env(&args, &key).ok();
        Desk { server, smtp, reg, ca, passphrase }
    }

    fn env(&self) -> Vec<(&'static str, &'static str)> {
        let mut env = vec![("RIGHTSDESK_IMAP_PASSWORD", dovecot::PASSWORD)];
        env.extend(self.passphrase.map(|p| ("RIGHTSDESK_PASSPHRASE", p)));
        env
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

    /// Point the Sent copies at another folder (the rest of the settings as `new` made them).
    fn set_sent_folder(&self, folder: &str) {
        let port = self.server.tls_port.to_string();
        let mut args = vec!["settings", "imap", "--host", "localhost", "--port", &port, "--security", "tls"];
        args.extend(["--username", dovecot::USER, "--ca-file", self.ca.to_str().unwrap(), "--sent-folder", folder]);
        self.reg.run(&args).ok();
    }

    /// Every message of a folder, oldest first.
    fn folder_messages(&self, folder: &str) -> Vec<Vec<u8>> {
        let mut imap = Imap::connect(&config(&self.server, Some(&self.ca), false)).unwrap();
        imap.select(folder).unwrap();
        let uids = imap.uids_after(0, false).unwrap();
        let all = uids.iter().map(|u| imap.fetch(*u, 1 << 24).unwrap().unwrap().bytes).collect();
        imap.logout();
        all
    }

    /// The messages the SMTP server accepted, parsed, oldest first.
    fn delivered(&self) -> Vec<String> {
        crate::support::smtp::received(&self.smtp).into_iter().map(|(eml, _)| eml).collect()
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

/// The headers an answer threads by, as the requester's mail program reads them.
fn threading(eml: &str) -> (Option<String>, Vec<String>, String, Option<String>) {
    let parsed = mail_parser::MessageParser::default().parse(eml.as_bytes()).unwrap();
    let in_reply_to = parsed.in_reply_to().as_text().map(str::to_string);
    let refs = parsed.references().as_text_list().unwrap_or_default().iter().map(|r| r.to_string()).collect();
    let mime = parsed.header_raw("MIME-Version").map(|v| v.trim().to_string());
    (in_reply_to, refs, parsed.subject().unwrap_or_default().to_string(), mime)
}

#[test]
fn answers_thread_with_the_requesters_last_message_and_a_copy_lands_in_sent() {
    let desk = Desk::new(None);
    let reg = &desk.reg;
    let reference = reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let reference = reference.who("Zoe Martin", "zoe@example.fr").add();
    let other = reg.request().kind("erasure").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-05");
    let other = other.who("Bo Berg", "bo@example.org").add();

    // The first answer: nothing to answer yet; the reference is in the subject, MIME-Version said.
    let first = reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--json"]).json();
    let our_id = first["message_id"].as_str().unwrap().trim_matches(['<', '>']).to_string();
    let flushed = desk.run(&["mail", "flush", "--json"]).json();
    assert_eq!((flushed["sent"].as_u64(), flushed["sent_copies"].as_u64()), (Some(1), Some(1)), "{flushed}");
    let (irt, refs, subject, mime) = threading(&desk.delivered()[0]);
    assert_eq!((irt, refs.len(), mime.as_deref()), (None, 0, Some("1.0")));
    assert!(subject.contains(&reference), "{subject}");
    // Its copy is in the mailbox's Sent folder, byte for byte what the server accepted, marked read.
    let sent = desk.folder_messages("Sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&sent[0]).replace("\r\n", "\n").trim(),
        desk.delivered()[0].replace("\r\n", "\n").trim()
    );
    let outbox = reg.run(&["mail", "outbox", "--json"]).json();
    assert_eq!(outbox[0]["sent_copy"], "done", "{outbox}");

    // Zoe writes twice (her second message answers her first); Bo writes about his own request.
    let zoe1 = message(
        "Zoe Martin <zoe@example.fr>",
        "Re: your request",
        &format!("In-Reply-To: <{our_id}>\r\nReferences: <{our_id}>\r\n"),
        "ID attached.",
    );
    let zoe1_id = mail_parser::MessageParser::default().parse(&zoe1).unwrap().message_id().unwrap().to_string();
    let zoe2 = message(
        "Zoe Martin <zoe@example.fr>",
        "Re: your request",
        &format!("In-Reply-To: <{zoe1_id}>\r\nReferences: <{our_id}> <{zoe1_id}>\r\n"),
        "And my new address.",
    );
    let zoe2_id = mail_parser::MessageParser::default().parse(&zoe2).unwrap().message_id().unwrap().to_string();
    desk.deliver(&zoe1);
    desk.deliver(&zoe2);
    desk.deliver(&message("Bo Berg <bo@example.org>", &format!("About {other}"), "", "Any news?"));
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["replies"], 3);

    // The next answer threads with her last message: In-Reply-To it, References the whole thread.
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement"]).ok();
    desk.run(&["mail", "flush"]).ok();
    let (irt, refs, subject, mime) = threading(&desk.delivered()[1]);
    assert_eq!(irt.as_deref(), Some(zoe2_id.as_str()));
    assert_eq!(refs, [our_id.clone(), zoe1_id.clone(), zoe2_id.clone()]);
    assert!(subject.contains(&reference) && mime.as_deref() == Some("1.0"), "{subject}");

    // Answering a chosen message of the request: that one; a message of another request is refused.
    let mail = reg.run(&["request", "mail", &reference, "--json"]).json();
    let zoe1_row = mail.as_array().unwrap().iter().find(|m| m["message_id"] == zoe1_id.as_str()).unwrap();
    let zoe1_row = zoe1_row["id"].as_str().unwrap().to_string();
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--reply-to", &zoe1_row]).ok();
    let bo_row = reg.run(&["request", "mail", &other, "--json"]).json()[0]["id"].as_str().unwrap().to_string();
    reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--reply-to", &bo_row])
        .assert_error("not one of");
    desk.run(&["mail", "flush"]).ok();
    let (irt, refs, _, _) = threading(&desk.delivered()[2]);
    assert_eq!(irt.as_deref(), Some(zoe1_id.as_str()));
    assert_eq!(refs, [our_id.clone(), zoe1_id.clone()]);

    // A Sent copy that fails is noted and tried again on the next flush; delivery is never held up or repeated.
    desk.set_sent_folder("No such folder");
    reg.run(&["mail", "send", &other, "--template", "acknowledgement"]).ok();
    let flushed = desk.run(&["mail", "flush", "--json"]).json();
    assert_eq!((flushed["sent"].as_u64(), flushed["sent_copies"].as_u64()), (Some(1), Some(0)), "{flushed}");
    assert!(flushed["errors"][0].as_str().unwrap().contains("No such folder"), "{flushed}");
    let outbox = reg.run(&["mail", "outbox", &other, "--json"]).json();
    assert_eq!((outbox[0]["state"].as_str(), outbox[0]["sent_copy"].as_str()), (Some("sent"), Some("pending")));
    assert!(outbox[0]["sent_copy_error"].as_str().unwrap().contains("next flush"), "{outbox}");
    desk.set_sent_folder("Sent");
    let flushed = desk.run(&["mail", "flush", "--json"]).json();
    assert_eq!((flushed["sent"].as_u64(), flushed["sent_copies"].as_u64()), (Some(0), Some(1)), "{flushed}");
    assert_eq!(desk.delivered().len(), 4, "sent once by SMTP");
    assert_eq!(desk.folder_messages("Sent").len(), 4);
    let bo_answer = String::from_utf8_lossy(&desk.folder_messages("Sent")[3]).to_string();
    assert!(bo_answer.contains(&other) && threading(&bo_answer).0.is_some(), "Bo's answer threads with his message");
}

#[test]
fn an_emailed_password_reaches_the_requester_and_the_sent_folder_keeps_it_out() {
    let desk = Desk::new(None);
    let reg = &desk.reg;
    let art15 = [
        ("--name", "Acme Ltd"),
        ("--address", "1 Main Street, Dublin"),
        ("--email", "privacy@acme.test"),
        ("--signature", "Dana, DPO"),
        ("--purposes", "Running your account"),
        ("--categories", "Contact details"),
        ("--recipients", "None"),
        ("--retention", "Six years"),
        ("--source", "You"),
        ("--automated", "None"),
    ];
    reg.organisation(&art15);
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "Contact details"]).ok();
    let reference = reg.request().kind("access").regime("eu-gdpr").calendar("IE").received("2026-03-02");
    let reference = reference.who("Pat Example", "pat@example.org").add();
    let disclose = ["request", "disclose", &reference, "--system", "CRM", "--category", "Contact details"];
    reg.run(&[&disclose[..], &["--label", "Phone", "--value", "+353 1 555 0199"]].concat()).ok();
    reg.run(&["mail", "send-copy", &reference, "--copy", "password-separately"]).ok();
    let flushed = desk.run(&["mail", "flush", "--json"]).json();
    assert_eq!((flushed["sent"].as_u64(), flushed["sent_copies"].as_u64()), (Some(2), Some(2)), "{flushed}");

    // The requester has the password; the mailbox's Sent folder has the message as kept, without it.
    let delivered = desk.delivered();
    let password = delivered[1].lines().map(str::trim).find(|l| l.len() == 23 && l.matches('-').count() == 3);
    let password = password.unwrap_or_else(|| panic!("no password in {}", delivered[1]));
    let sent: Vec<String> = desk.folder_messages("Sent").iter().map(|m| String::from_utf8_lossy(m).into()).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|m| !m.contains(password)), "{sent:?}");
    let id = |m: &str| m.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).map(str::to_string);
    assert_eq!(id(&sent[1]), id(&delivered[1]), "the same message");
    assert!(sent[1].contains("[removed from Rightsdesk's copy once the message was delivered]"), "{}", sent[1]);
    // The encrypted copy went as it was: the same in the Sent folder as received.
    assert_eq!(sent[0].replace("\r\n", "\n").trim(), delivered[0].replace("\r\n", "\n").trim());
}

/// A message with an HTML part only (what many mail programs send).
fn html_only(from: &str, subject: &str, headers: &str, html: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: privacy@acme.test\r\nSubject: {subject}\r\nDate: Thu, 19 Mar 2026 09:29:30 +0000\r\n\
         Message-ID: <{}@example.org>\r\n{headers}MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n",
        uuid::Uuid::new_v4().simple()
    )
    .into_bytes()
}

#[test]
fn the_conversation_shows_each_message_and_a_written_answer_threads_with_the_one_chosen() {
    let desk = Desk::new(None);
    let reg = &desk.reg;
    let reference = reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let reference = reference.who("Zoe Martin", "zoe@example.fr").add();
    let first = reg.run(&["mail", "send", &reference, "--template", "acknowledgement", "--json"]).json();
    let our_id = first["message_id"].as_str().unwrap().trim_matches(['<', '>']).to_string();
    let first_out = first["id"].as_str().unwrap().to_string();
    desk.run(&["mail", "flush"]).ok();

    // Zoe answers with her passport, then again in HTML only.
    let thread = format!("In-Reply-To: <{our_id}>\r\nReferences: <{our_id}>\r\n");
    let passport = with_pdf("Zoe Martin <zoe@example.fr>", "Re: Your request", &thread, "Here is my passport.\r\nZoe");
    let passport_id = mail_parser::MessageParser::default().parse(&passport).unwrap().message_id().unwrap().to_string();
    desk.deliver(&passport);
    let html = html_only(
        "Zoe Martin <zoe@example.fr>",
        "Re: Your request",
        &thread,
        "<html><body><p>My <b>new</b> address is 3 Rue Neuve.</p></body></html>",
    );
    desk.deliver(&html);
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["replies"], 2);
    let mail = reg.run(&["request", "mail", &reference, "--json"]).json();
    let row = |mid: &str| {
        let m = mail.as_array().unwrap().iter().find(|m| m["message_id"] == mid).unwrap();
        m["id"].as_str().unwrap().to_string()
    };
    let passport_row = row(&passport_id);
    let html_row = mail.as_array().unwrap().iter().find(|m| m["id"] != passport_row.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // An incoming message: its text, sender, date and files, each file with its attachment on the request.
    let shown = reg.run(&["mail", "show", &reference, &passport_row, "--json"]).json();
    assert_eq!(shown["way"], "in", "{shown}");
    assert_eq!(shown["subject"], "Re: Your request");
    assert_eq!(shown["reply_subject"], "Re: Your request", "an answer says Re: once");
    assert!(shown["from"].as_str().unwrap().contains("zoe@example.fr"), "{shown}");
    assert!(shown["to"][0].as_str().unwrap().contains("privacy@acme.test"), "{shown}");
    assert_eq!(shown["at"], "2026-03-19T09:30:00Z");
    assert!(shown["text"].as_str().unwrap().contains("Here is my passport.\nZoe"), "{shown}");
    assert_eq!((shown["gone"].as_str(), shown["truncated"].as_bool()), (None, Some(false)));
    let attachments = reg.run(&["request", "show", &reference, "--json"]).json()["attachments"].clone();
    let attachment = |name: &str| {
        let a = attachments.as_array().unwrap().iter().find(|a| a["file_name"] == name).unwrap();
        a["id"].as_str().unwrap().to_string()
    };
    assert_eq!(shown["files"].as_array().unwrap().len(), 1, "{shown}");
    assert_eq!(shown["files"][0]["name"], "passport.pdf");
    assert_eq!(shown["files"][0]["attachment_id"].as_str(), Some(attachment("passport.pdf").as_str()));
    assert!(shown["eml_attachment_id"].is_string(), "the message itself is a file of the request: {shown}");
    // HTML only: made text.
    let shown = reg.run(&["mail", "show", &reference, &html_row, "--json"]).json();
    let text = shown["text"].as_str().unwrap();
    assert!(text.contains("new") && text.contains("3 Rue Neuve") && !text.contains("<b>"), "{shown}");
    assert!(shown["reply_subject"].as_str().unwrap().starts_with("Re: "), "{shown}");
    // An outgoing one: the text sent.
    let out = reg.run(&["mail", "show", &reference, &first_out, "--json"]).json();
    assert_eq!((out["way"].as_str(), out["state"].as_str()), (Some("out"), Some("sent")), "{out}");
    assert!(out["to"][0].as_str().unwrap().contains("zoe@example.fr"), "{out}");
    assert!(out["text"].as_str().unwrap().contains(&reference), "{out}");
    // Not a message of this request; not a message at all.
    let other = reg.request().kind("erasure").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-05");
    let other = other.who("Bo Berg", "bo@example.org").add();
    reg.run(&["mail", "show", &other, &passport_row]).assert_error("not one of");
    reg.run(&["mail", "show", &reference, "no-such-id"]).assert_error("no-such-id");

    // A written answer: refused without a text (bad input: exit 2), then queued in the thread of the message chosen.
    let empty = reg.run(&["mail", "answer", &reference, "--reply-to", &passport_row, "--body", "  \n "]);
    empty.assert_error("body");
    assert_eq!(empty.code, 2);
    let long = "x".repeat(50_001);
    reg.run(&["mail", "answer", &reference, "--body", &long]).assert_error("body");
    let body = "Dear Zoe,\n\nthank you: your passport arrived.\n\nDana, DPO";
    let queued =
        reg.run_input(&["mail", "answer", &reference, "--reply-to", &passport_row, "--body-stdin", "--json"], body);
    let queued = queued.json();
    assert_eq!(queued["subject"], format!("Re: Your request [{reference}]"), "no Re: Re:, the reference added");
    assert_eq!(queued["stage"], "free-text");
    assert_eq!(queued["recipient"], "zoe@example.fr");
    let shown = reg.run(&["request", "show", &reference, "--json"]).json();
    let event = shown["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "response_queued").unwrap();
    assert_eq!(event["data"]["stage"], "free-text");
    assert_eq!(event["data"]["in_reply_to"], passport_id.as_str());
    assert!(event["data"]["body_sha256"].is_string(), "{event}");
    desk.run(&["mail", "flush"]).ok();
    let delivered = desk.delivered();
    let answer = delivered.last().unwrap();
    let (irt, refs, subject, _) = threading(answer);
    assert_eq!(irt.as_deref(), Some(passport_id.as_str()));
    assert_eq!(refs, [our_id.clone(), passport_id.clone()]);
    assert_eq!(subject, format!("Re: Your request [{reference}]"));
    let parsed = mail_parser::MessageParser::default().parse(answer.as_bytes()).unwrap();
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n").trim(), body);
    assert_eq!(parsed.to().unwrap().first().unwrap().address(), Some("zoe@example.fr"));
    // Its own subject, and without a message chosen: the requester's newest one.
    let queued = reg.run(&["mail", "answer", &reference, "--subject", "Your address", "--body", "Noted.", "--json"]);
    assert_eq!(queued.json()["subject"], format!("Your address [{reference}]"));
    desk.run(&["mail", "flush"]).ok();
    let (irt, _, _, _) = threading(desk.delivered().last().unwrap());
    assert_ne!(irt.as_deref(), Some(passport_id.as_str()), "the newest message: the HTML one");
    assert!(irt.is_some());
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);

    // A message from the requester's agent is answered to the agent.
    reg.run(&["request", "agent", &other, "--name", "Lex Law", "--email", "lex@law.test", "--authority", "mandate"])
        .ok();
    desk.deliver(&message("Lex Law <lex@law.test>", &format!("About {other}"), "", "I act for Bo."));
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["replies"], 1);
    let lex = reg.run(&["request", "mail", &other, "--json"]).json()[0]["id"].as_str().unwrap().to_string();
    let queued = reg.run(&["mail", "answer", &other, "--reply-to", &lex, "--body", "Noted.", "--json"]).json();
    assert_eq!(queued["recipient"], "lex@law.test");
    assert_eq!(queued["subject"], format!("Re: About {other}"), "the reference is there already");
    let queued = reg.run(&["mail", "answer", &other, "--body", "Noted, Bo.", "--json"]).json();
    assert_eq!(queued["recipient"], "lex@law.test", "the newest message of theirs is the agent's");

    // A message whose file is missing says so; the others still show.
    let shown = reg.run(&["mail", "show", &reference, &passport_row, "--json"]).json();
    let eml_id = shown["eml_attachment_id"].as_str().unwrap().to_string();
    let eml = attachments.as_array().unwrap().iter().find(|a| a["id"] == eml_id.as_str()).unwrap();
    let files = crate::support::files_dir(&reg.db).join("attachments");
    std::fs::remove_file(files.join(eml["stored_name"].as_str().unwrap())).unwrap();
    let shown = reg.run(&["mail", "show", &reference, &passport_row, "--json"]).json();
    assert!(shown["text"].is_null() && shown["gone"].as_str().unwrap().contains("missing"), "{shown}");
    assert_eq!(shown["subject"], "Re: Your request", "what the record keeps still shows");
    let shown = reg.run(&["mail", "show", &reference, &html_row, "--json"]).json();
    assert!(shown["text"].as_str().unwrap().contains("3 Rue Neuve"), "{shown}");

    // Closed and past the retention period: what the messages said is purged; the conversation says so, and
    // nothing more is sent.
    for status in ["in-progress", "fulfilled", "closed"] {
        reg.run(&["request", "status", &reference, status]).ok();
    }
    crate::support::run_now(&reg.db, "2030-06-01", &["retention", "purge"]).ok();
    let shown = reg.run(&["mail", "show", &reference, &html_row, "--json"]).json();
    assert!(shown["text"].is_null() && shown["gone"].as_str().unwrap().contains("purged"), "{shown}");
    reg.run(&["mail", "answer", &reference, "--body", "Hello again."]).assert_error("purged");
}

#[test]
fn an_encrypted_registers_conversation_reads_its_sealed_messages() {
    let desk = Desk::encrypted("correct horse battery staple");
    let reference = desk.reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let reference = reference.who("Zoe Martin", "zoe@example.fr").env(&desk.env()).add();
    assert_eq!(desk.run(&["vault", "status", "--json"]).json()["encrypted"], true);
    desk.deliver(&with_pdf("Zoe Martin <zoe@example.fr>", &format!("About {reference}"), "", "My passport."));
    assert_eq!(desk.run(&["mail", "fetch", "--json"]).json()["replies"], 1);
    let id = desk.run(&["request", "mail", &reference, "--json"]).json()[0]["id"].as_str().unwrap().to_string();
    let shown = desk.run(&["mail", "show", &reference, &id, "--json"]).json();
    assert!(shown["text"].as_str().unwrap().contains("My passport."), "{shown}");
    assert!(shown["files"][0]["attachment_id"].is_string() && shown["eml_attachment_id"].is_string(), "{shown}");
    // Without the key, nothing is read.
    desk.reg.run_env(&["mail", "show", &reference, &id], &[("RIGHTSDESK_IMAP_PASSWORD", "x")]).assert_error("");
    // A written answer goes out from the encrypted register as from any.
    desk.run(&["mail", "answer", &reference, "--reply-to", &id, "--body", "Thank you."]).ok();
    desk.run(&["mail", "flush"]).ok();
    let (irt, _, subject, _) = threading(desk.delivered().last().unwrap());
    assert!(irt.is_some() && subject == format!("Re: About {reference}"), "{subject}");
}

#[test]
fn the_mailbox_is_checked_at_the_pace_set_and_a_pace_out_of_range_is_refused() {
    let reg = crate::support::Register::new("2026-03-20");
    let imap = |extra: &[&str]| {
        let mut args = vec!["settings", "imap", "--host", "imap.acme.test", "--port", "993", "--security", "tls"];
        args.extend(["--username", "dpo"]);
        args.extend_from_slice(extra);
        reg.run(&args)
    };
    let shown = || reg.run(&["settings", "show", "--json"]).json()["imap"].clone();
    imap(&[]).ok();
    assert_eq!(shown()["poll_minutes"], 1, "every minute unless set");
    let run = imap(&["--poll-minutes", "61"]);
    run.assert_error("1 to 60 minutes");
    assert_eq!(run.code, 2);
    imap(&["--poll-minutes", "5"]).ok();
    assert_eq!(shown()["poll_minutes"], 5);
    imap(&["--poll-minutes", "0"]).ok();
    assert_eq!(shown()["poll_minutes"], 1, "0 is the default");
    let history = reg.run(&["audit", "history", "--json"]).json();
    let paces: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "imap_settings_changed")
        .filter_map(|e| e["data"]["changed"]["poll_minutes"]["after"].as_str())
        .collect();
    assert_eq!(paces, ["1", "5", "1"], "each change of pace is on record: {history}");
}
