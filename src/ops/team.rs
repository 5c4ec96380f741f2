//! The people of a team register: accounts and roles, and who works what.

use serde::Deserialize;

use super::op;
use crate::desk::{Me, NewAccount, RequestDetail, Team};
use crate::store::Account;

/// Who is using the register: the login every change is recorded under, and their account on a team register.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetMe;
op!(GetMe => Me, |_, d| d.me());

/// The team: every account (login, name, email, role, disabled) and the open requests each person owns.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GetTeam;
op!(GetTeam => Team, |_, d| d.team());

/// Add a person to the team register: make their login on the server with a password (kept by the server only, as
/// its SCRAM verifier), or map a login the IT department made (no password). An admin's work.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AddAccount {
    /// The login on the server (a letter first, then letters, digits, _ . - or @).
    #[arg(long)]
    pub login: String,
    /// The person's name, as events and the queue show it.
    #[arg(long)]
    pub name: String,
    /// Their email address.
    #[arg(long)]
    #[serde(default)]
    pub email: Option<String>,
    /// admin (settings, accounts, data map, templates), officer (works requests), contributor (sees and ticks only
    /// what is assigned to them) or auditor (reads everything, changes nothing).
    #[arg(long)]
    pub role: String,
    /// The new login's password (the command line reads it with --password-stdin).
    #[arg(skip)]
    #[serde(default)]
    pub password: Option<String>,
}
op!(AddAccount => Account, |i, d| {
    let input = NewAccount { login: i.login, name: i.name, email: i.email, role: i.role };
    d.add_account(input, i.password.as_deref())
});

/// Change a person's role; their login's rights on the server change with it.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetAccountRole {
    /// The account's login.
    pub login: String,
    /// admin, officer, contributor or auditor.
    #[arg(long)]
    pub role: String,
}
op!(SetAccountRole => Account, |i, d| d.set_account_role(&i.login, &i.role));

/// Disable an account (its login may no longer connect; its name stays on what it did), or enable it again.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SetAccountDisabled {
    /// The account's login.
    pub login: String,
    /// Enable the account again instead.
    #[arg(long)]
    #[serde(default)]
    pub enable: bool,
}
op!(SetAccountDisabled => Account, |i, d| d.set_account_disabled(&i.login, !i.enable));

/// Give a request to a person of the team, or take it back.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AssignRequest {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The login of the person who works it from now on (`me` for yourself); left out: nobody.
    #[arg(long)]
    #[serde(default)]
    pub to: Option<String>,
}
op!(AssignRequest => RequestDetail, |i, d| d.assign(&i.reference, i.to.as_deref()));

/// Give one line of a request's checklist to a colleague (who sees that request and ticks that line), or take it
/// back.
#[derive(Deserialize, clap::Args)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AssignChecklistLine {
    /// The request's reference (RD-2026-0042) or id.
    pub reference: String,
    /// The system of the checklist (its name on the data map).
    #[arg(long)]
    pub system: String,
    /// The colleague's login; left out: nobody.
    #[arg(long)]
    #[serde(default)]
    pub to: Option<String>,
}
op!(AssignChecklistLine => RequestDetail, |i, d| d.assign_line(&i.reference, &i.system, i.to.as_deref()));
