//! The import never crashes and never half-imports, whatever the file holds: random CSV text built from the
//! characters that break parsers (quotes, separators, line ends, BOMs, NULs, long cells, non-UTF-8 bytes), random
//! bytes posing as spreadsheets, and a kept corpus of nasty files (tests/fixtures/import-corpus/, where any input
//! that once failed is added).

use proptest::prelude::*;
use rightsdesk::desk::{Clock, Desk};
use rightsdesk::intake::Source;
use rightsdesk::store::Total;

fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let now = time::macros::datetime!(2026-03-20 12:00 UTC);
    let desk = Desk::open(&dir.path().join("r.sqlite3"), Clock::Fixed(now), &rightsdesk::vault::Access::unencrypted())
        .unwrap();
    (dir, desk)
}

/// Import `bytes` named `name`, then check the register is whole: the report adds up, every imported row is there
/// with its `created` event, a second import adds nothing, and the audit chain holds.
fn import_is_safe(name: &str, bytes: Vec<u8>) {
    let (_dir, desk) = desk();
    let source = Source::Bytes { name: name.into(), bytes };
    let mut error_file = Vec::new();
    match desk.import_requests(&source, None, false, Some(&mut error_file), &mut |_| {}) {
        Ok(report) => {
            assert_eq!(report.rows, report.imported + report.duplicates + report.errors, "{report:?}");
            let total = desk.list(&Default::default()).unwrap().total;
            assert_eq!(total, Some(Total::Exact(report.imported)), "every imported row is in the register");
            // Each problem is a line of its own (a row may have several), so every rejected row has one at least
            // (a malformed file may give two records the same line number: rows are not told apart by it).
            let lines: Vec<String> = csv::Reader::from_reader(error_file.as_slice())
                .records()
                .map(|r| r.unwrap().get(0).unwrap_or_default().to_string())
                .collect();
            let rows: std::collections::BTreeSet<&String> = lines.iter().collect();
            assert!(
                lines.len() as u64 >= report.errors && rows.len() as u64 <= report.errors,
                "the error file lists every rejected row: {} lines, {} rows, {report:?}",
                lines.len(),
                rows.len()
            );
            let again = desk.import_requests(&source, None, false, None, &mut |_| {}).unwrap();
            assert_eq!(again.imported, 0, "a second import creates nothing");
        }
        Err(e) => {
            assert_eq!(e.code(), "invalid", "only bad input may fail, not the register: {e}");
            assert_eq!(
                desk.list(&Default::default()).unwrap().total,
                Some(Total::Exact(0)),
                "a refused file writes nothing"
            );
        }
    }
    assert!(desk.verify_audit().unwrap().ok);
}

const HEADERS: &[&str] =
    &["kind", "regime", "calendar", "received", "name", "email", "external_id", "description", "Type", "", "\"q\""];
const CELLS: &[&str] = &[
    "access",
    "erasure",
    "Access",
    "eu-gdpr",
    "uk-gdpr",
    "us-ca-ccpa",
    "FR",
    "GB-ENG",
    "2026-03-02",
    "2026-02-30",
    "2027-01-01",
    "Ann",
    "a@b.co",
    "x@",
    "T-1",
    "T-1",
    "",
    " ",
    "\"",
    "\"\"",
    ";",
    ",",
    "\t",
    "\n",
    "\r\n",
    "\u{feff}",
    "\0",
    "é",
    "名前",
    "\u{202e}",
    "=cmd|' /C calc'!A0",
];

fn csv_text() -> impl Strategy<Value = Vec<u8>> {
    let header = prop::collection::vec(prop::sample::select(HEADERS), 1..9);
    let cell = prop_oneof![
        8 => prop::sample::select(CELLS).prop_map(str::to_string),
        1 => "\\PC{0,30}",
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => Just("x".repeat(25_000)),
    ];
    let row = prop::collection::vec(cell, 0..10);
    let sep = prop::sample::select(&[",", ";", "\t"][..]);
    (header, prop::collection::vec(row, 0..12), sep, any::<bool>()).prop_map(|(h, rows, sep, raw)| {
        let mut text = h.join(sep);
        for r in rows {
            text.push('\n');
            // Half the time cells go in raw (quotes and separators break the structure on purpose).
            let cells: Vec<String> =
                r.iter().map(|c| if raw { c.clone() } else { format!("\"{}\"", c.replace('"', "\"\"")) }).collect();
            text.push_str(&cells.join(sep));
        }
        text.into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_csv_never_crashes_or_half_imports(bytes in csv_text()) {
        import_is_safe("fuzz.csv", bytes);
    }

    #[test]
    fn random_bytes_never_crash(mut bytes in prop::collection::vec(any::<u8>(), 0..2_000), zip in any::<bool>()) {
        if zip {
            // Looks like a spreadsheet (a ZIP container) from the first bytes on.
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        import_is_safe(if zip { "fuzz.xlsx" } else { "fuzz.csv" }, bytes);
    }
}

/// A real spreadsheet of requests, as bytes.
fn spreadsheet() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["kind", "regime", "calendar", "received", "name"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for r in 1..6u32 {
        for (col, v) in ["access", "eu-gdpr", "FR", "2026-03-02", "Ann"].iter().enumerate() {
            sheet.write_string(r, col as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Damaged spreadsheets: a real file with some bytes changed or cut short.
    #[test]
    fn damaged_spreadsheets_never_crash(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = spreadsheet();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()).max(4));
        }
        import_is_safe("damaged.xlsx", bytes);
    }
}

#[test]
fn the_kept_corpus_imports_safely() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import-corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        import_is_safe(&name, std::fs::read(&path).unwrap());
        seen += 1;
    }
    assert!(seen >= 8, "the corpus is kept in {}", dir.display());
}
