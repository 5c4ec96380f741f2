//! One-file backups of a register (issue 17): `create` while the register stays in use, `verify` without
//! restoring, `restore` to a new place. The file's envelope and framing are `vault::backup`'s.
//!
//! What a backup holds: a snapshot of the database (`Store::snapshot`: the database file as stored, copied in one
//! read transaction that needs nothing from the write-ahead log while writers carry on; an encrypted register's
//! pages stay under its own SQLCipher key, and no temporary copy is written), the key file (an encrypted register), every file of the register's
//! folder as stored (sealed in an encrypted register: nothing is decrypted to be backed up, nor re-sealed to be
//! restored), and the manifest (register id, schema version, counts, SHA-256 of every entry's bytes). The database
//! is copied first: a file added by a writer meanwhile is at most an extra, never one the snapshot names but lacks.
//!
//! Verification and restore unpack into a private folder (a temporary one, or one beside the target renamed into
//! place only once everything checked: every hash, SQLite's integrity check, the schema version, the audit chain),
//! so a tampered or cut backup is refused before anything is written at the target.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Clock, Desk, register_files};
use crate::error::{Error, Result};
use crate::safe_file::{self, Existing};
use crate::store::{self, DatabaseFacts, Store};
use crate::vault::backup::{self as envelope, BodyReader, BodyWriter, EntryInfo, Header, Item};
use crate::vault::{Access, RegisterKey, keyfile};

/// The backup passphrase, for the command line and scripts (a plain register's backup is locked with one).
pub const BACKUP_PASSPHRASE_ENV: &str = "RIGHTSDESK_BACKUP_PASSPHRASE";
const MANIFEST_FORMAT: &str = "rightsdesk-backup-manifest";
const MANIFEST_VERSION: u32 = 1;
const DATABASE: &str = "database";
const KEY_FILE: &str = "key-file";
const FILES: &str = "files/";
/// The snapshot files an earlier Rightsdesk wrote in the register's folder, never themselves backed up.
const SNAPSHOT_PREFIX: &str = ".backup-snapshot-";
/// `safe_file`'s temporary files: a file being written is not the register's yet.
const PARTIAL_PREFIX: &str = ".rightsdesk-";
const MAX_DEPTH: usize = 16;

/// The last entry of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    created: String,
    register_id: String,
    /// The database's file name where the backup was taken (shown; a restore names its own).
    database_name: String,
    encrypted: bool,
    database: DatabaseFacts,
    files: u64,
    entries: Vec<EntryInfo>,
}

/// What a backup holds, as written, verified or restored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupReport {
    pub file: String,
    /// When the backup was taken (RFC 3339).
    pub created: String,
    pub register_id: String,
    /// The register is encrypted (its database and files are in the backup as stored: ciphertext).
    pub encrypted: bool,
    /// `register key` (the register's passphrase, keyring or recovery key opens it) or `backup passphrase`.
    pub locked_with: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub schema_version: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub files: u64,
    /// The backup file's size.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
    /// What was checked (verify and restore): hashes, integrity, schema, audit chain.
    pub checked: Vec<String>,
}

/// Where a backup was restored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RestoreReport {
    pub database: String,
    pub key_file: Option<String>,
    pub files_folder: String,
    /// What was at the target before (`--replace`), kept aside under these names.
    pub kept_aside: Vec<String>,
    pub backup: BackupReport,
}

/// What opens a backup: the register's unlock methods (a register-key backup) or the backup passphrase.
#[derive(Default)]
pub struct BackupKeys {
    pub access: Access,
    pub backup_passphrase: Option<Zeroizing<String>>,
}

/// A backup as its plain header tells, before anything is decrypted: for the window to ask only for what opens it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupLock {
    pub file: String,
    /// When the backup was taken (RFC 3339), as its header says (checked when it is opened).
    pub created: String,
    /// `register key` or `backup passphrase`.
    pub locked_with: String,
    /// Something must be typed to open it: the open register's own key does not (another register's backup, one
    /// made before a key rotation, or a backup passphrase).
    pub needs_secret: bool,
}

