//! Helpers shared by the integration tests: run the real `rightsdesk` binary, as a user or a script would.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The throwaway PostgreSQL server the team edition's tests share (the core's own tests use the same file).
#[path = "../../src/store/postgres/test_server.rs"]
pub mod pg_server;

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rightsdesk"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "command failed: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The command succeeded (its output is not needed).
    pub fn ok(&self) {
        assert_eq!(self.code, 0, "command failed: {}", self.stderr);
    }

    /// The contract for bad input: non-zero exit, nothing on stdout, one line on stderr that mentions `needle`.
    pub fn assert_error(&self, needle: &str) {
        assert_ne!(self.code, 0, "expected failure, got stdout {}", self.stdout);
        assert!(self.stdout.is_empty(), "stdout must be empty on error: {}", self.stdout);
        assert_eq!(self.stderr.trim_end().lines().count(), 1, "one stderr line expected: {:?}", self.stderr);
        assert!(self.stderr.contains(needle), "stderr {:?} should mention {needle:?}", self.stderr);
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn run(args: &[&str]) -> Run {
    finish(command().args(args).env_remove("RIGHTSDESK_DB").output().expect("run rightsdesk"))
}

/// The binary, making plain registers (see [`PLAIN`]).
pub fn command() -> Command {
    let mut cmd = Command::new(bin());
    cmd.env(PLAIN.0, PLAIN.1);
    cmd
}

/// Run against a given database file.
pub fn run_db(db: &Path, args: &[&str]) -> Run {
    let mut full = vec!["--db", db.to_str().expect("utf-8 path")];
    full.extend_from_slice(args);
    run(&full)
}

/// The registers these tests make are plain, as asked for explicitly (creating one without a key is refused), unless
/// a test gives a passphrase (`RIGHTSDESK_PASSPHRASE`), which makes a new register encrypted: the vault's tests
/// (`vault.rs`) do, the rest test everything else on a plain file they can open with `sqlite3`.
pub const PLAIN: (&str, &str) = ("RIGHTSDESK_UNENCRYPTED", "1");

/// Run against a database with "today" fixed, as the app's clock would be.
pub fn run_now(db: &Path, today: &str, args: &[&str]) -> Run {
    run_env(db, today, args, &[])
}

/// As `run_now`, with more environment variables (a passphrase, a password).
pub fn run_env(db: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command();
    cmd.arg("--db").arg(db).args(args).env("RIGHTSDESK_NOW", today).envs(env.iter().copied());
    finish(cmd.output().expect("run rightsdesk"))
}

/// A register in a temporary folder of its own, with "today" fixed as the app's clock would give it: the fixture
/// every file of these tests starts from. The folder (and the register's own folder of files beside the database)
/// goes when the value is dropped.
pub struct Register {
    dir: tempfile::TempDir,
    pub db: PathBuf,
    today: String,
}

impl Register {
    /// A new, empty register (`r.sqlite3`; the first command creates the file).
    pub fn new(today: &str) -> Register {
        // The suites that run on both engines run again on the team server with RIGHTSDESK_TEST_ENGINE=postgres.
        if std::env::var("RIGHTSDESK_TEST_ENGINE").as_deref() == Ok("postgres") {
            return Register::on_postgres(today);
        }
        Register::with_file(today, "r.sqlite3")
    }

    /// A new, empty team register: a fresh database on the test PostgreSQL server, reached over TLS (the test CA
    /// given as `sslrootcert`). The temporary folder holds the files a test writes.
    pub fn on_postgres(today: &str) -> Register {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let server = pg_server::server();
        let name = server.fresh_database_name();
        let url = server.tcp_url(&name, &format!("?sslrootcert={}", server.ca_file().display()));
        Register { dir, db: PathBuf::from(url), today: today.to_string() }
    }

    /// A team register whose owner is an ordinary login that may create roles (as an IT department sets one up),
    /// not the server's superuser (which no role or policy binds); the owner's register and a maker of the other
    /// logins' connection strings.
    pub fn owned_on_postgres(today: &str) -> (Register, impl Fn(&str) -> String + Send + Clone + 'static) {
        let server = pg_server::server();
        let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let owner = format!("own_{tag}");
        let database = format!("team_{tag}");
        let mut admin = server.client("postgres");
        admin.batch_execute(&format!("CREATE ROLE {owner} LOGIN CREATEROLE")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {database} OWNER {owner}")).unwrap();
        let url = server.tcp_url(&database, &format!("?sslrootcert={}", server.ca_file().display()));
        let as_login = move |login: &str| url.replacen("postgres://postgres@", &format!("postgres://{login}@"), 1);
        let reg = Register::on_postgres(today).at_url(&as_login(&owner));
        (reg, as_login)
    }

    /// The same register reached at `url` (another login), with a temporary folder of its own.
    pub fn at_url(&self, url: &str) -> Register {
        let dir = tempfile::tempdir().expect("a temporary folder");
        Register { dir, db: PathBuf::from(url), today: self.today.clone() }
    }

    /// As `new`, with the database file named `name` in the temporary folder.
    pub fn with_file(today: &str, name: &str) -> Register {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = dir.path().join(name);
        Register { dir, db, today: today.to_string() }
    }

    /// The temporary folder that holds the database (and any file a test writes beside it).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the temporary folder.
    pub fn path(&self, name: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write a file into the temporary folder; its path as a command-line argument.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, content).expect("write a test file");
        path.to_str().expect("utf-8 path").to_string()
    }

    /// Run `rightsdesk --db <register> ARGS` on the register's today.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Run on another day (or instant: `2026-01-20T12:00:00Z`).
    pub fn at(&self, now: &str, args: &[&str]) -> Run {
        self.exec(now, args, &[])
    }

    /// Run with more environment variables (a passphrase, a password). An SMTP password from the environment the
    /// tests run in is never passed on: a test that wants one gives it here.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.exec(&self.today, args, env)
    }

    /// Run with `input` typed on standard input (a passphrase or password read with `--…-stdin`).
    pub fn run_input(&self, args: &[&str], input: &str) -> Run {
        with_input(self.command(&self.today, args, &[]), input)
    }

    fn exec(&self, now: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        finish(self.command(now, args, env).output().expect("run rightsdesk"))
    }

    fn command(&self, now: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = command();
        cmd.arg("--db").arg(&self.db).args(args).env("RIGHTSDESK_NOW", now);
        cmd.env_remove("RIGHTSDESK_SMTP_PASSWORD").envs(env.iter().copied());
        cmd
    }

    /// The command, not yet run (to be killed half-way, say), on this register's today with `env`.
    pub fn command_env(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = self.command(&self.today, args, env);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        cmd
    }

    /// `settings organisation` with these `(--option, value)` pairs.
    pub fn organisation(&self, fields: &[(&str, &str)]) {
        let mut args = vec!["settings", "organisation"];
        args.extend(fields.iter().flat_map(|(k, v)| [*k, *v]));
        self.run(&args).ok();
    }

    /// A request to log in this register on its today: `reg.request().kind("access")…add()`.
    pub fn request(&self) -> NewRequest {
        request(&self.db, &self.today)
    }

    /// The register's own folder of files (attachments/, evidence/, letterhead/).
    pub fn files_dir(&self) -> PathBuf {
        files_dir(&self.db)
    }
}

