//! A report as the document its agency files, and a district's consolidated report with the
//! roll-up of its communes' reports.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike as _, NaiveDate};
use entity::{
    agency,
    ids::{ReportId, TemplateId},
    report,
    report::ReportStatus,
    reporting_obligation,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::layout::{Block, Official, Signature, roman};
use crate::{
    auth::actor::Actor,
    error::{AppError, AppResult},
    reporting::{
        export::state_label,
        service::{self as reporting, roll_up},
        templates::{self, Spec},
        types::MetricSpec,
    },
    time,
};

use super::issuer::*;
use super::service::Generated;

/// Which content of a report the document shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportContent {
    /// What the report holds now (a draft is marked as one).
    Current,
    /// Submitted version `n` (1 is the first), as it was sent.
    Version(i32),
}

fn metric_text(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::Object(ratio)) => format!(
            "{}/{}",
            ratio.get("numerator").cloned().unwrap_or_default(),
            ratio.get("denominator").cloned().unwrap_or_default()
        ),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n
                .as_f64()
                .map_or_else(String::new, |x| x.to_string().replace('.', ",")),
        },
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn total_text(total: &reporting::MetricTotal, spec: &MetricSpec) -> String {
    use crate::reporting::types::MetricKind;
    match spec.kind {
        MetricKind::Ratio => format!("{}/{}", total.numerator, total.denominator),
        MetricKind::Integer => format!("{}", total.total as i64),
        MetricKind::Decimal => total.total.to_string().replace('.', ","),
    }
}

/// The content of a report: sections by key, metrics by key, the signer.
struct Content {
    sections: BTreeMap<String, String>,
    metrics: serde_json::Map<String, serde_json::Value>,
    signer_name: Option<String>,
    signer_title: Option<String>,
    number: Option<String>,
    date: Option<NaiveDate>,
}

impl Content {
    fn current(row: &report::Model) -> Self {
        Self {
            sections: serde_json::from_str(&row.sections).unwrap_or_default(),
            metrics: serde_json::from_str(&row.metrics).unwrap_or_default(),
            signer_name: row.signer_name.clone(),
            signer_title: row.signer_title.clone(),
            number: row.doc_number.clone(),
            date: row.doc_date,
        }
    }

    /// A submitted version's snapshot (`sections`, `metrics`, `signerName`, `signerTitle`,
    /// `document`), as `reporting` stores it.
    fn snapshot(raw: &str) -> AppResult<Self> {
        let value: serde_json::Value = serde_json::from_str(raw).map_err(AppError::internal)?;
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let document = value.get("document");
        Ok(Self {
            sections: value
                .get("sections")
                .and_then(|s| serde_json::from_value(s.clone()).ok())
                .unwrap_or_default(),
            metrics: value
                .get("metrics")
                .and_then(|m| m.as_object().cloned())
                .unwrap_or_default(),
            signer_name: text("signerName"),
            signer_title: text("signerTitle"),
            number: document
                .and_then(|d| d.get("number"))
                .and_then(|n| n.as_str())
                .map(str::to_owned),
            date: document
                .and_then(|d| d.get("date"))
                .and_then(|d| serde_json::from_value(d.clone()).ok()),
        })
    }
}

/// The metric table of a report: STT, indicator, unit, figure; with the roll-up of the
/// reports below beside it when there is one.
fn metric_table(spec: &Spec, content: &Content, below: Option<&[reporting::MetricTotal]>) -> Block {
    let mut headers = vec![
        "STT".to_owned(),
        "Chỉ tiêu".to_owned(),
        "Đơn vị tính".to_owned(),
        "Số liệu".to_owned(),
    ];
    let mut widths = vec![1, 6, 2, 2];
    if below.is_some() {
        headers.push("Tổng hợp từ cấp dưới".to_owned());
        widths.push(2);
    }
    let rows = spec
        .metrics
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let mut row = vec![
                (i + 1).to_string(),
                metric.label.clone(),
                metric.unit.clone(),
                metric_text(content.metrics.get(&metric.key)),
            ];
            if let Some(totals) = below {
                let total = totals.iter().find(|t| t.key == metric.key);
                let text = total.map(|t| total_text(t, metric)).unwrap_or_default();
                // A figure the report has not given yet is prefilled from the roll-up.
                if row[3].is_empty() {
                    row[3] = text.clone();
                }
                row.push(text);
            }
            row
        })
        .collect();
    Block::Table {
        headers,
        rows,
        widths,
        total: false,
    }
}

