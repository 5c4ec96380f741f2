//! The requester's copy of their data, delivered (issue 20): the fulfilment of an access or portability request
//! says what is really attached, because the message is built here with what the officer chose. `attached`: the
//! subject export ZIP goes with the email (refused when too large for a mail server); `password-separately`: the
//! ZIP is encrypted (AES-256) with a generated password that travels apart from it, in a second message or by
//! phone (then shown once to the officer, never stored); `outside`: nothing is attached and the email says the
//! copy comes another way (post, a download). The fulfilment's wording follows the choice (`copy.how`), and a
//! template whose text does not change with it is refused, since it would claim an attachment that may not be
//! there. The delivery is one `data_copy_sent` event naming the ZIP's SHA-256 (the export itself is its own
//! `subject_export_made` event). An emailed password is kept only until its message is delivered: the outbox
//! stores it with a copy to keep in its place (`eml_kept`), which is all the register and the Sent folder hold
//! once the server accepted it (`Desk::record_sent`).

use serde::{Deserialize, Serialize};

use super::Desk;
use super::mail::{
    DEFAULT_MAX_MESSAGE_BYTES, Thread, build_message, build_message_and_kept_copy, queued_item, subject_with_reference,
};
use super::responses::complete;
use crate::dates;
use crate::domain::Request;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::respond::Rendered;
use crate::respond::render::CopyVars;
use crate::store::{self, OutboxItem};

/// How the copy can travel.
pub const COPY_HOWS: [&str; 3] = ["attached", "password-separately", "outside"];

/// What was queued for the requester.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DataCopyQueued {
    /// The fulfilment, with the ZIP attached unless the copy goes outside the app.
    pub message: OutboxItem,
    /// The second message carrying the password (`password-separately` by email).
    pub password_message: Option<OutboxItem>,
    /// The password to give the requester by phone: shown this once, kept nowhere.
    pub password: Option<String>,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    /// The ZIP's size.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
}

/// Letters a person reads out or types without confusing them (no 0/o, 1/l/i).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A password of 20 such letters in groups of five (about 99 bits): strong enough for AES-256 against guessing,
/// short enough to read over the phone.
fn generate_password() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| (0..5).map(|_| char::from(PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())])).collect())
        .collect();
    groups.join("-")
}

/// What Rightsdesk's copy of the password message says where the password was (the officer reads it, in the
/// request's .eml and the Sent folder).
pub const PASSWORD_REMOVED: &str = "[removed from Rightsdesk's copy once the message was delivered]";

/// The second message: the password alone, in the requester's language (English otherwise).
fn password_text(lang: &str, reference: &str, file: &str, password: &str) -> (String, String, String) {
    let (lang, subject, body) = match lang {
        "fr" => (
            "fr",
            "Mot de passe de votre copie",
            format!(
                "Bonjour,\n\nLe fichier {file}, envoyé dans un message séparé au sujet de votre demande {reference}, \
                 est chiffré. Son mot de passe :\n\n    {password}\n\nCordialement"
            ),
        ),
        "nl" => (
            "nl",
            "Wachtwoord van uw kopie",
            format!(
                "Goedendag,\n\nHet bestand {file}, in een apart bericht verstuurd over uw verzoek {reference}, is \
                 versleuteld. Het wachtwoord:\n\n    {password}\n\nMet vriendelijke groet"
            ),
        ),
        "de" => (
            "de",
            "Passwort Ihrer Kopie",
            format!(
                "Guten Tag,\n\ndie Datei {file}, in einer gesonderten Nachricht zu Ihrer Anfrage {reference} \
                 gesendet, ist verschlüsselt. Das Passwort:\n\n    {password}\n\nMit freundlichen Grüßen"
            ),
        ),
        _ => (
            "en",
            "Password for your copy",
            format!(
                "Hello,\n\nThe file {file}, sent in a separate message about your request {reference}, is \
                 encrypted. Its password:\n\n    {password}\n\nKind regards"
            ),
        ),
    };
    (lang.to_string(), subject.to_string(), body)
}

/// What the templates are told of a copy travelling `how` (one of `COPY_HOWS`) for `r`.
pub(super) fn copy_vars(r: &Request, how: &str) -> Result<CopyVars> {
    if !COPY_HOWS.contains(&how) {
        return Err(Error::invalid(
            "copy",
            format!("unknown way '{how}' for the copy: one of {}", COPY_HOWS.join(", ")),
        ));
    }
    let file = if how == "outside" { String::new() } else { zip_name(r) };
    Ok(CopyVars { how: how.into(), file })
}

fn zip_name(r: &Request) -> String {
    format!("{}-personal-data.zip", r.reference)
}

