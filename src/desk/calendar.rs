//! The organisation's own non-working days. Adding or removing one re-derives every open request on that calendar
//! in the same transaction as the log entry; each request whose dates move gets a `dates_recomputed` event.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Desk, derive};
use crate::dates;
use crate::deadline::Engine;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::store::{self, CalendarDay};

/// What a calendar change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecomputeReport {
    pub calendar: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub day: Date,
    pub added: bool,
    /// Open requests on the calendar whose dates were re-derived.
    pub checked: u32,
    /// Those whose dates changed (each has a `dates_recomputed` event).
    pub changed: u32,
}

/// How many open requests a settings change re-derived, and how many got new dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecomputeCount {
    pub checked: u32,
    pub changed: u32,
}

/// The internal-target setting of one regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TargetSetting {
    pub regime: String,
    pub name: String,
    pub working_days: u32,
}

const CHUNK: u32 = 2_000;

impl Desk {
    pub fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        self.store.read(|r| r.calendar_days())
    }

    /// Declare `day` a non-working day on `calendar` (e.g. a newly announced public holiday).
    pub fn add_non_working_day(&self, calendar: &str, day: &str, label: &str) -> Result<RecomputeReport> {
        let label = label.trim();
        if label.is_empty() {
            return Err(Error::invalid("label", "say what the day is (e.g. \"State funeral\")"));
        }
        super::check_len("label", label, 100)?;
        let (calendar, day) = self.calendar_and_day(calendar, day)?;
        let cal = self.engine().calendar(&calendar)?;
        if let Some(name) = cal.holiday_name(day) {
            return Err(Error::refused(format!("{} is already a holiday on {calendar}: {name}", dates::fmt(day))));
        }
        if crate::deadline::calendar::is_weekend(day) {
            return Err(Error::invalid(
                "day",
                format!("{} is a {}: never a working day", dates::fmt(day), day.weekday()),
            ));
        }
        self.change_calendar(&calendar, day, label, true, None)
    }

    /// Take back a day the organisation declared (not a shipped public holiday). Needs a reason.
    pub fn remove_non_working_day(&self, calendar: &str, day: &str, reason: &str) -> Result<RecomputeReport> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "removing a non-working day needs a reason"));
        }
        let (calendar, day) = self.calendar_and_day(calendar, day)?;
        let existing =
            self.calendar_days()?.into_iter().find(|d| d.calendar == calendar && d.day == day).ok_or_else(|| {
                Error::refused(format!("{} is not a day the organisation added to {calendar}", dates::fmt(day)))
            })?;
        self.change_calendar(&calendar, day, &existing.label, false, Some(reason))
    }

    fn calendar_and_day(&self, calendar: &str, day: &str) -> Result<(String, Date)> {
        let calendar = calendar.trim().to_string();
        if !self.engine().tables().contains(&calendar) {
            return Err(Error::invalid("calendar", format!("unknown calendar '{calendar}'")));
        }
        let day = dates::parse_in_range(day.trim()).map_err(|e| Error::invalid("day", format!("invalid date {e}")))?;
        Ok((calendar, day))
    }

    fn change_calendar(
        &self,
        calendar: &str,
        day: Date,
        label: &str,
        added: bool,
        reason: Option<&str>,
    ) -> Result<RecomputeReport> {
        let mut extra: HashMap<String, Vec<(Date, String)>> = self.store.read(|r| r.calendar_days_by_code())?;
        let days = extra.entry(calendar.to_string()).or_default();
        days.retain(|(d, _)| *d != day);
        if added {
            days.push((day, label.to_string()));
        }
        let new_engine = Arc::new(Engine::shipped()?.with_extra_days(extra));
        // Swap first, so a request logged while this runs already counts with the new calendar; put the old
        // engine back if the transaction fails.
        let old = std::mem::replace(&mut *self.engine.write().unwrap_or_else(|p| p.into_inner()), new_engine.clone());
        let now = store::timestamp(self.now());
        let why = if added {
            format!("{} declared a non-working day on {calendar} ({label})", dates::fmt(day))
        } else {
            format!("{} is a working day again on {calendar} ({})", dates::fmt(day), reason.unwrap_or(""))
        };
        let result = self
            .recompute_open(&new_engine, Some(calendar), None, &why, |tx| {
                tx.log_calendar_day(calendar, day, label, added, reason, &now, &self.actor)?;
                let (calendar, day, label) = (calendar.to_string(), dates::fmt(day), label.to_string());
                let event = match reason {
                    None => AuditEvent::CalendarDayAdded(ev::CalendarDayAdded { calendar, day, label }),
                    Some(reason) => AuditEvent::CalendarDayRemoved(ev::CalendarDayRemoved {
                        calendar,
                        day,
                        label,
                        reason: reason.to_string(),
                    }),
                };
                super::write::append_register(tx, &now, &self.actor, &event)
            })
            .map(|(checked, changed)| RecomputeReport { calendar: calendar.to_string(), day, added, checked, changed });
        if result.is_err() {
            *self.engine.write().unwrap_or_else(|p| p.into_inner()) = old;
        }
        result
    }

    /// Re-derive the dates of every open request (of one calendar and/or regime) in one transaction with `log`,
    /// recording a `dates_recomputed` event with `why` on each request whose dates changed.
    pub(crate) fn recompute_open(
        &self,
        engine: &Engine,
        calendar: Option<&str>,
        regime: Option<(&str, Option<u32>)>,
        why: &str,
        log: impl FnOnce(&dyn store::Write) -> Result<()>,
    ) -> Result<(u32, u32)> {
        let now = store::timestamp(self.now());
        let today = self.today();
        // Internal-target settings per regime; a new value being set in this transaction is given, not read.
        let mut targets: HashMap<String, u32> = HashMap::new();
        if let Some((id, Some(days))) = regime {
            targets.insert(id.to_string(), days);
        }
        let regime = regime.map(|(id, _)| id);
        self.store.write(|tx| {
            log(tx)?;
            let (mut checked, mut changed, mut after) = (0u32, 0u32, 0i64);
            loop {
                let chunk = tx.open_requests(calendar, after, CHUNK)?;
                let Some((last, _)) = chunk.last() else { break };
                after = *last;
                for (_, mut r) in chunk.into_iter().filter(|(_, r)| regime.is_none_or(|g| g == r.regime)) {
                    checked += 1;
                    let target =
                        *targets.entry(r.regime.clone()).or_insert_with(|| self.target_working_days(&r.regime));
                    let (dates, _) = derive(engine, &r, today, target)?;
                    if dates == r.dates {
                        continue;
                    }
                    let event = AuditEvent::DatesRecomputed(ev::DatesRecomputed {
                        reason: why.to_string(),
                        dates: ev::DatesChange { before: r.dates.clone(), after: dates.clone() },
                    });
                    r.dates = dates;
                    r.updated_at = self.now();
                    tx.update_dates(&r)?;
                    self.append(tx, &r.id, &now, &event)?;
                    changed += 1;
                }
            }
            Ok((checked, changed))
        })
    }

    pub fn target_settings(&self) -> Vec<TargetSetting> {
        self.engine()
            .regimes()
            .all()
            .iter()
            .map(|r| TargetSetting {
                regime: r.id.clone(),
                name: r.name.clone(),
                working_days: self.target_working_days(&r.id),
            })
            .collect()
    }

    /// How many working days before the statutory date the internal target sits, for one regime.
    pub fn set_target_working_days(&self, regime: &str, days: u32) -> Result<RecomputeCount> {
        let engine = self.engine();
        let regime = engine.regime(regime.trim()).map_err(|e| Error::invalid("regime", e.to_string()))?;
        if days > 30 {
            return Err(Error::invalid(
                "days",
                format!("{days} working days is more than the shortest statutory period allows"),
            ));
        }
        let before = self.target_working_days(&regime.id);
        let key = format!("internal_target_working_days.{}", regime.id);
        let why = format!(
            "internal target for {} changed from {before} to {days} working days before the due date",
            regime.name
        );
        self.recompute_open(&engine, None, Some((&regime.id, Some(days))), &why, |tx| {
            let set = ev::TargetDaysSet {
                regime: regime.id.clone(),
                before: super::write::setting_u32(tx, &key, before)?,
                after: days,
            };
            tx.set_setting(&key, &days.to_string())?;
            self.append_setting_event(tx, &AuditEvent::TargetDaysSet(set))
        })
        .map(|(checked, changed)| RecomputeCount { checked, changed })
    }
}
