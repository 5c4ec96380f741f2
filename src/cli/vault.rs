//! `rightsdesk vault …`: whether the register is encrypted, and the ways it unlocks. Secrets come from standard
//! input or the environment, never from the command line (other users can read a process's arguments).

use clap::Subcommand;
use zeroize::Zeroizing;

use super::{Ctx, Failure, secret_from_stdin};
use rightsdesk::desk::VaultStatus;
use rightsdesk::ops::{self, Operation};

/// The new passphrase, when `--new-passphrase-stdin` is not given.
const NEW_PASSPHRASE_ENV: &str = "RIGHTSDESK_NEW_PASSPHRASE";
/// The recovery key, when `--recovery-key-stdin` is not given.
const RECOVERY_KEY_ENV: &str = "RIGHTSDESK_RECOVERY_KEY";

#[derive(Subcommand)]
pub enum Command {
    /// Whether the register is encrypted and how it unlocks (`--json`: `encrypted`, `unlock_methods`, …).
    Status,
    /// Set a new passphrase (from --new-passphrase-stdin or RIGHTSDESK_NEW_PASSPHRASE); the register is unlocked
    /// as usual (RIGHTSDESK_PASSPHRASE, --passphrase-stdin or the OS keyring).
    ChangePassphrase {
        /// Read the new passphrase from the first line of standard input.
        #[arg(long)]
        new_passphrase_stdin: bool,
    },
    /// Also unlock the register through the OS keyring.
    AddKeyring,
    /// Stop unlocking the register through the OS keyring.
    RemoveKeyring,
    /// After how many idle minutes the window locks the register (default 15).
    LockAfter(ops::vault::SetLockMinutes),
    /// Encrypt a plain register under a new passphrase (--new-passphrase-stdin or RIGHTSDESK_NEW_PASSPHRASE): copied
    /// encrypted beside it, checked, swapped in, the plain copy overwritten and removed. Close the window first.
    Encrypt {
        /// Read the new passphrase from the first line of standard input.
        #[arg(long)]
        new_passphrase_stdin: bool,
    },
    /// Re-encrypt everything under a new register key (the current passphrase and keyring are kept; a new recovery
    /// key is shown). Close the window first.
    Rotate,
    /// Unlock with the recovery key (--recovery-key-stdin or RIGHTSDESK_RECOVERY_KEY) and set a new passphrase
    /// (--new-passphrase-stdin or RIGHTSDESK_NEW_PASSPHRASE) in place of a lost one.
    UnlockWithRecovery {
        /// Read the recovery key from the first line of standard input.
        #[arg(long)]
        recovery_key_stdin: bool,
        /// Read the new passphrase from the first line of standard input.
        #[arg(long)]
        new_passphrase_stdin: bool,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let status = match command {
        Command::Encrypt { new_passphrase_stdin } => {
            let new = secret(new_passphrase_stdin, NEW_PASSPHRASE_ENV, "new passphrase")?;
            let rekeyed = alone(ctx)?.encrypt(&new)?;
            show_recovery(&rekeyed);
            ops::vault::GetVaultStatus.run(&rekeyed.desk)?
        }
        Command::Rotate => {
            let access = ctx.access()?;
            let passphrase = access.passphrase.clone();
            let desk = alone(ctx)?;
            let rekeyed = desk.rotate(passphrase.as_deref().map(String::as_str))?;
            show_recovery(&rekeyed);
            ops::vault::GetVaultStatus.run(&rekeyed.desk)?
        }
        Command::Status => ops::vault::GetVaultStatus.run(&ctx.desk()?)?,
        Command::ChangePassphrase { new_passphrase_stdin } => {
            let desk = ctx.desk()?;
            let new = secret(new_passphrase_stdin, NEW_PASSPHRASE_ENV, "new passphrase")?;
            ops::vault::ChangePassphrase { new_passphrase: new.to_string() }.run(&desk)?
        }
        Command::AddKeyring => ops::vault::AddKeyring.run(&ctx.desk()?)?,
        Command::RemoveKeyring => ops::vault::RemoveKeyring.run(&ctx.desk()?)?,
        Command::LockAfter(input) => input.run(&ctx.desk()?)?,
        Command::UnlockWithRecovery { recovery_key_stdin, new_passphrase_stdin } => {
            if recovery_key_stdin && new_passphrase_stdin {
                return Err(Failure::usage(format!(
                    "only one secret can come from standard input: give the other in {RECOVERY_KEY_ENV} or \
                     {NEW_PASSPHRASE_ENV}"
                )));
            }
            let recovery = secret(recovery_key_stdin, RECOVERY_KEY_ENV, "recovery key")?;
            let new = secret(new_passphrase_stdin, NEW_PASSPHRASE_ENV, "new passphrase")?;
            let access = rightsdesk::vault::Access { recovery: Some(recovery), ..ctx.access()? };
            rightsdesk::Desk::recover_with_passphrase(&ctx.desk_with(access)?, &new)?
        }
    };
    ctx.show(&status, human)
}

/// The register, opened by this command alone: re-encrypting it under another process (the window) would leave
/// that process writing to the replaced file.
fn alone(ctx: &Ctx) -> Result<rightsdesk::Desk, Failure> {
    let path = rightsdesk::desk::resolve_db_path(ctx.db())?;
    if rightsdesk::vault::rekey::open_elsewhere(&path) {
        return Err(Failure::from(format!(
            "{} is open in another window or command: close Rightsdesk there first",
            path.display()
        )));
    }
    ctx.desk()
}

fn show_recovery(rekeyed: &rightsdesk::desk::Rekeyed) {
    super::out::stderr(&format!(
        "note: the register is now under a new key. Its recovery key opens it if the passphrase is lost; earlier \
         recovery keys no longer do. Write it down and keep it apart from this computer, it is shown only now: {}",
        rekeyed.recovery.as_str()
    ));
}

fn secret(stdin: bool, env: &str, what: &str) -> Result<Zeroizing<String>, Failure> {
    if stdin {
        return secret_from_stdin(what);
    }
    match std::env::var(env) {
        Ok(v) if !v.is_empty() => Ok(Zeroizing::new(v)),
        _ => Err(Failure::usage(format!(
            "give the {what} on standard input (--{}-stdin) or in {env}",
            what.replace(' ', "-")
        ))),
    }
}

fn human(s: &VaultStatus) -> String {
    if s.team_server {
        return format!(
            "{}: a team register on a PostgreSQL server — its logins, TLS and the server's own encryption at rest \
             guard it, not Rightsdesk's vault",
            s.database
        );
    }
    if !s.encrypted {
        return format!(
            "{}: NOT encrypted — anyone who can read the file can read the register (`rightsdesk vault encrypt`)",
            s.database
        );
    }
    format!(
        "{}: encrypted (SQLCipher, files sealed); unlocks with: {}; key {} (key file {}); the window locks after {} idle minutes",
        s.database,
        s.unlock_methods.join(", "),
        s.key_id.as_deref().unwrap_or("?"),
        s.key_file.as_deref().unwrap_or("?"),
        s.lock_minutes
    )
}
