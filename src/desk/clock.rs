//! What happens to the statutory clock of a request: fee paid, clock stopped and restarted, the one extension,
//! and a manual override. Each is a fact recorded with an audit event; the dates are re-derived from the facts.

use time::Date;

use super::{Desk, RequestDetail};
use crate::dates;
use crate::deadline::Extension;
use crate::domain::event::{self as ev, AuditEvent};
use crate::domain::{PauseReason, PauseRecord, Request};
use crate::error::{Error, Result};

pub(super) fn date(field: &str, text: &str) -> Result<Date> {
    dates::parse_in_range(text.trim()).map_err(|e| Error::invalid(field, format!("invalid date {e}")))
}

fn reason_text(reason: Option<&str>, what: &str) -> Result<String> {
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| Error::invalid("reason", format!("{what} needs a reason")))?;
    super::check_len("reason", reason, 5_000)?;
    Ok(reason.to_string())
}

impl Desk {
    /// A date of a clock event may not precede receipt nor lie in the future.
    pub(super) fn event_date(&self, r: &Request, field: &str, text: &str) -> Result<Date> {
        let d = date(field, text)?;
        if d < r.received {
            return Err(Error::invalid(
                field,
                format!("{} is before the request was received ({})", dates::fmt(d), dates::fmt(r.received)),
            ));
        }
        if d > self.today() {
            return Err(Error::invalid(field, format!("{} is in the future", dates::fmt(d))));
        }
        Ok(d)
    }

    pub(super) fn ensure_open(r: &Request) -> Result<()> {
        if r.status.is_open() {
            Ok(())
        } else {
            Err(Error::refused(format!(
                "{} is {}: its clock can no longer change",
                r.reference,
                r.status.label().to_lowercase()
            )))
        }
    }

    /// The requester paid the fee asked for (where the regime restarts the clock at payment, it does so).
    pub fn record_fee_paid(&self, id_or_reference: &str, on: &str) -> Result<RequestDetail> {
        self.update(id_or_reference, |r, _| {
            Self::ensure_open(r)?;
            let on = self.event_date(r, "on", on)?;
            let before = r.facts.fee_paid_on.replace(on);
            Ok(AuditEvent::FeePaid(ev::FeePaid { on: dates::fmt(on), before: before.map(dates::fmt), dates: None }))
        })
    }

    /// Stop the clock from `from` (inclusive) while waiting for the requester. Only one stop can be open at a time,
    /// and stops never overlap. Under a regime without a stop-the-clock rule the stop is recorded, but the
    /// statutory date does not move (the explanation says so).
    pub fn pause_clock(
        &self,
        id_or_reference: &str,
        from: &str,
        reason: &str,
        note: Option<&str>,
    ) -> Result<RequestDetail> {
        let reason = PauseReason::parse(reason.trim()).ok_or_else(|| {
            Error::invalid(
                "reason",
                format!("unknown reason '{reason}' (awaiting-identity, awaiting-clarification, awaiting-fee, other)"),
            )
        })?;
        let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        self.update(id_or_reference, |r, _| {
            Self::ensure_open(r)?;
            let from = self.event_date(r, "from", from)?;
            if let Some(open) = r.facts.pauses.iter().find(|p| p.end.is_none()) {
                return Err(Error::refused(format!("the clock is already stopped since {}", dates::fmt(open.start))));
            }
            if let Some(last) = r.facts.pauses.iter().filter_map(|p| p.end).max().filter(|end| *end >= from) {
                return Err(Error::invalid(
                    "from",
                    format!("a stop must start after the previous one ended ({})", dates::fmt(last)),
                ));
            }
            r.facts.pauses.push(PauseRecord { start: from, end: None, reason });
            Ok(AuditEvent::ClockPaused(ev::ClockPaused {
                from: dates::fmt(from),
                reason,
                note: note.clone(),
                dates: None,
            }))
        })
    }

