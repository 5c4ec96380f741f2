//! The requester's copy of their data: what was gathered on an access or portability request, packaged by
//! `export::subject` into one ZIP, optionally password-protected, and recorded in the request's audit trail.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Desk, disclosures::check_kind};
use crate::dates;
use crate::domain::RequestKind;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::export::subject::{
    self, AuthorityInfo, CategoryData, Contents, ControllerInfo, FieldData, FileData, Information, RequestInfo,
    SubjectInfo, SystemData,
};
use crate::safe_file::{Existing, Output};
use crate::store::{self, Disclosure};

/// What the subject export wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SubjectExport {
    pub path: String,
    /// Files in the archive, the manifest included.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub files: u64,
    /// The archive's size.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
    /// The archive's SHA-256 (recorded in the audit trail: what was handed over can be proved later).
    pub sha256: String,
    pub encrypted: bool,
    /// `all` (access) or `provided` (portability).
    pub scope: String,
    /// The language index.html and README.txt are written in.
    pub language: String,
}

/// The shortest password accepted: AES-256 is only as strong as the password that keys it.
pub const MIN_PASSWORD: usize = 10;

impl Desk {
    /// Package what was gathered on the request into the ZIP at `out`. A portability request takes only the data
    /// the person provided. The pages are written in `language`, else in the request's language (English when the
    /// export has no words for it). `progress` hears (bytes packed, bytes to pack).
    pub fn export_subject(
        &self,
        id_or_reference: &str,
        out: &Path,
        existing: Existing,
        password: Option<&str>,
        language: Option<&str>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<SubjectExport> {
        if let Some(p) = password
            && p.chars().count() < MIN_PASSWORD
        {
            return Err(Error::invalid(
                "password",
                format!(
                    "the password is too short: use at least {MIN_PASSWORD} characters (a phrase of several words is best)"
                ),
            ));
        }
        if let Some(lang) = language
            && subject::words(lang)?.is_none()
        {
            return Err(Error::invalid(
                "language",
                format!("the export cannot be written in '{lang}': choose one of {}", subject::languages()?.join(", ")),
            ));
        }
        let mut output = Output::create(out, existing)?;
        // Signed before anything is written, so a locked or refused key stops the export cleanly.
        self.checkpoint("subject export")?;
        let (r, items) = self.store.read(|rd| {
            let r = rd.request(id_or_reference)?;
            let items = rd.disclosures(&r.id.to_string())?;
            Ok((r, items))
        })?;
        check_kind(&r)?;
        let portability = r.kind == RequestKind::Portability;
        let items: Vec<Disclosure> = items.into_iter().filter(|d| !portability || d.provided).collect();
        if items.is_empty() {
            return Err(Error::refused(if portability {
                format!(
                    "nothing on {} is marked as provided by the person: a portability export holds only that",
                    r.reference
                )
            } else {
                format!("nothing is gathered on {} yet: add what each system holds first", r.reference)
            }));
        }
        let lang = match language {
            Some(l) => l.to_string(),
            None if subject::words(&r.language)?.is_some() => r.language.clone(),
            None => "en".into(),
        };
        let words = subject::words(&lang)?.ok_or_else(|| Error::Corrupt("the export has no English words".into()))?;
        let ctx = self.context(&r, &lang, None)?;
        let missing: Vec<&str> =
            crate::respond::render::required(if portability { "portability" } else { "fulfilment" }, &ctx)
                .into_iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(|(what, _)| what)
                .collect();
        if !missing.is_empty() {
            return Err(Error::refused(format!(
                "the export's README would lack what the law requires: {}",
                missing.join("; ")
            )));
        }
        let holds: BTreeMap<String, String> = self.systems()?.into_iter().map(|s| (s.id, s.holds)).collect();
        let org = &ctx.org;
        let language_words = crate::respond::data::data()?.words(&lang)?;
        let wording = subject::Wording {
            words,
            received_on: crate::respond::data::date_in(language_words, r.received),
            prepared_on: crate::respond::data::date_in(language_words, self.today()),
        };
        let mut contents = Contents {
            format: subject::FORMAT,
            generated_at: store::timestamp(self.now()),
            language: lang.clone(),
            scope: if portability { "provided" } else { "all" },
            request: RequestInfo {
                reference: r.reference.clone(),
                kind: r.kind.label().into(),
                received: dates::fmt(r.received),
                regime: ctx.request.regime.clone(),
            },
            subject: SubjectInfo { name: r.requester.name.clone(), email: r.requester.email.clone() },
            controller: ControllerInfo {
                name: org.name.clone(),
                address: org.address.clone(),
                email: org.email.clone(),
                dpo: org.dpo.clone(),
            },
            information: Information {
                art15: org.art15.clone(),
                rights: words.rights.clone(),
                complaint: ctx.complaint.clone(),
                authority: (!ctx.authority.name.is_empty()).then(|| AuthorityInfo {
                    name: ctx.authority.name.clone(),
                    address: ctx.authority.address.clone(),
                    website: ctx.authority.website.clone(),
                }),
                remedy: ctx.remedy.clone(),
            },
            systems: group(&items, &holds, &self.attachments_dir()),
        };
        let written = subject::write(
            &mut contents,
            &wording,
            output.handle()?,
            out,
            password,
            &|p| self.open_stored(p),
            progress,
        )?;
        let sha256 = output.sha256()?;
        let export = SubjectExport {
            path: out.display().to_string(),
            files: written.entries.len() as u64 + 1,
            bytes: written.bytes,
            sha256,
            encrypted: password.is_some(),
            scope: contents.scope.into(),
            language: lang,
        };
        // Recorded once the file is in place (an event for an export that could not be written would be false);
        // if the event cannot be written, the file is removed again.
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        output.commit_then(|| {
            self.update(&r.reference, |_, _| {
                Ok(AuditEvent::SubjectExportMade(ev::SubjectExportMade {
                    file_name: name.clone(),
                    sha256: export.sha256.clone(),
                    bytes: export.bytes,
                    files: export.files,
                    encrypted: export.encrypted,
                    scope: export.scope.clone(),
                    language: export.language.clone(),
                    items: items.len() as u64,
                    dates: None,
                }))
            })
        })?;
        Ok(export)
    }

    /// The window's export: saved to the Downloads folder as `<reference>-personal-data.zip`.
    pub fn export_subject_to_downloads(
        &self,
        id_or_reference: &str,
        password: Option<&str>,
        language: Option<&str>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<SubjectExport> {
        let reference = self.store.read(|rd| rd.request(id_or_reference))?.reference;
        let path = super::export_path(&format!("{reference}-personal-data.zip"))?;
        self.export_subject(id_or_reference, &path, Existing::Refuse, password, language, progress)
    }
}

/// The items by system, then category, in the order the store gives (system and category names, then time).
fn group(items: &[Disclosure], holds: &BTreeMap<String, String>, attachments: &Path) -> Vec<SystemData> {
    let mut systems: Vec<SystemData> = vec![];
    for d in items {
        if systems.last().is_none_or(|s| s.name != d.system_name) {
            systems.push(SystemData {
                name: d.system_name.clone(),
                holds: holds.get(&d.system_id).cloned().unwrap_or_default(),
                categories: vec![],
            });
        }
        let Some(system) = systems.last_mut() else { continue };
        if system.categories.last().is_none_or(|c| !c.name.eq_ignore_ascii_case(&d.category)) {
            system.categories.push(CategoryData { name: d.category.clone(), fields: vec![], files: vec![] });
        }
        let Some(category) = system.categories.last_mut() else { continue };
        match (&d.label, &d.value, &d.stored_name) {
            (Some(label), Some(value), _) => {
                category.fields.push(FieldData { label: label.clone(), value: value.clone(), provided: d.provided })
            }
            (_, _, Some(stored)) => {
                let name = d.file_name.clone().unwrap_or_else(|| "file".into());
                category.files.push(FileData {
                    media_type: subject::media_type(&name),
                    name,
                    path: String::new(),
                    size: d.size.unwrap_or(0).max(0) as u64,
                    sha256: d.sha256.clone().unwrap_or_default(),
                    provided: d.provided,
                    tables: vec![],
                    source: attachments.join(stored),
                })
            }
            _ => {}
        }
    }
    systems
}
