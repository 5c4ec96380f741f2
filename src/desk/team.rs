//! The people of a team register (issue 18): accounts (a login of the server, a name, an email, a role) and who
//! works what (a request's owner, a checklist line's assignee). The server enforces the roles
//! (`store/postgres/accounts.rs`); this checks what the officer typed and records each change as an event.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Desk;
use super::validate::{check_email, check_len, clean};
use crate::domain::event::{self as ev, AuditEvent, Change};
use crate::error::{Error, Result};
use crate::store::{self, Account, NewLogin, OwnerCount, Role};

/// A new account as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewAccount {
    /// The login on the server (made with `password`, or an existing one mapped).
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    /// admin, officer, contributor or auditor.
    pub role: String,
}

/// The connected officer: their login and, on a team register with accounts, their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Me {
    /// The name every change is recorded under: the server's login, or this computer's user on a desk.
    pub login: String,
    pub account: Option<Account>,
    /// Whether this register has people and roles (a team register on a server).
    pub team: bool,
}

/// The team at a glance: every account, and the open requests each person owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Team {
    pub accounts: Vec<Account>,
    pub workload: Vec<OwnerCount>,
}

/// A login as PostgreSQL names it without quotes, so that IT can type it in psql as it is: a letter or `_` first,
/// then letters, digits, `_`, `.`, `-` or `@`, at most 63 bytes.
fn check_login(login: &str) -> Result<String> {
    let login = login.trim();
    let first_ok = login.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = login.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'));
    if login.is_empty() || login.len() > 63 || !first_ok || !rest_ok {
        return Err(Error::invalid(
            "login",
            format!(
                "'{login}' cannot be a login: a letter first, then letters, digits, _ . - or @ (at most 63 characters)"
            ),
        ));
    }
    if login.starts_with("pg_") {
        return Err(Error::invalid("login", "logins starting with pg_ are the server's own"));
    }
    Ok(login.to_string())
}

fn role_of(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| {
        Error::invalid("role", format!("unknown role '{}' (one of: admin, officer, contributor, auditor)", text.trim()))
    })
}

impl Desk {
    /// Who is using the register.
    pub fn me(&self) -> Result<Me> {
        let team = self.store.backend().login().is_some();
        let account =
            if team { self.store.read(|r| r.accounts())?.into_iter().find(|a| a.login == self.actor) } else { None };
        Ok(Me { login: self.actor.clone(), account, team })
    }

    /// Every account and each person's open requests.
    pub fn team(&self) -> Result<Team> {
        let today = crate::dates::fmt(self.today());
        self.store.read(|r| Ok(Team { accounts: r.accounts()?, workload: r.owner_counts(&today)? }))
    }

    /// Add a person: make their login on the server with `password`, or map an existing login (`None`).
    pub fn add_account(&self, input: NewAccount, password: Option<&str>) -> Result<Account> {
        let login = check_login(&input.login)?;
        let name = clean(Some(input.name)).ok_or_else(|| Error::invalid("name", "give the person's name"))?;
        check_len("name", &name, 200)?;
        let email = clean(input.email).map(|e| e.to_lowercase());
        if let Some(e) = &email {
            check_email(e)?;
        }
        let role = role_of(&input.role)?;
        if let Some(p) = password
            && p.chars().count() < 12
        {
            return Err(Error::invalid("password", "a login's password has at least 12 characters"));
        }
        let at = store::timestamp(self.now());
        let account = Account {
            login: login.clone(),
            name,
            email,
            role,
            disabled: false,
            created_at: at.clone(),
            updated_at: at,
        };
        let how = match password {
            Some(password) => NewLogin::Create { password },
            None => NewLogin::Existing,
        };
        self.store.write(|tx| {
            tx.add_account(&account, how)?;
            let event = ev::AccountAdded {
                login: account.login.clone(),
                name: account.name.clone(),
                email: account.email.clone(),
                role: role.id().into(),
                login_created: password.is_some(),
            };
            self.append_setting_event(tx, &AuditEvent::AccountAdded(event))
        })?;
        Ok(account)
    }

    /// Change an account's role.
    pub fn set_account_role(&self, login: &str, role: &str) -> Result<Account> {
        let role = role_of(role)?;
        self.change_account(login, |a| a.role = role)
    }

    /// Disable an account (its login may no longer connect) or enable it again.
    pub fn set_account_disabled(&self, login: &str, disabled: bool) -> Result<Account> {
        self.change_account(login, |a| a.disabled = disabled)
    }

