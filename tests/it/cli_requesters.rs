//! Requesters, duplicates, repeats and spam through the real binary. Detection only flags; the officer decides;
//! a merged duplicate can still be verified and taken back, so a look-alike never blocks a genuine requester.

use crate::support::Register;

use serde_json::Value;

/// An EU GDPR request logged in France; the request as `request add --json` shows it.
fn add(reg: &Register, kind: &str, received: &str, name: &str, email: &str) -> Value {
    reg.request().kind(kind).gdpr("FR").received(received).who(name, email).json()
}

fn flags(v: &Value) -> String {
    v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join(" | ")
}

#[test]
fn the_same_person_is_one_requester_and_a_second_request_is_flagged() {
    let reg = Register::new("2026-06-30");
    let a = add(&reg, "erasure", "2026-06-01", "Ann Lee", "ann@example.org");
    assert!(a["flags"].as_array().unwrap().is_empty());
    let b = add(&reg, "erasure", "2026-06-03", "Ann B. Lee", "ANN@example.org");
    assert_eq!(a["requester_id"], b["requester_id"], "matched on the normalised email");
    assert_eq!(b["related"]["similar"][0]["reference"], "RD-2026-0001");
    assert!(flags(&b).contains("Possibly a duplicate"), "{}", flags(&b));
    // Another kind is no duplicate.
    let c = add(&reg, "access", "2026-06-04", "Ann Lee", "ann@example.org");
    assert!(c["related"]["similar"].as_array().unwrap().is_empty());
    let person = reg.run(&["requester", "show", "RD-2026-0002", "--json"]).json();
    assert_eq!(person["email"], "ann@example.org");
    assert_eq!(person["requests"].as_array().unwrap().len(), 3);

    // Not the same request after all: the flag goes, on both sides, and both timelines say so.
    let b = reg
        .run(&[
            "request",
            "relate",
            "RD-2026-0002",
            "--to",
            "RD-2026-0001",
            "--as",
            "separate",
            "--note",
            "Two accounts",
            "--json",
        ])
        .json();
    assert!(b["related"]["similar"].as_array().unwrap().is_empty());
    assert_eq!(b["related"]["links"][0]["relation"], "separate");
    let a = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert!(a["related"]["similar"].as_array().unwrap().is_empty());
    assert_eq!(a["events"].as_array().unwrap().last().unwrap()["kind"], "kept_separate");
    reg.run(&["request", "relate", "RD-2026-0002", "--to", "RD-2026-0002", "--as", "linked"])
        .assert_error("another request");
    reg.run(&["request", "relate", "RD-2026-0002", "--to", "RD-2026-0001", "--as", "cousins"])
        .assert_error("unknown relation");
}

#[test]
fn a_merged_duplicate_can_still_be_verified_and_taken_back() {
    let reg = Register::new("2026-06-30");
    // Someone else uses the victim's address first; then the genuine request arrives.
    add(&reg, "access", "2026-06-01", "Impostor", "victim@example.org");
    add(&reg, "access", "2026-06-02", "Vic Tim", "victim@example.org");
    let merged = reg
        .run(&["request", "merge", "RD-2026-0002", "--into", "RD-2026-0001", "--note", "Same address", "--json"])
        .json();
    assert_eq!(merged["status"], "duplicate");
    assert_eq!(merged["outcome_reason"], "Duplicate of RD-2026-0001");
    let open = reg.run(&["request", "list", "--open", "--json"]).json();
    assert_eq!(open["total"], 1, "a duplicate leaves the queue");
    let original = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(original["events"].as_array().unwrap().last().unwrap()["data"]["duplicate"], "RD-2026-0002");

    // The genuine requester proves who they are on the merged request: allowed, and the officer is told.
    let v = reg
        .run(&[
            "request",
            "verify",
            "RD-2026-0002",
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-06-05",
            "--json",
        ])
        .json();
    assert_eq!(v["verified_on"], "2026-06-05");
    assert!(flags(&v).contains("take this one back"), "{}", flags(&v));
    let back = reg
        .run(&[
            "request",
            "status",
            "RD-2026-0002",
            "received",
            "--reason",
            "Genuine requester; RD-2026-0001 was not them",
            "--json",
        ])
        .json();
    assert_eq!(back["status"], "received");
    assert!(back["related"]["links"].as_array().unwrap().is_empty(), "no longer anyone's duplicate");
    assert!(back["closed_at"].is_null());

    reg.run(&["request", "merge", "RD-2026-0002", "--into", "RD-2026-0002"]).assert_error("itself");
    reg.run(&["request", "merge", "RD-2026-0002", "--into", "RD-2099-0001"]).assert_error("no request");
    reg.run(&["request", "status", "RD-2026-0002", "duplicate"]).assert_error("allowed from received");
}

