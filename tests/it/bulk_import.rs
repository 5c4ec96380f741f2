//! The bulk write path (`import`, `demo seed`: one transaction, the search index written once, lookups remembered)
//! against the one-by-one path: the same file imported, and its good rows logged one `request add` at a time, give
//! the same rows, events, requester records, checklists and search results; the search index matches its table.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;
use serde_json::Value;

use crate::support::Register;

const TODAY: &str = "2026-11-22";

const REGIMES: &[(&str, &str)] = &[
    ("eu-gdpr", "FR"),
    ("eu-gdpr", "DE"),
    ("uk-gdpr", "GB-ENG"),
    ("us-ca-ccpa", "US"),
    ("br-lgpd", "BR"),
    ("ch-fadp", "CH"),
];
const KINDS: &[&str] = &["access", "erasure", "rectification", "portability", "objection"];

/// One row of the backlog and what the import must make of it.
struct Row {
    cells: Vec<String>,
    /// Logged (not invalid, not a repeat of an earlier row).
    new: bool,
}

/// A small deterministic generator (no seed file to keep): xorshift.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const HEADER: &str = "external_id,kind,regime,calendar,received,name,email,phone,account,channel,language,description";

/// `n` rows: people who come back (same email; the same phone or account under another address), rows without an
/// id, repeated rows (skipped as duplicates), invalid rows, several regimes and calendars.
fn backlog(n: usize) -> Vec<Row> {
    let mut dice = Dice(0x2026_1122);
    let mut people: Vec<[String; 4]> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    for i in 0..n {
        let roll = dice.next(100);
        if roll < 5 && !rows.is_empty() {
            let again = rows[dice.next(rows.len())].cells.clone();
            rows.push(Row { cells: again, new: false });
            continue;
        }
        let (regime, calendar) = REGIMES[dice.next(REGIMES.len())];
        let mut kind = KINDS[dice.next(KINDS.len())].to_string();
        let mut received = format!("2026-{:02}-{:02}", 1 + dice.next(10), 1 + dice.next(28));
        let invalid = (5..9).contains(&roll);
        if invalid {
            if roll.is_multiple_of(2) {
                kind = "teleport".into();
            } else {
                received = "2026-02-30".into();
            }
        }
        let person = if roll >= 60 && !people.is_empty() {
            let mut p = people[dice.next(people.len())].clone();
            if roll >= 90 {
                p[1] = format!("moved{i}@example.net");
            }
            p
        } else {
            let p = [
                format!("Person {}", i % 17),
                if roll.is_multiple_of(7) { String::new() } else { format!("p{i}@example.org") },
                if roll.is_multiple_of(3) { format!("+44 20 7946 {:04}", dice.next(10_000)) } else { String::new() },
                if roll.is_multiple_of(4) { format!("CUST-{:03}", dice.next(40)) } else { String::new() },
            ];
            people.push(p.clone());
            p
        };
        let id = if roll.is_multiple_of(5) { String::new() } else { format!("T-{i}") };
        let channel = ["email", "web-form", "letter", "phone"][dice.next(4)];
        let language = ["en", "fr", "de"][dice.next(3)];
        let description = format!("Request number {i} about my data");
        let cells = vec![
            id,
            kind,
            regime.to_string(),
            calendar.to_string(),
            received,
            person[0].clone(),
            person[1].clone(),
            person[2].clone(),
            person[3].clone(),
            channel.to_string(),
            language.to_string(),
            description,
        ];
        rows.push(Row { cells, new: !invalid });
    }
    rows
}

fn csv(rows: &[Row]) -> String {
    let mut out = format!("{HEADER}\n");
    for r in rows {
        out.push_str(&r.cells.join(","));
        out.push('\n');
    }
    out
}

