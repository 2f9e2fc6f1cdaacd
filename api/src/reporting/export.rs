//! `GET /exports/obligations/{id}/compliance.csv`: an obligation's compliance and metrics as
//! CSV, UTF-8 with a byte-order mark so that Excel opens Vietnamese text correctly.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use entity::{agency, ids::ObligationId, ids::TemplateId};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::{
    service::{self, ComplianceState},
    templates,
};
use crate::{
    access::RequestId,
    auth::{
        actor::{Authentication, authenticate},
        service::AuthConfig,
    },
    error::{AppError, AppResult},
    graphql::{http, schema::AppSchema},
    spreadsheet, time,
};

/// The stable name of a compliance state (as in the API).
pub fn state_name(state: ComplianceState) -> &'static str {
    match state {
        ComplianceState::NotStarted => "NOT_STARTED",
        ComplianceState::Draft => "DRAFT",
        ComplianceState::SubmittedOnTime => "SUBMITTED_ON_TIME",
        ComplianceState::SubmittedLate => "SUBMITTED_LATE",
        ComplianceState::Returned => "RETURNED",
        ComplianceState::Accepted => "ACCEPTED",
        ComplianceState::Overdue => "OVERDUE",
    }
}

async fn render(
    db: &DatabaseConnection,
    auth: &AuthConfig,
    req: &HttpRequest,
    id: &str,
) -> AppResult<String> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Authentication::Actor(actor) = authenticate(db, &auth.keys, header).await? else {
        return Err(AppError::Unauthenticated);
    };
    let id = ObligationId(Uuid::try_parse(id).map_err(|_| {
        AppError::NotFound(crate::error::Msg::new(
            "Không tìm thấy yêu cầu báo cáo",
            "Reporting obligation not found",
        ))
    })?);
    let obligation = service::get(db, &actor, id).await?;
    let issuer = agency::Entity::find_by_id(obligation.issuer_agency_id)
        .one(db)
        .await?;
    if !issuer.is_some_and(|i| actor.scope.contains(&i.path)) {
        return Err(AppError::Forbidden(crate::error::Msg::new(
            "Chỉ cơ quan ban hành xem được tình hình báo cáo",
            "Only the issuer's side sees the compliance view",
        )));
    }
    let spec = templates::get(db, TemplateId(obligation.template_id)).await?;
    let reports = service::reports_of(db, id).await?;
    let today = time::today();
    let mut out = String::from("\u{feff}");
    let mut header_row = vec![
        "Cơ quan",
        "Mã ĐVHC",
        "Trạng thái",
        "Thời điểm gửi",
        "Trễ hạn",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    header_row.extend(
        spec.metrics
            .iter()
            .map(|m| format!("{} ({})", m.label, m.unit)),
    );
    out.push_str(&spreadsheet::csv_row(&header_row));
    for row in &reports {
        let agency = agency::Entity::find_by_id(row.recipient_agency_id)
            .one(db)
            .await?;
        let metrics: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&row.metrics).unwrap_or_default();
        let mut cells = vec![
            agency.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            agency.and_then(|a| a.admin_code).unwrap_or_default(),
            state_name(service::state_of(row, today)).to_owned(),
            row.submitted_at
                .map(|t| t.with_timezone(&time::VIETNAM).to_rfc3339())
                .unwrap_or_default(),
            match row.late {
                Some(true) => "có".to_owned(),
                Some(false) => "không".to_owned(),
                None => String::new(),
            },
        ];
        for metric in &spec.metrics {
            cells.push(match metrics.get(&metric.key) {
                Some(serde_json::Value::Object(ratio)) => format!(
                    "{}/{}",
                    ratio.get("numerator").cloned().unwrap_or_default(),
                    ratio.get("denominator").cloned().unwrap_or_default()
                ),
                Some(value) => value.to_string(),
                None => String::new(),
            });
        }
        out.push_str(&spreadsheet::csv_row(&cells));
    }
    Ok(out)
}

/// The handler.
pub async fn compliance_csv(
    req: HttpRequest,
    id: web::Path<String>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let rendered = match schema.data::<AuthConfig>() {
        Some(auth) => render(&db, auth, &req, &id).await,
        None => Err(AppError::internal(anyhow::anyhow!("no auth config"))),
    };
    match rendered {
        Ok(csv) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"obligation-{id}-compliance.csv\""),
            ))
            .body(csv),
        Err(err) => http::http_error(&req, &err, &request_id),
    }
}
