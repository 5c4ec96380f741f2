//! Many new requests in one transaction (an import, the demo seed) at the engine's own speed.
//!
//! While a bulk runs, the full-text index is not written row by row: the trigger that indexes each inserted request
//! is dropped, and at the end the new rows are indexed in one statement and the trigger put back, all inside the
//! transaction (a failure or a crash leaves the register as it was). The trigger's SQL and the index's columns are
//! read from the schema, so a migration that changes either needs nothing here. The transaction also remembers
//! what it looked up (requesters by email, phone and account; the head of the audit chain) where a row-by-row
//! query would give the same answer.

use std::collections::HashMap;

use rusqlite::OptionalExtension;

use super::sqlite::Tx;
use crate::error::Result;

/// What a bulk holds between `begin_bulk` and `end_bulk`.
#[derive(Default)]
pub(super) struct Bulk {
    /// The search index's insert triggers, dropped for the bulk, with the index's columns; `None` when the index is
    /// kept row by row (a schema this code does not recognise).
    search: Option<DeferredSearch>,
    /// Requester lookups (column, value) → the record the query answers (`None`: no record has it). An entry is
    /// dropped whenever a write could change its answer, so the cache never answers differently from the query.
    pub(super) requesters: HashMap<(&'static str, String), Option<String>>,
    /// The last reference number given per year (written back to `reference_counters` at the end).
    pub(super) references: HashMap<i32, i64>,
    /// The hash of the newest link of the audit chain, once known (only `append` extends it during a bulk).
    pub(super) head: Option<String>,
    /// The state the last event recorded of its request's row (a seeded request's events follow one another).
    pub(super) state: Option<KnownState>,
}

/// A row's state digest and the connection's change count just after the event that recorded it: while nothing
/// has been written since (the count unchanged), the row is as the digest says.
pub(super) struct KnownState {
    request_id: String,
    changes: u64,
    pub(super) state: String,
}

impl KnownState {
    pub(super) fn after(request_id: &str, state: String, conn: &rusqlite::Connection) -> KnownState {
        KnownState { request_id: request_id.to_string(), changes: conn.total_changes(), state }
    }

    pub(super) fn holds(&self, request_id: Option<&str>, conn: &rusqlite::Connection) -> bool {
        request_id == Some(self.request_id.as_str()) && conn.total_changes() == self.changes
    }
}

struct DeferredSearch {
    /// `CREATE TRIGGER …` as the schema held it.
    triggers: Vec<String>,
    /// The requests after this rowid are not indexed yet.
    indexed_to: i64,
    /// The index's columns: in an external-content index, each names the `requests` column it indexes.
    columns: Vec<String>,
}

/// The full-text index of requests and the table its content comes from.
const SEARCH: &str = "requests_search";

impl Tx<'_> {
    /// Start a bulk of new requests (idempotent). Ends at `end_bulk`, or at the latest when the transaction commits.
    pub fn begin_bulk(&self) -> Result<()> {
        if self.bulk.borrow().is_some() {
            return Ok(());
        }
        let search = self.defer_search()?;
        *self.bulk.borrow_mut() = Some(Bulk { search, ..Bulk::default() });
        Ok(())
    }

    /// Index the requests inserted during the bulk, put the index's triggers back and forget the lookups.
    pub fn end_bulk(&self) -> Result<()> {
        self.catch_up_search()?;
        let Some(bulk) = self.bulk.borrow_mut().take() else {
            return Ok(());
        };
        for (year, last) in &bulk.references {
            self.tx.execute(
                "INSERT INTO reference_counters (year, last) VALUES (?1, ?2)
                 ON CONFLICT (year) DO UPDATE SET last = excluded.last",
                [i64::from(*year), *last],
            )?;
        }
        if let Some(search) = bulk.search {
            for sql in &search.triggers {
                self.tx.execute_batch(sql)?;
            }
        }
        Ok(())
    }