/// How `backup` is locked, from its header alone (bounded); `here` is the open register, whose key may open it.
pub fn backup_lock(backup: &Path, here: Option<&Desk>) -> Result<BackupLock> {
    let file = std::fs::File::open(backup).map_err(|e| Error::io(format!("cannot read {}", backup.display()), e))?;
    let (header, _) = envelope::read_header(&mut std::io::BufReader::new(file))?;
    let own = here.and_then(|d| d.vault.as_ref()).map(|v| v.key.id());
    let needs_secret = match &header.lock {
        envelope::Lock::Register { key_file } => own.as_deref() != Some(key_file.key_id.as_str()),
        envelope::Lock::Passphrase { .. } => true,
    };
    Ok(BackupLock {
        file: backup.display().to_string(),
        created: header.created.clone(),
        locked_with: header.locked_with().into(),
        needs_secret,
    })
}

impl Desk {
    /// `keys` with this register's own key added: a backup of this register opens without a secret typed.
    pub fn with_own_key(&self, mut keys: BackupKeys) -> BackupKeys {
        keys.access.register_key = self.vault.as_ref().map(|v| v.key.duplicate());
        keys
    }

    /// Back the whole register up into `out` (exclusive temporary file, synced, renamed: a crash leaves no file
    /// under that name). An encrypted register's backup is locked with its own key; a plain register's needs a
    /// backup passphrase.
    pub fn create_backup(
        &self,
        out: &Path,
        existing: Existing,
        backup_passphrase: Option<&str>,
    ) -> Result<BackupReport> {
        self.create_backup_reporting(out, existing, backup_passphrase, &mut |_| {})
    }

    /// [`Desk::create_backup`], telling `progress` how far it is (percent of the bytes to copy).
    pub fn create_backup_reporting(
        &self,
        out: &Path,
        existing: Existing,
        backup_passphrase: Option<&str>,
        progress: &mut dyn FnMut(u32),
    ) -> Result<BackupReport> {
        let created = store::timestamp(self.now());
        let header = match (&self.vault, backup_passphrase) {
            (Some(_), None) => Header::register(self.key_file()?, &created),
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "backup_passphrase",
                    "an encrypted register's backup is locked with the register's own key (its passphrase, keyring \
                     or recovery key opens it): leave the backup passphrase out",
                ));
            }
            (None, Some(passphrase)) => {
                crate::vault::strength::require_strong(passphrase)?;
                Header::passphrase(&created)?
            }
            (None, None) => {
                return Err(Error::invalid(
                    "backup_passphrase",
                    format!(
                        "this register is not encrypted, and its backup must be: give a backup passphrase \
                         (--backup-passphrase-stdin or {BACKUP_PASSPHRASE_ENV})"
                    ),
                ));
            }
        };
        let register_id = register_files::checked_id(self.store.setting("register.id")?)?;
        let mut output = safe_file::Output::create(out, existing)?;
        let header_bytes = envelope::write_header(output.file(), &header)?;
        let register_key = self.vault.as_ref().map(|v| &v.key);
        let (key, _) = envelope::body_key(&header, &header_bytes, register_key, &Access::default(), backup_passphrase)?;
        remove_stale_snapshots(self.files_dir());
        let mut meter = Meter::new(self.bytes_to_back_up()?, progress);
        let mut body = BodyWriter::new(&key, output.handle()?)?;
        let mut entries = vec![];
        let database = self.store.snapshot(&mut |file, size| {
            entries.push(body.entry(DATABASE, size, &mut Metered { inner: file, meter: &mut meter })?);
            Ok(())
        })?;
        if let Some(vault) = &self.vault {
            entries.extend(add_file(&mut body, KEY_FILE, &vault.path, &mut meter)?);
        }
        let mut files = 0u64;
        walk(self.files_dir(), "", 0, &mut |rel, path| {
            if let Some(entry) = add_file(&mut body, &format!("{FILES}{rel}"), path, &mut meter)? {
                entries.push(entry);
                files += 1;
            }
            Ok(())
        })?;
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            version: MANIFEST_VERSION,
            created: created.clone(),
            register_id,
            database_name: self.store.path().file_name().map(|n| n.to_string_lossy().into()).unwrap_or_default(),
            encrypted: self.vault.is_some(),
            database,
            files,
            entries,
        };
        let json = serde_json::to_vec(&manifest).map_err(|e| Error::Corrupt(format!("the backup's manifest: {e}")))?;
        body.finish(&json)?;
        let path = output.path().display().to_string();
        let bytes = output.commit()?;
        meter.finish();
        let made = report(&manifest, &header, path, bytes, vec![]);
        // Kept for the schedule and the dashboard (a backup asked for counts too); the backup stands either way.
        let _ = self.record_backup(&made);
        Ok(made)
    }
}

