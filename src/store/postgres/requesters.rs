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
    pub(super) fn requester(&self, id: &str) -> Result<Option<RequesterRecord>> {
        Err(Error::Database("PostgreSQL: requester is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn links(&self, request_id: &str) -> Result<Vec<RequestLink>> {
        Err(Error::Database("PostgreSQL: links is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>> {
        Err(Error::Database("PostgreSQL: blocked_sender is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
        Err(Error::Database("PostgreSQL: blocked_senders is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn resolve_requester(&self, r: &Request, now: &str) -> Result<String> {
        Err(Error::Database("PostgreSQL: resolve_requester is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: forget_requester_if_unused is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Err(Error::Database("PostgreSQL: set_link is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn remove_link(&self, a: &str, b: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: remove_link is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn remove_duplicate_links(&self, request_id: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: remove_duplicate_links is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()> {
        Err(Error::Database("PostgreSQL: block_sender is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn unblock_sender(&self, email: &str) -> Result<bool> {
        Err(Error::Database("PostgreSQL: unblock_sender is not written yet".into()))
    }
}
