//! The records that officials file, as administrative documents: a report (at its current
//! state or as one of its submitted versions), a district's consolidated report with its
//! communes' roll-up, an obligation's request letter (công văn) and a plan with its tasks.
//!
//! Each is read under the caller's visibility, through the areas' own `get`s: a record the
//! caller cannot see is `NOT_FOUND`, as in the API.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike as _, NaiveDate};
use entity::{
    agency::{self, AgencyKind},
    ids::{ObligationId, PlanId, ReportId, TemplateId},
    plan_task, report,
    report::ReportStatus,
    reporting_obligation,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::layout::{Block, Official, Signature, blank_date_words, date_words, roman};
use crate::{
    auth::actor::Actor,
    error::{AppError, AppResult, Msg},
    plan::service as plans,
    reporting::{
        export::state_label,
        service::{self as reporting, roll_up},
        templates::{self, Spec},
        types::MetricSpec,
    },
    time,
};

/// A generated document with the name it is downloaded under.
pub struct Generated {
    /// The file name, in Vietnamese, built from the document's symbol (`Báo cáo 12-BC-UBND`),
    /// without extension.
    pub name: String,
    /// The document.
    pub document: Official,
}

/// Which content of a report the document shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportContent {
    /// What the report holds now (a draft is marked as one).
    Current,
    /// Submitted version `n` (1 is the first), as it was sent.
    Version(i32),
}

fn not_found(vi: &'static str, en: &'static str) -> AppError {
    AppError::NotFound(Msg::new(vi, en))
}

fn parse_id(raw: &str, vi: &'static str, en: &'static str) -> AppResult<Uuid> {
    Uuid::try_parse(raw).map_err(|_| not_found(vi, en))
}

/// Whether an agency is a people's committee (Ủy ban nhân dân) of some level.
fn is_committee(agency: &agency::Model) -> bool {
    matches!(
        agency.kind,
        AgencyKind::ProvincialCommittee | AgencyKind::District | AgencyKind::Commune
    )
}

/// `UBND huyện Triệu Sơn` → `huyện Triệu Sơn`; a name without the prefix stays.
fn without_committee_prefix(name: &str) -> &str {
    ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(name)
}

/// The place written before the date: the name of the administrative unit without its level
/// (`Triệu Sơn`, `Thanh Hóa`); a city or town keeps it (`Thành phố Cao Bằng`).
fn place_of_committee(agency: &agency::Model) -> String {
    let unit = without_committee_prefix(&agency.name);
    for level in [
        "tỉnh ",
        "huyện ",
        "xã ",
        "thị trấn ",
        "phường ",
        "Tỉnh ",
        "Huyện ",
        "Xã ",
    ] {
        if let Some(rest) = unit.strip_prefix(level) {
            return rest.to_owned();
        }
    }
    let mut chars = unit.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The issuer as the letterhead names it, with the agencies above it.
struct Issuer {
    agency: agency::Model,
    /// Parent first, then its parent, up to the root.
    ancestors: Vec<agency::Model>,
}

impl Issuer {
    async fn load<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Self> {
        let agency = agency::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| not_found("Không tìm thấy cơ quan", "Agency not found"))?;
        let mut ancestors = Vec::new();
        let mut next = agency.parent_id;
        while let Some(parent) = next {
            let Some(row) = agency::Entity::find_by_id(parent).one(db).await? else {
                break;
            };
            next = row.parent_id;
            ancestors.push(row);
            if ancestors.len() > 8 {
                break;
            }
        }
        Ok(Self { agency, ancestors })
    }

    /// The top-left lines: a committee is `ỦY BAN NHÂN DÂN` over its unit; any other agency
    /// is its name under its parent's.
    fn letterhead(&self) -> (Option<String>, Vec<String>) {
        if is_committee(&self.agency) {
            (
                None,
                vec![
                    "Ủy ban nhân dân".to_owned(),
                    without_committee_prefix(&self.agency.name).to_owned(),
                ],
            )
        } else {
            let parent = self.ancestors.first().map(|p| {
                if is_committee(p) {
                    format!("UBND {}", without_committee_prefix(&p.name))
                } else {
                    p.name.clone()
                }
            });
            (parent, vec![self.agency.name.clone()])
        }
    }

    /// The place of the nearest committee, the agency itself included.
    fn place(&self) -> String {
        std::iter::once(&self.agency)
            .chain(&self.ancestors)
            .find(|a| is_committee(a))
            .map(place_of_committee)
            .unwrap_or_default()
    }

    /// `Triệu Sơn, ngày 15 tháng 12 năm 2021`, or with the day and month left blank.
    fn place_date(&self, date: Option<NaiveDate>, year: i32) -> String {
        let words = date.map_or_else(|| blank_date_words(year), date_words);
        format!("{}, {words}", self.place())
    }

    /// `Số: 12/BC-UBND`, or `Số:      /BC-UBND` for a document not numbered yet.
    fn number(&self, given: Option<&str>, kind: Option<&str>) -> String {
        match given {
            Some(number) => format!("Số: {number}"),
            None => match kind {
                Some(kind) => format!("Số:        /{kind}-{}", self.agency.short_name),
                None => format!("Số:        /{}", self.agency.short_name),
            },
        }
    }

    /// The authority line a committee signs under.
    fn authority(&self) -> Vec<String> {
        if is_committee(&self.agency) {
            vec!["TM. Ủy ban nhân dân".to_owned()]
        } else {
            Vec::new()
        }
    }
}

