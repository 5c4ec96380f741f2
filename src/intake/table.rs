//! Reading a table of requests from a CSV or spreadsheet file: a header row, then one request per row, every cell
//! as text. CSV is streamed row by row; a spreadsheet's first sheet is read whole (that is how the format works).

use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::files::{self, sheet};

/// Where an import reads from: a file on disk (the command line) or bytes chosen in the window.
pub enum Source {
    Path(PathBuf),
    Bytes { name: String, bytes: Vec<u8> },
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    /// The SHA-256 of the whole file (logged with the import run).
    pub fn sha256(&self) -> Result<String> {
        let mut hasher = crate::hash::Hasher::new();
        match self {
            Source::Bytes { bytes, .. } => hasher.update(bytes),
            Source::Path(p) => {
                let mut f = files::open_input(p, files::MAX_IMPORT_BYTES)?;
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    let n = f.read(&mut buf).map_err(|e| files::read_error(p, e))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                }
            }
        }
        Ok(hasher.finish_hex())
    }

    fn head(&self, len: usize) -> Result<Vec<u8>> {
        match self {
            Source::Bytes { bytes, .. } => Ok(bytes[..bytes.len().min(len)].to_vec()),
            Source::Path(p) => {
                let f = files::open_input(p, files::MAX_IMPORT_BYTES)?;
                let mut head = Vec::with_capacity(len);
                f.take(len as u64).read_to_end(&mut head).map_err(|e| files::read_error(p, e))?;
                Ok(head)
            }
        }
    }

    fn reader(&self) -> Result<Box<dyn Read + '_>> {
        match self {
            Source::Bytes { bytes, .. } => Ok(Box::new(bytes.as_slice())),
            Source::Path(p) => Ok(Box::new(std::io::BufReader::new(files::open_input(p, files::MAX_IMPORT_BYTES)?))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(u8),
    Spreadsheet,
}

impl Format {
    pub fn label(self) -> String {
        match self {
            Format::Csv(b'\t') => "tab-separated text".into(),
            Format::Csv(d) => format!("CSV (separated by '{}')", d as char),
            Format::Spreadsheet => "spreadsheet (first sheet)".into(),
        }
    }
}

/// A header row and the rows after it. Each row comes with its number as the file shows it (the header is row 1;
/// for CSV, the line the row starts on) and its cells, or the reason it could not be read.
pub struct Table<'a> {
    pub format: Format,
    pub headers: Vec<String>,
    /// The number of rows after the header, where known without reading them (spreadsheets).
    pub known_rows: Option<u64>,
    pub rows: Box<dyn Iterator<Item = (u64, Result<Vec<String>>)> + 'a>,
}

fn detect(source: &Source) -> Result<Format> {
    if let Source::Bytes { name, bytes } = source {
        files::check_len(name, bytes.len() as u64, files::MAX_IMPORT_BYTES)?;
    }
    let head = source.head(64 * 1024)?;
    // ZIP (xlsx, ods) or OLE (xls) containers.
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Spreadsheet);
    }
    let name = source.name().to_lowercase();
    if [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"].iter().any(|e| name.ends_with(e)) {
        return Err(Error::invalid("file", format!("{} is not a readable spreadsheet", source.name())));
    }
    if head.contains(&0) {
        return Err(Error::invalid("file", format!("{} is neither CSV text nor a spreadsheet", source.name())));
    }
    // The separator that occurs most on the header line, outside quotes (Excel writes ';' in many locales).
    let first_line: Vec<u8> = head.split(|b| *b == b'\n').next().unwrap_or_default().to_vec();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    let best = counts.iter().max_by_key(|(_, n)| *n).map_or(b',', |(d, _)| *d);
    Ok(Format::Csv(best))
}

fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_string()
}

/// Open the table. An empty file or one without a header row is refused.
pub fn open(source: &Source) -> Result<Table<'_>> {
    let format = detect(source)?;
    let table = match format {
        Format::Csv(delimiter) => open_csv(source, delimiter)?,
        Format::Spreadsheet => open_sheet(source)?,
    };
    if table.headers.iter().all(|h| h.is_empty()) {
        return Err(Error::invalid(
            "file",
            format!("{} has no header row (the first row names the columns)", source.name()),
        ));
    }
    Ok(table)
}

fn open_csv(source: &Source, delimiter: u8) -> Result<Table<'_>> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(source.reader()?);
    let headers = reader
        .byte_headers()
        .map_err(|e| Error::invalid("file", format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| clean_header(&String::from_utf8_lossy(h)))
        .collect();
    let rows = reader.into_byte_records().enumerate().map(|(i, record)| {
        // The line the record starts on, as an editor shows it (blank lines are skipped, fields may span lines).
        let row = record.as_ref().ok().and_then(|r| r.position()).map_or(i as u64 + 2, |p| p.line());
        let cells = match record {
            Err(e) => Err(Error::invalid("file", format!("unreadable CSV: {e}"))),
            Ok(r) => r
                .iter()
                .map(|cell| {
                    String::from_utf8(cell.to_vec())
                        .map(|s| s.trim().to_string())
                        .map_err(|_| Error::invalid("file", "not UTF-8 text: save the file as CSV UTF-8"))
                })
                .collect(),
        };
        (row, cells)
    });
    Ok(Table { format: Format::Csv(delimiter), headers, known_rows: None, rows: Box::new(rows) })
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The first sheet, read within the limits of `files::sheet`.
fn read_sheet(name: &str, data: &[u8]) -> Result<Vec<Vec<String>>> {
    let first = sheet::read(name, data, sheet::Which::First)?.into_iter().next();
    Ok(first.map(|s| s.rows.iter().map(|r| r.iter().map(cell_text).collect()).collect()).unwrap_or_default())
}

fn open_sheet(source: &Source) -> Result<Table<'_>> {
    let rows = match source {
        Source::Bytes { name, bytes } => read_sheet(name, bytes)?,
        Source::Path(p) => read_sheet(&source.name(), &files::read_input(p, files::MAX_IMPORT_BYTES)?)?,
    };
    let known_rows = Some(rows.len().saturating_sub(1) as u64);
    let mut rows = rows.into_iter();
    let headers = rows.next().unwrap_or_default().iter().map(|h| clean_header(h)).collect();
    let rows = rows.enumerate().map(|(i, cells)| (i as u64 + 2, Ok(cells)));
    Ok(Table { format: Format::Spreadsheet, headers, known_rows, rows: Box::new(rows) })
}
