//! Copying a whole register from one engine to another (`rightsdesk register copy`): every table's rows as stored,
//! value for value, so the audit chain's hashes and row digests carry over and verify on the other side.
//!
//! The tables in an order their references allow, each with the columns both engines have; a source engine hands
//! out rows ([`Backend::rows_out`](super::Backend::rows_out)), a target takes them in one transaction into an empty
//! register ([`Backend::rows_in`](super::Backend::rows_in)). Values travel as [`Cell`]s, as stored.

use super::value::Cell;
use crate::error::Result;

/// Where rows go during a copy: one table's row at a time, columns as [`TABLES`] names them.
pub trait RowSink {
    fn row(&mut self, table: &str, columns: &[&str], row: &[Cell<'_>]) -> Result<()>;
}

/// The register's tables, parents before children, with the columns copied. `requests` also carries its insertion
/// order (SQLite's `rowid`, PostgreSQL's `row_no`) as [`ROW_ORDER`].
pub const TABLES: &[(&str, &[&str])] = &[
    ("settings", &["key", "value"]),
    ("accounts", &["login", "name", "email", "role", "disabled", "created_at", "updated_at"]),
    ("requesters", &["id", "name", "email", "phone", "address", "account", "created_at", "updated_at"]),
    (
        "requests",
        &[
            ROW_ORDER,
            "id",
            "reference",
            "ref_year",
            "ref_seq",
            "kind",
            "regime",
            "calendar",
            "channel",
            "received",
            "status",
            "requester_name",
            "requester_email",
            "requester_phone",
            "requester_address",
            "requester_account",
            "language",
            "description",
            "notes",
            "outcome_reason",
            "verified_on",
            "fee_paid_on",
            "pauses",
            "extended_on",
            "due_override",
            "rule_kind",
            "clock_start",
            "acknowledge_by",
            "due",
            "extended_due",
            "effective_due",
            "internal_target",
            "paused_days",
            "is_open",
            "created_at",
            "updated_at",
            "closed_at",
            "agent",
            "identity_requested_on",
            "refusal_category",
            "refusal_basis",
            "external_id",
            "import_key",
            "requester_id",
            "purged_at",
            "purged_facts",
            "acknowledged_on",
            "owner",
            "closed_from",
        ],
    ),
    ("reference_counters", &["year", "last"]),
    ("attachments", &["id", "request_id", "file_name", "stored_name", "sha256", "size", "added_at"]),
    ("calendar_days", &["id", "calendar", "day", "label", "action", "reason", "at", "actor"]),
    (
        "identity_checks",
        &["id", "request_id", "party", "method", "outcome", "checked_on", "note", "recorded_at", "actor"],
    ),
    (
        "evidence",
        &["id", "request_id", "check_id", "file_name", "stored_name", "sha256", "size", "added_at", "purged_on"],
    ),
    ("imports", &["id", "file_name", "sha256", "at", "actor", "rows", "imported", "duplicates", "errors"]),
    ("request_links", &["request_id", "other_id", "relation", "note", "at", "actor"]),
    ("blocked_senders", &["email", "reason", "blocked_at", "actor"]),
    ("systems", &["id", "name", "owner", "holds", "is_backup", "retired_at", "created_at", "updated_at"]),
    (
        "checklist_items",
        &[
            "id",
            "request_id",
            "system_id",
            "system_name",
            "is_backup",
            "action",
            "state",
            "note",
            "proof_id",
            "done_by",
            "done_at",
            "assignee",
        ],
    ),
    ("templates", &["stage", "kind", "lang", "subject", "body", "is_default", "updated_at", "actor"]),
    (
        "outbox",
        &[
            "id",
            "request_id",
            "message_id",
            "stage",
            "lang",
            "recipient",
            "subject",
            "eml",
            "state",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
            "sent_copy",
            "sent_copy_error",
            "eml_kept",
        ],
    ),
    (
        "disclosures",
        &[
            "id",
            "request_id",
            "system_id",
            "system_name",
            "category",
            "label",
            "value",
            "attachment_id",
            "provided",
            "added_at",
        ],
    ),
    (
        "purged_events",
        &["seq", "hash", "purged_at", "id", "request_id", "at", "actor", "kind", "data_sha256", "prev_hash", "state"],
    ),
    ("events", &["seq", "id", "request_id", "at", "actor", "kind", "data", "prev_hash", "hash", "state"]),
    ("checkpoints", &["id", "at", "reason", "body", "signature"]),
    ("row_states", &["request_id", "state"]),
    ("row_facts", &["request_id", "acknowledged_on", "closed_from"]),
    (
        "mail_messages",
        &[
            "id",
            "folder",
            "uidvalidity",
            "uid",
            "message_id",
            "in_reply_to",
            "refs",
            "sender",
            "sender_name",
            "subject",
            "received_at",
            "size",
            "sha256",
            "stored_name",
            "kind_guess",
            "lang_guess",
            "attachments",
            "problem",
            "state",
            "request_id",
            "reason",
            "taken_at",
            "decided_at",
            "decided_by",
            "done_on_server",
        ],
    ),
];

/// The name [`TABLES`] gives a request row's insertion order.
pub const ROW_ORDER: &str = "row_order";

/// `columns` as an engine names them: [`ROW_ORDER`] as its own name for insertion order (`rowid`, `row_no`).
pub fn engine_columns<'a>(columns: &[&'a str], row_order: &'a str) -> Vec<&'a str> {
    columns.iter().map(|c| if *c == ROW_ORDER { row_order } else { c }).collect()
}

/// Settings that belong to where a register is, not to the register: not copied.
pub const PLACE_SETTINGS: &[&str] = &["register.path"];

/// Every table's rows from `from` into `sink`, in [`TABLES`] order; the number of rows.
pub fn copy_rows(from: &dyn super::Backend, sink: &mut dyn RowSink) -> Result<u64> {
    let mut n = 0;
    for (table, columns) in TABLES {
        from.rows_out(table, columns, &mut |row| {
            let place = |key: &[u8]| PLACE_SETTINGS.iter().any(|p| p.as_bytes() == key);
            if *table == "settings" && matches!(row.first(), Some(Cell::Text(key)) if place(key)) {
                return Ok(());
            }
            n += 1;
            sink.row(table, columns, row)
        })?;
    }
    Ok(n)
}
