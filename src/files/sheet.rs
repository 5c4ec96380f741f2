//! Spreadsheets (xlsx, xls, ods) read within bounds. The reader (calamine) builds a dense grid of a sheet's used
//! rectangle and sizes some buffers from counts the file declares, so a 1.6 KB file with cells at A1 and
//! XFD1048576 once asked for 550 GB. Here nothing is allocated from what a file claims:
//!
//! - xlsx sheets are streamed cell by cell (calamine's cell reader); the grid is built only once the filled
//!   rectangle is known to fit [`MAX_SHEET_CELLS`], and the shared-strings count is checked before calamine
//!   reserves room for it;
//! - xls and ods are scanned first (the xls records' cell positions and declared dimensions; the ods table's rows,
//!   cells and their repeat counts), so calamine only reads what fits;
//! - ZIP containers pass [`super::container::check_zip`] first (a decompression bomb is refused unread);
//! - the whole read runs behind [`super::guard`] and within [`MAX_PARSE_TIME`] and [`MAX_CELL_RECORDS`].
//!
//! Binary xlsb workbooks are refused: calamine sizes buffers from their record headers and no scan here checks
//! them (save as .xlsx).

use std::io::{BufRead, BufReader, Cursor, Read};
use std::time::Instant;

use calamine::{Data, Reader};

use super::{MAX_CELL_RECORDS, MAX_PARSE_TIME, MAX_SHEET_CELLS, container, guard};
use crate::error::{Error, Result};

/// One sheet as a grid of cells: its used rectangle, from the first filled row and column.
#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Data>>,
}

/// Filled cells with their absolute (row, column).
type Cells = Vec<((u32, u32), Data)>;
/// A sheet's cells, or why the reader could not read that sheet.
type SheetCells = std::result::Result<Cells, String>;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The first sheet only (an import); a first sheet that cannot be read is an error.
    First,
    /// Every sheet (a subject export); a sheet that cannot be read is left out.
    All,
}

/// Read a workbook's sheets within the limits. `name` is the file's name, for messages.
pub fn read(name: &str, bytes: &[u8], which: Which) -> Result<Vec<Sheet>> {
    guard(name, || Bounded::new(name).read(bytes, which))
}

/// The work one read may still do: cells in grids, cell records streamed, time.
struct Bounded<'a> {
    name: &'a str,
    cells: u64,
    records: u64,
    started: Instant,
}

#[derive(Default, Clone, Copy)]
struct Rect {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Rect {
    fn include(&mut self, rows: (u64, u64), cols: (u64, u64)) {
        let widen =
            |r: Option<(u64, u64)>, (lo, hi): (u64, u64)| Some(r.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        self.rows = widen(self.rows, rows);
        self.cols = widen(self.cols, cols);
    }

    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1).saturating_mul(c1 - c0 + 1),
            _ => 0,
        }
    }
}

fn unreadable(name: &str, what: impl std::fmt::Display) -> Error {
    Error::invalid("file", format!("{name} is not a readable spreadsheet: {what}"))
}

impl<'a> Bounded<'a> {
    fn new(name: &'a str) -> Self {
        Bounded { name, cells: 0, records: 0, started: Instant::now() }
    }

    fn too_many(&self, area: u64) -> Error {
        Error::invalid(
            "file",
            format!(
                "{} spans {area} cells from its first to its last filled cell; at most {MAX_SHEET_CELLS} are read \
                 (remove the far-away cells, or split the file)",
                self.name
            ),
        )
    }

    /// Count a grid of `area` cells against the budget.
    fn take_cells(&mut self, area: u64) -> Result<()> {
        let total = self.cells.saturating_add(area);
        if total > MAX_SHEET_CELLS {
            return Err(self.too_many(total));
        }
        self.cells = total;
        Ok(())
    }

