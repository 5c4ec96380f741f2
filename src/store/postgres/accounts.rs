//! The team's accounts on the server (issue 18): each account is a login role of the server, member of the group
//! role of its Rightsdesk role; the groups hold the grants, and row-level security keeps a contributor to the
//! requests assigned to them (`migrations/postgres/0005_accounts.sql` holds the functions and triggers the policies
//! and checks use). Enforced by the server whatever client connects: psql as a contributor reads no other request.
//!
//! The groups are named after the database (`<database>_officer` …), since roles belong to the whole server and
//! two registers on one server must not share them. They, their grants and the policies are made by the first
//! `account add`, run by the register's owner (the login that created its tables, which must also have
//! CREATEROLE), and brought up to date by the owner's app after each migration (a new table gets its grants).

use postgres::types::ToSql;

use super::{Pg, count};
use crate::error::{Error, Result};
use crate::store::accounts::{ACCOUNT_COLUMNS, Account, NewLogin, OwnerCount, Role, owner_counts_sql, to_account};

/// Tables a contributor reads only the rows of their requests from, and the condition a row must meet; `false`:
/// none (identity documents, the mailbox's unfiled mail, blocked senders, imports and purge records are not a
/// contributor's to see). Every other table of the register is readable by every account (settings, templates,
/// the data map, the accounts themselves: no personal data of requesters).
const CONTRIBUTOR_ROWS: &[(&str, &str)] = &[
    ("requests", "rightsdesk_assigned(id)"),
    ("requesters", "EXISTS (SELECT 1 FROM requests r WHERE r.requester_id = requesters.id)"),
    ("attachments", "rightsdesk_assigned(request_id)"),
    ("checklist_items", "rightsdesk_assigned(request_id)"),
    ("disclosures", "rightsdesk_assigned(request_id)"),
    ("outbox", "rightsdesk_assigned(request_id)"),
    ("request_links", "rightsdesk_assigned(request_id)"),
    ("row_states", "rightsdesk_assigned(request_id)"),
    ("row_facts", "rightsdesk_assigned(request_id)"),
    ("events", "request_id IS NOT NULL AND rightsdesk_assigned(request_id)"),
    ("mail_messages", "request_id IS NOT NULL AND rightsdesk_assigned(request_id)"),
    ("stored_files", "split_part(name, '/', 1) = 'attachments' AND rightsdesk_assigned(split_part(name, '/', 2))"),
    ("stored_file_chunks", "EXISTS (SELECT 1 FROM stored_files f WHERE f.name = stored_file_chunks.name)"),
    ("identity_checks", "false"),
    ("evidence", "false"),
    ("blocked_senders", "false"),
    ("imports", "false"),
    ("purged_events", "false"),
];

/// What a contributor may write: ticking a line of theirs (the line, the request's bookkeeping — both held to
/// that by triggers —, its event, a proof file).
const CONTRIBUTOR_WRITES: &str = "GRANT UPDATE ON requests, checklist_items TO {contributor};
    GRANT INSERT ON events, attachments, stored_files, stored_file_chunks TO {contributor};";

/// Tables only an admin changes: the register's settings, templates, data map, calendar and accounts.
const ADMIN_TABLES: &[&str] =
    &["accounts", "settings", "templates", "systems", "calendar_days", "rightsdesk_migrations"];

/// An identifier quoted for SQL.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A literal quoted for SQL.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The group role of `role` on the register in `database`.
fn group_name(database: &str, role: Role) -> String {
    // A role's name holds at most 63 bytes; a database's too: keep the end (the role) whole.
    let mut base = database.to_string();
    while base.len() > 50 {
        base.pop();
    }
    format!("{base}_{}", role.id())
}

