//! Requests: rows in, rows out, and the queue query (paged, filtered and sorted in SQL).
//!
//! What a row holds and how it is read back is the same on every engine: [`Columns`] is a result row of either,
//! [`request_from`] and [`request_row_from`] read a request and a queue line from one, and [`insert_cells`] /
//! [`update_cells`] are the values a row is written with. Only the SQL around them is the engine's.

use std::borrow::Cow;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use super::sqlite::{Reader, Tx};
use crate::dates::{self, iso};
use crate::domain::{Channel, ClockFacts, Dates, RefusalCategory, Request, RequestKind, Requester, Status};
use crate::error::{Error, Result};

pub(crate) const COLUMNS: &str = "id, reference, kind, regime, calendar, channel, received, status, requester_name, \
    requester_email, requester_phone, requester_address, requester_account, language, description, notes, \
    outcome_reason, external_id, requester_id, refusal_category, refusal_basis, agent, identity_requested_on, verified_on, fee_paid_on, pauses, extended_on, due_override, rule_kind, clock_start, \
    acknowledge_by, due, extended_due, effective_due, internal_target, paused_days, created_at, updated_at, closed_at, purged_at, owner";

/// A column of a result row: by name, or by position where a scan reads many rows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At<'a> {
    Name(&'a str),
    Index(usize),
}

impl At<'_> {
    fn label(self) -> String {
        match self {
            At::Name(name) => name.to_string(),
            At::Index(i) => format!("column {i}"),
        }
    }
}

/// A result row of either engine, as the row mappings the engines share read it. The values are the SQLite
/// register's forms on both: text (days, timestamps, ids, JSON) and integers.
pub(crate) trait Columns {
    /// The engine's own error: a mapping runs inside the engine's row callbacks.
    type Error;
    fn text(&self, at: At) -> std::result::Result<Option<String>, Self::Error>;
    fn integer(&self, at: At) -> std::result::Result<Option<i64>, Self::Error>;
    /// The error for a stored value that is not what its column holds.
    fn corrupt(&self, at: At, value: &str) -> Self::Error;

    fn required_text(&self, at: At) -> std::result::Result<String, Self::Error> {
        self.text(at)?.ok_or_else(|| self.corrupt(at, "null"))
    }

    fn required_integer(&self, at: At) -> std::result::Result<i64, Self::Error> {
        self.integer(at)?.ok_or_else(|| self.corrupt(at, "null"))
    }

    /// A stable id (kind, status, channel …) parsed by `parse`.
    fn id<T>(&self, at: At, parse: fn(&str) -> Option<T>) -> std::result::Result<T, Self::Error> {
        let s = self.required_text(at)?;
        parse(&s).ok_or_else(|| self.corrupt(at, &s))
    }

    /// A day (`YYYY-MM-DD`).
    fn day(&self, at: At) -> std::result::Result<Option<Date>, Self::Error> {
        self.text(at)?.map(|s| dates::parse(&s).map_err(|_| self.corrupt(at, &s))).transpose()
    }

    /// The day of a timestamp (its first ten characters), or a day.
    fn day_of(&self, at: At) -> std::result::Result<Option<Date>, Self::Error> {
        self.text(at)?.map(|s| dates::parse(s.get(..10).unwrap_or(&s)).map_err(|_| self.corrupt(at, &s))).transpose()
    }

    fn required_day(&self, at: At) -> std::result::Result<Date, Self::Error> {
        self.day(at)?.ok_or_else(|| self.corrupt(at, "null"))
    }

    /// An RFC 3339 timestamp.
    fn time(&self, at: At) -> std::result::Result<Option<time::OffsetDateTime>, Self::Error> {
        self.text(at)?
            .map(|t| {
                time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| self.corrupt(at, &t))
            })
            .transpose()
    }

    /// JSON text, read as `T`.
    fn json<T: serde::de::DeserializeOwned>(&self, at: At) -> std::result::Result<Option<T>, Self::Error> {
        self.text(at)?.map(|s| serde_json::from_str(&s).map_err(|_| self.corrupt(at, &s))).transpose()
    }
}

impl Columns for Row<'_> {
    type Error = rusqlite::Error;

    fn text(&self, at: At) -> rusqlite::Result<Option<String>> {
        match at {
            At::Name(name) => self.get(name),
            At::Index(i) => self.get(i),
        }
    }

    fn integer(&self, at: At) -> rusqlite::Result<Option<i64>> {
        match at {
            At::Name(name) => self.get(name),
            At::Index(i) => self.get(i),
        }
    }

    fn corrupt(&self, at: At, value: &str) -> rusqlite::Error {
        let i = match at {
            At::Index(i) => i,
            At::Name(name) => self.as_ref().column_index(name).unwrap_or(0),
        };
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("bad {} '{value}'", at.label()).into(),
        )
    }
}

