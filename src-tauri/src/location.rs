//! The window's "Open register…" dialog: where the register is (this computer's file, or a team register on a
//! PostgreSQL server), trying a place before going there, and switching to it. What a place is, its checks and its
//! connection string are the core's (`rightsdesk::desk::location`); here the register is opened and, only once it
//! opened, put in the window in place of the one open now, the password kept in the OS keyring and the choice
//! remembered for the next launch. A failure leaves the window on the register it was on.

use std::path::{Path, PathBuf};

use rightsdesk::desk::Clock;
use rightsdesk::desk::location::{self, LocationChoice, LocationView, RegisterLocation};
use rightsdesk::vault::{Access, RegisterState};
use rightsdesk::{Desk, ErrorReport};
use serde::Serialize;
use tauri::Manager;
use zeroize::Zeroizing;

use crate::AppState;
use crate::commands::{Reply, blocking};

fn report(e: rightsdesk::Error) -> ErrorReport {
    ErrorReport::from(&e)
}

/// Where the window's register is, for the dialog to show and prefill.
#[derive(Serialize, specta::Type)]
pub struct RegisterPlace {
    /// The register's place now; none when it cannot be described (a local socket folder, say).
    pub location: Option<LocationView>,
    /// The register's name as a person reads it (a path, or the server without password).
    pub shown: Option<String>,
    /// The window was started with `--db` or `RIGHTSDESK_DB`, which still decide at the next launch.
    pub set_at_launch: bool,
    /// This computer's default register file.
    pub default_file: Option<String>,
}

/// What opening a place did, beyond opening it.
#[derive(Serialize, specta::Type)]
pub struct RegisterOpened {
    pub place: RegisterPlace,
    /// Why the password typed could not be kept in the OS keyring (it is then asked again at the next launch).
    pub password_not_kept: Option<String>,
    /// Why the choice could not be remembered for the next launch.
    pub not_remembered: Option<String>,
    /// What is at the place now: an encrypted register waits to be unlocked, a missing one to be made.
    pub register: RegisterState,
}

fn place(state: &AppState) -> RegisterPlace {
    let db = state.db_path();
    RegisterPlace {
        location: db.as_deref().and_then(|p| RegisterLocation::of_db(p).ok()).map(|l| LocationView::of(&l)),
        shown: db.as_deref().map(rightsdesk::desk::register_name),
        set_at_launch: state.set_at_launch(),
        default_file: location::default_register_file().ok().map(|p| p.display().to_string()),
    }
}

fn current(state: &AppState) -> Option<RegisterLocation> {
    state.db_path().and_then(|p| RegisterLocation::of_db(&p).ok())
}

fn resolve(state: &AppState, choice: LocationChoice) -> Reply<RegisterLocation> {
    choice
        .resolve(current(state).as_ref(), |token| rightsdesk::files::chosen::resolve(token).map(|(path, _)| path))
        .map_err(report)
}

/// A password typed in the dialog, if any (blank is none: the keyring or the environment give it).
fn typed(password: Option<String>) -> Option<Zeroizing<String>> {
    password.filter(|p| !p.is_empty()).map(Zeroizing::new)
}

/// The register at `location`, opened; `Ok(None)` for a file that is not opened by the dialog itself (none made
/// yet: the first run makes it; encrypted and not in the keyring: the unlock screen asks).
fn open_at(location: &RegisterLocation, password: Option<&str>) -> Reply<(Option<Desk>, RegisterState)> {
    let clock = Clock::from_env().map_err(report)?;
    match location {
        RegisterLocation::TeamServer(server) => {
            let url = match password {
                Some(p) => server.connection_string_with_password(p),
                None => server.connection_string(),
            }
            .map_err(report)?;
            let url = Zeroizing::new(url);
            let desk = Desk::open(Path::new(url.as_str()), clock, &Access::default())
                .map_err(|e| connection_report(server, e))?;
            let shown = desk.store().backend().path().display().to_string();
            Ok((Some(desk), RegisterState::TeamServer { server: shown }))
        }
        RegisterLocation::ThisComputer { file } => {
            let state = rightsdesk::vault::inspect(file).map_err(report)?;
            match &state {
                RegisterState::Missing { .. } => Ok((None, state)),
                RegisterState::Plain => {
                    let desk = Desk::open(file, clock, &Access::default()).map_err(report)?;
                    Ok((Some(desk), state))
                }
                RegisterState::Encrypted { unlock_methods } if unlock_methods.is_empty() => {
                    Err(report(rightsdesk::Error::invalid(
                        "file",
                        format!(
                            "{} is not a Rightsdesk register, or its key file ({}.vault) is not beside it",
                            file.display(),
                            file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                        ),
                    )))
                }
                RegisterState::Encrypted { unlock_methods } => {
                    if unlock_methods.iter().any(|m| m == "keyring") {
                        let keyring = Access { keyring: true, ..Access::default() };
                        if let Ok(desk) = Desk::open(file, clock, &keyring) {
                            return Ok((Some(desk), state));
                        }
                    }
                    Ok((None, state))
                }
                RegisterState::TeamServer { .. } => Err(report(rightsdesk::Error::invalid(
                    "file",
                    "a team register is reached through its server, not a file",
                ))),
            }
        }
    }
}

