//! The register's own folder for files: `<database folder>/rightsdesk-files-<register id>/` with `attachments/`,
//! `evidence/` and `letterhead/` inside, and `register.json` naming the register and its database. Registers in one
//! folder never share files (docs/security-folders.md).
//!
//! A byte copy of the database carries the original's id, so the register records where its database lives
//! (`register.path`). Opened elsewhere while that place (or the place its folder's marker names) still holds a
//! database with the same id, it is a copy: it takes a new id and its own copies of the files (hard links where
//! the filesystem allows). Opened elsewhere while nothing holds the id there any more, it was moved: it keeps its
//! id, and its folder follows it from the old database folder if it was left there.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::safe_file::{self, Existing};
use crate::store::{self, Store};

const PREFIX: &str = "rightsdesk-files-";
/// The file in the folder that names its register.
pub const MARKER: &str = "register.json";
const MARKER_FORMAT: &str = "rightsdesk-files-1";
/// What the folder holds, each the same name the legacy layout had beside the database.
pub const SUBFOLDERS: [&str; 3] = ["attachments", "evidence", "letterhead"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Marker {
    format: String,
    register: String,
    database: String,
}

/// The folder of register `id` whose database file is `db` (it does not depend on the file's name).
pub fn folder_of(db: &Path, id: &str) -> PathBuf {
    database_folder(db).join(format!("{PREFIX}{id}"))
}

fn database_folder(db: &Path) -> &Path {
    db.parent().unwrap_or(Path::new("."))
}

/// The register's id, which names a folder: anything but 32 lower-case hex digits is refused.
pub(crate) fn checked_id(id: Option<String>) -> Result<String> {
    let id = id.ok_or_else(|| Error::Corrupt("the register has no id".into()))?;
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(id)
    } else {
        Err(Error::Corrupt(format!("the register's id '{id}' is not 32 hex digits")))
    }
}

/// Where the register's files are when it cannot be written: its folder, or beside the database for a register
/// never opened for writing since folders were introduced (its files are still in the legacy layout).
pub(super) fn locate(store: &Store) -> Result<PathBuf> {
    let id = checked_id(store.setting("register.id")?)?;
    if store.setting("register.path")?.is_none() {
        let db = std::path::absolute(store.path()).unwrap_or_else(|_| store.path().to_path_buf());
        return Ok(database_folder(&db).to_path_buf());
    }
    Ok(folder_of(&absolute(store.path()), &id))
}

/// Make sure the register has its own folder, telling a copy from a move (see the module's text), and bring files
/// of the legacy layout into it on the first open after the upgrade. Every change is recorded as a register event.
pub(super) fn settle(store: &Store, at: &str, actor: &str) -> Result<PathBuf> {
    let db = store.path();
    let here = absolute(db);
    store.write(|tx| {
        let id = checked_id(tx.setting("register.id")?)?;
        let recorded = tx.setting("register.path")?.map(PathBuf::from);
        let marker = read_marker(&folder_of(&here, &id), &id)?;
        let original = [recorded.clone(), marker.map(|m| PathBuf::from(m.database))]
            .into_iter()
            .flatten()
            .find(|other| is_elsewhere(other, &here) && store.holds_register(other, &id));
        let ctx = Settling { tx, db, here: &here, at, actor };
        let folder = match original {
            Some(original) => ctx.copy_of(&id, &original)?,
            None => ctx.own(&id, recorded.as_deref())?,
        };
        if recorded.is_none() {
            ctx.take_legacy(&folder)?;
        }
        Ok(folder)
    })
}

struct Settling<'a> {
    tx: &'a dyn store::Write,
    db: &'a Path,
    here: &'a Path,
    at: &'a str,
    actor: &'a str,
}

