//! Email: the SMTP server, its test, the outbox and its delivery.

use serde::Deserialize;

use super::op;
use crate::desk::{FlushReport, SmtpSettings};
use crate::store::OutboxItem;

/// The SMTP server settings (the password stays in the OS keyring and is never returned).
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetSmtpSettings;
op!(GetSmtpSettings => SmtpSettings, |_, d| d.smtp_settings());

/// Save the SMTP server settings, and the password when one is given.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetSmtpSettings {
    pub settings: SmtpSettings,
    #[serde(default)]
    pub password: Option<String>,
}
op!(SetSmtpSettings => SmtpSettings, |i, d| d.set_smtp_settings(i.settings, i.password.as_deref()));

/// Check DNS, TCP, TLS and login in turn; with `to`, also send a test message.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TestSmtp {
    /// Also send a test message to this address.
    #[arg(long, value_name = "ADDRESS")]
    #[serde(default)]
    pub to: Option<String>,
}
op!(TestSmtp => String, |i, d| d.test_smtp(i.to.as_deref()));

/// The outbox (of one request, or all): queued, sent and failed messages.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListOutbox {
    /// Only this request's messages: its reference (RD-2026-0042) or id.
    #[serde(default)]
    pub reference: Option<String>,
}
op!(ListOutbox => Vec<OutboxItem>, |i, d| d.outbox(i.reference.as_deref()));

/// Deliver every undelivered message now, back-off or not, as Postfix's `postqueue -f` (the officer's flush), and put
/// the Sent copies still missing in the mailbox. With `due_only`, only what is due, keeping the back-off of
/// messages that failed for now, as the window's background delivery does (a scheduled job's choice).
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlushOutbox {
    #[arg(long = "due-only", help = "Only what is due: a message that failed for now waits out its back-off")]
    #[serde(default)]
    pub due_only: bool,
}
op!(FlushOutbox => FlushReport, |i, d| if i.due_only { d.flush_outbox() } else { d.flush_outbox_now() });

/// Put a failed message back in the queue.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetryMessage {
    /// The outbox message's id.
    #[arg(help = "The message's id (`mail outbox --json`)")]
    pub id: String,
}
op!(RetryMessage => OutboxItem, |i, d| d.retry_message(&i.id));
