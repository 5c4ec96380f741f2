//! What the desktop app does as a desktop program, without Tauri: which running window a launch belongs to (one per
//! register), the file a launch hands it (an email to log, a backup to restore), and the About box's facts (the
//! third-party licences, generated at build time into `data/licences.json` by `scripts/gen_licences.py`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::desk::{BackupLock, backup_lock};
use crate::files::{ChosenFile, FileInput, MAX_EML_BYTES};
use crate::intake::EmailDraft;
use crate::{Desk, Error, Result};

/// The name a running window holds for its register (a D-Bus name on Linux): a second launch on the same register
/// finds it and hands over its file; a launch on another register (`--db`) is a window of its own.
pub fn instance_id(db: Option<&Path>) -> String {
    let key = db.map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
    let digest = sha2::Sha256::digest(key.as_deref().unwrap_or(Path::new("")).as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    // A D-Bus name element may not start with a digit.
    format!("org.rightsdesk.desk.r{hex}")
}

/// The file named on a launch's command line (`args` without the program), resolved against the directory it was
/// launched from: the first argument that is not an option (`--db PATH`, `--db=PATH` and other `--flag[=value]`).
pub fn file_argument(args: &[String], cwd: &Path) -> Option<PathBuf> {
    let mut args = args.iter();
    while let Some(a) = args.next() {
        if a == "--db" {
            args.next();
            continue;
        }
        if a.starts_with("--") || a.is_empty() {
            continue;
        }
        // A desktop file manager may hand a URI (`%u`) rather than a path.
        let path = PathBuf::from(a.strip_prefix("file://").unwrap_or(a));
        return Some(if path.is_absolute() { path } else { cwd.join(path) });
    }
    None
}

/// What a file handed to the window opens: the New request form prefilled from an email (attached as the request's
/// original when it is logged), or Settings' restore with the backup chosen.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Handed {
    Email {
        /// The file's name, for the form's "original" line.
        name: String,
        draft: Box<EmailDraft>,
        /// The email as the window names a file (a token, never its content or path), kept with the request as its
        /// original.
        file: ChosenFile,
    },
    Backup {
        lock: BackupLock,
    },
}

/// What the window does with `path`: read through the same intake as an email dropped on the form (`readEmail`), or
/// the backup's header as the restore's file dialog reads it. Anything else is refused with what is accepted.
pub fn hand(path: &Path, here: Option<&Desk>) -> Result<Handed> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("eml") => {
            let bytes = FileInput::from(path.to_path_buf()).read(MAX_EML_BYTES)?;
            let draft = crate::intake::read_email(&bytes)?;
            Ok(Handed::Email { name, draft: Box::new(draft), file: crate::files::chosen::register(path)? })
        }
        Some("rdbackup") => Ok(Handed::Backup { lock: backup_lock(path, here)? }),
        _ => Err(Error::invalid(
            "file",
            format!("Rightsdesk opens emails (.eml) and its backups (.rdbackup); {name} is neither"),
        )),
    }
}

/// One third-party component in the shipped app: a Rust crate or an npm package of the window.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Licence {
    /// `crate` or `npm`.
    pub source: String,
    pub name: String,
    pub version: String,
    /// The SPDX expression the package declares (`unknown` when it declares none).
    pub licence: String,
    /// Where its source (and its licence text) is published, when the package says.
    pub repository: Option<String>,
}

/// The list `scripts/gen_licences.py` wrote from `cargo metadata` and `ui/package-lock.json`
/// (`tests/it/licences.rs` fails when it is stale).
const LICENCES: &str = include_str!("../data/licences.json");

/// Every third-party component shipped in the app, crates first, each sorted by name.
pub fn licences() -> Result<Vec<Licence>> {
    serde_json::from_str(LICENCES).map_err(|e| Error::Corrupt(format!("the shipped licence list: {e}")))
}

/// The About box: the version, the register's database and the third-party licences.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct About {
    pub version: String,
    pub database: Option<String>,
    /// Where updates come from, when a release server is set; none: updates are off.
    pub updates_from: Option<String>,
    pub licences: Vec<Licence>,
}

pub fn about(database: Option<&Path>, updates_from: Option<String>) -> Result<About> {
    Ok(About {
        version: env!("CARGO_PKG_VERSION").into(),
        database: database.map(crate::desk::register_name),
        updates_from,
        licences: licences()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_file_is_the_first_argument_that_is_not_an_option() {
        let cwd = Path::new("/home/officer");
        assert_eq!(file_argument(&args(&["--db", "/r.sqlite3", "mail.eml"]), cwd), Some(cwd.join("mail.eml")));
        assert_eq!(file_argument(&args(&["--db=/r.sqlite3", "/tmp/b.rdbackup"]), cwd), Some("/tmp/b.rdbackup".into()));
        assert_eq!(file_argument(&args(&["--e2e-session=1", "file:///tmp/m.eml"]), cwd), Some("/tmp/m.eml".into()));
        assert_eq!(file_argument(&args(&["--db", "x.sqlite3"]), cwd), None);
        assert_eq!(file_argument(&[], cwd), None);
    }

    #[test]
    fn one_instance_per_register_with_a_valid_bus_name() {
        let a = instance_id(Some(Path::new("/nonexistent/a.sqlite3")));
        let b = instance_id(Some(Path::new("/nonexistent/b.sqlite3")));
        assert_ne!(a, b);
        assert_eq!(a, instance_id(Some(Path::new("/nonexistent/a.sqlite3"))));
        let last = a.rsplit('.').next().unwrap();
        assert!(last.starts_with('r') && last.len() == 17 && last.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn an_email_is_read_and_anything_else_refused() {
        let dir = tempfile::tempdir().unwrap();
        let eml = dir.path().join("request.EML");
        std::fs::write(
            &eml,
            "From: Ada Byron <ada@example.org>\r\nSubject: Subject access request\r\n\
             Date: Mon, 16 Nov 2026 09:00:00 +0000\r\n\r\nPlease send me a copy of my personal data.\r\n",
        )
        .unwrap();
        match hand(&eml, None).unwrap() {
            Handed::Email { name, draft, file } => {
                assert_eq!(name, "request.EML");
                assert_eq!(draft.email.as_deref(), Some("ada@example.org"));
                assert_eq!(crate::files::chosen::resolve(&file.token).unwrap().0, eml, "the window names it by token");
            }
            other => panic!("not an email: {other:?}"),
        }
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "x").unwrap();
        let e = hand(&other, None).unwrap_err();
        assert!(e.to_string().contains(".eml") && e.to_string().contains("notes.txt"), "{e}");
    }

    #[test]
    fn the_shipped_licence_list_reads_and_names_the_core_s_crates() {
        let list = licences().unwrap();
        assert!(list.iter().any(|l| l.source == "crate" && l.name == "rusqlite"));
        assert!(list.iter().any(|l| l.source == "crate" && l.name == "tauri"));
        assert!(list.iter().any(|l| l.source == "npm" && l.name == "svelte"));
        assert!(list.iter().all(|l| !l.licence.is_empty() && !l.version.is_empty()));
    }
}
