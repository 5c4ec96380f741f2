//! What to do next on a request, for the top of its page (issue 19: the page leads with the next step instead of
//! leaving the officer to find it among the cards). Pure: from the request, its events, its identity and checklist,
//! and today.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates;
use crate::domain::{RefusalCategory, Request, Status};
use crate::store::{ChecklistItem, Event};

/// The next step: what the page says first, and what it points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NextStep {
    /// `acknowledge`, `start`, `wait-identity`, `close-unverified`, `resume`, `checklist`, `answer`, `send-answer`,
    /// `close`, `none`.
    pub kind: String,
    /// The sentence the page leads with.
    pub says: String,
    /// The answer's template it calls for (the Responses card's suggestion), if any.
    pub stage: Option<String>,
    /// The status move it calls for (a button of the Actions card), if any.
    pub move_to: Option<Status>,
    /// Late: a deadline or the acknowledgement's day has passed.
    pub urgent: bool,
}

fn step(kind: &str, says: String, stage: Option<&str>, move_to: Option<Status>, urgent: bool) -> NextStep {
    NextStep { kind: kind.into(), says, stage: stage.map(str::to_string), move_to, urgent }
}

/// Whether a message or letter of `stage` went to the requester (queued, sent, or written as a letter).
fn answered_with(events: &[Event], stage: &str) -> bool {
    events.iter().any(|e| match e.kind.as_str() {
        "response_queued" | "response_sent" => e.data["stage"] == stage,
        "data_copy_sent" => stage == "fulfilment",
        "attachment_added" => e.data["file_name"].as_str().is_some_and(|n| super::responses::is_letter_of(n, stage)),
        _ => false,
    })
}

/// The answer a request in a final status owes the requester: its template's stage.
fn answer_stage(r: &Request) -> Option<&'static str> {
    Some(match r.status {
        Status::Fulfilled => "fulfilment",
        Status::PartiallyFulfilled => "partial",
        Status::Refused if r.refusal_category == Some(RefusalCategory::IdentityNotVerified) => "unverified",
        Status::Refused => "refusal",
        Status::Withdrawn => "withdrawal",
        _ => return None,
    })
}

/// "in 3 days", "today", "3 days ago".
fn when(day: Date, today: Date) -> String {
    let n = (day - today).whole_days();
    match n {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        n if n > 0 => format!("in {n} days"),
        n => format!("{} days ago", -n),
    }
}

