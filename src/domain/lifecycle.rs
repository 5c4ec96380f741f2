//! The lifecycle of a request as an explicit state machine. The legal clock is kept apart (src/deadline): a
//! status says where the work is, events say what happened to the clock.

use serde::{Deserialize, Serialize};

use super::id_enum;

id_enum! {
    Status {
        Received = "received": "Received",
        AwaitingIdentity = "awaiting-identity": "Awaiting identity",
        InProgress = "in-progress": "In progress",
        OnHold = "on-hold": "On hold",
        Fulfilled = "fulfilled": "Fulfilled",
        PartiallyFulfilled = "partially-fulfilled": "Partially fulfilled",
        Refused = "refused": "Refused",
        Withdrawn = "withdrawn": "Withdrawn",
        Duplicate = "duplicate": "Duplicate",
        Spam = "spam": "Spam",
        Closed = "closed": "Closed",
    }
}

id_enum! {
    /// Why a request was refused, wholly or in part. Each needs a written explanation; an exemption also names its
    /// legal basis.
    RefusalCategory {
        ManifestlyUnfounded = "manifestly-unfounded": "Manifestly unfounded",
        Excessive = "excessive": "Excessive or repetitive",
        IdentityNotVerified = "identity-not-verified": "Identity not verified",
        Exemption = "exemption": "Exemption (with its legal basis)",
        ThirdPartyRights = "third-party-rights": "Rights and freedoms of others",
        NoDataHeld = "no-data-held": "No personal data held",
        NotCovered = "not-covered": "Not covered by the law",
        Other = "other": "Other",
    }
}

/// A permitted move, whether it needs a written reason, and whether it can be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Transition {
    pub to: Status,
    pub reason_required: bool,
    /// No way leads back to an open status from `to` (an answer, a refusal, a withdrawal, the close): the window
    /// asks before such a move and says what cannot be undone.
    pub irreversible: bool,
}

impl Transition {
    const fn new(to: Status, reason_required: bool) -> Transition {
        use Status::*;
        let irreversible = matches!(to, Fulfilled | PartiallyFulfilled | Refused | Withdrawn | Closed);
        Transition { to, reason_required, irreversible }
    }
}

impl Status {
    /// Set aside rather than answered: kept and audited, but out of the queue and the metrics.
    pub fn is_set_aside(self) -> bool {
        matches!(self, Status::Duplicate | Status::Spam)
    }

    /// Every status this one may move to (a duplicate is reached only by merging it into another request). Outcomes (fulfilled, partially fulfilled, refused, withdrawn) can only be
    /// closed; a closed request is final (reopening is a new request, so the record of the first stays true).
    pub fn next(self) -> &'static [Transition] {
        use Status::*;
        // Each list a constant, so `Transition::new` (a const fn) runs at compile time and the lists are 'static.
        macro_rules! moves {
            ($(($to:ident, $reason:literal)),* $(,)?) => {{
                const MOVES: &[Transition] = &[$(Transition::new($to, $reason)),*];
                MOVES
            }};
        }
        match self {
            Received => moves![
                (AwaitingIdentity, false),
                (InProgress, false),
                (OnHold, true),
                (Refused, true),
                (Withdrawn, false),
                (Spam, true),
            ],
            AwaitingIdentity => {
                moves![(InProgress, false), (OnHold, true), (Refused, true), (Withdrawn, false), (Spam, true)]
            }
            InProgress => moves![
                (OnHold, true),
                (AwaitingIdentity, false),
                (Fulfilled, false),
                (PartiallyFulfilled, true),
                (Refused, true),
                (Withdrawn, false),
            ],
            OnHold => moves![(InProgress, false), (Refused, true), (Withdrawn, false), (Spam, true)],
            Fulfilled | PartiallyFulfilled | Refused | Withdrawn => moves![(Closed, false)],
            // Both can be taken back (a request wrongly set aside goes back to the start), with a reason.
            Duplicate => moves![(Received, true), (Closed, false)],
            Spam => moves![(Received, true)],
            Closed => moves![],
        }
    }

    pub fn transition(self, to: Status) -> Option<Transition> {
        self.next().iter().copied().find(|t| t.to == to)
    }

    /// Still being worked on: counts in the queue, the dashboard and deadline reminders.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Fulfilled
                | Status::PartiallyFulfilled
                | Status::Refused
                | Status::Withdrawn
                | Status::Duplicate
                | Status::Spam
                | Status::Closed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_reachable_and_closed_is_final() {
        let mut reached = vec![Status::Received];
        let mut i = 0;
        while i < reached.len() {
            for t in reached[i].next() {
                if !reached.contains(&t.to) {
                    reached.push(t.to);
                }
            }
            i += 1;
        }
        // Duplicate is reached by merging (Desk::merge_duplicate), not by a plain move.
        assert_eq!(reached.len(), Status::ALL.len() - 1);
        assert!(!reached.contains(&Status::Duplicate));
        assert!(Status::Closed.next().is_empty());
        assert!(Status::Received.transition(Status::Refused).unwrap().reason_required);
        assert!(Status::Received.transition(Status::Closed).is_none());
    }

    /// A move is irreversible exactly when no way leads from where it goes back to an open status.
    #[test]
    fn a_move_is_irreversible_when_nothing_leads_back_to_work() {
        fn leads_back(from: Status, seen: &mut Vec<Status>) -> bool {
            seen.push(from);
            from.next().iter().any(|t| t.to.is_open() || (!seen.contains(&t.to) && leads_back(t.to, seen)))
        }
        for from in Status::ALL {
            for t in from.next() {
                assert_eq!(t.irreversible, !leads_back(t.to, &mut vec![]), "{from:?} → {:?}", t.to);
            }
        }
        assert!(Status::InProgress.transition(Status::Withdrawn).unwrap().irreversible);
        assert!(!Status::Received.transition(Status::Spam).unwrap().irreversible, "spam can be taken back");
    }
}
