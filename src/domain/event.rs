//! The audit trail's events as types: one variant per kind the core records, each with the payload it writes.
//!
//! The hash chain covers each event's kind and the exact text of its data (serde_json's sorted map, written by
//! `store::audit::append`), so a payload here must serialise to exactly the JSON the core has always written for
//! that kind: the same keys, `null` where a value is written as `null`, a key left out where it is left out. A
//! field that one writer leaves out and another writes (as `null` or a value) is a [`Maybe`] field.
//!
//! Reading is lossless: [`AuditEvent::from_parts`] gives a typed variant only when that variant writes back the
//! very same JSON; any other event (a kind this version does not know, older or newer, or a known kind in a shape
//! it does not write) is [`AuditEvent::Unknown`] with its kind and data as stored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Agent, Channel, CheckOutcome, Dates, Party, PauseReason, RefusalCategory, RequestKind, Requester, Status,
    VerificationMethod,
};

/// A field one writer leaves out and another writes: `None` absent, `Some(None)` written as `null`.
pub type Maybe<T> = Option<Option<T>>;

/// (De)serialising a [`Maybe`] field, with `default` and `skip_serializing_if = "Option::is_none"`.
mod maybe {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        // Present (a value or null): the outer Some records that the key was there.
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A file as the trail names it: the file itself may go (a purge), its name, digest and size stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileRef {
    pub file_name: String,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: i64,
}

/// How a change moved the request's dates (written only when they moved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatesChange {
    pub before: Dates,
    pub after: Dates,
}

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Change<T> {
    pub before: T,
    pub after: T,
}