/// The next step on `r` today. `unverified_since`: the day the unverified period passed, if it has.
pub fn next_step(
    r: &Request,
    events: &[Event],
    checklist: &[ChecklistItem],
    unverified_since: Option<Date>,
    today: Date,
) -> NextStep {
    if r.purged_at.is_some() {
        return step(
            "none",
            "Purged at the end of the retention period: nothing more to do.".into(),
            None,
            None,
            false,
        );
    }
    if let Some(stage) = answer_stage(r) {
        return if answered_with(events, stage) {
            step(
                "close",
                "The answer has gone to the requester: close the request.".into(),
                None,
                Some(Status::Closed),
                false,
            )
        } else {
            step(
                "send-answer",
                "Send the requester the answer, with what the law requires it to say.".into(),
                Some(stage),
                None,
                false,
            )
        };
    }
    let due = r.dates.effective_due;
    let late = due.is_some_and(|d| d < today);
    // An acknowledgement the regime requires is owed whatever the work's state (CCPA: 10 business days).
    if let Some(by) = r.dates.acknowledge_by
        && r.status.is_open()
        && !answered_with(events, "acknowledgement")
    {
        let says = format!("Acknowledge the request by {} ({}).", dates::fmt(by), when(by, today));
        return step("acknowledge", says, Some("acknowledgement"), None, by < today || late);
    }
    match r.status {
        Status::Closed => step("none", "Closed: nothing more to do.".into(), None, None, false),
        Status::Spam | Status::Duplicate => step(
            "none",
            "Set aside: nothing to do, unless it was set aside by mistake (take it back with a reason).".into(),
            None,
            None,
            false,
        ),
        Status::Received if !answered_with(events, "acknowledgement") => step(
            "acknowledge",
            "Acknowledge the request, then start the work.".into(),
            Some("acknowledgement"),
            None,
            late,
        ),
        Status::Received => step(
            "start",
            "Acknowledged: start the work (or ask for identity if in reasonable doubt).".into(),
            None,
            Some(Status::InProgress),
            late,
        ),
        Status::AwaitingIdentity => match unverified_since {
            Some(d) => step(
                "close-unverified",
                format!("Identity not established since {}: close it as unverified.", dates::fmt(d)),
                None,
                None,
                true,
            ),
            None => step(
                "wait-identity",
                match r.identity_requested_on {
                    Some(d) => format!(
                        "Waiting for the requester's identity (asked on {}): record the check when it comes.",
                        dates::fmt(d)
                    ),
                    None => "Waiting for the requester's identity: record the check when it comes.".into(),
                },
                None,
                None,
                late,
            ),
        },
        Status::OnHold => step(
            "resume",
            "On hold: resume the work when what it waits for has come.".into(),
            None,
            Some(Status::InProgress),
            late,
        ),
        _ => {
            let open_lines = checklist.iter().filter(|i| i.state == "open").count();
            let due_words = match due {
                Some(d) if d < today => format!("Overdue since {} ({}): ", dates::fmt(d), when(d, today)),
                Some(d) => format!("Due {} ({}): ", dates::fmt(d), when(d, today)),
                None => String::new(),
            };
            if open_lines > 0 {
                let systems = if open_lines == 1 { "1 system" } else { &format!("{open_lines} systems") };
                step(
                    "checklist",
                    format!("{due_words}finish the checklist ({systems} left), then answer."),
                    None,
                    None,
                    late,
                )
            } else {
                step("answer", format!("{due_words}answer the request."), None, None, late)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RequestKind;
    use crate::store::contract::sample;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 10);

    fn event(kind: &str, data: serde_json::Value) -> Event {
        Event {
            seq: 1,
            id: String::new(),
            request_id: String::new(),
            at: String::new(),
            actor: String::new(),
            kind: kind.into(),
            data,
            hash: String::new(),
        }
    }

    fn request(status: Status, due: Date) -> Request {
        let mut r = sample("Ann", "ann@example.org", RequestKind::Access, status, date!(2026 - 02 - 10));
        r.dates.effective_due = Some(due);
        r.dates.acknowledge_by = None;
        r
    }

    #[test]
    fn a_new_request_is_acknowledged_first_and_late_when_its_day_passed() {
        let mut r = request(Status::Received, date!(2026 - 03 - 30));
        r.dates.acknowledge_by = Some(date!(2026 - 03 - 09));
        let s = next_step(&r, &[], &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.stage.as_deref(), s.urgent), ("acknowledge", Some("acknowledgement"), true));
        assert!(s.says.contains("2026-03-09") && s.says.contains("yesterday"), "{}", s.says);
        let sent = [event("response_queued", serde_json::json!({"stage": "acknowledgement"}))];
        let s = next_step(&r, &sent, &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.move_to, s.stage), ("start", Some(Status::InProgress), None));
    }

    #[test]
    fn a_closed_or_answered_request_is_never_told_to_acknowledge() {
        let closed = request(Status::Closed, date!(2025 - 03 - 01));
        let s = next_step(&closed, &[], &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.stage, s.urgent), ("none", None, false));
        let fulfilled = request(Status::Fulfilled, date!(2025 - 03 - 01));
        let s = next_step(&fulfilled, &[], &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.stage.as_deref()), ("send-answer", Some("fulfilment")));
        let copy = [event("data_copy_sent", serde_json::json!({"how": "attached"}))];
        let s = next_step(&fulfilled, &copy, &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.move_to), ("close", Some(Status::Closed)));
        let mut refused = request(Status::Refused, date!(2025 - 03 - 01));
        refused.refusal_category = Some(RefusalCategory::IdentityNotVerified);
        let letter = [event("attachment_added", serde_json::json!({"file_name": "RD-2026-0001-unverified-en.pdf"}))];
        assert_eq!(next_step(&refused, &letter, &[], None, TODAY).kind, "close", "a letter is an answer too");
    }

    #[test]
    fn an_acknowledgement_the_law_requires_is_owed_while_the_work_goes_on() {
        let mut r = request(Status::InProgress, date!(2026 - 04 - 20));
        r.dates.acknowledge_by = Some(date!(2026 - 03 - 12));
        let s = next_step(&r, &[], &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.urgent), ("acknowledge", false));
        assert!(s.says.contains("in 2 days"), "{}", s.says);
        let letter =
            [event("attachment_added", serde_json::json!({"file_name": "RD-2026-0001-acknowledgement-en.pdf"}))];
        assert_eq!(next_step(&r, &letter, &[], None, TODAY).kind, "answer");
    }

    #[test]
    fn work_in_progress_says_how_late_it_is_and_what_is_left() {
        let r = request(Status::InProgress, date!(2025 - 03 - 07));
        let s = next_step(&r, &[], &[], None, TODAY);
        assert_eq!((s.kind.as_str(), s.urgent), ("answer", true));
        assert!(s.says.starts_with("Overdue since 2025-03-07 (368 days ago)"), "{}", s.says);
        let line = |state: &str| ChecklistItem {
            id: String::new(),
            system_id: String::new(),
            system_name: "CRM".into(),
            is_backup: false,
            action: "erase".into(),
            state: state.into(),
            note: None,
            proof_id: None,
            done_by: None,
            done_at: None,
            assignee: None,
        };
        let s = next_step(&r, &[], &[line("done"), line("open"), line("open")], None, TODAY);
        assert_eq!(s.kind, "checklist");
        assert!(s.says.contains("2 systems left"), "{}", s.says);
        let waiting = request(Status::AwaitingIdentity, date!(2026 - 04 - 10));
        assert_eq!(next_step(&waiting, &[], &[], None, TODAY).kind, "wait-identity");
        let s = next_step(&waiting, &[], &[], Some(date!(2026 - 03 - 01)), TODAY);
        assert_eq!((s.kind.as_str(), s.urgent), ("close-unverified", true));
    }
}
