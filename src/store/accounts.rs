//! The team's accounts and who works what (issue 18): an account maps a login of the register's server to a person
//! and a role; a request has an owner and a checklist line an assignee, each a login. A desk (SQLite) has no
//! logins: it keeps the columns (a register copied between the engines keeps every value) and refuses accounts.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::error::{Error, Result};

/// What an account may do, enforced by the server (grants, row-level security and triggers), not only by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Settings, accounts, the data map and templates, and every officer's work.
    Admin,
    /// Works requests.
    Officer,
    /// Sees and ticks only the checklist lines (and requests) assigned to them.
    Contributor,
    /// Reads everything and exports logs; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Officer, Role::Contributor, Role::Auditor];

    pub fn id(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == s.trim().to_ascii_lowercase())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A person of the team: their login on the server, name, email and role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// A disabled account's login may no longer connect; its name stays on what it did.
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// How many open requests one person owns (`owner` None: nobody yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OwnerCount {
    pub owner: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub open: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub overdue: u64,
}

/// How a new account comes to its login.
#[derive(Debug, Clone, Copy)]
pub enum NewLogin<'a> {
    /// Make the login on the server with this password.
    Create { password: &'a str },
    /// The login exists on the server already (made by the IT department): map it.
    Existing,
}

pub(super) const ACCOUNT_COLUMNS: &str = "login, name, email, role, disabled, created_at, updated_at";

pub(super) fn to_account(r: &impl Cells) -> Result<Account> {
    let role: String = r.col(3)?;
    Ok(Account {
        login: r.col(0)?,
        name: r.col(1)?,
        email: r.col(2)?,
        role: Role::parse(&role).ok_or_else(|| Error::Corrupt(format!("an account has an unknown role '{role}'")))?,
        disabled: r.col(4)?,
        created_at: r.col(5)?,
        updated_at: r.col(6)?,
    })
}

/// Open requests per owner, overdue ones apart (before the day bound to `today`, YYYY-MM-DD); the same SQL on
/// both engines, but for the placeholder.
pub(super) fn owner_counts_sql(today: &str) -> String {
    format!(
        "SELECT owner, count(*), coalesce(sum(CASE WHEN effective_due < {today} THEN 1 ELSE 0 END), 0) \
         FROM requests WHERE is_open = 1 GROUP BY owner ORDER BY owner"
    )
}

/// Why a desk has no accounts.
pub(super) fn desk_has_no_accounts() -> Error {
    Error::refused(
        "accounts are for a team register on a PostgreSQL server: a register on this computer has one officer",
    )
}

impl Reader<'_> {
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(to_account(row)?);
        }
        Ok(out)
    }

    pub fn owner_counts(&self, today: &str) -> Result<Vec<OwnerCount>> {
        let mut stmt = self.conn.prepare_cached(&owner_counts_sql("?1"))?;
        let rows = stmt.query_map(params![today], |r| {
            Ok(OwnerCount { owner: r.get(0)?, open: r.get::<_, i64>(1)? as u64, overdue: r.get::<_, i64>(2)? as u64 })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_> {
    pub fn add_account(&self, _account: &Account, _login: NewLogin<'_>) -> Result<()> {
        Err(desk_has_no_accounts())
    }

    pub fn change_account(&self, _before: &Account, _after: &Account) -> Result<()> {
        Err(desk_has_no_accounts())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_their_ids() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.id()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.id()));
        }
        assert_eq!(Role::parse(" Officer "), Some(Role::Officer));
        assert_eq!(Role::parse("root"), None);
    }
}
