//! Where the window's register is, as the "Open register…" dialog describes it: a file on this computer, or a team
//! register on a PostgreSQL server (host, port, database, login, TLS, the organisation's CA). A location becomes
//! the connection string the core opens (`store::postgres::Target`) and is read back from one to fill the dialog.
//! The officer's choice is remembered per machine (`register.json` in the app's configuration folder, 0600, never
//! a password), so the next launch opens the same register; `--db` and `RIGHTSDESK_DB` still win when given.
//!
//! Paths cross the webview in one direction only: the page is shown where the register and the CA file are, and
//! hands back a choice ([`LocationChoice`]) that names a new file by the token of the OS's dialog, or keeps the
//! one already in use, never by a path it typed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The port a PostgreSQL server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 5432;
/// The remembered choice's file, in the app's configuration folder.
const REMEMBERED: &str = "register.json";
/// A remembered choice is a few hundred bytes; anything much larger is not ours.
const REMEMBERED_LIMIT: u64 = 64 * 1024;
/// Longest host name DNS allows; database and login names are far shorter in PostgreSQL (63 bytes).
const MAX_HOST: usize = 253;
const MAX_NAME: usize = 63;

/// Whether the connection to the server is encrypted (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// TLS, the server's certificate checked against the system's roots and the CA given (`sslmode=require`).
    #[default]
    Require,
    /// No TLS: logins, passwords and every request travel in clear (`sslmode=disable`); only for a server on this
    /// computer or a network the organisation trusts.
    Disable,
}

/// A team register's server, as the dialog's fields give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamServer {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub tls: TlsMode,
    /// The organisation's CA (PEM) when the server's certificate is not signed by a public one (`sslrootcert`).
    pub ca_file: Option<PathBuf>,
}

/// Where a register is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RegisterLocation {
    /// A register file on this computer.
    ThisComputer { file: PathBuf },
    /// A team register on a PostgreSQL server.
    TeamServer(TeamServer),
}

