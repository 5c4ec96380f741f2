//! Responses: the organisation and its letterhead, authorities, templates, previews, queueing, letters.

use base64::Engine;
use serde::Deserialize;

use super::op;
use crate::desk::{LetterCopy, OwnAuthority, RegimeAuthorities, TemplateCatalogue};
use crate::files::{FileInput, MAX_LOGO_BYTES};
use crate::respond::{Organisation, Rendered};
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
    #[arg(long)]
    pub from: String,
    #[arg(long)]
    pub to: String,
}
op!(CopyLanguage => u32, |i, d| d.copy_language(&i.from, &i.to));

/// A response rendered on a request, with what the law requires that is missing.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewResponse {
    pub reference: String,
    #[arg(
        long = "template",
        value_name = "TEMPLATE",
        help = "acknowledgement, identity-request, clarification-request, extension, fulfilment, partial, refusal, \
                unverified, withdrawal"
    )]
    pub stage: String,
    #[arg(long)]
    #[serde(default)]
    pub lang: Option<String>,
    #[arg(long, help = "What is asked of the requester (identity and clarification requests)")]
    #[serde(default)]
    pub note: Option<String>,
}
op!(PreviewResponse => Rendered, |i, d| d.preview_response(
    &i.reference,
    &i.stage,
    i.lang.as_deref(),
    i.note.as_deref()
));

/// The template editor's live preview: unsaved text rendered on a real request.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewDraft {
    pub reference: String,
    pub stage: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}
op!(PreviewDraft => Rendered, |i, d| d.preview_draft(&i.reference, &i.stage, &i.lang, &i.subject, &i.body));

/// Queue a response by email (with the PDF letter attached when `letter`).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QueueResponse {
    pub reference: String,
    #[arg(long = "template", value_name = "TEMPLATE")]
    pub stage: String,
    #[arg(long)]
    #[serde(default)]
    pub lang: Option<String>,
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
    #[arg(long, help = "Attach the answer as a PDF letter too")]
    #[serde(default)]
    pub letter: bool,
}
op!(QueueResponse => OutboxItem, |i, d| d.queue_response_with(
    &i.reference,
    &i.stage,
    i.lang.as_deref(),
    i.note.as_deref(),
    i.letter
));

/// The PDF letter as it would be printed (base64), for the window to show its pages; nothing is kept.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LetterPreview {
    pub reference: String,
    pub stage: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}
op!(LetterPreview => String, |i, d| {
    let pdf = d.letter_preview(&i.reference, &i.stage, i.lang.as_deref(), i.note.as_deref())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(pdf))
});

/// The answer as a PDF letter: kept with the request, and saved to the Downloads folder for printing; the path
/// of the printable copy.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WriteLetter {
    pub reference: String,
    pub stage: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}
op!(WriteLetter => String, |i, d| {
    let letter = d.write_letter(&i.reference, &i.stage, i.lang.as_deref(), i.note.as_deref(), LetterCopy::Downloads)?;
    Ok(letter.copy.unwrap_or(letter.stored).display().to_string())
});
