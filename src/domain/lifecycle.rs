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

/// A permitted move, and whether it needs a written reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Transition {
    pub to: Status,
    pub reason_required: bool,
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
        // Struct literals (not a const fn) so the arrays are promoted to 'static.
        macro_rules! t {
            ($to:ident, $reason:literal) => {
                Transition { to: $to, reason_required: $reason }
            };
        }
        match self {
            Received => &[
                t!(AwaitingIdentity, false),
                t!(InProgress, false),
                t!(OnHold, true),
                t!(Refused, true),
                t!(Withdrawn, false),
                t!(Spam, true),
            ],
            AwaitingIdentity => {
                &[t!(InProgress, false), t!(OnHold, true), t!(Refused, true), t!(Withdrawn, false), t!(Spam, true)]
            }
            InProgress => &[
                t!(OnHold, true),
                t!(AwaitingIdentity, false),
                t!(Fulfilled, false),
                t!(PartiallyFulfilled, true),
                t!(Refused, true),
                t!(Withdrawn, false),
            ],
            OnHold => &[t!(InProgress, false), t!(Refused, true), t!(Withdrawn, false), t!(Spam, true)],
            Fulfilled | PartiallyFulfilled | Refused | Withdrawn => &[t!(Closed, false)],
            // Both can be taken back (a request wrongly set aside goes back to the start), with a reason.
            Duplicate => &[t!(Received, true), t!(Closed, false)],
            Spam => &[t!(Received, true)],
            Closed => &[],
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
}
