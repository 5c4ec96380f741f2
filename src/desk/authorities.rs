//! The supervisory authority a refusal names: the organisation's own choice for a regime (its lead authority, or a
//! corrected address) wins over the shipped directory, which picks by regime and calendar. An address the directory
//! only has from memory is flagged in every preview that names it.

use serde::{Deserialize, Serialize};

use super::{Desk, check_len};
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::respond::{Authority, data};

/// An authority the organisation entered itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OwnAuthority {
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub website: String,
}

/// A regime's authority as the window shows it: the organisation's own, else the directory's entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegimeAuthorities {
    pub regime: String,
    pub regime_name: String,
    pub own: Option<OwnAuthority>,
    pub directory: Vec<Authority>,
}

/// Stages whose answer must name the authority (GDPR Art 12(4)).
pub(super) const NAMES_AUTHORITY: [&str; 3] = ["refusal", "partial", "unverified"];

fn key(regime: &str) -> String {
    format!("authority.own.{regime}")
}

impl Desk {
    fn own_authority(&self, regime: &str) -> Result<Option<OwnAuthority>> {
        let Some(text) = self.store.setting(&key(regime))? else { return Ok(None) };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Corrupt(format!("the organisation's authority for {regime}: {e}")))
    }

    /// The authority a request's answer names.
    pub fn authority_for(&self, regime: &str, calendar: &str) -> Result<Option<Authority>> {
        if let Some(own) = self.own_authority(regime)? {
            return Ok(Some(Authority {
                id: "own".into(),
                name: own.name,
                address: own.address,
                website: own.website,
                email: None,
                phone: None,
                regimes: vec![regime.to_string()],
                places: vec![],
                checked: "own".into(),
                source: None,
                different: None,
                note: None,
                secondary: false,
            }));
        }
        Ok(data()?.authority_for(regime, calendar).cloned())
    }

    pub fn authority_settings(&self) -> Result<Vec<RegimeAuthorities>> {
        self.engine().regimes().all().iter().map(|r| self.regime_authorities(&r.id, &r.name)).collect()
    }

    /// One regime's authority settings.
    pub fn authority_setting(&self, regime: &str) -> Result<RegimeAuthorities> {
        let id = self.regime_id(regime)?;
        let name = self.engine().regime(&id)?.name.clone();
        self.regime_authorities(&id, &name)
    }

    fn regime_authorities(&self, regime: &str, name: &str) -> Result<RegimeAuthorities> {
        Ok(RegimeAuthorities {
            regime: regime.into(),
            regime_name: name.into(),
            own: self.own_authority(regime)?,
            directory: data()?.authorities.iter().filter(|a| a.regimes.iter().any(|r| r == regime)).cloned().collect(),
        })
    }

    /// Set (or with `None`, remove) the organisation's own authority for a regime.
    pub fn set_own_authority(&self, regime: &str, own: Option<OwnAuthority>) -> Result<RegimeAuthorities> {
        let regime = self.regime_id(regime)?;
        let before = self.own_authority(&regime)?.map(|a| authority_text(&a));
        let record = |tx: &dyn crate::store::Write, after: Option<ev::AuthorityText>| {
            let set = ev::OwnAuthoritySet { regime: regime.clone(), before: before.clone(), after };
            self.append_setting_event(tx, &AuditEvent::OwnAuthoritySet(set))
        };
        match own {
            Some(a) => {
                let a = OwnAuthority {
                    name: a.name.trim().to_string(),
                    address: a.address.trim().to_string(),
                    website: a.website.trim().to_string(),
                };
                if a.name.is_empty() {
                    return Err(Error::invalid("name", "give the authority's name"));
                }
                if a.address.is_empty() {
                    return Err(Error::invalid(
                        "address",
                        "give the authority's postal address: a refusal must name it",
                    ));
                }
                check_len("name", &a.name, 300)?;
                check_len("address", &a.address, 1_000)?;
                check_len("website", &a.website, 500)?;
                let text = serde_json::to_string(&a).map_err(|e| Error::Corrupt(e.to_string()))?;
                self.store.write(|tx| {
                    tx.set_setting(&key(&regime), &text)?;
                    record(tx, Some(authority_text(&a)))
                })?;
            }
            None => self.store.write(|tx| {
                tx.delete_setting(&key(&regime))?;
                record(tx, None)
            })?,
        }
        self.authority_setting(&regime)
    }

    /// What to check about the authority an answer of `stage` names, if anything.
    pub(super) fn authority_warnings(&self, stage: &str, regime: &str, calendar: &str) -> Result<Vec<String>> {
        if !NAMES_AUTHORITY.contains(&stage) {
            return Ok(vec![]);
        }
        Ok(match self.authority_for(regime, calendar)? {
            None => vec![format!(
                "No supervisory authority is known for {regime}: set yours in Letters → Supervisory authority."
            )],
            Some(a) if a.checked == "memory" => vec![format!(
                "The address of {} ({}) has not been checked against its website ({}): check it, or set your \
                 authority in Letters → Supervisory authority.",
                a.name, a.address, a.website
            )],
            Some(_) => vec![],
        })
    }
}

fn authority_text(a: &OwnAuthority) -> ev::AuthorityText {
    ev::AuthorityText { name: a.name.clone(), address: a.address.clone(), website: a.website.clone() }
}
