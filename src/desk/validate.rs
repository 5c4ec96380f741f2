//! Field-by-field validation of what arrives as text from a form, a command line or an import row: the first
//! problem is reported with its field (`Error::Invalid`).

use uuid::Uuid;

use crate::dates;
use crate::domain::{Agent, Channel, ClockFacts, Dates, Request, RequestKind, Requester, Status};
use crate::error::{Error, Result};

use super::{Desk, NewRequest};

pub(crate) fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

pub(crate) fn check_len(field: &str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::invalid(field, format!("too long ({} characters; at most {max})", text.chars().count())));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// An agent is optional, but once named needs their written authority.
pub(crate) fn validate_agent(
    name: Option<String>,
    email: Option<String>,
    authority: Option<String>,
) -> Result<Option<Agent>> {
    let (name, email, authority) = (clean(name), clean(email).map(|e| e.to_lowercase()), clean(authority));
    let Some(name) = name else {
        if email.is_some() || authority.is_some() {
            return Err(Error::invalid("agent_name", "give the name of the person acting for the requester"));
        }
        return Ok(None);
    };
    check_len("agent_name", &name, 200)?;
    if let Some(e) = &email {
        check_email(e).map_err(|_| Error::invalid("agent_email", format!("'{e}' is not an email address")))?;
    }
    let authority = authority.ok_or_else(|| {
        Error::invalid("agent_authority", "say what written authority the agent showed (e.g. signed power of attorney)")
    })?;
    check_len("agent_authority", &authority, 2_000)?;
    Ok(Some(Agent { name, email, authority }))
}

pub(crate) fn check_email(email: &str) -> Result<()> {
    let ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
            && email.matches('@').count() == 1
    });
    if ok { Ok(()) } else { Err(Error::invalid("email", format!("'{email}' is not an email address"))) }
}

/// The value, or the problem added to `problems`.
fn ok<T>(problems: &mut Vec<Error>, checked: Result<T>) -> Option<T> {
    checked.map_err(|e| problems.push(e)).ok()
}

impl Desk {
    /// Validate a new request field by field; the first problem is reported with its field.
    pub(super) fn validate(&self, input: NewRequest) -> Result<Request> {
        self.validate_all(input).map_err(|problems| {
            problems.into_iter().next().unwrap_or_else(|| Error::invalid("input", "the request could not be checked"))
        })
    }

