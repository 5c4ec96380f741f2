//! The privacy mailbox (IMAP): its settings, a pass over it, and the intake tray's decisions.

use serde::Deserialize;

use super::op;
use crate::desk::{ConversationText, FetchReport, ImapSettings, MailView, NewRequest, RequestDetail};
use crate::store::{MailMessage, OutboxItem};

/// The mailbox settings (the password stays in the OS keyring and is never returned).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetImapSettings;
op!(GetImapSettings => ImapSettings, |_, d| d.imap_settings());

/// Save the mailbox settings, and the password when one is given (kept in the OS keyring).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetImapSettings {
    pub settings: ImapSettings,
    #[serde(default)]
    pub password: Option<String>,
}
op!(SetImapSettings => ImapSettings, |i, d| d.set_imap_settings(i.settings, i.password.as_deref()));

/// Take what is new in the mailbox now: replies go to their requests, the rest to the intake tray.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FetchMail;
op!(FetchMail => FetchReport, |_, d| d.fetch_mail());

/// The intake tray: messages from the mailbox waiting for a decision, newest first.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntakeTray {
    /// At most this many (default 200).
    #[arg(long)]
    #[serde(default)]
    pub limit: Option<u32>,
}
op!(IntakeTray => Vec<MailMessage>, |i, d| d.mail_tray(i.limit.unwrap_or(200)));

/// One message of the mailbox, with the request form prefilled from it.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShowMail {
    /// The message's id.
    #[arg(help = "The message's id (`intake list --json`)")]
    pub id: String,
}
op!(ShowMail => MailView, |i, d| d.mail_view(&i.id));

/// Make a request of a message in the tray: the fields given, the rest from the message (sender, the server's date
/// of receipt, text, guessed kind and language; channel email). The message and its files are attached.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AcceptMail {
    pub id: String,
    pub input: NewRequest,
}
op!(AcceptMail => RequestDetail, |i, d| d.accept_mail(&i.id, i.input));

/// Give a message of the tray to an existing request (with its files).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LinkMail {
    /// The message's id.
    #[arg(help = "The message's id (`intake list --json`)")]
    pub id: String,
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
}
op!(LinkMail => RequestDetail, |i, d| d.link_mail(&i.id, &i.reference));

/// Set a message of the tray aside as not a request, saying why; its copy is deleted.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DismissMail {
    /// The message's id.
    #[arg(help = "The message's id (`intake list --json`)")]
    pub id: String,
    /// Why it is not a request (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}
op!(DismissMail => MailMessage, |i, d| d.set_mail_aside(&i.id, false, Some(&i.reason), false));

/// Set a message of the tray aside as spam, blocking its sender on request; its copy is deleted.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MarkMailSpam {
    /// The message's id.
    #[arg(help = "The message's id (`intake list --json`)")]
    pub id: String,
    /// Also block the sender's address: later messages from it go straight to spam.
    #[arg(long)]
    #[serde(default)]
    pub block_sender: bool,
}
op!(MarkMailSpam => MailMessage, |i, d| d.set_mail_aside(&i.id, true, None, i.block_sender));

/// The messages of one request taken from the mailbox, newest first.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestMail {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
}
op!(RequestMail => Vec<MailMessage>, |i, d| d.request_mail(&i.reference));

/// One message of a request's conversation read whole: from the mailbox (its id in `request mail`) or from the
/// outbox (its id in `mail outbox`): addresses, date, text (bounded), and its files with the request's attachments
/// that hold them. A message whose copy was purged or is missing says so.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationMessage {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The message's id.
    pub id: String,
}
op!(ConversationMessage => ConversationText, |i, d| d.conversation_message(&i.reference, &i.id));

/// Queue a written answer to the requester (not a template's), in the thread of the message `reply_to` (a message
/// of the request), else of their newest one. The subject defaults to "Re: " and theirs; the reference is added.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SendAnswer {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    #[arg(
        long = "reply-to",
        value_name = "MAILID",
        help = "Answer this message of the request (its id in `request mail`) instead of the requester's last one"
    )]
    #[serde(default)]
    pub reply_to: Option<String>,
    #[arg(long, help = "The subject (default: Re: and the subject of the message answered)")]
    #[serde(default)]
    pub subject: Option<String>,
    /// The text of the answer (on the command line: `--body` or `--body-stdin`).
    #[arg(skip)]
    pub body: String,
}
op!(SendAnswer => OutboxItem, |i, d| d.send_answer(&i.reference, i.reply_to.as_deref(), i.subject.as_deref(), &i.body));
