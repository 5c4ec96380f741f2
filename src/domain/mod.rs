//! The domain model: what a request is, its kinds, channels and lifecycle. No I/O here.

pub mod art15;
pub mod event;
mod identity;
mod lifecycle;
mod request;

pub use art15::{Art15Field, Article15Info};
pub use identity::{
    Agent, CheckOutcome, Evidence, IdentityCheck, Party, VerificationLevel, VerificationMethod, VerificationPolicy,
    policy as verification_policy, verified_on,
};
pub use lifecycle::{RefusalCategory, Status, Transition};
pub use request::{ClockFacts, Dates, PauseReason, PauseRecord, Request, Requester};

use serde::{Deserialize, Serialize};

macro_rules! id_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $id:literal : $label:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        $(#[$m])*
        pub enum $name { $(#[serde(rename = $id)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in the CLI, imports, exports and the database.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// Words for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(id: &str) -> Option<$name> {
                match id { $($id => Some($name::$variant),)+ _ => None }
            }

            pub fn ids() -> String {
                Self::ALL.iter().map(|v| v.id()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}
pub(crate) use id_enum;

id_enum! {
    /// What the requester asked for, in the words of a privacy notice (deadline-contract.md, request kinds).
    RequestKind {
        Access = "access": "Access",
        Rectification = "rectification": "Rectification",
        Erasure = "erasure": "Erasure",
        Portability = "portability": "Portability",
        Restriction = "restriction": "Restriction",
        Objection = "objection": "Objection",
        OptOutSaleSharing = "opt-out-sale-sharing": "Opt-out of sale/sharing",
        OptOutMarketing = "opt-out-marketing": "Opt-out of direct marketing",
        OptOutProfiling = "opt-out-profiling": "Opt-out of profiling",
        LimitSensitive = "limit-sensitive": "Limit use of sensitive data",
        Appeal = "appeal": "Appeal",
    }
}

id_enum! {
    /// How the request reached the organisation.
    // The container name only names the type (Tauri reserves "Channel"); values are unaffected.
    #[serde(rename = "IntakeChannel")]
    Channel {
        Email = "email": "Email",
        WebForm = "web-form": "Web form",
        Letter = "letter": "Letter",
        Phone = "phone": "Phone",
        InPerson = "in-person": "In person",
    }
}
