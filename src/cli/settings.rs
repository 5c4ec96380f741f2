//! `rightsdesk settings …`: the organisation's working rules (internal targets, identity and evidence periods).

use clap::Subcommand;
use serde_json::json as value;

use super::{Ctx, Failure, json};
use rightsdesk::desk::{RegimeAuthorities, SmtpSettings};
use rightsdesk::ops::{self, Operation};

// The names are the command words (`settings target-days`, `settings evidence-days`): the shared suffix is the unit.
#[allow(clippy::enum_variant_names)]
#[derive(Subcommand)]
pub enum Settings {
    /// How many working days before the statutory due date the internal target sits, for one regime (default 5).
    TargetDays(ops::calendar::SetTargetDays),
    /// Days after asking for identity before an unverified request is flagged, for one regime (default 30).
    UnverifiedDays(ops::identity::SetUnverifiedDays),
    /// The organisation's details and the Art 15(1) information used in responses (only the options given change).
    Organisation {
        /// The organisation's name, as answers and letters give it.
        #[arg(long)]
        name: Option<String>,
        /// Its postal address.
        #[arg(long)]
        address: Option<String>,
        /// The address requesters write to (the privacy mailbox).
        #[arg(long)]
        email: Option<String>,
        /// The data protection officer's name and contact.
        #[arg(long)]
        dpo: Option<String>,
        /// The closing of answers (name and role of the signatory).
        #[arg(long)]
        signature: Option<String>,
        /// Art 15(1)(a): the purposes of the processing.
        #[arg(long)]
        purposes: Option<String>,
        /// Art 15(1)(b): the categories of personal data.
        #[arg(long)]
        categories: Option<String>,
        /// Art 15(1)(c): the recipients or categories of recipients.
        #[arg(long)]
        recipients: Option<String>,
        /// Art 15(1)(d): how long the data is kept, or how that is decided.
        #[arg(long)]
        retention: Option<String>,
        /// Art 15(1)(g): where the data comes from when not from the person.
        #[arg(long)]
        source: Option<String>,
        /// Art 15(1)(h): automated decision-making and profiling, if any.
        #[arg(long)]
        automated: Option<String>,
        /// Art 15(2): transfers outside the EEA and their safeguards (where there are any).
        #[arg(long)]
        transfers: Option<String>,
        /// A PNG or JPEG file for the letterhead of PDF letters.
        #[arg(long)]
        logo: Option<String>,
    },
    /// The SMTP server responses are sent through. The password goes to the OS keyring (--password-stdin), or is
    /// given in RIGHTSDESK_SMTP_PASSWORD when sending; it is never stored in the database.
    Smtp {
        /// The SMTP server's host name.
        #[arg(long)]
        host: String,
        /// Its port (587 for STARTTLS, 465 for TLS, 25 for a local relay).
        #[arg(long)]
        port: u16,
        /// starttls, tls (implicit TLS) or none (a local relay).
        #[arg(long)]
        security: String,
        /// The account to log in with (none: no login).
        #[arg(long)]
        username: Option<String>,
        /// The sender address of responses (default: the organisation's email).
        #[arg(long, value_name = "ADDRESS")]
        from: Option<String>,
        /// A certificate authority to trust besides the system's (PEM), for an internal server.
        #[arg(long = "ca-file")]
        ca_file: Option<String>,
        /// Read the password from standard input and keep it in the OS keyring (never in the database).
        #[arg(long = "password-stdin")]
        password_stdin: bool,
        /// With --security none and --username: log in although the password then crosses the network
        /// unencrypted (refused without this; kept with the settings).
        #[arg(long = "allow-plaintext-password")]
        allow_plaintext_password: bool,
    },
    /// The privacy mailbox (IMAP) that `mail fetch` and the window read requests from, always over TLS.
    Imap {
        /// The mail server's host name.
        #[arg(long)]
        host: String,
        /// 993 for TLS, 143 for STARTTLS.
        #[arg(long)]
        port: u16,
        /// tls (implicit TLS) or starttls.
        #[arg(long)]
        security: String,
        /// The mailbox account to log in with.
        #[arg(long)]
        username: String,
        /// The folder requests arrive in.
        #[arg(long, default_value = "INBOX")]
        folder: String,
        /// Where handled messages are moved (without it they stay, flagged as handled).
        #[arg(long = "done-folder")]
        done_folder: Option<String>,
        /// Where a copy of each message sent by email is kept.
        #[arg(long = "sent-folder", default_value = "Sent")]
        sent_folder: String,
        /// Minutes between two checks by the desktop app (1 to 60); new mail the server announces (IMAP IDLE) is
        /// taken at once.
        #[arg(long = "poll-minutes", default_value_t = rightsdesk::desk::DEFAULT_POLL_MINUTES)]
        poll_minutes: u32,
        /// A certificate authority to trust besides the system's (PEM), for an internal server.
        #[arg(long = "ca-file")]
        ca_file: Option<String>,
        /// Read the password from standard input and keep it in the OS keyring (never in the database); without a
        /// keyring, give it in RIGHTSDESK_IMAP_PASSWORD when fetching.
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },
    /// The supervisory authority a regime's refusals name. Without --name/--clear: shows the organisation's own
    /// choice and the shipped directory's entries (with how each address was checked).
    Authority {
        /// The law whose refusals name it (eu-gdpr, uk-gdpr, …).
        #[arg(long)]
        regime: String,
        /// The authority's name (with --address).
        #[arg(long)]
        name: Option<String>,
        /// The authority's postal address.
        #[arg(long)]
        address: Option<String>,
        /// The authority's website (https://…).
        #[arg(long)]
        website: Option<String>,
        /// Go back to the directory's authority for the request's calendar.
        #[arg(long, conflicts_with_all = ["name", "address", "website"])]
        clear: bool,
    },
    /// Days after a request is answered before its identity evidence is deleted (default 30; 0 = at once).
    EvidenceDays(ops::identity::SetEvidenceDays),
    /// Months a closed request is kept before `retention purge` removes its personal data (24–240; default 24).
    Retention {
        /// The number of months (24–240); without it, the current setting is shown.
        #[arg(long)]
        months: Option<u32>,
    },
    /// The register's id, its database and its own folder of files (move that folder along with the database).
    Register,
    /// Every setting: the organisation, the SMTP server, the mailbox, internal targets, identity periods, retention, and each
    /// regime's supervisory authority.
    Show,
    /// What the register still lacks for every feature to work (the window's first-run path), each step with where it
    /// is done.
    Setup,
}

