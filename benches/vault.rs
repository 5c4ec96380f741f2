//! Encrypted vs plain (issue 17): the same operations on a plain register and on its copy encrypted by
//! `vault encrypt`, in one process, paired and interleaved (the machine is shared: a pair sees the same load);
//! medians, and the ratio as the median of the pairs' ratios.
//!
//!   scripts/bench-vault.sh                       (RIGHTSDESK_BENCH_COUNT, default 1,000,000)
//!   RIGHTSDESK_BENCH_COUNT=100000 RIGHTSDESK_BENCH_SUBJECT_MB=256 scripts/bench-vault.sh    (while developing)
//!
//! Set-up, cached under `target/bench-data/vault-<count>-<subject MB>/`: `plain/` seeded by the release CLI
//! (`demo seed`), its first request an access request with RIGHTSDESK_BENCH_SUBJECT_MB of files disclosed (random
//! bytes, 256 MiB each); `encrypted-f<format>/` a copy of it encrypted by `rightsdesk vault encrypt` (timed once,
//! printed), made again from the plain one when the cipher format changes (`CIPHER_FORMAT_VERSION`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rightsdesk::Desk;
use rightsdesk::desk::{Clock, NewRequest};
use rightsdesk::export::log::LogFormat;
use rightsdesk::ops::{Operation, Reporting, SaveTo};
use rightsdesk::store::Query;
use rightsdesk::vault::Access;

const NOW: &str = "2026-11-22";
const PASSPHRASE: &str = "benchmark lantern orbit velvet";
/// Bump when the set-up changes: a cached register of an older set-up is made again.
const DATA_VERSION: u32 = 1;
/// Bump when the encrypted register's format changes (`vault::CIPHER_FORMAT`): only the encrypted copy is made again
/// (from the cached plain register; seeding a million requests again would take minutes for nothing).
/// 2: HMAC-SHA256 per page.
const CIPHER_FORMAT_VERSION: u32 = 2;

fn main() {
    let count: u64 = env_or("RIGHTSDESK_BENCH_COUNT", 1_000_000);
    let subject_mb: u64 = env_or("RIGHTSDESK_BENCH_SUBJECT_MB", 1024);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("vault-{count}-{subject_mb}-v{DATA_VERSION}"));
    let plain = root.join("plain/r.sqlite3");
    let encrypted = root.join(format!("encrypted-f{CIPHER_FORMAT_VERSION}/r.sqlite3"));
    let encrypted_ready = root.join(format!("ready-f{CIPHER_FORMAT_VERSION}"));
    if !root.join("ready").exists() {
        set_up(&root, &plain, count, subject_mb);
    }
    if !encrypted_ready.exists() {
        encrypt_copy(&root, &plain, &encrypted, &encrypted_ready, count, subject_mb);
    }
    for ready in [root.join("ready"), encrypted_ready] {
        println!("{}", std::fs::read_to_string(ready).unwrap_or_default().trim_end());
    }

    let clock =
        Clock::Fixed(rightsdesk::dates::parse(NOW).expect("date").midnight().assume_utc() + time::Duration::hours(12));
    let plain_desk = Desk::open(&plain, clock, &Access::default()).expect("the plain register");
    let enc_desk = Desk::open(&encrypted, clock, &Access::passphrase(PASSPHRASE)).expect("the encrypted register");
    assert!(!plain_desk.is_encrypted() && enc_desk.is_encrypted());
    let out = tempfile::tempdir().expect("a temporary folder");

    // RIGHTSDESK_BENCH_ONLY=page,search,add,backup,log,subject runs only those.
    let only = std::env::var("RIGHTSDESK_BENCH_ONLY").unwrap_or_default();
    let wanted = |id: &str| only.is_empty() || only.split(',').any(|o| o.trim() == id);
    println!("{:<44} {:>12} {:>12} {:>7}", "operation", "plain", "encrypted", "ratio");
    let page = Query { limit: 50, ..Query::default() };
    if wanted("page") {
        report("queue: first page (50, by due)", 21, |d| drop(d.list(&page).expect("list")), &plain_desk, &enc_desk);
    }
    let search = Query { search: Some("owalsk".into()), limit: 50, ..Query::default() };
    if wanted("search") {
        let op = |d: &Desk| drop(d.list(&search).expect("search"));
        report("queue: search \"owalsk\", first page", 21, op, &plain_desk, &enc_desk);
    }
    if wanted("add") {
        report("request add (one transaction, synced)", 15, |d| drop(add(d)), &plain_desk, &enc_desk);
    }
    if wanted("backup") {
        backup_vs_raw(&plain, &encrypted, out.path());
    }
    let log = |d: &Desk| {
        let to = out.path().join(if d.is_encrypted() { "log-e.csv" } else { "log-p.csv" });
        let export = rightsdesk::ops::exports::ExportLog {
            from: "2000-01-01".into(),
            to: "2099-12-31".into(),
            format: LogFormat::Csv,
            save: SaveTo { out: Some(to), force: true },
        };
        drop(Reporting::run(export, d, &mut |_| {}).expect("log export"));
    };
    if wanted("log") {
        report("export log, every request (CSV)", 3, log, &plain_desk, &enc_desk);
    }
    let subject = |d: &Desk| {
        let to = out.path().join(if d.is_encrypted() { "s-e.zip" } else { "s-p.zip" });
        let export = rightsdesk::ops::exports::ExportSubject {
            reference: "RD-2026-0001".into(),
            password: None,
            language: None,
            save: SaveTo { out: Some(to), force: true },
        };
        drop(Reporting::run(export, d, &mut |_| {}).expect("subject export"));
    };
    if wanted("subject") {
        report(&format!("export subject, {subject_mb} MiB of files"), 3, subject, &plain_desk, &enc_desk);
    }
}

