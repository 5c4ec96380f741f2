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
    #[arg(long)]
    pub calendar: String,
    #[arg(long = "date", value_name = "DATE")]
    pub day: String,
    #[arg(long)]
    pub label: String,
}
op!(AddNonWorkingDay => RecomputeReport, |i, d| d.add_non_working_day(&i.calendar, &i.day, &i.label));

/// Take back a declared non-working day, with a reason.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoveNonWorkingDay {
    #[arg(long)]
    pub calendar: String,
    #[arg(long = "date", value_name = "DATE")]
    pub day: String,
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
    #[arg(long)]
    pub regime: String,
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
