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
    pub(super) fn list(&self, q: &Query) -> Result<Page<RequestRow>> {
        Err(Error::Database("PostgreSQL: list is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn count(&self, q: &Query) -> Result<u64> {
        Err(Error::Database("PostgreSQL: count is not written yet".into()))
    }
}