/// `Báo cáo hoạt động …` → `hoạt động …` after "về việc": the title with a lower-case first
/// letter.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn date_vi(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The file name of a document: its type and symbol (`Báo cáo 12-BC-UBND`), or its type and
/// issuer while it has no number.
fn file_name(kind: &str, number: Option<&str>, issuer: &agency::Model, draft: bool) -> String {
    let base = match number {
        Some(number) => format!("{kind} {}", number.replace('/', "-")),
        None => format!("{kind} - {}", issuer.name),
    };
    if draft {
        format!("{base} (dự thảo)")
    } else {
        base
    }
}

/// A metric value as the document prints it: `412`, `3,5`, `12/15`.
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

/// "Thực hiện Công văn số 2480/STTTT-BCXB ngày 18/11/2021 của Sở … về việc …"
fn request_reference(obligation: &reporting_obligation::Model, issuer: &agency::Model) -> String {
    let what = lower_first(&obligation.title);
    match (&obligation.doc_number, obligation.doc_date) {
        (Some(number), Some(date)) => format!(
            "Thực hiện Công văn số {number} ngày {} của {} về việc {what}",
            date_vi(date),
            issuer.name
        ),
        _ => format!("Thực hiện yêu cầu của {} về việc {what}", issuer.name),
    }
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

/// An obligation's request letter (công văn): what is asked, the period, the due date, the
/// recipients; read by whoever sees the obligation, its recipients included.
pub async fn request_letter<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    raw_id: &str,
) -> AppResult<Generated> {
    let id = parse_id(
        raw_id,
        "Không tìm thấy yêu cầu báo cáo",
        "Reporting obligation not found",
    )?;
    let obligation = reporting::get(db, actor, ObligationId(id)).await?;
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    let issuer = Issuer::load(db, obligation.issuer_agency_id).await?;
    let reports = reporting::reports_of(db, ObligationId(id)).await?;
    let mut recipients: Vec<String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(reports.iter().map(|r| r.recipient_agency_id)))
        .order_by_asc(agency::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    recipients.dedup();
    let (parent, letterhead) = issuer.letterhead();
    let year = obligation.doc_date.map_or_else(
        || obligation.created_at.with_timezone(&time::VIETNAM).year(),
        |d| d.year(),
    );

    let mut body = Vec::new();
    let parent_obligation = match obligation.parent_id {
        Some(parent) => {
            reporting_obligation::Entity::find_by_id(parent)
                .one(db)
                .await?
        }
        None => None,
    };
    let opening = match &parent_obligation {
        Some(above) => {
            let requester = Issuer::load(db, above.issuer_agency_id).await?;
            format!("{}; ", request_reference(above, &requester.agency))
        }
        None => String::new(),
    };
    let addressed = if recipients.len() == 1 {
        "Quý cơ quan"
    } else {
        "các cơ quan, đơn vị"
    };
    body.push(Block::Text(format!(
        "{opening}{} đề nghị {addressed} {}, số liệu tính từ ngày {} đến ngày {}, với các nội dung sau:",
        issuer.agency.name,
        lower_first(&obligation.title),
        date_vi(obligation.period_start),
        date_vi(obligation.period_end),
    )));
    for (i, section) in spec.sections.iter().enumerate() {
        body.push(Block::Text(format!("{}. {}.", i + 1, section.title)));
    }
    if !spec.metrics.is_empty() {
        body.push(Block::Text(
            "Số liệu báo cáo theo các chỉ tiêu sau:".to_owned(),
        ));
        body.push(Block::Table {
            headers: vec![
                "STT".to_owned(),
                "Chỉ tiêu".to_owned(),
                "Đơn vị tính".to_owned(),
                "Bắt buộc".to_owned(),
            ],
            rows: spec
                .metrics
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        m.label.clone(),
                        m.unit.clone(),
                        if m.required { "Có" } else { "Không" }.to_owned(),
                    ]
                })
                .collect(),
            widths: vec![1, 6, 2, 2],
            total: false,
        });
    }
    body.push(Block::Text(format!(
        "Báo cáo gửi về {} trước ngày {}, đồng thời cập nhật trên hệ thống thông tin đối ngoại.",
        issuer.agency.name,
        date_vi(obligation.due_date)
    )));
    body.push(Block::Text(format!(
        "Đề nghị {addressed} quan tâm, phối hợp thực hiện./."
    )));
    Ok(Generated {
        name: file_name(
            "Công văn",
            obligation.doc_number.as_deref(),
            &issuer.agency,
            false,
        ),
        document: Official {
            parent,
            issuer: letterhead,
            number: issuer.number(obligation.doc_number.as_deref(), None),
            subject: Some(format!("V/v {}", lower_first(&obligation.title))),
            place_date: issuer.place_date(obligation.doc_date, year),
            kind: None,
            title: None,
            recipients,
            body,
            copies_to: vec!["- Như trên;".to_owned(), "- Lưu: VT.".to_owned()],
            signature: Signature {
                lines: issuer.authority(),
                name: None,
            },
            draft: false,
        },
    })
}

