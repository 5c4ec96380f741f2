//! Intake through the real binary: bulk import from CSV and XLSX (mapping, validation, error file, idempotence)
//! and requests that arrive as an email (.eml).

use crate::support::Register;

use std::path::Path;

use serde_json::Value;

const TODAY: &str = "2026-03-20";

/// How many requests the register holds.
fn count(d: &Register) -> u64 {
    d.run(&["request", "list", "--json", "--limit", "1"]).json()["total"].as_u64().unwrap()
}

const BACKLOG: &str = "\u{feff}Ticket;Type;Date received;Full name;E-mail;Law;calendar;description
T-1;Access;2026-03-02;Ann Lee;ann@example.org;eu-gdpr;FR;\"Copy of my data;\nall of it\"
T-2;erasure;2026-03-05 10:15;Bo Chen;bo@example;eu-gdpr;FR;delete
T-3;teleport;2026-03-05;Cy Dee;cy@nowhere;eu-gdpr;FR;
;access;2026-02-30;Di Eve;;uk-gdpr;;x
T-5;Opt-out of sale/sharing;2026-03-07T09:00:00;Ed Fox;ed@example.com;us-ca-ccpa;;

T-1;access;2026-03-02;Ann Lee;ann@example.org;eu-gdpr;FR;the same ticket again
";

