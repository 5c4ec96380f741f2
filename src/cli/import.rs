//! `rightsdesk import FILE`: requests from a CSV or spreadsheet file.

use super::{Ctx, Failure, json, out};
use rightsdesk::intake::ImportMapping;
use rightsdesk::ops::{self, Reporting};

#[derive(clap::Args)]
pub struct Args {
    /// A .csv (comma, semicolon or tab separated, UTF-8) or .xlsx/.xls/.ods file with a header row.
    file: std::path::PathBuf,
    /// JSON {"columns": {"kind": "Type", …}, "defaults": {"regime": "eu-gdpr", …}}. Without it, columns named like
    /// the `request add` options (kind, regime, calendar, received, name, email, phone, address, account, channel,
    /// language, description, notes, external_id) map by name.
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
    /// Write the rows that could not be imported here (CSV: row, column, value, reason).
    #[arg(long, value_name = "OUT.csv")]
    errors: Option<std::path::PathBuf>,
    /// Replace the --errors file if it exists (without this, an existing file is refused and left as it is).
    #[arg(long, requires = "errors")]
    force: bool,
    /// Check every row and report, without importing anything.
    #[arg(long)]
    check: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<String, Failure> {
    let mapping = args
        .mapping
        .as_ref()
        .map(|p| {
            let text = rightsdesk::files::read_input_text(p, rightsdesk::files::MAX_SMALL_FILE_BYTES)?;
            Ok::<_, Failure>(ImportMapping::from_json(&text)?)
        })
        .transpose()?;
    let desk = ctx.desk()?;
    let show_progress = out::stderr_is_terminal();
    let op = ops::intake::RunImport {
        file: args.file.into(),
        mapping,
        check_only: args.check,
        errors: args.errors,
        force: args.force,
        errors_to_downloads: false,
    };
    let report = op
        .run(&desk, &mut |p| {
            if show_progress {
                out::progress(&format!("{} of about {} rows", p.done, p.total));
            }
        })?
        .report;
    if show_progress {
        out::stderr("");
    }
    if ctx.json {
        return json(&report);
    }
    let mut lines = vec![format!(
        "{}: {} row(s) read, {} {}, {} already imported, {} with errors",
        report.file_name,
        report.rows,
        report.imported,
        if report.check_only { "would be imported" } else { "imported" },
        report.duplicates,
        report.errors
    )];
    if let (Some(first), Some(last)) = (&report.first_reference, &report.last_reference) {
        lines.push(format!("references {first} … {last}"));
    }
    for e in report.first_errors.iter().take(20) {
        lines.push(format!("  row {} {}: '{}': {}", e.row, e.column, e.value, e.reason));
    }
    Ok(lines.join("\n"))
}
