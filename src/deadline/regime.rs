//! Regimes as data: `data/regimes.toml`, embedded, parsed and validated once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::DeadlineError;
use super::calendar::HolidayTables;

const REGIMES_TOML: &str = include_str!("../../data/regimes.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodUnit {
    /// Same day-of-month N months later, or the last day of a shorter month.
    Months,
    /// D + N calendar days: the day of receipt is not counted.
    Days,
    /// D + (N − 1): the day of receipt is day 1.
    DaysInclusive,
    /// The N-th business day, counting D as business day 1 when it is one.
    BusinessDaysInclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Roll {
    /// The computed date stands even on a weekend or holiday.
    None,
    /// Saturday, Sunday or holiday → the next working day.
    Working,
    /// Sunday or holiday → the next day; a Saturday that is not a holiday stays.
    NonHoliday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct Period {
    pub period: PeriodUnit,
    pub count: u32,
    pub roll: Roll,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockEvent {
    Received,
    IdentityVerified,
    FeePaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Extension {
    /// One extension to a date the law fixes (the rule's `extended_due`).
    Fixed,
    /// The controller names a new date itself (CH, SG): the engine gives none.
    OpenEnded,
    /// The law gives no extension.
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub kinds: Vec<String>,
    pub citation: String,
    pub due: Period,
    pub extended_due: Option<Period>,
    pub acknowledge_by: Option<Period>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    pub id: String,
    pub name: String,
    pub law: String,
    /// `None`: the officer must choose (EU: the controller's Member State, Reg 1182/71 Art 2).
    pub default_calendar: Option<String>,
    /// Allowed calendar codes; `XX-*` allows every shipped subdivision of country XX.
    pub calendars: Vec<String>,
    pub clock_start: Vec<ClockEvent>,
    pub clock_start_note: Option<String>,
    /// Rule kinds for which the clock may be stopped while awaiting clarification.
    #[serde(default)]
    pub pause_kinds: Vec<String>,
    pub extension: Extension,
    /// Request kind (as recorded) → rule kind; a request kind not listed has no statutory deadline here.
    pub request_kinds: BTreeMap<String, String>,
    pub rule: Vec<Rule>,
}

impl Regime {
    pub fn rule(&self, kind: &str) -> Option<&Rule> {
        self.rule.iter().find(|r| r.kinds.iter().any(|k| k == kind))
    }

    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.rule.iter().flat_map(|r| r.kinds.iter().map(String::as_str))
    }

    pub fn allows_calendar(&self, code: &str, tables: &HolidayTables) -> bool {
        tables.contains(code)
            && self.calendars.iter().any(|allowed| match allowed.strip_suffix("-*") {
                Some(country) => code.strip_prefix(country).is_some_and(|rest| rest.starts_with('-')),
                None => allowed == code,
            })
    }

    pub fn allows_pause(&self, kind: &str) -> bool {
        self.pause_kinds.iter().any(|k| k == kind)
    }
}

#[derive(Debug, Deserialize)]
struct RegimeFile {
    regime: Vec<Regime>,
}

/// Every regime the engine knows.
#[derive(Debug)]
pub struct Regimes {
    list: Vec<Regime>,
}

impl Regimes {
    pub fn shipped() -> Result<&'static Regimes, DeadlineError> {
        static REGIMES: OnceLock<Result<Regimes, String>> = OnceLock::new();
        REGIMES
            .get_or_init(|| {
                let tables = HolidayTables::shipped().map_err(|e| e.to_string())?;
                Regimes::parse(REGIMES_TOML, tables)
            })
            .as_ref()
            .map_err(|e| DeadlineError::Data(format!("regime rules: {e}")))
    }

    /// Parse and validate: every problem here is a defect in the data, reported with the regime it is in.
    pub fn parse(text: &str, tables: &HolidayTables) -> Result<Regimes, String> {
        let file: RegimeFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for r in &file.regime {
            let bad = |why: String| Err(format!("regime {}: {why}", r.id));
            if !seen.insert(r.id.as_str()) {
                return bad("defined twice".into());
            }
            if r.rule.is_empty() {
                return bad("has no rules".into());
            }
            let mut kinds = std::collections::HashSet::new();
            for rule in &r.rule {
                for k in &rule.kinds {
                    if !kinds.insert(k.as_str()) {
                        return bad(format!("kind {k} has two rules"));
                    }
                }
                for p in
                    [Some(&rule.due), rule.extended_due.as_ref(), rule.acknowledge_by.as_ref()].into_iter().flatten()
                {
                    if p.count == 0 {
                        return bad(format!("a period of 0 in the rule for {:?}", rule.kinds));
                    }
                }
                if rule.extended_due.is_some() && r.extension != Extension::Fixed {
                    return bad("an extended_due without a fixed extension".into());
                }
            }
            for (request_kind, rule_kind) in &r.request_kinds {
                if !kinds.contains(rule_kind.as_str()) {
                    return bad(format!("request kind {request_kind} maps to {rule_kind}, which has no rule"));
                }
                if crate::domain::RequestKind::parse(request_kind).is_none() {
                    return bad(format!("unknown request kind {request_kind}"));
                }
            }
            for k in &r.pause_kinds {
                if !kinds.contains(k.as_str()) {
                    return bad(format!("pause kind {k} has no rule"));
                }
            }
            for c in &r.calendars {
                let known = match c.strip_suffix("-*") {
                    // A country may have no subdivisions in the contract's form (BE): the pattern then allows none.
                    Some(country) => tables.contains(country),
                    None => tables.contains(c),
                };
                if !known {
                    return bad(format!("calendar {c} is not in the holiday tables"));
                }
            }
            if let Some(d) = r.default_calendar.as_ref().filter(|d| !r.allows_calendar(d, tables)) {
                return bad(format!("default calendar {d} is not among its calendars"));
            }
            if !r.clock_start.contains(&ClockEvent::Received) {
                return bad("the clock must be able to start at receipt".into());
            }
        }
        Ok(Regimes { list: file.regime })
    }

    pub fn get(&self, id: &str) -> Option<&Regime> {
        self.list.iter().find(|r| r.id == id)
    }

    pub fn all(&self) -> &[Regime] {
        &self.list
    }

    pub fn ids(&self) -> Vec<&str> {
        self.list.iter().map(|r| r.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_regimes_validate() {
        let regimes = Regimes::shipped().unwrap();
        assert_eq!(regimes.all().len(), 13);
        let eu = regimes.get("eu-gdpr").unwrap();
        let tables = HolidayTables::shipped().unwrap();
        assert!(eu.allows_calendar("DE-BY", tables));
        assert!(eu.allows_calendar("FR", tables));
        assert!(!eu.allows_calendar("GB-ENG", tables));
        assert!(!eu.allows_calendar("DE-XX", tables));
        assert!(eu.default_calendar.is_none());
    }

    #[test]
    fn validation_names_the_defect() {
        let tables = HolidayTables::shipped().unwrap();
        let text = REGIMES_TOML.replace("default_calendar = \"GB-ENG\"", "default_calendar = \"US\"");
        let err = Regimes::parse(&text, tables).unwrap_err();
        assert!(err.contains("uk-gdpr") && err.contains("default calendar"), "{err}");
        let text = REGIMES_TOML.replacen("count = 45", "count = 0", 1);
        assert!(Regimes::parse(&text, tables).unwrap_err().contains("period of 0"));
    }
}
