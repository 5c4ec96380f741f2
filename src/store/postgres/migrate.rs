//! The PostgreSQL register's migrations: `migrations/postgres/NNNN_*.sql`, embedded, applied in order with the same
//! rules as SQLite's runner (`store::migrate`): each in its own transaction, recorded with a checksum verified on
//! every open, and a database with a migration this build does not know refused before anything is written. Two
//! apps starting at once never migrate together: the first holds a session-level advisory lock until it is done,
//! and the second then finds the work done.

use postgres::Client;

use crate::error::{Error, Result};
use crate::store::migrate::{Migration, checksum};

/// Every shipped PostgreSQL migration, in order. Append only; `tests::every_file_is_listed` keeps it in step.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_register.sql",
        sql: include_str!("../../../migrations/postgres/0001_register.sql"),
    },
    Migration {
        version: 2,
        name: "0002_queue_and_search.sql",
        sql: include_str!("../../../migrations/postgres/0002_queue_and_search.sql"),
    },
    Migration {
        version: 3,
        name: "0003_audit_guards.sql",
        sql: include_str!("../../../migrations/postgres/0003_audit_guards.sql"),
    },
    Migration { version: 4, name: "0004_files.sql", sql: include_str!("../../../migrations/postgres/0004_files.sql") },
    Migration {
        version: 5,
        name: "0005_accounts.sql",
        sql: include_str!("../../../migrations/postgres/0005_accounts.sql"),
    },
];

/// The key of the migration lock (`pg_advisory_lock`), apart from the write lock.
const MIGRATION_LOCK: i64 = 0x5244_4d47; // "RDMG"

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Whether the database holds a register at this build's newest migration.
pub(super) fn is_current(client: &mut Client) -> Result<bool> {
    Ok(newest_applied(client)? == Some(latest_version()))
}

/// The newest migration the database records (None: a database without a register yet).
fn newest_applied(client: &mut Client) -> Result<Option<i64>> {
    let exists: bool = client.query_one("SELECT to_regclass('rightsdesk_migrations') IS NOT NULL", &[])?.try_get(0)?;
    if !exists {
        return Ok(None);
    }
    Ok(client.query_one("SELECT max(version) FROM rightsdesk_migrations", &[])?.try_get(0)?)
}

/// Whether this login may change the register: create it in an empty database, or write its tables.
pub(super) fn may_write(client: &mut Client) -> Result<bool> {
    let row = client.query_one(
        "SELECT CASE WHEN to_regclass('events') IS NULL THEN has_schema_privilege('public', 'CREATE')
                     ELSE has_table_privilege('events', 'INSERT') END",
        &[],
    )?;
    Ok(row.try_get(0)?)
}

/// A login that may only read can use the register only if it needs no migration.
pub(super) fn require_current(client: &mut Client, shown: &std::path::Path) -> Result<()> {
    refuse_newer(client)?;
    if newest_applied(client)? == Some(latest_version()) {
        Ok(())
    } else {
        Err(Error::ReadOnly(format!(
            "{} (its schema must be created or upgraded by a login that may change it first)",
            shown.display()
        )))
    }
}

fn refuse_newer(client: &mut Client) -> Result<()> {
    match newest_applied(client)? {
        Some(found) if found > latest_version() => Err(Error::NewerDatabase { found, supported: latest_version() }),
        _ => Ok(()),
    }
}

pub fn migrate(client: &mut Client, now: &str) -> Result<()> {
    refuse_newer(client)?;
    // Up to date: nothing to take a lock for, nor to create (which a team's login other than the owner may not);
    // what was applied is still checked against what ships.
    if newest_applied(client)? == Some(latest_version()) {
        for row in client.query("SELECT version, checksum FROM rightsdesk_migrations", &[])? {
            let (version, sum): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(m) = MIGRATIONS.iter().find(|m| m.version == version)
                && sum != checksum(m.sql)
            {
                return Err(Error::MigrationChanged(format!("postgres/{}", m.name)));
            }
        }
        return Ok(());
    }
    let owner: Option<String> = client
        .query_one(
            "SELECT (SELECT tableowner::text FROM pg_tables WHERE schemaname = current_schema()
                      AND tablename = 'rightsdesk_migrations' AND tableowner <> session_user)",
            &[],
        )?
        .try_get(0)?;
    if let Some(owner) = owner {
        return Err(Error::refused(format!(
            "this register must first be brought up to this version of Rightsdesk by the login that owns it ({owner}): \
             open it once as {owner}"
        )));
    }
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = apply(client, now);
    // Released whatever happened: a session lock would otherwise stay with the pooled connection.
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result?;
    unlocked?;
    Ok(())
}

fn apply(client: &mut Client, now: &str) -> Result<()> {
    refuse_newer(client)?;
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS rightsdesk_migrations (
            version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at text NOT NULL)",
    )?;
    for m in MIGRATIONS {
        let mut tx = client.transaction()?;
        let applied = tx.query_opt("SELECT checksum FROM rightsdesk_migrations WHERE version = $1", &[&m.version])?;
        match applied {
            Some(row) if row.try_get::<_, String>(0)? == checksum(m.sql) => {}
            Some(_) => return Err(Error::MigrationChanged(format!("postgres/{}", m.name))),
            None => {
                tx.batch_execute(m.sql)?;
                tx.execute(
                    "INSERT INTO rightsdesk_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    &[&m.version, &m.name, &checksum(m.sql), &now],
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
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        let mut files: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    #[test]
    fn applies_once_and_refuses_newer_or_edited() {
        let server = super::super::testing::server();
        let mut client = server.fresh_database();
        migrate(&mut client, "t").unwrap();
        migrate(&mut client, "t").unwrap();
        let n: i64 = client.query_one("SELECT count(*) FROM rightsdesk_migrations", &[]).unwrap().get(0);
        assert_eq!(n, MIGRATIONS.len() as i64);

        client.execute("UPDATE rightsdesk_migrations SET checksum = 'x' WHERE version = 1", &[]).unwrap();
        assert!(matches!(migrate(&mut client, "t"), Err(Error::MigrationChanged(_))));
        client
            .execute(
                "UPDATE rightsdesk_migrations SET checksum = $1 WHERE version = 1",
                &[&checksum(MIGRATIONS[0].sql)],
            )
            .unwrap();

        client.execute("INSERT INTO rightsdesk_migrations VALUES (999, 'future.sql', 'x', 't')", &[]).unwrap();
        assert!(matches!(migrate(&mut client, "t"), Err(Error::NewerDatabase { found: 999, .. })));
    }

    /// Two apps opening a new register at the same moment: one migrates, the other waits and finds it done.
    #[test]
    fn two_clients_never_migrate_at_once() {
        let server = super::super::testing::server();
        let name = server.fresh_database_name();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let url = server.url(&name);
                std::thread::spawn(move || {
                    let mut client = super::super::Target::parse(&url).unwrap().connect().unwrap();
                    migrate(&mut client, "t")
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let mut client = server.client(&name);
        let n: i64 = client.query_one("SELECT count(*) FROM rightsdesk_migrations", &[]).unwrap().get(0);
        assert_eq!(n, MIGRATIONS.len() as i64);
    }
}
