//! The passwords of the organisation's mail servers (SMTP, the IMAP mailbox): kept in the OS keyring, never in the
//! register; where a machine has no keyring (a server, a script), an environment variable gives one.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub(super) struct ServerPassword {
    /// The keyring service the account is kept under.
    service: &'static str,
    /// The variable that gives the password instead.
    pub env: &'static str,
    /// The server, in words ("SMTP", "IMAP").
    what: &'static str,
}

pub(super) const SMTP: ServerPassword =
    ServerPassword { service: "org.rightsdesk.smtp", env: "RIGHTSDESK_SMTP_PASSWORD", what: "SMTP" };
/// A team register's login (`user@host:port/database` as the account; `Target::account`).
pub(super) const POSTGRES: ServerPassword =
    ServerPassword { service: "org.rightsdesk.postgres", env: "PGPASSWORD", what: "team server" };
pub(super) const IMAP: ServerPassword =
    ServerPassword { service: "org.rightsdesk.imap", env: super::mailbox::IMAP_PASSWORD_ENV, what: "IMAP" };

impl ServerPassword {
    /// The keyring entry of `user@host`; an error that says plainly when this machine has no keyring.
    fn entry(&self, host: &str, user: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(self.service, &format!("{user}@{host}")).map_err(|e| {
            Error::invalid(
                "password",
                format!(
                    "this machine has no OS keyring ({e}), so the password cannot be kept safely and is not stored: \
                     give it in {} instead",
                    self.env
                ),
            )
        })
    }

    /// Keep `password` (if one is given) in the keyring for `user@host`; whether one was kept.
    pub fn keep(&self, host: &str, user: &str, password: Option<&str>) -> Result<bool> {
        let Some(password) = password.filter(|p| !p.is_empty()) else { return Ok(false) };
        self.entry(host, user)?
            .set_password(password)
            .map_err(|e| Error::invalid("password", format!("the OS keyring refused the password: {e}")))?;
        Ok(true)
    }

    /// The password kept in the keyring for `account` (the whole key), if this machine has a keyring and one.
    pub fn kept_for(&self, account: &str) -> Option<String> {
        let entry = keyring::Entry::new(self.service, account).ok()?;
        entry.get_password().ok()
    }

    /// Keep the password of `account` (the whole key) in the keyring.
    pub fn keep_for(&self, account: &str, password: &str) -> Result<()> {
        let entry = keyring::Entry::new(self.service, account).map_err(|e| {
            Error::invalid(
                "password",
                format!("this machine has no OS keyring ({e}): give the password in {} instead", self.env),
            )
        })?;
        entry
            .set_password(password)
            .map_err(|e| Error::invalid("password", format!("the OS keyring refused the password: {e}")))
    }

    /// The password: the environment variable if set, else the keyring.
    pub fn get(&self, host: &str, user: &str) -> Result<Zeroizing<String>> {
        if let Ok(p) = std::env::var(self.env)
            && !p.is_empty()
        {
            return Ok(Zeroizing::new(p));
        }
        let (what, env) = (self.what, self.env);
        self.entry(host, user)?.get_password().map(Zeroizing::new).map_err(|e| {
            Error::invalid(
                "password",
                format!("no {what} password for {user}@{host} in the OS keyring ({e}): store it, or set {env}"),
            )
        })
    }
}
