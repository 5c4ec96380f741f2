//! The queue: a page of requests by filters, search and sort, found by seeking on the sort key and the rowid
//! (keyset pagination) instead of counting or skipping what came before, so a page costs the same at any depth.
//!
//! A page after a cursor `c` is the union, in order, of "segments": rows whose first keys equal `c`'s and whose next
//! key comes after `c`'s, deepest first (same keys, rowid after; …; first key after). Each segment is an equality
//! prefix and one range on an index, so SQLite seeks straight to it. NULL (a request without a due date) sorts before
//! every date, in both directions, as SQLite orders it.
//!
//! Two plans, chosen on the first page by a capped count of the matches and carried in the cursor after that:
//! a *walk* reads the index that gives the order and checks the filters on the way (broad filters: a page reads about
//! `limit / share of matches` rows), a *sort* reads the matches through the filter's index and sorts them (at most
//! [`COUNT_CAP`] of them). Either way a page reads a bounded number of rows.

use base64::Engine as _;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use time::Date;

use super::requests::{ROW_COLUMNS, ROW_WIDTH, RequestRow, to_row};
use super::sqlite::Reader;
use crate::dates::{self, iso};
use crate::domain::{RequestKind, Status};
use crate::error::{Error, Result};

/// A first page counts its matches up to this many (a million are never counted); beyond it the total says
/// "at least". It is also the line between the two plans (see the module's comment).
pub const COUNT_CAP: u64 = 10_000;

/// A search matching more requests than this lists the most recently logged of them only: a first page reads and
/// sorts at most this many rows, however common the words (a mail domain, a word of every description).
pub const SEARCH_CAP: u64 = 2_000;

#[cfg(test)]
thread_local! {
    /// The line between the plans in this thread's tests: small, so a handful of rows exercises the walk.
    pub(crate) static PLAN_LINE: std::cell::Cell<u64> = const { std::cell::Cell::new(COUNT_CAP) };
}

fn plan_line() -> u64 {
    #[cfg(test)]
    return PLAN_LINE.with(std::cell::Cell::get);
    #[cfg(not(test))]
    COUNT_CAP
}

/// The queue's filters, sort and page. Every field narrows; `None` means no filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Query {
    pub status: Option<Status>,
    /// Only open requests (not yet fulfilled, refused, withdrawn or closed).
    pub open_only: bool,
    pub kind: Option<RequestKind>,
    pub regime: Option<String>,
    /// Due on or before this day.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub due_before: Option<Date>,
    /// Due on or after this day.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub due_from: Option<Date>,
    /// An acknowledgement due (by the regime) on or before this day and not given yet.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub acknowledge_by: Option<Date>,
    /// One of the dashboard's lists: it sets the status, open and date filters as the dashboard counts them
    /// (`QueueView::narrow`), so a tile's number is the length of the list it opens.
    pub view: Option<QueueView>,
    /// Whose requests: one person's (a login), the connected officer's own, or nobody's yet.
    pub owner: Option<OwnerFilter>,
    /// Free text matched against reference, requester name, email, account reference, description and notes
    /// (3 characters or more: anywhere in them; shorter: the start of reference, name or email). A search matching
    /// more than [`SEARCH_CAP`] requests lists the [`SEARCH_CAP`] most recently logged of them (total: at least).
    pub search: Option<String>,
    pub sort: Sort,
    pub descending: bool,
    pub limit: u32,
    /// The page after this cursor (a page's `next`), in the same filters and sort.
    pub after: Option<String>,
    /// The page before this cursor (a page's `prev`), in the same filters and sort.
    pub before: Option<String>,
    /// Rows to skip on a page without a cursor: every skipped row is read, so this slows down with depth (kept for
    /// scripts; use `after`).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub offset: u64,
}

/// Whose requests the queue lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum OwnerFilter {
    /// The requests nobody was assigned yet.
    Nobody,
    /// The requests of the officer using the app (the desk names them before the store reads).
    Mine,
    /// The requests of this login.
    Login(String),
}

/// The dashboard's lists, each defined once: the dashboard counts the requests a view lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum QueueView {
    /// Open, due before today.
    Overdue,
    /// Open, due from today to `soon`.
    DueSoon,
    /// Open, the acknowledgement the regime requires due by `soon` and not given yet (late ones included: a missed
    /// acknowledgement stays here until it is sent).
    ToAcknowledge,
    OnHold,
    /// Still being worked on.
    Open,
}

