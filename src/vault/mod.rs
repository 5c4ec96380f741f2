//! The register as a vault (issue 17): the database is SQLCipher (AES-256, keyed per connection by the store), the
//! register's files are sealed (`sealed`), and both keys are derived from one random 256-bit **register key**, which
//! is never stored: the key file beside the database (`keyfile`) holds it wrapped once per unlock method — a
//! passphrase (Argon2id), the OS keyring, and the recovery key shown once (`recovery`). Changing a passphrase
//! rewraps the key; nothing is re-encrypted.
//!
//! A register is plain only when that was asked for (`--unencrypted`, `RIGHTSDESK_UNENCRYPTED=1`: tests and
//! demos) or when it was made before the vault and not yet encrypted (`vault encrypt`).

pub mod backup;
pub mod keyfile;
pub mod recovery;
pub mod rekey;
pub mod sealed;
pub mod strength;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::hex;
pub use keyfile::KeyFile;
pub use recovery::RecoveryKey;
pub use sealed::FileKey;

/// The passphrase that unlocks (or creates) an encrypted register, for the command line and scripts.
pub const PASSPHRASE_ENV: &str = "RIGHTSDESK_PASSPHRASE";
/// Set to 1 to create a plain register (tests, demos): said as such everywhere the register is shown.
pub const UNENCRYPTED_ENV: &str = "RIGHTSDESK_UNENCRYPTED";

/// The register key; every other key is derived from it.
pub struct RegisterKey(Zeroizing<[u8; 32]>);

impl RegisterKey {
    pub fn generate() -> Result<RegisterKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        crate::signing::random(&mut bytes[..])?;
        Ok(RegisterKey(bytes))
    }

    fn from_bytes(bytes: &[u8]) -> Option<RegisterKey> {
        Some(RegisterKey(Zeroizing::new(bytes.try_into().ok()?)))
    }

    fn derive(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        hkdf(b"rightsdesk register key", &self.0[..], purpose, &mut out[..]);
        out
    }

    /// The SQLCipher key of the database (a raw key: no key stretching on each open).
    pub fn database_key(&self) -> DatabaseKey {
        DatabaseKey(Zeroizing::new(hex(&self.derive(b"rightsdesk sqlcipher v1")[..])))
    }

    /// The key the register's files are sealed with.
    pub fn file_key(&self) -> FileKey {
        FileKey(self.derive(b"rightsdesk files v1"))
    }

    /// What a backup's key is derived from when the register's own unlock methods restore it (`backup`).
    fn backup_base(&self) -> Zeroizing<[u8; 32]> {
        self.derive(b"rightsdesk backup v1")
    }

    /// The same key, for a second use (a restored register opened after its check).
    pub fn duplicate(&self) -> RegisterKey {
        RegisterKey(self.0.clone())
    }

    /// A short public fingerprint, to tell keys apart (after `vault rotate`, in the key file).
    pub fn id(&self) -> String {
        hex(&self.derive(b"rightsdesk key id v1")[..8])
    }
}

impl std::fmt::Debug for RegisterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RegisterKey").field(&self.id()).finish()
    }
}

/// The database's SQLCipher key, as the store gives it to each connection.
pub struct DatabaseKey(Zeroizing<String>);

/// The format of an encrypted register's database: the SQLCipher settings that differ from SQLCipher 4's
/// defaults. A file is readable only by a connection given the same settings after its key, so every connection
/// (`DatabaseKey::pragma`) and every encrypted file made (`DatabaseKey::format_pragmas` on an attached database)
/// gets these. HMAC-SHA256 instead of HMAC-SHA512: each page keeps its MAC (a changed page fails to read), but
/// SHA-256 has instructions of its own on current x86 and ARM CPUs and SHA-512 does not, and every page a
/// transaction writes is encrypted and MAC'd (about 50 for a `request add`: the row, its ~25 indexes, the search
/// index, the event): the encrypted add went from ~1.4–1.6× to ~1.25–1.45× the plain one (docs/performance.md).
/// AES-256-CBC and the 4 KiB page stay SQLCipher's defaults: the cost is per byte encrypted, so larger pages made
/// the add slower and smaller ones the exports. Changing this is a new format: no register made before it opens
/// (none were released).
const CIPHER_FORMAT: &[(&str, &str)] = &[("cipher_hmac_algorithm", "HMAC_SHA256")];

impl DatabaseKey {
    /// The statements that key a connection and set the format; they must be the first ones run on it.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let mut sql = Zeroizing::new(format!("PRAGMA key = \"{}\";", &*self.literal()));
        sql.push_str(&DatabaseKey::format_pragmas("main"));
        sql
    }

    /// The format's settings for the database `schema` (an attached one just keyed by `ATTACH … KEY`, before
    /// anything is written to it).
    pub(crate) fn format_pragmas(schema: &str) -> String {
        CIPHER_FORMAT.iter().map(|(name, value)| format!(" PRAGMA {schema}.{name} = {value};")).collect()
    }

    /// SQLCipher's raw-key notation, `x'…'` (no key derivation on open).
    pub(crate) fn literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", &*self.0))
    }
}

