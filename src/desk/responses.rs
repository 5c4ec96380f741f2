//! Writing to the requester: the organisation's details, the templates (edited in the window, checked on save),
//! a preview of any stage's answer for a request, and queueing it in the outbox as an exact email message. A
//! response that lacks what the law requires is refused with the list of what is missing.

use serde::{Deserialize, Serialize};

use super::mail::Thread;
use super::{Desk, RequestDetail, check_len};
use crate::dates;
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{Request, RequestKind, VerificationLevel};
use crate::error::{Error, Result};
use crate::respond::render::CopyVars;
use crate::respond::{self, Context, Organisation, Rendered, STAGES, data};
use crate::safe_file::{Existing, Output};
use crate::store::{self, MailMessage, OutboxItem, TemplateRow};

/// Where a printable copy of a letter goes, besides the one kept with the request.
#[derive(Debug, Clone, Copy)]
pub enum LetterCopy<'a> {
    None,
    To(&'a std::path::Path, Existing),
    /// The Downloads folder, under the letter's name (a free one: nothing there is replaced).
    Downloads,
}

/// A letter kept with its request.
#[derive(Debug)]
pub struct LetterWritten {
    pub detail: RequestDetail,
    /// Where the kept letter is stored.
    pub stored: std::path::PathBuf,
    pub name: String,
    /// Where the printable copy was written, if one was asked for.
    pub copy: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageOption {
    pub id: String,
    pub label: String,
}

/// What the template editor offers: stages, languages, the variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TemplateCatalogue {
    pub stages: Vec<StageOption>,
    pub languages: Vec<String>,
    pub variables: Vec<String>,
    pub templates: Vec<TemplateRow>,
}

fn stage_id(stage: &str) -> Result<&'static str> {
    STAGES.iter().map(|(id, _)| *id).find(|id| *id == stage.trim()).ok_or_else(|| {
        let ids: Vec<&str> = STAGES.iter().map(|(id, _)| *id).collect();
        Error::invalid("stage", format!("unknown stage '{stage}' (one of: {})", ids.join(", ")))
    })
}

impl Desk {
    pub fn organisation(&self) -> Result<Organisation> {
        let mut org = Organisation::default();
        for field in Organisation::FIELDS {
            if let Some(v) = self.store.setting(&format!("org.{field}"))? {
                org.set(field, v);
            }
        }
        // The kept logo is recorded relative to the register's folder (a copy of the register finds its own).
        if !org.logo.trim().is_empty() && std::path::Path::new(org.logo.trim()).is_relative() {
            org.logo = self.files_dir().join(org.logo.trim()).to_string_lossy().into_owned();
        }
        Ok(org)
    }

    pub fn set_organisation(&self, org: Organisation) -> Result<Organisation> {
        for field in Organisation::FIELDS {
            let value = org.get(field).map(|v| v.trim()).unwrap_or_default();
            check_len(field, value, 5_000)?;
        }
        // The name is the sender's display name in every email.
        respond::check_one_line("name", org.name.trim())?;
        let mut org = org;
        let current = self.organisation()?.logo;
        if !org.logo.trim().is_empty() && org.logo.trim() != current.trim() {
            let path = org.logo.trim();
            let bytes = crate::files::read_input(std::path::Path::new(path), crate::files::MAX_LOGO_BYTES)
                .map_err(|e| Error::invalid("logo", format!("cannot use {path} as the logo: {e}")))?;
            org.logo = self.keep_logo(path, &bytes)?;
        }
        if !org.email.trim().is_empty() {
            super::check_email(org.email.trim())
                .map_err(|_| Error::invalid("email", format!("'{}' is not an email address", org.email.trim())))?;
        }
        if let Ok(inside) = std::path::Path::new(org.logo.trim()).strip_prefix(self.files_dir()) {
            org.logo = inside.to_string_lossy().into_owned();
        }
        self.store.write(|tx| {
            let values: Vec<(&str, &str)> = Organisation::FIELDS
                .iter()
                .map(|field| (*field, org.get(field).map(|v| v.trim()).unwrap_or_default()))
                .collect();
            let changed = super::write::set_settings(tx, "org.", &values)?;
            if changed.is_empty() {
                return Ok(());
            }
            self.append_setting_event(tx, &AuditEvent::OrganisationChanged(ev::OrganisationChanged { changed }))
        })?;
        self.organisation()
    }

