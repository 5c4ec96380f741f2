//! The command line offers what the window offers: every operation in the core's one list (`operations!`) has a
//! command, or is named here as one that only makes sense on a screen; and the commands added for that work.

use crate::support::Register;

/// The operations the shell makes commands of, from the core's own list.
macro_rules! names {
    (plain: [$($name:ident : $op:path),* $(,)?], progress: [$($pname:ident : $pop:path),* $(,)?]) => {
        [$(stringify!($name),)* $(stringify!($pname),)*]
    };
}

/// Where each operation is on the command line.
const COMMANDS: &[(&str, &[&str])] = &[
    ("dashboard", &["request", "dashboard"]),
    ("setup_status", &["settings", "setup"]),
    ("list_requests", &["request", "list"]),
    ("get_request", &["request", "show"]),
    ("add_request", &["request", "add"]),
    ("edit_request", &["request", "edit"]),
    ("change_status", &["request", "status"]),
    ("add_attachment", &["request", "attach"]),
    ("me", &["account", "whoami"]),
    ("team", &["account", "list"]),
    ("add_account", &["account", "add"]),
    ("set_account_role", &["account", "set-role"]),
    ("set_account_disabled", &["account", "disable"]),
    ("assign_request", &["request", "assign"]),
    ("assign_checklist_line", &["request", "assign-line"]),
    ("verify_audit", &["audit", "verify"]),
    ("create_backup", &["backup", "create"]),
    ("register_events", &["audit", "history"]),
    ("audit_key_status", &["audit", "key", "status"]),
    ("set_up_audit_key", &["audit", "key", "setup"]),
    ("export_anchor", &["audit", "anchor"]),
    ("record_fee_paid", &["request", "fee-paid"]),
    ("pause_clock", &["request", "pause"]),
    ("resume_clock", &["request", "resume"]),
    ("take_extension", &["request", "extend"]),
    ("override_due", &["request", "override-due"]),
    ("calendar_days", &["calendar", "days"]),
    ("add_non_working_day", &["calendar", "add-day"]),
    ("remove_non_working_day", &["calendar", "remove-day"]),
    ("target_settings", &["settings", "show"]),
    ("set_target_days", &["settings", "target-days"]),
    ("export_deadlines", &["calendar", "export"]),
    ("record_identity_check", &["request", "verify"]),
    ("ask_identity", &["request", "ask-identity"]),
    ("set_agent", &["request", "agent"]),
    ("close_unverified", &["request", "close-unverified"]),
    ("purge_evidence", &["evidence", "purge"]),
    ("identity_settings", &["settings", "show"]),
    ("set_unverified_days", &["settings", "unverified-days"]),
    ("set_evidence_days", &["settings", "evidence-days"]),
    ("read_email", &["intake", "email"]),
    ("preview_import", &["intake", "table"]),
    ("imports", &["intake", "imports"]),
    ("merge_duplicate", &["request", "merge"]),
    ("relate_requests", &["request", "relate"]),
    ("requester", &["requester", "show"]),
    ("blocked_senders", &["requester", "blocked"]),
    ("unblock_sender", &["requester", "unblock"]),
    ("systems", &["datamap", "list"]),
    ("add_system", &["datamap", "add"]),
    ("update_system", &["datamap", "update"]),
    ("retire_system", &["datamap", "retire"]),
    ("tick_checklist", &["request", "tick"]),
    ("refresh_checklist", &["request", "refresh-checklist"]),
    ("organisation", &["settings", "show"]),
    ("set_organisation", &["settings", "organisation"]),
    ("set_logo", &["settings", "organisation"]),
    ("authority_settings", &["settings", "authority"]),
    ("set_own_authority", &["settings", "authority"]),
    ("template_catalogue", &["template", "list"]),
    ("save_template", &["template", "save"]),
    ("copy_language", &["template", "copy-language"]),
    ("preview_response", &["template", "preview"]),
    ("preview_draft", &["template", "try"]),
    ("queue_response", &["mail", "send"]),
    ("send_data_copy", &["mail", "send-copy"]),
    ("write_letter", &["template", "letter"]),
    ("smtp_settings", &["settings", "show"]),
    ("set_smtp_settings", &["settings", "smtp"]),
    ("test_smtp", &["mail", "test"]),
    ("outbox", &["mail", "outbox"]),
    ("flush_outbox", &["mail", "flush"]),
    ("retry_message", &["mail", "retry"]),
    ("imap_settings", &["settings", "show"]),
    ("set_imap_settings", &["settings", "imap"]),
    ("fetch_mail", &["mail", "fetch"]),
    ("intake_tray", &["intake", "list"]),
    ("show_mail", &["intake", "show"]),
    ("accept_mail", &["intake", "accept"]),
    ("link_mail", &["intake", "link"]),
    ("dismiss_mail", &["intake", "dismiss"]),
    ("mark_mail_spam", &["intake", "spam"]),
    ("request_mail", &["request", "mail"]),
    ("conversation_message", &["mail", "show"]),
    ("send_answer", &["mail", "answer"]),
    ("metrics", &["metrics"]),
    ("add_disclosure", &["request", "disclose"]),
    ("remove_disclosure", &["request", "undisclose"]),
    ("export_evidence", &["export", "evidence"]),
    ("retention", &["settings", "retention"]),
    ("set_retention_months", &["settings", "retention"]),
    ("purge_expired", &["retention", "purge"]),
    ("vault_status", &["vault", "status"]),
    ("change_passphrase", &["vault", "change-passphrase"]),
    ("add_keyring", &["vault", "add-keyring"]),
    ("remove_keyring", &["vault", "remove-keyring"]),
    ("set_lock_minutes", &["vault", "lock-after"]),
    ("backup_schedule", &["backup", "schedule"]),
    ("set_backup_schedule", &["backup", "schedule"]),
    ("run_import", &["import"]),
    ("export_log", &["export", "log"]),
    ("export_subject", &["export", "subject"]),
];

