//! Retention: closed requests older than the organisation's period (default 24 months, the CCPA record-keeping
//! minimum) are purged of personal data, on command or by the desktop shell's housekeeping. The anonymous facts
//! stay for the metrics and the regulator's log; each purge is a `purged` event on the request, and the audit chain
//! still verifies across the removed events (migrations/0009_retention.sql).

use serde::{Deserialize, Serialize};
use time::Duration;

use super::Desk;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::store;

pub const DEFAULT_RETENTION_MONTHS: u32 = 24;
/// Below two years the CCPA's record of requests (§7102(a)) could not be kept; above twenty is not retention.
pub const RETENTION_MONTHS: std::ops::RangeInclusive<u32> = 24..=240;
const BATCH: u32 = 200;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetentionReport {
    pub months: u32,
    /// Requests closed before this day are due.
    pub cutoff: String,
    /// Due now (before this run purged them, for a dry run the ones it would purge).
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub due: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub purged: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_removed: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub files_removed: u64,
    /// Purged over all time.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub purged_in_all: u64,
}

impl Desk {
    pub fn retention_months(&self) -> u32 {
        self.setting_u32("retention.months", DEFAULT_RETENTION_MONTHS)
    }

    pub fn set_retention_months(&self, months: u32) -> Result<()> {
        if !RETENTION_MONTHS.contains(&months) {
            return Err(Error::invalid(
                "months",
                format!(
                    "keep closed requests {}–{} months (the CCPA requires a record of requests for 24 months)",
                    RETENTION_MONTHS.start(),
                    RETENTION_MONTHS.end()
                ),
            ));
        }
        self.store.write(|tx| {
            let before = super::write::setting_u32(tx, "retention.months", DEFAULT_RETENTION_MONTHS)?;
            tx.set_setting("retention.months", &months.to_string())?;
            self.append_setting_event(
                tx,
                &AuditEvent::RetentionMonthsSet(ev::RetentionMonthsSet { before, after: months }),
            )
        })
    }

    /// Purge the requests closed more than the retention period ago (`dry_run`: only count them).
    pub fn purge_expired(&self, dry_run: bool) -> Result<RetentionReport> {
        let months = self.retention_months();
        let cutoff_day = months_before(self.today(), months);
        let cutoff = format!("{}T00:00:00Z", crate::dates::fmt(cutoff_day));
        let due = self.store.read(|rd| rd.count_to_purge(&cutoff))?;
        let mut report = RetentionReport { months, cutoff: crate::dates::fmt(cutoff_day), due, ..Default::default() };
        if !dry_run {
            self.purge_batches(&cutoff, months, &mut report)?;
            // Mail the officer set aside is kept no longer than a request would be.
            self.store.write(|tx| tx.forget_set_aside_mail(&cutoff))?;
            if report.purged > 0 {
                self.store.checkpoint_wal()?;
            }
        }
        report.purged_in_all = self.store.read(|rd| rd.count_purged())?;
        Ok(report)
    }

    /// Purge, a batch per transaction, until nothing is due.
    fn purge_batches(&self, cutoff: &str, months: u32, report: &mut RetentionReport) -> Result<()> {
        loop {
            let batch = self.store.read(|rd| rd.requests_to_purge(cutoff, BATCH))?;
            if batch.is_empty() {
                break;
            }
            let at = store::timestamp(self.now());
            // One transaction per batch: a crash leaves each request either purged whole or untouched.
            let done = self.store.write(|tx| {
                let mut done = vec![];
                for id in &batch {
                    let purged = tx.purge_request(id, &at)?;
                    let uuid =
                        uuid::Uuid::parse_str(id).map_err(|e| Error::Corrupt(format!("request id {id}: {e}")))?;
                    let files = (purged.attachment_files.len() + purged.evidence_files.len()) as u64;
                    let removed = serde_json::from_value(purged.removed.clone())
                        .map_err(|e| Error::Corrupt(format!("the purge record of {id}: {e}")))?;
                    let event = AuditEvent::Purged(ev::Purged {
                        reason: "retention".into(),
                        months,
                        events_removed: purged.events,
                        files_removed: files,
                        removed,
                    });
                    self.append(tx, &uuid, &at, &event)?;
                    done.push((id.clone(), purged));
                }
                Ok(done)
            })?;
            for (id, purged) in done {
                report.purged += 1;
                report.events_removed += purged.events;
                report.files_removed += (purged.attachment_files.len() + purged.evidence_files.len()) as u64;
                // The files go once their records are gone; a crash here leaves unreferenced files only.
                for dir in [self.attachments_dir().join(&id), self.evidence_dir().join(&id)] {
                    self.remove_stored_dir(&dir)?;
                }
            }
        }
        Ok(())
    }
}

/// The same day `months` months earlier (the last day of a shorter month).
fn months_before(day: time::Date, months: u32) -> time::Date {
    let total = day.year() * 12 + i32::from(u8::from(day.month())) - 1 - months as i32;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, year);
    time::Date::from_calendar_date(year, month, day.day().min(last)).unwrap_or(day - Duration::days(30 * months as i64))
}

#[cfg(test)]
mod tests {
    use super::months_before;
    use time::macros::date;

    #[test]
    fn months_back_keep_the_day_or_the_months_last() {
        assert_eq!(months_before(date!(2026 - 11 - 23), 24), date!(2024 - 11 - 23));
        assert_eq!(months_before(date!(2026 - 03 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(months_before(date!(2026 - 01 - 15), 13), date!(2024 - 12 - 15));
        assert_eq!(months_before(date!(2026 - 02 - 28), 24), date!(2024 - 02 - 28));
    }
}
