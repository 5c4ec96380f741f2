//! Requests on PostgreSQL: rows in and out with the mappings the SQLite store uses (`store::requests`: the same
//! columns, the same values), references, the requester's other requests, import keys and the retention purge's
//! selection.

use std::sync::OnceLock;

use postgres::types::ToSql;
use time::Date;

use super::{Pg, count};
use crate::dates;
use crate::domain::{Request, RequestKind};
use crate::error::{Error, Result};
use crate::store::RequestRow;
use crate::store::requests::{
    At, COLUMNS, Cell, Cells, Columns, ROW_COLUMNS, date_cells, insert_cells, request_from, request_row_from,
    update_cells,
};

impl Columns for postgres::Row {
    type Error = Error;

    fn text(&self, at: At) -> Result<Option<String>> {
        Ok(match at {
            At::Name(name) => self.try_get(name)?,
            At::Index(i) => self.try_get(i)?,
        })
    }

    fn integer(&self, at: At) -> Result<Option<i64>> {
        Ok(match at {
            At::Name(name) => self.try_get(name)?,
            At::Index(i) => self.try_get(i)?,
        })
    }

    fn corrupt(&self, at: At, value: &str) -> Error {
        let column = match at {
            At::Name(name) => name.to_string(),
            At::Index(i) => self.columns().get(i).map_or_else(|| format!("column {i}"), |c| c.name().to_string()),
        };
        Error::Corrupt(format!("bad {column} '{value}'"))
    }
}

/// The cells' values as statement parameters, in order.
fn params<'a>(cells: &'a Cells<'_>) -> Vec<&'a (dyn ToSql + Sync)> {
    cells
        .iter()
        .map(|(_, cell)| match cell {
            Cell::Text(text) => text as &(dyn ToSql + Sync),
            Cell::Integer(n) => n as &(dyn ToSql + Sync),
        })
        .collect()
}

/// `UPDATE requests SET a = $1, b = $2 … WHERE id = $n` for the cells' columns (the id the last parameter).
fn update_sql(cells: &Cells<'_>) -> String {
    let set: Vec<String> = cells.iter().enumerate().map(|(i, (name, _))| format!("{name} = ${}", i + 1)).collect();
    format!("UPDATE requests SET {} WHERE id = ${}", set.join(", "), cells.len() + 1)
}

fn rows_of(rows: Vec<postgres::Row>) -> Result<Vec<RequestRow>> {
    rows.iter().map(request_row_from).collect()
}

/// A limit as the server takes it.
fn limit(n: u32) -> i64 {
    i64::from(n)
}