/// As `run_now`, with `input` typed on standard input.
pub fn run_input(db: &Path, today: &str, args: &[&str], input: &str) -> Run {
    let mut cmd = command();
    cmd.arg("--db").arg(db).args(args).env("RIGHTSDESK_NOW", today);
    with_input(cmd, input)
}

fn with_input(mut cmd: Command, input: &str) -> Run {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run rightsdesk");
    let mut stdin = child.stdin.take().expect("a piped stdin");
    stdin.write_all(input.as_bytes()).expect("write to rightsdesk");
    // Closed before waiting, so a reader that wants more sees the end of its input.
    drop(stdin);
    finish(child.wait_with_output().expect("run rightsdesk"))
}

/// A request to log in the register `db` on `today`, for tests that keep several database files.
pub fn request(db: &Path, today: &str) -> NewRequest {
    NewRequest { db: db.to_path_buf(), today: today.to_string(), args: Vec::new(), env: Vec::new() }
}

/// `request add --json` built option by option; only the options given are passed, so the command's own defaults
/// and checks apply as they would to a person typing it.
#[must_use]
pub struct NewRequest {
    db: PathBuf,
    today: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl NewRequest {
    pub fn kind(self, kind: &str) -> Self {
        self.opt("--kind", kind)
    }

    pub fn regime(self, regime: &str) -> Self {
        self.opt("--regime", regime)
    }

    /// `--regime eu-gdpr --calendar CALENDAR`.
    pub fn gdpr(self, calendar: &str) -> Self {
        self.regime("eu-gdpr").calendar(calendar)
    }

    pub fn calendar(self, calendar: &str) -> Self {
        self.opt("--calendar", calendar)
    }

    pub fn received(self, date: &str) -> Self {
        self.opt("--received", date)
    }

    pub fn name(self, name: &str) -> Self {
        self.opt("--name", name)
    }

    pub fn email(self, email: &str) -> Self {
        self.opt("--email", email)
    }

    /// `--name NAME --email EMAIL`.
    pub fn who(self, name: &str, email: &str) -> Self {
        self.name(name).email(email)
    }

    /// Any other option with its value.
    pub fn opt(mut self, option: &str, value: &str) -> Self {
        self.args.extend([option.to_string(), value.to_string()]);
        self
    }

    /// Options as they would be typed (`&["--description", "…"]`, a flag on its own).
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// With these environment variables (a passphrase: the register is encrypted, or is made so).
    pub fn env(mut self, env: &[(&str, &str)]) -> Self {
        self.env.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// Log it on another day than the register's today.
    pub fn on(mut self, today: &str) -> Self {
        self.today = today.to_string();
        self
    }

    /// Run `request add --json`, whatever it answers (a refusal is checked with `assert_error`).
    pub fn run(self) -> Run {
        let mut args = vec!["request", "add", "--json"];
        args.extend(self.args.iter().map(String::as_str));
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_env(&self.db, &self.today, &args, &env)
    }

    /// Log it; the request as `request add --json` shows it.
    pub fn json(self) -> serde_json::Value {
        self.run().json()
    }

    /// Log it; its reference.
    pub fn add(self) -> String {
        self.json()["reference"].as_str().expect("a reference").to_string()
    }
}

/// A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd with the sink in tests/fixtures/smtp_sink.py).
pub mod smtp {
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    const PYTHON: &str = "/usr/bin/python3";

    pub struct Server {
        child: Child,
        pub port: u16,
        dir: PathBuf,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn start(dir: &Path, faults: &str, tls: Option<(&Path, &Path)>) -> Server {
        let port = free_port();
        let sink = dir.join("received");
        std::fs::create_dir_all(&sink).unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut cmd = Command::new(PYTHON);
        cmd.args(["-m", "aiosmtpd", "-n", "-c", "smtp_sink.Sink", "-l", &format!("127.0.0.1:{port}")])
            .env("PYTHONPATH", fixtures)
            .env("SINK_DIR", &sink)
            .env("SINK_FAULTS", faults)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((cert, key)) = tls {
            cmd.args(["--tlscert", cert.to_str().unwrap(), "--tlskey", key.to_str().unwrap()]);
        }
        let child = cmd.spawn().expect("python3-aiosmtpd (apt install python3-aiosmtpd)");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child, port, dir: sink }
    }

    pub fn received(server: &Server) -> Vec<(String, String)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&server.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| (std::fs::read_to_string(p).unwrap(), std::fs::read_to_string(p.with_extension("rcpt")).unwrap()))
            .collect()
    }
}

