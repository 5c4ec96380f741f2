//! Each register's files are its own (issue 14, item 15), through the real binary: a byte copy of the database in
//! the same folder gets a new id and its own files, so a purge in the copy leaves the original's; a moved register
//! keeps its id and files; the legacy layout (attachments/ and evidence/ beside the database) moves into the
//! register's folder on the first open, taking only what the register names.

use crate::support::{self, Register, run_now as at};

use std::path::{Path, PathBuf};

use serde_json::Value;

const OLD: &str = "2023-01-02";
const LATER: &str = "2026-06-30";

/// The register's id and its folder of files, as the CLI reports them.
fn register(db: &Path) -> (String, PathBuf) {
    let v = at(db, LATER, &["settings", "register", "--json"]).json();
    (v["id"].as_str().unwrap().to_string(), PathBuf::from(v["files"].as_str().unwrap()))
}

fn sql(db: &Path, query: &str) -> String {
    let out = std::process::Command::new("sqlite3").arg(db).arg(query).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn register_events(db: &Path) -> Vec<String> {
    sql(db, "SELECT kind FROM events WHERE request_id IS NULL ORDER BY seq").lines().map(str::to_string).collect()
}

/// A register with a request of 2023 that has an attachment and identity evidence and was closed that year (due
/// for the retention purge in 2026), and a logo on the letterhead. Returns the request's reference and id, and the
/// stored names of its attachment and evidence file.
struct Old {
    reference: String,
    id: String,
    attachment: String,
    evidence: String,
}

fn old_register(reg: &Register) -> Old {
    let (dir, db) = (reg.dir(), reg.db.as_path());
    let logo = dir.join("logo.png");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/icons/32x32.png"), &logo).unwrap();
    at(db, OLD, &["settings", "organisation", "--name", "Acme SAS", "--logo", logo.to_str().unwrap()]).ok();
    let reference = support::request(db, OLD)
        .kind("access")
        .gdpr("FR")
        .received(OLD)
        .who("Olive Oldham", "olive@example.org")
        .add();
    let scan = dir.join("letter.pdf");
    std::fs::write(&scan, b"%PDF-1.4 the request letter").unwrap();
    at(db, OLD, &["request", "attach", &reference, scan.to_str().unwrap()]).ok();
    let card = dir.join("id-card.jpg");
    std::fs::write(&card, b"an identity card").unwrap();
    let args = ["request", "verify", &reference, "--method", "id-document", "--outcome", "verified"];
    at(db, OLD, &[&args[..], &["--on", OLD, "--evidence", card.to_str().unwrap()]].concat()).ok();
    for status in ["in-progress", "fulfilled", "closed"] {
        at(db, "2023-01-20T12:00:00Z", &["request", "status", &reference, status]).ok();
    }
    let shown = at(db, LATER, &["request", "show", &reference, "--json"]).json();
    Old {
        reference,
        id: shown["id"].as_str().unwrap().to_string(),
        attachment: shown["attachments"][0]["stored_name"].as_str().unwrap().to_string(),
        evidence: shown["identity"]["checks"][0]["evidence"][0]["stored_name"].as_str().unwrap().to_string(),
    }
}

fn verified(db: &Path) {
    let v = at(db, LATER, &["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn a_purge_in_a_copy_leaves_the_originals_files() {
    let reg = Register::new(LATER);
    let original = &reg.db;
    let old = old_register(&reg);
    let (id, files) = register(original);
    assert_eq!(files, reg.dir().canonicalize().unwrap().join(format!("rightsdesk-files-{id}")));
    let attachment = files.join("attachments").join(&old.attachment);
    let evidence = files.join("evidence").join(&old.evidence);
    assert!(attachment.is_file() && evidence.is_file());
    assert!(!reg.path("attachments").exists() && !reg.path("evidence").exists(), "nothing shared");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&files).unwrap().permissions().mode() & 0o777, 0o700);
    }

    // A byte copy beside it: the same id inside, until it is opened.
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(original, &copy).unwrap();
    let (copy_id, copy_files) = register(&copy);
    assert_ne!(copy_id, id, "a copy gets its own id");
    assert_eq!(register(original).0, id, "the original keeps its id");
    assert_ne!(copy_files, files);
    assert_eq!(
        std::fs::read(copy_files.join("attachments").join(&old.attachment)).unwrap(),
        b"%PDF-1.4 the request letter"
    );
    assert!(copy_files.join("evidence").join(&old.evidence).is_file());
    let events = register_events(&copy);
    assert_eq!(events.iter().filter(|k| *k == "register_copied").count(), 1, "{events:?}");
    let data: Value =
        serde_json::from_str(&sql(&copy, "SELECT data FROM events WHERE kind = 'register_copied'")).unwrap();
    assert_eq!(data["from_id"], id.as_str());
    assert_eq!(data["from_path"], original.canonicalize().unwrap().to_str().unwrap());
    assert!(!register_events(original).contains(&"register_copied".to_string()));

    // The retention purge in the copy deletes the copy's files only.
    let done = at(&copy, LATER, &["retention", "purge", "--json"]).json();
    assert_eq!(done["purged"], 1);
    assert!(!copy_files.join("attachments").join(&old.id).exists());
    assert!(!copy_files.join("evidence").join(&old.id).exists());
    assert_eq!(std::fs::read(&attachment).unwrap(), b"%PDF-1.4 the request letter", "the original's attachment");
    assert_eq!(std::fs::read(&evidence).unwrap(), b"an identity card", "the original's evidence");
    let shown = at(original, LATER, &["request", "show", &old.reference, "--json"]).json();
    assert_eq!(shown["requester"]["name"], "Olive Oldham");
    verified(original);
    verified(&copy);

    // Each letterhead is its own too.
    let logo = at(&copy, LATER, &["settings", "organisation", "--json"]).json()["logo"].as_str().unwrap().to_string();
    assert!(Path::new(&logo).starts_with(&copy_files), "{logo}");
    assert!(Path::new(&logo).is_file());

    // The original is opened again: nothing changes.
    assert_eq!(register(original), (id.clone(), files.clone()));
    assert_eq!(register(&copy), (copy_id, copy_files));
}

