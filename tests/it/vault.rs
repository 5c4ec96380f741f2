//! The register as a vault (issue 17): a new register is encrypted unless asked otherwise, nothing personal lies in
//! plain bytes under its folders, it opens only with one of its unlock methods, and every failure changes nothing.

use std::path::{Path, PathBuf};

use crate::support::smtp::{received, start};
use crate::support::{Register, bin};

const TODAY: &str = "2026-03-10";
const PASSPHRASE: &str = "correct horse battery staple";
const MARK: &str = "Zyxmarkerowski";

/// A register made encrypted by its first command (the passphrase given, the tests' plain default overridden).
fn vault() -> Register {
    let reg = Register::new(TODAY);
    let made = reg.run_env(&["vault", "status", "--json"], &[("RIGHTSDESK_PASSPHRASE", PASSPHRASE)]);
    assert!(made.json()["encrypted"].as_bool().unwrap());
    assert!(made.stderr.contains("recovery key"), "the recovery key is shown once: {}", made.stderr);
    reg
}

fn with_key<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("RIGHTSDESK_PASSPHRASE", PASSPHRASE)];
    env.extend_from_slice(extra);
    env
}

fn add_request(reg: &Register) {
    reg.request()
        .kind("access")
        .regime("uk-gdpr")
        .calendar("GB-ENG")
        .received("2026-03-02")
        .name("Ada")
        .env(&with_key(&[]))
        .add();
}

fn recovery_key(stderr: &str) -> String {
    stderr.rsplit(": ").next().unwrap().trim().to_string()
}

#[test]
fn a_new_register_needs_a_key_or_an_explicit_plain_choice() {
    let reg = Register::new(TODAY);
    let refused = std::process::Command::new(bin())
        .args(["--db", reg.db.to_str().unwrap(), "request", "list"])
        .env_remove("RIGHTSDESK_UNENCRYPTED")
        .env_remove("RIGHTSDESK_PASSPHRASE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("RIGHTSDESK_PASSPHRASE") && stderr.contains("--unencrypted"), "{stderr}");
    assert!(std::fs::read_dir(reg.dir()).unwrap().next().is_none(), "nothing was made");

    // Asked for explicitly, a plain register says so.
    let plain = reg.run(&["vault", "status", "--json"]).json();
    assert_eq!(
        (plain["encrypted"].as_bool(), plain["unlock_methods"].as_array().map(Vec::len)),
        (Some(false), Some(0))
    );
    assert!(reg.run(&["vault", "status"]).stdout.contains("NOT encrypted"));
}

#[test]
fn nothing_personal_is_left_in_plain_bytes_and_all_of_it_reads_back() {
    let reg = vault();
    let env = with_key(&[]);
    let mail_dir = tempfile::tempdir().unwrap();
    let server = start(mail_dir.path(), "", None);
    let org = ["settings", "organisation", "--name", "Acme Ltd", "--email", "privacy@acme.test", "--signature", "Dana"];
    reg.run_env(&org, &env).ok();
    let request = reg.request().kind("erasure").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let request = request.who(&format!("Quentin {MARK}"), "quentin@example.org");
    let reference = request.opt("--description", &format!("{MARK} health details")).env(&env).add();
    // The files' names hold the marker too: a name on disk is as readable as a file's content.
    let scan = reg.write(&format!("scan-{MARK}.txt"), format!("{MARK} scanned letter"));
    let passport = reg.write(&format!("passport-{MARK}.txt"), format!("{MARK} passport number"));
    reg.run_env(&["request", "attach", &reference, &scan], &env).ok();
    let verify =
        ["request", "verify", &reference, "--method", "id-document", "--outcome", "verified", "--on", "2026-03-03"];
    let mut verify = verify.to_vec();
    verify.extend(["--evidence", passport.as_str()]);
    reg.run_env(&verify, &env).ok();
    reg.run_env(
        &[
            "request",
            "status",
            &reference,
            "refused",
            "--category",
            "manifestly-unfounded",
            "--reason",
            &format!("{MARK} wrote it to disrupt"),
        ],
        &env,
    )
    .ok();
    let port = server.port.to_string();
    reg.run_env(&["settings", "smtp", "--host", "127.0.0.1", "--port", &port, "--security", "none"], &env).ok();
    reg.run_env(&["mail", "send", &reference, "--template", "refusal"], &env).ok();
    let flushed = reg.run_env(&["mail", "flush", "--json"], &env).json();
    assert_eq!(flushed["sent"].as_u64(), Some(1));
    assert!(received(&server)[0].0.contains(MARK), "the requester got the answer");
    std::fs::remove_file(&scan).unwrap();
    std::fs::remove_file(&passport).unwrap();

    // Database, WAL, key file, attachments, evidence, the sent .eml: none holds the marker, nor is named with it.
    let files = crate::support::files_under(reg.dir());
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        assert!(!file.to_string_lossy().contains(MARK), "{} is named with personal data", file.display());
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.windows(MARK.len()).any(|w| w == MARK.as_bytes()), "{} holds plaintext", file.display());
    }

    // Everything reads back through the key: the request, and every file in the evidence pack (the officer's
    // export, plaintext where they asked).
    let shown = reg.run_env(&["request", "show", &reference, "--json"], &env).json();
    assert_eq!(shown["requester"]["name"].as_str(), Some(format!("Quentin {MARK}").as_str()));
    let pack = reg.path("pack.zip");
    reg.run_env(&["export", "evidence", "--request", &reference, "--out", pack.to_str().unwrap()], &env).ok();
    let listing = std::process::Command::new("unzip").arg("-p").arg(&pack).output().unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains(MARK), "the sent email reads back into the pack");
    reg.run_env(&["audit", "verify"], &env).ok();
}

