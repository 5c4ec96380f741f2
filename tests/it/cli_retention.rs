//! The retention purge through the real binary: a request closed long ago loses every trace of the person (row
//! fields, files, events, requester record, search) while the log and the metrics still count it and the audit
//! chain still verifies; recent and open requests are untouched; events cannot be deleted any other way.

use crate::support::{self, Register, run_now as at};

use std::path::Path;
use std::process::Command;

fn add(db: &Path, now: &str, received: &str, name: &str, email: &str) -> String {
    support::request(db, now)
        .kind("access")
        .gdpr("FR")
        .received(received)
        .who(name, email)
        .opt("--description", &format!("Copy of my data please — {name}"))
        .add()
}

fn close(db: &Path, now: &str, reference: &str) {
    at(db, now, &["request", "status", reference, "in-progress"]).ok();
    at(db, now, &["request", "status", reference, "fulfilled"]).ok();
    at(db, now, &["request", "status", reference, "closed"]).ok();
}

#[test]
fn old_closed_requests_lose_the_person_and_keep_the_numbers() {
    let reg = Register::new("2026-06-30");
    let db = &reg.db;
    at(db, "2023-01-02", &["settings", "organisation", "--name", "Acme SAS"]).ok();
    let old = add(db, "2023-01-02", "2023-01-02", "Olive Oldham", "olive@example.org");
    at(db, "2023-01-03T10:00:00Z", &["template", "letter", &old, "--template", "acknowledgement"]).ok();
    let scan = reg.path("id-card.pdf");
    std::fs::write(&scan, b"%PDF-1.4 a scanned identity card").unwrap();
    at(db, "2023-01-03", &["request", "attach", &old, scan.to_str().unwrap()]).ok();
    close(db, "2023-01-20T12:00:00Z", &old);
    let recent = add(db, "2026-01-05", "2026-01-05", "Rita Recent", "rita@example.org");
    close(db, "2026-01-20T12:00:00Z", &recent);
    let open = add(db, "2023-02-01", "2023-02-01", "Owen Open", "owen@example.org");
    let shown = at(db, "2026-06-30", &["request", "show", &old, "--json"]).json();
    let request_id = shown["id"].as_str().unwrap().to_string();
    let files = support::files_dir(db);
    assert!(files.join("attachments").join(&request_id).is_dir());
    let log_before = std::fs::read_to_string({
        let p = reg.path("before.csv");
        at(
            db,
            "2026-06-30",
            &["export", "log", "--from", "2023-01-01", "--to", "2026-06-30", "--out", p.to_str().unwrap()],
        )
        .ok();
        p
    })
    .unwrap();
    let metrics_before = at(db, "2026-06-30", &["metrics", "--year", "2023", "--json"]).json();

    let dry = at(db, "2026-06-30", &["retention", "purge", "--dry-run", "--json"]).json();
    assert_eq!((dry["months"].as_u64(), dry["due"].as_u64(), dry["purged"].as_u64()), (Some(24), Some(1), Some(0)));
    assert_eq!(dry["cutoff"], "2024-06-30");
    let done = at(db, "2026-06-30", &["retention", "purge", "--json"]).json();
    assert_eq!(done["purged"], 1);
    assert_eq!(done["files_removed"], 2, "the letter and the scan");

    // Nothing of the person is left: not on the row, not in the files, not in the search, not in the events.
    let after = at(db, "2026-06-30", &["request", "show", &old, "--json"]).json();
    assert_eq!(after["requester"]["name"], "");
    assert!(after["requester"]["email"].is_null());
    assert_eq!(after["description"], "");
    assert!(after["attachments"].as_array().unwrap().is_empty());
    let kinds: Vec<&str> = after["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["purged"]);
    assert_eq!(after["events"][0]["data"]["reason"], "retention");
    assert!(!files.join("attachments").join(&request_id).exists());
    let found = at(db, "2026-06-30", &["request", "list", "--search", "Oldham", "--json"]).json();
    assert_eq!(found["total"], 0, "{found}");
    let dump = Command::new("sqlite3").arg(db).arg(".dump").output().unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(!dump.contains("Oldham") && !dump.contains("olive@example.org"), "the database still holds the person");
    assert!(dump.contains("Rita Recent") && dump.contains("Owen Open"), "others are untouched");

    // The numbers are the same, and the chain verifies across the removed events.
    let p = reg.path("after.csv");
    at(
        db,
        "2026-06-30",
        &["export", "log", "--from", "2023-01-01", "--to", "2026-06-30", "--out", p.to_str().unwrap()],
    )
    .ok();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), log_before, "the regulator's log is unchanged");
    assert!(log_before.contains(&format!("{old},access")) && log_before.contains("2023-01-03"), "{log_before}");
    assert_eq!(at(db, "2026-06-30", &["metrics", "--year", "2023", "--json"]).json(), metrics_before);
    let chain = at(db, "2026-06-30", &["audit", "verify", "--json"]).json();
    assert_eq!(chain["ok"], true, "{chain}");
    let again = at(db, "2026-06-30", &["retention", "purge", "--json"]).json();
    assert_eq!((again["purged"].as_u64(), again["purged_in_all"].as_u64()), (Some(0), Some(1)));
    assert_eq!(at(db, "2026-06-30", &["request", "show", &open, "--json"]).json()["requester"]["name"], "Owen Open");

    // Events still cannot be deleted or edited by hand; a tampered chain is still caught.
    let sql = |q: &str| Command::new("sqlite3").arg(db).arg(q).output().unwrap();
    let refused = sql("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("append-only"));
    let refused = sql("DELETE FROM purged_events;");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("append-only"));

    // The period is the organisation's, within the law's bounds.
    at(db, "2026-06-30", &["settings", "retention", "--months", "12"]).assert_error("24");
    at(db, "2026-06-30", &["settings", "retention", "--months", "36"]).ok();
    let later = at(db, "2026-06-30", &["retention", "purge", "--dry-run", "--json"]).json();
    assert_eq!((later["months"].as_u64(), later["due"].as_u64()), (Some(36), Some(0)));
}