pub fn run(ctx: &Ctx, command: Settings) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Settings::TargetDays(op) => {
            let (regime, days) = (op.regime.clone(), op.days);
            let rightsdesk::desk::RecomputeCount { checked, changed } = op.run(&desk)?;
            if ctx.json {
                json(&value!({"regime": regime, "days": days, "checked": checked, "changed": changed}))
            } else {
                Ok(format!(
                    "internal target for {regime}: {days} working days before the due date ({changed} of {checked} open requests changed)"
                ))
            }
        }
        Settings::Authority { regime, name, address, website, clear } => {
            let shown = if clear {
                ops::responses::SetOwnAuthority { regime, own: None }.run(&desk)?
            } else if name.is_some() || address.is_some() || website.is_some() {
                let own = rightsdesk::desk::OwnAuthority {
                    name: name.unwrap_or_default(),
                    address: address.unwrap_or_default(),
                    website: website.unwrap_or_default(),
                };
                ops::responses::SetOwnAuthority { regime, own: Some(own) }.run(&desk)?
            } else {
                desk.authority_setting(&regime)?
            };
            ctx.show(&shown, authority_text)
        }
        Settings::UnverifiedDays(op) => {
            let (regime, days) = (op.regime.clone(), op.days);
            op.run(&desk)?;
            if ctx.json {
                json(&value!({"regime": regime, "days": days}))
            } else {
                Ok(format!("{regime}: requests not verified {days} days after the identity request are flagged"))
            }
        }
        Settings::Organisation {
            name,
            address,
            email,
            dpo,
            signature,
            purposes,
            categories,
            recipients,
            retention,
            source,
            automated,
            transfers,
            logo,
        } => {
            let mut org = ops::responses::GetOrganisation.run(&desk)?;
            for (field, value) in [
                ("name", name),
                ("address", address),
                ("email", email),
                ("dpo", dpo),
                ("signature", signature),
                ("purposes", purposes),
                ("categories", categories),
                ("recipients", recipients),
                ("retention", retention),
                ("source", source),
                ("automated", automated),
                ("transfers", transfers),
                ("logo", logo),
            ] {
                if let Some(v) = value {
                    org.set(field, v);
                }
            }
            let org = ops::responses::SetOrganisation { org }.run(&desk)?;
            ctx.show(&org, |org| format!("organisation: {} <{}>", org.name, org.email))
        }
        Settings::Smtp { host, port, security, username, from, ca_file, password_stdin, allow_plaintext_password } => {
            let password =
                if password_stdin { Some(std::mem::take(&mut *super::secret_from_stdin("password")?)) } else { None };
            let settings = rightsdesk::desk::SmtpSettings {
                host,
                port,
                security,
                username,
                from,
                ca_file,
                allow_plaintext_password,
            };
            let s = ops::mail::SetSmtpSettings { settings, password }.run(&desk)?;
            let note = if s.allow_plaintext_password && s.security == "none" && s.username.is_some() {
                " — warning: the password crosses the network unencrypted (allowed with --allow-plaintext-password)"
            } else if s.username.is_some() && !password_stdin {
                " — the password: --password-stdin keeps it in the OS keyring, or give RIGHTSDESK_SMTP_PASSWORD when sending"
            } else {
                ""
            };
            if ctx.json { json(&s) } else { Ok(format!("SMTP: {}:{} ({}){note}", s.host, s.port, s.security)) }
        }
        Settings::EvidenceDays(op) => {
            let days = op.days;
            op.run(&desk)?;
            if ctx.json {
                json(&value!({"days": days}))
            } else {
                Ok(format!("identity evidence is deleted {days} days after a request is answered"))
            }
        }
        Settings::Retention { months } => {
            let report = match months {
                Some(months) => ops::retention::SetRetentionMonths { months }.run(&desk)?,
                None => ops::retention::GetRetention.run(&desk)?,
            };
            let months = report.months;
            if ctx.json {
                json(&value!({"months": months}))
            } else {
                Ok(format!("closed requests are purged of personal data {months} months after they were closed"))
            }
        }
        Settings::Register => {
            let id = desk.register_id()?;
            let database = desk.store().path().display().to_string();
            let files = if desk.files_on_server() {
                "kept by the server".to_string()
            } else {
                desk.files_dir().display().to_string()
            };
            if ctx.json {
                json(&value!({"id": id, "database": database, "files": files}))
            } else {
                Ok(format!("register {id}\n  database: {database}\n  files:    {files}"))
            }
        }
        Settings::Imap {
            host,
            port,
            security,
            username,
            folder,
            done_folder,
            sent_folder,
            poll_minutes,
            ca_file,
            password_stdin,
        } => {
            let password =
                if password_stdin { Some(std::mem::take(&mut *super::secret_from_stdin("password")?)) } else { None };
            let settings = rightsdesk::desk::ImapSettings {
                host,
                port,
                security,
                username,
                folder,
                done_folder,
                ca_file,
                sent_folder,
                poll_minutes,
            };
            let s = ops::mailbox::SetImapSettings { settings, password }.run(&desk)?;
            ctx.show(&s, |s| format!("mailbox: {}", imap_line(s)))
        }
        Settings::Setup => ctx.show(&ops::requests::GetSetupStatus.run(&desk)?, |s| {
            let mut lines: Vec<String> = s
                .steps
                .iter()
                .map(|step| format!("[{}] {}: {}", if step.done { "x" } else { " " }, step.title, step.says))
                .collect();
            if s.complete {
                lines.push("Set up: every step is done.".into());
            }
            lines.join("\n")
        }),
        Settings::Show => {
            let all = AllSettings {
                organisation: ops::responses::GetOrganisation.run(&desk)?,
                smtp: ops::mail::GetSmtpSettings.run(&desk)?,
                imap: ops::mailbox::GetImapSettings.run(&desk)?,
                targets: ops::calendar::GetTargetSettings.run(&desk)?,
                identity: ops::identity::GetIdentitySettings.run(&desk)?,
                retention_months: ops::retention::GetRetention.run(&desk)?.months,
                authorities: ops::responses::GetAuthoritySettings.run(&desk)?,
            };
            ctx.show(&all, all_text)
        }
    }
}

