//! Email through the officer's own SMTP server, with an outbox that loses nothing. A message is built in full
//! (headers through lettre's types, so no requester name or subject can inject a header; its Message-ID fixed) and
//! stored before the first attempt. Delivery claims a message (`sending`), hands the stored bytes to the server,
//! and records `sent` with the exact .eml attached to the request. If the process dies after the server accepted
//! but before `sent` is written, the message is still `sending` and is offered again with the same Message-ID
//! (at least once; a message known to be accepted is never sent again). Transient failures are retried with
//! backoff; a permanent rejection, or too many attempts, leaves it `failed` for the officer to look at. A message
//! that carries a secret (the emailed password of a data copy) is stored with a copy to keep in its place, which
//! replaces it once the server accepted it: only that copy is attached, and copied to the Sent folder.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration as StdDuration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use time::Duration;

use super::Desk;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::mailbox::imap::Imap;
use crate::respond::{Rendered, one_line};
use crate::store::{self, OutboxItem};

/// A stored timestamp (RFC 3339) as IMAP's date of receipt (`"19-Mar-2026 09:30:00 +0000"`), for the Sent copy.
fn imap_date(at: &str) -> Option<String> {
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    let format = time::macros::format_description!(
        "[day]-[month repr:short]-[year] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    at.format(&format).ok()
}

/// Attempts before a message is left `failed` for the officer.
pub const MAX_ATTEMPTS: u32 = 8;
/// How long a claimed message is left to the app sending it before another may take it (its sender stopped): longer
/// than any one delivery takes, so two apps delivering one register never send a message twice.
const CLAIM_LEASE: Duration = Duration::minutes(15);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` (implicit TLS) or `none` (a local relay only).
    pub security: String,
    pub username: Option<String>,
    /// The sender address (default: the organisation's email).
    pub from: Option<String>,
    /// A certificate authority to trust besides the system's (an internal mail server), as a PEM file.
    pub ca_file: Option<String>,
    /// The officer's explicit consent to log in over a connection without TLS (`security` = `none` with a user
    /// name), where anyone on the network path can read the password. Without it such settings are refused, when
    /// saved and again before every connection.
    pub allow_plaintext_password: bool,
}

/// Refuse a login that would send the password in clear, unless the officer allowed it.
fn check_plaintext_password(s: &SmtpSettings) -> Result<()> {
    let logs_in = s.username.as_deref().is_some_and(|u| !u.trim().is_empty());
    if s.security == "none" && logs_in && !s.allow_plaintext_password {
        return Err(Error::invalid(
            "security",
            "with security 'none' the SMTP password would cross the network unencrypted: choose starttls or tls, \
             or allow it explicitly (--allow-plaintext-password; in the window, the box under Security)",
        ));
    }
    Ok(())
}

/// What `mail flush` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlushReport {
    pub sent: u32,
    /// Failed this time, tried again later.
    pub retrying: u32,
    /// Given up on: the officer must look (wrong address, rejected).
    pub failed: u32,
    /// Messages still not delivered after this run (queued, retrying or failed).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub undelivered: u64,
    /// Copies put in the mailbox's Sent folder (of messages sent now or before).
    pub sent_copies: u32,
    pub errors: Vec<String>,
}

pub(super) struct BuiltMessage {
    pub message_id: String,
    pub bytes: Vec<u8>,
}

/// What a message answers, so that it threads in the requester's mail program: the Message-IDs (without angle
/// brackets) of the message answered and of the thread before it, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Thread {
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// The References of an answer keep the thread's newest ids only: enough for every client to thread it, while a
/// long exchange (or a hostile header) cannot make the header grow without end.
pub const MAX_REFERENCES: usize = 20;

/// A Message-ID taken from a received message, fit to be written back into a header: printable ASCII without
/// spaces or brackets, one `@`, of a sane length. Anything else is left out rather than repaired.
fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let fits = !id.is_empty()
        && id.len() <= 250
        && id.bytes().all(|b| b.is_ascii_graphic() && !b"<>\\\"()[],;:".contains(&b))
        && id.matches('@').count() == 1;
    fits.then(|| id.to_string())
}

impl Thread {
    /// The answer to a message (`id`) that itself named `references`: In-Reply-To that message, References its
    /// references and then it (the newest `MAX_REFERENCES`).
    pub fn answering(id: &str, references: &[String]) -> Thread {
        let Some(parent) = clean_id(id) else { return Thread::default() };
        let mut refs: Vec<String> = references.iter().filter_map(|r| clean_id(r)).filter(|r| *r != parent).collect();
        refs.dedup();
        refs.push(parent.clone());
        let skip = refs.len().saturating_sub(MAX_REFERENCES);
        Thread { in_reply_to: Some(parent), references: refs.split_off(skip) }
    }
}

/// The outbox's record of a message built for `r`, queued for now.
pub(super) fn queued_item(
    r: &crate::domain::Request,
    message_id: &str,
    rendered: &Rendered,
    to: &str,
    now: &str,
) -> OutboxItem {
    OutboxItem {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: r.id.to_string(),
        reference: r.reference.clone(),
        message_id: message_id.to_string(),
        stage: rendered.stage.clone(),
        lang: rendered.lang.clone(),
        recipient: to.to_string(),
        subject: rendered.subject.clone(),
        state: "queued".into(),
        attempts: 0,
        next_attempt_at: now.to_string(),
        last_error: None,
        created_at: now.to_string(),
        sent_at: None,
        sent_copy: None,
        sent_copy_error: None,
    }
}

/// The subject with the request's reference in it, so that the requester's reply finds its request even where the
/// threading headers are lost (a forward, a client that drops them).
pub(super) fn subject_with_reference(subject: &str, reference: &str) -> String {
    let subject = one_line(subject);
    if subject.to_ascii_uppercase().contains(&reference.to_ascii_uppercase()) {
        return subject;
    }
    if subject.is_empty() { format!("[{reference}]") } else { format!("{subject} [{reference}]") }
}

fn address(field: &str, text: &str) -> Result<Address> {
    text.trim()
        .parse::<Address>()
        .map_err(|e| Error::invalid(field, format!("'{}' is not an email address ({e})", text.trim())))
}

/// Largest message queued unless the organisation's server is known to take more (most accept 25 MB or more).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 20 * 1024 * 1024;

/// The exact message: plain text, UTF-8, the Message-ID chosen here; files (the PDF letter) attached.
pub(super) fn build_message(
    from: &Mailbox,
    to_name: &str,
    to: &str,
    r: &Rendered,
    thread: &Thread,
    files: &[(String, Vec<u8>)],
) -> Result<BuiltMessage> {
    let stamp = Stamp::new(from);
    let bytes = build_with(from, to_name, to, r, thread, files, &stamp)?;
    Ok(BuiltMessage { message_id: stamp.message_id, bytes })
}

/// A message that carries a secret (the password of a data copy), and the copy Rightsdesk keeps of it once the
/// server accepted it: the same message (the same headers, Message-ID and date) with `kept_body` as its text.
pub(super) fn build_message_and_kept_copy(
    from: &Mailbox,
    to_name: &str,
    to: &str,
    r: &Rendered,
    thread: &Thread,
    kept_body: &str,
) -> Result<(BuiltMessage, Vec<u8>)> {
    let stamp = Stamp::new(from);
    let bytes = build_with(from, to_name, to, r, thread, &[], &stamp)?;
    let kept = Rendered { body: kept_body.to_string(), ..r.clone() };
    let kept = build_with(from, to_name, to, &kept, thread, &[], &stamp)?;
    Ok((BuiltMessage { message_id: stamp.message_id, bytes }, kept))
}

/// What makes a message this one: its Message-ID (at the sender's domain) and its date.
struct Stamp {
    message_id: String,
    date: std::time::SystemTime,
}

impl Stamp {
    fn new(from: &Mailbox) -> Stamp {
        Stamp {
            message_id: format!("<{}@{}>", uuid::Uuid::now_v7(), from.email.domain()),
            date: std::time::SystemTime::now(),
        }
    }
}

fn build_with(
    from: &Mailbox,
    to_name: &str,
    to: &str,
    r: &Rendered,
    thread: &Thread,
    files: &[(String, Vec<u8>)],
    stamp: &Stamp,
) -> Result<Vec<u8>> {
    let to = mailbox(to_name, address("email", to)?);
    let text = r.body.replace("\r\n", "\n").replace('\n', "\r\n");
    let subject = one_line(&r.subject);
    let from = mailbox(from.name.as_deref().unwrap_or(""), from.email.clone());
    let bytes = without_panic(|| {
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .date(stamp.date)
            .message_id(Some(stamp.message_id.clone()));
        if let Some(parent) = &thread.in_reply_to {
            let refs: Vec<String> = thread.references.iter().map(|r| format!("<{r}>")).collect();
            builder = builder.in_reply_to(format!("<{parent}>")).references(refs.join(" "));
        }
        let built = if files.is_empty() {
            // lettre writes MIME-Version only for MIME bodies; a plain UTF-8 body needs it too (RFC 2045 §4), or
            // strict clients may not read its charset.
            builder.header(ContentType::TEXT_PLAIN).header(lettre::message::header::MIME_VERSION_1_0).body(text)
        } else {
            use lettre::message::{Attachment as MailAttachment, MultiPart, SinglePart};
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text));
            for (name, bytes) in files {
                // The letter (PDF) or the requester's copy of their data (ZIP).
                let media =
                    if name.to_ascii_lowercase().ends_with(".zip") { "application/zip" } else { "application/pdf" };
                let kind = ContentType::parse(media).map_err(|e| Error::Corrupt(e.to_string()))?;
                parts = parts.singlepart(MailAttachment::new(name.clone()).body(bytes.clone(), kind));
            }
            builder.multipart(parts)
        };
        let message = built.map_err(|e| Error::invalid("message", format!("the message cannot be built: {e}")))?;
        Ok(message.formatted())
    })?;
    if bytes.len() > DEFAULT_MAX_MESSAGE_BYTES {
        return Err(Error::invalid(
            "message",
            format!(
                "the message is {} MB with its attachments; mail servers commonly refuse more than {} MB — send the files another way",
                bytes.len() / (1024 * 1024),
                DEFAULT_MAX_MESSAGE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

/// A mailbox whose display name is one header line whatever was typed, imported or stored by an older version:
/// lettre's header writer panics on a line break in a name (`MessageBuilder::from`/`to` have no fallible form).
fn mailbox(name: &str, email: Address) -> Mailbox {
    Mailbox::new(Some(one_line(name)).filter(|n| !n.is_empty()), email)
}

/// Runs lettre's message builder, whose header setters panic instead of failing on a value they cannot encode.
/// Every value is made one line before; this turns anything missed into an error for the officer instead of a
/// crash of the app (or of the CLI, exit 101).
fn without_panic<T>(build: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).unwrap_or_else(|_| {
        Err(Error::invalid("message", "the message cannot be built: a header value cannot be encoded"))
    })
}

/// TLS trouble shows either as a TLS error or as a network error about the peer's certificate.
fn is_tls(e: &lettre::transport::smtp::Error) -> bool {
    let text = e.to_string().to_lowercase();
    e.is_tls() || text.contains("certificate") || text.contains("tls")
}

/// Why a delivery failed, in the words an officer can act on.
fn explain(e: &lettre::transport::smtp::Error) -> (bool, String) {
    if let Some(code) = e.status() {
        let permanent = e.is_permanent();
        let what = if permanent { "rejected" } else { "refused for now" };
        return (permanent, format!("the server {what} it ({code}): {e}"));
    }
    if is_tls(e) {
        return (
            false,
            format!(
                "TLS failed: {e} (if the server's certificate comes from your organisation's own CA, set it as the CA file)"
            ),
        );
    }
    if e.is_timeout() {
        return (false, format!("the server did not answer in time: {e}"));
    }
    (false, format!("delivery failed: {e}"))
}

impl Desk {
    pub fn smtp_settings(&self) -> Result<SmtpSettings> {
        let get = |k: &str| self.store.setting(&format!("smtp.{k}"));
        Ok(SmtpSettings {
            host: get("host")?.unwrap_or_default(),
            port: get("port")?.and_then(|p| p.parse().ok()).unwrap_or(587),
            security: get("security")?.unwrap_or_else(|| "starttls".into()),
            username: get("username")?.filter(|u| !u.is_empty()),
            from: get("from")?.filter(|u| !u.is_empty()),
            ca_file: get("ca_file")?.filter(|u| !u.is_empty()),
            allow_plaintext_password: get("allow_plaintext_password")?.as_deref() == Some("true"),
        })
    }

    /// Save the server settings; with `password`, keep it in the OS keyring first (if that fails, nothing is saved).
    pub fn set_smtp_settings(&self, s: SmtpSettings, password: Option<&str>) -> Result<SmtpSettings> {
        let host = s.host.trim();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(Error::invalid("host", "give the SMTP server's host name"));
        }
        if s.port == 0 {
            return Err(Error::invalid("port", "give the SMTP port (587 for STARTTLS, 465 for TLS, 25 for a relay)"));
        }
        if !["starttls", "tls", "none"].contains(&s.security.as_str()) {
            return Err(Error::invalid("security", format!("unknown security '{}' (starttls, tls, none)", s.security)));
        }
        check_plaintext_password(&s)?;
        if let Some(from) = s.from.as_deref().filter(|f| !f.trim().is_empty()) {
            address("from", from)?;
        }
        if let Some(ca) = s.ca_file.as_deref().filter(|f| !f.trim().is_empty()) {
            let pem = crate::files::read_input(std::path::Path::new(ca.trim()), crate::files::MAX_SMALL_FILE_BYTES)
                .map_err(|e| Error::invalid("ca_file", format!("cannot read {ca}: {e}")))?;
            Certificate::from_pem(&pem)
                .map_err(|e| Error::invalid("ca_file", format!("{ca} is not a PEM certificate: {e}")))?;
        }
        let mut password_stored = false;
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            let user = s
                .username
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| Error::invalid("username", "a password needs the user name it belongs to"))?;
            password_stored = super::server_password::SMTP.keep(host, user, Some(p))?;
        }
        self.store.write(|tx| {
            let port = s.port.to_string();
            let changed = super::write::set_settings(
                tx,
                "smtp.",
                &[
                    ("host", host),
                    ("port", &port),
                    ("security", &s.security),
                    ("username", s.username.as_deref().unwrap_or("").trim()),
                    ("from", s.from.as_deref().unwrap_or("").trim()),
                    ("ca_file", s.ca_file.as_deref().unwrap_or("").trim()),
                    ("allow_plaintext_password", if s.allow_plaintext_password { "true" } else { "" }),
                ],
            )?;
            if changed.is_empty() && !password_stored {
                return Ok(());
            }
            let event = AuditEvent::SmtpSettingsChanged(ev::SmtpSettingsChanged { changed, password_stored });
            self.append_setting_event(tx, &event)
        })?;
        self.smtp_settings()
    }

    /// The sender: the SMTP "from", else the organisation's email, with the organisation's name.
    pub(super) fn sender(&self) -> Result<Mailbox> {
        let org = self.organisation()?;
        let smtp = self.smtp_settings()?;
        let from = smtp.from.filter(|f| !f.trim().is_empty()).unwrap_or(org.email.clone());
        if from.trim().is_empty() {
            return Err(Error::invalid(
                "from",
                "no sender address: set the organisation's email (Letters… → Organisation)",
            ));
        }
        Ok(mailbox(&org.name, address("from", &from)?))
    }

    /// The transport to the configured server.
    fn transport(&self) -> Result<SmtpTransport> {
        let s = self.smtp_settings()?;
        if s.host.is_empty() {
            return Err(Error::invalid(
                "host",
                "no SMTP server set (Letters… → Email server, or `rightsdesk settings smtp`)",
            ));
        }
        // Checked here too, not only when saved: a register set up before the rule, or edited, holds no consent.
        check_plaintext_password(&s)?;
        let mut tls = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let pem = crate::files::read_input(std::path::Path::new(ca), crate::files::MAX_SMALL_FILE_BYTES)?;
            tls = tls.add_root_certificate(
                Certificate::from_pem(&pem).map_err(|e| Error::invalid("ca_file", format!("{ca}: {e}")))?,
            );
        }
        let params = || tls.clone().build().map_err(|e| Error::invalid("security", format!("TLS set-up failed: {e}")));
        let mut builder = SmtpTransport::builder_dangerous(&s.host)
            .port(s.port)
            .timeout(Some(StdDuration::from_secs(30)))
            .tls(match s.security.as_str() {
                "tls" => Tls::Wrapper(params()?),
                "starttls" => Tls::Required(params()?),
                _ => Tls::None,
            });
        if let Some(user) = s.username {
            let password = super::server_password::SMTP.get(&s.host, &user)?;
            builder = builder.credentials(Credentials::new(user, password.to_string()));
        }
        Ok(builder.build())
    }

    /// Deliver every message that is due (the window's background delivery: a message that failed for now waits
    /// out its back-off). Never holds a database transaction while talking to a server.
    pub fn flush_outbox(&self) -> Result<FlushReport> {
        self.flush(false)
    }

    /// Deliver every undelivered message now, back-off or not, as Postfix's `postqueue -f` does: the officer's
    /// `mail flush` and the window's button, after fixing the server or the network. A message given up on
    /// (`failed`) still needs `mail retry` first: it was rejected or tried too often, and sending it again is a
    /// decision.
    pub fn flush_outbox_now(&self) -> Result<FlushReport> {
        self.flush(true)
    }

    fn flush(&self, every_queued: bool) -> Result<FlushReport> {
        let mut report = FlushReport::default();
        let now = store::timestamp(self.now());
        let due = self.store.read(|r| r.due_messages(&now, every_queued, 500))?;
        let mut replaced = false;
        if !due.is_empty() {
            let transport = self.transport()?;
            let copy = self.imap_settings()?.is_set();
            for item in due {
                // Claimed for long enough to send it; another app's flush leaves it alone meanwhile.
                let until = store::timestamp(self.now() + CLAIM_LEASE);
                if !self.store.write(|tx| tx.claim_message(&item.id, &now, &until))? {
                    continue;
                }
                let eml = self.store.read(|r| r.message_eml(&item.id))?;
                match self.deliver(&transport, &item, &eml) {
                    Ok(()) => {
                        replaced |= self.record_sent(&item, &eml, copy)?;
                        report.sent += 1;
                    }
                    Err((permanent, why)) => {
                        let attempts = item.attempts + 1;
                        let give_up = permanent || attempts >= MAX_ATTEMPTS;
                        let wait = Duration::minutes(1 << attempts.min(9));
                        let next = store::timestamp(self.now() + wait);
                        let state = if give_up { "failed" } else { "queued" };
                        self.store.write(|tx| tx.finish_message(&item.id, state, &next, Some(&why), None))?;
                        if give_up {
                            report.failed += 1;
                        } else {
                            report.retrying += 1;
                        }
                        report.errors.push(format!("{} to {}: {why}", item.reference, item.recipient));
                    }
                }
            }
        }
        if replaced {
            self.empty_log_of_replaced(&mut report);
        }
        self.copy_to_sent(&mut report)?;
        report.undelivered = self.store.read(|r| r.undelivered())?;
        Ok(report)
    }

    /// A secret replaced by its message's kept copy is zeroed in the database file (`secure_delete`), but the
    /// write-ahead log still holds the pages as they were until it is emptied, as after a purge. The delivery
    /// happened whatever: a log that cannot be emptied now is reported, not an error.
    fn empty_log_of_replaced(&self, report: &mut FlushReport) {
        if let Err(e) = self.store.checkpoint_wal() {
            report.errors.push(format!(
                "a delivered password is removed from the register, but its old bytes stay in the database's \
                 write-ahead log until it is emptied (the next delivery or closing the register): {e}"
            ));
        }
    }

    /// Put a copy of each sent message the mailbox's Sent folder does not have yet there (read, dated when it was
    /// sent), so that every answer is found in the mailbox. Apart from the delivery on purpose: a copy that fails
    /// is noted on its message and tried again on the next flush, and never sends anything again by SMTP.
    fn copy_to_sent(&self, report: &mut FlushReport) -> Result<()> {
        let pending = self.store.read(|r| r.pending_sent_copies(500))?;
        if pending.is_empty() {
            return Ok(());
        }
        let settings = self.imap_settings()?;
        let note =
            |item: &OutboxItem, why: &str| self.store.write(|tx| tx.set_sent_copy(&item.id, "pending", Some(why)));
        let mut imap = match self.imap_config(&settings).and_then(|c| Imap::connect(&c)) {
            Ok(imap) => imap,
            Err(e) => {
                let why = format!("the copy in the mailbox's '{}' folder waits: {e}", settings.sent_folder);
                for item in &pending {
                    note(item, &why)?;
                }
                report.errors.push(format!("{} sent message(s): {why}", pending.len()));
                return Ok(());
            }
        };
        for item in &pending {
            let eml = self.store.read(|r| r.message_eml(&item.id))?;
            let date = item.sent_at.as_deref().and_then(imap_date);
            match imap.append(&settings.sent_folder, &eml, Some("(\\Seen)"), date.as_deref()) {
                Ok(()) => {
                    self.store.write(|tx| tx.set_sent_copy(&item.id, "done", None))?;
                    report.sent_copies += 1;
                }
                Err(e) => {
                    let why = format!(
                        "the copy in the mailbox's '{}' folder failed (tried again on the next flush): {e}",
                        settings.sent_folder
                    );
                    note(item, &why)?;
                    report.errors.push(format!("{} to {}: {why}", item.reference, item.recipient));
                }
            }
        }
        imap.logout();
        Ok(())
    }

    fn deliver(
        &self,
        transport: &SmtpTransport,
        item: &OutboxItem,
        eml: &[u8],
    ) -> std::result::Result<(), (bool, String)> {
        let from = self.sender().map_err(|e| (false, e.to_string()))?;
        let to = address("email", &item.recipient).map_err(|e| (true, e.to_string()))?;
        let envelope = lettre::address::Envelope::new(Some(from.email), vec![to]).map_err(|e| (true, e.to_string()))?;
        transport.send_raw(&envelope, eml).map(|_| ()).map_err(|e| explain(&e))
    }

    /// The server accepted it: `sent`, the exact message attached to the request, an event on its timeline.
    /// With `copy` (a mailbox is set), the message waits for its copy in the Sent folder. A message with a copy to
    /// keep in its place (the emailed password of a data copy) is replaced by it in the same transaction, and that
    /// copy is what is attached and later put in the Sent folder: true then (the caller empties the log).
    fn record_sent(&self, item: &OutboxItem, eml: &[u8], copy: bool) -> Result<bool> {
        let kept = self.store.read(|r| r.message_kept(&item.id))?;
        let eml = kept.as_deref().unwrap_or(eml);
        let request_id = uuid::Uuid::parse_str(&item.request_id).map_err(|e| Error::Corrupt(e.to_string()))?;
        let name = format!("{}-{}.eml", item.reference, item.stage);
        let file = self.store_file(&self.attachments_dir(), &request_id, &name, &mut &eml[..])?;
        let now = store::timestamp(self.now());
        let recorded = self.update(&item.request_id, |_, tx| {
            tx.finish_message(&item.id, "sent", &now, None, Some(&now))?;
            tx.keep_delivered_copy(&item.id)?;
            if copy {
                tx.set_sent_copy(&item.id, "pending", None)?;
            }
            tx.insert_attachment(&request_id, &file.attachment(&now))?;
            Ok(AuditEvent::ResponseSent(ev::ResponseSent {
                message_id: item.message_id.clone(),
                stage: item.stage.clone(),
                to: item.recipient.clone(),
                subject: item.subject.clone(),
                eml: file.file_name.clone(),
                sha256: file.sha256.clone(),
                attempts: item.attempts + 1,
                dates: None,
            }))
        });
        if recorded.is_err() {
            file.remove();
        }
        recorded.map(|_| kept.is_some())
    }

    /// Try a message given up on again (after the officer fixed the address or the server).
    pub fn retry_message(&self, id: &str) -> Result<OutboxItem> {
        let now = store::timestamp(self.now());
        self.store.write(|tx| {
            let item = tx.outbox_item(id)?.ok_or_else(|| Error::not_found("message", id.to_string()))?;
            if item.state != "failed" {
                return Err(Error::refused(format!(
                    "the message is {}, not failed: only a failed message is sent again",
                    item.state
                )));
            }
            tx.finish_message(id, "queued", &now, item.last_error.as_deref(), None)?;
            Ok(OutboxItem { state: "queued".into(), next_attempt_at: now.clone(), ..item })
        })
    }

    /// Messages in the outbox, newest first (of one request, or all).
    pub fn outbox(&self, id_or_reference: Option<&str>) -> Result<Vec<OutboxItem>> {
        let id = id_or_reference.map(|r| self.store.read(|rd| rd.request(r))).transpose()?.map(|r| r.id.to_string());
        self.store.read(|r| r.outbox(id.as_deref(), 200))
    }

    /// Try the connection step by step and say exactly where it fails: DNS, TCP, TLS, authentication.
    pub fn test_smtp(&self, send_to: Option<&str>) -> Result<String> {
        let s = self.smtp_settings()?;
        if s.host.is_empty() {
            return Err(Error::invalid("host", "no SMTP server set"));
        }
        let addrs: Vec<_> = (s.host.as_str(), s.port)
            .to_socket_addrs()
            .map_err(|e| Error::invalid("host", format!("DNS: cannot resolve {}: {e}", s.host)))?
            .collect();
        let first = addrs.first().ok_or_else(|| Error::invalid("host", format!("DNS: {} has no address", s.host)))?;
        TcpStream::connect_timeout(first, StdDuration::from_secs(10))
            .map_err(|e| Error::invalid("port", format!("TCP: cannot connect to {}:{} ({e})", s.host, s.port)))?;
        let transport = self.transport()?;
        match transport.test_connection() {
            Ok(true) => {}
            Ok(false) => return Err(Error::invalid("host", "the server did not complete the SMTP greeting")),
            Err(e) if is_tls(&e) => return Err(Error::invalid("security", explain(&e).1)),
            Err(e) => return Err(Error::invalid("username", format!("SMTP (greeting or authentication): {e}"))),
        }
        let Some(to) = send_to else {
            return Ok(format!("connected to {}:{} ({}) and logged in", s.host, s.port, s.security));
        };
        let from = self.sender()?;
        let to_address = address("to", to)?;
        let message = without_panic(|| {
            Message::builder()
                .from(from)
                .to(Mailbox::new(None, to_address))
                .subject("Rightsdesk test message")
                .header(ContentType::TEXT_PLAIN)
                .body("This message confirms that Rightsdesk can send email through this server.\r\n".to_string())
                .map_err(|e| Error::invalid("to", e.to_string()))
        })?;
        transport.send(&message).map_err(|e| Error::invalid("to", explain(&e).1))?;
        Ok(format!("a test message was accepted by {} for {to}", s.host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(subject: &str) -> Rendered {
        Rendered {
            stage: "acknowledgement".into(),
            lang: "en".into(),
            subject: subject.into(),
            body: "Dear Eve,\nreceived.".into(),
            missing: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn line_breaks_in_names_and_subject_are_folded_and_never_panic() {
        // lettre's From setter panics on this name; the builder folds it first.
        let from = Mailbox::new(Some("Acme\r\nBcc: a@evil.test".into()), "privacy@acme.test".parse().unwrap());
        let built = build_message(
            &from,
            "Eve\nCc: b@evil.test",
            "eve@example.org",
            &rendered("Hi\r\nX: y"),
            &Thread::default(),
            &[],
        )
        .unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&built.bytes).unwrap();
        assert!(parsed.bcc().is_none() && parsed.cc().is_none() && parsed.header("X").is_none());
        assert_eq!(parsed.from().unwrap().first().unwrap().name(), Some("Acme Bcc: a@evil.test"));
        assert_eq!(parsed.to().unwrap().first().unwrap().name(), Some("Eve Cc: b@evil.test"));
        assert_eq!(parsed.subject(), Some("Hi X: y"));
    }

    #[test]
    fn an_answer_threads_with_bounded_references_and_says_its_mime_version() {
        let older: Vec<String> = (0..30).map(|i| format!("m{i}@example.org")).collect();
        let t = Thread::answering("<last@example.org>", &older);
        assert_eq!(t.in_reply_to.as_deref(), Some("last@example.org"));
        assert_eq!(t.references.len(), MAX_REFERENCES);
        assert_eq!(t.references.last().map(String::as_str), Some("last@example.org"));
        assert_eq!(t.references.first().map(String::as_str), Some("m11@example.org"), "the newest kept");
        // Ids that could not be written back whole are left out, never repaired into a header.
        let hostile = ["a b@x".to_string(), "x@y>\r\nBcc: e@evil.test".to_string(), "no-at".to_string()];
        assert_eq!(Thread::answering("p@x", &hostile).references, ["p@x"]);
        assert_eq!(Thread::answering("not an id", &older), Thread::default());

        let from = Mailbox::new(Some("Acme".into()), "privacy@acme.test".parse().unwrap());
        let built = build_message(&from, "Eve", "eve@example.org", &rendered("Hello"), &t, &[]).unwrap();
        let text = String::from_utf8_lossy(&built.bytes).to_string();
        assert!(text.contains("MIME-Version: 1.0\r\n"), "{text}");
        let parsed = mail_parser::MessageParser::default().parse(&built.bytes).unwrap();
        assert_eq!(parsed.in_reply_to().as_text(), Some("last@example.org"));
        assert_eq!(parsed.references().as_text_list().map(|l| l.len()), Some(MAX_REFERENCES));
        let alone = build_message(&from, "Eve", "eve@example.org", &rendered("Hi"), &Thread::default(), &[]).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&alone.bytes).unwrap();
        assert!(parsed.in_reply_to().is_empty() && parsed.references().is_empty());
    }

    #[test]
    fn the_kept_copy_is_the_same_message_without_its_secret() {
        let from = Mailbox::new(Some("Acme".into()), "privacy@acme.test".parse().unwrap());
        let secret = Rendered { body: "Its password:\n\n    abcde-fghjk-mnpqr-stuvw\n".into(), ..rendered("Password") };
        let thread = Thread::answering("<copy@acme.test>", &[]);
        let note = "Its password:\n\n    [removed]\n";
        let (built, kept) =
            build_message_and_kept_copy(&from, "Eve", "eve@example.org", &secret, &thread, note).unwrap();
        let (sent, kept) = (String::from_utf8(built.bytes).unwrap(), String::from_utf8(kept).unwrap());
        let headers = |m: &str| m.split_once("\r\n\r\n").map(|(h, _)| h.to_string()).unwrap();
        assert_eq!(headers(&sent), headers(&kept), "the same headers, Message-ID and date");
        assert!(headers(&kept).contains(&built.message_id));
        assert!(sent.contains("abcde-fghjk-mnpqr-stuvw"));
        assert!(!kept.contains("abcde-fghjk") && kept.contains("[removed]"), "{kept}");
    }

    #[test]
    fn a_delivered_secret_leaves_the_open_database_and_its_log() {
        let (_dir, desk) = crate::desk::test_support::desk_on("2026-03-20");
        let form = crate::desk::test_support::form("access", "eu-gdpr", "2026-03-02");
        let r = desk.add_request(form).unwrap().request;
        let secret = "qwert-yuiop-asdfg-hjklz";
        let mut text = rendered("Password");
        text.stage = "data-copy-password".into();
        let item = queued_item(&r, "<pw@acme.test>", &text, "eve@example.org", "2026-03-20T12:00:00Z");
        let eml = format!("Subject: Password\r\n\r\nIts password: {secret}\r\n").into_bytes();
        let kept = b"Subject: Password\r\n\r\nIts password: [removed]\r\n".to_vec();
        desk.store.write(|tx| tx.queue_message(&item, &eml, Some(&kept))).unwrap();
        desk.store.write(|tx| tx.claim_message(&item.id, "2026-03-20T12:00:00Z", "2026-03-20T12:15:00Z")).unwrap();
        let files = || {
            let db = desk.store().path().to_path_buf();
            let mut wal = db.clone().into_os_string();
            wal.push("-wal");
            [db, wal.into()].map(|f| std::fs::read(f).unwrap_or_default())
        };
        let holds = |b: &[u8]| b.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(files().iter().any(|b| holds(b)), "stored for delivery");

        // As `flush` does once the server accepted it, the register still open (the window's delivery).
        assert!(desk.record_sent(&item, &eml, false).unwrap());
        let mut report = FlushReport::default();
        desk.empty_log_of_replaced(&mut report);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(files().iter().all(|b| !holds(b)), "neither the database file nor its log holds it");
        assert_eq!(desk.store.read(|r| r.message_eml(&item.id)).unwrap(), kept);
        assert_eq!(desk.store.read(|r| r.message_kept(&item.id)).unwrap(), None);
        fn read_all(dir: &std::path::Path, into: &mut Vec<Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { read_all(&path, into) } else { into.push(std::fs::read(path).unwrap()) }
            }
        }
        let mut attached = vec![];
        read_all(desk.files_dir(), &mut attached);
        assert!(attached.iter().all(|b| !holds(b)) && attached.contains(&kept), "the .eml is the kept copy");
    }

    #[test]
    fn the_reference_is_in_every_subject_once() {
        assert_eq!(subject_with_reference("Your request", "RD-2026-0007"), "Your request [RD-2026-0007]");
        assert_eq!(subject_with_reference("Answer (rd-2026-0007)", "RD-2026-0007"), "Answer (rd-2026-0007)");
        assert_eq!(subject_with_reference("", "RD-2026-0007"), "[RD-2026-0007]");
    }

    #[test]
    fn a_panic_in_the_builder_is_an_error() {
        let e = without_panic::<()>(|| panic!("lettre could not encode a header")).unwrap_err();
        assert_eq!(e.field(), Some("message"));
    }

    #[test]
    fn a_login_without_tls_needs_the_officers_consent() {
        let s = SmtpSettings { host: "relay".into(), port: 25, security: "none".into(), ..Default::default() };
        assert!(check_plaintext_password(&s).is_ok(), "no login: nothing to protect");
        let login = SmtpSettings { username: Some("dpo".into()), ..s.clone() };
        assert_eq!(check_plaintext_password(&login).unwrap_err().field(), Some("security"));
        assert!(check_plaintext_password(&SmtpSettings { allow_plaintext_password: true, ..login.clone() }).is_ok());
        assert!(check_plaintext_password(&SmtpSettings { security: "starttls".into(), ..login }).is_ok());
    }
}
