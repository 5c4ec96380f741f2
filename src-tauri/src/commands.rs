//! The window's commands: one Tauri command per core operation, generated from the core's single list
//! (`rightsdesk::operations!`). Each runs its operation on the blocking pool (SQLite blocks) and maps its error
//! to `{code, message, field}`. Only `app_info` is the shell's own: it answers even when the register did not open.

use std::sync::Arc;

use rightsdesk::ops::{Operation, Reporting};
use rightsdesk::{Desk, ErrorReport};
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;

use crate::AppState;

type Reply<T> = Result<T, ErrorReport>;

/// Run `f` with the register on the blocking pool.
async fn with_desk<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&Desk) -> rightsdesk::Result<T> + Send + 'static,
) -> Reply<T> {
    let desk: Arc<Desk> = state.desk.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&desk).map_err(|e| ErrorReport::from(&e))).await.map_err(|e| {
        ErrorReport {
            code: rightsdesk::ErrorCode::Internal,
            message: format!("the operation stopped unexpectedly: {e}"),
            field: None,
        }
    })?
}

#[derive(Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub database: Option<String>,
    /// Set when the register could not be opened (e.g. written by a newer version).
    pub open_error: Option<ErrorReport>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        database: state.db_path.as_ref().map(|p| p.display().to_string()),
        open_error: state.desk.as_ref().err().cloned(),
    })
}

/// One command per operation, and the builder that registers them all (and exports their TypeScript bindings).
macro_rules! commands {
    (plain: [$($name:ident : $op:path),* $(,)?], progress: [$($pname:ident : $pop:path),* $(,)?]) => {
        $(
            #[tauri::command]
            #[specta::specta]
            pub async fn $name(state: State<'_, AppState>, input: $op) -> Reply<<$op as Operation>::Output> {
                with_desk(state, move |d| Operation::run(input, d)).await
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
                .commands(tauri_specta::collect_commands![app_info, $($name,)* $($pname,)*])
        }
    };
}

rightsdesk::operations!(commands);
