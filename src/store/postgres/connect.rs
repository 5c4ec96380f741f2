//! Where a team register is and how to reach it: a PostgreSQL connection string (`postgres://user@host:port/db`
//! or `host=… dbname=…`), with libpq's `sslmode` meanings and `sslrootcert` for the organisation's CA.
//!
//! TLS is required unless the connection string says otherwise (`sslmode=disable`) or the server is reached over a
//! local Unix socket; the server's certificate is always checked (the system's roots, plus `sslrootcert`).

use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};

use crate::error::{Error, Result};

/// How long a connection attempt may take before it is reported as refused.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL register's address, parsed and checked.
#[derive(Clone)]
pub struct Target {
    config: Config,
    /// The organisation's CA (PEM), from `sslrootcert`.
    ca_pem: Option<Vec<u8>>,
}

impl Target {
    /// Read a connection string. `sslrootcert=FILE` is read here (the driver does not know it); without
    /// `sslmode`, TLS is required.
    pub fn parse(url: &str) -> Result<Target> {
        let (url, ca_file) = take_param(url, "sslrootcert");
        // libpq's `verify-ca` and `verify-full` ask for what this client always does (the certificate checked
        // against the trusted roots, for the host named): the driver knows only `require`.
        let (stripped, mode) = take_param(&url, "sslmode");
        let verify = matches!(mode.as_deref(), Some("verify-ca" | "verify-full"));
        let url = if verify { stripped } else { url };
        let mut config: Config = url
            .parse()
            .map_err(|e| Error::invalid("db", format!("the PostgreSQL connection string cannot be read: {e}")))?;
        if verify || !url.contains("sslmode") {
            config.ssl_mode(SslMode::Require);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_dbname().is_none() {
            return Err(Error::invalid("db", "the PostgreSQL connection string names no database"));
        }
        let ca_pem = match ca_file {
            Some(file) => Some(std::fs::read(&file).map_err(|e| {
                Error::invalid("db", format!("the server's CA file {file} (sslrootcert) cannot be read: {e}"))
            })?),
            None => None,
        };
        Ok(Target { config, ca_pem })
    }

    /// The password where the connection string gives none, as libpq finds it — `PGPASSWORD`, then the password
    /// file (`PGPASSFILE`, else `~/.pgpass`, used only when no one else may read it) — and then `keyring`, asked
    /// with [`Target::account`].
    pub fn with_password(mut self, keyring: impl FnOnce(&str) -> Option<String>) -> Target {
        if self.config.get_password().is_some() {
            return self;
        }
        let found = std::env::var("PGPASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .or_else(|| self.in_password_file())
            .or_else(|| keyring(&self.account()));
        if let Some(password) = found {
            self.config.password(password.as_bytes());
        }
        self
    }

    /// The login and server a kept password belongs to: `user@host:port/database`.
    pub fn account(&self) -> String {
        let (host, port) = self.host_and_port();
        let user = self.config.get_user().unwrap_or_default();
        format!("{user}@{host}:{port}/{}", self.config.get_dbname().unwrap_or_default())
    }

    /// The host as the password file names it (`localhost` for a Unix socket) and the port (5432 unless given).
    fn host_and_port(&self) -> (String, u16) {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => "localhost".into(),
        };
        (host, self.config.get_ports().first().copied().unwrap_or(5432))
    }

    /// The first line of the password file that matches this connection (`host:port:database:user:password`,
    /// `*` matching anything, `\:` and `\\` escaped).
    fn in_password_file(&self) -> Option<String> {
        let path = match std::env::var_os("PGPASSFILE") {
            Some(p) => std::path::PathBuf::from(p),
            None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As libpq: a file others may read is not trusted with passwords.
            let mode = std::fs::metadata(&path).ok()?.permissions().mode();
            if mode & 0o077 != 0 {
                return None;
            }
        }
        let text = crate::files::read_input(&path, 64 * 1024).ok()?;
        let (host, port) = self.host_and_port();
        let wanted = [
            host,
            port.to_string(),
            self.config.get_dbname().unwrap_or_default().to_string(),
            self.config.get_user().unwrap_or_default().to_string(),
        ];
        String::from_utf8_lossy(&text).lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
            let fields = password_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4].iter().zip(&wanted).all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4].clone())
        })
    }

    /// Whether `text` names a PostgreSQL register rather than a database file.
    pub fn is_connection_string(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// The register as a person reads it: user, host, port and database, never the password.
    pub fn shown(&self) -> String {
        let user = self.config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
        let db = self.config.get_dbname().unwrap_or_default();
        format!("postgres://{user}{host}{port}/{db}")
    }

    fn over_unix_socket(&self) -> bool {
        #[cfg(unix)]
        {
            let hosts = self.config.get_hosts();
            !hosts.is_empty() && hosts.iter().all(|h| matches!(h, Host::Unix(_)))
        }
        #[cfg(not(unix))]
        false
    }

    /// A new connection, over TLS where required.
    pub(super) fn connect(&self) -> Result<Client> {
        let plain = self.config.get_ssl_mode() == SslMode::Disable || self.over_unix_socket();
        let client = if plain {
            // The driver would still ask a socket's server for TLS (and fail on "require"): a local socket is
            // neither encrypted nor needs to be.
            let mut config = self.config.clone();
            config.ssl_mode(SslMode::Disable);
            config.connect(NoTls)
        } else {
            let tls = crate::tls::client_config(self.ca_pem.as_deref(), "db")?;
            self.config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        };
        client.map_err(|e| self.refused(e))
    }

    /// Why a connection failed, said so that the person who set it up can act on it.
    fn refused(&self, e: postgres::Error) -> Error {
        use postgres::error::SqlState;
        let at = self.shown();
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => {
                let mut text = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    text = format!("{text}: {s}");
                    source = s.source();
                }
                text
            }
        };
        let hint = match e.code() {
            Some(c) if *c == SqlState::INVALID_PASSWORD || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                "the server refused the login: check the user name and password (PGPASSWORD or the keyring)"
            }
            Some(c) if *c == SqlState::INVALID_CATALOG_NAME => "the server has no such database: ask its administrator",
            _ if detail.contains("does not support TLS") => {
                "the server does not offer TLS: turn it on there, or say sslmode=disable for a server on this computer"
            }
            _ if detail.contains("certificate") || detail.contains("TLS") => {
                "the server's TLS certificate was not accepted: give its CA with sslrootcert=FILE"
            }
            _ => "check that the server is running and that its address and port are right",
        };
        Error::refused(format!("cannot connect to the team register {at}: {detail} ({hint})"))
    }
}

