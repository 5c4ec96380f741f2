//! The log's facts kept on the request row (migration 0011): a register made before them exports the very same log
//! after the upgrade (bytes compared with what the older version wrote, and with the queries it ran over the
//! events), a new register keeps them with their events through a purge, and changing them with plain SQL, on a
//! row whose last event predates them or not, is found by `audit verify`.

use crate::support::{Register, run_now as at};

use std::path::{Path, PathBuf};

const TODAY: &str = "2026-06-30";

/// The acknowledgement and outcome as the log export read them from the events before schema 11: the reference.
const OLD_LOG: &str = "SELECT r.reference,
        coalesce((SELECT substr(min(e.at), 1, 10) FROM events e
          WHERE e.request_id = r.id
            AND ((e.kind = 'response_sent' AND json_extract(e.data, '$.stage') = 'acknowledgement')
              OR (e.kind = 'attachment_added'
                  AND json_extract(e.data, '$.file_name') LIKE '%-acknowledgement-%.pdf'))),
          json_extract(r.purged_facts, '$.acknowledged'), ''),
        CASE WHEN r.status = 'closed' THEN coalesce((SELECT json_extract(e.data, '$.from') FROM events e
          WHERE e.request_id = r.id AND e.kind = 'status_changed'
            AND json_extract(e.data, '$.to') = 'closed' ORDER BY e.seq DESC LIMIT 1),
          json_extract(r.purged_facts, '$.closed_from'), 'closed')
        ELSE r.status END
   FROM requests r
  WHERE r.received >= '2023-01-01' AND r.received <= '2026-12-31' AND r.status <> 'spam'
  ORDER BY r.received, r.ref_year, r.ref_seq";

