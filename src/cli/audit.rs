//! `rightsdesk audit`: verify the audit trail, sign checkpoints of its head, manage the signing key, export anchors.

use std::path::PathBuf;

use clap::Subcommand;
use rightsdesk::desk::{AuditKeyStatus, ChainReport, CheckpointInfo};

use super::{Ctx, Failure, json};
use rightsdesk::ops::{self, Operation, SaveTo};

#[derive(Subcommand)]
pub enum Command {
    /// Check the whole trail: every link of the chain, each purge's record, every request row against its last
    /// event, the append-only triggers, the signed checkpoints; exit 1 and say what does not hold.
    Verify(ops::audit::VerifyAudit),
    /// The register's own events, newest first: who changed which setting when, the signing key, copies, repairs.
    History(ops::audit::ListRegisterEvents),
    /// Sign a checkpoint of the chain's head now.
    Checkpoint,
    /// Sign the head and write it to a file to keep outside the register.
    Anchor {
        /// The file to write the signed head to (keep it outside the register: another disk, an email to yourself).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// The signing key of the checkpoints.
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Make the register's signing key: in the OS keyring, or sealed with a passphrase read from standard input.
    Setup {
        /// Seal the key with a passphrase (one line on standard input) instead of the OS keyring. (The global
        /// --passphrase-stdin is the register's own passphrase.)
        #[arg(long)]
        key_passphrase_stdin: bool,
    },
    /// Whether a key is set up, where it is kept, and the newest checkpoint.
    Status,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Verify(op) => {
            let report = op.run(&desk)?;
            if !report.ok {
                let message = if ctx.json { json(&report)? } else { broken(&report) };
                // With --json the report goes to stdout, and the exit code still says it failed.
                return Err(Failure { message, code: 1, stdout: ctx.json });
            }
            if ctx.json { json(&report) } else { Ok(intact(&report)) }
        }
        Command::History(op) => ctx.show(&op.run(&desk)?, |h| {
            if h.events.is_empty() {
                return "no settings changes or other register events recorded yet".into();
            }
            let line = |e: &rightsdesk::store::Event| format!("{} #{} {} {} {}", e.at, e.seq, e.actor, e.kind, e.data);
            h.events.iter().map(line).collect::<Vec<_>>().join("\n")
        }),
        Command::Checkpoint => match desk.checkpoint("on request")? {
            Some(cp) if ctx.json => json(&cp),
            Some(cp) => Ok(signed("checkpoint signed", &cp)),
            None => Err(Failure::from(
                "no checkpoint signed: no signing key is set up (`rightsdesk audit key setup`), or it is sealed and \
                 RIGHTSDESK_AUDIT_PASSPHRASE is not set",
            )),
        },
        Command::Anchor { out, force } => {
            let done = ops::audit::ExportAnchor { save: SaveTo { out: Some(out), force } }.run(&desk)?;
            ctx.show(&done.checkpoint, |cp| signed(&format!("anchor written to {}", done.file), cp))
        }
        Command::Key(KeyCommand::Setup { key_passphrase_stdin }) => {
            let passphrase = if key_passphrase_stdin { Some(super::secret_from_stdin("passphrase")?) } else { None };
            // The buffer itself moves into the op, which wipes it when dropped.
            let passphrase = passphrase.map(|mut p| std::mem::take(&mut *p));
            ctx.show(&ops::audit::SetUpAuditKey { passphrase }.run(&desk)?, key_status)
        }
        Command::Key(KeyCommand::Status) => ctx.show(&ops::audit::GetAuditKeyStatus.run(&desk)?, key_status),
    }
}

fn broken(r: &ChainReport) -> String {
    let mut problems = vec![];
    if let Some(b) = &r.first_break {
        problems.push(format!(
            "audit chain broken at event #{} ({}, request {}): {}",
            b.seq,
            if b.event_id.is_empty() { "deleted" } else { &b.event_id },
            b.reference.as_deref().unwrap_or("unknown"),
            b.problem
        ));
    }
    if r.rows.differing > 0 {
        let named: Vec<&str> = r.rows.rows.iter().map(|m| m.reference.as_str()).collect();
        problems.push(format!(
            "{} request row(s) changed without an audit event: {}",
            r.rows.differing,
            named.join(", ")
        ));
    }
    for t in &r.triggers {
        problems.push(format!("append-only trigger {} was {}", t.name, t.problem));
    }
    problems.extend(r.checkpoints.problems.iter().cloned());
    if let Some(a) = r.anchor.as_ref().filter(|a| !a.ok) {
        problems.push(format!("anchor of {}: {}", a.at, a.problem.as_deref().unwrap_or("does not hold")));
    }
    problems.join("; ")
}

fn intact(r: &ChainReport) -> String {
    let purged = if r.events_purged > 0 {
        format!(" ({} purged, each named by its purge record)", r.events_purged)
    } else {
        String::new()
    };
    let mut lines = vec![format!(
        "audit chain intact: {} events checked{purged}, {} request rows match their trail",
        r.events_checked, r.rows.checked
    )];
    match &r.checkpoints.newest {
        Some(cp) => lines.push(format!(
            "newest signed checkpoint: {} at event #{} (key {}), {} checkpoint(s) verified",
            cp.at, cp.seq, cp.key, r.checkpoints.count
        )),
        None => lines.push("no signed checkpoint".into()),
    }
    if let Some(a) = &r.anchor {
        lines.push(format!("anchor of {} (event #{}) holds", a.at, a.seq));
    }
    lines.extend(r.notes.iter().map(|n| format!("note: {n}")));
    lines.join("\n")
}

fn signed(what: &str, cp: &CheckpointInfo) -> String {
    format!("{what}: head event #{} {} at {} (key {})", cp.seq, cp.hash, cp.at, cp.key)
}

fn key_status(s: &AuditKeyStatus) -> String {
    if !s.set_up {
        return "no signing key: run `rightsdesk audit key setup` (add --key-passphrase-stdin where there is no OS keyring)"
            .into();
    }
    let mut lines = vec![format!(
        "signing key {} kept in the {}{}",
        s.fingerprint.as_deref().unwrap_or("?"),
        match s.storage.as_deref() {
            Some("keyring") => "OS keyring",
            _ => "register, sealed with a passphrase",
        },
        if s.unlocked { "" } else { " (locked: set RIGHTSDESK_AUDIT_PASSPHRASE to sign)" }
    )];
    lines.push(match &s.newest {
        Some(cp) => format!("{} checkpoint(s); newest {} at event #{} ({})", s.checkpoints, cp.at, cp.seq, cp.reason),
        None => "no checkpoint yet".into(),
    });
    lines.join("\n")
}
