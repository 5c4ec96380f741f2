//! Getting requests in: emails (`.eml`) and bulk imports (CSV, XLSX), with a guess at the kind of request.

pub mod eml;
pub mod guess;
pub mod mapping;
pub mod table;

pub use eml::{EmailDraft, read_email};
pub use guess::{KindGuess, guess_kind, guess_language};
pub use mapping::{FIELDS, ImportMapping};
pub use table::{Format, Source, Table};