impl TeamServer {
    /// Every field checked; the first problem named by its field, for the dialog to show under it.
    pub fn validate(&self) -> Result<()> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(Error::invalid("host", "give the server's host name or address"));
        }
        if host.len() > MAX_HOST
            || !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
        {
            return Err(Error::invalid(
                "host",
                "a host is a name such as db.example.org or an address such as 192.0.2.10 (letters, digits, dots, \
                 hyphens; colons for an IPv6 address)",
            ));
        }
        if self.port == 0 {
            return Err(Error::invalid("port", "the port is a number from 1 to 65535 (PostgreSQL's is 5432)"));
        }
        name("database", &self.database, "the register's database")?;
        name("user", &self.user, "your login on the server")?;
        if let Some(ca) = &self.ca_file {
            let text = ca.to_str().ok_or_else(|| Error::invalid("ca", "the CA file's path is not valid text"))?;
            // The path goes into the connection string as it is (`Target` reads `sslrootcert` verbatim): `&` would
            // end it.
            if text.is_empty() || text.contains('&') || text.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "ca",
                    "the CA file's path cannot hold '&' or control characters: move the file to a plainer folder",
                ));
            }
        }
        if self.tls == TlsMode::Disable && self.ca_file.is_some() {
            return Err(Error::invalid("ca", "a CA file is only used with TLS: turn TLS on, or leave the CA out"));
        }
        Ok(())
    }

    /// The connection string, without a password (the core finds it in the keyring, `PGPASSWORD` or `~/.pgpass`).
    pub fn connection_string(&self) -> Result<String> {
        self.string_with(None)
    }

    /// The connection string with `password` in it: only to open the register now, never kept or shown.
    pub fn connection_string_with_password(&self, password: &str) -> Result<String> {
        if password.chars().any(|c| c == '\0') {
            return Err(Error::invalid("password", "a password cannot hold a NUL character"));
        }
        self.string_with(Some(password))
    }

    fn string_with(&self, password: Option<&str>) -> Result<String> {
        self.validate()?;
        let host = self.host.trim();
        // An IPv6 address in a URL is bracketed.
        let host = if host.contains(':') { format!("[{}]", host.trim_matches(['[', ']'])) } else { host.to_string() };
        let user = encode(&self.user);
        let secret = password.map(|p| format!(":{}", encode(p))).unwrap_or_default();
        let mut url = format!("postgres://{user}{secret}@{host}:{}/{}", self.port, encode(&self.database));
        match self.tls {
            TlsMode::Require => url.push_str("?sslmode=require"),
            TlsMode::Disable => url.push_str("?sslmode=disable"),
        }
        if let Some(ca) = &self.ca_file {
            url.push_str("&sslrootcert=");
            url.push_str(&ca.display().to_string());
        }
        Ok(url)
    }

    /// Read a connection string back into fields (to fill the dialog): the URL form (`postgres://USER@HOST:PORT/DB?…`)
    /// or libpq's `key=value` form. A password in it is left out; other options are not kept.
    pub fn parse(text: &str) -> Result<TeamServer> {
        let text = text.trim();
        let (mut host, mut port, mut database, mut user) = (String::new(), None, String::new(), String::new());
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(rest) = text.strip_prefix("postgres://").or_else(|| text.strip_prefix("postgresql://")) {
            let (authority_path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (authority, path) = authority_path.split_once('/').unwrap_or((authority_path, ""));
            let (credentials, address) = authority.rsplit_once('@').unwrap_or(("", authority));
            user = decode(credentials.split(':').next().unwrap_or_default())?;
            let (h, p) = if let Some(inner) = address.strip_prefix('[') {
                let (h, after) =
                    inner.split_once(']').ok_or_else(|| Error::invalid("host", "an unclosed '[' in the host"))?;
                (h.to_string(), after.strip_prefix(':'))
            } else {
                match address.split_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p)),
                    None => (address.to_string(), None),
                }
            };
            host = decode(&h)?;
            port = p.filter(|p| !p.is_empty()).map(str::to_string);
            database = decode(path)?;
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                // `sslrootcert` is read verbatim, as `Target` reads it.
                let v = if k == "sslrootcert" { v.to_string() } else { decode(v)? };
                params.push((k.to_string(), v));
            }
        } else {
            for pair in text.split_whitespace() {
                let (k, v) = pair.split_once('=').ok_or_else(|| {
                    Error::invalid("db", format!("'{pair}' is not key=value in the connection string"))
                })?;
                match k {
                    "host" | "hostaddr" => host = v.to_string(),
                    "port" => port = Some(v.to_string()),
                    "dbname" => database = v.to_string(),
                    "user" => user = v.to_string(),
                    _ => params.push((k.to_string(), v.to_string())),
                }
            }
        }
        for (k, v) in &params {
            if k == "host" && host.is_empty() {
                host = v.clone();
            }
        }
        if host.starts_with('/') {
            return Err(Error::invalid(
                "host",
                "this register is reached over a local socket folder, which the dialog does not describe",
            ));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| Error::invalid("port", format!("'{p}' is not a port: a number from 1 to 65535")))?,
        };
        let param = |name: &str| params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let tls = match param("sslmode").as_deref() {
            Some("disable") => TlsMode::Disable,
            // `allow` and `prefer` fall back to clear text silently; the dialog offers only the two honest choices,
            // and a string asking for either reads as the safer one.
            None | Some("allow" | "prefer" | "require" | "verify-ca" | "verify-full") => TlsMode::Require,
            Some(other) => return Err(Error::invalid("tls", format!("'{other}' is not an sslmode PostgreSQL knows"))),
        };
        let server = TeamServer { host, port, database, user, tls, ca_file: param("sslrootcert").map(PathBuf::from) };
        server.validate()?;
        Ok(server)
    }
}

/// A database or login name: not empty, printable, not too long.
fn name(field: &str, value: &str, what: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, format!("give {what}")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, format!("{what} cannot hold control characters")));
    }
    if value.len() > MAX_NAME {
        return Err(Error::invalid(field, format!("{what} is at most {MAX_NAME} bytes long in PostgreSQL")));
    }
    Ok(())
}

/// Percent-encode everything but RFC 3986's unreserved characters: a name or password with `@`, `/`, `:`, `?`,
/// `%` or spaces reaches the server as typed.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                Error::invalid("db", "a '%' in the connection string is not followed by two hex digits")
            })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::invalid("db", "the connection string is not UTF-8 once decoded"))
}

impl RegisterLocation {
    /// What the core opens: the file's path, or the connection string (no password) as a path.
    pub fn db_path(&self) -> Result<PathBuf> {
        match self {
            RegisterLocation::ThisComputer { file } => Ok(file.clone()),
            RegisterLocation::TeamServer(s) => s.connection_string().map(PathBuf::from),
        }
    }