/// The five fields of a password file's line, `\:` and `\\` read as `:` and `\`.
fn password_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => match chars.next() {
                Some(next) => next,
                None => break,
            },
            ':' if fields.len() < 5 => {
                fields.push(String::new());
                continue;
            }
            c => c,
        };
        if let Some(field) = fields.last_mut() {
            field.push(c);
        }
    }
    fields
}

/// Take `name=value` out of a URL's query string or a key=value string; the rest and the value.
fn take_param(url: &str, name: &str) -> (String, Option<String>) {
    let prefix = format!("{name}=");
    if let Some((base, query)) = url.split_once('?') {
        let mut value = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| match kv.strip_prefix(&prefix) {
                Some(v) => {
                    value = Some(v.to_string());
                    false
                }
                None => true,
            })
            .collect();
        let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        return (url, value);
    }
    let mut value = None;
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|kv| match kv.strip_prefix(&prefix) {
            Some(v) => {
                value = Some(v.to_string());
                false
            }
            None => true,
        })
        .collect();
    (kept.join(" "), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_requires_tls_and_never_shows_its_password() {
        let t = Target::parse("postgres://ann:secret@db.example.org:5433/privacy").unwrap();
        assert_eq!(t.shown(), "postgres://ann@db.example.org:5433/privacy");
        assert_eq!(t.config.get_ssl_mode(), SslMode::Require);
        let t = Target::parse("postgres://ann@localhost/privacy?sslmode=disable").unwrap();
        assert_eq!(t.config.get_ssl_mode(), SslMode::Disable);
        // libpq's verifying modes, as IT departments write them: what this client always does.
        for mode in ["verify-ca", "verify-full"] {
            let t = Target::parse(&format!("postgres://ann@db.example.org/privacy?sslmode={mode}&application_name=x"))
                .unwrap();
            assert_eq!(t.config.get_ssl_mode(), SslMode::Require, "{mode}");
            let t = Target::parse(&format!("host=db.example.org dbname=privacy sslmode={mode}")).unwrap();
            assert_eq!(t.config.get_ssl_mode(), SslMode::Require, "{mode}");
        }
        assert!(Target::parse("postgres://ann@localhost").is_err(), "no database named");
        let e = Target::parse("postgres://h/db?sslrootcert=/nonexistent/ca.pem").err().unwrap();
        assert!(e.to_string().contains("sslrootcert"), "{e}");
    }

    /// A password file as libpq reads it: the first matching line, wildcards, escapes; one others may read is
    /// ignored.
    #[test]
    fn a_password_file_gives_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# team\nother.example.org:5432:*:ann:wrong\ndb.example.org:5433:privacy:ann:s\\:cr\\\\et\n*:*:*:ann:fallback\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let target = |url: &str| Target::parse(url).unwrap();
        let read = |t: &Target| {
            // The test's own environment: no PGPASSWORD, this file.
            temp_env(&file, || t.in_password_file())
        };
        assert_eq!(read(&target("postgres://ann@db.example.org:5433/privacy")).as_deref(), Some("s:cr\\et"));
        assert_eq!(read(&target("postgres://ann@elsewhere/x")).as_deref(), Some("fallback"));
        assert_eq!(read(&target("postgres://bob@db.example.org:5433/privacy")), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read(&target("postgres://ann@elsewhere/x")), None, "readable by others: not trusted");
        let kept = Target::parse("postgres://ann@db.example.org:5433/privacy").unwrap();
        assert_eq!(kept.account(), "ann@db.example.org:5433/privacy");
    }

    /// Run `f` with `PGPASSFILE` naming `file` (tests that change the environment run one at a time).
    fn temp_env<T>(file: &std::path::Path, f: impl FnOnce() -> T) -> T {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _held = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: the variable is set and removed under a lock, by this test alone.
        unsafe { std::env::set_var("PGPASSFILE", file) };
        let value = f();
        unsafe { std::env::remove_var("PGPASSFILE") };
        value
    }

    #[test]
    fn the_ca_file_is_taken_out_of_the_string() {
        assert_eq!(
            take_param("postgres://h/db?sslmode=require&sslrootcert=/x/ca.pem", "sslrootcert"),
            ("postgres://h/db?sslmode=require".to_string(), Some("/x/ca.pem".to_string()))
        );
        assert_eq!(
            take_param("host=h dbname=db sslrootcert=/x/ca.pem", "sslrootcert"),
            ("host=h dbname=db".to_string(), Some("/x/ca.pem".to_string()))
        );
        assert_eq!(take_param("postgres://h/db", "sslrootcert"), ("postgres://h/db".to_string(), None));
    }

    /// Over TCP the connection is TLS, the server's certificate checked against the CA given with `sslrootcert`;
    /// without it the certificate is refused with what to do.
    #[test]
    fn tls_is_required_and_the_server_is_checked() {
        let server = super::super::testing::server();
        let db = server.fresh_database_name();
        let ca = server.ca_file();
        let target = Target::parse(&server.tcp_url(&db, &format!("?sslrootcert={}", ca.display()))).unwrap();
        let mut client = target.connect().unwrap();
        let ssl: bool =
            client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
        assert!(ssl, "the connection is encrypted");

        let unknown = Target::parse(&server.tcp_url(&db, "")).unwrap().connect().err().unwrap().to_string();
        assert!(unknown.contains("sslrootcert"), "{unknown}");
        let mut plain = Target::parse(&server.tcp_url(&db, "?sslmode=disable")).unwrap().connect().unwrap();
        let ssl: bool =
            plain.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
        assert!(!ssl, "only when the connection string says so");
    }

    #[test]
    fn a_refused_connection_says_where_and_what_to_check() {
        // A port nothing listens on, on this computer.
        let t = Target::parse("postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2").unwrap();
        let e = t.connect().err().unwrap();
        let text = e.to_string();
        assert!(text.contains("postgres://nobody@127.0.0.1:1/none"), "{text}");
        assert!(text.contains("server is running"), "{text}");
    }
}
