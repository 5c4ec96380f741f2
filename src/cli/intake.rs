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
    /// The intake tray: messages from the mailbox (`mail fetch`) waiting for a decision, newest first.
    List(ops::mailbox::IntakeTray),
    /// One message of the tray (or any taken from the mailbox) and what the request form would be prefilled with.
    Show(ops::mailbox::ShowMail),
    /// Make a request of a message of the tray: the options given, the rest from the message (sender, the server's
    /// date of receipt, text, guessed kind and language). The message and its files are attached.
    Accept(Box<AcceptArgs>),
    /// Give a message of the tray to an existing request (a reply the headers did not tell, a document sent apart).
    Link(ops::mailbox::LinkMail),
    /// Set a message of the tray aside as not a request, saying why (its copy is deleted).
    Dismiss(ops::mailbox::DismissMail),
    /// Set a message of the tray aside as spam (its copy is deleted); --block-sender blocks its sender.
    Spam(ops::mailbox::MarkMailSpam),
}

#[derive(clap::Args)]
pub struct AcceptArgs {
    /// The message's id (`intake list --json`).
    id: String,
    #[arg(long, help = super::REGIME)]
    regime: String,
    /// What is asked for (access, erasure, …: as in `request add`; default: the kind guessed from the message's
    /// words).
    #[arg(long)]
    kind: Option<String>,
    #[arg(long, value_name = "CODE", help = super::CALENDAR)]
    calendar: Option<String>,
    /// The day the request was received (YYYY-MM-DD; default: the day the mailbox received it).
    #[arg(long, value_name = "YYYY-MM-DD")]
    received: Option<String>,
    /// The data subject's name (default: the sender's name).
    #[arg(long)]
    name: Option<String>,
    /// The requester's email address (default: the sender's address).
    #[arg(long)]
    email: Option<String>,
    /// The requester's phone number.
    #[arg(long)]
    phone: Option<String>,
    /// The requester's postal address.
    #[arg(long)]
    address: Option<String>,
    /// Customer or account reference.
    #[arg(long)]
    account: Option<String>,
    /// Two-letter language of the requester (default: the language guessed from the message).
    #[arg(long)]
    language: Option<String>,
    /// What the requester asks (default: the subject and text of the message).
    #[arg(long)]
    description: Option<String>,
    /// Internal notes about the request.
    #[arg(long)]
    notes: Option<String>,
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
        Command::List(op) => ctx.show(&op.run(&ctx.desk()?)?, |tray| {
            if tray.is_empty() {
                return "the intake tray is empty".into();
            }
            tray.iter().map(tray_line).collect::<Vec<_>>().join("\n")
        }),
        Command::Show(op) => ctx.show(&op.run(&ctx.desk()?)?, |v| {
            let mut lines = vec![tray_line(&v.message)];
            if let Some(d) = &v.draft {
                lines.push(format!(
                    "  received {} ({})",
                    d.received.map_or_else(|| "?".into(), dates::fmt),
                    d.received_from
                ));
                lines.push(format!("  {}", d.description.replace('\n', "\n  ")));
            }
            lines.join("\n")
        }),
        Command::Accept(args) => {
            let a = *args;
            let input = rightsdesk::desk::NewRequest {
                kind: a.kind.unwrap_or_default(),
                regime: a.regime,
                calendar: a.calendar,
                received: a.received.unwrap_or_default(),
                channel: Some("email".into()),
                name: a.name.unwrap_or_default(),
                email: a.email,
                phone: a.phone,
                address: a.address,
                account: a.account,
                language: a.language,
                description: a.description,
                notes: a.notes,
                ..Default::default()
            };
            let made = ops::mailbox::AcceptMail { id: a.id, input }.run(&ctx.desk()?)?;
            ctx.show(&made, |r| {
                format!(
                    "logged {} from the message; due {}",
                    r.request.reference,
                    r.request.dates.due.map_or_else(|| "-".into(), dates::fmt)
                )
            })
        }
        Command::Link(op) => {
            let made = op.run(&ctx.desk()?)?;
            ctx.show(&made, |r| format!("given to {} with its files", r.request.reference))
        }
        Command::Dismiss(op) => ctx.show(&op.run(&ctx.desk()?)?, |m| format!("set aside: {}", tray_line(m))),
        Command::Spam(op) => ctx.show(&op.run(&ctx.desk()?)?, |m| format!("spam: {}", tray_line(m))),
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

fn tray_line(m: &rightsdesk::store::MailMessage) -> String {
    let what = match (&m.problem, &m.reference) {
        (Some(p), _) => format!(" — {p}"),
        (None, Some(r)) => format!(" → {r}"),
        _ => String::new(),
    };
    let files = if m.attachments.is_empty() { String::new() } else { format!(" [{} file(s)]", m.attachments.len()) };
    format!("{} {:<9} {} {} <{}> \"{}\"{files}{what}", m.id, m.state, m.received_at, m.sender_name, m.sender, m.subject)
}
