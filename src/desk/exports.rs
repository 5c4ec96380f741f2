//! The regulator's request log and the yearly metrics, from the store's streaming reads to a file (written through
//! [`crate::safe_file`]: a failed export never leaves half a file under the chosen name, nor replaces a file).

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Date;

use super::Desk;
use crate::dates;
use crate::error::{Error, Result};
use crate::export::{LogFormat, LogRow, LogWriter, Metrics, MetricsBuilder};
use crate::safe_file::{Existing, Output};

/// What an export wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogExport {
    pub path: String,
    pub format: LogFormat,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
}

impl Desk {
    /// Write the log of the requests received from `from` to `to` (inclusive) to `out`. `progress` hears the
    /// number of requests written so far, every thousand.
    pub fn export_log(
        &self,
        from: Date,
        to: Date,
        format: LogFormat,
        out: &Path,
        existing: Existing,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LogExport> {
        if from > to {
            return Err(Error::invalid("from", format!("{} is after {}", dates::fmt(from), dates::fmt(to))));
        }
        let output = Output::create(out, existing)?;
        // Signed before anything is written, so a locked or refused key stops the export cleanly.
        self.checkpoint("request log export")?;
        let org = self.organisation()?.name;
        let title = format!(
            "Request log{} — received {} to {}",
            if org.trim().is_empty() { String::new() } else { format!(" of {}", org.trim()) },
            dates::fmt(from),
            dates::fmt(to)
        );
        let mut writer = LogWriter::create(format, output.handle()?, &title)?;
        let today = self.today();
        let mut written = 0u64;
        let requests = self.store.read(|rd| {
            rd.each_log_record(from, to, &mut |record| {
                writer.write(&LogRow::from_record(&record, today))?;
                written += 1;
                if written.is_multiple_of(1_000) {
                    progress(written);
                }
                Ok(())
            })
        })?;
        progress(requests);
        writer.finish()?;
        let bytes = output.commit()?;
        Ok(LogExport { path: out.display().to_string(), format, requests, bytes })
    }

    /// The window's export: the period as typed, saved to the Downloads folder under a name that says the period.
    pub fn export_log_to_downloads(
        &self,
        from: &str,
        to: &str,
        format: LogFormat,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LogExport> {
        let (from, to) = (super::clock::date("from", from)?, super::clock::date("to", to)?);
        let path = super::export_path(&format!(
            "request-log-{}-to-{}.{}",
            dates::fmt(from),
            dates::fmt(to),
            format.extension()
        ))?;
        self.export_log(from, to, format, &path, Existing::Refuse, progress)
    }

    /// The metrics of the requests received in `year` (under `regime`, or all).
    pub fn metrics(&self, year: i32, regime: Option<&str>) -> Result<Metrics> {
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", format!("{year} is not a year Rightsdesk can count")));
        }
        let regime = match regime.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(self.regime_id(r)?),
            None => None,
        };
        let first = Date::from_calendar_date(year, time::Month::January, 1)
            .map_err(|e| Error::invalid("year", e.to_string()))?;
        let last = Date::from_calendar_date(year, time::Month::December, 31)
            .map_err(|e| Error::invalid("year", e.to_string()))?;
        let mut builder = MetricsBuilder::new(year, regime.clone());
        self.store.read(|rd| rd.each_metric_record(first, last, regime.as_deref(), &mut |r| builder.add(r)))?;
        Ok(builder.finish())
    }
}
