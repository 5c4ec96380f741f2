//! `rightsdesk retention …`: the purge of closed requests kept longer than the organisation's period.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::ops::{self, Operation};

#[derive(Subcommand)]
pub enum Command {
    /// Purge the personal data of requests closed more than the retention period ago (`settings retention`,
    /// default 24 months): the anonymous facts stay for the metrics and the log; each purge is audited.
    Purge {
        /// Only count what would be purged.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Purge { dry_run } => {
            let r = if dry_run {
                ops::retention::GetRetention.run(&desk)?
            } else {
                ops::retention::PurgeExpired.run(&desk)?
            };
            if ctx.json {
                json(&r)
            } else if dry_run {
                Ok(format!("{} request(s) closed before {} are due for purging ({} months)", r.due, r.cutoff, r.months))
            } else {
                Ok(format!(
                    "purged {} request(s) closed before {} ({} months): {} event(s) and {} file(s) removed; {} purged in all",
                    r.purged, r.cutoff, r.months, r.events_removed, r.files_removed, r.purged_in_all
                ))
            }
        }
    }
}
