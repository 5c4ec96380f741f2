//! Issue 16's suite: every operation at a million requests, run as a user runs it (the release `rightsdesk`
//! binary, a process per run) beside the same work done by the raw `sqlite3` shell on the same file, in one run.
//!
//!   scripts/bench.sh                                  (release build, then `cargo bench --bench million`)
//!   RIGHTSDESK_BENCH_COUNT=100000 scripts/bench.sh    (a smaller register while developing)
//!
//! The register is seeded once and kept in `target/bench-data/register-<key>/`, `<key>` covering the count, the
//! seed, "today", the migrations and the demo generator: a change to any of them seeds again (and removes the
//! stale copy). Environment:
//! - `RIGHTSDESK_BENCH_COUNT`: requests in the register (default 1,000,000)
//! - `RIGHTSDESK_BENCH_IMPORT`: rows of the import file (default 100,000)
//! - `RIGHTSDESK_BENCH_RUNS`: paired runs per operation (default 7; 3 for the heavy ones, `…_HEAVY_RUNS`)
//! - `RIGHTSDESK_BENCH_ONLY`: operations to run, by id, comma-separated (`seed,import,list,deep,search,export,verify,size`)
//! - `RIGHTSDESK_BENCH_DB`: measure this register instead of the cached one (never seeded, never removed)
//! - `RIGHTSDESK_BENCH_REBUILD=1`: seed the cached register again
//! - `RIGHTSDESK_BENCH_TEAM`: a team register (`postgres://…`, password in `PGPASSWORD`) to measure too (issue 18):
//!   filled once by `register copy` from the cached register when empty, then its queue page, search, log export and
//!   audit read beside the same SQL in `psql` (the `team-*` operations; without it they are skipped)
//!
//! Each operation is one entry of `OPS`: its core command and its baseline command, with `{db}`, `{fresh}`,
//! `{csv}`, `{out}` and `{half}` filled in. A run is a pair (core, then baseline) after one unmeasured warm-up
//! pair, so both read from the same page cache; the figures are medians, the ratio the median of the pairs' ratios.
//! Peak RSS is each child's own (`wait4`).

use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bump when what the cached register holds changes in a way the key does not see.
const DATA_VERSION: &str = "1";
const NOW: &str = "2026-11-22";
const SEED: &str = "2026";

#[derive(Clone, Copy)]
enum Prog {
    /// The release `rightsdesk` binary.
    Core,
    /// The `sqlite3` shell.
    Sqlite3,
    /// PostgreSQL's `psql`, on the team register (`{team}`).
    Psql,
}

/// One command line; `stdout` names the file its output goes to (else /dev/null).
#[derive(Clone, Copy)]
struct Cmd {
    prog: Prog,
    args: &'static [&'static str],
    stdout: Option<&'static str>,
}

const fn core(args: &'static [&'static str]) -> Cmd {
    Cmd { prog: Prog::Core, args, stdout: None }
}

const fn sql(args: &'static [&'static str]) -> Cmd {
    Cmd { prog: Prog::Sqlite3, args, stdout: None }
}

const fn sql_to(args: &'static [&'static str], file: &'static str) -> Cmd {
    Cmd { prog: Prog::Sqlite3, args, stdout: Some(file) }
}

const fn psql(args: &'static [&'static str]) -> Cmd {
    Cmd { prog: Prog::Psql, args, stdout: None }
}

/// The file a run works on.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// The seeded register (`{db}`).
    Register,
    /// A new, empty database for each run (`{fresh}`).
    Fresh,
    /// The team register on a PostgreSQL server (`{team}`), when one is given.
    Team,
}

struct Op {
    id: &'static str,
    name: &'static str,
    target: Target,
    /// Few runs: each takes seconds to minutes at full size.
    heavy: bool,
    core: Cmd,
    baseline: Cmd,
}

// The queue's columns and order as `request list` reads them today (docs/cli.md), for the baselines.
const SEARCH_SQL: &str = "SELECT count(*) FROM requests WHERE rowid IN (SELECT rowid FROM requests_search \
    WHERE requests_search MATCH '\"owalsk\"'); \
    SELECT id, reference, kind, regime, status, requester_name, requester_email, received, effective_due, \
    acknowledge_by, rule_kind, is_open FROM requests WHERE rowid IN (SELECT rowid FROM requests_search \
    WHERE requests_search MATCH '\"owalsk\"') ORDER BY effective_due, rowid LIMIT 50";