pub fn timestamp(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A request from a row of [`COLUMNS`] (by name: the row may hold other columns too).
pub(crate) fn request_from<C: Columns + ?Sized>(row: &C) -> std::result::Result<Request, C::Error> {
    fn col(name: &str) -> At<'_> {
        At::Name(name)
    }
    let time = |name: &'static str| row.time(col(name))?.ok_or_else(|| row.corrupt(col(name), "null"));
    Ok(Request {
        id: row.id(col("id"), |s| Uuid::parse_str(s).ok())?,
        reference: row.required_text(col("reference"))?,
        kind: row.id(col("kind"), RequestKind::parse)?,
        regime: row.required_text(col("regime"))?,
        calendar: row.required_text(col("calendar"))?,
        channel: row.id(col("channel"), Channel::parse)?,
        received: row.required_day(col("received"))?,
        status: row.id(col("status"), Status::parse)?,
        requester: Requester {
            name: row.required_text(col("requester_name"))?,
            email: row.text(col("requester_email"))?,
            phone: row.text(col("requester_phone"))?,
            address: row.text(col("requester_address"))?,
            account: row.text(col("requester_account"))?,
        },
        language: row.required_text(col("language"))?,
        description: row.required_text(col("description"))?,
        notes: row.required_text(col("notes"))?,
        outcome_reason: row.text(col("outcome_reason"))?,
        external_id: row.text(col("external_id"))?,
        requester_id: row.text(col("requester_id"))?,
        refusal_category: row
            .text(col("refusal_category"))?
            .map(|c| RefusalCategory::parse(&c).ok_or_else(|| row.corrupt(col("refusal_category"), &c)))
            .transpose()?,
        refusal_basis: row.text(col("refusal_basis"))?,
        agent: row.json(col("agent"))?,
        owner: row.text(col("owner"))?,
        identity_requested_on: row.day(col("identity_requested_on"))?,
        facts: ClockFacts {
            verified_on: row.day(col("verified_on"))?,
            fee_paid_on: row.day(col("fee_paid_on"))?,
            pauses: row.json(col("pauses"))?.ok_or_else(|| row.corrupt(col("pauses"), "null"))?,
            extended_on: row.day(col("extended_on"))?,
            due_override: row.day(col("due_override"))?,
        },
        dates: Dates {
            rule_kind: row.text(col("rule_kind"))?,
            clock_start: row.day(col("clock_start"))?,
            acknowledge_by: row.day(col("acknowledge_by"))?,
            due: row.day(col("due"))?,
            extended_due: row.day(col("extended_due"))?,
            effective_due: row.day(col("effective_due"))?,
            internal_target: row.day(col("internal_target"))?,
            paused_days: {
                let days = row.required_integer(col("paused_days"))?;
                u32::try_from(days).map_err(|_| row.corrupt(col("paused_days"), &days.to_string()))?
            },
        },
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
        closed_at: row.time(col("closed_at"))?,
        purged_at: row.time(col("purged_at"))?,
    })
}

pub(super) fn to_request(row: &Row) -> rusqlite::Result<Request> {
    request_from(row)
}

fn opt_date(d: Option<Date>) -> Option<String> {
    d.map(dates::fmt)
}

/// A value a request row is written with, borrowed from the request where it is text already (no copy per row of
/// an import): text (or NULL) or an integer, the only kinds of value the row holds.
#[derive(Debug, Clone)]
pub(crate) enum Cell<'a> {
    Text(Option<Cow<'a, str>>),
    Integer(i64),
}

/// A column's name and the value it is written with.
pub(crate) type Cells<'a> = Vec<(&'static str, Cell<'a>)>;

fn owned(v: Option<String>) -> Cell<'static> {
    Cell::Text(v.map(Cow::Owned))
}

fn borrowed(v: &str) -> Cell<'_> {
    Cell::Text(Some(Cow::Borrowed(v)))
}

fn borrowed_opt(v: Option<&str>) -> Cell<'_> {
    Cell::Text(v.map(Cow::Borrowed))
}

