//! What the forms offer: kinds, channels, statuses, regimes with their calendars, languages.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::iso;
use crate::deadline;
use crate::domain::{Channel, CheckOutcome, RefusalCategory, RequestKind, Status, VerificationMethod};

use super::Desk;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What the new-request form offers: kinds, channels, regimes with their calendars.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormOptions {
    pub kinds: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub regimes: Vec<RegimeOption>,
    pub verification_methods: Vec<Choice>,
    pub check_outcomes: Vec<Choice>,
    pub refusal_categories: Vec<Choice>,
    /// The answers a response can be written for, and the languages templates exist in.
    pub response_stages: Vec<Choice>,
    pub response_languages: Vec<String>,
    /// The languages the subject export's pages can be written in (id and name).
    pub export_languages: Vec<Choice>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub today: Date,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegimeOption {
    pub id: String,
    pub name: String,
    pub default_calendar: Option<String>,
    pub calendars: Vec<String>,
    /// Request kinds with a statutory deadline under this regime.
    pub kinds_with_deadline: Vec<String>,
    /// `fixed` (the law sets the extended date), `open-ended` (the organisation names it) or `none`.
    pub extension: String,
}

impl Desk {
    pub fn form_options(&self) -> FormOptions {
        let tables = self.engine().tables();
        let regimes = self
            .engine()
            .regimes()
            .all()
            .iter()
            .map(|r| {
                let mut calendars: Vec<String> =
                    tables.codes().filter(|c| r.allows_calendar(c, tables)).map(str::to_string).collect();
                calendars.sort();
                RegimeOption {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    default_calendar: r.default_calendar.clone(),
                    calendars,
                    kinds_with_deadline: r.request_kinds.keys().cloned().collect(),
                    extension: match r.extension {
                        deadline::Extension::Fixed => "fixed",
                        deadline::Extension::OpenEnded => "open-ended",
                        deadline::Extension::None => "none",
                    }
                    .into(),
                }
            })
            .collect();
        let choices = |all: Vec<(&str, &str)>| {
            all.into_iter().map(|(id, label)| Choice { id: id.into(), label: label.into() }).collect()
        };
        FormOptions {
            kinds: choices(RequestKind::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            channels: choices(Channel::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            statuses: choices(Status::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            verification_methods: choices(VerificationMethod::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            check_outcomes: choices(CheckOutcome::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            refusal_categories: choices(RefusalCategory::ALL.iter().map(|k| (k.id(), k.label())).collect()),
            response_stages: choices(crate::respond::STAGES.to_vec()),
            response_languages: {
                let mut langs: Vec<String> =
                    self.store.read(|r| r.templates()).unwrap_or_default().into_iter().map(|t| t.lang).collect();
                langs.dedup();
                langs
            },
            export_languages: crate::export::subject::languages()
                .unwrap_or_default()
                .into_iter()
                .map(|id| {
                    let label = crate::respond::data::data()
                        .ok()
                        .and_then(|d| d.words.get(&id).map(|w| w.name.clone()))
                        .unwrap_or_else(|| id.clone());
                    Choice { id, label }
                })
                .collect(),
            regimes,
            today: self.today(),
        }
    }
}
