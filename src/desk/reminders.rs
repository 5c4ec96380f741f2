//! What the officer should be told without opening the window: overdue requests, requests due today or
//! tomorrow, acknowledgements due. The shell turns this into an OS notification.

use serde::{Deserialize, Serialize};

use super::Desk;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reminder {
    pub title: String,
    pub body: String,
}

impl Desk {
    /// `None` when nothing needs attention.
    pub fn reminder(&self) -> Result<Option<Reminder>> {
        let d = self.dashboard_within(1)?;
        let mut parts = Vec::new();
        let plural = |n: u64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
        if d.overdue > 0 {
            parts.push(format!("{} overdue", plural(d.overdue, "request is", "requests are")));
        }
        if d.due_soon > 0 {
            parts.push(format!("{} due today or tomorrow", plural(d.due_soon, "request is", "requests are")));
        }
        if d.acknowledgement_due > 0 {
            parts.push(format!("{} to acknowledge by tomorrow", plural(d.acknowledgement_due, "request", "requests")));
        }
        if parts.is_empty() {
            return Ok(None);
        }
        let title = if d.overdue > 0 { "Rightsdesk: deadlines missed" } else { "Rightsdesk: deadlines coming up" };
        Ok(Some(Reminder { title: title.into(), body: format!("{}.", parts.join("; ")) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::{Clock, NewRequest};

    #[test]
    fn says_what_falls_due_and_nothing_when_all_is_well() {
        let dir = tempfile::tempdir().unwrap();
        let at = |d: &str| Clock::Fixed(crate::dates::parse(d).unwrap().midnight().assume_utc());
        let desk =
            Desk::open(&dir.path().join("r.db"), at("2026-11-02"), &crate::vault::Access::unencrypted()).unwrap();
        assert_eq!(desk.reminder().unwrap(), None);
        desk.add_request(NewRequest {
            kind: "access".into(),
            regime: "us-ca-ccpa".into(),
            received: "2026-11-02".into(),
            name: "A".into(),
            ..NewRequest::default()
        })
        .unwrap();
        drop(desk);
        // 13 Nov: acknowledgement due 16 Nov is not yet within a day; 15 Nov (Sunday): it is.
        let desk =
            Desk::open(&dir.path().join("r.db"), at("2026-11-13"), &crate::vault::Access::unencrypted()).unwrap();
        assert_eq!(desk.reminder().unwrap(), None);
        let desk =
            Desk::open(&dir.path().join("r.db"), at("2026-11-15"), &crate::vault::Access::unencrypted()).unwrap();
        assert_eq!(desk.reminder().unwrap().unwrap().body, "1 request to acknowledge by tomorrow.");
        let desk =
            Desk::open(&dir.path().join("r.db"), at("2026-12-20"), &crate::vault::Access::unencrypted()).unwrap();
        let r = desk.reminder().unwrap().unwrap();
        assert_eq!(r.title, "Rightsdesk: deadlines missed");
        assert!(r.body.starts_with("1 request is overdue"), "{}", r.body);
    }
}