type Facts = Vec<(String, String, String)>;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn old_facts(db: &Path) -> Facts {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(OLD_LOG).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

fn export(reg: &Register, format: &str) -> String {
    let out = reg.path(format!("log-{}.{format}", uuid::Uuid::new_v4().simple()));
    let args = ["export", "log", "--from", "2023-01-01", "--to", "2026-12-31", "--out", out.to_str().unwrap()];
    reg.at(TODAY, &args).ok();
    std::fs::read_to_string(out).unwrap()
}

/// (reference, acknowledged, outcome) of each row of an exported CSV, in order.
fn csv_facts(csv: &str) -> Facts {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (ack, outcome) = (col("acknowledged"), col("outcome"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            // The log says `open` for an open request's outcome; the queries give its status.
            let outcome = if &r[outcome] == "open" { &r[col("status")] } else { &r[outcome] };
            (r[0].to_string(), r[ack].to_string(), outcome.to_string())
        })
        .collect()
}

fn verify(db: &Path) -> serde_json::Value {
    let run = at(db, TODAY, &["audit", "verify", "--json"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", run.stdout, run.stderr))
}

fn sql(db: &Path, statements: &str) {
    rusqlite::Connection::open(db).unwrap().execute_batch(statements).unwrap();
}

/// A copy of `db` changed with `statements`: what `audit verify` says of it.
fn tampered(reg: &Register, statements: &str) -> serde_json::Value {
    let copy = reg.path(format!("tampered-{}.sqlite3", uuid::Uuid::new_v4().simple()));
    std::fs::copy(&reg.db, &copy).unwrap();
    sql(&copy, statements);
    verify(&copy)
}

fn named(report: &serde_json::Value) -> Vec<String> {
    report["rows"]["rows"].as_array().unwrap().iter().map(|r| r["reference"].as_str().unwrap().to_string()).collect()
}

/// A register made by the version before the log facts (tests/fixtures/make-register-before-log-facts.sh).
fn old_register() -> Register {
    let reg = Register::new(TODAY);
    std::fs::copy(fixture("register-before-log-facts.sqlite3"), &reg.db).unwrap();
    reg
}

#[test]
fn a_register_from_before_the_log_facts_exports_the_same_log_after_the_upgrade() {
    let reg = old_register();
    let before = old_facts(&reg.db);
    assert!(before.iter().any(|(_, ack, _)| !ack.is_empty()), "{before:?}");
    let csv = export(&reg, "csv");
    assert_eq!(csv, std::fs::read_to_string(fixture("register-before-log-facts.log.csv")).unwrap());
    assert_eq!(export(&reg, "json"), std::fs::read_to_string(fixture("register-before-log-facts.log.json")).unwrap());
    assert_eq!(csv_facts(&csv), before, "the facts as the events give them");
    assert_eq!(old_facts(&reg.db), before, "the upgrade changed no event");

    let report = verify(&reg.db);
    assert_eq!(report["ok"], true, "{report}");
    let recorded = at(&reg.db, TODAY, &["audit", "history", "--json"]).stdout;
    assert!(recorded.contains("row_facts_recorded"), "{recorded}");

    // The rows' last events predate the facts (v1 states): the upgrade's record holds them.
    let changed = tampered(
        &reg,
        "UPDATE requests SET closed_from = 'fulfilled' WHERE reference = 'RD-2026-0002';
         UPDATE requests SET acknowledged_on = '2026-01-05' WHERE reference = 'RD-2026-0001';
         UPDATE requests SET acknowledged_on = '2023-01-02' WHERE reference = 'RD-2023-0001';
         UPDATE requests SET closed_from = 'fulfilled' WHERE reference = 'RD-2026-0008';",
    );
    assert_eq!(changed["ok"], false, "{changed}");
    assert_eq!(named(&changed), ["RD-2023-0001", "RD-2026-0001", "RD-2026-0002", "RD-2026-0008"], "{changed}");
    assert!(changed["rows"].to_string().contains("log facts"), "{changed}");
    // Changed in the record too: the record's chained digest no longer holds.
    let forged = tampered(
        &reg,
        "DROP TRIGGER row_facts_no_update;
         UPDATE row_facts SET closed_from = 'fulfilled'
          WHERE request_id = (SELECT id FROM requests WHERE reference = 'RD-2026-0002');
         UPDATE requests SET closed_from = 'fulfilled' WHERE reference = 'RD-2026-0002';",
    );
    assert_eq!(forged["ok"], false, "{forged}");
    assert_eq!(named(&forged), ["(the upgrade's record of log facts)"], "{forged}");
    let added = tampered(
        &reg,
        "INSERT INTO row_facts (request_id, closed_from)
            SELECT id, 'fulfilled' FROM requests WHERE reference = 'RD-2026-0008';
         UPDATE requests SET closed_from = 'fulfilled' WHERE reference = 'RD-2026-0008';",
    );
    assert_eq!(named(&added), ["(the upgrade's record of log facts)"], "{added}");

    // The next event of a row covers its facts in its own state.
    reg.at("2026-06-30T10:00:00Z", &["template", "letter", "RD-2026-0008", "--template", "acknowledgement"]).ok();
    assert_eq!(verify(&reg.db)["ok"], true);
    let after = tampered(&reg, "UPDATE requests SET acknowledged_on = NULL WHERE reference = 'RD-2026-0008';");
    assert_eq!(named(&after), ["RD-2026-0008"], "{after}");
    assert_eq!(csv_facts(&export(&reg, "csv")), old_facts(&reg.db));
}

#[test]
fn a_new_register_keeps_the_facts_with_their_events_through_a_purge() {
    let reg = Register::new(TODAY);
    let db = &reg.db;
    reg.organisation(&[("--name", "Acme SAS")]);
    let add = |now: &str, name: &str| {
        crate::support::request(db, now).kind("access").gdpr("FR").received(now).who(name, "x@example.org").add()
    };
    let status = |now: &str, r: &str, args: &[&str]| {
        let mut all = vec!["request", "status", r];
        all.extend_from_slice(args);
        at(db, now, &all).ok();
    };
    let old = add("2023-01-02", "Olive Old");
    at(db, "2023-01-04T10:00:00Z", &["template", "letter", &old, "--template", "acknowledgement"]).ok();
    at(db, "2023-01-03T10:00:00Z", &["template", "letter", &old, "--template", "acknowledgement"]).ok();
    status("2023-01-10", &old, &["refused", "--category", "excessive", "--reason", "Again."]);
    status("2023-01-11", &old, &["closed"]);
    let withdrawn = add("2023-02-01", "Wendy Withdrawn");
    status("2023-02-02", &withdrawn, &["withdrawn"]);
    status("2023-02-03", &withdrawn, &["closed"]);
    let open = add("2026-03-01", "Otto Open");
    at(db, "2026-03-02T10:00:00Z", &["template", "letter", &open, "--template", "acknowledgement"]).ok();

    let facts = old_facts(db);
    assert_eq!(
        facts,
        [
            (old.clone(), "2023-01-03".into(), "refused".into()),
            (withdrawn.clone(), String::new(), "withdrawn".into()),
            (open.clone(), "2026-03-02".into(), "received".into()),
        ]
    );
    let csv = export(&reg, "csv");
    assert_eq!(csv_facts(&csv), facts);
    let purged = at(db, TODAY, &["retention", "purge", "--json"]).json();
    assert_eq!(purged["purged"], 2);
    // (The refusal's free-text reason goes with the person, on purpose: docs/cli.md.)
    assert_eq!(csv_facts(&export(&reg, "csv")), facts, "a purge keeps what the log shows");
    assert_eq!(old_facts(db), facts, "and what it keeps for older versions (purged_facts)");
    assert_eq!(verify(db)["ok"], true);

    // New events' states cover the facts: a change without an event is named, purged or not.
    let changed = tampered(
        &reg,
        &format!(
            "UPDATE requests SET acknowledged_on = '2026-03-01' WHERE reference = '{open}';
             UPDATE requests SET closed_from = 'fulfilled' WHERE reference = '{old}';"
        ),
    );
    let mut expected = vec![old.clone(), open.clone()];
    expected.sort();
    assert_eq!(named(&changed), expected, "{changed}");
}
