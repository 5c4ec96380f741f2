use proptest::prelude::*;
use time::macros::date;

use super::*;

fn engine() -> Engine {
    Engine::shipped().unwrap()
}

fn run(regime: &str, kind: &str, received: Date) -> Deadline {
    engine().compute(&Facts { regime, kind, received: Some(received), ..Facts::default() }).unwrap()
}

#[test]
fn official_uk_examples() {
    let cases = [
        (date!(2024 - 09 - 03), date!(2024 - 10 - 03), Some(date!(2024 - 12 - 03))),
        (date!(2027 - 01 - 01), date!(2027 - 02 - 01), None),
        (date!(2024 - 11 - 25), date!(2024 - 12 - 27), None),
        (date!(2026 - 01 - 31), date!(2026 - 03 - 02), None),
        (date!(2027 - 01 - 31), date!(2027 - 03 - 01), None),
        (date!(2028 - 01 - 31), date!(2028 - 02 - 29), None),
        (date!(2025 - 01 - 30), date!(2025 - 02 - 28), None),
    ];
    for (received, due, extended) in cases {
        let d = run("uk-gdpr", "access", received);
        assert_eq!(d.due, due, "received {received}: {:#?}", d.explanation());
        if let Some(ext) = extended {
            assert_eq!(d.extended_due, Some(ext));
        }
        assert_eq!(d.acknowledge_by, None);
    }
}

#[test]
fn uk_worked_pause_example() {
    let pauses = [Pause { start: date!(2026 - 03 - 05), end: date!(2026 - 03 - 09) }];
    let d = engine()
        .compute(&Facts {
            regime: "uk-gdpr",
            kind: "access",
            received: Some(date!(2026 - 03 - 02)),
            pauses: &pauses,
            ..Facts::default()
        })
        .unwrap();
    assert_eq!((d.due, d.extended_due, d.paused_days), (date!(2026 - 04 - 07), Some(date!(2026 - 06 - 08)), 5));
}

#[test]
fn uk_clock_starts_at_latest_of_verification_and_fee() {
    let d = engine()
        .compute(&Facts {
            regime: "uk-gdpr",
            kind: "erasure",
            received: Some(date!(2026 - 03 - 02)),
            verified: Some(date!(2026 - 03 - 10)),
            fee_paid: Some(date!(2026 - 03 - 05)),
            ..Facts::default()
        })
        .unwrap();
    assert_eq!(d.clock_start, date!(2026 - 03 - 10));
    assert_eq!(d.due, date!(2026 - 04 - 10));
    // A pause before the clock starts does not count.
    let pauses = [Pause { start: date!(2026 - 03 - 03), end: date!(2026 - 03 - 12) }];
    let d = engine()
        .compute(&Facts {
            regime: "uk-gdpr",
            kind: "access",
            received: Some(date!(2026 - 03 - 02)),
            verified: Some(date!(2026 - 03 - 10)),
            pauses: &pauses,
            ..Facts::default()
        })
        .unwrap();
    assert_eq!(d.paused_days, 3);
}

#[test]
fn eu_needs_a_calendar_and_ignores_verification() {
    let e = engine();
    let err = e.compute(&Facts {
        regime: "eu-gdpr",
        kind: "access",
        received: Some(date!(2026 - 05 - 04)),
        ..Facts::default()
    });
    assert!(matches!(err, Err(DeadlineError::CalendarRequired(_))));
    let d = e
        .compute(&Facts {
            regime: "eu-gdpr",
            kind: "access",
            calendar: Some("DE-BY"),
            received: Some(date!(2026 - 05 - 04)),
            verified: Some(date!(2026 - 05 - 20)),
            ..Facts::default()
        })
        .unwrap();
    // 4 June 2026 is Corpus Christi in Bavaria (Thursday) → Friday 5 June.
    assert_eq!((d.clock_start, d.due), (date!(2026 - 05 - 04), date!(2026 - 06 - 05)));
    assert!(d.explanation().iter().any(|s| s.contains("Corpus Christi")), "{:#?}", d.explanation());
}

#[test]
fn ccpa_counts_receipt_as_day_one_and_never_rolls() {
    let d = run("us-ca-ccpa", "access", date!(2026 - 01 - 02));
    assert_eq!(d.due, date!(2026 - 02 - 15)); // R+44, a Sunday, stands.
    assert_eq!(d.extended_due, Some(date!(2026 - 04 - 01))); // R+89
    // Business day 1 = Fri 2 Jan; 19 Jan is MLK Day → 10th business day is 16 Jan.
    assert_eq!(d.acknowledge_by, Some(date!(2026 - 01 - 15)));
    let d = run("us-ca-ccpa", "opt-out-sale-sharing", date!(2026 - 01 - 03));
    // Saturday receipt: business day 1 is Mon 5 Jan; MLK 19 Jan skipped → day 15 is 26 Jan.
    assert_eq!((d.due, d.extended_due, d.acknowledge_by), (date!(2026 - 01 - 26), None, None));
}

