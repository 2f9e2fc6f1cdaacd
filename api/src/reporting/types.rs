//! Values of reporting: template specifications, metric values and their validation, data
//! periods and deadlines.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{legal_setting::LegalKey, reporting_obligation::PeriodKind};
use serde::{Deserialize, Serialize};

use crate::{
    error::{AppError, AppResult, Msg},
    time::VIETNAM,
};

/// A section a report must (or may) contain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionSpec {
    /// Stable key, e.g. `results`.
    pub key: String,
    /// Heading, e.g. "Kết quả thực hiện".
    pub title: String,
    /// Whether a submission must fill it.
    pub required: bool,
}

/// The type of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MetricKind {
    /// A count (non-negative whole number).
    Integer,
    /// A non-negative quantity (hours of broadcast).
    Decimal,
    /// A pair: numerator out of denominator ("answered / received").
    Ratio,
}

/// A metric a report must (or may) give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSpec {
    /// Stable key, e.g. `press_conferences`.
    pub key: String,
    /// Label.
    pub label: String,
    /// Unit ("cuộc", "tin, bài", "giờ").
    pub unit: String,
    /// Type.
    pub kind: MetricKind,
    /// Whether a submission must give it.
    pub required: bool,
}

/// A metric value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// A count.
    Integer(i64),
    /// A pair.
    Ratio {
        /// Numerator.
        numerator: i64,
        /// Denominator.
        denominator: i64,
    },
    /// A quantity.
    Decimal(f64),
}

/// Parses a metric value given as JSON against its spec; errors name `metrics.<key>`.
pub fn parse_metric(spec: &MetricSpec, raw: &serde_json::Value) -> AppResult<MetricValue> {
    let field = format!("metrics.{}", spec.key);
    let wrong = |vi: &str, en: &str| AppError::BadInput {
        field: field.clone().into(),
        msg: Msg::new(
            format!("{}: {vi}", spec.label),
            format!("{}: {en}", spec.label),
        ),
    };
    match spec.kind {
        MetricKind::Integer => match raw.as_i64() {
            Some(n) if n >= 0 => Ok(MetricValue::Integer(n)),
            Some(_) => Err(wrong("không được âm", "cannot be negative")),
            None => Err(wrong("phải là số nguyên", "must be a whole number")),
        },
        MetricKind::Decimal => match raw.as_f64() {
            Some(x) if x >= 0.0 && x.is_finite() => Ok(MetricValue::Decimal(x)),
            Some(_) => Err(wrong("không được âm", "cannot be negative")),
            None => Err(wrong("phải là số", "must be a number")),
        },
        MetricKind::Ratio => {
            let part = |name: &str| raw.get(name).and_then(serde_json::Value::as_i64);
            match (part("numerator"), part("denominator")) {
                (Some(n), Some(d)) if n >= 0 && d >= 0 && n <= d => Ok(MetricValue::Ratio {
                    numerator: n,
                    denominator: d,
                }),
                (Some(_), Some(_)) => Err(wrong(
                    "tử số và mẫu số không âm, tử số không vượt mẫu số",
                    "numerator and denominator are non-negative, the numerator at most the denominator",
                )),
                _ => Err(wrong(
                    "cần {\"numerator\": …, \"denominator\": …} là số nguyên",
                    "needs whole numbers {\"numerator\": …, \"denominator\": …}",
                )),
            }
        }
    }
}

