//! The regulator's request log in four formats and the yearly metrics, checked as a person would: the CSV and
//! JSON parsed, the spreadsheet opened (calamine) and its XML looked at for the frozen header and filters, the
//! PDF read back as text.

use crate::support::Register;

use std::process::Command;

const TODAY: &str = "2026-06-30";

fn add(reg: &Register, kind: &str, regime: &str, calendar: &str, received: &str) -> String {
    let request = reg.request().kind(kind).regime(regime).calendar(calendar).received(received);
    request.who("Pat Example", "pat@example.org").add()
}

fn answer(reg: &Register, reference: &str, on: &str, status: &str, extra: &[&str]) {
    let now = format!("{on}T12:00:00Z");
    let mut args = vec!["request", "status", reference, "in-progress"];
    reg.at(&now, &args).ok();
    args = vec!["request", "status", reference, status];
    args.extend_from_slice(extra);
    reg.at(&now, &args).ok();
}

#[test]
fn the_log_in_every_format_says_the_same_and_holds_no_personal_data() {
    let reg = Register::new(TODAY);
    let a = add(&reg, "access", "eu-gdpr", "FR", "2026-01-05");
    answer(&reg, &a, "2026-01-20", "fulfilled", &[]);
    reg.at("2026-01-21T09:00:00Z", &["request", "status", &a, "closed"]).ok();
    let b = add(&reg, "erasure", "us-ca-ccpa", "US", "2026-02-02");
    answer(&reg, &b, "2026-04-30", "refused", &["--category", "excessive", "--reason", "Fifth request this month."]);
    let c = add(&reg, "opt-out-sale-sharing", "us-ca-ccpa", "US", "2026-03-01");
    reg.run(&["settings", "organisation", "--name", "Acme Ltd"]).ok();
    // An acknowledgement letter counts as the acknowledgement.
    reg.at("2026-03-03T10:00:00Z", &["template", "letter", &c, "--template", "acknowledgement"]).ok();
    let outside = add(&reg, "access", "eu-gdpr", "FR", "2025-12-31");

    let mut rows_per_format = Vec::new();
    for format in ["csv", "xlsx", "json", "pdf"] {
        let out = reg.path(format!("log.{format}"));
        let done = reg
            .run(&[
                "export",
                "log",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--out",
                out.to_str().unwrap(),
                "--json",
            ])
            .json();
        assert_eq!(done["format"], format);
        rows_per_format.push(done["requests"].as_u64().unwrap());
        let bytes = std::fs::read(&out).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("pat@example.org"), "{format}: no personal data");
        assert!(!String::from_utf8_lossy(&bytes).contains(&outside), "{format}: only the period");
    }
    assert_eq!(rows_per_format, [3, 3, 3, 3]);

    // CSV
    let mut csv = csv::Reader::from_path(reg.path("log.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row_of = |r: &str| rows.iter().find(|row| &row[0] == r).unwrap().clone();
    let ra = row_of(&a);
    assert_eq!(
        (&ra[col("status")], &ra[col("outcome")], &ra[col("closed")], &ra[col("days_taken")], &ra[col("on_time")]),
        ("closed", "fulfilled", "2026-01-20", "15", "yes"),
        "a closed request keeps what was done"
    );
    let rb = row_of(&b);
    assert_eq!((&rb[col("outcome")], &rb[col("refusal_category")]), ("refused", "excessive"));
    assert_eq!(&rb[col("refusal_reason")], "Fifth request this month.");
    assert_eq!(&rb[col("due")], "2026-03-18", "CCPA: 45 days counting the day of receipt (§7021)");
    assert_eq!(&rb[col("on_time")], "no", "answered after the due date");
    let rc = row_of(&c);
    assert_eq!(
        (&rc[col("acknowledged")], &rc[col("outcome")], &rc[col("on_time")]),
        ("2026-03-03", "open", "no"),
        "open past its date"
    );

    // JSON: the same rows, typed.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(reg.path("log.json")).unwrap()).unwrap();
    let requests = json["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    let jb = requests.iter().find(|r| r["reference"] == b.as_str()).unwrap();
    assert_eq!((jb["on_time"].as_bool(), jb["days_taken"].as_i64()), (Some(false), Some(87)));

    // XLSX: opened by a spreadsheet reader, dates are dates, the header is frozen and filtered.
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(reg.path("log.xlsx")).unwrap();
    let sheet = book.worksheet_range("Requests").unwrap();
    assert_eq!(sheet.height(), 4);
    let received = sheet.get((1, col("received"))).unwrap();
    assert!(matches!(received, calamine::Data::DateTime(_)), "{received:?}");
    let xml = Command::new("unzip")
        .args(["-p", reg.path("log.xlsx").to_str().unwrap(), "xl/worksheets/sheet1.xml"])
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&xml.stdout);
    assert!(xml.contains("ySplit=\"1\"") && xml.contains("<autoFilter ref=\"A1:T4\""), "{xml}");

    // PDF: the summary reads right.
    let text =
        Command::new("pdftotext").args(["-layout", reg.path("log.pdf").to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Request log of Acme Ltd — received 2026-01-01 to 2026-12-31"), "{text}");
    assert!(
        text.contains(
            "3 requests: 2 answered, 1 open (1 past their date). Answered on time: 1 of 2 with a deadline (50.0%)"
        ),
        "{text}"
    );

    // Bad input: a clear error, no file.
    let bad = reg.path("bad.csv");
    reg.run(&["export", "log", "--from", "2026-12-31", "--to", "2026-01-01", "--out", bad.to_str().unwrap()])
        .assert_error("is after");
    reg.run(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "/nonexistent/x.csv"])
        .assert_error("does not exist");
    reg.run(&["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "x.doc"])
        .assert_error("--format");
    assert!(!bad.exists());
    assert_eq!(
        std::fs::read_dir(reg.dir())
            .unwrap()
            .filter(|e| { e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".partial") })
            .count(),
        0
    );
}

#[test]
fn metrics_count_a_year_in_the_ccpa_shape() {
    let reg = Register::new(TODAY);
    for (received, answered, status, extra) in [
        ("2026-01-05", "2026-01-15", "fulfilled", vec![]),
        (
            "2026-01-10",
            "2026-02-09",
            "partially-fulfilled",
            vec!["--category", "third-party-rights", "--reason", "Some records are a third party's."],
        ),
        ("2026-02-01", "2026-02-21", "refused", vec!["--category", "no-data-held", "--reason", "No account."]),
    ] {
        let r = add(&reg, "access", "us-ca-ccpa", "US", received);
        answer(&reg, &r, answered, status, &extra);
    }
    add(&reg, "erasure", "us-ca-ccpa", "US", "2026-03-01");
    add(&reg, "erasure", "eu-gdpr", "FR", "2026-03-01");
    add(&reg, "erasure", "us-ca-ccpa", "US", "2025-12-31");
    let m = reg.run(&["metrics", "--year", "2026", "--regime", "us-ca-ccpa", "--json"]).json();
    let know = &m["groups"][0];
    assert_eq!(know["group"], "know");
    let n = |k: &str| know[k].as_u64().unwrap();
    assert_eq!([n("received"), n("complied"), n("complied_in_part"), n("denied")], [3, 2, 1, 1], "{know}");
    assert_eq!(know["median_days"], 20.0);
    assert_eq!(know["mean_days"], 20.0);
    assert_eq!((m["groups"][1]["received"].as_u64(), m["groups"][1]["open"].as_u64()), (Some(1), Some(1)));
    assert_eq!(m["total"]["received"], 4, "the year and the regime only");
    assert_eq!(m["months"][0]["received"], 2);
    assert_eq!(reg.run(&["metrics", "--year", "2026", "--json"]).json()["total"]["received"], 5);
    let text = reg.run(&["metrics", "--year", "2026", "--regime", "us-ca-ccpa"]).stdout;
    assert!(text.contains("Requests to know (access, portability)"), "{text}");
    reg.run(&["metrics", "--year", "2026", "--regime", "nowhere"]).assert_error("regime");
}