impl Desk {
    /// About how many bytes a backup copies: the database, the key file and the register's folder (for progress).
    fn bytes_to_back_up(&self) -> Result<u64> {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut total = size(self.store.path()) + self.vault.as_ref().map_or(0, |v| size(&v.path));
        walk(self.files_dir(), "", 0, &mut |_, path| {
            total += size(path);
            Ok(())
        })?;
        Ok(total)
    }
}

/// How far a backup is, told in whole percents as they change.
struct Meter<'f> {
    total: u64,
    done: u64,
    percent: u32,
    tell: &'f mut dyn FnMut(u32),
}

impl<'f> Meter<'f> {
    fn new(total: u64, tell: &'f mut dyn FnMut(u32)) -> Meter<'f> {
        tell(0);
        Meter { total: total.max(1), done: 0, percent: 0, tell }
    }

    fn add(&mut self, n: usize) {
        self.done += n as u64;
        // 100 only once the file is in place: files added meanwhile may take it past the estimate.
        let percent = u32::try_from((self.done * 100 / self.total).min(99)).unwrap_or(99);
        if percent != self.percent {
            self.percent = percent;
            (self.tell)(percent);
        }
    }

    fn finish(&mut self) {
        (self.tell)(100);
    }
}

/// A reader that counts what passes into the backup.
struct Metered<'m, 'f, R> {
    inner: R,
    meter: &'m mut Meter<'f>,
}

impl<R: std::io::Read> std::io::Read for Metered<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.add(n);
        Ok(n)
    }
}

fn report(manifest: &Manifest, header: &Header, file: String, bytes: u64, checked: Vec<String>) -> BackupReport {
    BackupReport {
        file,
        created: manifest.created.clone(),
        register_id: manifest.register_id.clone(),
        encrypted: manifest.encrypted,
        locked_with: header.locked_with().into(),
        schema_version: manifest.database.schema_version,
        requests: manifest.database.requests,
        events: manifest.database.events,
        files: manifest.files,
        bytes,
        checked,
    }
}

/// Snapshot files an earlier Rightsdesk (which wrote the snapshot to a file) left when killed mid-backup: removed
/// once surely not another backup's at work (a day old).
fn remove_stale_snapshots(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let stale = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if entry.file_name().to_string_lossy().starts_with(SNAPSHOT_PREFIX) && stale.is_some_and(|age| age > day) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// One file as an entry; `None` if it went away meanwhile (a purge: the snapshot taken before no longer names it).
fn add_file(
    body: &mut BodyWriter<std::fs::File>,
    name: &str,
    path: &Path,
    meter: &mut Meter,
) -> Result<Option<EntryInfo>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("cannot read {} for the backup", path.display()), e)),
    };
    let size = file.metadata().map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?.len();
    body.entry(name, size, &mut Metered { inner: file, meter }).map(Some)
}

