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
    imap.append("INBOX", &message("Ada <ada@example.org>", "Access request", "", "Please send my data."), None)
        .unwrap();
    imap.append("INBOX", &message("Bo <bo@example.org>", "Delete me", "", "Erase my account."), None).unwrap();
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
            other.append("INBOX", &message("Cy <cy@example.org>", "Object", "", "Stop it."), None).unwrap();
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