impl Settling<'_> {
    /// This file is the register (new, unmoved, or moved with nothing left holding its id at the old place).
    fn own(&self, id: &str, recorded: Option<&Path>) -> Result<PathBuf> {
        let folder = folder_of(self.here, id);
        let moved_from = recorded.filter(|r| is_elsewhere(r, self.here));
        if let Some(previous) = moved_from {
            self.follow(&folder_of(previous, id), &folder, id)?;
        }
        if recorded.is_none() || moved_from.is_some() {
            self.tx.set_setting("register.path", &self.here.to_string_lossy())?;
        }
        make_folder(&folder, id, self.here)?;
        Ok(folder)
    }

    /// A database moved to another folder: its files folder comes along if it was left at the old place.
    fn follow(&self, old: &Path, new: &Path, id: &str) -> Result<()> {
        if old == new || new.exists() || read_marker(old, id)?.is_none() {
            return Ok(());
        }
        std::fs::rename(old, new).map_err(|e| {
            Error::io(
                format!(
                    "the register's files are in {} and cannot be moved beside the database (move that folder to {})",
                    old.display(),
                    new.display()
                ),
                e,
            )
        })?;
        let moved = ev::FilesFolderMoved { from: old.to_string_lossy().into(), to: new.to_string_lossy().into() };
        super::write::append_register(self.tx, self.at, self.actor, &AuditEvent::FilesFolderMoved(moved))?;
        Ok(())
    }

    /// A copy of the register at `original`: a new id, and its own copies of the original's files.
    fn copy_of(&self, old_id: &str, original: &Path) -> Result<PathBuf> {
        let new_id = uuid::Uuid::new_v4().simple().to_string();
        let folder = folder_of(self.here, &new_id);
        let made = (|| {
            make_folder(&folder, &new_id, self.here)?;
            let source = folder_of(original, old_id);
            let mut files = Duplicated::default();
            if source.is_dir() {
                duplicate(&source, &folder, true, &mut files)?;
            }
            self.tx.set_setting("register.id", &new_id)?;
            self.tx.set_setting("register.path", &self.here.to_string_lossy())?;
            // The copy keeps the signing key it was copied with; the key stays bound to the id it was made under.
            if self.tx.setting("audit.key.public")?.is_some() && self.tx.setting("audit.key.register")?.is_none() {
                self.tx.set_setting("audit.key.register", old_id)?;
            }
            let copied = ev::RegisterCopied {
                from_id: old_id.to_string(),
                from_path: original.to_string_lossy().into(),
                id: new_id.clone(),
                files_linked: files.linked,
                files_copied: files.copied,
            };
            super::write::append_register(self.tx, self.at, self.actor, &AuditEvent::RegisterCopied(copied))?;
            Ok(folder.clone())
        })();
        if made.is_err() {
            let _ = std::fs::remove_dir_all(&folder);
        }
        made
    }

    /// The first open after the upgrade: the folders and the logo this register names move from the legacy
    /// layout beside the database into its folder; anything else there stays where it is.
    fn take_legacy(&self, folder: &Path) -> Result<()> {
        let base = database_folder(self.db);
        let siblings = sibling_folders(base, folder);
        let mut moved = 0u64;
        let mut shared = Duplicated::default();
        for request in self.tx.request_ids()? {
            for sub in ["attachments", "evidence"] {
                let ours = folder.join(sub).join(&request);
                if move_legacy(&base.join(sub).join(&request), &ours)? {
                    moved += 1;
                    continue;
                }
                // A copy made before the upgrade got an id of its own, so it is not recognised as a copy; the first
                // of the copies opened took the shared files into its folder: this one gets its own links to them.
                let taken = siblings.iter().map(|s| s.join(sub).join(&request)).find(|p| p.is_dir());
                if let Some(taken) = taken.filter(|_| std::fs::symlink_metadata(&ours).is_err()) {
                    safe_file::private_dir(&ours)?;
                    duplicate(&taken, &ours, false, &mut shared)?;
                }
            }
        }
        let logo = self.take_legacy_logo(base, folder)?;
        for sub in SUBFOLDERS {
            // Only an empty folder goes: what other registers (or the user) keep there stays.
            let _ = std::fs::remove_dir(base.join(sub));
        }
        if moved > 0 || logo.is_some() || shared.linked + shared.copied > 0 {
            let event = AuditEvent::FilesMovedToRegisterFolder(ev::FilesMovedToRegisterFolder {
                folder: folder.to_string_lossy().into(),
                request_folders: moved,
                logo,
                files_shared_with_an_earlier_copy: ev::LinkedCopied { linked: shared.linked, copied: shared.copied },
            });
            super::write::append_register(self.tx, self.at, self.actor, &event)?;
        }
        Ok(())
    }

    /// The letterhead's logo (kept before as a path to `letterhead/` beside the database) is taken along, and the
    /// setting becomes relative to the register's folder.
    fn take_legacy_logo(&self, base: &Path, folder: &Path) -> Result<Option<String>> {
        let Some(logo) = self.tx.setting("org.logo")?.filter(|l| !l.trim().is_empty()) else { return Ok(None) };
        let Some(name) = Path::new(logo.trim()).file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Ok(None);
        };
        let kept = folder.join("letterhead").join(&name);
        move_legacy(&base.join("letterhead").join(&name), &kept)?;
        if !kept.is_file() {
            return Ok(None);
        }
        let setting = format!("letterhead/{name}");
        self.tx.set_setting("org.logo", &setting)?;
        Ok(Some(setting))
    }
}

