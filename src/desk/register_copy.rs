//! `rightsdesk register copy`: a desk's register moved to a team server (issue 18) — every row as stored (the audit
//! chain's hashes and row digests carry over), every file of its folder read through its seal and stored on the
//! server, then checked: the same requests and events, the same chain head, a chain and rows that verify there,
//! and every file read back with the hash it was sent with.

use std::path::Path;

use serde::Serialize;

use super::files::HashedRead;
use super::{Clock, Desk};
use crate::error::{Error, Result};
use crate::store::{self, Store};

/// What a copy moved and checked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CopyReport {
    /// Where the register now is (the connection string without its password).
    pub to: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events: u64,
    /// Every row of every table.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub rows: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub files: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
    /// The audit chain's newest hash, the same on both sides.
    pub chain_head: String,
}

/// The folders of a register's own folder whose files are the register's (not its marker file).
const FILE_FOLDERS: &[&str] = &["attachments", "evidence", "letterhead", "mailbox"];

/// Copy the register at `from` (unlocked as `access` allows) into the empty team register at `to`, or a team
/// register at `from` back into a new register file at `to`.
pub fn copy_register(from: &Path, access: &crate::vault::Access, to: &str, clock: Clock) -> Result<CopyReport> {
    let from_server = from.to_str().is_some_and(store::postgres::Target::is_connection_string);
    if from_server && !store::postgres::Target::is_connection_string(to) {
        return copy_to_file(from, access, Path::new(to), clock);
    }
    if !store::postgres::Target::is_connection_string(to) {
        return Err(Error::invalid(
            "to",
            "a register is copied between a file and a team server: give --to postgres://USER@HOST/DATABASE, or \
             --from postgres://… and --to a new file",
        ));
    }
    let source = Desk::open(from, clock, access)?;
    if source.files_on_server() {
        return Err(Error::invalid(
            "from",
            "copy from a register file (.sqlite3); a team register is copied by its server",
        ));
    }
    let now = store::timestamp(clock.now());
    let target_store = Store::new(Box::new(store::postgres::Postgres::open(
        store::postgres::Target::parse(to)?.with_password(|a| super::server_password::POSTGRES.kept_for(a)),
        &now,
    )?));
    let before = source.store().read(|r| r.chain_head())?;
    let mut rows = 0;
    target_store.backend().rows_in(&mut |sink| {
        rows = store::copy::copy_rows(source.store().backend(), sink)?;
        Ok(())
    })?;
    let server = target_store
        .backend()
        .server_files()
        .ok_or_else(|| Error::Database("the team register keeps no files".into()))?;
    let (files, bytes) = copy_files(&source, server.as_ref())?;
    checked(&source, &target_store, before, rows, files, bytes)
}

/// The copy checked against the register it came from, which must not have changed meanwhile: the same requests,
/// events and chain head, a chain and rows that verify.
fn checked(
    source: &Desk,
    target_store: &Store,
    before: (i64, String, u64),
    rows: u64,
    files: u64,
    bytes: u64,
) -> Result<CopyReport> {
    let after = source.store().read(|r| r.chain_head())?;
    if after != before {
        return Err(Error::refused(
            "the register changed while it was copied (someone worked in it): empty or remove the copy and copy again",
        ));
    }
    let (from_facts, to_facts) = (source.store().facts()?, target_store.facts()?);
    if (from_facts.requests, from_facts.events) != (to_facts.requests, to_facts.events) {
        return Err(Error::Corrupt(format!(
            "the copy holds {} requests and {} events, the register {} and {}",
            to_facts.requests, to_facts.events, from_facts.requests, from_facts.events
        )));
    }
    let head = target_store.read(|r| r.chain_head())?;
    if head.1 != before.1 {
        return Err(Error::Corrupt("the copy's audit chain does not end where the register's does".into()));
    }
    let (walk, rows_check) = target_store.read(|r| r.verify_chain_and_rows())?;
    if let Some(at) = walk.first_break {
        return Err(Error::Corrupt(format!("the copy's audit chain breaks at {at:?}")));
    }
    if rows_check.differing > 0 {
        return Err(Error::Corrupt(format!(
            "{} requests of the copy differ from their audit trail",
            rows_check.differing
        )));
    }
    Ok(CopyReport {
        to: target_store.path().display().to_string(),
        requests: to_facts.requests,
        events: to_facts.events,
        rows,
        files,
        bytes,
        chain_head: head.1,
    })
}

