//! Identity: checks with evidence, asking for identity, agents, the unverified close, the evidence purge.

use serde::Deserialize;

use super::op;
use crate::desk::{CheckInput, EvidenceFile, IdentitySettings, PurgeReport, RequestDetail};
use crate::files::{FileInput, MAX_ATTACHMENT_BYTES};

/// Record an identity check, with the evidence seen (kept until the evidence purge).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordIdentityCheck {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[command(flatten)]
    pub check: CheckInput,
    // display_order: before --note, where `request verify --help` has always listed it.
    #[arg(
        long,
        display_order = 4,
        help = "A file seen (copied into the managed evidence folder with its SHA-256); repeat for several"
    )]
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Vec<crate::files::FileToken>))]
    pub evidence: Vec<FileInput>,
    /// Attachments of the request (by id) that are evidence of this check, such as an ID document that came with
    /// the requester's reply: moved to the evidence, so the evidence purge deletes them on schedule.
    #[arg(
        long = "from-attachment",
        display_order = 5,
        value_name = "ATTACHMENT_ID",
        help = "An attachment of the request (its id, from `request show --json`) seen as evidence: moved to the \
                evidence, purged with it; repeat for several"
    )]
    #[serde(default)]
    pub from_attachment: Vec<String>,
}
op!(RecordIdentityCheck => RequestDetail, |i, d| {
    let evidence = i
        .evidence
        .iter()
        .map(|f| Ok(EvidenceFile { name: f.name(), content: f.open(MAX_ATTACHMENT_BYTES)? }))
        .collect::<crate::Result<Vec<_>>>()?;
    d.record_identity_check(&i.reference, i.check, evidence, &i.from_attachment)
});

/// Ask the requester for (more) identity on `on`; the clock stops where the regime says so.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AskIdentity {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The day the requester was asked (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: String,
    #[arg(long, help = "What is asked for (it goes into the email with --send)")]
    #[serde(default)]
    pub note: Option<String>,
    /// Queue the identity-request email too.
    #[arg(long, help = "Also queue the identity-request email to the requester")]
    #[serde(default)]
    pub send: bool,
}
op!(AskIdentity => RequestDetail, |i, d| d.ask_identity(&i.reference, &i.on, i.note.as_deref(), i.send));

/// The agent acting for the requester and their authority (all None: no agent).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetAgent {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The agent's name (an attorney, a parent, an authorised agent).
    #[arg(long, required_unless_present = "remove")]
    #[serde(default)]
    pub name: Option<String>,
    /// The agent's email address.
    #[arg(long)]
    #[serde(default)]
    pub email: Option<String>,
    /// The written authority the agent showed (e.g. "signed power of attorney").
    #[arg(long, required_unless_present = "remove")]
    #[serde(default)]
    pub authority: Option<String>,
    // The command line's way to say "no agent" (all three None): clap insists they are absent.
    #[arg(long, conflicts_with_all = ["name", "email", "authority"], help = "No one acts for the data subject any more")]
    #[serde(skip)]
    pub remove: bool,
}
op!(SetAgent => RequestDetail, |i, d| d.set_agent(&i.reference, i.name, i.email, i.authority));

/// Close a request whose requester never proved who they are.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CloseUnverified {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[arg(long, help = "Also queue the matching notice to the requester")]
    #[serde(default)]
    pub send: bool,
}
op!(CloseUnverified => RequestDetail, |i, d| d.close_unverified(&i.reference, i.send));

/// With `reference`: that answered request's evidence now; without: everything past the retention period.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PurgeEvidence {
    /// One answered request whose evidence goes now (its reference or id); none: every request past the period.
    #[arg(long = "request", value_name = "REF")]
    #[serde(default)]
    pub reference: Option<String>,
}
op!(PurgeEvidence => PurgeReport, |i, d| d.purge_evidence(i.reference.as_deref()));

/// The identity periods: days to wait for identity per regime, days evidence is kept.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetIdentitySettings;
op!(GetIdentitySettings => IdentitySettings, |_, d| Ok(d.identity_settings()));

/// How many days to wait for identity before a request may be closed unverified, per regime.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetUnverifiedDays {
    /// The law it applies to (eu-gdpr, uk-gdpr, us-ca-ccpa, …).
    #[arg(long)]
    pub regime: String,
    /// Days after asking for identity.
    #[arg(long)]
    pub days: u32,
}
op!(SetUnverifiedDays => (), |i, d| d.set_unverified_days(&i.regime, i.days));

/// How many days identity evidence is kept after the answer.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetEvidenceDays {
    /// Days after the answer (0: at once).
    #[arg(long)]
    pub days: u32,
}
op!(SetEvidenceDays => (), |i, d| d.set_evidence_retention_days(i.days));
