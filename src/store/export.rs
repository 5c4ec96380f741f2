//! Reads for the regulator's log and the yearly metrics: one streaming query each, so a million requests pass
//! through in constant memory (rows are handed to a callback, never collected).

use time::Date;

use super::requests::{At, Columns};
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
macro_rules! outcome {
    () => {
        "CASE WHEN r.status = 'closed' THEN coalesce(r.closed_from, 'closed') ELSE r.status END"
    };
}
pub(crate) const OUTCOME: &str = outcome!();

/// The columns of a log record, in the order [`log_record_from`] reads them (the requests table as `r`).
pub(crate) const LOG_COLUMNS: &str = "r.reference, r.kind, r.regime, r.channel, r.received, r.clock_start, \
    r.acknowledged_on, r.acknowledge_by, r.due, r.extended_due, r.effective_due, r.pauses, r.paused_days, r.status, \
    r.refusal_category, r.outcome_reason, r.closed_at";

/// A log record from a row of [`LOG_COLUMNS`] followed by [`OUTCOME`].
pub(crate) fn log_record_from<C: Columns + ?Sized>(row: &C) -> Result<LogRecord>
where
    Error: From<C::Error>,
{
    let at = At::Index;
    let reference = row.required_text(at(0))?;
    let pauses = row.required_text(at(11))?;
    Ok(LogRecord {
        kind: row.id(at(1), RequestKind::parse)?,
        regime: row.required_text(at(2))?,
        channel: row.required_text(at(3))?,
        received: row.required_day(at(4))?,
        clock_start: row.day_of(at(5))?,
        acknowledged: row.day_of(at(6))?,
        acknowledge_by: row.day_of(at(7))?,
        due: row.day_of(at(8))?,
        extended_due: row.day_of(at(9))?,
        effective_due: row.day_of(at(10))?,
        pauses: serde_json::from_str(&pauses).map_err(|e| Error::Corrupt(format!("pauses of {reference}: {e}")))?,
        paused_days: row.required_integer(at(12))?,
        status: row.id(at(13), Status::parse)?,
        refusal_category: row.text(at(14))?,
        outcome_reason: row.text(at(15))?,
        closed: row.day_of(at(16))?,
        outcome: row.id(at(17), Status::parse)?,
        reference,
    })
}

/// The columns of a metric record, in the order [`metric_record_from`] reads them (`outcome`: [`OUTCOME`]).
pub(crate) const METRIC_COLUMNS: &str =
    concat!("r.kind, ", outcome!(), " AS outcome, r.received, r.closed_at, r.effective_due");

