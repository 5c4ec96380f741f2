//! Files the officer chose in the OS's own dialog or dropped on the window, and files this process wrote for the
//! window (exports, letters, an import's error file). The desktop shell opens the dialog, or receives the drop,
//! and registers each path here under a random opaque token; the page only ever holds the token (`{chosen}` in
//! an operation's file field), so a page in the webview still cannot name a file to read. The operation then reads
//! the path with the bounded readers of [`super`]. A token lasts [`KEPT_FOR`] and is forgotten when the register
//! locks; an unknown or expired one is refused with a message asking to choose the file again.
//!
//! The registry is the process's own (the shell is one process with one window); the command line never
//! registers anything, it names paths itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};

/// How long a chosen file stays at hand for the page: long enough to fill a form around it.
pub const KEPT_FOR: Duration = Duration::from_secs(60 * 60);
/// Files chosen at once at most (a drop of a whole folder's worth stops here); the oldest go first.
pub const MAX_KEPT: usize = 1000;

/// A file chosen in the OS's dialog or dropped on the window, as the page sees it: no path.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChosenFile {
    /// What the page hands back to name this file (`{ chosen: token }`).
    pub token: String,
    /// The file's own name (no folder).
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: u64,
}

struct Entry {
    path: PathBuf,
    name: String,
    at: Instant,
}

/// Token → path, with the time each was chosen.
#[derive(Default)]
pub struct Registry {
    entries: HashMap<String, Entry>,
}

fn unknown() -> Error {
    Error::invalid(
        "file",
        "the file chosen is no longer at hand (chosen over an hour ago, or the register was locked since): \
         choose it again",
    )
}

impl Registry {
    /// Keep `path` (a regular file) under a new token.
    pub fn register(&mut self, path: &Path, now: Instant) -> Result<ChosenFile> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        if !meta.is_file() {
            let what = if meta.is_dir() { "a folder" } else { "not a regular file" };
            return Err(Error::invalid("file", format!("{} is {what}: only files can be added", path.display())));
        }
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        self.entries.retain(|_, e| now.saturating_duration_since(e.at) < KEPT_FOR);
        while self.entries.len() >= MAX_KEPT {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.at).map(|(t, _)| t.clone()) else { break };
            self.entries.remove(&oldest);
        }
        let token = new_token();
        self.entries.insert(token.clone(), Entry { path: path.to_path_buf(), name: name.clone(), at: now });
        Ok(ChosenFile { token, name, size: meta.len() })
    }

    /// The path and name kept under `token`, if it is known and not expired.
    pub fn resolve(&self, token: &str, now: Instant) -> Result<(PathBuf, String)> {
        match self.entries.get(token) {
            Some(e) if now.saturating_duration_since(e.at) < KEPT_FOR => Ok((e.path.clone(), e.name.clone())),
            _ => Err(unknown()),
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

fn new_token() -> String {
    rand::random::<[u8; 16]>().iter().map(|b| format!("{b:02x}")).collect()
}

static CHOSEN: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn chosen() -> std::sync::MutexGuard<'static, Registry> {
    CHOSEN.lock().unwrap_or_else(|p| p.into_inner())
}

/// The shell: the officer chose (or dropped) `path`; the token the page will name it by.
pub fn register(path: &Path) -> Result<ChosenFile> {
    chosen().register(path, Instant::now())
}

/// The path behind a token the page sent.
pub fn resolve(token: &str) -> Result<(PathBuf, String)> {
    chosen().resolve(token, Instant::now())
}

/// The register was locked: what was chosen before is forgotten.
pub fn forget_all() {
    chosen().clear();
}

/// The files this process wrote where the officer keeps them (Downloads or a chosen place): the only ones the
/// window may open in another application or show in their folder.
static WRITTEN: LazyLock<Mutex<Vec<PathBuf>>> = LazyLock::new(Mutex::default);

/// Record a file written for the officer (see [`was_written`]).
pub fn record_written(path: &Path) {
    let mut written = WRITTEN.lock().unwrap_or_else(|p| p.into_inner());
    if !written.iter().any(|p| p == path) {
        if written.len() >= MAX_KEPT {
            written.remove(0);
        }
        written.push(path.to_path_buf());
    }
}

/// `shown` (the path an operation reported, as the page shows it) is a file this process wrote: its path, else
/// refused. The page's text is only compared with the recorded paths, never used to reach a file itself.
pub fn was_written(shown: &str) -> Result<PathBuf> {
    let written = WRITTEN.lock().unwrap_or_else(|p| p.into_inner());
    written
        .iter()
        .find(|p| p.display().to_string() == shown)
        .cloned()
        .ok_or_else(|| Error::refused("only a file Rightsdesk wrote in this session can be opened from here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_the_chosen_file_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("scan.pdf");
        std::fs::write(&f, b"12345").unwrap();
        let mut r = Registry::default();
        let t0 = Instant::now();
        let chosen = r.register(&f, t0).unwrap();
        assert_eq!((chosen.name.as_str(), chosen.size), ("scan.pdf", 5));
        assert_eq!(chosen.token.len(), 32);
        assert!(!chosen.token.contains("scan"), "the token says nothing of the file");
        assert_eq!(r.resolve(&chosen.token, t0 + Duration::from_secs(60)).unwrap(), (f.clone(), "scan.pdf".into()));
        let e = r.resolve(&chosen.token, t0 + KEPT_FOR).unwrap_err();
        assert_eq!(e.field(), Some("file"));
        assert!(e.to_string().contains("choose it again"), "{e}");
        let again = r.register(&f, t0).unwrap();
        assert_ne!(again.token, chosen.token, "each choice has its own token");
        r.clear();
        assert!(r.resolve(&again.token, t0).is_err(), "locking forgets every choice");
    }

    #[test]
    fn unknown_tokens_folders_and_missing_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Registry::default();
        let now = Instant::now();
        for token in ["", "0123456789abcdef0123456789abcdef", "/etc/passwd", "../x"] {
            assert!(r.resolve(token, now).unwrap_err().to_string().contains("choose it again"));
        }
        assert!(r.register(dir.path(), now).unwrap_err().to_string().contains("a folder"));
        assert!(r.register(&dir.path().join("gone"), now).is_err());
    }

    #[test]
    fn the_registry_keeps_a_bounded_number_of_choices() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, b"a").unwrap();
        let mut r = Registry::default();
        let t0 = Instant::now();
        let first = r.register(&f, t0).unwrap();
        for i in 1..=MAX_KEPT {
            r.register(&f, t0 + Duration::from_millis(i as u64)).unwrap();
        }
        assert_eq!(r.entries.len(), MAX_KEPT);
        assert!(r.resolve(&first.token, t0).is_err(), "the oldest went first");
    }

    #[test]
    fn only_files_written_here_are_known() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("log.csv");
        record_written(&f);
        assert_eq!(was_written(&f.display().to_string()).unwrap(), f);
        for other in ["/etc/passwd", "", &dir.path().display().to_string()] {
            assert_eq!(was_written(other).unwrap_err().code(), "refused");
        }
    }
}
