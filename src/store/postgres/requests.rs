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
    pub(super) fn request(&self, id_or_reference: &str) -> Result<Request> {
        Err(Error::Database("PostgreSQL: request is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn request_ids(&self) -> Result<Vec<String>> {
        Err(Error::Database("PostgreSQL: request_ids is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
        Err(Error::Database("PostgreSQL: open_requests is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        Err(Error::Database("PostgreSQL: next_reference is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        Err(Error::Database("PostgreSQL: insert_request is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn update_request(&self, r: &Request) -> Result<()> {
        Err(Error::Database("PostgreSQL: update_request is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn update_dates(&self, r: &Request) -> Result<()> {
        Err(Error::Database("PostgreSQL: update_dates is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn begin_bulk(&self) -> Result<()> {
        Err(Error::Database("PostgreSQL: begin_bulk is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn end_bulk(&self) -> Result<()> {
        Err(Error::Database("PostgreSQL: end_bulk is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        Err(Error::Database("PostgreSQL: requester_history is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>> {
        Err(Error::Database("PostgreSQL: requests_of_between is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
        Err(Error::Database("PostgreSQL: open_of_kind is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
        Err(Error::Database("PostgreSQL: imported_as is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
        Err(Error::Database("PostgreSQL: requests_to_purge is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
        Err(Error::Database("PostgreSQL: count_to_purge is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn count_purged(&self) -> Result<u64> {
        Err(Error::Database("PostgreSQL: count_purged is not written yet".into()))
    }
}
