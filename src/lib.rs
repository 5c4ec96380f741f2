//! Rightsdesk core: everything a privacy officer's desktop app does, without the desktop.
//!
//! - [`domain`]: request kinds, channels, the lifecycle state machine.
//! - [`deadline`]: the deadline engine (regimes as data, shipped holiday tables, explanations).
//! - [`store`]: the SQLite store (migrations, requests, the hash-chained audit trail).
//! - [`desk`]: the register and its rules; [`ops`]: every operation a person performs, declared once.
//!
//! The desktop shell (`src-tauri/`) and the `rightsdesk` binary are thin layers over [`ops`].

pub mod dates;
pub mod deadline;
pub mod demo;
pub mod desk;
pub mod desktop;
pub mod domain;
pub mod error;
pub mod export;
pub mod files;
pub mod hash;
pub mod intake;
pub mod mailbox;
pub mod ops;
pub mod respond;
pub mod safe_file;
pub mod signing;
pub mod store;
pub mod tls;
pub mod typeset;
pub mod vault;

pub use desk::Desk;
pub use error::{Error, ErrorCode, ErrorReport, Result};
