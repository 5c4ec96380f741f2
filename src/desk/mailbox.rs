//! The privacy mailbox (issue 20): the organisation's IMAP folder read into the register. Each pass takes every new
//! message once (its folder, UIDVALIDITY and UID are recorded in the same transaction as the message), and only then
//! moves or flags it on the server; a pass that stopped between the two finishes the move first on the next run, so
//! a crash neither loses a message nor takes one twice. A reply to a request (In-Reply-To/References naming a
//! message we sent or one already given to a request, or the request's reference in the subject from the
//! requester's own address) goes to that request at once, the message and each file it carries as attachments, one
//! `mail_received` event; a message from a blocked sender is spam; anything else waits in the intake tray for the
//! officer: made a request (prefilled from the message; received on the server's date), linked to a request, or set
//! aside (not a request, spam) — a `mail_set_aside` event of the register, and no copy kept.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Desk;
use super::files::StoredFile;
use super::requests::{NewRequest, RequestDetail};
use super::write::append_register;
use crate::domain::event::{self as ev, AuditEvent, FileRef};
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::intake::{EmailDraft, eml};
use crate::mailbox::imap::{Fetched, Imap, ImapConfig};
use crate::store::{self, MailMessage};

/// The password of the mailbox where there is no OS keyring (scripts, servers).
pub const IMAP_PASSWORD_ENV: &str = "RIGHTSDESK_IMAP_PASSWORD";
/// Messages taken in one pass at most (the next pass takes the rest).
const PASS_LIMIT: usize = 500;
/// Where messages of the tray are kept in the register's folder.
const MAILBOX_DIR: &str = "mailbox";

/// How the mailbox is reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    /// `tls` (implicit, port 993) or `starttls` (port 143): the password never crosses the network in clear.
    pub security: String,
    pub username: String,
    /// The folder requests arrive in.
    pub folder: String,
    /// Where handled messages go; none: they stay, flagged as handled (and read).
    pub done_folder: Option<String>,
    /// A certificate authority to trust besides the system's (an internal mail server), as a PEM file.
    pub ca_file: Option<String>,
    /// Where a copy of each message sent by email is kept (default `Sent`), so every answer is in the mailbox.
    pub sent_folder: String,
    /// Minutes between two checks of the mailbox (1 to 60; 0: the default, 1). New mail a server announces (IMAP
    /// IDLE) is taken at once whatever this says; a server that announces nothing, or limits logins, is checked at
    /// this pace.
    pub poll_minutes: u32,
}

/// Minutes between two checks of the mailbox unless set.
pub const DEFAULT_POLL_MINUTES: u32 = 1;

/// The Sent folder when none is set: the name most servers (and Dovecot's defaults) give it.
pub const DEFAULT_SENT_FOLDER: &str = "Sent";

impl ImapSettings {
    pub fn is_set(&self) -> bool {
        !self.host.is_empty()
    }
}

/// What one pass over the mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FetchReport {
    /// Messages taken this pass (replies, tray and spam together).
    pub taken: u32,
    /// Replies given to their requests.
    pub replies: u32,
    /// New messages waiting in the intake tray (this pass).
    pub tray: u32,
    /// From blocked senders.
    pub spam: u32,
    /// Messages waiting in the tray now, all passes.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub waiting: u64,
    /// What went wrong with single messages (each left on the server to be tried again or handled there).
    pub errors: Vec<String>,
}

/// The mailbox to wait on, apart from the register (which may be locked meanwhile).
pub struct MailWatch {
    config: ImapConfig,
    folder: String,
}

impl MailWatch {
    /// Wait up to `wait` for the server to announce new mail in the folder (IMAP IDLE); without IDLE, wait the time
    /// out (the caller fetches anyway). True when something arrived.
    pub fn wait(&self, wait: std::time::Duration) -> Result<bool> {
        let mut imap = Imap::connect(&self.config)?;
        imap.select(&self.folder)?;
        let woken = if imap.has_idle()? {
            imap.idle(wait)?
        } else {
            std::thread::sleep(wait);
            false
        };
        imap.logout();
        Ok(woken)
    }
}

