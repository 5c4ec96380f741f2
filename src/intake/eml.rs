//! Reading a request that arrived by email: an `.eml` file becomes a prefilled request form. The original message
//! is attached to the request when it is logged (see `Desk::add_request_from_email`).

use mail_parser::MimeHeaders;
use serde::{Deserialize, Serialize};
use time::Date;

use super::guess::{KindGuess, guess_kind, guess_language};
use crate::dates;
use crate::error::{Error, Result};

pub use crate::files::MAX_EML_BYTES;

/// What the form is prefilled with. Every field can be changed before the request is logged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmailDraft {
    pub name: String,
    pub email: Option<String>,
    /// The day the organisation's mail server received it (the top `Received:` header), else the `Date:` header.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "dates::iso::option")]
    pub received: Option<Date>,
    /// Where `received` comes from, in words.
    pub received_from: String,
    pub subject: String,
    /// The subject and the text of the message, as the request's description.
    pub description: String,
    pub kind_guess: Option<KindGuess>,
    pub language_guess: Option<String>,
    pub message_id: Option<String>,
    /// Files attached to the message (they stay inside the attached original).
    pub attachment_names: Vec<String>,
}

/// At most this many files are taken out of one message (more is not a person's email).
pub const MAX_PARTS: usize = 50;

/// What threads a message and the files it carries, beside its [`EmailDraft`].
#[derive(Debug, Clone, Default)]
pub struct EmailParts {
    /// In-Reply-To, then References from the newest back: the messages it answers, nearest first (no brackets).
    pub answers: Vec<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Each file it carries (named, or `attachment-N`), its bytes whole.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// The threading headers and the attachments of a message (bounded: the message's size, [`MAX_PARTS`]).
pub fn read_parts(bytes: &[u8]) -> Result<EmailParts> {
    crate::files::check_len("the message", bytes.len() as u64, MAX_EML_BYTES)?;
    crate::files::guard("the message", || parts(bytes))
}

fn ids(value: &mail_parser::HeaderValue) -> Vec<String> {
    value
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_string())
        .filter(|id| !id.is_empty() && id.len() <= 998)
        .take(100)
        .collect()
}

fn parts(bytes: &[u8]) -> Result<EmailParts> {
    let message = mail_parser::MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| Error::invalid("file", "this is not an email message (.eml)"))?;
    let in_reply_to = ids(message.in_reply_to()).into_iter().next();
    let references = ids(message.references());
    let mut answers: Vec<String> = in_reply_to.iter().cloned().collect();
    for id in references.iter().rev() {
        if !answers.contains(id) {
            answers.push(id.clone());
        }
    }
    let attachments = message
        .attachments()
        .take(MAX_PARTS)
        .enumerate()
        .map(|(i, part)| {
            let name = part
                .attachment_name()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if part.is_message() { format!("message-{}.eml", i + 1) } else { format!("attachment-{}", i + 1) }
                });
            (name, part.contents().to_vec())
        })
        .collect();
    Ok(EmailParts { answers, in_reply_to, references, attachments })
}

fn to_date(d: &mail_parser::DateTime) -> Option<Date> {
    let month = time::Month::try_from(d.month).ok()?;
    Date::from_calendar_date(i32::from(d.year), month, d.day).ok()
}

/// Read a message. Refuses what is not one (no headers, no sender) with a message saying so.
pub fn read_email(bytes: &[u8]) -> Result<EmailDraft> {
    crate::files::check_len("the message", bytes.len() as u64, MAX_EML_BYTES)?;
    crate::files::guard("the message", || draft(bytes))
}

fn draft(bytes: &[u8]) -> Result<EmailDraft> {
    let message = mail_parser::MessageParser::default()
        .parse(bytes)
        .filter(|m| m.from().is_some() || m.subject().is_some())
        .ok_or_else(|| Error::invalid("file", "this is not an email message (.eml): no sender or subject found"))?;
    let from = message.from().and_then(|a| a.first());
    let email = from.and_then(|a| a.address()).map(|a| a.trim().to_lowercase()).filter(|a| a.contains('@'));
    let name = from
        .and_then(|a| a.name())
        .map(|n| n.trim().trim_matches('"').trim().to_string())
        .filter(|n| !n.is_empty())
        .or_else(|| email.as_ref().map(|e| e.split('@').next().unwrap_or_default().replace(['.', '_'], " ")))
        .unwrap_or_default();
    let (received, received_from) =
        match message.received_all().next().and_then(|r| r.date()).as_ref().and_then(to_date) {
            Some(d) => (Some(d), "the date the mail server received it".to_string()),
            None => match message.date().and_then(to_date) {
                Some(d) => (Some(d), "the message's Date header".to_string()),
                None => (None, "no date in the message: enter the date of receipt".to_string()),
            },
        };
    let subject = message.subject().unwrap_or_default().trim().to_string();
    // A description the form accepts: at most 20,000 characters.
    let (body, _) = text_of(&message, 19_000);
    let description = if subject.is_empty() { body.clone() } else { format!("{subject}\n\n{body}") };
    let attachment_names =
        message.attachments().filter_map(|a| a.attachment_name()).map(str::to_string).take(50).collect();
    Ok(EmailDraft {
        kind_guess: guess_kind(&subject, &body),
        language_guess: guess_language(&format!("{subject} {body}")).map(str::to_string),
        name,
        email,
        received,
        received_from,
        message_id: message.message_id().map(str::to_string),
        subject,
        description: description.trim().to_string(),
        attachment_names,
    })
}

