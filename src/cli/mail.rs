//! `rightsdesk template …` and `rightsdesk mail …`: responses to requesters and their delivery.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::ops::{self, Operation};
use rightsdesk::respond::Rendered;
use rightsdesk::store::OutboxItem;

#[derive(Subcommand)]
pub enum Template {
    /// Every template: stage, kind, language, whether it is the shipped default.
    List,
    /// A stage's answer for a request, rendered, with what the law requires and it lacks.
    Preview(ops::responses::PreviewResponse),
    /// Unsaved template text rendered on a request, with what the law requires and it lacks (nothing is saved).
    Try {
        #[arg(help = super::REFERENCE)]
        reference: String,
        #[arg(long, value_name = "STAGE", help = STAGE)]
        template: String,
        /// The template's language (two letters: en, fr, nl, de, …).
        #[arg(long)]
        lang: String,
        /// The subject line (template text).
        #[arg(long)]
        subject: String,
        /// The body, from a file.
        #[arg(long = "body-file")]
        body_file: std::path::PathBuf,
    },
    /// Save a template (its syntax and variables are checked first).
    Save {
        #[arg(long, value_name = "STAGE", help = STAGE)]
        template: String,
        /// A request kind, or * for any (default *).
        #[arg(long, default_value = "*")]
        kind: String,
        /// The template's language (two letters: en, fr, nl, de, …).
        #[arg(long)]
        lang: String,
        /// The subject line (template text).
        #[arg(long)]
        subject: String,
        /// The body, from a file.
        #[arg(long = "body-file")]
        body_file: std::path::PathBuf,
    },
    /// The answer as a printable PDF letter, kept with the request (and copied to --out).
    Letter(ops::responses::WriteLetter),
    /// Add a language by copying every template of another, to be translated.
    CopyLanguage(ops::responses::CopyLanguage),
}

#[derive(Subcommand)]
pub enum Mail {
    /// Queue a response to the requester in the outbox (refused if it lacks what the law requires).
    Send(ops::responses::QueueResponse),
    /// Send the fulfilment of an access or portability request with the copy of the data: attached, encrypted
    /// with its password in a second message (or shown, --password-by-phone), or outside the app.
    SendCopy(ops::responses::SendDataCopy),
    /// Deliver every undelivered message now through the SMTP server (back-off or not; a failed message needs
    /// `mail retry`) and copy what was sent to the mailbox's Sent folder; exits non-zero if anything is left
    /// undelivered.
    Flush(ops::mail::FlushOutbox),
    /// The outbox (of one request, or all), newest first.
    Outbox(ops::mail::ListOutbox),
    /// Check the SMTP settings step by step (DNS, TCP, TLS, login); with --to, send a test message.
    Test(ops::mail::TestSmtp),
    /// Put a failed message back in the queue (by the id `mail outbox --json` lists); `mail flush` delivers it.
    Retry(ops::mail::RetryMessage),
    /// Take what is new in the mailbox (`settings imap`) once: replies go to their requests, the rest to the
    /// intake tray (`intake list`).
    Fetch,
    /// One message of a request's conversation read whole (an id from `request mail` or `mail outbox`): addresses,
    /// date, text, files.
    Show(ops::mailbox::ConversationMessage),
    /// Queue a written answer (not a template's) in the thread of a message of the request (--reply-to), else the
    /// requester's last one; `mail flush` delivers it.
    Answer(Answer),
}

/// `mail answer`: the operation, its text given on the command line or on standard input.
#[derive(clap::Args)]
#[group(id = "text", required = true, multiple = false, args = ["body", "body_stdin"])]
pub struct Answer {
    #[command(flatten)]
    op: ops::mailbox::SendAnswer,
    /// The text of the answer.
    #[arg(long)]
    body: Option<String>,
    /// Read the text of the answer from standard input (to its end).
    #[arg(long = "body-stdin")]
    body_stdin: bool,
}