impl Desk {
    /// Queue the fulfilment of an access or portability request with the copy of the data, as `how` says (one of
    /// `COPY_HOWS`); `password_by_phone` gives the password of an encrypted copy back to the officer instead of
    /// emailing it. `reply_to` as for `queue_response_with`.
    pub fn send_data_copy(
        &self,
        id_or_reference: &str,
        how: &str,
        password_by_phone: bool,
        lang: Option<&str>,
        reply_to: Option<&str>,
    ) -> Result<DataCopyQueued> {
        let how = how.trim();
        if !COPY_HOWS.contains(&how) {
            return Err(Error::invalid(
                "copy",
                format!("unknown way '{how}' for the copy: one of {}", COPY_HOWS.join(", ")),
            ));
        }
        let encrypted = how == "password-separately";
        if password_by_phone && !encrypted {
            return Err(Error::invalid(
                "password_by_phone",
                "only an encrypted copy (password-separately) has a password",
            ));
        }
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        super::disclosures::check_kind(&r)?;
        let to = r.requester.email.clone().ok_or_else(|| {
            Error::refused(format!(
                "{} has no email address: send the copy by post and the letter with it",
                r.reference
            ))
        })?;
        let from = self.sender()?;
        let thread = self.thread_for(&r, reply_to)?;
        let file_name = zip_name(&r);
        // The wording must follow the choice: checked before the export is made, so a refused template leaves
        // nothing behind.
        let copy = copy_vars(&r, how)?;
        let other = CopyVars {
            how: if how == "outside" { "attached".into() } else { "outside".into() },
            file: file_name.clone(),
        };
        let mut rendered = complete(self.render_with_copy(&r, "fulfilment", lang, None, &copy)?, "")?;
        if self.render_with_copy(&r, "fulfilment", lang, None, &other)?.body == rendered.body {
            return Err(Error::refused(format!(
                "the fulfilment template ({}) says the same whatever way the copy travels, so it could claim an \
                 attachment that is not there: make its text follow copy.how (docs/templates.md)",
                rendered.lang
            )));
        }
        rendered.subject = subject_with_reference(&rendered.subject, &r.reference);
        let password = encrypted.then(generate_password);
        let zip = if how == "outside" { None } else { Some(self.data_copy_zip(&r, password.as_deref(), lang)?) };
        let files: Vec<(String, Vec<u8>)> =
            zip.as_ref().map(|(bytes, _)| vec![(file_name.clone(), bytes.clone())]).unwrap_or_default();
        let message = build_message(&from, &r.requester.name, &to, &rendered, &thread, &files)?;
        let now = store::timestamp(self.now());
        let main = queued_item(&r, &message.message_id, &rendered, &to, &now);
        let second = match (&password, password_by_phone) {
            (Some(p), false) => {
                let (lang, subject, body) = password_text(&rendered.lang, &r.reference, &file_name, p);
                let text = Rendered {
                    stage: "data-copy-password".into(),
                    lang,
                    subject: subject_with_reference(&subject, &r.reference),
                    body,
                    missing: vec![],
                    warnings: vec![],
                };
                // It answers the fulfilment, so the two stay together in the requester's mail program.
                let thread = Thread::answering(&message.message_id, &thread.references);
                // The password goes to the requester and stays nowhere: kept for delivery only, then replaced by
                // this copy without it (the .eml attached to the request and the Sent folder's copy are this one).
                let (_, _, kept) = password_text(&text.lang, &r.reference, &file_name, PASSWORD_REMOVED);
                let (built, kept) = build_message_and_kept_copy(&from, &r.requester.name, &to, &text, &thread, &kept)?;
                Some((queued_item(&r, &built.message_id, &text, &to, &now), built.bytes, kept))
            }
            _ => None,
        };
        let sha256 = zip.as_ref().map(|(_, sha)| sha.clone());
        let bytes = zip.as_ref().map(|(b, _)| b.len() as u64).unwrap_or(0);
        self.update(&r.reference, |_, tx| {
            tx.queue_message(&main, &message.bytes, None)?;
            if let Some((second, eml, kept)) = &second {
                tx.queue_message(second, eml, Some(kept))?;
            }
            Ok(AuditEvent::DataCopySent(ev::DataCopySent {
                outbox_id: main.id.clone(),
                message_id: main.message_id.clone(),
                lang: main.lang.clone(),
                to: to.clone(),
                subject: main.subject.clone(),
                how: how.into(),
                file_name: zip.as_ref().map(|_| file_name.clone()),
                sha256: sha256.clone(),
                bytes,
                encrypted,
                password_by: password.as_ref().map(|_| if password_by_phone { "phone" } else { "email" }.into()),
                password_message_id: second.as_ref().map(|(s, _, _)| s.message_id.clone()),
                on: dates::fmt(self.today()),
                dates: None,
            }))
        })?;
        Ok(DataCopyQueued {
            message: main,
            password_message: second.map(|(s, _, _)| s),
            password: password.filter(|_| password_by_phone),
            file_name: zip.as_ref().map(|_| file_name),
            sha256,
            bytes,
        })
    }

    /// The subject export as bytes, with its SHA-256: built in memory (nothing of it is ever written to disk, so
    /// an encrypted register leaves no plain copy in free blocks), and refused once it is too large for an email.
    fn data_copy_zip(&self, r: &Request, password: Option<&str>, lang: Option<&str>) -> Result<(Vec<u8>, String)> {
        let limit = DEFAULT_MAX_MESSAGE_BYTES / 4 * 3;
        // Base64 makes an attachment a third larger: past three quarters of the message limit it cannot go.
        match self.subject_export_in_memory(&r.reference, &zip_name(r), password, lang, limit as u64)? {
            Some((bytes, export)) => Ok((bytes, export.sha256)),
            None => Err(Error::refused(format!(
                "the copy is more than {} MB: too large to go with an email (mail servers commonly refuse more than \
                 {} MB) — send it outside the app (--copy outside: by post or a download)",
                limit / (1024 * 1024),
                DEFAULT_MAX_MESSAGE_BYTES / (1024 * 1024)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_long_readable_and_new_each_time() {
        let p = generate_password();
        assert_eq!(p.len(), 23);
        assert!(p.split('-').all(|g| g.len() == 5 && g.bytes().all(|b| PASSWORD_ALPHABET.contains(&b))));
        assert_ne!(p, generate_password());
    }
}
