//! The queue at scale: the core's queries side by side with the same SQL in the `sqlite3` shell, on one file.
//!
//!   rightsdesk --db /tmp/bench.sqlite3 demo seed --count 1000000   (with RIGHTSDESK_NOW=2026-11-22)
//!   RIGHTSDESK_NOW=2026-11-22 cargo bench --bench register -- /tmp/bench.sqlite3
//!
//! Each figure is the median of several runs after one warm-up, so both sides read from a warm page cache.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rightsdesk::Desk;
use rightsdesk::desk::Clock;
use rightsdesk::domain::Status;
use rightsdesk::store::{Query, Sort};

const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_core(desk: &Desk, q: &Query) -> (Duration, String) {
    let total = desk.list(q).expect("warm-up").total.map_or_else(|| "-".into(), |t| t.to_string());
    let runs = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            desk.list(q).expect("list");
            t.elapsed()
        })
        .collect();
    (median(runs), total)
}

/// The same statements through the sqlite3 shell, timed by its own `.timer` (no process start-up counted).
fn time_sqlite3(db: &Path, sql: &str) -> Duration {
    use std::io::Write;
    use std::process::Stdio;
    let script = format!(".timer on\n{}\n", (0..RUNS + 1).map(|_| sql).collect::<Vec<_>>().join("\n"));
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell (apt-get install sqlite3)");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write to sqlite3");
    let out = child.wait_with_output().expect("sqlite3 output");
    let text = String::from_utf8_lossy(&out.stdout);
    // One "Run Time: real X" line per statement; a run is the pair (count + page).
    let reals: Vec<f64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("Run Time: real "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    let per_run: Vec<Duration> =
        reals.chunks(2).skip(1).map(|pair| Duration::from_secs_f64(pair.iter().sum())).collect();
    assert!(!per_run.is_empty(), "sqlite3 printed no timings: {text} {}", String::from_utf8_lossy(&out.stderr));
    median(per_run)
}

fn main() {
    let db = std::env::args().skip(1).find(|a| !a.starts_with('-')).expect("usage: cargo bench --bench register -- DB");
    let db = Path::new(&db);
    let desk = Desk::open(db, Clock::from_env().expect("RIGHTSDESK_NOW"), &rightsdesk::vault::Access::from_env())
        .expect("open the database");
    let today = desk.today();
    let soon = today + time::Duration::days(7);
    let cols = "id, reference, kind, regime, status, requester_name, requester_email, received, effective_due, \
                acknowledge_by, rule_kind, is_open";
    let soon_text = rightsdesk::dates::fmt(soon);

    let first_page = Query { open_only: true, due_before: Some(soon), sort: Sort::Due, limit: 50, ..Query::default() };
    let first_sql = format!(
        "SELECT count(*) FROM requests WHERE is_open = 1 AND effective_due <= '{soon_text}';\n\
         SELECT {cols} FROM requests WHERE is_open = 1 AND effective_due <= '{soon_text}' \
         ORDER BY effective_due ASC, rowid ASC LIMIT 50 OFFSET 0;"
    );
    let search = Query { search: Some("kowalski".into()), limit: 50, ..Query::default() };
    let search_sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM requests_search WHERE requests_search MATCH '\"kowalski\"' LIMIT 2001);\n\
         SELECT {cols} FROM requests WHERE status <> 'spam' AND rowid IN (SELECT rowid FROM requests_search \
         WHERE requests_search MATCH '\"kowalski\"' ORDER BY rowid DESC LIMIT 2000) ORDER BY effective_due, rowid LIMIT 51;"
    );
    let refused = Query {
        status: Some(Status::Refused),
        sort: Sort::Received,
        descending: true,
        limit: 50,
        offset: 5_000,
        ..Query::default()
    };
    let refused_sql = format!(
        "SELECT count(*) FROM requests WHERE status = 'refused';\n\
         SELECT {cols} FROM requests WHERE status = 'refused' ORDER BY received DESC, rowid DESC LIMIT 50 OFFSET 5000;"
    );

    // A page deep in the register by cursor: the cursor of the 250,000th request (found once, by the slow offset).
    let all = Query { limit: 50, ..Query::default() };
    let deep_at = desk.list(&Query { limit: 1, offset: 250_000, ..all.clone() }).expect("deep page");
    let deep = Query { after: deep_at.next.clone(), ..all.clone() };
    let deep_due =
        deep_at.items.first().and_then(|r| r.row.effective_due).map(rightsdesk::dates::fmt).unwrap_or_default();
    let deep_sql = format!(
        "SELECT 1;\nSELECT {cols} FROM requests WHERE status <> 'spam' AND effective_due >= '{deep_due}' \
         ORDER BY effective_due, rowid LIMIT 51;"
    );
    let broad = Query { search: Some("example".into()), limit: 50, ..Query::default() };
    let broad_sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM requests_search WHERE requests_search MATCH '\"example\"' LIMIT 2001);\n\
         SELECT {cols} FROM requests WHERE status <> 'spam' AND rowid IN (SELECT rowid FROM requests_search \
         WHERE requests_search MATCH '\"example\"' ORDER BY rowid DESC LIMIT 2000) ORDER BY effective_due, rowid LIMIT 51;"
    );
    let on_hold = Query { status: Some(Status::OnHold), sort: Sort::Received, limit: 50, ..Query::default() };
    let on_hold_sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM requests WHERE status = 'on-hold' LIMIT 10001);\n\
         SELECT {cols} FROM requests WHERE status = 'on-hold' ORDER BY received, rowid LIMIT 51;"
    );

    let total = desk
        .list(&Query { limit: 1, ..Query::default() })
        .expect("count")
        .total
        .map_or_else(|| "?".into(), |t| t.to_string());
    println!("database {} with {total} requests, today {today}", db.display());
    println!("{:<48} {:>10} {:>12} {:>12} {:>7}", "query", "matches", "core", "sqlite3", "ratio");
    for (name, q, sql) in [
        ("queue first page (open, due within 7 days)", &first_page, &first_sql),
        ("requester search 'kowalski'", &search, &search_sql),
        ("refused, newest first, page 101 (--offset)", &refused, &refused_sql),
        ("all by due, page after request 250,000 (cursor)", &deep, &deep_sql),
        ("broad search 'example' (every request)", &broad, &broad_sql),
        ("on hold, by received", &on_hold, &on_hold_sql),
    ] {
        let (core, matches) = time_core(&desk, q);
        let raw = time_sqlite3(db, sql);
        println!(
            "{name:<48} {matches:>10} {:>9.2} ms {:>9.2} ms {:>6.2}×",
            core.as_secs_f64() * 1e3,
            raw.as_secs_f64() * 1e3,
            core.as_secs_f64() / raw.as_secs_f64().max(1e-9)
        );
    }
}
