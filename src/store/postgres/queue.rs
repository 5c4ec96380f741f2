//! The queue on PostgreSQL: the same pages as the SQLite store's (`store::queue`: filters, sorts both ways, keyset
//! cursors of the same shape, offset, capped totals, search), planned by the server.
//!
//! A page after a cursor seeks with one row comparison, `(keys…, row_no) > (cursor…)` (`<` descending), which a
//! btree index in the sort's order serves as a range. For that, no key is ever NULL: the due date sorts as
//! `coalesce(effective_due, '')`, and '' comes before every day — first ascending, last descending, as SQLite
//! orders NULL. Text keys compare byte by byte (`COLLATE "C"`, SQLite's order whatever the server's collation).
//! Migration 0002 holds one index per sort (and per sort over the open requests, and per sort after one status),
//! each on exactly these expressions, and the trigram index the search reads.

use std::sync::OnceLock;

use postgres::types::ToSql;

use super::Pg;
use crate::dates;
use crate::error::{Error, Result};
use crate::store::RequestRow;
use crate::store::queue::{
    COUNT_CAP, Cursor, OwnerFilter, Page, Query, SEARCH_CAP, Sort, Total, cursor_of, first_page_of, long_search,
    page_after, page_limit,
};
use crate::store::requests::{At, Columns, ROW_COLUMNS, ROW_WIDTH, request_row_from};

/// The due date as a sort key (and the expression of migration 0002's indexes).
const DUE: &str = "(coalesce(effective_due, '') COLLATE \"C\")";

/// What a search reads through the trigram index: every searched column in one text (migration 0002's
/// `requests_search` is on exactly this expression). It only narrows: a match must be within one column.
const SEARCH_TEXT: &str = "(reference || ' ' || requester_name || ' ' || coalesce(requester_email, '') || ' ' || \
    coalesce(requester_account, '') || ' ' || description || ' ' || notes)";

/// The searched columns, each matched on its own (as SQLite's index matches a phrase within one column).
const SEARCHED: [&str; 6] =
    ["reference", "requester_name", "requester_email", "requester_account", "description", "notes"];

/// The expression a sort key (`Sort::keys`, SQLite's column names) is ordered and compared by here.
fn key_expr(column: &str) -> String {
    match column {
        "effective_due" => DUE.to_string(),
        "ref_year" | "ref_seq" => column.to_string(),
        text => format!("{text} COLLATE \"C\""),
    }
}

/// The columns of a sort, most significant first, with the row number last unless the keys are unique already
/// (a reference): the index of that sort is on exactly these.
fn order_of(sort: Sort) -> Vec<String> {
    let mut keys: Vec<String> = sort.keys().iter().map(|c| key_expr(c)).collect();
    if sort != Sort::Reference {
        keys.push("row_no".into());
    }
    keys
}