#[test]
fn roll_variants() {
    // Colorado appeal: day 45 and day 105 from receipt, rolled to working days.
    let d = run("us-co-cpa", "appeal", date!(2026 - 01 - 01));
    // Day 45 is Sunday 15 Feb; Monday 16 Feb is Washington's Birthday → Tuesday 17 Feb.
    assert_eq!(d.due, date!(2026 - 02 - 17));
    // Day 105 is Thursday 16 April: a working day.
    assert_eq!(d.extended_due, Some(date!(2026 - 04 - 16)));
    // Canada rolls only Sundays and holidays.
    let d = run("ca-pipeda", "access", date!(2026 - 01 - 31));
    assert_eq!(d.due, date!(2026 - 03 - 02)); // 2 Mar is a Monday: day 30 itself.
    let d = run("sg-pdpa", "access", date!(2026 - 01 - 01));
    assert_eq!(d.due, date!(2026 - 01 - 31)); // a Saturday stays under a non-holiday roll.
}

#[test]
fn pause_errors() {
    let e = engine();
    let facts = |pauses: &'static [Pause], regime: &'static str, kind: &'static str| Facts {
        regime,
        kind,
        received: Some(date!(2026 - 03 - 02)),
        pauses,
        ..Facts::default()
    };
    static REVERSED: [Pause; 1] = [Pause { start: date!(2026 - 03 - 09), end: date!(2026 - 03 - 05) }];
    static EARLY: [Pause; 1] = [Pause { start: date!(2026 - 03 - 01), end: date!(2026 - 03 - 05) }];
    static OVERLAP: [Pause; 2] = [
        Pause { start: date!(2026 - 03 - 05), end: date!(2026 - 03 - 09) },
        Pause { start: date!(2026 - 03 - 09), end: date!(2026 - 03 - 12) },
    ];
    assert!(matches!(e.compute(&facts(&REVERSED, "uk-gdpr", "access")), Err(DeadlineError::BadPause(..))));
    assert!(matches!(e.compute(&facts(&EARLY, "uk-gdpr", "access")), Err(DeadlineError::BadPause(..))));
    assert!(matches!(e.compute(&facts(&OVERLAP, "uk-gdpr", "access")), Err(DeadlineError::BadPause(..))));
    assert!(matches!(
        e.compute(&facts(&OVERLAP[..1], "uk-gdpr", "erasure")),
        Err(DeadlineError::PauseNotAllowed { .. })
    ));
}

fn any_date() -> impl Strategy<Value = Date> {
    (0i64..(16 * 365))
        .prop_map(|n| date!(2020 - 01 - 01) + time::Duration::days(n))
        .prop_filter("in range", |d| d.year() <= 2035)
}

fn any_case() -> impl Strategy<Value = (&'static Regime, String, Option<String>)> {
    let regimes = Regimes::shipped().unwrap().all();
    (0..regimes.len(), any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(move |(r, k, c)| {
        let regime = &regimes[r];
        let kinds: Vec<&str> = regime.kinds().collect();
        let tables = HolidayTables::shipped().unwrap();
        let mut cals: Vec<&str> = tables.codes().filter(|code| regime.allows_calendar(code, tables)).collect();
        cals.sort_unstable();
        let cal = regime.default_calendar.is_none().then(|| c.get(&cals).to_string());
        (regime, k.get(&kinds).to_string(), cal)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dates_are_ordered_and_rolled((regime, kind, cal) in any_case(), received in any_date(), verify in 0i64..60) {
        let e = engine();
        let verified = Some(received + time::Duration::days(verify)).filter(|d| d.year() <= 2035);
        let d = e.compute(&Facts { regime: &regime.id, kind: &kind, calendar: cal.as_deref(), received: Some(received), verified, ..Facts::default() }).unwrap();
        prop_assert!(d.clock_start >= d.received);
        prop_assert!(d.due >= d.clock_start);
        let rule = regime.rule(&kind).unwrap();
        let calendar = e.calendar(&d.calendar).unwrap();
        match rule.due.roll {
            Roll::Working => prop_assert!(calendar.is_working_day(d.due).unwrap()),
            Roll::NonHoliday => prop_assert!(!calendar.is_holiday(d.due).unwrap() && d.due.weekday() != time::Weekday::Sunday),
            Roll::None => {}
        }
        prop_assert_eq!(d.extended_due.is_some(), rule.extended_due.is_some());
        if let Some(ext) = d.extended_due { prop_assert!(ext >= d.due); }
        if let Some(ack) = d.acknowledge_by { prop_assert!(ack >= d.received && ack <= d.due); }
        prop_assert!(!d.explanation().is_empty());
    }

    #[test]
    fn a_pause_never_makes_a_date_earlier(received in any_date(), start in 0i64..40, len in 0i64..40) {
        let e = engine();
        let base = e.compute(&Facts { regime: "uk-gdpr", kind: "access", received: Some(received), ..Facts::default() }).unwrap();
        let pause = [Pause { start: received + time::Duration::days(start), end: received + time::Duration::days(start + len) }];
        prop_assume!(pause[0].end.year() <= 2035);
        let paused = e.compute(&Facts { regime: "uk-gdpr", kind: "access", received: Some(received), pauses: &pause, ..Facts::default() }).unwrap();
        prop_assert!(paused.due >= base.due);
        prop_assert!(paused.extended_due >= base.extended_due);
        prop_assert_eq!(i64::from(paused.paused_days), len + 1);
    }
}
