//! Facts → dates: the deadline engine asked for a request's dates, with the explanation of each in words.
//! Pure: the same facts always give the same dates.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::dates;
use crate::deadline::{self, Engine, Facts, Field, Pause, Regime};
use crate::domain::{ClockFacts, Dates, Request, RequestKind};
use crate::error::Result;

use super::Desk;

/// Working days before the statutory date that the internal target sits, unless configured per regime.
pub const DEFAULT_TARGET_WORKING_DAYS: u32 = 5;
/// Calendar days after receipt for the internal target of a request with no statutory deadline.
pub const NO_DEADLINE_TARGET_DAYS: i64 = 30;

/// How each date was computed, per date, in words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Explanation {
    /// Set where the regime has no statutory deadline for this kind of request.
    pub no_deadline: Option<String>,
    pub regime_name: String,
    pub citation: Option<String>,
    pub received: Vec<String>,
    pub clock_start: Vec<String>,
    pub acknowledge_by: Vec<String>,
    pub due: Vec<String>,
    pub extended_due: Vec<String>,
    pub effective_due: Vec<String>,
    pub internal_target: Vec<String>,
}

impl Desk {
    /// Derive the request's dates from its facts, with the explanation of each.
    pub fn derive(&self, r: &Request) -> Result<(Dates, Explanation)> {
        derive(&self.engine(), r, self.today(), self.target_working_days(&r.regime))
    }
}

/// The dates of new requests, computed once per distinct (regime, calendar, kind, received, target days): many rows
/// of an import or a seed share them. Only a new request's facts (none yet: no verification, fee, pause, extension
/// or override) are remembered; any other request is computed as it is.
#[derive(Default)]
pub struct DatesMemo {
    targets: HashMap<String, u32>,
    dates: HashMap<(String, String, RequestKind, Date, u32), Dates>,
}

impl DatesMemo {
    /// `derive(engine, r, today, target_days).0`, remembered where the facts are a new request's.
    pub fn dates(&mut self, engine: &Engine, r: &Request, today: Date, target_days: u32) -> Result<Dates> {
        if r.facts != ClockFacts::default() {
            return Ok(derive(engine, r, today, target_days)?.0);
        }
        let key = (r.regime.clone(), r.calendar.clone(), r.kind, r.received, target_days);
        if let Some(dates) = self.dates.get(&key) {
            return Ok(dates.clone());
        }
        let dates = derive(engine, r, today, target_days)?.0;
        self.dates.insert(key, dates.clone());
        Ok(dates)
    }
}

impl Desk {
    /// `Desk::derive(r).0` through `memo` (the regime's target days read once per regime).
    pub(crate) fn derive_dates(&self, memo: &mut DatesMemo, r: &Request) -> Result<Dates> {
        let days = match memo.targets.get(&r.regime) {
            Some(days) => *days,
            None => {
                let days = self.target_working_days(&r.regime);
                memo.targets.insert(r.regime.clone(), days);
                days
            }
        };
        memo.dates(&self.engine(), r, self.today(), days)
    }
}

