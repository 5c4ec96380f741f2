//! The team edition through the real binary: `--db postgres://…` on a throwaway PostgreSQL server (TLS, the test
//! CA as `sslrootcert`), several officers' processes at once, files kept by the server.

use std::path::Path;

use crate::support::{Register, pg_server};

/// Count rows on the register's server database with plain SQL (as an administrator would with psql).
fn count(reg: &Register, sql: &str) -> i64 {
    pg_server::server().client(&database_of(reg)).query_one(sql, &[]).unwrap().get(0)
}

/// The register's database name, from its connection string.
fn database_of(reg: &Register) -> String {
    let url = reg.db.to_str().unwrap();
    url.split('?').next().unwrap().rsplit('/').next().unwrap().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walkdir(dir);
    found.sort();
    found
}

fn walkdir(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

/// Officers working at once: every request gets its own reference, and the audit chain stays whole.
#[test]
fn officers_at_once_get_distinct_references_and_one_chain() {
    let reg = std::sync::Arc::new(Register::on_postgres("2026-03-20"));
    reg.run(&["settings", "register", "--json"]).ok();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let reg = reg.clone();
            std::thread::spawn(move || {
                (0..6)
                    .map(|i| {
                        reg.request()
                            .name(&format!("Person {w}-{i}"))
                            .email(&format!("p{w}{i}@example.org"))
                            .kind("access")
                            .gdpr("FR")
                            .received("2026-03-02")
                            .add()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut references: Vec<String> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    references.sort();
    let expected: Vec<String> = (1..=24).map(|n| format!("RD-2026-{n:04}")).collect();
    assert_eq!(references, expected, "no reference twice, none skipped");
    let listed = reg.run(&["request", "list", "--json"]).json();
    assert_eq!(listed["total"], 24, "{listed}");
    let verified = reg.run(&["audit", "verify", "--json"]).json();
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(count(&reg, "SELECT count(*) FROM events WHERE kind = 'created'"), 24);
}

/// A request's files live on the server, not on the officer's computer: attached, taken as identity evidence,
/// purged on schedule — and the register's page and audit trail say the same as on a desk.
#[test]
fn a_team_registers_files_are_kept_by_the_server() {
    let reg = Register::on_postgres("2026-03-20");
    let register = reg.run(&["settings", "register", "--json"]).json();
    assert_eq!(register["files"], "kept by the server");
    let vault = reg.run(&["vault", "status", "--json"]).json();
    assert_eq!((vault["team_server"].as_bool(), vault["encrypted"].as_bool()), (Some(true), Some(false)));
    reg.run_input(&["vault", "encrypt", "--new-passphrase-stdin"], "correct horse battery staple 42\n")
        .assert_error("guarded by its server");
    assert!(!register["database"].as_str().unwrap().contains("sslrootcert"));
    reg.request().name("Pat").kind("access").gdpr("FR").received("2026-03-02").add();
    let passport = reg.write("passport.jpg", "passport scan");
    let letter = reg.write("letter.txt", "Please send me my data.");
    reg.run(&["request", "attach", "RD-2026-0001", &passport]).ok();
    reg.run(&["request", "attach", "RD-2026-0001", &letter]).ok();
    assert_eq!(count(&reg, "SELECT count(*) FROM stored_files WHERE name LIKE 'attachments/%'"), 2);
    let shown = reg.run(&["request", "show", "RD-2026-0001", "--json"]).json();
    let passport_id =
        shown["attachments"].as_array().unwrap().iter().find(|a| a["file_name"] == "passport.jpg").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();

    let v = reg
        .run(&[
            "request",
            "verify",
            "RD-2026-0001",
            "--method",
            "id-document",
            "--outcome",
            "verified",
            "--on",
            "2026-03-04",
            "--from-attachment",
            &passport_id,
            "--json",
        ])
        .json();
    assert_eq!(v["identity"]["verified"], true);
    assert_eq!(count(&reg, "SELECT count(*) FROM stored_files WHERE name LIKE 'evidence/%'"), 1);
    assert_eq!(count(&reg, "SELECT count(*) FROM stored_files WHERE name LIKE 'attachments/%'"), 1, "moved");

    reg.at("2026-03-20", &["request", "status", "RD-2026-0001", "in-progress"]).ok();
    reg.at("2026-03-25", &["request", "status", "RD-2026-0001", "fulfilled"]).ok();
    let purged = reg.at("2026-04-24", &["evidence", "purge", "--json"]).json();
    assert_eq!(purged["files"], 1);
    assert_eq!(count(&reg, "SELECT count(*) FROM stored_files WHERE name LIKE 'evidence/%'"), 0, "deleted");
    assert_eq!(reg.at("2026-04-24", &["audit", "verify", "--json"]).json()["ok"], true);
    assert_eq!(files_in(reg.dir()), ["letter.txt", "passport.jpg"], "nothing of the register on this computer");
}

/// A login that may only read (an auditor's) sees the register and is refused every change in one line.
#[test]
fn a_reading_login_is_refused_changes() {
    let reg = Register::on_postgres("2026-03-20");
    reg.request().name("Pat").kind("access").gdpr("FR").received("2026-03-02").add();
    let url = reg.db.to_str().unwrap();
    let server = pg_server::server();
    let reader_url = server.reader_url(&database_of(&reg));
    // The reader's login over the socket (`host=… user=…` as key=value): as a postgres:// URL for the CLI.
    let user = reader_url.split_whitespace().find_map(|kv| kv.strip_prefix("user=")).unwrap().to_string();
    let as_reader = url.replacen("postgres://postgres@", &format!("postgres://{user}@"), 1);
    let auditor = reg.at_url(&as_reader);
    let listed = auditor.run(&["request", "list", "--json"]).json();
    assert_eq!(listed["total"], 1);
    let refused = auditor.run(&["request", "status", "RD-2026-0001", "in-progress"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    let lines: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "a note that it opened read-only, then the refusal: {lines:?}");
    assert!(lines[0].starts_with("note: postgres://") && lines[0].contains("read-only"), "{lines:?}");
    assert!(lines[1].starts_with("error: ") && lines[1].contains("may read the register, not change it"), "{lines:?}");
    assert!(!refused.stderr.contains("sslrootcert"), "the register is named without its connection options");
    assert_eq!(reg.run(&["request", "show", "RD-2026-0001", "--json"]).json()["status"], "received");
}

/// A desk's register moved to the team server: the same queue, the same request pages, the same files, and an
/// audit chain that verifies there; a second copy into the now full database is refused.
#[test]
fn a_desk_register_is_copied_to_the_team_server() {
    let desk = Register::new("2026-03-20");
    for (name, kind) in [("Ann", "access"), ("Bob", "erasure"), ("Cy", "access")] {
        desk.request()
            .name(name)
            .email(&format!("{name}@example.org"))
            .kind(kind)
            .gdpr("FR")
            .received("2026-03-02")
            .add();
    }
    let scan = desk.write("scan.pdf", "a scanned letter");
    desk.run(&["request", "attach", "RD-2026-0001", &scan]).ok();
    desk.run(&["request", "status", "RD-2026-0002", "in-progress"]).ok();
    desk.run(&["request", "status", "RD-2026-0003", "withdrawn", "--reason", "asked to stop"]).ok();

    let team = Register::on_postgres("2026-03-20");
    let url = team.db.to_str().unwrap();
    let copied = desk.run(&["register", "copy", "--from", desk.db.to_str().unwrap(), "--to", url, "--json"]).json();
    assert_eq!((copied["requests"].as_u64(), copied["files"].as_u64()), (Some(3), Some(1)), "{copied}");
    assert!(!copied["to"].as_str().unwrap().contains("sslrootcert"));

    let list = |r: &Register| r.run(&["request", "list", "--json"]).json();
    assert_eq!(list(&team), list(&desk), "the same queue");
    for reference in ["RD-2026-0001", "RD-2026-0002", "RD-2026-0003"] {
        let show = |r: &Register| r.run(&["request", "show", reference, "--json"]).json();
        assert_eq!(show(&team), show(&desk), "{reference} reads the same");
    }
    assert_eq!(team.run(&["audit", "verify", "--json"]).json()["ok"], true);
    assert_eq!(count(&team, "SELECT count(*) FROM stored_files WHERE name LIKE 'attachments/%'"), 1);
    // The team carries on where the desk stopped.
    let next = team.request().name("Dee").kind("access").gdpr("FR").received("2026-03-03").add();
    assert_eq!(next, "RD-2026-0004");
    assert_eq!(team.run(&["audit", "verify", "--json"]).json()["ok"], true);

    desk.run(&["register", "copy", "--from", desk.db.to_str().unwrap(), "--to", url])
        .assert_error("already holds requests");

    // And back into a new register file: the same queue, pages, chain and files, and it carries on.
    let beside = desk.path("beside.sqlite3");
    desk.run(&["register", "copy", "--from", url, "--to", beside.to_str().unwrap()])
        .assert_error("holds the files of a copy of this register");
    assert!(!beside.exists(), "nothing made");
    let elsewhere = tempfile::tempdir().unwrap();
    let sealed = elsewhere.path().join("sealed.sqlite3");
    desk.run_env(
        &["register", "copy", "--from", url, "--to", sealed.to_str().unwrap()],
        &[("RIGHTSDESK_PASSPHRASE", "a passphrase long enough"), ("RIGHTSDESK_UNENCRYPTED", "0")],
    )
    .assert_error("plain register file");
    assert!(!sealed.exists());
    let back_path = elsewhere.path().join("back.sqlite3");
    let back_file = back_path.to_str().unwrap();
    let back = desk.run(&["register", "copy", "--from", url, "--to", back_file, "--json"]).json();
    assert_eq!((back["requests"].as_u64(), back["files"].as_u64()), (Some(4), Some(1)), "{back}");
    let copy = Register::with_file("2026-03-20", "unused.sqlite3").at_url(back_file);
    assert_eq!(list(&copy), list(&team), "the same queue");
    for reference in ["RD-2026-0001", "RD-2026-0004"] {
        let show = |r: &Register| r.run(&["request", "show", reference, "--json"]).json();
        assert_eq!(show(&copy), show(&team), "{reference} reads the same");
    }
    assert_eq!(copy.run(&["audit", "verify", "--json"]).json()["ok"], true);
    let held = files_in(&elsewhere.path().join(format!(
        "rightsdesk-files-{}",
        copy.run(&["settings", "register", "--json"]).json()["id"].as_str().unwrap()
    )));
    assert!(held.iter().any(|f| f.ends_with("scan.pdf")), "{held:?}");
    assert_eq!(copy.request().name("Eve").kind("access").gdpr("FR").received("2026-03-04").add(), "RD-2026-0005");
    desk.run(&["register", "copy", "--from", url, "--to", back_file]).assert_error("exists already");
}

/// Ten officers' processes at once on one team register, each logging requests, moving them, ticking two officers'
/// different checklist lines on the same requests, and flushing the outbox against one mail server: every
/// reference once, both ticks of each request kept, every message sent exactly once, and one chain that verifies.
/// A client killed in the middle of a write leaves nothing half done.
#[test]
fn ten_officers_at_once_lose_nothing_and_send_each_message_once() {
    let reg = std::sync::Arc::new(Register::on_postgres("2026-03-20"));
    reg.organisation(&[("--name", "Acme Ltd"), ("--email", "privacy@acme.test")]);
    for system in ["CRM", "Billing"] {
        reg.run(&["datamap", "add", "--name", system, "--owner", "IT", "--holds", "contact details"]).ok();
    }
    let server = crate::support::smtp::start(reg.dir(), "", None);
    let port = server.port.to_string();
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--security", "none"]).ok();

    const OFFICERS: usize = 10;
    const EACH: usize = 3;
    let officers: Vec<_> = (0..OFFICERS)
        .map(|o| {
            let reg = reg.clone();
            std::thread::spawn(move || {
                let mut mine = vec![];
                for i in 0..EACH {
                    let reference = reg
                        .request()
                        .name(&format!("Person {o}-{i}"))
                        .email(&format!("p{o}x{i}@example.org"))
                        .kind("erasure")
                        .gdpr("FR")
                        .received("2026-03-02")
                        .add();
                    reg.run(&["request", "status", &reference, "in-progress"]).ok();
                    reg.run(&["mail", "send", &reference, "--template", "acknowledgement"]).ok();
                    // Flushing while the others queue and flush: a message claimed by one is left to it (exit 3:
                    // some message is not delivered yet, another officer's flush has it).
                    let flushed = reg.run(&["mail", "flush"]);
                    assert!(matches!(flushed.code, 0 | 3), "{}", flushed.stderr);
                    mine.push(reference);
                }
                mine
            })
        })
        .collect();
    let mut references: Vec<String> = officers.into_iter().flat_map(|o| o.join().unwrap()).collect();
    references.sort();
    let expected: Vec<String> = (1..=OFFICERS * EACH).map(|n| format!("RD-2026-{n:04}")).collect();
    assert_eq!(references, expected, "no reference twice, none skipped");

    // Two officers tick different lines of the same requests at the same moment: both kept.
    let tickers: Vec<_> = ["crm", "billing"]
        .into_iter()
        .map(|system| {
            let (reg, references) = (reg.clone(), references.clone());
            std::thread::spawn(move || {
                for reference in references.iter().take(10) {
                    reg.run(&["request", "tick", reference, "--system", system, "--state", "done"]).ok();
                }
            })
        })
        .collect();
    tickers.into_iter().for_each(|t| t.join().unwrap());
    for reference in references.iter().take(10) {
        let shown = reg.run(&["request", "show", reference, "--json"]).json();
        let states: Vec<&str> =
            shown["checklist"].as_array().unwrap().iter().map(|i| i["state"].as_str().unwrap()).collect();
        assert_eq!(states, ["done", "done"], "{reference}: both officers' ticks are kept");
    }

    reg.run(&["mail", "flush"]).ok();
    let sent = crate::support::smtp::received(&server);
    assert_eq!(sent.len(), OFFICERS * EACH, "every acknowledgement delivered exactly once");
    let mut recipients: Vec<String> = sent.iter().map(|(_, rcpt)| rcpt.trim().to_string()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), OFFICERS * EACH, "one message to each requester");
    assert_eq!(count(&reg, "SELECT count(*) FROM outbox WHERE state <> 'sent'"), 0);

    // A client killed while it writes: what it committed is whole, the rest is not there, the chain verifies.
    let mut seeding = reg.command_env(&["demo", "seed", "--count", "3000", "--batch", "50"], &[]);
    let mut child = seeding.spawn().unwrap();
    // Killed once its first batches are in, while it writes the next.
    let started = std::time::Instant::now();
    while count(&reg, "SELECT count(*) FROM requests") as usize <= OFFICERS * EACH {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the seed never committed");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let verified = reg.run(&["audit", "verify", "--json"]).json();
    assert_eq!(verified["ok"], true, "{verified}");
    let requests = count(&reg, "SELECT count(*) FROM requests") as usize;
    let created = count(&reg, "SELECT count(*) FROM events WHERE kind = 'created'") as usize;
    assert_eq!(requests, created, "every request committed has its event, and no event lacks its request");
    assert!(requests > OFFICERS * EACH && requests < OFFICERS * EACH + 3000, "killed part-way: {requests}");
}

/// The roles hold whatever client connects: a contributor sees and ticks only what is theirs (psql included), an
/// auditor changes nothing, an officer no setting; every event names the login that wrote it; the chain verifies.
#[test]
fn accounts_and_roles_are_enforced_by_the_server() {
    let (owner, as_login) = Register::owned_on_postgres("2026-03-20");
    owner.run(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "contacts"]).ok();
    for name in ["Ann One", "Bob Two", "Cy Three"] {
        owner.request().name(name).kind("access").gdpr("FR").received("2026-03-02").add();
    }
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let [admin, officer, contributor, auditor] = ["adm", "off", "con", "aud"].map(|r| format!("{r}_{tag}"));
    let add = |by: &Register, login: &str, role: &str| {
        by.run_input(
            &[
                "account",
                "add",
                "--login",
                login,
                "--name",
                &format!("{role} person"),
                "--role",
                role,
                "--password-stdin",
            ],
            "a password of some length\n",
        )
    };
    // Only the owner (or an admin) adds accounts; the first makes the team's roles.
    add(&owner, &admin, "admin").ok();
    let as_admin = owner.at_url(&as_login(&admin));
    for (login, role) in [(&officer, "officer"), (&contributor, "contributor"), (&auditor, "auditor")] {
        add(&as_admin, login, role).ok();
    }
    let team = as_admin.run(&["account", "list", "--json"]).json();
    assert_eq!(team["accounts"].as_array().unwrap().len(), 4, "{team}");
    let server = pg_server::server();
    let database = database_of(&owner);
    let su = |sql: &str| -> i64 { server.client(&database).query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(
        su(&format!(
            "SELECT count(*) FROM pg_authid WHERE rolname = '{officer}' AND rolpassword LIKE 'SCRAM-SHA-256$%'"
        )),
        1,
        "the password reached the server as a SCRAM verifier"
    );

    // The officer takes a request and gives a checklist line of another to the contributor.
    let as_officer = owner.at_url(&as_login(&officer));
    let me = as_officer.run(&["account", "whoami", "--json"]).json();
    assert_eq!(me["account"]["role"], "officer", "{me}");
    let taken = as_officer.run(&["request", "assign", "RD-2026-0001", "--to", "me", "--json"]).json();
    assert_eq!(taken["owner"], officer.as_str(), "{taken}");
    let last = taken["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["actor"].as_str()), (Some("request_assigned"), Some(officer.as_str())));
    as_officer.run(&["request", "assign-line", "RD-2026-0002", "--system", "CRM", "--to", &contributor]).ok();
    let mine = as_officer.run(&["request", "list", "--owner", "me", "--json"]).json();
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(as_officer.run(&["request", "list", "--owner", "nobody", "--json"]).json()["total"], 2);
    as_officer
        .run(&["request", "assign", "RD-2026-0003", "--to", &auditor])
        .assert_error("an auditor reads, and is given no work");
    as_officer.run(&["datamap", "add", "--name", "HR", "--owner", "HR", "--holds", "staff"]).assert_error("role");

    // The contributor: only the request with their line, through the app and through plain SQL alike.
    let as_contributor = owner.at_url(&as_login(&contributor));
    let listed = as_contributor.run(&["request", "list", "--json"]).json();
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["reference"], "RD-2026-0002", "{listed}");
    as_contributor.run(&["request", "show", "RD-2026-0001"]).assert_error("no request");
    let ticked =
        as_contributor.run(&["request", "tick", "RD-2026-0002", "--system", "CRM", "--state", "done", "--json"]);
    let ticked = ticked.json();
    let last = ticked["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["actor"].as_str()), (Some("checklist_ticked"), Some(contributor.as_str())));
    as_contributor.run(&["request", "status", "RD-2026-0002", "in-progress"]).assert_error("role");
    let mut psql = postgres::Client::connect(&server.socket_url(&database, &contributor), postgres::NoTls).unwrap();
    let seen: i64 = psql.query_one("SELECT count(*) FROM requests", &[]).unwrap().get(0);
    assert_eq!(seen, 1, "a contributor's own connection reads only their request");
    let foreign: i64 = psql
        .query_one(
            "SELECT count(*) FROM events WHERE request_id IS NULL OR request_id <> (SELECT id FROM requests)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(foreign, 0, "nor any other event");
    for attack in [
        "UPDATE requests SET status = 'closed'",
        "UPDATE checklist_items SET assignee = NULL",
        "DELETE FROM requests",
        "INSERT INTO settings (key, value) VALUES ('org.name', 'x')",
        "SELECT count(*) FROM identity_checks WHERE false",
    ] {
        let outcome = psql.batch_execute(attack);
        let changed = su("SELECT count(*) FROM requests WHERE status = 'closed' OR id IS NULL");
        assert_eq!(changed, 0, "{attack}");
        if !attack.starts_with("SELECT") {
            assert!(outcome.is_err() || su("SELECT count(*) FROM requests") == 3, "{attack}");
        }
    }
    let forged = psql.batch_execute(&format!(
        "INSERT INTO events (id, request_id, at, actor, kind, data, prev_hash, hash)
         SELECT 'x', id, 'now', '{officer}', 'note', '{{}}', '', '' FROM requests"
    ));
    let refusal = forged.unwrap_err().as_db_error().map(|e| e.message().to_string()).unwrap_or_default();
    assert!(refusal.contains("names the login"), "an event cannot name another login: {refusal}");

    // The auditor reads everything and changes nothing.
    let as_auditor = owner.at_url(&as_login(&auditor));
    assert_eq!(as_auditor.run(&["request", "list", "--json"]).json()["total"], 3);
    assert_eq!(as_auditor.run(&["request", "assign", "RD-2026-0003", "--to", &officer]).code, 1);

    // An admin changes roles and disables accounts (never their own); the server follows.
    as_admin.run(&["account", "disable", &admin]).assert_error("their own account");
    as_admin.run(&["account", "set-role", &contributor, "--role", "officer"]).ok();
    assert_eq!(as_contributor.run(&["request", "list", "--json"]).json()["total"], 3);
    as_admin.run(&["account", "disable", &officer]).ok();
    assert_eq!(su(&format!("SELECT count(*) FROM pg_roles WHERE rolname = '{officer}' AND rolcanlogin")), 0);
    assert_eq!(as_officer.run(&["request", "list"]).code, 1, "a disabled login no longer connects");

    let verified = owner.run(&["audit", "verify", "--json"]).json();
    assert_eq!(verified["ok"], true, "{verified}");
    let kinds =
        su("SELECT count(*) FROM events WHERE kind IN ('account_added', 'account_changed') AND request_id IS NULL");
    assert_eq!(kinds, 6, "four accounts added, a role changed, one disabled");
}

/// Two officers on one request: a change asked on the version the first officer saw, after the second changed it,
/// is refused naming who changed it and nothing is overwritten; ticking different checklist lines both succeed.
#[test]
fn a_stale_page_does_not_overwrite_another_officers_change() {
    let (owner, as_login) = Register::owned_on_postgres("2026-03-20");
    for system in ["CRM", "Billing"] {
        owner.run(&["datamap", "add", "--name", system, "--owner", "IT", "--holds", "contacts"]).ok();
    }
    let reference = owner.request().name("Ann One").kind("access").gdpr("FR").received("2026-03-02").add();
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let [first, second] = ["one", "two"].map(|n| format!("{n}_{tag}"));
    for login in [&first, &second] {
        owner
            .run_input(
                &["account", "add", "--login", login, "--name", login, "--role", "officer", "--password-stdin"],
                "a password of some length\n",
            )
            .ok();
    }
    let (a, b) = (owner.at_url(&as_login(&first)), owner.at_url(&as_login(&second)));
    let seen = a.run(&["request", "show", &reference, "--json"]).json()["version"].as_i64().unwrap().to_string();
    b.run(&["request", "status", &reference, "in-progress"]).ok();
    a.run(&[
        "--if-version",
        &seen,
        "request",
        "status",
        &reference,
        "refused",
        "--category",
        "excessive",
        "--reason",
        "r",
    ])
    .assert_error(&format!("was changed by {second}"));
    let now = owner.run(&["request", "show", &reference, "--json"]).json();
    assert_eq!(now["status"], "in-progress", "nothing overwritten");
    // Different lines of one checklist, ticked by each from the same page: both kept.
    let ticks: Vec<_> = [(&a, "CRM"), (&b, "Billing")]
        .into_iter()
        .map(|(officer, system)| officer.run(&["request", "tick", &reference, "--system", system, "--state", "done"]))
        .collect();
    assert!(ticks.iter().all(|t| t.code == 0), "{:?}", ticks.iter().map(|t| &t.stderr).collect::<Vec<_>>());
    let lines = owner.run(&["request", "show", &reference, "--json"]).json();
    let done: Vec<_> = lines["checklist"].as_array().unwrap().iter().map(|l| l["done_by"].clone()).collect();
    assert!(done.contains(&serde_json::json!(first)) && done.contains(&serde_json::json!(second)), "{lines}");
}

/// What one officer's process did, as it reports it: its requests, the last status and ticked lines it gave each,
/// and the acknowledgements it queued.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct OfficerRecord {
    added: Vec<String>,
    statuses: std::collections::BTreeMap<String, String>,
    ticked: std::collections::BTreeMap<String, Vec<String>>,
    acknowledged: Vec<String>,
    operations: usize,
}

const OFFICER_ENV: &str = "RIGHTSDESK_TEAM_OFFICER";

/// Ten officers' processes at once, a thousand mixed operations each (log, move, tick, answer, deliver, read,
/// verify) on one team register: every reference once, every officer's last word on each of their requests kept,
/// every acknowledgement delivered exactly once, and one audit chain that verifies.
#[test]
fn ten_officers_a_thousand_operations_each() {
    const OFFICERS: usize = 10;
    const OPERATIONS: usize = 1000;
    let reg = Register::on_postgres("2026-03-20");
    reg.organisation(&[("--name", "Acme Ltd"), ("--email", "privacy@acme.test")]);
    for system in ["CRM", "Billing"] {
        reg.run(&["datamap", "add", "--name", system, "--owner", "IT", "--holds", "contact details"]).ok();
    }
    let server = crate::support::smtp::start(reg.dir(), "", None);
    let port = server.port.to_string();
    reg.run(&["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--security", "none"]).ok();

    // Each officer is this test binary again, running `officer_process` alone: a process of its own, with its own
    // connections, as ten officers' apps are.
    let exe = std::env::current_exe().unwrap();
    let url = reg.db.to_str().unwrap().to_string();
    let officers: Vec<_> = (0..OFFICERS)
        .map(|o| {
            let record = reg.path(format!("officer-{o}.json"));
            let child = std::process::Command::new(&exe)
                .args(["--ignored", "--exact", "team_register::officer_process", "--test-threads", "1"])
                .env(OFFICER_ENV, format!("{o}\t{OPERATIONS}\t{}\t{url}", record.display()))
                .env("RIGHTSDESK_NOW", "2026-03-20T12:00:00Z")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (child, record)
        })
        .collect();
    let records: Vec<OfficerRecord> = officers
        .into_iter()
        .map(|(child, record)| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap()
        })
        .collect();
    assert!(records.iter().all(|r| r.operations == OPERATIONS));

    let mut references: Vec<&String> = records.iter().flat_map(|r| &r.added).collect();
    references.sort();
    let expected: Vec<String> = (1..=references.len()).map(|n| format!("RD-2026-{n:04}")).collect();
    assert_eq!(references, expected.iter().collect::<Vec<_>>(), "no reference twice, none skipped");
    let server_db = pg_server::server().client(&database_of(&reg));
    let mut db = server_db;
    for record in &records {
        for (reference, status) in &record.statuses {
            let stored: String =
                db.query_one("SELECT status FROM requests WHERE reference = $1", &[reference]).unwrap().get(0);
            assert_eq!(&stored, status, "{reference}: the officer's last move is what the register holds");
        }
        for (reference, systems) in &record.ticked {
            for system in systems {
                let state: String = db
                    .query_one(
                        "SELECT c.state FROM checklist_items c JOIN requests r ON r.id = c.request_id
                         WHERE r.reference = $1 AND c.system_name = $2",
                        &[reference, system],
                    )
                    .unwrap()
                    .get(0);
                assert_eq!(state, "done", "{reference} {system}: a tick is kept");
            }
        }
    }
    let flushed = reg.run(&["mail", "flush"]);
    assert_eq!(flushed.code, 0, "{}", flushed.stderr);
    let queued: usize = records.iter().map(|r| r.acknowledged.len()).sum();
    let sent = crate::support::smtp::received(&server);
    assert_eq!(sent.len(), queued, "every acknowledgement delivered exactly once");
    let mut recipients: Vec<String> = sent.iter().map(|(_, rcpt)| rcpt.trim().to_string()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), queued, "one message to each requester acknowledged");
    let verified = reg.run(&["audit", "verify", "--json"]).json();
    assert_eq!(verified["ok"], true, "{verified}");
}

/// One officer's process of `ten_officers_a_thousand_operations_each`, which starts ten of them (with
/// `RIGHTSDESK_TEAM_OFFICER` = number, operations, record file, register): its operations through the core, as
/// the app makes them, and what it did written to the record file.
#[test]
#[ignore = "one officer of ten_officers_a_thousand_operations_each, which starts it"]
fn officer_process() {
    use rightsdesk::desk::{Clock, NewRequest, StatusChange};
    let spec = std::env::var(OFFICER_ENV).expect("started by ten_officers_a_thousand_operations_each");
    let mut parts = spec.splitn(4, '\t');
    let (o, operations, record_file, url) =
        (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let operations: usize = operations.parse().unwrap();
    let desk =
        rightsdesk::Desk::open(Path::new(url), Clock::from_env().unwrap(), &rightsdesk::vault::Access::unencrypted())
            .unwrap();
    let mut record = OfficerRecord::default();
    let pick = |record: &OfficerRecord, i: usize| record.added[(i * 7919) % record.added.len()].clone();
    for i in 0..operations {
        match i % 10 {
            _ if record.added.is_empty() || i % 10 < 3 => {
                let added = desk
                    .add_request(NewRequest {
                        kind: "erasure".into(),
                        regime: "eu-gdpr".into(),
                        calendar: Some("FR".into()),
                        received: "2026-03-02".into(),
                        name: format!("Officer {o} person {i}"),
                        email: Some(format!("o{o}p{i}@example.org")),
                        ..NewRequest::default()
                    })
                    .unwrap();
                let reference = added.request.reference.clone();
                record.statuses.insert(reference.clone(), "received".into());
                record.added.push(reference);
            }
            3 | 4 => {
                let reference = pick(&record, i);
                let (to, reason) = match record.statuses[&reference].as_str() {
                    "in-progress" => ("on-hold", Some("waiting for the requester".to_string())),
                    _ => ("in-progress", None),
                };
                desk.change_status(&reference, StatusChange { status: to.into(), reason, ..StatusChange::default() })
                    .unwrap();
                record.statuses.insert(reference, to.into());
            }
            5 | 6 => {
                let reference = pick(&record, i);
                let system = ["CRM", "Billing"][(i / 10) % 2];
                desk.tick(&reference, system, "done", None, None).unwrap();
                let ticked = record.ticked.entry(reference).or_default();
                if !ticked.iter().any(|s| s == system) {
                    ticked.push(system.into());
                }
            }
            7 => {
                let reference = pick(&record, i);
                if !record.acknowledged.contains(&reference) {
                    desk.queue_response_with(&reference, "acknowledgement", None, None, false, None).unwrap();
                    record.acknowledged.push(reference);
                }
            }
            8 => {
                // Another officer's delivery may hold a message for now: what this one sends is sent once.
                desk.flush_outbox().unwrap();
            }
            _ => {
                let page = desk.list(&rightsdesk::store::Query { limit: 50, ..Default::default() }).unwrap();
                assert!(!page.items.is_empty());
                desk.request(&pick(&record, i)).unwrap();
                if i % 250 == 9 {
                    assert!(desk.verify_audit().unwrap().ok, "the chain verifies while the others write");
                }
            }
        }
        record.operations += 1;
    }
    std::fs::write(record_file, serde_json::to_vec(&record).unwrap()).unwrap();
}

/// A team register whose server holds a file under a name no register writes (`../…`, as someone with SQL access to
/// the server could plant): the copy back is refused, nothing is written outside its folder, and the half-made copy
/// is gone.
#[test]
fn a_copy_back_refuses_a_file_name_that_climbs_out_and_leaves_nothing() {
    let team = Register::on_postgres("2026-03-20");
    team.request().name("Ann One").kind("access").gdpr("FR").received("2026-03-02").add();
    let mut db = pg_server::server().client(&database_of(&team));
    db.batch_execute(
        "INSERT INTO stored_files (name, size) VALUES ('attachments/../../../escaped.txt', 3);
         INSERT INTO stored_file_chunks (name, n, bytes) VALUES ('attachments/../../../escaped.txt', 0, 'abc');",
    )
    .unwrap();
    let place = tempfile::tempdir().unwrap();
    let inner = place.path().join("deep/er");
    std::fs::create_dir_all(&inner).unwrap();
    let to = inner.join("back.sqlite3");
    team.run(&["register", "copy", "--from", team.db.to_str().unwrap(), "--to", to.to_str().unwrap()])
        .assert_error("is not a file of the register");
    let mut left: Vec<_> = std::fs::read_dir(&inner).unwrap().map(|e| e.unwrap().file_name()).collect();
    left.extend(std::fs::read_dir(place.path()).unwrap().map(|e| e.unwrap().file_name()));
    assert_eq!(left, ["deep"], "no half copy, nothing escaped: {left:?}");
}
