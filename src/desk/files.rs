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
/// the file 0600 on Unix.
pub(crate) fn store_file(
    root: &Path,
    request_id: &Uuid,
    file_name: &str,
    content: &mut dyn std::io::Read,
) -> Result<StoredFile> {
    let file_name = safe_file_name(file_name)?;
    let dir = root.join(request_id.to_string());
    crate::safe_file::private_dir(root)?;
    crate::safe_file::private_dir(&dir)?;
    let id = Uuid::now_v7().to_string();
    let stored_name = format!("{request_id}/{id}-{file_name}");
    let path = root.join(&stored_name);
    let mut output = crate::safe_file::Output::create(&path, crate::safe_file::Existing::Refuse)?;
    let (sha256, size) = copy_hashed(content, output.file(), &path)?;
    output.commit()?;
    Ok(StoredFile { id, file_name, stored_name, sha256, size, path })
}

pub(super) fn copy_hashed(
    content: &mut dyn std::io::Read,
    file: &mut std::fs::File,
    to: &Path,
) -> Result<(String, i64)> {
    use std::io::Write;
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