/// `request add` with a row's cells, as the one-by-one reference.
fn add_one(reg: &Register, cells: &[String]) {
    let names = HEADER.split(',').collect::<Vec<_>>();
    let mut args = vec!["request".to_string(), "add".to_string()];
    for (name, value) in names.iter().zip(cells).skip(1) {
        if !value.is_empty() {
            args.push(format!("--{name}"));
            args.push(value.clone());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    reg.run(&args).ok();
}

fn open(reg: &Register) -> Connection {
    Connection::open(reg.path("r.sqlite3")).unwrap()
}

fn texts(db: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut stmt = db.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |row| {
        (0..n)
            .map(|i| {
                Ok(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::from(v),
                    rusqlite::types::ValueRef::Real(v) => Value::from(v),
                    rusqlite::types::ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).to_string()),
                    rusqlite::types::ValueRef::Blob(b) => Value::from(b.to_vec()),
                })
            })
            .collect::<rusqlite::Result<Vec<Value>>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Everything the two paths must agree on, with what differs by nature (random ids, hashes, the import's own
/// provenance: source id, import key, `imported_from`) taken out and requester ids replaced by their order of
/// appearance.
fn dump(db: &Connection) -> Value {
    let columns: Vec<String> = texts(db, "SELECT name FROM pragma_table_info('requests') ORDER BY cid")
        .into_iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .filter(|c| !["id", "import_key", "external_id", "requester_id"].contains(&c.as_str()))
        .collect();
    let people: HashMap<String, usize> = texts(db, "SELECT requester_id FROM requests ORDER BY rowid")
        .into_iter()
        .filter_map(|r| r[0].as_str().map(str::to_string))
        .fold(HashMap::new(), |mut m, id| {
            let next = m.len();
            m.entry(id).or_insert(next);
            m
        });
    let person = |id: &Value| id.as_str().map(|id| people[id]);
    let requests: Vec<Value> =
        texts(db, &format!("SELECT requester_id, {} FROM requests ORDER BY rowid", columns.join(", ")))
            .into_iter()
            .map(|mut r| {
                r[0] = person(&r[0]).into();
                Value::from(r)
            })
            .collect();
    let events: Vec<Value> = texts(
        db,
        "SELECT r.reference, e.at, e.actor, e.kind, e.data FROM events e LEFT JOIN requests r ON r.id = e.request_id
         ORDER BY e.seq",
    )
    .into_iter()
    .map(|mut e| {
        let mut data: Value = serde_json::from_str(e[4].as_str().unwrap()).unwrap();
        if let Some(d) = data.as_object_mut() {
            d.remove("imported_from");
            if e[3] == "system_added" {
                d.remove("id");
            }
        }
        e[4] = data;
        Value::from(e)
    })
    .collect();
    let mut requesters: Vec<Value> =
        texts(db, "SELECT id, name, email, phone, address, account, created_at, updated_at FROM requesters")
            .into_iter()
            .map(|mut p| {
                p[0] = person(&p[0]).into();
                Value::from(p)
            })
            .collect();
    requesters.sort_by_key(|p| p[0].as_u64());
    let checklists = texts(
        db,
        "SELECT r.reference, c.system_name, c.is_backup, c.action, c.state FROM checklist_items c
         JOIN requests r ON r.id = c.request_id ORDER BY c.rowid",
    );
    let search: Vec<Value> = ["Person 1", "example.org", "p13", "CUST-0", "RD-2026-00", "Person 16"]
        .iter()
        .map(|term| {
            let mut stmt = db
                .prepare(
                    "SELECT r.reference FROM requests_search s JOIN requests r ON r.rowid = s.rowid
                     WHERE requests_search MATCH ?1 ORDER BY r.rowid",
                )
                .unwrap();
            let found: Vec<String> =
                stmt.query_map([format!("\"{term}\"")], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
            Value::from(found)
        })
        .collect();
    let triggers = texts(db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name");
    serde_json::json!({
        "requests": requests, "events": events, "requesters": requesters, "checklists": checklists,
        "search": search, "triggers": triggers,
    })
}

/// The two dumps agree part by part (the first difference is named).
fn assert_same(a: &Value, b: &Value) {
    for part in ["requests", "events", "requesters", "checklists", "search", "triggers"] {
        let (x, y) = (a[part].as_array().unwrap(), b[part].as_array().unwrap());
        if let Some(i) = (0..x.len().min(y.len())).find(|i| x[*i] != y[*i]) {
            panic!("{part} differ at {i}:\n{}\n{}", x[i], y[i]);
        }
        assert_eq!(x.len(), y.len(), "{part}: as many");
    }
}

/// The search index holds exactly what its content table says (FTS5's own check, against the table too).
fn search_index_matches(path: &Path) {
    let db = Connection::open(path).unwrap();
    db.execute("INSERT INTO requests_search (requests_search, rank) VALUES ('integrity-check', 1)", []).unwrap();
}

fn with_data_map(reg: &Register) {
    reg.run(&["datamap", "add", "--name", "CRM", "--owner", "Sales", "--holds", "contacts"]).ok();
    reg.run(&["datamap", "add", "--name", "Backups", "--owner", "IT", "--holds", "everything", "--backup"]).ok();
}

#[test]
fn an_import_in_bulk_writes_what_one_request_at_a_time_writes() {
    let rows = backlog(160);
    let bulk = Register::new(TODAY);
    with_data_map(&bulk);
    let file = bulk.write("backlog.csv", csv(&rows));
    let report = bulk.run(&["import", &file, "--json"]).json();
    let count = |f: &dyn Fn(&Row) -> bool| Some(rows.iter().filter(|r| f(r)).count() as u64);
    assert_eq!(report["imported"].as_u64(), count(&|r| r.new), "{report}");
    // A repeated invalid row is an error again; a repeated good one is skipped.
    assert_eq!(report["errors"].as_u64(), count(&|r| r.cells[1] == "teleport" || r.cells[4] == "2026-02-30"));
    assert!(report["duplicates"].as_u64() > Some(0));

    let one_by_one = Register::new(TODAY);
    with_data_map(&one_by_one);
    for row in rows.iter().filter(|r| r.new) {
        add_one(&one_by_one, &row.cells);
    }

    let (a, b) = (dump(&open(&bulk)), dump(&open(&one_by_one)));
    assert_same(&a, &b);
    assert!(a["search"].as_array().unwrap().iter().all(|found| !found.as_array().unwrap().is_empty()));
    for reg in [&bulk, &one_by_one] {
        search_index_matches(&reg.path("r.sqlite3"));
        assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
    }

    // A later import into the same register: rows seen before are skipped, the rest indexed like the first.
    let more = backlog(200);
    let file = bulk.write("more.csv", csv(&more[150..]));
    bulk.run(&["import", &file, "--json"]).ok();
    search_index_matches(&bulk.path("r.sqlite3"));
    assert_eq!(bulk.run(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn a_seed_in_one_transaction_writes_what_one_per_request_writes() {
    let dumps: Vec<Value> = ["300", "1"]
        .iter()
        .map(|batch| {
            let reg = Register::new(TODAY);
            with_data_map(&reg);
            reg.run(&["demo", "seed", "--count", "300", "--batch", batch]).ok();
            search_index_matches(&reg.path("r.sqlite3"));
            assert_eq!(reg.run(&["audit", "verify", "--json"]).json()["ok"], true);
            dump(&open(&reg))
        })
        .collect();
    assert_same(&dumps[0], &dumps[1]);
}