    /// One more cell record streamed: the record and time budgets.
    fn tick(&mut self) -> Result<()> {
        self.records += 1;
        if self.records > MAX_CELL_RECORDS {
            return Err(Error::invalid(
                "file",
                format!("{} holds over {MAX_CELL_RECORDS} cell records; that many are not read", self.name),
            ));
        }
        if self.records.is_multiple_of(4096) && self.started.elapsed() > MAX_PARSE_TIME {
            return Err(Error::invalid(
                "file",
                format!("{} took over {} s to read; stopped", self.name, MAX_PARSE_TIME.as_secs()),
            ));
        }
        Ok(())
    }

    fn read(mut self, bytes: &[u8], which: Which) -> Result<Vec<Sheet>> {
        if bytes.starts_with(b"PK\x03\x04") {
            container::check_zip(self.name, Cursor::new(bytes))?;
            self.scan_zip_parts(bytes)?;
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            self.scan_xls(bytes)?;
            // The scan counted the grids calamine will build; the reads below count them again.
            self.cells = 0;
        }
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(self.name, e))?;
        if matches!(book, calamine::Sheets::Xlsb(_)) {
            return Err(Error::invalid(
                "file",
                format!("{} is a binary workbook (.xlsb), which is not read: save it as .xlsx", self.name),
            ));
        }
        let mut names = book.sheet_names();
        if which == Which::First {
            names.truncate(1);
            if names.is_empty() {
                return Err(Error::invalid("file", "the spreadsheet has no sheet"));
            }
        }
        let mut sheets = Vec::new();
        for sheet in names {
            match self.cells_of(&mut book, &sheet)? {
                Ok(cells) => {
                    let rows = self.grid(cells)?;
                    sheets.push(Sheet { name: sheet, rows });
                }
                Err(e) if which == Which::First => {
                    return Err(Error::invalid("file", format!("cannot read the first sheet: {e}")));
                }
                Err(_) => {}
            }
        }
        Ok(sheets)
    }

    /// The filled cells of a sheet with their absolute positions: `Err` for the budgets, `Ok(Err)` for a sheet the
    /// reader cannot read.
    fn cells_of(&mut self, book: &mut calamine::Sheets<Cursor<&[u8]>>, sheet: &str) -> Result<SheetCells> {
        if let calamine::Sheets::Xlsx(xlsx) = book {
            return self.stream_xlsx(xlsx, sheet);
        }
        let range = match book.worksheet_range(sheet) {
            Ok(range) => range,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let (r0, c0) = range.start().unwrap_or_default();
        let mut cells = Vec::new();
        for (r, c, v) in range.used_cells() {
            self.tick()?;
            cells.push(((r0 + r as u32, c0 + c as u32), v.clone()));
        }
        Ok(Ok(cells))
    }

    fn stream_xlsx(&mut self, xlsx: &mut calamine::Xlsx<Cursor<&[u8]>>, sheet: &str) -> Result<SheetCells> {
        let mut reader = match xlsx.worksheet_cells_reader(sheet) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e.to_string())),
        };
        // The declared dimension is not trusted for anything: the filled rectangle is measured as cells arrive.
        let mut rect = Rect::default();
        let mut cells = Vec::new();
        loop {
            let cell = match reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => return Ok(Err(e.to_string())),
            };
            self.tick()?;
            let value = Data::from(cell.get_value().clone());
            if value == Data::Empty {
                continue;
            }
            let (r, c) = cell.get_position();
            rect.include((u64::from(r), u64::from(r)), (u64::from(c), u64::from(c)));
            let area = rect.area().max(cells.len() as u64 + 1);
            if self.cells.saturating_add(area) > MAX_SHEET_CELLS {
                return Err(self.too_many(self.cells.saturating_add(area)));
            }
            cells.push(((r, c), value));
        }
        Ok(Ok(cells))
    }

    /// The dense grid of the filled rectangle, once it is known to fit.
    fn grid(&mut self, cells: Cells) -> Result<Vec<Vec<Data>>> {
        let mut rect = Rect::default();
        for ((r, c), _) in &cells {
            rect.include((u64::from(*r), u64::from(*r)), (u64::from(*c), u64::from(*c)));
        }
        self.take_cells(rect.area())?;
        let (Some((r0, r1)), Some((c0, c1))) = (rect.rows, rect.cols) else { return Ok(vec![]) };
        let width = usize::try_from(c1 - c0 + 1).map_err(|_| self.too_many(u64::MAX))?;
        let height = usize::try_from(r1 - r0 + 1).map_err(|_| self.too_many(u64::MAX))?;
        let mut rows = vec![vec![Data::Empty; width]; height];
        for ((r, c), v) in cells {
            rows[(u64::from(r) - r0) as usize][(u64::from(c) - c0) as usize] = v;
        }
        Ok(rows)
    }

    /// Checks on a ZIP workbook's parts before calamine reads them: the shared strings' declared count (calamine
    /// reserves room for it) and an ods table's size with its repeats.
    fn scan_zip_parts(&mut self, bytes: &[u8]) -> Result<()> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(self.name, e))?;
        let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
        for part in names {
            let lower = part.to_ascii_lowercase();
            let entry = zip.by_name(&part).map_err(|e| unreadable(self.name, e))?;
            if lower.ends_with("sharedstrings.xml") {
                let size = entry.size();
                self.check_shared_strings(BufReader::new(entry), size)?;
            } else if lower == "content.xml" {
                self.scan_ods(BufReader::new(entry))?;
            }
        }
        Ok(())
    }

    fn check_shared_strings(&self, part: impl BufRead, size: u64) -> Result<()> {
        use quick_xml::events::Event;
        let mut xml = quick_xml::Reader::from_reader(part);
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                    let count = attr_u64(&e, "uniqueCount").unwrap_or(0);
                    // Each string takes at least `<si/>`: a larger count is a lie meant to size a buffer.
                    if count > (size / 5).min(MAX_CELL_RECORDS) {
                        return Err(unreadable(self.name, format!("it declares {count} shared strings")));
                    }
                    return Ok(());
                }
                Ok(Event::Eof) | Err(_) => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    /// Measure each ods table as calamine will hold it: per row element, the cells up to the last filled one
    /// (repeats expanded), and the rectangle of filled cells with row repeats expanded.
    fn scan_ods(&mut self, part: impl BufRead) -> Result<()> {
        use quick_xml::events::Event;
        let mut xml = quick_xml::Reader::from_reader(part);
        let mut buf = Vec::new();
        let (mut rect, mut row, mut row_repeat, mut col, mut row_cells, mut held) =
            (Rect::default(), 0u64, 1u64, 0u64, 0u64, 0u64);
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| unreadable(self.name, e))?;
            let (start, is_empty) = match &event {
                Event::Start(e) => (Some(e.clone()), false),
                Event::Empty(e) => (Some(e.clone()), true),
                _ => (None, false),
            };
            match (&event, start) {
                (_, Some(e)) if e.name().as_ref() == "table:table" => {
                    self.take_cells(rect.area().max(held))?;
                    (rect, row, held) = (Rect::default(), 0, 0);
                }
                (_, Some(e)) if e.name().as_ref() == "table:table-row" => {
                    row_repeat = attr_u64(&e, "table:number-rows-repeated").unwrap_or(1).max(1);
                    (col, row_cells) = (0, 0);
                    if is_empty {
                        row = row.saturating_add(row_repeat);
                    }
                }
                (_, Some(e)) if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") => {
                    self.tick()?;
                    let repeat = attr_u64(&e, "table:number-columns-repeated").unwrap_or(1).max(1);
                    let filled = !is_empty
                        || e.try_get_attribute("office:value-type").ok().flatten().is_some()
                        || e.try_get_attribute("table:formula").ok().flatten().is_some();
                    let end = col.saturating_add(repeat);
                    if filled {
                        rect.include((row, row.saturating_add(row_repeat - 1)), (col, end - 1));
                        row_cells = end;
                    }
                    col = end;
                }
                (Event::End(e), _) if e.name().as_ref() == "table:table-row" => {
                    row = row.saturating_add(row_repeat);
                    held = held.saturating_add(row_cells);
                    if self.cells.saturating_add(rect.area().max(held)) > MAX_SHEET_CELLS {
                        return Err(self.too_many(self.cells.saturating_add(rect.area().max(held))));
                    }
                }
                (Event::Eof, _) => break,
                _ => {}
            }
            buf.clear();
        }
        self.take_cells(rect.area().max(held))?;
        // Counted here to refuse early; the reads count the grids again.
        self.cells = 0;
        Ok(())
    }

    /// Scan an xls workbook's records: each sheet's declared dimensions (calamine reserves room for them) and the
    /// rectangle its cells span (calamine builds that grid).
    fn scan_xls(&mut self, bytes: &[u8]) -> Result<()> {
        let mut ole = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| unreadable(self.name, e))?;
        let stream = if ole.is_stream("/Workbook") { "/Workbook" } else { "/Book" };
        let mut data = Vec::new();
        ole.open_stream(stream)
            .and_then(|s| s.take(super::MAX_IMPORT_BYTES).read_to_end(&mut data))
            .map_err(|e| unreadable(self.name, e))?;
        let u16_at = |d: &[u8], i: usize| d.get(i..i + 2).map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])));
        let u32_at =
            |d: &[u8], i: usize| d.get(i..i + 4).map_or(0, |b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        let (mut rect, mut declared) = (Rect::default(), 0u64);
        let mut at = 0usize;
        while at + 4 <= data.len() {
            let kind = u16_at(&data, at);
            let len = u16_at(&data, at + 2) as usize;
            let body = &data[(at + 4).min(data.len())..(at + 4 + len).min(data.len())];
            at += 4 + len;
            match kind {
                0x0809 => {
                    self.take_cells(rect.area().max(declared))?;
                    (rect, declared) = (Rect::default(), 0);
                }
                0x0200 => {
                    let (rf, rl, cf, cl) = match body.len() {
                        10 => (u16_at(body, 0), u16_at(body, 2), u16_at(body, 4), u16_at(body, 6)),
                        14 | 16 => (u32_at(body, 0), u32_at(body, 4), u16_at(body, 8), u16_at(body, 10)),
                        _ => continue,
                    };
                    // calamine's reading of the record: the last row and column are one past the end.
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    if rl >= 1 && cl >= 1 {
                        if rl - 1 < rf {
                            return Err(unreadable(self.name, "a sheet's dimensions end before they start"));
                        }
                        declared = (rl - rf).saturating_mul(cl - cf);
                        if self.cells.saturating_add(declared) > MAX_SHEET_CELLS {
                            return Err(self.too_many(self.cells.saturating_add(declared)));
                        }
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    self.tick()?;
                    let (r, c) = (u16_at(body, 0), u16_at(body, 2));
                    rect.include((r, r), (c, c));
                }
                0x00BD => {
                    self.tick()?;
                    let (r, first, last) =
                        (u16_at(body, 0), u16_at(body, 2), u16_at(body, body.len().saturating_sub(2)));
                    if last < first {
                        return Err(unreadable(self.name, "a row of numbers ends before it starts"));
                    }
                    rect.include((r, r), (first, last));
                }
                _ => {}
            }
        }
        self.take_cells(rect.area().max(declared))
    }
}

fn attr_u64(e: &quick_xml::events::BytesStart, name: &str) -> Option<u64> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| a.value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, v) in cells {
            sheet.write_string(*r, *c, *v).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_reads_as_its_filled_rectangle() {
        let sheets = read("a.xlsx", &xlsx(&[(1, 1, "kind"), (2, 2, "x")]), Which::First).unwrap();
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].rows.len(), 2);
        assert_eq!(sheets[0].rows[0], vec![Data::String("kind".into()), Data::Empty]);
    }

    #[test]
    fn far_apart_cells_are_refused_before_the_grid_is_built() {
        let e = read("far.xlsx", &xlsx(&[(0, 0, "kind"), (1_048_575, 16_383, "x")]), Which::First).unwrap_err();
        assert!(e.to_string().contains("at most 4000000"), "{e}");
    }
}
