//! `rightsdesk demo seed` and `demo furnish`: fill a database with a realistic demo register.

use clap::Subcommand;

use super::{Ctx, Failure, json, out};

#[derive(Subcommand)]
pub enum Command {
    /// Add N realistic demo requests (default 500), received over the last 400 days.
    Seed {
        /// How many requests to add.
        #[arg(long, default_value_t = 500)]
        count: u64,
        /// Requests per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch: u64,
        /// Random seed, for a reproducible register.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Say `committed N` on stderr after each transaction commits (the crash test holds the register to it).
        #[arg(long, hide = true)]
        report_commits: bool,
    },
    /// Fill what the register needs for every feature to work, as an officer would: the organisation and its Art 15(1)
    /// information, a data map, and a mail server on this computer (port 2525: scripts/demo.sh runs one that keeps
    /// what it receives). Settings already made are kept.
    Furnish,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<String, Failure> {
    let desk = ctx.desk()?;
    match command {
        Command::Furnish => {
            let done = rightsdesk::demo::furnish(&desk)?;
            if ctx.json {
                json(&serde_json::json!({ "furnished": done }))
            } else if done.is_empty() {
                Ok("nothing to furnish: the organisation, data map and mail server were already set".into())
            } else {
                Ok(format!("furnished: {}", done.join(", ")))
            }
        }
        Command::Seed { count, batch, seed, report_commits } => {
            let started = std::time::Instant::now();
            let created = rightsdesk::demo::seed(&desk, count, batch, seed, |done| {
                if report_commits {
                    out::stderr(&format!("committed {done}"));
                }
                if count >= 50_000 && done % 50_000 == 0 {
                    out::stderr(&format!("{done} of {count}"));
                }
            })?;
            let seconds = started.elapsed().as_secs_f64();
            if ctx.json {
                json(&serde_json::json!({"created": created, "seconds": seconds, "database": desk.store().path()}))
            } else {
                Ok(format!("created {created} demo requests in {seconds:.1} s in {}", desk.store().path().display()))
            }
        }
    }
}