/// The annex of a consolidated report: one row per report below, then the totals.
fn roll_up_table(
    spec: &Spec,
    rows: &[(String, &report::Model)],
    totals: &[reporting::MetricTotal],
) -> Block {
    let today = time::today();
    let mut headers = vec![
        "STT".to_owned(),
        "Đơn vị".to_owned(),
        "Tình hình".to_owned(),
    ];
    headers.extend(
        spec.metrics
            .iter()
            .map(|m| format!("{} ({})", m.label, m.unit)),
    );
    let mut widths = vec![1, 4, 3];
    widths.extend(spec.metrics.iter().map(|_| 2));
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, row))| {
            let metrics: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&row.metrics).unwrap_or_default();
            let counted = matches!(row.status, ReportStatus::Submitted | ReportStatus::Accepted);
            let mut cells = vec![
                (i + 1).to_string(),
                name.clone(),
                state_label(reporting::state_of(row, today)).to_owned(),
            ];
            cells.extend(spec.metrics.iter().map(|m| {
                if counted {
                    metric_text(metrics.get(&m.key))
                } else {
                    String::new()
                }
            }));
            cells
        })
        .collect();
    let mut sum = vec![String::new(), "Tổng cộng".to_owned(), String::new()];
    sum.extend(spec.metrics.iter().map(|m| {
        totals
            .iter()
            .find(|t| t.key == m.key)
            .map(|t| total_text(t, m))
            .unwrap_or_default()
    }));
    table.push(sum);
    Block::Table {
        headers,
        rows: table,
        widths,
        total: true,
    }
}

