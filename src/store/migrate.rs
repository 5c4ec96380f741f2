//! A small migration runner: numbered SQL files from migrations/, embedded, applied in order, each in its own
//! transaction, recorded with a checksum that is verified on every open. A database that has a migration this
//! build does not know was written by a newer Rightsdesk and is refused before anything is written.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every shipped migration, in order. Append only; `tests::every_file_is_listed` keeps this in step with the folder.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_register.sql", sql: include_str!("../../migrations/0001_register.sql") },
    Migration {
        version: 2,
        name: "0002_calendar_days.sql",
        sql: include_str!("../../migrations/0002_calendar_days.sql"),
    },
    Migration { version: 3, name: "0003_identity.sql", sql: include_str!("../../migrations/0003_identity.sql") },
    Migration { version: 4, name: "0004_import.sql", sql: include_str!("../../migrations/0004_import.sql") },
    Migration { version: 5, name: "0005_requesters.sql", sql: include_str!("../../migrations/0005_requesters.sql") },
    Migration { version: 6, name: "0006_data_map.sql", sql: include_str!("../../migrations/0006_data_map.sql") },
    Migration { version: 7, name: "0007_responses.sql", sql: include_str!("../../migrations/0007_responses.sql") },
    Migration { version: 8, name: "0008_disclosures.sql", sql: include_str!("../../migrations/0008_disclosures.sql") },
    Migration { version: 9, name: "0009_retention.sql", sql: include_str!("../../migrations/0009_retention.sql") },
    Migration { version: 10, name: "0010_audit_trust.sql", sql: include_str!("../../migrations/0010_audit_trust.sql") },
    Migration { version: 11, name: "0011_log_facts.sql", sql: include_str!("../../migrations/0011_log_facts.sql") },
    Migration {
        version: 12,
        name: "0012_queue_indexes.sql",
        sql: include_str!("../../migrations/0012_queue_indexes.sql"),
    },
    Migration { version: 13, name: "0013_mailbox.sql", sql: include_str!("../../migrations/0013_mailbox.sql") },
    Migration { version: 14, name: "0014_sent_copies.sql", sql: include_str!("../../migrations/0014_sent_copies.sql") },
    Migration { version: 15, name: "0015_kept_copies.sql", sql: include_str!("../../migrations/0015_kept_copies.sql") },
    Migration { version: 16, name: "0016_assignment.sql", sql: include_str!("../../migrations/0016_assignment.sql") },
];

/// What a migration needs done in Rust, in its own transaction, after its SQL.
fn after(version: i64, tx: &rusqlite::Transaction, now: &str) -> Result<()> {
    match version {
        // From 10 on, every gap in the chain must be named by a purge record (earlier purges get one record), and
        // every row is held to a recorded state (the rows as found now get one record).
        10 => {
            super::audit::attest_earlier_purges(tx, now)?;
            super::audit::record_row_states(tx, now)
        }
        // The log facts back-filled onto the rows are covered from now on, not only from each row's next event.
        11 => super::audit::record_row_facts(tx, now),
        _ => Ok(()),
    }
}

pub fn checksum(sql: &str) -> String {
    crate::hash::sha256_hex(sql)
}

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The newest migration a database records (None: a new or foreign file), read without writing.
pub(super) fn newest_applied(conn: &Connection) -> Result<Option<i64>> {
    let has_table: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(None);
    }
    Ok(conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))?)
}

/// Refuse a database written by a newer Rightsdesk; `conn` may be read-only, nothing is written.
pub fn refuse_newer(conn: &Connection) -> Result<()> {
    match newest_applied(conn)? {
        Some(found) if found > latest_version() => Err(Error::NewerDatabase { found, supported: latest_version() }),
        _ => Ok(()),
    }
}

/// A read-only register can be used only if it needs no migration.
pub fn require_current(conn: &Connection, path: &std::path::Path) -> Result<()> {
    if newest_applied(conn)? == Some(latest_version()) {
        Ok(())
    } else {
        Err(Error::ReadOnly(format!(
            "{} (and it was written by an older Rightsdesk, so it must be upgraded first: make it writable once)",
            path.display()
        )))
    }
}

pub fn migrate(conn: &mut Connection, now: &str) -> Result<()> {
    refuse_newer(conn)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    for m in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: Option<String> = tx
            .query_row("SELECT checksum FROM schema_migrations WHERE version = ?1", [m.version], |r| r.get(0))
            .optional()?;
        match applied {
            Some(sum) if sum == checksum(m.sql) => {}
            Some(_) => return Err(Error::MigrationChanged(m.name.to_string())),
            None => {
                tx.execute_batch(m.sql)?;
                after(m.version, &tx, now)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![m.version, m.name, checksum(m.sql), now],
                )?;
            }
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    /// A register written before requester records existed gets one record per email address, and one per
    /// request without one.
    #[test]
    fn existing_requests_get_their_requesters() {
        let conn = Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..4] {
            conn.execute_batch(m.sql).unwrap();
        }
        for (i, email) in [Some("a@x.org"), Some("a@x.org"), None, Some("b@x.org")].iter().enumerate() {
            conn.execute(
                "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received,
                    status, requester_name, requester_email, is_open, created_at, updated_at)
                 VALUES (?1, ?2, 2026, ?3, 'access', 'eu-gdpr', 'FR', 'email', '2026-01-01', 'received', 'N', ?4, 1,
                    't', 't')",
                rusqlite::params![format!("id-{i}"), format!("RD-2026-{i:04}"), i as i64, email],
            )
            .unwrap();
        }
        conn.execute_batch(MIGRATIONS[4].sql).unwrap();
        let people: i64 = conn.query_row("SELECT count(*) FROM requesters", [], |r| r.get(0)).unwrap();
        assert_eq!(people, 3);
        let ids: Vec<Option<String>> = conn
            .prepare("SELECT requester_id FROM requests ORDER BY ref_seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(ids.iter().all(Option::is_some));
        assert_eq!(ids[0], ids[1], "same email, same person");
        assert_ne!(ids[0], ids[3]);
    }

    #[test]
    fn applies_once_and_refuses_newer_or_edited() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "t").unwrap();
        migrate(&mut conn, "t").unwrap();
        let n: i64 = conn.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);

        conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1", []).unwrap();
        assert!(matches!(migrate(&mut conn, "t"), Err(Error::MigrationChanged(_))));
        conn.execute("UPDATE schema_migrations SET checksum = ?1 WHERE version = 1", [checksum(MIGRATIONS[0].sql)])
            .unwrap();

        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future.sql', 'x', 't')", []).unwrap();
        assert!(matches!(migrate(&mut conn, "t"), Err(Error::NewerDatabase { found: 999, .. })));
    }
}
