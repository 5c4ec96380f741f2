//! Every open request's deadlines as an iCalendar file, for the officer's own calendar. Only the reference, the
//! kind and the law go into it: calendar files are synchronised to phones and servers, so no requester's name does.

use chrono::NaiveDate;
use icalendar::{Calendar, Component, Event, EventLike};
use time::Date;

use super::Desk;
use crate::error::{Error, Result};

fn naive(d: Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), u32::from(d.month() as u8), u32::from(d.day()))
}

impl Desk {
    /// The calendar text and how many events it holds.
    pub fn deadlines_ics(&self) -> Result<(String, u32)> {
        let engine = self.engine();
        let stamp = chrono::DateTime::from_timestamp(self.now().unix_timestamp(), 0).unwrap_or_default();
        let mut cal = Calendar::new();
        cal.name("Rightsdesk deadlines");
        let mut count = 0;
        let mut after = 0;
        loop {
            let chunk = self.store.read(|r| r.open_requests(None, after, 2_000))?;
            let Some((last, _)) = chunk.last() else { break };
            after = *last;
            for (_, r) in chunk {
                let law = engine.regime(&r.regime).map(|g| g.name.clone()).unwrap_or_else(|_| r.regime.clone());
                let what = format!("{} ({}, {law})", r.reference, r.kind.label());
                let statutory = r.dates.rule_kind.is_some();
                let mut entries = vec![
                    (
                        "due",
                        r.dates.effective_due,
                        if statutory { "Due" } else { "Internal target (no statutory deadline)" },
                    ),
                    ("target", r.dates.internal_target.filter(|_| statutory), "Internal target"),
                ];
                if r.status == crate::domain::Status::Received {
                    entries.push(("ack", r.dates.acknowledge_by, "Acknowledge"));
                }
                for (key, date, label) in entries {
                    let Some(day) = date.and_then(naive) else { continue };
                    cal.push(
                        Event::new()
                            .uid(&format!("{}-{key}@rightsdesk", r.id))
                            .timestamp(stamp)
                            .summary(&format!("{label}: {what}"))
                            .description(&format!(
                                "Status: {}. Open the request in Rightsdesk for how this date was computed.",
                                r.status.label()
                            ))
                            .all_day(day)
                            .done(),
                    );
                    count += 1;
                }
            }
        }
        Ok((cal.done().to_string(), count))
    }

    /// Write the calendar file to `path`.
    pub fn export_deadlines(&self, path: &std::path::Path, existing: crate::safe_file::Existing) -> Result<u32> {
        let (text, count) = self.deadlines_ics()?;
        crate::safe_file::write(path, existing, text.as_bytes())?;
        Ok(count)
    }
}

/// A free name for `name` in [`default_export_dir`] (which is created if it is missing): `name`, else
/// `stem (2).ext`…, so the window never replaces a file there. Written with [`crate::safe_file::Existing::Refuse`].
pub fn export_path(name: &str) -> Result<std::path::PathBuf> {
    let dir = default_export_dir();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let path = crate::safe_file::free_name(&dir, name);
    // The window may offer to open it or show it in its folder: only files written like this.
    crate::files::chosen::record_written(&path);
    Ok(path)
}

/// Where the window saves exports by default: the Downloads folder, else the home folder.
pub fn default_export_dir() -> std::path::PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(std::path::Path::to_path_buf).or_else(|| Some(u.home_dir().to_path_buf())))
        .unwrap_or_else(std::env::temp_dir)
}
