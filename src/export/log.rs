//! The request log a regulator asks for (GDPR Art 5(2)/30 accountability, CCPA §7101 records): every request of a
//! period with what it was, its dates and what was done — no requester's personal data. Written as CSV, XLSX
//! (frozen header, filters, real date cells, in rust_xlsxwriter's constant-memory mode), JSON (streamed) or a PDF
//! report (summary table first, then the requests). Each format is fed one row at a time.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};

use printpdf::{Line, LinePoint, Mm, Op, PdfDocument, PdfPage, Point};
use serde::Serialize;
use time::Date;

use crate::dates;
use crate::domain::Status;
use crate::error::{Error, Result};
use crate::export::CsvOut;
use crate::store::LogRecord;
use crate::typeset::{Typesetter, Weight};

/// The formats the log is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Csv,
    Xlsx,
    Json,
    Pdf,
}

impl LogFormat {
    pub fn parse(s: &str) -> Result<LogFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(LogFormat::Csv),
            "xlsx" => Ok(LogFormat::Xlsx),
            "json" => Ok(LogFormat::Json),
            "pdf" => Ok(LogFormat::Pdf),
            other => Err(Error::invalid("format", format!("'{other}' is not a log format (csv, xlsx, json, pdf)"))),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            LogFormat::Csv => "csv",
            LogFormat::Xlsx => "xlsx",
            LogFormat::Json => "json",
            LogFormat::Pdf => "pdf",
        }
    }
}

/// One line of the log, as written (JSON keeps the types; CSV and the PDF use the text).
#[derive(Debug, Clone, Serialize)]
pub struct LogRow {
    pub reference: String,
    pub kind: String,
    pub regime: String,
    pub channel: String,
    pub received: String,
    pub clock_start: Option<String>,
    pub acknowledged: Option<String>,
    pub acknowledge_by: Option<String>,
    pub due: Option<String>,
    pub extended_due: Option<String>,
    pub effective_due: Option<String>,
    pub paused_days: i64,
    pub pauses: String,
    pub status: String,
    pub outcome: String,
    pub refusal_category: Option<String>,
    pub refusal_reason: Option<String>,
    pub closed: Option<String>,
    pub days_taken: Option<i64>,
    /// Answered (fulfilled, partly, refused) by the date that applied; for an open request, `false` once that date
    /// has passed; none for a withdrawal.
    pub on_time: Option<bool>,
}

pub const HEADERS: [&str; 20] = [
    "reference",
    "kind",
    "regime",
    "channel",
    "received",
    "clock_start",
    "acknowledged",
    "acknowledge_by",
    "due",
    "extended_due",
    "effective_due",
    "paused_days",
    "pauses",
    "status",
    "outcome",
    "refusal_category",
    "refusal_reason",
    "closed",
    "days_taken",
    "on_time",
];

/// Columns that hold dates (real date cells in the spreadsheet).
const DATE_COLUMNS: [usize; 8] = [4, 5, 6, 7, 8, 9, 10, 17];