    /// Copy the chosen logo into the register's folder (named by its hash), so that letters keep their letterhead
    /// when the original file is moved or deleted; the copy's path is what the settings keep.
    fn keep_logo(&self, name: &str, bytes: &[u8]) -> Result<String> {
        respond::letter::check_logo(bytes)
            .map_err(|e| Error::invalid("logo", format!("{name} is not a PNG or JPEG image ({e})")))?;
        let ext = if bytes.starts_with(b"\x89PNG") { "png" } else { "jpg" };
        let hash = crate::hash::sha256_hex(bytes);
        let dir = self.files_dir().join("letterhead");
        if !self.files_on_server() {
            crate::safe_file::private_dir(&dir)?;
        }
        let kept = dir.join(format!("logo-{}.{ext}", &hash[..16]));
        // Named by its content: the same logo chosen again replaces its identical copy.
        self.write_stored(&kept, Existing::Replace, bytes)?;
        Ok(kept.to_string_lossy().into_owned())
    }

    /// Put a logo on the letterhead from the file's content (the window's upload), or take it off with `None`.
    pub fn set_logo(&self, name: &str, bytes: Option<&[u8]>) -> Result<Organisation> {
        let mut org = self.organisation()?;
        org.logo = match bytes {
            Some(b) => self.keep_logo(name, b)?,
            None => String::new(),
        };
        self.set_organisation(org)
    }

