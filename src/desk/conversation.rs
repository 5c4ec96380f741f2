//! The conversation with the requester (issue 20): any message of a request read whole — one the mailbox brought
//! (kept as the request's .eml attachment) or one sent from the outbox (its exact bytes, kept with the outbox) —
//! and a written answer to any of them, built, threaded and queued as a template's answer is.

use serde::{Deserialize, Serialize};

use super::mail::{Thread, build_message, subject_with_reference};
use super::write::not_purged;
use super::{Desk, check_len};
use crate::domain::Request;
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::intake::eml;
use crate::respond::{Rendered, one_line};
use crate::store::{Attachment, MailMessage, OutboxItem};

/// The most of a message's text the conversation shows (the rest is in its .eml, attached to the request).
pub const MAX_SHOWN_CHARS: usize = 50_000;
/// The longest written answer (as a template's text).
pub const MAX_ANSWER_CHARS: usize = 50_000;
/// The stage a written answer is recorded under in the outbox and the audit trail (no template has it).
pub const FREE_TEXT_STAGE: &str = "free-text";

/// A file a message carries, and the request's attachment that holds it (matched by SHA-256), if any.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MessageFile {
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: u64,
    pub sha256: String,
    pub attachment_id: Option<String>,
}

/// One message of the conversation, as the officer reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationText {
    /// The message's id: of the mailbox's record (`in`) or of the outbox (`out`).
    pub id: String,
    /// `in` (from the mailbox) or `out` (sent, or queued, from the outbox).
    pub way: String,
    /// Of a message going out: the outbox's `queued`, `sending`, `sent` or `failed`.
    pub state: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// When the mailbox received it (`in`), or when it was sent, else queued (`out`); RFC 3339.
    pub at: String,
    /// The message's own Date header (RFC 3339), when it has one.
    pub date: Option<String>,
    /// What it says (none when it cannot be read: `gone` says why).
    pub text: Option<String>,
    /// The text was longer than the conversation shows; the whole message is the attachment `eml_attachment_id`.
    pub truncated: bool,
    /// Why the text cannot be shown: purged at the end of the retention period, or its file missing.
    pub gone: Option<String>,
    pub files: Vec<MessageFile>,
    /// The request's attachment that is the message itself (.eml), if any.
    pub eml_attachment_id: Option<String>,
    /// The subject a written answer to it gets unless the officer changes it (a message received: "Re: …" once).
    pub reply_subject: Option<String>,
}

impl ConversationText {
    /// What the record alone says (the message's bytes not read yet, or gone).
    fn of_record(m: &MailMessage) -> ConversationText {
        let from = match (m.sender_name.trim(), m.sender.trim()) {
            ("", address) => address.to_string(),
            (name, "") => name.to_string(),
            (name, address) => format!("{name} <{address}>"),
        };
        ConversationText {
            id: m.id.clone(),
            way: "in".into(),
            state: None,
            from,
            to: vec![],
            cc: vec![],
            subject: m.subject.clone(),
            at: m.received_at.clone(),
            date: None,
            text: None,
            truncated: false,
            gone: None,
            files: m
                .attachments
                .iter()
                .map(|name| MessageFile { name: name.clone(), size: 0, sha256: String::new(), attachment_id: None })
                .collect(),
            eml_attachment_id: None,
            reply_subject: Some(reply_subject(&m.subject)),
        }
    }

    /// The record filled in with what the message's bytes say.
    fn read(mut self, bytes: &[u8], attachments: &[Attachment]) -> ConversationText {
        match eml::read_message(bytes, MAX_SHOWN_CHARS) {
            Ok(c) => {
                self.from = if c.from.is_empty() { self.from } else { c.from };
                self.to = c.to;
                self.cc = c.cc;
                self.subject = if c.subject.is_empty() { self.subject } else { c.subject };
                self.date = c.date;
                self.text = Some(c.text);
                self.truncated = c.truncated;
                self.files = c
                    .files
                    .iter()
                    .map(|(name, content)| {
                        let sha256 = sha256_hex(content);
                        MessageFile {
                            attachment_id: attachment_of(attachments, &sha256, Some(name)),
                            name: name.clone(),
                            size: content.len() as u64,
                            sha256,
                        }
                    })
                    .collect();
            }
            Err(e) => self.gone = Some(format!("the message cannot be read: {e}")),
        }
        self
    }
}