/// A team register copied back into a new register file (leaving the team edition, or a copy to keep apart): every
/// row as stored, every file from the server into the file's own folder, then checked there as a copy to the server
/// is. The new file is a plain register: the server's file names hold the names files were given, which an
/// encrypted register never writes on disk (encrypt it afterwards with `vault encrypt`).
fn copy_to_file(from: &Path, access: &crate::vault::Access, to: &Path, clock: Clock) -> Result<CopyReport> {
    if !access.unencrypted || access.passphrase.is_some() {
        return Err(Error::invalid(
            "to",
            "a team register is copied back into a plain register file: add --unencrypted (then encrypt it with \
             `rightsdesk vault encrypt`)",
        ));
    }
    if to.exists() {
        return Err(Error::invalid(
            "to",
            format!("{} exists already: a register is copied into a new file", to.display()),
        ));
    }
    let source = Desk::open(from, clock, access)?;
    let server = source
        .store()
        .backend()
        .server_files()
        .ok_or_else(|| Error::invalid("from", "copy back from a team register (postgres://USER@HOST/DATABASE)"))?;
    let before = source.store().read(|r| r.chain_head())?;
    let id = super::register_files::checked_id(source.store().setting("register.id")?)?;
    let path = std::path::absolute(to).map_err(|e| Error::io(format!("cannot resolve {}", to.display()), e))?;
    let folder = super::register_files::folder_of(&path, &id);
    if folder.exists() {
        return Err(Error::invalid(
            "to",
            format!(
                "{} holds the files of a copy of this register already (the file it was copied from?): copy into \
                 another folder",
                folder.display()
            ),
        ));
    }
    // A copy that fails leaves nothing: the new file and every files folder made beside it go.
    let folders_before = files_folders(&path);
    let copied = fill_file(&source, server.as_ref(), before, to, &path, access, clock);
    if copied.is_err() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(&name);
        }
        for folder in files_folders(&path).difference(&folders_before) {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
    copied
}

/// The register files folders beside the database file `db`.
fn files_folders(db: &Path) -> std::collections::HashSet<std::path::PathBuf> {
    let parent = db.parent().unwrap_or(Path::new("."));
    std::fs::read_dir(parent)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("rightsdesk-files-")))
                .collect()
        })
        .unwrap_or_default()
}

/// `copy_to_file`'s work once its checks passed: the new register made at `to` (`path`, absolute), filled and
/// checked.
fn fill_file(
    source: &Desk,
    server: &dyn store::ServerFiles,
    before: (i64, String, u64),
    to: &Path,
    path: &Path,
    access: &crate::vault::Access,
    clock: Clock,
) -> Result<CopyReport> {
    // Made as a new register, then filled: its own shipped settings and templates give way to the copied ones,
    // and it takes the team register's id (and with it a files folder of that name).
    let made = Desk::open(to, clock, access)?;
    let mut rows = 0;
    made.store().backend().rows_in(&mut |sink| {
        rows = store::copy::copy_rows(source.store().backend(), sink)?;
        Ok(())
    })?;
    made.store().write(|tx| tx.set_setting("register.path", &path.to_string_lossy()))?;
    let first_folder = made.files_dir().to_path_buf();
    drop(made);
    std::fs::remove_dir_all(&first_folder)
        .map_err(|e| Error::io(format!("cannot remove {}", first_folder.display()), e))?;
    let target = Desk::open(to, clock, access)?;
    let mut files = 0;
    let mut bytes = 0;
    for name in server.names()? {
        let path = target.files_dir().join(&name);
        if super::files::server_name(target.files_dir(), &path)? != name {
            return Err(Error::Corrupt(format!("the server holds a file named {name:?}, which no register writes")));
        }
        let mut content = server.get(&name)?;
        let mut sent = HashedRead::new(&mut content, u64::MAX);
        let mut kept = Vec::new();
        std::io::copy(&mut sent, &mut kept).map_err(|e| Error::io(format!("cannot read {name} from the server"), e))?;
        if let Some(parent) = path.parent() {
            crate::safe_file::private_dir(parent)?;
        }
        target.write_stored(&path, crate::safe_file::Existing::Refuse, &kept)?;
        let mut back = target.open_stored(&path)?;
        let mut read = HashedRead::new(&mut back, u64::MAX);
        std::io::copy(&mut read, &mut std::io::sink())
            .map_err(|e| Error::io(format!("cannot read {} back", path.display()), e))?;
        if read.hasher.finish_hex() != sent.hasher.finish_hex() {
            return Err(Error::Corrupt(format!("{name} reads back from the copy changed")));
        }
        files += 1;
        bytes += sent.size;
    }
    checked(source, target.store(), before, rows, files, bytes)
}

/// Every file of the register's folder, read through its seal, stored on the server and read back: the number of
/// files and bytes.
fn copy_files(source: &Desk, server: &dyn store::ServerFiles) -> Result<(u64, u64)> {
    let mut files = 0;
    let mut bytes = 0;
    for folder in FILE_FOLDERS {
        let mut found = vec![];
        list(&source.files_dir().join(folder), &mut found)?;
        found.sort();
        for path in found {
            let name = super::files::server_name(source.files_dir(), &path)?;
            let mut file = source.open_stored(&path)?;
            let mut sent = HashedRead::new(&mut file, u64::MAX);
            bytes += server.put(&name, &mut sent, false)?;
            let mut stored = server.get(&name)?;
            let mut back = HashedRead::new(&mut stored, u64::MAX);
            std::io::copy(&mut back, &mut std::io::sink())
                .map_err(|e| Error::io(format!("cannot read {name} back from the server"), e))?;
            if back.hasher.finish_hex() != sent.hasher.finish_hex() {
                return Err(Error::Corrupt(format!("{name} reads back from the server changed")));
            }
            files += 1;
        }
    }
    Ok((files, bytes))
}

/// Regular files under `dir`, at any depth (none if it does not exist).
fn list(dir: &Path, found: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(format!("cannot read {}", dir.display()), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
        let kind = entry.file_type().map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?;
        if kind.is_dir() {
            list(&entry.path(), found)?;
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
    Ok(())
}
