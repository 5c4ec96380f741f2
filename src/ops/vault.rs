//! The register's vault: whether it is encrypted, and the ways it unlocks. Secrets travel in the window's JSON
//! only; the command line reads them from standard input or the environment (`cli/vault.rs`), never from flags.

use serde::Deserialize;

use super::op;
use crate::desk::VaultStatus;

/// Whether the register is encrypted, and how it can be unlocked.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetVaultStatus;
op!(GetVaultStatus => VaultStatus, |_, d| d.vault_status());

/// Set a new passphrase (at least 10 characters); the register key is rewrapped, nothing is re-encrypted.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangePassphrase {
    pub new_passphrase: String,
}
op!(ChangePassphrase => VaultStatus, |i, d| d.change_passphrase(&i.new_passphrase));

/// Also unlock the register through the OS keyring ("unlock with my login").
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddKeyring;
op!(AddKeyring => VaultStatus, |_, d| d.add_keyring());

/// After how many idle minutes (1–240) the window locks the register.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetLockMinutes {
    /// Idle minutes before the window locks (1–240).
    #[arg(long)]
    pub minutes: u32,
}
op!(SetLockMinutes => VaultStatus, |i, d| d.set_lock_minutes(i.minutes));

/// Stop unlocking the register through the OS keyring.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoveKeyring;
op!(RemoveKeyring => VaultStatus, |_, d| d.remove_keyring());
