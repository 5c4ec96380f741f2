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
    let mut full = vec!["--db", db.to_str().expect("utf-8 path")];
    full.extend_from_slice(args);
    finish(Command::new(bin()).args(&full).env("RIGHTSDESK_NOW", today).output().expect("run rightsdesk"))
}