    /// The location of the register at `db` (a file's path or a connection string).
    pub fn of_db(db: &Path) -> Result<RegisterLocation> {
        match db.to_str().filter(|p| crate::store::postgres::Target::is_connection_string(p)) {
            Some(text) => TeamServer::parse(text).map(RegisterLocation::TeamServer),
            None => Ok(RegisterLocation::ThisComputer { file: db.to_path_buf() }),
        }
    }
}

/// The app's configuration folder on this machine (per user): where the remembered choice is kept.
pub fn config_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("org", "Rightsdesk", "Rightsdesk")
        .map(|d| d.config_dir().to_path_buf())
        .ok_or_else(|| Error::invalid("database", "no home folder: the register's place cannot be remembered"))
}

/// The register file this computer uses when nothing else is said (the OS's data folder).
pub fn default_register_file() -> Result<PathBuf> {
    directories::ProjectDirs::from("org", "Rightsdesk", "Rightsdesk")
        .map(|d| d.data_dir().join("rightsdesk.sqlite3"))
        .ok_or_else(|| Error::invalid("database", "no home folder: give --db PATH or set RIGHTSDESK_DB"))
}

/// The choice remembered in `dir`, if there is one that reads.
pub fn remembered_in(dir: &Path) -> Result<Option<RegisterLocation>> {
    let path = dir.join(REMEMBERED);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = crate::files::read_input(&path, REMEMBERED_LIMIT)?;
    let location: RegisterLocation = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid("database", format!("{} cannot be read ({e}): remove it", path.display())))?;
    if let RegisterLocation::TeamServer(s) = &location {
        s.validate()?;
    }
    Ok(Some(location))
}

/// Remember `location` in `dir` for the next launch (0600; never a password: a location holds none).
pub fn remember_in(dir: &Path, location: &RegisterLocation) -> Result<()> {
    crate::safe_file::private_dir(dir)?;
    let json = serde_json::to_vec_pretty(location)
        .map_err(|e| Error::invalid("database", format!("the register's place cannot be written: {e}")))?;
    crate::safe_file::write(&dir.join(REMEMBERED), crate::safe_file::Existing::Replace, &json).map(drop)
}

/// The register the window opens at launch.
#[derive(Debug)]
pub struct Startup {
    pub db: PathBuf,
    /// `--db` or `RIGHTSDESK_DB` named it (a choice made in the window lasts only until they are dropped).
    pub set_at_launch: bool,
    /// A remembered choice that could not be read, and so was passed over (for the app to say so).
    pub passed_over: Option<Error>,
}

/// `--db` (`given`), else `RIGHTSDESK_DB`, else the choice remembered on this machine, else the OS's data folder.
pub fn startup_db(given: Option<&Path>) -> Result<Startup> {
    let env_given = std::env::var_os("RIGHTSDESK_DB").is_some_and(|p| !p.is_empty());
    if given.is_some() || env_given {
        let db = super::resolve_db_path(given)?;
        return Ok(Startup { db, set_at_launch: true, passed_over: None });
    }
    let remembered = config_dir().and_then(|dir| remembered_in(&dir)).and_then(|l| l.map(|l| l.db_path()).transpose());
    match remembered {
        Ok(Some(db)) => Ok(Startup { db, set_at_launch: false, passed_over: None }),
        // A damaged file does not keep the app from starting: it opens the default register.
        Ok(None) | Err(_) => {
            Ok(Startup { db: default_register_file()?, set_at_launch: false, passed_over: remembered.err() })
        }
    }
}

/// Why a team register could not be reached, as the dialog tells it: the field to look at, and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionProblem {
    /// Nothing answered at the host and port (wrong address, server down, a firewall).
    Unreachable,
    /// The server's TLS certificate was not accepted (its CA not given, or not the one that signed it).
    Certificate,
    /// The server offers no TLS.
    NoTls,
    /// The server refused the login or its password.
    Login,
    /// The server has no such database.
    Database,
}

impl ConnectionProblem {
    /// The problem behind a refusal to open a team register (`store::postgres::Target` says what to check in each).
    pub fn of(e: &Error) -> Option<ConnectionProblem> {
        let Error::Refused { reason } = e else { return None };
        if !reason.starts_with("cannot connect to the team register") {
            return None;
        }
        Some(if reason.contains("refused the login") {
            ConnectionProblem::Login
        } else if reason.contains("no such database") {
            ConnectionProblem::Database
        } else if reason.contains("does not offer TLS") {
            ConnectionProblem::NoTls
        } else if reason.contains("certificate was not accepted") {
            ConnectionProblem::Certificate
        } else {
            ConnectionProblem::Unreachable
        })
    }