    /// The next reference number of `year` during a bulk (read once, counted here, written back at the end), or
    /// `None` outside one.
    pub(super) fn bulk_reference(&self, year: i32) -> Result<Option<i64>> {
        let known = match self.bulk.borrow().as_ref() {
            None => return Ok(None),
            Some(bulk) => bulk.references.get(&year).copied(),
        };
        let last = match known {
            Some(last) => last,
            None => self
                .tx
                .query_row("SELECT last FROM reference_counters WHERE year = ?1", [year], |r| r.get(0))
                .optional()?
                .unwrap_or(0),
        };
        if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
            bulk.references.insert(year, last + 1);
        }
        Ok(Some(last + 1))
    }

    /// Bring the index up to date with the rows inserted so far (before a row is updated or deleted in a bulk:
    /// the update and delete triggers expect the row's entry to be there).
    pub(super) fn catch_up_search(&self) -> Result<()> {
        let mut bulk = self.bulk.borrow_mut();
        let Some(search) = bulk.as_mut().and_then(|b| b.search.as_mut()) else {
            return Ok(());
        };
        let names = search.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
        let done = self.tx.execute(
            &format!("INSERT INTO {SEARCH} (rowid, {names}) SELECT rowid, {names} FROM requests WHERE rowid > ?1"),
            [search.indexed_to],
        )?;
        if done > 0 {
            search.indexed_to = last_rowid(self)?;
        }
        Ok(())
    }

    /// Forget what the bulk looked up (another kind of write follows: a purge, a record deleted).
    pub(super) fn forget_bulk_lookups(&self) {
        if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
            bulk.requesters.clear();
            bulk.head = None;
            bulk.state = None;
        }
    }

    /// Drop the triggers that index each inserted request, if the index is one whose entries can be made from the
    /// `requests` columns of the same names (an external-content index on `requests`).
    fn defer_search(&self) -> Result<Option<DeferredSearch>> {
        let columns = table_columns(self, SEARCH)?;
        let own = table_columns(self, "requests")?;
        if columns.is_empty() || !columns.iter().all(|c| own.contains(c)) {
            return Ok(None);
        }
        let mut stmt =
            self.tx.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'requests'")?;
        let triggers = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let inserting: Vec<(String, String)> = triggers
            .into_iter()
            .filter_map(|(name, sql)| sql.map(|sql| (name, sql)))
            .filter(|(_, sql)| indexes_each_insert(sql))
            .collect();
        if inserting.is_empty() {
            return Ok(None);
        }
        for (name, _) in &inserting {
            self.tx.execute_batch(&format!("DROP TRIGGER {}", quote(name)))?;
        }
        Ok(Some(DeferredSearch {
            triggers: inserting.into_iter().map(|(_, sql)| sql).collect(),
            indexed_to: last_rowid(self)?,
            columns,
        }))
    }
}

/// An `AFTER INSERT ON requests` trigger that writes into the search index (and nothing conditional: no `WHEN`).
fn indexes_each_insert(sql: &str) -> bool {
    let words = sql.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    words.contains("AFTER INSERT ON REQUESTS ")
        && words.contains(&format!("INSERT INTO {}", SEARCH.to_uppercase()))
        && !words.contains(" WHEN ")
        && !words.contains(&format!("INSERT INTO {} ({}", SEARCH.to_uppercase(), SEARCH.to_uppercase()))
}

fn table_columns(tx: &Tx, table: &str) -> Result<Vec<String>> {
    let mut stmt = tx.tx.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    Ok(stmt.query_map([table], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?)
}

fn last_rowid(tx: &Tx) -> Result<i64> {
    let last: Option<i64> = tx.tx.query_row("SELECT max(rowid) FROM requests", [], |r| r.get(0))?;
    Ok(last.unwrap_or(0))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::indexes_each_insert;
    use crate::domain::{RequestKind, Status};
    use crate::store::contract::{insert, sample};

    #[test]
    fn a_row_changed_during_a_bulk_leaves_the_search_index_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite3");
        let store = crate::store::Store::open(&path, "2026-03-02T10:00:00Z", None).unwrap();
        let day = time::macros::date!(2026 - 03 - 01);
        store
            .write(|tx| {
                tx.begin_bulk()?;
                insert(tx, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, day))?;
                let mut bob = insert(tx, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, day))?;
                bob.requester.name = "Robert".into();
                tx.update_request(&bob)?;
                insert(tx, sample("Cy", "cy@example.org", RequestKind::Access, Status::Received, day))?;
                tx.end_bulk()
            })
            .unwrap();
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute("INSERT INTO requests_search (requests_search, rank) VALUES ('integrity-check', 1)", []).unwrap();
        let entries: i64 = db.query_row("SELECT count(*) FROM requests_search", [], |r| r.get(0)).unwrap();
        assert_eq!(entries, 3);
        let triggers: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'requests_search_insert'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(triggers, 1, "the insert trigger is back");
    }

    #[test]
    fn only_the_plain_insert_trigger_of_the_index_is_deferred() {
        let insert = "CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, reference) VALUES (new.rowid, new.reference);
END";
        assert!(indexes_each_insert(insert));
        assert!(!indexes_each_insert(&insert.replace("INSERT ON", "UPDATE ON")));
        assert!(!indexes_each_insert(&insert.replace("BEGIN", "WHEN new.reference <> '' BEGIN")));
        assert!(!indexes_each_insert(&insert.replace("requests_search (rowid", "requests_search (requests_search")));
        assert!(!indexes_each_insert(&insert.replace("INTO requests_search", "INTO audit_log")));
    }
}
