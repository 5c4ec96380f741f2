//! The register's key file, `<database>.vault` beside the database: the register key wrapped once per unlock method
//! (a passphrase through Argon2id, the OS keyring, the recovery key), never the key itself. It holds no personal
//! data and nothing that opens the register without one of those secrets; it is written whole and renamed into
//! place (0600), so a crash leaves the old file or the new one.

use std::path::{Path, PathBuf};

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{RegisterKey, recovery::RecoveryKey};
use crate::error::{Error, Result};
use crate::hash::{hex, unhex};

const FORMAT: &str = "rightsdesk-vault";
const VERSION: u32 = 1;
/// A key file is a few hundred bytes; anything larger is not one.
const MAX_BYTES: u64 = 64 * 1024;
pub const KEYRING_SERVICE: &str = "org.rightsdesk.vault";

/// The key file as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: String,
    pub version: u32,
    /// The vault's own id: bound into every wrap, and the keyring entry's name.
    pub id: String,
    /// A fingerprint of the register key (HKDF of it): which key this file unwraps, told apart after `vault rotate`.
    pub key_id: String,
    pub created: String,
    pub unlock: Vec<Wrap>,
    /// Only in a pending key file (`rekey`): the re-encryption it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rekey: Option<super::rekey::Rekey>,
}

/// The register key wrapped (ChaCha20-Poly1305, the vault id and method as associated data) under one method.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Wrap {
    Passphrase {
        kdf: String,
        m_kib: u32,
        t: u32,
        p: u32,
        salt: String,
        nonce: String,
        wrapped: String,
        added: String,
    },
    /// The wrapping secret is in the OS keyring (service `org.rightsdesk.vault`, account = the vault id).
    Keyring {
        nonce: String,
        wrapped: String,
        added: String,
    },
    /// The wrapping key is HKDF-SHA256 of the recovery key shown once when the vault was made.
    Recovery {
        salt: String,
        nonce: String,
        wrapped: String,
        added: String,
    },
}

impl Wrap {
    pub fn method(&self) -> &'static str {
        match self {
            Wrap::Passphrase { .. } => "passphrase",
            Wrap::Keyring { .. } => "keyring",
            Wrap::Recovery { .. } => "recovery",
        }
    }
}

/// Where the key file of the database at `db` lives.
pub fn path_of(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".vault");
    db.with_file_name(name)
}

impl KeyFile {
    pub fn new(key: &RegisterKey, created: &str) -> KeyFile {
        KeyFile { key_id: key.id(), created: created.into(), ..KeyFile::empty() }
    }

    pub(super) fn empty() -> KeyFile {
        KeyFile {
            format: FORMAT.into(),
            version: VERSION,
            id: uuid::Uuid::new_v4().to_string(),
            key_id: String::new(),
            created: String::new(),
            unlock: vec![],
            rekey: None,
        }
    }