impl LogRow {
    pub fn from_record(r: &LogRecord, today: Date) -> LogRow {
        let f = |d: Option<Date>| d.map(dates::fmt);
        let answered = !r.status.is_open();
        let closed = if answered { r.closed } else { None };
        // A withdrawal (or a closed duplicate) is no answer: it is neither on time nor late.
        let substantive = matches!(r.outcome, Status::Fulfilled | Status::PartiallyFulfilled | Status::Refused);
        let on_time = match (closed, r.effective_due) {
            (Some(c), Some(due)) if substantive => Some(c <= due),
            (Some(_), _) => None,
            (None, Some(due)) if !answered && today > due => Some(false),
            _ => None,
        };
        let refused = matches!(r.outcome, Status::Refused | Status::PartiallyFulfilled);
        LogRow {
            reference: r.reference.clone(),
            kind: r.kind.id().into(),
            regime: r.regime.clone(),
            channel: r.channel.clone(),
            received: dates::fmt(r.received),
            clock_start: f(r.clock_start),
            acknowledged: f(r.acknowledged),
            acknowledge_by: f(r.acknowledge_by),
            due: f(r.due),
            extended_due: f(r.extended_due),
            effective_due: f(r.effective_due),
            paused_days: r.paused_days,
            pauses: r
                .pauses
                .iter()
                .map(|p| {
                    let end = p.end.map(dates::fmt).unwrap_or_else(|| "still paused".into());
                    format!("{} to {end}: {}", dates::fmt(p.start), p.reason.id())
                })
                .collect::<Vec<_>>()
                .join("; "),
            status: r.status.id().into(),
            outcome: if answered { r.outcome.id().into() } else { "open".into() },
            refusal_category: if refused { r.refusal_category.clone() } else { None },
            refusal_reason: if refused { r.outcome_reason.clone() } else { None },
            closed: f(closed),
            days_taken: closed.map(|c| (c - r.received).whole_days()),
            on_time,
        }
    }

    /// The row's cells as text, in `HEADERS` order, borrowed from the row (no copy per cell).
    pub fn cells(&self) -> [Cow<'_, str>; 20] {
        fn o(v: &Option<String>) -> Cow<'_, str> {
            Cow::Borrowed(v.as_deref().unwrap_or_default())
        }
        fn b(v: &str) -> Cow<'_, str> {
            Cow::Borrowed(v)
        }
        [
            b(&self.reference),
            b(&self.kind),
            b(&self.regime),
            b(&self.channel),
            b(&self.received),
            o(&self.clock_start),
            o(&self.acknowledged),
            o(&self.acknowledge_by),
            o(&self.due),
            o(&self.extended_due),
            o(&self.effective_due),
            Cow::Owned(self.paused_days.to_string()),
            b(&self.pauses),
            b(&self.status),
            b(&self.outcome),
            o(&self.refusal_category),
            o(&self.refusal_reason),
            o(&self.closed),
            self.days_taken.map_or(Cow::Borrowed(""), |d| Cow::Owned(d.to_string())),
            Cow::Borrowed(match self.on_time {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }),
        ]
    }
}

/// Counts for the report's summary table.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogSummary {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub open: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub answered: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub on_time: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub late: u64,
    /// Open past the date that applies.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub overdue: u64,
    /// Per kind: (kind, received, fulfilled wholly or in part, refused, on time).
    pub per_kind: Vec<(String, u32, u32, u32, u32)>,
}

impl LogSummary {
    fn add(&mut self, row: &LogRow) {
        self.requests += 1;
        if row.outcome == "open" {
            self.open += 1;
            if row.on_time == Some(false) {
                self.overdue += 1;
            }
        } else {
            self.answered += 1;
            match row.on_time {
                Some(true) => self.on_time += 1,
                Some(false) => self.late += 1,
                None => {}
            }
        }
        let i = match self.per_kind.iter().position(|k| k.0 == row.kind) {
            Some(i) => i,
            None => {
                self.per_kind.push((row.kind.clone(), 0, 0, 0, 0));
                self.per_kind.len() - 1
            }
        };
        let k = &mut self.per_kind[i];
        k.1 += 1;
        if row.outcome == "fulfilled" || row.outcome == "partially-fulfilled" {
            k.2 += 1;
        }
        if row.outcome == "refused" {
            k.3 += 1;
        }
        if row.outcome != "open" && row.on_time == Some(true) {
            k.4 += 1;
        }
    }
}

/// A writer for one format: rows go in one at a time, `finish` completes the file (opened by the caller through
/// [`crate::safe_file::Output`]).
pub enum LogWriter {
    Csv(CsvOut<BufWriter<File>>),
    Json { out: BufWriter<File>, first: bool },
    Xlsx { book: Box<rust_xlsxwriter::Workbook>, row: u32, date: rust_xlsxwriter::Format, file: File },
    Pdf { report: Box<PdfReport>, file: File },
}

