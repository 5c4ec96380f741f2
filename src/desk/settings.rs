//! Where the register is, and the settings the core reads as it works.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::{DEFAULT_TARGET_WORKING_DAYS, Desk};

/// The database a command or the app uses: `--db`, else `RIGHTSDESK_DB`, else the OS data folder.
pub fn resolve_db_path(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("RIGHTSDESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("org", "Rightsdesk", "Rightsdesk")
        .ok_or_else(|| Error::invalid("database", "no home folder: give --db PATH or set RIGHTSDESK_DB"))?;
    Ok(dirs.data_dir().join("rightsdesk.sqlite3"))
}

/// The register at `db` named as a person may read it: its path, or a team register's server without its password
/// and connection options.
pub fn register_name(db: &Path) -> String {
    match db.to_str().filter(|p| crate::store::postgres::Target::is_connection_string(p)) {
        Some(url) => {
            crate::store::postgres::Target::parse(url).map(|t| t.shown()).unwrap_or_else(|_| "postgres://…".into())
        }
        None => db.display().to_string(),
    }
}

/// Keep a team register's password in the OS keyring for its login (`rightsdesk register password`), so the window
/// and the command line connect without `PGPASSWORD`; the login and server it was kept for.
pub fn keep_team_password(url: &str, password: &str) -> Result<String> {
    if !crate::store::postgres::Target::is_connection_string(url) {
        return Err(Error::invalid(
            "db",
            "a password is kept for a team register: give --db postgres://USER@HOST/DATABASE",
        ));
    }
    let account = crate::store::postgres::Target::parse(url)?.account();
    super::server_password::POSTGRES.keep_for(&account, password)?;
    Ok(account)
}

impl Desk {
    pub(crate) fn target_working_days(&self, regime: &str) -> u32 {
        self.store
            .setting(&format!("internal_target_working_days.{regime}"))
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_TARGET_WORKING_DAYS)
    }
}
