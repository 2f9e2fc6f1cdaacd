//! Spreadsheets of reporting, as CSV (UTF-8 with a byte-order mark so that Excel opens
//! Vietnamese text correctly), with Vietnamese labels for states and kinds:
//!
//! - `GET /exports/obligations/{id}/compliance.csv`: an obligation's compliance and metrics;
//! - `GET /exports/obligations/{id}/consolidation.csv?mode=`: the whole cascade, report by
//!   report and level by level, with its totals;
//! - `GET /exports/reports-to-chase.csv?dueWithinDays=&kinds=&within=&obligationId=`: the
//!   đôn đốc list, with whom to contact.
//!
//! Each also as `.xlsx`.
//!
//! Every cell goes through `spreadsheet` (formula injection), and errors answer in the
//! GraphQL error shape.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use entity::{
    agency,
    ids::{AgencyId, ObligationId, TemplateId},
    report, reporting_obligation,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    cascade::{Cascade, Mode},
    service::{self, ComplianceState},
    templates,
};
use crate::{
    access::RequestId,
    agency::schema::AgencyKind,
    auth::actor::Actor,
    error::{AppError, AppResult, Msg},
    graphql::{http, schema::AppSchema},
    spreadsheet::{Cell, Table},
    time,
};

/// The Vietnamese label of a compliance state, as officials read it.
pub fn state_label(state: ComplianceState) -> &'static str {
    match state {
        ComplianceState::NotStarted => "Chưa thực hiện",
        ComplianceState::Draft => "Đang soạn",
        ComplianceState::SubmittedOnTime => "Đã gửi đúng hạn",
        ComplianceState::SubmittedLate => "Đã gửi quá hạn",
        ComplianceState::Returned => "Bị trả lại",
        ComplianceState::Accepted => "Đã chấp nhận",
        ComplianceState::Overdue => "Quá hạn chưa gửi",
    }
}

/// The Vietnamese label of an agency kind (the level).
pub fn kind_label(kind: agency::AgencyKind) -> &'static str {
    use agency::AgencyKind as K;
    match kind {
        K::ProvincialCommittee => "UBND cấp tỉnh",
        K::Department => "Sở, ban, ngành",
        K::District => "UBND cấp huyện",
        K::Commune => "UBND cấp xã",
        K::PressAgency => "Cơ quan báo chí",
        K::Other => "Khác",
    }
}

/// The two formats of every export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// The format named by a file extension (`csv`, `xlsx`).
    fn of(extension: &str) -> Option<Self> {
        match extension {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// The download of `table` as `file` (without extension) in `format`, or the error in the
/// API's shape.
fn download(
    req: &HttpRequest,
    request_id: &RequestId,
    file: &str,
    format: Format,
    table: AppResult<Table>,
) -> HttpResponse {
    let body = table.and_then(|table| match format {
        Format::Csv => Ok(table.to_csv().into_bytes()),
        Format::Xlsx => table.to_xlsx().map_err(AppError::internal),
    });
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    match body {
        Ok(body) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.{extension}\""),
            ))
            .body(body),
        Err(err) => http::http_error(req, &err, request_id),
    }
}

fn unknown_format() -> AppError {
    AppError::NotFound(Msg::new(
        "Không có định dạng này; dùng .csv hoặc .xlsx",
        "No such format; use .csv or .xlsx",
    ))
}

/// A metric value as a cell: numbers as numbers, a ratio as "n/d".
fn metric_cell(value: Option<&serde_json::Value>) -> Cell {
    match value {
        Some(serde_json::Value::Object(ratio)) => Cell::Text(format!(
            "{}/{}",
            ratio.get("numerator").cloned().unwrap_or_default(),
            ratio.get("denominator").cloned().unwrap_or_default()
        )),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => n.as_f64().map_or(Cell::Empty, Cell::Number),
        },
        Some(other) => Cell::Text(other.to_string()),
        None => Cell::Empty,
    }
}