/// A metric record from a row of [`METRIC_COLUMNS`].
pub(crate) fn metric_record_from<C: Columns + ?Sized>(row: &C) -> std::result::Result<MetricRecord, C::Error> {
    let at = At::Index;
    Ok(MetricRecord {
        kind: row.id(at(0), RequestKind::parse)?,
        outcome: row.id(at(1), Status::parse)?,
        received: row.required_day(at(2))?,
        closed: row.day_of(at(3))?,
        effective_due: row.day_of(at(4))?,
    })
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
        let source = self.requests_in(from, to)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {LOG_COLUMNS}, {OUTCOME}
               FROM {source}
              WHERE r.received >= ?1 AND r.received <= ?2 AND r.status <> 'spam'
              ORDER BY r.received, r.ref_year, r.ref_seq"
        ))?;
        let mut rows = stmt.query([dates::fmt(from), dates::fmt(to)])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(log_record_from(row)?)?;
            n += 1;
        }
        Ok(n)
    }

    /// The table to read the requests received in `[from, to]` from: the whole table in its own order when the
    /// period is most of the register, else through the `received` index.
    fn requests_in(&self, from: Date, to: Date) -> Result<&'static str> {
        Ok(if self.period_is_most_of_the_register(from, to)? { "requests r NOT INDEXED" } else { "requests r" })
    }

    /// Whether `[from, to]` spans at least a quarter of the days the register's requests were received on. Rows are
    /// stored in the order they were logged or imported, not by receipt, so a walk of the `received` index reads
    /// a page per row, out of order; over most of the register, reading the table once in its own order and
    /// sorting (in bounded memory: the sorter spills to a temporary file) is faster. Measured at 1M
    /// (docs/performance.md): the two break even near a fifth of the span.
    fn period_is_most_of_the_register(&self, from: Date, to: Date) -> Result<bool> {
        let (first, last): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT (SELECT min(received) FROM requests), (SELECT max(received) FROM requests)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let parse = |d: Option<String>| d.and_then(|d| dates::parse(&d).ok());
        let (Some(first), Some(last)) = (parse(first), parse(last)) else { return Ok(false) };
        let days = |from: Date, to: Date| (to - from).whole_days() + 1;
        Ok(days(from.max(first), to.min(last)) * 4 >= days(first, last))
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
        let source = self.requests_in(from, to)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT * FROM (
                SELECT {METRIC_COLUMNS}
                  FROM {source}
                 WHERE r.received >= ?1 AND r.received <= ?2 AND (?3 IS NULL OR r.regime = ?3))
              WHERE outcome NOT IN ('spam', 'duplicate')"
        ))?;
        let mut rows = stmt.query(rusqlite::params![dates::fmt(from), dates::fmt(to), regime])?;
        while let Some(row) = rows.next()? {
            each(metric_record_from(row)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The scans read the facts kept on the row; these tests hold them to the queries that read them from the
    //! events before schema 11, kept here as the reference, over many shapes of event trails.

    use serde_json::{Value, json};
    use time::macros::date;

    use crate::domain::{Request, RequestKind, Status};
    use crate::store::Store;

    /// The log's acknowledgement and outcome as the export computed them before schema 11.
    const OLD_LOG: &str = "SELECT r.reference,
                coalesce((SELECT substr(min(e.at), 1, 10) FROM events e
                  WHERE e.request_id = r.id
                    AND ((e.kind = 'response_sent' AND json_extract(e.data, '$.stage') = 'acknowledgement')
                      OR (e.kind = 'attachment_added'
                          AND json_extract(e.data, '$.file_name') LIKE '%-acknowledgement-%.pdf'))),
                  json_extract(r.purged_facts, '$.acknowledged')),
                CASE WHEN r.status = 'closed' THEN coalesce((SELECT json_extract(e.data, '$.from') FROM events e
                  WHERE e.request_id = r.id AND e.kind = 'status_changed'
                    AND json_extract(e.data, '$.to') = 'closed' ORDER BY e.seq DESC LIMIT 1),
                  json_extract(r.purged_facts, '$.closed_from'), 'closed')
                ELSE r.status END
           FROM requests r
          WHERE r.received >= ?1 AND r.received <= ?2 AND r.status <> 'spam'
          ORDER BY r.received, r.ref_year, r.ref_seq";

    /// The metrics' outcome as computed before schema 11.
    const OLD_METRICS: &str = "SELECT * FROM (
            SELECT r.reference, CASE WHEN r.status = 'closed' THEN coalesce((SELECT json_extract(e.data, '$.from')
                  FROM events e
                  WHERE e.request_id = r.id AND e.kind = 'status_changed'
                    AND json_extract(e.data, '$.to') = 'closed' ORDER BY e.seq DESC LIMIT 1),
                  json_extract(r.purged_facts, '$.closed_from'), 'closed')
                ELSE r.status END AS outcome
              FROM requests r
             WHERE r.received >= ?1 AND r.received <= ?2)
          WHERE outcome NOT IN ('spam', 'duplicate')
          ORDER BY 1";

    type Facts = Vec<(String, Option<String>, String)>;

    /// A small deterministic generator: the same trails on every run.
    struct Dice(u64);
    impl Dice {
        fn roll(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.roll(items.len())]
        }
    }

    const STATUSES: [Status; 8] = [
        Status::Received,
        Status::InProgress,
        Status::Fulfilled,
        Status::Refused,
        Status::Withdrawn,
        Status::Closed,
        Status::Spam,
        Status::Duplicate,
    ];

    /// One event of a trail, in one of the shapes the kinds have had (typed, older, or odd).
    fn random_event(dice: &mut Dice) -> (&'static str, Value) {
        let status = |dice: &mut Dice| json!(dice.pick(&STATUSES).id());
        match dice.roll(6) {
            0 => ("response_sent", json!({"stage": dice.pick(&["acknowledgement", "final", "extension"])})),
            1 => ("response_sent", json!({"template": "acknowledgement"})),
            2 => {
                let names = [
                    "RD-2026-0001-acknowledgement-en.pdf",
                    "RD-2026-0001-ACKNOWLEDGEMENT-fr.PDF",
                    "acknowledgement.pdf",
                    "x-acknowledgement-.pdf",
                    "scan-acknowledgement-1.pdf.txt",
                    "id-card.pdf",
                ];
                ("attachment_added", json!({"file_name": dice.pick(&names), "sha256": "ab", "size": 1}))
            }
            3 => ("status_changed", json!({"from": status(dice), "to": "closed", "reason": null})),
            4 => match dice.roll(3) {
                0 => ("status_changed", json!({"from": status(dice), "to": status(dice)})),
                1 => ("status_changed", json!({"to": "closed"})),
                _ => ("status_changed", json!({"from": null, "to": "closed"})),
            },
            _ => ("identity_checked", json!({"status": {"from": status(dice), "to": "closed"}})),
        }
    }

    fn old_facts(store: &Store, sql: &str, from: &str, to: &str) -> Facts {
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([from, to], |r| {
                let ack = if r.as_ref().column_count() == 3 { r.get(1)? } else { None };
                Ok((r.get(0)?, ack, r.get(r.as_ref().column_count() - 1)?))
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn new_log(store: &Store, from: time::Date, to: time::Date) -> Facts {
        let mut seen = vec![];
        store
            .read(|rd| {
                rd.each_log_record(from, to, &mut |rec| {
                    seen.push((rec.reference, rec.acknowledged.map(crate::dates::fmt), rec.outcome.id().to_string()));
                    Ok(())
                })
            })
            .unwrap();
        seen
    }

    /// The metrics' outcomes, sorted (its records carry no reference).
    fn new_metric_outcomes(store: &Store) -> Vec<String> {
        let mut outcomes = vec![];
        store
            .read(|rd| {
                rd.each_metric_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), None, &mut |m| {
                    outcomes.push(m.outcome.id().to_string())
                })
            })
            .unwrap();
        outcomes.sort();
        outcomes
    }

    fn request(i: usize, status: Status) -> Request {
        let received = date!(2026 - 01 - 01) + time::Duration::days((i % 40) as i64);
        let mut r =
            crate::store::contract::sample(&format!("P{i}"), "p@example.org", RequestKind::Access, status, received);
        if !status.is_open() {
            r.closed_at = Some(time::macros::datetime!(2026-03-20 09:00:00 UTC));
        }
        r
    }

    #[test]
    fn the_scans_read_what_the_old_queries_read_from_the_events() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3"), "2026-03-01T00:00:00Z", None).unwrap();
        let mut dice = Dice(0x5eed_1234_abcd_ef01);
        let mut ids = vec![];
        for i in 0..160 {
            let status = *dice.pick(&STATUSES);
            let events: Vec<_> = (0..dice.roll(7)).map(|_| random_event(&mut dice)).collect();
            let ats: Vec<String> = events
                .iter()
                .map(|_| format!("2026-03-{:02}T{:02}:00:00Z", 1 + dice.roll(28), dice.roll(24)))
                .collect();
            let r = store
                .write(|tx| {
                    let r = crate::store::contract::insert(tx, request(i, status))?;
                    for ((kind, data), at) in events.iter().zip(&ats) {
                        tx.append_event(&r.id, at, "officer", kind, data)?;
                    }
                    Ok(r)
                })
                .unwrap();
            ids.push((r.id, status));
        }
        let compare = |store: &Store| {
            // A short period is read through the index, most of the register in table order: the same rows.
            assert_eq!(
                new_log(store, date!(2026 - 01 - 05), date!(2026 - 01 - 09)),
                old_facts(store, OLD_LOG, "2026-01-05", "2026-01-09")
            );
            let (from, to) = ("2026-01-01", "2026-12-31");
            assert_eq!(
                new_log(store, date!(2026 - 01 - 01), date!(2026 - 12 - 31)),
                old_facts(store, OLD_LOG, from, to)
            );
            let mut old: Vec<String> =
                old_facts(store, OLD_METRICS, from, to).into_iter().map(|(_, _, outcome)| outcome).collect();
            old.sort();
            assert_eq!(new_metric_outcomes(store), old);
        };
        compare(&store);
        // Purged requests: their events are gone, the facts stay (the old query read `purged_facts`).
        store
            .write(|tx| {
                for (id, _) in ids.iter().filter(|(_, s)| !s.is_open()).step_by(2) {
                    let purged = tx.purge_request(&id.to_string(), "2029-01-01T00:00:00Z")?;
                    tx.append_event(
                        id,
                        "2029-01-01T00:00:00Z",
                        "rightsdesk",
                        "purged",
                        &json!({"removed": purged.removed}),
                    )?;
                }
                Ok(())
            })
            .unwrap();
        compare(&store);
        assert_eq!(store.read(|rd| rd.verify_rows()).unwrap().differing, 0);
    }
}
