//! The core's typed errors. Each has a stable `code` the UI branches on and a message a person can act on.

use serde::Serialize;

use crate::deadline::DeadlineError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("no request with reference or id '{0}'")]
    NotFound(String),
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
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// An export could not be put together (a template or encoder failed on the data given).
    #[error("cannot make the export: {0}")]
    Export(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid { field: field.into(), message: message.into() }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io { context: context.into(), source }
    }

    /// Stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::NotFound(_) => "not_found",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::Deadline(_) => "deadline",
            Error::NewerDatabase { .. } => "newer_database",
            Error::MigrationChanged(_) => "migration_changed",
            Error::ReadOnly(_) => "read_only",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::Corrupt(_) => "corrupt",
            Error::Export(_) => "export",
        }
    }

    /// The form field the error is about, if any (to place it next to the input).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// What crosses to the UI or a script: `{code, message, field}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> ErrorReport {
        // The window shows the message beside its field: no "field: " prefix there (the command line keeps it).
        let message = match e {
            Error::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ErrorReport { code: e.code().to_string(), message, field: e.field().map(str::to_string) }
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
            serde_json::json!({"code": "invalid", "message": "'x' is not an email address", "field": "email"})
        );
    }
}
