//! Every operation a person performs, declared once: an input type (serde, TypeScript through specta, and the
//! command line through clap) and one function over the [`Desk`]. The desktop shell turns each into a Tauri command
//! from the list in [`operations!`], the window calls it through one typed `call` (`ui/src/lib/api.ts`), and the
//! CLI parses the same type. Adding an operation touches this module and the window only.
//!
//! Grouped by feature, like the desk: requests, intake, identity, clock, calendar, requesters, the data map,
//! responses, mail, exports, retention, the audit trail.

pub mod audit;
pub mod backup;
pub mod calendar;
pub mod clock;
pub mod datamap;
pub mod exports;
pub mod identity;
pub mod intake;
pub mod mail;
pub mod mailbox;
pub mod requesters;
pub mod requests;
pub mod responses;
pub mod retention;
pub mod team;
pub mod vault;

use std::path::PathBuf;

use serde::Deserialize;

use crate::Desk;
use crate::error::Result;
use crate::safe_file::Existing;

/// An operation: its input is the type itself.
pub trait Operation: Sized {
    type Output;
    fn run(self, desk: &Desk) -> Result<Self::Output>;
}

/// An operation that reports progress while it works (imports and exports).
pub trait Reporting: Sized {
    type Output;
    type Progress;
    fn run(self, desk: &Desk, progress: &mut dyn FnMut(Self::Progress)) -> Result<Self::Output>;
}

/// Implements [`Operation`] for an input type: `op!(Input => Output, |input, desk| body)`.
macro_rules! op {
    ($input:ty => $output:ty, |$s:pat_param, $d:ident| $body:expr) => {
        impl $crate::ops::Operation for $input {
            type Output = $output;
            fn run(self, $d: &$crate::Desk) -> $crate::Result<$output> {
                let $s = self;
                $body
            }
        }
    };
}
pub(crate) use op;

/// Where an operation saves the file it makes: the path given on the command line (replacing a file there only
/// with `--force`), or a free name in the Downloads folder. The window cannot name a path (`serde(skip)`): a page
/// in the webview must not be able to write, let alone overwrite, any file the user can.
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SaveTo {
    /// The file to write (default: a new name in the Downloads folder).
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    pub out: Option<PathBuf>,
    /// Replace the file at --out if there is one.
    #[arg(long)]
    #[serde(skip)]
    pub force: bool,
}

impl SaveTo {
    /// The path to write and whether an existing file there may be replaced; `name` is the Downloads default.
    pub fn resolve(&self, name: &str) -> Result<(PathBuf, Existing)> {
        match &self.out {
            Some(path) => Ok((path.clone(), Existing::replace_if(self.force))),
            None => Ok((crate::desk::export_path(name)?, Existing::Refuse)),
        }
    }
}