// The log's columns as stored on the row (the raw read the export should approach).
const LOG_SQL: &str = "SELECT reference, kind, regime, channel, received, clock_start, acknowledge_by, due, \
    extended_due, effective_due, paused_days, pauses, status, refusal_category, outcome_reason, closed_at \
    FROM requests WHERE status <> 'spam' ORDER BY received, ref_year, ref_seq";
// What `verify_chain` reads: every event's hashed fields.
const EVENTS_SQL: &str = "SELECT seq, id, request_id, at, actor, kind, data, prev_hash, hash, state FROM events \
    ORDER BY seq";

// The same reads on the team register, as `store/postgres/queue.rs` and `export.rs` write them.
const PG_QUEUE_SQL: &str = "SELECT id, reference, kind, regime, status, requester_name, requester_email, received, \
    effective_due, acknowledge_by, rule_kind, is_open, acknowledged_on, owner, row_no FROM requests \
    WHERE status <> 'spam' ORDER BY (coalesce(effective_due, '') COLLATE \"C\"), row_no LIMIT 51";
const PG_SEARCH_SQL: &str = "SELECT id, reference, kind, regime, status, requester_name, requester_email, received, \
    effective_due, acknowledge_by, rule_kind, is_open, acknowledged_on, owner, row_no FROM requests \
    WHERE status <> 'spam' AND row_no IN (SELECT row_no FROM requests WHERE (reference || ' ' || requester_name || \
    ' ' || coalesce(requester_email, '') || ' ' || coalesce(requester_account, '') || ' ' || description || ' ' || \
    notes) ILIKE '%owalsk%' ORDER BY row_no DESC LIMIT 1000) \
    ORDER BY (coalesce(effective_due, '') COLLATE \"C\"), row_no LIMIT 51";
const PG_LOG_SQL: &str = "\\copy (SELECT reference, kind, regime, channel, received, clock_start, acknowledge_by, \
    due, extended_due, effective_due, paused_days, pauses, status, refusal_category, outcome_reason, closed_at \
    FROM requests WHERE status <> 'spam' ORDER BY received, ref_year, ref_seq) TO '{out}/log-psql.csv' CSV HEADER";

/// Every operation, in the order printed. Adapt an entry here when a command changes.
const OPS: &[Op] = &[
    Op {
        id: "import",
        name: "import CSV into a fresh register",
        target: Target::Fresh,
        heavy: true,
        core: core(&["--db", "{fresh}", "import", "{csv}", "--json"]),
        baseline: sql(&["{fresh}", ".import --csv {csv} requests"]),
    },
    Op {
        id: "list",
        name: "request list --limit 1 (process)",
        target: Target::Register,
        heavy: false,
        core: core(&["--db", "{db}", "request", "list", "--limit", "1", "--json"]),
        baseline: sql(&["{db}", "select 1"]),
    },
    Op {
        id: "deep",
        name: "deep page (--offset half, process)",
        target: Target::Register,
        heavy: false,
        core: core(&["--db", "{db}", "request", "list", "--limit", "50", "--offset", "{half}", "--json"]),
        baseline: sql(&["{db}", "select 1"]),
    },
    Op {
        id: "search",
        name: "search 'owalsk', first page",
        target: Target::Register,
        heavy: false,
        core: core(&["--db", "{db}", "request", "list", "--search", "owalsk", "--limit", "50", "--json"]),
        baseline: sql(&["{db}", SEARCH_SQL]),
    },
    Op {
        id: "export",
        name: "log export CSV, all rows",
        target: Target::Register,
        heavy: true,
        core: core(&[
            "--db",
            "{db}",
            "export",
            "log",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
            "--format",
            "csv",
            "--out",
            "{out}/log.csv",
            "--force",
            "--json",
        ]),
        baseline: sql_to(&["-csv", "-header", "{db}", LOG_SQL], "{out}/log-sqlite3.csv"),
    },
    Op {
        id: "verify",
        name: "audit verify",
        target: Target::Register,
        heavy: true,
        core: core(&["--db", "{db}", "audit", "verify", "--json"]),
        baseline: sql(&["{db}", EVENTS_SQL]),
    },
    Op {
        id: "team-list",
        name: "team: first queue page (process)",
        target: Target::Team,
        heavy: false,
        core: core(&["--db", "{team}", "request", "list", "--limit", "50", "--json"]),
        baseline: psql(&["{team}", "-c", PG_QUEUE_SQL]),
    },
    Op {
        id: "team-search",
        name: "team: search 'owalsk', first page",
        target: Target::Team,
        heavy: false,
        core: core(&["--db", "{team}", "request", "list", "--search", "owalsk", "--limit", "50", "--json"]),
        baseline: psql(&["{team}", "-c", PG_SEARCH_SQL]),
    },
    Op {
        id: "team-export",
        name: "team: log export CSV, all rows",
        target: Target::Team,
        heavy: true,
        core: core(&[
            "--db",
            "{team}",
            "export",
            "log",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
            "--format",
            "csv",
            "--out",
            "{out}/log-team.csv",
            "--force",
            "--json",
        ]),
        baseline: psql(&["{team}", "-c", PG_LOG_SQL]),
    },
    Op {
        id: "team-verify",
        name: "team: audit verify",
        target: Target::Team,
        heavy: true,
        core: core(&["--db", "{team}", "audit", "verify", "--json"]),
        baseline: psql(&["{team}", "-At", "-o", "/dev/null", "-c", EVENTS_SQL]),
    },
];