    /// The logo's content, for the window to show it (none if unset or unreadable).
    pub fn logo(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.logo_of(&self.organisation()?))
    }

    /// Seed the shipped templates that are missing (the officer's edits are never overwritten).
    /// Put the shipped templates in (and bring unedited ones up to date), writing only if something is missing or
    /// stale: opening a register takes no write lock (and needs no right to change templates) when nothing is.
    pub(super) fn seed_templates(&self) -> Result<()> {
        let defaults = &data()?.templates;
        let current = self.store.read(|r| r.templates())?;
        let stale = defaults.iter().any(|d| {
            match current.iter().find(|t| t.stage == d.stage && t.kind == d.kind && t.lang == d.lang) {
                None => true,
                Some(t) => t.is_default && (t.subject != d.subject || t.body != d.body),
            }
        });
        if !stale {
            return Ok(());
        }
        let at = store::timestamp(self.now());
        self.store.write(|tx| tx.seed_templates(defaults, &at))
    }

    pub fn template_catalogue(&self) -> Result<TemplateCatalogue> {
        let templates = self.store.read(|r| r.templates())?;
        let mut languages: Vec<String> = templates.iter().map(|t| t.lang.clone()).collect();
        languages.dedup();
        Ok(TemplateCatalogue {
            stages: STAGES
                .iter()
                .map(|(id, label)| StageOption { id: id.to_string(), label: label.to_string() })
                .collect(),
            languages,
            variables: respond::known_variables()?,
            templates,
        })
    }

    /// Save an edited template after checking its syntax and variables.
    pub fn save_template(&self, stage: &str, kind: &str, lang: &str, subject: &str, body: &str) -> Result<TemplateRow> {
        let stage = stage_id(stage)?;
        let kind = kind.trim();
        if kind != "*" && RequestKind::parse(kind).is_none() {
            return Err(Error::invalid("kind", format!("unknown kind '{kind}' (a request kind, or * for any)")));
        }
        let lang = lang.trim().to_lowercase();
        if !(lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase())) {
            return Err(Error::invalid("lang", format!("'{lang}' is not a two-letter language code")));
        }
        check_len("subject", subject, 500)?;
        check_len("body", body, 50_000)?;
        if subject.trim().is_empty() || body.trim().is_empty() {
            return Err(Error::invalid("body", "a template needs a subject and a text"));
        }
        respond::check_template(subject, body)?;
        let row = TemplateRow {
            stage: stage.into(),
            kind: kind.into(),
            lang,
            subject: subject.into(),
            body: body.into(),
            is_default: false,
            updated_at: store::timestamp(self.now()),
            actor: self.actor.clone(),
        };
        self.store.write(|tx| {
            tx.save_template(&row)?;
            let saved = ev::TemplateSaved {
                stage: row.stage.clone(),
                kind: row.kind.clone(),
                lang: row.lang.clone(),
                subject: row.subject.clone(),
                body_sha256: crate::hash::sha256_hex(row.body.as_bytes()),
            };
            self.append_setting_event(tx, &AuditEvent::TemplateSaved(saved))
        })?;
        Ok(row)
    }

    /// Add a language by copying every template of another (to be translated in the editor).
    pub fn copy_language(&self, from: &str, to: &str) -> Result<u32> {
        let to = to.trim().to_lowercase();
        if !(to.len() == 2 && to.chars().all(|c| c.is_ascii_lowercase())) {
            return Err(Error::invalid("to", format!("'{to}' is not a two-letter language code")));
        }
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            let all = tx.templates()?;
            if all.iter().any(|t| t.lang == to) {
                return Err(Error::refused(format!("templates in '{to}' exist already")));
            }
            let source: Vec<&TemplateRow> = all.iter().filter(|t| t.lang == from.trim()).collect();
            if source.is_empty() {
                return Err(Error::invalid("from", format!("no templates in '{from}'")));
            }
            for t in &source {
                tx.save_template(&TemplateRow {
                    lang: to.clone(),
                    updated_at: at.clone(),
                    actor: self.actor.clone(),
                    ..(*t).clone()
                })?;
            }
            let templates = u32::try_from(source.len()).unwrap_or(u32::MAX);
            let copied = ev::TemplatesCopied { from: from.trim().to_string(), to: to.clone(), templates };
            self.append_setting_event(tx, &AuditEvent::TemplatesCopied(copied))?;
            Ok(templates)
        })
    }

    /// The template a request gets for a stage: its kind's (fulfilment) or the general one, in the requester's
    /// language, else English.
    fn template_for(&self, r: &Request, stage: &str, lang: &str) -> Result<TemplateRow> {
        self.store.read(|rd| {
            for lang in [lang, "en"] {
                for kind in [r.kind.id(), "*"] {
                    if let Some(t) = rd.template(stage, kind, lang)? {
                        return Ok(t);
                    }
                }
            }
            Err(Error::not_found("template", stage.to_string()))
        })
    }

    pub(super) fn context(&self, r: &Request, lang: &str, note: Option<&str>) -> Result<Context> {
        let d = data()?;
        let words = d.words(lang)?;
        let org = self.organisation()?;
        let events = self.store.read(|rd| rd.events(&r.id))?;
        let extension_reason = events
            .iter()
            .rev()
            .find(|e| e.kind == "extension_taken")
            .and_then(|e| e.data.get("reason").and_then(|v| v.as_str()).map(str::to_string))
            .unwrap_or_default();
        let regime = self.engine().regime(&r.regime)?.clone();
        let mut ctx = Context {
            art15: org.art15.clone(),
            org,
            note: note.map(str::trim).unwrap_or_default().to_string(),
            today: Context::date(words, Some(self.today())),
            identity_needed: respond_needs_identity(r),
            clock_waits: r.regime == "uk-gdpr",
            identity_requested_on: Context::date(words, r.identity_requested_on),
            ..Context::default()
        };
        ctx.request = respond::render::RequestVars {
            reference: r.reference.clone(),
            kind: r.kind.id().into(),
            kind_label: words.kinds.get(r.kind.id()).cloned().unwrap_or_else(|| r.kind.label().to_lowercase()),
            received: Context::date(words, Some(r.received)),
            due: Context::date(words, r.dates.effective_due),
            regime: regime.name.clone(),
        };
        ctx.requester = respond::render::RequesterVars {
            name: r.requester.name.clone(),
            email: r.requester.email.clone().unwrap_or_default(),
            address: r.requester.address.clone().unwrap_or_default(),
        };
        ctx.refusal = respond::render::RefusalVars {
            reasons: r.outcome_reason.clone().unwrap_or_default(),
            ground: r
                .refusal_category
                .map(|c| words.grounds.get(c.id()).cloned().unwrap_or_else(|| c.label().to_lowercase()))
                .unwrap_or_default(),
            basis: r.refusal_basis.clone().unwrap_or_default(),
        };
        if r.facts.extended_on.is_some() {
            ctx.extension = respond::render::ExtensionVars {
                reasons: extension_reason,
                new_due: Context::date(words, r.dates.effective_due),
            };
        }
        ctx.fill_sentences(words, self.authority_for(&r.regime, &r.calendar)?.as_ref());
        Ok(ctx)
    }

    /// Render a stage's answer for a request (in `lang`, else the requester's language).
    pub fn preview_response(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
        copy: Option<&str>,
    ) -> Result<Rendered> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let copy = match copy.map(str::trim).filter(|c| !c.is_empty()) {
            None => CopyVars::default(),
            Some(how) => super::data_copy::copy_vars(&r, how)?,
        };
        self.render_with_copy(&r, stage, lang, note, &copy)
    }

    fn render_for(&self, r: &Request, stage: &str, lang: Option<&str>, note: Option<&str>) -> Result<Rendered> {
        self.render_with_copy(r, stage, lang, note, &CopyVars::default())
    }

    /// As `render_for`, saying how the copy of the data travels (the fulfilment of access and portability).
    pub(super) fn render_with_copy(
        &self,
        r: &Request,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
        copy: &CopyVars,
    ) -> Result<Rendered> {
        let stage = stage_id(stage)?;
        let lang = lang.map(str::trim).filter(|l| !l.is_empty()).unwrap_or(&r.language).to_string();
        let template = self.template_for(r, stage, &lang)?;
        let mut ctx = self.context(r, &template.lang, note)?;
        ctx.copy = copy.clone();
        let mut rendered = respond::render(stage, &template.lang, &template.subject, &template.body, &ctx)?;
        rendered.warnings = self.authority_warnings(stage, &r.regime, &r.calendar)?;
        Ok(rendered)
    }

    /// Render a template being edited (not saved) on a real request: the editor's live preview.
    pub fn preview_draft(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: &str,
        subject: &str,
        body: &str,
    ) -> Result<Rendered> {
        let stage = stage_id(stage)?;
        respond::check_template(subject, body)?;
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let ctx = self.context(&r, lang.trim(), Some("(what you ask the requester for)"))?;
        let mut rendered = respond::render(stage, lang.trim(), subject, body, &ctx)?;
        rendered.warnings = self.authority_warnings(stage, &r.regime, &r.calendar)?;
        Ok(rendered)
    }

    fn letter_bytes(&self, r: &Request, rendered: &Rendered) -> Result<(String, Vec<u8>)> {
        let words = data()?.words(&rendered.lang)?;
        let date = Context::date(words, Some(self.today()));
        let org = self.organisation()?;
        let logo = self.logo_of(&org);
        let pdf = respond::letter::letter_pdf(
            &org,
            logo.as_deref(),
            &r.requester.name,
            r.requester.address.as_deref().unwrap_or(""),
            &date,
            rendered,
        )?;
        Ok((letter_name(&r.reference, &rendered.stage, &rendered.lang), pdf))
    }

    /// The PDF letter exactly as it would be printed, without keeping it (the window's letter preview). Missing
    /// required content does not stop a preview; it is listed beside it.
    pub fn letter_preview(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
    ) -> Result<Vec<u8>> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let rendered = self.render_for(&r, stage, lang, note)?;
        Ok(self.letter_bytes(&r, &rendered)?.1)
    }

    /// Render a stage's answer as a PDF letter and keep it with the request (refused, like an email, when the
    /// law's required content is missing), with a copy for printing where `copy` says. The copy is written first
    /// and the letter recorded only then: a copy that cannot be written leaves no letter and no event.
    pub fn write_letter(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
        copy: LetterCopy<'_>,
    ) -> Result<LetterWritten> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let rendered = complete(self.render_for(&r, stage, lang, note)?, "")?;
        let (name, pdf) = self.letter_bytes(&r, &rendered)?;
        let copy = match copy {
            LetterCopy::None => None,
            LetterCopy::To(path, existing) => Some((path.to_path_buf(), existing)),
            LetterCopy::Downloads => Some((super::export_path(&name)?, Existing::Refuse)),
        };
        let keep = || self.attach(&r.reference, &name, &mut pdf.as_slice());
        let (detail, copy) = match copy {
            None => (keep()?, None),
            Some((path, existing)) => {
                let mut output = Output::create(&path, existing)?;
                std::io::Write::write_all(output.file(), &pdf)
                    .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
                (output.commit_then(keep)?.1, Some(path))
            }
        };
        let stored = detail
            .attachments
            .iter()
            .rev()
            .find(|a| a.file_name == name)
            .map(|a| self.attachments_dir().join(&a.stored_name))
            .ok_or_else(|| Error::Corrupt("the letter was not recorded".into()))?;
        Ok(LetterWritten { detail, stored, name, copy })
    }

    /// Whether a stage's answer could be emailed now (the law's content is there, the requester has an address, a
    /// sender is known) — checked before an action that sends it writes anything.
    pub(super) fn check_sendable(&self, id_or_reference: &str, stage: &str, note: Option<&str>) -> Result<()> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        complete(self.render_for(&r, stage, None, note)?, " email")?;
        if r.requester.email.is_none() {
            return Err(Error::refused(format!(
                "{} has no email address: write to the requester by post",
                r.reference
            )));
        }
        self.sender().map(|_| ())
    }

    /// Queue a stage's answer as an email to the requester: refused with what is missing when the law's required
    /// content is not there. The message is built in full (with its Message-ID) and stored before any attempt.
    pub fn queue_response(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
    ) -> Result<OutboxItem> {
        self.queue_response_with(id_or_reference, stage, lang, note, false, None)
    }

    /// As `queue_response`; with `letter`, the PDF letter is attached to the email (and to the request); with
    /// `reply_to` (a message taken from the mailbox for this request), the email answers that message instead of
    /// the requester's last one.
    pub fn queue_response_with(
        &self,
        id_or_reference: &str,
        stage: &str,
        lang: Option<&str>,
        note: Option<&str>,
        letter: bool,
        reply_to: Option<&str>,
    ) -> Result<OutboxItem> {
        let r = self.store.read(|rd| rd.request(id_or_reference))?;
        let mut rendered = complete(self.render_for(&r, stage, lang, note)?, "")?;
        if rendered.stage == "fulfilment" && super::disclosures::check_kind(&r).is_ok() {
            // Its wording says how the copy of the data travels; sent without the copy it would claim an
            // attachment that is not there.
            return Err(Error::refused(format!(
                "the fulfilment of {} carries the copy of the data: send it with `mail send-copy {} --copy \
                 attached|password-separately|outside` (the window: Send the copy), which attaches what it says",
                r.reference, r.reference
            )));
        }
        rendered.subject = super::mail::subject_with_reference(&rendered.subject, &r.reference);
        let thread = self.thread_for(&r, reply_to)?;
        let to =
            r.requester.email.clone().ok_or_else(|| {
                Error::refused(format!("{} has no email address: print the letter instead", r.reference))
            })?;
        let from = self.sender()?;
        let files = if letter {
            let (name, pdf) = self.letter_bytes(&r, &rendered)?;
            self.attach(&r.reference, &name, &mut pdf.as_slice())?;
            vec![(name, pdf)]
        } else {
            Vec::new()
        };
        let message = super::mail::build_message(&from, &r.requester.name, &to, &rendered, &thread, &files)?;
        self.queue_built(&r, &message, &rendered, &to, &thread, None)
    }

    /// Queue a message built for `r` (`rendered`, to `to`, in `thread`) with its `response_queued` event, in one
    /// transaction; `body_sha256` names a text no template can give again (a written answer).
    pub(super) fn queue_built(
        &self,
        r: &Request,
        message: &super::mail::BuiltMessage,
        rendered: &Rendered,
        to: &str,
        thread: &Thread,
        body_sha256: Option<String>,
    ) -> Result<OutboxItem> {
        let now = store::timestamp(self.now());
        let item = super::mail::queued_item(r, &message.message_id, rendered, to, &now);
        self.update(&r.reference, |req, tx| {
            tx.queue_message(&item, &message.bytes, None)?;
            Ok(AuditEvent::ResponseQueued(ev::ResponseQueued {
                outbox_id: item.id.clone(),
                message_id: item.message_id.clone(),
                stage: item.stage.clone(),
                lang: item.lang.clone(),
                to: to.to_string(),
                subject: item.subject.clone(),
                on: dates::fmt(self.today()),
                reference: req.reference.clone(),
                body_sha256: body_sha256.clone(),
                in_reply_to: thread.in_reply_to.clone(),
                dates: None,
            }))
        })?;
        Ok(item)
    }
}

