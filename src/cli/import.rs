//! `rightsdesk import FILE`: requests from a CSV or spreadsheet file.

use super::{Failure, json, open_desk, out};
use rightsdesk::intake::{ImportMapping, Source};

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
    /// Check every row and report, without importing anything.
    #[arg(long)]
    check: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(db: Option<&std::path::Path>, args: Args) -> Result<String, Failure> {
    let mapping = args
        .mapping
        .as_ref()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())))?;
            Ok::<_, Failure>(ImportMapping::from_json(&text)?)
        })
        .transpose()?;
    let desk = open_desk(db)?;
    let mut errors_file = args
        .errors
        .as_ref()
        .map(|p| std::fs::File::create(p).map_err(|e| Failure::usage(format!("cannot write {}: {e}", p.display()))))
        .transpose()?;
    let show_progress = out::stderr_is_terminal();
    let report = desk.import_requests(
        &Source::Path(args.file.clone()),
        mapping,
        args.check,
        errors_file.as_mut().map(|f| f as &mut dyn std::io::Write),
        &mut |p| {
            if show_progress {
                out::progress(&format!("{} of about {} rows", p.done, p.total));
            }
        },
    )?;
    if show_progress {
        out::stderr("");
    }
    if args.json {
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
