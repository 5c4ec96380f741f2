//! The store's traits mapped onto [`Pg`]'s inherent methods (in the files beside this one), one line a method.

use std::collections::HashMap;

use time::Date;
use uuid::Uuid;

use super::Pg;
use crate::domain::{Evidence, IdentityCheck, Request, RequestKind};
use crate::error::Result;
use crate::store::{
    Account, Attachment, BlockedSender, CalendarDay, ChainWalk, ChainedEvent, ChecklistItem, DefaultTemplate,
    Disclosure, Event, HeadAt, ImportRecord, LogRecord, MailMessage, MetricRecord, NewLogin, OutboxItem, OwnerCount,
    Page, Purged, Query, RequestLink, RequestRow, RequesterRecord, RowsCheck, StoredCheckpoint, System, TemplateRow,
    TriggerProblem,
};

impl crate::store::Read for Pg<'_> {
    fn request(&self, id_or_reference: &str) -> Result<Request> {
        Pg::request(self, id_or_reference)
    }

    fn list(&self, q: &Query) -> Result<Page<RequestRow>> {
        Pg::list(self, q)
    }

    fn count(&self, q: &Query) -> Result<u64> {
        Pg::count(self, q)
    }

    fn request_ids(&self) -> Result<Vec<String>> {
        Pg::request_ids(self)
    }

    fn open_requests(&self, calendar: Option<&str>, after: i64, limit: u32) -> Result<Vec<(i64, Request)>> {
        Pg::open_requests(self, calendar, after, limit)
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        Pg::setting(self, key)
    }

    fn events(&self, request_id: &Uuid) -> Result<Vec<Event>> {
        Pg::events(self, request_id)
    }

    fn chained_events(&self, request_id: &Uuid) -> Result<Vec<ChainedEvent>> {
        Pg::chained_events(self, request_id)
    }

    fn verify_chain(&self) -> Result<ChainWalk> {
        Pg::verify_chain(self)
    }

    fn verify_rows(&self) -> Result<RowsCheck> {
        Pg::verify_rows(self)
    }

    fn verify_chain_and_rows(&self) -> Result<(ChainWalk, RowsCheck)> {
        Pg::verify_chain_and_rows(self)
    }

    fn trigger_problems(&self) -> Result<Vec<TriggerProblem>> {
        Pg::trigger_problems(self)
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        Pg::checkpoints(self)
    }

    fn hash_at(&self, seq: i64) -> Result<HeadAt> {
        Pg::hash_at(self, seq)
    }

    fn events_after(&self, seq: i64) -> Result<u64> {
        Pg::events_after(self, seq)
    }

    fn recent_register_events(&self, limit: u32) -> Result<Vec<Event>> {
        Pg::recent_register_events(self, limit)
    }

    fn register_events(&self, kind: &str) -> Result<Vec<String>> {
        Pg::register_events(self, kind)
    }

    fn register_event_data(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        Pg::register_event_data(self, kind)
    }

    fn chain_head(&self) -> Result<(i64, String, u64)> {
        Pg::chain_head(self)
    }

    fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>> {
        Pg::attachments(self, request_id)
    }

    fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
        Pg::checklist(self, request_id)
    }

    fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>> {
        Pg::disclosures(self, request_id)
    }

    fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>> {
        Pg::identity_checks(self, request_id)
    }

    fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>> {
        Pg::evidence_to_purge(self, closed_by, request)
    }

    fn requester(&self, id: &str) -> Result<Option<RequesterRecord>> {
        Pg::requester(self, id)
    }

    fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        Pg::requester_history(self, requester_id, limit)
    }

    fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>> {
        Pg::requests_of_between(self, requester_id, since, until, except)
    }

    fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
        Pg::open_of_kind(self, requester_id, kind, except)
    }

    fn links(&self, request_id: &str) -> Result<Vec<RequestLink>> {
        Pg::links(self, request_id)
    }

    fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>> {
        Pg::blocked_sender(self, email)
    }

    fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
        Pg::blocked_senders(self)
    }

    fn systems(&self) -> Result<Vec<System>> {
        Pg::systems(self)
    }

    fn system(&self, id_or_name: &str) -> Result<Option<System>> {
        Pg::system(self, id_or_name)
    }

    fn templates(&self) -> Result<Vec<TemplateRow>> {
        Pg::templates(self)
    }

    fn template(&self, stage: &str, kind: &str, lang: &str) -> Result<Option<TemplateRow>> {
        Pg::template(self, stage, kind, lang)
    }

    fn due_messages(&self, now: &str, every_queued: bool, limit: u32) -> Result<Vec<OutboxItem>> {
        Pg::due_messages(self, now, every_queued, limit)
    }

    fn pending_sent_copies(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        Pg::pending_sent_copies(self, limit)
    }

    fn outbox(&self, request_id: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        Pg::outbox(self, request_id, limit)
    }

    fn outbox_item(&self, id: &str) -> Result<Option<OutboxItem>> {
        Pg::outbox_item(self, id)
    }

    fn message_eml(&self, id: &str) -> Result<Vec<u8>> {
        Pg::message_eml(self, id)
    }

    fn message_kept(&self, id: &str) -> Result<Option<Vec<u8>>> {
        Pg::message_kept(self, id)
    }

    fn undelivered(&self) -> Result<u64> {
        Pg::undelivered(self)
    }

    fn mail_message(&self, id: &str) -> Result<Option<MailMessage>> {
        Pg::mail_message(self, id)
    }

    fn mail_messages(&self, state: Option<&str>, request_id: Option<&str>, limit: u32) -> Result<Vec<MailMessage>> {
        Pg::mail_messages(self, state, request_id, limit)
    }

    fn mail_count(&self, state: &str) -> Result<u64> {
        Pg::mail_count(self, state)
    }

    fn mail_last_uid(&self, folder: &str, uidvalidity: u32) -> Result<u32> {
        Pg::mail_last_uid(self, folder, uidvalidity)
    }

    fn mail_taken(&self, folder: &str, uidvalidity: u32, uid: u32) -> Result<bool> {
        Pg::mail_taken(self, folder, uidvalidity, uid)
    }

    fn mail_not_done(&self, folder: &str, uidvalidity: u32) -> Result<Vec<(String, u32)>> {
        Pg::mail_not_done(self, folder, uidvalidity)
    }

    fn request_of_message_ids(&self, ids: &[String]) -> Result<Option<String>> {
        Pg::request_of_message_ids(self, ids)
    }

    fn imported_as(&self, import_key: &str) -> Result<Option<String>> {
        Pg::imported_as(self, import_key)
    }

    fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>> {
        Pg::imports(self, limit)
    }

    fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        Pg::calendar_days(self)
    }

    fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>> {
        Pg::calendar_days_by_code(self)
    }

    fn each_log_record(&self, from: Date, to: Date, each: &mut dyn FnMut(LogRecord) -> Result<()>) -> Result<u64> {
        Pg::each_log_record(self, from, to, each)
    }

    fn each_metric_record(
        &self,
        from: Date,
        to: Date,
        regime: Option<&str>,
        each: &mut dyn FnMut(MetricRecord),
    ) -> Result<()> {
        Pg::each_metric_record(self, from, to, regime, each)
    }

    fn requests_to_purge(&self, cutoff: &str, limit: u32) -> Result<Vec<String>> {
        Pg::requests_to_purge(self, cutoff, limit)
    }

    fn count_to_purge(&self, cutoff: &str) -> Result<u64> {
        Pg::count_to_purge(self, cutoff)
    }

    fn count_purged(&self) -> Result<u64> {
        Pg::count_purged(self)
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        Pg::accounts(self)
    }

    fn owner_counts(&self, today: &str) -> Result<Vec<OwnerCount>> {
        Pg::owner_counts(self, today)
    }
}

