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
    pub(super) fn events(&self, request_id: &Uuid) -> Result<Vec<Event>> {
        Err(Error::Database("PostgreSQL: events is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
        Err(Error::Database("PostgreSQL: chained_events is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn verify_chain(&self) -> Result<ChainWalk> {
        Err(Error::Database("PostgreSQL: verify_chain is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn verify_rows(&self) -> Result<RowsCheck> {
        Err(Error::Database("PostgreSQL: verify_rows is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)> {
        Err(Error::Database("PostgreSQL: verify_chain_and_rows is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn trigger_problems(&self) -> Result<Vec<TriggerProblem>> {
        Err(Error::Database("PostgreSQL: trigger_problems is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        Err(Error::Database("PostgreSQL: checkpoints is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn hash_at(&self, seq: i64) -> Result<HeadAt> {
        Err(Error::Database("PostgreSQL: hash_at is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn events_after(&self, seq: i64) -> Result<u64> {
        Err(Error::Database("PostgreSQL: events_after is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>> {
        Err(Error::Database("PostgreSQL: recent_register_events is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn register_events(&self, kind: &str) -> Result<Vec<String>> {
        Err(Error::Database("PostgreSQL: register_events is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        Err(Error::Database("PostgreSQL: register_event_data is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn chain_head(&self) -> Result<(i64, String, u64)> {
        Err(Error::Database("PostgreSQL: chain_head is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        Err(Error::Database("PostgreSQL: append_event is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn append_register_event(
        &self,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        Err(Error::Database("PostgreSQL: append_register_event is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_checkpoint is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn restore_triggers(&self) -> Result<Vec<TriggerProblem>> {
        Err(Error::Database("PostgreSQL: restore_triggers is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn purge_request(&self, id: &str, at: &str) -> Result<Purged> {
        Err(Error::Database("PostgreSQL: purge_request is not written yet".into()))
    }
}