/// Checks a report's content against its template: with `complete`, every required section and
/// metric must be there (a submission); always, every metric must be known and of its type.
pub fn check_content(
    sections: &[SectionSpec],
    metrics: &[MetricSpec],
    section_values: &BTreeMap<String, String>,
    metric_values: &BTreeMap<String, serde_json::Value>,
    complete: bool,
) -> AppResult<BTreeMap<String, MetricValue>> {
    for (key, value) in section_values {
        crate::text::refuse_classified_text(format!("sections.{key}"), value)?;
        if !sections.iter().any(|s| &s.key == key) {
            return Err(AppError::BadInput {
                field: format!("sections.{key}").into(),
                msg: Msg::new(
                    "Mẫu báo cáo không có mục này",
                    "The template has no such section",
                ),
            });
        }
    }
    let mut parsed = BTreeMap::new();
    for (key, raw) in metric_values {
        let Some(spec) = metrics.iter().find(|m| &m.key == key) else {
            return Err(AppError::BadInput {
                field: format!("metrics.{key}").into(),
                msg: Msg::new(
                    "Mẫu báo cáo không có chỉ tiêu này",
                    "The template has no such metric",
                ),
            });
        };
        parsed.insert(key.clone(), parse_metric(spec, raw)?);
    }
    if complete {
        for spec in sections.iter().filter(|s| s.required) {
            if section_values
                .get(&spec.key)
                .is_none_or(|t| t.trim().is_empty())
            {
                return Err(AppError::BadInput {
                    field: format!("sections.{}", spec.key).into(),
                    msg: Msg::new(
                        format!("Thiếu mục bắt buộc \"{}\"", spec.title),
                        format!("The required section \"{}\" is missing", spec.title),
                    ),
                });
            }
        }
        for spec in metrics.iter().filter(|m| m.required) {
            if !parsed.contains_key(&spec.key) {
                return Err(AppError::BadInput {
                    field: format!("metrics.{}", spec.key).into(),
                    msg: Msg::new(
                        format!("Thiếu chỉ tiêu bắt buộc \"{}\"", spec.label),
                        format!("The required metric \"{}\" is missing", spec.label),
                    ),
                });
            }
        }
    }
    Ok(parsed)
}