#[test]
fn many_requests_in_a_year_raise_the_excessive_question() {
    let reg = Register::new("2026-06-30");
    for (i, day) in ["2025-09-01", "2026-01-10", "2026-03-01", "2026-06-20"].iter().enumerate() {
        let kind = ["access", "erasure", "rectification", "objection"][i];
        add(&reg, kind, day, "Rex Peat", "rex@example.org");
    }
    let last = reg.run(&["request", "show", "RD-2026-0003", "--json"]).json();
    assert!(flags(&last).contains("3 other requests from this person in the twelve months"), "{}", flags(&last));
    let second = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    assert!(!flags(&second).contains("twelve months"), "{}", flags(&second));
}

#[test]
fn spam_is_kept_out_of_the_queue_and_its_sender_flagged_next_time() {
    let reg = Register::new("2026-06-30");
    add(&reg, "access", "2026-06-01", "Spam Bot", "bot@spam.example");
    reg.run(&["request", "status", "RD-2026-0001", "spam"]).assert_error("reason");
    let v = reg
        .run(&[
            "request",
            "status",
            "RD-2026-0001",
            "spam",
            "--reason",
            "Bulk mail, not a person",
            "--block-sender",
            "--json",
        ])
        .json();
    assert_eq!(v["status"], "spam");
    assert_eq!(v["events"].as_array().unwrap().last().unwrap()["data"]["blocked_sender"], "bot@spam.example");
    assert_eq!(reg.run(&["request", "list", "--json"]).json()["total"], 0, "spam is not listed");
    assert_eq!(reg.run(&["request", "list", "--status", "spam", "--json"]).json()["total"], 1, "unless asked for");
    let again = add(&reg, "erasure", "2026-06-10", "Spam Bot", "bot@spam.example");
    assert_eq!(again["status"], "received", "a blocked sender's request is still logged");
    assert!(flags(&again).contains("blocked as spam"), "{}", flags(&again));
    let blocked = reg.run(&["requester", "blocked", "--json"]).json();
    assert_eq!(blocked[0]["email"], "bot@spam.example");
    reg.run(&["requester", "unblock", "bot@spam.example"]).ok();
    reg.run(&["requester", "unblock", "bot@spam.example"]).assert_error("not blocked");
    let again = reg.run(&["request", "show", "RD-2026-0002", "--json"]).json();
    assert!(!flags(&again).contains("blocked"));
    assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn a_correction_is_checked_audited_relinks_the_person_and_moves_the_deadline() {
    let reg = Register::new("2026-06-30");
    let ann = add(&reg, "access", "2026-06-01", "Ann Lee", "ann@example.org");
    // Logged with a mistyped address: a requester record of its own.
    let typo = add(&reg, "erasure", "2026-06-10", "Ann Lee", "ann@exmaple.org");
    assert_ne!(typo["requester_id"], ann["requester_id"]);
    let stray = typo["requester_id"].as_str().unwrap().to_string();

    // Bad values are refused as at intake, and change nothing.
    reg.run(&["request", "edit", "RD-2026-0002", "--email", "not an address"]).assert_error("email");
    reg.run(&["request", "edit", "RD-2026-0002", "--received", "2030-01-01"]).assert_error("in the future");
    reg.run(&["request", "edit", "RD-2026-0002", "--name", " "]).assert_error("name");
    reg.run(&["request", "edit", "RD-2026-0002", "--language", "french"]).assert_error("two-letter");
    reg.run(&["request", "edit", "RD-2026-0002", "--email", "ann@exmaple.org"]).assert_error("nothing to correct");
    let unchanged = reg.run(&["request", "show", "RD-2026-0002", "--json"]).json();
    assert_eq!(unchanged["requester"]["email"], "ann@exmaple.org");
    assert_eq!(unchanged["events"].as_array().unwrap().len(), typo["events"].as_array().unwrap().len());

    let fixed = reg
        .run(&[
            "request",
            "edit",
            "RD-2026-0002",
            "--email",
            "Ann@Example.org",
            "--language",
            "fr",
            "--received",
            "2026-06-05",
            "--phone",
            "",
            "--json",
        ])
        .json();
    assert_eq!(fixed["requester"]["email"], "ann@example.org");
    assert_eq!(fixed["language"], "fr");
    assert_eq!(fixed["received"], "2026-06-05");
    assert_ne!(fixed["effective_due"], typo["effective_due"], "the deadline follows the date of receipt");
    assert_eq!(fixed["requester_id"], ann["requester_id"], "linked to the person it is");
    let event = fixed["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "details_corrected").unwrap();
    let changed = &event["data"]["changed"];
    assert_eq!(changed["email"]["before"], "ann@exmaple.org");
    assert_eq!(changed["email"]["after"], "ann@example.org");
    assert_eq!(changed["received"]["before"], "2026-06-10");
    assert!(changed.get("name").is_none() && changed.get("phone").is_none(), "only what changed: {changed}");
    assert!(event["data"]["dates"]["before"].is_object(), "the dates before and after are recorded");

    // The record made for the mistyped address is gone; the person's page lists both requests.
    reg.run(&["requester", "show", &stray]).assert_error("");
    let person = reg.run(&["requester", "show", "RD-2026-0001", "--json"]).json();
    assert_eq!(person["requests"].as_array().unwrap().len(), 2);
    reg.run(&["audit", "verify"]).ok();
}
