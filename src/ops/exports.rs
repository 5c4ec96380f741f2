//! What leaves the register: the request log, metrics, the requester's copy of their data, the evidence pack.

use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Reporting, SaveTo, op};
use crate::desk::{DisclosureInput, EvidencePack, LogExport, PackSelection, RequestDetail, SubjectExport};
use crate::export::{LogFormat, Metrics};
use crate::files::{FileInput, MAX_ATTACHMENT_BYTES};
use crate::safe_file::Existing;

/// The year's metrics (CCPA §7102 shape), for one regime or all.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetMetrics {
    /// The calendar year (e.g. 2026).
    #[arg(long)]
    pub year: i32,
    /// Only requests under this law (eu-gdpr, us-ca-ccpa, …; default: all).
    #[arg(long)]
    #[serde(default)]
    pub regime: Option<String>,
}
op!(GetMetrics => Metrics, |i, d| d.metrics(i.year, i.regime.as_deref()));

/// Add a field, or a file found in a system, to an access or portability answer.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddDisclosure {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    pub input: DisclosureInput,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::files::FileToken>))]
    pub file: Option<FileInput>,
}
op!(AddDisclosure => RequestDetail, |i, d| {
    let file = match &i.file {
        Some(f) => Some((f.name(), f.open(MAX_ATTACHMENT_BYTES)? as Box<dyn std::io::Read>)),
        None => None,
    };
    d.add_disclosure(&i.reference, i.input, file)
});

/// Take an item out of an access or portability answer.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoveDisclosure {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The disclosed item's id.
    #[arg(long, help = "The item's id (`request show --json` lists it under `disclosures`)")]
    pub item: String,
}
op!(RemoveDisclosure => RequestDetail, |i, d| d.remove_disclosure(&i.reference, &i.item));

/// The evidence pack for a regulator's inquiry, saved where `save` says (default: Downloads).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportEvidence {
    pub selection: PackSelection,
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
}
op!(ExportEvidence => EvidencePack, |i, d| {
    let (path, existing) = i.save.resolve(&format!("evidence-pack-{}.zip", crate::dates::fmt(d.today())))?;
    d.export_evidence(&i.selection, &path, existing)
});

/// The request log of a period (dates as typed, YYYY-MM-DD), saved where `save` says (default: Downloads);
/// progress is the number of requests written so far.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportLog {
    pub from: String,
    pub to: String,
    pub format: LogFormat,
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
}

impl Reporting for ExportLog {
    type Output = LogExport;
    type Progress = u32;

    fn run(self, d: &crate::Desk, progress: &mut dyn FnMut(u32)) -> crate::Result<LogExport> {
        let mut progress = |n: u64| progress(u32::try_from(n).unwrap_or(u32::MAX));
        match &self.save.out {
            Some(path) => {
                let date = |field: &str, text: &str| {
                    crate::dates::parse(text).map_err(|e| crate::Error::invalid(field, e.to_string()))
                };
                let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
                d.export_log(from, to, self.format, path, Existing::replace_if(self.save.force), &mut progress)
            }
            None => d.export_log_to_downloads(&self.from, &self.to, self.format, &mut progress),
        }
    }
}

/// The requester's copy of their data as a ZIP (AES-256 with a password), saved where `save` says (default:
/// Downloads); progress in percent. The password only passes through memory and is wiped when dropped.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportSubject {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
}

impl Reporting for ExportSubject {
    type Output = SubjectExport;
    type Progress = u32;

    fn run(self, d: &crate::Desk, progress: &mut dyn FnMut(u32)) -> crate::Result<SubjectExport> {
        let password = self.password.filter(|p| !p.is_empty()).map(Zeroizing::new);
        let mut last = u32::MAX;
        let mut percent = |done: u64, total: u64| {
            let percent = (done * 100).checked_div(total).map_or(100, |p| u32::try_from(p).unwrap_or(100));
            if percent != last {
                last = percent;
                progress(percent);
            }
        };
        let (password, language) = (password.as_ref().map(|p| p.as_str()), self.language.as_deref());
        match &self.save.out {
            Some(path) => {
                let existing = Existing::replace_if(self.save.force);
                d.export_subject(&self.reference, path, existing, password, language, &mut percent)
            }
            None => d.export_subject_to_downloads(&self.reference, password, language, &mut percent),
        }
    }
}
