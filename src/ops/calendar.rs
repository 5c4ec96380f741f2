//! The organisation's non-working days, internal targets and the deadline calendar.

use serde::{Deserialize, Serialize};

use super::{SaveTo, op};
use crate::desk::{RecomputeCount, RecomputeReport, TargetSetting};
use crate::store::CalendarDay;

/// The non-working days the organisation declared (and removed), newest first.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListCalendarDays;
op!(ListCalendarDays => Vec<CalendarDay>, |_, d| d.calendar_days());

/// Declare a non-working day in a calendar; open requests' dates are derived again.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddNonWorkingDay {
    /// The holiday calendar: a country or region code (FR, DE-BY, GB-SCT, US-CA).
    #[arg(long, value_name = "CODE")]
    pub calendar: String,
    /// The day (YYYY-MM-DD).
    #[arg(long = "date", value_name = "YYYY-MM-DD")]
    pub day: String,
    /// What the day is, as the calendar shows it (e.g. "Company closure").
    #[arg(long)]
    pub label: String,
}
op!(AddNonWorkingDay => RecomputeReport, |i, d| d.add_non_working_day(&i.calendar, &i.day, &i.label));

/// Take back a declared non-working day, with a reason.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoveNonWorkingDay {
    /// The holiday calendar the day was declared on (FR, DE-BY, GB-SCT, US-CA).
    #[arg(long, value_name = "CODE")]
    pub calendar: String,
    /// The day (YYYY-MM-DD).
    #[arg(long = "date", value_name = "YYYY-MM-DD")]
    pub day: String,
    /// Why it is a working day after all (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}
op!(RemoveNonWorkingDay => RecomputeReport, |i, d| d.remove_non_working_day(&i.calendar, &i.day, &i.reason));

/// The internal target per regime (working days before the statutory date).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetTargetSettings;
op!(GetTargetSettings => Vec<TargetSetting>, |_, d| Ok(d.target_settings()));

/// Set a regime's internal target; open requests' targets are derived again.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetTargetDays {
    /// The law it applies to (eu-gdpr, uk-gdpr, us-ca-ccpa, …).
    #[arg(long)]
    pub regime: String,
    /// Working days before the statutory due date.
    #[arg(long)]
    pub days: u32,
}
op!(SetTargetDays => RecomputeCount, |i, d| d.set_target_working_days(&i.regime, i.days));

/// Every open deadline as an .ics calendar (no names in it).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportDeadlines {
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
}

/// What the deadline export wrote.
#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeadlinesExport {
    /// How many calendar events (dates of open requests) it holds.
    pub events: u32,
    /// The path written.
    pub file: String,
}

op!(ExportDeadlines => DeadlinesExport, |i, d| {
    let (path, existing) = i.save.resolve(&format!("rightsdesk-deadlines-{}.ics", crate::dates::fmt(d.today())))?;
    let events = d.export_deadlines(&path, existing)?;
    Ok(DeadlinesExport { events, file: path.display().to_string() })
});