impl QueueView {
    pub const ALL: [QueueView; 5] =
        [QueueView::Overdue, QueueView::DueSoon, QueueView::ToAcknowledge, QueueView::OnHold, QueueView::Open];

    pub fn parse(id: &str) -> Option<QueueView> {
        serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
    }

    /// `q` narrowed to this view on `today` ("soon": up to `soon`): its status, open and date filters are the view's;
    /// kind, regime, search and sort stay the officer's.
    pub fn narrow(self, q: &Query, today: Date, soon: Date) -> Query {
        let mut q = Query {
            status: None,
            open_only: false,
            due_before: None,
            due_from: None,
            acknowledge_by: None,
            view: Some(self),
            ..q.clone()
        };
        match self {
            QueueView::Overdue => {
                q.open_only = true;
                q.due_before = today.previous_day();
            }
            QueueView::DueSoon => {
                q.open_only = true;
                q.due_from = Some(today);
                q.due_before = Some(soon);
            }
            QueueView::ToAcknowledge => {
                q.open_only = true;
                q.acknowledge_by = Some(soon);
            }
            QueueView::OnHold => q.status = Some(Status::OnHold),
            QueueView::Open => q.open_only = true,
        }
        q
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Sort {
    #[default]
    Due,
    Received,
    Reference,
    Status,
    Kind,
    Regime,
    Requester,
}

impl Sort {
    pub fn parse(id: &str) -> Option<Sort> {
        serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
    }

    /// The columns this sort orders by, most significant first; the rowid breaks ties after them.
    pub(super) fn keys(self) -> &'static [&'static str] {
        match self {
            Sort::Due => &["effective_due"],
            Sort::Received => &["received"],
            Sort::Reference => &["ref_year", "ref_seq"],
            Sort::Status => &["status", "effective_due"],
            Sort::Kind => &["kind", "effective_due"],
            Sort::Regime => &["regime", "effective_due"],
            Sort::Requester => &["requester_name"],
        }
    }
}

/// How many requests match: a number when counted to the end, `{"at_least": n}` when counting stopped at
/// [`COUNT_CAP`] (the window says "10,000+").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum Total {
    Exact(#[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))] u64),
    AtLeast {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        at_least: u64,
    },
}

impl Total {
    pub(super) fn capped(count: u64) -> Total {
        if count > COUNT_CAP { Total::AtLeast { at_least: COUNT_CAP } } else { Total::Exact(count) }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Total::Exact(n) => write!(f, "{n}"),
            Total::AtLeast { at_least } => write!(f, "{at_least}+"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many match, counted on a page asked for without a cursor only (up to [`COUNT_CAP`]).
    pub total: Option<Total>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub offset: u64,
    pub limit: u32,
    /// Give as `after` for the page that follows; None: this page reaches the end.
    pub next: Option<String>,
    /// Give as `before` for the page before this one; None: this page starts at the beginning.
    pub prev: Option<String>,
}

impl<T> Page<T> {
    /// The same page with each item changed (the core adds what the store does not know).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
            next: self.next,
            prev: self.prev,
        }
    }
}

/// Where a page ends: the sort it belongs to, its plan, and the last row's keys and rowid (the row's insertion
/// number on every engine). Opaque to callers; the engines make and read the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Cursor {
    pub(super) sort: Sort,
    pub(super) desc: bool,
    /// The plan chosen on the first page: true = sort the matches, false = walk the order's index (SQLite's; an
    /// engine that plans each page itself writes false).
    pub(super) narrow: bool,
    /// The row's value of each of `sort.keys()`: text, an integer, or null (no due date).
    pub(super) keys: Vec<serde_json::Value>,
    pub(super) rowid: i64,
}

/// The longest cursor taken: a row's keys (a requester's name is at most a few hundred bytes) in JSON, in base64.
const MAX_CURSOR: usize = 8 * 1024;