/// Every regular file under the register's folder, in name order, as `rel/path`; links and special files are not
/// the register's, its marker names this place only, temporary files are not finished.
fn walk(dir: &Path, rel: &str, depth: usize, f: &mut dyn FnMut(&str, &Path) -> Result<()>) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::refused(format!("{} is nested too deep to be backed up", dir.display())));
    }
    let read = |e| Error::io(format!("cannot read {}", dir.display()), e);
    let mut entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries.collect::<std::io::Result<Vec<_>>>().map_err(read)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && depth > 0 => return Ok(()),
        Err(e) => return Err(read(e)),
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(Error::refused(format!(
                "{} has a name that is not UTF-8: it was not written by Rightsdesk; move it away to back up",
                entry.path().display()
            )));
        };
        if name.starts_with(SNAPSHOT_PREFIX)
            || name.starts_with(PARTIAL_PREFIX)
            || (depth == 0 && name == register_files::MARKER)
        {
            continue;
        }
        let child = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(&entry.path(), &child, depth + 1, f)?;
        } else if kind.is_file() {
            f(&child, &entry.path())?;
        }
    }
    Ok(())
}

/// Check `backup` whole without restoring it: decrypted into a private temporary folder, every entry's hash, the
/// database's integrity, schema version and audit chain.
pub fn verify_backup(backup: &Path, keys: &BackupKeys, clock: Clock) -> Result<BackupReport> {
    let dir = tempfile::Builder::new()
        .prefix(".rightsdesk-verify-")
        .tempdir()
        .map_err(|e| Error::io("cannot make a private folder to verify the backup in", e))?;
    let unpacked = unpack(backup, dir.path(), "register.sqlite3", keys)?;
    let checked = check(&unpacked, clock)?;
    Ok(report(&unpacked.manifest, &unpacked.header, backup.display().to_string(), unpacked.bytes, checked))
}

/// Restore `backup` as the register at `to` (its database; its key file and folder beside it). An existing
/// register there is refused unless `replace`, and then kept aside (renamed with a timestamp). Nothing is written
/// at `to` before the whole backup has checked.
pub fn restore_backup(
    backup: &Path,
    to: &Path,
    replace: bool,
    keys: &BackupKeys,
    clock: Clock,
) -> Result<RestoreReport> {
    restore_and_open(backup, to, replace, keys, clock).map(|(report, _)| report)
}

