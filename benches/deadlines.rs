//! Deadline engine throughput, and the recomputation after a holiday change at scale.
//!
//!   cargo bench --bench deadlines                       (engine only)
//!   RIGHTSDESK_NOW=2026-11-22 cargo bench --bench deadlines -- /tmp/copy-of-bench.sqlite3
//!     (also: add a non-working day on GB-ENG and recompute every open request on it, beside a plain UPDATE of
//!      the same rows' effective_due in the sqlite3 shell. It changes the file: give it a copy.)

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rightsdesk::Desk;
use rightsdesk::deadline::{Engine, Facts, Pause};
use rightsdesk::desk::Clock;
use time::macros::date;

fn engine_throughput() {
    let engine = Engine::shipped().expect("engine");
    let cases: Vec<(&str, &str, Option<&str>)> = vec![
        ("uk-gdpr", "access", None),
        ("eu-gdpr", "erasure", Some("DE-BY")),
        ("us-ca-ccpa", "access", None),
        ("us-ca-ccpa", "opt-out-sale-sharing", None),
        ("us-co-cpa", "appeal", None),
        ("ca-pipeda", "access", None),
        ("ch-fadp", "access", None),
        ("au-privacy", "access", Some("AU-NSW")),
    ];
    let pauses = [Pause { start: date!(2026 - 03 - 05), end: date!(2026 - 03 - 09) }];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(3) {
        for day in 0..365 {
            let received = date!(2026 - 01 - 01) + time::Duration::days(day);
            for (regime, kind, calendar) in &cases {
                let p: &[Pause] = if *regime == "uk-gdpr" && received < date!(2026 - 03 - 05) { &pauses } else { &[] };
                let d = engine
                    .compute(&Facts {
                        regime,
                        kind,
                        calendar: *calendar,
                        received: Some(received),
                        pauses: p,
                        ..Facts::default()
                    })
                    .expect("compute");
                std::hint::black_box(d);
                n += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "engine: {n} computations in {secs:.2} s = {:.0} per second on one core (with explanations)",
        n as f64 / secs
    );
}

fn sqlite3(db: &str, sql: &str) -> Duration {
    let mut child =
        Command::new("sqlite3").arg(db).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("sqlite3 shell");
    child.stdin.take().expect("stdin").write_all(format!(".timer on\n{sql}\n").as_bytes()).expect("write");
    let out = child.wait_with_output().expect("sqlite3");
    let text = String::from_utf8_lossy(&out.stdout);
    let secs: f64 = text
        .lines()
        .filter_map(|l| l.strip_prefix("Run Time: real "))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .sum();
    Duration::from_secs_f64(secs)
}

fn recompute(db: &str) {
    let desk =
        Desk::open(std::path::Path::new(db), Clock::from_env().expect("clock"), &rightsdesk::vault::Access::from_env())
            .expect("open");
    let t = Instant::now();
    let report = desk.add_non_working_day("GB-ENG", "2026-12-21", "Benchmark closure").expect("add day");
    let core = t.elapsed();
    let t = Instant::now();
    desk.remove_non_working_day("GB-ENG", "2026-12-21", "Benchmark over").expect("remove day");
    let back = t.elapsed();
    drop(desk);
    let raw = sqlite3(
        db,
        "BEGIN; UPDATE requests SET effective_due = date(effective_due, '+1 day') WHERE calendar = 'GB-ENG' AND is_open = 1; COMMIT;",
    );
    let raw_back = sqlite3(
        db,
        "BEGIN; UPDATE requests SET effective_due = date(effective_due, '-1 day') WHERE calendar = 'GB-ENG' AND is_open = 1; COMMIT;",
    );
    println!(
        "recompute after a new GB-ENG non-working day: {} open requests checked, {} changed (each with an audit event)",
        report.checked, report.changed
    );
    println!(
        "  core add {:.0} ms, remove {:.0} ms | plain UPDATE of the same rows in sqlite3: {:.0} ms, {:.0} ms | ratio {:.2}×",
        core.as_secs_f64() * 1e3,
        back.as_secs_f64() * 1e3,
        raw.as_secs_f64() * 1e3,
        raw_back.as_secs_f64() * 1e3,
        (core + back).as_secs_f64() / (raw + raw_back).as_secs_f64().max(1e-9)
    );
}

fn main() {
    engine_throughput();
    if let Some(db) = std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        recompute(&db);
    }
}
