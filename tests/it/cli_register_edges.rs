//! The register at its edges (issue 14, items 12, 14, 16): a purge leaves nothing of the person in the database
//! file, a purged request takes no new personal data, a newer database is refused untouched, a database the user
//! cannot write is opened read-only and says so, and a folder that cannot be written is named as the problem.

use crate::support::{self, Register, run_now as at};

use std::path::Path;
use std::process::Command;

/// A request closed in 2023 with every kind of personal data, and its reference.
fn closed_request(db: &Path) -> String {
    let reference = support::request(db, "2023-01-02")
        .kind("access")
        .gdpr("FR")
        .received("2023-01-02")
        .who("Qwyxz Jokullsdottir", "qwyxz.jokull@example.org")
        .opt("--phone", "+33 6 71 92 83 74")
        .opt("--address", "17 Rue Vrbnjk, Lyon")
        .opt("--description", "Zebulon-fjord health notes")
        .add();
    for status in ["in-progress", "fulfilled", "closed"] {
        at(db, "2023-01-20T12:00:00Z", &["request", "status", &reference, status]).ok();
    }
    reference
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[test]
fn a_purge_leaves_no_trace_of_the_person_in_the_database_files() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    closed_request(db);
    let mut before = file_bytes(db);
    before.extend(file_bytes(&reg.path("r.sqlite3-wal")));
    let needles = ["Jokullsdottir", "qwyxz.jokull@example.org", "71 92 83 74", "Rue Vrbnjk", "Zebulon-fjord"];
    assert!(needles.iter().all(|n| contains(&before, n)), "the test data is in the file before the purge");

    at(db, "2026-06-30", &["retention", "purge"]).ok();
    let mut after = file_bytes(db);
    after.extend(file_bytes(&reg.path("r.sqlite3-wal")));
    for needle in needles {
        assert!(!contains(&after, needle), "{needle:?} is still readable in the database files after the purge");
    }
    // The search index keeps no trigram of the name either.
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, requests_search, 'row');").unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM temp.vocab WHERE term IN ('qwy', 'wyx', 'yxz', 'kul', 'sdo')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0, "trigrams of the purged name are still in the search index");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_purged_request_takes_no_new_personal_data() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    let reference = closed_request(db);
    at(db, "2026-06-30", &["retention", "purge"]).ok();
    let scan = reg.path("passport.pdf");
    std::fs::write(&scan, b"%PDF-1.4 passport").unwrap();
    let events_before =
        at(db, "2026-06-30", &["request", "show", &reference, "--json"]).json()["events"].as_array().unwrap().len();

    at(db, "2026-06-30", &["request", "attach", &reference, scan.to_str().unwrap()]).assert_error("purged");
    at(
        db,
        "2026-06-30",
        &[
            "request",
            "verify",
            &reference,
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-06-30",
            "--evidence",
            scan.to_str().unwrap(),
        ],
    )
    .assert_error("purged");
    let after = at(db, "2026-06-30", &["request", "show", &reference, "--json"]).json();
    assert_eq!(after["events"].as_array().unwrap().len(), events_before, "nothing was recorded");
    assert!(after["purged_at"].is_string(), "the request says it was purged: {after}");
    // No file was left behind either.
    let leftovers = walk(reg.dir()).into_iter().filter(|p| p.to_string_lossy().contains("passport")).count();
    assert_eq!(leftovers, 1, "only the original file remains");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_newer_database_in_rollback_journal_mode_is_refused_untouched() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    at(db, "2026-01-05", &["request", "list"]).ok();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', 't');",
    )
    .unwrap();
    drop(conn);
    let before = file_bytes(db);
    at(db, "2026-01-05", &["request", "list"]).assert_error("newer Rightsdesk");
    assert!(file_bytes(db) == before, "the file was modified");
    assert!(!reg.path("r.sqlite3-wal").exists(), "it was switched to WAL");
}

/// Run the binary as a user who may read but not write (root ignores file modes, so drop to nobody).
fn as_reader(db: &Path, args: &[&str]) -> support::Run {
    let mut full: Vec<String> = vec!["--db".into(), db.to_str().unwrap().into()];
    full.extend(args.iter().map(|a| a.to_string()));
    let mut cmd = if unsafe_is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(support::bin());
        c
    } else {
        Command::new(support::bin())
    };
    let out =
        cmd.args(&full).env("RIGHTSDESK_NOW", "2026-01-05").env("HOME", "/tmp").env(support::PLAIN.0, support::PLAIN.1);
    let out = out.output().unwrap();
    support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

fn open_to_others(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_database_the_user_cannot_write_is_opened_read_only_and_says_so() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    let reference = reg
        .request()
        .kind("access")
        .gdpr("FR")
        .received("2026-01-05")
        .who("Ann Reader", "ann@example.org")
        .on("2026-01-05")
        .add();
    open_to_others(reg.dir(), 0o755);
    open_to_others(db, 0o444);
    let listed = as_reader(db, &["request", "list", "--json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stderr.contains("read-only"), "it says so: {}", listed.stderr);
    assert_eq!(listed.json()["total"], 1);
    assert_eq!(as_reader(db, &["audit", "verify"]).code, 0);
    let change = as_reader(db, &["request", "status", &reference, "in-progress"]);
    assert_ne!(change.code, 0);
    assert!(change.stderr.contains("read-only"), "{}", change.stderr);
}

#[test]
fn a_new_database_in_a_folder_that_cannot_be_written_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    open_to_others(dir.path(), 0o755);
    open_to_others(&locked, 0o555);
    let run = as_reader(&locked.join("new.sqlite3"), &["request", "list"]);
    run.assert_error("cannot create the register");
    assert!(run.stderr.contains("ermission denied"), "{}", run.stderr);
    assert!(!run.stderr.contains("damaged"), "{}", run.stderr);
}

#[test]
fn a_purged_refusal_keeps_its_category_in_the_log_and_loses_its_free_text_reason() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    let reference = reg
        .request()
        .kind("erasure")
        .gdpr("FR")
        .received("2023-01-02")
        .who("Rhea Refused", "rhea@example.org")
        .on("2023-01-02")
        .add();
    at(db, "2023-01-10", &["request", "status", &reference, "in-progress"]).ok();
    let reason = "Same request as Mr Ortolan's of last week";
    at(db, "2023-01-10", &["request", "status", &reference, "refused", "--category", "excessive", "--reason", reason])
        .ok();
    at(db, "2023-01-20", &["request", "status", &reference, "closed"]).ok();
    at(db, "2026-06-30", &["retention", "purge"]).ok();
    let out = reg.path("log.csv");
    let args = ["export", "log", "--from", "2023-01-01", "--to", "2023-12-31", "--out", out.to_str().unwrap()];
    at(db, "2026-06-30", &args).ok();
    let mut log = csv::Reader::from_path(&out).unwrap();
    let headers = log.headers().unwrap().clone();
    let row = log.records().next().unwrap().unwrap();
    let col = |name: &str| &row[headers.iter().position(|h| h == name).unwrap()];
    assert_eq!((col("outcome"), col("refusal_category")), ("refused", "excessive"));
    assert_eq!(col("refusal_reason"), "", "the officer's free text may name people: it goes with the purge");
    assert!(!std::fs::read_to_string(&out).unwrap().contains("Ortolan"));
}
