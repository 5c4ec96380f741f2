//! The organisation's non-working days, the recomputation they trigger, the deadline calendar and the internal
//! target setting.

use crate::support::Register;

use serde_json::Value;

const TODAY: &str = "2026-11-22";

fn add(reg: &Register, args: &[&str]) -> Value {
    reg.request().name("Ada Byron").args(args).json()
}

#[test]
fn a_declared_non_working_day_moves_open_requests_and_is_audited() {
    let reg = Register::new(TODAY);
    let uk = add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-20"]);
    assert_eq!(uk["due"], "2026-12-21");
    add(&reg, &["--kind", "access", "--regime", "eu-gdpr", "--calendar", "DE", "--received", "2026-11-20"]);
    let closed = add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-20"]);
    let closed_ref = closed["reference"].as_str().unwrap();
    reg.run(&["request", "status", closed_ref, "withdrawn"]);

    reg.run(&["calendar", "add-day", "--calendar", "GB-ENG", "--date", "2026-12-25", "--label", "x"])
        .assert_error("Christmas Day");
    reg.run(&["calendar", "add-day", "--calendar", "GB-ENG", "--date", "2026-12-19", "--label", "x"])
        .assert_error("Saturday");
    reg.run(&["calendar", "add-day", "--calendar", "XX-YY", "--date", "2026-12-21", "--label", "x"])
        .assert_error("XX-YY");
    reg.run(&["calendar", "add-day", "--calendar", "GB-ENG", "--date", "2026-12-21", "--label", " "])
        .assert_error("label");

    let report = reg
        .run(&[
            "calendar",
            "add-day",
            "--calendar",
            "GB-ENG",
            "--date",
            "2026-12-21",
            "--label",
            "State funeral",
            "--json",
        ])
        .json();
    assert_eq!(
        (report["checked"].as_u64(), report["changed"].as_u64()),
        (Some(1), Some(1)),
        "only the open GB-ENG request"
    );
    let moved = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(moved["due"], "2026-12-22");
    let last = moved["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "dates_recomputed");
    assert!(last["data"]["reason"].as_str().unwrap().contains("State funeral"));
    assert!(moved["explanation"]["due"].to_string().contains("State funeral (added by the organisation)"));
    let untouched = reg.run(&["request", "show", closed_ref, "--json"]).json();
    assert_eq!(untouched["due"], "2026-12-21", "closed requests keep the dates they closed with");

    let days = reg.run(&["calendar", "days", "--json"]).json();
    assert_eq!(days[0]["label"], "State funeral");
    // A new request counts with the new day at once.
    let new = add(&reg, &["--kind", "erasure", "--regime", "uk-gdpr", "--received", "2026-11-21"]);
    assert_eq!(new["due"], "2026-12-22");

    reg.run(&["calendar", "remove-day", "--calendar", "GB-ENG", "--date", "2026-12-21", "--reason", " "])
        .assert_error("reason");
    let back = reg
        .run(&[
            "calendar",
            "remove-day",
            "--calendar",
            "GB-ENG",
            "--date",
            "2026-12-21",
            "--reason",
            "Announced in error",
            "--json",
        ])
        .json();
    assert_eq!(back["changed"], 2);
    assert_eq!(reg.run(&["request", "show", "RD-2026-0001", "--json"]).json()["due"], "2026-12-21");
    assert_eq!(reg.run(&["calendar", "days", "--json"]).json(), serde_json::json!([]));
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn deadline_calendar_export_has_every_open_deadline_and_no_names() {
    let reg = Register::new(TODAY);
    add(&reg, &["--kind", "access", "--regime", "us-ca-ccpa", "--received", "2026-11-02"]);
    add(&reg, &["--kind", "appeal", "--regime", "eu-gdpr", "--calendar", "FR", "--received", "2026-11-02"]);
    let out = reg.path("deadlines.ics");
    let v = reg.run(&["calendar", "export", "--out", out.to_str().unwrap(), "--json"]).json();
    // CCPA access: due, internal target, acknowledgement (still "received"); the appeal: its internal target only.
    assert_eq!(v["events"], 4);
    let ics = std::fs::read_to_string(&out).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR") && ics.trim_end().ends_with("END:VCALENDAR"));
    assert!(ics.contains("SUMMARY:Due: RD-2026-0001 (Access") && ics.contains("DTSTART;VALUE=DATE:20261216"), "{ics}");
    assert!(ics.contains("SUMMARY:Acknowledge: RD-2026-0001"));
    assert!(!ics.contains("Ada") && !ics.contains("Byron"), "no requester names in a calendar file");
}

#[test]
fn the_internal_target_follows_the_setting() {
    let reg = Register::new(TODAY);
    let r = add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-20"]);
    assert_eq!(r["internal_target"], "2026-12-14"); // 5 working days before Mon 21 Dec
    let v = reg.run(&["settings", "target-days", "--regime", "uk-gdpr", "--days", "10", "--json"]).json();
    assert_eq!(v["changed"], 1);
    assert_eq!(reg.run(&["request", "show", "RD-2026-0001", "--json"]).json()["internal_target"], "2026-12-07");
    let later = add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-20"]);
    assert_eq!(later["internal_target"], "2026-12-07", "new requests use the setting");
    reg.run(&["settings", "target-days", "--regime", "mars", "--days", "3"]).assert_error("mars");
    reg.run(&["settings", "target-days", "--regime", "uk-gdpr", "--days", "45"]).assert_error("45");
}
