//! `rightsdesk register copy`: move a desk's register to a team server (PostgreSQL), checked at the end.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Failure};

#[derive(Subcommand)]
pub enum Command {
    /// Keep the password of the team register named by --db (postgres://USER@HOST/DATABASE) in the OS keyring, read
    /// from the first line of standard input: the window and the command line then connect without PGPASSWORD.
    Password,
    /// Copy the register in a database file to an empty team register on a PostgreSQL server, or a team register
    /// back into a new register file (with --unencrypted): every request, event (the audit chain intact), setting
    /// and file, then checked there (the same requests and events, the chain and rows verified, every file read
    /// back). The register copied from is left as it was.
    Copy {
        /// The register's database file (unlocked as usual: RIGHTSDESK_PASSPHRASE, --passphrase-stdin, keyring), or a
        /// team register: postgres://USER@HOST[:PORT]/DATABASE.
        #[arg(long, value_name = "PATH|URL")]
        from: PathBuf,
        /// The team register: postgres://USER@HOST[:PORT]/DATABASE (an empty database; see --db), or the new
        /// register file a team register is copied back into.
        #[arg(long, value_name = "URL|PATH")]
        to: String,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    match command {
        Command::Password => {
            let db = ctx.db_arg().ok_or_else(|| {
                Failure::from(rightsdesk::Error::invalid("db", "name the team register with --db postgres://…"))
            })?;
            let password = super::secret_from_stdin("password")?;
            let account = rightsdesk::desk::keep_team_password(&db.to_string_lossy(), &password)?;
            Ok(format!("the password of {account} is kept in the OS keyring"))
        }
        Command::Copy { from, to } => {
            let clock = rightsdesk::desk::Clock::from_env()?;
            let report = rightsdesk::desk::copy_register(&from, &ctx.access()?, &to, clock)?;
            ctx.show(&report, |r| {
                format!(
                    "copied to {}: {} requests, {} events ({} rows), {} files ({} bytes); the audit chain verifies \
                     there and ends at {}",
                    r.to, r.requests, r.events, r.rows, r.files, r.bytes, r.chain_head
                )
            })
        }
    }
}
