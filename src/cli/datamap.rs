//! `rightsdesk datamap …`: the organisation's systems that hold personal data.

use clap::Subcommand;

use super::{Ctx, Failure};
use rightsdesk::desk::SystemInput;
use rightsdesk::ops::{self, Operation};
use rightsdesk::store::System;

#[derive(Subcommand)]
pub enum Command {
    /// Put a system on the data map (new requests get it on their checklist).
    Add(ops::datamap::AddSystem),
    /// Change a system's owner, contents or backup flag.
    Update {
        /// The system's name, as on the data map (`datamap list`).
        name: String,
        /// Who answers for it: a person or team.
        #[arg(long)]
        owner: String,
        /// What personal data it holds, in a few words.
        #[arg(long)]
        holds: String,
        /// It has backups (an erasure there can be "beyond use" until they expire); without it, none.
        #[arg(long)]
        backup: bool,
    },
    /// Take a system off new checklists (existing ones keep it).
    Retire(ops::datamap::RetireSystem),
    /// The systems on the data map, retired ones included.
    List,
}

fn text(s: &System) -> String {
    format!(
        "{}{} — {} — {}{}",
        s.name,
        if s.is_backup { " (backup)" } else { "" },
        s.owner,
        s.holds,
        if s.retired_at.is_some() { " [retired]" } else { "" }
    )
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Add(op) => ctx.show(&op.run(&desk)?, text),
        Command::Update { name, owner, holds, backup } => {
            let input = SystemInput { name: name.clone(), owner, holds, is_backup: backup };
            ctx.show(&ops::datamap::UpdateSystem { id: name, input }.run(&desk)?, text)
        }
        Command::Retire(op) => ctx.show(&op.run(&desk)?, text),
        Command::List => {
            ctx.show(&ops::datamap::ListSystems.run(&desk)?, |l| l.iter().map(text).collect::<Vec<_>>().join("\n"))
        }
    }
}
