//! Reads for the regulator's log and the yearly metrics: one streaming query each, so a million requests pass
//! through in constant memory (rows are handed to a callback, never collected).

use rusqlite::types::Type;
use time::Date;

use super::sqlite::Reader;
use crate::dates;
use crate::domain::{PauseRecord, RequestKind, Status};
use crate::error::{Error, Result};

/// One request as the regulator's log shows it: no requester's personal data, only what the request was, when,
/// and what was done.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub reference: String,
    pub kind: RequestKind,
    pub regime: String,
    pub channel: String,
    pub received: Date,
    pub clock_start: Option<Date>,
    pub acknowledged: Option<Date>,
    pub acknowledge_by: Option<Date>,
    pub due: Option<Date>,
    pub extended_due: Option<Date>,
    pub effective_due: Option<Date>,
    pub pauses: Vec<PauseRecord>,
    pub paused_days: i64,
    pub status: Status,
    pub refusal_category: Option<String>,
    pub outcome_reason: Option<String>,
    pub closed: Option<Date>,
    /// What was done: the status, or for a closed request the status it was closed from (fulfilled, refused …).
    pub outcome: Status,
}

/// The smallest facts the metrics need about one request.
#[derive(Debug, Clone, Copy)]
pub struct MetricRecord {
    pub kind: RequestKind,
    /// As [`LogRecord::outcome`].
    pub outcome: Status,
    pub received: Date,
    pub closed: Option<Date>,
    pub effective_due: Option<Date>,
}

/// What was done (`LogRecord::outcome`): the status, or for a closed request the status it was closed from.
const OUTCOME: &str = "CASE WHEN r.status = 'closed' THEN coalesce(r.closed_from, 'closed') ELSE r.status END";

fn date(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Date> {
    let s: String = row.get(i)?;
    dates::parse(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, e.into()))
}

fn opt_date(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<Date>> {
    let s: Option<String> = row.get(i)?;
    // Timestamps (closed_at) carry a time: the day is their first ten characters.
    s.map(|s| {
        dates::parse(s.get(..10).unwrap_or(&s))
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, e.into()))
    })
    .transpose()
}

fn id<T>(row: &rusqlite::Row, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = row.get(i)?;
    parse(&s).ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, format!("unknown id {s}").into()))
}

impl Reader<'_> {
    /// Every request received between `from` and `to` (inclusive) but spam, oldest first, handed to `each`.
    pub fn each_log_record(&self, from: Date, to: Date, each: impl FnMut(LogRecord) -> Result<()>) -> Result<u64> {
        // A scan of the whole register gains nothing from the 64 MiB cache writers want; filling it would only
        // hold the export's memory above what streaming needs. The connection's own size comes back after.
        self.conn.execute_batch("PRAGMA cache_size = -8192")?;
        let scanned = self.scan_log_records(from, to, each);
        self.conn.execute_batch(&format!("PRAGMA cache_size = {}", super::sqlite::CACHE_SIZE))?;
        scanned
    }

    fn scan_log_records(&self, from: Date, to: Date, mut each: impl FnMut(LogRecord) -> Result<()>) -> Result<u64> {
        // The acknowledgement day and the status a request was closed from are kept on the row by the store as
        // their events are appended (store/audit.rs, `keep_log_facts`): one indexed scan, no event read.
        let mut stmt = self.conn.prepare(&format!(
            "SELECT r.reference, r.kind, r.regime, r.channel, r.received, r.clock_start, r.acknowledged_on,
                    r.acknowledge_by, r.due, r.extended_due, r.effective_due, r.pauses, r.paused_days, r.status,
                    r.refusal_category, r.outcome_reason, r.closed_at, {OUTCOME}
               FROM requests r
              WHERE r.received >= ?1 AND r.received <= ?2 AND r.status <> 'spam'
              ORDER BY r.received, r.ref_year, r.ref_seq"
        ))?;
        let mut rows = stmt.query([dates::fmt(from), dates::fmt(to)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let pauses: String = row.get(11)?;
            let reference: String = row.get(0)?;
            let record = LogRecord {
                kind: id(row, 1, RequestKind::parse)?,
                regime: row.get(2)?,
                channel: row.get(3)?,
                received: date(row, 4)?,
                clock_start: opt_date(row, 5)?,
                acknowledged: opt_date(row, 6)?,
                acknowledge_by: opt_date(row, 7)?,
                due: opt_date(row, 8)?,
                extended_due: opt_date(row, 9)?,
                effective_due: opt_date(row, 10)?,
                pauses: serde_json::from_str(&pauses)
                    .map_err(|e| Error::Corrupt(format!("pauses of {reference}: {e}")))?,
                paused_days: row.get(12)?,
                status: id(row, 13, Status::parse)?,
                refusal_category: row.get(14)?,
                outcome_reason: row.get(15)?,
                closed: opt_date(row, 16)?,
                outcome: id(row, 17, Status::parse)?,
                reference,
            };
            each(record)?;
            n += 1;
        }
        Ok(n)
    }

    /// The facts the metrics count, for requests received in `[from, to]` under `regime` (all if `None`), spam,
    /// merged duplicates left out.
    pub fn each_metric_record(
        &self,
        from: Date,
        to: Date,
        regime: Option<&str>,
        mut each: impl FnMut(MetricRecord),
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT * FROM (
                SELECT r.kind, {OUTCOME} AS outcome, r.received, r.closed_at, r.effective_due
                  FROM requests r
                 WHERE r.received >= ?1 AND r.received <= ?2 AND (?3 IS NULL OR r.regime = ?3))
              WHERE outcome NOT IN ('spam', 'duplicate')"
        ))?;
        let mut rows = stmt.query(rusqlite::params![dates::fmt(from), dates::fmt(to), regime])?;
        while let Some(row) = rows.next()? {
            each(MetricRecord {
                kind: id(row, 0, RequestKind::parse)?,
                outcome: id(row, 1, Status::parse)?,
                received: date(row, 2)?,
                closed: opt_date(row, 3)?,
                effective_due: opt_date(row, 4)?,
            });
        }
        Ok(())
    }
}
