//! `rightsdesk request …`: log, list, show and move requests.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::dates;
use rightsdesk::desk::{
    CheckInput, DisclosureInput, EvidenceFile, NewRequest, QueueRow, RequestDetail, RequestEdit, StatusChange,
};
use rightsdesk::domain::{RequestKind, Status};
use rightsdesk::store::{Page, Query, Sort};

#[derive(Subcommand)]
pub enum Command {
    /// Log a new request.
    Add(Box<AddArgs>),
    /// The queue: filtered, sorted, paged.
    List {
        #[arg(long)]
        status: Option<String>,
        /// Only requests still being worked on.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        regime: Option<String>,
        #[arg(long = "due-before")]
        due_before: Option<String>,
        #[arg(long)]
        search: Option<String>,
        /// due, received, reference, status, kind, regime, requester (default due).
        #[arg(long)]
        sort: Option<String>,
        #[arg(long)]
        desc: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Correct what was logged: the requester's details, language, channel, date of receipt, description, notes.
    /// Give only what changes; an empty value clears an optional field. The audit event keeps before and after.
    Edit {
        reference: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        channel: Option<String>,
        /// YYYY-MM-DD; the deadlines are derived again.
        #[arg(long)]
        received: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// One request with its dates, their explanation and its audit events.
    Show { reference: String },
    /// Attach a file (a scanned letter, an email, evidence): copied into the managed folder with its SHA-256.
    Attach {
        reference: String,
        file: std::path::PathBuf,
        /// The name to show (default: the file's own name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Record an identity check: method, outcome, date and the evidence seen. The identity is established once the
    /// data subject (and an authorised agent's authority) is verified; that starts the UK clock.
    Verify {
        reference: String,
        /// email-code, account-match, id-document, signed-letter, in-person, authorised-agent, parental-authority.
        #[arg(long)]
        method: String,
        /// verified, failed, not-required.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        on: String,
        /// requester (the data subject, default) or agent (the authority of the person acting for them).
        #[arg(long)]
        party: Option<String>,
        /// A file seen (copied into the managed evidence folder with its SHA-256); repeat for several.
        #[arg(long)]
        evidence: Vec<std::path::PathBuf>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Ask the requester to confirm their identity (the request waits for it; the unverified flag counts from ON).
    AskIdentity {
        reference: String,
        #[arg(long)]
        on: String,
        /// What is asked for (it goes into the email with --send).
        #[arg(long)]
        note: Option<String>,
        /// Also queue the identity-request email to the requester.
        #[arg(long)]
        send: bool,
    },
    /// Name the person acting for the data subject and their written authority, or --remove them.
    Agent {
        reference: String,
        #[arg(long, required_unless_present = "remove")]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, required_unless_present = "remove")]
        authority: Option<String>,
        #[arg(long, conflicts_with_all = ["name", "email", "authority"])]
        remove: bool,
    },
    /// Refuse a request whose identity was not confirmed within the configured period after asking for it.
    CloseUnverified {
        reference: String,
        /// Also queue the matching notice to the requester.
        #[arg(long)]
        send: bool,
    },
    /// Record that the requester paid the fee asked for.
    FeePaid {
        reference: String,
        #[arg(long)]
        on: String,
    },
    /// Stop the clock while waiting for the requester (only regimes with a stop-the-clock rule move the date).
    Pause {
        reference: String,
        #[arg(long)]
        from: String,
        /// awaiting-identity, awaiting-clarification, awaiting-fee, other.
        #[arg(long)]
        reason: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Restart a stopped clock: ON is the day the answer arrived.
    Resume {
        reference: String,
        #[arg(long)]
        on: String,
    },
    /// Take the one extension, told to the requester on TOLD with REASON (before the original due date).
    Extend {
        reference: String,
        #[arg(long)]
        told: String,
        #[arg(long)]
        reason: String,
        /// The new date, where the law lets the organisation choose it (ch-fadp, sg-pdpa).
        #[arg(long = "new-due")]
        new_due: Option<String>,
    },
    /// Set the date that applies by hand (audited, with a reason), or --clear the override.
    OverrideDue {
        reference: String,
        #[arg(long, conflicts_with = "clear", required_unless_present = "clear")]
        date: Option<String>,
        #[arg(long)]
        clear: bool,
        #[arg(long)]
        reason: String,
    },
    /// Set a request aside as a duplicate of another (it can still be verified, and taken back with
    /// `status REF received --reason …`).
    Merge {
        reference: String,
        #[arg(long)]
        into: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record that two look-alike requests are related (`linked`) or not the same (`separate`).
    Relate {
        reference: String,
        #[arg(long)]
        to: String,
        #[arg(long = "as", value_name = "linked|separate")]
        relation: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record the work on one system of the request's checklist: done, not-applicable (with --note), beyond-use
    /// (erasure from a backup: --note says how and until when), or open again.
    Tick {
        reference: String,
        #[arg(long)]
        system: String,
        #[arg(long)]
        state: String,
        #[arg(long)]
        note: Option<String>,
        /// A file kept as proof (attached to the request with its SHA-256).
        #[arg(long)]
        proof: Option<std::path::PathBuf>,
    },
    /// Add what a system holds about the requester to an access or portability answer: a field (--label and
    /// --value) or a file (--file, of any kind), under a category. --provided marks data the person provided (a
    /// portability export holds only those).
    Disclose {
        reference: String,
        #[arg(long)]
        system: String,
        #[arg(long)]
        category: String,
        #[arg(long, conflicts_with = "file", requires = "value")]
        label: Option<String>,
        #[arg(long, requires = "label")]
        value: Option<String>,
        #[arg(long, required_unless_present = "label")]
        file: Option<std::path::PathBuf>,
        #[arg(long)]
        provided: bool,
    },
    /// Take an item off the answer (by the id `request show --json` lists under `disclosures`).
    Undisclose {
        reference: String,
        #[arg(long)]
        item: String,
    },
    /// Add the systems put on the data map since the request was logged to its checklist.
    RefreshChecklist { reference: String },
    /// Move a request to a new status (holds need --reason; refusals --category and --reason, exemptions --basis).
    Status {
        reference: String,
        status: String,
        #[arg(long)]
        reason: Option<String>,
        /// manifestly-unfounded, excessive, identity-not-verified, exemption, third-party-rights, no-data-held,
        /// not-covered, other.
        #[arg(long)]
        category: Option<String>,
        /// The legal basis of an exemption.
        #[arg(long)]
        basis: Option<String>,
        /// With `spam`: block the sender's address (later requests from it are flagged, never dropped).
        #[arg(long = "block-sender")]
        block_sender: bool,
    },
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// Prefill from an email (.eml): sender, date of receipt, text, and the kind guessed from the words (options
    /// given here win). The message is attached to the request.
    #[arg(long = "from-eml", value_name = "FILE")]
    from_eml: Option<std::path::PathBuf>,
    #[arg(long, required_unless_present = "from_eml")]
    kind: Option<String>,
    #[arg(long)]
    regime: String,
    #[arg(long)]
    calendar: Option<String>,
    #[arg(long, required_unless_present = "from_eml")]
    received: Option<String>,
    #[arg(long, required_unless_present = "from_eml")]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    address: Option<String>,
    /// Customer or account reference.
    #[arg(long)]
    account: Option<String>,
    /// email, web-form, letter, phone, in-person (default email).
    #[arg(long)]
    channel: Option<String>,
    /// Two-letter language of the requester (default en).
    #[arg(long)]
    language: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// Someone acting for the data subject (needs --agent-authority).
    #[arg(long = "agent-name")]
    agent_name: Option<String>,
    #[arg(long = "agent-email")]
    agent_email: Option<String>,
    /// The written authority the agent showed (e.g. "signed power of attorney").
    #[arg(long = "agent-authority")]
    agent_authority: Option<String>,
}

fn bad(option: &str, message: String) -> Failure {
    Failure::usage(format!("invalid --{option}: {message}"))
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let as_json = ctx.json;
    let desk = ctx.desk()?;
    match command {
        Command::Add(args) => add(&desk, *args, as_json),
        Command::List { status, open, kind, regime, due_before, search, sort, desc, limit, offset } => {
            let query = Query {
                status: status
                    .map(|s| {
                        Status::parse(&s)
                            .ok_or_else(|| bad("status", format!("unknown status '{s}' (one of: {})", Status::ids())))
                    })
                    .transpose()?,
                open_only: open,
                kind: kind
                    .map(|k| {
                        RequestKind::parse(&k)
                            .ok_or_else(|| bad("kind", format!("unknown kind '{k}' (one of: {})", RequestKind::ids())))
                    })
                    .transpose()?,
                regime: regime
                    .map(|r| desk.engine().regime(&r).map(|g| g.id.clone()).map_err(|e| bad("regime", e.to_string())))
                    .transpose()?,
                due_before: due_before
                    .map(|d| dates::parse(&d).map_err(|e| bad("due-before", e.to_string())))
                    .transpose()?,
                search,
                sort: sort
                    .map(|s| {
                        Sort::parse(&s).ok_or_else(|| {
                            bad(
                                "sort",
                                format!(
                                    "unknown sort '{s}' (due, received, reference, status, kind, regime, requester)"
                                ),
                            )
                        })
                    })
                    .transpose()?
                    .unwrap_or_default(),
                descending: desc,
                limit,
                offset,
            };
            if !(1..=500).contains(&limit) {
                return Err(bad("limit", format!("{limit} is not between 1 and 500")));
            }
            let page = desk.list(&query)?;
            if as_json { json(&page) } else { Ok(list_text(&page)) }
        }
        Command::Show { reference } => detail_out(&desk.request(&reference)?, as_json),
        Command::Verify { reference, method, outcome, on, party, evidence, note } => {
            let mut files = Vec::new();
            for path in &evidence {
                let f = open_attachment(path)?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                files.push(EvidenceFile { name, content: Box::new(f) });
            }
            let input = CheckInput { party, method, outcome, on, note };
            detail_out(&desk.record_identity_check(&reference, input, files)?, as_json)
        }
        Command::AskIdentity { reference, on, note, send } => {
            detail_out(&desk.ask_identity(&reference, &on, note.as_deref(), send)?, as_json)
        }
        Command::Agent { reference, name, email, authority, remove: _ } => {
            detail_out(&desk.set_agent(&reference, name, email, authority)?, as_json)
        }
        Command::CloseUnverified { reference, send } => detail_out(&desk.close_unverified(&reference, send)?, as_json),
        Command::FeePaid { reference, on } => detail_out(&desk.record_fee_paid(&reference, &on)?, as_json),
        Command::Pause { reference, from, reason, note } => {
            detail_out(&desk.pause_clock(&reference, &from, &reason, note.as_deref())?, as_json)
        }
        Command::Resume { reference, on } => detail_out(&desk.resume_clock(&reference, &on)?, as_json),
        Command::Extend { reference, told, reason, new_due } => {
            detail_out(&desk.take_extension(&reference, &told, Some(&reason), new_due.as_deref())?, as_json)
        }
        Command::OverrideDue { reference, date, clear: _, reason } => {
            detail_out(&desk.override_due(&reference, date.as_deref(), Some(&reason))?, as_json)
        }
        Command::Attach { reference, file, name } => {
            let mut f = open_attachment(&file)?;
            let name =
                name.unwrap_or_else(|| file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            detail_out(&desk.attach(&reference, &name, &mut f)?, as_json)
        }
        Command::Tick { reference, system, state, note, proof } => {
            let proof = proof
                .map(|p| {
                    let f = open_attachment(&p)?;
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Ok::<_, Failure>((name, Box::new(f) as Box<dyn std::io::Read>))
                })
                .transpose()?;
            detail_out(&desk.tick(&reference, &system, &state, note.as_deref(), proof)?, as_json)
        }
        Command::Disclose { reference, system, category, label, value, file, provided } => {
            let file = file
                .map(|p| {
                    let f = open_attachment(&p)?;
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Ok::<_, Failure>((name, Box::new(f) as Box<dyn std::io::Read>))
                })
                .transpose()?;
            let input = DisclosureInput {
                system,
                category,
                label: label.unwrap_or_default(),
                value: value.unwrap_or_default(),
                provided,
            };
            detail_out(&desk.add_disclosure(&reference, input, file)?, as_json)
        }
        Command::Edit {
            reference,
            name,
            email,
            phone,
            address,
            account,
            language,
            channel,
            received,
            description,
            notes,
        } => {
            let edit =
                RequestEdit { name, email, phone, address, account, language, channel, received, description, notes };
            detail_out(&desk.edit_request(&reference, edit)?, as_json)
        }
        Command::Undisclose { reference, item } => detail_out(&desk.remove_disclosure(&reference, &item)?, as_json),
        Command::RefreshChecklist { reference } => detail_out(&desk.refresh_checklist(&reference)?, as_json),
        Command::Merge { reference, into, note } => {
            detail_out(&desk.merge_duplicate(&reference, &into, note.as_deref())?, as_json)
        }
        Command::Relate { reference, to, relation, note } => {
            detail_out(&desk.relate(&reference, &to, &relation, note.as_deref())?, as_json)
        }
        Command::Status { reference, status, reason, category, basis, block_sender } => {
            let change = StatusChange { status, reason, category, basis, block_sender };
            detail_out(&desk.change_status(&reference, change)?, as_json)
        }
    }
}

/// A file to keep with a request: a regular file within the attachment limit (checked again while it is copied).
fn open_attachment(path: &std::path::Path) -> Result<rightsdesk::files::Input, Failure> {
    Ok(rightsdesk::files::open_input(path, rightsdesk::files::MAX_ATTACHMENT_BYTES)?)
}

fn add(desk: &rightsdesk::Desk, args: AddArgs, as_json: bool) -> Result<String, Failure> {
    let AddArgs {
        from_eml,
        kind,
        regime,
        calendar,
        received,
        name,
        email,
        phone,
        address,
        account,
        channel,
        language,
        description,
        notes,
        agent_name,
        agent_email,
        agent_authority,
    } = args;
    let mut input = NewRequest {
        kind: kind.unwrap_or_default(),
        regime,
        calendar,
        received: received.unwrap_or_default(),
        channel,
        name: name.unwrap_or_default(),
        email,
        phone,
        address,
        account,
        language,
        description,
        notes,
        agent_name,
        agent_email,
        agent_authority,
    };
    let Some(path) = from_eml else {
        return detail_out(&desk.add_request(input)?, as_json);
    };
    let bytes = rightsdesk::files::read_input(&path, rightsdesk::files::MAX_EML_BYTES)?;
    let draft = rightsdesk::intake::read_email(&bytes)?;
    let or =
        |given: String, found: Option<String>| if given.trim().is_empty() { found.unwrap_or_default() } else { given };
    input.name = or(input.name, Some(draft.name));
    input.received = or(input.received, draft.received.map(dates::fmt));
    input.kind = or(input.kind, draft.kind_guess.map(|g| g.kind.id().to_string()));
    input.email = input.email.or(draft.email);
    input.language = input.language.or(draft.language_guess);
    input.description = input.description.or(Some(draft.description));
    input.channel = input.channel.or(Some("email".into()));
    if input.kind.is_empty() {
        return Err(Failure::usage("the message does not say what it asks for: give --kind".into()));
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "message.eml".into());
    detail_out(&desk.add_request_with_file(input, &file_name, &mut bytes.as_slice())?, as_json)
}

fn detail_out(d: &RequestDetail, as_json: bool) -> Result<String, Failure> {
    if as_json {
        return json(d);
    }
    let r = &d.request;
    let opt = |o: Option<time::Date>| o.map_or_else(|| "—".to_string(), dates::fmt);
    let mut lines = vec![
        format!("{}  {} · {} · {}", r.reference, r.kind.label(), r.regime, r.status.label()),
        format!("  requester       {} {}", r.requester.name, r.requester.email.as_deref().unwrap_or("")),
        format!("  received        {} by {}", dates::fmt(r.received), r.channel.label()),
        format!("  acknowledge by  {}", opt(r.dates.acknowledge_by)),
        format!("  due             {}", opt(r.dates.due)),
        format!("  extended due    {}", opt(r.dates.extended_due)),
        format!("  effective due   {} ({:?})", opt(r.dates.effective_due), d.due_state),
        format!("  internal target {}", opt(r.dates.internal_target)),
    ];
    if let Some(why) = &d.explanation.no_deadline {
        lines.push(format!("  {why}"));
    }
    if let Some(a) = &r.agent {
        lines.push(format!("  agent           {} ({})", a.name, a.authority));
    }
    let id = &d.identity;
    lines.push(format!(
        "  identity        {} · policy: {}",
        if id.verified { "established" } else { "not established" },
        id.policy.level.label()
    ));
    for c in &id.checks {
        lines.push(format!(
            "    {} {} {} {}{}",
            dates::fmt(c.checked_on),
            c.party.id(),
            c.method.id(),
            c.outcome.id(),
            c.evidence
                .iter()
                .map(|e| match e.purged_on {
                    Some(p) => format!(" [{} purged {}, sha256 {}]", e.file_name, dates::fmt(p), e.sha256),
                    None => format!(" [{} sha256 {}]", e.file_name, e.sha256),
                })
                .collect::<String>()
        ));
    }
    if let Some(c) = r.refusal_category {
        lines.push(format!("  refusal         {}: {}", c.label(), r.outcome_reason.as_deref().unwrap_or("")));
    }
    if !d.checklist.is_empty() {
        lines.push("Checklist:".into());
        lines.extend(d.checklist.iter().map(|i| {
            format!(
                "  [{}] {} — {}{}",
                i.state,
                i.system_name,
                i.action,
                i.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
            )
        }));
    }
    if !d.disclosures.is_empty() {
        lines.push("Gathered for the answer:".into());
        lines.extend(d.disclosures.iter().map(|i| {
            let what = match (&i.label, &i.value, &i.file_name) {
                (Some(l), Some(v), _) => format!("{l}: {v}"),
                (_, _, Some(f)) => format!("file {f} ({} bytes)", i.size.unwrap_or(0)),
                _ => String::new(),
            };
            let provided = if i.provided { " [provided]" } else { "" };
            format!("  {} · {} · {what}{provided}  ({})", i.system_name, i.category, i.id)
        }));
    }
    lines.extend(d.flags.iter().map(|f| format!("  ! {f}")));
    if !d.attachments.is_empty() {
        lines.push("Attachments:".into());
        lines
            .extend(d.attachments.iter().map(|a| format!("  {} ({} bytes, sha256 {})", a.file_name, a.size, a.sha256)));
    }
    lines.push("Events:".into());
    lines.extend(d.events.iter().map(|e| format!("  {} {} {}", e.at, e.kind, e.actor)));
    Ok(lines.join("\n"))
}

fn list_text(page: &Page<QueueRow>) -> String {
    let mut lines = vec![format!("{} of {} (from {})", page.items.len(), page.total, page.offset)];
    for q in &page.items {
        let r = &q.row;
        lines.push(format!(
            "{:<14} {:<12} {:<22} {:<20} {:<24} due {}",
            r.reference,
            r.regime,
            r.kind.id(),
            r.status.id(),
            r.requester_name,
            r.effective_due.map_or_else(|| "—".into(), dates::fmt)
        ));
    }
    lines.join("\n")
}