/// One finished child: wall time, its own peak RSS in KiB, and whether it succeeded.
struct Ran {
    wall: Duration,
    rss_kib: i64,
    ok: bool,
}

struct Env {
    bin: PathBuf,
    db: PathBuf,
    /// The team register's connection string (empty: none given).
    team: String,
    csv: PathBuf,
    out: PathBuf,
    count: u64,
}

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

fn fill(arg: &str, env: &Env, fresh: &Path) -> String {
    arg.replace("{db}", &env.db.to_string_lossy())
        .replace("{team}", &env.team)
        .replace("{fresh}", &fresh.to_string_lossy())
        .replace("{csv}", &env.csv.to_string_lossy())
        .replace("{out}", &env.out.to_string_lossy())
        .replace("{half}", &(env.count / 2).to_string())
}

/// Run `cmd` to completion and measure it alone: `wait4` gives this child's own rusage.
fn run(cmd: &Cmd, env: &Env, fresh: &Path) -> Ran {
    let program = match cmd.prog {
        Prog::Core => env.bin.clone(),
        Prog::Sqlite3 => PathBuf::from("sqlite3"),
        Prog::Psql => PathBuf::from("psql"),
    };
    let stdout = match cmd.stdout {
        Some(file) => Stdio::from(fs::File::create(fill(file, env, fresh)).expect("the baseline's output file")),
        None => Stdio::null(),
    };
    let mut command = Command::new(&program);
    command
        .args(cmd.args.iter().map(|a| fill(a, env, fresh)))
        .env("RIGHTSDESK_NOW", NOW)
        // Measured against the sqlite3 shell on the same file: a plain register (encrypted vs plain is its own run).
        .env("RIGHTSDESK_UNENCRYPTED", "1")
        // psql checks the server's certificate as the core always does.
        .env("PGSSLMODE", "verify-full")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    // Read stderr on a thread so a chatty child never blocks on a full pipe while we wait for it.
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).ok();
        text
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a child of this process, reaped here once (std's Child is not waited on after this).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    let errors = reader.join().unwrap_or_default();
    let ok = std::process::ExitStatus::from_raw(status).success();
    if !ok {
        eprintln!("  ! {} {:?} failed: {}", program.display(), cmd.args, errors.trim());
    }
    std::mem::forget(child);
    Ran { wall, rss_kib: usage.ru_maxrss, ok }
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    v[v.len() / 2]
}