/// The request's attachment with this content (the one of the same name first: the same file sent twice).
fn attachment_of(attachments: &[Attachment], sha256: &str, name: Option<&str>) -> Option<String> {
    if sha256.is_empty() {
        return None;
    }
    let same: Vec<&Attachment> = attachments.iter().filter(|a| a.sha256 == sha256).collect();
    same.iter().find(|a| Some(a.file_name.as_str()) == name).or(same.first()).map(|a| a.id.clone())
}

/// "Re: " before what is answered, once (a subject that answers already keeps its own prefix).
fn reply_subject(subject: &str) -> String {
    let subject = one_line(subject);
    let lower = subject.to_lowercase();
    // The prefixes mail programs write in the requester's languages (en, fr, nl, de): "Re: AW: …" is not made.
    if ["re:", "aw:", "antw:", "réf:", "ref:", "sv:", "wg:", "tr:"].iter().any(|p| lower.starts_with(p)) {
        return subject;
    }
    if subject.is_empty() { subject } else { format!("Re: {subject}") }
}

impl Desk {
    /// One message of a request's conversation read whole: one the mailbox brought (`in`: its id in `request mail`)
    /// or one of its outbox (`out`: its id in `mail outbox`). A message whose copy was purged or is missing says so
    /// in `gone` instead of failing.
    pub fn conversation_message(&self, reference: &str, id: &str) -> Result<ConversationText> {
        let r = self.store.read(|rd| rd.request(reference))?;
        let request_id = r.id.to_string();
        let attachments = self.store.read(|rd| rd.attachments(&r.id))?;
        let id = id.trim();
        if let Some(m) = self.store.read(|rd| rd.mail_message(id))? {
            if m.request_id.as_deref() != Some(request_id.as_str()) {
                return Err(not_ours(id, &r));
            }
            return Ok(self.incoming(&r, &m, &attachments));
        }
        let item = self.store.read(|rd| rd.outbox_item(id))?.ok_or_else(|| Error::not_found("message", id))?;
        if item.request_id != request_id {
            return Err(not_ours(id, &r));
        }
        self.outgoing(&item, &attachments)
    }

    fn incoming(&self, r: &Request, m: &MailMessage, attachments: &[Attachment]) -> ConversationText {
        let mut shown = ConversationText::of_record(m);
        if r.purged_at.is_some() || m.sha256.is_empty() {
            shown.gone = Some("what this message said was purged at the end of the retention period".into());
            return shown;
        }
        // The message was attached to the request under its own name, with its own digest.
        let Some(file) = attachments.iter().find(|a| a.sha256 == m.sha256 && a.file_name.ends_with(".eml")) else {
            shown.gone = Some("the message's file is missing: it is not among the request's files".into());
            return shown;
        };
        shown.eml_attachment_id = Some(file.id.clone());
        let path = self.attachments_dir().join(&file.stored_name);
        match self.read_stored(&path, eml::MAX_EML_BYTES) {
            Ok(bytes) => shown.read(&bytes, attachments),
            Err(e) => {
                let missing = matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound);
                shown.gone = Some(if missing {
                    format!("the message's file ({}) is missing from the register's folder", file.file_name)
                } else {
                    format!("the message's file ({}) cannot be read: {e}", file.file_name)
                });
                shown
            }
        }
    }

    fn outgoing(&self, item: &OutboxItem, attachments: &[Attachment]) -> Result<ConversationText> {
        let bytes = self.store.read(|rd| rd.message_eml(&item.id))?;
        let record = ConversationText {
            id: item.id.clone(),
            way: "out".into(),
            state: Some(item.state.clone()),
            from: String::new(),
            to: vec![item.recipient.clone()],
            cc: vec![],
            subject: item.subject.clone(),
            at: item.sent_at.clone().unwrap_or_else(|| item.created_at.clone()),
            date: None,
            text: None,
            truncated: false,
            gone: None,
            files: vec![],
            // Once sent, the exact message is attached to the request.
            eml_attachment_id: attachment_of(attachments, &sha256_hex(&bytes), None),
            reply_subject: None,
        };
        Ok(record.read(&bytes, attachments))
    }

    /// Queue a written answer (not a template's) to the requester, in the thread of the message `reply_to` (one of
    /// the request's, `request mail`), else of their newest message: to the agent when the message answered came
    /// from the agent's address, else to the requester. The subject defaults to "Re: " and the answered subject; the
    /// reference is added to it. Built, stored and recorded as a template's answer (`response_queued`, stage
    /// `free-text`, with the text's SHA-256).
    pub fn send_answer(
        &self,
        reference: &str,
        reply_to: Option<&str>,
        subject: Option<&str>,
        body: &str,
    ) -> Result<OutboxItem> {
        if body.trim().is_empty() {
            return Err(Error::invalid("body", "write the answer: the text is empty"));
        }
        check_len("body", body, MAX_ANSWER_CHARS)?;
        let subject = subject.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = subject {
            check_len("subject", s, 500)?;
        }
        let r = self.store.read(|rd| rd.request(reference))?;
        // Nothing is built for a request that takes no change (`update` would refuse it after).
        not_purged(&r)?;
        let answered = self.answered(&r, reply_to)?;
        let thread = answered.as_ref().map(|(_, t)| t.clone()).unwrap_or_else(Thread::default);
        let their_subject = answered.as_ref().map(|(m, _)| reply_subject(&m.subject)).unwrap_or_default();
        let subject = subject_with_reference(subject.unwrap_or(&their_subject), &r.reference);
        let (to_name, to) = recipient(&r, answered.as_ref().map(|(m, _)| m))?;
        let rendered = Rendered {
            stage: FREE_TEXT_STAGE.into(),
            lang: r.language.clone(),
            subject,
            body: body.trim_end().to_string(),
            missing: vec![],
            warnings: vec![],
        };
        let from = self.sender()?;
        let message = build_message(&from, &to_name, &to, &rendered, &thread, &[])?;
        self.queue_built(&r, &message, &rendered, &to, &thread, Some(sha256_hex(rendered.body.as_bytes())))
    }
}

