//! Facts of the statutory clock: fee paid, stop and restart, the extension, a reasoned override.

use serde::Deserialize;

use super::op;
use crate::desk::RequestDetail;

/// The fee was paid on `on` (YYYY-MM-DD): the clock runs from then where the regime says so.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordFeePaid {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The day the fee was paid (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: String,
}
op!(RecordFeePaid => RequestDetail, |i, d| d.record_fee_paid(&i.reference, &i.on));

/// Stop the clock from `from` for a reason the regime allows.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PauseClock {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The first day the clock stands still (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: String,
    #[arg(long, help = "awaiting-identity, awaiting-clarification, awaiting-fee, other")]
    pub reason: String,
    /// What the requester was asked for, or other detail.
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
}
op!(PauseClock => RequestDetail, |i, d| d.pause_clock(&i.reference, &i.from, &i.reason, i.note.as_deref()));

/// Restart a stopped clock on `on`.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ResumeClock {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The day the requester's answer arrived (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: String,
}
op!(ResumeClock => RequestDetail, |i, d| d.resume_clock(&i.reference, &i.on));

/// Take the one extension, told to the requester on `told_on`; `new_due` only where the regime leaves it open.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TakeExtension {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The day the requester was told of the extension (YYYY-MM-DD; before the original due date).
    #[arg(long = "told", value_name = "YYYY-MM-DD")]
    pub told_on: String,
    /// Why more time is needed (the complexity or number of requests; told to the requester).
    #[arg(long)]
    pub reason: String,
    #[arg(long, help = "The new date, where the law lets the organisation choose it (ch-fadp, sg-pdpa)")]
    #[serde(default)]
    pub new_due: Option<String>,
}
op!(TakeExtension => RequestDetail, |i, d| d.take_extension(
    &i.reference,
    &i.told_on,
    Some(&i.reason),
    i.new_due.as_deref()
));

/// Set the due date by hand with a reason (`date` None: back to the computed one).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OverrideDue {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The due date that applies instead (YYYY-MM-DD); none: the computed one applies again.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "clear", required_unless_present = "clear")]
    #[serde(default)]
    pub date: Option<String>,
    // The command line's way to say "no date": clap insists that --date is absent.
    #[arg(long, help = "Take the override off: the computed due date applies again")]
    #[serde(skip)]
    pub clear: bool,
    /// Why (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}
op!(OverrideDue => RequestDetail, |i, d| d.override_due(&i.reference, i.date.as_deref(), Some(&i.reason)));
