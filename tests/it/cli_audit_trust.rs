//! The audit trail against someone who can write to the database file (issue 14, items 1–3): a routine purge keeps
//! the chain verifiable; an event deleted with plain SQL, a request row changed without an event, a removed
//! trigger, the end of the chain cut off and a whole chain recomputed after an edit are all found; a signed
//! checkpoint or an anchor kept outside catches what the chain alone cannot.

use crate::support::{self, Register, run_now as at};

use std::path::Path;

use sha2::Digest;

const NOW: &str = "2026-11-02";
const PASSPHRASE: &str = "correct horse battery staple";

fn signed(db: &Path, args: &[&str]) -> support::Run {
    support::run_env(db, NOW, args, &[("RIGHTSDESK_AUDIT_PASSPHRASE", PASSPHRASE)])
}

/// `audit key setup`, the passphrase typed on standard input as a script would; its JSON answer.
fn set_up_key(db: &Path) -> serde_json::Value {
    let args = ["audit", "key", "setup", "--key-passphrase-stdin", "--json"];
    support::run_input(db, NOW, &args, &format!("{PASSPHRASE}\n")).json()
}

fn add(db: &Path, name: &str) -> String {
    let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
    support::request(db, NOW).kind("access").gdpr("FR").received(NOW).who(name, &email).add()
}

