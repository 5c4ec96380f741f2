//! ISO dates: strict parsing with messages a person can act on, formatting, and serde helpers.

use time::{Date, Month};

time::serde::format_description!(pub iso, Date, "[year]-[month]-[day]");

/// The dates Rightsdesk accepts as input (the deadline contract's range; the holiday tables reach one year further).
pub const FIRST_INPUT_YEAR: i32 = 2020;
pub const LAST_INPUT_YEAR: i32 = 2035;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date of the form YYYY-MM-DD")]
    Form(String),
    #[error("'{0}': no such calendar day")]
    NoSuchDay(String),
    #[error("'{0}' is outside the supported range {FIRST_INPUT_YEAR}-01-01 to {LAST_INPUT_YEAR}-12-31")]
    OutOfRange(String),
}

/// Parse `YYYY-MM-DD` exactly (no signs, no spaces, no two-digit years) and require a real calendar day.
pub fn parse(text: &str) -> Result<Date, DateError> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return Err(DateError::Form(text.to_string()));
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u16>().map_err(|_| DateError::Form(text.to_string()));
    let year = i32::from(num(0..4)?);
    let month = u8::try_from(num(5..7)?).map_err(|_| DateError::NoSuchDay(text.to_string()))?;
    let day = u8::try_from(num(8..10)?).map_err(|_| DateError::NoSuchDay(text.to_string()))?;
    let month = Month::try_from(month).map_err(|_| DateError::NoSuchDay(text.to_string()))?;
    Date::from_calendar_date(year, month, day).map_err(|_| DateError::NoSuchDay(text.to_string()))
}

/// Parse and require the supported input range.
pub fn parse_in_range(text: &str) -> Result<Date, DateError> {
    let date = parse(text)?;
    check_range(date).map_err(|_| DateError::OutOfRange(text.to_string()))?;
    Ok(date)
}

pub fn check_range(date: Date) -> Result<Date, DateError> {
    if (FIRST_INPUT_YEAR..=LAST_INPUT_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DateError::OutOfRange(fmt(date)))
    }
}

pub fn fmt(date: Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    match u16::try_from(year) {
        // Digit by digit, not through `format!`: the log export writes eight dates per request, a million
        // requests at a time.
        Ok(y) if y <= 9999 => {
            let d = |n: u16| char::from(b'0' + (n % 10) as u8);
            let (m, dd) = (u16::from(month), u16::from(day));
            [d(y / 1000), d(y / 100), d(y / 10), d(y), '-', d(m / 10), d(m), '-', d(dd / 10), d(dd)].iter().collect()
        }
        _ => format!("{year:04}-{month:02}-{day:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_iso_dates_for_every_year() {
        for (y, m, d) in
            [(2026, 3, 9), (1, 1, 1), (999, 12, 31), (9999, 12, 31), (-5, 7, 4), (-9999, 1, 1), (2000, 10, 20)]
        {
            let date = Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap();
            assert_eq!(fmt(date), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

    #[test]
    fn strict_parsing() {
        assert_eq!(fmt(parse("2028-02-29").unwrap()), "2028-02-29");
        for bad in ["2026-2-01", "26-02-01", "2026/02/01", " 2026-02-01", "2026-02-01x", "", "２０２６-02-01"] {
            assert!(matches!(parse(bad), Err(DateError::Form(_))), "{bad}");
        }
        for bad in ["2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "2026-01-00"] {
            assert!(matches!(parse(bad), Err(DateError::NoSuchDay(_))), "{bad}");
        }
        assert!(matches!(parse_in_range("2019-12-31"), Err(DateError::OutOfRange(_))));
        assert!(matches!(parse_in_range("2036-01-01"), Err(DateError::OutOfRange(_))));
        assert!(parse_in_range("2035-12-31").is_ok());
    }
}
