//! `rightsdesk settings …`: the organisation's working rules (internal targets, identity and evidence periods).

use clap::Subcommand;
use serde_json::json as value;

use super::{Failure, json, open_desk};

// The names are the command words (`settings target-days`, `settings evidence-days`): the shared suffix is the unit.
#[allow(clippy::enum_variant_names)]
#[derive(Subcommand)]
pub enum Settings {
    /// How many working days before the statutory due date the internal target sits, for one regime (default 5).
    TargetDays {
        #[arg(long)]
        regime: String,
        #[arg(long)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Days after asking for identity before an unverified request is flagged, for one regime (default 30).
    UnverifiedDays {
        #[arg(long)]
        regime: String,
        #[arg(long)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Days after a request is answered before its identity evidence is deleted (default 30; 0 = at once).
    EvidenceDays {
        #[arg(long)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: Option<&std::path::Path>, command: Settings) -> Result<String, Failure> {
    let desk = open_desk(db)?;
    match command {
        Settings::TargetDays { regime, days, json: as_json } => {
            let rightsdesk::desk::RecomputeCount { checked, changed } = desk.set_target_working_days(&regime, days)?;
            if as_json {
                json(&value!({"regime": regime, "days": days, "checked": checked, "changed": changed}))
            } else {
                Ok(format!(
                    "internal target for {regime}: {days} working days before the due date ({changed} of {checked} open requests changed)"
                ))
            }
        }
        Settings::UnverifiedDays { regime, days, json: as_json } => {
            desk.set_unverified_days(&regime, days)?;
            if as_json {
                json(&value!({"regime": regime, "days": days}))
            } else {
                Ok(format!("{regime}: requests not verified {days} days after the identity request are flagged"))
            }
        }
        Settings::EvidenceDays { days, json: as_json } => {
            desk.set_evidence_retention_days(days)?;
            if as_json {
                json(&value!({"days": days}))
            } else {
                Ok(format!("identity evidence is deleted {days} days after a request is answered"))
            }
        }
    }
}