impl crate::store::Write for Pg<'_> {
    fn begin_bulk(&self) -> Result<()> {
        Pg::begin_bulk(self)
    }

    fn end_bulk(&self) -> Result<()> {
        Pg::end_bulk(self)
    }

    fn next_reference(&self, year: i32) -> Result<(i64, String)> {
        Pg::next_reference(self, year)
    }

    fn insert_request(&self, r: &Request, ref_seq: i64, import_key: Option<&str>) -> Result<()> {
        Pg::insert_request(self, r, ref_seq, import_key)
    }

    fn update_request(&self, r: &Request) -> Result<()> {
        Pg::update_request(self, r)
    }

    fn update_dates(&self, r: &Request) -> Result<()> {
        Pg::update_dates(self, r)
    }

    fn add_account(&self, account: &Account, login: NewLogin<'_>) -> Result<()> {
        Pg::add_account(self, account, login)
    }

    fn change_account(&self, before: &Account, after: &Account) -> Result<()> {
        Pg::change_account(self, before, after)
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        Pg::set_setting(self, key, value)
    }

    fn delete_setting(&self, key: &str) -> Result<()> {
        Pg::delete_setting(self, key)
    }

    fn append_event(
        &self,
        request_id: &Uuid,
        at: &str,
        actor: &str,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Event> {
        Pg::append_event(self, request_id, at, actor, kind, data)
    }

    fn append_register_event(&self, at: &str, actor: &str, kind: &str, data: &serde_json::Value) -> Result<Event> {
        Pg::append_register_event(self, at, actor, kind, data)
    }

    fn insert_checkpoint(&self, at: &str, reason: &str, body: &str, signature: &str) -> Result<()> {
        Pg::insert_checkpoint(self, at, reason, body, signature)
    }

    fn restore_triggers(&self) -> Result<Vec<TriggerProblem>> {
        Pg::restore_triggers(self)
    }

    fn purge_request(&self, id: &str, at: &str) -> Result<Purged> {
        Pg::purge_request(self, id, at)
    }

    fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()> {
        Pg::insert_attachment(self, request_id, a)
    }

    fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()> {
        Pg::remove_attachment(self, request_id, id)
    }

    fn strip_stored_names(&self) -> Result<u64> {
        Pg::strip_stored_names(self)
    }

    fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()> {
        Pg::add_checklist_items(self, request_id, items)
    }

    fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()> {
        Pg::update_checklist_item(self, i)
    }

    fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()> {
        Pg::insert_disclosure(self, request_id, d)
    }

    fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool> {
        Pg::delete_disclosure(self, request_id, id)
    }

    fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()> {
        Pg::insert_identity_check(self, request_id, c)
    }

    fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()> {
        Pg::mark_evidence_purged(self, evidence_id, on)
    }

    fn resolve_requester(&self, r: &Request, now: &str) -> Result<String> {
        Pg::resolve_requester(self, r, now)
    }

    fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()> {
        Pg::forget_requester_if_unused(self, requester_id)
    }

    fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Pg::set_link(self, request_id, other_id, relation, note, at, actor)
    }

    fn remove_link(&self, a: &str, b: &str) -> Result<()> {
        Pg::remove_link(self, a, b)
    }

    fn remove_duplicate_links(&self, request_id: &str) -> Result<()> {
        Pg::remove_duplicate_links(self, request_id)
    }

    fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()> {
        Pg::block_sender(self, email, reason, at, actor)
    }

    fn unblock_sender(&self, email: &str) -> Result<bool> {
        Pg::unblock_sender(self, email)
    }

    fn insert_system(&self, s: &System, at: &str) -> Result<()> {
        Pg::insert_system(self, s, at)
    }

    fn update_system(&self, s: &System, at: &str) -> Result<()> {
        Pg::update_system(self, s, at)
    }

    fn seed_templates(&self, defaults: &[DefaultTemplate], at: &str) -> Result<()> {
        Pg::seed_templates(self, defaults, at)
    }

    fn save_template(&self, t: &TemplateRow) -> Result<()> {
        Pg::save_template(self, t)
    }

    fn queue_message(&self, item: &OutboxItem, eml: &[u8], kept: Option<&[u8]>) -> Result<()> {
        Pg::queue_message(self, item, eml, kept)
    }

    fn keep_delivered_copy(&self, id: &str) -> Result<bool> {
        Pg::keep_delivered_copy(self, id)
    }

    fn claim_message(&self, id: &str, now: &str, until: &str) -> Result<bool> {
        Pg::claim_message(self, id, now, until)
    }

    fn set_sent_copy(&self, id: &str, state: &str, error: Option<&str>) -> Result<()> {
        Pg::set_sent_copy(self, id, state, error)
    }

    fn finish_message(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: &str,
        last_error: Option<&str>,
        sent_at: Option<&str>,
    ) -> Result<()> {
        Pg::finish_message(self, id, state, next_attempt_at, last_error, sent_at)
    }

    fn record_import(&self, r: &ImportRecord) -> Result<()> {
        Pg::record_import(self, r)
    }

    fn insert_mail_message(&self, m: &MailMessage) -> Result<()> {
        Pg::insert_mail_message(self, m)
    }

    fn decide_mail(
        &self,
        id: &str,
        state: &str,
        request_id: Option<&str>,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Pg::decide_mail(self, id, state, request_id, reason, at, actor)
    }

    fn mark_mail_done(&self, id: &str) -> Result<()> {
        Pg::mark_mail_done(self, id)
    }

    fn forget_set_aside_mail(&self, cutoff: &str) -> Result<u64> {
        Pg::forget_set_aside_mail(self, cutoff)
    }

    fn log_calendar_day(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        Pg::log_calendar_day(self, calendar, day, label, added, reason, at, actor)
    }
}
