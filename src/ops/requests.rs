//! Logging, listing, showing, correcting and moving requests.

use serde::Deserialize;

use super::op;
use crate::desk::{FormOptions, NewRequest, QueueRow, RequestDetail, RequestEdit, SetupStatus, StatusChange};
use crate::files::{FileInput, MAX_ATTACHMENT_BYTES};
use crate::store::{Dashboard, Page, Query};

/// What the forms offer: kinds, channels, regimes, languages, statuses.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetFormOptions;
op!(GetFormOptions => FormOptions, |_, d| Ok(d.form_options()));

/// The counts at the top of the queue (overdue, due soon, by status).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetDashboard;
op!(GetDashboard => Dashboard, |_, d| d.dashboard());

/// What the register still lacks for every feature to work (the first-run path shown above the queue).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetSetupStatus;
op!(GetSetupStatus => SetupStatus, |_, d| d.setup_status());

/// The queue: filtered, sorted, paged.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListRequests {
    pub query: Query,
}
op!(ListRequests => Page<QueueRow>, |i, d| d.list(&i.query));

/// One request with its dates, their explanation and its audit events.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetRequest {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
}
op!(GetRequest => RequestDetail, |i, d| d.request(&i.reference));

/// Log a new request, with the document it came in (the email, the scanned letter) if there is one: both or
/// neither are kept.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddRequest {
    pub input: NewRequest,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::files::FileToken>))]
    pub file: Option<FileInput>,
}
op!(AddRequest => RequestDetail, |i, d| match i.file {
    None => d.add_request(i.input),
    Some(file) => d.add_request_with_file(i.input, &file.name(), &mut file.open(MAX_ATTACHMENT_BYTES)?),
});

/// Correct what was logged about a request (requester's details, language, channel, date of receipt, text).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EditRequest {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[command(flatten)]
    pub edit: RequestEdit,
}
op!(EditRequest => RequestDetail, |i, d| d.edit_request(&i.reference, i.edit));

/// Move a request to another status (with a reason where the move needs one).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangeStatus {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[command(flatten)]
    pub change: StatusChange,
}
op!(ChangeStatus => RequestDetail, |i, d| d.change_status(&i.reference, i.change));

/// Attach a file (a scanned letter, an email, evidence): copied into the register's folder with its SHA-256.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddAttachment {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The file to attach (any kind).
    #[cfg_attr(feature = "specta", specta(type = crate::files::FileToken))]
    pub file: FileInput,
    /// The name to keep it under (default: the file's own).
    #[arg(long, help = "The name to show (default: the file's own name)")]
    #[serde(default)]
    pub name: Option<String>,
}
op!(AddAttachment => RequestDetail, |i, d| {
    let name = i.name.unwrap_or_else(|| i.file.name());
    d.attach(&i.reference, &name, &mut i.file.open(MAX_ATTACHMENT_BYTES)?)
});