/// A message of the mailbox as the window shows it: the record, and what the request form would be prefilled with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailView {
    pub message: MailMessage,
    /// The form prefilled from the message (none once its copy is gone: set aside).
    pub draft: Option<EmailDraft>,
}

fn read_ca(ca: &str) -> Result<Vec<u8>> {
    crate::files::read_input(std::path::Path::new(ca.trim()), crate::files::MAX_SMALL_FILE_BYTES)
        .map_err(|e| Error::invalid("ca_file", format!("cannot read {ca}: {e}")))
}

/// The file name a message is attached under: its day and subject.
fn message_file_name(m: &MailMessage) -> String {
    let subject: String = m.subject.chars().filter(|c| c.is_alphanumeric() || " -_".contains(*c)).take(60).collect();
    let subject = subject.trim();
    let day = m.received_at.get(..10).unwrap_or("message");
    if subject.is_empty() { format!("{day} message.eml") } else { format!("{day} {subject}.eml") }
}

/// The record of a message just taken from `folder`, waiting in the tray, before what it says is filled in.
fn newly_taken(folder: &str, uidvalidity: u32, uid: u32, received_at: &str, now: &str) -> MailMessage {
    MailMessage {
        id: Uuid::now_v7().to_string(),
        folder: folder.into(),
        uidvalidity,
        uid,
        message_id: None,
        in_reply_to: None,
        references: vec![],
        sender: String::new(),
        sender_name: String::new(),
        subject: String::new(),
        received_at: received_at.into(),
        size: 0,
        sha256: String::new(),
        stored_name: String::new(),
        kind_guess: None,
        lang_guess: None,
        attachments: vec![],
        problem: None,
        state: "tray".into(),
        request_id: None,
        reference: None,
        reason: None,
        taken_at: now.into(),
        decided_at: None,
        decided_by: None,
        done_on_server: false,
    }
}

/// A reference (`RD-2026-0042`) named in a subject.
fn references_in(subject: &str) -> Vec<String> {
    subject
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() == 3
                && parts[0].eq_ignore_ascii_case("RD")
                && parts[1].len() == 4
                && parts[1].chars().all(|c| c.is_ascii_digit())
                && !parts[2].is_empty()
                && parts[2].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_ascii_uppercase)
        .collect()
}

impl Desk {
    pub fn imap_settings(&self) -> Result<ImapSettings> {
        let get = |k: &str| self.store.setting(&format!("imap.{k}"));
        Ok(ImapSettings {
            host: get("host")?.unwrap_or_default(),
            port: get("port")?.and_then(|p| p.parse().ok()).unwrap_or(993),
            security: get("security")?.unwrap_or_else(|| "tls".into()),
            username: get("username")?.unwrap_or_default(),
            folder: get("folder")?.filter(|f| !f.is_empty()).unwrap_or_else(|| "INBOX".into()),
            done_folder: get("done_folder")?.filter(|f| !f.is_empty()),
            ca_file: get("ca_file")?.filter(|f| !f.is_empty()),
            sent_folder: get("sent_folder")?.filter(|f| !f.is_empty()).unwrap_or_else(|| DEFAULT_SENT_FOLDER.into()),
            poll_minutes: get("poll_minutes")?.and_then(|m| m.parse().ok()).unwrap_or(DEFAULT_POLL_MINUTES),
        })
    }

