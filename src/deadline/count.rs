//! The counting building blocks of the deadline contract: months, days, business days, and the rolls.

use time::{Date, Duration, Month};

use super::DeadlineError;
use super::calendar::{Calendar, is_weekend};
use super::regime::{Period, PeriodUnit, Roll};
use crate::dates::fmt;

/// `months(D, n)`: the same day-of-month `n` months later, or the last day of a shorter month.
/// Returns the date and whether it was clamped to a month end.
pub fn add_months(date: Date, n: u32) -> Result<(Date, bool), DeadlineError> {
    let months = i64::from(date.month() as u8) - 1 + i64::from(n);
    let year = i32::try_from(i64::from(date.year()) + months / 12).map_err(|_| DeadlineError::BeyondTables(date))?;
    let month =
        Month::try_from(u8::try_from(months % 12 + 1).unwrap_or(1)).map_err(|_| DeadlineError::BeyondTables(date))?;
    let last = month.length(year);
    let day = date.day().min(last);
    let result = Date::from_calendar_date(year, month, day).map_err(|_| DeadlineError::BeyondTables(date))?;
    Ok((result, day < date.day()))
}

pub fn add_days(date: Date, n: i64) -> Result<Date, DeadlineError> {
    date.checked_add(Duration::days(n)).ok_or(DeadlineError::BeyondTables(date))
}

/// `bdays1(D, n)`: the n-th business day, D being business day 1 when it is one.
pub fn business_days_inclusive(cal: &Calendar, date: Date, n: u32) -> Result<Date, DeadlineError> {
    let mut day = date;
    let mut counted = 0;
    loop {
        if cal.is_working_day(day)? {
            counted += 1;
            if counted == n {
                return Ok(day);
            }
        }
        day = add_days(day, 1)?;
    }
}

/// `n` working days before `date` (for internal targets ahead of a statutory date).
pub fn minus_working_days(cal: &Calendar, date: Date, n: u32) -> Result<Date, DeadlineError> {
    let mut day = date;
    let mut counted = 0;
    while counted < n {
        day = add_days(day, -1)?;
        if cal.is_working_day(day)? {
            counted += 1;
        }
    }
    Ok(day)
}

/// Why a day does not count as a working day, in words; `None` for a working day.
pub fn why_not_working(cal: &Calendar, date: Date, roll: Roll) -> Result<Option<String>, DeadlineError> {
    let name = cal.holiday_name(date);
    if cal.is_holiday(date)? {
        let name = name.unwrap_or_else(|| "a public holiday".into());
        return Ok(Some(format!("{} is {name} (public holiday in {})", fmt(date), cal.code())));
    }
    let stops = match roll {
        Roll::None => false,
        Roll::Working => is_weekend(date),
        Roll::NonHoliday => date.weekday() == time::Weekday::Sunday,
    };
    Ok(stops.then(|| format!("{} is a {}", fmt(date), date.weekday())))
}

/// Apply a roll: returns the rolled date and one explanation step if it moved.
pub fn roll(cal: &Calendar, date: Date, roll: Roll) -> Result<(Date, Option<String>), DeadlineError> {
    if roll == Roll::None {
        return Ok((date, None));
    }
    let mut day = date;
    let mut reasons = Vec::new();
    while let Some(reason) = why_not_working(cal, day, roll)? {
        reasons.push(reason);
        day = add_days(day, 1)?;
    }
    if reasons.is_empty() {
        return Ok((date, None));
    }
    let target = match roll {
        Roll::Working => "next working day",
        _ => "next day that is not a Sunday or public holiday",
    };
    Ok((day, Some(format!("{} → {target} {} ({})", reasons.join("; "), fmt(day), day.weekday()))))
}

fn count_words(n: u32, unit: &str) -> String {
    const WORDS: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let number = usize::try_from(n).ok().and_then(|i| WORDS.get(i)).map_or_else(|| n.to_string(), |w| (*w).to_string());
    let plural = if n == 1 { "" } else { "s" };
    format!("{number} {unit}{plural}")
}

/// The unrolled end of a period counted from `start`, with the step that explains it.
pub fn period_end(cal: &Calendar, start: Date, p: &Period) -> Result<(Date, String), DeadlineError> {
    let from = fmt(start);
    Ok(match p.period {
        PeriodUnit::Months => {
            let (end, clamped) = add_months(start, p.count)?;
            let what = count_words(p.count, "calendar month");
            let note = if clamped {
                format!(" (no {} {}: last day of the month)", start.day(), end.month())
            } else {
                String::new()
            };
            (end, format!("{what} from {from} → {}{note}", fmt(end)))
        }
        PeriodUnit::Days => {
            let end = add_days(start, i64::from(p.count))?;
            (
                end,
                format!(
                    "{} after {from}, the day of receipt not counted → {}",
                    count_words(p.count, "calendar day"),
                    fmt(end)
                ),
            )
        }
        PeriodUnit::DaysInclusive => {
            let end = add_days(start, i64::from(p.count) - 1)?;
            (end, format!("{} counting {from} as day 1 → {}", count_words(p.count, "calendar day"), fmt(end)))
        }
        PeriodUnit::BusinessDaysInclusive => {
            let end = business_days_inclusive(cal, start, p.count)?;
            let first = if cal.is_working_day(start)? {
                format!("{from} as business day 1")
            } else {
                format!("the first business day after {from} as day 1")
            };
            (
                end,
                format!(
                    "{} counting {first}, skipping weekends and {} holidays → {}",
                    count_words(p.count, "business day"),
                    cal.code(),
                    fmt(end)
                ),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1).unwrap(), (date!(2026 - 02 - 28), true));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1).unwrap(), (date!(2028 - 02 - 29), true));
        assert_eq!(add_months(date!(2026 - 08 - 31), 1).unwrap(), (date!(2026 - 09 - 30), true));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3).unwrap(), (date!(2027 - 02 - 28), true));
        assert_eq!(add_months(date!(2026 - 12 - 15), 1).unwrap(), (date!(2027 - 01 - 15), false));
        assert_eq!(add_months(date!(2026 - 10 - 31), 3).unwrap(), (date!(2027 - 01 - 31), false));
    }
}