/// Free text as an ILIKE pattern matching it literally.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A statement's conditions (joined by AND) and their parameters, numbered as they are bound.
#[derive(Default)]
struct Sql {
    clauses: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Sql {
    /// Bind `value`; its placeholder.
    fn bind(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    fn add(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() { "TRUE".into() } else { self.clauses.join(" AND ") }
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

/// The condition of a search of three characters or more (found anywhere in a searched column, case aside), with
/// `pattern` its placeholder: the trigram index finds the rows holding it somewhere, each column is then checked.
fn search_match(pattern: &str) -> String {
    let columns: Vec<String> = SEARCHED.iter().map(|c| format!("{c} ILIKE {pattern}")).collect();
    format!("{SEARCH_TEXT} ILIKE {pattern} AND ({})", columns.join(" OR "))
}

/// The filters of `q`, as `store::queue` defines them. A column compares in the collation of the index that leads
/// with it (`COLLATE "C"`), or the index cannot take the comparison.
fn filters(q: &Query) -> Sql {
    let mut w = Sql::default();
    match q.status {
        Some(s) => {
            let p = w.bind(s.id());
            w.add(format!("status COLLATE \"C\" = {p}"));
        }
        // Spam is kept (and audited) but only listed when asked for.
        None if !q.open_only => w.add("status <> 'spam'".into()),
        None => {}
    }
    if q.open_only {
        w.add("is_open = 1".into());
    }
    if let Some(k) = q.kind {
        let p = w.bind(k.id());
        w.add(format!("kind COLLATE \"C\" = {p}"));
    }
    if let Some(r) = &q.regime {
        let p = w.bind(r.clone());
        w.add(format!("regime COLLATE \"C\" = {p}"));
    }
    match &q.owner {
        Some(OwnerFilter::Nobody) => w.add("owner IS NULL".into()),
        Some(OwnerFilter::Login(login)) => {
            let p = w.bind(login.clone());
            w.add(format!("owner COLLATE \"C\" = {p}"));
        }
        // Named by the desk before a query reaches the store; an unnamed one matches nobody's requests.
        Some(OwnerFilter::Mine) => w.add("false".into()),
        None => {}
    }
    // On the due key, so that the sort's index serves the range ('' is a request without a due date).
    if let Some(d) = q.due_before {
        let p = w.bind(dates::fmt(d));
        w.add(format!("{DUE} > '' AND {DUE} <= {p}"));
    }
    if let Some(d) = q.due_from {
        let p = w.bind(dates::fmt(d));
        w.add(format!("{DUE} >= {p}"));
    }
    if let Some(d) = q.acknowledge_by {
        let p = w.bind(dates::fmt(d));
        w.add(format!("acknowledge_by COLLATE \"C\" <= {p} AND acknowledged_on IS NULL"));
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(long) = long_search(q) {
            // A broad search keeps its newest matches only, as on SQLite (`SEARCH_CAP`).
            let p = w.bind(format!("%{}%", like_literal(long)));
            w.add(format!(
                "row_no IN (SELECT row_no FROM requests WHERE {} ORDER BY row_no DESC LIMIT {SEARCH_CAP})",
                search_match(&p)
            ));
        } else {
            // As on SQLite: the start of reference, name or email, wildcards dropped.
            let p = w.bind(format!("{}%", like_literal(&text.replace(['%', '_'], ""))));
            w.add(format!("(reference ILIKE {p} OR requester_name ILIKE {p} OR requester_email ILIKE {p})"));
        }
    }
    w
}

/// One fetched row: the queue line and its cursor's keys (as the cursor holds them) and row number.
type Fetched = (RequestRow, Vec<serde_json::Value>, i64);

impl Pg<'_> {
    pub(super) fn list(&self, q: &Query) -> Result<Page<RequestRow>> {
        let limit = page_limit(q);
        let Some((cursor, backwards)) = cursor_of(q)? else {
            return self.first_page(q, limit);
        };
        let desc = q.descending != backwards;
        let field = if backwards { "before" } else { "after" };
        let rows = self.fetch(q, Some((&cursor, field)), desc, limit as usize + 1, 0)?;
        Ok(page_after(rows, limit, backwards, |r| page_cursor(q, r), |r| r.0))
    }

    fn first_page(&self, q: &Query, limit: u32) -> Result<Page<RequestRow>> {
        let count = self.count_capped(q)?;
        let total = match long_search(q) {
            Some(text) if self.search_is_broad(text)? => Total::AtLeast { at_least: count },
            _ => Total::capped(count),
        };
        let rows = self.fetch(q, None, q.descending, limit as usize + 1, q.offset)?;
        Ok(first_page_of(rows, q, limit, total, |r| page_cursor(q, r), |r| r.0))
    }

    pub(super) fn count(&self, q: &Query) -> Result<u64> {
        let w = filters(q);
        let sql = format!("SELECT count(*) FROM requests WHERE {}", w.sql());
        super::count(&self.one(&sql, &w.params())?, 0)
    }

    /// How many rows match, counting no further than one past [`COUNT_CAP`].
    fn count_capped(&self, q: &Query) -> Result<u64> {
        let w = filters(q);
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM requests WHERE {} LIMIT {}) AS matched",
            w.sql(),
            COUNT_CAP + 1
        );
        super::count(&self.one(&sql, &w.params())?, 0)
    }

    /// Whether a search matches more requests than it keeps (its newest [`SEARCH_CAP`]).
    fn search_is_broad(&self, text: &str) -> Result<bool> {
        static SQL: OnceLock<String> = OnceLock::new();
        let sql = SQL.get_or_init(|| {
            format!(
                "SELECT count(*) FROM (SELECT 1 FROM requests WHERE {} LIMIT {}) AS matched",
                search_match("$1"),
                SEARCH_CAP + 1
            )
        });
        let pattern = format!("%{}%", like_literal(text));
        Ok(super::count(&self.one(sql, &[&pattern])?, 0)? > SEARCH_CAP)
    }

    /// Up to `want` rows in `q`'s order (`desc`: the other way), after `cursor` in that direction or from `offset`.
    fn fetch(
        &self,
        q: &Query,
        cursor: Option<(&Cursor, &str)>,
        desc: bool,
        want: usize,
        offset: u64,
    ) -> Result<Vec<Fetched>> {
        let (sql, w) = page_sql(q, cursor, desc, want, offset)?;
        let rows = self.rows(&sql, &w.params())?;
        rows.iter()
            .map(|row| {
                let keys = q
                    .sort
                    .keys()
                    .iter()
                    .enumerate()
                    .map(|(i, column)| key_json(row, ROW_WIDTH + 1 + i, column))
                    .collect::<Result<Vec<_>>>()?;
                Ok((request_row_from(row)?, keys, row.try_get::<_, i64>(ROW_WIDTH)?))
            })
            .collect()
    }
}

/// The statement of a page: `q`'s filters, after `cursor` (given as `field`) in direction `desc`, or from `offset`.
fn page_sql(q: &Query, cursor: Option<(&Cursor, &str)>, desc: bool, want: usize, offset: u64) -> Result<(String, Sql)> {
    let mut w = filters(q);
    let order = order_of(q.sort);
    if let Some((cursor, field)) = cursor {
        let mut values: Vec<String> = Vec::with_capacity(order.len());
        for (column, value) in q.sort.keys().iter().zip(&cursor.keys) {
            values.push(bind_key(&mut w, field, column, value)?);
        }
        if q.sort != Sort::Reference {
            values.push(w.bind(cursor.rowid));
        }
        let op = if desc { "<" } else { ">" };
        w.add(format!("({}) {op} ({})", order.join(", "), values.join(", ")));
    }
    let direction = if desc { "DESC" } else { "ASC" };
    let by: Vec<String> = order.iter().map(|k| format!("{k} {direction}")).collect();
    let keys: Vec<String> = q.sort.keys().iter().map(|c| key_expr(c)).collect();
    let sql = format!(
        "SELECT {ROW_COLUMNS}, row_no, {} FROM requests WHERE {} ORDER BY {} LIMIT {want} OFFSET {offset}",
        keys.join(", "),
        w.sql(),
        by.join(", ")
    );
    Ok((sql, w))
}

/// A cursor's key bound as the value its sort key compares with: integers for the reference, '' for no due date.
fn bind_key(w: &mut Sql, field: &str, column: &str, value: &serde_json::Value) -> Result<String> {
    let bad = || Error::invalid(field, "not a cursor of this list (take it from a page's next or prev)");
    Ok(match (column, value) {
        ("ref_year" | "ref_seq", serde_json::Value::Number(n)) => w.bind(n.as_i64().ok_or_else(bad)?),
        ("effective_due", serde_json::Value::Null) => w.bind(String::new()),
        (_, serde_json::Value::String(s)) => w.bind(s.clone()),
        _ => return Err(bad()),
    })
}

/// A sort key of a fetched row as the cursor holds it (SQLite's shape: the column's value, null for no due date).
fn key_json(row: &postgres::Row, i: usize, column: &str) -> Result<serde_json::Value> {
    Ok(match column {
        "ref_year" | "ref_seq" => row.required_integer(At::Index(i))?.into(),
        _ => match row.required_text(At::Index(i))? {
            s if s.is_empty() && column == "effective_due" => serde_json::Value::Null,
            s => s.into(),
        },
    })
}

fn page_cursor(q: &Query, (_, keys, row_no): &Fetched) -> String {
    Cursor { sort: q.sort, desc: q.descending, narrow: false, keys: keys.clone(), rowid: *row_no }.encode()
}

#[cfg(test)]
mod tests {
    //! The queue against SQLite's: the same requests in both engines, the same pages for every filter, sort,
    //! direction, search, offset and cursor.