/// The other registers' folders beside this one (copies made before the upgrade may hold files of its requests).
fn sibling_folders(base: &Path, ours: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(base) else { return vec![] };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX) && e.path() != ours)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

/// The folders beside `db` whose marker names `db` as their database (a register about to be replaced).
pub(crate) fn folders_naming(db: &Path) -> Vec<PathBuf> {
    let here = absolute(db);
    let Ok(entries) = std::fs::read_dir(database_folder(&here)) else { return vec![] };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            crate::files::read_input(&e.path().join(MARKER), 64 * 1024)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Marker>(&bytes).ok())
                .is_some_and(|m| Path::new(&m.database) == here)
        })
        .map(|e| e.path())
        .collect()
}

/// Move one legacy entry into the register's folder, unless it is missing or its place is taken already.
fn move_legacy(from: &Path, to: &Path) -> Result<bool> {
    if std::fs::symlink_metadata(from).is_err() || std::fs::symlink_metadata(to).is_ok() {
        return Ok(false);
    }
    std::fs::rename(from, to)
        .map_err(|e| Error::io(format!("cannot move {} into {}", from.display(), to.display()), e))?;
    Ok(true)
}

/// The folder with its parts, private, and its marker naming this register and its database.
fn make_folder(folder: &Path, id: &str, database: &Path) -> Result<()> {
    safe_file::private_dir(folder)?;
    for sub in SUBFOLDERS {
        safe_file::private_dir(&folder.join(sub))?;
    }
    let marker =
        Marker { format: MARKER_FORMAT.into(), register: id.into(), database: database.to_string_lossy().into() };
    if read_marker(folder, id)?.as_ref() != Some(&marker) {
        let text = serde_json::to_vec_pretty(&marker).map_err(|e| Error::Corrupt(e.to_string()))?;
        safe_file::write(&folder.join(MARKER), Existing::Replace, &text)?;
    }
    Ok(())
}

/// The folder's marker, if it has one; a marker naming another register is refused (the folder is not ours).
fn read_marker(folder: &Path, id: &str) -> Result<Option<Marker>> {
    let path = folder.join(MARKER);
    let bytes = match crate::files::read_input(&path, 64 * 1024) {
        Ok(bytes) => bytes,
        Err(_) if std::fs::symlink_metadata(&path).is_err() => return Ok(None),
        Err(e) => return Err(e),
    };
    let marker: Marker = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Corrupt(format!("{} cannot be read: {e}", path.display())))?;
    if marker.register != id {
        return Err(Error::Corrupt(format!(
            "{} belongs to register {}, not to this register ({id})",
            folder.display(),
            marker.register
        )));
    }
    Ok(Some(marker))
}