/// Only on a screen (docs/cli.md, "The command line and the window"): the forms' choices (`--help` lists them),
/// the letterhead image and the letter's pages drawn in the window, and unlocking the signing key for the
/// window's session (a command reads RIGHTSDESK_AUDIT_PASSPHRASE instead).
const WINDOW_ONLY: &[&str] = &["form_options", "logo", "letter_preview", "unlock_audit_key"];

#[test]
fn every_operation_of_the_window_has_a_command() {
    let operations: Vec<&str> = rightsdesk::operations!(names).to_vec();
    for op in &operations {
        let listed = COMMANDS.iter().find(|(name, _)| name == op);
        assert!(
            listed.is_some() || WINDOW_ONLY.contains(op),
            "operation {op} has no command: add one (src/cli) and list it here, or say why it is window-only"
        );
    }
    for (name, _) in COMMANDS {
        assert!(operations.contains(name), "{name} is listed here but is not an operation any more");
    }
    let reg = Register::new("2026-11-22");
    for (name, path) in COMMANDS {
        let mut args = path.to_vec();
        args.push("--help");
        let help = reg.run(&args);
        assert_eq!(help.code, 0, "{name}: `rightsdesk {}` is not a command: {}", path.join(" "), help.stderr);
    }
}

#[test]
fn the_commands_that_match_window_views_work() {
    let reg = Register::new("2026-11-22");
    let reference = reg.request().kind("access").gdpr("FR").received("2026-11-02").name("Ann Example").add();

    // The counts at the top of the window's queue.
    let d = reg.run(&["--json", "request", "dashboard"]).json();
    assert_eq!((d["open"].as_u64(), d["overdue"].as_u64(), d["due_soon"].as_u64()), (Some(1), Some(0), Some(0)));

    // The settings page, read only: never the SMTP password.
    reg.run(&["settings", "organisation", "--name", "Acme"]).ok();
    let s = reg.run(&["--json", "settings", "show"]).json();
    assert_eq!(s["organisation"]["name"], "Acme");
    assert_eq!(s["smtp"]["port"], 587);
    assert!(!s.to_string().contains("password\":\""), "{s}");
    assert!(s["targets"].as_array().is_some_and(|t| !t.is_empty()), "{s}");

    // Who changed which setting when: the register's own events, newest first.
    reg.run(&["settings", "retention", "--months", "36"]).ok();
    let h = reg.run(&["--json", "audit", "history", "--limit", "2"]).json();
    let kinds: Vec<&str> = h["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["retention_months_set", "organisation_changed"]);
    assert_eq!(h["events"][0]["data"]["after"], 36);
    assert!(reg.run(&["audit", "history"]).stdout.contains("organisation_changed"));
    reg.run(&["audit", "history", "--limit", "0"]).assert_error("between 1 and 500");

    // The import dialog's first step, then the list of imports.
    let table = reg.write("backlog.csv", "kind,regime,calendar,received,name\naccess,eu-gdpr,FR,2026-11-03,Bo\n");
    let t = reg.run(&["--json", "intake", "table", &table]).json();
    assert_eq!(t["headers"], serde_json::json!(["kind", "regime", "calendar", "received", "name"]));
    assert_eq!(t["sample"][0][4], "Bo");
    assert_eq!(reg.run(&["--json", "intake", "imports"]).json(), serde_json::json!([]));
    reg.run(&["import", &table]).ok();
    let imports = reg.run(&["--json", "intake", "imports"]).json();
    assert_eq!((imports[0]["file_name"].as_str(), imports[0]["imported"].as_u64()), (Some("backlog.csv"), Some(1)));

    // The template editor's live preview: rendered on the request, nothing saved.
    let body = reg.write("body.txt", "Dear {{ requester.name }}, we have your request.");
    let args = ["--json", "template", "try", &reference, "--template", "acknowledgement", "--lang", "en"];
    let tried = reg.run(&[&args[..], &["--subject", "Your request", "--body-file", &body]].concat()).json();
    assert_eq!(tried["body"], "Dear Ann Example, we have your request.");
    let catalogue = reg.run(&["--json", "template", "list"]).json();
    assert!(!catalogue.to_string().contains("we have your request"), "a preview saves nothing");

    // Both places for --json: after the command, or before it.
    assert_eq!(
        reg.run(&["request", "dashboard", "--json"]).json(),
        reg.run(&["--json", "request", "dashboard"]).json()
    );
}

/// docs/cli.md: 2 for a value that is wrong whatever the register holds, 1 for what the register's state refuses.
#[test]
fn exit_codes_tell_bad_input_from_a_refusal() {
    let reg = Register::new("2026-11-22");
    let reference = reg.request().kind("access").gdpr("FR").received("2026-11-02").name("Ann Example").add();
    let refused: [&[&str]; 5] = [
        &["request", "resume", &reference, "--on", "2026-11-10"],
        &["requester", "unblock", "nobody@example.org"],
        &["request", "tick", &reference, "--system", "Nope", "--state", "done"],
        &["calendar", "remove-day", "--calendar", "FR", "--date", "2026-12-24", "--reason", "never added"],
        &["audit", "key", "status", "--json"],
    ];
    for args in &refused[..4] {
        let out = reg.run(args);
        assert_eq!(out.code, 1, "{args:?} is refused by the register's state: {}", out.stderr);
    }
    reg.run(refused[4]).ok();
    for (args, needle) in [
        (&["deadline", "--regime", "xx-law", "--kind", "access", "--received", "2026-03-02"][..], "xx-law"),
        (&["deadline", "--regime", "uk-gdpr", "--kind", "teleport", "--received", "2026-03-02"][..], "teleport"),
        (&["deadline", "--regime", "uk-gdpr", "--kind", "access", "--received", "2026-02-30"][..], "2026-02-30"),
    ] {
        let out = reg.run(args);
        out.assert_error(needle);
        assert_eq!(out.code, 2, "{args:?} is bad input: {}", out.stderr);
    }
}

/// A secret on standard input is read within a bound: a flood is refused, not held in memory.
#[test]
fn a_secret_on_standard_input_is_bounded() {
    let reg = Register::new("2026-11-22");
    let flood = "x".repeat(64 * 1024);
    for args in [
        &["audit", "key", "setup", "--key-passphrase-stdin"][..],
        &[
            "settings",
            "smtp",
            "--host",
            "127.0.0.1",
            "--port",
            "25",
            "--security",
            "none",
            "--username",
            "u",
            "--password-stdin",
        ][..],
    ] {
        let out = reg.run_input(args, &flood);
        out.assert_error("longer than 4 KiB");
        assert_eq!(out.code, 2, "{args:?}");
    }
    assert_eq!(reg.run(&["--json", "audit", "key", "status"]).json()["set_up"], false, "nothing was made");
}