    use time::macros::date;

    use super::*;
    use crate::domain::{Request, RequestKind, Status};
    use crate::store::contract::{Engine, sample};
    use crate::store::postgres::testing::{PostgresEngine, server};
    use crate::store::{QueueView, Store, Write};

    /// A request inserted as the core would, without its requester record or events (not this concern's).
    pub(crate) fn put(tx: &dyn Write, mut r: Request) -> Result<Request> {
        let (seq, reference) = tx.next_reference(r.received.year())?;
        r.reference = reference;
        tx.insert_request(&r, seq, None)?;
        Ok(r)
    }

    /// Names that sort differently by bytes than by most collations (case, accents, punctuation), and text with
    /// ILIKE's special characters.
    const NAMES: [&str; 7] =
        ["Zoe Kowalski", "adam nowak", "Maria Kowalska", "Adam Nowak", "Émile Zola", "chris_evans 100%", "Back\\slash"];

    fn requests() -> Vec<Request> {
        let statuses = [
            Status::Received,
            Status::InProgress,
            Status::Refused,
            Status::OnHold,
            Status::Closed,
            Status::Spam,
            Status::Fulfilled,
        ];
        let kinds = [RequestKind::Access, RequestKind::Erasure, RequestKind::Portability];
        (0..41usize)
            .map(|i| {
                let name = NAMES[i % NAMES.len()];
                let received = date!(2025 - 12 - 29) + time::Duration::days((i % 9) as i64);
                let mut r = sample(name, &format!("p{}@example.org", i % 4), kinds[i % 3], statuses[i % 7], received);
                r.regime = ["eu-gdpr", "uk-gdpr", "ccpa"][i % 3].into();
                r.dates.effective_due =
                    if i % 5 == 1 { None } else { Some(date!(2026 - 02 - 01) + time::Duration::days((i % 6) as i64)) };
                r.dates.acknowledge_by =
                    if i % 4 == 0 { None } else { Some(date!(2026 - 01 - 05) + time::Duration::days((i % 8) as i64)) };
                r.notes = if i == 11 { "promised a callback on Thursday".into() } else { String::new() };
                r
            })
            .collect()
    }