#[test]
fn two_copies_of_one_original_and_a_copy_of_a_copy_are_each_their_own() {
    let reg = Register::new(LATER);
    let original = &reg.db;
    let old = old_register(&reg);
    let (first, second) = (reg.path("a.sqlite3"), reg.path("b.sqlite3"));
    std::fs::copy(original, &first).unwrap();
    std::fs::copy(original, &second).unwrap();
    let (a_id, a_files) = register(&first);
    let third = reg.path("c.sqlite3");
    std::fs::copy(&first, &third).unwrap();
    let ids: Vec<(String, PathBuf)> = [original, &first, &second, &third].iter().map(|db| register(db)).collect();
    assert_eq!(ids[1], (a_id, a_files));
    for (i, (id, files)) in ids.iter().enumerate() {
        for (other, _) in &ids[i + 1..] {
            assert_ne!(id, other);
        }
        assert!(files.join("attachments").join(&old.attachment).is_file(), "{}", files.display());
    }
    // The copy of a copy carries its original's record of being copied, then its own.
    let newest = "SELECT data FROM events WHERE kind = 'register_copied' ORDER BY seq DESC LIMIT 1";
    let from: Value = serde_json::from_str(&sql(&third, newest)).unwrap();
    assert_eq!(from["from_id"], ids[1].0.as_str(), "a copy of a copy names the copy");
    for db in [original, &first, &second, &third] {
        verified(db);
    }
}