/// A test CA and a server certificate for localhost signed by it (rustls refuses a self-signed server certificate):
/// the CA, the certificate and its key.
pub fn make_ca(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    pg_server::make_certificates(dir)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
    }
    out
}

/// The register's own folder of files (attachments/, evidence/, letterhead/), as `settings register` reports it.
pub fn files_dir(db: &Path) -> PathBuf {
    let v = run_db(db, &["settings", "register", "--json"]).json();
    PathBuf::from(v["files"].as_str().expect("the register's folder"))
}

/// A real IMAP server on 127.0.0.1: Debian's dovecot-imapd as a throwaway instance, its configuration, state, log,
/// users and mail under one temporary folder; TLS from the test CA (`make_ca`), implicit (`tls_port`) and STARTTLS
/// (`starttls_port`). Stopped when dropped.
pub mod dovecot {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    pub const USER: &str = "privacy";
    pub const PASSWORD: &str = "imap test password 1";

    pub struct Dovecot {
        conf: PathBuf,
        pub tls_port: u16,
        pub starttls_port: u16,
        pub dir: PathBuf,
    }

    impl Drop for Dovecot {
        fn drop(&mut self) {
            let _ = Command::new("dovecot")
                .arg("-c")
                .arg(&self.conf)
                .arg("stop")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    /// Start it in `dir` (made readable to Dovecot's own users), serving `cert`/`key`.
    pub fn start(dir: &Path, cert: &Path, key: &Path) -> Dovecot {
        let dir = dir.join("dovecot");
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        // Dovecot's processes run as its own users: they must reach the folder (a test's temporary one is 0700).
        let mut up = Some(dir.as_path());
        while let Some(p) = up {
            if p == Path::new("/") || p == Path::new("/tmp") {
                break;
            }
            let mode = std::fs::metadata(p).unwrap().permissions().mode();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode | 0o755)).unwrap();
            up = p.parent();
        }
        let ok = Command::new("chown").args(["-R", "dovenull:dovenull"]).arg(dir.join("home")).status().unwrap();
        assert!(ok.success());
        std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n")).unwrap();
        std::fs::set_permissions(dir.join("passwd"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let (tls_port, starttls_port) = (free_port(), free_port());
        let d = dir.display();
        let conf = dir.join("dovecot.conf");
        std::fs::write(
            &conf,
            format!(
                "protocols = imap\n\
                 listen = 127.0.0.1\n\
                 base_dir = {d}/run\n\
                 state_dir = {d}/state\n\
                 log_path = {d}/dovecot.log\n\
                 info_log_path = {d}/dovecot.log\n\
                 ssl = required\n\
                 ssl_cert = <{cert}\n\
                 ssl_key = <{key}\n\
                 disable_plaintext_auth = yes\n\
                 auth_mechanisms = plain login\n\
                 first_valid_uid = 1\n\
                 mail_location = maildir:~/Maildir\n\
                 namespace inbox {{\n  inbox = yes\n  separator = /\n  mailbox Sent {{\n    special_use = \\Sent\n    auto = create\n  }}\n  mailbox Handled {{\n    auto = create\n  }}\n}}\n\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
                 userdb {{\n  driver = static\n  args = uid=dovenull gid=dovenull home={d}/home/%u\n}}\n\
                 service imap-login {{\n  inet_listener imap {{\n    port = {starttls_port}\n  }}\n  inet_listener imaps {{\n    port = {tls_port}\n    ssl = yes\n  }}\n}}\n",
                cert = cert.display(),
                key = key.display(),
            ),
        )
        .unwrap();
        // Its daemons must not hold the test's output open (a reader of it would wait for ever).
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(&conf)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("dovecot (apt install dovecot-imapd)");
        assert!(
            status.success(),
            "dovecot did not start: {}",
            std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default()
        );
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", tls_port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "dovecot did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Dovecot { conf, tls_port, starttls_port, dir }
    }
}
