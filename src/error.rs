//! The core's typed errors. Each has a stable `code` the UI and scripts branch on ([`ErrorCode`], exported to
//! TypeScript as a union) and a message a person can act on. No database engine type crosses this boundary: the
//! store maps its engine's errors to `Busy`, `Constraint`, `Corrupt` or `Database` (see `store::engine_error`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::deadline::DeadlineError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: the value of `field` cannot be used as given.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// What was looked for (`request`, `system`, `requester`, `template`, `message`, …) and the key it was looked for by.
    #[error("{}", not_found_text(what, key))]
    NotFound { what: &'static str, key: String },
    /// The input is well-formed but the register's state does not allow it now (a fulfilment while checklist lines
    /// are open, a change to a purged request, …).
    #[error("{reason}")]
    Refused { reason: String },
    /// The request changed since the page (or script) that asked for this change read it: nothing was changed.
    #[error(
        "{reference} was changed by {by} at {at} ({what}) since you opened it: reload it and try again; nothing was changed"
    )]
    Stale { reference: String, by: String, at: String, what: String },
    #[error("cannot move {reference} from {from} to {to}: allowed from {from}: {allowed}")]
    IllegalTransition { reference: String, from: String, to: String, allowed: String },
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
    #[error(
        "this database was written by a newer Rightsdesk (schema version {found}; this build knows up to {supported}). \
         It was left untouched: install the newer version to open it."
    )]
    NewerDatabase { found: i64, supported: i64 },
    #[error(
        "migration {0} in the database differs from the one shipped with this build (checksum mismatch): refusing to continue"
    )]
    MigrationChanged(String),
    #[error(
        "the register {0} is open read-only (this user cannot write the file): it can be listed, shown, verified and exported, not changed"
    )]
    ReadOnly(String),
    /// Another connection holds the register's lock longer than the busy timeout.
    #[error("the register is busy (another window or command is writing to it): try again ({0})")]
    Busy(String),
    /// The database refused a write that breaks one of its rules (a unique key, a foreign key, a check).
    #[error("database error: {0}")]
    Constraint(String),
    /// Any other failure of the database engine, with its message.
    #[error("database error: {0}")]
    Database(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// The register is encrypted and was not unlocked (no key given, or the one given does not open it).
    #[error("{0}")]
    Locked(String),
    /// The file is not a database, or stored data cannot be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// An export could not be put together (a template or encoder failed on the data given).
    #[error("cannot make the export: {0}")]
    Export(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn not_found_text(what: &str, key: &str) -> String {
    // Requests are looked up by either; the wording has always said so.
    if what == "request" { format!("no request with reference or id '{key}'") } else { format!("no {what} '{key}'") }
}

/// The stable machine-readable kinds of error, for the UI and scripts (`ErrorReport.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    NotFound,
    Refused,
    Stale,
    IllegalTransition,
    Deadline,
    NewerDatabase,
    MigrationChanged,
    ReadOnly,
    Busy,
    Constraint,
    Database,
    Io,
    Corrupt,
    Export,
    Locked,
    // Set by the desktop shell: the operation stopped unexpectedly (its task panicked).
    Internal,
    // Set by the window itself: the call never reached the shell.
    Bridge,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Refused => "refused",
            ErrorCode::Stale => "stale",
            ErrorCode::IllegalTransition => "illegal_transition",
            ErrorCode::Deadline => "deadline",
            ErrorCode::NewerDatabase => "newer_database",
            ErrorCode::MigrationChanged => "migration_changed",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::Busy => "busy",
            ErrorCode::Constraint => "constraint",
            ErrorCode::Database => "database",
            ErrorCode::Io => "io",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::Export => "export",
            ErrorCode::Locked => "locked",
            ErrorCode::Internal => "internal",
            ErrorCode::Bridge => "bridge",
        }
    }

    /// Bad input, as opposed to a request the register refuses or a failure (the command line exits 2 for it).
    pub fn is_bad_input(self) -> bool {
        self == ErrorCode::Invalid
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid { field: field.into(), message: message.into() }
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Error {
        Error::NotFound { what, key: key.into() }
    }

    pub fn refused(reason: impl Into<String>) -> Error {
        Error::Refused { reason: reason.into() }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io { context: context.into(), source }
    }

    pub fn kind(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::Invalid,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Refused { .. } => ErrorCode::Refused,
            Error::Stale { .. } => ErrorCode::Stale,
            Error::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            Error::Deadline(_) => ErrorCode::Deadline,
            Error::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            Error::MigrationChanged(_) => ErrorCode::MigrationChanged,
            Error::ReadOnly(_) => ErrorCode::ReadOnly,
            Error::Busy(_) => ErrorCode::Busy,
            Error::Constraint(_) => ErrorCode::Constraint,
            Error::Database(_) => ErrorCode::Database,
            Error::Io { .. } => ErrorCode::Io,
            Error::Corrupt(_) => ErrorCode::Corrupt,
            Error::Export(_) => ErrorCode::Export,
            Error::Locked(_) => ErrorCode::Locked,
        }
    }

    /// Stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The form field the error is about, if any (to place it next to the input).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// What crosses to the UI or a script: `{code, message, field, key, params}`. `message` is English; `key` (when