    /// What the server or the network said, without the register's address and the command line's advice around it.
    pub fn detail(e: &Error) -> String {
        let text = e.to_string();
        let inner = text
            .strip_prefix("cannot connect to the team register ")
            .and_then(|rest| rest.split_once(": ").map(|(_, detail)| detail))
            .unwrap_or(&text);
        inner.rsplit_once(" (").map_or(inner, |(detail, _)| detail).to_string()
    }

    /// The dialog's field the problem is shown under.
    pub fn field(self) -> &'static str {
        match self {
            ConnectionProblem::Unreachable => "host",
            ConnectionProblem::Certificate => "ca",
            ConnectionProblem::NoTls => "tls",
            ConnectionProblem::Login => "password",
            ConnectionProblem::Database => "database",
        }
    }

    /// The window's message for it (`register.problem.*`, with `server`, `user`, `database` and `detail`).
    pub fn key(self) -> &'static str {
        match self {
            ConnectionProblem::Unreachable => "register.problem.unreachable",
            ConnectionProblem::Certificate => "register.problem.certificate",
            ConnectionProblem::NoTls => "register.problem.noTls",
            ConnectionProblem::Login => "register.problem.login",
            ConnectionProblem::Database => "register.problem.database",
        }
    }
}

/// Where the dialog says a register is (no path flows back from the page).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LocationView {
    ThisComputer {
        /// The file's path, to read.
        file: String,
        /// Whether it is this computer's default register file.
        is_default: bool,
    },
    TeamServer {
        host: String,
        port: u16,
        database: String,
        user: String,
        tls: TlsMode,
        /// The CA file's path, if one is given.
        ca_file: Option<String>,
        /// The register as a person reads it (`postgres://user@host:port/db`).
        server: String,
    },
}

impl LocationView {
    pub fn of(location: &RegisterLocation) -> LocationView {
        match location {
            RegisterLocation::ThisComputer { file } => LocationView::ThisComputer {
                file: file.display().to_string(),
                is_default: default_register_file().is_ok_and(|d| &d == file),
            },
            RegisterLocation::TeamServer(s) => LocationView::TeamServer {
                host: s.host.clone(),
                port: s.port,
                database: s.database.clone(),
                user: s.user.clone(),
                tls: s.tls,
                ca_file: s.ca_file.as_ref().map(|p| p.display().to_string()),
                server: format!("postgres://{}@{}:{}/{}", s.user, s.host, s.port, s.database),
            },
        }
    }
}

/// Which register file on this computer.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum FileChoice {
    /// This computer's default register file.
    Default,
    /// The file of the register open now.
    Current,
    /// A file picked in the OS's dialog, by its token.
    Chosen(String),
}

/// The CA file of a team server.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum CaChoice {
    /// None: the server's certificate is signed by a CA the system trusts.
    None,
    /// The CA file the register open now uses.
    Current,
    /// A file picked in the OS's dialog, by its token.
    Chosen(String),
}

/// What the officer filled in the dialog.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LocationChoice {
    ThisComputer { file: FileChoice },
    TeamServer { host: String, port: u16, database: String, user: String, tls: TlsMode, ca: CaChoice },
}

