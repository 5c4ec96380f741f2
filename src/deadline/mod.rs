//! The deadline engine: pure computation, no I/O. Regimes are data (`data/regimes.toml`), holidays are shipped
//! tables (`data/holidays.txt`); `compute` turns the facts of a request into its dates and the steps behind each.
//! The exact rules are fixed by shared/domain/deadline-contract.md (v1).

pub mod calendar;
pub mod count;
pub mod regime;

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use crate::dates::{self, fmt};
pub use calendar::{Calendar, HolidayTables};
pub use regime::{ClockEvent, Extension, Regime, Regimes, Roll};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("unknown regime '{0}' (known: {1})")]
    UnknownRegime(String, String),
    #[error("kind '{kind}' is not a kind of regime {regime} (its kinds: {allowed})")]
    UnknownKind { regime: String, kind: String, allowed: String },
    #[error("regime {0} needs a holiday calendar: give the controller's country or region (e.g. DE or DE-BY)")]
    CalendarRequired(String),
    #[error("unknown calendar '{0}'")]
    UnknownCalendar(String),
    #[error("calendar '{calendar}' is not allowed for regime {regime} (allowed: {allowed})")]
    CalendarNotAllowed { regime: String, calendar: String, allowed: String },
    #[error("{what} date {date}: {problem}")]
    BadDate { what: &'static str, date: String, problem: String },
    #[error("pause '{0}': {1}")]
    BadPause(String, String),
    #[error("regime {regime} has no stop-the-clock rule for kind '{kind}': pause '{pause}' cannot be applied")]
    PauseNotAllowed { regime: String, kind: String, pause: String },
    #[error("date {} lies beyond the holiday tables (2020-2036)", fmt(*.0))]
    BeyondTables(Date),
    #[error("built-in data is damaged: {0}")]
    Data(String),
}

/// A stop of the clock, both days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Pause {
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub start: Date,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub end: Date,
}

impl Pause {
    pub fn label(&self) -> String {
        format!("{}:{}", fmt(self.start), fmt(self.end))
    }
}

/// The facts a computation starts from. `kind` is a rule kind of the regime (see `Regime::request_kinds` for the
/// mapping from what the requester asked for).
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub regime: &'a str,
    pub kind: &'a str,
    pub calendar: Option<&'a str>,
    pub received: Option<Date>,
    pub verified: Option<Date>,
    pub fee_paid: Option<Date>,
    pub pauses: &'a [Pause],
}

/// Which date a step of the explanation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Received,
    ClockStart,
    AcknowledgeBy,
    Due,
    ExtendedDue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    pub field: Field,
    pub text: String,
}

/// The result of a computation: every date, and the steps that produced each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Deadline {
    pub regime: String,
    pub kind: String,
    pub calendar: String,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub received: Date,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub clock_start: Date,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "dates::iso::option")]
    pub acknowledge_by: Option<Date>,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "dates::iso")]
    pub due: Date,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "dates::iso::option")]
    pub extended_due: Option<Date>,
    pub paused_days: u32,
    pub citation: String,
    pub steps: Vec<Step>,
}

impl Deadline {
    pub fn explanation(&self) -> Vec<String> {
        self.steps.iter().map(|s| s.text.clone()).collect()
    }
}

/// The engine: shipped regimes and holidays, plus the organisation's extra non-working days per calendar.
#[derive(Debug, Clone)]
pub struct Engine {
    regimes: &'static Regimes,
    tables: &'static HolidayTables,
    extra_days: HashMap<String, Vec<(Date, String)>>,
}

impl Engine {
    pub fn shipped() -> Result<Engine, DeadlineError> {
        Ok(Engine { regimes: Regimes::shipped()?, tables: HolidayTables::shipped()?, extra_days: HashMap::new() })
    }

    /// Add the organisation's extra non-working days (calendar code → dates with a label).
    pub fn with_extra_days(mut self, extra: HashMap<String, Vec<(Date, String)>>) -> Engine {
        self.extra_days = extra;
        self
    }

