//! The request register through the real binary: log, list, show, move, audit — and bad input losing nothing.

use crate::support::{Register, run_db};
use serde_json::Value;

/// A register in `register.sqlite3`; `run_db` on it runs with the real clock, `run` on 22 November 2026.
fn register() -> Register {
    Register::with_file("2026-11-22", "register.sqlite3")
}

fn add(reg: &Register, extra: &[&str]) -> Value {
    reg.request().args(extra).json()
}

#[test]
fn log_list_show_and_move_a_request() {
    let reg = register();
    let v = add(
        &reg,
        &[
            "--kind",
            "access",
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-11-20",
            "--name",
            "Jane Doe",
            "--email",
            "Jane@Example.com",
        ],
    );
    assert_eq!(v["reference"], "RD-2026-0001");
    assert_eq!(v["status"], "received");
    assert_eq!(v["due"], "2026-12-21"); // 20 Dec 2026 is a Sunday
    assert_eq!(v["extended_due"], "2027-02-22"); // 20 Feb 2027 is a Saturday
    assert_eq!(v["requester"]["email"], "jane@example.com");
    assert_eq!(v["events"].as_array().unwrap().len(), 1);

    let v = add(
        &reg,
        &[
            "--kind",
            "erasure",
            "--regime",
            "us-ca-ccpa",
            "--received",
            "2026-11-02",
            "--name",
            "Sam Lee",
            "--channel",
            "web-form",
        ],
    );
    assert_eq!(v["reference"], "RD-2026-0002");
    assert_eq!(v["acknowledge_by"], "2026-11-16"); // business day 1 is Mon 2 Nov; 11 Nov (Veterans Day) skipped
    assert_eq!(v["due"], "2026-12-16");
    // The next step: the CCPA acknowledgement, late (today is 22 Nov), and the dashboard's list of them holds it.
    assert_eq!(
        (v["next_step"]["kind"].as_str(), v["next_step"]["urgent"].as_bool()),
        (Some("acknowledge"), Some(true))
    );
    let owed = reg.run(&["request", "list", "--view", "to-acknowledge", "--json"]).json();
    assert_eq!(owed["items"][0]["reference"], "RD-2026-0002", "{owed}");
    // The queue's second clock: the missed acknowledgement is flagged on the row, in JSON and in text.
    assert_eq!(owed["items"][0]["acknowledgement"], "late", "{owed}");
    assert_eq!(owed["items"][0]["acknowledged_on"], serde_json::Value::Null);
    let text = reg.run(&["request", "list"]).stdout;
    assert!(text.contains("acknowledgement late (was due 2026-11-16)"), "{text}");
    let shown = reg.run(&["request", "show", "RD-2026-0002"]);
    assert!(
        shown.stdout.contains("next            Acknowledge the request by 2026-11-16 (6 days ago)"),
        "{}",
        shown.stdout
    );

    let list = reg.run(&["request", "list", "--json"]).json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["reference"], "RD-2026-0002", "sorted by due date");
    let found = reg.run(&["request", "list", "--search", "Jane", "--json"]).json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["reference"], "RD-2026-0001");
    let found = reg.run(&["request", "list", "--search", "RD-2026-0002", "--json"]).json();
    assert_eq!(found["items"][0]["requester_name"], "Sam Lee");

    let moved = reg.run(&["request", "status", "RD-2026-0001", "in-progress", "--json"]).json();
    assert_eq!(moved["status"], "in-progress");
    reg.run(&["request", "status", "RD-2026-0001", "closed"]).assert_error("allowed from in-progress");
    reg.run(&["request", "status", "RD-2026-0001", "refused"]).assert_error("category");
    let refuse = |extra: &[&str]| {
        let mut args = vec!["request", "status", "RD-2026-0001", "refused"];
        args.extend_from_slice(extra);
        reg.run(&args)
    };
    refuse(&["--category", "excessive"]).assert_error("reason");
    refuse(&["--category", "rude", "--reason", "x"]).assert_error("unknown category 'rude'");
    refuse(&["--category", "exemption", "--reason", "Privileged"]).assert_error("legal basis");
    let refused = refuse(&["--category", "excessive", "--reason", "Manifestly excessive", "--json"]).json();
    assert_eq!(refused["outcome_reason"], "Manifestly excessive");
    assert_eq!(refused["refusal_category"], "excessive");
    assert!(refused["closed_at"].is_string(), "answered: the retention clock starts");
    let shown = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    let events = shown["events"].as_array().unwrap();
    assert_eq!(
        events.iter().map(|e| e["kind"].as_str().unwrap()).collect::<Vec<_>>(),
        ["created", "status_changed", "status_changed"]
    );
    assert_eq!(events[2]["data"]["from"], "in-progress");
    assert_eq!(events[2]["data"]["to"], "refused");
    assert_eq!(shown["allowed"][0]["to"], "closed");

    let open = reg.run(&["request", "list", "--open", "--json"]).json();
    assert_eq!(open["total"], 1);
    let audit = reg.run(&["audit", "verify", "--json"]).json();
    assert_eq!(audit["ok"], true);
    assert_eq!(audit["events_checked"], 4);
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let reg = register();
    add(
        &reg,
        &["--kind", "access", "--regime", "eu-gdpr", "--calendar", "DE", "--received", "2026-11-02", "--name", "A B"],
    );
    let bad: &[(&[&str], &str)] = &[
        (&["--kind", "teleport", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", "X"], "teleport"),
        (&["--kind", "access", "--regime", "mars", "--received", "2026-11-02", "--name", "X"], "mars"),
        (&["--kind", "access", "--regime", "eu-gdpr", "--received", "2026-11-02", "--name", "X"], "calendar"),
        (&["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-02-30", "--name", "X"], "2026-02-30"),
        (&["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-12-01", "--name", "X"], "future"),
        (&["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", " "], "name"),
        (
            &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", "X", "--email", "x@y"],
            "x@y",
        ),
        (
            &[
                "--kind",
                "access",
                "--regime",
                "uk-gdpr",
                "--received",
                "2026-11-02",
                "--name",
                "X",
                "--channel",
                "pigeon",
            ],
            "pigeon",
        ),
    ];
    for (args, needle) in bad {
        let mut full = vec!["request", "add", "--json"];
        full.extend_from_slice(args);
        let out = reg.run(&full);
        out.assert_error(needle);
        assert_eq!(out.code, 2, "invalid input exits 2 (docs/cli.md): {}", out.stderr);
    }
    let missing = reg.run(&["request", "add", "--regime", "uk-gdpr"]);
    missing.assert_error("error: the following required arguments were not provided: --kind <KIND>");
    assert_eq!(missing.code, 2);
    let unknown = reg.run(&["request", "show", "RD-2026-0999"]);
    unknown.assert_error("no request with reference or id 'RD-2026-0999'");
    assert_eq!(unknown.code, 1, "not found is a refusal, not bad input");
    let bad_status = reg.run(&["request", "status", "RD-2026-0001", "levitating"]);
    bad_status.assert_error("levitating");
    assert_eq!(bad_status.code, 2);
    let illegal = reg.run(&["request", "status", "RD-2026-0001", "closed"]);
    illegal.assert_error("allowed from received");
    assert_eq!(illegal.code, 1);
    let bad_kind = reg.run(&["request", "list", "--kind", "nope"]);
    bad_kind.assert_error("nope");
    assert_eq!(bad_kind.code, 2);
    let list = run_db(&reg.db, &["request", "list", "--json"]).json();
    assert_eq!(list["total"], 1, "nothing written by the failed commands");
    assert_eq!(run_db(&reg.db, &["audit", "verify", "--json"]).json()["events_checked"], 1);
}

#[test]
fn audit_verify_reports_the_first_edited_event() {
    let reg = register();
    for name in ["A One", "B Two", "C Three"] {
        add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", name]);
    }
    assert_eq!(run_db(&reg.db, &["audit", "verify"]).code, 0);
    {
        let conn = rusqlite::Connection::open(&reg.db).unwrap();
        // Someone edits the table behind the app's back (and first removes the guard trigger).
        conn.execute_batch("DROP TRIGGER events_no_update;").unwrap();
        conn.execute("UPDATE events SET data = replace(data, 'B Two', 'Bob Two') WHERE seq = 2", []).unwrap();
    }
    let out = run_db(&reg.db, &["audit", "verify"]);
    out.assert_error("#2");
    assert!(out.stderr.contains("RD-2026-0002") && out.stderr.contains("edited"), "{}", out.stderr);
    let out = run_db(&reg.db, &["audit", "verify", "--json"]);
    assert_eq!(out.code, 1);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["first_break"]["seq"], 2);

    let reg2 = register();
    for name in ["A One", "B Two", "C Three"] {
        add(&reg2, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", name]);
    }
    {
        let conn = rusqlite::Connection::open(&reg2.db).unwrap();
        conn.execute_batch("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2;").unwrap();
    }
    let out = run_db(&reg2.db, &["audit", "verify"]);
    out.assert_error("#3");
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let reg = register();
    add(&reg, &["--kind", "access", "--regime", "uk-gdpr", "--received", "2026-11-02", "--name", "A"]);
    {
        let conn = rusqlite::Connection::open(&reg.db).unwrap();
        conn.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 'later')", []).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let before = std::fs::read(&reg.db).unwrap();
    run_db(&reg.db, &["request", "list"]).assert_error("newer Rightsdesk");
    assert_eq!(std::fs::read(&reg.db).unwrap(), before, "the file must be left untouched");
}

#[test]
fn demo_seed_makes_a_varied_register() {
    let reg = register();
    let out = reg.run(&["demo", "seed", "--count", "600", "--json"]).json();
    assert_eq!(out["created"], 600);
    let all = run_db(&reg.db, &["request", "list", "--json", "--limit", "1"]).json();
    assert_eq!(all["total"], 600);
    let overdue = reg.run(&["request", "list", "--open", "--due-before", "2026-11-21", "--json"]).json();
    assert!(overdue["total"].as_u64().unwrap() > 0, "some open requests are overdue");
    for status in ["received", "in-progress", "closed", "refused"] {
        let n = run_db(&reg.db, &["request", "list", "--status", status, "--json"]).json()["total"].as_u64().unwrap();
        assert!(n > 0, "no {status} requests in the demo");
    }
    assert_eq!(run_db(&reg.db, &["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn list_pages_by_cursor_both_ways_and_by_offset() {
    let reg = register();
    reg.run(&["demo", "seed", "--count", "60", "--json"]).ok();
    let list = |extra: &[&str]| {
        let mut args = vec!["request", "list", "--json", "--sort", "received", "--desc"];
        args.extend_from_slice(extra);
        reg.run(&args).json()
    };
    let refs = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["reference"].as_str().unwrap().to_string()).collect()
    };
    let whole = list(&["--limit", "500"]);
    assert_eq!(whole["total"], 60);
    assert_eq!((&whole["next"], &whole["prev"]), (&Value::Null, &Value::Null));
    let mut page = list(&["--limit", "25"]);
    assert_eq!(page["total"], 60, "the first page counts");
    let mut forward = refs(&page);
    while let Some(next) = page["next"].as_str().map(str::to_string) {
        page = list(&["--limit", "25", "--after", &next]);
        assert_eq!(page["total"], Value::Null, "a page after a cursor does not count");
        forward.extend(refs(&page));
    }
    assert_eq!(forward, refs(&whole));
    let before = list(&["--limit", "25", "--before", page["prev"].as_str().unwrap()]);
    assert_eq!(refs(&before), refs(&whole)[25..50].to_vec(), "the page before the last");
    assert_eq!(refs(&list(&["--limit", "25", "--offset", "50"])), refs(&whole)[50..].to_vec(), "--offset still works");
    let run = reg.run(&["request", "list", "--sort", "received", "--desc", "--limit", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout;
    let next = refs(&list(&["--limit", "2"]))[1].clone();
    assert!(text.lines().next().unwrap().starts_with("2 of 60"), "{text}");
    assert!(text.contains(&next) && text.contains("next page: --after "), "{text}");
    reg.run(&["request", "list", "--after", "nonsense"]).assert_error("not a cursor");
    let cursor = whole["items"].as_array().map(|_| list(&["--limit", "1"])["next"].as_str().unwrap().to_string());
    reg.run(&["request", "list", "--sort", "due", "--after", &cursor.unwrap()]).assert_error("another sort");
}

#[test]
fn attachments_are_copied_hashed_and_audited() {
    use sha2::Digest;
    let reg = register();
    add(
        &reg,
        &[
            "--kind",
            "access",
            "--regime",
            "uk-gdpr",
            "--received",
            "2026-11-02",
            "--name",
            "Letter Writer",
            "--channel",
            "letter",
        ],
    );
    let letter = reg.db.parent().unwrap().join("scan.pdf");
    let content = b"%PDF-1.4 scanned letter".repeat(10_000);
    std::fs::write(&letter, &content).unwrap();
    let v = run_db(
        &reg.db,
        &["request", "attach", "RD-2026-0001", letter.to_str().unwrap(), "--name", "../../etc/letter 1.pdf", "--json"],
    )
    .json();
    let a = &v["attachments"][0];
    assert_eq!(a["file_name"], "letter 1.pdf", "no folders in a stored name");
    let expected: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(a["sha256"], expected);
    assert_eq!(a["size"], content.len());
    let stored = reg.files_dir().join("attachments").join(a["stored_name"].as_str().unwrap());
    assert_eq!(std::fs::read(stored).unwrap(), content, "an exact copy in the managed folder");
    let last = v["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "attachment_added");
    assert_eq!(last["data"]["sha256"], expected);
    run_db(&reg.db, &["request", "attach", "RD-2026-0001", "/no/such/file.pdf"]).assert_error("/no/such/file.pdf");
    run_db(&reg.db, &["request", "attach", "RD-2026-0404", letter.to_str().unwrap()]).assert_error("RD-2026-0404");
}

#[test]
fn each_dashboard_number_is_the_length_of_the_list_it_opens() {
    let reg = register();
    reg.run(&["demo", "seed", "--count", "600", "--json"]).ok();
    let dashboard = reg.run(&["request", "dashboard", "--json"]).json();
    let mut seen = 0;
    for (view, key) in [
        ("overdue", "overdue"),
        ("due-soon", "due_soon"),
        ("to-acknowledge", "acknowledgement_due"),
        ("on-hold", "on_hold"),
        ("open", "open"),
    ] {
        let listed = reg.run(&["request", "list", "--view", view, "--limit", "500", "--json"]).json();
        let n = dashboard[key].as_u64().unwrap();
        assert_eq!(listed["total"].as_u64(), Some(n), "{view}: the tile says {n}");
        assert_eq!(listed["items"].as_array().unwrap().len() as u64, n.min(500), "{view}");
        seen += n;
    }
    assert!(dashboard["due_soon"].as_u64().unwrap() > 0 && dashboard["overdue"].as_u64().unwrap() > 0, "{dashboard}");
    assert!(seen > 0);
    // Due soon is not overdue: no request is in both lists.
    let refs = |view: &str| -> Vec<String> {
        let page = reg.run(&["request", "list", "--view", view, "--limit", "500", "--json"]).json();
        page["items"].as_array().unwrap().iter().map(|i| i["reference"].as_str().unwrap().to_string()).collect()
    };
    let overdue = refs("overdue");
    assert!(refs("due-soon").iter().all(|r| !overdue.contains(r)));
    reg.run(&["request", "list", "--view", "late"]).assert_error("unknown view");
    reg.run(&["request", "list", "--view", "open", "--status", "received"]).assert_error("cannot be used with");
}

/// A change asked on an older version of a request (a page another officer's change overtook, `--if-version`) is
/// refused and changes nothing; asked on the current version, it is made.
#[test]
fn a_change_made_on_a_stale_version_is_refused() {
    let reg = Register::new("2026-11-22");
    let reference = reg.request().name("Ann One").kind("access").gdpr("FR").received("2026-11-20").add();
    let seen = reg.run(&["request", "show", &reference, "--json"]).json()["version"].as_i64().unwrap();
    assert!(seen > 0);
    // Someone else moves it on meanwhile.
    let moved = reg.run(&["request", "status", &reference, "in-progress", "--json"]).json();
    let newer = moved["version"].as_i64().unwrap();
    assert!(newer > seen, "{moved}");
    let version = seen.to_string();
    reg.run(&["--if-version", &version, "request", "status", &reference, "on-hold", "--reason", "waiting"])
        .assert_error("was changed by");
    let after = reg.run(&["request", "show", &reference, "--json"]).json();
    assert_eq!((after["status"].as_str(), after["version"].as_i64()), (Some("in-progress"), Some(newer)));
    reg.run(&["--if-version", &version, "request", "edit", &reference, "--notes", "x"]).assert_error("was changed by");
    let version = newer.to_string();
    let done = reg.run(&["--if-version", &version, "request", "status", &reference, "on-hold", "--reason", "waiting"]);
    assert_eq!(done.code, 0, "{}", done.stderr);
}
