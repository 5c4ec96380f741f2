//! `rightsdesk audit verify`: check the hash chain of the audit trail.

use clap::Subcommand;

use super::{Failure, json, open_desk};

#[derive(Subcommand)]
pub enum Command {
    /// Recompute every link of the audit chain; exit 1 and name the first broken event if any.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: Option<&std::path::Path>, command: Command) -> Result<String, Failure> {
    let desk = open_desk(db)?;
    match command {
        Command::Verify { json: as_json } => {
            let report = desk.verify_audit()?;
            if let Some(b) = &report.first_break {
                if !as_json {
                    return Err(Failure {
                        message: format!(
                            "audit chain broken at event #{} ({}, request {}): {}",
                            b.seq,
                            b.event_id,
                            b.reference.as_deref().unwrap_or("unknown"),
                            b.problem
                        ),
                        code: 1,
                        stdout: false,
                    });
                }
                // With --json the report goes to stdout, and the exit code still says it failed.
                return Err(Failure { message: json(&report)?, code: 1, stdout: true });
            }
            if as_json {
                json(&report)
            } else {
                Ok(format!("audit chain intact: {} events checked", report.events_checked))
            }
        }
    }
}
