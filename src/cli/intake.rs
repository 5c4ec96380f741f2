//! `rightsdesk intake …`: read what arrived before logging it.

use clap::Subcommand;

use super::{Ctx, Failure};
use rightsdesk::dates;
use rightsdesk::ops::{self, Operation};

#[derive(Subcommand)]
pub enum Command {
    /// What an email (.eml) would prefill: sender, date of receipt, text, and the guessed kind and language.
    Email(ops::intake::ReadEmail),
    /// A table's columns, a sample of its rows and the mapping guessed from its headers (nothing is imported).
    Table(ops::intake::PreviewImport),
    /// Every import so far: file, SHA-256, counts.
    Imports,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    match command {
        // Reading an email needs no register.
        Command::Email(op) => ctx.show(&op.read()?, |d| {
            [
                format!("from      {} <{}>", d.name, d.email.as_deref().unwrap_or("?")),
                format!("received  {} ({})", d.received.map_or_else(|| "?".into(), dates::fmt), d.received_from),
                format!("subject   {}", d.subject),
                format!(
                    "kind      {}",
                    d.kind_guess
                        .as_ref()
                        .map_or_else(|| "no guess".into(), |g| format!("{} (guess: {})", g.kind, g.because))
                ),
                format!("language  {}", d.language_guess.as_deref().unwrap_or("no guess")),
            ]
            .join("\n")
        }),
        Command::Table(op) => ctx.show(&op.run(&ctx.desk()?)?, |p| {
            let mut lines = vec![format!("{} ({}): {} column(s)", p.file_name, p.format, p.headers.len())];
            lines.extend(p.headers.iter().map(|h| {
                let mapped =
                    p.suggested.columns.iter().find(|(_, column)| *column == h).map(|(field, _)| field.as_str());
                format!("  {h}{}", mapped.map(|f| format!(" → {f}")).unwrap_or_default())
            }));
            lines.join("\n")
        }),
        Command::Imports => ctx.show(&ops::intake::ListImports.run(&ctx.desk()?)?, |list| {
            list.iter()
                .map(|i| {
                    format!(
                        "{} {} {} row(s), {} imported, {} with errors",
                        i.at, i.file_name, i.rows, i.imported, i.errors
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
    }
}