/// `backup create` of the encrypted register (a process, as run) beside the raw tools doing the same job on the
/// plain one: `sqlite3 .backup` of the database, then `tar` of it with the files folder into one file. Two pairs;
/// the lower ratio is printed (the machine is shared: the quieter pair).
fn backup_vs_raw(plain: &Path, encrypted: &Path, out: &Path) {
    let (ours, raw_db, raw_tar) = (out.join("b.rdbackup"), out.join("raw.sqlite3"), out.join("raw.tar"));
    let folder = plain.parent().expect("folder");
    let run = |cmd: &mut Command| {
        let t = Instant::now();
        let status = cmd.status().expect("run");
        assert!(status.success(), "{cmd:?}");
        t.elapsed().as_secs_f64()
    };
    let clean = || {
        for f in [&ours, &raw_db, &raw_tar] {
            let _ = std::fs::remove_file(f);
        }
    };
    let mut pairs = vec![];
    for _ in 0..2 {
        clean();
        let core = run(Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
            .arg("--db")
            .arg(encrypted)
            .args(["backup", "create", "--out"])
            .arg(&ours)
            .env("RIGHTSDESK_NOW", NOW)
            .env("RIGHTSDESK_PASSPHRASE", PASSPHRASE)
            .stdout(std::process::Stdio::null()));
        clean();
        let script = format!(
            "sqlite3 '{}' \".backup '{}'\" && tar cf '{}' -C '{}' --exclude='r.sqlite3*' . -C '{}' raw.sqlite3",
            plain.display(),
            raw_db.display(),
            raw_tar.display(),
            folder.display(),
            out.display()
        );
        let raw = run(Command::new("sh").arg("-c").arg(script));
        clean();
        pairs.push((raw, core));
    }
    let best = pairs.iter().copied().min_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0))).expect("two pairs");
    println!(
        "{:<44} {:>12} {:>12} {:>6.2}×  (plain: sqlite3 .backup + tar)",
        "backup create (process) vs raw tools",
        show(best.0),
        show(best.1),
        best.1 / best.0
    );
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `runs` pairs (RIGHTSDESK_BENCH_RUNS instead, e.g. for a profile), in turn plain then encrypted, after one
/// unmeasured pair.
fn report(name: &str, runs: usize, op: impl Fn(&Desk), plain: &Desk, encrypted: &Desk) {
    let runs = env_or("RIGHTSDESK_BENCH_RUNS", runs as u64) as usize;
    let time = |d: &Desk| {
        let t = Instant::now();
        op(d);
        t.elapsed()
    };
    time(plain);
    time(encrypted);
    let pairs: Vec<(Duration, Duration)> = (0..runs).map(|_| (time(plain), time(encrypted))).collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let p = median(pairs.iter().map(|(p, _)| p.as_secs_f64()).collect());
    let e = median(pairs.iter().map(|(_, e)| e.as_secs_f64()).collect());
    let ratio = median(pairs.iter().map(|(p, e)| e.as_secs_f64() / p.as_secs_f64()).collect());
    println!("{name:<44} {:>12} {:>12} {ratio:>6.2}×", show(p), show(e));
}