/// A new empty place for `{fresh}`: its own folder, so the register's files folder goes with it.
fn fresh_db(env: &Env, i: usize) -> PathBuf {
    let dir = env.out.join(format!("fresh-{i}"));
    if dir.exists() {
        fs::remove_dir_all(&dir).expect("remove the last fresh register");
    }
    fs::create_dir_all(&dir).expect("a folder for a fresh register");
    dir.join("register.sqlite3")
}

fn measure(op: &Op, env: &Env, runs: usize) {
    let mut pairs = vec![];
    // The warm-up pair fills the page cache; heavy operations warm it enough in their first pair's baseline.
    let warm = usize::from(!op.heavy);
    for i in 0..runs + warm {
        let one = |cmd: &Cmd, side: usize| {
            let fresh = if op.target == Target::Fresh { fresh_db(env, side) } else { PathBuf::new() };
            run(cmd, env, &fresh)
        };
        let pair = (one(&op.core, 0), one(&op.baseline, 1));
        if i >= warm {
            pairs.push(pair);
        }
    }
    let failed = pairs.iter().any(|(c, b)| !c.ok || !b.ok);
    let core = median(pairs.iter().map(|p| p.0.wall.as_secs_f64()).collect());
    let base = median(pairs.iter().map(|p| p.1.wall.as_secs_f64()).collect());
    let ratio = median(pairs.iter().map(|p| p.0.wall.as_secs_f64() / p.1.wall.as_secs_f64().max(1e-6)).collect());
    let core_rss = pairs.iter().map(|p| p.0.rss_kib).max().unwrap_or(0);
    let base_rss = pairs.iter().map(|p| p.1.rss_kib).max().unwrap_or(0);
    println!(
        "{:<38} {:>10} {:>10} {:>7.2}× {:>8.1} {:>8.1}  {}{}",
        op.name,
        secs(core),
        secs(base),
        ratio,
        core_rss as f64 / 1024.0,
        base_rss as f64 / 1024.0,
        pairs.len(),
        if failed { "  FAILED (see above)" } else { "" }
    );
}

fn secs(s: f64) -> String {
    if s < 1.0 { format!("{:.1} ms", s * 1e3) } else { format!("{s:.2} s") }
}

/// The key of the cached register: anything that changes what `demo seed` writes.
fn data_key(count: u64) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = rightsdesk::hash::Hasher::new();
    for part in [DATA_VERSION, NOW, SEED, &count.to_string()] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    let mut migrations: Vec<PathBuf> = fs::read_dir(root.join("migrations"))
        .expect("migrations/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    migrations.sort();
    for file in migrations.iter().chain([&root.join("src/demo.rs")]) {
        h.update(file.file_name().unwrap_or_default().as_encoded_bytes());
        h.update(&fs::read(file).expect("a file the key covers"));
    }
    h.finish_hex()[..16].to_string()
}

/// The cached register, seeded if missing or stale; the seed's figures from when it was made.
fn register(data: &Path, bin: &Path, count: u64) -> (PathBuf, String) {
    let key = data_key(count);
    let dir = data.join(format!("register-{key}"));
    let ready = dir.join("ready");
    let rebuild = std::env::var("RIGHTSDESK_BENCH_REBUILD").is_ok_and(|v| v == "1");
    if let Ok(entries) = fs::read_dir(data) {
        for stale in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let name = stale.file_name().unwrap_or_default().to_string_lossy().to_string();
            if name.starts_with("register-") && (stale != dir || rebuild || !ready.exists()) {
                println!("removing {} (stale or unfinished)", stale.display());
                fs::remove_dir_all(&stale).expect("remove a stale register");
            }
        }
    }
    let db = dir.join("register.sqlite3");
    if let Ok(figures) = fs::read_to_string(&ready) {
        return (db, format!("{} (cached: measured when it was seeded)", figures.trim()));
    }
    fs::create_dir_all(&dir).expect("target/bench-data");
    println!("seeding {count} requests into {} (once; cached for later runs)…", db.display());
    let env = Env {
        bin: bin.to_path_buf(),
        db: db.clone(),
        team: String::new(),
        csv: PathBuf::new(),
        out: dir.clone(),
        count,
    };
    let count_arg: &'static str = Box::leak(count.to_string().into_boxed_str());
    let args: &'static [&'static str] =
        Box::leak(vec!["--db", "{db}", "demo", "seed", "--count", count_arg, "--seed", SEED, "--json"].into());
    let seeded = run(&core(args), &env, Path::new(""));
    assert!(seeded.ok, "demo seed failed");
    // The floor for writing the same database: raw SQLite copying it whole (tables, indexes, FTS) into a new file.
    let copy = dir.join("vacuum-into.sqlite3");
    let copy_sql: &'static str = Box::leak(format!("VACUUM INTO '{}'", copy.display()).into_boxed_str());
    let vacuum = run(&sql(Box::leak(vec!["{db}", copy_sql].into())), &env, Path::new(""));
    fs::remove_file(&copy).ok();
    let figures = format!(
        "{:<38} {:>10} {:>10} {:>7.2}× {:>8.1} {:>8.1}  1",
        format!("demo seed {count}"),
        secs(seeded.wall.as_secs_f64()),
        secs(vacuum.wall.as_secs_f64()),
        seeded.wall.as_secs_f64() / vacuum.wall.as_secs_f64().max(1e-6),
        seeded.rss_kib as f64 / 1024.0,
        vacuum.rss_kib as f64 / 1024.0,
    );
    fs::write(&ready, &figures).expect("mark the register ready");
    (db, figures)
}