    pub fn regimes(&self) -> &'static Regimes {
        self.regimes
    }

    pub fn tables(&self) -> &'static HolidayTables {
        self.tables
    }

    pub fn regime(&self, id: &str) -> Result<&'static Regime, DeadlineError> {
        self.regimes.get(id).ok_or_else(|| DeadlineError::UnknownRegime(id.to_string(), self.regimes.ids().join(", ")))
    }

    /// The calendar a regime uses: the one given (checked against the regime) or the regime's default.
    pub fn resolve_calendar(&self, regime: &Regime, given: Option<&str>) -> Result<String, DeadlineError> {
        match given {
            Some(code) if regime.allows_calendar(code, self.tables) => Ok(code.to_string()),
            Some(code) => Err(DeadlineError::CalendarNotAllowed {
                regime: regime.id.clone(),
                calendar: code.to_string(),
                allowed: regime.calendars.join(", ").replace("-*", "-<subdivision>"),
            }),
            None => regime.default_calendar.clone().ok_or_else(|| DeadlineError::CalendarRequired(regime.id.clone())),
        }
    }

    pub fn calendar(&self, code: &str) -> Result<Calendar, DeadlineError> {
        let extra = self.extra_days.get(code).map(Vec::as_slice).unwrap_or_default();
        self.tables.calendar(code, extra)
    }

    /// Compute every date of a request from its facts.
    pub fn compute(&self, facts: &Facts) -> Result<Deadline, DeadlineError> {
        let regime = self.regime(facts.regime)?;
        let rule = regime.rule(facts.kind).ok_or_else(|| DeadlineError::UnknownKind {
            regime: regime.id.clone(),
            kind: facts.kind.to_string(),
            allowed: regime.kinds().collect::<Vec<_>>().join(", "),
        })?;
        let received = facts.received.ok_or(DeadlineError::BadDate {
            what: "received",
            date: String::new(),
            problem: "the date of receipt is required".into(),
        })?;
        in_range("received", received)?;
        for (what, date) in [("identity verified", facts.verified), ("fee paid", facts.fee_paid)] {
            if let Some(date) = date {
                in_range(what, date)?;
                if date < received {
                    return Err(DeadlineError::BadDate {
                        what,
                        date: fmt(date),
                        problem: format!("before the date of receipt {}", fmt(received)),
                    });
                }
            }
        }
        let code = self.resolve_calendar(regime, facts.calendar)?;
        check_pauses(regime, facts, received)?;
        let cal = self.calendar(&code)?;

        let mut steps = Vec::new();
        let mut say = |field, text: String| steps.push(Step { field, text });
        say(Field::Received, format!("Received {} ({})", fmt(received), received.weekday()));
        let how = if facts.calendar.is_some() { "given" } else { "the regime's default" };
        say(Field::Received, format!("Holiday calendar {code} ({how}); rule: {}", rule.citation));

        // Clock start: the latest of the events the regime counts from.
        let mut clock_start = received;
        let mut start_reason = "the day of receipt".to_string();
        for (event, date, label) in [
            (ClockEvent::IdentityVerified, facts.verified, "identity confirmed"),
            (ClockEvent::FeePaid, facts.fee_paid, "fee paid"),
        ] {
            let Some(date) = date else { continue };
            if regime.clock_start.contains(&event) {
                if date > clock_start {
                    clock_start = date;
                    start_reason = format!("{label} on {}", fmt(date));
                }
            } else {
                say(
                    Field::ClockStart,
                    format!("{} {} does not move the clock under {}", capitalise(label), fmt(date), regime.name),
                );
            }
        }
        let note = regime.clock_start_note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
        say(Field::ClockStart, format!("Clock starts {} ({start_reason}){note}", fmt(clock_start)));

        let paused_days: u32 = facts
            .pauses
            .iter()
            .filter(|p| p.end >= clock_start)
            .map(|p| u32::try_from((p.end - p.start.max(clock_start)).whole_days() + 1).unwrap_or(0))
            .sum();
        for p in facts.pauses {
            let counted = if p.end < clock_start {
                "before the clock started: not counted".to_string()
            } else {
                let days = (p.end - p.start.max(clock_start)).whole_days() + 1;
                format!("{days} day(s) do not count")
            };
            say(
                Field::Due,
                format!(
                    "Clock stopped {} to {} awaiting clarification (both days included): {counted}",
                    fmt(p.start),
                    fmt(p.end)
                ),
            );
        }

        let acknowledge_by = match &rule.acknowledge_by {
            Some(p) => Some(dated(&cal, clock_start, p, 0, Field::AcknowledgeBy, "Acknowledge by", &mut say)?),
            None => None,
        };
        let due = dated(&cal, clock_start, &rule.due, paused_days, Field::Due, "Due", &mut say)?;
        let extended_due = match &rule.extended_due {
            Some(p) => Some(dated(
                &cal,
                clock_start,
                p,
                paused_days,
                Field::ExtendedDue,
                "Extended due (counted from the clock start)",
                &mut say,
            )?),
            None => {
                let why = match regime.extension {
                    Extension::OpenEnded => "the law lets the organisation name a later date itself, with notice",
                    _ => "the law gives no fixed extension for this kind",
                };
                say(Field::ExtendedDue, format!("No extended due date: {why}"));
                None
            }
        };
        Ok(Deadline {
            regime: regime.id.clone(),
            kind: facts.kind.to_string(),
            calendar: code,
            received,
            clock_start,
            acknowledge_by,
            due,
            extended_due,
            paused_days,
            citation: rule.citation.clone(),
            steps,
        })
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn in_range(what: &'static str, date: Date) -> Result<(), DeadlineError> {
    dates::check_range(date).map(|_| ()).map_err(|e| DeadlineError::BadDate {
        what,
        date: fmt(date),
        problem: e.to_string(),
    })
}

/// One period: its raw end, the paused days added, then the roll — each a step of the explanation.
fn dated(
    cal: &Calendar,
    start: Date,
    period: &regime::Period,
    paused_days: u32,
    field: Field,
    label: &str,
    say: &mut impl FnMut(Field, String),
) -> Result<Date, DeadlineError> {
    let (mut date, how) = count::period_end(cal, start, period)?;
    say(field, format!("{label}: {how}"));
    if paused_days > 0 {
        let before = date;
        date = count::add_days(date, i64::from(paused_days))?;
        say(field, format!("{label}: {} + {paused_days} paused day(s) → {}", fmt(before), fmt(date)));
    }
    let (rolled, why) = count::roll(cal, date, period.roll)?;
    match why {
        Some(why) => say(field, why),
        None if period.roll == Roll::None => {
            say(
                field,
                format!(
                    "{} ({}) stands as computed: this rule does not move a date off weekends or holidays",
                    fmt(date),
                    date.weekday()
                ),
            );
        }
        None => say(field, format!("{} is a working day ({})", fmt(date), date.weekday())),
    }
    Ok(rolled)
}

fn check_pauses(regime: &Regime, facts: &Facts, received: Date) -> Result<(), DeadlineError> {
    for (i, p) in facts.pauses.iter().enumerate() {
        let bad = |why: String| Err(DeadlineError::BadPause(p.label(), why));
        if !regime.allows_pause(facts.kind) {
            return Err(DeadlineError::PauseNotAllowed {
                regime: regime.id.clone(),
                kind: facts.kind.to_string(),
                pause: p.label(),
            });
        }
        for d in [p.start, p.end] {
            if dates::check_range(d).is_err() {
                return bad(format!("{} is outside the supported range 2020-01-01 to 2035-12-31", fmt(d)));
            }
        }
        if p.end < p.start {
            return bad("it ends before it starts".into());
        }
        if p.start < received {
            return bad(format!("it starts before the date of receipt {}", fmt(received)));
        }
        if let Some(other) = facts.pauses[..i].iter().find(|o| o.start <= p.end && p.start <= o.end) {
            return bad(format!("it shares days with pause {}", other.label()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