/// the error is one of the typed ones) names the window's message for it (`ui/src/messages/*.json`), filled from
/// `params`, so the window says it in the officer's language. Free-text reasons (`Invalid`'s message, `Refused`)
/// have no key: the window shows the English `message`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorReport {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub key: Option<String>,
    pub params: BTreeMap<String, String>,
}

impl ErrorReport {
    /// A report the shell makes itself (the register locked, being replaced, …), with its window message's key.
    pub fn keyed(code: ErrorCode, key: &str, message: impl Into<String>, params: &[(&str, String)]) -> ErrorReport {
        ErrorReport {
            code,
            message: message.into(),
            field: None,
            key: Some(key.to_string()),
            params: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        }
    }
}

/// The window's message key and its parameters for a typed error; None for a free-text one.
fn keyed(e: &Error) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    use DeadlineError as D;
    Some(match e {
        Error::NotFound { what, key } => ("error.not_found", vec![("what", (*what).to_string()), ("key", key.clone())]),
        Error::IllegalTransition { reference, from, to, allowed } => {
            // `allowed` lists the statuses' ids, or says the status is final: the window names them itself.
            let allowed = if allowed.starts_with("nothing") { String::new() } else { allowed.clone() };
            (
                "error.illegal_transition",
                vec![
                    ("reference", reference.clone()),
                    ("from", from.clone()),
                    ("to", to.clone()),
                    ("allowed", allowed),
                ],
            )
        }
        Error::NewerDatabase { found, supported } => {
            ("error.newer_database", vec![("found", found.to_string()), ("supported", supported.to_string())])
        }
        Error::MigrationChanged(m) => ("error.migration_changed", vec![("migration", m.clone())]),
        Error::Stale { reference, by, at, what } => (
            "error.stale",
            vec![("reference", reference.clone()), ("by", by.clone()), ("at", at.clone()), ("what", what.clone())],
        ),
        Error::ReadOnly(path) => ("error.read_only", vec![("path", path.clone())]),
        Error::Busy(detail) => ("error.busy", vec![("detail", detail.clone())]),
        Error::Constraint(detail) | Error::Database(detail) => ("error.database", vec![("detail", detail.clone())]),
        Error::Corrupt(detail) => ("error.corrupt", vec![("detail", detail.clone())]),
        Error::Export(detail) => ("error.export", vec![("detail", detail.clone())]),
        Error::Deadline(d) => match d {
            D::UnknownRegime(regime, known) => {
                ("error.deadline.unknown_regime", vec![("regime", regime.clone()), ("known", known.clone())])
            }
            D::UnknownKind { regime, kind, allowed } => (
                "error.deadline.unknown_kind",
                vec![("regime", regime.clone()), ("kind", kind.clone()), ("allowed", allowed.clone())],
            ),
            D::CalendarRequired(regime) => ("error.deadline.calendar_required", vec![("regime", regime.clone())]),
            D::UnknownCalendar(calendar) => ("error.deadline.unknown_calendar", vec![("calendar", calendar.clone())]),
            D::CalendarNotAllowed { regime, calendar, allowed } => (
                "error.deadline.calendar_not_allowed",
                vec![("regime", regime.clone()), ("calendar", calendar.clone()), ("allowed", allowed.clone())],
            ),
            D::PauseNotAllowed { regime, kind, pause } => (
                "error.deadline.pause_not_allowed",
                vec![("regime", regime.clone()), ("kind", kind.clone()), ("pause", pause.clone())],
            ),
            D::BeyondTables(date) => ("error.deadline.beyond_tables", vec![("date", crate::dates::fmt(*date))]),
            D::Data(detail) => ("error.deadline.data", vec![("detail", detail.clone())]),
            D::BadDate { .. } | D::BadPause(..) => return None,
        },
        Error::Invalid { .. } | Error::Refused { .. } | Error::Io { .. } | Error::Locked(_) => return None,
    })
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> ErrorReport {
        // The window shows the message beside its field: no "field: " prefix there (the command line keeps it).
        let message = match e {
            Error::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let (key, params) = match keyed(e) {
            Some((key, params)) => {
                (Some(key.to_string()), params.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }
            None => (None, BTreeMap::new()),
        };
        ErrorReport { code: e.kind(), message, field: e.field().map(str::to_string), key, params }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_json_shape() {
        let e = Error::invalid("email", "'x' is not an email address");
        let json = serde_json::to_value(ErrorReport::from(&e)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid", "message": "'x' is not an email address", "field": "email",
                "key": null, "params": {}})
        );
    }

    #[test]
    fn typed_errors_carry_their_window_key_and_params() {
        let json = serde_json::to_value(ErrorReport::from(&Error::not_found("system", "Nope"))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "no system 'Nope'", "field": null,
                "key": "error.not_found", "params": {"what": "system", "key": "Nope"}})
        );
        let e = Error::IllegalTransition {
            reference: "RD-2026-0001".into(),
            from: "closed".into(),
            to: "received".into(),
            allowed: "nothing (it is final)".into(),
        };
        let report = ErrorReport::from(&e);
        assert_eq!(report.key.as_deref(), Some("error.illegal_transition"));
        assert_eq!(report.params["allowed"], "");
        assert_eq!(report.params["from"], "closed");
        let busy = ErrorReport::from(&Error::Busy("database is locked".into()));
        assert_eq!((busy.key.as_deref(), busy.params["detail"].as_str()), (Some("error.busy"), "database is locked"));
        // A free-text reason has no key: the window shows it as the core wrote it.
        assert_eq!(ErrorReport::from(&Error::refused("not now")).key, None);
    }

    #[test]
    fn not_found_says_what_was_looked_for() {
        assert_eq!(Error::not_found("system", "Nope").to_string(), "no system 'Nope'");
        assert_eq!(Error::not_found("request", "RD-1").to_string(), "no request with reference or id 'RD-1'");
        assert_eq!(Error::not_found("system", "Nope").code(), "not_found");
    }

    #[test]
    fn codes_serialise_as_their_strings() {
        for code in [
            ErrorCode::Invalid,
            ErrorCode::NotFound,
            ErrorCode::Refused,
            ErrorCode::IllegalTransition,
            ErrorCode::NewerDatabase,
            ErrorCode::Busy,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        assert_eq!(Error::refused("not now").to_string(), "not now");
        assert_eq!(Error::refused("not now").code(), "refused");
    }
}
