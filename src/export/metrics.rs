//! Yearly metrics in the shape of CCPA §7102 (requests to know, delete, correct, opt out, limit: received, complied
//! with in whole or in part, denied, median and mean days to respond), for any regime, with the monthly series the
//! window charts. Days are counted from receipt to the answer; medians come from a histogram of days, so a million
//! requests cost no more memory than a hundred.

use serde::Serialize;
use time::Date;

use crate::domain::{RequestKind, Status};
use crate::store::MetricRecord;

/// The §7102 categories a kind is counted under.
pub fn group_of(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access | RequestKind::Portability => "know",
        RequestKind::Erasure => "delete",
        RequestKind::Rectification => "correct",
        RequestKind::OptOutSaleSharing | RequestKind::OptOutMarketing | RequestKind::OptOutProfiling => "opt-out",
        RequestKind::LimitSensitive => "limit",
        RequestKind::Restriction | RequestKind::Objection | RequestKind::Appeal => "other",
    }
}

pub const GROUPS: [(&str, &str); 6] = [
    ("know", "Requests to know (access, portability)"),
    ("delete", "Requests to delete"),
    ("correct", "Requests to correct"),
    ("opt-out", "Requests to opt out (sale/sharing, marketing, profiling)"),
    ("limit", "Requests to limit use of sensitive data"),
    ("other", "Other requests (restriction, objection, appeal)"),
];

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupMetrics {
    pub group: String,
    pub label: String,
    pub received: u32,
    /// Complied with in whole or in part.
    pub complied: u32,
    pub complied_in_part: u32,
    pub denied: u32,
    pub withdrawn: u32,
    pub open: u32,
    pub answered_on_time: u32,
    pub answered_late: u32,
    pub median_days: Option<f64>,
    pub mean_days: Option<f64>,
    #[serde(skip)]
    days: Histogram,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthMetrics {
    /// YYYY-MM
    pub month: String,
    pub received: u32,
    pub answered: u32,
    pub answered_on_time: u32,
    pub median_days: Option<f64>,
    #[serde(skip)]
    days: Histogram,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Metrics {
    pub year: i32,
    pub regime: Option<String>,
    pub groups: Vec<GroupMetrics>,
    pub total: GroupMetrics,
    pub months: Vec<MonthMetrics>,
    pub note: String,
}

/// Counts of answers by days taken (the last bucket holds everything longer).
#[derive(Debug, Clone, Default)]
struct Histogram(Vec<u32>);

impl Histogram {
    const MAX: usize = 3_660;

    fn add(&mut self, days: i64) {
        let i = usize::try_from(days.max(0)).unwrap_or(0).min(Self::MAX);
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|&c| u64::from(c)).sum()
    }

    fn mean(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| {
            let sum: u64 = self.0.iter().enumerate().map(|(d, &c)| d as u64 * u64::from(c)).sum();
            sum as f64 / n as f64
        })
    }

    /// The median: the middle answer, or the mean of the two middle ones.
    fn median(&self) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let nth = |k: u64| {
            let mut seen = 0;
            for (d, &c) in self.0.iter().enumerate() {
                seen += u64::from(c);
                if seen > k {
                    return d as f64;
                }
            }
            0.0
        };
        Some(if n % 2 == 1 { nth(n / 2) } else { (nth(n / 2 - 1) + nth(n / 2)) / 2.0 })
    }
}

impl GroupMetrics {
    fn new(group: &str, label: &str) -> GroupMetrics {
        GroupMetrics { group: group.into(), label: label.into(), ..GroupMetrics::default() }
    }

    fn add(&mut self, r: &MetricRecord) {
        self.received += 1;
        match r.outcome {
            Status::Fulfilled => self.complied += 1,
            Status::PartiallyFulfilled => {
                self.complied += 1;
                self.complied_in_part += 1;
            }
            Status::Refused => self.denied += 1,
            Status::Withdrawn => self.withdrawn += 1,
            s if s.is_open() => self.open += 1,
            _ => {}
        }
        if let Some(days) = answered_days(r) {
            self.days.add(days);
            match r.effective_due {
                Some(due) if r.closed.is_some_and(|c| c <= due) => self.answered_on_time += 1,
                Some(_) => self.answered_late += 1,
                None => {}
            }
        }
    }

