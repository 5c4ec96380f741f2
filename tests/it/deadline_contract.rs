//! `rightsdesk deadline` against deadline-contract.md: the official examples, thousands of cases computed by an
//! independent implementation (scripts/deadline_oracle.py), and every error class.

use crate::support::run;
use serde_json::Value;

#[test]
fn official_examples() {
    let cases = [
        ("2024-09-03", "2024-10-03", "2024-12-03"),
        ("2027-01-01", "2027-02-01", "2027-04-01"),
        ("2024-11-25", "2024-12-27", "2025-02-25"),
        ("2026-01-31", "2026-03-02", "2026-04-30"),
        ("2027-01-31", "2027-03-01", "2027-04-30"),
        ("2028-01-31", "2028-02-29", "2028-05-02"),
        ("2025-01-30", "2025-02-28", "2025-04-30"),
    ];
    for (received, due, extended) in cases {
        let v = run(&["deadline", "--regime", "uk-gdpr", "--kind", "access", "--received", received, "--json"]).json();
        assert_eq!(v["due"], due, "received {received}");
        assert_eq!(v["extended_due"], extended, "received {received}");
        assert_eq!(v["calendar"], "GB-ENG");
        assert_eq!(v["clock_start"], received);
    }
}

#[test]
fn worked_pause_example_and_field_shape() {
    let v = run(&[
        "deadline",
        "--json",
        "--pause",
        "2026-03-05:2026-03-09",
        "--kind",
        "access",
        "--received",
        "2026-03-02",
        "--regime",
        "uk-gdpr",
    ])
    .json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "regime",
        "kind",
        "calendar",
        "received",
        "clock_start",
        "acknowledge_by",
        "due",
        "extended_due",
        "paused_days",
        "explanation",
    ] {
        assert!(keys.contains(&k), "missing {k}");
    }
    assert_eq!(v["due"], "2026-04-07");
    assert_eq!(v["extended_due"], "2026-06-08");
    assert_eq!(v["paused_days"], 5);
    assert_eq!(v["acknowledge_by"], Value::Null);
    let explanation = v["explanation"].as_array().unwrap();
    assert!(!explanation.is_empty() && explanation.iter().all(Value::is_string));
}

#[test]
fn oracle_cases() {
    let text = include_str!("../fixtures/deadline_cases.jsonl");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let mut args: Vec<&str> = case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        args.insert(0, "deadline");
        args.push("--json");
        let out = run(&args);
        count += 1;
        if out.code != 0 {
            failures.push(format!("{args:?}: {}", out.stderr));
            continue;
        }
        let got: Value = serde_json::from_str(&out.stdout).unwrap();
        for (field, want) in case["expect"].as_object().unwrap() {
            if &got[field] != want {
                failures.push(format!("{args:?}: {field} = {} but the contract gives {want}", got[field]));
            }
        }
    }
    assert!(count >= 4000, "fixture cases missing");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn invalid_input_is_one_line_on_stderr_and_nothing_on_stdout() {
    let base = ["deadline", "--json"];
    let cases: &[(&[&str], &str)] = &[
        (&["--regime", "xx-law", "--kind", "access", "--received", "2026-01-05"], "xx-law"),
        (&["--regime", "uk-gdpr", "--kind", "teleport", "--received", "2026-01-05"], "teleport"),
        (&["--regime", "us-ca-ccpa", "--kind", "portability", "--received", "2026-01-05"], "portability"),
        (&["--kind", "access", "--received", "2026-01-05"], "--regime"),
        (&["--regime", "uk-gdpr", "--received", "2026-01-05"], "--kind"),
        (&["--regime", "uk-gdpr", "--kind", "access"], "--received"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-02-30"], "2026-02-30"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2027-02-29"], "2027-02-29"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-13-01"], "2026-13-01"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "26-01-05"], "26-01-05"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2019-12-31"], "2019-12-31"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2036-01-01"], "2036-01-01"),
        (
            &["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--verified", "2026-03-01"],
            "2026-03-01",
        ),
        (
            &["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--fee-paid", "2026-02-01"],
            "2026-02-01",
        ),
        (&["--regime", "eu-gdpr", "--kind", "access", "--received", "2026-03-02"], "calendar"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--calendar", "US"], "US"),
        (
            &["--regime", "eu-gdpr", "--kind", "access", "--received", "2026-03-02", "--calendar", "BE-Flemish"],
            "BE-Flemish",
        ),
        (
            &["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--pause", "2026-03-05"],
            "2026-03-05",
        ),
        (
            &[
                "--regime",
                "uk-gdpr",
                "--kind",
                "access",
                "--received",
                "2026-03-02",
                "--pause",
                "2026-03-09:2026-03-05",
            ],
            "2026-03-09:2026-03-05",
        ),
        (
            &[
                "--regime",
                "uk-gdpr",
                "--kind",
                "access",
                "--received",
                "2026-03-02",
                "--pause",
                "2026-03-01:2026-03-05",
            ],
            "2026-03-01:2026-03-05",
        ),
        (
            &[
                "--regime",
                "uk-gdpr",
                "--kind",
                "access",
                "--received",
                "2026-03-02",
                "--pause",
                "2026-03-05:2026-03-09",
                "--pause",
                "2026-03-09:2026-03-10",
            ],
            "2026-03-09:2026-03-10",
        ),
        (
            &[
                "--regime",
                "uk-gdpr",
                "--kind",
                "erasure",
                "--received",
                "2026-03-02",
                "--pause",
                "2026-03-05:2026-03-09",
            ],
            "2026-03-05:2026-03-09",
        ),
        (
            &[
                "--regime",
                "eu-gdpr",
                "--calendar",
                "FR",
                "--kind",
                "access",
                "--received",
                "2026-03-02",
                "--pause",
                "2026-03-05:2026-03-09",
            ],
            "2026-03-05:2026-03-09",
        ),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--regime", "uk-gdpr"], "--regime"),
        (&["--regime", "uk-gdpr", "--kind", "access", "--received", "2026-03-02", "--frobnicate"], "--frobnicate"),
    ];
    for (args, needle) in cases {
        let mut full: Vec<&str> = base.to_vec();
        full.extend_from_slice(args);
        run(&full).assert_error(needle);
    }
}

#[test]
fn human_output_without_json() {
    let out = run(&["deadline", "--regime", "us-ca-ccpa", "--kind", "access", "--received", "2026-01-02"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("2026-02-15") && out.stdout.contains("acknowledge by"), "{}", out.stdout);
}
