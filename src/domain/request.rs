//! A request as the register keeps it.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Agent, Channel, RefusalCategory, RequestKind, Status};
use crate::dates::iso;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Requester {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Customer or account reference in the organisation's systems.
    pub account: Option<String>,
}

/// Why the clock (or the work) was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum PauseReason {
    AwaitingIdentity,
    AwaitingClarification,
    AwaitingFee,
    Other,
}

impl PauseReason {
    pub fn parse(id: &str) -> Option<PauseReason> {
        serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
    }

    pub fn id(self) -> &'static str {
        match self {
            PauseReason::AwaitingIdentity => "awaiting-identity",
            PauseReason::AwaitingClarification => "awaiting-clarification",
            PauseReason::AwaitingFee => "awaiting-fee",
            PauseReason::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PauseRecord {
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub start: Date,
    /// `None` while the clock is still stopped.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub end: Option<Date>,
    pub reason: PauseReason,
}

/// The facts the statutory clock depends on. Each is set by an audit event in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockFacts {
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub verified_on: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub fee_paid_on: Option<Date>,
    pub pauses: Vec<PauseRecord>,
    /// The day the requester was told of the extension; `Some` once the one extension is taken.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub extended_on: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub due_override: Option<Date>,
}

/// What the deadline engine derived from the facts. `rule_kind` is `None` where the regime sets no statutory
/// deadline for the request kind: the request then runs on its internal target only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dates {
    pub rule_kind: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub clock_start: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub acknowledge_by: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub due: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub extended_due: Option<Date>,
    /// The date that counts now: the override, else the extended due date once extended, else the due date.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub effective_due: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub internal_target: Option<Date>,
    pub paused_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Request {
    pub id: Uuid,
    pub reference: String,
    pub kind: RequestKind,
    pub regime: String,
    pub calendar: String,
    pub channel: Channel,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub received: Date,
    pub status: Status,
    pub requester: Requester,
    pub language: String,
    pub description: String,
    pub notes: String,
    pub outcome_reason: Option<String>,
    /// The person's record (their other requests, duplicates); set when the request is logged.
    pub requester_id: Option<String>,
    /// The id the request had in the system it was imported from.
    pub external_id: Option<String>,
    /// Why a refusal or partial refusal was made (set together with `outcome_reason`).
    pub refusal_category: Option<RefusalCategory>,
    /// The legal basis of an exemption.
    pub refusal_basis: Option<String>,
    /// Someone acting for the data subject, with their written authority.
    pub agent: Option<Agent>,
    /// The officer who works the request (a login of the team register), if anyone was assigned.
    #[serde(default)]
    pub owner: Option<String>,
    /// The day the requester was asked to confirm their identity (the unverified flag counts from it).
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub identity_requested_on: Option<Date>,
    #[serde(flatten)]
    pub facts: ClockFacts,
    #[serde(flatten)]
    pub dates: Dates,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// When the retention purge removed its personal data: it takes no new data or change after that.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub purged_at: Option<OffsetDateTime>,
}