fn io(e: std::io::Error) -> Error {
    Error::io("cannot write the request log", e)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::io("cannot write the spreadsheet", std::io::Error::other(e.to_string()))
}

impl LogWriter {
    pub fn create(format: LogFormat, file: File, title: &str) -> Result<LogWriter> {
        Ok(match format {
            LogFormat::Csv => {
                let mut w = CsvOut::new(BufWriter::new(file));
                w.write_record(HEADERS).map_err(|e| Error::io("cannot write the CSV", e.into()))?;
                LogWriter::Csv(w)
            }
            LogFormat::Json => {
                let mut out = BufWriter::new(file);
                let head = serde_json::json!({"title": title, "columns": HEADERS});
                let head = head.to_string();
                // The object is streamed: its header fields, then the requests one by one.
                write!(out, "{},\"requests\":[", &head[..head.len() - 1]).map_err(io)?;
                LogWriter::Json { out, first: true }
            }
            LogFormat::Xlsx => {
                let mut book = Box::new(rust_xlsxwriter::Workbook::new());
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
                sheet.set_name("Requests").map_err(xlsx_error)?;
                for (i, h) in HEADERS.iter().enumerate() {
                    let col = u16::try_from(i).unwrap_or(u16::MAX);
                    sheet.write_string_with_format(0, col, *h, &bold).map_err(xlsx_error)?;
                    let width = if DATE_COLUMNS.contains(&i) { 11.0 } else { 14.0 };
                    sheet.set_column_width(col, width).map_err(xlsx_error)?;
                }
                sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
                LogWriter::Xlsx { book, row: 0, date, file }
            }
            LogFormat::Pdf => LogWriter::Pdf { report: Box::new(PdfReport::new(title)), file },
        })
    }

    pub fn write(&mut self, row: &LogRow) -> Result<()> {
        match self {
            LogWriter::Csv(w) => w.write_record(row.cells()).map_err(|e| Error::io("cannot write the CSV", e.into())),
            LogWriter::Json { out, first } => {
                if !*first {
                    out.write_all(b",").map_err(|e| Error::io("cannot write the JSON", e))?;
                }
                *first = false;
                serde_json::to_writer(&mut *out, row).map_err(|e| Error::io("cannot write the JSON", e.into()))
            }
            LogWriter::Xlsx { book, row: n, date, .. } => {
                *n += 1;
                let sheet = book.worksheet_from_index(0).map_err(xlsx_error)?;
                for (i, cell) in row.cells().iter().enumerate() {
                    let col = u16::try_from(i).unwrap_or(u16::MAX);
                    if cell.is_empty() {
                        continue;
                    }
                    if DATE_COLUMNS.contains(&i)
                        && let Ok(d) = dates::parse(cell)
                    {
                        let excel = rust_xlsxwriter::ExcelDateTime::from_ymd(
                            u16::try_from(d.year()).unwrap_or(1900),
                            u8::from(d.month()),
                            d.day(),
                        )
                        .map_err(xlsx_error)?;
                        sheet.write_datetime_with_format(*n, col, &excel, date).map_err(xlsx_error)?;
                    } else if (i == 11 || i == 18)
                        && let Ok(v) = cell.parse::<f64>()
                    {
                        sheet.write_number(*n, col, v).map_err(xlsx_error)?;
                    } else {
                        // A string cell, never a formula: text that begins with "=" stays text in the spreadsheet.
                        sheet.write_string(*n, col, cell.as_ref()).map_err(xlsx_error)?;
                    }
                }
                Ok(())
            }
            LogWriter::Pdf { report, .. } => {
                report.add(row);
                Ok(())
            }
        }
    }

