//! Typed audit events (`rightsdesk::domain::event::AuditEvent`) against real registers: every event the core
//! writes reads back typed and writes back the very text the chain hashed; a register written before the events
//! were typed still verifies and reads back unchanged; settings changes are chained events of the register.

use std::collections::BTreeSet;
use std::path::Path;

use rightsdesk::domain::event::AuditEvent;

use crate::support::Register;

const NOW: &str = "2026-03-20";

/// Every event of the register as stored: (request id or "", kind, data text).
fn stored_events(db: &Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT coalesce(request_id, ''), kind, data FROM events ORDER BY seq").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

/// Each event parsed and written back: the same kind and the same data text, byte for byte. The kinds read typed.
fn assert_round_trip(db: &Path) -> BTreeSet<String> {
    let mut typed = BTreeSet::new();
    for (_, kind, text) in stored_events(db) {
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        let event = AuditEvent::from_parts(&kind, &data);
        let (kind_back, data_back) = event.to_parts().unwrap();
        assert_eq!(kind_back, kind);
        assert_eq!(serde_json::to_string(&data_back).unwrap(), text, "{kind} does not write back its text");
        if !event.is_unknown() {
            typed.insert(kind);
        }
    }
    typed
}

fn verify_ok(reg: &Register) {
    let report = reg.run(&["audit", "verify", "--json"]).json();
    assert_eq!(report["ok"], true, "{report}");
}

/// The kinds the command line can make, one after the other, on a register with the demo's requests.
fn exercise(reg: &Register) {
    reg.run(&["demo", "seed", "--count", "40"]).ok();
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "contact details"]).ok();
    let r = reg.request().kind("access").gdpr("FR").received("2026-03-02").who("Ada Test", "ada@example.com").add();
    let scan = reg.write("scan.txt", "hello");
    for args in [
        vec!["request", "status", &r, "in-progress"],
        vec!["request", "pause", &r, "--from", "2026-03-06", "--reason", "other", "--note", "waiting"],
        vec!["request", "resume", &r, "--on", "2026-03-09"],
        vec!["request", "verify", &r, "--method", "id-document", "--outcome", "verified", "--on", "2026-03-10"],
        vec!["request", "attach", &r, &scan],
        vec!["request", "tick", &r, "--system", "CRM", "--state", "done", "--note", "found"],
        vec![
            "request",
            "disclose",
            &r,
            "--system",
            "CRM",
            "--category",
            "Contact",
            "--label",
            "Email",
            "--value",
            "a@b.c",
        ],
        vec!["request", "edit", &r, "--phone", "+33 1 23 45 67 89"],
        vec!["request", "override-due", &r, "--date", "2026-04-30", "--reason", "agreed with the requester"],
        vec!["request", "extend", &r, "--told", "2026-03-15", "--reason", "complex"],
    ] {
        reg.run(&args).ok();
    }
    let item = reg.run(&["request", "show", &r, "--json"]).json()["disclosures"][0]["id"].as_str().unwrap().to_string();
    reg.run(&["request", "undisclose", &r, "--item", &item]).ok();
    reg.run(&["datamap", "add", "--name", "Billing", "--owner", "Finance", "--holds", "invoices"]).ok();
    reg.run(&["request", "refresh-checklist", &r]).ok();
    let r2 = reg.request().kind("erasure").gdpr("FR").received("2026-03-03").who("Ada Test", "ada@example.com").add();
    reg.run(&["request", "merge", &r2, "--into", &r, "--note", "same person"]).ok();
    let r3 = reg.request().kind("access").gdpr("FR").received("2026-03-04").who("Bob Two", "bob@example.com").add();
    reg.run(&["request", "relate", &r3, "--to", &r, "--as", "linked"]).ok();
    reg.run(&["request", "relate", &r3, "--to", &r, "--as", "separate"]).ok();
    reg.run(&["request", "ask-identity", &r3, "--on", "2026-03-05", "--note", "send ID"]).ok();
    reg.run(&["request", "status", &r3, "refused", "--category", "manifestly-unfounded", "--reason", "no answer"]).ok();
    reg.run(&["calendar", "add-day", "--calendar", "FR", "--date", "2026-04-02", "--label", "Office closed"]).ok();
    reg.run_input(&["audit", "key", "setup", "--key-passphrase-stdin"], "pass phrase 1234\n").ok();
    let pack = reg.path("pack.zip");
    reg.run_env(
        &["export", "evidence", "--request", &r, "--out", pack.to_str().unwrap()],
        &[("RIGHTSDESK_AUDIT_PASSPHRASE", "pass phrase 1234")],
    )
    .ok();
}

