//! The requester's copy of their data: what was gathered on an access or portability request, packaged by
//! `export::subject` into one ZIP, optionally password-protected, and recorded in the request's audit trail.

use std::collections::BTreeMap;
use std::io::{Cursor, Seek, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Desk, disclosures::check_kind};
use crate::dates;
use crate::domain::RequestKind;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::export::archive::{self, Bounded};
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

/// An archive built, not yet recorded: what its event and [`SubjectExport`] say of it.
struct Made {
    reference: String,
    /// Items gathered that went in.
    items: u64,
    /// Files in the archive, the manifest included.
    files: u64,
    bytes: u64,
    scope: &'static str,
    language: String,
}

impl Made {
    fn export(&self, path: String, sha256: String, encrypted: bool) -> SubjectExport {
        SubjectExport {
            path,
            files: self.files,
            bytes: self.bytes,
            sha256,
            encrypted,
            scope: self.scope.into(),
            language: self.language.clone(),
        }
    }
}

/// Refuse a weak password or a language the export has no words for, before anything is made.
fn check_options(password: Option<&str>, language: Option<&str>) -> Result<()> {
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
    Ok(())
}

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
        check_options(password, language)?;
        let mut output = Output::create(out, existing)?;
        let sink = archive::buffered(output.handle()?);
        // The buffer is flushed into the file by the archive's end, and dropped with it before the file is read.
        let (made, _) = self.build_subject_export(id_or_reference, sink, out, password, language, progress)?;
        let export = made.export(out.display().to_string(), output.sha256()?, password.is_some());
        // Recorded once the file is in place (an event for an export that could not be written would be false);
        // if the event cannot be written, the file is removed again.
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        output.commit_then(|| self.record_subject_export(&made, &name, &export))?;
        Ok(export)
    }

    /// The same export built in memory and never written to disk, for a copy that goes with an email (`name` is
    /// the ZIP's file name there): its bytes, or `None` once it grows past `limit` bytes (it stops there rather than
    /// build a copy no mail server would take). Recorded as the file export is, once the archive is whole.
    pub(super) fn subject_export_in_memory(
        &self,
        id_or_reference: &str,
        name: &str,
        password: Option<&str>,
        language: Option<&str>,
        limit: u64,
    ) -> Result<Option<(Vec<u8>, SubjectExport)>> {
        check_options(password, language)?;
        let mut sink = Bounded::new(Cursor::new(Vec::new()), limit);
        let made = self
            .build_subject_export(id_or_reference, &mut sink, Path::new(name), password, language, &mut |_, _| {})
            .map(|(made, _)| made);
        // Past the limit the build fails on a write (or may end on what was dropped): either way, too large.
        if sink.exceeded() {
            return Ok(None);
        }
        let made = made?;
        let bytes = sink.into_inner().into_inner();
        let export = made.export(name.to_string(), crate::hash::sha256_hex(&bytes), password.is_some());
        self.record_subject_export(&made, name, &export)?;
        Ok(Some((bytes, export)))
    }

    /// The one build of the archive, into `sink` (a file, memory), named `out` in messages; the sink given back
    /// with the archive whole in it. Records nothing: the caller does once the archive is where it goes.
    fn build_subject_export<W: Write + Seek>(
        &self,
        id_or_reference: &str,
        sink: W,
        out: &Path,
        password: Option<&str>,
        language: Option<&str>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(Made, W)> {
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
        let (written, sink) =
            subject::write(&mut contents, &wording, sink, out, password, &|p| self.open_stored(p), progress)?;
        let made = Made {
            reference: r.reference,
            items: items.len() as u64,
            files: written.entries.len() as u64 + 1,
            bytes: written.bytes,
            scope: contents.scope,
            language: lang,
        };
        Ok((made, sink))
    }

    /// The `subject_export_made` event: the archive `file_name` as made, with its SHA-256.
    fn record_subject_export(&self, made: &Made, file_name: &str, export: &SubjectExport) -> Result<()> {
        self.update(&made.reference, |_, _| {
            Ok(AuditEvent::SubjectExportMade(ev::SubjectExportMade {
                file_name: file_name.to_string(),
                sha256: export.sha256.clone(),
                bytes: export.bytes,
                files: export.files,
                encrypted: export.encrypted,
                scope: export.scope.clone(),
                language: export.language.clone(),
                items: made.items,
                dates: None,
            }))
        })?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::checklist::SystemInput;
    use crate::desk::disclosures::DisclosureInput;
    use crate::desk::test_support::{desk_on, form};
    use crate::domain::Article15Info;
    use crate::respond::render::Organisation;

    fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = vec![];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { out.extend(files_in(&path)) } else { out.push(path) }
        }
        out.sort();
        out
    }

    fn entry(zip: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        std::io::read_to_string(archive.by_name(name).unwrap()).unwrap()
    }

    #[test]
    fn the_copy_built_in_memory_is_the_file_export_and_leaves_no_file() {
        let (dir, desk) = desk_on("2026-03-20");
        let art15 = Article15Info {
            purposes: "Accounts".into(),
            categories: "Contact details".into(),
            recipients: "None".into(),
            retention: "Six years".into(),
            source: "You".into(),
            automated: "None".into(),
            transfers: String::new(),
        };
        desk.set_organisation(Organisation {
            name: "Acme Ltd".into(),
            address: "1 Main Street".into(),
            email: "privacy@acme.test".into(),
            art15,
            ..Organisation::default()
        })
        .unwrap();
        let system = SystemInput { name: "CRM".into(), owner: "IT".into(), holds: "Contacts".into(), is_backup: false };
        desk.add_system(system).unwrap();
        let reference = desk.add_request(form("access", "eu-gdpr", "2026-03-02")).unwrap().request.reference;
        let field = |label: &str, value: &str| DisclosureInput {
            system: "CRM".into(),
            category: "Contact details".into(),
            label: label.into(),
            value: value.into(),
            provided: false,
        };
        desk.add_disclosure(&reference, field("Phone", "+353 1 555 0199"), None).unwrap();
        let notes: Box<dyn std::io::Read> = Box::new(&b"first,second\n1,2\n"[..]);
        desk.add_disclosure(&reference, field("", ""), Some(("notes.csv".into(), notes))).unwrap();

        let before = files_in(desk.files_dir());
        let name = format!("{reference}-personal-data.zip");
        let (bytes, made) = desk.subject_export_in_memory(&reference, &name, None, None, 1 << 20).unwrap().unwrap();
        assert_eq!(files_in(desk.files_dir()), before, "nothing written in the register's folder");
        assert_eq!((made.bytes, made.sha256.as_str()), (bytes.len() as u64, crate::hash::sha256_hex(&bytes).as_str()));
        assert!(entry(&bytes, "data.json").contains("+353 1 555 0199"));

        let out = dir.path().join("export.zip");
        let file = desk.export_subject(&reference, &out, Existing::Refuse, None, None, &mut |_, _| {}).unwrap();
        let on_disk = std::fs::read(&out).unwrap();
        assert_eq!(entry(&bytes, "manifest.json"), entry(&on_disk, "manifest.json"), "the same archive");
        assert_eq!((file.files, file.bytes, &file.sha256), (made.files, made.bytes, &made.sha256));
        let events = desk.request(&reference).unwrap().events;
        let exports: Vec<_> = events.iter().filter(|e| e.kind == "subject_export_made").collect();
        assert_eq!(exports.len(), 2, "each build is recorded once");
        assert_eq!(exports[0].data["sha256"], made.sha256.as_str());
        assert_eq!(exports[0].data["file_name"], name.as_str());

        // Past its limit it stops, and nothing is recorded for a copy that was never whole.
        assert!(desk.subject_export_in_memory(&reference, &name, None, None, 1_000).unwrap().is_none());
        let events = desk.request(&reference).unwrap().events;
        assert_eq!(events.iter().filter(|e| e.kind == "subject_export_made").count(), 2);
        assert_eq!(files_in(desk.files_dir()), before);
    }
}
