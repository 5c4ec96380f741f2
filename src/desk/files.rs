//! The register's managed files: copied in atomically with their SHA-256, under a safe name. They live in the
//! register's folder beside its database file (SQLite), or on the team edition's server (`store::ServerFiles`),
//! named there by their path inside that folder: every place that reads, writes or removes one goes through
//! the methods here, which choose.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::Attachment;

use super::Desk;

impl Desk {
    /// The register's own folder for files: `rightsdesk-files-<register id>/` beside the database (see
    /// docs/security-folders.md); its files belong to this register alone.
    pub fn files_dir(&self) -> &Path {
        &self.files
    }

    /// Where attached files are kept, in the register's folder.
    pub fn attachments_dir(&self) -> PathBuf {
        self.files.join("attachments")
    }

    /// The key the register's files are sealed with (an encrypted register).
    pub(crate) fn file_key(&self) -> Option<&crate::vault::FileKey> {
        self.file_key.as_ref()
    }

    /// Word of the changes any app commits to a register several apps share (the team edition; `None` on a desk).
    pub fn change_feed(&self) -> Result<Option<Box<dyn crate::store::ChangeFeed>>> {
        self.store.backend().changes()
    }

    /// Whether the register's files are kept by its server (the team edition) rather than in a folder.
    pub fn files_on_server(&self) -> bool {
        self.server_files.is_some()
    }

    /// The server that keeps the register's files, if one does (the team edition).
    fn server_files(&self) -> Option<&std::sync::Arc<dyn crate::store::ServerFiles>> {
        self.server_files.as_ref()
    }

    /// A file of the register's folder, for reading its content (through its seal in an encrypted register).
    pub(crate) fn open_stored(&self, path: &Path) -> Result<Box<dyn std::io::Read + Send>> {
        match self.server_files() {
            Some(server) => server.get(&server_name(&self.files, path)?),
            None => crate::vault::open_file(self.file_key.as_ref(), path),
        }
    }

    /// Remove a file of the register's folder (gone already is fine).
    pub(crate) fn remove_stored(&self, path: &Path) -> Result<()> {
        match self.server_files() {
            Some(server) => server.remove(&server_name(&self.files, path)?).map(|_| ()),
            None => match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(format!("cannot delete {}", path.display()), e)),
            },
        }
    }

    /// Remove a folder of the register's folder and everything in it (a purged request's files).
    pub(crate) fn remove_stored_dir(&self, dir: &Path) -> Result<()> {
        match self.server_files() {
            Some(server) => server.remove_under(&server_name(&self.files, dir)?).map(|_| ()),
            None => match std::fs::remove_dir_all(dir) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(format!("cannot delete {}", dir.display()), e)),
            },
        }
    }

    /// Give the file at `from` a second name `to` with the same content (sealed or not): a hard link in the
    /// folder, or a copy where the file system has none; a copy on the server.
    pub(crate) fn link_stored(&self, from: &Path, to: &Path) -> Result<()> {
        if let Some(server) = self.server_files() {
            return server.copy(&server_name(&self.files, from)?, &server_name(&self.files, to)?);
        }
        if std::fs::symlink_metadata(from).map(|m| !m.is_file()).unwrap_or(true) {
            return Err(Error::NotFound { what: "file", key: from.display().to_string() });
        }
        if let Some(dir) = to.parent() {
            crate::safe_file::private_dir(dir)?;
        }
        if std::fs::hard_link(from, to).is_err() {
            let mut input =
                std::fs::File::open(from).map_err(|e| Error::io(format!("cannot read {}", from.display()), e))?;
            let mut output = crate::safe_file::Output::create(to, crate::safe_file::Existing::Refuse)?;
            std::io::copy(&mut input, output.file())
                .map_err(|e| Error::io(format!("cannot copy {}", from.display()), e))?;
            output.commit()?;
        }
        Ok(())
    }

    /// Copy `content` in as a new file of a request (see [`store_file`]), where the register keeps its files.
    pub(crate) fn store_file(
        &self,
        root: &Path,
        request_id: &Uuid,
        file_name: &str,
        content: &mut dyn std::io::Read,
    ) -> Result<StoredFile> {
        match self.server_files() {
            None => store_file(root, self.file_key(), request_id, file_name, content),
            Some(server) => {
                let file_name = safe_file_name(file_name)?;
                let id = Uuid::now_v7().to_string();
                let stored_name = format!("{request_id}/{id}-{file_name}");
                let path = root.join(&stored_name);
                let name = server_name(&self.files, &path)?;
                let mut hashed = HashedRead::new(content, crate::files::MAX_ATTACHMENT_BYTES);
                server.put(&name, &mut hashed, false)?;
                let size = i64::try_from(hashed.size).unwrap_or(i64::MAX);
                Ok(StoredFile {
                    id,
                    file_name,
                    stored_name,
                    sha256: hashed.hasher.finish_hex(),
                    size,
                    path,
                    server: Some(server.clone()),
                    name,
                })
            }
        }
    }

    /// The whole content of a small file of the register's folder, within `limit` bytes.
    pub(crate) fn read_stored(&self, path: &Path, limit: u64) -> Result<Vec<u8>> {
        crate::files::read_within(&mut self.open_stored(path)?, path, limit)
    }

    /// Write a small file into the register's folder whole (sealed in an encrypted register; see `safe_file`).
    pub(crate) fn write_stored(&self, path: &Path, existing: crate::safe_file::Existing, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        if let Some(server) = self.server_files() {
            let replace = matches!(existing, crate::safe_file::Existing::Replace);
            return server.put(&server_name(&self.files, path)?, &mut &bytes[..], replace).map(|_| ());
        }
        let mut output = crate::safe_file::Output::create(path, existing)?;
        let mut sink = crate::vault::FileSink::new(self.file_key(), output.file())?;
        sink.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        sink.finish()?;
        output.commit()?;
        Ok(())
    }
}