/// A plan with its tasks table: content, lead agency, coordinating agencies, due date.
pub async fn plan<C: ConnectionTrait>(db: &C, actor: &Actor, raw_id: &str) -> AppResult<Generated> {
    let id = parse_id(raw_id, "Không tìm thấy kế hoạch", "Plan not found")?;
    let plan = plans::get(db, actor, PlanId(id)).await?;
    let issuer = Issuer::load(db, plan.agency_id).await?;
    let tasks = plan_task::Entity::find()
        .filter(plan_task::Column::PlanId.eq(id))
        .order_by_asc(plan_task::Column::CreatedAt)
        .order_by_asc(plan_task::Column::Id)
        .all(db)
        .await?;
    let coordinators = |task: &plan_task::Model| -> Vec<Uuid> {
        task.coordinators
            .split(',')
            .filter_map(|s| Uuid::try_parse(s).ok())
            .collect()
    };
    let names: HashMap<Uuid, String> = agency::Entity::find()
        .filter(
            agency::Column::Id.is_in(
                tasks
                    .iter()
                    .flat_map(|t| std::iter::once(t.lead_agency_id).chain(coordinators(t))),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let name_of = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let (parent, letterhead) = issuer.letterhead();

    let mut body = Vec::new();
    if let Some(implemented) = match plan.implements_id {
        Some(above) => entity::plan::Entity::find_by_id(above).one(db).await?,
        None => None,
    } {
        let author = Issuer::load(db, implemented.agency_id).await?;
        let reference = match (&implemented.doc_number, implemented.doc_date) {
            (Some(number), Some(date)) => {
                format!("Kế hoạch số {number} ngày {}", date_vi(date))
            }
            _ => format!("Kế hoạch {}", lower_first(&implemented.title)),
        };
        body.push(Block::Text(format!(
            "Thực hiện {reference} của {}; {} ban hành Kế hoạch {}, như sau:",
            author.agency.name,
            issuer.agency.name,
            lower_first(&plan.title)
        )));
    }
    let mut heading = 0;
    let mut next_heading = |text: &str| {
        heading += 1;
        Block::Heading(format!("{}. {}", roman(heading), text.to_uppercase()))
    };
    if let Some(purpose) = &plan.purpose {
        body.push(next_heading("Mục đích, yêu cầu"));
        body.push(Block::Text(purpose.clone()));
    }
    body.push(next_heading("Nhiệm vụ và phân công thực hiện"));
    body.push(Block::Table {
        headers: vec![
            "STT".to_owned(),
            "Nội dung".to_owned(),
            "Cơ quan chủ trì".to_owned(),
            "Cơ quan phối hợp".to_owned(),
            "Thời hạn".to_owned(),
        ],
        rows: tasks
            .iter()
            .enumerate()
            .map(|(i, task)| {
                vec![
                    (i + 1).to_string(),
                    task.content.clone(),
                    name_of(&task.lead_agency_id),
                    coordinators(task)
                        .iter()
                        .map(name_of)
                        .collect::<Vec<_>>()
                        .join("; "),
                    task.due_date
                        .map(date_vi)
                        .unwrap_or_else(|| "Cả năm".to_owned()),
                ]
            })
            .collect(),
        widths: vec![1, 6, 3, 3, 2],
        total: false,
    });
    if let Some(budget) = &plan.budget_note {
        body.push(next_heading("Kinh phí thực hiện"));
        body.push(Block::Text(budget.clone()));
    }
    body.push(next_heading("Tổ chức thực hiện"));
    body.push(Block::Text(
        "Các cơ quan được giao chủ trì chủ động triển khai nhiệm vụ, cập nhật tiến độ trên hệ thống thông tin đối ngoại và báo cáo kết quả theo quy định./."
            .to_owned(),
    ));
    let mut copies_to: Vec<String> = tasks
        .iter()
        .map(|t| name_of(&t.lead_agency_id))
        .filter(|n| !n.is_empty())
        .collect();
    copies_to.sort();
    copies_to.dedup();
    let mut copies_to: Vec<String> = copies_to.into_iter().map(|n| format!("- {n};")).collect();
    copies_to.push("- Lưu: VT.".to_owned());
    let year = plan.doc_date.map_or(plan.year, |d| d.year());
    Ok(Generated {
        name: file_name(
            "Kế hoạch",
            plan.doc_number.as_deref(),
            &issuer.agency,
            false,
        ),
        document: Official {
            parent,
            issuer: letterhead,
            number: issuer.number(plan.doc_number.as_deref(), Some("KH")),
            subject: None,
            place_date: issuer.place_date(plan.doc_date, year),
            kind: Some("Kế hoạch".to_owned()),
            title: Some(upper_first(
                plan.title.strip_prefix("Kế hoạch ").unwrap_or(&plan.title),
            )),
            recipients: Vec::new(),
            body,
            copies_to,
            signature: Signature {
                lines: issuer.authority(),
                name: None,
            },
            draft: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_units_without_their_level() {
        let committee = |name: &str| agency::Model {
            name: name.to_owned(),
            kind: AgencyKind::District,
            ..crate::official::tests::agency()
        };
        assert_eq!(
            place_of_committee(&committee("UBND huyện Triệu Sơn")),
            "Triệu Sơn"
        );
        assert_eq!(
            place_of_committee(&committee("UBND tỉnh Thanh Hóa")),
            "Thanh Hóa"
        );
        assert_eq!(
            place_of_committee(&committee("UBND thành phố Cao Bằng")),
            "Thành phố Cao Bằng"
        );
        assert_eq!(
            place_of_committee(&committee("Thị trấn Nưa")),
            "Thị trấn Nưa"
        );
        assert_eq!(place_of_committee(&committee("UBND xã Dân Lực")), "Dân Lực");
    }

    #[test]
    fn file_names_carry_the_symbol() {
        let issuer = crate::official::tests::agency();
        assert_eq!(
            file_name("Báo cáo", Some("12/BC-UBND"), &issuer, false),
            "Báo cáo 12-BC-UBND"
        );
        assert_eq!(
            file_name("Báo cáo", None, &issuer, true),
            "Báo cáo - UBND huyện Triệu Sơn (dự thảo)"
        );
    }
}
