//! Responses: the organisation and its letterhead, authorities, templates, previews, queueing, letters.

use base64::Engine;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::op;
use crate::desk::{DataCopyQueued, LetterCopy, OwnAuthority, RegimeAuthorities, TemplateCatalogue};
use crate::files::{FileInput, MAX_LOGO_BYTES};
use crate::respond::{Organisation, Rendered};
use crate::safe_file::Existing;
use crate::store::{OutboxItem, TemplateRow};

/// The organisation as it signs its answers (name, address, contact, DPO, letterhead).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetOrganisation;
op!(GetOrganisation => Organisation, |_, d| d.organisation());

/// Change the organisation's details.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetOrganisation {
    pub org: Organisation,
}
op!(SetOrganisation => Organisation, |i, d| d.set_organisation(i.org));

/// Put a logo on the letterhead (`file` None takes it off).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetLogo {
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::files::FileToken>))]
    pub file: Option<FileInput>,
}
op!(SetLogo => Organisation, |i, d| match i.file {
    Some(f) => d.set_logo(&f.name(), Some(&f.read(MAX_LOGO_BYTES)?)),
    None => d.set_logo("", None),
});

/// The letterhead's logo as base64 (for the settings page to show it).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetLogo;
op!(GetLogo => Option<String>, |_, d| Ok(d.logo()?.map(|b| base64::engine::general_purpose::STANDARD.encode(b))));

/// Each regime's supervisory authority: the organisation's own choice and the shipped directory.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetAuthoritySettings;
op!(GetAuthoritySettings => Vec<RegimeAuthorities>, |_, d| d.authority_settings());

/// Set the organisation's own authority for a regime (`own` None: back to the directory).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetOwnAuthority {
    pub regime: String,
    #[serde(default)]
    pub own: Option<OwnAuthority>,
}
op!(SetOwnAuthority => RegimeAuthorities, |i, d| d.set_own_authority(&i.regime, i.own));

/// Every template with the stages, kinds and languages it covers.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetTemplateCatalogue;
op!(GetTemplateCatalogue => TemplateCatalogue, |_, d| d.template_catalogue());

/// Save a template (checked: it must render and say what the law requires).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SaveTemplate {
    pub stage: String,
    pub kind: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}
op!(SaveTemplate => TemplateRow, |i, d| d.save_template(&i.stage, &i.kind, &i.lang, &i.subject, &i.body));

/// Start a language from another's templates; the number of templates copied.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CopyLanguage {
    /// The language copied (two letters: en, fr, nl, de, …).
    #[arg(long)]
    pub from: String,
    /// The new language (two letters).
    #[arg(long)]
    pub to: String,
}
op!(CopyLanguage => u32, |i, d| d.copy_language(&i.from, &i.to));

/// Which answer, on which request: the stage's template in a language (default: the request's), with the note
/// the template asks for (identity and clarification requests). Shared by previews, queueing and letters.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Answer {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[arg(
        long = "template",
        value_name = "TEMPLATE",
        help = "acknowledgement, identity-request, clarification-request, extension, fulfilment, partial, refusal, \
                unverified, withdrawal"
    )]
    pub stage: String,
    /// The language of the answer (two letters; default: the requester's, else English).
    #[arg(long)]
    #[serde(default)]
    pub lang: Option<String>,
    #[arg(long, help = "What is asked of the requester (identity and clarification requests)")]
    #[serde(default)]
    pub note: Option<String>,
}

/// A response rendered on a request, with what the law requires that is missing; `copy` (attached,
/// password-separately, outside) words a fulfilment of access or portability as `sendDataCopy` will send it.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewResponse {
    #[serde(flatten)]
    #[command(flatten)]
    pub answer: Answer,
    #[arg(long, value_name = "HOW", help = "How the copy of the data travels: attached, password-separately, outside")]
    #[serde(default)]
    pub copy: Option<String>,
}
op!(PreviewResponse => Rendered, |PreviewResponse { answer: a, copy }, d| d.preview_response(
    &a.reference,
    &a.stage,
    a.lang.as_deref(),
    a.note.as_deref(),
    copy.as_deref()
));

