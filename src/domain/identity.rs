//! Identity verification: what the law asks for per regime and request kind, how a check was made, and who acts for
//! whom. Pure data and rules; the checks themselves are recorded by `desk::identity`.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{RequestKind, id_enum};
use crate::dates::iso;

id_enum! {
    /// How sure the organisation must be of the requester's identity before acting.
    VerificationLevel {
        NotRequired = "not-required": "Not required",
        Proportionate = "proportionate": "Only where there is reasonable doubt",
        Reasonable = "reasonable": "Reasonable degree of certainty",
        ReasonablyHigh = "reasonably-high": "Reasonably high degree of certainty",
    }
}

id_enum! {
    VerificationMethod {
        EmailCode = "email-code": "Email code or link",
        AccountMatch = "account-match": "Match against account data",
        IdDocument = "id-document": "ID document seen",
        SignedLetter = "signed-letter": "Signed letter",
        InPerson = "in-person": "In person",
        AuthorisedAgent = "authorised-agent": "Authorised agent with signed authority",
        ParentalAuthority = "parental-authority": "Parental authority",
    }
}

id_enum! {
    CheckOutcome {
        Verified = "verified": "Verified",
        Failed = "failed": "Failed",
        NotRequired = "not-required": "Not required",
    }
}

id_enum! {
    /// Whose identity (or authority) a check is about.
    Party {
        Requester = "requester": "The data subject",
        Agent = "agent": "The authorised agent",
    }
}

/// What the law expects for one request: the level, what it means in practice, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VerificationPolicy {
    pub level: VerificationLevel,
    pub level_label: String,
    pub guidance: String,
    pub citation: String,
    /// Methods that fit the level, the least intrusive first.
    pub suggested: Vec<VerificationMethod>,
}

/// A person acting for the data subject, and the written authority they showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Agent {
    pub name: String,
    pub email: Option<String>,
    /// What the authority is (e.g. "signed power of attorney dated 2026-10-01").
    pub authority: String,
}

/// A file seen during a check. Once purged, the file is gone but its name, size and SHA-256 stay on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    pub id: String,
    pub check_id: String,
    pub file_name: String,
    /// Path relative to the managed evidence folder.
    pub stored_name: String,
    pub sha256: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub size: i64,
    pub added_at: String,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[serde(with = "iso::option")]
    pub purged_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IdentityCheck {
    pub id: String,
    pub party: Party,
    pub method: VerificationMethod,
    pub outcome: CheckOutcome,
    #[cfg_attr(feature = "specta", specta(type = String))]
    #[serde(with = "iso")]
    pub checked_on: Date,
    pub note: Option<String>,
    pub recorded_at: String,
    pub actor: String,
    pub evidence: Vec<Evidence>,
}

/// The identity is established when the data subject is verified and, where an agent acts for them, the agent's
/// authority is verified too. Returns the day the last of those was verified.
pub fn verified_on(checks: &[IdentityCheck], has_agent: bool) -> Option<Date> {
    let latest = |party: Party| {
        checks.iter().filter(|c| c.party == party && c.outcome == CheckOutcome::Verified).map(|c| c.checked_on).max()
    };
    let subject = latest(Party::Requester)?;
    if has_agent { latest(Party::Agent).map(|agent| agent.max(subject)) } else { Some(subject) }
}