impl Desk {
    /// A copy of a file the register holds for a request (an attachment, or identity evidence not yet purged),
    /// named `file_id`, written readable (through its seal in an encrypted register) as a new private file (0600)
    /// under its own name in a new folder inside `dir`, for the OS's application to open. The caller removes `dir`
    /// when done (the shell: when the app quits, and at its next start). Only files of this request are found.
    pub fn copy_out_held(&self, reference: &str, file_id: &str, dir: &Path) -> Result<PathBuf> {
        let detail = self.request(reference)?;
        let attachment = detail.attachments.iter().find(|a| a.id == file_id);
        let evidence =
            detail.identity.checks.iter().flat_map(|c| &c.evidence).find(|e| e.id == file_id && e.purged_on.is_none());
        let (name, stored) = match (attachment, evidence) {
            (Some(a), _) => (&a.file_name, self.attachments_dir().join(&a.stored_name)),
            (None, Some(e)) => (&e.file_name, self.evidence_dir().join(&e.stored_name)),
            (None, None) => {
                return Err(Error::NotFound { what: "file", key: format!("{file_id} on {reference}") });
            }
        };
        let folder = dir.join(Uuid::new_v4().simple().to_string());
        crate::safe_file::private_dir(&folder)?;
        let out = folder.join(safe_file_name(name)?);
        let mut output = crate::safe_file::Output::create(&out, crate::safe_file::Existing::Refuse)?;
        std::io::copy(&mut self.open_stored(&stored)?, output.file())
            .map_err(|e| Error::io(format!("cannot copy {name} out of the register"), e))?;
        output.commit()?;
        Ok(out)
    }
}

/// The name as shown to people, made safe as a file name: no folders, no control characters, not empty.
pub(super) fn safe_file_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')).collect();
    let cleaned = cleaned.trim_start_matches('.').chars().take(150).collect::<String>();
    if cleaned.is_empty() {
        return Err(Error::invalid("file", format!("'{name}' is not a usable file name")));
    }
    Ok(cleaned)
}

/// A file's name on the server: its path inside the register's folder, with `/` between the parts.
pub(super) fn server_name(files: &Path, path: &Path) -> Result<String> {
    let inside = path
        .strip_prefix(files)
        .map_err(|_| Error::Database(format!("{} is not a file of the register", path.display())))?;
    let parts: Vec<&str> = inside.iter().map(|p| p.to_str().unwrap_or("")).collect();
    if parts.iter().any(|p| p.is_empty() || *p == ".." || *p == ".") {
        return Err(Error::Database(format!("{} is not a file of the register", path.display())));
    }
    Ok(parts.join("/"))
}

