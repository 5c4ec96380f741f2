//! The store's contract, written once against the traits ([`Backend`], [`Read`], [`Write`]) and run against every
//! engine: each case is a function of an [`Engine`] (how to get a fresh register of that engine), and
//! [`store_contract!`] expands the list of cases into one `#[test]` each for an engine. The SQLite instance is at the
//! bottom; a PostgreSQL edition adds one line beside it, `store_contract!(postgres, PostgresEngine::start());`.
//!
//! Only what the core relies on is asserted (no SQL, no table names), so a second engine passes by behaving the
//! same, not by being built the same.

use serde_json::json;
use time::macros::{date, datetime};
use uuid::Uuid;

use super::{Attachment, Backend, Query, QueueView, Sort, Store, Total, Write};
use crate::domain::{
    Agent, Channel, ClockFacts, Dates, PauseReason, PauseRecord, Request, RequestKind, Requester, Status,
};
use crate::error::{Error, ErrorCode, Result};

/// An engine under test: fresh registers of it, and the same register seen by a user who may not change it.
pub(crate) trait Engine {
    /// A new, empty register with its schema up to date.
    fn fresh(&self) -> Store;
    /// `store`'s register again, opened by someone who may read it but not change it.
    fn read_only(&self, store: &Store) -> Store;
}

const AT: &str = "2026-03-02T10:00:00Z";

/// A request with every field the row holds set to something other than its default, so a column lost on the way
/// in or out shows.
pub(crate) fn sample(name: &str, email: &str, kind: RequestKind, status: Status, received: time::Date) -> Request {
    Request {
        id: Uuid::new_v4(),
        reference: String::new(),
        kind,
        regime: "uk-gdpr".into(),
        calendar: "GB-ENG".into(),
        channel: Channel::Email,
        received,
        status,
        requester: Requester {
            name: name.into(),
            email: Some(email.into()),
            phone: Some("+44 20 7946 0000".into()),
            address: Some("1 High Street, London".into()),
            account: Some(format!("ACC-{name}")),
        },
        language: "en".into(),
        description: format!("Everything you hold about {name}"),
        notes: "called twice".into(),
        outcome_reason: None,
        requester_id: None,
        external_id: Some(format!("ext-{name}")),
        refusal_category: None,
        refusal_basis: None,
        agent: Some(Agent { name: "Agent Smith".into(), email: None, authority: "power of attorney".into() }),
        owner: None,
        identity_requested_on: Some(received),
        facts: ClockFacts {
            verified_on: Some(received),
            fee_paid_on: None,
            pauses: vec![PauseRecord { start: received, end: Some(received), reason: PauseReason::AwaitingIdentity }],
            extended_on: None,
            due_override: None,
        },
        dates: Dates {
            rule_kind: Some("one-month".into()),
            clock_start: Some(received),
            acknowledge_by: Some(received + time::Duration::days(5)),
            due: Some(received + time::Duration::days(30)),
            extended_due: None,
            effective_due: Some(received + time::Duration::days(30)),
            internal_target: Some(received + time::Duration::days(20)),
            paused_days: 1,
        },
        created_at: datetime!(2026-03-02 10:00:00 UTC),
        updated_at: datetime!(2026-03-02 10:00:00 UTC),
        closed_at: None,
        purged_at: None,
    }
}

/// Insert `r` the way the core does (reference, requester record, row, `created` event); `r` as stored.
pub(crate) fn insert(tx: &dyn Write, mut r: Request) -> Result<Request> {
    let (seq, reference) = tx.next_reference(r.received.year())?;
    r.reference = reference;
    r.requester_id = Some(tx.resolve_requester(&r, AT)?);
    tx.insert_request(&r, seq, None)?;
    tx.append_event(&r.id, AT, "officer", "created", &json!({"reference": r.reference}))?;
    Ok(r)
}

fn add(store: &Store, r: Request) -> Request {
    store.write(|tx| insert(tx, r)).unwrap()
}

fn references(store: &Store, q: &Query) -> Vec<String> {
    store.read(|r| r.list(q)).unwrap().items.into_iter().map(|row| row.reference).collect()
}

/// A write that fails part-way leaves nothing: not the row, not its event, not a setting, not the reference.
pub(crate) fn a_write_is_all_or_nothing(e: &dyn Engine) {
    let store = e.fresh();
    let before = store.read(|r| r.chain_head()).unwrap();
    let mut id = Uuid::nil();
    let failed: Result<()> = store.write(|tx| {
        let r =
            insert(tx, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)))?;
        id = r.id;
        tx.set_setting("contract.half", "written")?;
        assert_eq!(tx.request(&r.reference)?.id, r.id, "a transaction sees its own writes");
        Err(Error::invalid("contract", "stop here"))
    });
    assert!(matches!(failed, Err(Error::Invalid { ref field, .. }) if field == "contract"), "{failed:?}");
    assert!(matches!(store.read(|r| r.request(&id.to_string())), Err(Error::NotFound { what: "request", .. })));
    assert_eq!(store.setting("contract.half").unwrap(), None);
    assert_eq!(store.read(|r| r.chain_head()).unwrap(), before, "no event survives");
    let r = add(&store, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    assert_eq!(r.reference, "RD-2026-0001", "the reference taken by the failed write is free again");
}

/// A request comes back exactly as written, by id and by reference, and after an update.
pub(crate) fn a_request_round_trips(e: &dyn Engine) {
    let store = e.fresh();
    let r =
        add(&store, sample("Ann", "ann@example.org", RequestKind::Erasure, Status::InProgress, date!(2026 - 02 - 10)));
    assert_eq!(store.read(|rd| rd.request(&r.id.to_string())).unwrap(), r);
    assert_eq!(store.read(|rd| rd.request(&r.reference)).unwrap(), r);
    let mut changed = r.clone();
    changed.status = Status::Closed;
    changed.outcome_reason = Some("done".into());
    changed.closed_at = Some(datetime!(2026-03-03 09:00:00 UTC));
    changed.updated_at = datetime!(2026-03-03 09:00:00 UTC);
    changed.facts.due_override = Some(date!(2026 - 04 - 01));
    changed.dates.effective_due = Some(date!(2026 - 04 - 01));
    store
        .write(|tx| {
            tx.update_request(&changed)?;
            tx.append_event(&changed.id, AT, "officer", "status_changed", &json!({"to": "closed"}))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.read(|rd| rd.request(&r.reference)).unwrap(), changed);
    let second =
        add(&store, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, date!(2026 - 05 - 01)));
    assert_eq!(second.reference, "RD-2026-0002", "references count up per year");
    let ids = store.read(|rd| rd.request_ids()).unwrap();
    assert_eq!(ids, vec![r.id.to_string(), second.id.to_string()]);
    assert!(matches!(store.read(|rd| rd.request("RD-2026-9999")), Err(Error::NotFound { what: "request", .. })));
}