    fn both() -> (Store, Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::open(&dir.path().join("r.sqlite3"), "2026-03-02T10:00:00Z", None).unwrap();
        let pg = PostgresEngine.fresh();
        let made = requests();
        for store in [&sqlite, &pg] {
            store
                .write(|tx| {
                    for r in &made {
                        put(tx, r.clone())?;
                    }
                    Ok(())
                })
                .unwrap();
        }
        (sqlite, pg, dir)
    }

    fn refs(page: &Page<RequestRow>) -> Vec<String> {
        page.items.iter().map(|i| i.reference.clone()).collect()
    }

    /// Every page of `q` by cursor, forwards from the first and then backwards from the last.
    fn by_cursor(store: &Store, q: &Query) -> (Vec<String>, Vec<String>) {
        let mut q = Query { limit: 4, after: None, before: None, ..q.clone() };
        let mut forward = vec![];
        let mut last = None;
        for _ in 0..30 {
            let page = store.read(|r| r.list(&q)).unwrap();
            forward.extend(refs(&page));
            match page.next.clone() {
                Some(next) => q.after = Some(next),
                None => {
                    last = Some(page);
                    break;
                }
            }
        }
        let last = last.expect("the pages end");
        let mut backward = refs(&last);
        q.after = None;
        q.before = last.prev;
        while q.before.is_some() {
            let page = store.read(|r| r.list(&q)).unwrap();
            backward.splice(0..0, refs(&page));
            q.before = page.prev;
        }
        (forward, backward)
    }

    type SetFilter = Box<dyn Fn(&mut Query)>;

    fn queries() -> Vec<(String, Query)> {
        let filters: Vec<(&str, SetFilter)> = vec![
            ("all", Box::new(|_| {})),
            ("open", Box::new(|q| q.open_only = true)),
            ("on hold", Box::new(|q| q.status = Some(Status::OnHold))),
            ("spam", Box::new(|q| q.status = Some(Status::Spam))),
            (
                "open erasure",
                Box::new(|q| {
                    q.open_only = true;
                    q.kind = Some(RequestKind::Erasure)
                }),
            ),
            ("ccpa", Box::new(|q| q.regime = Some("ccpa".into()))),
            (
                "due window",
                Box::new(|q| {
                    q.due_from = Some(date!(2026 - 02 - 02));
                    q.due_before = Some(date!(2026 - 02 - 04))
                }),
            ),
            ("acknowledge", Box::new(|q| q.acknowledge_by = Some(date!(2026 - 01 - 09)))),
            ("search", Box::new(|q| q.search = Some("owalsk".into()))),
        ];
        let sorts =
            [Sort::Due, Sort::Received, Sort::Reference, Sort::Status, Sort::Kind, Sort::Regime, Sort::Requester];
        let mut out = vec![];
        for (label, set) in &filters {
            for sort in sorts {
                for descending in [false, true] {
                    let mut q = Query { sort, descending, limit: 500, ..Query::default() };
                    set(&mut q);
                    out.push((format!("{label}, {sort:?}, descending {descending}"), q));
                }
            }
        }
        out
    }

