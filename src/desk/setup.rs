//! The first-run path: what a register still lacks for every feature to work, in the order an officer sets it up.
//! The window shows the steps not done above an empty (or young) queue, each with the place it is done in; the CLI
//! prints them (`rightsdesk setup`).

use serde::Serialize;

use super::Desk;
use crate::error::Result;
use crate::store::Query;

/// One step of setting up a register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetupStep {
    /// Stable id: `organisation`, `art15`, `data-map`, `mail-server`, `first-request`.
    pub id: String,
    pub title: String,
    pub done: bool,
    /// What it is for and where it is done (a place the window links: "Letters… → Organisation").
    pub says: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetupStatus {
    pub steps: Vec<SetupStep>,
    /// Every step is done.
    pub complete: bool,
}

fn step(id: &str, title: &str, done: bool, says: &str) -> SetupStep {
    SetupStep { id: id.into(), title: title.into(), done, says: says.into() }
}

impl Desk {
    pub fn setup_status(&self) -> Result<SetupStatus> {
        let org = self.organisation()?;
        let filled = |s: &str| !s.trim().is_empty();
        let letterhead = [&org.name, &org.address, &org.email, &org.signature].iter().all(|s| filled(s));
        let art15 = org.art15.fields().all(|(field, value)| !field.required || filled(value));
        let systems = self.systems()?.iter().any(|s| s.retired_at.is_none());
        let smtp = filled(&self.smtp_settings()?.host);
        let any_request = self.store.read(|r| r.list(&Query { limit: 1, ..Query::default() }))?.items.len() == 1;
        let steps = vec![
            step(
                "organisation",
                "Your organisation",
                letterhead,
                "Its name, postal address, privacy email and the signature of letters (Letters… → Organisation): \
                 every answer is written in its name.",
            ),
            step(
                "art15",
                "What an access answer must state",
                art15,
                "The purposes, categories of data, recipients, retention, source and automated decisions, Art 15(1) \
                 (Letters… → Organisation): every answer to an access request states them.",
            ),
            step(
                "data-map",
                "The systems that hold personal data",
                systems,
                "Each system, its owner and what it holds (Settings → Data map): every new request gets a checklist \
                 of them, and the copy of the data is gathered from them.",
            ),
            step(
                "mail-server",
                "Your email server",
                smtp,
                "Answers go out by email from your own address (Letters… → Email server); without it they can be \
                 printed as letters.",
            ),
            step(
                "first-request",
                "A first request",
                any_request,
                "Log one as it arrived (+ New request), take it from the privacy mailbox, or import a backlog \
                 (Import…).",
            ),
        ];
        let complete = steps.iter().all(|s| s.done);
        Ok(SetupStatus { steps, complete })
    }
}

#[cfg(test)]
mod tests {
    use crate::desk::test_support::{desk_on, form};

    #[test]
    fn a_new_register_has_every_step_to_do_and_each_is_done_by_its_setting() {
        let (_dir, desk) = desk_on("2026-11-20");
        let status = desk.setup_status().unwrap();
        assert!(!status.complete);
        assert!(status.steps.iter().all(|s| !s.done), "{status:?}");
        desk.add_request(form("access", "eu-gdpr", "2026-11-19")).unwrap();
        let status = desk.setup_status().unwrap();
        let done: Vec<_> = status.steps.iter().filter(|s| s.done).map(|s| s.id.as_str()).collect();
        assert_eq!(done, ["first-request"]);
    }
}