/// [`restore_backup`], and the restored register open (the window carries on with it).
pub fn restore_and_open(
    backup: &Path,
    to: &Path,
    replace: bool,
    keys: &BackupKeys,
    clock: Clock,
) -> Result<(RestoreReport, Desk)> {
    let name = to.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::invalid("to", format!("{} is not a file name for the restored database", to.display()))
    })?;
    let parent = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::invalid("to", format!("the folder {} does not exist", parent.display())));
    }
    let key_path = keyfile::path_of(to);
    let mut taken: Vec<PathBuf> =
        [to.to_path_buf(), with_suffix(to, "-wal"), with_suffix(to, "-shm"), key_path.clone()]
            .into_iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
            .collect();
    taken.extend(register_files::folders_naming(to));
    if !taken.is_empty() && !replace {
        return Err(Error::refused(format!(
            "there is a register at {} already: restore to another path, or give --replace to keep that one aside \
             and put the backup in its place",
            to.display()
        )));
    }
    let staging = tempfile::Builder::new()
        .prefix(".rightsdesk-restore-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(format!("cannot make a private folder in {}", parent.display()), e))?;
    let unpacked = unpack(backup, staging.path(), name, keys)?;
    let checked = check(&unpacked, clock)?;
    let folder = register_files::folder_of(to, &unpacked.manifest.register_id);
    if std::fs::symlink_metadata(&folder).is_ok() && !taken.contains(&folder) {
        return Err(Error::refused(format!(
            "{} holds the files of another register with this backup's id (the register it was taken from?): \
             restore into another folder",
            folder.display()
        )));
    }
    let stamp = store::timestamp(clock.now()).replace([':', '-'], "");
    let mut kept_aside = vec![];
    for path in &taken {
        let aside = aside_name(path, to, &stamp);
        std::fs::rename(path, &aside)
            .map_err(|e| Error::io(format!("cannot keep {} aside as {}", path.display(), aside.display()), e))?;
        kept_aside.push(aside.display().to_string());
    }
    let staged_db = staging.path().join(name);
    let mut moves = vec![(staged_db.clone(), to.to_path_buf()), (unpacked.folder.clone(), folder.clone())];
    if unpacked.register_key.is_some() {
        moves.push((keyfile::path_of(&staged_db), key_path.clone()));
    }
    // The key file and the folder first, the database last: until it is in place there is no register at `to`.
    moves.reverse();
    for (from, into) in &moves {
        std::fs::rename(from, into)
            .map_err(|e| Error::io(format!("cannot move the restored {} into place", into.display()), e))?;
    }
    // Opened once at its place, the register settles there (its recorded path, its folder's marker).
    let access =
        Access { register_key: unpacked.register_key.as_ref().map(RegisterKey::duplicate), ..Access::default() };
    let desk = Desk::open(to, clock, &access)?;
    let restored = RestoreReport {
        database: to.display().to_string(),
        key_file: unpacked.register_key.is_some().then(|| key_path.display().to_string()),
        files_folder: desk.files_dir().display().to_string(),
        kept_aside,
        backup: report(&unpacked.manifest, &unpacked.header, backup.display().to_string(), unpacked.bytes, checked),
    };
    Ok((restored, desk))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database's companions keep their pairing aside: `r.sqlite3.replaced-T` with `r.sqlite3.replaced-T.vault`.
fn aside_name(path: &Path, db: &Path, stamp: &str) -> PathBuf {
    let aside_db = with_suffix(db, &format!(".replaced-{stamp}"));
    if path == db {
        aside_db
    } else if path == keyfile::path_of(db) {
        keyfile::path_of(&aside_db)
    } else if let Some(suffix) = ["-wal", "-shm"].into_iter().find(|s| *path == with_suffix(db, s)) {
        with_suffix(&aside_db, suffix)
    } else {
        with_suffix(path, &format!(".replaced-{stamp}"))
    }
}

struct Unpacked {
    header: Header,
    manifest: Manifest,
    register_key: Option<RegisterKey>,
    db: PathBuf,
    folder: PathBuf,
    /// The backup file's size.
    bytes: u64,
}

/// Decrypt `backup` into `dir` (private, made for this): the database as `db_name`, its key file, the register's
/// folder; every entry checked against the manifest.
fn unpack(backup: &Path, dir: &Path, db_name: &str, keys: &BackupKeys) -> Result<Unpacked> {
    let cannot = |e| Error::io(format!("cannot read the backup {}", backup.display()), e);
    let file = std::fs::File::open(backup).map_err(cannot)?;
    let bytes = file.metadata().map_err(cannot)?.len();
    let mut src = std::io::BufReader::with_capacity(256 * 1024, file);
    let (header, header_bytes) = envelope::read_header(&mut src)?;
    let passphrase = keys.backup_passphrase.as_deref().map(String::as_str);
    let (key, register_key) = envelope::body_key(&header, &header_bytes, None, &keys.access, passphrase)?;
    let mut body = BodyReader::new(&key, src)?;
    let db = dir.join(db_name);
    let files = dir.join(".files");
    safe_file::private_dir(&files)?;
    let mut got = vec![];
    let manifest = loop {
        match body.next_item()? {
            Item::Entry { name, size } => {
                let path = entry_path(&name, &db, &files)?;
                if let Some(parent) = path.parent() {
                    make_dirs(parent, dir)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                // Exclusive: an entry named twice is refused rather than written over.
                let out = options.open(&path).map_err(|_| damaged(format!("the entry '{name}' cannot be written")))?;
                let mut out = std::io::BufWriter::new(out);
                let sha256 = body.copy_entry(size, &mut out)?;
                let out =
                    out.into_inner().map_err(|e| Error::io("cannot write what the backup holds", e.into_error()))?;
                out.sync_all().map_err(|e| Error::io("cannot write what the backup holds", e))?;
                got.push(EntryInfo { name, size, sha256 });
            }
            Item::Manifest(json) => {
                break serde_json::from_slice::<Manifest>(&json).map_err(|e| damaged(format!("its manifest: {e}")))?;
            }
        }
    };
    if manifest.format != MANIFEST_FORMAT || manifest.version > MANIFEST_VERSION {
        return Err(damaged("its manifest is not one this Rightsdesk reads"));
    }
    if manifest.entries != got {
        return Err(damaged("what it holds differs from its manifest"));
    }
    let files_listed = got.iter().filter(|e| e.name.starts_with(FILES)).count() as u64;
    let has = |name: &str| got.iter().any(|e| e.name == name);
    if manifest.files != files_listed || !has(DATABASE) || has(KEY_FILE) != register_key.is_some() {
        return Err(damaged("its manifest does not add up"));
    }
    let id = register_files::checked_id(Some(manifest.register_id.clone()))?;
    let folder = register_files::folder_of(&db, &id);
    std::fs::rename(&files, &folder).map_err(|e| Error::io(format!("cannot make {}", folder.display()), e))?;
    Ok(Unpacked { header, manifest, register_key, db, folder, bytes })
}

fn damaged(why: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("the backup is damaged or was changed ({why}): it was refused"))
}

/// Where an entry goes; a name that could leave the folder, or that this format does not have, is refused.
fn entry_path(name: &str, db: &Path, files: &Path) -> Result<PathBuf> {
    match name {
        DATABASE => return Ok(db.to_path_buf()),
        KEY_FILE => return Ok(keyfile::path_of(db)),
        _ => {}
    }
    let rel = name.strip_prefix(FILES).ok_or_else(|| damaged(format!("an unknown entry '{name}'")))?;
    let parts: Vec<&str> = rel.split('/').collect();
    let safe = |p: &&str| {
        !p.is_empty() && *p != "." && *p != ".." && !p.contains(['\\', '\0']) && !p.starts_with(PARTIAL_PREFIX)
    };
    if parts.len() > MAX_DEPTH || !parts.iter().all(safe) || rel == register_files::MARKER {
        return Err(damaged(format!("the entry name '{name}'")));
    }
    Ok(parts.iter().fold(files.to_path_buf(), |path, part| path.join(part)))
}

/// The folders down to `dir` (inside the private `root`), each private.
fn make_dirs(dir: &Path, root: &Path) -> Result<()> {
    if dir == root || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        make_dirs(parent, root)?;
    }
    safe_file::private_dir(dir)
}

