//! The window's files, without a path or a byte of content crossing the webview: the officer picks files in the
//! OS's own dialog (opened here) or drops them on the window (the shell receives the drop's real paths); each path
//! is registered in the core (`rightsdesk::files::chosen`) under an opaque token, and the page hands the token to
//! an operation (`{ chosen: token }`), which reads the path with the core's bounded readers. Files the register
//! holds (attachments, identity evidence) open in the OS's application from a private copy (0600, in a 0700
//! folder of the app's cache, emptied when the register locks, when the app quits and at its next start); files
//! Rightsdesk wrote this session (exports, letters, error files) can be opened, shown in their folder or saved
//! elsewhere — the page names them by the path the operation reported, which is only matched against what was
//! written (`chosen::was_written`), never used itself.

use std::path::{Path, PathBuf};

use rightsdesk::ErrorReport;
use rightsdesk::files::ChosenFile;
use serde::{Deserialize, Serialize};
use tauri::Manager;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::AppState;
use crate::commands::{Reply, blocking};

fn report(e: rightsdesk::Error) -> ErrorReport {
    ErrorReport::from(&e)
}

/// What a file is chosen for: the dialog's title, its filter and whether several may be picked.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum FilePurpose {
    /// A file to attach to a request.
    Attachment,
    /// Identity evidence seen during a check.
    Evidence,
    /// An email (.eml) to log a request from.
    Email,
    /// The scanned letter a request came in.
    Letter,
    /// A table of requests to import.
    Import,
    /// The letterhead logo.
    Logo,
    /// The proof a checklist line is done.
    Proof,
    /// A file found in a system, for the requester's copy.
    Disclosure,
    /// A register file on this computer, to open instead of the current one ("Open register…").
    Register,
    /// A team server's CA certificate (PEM), which its TLS certificate is checked against.
    Certificate,
}

impl FilePurpose {
    fn title(self) -> &'static str {
        match self {
            FilePurpose::Attachment => "Choose files to attach",
            FilePurpose::Evidence => "Choose identity evidence",
            FilePurpose::Email => "Choose an email message",
            FilePurpose::Letter => "Choose the scanned letter",
            FilePurpose::Import => "Choose a table to import",
            FilePurpose::Logo => "Choose the letterhead logo",
            FilePurpose::Proof => "Choose the proof",
            FilePurpose::Disclosure => "Choose the file found",
            FilePurpose::Register => "Choose a Rightsdesk register",
            FilePurpose::Certificate => "Choose the server's CA certificate",
        }
    }

    fn filter(self) -> Option<(&'static str, &'static [&'static str])> {
        match self {
            FilePurpose::Email => Some(("Email message", &["eml"])),
            FilePurpose::Import => Some(("Table", &["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"])),
            FilePurpose::Logo => Some(("Image", &["png", "jpg", "jpeg"])),
            FilePurpose::Certificate => Some(("CA certificate (PEM)", &["pem", "crt", "cer"])),
            _ => None,
        }
    }

    fn several(self) -> bool {
        matches!(self, FilePurpose::Attachment | FilePurpose::Evidence)
    }
}

fn parented<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    dialog: tauri_plugin_dialog::FileDialogBuilder<R>,
) -> tauri_plugin_dialog::FileDialogBuilder<R> {
    match app.get_webview_window("main") {
        Some(window) => dialog.set_parent(&window),
        None => dialog,
    }
}

/// The OS's file dialog for `purpose`: the files picked (none when cancelled), each by its token, name and size.
#[tauri::command]
#[specta::specta]
pub async fn choose_files(app: tauri::AppHandle, purpose: FilePurpose) -> Reply<Vec<ChosenFile>> {
    blocking(move || {
        let mut dialog = app.dialog().file().set_title(purpose.title());
        if let Some((name, extensions)) = purpose.filter() {
            dialog = dialog.add_filter(name, extensions);
        }
        let dialog = parented(&app, dialog);
        let picked = if purpose.several() {
            dialog.blocking_pick_files().unwrap_or_default()
        } else {
            dialog.blocking_pick_file().into_iter().collect()
        };
        picked
            .into_iter()
            .map(|p| {
                let path = p.into_path().map_err(|e| report(rightsdesk::Error::invalid("file", e.to_string())))?;
                rightsdesk::files::chosen::register(&path).map_err(report)
            })
            .collect()
    })
    .await
}

/// Files dropped on the window, as the page is told of them.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DroppedFiles {
    pub files: Vec<ChosenFile>,
    /// What could not be taken (a folder, an unreadable file), with why.
    pub refused: Vec<String>,
    /// Where they were dropped, in the page's pixels.
    pub x: f64,
    pub y: f64,
}

