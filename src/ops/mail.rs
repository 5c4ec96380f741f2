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
    #[arg(long)]
    #[serde(default)]
    pub to: Option<String>,
}
op!(TestSmtp => String, |i, d| d.test_smtp(i.to.as_deref()));

/// The outbox (of one request, or all): queued, sent and failed messages.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListOutbox {
    #[serde(default)]
    pub reference: Option<String>,
}
op!(ListOutbox => Vec<OutboxItem>, |i, d| d.outbox(i.reference.as_deref()));

/// Deliver what the outbox holds now.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlushOutbox;
op!(FlushOutbox => FlushReport, |_, d| d.flush_outbox());

/// Put a failed message back in the queue.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetryMessage {
    pub id: String,
}
op!(RetryMessage => OutboxItem, |i, d| d.retry_message(&i.id));
