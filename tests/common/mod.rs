//! Helpers shared by the integration tests: run the real `rightsdesk` binary, as a user or a script would.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    finish(Command::new(bin()).args(args).env_remove("RIGHTSDESK_DB").output().expect("run rightsdesk"))
}

/// Run against a given database file.
pub fn run_db(db: &Path, args: &[&str]) -> Run {
    let mut full = vec!["--db", db.to_str().expect("utf-8 path")];
    full.extend_from_slice(args);
    run(&full)
}

/// Run against a database with "today" fixed, as the app's clock would be.
pub fn run_now(db: &Path, today: &str, args: &[&str]) -> Run {
    run_env(db, today, args, &[])
}

/// As `run_now`, with more environment variables (a passphrase, a password).
pub fn run_env(db: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.arg("--db").arg(db).args(args).env("RIGHTSDESK_NOW", today).envs(env.iter().copied());
    finish(cmd.output().expect("run rightsdesk"))
}

/// An EU GDPR request as the tests log it: `request add --json` with these facts and any `extra` options.
pub struct Gdpr<'a> {
    pub kind: &'a str,
    pub calendar: &'a str,
    pub received: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

impl Gdpr<'_> {
    /// Log it on `today`; returns its reference.
    pub fn add(&self, db: &Path, today: &str, extra: &[&str]) -> String {
        let mut args = vec!["request", "add", "--json", "--kind", self.kind, "--regime", "eu-gdpr"];
        args.extend(["--calendar", self.calendar, "--received", self.received, "--name", self.name]);
        args.extend(["--email", self.email]);
        args.extend_from_slice(extra);
        run_now(db, today, &args).json()["reference"].as_str().expect("a reference").to_string()
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

/// The register's own folder of files (attachments/, evidence/, letterhead/), as `settings register` reports it.
pub fn files_dir(db: &Path) -> PathBuf {
    let v = run_db(db, &["settings", "register", "--json"]).json();
    PathBuf::from(v["files"].as_str().expect("the register's folder"))
}
