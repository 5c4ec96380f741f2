//! `rightsdesk evidence …`: identity evidence housekeeping.

use clap::Subcommand;

use super::{Failure, json, open_desk};

#[derive(Subcommand)]
pub enum Command {
    /// Delete the identity evidence of requests answered more than the retention period ago (or, with --request,
    /// of one answered request now). Names, sizes and SHA-256 hashes stay on record.
    Purge {
        #[arg(long)]
        request: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: Option<&std::path::Path>, command: Command) -> Result<String, Failure> {
    let desk = open_desk(db)?;
    match command {
        Command::Purge { request, json: as_json } => {
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