/// A reader that hashes and counts what goes through it, and stops a file past `limit` bytes.
pub(super) struct HashedRead<'a> {
    inner: &'a mut dyn std::io::Read,
    pub hasher: crate::hash::Hasher,
    pub size: u64,
    limit: u64,
}

impl<'a> HashedRead<'a> {
    pub fn new(inner: &'a mut dyn std::io::Read, limit: u64) -> HashedRead<'a> {
        HashedRead { inner, hasher: crate::hash::Hasher::new(), size: 0, limit }
    }
}

impl std::io::Read for HashedRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.size += n as u64;
        crate::files::check_len("the file to attach", self.size, self.limit).map_err(std::io::Error::other)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A file copied into a managed folder, not yet recorded in the database.
#[derive(Clone)]
pub(crate) struct StoredFile {
    pub id: String,
    pub file_name: String,
    /// Relative to the managed folder.
    pub stored_name: String,
    pub sha256: String,
    pub size: i64,
    pub path: PathBuf,
    /// The server that holds it (the team edition), and its name there.
    pub server: Option<std::sync::Arc<dyn crate::store::ServerFiles>>,
    pub name: String,
}

impl StoredFile {
    /// Its record as an attachment of the request, added at `added_at`.
    pub fn attachment(&self, added_at: &str) -> Attachment {
        Attachment {
            id: self.id.clone(),
            file_name: self.file_name.clone(),
            stored_name: self.stored_name.clone(),
            sha256: self.sha256.clone(),
            size: self.size,
            added_at: added_at.to_string(),
        }
    }

    /// Undo the copy when its record could not be written (best effort: an orphan file holds no record).
    pub fn remove(&self) {
        match &self.server {
            Some(server) => {
                let _ = server.remove(&self.name);
            }
            None => {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// Copy `content` into `root/<request id>/<file id>-<name>` through [`crate::safe_file`]: written under a
/// temporary name, synced, then renamed, so a crash never leaves a half file under its final name; folders 0700 and
/// the file 0600 on Unix; sealed under `key` in an encrypted register (the SHA-256 and size are the content's).
fn store_file(
    root: &Path,
    key: Option<&crate::vault::FileKey>,
    request_id: &Uuid,
    file_name: &str,
    content: &mut dyn std::io::Read,
) -> Result<StoredFile> {
    let file_name = safe_file_name(file_name)?;
    let dir = root.join(request_id.to_string());
    crate::safe_file::private_dir(root)?;
    crate::safe_file::private_dir(&dir)?;
    let id = Uuid::now_v7().to_string();
    // In an encrypted register the name a person gave the file ("passport-jan-kowalski.pdf") stays in the database,
    // which is encrypted; the name on disk says nothing.
    let stored_name = match key {
        Some(_) => format!("{request_id}/{id}"),
        None => format!("{request_id}/{id}-{file_name}"),
    };
    let path = root.join(&stored_name);
    let mut output = crate::safe_file::Output::create(&path, crate::safe_file::Existing::Refuse)?;
    let mut sink = crate::vault::FileSink::new(key, output.file())?;
    let (sha256, size) = copy_hashed(content, &mut sink, &path)?;
    sink.finish()?;
    output.commit()?;
    Ok(StoredFile { id, file_name, stored_name, sha256, size, path, server: None, name: String::new() })
}

pub(super) fn copy_hashed(
    content: &mut dyn std::io::Read,
    file: &mut dyn std::io::Write,
    to: &Path,
) -> Result<(String, i64)> {
    let io = |e| Error::io(format!("cannot write {}", to.display()), e);
    let mut hasher = crate::hash::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = content.read(&mut buf).map_err(|e| crate::files::read_error(Path::new("the file to attach"), e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        // Checked while streaming: a device or a growing file never ends, and its first size says nothing.
        crate::files::check_len("the file to attach", size, crate::files::MAX_ATTACHMENT_BYTES)?;
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(io)?;
    }
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    Ok((hasher.finish_hex(), size))
}