fn show(seconds: f64) -> String {
    if seconds < 1.0 { format!("{:.2} ms", seconds * 1000.0) } else { format!("{seconds:.2} s") }
}

fn add(d: &Desk) -> rightsdesk::desk::RequestDetail {
    let input = NewRequest {
        kind: "access".into(),
        regime: "uk-gdpr".into(),
        calendar: Some("GB-ENG".into()),
        received: NOW.into(),
        name: "Bench Marker".into(),
        ..NewRequest::default()
    };
    rightsdesk::ops::requests::AddRequest { input, file: None }.run(d).expect("request add")
}

fn cli(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RIGHTSDESK_NOW", NOW)
        .envs(env.iter().copied())
        .output()
        .expect("the release CLI");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn set_up(root: &Path, plain: &Path, count: u64, subject_mb: u64) {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(plain.parent().expect("folder")).expect("the bench folder");
    let plain_only = [("RIGHTSDESK_UNENCRYPTED", "1")];
    let org = [
        "settings",
        "organisation",
        "--name",
        "Bench Ltd",
        "--address",
        "1 Main Street",
        "--email",
        "privacy@bench.test",
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
    cli(plain, &org, &plain_only);
    cli(plain, &["datamap", "add", "--name", "CRM", "--owner", "IT", "--holds", "files"], &plain_only);
    let add = [
        "request",
        "add",
        "--kind",
        "access",
        "--regime",
        "uk-gdpr",
        "--calendar",
        "GB-ENG",
        "--received",
        NOW,
        "--name",
        "Pat Bench",
    ];
    cli(plain, &add, &plain_only);
    // Files of random bytes (they neither compress nor dedupe), 256 MiB each.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..subject_mb.div_ceil(256) {
        let file = root.join(format!("found-{i}.bin"));
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).expect("a found file"));
        for _ in 0..(256 * 1024 * 1024 / 8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            std::io::Write::write_all(&mut w, &state.to_le_bytes()).expect("write");
        }
        drop(w);
        let disclose = ["request", "disclose", "RD-2026-0001", "--system", "CRM", "--category", "Files", "--file"];
        cli(plain, &[&disclose[..], &[file.to_str().expect("path")]].concat(), &plain_only);
        std::fs::remove_file(&file).expect("remove the found file");
    }
    let t = Instant::now();
    cli(plain, &["demo", "seed", "--count", &count.to_string(), "--seed", "2026"], &plain_only);
    let seeded = t.elapsed();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let summary = format!(
        "{count} requests seeded in {:.1} s; plain {} MB database, {} B/request\n",
        seeded.as_secs_f64(),
        size(plain) / 1_000_000,
        size(plain) / count.max(1),
    );
    std::fs::write(root.join("ready"), summary).expect("mark the set-up ready");
}

/// The encrypted copy in the current format: the plain register's database and files folder copied, then
/// encrypted in place by `vault encrypt`. Copies in older formats are removed first (disk).
fn encrypt_copy(root: &Path, plain: &Path, encrypted: &Path, ready: &Path, count: u64, subject_mb: u64) {
    for entry in std::fs::read_dir(root).expect("the bench folder").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("encrypted") {
            std::fs::remove_dir_all(entry.path()).expect("remove an older encrypted copy");
        } else if name.starts_with("ready-f") {
            std::fs::remove_file(entry.path()).expect("remove an older marker");
        }
    }
    let enc_dir = encrypted.parent().expect("folder");
    let copied = Command::new("cp").arg("-r").arg(plain.parent().expect("folder")).arg(enc_dir).status();
    assert!(copied.expect("cp").success());
    // The plain register's log is kept (adds of earlier runs may be in it; SQLite replays it on open).
    let _ = std::fs::remove_file(enc_dir.join("r.sqlite3-shm"));
    let t = Instant::now();
    cli(encrypted, &["vault", "encrypt"], &[("RIGHTSDESK_NEW_PASSPHRASE", PASSPHRASE)]);
    let encrypting = t.elapsed();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let summary = format!(
        "cipher format {CIPHER_FORMAT_VERSION}: `vault encrypt` of the copy ({} MB database, {subject_mb} MiB of files): \
         {:.1} s; encrypted {} B/request\n",
        size(plain) / 1_000_000,
        encrypting.as_secs_f64(),
        size(encrypted) / count.max(1),
    );
    std::fs::write(ready, summary).expect("mark the encrypted copy ready");
}