#[test]
fn a_locked_register_or_a_wrong_secret_changes_nothing() {
    let reg = vault();
    add_request(&reg);
    let before: Vec<(PathBuf, Vec<u8>)> =
        crate::support::files_under(reg.dir()).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    reg.run(&["request", "list"]).assert_error("encrypted and locked");
    reg.run_env(&["request", "list"], &[("RIGHTSDESK_PASSPHRASE", "wrong horse battery staple")])
        .assert_error("does not open");
    reg.run_input(&["--passphrase-stdin", "request", "list"], "not it either\n").assert_error("does not open");
    reg.run_env(
        &["vault", "unlock-with-recovery"],
        &[("RIGHTSDESK_RECOVERY_KEY", "AAAA-BBBB"), ("RIGHTSDESK_NEW_PASSPHRASE", "a new passphrase")],
    )
    .assert_error("recovery key");
    let other = "A".repeat(52);
    reg.run_env(
        &["vault", "unlock-with-recovery"],
        &[("RIGHTSDESK_RECOVERY_KEY", &other), ("RIGHTSDESK_NEW_PASSPHRASE", "a new passphrase")],
    )
    .assert_error("does not open");
    // The key file gone: the database is not mistaken for a new one, nor overwritten.
    let key_file = reg.path("r.sqlite3.vault");
    std::fs::rename(&key_file, reg.path("aside")).unwrap();
    reg.run_env(&["request", "list"], &with_key(&[])).assert_error("key file");
    std::fs::rename(reg.path("aside"), &key_file).unwrap();
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{} changed", path.display());
    }
    assert_eq!(
        reg.run_input(&["--passphrase-stdin", "request", "list", "--json"], &format!("{PASSPHRASE}\n")).json()["total"]
            .as_u64(),
        Some(1)
    );
}

