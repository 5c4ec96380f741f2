//! `rightsdesk calendar …`: the organisation's non-working days and the deadline calendar export.

use clap::Subcommand;

use super::{Ctx, Failure};
use rightsdesk::dates;
use rightsdesk::desk::RecomputeReport;
use rightsdesk::ops::{self, Operation, SaveTo};
use rightsdesk::store::CalendarDay;

#[derive(Subcommand)]
pub enum Command {
    /// Declare a non-working day on a holiday calendar; every open request on it is recomputed (and audited).
    AddDay(ops::calendar::AddNonWorkingDay),
    /// Take back a day the organisation declared; open requests are recomputed.
    RemoveDay(ops::calendar::RemoveNonWorkingDay),
    /// The non-working days the organisation declared, in force now.
    Days,
    /// Every open request's deadlines as an iCalendar file (no requester names in it).
    Export {
        /// The iCalendar file to write (.ics).
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
        #[arg(long)]
        force: bool,
    },
}

fn report(r: &RecomputeReport) -> String {
    let what = if r.added { "is now a non-working day" } else { "is a working day again" };
    format!(
        "{} {what} on {}: {} open request(s) checked, {} with new dates",
        dates::fmt(r.day),
        r.calendar,
        r.checked,
        r.changed
    )
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::AddDay(op) => ctx.show(&op.run(&desk)?, report),
        Command::RemoveDay(op) => ctx.show(&op.run(&desk)?, report),
        Command::Days => ctx.show(&ops::calendar::ListCalendarDays.run(&desk)?, |days: &Vec<CalendarDay>| {
            days.iter()
                .map(|d| format!("{} {} {} (added {} by {})", d.calendar, dates::fmt(d.day), d.label, d.at, d.actor))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        Command::Export { out, force } => {
            let done = ops::calendar::ExportDeadlines { save: SaveTo { out: Some(out), force } }.run(&desk)?;
            ctx.show(&done, |d| format!("wrote {} deadline(s) to {}", d.events, d.file))
        }
    }
}
