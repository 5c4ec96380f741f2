//! Intake: reading an email before logging it, importing a backlog from a table.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Reporting, op};
use crate::desk::{ImportPreview, ImportProgress, ImportReport};
use crate::files::{FileInput, MAX_EML_BYTES, MAX_IMPORT_BYTES};
use crate::intake::{EmailDraft, ImportMapping};
use crate::safe_file::{self, Existing, Output};
use crate::store::ImportRecord;

/// Read an email (.eml) into a prefilled request form; nothing is logged.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReadEmail {
    /// The email, as a .eml file.
    #[cfg_attr(feature = "specta", specta(type = crate::files::FileToken))]
    pub file: FileInput,
}
op!(ReadEmail => EmailDraft, |i, _d| i.read());

impl ReadEmail {
    /// The draft, without a register: the command line reads an email before any database is opened.
    pub fn read(&self) -> crate::Result<EmailDraft> {
        crate::intake::read_email(&self.file.read(MAX_EML_BYTES)?)
    }
}

/// A table's columns, a sample of its rows and the mapping guessed from its headers.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewImport {
    /// The table: .csv (comma, semicolon or tab separated, UTF-8), .xlsx, .xls or .ods, with a header row.
    #[cfg_attr(feature = "specta", specta(type = crate::files::FileToken))]
    pub file: FileInput,
}
op!(PreviewImport => ImportPreview, |i, d| d.preview_import(&i.file.into_source(MAX_IMPORT_BYTES)?));

/// Every import so far (file, hash, counts).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListImports;
op!(ListImports => Vec<ImportRecord>, |_, d| d.imports());

/// Check, or import, a table of requests: good rows in one transaction, each row validated like the form. The rows
/// that could not be imported (row, column, value, reason) go to `errors` when it is given, else, with
/// `errors_to_downloads` (the window's choice), to a new file in the Downloads folder when there are any.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunImport {
    #[cfg_attr(feature = "specta", specta(type = crate::files::FileToken))]
    pub file: FileInput,
    #[serde(default)]
    pub mapping: Option<ImportMapping>,
    #[serde(default)]
    pub check_only: bool,
    /// The command line's `--errors` (the window cannot name a path).
    #[serde(skip)]
    pub errors: Option<PathBuf>,
    /// Replace the `errors` file if there is one.
    #[serde(skip)]
    pub force: bool,
    #[serde(default)]
    pub errors_to_downloads: bool,
}

#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    pub report: ImportReport,
    /// Where the rows that could not be imported were written (row, column, value, reason), if any.
    pub error_file: Option<String>,
}

impl Reporting for RunImport {
    type Output = ImportOutcome;
    type Progress = ImportProgress;

    fn run(self, d: &crate::Desk, progress: &mut dyn FnMut(ImportProgress)) -> crate::Result<ImportOutcome> {
        let name = self.file.name();
        let source = self.file.into_source(MAX_IMPORT_BYTES)?;
        if let Some(path) = &self.errors {
            // Claimed first and put in place only when the import ran: a failed import leaves an existing file of
            // that name untouched.
            let mut out = Output::create(path, Existing::replace_if(self.force))?;
            let report = d.import_requests(&source, self.mapping, self.check_only, Some(out.file()), progress)?;
            out.commit()?;
            return Ok(ImportOutcome { report, error_file: Some(path.display().to_string()) });
        }
        let mut errors = Vec::new();
        let report = d.import_requests(&source, self.mapping, self.check_only, Some(&mut errors), progress)?;
        let error_file = if self.errors_to_downloads && report.errors > 0 && !self.check_only {
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            let path = crate::desk::export_path(&format!("{stem}-import-errors.csv"))?;
            safe_file::write(&path, Existing::Refuse, &errors)?;
            Some(path.display().to_string())
        } else {
            None
        };
        Ok(ImportOutcome { report, error_file })
    }
}