#[test]
fn a_signed_register_still_verifies_and_signs_after_it_is_copied() {
    const PASSPHRASE: &str = "correct horse battery staple";
    let reg = Register::new(LATER);
    let original = &reg.db;
    old_register(&reg);
    reg.run_input(&["audit", "key", "setup", "--key-passphrase-stdin", "--json"], &format!("{PASSPHRASE}\n")).ok();
    let anchor = reg.path("anchor.json");
    let signed = |db: &Path, args: &[&str]| {
        let out = support::command()
            .args([&["--db", db.to_str().unwrap()], args].concat())
            .env("RIGHTSDESK_NOW", LATER)
            .env("RIGHTSDESK_AUDIT_PASSPHRASE", PASSPHRASE)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    signed(original, &["audit", "anchor", "--out", anchor.to_str().unwrap()]);
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(original, &copy).unwrap();
    // The copy's checkpoints of before the copy name the original's id: they are its history too.
    verified(&copy);
    at(&copy, LATER, &["audit", "verify", "--anchor", anchor.to_str().unwrap()]).ok();
    // Its sealed key still opens (bound to the id it was made under), and new checkpoints name the copy.
    signed(&copy, &["audit", "checkpoint"]);
    let (copy_id, _) = register(&copy);
    let newest = sql(&copy, "SELECT body FROM checkpoints ORDER BY id DESC LIMIT 1");
    assert!(newest.contains(&copy_id), "{newest}");
    verified(&copy);
    verified(original);
}

#[test]
fn a_moved_register_keeps_its_id_and_its_files() {
    let reg = Register::new(LATER);
    let db = &reg.db;
    let old = old_register(&reg);
    let (id, files) = register(db);

    // Renamed in its folder: same id, same folder (its name does not depend on the file's).
    let renamed = reg.path("register-2026.sqlite3");
    std::fs::rename(db, &renamed).unwrap();
    assert_eq!(register(&renamed), (id.clone(), files.clone()));
    assert!(!register_events(&renamed).contains(&"register_copied".to_string()));

    // Moved to another folder without its files: the folder follows it.
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("r.sqlite3");
    std::fs::copy(&renamed, &moved).unwrap();
    std::fs::remove_file(&renamed).unwrap();
    let (moved_id, moved_files) = register(&moved);
    assert_eq!(moved_id, id);
    assert_eq!(moved_files, elsewhere.path().canonicalize().unwrap().join(format!("rightsdesk-files-{id}")));
    assert!(!files.exists(), "the folder went with the database");
    assert!(moved_files.join("attachments").join(&old.attachment).is_file());
    assert!(moved_files.join("evidence").join(&old.evidence).is_file());
    assert!(register_events(&moved).contains(&"files_folder_moved".to_string()));
    verified(&moved);
}

#[test]
fn a_legacy_layout_moves_into_the_register_folder_taking_only_its_own() {
    let reg = Register::new(LATER);
    let db = &reg.db;
    let old = old_register(&reg);
    let (id, files) = register(db);
    // As Rightsdesk left it before register folders: the files beside the database, the logo by its full path,
    // no recorded place.
    for sub in ["attachments", "evidence", "letterhead"] {
        std::fs::rename(files.join(sub), reg.path(sub)).unwrap();
    }
    std::fs::remove_dir_all(&files).unwrap();
    let logo_name = sql(db, "SELECT value FROM settings WHERE key = 'org.logo'").replace("letterhead/", "");
    let legacy_logo = reg.path("letterhead").join(&logo_name);
    assert!(legacy_logo.is_file());
    sql(
        db,
        &format!(
            "DELETE FROM settings WHERE key = 'register.path'; UPDATE settings SET value = '{}' WHERE key = 'org.logo';",
            legacy_logo.display()
        ),
    );
    // Another register's folder in the legacy place, and a file of the user's: they stay where they are.
    let stranger = reg.path("attachments").join("0190c0de-0000-7000-8000-000000000000");
    std::fs::create_dir_all(&stranger).unwrap();
    std::fs::write(stranger.join("theirs.pdf"), b"not ours").unwrap();
    // A copy made before the upgrade shares the legacy folders.
    let early_copy = reg.path("early-copy.sqlite3");
    std::fs::copy(db, &early_copy).unwrap();

    assert_eq!(register(db), (id.clone(), files.clone()));
    assert!(files.join("attachments").join(&old.attachment).is_file());
    assert!(files.join("evidence").join(&old.evidence).is_file());
    assert!(!reg.path("attachments").join(&old.id).exists());
    assert!(!reg.path("evidence").exists(), "an emptied legacy folder goes");
    assert!(stranger.join("theirs.pdf").is_file(), "what the register does not name stays");
    assert!(register_events(db).contains(&"files_moved_to_register_folder".to_string()));
    let logo = at(db, LATER, &["settings", "organisation", "--json"]).json()["logo"].as_str().unwrap().to_string();
    assert_eq!(Path::new(&logo), files.join("letterhead").join(&logo_name));
    assert!(Path::new(&logo).is_file());
    assert_eq!(sql(db, "SELECT value FROM settings WHERE key = 'org.logo'"), format!("letterhead/{logo_name}"));
    let letter = at(db, LATER, &["template", "letter", &old.reference, "--template", "acknowledgement"]);
    letter.ok();
    verified(db);

    // The copy made before the upgrade, opened later, is told from the register that took the files: it gets a
    // new id and its own copies of them.
    let (copy_id, copy_files) = register(&early_copy);
    assert_ne!(copy_id, id);
    assert!(copy_files.join("attachments").join(&old.attachment).is_file());
    assert!(copy_files.join("evidence").join(&old.evidence).is_file());
    verified(&early_copy);
}

#[test]
fn a_read_only_register_of_the_legacy_layout_still_finds_its_files() {
    let reg = Register::new(LATER);
    let db = &reg.db;
    let old = old_register(&reg);
    let (_, files) = register(db);
    for sub in ["attachments", "evidence", "letterhead"] {
        std::fs::rename(files.join(sub), reg.path(sub)).unwrap();
    }
    std::fs::remove_dir_all(&files).unwrap();
    sql(db, "DELETE FROM settings WHERE key = 'register.path'");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o400)).unwrap();
        if std::fs::OpenOptions::new().write(true).open(db).is_ok() {
            return; // root writes anyway: nothing read-only to test
        }
        let (_, shown) = register(db);
        assert_eq!(shown, reg.dir().canonicalize().unwrap(), "read-only: the files stay where they are");
        let pack = reg.path("pack.zip");
        at(db, LATER, &["export", "evidence", &old.reference, "--out", pack.to_str().unwrap()]).ok();
        assert!(!files.exists(), "a read-only register makes no folder");
    }
}

