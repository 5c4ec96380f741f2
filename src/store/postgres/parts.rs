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
    pub(super) fn setting(&self, key: &str) -> Result<Option<String>> {
        Err(Error::Database("PostgreSQL: setting is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>> {
        Err(Error::Database("PostgreSQL: attachments is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
        Err(Error::Database("PostgreSQL: checklist is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>> {
        Err(Error::Database("PostgreSQL: disclosures is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>> {
        Err(Error::Database("PostgreSQL: identity_checks is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>> {
        Err(Error::Database("PostgreSQL: evidence_to_purge is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn systems(&self) -> Result<Vec<System>> {
        Err(Error::Database("PostgreSQL: systems is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn system(&self, id_or_name: &str) -> Result<Option<System>> {
        Err(Error::Database("PostgreSQL: system is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>> {
        Err(Error::Database("PostgreSQL: imports is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        Err(Error::Database("PostgreSQL: calendar_days is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>> {
        Err(Error::Database("PostgreSQL: calendar_days_by_code is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: set_setting is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn delete_setting(&self, key: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: delete_setting is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_attachment is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: remove_attachment is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn strip_stored_names(&self) -> Result<u64> {
        Err(Error::Database("PostgreSQL: strip_stored_names is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()> {
        Err(Error::Database("PostgreSQL: add_checklist_items is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()> {
        Err(Error::Database("PostgreSQL: update_checklist_item is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_disclosure is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool> {
        Err(Error::Database("PostgreSQL: delete_disclosure is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_identity_check is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()> {
        Err(Error::Database("PostgreSQL: mark_evidence_purged is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_system(&self, s: &System, at: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_system is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn update_system(&self, s: &System, at: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: update_system is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn record_import(&self, r: &ImportRecord) -> Result<()> {
        Err(Error::Database("PostgreSQL: record_import is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn log_calendar_day(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Err(Error::Database("PostgreSQL: log_calendar_day is not written yet".into()))
    }
}
