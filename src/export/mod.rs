//! What leaves Rightsdesk for a regulator: the request log in four formats and the yearly metrics.

pub mod archive;
pub mod csv_out;
pub mod log;
pub mod metrics;
pub mod subject;

pub use csv_out::CsvOut;
pub use log::{LogFormat, LogRow, LogSummary, LogWriter};
pub use metrics::{GroupMetrics, Metrics, MetricsBuilder, MonthMetrics};