#[test]
fn a_passphrase_is_changed_or_recovered_without_re_encrypting() {
    let reg = Register::new(TODAY);
    let made = reg.run_env(&["vault", "status"], &with_key(&[]));
    let recovery = recovery_key(&made.stderr);
    add_request(&reg);
    let db_before = std::fs::read(&reg.db).unwrap();

    let changed = reg.run_env(
        &["vault", "change-passphrase", "--json"],
        &with_key(&[("RIGHTSDESK_NEW_PASSPHRASE", "second passphrase here")]),
    );
    assert_eq!(changed.json()["unlock_methods"], serde_json::json!(["passphrase", "recovery"]));
    reg.run_env(&["request", "list"], &with_key(&[])).assert_error("does not open");
    let second = [("RIGHTSDESK_PASSPHRASE", "second passphrase here")];
    reg.run_env(&["request", "list"], &second).ok();
    reg.run_env(&["vault", "change-passphrase"], &[second[0], ("RIGHTSDESK_NEW_PASSPHRASE", "short")])
        .assert_error("at least 10");

    // The passphrase forgotten: the recovery key sets a new one.
    let recovered = reg.run_input(
        &["vault", "unlock-with-recovery", "--recovery-key-stdin"],
        &format!("{}\n", recovery.to_lowercase()),
    );
    recovered.assert_error("RIGHTSDESK_NEW_PASSPHRASE");
    let recovered = reg.run_env(
        &["vault", "unlock-with-recovery", "--json"],
        &[("RIGHTSDESK_RECOVERY_KEY", &recovery), ("RIGHTSDESK_NEW_PASSPHRASE", "third passphrase here")],
    );
    assert!(recovered.json()["encrypted"].as_bool().unwrap());
    reg.run_env(&["request", "list"], &second).assert_error("does not open");
    let third = [("RIGHTSDESK_PASSPHRASE", "third passphrase here")];
    let history = reg.run_env(&["audit", "history", "--json"], &third).json();
    let changes: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "vault_changed")
        .map(|e| e["data"]["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["recovered", "passphrase_changed"], "newest first, nothing secret: {history}");
    assert!(!history.to_string().contains("third passphrase"));
    reg.run_env(&["audit", "verify"], &third).ok();
    // The data itself was not re-encrypted: only the key's wrapping changed (pages written since differ).
    assert_eq!(std::fs::read(&reg.db).unwrap()[..16], db_before[..16], "same database salt");
}

#[test]
fn the_os_keyring_is_offered_and_its_absence_said_plainly() {
    let reg = vault();
    let added = reg.run_env(&["vault", "add-keyring", "--json"], &with_key(&[]));
    if added.code == 0 {
        eprintln!("this machine has an OS keyring: the register is kept there");
        assert!(added.json()["unlock_methods"].as_array().unwrap().iter().any(|m| m == "keyring"));
        reg.run(&["request", "list"]).ok();
        reg.run_env(&["vault", "remove-keyring"], &with_key(&[])).ok();
    } else {
        added.assert_error("keyring");
        let status = reg.run_env(&["vault", "status", "--json"], &with_key(&[])).json();
        assert_eq!(status["unlock_methods"], serde_json::json!(["passphrase", "recovery"]), "nothing changed");
    }
    reg.run_env(&["vault", "remove-keyring"], &with_key(&[])).assert_error("not kept in the OS keyring");
}

/// A plain register with requests and files holding the marker.
fn plain_register_with_files(count: &str, files: usize) -> Register {
    let reg = Register::new(TODAY);
    disclose_a_file(&reg, &[]);
    reg.run(&["demo", "seed", "--count", count]).ok();
    for i in 0..files {
        let scan = reg.write(&format!("scan{i}-{MARK}.txt"), format!("{MARK} scan {i} ").repeat(4000));
        reg.run(&["request", "attach", &format!("RD-2026-{:04}", i + 1), &scan]).ok();
        std::fs::remove_file(&scan).unwrap();
    }
    reg
}

/// No work file of a re-encryption is left beside the register.
fn assert_no_work_files(reg: &Register) {
    for entry in std::fs::read_dir(reg.dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".rekey") && !name.ends_with(".vault-pending") && !name.ends_with(".old"),
            "left over: {name}"
        );
    }
}

