//! The work on a request: the data map (the organisation's systems, their owner and what they hold) and, per
//! request, a checklist over it. Each system is searched / exported / rectified / erased — or explained (not
//! applicable, or a backup put beyond use until it expires) — by whom, when, with a note and optional proof. A
//! request cannot be answered as fulfilled while a system is neither done nor explained.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::{Desk, RequestDetail};
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{Request, RequestKind};
use crate::error::{Error, Result};
use crate::store::{self, ChecklistItem, System};

/// A system as typed into the data map.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[derive(clap::Args)]
pub struct SystemInput {
    /// The system's name, as checklists show it (e.g. "CRM", "Payroll").
    #[arg(long)]
    pub name: String,
    #[arg(long, help = "Who answers for it (team or person)")]
    pub owner: String,
    #[arg(long, help = "What personal data it holds")]
    pub holds: String,
    #[arg(long = "backup", help = "A backup: an erasure may put the data beyond use there until the backup expires")]
    pub is_backup: bool,
}

/// What a kind of request needs done in each system, in words.
pub fn action_for(kind: RequestKind) -> &'static str {
    use RequestKind::*;
    match kind {
        Access => "Search and export",
        Portability => "Export the data provided",
        Rectification => "Rectify",
        Erasure => "Erase",
        Restriction => "Restrict processing",
        Objection => "Stop the processing objected to",
        OptOutSaleSharing => "Stop sale and sharing",
        OptOutMarketing => "Stop direct marketing",
        OptOutProfiling => "Stop profiling",
        LimitSensitive => "Limit use of sensitive data",
        Appeal => "Review the decision",
    }
}

const STATES: &[&str] = &["open", "done", "not-applicable", "beyond-use"];

fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, format!("the {} is required", field.replace('_', " "))));
    }
    super::check_len(field, v, max)?;
    Ok(v.to_string())
}

impl Desk {
    pub fn systems(&self) -> Result<Vec<System>> {
        self.store.read(|r| r.systems())
    }

