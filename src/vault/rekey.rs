//! Re-encrypting a whole register under a new key (`vault encrypt` of a plain register, `vault rotate` of an
//! encrypted one) so that `kill -9` at any moment leaves one complete register. Everything new is written beside the
//! old under work names and checked, then swapped in by renames, in an order whose every prefix the next open
//! completes or undoes ([`resume`], run by `vault::unlock` before anything else):
//!
//! 1. `<db>.vault-pending` (the new key file, naming the files folder), then `<db>.rekey` (the database, copied
//!    under the new key) and `<files>.rekey/` (every file re-sealed), checked; the pending key file rewritten with
//!    the copy's SQLCipher salt;
//! 2. `<db>.rekey` renamed over `<db>`: the commit point, after which the database needs the new key;
//! 3. the files folders swapped (`<files>` → `<files>.old`, `<files>.rekey` → `<files>`);
//! 4. `<db>.vault-pending` renamed over `<db>.vault`;
//! 5. what is old overwritten with zeros and removed (an old folder a kill left half-scrubbed is finished at the
//!    next open, the key file already in place).
//!
//! A pending key file whose salt is the database's means step 2 happened: steps 3–5 are finished. Any other
//! pending key file means it did not: the work files are removed and the register is as it was.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{FileKey, KeyFile, keyfile};
use crate::error::{Error, Result};
use crate::hash::hex;

/// What a pending key file records about the work it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rekey {
    /// The first 16 bytes (SQLCipher's salt) of the database copy, in hex.
    pub database_salt: String,
    /// The register's files folder.
    pub files_folder: String,
}

pub fn work_db(db: &Path) -> PathBuf {
    suffixed(db, ".rekey")
}

pub fn pending_key_file(db: &Path) -> PathBuf {
    suffixed(db, ".vault-pending")
}

pub fn work_folder(folder: &Path) -> PathBuf {
    suffixed(folder, ".rekey")
}

fn old_folder(folder: &Path) -> PathBuf {
    suffixed(folder, ".old")
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// The salt at the head of an encrypted database (`None` for a missing or short file).
pub fn database_salt(db: &Path) -> Result<Option<String>> {
    let mut head = Vec::with_capacity(16);
    match std::fs::File::open(db) {
        Ok(f) => {
            f.take(16).read_to_end(&mut head).map_err(|e| Error::io(format!("cannot read {}", db.display()), e))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("cannot read {}", db.display()), e)),
    };
    Ok((head.len() == 16).then(|| hex(&head)))
}

/// Finish or undo a re-encryption a crash interrupted (see the module's text); nothing to do otherwise.
pub fn resume(db: &Path) -> Result<()> {
    let pending = pending_key_file(db);
    let file = match KeyFile::read(&pending) {
        Ok(Some(file)) => file,
        Ok(None) => {
            scrub_left_old_folders(db);
            return Ok(());
        }
        // A pending file cut short was never renamed into place: the swap did not happen.
        Err(_) => KeyFile { rekey: None, ..KeyFile::empty() },
    };
    let Some(rekey) = file.rekey.clone() else {
        discard(db, None, &pending);
        return Ok(());
    };
    let folder = PathBuf::from(&rekey.files_folder);
    if database_salt(db)?.as_deref() != Some(rekey.database_salt.as_str()) {
        discard(db, Some(&folder), &pending);
        return Ok(());
    }
    swap_folders(&folder)?;
    rename(&pending, &keyfile::path_of(db))?;
    scrub_tree(&old_folder(&folder));
    remove_database_files(&work_db(db));
    Ok(())
}

/// A kill during step 5 (after the key file is in place, so no pending file says so) leaves the old files folder
/// half scrubbed — for `vault encrypt`, plaintext: whatever of it is left goes at the next open.
fn scrub_left_old_folders(db: &Path) {
    for folder in crate::desk::register_files::folders_naming(db) {
        let old = old_folder(&folder);
        if folder.extension().is_none_or(|e| e != "old") && std::fs::symlink_metadata(&old).is_ok() {
            scrub_tree(&old);
        }
    }
}

/// Remove what an earlier, unfinished re-encryption left (before a new one starts, or when it is undone).
pub fn discard(db: &Path, folder: Option<&Path>, pending: &Path) {
    remove_database_files(&work_db(db));
    if let Some(folder) = folder {
        scrub_tree(&work_folder(folder));
        scrub_tree(&old_folder(folder));
    }
    let _ = std::fs::remove_file(pending);
}

fn swap_folders(folder: &Path) -> Result<()> {
    let work = work_folder(folder);
    if !work.exists() {
        return Ok(());
    }
    let old = old_folder(folder);
    if folder.exists() {
        scrub_tree(&old);
        rename(folder, &old)?;
    }
    rename(&work, folder)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)
        .map_err(|e| Error::io(format!("cannot move {} to {}", from.display(), to.display()), e))?;
    crate::safe_file::sync_folder(to);
    Ok(())
}

/// A database file with its write-ahead log and shared-memory index.
pub fn remove_database_files(db: &Path) {
    for path in [db.to_path_buf(), suffixed(db, "-wal"), suffixed(db, "-shm")] {
        scrub_file(&path);
    }
}