/// `settings show --json`: every setting, each part as the window's settings page reads it.
#[derive(serde::Serialize)]
struct AllSettings {
    organisation: rightsdesk::respond::Organisation,
    smtp: SmtpSettings,
    imap: rightsdesk::desk::ImapSettings,
    targets: Vec<rightsdesk::desk::TargetSetting>,
    identity: rightsdesk::desk::IdentitySettings,
    retention_months: u32,
    authorities: Vec<RegimeAuthorities>,
}

fn all_text(a: &AllSettings) -> String {
    let o = &a.organisation;
    let mut lines = vec![format!("organisation: {} <{}>", o.name, o.email)];
    for field in rightsdesk::respond::Organisation::FIELDS {
        if let Some(v) = o.get(field).filter(|v| !v.is_empty()) {
            lines.push(format!("  {field:<11} {}", v.replace('\n', " / ")));
        }
    }
    let s = &a.smtp;
    lines.push(if s.host.is_empty() {
        "SMTP: not set up".into()
    } else {
        format!(
            "SMTP: {}:{} ({}){}",
            s.host,
            s.port,
            s.security,
            s.username.as_ref().map(|u| format!(" as {u}")).unwrap_or_default()
        )
    });
    lines.push(if a.imap.is_set() { format!("mailbox: {}", imap_line(&a.imap)) } else { "mailbox: not set up".into() });
    lines.push("internal targets (working days before the due date):".into());
    lines.extend(a.targets.iter().map(|t| format!("  {:<12} {}", t.regime, t.working_days)));
    lines.push(format!(
        "identity evidence is deleted {} days after a request is answered",
        a.identity.evidence_retention_days
    ));
    lines.push("unverified requests are flagged (days after the identity request):".into());
    lines.extend(a.identity.unverified_days.iter().map(|d| format!("  {:<12} {}", d.regime, d.days)));
    lines.push(format!(
        "closed requests are purged of personal data {} months after they were closed",
        a.retention_months
    ));
    lines.push("supervisory authorities:".into());
    lines.extend(a.authorities.iter().map(|r| match &r.own {
        Some(own) => format!("  {:<12} your own: {}", r.regime, own.name),
        None => format!("  {:<12} from the directory by the request's calendar", r.regime),
    }));
    lines.join("\n")
}

fn imap_line(s: &rightsdesk::desk::ImapSettings) -> String {
    let done = match &s.done_folder {
        Some(f) => format!("handled mail moved to {f}"),
        None => "handled mail flagged".into(),
    };
    format!(
        "{}@{}:{} ({}), folder {}, {done}, sent mail copied to {}, checked every {} min",
        s.username, s.host, s.port, s.security, s.folder, s.sent_folder, s.poll_minutes
    )
}

fn authority_text(shown: &RegimeAuthorities) -> String {
    let mut out = match &shown.own {
        Some(a) => format!("{}: your own authority — {}, {}", shown.regime_name, a.name, a.address),
        None => format!("{}: chosen from the directory by the request's calendar", shown.regime_name),
    };
    for a in &shown.directory {
        out.push_str(&format!("\n  {} [{}] {} — {} ({})", a.places.join(","), a.checked, a.name, a.address, a.id));
    }
    out
}
