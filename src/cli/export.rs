//! `rightsdesk export log` and `rightsdesk metrics`: what a regulator sees.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::dates;
use rightsdesk::desk::PackSelection;
use rightsdesk::export::LogFormat;
use rightsdesk::ops::{self, Operation, Reporting, SaveTo};

#[derive(Subcommand)]
pub enum Command {
    /// The request log of a period (received from --from to --to, inclusive) as CSV, XLSX, JSON or a PDF report.
    /// No requester's personal data: references, kinds, dates, outcomes.
    Log {
        /// The first day of receipt included (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        /// The last day of receipt included (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
        /// csv, xlsx, json or pdf (default: from the --out file's extension).
        #[arg(long)]
        format: Option<String>,
        /// The file to write (its extension chooses the format unless --format does).
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
        #[arg(long)]
        force: bool,
    },
    /// The requester's copy of their data (access, portability) as one ZIP: index.html, data.json, CSV tables, the
    /// original files, README.txt with the Art 15(1) information and manifest.json with SHA-256 checksums.
    Subject {
        #[arg(help = super::REFERENCE)]
        reference: String,
        /// The ZIP file to write.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
        #[arg(long)]
        force: bool,
        /// Read a password from standard input (its first line) and encrypt every entry with AES-256.
        #[arg(long)]
        password_stdin: bool,
        /// The language of index.html and README.txt (en, fr, nl, de; default: the request's language).
        #[arg(long)]
        lang: Option<String>,
    },
    /// The evidence pack for a regulator's inquiry: the log lines, every letter and email sent, each request's
    /// audit trail with the hash-chain check and a script to recompute it, and a SHA-256 manifest. Choose the
    /// requests with --request (repeat it) or a period of receipt (--from, --to).
    Evidence {
        /// A request to include: its reference (RD-2026-0042) or id. May repeat.
        #[arg(long = "request", value_name = "REF", conflicts_with_all = ["from", "to"], required_unless_present = "from")]
        requests: Vec<String>,
        /// Include the requests received from this day (YYYY-MM-DD; with --to).
        #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
        from: Option<String>,
        /// Include the requests received up to this day, inclusive (YYYY-MM-DD; with --from).
        #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
        to: Option<String>,
        /// The ZIP file to write.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    match command {
        Command::Log { from, to, format, out, force } => {
            let from = dates::parse(&from).map_err(|e| Failure::usage(format!("--from: {e}")))?;
            let to = dates::parse(&to).map_err(|e| Failure::usage(format!("--to: {e}")))?;
            let format = match format {
                Some(f) => LogFormat::parse(&f)?,
                None => LogFormat::parse(out.extension().and_then(|e| e.to_str()).unwrap_or("")).map_err(|_| {
                    Failure::usage("--format csv|xlsx|json|pdf (the --out name has no known extension)".into())
                })?,
            };
            let (from, to) = (dates::fmt(from), dates::fmt(to));
            let op = ops::exports::ExportLog { from, to, format, save: SaveTo { out: Some(out), force } };
            let done = Reporting::run(op, &ctx.desk()?, &mut |_| {})?;
            if ctx.json {
                json(&done)
            } else {
                Ok(format!("wrote {} requests to {} ({} bytes)", done.requests, done.path, done.bytes))
            }
        }
        Command::Evidence { requests, from, to, out, force } => {
            let selection = match (from, to) {
                (Some(from), Some(to)) => PackSelection::Period { from, to },
                _ => PackSelection::References { references: requests },
            };
            let save = SaveTo { out: Some(out), force };
            let done = ops::exports::ExportEvidence { selection, save }.run(&ctx.desk()?)?;
            if ctx.json {
                json(&done)
            } else {
                Ok(format!(
                    "wrote {} ({} requests, {} letters and emails, {} bytes; audit chain {}), sha256 {}",
                    done.path,
                    done.requests,
                    done.correspondence,
                    done.bytes,
                    if done.chain_ok { "intact" } else { "BROKEN" },
                    done.sha256
                ))
            }
        }
        Command::Subject { reference, out, force, password_stdin, lang } => {
            let password = if password_stdin { Some(super::secret_from_stdin("password")?) } else { None };
            if password.as_ref().is_some_and(|p| p.is_empty()) {
                return Err(Failure::usage("--password-stdin: standard input held no password".into()));
            }
            // The buffer itself moves into the op, which wipes it when dropped.
            let password = password.map(|mut p| std::mem::take(&mut *p));
            let save = SaveTo { out: Some(out), force };
            let op = ops::exports::ExportSubject { reference, password, language: lang, save };
            let done = Reporting::run(op, &ctx.desk()?, &mut |_| {})?;
            if ctx.json {
                json(&done)
            } else {
                Ok(format!(
                    "wrote {} ({} files, {} bytes, in {}{}), sha256 {}",
                    done.path,
                    done.files,
                    done.bytes,
                    done.language,
                    if done.encrypted { ", AES-256 encrypted" } else { "" },
                    done.sha256
                ))
            }
        }
    }
}

pub fn metrics(ctx: &Ctx, op: ops::exports::GetMetrics) -> Result<String, Failure> {
    ctx.show(&op.run(&ctx.desk()?)?, metrics_text)
}

fn metrics_text(m: &rightsdesk::export::Metrics) -> String {
    let days = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into());
    let mut out = format!(
        "{} · {}\n{:<58} {:>8} {:>9} {:>7} {:>7} {:>7} {:>6}",
        m.year,
        m.regime.as_deref().unwrap_or("all regimes"),
        "",
        "received",
        "complied",
        "(part)",
        "denied",
        "median",
        "mean"
    );
    for g in m.groups.iter().chain(std::iter::once(&m.total)) {
        out.push_str(&format!(
            "\n{:<58} {:>8} {:>9} {:>7} {:>7} {:>7} {:>6}",
            g.label,
            g.received,
            g.complied,
            g.complied_in_part,
            g.denied,
            days(g.median_days),
            days(g.mean_days)
        ));
    }
    out.push_str(&format!("\n{}", m.note));
    out
}