impl Pg<'_> {
    pub(super) fn request(&self, id_or_reference: &str) -> Result<Request> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| format!("SELECT {COLUMNS} FROM requests WHERE id = $1 OR reference = $1"));
        self.optional(sql, &[&id_or_reference.trim()])?
            .map(|row| request_from(&row))
            .transpose()?
            .ok_or_else(|| Error::not_found("request", id_or_reference))
    }

    pub(super) fn request_ids(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        self.each_row("SELECT id FROM requests ORDER BY row_no", &[], &mut |row| {
            ids.push(row.try_get(0)?);
            Ok(())
        })?;
        Ok(ids)
    }

    pub(super) fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
        // Two exact statements, each served by its own index: (calendar, is_open) for one calendar, the open
        // requests' partial index in insertion order for all.
        static ONE: OnceLock<String> = OnceLock::new();
        static ALL: OnceLock<String> = OnceLock::new();
        let select = |filter: &str| {
            format!(
                "SELECT row_no, {COLUMNS} FROM requests WHERE {filter} AND is_open = 1 AND row_no > $1
                 ORDER BY row_no LIMIT $2"
            )
        };
        let n = self::limit(limit);
        let rows = match calendar {
            Some(calendar) => {
                let sql = ONE.get_or_init(|| select("calendar = $3"));
                self.rows(sql, &[&after, &n, &calendar])?
            }
            None => self.rows(ALL.get_or_init(|| select("TRUE")), &[&after, &n])?,
        };
        rows.iter().map(|row| Ok((row.try_get::<_, i64>("row_no")?, request_from(row)?))).collect()
    }

    pub(super) fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        let row = self.one(
            "INSERT INTO reference_counters (year, last) VALUES ($1, 1)
             ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
            &[&i64::from(year)],
        )?;
        let seq: i64 = row.try_get(0)?;
        Ok((seq, format!("RD-{year}-{seq:04}")))
    }

    pub(super) fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        let cells = insert_cells(r, ref_seq, import_key)?;
        // The column list is the same for every row: the statement's text is made once.
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let names: Vec<&str> = cells.iter().map(|(name, _)| *name).collect();
            let places: Vec<String> = (1..=cells.len()).map(|i| format!("${i}")).collect();
            format!("INSERT INTO requests ({}) VALUES ({})", names.join(", "), places.join(", "))
        });
        self.execute(sql, &params(&cells))?;
        Ok(())
    }

    pub(super) fn update_request(&self, r: &Request) -> Result<()> {
        let cells = update_cells(r)?;
        static SQL: OnceLock<String> = OnceLock::new();
        self.update_row(SQL.get_or_init(|| update_sql(&cells)), &cells, r)
    }

    pub(super) fn update_dates(&self, r: &Request) -> Result<()> {
        let cells = date_cells(r);
        static SQL: OnceLock<String> = OnceLock::new();
        self.update_row(SQL.get_or_init(|| update_sql(&cells)), &cells, r)
    }

    fn update_row(&self, sql: &str, cells: &Cells<'_>, r: &Request) -> Result<()> {
        let id = r.id.to_string();
        let mut values = params(cells);
        values.push(&id);
        if self.execute(sql, &values)? != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }

    /// Nothing to defer on this engine: the indexes (the search's trigram index included) are kept by the server
    /// as each row is written, and every lookup is a query, so a bulk is the same transaction row by row.
    pub(super) fn begin_bulk(&self) -> Result<()> {
        Ok(())
    }

    /// See `begin_bulk`: nothing was deferred.
    pub(super) fn end_bulk(&self) -> Result<()> {
        Ok(())
    }

    pub(super) fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests WHERE requester_id = $1
                 ORDER BY received DESC, row_no DESC LIMIT $2"
            )
        });
        rows_of(self.rows(sql, &[&requester_id, &self::limit(limit)])?)
    }

    pub(super) fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests
                  WHERE requester_id = $1 AND received >= $2 AND received <= $3 AND id <> $4
                  ORDER BY received, row_no LIMIT 200"
            )
        });
        let (since, until) = (dates::fmt(since), dates::fmt(until));
        rows_of(self.rows(sql, &[&requester_id, &since, &until, &except])?)
    }

    pub(super) fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT {ROW_COLUMNS} FROM requests
                  WHERE requester_id = $1 AND kind = $2 AND is_open = 1 AND id <> $3
                  ORDER BY received, row_no LIMIT 50"
            )
        });
        rows_of(self.rows(sql, &[&requester_id, &kind.id(), &except])?)
    }

    pub(super) fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
        let row = self.optional("SELECT reference FROM requests WHERE import_key = $1", &[&import_key])?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    // Timestamps compare as text byte by byte (`COLLATE "C"`, as SQLite compares them): a server's own collation
    // may order "…:00.5Z" and "…:00Z" otherwise. Migration 0002's `requests_purge` index is in that order.

    pub(super) fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
        let rows = self.rows(
            "SELECT id FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at COLLATE \"C\" < $1
             ORDER BY closed_at COLLATE \"C\" LIMIT $2",
            &[&cutoff, &self::limit(limit)],
        )?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<std::result::Result<_, _>>()?)
    }

    pub(super) fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
        let row = self.one(
            "SELECT count(*) FROM requests WHERE is_open = 0 AND purged_at IS NULL AND closed_at COLLATE \"C\" < $1",
            &[&cutoff],
        )?;
        count(&row, 0)
    }

    pub(super) fn count_purged(&self) -> Result<u64> {
        count(&self.one("SELECT count(*) FROM requests WHERE purged_at IS NOT NULL", &[])?, 0)
    }
}

#[cfg(test)]
mod tests {
    //! What the contract reaches only through other concerns (requester records, events): rows and references on
    //! their own, and the requester and retention reads against SQLite's on the same rows.

    use time::macros::{date, datetime};

    use super::*;
    use crate::domain::Status;
    use crate::store::contract::{Engine, sample};
    use crate::store::postgres::testing::{PostgresEngine, server};
    use crate::store::{Query, Store, Write};

