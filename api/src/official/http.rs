//! `GET /documents/...`: the generated documents, with the bearer token, under the record's
//! visibility (`NOT_FOUND` outside it); errors answer in the GraphQL error shape.
//!
//! - `/documents/reports/{id}.docx` (`?version=N` for a submitted version as it was sent);
//! - `/documents/reports/{id}/consolidated.docx`: a report with the roll-up of the reports
//!   its agency asked for below;
//! - `/documents/obligations/{id}/request.docx`: the request letter (công văn);
//! - `/documents/plans/{id}.docx`: a plan with its tasks table.

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;

use super::service::{self, Generated, ReportContent};
use crate::{
    access::RequestId,
    error::AppResult,
    graphql::{http, schema::AppSchema},
};

/// The media type of a Word document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Answers with the document `build` makes for the signed-in caller.
async fn generate<F, Fut>(
    req: &HttpRequest,
    db: &DatabaseConnection,
    schema: &AppSchema,
    request_id: &RequestId,
    build: F,
) -> HttpResponse
where
    F: FnOnce(std::sync::Arc<crate::auth::actor::Actor>) -> Fut,
    Fut: std::future::Future<Output = AppResult<Generated>>,
{
    let made = match http::signed_in(db, schema, req).await {
        Ok(actor) => build(actor).await.and_then(|generated| {
            let bytes = generated
                .document
                .to_docx()
                .map_err(crate::error::AppError::internal)?;
            Ok((generated.name, bytes))
        }),
        Err(err) => Err(err),
    };
    match made {
        Ok((name, bytes)) => http::file_download(&format!("{name}.docx"), DOCX, bytes),
        Err(err) => http::http_error(req, &err, request_id),
    }
}

/// Query parameters of a report's document.
#[derive(serde::Deserialize, Default)]
pub struct ReportParams {
    /// A submitted version (1 is the first); the report as it stands when absent.
    version: Option<i32>,
}

/// `GET /documents/reports/{id}.docx`.
pub async fn report(
    req: HttpRequest,
    id: web::Path<String>,
    params: web::Query<ReportParams>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let which = params
        .version
        .map_or(ReportContent::Current, ReportContent::Version);
    let db: &DatabaseConnection = &db;
    generate(&req, db, &schema, &request_id, |actor| async move {
        service::report(db, &actor, &id, which, false).await
    })
    .await
}

/// `GET /documents/reports/{id}/consolidated.docx`.
pub async fn consolidated(
    req: HttpRequest,
    id: web::Path<String>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let db: &DatabaseConnection = &db;
    generate(&req, db, &schema, &request_id, |actor| async move {
        service::report(db, &actor, &id, ReportContent::Current, true).await
    })
    .await
}

/// `GET /documents/obligations/{id}/request.docx`.
pub async fn request_letter(
    req: HttpRequest,
    id: web::Path<String>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let db: &DatabaseConnection = &db;
    generate(&req, db, &schema, &request_id, |actor| async move {
        service::request_letter(db, &actor, &id).await
    })
    .await
}

/// `GET /documents/plans/{id}.docx`.
pub async fn plan(
    req: HttpRequest,
    id: web::Path<String>,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    request_id: RequestId,
) -> HttpResponse {
    let db: &DatabaseConnection = &db;
    generate(&req, db, &schema, &request_id, |actor| async move {
        service::plan(db, &actor, &id).await
    })
    .await
}
