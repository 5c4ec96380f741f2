//! `rightsdesk evidence …`: identity evidence housekeeping.

use clap::Subcommand;

use super::{Ctx, Failure};
use rightsdesk::ops::{self, Operation};

#[derive(Subcommand)]
pub enum Command {
    /// Delete the identity evidence of requests answered more than the retention period ago (or, with --request,
    /// of one answered request now). Names, sizes and SHA-256 hashes stay on record.
    Purge(ops::identity::PurgeEvidence),
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Purge(op) => ctx.show(&op.run(&desk)?, |r| {
            format!("purged {} evidence file(s), {} bytes, of {} request(s)", r.files, r.bytes, r.requests)
        }),
    }
}
