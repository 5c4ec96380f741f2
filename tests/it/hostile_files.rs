//! Hostile and odd files: each reader of outside files (CSV, xlsx/ods/xls, .eml, ZIP containers) refuses what it
//! cannot read safely with a clear error, within bounded memory and time, and never crashes. The attacks found in
//! issue 14 are reproduced through the real binary (a cell at XFD1048576, overflowing cell references, a deflate
//! bomb, a FIFO, /dev/zero), then proptest throws generated files at the readers, and the kept corpus in
//! tests/fixtures/hostile-corpus/ (any input that once failed goes there) is read again. The case counts keep the
//! whole file under a minute in a debug build; `cases_run` prints how many inputs were tried.

use crate::support::{self, Register};

use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rightsdesk::desk::{Clock, Desk};
use rightsdesk::files::sheet::{self, Which};
use rightsdesk::intake::Source;

static CASES: AtomicU64 = AtomicU64::new(0);

/// Run the binary with an address-space cap and a time limit, as an attacker's file would be opened: a hang or an
/// unbounded allocation fails the test instead of the machine.
fn run_bounded(db: &Path, args: &[&str], limit: Duration) -> support::Run {
    let mut cmd = support::command();
    cmd.arg("--db").arg(db).args(args).env("RIGHTSDESK_NOW", "2026-03-20");
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe and only touches the child.
        unsafe {
            cmd.pre_exec(|| {
                let cap = libc::rlimit { rlim_cur: 4 << 30, rlim_max: 4 << 30 };
                libc::setrlimit(libc::RLIMIT_AS, &cap);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().expect("run rightsdesk");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("rightsdesk {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A minimal xlsx written part by part, so the sheet can say what no spreadsheet program would.
fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(sheet_xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A sheet whose cells are inline strings at the given references.
fn sheet_with_cells(refs: &[(&str, &str)], dimension: &str) -> String {
    let cells: String =
        refs.iter().map(|(r, v)| format!(r#"<row><c r="{r}" t="inlineStr"><is><t>{v}</t></is></c></row>"#)).collect();
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

/// The 1.6 KB file that asked for 550 GB: a header at A1 and one cell at the last column of the last row.
fn xfd_xlsx() -> Vec<u8> {
    xlsx_with_sheet(&sheet_with_cells(&[("A1", "kind"), ("XFD1048576", "x")], "A1:XFD1048576"))
}

/// A deflate bomb: a sheet part of 64 MiB of blanks that packs into a few dozen KB.
fn bomb_xlsx() -> Vec<u8> {
    let mut sheet = sheet_with_cells(&[("A1", "kind")], "A1");
    sheet.insert_str(sheet.len() - "</worksheet>".len(), &" ".repeat(64 << 20));
    xlsx_with_sheet(&sheet)
}

fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let now = time::macros::datetime!(2026-03-20 12:00 UTC);
    let desk = Desk::open(&dir.path().join("r.sqlite3"), Clock::Fixed(now), &rightsdesk::vault::Access::unencrypted())
        .unwrap();
    (dir, desk)
}

/// Import bytes: either it works, or it is refused as bad input, and nothing is half-written.
fn import_is_refused_or_fine(name: &str, bytes: Vec<u8>) -> Option<rightsdesk::Error> {
    CASES.fetch_add(1, Ordering::Relaxed);
    let (_dir, desk) = desk();
    let source = Source::Bytes { name: name.into(), bytes };
    match desk.import_requests(&source, None, true, None, &mut |_| {}) {
        Ok(report) => {
            assert_eq!(report.rows, report.imported + report.duplicates + report.errors);
            None
        }
        Err(e) => {
            assert_eq!(e.code(), "invalid", "only a refusal of the file, never another failure: {e}");
            Some(e)
        }
    }
}

/// Every sheet reader: refused or read, never a panic.
fn sheets_are_safe(name: &str, bytes: &[u8]) {
    CASES.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = sheet::read(name, bytes, Which::All) {
        assert_eq!(e.code(), "invalid", "{e}");
    }
}

fn email_is_safe(bytes: &[u8]) {
    CASES.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = rightsdesk::intake::read_email(bytes) {
        assert_eq!(e.code(), "invalid", "{e}");
    }
    // What threads a message and the files it carries (the mailbox, .eml intake): bounded, never a panic.
    match rightsdesk::intake::eml::read_parts(bytes) {
        Ok(parts) => {
            assert!(parts.attachments.len() <= rightsdesk::intake::eml::MAX_PARTS);
            assert!(parts.answers.len() <= 201 && parts.answers.iter().all(|id| !id.is_empty() && id.len() <= 998));
            let total: usize = parts.attachments.iter().map(|(_, b)| b.len()).sum();
            // Decoding (base64, a legacy charset into UTF-8) can grow text at most a few times, never without bound.
            assert!(total <= 4 * bytes.len() + 1024, "the files cannot outgrow the message much: {total}");
        }
        Err(e) => assert_eq!(e.code(), "invalid", "{e}"),
    }
    // What the conversation shows of it: the text within its limit, one-line addresses.
    match rightsdesk::intake::eml::read_message(bytes, 1000) {
        Ok(m) => {
            assert!(m.text.chars().count() <= 1000);
            assert!(m.to.len() <= 50 && m.cc.len() <= 50);
            let lines = std::iter::once(&m.from).chain(&m.to).chain(&m.cc);
            assert!(lines.into_iter().all(|a| !a.contains(['\r', '\n'])), "{m:?}");
            assert!(!m.text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')), "{m:?}");
        }
        Err(e) => assert_eq!(e.code(), "invalid", "{e}"),
    }
}

#[test]
fn a_cell_at_xfd1048576_is_refused_not_allocated() {
    let reg = Register::new("2026-03-20");
    let db = &reg.db;
    let file = reg.path("far.xlsx");
    let bytes = xfd_xlsx();
    assert!(bytes.len() < 2048, "the attack file is small: {} bytes", bytes.len());
    std::fs::write(&file, &bytes).unwrap();
    let run = run_bounded(db, &["import", file.to_str().unwrap()], Duration::from_secs(30));
    run.assert_error("at most 4000000 are read");

    // The subject export packs it as it is, without a CSV made from it, and leaves no partial file behind.
    let org = [
        ("--name", "Acme Ltd"),
        ("--address", "1 Main Street, Dublin"),
        ("--email", "privacy@acme.test"),
        ("--purposes", "Accounts"),
        ("--categories", "Identity"),
        ("--recipients", "None"),
        ("--retention", "Six years"),
        ("--source", "You"),
        ("--automated", "None"),
    ];
    reg.organisation(&org);
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "x"]).ok();
    let r = reg.request().kind("access").gdpr("FR").received("2026-03-02").who("Ann", "a@b.co").add();
    run_bounded(
        db,
        &["request", "disclose", &r, "--system", "CRM", "--category", "x", "--file", file.to_str().unwrap()],
        Duration::from_secs(30),
    )
    .ok();
    let out = reg.path("out.zip");
    let run = run_bounded(db, &["export", "subject", &r, "--out", out.to_str().unwrap()], Duration::from_secs(30));
    run.ok();
    let names: Vec<String> = zip::ZipArchive::new(std::fs::File::open(&out).unwrap())
        .unwrap()
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with("far.xlsx")), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("tables/")), "no CSV from a refused sheet: {names:?}");
    let left: Vec<_> = std::fs::read_dir(reg.dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().ends_with(".partial")), "{left:?}");
}

#[test]
fn overflowing_cell_references_are_a_refused_file_not_a_panic() {
    for reference in ["AAAAAAAAA1", "A99999999999", "ZZZZZZZZZZZZZZ99999999999999"] {
        let bytes = xlsx_with_sheet(&sheet_with_cells(&[("A1", "kind"), (reference, "x")], "A1"));
        let e = import_is_refused_or_fine("overflow.xlsx", bytes.clone()).expect("refused");
        assert!(e.to_string().contains("overflow.xlsx"), "{e}");
        sheets_are_safe("overflow.xlsx", &bytes);
    }
}

#[test]
fn a_deflate_bomb_is_refused_unread() {
    let bytes = bomb_xlsx();
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let started = Instant::now();
    let e = import_is_refused_or_fine("bomb.xlsx", bytes).expect("refused");
    assert!(e.to_string().contains("decompression bomb"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused from the directory: {:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn pipes_and_devices_are_refused_not_read_forever() {
    let reg = Register::new("2026-03-20");
    let db = &reg.db;
    let fifo = reg.path("requests.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain libc call on a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let limit = Duration::from_secs(20);
    run_bounded(db, &["import", fifo.to_str().unwrap()], limit).assert_error("not a regular file");
    run_bounded(db, &["intake", "email", "/dev/zero"], limit).assert_error("not a regular file");
    let r = reg.request().kind("access").gdpr("FR").received("2026-03-02").who("Ann", "a@b.co").add();
    run_bounded(db, &["request", "attach", &r, "/dev/zero"], limit).assert_error("not a regular file");
    run_bounded(
        db,
        &[
            "request",
            "verify",
            &r,
            "--method",
            "document",
            "--outcome",
            "verified",
            "--on",
            "2026-03-05",
            "--evidence",
            "/dev/zero",
        ],
        limit,
    )
    .assert_error("not a regular file");
    run_bounded(
        db,
        &[
            "request",
            "add",
            "--from-eml",
            fifo.to_str().unwrap(),
            "--kind",
            "access",
            "--regime",
            "eu-gdpr",
            "--calendar",
            "FR",
        ],
        limit,
    )
    .assert_error("not a regular file");
}

#[test]
fn an_oversized_message_is_refused_before_it_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.eml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(rightsdesk::files::MAX_EML_BYTES + 1).unwrap();
    let run = run_bounded(
        &dir.path().join("r.sqlite3"),
        &["intake", "email", big.to_str().unwrap()],
        Duration::from_secs(20),
    );
    run.assert_error("over 50 MB");
}

// Generated hostile inputs.

/// Cell references a hostile sheet may hold: real ones, the far corner, overflowing ones, junk.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => ("[A-Z]{1,3}", 1u64..2_000_000).prop_map(|(c, r)| format!("{c}{r}")),
        1 => Just("XFD1048576".to_string()),
        1 => "[A-Z]{4,12}[0-9]{1,14}",
        1 => "[A-Za-z0-9$:]{0,12}",
    ]
}

fn ods_with(rows: &[(u64, u64, bool)]) -> Vec<u8> {
    let body: String = rows
        .iter()
        .map(|(rr, cr, filled)| {
            let cell = if *filled {
                format!(r#"<table:table-cell table:number-columns-repeated="{cr}" office:value-type="string"><text:p>x</text:p></table:table-cell>"#)
            } else {
                format!(r#"<table:table-cell table:number-columns-repeated="{cr}"/>"#)
            };
            format!(r#"<table:table-row table:number-rows-repeated="{rr}">{cell}</table:table-row>"#)
        })
        .collect();
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>kind</text:p></table:table-cell></table:table-row>{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn xlsx_with_hostile_cell_references_is_safe(refs in prop::collection::vec(cell_ref(), 1..6), dim in cell_ref()) {
        let cells: Vec<(&str, &str)> = refs.iter().map(|r| (r.as_str(), "v")).collect();
        let bytes = xlsx_with_sheet(&sheet_with_cells(&cells, &format!("A1:{dim}")));
        sheets_are_safe("gen.xlsx", &bytes);
        import_is_refused_or_fine("gen.xlsx", bytes);
    }

    #[test]
    fn ods_with_hostile_repeats_is_safe(
        rows in prop::collection::vec((prop_oneof![Just(1u64), 1u64..5_000_000], prop_oneof![Just(1u64), 1u64..100_000], any::<bool>()), 0..5)
    ) {
        let bytes = ods_with(&rows);
        sheets_are_safe("gen.ods", &bytes);
        import_is_refused_or_fine("gen.ods", bytes);
    }

    #[test]
    fn zip_containers_with_odd_parts_are_safe(
        parts in prop::collection::vec(("[a-zA-Z_/\\[\\].]{1,30}", prop::collection::vec(any::<u8>(), 0..300), 0usize..3), 0..6),
    ) {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, repeat) in &parts {
            if zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).is_err() { continue; }
            for _ in 0..=*repeat {
                zip.write_all(data).unwrap();
            }
        }
        let bytes = zip.finish().unwrap().into_inner();
        sheets_are_safe("gen.xlsx", &bytes);
        import_is_refused_or_fine("gen.xlsx", bytes);
    }

    #[test]
    fn ole_lookalikes_are_safe(mut bytes in prop::collection::vec(any::<u8>(), 0..3_000)) {
        bytes.splice(0..0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        sheets_are_safe("gen.xls", &bytes);
        import_is_refused_or_fine("gen.xls", bytes);
    }

    #[test]
    fn emails_of_any_shape_are_safe(
        headers in prop::collection::vec(("[A-Za-z-]{1,12}", "\\PC{0,60}"), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..2_000),
        boundary in "[a-z]{0,8}",
    ) {
        let mut msg = Vec::new();
        for (k, v) in &headers {
            msg.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        msg.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n").as_bytes());
        msg.extend_from_slice(&body);
        email_is_safe(&msg);
    }

    #[test]
    fn csv_with_hostile_bytes_is_safe(bytes in prop::collection::vec(prop_oneof![Just(b'"'), Just(b','), Just(b'\n'), Just(b'\r'), Just(0u8), any::<u8>()], 0..4_000)) {
        let mut text = b"kind,regime,name\n".to_vec();
        text.extend(bytes);
        import_is_refused_or_fine("gen.csv", text);
    }
}

#[test]
fn the_kept_corpus_is_read_safely() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.ends_with(".eml") {
            email_is_safe(&bytes);
        } else {
            sheets_are_safe(&name, &bytes);
            import_is_refused_or_fine(&name, bytes);
        }
        seen += 1;
    }
    // The attacks built here rather than committed (the far corner, the bomb) join the corpus on every run.
    sheets_are_safe("xfd.xlsx", &xfd_xlsx());
    sheets_are_safe("bomb.xlsx", &bomb_xlsx());
    assert!(seen >= 6, "the corpus is kept in {}", dir.display());
}

/// Runs last of this module by name; prints the number of generated and kept inputs tried by this process (with
/// `--test-threads=1 hostile_files::` it counts every test above).
#[test]
fn zz_cases_run() {
    eprintln!("hostile_files: {} inputs tried", CASES.load(Ordering::Relaxed));
}
