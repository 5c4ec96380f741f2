//! The Rightsdesk desktop shell. Each command parses its input, calls one `rightsdesk::Desk` operation off the
//! async runtime (`spawn_blocking`: SQLite is blocking) and maps its error to `{code, message, field}` for the UI.
//! No business logic lives here.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use rightsdesk::desk::{Clock, resolve_db_path};
use rightsdesk::{Desk, ErrorReport};

/// What the commands share: the open register, or why it could not be opened (shown in the window).
pub struct AppState {
    desk: Result<Arc<Desk>, ErrorReport>,
    db_path: Option<PathBuf>,
}

/// `--db PATH` on the command line, else RIGHTSDESK_DB, else the OS data folder.
fn db_arg() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(p) = a.to_str().and_then(|s| s.strip_prefix("--db=")) {
            return Some(PathBuf::from(p));
        }
    }
    None
}

fn open_state() -> AppState {
    let path = resolve_db_path(db_arg().as_deref());
    let desk = path
        .as_ref()
        .map_err(ErrorReport::from)
        .and_then(|p| Clock::from_env().and_then(|c| Desk::open(p, c)).map_err(|e| ErrorReport::from(&e)))
        .map(Arc::new);
    AppState { desk, db_path: path.ok() }
}

pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new().commands(tauri_specta::collect_commands![
        commands::app_info,
        commands::form_options,
        commands::dashboard,
        commands::list_requests,
        commands::get_request,
        commands::add_request,
        commands::change_status,
        commands::add_attachment,
        commands::record_fee_paid,
        commands::pause_clock,
        commands::resume_clock,
        commands::take_extension,
        commands::override_due,
        commands::calendar_days,
        commands::add_non_working_day,
        commands::remove_non_working_day,
        commands::target_settings,
        commands::set_target_days,
        commands::export_deadlines,
        commands::verify_audit,
    ])
}

pub fn run() {
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .manage(open_state())
        .invoke_handler(builder.invoke_handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Rightsdesk could not start its window: {e}");
        std::process::exit(1);
    }
}
