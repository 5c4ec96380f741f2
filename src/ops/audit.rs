//! The audit trail: verification, the signing key, anchors.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{SaveTo, op};
use crate::desk::{AuditKeyStatus, ChainReport, CheckpointInfo};

/// Check the whole trail: the chain, every row against its last event, purge records, signed checkpoints; with
/// `anchor`, also that the register still holds the head saved in that anchor file.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VerifyAudit {
    #[arg(
        long,
        value_name = "FILE",
        help = "Also check that the register still holds the head in this anchor file (`audit anchor --out`)"
    )]
    #[serde(skip)]
    pub anchor: Option<PathBuf>,
}
op!(VerifyAudit => ChainReport, |i, d| d.verify_audit_with(i.anchor.as_deref()));

/// The register's own chained events, newest first: who changed which setting when (the organisation, SMTP,
/// templates, the data map, calendar days, targets, retention, identity periods, authorities, blocked senders),
/// the signing key, copies of the register, repairs.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListRegisterEvents {
    /// How many, newest first (1–500).
    #[arg(long, default_value_t = 50)]
    #[serde(default = "fifty")]
    pub limit: u32,
}

fn fifty() -> u32 {
    50
}

/// The register's events, each typed for the window like a request's timeline.
#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegisterHistory {
    #[cfg_attr(feature = "specta", specta(type = Vec<crate::desk::TimelineEvent>))]
    pub events: Vec<crate::store::Event>,
}
op!(ListRegisterEvents => RegisterHistory, |i, d| Ok(RegisterHistory { events: d.register_history(i.limit)? }));

/// Whether the checkpoint signing key exists, where it is kept and whether it is unlocked.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetAuditKeyStatus;
op!(GetAuditKeyStatus => AuditKeyStatus, |_, d| d.audit_key_status());

/// Create the signing key: sealed with `passphrase`, or (without one) kept in the OS keyring. The passphrase is
/// wiped from memory when dropped.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetUpAuditKey {
    #[serde(default)]
    pub passphrase: Option<String>,
}
op!(SetUpAuditKey => AuditKeyStatus, |i, d| {
    // Wiped when dropped, like every passphrase and password that passes through.
    let passphrase = i.passphrase.map(zeroize::Zeroizing::new);
    d.set_up_audit_key(passphrase.as_ref().map(|p| p.as_str()))
});

/// Unlock a passphrase-sealed signing key for this session.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnlockAuditKey {
    pub passphrase: String,
}
op!(UnlockAuditKey => AuditKeyStatus, |i, d| d.unlock_audit_key(&i.passphrase));

/// Sign the head of the trail and save it as an anchor file.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportAnchor {
    /// The command line's `--out`/`--force` (the window cannot name a path: Downloads).
    #[serde(skip)]
    pub save: SaveTo,
}

/// What the anchor export wrote.
#[derive(Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AnchorExport {
    /// The path written.
    pub file: String,
    /// The checkpoint signed for it: the head it holds.
    pub checkpoint: CheckpointInfo,
}

op!(ExportAnchor => AnchorExport, |i, d| {
    let (path, existing) = i.save.resolve(&format!("audit-anchor-{}.json", crate::dates::fmt(d.today())))?;
    let checkpoint = d.export_anchor(&path, existing)?;
    Ok(AnchorExport { file: path.display().to_string(), checkpoint })
});
