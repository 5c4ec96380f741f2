//! The register's managed files: copied in atomically with their SHA-256, under a safe name.

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

    /// A file of the register's folder, for reading its content (through its seal in an encrypted register).
    pub(crate) fn open_stored(&self, path: &Path) -> Result<Box<dyn std::io::Read + Send>> {
        crate::vault::open_file(self.file_key.as_ref(), path)
    }

    /// The whole content of a small file of the register's folder, within `limit` bytes.
    pub(crate) fn read_stored(&self, path: &Path, limit: u64) -> Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        self.open_stored(path)?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        crate::files::check_len(&path.display().to_string(), bytes.len() as u64, limit)?;
        Ok(bytes)
    }

    /// Write a small file into the register's folder whole (sealed in an encrypted register; see `safe_file`).
    pub(crate) fn write_stored(&self, path: &Path, existing: crate::safe_file::Existing, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
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
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copy `content` into `root/<request id>/<file id>-<name>` through [`crate::safe_file`]: written under a
/// temporary name, synced, then renamed, so a crash never leaves a half file under its final name; folders 0700 and
/// the file 0600 on Unix; sealed under `key` in an encrypted register (the SHA-256 and size are the content's).
pub(crate) fn store_file(
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
    Ok(StoredFile { id, file_name, stored_name, sha256, size, path })
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
