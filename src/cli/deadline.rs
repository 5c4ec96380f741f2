//! `rightsdesk deadline`: the contract of shared/domain/deadline-contract.md.

use serde::Serialize;
use time::Date;

use super::{Ctx, Failure, json};
use rightsdesk::dates::{self, iso};
use rightsdesk::deadline::{Deadline, Engine, Facts, Pause};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, help = super::REGIME)]
    regime: Option<String>,
    #[arg(long, help = super::KIND)]
    kind: Option<String>,
    /// The day the request was received (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    received: Option<String>,
    #[arg(long, value_name = "CODE", help = super::CALENDAR)]
    calendar: Option<String>,
    /// The day the requester's identity was verified (YYYY-MM-DD), where the law starts the clock then.
    #[arg(long, value_name = "YYYY-MM-DD")]
    verified: Option<String>,
    /// The day the fee asked for was paid (YYYY-MM-DD), where the law starts the clock then.
    #[arg(long = "fee-paid", value_name = "YYYY-MM-DD")]
    fee_paid: Option<String>,
    /// A clarification pause, START:END, both days included (uk-gdpr access only). May repeat.
    #[arg(long, value_name = "START:END")]
    pause: Vec<String>,
}

/// Exactly the fields of the contract, in its order.
#[derive(Serialize)]
struct Output {
    regime: String,
    kind: String,
    calendar: String,
    #[serde(with = "iso")]
    received: Date,
    #[serde(with = "iso")]
    clock_start: Date,
    #[serde(with = "iso::option")]
    acknowledge_by: Option<Date>,
    #[serde(with = "iso")]
    due: Date,
    #[serde(with = "iso::option")]
    extended_due: Option<Date>,
    paused_days: u32,
    explanation: Vec<String>,
}

fn required(value: Option<String>, option: &str) -> Result<String, Failure> {
    value.ok_or_else(|| Failure { message: format!("missing required option --{option}"), code: 2, stdout: false })
}

fn date(value: &str, option: &str) -> Result<Date, Failure> {
    dates::parse_in_range(value).map_err(|e| Failure {
        message: format!("invalid --{option} date {e}"),
        code: 2,
        stdout: false,
    })
}

fn pause(value: &str) -> Result<Pause, Failure> {
    let bad = |why: String| Failure { message: format!("invalid --pause '{value}': {why}"), code: 2, stdout: false };
    let (a, b) = value.split_once(':').ok_or_else(|| bad("expected START:END, e.g. 2026-03-05:2026-03-09".into()))?;
    let start = dates::parse_in_range(a).map_err(|e| bad(e.to_string()))?;
    let end = dates::parse_in_range(b).map_err(|e| bad(e.to_string()))?;
    Ok(Pause { start, end })
}

pub fn run(ctx: &Ctx, args: Args) -> Result<String, Failure> {
    let regime = required(args.regime, "regime")?;
    let kind = required(args.kind, "kind")?;
    let received = date(&required(args.received, "received")?, "received")?;
    let verified = args.verified.as_deref().map(|v| date(v, "verified")).transpose()?;
    let fee_paid = args.fee_paid.as_deref().map(|v| date(v, "fee-paid")).transpose()?;
    for (option, value) in [("verified", verified), ("fee-paid", fee_paid)] {
        if let Some(d) = value.filter(|d| *d < received) {
            return Err(Failure {
                message: format!(
                    "invalid --{option} date '{}': before --received {}",
                    dates::fmt(d),
                    dates::fmt(received)
                ),
                code: 2,
                stdout: false,
            });
        }
    }
    let pauses = args.pause.iter().map(|p| pause(p)).collect::<Result<Vec<_>, _>>()?;
    let engine = Engine::shipped()?;
    let d = engine.compute(&Facts {
        regime: &regime,
        kind: &kind,
        calendar: args.calendar.as_deref(),
        received: Some(received),
        verified,
        fee_paid,
        pauses: &pauses,
    })?;
    if ctx.json { json(&output(d)) } else { Ok(text(&d)) }
}

fn output(d: Deadline) -> Output {
    Output {
        explanation: d.explanation(),
        regime: d.regime,
        kind: d.kind,
        calendar: d.calendar,
        received: d.received,
        clock_start: d.clock_start,
        acknowledge_by: d.acknowledge_by,
        due: d.due,
        extended_due: d.extended_due,
        paused_days: d.paused_days,
    }
}

fn text(d: &Deadline) -> String {
    let opt = |o: Option<Date>| o.map_or_else(|| "—".to_string(), dates::fmt);
    let mut lines = vec![
        format!("{} {} (calendar {})", d.regime, d.kind, d.calendar),
        format!("  received        {}", dates::fmt(d.received)),
        format!("  clock start     {}", dates::fmt(d.clock_start)),
        format!("  acknowledge by  {}", opt(d.acknowledge_by)),
        format!("  due             {}", dates::fmt(d.due)),
        format!("  extended due    {}", opt(d.extended_due)),
        format!("  paused days     {}", d.paused_days),
        "How:".to_string(),
    ];
    lines.extend(d.explanation().into_iter().map(|s| format!("  - {s}")));
    lines.join("\n")
}
