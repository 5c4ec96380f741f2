//! The data map (the systems that hold personal data) and each request's checklist made from it.

use std::io::Read;

use serde::Deserialize;

use super::op;
use crate::desk::{RequestDetail, SystemInput};
use crate::files::{FileInput, MAX_ATTACHMENT_BYTES};
use crate::store::System;

/// The systems of the data map, retired ones included.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListSystems;
op!(ListSystems => Vec<System>, |_, d| d.systems());

/// Add a system to the data map.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddSystem {
    #[command(flatten)]
    pub input: SystemInput,
}
op!(AddSystem => System, |i, d| d.add_system(i.input));

/// Change a system (by id or name).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UpdateSystem {
    pub id: String,
    pub input: SystemInput,
}
op!(UpdateSystem => System, |i, d| d.update_system(&i.id, i.input));

/// Retire a system: new checklists leave it out, old ones keep it.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetireSystem {
    /// The system: its name on the data map, or its id.
    #[arg(value_name = "NAME")]
    pub id: String,
}
op!(RetireSystem => System, |i, d| d.retire_system(&i.id));

/// Tick a checklist line (`item_state`: done, not_held, open …), with a note and a proof file if there is one.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TickChecklist {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The system of the checklist (its name on the data map).
    #[arg(long)]
    pub system: String,
    /// done, not-applicable, beyond-use or open.
    #[arg(long = "state", value_name = "STATE")]
    pub item_state: String,
    /// What was done, or why not (needed for not-applicable and beyond-use).
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
    #[arg(long, help = "A file kept as proof (attached to the request with its SHA-256)")]
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::files::FileToken>))]
    pub proof: Option<FileInput>,
}
op!(TickChecklist => RequestDetail, |i, d| {
    let proof = match &i.proof {
        Some(f) => Some((f.name(), f.open(MAX_ATTACHMENT_BYTES)? as Box<dyn Read>)),
        None => None,
    };
    d.tick(&i.reference, &i.system, &i.item_state, i.note.as_deref(), proof)
});

/// Add to a request's checklist the systems added to the data map since it was made.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefreshChecklist {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
}
op!(RefreshChecklist => RequestDetail, |i, d| d.refresh_checklist(&i.reference));
