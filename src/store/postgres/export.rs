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
    pub(super) fn each_log_record(
        &self,
        from: Date,
        to: Date,
        each: &mut dyn FnMut(LogRecord) -> Result<()>,
    ) -> Result<u64> {
        Err(Error::Database("PostgreSQL: each_log_record is not written yet".into()))
    }

    #[allow(unused_variables)]
    pub(super) fn each_metric_record(
        &self,
        from: Date,
        to: Date,
        regime: Option<&str>,
        each: &mut dyn FnMut(MetricRecord),
    ) -> Result<()> {
        Err(Error::Database("PostgreSQL: each_metric_record is not written yet".into()))
    }
}