    /// Complete the file and flush it (the caller syncs and names it).
    pub fn finish(self) -> Result<()> {
        match self {
            LogWriter::Csv(mut w) => w.flush().map_err(io),
            LogWriter::Json { mut out, .. } => out.write_all(b"]}\n").and_then(|()| out.flush()).map_err(io),
            LogWriter::Xlsx { mut book, row, file, .. } => {
                let sheet = book.worksheet_from_index(0).map_err(xlsx_error)?;
                let last_col = u16::try_from(HEADERS.len() - 1).unwrap_or(0);
                sheet.autofilter(0, 0, row.max(1), last_col).map_err(xlsx_error)?;
                let mut out = BufWriter::new(file);
                book.save_to_writer(&mut out).map_err(xlsx_error)?;
                out.flush().map_err(io)
            }
            LogWriter::Pdf { report, mut file } => file.write_all(&report.finish()?).map_err(io),
        }
    }
}

/// The PDF report: the title, a summary table per kind, then the requests (the first [`PdfReport::MAX_ROWS`]; the
/// full list is in the other formats, and the report says so).
pub struct PdfReport {
    title: String,
    summary: LogSummary,
    rows: Vec<[String; 9]>,
}

impl PdfReport {
    pub const MAX_ROWS: usize = 5_000;

    fn new(title: &str) -> PdfReport {
        PdfReport { title: title.into(), summary: LogSummary::default(), rows: Vec::new() }
    }