/// Every column a request row holds after its creation, with its value: the one list both INSERT and UPDATE use.
pub(crate) fn update_cells(r: &Request) -> Result<Cells<'_>> {
    let pauses = serde_json::to_string(&r.facts.pauses).map_err(|e| Error::Corrupt(e.to_string()))?;
    let agent = r.agent.as_ref().map(serde_json::to_string).transpose().map_err(|e| Error::Corrupt(e.to_string()))?;
    let date = |d: Option<Date>| owned(opt_date(d));
    let mut cells = vec![
        ("kind", borrowed(r.kind.id())),
        ("regime", borrowed(&r.regime)),
        ("calendar", borrowed(&r.calendar)),
        ("channel", borrowed(r.channel.id())),
        ("received", owned(Some(dates::fmt(r.received)))),
        ("status", borrowed(r.status.id())),
        ("requester_name", borrowed(&r.requester.name)),
        ("requester_email", borrowed_opt(r.requester.email.as_deref())),
        ("requester_phone", borrowed_opt(r.requester.phone.as_deref())),
        ("requester_address", borrowed_opt(r.requester.address.as_deref())),
        ("requester_account", borrowed_opt(r.requester.account.as_deref())),
        ("language", borrowed(&r.language)),
        ("description", borrowed(&r.description)),
        ("notes", borrowed(&r.notes)),
        ("outcome_reason", borrowed_opt(r.outcome_reason.as_deref())),
        ("external_id", borrowed_opt(r.external_id.as_deref())),
        ("requester_id", borrowed_opt(r.requester_id.as_deref())),
        ("refusal_category", borrowed_opt(r.refusal_category.map(|c| c.id()))),
        ("refusal_basis", borrowed_opt(r.refusal_basis.as_deref())),
        ("agent", owned(agent)),
        ("owner", borrowed_opt(r.owner.as_deref())),
        ("identity_requested_on", date(r.identity_requested_on)),
        ("verified_on", date(r.facts.verified_on)),
        ("fee_paid_on", date(r.facts.fee_paid_on)),
        ("pauses", owned(Some(pauses))),
        ("extended_on", date(r.facts.extended_on)),
        ("due_override", date(r.facts.due_override)),
    ];
    cells.extend(date_cells(r));
    cells.extend([
        ("closed_at", owned(r.closed_at.map(timestamp))),
        ("is_open", Cell::Integer(i64::from(r.status.is_open()))),
    ]);
    Ok(cells)
}

/// Every column a new request row is inserted with; `import_key` for an imported row.
pub(crate) fn insert_cells<'a>(r: &'a Request, ref_seq: i64, import_key: Option<&'a str>) -> Result<Cells<'a>> {
    let mut cells = vec![
        ("id", owned(Some(r.id.to_string()))),
        ("import_key", borrowed_opt(import_key)),
        ("reference", borrowed(&r.reference)),
        ("ref_year", Cell::Integer(i64::from(r.received.year()))),
        ("ref_seq", Cell::Integer(ref_seq)),
        ("created_at", owned(Some(timestamp(r.created_at)))),
    ];
    cells.extend(update_cells(r)?);
    Ok(cells)
}

/// The derived dates a recomputation writes back (`update_dates`), after the id, in this order.
pub(crate) fn date_cells(r: &Request) -> Cells<'_> {
    let date = |d: Option<Date>| owned(opt_date(d));
    vec![
        ("rule_kind", borrowed_opt(r.dates.rule_kind.as_deref())),
        ("clock_start", date(r.dates.clock_start)),
        ("acknowledge_by", date(r.dates.acknowledge_by)),
        ("due", date(r.dates.due)),
        ("extended_due", date(r.dates.extended_due)),
        ("effective_due", date(r.dates.effective_due)),
        ("internal_target", date(r.dates.internal_target)),
        ("paused_days", Cell::Integer(i64::from(r.dates.paused_days))),
        ("updated_at", owned(Some(timestamp(r.updated_at)))),
    ]
}

/// A column's value as SQLite binds it.
type Col<'a> = (&'static str, ToSqlOutput<'a>);

