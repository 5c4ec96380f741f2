//! `rightsdesk export log` and `rightsdesk metrics`: what a regulator sees.

use clap::Subcommand;

use super::{Failure, json, open_desk};
use rightsdesk::dates;
use rightsdesk::export::LogFormat;

#[derive(Subcommand)]
pub enum Command {
    /// The request log of a period (received from --from to --to, inclusive) as CSV, XLSX, JSON or a PDF report.
    /// No requester's personal data: references, kinds, dates, outcomes.
    Log {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// csv, xlsx, json or pdf (default: from the --out file's extension).
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: Option<&std::path::Path>, command: Command) -> Result<String, Failure> {
    match command {
        Command::Log { from, to, format, out, json: as_json } => {
            let from = dates::parse(&from).map_err(|e| Failure::usage(format!("error: --from: {e}")))?;
            let to = dates::parse(&to).map_err(|e| Failure::usage(format!("error: --to: {e}")))?;
            let format = match format {
                Some(f) => LogFormat::parse(&f)?,
                None => LogFormat::parse(out.extension().and_then(|e| e.to_str()).unwrap_or("")).map_err(|_| {
                    Failure::usage("error: --format csv|xlsx|json|pdf (the --out name has no known extension)".into())
                })?,
            };
            let desk = open_desk(db)?;
            let done = desk.export_log(from, to, format, &out, &mut |_| {})?;
            if as_json {
                json(&done)
            } else {
                Ok(format!("wrote {} requests to {} ({} bytes)", done.requests, done.path, done.bytes))
            }
        }
    }
}

/// `rightsdesk metrics --year Y [--regime R]`.
#[derive(clap::Args)]
pub struct MetricsArgs {
    #[arg(long)]
    year: i32,
    #[arg(long)]
    regime: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn metrics(db: Option<&std::path::Path>, args: MetricsArgs) -> Result<String, Failure> {
    let desk = open_desk(db)?;
    let m = desk.metrics(args.year, args.regime.as_deref())?;
    if args.json {
        return json(&m);
    }
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
    Ok(out)
}