impl Cursor {
    pub(super) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub(super) fn decode(field: &str, text: &str, q: &Query) -> Result<Cursor> {
        let bad = || Error::invalid(field, "not a cursor of this list (take it from a page's next or prev)");
        // A cursor holds one row's sort keys: anything longer was not made here, and is not decoded.
        if text.len() > MAX_CURSOR {
            return Err(bad());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if c.sort != q.sort || c.desc != q.descending || c.keys.len() != q.sort.keys().len() {
            return Err(Error::invalid(field, "this cursor belongs to another sort: start again from the first page"));
        }
        Ok(c)
    }
}

/// The cursor a query pages from, and whether it pages backwards (`before`); None for a first page.
pub(super) fn cursor_of(q: &Query) -> Result<Option<(Cursor, bool)>> {
    Ok(match (&q.after, &q.before) {
        (Some(_), Some(_)) => return Err(Error::invalid("before", "give either after or before, not both")),
        (Some(a), None) => Some((Cursor::decode("after", a, q)?, false)),
        (None, Some(b)) => Some((Cursor::decode("before", b, q)?, true)),
        (None, None) => None,
    })
}

/// The rows a page shows at most.
pub(super) fn page_limit(q: &Query) -> u32 {
    q.limit.clamp(1, 500)
}

/// The search text of `q` long enough to be found anywhere in the searched columns (three characters or more);
/// shorter text is looked for at the start of reference, name and email only.
pub(super) fn long_search(q: &Query) -> Option<&str> {
    q.search.as_deref().map(str::trim).filter(|t| t.chars().count() >= 3)
}

/// A page after or before a cursor from `rows` (up to `limit + 1`, read in the direction of travel, the extra one
/// telling there is more), with the cursors on either side.
pub(super) fn page_after<T>(
    mut rows: Vec<T>,
    limit: u32,
    backwards: bool,
    cursor_at: impl Fn(&T) -> String,
    item: impl FnMut(T) -> RequestRow,
) -> Page<RequestRow> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    // Coming from a page, there is that page on the other side of this one.
    let (next, prev) = if backwards {
        (rows.last().map(&cursor_at), if more { rows.first().map(&cursor_at) } else { None })
    } else {
        (if more { rows.last().map(&cursor_at) } else { None }, rows.first().map(&cursor_at))
    };
    Page { items: rows.into_iter().map(item).collect(), total: None, offset: 0, limit, next, prev }
}

/// A first page (no cursor) from `rows` (up to `limit + 1` from `offset`), with what matched.
pub(super) fn first_page_of<T>(
    rows: Vec<T>,
    q: &Query,
    limit: u32,
    total: Total,
    cursor_at: impl Fn(&T) -> String,
    item: impl FnMut(T) -> RequestRow,
) -> Page<RequestRow> {
    let page = page_after(rows, limit, false, cursor_at, item);
    Page { total: Some(total), offset: q.offset, prev: page.prev.filter(|_| q.offset > 0), ..page }
}

fn to_json(v: Value) -> serde_json::Value {
    match v {
        Value::Integer(i) => i.into(),
        Value::Text(t) => t.into(),
        Value::Real(f) => f.into(),
        Value::Null | Value::Blob(_) => serde_json::Value::Null,
    }
}

fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Number(n) => n.as_i64().map_or(Value::Null, Value::Integer),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        _ => Value::Null,
    }
}

const SEARCH_SQL: &str = "SELECT rowid FROM requests_search WHERE requests_search MATCH ?";

/// The search text of `q` long enough for the trigram index, as an FTS5 phrase.
fn fts_search(q: &Query) -> Option<String> {
    long_search(q).map(fts_phrase)
}

/// Quote free text for an FTS5 MATCH: one phrase, inner quotes doubled, so no user text is FTS syntax.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// SQL conditions joined by AND, with their values in order.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    fn add(&mut self, clause: String, values: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause);
        self.values.extend(values);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() { "1".into() } else { self.clauses.join(" AND ") }
    }
}

/// The filter columns the order's index serves in a walk (an equality prefix, or the due date as a range right after
/// it): one status in every order but kind and regime, the open requests in every order (migration 0012), a kind or
/// regime leading a `(column, effective_due)` index. A walk skips rows only for the columns not served.
fn walk_columns(q: &Query) -> Vec<&'static str> {
    let mut served = Vec::new();
    let status = q.status.is_some() && !matches!(q.sort, Sort::Kind | Sort::Regime);
    let open = q.open_only && (q.status.is_none() || status);
    if status {
        served.push("status");
    }
    if open {
        served.push("is_open");
    }
    let lead = match q.sort {
        Sort::Due if !status && !open => q.kind.map(|_| "kind").or(q.regime.as_ref().map(|_| "regime")),
        Sort::Kind if q.status.is_none() => q.kind.map(|_| "kind"),
        Sort::Regime if q.status.is_none() => q.regime.as_ref().map(|_| "regime"),
        _ => None,
    };
    served.extend(lead);
    let due_range = match q.sort {
        Sort::Due => status || open || lead.is_some() || (q.kind.is_none() && q.regime.is_none()),
        Sort::Status => status,
        Sort::Kind | Sort::Regime => lead.is_some(),
        _ => false,
    };
    if due_range {
        served.push("effective_due");
    }
    served
}

