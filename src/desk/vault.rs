//! The register's vault as the officer manages it: its status, and the ways it unlocks (passphrase, OS keyring,
//! recovery key). Each change rewrites the key file whole and is recorded as a `vault_changed` event of the register
//! in the same transaction (the key file is replaced before the commit: a failed write changes neither).

use serde::Serialize;
use zeroize::Zeroizing;

use super::Desk;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::vault::{KeyFile, RecoveryKey};

/// Whether the register is encrypted and how it can be unlocked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VaultStatus {
    pub encrypted: bool,
    /// `passphrase`, `keyring`, `recovery`: those the key file holds.
    pub unlock_methods: Vec<String>,
    pub database: String,
    /// The key file beside the database (encrypted registers).
    pub key_file: Option<String>,
    /// A fingerprint of the register key (not the key).
    pub key_id: Option<String>,
    pub created: Option<String>,
    /// Minutes without use after which the window locks (an encrypted register).
    pub lock_minutes: u32,
}

/// The window locks after this many idle minutes unless the officer chose otherwise.
pub const DEFAULT_LOCK_MINUTES: u32 = 15;
const LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;

impl Desk {
    /// The recovery key of a register made encrypted by this open: to be shown once, then never again.
    pub fn new_recovery_key(&self) -> Option<Zeroizing<String>> {
        self.vault.as_ref().and_then(|v| v.new_recovery.as_ref()).map(RecoveryKey::display)
    }

    pub fn is_encrypted(&self) -> bool {
        self.vault.is_some()
    }

    pub fn vault_status(&self) -> Result<VaultStatus> {
        let database = self.store.backend().path().display().to_string();
        let lock_minutes = self.setting_u32("vault.lock_minutes", DEFAULT_LOCK_MINUTES);
        let Some(vault) = &self.vault else {
            return Ok(VaultStatus {
                encrypted: false,
                unlock_methods: vec![],
                database,
                key_file: None,
                key_id: None,
                created: None,
                lock_minutes,
            });
        };
        let file = self.key_file()?;
        Ok(VaultStatus {
            encrypted: true,
            unlock_methods: file.methods().into_iter().map(String::from).collect(),
            database,
            key_file: Some(vault.path.display().to_string()),
            key_id: Some(file.key_id),
            created: Some(file.created),
            lock_minutes,
        })
    }

    /// After how many idle minutes the window locks the register.
    pub fn set_lock_minutes(&self, minutes: u32) -> Result<VaultStatus> {
        if !LOCK_MINUTES.contains(&minutes) {
            return Err(Error::invalid(
                "minutes",
                format!("lock after {} to {} idle minutes", LOCK_MINUTES.start(), LOCK_MINUTES.end()),
            ));
        }
        self.store.write(|tx| {
            let before = super::write::setting_u32(tx, "vault.lock_minutes", DEFAULT_LOCK_MINUTES)?;
            tx.set_setting("vault.lock_minutes", &minutes.to_string())?;
            self.append_setting_event(tx, &AuditEvent::LockMinutesSet(ev::LockMinutesSet { before, after: minutes }))
        })?;
        self.vault_status()
    }

    /// Set a new passphrase (the register key is rewrapped; nothing is re-encrypted).
    pub fn change_passphrase(&self, new: &str) -> Result<VaultStatus> {
        self.change_vault("passphrase_changed", |file, key, at| file.set_passphrase(key, new, at))
    }

    /// Keep the register's unlock secret in the OS keyring too ("unlock with my login").
    pub fn add_keyring(&self) -> Result<VaultStatus> {
        self.change_vault("keyring_added", |file, key, at| file.set_keyring(key, at))
    }

    /// Stop unlocking through the OS keyring (refused if nothing else would unlock it but the recovery key).
    pub fn remove_keyring(&self) -> Result<VaultStatus> {
        self.change_vault("keyring_removed", |file, _, _| {
            if !file.has("keyring") {
                return Err(Error::refused("this register is not kept in the OS keyring"));
            }
            if !file.has("passphrase") {
                return Err(Error::refused(
                    "the OS keyring is this register's only everyday unlock: set a passphrase first \
                     (`rightsdesk vault change-passphrase`)",
                ));
            }
            file.remove_keyring();
            Ok(())
        })
    }

    /// After unlocking with the recovery key: the new passphrase that replaces the lost one.
    pub fn recover_with_passphrase(&self, new: &str) -> Result<VaultStatus> {
        self.change_vault("recovered", |file, key, at| file.set_passphrase(key, new, at))
    }

    pub(crate) fn key_file(&self) -> Result<KeyFile> {
        let vault = self.vault.as_ref().ok_or_else(|| Error::refused(not_encrypted()))?;
        KeyFile::read(&vault.path)?
            .ok_or_else(|| Error::Corrupt(format!("the register's key file {} has gone missing", vault.path.display())))
    }

    fn change_vault(
        &self,
        change: &str,
        edit: impl Fn(&mut KeyFile, &crate::vault::RegisterKey, &str) -> Result<()>,
    ) -> Result<VaultStatus> {
        let vault = self.vault.as_ref().ok_or_else(|| Error::refused(not_encrypted()))?;
        let at = crate::store::timestamp(self.now());
        self.store.write(|tx| {
            // Read inside the transaction: two changes at once are serialised by the register's write lock.
            let mut file = self.key_file()?;
            edit(&mut file, &vault.key, &at)?;
            let methods = file.methods().into_iter().map(String::from).collect();
            self.append_setting_event(
                tx,
                &AuditEvent::VaultChanged(ev::VaultChanged { change: change.into(), methods }),
            )?;
            file.write(&vault.path)
        })?;
        self.vault_status()
    }
}

fn not_encrypted() -> &'static str {
    "this register is not encrypted: `rightsdesk vault encrypt` makes an encrypted copy of it"
}