/// The team register holding the cached register: copied in (`register copy`) when it holds no request yet.
fn fill_team(env: &Env) {
    let held = Command::new("psql")
        .args([env.team.as_str(), "-tAc", "SELECT count(*) FROM requests"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<u64>().ok())
        .unwrap_or(0);
    if held > 0 {
        println!("team register {} holds {held} requests", env.team);
        return;
    }
    println!("copying the register to the team register (once)…");
    let copied = run(&core(&["register", "copy", "--from", "{db}", "--to", "{team}", "--json"]), env, Path::new(""));
    assert!(copied.ok, "register copy failed");
    println!("register copy: {} (peak {:.0} MB)", secs(copied.wall.as_secs_f64()), copied.rss_kib as f64 / 1024.0);
    // The server's statistics, as a database after a bulk load should have them.
    let analyzed = Command::new("psql").args([env.team.as_str(), "-qc", "VACUUM ANALYZE"]).status();
    assert!(analyzed.is_ok_and(|s| s.success()), "VACUUM ANALYZE");
}

/// A CSV of `rows` valid requests in the shape an officer imports (deterministic).
fn import_file(data: &Path, rows: u64) -> PathBuf {
    let csv = data.join(format!("import-{DATA_VERSION}-{rows}.csv"));
    if csv.exists() {
        return csv;
    }
    const FIRST: &[&str] = &["Amelia", "Oliver", "Zofia", "Lukas", "Chloé", "Ravi", "Mei", "João", "Fatima", "Nils"];
    const LAST: &[&str] = &["Kowalski", "Müller", "Dubois", "Rossi", "Nguyen", "O'Brien", "de Vries", "Silva"];
    const WHERE: &[(&str, &str, &[&str])] = &[
        ("eu-gdpr", "DE", &["access", "erasure", "rectification", "objection"]),
        ("eu-gdpr", "FR", &["access", "portability"]),
        ("uk-gdpr", "GB-ENG", &["access", "erasure"]),
        ("us-ca-ccpa", "US", &["access", "opt-out-sale-sharing"]),
    ];
    let tmp = csv.with_extension("partial");
    let mut w = std::io::BufWriter::new(fs::File::create(&tmp).expect("the import file"));
    writeln!(w, "external_id,kind,regime,calendar,received,name,email,channel,description").expect("write");
    for i in 0..rows {
        let (regime, calendar, kinds) = WHERE[(i % 7 % 4) as usize];
        let kind = kinds[(i / 3) as usize % kinds.len()];
        let (first, last) = (FIRST[(i % 10) as usize], LAST[(i / 10 % 8) as usize]);
        let day = time::macros::date!(2026 - 01 - 01) + time::Duration::days((i % 300) as i64);
        let email = format!("{}.{}{}@example.org", first.to_lowercase(), i % 997, i);
        writeln!(
            w,
            "T-{i},{kind},{regime},{calendar},{day},\"{first} {last}\",{email},email,\"Request {i}, sent by email\""
        )
        .expect("write");
    }
    w.into_inner().expect("flush").sync_all().ok();
    fs::rename(&tmp, &csv).expect("the import file in place");
    csv
}

/// Bytes per request, whole file and per table or index (`dbstat`, when the shell has it).
fn size(env: &Env) {
    let bytes = fs::metadata(&env.db).map(|m| m.len()).unwrap_or(0);
    let per = |b: u64| b as f64 / env.count.max(1) as f64;
    println!("\nsize: {:.2} GB, {:.0} bytes per request", bytes as f64 / 1e9, per(bytes));
    let out = Command::new("sqlite3")
        .args([
            env.db.to_string_lossy().as_ref(),
            "SELECT name, sum(pgsize), sum(unused), count(*) FROM dbstat GROUP BY name ORDER BY 2 DESC",
        ])
        .output();
    match out {
        Ok(out) if out.status.success() => {
            println!("{:<40} {:>12} {:>10} {:>8}", "table or index", "bytes", "per req", "unused");
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let f: Vec<&str> = line.split('|').collect();
                let (Some(b), Some(u)) = (f.get(1).and_then(|b| b.parse::<u64>().ok()), f.get(2)) else { continue };
                let unused: u64 = u.parse().unwrap_or(0);
                if per(b) >= 1.0 {
                    println!("{:<40} {:>12} {:>10.1} {:>7.0}%", f[0], b, per(b), 100.0 * unused as f64 / b as f64);
                }
            }
        }
        _ => println!("(the sqlite3 shell has no dbstat: no breakdown)"),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rightsdesk"));
    let data = bin.parent().and_then(Path::parent).expect("target/release/rightsdesk").join("bench-data");
    fs::create_dir_all(&data).expect("target/bench-data");
    let count = var("RIGHTSDESK_BENCH_COUNT", 1_000_000);
    let runs = var("RIGHTSDESK_BENCH_RUNS", 7).max(1) as usize;
    let heavy_runs = var("RIGHTSDESK_BENCH_HEAVY_RUNS", 3).max(1) as usize;
    let only: Option<Vec<String>> =
        std::env::var("RIGHTSDESK_BENCH_ONLY").ok().map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let wanted = |id: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == id));

    let (db, seed) = match std::env::var_os("RIGHTSDESK_BENCH_DB") {
        Some(db) => (PathBuf::from(db), "(not seeded here: RIGHTSDESK_BENCH_DB)".to_string()),
        None => register(&data, &bin, count),
    };
    let count = match std::env::var_os("RIGHTSDESK_BENCH_DB") {
        Some(_) => Command::new("sqlite3")
            .args([db.to_string_lossy().as_ref(), "SELECT count(*) FROM requests"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(count),
        None => count,
    };
    let out = data.join("scratch");
    fs::create_dir_all(&out).expect("target/bench-data/scratch");
    let csv =
        if wanted("import") { import_file(&data, var("RIGHTSDESK_BENCH_IMPORT", 100_000)) } else { PathBuf::new() };
    let team = std::env::var("RIGHTSDESK_BENCH_TEAM").unwrap_or_default();
    let env = Env { bin, db, team, csv, out, count };
    let team_ops = !env.team.is_empty() && OPS.iter().any(|op| op.target == Target::Team && wanted(op.id));
    if team_ops {
        fill_team(&env);
    }

    println!("register {} with {count} requests, today {NOW}; {}", env.db.display(), env.bin.display());
    println!(
        "{:<38} {:>10} {:>10} {:>8} {:>8} {:>8}  runs",
        "operation", "core", "baseline", "ratio", "core MB", "base MB"
    );
    if wanted("seed") {
        println!("{seed}");
    }
    for op in OPS.iter().filter(|op| wanted(op.id) && (op.target != Target::Team || team_ops)) {
        measure(op, &env, if op.heavy { heavy_runs } else { runs });
    }
    if wanted("size") {
        size(&env);
    }
    fs::remove_dir_all(&env.out).ok();
}
