//! `rightsdesk requester …`: the person behind requests, and blocked sender addresses.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::dates;

#[derive(Subcommand)]
pub enum Command {
    /// A requester's record and the history of their requests (give the requester id, or a request's reference).
    Show { id_or_reference: String },
    /// Sender addresses blocked as spam.
    Blocked,
    /// Take an address off the spam list.
    Unblock { email: String },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Command::Show { id_or_reference } => {
            let id = match desk.store().read(|r| r.request(&id_or_reference)) {
                Ok(r) => r.requester_id.unwrap_or_default(),
                Err(_) => id_or_reference,
            };
            let v = desk.requester(&id)?;
            if as_json {
                return json(&v);
            }
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
            Ok(lines.join("\n"))
        }
        Command::Blocked => {
            let list = desk.blocked_senders()?;
            if as_json {
                return json(&list);
            }
            Ok(list
                .iter()
                .map(|b| format!("{} ({}, {})", b.email, b.reason, b.blocked_at))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        Command::Unblock { email } => {
            desk.unblock_sender(&email)?;
            Ok(format!("{email} is no longer blocked"))
        }
    }
}
