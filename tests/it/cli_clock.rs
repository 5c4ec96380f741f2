//! The statutory clock of a logged request: stops, restarts, the one extension, overrides — each audited, the
//! dates always re-derived from the recorded facts.

use crate::support::{self, Register};

use serde_json::Value;

/// A register with one request logged on `today` (`args`: its options); the database path and the request.
fn setup(today: &str, args: &[&str]) -> (Register, std::path::PathBuf, Value) {
    let reg = Register::new(today);
    let v = reg.request().name("Pat Doe").args(args).json();
    let db = reg.db.clone();
    (reg, db, v)
}

#[test]
fn uk_access_clock_stops_for_clarification_and_the_dates_move() {
    let (_d, db, v) = setup("2026-03-20", &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-03-02"]);
    assert_eq!(v["due"], "2026-04-02");
    let run = |args: &[&str]| support::run_now(&db, "2026-03-20", args);
    let v = run(&[
        "request",
        "pause",
        "RD-2026-0001",
        "--from",
        "2026-03-05",
        "--reason",
        "awaiting-clarification",
        "--json",
    ])
    .json();
    assert_eq!(v["pauses"][0]["end"], Value::Null);
    // Open stop: assumed to end today (5 → 20 March = 16 days) until the answer arrives.
    assert_eq!(v["paused_days"], 16);
    run(&["request", "pause", "RD-2026-0001", "--from", "2026-03-06", "--reason", "other"])
        .assert_error("already stopped");
    let v = run(&["request", "resume", "RD-2026-0001", "--on", "2026-03-09", "--json"]).json();
    // The contract's worked example: 2 April + 5 paused days = Tuesday 7 April; extension 8 June.
    assert_eq!(v["paused_days"], 5);
    assert_eq!(v["due"], "2026-04-07");
    assert_eq!(v["extended_due"], "2026-06-08");
    let last = v["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "clock_resumed");
    // Before: 2 April + 16 days = Saturday 18 April → Monday 20 April.
    assert_eq!(last["data"]["dates"]["before"]["due"], "2026-04-20", "the event records the dates before and after");
    assert_eq!(last["data"]["dates"]["after"]["due"], "2026-04-07");
    run(&["request", "pause", "RD-2026-0001", "--from", "2026-03-08", "--reason", "other"])
        .assert_error("after the previous one");
    run(&["request", "resume", "RD-2026-0001", "--on", "2026-03-10"]).assert_error("not stopped");
    run(&["request", "pause", "RD-2026-0001", "--from", "2026-03-25", "--reason", "other"]).assert_error("future");
    run(&["request", "pause", "RD-2026-0001", "--from", "2026-03-12", "--reason", "sulking"]).assert_error("sulking");
}

#[test]
fn a_stop_under_gdpr_is_recorded_but_moves_nothing() {
    let (_d, db, v) = setup(
        "2026-03-20",
        &["--kind", "erasure", "--regime", "eu-gdpr", "--calendar", "NL", "--received", "2026-03-02"],
    );
    let v2 = support::run_now(
        &db,
        "2026-03-20",
        &["request", "pause", "RD-2026-0001", "--from", "2026-03-05", "--reason", "awaiting-identity", "--json"],
    )
    .json();
    assert_eq!(v2["due"], v["due"]);
    assert_eq!(v2["paused_days"], 0);
    let steps = v2["explanation"]["due"].as_array().unwrap();
    assert!(steps.iter().any(|s| s.as_str().unwrap().contains("does not move")), "{steps:?}");
}

#[test]
fn the_one_extension_must_be_told_in_time_with_reasons() {
    let (_d, db, v) = setup("2026-12-10", &["--kind", "erasure", "--regime", "us-ca-ccpa", "--received", "2026-11-02"]);
    assert_eq!((v["due"].as_str(), v["extended_due"].as_str()), (Some("2026-12-16"), Some("2027-01-30")));
    let run = |args: &[&str]| support::run_now(&db, "2026-12-10", args);
    run(&["request", "extend", "RD-2026-0001", "--told", "2026-12-09", "--reason", " "]).assert_error("reason");
    let v = run(&[
        "request",
        "extend",
        "RD-2026-0001",
        "--told",
        "2026-12-09",
        "--reason",
        "Records in three archives",
        "--json",
    ])
    .json();
    assert_eq!(v["effective_due"], "2027-01-30");
    assert_eq!(v["extended_on"], "2026-12-09");
    run(&["request", "extend", "RD-2026-0001", "--told", "2026-12-10", "--reason", "again"])
        .assert_error("already taken");

    // Too late: the requester must hear of it before the original due date.
    let (_d2, db2, _) = setup("2027-01-05", &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02"]);
    support::run_now(
        &db2,
        "2027-01-05",
        &["request", "extend", "RD-2026-0001", "--told", "2027-01-04", "--reason", "Complex"],
    )
    .assert_error("too late");
    // No extension where the law gives none.
    let (_d3, db3, _) = setup("2026-11-20", &["--kind", "access", "--regime", "br-lgpd", "--received", "2026-11-02"]);
    support::run_now(
        &db3,
        "2026-11-20",
        &["request", "extend", "RD-2026-0001", "--told", "2026-11-10", "--reason", "x"],
    )
    .assert_error("no extension");
}

#[test]
fn open_ended_extensions_take_the_date_the_organisation_names() {
    let (_d, db, v) = setup("2026-11-20", &["--kind", "access", "--regime", "ch-fadp", "--received", "2026-11-02"]);
    assert_eq!(v["due"], "2026-12-02");
    let run = |args: &[&str]| support::run_now(&db, "2026-11-20", args);
    run(&["request", "extend", "RD-2026-0001", "--told", "2026-11-19", "--reason", "Archives"])
        .assert_error("new date");
    let v = run(&[
        "request",
        "extend",
        "RD-2026-0001",
        "--told",
        "2026-11-19",
        "--reason",
        "Archives",
        "--new-due",
        "2027-01-15",
        "--json",
    ])
    .json();
    assert_eq!(v["effective_due"], "2027-01-15");
    assert!(v["explanation"]["effective_due"][0].as_str().unwrap().contains("Extended to 2027-01-15"));
}

#[test]
fn a_manual_override_needs_a_reason_and_can_be_cleared() {
    let (_d, db, v) = setup("2026-11-20", &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02"]);
    let run = |args: &[&str]| support::run_now(&db, "2026-11-20", args);
    run(&["request", "override-due", "RD-2026-0001", "--date", "2026-11-30", "--reason", ""]).assert_error("reason");
    let o = run(&[
        "request",
        "override-due",
        "RD-2026-0001",
        "--date",
        "2026-11-30",
        "--reason",
        "Agreed with the ICO",
        "--json",
    ])
    .json();
    assert_eq!(o["effective_due"], "2026-11-30");
    assert_eq!(o["due"], v["due"], "the statutory date itself never changes by hand");
    let c =
        run(&["request", "override-due", "RD-2026-0001", "--clear", "--reason", "Entered in error", "--json"]).json();
    assert_eq!(c["effective_due"], v["due"]);
    let kinds: Vec<&str> = c["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "due_overridden", "due_overridden"]);
}

#[test]
fn a_clock_stopped_for_over_90_days_is_flagged() {
    let (_d, db, _) = setup("2026-03-20", &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-03-02"]);
    support::run_now(
        &db,
        "2026-03-20",
        &["request", "pause", "RD-2026-0001", "--from", "2026-03-05", "--reason", "awaiting-clarification"],
    );
    let early = support::run_now(&db, "2026-05-01", &["request", "show", "RD-2026-0001", "--json"]).json();
    assert!(early["flags"].as_array().unwrap().is_empty());
    let late = support::run_now(&db, "2026-07-01", &["request", "show", "RD-2026-0001", "--json"]).json();
    assert!(late["flags"][0].as_str().unwrap().contains("119 days"), "{}", late["flags"]);
}

#[test]
fn a_verified_identity_starts_the_uk_clock_but_not_the_eu_or_ccpa_one() {
    let (_d, db, v) = setup("2026-03-20", &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-03-02"]);
    assert_eq!(v["due"], "2026-04-02");
    let run = |args: &[&str]| support::run_now(&db, "2026-03-20", args);
    run(&["request", "verify", "RD-2026-0001", "--method", "telepathy", "--outcome", "verified", "--on", "2026-03-10"])
        .assert_error("telepathy");
    run(&["request", "verify", "RD-2026-0001", "--method", "id-document", "--outcome", "maybe", "--on", "2026-03-10"])
        .assert_error("maybe");
    let failed = run(&[
        "request",
        "verify",
        "RD-2026-0001",
        "--method",
        "email-code",
        "--outcome",
        "failed",
        "--on",
        "2026-03-05",
        "--json",
    ])
    .json();
    assert_eq!(failed["clock_start"], "2026-03-02", "a failed check starts nothing");
    let v = run(&[
        "request",
        "verify",
        "RD-2026-0001",
        "--method",
        "id-document",
        "--outcome",
        "verified",
        "--on",
        "2026-03-10",
        "--note",
        "Passport seen",
        "--json",
    ])
    .json();
    assert_eq!((v["clock_start"].as_str(), v["due"].as_str()), (Some("2026-03-10"), Some("2026-04-10")));
    let last = v["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["data"]["method"].as_str()),
        (Some("identity_checked"), Some("id-document"))
    );

    let (_d2, db2, c) =
        setup("2026-11-20", &["--kind", "access", "--regime", "us-ca-ccpa", "--received", "2026-11-02"]);
    let c2 = support::run_now(
        &db2,
        "2026-11-20",
        &[
            "request",
            "verify",
            "RD-2026-0001",
            "--method",
            "account-match",
            "--outcome",
            "verified",
            "--on",
            "2026-11-12",
            "--json",
        ],
    )
    .json();
    assert_eq!(c2["due"], c["due"], "CCPA: verification never moves the clock (11 CCR 7021(b))");
    assert!(c2["explanation"]["clock_start"].to_string().contains("does not move the clock"));
}