    pub fn add_system(&self, input: SystemInput) -> Result<System> {
        let system = System {
            id: uuid::Uuid::now_v7().to_string(),
            name: text("name", &input.name, 100)?,
            owner: text("owner", &input.owner, 200)?,
            holds: text("holds", &input.holds, 2_000)?,
            is_backup: input.is_backup,
            retired_at: None,
        };
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            tx.insert_system(&system, &at)?;
            let added = ev::SystemAdded {
                id: system.id.clone(),
                name: system.name.clone(),
                owner: system.owner.clone(),
                holds: system.holds.clone(),
                is_backup: system.is_backup,
            };
            self.append_setting_event(tx, &AuditEvent::SystemAdded(added))
        })?;
        Ok(system)
    }

    /// Change a system's owner, contents or backup flag (the name stays: checklists refer to it).
    pub fn update_system(&self, id_or_name: &str, input: SystemInput) -> Result<System> {
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            let mut s = tx.system(id_or_name)?.ok_or_else(|| Error::not_found("system", id_or_name))?;
            let before = s.clone();
            s.owner = text("owner", &input.owner, 200)?;
            s.holds = text("holds", &input.holds, 2_000)?;
            s.is_backup = input.is_backup;
            tx.update_system(&s, &at)?;
            let mut changed = std::collections::BTreeMap::new();
            let mut note = |field: &str, before: serde_json::Value, after: serde_json::Value| {
                if before != after {
                    changed.insert(field.to_string(), ev::Change { before, after });
                }
            };
            note("owner", before.owner.into(), s.owner.clone().into());
            note("holds", before.holds.into(), s.holds.clone().into());
            note("is_backup", before.is_backup.into(), s.is_backup.into());
            if !changed.is_empty() {
                let updated = ev::SystemUpdated { id: s.id.clone(), name: s.name.clone(), changed };
                self.append_setting_event(tx, &AuditEvent::SystemUpdated(updated))?;
            }
            Ok(s)
        })
    }

    /// Take a system off new checklists (existing checklists keep it).
    pub fn retire_system(&self, id_or_name: &str) -> Result<System> {
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            let mut s = tx.system(id_or_name)?.ok_or_else(|| Error::not_found("system", id_or_name))?;
            if s.retired_at.is_some() {
                return Err(Error::refused(format!("{} is already retired", s.name)));
            }
            s.retired_at = Some(at.clone());
            tx.update_system(&s, &at)?;
            let retired = ev::SystemRetired { id: s.id.clone(), name: s.name.clone() };
            self.append_setting_event(tx, &AuditEvent::SystemRetired(retired))?;
            Ok(s)
        })
    }

    /// The items a request needs for the systems in use and not yet on its checklist.
    fn missing_items(&self, tx: &dyn store::Write, r: &Request) -> Result<Vec<ChecklistItem>> {
        let have = tx.checklist(&r.id.to_string())?;
        let missing = systems_in_use(tx)?.into_iter().filter(|s| !have.iter().any(|i| i.system_id == s.id));
        Ok(items(r, missing))
    }

    /// Put the systems of the data map in use (`systems`, as `systems_in_use` read them) on a new request's
    /// checklist, in the transaction that logs it.
    pub(super) fn create_checklist(
        &self,
        tx: &dyn store::Write,
        r: &Request,
        at: &str,
        systems: &[System],
    ) -> Result<()> {
        let items = items(r, systems.iter().cloned());
        if items.is_empty() {
            return Ok(());
        }
        tx.add_checklist_items(&r.id.to_string(), &items)?;
        let systems: Vec<&str> = items.iter().map(|i| i.system_name.as_str()).collect();
        let created = ev::ChecklistCreated {
            systems: systems.iter().map(|s| s.to_string()).collect(),
            action: action_for(r.kind).to_string(),
        };
        self.append(tx, &r.id, at, &AuditEvent::ChecklistCreated(created))
    }

    /// Add the systems put on the data map since the request was logged.
    pub fn refresh_checklist(&self, id_or_reference: &str) -> Result<RequestDetail> {
        self.update(id_or_reference, |r, tx| {
            Self::ensure_open(r)?;
            let items = self.missing_items(tx, r)?;
            if items.is_empty() {
                return Err(Error::refused("every system of the data map is already on the checklist"));
            }
            tx.add_checklist_items(&r.id.to_string(), &items)?;
            let systems: Vec<&str> = items.iter().map(|i| i.system_name.as_str()).collect();
            Ok(AuditEvent::ChecklistExtended(ev::ChecklistExtended {
                systems: systems.iter().map(|s| s.to_string()).collect(),
                dates: None,
            }))
        })
    }

    /// Record the work on one system: `done`, `not-applicable` (with the reason), `beyond-use` (a backup that
    /// cannot be erased selectively: with when it expires), or `open` again. A proof file is kept as an attachment.
    pub fn tick(
        &self,
        id_or_reference: &str,
        system: &str,
        state: &str,
        note: Option<&str>,
        proof: Option<(String, Box<dyn Read + '_>)>,
    ) -> Result<RequestDetail> {
        let state = state.trim();
        if !STATES.contains(&state) {
            return Err(Error::invalid("state", format!("unknown state '{state}' (one of: {})", STATES.join(", "))));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        if let Some(n) = &note {
            super::check_len("note", n, 5_000)?;
        }
        if note.is_none() && matches!(state, "not-applicable" | "beyond-use") {
            let why = if state == "beyond-use" {
                "say how the backup is put beyond use and when it expires"
            } else {
                "say why this system does not apply"
            };
            return Err(Error::invalid("note", why));
        }
        let request = self.store.read(|r| r.request(id_or_reference))?;
        let stored = match proof {
            Some((name, mut content)) => {
                Some(self.store_file(&self.attachments_dir(), &request.id, &name, &mut content)?)
            }
            None => None,
        };
        let now = store::timestamp(self.now());
        let actor = self.actor.clone();
        let recorded = self.update(id_or_reference, |r, tx| {
            Self::ensure_open(r)?;
            let mut item = tx
                .checklist(&r.id.to_string())?
                .into_iter()
                .find(|i| i.system_id == system || i.system_name.eq_ignore_ascii_case(system.trim()))
                .ok_or_else(|| Error::refused(format!("{system} is not on {}'s checklist", r.reference)))?;
            if state == "beyond-use" && !(item.is_backup && r.kind == RequestKind::Erasure) {
                return Err(Error::invalid(
                    "state",
                    "\"put beyond use\" is for erasure from a backup; elsewhere the data is erased or the system does not apply",
                ));
            }
            let mut proof_data = None;
            if let Some(f) = &stored {
                tx.insert_attachment(
                    &r.id,
                    &f.attachment(&now),
                )?;
                item.proof_id = Some(f.id.clone());
                proof_data = Some(ev::FileRef { file_name: f.file_name.clone(), sha256: f.sha256.clone(), size: f.size });
            }
            let before = std::mem::replace(&mut item.state, state.to_string());
            item.note = note.clone();
            (item.done_by, item.done_at) =
                if state == "open" { (None, None) } else { (Some(actor.clone()), Some(now.clone())) };
            tx.update_checklist_item(&item)?;
            Ok(AuditEvent::ChecklistTicked(ev::ChecklistTicked {
                system: item.system_name.clone(),
                action: item.action.clone(),
                before,
                state: state.to_string(),
                note: note.clone(),
                proof: proof_data,
                dates: None,
            }))
        });
        if let (Err(_), Some(f)) = (&recorded, &stored) {
            f.remove();
        }
        recorded
    }
}

/// The data map's systems in use, in its order: what a new request's checklist lists.
pub(super) fn systems_in_use(tx: &dyn store::Read) -> Result<Vec<System>> {
    Ok(tx.systems()?.into_iter().filter(|s| s.retired_at.is_none()).collect())
}

/// An open item per system for what `r` needs done there.
fn items(r: &Request, systems: impl Iterator<Item = System>) -> Vec<ChecklistItem> {
    systems
        .map(|s| ChecklistItem {
            id: uuid::Uuid::now_v7().to_string(),
            system_id: s.id,
            system_name: s.name,
            is_backup: s.is_backup,
            action: action_for(r.kind).into(),
            state: "open".into(),
            note: None,
            proof_id: None,
            done_by: None,
            done_at: None,
            assignee: None,
        })
        .collect()
}

/// Systems still neither done nor explained, as a sentence for the refusal to close.
pub(super) fn unfinished(items: &[ChecklistItem]) -> Option<String> {
    let open: Vec<String> = items
        .iter()
        .filter(|i| i.state == "open")
        .map(|i| format!("{} ({})", i.system_name, i.action.to_lowercase()))
        .collect();
    (!open.is_empty()).then(|| {
        format!("{} system(s) of the checklist are neither done nor explained: {}", open.len(), open.join(", "))
    })
}
