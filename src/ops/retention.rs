//! The retention purge of closed requests.

use serde::Deserialize;

use super::op;
use crate::desk::RetentionReport;

/// The retention period and what is due under it (a dry run of the purge).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetRetention;
op!(GetRetention => RetentionReport, |_, d| d.purge_expired(true));

/// Set the retention period in months; what is then due (a dry run).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetRetentionMonths {
    pub months: u32,
}
op!(SetRetentionMonths => RetentionReport, |i, d| {
    d.set_retention_months(i.months)?;
    d.purge_expired(true)
});

/// Purge now what the retention period has made due.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PurgeExpired;
op!(PurgeExpired => RetentionReport, |_, d| d.purge_expired(false));