    fn settle(&mut self) {
        self.median_days = self.days.median();
        self.mean_days = self.days.mean().map(|m| (m * 10.0).round() / 10.0);
    }
}

/// Days from receipt to a substantive answer (fulfilled, partly, refused); withdrawals are not answers.
fn answered_days(r: &MetricRecord) -> Option<i64> {
    let answered = matches!(r.outcome, Status::Fulfilled | Status::PartiallyFulfilled | Status::Refused);
    answered.then_some(r.closed?).map(|c: Date| (c - r.received).whole_days())
}

/// Adds records one at a time.
pub struct MetricsBuilder {
    year: i32,
    regime: Option<String>,
    groups: Vec<GroupMetrics>,
    total: GroupMetrics,
    months: Vec<MonthMetrics>,
}

impl MetricsBuilder {
    pub fn new(year: i32, regime: Option<String>) -> MetricsBuilder {
        MetricsBuilder {
            year,
            regime,
            groups: GROUPS.iter().map(|(g, l)| GroupMetrics::new(g, l)).collect(),
            total: GroupMetrics::new("all", "All requests"),
            months: (1..=12)
                .map(|m| MonthMetrics { month: format!("{year}-{m:02}"), ..MonthMetrics::default() })
                .collect(),
        }
    }

    pub fn add(&mut self, r: MetricRecord) {
        let group = group_of(r.kind);
        if let Some(g) = self.groups.iter_mut().find(|g| g.group == group) {
            g.add(&r);
        }
        self.total.add(&r);
        let m = &mut self.months[usize::from(u8::from(r.received.month())) - 1];
        m.received += 1;
        if let Some(days) = answered_days(&r) {
            m.answered += 1;
            m.days.add(days);
            if r.effective_due.zip(r.closed).is_some_and(|(due, c)| c <= due) {
                m.answered_on_time += 1;
            }
        }
    }

    pub fn finish(mut self) -> Metrics {
        for g in &mut self.groups {
            g.settle();
        }
        self.total.settle();
        for m in &mut self.months {
            m.median_days = m.days.median();
        }
        Metrics {
            year: self.year,
            regime: self.regime,
            groups: self.groups,
            total: self.total,
            months: self.months,
            note: "Requests received in the year (by date of receipt), spam and merged duplicates left out. Days: \
                   from receipt to the answer (fulfilled, partly fulfilled or refused). A request opened in \
                   December and answered in January counts in the year it was received."
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn rec(kind: RequestKind, outcome: Status, received: Date, closed: Option<Date>, due: Date) -> MetricRecord {
        MetricRecord { kind, outcome, received, closed, effective_due: Some(due) }
    }

    #[test]
    fn counts_medians_and_means_follow_the_records() {
        let mut b = MetricsBuilder::new(2026, None);
        let d = date!(2026 - 01 - 01);
        for (days, outcome) in [(10, Status::Fulfilled), (20, Status::Refused), (40, Status::PartiallyFulfilled)] {
            b.add(rec(RequestKind::Access, outcome, d, Some(d + time::Duration::days(days)), date!(2026 - 02 - 01)));
        }
        b.add(rec(RequestKind::Portability, Status::InProgress, d, None, date!(2026 - 02 - 01)));
        b.add(rec(RequestKind::Erasure, Status::Withdrawn, date!(2026 - 03 - 05), Some(date!(2026 - 03 - 06)), d));
        let m = b.finish();
        let know = &m.groups[0];
        assert_eq!((know.received, know.complied, know.complied_in_part, know.denied, know.open), (4, 2, 1, 1, 1));
        assert_eq!(know.median_days, Some(20.0));
        assert_eq!(know.mean_days, Some(23.3));
        assert_eq!((know.answered_on_time, know.answered_late), (2, 1));
        let delete = &m.groups[1];
        assert_eq!((delete.received, delete.withdrawn, delete.median_days), (1, 1, None), "a withdrawal is no answer");
        assert_eq!(m.total.received, 5);
        assert_eq!((m.months[0].received, m.months[0].answered, m.months[2].received), (4, 3, 1));
    }

    #[test]
    fn an_even_count_takes_the_middle_two() {
        let mut h = Histogram::default();
        for d in [1, 2, 3, 10] {
            h.add(d);
        }
        assert_eq!(h.median(), Some(2.5));
        assert_eq!(Histogram::default().median(), None);
    }
}
