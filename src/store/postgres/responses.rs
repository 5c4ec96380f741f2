#![allow(unused_imports)]
use std::collections::HashMap;

use time::Date;
use uuid::Uuid;

use crate::domain::{Evidence, IdentityCheck, Request, RequestKind};
use crate::store::{
    Attachment, BlockedSender, CalendarDay, ChainWalk, ChainedEvent, ChecklistItem, DefaultTemplate, Disclosure, Event,
    HeadAt, ImportRecord, LogRecord, MailMessage, MetricRecord, OutboxItem, Page, Purged, Query, RequestLink,
    RequestRow, RequesterRecord, RowsCheck, StoredCheckpoint, System, TemplateRow, TriggerProblem,
};

use super::Pg;
use crate::error::{Error, Result};

impl Pg<'_> {
    #[allow(unused_variables)]
    pub(super) fn templates(&self) -> Result<Vec<TemplateRow>> {
        Err(Error::Database("PostgreSQL: templates is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>> {
        Err(Error::Database("PostgreSQL: template is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>> {
        Err(Error::Database("PostgreSQL: due_messages is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        Err(Error::Database("PostgreSQL: pending_sent_copies is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        Err(Error::Database("PostgreSQL: outbox is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        Err(Error::Database("PostgreSQL: outbox_item is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn message_eml(&self, id: &str) -> Result<Vec<u8>> {
        Err(Error::Database("PostgreSQL: message_eml is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>> {
        Err(Error::Database("PostgreSQL: message_kept is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn undelivered(&self) -> Result<u64> {
        Err(Error::Database("PostgreSQL: undelivered is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_message(&self, id: &str) -> Result<Option<MailMessage>> {
        Err(Error::Database("PostgreSQL: mail_message is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_messages(
        &self,
        state: Option<&str>,
        request_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<MailMessage>> {
        Err(Error::Database("PostgreSQL: mail_messages is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_count(&self, state: &str) -> Result<u64> {
        Err(Error::Database("PostgreSQL: mail_count is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32> {
        Err(Error::Database("PostgreSQL: mail_last_uid is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool> {
        Err(Error::Database("PostgreSQL: mail_taken is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>> {
        Err(Error::Database("PostgreSQL: mail_not_done is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>> {
        Err(Error::Database("PostgreSQL: request_of_message_ids is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: seed_templates is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn save_template(&self, t: &TemplateRow) -> Result<()> {
        Err(Error::Database("PostgreSQL: save_template is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()> {
        Err(Error::Database("PostgreSQL: queue_message is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn keep_delivered_copy(&self, id: &str) -> Result<bool> {
        Err(Error::Database("PostgreSQL: keep_delivered_copy is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn claim_message(&self, id: &str) -> Result<bool> {
        Err(Error::Database("PostgreSQL: claim_message is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()> {
        Err(Error::Database("PostgreSQL: set_sent_copy is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()> {
        Err(Error::Database("PostgreSQL: finish_message is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_mail_message(&self, m: &MailMessage) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_mail_message is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Err(Error::Database("PostgreSQL: decide_mail is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mark_mail_done(&self, id: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: mark_mail_done is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64> {
        Err(Error::Database("PostgreSQL: forget_set_aside_mail is not written yet".into()))
    }
}