    /// Read the key file at `path`; `None` if there is none.
    pub fn read(path: &Path) -> Result<Option<KeyFile>> {
        let bytes = match crate::files::read_input(path, MAX_BYTES) {
            Ok(b) => b,
            Err(_) if !path.exists() => return Ok(None),
            Err(e) => return Err(e),
        };
        let damaged = |why: String| Error::Corrupt(format!("the register's key file {} {why}", path.display()));
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|e| damaged(format!("cannot be read: {e}")))?;
        if file.format != FORMAT {
            return Err(damaged("is not a Rightsdesk key file".into()));
        }
        if file.version > VERSION {
            return Err(damaged(format!("was written by a newer Rightsdesk (version {})", file.version)));
        }
        Ok(Some(file))
    }

    /// Write the file whole, replacing the one there (exclusive temporary file, synced, renamed; 0600).
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(|e| Error::Corrupt(format!("the key file: {e}")))?;
        crate::safe_file::write(path, crate::safe_file::Existing::Replace, &text)?;
        Ok(())
    }

    /// The unlock methods it holds, always in the same order.
    pub fn methods(&self) -> Vec<&'static str> {
        ["passphrase", "keyring", "recovery"].into_iter().filter(|m| self.has(m)).collect()
    }

    pub fn has(&self, method: &str) -> bool {
        self.unlock.iter().any(|w| w.method() == method)
    }

    fn aad(&self, method: &str) -> Vec<u8> {
        format!("{FORMAT}|{}|{method}", self.id).into_bytes()
    }

    /// Replace the passphrase wrap (there is at most one).
    pub fn set_passphrase(&mut self, key: &RegisterKey, passphrase: &str, at: &str) -> Result<()> {
        super::strength::require_strong(passphrase)?;
        let (m_kib, t, p) = crate::signing::ARGON2;
        let mut salt = [0u8; 16];
        crate::signing::random(&mut salt)?;
        let wrapping = crate::signing::stretch(passphrase, &salt, m_kib, t, p)?;
        let (nonce, wrapped) = seal(&wrapping, key, &self.aad("passphrase"))?;
        self.unlock.retain(|w| !matches!(w, Wrap::Passphrase { .. }));
        self.unlock.push(Wrap::Passphrase {
            kdf: "argon2id".into(),
            m_kib,
            t,
            p,
            salt: hex(&salt),
            nonce,
            wrapped,
            added: at.into(),
        });
        Ok(())
    }

    /// Replace the recovery wrap with one for `recovery`.
    pub fn set_recovery(&mut self, key: &RegisterKey, recovery: &RecoveryKey, at: &str) -> Result<()> {
        let mut salt = [0u8; 16];
        crate::signing::random(&mut salt)?;
        let wrapping = recovery.wrapping_key(&salt)?;
        let (nonce, wrapped) = seal(&wrapping, key, &self.aad("recovery"))?;
        self.unlock.retain(|w| !matches!(w, Wrap::Recovery { .. }));
        self.unlock.push(Wrap::Recovery { salt: hex(&salt), nonce, wrapped, added: at.into() });
        Ok(())
    }

    /// Keep a new wrapping secret in the OS keyring and the register key wrapped under it here.
    pub fn set_keyring(&mut self, key: &RegisterKey, at: &str) -> Result<()> {
        let mut secret = Zeroizing::new([0u8; 32]);
        crate::signing::random(&mut secret[..])?;
        keyring_entry(&self.id)?.set_password(&hex(&secret[..])).map_err(|e| {
            Error::refused(format!("the OS keyring refused the register's key ({e}): unlock with a passphrase instead"))
        })?;
        let (nonce, wrapped) = seal(&aead_key(&secret[..])?, key, &self.aad("keyring"))?;
        self.unlock.retain(|w| !matches!(w, Wrap::Keyring { .. }));
        self.unlock.push(Wrap::Keyring { nonce, wrapped, added: at.into() });
        Ok(())
    }

    /// Forget the keyring wrap, and the secret in the keyring (best effort: the wrap is gone either way).
    pub fn remove_keyring(&mut self) {
        if let Ok(entry) = keyring_entry(&self.id) {
            let _ = entry.delete_credential();
        }
        self.unlock.retain(|w| !matches!(w, Wrap::Keyring { .. }));
    }

    /// The register key through the passphrase wrap; a wrong passphrase is `Locked`.
    pub fn open_with_passphrase(&self, passphrase: &str) -> Result<RegisterKey> {
        let Some(Wrap::Passphrase { kdf, m_kib, t, p, salt, nonce, wrapped, .. }) =
            self.unlock.iter().find(|w| matches!(w, Wrap::Passphrase { .. }))
        else {
            return Err(Error::Locked(
                "this register has no passphrase: unlock it with the OS keyring or its recovery key".into(),
            ));
        };
        // Bounded: a tampered key file must not make an unlock take gigabytes or minutes.
        if kdf != "argon2id" || *m_kib > 1024 * 1024 || *t > 16 || *p > 16 {
            return Err(Error::Corrupt("the register's key file has unusable passphrase parameters".into()));
        }
        let salt = unhex(salt).ok_or_else(|| damaged_wrap("passphrase"))?;
        let wrapping = crate::signing::stretch(passphrase, &salt, *m_kib, *t, *p)?;
        open(&wrapping, nonce, wrapped, &self.aad("passphrase"))
            .ok_or_else(|| Error::Locked("this passphrase does not open the register".into()))
    }

    pub fn open_with_recovery(&self, recovery: &RecoveryKey) -> Result<RegisterKey> {
        let Some(Wrap::Recovery { salt, nonce, wrapped, .. }) =
            self.unlock.iter().find(|w| matches!(w, Wrap::Recovery { .. }))
        else {
            return Err(Error::Locked("this register has no recovery key".into()));
        };
        let salt = unhex(salt).ok_or_else(|| damaged_wrap("recovery"))?;
        open(&recovery.wrapping_key(&salt)?, nonce, wrapped, &self.aad("recovery"))
            .ok_or_else(|| Error::Locked("this recovery key does not open the register".into()))
    }

    /// The register key through the OS keyring, if it has the vault's secret.
    pub fn open_with_keyring(&self) -> Result<RegisterKey> {
        let Some(Wrap::Keyring { nonce, wrapped, .. }) = self.unlock.iter().find(|w| matches!(w, Wrap::Keyring { .. }))
        else {
            return Err(Error::Locked("this register is not kept in the OS keyring".into()));
        };
        let secret = keyring_entry(&self.id)?
            .get_password()
            .map_err(|e| Error::Locked(format!("the OS keyring does not answer for this register ({e})")))?;
        let secret = Zeroizing::new(unhex(&secret).ok_or_else(|| damaged_wrap("keyring"))?);
        open(&aead_key(&secret)?, nonce, wrapped, &self.aad("keyring"))
            .ok_or_else(|| Error::Locked("the secret in the OS keyring does not open this register".into()))
    }
}