/// Who a written answer goes to: the agent when the message answered came from the agent's address, else the
/// requester (never simply the sender of a message: a message given to the request by hand may come from anyone).
fn recipient(r: &Request, answered: Option<&MailMessage>) -> Result<(String, String)> {
    let agent = r.agent.as_ref().and_then(|a| Some((a.name.clone(), a.email.clone()?)));
    if let (Some((name, email)), Some(m)) = (agent, answered)
        && !m.sender.is_empty()
        && email.trim().eq_ignore_ascii_case(&m.sender)
    {
        return Ok((name, email.trim().to_string()));
    }
    let email = r.requester.email.clone().filter(|e| !e.trim().is_empty()).ok_or_else(|| {
        Error::refused(format!("{} has no email address: write to the requester by post", r.reference))
    })?;
    Ok((r.requester.name.clone(), email.trim().to_string()))
}

fn not_ours(id: &str, r: &Request) -> Error {
    Error::refused(format!(
        "message {id} is not one of {}'s messages (request mail {}, mail outbox {})",
        r.reference, r.reference, r.reference
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_says_re_once() {
        assert_eq!(reply_subject("Your request"), "Re: Your request");
        assert_eq!(reply_subject("Re: Your request"), "Re: Your request");
        assert_eq!(reply_subject("RE:Your request"), "RE:Your request");
        assert_eq!(reply_subject("AW: Ihre Anfrage"), "AW: Ihre Anfrage");
        assert_eq!(reply_subject("Request\r\nBcc: x@evil.test"), "Re: Request Bcc: x@evil.test");
        assert_eq!(reply_subject(""), "");
    }

    #[test]
    fn a_file_is_matched_by_its_content_and_then_its_name() {
        let a = |id: &str, name: &str, sha: &str| Attachment {
            id: id.into(),
            file_name: name.into(),
            stored_name: String::new(),
            sha256: sha.into(),
            size: 1,
            added_at: String::new(),
        };
        let all = [a("1", "scan.pdf", "aa"), a("2", "passport.pdf", "aa"), a("3", "other.pdf", "bb")];
        assert_eq!(attachment_of(&all, "aa", Some("passport.pdf")).as_deref(), Some("2"));
        assert_eq!(attachment_of(&all, "aa", Some("renamed.pdf")).as_deref(), Some("1"));
        assert_eq!(attachment_of(&all, "cc", None), None);
        assert_eq!(attachment_of(&all, "", None), None, "a purged digest matches nothing");
    }
}