impl Pg<'_> {
    pub(super) fn accounts(&self) -> Result<Vec<Account>> {
        self.rows(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login"), &[])?
            .iter()
            .map(to_account)
            .collect()
    }

    pub(super) fn owner_counts(&self, today: &str) -> Result<Vec<OwnerCount>> {
        self.rows(&owner_counts_sql("$1"), &[&today])?
            .iter()
            .map(|r| Ok(OwnerCount { owner: r.try_get(0)?, open: count(r, 1)?, overdue: count(r, 2)? }))
            .collect()
    }

    fn group(&self, role: Role) -> Result<String> {
        let database: String = self.one("SELECT current_database()::text", &[])?.try_get(0)?;
        Ok(group_name(&database, role))
    }

    fn role_exists(&self, name: &str) -> Result<bool> {
        Ok(self.one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&name])?.try_get(0)?)
    }

    /// Whether the team's group roles exist (the first account was added).
    pub(super) fn roles_made(&self) -> Result<bool> {
        self.role_exists(&self.group(Role::Admin)?)
    }

    /// Whether the connected login owns the register's tables (and may grant on them).
    pub(super) fn owns_register(&self) -> Result<bool> {
        Ok(self
            .one(
                "SELECT coalesce((SELECT tableowner = session_user FROM pg_tables
                                   WHERE schemaname = current_schema() AND tablename = 'requests'), false)",
                &[],
            )?
            .try_get(0)?)
    }

    /// Make the four group roles if they are missing, and give them their rights and policies (idempotent): the
    /// owner's work, run by the first `account add` and after each migration once the groups exist.
    pub(super) fn apply_roles(&self, make_groups: bool) -> Result<()> {
        let mut groups = Vec::new();
        for role in Role::ALL {
            let name = self.group(role)?;
            if !self.role_exists(&name)? {
                if !make_groups {
                    return Ok(());
                }
                self.batch(&format!("CREATE ROLE {} NOLOGIN", ident(&name)))?;
            }
            groups.push((role, ident(&name)));
        }
        let g = |role: Role| groups.iter().find(|(r, _)| *r == role).map(|(_, n)| n.clone()).unwrap_or_default();
        let (admin, officer, contributor, auditor) =
            (g(Role::Admin), g(Role::Officer), g(Role::Contributor), g(Role::Auditor));
        let database: String = self.one("SELECT current_database()::text", &[])?.try_get(0)?;
        let everyone = format!("{admin}, {officer}, {contributor}, {auditor}");
        let mut sql = format!(
            "GRANT CONNECT ON DATABASE {db} TO {everyone};
             GRANT USAGE ON SCHEMA public TO {everyone};
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone};
             GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {everyone};
             GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {admin}, {officer};
             GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {admin}, {officer}, {contributor};
             REVOKE INSERT, UPDATE, DELETE ON {admin_tables} FROM {officer};
             REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM {contributor}, {auditor};
             {writes}",
            db = ident(&database),
            admin_tables = ADMIN_TABLES.join(", "),
            writes = CONTRIBUTOR_WRITES.replace("{contributor}", &contributor),
        );
        for (table, rows) in CONTRIBUTOR_ROWS {
            sql.push_str(&format!(
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                 DROP POLICY IF EXISTS rightsdesk_everyone ON {table};
                 CREATE POLICY rightsdesk_everyone ON {table} USING (true) WITH CHECK (true);
                 DROP POLICY IF EXISTS rightsdesk_contributor ON {table};
                 CREATE POLICY rightsdesk_contributor ON {table} AS RESTRICTIVE TO {contributor}
                     USING ({rows}) WITH CHECK ({rows});"
            ));
        }
        // A contributor's changes are held to ticking their lines (`migrations/postgres/0005`), by triggers that
        // fire for the contributors' group only (the group test is a cache lookup; the account's role, a query,
        // is asked only of its members and of superusers, who have every role).
        let member = format!(
            "pg_has_role(session_user, {}, 'USAGE') AND rightsdesk_role() = 'contributor'",
            literal(&self.group(Role::Contributor)?)
        );
        for (table, check) in
            [("requests", "requests_contributor_change"), ("checklist_items", "checklist_contributor_change")]
        {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS {check} ON {table};
                 CREATE TRIGGER {check} BEFORE UPDATE ON {table} FOR EACH ROW WHEN ({member})
                     EXECUTE FUNCTION {check}();"
            ));
        }
        // A contributor changes only the lines assigned to them (the trigger keeps them to ticking it).
        sql.push_str(&format!(
            "DROP POLICY IF EXISTS rightsdesk_contributor_lines ON checklist_items;
             CREATE POLICY rightsdesk_contributor_lines ON checklist_items AS RESTRICTIVE FOR UPDATE TO {contributor}
                 USING (assignee = session_user::text);"
        ));
        self.batch(&sql)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.refuse_unless_writable()?;
        Ok(self.tx.borrow_mut().batch_execute(sql)?)
    }

    pub(super) fn add_account(&self, account: &Account, login: NewLogin<'_>) -> Result<()> {
        if !self.roles_made()? {
            if !self.owns_register()? {
                return Err(Error::refused(
                    "the first account of a team register is added by the login that owns its tables (the one that \
                     created the register), which may also create roles (CREATEROLE)",
                ));
            }
            self.apply_roles(true)?;
        }
        let exists = self.role_exists(&account.login)?;
        match login {
            NewLogin::Create { password } => {
                if exists {
                    return Err(Error::invalid(
                        "login",
                        format!(
                            "the server has a login {} already: leave the password out to map it to this account",
                            account.login
                        ),
                    ));
                }
                // The password goes to the server as its SCRAM verifier, never in clear (nor in its logs).
                let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
                self.batch(&format!("CREATE ROLE {} LOGIN PASSWORD {}", ident(&account.login), literal(&verifier)))?;
            }
            NewLogin::Existing if !exists => {
                return Err(Error::invalid(
                    "login",
                    format!(
                        "the server has no login {}: give a password to create it, or ask the server's administrator",
                        account.login
                    ),
                ));
            }
            NewLogin::Existing => {}
        }
        let params: [&(dyn ToSql + Sync); 7] = [
            &account.login,
            &account.name,
            &account.email,
            &account.role.id(),
            &i64::from(account.disabled),
            &account.created_at,
            &account.updated_at,
        ];
        self.execute(&format!("INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"), &params)
            .map_err(|e| match e {
                Error::Constraint(_) => Error::invalid(
                    "login",
                    format!("{} has an account already (account set-role changes it)", account.login),
                ),
                e => e,
            })?;
        self.grant_role(&account.login, account.role)
    }

    /// Give `login` the rights of `role` (and an admin the right to manage the team's logins).
    fn grant_role(&self, login: &str, role: Role) -> Result<()> {
        let group = ident(&self.group(role)?);
        let login = ident(login);
        let mut sql = format!("GRANT {group} TO {login};");
        if role == Role::Admin {
            // CREATEROLE lets an admin make logins and give them the groups (PostgreSQL 15). From 16 on, giving
            // a group takes its ADMIN OPTION too, held without its rights (INHERIT FALSE): an admin must not come
            // under the contributors' policies.
            sql.push_str(&format!("ALTER ROLE {login} CREATEROLE;"));
            if self.server_version()? >= 160_000 {
                for other in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
                    sql.push_str(&format!(
                        "GRANT {} TO {login} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;",
                        ident(&self.group(other)?)
                    ));
                }
            }
        }
        self.batch(&sql)
    }

    fn server_version(&self) -> Result<i32> {
        let text: String = self.one("SHOW server_version_num", &[])?.try_get(0)?;
        text.parse().map_err(|_| Error::Database(format!("the server's version is '{text}'")))
    }

    /// Take back what `grant_role` gave.
    fn revoke_role(&self, login: &str, role: Role) -> Result<()> {
        let login = ident(login);
        let mut sql = String::new();
        let groups = if role == Role::Admin { Role::ALL.to_vec() } else { vec![role] };
        for g in groups {
            sql.push_str(&format!("REVOKE {} FROM {login};", ident(&self.group(g)?)));
        }
        if role == Role::Admin {
            sql.push_str(&format!("ALTER ROLE {login} NOCREATEROLE;"));
        }
        self.batch(&sql)
    }

    pub(super) fn change_account(&self, before: &Account, after: &Account) -> Result<()> {
        let params: [&(dyn ToSql + Sync); 6] =
            [&after.login, &after.name, &after.email, &after.role.id(), &i64::from(after.disabled), &after.updated_at];
        let changed = self.execute(
            "UPDATE accounts SET name = $2, email = $3, role = $4, disabled = $5, updated_at = $6 WHERE login = $1",
            &params,
        )?;
        if changed != 1 {
            return Err(Error::not_found("account", &after.login));
        }
        if before.role != after.role {
            self.revoke_role(&before.login, before.role)?;
            self.grant_role(&after.login, after.role)?;
        }
        if before.disabled != after.disabled {
            let can = if after.disabled { "NOLOGIN" } else { "LOGIN" };
            self.batch(&format!("ALTER ROLE {} {can}", ident(&after.login)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_named_after_its_database_and_fits_a_role_name() {
        assert_eq!(group_name("rightsdesk", Role::Officer), "rightsdesk_officer");
        let long = "d".repeat(63);
        let name = group_name(&long, Role::Contributor);
        assert!(name.len() <= 63 && name.ends_with("_contributor"), "{name}");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
    }
}
