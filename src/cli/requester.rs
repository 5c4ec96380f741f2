//! `rightsdesk requester …`: the person behind requests, and blocked sender addresses.

use clap::Subcommand;

use super::{Ctx, Failure};
use rightsdesk::dates;
use rightsdesk::ops::{self, Operation};
use rightsdesk::store::BlockedSender;

#[derive(Subcommand)]
pub enum Command {
    /// A requester's record and the history of their requests (give the requester id, or a request's reference).
    Show(ops::requesters::GetRequester),
    /// Sender addresses blocked as spam.
    Blocked,
    /// Take an address off the spam list.
    Unblock(ops::requesters::UnblockSender),
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Show(op) => ctx.show(&op.run(&desk)?, |v| {
            let mut lines = vec![format!(
                "{} <{}> · {} request(s){}",
                v.record.name,
                v.record.email.as_deref().unwrap_or("no email"),
                v.requests.len(),
                if v.blocked.is_some() { " · sender blocked" } else { "" }
            )];
            lines.extend(v.requests.iter().map(|q| {
                format!("  {} {} {} {}", q.row.reference, dates::fmt(q.row.received), q.row.kind, q.row.status)
            }));
            lines.join("\n")
        }),
        Command::Blocked => ctx.show(&ops::requesters::ListBlockedSenders.run(&desk)?, |l: &Vec<BlockedSender>| {
            l.iter().map(|b| format!("{} ({}, {})", b.email, b.reason, b.blocked_at)).collect::<Vec<_>>().join("\n")
        }),
        Command::Unblock(op) => {
            let email = op.email.clone();
            op.run(&desk)?;
            Ok(format!("{email} is no longer blocked"))
        }
    }
}
