//! The window's backup commands that name files: the backup to restore and the folder scheduled backups go to are
//! picked in the OS's own dialog, opened here by the shell, so the page never names a path (a page in the webview
//! cannot read or write a file by name; `ops` keeps paths the command line's). The picked backup stays in
//! `AppState` for the next steps: check it (the preview: `verify_backup`), then restore it as this register —
//! into the empty place on a first run, or in place of the open register, which is kept aside.

use std::path::PathBuf;

use rightsdesk::desk::{BackupKeys, BackupLock, BackupReport, BackupSchedule, Clock, RestoreReport};
use rightsdesk::vault::{Access, RegisterState};
use rightsdesk::{Desk, ErrorReport};
use serde::Deserialize;
use tauri::Manager;
use tauri_plugin_dialog::DialogExt;
use zeroize::Zeroizing;

use crate::AppState;
use crate::commands::{Reply, blocking};

fn report(e: rightsdesk::Error) -> ErrorReport {
    ErrorReport::from(&e)
}

/// What the officer typed to open a backup; each one optional, empty is none.
#[derive(Deserialize, specta::Type)]
pub struct BackupSecrets {
    /// The passphrase of the register the backup was made of.
    pub passphrase: Option<String>,
    /// Its recovery key instead.
    pub recovery_key: Option<String>,
    /// A plain register's backup passphrase.
    pub backup_passphrase: Option<String>,
}

impl BackupSecrets {
    /// The keys that open the backup: these, and the open register's own key.
    fn keys(self, here: Option<&Desk>) -> BackupKeys {
        let given = |s: Option<String>| s.filter(|s| !s.trim().is_empty()).map(Zeroizing::new);
        let keys = BackupKeys {
            access: Access {
                passphrase: given(self.passphrase),
                recovery: given(self.recovery_key),
                ..Access::default()
            },
            backup_passphrase: given(self.backup_passphrase),
        };
        match here {
            Some(desk) => desk.with_own_key(keys),
            None => keys,
        }
    }
}

fn chosen(state: &AppState) -> Result<PathBuf, ErrorReport> {
    state
        .chosen_backup()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| report(rightsdesk::Error::refused("choose a backup file first")))
}

/// The OS's file dialog, opening where backups are kept; the backup picked (or `None`), as its header tells.
#[tauri::command]
#[specta::specta]
pub async fn choose_backup(app: tauri::AppHandle) -> Reply<Option<BackupLock>> {
    blocking(move || {
        let state = app.state::<AppState>();
        let desk = state.desk().ok();
        let start = desk
            .as_ref()
            .and_then(|d| d.backup_schedule().ok())
            .map(|s| PathBuf::from(s.folder))
            .filter(|f| f.is_dir())
            .unwrap_or_else(rightsdesk::desk::default_export_dir);
        let mut dialog = app
            .dialog()
            .file()
            .set_title("Choose a Rightsdesk backup")
            .add_filter("Rightsdesk backup", &["rdbackup"])
            .set_directory(start);
        if let Some(window) = app.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        let Some(picked) = dialog.blocking_pick_file() else { return Ok(None) };
        let path = picked.into_path().map_err(|e| report(rightsdesk::Error::invalid("file", e.to_string())))?;
        let lock = rightsdesk::desk::backup_lock(&path, desk.as_deref()).map_err(report)?;
        *state.chosen_backup().lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
        Ok(Some(lock))
    })
    .await
}

/// Check the chosen backup whole without restoring it (every hash, SQLite's integrity, the schema version, the
/// audit chain): what it holds, for the officer to decide.
#[tauri::command]
#[specta::specta]
pub async fn check_backup(app: tauri::AppHandle, secrets: BackupSecrets) -> Reply<BackupReport> {
    blocking(move || {
        let state = app.state::<AppState>();
        let path = chosen(&state)?;
        let keys = secrets.keys(state.desk().ok().as_deref());
        let clock = Clock::from_env().map_err(report)?;
        rightsdesk::desk::verify_backup(&path, &keys, clock).map_err(report)
    })
    .await
}

/// Restore the chosen backup as this window's register: into the empty place on a first run, or in place of the
/// open register (kept aside beside it, renamed with the time). The restored register is then the open one.
#[tauri::command]
#[specta::specta]
pub async fn restore_chosen_backup(app: tauri::AppHandle, secrets: BackupSecrets) -> Reply<RestoreReport> {
    blocking(move || {
        let state = app.state::<AppState>();
        let path = chosen(&state)?;
        let db = state.db_path().ok_or_else(|| report(rightsdesk::Error::refused("no register path")))?;
        let clock = Clock::from_env().map_err(report)?;
        let restored = match state.desk() {
            Ok(desk) => {
                let keys = secrets.keys(Some(&desk));
                let own = keys.access.register_key.as_ref().map(rightsdesk::vault::RegisterKey::duplicate);
                let access = Access { register_key: own, ..Access::default() };
                drop(desk);
                state.replace_register(&access, |desk| {
                    // Its connections closed first: the files it holds are moved aside.
                    drop(desk);
                    let (restored, desk) = rightsdesk::desk::restore_and_open(&path, &db, true, &keys, clock)?;
                    Ok((desk, restored))
                })?
            }
            Err(_) if matches!(rightsdesk::vault::inspect(&db), Ok(RegisterState::Missing { .. })) => {
                let keys = secrets.keys(None);
                let (restored, desk) =
                    rightsdesk::desk::restore_and_open(&path, &db, false, &keys, clock).map_err(report)?;
                state.put(desk);
                restored
            }
            Err(locked) => return Err(locked),
        };
        *state.chosen_backup().lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(restored)
    })
    .await
}

/// The OS's folder dialog: where scheduled backups go from now on.
#[tauri::command]
#[specta::specta]
pub async fn choose_backup_folder(app: tauri::AppHandle) -> Reply<Option<BackupSchedule>> {
    blocking(move || {
        let desk = app.state::<AppState>().desk()?;
        let now = desk.backup_schedule().map_err(report)?;
        // Opened at the folder set, or the nearest folder above it that exists (the default is made on first use).
        let current = PathBuf::from(&now.folder);
        let start = current.ancestors().find(|f| f.is_dir()).map(PathBuf::from);
        let mut dialog = app.dialog().file().set_title("Where scheduled backups go");
        if let Some(start) = start {
            dialog = dialog.set_directory(start);
        }
        if let Some(window) = app.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        let Some(picked) = dialog.blocking_pick_folder() else { return Ok(None) };
        let folder = picked.into_path().map_err(|e| report(rightsdesk::Error::invalid("folder", e.to_string())))?;
        desk.set_backup_schedule(&now.every, now.keep, Some(&folder)).map(Some).map_err(report)
    })
    .await
}
