//! A request's parts (attachments, checklist, disclosures, identity checks and evidence), the data map, settings,
//! import runs and the calendar's declared days (SQLite: the files of the same names in `store/`, whose row
//! constructors these share).

use std::collections::HashMap;

use time::Date;
use uuid::Uuid;

use super::Pg;
use crate::dates;
use crate::domain::{Evidence, IdentityCheck};
use crate::error::{Error, Result};
use crate::store::attachments::{BARE_PATH, attachment_in_use, to_attachment};
use crate::store::calendar_days::{by_code, to_calendar_day};
use crate::store::checklist::{ITEM_COLUMNS, SYSTEM_COLUMNS, name_taken, to_item, to_system};
use crate::store::disclosures::to_disclosure;
use crate::store::identity::{CHECK_COLUMNS, EVIDENCE_COLUMNS, attach_evidence, to_check, to_evidence};
use crate::store::imports::{IMPORT_COLUMNS, to_import};
use crate::store::{Attachment, CalendarDay, ChecklistItem, Disclosure, ImportRecord, System};

impl Pg<'_> {
    // --- settings

    pub(super) fn setting(&self, key: &str) -> Result<Option<String>> {
        self.optional("SELECT value FROM settings WHERE key = $1", &[&key])?.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    pub(super) fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )?;
        Ok(())
    }

    pub(super) fn delete_setting(&self, key: &str) -> Result<()> {
        self.execute("DELETE FROM settings WHERE key = $1", &[&key])?;
        Ok(())
    }

    // --- attachments

    pub(super) fn attachments(&self, request_id: &Uuid) -> Result<Vec<Attachment>> {
        self.rows(
            "SELECT id, file_name, stored_name, sha256, size, added_at FROM attachments WHERE request_id = $1
             ORDER BY added_at, id",
            &[&request_id.to_string()],
        )?
        .iter()
        .map(to_attachment)
        .collect()
    }

    pub(super) fn insert_attachment(&self, request_id: &Uuid, a: &Attachment) -> Result<()> {
        self.execute(
            "INSERT INTO attachments (id, request_id, file_name, stored_name, sha256, size, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&a.id, &request_id.to_string(), &a.file_name, &a.stored_name, &a.sha256, &a.size, &a.added_at],
        )?;
        Ok(())
    }

    pub(super) fn remove_attachment(&self, request_id: &Uuid, id: &str) -> Result<()> {
        let used = self.optional(
            "SELECT 'an item of the answer to the requester (' || category || ')' FROM disclosures
             WHERE attachment_id = $1
             UNION ALL SELECT 'the proof of the checklist''s step for ' || system_name FROM checklist_items
             WHERE proof_id = $1
             LIMIT 1",
            &[&id],
        )?;
        if let Some(row) = used {
            return Err(attachment_in_use(&row.try_get::<_, String>(0)?));
        }
        let removed =
            self.execute("DELETE FROM attachments WHERE id = $1 AND request_id = $2", &[&id, &request_id.to_string()])?;
        if removed == 0 {
            return Err(Error::not_found("attachment", id));
        }
        Ok(())
    }

    pub(super) fn strip_stored_names(&self) -> Result<u64> {
        let mut changed = 0;
        for table in ["attachments", "evidence"] {
            changed += self.execute(
                &format!(
                    "UPDATE {table} SET stored_name = substr(stored_name, 1, $1::bigint::int) WHERE length(stored_name) > $1::bigint"
                ),
                &[&BARE_PATH],
            )?;
        }
        Ok(changed)
    }

    // --- the data map and checklists

    pub(super) fn systems(&self) -> Result<Vec<System>> {
        let sql = format!("SELECT {SYSTEM_COLUMNS} FROM systems ORDER BY retired_at IS NOT NULL, lower(name)");
        self.rows(&sql, &[])?.iter().map(to_system).collect()
    }

    pub(super) fn system(&self, id_or_name: &str) -> Result<Option<System>> {
        let sql = format!(
            "SELECT {SYSTEM_COLUMNS} FROM systems WHERE id = $1 OR lower(name) = lower($1)
             ORDER BY retired_at IS NOT NULL LIMIT 1"
        );
        self.optional(&sql, &[&id_or_name.trim()])?.map(|r| to_system(&r)).transpose()
    }

    pub(super) fn insert_system(&self, s: &System, at: &str) -> Result<()> {
        let sql = format!(
            "INSERT INTO systems ({SYSTEM_COLUMNS}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $6)"
        );
        match self.execute(&sql, &[&s.id, &s.name, &s.owner, &s.holds, &i64::from(s.is_backup), &at]) {
            Err(Error::Constraint(_)) => Err(name_taken(&s.name)),
            other => other.map(|_| ()),
        }
    }

    pub(super) fn update_system(&self, s: &System, at: &str) -> Result<()> {
        self.execute(
            "UPDATE systems SET owner = $2, holds = $3, is_backup = $4, retired_at = $5, updated_at = $6 WHERE id = $1",
            &[&s.id, &s.owner, &s.holds, &i64::from(s.is_backup), &s.retired_at, &at],
        )?;
        Ok(())
    }

    pub(super) fn checklist(&self, request_id: &str) -> Result<Vec<ChecklistItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE request_id = $1 ORDER BY is_backup, lower(system_name)"
        );
        self.rows(&sql, &[&request_id])?.iter().map(to_item).collect()
    }

    pub(super) fn add_checklist_items(&self, request_id: &str, items: &[ChecklistItem]) -> Result<()> {
        let sql = format!(
            "INSERT INTO checklist_items (request_id, {ITEM_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, 'open', NULL, NULL, NULL, NULL, NULL)
             ON CONFLICT (request_id, system_id) DO NOTHING"
        );
        let backups: Vec<i64> = items.iter().map(|i| i64::from(i.is_backup)).collect();
        let rows: Vec<Vec<&(dyn postgres::types::ToSql + Sync)>> = items
            .iter()
            .zip(&backups)
            .map(|(i, backup)| {
                vec![&request_id as _, &i.id as _, &i.system_id as _, &i.system_name as _, backup as _, &i.action as _]
            })
            .collect();
        self.execute_each(&sql, &rows)?;
        Ok(())
    }

    pub(super) fn update_checklist_item(&self, i: &ChecklistItem) -> Result<()> {
        self.execute(
            "UPDATE checklist_items SET state = $2, note = $3, proof_id = $4, done_by = $5, done_at = $6, assignee = $7
             WHERE id = $1",
            &[&i.id, &i.state, &i.note, &i.proof_id, &i.done_by, &i.done_at, &i.assignee],
        )?;
        Ok(())
    }

    // --- what is gathered for an answer

    pub(super) fn disclosures(&self, request_id: &str) -> Result<Vec<Disclosure>> {
        self.rows(
            "SELECT d.id, d.system_id, d.system_name, d.category, d.label, d.value, d.attachment_id, a.file_name,
                    a.size, a.stored_name, a.sha256, d.provided, d.added_at
             FROM disclosures d LEFT JOIN attachments a ON a.id = d.attachment_id
             WHERE d.request_id = $1
             ORDER BY lower(d.system_name), lower(d.category), d.added_at, d.id",
            &[&request_id],
        )?
        .iter()
        .map(to_disclosure)
        .collect()
    }

    pub(super) fn insert_disclosure(&self, request_id: &str, d: &Disclosure) -> Result<()> {
        self.execute(
            "INSERT INTO disclosures (id, request_id, system_id, system_name, category, label, value, attachment_id,
                                      provided, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &d.id,
                &request_id,
                &d.system_id,
                &d.system_name,
                &d.category,
                &d.label,
                &d.value,
                &d.attachment_id,
                &i64::from(d.provided),
                &d.added_at,
            ],
        )?;
        Ok(())
    }

    pub(super) fn delete_disclosure(&self, request_id: &str, id: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM disclosures WHERE request_id = $1 AND id = $2", &[&request_id, &id])? == 1)
    }

    // --- identity checks and their evidence

    pub(super) fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>> {
        let id = request_id.to_string();
        let sql = format!("SELECT {CHECK_COLUMNS} FROM identity_checks WHERE request_id = $1 ORDER BY recorded_at, id");
        let mut checks = self.rows(&sql, &[&id])?.iter().map(to_check).collect::<Result<Vec<_>>>()?;
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE request_id = $1 ORDER BY added_at, id");
        let evidence = self.rows(&sql, &[&id])?.iter().map(to_evidence).collect::<Result<Vec<_>>>()?;
        attach_evidence(&mut checks, evidence.into_iter().map(|(_, e)| e));
        Ok(checks)
    }

    pub(super) fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>> {
        let cols = EVIDENCE_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
        let rows = match request {
            Some(id) => self.rows(
                &format!(
                    "SELECT {cols} FROM evidence e JOIN requests r ON r.id = e.request_id
                     WHERE e.purged_on IS NULL AND r.id = $1 AND r.is_open = 0 ORDER BY e.request_id, e.added_at"
                ),
                &[&id.to_string()],
            )?,
            // Closed on `closed_by` or earlier: before the start of the next day.
            None => self.rows(
                &format!(
                    "SELECT {cols} FROM requests r JOIN evidence e ON e.request_id = r.id
                     WHERE r.closed_at IS NOT NULL AND r.closed_at < $1 AND r.is_open = 0 AND e.purged_on IS NULL
                     ORDER BY e.request_id, e.added_at"
                ),
                &[&dates::fmt(closed_by.next_day().unwrap_or(closed_by))],
            )?,
        };
        rows.iter().map(to_evidence).collect()
    }

    pub(super) fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()> {
        let request = request_id.to_string();
        self.execute(
            "INSERT INTO identity_checks (id, request_id, party, method, outcome, checked_on, note, recorded_at, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &c.id,
                &request,
                &c.party.id(),
                &c.method.id(),
                &c.outcome.id(),
                &dates::fmt(c.checked_on),
                &c.note,
                &c.recorded_at,
                &c.actor,
            ],
        )?;
        let sql = format!("INSERT INTO evidence ({EVIDENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)");
        for e in &c.evidence {
            self.execute(
                &sql,
                &[&e.id, &request, &c.id, &e.file_name, &e.stored_name, &e.sha256, &e.size, &e.added_at],
            )?;
        }
        Ok(())
    }

    pub(super) fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()> {
        self.execute(
            "UPDATE evidence SET purged_on = $2 WHERE id = $1 AND purged_on IS NULL",
            &[&evidence_id, &dates::fmt(on)],
        )?;
        Ok(())
    }

    // --- import runs

    pub(super) fn imports(&self, limit: u32) -> Result<Vec<ImportRecord>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY at DESC, id DESC LIMIT $1");
        self.rows(&sql, &[&i64::from(limit)])?.iter().map(to_import).collect()
    }

    pub(super) fn record_import(&self, r: &ImportRecord) -> Result<()> {
        let sql = format!("INSERT INTO imports ({IMPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        self.execute(
            &sql,
            &[&r.id, &r.file_name, &r.sha256, &r.at, &r.actor, &r.rows, &r.imported, &r.duplicates, &r.errors],
        )?;
        Ok(())
    }

    // --- the calendar's declared days

    pub(super) fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        self.rows(
            "SELECT c.calendar, c.day, c.label, c.at, c.actor FROM calendar_days c
             WHERE c.action = 'added'
               AND c.id = (SELECT max(id) FROM calendar_days l WHERE l.calendar = c.calendar AND l.day = c.day)
             ORDER BY c.calendar, c.day",
            &[],
        )?
        .iter()
        .map(to_calendar_day)
        .collect()
    }

    pub(super) fn calendar_days_by_code(&self) -> Result<HashMap<String, Vec<(Date, String)>>> {
        Ok(by_code(self.calendar_days()?))
    }

    #[allow(clippy::too_many_arguments)]
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
        self.execute(
            "INSERT INTO calendar_days (calendar, day, label, action, reason, at, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&calendar, &dates::fmt(day), &label, &if added { "added" } else { "removed" }, &reason, &at, &actor],
        )?;
        Ok(())
    }
}
