//! Where each recipient stands on an obligation (compliance), and the metrics summed over
//! the submitted reports (roll-up).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::report::{self, ReportStatus};

use super::{
    templates::Spec,
    types::{MetricValue, check_content},
};

/// Where a recipient stands on an obligation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComplianceState {
    /// Nothing written, not yet due.
    NotStarted,
    /// Being written, not yet due.
    Draft,
    /// Submitted by the due date.
    SubmittedOnTime,
    /// Submitted after the due date.
    SubmittedLate,
    /// Sent back for changes.
    Returned,
    /// Accepted.
    Accepted,
    /// Not submitted and past the due date.
    Overdue,
}

/// The compliance state of a report on `today`.
pub fn state_of(row: &report::Model, today: NaiveDate) -> ComplianceState {
    state_of_parts(row.status, row.late, row.due_date, today)
}

/// [`state_of`] from the three columns it reads (a report read whole or listed).
pub fn state_of_parts(
    status: ReportStatus,
    late: Option<bool>,
    due_date: NaiveDate,
    today: NaiveDate,
) -> ComplianceState {
    match status {
        ReportStatus::Accepted => ComplianceState::Accepted,
        ReportStatus::Returned => ComplianceState::Returned,
        ReportStatus::Submitted if late == Some(true) => ComplianceState::SubmittedLate,
        ReportStatus::Submitted => ComplianceState::SubmittedOnTime,
        _ if today > due_date => ComplianceState::Overdue,
        ReportStatus::Draft => ComplianceState::Draft,
        _ => ComplianceState::NotStarted,
    }
}

/// A metric summed over reports.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricTotal {
    /// Key.
    pub key: String,
    /// Sum of integer or decimal values.
    pub total: f64,
    /// Sum of ratio numerators.
    pub numerator: i64,
    /// Sum of ratio denominators.
    pub denominator: i64,
    /// Reports that gave this metric.
    pub reports: u32,
}

/// Sums each metric of the template over the given submitted or accepted reports.
pub fn roll_up(spec: &Spec, rows: &[report::Model]) -> Vec<MetricTotal> {
    let counted: Vec<BTreeMap<String, MetricValue>> = rows
        .iter()
        .filter(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted))
        .filter_map(|r| {
            serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&r.metrics).ok()
        })
        .filter_map(|raw| {
            check_content(&spec.sections, &spec.metrics, &BTreeMap::new(), &raw, false).ok()
        })
        .collect();
    spec.metrics
        .iter()
        .map(|m| {
            let mut total = MetricTotal {
                key: m.key.clone(),
                total: 0.0,
                numerator: 0,
                denominator: 0,
                reports: 0,
            };
            for values in &counted {
                match values.get(&m.key) {
                    Some(MetricValue::Integer(n)) => total.total += *n as f64,
                    Some(MetricValue::Decimal(x)) => total.total += x,
                    Some(MetricValue::Ratio {
                        numerator,
                        denominator,
                    }) => {
                        total.numerator += numerator;
                        total.denominator += denominator;
                    }
                    None => continue,
                }
                total.reports += 1;
            }
            total
        })
        .collect()
}