#[test]
fn a_csv_backlog_imports_its_good_rows_once_and_lists_the_rest() {
    let d = Register::new(TODAY);
    let file = d.write("backlog.csv", BACKLOG);
    let errors = d.path("errors.csv");
    let check = d.run(&["import", &file, "--check", "--json"]).json();
    assert_eq!((check["imported"].as_u64(), check["errors"].as_u64()), (Some(2), Some(3)));
    assert_eq!(count(&d), 0, "a check writes nothing");

    let v = d.run(&["import", &file, "--errors", errors.to_str().unwrap(), "--json"]).json();
    assert_eq!(v["rows"], 6, "the blank line is not a row");
    assert_eq!((v["imported"].as_u64(), v["duplicates"].as_u64(), v["errors"].as_u64()), (Some(2), Some(1), Some(3)));
    assert_eq!(
        (v["first_reference"].as_str(), v["last_reference"].as_str()),
        (Some("RD-2026-0001"), Some("RD-2026-0002"))
    );
    let errs: Vec<(u64, String)> = v["first_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap().to_string()))
        .collect();
    // Row numbers are the file's lines (the first record spans lines 2–3).
    // Every problem of a row at once (row 5: its kind and its email), so one pass over the file fixes it.
    assert_eq!(errs, [(4, "E-mail".into()), (5, "Type".into()), (5, "E-mail".into()), (6, "Date received".into())]);
    let mut reader = csv::Reader::from_path(&errors).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[1][2], "teleport");
    assert!(rows[1][3].contains("unknown request kind"));

    let first = d.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(first["kind"], "access", "the label 'Access' maps to the kind");
    assert_eq!(first["external_id"], "T-1");
    assert_eq!(first["description"], "Copy of my data;\nall of it");
    assert_eq!(first["events"][0]["data"]["imported_from"]["row"], 2);
    let second = d.run(&["request", "show", "RD-2026-0002", "--json"]).json();
    assert_eq!(
        (second["kind"].as_str(), second["received"].as_str()),
        (Some("opt-out-sale-sharing"), Some("2026-03-07"))
    );

    let again = d.run(&["import", &file, "--json"]).json();
    assert_eq!((again["imported"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(3)));
    assert_eq!(count(&d), 2, "importing the same file twice creates nothing twice");
    assert_eq!(d.run(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn rows_without_an_id_are_recognised_by_their_content() {
    let d = Register::new(TODAY);
    let file = d.write(
        "plain.csv",
        "kind,regime,calendar,received,name,email\naccess,eu-gdpr,DE,2026-03-02,Jo Park,jo@example.org\n\
         access,eu-gdpr,DE,2026-03-02,Jo Park,jo@example.org\nerasure,eu-gdpr,DE,2026-03-03,Jo Park,jo@example.org\n",
    );
    let v = d.run(&["import", &file, "--json"]).json();
    assert_eq!((v["imported"].as_u64(), v["duplicates"].as_u64()), (Some(2), Some(1)));
    let v = d.run(&["import", &file, "--json"]).json();
    assert_eq!(v["imported"], 0);
}

fn write_xlsx(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, h) in ["Case", "Request", "Received", "Customer", "Mail", "Notes"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    let rows = [
        ("C-100", "Right of access", (2026, 3, 2), "Lou Mae", "lou@example.org"),
        ("C-101", "Erasure", (2026, 3, 4), "Max Roe", "max@example.org"),
        ("C-102", "Access", (2026, 4, 1), "Future Person", "f@example.org"),
    ];
    for (i, (case, kind, (y, m, day), name, mail)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *case).unwrap();
        sheet.write_string(r, 1, *kind).unwrap();
        sheet.write_datetime_with_format(r, 2, ExcelDateTime::from_ymd(*y, *m, *day).unwrap(), &date).unwrap();
        sheet.write_string(r, 3, *name).unwrap();
        sheet.write_string(r, 4, *mail).unwrap();
        sheet.write_number(r, 5, 42.0).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_spreadsheet_imports_with_a_mapping_and_fixed_values() {
    let d = Register::new(TODAY);
    let xlsx = d.path("cases.xlsx");
    write_xlsx(&xlsx);
    let mapping = d.write(
        "mapping.json",
        r#"{"columns": {"external_id": "Case", "kind": "Request", "received": "Received", "name": "Customer",
            "email": "Mail", "notes": "Notes"},
           "defaults": {"regime": "uk-gdpr", "calendar": "GB-ENG", "channel": "web-form"}}"#,
    );
    d.run(&["import", xlsx.to_str().unwrap(), "--json"]).assert_error("no column or fixed value for: kind, regime");
    let v = d.run(&["import", xlsx.to_str().unwrap(), "--mapping", &mapping, "--json"]).json();
    // "Right of access" is not a kind: the row is listed, with the column the officer knows.
    assert_eq!((v["imported"].as_u64(), v["errors"].as_u64()), (Some(1), Some(2)), "{v}");
    assert_eq!(v["first_errors"][0]["column"], "Request");
    assert_eq!(v["first_errors"][1]["column"], "Received");
    assert!(v["first_errors"][1]["reason"].as_str().unwrap().contains("future"));
    let r = d.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(
        (r["received"].as_str(), r["regime"].as_str(), r["channel"].as_str()),
        (Some("2026-03-04"), Some("uk-gdpr"), Some("web-form"))
    );
    assert_eq!(r["notes"], "42", "whole numbers read as written");
    let bad = d.write("bad-mapping.json", r#"{"columns": {"kind": "Nope"}}"#);
    d.run(&["import", xlsx.to_str().unwrap(), "--mapping", &bad]).assert_error("no column 'Nope'");
    let bad = d.write("bad-field.json", r#"{"columns": {"colour": "Case"}}"#);
    d.run(&["import", xlsx.to_str().unwrap(), "--mapping", &bad]).assert_error("unknown field 'colour'");
}

#[test]
fn files_that_are_not_tables_are_refused_and_nothing_is_written() {
    let d = Register::new(TODAY);
    d.run(&["import", &d.write("empty.csv", "")]).assert_error("no header row");
    std::fs::write(d.path("junk.csv"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    d.run(&["import", d.path("junk.csv").to_str().unwrap()]).assert_error("neither CSV text nor a spreadsheet");
    std::fs::write(d.path("fake.xlsx"), b"PK\x03\x04 not really a zip").unwrap();
    d.run(&["import", d.path("fake.xlsx").to_str().unwrap()]).assert_error("not a readable spreadsheet");
    d.run(&["import", "/nonexistent/file.csv"]).assert_error("cannot read");
    assert_eq!(count(&d), 0);
}

const EMAIL: &str = "Received: from mx.example.org by mail.acme.test; Tue, 3 Mar 2026 23:40:00 +0000\r\n\
From: \"Zoe Martin\" <Zoe.Martin@Example.FR>\r\n\
To: privacy@acme.test\r\n\
Subject: Please delete my account\r\n\
Date: Wed, 4 Mar 2026 00:40:00 +0100\r\n\
Message-ID: <abc@example.fr>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello, I want you to erase all my data and close my account.\r\n";

#[test]
fn an_email_prefills_a_request_and_is_attached_to_it() {
    let d = Register::new(TODAY);
    let eml = d.write("request.eml", EMAIL);
    let draft = d.run(&["intake", "email", &eml, "--json"]).json();
    assert_eq!(draft["kind_guess"]["kind"], "erasure");
    assert_eq!(draft["kind_guess"]["because"], r#""delete" in the subject, "erase" in the text"#);
    assert_eq!(draft["received"], "2026-03-03");
    let v: Value =
        d.run(&["request", "add", "--from-eml", &eml, "--regime", "eu-gdpr", "--calendar", "FR", "--json"]).json();
    assert_eq!((v["kind"].as_str(), v["channel"].as_str()), (Some("erasure"), Some("email")));
    assert_eq!(v["requester"]["name"], "Zoe Martin");
    assert_eq!(v["requester"]["email"], "zoe.martin@example.fr");
    assert_eq!(v["received"], "2026-03-03");
    assert_eq!(v["language"], "en");
    assert_eq!(v["attachments"][0]["file_name"], "request.eml");
    assert_eq!(v["attachments"][0]["size"], EMAIL.len());
    let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "attachment_added"]);
    // Options given on the command line win over what the message says.
    let v = d
        .run(&[
            "request",
            "add",
            "--from-eml",
            &eml,
            "--kind",
            "access",
            "--regime",
            "eu-gdpr",
            "--calendar",
            "FR",
            "--json",
        ])
        .json();
    assert_eq!(v["kind"], "access");
    d.run(&["request", "add", "--from-eml", &d.write("x.eml", "hello"), "--regime", "eu-gdpr"])
        .assert_error("not an email");
}

#[test]
fn the_files_an_email_carries_become_files_of_the_request() {
    let d = Register::new(TODAY);
    let with_files = "From: Zoe Martin <zoe@example.fr>\r\nTo: privacy@acme.test\r\nSubject: Access request\r\n\
Date: Wed, 4 Mar 2026 00:40:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nPlease send my data; my ID is attached.\r\n--b\r\n\
Content-Type: application/pdf; name=id.pdf\r\nContent-Disposition: attachment; filename=\"../../id card.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b\r\nContent-Type: image/png\r\n\
Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
    let eml = d.write("request.eml", with_files);
    let v = d.run(&["request", "add", "--from-eml", &eml, "--regime", "eu-gdpr", "--calendar", "FR", "--json"]).json();
    let names: Vec<&str> =
        v["attachments"].as_array().unwrap().iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "request.eml");
    assert!(names.iter().any(|n| n.ends_with("id card.pdf") && !n.contains('/')), "a safe name: {names:?}");
    let sizes: Vec<u64> = v["attachments"].as_array().unwrap().iter().map(|a| a["size"].as_u64().unwrap()).collect();
    assert_eq!(&sizes[1..], [9, 8], "the decoded bytes");
    let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "attachment_added", "attachment_added", "attachment_added"]);
}