    #[test]
    fn every_page_is_the_sqlite_page() {
        let (sqlite, pg, _dir) = both();
        for (what, q) in queries() {
            let want = sqlite.read(|r| r.list(&q)).unwrap();
            let got = pg.read(|r| r.list(&q)).unwrap();
            assert_eq!(refs(&got), refs(&want), "{what}");
            assert_eq!(got.items, want.items, "{what}");
            assert_eq!(got.total, want.total, "{what}");
            let (forward, backward) = by_cursor(&pg, &q);
            assert_eq!(forward, refs(&want), "forward: {what}");
            assert_eq!(backward, refs(&want), "backward: {what}");
            let skipped = Query { offset: 3, limit: 4, ..q.clone() };
            let (want, got) = (sqlite.read(|r| r.list(&skipped)).unwrap(), pg.read(|r| r.list(&skipped)).unwrap());
            assert_eq!((refs(&got), got.total, got.offset), (refs(&want), want.total, want.offset), "{what}");
            assert_eq!((got.next.is_some(), got.prev.is_some()), (want.next.is_some(), want.prev.is_some()), "{what}");
            assert_eq!(pg.read(|r| r.count(&q)).unwrap(), sqlite.read(|r| r.count(&q)).unwrap(), "{what}");
        }
    }

    #[test]
    fn a_search_finds_what_sqlite_finds() {
        let (sqlite, pg, _dir) = both();
        for text in [
            "owalsk",
            "KOWAL",
            "100%",
            "s_e",
            "\\sla",
            "Ev",
            "ad",
            "_",
            "%",
            "Zo",
            "hold about",
            "callback on thurs",
            "p3@example",
            "ACC-Adam",
            "nobody",
            "\"nobody\" OR *",
            "  owalsk  ",
            "Émile",
            "RD-2026-000",
        ] {
            let q = Query { search: Some(text.into()), limit: 500, ..Query::default() };
            let want = sqlite.read(|r| r.list(&q)).unwrap();
            let got = pg.read(|r| r.list(&q)).unwrap();
            assert_eq!((refs(&got), got.total), (refs(&want), want.total), "{text:?}");
        }
    }

    #[test]
    fn the_dashboard_views_count_as_on_sqlite() {
        let (sqlite, pg, _dir) = both();
        for view in QueueView::ALL {
            let q =
                view.narrow(&Query { limit: 500, ..Query::default() }, date!(2026 - 02 - 03), date!(2026 - 02 - 10));
            let n = sqlite.read(|r| r.count(&q)).unwrap();
            assert_eq!(pg.read(|r| r.count(&q)).unwrap(), n, "{view:?}");
            assert_eq!(pg.read(|r| r.list(&q)).unwrap().items.len() as u64, n, "{view:?}");
        }
    }

    #[test]
    fn a_cursor_of_another_list_or_made_elsewhere_is_refused() {
        let pg = PostgresEngine.fresh();
        pg.write(|tx| {
            for r in requests().into_iter().take(5) {
                put(tx, r)?;
            }
            Ok(())
        })
        .unwrap();
        let first = pg.read(|r| r.list(&Query { limit: 2, ..Query::default() })).unwrap();
        let other = Query { sort: Sort::Received, after: first.next.clone(), ..Query::default() };
        assert!(matches!(pg.read(|r| r.list(&other)), Err(Error::Invalid { .. })));
        let garbage = Query { before: Some("garbage".into()), ..Query::default() };
        assert!(matches!(pg.read(|r| r.list(&garbage)), Err(Error::Invalid { ref field, .. }) if field == "before"));
        let both = Query { after: first.next.clone(), before: first.next, ..Query::default() };
        assert!(matches!(pg.read(|r| r.list(&both)), Err(Error::Invalid { .. })));
        // Keys of the wrong type for the sort (a number where a day goes): refused, not sent to the server.
        let forged = Cursor { sort: Sort::Due, desc: false, narrow: false, keys: vec![7.into()], rowid: 1 }.encode();
        let forged = Query { after: Some(forged), ..Query::default() };
        assert!(matches!(pg.read(|r| r.list(&forged)), Err(Error::Invalid { ref field, .. }) if field == "after"));
    }