/// The queue page: each filter, the search, the sort either way, offset and limit with the total of what matched.
pub(crate) fn the_queue_pages_filters_sorts_and_searches(e: &dyn Engine) {
    let store = e.fresh();
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap();
    let mut made = vec![];
    for (i, (name, kind, status, regime)) in [
        ("Zoe Kowalski", RequestKind::Access, Status::Received, "uk-gdpr"),
        ("Adam Nowak", RequestKind::Erasure, Status::InProgress, "uk-gdpr"),
        ("Maria Kowalska", RequestKind::Access, Status::Refused, "eu-gdpr"),
        ("Chris Evans", RequestKind::Portability, Status::OnHold, "uk-gdpr"),
        ("Eve Adams", RequestKind::Access, Status::Fulfilled, "eu-gdpr"),
        ("Sam Spam", RequestKind::Access, Status::Spam, "uk-gdpr"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = sample(
            name,
            &format!("{}@example.org", name.to_lowercase().replace(' ', ".")),
            kind,
            status,
            day(i as u8 + 1),
        );
        r.regime = regime.into();
        // Due dates in the opposite order of receipt, so sorting by one is not sorting by the other.
        r.dates.effective_due = Some(day(28 - i as u8));
        made.push(add(&store, r).reference);
    }
    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query { limit: 50, ..Query::default() };
        f(&mut q);
        q
    };
    let picked = |i: &[usize]| i.iter().map(|&i| made[i].clone()).collect::<Vec<_>>();
    assert_eq!(references(&store, &q(&|q| q.sort = Sort::Received)), picked(&[0, 1, 2, 3, 4]));
    assert_eq!(
        references(
            &store,
            &q(&|q| {
                q.sort = Sort::Received;
                q.descending = true
            })
        ),
        picked(&[4, 3, 2, 1, 0])
    );
    assert_eq!(references(&store, &q(&|_| {})), picked(&[4, 3, 2, 1, 0]), "the default sort is the due date");
    assert_eq!(references(&store, &q(&|q| q.sort = Sort::Requester)), picked(&[1, 3, 4, 2, 0]));
    assert_eq!(
        references(
            &store,
            &q(&|q| {
                q.open_only = true;
                q.sort = Sort::Received
            })
        ),
        picked(&[0, 1, 3])
    );
    assert_eq!(references(&store, &q(&|q| q.status = Some(Status::Refused))), picked(&[2]));
    assert_eq!(
        references(
            &store,
            &q(&|q| {
                q.kind = Some(RequestKind::Access);
                q.sort = Sort::Received
            })
        ),
        picked(&[0, 2, 4])
    );
    assert_eq!(
        references(
            &store,
            &q(&|q| {
                q.regime = Some("eu-gdpr".into());
                q.sort = Sort::Received
            })
        ),
        picked(&[2, 4])
    );
    assert_eq!(references(&store, &q(&|q| q.due_before = Some(day(25)))), picked(&[4, 3]));
    assert_eq!(
        references(
            &store,
            &q(&|q| {
                q.search = Some("kowalsk".into());
                q.sort = Sort::Received
            })
        ),
        picked(&[0, 2])
    );
    assert_eq!(references(&store, &q(&|q| q.search = Some("adam.nowak@".into()))), picked(&[1]));
    assert_eq!(references(&store, &q(&|q| q.search = Some(made[3].clone()))), picked(&[3]));
    assert_eq!(references(&store, &q(&|q| q.search = Some("\"nobody\" OR *".into()))), Vec::<String>::new());
    assert_eq!(references(&store, &q(&|q| q.search = Some("Ev".into()))), picked(&[4]), "short text: a prefix");
    assert_eq!(references(&store, &q(&|q| q.status = Some(Status::Spam))), picked(&[5]), "spam only when asked");
    let page = store
        .read(|r| {
            r.list(&q(&|q| {
                q.sort = Sort::Received;
                q.offset = 1;
                q.limit = 2
            }))
        })
        .unwrap();
    assert_eq!(page.items.iter().map(|i| i.reference.clone()).collect::<Vec<_>>(), picked(&[1, 2]));
    assert_eq!((page.total, page.offset, page.limit), (Some(Total::Exact(5)), 1, 2));
    let row = &store.read(|r| r.list(&q(&|q| q.status = Some(Status::Received)))).unwrap().items[0];
    assert_eq!((row.requester_name.as_str(), row.is_open, row.statutory), ("Zoe Kowalski", true, true));
}

/// How a case sets a filter on the query, and which rows it keeps, written as Rust to check the engine against.
type SetFilter = Box<dyn Fn(&mut Query)>;
type KeepRow = Box<dyn Fn(&Request) -> bool>;

/// Pages by cursor in every sort, both ways, under each filter: the pages after one another (and, from the end,
/// before one another) make exactly the whole ordered list, with no row twice and none missed, though due dates
/// repeat and some are missing (no date sorts first ascending, last descending) and names and days repeat; ties go
/// by insertion order. The first page counts what matched; the search reaches description and notes.
pub(crate) fn the_queue_pages_by_cursor_in_every_sort(e: &dyn Engine) {
    let store = e.fresh();
    let names = ["Zoe Kowalski", "Adam Nowak", "Maria Kowalska", "Adam Nowak", "Chris Evans"];
    let statuses =
        [Status::Received, Status::InProgress, Status::Refused, Status::OnHold, Status::Closed, Status::Spam];
    let kinds = [RequestKind::Access, RequestKind::Erasure, RequestKind::Portability];
    let mut made: Vec<Request> = vec![];
    for i in 0..23usize {
        let name = names[i % names.len()];
        let received = date!(2025 - 12 - 30) + time::Duration::days((i % 7) as i64);
        let mut r = sample(name, &format!("p{}@example.org", i % 4), kinds[i % 3], statuses[i % 6], received);
        r.regime = if i % 4 == 0 { "eu-gdpr".into() } else { "uk-gdpr".into() };
        r.dates.effective_due =
            if i % 5 == 1 { None } else { Some(date!(2026 - 02 - 01) + time::Duration::days((i % 4) as i64)) };
        r.notes = if i == 7 { "promised a callback on Thursday".into() } else { String::new() };
        made.push(add(&store, r));
    }
    let key = |r: &Request, sort: Sort| -> Vec<String> {
        let due = r.dates.effective_due.map_or(String::new(), |d| format!("1{d}"));
        let (year, seq) = r.reference[3..].split_once('-').unwrap();
        match sort {
            Sort::Due => vec![due],
            Sort::Received => vec![r.received.to_string()],
            Sort::Reference => vec![year.into(), format!("{seq:0>10}")],
            Sort::Status => vec![r.status.id().into(), due],
            Sort::Kind => vec![r.kind.id().into(), due],
            Sort::Regime => vec![r.regime.clone(), due],
            Sort::Requester => vec![r.requester.name.clone()],
        }
    };
    let filters: Vec<(&str, SetFilter, KeepRow)> = vec![
        ("all but spam", Box::new(|_| {}), Box::new(|r| r.status != Status::Spam)),
        ("open", Box::new(|q| q.open_only = true), Box::new(|r| r.status.is_open())),
        (
            "in progress",
            Box::new(|q| q.status = Some(Status::InProgress)),
            Box::new(|r| r.status == Status::InProgress),
        ),
        (
            "access in eu-gdpr",
            Box::new(|q| {
                q.kind = Some(RequestKind::Access);
                q.regime = Some("eu-gdpr".into())
            }),
            Box::new(|r| r.kind == RequestKind::Access && r.regime == "eu-gdpr" && r.status != Status::Spam),
        ),
        (
            "open, due by 2 Feb",
            Box::new(|q| {
                q.open_only = true;
                q.due_before = Some(date!(2026 - 02 - 02))
            }),
            Box::new(|r| r.status.is_open() && r.dates.effective_due.is_some_and(|d| d <= date!(2026 - 02 - 02))),
        ),
        (
            "search",
            Box::new(|q| q.search = Some("owalsk".into())),
            Box::new(|r| r.requester.name.contains("owalsk") && r.status != Status::Spam),
        ),
    ];
    let sorts = [Sort::Due, Sort::Received, Sort::Reference, Sort::Status, Sort::Kind, Sort::Regime, Sort::Requester];
    for (label, set, keep) in &filters {
        for sort in sorts {
            for descending in [false, true] {
                let what = format!("{label}, {sort:?}, descending {descending}");
                let mut expected: Vec<(Vec<String>, usize, String)> = made
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| keep(r))
                    .map(|(i, r)| (key(r, sort), i, r.reference.clone()))
                    .collect();
                expected.sort();
                if descending {
                    expected.reverse();
                }
                let expected: Vec<String> = expected.into_iter().map(|(_, _, r)| r).collect();
                let mut q = Query { sort, descending, limit: 500, ..Query::default() };
                set(&mut q);
                let whole = store.read(|r| r.list(&q)).unwrap();
                assert_eq!(whole.items.iter().map(|i| i.reference.clone()).collect::<Vec<_>>(), expected, "{what}");
                assert_eq!(whole.total, Some(Total::Exact(expected.len() as u64)), "{what}");
                assert_eq!((whole.next.as_ref(), whole.prev.as_ref()), (None, None), "one page: {what}");
                q.limit = 3;
                let mut forward: Vec<String> = vec![];
                let mut pages = vec![];
                loop {
                    let page = store.read(|r| r.list(&q)).unwrap();
                    assert_eq!(page.total.is_some(), q.after.is_none(), "counted on the first page only: {what}");
                    forward.extend(page.items.iter().map(|i| i.reference.clone()));
                    pages.push(page.clone());
                    match page.next {
                        Some(next) => q.after = Some(next),
                        None => break,
                    }
                    assert!(pages.len() <= 10, "pages never end: {what}");
                }
                assert_eq!(forward, expected, "forward by cursor: {what}");
                let mut backward: Vec<String> =
                    pages.last().unwrap().items.iter().map(|i| i.reference.clone()).collect();
                q.after = None;
                q.before = pages.last().unwrap().prev.clone();
                while q.before.is_some() {
                    let page = store.read(|r| r.list(&q)).unwrap();
                    assert!(!page.items.is_empty() && page.items.len() <= 3, "{what}");
                    let mut refs: Vec<String> = page.items.iter().map(|i| i.reference.clone()).collect();
                    refs.append(&mut backward);
                    backward = refs;
                    assert!(page.next.is_some(), "a page before one has one after it: {what}");
                    q.before = page.prev;
                }
                assert_eq!(backward, expected, "backward by cursor: {what}");
            }
        }
    }
    let search = |text: &str| references(&store, &Query { search: Some(text.into()), limit: 50, ..Query::default() });
    assert_eq!(search("callback on thurs"), vec![made[7].reference.clone()], "the notes are searched");
    assert_eq!(search("hold about Chris").len(), 4, "the description is searched");
    let wrong = Query { sort: Sort::Received, after: Some("garbage".into()), ..Query::default() };
    assert!(matches!(store.read(|r| r.list(&wrong)), Err(Error::Invalid { ref field, .. }) if field == "after"));
    let first = store.read(|r| r.list(&Query { limit: 2, ..Query::default() })).unwrap();
    let other_sort = Query { sort: Sort::Received, after: first.next, ..Query::default() };
    assert!(matches!(store.read(|r| r.list(&other_sort)), Err(Error::Invalid { .. })), "a cursor of another sort");
}

