//! Every CSV Rightsdesk writes goes through [`CsvOut`], which neutralises spreadsheet formulas in the cells.
//!
//! A CSV file is opened in a spreadsheet, and a cell whose text begins with `=`, `+`, `-` or `@` (or a tab or
//! carriage return before one) is read there as a formula: `=HYPERLINK(…)` sends data away when clicked, `=cmd|…`
//! runs a program through DDE. Requester data (names, descriptions, refusal reasons, spreadsheet cells, rows of an
//! import) must never become a formula on the officer's or the requester's machine. OWASP's rule is applied: such
//! a cell is written with a single quote `'` before it, which spreadsheets show as text and do not evaluate.
//!
//! The one exception: a cell that is a plain decimal number (`-12`, `+3.5`, `-1e-3`) is written as it is. It
//! cannot call anything or refer to another cell, and quoting it would turn every negative amount in a requester's
//! tables into text. `-2+3`, `+32 2 123 45 67` or `-A1` are not plain numbers and get the quote. A reader that
//! wants the exact value back removes one leading `'` from a cell that begins with `'=`, `'+`, `'-`, `'@`, `'\t`
//! or `'\r`.

use std::borrow::Cow;
use std::io::Write;

/// A CSV writer whose cells cannot become spreadsheet formulas (see the module's notes).
pub struct CsvOut<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    pub fn new(out: W) -> CsvOut<W> {
        CsvOut { inner: csv::Writer::from_writer(out) }
    }

    /// Write one row, each cell neutralised.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for cell in record {
            self.inner.write_field(neutralise(cell.as_ref()).as_ref())?;
        }
        // An empty iterator ends the record started by the fields above.
        self.inner.write_record(None::<&[u8]>)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// Flush and give back the underlying writer.
    pub fn into_inner(self) -> csv::Result<W> {
        self.inner.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// The cell as written to a CSV: with a `'` before it when a spreadsheet would read it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A decimal number and nothing else: sign, digits, one point, an exponent.
fn plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (digits(int) || int.is_empty()) && (digits(frac) || frac.is_empty()) && mantissa != ".",
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote() {
        for cell in ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")", "-A1", "+32 2 12"]
        {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["", "a=1", " =1", "'=1", "Zoë", "2026-01-05", "-12", "+3.5", "-1e-3", "-.5", "7"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
        for cell in ["-", "+", "-.", "-1e", "-1e+", "--1", "-1.2.3", "-0x10", "-inf", "-NaN"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn rows_are_neutralised_and_quoted_as_csv() {
        let mut out = CsvOut::new(vec![]);
        out.write_record(["=cmd|' /C calc'!A0", "a,b", "-5"]).unwrap();
        out.write_record(["@x", "", "\t-1"]).unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=cmd|' /C calc'!A0,\"a,b\",-5\n'@x,,'\t-1\n");
    }
}
