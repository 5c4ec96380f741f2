//! One-file backups (issue 17, "Backup and restore"), through the real binary: a round trip gives the same register
//! back, nothing personal shows in the file, a backup taken while another process writes restores whole, any damage
//! is refused before anything is written, an existing register is replaced only on purpose and kept aside, and a
//! backup killed half-way leaves no file under its name.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Register, Run, bin};

const TODAY: &str = "2026-03-10";
const PASSPHRASE: &str = "correct horse battery staple";
const BACKUP_PASSPHRASE: &str = "another long backup phrase";
const MARK: &str = "Zyxbackupmarkerowski";

fn key() -> Vec<(&'static str, &'static str)> {
    vec![("RIGHTSDESK_PASSPHRASE", PASSPHRASE)]
}

fn backup_key() -> Vec<(&'static str, &'static str)> {
    vec![("RIGHTSDESK_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE)]
}

/// `rightsdesk --db DB ARGS` with "today" fixed and `env`, not forced plain (a restored register is what it is).
fn run_at(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RIGHTSDESK_NOW", TODAY)
        .env_remove("RIGHTSDESK_UNENCRYPTED")
        .env_remove("RIGHTSDESK_PASSPHRASE")
        .env_remove("RIGHTSDESK_BACKUP_PASSPHRASE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A register with a request, an attachment and identity evidence, each carrying the marker.
fn fill(reg: &Register, env: &[(&str, &str)]) -> String {
    let request = reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let request = request.who(&format!("Quentin {MARK}"), "quentin@example.org");
    let reference = request.opt("--description", &format!("{MARK} health details")).env(env).add();
    let scan = reg.write("scan.txt", format!("{MARK} scanned letter"));
    let passport = reg.write("passport.txt", format!("{MARK} passport number"));
    reg.run_env(&["request", "attach", &reference, &scan], env).ok();
    let verify = [
        "request",
        "verify",
        &reference,
        "--method",
        "id-document",
        "--outcome",
        "verified",
        "--on",
        "2026-03-03",
        "--evidence",
        &passport,
    ];
    reg.run_env(&verify, env).ok();
    // The marker files beside the database are the test's own: away, so only the register holds the marker.
    std::fs::remove_file(&scan).unwrap();
    std::fs::remove_file(&passport).unwrap();
    reference
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn log(db: &Path, env: &[(&str, &str)], out: &Path) -> String {
    let args = ["export", "log", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv", "--out"];
    let mut args = args.to_vec();
    args.push(out.to_str().unwrap());
    run_at(db, &args, env).ok();
    std::fs::read_to_string(out).unwrap()
}

fn list(db: &Path, env: &[(&str, &str)]) -> serde_json::Value {
    run_at(db, &["request", "list", "--json"], env).json()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn an_encrypted_register_round_trips_whole_and_its_backup_shows_nothing() {
    let reg = Register::new(TODAY);
    let env = key();
    let made = run_at(&reg.db, &["vault", "status"], &env);
    let recovery = made.stderr.rsplit(": ").next().unwrap().trim().to_string();
    let reference = fill(&reg, &env);
    let backup = reg.path("r.rdbackup");
    let made = run_at(&reg.db, &["backup", "create", "--out", backup.to_str().unwrap(), "--json"], &env).json();
    assert_eq!(made["encrypted"], true);
    assert_eq!(made["locked_with"], "register key");
    assert_eq!((made["requests"].as_u64(), made["files"].as_u64()), (Some(1), Some(2)), "{made}");
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!contains(&bytes, MARK) && !contains(&bytes, "quentin@example.org"), "the backup shows the marker");
    assert!(!contains(&bytes, "SQLite format 3"), "the backup shows a plain database");
    // The snapshot's temporary file is gone, and nothing plain was left in the register's folders.
    let settings = run_at(&reg.db, &["settings", "register", "--json"], &env).json();
    let folder = PathBuf::from(settings["files"].as_str().unwrap());
    for file in crate::support::files_under(&folder) {
        assert!(!file.file_name().unwrap().to_string_lossy().starts_with(".backup-"), "{file:?} left behind");
        assert!(!contains(&std::fs::read(&file).unwrap(), MARK), "{file:?} holds the marker");
    }

    // The register's passphrase opens it; without it, one clear line.
    let verified = run_at(&reg.db, &["backup", "verify", backup.to_str().unwrap(), "--json"], &env).json();
    assert_eq!(verified["requests"], 1);
    assert!(verified["checked"].to_string().contains("audit trail"), "{verified}");
    run_at(&reg.db, &["backup", "verify", backup.to_str().unwrap()], &[]).assert_error("passphrase");
    // The recovery key opens it as it opens the register.
    run_at(&reg.db, &["backup", "verify", backup.to_str().unwrap()], &[("RIGHTSDESK_RECOVERY_KEY", &recovery)]).ok();
    run_at(
        &reg.db,
        &["backup", "verify", backup.to_str().unwrap()],
        &[("RIGHTSDESK_PASSPHRASE", "not the one at all")],
    )
    .assert_error("passphrase");

    let elsewhere = tempfile::tempdir().unwrap();
    let to = elsewhere.path().join("restored.sqlite3");
    let restored =
        run_at(&reg.db, &["backup", "restore", backup.to_str().unwrap(), "--to", to.to_str().unwrap(), "--json"], &env)
            .json();
    assert_eq!(restored["database"], to.to_str().unwrap());
    assert!(restored["kept_aside"].as_array().unwrap().is_empty());
    assert_eq!(list(&to, &env), list(&reg.db, &env));
    let (a, b) = (reg.path("a.csv"), reg.path("b.csv"));
    assert_eq!(log(&to, &env, &a), log(&reg.db, &env, &b));
    let audit = run_at(&to, &["audit", "verify", "--json"], &env).json();
    assert_eq!(audit["ok"], true, "{audit}");
    let status = run_at(&to, &["vault", "status", "--json"], &env).json();
    assert_eq!(status["encrypted"], true);
    // The files came back sealed, and read back through the key.
    let shown = run_at(&to, &["request", "show", &reference, "--json"], &env);
    assert!(shown.stdout.contains(MARK), "{}", shown.stdout);
    let restored_folder = PathBuf::from(restored["files_folder"].as_str().unwrap());
    let restored_files = crate::support::files_under(&restored_folder);
    assert!(restored_files.len() >= 2, "{restored_files:?}");
    for file in restored_files {
        assert!(!contains(&std::fs::read(&file).unwrap(), MARK), "{file:?} holds the marker");
    }
    let pack = reg.path("pack.zip");
    run_at(&to, &["export", "evidence", "--request", &reference, "--out", pack.to_str().unwrap()], &env).ok();
}

#[test]
fn a_plain_register_is_backed_up_under_a_backup_passphrase() {
    let reg = Register::new(TODAY);
    let reference = fill(&reg, &[]);
    let backup = reg.path("plain.rdbackup");
    let out = backup.to_str().unwrap();
    reg.run(&["backup", "create", "--out", out]).assert_error("backup passphrase");
    assert!(!backup.exists());
    reg.run_env(&["backup", "create", "--out", "/tmp/x.rdbackup"], &[("RIGHTSDESK_BACKUP_PASSPHRASE", "short")])
        .assert_error("passphrase");
    let made =
        reg.run_input(&["backup", "create", "--out", out, "--backup-passphrase-stdin", "--json"], BACKUP_PASSPHRASE);
    let made = made.json();
    assert_eq!((made["encrypted"].as_bool(), made["locked_with"].as_str()), (Some(false), Some("backup passphrase")));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!contains(&bytes, MARK) && !contains(&bytes, "SQLite format 3"), "the backup shows plain data");
    // A second backup to the same name only with --force.
    reg.run_env(&["backup", "create", "--out", out], &backup_key()).assert_error("already exists");
    reg.run_env(&["backup", "create", "--out", out, "--force"], &backup_key()).ok();

    run_at(&reg.db, &["backup", "verify", out], &[]).assert_error("backup passphrase");
    run_at(&reg.db, &["backup", "verify", out], &[("RIGHTSDESK_BACKUP_PASSPHRASE", "a wrong backup phrase")])
        .assert_error("damaged");
    run_at(&reg.db, &["backup", "verify", out], &backup_key()).ok();

    let elsewhere = tempfile::tempdir().unwrap();
    let to = elsewhere.path().join("back.sqlite3");
    run_at(&reg.db, &["backup", "restore", out, "--to", to.to_str().unwrap()], &backup_key()).ok();
    assert_eq!(list(&to, &[]), list(&reg.db, &[]));
    run_at(&to, &["audit", "verify"], &[]).ok();
    let shown = run_at(&to, &["request", "show", &reference, "--json"], &[]).json();
    assert_eq!(shown["reference"], reference.as_str());
}

#[test]
fn a_backup_taken_while_another_process_writes_restores_to_a_register_that_verifies() {
    let reg = Register::new(TODAY);
    fill(&reg, &[]);
    let db = reg.db.clone();
    let writer = std::thread::spawn(move || {
        for i in 0..40 {
            let request = crate::support::request(&db, TODAY).kind("access").regime("uk-gdpr").calendar("GB-ENG");
            request.received("2026-03-02").name(&format!("Writer {i}")).run().ok();
        }
    });
    let mut taken = vec![];
    for i in 0..4 {
        let backup = reg.path(format!("live-{i}.rdbackup"));
        reg.run_env(&["backup", "create", "--out", backup.to_str().unwrap()], &backup_key()).ok();
        taken.push(backup);
    }
    writer.join().unwrap();
    for (i, backup) in taken.iter().enumerate() {
        let to = reg.path(format!("restored-{i}/r.sqlite3"));
        std::fs::create_dir(to.parent().unwrap()).unwrap();
        let restored = run_at(
            &reg.db,
            &["backup", "restore", backup.to_str().unwrap(), "--to", to.to_str().unwrap(), "--json"],
            &backup_key(),
        )
        .json();
        assert!(restored["backup"]["checked"].to_string().contains("integrity check: ok"), "{restored}");
        let audit = run_at(&to, &["audit", "verify", "--json"], &[]).json();
        assert_eq!(audit["ok"], true, "{audit}");
        assert_eq!(list(&to, &[])["total"].as_u64(), restored["backup"]["requests"].as_u64(), "{restored}");
    }
}

#[test]
fn a_flipped_byte_or_a_cut_copy_is_refused_and_restore_writes_nothing() {
    let reg = Register::new(TODAY);
    fill(&reg, &[]);
    let backup = reg.path("good.rdbackup");
    reg.run_env(&["backup", "create", "--out", backup.to_str().unwrap()], &backup_key()).ok();
    let good = std::fs::read(&backup).unwrap();
    let len = good.len();
    let mut damaged = vec![];
    for at in [5, 20, 200, len / 3, len / 2, len - 40, len - 1] {
        let mut bytes = good.clone();
        bytes[at] ^= 0x01;
        damaged.push((format!("flipped at {at}"), bytes));
    }
    for cut in [8, 100, len / 2, len - 17, len - 1] {
        damaged.push((format!("cut at {cut}"), good[..cut].to_vec()));
    }
    let target = tempfile::tempdir().unwrap();
    for (what, bytes) in damaged {
        let path = reg.path("bad.rdbackup");
        std::fs::write(&path, &bytes).unwrap();
        let verify = run_at(&reg.db, &["backup", "verify", path.to_str().unwrap()], &backup_key());
        assert_eq!(verify.code, 1, "{what}: {}", verify.stderr);
        verify.assert_error("backup");
        let to = target.path().join("r.sqlite3");
        let restore = run_at(
            &reg.db,
            &["backup", "restore", path.to_str().unwrap(), "--to", to.to_str().unwrap()],
            &backup_key(),
        );
        assert_eq!(restore.code, 1, "{what}: {}", restore.stderr);
        restore.assert_error("backup");
        assert!(entries(target.path()).is_empty(), "{what}: restore wrote {:?}", entries(target.path()));
    }
}

#[test]
fn an_existing_register_is_replaced_only_on_purpose_and_kept_aside() {
    let reg = Register::new(TODAY);
    fill(&reg, &[]);
    let backup = reg.path("b.rdbackup");
    reg.run_env(&["backup", "create", "--out", backup.to_str().unwrap()], &backup_key()).ok();
    let target = tempfile::tempdir().unwrap();
    let to = target.path().join("r.sqlite3");
    let restore = |extra: &[&str]| {
        let mut args = vec!["backup", "restore", backup.to_str().unwrap(), "--to", to.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        run_at(&reg.db, &args, &backup_key())
    };
    restore(&[]).json();
    // Changed after the restore: the replaced register is the one with two requests.
    let request = crate::support::request(&to, TODAY).kind("access").regime("uk-gdpr").calendar("GB-ENG");
    request.received("2026-03-05").name("Bo").run().ok();
    let before = entries(target.path());
    restore(&[]).assert_error("--replace");
    assert_eq!(entries(target.path()), before, "a refused restore changes nothing");

    let replaced = restore(&["--replace"]).json();
    let aside: Vec<String> =
        replaced["kept_aside"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    assert!(aside.iter().any(|p| p.contains("r.sqlite3.replaced-")), "{aside:?}");
    assert!(aside.iter().any(|p| p.contains("rightsdesk-files-")), "the old folder is kept aside too: {aside:?}");
    for path in &aside {
        assert!(Path::new(path).exists(), "{path}");
    }
    assert_eq!(list(&to, &[])["total"], 1);
    run_at(&to, &["audit", "verify"], &[]).ok();
    let old = aside
        .iter()
        .find(|p| !p.contains("rightsdesk-files-") && !p.ends_with("-wal") && !p.ends_with("-shm"))
        .unwrap();
    let kept = Command::new("sqlite3").arg(old).arg("SELECT count(*) FROM requests").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&kept.stdout).trim(), "2", "the replaced register is kept whole");
}

#[test]
fn kill_9_during_backup_create_leaves_no_file_under_its_name_and_the_register_verifies() {
    let reg = Register::new(TODAY);
    fill(&reg, &[]);
    let reference =
        reg.run(&["request", "list", "--json"]).json()["items"][0]["reference"].as_str().unwrap().to_string();
    // A large attachment keeps the backup busy long enough to be killed in the middle.
    let big = reg.path("big.bin");
    std::fs::write(&big, vec![7u8; 24 * 1024 * 1024]).unwrap();
    reg.run(&["request", "attach", &reference, big.to_str().unwrap()]).ok();
    std::fs::remove_file(&big).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let mut killed = 0;
    for (i, delay) in [30u64, 120, 300, 700].into_iter().enumerate() {
        let out = out_dir.path().join(format!("killed-{i}.rdbackup"));
        let mut child = Command::new(bin())
            .args(["--db", reg.db.to_str().unwrap(), "backup", "create", "--out", out.to_str().unwrap()])
            .env("RIGHTSDESK_NOW", TODAY)
            .env("RIGHTSDESK_UNENCRYPTED", "1")
            .env("RIGHTSDESK_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some_and(|s| s.success());
        let _ = child.kill();
        let _ = child.wait();
        if finished {
            // It finished before the kill: then the file is whole.
            run_at(&reg.db, &["backup", "verify", out.to_str().unwrap()], &backup_key()).ok();
        } else {
            killed += 1;
            assert!(!out.exists(), "a killed backup left {out:?}");
        }
        reg.run(&["audit", "verify"]).ok();
    }
    assert!(killed > 0, "no backup was killed before it finished: make the attachment larger");
    // The register still backs up, and the killed backups' leftovers are not taken for its files.
    let whole = out_dir.path().join("whole.rdbackup");
    let made = reg.run_env(&["backup", "create", "--out", whole.to_str().unwrap(), "--json"], &backup_key()).json();
    assert_eq!(made["files"], 3, "{made}");
    run_at(&reg.db, &["backup", "verify", whole.to_str().unwrap()], &backup_key()).ok();
}

#[test]
fn scheduled_backups_are_made_when_due_pruned_to_the_newest_and_missed_ones_said() {
    let plain = Register::new(TODAY);
    plain.run(&["backup", "schedule", "--every", "daily"]).assert_error("encrypted register");

    let reg = Register::new(TODAY);
    let folder = reg.path("backups");
    let at =
        |day: &str, args: &[&str]| reg.run_env(&[&["--json"], args].concat(), &[key()[0], ("RIGHTSDESK_NOW", day)]);
    let set =
        at(TODAY, &["backup", "schedule", "--every", "daily", "--keep", "2", "--folder", folder.to_str().unwrap()]);
    assert_eq!(set.json()["every"], "daily");
    assert_eq!(at(TODAY, &["backup", "schedule"]).json()["overdue"], false, "just set: not missed yet");
    assert_eq!(at("2026-03-13", &["backup", "schedule"]).json()["overdue"], true, "none made since it was set");
    at(TODAY, &["backup", "schedule", "--every", "weekly", "--keep", "0"]).assert_error("keep");

    let made = at("2026-03-10", &["backup", "due"]).json();
    assert!(made["file"].as_str().unwrap().starts_with(folder.to_str().unwrap()));
    assert_eq!(at("2026-03-10", &["backup", "due"]).json(), serde_json::Value::Null, "not due again the same day");
    at("2026-03-11", &["backup", "due"]).json();
    let newest = at("2026-03-12", &["backup", "due"]).json()["file"].as_str().unwrap().to_string();
    assert_eq!(entries(&folder).len(), 2, "the oldest went: {:?}", entries(&folder));
    let status = at("2026-03-12", &["backup", "schedule"]).json();
    assert_eq!((status["overdue"].as_bool(), status["last_file"].as_str()), (Some(false), Some(newest.as_str())));
    reg.run_env(&["backup", "verify", &newest], &key()).ok();
    // Missed: a day past its time without one.
    assert_eq!(
        at("2026-03-14", &["backup", "schedule"]).json()["overdue"],
        false,
        "two days: one day late is not yet missed"
    );
    assert_eq!(at("2026-03-15", &["backup", "schedule"]).json()["overdue"], true);
    let history = at(TODAY, &["audit", "history"]).json();
    assert!(history.to_string().contains("backup_schedule_set"));
}

/// The window's restore (`backup_lock`, `Desk::with_own_key`, `restore_and_open`): a backup of the open register
/// opens with its own key, nothing typed; after a key rotation the old backup needs the passphrase it was made with,
/// and the refusal says so; restored in place, the old register is kept aside and the restored one comes back open.
#[test]
fn the_windows_restore_opens_a_backup_of_the_open_register_with_its_own_key() {
    use rightsdesk::desk::{BackupKeys, Clock, backup_lock, restore_and_open, verify_backup};
    use rightsdesk::vault::Access;

    let reg = Register::new(TODAY);
    let env = key();
    let reference = fill(&reg, &env);
    let backup = reg.path("r.rdbackup");
    run_at(&reg.db, &["backup", "create", "--out", backup.to_str().unwrap()], &env).ok();
    let clock = Clock::Fixed(time::macros::datetime!(2026-03-10 12:00 UTC));

    let desk = rightsdesk::Desk::open(&reg.db, clock, &Access::passphrase(PASSPHRASE)).unwrap();
    // "Back up now" shows how far it is: from 0 to 100 percent, never back.
    let mut seen = vec![];
    let again = reg.path("again.rdbackup");
    desk.create_backup_reporting(&again, rightsdesk::safe_file::Existing::Refuse, None, &mut |p| seen.push(p)).unwrap();
    assert_eq!((seen.first(), seen.last()), (Some(&0), Some(&100)), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]) && seen.len() > 2, "{seen:?}");
    let lock = backup_lock(&backup, Some(&desk)).unwrap();
    assert_eq!((lock.locked_with.as_str(), lock.needs_secret), ("register key", false), "{lock:?}");
    assert!(backup_lock(&backup, None).unwrap().needs_secret, "without the register open, its passphrase is asked");
    let checked = verify_backup(&backup, &desk.with_own_key(BackupKeys::default()), clock).unwrap();
    assert_eq!(checked.requests, 1);
    verify_backup(&backup, &BackupKeys::default(), clock).unwrap_err();
    drop(desk);

    // A new key: the old backup is no longer this register's own, and the refusal names what opens it.
    run_at(&reg.db, &["vault", "rotate"], &env).ok();
    let desk = rightsdesk::Desk::open(&reg.db, clock, &Access::passphrase(PASSPHRASE)).unwrap();
    assert!(backup_lock(&backup, Some(&desk)).unwrap().needs_secret);
    let refused = verify_backup(&backup, &desk.with_own_key(BackupKeys::default()), clock).unwrap_err();
    assert_eq!(refused.code(), "locked");
    assert!(refused.to_string().contains("made under another key"), "{refused}");
    let typed = BackupKeys { access: Access::passphrase(PASSPHRASE), ..BackupKeys::default() };
    let keys = desk.with_own_key(typed);
    verify_backup(&backup, &keys, clock).unwrap();

    // In place of the register: a request logged since goes aside with the old register, the backup's comes back.
    let later = reg.request().kind("erasure").regime("uk-gdpr").received("2026-03-09");
    let later = later.who("Lena Later", "lena@example.org").env(&env).add();
    drop(desk);
    let (restored, desk) = restore_and_open(&backup, &reg.db, true, &keys, clock).unwrap();
    assert_eq!(restored.kept_aside.len(), 3, "database, key file and files: {restored:?}");
    assert!(desk.request(&reference).is_ok());
    assert_eq!(desk.request(&later).unwrap_err().code(), "not_found");
    assert!(desk.verify_audit_with(None).unwrap().ok);
}
