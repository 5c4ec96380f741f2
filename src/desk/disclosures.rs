//! What the officer gathers for an access or portability answer, per system of the data map: fields typed in the
//! window and files of any kind (kept as attachments). `export_subject` (desk/subject_export.rs) packages them.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::{Desk, RequestDetail};
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{Request, RequestKind};
use crate::error::{Error, Result};
use crate::store::{self, Disclosure};

/// An item as typed: the system it was found in, a category, and either a field (label and value) or a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct DisclosureInput {
    /// A system of the data map, by name or id.
    pub system: String,
    /// What kind of data it is, in the requester's terms (e.g. "Contact details", "Orders").
    pub category: String,
    pub label: String,
    pub value: String,
    /// Provided by the person (forms they filled, uploads, data observed from their use): what portability covers.
    pub provided: bool,
}

/// Only access and portability answers carry a copy of the data.
pub(super) fn check_kind(r: &Request) -> Result<()> {
    if matches!(r.kind, RequestKind::Access | RequestKind::Portability) {
        Ok(())
    } else {
        Err(Error::invalid(
            "kind",
            format!(
                "{} is a {} request: only access and portability answers carry a copy of the data",
                r.reference,
                r.kind.label().to_lowercase()
            ),
        ))
    }
}

impl Desk {
    /// Add a field (label and value) or, with `file`, a file found in a system for this request.
    pub fn add_disclosure(
        &self,
        id_or_reference: &str,
        input: DisclosureInput,
        file: Option<(String, Box<dyn Read + '_>)>,
    ) -> Result<RequestDetail> {
        let category = input.category.trim().to_string();
        if category.is_empty() {
            return Err(Error::invalid("category", "say what kind of data it is (e.g. Contact details, Orders)"));
        }
        super::check_len("category", &category, 100)?;
        let (label, value) = (input.label.trim().to_string(), input.value.trim().to_string());
        if file.is_none() {
            if label.is_empty() {
                return Err(Error::invalid("label", "name the field (e.g. Email address), or add a file instead"));
            }
            if value.is_empty() {
                return Err(Error::invalid("value", format!("the value of '{label}' is empty")));
            }
            super::check_len("label", &label, 200)?;
            super::check_len("value", &value, 100_000)?;
        }
        let request = self.store.read(|rd| {
            let r = rd.request(id_or_reference)?;
            Self::ensure_open(&r)?;
            check_kind(&r)?;
            Ok(r)
        })?;
        let stored = match file {
            Some((name, mut content)) => {
                Some(self.store_file(&self.attachments_dir(), &request.id, &name, &mut content)?)
            }
            None => None,
        };
        let now = store::timestamp(self.now());
        let recorded = self.update(id_or_reference, |r, tx| {
            Self::ensure_open(r)?;
            let system = tx.system(&input.system)?.ok_or_else(|| {
                Error::invalid(
                    "system",
                    format!("'{}' is not on the data map (add it under Settings → Data map)", input.system.trim()),
                )
            })?;
            let mut item = Disclosure {
                id: uuid::Uuid::now_v7().to_string(),
                system_id: system.id,
                system_name: system.name,
                category: category.clone(),
                label: None,
                value: None,
                attachment_id: None,
                file_name: None,
                size: None,
                stored_name: None,
                sha256: None,
                provided: input.provided,
                added_at: now.clone(),
            };
            // The value itself stays out of the audit trail: the trail outlives the data (retention purge).
            let mut data = ev::DisclosureAdded {
                id: item.id.clone(),
                system: item.system_name.clone(),
                category: category.clone(),
                provided: input.provided,
                label: None,
                file: None,
                dates: None,
            };
            if let Some(f) = &stored {
                tx.insert_attachment(&r.id, &f.attachment(&now))?;
                item.attachment_id = Some(f.id.clone());
                data.file =
                    Some(ev::FileRef { file_name: f.file_name.clone(), sha256: f.sha256.clone(), size: f.size });
            } else {
                data.label = Some(label.clone());
                item.label = Some(label.clone());
                item.value = Some(value.clone());
            }
            tx.insert_disclosure(&r.id.to_string(), &item)?;
            Ok(AuditEvent::DisclosureAdded(data))
        });
        if let (Err(_), Some(f)) = (&recorded, &stored) {
            f.remove();
        }
        recorded
    }

    /// Take an item off the answer (a file stays among the request's attachments: the record keeps what was seen).
    pub fn remove_disclosure(&self, id_or_reference: &str, item_id: &str) -> Result<RequestDetail> {
        self.update(id_or_reference, |r, tx| {
            Self::ensure_open(r)?;
            let item = tx
                .disclosures(&r.id.to_string())?
                .into_iter()
                .find(|d| d.id == item_id.trim())
                .ok_or_else(|| Error::not_found("disclosure item", item_id.trim()))?;
            tx.delete_disclosure(&r.id.to_string(), &item.id)?;
            Ok(AuditEvent::DisclosureRemoved(ev::DisclosureRemoved {
                id: item.id,
                system: item.system_name,
                category: item.category,
                label: item.label,
                file_name: item.file_name,
                dates: None,
            }))
        })
    }
}