#[test]
fn every_event_the_core_writes_reads_back_typed_and_writes_back_its_exact_text() {
    let reg = Register::new(NOW);
    exercise(&reg);
    verify_ok(&reg);
    let typed = assert_round_trip(&reg.db);
    let expected = [
        "created",
        "status_changed",
        "clock_paused",
        "clock_resumed",
        "identity_checked",
        "identity_requested",
        "attachment_added",
        "checklist_created",
        "checklist_extended",
        "checklist_ticked",
        "disclosure_added",
        "disclosure_removed",
        "details_corrected",
        "due_overridden",
        "extension_taken",
        "merged_as_duplicate",
        "duplicate_merged",
        "request_linked",
        "kept_separate",
        "dates_recomputed",
        "signing_key_created",
        "evidence_pack_made",
    ];
    for kind in expected {
        assert!(typed.contains(kind), "no typed {kind} event among {typed:?}");
    }
    // Nothing the core wrote reads as unknown.
    let all: BTreeSet<String> = stored_events(&reg.db).into_iter().map(|(_, k, _)| k).collect();
    assert_eq!(all, typed);
}

#[test]
fn an_unknown_kind_and_an_old_shape_read_back_as_stored() {
    for (kind, text) in [
        ("from_the_future", r#"{"a":1,"b":[null,"x"]}"#),
        ("created", "{}"),
        ("status_changed", r#"{"extra":true,"from":"new","to":"in-progress"}"#),
        ("fee_paid", r#"{"on":"2026-01-01"}"#),
    ] {
        let data: serde_json::Value = serde_json::from_str(text).unwrap();
        let event = AuditEvent::from_parts(kind, &data);
        assert!(event.is_unknown(), "{kind} {text}");
        let (k, d) = event.to_parts().unwrap();
        assert_eq!((k.as_str(), serde_json::to_string(&d).unwrap().as_str()), (kind, text));
    }
}

#[test]
fn a_register_written_before_the_events_were_typed_verifies_and_reads_back_unchanged() {
    let reg = Register::new(NOW);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/register-before-typed-events.sqlite3"),
        &reg.db,
    )
    .unwrap();
    let before = stored_events(&reg.db);
    verify_ok(&reg);
    let typed = assert_round_trip(&reg.db);
    for kind in ["created", "status_changed", "identity_checked", "signing_key_created", "evidence_pack_made"] {
        assert!(typed.contains(kind), "{kind} among {typed:?}");
    }
    // Opened elsewhere, it is a copy of the register (a new id): recorded, and nothing before it changed.
    let after = stored_events(&reg.db);
    assert_eq!(after[..before.len()], before[..]);
    assert!(after[before.len()..].iter().any(|(_, k, _)| k == "register_copied"), "{:?}", &after[before.len()..]);
    reg.run(&["settings", "organisation", "--name", "Acme Europe"]).ok();
    verify_ok(&reg);
    assert_round_trip(&reg.db);
}

/// The register's own events (no request) as (kind, data), oldest first.
fn register_events(db: &Path) -> Vec<(String, serde_json::Value)> {
    stored_events(db)
        .into_iter()
        .filter(|(request, _, _)| request.is_empty())
        .map(|(_, kind, data)| (kind, serde_json::from_str(&data).unwrap()))
        .collect()
}

#[test]
fn settings_changes_are_chained_events_of_the_register() {
    let reg = Register::new(NOW);
    let spam = reg.request().kind("access").gdpr("FR").received("2026-03-02").who("Bot", "bot@spam.example").add();
    reg.run(&["request", "status", &spam, "spam", "--block-sender", "--reason", "advertising"]).ok();
    let template = reg.run(&["template", "list", "--json"]).json()[0].clone();
    let body = reg.write("body.txt", format!("{}\nKind regards.", template["body"].as_str().unwrap()));
    let steps: Vec<(Vec<&str>, &str)> = vec![
        (vec!["settings", "organisation", "--name", "Acme Ltd", "--email", "dpo@acme.example"], "organisation_changed"),
        (
            vec!["settings", "smtp", "--host", "mail.acme.example", "--port", "587", "--security", "starttls"],
            "smtp_settings_changed",
        ),
        (
            vec![
                "template",
                "save",
                "--template",
                template["stage"].as_str().unwrap(),
                "--kind",
                template["kind"].as_str().unwrap(),
                "--lang",
                template["lang"].as_str().unwrap(),
                "--subject",
                "Your request",
                "--body-file",
                &body,
            ],
            "template_saved",
        ),
        (vec!["template", "copy-language", "--from", "en", "--to", "pt"], "templates_copied"),
        (vec!["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "contacts"], "system_added"),
        (vec!["datamap", "update", "CRM", "--owner", "Sales", "--holds", "contacts"], "system_updated"),
        (vec!["datamap", "retire", "CRM"], "system_retired"),
        (
            vec!["calendar", "add-day", "--calendar", "FR", "--date", "2026-04-02", "--label", "Closed"],
            "calendar_day_added",
        ),
        (
            vec!["calendar", "remove-day", "--calendar", "FR", "--date", "2026-04-02", "--reason", "open after all"],
            "calendar_day_removed",
        ),
        (vec!["settings", "target-days", "--regime", "eu-gdpr", "--days", "7"], "target_days_set"),
        (vec!["settings", "retention", "--months", "36"], "retention_months_set"),
        (vec!["settings", "unverified-days", "--regime", "eu-gdpr", "--days", "20"], "unverified_days_set"),
        (vec!["settings", "evidence-days", "--days", "10"], "evidence_retention_days_set"),
        (
            vec!["settings", "authority", "--regime", "eu-gdpr", "--name", "CNIL", "--address", "3 Place de Fontenoy"],
            "own_authority_set",
        ),
        (vec!["requester", "unblock", "bot@spam.example"], "sender_unblocked"),
    ];
    for (args, kind) in steps {
        let before = register_events(&reg.db).len();
        reg.run(&args).ok();
        let new = &register_events(&reg.db)[before..];
        assert!(new.iter().any(|(k, _)| k == kind), "{args:?} recorded {new:?}, not {kind}");
        let event = new.iter().find(|(k, _)| k == kind).unwrap();
        assert!(!AuditEvent::from_parts(&event.0, &event.1).is_unknown(), "{event:?}");
    }
    verify_ok(&reg);
    assert_round_trip(&reg.db);
    let events = register_events(&reg.db);
    let find = |kind: &str| events.iter().find(|(k, _)| k == kind).unwrap().1.clone();
    assert_eq!(find("organisation_changed")["changed"]["name"], serde_json::json!({"before": "", "after": "Acme Ltd"}));
    assert_eq!(find("retention_months_set"), serde_json::json!({"before": 24, "after": 36}));
    assert_eq!(find("system_updated")["changed"]["owner"], serde_json::json!({"before": "IT", "after": "Sales"}));
    // The SMTP password is never recorded, only that one was stored.
    assert_eq!(find("smtp_settings_changed")["password_stored"], false);
    // Saving the same values again records nothing.
    let count = events.len();
    reg.run(&["settings", "organisation", "--name", "Acme Ltd"]).ok();
    assert_eq!(register_events(&reg.db).len(), count);
}
