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
    /// A team register on a PostgreSQL server: its server guards it (logins, TLS, the server's encryption at rest),
    /// not the vault.
    pub team_server: bool,
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
                team_server: self.files_on_server(),
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
            team_server: false,
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

/// What `vault encrypt` and `vault rotate` made: the register under its new key, and the recovery key to show once.
pub struct Rekeyed {
    pub desk: Desk,
    pub recovery: Zeroizing<String>,
}

impl Desk {
    /// Encrypt this plain register under a new key unlocked by `passphrase` (and a new recovery key): copied
    /// encrypted beside it, checked, swapped in (see `vault::rekey`), the plain copy overwritten and removed. The
    /// desk is consumed: the register is opened again under its key.
    pub fn encrypt(self, passphrase: &str) -> Result<Rekeyed> {
        if self.files_on_server() {
            return Err(Error::refused(
                "a team register is guarded by its server (logins, TLS, the server's encryption at rest), not encrypted \
                 by Rightsdesk",
            ));
        }
        if self.vault.is_some() {
            return Err(Error::refused(
                "this register is encrypted already (`rightsdesk vault rotate` changes its key)",
            ));
        }
        crate::vault::strength::require_strong(passphrase)?;
        self.rekey("encrypted", Some(passphrase), false)
    }

    /// Re-encrypt everything under a new register key (a key that may have leaked is worthless after): the
    /// passphrase given (the current one) and the keyring wrap are kept for the new key, the recovery key is new.
    pub fn rotate(self, passphrase: Option<&str>) -> Result<Rekeyed> {
        let file = self.key_file()?;
        if file.has("passphrase") && passphrase.is_none() {
            return Err(Error::invalid(
                "passphrase",
                "give the register's passphrase (RIGHTSDESK_PASSPHRASE or --passphrase-stdin): it is kept for the new key",
            ));
        }
        if let Some(p) = passphrase {
            file.open_with_passphrase(p)?;
        }
        let keyring = file.has("keyring");
        self.rekey("rotated", passphrase, keyring)
    }

    fn rekey(self, change: &str, passphrase: Option<&str>, keyring: bool) -> Result<Rekeyed> {
        use crate::vault::{RegisterKey, rekey};
        let db = std::path::absolute(self.store.backend().path())
            .map_err(|e| Error::io("cannot resolve the register's path", e))?;
        let folder = self.files.clone();
        let clock = self.clock;
        let now = crate::store::timestamp(self.now());
        let pending = rekey::pending_key_file(&db);
        rekey::discard(&db, Some(&folder), &pending);

        let key = RegisterKey::generate()?;
        let recovery = RecoveryKey::generate()?;
        let mut file = KeyFile::new(&key, &now);
        if let Some(p) = passphrase {
            file.set_passphrase(&key, p, &now)?;
        }
        if keyring {
            file.set_keyring(&key, &now)?;
        }
        file.set_recovery(&key, &recovery, &now)?;

        // 1. The copies, each checked against the register as it is. The pending key file comes first, without the
        // copy's salt: a crash from here on leaves work files the next open knows to remove.
        let work = rekey::work_db(&db);
        let folder_name = folder.to_string_lossy().into_owned();
        file.rekey = Some(rekey::Rekey { database_salt: String::new(), files_folder: folder_name.clone() });
        file.write(&pending)?;
        let result = (|| {
            self.store.backend().export_encrypted(&work, &key.database_key())?;
            rekey::reseal_tree(
                &folder,
                &rekey::work_folder(&folder),
                self.file_key.as_ref(),
                &key.file_key(),
                super::register_files::MARKER,
            )?;
            let (chain, rows) = self.store.read(|r| r.verify_chain_and_rows())?;
            let copy = crate::store::Store::open(&work, &now, Some(key.database_key()))?;
            copy.write(|tx| tx.strip_stored_names().map(drop))?;
            let (copied_chain, copied_rows) = copy.read(|r| r.verify_chain_and_rows())?;
            copy.backend().checkpoint()?;
            drop(copy);
            let same = (chain.head_seq, &chain.head_hash, chain.events_checked, rows.checked, rows.differing)
                == (
                    copied_chain.head_seq,
                    &copied_chain.head_hash,
                    copied_chain.events_checked,
                    copied_rows.checked,
                    copied_rows.differing,
                );
            if !same || copied_chain.first_break.is_some() {
                return Err(Error::Corrupt(
                    "the encrypted copy does not hold the same register: nothing was changed".into(),
                ));
            }
            let salt = rekey::database_salt(&work)?
                .ok_or_else(|| Error::Corrupt("the encrypted copy has no header".into()))?;
            file.rekey = Some(rekey::Rekey { database_salt: salt, files_folder: folder_name });
            file.write(&pending)
        })();
        if let Err(e) = result {
            rekey::discard(&db, Some(&folder), &pending);
            return Err(e);
        }

        // 2. The commit point: every connection closed, the old log emptied, the copy renamed over the database.
        self.store.backend().checkpoint()?;
        let old = std::fs::OpenOptions::new().write(true).open(&db).ok();
        drop(self);
        for log in ["-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(log);
            rekey::scrub_file(std::path::Path::new(&name));
        }
        std::fs::rename(&work, &db)
            .map_err(|e| Error::io(format!("cannot put the encrypted copy in place of {}", db.display()), e))?;
        crate::safe_file::sync_folder(&db);
        // 3–5: the files, the key file, the old copies scrubbed.
        rekey::resume(&db)?;
        // Renamed over, the old database has no name left here (0): any other name is a copy's.
        if let Some(mut old) = old {
            let _ = rekey::zero(&mut old, 0);
        }

        let access = crate::vault::Access {
            passphrase: passphrase.map(|p| Zeroizing::new(p.to_string())),
            keyring,
            ..crate::vault::Access::default()
        };
        let desk = Desk::open(&db, clock, &access)?;
        let methods = file.methods().into_iter().map(String::from).collect();
        desk.store.write(|tx| {
            desk.append_setting_event(
                tx,
                &AuditEvent::VaultChanged(ev::VaultChanged { change: change.into(), methods }),
            )
        })?;
        Ok(Rekeyed { desk, recovery: recovery.display() })
    }
}