impl Desk {
    /// What an answer on `r` replies to, so that it threads in the requester's mail program: the message `reply_to`
    /// (one taken from the mailbox for this request), else the newest message the requester or their agent sent
    /// about it; nothing when they never wrote by email.
    pub(super) fn thread_for(&self, r: &Request, reply_to: Option<&str>) -> Result<Thread> {
        Ok(self.answered(r, reply_to)?.map(|(_, thread)| thread).unwrap_or_default())
    }

    /// The message an answer on `r` replies to and the thread that makes of it (see `thread_for`): none when there
    /// is nothing to answer, or the newest message has no Message-ID to name.
    pub(super) fn answered(&self, r: &Request, reply_to: Option<&str>) -> Result<Option<(MailMessage, Thread)>> {
        let id = r.id.to_string();
        if let Some(chosen) = reply_to.map(str::trim).filter(|m| !m.is_empty()) {
            let m =
                self.store.read(|rd| rd.mail_message(chosen))?.ok_or_else(|| Error::not_found("message", chosen))?;
            if m.request_id.as_deref() != Some(id.as_str()) {
                return Err(Error::refused(format!(
                    "message {chosen} is not one of {}'s messages: answer a message of this request (request mail {})",
                    r.reference, r.reference
                )));
            }
            let Some(message_id) = &m.message_id else {
                return Err(Error::refused(
                    "that message has no Message-ID, so an answer cannot name it: send without reply_to",
                ));
            };
            let thread = Thread::answering(message_id, &m.references);
            return Ok(Some((m, thread)));
        }
        let same = |a: Option<&str>, sender: &str| a.is_some_and(|a| a.trim().eq_ignore_ascii_case(sender));
        let theirs = |sender: &str| {
            same(r.requester.email.as_deref(), sender)
                || same(r.agent.as_ref().and_then(|a| a.email.as_deref()), sender)
        };
        let messages = self.store.read(|rd| rd.mail_messages(None, Some(&id), 1000))?;
        // The newest by the server's date of receipt, then by the order taken (ids are time-ordered UUIDs): two
        // messages received in the same second are answered in the order they came.
        Ok(messages
            .into_iter()
            .filter(|m| theirs(&m.sender))
            .max_by(|a, b| (&a.received_at, &a.id).cmp(&(&b.received_at, &b.id)))
            .and_then(|m| {
                let thread = Thread::answering(m.message_id.as_deref()?, &m.references);
                Some((m, thread))
            }))
    }
}