#[derive(Debug, Default)]
struct Duplicated {
    linked: u64,
    copied: u64,
}

/// Give `to` its own copy of every regular file under `from`: a hard link where the filesystem allows (a purge
/// unlinks only its own name), else a copy. Links and other special files are not the register's: not followed.
fn duplicate(from: &Path, to: &Path, top: bool, count: &mut Duplicated) -> Result<()> {
    let read = |e| Error::io(format!("cannot read {}", from.display()), e);
    for entry in std::fs::read_dir(from).map_err(read)? {
        let entry = entry.map_err(read)?;
        if top && entry.file_name() == MARKER {
            continue;
        }
        let kind = entry.file_type().map_err(read)?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            safe_file::private_dir(&target)?;
            duplicate(&entry.path(), &target, false, count)?;
        } else if kind.is_file() && std::fs::symlink_metadata(&target).is_err() {
            if std::fs::hard_link(entry.path(), &target).is_ok() {
                count.linked += 1;
            } else {
                std::fs::copy(entry.path(), &target).map_err(|e| {
                    Error::io(format!("cannot copy {} into {}", entry.path().display(), to.display()), e)
                })?;
                safe_file::make_private(&target)
                    .map_err(|e| Error::io(format!("cannot protect {}", target.display()), e))?;
                count.copied += 1;
            }
        }
    }
    Ok(())
}

/// The database's place as recorded: absolute, links resolved.
pub(crate) fn absolute(db: &Path) -> PathBuf {
    std::fs::canonicalize(db).or_else(|_| std::path::absolute(db)).unwrap_or_else(|_| db.to_path_buf())
}

/// `other` names another file than `here` (not the same path, nor another name of the same file).
fn is_elsewhere(other: &Path, here: &Path) -> bool {
    other != here && !same_file::is_same_file(other, here).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_could_leave_the_folder_is_refused() {
        assert!(checked_id(Some("0123456789abcdef0123456789abcdef".into())).is_ok());
        for bad in ["../../../../etc/passwd0000000000", "0123456789ABCDEF0123456789ABCDEF", "abc", ""] {
            assert!(checked_id(Some(bad.into())).is_err(), "{bad}");
        }
        assert!(checked_id(None).is_err());
    }

    #[test]
    fn a_folder_marked_for_another_register_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("f");
        make_folder(&folder, "0123456789abcdef0123456789abcdef", Path::new("/x/r.sqlite3")).unwrap();
        assert!(read_marker(&folder, "0123456789abcdef0123456789abcdef").unwrap().is_some());
        let e = read_marker(&folder, "ffffffffffffffffffffffffffffffff").unwrap_err();
        assert!(e.to_string().contains("belongs to register"), "{e}");
        assert!(make_folder(&folder, "ffffffffffffffffffffffffffffffff", Path::new("/x/r.sqlite3")).is_err());
    }

    #[test]
    fn a_duplicate_is_its_own_and_follows_no_links() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(from.join("attachments/r1")).unwrap();
        std::fs::write(from.join("attachments/r1/f.pdf"), b"scan").unwrap();
        std::fs::write(from.join(MARKER), b"{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", from.join("attachments/r1/link")).unwrap();
        std::fs::create_dir_all(&to).unwrap();
        let mut count = Duplicated::default();
        duplicate(&from, &to, true, &mut count).unwrap();
        assert_eq!(count.linked + count.copied, 1);
        assert!(!to.join(MARKER).exists() && !to.join("attachments/r1/link").exists());
        std::fs::remove_file(from.join("attachments/r1/f.pdf")).unwrap();
        assert_eq!(std::fs::read(to.join("attachments/r1/f.pdf")).unwrap(), b"scan");
    }
}