/// Overwrite a file with zeros before it is removed: its old content does not stay in the file system's free
/// blocks (on a copy-on-write file system or an SSD's remapped blocks this is best effort, as any overwrite is).
pub fn scrub_file(path: &Path) {
    if let Ok(mut file) = std::fs::OpenOptions::new().write(true).open(path) {
        let _ = zero(&mut file, 1);
    }
    let _ = std::fs::remove_file(path);
}

/// Overwrite an open file with zeros, whole, and sync it — unless it has more names than the `ours` about to go (a
/// copy of the register made with hard links shares its files): then the content stays for the other names.
pub fn zero(file: &mut std::fs::File, ours: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    if std::os::unix::fs::MetadataExt::nlink(&file.metadata()?) > ours {
        return Ok(());
    }
    let _ = ours;
    zero_all(file)
}

fn zero_all(file: &mut std::fs::File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let block = vec![0u8; 64 * 1024];
    let mut left = len;
    std::io::Seek::rewind(file)?;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

fn scrub_tree(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => scrub_tree(&path),
            _ => scrub_file(&path),
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// Copy every file of the register's folder `from` into `to` re-sealed under `new` (read through `old`, `None` for
/// a plain register), each checked by reading it back. The folder's marker `marker` (`register.json`: the register's
/// id and database path, no personal data; read before the register is unlocked) is copied as it is.
pub fn reseal_tree(from: &Path, to: &Path, old: Option<&FileKey>, new: &FileKey, marker: &str) -> Result<u64> {
    crate::safe_file::private_dir(to)?;
    let mut copied = 0;
    let entries = std::fs::read_dir(from).map_err(|e| Error::io(format!("cannot read {}", from.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}", from.display()), e))?;
        // A hidden name is the work file of a write a crash interrupted (`.rightsdesk-*.partial`, an earlier
        // Rightsdesk's backup snapshot `.backup-snapshot-*`): never a file of the register, it stays behind with the old folder.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let (source, target) = (entry.path(), to.join(bare_name(&entry.file_name())));
        let kind = entry.file_type().map_err(|e| Error::io(format!("cannot read {}", source.display()), e))?;
        if kind.is_dir() {
            copied += reseal_tree(&source, &target, old, new, "")?;
        } else if !kind.is_file() {
            return Err(Error::Corrupt(format!(
                "{} is not a regular file: the register's folder holds only files",
                source.display()
            )));
        } else if !marker.is_empty() && entry.file_name() == marker {
            let bytes = crate::files::read_input(&source, 64 * 1024)?;
            crate::safe_file::write(&target, crate::safe_file::Existing::Refuse, &bytes)?;
        } else {
            reseal_file(&source, &target, old, new)?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// A stored file's name without the name a person gave it: `<file id>-<name>` → `<file id>` (a UUID); other names
/// (folders, the logo) as they are. See `store::Write::strip_stored_names`, which does the same to the records.
fn bare_name(name: &std::ffi::OsStr) -> std::ffi::OsString {
    let text = name.to_string_lossy();
    match text.get(..36) {
        Some(id) if text.len() > 37 && text.as_bytes()[36] == b'-' && uuid::Uuid::parse_str(id).is_ok() => id.into(),
        _ => name.to_os_string(),
    }
}

fn reseal_file(source: &Path, target: &Path, old: Option<&FileKey>, new: &FileKey) -> Result<()> {
    let cannot = |e| Error::io(format!("cannot re-seal {}", source.display()), e);
    let mut input = super::open_file(old, source)?;
    let mut output = crate::safe_file::Output::create(target, crate::safe_file::Existing::Refuse)?;
    let mut sink = super::FileSink::new(Some(new), output.file())?;
    let mut hasher = crate::hash::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf).map_err(cannot)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        sink.write_all(&buf[..n]).map_err(cannot)?;
    }
    sink.finish()?;
    output.commit()?;
    let written = hasher.finish_hex();
    let mut check = crate::hash::Hasher::new();
    let mut back = super::open_file(Some(new), target)?;
    loop {
        let n = back.read(&mut buf).map_err(cannot)?;
        if n == 0 {
            break;
        }
        check.update(&buf[..n]);
    }
    if check.finish_hex() != written {
        return Err(Error::Corrupt(format!("{} does not read back as written", target.display())));
    }
    Ok(())
}

/// Whether another process has the database open (a window, a command): SQLite's locks on the file or its
/// shared-memory index, as `fcntl(F_GETLK)` reports them. Call it before this process opens the database: closing
/// the descriptor it opens would drop this process's own POSIX locks on the file.
#[cfg(unix)]
pub fn open_elsewhere(db: &Path) -> bool {
    use std::os::fd::AsRawFd;
    [db.to_path_buf(), suffixed(db, "-shm")].iter().any(|path| {
        let Ok(file) = std::fs::File::open(path) else { return false };
        // SAFETY: `flock` is plain data (zeroed is a valid value) and F_GETLK only writes into it.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = libc::F_WRLCK as _;
        lock.l_whence = libc::SEEK_SET as _;
        // SAFETY: a valid descriptor and a valid `flock` the call may write.
        let asked = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
        asked == 0 && i32::from(lock.l_type) != libc::F_UNLCK
    })
}

#[cfg(not(unix))]
pub fn open_elsewhere(_db: &Path) -> bool {
    false
}