#[test]
fn a_plain_register_is_encrypted_whole_and_keeps_everything() {
    let reg = plain_register_with_files("120", 3);
    let listed = reg.run(&["request", "list", "--json", "--limit", "500"]).stdout;
    let new = [("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)];
    let encrypted = reg.run_env(&["vault", "encrypt", "--json"], &new);
    assert_eq!(encrypted.json()["encrypted"].as_bool(), Some(true));
    assert!(encrypted.stderr.contains("recovery key"), "{}", encrypted.stderr);
    assert_no_work_files(&reg);
    for file in crate::support::files_under(reg.dir()) {
        assert!(!file.to_string_lossy().contains(MARK), "{} is named with personal data", file.display());
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(MARK.len()).any(|w| w == MARK.as_bytes()), "{} holds plaintext", file.display());
    }
    let env = with_key(&[]);
    assert_eq!(reg.run_env(&["request", "list", "--json", "--limit", "500"], &env).stdout, listed);
    reg.run_env(&["audit", "verify"], &env).ok();
    let shown = reg.run_env(&["request", "show", "RD-2026-0002", "--json"], &env).json();
    assert_eq!(shown["attachments"].as_array().unwrap().len(), 1);
    subject_export_holds_the_file(&reg.db, &env);
    let history = reg.run_env(&["audit", "history", "--json"], &env).json();
    assert_eq!(history["events"][0]["data"]["change"], "encrypted");
    // Once is enough; a plain register is not what `rotate` is for.
    reg.run_env(&["vault", "encrypt"], &[new[0], ("RIGHTSDESK_PASSPHRASE", PASSPHRASE)])
        .assert_error("encrypted already");
}

#[test]
fn a_rotated_key_leaves_earlier_recovery_keys_useless() {
    let reg = Register::new(TODAY);
    let made = reg.run_env(&["vault", "status"], &with_key(&[]));
    let old_recovery = recovery_key(&made.stderr);
    add_request(&reg);
    let before = reg.run_env(&["vault", "status", "--json"], &with_key(&[])).json();
    reg.run(&["vault", "rotate"]).assert_error("locked");
    let rotated = reg.run_env(&["vault", "rotate", "--json"], &with_key(&[]));
    let after = rotated.json();
    assert_ne!(after["key_id"], before["key_id"]);
    let new_recovery = recovery_key(&rotated.stderr);
    assert_ne!(new_recovery, old_recovery);
    let recover = |key: &str| {
        reg.run_env(
            &["vault", "unlock-with-recovery"],
            &[("RIGHTSDESK_RECOVERY_KEY", key), ("RIGHTSDESK_NEW_PASSPHRASE", "another passphrase entirely")],
        )
    };
    recover(&old_recovery).assert_error("does not open");
    assert_eq!(reg.run_env(&["request", "list", "--json"], &with_key(&[])).json()["total"].as_u64(), Some(1));
    recover(&new_recovery).ok();
    reg.run_env(&["audit", "verify"], &[("RIGHTSDESK_PASSPHRASE", "another passphrase entirely")]).ok();
    assert_no_work_files(&reg);
}

#[test]
fn encrypting_a_register_open_elsewhere_is_refused() {
    let reg = plain_register_with_files("5", 0);
    let holder = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute('select count(*) from requests').fetchall(); print('open', flush=True); time.sleep(30)"])
        .arg(&reg.db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut holder = holder;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()), &mut line).unwrap();
    let refused = reg.run_env(&["vault", "encrypt"], &[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    refused.assert_error("open in another window or command");
    assert!(!reg.path("r.sqlite3.vault").exists());
    reg.run_env(&["vault", "encrypt"], &[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]).ok();
}

/// `kill -9` at random moments of `vault encrypt` and `vault rotate`: the register always opens (plain or
/// encrypted, whichever the moment left), verifies, and holds every request and file; no work file stays.
#[test]
fn kill_dash_nine_during_encrypt_or_rotate_leaves_one_complete_register() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x7a17);
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..10 {
        let rotate = round % 2 == 1;
        let reg = plain_register_with_files("150", 4);
        if rotate {
            reg.run_env(&["vault", "encrypt"], &[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]).ok();
        }
        let listed = reg.run_env(&["request", "list", "--json", "--limit", "500"], &with_key(&[])).stdout;
        let args = if rotate { ["vault", "rotate"] } else { ["vault", "encrypt"] };
        let mut child = crate::support::command()
            .arg("--db")
            .arg(&reg.db)
            .args(args)
            .env("RIGHTSDESK_NOW", TODAY)
            .envs(with_key(&[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.random_range(0..600)));
        let _ = child.kill();
        let status = child.wait().unwrap();

        // The next command finishes or undoes what was interrupted.
        let now = reg.run_env(&["vault", "status", "--json"], &with_key(&[])).json();
        let state = if now["encrypted"].as_bool().unwrap() { "encrypted" } else { "plain" };
        *outcomes.entry((args[1], state, status.success())).or_insert(0) += 1;
        assert_eq!(
            reg.run_env(&["request", "list", "--json", "--limit", "500"], &with_key(&[])).stdout,
            listed,
            "round {round}"
        );
        reg.run_env(&["audit", "verify"], &with_key(&[])).ok();
        subject_export_holds_the_file(&reg.db, &with_key(&[]));
        assert_no_work_files(&reg);
    }
    eprintln!("outcomes (command, state after, finished): {outcomes:?}");
}

#[test]
fn encrypting_a_copy_of_a_register_leaves_the_original_whole() {
    // A byte copy of a register takes its own folder of files, hard-linked to the original's (register_folders.rs):
    // the copy's plain files are not overwritten in place when it is encrypted, since the original still names them.
    let reg = plain_register_with_files("10", 2);
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(&reg.db, &copy).unwrap();
    let open_copy = crate::support::run_now(&copy, TODAY, &["request", "show", "RD-2026-0001", "--json"]);
    open_copy.ok();
    crate::support::run_env(&copy, TODAY, &["vault", "encrypt"], &[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]).ok();
    let originals = crate::support::files_under(&reg.files_dir().join("attachments"));
    assert_eq!(originals.len(), 3, "two scans and the disclosed file");
    for file in originals {
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.windows(MARK.len()).any(|w| w == MARK.as_bytes()), "{} was overwritten", file.display());
    }
    subject_export_holds_the_file(&reg.db, &[]);
    subject_export_holds_the_file(&copy, &with_key(&[]));
}