fn hkdf(salt: &[u8], secret: &[u8], info: &[u8], out: &mut [u8]) {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(secret);
    // 32 bytes of HKDF-SHA256 cannot fail (the limit is 255 × 32).
    if let Ok(okm) = prk.expand(&[info], ring::hkdf::HKDF_SHA256) {
        let _ = okm.fill(out);
    }
}

/// How a register may be opened, or made.
#[derive(Default)]
pub struct Access {
    /// Unlocks the register; makes a new one encrypted under it.
    pub passphrase: Option<Zeroizing<String>>,
    /// Unlocks through the recovery key instead (`vault unlock-with-recovery`).
    pub recovery: Option<Zeroizing<String>>,
    /// Try the OS keyring where the register is kept there.
    pub keyring: bool,
    /// Make a new register unlocked by the OS keyring ("unlock with my login"), with or without a passphrase.
    pub create_with_keyring: bool,
    /// A new register may be plain (tests, demos), as asked for explicitly.
    pub unencrypted: bool,
    /// The register key itself, unlocked already (a backup being verified or restored was opened with it).
    pub register_key: Option<RegisterKey>,
}

impl Access {
    /// The command line's: `RIGHTSDESK_PASSPHRASE`, `RIGHTSDESK_UNENCRYPTED=1`, and the keyring.
    pub fn from_env() -> Access {
        let passphrase = std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()).map(Zeroizing::new);
        let unencrypted = std::env::var(UNENCRYPTED_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        Access { passphrase, keyring: true, unencrypted, ..Access::default() }
    }

    /// A plain register, as tests ask for.
    pub fn unencrypted() -> Access {
        Access { unencrypted: true, ..Access::default() }
    }

    pub fn passphrase(passphrase: &str) -> Access {
        Access { passphrase: Some(Zeroizing::new(passphrase.to_string())), ..Access::default() }
    }
}

/// A register's vault, unlocked.
pub struct Vault {
    pub key: RegisterKey,
    pub file: KeyFile,
    pub path: PathBuf,
    /// The recovery key of a vault made just now: to be shown once.
    pub new_recovery: Option<RecoveryKey>,
}

impl Vault {
    pub fn file_key(&self) -> FileKey {
        self.key.file_key()
    }
}

/// What is at `db`, unlocked as `access` allows: `None` for a plain register (or a plain new one, asked for).
pub fn unlock(db: &Path, access: &Access, now: &str) -> Result<Option<Vault>> {
    rekey::resume(db)?;
    let key_path = keyfile::path_of(db);
    let state = database_state(db)?;
    let file = KeyFile::read(&key_path)?;
    match (state, file) {
        (DbState::Plain, None) => Ok(None),
        (DbState::Plain, Some(_)) => Err(Error::Corrupt(format!(
            "{} is a plain database but a key file lies beside it ({}): if the register was being encrypted, run \
             `rightsdesk vault encrypt` again; if the key file is stray, move it away",
            db.display(),
            key_path.display()
        ))),
        (DbState::Encrypted, None) => Err(Error::Locked(format!(
            "{} is encrypted but its key file {} is missing: put it back (it is in every backup)",
            db.display(),
            key_path.display()
        ))),
        (DbState::Encrypted | DbState::Missing, Some(file)) => {
            let key = open(&file, access, db)?;
            Ok(Some(Vault { key, file, path: key_path, new_recovery: None }))
        }
        // A passphrase given makes the new register encrypted; asking for a plain one matters only without it.
        (DbState::Missing, None) if access.unencrypted && access.passphrase.is_none() => Ok(None),
        (DbState::Missing, None) => {
            if access.passphrase.is_none() && !access.create_with_keyring {
                return Err(Error::Locked(format!(
                    "there is no register at {} yet, and no key to make it encrypted: give a passphrase \
                     ({PASSPHRASE_ENV} or --passphrase-stdin), or --unencrypted ({UNENCRYPTED_ENV}=1) for a plain \
                     register to test with",
                    db.display()
                )));
            }
            let key = RegisterKey::generate()?;
            let recovery = RecoveryKey::generate()?;
            let mut file = KeyFile::new(&key, now);
            if let Some(passphrase) = &access.passphrase {
                strength::require_strong(passphrase)?;
                file.set_passphrase(&key, passphrase, now)?;
            }
            if access.create_with_keyring {
                file.set_keyring(&key, now)?;
            }
            file.set_recovery(&key, &recovery, now)?;
            // The key file first: a crash before the database exists leaves a key file the next open uses.
            if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(format!("cannot create the folder {}", dir.display()), e))?;
            }
            file.write(&key_path)?;
            Ok(Some(Vault { key, file, path: key_path, new_recovery: Some(recovery) }))
        }
    }
}

