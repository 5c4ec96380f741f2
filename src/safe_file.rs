//! The one way Rightsdesk writes a file: exports, letters, the import's error file, the calendar, and the files
//! kept in the register's own folders (attachments, identity evidence, letterhead).
//!
//! A file is written under a random temporary name in the folder of its final name, created exclusively
//! (`O_CREAT|O_EXCL`, and `O_NOFOLLOW` on Unix: nothing planted there — a symlink, a file of the same name — is
//! ever opened or followed) with mode 0600, synced, then renamed into place. An existing file under the final
//! name is refused unless the caller asked to replace it; without that the rename itself cannot overwrite
//! (`renameat2(RENAME_NOREPLACE)`, else a hard link, through `tempfile`), so a file that appears meanwhile is not
//! lost either. Replacing renames over the name: a symlink there is replaced, never written through. Dropped
//! before [`Output::commit`], the temporary file is removed and the final name never existed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What to do when the final name is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse, and leave the existing file as it is (the default everywhere).
    Refuse,
    /// Replace it (the CLI's `--force`).
    Replace,
}

impl Existing {
    /// From a `--force` flag.
    pub fn replace_if(force: bool) -> Existing {
        if force { Existing::Replace } else { Existing::Refuse }
    }
}

/// A file being written, not yet under its final name.
pub struct Output {
    temp: tempfile::NamedTempFile,
    out: PathBuf,
    existing: Existing,
}

impl Output {
    /// Start writing the file that will be `out`. Refused at once (before any work) when `out`'s folder does not
    /// exist, or when `out` exists and `existing` is [`Existing::Refuse`].
    pub fn create(out: &Path, existing: Existing) -> Result<Output> {
        if out.file_name().is_none() {
            return Err(Error::invalid("out", format!("{} is not a file name", out.display())));
        }
        let dir = folder(out);
        if !dir.is_dir() {
            return Err(Error::invalid("out", format!("the folder {} does not exist", dir.display())));
        }
        if existing == Existing::Refuse {
            refuse_taken(out)?;
        }
        let temp = tempfile::Builder::new()
            .prefix(".rightsdesk-")
            .suffix(".partial")
            .make_in(dir, open_exclusive)
            .map_err(|e| Error::io(format!("cannot create a file in {}", dir.display()), e))?;
        Ok(Output { temp, out: out.to_path_buf(), existing })
    }

    /// The final name.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// The open temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// A second handle on the temporary file, for a writer that takes ownership of its file.
    pub fn handle(&self) -> Result<File> {
        self.temp.as_file().try_clone().map_err(|e| self.io_error(e))
    }

    /// The SHA-256 of what was written so far (the writers flushed), read back through the open handle.
    pub fn sha256(&mut self) -> Result<String> {
        let io = |e| Error::io(format!("cannot read back {}", self.out.display()), e);
        let mut file = self.temp.as_file();
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut hasher = crate::hash::Hasher::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok(hasher.finish_hex())
    }

    /// Sync the file and give it its final name; its size.
    pub fn commit(self) -> Result<u64> {
        let io = |e| Error::io(format!("cannot write {}", self.out.display()), e);
        let file = self.temp.as_file();
        file.sync_all().map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let placed = match self.existing {
            Existing::Replace => self.temp.persist(&self.out),
            Existing::Refuse => self.temp.persist_noclobber(&self.out),
        };
        match placed {
            Ok(_) => Ok(size),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(taken(&self.out)),
            Err(e) => Err(Error::io(format!("cannot write {}", self.out.display()), e.error)),
        }
    }

    /// Put the file in place, then `record` what was done (the audit event, the attachment): nothing is recorded
    /// for a file that could not be written. Should recording fail, the file just placed is removed again, so no
    /// file leaves the app unrecorded (a crash between the two can still leave one: see docs/security-outputs.md).
    pub fn commit_then<T>(self, record: impl FnOnce() -> Result<T>) -> Result<(u64, T)> {
        let out = self.out.clone();
        let size = self.commit()?;
        match record() {
            Ok(done) => Ok((size, done)),
            Err(e) => {
                let _ = std::fs::remove_file(&out);
                Err(e)
            }
        }
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::io(format!("cannot write {}", self.out.display()), e)
    }
}

/// Make a rename into `path`'s folder durable (sync the folder); best effort where folders cannot be synced.
pub fn sync_folder(path: &Path) {
    if let Ok(dir) = std::fs::File::open(folder(path)) {
        let _ = dir.sync_all();
    }
}