/// A team register that could not be reached: said in the window's language under the field to look at, with the
/// server's own words as the detail.
fn connection_report(server: &location::TeamServer, e: rightsdesk::Error) -> ErrorReport {
    let Some(problem) = location::ConnectionProblem::of(&e) else { return report(e) };
    let message = e.to_string();
    let detail = location::ConnectionProblem::detail(&e);
    let mut shown = ErrorReport::keyed(
        rightsdesk::ErrorCode::Refused,
        problem.key(),
        message.clone(),
        &[
            ("server", format!("{}:{}", server.host, server.port)),
            ("user", server.user.clone()),
            ("database", server.database.clone()),
            ("detail", detail),
        ],
    );
    shown.field = Some(problem.field().to_string());
    shown
}

/// Where the window's register is now.
#[tauri::command]
#[specta::specta]
pub async fn register_location(app: tauri::AppHandle) -> Reply<RegisterPlace> {
    blocking(move || Ok(place(&app.state::<AppState>()))).await
}

/// Try the place the dialog describes without going there: a team register is connected to (TLS, login, database)
/// and closed again; a file is looked at (and a plain one opened and closed). What is there, or why it fails.
#[tauri::command]
#[specta::specta]
pub async fn test_register(
    app: tauri::AppHandle,
    choice: LocationChoice,
    password: Option<String>,
) -> Reply<RegisterState> {
    blocking(move || {
        let state = app.state::<AppState>();
        let location = resolve(&state, choice)?;
        let password = typed(password);
        let (desk, found) = open_at(&location, password.as_deref().map(String::as_str))?;
        drop(desk);
        Ok(found)
    })
    .await
}

/// Go to the place the dialog describes: the register there is opened first, and only then does it replace the
/// window's (whose operations still running finish on the old one); a password typed is then kept in the OS
/// keyring for the login, and the choice remembered for the next launch. On failure the window stays where it was.
#[tauri::command]
#[specta::specta]
pub async fn open_register(
    app: tauri::AppHandle,
    choice: LocationChoice,
    password: Option<String>,
) -> Reply<RegisterOpened> {
    blocking(move || {
        let state = app.state::<AppState>();
        let location = resolve(&state, choice)?;
        let db = location.db_path().map_err(report)?;
        let password = typed(password);
        let (desk, found) = open_at(&location, password.as_deref().map(String::as_str))?;
        // Kept only once the server accepted it: a mistyped password never replaces a good one in the keyring.
        let password_not_kept = match (&location, &password) {
            (RegisterLocation::TeamServer(_), Some(p)) => {
                rightsdesk::desk::keep_team_password(&db.display().to_string(), p).err().map(|e| report(e).message)
            }
            _ => None,
        };
        let waiting = match &found {
            RegisterState::Missing { .. } => {
                ErrorReport::keyed(rightsdesk::ErrorCode::NotFound, "error.no_path", "no register here yet", &[])
            }
            _ => ErrorReport::keyed(rightsdesk::ErrorCode::Locked, "error.locked", "the register is locked", &[]),
        };
        state.switch(db, desk.ok_or(waiting));
        crate::files::remove_copies(&app);
        let not_remembered =
            location::config_dir().and_then(|dir| location::remember_in(&dir, &location)).err().map(|e| e.to_string());
        Ok(RegisterOpened { place: place(&state), password_not_kept, not_remembered, register: found })
    })
    .await
}

impl AppState {
    /// The register at `db` becomes the window's (or what waits there: locked, not made yet).
    pub(crate) fn switch(&self, db: PathBuf, desk: Result<Desk, ErrorReport>) {
        *self.db_path.write().unwrap_or_else(|p| p.into_inner()) = Some(db);
        *self.desk.write().unwrap_or_else(|p| p.into_inner()) = desk.map(std::sync::Arc::new);
    }
}