/// The obligation `id` for its issuer's side, with its template: what the compliance and
/// consolidation exports show.
async fn issuer_view(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<(reporting_obligation::Model, templates::Spec)> {
    let id = ObligationId(Uuid::try_parse(id).map_err(|_| {
        AppError::NotFound(Msg::new(
            "Không tìm thấy yêu cầu báo cáo",
            "Reporting obligation not found",
        ))
    })?);
    let obligation = service::get(db, actor, id).await?;
    let issuer = agency::Entity::find_by_id(obligation.issuer_agency_id)
        .one(db)
        .await?;
    if !issuer.is_some_and(|i| actor.scope.contains(&i.path)) {
        return Err(AppError::Forbidden(Msg::new(
            "Chỉ cơ quan ban hành xem được tình hình báo cáo",
            "Only the issuer's side sees the compliance view",
        )));
    }
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    Ok((obligation, spec))
}

/// The title rows of an obligation's sheet: what, the công văn, the period and due date.
fn obligation_title(heading: &str, obligation: &reporting_obligation::Model) -> Vec<String> {
    let mut title = vec![format!("{heading}: {}", obligation.title)];
    if let (Some(number), Some(date)) = (&obligation.doc_number, obligation.doc_date) {
        title.push(format!("Công văn số {number} ngày {}", time::date_vi(date)));
    }
    title.push(format!(
        "Kỳ số liệu: {} – {}; hạn báo cáo: {}",
        time::date_vi(obligation.period_start),
        time::date_vi(obligation.period_end),
        time::date_vi(obligation.due_date)
    ));
    title
}

async fn agencies_by_id(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

async fn compliance_table(db: &DatabaseConnection, actor: &Actor, id: &str) -> AppResult<Table> {
    let (obligation, spec) = issuer_view(db, actor, id).await?;
    let reports = service::reports_of(db, ObligationId(obligation.id)).await?;
    let agencies = agencies_by_id(db, reports.iter().map(|r| r.recipient_agency_id)).await?;
    let today = time::today();
    let title = obligation_title("Tình hình báo cáo", &obligation);
    let mut headers: Vec<String> = [
        "Cơ quan",
        "Mã ĐVHC",
        "Cấp",
        "Trạng thái",
        "Ngày gửi",
        "Trễ hạn",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    headers.extend(
        spec.metrics
            .iter()
            .map(|m| format!("{} ({})", m.label, m.unit)),
    );
    let mut rows = Vec::new();
    for row in &reports {
        let agency = agencies.get(&row.recipient_agency_id);
        let metrics: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&row.metrics).unwrap_or_default();
        let mut cells = vec![
            Cell::text(agency.map(|a| a.name.clone())),
            Cell::code(agency.and_then(|a| a.admin_code.clone())),
            Cell::text(agency.map(|a| kind_label(a.kind))),
            Cell::Text(state_label(service::state_of(row, today)).to_owned()),
            row.submitted_at.map_or(Cell::Empty, |t| {
                Cell::Date(t.with_timezone(&time::VIETNAM).date_naive())
            }),
            Cell::text(row.late.map(|late| if late { "có" } else { "không" })),
        ];
        cells.extend(
            spec.metrics
                .iter()
                .map(|m| metric_cell(metrics.get(&m.key))),
        );
        rows.push(cells);
    }
    Ok(Table {
        name: "Tình hình báo cáo".to_owned(),
        title,
        headers,
        rows,
    })
}

/// Answers an export request: the format from the path's extension, the caller from the
/// bearer token, the table from `build`, the file named `file`.
async fn export<F, Fut>(
    req: &HttpRequest,
    db: &DatabaseConnection,
    schema: &AppSchema,
    request_id: &RequestId,
    (file, extension): (&str, &str),
    build: F,
) -> HttpResponse
where
    F: FnOnce(std::sync::Arc<Actor>) -> Fut,
    Fut: std::future::Future<Output = AppResult<Table>>,
{
    let format = Format::of(extension);
    let table = match (format, http::signed_in(db, schema, req).await) {
        (None, _) => Err(unknown_format()),
        (_, Err(err)) => Err(err),
        (Some(_), Ok(actor)) => build(actor).await,
    };
    download(req, request_id, file, format.unwrap_or(Format::Csv), table)
}

/// `GET /exports/obligations/{id}/compliance.{csv|xlsx}`.
pub async fn compliance(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let (id, extension) = path.into_inner();
    let file = format!("obligation-{id}-compliance");
    let db: &DatabaseConnection = &db;
    export(
        &req,
        db,
        &schema,
        &request_id,
        (&file, &extension),
        |actor| async move { compliance_table(db, &actor, &id).await },
    )
    .await
}

/// Query parameters of the consolidation export.
#[derive(serde::Deserialize, Default)]
pub struct ConsolidationParams {
    /// `FROM_LEAVES` (default) or `AS_CONSOLIDATED`.
    mode: Option<String>,
}

async fn consolidation_table(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
    params: &ConsolidationParams,
) -> AppResult<Table> {
    let mode = match params.mode.as_deref() {
        None | Some("FROM_LEAVES") => Mode::FromLeaves,
        Some("AS_CONSOLIDATED") => Mode::AsConsolidated,
        Some(_) => {
            return Err(AppError::bad_input(
                "mode",
                Msg::new(
                    "Cách tổng hợp là FROM_LEAVES hoặc AS_CONSOLIDATED",
                    "mode is FROM_LEAVES or AS_CONSOLIDATED",
                ),
            ));
        }
    };
    let (obligation, spec) = issuer_view(db, actor, id).await?;
    let cascade = Cascade::load(db, obligation.id).await?;
    let agencies = agencies_by_id(
        db,
        cascade
            .reports
            .iter()
            .flat_map(|p| [p.report.recipient_agency_id, p.asked_by]),
    )
    .await?;
    let name = |id: &Uuid| Cell::text(agencies.get(id).map(|a| a.name.clone()));
    let mut title = obligation_title("Tổng hợp toàn hệ thống", &obligation);
    title.push(match mode {
        Mode::FromLeaves => {
            "Tổng cộng: cộng từ cơ sở (báo cáo của các cơ quan không chuyển tiếp)".to_owned()
        }
        Mode::AsConsolidated => "Tổng cộng: theo số liệu tổng hợp của từng cấp".to_owned(),
    });
    let mut headers: Vec<String> = ["Cấp", "Cơ quan", "Mã ĐVHC", "Cơ quan yêu cầu", "Trạng thái"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    headers.extend(
        spec.metrics
            .iter()
            .map(|m| format!("{} ({})", m.label, m.unit)),
    );
    let mut rows = Vec::new();
    for placed in &cascade.reports {
        let metrics: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&placed.report.metrics).unwrap_or_default();
        let mut cells = vec![
            Cell::Int(placed.depth as i64),
            name(&placed.report.recipient_agency_id),
            Cell::code(
                agencies
                    .get(&placed.report.recipient_agency_id)
                    .and_then(|a| a.admin_code.clone()),
            ),
            name(&placed.asked_by),
            Cell::Text(state_label(placed.state).to_owned()),
        ];
        cells.extend(
            spec.metrics
                .iter()
                .map(|m| metric_cell(metrics.get(&m.key))),
        );
        rows.push(cells);
    }
    let mut total = vec![
        Cell::Empty,
        Cell::Text("Tổng cộng".to_owned()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    for (t, m) in cascade.totals(&spec, mode).iter().zip(&spec.metrics) {
        total.push(match m.kind {
            super::types::MetricKind::Ratio => {
                Cell::Text(format!("{}/{}", t.numerator, t.denominator))
            }
            _ => Cell::Number(t.total),
        });
    }
    rows.push(total);
    Ok(Table {
        name: "Tổng hợp".to_owned(),
        title,
        headers,
        rows,
    })
}

/// `GET /exports/obligations/{id}/consolidation.{csv|xlsx}?mode=FROM_LEAVES|AS_CONSOLIDATED`.
pub async fn consolidation(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    params: web::Query<ConsolidationParams>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let (id, extension) = path.into_inner();
    let file = format!("obligation-{id}-consolidation");
    let db: &DatabaseConnection = &db;
    export(
        &req,
        db,
        &schema,
        &request_id,
        (&file, &extension),
        |actor| async move { consolidation_table(db, &actor, &id, &params).await },
    )
    .await
}

/// Query parameters of the đôn đốc export, as in the `reportsToChase` query.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ChaseParams {
    due_within_days: Option<i32>,
    /// Comma-separated agency kinds (`DISTRICT,COMMUNE`).
    kinds: Option<String>,
    within: Option<String>,
    obligation_id: Option<String>,
}

/// Largest đôn đốc export, in rows.
const MAX_CHASE_ROWS: u64 = 10_000;

impl ChaseParams {
    fn filter(&self) -> AppResult<service::ChaseFilter> {
        let kinds = self
            .kinds
            .iter()
            .flat_map(|k| k.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                // The names of the GraphQL enum, as in the `reportsToChase` query.
                let value = async_graphql::Value::Enum(async_graphql::Name::new(k));
                <AgencyKind as async_graphql::InputType>::parse(Some(value))
                    .map(agency::AgencyKind::from)
                    .map_err(|_| {
                        AppError::bad_input(
                            "kinds",
                            Msg::new("Loại cơ quan không hợp lệ", "Unknown agency kind"),
                        )
                    })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let id = |field: &'static str, raw: &Option<String>| {
            raw.as_deref()
                .map(|v| {
                    Uuid::try_parse(v).map_err(|_| {
                        AppError::bad_input(
                            field,
                            Msg::new("Mã định danh không hợp lệ", "Not a valid id"),
                        )
                    })
                })
                .transpose()
        };
        Ok(service::ChaseFilter {
            due_within_days: service::chase_days(self.due_within_days)?,
            kinds,
            within: id("within", &self.within)?.map(AgencyId),
            obligation: id("obligationId", &self.obligation_id)?.map(ObligationId),
        })
    }
}

async fn chase_table(
    db: &DatabaseConnection,
    actor: &Actor,
    params: &ChaseParams,
) -> AppResult<Table> {
    use sea_orm::{QueryOrder, QuerySelect};
    let filter = params.filter()?;
    let rows = service::to_chase(db, actor, &filter)
        .await?
        .order_by_asc(report::Column::DueDate)
        .order_by_asc(report::Column::Id)
        .limit(MAX_CHASE_ROWS)
        .all(db)
        .await?;
    let agency_ids: Vec<Uuid> = rows.iter().map(|r| r.recipient_agency_id).collect();
    let agencies: HashMap<Uuid, agency::Model> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(agency_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let obligation_ids: Vec<Uuid> = rows.iter().map(|r| r.obligation_id).collect();
    let obligations: HashMap<Uuid, reporting_obligation::Model> =
        reporting_obligation::Entity::find()
            .filter(reporting_obligation::Column::Id.is_in(obligation_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    // The first serving spokesperson of each agency (heads sort first).
    let mut speakers: HashMap<Uuid, entity::spokesperson::Card> = HashMap::new();
    for person in crate::spokesperson::service::serving_for_agencies(
        db.get_database_backend(),
        &agency_ids,
        true,
    )
    .into_partial_model::<entity::spokesperson::Card>()
    .all(db)
    .await?
    {
        speakers.entry(person.agency_id).or_insert(person);
    }
    let today = time::today();
    let headers = [
        "Cơ quan",
        "Mã ĐVHC",
        "Cấp",
        "Yêu cầu báo cáo",
        "Số công văn",
        "Hạn báo cáo",
        "Số ngày quá hạn",
        "Tình trạng",
        "Người phát ngôn",
        "Điện thoại",
        "Thư điện tử",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut table_rows = Vec::new();
    for row in &rows {
        let agency = agencies.get(&row.recipient_agency_id);
        let obligation = obligations.get(&row.obligation_id);
        let speaker = speakers.get(&row.recipient_agency_id);
        let phone = speaker
            .and_then(|s| s.phone.clone())
            .or_else(|| agency.and_then(|a| a.phone.clone()));
        let email = speaker
            .and_then(|s| s.email.clone())
            .or_else(|| agency.and_then(|a| a.email.clone()));
        table_rows.push(vec![
            Cell::text(agency.map(|a| a.name.clone())),
            Cell::code(agency.and_then(|a| a.admin_code.clone())),
            Cell::text(agency.map(|a| kind_label(a.kind))),
            Cell::text(obligation.map(|o| o.title.clone())),
            Cell::code(obligation.and_then(|o| o.doc_number.clone())),
            Cell::Date(row.due_date),
            Cell::Int(service::days_overdue(row.due_date)),
            Cell::Text(state_label(service::state_of(row, today)).to_owned()),
            Cell::text(speaker.map(|s| s.full_name.clone())),
            Cell::code(phone),
            Cell::text(email),
        ]);
    }
    let mut title = vec![format!(
        "Danh sách đôn đốc báo cáo ngày {}",
        time::date_vi(today)
    )];
    if filter.due_within_days > 0 {
        title.push(format!(
            "Quá hạn hoặc đến hạn trong {} ngày tới",
            filter.due_within_days
        ));
    }
    Ok(Table {
        name: "Đôn đốc".to_owned(),
        title,
        headers,
        rows: table_rows,
    })
}

/// `GET /exports/reports-to-chase.{csv|xlsx}`.
pub async fn chase(
    req: HttpRequest,
    extension: web::Path<String>,
    params: web::Query<ChaseParams>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let file = ("reports-to-chase", extension.as_str());
    let db: &DatabaseConnection = &db;
    export(&req, db, &schema, &request_id, file, |actor| async move {
        chase_table(db, &actor, &params).await
    })
    .await
}
