//! `rightsdesk intake …`: read what arrived before logging it.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::dates;

#[derive(Subcommand)]
pub enum Command {
    /// What an email (.eml) would prefill: sender, date of receipt, text, and the guessed kind and language.
    Email { file: std::path::PathBuf },
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let as_json = ctx.json;
    match command {
        Command::Email { file } => {
            let bytes = rightsdesk::files::read_input(&file, rightsdesk::files::MAX_EML_BYTES)?;
            let d = rightsdesk::intake::read_email(&bytes)?;
            if as_json {
                return json(&d);
            }
            Ok([
                format!("from      {} <{}>", d.name, d.email.as_deref().unwrap_or("?")),
                format!("received  {} ({})", d.received.map_or_else(|| "?".into(), dates::fmt), d.received_from),
                format!("subject   {}", d.subject),
                format!(
                    "kind      {}",
                    d.kind_guess.map_or_else(|| "no guess".into(), |g| format!("{} (guess: {})", g.kind, g.because))
                ),
                format!("language  {}", d.language_guess.as_deref().unwrap_or("no guess")),
            ]
            .join("\n"))
        }
    }
}
