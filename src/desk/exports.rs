//! The regulator's request log and the yearly metrics, from the store's streaming reads to a file (written beside
//! the target and renamed into place, so a failed export never leaves half a file under the chosen name).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;

use super::Desk;
use crate::dates;
use crate::error::{Error, Result};
use crate::export::{LogFormat, LogRow, LogWriter, Metrics, MetricsBuilder};

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

/// A file being written beside its final name (`.NAME.partial`) and renamed into place once complete; dropped
/// before that, the partial file is removed.
pub(super) struct Target {
    pub partial: PathBuf,
    out: PathBuf,
    done: bool,
}

impl Target {
    pub fn new(out: &Path) -> Result<Target> {
        let name = out
            .file_name()
            .ok_or_else(|| Error::invalid("out", format!("{} is not a file name", out.display())))?
            .to_string_lossy()
            .into_owned();
        let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(Error::invalid("out", format!("the folder {} does not exist", dir.display())));
        }
        Ok(Target { partial: dir.join(format!(".{name}.partial")), out: out.to_path_buf(), done: false })
    }

    /// The SHA-256 of the written file, for the audit event recorded before it takes its name.
    pub fn partial_sha256(&self) -> Result<String> {
        use sha2::Digest;
        use std::io::Read;
        let io = |e| Error::io(format!("cannot read {}", self.partial.display()), e);
        let mut file = std::fs::File::open(&self.partial).map_err(io)?;
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(crate::store::migrate::hex(&hasher.finalize()))
    }

    /// Move the finished file into place; its size.
    pub fn commit(mut self) -> Result<u64> {
        std::fs::rename(&self.partial, &self.out)
            .map_err(|e| Error::io(format!("cannot write {}", self.out.display()), e))?;
        self.done = true;
        Ok(std::fs::metadata(&self.out).map(|m| m.len()).unwrap_or(0))
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
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
        progress: &mut dyn FnMut(u64),
    ) -> Result<LogExport> {
        if from > to {
            return Err(Error::invalid("from", format!("{} is after {}", dates::fmt(from), dates::fmt(to))));
        }
        let target = Target::new(out)?;
        let org = self.organisation()?.name;
        let title = format!(
            "Request log{} — received {} to {}",
            if org.trim().is_empty() { String::new() } else { format!(" of {}", org.trim()) },
            dates::fmt(from),
            dates::fmt(to)
        );
        let mut writer = LogWriter::create(format, &target.partial, &title)?;
        let today = self.today();
        let mut written = 0u64;
        let requests = self.store.read(|rd| {
            rd.each_log_record(from, to, |record| {
                writer.write(&LogRow::from_record(&record, today))?;
                written += 1;
                if written.is_multiple_of(1_000) {
                    progress(written);
                }
                Ok(())
            })
        })?;
        progress(requests);
        writer.finish(&target.partial)?;
        let bytes = target.commit()?;
        self.checkpoint("request log exported")?;
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
        self.export_log(from, to, format, &path, progress)
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
        self.store.read(|rd| rd.each_metric_record(first, last, regime.as_deref(), |r| builder.add(r)))?;
        Ok(builder.finish())
    }
}