    /// Restart the clock: `on` is the day the requester's answer arrived (it does not count either).
    pub fn resume_clock(&self, id_or_reference: &str, on: &str) -> Result<RequestDetail> {
        self.update(id_or_reference, |r, _| {
            let on = self.event_date(r, "on", on)?;
            let open = r
                .facts
                .pauses
                .iter_mut()
                .find(|p| p.end.is_none())
                .ok_or_else(|| Error::refused("the clock is not stopped"))?;
            if on < open.start {
                return Err(Error::invalid(
                    "on",
                    format!("{} is before the clock was stopped ({})", dates::fmt(on), dates::fmt(open.start)),
                ));
            }
            open.end = Some(on);
            let days = (on - open.start).whole_days() + 1;
            Ok(AuditEvent::ClockResumed(ev::ClockResumed {
                on: dates::fmt(on),
                stopped_since: dates::fmt(open.start),
                days,
                dates: None,
            }))
        })
    }

    /// Take the one extension the regime allows: the requester must have been told, with reasons, before the
    /// original due date. Where the law lets the organisation name the new date itself (CH, SG), `new_due` is it.
    pub fn take_extension(
        &self,
        id_or_reference: &str,
        told_on: &str,
        reason: Option<&str>,
        new_due: Option<&str>,
    ) -> Result<RequestDetail> {
        let reason = reason_text(reason, "an extension")?;
        self.update(id_or_reference, |r, _| {
            Self::ensure_open(r)?;
            let told = self.event_date(r, "told", told_on)?;
            if let Some(before) = r.facts.extended_on {
                return Err(Error::refused(format!(
                    "the extension was already taken (requester told {})",
                    dates::fmt(before)
                )));
            }
            let regime = self.engine().regime(&r.regime)?;
            let due = r
                .dates
                .due
                .ok_or_else(|| Error::refused(format!("{} has no statutory deadline to extend", r.reference)))?;
            if told > due {
                return Err(Error::invalid(
                    "told",
                    format!(
                        "the requester must be told before the original due date {}; {} is too late",
                        dates::fmt(due),
                        dates::fmt(told)
                    ),
                ));
            }
            let mut data =
                ev::ExtensionTaken { told_on: dates::fmt(told), reason: reason.clone(), new_due: None, dates: None };
            match (regime.extension, r.dates.extended_due, new_due) {
                (Extension::Fixed, Some(_), None) => {}
                (Extension::Fixed, Some(ext), Some(_)) => {
                    return Err(Error::invalid(
                        "new_due",
                        format!(
                            "{} fixes the extended date ({}): no new date can be chosen",
                            regime.name,
                            dates::fmt(ext)
                        ),
                    ));
                }
                (Extension::OpenEnded, _, Some(text)) => {
                    let new_due = date("new_due", text)?;
                    if new_due <= due {
                        return Err(Error::invalid(
                            "new_due",
                            format!("the new date must be after the original due date {}", dates::fmt(due)),
                        ));
                    }
                    r.facts.due_override = Some(new_due);
                    data.new_due = Some(dates::fmt(new_due));
                }
                (Extension::OpenEnded, _, None) => {
                    return Err(Error::invalid(
                        "new_due",
                        format!("under {} the organisation names the new date: give it", regime.name),
                    ));
                }
                _ => {
                    return Err(Error::invalid(
                        "told",
                        format!("{} allows no extension for this kind of request", regime.name),
                    ));
                }
            }
            r.facts.extended_on = Some(told);
            Ok(AuditEvent::ExtensionTaken(data))
        })
    }

    /// Set the date that applies by hand. Never silent: it needs a reason and is an audit event; `None` removes it.
    pub fn override_due(&self, id_or_reference: &str, to: Option<&str>, reason: Option<&str>) -> Result<RequestDetail> {
        let reason = reason_text(reason, "changing the due date by hand")?;
        self.update(id_or_reference, |r, _| {
            let to = to.map(|t| date("date", t)).transpose()?;
            if let Some(d) = to.filter(|d| *d < r.received) {
                return Err(Error::invalid("date", format!("{} is before the request was received", dates::fmt(d))));
            }
            let before = std::mem::replace(&mut r.facts.due_override, to);
            Ok(AuditEvent::DueOverridden(ev::DueOverridden {
                before: before.map(dates::fmt),
                after: to.map(dates::fmt),
                reason: reason.clone(),
                dates: None,
            }))
        })
    }
}
