//! `rightsdesk account`: the people of a team register (add, list, set-role, disable) and `whoami`.

use clap::Subcommand;
use rightsdesk::ops::{self, Operation};
use rightsdesk::store::Account;

use super::{Ctx, Failure};

#[derive(Subcommand)]
pub enum Command {
    /// Add a person to the team register: their login is made on the server with the password read from standard
    /// input (--password-stdin), or an existing login of the server is mapped (no password). The first account of
    /// a register is added by the login that owns it, which may create roles (CREATEROLE); then by admins.
    Add {
        #[command(flatten)]
        account: ops::team::AddAccount,
        /// Make the login on the server with the password on the first line of standard input (at least 12
        /// characters).
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },
    /// The team: every account with its role, and the open requests each person owns.
    List,
    /// Change a person's role (admin, officer, contributor, auditor); their login's rights change with it.
    SetRole(ops::team::SetAccountRole),
    /// Disable an account: its login may no longer connect (--enable: enable it again).
    Disable(ops::team::SetAccountDisabled),
    /// Who is using the register: the login changes are recorded under, and its account.
    Whoami,
}

fn line(a: &Account) -> String {
    let email = a.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
    let disabled = if a.disabled { " (disabled)" } else { "" };
    format!("{}  {}{email}  {}{disabled}", a.login, a.name, a.role)
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Add { mut account, password_stdin } => {
            if password_stdin {
                let password = super::secret_from_stdin("password")?;
                if password.is_empty() {
                    return Err(Failure::usage("--password-stdin: standard input held no password".into()));
                }
                account.password = Some(password.to_string());
            }
            ctx.show(&account.run(&desk)?, |a| format!("added {}", line(a)))
        }
        Command::List => ctx.show(&ops::team::GetTeam.run(&desk)?, |t| {
            let mut lines: Vec<String> = t.accounts.iter().map(line).collect();
            if lines.is_empty() {
                lines.push("no accounts".into());
            }
            if !t.workload.is_empty() {
                lines.push(String::new());
                lines.push("open requests by owner:".into());
                lines.extend(t.workload.iter().map(|w| {
                    format!("  {}: {} open, {} overdue", w.owner.as_deref().unwrap_or("nobody"), w.open, w.overdue)
                }));
            }
            lines.join("\n")
        }),
        Command::SetRole(op) => ctx.show(&op.run(&desk)?, |a| format!("changed {}", line(a))),
        Command::Disable(op) => ctx.show(&op.run(&desk)?, |a| format!("changed {}", line(a))),
        Command::Whoami => ctx.show(&ops::team::GetMe.run(&desk)?, |m| match &m.account {
            Some(a) => line(a),
            None if m.team => format!("{} (no account on this register)", m.login),
            None => format!("{} (a register on this computer)", m.login),
        }),
    }
}