/// Write `bytes` as the file `out`; its size.
pub fn write(out: &Path, existing: Existing, bytes: &[u8]) -> Result<u64> {
    use std::io::Write;
    let mut output = Output::create(out, existing)?;
    output.file().write_all(bytes).map_err(|e| output.io_error(e))?;
    output.commit()
}

/// The first of `name`, `stem (2).ext`, `stem (3).ext`… not taken in `dir`: the window saves to Downloads and
/// never replaces a file there (the write is still exclusive, should the name be taken meanwhile).
pub fn free_name(dir: &Path, name: &str) -> PathBuf {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let mut n = 1u32;
    loop {
        let candidate = if n == 1 { dir.join(name) } else { dir.join(format!("{stem} ({n}){ext}")) };
        // A dangling symlink is taken too: `exists` would follow it and say no.
        if n == u32::MAX || std::fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
        n += 1;
    }
}

/// Create a folder of the register (and its missing parents) readable by its owner only; an existing folder is
/// made so too. Elsewhere than Unix, a plain create.
pub fn private_dir(path: &Path) -> Result<()> {
    let io = |e| Error::io(format!("cannot create {}", path.display()), e);
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(io)?;
    make_private(path).map_err(io)
}

/// Take group and other users' access away from `path` (Unix only; the owner's own bits are kept, so a read-only
/// file stays read-only; a missing file is no error).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() || m.permissions().mode() & 0o077 == 0 => Ok(()),
            Ok(m) => std::fs::set_permissions(path, std::fs::Permissions::from_mode(m.permissions().mode() & !0o077)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Make an SQLite database and its `-wal` and `-shm` files readable by their owner only (0600 when created by
/// Rightsdesk), whatever the umask of the process that created them. A database of another user (shared read-only)
/// cannot be changed, and is still opened.
pub fn make_database_private(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if let Err(e) = make_private(&file)
            && e.kind() != std::io::ErrorKind::PermissionDenied
        {
            return Err(Error::io(format!("cannot restrict access to {}", file.display()), e));
        }
    }
    Ok(())
}

/// Make every file and folder the process creates from now on private to its owner (umask 077): the SQLite
/// database with its `-wal` and `-shm`, which SQLite creates itself, and anything a dependency writes. Called
/// first thing by both binaries; the library does not change a host process's umask on its own.
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-mode creation mask; it touches no memory and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

fn folder(out: &Path) -> &Path {
    out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn taken(out: &Path) -> Error {
    Error::refused(format!("{} already exists: choose another name, or replace it on purpose (--force)", out.display()))
}

/// Refuse `out` if anything is there (the refusal [`Output::create`] gives): for a command that writes several files
/// and checks them all before writing the first, so a refusal leaves everything as it was.
pub fn refuse_taken(out: &Path) -> Result<()> {
    match std::fs::symlink_metadata(out) {
        Ok(_) => Err(taken(out)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!("cannot check {}", out.display()), e)),
    }
}

fn open_exclusive(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_existing_name_and_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        std::fs::write(&out, "old").unwrap();
        assert!(Output::create(&out, Existing::Refuse).is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        write(&out, Existing::Replace, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
    }

    #[test]
    fn a_name_taken_while_writing_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        let mut output = Output::create(&out, Existing::Refuse).unwrap();
        std::io::Write::write_all(output.file(), b"mine").unwrap();
        std::fs::write(&out, "theirs").unwrap();
        assert!(output.commit().is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "theirs");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary file is removed");
    }

    #[test]
    fn dropped_before_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        let mut output = Output::create(&out, Existing::Refuse).unwrap();
        std::io::Write::write_all(output.file(), b"half").unwrap();
        drop(output);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn hash_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut output = Output::create(&dir.path().join("x"), Existing::Refuse).unwrap();
        std::io::Write::write_all(output.file(), b"abc").unwrap();
        assert_eq!(output.sha256().unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        std::io::Write::write_all(output.file(), b"d").unwrap();
        assert_eq!(output.commit().unwrap(), 4);
    }

    #[test]
    fn free_names_count_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.zip"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/nonexistent", dir.path().join("a (2).zip")).unwrap();
        let expected = if cfg!(unix) { "a (3).zip" } else { "a (2).zip" };
        assert_eq!(free_name(dir.path(), "a.zip"), dir.path().join(expected));
        assert_eq!(free_name(dir.path(), "b"), dir.path().join("b"));
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x");
        write(&out, Existing::Refuse, b"x").unwrap();
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        let sub = dir.path().join("a/b");
        private_dir(&sub).unwrap();
        assert_eq!(std::fs::metadata(&sub).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
