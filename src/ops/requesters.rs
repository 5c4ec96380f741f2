//! Requesters: duplicates and repeats, links between requests, blocked senders.

use serde::Deserialize;

use super::op;
use crate::desk::{RequestDetail, RequesterView};
use crate::store::BlockedSender;

/// Close a request as a duplicate of another (which keeps going).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MergeDuplicate {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The request it duplicates: its reference (RD-2026-0042) or id.
    #[arg(long, value_name = "REF")]
    pub into: String,
    /// Why, or anything worth keeping with it.
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
}
op!(MergeDuplicate => RequestDetail, |i, d| d.merge_duplicate(&i.reference, &i.into, i.note.as_deref()));

/// Record how two requests relate: `linked` (same person, related asks) or `separate` (not a duplicate).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RelateRequests {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The other request: its reference (RD-2026-0042) or id.
    #[arg(long = "to", value_name = "REF")]
    pub other: String,
    /// linked (the same person or matter) or separate (not the same, despite the look-alike).
    #[arg(long = "as", value_name = "linked|separate")]
    pub relation: String,
    /// Why, or anything worth keeping with it.
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
}
op!(RelateRequests => RequestDetail, |i, d| d.relate(&i.reference, &i.other, &i.relation, i.note.as_deref()));

/// A requester with every request they made: by the requester's id, or by the reference of one of their requests.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetRequester {
    /// The requester's id, or the reference (RD-2026-0042) or id of one of their requests.
    #[arg(value_name = "ID_OR_REFERENCE")]
    pub id: String,
}
op!(GetRequester => RequesterView, |i, d| {
    let id = match d.store().read(|r| r.request(&i.id)) {
        Ok(r) => r.requester_id.unwrap_or_default(),
        Err(_) => i.id,
    };
    d.requester(&id)
});

/// Senders whose requests are set aside as spam.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListBlockedSenders;
op!(ListBlockedSenders => Vec<BlockedSender>, |_, d| d.blocked_senders());

/// Take a sender off the blocked list.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnblockSender {
    /// The blocked email address.
    pub email: String,
}
op!(UnblockSender => (), |i, d| d.unblock_sender(&i.email));