    /// Every problem of a new request, one per field in the form's order (an import reports a row's all at once,
    /// so one pass over the file fixes it); never an empty list.
    pub(super) fn validate_all(&self, input: NewRequest) -> std::result::Result<Request, Vec<Error>> {
        let mut p = Vec::new();
        let kind = ok(
            &mut p,
            RequestKind::parse(input.kind.trim()).ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!("unknown request kind '{}' (one of: {})", input.kind, RequestKind::ids()),
                )
            }),
        );
        let engine = self.engine();
        let regime =
            ok(&mut p, engine.regime(input.regime.trim()).map_err(|e| Error::invalid("regime", e.to_string())));
        let calendar = regime.and_then(|g| {
            ok(
                &mut p,
                engine
                    .resolve_calendar(g, clean(input.calendar).as_deref())
                    .map_err(|e| Error::invalid("calendar", e.to_string())),
            )
        });
        let received = ok(
            &mut p,
            dates::parse_in_range(input.received.trim())
                .map_err(|e| Error::invalid("received", format!("invalid date {e}")))
                .and_then(|d| {
                    if d > self.today() {
                        Err(Error::invalid("received", format!("{} is in the future", dates::fmt(d))))
                    } else {
                        Ok(d)
                    }
                }),
        );
        let channel = match clean(input.channel) {
            None => Some(Channel::Email),
            Some(c) => ok(
                &mut p,
                Channel::parse(&c).ok_or_else(|| {
                    Error::invalid("channel", format!("unknown channel '{c}' (one of: {})", Channel::ids()))
                }),
            ),
        };
        let name = input.name.trim().to_string();
        if name.is_empty() {
            p.push(Error::invalid("name", "the requester's name is required"));
        } else {
            ok(&mut p, check_len("name", &name, 200).and_then(|()| crate::respond::check_one_line("name", &name)));
        }
        let email = clean(input.email).map(|e| e.to_lowercase());
        if let Some(e) = &email {
            ok(&mut p, check_email(e));
        }
        let phone = clean(input.phone);
        if let Some(ph) = &phone {
            let checked = check_len("phone", ph, 40).and_then(|()| {
                if ph.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
                    Ok(())
                } else {
                    Err(Error::invalid("phone", format!("'{ph}' is not a phone number")))
                }
            });
            ok(&mut p, checked);
        }
        let language = clean(input.language).unwrap_or_else(|| "en".into()).to_lowercase();
        if !(language.len() == 2 && language.chars().all(|c| c.is_ascii_lowercase())) {
            p.push(Error::invalid(
                "language",
                format!("'{language}' is not a two-letter language code (en, fr, nl, de, …)"),
            ));
        }
        let (address, account) = (clean(input.address), clean(input.account));
        let description = clean(input.description).unwrap_or_default();
        let notes = clean(input.notes).unwrap_or_default();
        for (field, text, max) in [
            ("address", address.as_deref().unwrap_or(""), 500),
            ("account", account.as_deref().unwrap_or(""), 200),
            ("description", description.as_str(), 20_000),
            ("notes", notes.as_str(), 20_000),
        ] {
            ok(&mut p, check_len(field, text, max));
        }
        let agent = ok(&mut p, validate_agent(input.agent_name, input.agent_email, input.agent_authority));
        let (Some(kind), Some(regime), Some(calendar), Some(received), Some(channel), Some(agent)) =
            (kind, regime, calendar, received, channel, agent)
        else {
            return Err(p);
        };
        if !p.is_empty() {
            return Err(p);
        }
        let now = self.now();
        Ok(Request {
            id: Uuid::now_v7(),
            reference: String::new(),
            kind,
            regime: regime.id.clone(),
            calendar,
            channel,
            received,
            status: Status::Received,
            requester: Requester { name, email, phone, address, account },
            language,
            description,
            notes,
            outcome_reason: None,
            external_id: None,
            requester_id: None,
            refusal_category: None,
            refusal_basis: None,
            agent,
            owner: None,
            identity_requested_on: None,
            facts: ClockFacts::default(),
            dates: Dates::default(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            purged_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::test_support::{desk_on, form};

    fn field_of(desk: &Desk, input: NewRequest) -> String {
        let e = desk.validate(input).unwrap_err();
        assert_eq!(e.code(), "invalid", "{e}");
        e.field().unwrap_or_default().to_string()
    }

    #[test]
    fn a_minimal_form_takes_the_defaults() {
        let (_dir, desk) = desk_on("2026-03-10");
        let mut input = form("access", "eu-gdpr", " 2026-03-02 ");
        input.email = Some("  Ada@Example.ORG ".into());
        input.calendar = Some("FR".into());
        let r = desk.validate(input).unwrap();
        assert_eq!(r.kind, RequestKind::Access);
        assert_eq!(r.channel, Channel::Email);
        assert_eq!(r.language, "en");
        assert_eq!(r.status, Status::Received);
        assert_eq!(r.requester.email.as_deref(), Some("ada@example.org"));
        assert_eq!(r.calendar, "FR");
        assert_eq!(r.agent, None);
        assert!(r.reference.is_empty(), "the reference is reserved when it is written");
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let (_dir, desk) = desk_on("2026-03-10");
        let base = || form("access", "eu-gdpr", "2026-03-02");
        assert_eq!(field_of(&desk, NewRequest { kind: "complaint".into(), ..base() }), "kind");
        assert_eq!(field_of(&desk, NewRequest { regime: "mars".into(), ..base() }), "regime");
        assert_eq!(field_of(&desk, NewRequest { calendar: Some("US".into()), ..base() }), "calendar");
        assert_eq!(field_of(&desk, NewRequest { received: "2026-03-11".into(), ..base() }), "received");
        assert_eq!(field_of(&desk, NewRequest { received: "02/03/2026".into(), ..base() }), "received");
        assert_eq!(field_of(&desk, NewRequest { channel: Some("pigeon".into()), ..base() }), "channel");
        assert_eq!(field_of(&desk, NewRequest { name: "  ".into(), ..base() }), "name");
        assert_eq!(field_of(&desk, NewRequest { name: "Ada\nLovelace".into(), ..base() }), "name");
        assert_eq!(field_of(&desk, NewRequest { email: Some("ada@localhost".into()), ..base() }), "email");
        assert_eq!(field_of(&desk, NewRequest { phone: Some("call me".into()), ..base() }), "phone");
        assert_eq!(field_of(&desk, NewRequest { language: Some("english".into()), ..base() }), "language");
        assert_eq!(field_of(&desk, NewRequest { notes: Some("a\u{7}b".into()), ..base() }), "notes");
        assert_eq!(field_of(&desk, NewRequest { description: Some("x".repeat(20_001)), ..base() }), "description");
    }

    #[test]
    fn every_problem_of_a_form_is_reported_at_once_in_the_form_s_order() {
        let (_dir, desk) = desk_on("2026-03-10");
        let input = NewRequest {
            kind: "complaint".into(),
            received: "2026-03-11".into(),
            name: " ".into(),
            email: Some("nobody".into()),
            language: Some("english".into()),
            ..form("access", "eu-gdpr", "2026-03-02")
        };
        let problems = desk.validate_all(input.clone()).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|e| e.field().unwrap_or_default().to_string()).collect();
        assert_eq!(fields, ["kind", "received", "name", "email", "language"]);
        assert_eq!(desk.validate(input).unwrap_err().field(), Some("kind"), "the form still reports the first");
        let bad_regime = NewRequest { regime: "mars".into(), ..form("access", "eu-gdpr", "2026-03-02") };
        let fields: Vec<_> = desk
            .validate_all(bad_regime)
            .unwrap_err()
            .iter()
            .map(|e| e.field().unwrap_or_default().to_string())
            .collect();
        assert_eq!(fields, ["regime"], "no calendar problem follows from an unknown regime");
    }

    #[test]
    fn an_agent_needs_a_name_and_a_written_authority() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(validate_agent(None, None, None).unwrap(), None);
        let e = validate_agent(None, some("a@b.org"), None).unwrap_err();
        assert_eq!(e.field(), Some("agent_name"));
        let e = validate_agent(some("Bob"), None, None).unwrap_err();
        assert_eq!(e.field(), Some("agent_authority"));
        let e = validate_agent(some("Bob"), some("not an address"), some("power of attorney")).unwrap_err();
        assert_eq!(e.field(), Some("agent_email"));
        let agent = validate_agent(some(" Bob "), some("Bob@Law.Example"), some("power of attorney")).unwrap().unwrap();
        assert_eq!((agent.name.as_str(), agent.email.as_deref()), ("Bob", Some("bob@law.example")));
    }
}