fn open(file: &KeyFile, access: &Access, db: &Path) -> Result<RegisterKey> {
    if let Some(key) = &access.register_key {
        if key.id() != file.key_id {
            return Err(Error::Locked(format!("the key given does not open the register {}", db.display())));
        }
        return Ok(key.duplicate());
    }
    if let Some(recovery) = &access.recovery {
        return file.open_with_recovery(&RecoveryKey::parse(recovery)?);
    }
    if let Some(passphrase) = &access.passphrase {
        return file.open_with_passphrase(passphrase);
    }
    if access.keyring && file.has("keyring") {
        return file.open_with_keyring();
    }
    Err(Error::Locked(format!(
        "the register {} is encrypted and locked: give its passphrase ({PASSPHRASE_ENV} or --passphrase-stdin), or \
         set a new one with its recovery key (`rightsdesk vault unlock-with-recovery`)",
        db.display()
    )))
}

enum DbState {
    Missing,
    Plain,
    Encrypted,
}

/// What is at a register's path, before anything is opened: for the window to ask for what it needs.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RegisterState {
    /// No register yet: the first run makes one.
    Missing { keyring_available: bool },
    /// A register without encryption (made before the vault, or as asked for).
    Plain,
    /// An encrypted register; how it unlocks.
    Encrypted { unlock_methods: Vec<String> },
    /// A team register on a PostgreSQL server (named without its password): the server's logins and encryption
    /// guard it, not the vault.
    TeamServer { server: String },
}

/// What is at `db` (see [`RegisterState`]).
pub fn inspect(db: &Path) -> Result<RegisterState> {
    if let Some(url) = db.to_str().filter(|p| crate::store::postgres::Target::is_connection_string(p)) {
        return Ok(RegisterState::TeamServer { server: crate::store::postgres::Target::parse(url)?.shown() });
    }
    let file = KeyFile::read(&keyfile::path_of(db))?;
    Ok(match (database_state(db)?, file) {
        (DbState::Plain, _) => RegisterState::Plain,
        (DbState::Missing, None) => RegisterState::Missing { keyring_available: keyfile::keyring_available() },
        (_, file) => RegisterState::Encrypted {
            unlock_methods: file.map(|f| f.methods().into_iter().map(String::from).collect()).unwrap_or_default(),
        },
    })
}

/// A SQLite database begins with its magic string; a SQLCipher one with random salt. An empty file is a register
/// being made.
fn database_state(db: &Path) -> Result<DbState> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let read = match std::fs::File::open(db) {
        Ok(f) => f.take(16).read(&mut head).map_err(|e| Error::io(format!("cannot read {}", db.display()), e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DbState::Missing),
        Err(e) => return Err(Error::io(format!("cannot open the register {}", db.display()), e)),
    };
    Ok(match read {
        0 => DbState::Missing,
        _ if head.starts_with(b"SQLite format 3\0") => DbState::Plain,
        _ => DbState::Encrypted,
    })
}

/// A file of the register's folder, for reading: through its seal in an encrypted register (`key`), as it is in a
/// plain one. A plain file in an encrypted register, or a sealed one in a plain register, is refused: neither is
/// written by Rightsdesk, so it was put there by someone else.
pub fn open_file(key: Option<&FileKey>, path: &Path) -> Result<Box<dyn std::io::Read + Send>> {
    use std::io::{Read, Seek};
    let cannot = |e| Error::io(format!("cannot read {}", path.display()), e);
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut head = [0u8; sealed::MAGIC.len()];
    let n = (&mut file).take(head.len() as u64).read(&mut head).map_err(cannot)?;
    file.rewind().map_err(cannot)?;
    match (key, sealed::is_sealed(&head[..n])) {
        (Some(key), true) => Ok(Box::new(sealed::OpenReader::new(key, file).map_err(cannot)?)),
        (None, false) => Ok(Box::new(file)),
        (Some(_), false) => Err(Error::Corrupt(format!(
            "{} is not sealed although the register is encrypted: it was not written by Rightsdesk",
            path.display()
        ))),
        (None, true) => Err(Error::Corrupt(format!(
            "{} is sealed but the register is not encrypted: it belongs to another register",
            path.display()
        ))),
    }
}

/// Where a register file's bytes go: sealed under `key` in an encrypted register, as they are in a plain one.
pub enum FileSink<'a> {
    Plain(&'a mut std::fs::File),
    Sealed(sealed::SealWriter<&'a mut std::fs::File>),
}

impl<'a> FileSink<'a> {
    pub fn new(key: Option<&FileKey>, file: &'a mut std::fs::File) -> Result<FileSink<'a>> {
        Ok(match key {
            Some(key) => FileSink::Sealed(
                sealed::SealWriter::new(key, file).map_err(|e| Error::io("cannot seal a file of the register", e))?,
            ),
            None => FileSink::Plain(file),
        })
    }

    /// Seal the last chunk (an encrypted register); the file is synced and renamed by its `safe_file::Output`.
    pub fn finish(self) -> Result<()> {
        if let FileSink::Sealed(w) = self {
            w.finish().map_err(|e| Error::io("cannot seal a file of the register", e))?;
        }
        Ok(())
    }
}

impl std::io::Write for FileSink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match self {
            FileSink::Plain(f) => f.write(data),
            FileSink::Sealed(w) => w.write(data),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            FileSink::Plain(f) => f.flush(),
            FileSink::Sealed(w) => w.flush(),
        }
    }
}