/// The register's first request, an access request with a file disclosed, exported for the requester: the ZIP holds
/// the file's content (read back through the vault where the register is encrypted).
fn subject_export_holds_the_file(db: &Path, env: &[(&str, &str)]) {
    let out = db.with_extension("subject.zip");
    let _ = std::fs::remove_file(&out);
    let args = ["export", "subject", "RD-2026-0001", "--out", out.to_str().unwrap()];
    crate::support::run_env(db, TODAY, &args, env).ok();
    let listing = std::process::Command::new("unzip").arg("-p").arg(&out).output().unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains(&format!("{MARK} disclosed")), "the file reads back");
}

/// Make the register's first request an access request with a file disclosed (the Art 15 information set).
fn disclose_a_file(reg: &Register, env: &[(&str, &str)]) {
    let org = [
        "settings",
        "organisation",
        "--name",
        "Acme Ltd",
        "--address",
        "1 Main Street",
        "--email",
        "privacy@acme.test",
        "--purposes",
        "Orders",
        "--categories",
        "Contact",
        "--recipients",
        "Carrier",
        "--retention",
        "Six years",
        "--source",
        "You",
        "--automated",
        "None",
    ];
    reg.run_env(&org, env).ok();
    reg.run_env(&["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "contact details"], env).ok();
    let request = reg.request().kind("access").regime("uk-gdpr").calendar("GB-ENG").received("2026-03-02");
    let reference = request.name("Ada").env(env).add();
    assert_eq!(reference, "RD-2026-0001", "the register's first request");
    let file = reg.write(&format!("found-{MARK}.txt"), format!("{MARK} disclosed"));
    let disclose = ["request", "disclose", &reference, "--system", "CRM", "--category", "Files", "--file", &file];
    reg.run_env(&disclose, env).ok();
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn a_byte_copy_of_an_encrypted_register_is_told_from_a_move() {
    // The copy's first open must recognise its original (which it can only read with the key): else it would take
    // the original's folder of files as its own, as after a move.
    let reg = Register::new(TODAY);
    let env = with_key(&[]);
    disclose_a_file(&reg, &env);
    let copy = reg.path("copy.sqlite3");
    std::fs::copy(&reg.db, &copy).unwrap();
    std::fs::copy(reg.path("r.sqlite3.vault"), reg.path("copy.sqlite3.vault")).unwrap();
    subject_export_holds_the_file(&copy, &env);
    subject_export_holds_the_file(&reg.db, &env);
    let history = crate::support::run_env(&copy, TODAY, &["audit", "history", "--json"], &env).json();
    assert!(history.to_string().contains("register_copied"), "the copy knows it is one: {history}");
}

/// A `vault encrypt` killed while it scrubbed the old (plain) files folder — the key file already in place, so no
/// pending file tells of it — leaves nothing plain behind once the register is next opened.
#[test]
fn an_old_folder_a_kill_left_half_scrubbed_is_finished_at_the_next_open() {
    let reg = plain_register_with_files("5", 1);
    let folder = reg.files_dir();
    let new = [("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)];
    reg.run_env(&["vault", "encrypt"], &new).ok();
    let old = folder.with_file_name(format!("{}.old", folder.file_name().unwrap().to_string_lossy()));
    std::fs::create_dir_all(old.join("attachments")).unwrap();
    std::fs::write(old.join("attachments").join("left.txt"), format!("{MARK} left in plain")).unwrap();
    reg.run_env(&["vault", "status"], &with_key(&[])).ok();
    assert!(!old.exists(), "{} is still there", old.display());
    assert_no_work_files(&reg);
}
