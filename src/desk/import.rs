//! Bulk import of requests from a CSV or spreadsheet file: every row is validated like the new-request form; the
//! good rows are imported in one transaction (all or none of them: a failure half-way leaves nothing behind); the
//! others are listed with row, column, value and reason. A row imported before (same source id, or the same
//! content when the source has no id) is skipped, so importing a file twice creates nothing twice.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DatesMemo, Desk, NewRequest};
use crate::domain::{Channel, Request, RequestKind};
use crate::error::{Error, Result};
use crate::export::CsvOut;
use crate::intake::{FIELDS, ImportMapping, Source, table};
use crate::store::{self, ImportRecord};

/// Rows listed in a report (the error file has them all).
const REPORTED_ERRORS: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportField {
    pub id: String,
    pub label: String,
    pub required: bool,
}

/// What the mapping step shows: the columns, the first rows, and the mapping guessed from the headers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportPreview {
    pub file_name: String,
    pub format: String,
    pub headers: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub suggested: ImportMapping,
    pub fields: Vec<ImportField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowError {
    /// The row as a spreadsheet numbers it (the header is row 1).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub row: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    pub file_name: String,
    pub sha256: String,
    /// True when nothing was written (a check before importing).
    pub check_only: bool,
    /// Rows read (blank rows are not counted).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub rows: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub imported: u64,
    /// Rows imported before (skipped).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub duplicates: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub errors: u64,
    /// The first rows in error (all of them are in the error file).
    pub first_errors: Vec<RowError>,
    pub first_reference: Option<String>,
    pub last_reference: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportProgress {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub done: u64,
    /// An estimate from the file's lines (exact for spreadsheets).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub total: u64,
}

enum Outcome {
    New(Box<Request>, String),
    Duplicate,
    /// Every problem of the row, one per column.
    Invalid(Vec<RowError>),
}

/// A value as the import accepts it: kinds and channels by id or label, laws in any case, dates with a time.
fn normalise(field: &str, value: &str) -> String {
    let v = value.trim();
    let by_label = |ids: &[(&str, &str)]| {
        ids.iter()
            .find(|(id, label)| id.eq_ignore_ascii_case(v) || label.eq_ignore_ascii_case(v))
            .map_or_else(|| v.to_string(), |(id, _)| id.to_string())
    };
    match field {
        "kind" => by_label(&RequestKind::ALL.iter().map(|k| (k.id(), k.label())).collect::<Vec<_>>()),
        "channel" => by_label(&Channel::ALL.iter().map(|k| (k.id(), k.label())).collect::<Vec<_>>()),
        "regime" | "language" => v.to_lowercase(),
        "calendar" => v.to_uppercase(),
        // 2026-03-02T10:15:00 or 2026-03-02 10:15 → the date.
        "received" if v.len() > 10 && v.is_char_boundary(10) && matches!(v.as_bytes()[10], b'T' | b' ') => {
            v[..10].to_string()
        }
        _ => v.to_string(),
    }
}

impl Desk {
    pub fn preview_import(&self, source: &Source) -> Result<ImportPreview> {
        let table = table::open(source)?;
        let sample = table.rows.take(5).map(|(_, cells)| cells.unwrap_or_default()).collect();
        Ok(ImportPreview {
            file_name: source.name(),
            format: table.format.label(),
            suggested: ImportMapping::by_name(&table.headers),
            headers: table.headers,
            sample,
            fields: FIELDS
                .iter()
                .map(|(id, label, required)| ImportField {
                    id: id.to_string(),
                    label: label.to_string(),
                    required: *required,
                })
                .collect(),
        })
    }

    /// Import (or, with `check_only`, only check) a file. `errors_out` receives the error file (CSV: row, column,
    /// value, reason). Without a mapping, columns named like the fields map by name.
    pub fn import_requests(
        &self,
        source: &Source,
        mapping: Option<ImportMapping>,
        check_only: bool,
        errors_out: Option<&mut dyn Write>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        let sha256 = source.sha256()?;
        let table = table::open(source)?;
        let total = match table.known_rows {
            Some(n) => n,
            None => estimate_lines(source)?,
        };
        let mapping = mapping.unwrap_or_else(|| ImportMapping::by_name(&table.headers));
        mapping.check(&table.headers)?;
        let columns: BTreeMap<String, usize> = mapping
            .columns
            .iter()
            .filter_map(|(field, header)| table.headers.iter().position(|h| h == header).map(|i| (field.clone(), i)))
            .collect();
        let mut run = Run {
            report: ImportReport { file_name: source.name(), sha256: sha256.clone(), check_only, ..Default::default() },
            errors: errors_out.map(CsvOut::new),
            seen: HashSet::new(),
            dates: DatesMemo::default(),
            columns,
            mapping,
            total,
        };
        if let Some(w) = run.errors.as_mut() {
            w.write_record(["row", "column", "value", "reason"]).map_err(csv_error)?;
        }
        let at = store::timestamp(self.now());
        let mut rows = table.rows;
        if check_only {
            self.store.read(|rd| {
                for (row, cells) in rows.by_ref() {
                    run.step(self, row, cells, &|key| Ok(rd.imported_as(key)?.is_some()), progress, &mut |_, _, _| {
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        } else {
            self.store.write(|tx| {
                let reader: &dyn store::Read = tx;
                let batch = self.begin_batch(tx)?;
                for (row, cells) in rows.by_ref() {
                    run.step(
                        self,
                        row,
                        cells,
                        &|key| Ok(reader.imported_as(key)?.is_some()),
                        progress,
                        &mut |r, key, row| {
                            let from = json!({"file": source.name(), "sha256": sha256, "row": row, "key": key});
                            self.insert_imported(tx, &batch.systems, r, &at, Some((key, from)))
                        },
                    )?;
                }
                tx.end_bulk()?;
                let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                tx.record_import(&ImportRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    file_name: run.report.file_name.clone(),
                    sha256: run.report.sha256.clone(),
                    at: at.clone(),
                    actor: self.actor.clone(),
                    rows: count(run.report.rows),
                    imported: count(run.report.imported),
                    duplicates: count(run.report.duplicates),
                    errors: count(run.report.errors),
                })
            })?;
        }
        if let Some(mut w) = run.errors.take() {
            w.flush().map_err(|e| Error::io("cannot write the error file", e))?;
        }
        progress(ImportProgress { done: run.report.rows, total: run.report.rows });
        Ok(run.report)
    }

    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        self.store.read(|r| r.imports(20))
    }

    fn import_row(
        &self,
        row: u64,
        cells: &[String],
        columns: &BTreeMap<String, usize>,
        mapping: &ImportMapping,
        dates: &mut DatesMemo,
        exists: &dyn Fn(&str) -> Result<bool>,
    ) -> Result<Outcome> {
        let value = |field: &str| -> String {
            let cell = columns.get(field).and_then(|i| cells.get(*i)).map(|c| c.trim()).unwrap_or("");
            let raw = if cell.is_empty() { mapping.defaults.get(field).map(|d| d.trim()).unwrap_or("") } else { cell };
            normalise(field, raw)
        };
        let opt = |field: &str| Some(value(field)).filter(|v| !v.is_empty());
        let external_id = opt("external_id");
        let key = match &external_id {
            Some(id) => format!("ext:{id}"),
            None => {
                let canonical: Vec<String> = FIELDS.iter().map(|(f, _, _)| format!("{f}={}", value(f))).collect();
                format!("sha256:{}", crate::hash::sha256_hex(canonical.join("\n")))
            }
        };
        if exists(&key)? {
            return Ok(Outcome::Duplicate);
        }
        let input = NewRequest {
            kind: value("kind"),
            regime: value("regime"),
            calendar: opt("calendar"),
            received: value("received"),
            channel: opt("channel"),
            name: value("name"),
            email: opt("email"),
            phone: opt("phone"),
            address: opt("address"),
            account: opt("account"),
            language: opt("language"),
            description: opt("description"),
            notes: opt("notes"),
            ..NewRequest::default()
        };
        let mut problems = match &external_id {
            Some(id) => super::check_len("external_id", id, 200).err().into_iter().collect(),
            None => Vec::new(),
        };
        let request = match self.validate_all(input) {
            Ok(r) if problems.is_empty() => Some(r),
            Ok(_) => None,
            Err(found) => {
                problems.extend(found);
                None
            }
        };
        if let Some(mut r) = request {
            match self.derive_dates(dates, &r) {
                Ok(d) => {
                    r.dates = d;
                    r.external_id = external_id;
                    return Ok(Outcome::New(Box::new(r), key));
                }
                Err(e) => problems.push(e),
            }
        }
        let mut errors = Vec::with_capacity(problems.len());
        for e in problems {
            let Error::Invalid { field, message } = e else { return Err(e) };
            let column = match (mapping.columns.get(&field), mapping.defaults.contains_key(&field)) {
                (Some(header), _) => header.clone(),
                (None, true) => format!("(fixed value for {field})"),
                (None, false) => format!("(no column for {field})"),
            };
            errors.push(RowError { row, column, value: value(&field), reason: message });
        }
        Ok(Outcome::Invalid(errors))
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::io("cannot write the error file", std::io::Error::other(e.to_string()))
}

/// Where an import run stands: the report so far, the error file, and the keys taken by earlier rows.
struct Run<'w> {
    report: ImportReport,
    errors: Option<CsvOut<&'w mut dyn Write>>,
    seen: HashSet<String>,
    /// Dates already computed in this run (many rows share their facts).
    dates: DatesMemo,
    columns: BTreeMap<String, usize>,
    mapping: ImportMapping,
    total: u64,
}

impl Run<'_> {
    /// One row: imported (through `insert`), skipped as a duplicate, or listed as an error. Only a failure of the
    /// register itself is an `Err` (and aborts the whole import).
    fn step(
        &mut self,
        desk: &Desk,
        row: u64,
        cells: Result<Vec<String>>,
        exists: &dyn Fn(&str) -> Result<bool>,
        progress: &mut dyn FnMut(ImportProgress),
        insert: &mut dyn FnMut(&mut Request, &str, u64) -> Result<()>,
    ) -> Result<()> {
        let outcome = match cells {
            Err(e) => Outcome::Invalid(vec![RowError {
                row,
                column: String::new(),
                value: String::new(),
                reason: e.to_string(),
            }]),
            Ok(cells) if cells.iter().all(|c| c.trim().is_empty()) => return Ok(()),
            Ok(cells) => {
                let seen = &self.seen;
                desk.import_row(row, &cells, &self.columns, &self.mapping, &mut self.dates, &|key| {
                    Ok(seen.contains(key) || exists(key)?)
                })?
            }
        };
        let report = &mut self.report;
        report.rows += 1;
        match outcome {
            Outcome::New(mut r, key) => {
                insert(&mut r, &key, row)?;
                self.seen.insert(key);
                report.imported += 1;
                if !report.check_only {
                    report.first_reference.get_or_insert_with(|| r.reference.clone());
                    report.last_reference = Some(r.reference.clone());
                }
            }
            Outcome::Duplicate => report.duplicates += 1,
            Outcome::Invalid(problems) => {
                report.errors += 1;
                for e in problems {
                    if let Some(w) = self.errors.as_mut() {
                        w.write_record([row.to_string(), e.column.clone(), e.value.clone(), e.reason.clone()])
                            .map_err(csv_error)?;
                    }
                    if report.first_errors.len() < REPORTED_ERRORS {
                        report.first_errors.push(e);
                    }
                }
            }
        }
        if report.rows.is_multiple_of(500) {
            progress(ImportProgress { done: report.rows, total: self.total.max(report.rows) });
        }
        Ok(())
    }
}

/// Lines in a text file, for the progress bar (a spreadsheet's rows are known once it is read).
fn estimate_lines(source: &Source) -> Result<u64> {
    let count = |bytes: &[u8]| bytes.iter().filter(|b| **b == b'\n').count() as u64;
    Ok(match source {
        Source::Bytes { bytes, .. } => count(bytes),
        Source::Path(p) => {
            use std::io::Read;
            let mut f = crate::files::open_input(p, crate::files::MAX_IMPORT_BYTES)?;
            let mut buf = vec![0u8; 256 * 1024];
            let mut n = 0;
            loop {
                let read = f.read(&mut buf).map_err(|e| crate::files::read_error(p, e))?;
                if read == 0 {
                    break n;
                }
                n += count(&buf[..read]);
            }
        }
    })
}