fn verify(db: &Path) -> serde_json::Value {
    let run = at(db, NOW, &["audit", "verify", "--json"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", run.stdout, run.stderr))
}

fn sql(db: &Path, statements: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(statements).unwrap();
}

/// A register with two requests, the first moved on twice.
fn register() -> Register {
    let reg = Register::new(NOW);
    let db = &reg.db;
    let first = add(db, "Ann Archer");
    add(db, "Bob Baker");
    at(db, NOW, &["request", "status", &first, "in-progress"]).ok();
    at(db, NOW, &["request", "status", &first, "on-hold", "--reason", "waiting for the archive"]).ok();
    reg
}

#[test]
fn a_purge_of_the_newest_events_keeps_the_chain_verifiable() {
    let reg = Register::new(NOW);
    let db = &reg.db;
    add(db, "Ann Archer");
    let second = add(db, "Bob Baker");
    at(db, NOW, &["request", "status", &second, "withdrawn"]).ok();
    at(db, NOW, &["request", "status", &second, "closed"]).ok();
    let purged = at(db, "2029-01-05", &["retention", "purge", "--json"]).json();
    assert_eq!(purged["purged"], 1);
    at(db, "2029-01-05", &["audit", "verify"]).ok();
    // And the next event after the purge links to the purged one too.
    add(db, "Cleo Clark");
    let report = verify(db);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["events_purged"], 3);
}

#[test]
fn an_event_deleted_with_plain_sql_is_found_even_with_its_hash_kept() {
    let reg = register();
    let db = &reg.db;
    assert_eq!(verify(db)["ok"], true);
    // The attack: keep the deleted event's place and hash as a purge would, rewind the status.
    sql(
        db,
        "INSERT INTO purged_events (seq, hash, purged_at) SELECT seq, hash, 'x' FROM events
            WHERE kind = 'status_changed' AND data LIKE '%on-hold%';
         DELETE FROM events WHERE kind = 'status_changed' AND data LIKE '%on-hold%';
         UPDATE requests SET status = 'in-progress' WHERE reference = 'RD-2026-0001';",
    );
    let report = verify(db);
    assert_eq!(report["ok"], false);
    let problem = report["first_break"]["problem"].as_str().unwrap();
    assert!(problem.contains("without a purge record"), "{problem}");
    let run = at(db, NOW, &["audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("without a purge record"), "{}", run.stderr);
}

#[test]
fn a_purge_record_only_counts_for_a_request_that_was_really_purged() {
    let reg = register();
    let db = &reg.db;
    // Delete an event, then forge a chained `purged` event naming it on a request that is still whole.
    let conn = rusqlite::Connection::open(db).unwrap();
    let (seq, hash): (i64, String) = conn
        .query_row("SELECT seq, hash FROM events WHERE kind = 'status_changed' ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO purged_events (seq, hash, purged_at) VALUES ({seq}, '{hash}', 'x'); DELETE FROM events WHERE seq = {seq};"
    ))
    .unwrap();
    let request: String =
        conn.query_row("SELECT id FROM requests WHERE reference = 'RD-2026-0002'", [], |r| r.get(0)).unwrap();
    let state: String = conn
        .query_row("SELECT state FROM events WHERE request_id = ?1 ORDER BY seq DESC LIMIT 1", [&request], |r| r.get(0))
        .unwrap();
    let data = serde_json::json!({"reason": "retention", "removed": [[seq, hash]]}).to_string();
    let id = "01900000-0000-7000-8000-000000000000";
    let new_hash = link(&hash, id, &request, "t", "x", "purged", &data, Some(&state));
    conn.execute(
        "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
         VALUES (?1, ?2, 't', 'x', 'purged', ?3, ?4, ?5, ?6)",
        rusqlite::params![id, request, data, hash, new_hash, state],
    )
    .unwrap();
    drop(conn);
    let report = verify(db);
    assert_eq!(report["ok"], false, "{report}");
    assert!(report["first_break"]["problem"].as_str().unwrap().contains("not purged"), "{report}");
}

#[test]
fn a_request_row_changed_without_an_event_is_named() {
    let reg = register();
    let db = &reg.db;
    sql(
        db,
        "UPDATE requests SET requester_name = 'Someone Else' WHERE reference = 'RD-2026-0002';
         UPDATE requests SET effective_due = '2027-12-31' WHERE reference = 'RD-2026-0001';",
    );
    let report = verify(db);
    assert_eq!(report["ok"], false);
    assert_eq!(report["rows"]["differing"], 2);
    let named: Vec<&str> =
        report["rows"]["rows"].as_array().unwrap().iter().map(|r| r["reference"].as_str().unwrap()).collect();
    assert_eq!(named, ["RD-2026-0001", "RD-2026-0002"]);
    let run = at(db, NOW, &["audit", "verify"]);
    assert!(
        run.stderr.contains("2 request row(s) changed without an audit event: RD-2026-0001, RD-2026-0002"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_removed_or_altered_trigger_is_reported_restored_and_recorded() {
    let reg = register();
    let db = &reg.db;
    sql(
        db,
        "DROP TRIGGER events_no_update;
         DROP TRIGGER purged_events_no_delete;
         CREATE TRIGGER purged_events_no_delete BEFORE DELETE ON purged_events BEGIN SELECT 1; END;",
    );
    let report = verify(db);
    assert_eq!(report["ok"], false);
    let found: Vec<(String, String)> = report["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().into(), t["problem"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        found,
        [("events_no_update".to_string(), "missing".to_string()), ("purged_events_no_delete".into(), "altered".into())]
    );
    // Put back on that open: the events table refuses edits again, and the restoration is in the chain.
    let conn = rusqlite::Connection::open(db).unwrap();
    assert!(conn.execute("UPDATE events SET actor = 'x'", []).is_err());
    let restored: i64 = conn
        .query_row("SELECT count(*) FROM events WHERE kind = 'trigger_restored' AND request_id IS NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(restored, 2);
    drop(conn);
    let again = verify(db);
    assert_eq!(again["ok"], true, "{again}");
    assert!(again["notes"].to_string().contains("restored"), "the restoration stays on record: {again}");
}

/// SHA-256 over each part as its length (8 bytes, little-endian) and its bytes: the chain's link, as an attacker
/// who read the source would recompute it.
#[allow(clippy::too_many_arguments)]
fn link(
    prev: &str,
    id: &str,
    request: &str,
    at: &str,
    actor: &str,
    kind: &str,
    data: &str,
    state: Option<&str>,
) -> String {
    // From schema 10 (a state is present) the data enters as its SHA-256.
    let digest: String = sha2::Sha256::digest(data.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let data = if state.is_some() { digest.as_str() } else { data };
    let mut h = sha2::Sha256::new();
    for part in [prev, id, request, at, actor, kind, data].into_iter().chain(state) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Edit one event's data and recompute every hash after it, with the triggers put back as shipped: the chain
/// itself is then perfect.
fn rewrite_whole_chain(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("DROP TRIGGER events_no_update;").unwrap();
    type Row = (i64, String, Option<String>, String, String, String, String, Option<String>);
    let rows: Vec<Row> = conn
        .prepare("SELECT seq, id, request_id, at, actor, kind, data, state FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = "0".repeat(64);
    for (seq, id, request, at, actor, kind, mut data, state) in rows {
        if kind == "status_changed" && data.contains("waiting for the archive") {
            data = data.replace("waiting for the archive", "requester asked to wait");
        }
        let hash = link(&prev, &id, request.as_deref().unwrap_or(""), &at, &actor, &kind, &data, state.as_deref());
        conn.execute(
            "UPDATE events SET data = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![seq, data, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    let shipped = rightsdesk::store::APPEND_ONLY_TRIGGERS.iter().find(|(n, _)| *n == "events_no_update").unwrap().1;
    conn.execute_batch(&format!("{shipped};")).unwrap();
}

#[test]
fn without_a_key_a_whole_rewrite_passes_and_the_report_says_so() {
    let reg = register();
    let db = &reg.db;
    rewrite_whole_chain(db);
    let report = verify(db);
    assert_eq!(report["ok"], true, "the limit of an unsigned chain: {report}");
    assert!(report["notes"].to_string().contains("no signing key"), "{report}");
}

#[test]
fn a_signed_checkpoint_catches_a_whole_rewrite_and_a_cut_end() {
    let reg = register();
    let db = &reg.db;
    let setup = set_up_key(db);
    assert_eq!(setup["set_up"], true);
    assert_eq!(setup["storage"], "passphrase");
    assert_eq!(setup["checkpoints"], 1, "the first checkpoint is signed at once");
    // The passphrase is needed to sign: without it, no checkpoint and a clear message.
    let locked = at(db, NOW, &["audit", "checkpoint"]);
    locked.assert_error("RIGHTSDESK_AUDIT_PASSPHRASE");
    let anchor = reg.path("anchor.json");
    signed(db, &["audit", "anchor", "--out", anchor.to_str().unwrap()]).ok();
    let good = verify(db);
    assert_eq!(good["ok"], true, "{good}");
    assert_eq!(good["checkpoints"]["count"], 2);
    at(db, NOW, &["audit", "verify", "--anchor", anchor.to_str().unwrap()]).ok();

    let copy = reg.path("copy.sqlite3");
    std::fs::copy(db, &copy).unwrap();

    rewrite_whole_chain(db);
    let report = verify(db);
    assert_eq!(report["ok"], false, "{report}");
    assert!(report["first_break"].is_null(), "the chain itself is consistent");
    let problems = report["checkpoints"]["problems"].to_string();
    assert!(problems.contains("no longer holds the signed head"), "{problems}");
    let run = at(db, NOW, &["audit", "verify", "--anchor", anchor.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("anchor of"), "{}", run.stderr);

    // Cutting the end of the chain (the signed head with it) is found too.
    sql(
        &copy,
        "DROP TRIGGER events_no_delete;
         DELETE FROM events WHERE seq = (SELECT max(seq) FROM events);",
    );
    let cut = verify(&copy);
    assert_eq!(cut["ok"], false, "{cut}");
    assert!(cut["checkpoints"]["problems"].to_string().contains("is gone"), "{cut}");

    // A forged checkpoint signed with another key is refused, and a re-sealed key is noticed.
    let text = std::fs::read_to_string(&anchor).unwrap();
    let tampered = text.replacen("\\\"events\\\":", "\\\"events\\\":1", 1);
    std::fs::write(&anchor, tampered).unwrap();
    let run = at(&copy, NOW, &["audit", "verify", "--anchor", anchor.to_str().unwrap()]);
    assert_eq!(run.code, 1);
}

#[test]
fn the_upgrade_records_earlier_purges_and_rows_so_old_registers_are_checked_at_once() {
    // A register as schema 9 left it: a purged request whose events are gone with only their seq and hash kept, and
    // a request closed long ago that will never change again.
    let reg = Register::with_file(NOW, "old.sqlite3");
    let db = &reg.db;
    let conn = rusqlite::Connection::open(db).unwrap();
    for m in &rightsdesk::store::migrate::MIGRATIONS[..9] {
        conn.execute_batch(m.sql).unwrap();
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, ?3, 't')",
            rusqlite::params![m.version, m.name, rightsdesk::store::migrate::checksum(m.sql)],
        )
        .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
            requester_name, is_open, created_at, updated_at, closed_at, purged_at)
         VALUES ('r1', 'RD-2024-0001', 2024, 1, 'access', 'eu-gdpr', 'FR', 'email', '2024-01-01', 'closed', '', 0,
            't', 't', '2024-02-01', 't');
         INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
            requester_name, is_open, created_at, updated_at, closed_at)
         VALUES ('r2', 'RD-2024-0002', 2024, 2, 'access', 'eu-gdpr', 'FR', 'email', '2024-03-01', 'closed',
            'Olga Old', 0, 't', 't', '2024-04-01');",
    )
    .unwrap();
    let genesis = "0".repeat(64);
    let h1 = link(&genesis, "e1", "r1", "t", "a", "created", "{}", None);
    let h2 = link(&h1, "e2", "r1", "t", "a", "closed", "{}", None);
    let h3 = link(&h2, "e3", "r1", "t", "a", "purged", "{\"events_removed\":2}", None);
    let h4 = link(&h3, "e4", "r2", "t", "a", "created", "{}", None);
    conn.execute_batch(&format!(
        "INSERT INTO purged_events VALUES (1, '{h1}', 't'), (2, '{h2}', 't');
         INSERT INTO events (seq, id, request_id, at, actor, kind, data, prev_hash, hash)
         VALUES (3, 'e3', 'r1', 't', 'a', 'purged', '{{\"events_removed\":2}}', '{h2}', '{h3}'),
                (4, 'e4', 'r2', 't', 'a', 'created', '{{}}', '{h3}', '{h4}');"
    ))
    .unwrap();
    drop(conn);
    let report = verify(db);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["events_purged"], 2);
    assert_eq!((report["rows"]["checked"].as_u64(), report["rows"]["unchecked"].as_u64()), (Some(2), Some(0)));
    // The old request is held to its state as the upgrade found it, and so is that record itself.
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(db, &copy).unwrap();
    sql(&copy, "UPDATE requests SET status = 'refused' WHERE id = 'r2';");
    let changed = verify(&copy);
    assert_eq!(changed["rows"]["rows"][0]["reference"], "RD-2024-0002", "{changed}");
    let forged_copy = reg.path("forged.sqlite3");
    std::fs::copy(db, &forged_copy).unwrap();
    sql(
        &forged_copy,
        "DROP TRIGGER row_states_no_update; UPDATE row_states SET state = 'v1:0' WHERE request_id = 'r2';
         UPDATE requests SET status = 'refused' WHERE id = 'r2';",
    );
    let forged = verify(&forged_copy);
    assert_eq!(forged["ok"], false, "{forged}");
    assert!(forged["rows"].to_string().contains("recorded at the upgrade"), "{forged}");
    // After the upgrade, a new gap still needs its own record.
    sql(
        db,
        "INSERT INTO purged_events (seq, hash, purged_at) SELECT seq, hash, 'x' FROM events WHERE seq = 3; DELETE FROM events WHERE seq = 3;",
    );
    assert_eq!(verify(db)["ok"], false);
}

#[test]
fn exports_and_evidence_packs_sign_a_checkpoint_and_the_pack_carries_it() {
    let reg = register();
    let db = &reg.db;
    set_up_key(db);
    let log = reg.path("log.csv");
    signed(db, &["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", log.to_str().unwrap()]).ok();
    let pack = reg.path("pack.zip");
    signed(db, &["export", "evidence", "--request", "RD-2026-0001", "--out", pack.to_str().unwrap()]).ok();
    let status = at(db, NOW, &["audit", "key", "status", "--json"]).json();
    assert_eq!(status["checkpoints"], 3, "set up, the log export and the pack: {status}");
    assert_eq!(status["newest"]["reason"], "evidence pack");
    // The pack's checkpoint.json is an anchor the register answers to.
    let unpacked = reg.path("pack");
    let unzip = std::process::Command::new("unzip").args(["-q", "-d"]).arg(&unpacked).arg(&pack).status().unwrap();
    assert!(unzip.success());
    let anchor = unpacked.join("checkpoint.json");
    let verified = at(db, NOW, &["audit", "verify", "--anchor", anchor.to_str().unwrap(), "--json"]).json();
    assert_eq!(verified["anchor"]["ok"], true, "{verified}");
    // A wrong passphrase stops an export before any file is written.
    let refused = reg.path("refused.csv");
    let args = ["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--out", refused.to_str().unwrap()];
    support::run_env(db, NOW, &args, &[("RIGHTSDESK_AUDIT_PASSPHRASE", "not the passphrase at all")])
        .assert_error("passphrase");
    assert!(!refused.exists());
}

/// Delete event `seq` keeping everything a purge keeps, as a careful attacker would (its data's SHA-256 included);
/// `owner` is the request written into the kept record.
fn delete_like_a_purge(db: &Path, seq: i64, owner: Option<&str>) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let (hash, id, request, at, actor, kind, data, prev, state): (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
    ) = conn
        .query_row(
            "SELECT hash, id, request_id, at, actor, kind, data, prev_hash, state FROM events WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
        )
        .unwrap();
    let digest: String = sha2::Sha256::digest(data.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    conn.execute(
        "INSERT INTO purged_events (seq, hash, purged_at, id, request_id, at, actor, kind, data_sha256, prev_hash, state)
         VALUES (?1, ?2, 'x', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![seq, hash, id, owner.unwrap_or(&request), at, actor, kind, digest, prev, state],
    )
    .unwrap();
    conn.execute("DELETE FROM events WHERE seq = ?1", [seq]).unwrap();
    hash
}

/// Append a chained event at the head, as someone who read the source can.
fn forge_event(db: &Path, request: Option<&str>, kind: &str, data: &serde_json::Value) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let head: String = conn
        .query_row(
            "SELECT hash FROM (SELECT seq, hash FROM events UNION ALL SELECT seq, hash FROM purged_events)
             ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let state: Option<String> = request.map(|r| {
        conn.query_row("SELECT state FROM events WHERE request_id = ?1 ORDER BY seq DESC LIMIT 1", [r], |row| {
            row.get(0)
        })
        .unwrap()
    });
    let data = data.to_string();
    let id = "01900000-0000-7000-8000-00000000beef";
    let hash = link(&head, id, request.unwrap_or(""), "t", "x", kind, &data, state.as_deref());
    conn.execute(
        "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash, state)
         VALUES (?1, ?2, 't', 'x', ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![id, request, kind, data, head, hash, state],
    )
    .unwrap();
}

#[test]
fn a_deletion_dressed_as_a_purge_is_found_even_under_a_signed_checkpoint() {
    // A request purged for real, and a live one whose on-hold event someone wants gone, under a signed checkpoint.
    let reg = Register::new(NOW);
    let db = &reg.db;
    let old = reg
        .request()
        .kind("access")
        .gdpr("FR")
        .received("2023-01-02")
        .who("Old Olsen", "o@x.org")
        .on("2023-01-02")
        .add();
    for status in ["withdrawn", "closed"] {
        at(db, "2023-01-03", &["request", "status", &old, status]).ok();
    }
    at(db, NOW, &["retention", "purge"]).ok();
    let live = add(db, "Ann Archer");
    at(db, NOW, &["request", "status", &live, "in-progress"]).ok();
    at(db, NOW, &["request", "status", &live, "on-hold", "--reason", "waiting for the archive"]).ok();
    at(db, NOW, &["request", "status", &live, "in-progress"]).ok();
    set_up_key(db);
    assert_eq!(verify(db)["ok"], true);
    let conn = rusqlite::Connection::open(db).unwrap();
    let seq: i64 =
        conn.query_row("SELECT seq FROM events WHERE data LIKE '%waiting for the archive%'", [], |r| r.get(0)).unwrap();
    let live_id: String =
        conn.query_row("SELECT id FROM requests WHERE reference = ?1", [&live], |r| r.get(0)).unwrap();
    let old_id: String = conn.query_row("SELECT id FROM requests WHERE reference = ?1", [&old], |r| r.get(0)).unwrap();
    drop(conn);

    // 1. Named by an upgrade record appended at the head.
    let a = reg.path("a.sqlite3");
    std::fs::copy(db, &a).unwrap();
    let hash = delete_like_a_purge(&a, seq, None);
    forge_event(&a, None, "purges_recorded", &serde_json::json!({"removed": [[seq, hash]]}));
    let report = verify(&a);
    assert!(report["first_break"]["problem"].as_str().unwrap().contains("only the upgrade"), "{report}");

    // 2. Named by a second purge record of the request purged for real, the kept record saying it was that request's.
    let b = reg.path("b.sqlite3");
    std::fs::copy(db, &b).unwrap();
    let hash = delete_like_a_purge(&b, seq, Some(&old_id));
    forge_event(&b, Some(&old_id), "purged", &serde_json::json!({"removed": [[seq, hash]]}));
    let report = verify(&b);
    assert!(report["first_break"]["problem"].as_str().unwrap().contains("does not match its hash"), "{report}");

    // 3. Named by a purge record of the live request itself, its row anonymised to look purged.
    let c = reg.path("c.sqlite3");
    std::fs::copy(db, &c).unwrap();
    let hash = delete_like_a_purge(&c, seq, None);
    sql(&c, &format!("UPDATE requests SET purged_at = 't', requester_name = '' WHERE id = '{live_id}'"));
    forge_event(&c, Some(&live_id), "purged", &serde_json::json!({"removed": [[seq, hash]]}));
    let report = verify(&c);
    assert_eq!(report["ok"], false, "{report}");
    assert!(report["first_break"]["problem"].as_str().unwrap().contains("earlier events are still there"), "{report}");
}

#[test]
fn removing_the_checkpoints_and_the_key_is_found_through_the_chain() {
    let reg = register();
    let db = &reg.db;
    set_up_key(db);
    let shipped =
        rightsdesk::store::APPEND_ONLY_TRIGGERS.iter().find(|(n, _)| *n == "checkpoints_no_delete").unwrap().1;
    sql(
        db,
        &format!(
            "DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints; {shipped};
             DELETE FROM settings WHERE key LIKE 'audit.key.%';"
        ),
    );
    let report = verify(db);
    assert_eq!(report["ok"], false, "{report}");
    let problems = report["checkpoints"]["problems"].to_string();
    assert!(problems.contains("the trail records the signing key"), "{problems}");
}