/// Events append in order on one chain that verifies; a row changed without an event is found.
pub(crate) fn events_append_in_order_on_a_chain_that_verifies(e: &dyn Engine) {
    let store = e.fresh();
    let (_, _, live_before) = store.read(|r| r.chain_head()).unwrap();
    let a = add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let b = add(&store, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let appended = store
        .write(|tx| {
            let one = tx.append_event(&a.id, AT, "officer", "note_added", &json!({"n": 1}))?;
            let two = tx.append_event(&b.id, AT, "officer", "note_added", &json!({"n": 2}))?;
            let reg = tx.append_register_event(AT, "officer", "contract_checked", &json!({"n": 3}))?;
            let three = tx.append_event(&a.id, AT, "clerk", "note_added", &json!({"n": 4, "text": "ünïcode"}))?;
            Ok(vec![one, two, reg, three])
        })
        .unwrap();
    assert!(appended.windows(2).all(|w| w[0].seq < w[1].seq), "sequence numbers grow");
    let events = store.read(|r| r.events(&a.id)).unwrap();
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["created", "note_added", "note_added"]);
    assert_eq!(events[1], appended[0]);
    assert_eq!(events[2].data, json!({"n": 4, "text": "ünïcode"}));
    assert_eq!(events[2].actor, "clerk");
    let chained = store.read(|r| r.chained_events(&a.id)).unwrap();
    assert_eq!(chained.len(), 3);
    assert!(chained.iter().all(|c| c.recomputes()), "each stored hash is the hash of its content and link");
    assert_eq!(chained[2].hash, appended[3].hash);
    let walk = store.read(|r| r.verify_chain()).unwrap();
    assert_eq!(walk.first_break, None);
    assert_eq!(walk.events_checked, live_before + 6);
    assert_eq!((walk.head_seq, walk.head_hash.as_str()), (appended[3].seq, appended[3].hash.as_str()));
    let (seq, hash, live) = store.read(|r| r.chain_head()).unwrap();
    assert_eq!((seq, hash, live), (appended[3].seq, appended[3].hash.clone(), live_before + 6));
    assert_eq!(store.read(|r| r.events_after(appended[1].seq)).unwrap(), 2);
    assert_eq!(store.read(|r| r.register_event_data("contract_checked")).unwrap(), vec![json!({"n": 3})]);
    assert_eq!(store.read(|r| r.register_events("contract_checked")).unwrap().len(), 1);
    let recent = store.read(|r| r.recent_register_events(50)).unwrap();
    assert_eq!(recent[0], appended[2], "the register's events, newest first, with their data and hash");
    assert!(recent.iter().all(|e| e.request_id.is_empty()), "no request's event among them");
    assert!(recent.windows(2).all(|w| w[0].seq > w[1].seq));
    assert_eq!(store.read(|r| r.recent_register_events(1)).unwrap().len(), 1);
    assert!(store.read(|r| r.trigger_problems()).unwrap().is_empty());
    assert_eq!(store.read(|r| r.verify_rows()).unwrap().differing, 0);
    let mut quietly = a.clone();
    quietly.requester.name = "Someone Else".into();
    store.write(|tx| tx.update_request(&quietly)).unwrap();
    let rows = store.read(|r| r.verify_rows()).unwrap();
    assert_eq!((rows.differing, rows.rows[0].reference.as_str()), (1, a.reference.as_str()), "{rows:?}");
    let both = store.read(|r| r.verify_chain_and_rows()).unwrap();
    assert_eq!(both, (store.read(|r| r.verify_chain()).unwrap(), rows), "one read reports what the two checks do");
}