    fn put(tx: &dyn Write, mut r: Request, import_key: Option<&str>) -> Result<Request> {
        let (seq, reference) = tx.next_reference(r.received.year())?;
        r.reference = reference;
        tx.insert_request(&r, seq, import_key)?;
        Ok(r)
    }

    fn database(store: &Store) -> String {
        store.path().to_string_lossy().rsplit('/').next().unwrap().to_string()
    }

    #[test]
    fn a_row_round_trips_and_changes_in_place() {
        let store = PostgresEngine.fresh();
        let mut made = vec![];
        store
            .write(|tx| {
                tx.begin_bulk()?;
                for (i, received) in
                    [date!(2026 - 02 - 10), date!(2025 - 12 - 31), date!(2026 - 03 - 01)].into_iter().enumerate()
                {
                    let mut r = sample("Ann", "ann@example.org", RequestKind::Erasure, Status::InProgress, received);
                    r.dates.effective_due = if i == 1 { None } else { r.dates.effective_due };
                    r.agent = if i == 2 { None } else { r.agent };
                    r.closed_at = Some(datetime!(2026-03-03 09:00:00.25 UTC));
                    made.push(put(tx, r, None)?);
                }
                tx.end_bulk()
            })
            .unwrap();
        let refs: Vec<&str> = made.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(refs, ["RD-2026-0001", "RD-2025-0001", "RD-2026-0002"]);
        for r in &made {
            assert_eq!(&store.read(|rd| rd.request(&r.id.to_string())).unwrap(), r);
            assert_eq!(&store.read(|rd| rd.request(&format!("  {} ", r.reference))).unwrap(), r);
        }
        let ids: Vec<String> = made.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(store.read(|rd| rd.request_ids()).unwrap(), ids);
        let mut changed = made[0].clone();
        changed.status = Status::Refused;
        changed.refusal_category = Some(crate::domain::RefusalCategory::Excessive);
        changed.requester.name = "Anna".into();
        changed.dates.paused_days = 4;
        store.write(|tx| tx.update_request(&changed)).unwrap();
        assert_eq!(store.read(|rd| rd.request(&changed.reference)).unwrap(), changed);
        let mut dated = changed.clone();
        dated.dates.effective_due = None;
        dated.dates.rule_kind = None;
        dated.updated_at = datetime!(2026-03-04 08:00:00 UTC);
        dated.requester.name = "not written by update_dates".into();
        store.write(|tx| tx.update_dates(&dated)).unwrap();
        let read = store.read(|rd| rd.request(&changed.reference)).unwrap();
        assert_eq!(
            (read.dates.clone(), read.updated_at, read.requester.name.as_str()),
            (dated.dates.clone(), dated.updated_at, "Anna")
        );
        let open = store.read(|rd| rd.count(&Query { open_only: true, ..Query::default() })).unwrap();
        assert_eq!(open, 2, "is_open follows the status");
        let mut ghost = sample("Gus", "gus@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01));
        ghost.reference = "RD-2026-0404".into();
        for dates_only in [false, true] {
            let missing =
                store.write(|tx| if dates_only { tx.update_dates(&ghost) } else { tx.update_request(&ghost) });
            assert!(
                matches!(missing, Err(Error::NotFound { what: "request", ref key }) if key == "RD-2026-0404"),
                "{missing:?}"
            );
        }
        assert!(matches!(store.read(|rd| rd.request("RD-2026-9999")), Err(Error::NotFound { what: "request", .. })));
    }

    #[test]
    fn a_failed_write_gives_back_its_reference_and_an_import_key_is_taken_once() {
        let store = PostgresEngine.fresh();
        let day = date!(2026 - 03 - 01);
        let failed: Result<()> = store.write(|tx| {
            put(tx, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, day), Some("k1"))?;
            Err(Error::invalid("test", "stop"))
        });
        assert!(failed.is_err());
        let ann = store
            .write(|tx| put(tx, sample("Ann", "a@example.org", RequestKind::Access, Status::Received, day), Some("k1")))
            .unwrap();
        assert_eq!(ann.reference, "RD-2026-0001");
        assert_eq!(store.read(|rd| rd.imported_as("k1")).unwrap().as_deref(), Some("RD-2026-0001"));
        assert_eq!(store.read(|rd| rd.imported_as("k2")).unwrap(), None);
        let again = store.write(|tx| {
            put(tx, sample("Bob", "b@example.org", RequestKind::Access, Status::Received, day), Some("k1"))
        });
        assert!(matches!(again, Err(Error::Constraint(_))), "{again:?}");
        let open = store.read(|rd| rd.open_requests(None, 0, 10)).unwrap();
        assert_eq!(open.iter().map(|(_, r)| r.reference.as_str()).collect::<Vec<_>>(), ["RD-2026-0001"]);
    }