fn sqlite_cells(cells: Cells<'_>) -> Vec<Col<'_>> {
    cells
        .into_iter()
        .map(|(name, cell)| {
            let value = match cell {
                Cell::Text(None) => ToSqlOutput::Owned(Value::Null),
                Cell::Text(Some(Cow::Borrowed(v))) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
                Cell::Text(Some(Cow::Owned(v))) => ToSqlOutput::Owned(Value::Text(v)),
                Cell::Integer(v) => ToSqlOutput::Owned(Value::Integer(v)),
            };
            (name, value)
        })
        .collect()
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestRow {
    pub id: Uuid,
    pub reference: String,
    pub kind: RequestKind,
    pub regime: String,
    pub status: Status,
    pub requester_name: String,
    pub requester_email: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub received: Date,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub effective_due: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub acknowledge_by: Option<Date>,
    /// The day the acknowledgement went out (None: not yet, or none was needed).
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub acknowledged_on: Option<Date>,
    pub statutory: bool,
    pub is_open: bool,
    /// Who works it (a login of the team register), if anyone was assigned.
    pub owner: Option<String>,
}

/// The columns of a queue line, in the order `request_row_from` reads them.
pub(crate) const ROW_COLUMNS: &str = "id, reference, kind, regime, status, requester_name, requester_email, \
    received, effective_due, acknowledge_by, rule_kind, is_open, acknowledged_on, owner";
/// How many columns `ROW_COLUMNS` has: a query reads its own columns after them.
pub(crate) const ROW_WIDTH: usize = 14;

/// A queue line from the first [`ROW_WIDTH`] columns of a row ([`ROW_COLUMNS`]).
pub(crate) fn request_row_from<C: Columns + ?Sized>(row: &C) -> std::result::Result<RequestRow, C::Error> {
    let at = At::Index;
    Ok(RequestRow {
        id: row.id(at(0), |s| Uuid::parse_str(s).ok())?,
        reference: row.required_text(at(1))?,
        kind: row.id(at(2), RequestKind::parse)?,
        regime: row.required_text(at(3))?,
        status: row.id(at(4), Status::parse)?,
        requester_name: row.required_text(at(5))?,
        requester_email: row.text(at(6))?,
        received: row.required_day(at(7))?,
        effective_due: row.day(at(8))?,
        acknowledge_by: row.day(at(9))?,
        statutory: row.text(at(10))?.is_some(),
        is_open: row.required_integer(at(11))? != 0,
        acknowledged_on: row.day(at(12))?,
        owner: row.text(at(13))?,
    })
}

pub(super) fn to_row(row: &Row) -> rusqlite::Result<RequestRow> {
    request_row_from(row)
}

impl Reader<'_> {
    pub fn request(&self, id_or_reference: &str) -> Result<Request> {
        let sql = format!("SELECT {COLUMNS} FROM requests WHERE id = ?1 OR reference = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id_or_reference.trim()], to_request)
            .optional()?
            .ok_or_else(|| Error::not_found("request", id_or_reference))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub open: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub overdue: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub due_soon: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub acknowledgement_due: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub on_hold: u64,
}

impl Tx<'_> {
    /// The next reference number of `year` (RD-YEAR-NNNN), reserved inside this transaction.
    pub fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        if let Some(seq) = self.bulk_reference(year)? {
            return Ok((seq, format!("RD-{year}-{seq:04}")));
        }
        let seq: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO reference_counters (year, last) VALUES (?1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            )?
            .query_row([year], |r| r.get(0))?;
        Ok((seq, format!("RD-{year}-{seq:04}")))
    }

    /// Insert a new request; `import_key` is set for imported rows (unique: a second import of the same row fails).
    pub fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        let cols = sqlite_cells(insert_cells(r, ref_seq, import_key)?);
        // The column list is the same for every row: the statement's text is made once.
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
            format!("INSERT INTO requests ({}) VALUES ({})", names.join(", "), vec!["?"; cols.len()].join(", "))
        });
        self.tx.prepare_cached(sql)?.execute(rusqlite::params_from_iter(cols.iter().map(|(_, v)| v)))?;
        // During a bulk the created event's state is known from the values in hand (not read back).
        if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
            let id = r.id.to_string();
            bulk.state =
                super::audit::inserted_state(&cols).map(|state| super::bulk::KnownState::after(&id, state, &self.tx));
        }
        Ok(())
    }

    /// Write back only the derived dates (a recomputation): the search index and the other columns' indexes are
    /// left alone, which is what keeps recomputing a large register fast.
    pub fn update_dates(&self, r: &Request) -> Result<()> {
        let cols = sqlite_cells(date_cells(r));
        let set = cols.iter().map(|(n, _)| format!("{n} = ?")).collect::<Vec<_>>().join(", ");
        let sql = format!("UPDATE requests SET {set} WHERE id = ?");
        let values = cols.into_iter().map(|(_, v)| v).chain([ToSqlOutput::Owned(Value::Text(r.id.to_string()))]);
        let changed = self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        if changed != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }

    /// Write back everything that may change after creation (status, facts, derived dates, details).
    pub fn update_request(&self, r: &Request) -> Result<()> {
        self.catch_up_search()?;
        let cols = sqlite_cells(update_cells(r)?);
        let set = cols.iter().map(|(n, _)| format!("{n} = ?")).collect::<Vec<_>>().join(", ");
        let sql = format!("UPDATE requests SET {set} WHERE id = ?");
        let values = cols.into_iter().map(|(_, v)| v).chain([ToSqlOutput::Owned(Value::Text(r.id.to_string()))]);
        let changed = self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        if changed != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }
}