/// An attachment leaves its own request only, once.
pub(crate) fn an_attachment_is_removed_from_its_own_request_only(e: &dyn Engine) {
    let store = e.fresh();
    let ann =
        add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let bob =
        add(&store, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let file = Attachment {
        id: Uuid::new_v4().to_string(),
        file_name: "passport.pdf".into(),
        stored_name: format!("{}/passport.pdf", ann.id),
        sha256: "cd".repeat(32),
        size: 3,
        added_at: AT.into(),
    };
    store.write(|tx| tx.insert_attachment(&ann.id, &file)).unwrap();
    let err = store.write(|tx| tx.remove_attachment(&bob.id, &file.id)).unwrap_err();
    assert_eq!(err.kind(), ErrorCode::NotFound, "{err}");
    store.write(|tx| tx.remove_attachment(&ann.id, &file.id)).unwrap();
    assert!(store.read(|rd| rd.attachments(&ann.id)).unwrap().is_empty());
    let err = store.write(|tx| tx.remove_attachment(&ann.id, &file.id)).unwrap_err();
    assert_eq!(err.kind(), ErrorCode::NotFound, "{err}");
}

/// A purge removes the personal data and the events, keeps each event's place, and the chain still verifies.
pub(crate) fn a_purge_keeps_the_chain_whole(e: &dyn Engine) {
    let store = e.fresh();
    let mut r = sample("Ann", "ann@example.org", RequestKind::Access, Status::Closed, date!(2025 - 01 - 06));
    r.closed_at = Some(datetime!(2025-02-01 09:00:00 UTC));
    let r = add(&store, r);
    let kept =
        add(&store, sample("Bob", "bob@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    store
        .write(|tx| {
            let file = Attachment {
                id: Uuid::new_v4().to_string(),
                file_name: "letter.pdf".into(),
                stored_name: format!("{}/letter.pdf", r.id),
                sha256: "ab".repeat(32),
                size: 3,
                added_at: AT.into(),
            };
            tx.insert_attachment(&r.id, &file)?;
            tx.append_event(&r.id, AT, "officer", "attachment_added", &json!({"file_name": "letter.pdf"}))?;
            Ok(())
        })
        .unwrap();
    let cutoff = "2026-01-01T00:00:00Z";
    assert_eq!(store.read(|rd| rd.requests_to_purge(cutoff, 10)).unwrap(), vec![r.id.to_string()]);
    assert_eq!(store.read(|rd| rd.count_to_purge(cutoff)).unwrap(), 1);
    let purged = store
        .write(|tx| {
            let purged = tx.purge_request(&r.id.to_string(), AT)?;
            tx.append_event(&r.id, AT, "officer", "purged", &json!({"removed": purged.removed}))?;
            Ok(purged)
        })
        .unwrap();
    assert_eq!(purged.events, 2);
    assert_eq!(purged.attachment_files, vec![format!("{}/letter.pdf", r.id)]);
    let after = store.read(|rd| rd.request(&r.reference)).unwrap();
    assert!(after.purged_at.is_some());
    assert_eq!((after.requester.name.as_str(), after.requester.email.as_deref()), ("", None));
    assert_eq!(
        store.read(|rd| rd.events(&r.id)).unwrap().iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["purged"]
    );
    assert!(store.read(|rd| rd.attachments(&r.id)).unwrap().is_empty());
    let walk = store.read(|rd| rd.verify_chain()).unwrap();
    assert_eq!((walk.first_break, walk.events_purged), (None, 2));
    assert_eq!(store.read(|rd| rd.verify_rows()).unwrap().differing, 0);
    let both = store.read(|rd| rd.verify_chain_and_rows()).unwrap();
    assert_eq!(both, (store.read(|rd| rd.verify_chain()).unwrap(), store.read(|rd| rd.verify_rows()).unwrap()));
    assert_eq!(store.read(|rd| rd.count_purged()).unwrap(), 1);
    assert_eq!(store.read(|rd| rd.count_to_purge(cutoff)).unwrap(), 0);
    assert_eq!(store.read(|rd| rd.request(&kept.reference)).unwrap(), kept, "other requests are untouched");
}

/// The log's facts are what the request's events establish, kept through a purge: the acknowledgement is the day
/// of the first acknowledgement emailed (`response_sent`, stage `acknowledgement`) or written as a letter (a file
/// `*-acknowledgement-*.pdf`, in any case); a closed request's outcome is the status of its last move to `closed`.
pub(crate) fn the_log_facts_are_what_the_events_establish(e: &dyn Engine) {
    let store = e.fresh();
    let day = date!(2026 - 03 - 01);
    let event = |r: &Request, at: &str, kind: &str, data: serde_json::Value| {
        store.write(|tx| tx.append_event(&r.id, at, "officer", kind, &data).map(|_| ())).unwrap()
    };
    let with_status = |name: &str, status: Status| {
        let mut r = sample(name, &format!("{name}@example.org"), RequestKind::Access, status, day);
        if !status.is_open() {
            r.closed_at = Some(datetime!(2026-03-20 09:00:00 UTC));
        }
        add(&store, r)
    };
    let acked = with_status("ann", Status::InProgress);
    event(&acked, "2026-03-02T09:00:00Z", "response_sent", json!({"stage": "final"}));
    event(
        &acked,
        "2026-03-06T09:00:00Z",
        "attachment_added",
        json!({"file_name": "RD-2026-0001-Acknowledgement-en.PDF"}),
    );
    event(&acked, "2026-03-05T23:59:59Z", "response_sent", json!({"stage": "acknowledgement"}));
    event(&acked, "2026-03-04T09:00:00Z", "attachment_added", json!({"file_name": "acknowledgement.pdf"}));
    let lettered = with_status("bob", Status::Received);
    event(&lettered, "2026-03-03T08:00:00Z", "attachment_added", json!({"file_name": "x-acknowledgement-.pdf"}));
    let closed = with_status("cleo", Status::Closed);
    event(&closed, AT, "status_changed", json!({"from": "in-progress", "to": "fulfilled"}));
    event(&closed, AT, "status_changed", json!({"from": "refused", "to": "closed"}));
    event(&closed, AT, "status_changed", json!({"from": "fulfilled", "to": "closed"}));
    event(&closed, AT, "identity_checked", json!({"status": {"from": "withdrawn", "to": "closed"}}));
    let bare = with_status("dan", Status::Closed);
    let refused = with_status("eve", Status::Refused);
    event(&refused, AT, "status_changed", json!({"from": "withdrawn", "to": "closed"}));

    let log = |store: &Store| {
        let mut seen = std::collections::BTreeMap::new();
        store
            .read(|rd| {
                rd.each_log_record(day, day, &mut |rec| {
                    seen.insert(rec.reference, (rec.acknowledged.map(crate::dates::fmt), rec.outcome));
                    Ok(())
                })
            })
            .unwrap();
        seen
    };
    let expected = [
        (&acked, Some("2026-03-05"), Status::InProgress),
        (&lettered, Some("2026-03-03"), Status::Received),
        (&closed, None, Status::Fulfilled),
        (&bare, None, Status::Closed),
        (&refused, None, Status::Refused),
    ];
    let facts = log(&store);
    for (r, acknowledged, outcome) in expected {
        assert_eq!(facts[&r.reference], (acknowledged.map(String::from), outcome), "{}", r.requester.name);
    }
    let mut outcomes = vec![];
    store.read(|rd| rd.each_metric_record(day, day, None, &mut |m| outcomes.push(m.outcome))).unwrap();
    outcomes.sort_by_key(|s| s.id());
    let mut expected_outcomes: Vec<Status> = expected.iter().map(|(_, _, o)| *o).collect();
    expected_outcomes.sort_by_key(|s| s.id());
    assert_eq!(outcomes, expected_outcomes);

    // A purge removes the events and keeps what they established.
    store
        .write(|tx| {
            for r in [&acked, &closed] {
                let purged = tx.purge_request(&r.id.to_string(), AT)?;
                tx.append_event(&r.id, AT, "officer", "purged", &json!({"removed": purged.removed}))?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(log(&store), facts);
    assert_eq!(store.read(|rd| rd.verify_rows()).unwrap().differing, 0);
}

/// Settings are set, replaced and deleted; a transaction reads what it set.
pub(crate) fn settings_are_kept(e: &dyn Engine) {
    let store = e.fresh();
    assert_eq!(store.setting("contract.key").unwrap(), None);
    store
        .write(|tx| {
            tx.set_setting("contract.key", "one")?;
            assert_eq!(tx.setting("contract.key")?.as_deref(), Some("one"));
            tx.set_setting("contract.key", "two")?;
            tx.set_setting("contract.other", "x")
        })
        .unwrap();
    assert_eq!(store.setting("contract.key").unwrap().as_deref(), Some("two"));
    store.write(|tx| tx.delete_setting("contract.key")).unwrap();
    assert_eq!(store.read(|r| r.setting("contract.key")).unwrap(), None);
    assert_eq!(store.setting("contract.other").unwrap().as_deref(), Some("x"));
    let id = store.setting("register.id").unwrap().unwrap_or_default();
    assert_eq!(id.len(), 32, "a register has an id from the start");
}

/// The dashboard's views count open, overdue, due soon, acknowledgements due and requests on hold, and list exactly
/// what they count.
pub(crate) fn the_dashboard_counts(e: &dyn Engine) {
    let store = e.fresh();
    let today = date!(2026 - 03 - 10);
    let soon = date!(2026 - 03 - 17);
    for (status, due, ack) in [
        (Status::Received, date!(2026 - 03 - 09), Some(date!(2026 - 03 - 12))),
        (Status::Received, date!(2026 - 03 - 15), None),
        (Status::OnHold, date!(2026 - 04 - 30), None),
        (Status::InProgress, date!(2026 - 03 - 17), None),
        (Status::Fulfilled, date!(2026 - 03 - 01), Some(date!(2026 - 03 - 01))),
    ] {
        let mut r = sample("Ann", "ann@example.org", RequestKind::Access, status, date!(2026 - 02 - 01));
        r.dates.effective_due = Some(due);
        r.dates.acknowledge_by = ack;
        add(&store, r);
    }
    // Two at work with an acknowledgement due on the 11th: one given, one not (still owed, so still listed).
    for given in [true, false] {
        let mut r = sample("Bo", "bo@example.org", RequestKind::Access, Status::InProgress, date!(2026 - 02 - 01));
        r.dates.effective_due = Some(date!(2026 - 04 - 30));
        r.dates.acknowledge_by = Some(date!(2026 - 03 - 11));
        let r = add(&store, r);
        if given {
            let data = json!({"stage": "acknowledgement"});
            store.write(|tx| tx.append_event(&r.id, AT, "officer", "response_sent", &data).map(drop)).unwrap();
        }
    }
    let expected = [
        (QueueView::Open, 6),
        (QueueView::Overdue, 1),
        (QueueView::DueSoon, 2),
        (QueueView::ToAcknowledge, 2),
        (QueueView::OnHold, 1),
    ];
    for (view, n) in expected {
        let q = view.narrow(&Query { limit: 50, ..Query::default() }, today, soon);
        assert_eq!(store.read(|r| r.count(&q)).unwrap(), n, "{view:?}");
        let listed = store.read(|r| r.list(&q)).unwrap();
        assert_eq!((listed.items.len(), listed.total), (n as usize, Some(Total::Exact(n))), "{view:?}");
    }
}

/// The log's scan hands every request of the period to the callback once, oldest first, spam left out; an error
/// from the callback stops it and comes back.
pub(crate) fn a_streaming_scan_visits_every_row(e: &dyn Engine) {
    let store = e.fresh();
    let mut expected = vec![];
    store
        .write(|tx| {
            for i in 0..250u32 {
                let received = date!(2026 - 01 - 01) + time::Duration::days(i64::from(i % 300));
                let status = if i % 50 == 7 { Status::Spam } else { Status::Received };
                let r = insert(
                    tx,
                    sample(&format!("P{i}"), &format!("p{i}@example.org"), RequestKind::Access, status, received),
                )?;
                if status != Status::Spam {
                    expected.push(r.reference);
                }
            }
            Ok(())
        })
        .unwrap();
    let mut seen = vec![];
    let mut last = date!(2000 - 01 - 01);
    let count = store
        .read(|r| {
            r.each_log_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), &mut |rec| {
                assert!(rec.received >= last, "oldest first");
                last = rec.received;
                seen.push(rec.reference);
                Ok(())
            })
        })
        .unwrap();
    assert_eq!(count, expected.len() as u64);
    seen.sort();
    assert_eq!(seen, expected);
    let mut metrics = 0;
    store
        .read(|r| r.each_metric_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), None, &mut |_| metrics += 1))
        .unwrap();
    assert_eq!(metrics, expected.len());
    let mut calls = 0;
    let stopped = store.read(|r| {
        r.each_log_record(date!(2026 - 01 - 01), date!(2026 - 12 - 31), &mut |_| {
            calls += 1;
            if calls == 3 { Err(Error::Export("full".into())) } else { Ok(()) }
        })
    });
    assert!(matches!(stopped, Err(Error::Export(_))), "{stopped:?}");
    assert_eq!(calls, 3);
}

/// A register that may not be changed is read as usual; every write is refused with `ReadOnly` and leaves it as it
/// was.
pub(crate) fn a_read_only_register_refuses_writes(e: &dyn Engine) {
    let store = e.fresh();
    let r = add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let reader = e.read_only(&store);
    assert!(reader.is_read_only());
    assert_eq!(reader.read(|rd| rd.request(&r.reference)).unwrap(), r);
    let mut ran = false;
    let refused = reader.write(|tx| {
        ran = true;
        tx.set_setting("contract.key", "x")
    });
    assert!(matches!(refused, Err(Error::ReadOnly(_))), "{refused:?}");
    assert!(!ran, "the body of a refused write never runs");
    assert_eq!(store.setting("contract.key").unwrap(), None);
}

/// A rule the engine enforces (an import key used twice) is a `Constraint` error, and the transaction is undone.
pub(crate) fn a_broken_rule_is_a_constraint_error(e: &dyn Engine) {
    let store = e.fresh();
    let insert_keyed = |name: &str| {
        store.write(|tx| {
            let mut r = sample(name, "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01));
            let (seq, reference) = tx.next_reference(2026)?;
            r.reference = reference;
            tx.insert_request(&r, seq, Some("row-key-1"))?;
            Ok(r)
        })
    };
    let first = insert_keyed("Ann").unwrap();
    let second = insert_keyed("Bob");
    assert!(matches!(second, Err(Error::Constraint(_))), "{second:?}");
    assert_eq!(store.read(|r| r.request_ids()).unwrap(), vec![first.id.to_string()]);
}

/// A bulk (`begin_bulk` … `end_bulk`, or the commit) reads and writes as row by row does: references in sequence,
/// requesters matched, the chain and rows verifying, every row found by search (one updated during the bulk under
/// its new name); a bulk that fails leaves the register as it was, search included.
pub(crate) fn a_bulk_reads_and_writes_like_row_by_row(e: &dyn Engine) {
    let store = e.fresh();
    add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let failed: Result<()> = store.write(|tx| {
        tx.begin_bulk()?;
        insert(tx, sample("Cy", "cy@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)))?;
        Err(Error::invalid("contract", "stop here"))
    });
    assert!(failed.is_err());
    let (bob, dee) = store
        .write(|tx| {
            tx.begin_bulk()?;
            let bob = insert(
                tx,
                sample("Bob", "ann@example.org", RequestKind::Erasure, Status::Received, date!(2026 - 03 - 02)),
            )?;
            let mut dee = insert(
                tx,
                sample("Dee", "dee@example.org", RequestKind::Access, Status::Received, date!(2025 - 12 - 30)),
            )?;
            dee.requester.name = "Dora".into();
            tx.update_request(&dee)?;
            tx.append_event(&dee.id, AT, "officer", "details_corrected", &json!({"name": "Dora"}))?;
            tx.append_event(&dee.id, AT, "officer", "note", &json!({}))?;
            tx.end_bulk()?;
            let eve = insert(
                tx,
                sample("Eve", "eve@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 03)),
            )?;
            tx.begin_bulk()?;
            insert(tx, sample("Fay", "fay@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 04)))?;
            assert_eq!(eve.reference, "RD-2026-0003");
            Ok((bob, dee))
        })
        .unwrap();
    assert_eq!((bob.reference.as_str(), dee.reference.as_str()), ("RD-2026-0002", "RD-2025-0001"));
    let ann = store.read(|r| r.request("RD-2026-0001")).unwrap();
    assert_eq!(bob.requester_id, ann.requester_id, "matched by email as row by row");
    let search = |text: &str| references(&store, &Query { search: Some(text.into()), limit: 50, ..Query::default() });
    assert_eq!(search("Dora"), vec!["RD-2025-0001"]);
    assert!(search("cy@example").is_empty(), "the failed bulk left nothing");
    // By email: each sample's description names its requester, and "Eve" is also in "Everything".
    for email in ["ann@example.org", "eve@example.org", "fay@example.org"] {
        assert_eq!(search(email).len(), if email.starts_with("ann") { 2 } else { 1 }, "{email}");
    }
    add(&store, sample("Gus", "gus@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 05)));
    assert_eq!(search("Gus"), vec!["RD-2026-0005"], "row by row after a bulk: indexed as it is inserted");
    let walk = store.read(|r| r.verify_chain()).unwrap();
    assert_eq!(walk.first_break, None);
    let rows = store.read(|r| r.verify_rows()).unwrap();
    assert_eq!((rows.differing, rows.rows.len()), (0, 0), "{rows:?}");
}

fn attachment(id: &str, name: &str) -> Attachment {
    Attachment {
        id: id.into(),
        file_name: name.into(),
        stored_name: format!("{}/{}-{name}", Uuid::nil(), Uuid::nil()),
        sha256: "ab".repeat(32),
        size: 42,
        added_at: AT.into(),
    }
}

/// A request's parts: attachments (one held by an item of the answer cannot be taken off), the data map and the
/// checklist over it, disclosed items, identity checks with their evidence and its purge, stripped stored names.
pub(crate) fn a_requests_parts_round_trip(e: &dyn Engine) {
    use crate::domain::{CheckOutcome, Evidence, IdentityCheck, Party, VerificationMethod};
    use crate::store::{ChecklistItem, Disclosure, System};
    let store = e.fresh();
    let mut r = sample("Ann", "ann@example.org", RequestKind::Access, Status::Closed, date!(2026 - 03 - 01));
    r.closed_at = Some(datetime!(2026-03-05 09:00:00 UTC));
    let r = add(&store, r);
    let crm = System {
        id: "sys-crm".into(),
        name: "CRM".into(),
        owner: "Sales".into(),
        holds: "contact details".into(),
        is_backup: false,
        retired_at: None,
    };
    let tapes = System { id: "sys-tapes".into(), name: "Tapes".into(), is_backup: true, ..crm.clone() };
    store
        .write(|tx| {
            tx.insert_attachment(&r.id, &attachment("att-1", "letter.pdf"))?;
            tx.insert_attachment(&r.id, &attachment("att-2", "export.csv"))?;
            tx.insert_system(&crm, AT)?;
            tx.insert_system(&tapes, AT)
        })
        .unwrap();
    let twin = System { id: "sys-2".into(), name: "crm".into(), ..crm.clone() };
    let taken = store.write(|tx| tx.insert_system(&twin, AT));
    assert!(matches!(taken, Err(Error::Invalid { ref field, .. }) if field == "name"), "{taken:?}");
    assert_eq!(store.read(|rd| rd.system(" crm ")).unwrap().map(|s| s.id).as_deref(), Some("sys-crm"));
    let names: Vec<String> = store.read(|rd| rd.systems()).unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["CRM", "Tapes"]);
    let retired = System { retired_at: Some(AT.into()), ..tapes.clone() };
    store.write(|tx| tx.update_system(&retired, AT)).unwrap();
    assert_eq!(store.read(|rd| rd.system("sys-tapes")).unwrap(), Some(retired));

    let item = |system: &System| ChecklistItem {
        id: format!("item-{}", system.id),
        system_id: system.id.clone(),
        system_name: system.name.clone(),
        is_backup: system.is_backup,
        action: "find everything".into(),
        state: "open".into(),
        note: None,
        proof_id: None,
        done_by: None,
        done_at: None,
        assignee: None,
    };
    let id = r.id.to_string();
    store.write(|tx| tx.add_checklist_items(&id, &[item(&crm), item(&tapes)])).unwrap();
    store.write(|tx| tx.add_checklist_items(&id, &[item(&crm)])).unwrap();
    let mut done = item(&crm);
    done.state = "done".into();
    done.proof_id = Some("att-2".into());
    done.done_by = Some("officer".into());
    done.done_at = Some(AT.into());
    store.write(|tx| tx.update_checklist_item(&done)).unwrap();
    let list = store.read(|rd| rd.checklist(&id)).unwrap();
    assert_eq!(list, vec![done, item(&tapes)], "backups last, each system once");

    let disclosed = Disclosure {
        id: "d-1".into(),
        system_id: crm.id.clone(),
        system_name: crm.name.clone(),
        category: "contact".into(),
        label: None,
        value: None,
        attachment_id: Some("att-1".into()),
        file_name: None,
        size: None,
        stored_name: None,
        sha256: None,
        provided: true,
        added_at: AT.into(),
    };
    let field = Disclosure {
        id: "d-2".into(),
        label: Some("Email".into()),
        value: Some("ann@example.org".into()),
        attachment_id: None,
        provided: false,
        ..disclosed.clone()
    };
    store
        .write(|tx| {
            tx.insert_disclosure(&id, &disclosed)?;
            tx.insert_disclosure(&id, &field)
        })
        .unwrap();
    let found = store.read(|rd| rd.disclosures(&id)).unwrap();
    assert_eq!(found.len(), 2);
    let file = found.iter().find(|d| d.id == "d-1").unwrap();
    assert_eq!((file.file_name.as_deref(), file.size, file.provided), (Some("letter.pdf"), Some(42), true));
    assert_eq!(found.iter().find(|d| d.id == "d-2").unwrap(), &field);

    for (held, by) in [("att-1", "answer"), ("att-2", "checklist")] {
        let refused = store.write(|tx| tx.remove_attachment(&r.id, held));
        assert!(matches!(refused, Err(Error::Refused { ref reason }) if reason.contains(by)), "{refused:?}");
    }
    assert!(store.write(|tx| tx.delete_disclosure(&id, "d-1")).unwrap());
    assert!(!store.write(|tx| tx.delete_disclosure(&id, "d-1")).unwrap());
    store.write(|tx| tx.remove_attachment(&r.id, "att-1")).unwrap();
    let gone = store.write(|tx| tx.remove_attachment(&r.id, "att-1"));
    assert!(matches!(gone, Err(Error::NotFound { what: "attachment", .. })), "{gone:?}");
    assert_eq!(store.read(|rd| rd.attachments(&r.id)).unwrap(), vec![attachment("att-2", "export.csv")]);

    let check = IdentityCheck {
        id: "chk-1".into(),
        party: Party::Requester,
        method: VerificationMethod::IdDocument,
        outcome: CheckOutcome::Verified,
        checked_on: date!(2026 - 03 - 02),
        note: Some("passport".into()),
        recorded_at: AT.into(),
        actor: "officer".into(),
        evidence: vec![Evidence {
            id: "ev-1".into(),
            check_id: "chk-1".into(),
            file_name: "passport.jpg".into(),
            stored_name: format!("{}/{}-passport.jpg", r.id, Uuid::nil()),
            sha256: "cd".repeat(32),
            size: 7,
            added_at: AT.into(),
            purged_on: None,
        }],
    };
    store.write(|tx| tx.insert_identity_check(&r.id, &check)).unwrap();
    assert_eq!(store.read(|rd| rd.identity_checks(&r.id)).unwrap(), vec![check.clone()]);
    let due = store.read(|rd| rd.evidence_to_purge(date!(2026 - 03 - 05), None)).unwrap();
    assert_eq!(due.iter().map(|(req, e)| (req.as_str(), e.id.as_str())).collect::<Vec<_>>(), [(id.as_str(), "ev-1")]);
    assert!(store.read(|rd| rd.evidence_to_purge(date!(2026 - 03 - 04), None)).unwrap().is_empty(), "closed later");
    assert_eq!(store.read(|rd| rd.evidence_to_purge(date!(2000 - 01 - 01), Some(&r.id))).unwrap().len(), 1);
    assert_eq!(store.write(|tx| tx.strip_stored_names()).unwrap(), 2, "the attachment and the evidence");
    let stripped = &store.read(|rd| rd.identity_checks(&r.id)).unwrap()[0].evidence[0];
    assert_eq!(stripped.stored_name, format!("{}/{}", r.id, Uuid::nil()));
    store.write(|tx| tx.mark_evidence_purged("ev-1", date!(2026 - 03 - 09))).unwrap();
    let purged = &store.read(|rd| rd.identity_checks(&r.id)).unwrap()[0].evidence[0];
    assert_eq!(purged.purged_on, Some(date!(2026 - 03 - 09)));
    assert!(store.read(|rd| rd.evidence_to_purge(date!(2026 - 03 - 09), None)).unwrap().is_empty());
}

/// A person is found again by email, then phone (by its digits), then account, and the record fills in what it
/// lacked; a record nobody points to is forgotten; decisions between requests read from either side; blocked
/// senders are kept by address.
pub(crate) fn requesters_links_and_blocked_senders(e: &dyn Engine) {
    let store = e.fresh();
    // Someone who shares no email, phone or account with Ann.
    let stranger = |name: &str| {
        let mut r =
            sample(name, &format!("{name}@example.org"), RequestKind::Access, Status::Received, date!(2026 - 03 - 04));
        r.requester.phone = None;
        r
    };
    let ann =
        add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let mut by_phone =
        sample("A. N.", "other@example.org", RequestKind::Erasure, Status::Received, date!(2026 - 03 - 02));
    by_phone.requester.email = None;
    by_phone.requester.phone = Some("+44 (20) 7946-0000".into());
    let by_phone = add(&store, by_phone);
    assert_eq!(by_phone.requester_id, ann.requester_id, "the same digits");
    let mut by_account = sample("Ann", "x@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 03));
    by_account.requester.email = None;
    by_account.requester.phone = None;
    by_account.requester.account = Some("ACC-Ann".into());
    assert_eq!(add(&store, by_account).requester_id, ann.requester_id);
    let bob = add(&store, stranger("Bob"));
    assert_ne!(bob.requester_id, ann.requester_id);
    let person = store.read(|rd| rd.requester(ann.requester_id.as_deref().unwrap())).unwrap().unwrap();
    assert_eq!(
        (person.name.as_str(), person.email.as_deref(), person.phone.as_deref()),
        ("Ann", Some("ann@example.org"), Some("+442079460000"))
    );
    let bob_id = bob.requester_id.clone().unwrap();
    store.write(|tx| tx.forget_requester_if_unused(&bob_id)).unwrap();
    assert!(store.read(|rd| rd.requester(&bob_id)).unwrap().is_some(), "Bob's request still points to it");
    let lone = store.write(|tx| tx.resolve_requester(&stranger("Cy"), AT)).unwrap();
    store.write(|tx| tx.forget_requester_if_unused(&lone)).unwrap();
    assert_eq!(store.read(|rd| rd.requester(&lone)).unwrap(), None);

    let (a, b) = (ann.id.to_string(), by_phone.id.to_string());
    store.write(|tx| tx.set_link(&b, &a, "duplicate", Some("same letter"), AT, "officer")).unwrap();
    let from_a = store.read(|rd| rd.links(&a)).unwrap();
    assert_eq!(
        (from_a[0].reference.as_str(), from_a[0].relation.as_str(), from_a[0].from_here),
        (by_phone.reference.as_str(), "duplicate", false)
    );
    let from_b = store.read(|rd| rd.links(&b)).unwrap();
    assert_eq!(
        (from_b[0].reference.as_str(), from_b[0].from_here, from_b[0].note.as_deref()),
        (ann.reference.as_str(), true, Some("same letter"))
    );
    store.write(|tx| tx.set_link(&b, &a, "linked", None, AT, "officer")).unwrap();
    assert_eq!(store.read(|rd| rd.links(&a)).unwrap()[0].relation, "linked", "a decision replaces the last");
    store.write(|tx| tx.remove_duplicate_links(&b)).unwrap();
    assert_eq!(store.read(|rd| rd.links(&a)).unwrap().len(), 1, "only duplicates are taken back");
    store.write(|tx| tx.remove_link(&a, &b)).unwrap();
    assert!(store.read(|rd| rd.links(&b)).unwrap().is_empty(), "either way round");

    store.write(|tx| tx.block_sender("spam@example.org", "abuse", AT, "officer")).unwrap();
    store.write(|tx| tx.block_sender("spam@example.org", "abuse again", AT, "dpo")).unwrap();
    store.write(|tx| tx.block_sender("a@example.org", "abuse", AT, "officer")).unwrap();
    let blocked = store.read(|rd| rd.blocked_sender("spam@example.org")).unwrap().unwrap();
    assert_eq!((blocked.reason.as_str(), blocked.actor.as_str()), ("abuse again", "dpo"));
    let all: Vec<String> = store.read(|rd| rd.blocked_senders()).unwrap().into_iter().map(|b| b.email).collect();
    assert_eq!(all, ["a@example.org", "spam@example.org"]);
    assert!(store.write(|tx| tx.unblock_sender("spam@example.org")).unwrap());
    assert!(!store.write(|tx| tx.unblock_sender("spam@example.org")).unwrap());
    assert_eq!(store.read(|rd| rd.blocked_sender("spam@example.org")).unwrap(), None);
}

/// Shipped templates are seeded and refreshed until the officer edits one; the outbox queues, claims once,
/// finishes, keeps a delivered message's copy in its place and tracks the Sent folder's copy.
pub(crate) fn templates_and_the_outbox(e: &dyn Engine) {
    use crate::store::{DefaultTemplate, OutboxItem, TemplateRow};
    let store = e.fresh();
    let shipped = |body: &str| DefaultTemplate {
        stage: "acknowledgement".into(),
        kind: "*".into(),
        lang: "xx".into(),
        subject: "We received it".into(),
        body: body.into(),
    };
    store.write(|tx| tx.seed_templates(&[shipped("v1")], AT)).unwrap();
    store.write(|tx| tx.seed_templates(&[shipped("v2")], "2026-03-03T00:00:00Z")).unwrap();
    let t = store.read(|rd| rd.template("acknowledgement", "*", "xx")).unwrap().unwrap();
    assert_eq!((t.body.as_str(), t.is_default, t.updated_at.as_str()), ("v2", true, "2026-03-03T00:00:00Z"));
    let edited = TemplateRow { body: "ours".into(), updated_at: AT.into(), actor: "officer".into(), ..t };
    store.write(|tx| tx.save_template(&edited)).unwrap();
    store.write(|tx| tx.seed_templates(&[shipped("v3")], AT)).unwrap();
    let kept = store.read(|rd| rd.template("acknowledgement", "*", "xx")).unwrap().unwrap();
    assert_eq!((kept.body.as_str(), kept.is_default), ("ours", false), "an edited template stays the officer's");
    assert!(store.read(|rd| rd.templates()).unwrap().contains(&kept));
    assert_eq!(store.read(|rd| rd.template("acknowledgement", "*", "yy")).unwrap(), None);

    let r = add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let item = |id: &str, created: &str| OutboxItem {
        id: id.into(),
        request_id: r.id.to_string(),
        reference: r.reference.clone(),
        message_id: format!("<{id}@rightsdesk>"),
        stage: "acknowledgement".into(),
        lang: "en".into(),
        recipient: "ann@example.org".into(),
        subject: "Your request".into(),
        state: "queued".into(),
        attempts: 0,
        next_attempt_at: created.into(),
        last_error: None,
        created_at: created.into(),
        sent_at: None,
        sent_copy: None,
        sent_copy_error: None,
    };
    store
        .write(|tx| {
            tx.queue_message(&item("m-1", "2026-03-02T10:00:00Z"), b"message one", None)?;
            tx.queue_message(&item("m-2", "2026-03-02T11:00:00Z"), b"with a password", Some(b"without it"))
        })
        .unwrap();
    let later = "2026-03-02T10:30:00Z";
    let ids = |v: Vec<OutboxItem>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(ids(store.read(|rd| rd.due_messages(later, false, 10)).unwrap()), ["m-1"]);
    assert_eq!(ids(store.read(|rd| rd.due_messages(later, true, 10)).unwrap()), ["m-1", "m-2"]);
    assert_eq!(ids(store.read(|rd| rd.outbox(Some(&r.id.to_string()), 10)).unwrap()), ["m-2", "m-1"]);
    assert_eq!(ids(store.read(|rd| rd.outbox(None, 1)).unwrap()), ["m-2"]);
    assert_eq!(store.read(|rd| rd.undelivered()).unwrap(), 2);
    let lease = "2026-03-02T10:45:00Z";
    assert!(store.write(|tx| tx.claim_message("m-1", later, lease)).unwrap());
    assert!(!store.write(|tx| tx.claim_message("m-1", later, lease)).unwrap(), "claimed: not by a second sender");
    assert!(store.read(|rd| rd.due_messages(later, false, 10)).unwrap().is_empty(), "not due while claimed");
    let after = "2026-03-02T11:00:00Z";
    assert_eq!(ids(store.read(|rd| rd.due_messages(after, false, 10)).unwrap()), ["m-1", "m-2"], "the claim ran out");
    assert!(store.write(|tx| tx.claim_message("m-1", after, "2026-03-02T11:15:00Z")).unwrap(), "its sender stopped");
    assert!(store.write(|tx| tx.claim_message("m-2", later, lease)).unwrap());
    store.write(|tx| tx.finish_message("m-2", "sent", later, None, Some(later))).unwrap();
    assert!(!store.write(|tx| tx.claim_message("m-2", after, after)).unwrap(), "a sent message is never claimed again");
    assert_eq!(store.read(|rd| rd.message_kept("m-2")).unwrap().as_deref(), Some(&b"without it"[..]));
    assert!(store.write(|tx| tx.keep_delivered_copy("m-2")).unwrap());
    assert!(!store.write(|tx| tx.keep_delivered_copy("m-2")).unwrap());
    assert_eq!(store.read(|rd| rd.message_eml("m-2")).unwrap(), b"without it");
    assert_eq!(store.read(|rd| rd.message_kept("m-2")).unwrap(), None);
    assert_eq!(store.read(|rd| rd.message_eml("m-1")).unwrap(), b"message one");
    store.write(|tx| tx.set_sent_copy("m-2", "pending", Some("no Sent folder"))).unwrap();
    let pending = store.read(|rd| rd.pending_sent_copies(10)).unwrap();
    assert_eq!((pending[0].id.as_str(), pending[0].sent_copy_error.as_deref()), ("m-2", Some("no Sent folder")));
    let sent = store.read(|rd| rd.outbox_item("m-2")).unwrap().unwrap();
    assert_eq!((sent.state.as_str(), sent.attempts, sent.sent_at.as_deref()), ("sent", 1, Some(later)));
    assert_eq!(store.read(|rd| rd.undelivered()).unwrap(), 1);
    assert_eq!(store.read(|rd| rd.outbox_item("m-1")).unwrap().unwrap().attempts, 2);
    assert_eq!(store.read(|rd| rd.outbox_item("nope")).unwrap(), None);
    let twice = store.write(|tx| {
        tx.queue_message(&item("m-3", later), b"x", None).and(tx.queue_message(&item("m-3", later), b"x", None))
    });
    assert!(matches!(twice, Err(Error::Constraint(_))), "{twice:?}");
}

/// Messages taken from the mailbox: each UID once, the tray and a request's messages, what is left to mark on the
/// server, replies threaded to their request, set-aside messages forgotten after retention.
pub(crate) fn the_mailbox_keeps_what_it_took(e: &dyn Engine) {
    use crate::store::MailMessage;
    let store = e.fresh();
    let r = add(&store, sample("Ann", "ann@example.org", RequestKind::Access, Status::Received, date!(2026 - 03 - 01)));
    let message = |id: &str, uid: u32, received: &str| MailMessage {
        id: id.into(),
        folder: "INBOX".into(),
        uidvalidity: 7,
        uid,
        message_id: Some(format!("{id}@mail.example.org")),
        in_reply_to: None,
        references: vec!["a@x".into(), "b@x".into()],
        sender: "ann@example.org".into(),
        sender_name: "Ann".into(),
        subject: "My data".into(),
        received_at: received.into(),
        size: 1234,
        sha256: "ef".repeat(32),
        stored_name: format!("mailbox/{id}"),
        kind_guess: Some("access".into()),
        lang_guess: Some("en".into()),
        attachments: vec!["id.pdf".into()],
        problem: None,
        state: "tray".into(),
        request_id: None,
        reference: None,
        reason: None,
        taken_at: AT.into(),
        decided_at: None,
        decided_by: None,
        done_on_server: false,
    };
    store
        .write(|tx| {
            tx.insert_mail_message(&message("m1", 3, "2026-03-01T08:00:00Z"))?;
            tx.insert_mail_message(&message("m2", 5, "2026-03-01T09:00:00Z"))?;
            tx.queue_message(
                &crate::store::OutboxItem {
                    id: "o-1".into(),
                    request_id: r.id.to_string(),
                    reference: r.reference.clone(),
                    message_id: "<ours@rightsdesk>".into(),
                    stage: "acknowledgement".into(),
                    lang: "en".into(),
                    recipient: "ann@example.org".into(),
                    subject: "s".into(),
                    state: "queued".into(),
                    attempts: 0,
                    next_attempt_at: AT.into(),
                    last_error: None,
                    created_at: AT.into(),
                    sent_at: None,
                    sent_copy: None,
                    sent_copy_error: None,
                },
                b"x",
                None,
            )
        })
        .unwrap();
    let again = store.write(|tx| tx.insert_mail_message(&message("m3", 5, AT)));
    assert!(matches!(again, Err(Error::Constraint(_))), "a UID is taken once: {again:?}");
    assert_eq!(store.read(|rd| rd.mail_message("m1")).unwrap(), Some(message("m1", 3, "2026-03-01T08:00:00Z")));
    assert_eq!(store.read(|rd| rd.mail_last_uid("INBOX", 7)).unwrap(), 5);
    assert_eq!(store.read(|rd| rd.mail_last_uid("INBOX", 8)).unwrap(), 0, "a new UIDVALIDITY starts again");
    assert!(store.read(|rd| rd.mail_taken("INBOX", 7, 3)).unwrap());
    assert!(!store.read(|rd| rd.mail_taken("INBOX", 7, 4)).unwrap());
    assert_eq!(store.read(|rd| rd.mail_not_done("INBOX", 7)).unwrap(), [("m1".to_string(), 3), ("m2".to_string(), 5)]);
    store.write(|tx| tx.mark_mail_done("m1")).unwrap();
    assert_eq!(store.read(|rd| rd.mail_not_done("INBOX", 7)).unwrap(), [("m2".to_string(), 5)]);
    let id = r.id.to_string();
    store.write(|tx| tx.decide_mail("m1", "accepted", Some(&id), None, AT, "officer")).unwrap();
    store.write(|tx| tx.decide_mail("m2", "spam", None, Some("advert"), "2026-03-01T00:00:00Z", "officer")).unwrap();
    let m1 = store.read(|rd| rd.mail_message("m1")).unwrap().unwrap();
    assert_eq!(
        (m1.state.as_str(), m1.reference.as_deref(), m1.stored_name.as_str()),
        ("accepted", Some(r.reference.as_str()), "")
    );
    let of_request: Vec<String> =
        store.read(|rd| rd.mail_messages(None, Some(&id), 10)).unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(of_request, ["m1"]);
    let all: Vec<String> =
        store.read(|rd| rd.mail_messages(None, None, 10)).unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(all, ["m2", "m1"], "newest first");
    assert_eq!(store.read(|rd| rd.mail_count("spam")).unwrap(), 1);
    assert_eq!(store.read(|rd| rd.mail_count("tray")).unwrap(), 0);
    let thread = |ids: &[&str]| {
        store.read(|rd| rd.request_of_message_ids(&ids.iter().map(|s| s.to_string()).collect::<Vec<_>>())).unwrap()
    };
    assert_eq!(thread(&["<ours@rightsdesk>"]), Some(id.clone()), "a reply to what we sent");
    assert_eq!(thread(&["", "unknown@x", "<m1@mail.example.org>"]), Some(id.clone()), "a message given to the request");
    assert_eq!(thread(&["m2@mail.example.org"]), None, "set aside: no request");
    assert_eq!(store.write(|tx| tx.forget_set_aside_mail("2026-03-02T00:00:00Z")).unwrap(), 1);
    assert_eq!(store.write(|tx| tx.forget_set_aside_mail("2026-03-02T00:00:00Z")).unwrap(), 0);
    let forgotten = store.read(|rd| rd.mail_message("m2")).unwrap().unwrap();
    assert_eq!((forgotten.sender.as_str(), forgotten.subject.as_str(), forgotten.uid), ("", "", 5));
}

/// Import runs newest first; the calendar's declarations, the latest for a day deciding whether it is in force.
pub(crate) fn imports_and_calendar_days_are_kept(e: &dyn Engine) {
    use crate::store::ImportRecord;
    let store = e.fresh();
    let run = |id: &str, at: &str| ImportRecord {
        id: id.into(),
        file_name: "backlog.csv".into(),
        sha256: "01".repeat(32),
        at: at.into(),
        actor: "officer".into(),
        rows: 10,
        imported: 7,
        duplicates: 2,
        errors: 1,
    };
    store
        .write(|tx| {
            tx.record_import(&run("i-1", "2026-03-01T00:00:00Z"))?;
            tx.record_import(&run("i-2", "2026-03-02T00:00:00Z"))
        })
        .unwrap();
    assert_eq!(
        store.read(|rd| rd.imports(10)).unwrap(),
        vec![run("i-2", "2026-03-02T00:00:00Z"), run("i-1", "2026-03-01T00:00:00Z")]
    );
    assert_eq!(store.read(|rd| rd.imports(1)).unwrap().len(), 1);
    store
        .write(|tx| {
            tx.log_calendar_day("GB-ENG", date!(2026 - 04 - 10), "Closure", true, None, AT, "officer")?;
            tx.log_calendar_day("GB-ENG", date!(2026 - 04 - 13), "Move", true, None, AT, "officer")?;
            tx.log_calendar_day("GB-ENG", date!(2026 - 04 - 13), "Move", false, Some("mistake"), AT, "officer")?;
            tx.log_calendar_day("FR", date!(2026 - 05 - 02), "Pont", true, None, AT, "officer")
        })
        .unwrap();
    let days: Vec<(String, time::Date)> =
        store.read(|rd| rd.calendar_days()).unwrap().into_iter().map(|d| (d.calendar, d.day)).collect();
    assert_eq!(days, [("FR".to_string(), date!(2026 - 05 - 02)), ("GB-ENG".to_string(), date!(2026 - 04 - 10))]);
    let by_code = store.read(|rd| rd.calendar_days_by_code()).unwrap();
    assert_eq!(by_code["GB-ENG"], vec![(date!(2026 - 04 - 10), "Closure".to_string())]);
}

/// Expand the contract into one `#[test]` per case for an engine: `store_contract!(module, engine_expression);`.
macro_rules! store_contract {
    ($module:ident, $engine:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            store_contract!(@cases $engine;
                a_write_is_all_or_nothing,
                a_request_round_trips,
                the_queue_pages_filters_sorts_and_searches,
                the_queue_pages_by_cursor_in_every_sort,
                events_append_in_order_on_a_chain_that_verifies,
                a_purge_keeps_the_chain_whole,
                an_attachment_is_removed_from_its_own_request_only,
                the_log_facts_are_what_the_events_establish,
                settings_are_kept,
                the_dashboard_counts,
                a_streaming_scan_visits_every_row,
                a_read_only_register_refuses_writes,
                a_broken_rule_is_a_constraint_error,
                a_bulk_reads_and_writes_like_row_by_row,
                a_requests_parts_round_trip,
                requesters_links_and_blocked_senders,
                templates_and_the_outbox,
                the_mailbox_keeps_what_it_took,
                imports_and_calendar_days_are_kept,
            );
        }
    };
    (@cases $engine:expr; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                super::$case(&$engine);
            }
        )*
    };
}

/// SQLite: each register a file in its own temporary folder, kept as long as the engine value.
struct SqliteFiles(tempfile::TempDir);

impl SqliteFiles {
    fn new() -> SqliteFiles {
        SqliteFiles(tempfile::tempdir().unwrap())
    }
}

impl Engine for SqliteFiles {
    fn fresh(&self) -> Store {
        let path = self.0.path().join(format!("{}.sqlite3", Uuid::new_v4().simple()));
        Store::open(&path, AT, None).unwrap()
    }

    fn read_only(&self, store: &Store) -> Store {
        // Tests may run as root, whom file modes do not stop: the engine is asked for what `Store::open` chooses for
        // a file its user cannot write.
        Store::new(Box::new(super::sqlite::Sqlite::open_read_only(store.backend().path()).unwrap()))
    }
}

store_contract!(sqlite, SqliteFiles::new());
store_contract!(postgres, crate::store::postgres::testing::PostgresEngine);

/// SQLite walks the order's index when many rows match and sorts the matches when few do (`store/queue.rs`): with
/// the line between the two moved down to two rows, the same pages come out of the walk.
#[test]
fn sqlite_pages_the_same_when_it_walks_the_order_index() {
    super::queue::PLAN_LINE.with(|line| line.set(2));
    the_queue_pages_by_cursor_in_every_sort(&SqliteFiles::new());
    the_queue_pages_filters_sorts_and_searches(&SqliteFiles::new());
}

#[test]
fn the_sqlite_engine_is_a_backend_object() {
    fn assert_backend(_: &dyn Backend) {}
    let engine = SqliteFiles::new();
    assert_backend(engine.fresh().backend());
}