    fn change_account(&self, login: &str, change: impl Fn(&mut Account)) -> Result<Account> {
        let login = login.trim();
        if login == self.actor {
            return Err(Error::refused(
                "an admin does not change their own account (another admin does): the team keeps an admin",
            ));
        }
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            let before = tx
                .accounts()?
                .into_iter()
                .find(|a| a.login == login)
                .ok_or_else(|| Error::not_found("account", login))?;
            let mut after = before.clone();
            change(&mut after);
            if after == before {
                return Ok(after);
            }
            after.updated_at = at.clone();
            tx.change_account(&before, &after)?;
            let mut changed = BTreeMap::new();
            if before.role != after.role {
                changed
                    .insert("role".into(), Change { before: before.role.id().into(), after: after.role.id().into() });
            }
            if before.disabled != after.disabled {
                let state = |d: bool| if d { "disabled" } else { "enabled" }.to_string();
                changed.insert("state".into(), Change { before: state(before.disabled), after: state(after.disabled) });
            }
            let event = ev::AccountChanged { login: after.login.clone(), changed };
            self.append_setting_event(tx, &AuditEvent::AccountChanged(event))?;
            Ok(after)
        })
    }

    /// The login `to` names, checked as one who may be given work: an enabled account that is not an auditor's.
    fn assignee(&self, tx: &dyn store::Read, to: Option<&str>) -> Result<Option<String>> {
        let Some(to) = to.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if self.store.backend().login().is_none() {
            return Err(Error::refused(
                "work is assigned to the people of a team register; a register on this computer has one officer",
            ));
        }
        let to = if to == "me" { self.actor.as_str() } else { to };
        let account = tx
            .accounts()?
            .into_iter()
            .find(|a| a.login == to)
            .ok_or_else(|| Error::invalid("to", format!("{to} has no account on this register (account list)")))?;
        if account.disabled {
            return Err(Error::invalid("to", format!("{to}'s account is disabled")));
        }
        if account.role == Role::Auditor {
            return Err(Error::invalid("to", format!("{to} is an auditor: an auditor reads, and is given no work")));
        }
        Ok(Some(account.login))
    }

    /// Give a request to a person of the team (`to`: a login, `me`, or None to take it back).
    pub fn assign(&self, id_or_reference: &str, to: Option<&str>) -> Result<super::RequestDetail> {
        self.update(id_or_reference, |r, tx| {
            let to = self.assignee(tx, to)?;
            if to == r.owner {
                return Err(Error::refused(match &to {
                    Some(login) => format!("{} is {login}'s already", r.reference),
                    None => format!("{} has no owner", r.reference),
                }));
            }
            let from = std::mem::replace(&mut r.owner, to.clone());
            Ok(AuditEvent::RequestAssigned(ev::RequestAssigned { from, to }))
        })
    }

    /// Give one line of a request's checklist to a colleague (`to`: a login, or None to take it back).
    pub fn assign_line(&self, id_or_reference: &str, system: &str, to: Option<&str>) -> Result<super::RequestDetail> {
        self.update(id_or_reference, |r, tx| {
            let to = self.assignee(tx, to)?;
            let mut item = tx
                .checklist(&r.id.to_string())?
                .into_iter()
                .find(|i| i.system_id == system || i.system_name.eq_ignore_ascii_case(system.trim()))
                .ok_or_else(|| Error::refused(format!("{system} is not on {}'s checklist", r.reference)))?;
            if item.assignee == to {
                return Err(Error::refused(format!("that line of {} is assigned so already", r.reference)));
            }
            let from = std::mem::replace(&mut item.assignee, to.clone());
            tx.update_checklist_item(&item)?;
            Ok(AuditEvent::ChecklistLineAssigned(ev::ChecklistLineAssigned { system: item.system_name, from, to }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::test_support::{desk_on, form};

    #[test]
    fn a_login_is_what_psql_takes_unquoted() {
        for ok in ["ada", "ada.lovelace", "a_1", "ada@example.org", "_x"] {
            assert_eq!(check_login(ok).unwrap(), ok);
        }
        for bad in ["", "1ada", "ada lovelace", "ada\"", "a;b", "pg_monitor", &"a".repeat(64)] {
            assert!(check_login(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_desk_has_no_accounts_and_assigns_nothing() {
        let (_dir, desk) = desk_on("2026-03-02");
        let me = desk.me().unwrap();
        assert!(!me.team && me.account.is_none() && !me.login.is_empty());
        assert!(desk.team().unwrap().accounts.is_empty());
        let input =
            NewAccount { login: "ada".into(), name: "Ada".into(), role: "officer".into(), ..Default::default() };
        let refused = desk.add_account(input, Some("a long enough password")).unwrap_err();
        assert!(refused.to_string().contains("team register"), "{refused}");
        let r = desk.add_request(form("access", "uk-gdpr", "2026-03-02")).unwrap();
        let refused = desk.assign(&r.request.reference, Some("ada")).unwrap_err();
        assert!(refused.to_string().contains("team register"), "{refused}");
        // Nothing was written by either refusal.
        assert_eq!(desk.request(&r.request.reference).unwrap().events.len(), 1);
    }
}