/// The index a walk over the open requests or one status reads: SQLite would rather take `(is_open, effective_due)`
/// or the status's index and sort every match (a second for the open quarter of a million) than scan a partial
/// index, so it is named. None: SQLite's own choice is the walk.
fn walk_index(q: &Query) -> Option<&'static str> {
    let served = walk_columns(q);
    if served.contains(&"status") {
        return Some(match q.sort {
            Sort::Due | Sort::Status => "requests_status_due",
            Sort::Received => "requests_status_received",
            Sort::Reference => "requests_status_reference",
            Sort::Requester => "requests_status_requester",
            Sort::Kind | Sort::Regime => return None,
        });
    }
    if served.contains(&"is_open") {
        return Some(match q.sort {
            Sort::Due => "requests_open_due",
            Sort::Received => "requests_open_received",
            Sort::Reference => "requests_open_reference",
            Sort::Requester => "requests_open_requester",
            Sort::Status => "requests_open_status",
            Sort::Kind => "requests_open_kind",
            Sort::Regime => "requests_open_regime",
        });
    }
    None
}

/// Whether a walk would read rows that do not match (a filter its index does not serve, or a short search).
fn walk_skips(q: &Query) -> bool {
    filters(q, false).clauses.iter().any(|c| c.starts_with('+') || c.contains(" LIKE "))
}

/// The filters of `q`. In a walk (`narrow` false) a column the order's index cannot use is written `+column`, which
/// keeps SQLite from choosing that column's index and sorting every match instead.
fn filters(q: &Query, narrow: bool) -> Where {
    let walk = walk_columns(q);
    let col = |c: &str| {
        let usable = narrow || walk.contains(&c);
        if usable { c.to_string() } else { format!("+{c}") }
    };
    let mut w = Where::default();
    match q.status {
        Some(s) => w.add(format!("{} = ?", col("status")), [Value::Text(s.id().into())]),
        // Spam is kept (and audited) but only listed when asked for.
        None if !q.open_only => w.add("status <> 'spam'".into(), []),
        None => {}
    }
    if q.open_only {
        w.add(format!("{} = 1", col("is_open")), []);
    }
    if let Some(k) = q.kind {
        w.add(format!("{} = ?", col("kind")), [Value::Text(k.id().into())]);
    }
    if let Some(r) = &q.regime {
        w.add(format!("{} = ?", col("regime")), [Value::Text(r.clone())]);
    }
    match &q.owner {
        Some(OwnerFilter::Nobody) => w.add(format!("{} IS NULL", col("owner")), []),
        Some(OwnerFilter::Login(login)) => w.add(format!("{} = ?", col("owner")), [Value::Text(login.clone())]),
        // Named by the desk before a query reaches the store; an unnamed one matches nobody's requests.
        Some(OwnerFilter::Mine) => w.add("0".into(), []),
        None => {}
    }
    if let Some(d) = q.due_before {
        w.add(format!("{} <= ?", col("effective_due")), [Value::Text(dates::fmt(d))]);
    }
    if let Some(d) = q.due_from {
        w.add(format!("{} >= ?", col("effective_due")), [Value::Text(dates::fmt(d))]);
    }
    if let Some(d) = q.acknowledge_by {
        w.add(format!("{} <= ? AND acknowledged_on IS NULL", col("acknowledge_by")), [Value::Text(dates::fmt(d))]);
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(phrase) = fts_search(q) {
            // The trigram index finds substrings of three characters or more. A broad search (a common word of
            // the descriptions, a mail domain) keeps its newest matches only: sorting a million matches by due
            // date cannot be quick, and nobody reads past the first thousands (the total says "at least").
            let rowid = if narrow { "rowid" } else { "+rowid" };
            w.add(format!("{rowid} IN ({SEARCH_SQL} ORDER BY rowid DESC LIMIT {SEARCH_CAP})"), [Value::Text(phrase)]);
        } else {
            let pattern = format!("{}%", text.replace(['%', '_'], ""));
            w.add(
                "(reference LIKE ? OR requester_name LIKE ? OR requester_email LIKE ?)".into(),
                std::iter::repeat_n(Value::Text(pattern), 3),
            );
        }
    }
    w
}