/// The list of every operation, handed to a macro of the caller's (the desktop shell makes one Tauri command of
/// each): `name: Input` for [`Operation`]s, then those that report progress ([`Reporting`]).
#[macro_export]
macro_rules! operations {
    ($then:ident) => {
        $then! {
            plain: [
                form_options: $crate::ops::requests::GetFormOptions,
                dashboard: $crate::ops::requests::GetDashboard,
            setup_status: $crate::ops::requests::GetSetupStatus,
                list_requests: $crate::ops::requests::ListRequests,
                get_request: $crate::ops::requests::GetRequest,
                add_request: $crate::ops::requests::AddRequest,
                edit_request: $crate::ops::requests::EditRequest,
                change_status: $crate::ops::requests::ChangeStatus,
                add_attachment: $crate::ops::requests::AddAttachment,
                me: $crate::ops::team::GetMe,
                team: $crate::ops::team::GetTeam,
                add_account: $crate::ops::team::AddAccount,
                set_account_role: $crate::ops::team::SetAccountRole,
                set_account_disabled: $crate::ops::team::SetAccountDisabled,
                assign_request: $crate::ops::team::AssignRequest,
                assign_checklist_line: $crate::ops::team::AssignChecklistLine,
                verify_audit: $crate::ops::audit::VerifyAudit,
                register_events: $crate::ops::audit::ListRegisterEvents,
                audit_key_status: $crate::ops::audit::GetAuditKeyStatus,
                set_up_audit_key: $crate::ops::audit::SetUpAuditKey,
                unlock_audit_key: $crate::ops::audit::UnlockAuditKey,
                export_anchor: $crate::ops::audit::ExportAnchor,
                record_fee_paid: $crate::ops::clock::RecordFeePaid,
                pause_clock: $crate::ops::clock::PauseClock,
                resume_clock: $crate::ops::clock::ResumeClock,
                take_extension: $crate::ops::clock::TakeExtension,
                override_due: $crate::ops::clock::OverrideDue,
                calendar_days: $crate::ops::calendar::ListCalendarDays,
                add_non_working_day: $crate::ops::calendar::AddNonWorkingDay,
                remove_non_working_day: $crate::ops::calendar::RemoveNonWorkingDay,
                target_settings: $crate::ops::calendar::GetTargetSettings,
                set_target_days: $crate::ops::calendar::SetTargetDays,
                export_deadlines: $crate::ops::calendar::ExportDeadlines,
                record_identity_check: $crate::ops::identity::RecordIdentityCheck,
                ask_identity: $crate::ops::identity::AskIdentity,
                set_agent: $crate::ops::identity::SetAgent,
                close_unverified: $crate::ops::identity::CloseUnverified,
                purge_evidence: $crate::ops::identity::PurgeEvidence,
                identity_settings: $crate::ops::identity::GetIdentitySettings,
                set_unverified_days: $crate::ops::identity::SetUnverifiedDays,
                set_evidence_days: $crate::ops::identity::SetEvidenceDays,
                read_email: $crate::ops::intake::ReadEmail,
                preview_import: $crate::ops::intake::PreviewImport,
                imports: $crate::ops::intake::ListImports,
                merge_duplicate: $crate::ops::requesters::MergeDuplicate,
                relate_requests: $crate::ops::requesters::RelateRequests,
                requester: $crate::ops::requesters::GetRequester,
                blocked_senders: $crate::ops::requesters::ListBlockedSenders,
                unblock_sender: $crate::ops::requesters::UnblockSender,
                systems: $crate::ops::datamap::ListSystems,
                add_system: $crate::ops::datamap::AddSystem,
                update_system: $crate::ops::datamap::UpdateSystem,
                retire_system: $crate::ops::datamap::RetireSystem,
                tick_checklist: $crate::ops::datamap::TickChecklist,
                refresh_checklist: $crate::ops::datamap::RefreshChecklist,
                organisation: $crate::ops::responses::GetOrganisation,
                set_organisation: $crate::ops::responses::SetOrganisation,
                set_logo: $crate::ops::responses::SetLogo,
                logo: $crate::ops::responses::GetLogo,
                authority_settings: $crate::ops::responses::GetAuthoritySettings,
                set_own_authority: $crate::ops::responses::SetOwnAuthority,
                template_catalogue: $crate::ops::responses::GetTemplateCatalogue,
                save_template: $crate::ops::responses::SaveTemplate,
                copy_language: $crate::ops::responses::CopyLanguage,
                preview_response: $crate::ops::responses::PreviewResponse,
                preview_draft: $crate::ops::responses::PreviewDraft,
                queue_response: $crate::ops::responses::QueueResponse,
                send_data_copy: $crate::ops::responses::SendDataCopy,
                letter_preview: $crate::ops::responses::LetterPreview,
                write_letter: $crate::ops::responses::WriteLetter,
                smtp_settings: $crate::ops::mail::GetSmtpSettings,
                set_smtp_settings: $crate::ops::mail::SetSmtpSettings,
                test_smtp: $crate::ops::mail::TestSmtp,
                outbox: $crate::ops::mail::ListOutbox,
                flush_outbox: $crate::ops::mail::FlushOutbox,
                retry_message: $crate::ops::mail::RetryMessage,
                imap_settings: $crate::ops::mailbox::GetImapSettings,
                set_imap_settings: $crate::ops::mailbox::SetImapSettings,
                fetch_mail: $crate::ops::mailbox::FetchMail,
                intake_tray: $crate::ops::mailbox::IntakeTray,
                show_mail: $crate::ops::mailbox::ShowMail,
                accept_mail: $crate::ops::mailbox::AcceptMail,
                link_mail: $crate::ops::mailbox::LinkMail,
                dismiss_mail: $crate::ops::mailbox::DismissMail,
                mark_mail_spam: $crate::ops::mailbox::MarkMailSpam,
                request_mail: $crate::ops::mailbox::RequestMail,
                conversation_message: $crate::ops::mailbox::ConversationMessage,
                send_answer: $crate::ops::mailbox::SendAnswer,
                metrics: $crate::ops::exports::GetMetrics,
                add_disclosure: $crate::ops::exports::AddDisclosure,
                remove_disclosure: $crate::ops::exports::RemoveDisclosure,
                export_evidence: $crate::ops::exports::ExportEvidence,
                retention: $crate::ops::retention::GetRetention,
                set_retention_months: $crate::ops::retention::SetRetentionMonths,
                purge_expired: $crate::ops::retention::PurgeExpired,
                vault_status: $crate::ops::vault::GetVaultStatus,
                change_passphrase: $crate::ops::vault::ChangePassphrase,
                add_keyring: $crate::ops::vault::AddKeyring,
                remove_keyring: $crate::ops::vault::RemoveKeyring,
                set_lock_minutes: $crate::ops::vault::SetLockMinutes,
                backup_schedule: $crate::ops::backup::GetBackupSchedule,
                set_backup_schedule: $crate::ops::backup::SetBackupSchedule,
            ],
            progress: [
                run_import: $crate::ops::intake::RunImport,
                export_log: $crate::ops::exports::ExportLog,
                export_subject: $crate::ops::exports::ExportSubject,
                create_backup: $crate::ops::backup::CreateBackup,
            ]
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What the window sends cannot name a path to write or read: those come from the command line only.
    #[test]
    fn the_window_cannot_choose_where_files_are_written() {
        let sent = json!({"from": "2026-01-01", "to": "2026-12-31", "format": "csv", "out": "/home/officer/.bashrc", "force": true});
        let op: exports::ExportLog = serde_json::from_value(sent).unwrap();
        assert!(op.save.out.is_none() && !op.save.force);
        let sent = json!({"reference": "RD-2026-0001", "stage": "refusal", "out": "/tmp/x.pdf", "force": true});
        let op: responses::WriteLetter = serde_json::from_value(sent).unwrap();
        assert!(op.out.is_none() && !op.force && !op.to_downloads);
        let sent = json!({"file": {"chosen": "0f"}, "errors": "/tmp/e.csv", "force": true});
        let op: intake::RunImport = serde_json::from_value(sent).unwrap();
        assert!(op.errors.is_none() && !op.force);
        let op: backup::CreateBackup =
            serde_json::from_value(json!({"out": "/tmp/b.rdbackup", "force": true})).unwrap();
        assert!(op.save.out.is_none() && !op.save.force);
        let op: audit::VerifyAudit = serde_json::from_value(json!({"anchor": "/tmp/a.json"})).unwrap();
        assert!(op.anchor.is_none());
        for file in
            [json!({"path": "/etc/passwd"}), json!({"chosen": "0f", "path": "/etc/passwd"}), json!("/etc/passwd")]
        {
            let sent = json!({"reference": "RD-2026-0001", "file": file});
            assert!(serde_json::from_value::<requests::AddAttachment>(sent).is_err());
        }
    }
}