/// The longest text read from standard input: the longest answer, in bytes of UTF-8 at most.
/// What `--template` names (docs/templates.md, "Stages").
const STAGE: &str = "The stage of the answer: acknowledgement, identity-request, clarification-request, extension, \
                     fulfilment, partial, refusal, unverified, withdrawal";

const MAX_STDIN_BYTES: u64 = 4 * rightsdesk::desk::MAX_ANSWER_CHARS as u64;

pub fn template(ctx: &Ctx, command: Template) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Template::List => {
            let c = ops::responses::GetTemplateCatalogue.run(&desk)?;
            ctx.show(&c.templates, |templates| {
                templates
                    .iter()
                    .map(|t| {
                        format!(
                            "{:<22} {:<22} {}  {}{}",
                            t.stage,
                            t.kind,
                            t.lang,
                            t.subject,
                            if t.is_default { "" } else { "  (edited)" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Template::Preview(op) => ctx.show(&op.run(&desk)?, rendered),
        Template::Try { reference, template, lang, subject, body_file } => {
            let body = rightsdesk::files::read_input_text(&body_file, rightsdesk::files::MAX_SMALL_FILE_BYTES)?;
            let op = ops::responses::PreviewDraft { reference, stage: template, lang, subject, body };
            ctx.show(&op.run(&desk)?, rendered)
        }
        Template::Save { template, kind, lang, subject, body_file } => {
            let body = rightsdesk::files::read_input_text(&body_file, rightsdesk::files::MAX_SMALL_FILE_BYTES)?;
            let t = ops::responses::SaveTemplate { stage: template, kind, lang, subject, body }.run(&desk)?;
            Ok(format!("saved {} ({}, {})", t.stage, t.kind, t.lang))
        }
        Template::Letter(op) => {
            let letter = op.run(&desk)?;
            Ok(match letter.copy {
                Some(copy) => format!("wrote {copy}"),
                None => format!("kept with the request: {}", letter.stored),
            })
        }
        Template::CopyLanguage(op) => {
            let (from, to) = (op.from.clone(), op.to.clone());
            let n = op.run(&desk)?;
            Ok(format!("copied {n} template(s) from {from} to {to}: translate them in the editor"))
        }
    }
}

pub fn mail(ctx: &Ctx, command: Mail) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Mail::Send(op) => ctx.show(&op.run(&desk)?, |item| {
            format!(
                "queued {} to {} ({}): run `rightsdesk mail flush` to deliver",
                item.subject, item.recipient, item.message_id
            )
        }),
        Mail::SendCopy(op) => ctx.show(&op.run(&desk)?, |sent| {
            let mut lines = vec![format!(
                "queued {} to {} ({})",
                sent.message.subject, sent.message.recipient, sent.message.message_id
            )];
            if let (Some(file), Some(sha)) = (&sent.file_name, &sent.sha256) {
                lines.push(format!("  attached {file} ({} bytes, SHA-256 {sha})", sent.bytes));
            }
            if let Some(p) = &sent.password_message {
                lines.push(format!("  the password follows in a second message ({})", p.message_id));
            }
            if let Some(p) = &sent.password {
                lines.push(format!("  give the requester this password by phone (it is not kept): {p}"));
            }
            lines.push("run `rightsdesk mail flush` to deliver".into());
            lines.join("\n")
        }),
        Mail::Flush(op) => {
            let report = op.run(&desk)?;
            let text = if ctx.json {
                json(&report)?
            } else {
                let mut lines = vec![format!(
                    "sent {}, retrying {}, failed {}; {} not delivered; {} copied to the Sent folder",
                    report.sent, report.retrying, report.failed, report.undelivered, report.sent_copies
                )];
                lines.extend(report.errors.iter().map(|e| format!("  {e}")));
                lines.join("\n")
            };
            if report.undelivered > 0 {
                return Err(Failure { message: text, code: 3, stdout: true });
            }
            Ok(text)
        }
        Mail::Outbox(op) => {
            ctx.show(&op.run(&desk)?, |items| items.iter().map(outbox_line).collect::<Vec<_>>().join("\n"))
        }
        Mail::Test(op) => Ok(op.run(&desk)?),
        Mail::Fetch => ctx.show(&ops::mailbox::FetchMail.run(&desk)?, |r| {
            let mut lines = vec![format!(
                "took {} message(s): {} replies given to their requests, {} to the intake tray, {} spam; {} waiting in the tray",
                r.taken, r.replies, r.tray, r.spam, r.waiting
            )];
            lines.extend(r.errors.iter().map(|e| format!("  {e}")));
            lines.join("\n")
        }),
        Mail::Show(op) => ctx.show(&op.run(&desk)?, conversation_text),
        Mail::Answer(a) => {
            let mut op = a.op;
            op.body = match a.body {
                Some(text) => text,
                None if ctx.passphrase_from_stdin() => {
                    return Err(Failure::usage(
                        "only one thing can come from standard input: give the register's passphrase in \
                         RIGHTSDESK_PASSPHRASE, or the answer with --body"
                            .into(),
                    ));
                }
                None => {
                    use std::io::Read;
                    let mut text = String::new();
                    std::io::stdin()
                        .take(MAX_STDIN_BYTES + 1)
                        .read_to_string(&mut text)
                        .map_err(|e| Failure::usage(format!("cannot read the answer from standard input: {e}")))?;
                    text
                }
            };
            ctx.show(&op.run(&desk)?, |item| {
                format!(
                    "queued {} to {} ({}): run `rightsdesk mail flush` to deliver",
                    item.subject, item.recipient, item.message_id
                )
            })
        }
        Mail::Retry(op) => {
            ctx.show(&op.run(&desk)?, |i| format!("{}: run `rightsdesk mail flush` to deliver", outbox_line(i)))
        }
    }
}

fn outbox_line(i: &OutboxItem) -> String {
    let copy = match (i.sent_copy.as_deref(), &i.sent_copy_error) {
        (Some("pending"), Some(why)) => format!("; Sent copy waits: {why}"),
        (Some("pending"), None) => "; Sent copy waits".into(),
        _ => String::new(),
    };
    format!(
        "{} {:<8} {} {} → {} ({} attempt(s)){copy}",
        i.created_at, i.state, i.reference, i.stage, i.recipient, i.attempts
    )
}

fn conversation_text(m: &rightsdesk::desk::ConversationText) -> String {
    let way = if m.way == "in" { "received" } else { m.state.as_deref().unwrap_or("sent") };
    let mut lines = vec![format!("{way} {}", m.at), format!("From: {}", m.from), format!("To: {}", m.to.join(", "))];
    if !m.cc.is_empty() {
        lines.push(format!("Cc: {}", m.cc.join(", ")));
    }
    lines.push(format!("Subject: {}", m.subject));
    for f in &m.files {
        let held = f.attachment_id.as_deref().map(|id| format!(" (attachment {id})")).unwrap_or_default();
        lines.push(format!("File: {} ({} bytes){held}", f.name, f.size));
    }
    lines.push(String::new());
    match (&m.text, &m.gone) {
        (_, Some(why)) => lines.push(format!("({why})")),
        (Some(text), None) => lines.push(text.clone()),
        (None, None) => {}
    }
    if m.truncated {
        lines.push("(cut here: the whole message is attached to the request)".into());
    }
    lines.join("\n")
}

fn rendered(r: &Rendered) -> String {
    let mut out = format!("Subject: {}\n\n{}", r.subject, r.body);
    for m in &r.missing {
        out.push_str(&format!("\n! missing — {m}"));
    }
    for w in &r.warnings {
        out.push_str(&format!("\n! check — {w}"));
    }
    out
}
