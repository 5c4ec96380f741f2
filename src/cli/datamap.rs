//! `rightsdesk datamap …`: the organisation's systems that hold personal data.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::desk::SystemInput;
use rightsdesk::store::System;

#[derive(Subcommand)]
pub enum Command {
    /// Put a system on the data map (new requests get it on their checklist).
    Add {
        #[arg(long)]
        name: String,
        /// Who answers for it (team or person).
        #[arg(long)]
        owner: String,
        /// What personal data it holds.
        #[arg(long)]
        holds: String,
        /// A backup: an erasure may put the data beyond use there until the backup expires.
        #[arg(long)]
        backup: bool,
    },
    /// Change a system's owner, contents or backup flag.
    Update {
        name: String,
        #[arg(long)]
        owner: String,
        #[arg(long)]
        holds: String,
        #[arg(long)]
        backup: bool,
    },
    /// Take a system off new checklists (existing ones keep it).
    Retire {
        name: String,
    },
    List,
}

fn out(s: &System, as_json: bool) -> Result<String, Failure> {
    if as_json {
        return json(s);
    }
    Ok(format!(
        "{}{} — {} — {}{}",
        s.name,
        if s.is_backup { " (backup)" } else { "" },
        s.owner,
        s.holds,
        if s.retired_at.is_some() { " [retired]" } else { "" }
    ))
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Command::Add { name, owner, holds, backup } => {
            out(&desk.add_system(SystemInput { name, owner, holds, is_backup: backup })?, as_json)
        }
        Command::Update { name, owner, holds, backup } => out(
            &desk.update_system(&name, SystemInput { name: name.clone(), owner, holds, is_backup: backup })?,
            as_json,
        ),
        Command::Retire { name } => out(&desk.retire_system(&name)?, as_json),
        Command::List => {
            let systems = desk.systems()?;
            if as_json {
                return json(&systems);
            }
            Ok(systems.iter().map(|s| out(s, false)).collect::<Result<Vec<_>, _>>()?.join("\n"))
        }
    }
}
