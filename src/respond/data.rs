//! The shipped data responses stand on: words per language (`data/language.toml`), the default templates
//! (`data/templates.toml`) and the directory of supervisory authorities (`data/authorities.toml`). Parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::domain::RequestKind;
use crate::error::{Error, Result};
pub use crate::store::DefaultTemplate;

#[derive(Debug, Clone, Deserialize)]
pub struct Words {
    pub name: String,
    pub months: Vec<String>,
    pub date: String,
    pub complaint: String,
    pub remedy: String,
    pub kinds: BTreeMap<String, String>,
    /// Refusal grounds (`RefusalCategory` ids).
    pub grounds: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Authority {
    pub id: String,
    pub name: String,
    pub address: String,
    pub website: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub regimes: Vec<String>,
    /// Calendar codes (country, or country-region) the authority is chosen for.
    pub places: Vec<String>,
    /// `seen` (copied from an official source), `list` (agrees with a maintained directory), `memory` (to be
    /// checked), or `own` (the organisation's own entry in its settings).
    pub checked: String,
    #[serde(default)]
    pub source: Option<String>,
    /// Where the directory we checked against disagrees, and how.
    #[serde(default)]
    pub different: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Another authority of the regime comes first (e.g. the California AG after the CPPA).
    #[serde(default)]
    pub secondary: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct AuthorityFile {
    authority: Vec<Authority>,
}

pub struct Data {
    pub words: BTreeMap<String, Words>,
    pub authorities: Vec<Authority>,
    pub templates: Vec<DefaultTemplate>,
}

/// The stages a response can be written for, in the order of a request's life.
pub const STAGES: &[(&str, &str)] = &[
    ("acknowledgement", "Acknowledgement"),
    ("identity-request", "Identity request"),
    ("clarification-request", "Clarification request"),
    ("extension", "Extension notice"),
    ("fulfilment", "Fulfilment"),
    ("partial", "Partial fulfilment"),
    ("refusal", "Refusal"),
    ("unverified", "Closed: identity not confirmed"),
    ("withdrawal", "Withdrawal confirmation"),
];

fn load() -> Result<Data> {
    let bad = |file: &str, e: toml::de::Error| Error::Corrupt(format!("shipped data {file}: {e}"));
    let words: BTreeMap<String, Words> =
        toml::from_str(include_str!("../../data/language.toml")).map_err(|e| bad("language.toml", e))?;
    let authorities = toml::from_str::<AuthorityFile>(include_str!("../../data/authorities.toml"))
        .map_err(|e| bad("authorities.toml", e))?
        .authority;
    let raw: toml::Table =
        toml::from_str(include_str!("../../data/templates.toml")).map_err(|e| bad("templates.toml", e))?;
    let mut templates = Vec::new();
    for (lang, set) in &raw {
        let text = |stage: &str, part: &str| -> Result<String> {
            set.get(stage)
                .and_then(|s| s.get(part))
                .and_then(|v| v.as_str())
                .map(|s| s.trim_start_matches('\n').to_string())
                .ok_or_else(|| Error::Corrupt(format!("templates.toml: [{lang}] has no {stage}.{part}")))
        };
        for (stage, _) in STAGES {
            let (subject, body) = (text(stage, "subject")?, text(stage, "body")?);
            if *stage != "fulfilment" {
                templates.push(DefaultTemplate {
                    stage: stage.to_string(),
                    kind: "*".into(),
                    lang: lang.clone(),
                    subject,
                    body,
                });
                continue;
            }
            // One fulfilment template per kind: the frame with the kind's paragraph.
            for kind in RequestKind::ALL {
                let done = set
                    .get("done")
                    .and_then(|d| d.get(kind.id()))
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| Error::Corrupt(format!("templates.toml: [{lang}.done] has no {}", kind.id())))?;
                templates.push(DefaultTemplate {
                    stage: "fulfilment".into(),
                    kind: kind.id().into(),
                    lang: lang.clone(),
                    subject: subject.clone(),
                    body: body.replace("[[ done ]]", done.trim()),
                });
            }
        }
    }
    Ok(Data { words, authorities, templates })
}

static DATA: OnceLock<std::result::Result<Data, String>> = OnceLock::new();

/// The shipped data (an error here is a build defect; tests load it).
pub fn data() -> Result<&'static Data> {
    DATA.get_or_init(|| load().map_err(|e| e.to_string())).as_ref().map_err(|e| Error::Corrupt(e.clone()))
}