fn damaged_wrap(method: &str) -> Error {
    Error::Corrupt(format!("the register's key file has a damaged {method} entry"))
}

/// Whether this machine has an OS keyring that answers (a lookup of an entry that does not exist says "none").
pub fn keyring_available() -> bool {
    keyring::Entry::new(KEYRING_SERVICE, "rightsdesk-probe")
        .is_ok_and(|entry| matches!(entry.get_password(), Ok(_) | Err(keyring::Error::NoEntry)))
}

fn keyring_entry(id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, id)
        .map_err(|e| Error::refused(format!("this machine has no OS keyring ({e}): unlock with a passphrase instead")))
}

pub(super) fn aead_key(bytes: &[u8]) -> Result<LessSafeKey> {
    let unbound =
        UnboundKey::new(&CHACHA20_POLY1305, bytes).map_err(|_| Error::Corrupt("cannot make a wrapping key".into()))?;
    Ok(LessSafeKey::new(unbound))
}

fn seal(wrapping: &LessSafeKey, key: &RegisterKey, aad: &[u8]) -> Result<(String, String)> {
    let mut nonce = [0u8; 12];
    crate::signing::random(&mut nonce)?;
    let mut in_out = Zeroizing::new(key.0.to_vec());
    wrapping
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut *in_out)
        .map_err(|_| Error::Corrupt("cannot wrap the register key".into()))?;
    Ok((hex(&nonce), hex(&in_out)))
}

fn open(wrapping: &LessSafeKey, nonce: &str, wrapped: &str, aad: &[u8]) -> Option<RegisterKey> {
    let nonce: [u8; 12] = unhex(nonce)?.try_into().ok()?;
    let mut in_out = Zeroizing::new(unhex(wrapped)?);
    let key = wrapping.open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut in_out[..]).ok()?;
    RegisterKey::from_bytes(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wrap_opens_only_with_its_secret_and_in_its_own_file() {
        let key = RegisterKey::generate().unwrap();
        let recovery = RecoveryKey::generate().unwrap();
        let mut file = KeyFile::new(&key, "2026-11-30T12:00:00Z");
        file.set_passphrase(&key, "correct horse battery", "t").unwrap();
        file.set_recovery(&key, &recovery, "t").unwrap();
        assert_eq!(file.methods(), ["passphrase", "recovery"]);
        assert_eq!(file.open_with_passphrase("correct horse battery").unwrap().id(), key.id());
        assert_eq!(file.open_with_recovery(&recovery).unwrap().id(), key.id());
        assert_eq!(file.open_with_passphrase("wrong horse battery").unwrap_err().code(), "locked");
        let other = RecoveryKey::generate().unwrap();
        assert_eq!(file.open_with_recovery(&other).unwrap_err().code(), "locked");
        // A wrap copied into another vault's file does not open there (the vault id is bound in).
        let mut moved = file.clone();
        moved.id = uuid::Uuid::new_v4().to_string();
        assert!(moved.open_with_passphrase("correct horse battery").is_err());
        let text = serde_json::to_string(&file).unwrap();
        assert!(!text.contains(&hex(&key.0[..])));
        assert_eq!(file.set_passphrase(&key, "short", "t").unwrap_err().code(), "invalid");
    }

    #[test]
    fn a_key_file_round_trips_and_a_foreign_or_newer_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_of(&dir.path().join("r.sqlite3"));
        assert_eq!(path.file_name().unwrap(), "r.sqlite3.vault");
        assert!(KeyFile::read(&path).unwrap().is_none());
        let key = RegisterKey::generate().unwrap();
        let mut file = KeyFile::new(&key, "t");
        file.set_recovery(&key, &RecoveryKey::generate().unwrap(), "t").unwrap();
        file.write(&path).unwrap();
        assert_eq!(KeyFile::read(&path).unwrap().unwrap().key_id, key.id());
        std::fs::write(&path, br#"{"format":"other","version":1,"id":"x","key_id":"","created":"","unlock":[]}"#)
            .unwrap();
        assert_eq!(KeyFile::read(&path).unwrap_err().code(), "corrupt");
        std::fs::write(&path, vec![b' '; 70 * 1024]).unwrap();
        assert!(KeyFile::read(&path).is_err());
    }
}