/// Two byte copies of a register written before schema 10 (no register id yet, files in the shared `attachments/`
/// beside them): each gets an id of its own at the upgrade, so neither is recognised as the other's copy. The first
/// opened takes the shared files; the second still gets its own links to them, and a purge in one leaves the other's.
#[test]
fn copies_made_before_the_upgrade_each_keep_their_files() {
    let reg = Register::with_file(LATER, "old.sqlite3");
    let original = &reg.db;
    let conn = rusqlite::Connection::open(original).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL)",
    )
    .unwrap();
    for m in &rightsdesk::store::migrate::MIGRATIONS[..9] {
        conn.execute_batch(m.sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, ?3, 't')",
            rusqlite::params![m.version, m.name, rightsdesk::store::migrate::checksum(m.sql)],
        )
        .unwrap();
    }
    let request = "01900000-0000-7000-8000-0000000000aa";
    conn.execute(
        "INSERT INTO requests (id, reference, ref_year, ref_seq, kind, regime, calendar, channel, received, status,
            requester_name, is_open, created_at, updated_at)
         VALUES (?1, 'RD-2024-0001', 2024, 1, 'access', 'eu-gdpr', 'FR', 'email', '2024-01-01', 'received', 'Pia',
            1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
        [request],
    )
    .unwrap();
    drop(conn);
    let legacy = reg.path("attachments").join(request);
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::write(legacy.join("a1-letter.pdf"), b"%PDF-1.4 the letter").unwrap();
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(original, &copy).unwrap();

    let (first_id, first) = register(original);
    let (second_id, second) = register(&copy);
    assert_ne!(first_id, second_id);
    let kept = |folder: &Path| folder.join("attachments").join(request).join("a1-letter.pdf");
    assert_eq!(std::fs::read(kept(&first)).unwrap(), b"%PDF-1.4 the letter");
    assert_eq!(std::fs::read(kept(&second)).unwrap(), b"%PDF-1.4 the letter", "the later copy lost its files");
    std::fs::remove_file(kept(&first)).unwrap();
    assert!(kept(&second).is_file(), "removing one register's file took the other's");
}
