//! A realistic demo register: varied regimes, kinds, channels and statuses, some overdue. Used for the demo
//! database the app opens on first launch and for the benchmarks at a million requests.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use time::Duration;

use crate::desk::{DatesMemo, Desk};
use crate::domain::{Channel, ClockFacts, Dates, RefusalCategory, Request, RequestKind, Requester, Status};
use crate::error::Result;

const FIRST: &[&str] = &[
    "Amelia", "Oliver", "Sophie", "Lukas", "Emma", "Noah", "Chloé", "Mateo", "Ingrid", "Sven", "Aisha", "Ravi", "Mei",
    "João", "Fatima", "Liam", "Zofia", "Elena", "Pieter", "Marta", "Hannah", "Jakub", "Camille", "Thabo", "Priya",
    "Kenji", "Isabel", "Nils", "Aoife", "Tomás", "Grace", "Yusuf", "Léa", "Anders", "Nadia", "Ethan", "Beatriz",
];
const LAST: &[&str] = &[
    "Smith",
    "Jones",
    "Müller",
    "Dubois",
    "Rossi",
    "García",
    "Jansen",
    "Kowalski",
    "Nielsen",
    "Silva",
    "O'Brien",
    "Novak",
    "Andersson",
    "Papadopoulos",
    "Horvat",
    "Murphy",
    "Schmidt",
    "Lefèvre",
    "de Vries",
    "Costa",
    "Nguyen",
    "Patel",
    "Khumalo",
    "Tan",
    "Wilson",
    "Taylor",
    "Brown",
    "Martin",
    "Bernard",
    "Fischer",
    "Moreau",
    "Bakker",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net", "mail.example", "post.example"];
const DESCRIPTIONS: &[&str] = &[
    "Please send me a copy of all personal data you hold about me.",
    "I want my account and all associated data deleted.",
    "My postal address on file is wrong; please correct it.",
    "Stop using my data for marketing emails.",
    "Please provide my order history in a machine-readable format.",
    "I object to the profiling you use to target offers at me.",
    "Do not sell or share my personal information.",
    "I want to know who you shared my data with.",
];

/// (regime, calendar, weight): the mix of a European company with US and UK customers.
const REGIMES: &[(&str, &str, u32)] = &[
    ("eu-gdpr", "DE", 18),
    ("eu-gdpr", "FR", 10),
    ("eu-gdpr", "NL", 6),
    ("eu-gdpr", "DE-BY", 4),
    ("uk-gdpr", "GB-ENG", 20),
    ("uk-gdpr", "GB-SCT", 3),
    ("us-ca-ccpa", "US", 16),
    ("us-va-vcdpa", "US-VA", 3),
    ("us-co-cpa", "US-CO", 3),
    ("us-ct-ctdpa", "US-CT", 2),
    ("br-lgpd", "BR", 4),
    ("ca-pipeda", "CA", 3),
    ("ch-fadp", "CH", 3),
    ("au-privacy", "AU", 2),
    ("za-popia", "ZA", 1),
    ("sg-pdpa", "SG", 1),
    ("ca-qc-law25", "CA-QC", 1),
];

/// A name as people write it in an email address: lower case, no accents, no spaces or apostrophes.
fn ascii(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'í' | 'ï' => Some('i'),
            'ó' | 'ô' | 'ö' | 'õ' => Some('o'),
            'ú' | 'ü' => Some('u'),
            'ç' => Some('c'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A path through the lifecycle that ends in a status fitting the request's age.
fn path(rng: &mut StdRng, age_days: i64) -> Vec<(Status, Option<&'static str>)> {
    use Status::*;
    let roll = rng.random_range(0..100);
    if age_days < 5 {
        return match roll {
            0..60 => vec![],
            60..85 => vec![(InProgress, None)],
            _ => vec![(AwaitingIdentity, None)],
        };
    }
    if age_days < 50 {
        return match roll {
            0..15 => vec![],
            15..30 => vec![(AwaitingIdentity, None)],
            30..65 => vec![(InProgress, None)],
            65..75 => vec![(InProgress, None), (OnHold, Some("Asked the requester which accounts the request covers"))],
            75..92 => vec![(InProgress, None), (Fulfilled, None)],
            92..95 => {
                vec![(InProgress, None), (PartiallyFulfilled, Some("Some records are third-party data (Art 15(4))"))]
            }
            95..98 => vec![(Refused, Some("Manifestly unfounded: the requester states it is meant to disrupt"))],
            _ => vec![(Withdrawn, None)],
        };
    }
    match roll {
        0..2 => vec![(InProgress, None)],
        2..70 => vec![(InProgress, None), (Fulfilled, None), (Closed, None)],
        70..80 => vec![
            (InProgress, None),
            (PartiallyFulfilled, Some("Legal privilege applies to part of the records")),
            (Closed, None),
        ],
        80..90 => {
            vec![(Refused, Some("Identity could not be verified after two requests for information")), (Closed, None)]
        }
        _ => vec![(Withdrawn, None), (Closed, None)],
    }
}

/// The category (and legal basis) of the demo's refusal texts.
fn refusal(reason: &str) -> (Option<RefusalCategory>, Option<String>) {
    if reason.starts_with("Manifestly") {
        (Some(RefusalCategory::ManifestlyUnfounded), None)
    } else if reason.contains("third-party") {
        (Some(RefusalCategory::ThirdPartyRights), None)
    } else if reason.contains("privilege") {
        (Some(RefusalCategory::Exemption), Some("Legal professional privilege (DPA 2018 Sch 2 para 19)".into()))
    } else if reason.contains("Identity") {
        (Some(RefusalCategory::IdentityNotVerified), None)
    } else {
        (Some(RefusalCategory::Other), None)
    }
}

/// Create `count` demo requests received over the 400 days before today, `batch` per transaction.
pub fn seed(desk: &Desk, count: u64, batch: u64, seed: u64, mut progress: impl FnMut(u64)) -> Result<u64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = desk.today();
    let now = desk.now();
    let engine = desk.engine();
    let total_weight: u32 = REGIMES.iter().map(|r| r.2).sum();
    let mut memo = DatesMemo::default();
    let mut done = 0;
    while done < count {
        let n = batch.max(1).min(count - done);
        let mut requests = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        for _ in 0..n {
            let mut w = rng.random_range(0..total_weight);
            let &(regime, calendar, _) = REGIMES
                .iter()
                .find(|r| {
                    if w < r.2 {
                        true
                    } else {
                        w -= r.2;
                        false
                    }
                })
                .unwrap_or(&REGIMES[0]);
            let kinds: Vec<RequestKind> = engine
                .regime(regime)
                .map(|g| RequestKind::ALL.iter().copied().filter(|k| g.request_kinds.contains_key(k.id())).collect())
                .unwrap_or_default();
            let kind = if rng.random_range(0..100) < 45 { RequestKind::Access } else { *pick(&mut rng, &kinds) };
            // More recent requests than old ones, like a real register.
            let age = (rng.random_range(0.0f64..1.0).powf(1.6) * 400.0) as i64;
            let received = today - Duration::days(age);
            let (first, last) = (pick(&mut rng, FIRST), pick(&mut rng, LAST));
            let email =
                format!("{}.{}{}@{}", ascii(first), ascii(last), rng.random_range(1..999), pick(&mut rng, DOMAINS));
            let channel = *pick(
                &mut rng,
                &[Channel::Email, Channel::Email, Channel::WebForm, Channel::WebForm, Channel::Letter, Channel::Phone],
            );
            let mut r = Request {
                id: uuid::Uuid::now_v7(),
                reference: String::new(),
                kind,
                regime: regime.into(),
                calendar: calendar.into(),
                channel,
                received,
                status: Status::Received,
                requester: Requester {
                    name: format!("{first} {last}"),
                    email: Some(email),
                    phone: (channel == Channel::Phone)
                        .then(|| format!("+44 20 7946 {:04}", rng.random_range(0..10_000))),
                    address: None,
                    account: rng.random_bool(0.5).then(|| format!("CUST-{:06}", rng.random_range(0..1_000_000))),
                },
                language: pick(&mut rng, &["en", "en", "en", "fr", "de", "nl"]).to_string(),
                description: pick(&mut rng, DESCRIPTIONS).to_string(),
                notes: String::new(),
                outcome_reason: None,
                external_id: None,
                requester_id: None,
                refusal_category: None,
                refusal_basis: None,
                agent: None,
                owner: None,
                identity_requested_on: None,
                facts: ClockFacts::default(),
                dates: Dates::default(),
                created_at: now,
                updated_at: now,
                closed_at: None,
                purged_at: None,
            };
            let mut events = Vec::new();
            // Answered between 3 and 40 days after receipt (never in the future).
            let answered = received + Duration::days(rng.random_range(3..41).min(age));
            for (to, reason) in path(&mut rng, age) {
                let mut data = json!({"from": r.status.id(), "to": to.id(), "reason": reason});
                if matches!(to, Status::Refused | Status::PartiallyFulfilled) {
                    r.outcome_reason = reason.map(str::to_string);
                    (r.refusal_category, r.refusal_basis) = refusal(reason.unwrap_or_default());
                    data["category"] = json!(r.refusal_category);
                    data["basis"] = json!(r.refusal_basis);
                }
                if to == Status::AwaitingIdentity {
                    r.identity_requested_on = Some(received + Duration::days(age.min(2)));
                }
                if !to.is_open() && r.closed_at.is_none() {
                    r.closed_at = Some(answered.midnight().assume_utc() + Duration::hours(10));
                }
                events.push(crate::domain::event::AuditEvent::from_parts("status_changed", &data));
                r.status = to;
            }
            r.dates = memo.dates(&engine, &r, today, crate::desk::DEFAULT_TARGET_WORKING_DAYS)?;
            requests.push((r, events));
        }
        desk.insert_batch(requests)?;
        done += n;
        progress(done);
    }
    Ok(done)
}

/// The demo organisation's local mail server: `scripts/demo.sh` runs a sink there (aiosmtpd) that keeps what it
/// receives, so answers are really sent from the demo.
pub const DEMO_SMTP_PORT: u16 = 2525;

/// Fills what a register needs for every feature to work: the organisation and its Art 15(1) information, a data
/// map, and a mail server on this computer (`DEMO_SMTP_PORT`). Settings already made are kept. Each is a settings
/// change with its audit event, as if an officer had typed it. Kept apart from `seed`, which the benchmarks use
/// on its own.
pub fn furnish(desk: &Desk) -> Result<Vec<&'static str>> {
    use crate::desk::{SmtpSettings, SystemInput};
    use crate::domain::Article15Info;
    use crate::respond::Organisation;

    let mut done = Vec::new();
    let org = desk.organisation()?;
    if org.name.trim().is_empty() {
        desk.set_organisation(Organisation {
            name: "Northwind Retail Ltd".into(),
            address: "12 Harbour Street\nBristol BS1 4QA\nUnited Kingdom".into(),
            email: "privacy@northwind.example".into(),
            dpo: "Dana Okafor, Data Protection Officer".into(),
            signature: "Dana Okafor\nData Protection Officer".into(),
            art15: Article15Info {
                purposes: "Selling and delivering your orders; customer service; fraud prevention; with your consent, \
                           marketing emails."
                    .into(),
                categories: "Identity and contact details; order and payment history (card numbers are held by our \
                             payment provider only); customer service messages; marketing preferences."
                    .into(),
                recipients: "Our delivery partners; our payment provider; our IT hosting provider, under contract."
                    .into(),
                retention: "Orders: 6 years after the sale (tax law). Customer service messages: 2 years. Marketing: \
                            until you withdraw consent."
                    .into(),
                source: "You, when you order or contact us; our payment provider for fraud checks.".into(),
                automated: "No decisions based solely on automated processing, including profiling.".into(),
                transfers: String::new(),
            },
            logo: String::new(),
        })?;
        done.push("organisation");
    }
    if desk.systems()?.iter().all(|s| s.retired_at.is_some()) {
        for (name, owner, holds, is_backup) in [
            ("Web shop", "E-commerce team", "Accounts, orders, addresses", false),
            ("CRM", "Customer service", "Contact history, complaints, marketing preferences", false),
            ("Payroll", "HR", "Employees' pay, bank details, tax codes", false),
            ("Nightly backup", "IT operations", "Copies of the web shop and CRM databases, 35 days", true),
        ] {
            desk.add_system(SystemInput { name: name.into(), owner: owner.into(), holds: holds.into(), is_backup })?;
        }
        done.push("data map");
    }
    if desk.smtp_settings()?.host.trim().is_empty() {
        desk.set_smtp_settings(
            SmtpSettings {
                host: "127.0.0.1".into(),
                port: DEMO_SMTP_PORT,
                security: "none".into(),
                ..SmtpSettings::default()
            },
            None,
        )?;
        done.push("mail server");
    }
    Ok(done)
}
