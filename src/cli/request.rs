//! `rightsdesk request …`: log, list, show and move requests.

use clap::Subcommand;

use super::{Ctx, Failure, json};
use rightsdesk::dates;
use rightsdesk::desk::{AckState, DisclosureInput, NewRequest, QueueRow, RequestDetail};
use rightsdesk::domain::{RequestKind, Status};
use rightsdesk::files::FileInput;
use rightsdesk::ops::{self, Operation};
use rightsdesk::store::{Dashboard, OwnerFilter, Page, Query, QueueView, Sort};

#[derive(Subcommand)]
pub enum Command {
    /// Log a new request.
    Add(Box<AddArgs>),
    /// The queue: filtered, sorted, paged.
    List {
        /// Only requests in this status: received, awaiting-identity, in-progress, on-hold, fulfilled,
        /// partially-fulfilled, refused, withdrawn, duplicate, spam, closed.
        #[arg(long)]
        status: Option<String>,
        /// Only requests still being worked on.
        #[arg(long)]
        open: bool,
        /// Only this kind of request (access, erasure, …: as in `request add`).
        #[arg(long)]
        kind: Option<String>,
        /// Only requests under this law (eu-gdpr, uk-gdpr, us-ca-ccpa, …: as in `request add`).
        #[arg(long)]
        regime: Option<String>,
        #[arg(long = "due-before", value_name = "YYYY-MM-DD", help = "Due on or before this day (YYYY-MM-DD)")]
        due_before: Option<String>,
        #[arg(long = "due-from", value_name = "YYYY-MM-DD", help = "Due on or after this day (YYYY-MM-DD)")]
        due_from: Option<String>,
        #[arg(
            long,
            help = "One of the dashboard's lists (overdue, due-soon, to-acknowledge, on-hold, open): exactly what its \
                    count counts; replaces --status, --open and the date filters",
            conflicts_with_all = ["status", "open", "due_before", "due_from"]
        )]
        view: Option<String>,
        /// Text to find in the reference, the requester's name, email and account reference, the description and
        /// notes (3 characters or more; shorter text matches the start of the reference, name or email).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// due, received, reference, status, kind, regime, requester (default due).
        #[arg(long)]
        sort: Option<String>,
        /// Sort the other way round (latest or highest first).
        #[arg(long)]
        desc: bool,
        /// Requests per page (1–500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// The page after this cursor (the `next` a page printed), same filters and sort.
        #[arg(long, conflicts_with_all = ["before", "offset"])]
        after: Option<String>,
        /// The page before this cursor (the `prev` a page printed), same filters and sort.
        #[arg(long, conflicts_with = "offset")]
        before: Option<String>,
        /// Skip N requests first: reads every skipped one, so slow when deep (use --after).
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Only the requests of this person of the team register (a login), `me` for yours, or `nobody` for those
        /// not assigned yet.
        #[arg(long, value_name = "LOGIN")]
        owner: Option<String>,
    },
    /// Correct what was logged: the requester's details, language, channel, date of receipt, description, notes.
    /// Give only what changes; an empty value clears an optional field. The audit event keeps before and after.
    Edit(ops::requests::EditRequest),
    /// One request with its dates, their explanation and its audit events.
    Show(ops::requests::GetRequest),
    /// Attach a file (a scanned letter, an email, evidence): copied into the managed folder with its SHA-256.
    Attach(ops::requests::AddAttachment),
    /// The messages taken from the mailbox for this request (replies, the message it was made from), newest first.
    Mail(ops::mailbox::RequestMail),
    /// Record an identity check: method, outcome, date and the evidence seen. The identity is established once the
    /// data subject (and an authorised agent's authority) is verified; that starts the UK clock.
    Verify(ops::identity::RecordIdentityCheck),
    /// Ask the requester to confirm their identity (the request waits for it; the unverified flag counts from ON).
    AskIdentity(ops::identity::AskIdentity),
    /// Name the person acting for the data subject and their written authority, or --remove them.
    Agent(ops::identity::SetAgent),
    /// Refuse a request whose identity was not confirmed within the configured period after asking for it.
    CloseUnverified(ops::identity::CloseUnverified),
    /// Record that the requester paid the fee asked for.
    FeePaid(ops::clock::RecordFeePaid),
    /// Stop the clock while waiting for the requester (only regimes with a stop-the-clock rule move the date).
    Pause(ops::clock::PauseClock),
    /// Restart a stopped clock: ON is the day the answer arrived.
    Resume(ops::clock::ResumeClock),
    /// Take the one extension, told to the requester on TOLD with REASON (before the original due date).
    Extend(ops::clock::TakeExtension),
    /// Set the date that applies by hand (audited, with a reason), or --clear the override.
    OverrideDue(ops::clock::OverrideDue),
    /// Set a request aside as a duplicate of another (it can still be verified, and taken back with
    /// `status REF received --reason …`).
    Merge(ops::requesters::MergeDuplicate),
    /// Record that two look-alike requests are related (`linked`) or not the same (`separate`).
    Relate(ops::requesters::RelateRequests),
    /// Record the work on one system of the request's checklist: done, not-applicable (with --note), beyond-use
    /// (erasure from a backup: --note says how and until when), or open again.
    Tick(ops::datamap::TickChecklist),
    /// Add what a system holds about the requester to an access or portability answer: a field (--label and
    /// --value) or a file (--file, of any kind), under a category. --provided marks data the person provided (a
    /// portability export holds only those).
    Disclose {
        #[arg(help = super::REFERENCE)]
        reference: String,
        /// The system of the data map it comes from (its name).
        #[arg(long)]
        system: String,
        /// The category of personal data the answer lists it under (e.g. "Contact details", "Orders").
        #[arg(long)]
        category: String,
        /// The field's name as the answer shows it (with --value).
        #[arg(long, conflicts_with = "file", requires = "value")]
        label: Option<String>,
        /// The field's value (with --label).
        #[arg(long, requires = "label")]
        value: Option<String>,
        /// A file to give as it is (any kind).
        #[arg(long, required_unless_present = "label")]
        file: Option<rightsdesk::files::FileInput>,
        /// The person provided this data themselves (a portability export holds only those).
        #[arg(long)]
        provided: bool,
    },
    /// Take an item off the answer (by the id `request show --json` lists under `disclosures`).
    Undisclose(ops::exports::RemoveDisclosure),
    /// Add the systems put on the data map since the request was logged to its checklist.
    RefreshChecklist(ops::datamap::RefreshChecklist),
    /// Move a request to a new status (holds need --reason; refusals --category and --reason, exemptions --basis).
    Status(ops::requests::ChangeStatus),
    /// Give a request to a person of the team register (--to LOGIN, or me), or take it back (no --to).
    Assign(ops::team::AssignRequest),
    /// Give one line of a request's checklist to a colleague (--system, --to LOGIN), or take it back (no --to).
    AssignLine(ops::team::AssignChecklistLine),
    /// The counts at the top of the queue: overdue, due soon, by status.
    Dashboard,
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// Prefill from an email (.eml): sender, date of receipt, text, and the kind guessed from the words (options
    /// given here win). The message is attached to the request.
    #[arg(long = "from-eml", value_name = "FILE")]
    from_eml: Option<std::path::PathBuf>,
    #[arg(long, required_unless_present = "from_eml", help = super::KIND)]
    kind: Option<String>,
    #[arg(long, help = super::REGIME)]
    regime: String,
    #[arg(long, value_name = "CODE", help = super::CALENDAR)]
    calendar: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD", required_unless_present = "from_eml", help = super::RECEIVED)]
    received: Option<String>,
    /// The data subject's name.
    #[arg(long, required_unless_present = "from_eml")]
    name: Option<String>,
    /// The requester's email address.
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
    /// email, web-form, letter, phone, in-person (default email).
    #[arg(long)]
    channel: Option<String>,
    /// Two-letter language of the requester (default en).
    #[arg(long)]
    language: Option<String>,
    /// What the requester asks, in their words or in short.
    #[arg(long)]
    description: Option<String>,
    /// Internal notes about the request.
    #[arg(long)]
    notes: Option<String>,
    /// Someone acting for the data subject (needs --agent-authority).
    #[arg(long = "agent-name")]
    agent_name: Option<String>,
    /// The agent's email address.
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
    let desk = ctx.desk()?;
    let detail = |op: Result<RequestDetail, rightsdesk::Error>| detail_out(ctx, &op?);
    match command {
        Command::Add(args) => add(ctx, &desk, *args),
        Command::List {
            status,
            open,
            kind,
            regime,
            due_before,
            due_from,
            view,
            search,
            sort,
            desc,
            limit,
            after,
            before,
            offset,
            owner,
        } => {
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
                due_from: due_from.map(|d| dates::parse(&d).map_err(|e| bad("due-from", e.to_string()))).transpose()?,
                acknowledge_by: None,
                owner: owner.map(|o| match o.trim() {
                    "me" => OwnerFilter::Mine,
                    "nobody" => OwnerFilter::Nobody,
                    login => OwnerFilter::Login(login.to_string()),
                }),
                view: view
                    .map(|v| {
                        QueueView::parse(&v).ok_or_else(|| {
                            bad(
                                "view",
                                format!("unknown view '{v}' (overdue, due-soon, to-acknowledge, on-hold, open)"),
                            )
                        })
                    })
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
                after,
                before,
                offset,
            };
            if !(1..=500).contains(&limit) {
                return Err(bad("limit", format!("{limit} is not between 1 and 500")));
            }
            ctx.show(&ops::requests::ListRequests { query }.run(&desk)?, list_text)
        }
        Command::Show(op) => detail(op.run(&desk)),
        Command::Verify(op) => detail(op.run(&desk)),
        Command::AskIdentity(op) => detail(op.run(&desk)),
        Command::Agent(op) => detail(op.run(&desk)),
        Command::CloseUnverified(op) => detail(op.run(&desk)),
        Command::FeePaid(op) => detail(op.run(&desk)),
        Command::Pause(op) => detail(op.run(&desk)),
        Command::Resume(op) => detail(op.run(&desk)),
        Command::Extend(op) => detail(op.run(&desk)),
        Command::OverrideDue(op) => detail(op.run(&desk)),
        Command::Attach(op) => detail(op.run(&desk)),
        Command::Mail(op) => ctx.show(&op.run(&desk)?, |list| {
            list.iter()
                .map(|m| {
                    format!(
                        "{} {} {} <{}> \"{}\" ({} file(s))",
                        m.received_at,
                        m.state,
                        m.sender_name,
                        m.sender,
                        m.subject,
                        m.attachments.len() + 1
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        Command::Tick(op) => detail(op.run(&desk)),
        Command::Disclose { reference, system, category, label, value, file, provided } => {
            let input = DisclosureInput {
                system,
                category,
                label: label.unwrap_or_default(),
                value: value.unwrap_or_default(),
                provided,
            };
            detail(ops::exports::AddDisclosure { reference, input, file }.run(&desk))
        }
        Command::Edit(op) => detail(op.run(&desk)),
        Command::Undisclose(op) => detail(op.run(&desk)),
        Command::RefreshChecklist(op) => detail(op.run(&desk)),
        Command::Merge(op) => detail(op.run(&desk)),
        Command::Relate(op) => detail(op.run(&desk)),
        Command::Status(op) => detail(op.run(&desk)),
        Command::Assign(op) => detail(op.run(&desk)),
        Command::AssignLine(op) => detail(op.run(&desk)),
        Command::Dashboard => ctx.show(&ops::requests::GetDashboard.run(&desk)?, dashboard_text),
    }
}

fn add(ctx: &Ctx, desk: &rightsdesk::Desk, args: AddArgs) -> Result<String, Failure> {
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
        return detail_out(ctx, &ops::requests::AddRequest { input, file: None }.run(desk)?);
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
    // The message as read, not the path read again: what is kept is what was parsed.
    let file = FileInput::Bytes {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "message.eml".into()),
        bytes,
    };
    detail_out(ctx, &ops::requests::AddRequest { input, file: Some(file) }.run(desk)?)
}

fn detail_out(ctx: &Ctx, d: &RequestDetail) -> Result<String, Failure> {
    if ctx.json {
        return json(d);
    }
    let r = &d.request;
    let opt = |o: Option<time::Date>| o.map_or_else(|| "—".to_string(), dates::fmt);
    let mut lines = vec![
        format!("{}  {} · {} · {}", r.reference, r.kind.label(), r.regime, r.status.label()),
        format!("  next            {}", d.next_step.says),
        format!("  requester       {} {}", r.requester.name, r.requester.email.as_deref().unwrap_or("")),
        format!("  received        {} by {}", dates::fmt(r.received), r.channel.label()),
        format!("  acknowledge by  {}", opt(r.dates.acknowledge_by)),
        format!("  due             {}", opt(r.dates.due)),
        format!("  extended due    {}", opt(r.dates.extended_due)),
        format!("  effective due   {} ({:?})", opt(r.dates.effective_due), d.due_state),
        format!("  internal target {}", opt(r.dates.internal_target)),
    ];
    if let Some(owner) = &r.owner {
        lines.insert(2, format!("  owner           {owner}"));
    }
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
                "  [{}] {} — {}{}{}",
                i.state,
                i.system_name,
                i.action,
                i.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default(),
                i.assignee.as_deref().map(|a| format!(" (assigned to {a})")).unwrap_or_default()
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

fn dashboard_text(d: &Dashboard) -> String {
    format!(
        "{} open: {} overdue, {} due within {} days, {} to acknowledge, {} on hold",
        d.open,
        d.overdue,
        d.due_soon,
        rightsdesk::desk::DUE_SOON_DAYS,
        d.acknowledgement_due,
        d.on_hold
    )
}

fn list_text(page: &Page<QueueRow>) -> String {
    let mut lines = vec![match page.total {
        Some(total) => format!("{} of {total} (from {})", page.items.len(), page.offset),
        None => format!("{} more", page.items.len()),
    }];
    for q in &page.items {
        let r = &q.row;
        lines.push(format!(
            "{:<14} {:<12} {:<22} {:<20} {:<24} due {}{}",
            r.reference,
            r.regime,
            r.kind.id(),
            r.status.id(),
            r.requester_name,
            r.effective_due.map_or_else(|| "—".into(), dates::fmt),
            r.owner.as_deref().map(|o| format!("  [{o}]")).unwrap_or_default()
        ));
        // The acknowledgement's own clock, when one is owed (the window's badge in the Status column).
        let by = || r.acknowledge_by.map_or_else(String::new, dates::fmt);
        match q.acknowledgement {
            AckState::Late => lines.push(format!("{:<14} acknowledgement late (was due {})", "", by())),
            AckState::DueSoon => lines.push(format!("{:<14} acknowledge by {}", "", by())),
            AckState::Owed | AckState::None => {}
        }
    }
    if let Some(next) = &page.next {
        lines.push(format!("next page: --after {next}"));
    }
    lines.join("\n")
}