/// The answer, refused with what is missing when the law's required content is not there (`medium`: "" or
/// " email", for the message).
pub(super) fn complete(rendered: Rendered, medium: &str) -> Result<Rendered> {
    if rendered.missing.is_empty() {
        return Ok(rendered);
    }
    Err(Error::refused(format!("the {}{medium} cannot be sent: {}", rendered.stage, rendered.missing.join("; "))))
}

impl Desk {
    /// The organisation's logo: a logo that cannot be read any more leaves the letterhead without it rather than
    /// failing the letter.
    fn logo_of(&self, org: &Organisation) -> Option<Vec<u8>> {
        Some(org.logo.trim())
            .filter(|p| !p.is_empty())
            .and_then(|p| self.read_stored(std::path::Path::new(p), crate::files::MAX_LOGO_BYTES).ok())
    }
}

/// Whether the acknowledgement should mention that identity may be checked.
fn respond_needs_identity(r: &Request) -> bool {
    crate::domain::verification_policy(&r.regime, r.kind).level != VerificationLevel::NotRequired
        && r.facts.verified_on.is_none()
}

/// The name a letter is kept under among the request's files: `<reference>-<stage>-<language>.pdf`.
fn letter_name(reference: &str, stage: &str, lang: &str) -> String {
    format!("{reference}-{stage}-{lang}.pdf")
}

/// Whether a file of the request is a letter of `stage` (named by `letter_name`).
pub(super) fn is_letter_of(file_name: &str, stage: &str) -> bool {
    file_name.contains(&format!("-{stage}-")) && file_name.ends_with(".pdf")
}