/// The template editor's live preview: unsaved text rendered on a real request.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewDraft {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    pub stage: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}
op!(PreviewDraft => Rendered, |i, d| d.preview_draft(&i.reference, &i.stage, &i.lang, &i.subject, &i.body));

/// Queue a response by email (with the PDF letter attached when `letter`). It threads with the requester's last
/// message taken from the mailbox, or with `reply_to` (the id of a message of this request) when given.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueResponse {
    #[serde(flatten)]
    #[command(flatten)]
    pub answer: Answer,
    #[arg(long, help = "Attach the answer as a PDF letter too")]
    #[serde(default)]
    pub letter: bool,
    #[arg(
        long = "reply-to",
        value_name = "ID",
        help = "Answer this message of the request (its id in `request mail`) instead of the requester's last one"
    )]
    #[serde(default)]
    pub reply_to: Option<String>,
}
op!(QueueResponse => OutboxItem, |QueueResponse { answer: a, letter, reply_to }, d| d.queue_response_with(
    &a.reference,
    &a.stage,
    a.lang.as_deref(),
    a.note.as_deref(),
    letter,
    reply_to.as_deref()
));

/// Send the fulfilment of an access or portability request with the copy of the data, as the officer chooses
/// (`copy`): `attached` (the export ZIP with the email), `password-separately` (the ZIP encrypted with a generated
/// password, sent in a second message, or returned once in `password` to give by phone with `password_by_phone`),
/// or `outside` (by post or a download: nothing attached, and the email says so). The wording follows the choice.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SendDataCopy {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[arg(long, value_name = "HOW", help = "attached, password-separately or outside")]
    pub copy: String,
    #[arg(long = "password-by-phone", help = "Show the password to give by phone instead of emailing it")]
    #[serde(default)]
    pub password_by_phone: bool,
    /// The language of the answer and of the copy (two letters; default: the requester's, else English).
    #[arg(long)]
    #[serde(default)]
    pub lang: Option<String>,
    #[arg(long = "reply-to", value_name = "ID", help = "Answer this message of the request instead of the last one")]
    #[serde(default)]
    pub reply_to: Option<String>,
}
op!(SendDataCopy => DataCopyQueued, |i, d| d.send_data_copy(
    &i.reference,
    &i.copy,
    i.password_by_phone,
    i.lang.as_deref(),
    i.reply_to.as_deref()
));

/// The PDF letter as it would be printed (base64), for the window to show its pages; nothing is kept.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LetterPreview {
    #[serde(flatten)]
    pub answer: Answer,
}
op!(LetterPreview => String, |LetterPreview { answer: a }, d| {
    let pdf = d.letter_preview(&a.reference, &a.stage, a.lang.as_deref(), a.note.as_deref())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(pdf))
});

/// The answer as a PDF letter, kept with the request; a printable copy goes to `--out` (the command line only), or
/// to the Downloads folder when `to_downloads` (the window's choice), or nowhere.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WriteLetter {
    #[serde(flatten)]
    #[command(flatten)]
    pub answer: Answer,
    /// Also write a printable copy to this file.
    #[arg(long, value_name = "OUT")]
    #[serde(skip)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
    #[arg(long, requires = "out")]
    #[serde(skip)]
    pub force: bool,
    #[arg(skip)]
    #[serde(default)]
    pub to_downloads: bool,
}

/// Where a letter was written.
#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LetterFiles {
    /// The letter kept with the request (in the register's folder).
    pub stored: String,
    /// The printable copy, if one was asked for.
    pub copy: Option<String>,
}

op!(WriteLetter => LetterFiles, |i, d| {
    let a = &i.answer;
    let copy = match (&i.out, i.to_downloads) {
        (Some(path), _) => LetterCopy::To(path, Existing::replace_if(i.force)),
        (None, true) => LetterCopy::Downloads,
        (None, false) => LetterCopy::None,
    };
    let letter = d.write_letter(&a.reference, &a.stage, a.lang.as_deref(), a.note.as_deref(), copy)?;
    Ok(LetterFiles {
        stored: letter.stored.display().to_string(),
        copy: letter.copy.map(|c| c.display().to_string()),
    })
});