    /// The same rows in both engines (requester records written directly: they are another concern's), and the
    /// reads of this concern compared.
    #[test]
    fn the_requester_and_retention_reads_are_sqlites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite3");
        let sqlite = Store::open(&path, "2026-03-02T10:00:00Z", None).unwrap();
        let pg = PostgresEngine.fresh();
        let requester = "c0ffee00000000000000000000000001";
        let insert = format!(
            "INSERT INTO requesters (id, name, created_at, updated_at) VALUES ('{requester}', 'Ann', 'x', 'x')"
        );
        rusqlite::Connection::open(&path).unwrap().execute_batch(&insert).unwrap();
        server().client(&database(&pg)).batch_execute(&insert).unwrap();
        let statuses = [Status::Received, Status::Closed, Status::InProgress, Status::Fulfilled, Status::Closed];
        let made: Vec<Request> = (0..15usize)
            .map(|i| {
                let received = date!(2026 - 01 - 01) + time::Duration::days((i % 6) as i64);
                let kind = if i % 2 == 0 { RequestKind::Access } else { RequestKind::Erasure };
                let mut r = sample(&format!("P{i}"), "ann@example.org", kind, statuses[i % 5], received);
                r.requester_id = (i % 3 != 0).then(|| requester.to_string());
                r.calendar = if i % 4 == 0 { "FR".into() } else { "GB-ENG".into() };
                if !r.status.is_open() {
                    // Byte order puts "…00.5Z" before "…00Z" (and after "…00+"…): the purge reads in that order.
                    let at = datetime!(2026-02-01 10:00:00 UTC) + time::Duration::milliseconds(500 * (i as i64 % 3))
                        - time::Duration::days(i as i64 % 2);
                    r.closed_at = Some(at);
                }
                r
            })
            .collect();
        for store in [&sqlite, &pg] {
            store
                .write(|tx| {
                    for r in &made {
                        put(tx, r.clone(), None)?;
                    }
                    Ok(())
                })
                .unwrap();
        }
        let except = made[1].id.to_string();
        let reads = |store: &Store| {
            store
                .read(|rd| {
                    let rows = |v: Vec<RequestRow>| v.into_iter().map(|r| r.reference).collect::<Vec<_>>();
                    let open = |calendar| -> Result<Vec<(i64, String)>> {
                        let mut all = vec![];
                        let mut after = 0;
                        loop {
                            let page = rd.open_requests(calendar, after, 2)?;
                            let Some((last, _)) = page.last() else { break };
                            after = *last;
                            all.extend(page.into_iter().map(|(n, r)| (n, r.reference)));
                        }
                        Ok(all)
                    };
                    Ok((
                        rows(rd.requester_history(requester, 4)?),
                        rows(rd.requests_of_between(
                            requester,
                            date!(2026 - 01 - 02),
                            date!(2026 - 01 - 05),
                            &except,
                        )?),
                        rows(rd.open_of_kind(requester, RequestKind::Access, &except)?),
                        rd.requests_to_purge("2026-02-01T10:00:00.6Z", 3)?,
                        rd.requests_to_purge("2026-02-01T10:00:00.6Z", 50)?.len(),
                        rd.count_to_purge("2026-02-01T10:00:00Z")?,
                        rd.count_purged()?,
                        open(None)?,
                        open(Some("FR"))?,
                    ))
                })
                .unwrap()
        };
        let (want, got) = (reads(&sqlite), reads(&pg));
        assert!(!want.0.is_empty() && !want.1.is_empty() && !want.2.is_empty() && !want.3.is_empty(), "{want:?}");
        assert!(!want.7.is_empty() && !want.8.is_empty(), "{want:?}");
        assert_eq!(got, want);
    }
}