/// The seek conditions after `cursor` in direction `desc`, one per segment, in the order the rows come.
fn segments(sort: Sort, keys: &[Value], rowid: i64, desc: bool) -> Vec<Where> {
    let mut columns: Vec<(&str, Value)> = sort.keys().iter().copied().zip(keys.iter().cloned()).collect();
    columns.push(("rowid", Value::Integer(rowid)));
    let mut out = Vec::new();
    for i in (0..columns.len()).rev() {
        let mut eq = Where::default();
        for (c, v) in &columns[..i] {
            match v {
                Value::Null => eq.add(format!("{c} IS NULL"), []),
                v => eq.add(format!("{c} = ?"), [v.clone()]),
            }
        }
        let (c, v) = &columns[i];
        let after: Vec<(String, Vec<Value>)> = match (v, desc) {
            (Value::Null, false) => vec![(format!("{c} IS NOT NULL"), vec![])],
            (Value::Null, true) => vec![],
            (v, false) => vec![(format!("{c} > ?"), vec![v.clone()])],
            // Descending, the NULLs come after the smallest date.
            (v, true) if *c == "effective_due" => {
                vec![(format!("{c} < ?"), vec![v.clone()]), (format!("{c} IS NULL"), vec![])]
            }
            (v, true) => vec![(format!("{c} < ?"), vec![v.clone()])],
        };
        for (clause, values) in after {
            let mut w = Where { clauses: eq.clauses.clone(), values: eq.values.clone() };
            w.add(clause, values);
            out.push(w);
        }
    }
    out
}

/// One fetched row: the queue line, its rowid and its sort keys.
type Fetched = (RequestRow, i64, Vec<Value>);