/// The shell's side of a drop: each path registered, then the page told (if it listens).
pub fn dropped(state: &AppState, paths: &[PathBuf], x: f64, y: f64) -> DroppedFiles {
    let mut files = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        match rightsdesk::files::chosen::register(path) {
            Ok(f) => files.push(f),
            Err(e) => refused.push(e.to_string()),
        }
    }
    let drop = DroppedFiles { files, refused, x, y };
    state.files_dropped(drop.clone());
    drop
}

/// The window listens for files dropped on it (replacing an earlier listener: the page was reloaded).
#[tauri::command]
#[specta::specta]
pub async fn listen_drops(state: tauri::State<'_, AppState>, on_drop: tauri::ipc::Channel<DroppedFiles>) -> Reply<()> {
    state.listen_for_drops(on_drop);
    Ok(())
}

/// The app's folder for readable copies of held files, private to the user.
pub fn copies_dir(app: &tauri::AppHandle) -> Option<PathBuf> {
    app.path().app_cache_dir().ok().map(|d| d.join("opened-copies"))
}

/// Remove every readable copy made for the OS's applications (at start, on lock, at exit).
pub fn remove_copies(app: &tauri::AppHandle) {
    if let Some(dir) = copies_dir(app)
        && dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        eprintln!("Rightsdesk could not remove the copies of opened files in {}: {e}", dir.display());
    }
}

fn open(app: &tauri::AppHandle, path: &Path) -> Reply<()> {
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| report(rightsdesk::Error::refused(format!("no application opened {}: {e}", path.display()))))
}

/// Open a file the register holds for a request (an attachment, identity evidence) in the OS's application, from
/// a private readable copy.
#[tauri::command]
#[specta::specta]
pub async fn open_held_file(app: tauri::AppHandle, reference: String, file_id: String) -> Reply<()> {
    blocking(move || {
        let desk = app.state::<AppState>().desk()?;
        let dir = copies_dir(&app).ok_or_else(|| report(rightsdesk::Error::refused("no cache folder for copies")))?;
        rightsdesk::safe_file::private_dir(&dir).map_err(report)?;
        let copy = desk.copy_out_held(&reference, &file_id, &dir).map_err(report)?;
        open(&app, &copy)
    })
    .await
}

fn written(path: &str) -> Reply<PathBuf> {
    let path = rightsdesk::files::chosen::was_written(path).map_err(report)?;
    if !path.is_file() {
        return Err(report(rightsdesk::Error::refused(format!("{} is no longer there", path.display()))));
    }
    Ok(path)
}

/// Open a file Rightsdesk wrote this session (an export, a letter, an error file) in the OS's application.
#[tauri::command]
#[specta::specta]
pub async fn open_written(app: tauri::AppHandle, path: String) -> Reply<()> {
    blocking(move || open(&app, &written(&path)?)).await
}

/// Show a file Rightsdesk wrote this session in its folder (the OS's file manager).
#[tauri::command]
#[specta::specta]
pub async fn show_written(app: tauri::AppHandle, path: String) -> Reply<()> {
    blocking(move || {
        let path = written(&path)?;
        app.opener().reveal_item_in_dir(&path).map_err(|e| {
            report(rightsdesk::Error::refused(format!("the folder of {} could not be shown: {e}", path.display())))
        })
    })
    .await
}

/// Save a copy of a file Rightsdesk wrote this session where the officer chooses in the OS's save dialog; where
/// it went, or `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_written_as(app: tauri::AppHandle, path: String) -> Reply<Option<String>> {
    blocking(move || {
        let from = written(&path)?;
        let mut dialog = app.dialog().file().set_title("Save a copy as");
        if let Some(name) = from.file_name() {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
        if let Some(folder) = from.parent() {
            dialog = dialog.set_directory(folder);
        }
        let Some(picked) = parented(&app, dialog).blocking_save_file() else { return Ok(None) };
        let to = picked.into_path().map_err(|e| report(rightsdesk::Error::invalid("file", e.to_string())))?;
        if to == from {
            return Ok(Some(to.display().to_string()));
        }
        // The dialog itself asked before replacing a file there.
        let mut out =
            rightsdesk::safe_file::Output::create(&to, rightsdesk::safe_file::Existing::Replace).map_err(report)?;
        let mut input = std::fs::File::open(&from)
            .map_err(|e| report(rightsdesk::Error::io(format!("cannot read {}", from.display()), e)))?;
        std::io::copy(&mut input, out.file())
            .map_err(|e| report(rightsdesk::Error::io(format!("cannot write {}", to.display()), e)))?;
        out.commit().map_err(report)?;
        rightsdesk::files::chosen::record_written(&to);
        Ok(Some(to.display().to_string()))
    })
    .await
}
