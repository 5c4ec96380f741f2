//! Requests: rows in, rows out, and the queue query (paged, filtered and sorted in SQL).

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use super::sqlite::{Reader, Tx};
use crate::dates::{self, iso};
use crate::domain::{Channel, ClockFacts, Dates, RefusalCategory, Request, RequestKind, Requester, Status};
use crate::error::{Error, Result};

pub(super) const COLUMNS: &str = "id, reference, kind, regime, calendar, channel, received, status, requester_name, \
    requester_email, requester_phone, requester_address, requester_account, language, description, notes, \
    outcome_reason, external_id, requester_id, refusal_category, refusal_basis, agent, identity_requested_on, verified_on, fee_paid_on, pauses, extended_on, due_override, rule_kind, clock_start, \
    acknowledge_by, due, extended_due, effective_due, internal_target, paused_days, created_at, updated_at, closed_at, purged_at";

fn corrupt(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("bad {what} '{value}'").into())
}

fn date_col(row: &Row, name: &str) -> rusqlite::Result<Option<Date>> {
    let text: Option<String> = row.get(name)?;
    text.map(|t| dates::parse(&t).map_err(|_| corrupt(name, &t))).transpose()
}

fn time_col(row: &Row, name: &str) -> rusqlite::Result<Option<time::OffsetDateTime>> {
    let text: Option<String> = row.get(name)?;
    text.map(|t| {
        time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).map_err(|_| corrupt(name, &t))
    })
    .transpose()
}

pub fn timestamp(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub(super) fn to_request(row: &Row) -> rusqlite::Result<Request> {
    let id: String = row.get("id")?;
    let kind: String = row.get("kind")?;
    let channel: String = row.get("channel")?;
    let status: String = row.get("status")?;
    let pauses: String = row.get("pauses")?;
    let required = |name: &str, v: Option<Date>| v.ok_or_else(|| corrupt(name, "null"));
    Ok(Request {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        reference: row.get("reference")?,
        kind: RequestKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        regime: row.get("regime")?,
        calendar: row.get("calendar")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        received: required("received", date_col(row, "received")?)?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        requester: Requester {
            name: row.get("requester_name")?,
            email: row.get("requester_email")?,
            phone: row.get("requester_phone")?,
            address: row.get("requester_address")?,
            account: row.get("requester_account")?,
        },
        language: row.get("language")?,
        description: row.get("description")?,
        notes: row.get("notes")?,
        outcome_reason: row.get("outcome_reason")?,
        external_id: row.get("external_id")?,
        requester_id: row.get("requester_id")?,
        refusal_category: {
            let c: Option<String> = row.get("refusal_category")?;
            c.map(|c| RefusalCategory::parse(&c).ok_or_else(|| corrupt("refusal_category", &c))).transpose()?
        },
        refusal_basis: row.get("refusal_basis")?,
        agent: {
            let a: Option<String> = row.get("agent")?;
            a.map(|a| serde_json::from_str(&a).map_err(|_| corrupt("agent", &a))).transpose()?
        },
        identity_requested_on: date_col(row, "identity_requested_on")?,
        facts: ClockFacts {
            verified_on: date_col(row, "verified_on")?,
            fee_paid_on: date_col(row, "fee_paid_on")?,
            pauses: serde_json::from_str(&pauses).map_err(|_| corrupt("pauses", &pauses))?,
            extended_on: date_col(row, "extended_on")?,
            due_override: date_col(row, "due_override")?,
        },
        dates: Dates {
            rule_kind: row.get("rule_kind")?,
            clock_start: date_col(row, "clock_start")?,
            acknowledge_by: date_col(row, "acknowledge_by")?,
            due: date_col(row, "due")?,
            extended_due: date_col(row, "extended_due")?,
            effective_due: date_col(row, "effective_due")?,
            internal_target: date_col(row, "internal_target")?,
            paused_days: row.get("paused_days")?,
        },
        created_at: time_col(row, "created_at")?.ok_or_else(|| corrupt("created_at", "null"))?,
        updated_at: time_col(row, "updated_at")?.ok_or_else(|| corrupt("updated_at", "null"))?,
        closed_at: time_col(row, "closed_at")?,
        purged_at: time_col(row, "purged_at")?,
    })
}

fn opt_date(d: Option<Date>) -> Option<String> {
    d.map(dates::fmt)
}

/// A column's value borrowed from the request where it is text already (no copy per row of an import).
type Col<'a> = (&'static str, ToSqlOutput<'a>);

fn text(v: Option<String>) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(v.map_or(Value::Null, Value::Text))
}

fn borrowed(v: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes()))
}

fn borrowed_opt(v: Option<&str>) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(v.map_or(ValueRef::Null, |v| ValueRef::Text(v.as_bytes())))
}

fn integer(v: i64) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(Value::Integer(v))
}

