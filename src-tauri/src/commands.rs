//! The window's commands: one Tauri command per core operation, generated from the core's single list
//! (`rightsdesk::operations!`). Each runs its operation on the blocking pool (SQLite blocks) and maps its error
//! to `{code, message, field}`. The shell's own commands are those that work without an open register: `app_info`,
//! and opening it (`create_register`, `unlock`, `unlock_with_recovery`, `lock`, `passphrase_strength`), which
//! hand what the officer typed to the core (`Desk::open` with a `vault::Access`) and keep the register it opens,
//! and those that pick a file in the OS's dialog (`backup.rs`: restoring a backup, the backup folder; `files.rs`:
//! every other file picked, dropped, opened or saved).

use std::sync::Arc;

use rightsdesk::ops::{Operation, Reporting};
use rightsdesk::vault::Access;
use rightsdesk::{Desk, ErrorReport};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{Manager, State};
use zeroize::Zeroizing;

use crate::AppState;

pub(crate) type Reply<T> = Result<T, ErrorReport>;

/// Run `f` with the register on the blocking pool.
async fn with_desk<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&Desk) -> rightsdesk::Result<T> + Send + 'static,
) -> Reply<T> {
    let desk: Arc<Desk> = state.desk()?;
    blocking(move || f(&desk).map_err(|e| ErrorReport::from(&e))).await
}

/// Run `f` on the blocking pool (SQLite and Argon2 block).
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Reply<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        ErrorReport::keyed(
            rightsdesk::ErrorCode::Internal,
            "error.internal",
            format!("the operation stopped unexpectedly: {e}"),
            &[("detail", e.to_string())],
        )
    })?
}

#[derive(Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub database: Option<String>,
    /// Set when the register is not open: locked (`locked`), not made yet, or an error (e.g. a newer version's).
    pub open_error: Option<ErrorReport>,
    /// What is at the register's path: none yet (the first run makes it), plain, or encrypted.
    pub register: Option<rightsdesk::vault::RegisterState>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        database: state.db_path().map(|p| rightsdesk::desk::register_name(&p)),
        open_error: state.desk().err(),
        register: state.db_path().and_then(|p| rightsdesk::vault::inspect(&p).ok()),
    })
}

/// How guessable a new passphrase is, for the meter under the field.
#[tauri::command]
#[specta::specta]
pub async fn passphrase_strength(passphrase: String) -> Reply<rightsdesk::vault::strength::Strength> {
    blocking(move || Ok(rightsdesk::vault::strength::strength(&passphrase))).await
}

/// The first run: make the register encrypted under `passphrase` and/or the OS keyring. The recovery key, shown
/// once.
#[tauri::command]
#[specta::specta]
pub async fn create_register(app: tauri::AppHandle, passphrase: Option<String>, use_keyring: bool) -> Reply<String> {
    blocking(move || {
        let state = app.state::<AppState>();
        if !matches!(
            state.db_path().map(|p| rightsdesk::vault::inspect(&p)),
            Some(Ok(rightsdesk::vault::RegisterState::Missing { .. }))
        ) {
            return Err(ErrorReport::from(&rightsdesk::Error::refused("there is a register here already: unlock it")));
        }
        let access = Access {
            passphrase: passphrase.map(Zeroizing::new),
            create_with_keyring: use_keyring,
            ..Access::default()
        };
        let desk = state.open(&access)?;
        desk.new_recovery_key().map(|k| k.to_string()).ok_or_else(|| {
            ErrorReport::from(&rightsdesk::Error::refused(
                "the register was opened, not made: there is no new recovery key",
            ))
        })
    })
    .await
}

/// Unlock with the passphrase, or with the OS keyring when none is given.
#[tauri::command]
#[specta::specta]
pub async fn unlock(app: tauri::AppHandle, passphrase: Option<String>) -> Reply<()> {
    blocking(move || {
        let access =
            Access { keyring: passphrase.is_none(), passphrase: passphrase.map(Zeroizing::new), ..Access::default() };
        app.state::<AppState>().open(&access).map(drop)
    })
    .await
}

/// The passphrase forgotten: unlock with the recovery key and set a new passphrase.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_recovery(app: tauri::AppHandle, recovery_key: String, new_passphrase: String) -> Reply<()> {
    blocking(move || {
        let new_passphrase = Zeroizing::new(new_passphrase);
        // Checked before the register is opened: a weak new passphrase leaves it locked, as it was.
        rightsdesk::vault::strength::require_strong(&new_passphrase).map_err(|e| ErrorReport::from(&e))?;
        let access = Access { recovery: Some(Zeroizing::new(recovery_key)), ..Access::default() };
        let desk = app.state::<AppState>().open(&access)?;
        desk.recover_with_passphrase(&new_passphrase).map(drop).map_err(|e| ErrorReport::from(&e))
    })
    .await
}