/// The text of a message as a person reads it: the plain text part, else the HTML part made text (mail-parser's
/// `body_text`), line ends as `\n`, no control characters (a terminal or the window shows it as is), at most
/// `limit` characters; whether it was cut.
fn text_of(message: &mail_parser::Message, limit: usize) -> (String, bool) {
    let text = message.body_text(0).map(|t| t.trim().replace("\r\n", "\n")).unwrap_or_default();
    let mut chars = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t'));
    let kept: String = chars.by_ref().take(limit).collect();
    let cut = chars.next().is_some();
    (kept, cut)
}

/// A message as the conversation shows it: who wrote to whom, when, what it says and the files it carries.
#[derive(Debug, Clone, Default)]
pub struct MessageContent {
    /// `Name <address>` (or the address alone).
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// The message's own `Date:` (RFC 3339), as its sender's program wrote it.
    pub date: Option<String>,
    /// Its text (see [`text_of`]), at most the limit asked for.
    pub text: String,
    /// The text was longer than the limit.
    pub truncated: bool,
    /// Each file it carries, named as [`read_parts`] names it (the names its files are attached to a request under).
    pub files: Vec<(String, Vec<u8>)>,
}

/// What a person reads of a message: its addresses, date, text (at most `limit` characters) and files. Bounded as
/// [`read_parts`]; a message without a sender or subject is refused as [`read_email`] refuses it.
pub fn read_message(bytes: &[u8], limit: usize) -> Result<MessageContent> {
    crate::files::check_len("the message", bytes.len() as u64, MAX_EML_BYTES)?;
    let files = read_parts(bytes)?.attachments;
    crate::files::guard("the message", || {
        let message = mail_parser::MessageParser::default()
            .parse(bytes)
            .filter(|m| m.from().is_some() || m.subject().is_some())
            .ok_or_else(|| Error::invalid("file", "this is not an email message (.eml): no sender or subject found"))?;
        let (text, truncated) = text_of(&message, limit);
        Ok(MessageContent {
            from: addresses(message.from()).into_iter().next().unwrap_or_default(),
            to: addresses(message.to()),
            cc: addresses(message.cc()),
            subject: message.subject().unwrap_or_default().trim().to_string(),
            date: message.date().map(|d| d.to_rfc3339()),
            text,
            truncated,
            files,
        })
    })
}

/// The addresses of a header as people write them, one line each (at most 50: a header is not a mailing list).
fn addresses(header: Option<&mail_parser::Address>) -> Vec<String> {
    let Some(header) = header else { return vec![] };
    header
        .iter()
        .take(50)
        .map(|a| {
            let name = a.name().map(|n| crate::respond::one_line(n.trim().trim_matches('"'))).unwrap_or_default();
            let address = a.address().map(crate::respond::one_line).unwrap_or_default();
            match (name.is_empty(), address.is_empty()) {
                (false, false) => format!("{name} <{address}>"),
                (true, _) => address,
                (false, true) => name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "Received: from mx.example.org by mail.acme.test; Tue, 3 Mar 2026 23:40:00 +0000\r\n\
From: \"Zoë Martin\" <Zoe.Martin@Example.FR>\r\n\
To: privacy@acme.test\r\n\
Subject: =?UTF-8?Q?Demande_d'acc=C3=A8s?=\r\n\
Date: Wed, 4 Mar 2026 00:40:00 +0100\r\n\
Message-ID: <abc@example.fr>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Bonjour, je vous demande une copie de mes données personnelles. Merci.\r\n";

    #[test]
    fn a_message_prefills_the_form() {
        let d = read_email(MESSAGE.as_bytes()).unwrap();
        assert_eq!(d.name, "Zoë Martin");
        assert_eq!(d.email.as_deref(), Some("zoe.martin@example.fr"));
        assert_eq!(d.received.map(dates::fmt).as_deref(), Some("2026-03-03"), "the server's date, not the sender's");
        assert_eq!(d.subject, "Demande d'accès");
        assert!(d.description.starts_with("Demande d'accès\n\nBonjour"));
        assert_eq!(d.kind_guess.unwrap().kind, crate::domain::RequestKind::Access);
        assert_eq!(d.language_guess.as_deref(), Some("fr"));
        assert_eq!(d.message_id.as_deref(), Some("abc@example.fr"));
    }

    #[test]
    fn a_reply_names_what_it_answers_and_its_files_come_out_whole() {
        let reply = "From: zoe@example.fr\r\nSubject: Re: RD-2026-0007\r\nMessage-ID: <r2@example.fr>\r\n\
In-Reply-To: <sent-2@acme.test>\r\nReferences: <first@example.fr> <sent-1@acme.test> <sent-2@acme.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
Here is my passport.\r\n--b\r\nContent-Type: application/pdf; name=passport.pdf\r\n\
Content-Disposition: attachment; filename=passport.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n\
JVBERi0xLjQK\r\n--b--\r\n";
        let p = read_parts(reply.as_bytes()).unwrap();
        assert_eq!(p.in_reply_to.as_deref(), Some("sent-2@acme.test"));
        assert_eq!(p.answers, ["sent-2@acme.test", "sent-1@acme.test", "first@example.fr"]);
        assert_eq!(p.attachments.len(), 1);
        assert_eq!(p.attachments[0].0, "passport.pdf");
        assert_eq!(p.attachments[0].1, b"%PDF-1.4\n");
        assert!(read_parts(MESSAGE.as_bytes()).unwrap().attachments.is_empty());
    }

    #[test]
    fn what_is_not_a_message_is_refused() {
        assert!(read_email(b"").is_err());
        assert!(read_email(b"\x00\x01\x02 binary junk").is_err());
        assert!(read_email(b"just some text without headers").is_err());
    }
}