/// Every column a request row holds after its creation, with its value: the one list both INSERT and UPDATE use.
fn mutable_columns(r: &Request) -> Result<Vec<Col<'_>>> {
    let pauses = serde_json::to_string(&r.facts.pauses).map_err(|e| Error::Corrupt(e.to_string()))?;
    let agent = r.agent.as_ref().map(serde_json::to_string).transpose().map_err(|e| Error::Corrupt(e.to_string()))?;
    let date = |d: Option<Date>| text(opt_date(d));
    Ok(vec![
        ("kind", borrowed(r.kind.id())),
        ("regime", borrowed(&r.regime)),
        ("calendar", borrowed(&r.calendar)),
        ("channel", borrowed(r.channel.id())),
        ("received", text(Some(dates::fmt(r.received)))),
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
        ("agent", text(agent)),
        ("identity_requested_on", date(r.identity_requested_on)),
        ("verified_on", date(r.facts.verified_on)),
        ("fee_paid_on", date(r.facts.fee_paid_on)),
        ("pauses", text(Some(pauses))),
        ("extended_on", date(r.facts.extended_on)),
        ("due_override", date(r.facts.due_override)),
        ("rule_kind", borrowed_opt(r.dates.rule_kind.as_deref())),
        ("clock_start", date(r.dates.clock_start)),
        ("acknowledge_by", date(r.dates.acknowledge_by)),
        ("due", date(r.dates.due)),
        ("extended_due", date(r.dates.extended_due)),
        ("effective_due", date(r.dates.effective_due)),
        ("internal_target", date(r.dates.internal_target)),
        ("paused_days", integer(i64::from(r.dates.paused_days))),
        ("updated_at", text(Some(timestamp(r.updated_at)))),
        ("closed_at", text(r.closed_at.map(timestamp))),
        ("is_open", integer(i64::from(r.status.is_open()))),
    ])
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
}

/// The columns of a queue line, in the order `to_row` reads them.
pub(super) const ROW_COLUMNS: &str = "id, reference, kind, regime, status, requester_name, requester_email, received, \
    effective_due, acknowledge_by, rule_kind, is_open, acknowledged_on";
/// How many columns `ROW_COLUMNS` has: a query reads its own columns after them.
pub(super) const ROW_WIDTH: usize = 13;

pub(super) fn to_row(row: &Row) -> rusqlite::Result<RequestRow> {
    let id: String = row.get(0)?;
    let kind: String = row.get(2)?;
    let status: String = row.get(4)?;
    Ok(RequestRow {
        id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
        reference: row.get(1)?,
        kind: RequestKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        regime: row.get(3)?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        requester_name: row.get(5)?,
        requester_email: row.get(6)?,
        received: date_col(row, "received")?.ok_or_else(|| corrupt("received", "null"))?,
        effective_due: date_col(row, "effective_due")?,
        acknowledge_by: date_col(row, "acknowledge_by")?,
        acknowledged_on: date_col(row, "acknowledged_on")?,
        statutory: row.get::<_, Option<String>>(10)?.is_some(),
        is_open: row.get(11)?,
    })
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
        let mut cols = vec![
            ("id", text(Some(r.id.to_string()))),
            ("import_key", borrowed_opt(import_key)),
            ("reference", borrowed(&r.reference)),
            ("ref_year", integer(i64::from(r.received.year()))),
            ("ref_seq", integer(ref_seq)),
            ("created_at", text(Some(timestamp(r.created_at)))),
        ];
        cols.extend(mutable_columns(r)?);
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
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE requests SET rule_kind = ?2, clock_start = ?3, acknowledge_by = ?4, due = ?5, extended_due = ?6,
                    effective_due = ?7, internal_target = ?8, paused_days = ?9, updated_at = ?10
                 WHERE id = ?1",
            )?
            .execute(params![
                r.id.to_string(),
                r.dates.rule_kind,
                opt_date(r.dates.clock_start),
                opt_date(r.dates.acknowledge_by),
                opt_date(r.dates.due),
                opt_date(r.dates.extended_due),
                opt_date(r.dates.effective_due),
                opt_date(r.dates.internal_target),
                r.dates.paused_days,
                timestamp(r.updated_at),
            ])?;
        if changed != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }

    /// Write back everything that may change after creation (status, facts, derived dates, details).
    pub fn update_request(&self, r: &Request) -> Result<()> {
        self.catch_up_search()?;
        let cols = mutable_columns(r)?;
        let set = cols.iter().map(|(n, _)| format!("{n} = ?")).collect::<Vec<_>>().join(", ");
        let sql = format!("UPDATE requests SET {set} WHERE id = ?");
        let values = cols.into_iter().map(|(_, v)| v).chain([text(Some(r.id.to_string()))]);
        let changed = self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        if changed != 1 {
            return Err(Error::not_found("request", r.reference.clone()));
        }
        Ok(())
    }
}