/// Open the unpacked register where it lies and check it: SQLite's integrity, the schema version (a newer one is
/// refused by the open), the audit chain. The register is settled at this place first (its recorded path), so the
/// open does not take it for a copy of the register it was backed up from.
fn check(unpacked: &Unpacked, clock: Clock) -> Result<Vec<String>> {
    let now = store::timestamp(clock.now());
    let db = &unpacked.db;
    let store = Store::open(db, &now, unpacked.register_key.as_ref().map(RegisterKey::database_key))?;
    let facts = store.facts()?;
    let here = register_files::absolute(db);
    store.write(|tx| tx.set_setting("register.path", &here.to_string_lossy()))?;
    drop(store);
    let access =
        Access { register_key: unpacked.register_key.as_ref().map(RegisterKey::duplicate), ..Access::default() };
    let desk = Desk::open(db, clock, &access)?;
    let audit = desk.verify_audit_with(None)?;
    if !audit.ok {
        let why = match &audit.first_break {
            Some(b) => format!("{b:?}"),
            None => "its rows or checkpoints do not match their events".into(),
        };
        return Err(Error::Corrupt(format!("the backup's audit trail does not verify: {why}")));
    }
    // Everything into the database file itself: it is moved into place alone, without its write-ahead log.
    desk.store().checkpoint_wal()?;
    Ok(vec![
        format!("{} entries match their SHA-256 in the manifest", unpacked.manifest.entries.len()),
        "SQLite integrity check: ok".into(),
        format!(
            "schema version {} (this Rightsdesk reads up to {})",
            facts.schema_version,
            store::migrate::latest_version()
        ),
        format!("audit trail: {} events checked, chain and rows ok", audit.events_checked),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snapshot of an encrypted register is its ciphertext as stored, under the same key: no plaintext copy.
    #[test]
    fn a_backup_snapshot_stays_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let key = RegisterKey::generate().unwrap();
        let store =
            Store::open(&dir.path().join("r.sqlite3"), "2026-03-10T12:00:00Z", Some(key.database_key())).unwrap();
        store.write(|tx| tx.set_setting("org.name", "Zyxsnapshotmarker Ltd")).unwrap();
        let mut bytes = vec![];
        let facts = store
            .snapshot(&mut |file, size| {
                file.read_to_end(&mut bytes).unwrap();
                assert_eq!(bytes.len() as u64, size);
                Ok(())
            })
            .unwrap();
        assert_eq!(facts.schema_version, store::migrate::latest_version());
        assert!(bytes.len() > 4096);
        assert!(!bytes.starts_with(b"SQLite format 3"), "the snapshot is a plain database");
        assert!(!bytes.windows(17).any(|w| w == b"Zyxsnapshotmarker"), "the snapshot shows the marker");
        let copy_path = dir.path().join("copy.sqlite3");
        std::fs::write(&copy_path, &bytes).unwrap();
        let copy = Store::open(&copy_path, "2026-03-10T12:00:00Z", Some(key.database_key())).unwrap();
        assert_eq!(copy.setting("org.name").unwrap().as_deref(), Some("Zyxsnapshotmarker Ltd"));
        assert_eq!(copy.facts().unwrap(), facts);
    }

    /// A reader on an older state keeps the write-ahead log from being emptied, and the file alone would then
    /// miss what the log holds: the snapshot waits for that reader, then holds the newest write.
    #[test]
    fn a_snapshot_waits_for_a_reader_on_an_older_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite3");
        let store = Store::open(&path, "2026-03-10T12:00:00Z", None).unwrap();
        store.write(|tx| tx.set_setting("org.name", "Before")).unwrap();
        let reader = rusqlite::Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        reader.query_row("SELECT count(*) FROM settings", [], |_| Ok(())).unwrap();
        store.write(|tx| tx.set_setting("org.name", "After")).unwrap();
        let done = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(500));
            reader.execute_batch("COMMIT").unwrap();
        });
        let mut bytes = vec![];
        store
            .snapshot(&mut |file, _| {
                file.read_to_end(&mut bytes).unwrap();
                Ok(())
            })
            .unwrap();
        done.join().unwrap();
        let copy_path = dir.path().join("copy.sqlite3");
        std::fs::write(&copy_path, &bytes).unwrap();
        let copy = Store::open(&copy_path, "2026-03-10T12:00:00Z", None).unwrap();
        assert_eq!(copy.setting("org.name").unwrap().as_deref(), Some("After"));
    }

    #[test]
    fn an_entry_name_cannot_leave_the_folder() {
        let (db, files) = (Path::new("/r/db"), Path::new("/r/.files"));
        assert_eq!(entry_path("files/attachments/a/b.pdf", db, files).unwrap(), files.join("attachments/a/b.pdf"));
        for bad in
            ["files/../x", "files//x", "files/", "files/a/../../x", "/etc/passwd", "files/register.json", "other"]
        {
            assert_eq!(entry_path(bad, db, files).unwrap_err().code(), "corrupt", "{bad}");
        }
    }
}