impl LocationChoice {
    /// The location chosen; `current` is the register's location now (for "the same file", "the same CA").
    /// Tokens are resolved through `resolve_token` (the process's registry of files chosen in the OS's dialog).
    pub fn resolve(
        self,
        current: Option<&RegisterLocation>,
        resolve_token: impl Fn(&str) -> Result<PathBuf>,
    ) -> Result<RegisterLocation> {
        match self {
            LocationChoice::ThisComputer { file } => {
                let file = match file {
                    FileChoice::Default => default_register_file()?,
                    FileChoice::Current => match current {
                        Some(RegisterLocation::ThisComputer { file }) => file.clone(),
                        _ => return Err(Error::invalid("file", "choose the register file")),
                    },
                    FileChoice::Chosen(token) => resolve_token(&token)?,
                };
                Ok(RegisterLocation::ThisComputer { file })
            }
            LocationChoice::TeamServer { host, port, database, user, tls, ca } => {
                let ca_file = match ca {
                    CaChoice::None => None,
                    CaChoice::Current => match current {
                        Some(RegisterLocation::TeamServer(s)) if s.ca_file.is_some() => s.ca_file.clone(),
                        _ => return Err(Error::invalid("ca", "choose the server's CA file again")),
                    },
                    CaChoice::Chosen(token) => {
                        Some(resolve_token(&token).map_err(|e| Error::invalid("ca", e.to_string()))?)
                    }
                };
                let server = TeamServer { host: host.trim().to_string(), port, database, user, tls, ca_file };
                server.validate()?;
                Ok(RegisterLocation::TeamServer(server))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> TeamServer {
        TeamServer {
            host: "db.example.org".into(),
            port: 5433,
            database: "privacy".into(),
            user: "ann".into(),
            tls: TlsMode::Require,
            ca_file: Some(PathBuf::from("/etc/org/ca.pem")),
        }
    }

    #[test]
    fn a_server_becomes_a_connection_string_and_back() {
        let s = server();
        let url = s.connection_string().unwrap();
        assert_eq!(url, "postgres://ann@db.example.org:5433/privacy?sslmode=require&sslrootcert=/etc/org/ca.pem");
        assert_eq!(TeamServer::parse(&url).unwrap(), s);
        let plain = TeamServer { tls: TlsMode::Disable, ca_file: None, ..server() };
        let url = plain.connection_string().unwrap();
        assert_eq!(url, "postgres://ann@db.example.org:5433/privacy?sslmode=disable");
        assert_eq!(TeamServer::parse(&url).unwrap(), plain);
    }

    /// What the core itself parses the string to: the same user, database, port and TLS; the password never kept.
    #[test]
    fn names_and_passwords_with_url_characters_reach_the_server_as_typed() {
        let s = TeamServer {
            host: "127.0.0.1".into(),
            port: 5432,
            database: "priv acy/é".into(),
            user: "ann@org:x".into(),
            tls: TlsMode::Disable,
            ca_file: None,
        };
        let url = s.connection_string_with_password("p@ss:w/rd?%&").unwrap();
        let config: postgres::Config = url.parse().unwrap();
        assert_eq!(config.get_user(), Some("ann@org:x"));
        assert_eq!(config.get_dbname(), Some("priv acy/é"));
        assert_eq!(config.get_password(), Some(&b"p@ss:w/rd?%&"[..]));
        assert_eq!(config.get_ports(), &[5432]);
        let back = TeamServer::parse(&url).unwrap();
        assert_eq!(back, s, "read back without its password");
        let target = crate::store::postgres::Target::parse(&s.connection_string().unwrap()).unwrap();
        assert_eq!(target.account(), "ann@org:x@127.0.0.1:5432/priv acy/é");
    }

    #[test]
    fn a_missing_or_hostile_field_is_refused_under_its_field() {
        let field = |s: TeamServer| match s.connection_string() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        };
        assert_eq!(field(TeamServer { host: " ".into(), ..server() }), "host");
        assert_eq!(field(TeamServer { host: "db/evil?sslmode=disable".into(), ..server() }), "host");
        assert_eq!(field(TeamServer { host: "db.exa\tmple.org".into(), ..server() }), "host");
        assert_eq!(field(TeamServer { port: 0, ..server() }), "port");
        assert_eq!(field(TeamServer { database: "".into(), ..server() }), "database");
        assert_eq!(field(TeamServer { database: "a\u{7}b".into(), ..server() }), "database");
        assert_eq!(field(TeamServer { user: "".into(), ..server() }), "user");
        assert_eq!(field(TeamServer { user: "x".repeat(64), ..server() }), "user");
        assert_eq!(field(TeamServer { ca_file: Some("/x/a&sslmode=disable".into()), ..server() }), "ca");
        assert_eq!(field(TeamServer { tls: TlsMode::Disable, ..server() }), "ca");
        assert!(server().connection_string_with_password("a\0b").is_err());
    }

    #[test]
    fn existing_strings_fill_the_dialog() {
        let s = TeamServer::parse("postgresql://ann:secret@db.example.org/privacy").unwrap();
        assert_eq!((s.port, s.tls, s.ca_file), (DEFAULT_PORT, TlsMode::Require, None));
        let s = TeamServer::parse("host=db.example.org port=6000 dbname=privacy user=ann sslmode=disable").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.tls), ("db.example.org", 6000, TlsMode::Disable));
        let s = TeamServer::parse("postgres://ann@[::1]:5433/privacy?sslmode=prefer").unwrap();
        assert_eq!((s.host.as_str(), s.tls), ("::1", TlsMode::Require));
        assert_eq!(s.connection_string().unwrap(), "postgres://ann@[::1]:5433/privacy?sslmode=require");
        assert!(TeamServer::parse("postgres://ann@h:99999/x").is_err());
        assert!(TeamServer::parse("postgres://ann@h/x?sslmode=sometimes").is_err());
        assert!(TeamServer::parse("host=/run/postgresql dbname=x user=y").is_err(), "a socket folder");
        let at = RegisterLocation::of_db(Path::new("/home/ann/r.sqlite3")).unwrap();
        assert_eq!(at, RegisterLocation::ThisComputer { file: "/home/ann/r.sqlite3".into() });
    }

