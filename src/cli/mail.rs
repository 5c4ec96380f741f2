//! `rightsdesk template …` and `rightsdesk mail …`: responses to requesters and their delivery.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::desk::LetterCopy;
use rightsdesk::safe_file::Existing;

#[derive(Subcommand)]
pub enum Template {
    /// Every template: stage, kind, language, whether it is the shipped default.
    List,
    /// A stage's answer for a request, rendered, with what the law requires and it lacks.
    Preview {
        reference: String,
        /// acknowledgement, identity-request, clarification-request, extension, fulfilment, partial, refusal,
        /// unverified, withdrawal.
        #[arg(long)]
        template: String,
        #[arg(long)]
        lang: Option<String>,
        /// What is asked of the requester (identity and clarification requests).
        #[arg(long)]
        note: Option<String>,
    },
    /// Save a template (its syntax and variables are checked first).
    Save {
        #[arg(long)]
        template: String,
        /// A request kind, or * for any (default *).
        #[arg(long, default_value = "*")]
        kind: String,
        #[arg(long)]
        lang: String,
        #[arg(long)]
        subject: String,
        /// The body, from a file.
        #[arg(long = "body-file")]
        body_file: std::path::PathBuf,
    },
    /// The answer as a printable PDF letter, kept with the request (and copied to --out).
    Letter {
        reference: String,
        #[arg(long)]
        template: String,
        #[arg(long)]
        lang: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Replace the --out file if it exists (without this, an existing file is refused and left as it is).
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Add a language by copying every template of another, to be translated.
    CopyLanguage {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
pub enum Mail {
    /// Queue a response to the requester in the outbox (refused if it lacks what the law requires).
    Send {
        reference: String,
        #[arg(long)]
        template: String,
        #[arg(long)]
        lang: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Attach the answer as a PDF letter too.
        #[arg(long)]
        letter: bool,
    },
    /// Deliver the outbox through the SMTP server; exits non-zero if anything is left undelivered.
    Flush,
    /// The outbox (of one request, or all), newest first.
    Outbox { reference: Option<String> },
    /// Check the SMTP settings step by step (DNS, TCP, TLS, login); with --to, send a test message.
    Test {
        #[arg(long)]
        to: Option<String>,
    },
}

pub fn template(ctx: &Ctx, command: Template) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Template::List => {
            let c = desk.template_catalogue()?;
            if as_json {
                return json(&c.templates);
            }
            Ok(c.templates
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
                .join("\n"))
        }
        Template::Preview { reference, template, lang, note } => {
            let r = desk.preview_response(&reference, &template, lang.as_deref(), note.as_deref())?;
            if as_json {
                return json(&r);
            }
            let mut out = format!("Subject: {}\n\n{}", r.subject, r.body);
            for m in &r.missing {
                out.push_str(&format!("\n! missing — {m}"));
            }
            for w in &r.warnings {
                out.push_str(&format!("\n! check — {w}"));
            }
            Ok(out)
        }
        Template::Save { template, kind, lang, subject, body_file } => {
            let body = rightsdesk::files::read_input_text(&body_file, rightsdesk::files::MAX_SMALL_FILE_BYTES)?;
            let t = desk.save_template(&template, &kind, &lang, &subject, &body)?;
            Ok(format!("saved {} ({}, {})", t.stage, t.kind, t.lang))
        }
        Template::Letter { reference, template, lang, note, out, force } => {
            let copy = match &out {
                Some(path) => LetterCopy::To(path, Existing::replace_if(force)),
                None => LetterCopy::None,
            };
            let letter = desk.write_letter(&reference, &template, lang.as_deref(), note.as_deref(), copy)?;
            Ok(match letter.copy {
                Some(copy) => format!("wrote {}", copy.display()),
                None => format!("kept with the request: {}", letter.stored.display()),
            })
        }
        Template::CopyLanguage { from, to } => {
            let n = desk.copy_language(&from, &to)?;
            Ok(format!("copied {n} template(s) from {from} to {to}: translate them in the editor"))
        }
    }
}

pub fn mail(ctx: &Ctx, command: Mail) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Mail::Send { reference, template, lang, note, letter } => {
            let item = desk.queue_response_with(&reference, &template, lang.as_deref(), note.as_deref(), letter)?;
            if as_json {
                return json(&item);
            }
            Ok(format!(
                "queued {} to {} ({}): run `rightsdesk mail flush` to deliver",
                item.subject, item.recipient, item.message_id
            ))
        }
        Mail::Flush => {
            let report = desk.flush_outbox()?;
            let text = if as_json {
                json(&report)?
            } else {
                let mut lines = vec![format!(
                    "sent {}, retrying {}, failed {}; {} not delivered",
                    report.sent, report.retrying, report.failed, report.undelivered
                )];
                lines.extend(report.errors.iter().map(|e| format!("  {e}")));
                lines.join("\n")
            };
            if report.undelivered > 0 {
                return Err(Failure { message: text, code: 3, stdout: true });
            }
            Ok(text)
        }
        Mail::Outbox { reference } => {
            let items = desk.outbox(reference.as_deref())?;
            if as_json {
                return json(&items);
            }
            Ok(items
                .iter()
                .map(|i| {
                    format!(
                        "{} {:<8} {} {} → {} ({} attempt(s))",
                        i.created_at, i.state, i.reference, i.stage, i.recipient, i.attempts
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        Mail::Test { to } => Ok(desk.test_smtp(to.as_deref())?),
    }
}