    /// The plans the indexes of migration 0002 are for: each query can seek on its index (the expressions match),
    /// seen with sequential scans and sorts off and the other indexes of the queue dropped in a transaction undone
    /// after (a table this small would rather be scanned).
    #[test]
    fn each_page_can_seek_on_its_index() {
        let pg = PostgresEngine.fresh();
        pg.write(|tx| {
            for r in requests() {
                put(tx, r)?;
            }
            Ok(())
        })
        .unwrap();
        let database = pg.path().to_string_lossy().rsplit('/').next().unwrap().to_string();
        let mut client = server().client(&database);
        client.batch_execute("SET enable_seqscan = off; SET enable_sort = off").unwrap();
        let indexes: Vec<String> = client
            .query("SELECT indexname FROM pg_indexes WHERE tablename = 'requests' AND indexname LIKE 'requests_%'", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut explain = |sql: &str, params: &[&(dyn ToSql + Sync)], keep: &str, set: &str| {
            let mut tx = client.transaction().unwrap();
            tx.batch_execute(set).unwrap();
            for other in indexes.iter().filter(|i| *i != keep && !i.ends_with("_pkey") && !i.ends_with("_key")) {
                tx.batch_execute(&format!("DROP INDEX {other}")).unwrap();
            }
            let plan: Vec<String> =
                tx.query(&format!("EXPLAIN {sql}"), params).unwrap().iter().map(|r| r.get::<_, String>(0)).collect();
            tx.rollback().unwrap();
            plan.join("\n")
        };
        let cursor = |q: &Query, keys: Vec<serde_json::Value>| Cursor {
            sort: q.sort,
            desc: q.descending,
            narrow: false,
            keys,
            rowid: 9,
        };
        let day = serde_json::Value::from("2026-02-03");
        for (q, keys, index) in [
            (Query::default(), vec![day.clone()], "requests_queue_due"),
            (Query { open_only: true, ..Query::default() }, vec![serde_json::Value::Null], "requests_open_due"),
            (
                Query { sort: Sort::Requester, descending: true, ..Query::default() },
                vec!["Adam".into()],
                "requests_queue_requester",
            ),
            (
                Query { sort: Sort::Received, open_only: true, ..Query::default() },
                vec!["2026-01-01".into()],
                "requests_open_received",
            ),
            (
                Query { sort: Sort::Reference, ..Query::default() },
                vec![2026.into(), 3.into()],
                "requests_ref_year_ref_seq_key",
            ),
            (
                Query { sort: Sort::Status, ..Query::default() },
                vec!["on-hold".into(), day.clone()],
                "requests_queue_status",
            ),
            (Query { status: Some(Status::Refused), ..Query::default() }, vec![day.clone()], "requests_queue_status"),
            (
                Query { sort: Sort::Received, status: Some(Status::Refused), ..Query::default() },
                vec!["2026-01-01".into()],
                "requests_status_received",
            ),
            (Query { kind: Some(RequestKind::Access), ..Query::default() }, vec![day.clone()], "requests_queue_kind"),
            (
                Query { sort: Sort::Regime, open_only: true, ..Query::default() },
                vec!["ccpa".into(), day.clone()],
                "requests_open_regime",
            ),
            (
                Query { open_only: true, due_before: Some(date!(2026 - 02 - 03)), ..Query::default() },
                vec![day.clone()],
                "requests_open_due",
            ),
        ] {
            let c = cursor(&q, keys);
            let (sql, w) = page_sql(&q, Some((&c, "after")), q.descending, 11, 0).unwrap();
            let plan = explain(&sql, &w.params(), index, "");
            assert!(
                plan.contains(&format!("Index Scan Backward using {index} "))
                    || plan.contains(&format!("Index Scan using {index} ")),
                "{q:?}:\n{plan}"
            );
            assert!(plan.contains("Index Cond"), "the cursor is a range of the index: {q:?}\n{plan}");
        }
        let q = Query { search: Some("owalsk".into()), ..Query::default() };
        let (sql, w) = page_sql(&q, None, false, 11, 0).unwrap();
        // Only the trigram index: a walk of the row numbers (newest first) is the other plan the server may take.
        let plan = explain(
            &sql,
            &w.params(),
            "requests_search",
            "SET LOCAL enable_indexscan = off; SET LOCAL enable_sort = on",
        );
        assert!(plan.contains("Bitmap Index Scan on requests_search"), "{plan}");
    }
}