    /// Each refusal `Target` words is told apart, from what the server really answers where it can be provoked here.
    #[test]
    fn a_refused_connection_is_told_by_what_to_check() {
        let unreachable = crate::store::postgres::Target::parse(
            "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
        )
        .and_then(|t| crate::store::postgres::Postgres::open(t, "2026-11-22T00:00:00Z").map(drop))
        .err()
        .unwrap();
        assert_eq!(ConnectionProblem::of(&unreachable), Some(ConnectionProblem::Unreachable), "{unreachable}");
        let detail = ConnectionProblem::detail(&unreachable);
        assert!(!detail.contains("postgres://") && !detail.contains("check that"), "{detail}");
        assert!(!detail.is_empty());
        let said = |hint: &str| {
            ConnectionProblem::of(&Error::refused(format!(
                "cannot connect to the team register postgres://a@h:1/d: detail ({hint})"
            )))
        };
        assert_eq!(said("the server refused the login: check"), Some(ConnectionProblem::Login));
        assert_eq!(said("the server has no such database: ask"), Some(ConnectionProblem::Database));
        assert_eq!(said("the server does not offer TLS: turn"), Some(ConnectionProblem::NoTls));
        assert_eq!(said("the server's TLS certificate was not accepted: give"), Some(ConnectionProblem::Certificate));
        assert_eq!(ConnectionProblem::of(&Error::refused("the register is busy")), None);
        assert_eq!(ConnectionProblem::Login.field(), "password");
    }

    #[test]
    fn the_choice_is_remembered_privately_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        assert_eq!(remembered_in(&config).unwrap(), None);
        let team = RegisterLocation::TeamServer(server());
        remember_in(&config, &team).unwrap();
        assert_eq!(remembered_in(&config).unwrap(), Some(team));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(config.join(REMEMBERED)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(config.join(REMEMBERED)).unwrap();
        assert!(!text.contains("password"), "{text}");
        let file = RegisterLocation::ThisComputer { file: dir.path().join("r.sqlite3") };
        remember_in(&config, &file).unwrap();
        assert_eq!(remembered_in(&config).unwrap(), Some(file));
        std::fs::write(config.join(REMEMBERED), b"{\"kind\":\"team-server\",\"host\":\"\"}").unwrap();
        assert!(remembered_in(&config).is_err(), "a damaged file is said, not used");
    }

    #[test]
    fn a_choice_names_new_files_only_by_token() {
        let tokens = |t: &str| match t {
            "tok" => Ok(PathBuf::from("/picked/ca.pem")),
            _ => Err(Error::invalid("file", "choose it again")),
        };
        let team = |ca| LocationChoice::TeamServer {
            host: " db.example.org ".into(),
            port: 5433,
            database: "privacy".into(),
            user: "ann".into(),
            tls: TlsMode::Require,
            ca,
        };
        let current = RegisterLocation::TeamServer(server());
        let picked = team(CaChoice::Chosen("tok".into())).resolve(Some(&current), tokens).unwrap();
        let RegisterLocation::TeamServer(s) = picked else { panic!() };
        assert_eq!((s.host.as_str(), s.ca_file), ("db.example.org", Some(PathBuf::from("/picked/ca.pem"))));
        let kept = team(CaChoice::Current).resolve(Some(&current), tokens).unwrap();
        assert_eq!(kept, current);
        let e = team(CaChoice::Current).resolve(None, tokens).err().unwrap();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "ca"), "{e}");
        let e = team(CaChoice::Chosen("old".into())).resolve(None, tokens).err().unwrap();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "ca"), "{e}");
        let file = LocationChoice::ThisComputer { file: FileChoice::Chosen("tok".into()) };
        assert_eq!(
            file.resolve(None, tokens).unwrap(),
            RegisterLocation::ThisComputer { file: "/picked/ca.pem".into() }
        );
        let same = LocationChoice::ThisComputer { file: FileChoice::Current };
        assert!(same.resolve(Some(&current), tokens).is_err(), "the current register is not a file");
    }
}