    fn add(&mut self, row: &LogRow) {
        self.summary.add(row);
        if self.rows.len() < Self::MAX_ROWS {
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            self.rows.push([
                row.reference.clone(),
                row.kind.clone(),
                row.regime.clone(),
                row.received.clone(),
                o(&row.effective_due),
                row.outcome.clone(),
                o(&row.closed),
                row.days_taken.map(|d| d.to_string()).unwrap_or_default(),
                match row.on_time {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
            ]);
        }
    }

    fn finish(self) -> Result<Vec<u8>> {
        let mut ts = Typesetter::new()?;
        // A4 landscape, in mm.
        const W: f32 = 297.0;
        const H: f32 = 210.0;
        const LEFT: f32 = 14.0;
        let rule = |ops: &mut Vec<Op>, y: f32| {
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint { p: Point::new(Mm(LEFT), Mm(y)), bezier: false },
                        LinePoint { p: Point::new(Mm(W - LEFT), Mm(y)), bezier: false },
                    ],
                    is_closed: false,
                },
            });
        };
        let mut pages: Vec<Vec<Op>> = Vec::new();
        let mut ops = Vec::new();
        ts.text(&mut ops, Weight::Bold, 15.0, LEFT, H - 18.0, &self.title);
        let s = &self.summary;
        let rate = if s.on_time + s.late > 0 {
            format!("{:.1}%", 100.0 * s.on_time as f64 / (s.on_time + s.late) as f64)
        } else {
            "–".into()
        };
        ts.text(
            &mut ops,
            Weight::Regular,
            10.0,
            LEFT,
            H - 26.0,
            &format!(
                "{} requests: {} answered, {} open ({} past their date). Answered on time: {} of {} with a \
                 deadline ({rate}).",
                s.requests,
                s.answered,
                s.open,
                s.overdue,
                s.on_time,
                s.on_time + s.late
            ),
        );
        let mut y = H - 38.0;
        let summary_cols = [
            (LEFT, "Kind"),
            (90.0, "Received"),
            (120.0, "Fulfilled (wholly or in part)"),
            (185.0, "Refused"),
            (215.0, "On time"),
        ];
        for (x, h) in summary_cols {
            ts.text(&mut ops, Weight::Bold, 9.0, x, y, h);
        }
        rule(&mut ops, y - 1.5);
        y -= 6.0;
        let mut kinds = s.per_kind.clone();
        kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
        for (kind, received, fulfilled, refused, on_time) in kinds {
            let cells = [kind, received.to_string(), fulfilled.to_string(), refused.to_string(), on_time.to_string()];
            for ((x, _), c) in summary_cols.iter().zip(cells) {
                ts.text(&mut ops, Weight::Regular, 9.0, *x, y, &c);
            }
            y -= 5.0;
        }
        y -= 6.0;
        let cols: [(f32, &str); 9] = [
            (LEFT, "Reference"),
            (44.0, "Kind"),
            (86.0, "Regime"),
            (112.0, "Received"),
            (136.0, "Due"),
            (160.0, "Outcome"),
            (200.0, "Answered"),
            (226.0, "Days"),
            (242.0, "On time"),
        ];
        let header = |ts: &mut Typesetter, ops: &mut Vec<Op>, y: f32| {
            for (x, h) in cols {
                ts.text(ops, Weight::Bold, 8.5, x, y, h);
            }
            rule(ops, y - 1.5);
        };
        header(&mut ts, &mut ops, y);
        y -= 5.5;
        let total = self.summary.requests as usize;
        for row in &self.rows {
            if y < 16.0 {
                pages.push(std::mem::take(&mut ops));
                y = H - 16.0;
                header(&mut ts, &mut ops, y);
                y -= 5.5;
            }
            for ((x, _), c) in cols.iter().zip(row) {
                ts.text(&mut ops, Weight::Regular, 8.0, *x, y, c);
            }
            y -= 4.4;
        }
        if total > self.rows.len() {
            y -= 4.0;
            ts.text(
                &mut ops,
                Weight::Regular,
                9.0,
                LEFT,
                y.max(12.0),
                &format!(
                    "The first {} of {total} requests are listed; the CSV, XLSX and JSON exports hold all of them.",
                    self.rows.len()
                ),
            );
        }
        pages.push(ops);
        let count = pages.len();
        let pages = pages
            .into_iter()
            .enumerate()
            .map(|(i, mut ops)| {
                ts.text(&mut ops, Weight::Regular, 8.0, LEFT, 8.0, &format!("{} · {}/{count}", self.title, i + 1));
                PdfPage::new(Mm(W), Mm(H), ops)
            })
            .collect();
        ts.save(PdfDocument::new(&self.title), pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RequestKind;
    use time::macros::date;

    fn record(status: Status, outcome: Status, closed: Option<Date>) -> LogRecord {
        LogRecord {
            reference: "RD-2026-0001".into(),
            kind: RequestKind::Access,
            regime: "eu-gdpr".into(),
            channel: "email".into(),
            received: date!(2026 - 01 - 05),
            clock_start: Some(date!(2026 - 01 - 05)),
            acknowledged: None,
            acknowledge_by: None,
            due: Some(date!(2026 - 02 - 05)),
            extended_due: None,
            effective_due: Some(date!(2026 - 02 - 05)),
            pauses: vec![],
            paused_days: 0,
            status,
            refusal_category: Some("excessive".into()),
            outcome_reason: Some("Fifth request.".into()),
            closed,
            outcome,
        }
    }

    #[test]
    fn on_time_is_about_answers() {
        let today = date!(2026 - 03 - 01);
        let late = LogRow::from_record(&record(Status::Closed, Status::Refused, Some(date!(2026 - 02 - 06))), today);
        assert_eq!((late.on_time, late.days_taken, late.outcome.as_str()), (Some(false), Some(32), "refused"));
        assert_eq!(late.refusal_category.as_deref(), Some("excessive"));
        let withdrawn =
            LogRow::from_record(&record(Status::Withdrawn, Status::Withdrawn, Some(date!(2026 - 01 - 10))), today);
        assert_eq!((withdrawn.on_time, withdrawn.refusal_category), (None, None), "a withdrawal is no answer");
        let open = LogRow::from_record(&record(Status::InProgress, Status::InProgress, None), today);
        assert_eq!((open.on_time, open.outcome.as_str(), open.closed), (Some(false), "open", None), "past its date");
    }
}