/// The reports of the obligations a recipient passed `obligation` on with, by agency name.
async fn reports_below<C: ConnectionTrait>(
    db: &C,
    obligation: &reporting_obligation::Model,
    recipient: Uuid,
) -> AppResult<Option<Vec<(String, report::Model)>>> {
    let passed: Vec<Uuid> = reporting_obligation::Entity::find()
        .filter(reporting_obligation::Column::ParentId.eq(obligation.id))
        .filter(reporting_obligation::Column::IssuerAgencyId.eq(recipient))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    if passed.is_empty() {
        return Ok(None);
    }
    let rows = report::Entity::find()
        .filter(report::Column::ObligationId.is_in(passed))
        .all(db)
        .await?;
    let names: HashMap<Uuid, String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(rows.iter().map(|r| r.recipient_agency_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut named: Vec<(String, report::Model)> = rows
        .into_iter()
        .map(|r| {
            (
                names
                    .get(&r.recipient_agency_id)
                    .cloned()
                    .unwrap_or_default(),
                r,
            )
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(named))
}

/// A report as the document its agency files: the obligation's issuer as recipient, the
/// template's sections in order, the metrics as a table; with `consolidated`, the figures of
/// the reports its agency asked for below, summed, prefill what it has not given and follow
/// as an annex.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    raw_id: &str,
    which: ReportContent,
    consolidated: bool,
) -> AppResult<Generated> {
    let id = parse_id(raw_id, "Không tìm thấy báo cáo", "Report not found")?;
    let row = reporting::report(db, actor, ReportId(id)).await?;
    let obligation = reporting_obligation::Entity::find_by_id(row.obligation_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            not_found(
                "Không tìm thấy yêu cầu báo cáo",
                "Reporting obligation not found",
            )
        })?;
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    let (content, draft) = match which {
        ReportContent::Current => (
            Content::current(&row),
            !matches!(row.status, ReportStatus::Submitted | ReportStatus::Accepted),
        ),
        ReportContent::Version(n) => {
            let version = reporting::versions(db, ReportId(id))
                .await?
                .into_iter()
                .find(|v| v.number == n)
                .ok_or_else(|| {
                    not_found(
                        "Báo cáo không có lần gửi này",
                        "The report has no such version",
                    )
                })?;
            (Content::snapshot(&version.content)?, false)
        }
    };
    let below = if consolidated {
        Some(reports_below(db, &obligation, row.recipient_agency_id).await?.ok_or_else(|| {
            not_found(
                "Cơ quan chưa giao yêu cầu này cho cấp dưới nên không có số liệu tổng hợp",
                "The agency did not pass this obligation on, so there is nothing to consolidate",
            )
        })?)
    } else {
        None
    };
    let agency = Issuer::load(db, row.recipient_agency_id).await?;
    let requester = Issuer::load(db, obligation.issuer_agency_id).await?;
    let (parent, issuer) = agency.letterhead();
    let dated = content.date.or_else(|| {
        (which == ReportContent::Current)
            .then(|| {
                row.submitted_at
                    .map(|t| t.with_timezone(&time::VIETNAM).date_naive())
            })
            .flatten()
    });
    let year = dated.map_or_else(|| time::today().year(), |d| d.year());
    let title = obligation
        .title
        .strip_prefix("Báo cáo ")
        .map(upper_first)
        .unwrap_or_else(|| obligation.title.clone());

    let mut body = vec![Block::Text(format!(
        "{}. {} báo cáo như sau:",
        request_reference(&obligation, &requester.agency),
        agency.agency.name
    ))];
    let mut heading = 0;
    let mut next_heading = |text: &str| {
        heading += 1;
        Block::Heading(format!("{}. {}", roman(heading), text.to_uppercase()))
    };
    let totals = below.as_ref().map(|rows| {
        let models: Vec<report::Model> = rows.iter().map(|(_, r)| r.clone()).collect();
        roll_up(&spec, &models)
    });
    let mut metrics_shown = false;
    for section in &spec.sections {
        body.push(next_heading(&section.title));
        if let Some(text) = content.sections.get(&section.key) {
            body.push(Block::Text(text.clone()));
        }
        if section.key == "results" && !spec.metrics.is_empty() {
            body.push(Block::Text("Số liệu cụ thể:".to_owned()));
            body.push(metric_table(&spec, &content, totals.as_deref()));
            metrics_shown = true;
        }
    }
    if !metrics_shown && !spec.metrics.is_empty() {
        body.push(next_heading("Số liệu"));
        body.push(metric_table(&spec, &content, totals.as_deref()));
    }
    if let (Some(rows), Some(totals)) = (&below, &totals) {
        body.push(next_heading("Tổng hợp số liệu của các đơn vị cấp dưới"));
        let named: Vec<(String, &report::Model)> =
            rows.iter().map(|(name, r)| (name.clone(), r)).collect();
        body.push(roll_up_table(&spec, &named, totals));
    }
    body.push(Block::Text(format!(
        "Trên đây là báo cáo {} của {}./.",
        lower_first(&title),
        agency.agency.name
    )));

    let mut lines = agency.authority();
    if let Some(title) = &content.signer_title {
        lines.extend(
            title
                .split('/')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        );
    }
    let name = file_name(
        if consolidated {
            "Báo cáo tổng hợp"
        } else {
            "Báo cáo"
        },
        content.number.as_deref(),
        &agency.agency,
        draft,
    );
    Ok(Generated {
        name,
        document: Official {
            parent,
            issuer,
            number: agency.number(content.number.as_deref(), Some("BC")),
            subject: None,
            place_date: agency.place_date(dated, year),
            kind: Some("Báo cáo".to_owned()),
            title: Some(title),
            recipients: vec![requester.agency.name.clone()],
            body,
            copies_to: vec!["- Như trên;".to_owned(), "- Lưu: VT.".to_owned()],
            signature: Signature {
                lines,
                name: content.signer_name,
            },
            draft,
        },
    })
}