/// The dates of a request from its facts. Pure: the same facts always give the same dates.
pub fn derive(engine: &Engine, r: &Request, today: Date, target_days: u32) -> Result<(Dates, Explanation)> {
    let regime: &Regime = engine.regime(&r.regime)?;
    let cal = engine.calendar(&r.calendar)?;
    let mut ex = Explanation { regime_name: regime.name.clone(), ..Explanation::default() };
    let Some(rule_kind) = regime.request_kinds.get(r.kind.id()) else {
        ex.no_deadline = Some(format!(
            "No statutory deadline under {} for this kind of request ({}): it runs on its internal target date only",
            regime.name,
            r.kind.label().to_lowercase()
        ));
        let raw = r.received + Duration::days(NO_DEADLINE_TARGET_DAYS);
        let (target, why) = deadline::count::roll(&cal, raw, deadline::Roll::Working)?;
        ex.internal_target
            .push(format!("Internal target: {NO_DEADLINE_TARGET_DAYS} days after receipt → {}", dates::fmt(raw)));
        ex.internal_target.extend(why);
        let effective = r.facts.due_override.unwrap_or(target);
        if r.facts.due_override.is_some() {
            ex.effective_due.push(format!("Date set by the officer: {}", dates::fmt(effective)));
        }
        return Ok((Dates { internal_target: Some(target), effective_due: Some(effective), ..Dates::default() }, ex));
    };
    // Only regimes with a stop-the-clock rule let a pause move the date; an open pause runs to today for now.
    let pauses: Vec<Pause> = if regime.allows_pause(rule_kind) {
        r.facts.pauses.iter().map(|p| Pause { start: p.start, end: p.end.unwrap_or(today).max(p.start) }).collect()
    } else {
        for p in &r.facts.pauses {
            ex.due.push(format!(
                "Clock stop from {} recorded, but {} has no stop-the-clock rule for this request: the due date does not move",
                dates::fmt(p.start),
                regime.name
            ));
        }
        Vec::new()
    };
    if let Some(open) = r.facts.pauses.iter().find(|p| p.end.is_none()).filter(|_| regime.allows_pause(rule_kind)) {
        ex.due.push(format!(
            "The clock is stopped since {}: the dates below assume it restarts today and move one day for each further day",
            dates::fmt(open.start)
        ));
    }
    let d = engine.compute(&Facts {
        regime: &r.regime,
        kind: rule_kind,
        calendar: Some(&r.calendar),
        received: Some(r.received),
        verified: r.facts.verified_on,
        fee_paid: r.facts.fee_paid_on,
        pauses: &pauses,
    })?;
    for step in &d.steps {
        let list = match step.field {
            Field::Received => &mut ex.received,
            Field::ClockStart => &mut ex.clock_start,
            Field::AcknowledgeBy => &mut ex.acknowledge_by,
            Field::Due => &mut ex.due,
            Field::ExtendedDue => &mut ex.extended_due,
        };
        list.push(step.text.clone());
    }
    ex.citation = Some(d.citation.clone());
    let effective = if let Some(o) = r.facts.due_override {
        match r.facts.extended_on {
            Some(told) if regime.extension == deadline::Extension::OpenEnded => ex.effective_due.push(format!(
                "Extended to {} by the organisation (requester told {}), as {} allows",
                dates::fmt(o),
                dates::fmt(told),
                regime.name
            )),
            _ => ex.effective_due.push(format!("Date set by hand (the reason is on the timeline): {}", dates::fmt(o))),
        }
        o
    } else if let (Some(told), Some(ext)) = (r.facts.extended_on, d.extended_due) {
        ex.effective_due.push(format!(
            "Extension taken (requester told {}): the extended due date {} applies",
            dates::fmt(told),
            dates::fmt(ext)
        ));
        ext
    } else {
        ex.effective_due.push(format!("The due date {} applies (no extension taken)", dates::fmt(d.due)));
        d.due
    };
    let target = deadline::count::minus_working_days(&cal, effective, target_days)?.max(d.clock_start);
    ex.internal_target.push(format!(
        "Internal target: {target_days} working days before {} → {}",
        dates::fmt(effective),
        dates::fmt(target)
    ));
    Ok((
        Dates {
            rule_kind: Some(rule_kind.clone()),
            clock_start: Some(d.clock_start),
            acknowledge_by: d.acknowledge_by,
            due: Some(d.due),
            extended_due: d.extended_due,
            effective_due: Some(effective),
            internal_target: Some(target),
            paused_days: d.paused_days,
        },
        ex,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::test_support::{desk_on, form};

    fn day(text: &str) -> Date {
        dates::parse(text).unwrap()
    }

    #[test]
    fn gdpr_access_runs_one_month_from_receipt_with_its_target_before() {
        let (_dir, desk) = desk_on("2026-03-10");
        let r = desk.validate(form("access", "eu-gdpr", "2026-03-02")).unwrap();
        let engine = Engine::shipped().unwrap();
        let (dates, ex) = derive(&engine, &r, day("2026-03-10"), 5).unwrap();
        assert_eq!(dates.rule_kind.as_deref(), Some("access"));
        assert_eq!(dates.clock_start, Some(day("2026-03-02")));
        assert_eq!(dates.due, Some(day("2026-04-02")));
        assert_eq!(dates.effective_due, dates.due);
        let target = dates.internal_target.unwrap();
        assert!(target < day("2026-04-02") && target >= day("2026-03-02"), "{target}");
        assert_eq!(ex.citation.as_deref(), Some("Art 12(3) GDPR"));
        assert!(ex.no_deadline.is_none());
        assert!(ex.effective_due[0].contains("no extension taken"), "{:?}", ex.effective_due);
        // Pure: the same facts give the same dates.
        assert_eq!(derive(&engine, &r, day("2026-03-10"), 5).unwrap().0, dates);
    }

    #[test]
    fn an_extension_and_an_override_move_the_effective_date() {
        let (_dir, desk) = desk_on("2026-03-10");
        let engine = Engine::shipped().unwrap();
        let mut r = desk.validate(form("access", "eu-gdpr", "2026-03-02")).unwrap();
        r.facts.extended_on = Some(day("2026-03-20"));
        let (dates, ex) = derive(&engine, &r, day("2026-03-20"), 5).unwrap();
        assert!(dates.extended_due.is_some());
        assert_eq!(dates.effective_due, dates.extended_due);
        assert!(ex.effective_due[0].starts_with("Extension taken"), "{:?}", ex.effective_due);
        r.facts.due_override = Some(day("2026-05-15"));
        let (dates, _) = derive(&engine, &r, day("2026-03-20"), 5).unwrap();
        assert_eq!(dates.effective_due, Some(day("2026-05-15")));
    }

    #[test]
    fn a_kind_without_a_statutory_deadline_runs_on_its_target_only() {
        let (_dir, desk) = desk_on("2026-03-10");
        let engine = Engine::shipped().unwrap();
        let r = desk.validate(form("opt-out-marketing", "us-ca-ccpa", "2026-03-02")).unwrap();
        let (dates, ex) = derive(&engine, &r, day("2026-03-10"), 5).unwrap();
        assert_eq!((dates.rule_kind, dates.due), (None, None));
        let target = dates.internal_target.unwrap();
        assert!(target >= day("2026-03-02") + Duration::days(NO_DEADLINE_TARGET_DAYS), "{target}");
        assert_eq!(dates.effective_due, Some(target));
        assert!(ex.no_deadline.unwrap().contains("No statutory deadline"));
    }

    #[test]
    fn the_configured_target_days_are_used() {
        let (_dir, desk) = desk_on("2026-03-10");
        let r = desk.validate(form("access", "eu-gdpr", "2026-03-02")).unwrap();
        let engine = Engine::shipped().unwrap();
        let (five, _) = derive(&engine, &r, day("2026-03-10"), 5).unwrap();
        let (ten, _) = derive(&engine, &r, day("2026-03-10"), 10).unwrap();
        assert!(ten.internal_target < five.internal_target);
        assert_eq!(desk.derive(&r).unwrap().0, five, "the default is {DEFAULT_TARGET_WORKING_DAYS} working days");
    }
}