impl Reader<'_> {
    pub fn list(&self, q: &Query) -> Result<Page<RequestRow>> {
        let limit = page_limit(q);
        let Some((cursor, backwards)) = cursor_of(q)? else {
            return self.first_page(q, limit);
        };
        let desc = q.descending != backwards;
        let filter = filters(q, cursor.narrow);
        let keys: Vec<Value> = cursor.keys.iter().map(to_value).collect();
        let mut rows: Vec<Fetched> = Vec::new();
        for seek in segments(q.sort, &keys, cursor.rowid, desc) {
            let want = limit as usize + 1 - rows.len();
            if want == 0 {
                break;
            }
            rows.extend(self.fetch(q, &filter, Some(&seek), desc, cursor.narrow, want, 0)?);
        }
        Ok(page_after(rows, limit, backwards, |r| page_cursor(q, cursor.narrow, r), |r| r.0))
    }

    /// A page without a cursor: counts (capped), chooses the plan and reads from the start (or `offset`).
    fn first_page(&self, q: &Query, limit: u32) -> Result<Page<RequestRow>> {
        let count = self.count_capped(&filters(q, true))?;
        // Sorting the matches pays only when a walk would skip rows: a walk its index serves whole reads one page.
        let narrow = count <= plan_line() && walk_skips(q);
        let total = match fts_search(q) {
            Some(phrase) if self.search_is_broad(&phrase)? => Total::AtLeast { at_least: count },
            _ => Total::capped(count),
        };
        let rows = self.fetch(q, &filters(q, narrow), None, q.descending, narrow, limit as usize + 1, q.offset)?;
        Ok(first_page_of(rows, q, limit, total, |r| page_cursor(q, narrow, r), |r| r.0))
    }

    /// How many requests match `q`'s filters, exactly (the dashboard's counts: one query per view).
    pub fn count(&self, q: &Query) -> Result<u64> {
        let filter = filters(q, true);
        let sql = format!("SELECT count(*) FROM requests WHERE {}", filter.sql());
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(filter.values.iter()), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Whether a search matches more requests than it keeps (its newest [`SEARCH_CAP`]).
    fn search_is_broad(&self, phrase: &str) -> Result<bool> {
        let sql = format!("SELECT count(*) FROM ({SEARCH_SQL} LIMIT {}) ", SEARCH_CAP + 1);
        let n: i64 = self.conn.prepare_cached(&sql)?.query_row([phrase], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0) > SEARCH_CAP)
    }

    /// How many rows match, counting no further than one past [`COUNT_CAP`].
    fn count_capped(&self, filter: &Where) -> Result<u64> {
        let sql =
            format!("SELECT count(*) FROM (SELECT 1 FROM requests WHERE {} LIMIT {})", filter.sql(), COUNT_CAP + 1);
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(filter.values.iter()), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch(
        &self,
        q: &Query,
        filter: &Where,
        seek: Option<&Where>,
        desc: bool,
        narrow: bool,
        want: usize,
        offset: u64,
    ) -> Result<Vec<Fetched>> {
        let keys = q.sort.keys();
        let index = walk_index(q);
        let direction = if desc { "DESC" } else { "ASC" };
        // Sorting the matches: `+column` keeps SQLite from walking the order's index past every non-match.
        let plus = if narrow { "+" } else { "" };
        let order =
            keys.iter().chain(std::iter::once(&"rowid")).map(|c| format!("{plus}{c} {direction}")).collect::<Vec<_>>();
        let (seek_sql, seek_values) =
            seek.map_or((String::new(), &[][..]), |s| (format!(" AND {}", s.sql()), &s.values[..]));
        let indexed = match index {
            Some(name) if !narrow => format!(" INDEXED BY {name}"),
            _ => String::new(),
        };
        let sql = format!(
            "SELECT {ROW_COLUMNS}, rowid, {} FROM requests{indexed} WHERE {}{seek_sql} ORDER BY {} LIMIT {want} \
             OFFSET {offset}",
            keys.join(", "),
            filter.sql(),
            order.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let values = filter.values.iter().chain(seek_values.iter());
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
            let row = to_row(r)?;
            let rowid: i64 = r.get(ROW_WIDTH)?;
            let keys =
                (0..keys.len()).map(|i| r.get::<_, Value>(ROW_WIDTH + 1 + i)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((row, rowid, keys))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn page_cursor(q: &Query, narrow: bool, (_, rowid, keys): &Fetched) -> String {
    Cursor {
        sort: q.sort,
        desc: q.descending,
        narrow,
        keys: keys.iter().cloned().map(to_json).collect(),
        rowid: *rowid,
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_refuses_another_sort_or_garbage() {
        let q = Query { sort: Sort::Status, descending: true, ..Query::default() };
        let c = Cursor {
            sort: Sort::Status,
            desc: true,
            narrow: false,
            keys: vec!["received".into(), serde_json::Value::Null],
            rowid: 7,
        };
        assert_eq!(Cursor::decode("after", &c.encode(), &q).unwrap(), c);
        let other = Query { sort: Sort::Status, ..Query::default() };
        assert!(matches!(Cursor::decode("after", &c.encode(), &other), Err(Error::Invalid { .. })));
        assert!(
            matches!(Cursor::decode("before", "not-a-cursor!", &q), Err(Error::Invalid { ref field, .. }) if field == "before")
        );
        let longest = Cursor { keys: vec!["closed".into(), "\u{1}".repeat(200).into()], ..c.clone() };
        assert_eq!(Cursor::decode("after", &longest.encode(), &q).unwrap(), longest, "a 200-character name");
        let made_elsewhere = Cursor { keys: vec!["closed".into(), "x".repeat(MAX_CURSOR).into()], ..c.clone() };
        assert!(matches!(Cursor::decode("after", &made_elsewhere.encode(), &q), Err(Error::Invalid { .. })));
    }

    #[test]
    fn a_null_due_date_seeks_as_the_smallest_in_both_directions() {
        let asc = segments(Sort::Due, &[Value::Null], 5, false);
        let sql: Vec<String> = asc.iter().map(Where::sql).collect();
        assert_eq!(sql, ["effective_due IS NULL AND rowid > ?", "effective_due IS NOT NULL"]);
        let desc = segments(Sort::Due, &[Value::Text("2026-01-01".into())], 5, true);
        let sql: Vec<String> = desc.iter().map(Where::sql).collect();
        assert_eq!(sql, ["effective_due = ? AND rowid < ?", "effective_due < ?", "effective_due IS NULL"]);
        assert!(segments(Sort::Due, &[Value::Null], 5, true).iter().all(|w| w.sql() != "effective_due IS NOT NULL"));
    }
}
