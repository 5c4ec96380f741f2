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
