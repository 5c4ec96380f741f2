//! The regulator's log and the yearly metrics on PostgreSQL: one query each, streamed row by row from the server
//! (`Pg::each_row`), read with the SQLite store's mappings (`store::export`).

use time::Date;

use super::Pg;
use crate::dates;
use crate::error::Result;
use crate::store::export::{LOG_COLUMNS, METRIC_COLUMNS, OUTCOME, log_record_from, metric_record_from};
use crate::store::{LogRecord, MetricRecord};

impl Pg<'_> {
    /// Every request received between `from` and `to` (inclusive) but spam, oldest first, handed to `each`. The days
    /// are `YYYY-MM-DD` text, ordered alike by every collation (same width, digits in the same places), so the
    /// `received` index serves both the range and the order; the server chooses it or a scan and sort.
    pub(super) fn each_log_record(
        &self,
        from: Date,
        to: Date,
        each: &mut dyn FnMut(LogRecord) -> Result<()>,
    ) -> Result<u64> {
        let sql = format!(
            "SELECT {LOG_COLUMNS}, {OUTCOME}
               FROM requests r
              WHERE r.received >= $1 AND r.received <= $2 AND r.status <> 'spam'
              ORDER BY r.received, r.ref_year, r.ref_seq"
        );
        self.each_row(&sql, &[&dates::fmt(from), &dates::fmt(to)], &mut |row| each(log_record_from(row)?))
    }

    /// The facts the metrics count, for requests received in `[from, to]` under `regime` (all if `None`), spam and
    /// merged duplicates left out.
    pub(super) fn each_metric_record(
        &self,
        from: Date,
        to: Date,
        regime: Option<&str>,
        each: &mut dyn FnMut(MetricRecord),
    ) -> Result<()> {
        let sql = format!(
            "SELECT * FROM (
                SELECT {METRIC_COLUMNS}
                  FROM requests r
                 WHERE r.received >= $1 AND r.received <= $2 AND ($3::text IS NULL OR r.regime = $3)) AS m
              WHERE outcome NOT IN ('spam', 'duplicate')"
        );
        self.each_row(&sql, &[&dates::fmt(from), &dates::fmt(to), &regime], &mut |row| {
            each(metric_record_from(row)?);
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use crate::domain::{RequestKind, Status};
    use crate::error::Error;
    use crate::store::contract::{Engine, sample};
    use crate::store::postgres::testing::PostgresEngine;
    use crate::store::{Store, Write};

    fn log(store: &Store, from: time::Date, to: time::Date) -> Vec<String> {
        let mut seen = vec![];
        let n = store
            .read(|rd| {
                rd.each_log_record(from, to, &mut |rec| {
                    seen.push(format!("{rec:?}"));
                    Ok(())
                })
            })
            .unwrap();
        assert_eq!(n as usize, seen.len());
        seen
    }

    fn metrics(store: &Store, regime: Option<&str>) -> Vec<String> {
        let mut seen = vec![];
        store
            .read(|rd| {
                rd.each_metric_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), regime, &mut |m| {
                    seen.push(format!("{m:?}"))
                })
            })
            .unwrap();
        seen.sort();
        seen
    }

    /// The log and the metrics read from PostgreSQL what they read from SQLite, record for record, in the same
    /// order; a callback's error stops the scan.
    #[test]
    fn the_scans_are_sqlites() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::open(&dir.path().join("r.sqlite3"), "2026-03-02T10:00:00Z", None).unwrap();
        let pg = PostgresEngine.fresh();
        let statuses =
            [Status::Received, Status::Closed, Status::Spam, Status::Fulfilled, Status::Duplicate, Status::Refused];
        let made: Vec<_> = (0..60usize)
            .map(|i| {
                let received = date!(2026 - 01 - 01) + time::Duration::days((i * 7 % 90) as i64);
                let mut r = sample(&format!("P{i}"), "p@example.org", RequestKind::Access, statuses[i % 6], received);
                r.regime = if i % 2 == 0 { "uk-gdpr".into() } else { "ccpa".into() };
                r.dates.effective_due = (i % 4 != 0).then_some(received + time::Duration::days(30));
                if !r.status.is_open() {
                    r.closed_at = Some(datetime!(2026-04-01 09:30:00.5 UTC));
                }
                r
            })
            .collect();
        for store in [&sqlite, &pg] {
            store
                .write(|tx: &dyn Write| {
                    for r in &made {
                        let mut r = r.clone();
                        let (seq, reference) = tx.next_reference(r.received.year())?;
                        r.reference = reference;
                        tx.insert_request(&r, seq, None)?;
                    }
                    Ok(())
                })
                .unwrap();
        }
        for (from, to) in
            [(date!(2026 - 01 - 01), date!(2026 - 12 - 31)), (date!(2026 - 02 - 01), date!(2026 - 02 - 10))]
        {
            let want = log(&sqlite, from, to);
            assert!(!want.is_empty());
            assert_eq!(log(&pg, from, to), want, "{from} to {to}");
        }
        for regime in [None, Some("ccpa"), Some("none-such")] {
            assert_eq!(metrics(&pg, regime), metrics(&sqlite, regime), "{regime:?}");
        }
        let mut calls = 0;
        let stopped = pg.read(|rd| {
            rd.each_log_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), &mut |_| {
                calls += 1;
                if calls == 2 { Err(Error::Export("full".into())) } else { Ok(()) }
            })
        });
        assert!(matches!(stopped, Err(Error::Export(_))), "{stopped:?}");
        assert_eq!(calls, 2);
        assert_eq!(log(&pg, date!(2026 - 01 - 01), date!(2026 - 12 - 31)).len(), 50, "the register still reads after");
    }
}