/// Whether an instant is after the end of `due` (23:59:59 Vietnam time that day).
pub fn is_late(at: DateTime<Utc>, due: NaiveDate) -> bool {
    at.with_timezone(&VIETNAM).date_naive() > due
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The data period of the general reporting regime with the shipped cut-off day (the 14th):
/// see [`preset_period_cut`].
pub fn preset_period(kind: PeriodKind, year: i32, index: u32) -> AppResult<(NaiveDate, NaiveDate)> {
    let cutoff = crate::legal::service::spec(LegalKey::ReportingCutoffDay).default;
    preset_period_cut(kind, year, index, cutoff.unsigned_abs())
}

/// The data period of the general reporting regime (DOMAIN.md, "Periods and deadlines"; ND
/// 09/2019/NĐ-CP, Điều 12) for the cut-off day `cutoff` (1–28, the 14th by default): a period
/// ends on the cut-off day of its last month and starts the day after the cut-off of the month
/// its length earlier. With the 14th: monthly 15th of the previous month → 14th; quarterly
/// 15th of the month before the quarter → 14th of its last month; first half 15/12 of the
/// previous year → 14/06; second half 15/06 → 14/12; annual 15/12 of the previous year → 14/12.
/// `index` is the month (1–12), the quarter (1–4) or the half (1–2); ignored for a year.
pub fn preset_period_cut(
    kind: PeriodKind,
    year: i32,
    index: u32,
    cutoff: u32,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let bad = || {
        AppError::bad_input(
            "periodIndex",
            Msg::new(
                "Số thứ tự kỳ không hợp lệ (tháng 1–12, quý 1–4, nửa năm 1–2)",
                "Invalid period index (month 1–12, quarter 1–4, half 1–2)",
            ),
        )
    };
    // The period ending on the cut-off of `end_month` and starting the day after the cut-off
    // `months` before.
    let span = |end_month: u32, months: u32| -> Option<(NaiveDate, NaiveDate)> {
        let end = ymd(year, end_month, cutoff)?;
        let start_months = (year * 12 + end_month as i32 - 1) - months as i32;
        let start = ymd(
            start_months.div_euclid(12),
            start_months.rem_euclid(12) as u32 + 1,
            cutoff,
        )?
        .succ_opt()?;
        Some((start, end))
    };
    let period = match kind {
        PeriodKind::Monthly if (1..=12).contains(&index) => span(index, 1),
        PeriodKind::Quarterly if (1..=4).contains(&index) => span(index * 3, 3),
        PeriodKind::Semiannual if (1..=2).contains(&index) => span(index * 6, 6),
        PeriodKind::Annual => span(12, 12),
        PeriodKind::AdHoc => {
            return Err(AppError::bad_input(
                "periodKind",
                Msg::new(
                    "Báo cáo đột xuất cần nêu rõ kỳ số liệu",
                    "An ad hoc report needs an explicit data period",
                ),
            ));
        }
        _ => None,
    };
    period.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn presets_follow_the_general_regime() {
        assert_eq!(
            preset_period(PeriodKind::Annual, 2021, 0).ok(),
            Some((d(2020, 12, 15), d(2021, 12, 14)))
        );
        assert_eq!(
            preset_period(PeriodKind::Semiannual, 2021, 1).ok(),
            Some((d(2020, 12, 15), d(2021, 6, 14)))
        );
        assert_eq!(
            preset_period(PeriodKind::Semiannual, 2021, 2).ok(),
            Some((d(2021, 6, 15), d(2021, 12, 14)))
        );
        assert_eq!(
            preset_period(PeriodKind::Monthly, 2021, 1).ok(),
            Some((d(2020, 12, 15), d(2021, 1, 14)))
        );
        assert_eq!(
            preset_period(PeriodKind::Quarterly, 2021, 1).ok(),
            Some((d(2020, 12, 15), d(2021, 3, 14)))
        );
        assert!(preset_period(PeriodKind::Monthly, 2021, 13).is_err());
        // Another cut-off day moves both ends; the 28th starts the next period on 1 March.
        assert_eq!(
            preset_period_cut(PeriodKind::Monthly, 2021, 3, 20).ok(),
            Some((d(2021, 2, 21), d(2021, 3, 20)))
        );
        assert_eq!(
            preset_period_cut(PeriodKind::Monthly, 2021, 3, 28).ok(),
            Some((d(2021, 3, 1), d(2021, 3, 28)))
        );
        assert_eq!(
            preset_period_cut(PeriodKind::Annual, 2021, 0, 28).ok(),
            Some((d(2020, 12, 29), d(2021, 12, 28)))
        );
        assert!(preset_period(PeriodKind::AdHoc, 2021, 1).is_err());
    }

    #[test]
    fn a_deadline_lasts_until_midnight_in_vietnam() {
        let due = d(2021, 11, 15);
        let last_second = chrono::DateTime::parse_from_rfc3339("2021-11-15T23:59:59+07:00")
            .map(|t| t.with_timezone(&Utc));
        let next_second = chrono::DateTime::parse_from_rfc3339("2021-11-16T00:00:00+07:00")
            .map(|t| t.with_timezone(&Utc));
        assert_eq!(last_second.map(|t| is_late(t, due)).ok(), Some(false));
        assert_eq!(next_second.map(|t| is_late(t, due)).ok(), Some(true));
    }

    #[test]
    fn metric_values_are_typed() {
        let spec = |kind| MetricSpec {
            key: "k".into(),
            label: "K".into(),
            unit: "u".into(),
            kind,
            required: true,
        };
        assert!(parse_metric(&spec(MetricKind::Integer), &serde_json::json!(3)).is_ok());
        assert!(parse_metric(&spec(MetricKind::Integer), &serde_json::json!(-1)).is_err());
        assert!(parse_metric(&spec(MetricKind::Integer), &serde_json::json!(1.5)).is_err());
        assert!(parse_metric(&spec(MetricKind::Integer), &serde_json::json!("3")).is_err());
        assert!(parse_metric(&spec(MetricKind::Decimal), &serde_json::json!(12.5)).is_ok());
        assert!(
            parse_metric(
                &spec(MetricKind::Ratio),
                &serde_json::json!({"numerator": 3, "denominator": 4})
            )
            .is_ok()
        );
        assert!(
            parse_metric(
                &spec(MetricKind::Ratio),
                &serde_json::json!({"numerator": 5, "denominator": 4})
            )
            .is_err()
        );
    }
}