impl Data {
    /// The words of `lang`, else English.
    pub fn words(&self, lang: &str) -> Result<&Words> {
        self.words.get(lang).or_else(|| self.words.get("en")).ok_or_else(|| Error::Corrupt("no English words".into()))
    }

    /// The authority for a request: of its regime, for the most specific place its calendar names (DE-BY before
    /// DE), the primary one first.
    pub fn authority_for(&self, regime: &str, calendar: &str) -> Option<&Authority> {
        let country = calendar.split('-').next().unwrap_or(calendar);
        self.authorities
            .iter()
            .filter(|a| a.regimes.iter().any(|r| r == regime))
            .map(|a| {
                let score = if a.places.iter().any(|p| p == calendar) {
                    3
                } else if a.places.iter().any(|p| p == country) {
                    2
                } else {
                    1
                };
                (score * 2 - i32::from(a.secondary), a)
            })
            .max_by_key(|(score, _)| *score)
            .map(|(_, a)| a)
    }
}

/// A date in the words of a language ("3 March 2026", "3 mars 2026", "3. März 2026").
pub fn date_in(words: &Words, d: Date) -> String {
    let month = words.months.get(usize::from(u8::from(d.month())) - 1).cloned().unwrap_or_default();
    words
        .date
        .replace("{day}", &d.day().to_string())
        .replace("{month}", &month)
        .replace("{year}", &d.year().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_loads_and_is_complete() {
        let d = data().unwrap();
        assert_eq!(d.words.keys().cloned().collect::<Vec<_>>(), ["de", "en", "fr", "nl"]);
        for w in d.words.values() {
            assert_eq!(w.months.len(), 12);
            for k in RequestKind::ALL {
                assert!(w.kinds.contains_key(k.id()), "{} lacks {}", w.name, k.id());
            }
            for g in crate::domain::RefusalCategory::ALL {
                assert!(w.grounds.contains_key(g.id()), "{} lacks ground {}", w.name, g.id());
            }
        }
        // Every stage in every language; fulfilment once per kind.
        let per_lang = STAGES.len() - 1 + RequestKind::ALL.len();
        assert_eq!(d.templates.len(), 4 * per_lang);
        assert!(d.templates.iter().all(|t| !t.body.contains("[[ done ]]")));
    }

    #[test]
    fn the_authority_follows_regime_and_place() {
        let d = data().unwrap();
        assert_eq!(d.authority_for("eu-gdpr", "FR").unwrap().id, "fr-cnil");
        assert_eq!(d.authority_for("eu-gdpr", "DE-BY").unwrap().id, "de-by-baylda");
        for land in ["BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH"] {
            let a = d.authority_for("eu-gdpr", &format!("DE-{land}")).unwrap();
            assert!(a.places.contains(&format!("DE-{land}")), "every Land has its own authority: {land} → {}", a.id);
        }
        assert_eq!(d.authority_for("eu-gdpr", "DE").unwrap().id, "de-bfdi");
        assert!(d.authorities.iter().all(|a| ["seen", "list", "memory"].contains(&a.checked.as_str())));
        assert!(d.authorities.iter().filter(|a| a.checked != "memory").all(|a| a.source.is_some()));
        assert_eq!(d.authority_for("uk-gdpr", "GB-SCT").unwrap().id, "gb-ico");
        assert_eq!(d.authority_for("us-ca-ccpa", "US").unwrap().id, "us-ca-cppa", "the agency before the AG");
        for regime in [
            "eu-gdpr",
            "uk-gdpr",
            "us-ca-ccpa",
            "us-va-vcdpa",
            "us-co-cpa",
            "us-ct-ctdpa",
            "br-lgpd",
            "ca-pipeda",
            "ca-qc-law25",
            "ch-fadp",
            "za-popia",
            "sg-pdpa",
            "au-privacy",
        ] {
            assert!(d.authorities.iter().any(|a| a.regimes.iter().any(|r| r == regime)), "no authority for {regime}");
        }
        let eea = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
            "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
        ];
        for c in eea {
            assert!(d.authorities.iter().any(|a| a.places.iter().any(|p| p == c)), "no authority for {c}");
        }
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let d = data().unwrap();
        let day = time::macros::date!(2026 - 03 - 03);
        assert_eq!(date_in(d.words("en").unwrap(), day), "3 March 2026");
        assert_eq!(date_in(d.words("de").unwrap(), day), "3. März 2026");
        assert_eq!(date_in(d.words("xx").unwrap(), day), "3 March 2026");
    }
}