/// Encrypt the open plain register under `passphrase`; its recovery key, to show once.
#[tauri::command]
#[specta::specta]
pub async fn encrypt_register(app: tauri::AppHandle, passphrase: String) -> Reply<String> {
    blocking(move || {
        let passphrase = Zeroizing::new(passphrase);
        app.state::<AppState>().replace_register(&Access::default(), |desk| {
            desk.encrypt(&passphrase).map(|r| (r.desk, r.recovery.to_string()))
        })
    })
    .await
}

/// Re-encrypt the register under a new key (the current `passphrase` is kept); the new recovery key, to show once.
#[tauri::command]
#[specta::specta]
pub async fn rotate_key(app: tauri::AppHandle, passphrase: Option<String>) -> Reply<String> {
    blocking(move || {
        let passphrase = passphrase.map(Zeroizing::new);
        let access = Access { passphrase: passphrase.clone(), keyring: passphrase.is_none(), ..Access::default() };
        app.state::<AppState>().replace_register(&access, |desk| {
            desk.rotate(passphrase.as_deref().map(String::as_str)).map(|r| (r.desk, r.recovery.to_string()))
        })
    })
    .await
}

/// The window listens for new mail: `on_mail` is told how many messages wait in the intake tray whenever a fetch
/// (the minute's, or the server's announcement) took some.
#[tauri::command]
#[specta::specta]
pub async fn listen_mailbox(state: State<'_, AppState>, on_mail: Channel<u32>) -> Reply<()> {
    state.listen_for_mail(on_mail);
    Ok(())
}

/// The window listens for other officers' changes to a team register: `on_change` is told each time some were
/// committed (a desk's register never tells).
#[tauri::command]
#[specta::specta]
pub async fn listen_changes(state: State<'_, AppState>, on_change: Channel<u32>) -> Reply<()> {
    state.listen_for_changes(on_change);
    Ok(())
}

/// Lock the register now (the button, the shortcut, or the idle timer): the readable copies of its files made
/// for other applications go too.
#[tauri::command]
#[specta::specta]
pub async fn lock(app: tauri::AppHandle, state: State<'_, AppState>) -> Reply<()> {
    state.lock();
    crate::files::remove_copies(&app);
    Ok(())
}

/// One command per operation, and the builder that registers them all (and exports their TypeScript bindings).
macro_rules! commands {
    (plain: [$($name:ident : $op:path),* $(,)?], progress: [$($pname:ident : $pop:path),* $(,)?]) => {
        $(
            #[tauri::command]
            #[specta::specta]
            pub async fn $name(
                state: State<'_, AppState>,
                input: $op,
                seen: Option<rightsdesk::desk::Seen>,
            ) -> Reply<<$op as Operation>::Output> {
                // `seen`: the request page's version, so a change made on a stale page is refused, not made over
                // another officer's.
                with_desk(state, move |d| rightsdesk::desk::as_seen(seen, || Operation::run(input, d))).await
            }
        )*
        $(
            #[tauri::command]
            #[specta::specta]
            pub async fn $pname(
                state: State<'_, AppState>,
                input: $pop,
                on_progress: Channel<<$pop as Reporting>::Progress>,
            ) -> Reply<<$pop as Reporting>::Output> {
                // The window may have gone away; the operation carries on regardless.
                with_desk(state, move |d| Reporting::run(input, d, &mut |p| drop(on_progress.send(p)))).await
            }
        )*
        pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
            tauri_specta::Builder::<tauri::Wry>::new()
                .commands(tauri_specta::collect_commands![
                    app_info,
                    passphrase_strength,
                    create_register,
                    unlock,
                    unlock_with_recovery,
                    lock,
                    listen_mailbox,
                    listen_changes,
                    encrypt_register,
                    rotate_key,
                    crate::backup::choose_backup,
                    crate::backup::check_backup,
                    crate::backup::restore_chosen_backup,
                    crate::backup::choose_backup_folder,
                    crate::files::choose_files,
                    crate::files::listen_drops,
                    crate::files::open_held_file,
                    crate::files::open_written,
                    crate::files::show_written,
                    crate::files::save_written_as,
                    crate::desktop::about,
                    crate::desktop::listen_files,
                    crate::desktop::take_handed_file,
                    crate::desktop::check_update,
                    crate::desktop::install_update,
                    crate::desktop::quit,
                    crate::location::register_location,
                    crate::location::test_register,
                    crate::location::open_register,
                    $($name,)* $($pname,)*
                ])
        }
    };
}

rightsdesk::operations!(commands);