// Each payload below is what one kind writes, field for field. `dates` is the member `Desk::update` adds when the
// change moved the dates; it is read back here, never set by the code that makes the event.
macro_rules! payloads {
    ($($(#[$m:meta])* $name:ident { $($body:tt)* })+) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[cfg_attr(feature = "specta", derive(specta::Type))]
            pub struct $name { $($body)* }
        )+
    };
}

payloads! {
    /// The request as logged (`imported_from`: the file, row and key of an import).
    Created {
        pub reference: String,
        pub kind: RequestKind,
        pub regime: String,
        pub calendar: String,
        pub channel: Channel,
        pub received: String,
        pub status: Status,
        pub requester: Requester,
        pub language: String,
        pub description: String,
        pub notes: String,
        pub dates: Dates,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Unknown>))]
        pub imported_from: Option<Value>,
    }

    /// Each corrected field with its value before and after (`received` is the date of receipt).
    DetailsCorrected {
        #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, Change<specta_typescript::Unknown>>))]
        pub changed: std::collections::BTreeMap<String, Change<Value>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    /// A move along the lifecycle. The demo register writes `category` and `basis` only on a refusal and no
    /// `blocked_sender`; the officer's changes write all three.
    StatusChanged {
        pub from: Status,
        pub to: Status,
        pub reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "maybe")]
        #[cfg_attr(feature = "specta", specta(type = Option<Option<RefusalCategory>>))]
        pub category: Maybe<RefusalCategory>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "maybe")]
        #[cfg_attr(feature = "specta", specta(type = Option<Option<String>>))]
        pub basis: Maybe<String>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "maybe")]
        #[cfg_attr(feature = "specta", specta(type = Option<Option<String>>))]
        pub blocked_sender: Maybe<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    AttachmentAdded {
        pub file_name: String,
        pub sha256: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub size: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    /// A message from the mailbox given to the request: a reply threaded to it on arrival (`how`: `reply`), the
    /// message a request was made from (`accepted`), or one the officer linked (`linked`); the message and each
    /// file it carried are attachments (`files`, the message first).
    MailReceived {
        pub how: String,
        pub from: String,
        pub subject: String,
        pub message_id: Option<String>,
        /// When the mail server received it (RFC 3339).
        pub received_at: String,
        pub files: Vec<FileRef>,
    }

    FeePaid {
        pub on: String,
        /// The day recorded before, if the payment was recorded already.
        pub before: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ClockPaused {
        pub from: String,
        pub reason: PauseReason,
        pub note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ClockResumed {
        pub on: String,
        pub stopped_since: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub days: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    /// `new_due`: the date the organisation named, where the regime lets it (written only then).
    ExtensionTaken {
        pub told_on: String,
        pub reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub new_due: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    DueOverridden {
        pub before: Option<String>,
        pub after: Option<String>,
        pub reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    /// `identity_established_on` is written when the check changed it, `status` when it moved the request on.
    IdentityChecked {
        pub party: Party,
        pub method: VerificationMethod,
        pub outcome: CheckOutcome,
        pub on: String,
        pub note: Option<String>,
        pub evidence: Vec<FileRef>,
        /// Those of `evidence` that were the request's attachments (an ID document that came with a reply): moved,
        /// no longer attachments, deleted by the evidence purge.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub from_attachments: Vec<FileRef>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "maybe")]
        #[cfg_attr(feature = "specta", specta(type = Option<Option<String>>))]
        pub identity_established_on: Maybe<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<StatusMove>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    StatusMove {
        pub from: Status,
        pub to: Status,
    }

    IdentityRequested {
        pub on: String,
        pub note: Option<String>,
        pub from: Status,
        pub to: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    AgentSet {
        pub before: Option<Agent>,
        pub after: Option<Agent>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    EvidencePurged {
        pub on: String,
        pub files: Vec<FileRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ResponseQueued {
        pub outbox_id: String,
        pub message_id: String,
        pub stage: String,
        pub lang: String,
        pub to: String,
        pub subject: String,
        pub on: String,
        pub reference: String,
        /// A written answer (stage `free-text`): the SHA-256 of its text as sent (trailing blanks trimmed; the
        /// message itself is in the outbox, and attached to the request once sent). Left out for a template's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub body_sha256: Option<String>,
        /// A written answer: the Message-ID of the message it answers, when it answers one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub in_reply_to: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    DataCopySent {
        pub outbox_id: String,
        pub message_id: String,
        pub lang: String,
        pub to: String,
        pub subject: String,
        /// `attached`, `password-separately` or `outside` (by post or a download, not with the email).
        pub how: String,
        /// The ZIP attached to the message (none when the copy goes outside the app).
        pub file_name: Option<String>,
        pub sha256: Option<String>,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub bytes: u64,
        pub encrypted: bool,
        /// For an encrypted copy: `email` (a second message) or `phone` (shown to the officer, never stored).
        pub password_by: Option<String>,
        pub password_message_id: Option<String>,
        pub on: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ResponseSent {
        pub message_id: String,
        pub stage: String,
        pub to: String,
        pub subject: String,
        /// The sent message's name among the request's attachments.
        pub eml: String,
        pub sha256: String,
        pub attempts: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ChecklistCreated {
        pub systems: Vec<String>,
        pub action: String,
    }

    ChecklistExtended {
        pub systems: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    ChecklistTicked {
        pub system: String,
        pub action: String,
        pub before: String,
        pub state: String,
        pub note: Option<String>,
        pub proof: Option<FileRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    MergedAsDuplicate {
        /// The request it duplicates.
        pub into: String,
        pub from: Status,
        pub note: Option<String>,
    }

    DuplicateMerged {
        pub duplicate: String,
        pub note: Option<String>,
    }

    /// `request_linked` and `kept_separate`, written on both requests.
    RequestRelation {
        pub other: String,
        pub note: Option<String>,
    }

    DatesRecomputed {
        pub reason: String,
        pub dates: DatesChange,
    }

    /// A field (`label`; its value stays out of the trail) or a `file` gathered for the answer.
    DisclosureAdded {
        pub id: String,
        pub system: String,
        pub category: String,
        pub provided: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub label: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub file: Option<FileRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    DisclosureRemoved {
        pub id: String,
        pub system: String,
        pub category: String,
        pub label: Option<String>,
        pub file_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    SubjectExportMade {
        pub file_name: String,
        pub sha256: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub bytes: u64,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub files: u64,
        pub encrypted: bool,
        pub scope: String,
        pub language: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub items: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dates: Option<DatesChange>,
    }

    EvidencePackMade {
        pub file_name: String,
        pub sha256: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub requests: u64,
    }

    /// The retention purge: `removed` names each removed event as `[seq, hash]` (what `audit verify` checks).
    Purged {
        pub reason: String,
        pub months: u32,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub events_removed: u64,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub files_removed: u64,
        #[cfg_attr(feature = "specta", specta(type = Vec<(specta_typescript::Number, String)>))]
        pub removed: Vec<(i64, String)>,
    }

    // Events of the register itself (no request).

    /// An append-only trigger found missing or altered and put back (`was`: `missing` or `altered`).
    TriggerRestored {
        pub trigger: String,
        pub was: String,
    }

    SigningKeyCreated {
        pub public_key: String,
        pub fingerprint: String,
        /// `keyring` or `passphrase`.
        pub storage: String,
    }

    /// The upgrade to schema 10's record of purges made before: `[seq, hash]` of each removed event.
    PurgesRecorded {
        pub reason: String,
        #[cfg_attr(feature = "specta", specta(type = Vec<(specta_typescript::Number, String)>))]
        pub removed: Vec<(i64, String)>,
    }

    /// The upgrade to schema 10's record of every row's state (`digest` over the `row_states` table).
    RowStatesRecorded {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub rows: u64,
        pub digest: String,
    }

    /// The upgrade to schema 11's record of the log facts it back-filled (`digest` over the `row_facts` table).
    RowFactsRecorded {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub rows: u64,
        pub digest: String,
    }

    RegisterCopied {
        pub from_id: String,
        pub from_path: String,
        pub id: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub files_linked: u64,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub files_copied: u64,
    }

    FilesFolderMoved {
        pub from: String,
        pub to: String,
    }

    FilesMovedToRegisterFolder {
        pub folder: String,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub request_folders: u64,
        pub logo: Option<String>,
        pub files_shared_with_an_earlier_copy: LinkedCopied,
    }

    // Settings, events of the register: each names what changed, before and after (never the SMTP password).

    /// The organisation's details and letterhead (`logo`: the kept copy's path in the register's folder).
    OrganisationChanged {
        pub changed: std::collections::BTreeMap<String, Change<String>>,
    }

    /// The SMTP server settings as kept (text values; an empty text is unset); `password_stored`: a new password
    /// went to the OS keyring (the password itself is never recorded).
    SmtpSettingsChanged {
        pub changed: std::collections::BTreeMap<String, Change<String>>,
        pub password_stored: bool,
    }

    /// The mailbox (IMAP) settings as kept, like the SMTP ones (never the password).
    ImapSettingsChanged {
        pub changed: std::collections::BTreeMap<String, Change<String>>,
        pub password_stored: bool,
    }

    /// A message of the intake tray set aside by the officer: not a request (`dismissed`, with the reason) or
    /// `spam` (`blocked`: its sender is blocked from now on). Who sent it and its subject, for the record.
    MailSetAside {
        pub decision: String,
        pub sender: String,
        pub subject: String,
        pub reason: Option<String>,
        pub blocked: bool,
    }

    TemplateSaved {
        pub stage: String,
        /// A request kind, or `*` for any.
        pub kind: String,
        pub lang: String,
        pub subject: String,
        /// The text's SHA-256 (the text is in the templates table).
        pub body_sha256: String,
    }

    TemplatesCopied {
        pub from: String,
        pub to: String,
        pub templates: u32,
    }

    SystemAdded {
        pub id: String,
        pub name: String,
        pub owner: String,
        pub holds: String,
        pub is_backup: bool,
    }

    SystemUpdated {
        pub id: String,
        pub name: String,
        #[cfg_attr(feature = "specta", specta(type = std::collections::BTreeMap<String, Change<specta_typescript::Unknown>>))]
        pub changed: std::collections::BTreeMap<String, Change<Value>>,
    }

    SystemRetired {
        pub id: String,
        pub name: String,
    }

    /// A day the organisation declared non-working (also in the append-only `calendar_days` log).
    CalendarDayAdded {
        pub calendar: String,
        pub day: String,
        pub label: String,
    }

    CalendarDayRemoved {
        pub calendar: String,
        pub day: String,
        pub label: String,
        pub reason: String,
    }

    /// Working days before the statutory date that the internal target sits, for one regime.
    TargetDaysSet {
        pub regime: String,
        pub before: u32,
        pub after: u32,
    }

    /// How the encrypted register is unlocked changed (`change`: `passphrase_changed`, `keyring_added`,
    /// `keyring_removed`, `recovered` — a new passphrase set with the recovery key); `methods` as they are now.
    /// Nothing secret is recorded.
    VaultChanged {
        pub change: String,
        pub methods: Vec<String>,
    }

    /// The backup schedule: `every` (`off`, `daily`, `weekly`, and what it was `before`), how many are kept, where.
    BackupScheduleSet {
        pub before: String,
        pub every: String,
        pub keep: u32,
        pub folder: String,
    }

    /// Minutes without use after which the window locks the register.
    LockMinutesSet {
        pub before: u32,
        pub after: u32,
    }

    /// Months a closed request is kept before the retention purge.
    RetentionMonthsSet {
        pub before: u32,
        pub after: u32,
    }

    /// Days after the identity request before an unverified request is flagged, for one regime.
    UnverifiedDaysSet {
        pub regime: String,
        pub before: u32,
        pub after: u32,
    }

    /// Days after a request stops being open before its identity evidence is deleted.
    EvidenceRetentionDaysSet {
        pub before: u32,
        pub after: u32,
    }

    /// The organisation's own supervisory authority for a regime (`null`: the directory's).
    OwnAuthoritySet {
        pub regime: String,
        pub before: Option<AuthorityText>,
        pub after: Option<AuthorityText>,
    }

    AuthorityText {
        pub name: String,
        pub address: String,
        pub website: String,
    }

    SenderUnblocked {
        pub email: String,
    }

    /// The request's owner changed (None: nobody), by login.
    RequestAssigned {
        pub from: Option<String>,
        pub to: Option<String>,
    }

    /// A checklist line was given to a colleague (or taken back: None), by login.
    ChecklistLineAssigned {
        pub system: String,
        pub from: Option<String>,
        pub to: Option<String>,
    }

    /// A person joined the team register: their login, name, email and role, and whether the login was made on
    /// the server by Rightsdesk (else an existing one was mapped). Never the password.
    AccountAdded {
        pub login: String,
        pub name: String,
        pub email: Option<String>,
        pub role: String,
        pub login_created: bool,
    }

    /// An account's name, email, role or disabled state changed (text values, before and after).
    AccountChanged {
        pub login: String,
        pub changed: std::collections::BTreeMap<String, Change<String>>,
    }

    LinkedCopied {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub linked: u64,
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        pub copied: u64,
    }
}

macro_rules! audit_events {
    ($($(#[$m:meta])* $variant:ident($payload:ty) = $kind:literal,)+) => {
        /// An event of the audit trail: its kind and its data, typed. Serialised (`kind`, `data`) it is the event
        /// as stored; `to_parts`/`from_parts` are the way to and from the store.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(tag = "kind", content = "data")]
        pub enum AuditEvent {
            $($(#[$m])* #[serde(rename = $kind)] $variant($payload),)+
            /// A kind this version does not know (older or newer), or a known kind in a shape it does not write:
            /// kept exactly as stored.
            #[serde(untagged)]
            Unknown {
                kind: String,
                #[cfg_attr(feature = "specta", specta(type = specta_typescript::Unknown))]
                data: Value,
            },
        }

        impl AuditEvent {
            /// Every kind with a typed payload.
            pub const KINDS: &'static [&'static str] = &[$($kind),+];

            pub fn kind(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $kind,)+
                    Self::Unknown { kind, .. } => kind,
                }
            }

            /// The data exactly as the store writes it (a sorted JSON map).
            pub fn data(&self) -> serde_json::Result<Value> {
                match self {
                    $(Self::$variant(p) => serde_json::to_value(p),)+
                    Self::Unknown { data, .. } => Ok(data.clone()),
                }
            }

            fn typed(kind: &str, data: &Value) -> Option<Self> {
                match kind {
                    $($kind => <$payload>::deserialize(data).ok().map(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

audit_events! {
    Created(Created) = "created",
    DetailsCorrected(DetailsCorrected) = "details_corrected",
    StatusChanged(StatusChanged) = "status_changed",
    AttachmentAdded(AttachmentAdded) = "attachment_added",
    MailReceived(MailReceived) = "mail_received",
    FeePaid(FeePaid) = "fee_paid",
    ClockPaused(ClockPaused) = "clock_paused",
    ClockResumed(ClockResumed) = "clock_resumed",
    ExtensionTaken(ExtensionTaken) = "extension_taken",
    DueOverridden(DueOverridden) = "due_overridden",
    IdentityChecked(IdentityChecked) = "identity_checked",
    IdentityRequested(IdentityRequested) = "identity_requested",
    AgentSet(AgentSet) = "agent_set",
    EvidencePurged(EvidencePurged) = "evidence_purged",
    ResponseQueued(ResponseQueued) = "response_queued",
    ResponseSent(ResponseSent) = "response_sent",
    DataCopySent(DataCopySent) = "data_copy_sent",
    ChecklistCreated(ChecklistCreated) = "checklist_created",
    ChecklistExtended(ChecklistExtended) = "checklist_extended",
    ChecklistTicked(ChecklistTicked) = "checklist_ticked",
    MergedAsDuplicate(MergedAsDuplicate) = "merged_as_duplicate",
    DuplicateMerged(DuplicateMerged) = "duplicate_merged",
    RequestLinked(RequestRelation) = "request_linked",
    KeptSeparate(RequestRelation) = "kept_separate",
    DatesRecomputed(DatesRecomputed) = "dates_recomputed",
    DisclosureAdded(DisclosureAdded) = "disclosure_added",
    DisclosureRemoved(DisclosureRemoved) = "disclosure_removed",
    SubjectExportMade(SubjectExportMade) = "subject_export_made",
    EvidencePackMade(EvidencePackMade) = "evidence_pack_made",
    Purged(Purged) = "purged",
    TriggerRestored(TriggerRestored) = "trigger_restored",
    SigningKeyCreated(SigningKeyCreated) = "signing_key_created",
    PurgesRecorded(PurgesRecorded) = "purges_recorded",
    RowStatesRecorded(RowStatesRecorded) = "row_states_recorded",
    RowFactsRecorded(RowFactsRecorded) = "row_facts_recorded",
    RegisterCopied(RegisterCopied) = "register_copied",
    FilesFolderMoved(FilesFolderMoved) = "files_folder_moved",
    FilesMovedToRegisterFolder(FilesMovedToRegisterFolder) = "files_moved_to_register_folder",
    OrganisationChanged(OrganisationChanged) = "organisation_changed",
    SmtpSettingsChanged(SmtpSettingsChanged) = "smtp_settings_changed",
    ImapSettingsChanged(ImapSettingsChanged) = "imap_settings_changed",
    MailSetAside(MailSetAside) = "mail_set_aside",
    TemplateSaved(TemplateSaved) = "template_saved",
    TemplatesCopied(TemplatesCopied) = "templates_copied",
    SystemAdded(SystemAdded) = "system_added",
    SystemUpdated(SystemUpdated) = "system_updated",
    SystemRetired(SystemRetired) = "system_retired",
    CalendarDayAdded(CalendarDayAdded) = "calendar_day_added",
    CalendarDayRemoved(CalendarDayRemoved) = "calendar_day_removed",
    TargetDaysSet(TargetDaysSet) = "target_days_set",
    RetentionMonthsSet(RetentionMonthsSet) = "retention_months_set",
    VaultChanged(VaultChanged) = "vault_changed",
    LockMinutesSet(LockMinutesSet) = "lock_minutes_set",
    BackupScheduleSet(BackupScheduleSet) = "backup_schedule_set",
    UnverifiedDaysSet(UnverifiedDaysSet) = "unverified_days_set",
    EvidenceRetentionDaysSet(EvidenceRetentionDaysSet) = "evidence_retention_days_set",
    OwnAuthoritySet(OwnAuthoritySet) = "own_authority_set",
    SenderUnblocked(SenderUnblocked) = "sender_unblocked",
    RequestAssigned(RequestAssigned) = "request_assigned",
    ChecklistLineAssigned(ChecklistLineAssigned) = "checklist_line_assigned",
    AccountAdded(AccountAdded) = "account_added",
    AccountChanged(AccountChanged) = "account_changed",
}

impl AuditEvent {
    /// The event as stored: its kind and data.
    pub fn to_parts(&self) -> serde_json::Result<(String, Value)> {
        Ok((self.kind().to_string(), self.data()?))
    }

    /// An event read from the store. Typed only if the typed payload writes back exactly `data`; otherwise
    /// `Unknown`, so reading never loses or changes what the chain hashed.
    pub fn from_parts(kind: &str, data: &Value) -> Self {
        match Self::typed(kind, data) {
            Some(typed) if typed.data().is_ok_and(|written| &written == data) => typed,
            _ => Self::Unknown { kind: kind.to_string(), data: data.clone() },
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown { .. })
    }
}
