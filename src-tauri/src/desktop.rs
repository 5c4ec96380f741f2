//! The app as a desktop program: one window per register (a second launch focuses it and hands it its file), the
//! window's size and place kept between runs, a clean quit (the Help menu's Quit, or SIGTERM from the session),
//! the About box, and updates (off until a release server is set in tauri.conf.json: docs/packaging.md). What a
//! handed file opens, the instance's name and the licence list are the core's (`rightsdesk::desktop`).

use std::path::PathBuf;

use rightsdesk::ErrorReport;
use rightsdesk::desktop::{About, Handed};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_window_state::StateFlags;

use crate::AppState;
use crate::commands::{Reply, blocking};

/// The plugins that make the app behave as a desktop program; single-instance first, as its own docs require.
pub fn plugins(builder: tauri::Builder<tauri::Wry>, db: Option<&PathBuf>) -> tauri::Builder<tauri::Wry> {
    let id = rightsdesk::desktop::instance_id(db.map(PathBuf::as_path));
    builder
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(id)
                .callback(|app, argv, cwd| {
                    focus(app);
                    let file = rightsdesk::desktop::file_argument(argv.get(1..).unwrap_or_default(), cwd.as_ref());
                    if let Some(file) = file {
                        app.state::<AppState>().hand_file(file);
                    }
                })
                .build(),
        )
        // Size, place and maximised; not visibility or decorations, which are the app's to decide.
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .plugin(tauri_plugin_updater::Builder::new().build())
}

/// Bring the window to the front (a second launch, a file handed over).
fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// After the window is made: SIGTERM (the session ending, `kill`) quits like the menu's Quit, so the window's state
/// is saved and the register closed cleanly.
pub fn setup(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    {
        let app = app.clone();
        glib::source::unix_signal_add_once(libc::SIGTERM, move || app.exit(0));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// `RIGHTSDESK_EXIT_AFTER_LOAD=1`: once the page has loaded, print `loaded: register open` (or why it is not) and
/// quit. scripts/bench-start.sh times a cold start with it against a bare Tauri window built the same way, and
/// scripts/package-test.sh checks with it that the installed app opens a register.
pub fn page_loaded(webview: &tauri::Webview, payload: &tauri::webview::PageLoadPayload<'_>) {
    if payload.event() == tauri::webview::PageLoadEvent::Finished
        && std::env::var_os("RIGHTSDESK_EXIT_AFTER_LOAD").is_some_and(|v| v == "1")
    {
        match webview.app_handle().try_state::<AppState>().map(|s| s.desk()) {
            Some(Ok(_)) => println!("loaded: register open"),
            Some(Err(e)) => println!("loaded: register not open ({})", e.message),
            None => println!("loaded: register not open (not started)"),
        }
        webview.app_handle().exit(0);
    }
}

impl AppState {
    /// Keep `file` for the window and tell it one waits.
    pub(crate) fn hand_file(&self, file: PathBuf) {
        *self.handed.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
        let mut listener = self.file_listener.lock().unwrap_or_else(|p| p.into_inner());
        if listener.as_ref().is_some_and(|c| c.send(()).is_err()) {
            *listener = None;
        }
    }
}

/// The window listens for handed files: `on_file` is told when one waits (at once when the app was launched with
/// one), then the window takes it with `take_handed_file`.
#[tauri::command]
#[specta::specta]
pub async fn listen_files(state: State<'_, AppState>, on_file: Channel<()>) -> Reply<()> {
    let waiting = state.handed.lock().unwrap_or_else(|p| p.into_inner()).is_some();
    if waiting {
        let _ = on_file.send(());
    }
    *state.file_listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(on_file);
    Ok(())
}

/// The file handed to the app, read for the window: an email's prefilled form, or a backup chosen for Settings'
/// restore (as if picked in its file dialog). None when nothing waits.
#[tauri::command]
#[specta::specta]
pub async fn take_handed_file(app: AppHandle) -> Reply<Option<Handed>> {
    blocking(move || {
        let state = app.state::<AppState>();
        let Some(path) = state.handed.lock().unwrap_or_else(|p| p.into_inner()).take() else { return Ok(None) };
        let desk = state.desk().ok();
        let handed = rightsdesk::desktop::hand(&path, desk.as_deref()).map_err(|e| ErrorReport::from(&e))?;
        if matches!(handed, Handed::Backup { .. }) {
            *state.chosen_backup().lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
        }
        Ok(Some(handed))
    })
    .await
}

/// The release server updates come from, when one is set (`plugins.updater.endpoints` with its `pubkey`).
fn updates_from(app: &AppHandle) -> Option<String> {
    let config = app.config().plugins.0.get("updater")?;
    let signed = config.get("pubkey").and_then(|k| k.as_str()).is_some_and(|k| !k.trim().is_empty());
    let endpoint = config.get("endpoints")?.as_array()?.first()?.as_str()?.to_string();
    signed.then_some(endpoint)
}

/// The About box.
#[tauri::command]
#[specta::specta]
pub async fn about(app: AppHandle) -> Reply<About> {
    blocking(move || {
        let state = app.state::<AppState>();
        rightsdesk::desktop::about(state.db_path().as_deref(), updates_from(&app)).map_err(|e| ErrorReport::from(&e))
    })
    .await
}

/// Ask the release server for a newer version: its number, or none when this one is the newest. Refused while
/// updates are off.
#[tauri::command]
#[specta::specta]
pub async fn check_update(app: AppHandle) -> Reply<Option<String>> {
    use tauri_plugin_updater::UpdaterExt;
    let failed = |e: tauri_plugin_updater::Error| {
        ErrorReport::from(&rightsdesk::Error::refused(format!("the update server could not be asked: {e}")))
    };
    if updates_from(&app).is_none() {
        return Err(ErrorReport::from(&rightsdesk::Error::refused("updates are off: no release server is set")));
    }
    let update = app.updater().map_err(failed)?.check().await.map_err(failed)?;
    Ok(update.map(|u| u.version))
}

/// Download the newer version, check its signature against the configured key, install it and restart.
#[tauri::command]
#[specta::specta]
pub async fn install_update(app: AppHandle) -> Reply<()> {
    use tauri_plugin_updater::UpdaterExt;
    let failed = |e: tauri_plugin_updater::Error| {
        ErrorReport::from(&rightsdesk::Error::refused(format!("the update could not be installed: {e}")))
    };
    if updates_from(&app).is_none() {
        return Err(ErrorReport::from(&rightsdesk::Error::refused("updates are off: no release server is set")));
    }
    let Some(update) = app.updater().map_err(failed)?.check().await.map_err(failed)? else {
        return Err(ErrorReport::from(&rightsdesk::Error::refused("this is already the newest version")));
    };
    update.download_and_install(|_, _| {}, || {}).await.map_err(failed)?;
    app.restart()
}

/// Quit: the window's size and place are saved, the register closed.
#[tauri::command]
#[specta::specta]
pub async fn quit(app: AppHandle) -> Reply<()> {
    app.exit(0);
    Ok(())
}
