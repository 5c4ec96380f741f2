//! The integration tests, in one binary (as ripgrep's `tests/tests.rs` and gitbutler's `tests/api/main.rs`): one
//! link instead of one per file, and one place for what every file needs (`support`: the real `rightsdesk`
//! binary run against a `Register` in a temporary folder, a request builder, an SMTP server). Each former file is a
//! module; run one with `cargo test --workspace --test it -- MODULE::`. The end-to-end run of the window (`e2e`) is
//! `#[ignore]`d: `cargo test --workspace --test it -- --ignored e2e::` under Xvfb (scripts/test.sh).

mod support;

mod audit_events;
mod backup;
mod bulk_import;
mod chosen_files;
mod cli_audit_trust;
mod cli_calendar;
mod cli_checklist;
mod cli_clock;
mod cli_export;
mod cli_help;
mod cli_identity;
mod cli_import;
mod cli_operations;
mod cli_register_edges;
mod cli_requesters;
mod cli_requests;
mod cli_retention;
mod cli_subject_export;
mod crash_consistency;
mod deadline_contract;
mod e2e;
mod first_run;
mod holiday_data;
mod hostile_files;
mod import_fuzz;
mod licences;
mod log_facts;
mod mail;
mod mailbox;
mod pdf_scripts;
mod register_folders;
mod safe_outputs;
mod team_register;
mod text_and_mail;
mod vault;
