//! `rightsdesk evidence …`: identity evidence housekeeping.

use clap::Subcommand;

use super::{Ctx, Failure, json};

#[derive(Subcommand)]
pub enum Command {
    /// Delete the identity evidence of requests answered more than the retention period ago (or, with --request,
    /// of one answered request now). Names, sizes and SHA-256 hashes stay on record.
    Purge {
        #[arg(long)]
        request: Option<String>,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Command::Purge { request } => {
            let report = desk.purge_evidence(request.as_deref())?;
            if as_json {
                json(&report)
            } else {
                Ok(format!(
                    "purged {} evidence file(s), {} bytes, of {} request(s)",
                    report.files, report.bytes, report.requests
                ))
            }
        }
    }
}
