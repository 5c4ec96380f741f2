//! `kill -9` at random moments while the CLI writes: the database must always open, pass integrity_check, keep an
//! intact audit chain, hold every write the killed process reported as committed, and every committed request must
//! carry its complete trail (a `created` event, and a status event for every move to its current status, and a row
//! that matches what its last event recorded).

use crate::support::{self, Register};

use std::process::Stdio;
use std::time::Duration;

use rand::{Rng, SeedableRng};

#[test]
fn kill_dash_nine_never_corrupts_or_loses_committed_work() {
    let reg = Register::with_file("2026-11-22", "crash.sqlite3");
    let db = &reg.db;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut last_count = 0i64;
    let rounds = 25;
    let mut grew = 0;
    for round in 0..rounds {
        let mut child = support::command()
            .args([
                "--db",
                db.to_str().unwrap(),
                "demo",
                "seed",
                "--count",
                "200000",
                "--batch",
                "150",
                "--seed",
                &round.to_string(),
                "--report-commits",
            ])
            .env("RIGHTSDESK_NOW", "2026-11-22")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(30..900)));
        child.kill().unwrap(); // SIGKILL on Unix
        let said = child.wait_with_output().unwrap();
        // What the process said it had committed before it died: it must all be there.
        let reported: i64 = String::from_utf8_lossy(&said.stderr)
            .lines()
            .filter_map(|l| l.strip_prefix("committed "))
            .filter_map(|n| n.trim().parse().ok())
            .max()
            .unwrap_or(0);

        let conn = rusqlite::Connection::open(db).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "round {round}");
        let count: i64 = conn.query_row("SELECT count(*) FROM requests", [], |r| r.get(0)).unwrap();
        assert!(count >= last_count, "round {round}: committed requests disappeared ({last_count} → {count})");
        assert!(
            count >= last_count + reported,
            "round {round}: the killed process reported {reported} committed, the register holds {}",
            count - last_count
        );
        if count > last_count {
            grew += 1;
        }
        last_count = count;
        let without_created: i64 = conn
            .query_row(
                "SELECT count(*) FROM requests r WHERE NOT EXISTS
                   (SELECT 1 FROM events e WHERE e.request_id = r.id AND e.kind = 'created')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(without_created, 0, "round {round}: requests without their creation event");
        let status_mismatch: i64 = conn
            .query_row(
                "SELECT count(*) FROM requests r WHERE r.status <> coalesce(
                   (SELECT json_extract(e.data, '$.to') FROM events e
                     WHERE e.request_id = r.id AND e.kind = 'status_changed' ORDER BY e.seq DESC LIMIT 1), 'received')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(status_mismatch, 0, "round {round}: a status without the event that set it");
        drop(conn);
        let audit = support::run_db(db, &["audit", "verify", "--json"]);
        assert_eq!(audit.json()["ok"], true, "round {round}");
    }
    assert!(
        last_count > 0 && grew >= rounds / 3,
        "the writer must have committed work between kills ({grew} rounds grew)"
    );
}