/// The verification the law expects for a kind of request under a regime (law.md: GDPR Art 12(6) and Recital 64,
/// EDPB Guidelines 01/2022; CCPA regs §7060–7063, §7026, §7027; the Virginia/Colorado/Connecticut acts).
pub fn policy(regime: &str, kind: RequestKind) -> VerificationPolicy {
    use RequestKind::*;
    use VerificationLevel as L;
    use VerificationMethod as M;
    let p = |level: VerificationLevel, guidance: &str, citation: &str, suggested: &[VerificationMethod]| {
        VerificationPolicy {
            level,
            level_label: level.label().into(),
            guidance: guidance.into(),
            citation: citation.into(),
            suggested: suggested.to_vec(),
        }
    };
    let opt_out = matches!(kind, OptOutSaleSharing | OptOutMarketing | OptOutProfiling | LimitSensitive);
    match regime {
        "us-ca-ccpa" if matches!(kind, OptOutSaleSharing | LimitSensitive) => p(
            L::NotRequired,
            "Opt-out and limit requests need no verification; ask only for what is needed to find the consumer's records.",
            "CCPA regs §7026(d), §7027",
            &[],
        ),
        "us-ca-ccpa" if matches!(kind, Access | Portability) => p(
            L::ReasonablyHigh,
            "Specific pieces of information: match at least three data points you hold, plus a signed declaration under \
             penalty of perjury. If that is not possible, answer as a request for categories (reasonable degree).",
            "CCPA regs §7062(c)",
            &[M::AccountMatch, M::SignedLetter, M::AuthorisedAgent],
        ),
        "us-ca-ccpa" => p(
            L::Reasonable,
            "Match at least two data points you hold. For deletion of sensitive data, or where the harm of a wrong \
             answer is high, require a reasonably high degree. Do not collect new data beyond what verification needs, \
             and delete what you collect as soon as practical.",
            "CCPA regs §7060, §7062(b) and (d)",
            &[M::AccountMatch, M::EmailCode, M::AuthorisedAgent],
        ),
        "us-va-vcdpa" | "us-co-cpa" | "us-ct-ctdpa" if opt_out => p(
            L::NotRequired,
            "Opt-out requests need not be authenticated; ask only for what is needed to act on them.",
            "Va. Code §59.1-577; C.R.S. §6-1-1306; Conn. Gen. Stat. §42-518",
            &[],
        ),
        "us-va-vcdpa" | "us-co-cpa" | "us-ct-ctdpa" => p(
            L::Reasonable,
            "Authenticate the request with commercially reasonable effort, using data you already hold.",
            "Va. Code §59.1-577; C.R.S. §6-1-1306; Conn. Gen. Stat. §42-518",
            &[M::AccountMatch, M::EmailCode, M::AuthorisedAgent],
        ),
        "uk-gdpr" => p(
            L::Proportionate,
            "Ask for identity only where you have reasonable doubt, and only for what confirms it; use what you already \
             hold. The clock starts when you receive the information you asked for.",
            "UK GDPR Art 12(6), Art 12A; ICO right of access guidance",
            &[M::AccountMatch, M::EmailCode, M::SignedLetter, M::IdDocument],
        ),
        _ => p(
            L::Proportionate,
            "Ask for identity only where you have reasonable doubt, and only for what confirms it; use what you already \
             hold. Do not ask for a copy of an ID document by default.",
            "GDPR Art 12(6), Recital 64, Art 5(1)(c); EDPB Guidelines 01/2022 on the right of access",
            &[M::AccountMatch, M::EmailCode, M::SignedLetter, M::IdDocument],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(party: Party, outcome: CheckOutcome, day: u8) -> IdentityCheck {
        IdentityCheck {
            id: format!("{party}-{day}"),
            party,
            method: VerificationMethod::AccountMatch,
            outcome,
            checked_on: Date::from_calendar_date(2026, time::Month::March, day).unwrap(),
            note: None,
            recorded_at: String::new(),
            actor: "t".into(),
            evidence: vec![],
        }
    }

    #[test]
    fn an_agent_needs_both_the_subject_and_the_authority_verified() {
        let subject = check(Party::Requester, CheckOutcome::Verified, 3);
        let agent = check(Party::Agent, CheckOutcome::Verified, 9);
        assert_eq!(verified_on(std::slice::from_ref(&subject), false).map(|d| d.day()), Some(3));
        assert_eq!(verified_on(std::slice::from_ref(&subject), true), None);
        assert_eq!(verified_on(&[subject.clone(), agent], true).map(|d| d.day()), Some(9));
        assert_eq!(verified_on(&[check(Party::Requester, CheckOutcome::Failed, 4)], false), None);
    }

    #[test]
    fn ccpa_levels_follow_the_regulations() {
        assert_eq!(policy("us-ca-ccpa", RequestKind::OptOutSaleSharing).level, VerificationLevel::NotRequired);
        assert_eq!(policy("us-ca-ccpa", RequestKind::Access).level, VerificationLevel::ReasonablyHigh);
        assert_eq!(policy("us-ca-ccpa", RequestKind::Erasure).level, VerificationLevel::Reasonable);
        assert_eq!(policy("eu-gdpr", RequestKind::Access).level, VerificationLevel::Proportionate);
        assert_eq!(policy("us-co-cpa", RequestKind::OptOutProfiling).level, VerificationLevel::NotRequired);
    }
}