    /// Save the mailbox settings; with `password`, keep it in the OS keyring first (if that fails, nothing is saved).
    pub fn set_imap_settings(&self, s: ImapSettings, password: Option<&str>) -> Result<ImapSettings> {
        let host = s.host.trim();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(Error::invalid("host", "give the IMAP server's host name"));
        }
        if s.port == 0 {
            return Err(Error::invalid("port", "give the IMAP port (993 for TLS, 143 for STARTTLS)"));
        }
        if !["tls", "starttls"].contains(&s.security.as_str()) {
            return Err(Error::invalid(
                "security",
                format!("unknown security '{}': tls or starttls (the mailbox is never read without TLS)", s.security),
            ));
        }
        let user = s.username.trim();
        if user.is_empty() {
            return Err(Error::invalid("username", "give the mailbox's user name"));
        }
        let folder = s.folder.trim();
        let done = s.done_folder.as_deref().map(str::trim).filter(|f| !f.is_empty());
        if folder.is_empty() || done == Some(folder) {
            return Err(Error::invalid(
                "folder",
                "give the folder requests arrive in (and a different one for handled mail)",
            ));
        }
        let sent = Some(s.sent_folder.trim()).filter(|f| !f.is_empty()).unwrap_or(DEFAULT_SENT_FOLDER);
        if sent == folder {
            return Err(Error::invalid(
                "sent_folder",
                "the Sent folder cannot be the folder requests arrive in: copies of answers would be taken as mail",
            ));
        }
        let poll = if s.poll_minutes == 0 { DEFAULT_POLL_MINUTES } else { s.poll_minutes };
        if !(1..=60).contains(&poll) {
            return Err(Error::invalid("poll_minutes", "check the mailbox every 1 to 60 minutes"));
        }
        if let Some(ca) = s.ca_file.as_deref().filter(|f| !f.trim().is_empty()) {
            let pem = read_ca(ca)?;
            if !String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE") {
                return Err(Error::invalid("ca_file", format!("{ca} is not a PEM certificate")));
            }
        }
        let password_stored = super::server_password::IMAP.keep(host, user, password)?;
        self.store.write(|tx| {
            let port = s.port.to_string();
            let poll = poll.to_string();
            let changed = super::write::set_settings(
                tx,
                "imap.",
                &[
                    ("host", host),
                    ("port", &port),
                    ("security", &s.security),
                    ("username", user),
                    ("folder", folder),
                    ("done_folder", done.unwrap_or("")),
                    ("ca_file", s.ca_file.as_deref().unwrap_or("").trim()),
                    ("sent_folder", sent),
                    ("poll_minutes", &poll),
                ],
            )?;
            if changed.is_empty() && !password_stored {
                return Ok(());
            }
            self.append_setting_event(
                tx,
                &AuditEvent::ImapSettingsChanged(ev::ImapSettingsChanged { changed, password_stored }),
            )
        })?;
        self.imap_settings()
    }

    pub(super) fn imap_config(&self, s: &ImapSettings) -> Result<ImapConfig> {
        if !s.is_set() {
            return Err(Error::invalid(
                "host",
                "no mailbox set (Letters… → Privacy mailbox, or `rightsdesk settings imap`)",
            ));
        }
        let password = super::server_password::IMAP.get(&s.host, &s.username)?;
        Ok(ImapConfig {
            host: s.host.clone(),
            port: s.port,
            starttls: s.security == "starttls",
            username: s.username.clone(),
            password,
            ca_pem: s.ca_file.as_deref().map(read_ca).transpose()?,
        })
    }

    /// What it takes to wait for new mail without holding the register (the window's IMAP IDLE thread): none when
    /// no mailbox is set.
    pub fn mailbox_watch(&self) -> Result<Option<MailWatch>> {
        let settings = self.imap_settings()?;
        if !settings.is_set() {
            return Ok(None);
        }
        Ok(Some(MailWatch { config: self.imap_config(&settings)?, folder: settings.folder }))
    }

    /// One pass over the mailbox: finish what a stopped pass left (stored, not yet moved), then take every new
    /// message, oldest first.
    pub fn fetch_mail(&self) -> Result<FetchReport> {
        let settings = self.imap_settings()?;
        let mut imap = Imap::connect(&self.imap_config(&settings)?)?;
        let folder = settings.folder.as_str();
        let done = settings.done_folder.as_deref();
        let validity = imap.select(folder)?;
        let mut report = FetchReport::default();
        for (id, uid) in self.store.read(|r| r.mail_not_done(folder, validity))? {
            imap.mark_done(uid, done)?;
            self.store.write(|tx| tx.mark_mail_done(&id))?;
        }
        let last = self.store.read(|r| r.mail_last_uid(folder, validity))?;
        for uid in imap.uids_after(last, done.is_none())?.into_iter().take(PASS_LIMIT) {
            if self.store.read(|r| r.mail_taken(folder, validity, uid))? {
                continue;
            }
            let taken = match imap.fetch(uid, eml::MAX_EML_BYTES) {
                // A message that cannot be read is listed with why, not tried again every minute.
                Ok(Some(fetched)) => self.take(folder, validity, &fetched).or_else(|e| match e {
                    Error::Invalid { message, .. } => self.take_problem(folder, validity, uid, &message),
                    other => Err(other),
                }),
                Ok(None) => continue,
                Err(Error::Invalid { message, .. }) => self.take_problem(folder, validity, uid, &message),
                Err(e) => return Err(e),
            };
            match taken {
                Ok((id, state)) => {
                    report.taken += 1;
                    match state {
                        "reply" => report.replies += 1,
                        "spam" => report.spam += 1,
                        _ => report.tray += 1,
                    }
                    imap.mark_done(uid, done)?;
                    self.store.write(|tx| tx.mark_mail_done(&id))?;
                }
                // Another officer's app took it a moment before (a team register): its folder, UIDVALIDITY and UID
                // are stored once, so it is theirs to mark on the server.
                Err(Error::Constraint(_)) if self.store.read(|r| r.mail_taken(folder, validity, uid))? => {}
                Err(e) => report.errors.push(format!("message {uid}: {e}")),
            }
        }
        imap.logout();
        report.waiting = self.store.read(|r| r.mail_count("tray"))?;
        Ok(report)
    }

    /// Store one fetched message and decide where it goes; its id and state.
    fn take(&self, folder: &str, validity: u32, fetched: &Fetched) -> Result<(String, &'static str)> {
        let draft = eml::read_email(&fetched.bytes)?;
        let parts = eml::read_parts(&fetched.bytes)?;
        let now = store::timestamp(self.now());
        let id = Uuid::now_v7();
        let mut message = MailMessage {
            id: id.to_string(),
            message_id: draft.message_id.clone(),
            in_reply_to: parts.in_reply_to.clone(),
            references: parts.references.clone(),
            sender: draft.email.clone().unwrap_or_default(),
            sender_name: draft.name.clone(),
            subject: draft.subject.clone(),
            size: fetched.bytes.len() as u64,
            sha256: sha256_hex(&fetched.bytes),
            kind_guess: draft.kind_guess.as_ref().map(|g| g.kind.id().to_string()),
            lang_guess: draft.language_guess.clone(),
            attachments: parts.attachments.iter().map(|(n, _)| n.clone()).collect(),
            ..newly_taken(folder, validity, fetched.uid, &store::timestamp(fetched.received), &now)
        };
        if let Some(request) = self.reply_to(&message, &parts.answers)? {
            message.state = "reply".into();
            message.request_id = Some(request.clone());
            match self.give_to_request(&request, &message, &fetched.bytes, &parts.attachments, "reply") {
                Ok(_) => return Ok((message.id, "reply")),
                // A purged or missing request takes nothing: the message waits in the tray instead.
                Err(Error::Refused { .. } | Error::NotFound { .. }) => {
                    message.state = "tray".into();
                    message.request_id = None;
                }
                Err(e) => return Err(e),
            }
        }
        let blocked = !message.sender.is_empty() && self.store.read(|r| r.blocked_sender(&message.sender))?.is_some();
        if blocked {
            // Spam from a blocked sender keeps no copy, as a message set aside by hand.
            message.state = "spam".into();
            message.reason = Some("sent from a blocked address".into());
            message.decided_at = Some(now.clone());
            message.decided_by = Some(self.actor.clone());
            self.store.write(|tx| {
                tx.insert_mail_message(&message)?;
                let event = ev::MailSetAside {
                    decision: "spam".into(),
                    sender: message.sender.clone(),
                    subject: message.subject.clone(),
                    reason: message.reason.clone(),
                    blocked: true,
                };
                append_register(tx, &now, &self.actor, &AuditEvent::MailSetAside(event))
            })?;
            return Ok((message.id, "spam"));
        }
        let file = self.store_file(&self.files_dir().join(MAILBOX_DIR), &id, "message.eml", &mut &fetched.bytes[..])?;
        message.stored_name = format!("{MAILBOX_DIR}/{}", file.stored_name);
        if let Err(e) = self.store.write(|tx| tx.insert_mail_message(&message)) {
            file.remove();
            return Err(e);
        }
        Ok((message.id, "tray"))
    }

    /// A message that cannot be taken (over the size limit, not readable as an email): recorded in the tray with
    /// why, left on the server to be handled there.
    fn take_problem(&self, folder: &str, validity: u32, uid: u32, why: &str) -> Result<(String, &'static str)> {
        let now = store::timestamp(self.now());
        let message = MailMessage {
            problem: Some(format!("{why}: open it in your mail program")),
            ..newly_taken(folder, validity, uid, &now, &now)
        };
        self.store.write(|tx| tx.insert_mail_message(&message))?;
        Ok((message.id, "tray"))
    }

    /// The request a message answers: by its threading headers, else by a reference in its subject when it comes
    /// from the requester's (or their agent's) own address.
    fn reply_to(&self, m: &MailMessage, answers: &[String]) -> Result<Option<String>> {
        if let Some(found) = self.store.read(|r| r.request_of_message_ids(answers))? {
            return Ok(Some(found));
        }
        for reference in references_in(&m.subject) {
            let Ok(request) = self.store.read(|r| r.request(&reference)) else { continue };
            let from = |e: &Option<String>| e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&m.sender));
            let agent = request.agent.as_ref().map(|a| a.email.clone());
            if !m.sender.is_empty() && (from(&request.requester.email) || agent.as_ref().is_some_and(from)) {
                return Ok(Some(request.id.to_string()));
            }
        }
        Ok(None)
    }

    /// Attach the message and each file it carries to the request, with one `mail_received` event; the message's
    /// record is written (or updated, `decide`) in the same transaction.
    fn give_to_request(
        &self,
        request: &str,
        m: &MailMessage,
        bytes: &[u8],
        attachments: &[(String, Vec<u8>)],
        how: &str,
    ) -> Result<RequestDetail> {
        let request_id = self.store.read(|r| r.request(request))?.id;
        let files = self.store_message_files(&request_id, m, bytes, attachments)?;
        let at = store::timestamp(self.now());
        let written = self.update(request, |r, tx| self.record_given(tx, &r.id, m, &files, how, &at));
        if written.is_err() {
            files.iter().for_each(StoredFile::remove);
        }
        written
    }

    /// The message and each file it carries, stored as files of the request (all, or none).
    fn store_message_files(
        &self,
        request_id: &Uuid,
        m: &MailMessage,
        bytes: &[u8],
        attachments: &[(String, Vec<u8>)],
    ) -> Result<Vec<StoredFile>> {
        let mut files: Vec<StoredFile> = vec![];
        let root = self.attachments_dir();
        let stored = (|| {
            files.push(self.store_file(&root, request_id, &message_file_name(m), &mut &bytes[..])?);
            for (name, content) in attachments {
                files.push(self.store_file(&root, request_id, name, &mut &content[..])?);
            }
            Ok::<_, Error>(())
        })();
        match stored {
            Ok(()) => Ok(files),
            Err(e) => {
                files.iter().for_each(StoredFile::remove);
                Err(e)
            }
        }
    }

    /// In `tx`: the message's record (new for a reply, decided for the tray's) and its files as attachments; the
    /// `mail_received` event to append.
    fn record_given(
        &self,
        tx: &dyn store::Write,
        request_id: &Uuid,
        m: &MailMessage,
        files: &[StoredFile],
        how: &str,
        at: &str,
    ) -> Result<AuditEvent> {
        match how {
            "reply" => tx.insert_mail_message(m)?,
            state => tx.decide_mail(&m.id, state, Some(&request_id.to_string()), None, at, &self.actor)?,
        }
        for f in files {
            tx.insert_attachment(request_id, &f.attachment(at))?;
        }
        Ok(AuditEvent::MailReceived(ev::MailReceived {
            how: how.into(),
            from: m.sender.clone(),
            subject: m.subject.clone(),
            message_id: m.message_id.clone(),
            received_at: m.received_at.clone(),
            files: files
                .iter()
                .map(|f| FileRef { file_name: f.file_name.clone(), sha256: f.sha256.clone(), size: f.size })
                .collect(),
        }))
    }

    /// The intake tray: messages waiting for the officer, newest first.
    pub fn mail_tray(&self, limit: u32) -> Result<Vec<MailMessage>> {
        self.store.read(|r| r.mail_messages(Some("tray"), None, limit.clamp(1, 1000)))
    }

    /// The messages of one request (its thread, in and out: the outbox has the rest), newest first.
    pub fn request_mail(&self, reference: &str) -> Result<Vec<MailMessage>> {
        let id = self.store.read(|r| r.request(reference))?.id.to_string();
        self.store.read(|r| r.mail_messages(None, Some(&id), 1000))
    }

    fn tray_message(&self, id: &str) -> Result<MailMessage> {
        let m = self.store.read(|r| r.mail_message(id))?.ok_or_else(|| Error::not_found("message", id))?;
        if m.state != "tray" {
            let whom = m.reference.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
            return Err(Error::refused(format!("this message was handled already: {}{whom}", m.state)));
        }
        Ok(m)
    }

    /// The message's bytes, kept in the register's folder while it waits.
    fn tray_bytes(&self, m: &MailMessage) -> Result<Vec<u8>> {
        if m.stored_name.is_empty() {
            return Err(Error::refused(match &m.problem {
                Some(p) => format!("this message was not taken: {p}"),
                None => "this message keeps no copy".to_string(),
            }));
        }
        self.read_stored(&self.files_dir().join(&m.stored_name), eml::MAX_EML_BYTES)
    }

    /// One message with the request form prefilled from it.
    pub fn mail_view(&self, id: &str) -> Result<MailView> {
        let message = self.store.read(|r| r.mail_message(id))?.ok_or_else(|| Error::not_found("message", id))?;
        let draft = if message.stored_name.is_empty() {
            None
        } else {
            let mut draft = eml::read_email(&self.tray_bytes(&message)?)?;
            // The server's date of receipt, as for every request taken from the mailbox.
            draft.received = crate::dates::parse(message.received_at.get(..10).unwrap_or_default()).ok();
            draft.received_from = "the date the mailbox received it".into();
            Some(draft)
        };
        Ok(MailView { message, draft })
    }

    /// Make a request of a message in the tray: `input` as the form has it, what it leaves empty taken from the
    /// message (its sender, the server's date of receipt, its text, the guessed kind and language, channel email).
    pub fn accept_mail(&self, id: &str, mut input: NewRequest) -> Result<RequestDetail> {
        let m = self.tray_message(id)?;
        let bytes = self.tray_bytes(&m)?;
        let draft = eml::read_email(&bytes)?;
        let parts = eml::read_parts(&bytes)?;
        let fill = |v: &mut String, with: &str| {
            if v.trim().is_empty() {
                *v = with.to_string();
            }
        };
        fill(&mut input.name, &draft.name);
        fill(&mut input.received, m.received_at.get(..10).unwrap_or_default());
        if let Some(kind) = &m.kind_guess {
            fill(&mut input.kind, kind);
        }
        input.email = input.email.filter(|e| !e.trim().is_empty()).or(draft.email.clone());
        input.description = input.description.filter(|d| !d.trim().is_empty()).or(Some(draft.description.clone()));
        input.language = input.language.filter(|l| !l.trim().is_empty()).or(draft.language_guess.clone());
        input.channel = input.channel.filter(|c| !c.trim().is_empty()).or(Some("email".into()));
        // One transaction: the request, its files and the message's decision, or nothing (no request without its
        // message, no message taken twice).
        let mut r = self.validate(input)?;
        (r.dates, _) = self.derive(&r)?;
        let files = self.store_message_files(&r.id, &m, &bytes, &parts.attachments)?;
        let at = store::timestamp(r.created_at);
        let written = self.store.write(|tx| {
            self.insert_new(tx, &mut r, &at)?;
            let event = self.record_given(tx, &r.id, &m, &files, "accepted", &at)?;
            self.append(tx, &r.id, &at, &event)
        });
        if let Err(e) = written {
            files.iter().for_each(StoredFile::remove);
            return Err(e);
        }
        self.remove_tray_copy(&m);
        self.request(&r.reference)
    }

    /// Give a message of the tray to an existing request (a reply the headers did not tell, a letter's scan by
    /// email, the identity document sent separately).
    pub fn link_mail(&self, id: &str, reference: &str) -> Result<RequestDetail> {
        let m = self.tray_message(id)?;
        let bytes = self.tray_bytes(&m)?;
        let parts = eml::read_parts(&bytes)?;
        let given = self.give_to_request(reference, &m, &bytes, &parts.attachments, "linked")?;
        self.remove_tray_copy(&m);
        Ok(given)
    }

    /// Set a message of the tray aside: not a request (`reason` required), or spam (its sender blocked on request).
    /// Its copy is deleted; the record keeps who sent it, the subject and the decision.
    pub fn set_mail_aside(
        &self,
        id: &str,
        spam: bool,
        reason: Option<&str>,
        block_sender: bool,
    ) -> Result<MailMessage> {
        let m = self.tray_message(id)?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !spam && reason.is_none() {
            return Err(Error::invalid("reason", "say why this message is not a request"));
        }
        if let Some(r) = reason {
            super::check_len("reason", r, 500)?;
        }
        if block_sender && m.sender.is_empty() {
            return Err(Error::invalid("block_sender", "this message has no sender address to block"));
        }
        let at = store::timestamp(self.now());
        let decision = if spam { "spam" } else { "dismissed" };
        self.store.write(|tx| {
            tx.decide_mail(&m.id, decision, None, reason, &at, &self.actor)?;
            if spam && block_sender && tx.blocked_sender(&m.sender)?.is_none() {
                tx.block_sender(&m.sender, "spam in the privacy mailbox", &at, &self.actor)?;
            }
            let event = ev::MailSetAside {
                decision: decision.into(),
                sender: m.sender.clone(),
                subject: m.subject.clone(),
                reason: reason.map(str::to_string),
                blocked: spam && block_sender,
            };
            append_register(tx, &at, &self.actor, &AuditEvent::MailSetAside(event))
        })?;
        self.remove_tray_copy(&m);
        self.store.read(|r| r.mail_message(id))?.ok_or_else(|| Error::not_found("message", id))
    }

    /// The tray's copy of a message, once it has a request or was set aside (a crash before leaves an unreferenced
    /// file in `mailbox/`, never a referenced one missing).
    fn remove_tray_copy(&self, m: &MailMessage) {
        if m.stored_name.is_empty() {
            return;
        }
        let path = self.files_dir().join(&m.stored_name);
        let _ = self.remove_stored(&path);
        if !self.files_on_server()
            && let Some(dir) = path.parent()
        {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_found_in_a_subject() {
        assert_eq!(references_in("Re: Your request RD-2026-0042 (access)"), ["RD-2026-0042"]);
        assert_eq!(references_in("AW: [rd-2025-7]"), ["RD-2025-7"]);
        assert!(references_in("RD-26-0042 or RD-2026- or XRD-2026-0001x").is_empty());
    }
}
